//! Typesetting: `Book` + [`Env`] → [`frame::Pages`], in two steps: [`layout_piece`] (a
//! function of one piece: its rows, pages, notes and glyph use) and [`assemble`] (the whole
//! document: front matter, body pages, furniture, outline, page map).
//!
//! The paragraph path reads collect (`collect.rs`) → prepare, linebreak, finalize
//! (`par.rs`, `linebreak.rs`); blocks become rows on a baseline grid (`blocks.rs`), rows
//! become pages (`flow.rs`), pages get their furniture (`page.rs`).

mod blocks;
mod code;
mod collect;
pub mod cover;
mod figure;
pub mod flow;
pub mod font;
pub mod frame;
pub mod hyphenate;
pub mod linebreak;
mod notes;
mod opening;
mod page;
pub use page::roman;
mod par;
pub mod shape;
mod table;

use crate::diag::Diagnostic;
use crate::hash::TextMap;
use crate::model::Span;
use crate::resolve::Resolved;
use crate::settings::{FontFace, PdfSettings};
use font::{FontSet, Style};
use frame::{DocInfo, FontFile, Item, Page, Pages};
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Characters without a glyph reported one by one (each with its place); a text in a
/// script the fonts lack (20,000 CJK characters) gets one more warning, not 20,000.
const MISSING_SHOWN: usize = 20;

/// The font expansion limit: ±2.5 %, a little over microtype's default 2 %, still invisible
/// in a text face; it takes each line's justification before the word spaces do. Measured
/// with typoqual on the novel at 6 × 9 in (BENCH.md): 2 % leaves 11.1 % mean deviation from
/// natural spacing and 7.6 % hyphenated lines, 2.5 % 8.7 % and 5.7 %, 3 % 6.8 % and 3.9 %.
const EXPANSION: f32 = 0.025;

/// The prepared-word cache's type (nested so a hit costs no allocation).
type WordCache = TextMap<
    (usize, u32, u32, u8, bool, bool),
    TextMap<String, TextMap<String, Arc<par::Prepared>>>,
>;

/// What every layout reads and none changes: the fonts, the hyphenator, the figures with
/// their document indices, and the words of the book's names. Made once per book.
pub struct Env {
    fonts: FontSet,
    hyphenator: hyphenate::Hyphenator,
    /// Font expansion limit for justified text.
    expansion: f32,
    /// The book's language, for front matter text.
    lang: String,
    /// The words of the names of the people in the metadata: never hyphenated ("Rus-so").
    names: std::collections::HashSet<String>,
    /// Decoded figure images by their path as written, with their index in
    /// [`Pages::images`] (the order of first use in the book, fixed before layout).
    figures: HashMap<String, (usize, Arc<crate::image::Image>)>,
    images: Vec<Arc<crate::image::Image>>,
}

impl Env {
    /// The environment for `book` with its fonts and decoded figures (by path as written).
    pub fn new(
        book: &Resolved,
        fonts: FontSet,
        figures: HashMap<String, Arc<crate::image::Image>>,
    ) -> Env {
        // Figures are numbered as `resolve` numbered them: in the order the book first
        // shows them.
        let order: Vec<(String, Arc<crate::image::Image>)> = book
            .figures
            .iter()
            .filter_map(|src| figures.get(src).map(|img| (src.clone(), img.clone())))
            .collect();
        Env {
            fonts,
            hyphenator: hyphenate::Hyphenator::new(&book.settings.hyphenation_exceptions),
            expansion: EXPANSION,
            lang: book.lang.clone(),
            names: book
                .words
                .people
                .iter()
                .flat_map(|c| {
                    c.name
                        .split_whitespace()
                        .map(str::to_lowercase)
                        .collect::<Vec<_>>()
                })
                .collect(),
            images: order.iter().map(|(_, i)| i.clone()).collect(),
            figures: order
                .into_iter()
                .enumerate()
                .map(|(k, (src, img))| (src, (k, img)))
                .collect(),
        }
    }

    /// Every face, in the order of [`Pages::fonts`]: a run's font index is its face's
    /// place in [`Style::ALL`], fixed before layout (the writer embeds only faces in use).
    pub fn font_files(&self) -> Vec<FontFile> {
        Style::ALL
            .iter()
            .map(|s| match self.fonts.is_parsed(*s) {
                true => self.fonts.get(*s).to_font_file(),
                // Never asked for, so no run uses it: the writer embeds only faces in use.
                false => FontFile {
                    postscript_name: String::new(),
                    data: font::FontBytes::Static(&[]),
                    index: 0,
                },
            })
            .collect()
    }
}

impl Env {
    /// The figures' paths as written, by their index in [`Pages::images`].
    pub fn figure_sources(&self) -> Vec<&str> {
        let mut out = vec![""; self.figures.len()];
        for (src, (k, _)) in &self.figures {
            out[*k] = src;
        }
        out
    }
}

impl std::fmt::Debug for Env {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Env").finish_non_exhaustive()
    }
}

/// Sets what comes after the book's pages with the book's fonts: covers, and small lines of
/// text for printer's marks.
pub struct Setter<'a> {
    ctx: Ctx<'a>,
}

impl<'a> Setter<'a> {
    pub fn new(book: &'a Resolved, env: &'a Env, caches: &'a mut Caches) -> Setter<'a> {
        Setter {
            ctx: Ctx::new(book, env, caches),
        }
    }

    /// The front cover, `w` × `h` pt.
    pub fn front(&mut self, w: f32, h: f32, art: Option<cover::CoverArt>) -> Page {
        let book = self.ctx.book;
        cover::front(&mut self.ctx, book, w, h, art)
    }

    /// The back cover, `w` × `h` pt.
    pub fn back(&mut self, w: f32, h: f32, price: Option<&str>) -> Page {
        let book = self.ctx.book;
        cover::back(&mut self.ctx, book, w, h, price)
    }

    /// The wrap cover from its front and back, with a spine `spine` pt wide.
    pub fn wrap(&mut self, front: &Page, back: &Page, spine: f32) -> Page {
        let book = self.ctx.book;
        cover::wrap(&mut self.ctx, book, front, back, spine)
    }

    /// One line of text at `size` in the regular face, starting at x = 0 on the baseline
    /// y = 0.
    pub fn label(&mut self, text: &str, size: f32) -> Vec<Item> {
        let style = collect::TextStyle::new(font::Style::Regular, size);
        page::lines(&mut self.ctx, text, style, f32::MAX / 4.0, par::Align::Left)
            .into_iter()
            .take(1)
            .flat_map(|l| blocks::line_items(l, 0.0, 0.0))
            .collect()
    }
}

/// Memo tables: each result depends only on its key, so sharing them between pieces (and
/// between the rebuilds of `folio watch`) never changes what is set.
#[derive(Default)]
pub struct Caches {
    /// The one shaping cache (keyed by font, size, features, language and text).
    shapes: shape::ShapeCache,
    hyph_cache: TextMap<String, TextMap<String, Vec<usize>>>,
    space_cache: TextMap<(Style, u32), f32>,
    /// Prepared words (see `par::cached_word`): per (font, size, raise, small caps,
    /// hyphenate, justify), then language, then text.
    word_cache: WordCache,
    /// Entries in `word_cache` and `hyph_cache` (each bounded by [`CACHE_ENTRIES`]).
    words_held: usize,
    hyphs_held: usize,
    /// Set paragraphs by a hash of their text, styles and measure (`par::set_paragraph`):
    /// only in a `folio watch` session ([`Caches::remember_paragraphs`]), where the next
    /// build sets most of them again; a single build would only pay for the copies.
    paragraphs: Option<crate::hash::TextMap<u64, Arc<par::SetParagraph>>>,
    /// Glyphs in the lines `paragraphs` holds, and their bound (`None`:
    /// [`PARAGRAPH_GLYPHS`]; the tests set a small one).
    paragraph_glyphs: usize,
    paragraph_limit: Option<usize>,
    /// The pages' furniture lines (running heads, folios) by text, face, size and measure,
    /// set once and shown by a group on every page that prints them.
    furniture: HashMap<FurnitureKey, Option<Arc<Vec<frame::Item>>>>,
}

/// A furniture line's text, face, size and measure (the sizes by their bits).
type FurnitureKey = (String, font::Style, u32, u32);

/// The most glyphs the set paragraphs of a watch session hold before the table starts
/// again: about twice the 200,000-word novel's 1.08 million (some 100 MB of lines). A
/// paragraph is a large entry, so this table is bounded by what it holds, not by its
/// count of entries; a longer book only finds fewer paragraphs kept.
pub const PARAGRAPH_GLYPHS: usize = 2_000_000;

impl Caches {
    /// Keep set paragraphs for the next build (a `folio watch` session).
    pub fn remember_paragraphs(&mut self) {
        self.paragraphs.get_or_insert_with(Default::default);
    }

    /// How many set paragraphs are kept for the next build.
    pub fn paragraphs_held(&self) -> usize {
        self.paragraphs.as_ref().map_or(0, |t| t.len())
    }
}

/// The most entries a memo table holds (shaped texts, prepared words, hyphenations)
/// before it starts again: a novel has some 20,000 distinct words; a million-paragraph
/// book of numbered lines would otherwise keep a million (gigabytes). Results do not
/// depend on what a table holds.
pub const CACHE_ENTRIES: usize = 200_000;

/// Makes room for one more entry in a memo table that holds `held`: past `limit` the
/// table starts again (emptied). Returns how many entries were dropped.
pub(crate) fn admit<K, V, S>(
    table: &mut HashMap<K, V, S>,
    held: &mut usize,
    limit: usize,
) -> usize {
    let dropped = if *held >= limit {
        table.clear();
        std::mem::take(held)
    } else {
        0
    };
    *held += 1;
    dropped
}

/// One layout's working state (a piece, or the front matter and furniture): the book, its
/// environment and the caches to read, and what shaping found (characters without a glyph)
/// and the time it took. Warnings are returned by the layout's steps, not kept here.
/// Nothing here outlives the layout or passes to the next piece.
pub struct Ctx<'a> {
    book: &'a Resolved,
    env: &'a Env,
    caches: &'a mut Caches,
    /// Characters without a glyph, each at its first place in this layout.
    missing: Vec<(char, Style, Span)>,
    /// How many shaped texts had characters without a glyph (a paragraph with any is not
    /// kept: see `par::set_paragraph`).
    missing_seen: usize,
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

impl<'a> Ctx<'a> {
    /// A fresh layout state.
    fn new(book: &'a Resolved, env: &'a Env, caches: &'a mut Caches) -> Ctx<'a> {
        Ctx {
            book,
            env,
            caches,
            missing: Vec::new(),
            missing_seen: 0,
            times: Timings::default(),
        }
    }

    /// The document's index of a figure's image, with the image.
    fn image(&self, src: &str) -> Option<(usize, Arc<crate::image::Image>)> {
        self.env.figures.get(src).cloned()
    }

    /// The index of a face in the document's font list (its place in [`Style::ALL`]).
    fn font_index(&self, face: Style) -> usize {
        Style::ALL.iter().position(|s| *s == face).unwrap_or(0)
    }

    /// Is `word` (punctuation around it aside) part of a name from the metadata?
    fn is_name(&self, word: &str) -> bool {
        if self.env.names.is_empty() {
            return false;
        }
        let core = word.trim_matches(|c: char| !c.is_alphanumeric());
        let core = core
            .strip_suffix("’s")
            .or_else(|| core.strip_suffix("'s"))
            .unwrap_or(core);
        self.env.names.contains(&core.to_lowercase())
    }

    /// The width of the font's own space at `size` pt.
    fn space_width(&mut self, face: Style, size: f32) -> f32 {
        let key = (face, size.to_bits());
        if let Some(w) = self.caches.space_cache.get(&key) {
            return *w;
        }
        let font = self.env.fonts.get(face);
        let units = font
            .glyph(' ')
            .map(|g| font.advance(g))
            .unwrap_or(i32::from(font.units_per_em()) / 4);
        let w = units as f32 * size / f32::from(font.units_per_em().max(1));
        self.caches.space_cache.insert(key, w);
        w
    }

    /// Notes characters the font lacks, each at its first place in this layout (the
    /// warnings are made once for the book, in [`missing_warnings`]).
    fn report_missing(&mut self, chars: &[char], face: Style, span: Span) {
        for &c in chars {
            if !self.missing.iter().any(|m| m.0 == c) {
                self.missing.push((c, face, span));
            }
        }
    }

    /// `d` pointed at `span` through the book's source map.
    fn located(&self, d: Diagnostic, span: Span) -> Diagnostic {
        self.book.locate(d, span)
    }
}

/// One warning per character without a glyph, at its first place in the book, for the first
/// [`MISSING_SHOWN`] characters; the rest are counted in one closing warning. `missing` is
/// each layout's list, in book order.
fn missing_warnings(
    book: &Resolved,
    env: &Env,
    missing: &[(char, Style, Span)],
) -> Vec<Diagnostic> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for &(c, face, span) in missing {
        if !seen.insert(c) || seen.len() > MISSING_SHOWN {
            continue;
        }
        let font = env.fonts.get(face).postscript_name().to_string();
        let fonts = match env.fonts.fallbacks().is_empty() {
            true => format!("the font {font} has no glyph"),
            false => format!("neither the font {font} nor a fallback font has a glyph"),
        };
        let d = Diagnostic::warning(format!("{fonts} for {c:?} (U+{:04X}); the PDF prints the font's empty box in its place (the EPUB leaves it to the reader's fonts)", c as u32))
            .hint("name a font that has it in `[pdf] fallback-fonts` (book.toml), or replace it in the text");
        out.push(book.locate(d, span));
    }
    let more = seen.len().saturating_sub(MISSING_SHOWN);
    if more > 0 {
        out.push(
            Diagnostic::warning(format!(
                "{more} more characters have no glyph in the book's fonts; the PDF prints the fonts' empty box for each"
            ))
            .hint("name fonts that cover the text's script in `[pdf] fallback-fonts` (book.toml)"),
        );
    }
    out
}

/// A piece laid out: a function of the piece, the environment and the page measure (the
/// caches only make it faster).
#[derive(Clone)]
pub struct PieceLayout {
    pub flow: blocks::PieceFlow,
    missing: Vec<(char, Style, Span)>,
    pub warnings: Vec<Diagnostic>,
    pub times: Timings,
}

/// Lays out the `index`th piece of `book` and paginates it.
pub fn layout_piece(
    book: &Resolved,
    env: &Env,
    caches: &mut Caches,
    index: usize,
    settings: &PdfSettings,
) -> PieceLayout {
    let mut ctx = Ctx::new(book, env, caches);
    let mut flow = blocks::piece(&mut ctx, &book.pieces[index], measure(settings));
    let t = Instant::now();
    let holes = page::paginate(&mut flow, &page::Geometry::new(settings));
    ctx.times.paginate += t.elapsed();
    let mut warnings = std::mem::take(&mut flow.warnings);
    warnings.extend(
        holes
            .iter()
            .map(|h| hole_warning(&ctx, h, &book.pieces[index])),
    );
    PieceLayout {
        flow,
        missing: ctx.missing,
        warnings,
        times: ctx.times,
    }
}

/// The warning for a page a keep left short, at what starts the next page.
fn hole_warning(ctx: &Ctx, hole: &page::Hole, piece: &crate::resolve::RPiece) -> Diagnostic {
    let what = if hole.figure {
        "a figure, which may not move past the heading after it, does not fit in the space left"
    } else {
        "what starts here is kept together (a heading with its first lines, a question with its answer, a table's rows) and does not fit in the space left"
    };
    let d = Diagnostic::warning(format!(
        "the page before this ends {} lines short: {what}",
        hole.lines
    ))
    .hint("lengthen or shorten the text before it by a few lines, or move the figure or table");
    let span = match hole.before {
        Some(frame::Origin::Text { span, offset }) => {
            let at = span.offset() + offset as usize;
            Span::new(span.file, at..at)
        }
        Some(frame::Origin::Block(span)) => span,
        _ => piece.span,
    };
    ctx.located(d, span)
}

/// The text block as the blocks see it.
pub fn measure(settings: &PdfSettings) -> blocks::Measure {
    let g = page::Geometry::new(settings);
    blocks::Measure {
        width: g.measure,
        height: g.lines as f32 * g.leading,
        size: g.size,
        page: (g.width, g.height),
        top: g.top,
        leading: g.leading,
    }
}

/// The whole document from its pieces' layouts: pagination, front matter, furniture, and the
/// document-wide warnings and timings.
pub fn assemble(
    book: &Resolved,
    env: &Env,
    caches: &mut Caches,
    settings: &PdfSettings,
    info: DocInfo,
    layouts: &[&PieceLayout],
) -> (Pages, Vec<Diagnostic>, Timings) {
    let start = Instant::now();
    let g = page::Geometry::new(settings);
    let mut times = Timings::default();
    let mut warnings = Vec::new();
    let mut missing = Vec::new();
    let mut flows = Vec::with_capacity(layouts.len());
    for l in layouts {
        times.shape += l.times.shape;
        times.linebreak += l.times.linebreak;
        times.paginate += l.times.paginate;
        warnings.extend(l.warnings.iter().cloned());
        missing.extend(l.missing.iter().copied());
        flows.push(&l.flow);
    }
    let mut ctx = Ctx::new(book, env, caches);
    let pages = page::assemble(&mut ctx, book, &flows, &g, info);
    missing.extend(ctx.missing);
    warnings.extend(missing_warnings(book, env, &missing));
    times.paginate += start
        .elapsed()
        .saturating_sub(ctx.times.shape + ctx.times.linebreak);
    times.shape += ctx.times.shape;
    times.linebreak += ctx.times.linebreak;
    times.shaped = caches.shapes.cached();
    times.shape_lookups = caches.shapes.lookups;
    (pages, warnings, times)
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
            FontFace::Mono => Style::Mono,
            FontFace::MonoItalic => Style::MonoItalic,
            FontFace::MonoBold => Style::MonoBold,
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
                FontFace::Mono => "mono",
                FontFace::MonoItalic => "mono-italic",
                FontFace::MonoBold => "mono-bold",
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
    for path in &settings.fallback_fonts {
        let file = project
            .resolve(path, "font")
            .map_err(|d| vec![d.in_file(at)])?;
        let bytes = project.read_bytes(&file)?;
        fonts.add_fallback(bytes).map_err(|e| {
            vec![
                Diagnostic::error(format!(
                    "cannot use the font `{path}` ([pdf] fallback-fonts): {e}"
                ))
                .in_file(at)
                .hint("give a complete TrueType or OpenType file (.ttf, .otf)"),
            ]
        })?;
    }
    Ok(fonts)
}
