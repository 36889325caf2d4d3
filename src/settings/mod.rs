//! Layout and output settings from `book.toml`: `[pdf]`, `[epub]`, `[hyphenation]`, `[print]`.
//!
//! Raw tables (what the user wrote, strict keys) → [`Settings`] (checked, in points).

use crate::diag::{Diagnostic, nearest};
use crate::meta::Block;
use serde::Deserialize;

pub mod print;
pub use print::{Binding, Impose, PrintOverrides, PrintSettings, Sheet};

/// The raw settings tables, as parsed with the metadata.
#[derive(Debug, Default)]
pub struct RawSettings {
    pub pdf: Option<toml::Value>,
    pub epub: Option<toml::Value>,
    pub hyphenation: Option<toml::Value>,
    pub print: Option<toml::Value>,
    /// `pieces = [...]`: the reading order.
    pub pieces: Option<Vec<String>>,
    /// mdBook's `[book] src`: the folder the chapters (and SUMMARY.md) are in.
    pub src: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawPdf {
    page_size: Option<String>,
    page_width: Option<String>,
    page_height: Option<String>,
    inner_margin: Option<String>,
    outer_margin: Option<String>,
    top_margin: Option<String>,
    bottom_margin: Option<String>,
    font_size: Option<f32>,
    leading: Option<f32>,
    fonts: Option<RawFonts>,
    fallback_fonts: Option<Vec<String>>,
    standard: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawFonts {
    regular: Option<String>,
    italic: Option<String>,
    semibold: Option<String>,
    semibold_italic: Option<String>,
    bold: Option<String>,
    mono: Option<String>,
    mono_italic: Option<String>,
    mono_bold: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawEpub {
    embed_fonts: Option<bool>,
    accessibility_evaluator: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawHyphenation {
    exceptions: Option<Vec<String>>,
}

/// Checked settings with defaults filled in. Lengths are in pt.
#[derive(Debug, Clone, PartialEq, Default, Hash)]
pub struct Settings {
    /// Which files are the pieces, in what order.
    pub order: Order,
    pub pdf: PdfSettings,
    pub epub: EpubSettings,
    /// Words with their allowed breaks (`Mo-vi-mien-to`; a word without hyphens never breaks).
    pub hyphenation_exceptions: Vec<String>,
    /// The print edition, when `[print]` is in book.toml.
    pub print: Option<PrintSettings>,
}

/// Which Markdown files are the book's pieces, and in what order: `pieces = [...]` in
/// book.toml; else the book's `SUMMARY.md` (mdBook's table of contents); else every `.md`
/// file of the folder in name order (never `SUMMARY.md`).
#[derive(Debug, Clone, PartialEq, Default, Hash)]
pub struct Order {
    /// The files as book.toml lists them, relative to the chapters' folder.
    pub pieces: Option<Vec<String>>,
    /// The chapters' folder, relative to the book folder (mdBook's `[book] src`).
    pub src: Option<String>,
}

/// Page geometry and type for the PDF.
#[derive(Debug, Clone, PartialEq)]
pub struct PdfSettings {
    pub page_width: f32,
    pub page_height: f32,
    pub inner_margin: f32,
    pub outer_margin: f32,
    pub top_margin: f32,
    pub bottom_margin: f32,
    pub font_size: f32,
    pub leading: f32,
    /// Replacement font files, relative to the book folder: (face, path).
    pub fonts: Vec<(FontFace, String)>,
    /// Fonts tried in order for characters the book's faces lack (CJK, symbols, emoji).
    pub fallback_fonts: Vec<String>,
    /// The standard the PDF must meet (`standard = "ua-1"`); `None`: tagged, no claim.
    pub standard: Option<PdfStandard>,
}

/// Lengths by their bits (a float has no `Hash`): the memo's keys hash the settings. Every
/// field is named, so a new one cannot be left out of the key.
impl std::hash::Hash for PdfSettings {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        let PdfSettings {
            page_width,
            page_height,
            inner_margin,
            outer_margin,
            top_margin,
            bottom_margin,
            font_size,
            leading,
            fonts,
            fallback_fonts,
            standard,
        } = self;
        for v in [
            page_width,
            page_height,
            inner_margin,
            outer_margin,
            top_margin,
            bottom_margin,
            font_size,
            leading,
        ] {
            v.to_bits().hash(h);
        }
        fonts.hash(h);
        fallback_fonts.hash(h);
        standard.hash(h);
    }
}

/// A standard the PDF is made to meet and says it meets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PdfStandard {
    /// PDF/UA-1 (ISO 14289-1): what folio cannot make accessible (a figure without alt
    /// text, a skipped heading level, a table without a header row) is an error.
    Ua1,
}

impl PdfStandard {
    /// The standard named `s` (`ua-1`), as `[pdf] standard` and `--pdf-standard` write it.
    pub fn parse(s: &str) -> Option<PdfStandard> {
        match s.trim().to_ascii_lowercase().as_str() {
            "ua-1" | "ua1" | "pdf/ua-1" => Some(PdfStandard::Ua1),
            _ => None,
        }
    }
}

/// The faces folio sets text in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FontFace {
    Regular,
    Italic,
    SemiBold,
    SemiBoldItalic,
    Bold,
    /// Code, its italic and its bold.
    Mono,
    MonoItalic,
    MonoBold,
}

/// EPUB options.
#[derive(Debug, Clone, PartialEq, Default, Hash)]
pub struct EpubSettings {
    /// Embed the OFL body font in the EPUB (readers may still override it).
    pub embed_fonts: bool,
    /// Who evaluated the book's accessibility (`a11y:certifiedBy`): without one, folio
    /// makes no conformance claim.
    pub accessibility_evaluator: Option<String>,
}

/// Millimetres to points (72 pt per inch, 25.4 mm per inch).
pub(crate) const PT_PER_MM: f32 = 72.0 / 25.4;
/// The page sizes folio sets (pt): 2 inches to PDF's limit of 200 inches.
const MIN_PAGE: f32 = 2.0 * 72.0;
const MAX_PAGE: f32 = 200.0 * 72.0;

impl Default for PdfSettings {
    /// A5 booklet page with classical proportions: the outer margin is larger than the inner
    /// (the two inner margins of a spread read as one), the foot larger than the head.
    fn default() -> Self {
        PdfSettings {
            page_width: 148.0 * PT_PER_MM,
            page_height: 210.0 * PT_PER_MM,
            inner_margin: 15.0 * PT_PER_MM,
            outer_margin: 21.0 * PT_PER_MM,
            top_margin: 17.0 * PT_PER_MM,
            bottom_margin: 24.0 * PT_PER_MM,
            // 10.5 pt EB Garamond on 13.5 pt: EB Garamond is small on its body; 10.5 pt reads
            // like 10 pt of most faces, and ~66 characters fit the A5 measure.
            font_size: 10.5,
            leading: 13.5,
            fonts: vec![],
            fallback_fonts: vec![],
            standard: None,
        }
    }
}

/// Named page sizes (trim size, in mm).
const PAGE_SIZES: &[(&str, f32, f32)] = &[
    ("a5", 148.0, 210.0),
    ("a4", 210.0, 297.0),
    ("letter", 215.9, 279.4),
    ("6x9", 152.4, 228.6),
];

/// The form a setting's value takes, for type errors that name the key and show an example.
#[derive(Clone, Copy)]
enum Form {
    Length,
    Text,
    Number,
    Bool,
    Table,
    List,
}

impl Form {
    fn matches(self, v: &toml::Value) -> bool {
        matches!(
            (self, v),
            (Form::Length | Form::Text, toml::Value::String(_))
                | (
                    Form::Number,
                    toml::Value::Integer(_) | toml::Value::Float(_)
                )
                | (Form::Bool, toml::Value::Boolean(_))
                | (Form::Table, toml::Value::Table(_))
                | (Form::List, toml::Value::Array(_))
        )
    }

    fn expected(self) -> &'static str {
        match self {
            Form::Length => "a length with its unit, as text",
            Form::Text => "text in quotes",
            Form::Number => "a number",
            Form::Bool => "true or false",
            Form::Table => "a table",
            Form::List => "a list",
        }
    }
}

/// A key of a settings table: its name, its form and an example line.
type KeyForm = (&'static str, Form, &'static str);

/// Every key of each settings table, its form and an example line.
const SCHEMA: &[(&str, &[KeyForm])] = &[
    (
        "pdf",
        &[
            ("page-size", Form::Text, "page-size = \"a5\""),
            ("page-width", Form::Length, "page-width = \"148mm\""),
            ("page-height", Form::Length, "page-height = \"210mm\""),
            ("inner-margin", Form::Length, "inner-margin = \"15mm\""),
            ("outer-margin", Form::Length, "outer-margin = \"21mm\""),
            ("top-margin", Form::Length, "top-margin = \"17mm\""),
            ("bottom-margin", Form::Length, "bottom-margin = \"24mm\""),
            ("font-size", Form::Number, "font-size = 10.5"),
            ("leading", Form::Number, "leading = 13.5"),
            (
                "fonts",
                Form::Table,
                "fonts = { regular = \"fonts/Face-Regular.ttf\" }",
            ),
            (
                "fallback-fonts",
                Form::List,
                "fallback-fonts = [\"fonts/NotoSansCJKjp-Regular.otf\"]",
            ),
            ("standard", Form::Text, "standard = \"ua-1\""),
        ],
    ),
    (
        "epub",
        &[
            ("embed-fonts", Form::Bool, "embed-fonts = true"),
            (
                "accessibility-evaluator",
                Form::Text,
                "accessibility-evaluator = \"Jane Doe, Small Press\"",
            ),
        ],
    ),
    (
        "hyphenation",
        &[("exceptions", Form::List, "exceptions = [\"Mo-vi-mien-to\"]")],
    ),
    (
        "print",
        &[
            ("bleed", Form::Length, "bleed = \"3mm\""),
            ("crop-marks", Form::Bool, "crop-marks = true"),
            (
                "registration-marks",
                Form::Bool,
                "registration-marks = true",
            ),
            ("slug", Form::Bool, "slug = true"),
            ("impose", Form::Text, "impose = \"saddle\""),
            ("sheet", Form::Text, "sheet = \"a4\""),
            ("creep", Form::Length, "creep = \"0.1mm\""),
            ("binding", Form::Text, "binding = \"saddle\""),
            (
                "paper-thickness",
                Form::Length,
                "paper-thickness = \"0.1mm\"",
            ),
            ("paper-ppi", Form::Number, "paper-ppi = 444"),
            ("covers", Form::Bool, "covers = true"),
            ("cover-text", Form::Bool, "cover-text = true"),
            ("price", Form::Text, "price = \"51495\""),
        ],
    ),
];

/// Keys that moved from `[pdf]` to `[print]`: the screen PDF has neither.
const MOVED_TO_PRINT: &[&str] = &["bleed", "crop-marks"];

/// Type errors in a settings table, each at its key with the expected form and an example;
/// an unknown key lists the valid ones.
fn check_forms(v: &toml::Value, name: &str, block: &Block) -> Vec<Diagnostic> {
    let Some(keys) = SCHEMA.iter().find(|(n, _)| *n == name).map(|(_, k)| *k) else {
        return vec![];
    };
    let Some(table) = v.as_table() else {
        return vec![block.error_at_key(name, format!("[{name}] must be a table of settings"))];
    };
    let mut out = Vec::new();
    for (key, value) in table {
        match keys.iter().find(|(k, _, _)| k == key) {
            Some((_, form, example)) if !form.matches(value) => out.push(
                block
                    .error_at_key(
                        key,
                        format!(
                            "`{key}` in [{name}] must be {}, not {}",
                            form.expected(),
                            describe(value)
                        ),
                    )
                    .hint(format!("for example: {example}")),
            ),
            Some(_) => {}
            None if name == "pdf" && MOVED_TO_PRINT.contains(&key.as_str()) => out.push(
                block
                    .error_at_key(key, format!("`{key}` belongs in [print] now"))
                    .hint(format!(
                        "the screen PDF has no bleed or marks; write it under [print] (which also makes <slug>-print.pdf and the booklet): [print] {}",
                        keys_example(key)
                    )),
            ),
            None => {
                let valid: Vec<&str> = keys.iter().map(|(k, _, _)| *k).collect();
                let mut d = block.error_at_key(key, format!("unknown key `{key}` in [{name}]"));
                if let Some(n) = nearest(key, valid.iter().copied()) {
                    d = d.hint(format!("did you mean `{n}`?"));
                }
                out.push(d.hint(format!("the keys of [{name}] are: {}", valid.join(", "))));
            }
        }
    }
    out
}

/// The example line of `[print]`'s `key`.
fn keys_example(key: &str) -> &'static str {
    SCHEMA
        .iter()
        .filter(|(n, _)| *n == "print")
        .flat_map(|(_, k)| k.iter())
        .find(|(k, _, _)| *k == key)
        .map_or("", |k| k.2)
}

/// A TOML value as a reader names it ("the number 3", "the text \"yes\"").
fn describe(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => format!("the text \"{s}\""),
        toml::Value::Integer(i) => format!("the number {i}"),
        toml::Value::Float(f) => format!("the number {f}"),
        toml::Value::Boolean(b) => format!("{b}"),
        toml::Value::Datetime(d) => format!("the date {d}"),
        toml::Value::Array(_) => "a list".into(),
        toml::Value::Table(_) => "a table".into(),
    }
}

/// Checks the raw settings tables.
pub fn resolve(raw: RawSettings, block: &Block) -> Result<Settings, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let mut settings = Settings {
        order: Order {
            pieces: raw.pieces.clone(),
            src: raw.src.clone(),
        },
        ..Settings::default()
    };
    for (name, v) in [
        ("pdf", &raw.pdf),
        ("epub", &raw.epub),
        ("hyphenation", &raw.hyphenation),
        ("print", &raw.print),
    ] {
        if let Some(v) = v {
            errors.extend(check_forms(v, name, block));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if let Some(v) = raw.pdf {
        match table::<RawPdf>(v, "pdf", block) {
            Ok(p) => apply_pdf(p, &mut settings.pdf, block, &mut errors),
            Err(d) => errors.push(d),
        }
    }
    if let Some(v) = raw.epub {
        match table::<RawEpub>(v, "epub", block) {
            Ok(e) => {
                settings.epub.embed_fonts = e.embed_fonts.unwrap_or(false);
                settings.epub.accessibility_evaluator = e
                    .accessibility_evaluator
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty());
            }
            Err(d) => errors.push(d),
        }
    }
    if let Some(v) = raw.print {
        match table::<print::RawPrint>(v, "print", block) {
            Ok(p) => settings.print = Some(print::apply(p, &settings.pdf, block, &mut errors)),
            Err(d) => errors.push(d),
        }
    }
    if let Some(v) = raw.hyphenation {
        match table::<RawHyphenation>(v, "hyphenation", block) {
            Ok(h) => settings.hyphenation_exceptions = h.exceptions.unwrap_or_default(),
            Err(d) => errors.push(d),
        }
    }
    if errors.is_empty() {
        Ok(settings)
    } else {
        Err(errors)
    }
}

fn table<T: for<'de> Deserialize<'de>>(
    v: toml::Value,
    name: &str,
    block: &Block,
) -> Result<T, Diagnostic> {
    T::deserialize(v).map_err(|e| {
        let msg = e.message().to_string();
        if let Some(key) = msg
            .split("unknown field `")
            .nth(1)
            .and_then(|r| r.split('`').next())
        {
            let expected: Vec<&str> = msg
                .split("expected ")
                .nth(1)
                .unwrap_or("")
                .split('`')
                .filter(|s| s.chars().all(|c| c.is_ascii_lowercase() || c == '-') && !s.is_empty())
                .collect();
            let mut d = block.error_at_key(key, format!("unknown key `{key}` in [{name}]"));
            if let Some(n) = nearest(key, expected.iter().copied()) {
                d = d.hint(format!("did you mean `{n}`?"));
            }
            d
        } else {
            block.error_at_key(name, format!("invalid [{name}] settings: {msg}"))
        }
    })
}

fn apply_pdf(p: RawPdf, out: &mut PdfSettings, block: &Block, errors: &mut Vec<Diagnostic>) {
    let len = |key: &str, v: &Option<String>, dst: &mut f32, errors: &mut Vec<Diagnostic>| {
        if let Some(s) = v {
            match length(s) {
                Some(pt) if pt >= 0.0 => *dst = pt,
                _ => errors.push(
                    block
                        .error_at_key(key, format!("invalid length `{s}` for `{key}`"))
                        .hint("write a number with a unit: 15mm, 1.5cm, 0.75in or 54pt"),
                ),
            }
        }
    };
    if let Some(size) = &p.page_size {
        match PAGE_SIZES
            .iter()
            .find(|(n, _, _)| n.eq_ignore_ascii_case(size.trim()))
        {
            Some((_, w, h)) => {
                out.page_width = w * PT_PER_MM;
                out.page_height = h * PT_PER_MM;
            }
            None => {
                let names: Vec<&str> = PAGE_SIZES.iter().map(|p| p.0).collect();
                let mut d = block.error_at_key("page-size", format!("unknown page size `{size}`"));
                d = d.hint(format!(
                    "use one of {}, or set page-width and page-height",
                    names.join(", ")
                ));
                errors.push(d);
            }
        }
    }
    len("page-width", &p.page_width, &mut out.page_width, errors);
    len("page-height", &p.page_height, &mut out.page_height, errors);
    len(
        "inner-margin",
        &p.inner_margin,
        &mut out.inner_margin,
        errors,
    );
    len(
        "outer-margin",
        &p.outer_margin,
        &mut out.outer_margin,
        errors,
    );
    len("top-margin", &p.top_margin, &mut out.top_margin, errors);
    len(
        "bottom-margin",
        &p.bottom_margin,
        &mut out.bottom_margin,
        errors,
    );
    if let Some(fs) = p.font_size {
        // Below 6 pt nothing is readable; above 24 pt a book page holds a handful of words.
        if (6.0..=24.0).contains(&fs) {
            out.font_size = fs;
            out.leading = fs * 9.0 / 7.0; // the default 10.5 on 13.5 ratio
        } else {
            errors.push(
                block.error_at_key("font-size", format!("font size {fs} pt is outside 6–24 pt")),
            );
        }
    }
    if let Some(l) = p.leading {
        if l >= out.font_size && l <= out.font_size * 2.0 {
            out.leading = l;
        } else {
            errors.push(block.error_at_key(
                "leading",
                format!("leading {l} pt must be between the font size and twice it"),
            ));
        }
    }
    if let Some(f) = p.fonts {
        for (face, path) in [
            (FontFace::Regular, f.regular),
            (FontFace::Italic, f.italic),
            (FontFace::SemiBold, f.semibold),
            (FontFace::SemiBoldItalic, f.semibold_italic),
            (FontFace::Bold, f.bold),
            (FontFace::Mono, f.mono),
            (FontFace::MonoItalic, f.mono_italic),
            (FontFace::MonoBold, f.mono_bold),
        ] {
            if let Some(path) = path {
                out.fonts.push((face, path));
            }
        }
    }
    if let Some(list) = p.fallback_fonts {
        if list.len() > crate::typeset::font::MAX_FALLBACKS {
            errors.push(block.error_at_key(
                "fallback-fonts",
                format!(
                    "{} fallback fonts; folio tries at most {}",
                    list.len(),
                    crate::typeset::font::MAX_FALLBACKS
                ),
            ));
        } else {
            out.fallback_fonts = list;
        }
    }
    if let Some(name) = &p.standard {
        match PdfStandard::parse(name) {
            Some(st) => out.standard = Some(st),
            None => errors.push(
                block
                    .error_at_key(
                        "standard",
                        format!("folio does not make PDFs to the standard `{name}`"),
                    )
                    .hint("standard = \"ua-1\" (PDF/UA-1, accessible PDF); PDF/A and PDF/X are not made"),
            ),
        }
    }
    // PDF readers address at most 200 × 200 inches (ISO 32000-1, annex C); a book page under
    // 2 inches is no page.
    for (key, v, lo, hi) in [
        ("page-width", out.page_width, MIN_PAGE, MAX_PAGE),
        ("page-height", out.page_height, MIN_PAGE, MAX_PAGE),
    ] {
        if !(lo..=hi).contains(&v) {
            errors.push(
                block
                    .error_at_key(
                        key,
                        format!(
                            "`{key}` is {:.0} mm, outside {:.0}–{:.0} mm",
                            v / PT_PER_MM,
                            lo / PT_PER_MM,
                            hi / PT_PER_MM
                        ),
                    )
                    .hint("a book page: page-size = \"a5\", or page-width = \"148mm\""),
            );
        }
    }
    let text_width = out.page_width - out.inner_margin - out.outer_margin;
    let text_height = out.page_height - out.top_margin - out.bottom_margin;
    // A measure under ~12 ems cannot be justified decently; refuse rather than set rivers.
    if text_width < out.font_size * 12.0 || text_height < out.leading * 6.0 {
        errors.push(
            block
                .error_at_key("pdf", "the margins leave too little room for text")
                .hint("reduce the margins or enlarge the page"),
        );
    }
}

/// Parses a length with a unit (`mm`, `cm`, `in`, `pt`) into points.
pub fn length(s: &str) -> Option<f32> {
    let s = s.trim();
    let (num, factor) = if let Some(n) = s.strip_suffix("mm") {
        (n, PT_PER_MM)
    } else if let Some(n) = s.strip_suffix("cm") {
        (n, PT_PER_MM * 10.0)
    } else if let Some(n) = s.strip_suffix("in") {
        (n, 72.0)
    } else if let Some(n) = s.strip_suffix("pt") {
        (n, 1.0)
    } else {
        return None;
    };
    num.trim()
        .parse::<f32>()
        .ok()
        .filter(|v| v.is_finite())
        .map(|v| v * factor)
}
