//! Typesetting: `Book` + fonts + page spec → [`frame::Pages`].
//!
//! The paragraph path reads collect (`collect.rs`) → prepare, linebreak, finalize
//! (`par.rs`, `linebreak.rs`); blocks become rows on a baseline grid (`blocks.rs`), rows
//! become pages (`flow.rs`), pages get their furniture (`page.rs`).

mod blocks;
mod collect;
pub mod flow;
pub mod font;
pub mod frame;
pub mod hyphenate;
pub mod linebreak;
mod opening;
mod page;
mod par;
pub mod shape;
mod table;

use crate::diag::Diagnostic;
use crate::model::{Book, Span};
use crate::settings::{FontFace, PdfSettings};
use font::{FontSet, Style};
use frame::{DocInfo, FontFile, Pages};
use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Characters without a glyph reported one by one (each with its place); a text in a
/// script the fonts lack (20,000 CJK characters) gets one more warning, not 20,000.
const MISSING_SHOWN: usize = 20;

/// Microtype's default font expansion limit (±2 %): invisible in a text face, and it moves
/// part of each line's justification off the word spaces.
const EXPANSION: f32 = 0.02;

/// The prepared-word cache's type (nested so a hit costs no allocation).
type WordCache = HashMap<
    (usize, u32, u32, bool, bool, bool),
    HashMap<String, HashMap<String, Arc<par::Prepared>>>,
>;

/// The typesetter's state: fonts, shapers and the caches that make a novel fast (each
/// distinct word is shaped and hyphenated once per font, size and language).
pub struct Ctx {
    fonts: FontSet,
    /// The one shaping cache (keyed by font, size, features, language and text).
    shapes: shape::ShapeCache,
    hyphenator: hyphenate::Hyphenator,
    /// Font expansion limit for justified text.
    expansion: f32,
    hyph_cache: HashMap<String, HashMap<String, Vec<usize>>>,
    space_cache: HashMap<(Style, u32), f32>,
    /// The faces used, in the order of `Pages::fonts`.
    font_slots: Vec<Style>,
    missing: BTreeSet<char>,
    warnings: Vec<Diagnostic>,
    sources: Vec<PathBuf>,
    /// The book's language, for front matter text.
    lang: String,
    /// Decoded figure images by their path as written in the manuscript.
    figures: HashMap<String, Arc<crate::image::Image>>,
    /// The images placed so far, in the order of `Pages::images`.
    images: Vec<Arc<crate::image::Image>>,
    /// Prepared words (see `par::cached_word`): per (font, size, raise, small caps,
    /// hyphenate, justify), then language, then text.
    word_cache: WordCache,
    /// The words of the names of the people in the metadata: never hyphenated ("Rus-so").
    names: std::collections::HashSet<String>,
    /// Where the time went, for `--timings` and the benchmark.
    times: Timings,
}

/// Time spent in the typesetter's steps, summed over the book, and how well the shaping
/// cache did. Only [`Instant`] readings around whole paragraphs: a few per paragraph.
#[derive(Debug, Clone, Copy, Default)]
pub struct Timings {
    /// Preparing paragraphs: shaping and hyphenating words (through the caches) into boxes,
    /// glue and penalties.
    pub shape: Duration,
    /// Knuth–Plass line breaking and justifying each line.
    pub linebreak: Duration,
    /// The rest of `typeset`: blocks into grid rows, pages, notes and furniture.
    pub paginate: Duration,
    /// Words (and other pieces of text) looked up for shaping.
    pub shape_lookups: usize,
    /// Distinct texts actually shaped (per language, font and feature set).
    pub shaped: usize,
}

impl Ctx {
    /// A typesetting context for `book` with `fonts`.
    pub fn new(fonts: FontSet, book: &Book) -> Ctx {
        Ctx {
            fonts,
            shapes: shape::ShapeCache::default(),
            hyphenator: hyphenate::Hyphenator::new(&book.settings.hyphenation_exceptions),
            expansion: EXPANSION,
            hyph_cache: HashMap::new(),
            space_cache: HashMap::new(),
            font_slots: Vec::new(),
            missing: BTreeSet::new(),
            warnings: Vec::new(),
            sources: book.sources.clone(),
            lang: book.meta.lang.clone().unwrap_or_else(|| "en".into()),
            figures: HashMap::new(),
            images: Vec::new(),
            word_cache: HashMap::new(),
            names: book
                .all_creators()
                .iter()
                .flat_map(|c| {
                    c.name
                        .split_whitespace()
                        .map(str::to_lowercase)
                        .collect::<Vec<_>>()
                })
                .collect(),
            times: Timings::default(),
        }
    }

    /// The document's index of a figure's image (added on first use), with the image.
    fn image(&mut self, src: &str) -> Option<(usize, Arc<crate::image::Image>)> {
        let img = self.figures.get(src)?.clone();
        let index = match self.images.iter().position(|i| Arc::ptr_eq(i, &img)) {
            Some(i) => i,
            None => {
                self.images.push(img.clone());
                self.images.len() - 1
            }
        };
        Some((index, img))
    }

    /// The index of a face in the document's font list (added on first use).
    fn font_index(&mut self, face: Style) -> usize {
        match self.font_slots.iter().position(|s| *s == face) {
            Some(i) => i,
            None => {
                self.font_slots.push(face);
                self.font_slots.len() - 1
            }
        }
    }

    /// Is `word` (punctuation around it aside) part of a name from the metadata?
    fn is_name(&self, word: &str) -> bool {
        if self.names.is_empty() {
            return false;
        }
        let core = word.trim_matches(|c: char| !c.is_alphanumeric());
        let core = core
            .strip_suffix("’s")
            .or_else(|| core.strip_suffix("'s"))
            .unwrap_or(core);
        self.names.contains(&core.to_lowercase())
    }

    /// The width of the font's own space at `size` pt.
    fn space_width(&mut self, face: Style, size: f32) -> f32 {
        let key = (face, size.to_bits());
        if let Some(w) = self.space_cache.get(&key) {
            return *w;
        }
        let font = self.fonts.get(face);
        let units = font
            .glyph(' ')
            .map(|g| font.advance(g))
            .unwrap_or(i32::from(font.units_per_em()) / 4);
        let w = units as f32 * size / f32::from(font.units_per_em().max(1));
        self.space_cache.insert(key, w);
        w
    }

    /// A warning for characters the font lacks, once per character, for the first
    /// [`MISSING_SHOWN`] of them; the rest are counted in one closing warning.
    fn report_missing(&mut self, chars: &[char], face: Style, span: Span) {
        for &c in chars {
            if !self.missing.insert(c) {
                continue;
            }
            if self.missing.len() > MISSING_SHOWN {
                continue; // counted: see `missing_summary`
            }
            let font = self.fonts.get(face).postscript_name().to_string();
            let mut d = Diagnostic::warning(format!("the font {font} has no glyph for {c:?} (U+{:04X}); it is left blank in the PDF", c as u32))
                .hint("use a font that covers the character ([pdf] fonts in book.toml), or replace it in the text");
            d = self.located(d, span);
            self.warnings.push(d);
        }
    }

    /// One warning for the characters past the first [`MISSING_SHOWN`].
    fn missing_summary(&mut self) {
        let more = self.missing.len().saturating_sub(MISSING_SHOWN);
        if more > 0 {
            self.warnings.push(
                Diagnostic::warning(format!(
                    "{more} more characters have no glyph in the book's fonts; they are left blank in the PDF"
                ))
                .hint("use fonts that cover the text's script ([pdf] fonts in book.toml)"),
            );
        }
    }

    /// `d` pointed at `span` in its source file (unlocated when the file is unknown).
    fn located(&self, d: Diagnostic, span: Span) -> Diagnostic {
        match self.sources.get(span.file as usize) {
            Some(path) => {
                let text = std::fs::read_to_string(path).unwrap_or_default();
                d.at(path, &text, span.line_col())
            }
            None => d,
        }
    }

    fn font_files(&self) -> Vec<FontFile> {
        self.font_slots
            .iter()
            .map(|s| self.fonts.get(*s).to_font_file())
            .collect()
    }

    fn family_names(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .font_slots
            .iter()
            .map(|s| self.fonts.get(*s).family_name().to_string())
            .collect();
        v.sort();
        v.dedup();
        v
    }
}

/// Typesets the book with its decoded figure images (by path as written in the manuscript).
/// Returns the pages, the warnings (missing glyphs) and where the time went.
pub fn typeset(
    book: &Book,
    fonts: FontSet,
    settings: &PdfSettings,
    info: DocInfo,
    figures: HashMap<String, Arc<crate::image::Image>>,
) -> (Pages, Vec<Diagnostic>, Timings) {
    let start = Instant::now();
    let mut ctx = Ctx::new(fonts, book);
    ctx.figures = figures;
    let g = page::Geometry::new(settings);
    let m = blocks::Measure {
        width: g.measure,
        height: g.lines as f32 * g.leading,
        size: g.size,
        leading: g.leading,
    };
    let flows: Vec<blocks::PieceFlow> = book
        .pieces
        .iter()
        .enumerate()
        .map(|(i, p)| blocks::piece(&mut ctx, p, i, m))
        .collect();
    let pages = page::assemble(&mut ctx, book, flows, &g, info);
    ctx.missing_summary();
    let mut times = ctx.times;
    times.paginate = start
        .elapsed()
        .saturating_sub(times.shape + times.linebreak);
    times.shaped = ctx.shapes.cached();
    times.shape_lookups = ctx.shapes.lookups;
    (pages, ctx.warnings, times)
}

/// The faces named in `[pdf] fonts`, read through the project, over the shipped defaults.
pub fn load_fonts(
    settings: &PdfSettings,
    project: &crate::project::Project,
    at: &std::path::Path,
) -> Result<FontSet, Vec<Diagnostic>> {
    let mut fonts = FontSet::default_fonts();
    for (face, path) in &settings.fonts {
        let style = match face {
            FontFace::Regular => Style::Regular,
            FontFace::Italic => Style::Italic,
            FontFace::SemiBold => Style::SemiBold,
            FontFace::SemiBoldItalic => Style::SemiBoldItalic,
            FontFace::Bold => Style::Bold,
        };
        let file = project
            .resolve(path, "font")
            .map_err(|d| vec![d.in_file(at)])?;
        let bytes = project.read_bytes(&file)?;
        fonts.replace(style, bytes, 0).map_err(|e| {
            let key = match face {
                FontFace::Regular => "regular",
                FontFace::Italic => "italic",
                FontFace::SemiBold => "semibold",
                FontFace::SemiBoldItalic => "semibold-italic",
                FontFace::Bold => "bold",
            };
            vec![
                Diagnostic::error(format!(
                    "cannot use the font `{path}` ([pdf] fonts.{key}): {e}"
                ))
                .in_file(at)
                .hint("give a complete TrueType or OpenType file (.ttf, .otf)"),
            ]
        })?;
    }
    Ok(fonts)
}
