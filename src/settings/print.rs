//! The print edition's settings: `[print]` in `book.toml` (what the print edition adds to
//! `[pdf]`: bleed, marks, imposition, paper, covers) and the command line's overrides for one
//! run (`--print`, `--bleed 3mm`, `--crop-marks`, `--impose saddle`, `--creep 0.1mm`).

use super::{PT_PER_MM, PdfSettings, length};
use crate::diag::Diagnostic;
use crate::meta::Block;
use serde::Deserialize;
use std::hash::{Hash, Hasher};

/// `[print]` as written (strict keys).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawPrint {
    bleed: Option<String>,
    crop_marks: Option<bool>,
    registration_marks: Option<bool>,
    slug: Option<bool>,
    impose: Option<String>,
    sheet: Option<String>,
    creep: Option<String>,
    binding: Option<String>,
    paper_thickness: Option<String>,
    paper_ppi: Option<f32>,
    covers: Option<bool>,
    cover_text: Option<bool>,
    price: Option<String>,
}

/// The print edition: `<slug>-print.pdf`, the imposed `<slug>-booklet.pdf` and, for a
/// perfect-bound book, the wrap cover `<slug>-cover.pdf`. Lengths in pt.
#[derive(Debug, Clone, PartialEq)]
pub struct PrintSettings {
    /// Bleed on every side of the trim.
    pub bleed: f32,
    pub crop_marks: bool,
    /// Registration targets at the middle of each side (for offset presses).
    pub registration_marks: bool,
    /// A line in the slug with the file, the page (or sheet) and the date.
    pub slug: bool,
    pub impose: Impose,
    /// The press sheet the imposed booklet is printed on (`None`: exactly two pages wide).
    pub sheet: Option<Sheet>,
    /// How far each folded sheet's pages move towards the fold, per sheet from the outside
    /// (creep compensation: inner sheets stick out at the fore-edge and are trimmed more, so
    /// their pages move in by as much; a negative value moves them out instead).
    pub creep: f32,
    pub binding: Binding,
    /// The thickness of one leaf of paper (two pages): the spine of a perfect-bound cover.
    pub paper_thickness: f32,
    /// A front cover first and a back cover last (with their blank insides).
    pub covers: bool,
    /// Over a supplied cover picture, the title and names set on a panel (by default the
    /// picture is the whole front cover: it usually carries its own lettering).
    pub cover_text: bool,
    /// The EAN-5 price add-on under the barcode (`"51495"`: US$14.95; `"90000"`: none).
    pub price: Option<String>,
}

/// Lengths by their bits (a float has no `Hash`): the memo's keys hash the settings. Every
/// field is named, so a new one cannot be left out of the key.
impl Hash for PrintSettings {
    fn hash<H: Hasher>(&self, h: &mut H) {
        let PrintSettings {
            bleed,
            crop_marks,
            registration_marks,
            slug,
            impose,
            sheet,
            creep,
            binding,
            paper_thickness,
            covers,
            cover_text,
            price,
        } = self;
        for v in [bleed, creep, paper_thickness] {
            v.to_bits().hash(h);
        }
        (crop_marks, registration_marks, slug, impose, sheet).hash(h);
        (binding, covers, cover_text, price).hash(h);
    }
}

/// How the print edition's pages are put on sheets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Impose {
    /// No imposed file.
    None,
    /// Two pages per side in saddle-stitch order, folded and stapled into a booklet.
    Saddle,
    /// Two pages per side in reading order: proof sheets, spreads as the reader sees them.
    TwoUp,
}

/// How the printed book is bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Binding {
    /// Folded sheets stapled at the fold: the covers are the booklet's first and last pages.
    Saddle,
    /// Glued at a spine: the covers are one wrap (back, spine, front) in their own file.
    Perfect,
}

/// A named press sheet, landscape (pt).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sheet {
    pub name: &'static str,
    pub width: f32,
    pub height: f32,
}

impl Hash for Sheet {
    fn hash<H: Hasher>(&self, h: &mut H) {
        let Sheet {
            name,
            width,
            height,
        } = self;
        (name, width.to_bits(), height.to_bits()).hash(h);
    }
}

/// Press sheets by name (mm, landscape: two pages side by side).
const SHEETS: &[(&str, f32, f32)] = &[
    ("a4", 297.0, 210.0),
    ("a3", 420.0, 297.0),
    ("sra3", 450.0, 320.0),
    ("letter", 279.4, 215.9),
    ("tabloid", 431.8, 279.4),
];

/// Printers ask for 3 mm of bleed unless they say otherwise.
const DEFAULT_BLEED_MM: f32 = 3.0;
/// 80 g/m² offset paper is about 0.1 mm thick: the usual paper of a booklet.
const DEFAULT_PAPER_MM: f32 = 0.1;
/// No paper is thinner than bible paper (~0.04 mm) or thicker than board (~1 mm).
const PAPER_MM: std::ops::RangeInclusive<f32> = 0.03..=1.0;
/// Creep beyond 1 mm per sheet is a folding mistake, not paper.
const MAX_CREEP_MM: f32 = 1.0;
/// The most bleed folio adds (pt): 25 mm.
pub(super) const MAX_BLEED: f32 = 25.0 * PT_PER_MM;

impl Default for PrintSettings {
    fn default() -> Self {
        PrintSettings {
            bleed: DEFAULT_BLEED_MM * PT_PER_MM,
            crop_marks: true,
            registration_marks: false,
            slug: false,
            impose: Impose::Saddle,
            sheet: None,
            creep: 0.0,
            binding: Binding::Saddle,
            paper_thickness: DEFAULT_PAPER_MM * PT_PER_MM,
            covers: true,
            cover_text: false,
            price: None,
        }
    }
}

impl PrintSettings {
    /// The spine's width for `pages` pages (a leaf holds two).
    pub fn spine(&self, pages: usize) -> f32 {
        pages.div_ceil(2) as f32 * self.paper_thickness
    }
}

impl Impose {
    pub fn parse(s: &str) -> Option<Impose> {
        match s.trim().to_ascii_lowercase().as_str() {
            "saddle" => Some(Impose::Saddle),
            "2up" | "2-up" => Some(Impose::TwoUp),
            "none" => Some(Impose::None),
            _ => None,
        }
    }
}

impl Binding {
    pub fn parse(s: &str) -> Option<Binding> {
        match s.trim().to_ascii_lowercase().as_str() {
            "saddle" => Some(Binding::Saddle),
            "perfect" => Some(Binding::Perfect),
            _ => None,
        }
    }
}

impl Sheet {
    /// A press sheet by name (`a4`, `sra3`…); `None` for an unknown name.
    pub fn named(name: &str) -> Option<Sheet> {
        SHEETS
            .iter()
            .find(|(n, _, _)| n.eq_ignore_ascii_case(name.trim()))
            .map(|&(name, w, h)| Sheet {
                name,
                width: w * PT_PER_MM,
                height: h * PT_PER_MM,
            })
    }

    /// The names, for error hints.
    pub fn names() -> String {
        SHEETS.iter().map(|s| s.0).collect::<Vec<_>>().join(", ")
    }
}

/// The command line's print options, over `[print]` for one run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PrintOverrides {
    /// `--print`: make the print edition even without `[print]`.
    pub print: bool,
    pub bleed: Option<f32>,
    pub crop_marks: bool,
    pub impose: Option<Impose>,
    pub creep: Option<f32>,
    pub binding: Option<Binding>,
}

impl Hash for PrintOverrides {
    fn hash<H: Hasher>(&self, h: &mut H) {
        let PrintOverrides {
            print,
            bleed,
            crop_marks,
            impose,
            creep,
            binding,
        } = self;
        let bits = |v: &Option<f32>| v.map(f32::to_bits);
        (print, bits(bleed), crop_marks, impose, bits(creep), binding).hash(h);
    }
}

impl PrintOverrides {
    /// Any print option at all asks for the print edition.
    pub fn any(&self) -> bool {
        *self != PrintOverrides::default()
    }
}

/// The print edition of a run: `[print]` with the command line's overrides, or `None` when
/// neither asks for one.
pub fn edition(file: Option<&PrintSettings>, over: &PrintOverrides) -> Option<PrintSettings> {
    if file.is_none() && !over.any() {
        return None;
    }
    let mut p = file.cloned().unwrap_or_default();
    if let Some(b) = over.bleed {
        p.bleed = b;
    }
    p.crop_marks |= over.crop_marks;
    if let Some(b) = over.binding {
        p.binding = b;
        if b == Binding::Perfect && over.impose.is_none() {
            p.impose = Impose::None;
        }
    }
    if let Some(i) = over.impose {
        p.impose = i;
    }
    if let Some(c) = over.creep {
        p.creep = c;
    }
    Some(p)
}

/// A length in pt as millimetres, to two decimals without trailing zeros ("0.1", "25").
fn mm(pt: f32) -> String {
    let s = format!("{:.2}", pt / PT_PER_MM);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Checks `[print]` against the page it prints.
pub(super) fn apply(
    raw: RawPrint,
    pdf: &PdfSettings,
    block: &Block,
    errors: &mut Vec<Diagnostic>,
) -> PrintSettings {
    let mut out = PrintSettings::default();
    let mut len = |key: &str, v: &Option<String>, lo: f32, hi: f32| -> Option<f32> {
        let s = v.as_ref()?;
        match length(s) {
            Some(pt) if (lo..=hi).contains(&pt) => Some(pt),
            Some(pt) => {
                errors.push(
                    block
                        .error_at_key(
                            key,
                            format!("`{key}` is {} mm, outside {}–{} mm", mm(pt), mm(lo), mm(hi)),
                        )
                        .hint(match key {
                            "bleed" => "printers ask for 3 to 5 mm: bleed = \"3mm\"",
                            "creep" => "creep is about the paper's thickness: creep = \"0.1mm\"",
                            _ => {
                                "80 g/m² offset paper is about 0.1 mm: paper-thickness = \"0.1mm\""
                            }
                        }),
                );
                None
            }
            None => {
                errors.push(
                    block
                        .error_at_key(key, format!("invalid length `{s}` for `{key}`"))
                        .hint("write a number with a unit: 3mm, 0.3cm, 0.125in or 9pt"),
                );
                None
            }
        }
    };
    if let Some(b) = len("bleed", &raw.bleed, 0.0, MAX_BLEED) {
        out.bleed = b;
    }
    let paper = PAPER_MM.start() * PT_PER_MM..=PAPER_MM.end() * PT_PER_MM;
    let thickness = len(
        "paper-thickness",
        &raw.paper_thickness,
        *paper.start(),
        *paper.end(),
    );
    // Negative creep moves the pages away from the fold (what some imposition programs call
    // positive creep); folio's positive creep is the compensation.
    let creep = len(
        "creep",
        &raw.creep,
        -MAX_CREEP_MM * PT_PER_MM,
        MAX_CREEP_MM * PT_PER_MM,
    );
    if let Some(ppi) = raw.paper_ppi {
        // Pages per inch: a leaf (two pages) is 2/ppi inches thick.
        let t = 2.0 * 72.0 / ppi;
        if ppi.is_finite() && paper.contains(&t) {
            out.paper_thickness = t;
            out.creep = t;
        } else {
            errors.push(
                block
                    .error_at_key("paper-ppi", format!("`paper-ppi` {ppi} is not a paper"))
                    .hint("uncoated book paper is 350–500 pages per inch: paper-ppi = 444"),
            );
        }
    }
    if let Some(t) = thickness {
        out.paper_thickness = t;
        out.creep = t;
    }
    if let Some(c) = creep {
        out.creep = c;
    }
    out.crop_marks = raw.crop_marks.unwrap_or(true);
    out.registration_marks = raw.registration_marks.unwrap_or(false);
    out.slug = raw.slug.unwrap_or(false);
    out.covers = raw.covers.unwrap_or(true);
    out.cover_text = raw.cover_text.unwrap_or(false);
    if let Some(b) = &raw.binding {
        match Binding::parse(b) {
            Some(b) => {
                out.binding = b;
                if b == Binding::Perfect {
                    out.impose = Impose::None;
                }
            }
            None => errors.push(
                block
                    .error_at_key("binding", format!("unknown binding `{b}`"))
                    .hint("binding = \"saddle\" (stapled booklet) or \"perfect\" (glued spine)"),
            ),
        }
    }
    if let Some(i) = &raw.impose {
        match Impose::parse(i) {
            Some(i) => out.impose = i,
            None => errors.push(
                block
                    .error_at_key("impose", format!("unknown imposition `{i}`"))
                    .hint("impose = \"saddle\" (booklet), \"2up\" (proof sheets) or \"none\""),
            ),
        }
    }
    if let Some(name) = &raw.sheet {
        match Sheet::named(name) {
            Some(s) if s.width + 0.5 >= 2.0 * pdf.page_width && s.height + 0.5 >= pdf.page_height => {
                out.sheet = Some(s)
            }
            Some(s) => errors.push(
                block
                    .error_at_key(
                        "sheet",
                        format!(
                            "two {:.0} × {:.0} mm pages do not fit on the {} press sheet ({:.0} × {:.0} mm)",
                            pdf.page_width / PT_PER_MM,
                            pdf.page_height / PT_PER_MM,
                            s.name,
                            s.width / PT_PER_MM,
                            s.height / PT_PER_MM
                        ),
                    )
                    .hint("leave `sheet` out to print on sheets exactly two pages wide"),
            ),
            None => errors.push(
                block
                    .error_at_key("sheet", format!("unknown press sheet `{name}`"))
                    .hint(format!("use one of {}", Sheet::names())),
            ),
        }
    }
    if let Some(price) = &raw.price {
        if crate::isbn::ean5_addon(price).is_some() {
            out.price = Some(price.chars().filter(char::is_ascii_digit).collect());
        } else {
            errors.push(
                block
                    .error_at_key("price", format!("`{price}` is not a five-digit price code"))
                    .hint("the EAN-5 add-on: a currency digit and four of price, price = \"51495\" for US$14.95, \"90000\" for none"),
            );
        }
    }
    out
}
