//! The whole build: load → resolve → (epub) and (typeset → pdf), then write the outputs
//! atomically.
//!
//! Every output is made in memory first; only when all of them succeeded are they written,
//! each to a temporary file beside its destination and renamed over it. A failed build
//! therefore writes nothing and leaves earlier outputs exactly as they were.

use crate::diag::{DiagResult, Diagnostic};
use crate::hash::Fnv;
use crate::markdown;
use crate::project::{self, Project};
use crate::resolve::Resolved;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Set in a debug build, the EPUB thread panics (for the tests of the bug exit code).
const TEST_PANIC: &str = "FOLIO_DEBUG_PANIC_IN_EPUB";

/// Which outputs to make and where.
#[derive(Debug, Clone)]
pub struct Options {
    pub out_dir: PathBuf,
    pub pdf: bool,
    pub epub: bool,
    /// The command line's print options (`--print`, `--bleed`…), over `[print]`.
    pub print: crate::settings::PrintOverrides,
    /// The command line's `--pdf-standard`, over `[pdf] standard`.
    pub pdf_standard: Option<crate::settings::PdfStandard>,
}

/// What a successful build did.
#[derive(Debug, Default, Clone)]
pub struct Report {
    pub outputs: Vec<PathBuf>,
    pub warnings: Vec<Diagnostic>,
    /// Time per stage, for `--timings` and the benchmark.
    pub timings: Vec<(&'static str, Duration)>,
    /// Sizes that explain the timings (pages, words shaped), for `--timings` and the benchmark.
    pub counts: Vec<(&'static str, usize)>,
    /// Which pages changed since the previous build into the same folder ("pages 14–17
    /// changed; 36 unchanged"); `None` for a first build.
    pub changes: Option<String>,
}

/// Builds the project. `progress` receives one line per stage (for stderr).
pub fn build(
    project: &Project,
    opts: &Options,
    progress: &mut dyn FnMut(&str),
) -> DiagResult<Report> {
    // A single build keeps nothing for a next one: no need to key its inputs.
    build_fresh(&mut Session::default(), project, opts, None, progress)
}

impl Session {
    /// Did the last build's PDF reuse the document of the build before (only the pages'
    /// contents and the date changed)?
    pub fn pdf_reused(&self) -> bool {
        self.pdf.reused()
    }
}

/// [`build`] for a process that ends when the build does (`folio build`): the session's
/// memory (every layout's glyphs, the memo tables) is left to the operating system, which
/// takes it back at once at exit, instead of being freed allocation by allocation (on the
/// 551-page novel that was 38 ms on one core, a tenth of the build).
pub fn build_once(
    project: &Project,
    opts: &Options,
    progress: &mut dyn FnMut(&str),
) -> DiagResult<Report> {
    let mut session = Session::default();
    let report = build_fresh(&mut session, project, opts, None, progress);
    std::mem::forget(session);
    report
}

/// What a run of builds keeps in memory from one to the next (`folio watch`): the parsed
/// fonts, the decoded figures, the typesetter's memo tables and each piece's layout, each
/// under a key of everything it depends on. A build in a session gives the same bytes as a
/// build without one; it only does less work.
#[derive(Default)]
pub struct Session {
    /// How many pieces are laid out at once (`None`: one per core). The output is the same
    /// for any number.
    pub threads: Option<usize>,
    /// The typesetter's memo tables, one per worker, and the key of the environment
    /// (fonts, names, settings) they were filled in: their keys name a font by its index
    /// and a word by its text, so a new environment starts them afresh.
    caches: Vec<crate::typeset::Caches>,
    caches_env: u64,
    /// Keep set paragraphs for the next build (set by [`build_in`]: a session expects
    /// one; a single build does not).
    keep_paragraphs: bool,
    /// The fonts, by a hash of `[pdf] fonts` and the named files' bytes.
    fonts: Option<(u64, crate::typeset::font::FontSet)>,
    /// Decoded figures by path as written, with a hash of the file's bytes.
    figures: HashMap<String, (u64, Arc<crate::image::Image>)>,
    /// Piece layouts by [`piece_key`].
    pieces: HashMap<u64, crate::typeset::PieceLayout>,
    /// The PDF's compressed page content streams.
    pdf: crate::pdf::Cache,
    /// Loaded pieces.
    loaded: markdown::PieceCache,
    /// The last EPUB container (its unchanged entries are copied, not compressed again).
    epub: crate::epub::Previous,
    /// The EPUB's generated cover image, by a hash of what it shows.
    cover: Option<(u64, Arc<Vec<u8>>)>,
    /// How many pieces the last build laid out again (the rest came from `pieces`).
    pub laid_out: usize,
    /// The last successful build: its inputs' key, its report and its outputs on disk.
    last: Option<LastBuild>,
}

/// A build whose inputs and outputs are known: when neither changed, there is nothing to
/// do (an editor saving an unchanged file, `touch`).
struct LastBuild {
    key: u64,
    report: Report,
    /// Each output's length and modification time as written.
    outputs: Vec<(PathBuf, u64, Option<std::time::SystemTime>)>,
    /// The build's clock came from the files' modification times (no `SOURCE_DATE_EPOCH`,
    /// no `date`): then those times are inputs too.
    clock_from_files: bool,
}

/// The key of a build's inputs: every file under the book folder (and `covers/`), except
/// dot-folders (`.git`) and the outputs folder, with the options and `SOURCE_DATE_EPOCH`;
/// without and with the files' modification times. Symbolic links are not followed (the
/// project refuses them).
///
/// `None` for a single-file book: its folder is not the book's, so any file in it may be an
/// image the text names, and nothing is taken as unchanged.
fn input_key(project: &Project, opts: &Options) -> Option<(u64, u64)> {
    if project.single_file.is_some() {
        return None;
    }
    let mut h = Fnv::new();
    let mut times = Fnv::new();
    h.write(format!("{opts:?}").as_bytes());
    h.write(
        std::env::var("SOURCE_DATE_EPOCH")
            .unwrap_or_default()
            .as_bytes(),
    );
    let out = opts
        .out_dir
        .canonicalize()
        .unwrap_or_else(|_| opts.out_dir.clone());
    let mut stack: Vec<PathBuf> = vec![project.root.clone()];
    stack.extend(project.covers.clone());
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut entries: Vec<std::fs::DirEntry> = entries.flatten().collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let path = e.path();
            let Ok(kind) = e.file_type() else { continue };
            if e.file_name().to_string_lossy().starts_with('.') || path.starts_with(&out) {
                continue;
            }
            if kind.is_dir() {
                stack.push(path);
            } else if kind.is_file() {
                h.write(path.to_string_lossy().as_bytes());
                if let Ok(bytes) = std::fs::read(&path) {
                    h.write(&(bytes.len() as u64).to_le_bytes());
                    h.write(&bytes);
                }
                if let Ok(t) = e.metadata().and_then(|m| m.modified()) {
                    times.write(format!("{t:?}").as_bytes());
                }
            }
        }
    }
    let plain = h.finish();
    times.write(&plain.to_le_bytes());
    Some((plain, times.finish()))
}

/// The outputs as they are on disk now.
fn stamp(paths: &[PathBuf]) -> Vec<(PathBuf, u64, Option<std::time::SystemTime>)> {
    paths
        .iter()
        .map(|p| {
            let m = std::fs::metadata(p).ok();
            let len = m.as_ref().map_or(u64::MAX, |m| m.len());
            (p.clone(), len, m.and_then(|m| m.modified().ok()))
        })
        .collect()
}

/// Builds the project in `session`, reusing what it holds where nothing it depends on
/// changed.
pub fn build_in(
    session: &mut Session,
    project: &Project,
    opts: &Options,
    progress: &mut dyn FnMut(&str),
) -> DiagResult<Report> {
    session.keep_paragraphs = true;
    session.pdf.keep = true;
    // Nothing changed since the last build in this session, and its outputs are as it left
    // them: the same inputs give the same bytes, so there is nothing to write.
    let t = Instant::now();
    let keys = input_key(project, opts);
    let key_time = t.elapsed();
    if let (Some(keys), Some(last)) = (keys, &session.last) {
        let key = if last.clock_from_files {
            keys.1
        } else {
            keys.0
        };
        let paths: Vec<PathBuf> = last.outputs.iter().map(|o| o.0.clone()).collect();
        if key == last.key && stamp(&paths) == last.outputs {
            session.laid_out = 0;
            let mut report = last.report.clone();
            report.timings.clear();
            let pages = report
                .counts
                .iter()
                .find(|c| c.0 == "pages")
                .map_or(0, |c| c.1);
            report.changes = Some(format!("no page changed ({pages} pages)"));
            return Ok(report);
        }
    }
    let mut report = build_fresh(session, project, opts, keys, progress)?;
    report.timings.insert(0, ("inputs", key_time));
    Ok(report)
}

/// The outputs' names' stem (`<stem>.pdf`, `.<stem>-booklet.pdf.<salt>.partial`…): the
/// title's slug, at most [`MAX_STEM_BYTES`] long (cut at a word on a character boundary,
/// with a short hash of the whole so two long titles differ), and the warning that says so.
fn output_slug(title: &str) -> (String, Option<Diagnostic>) {
    let slug = markdown::slug(title);
    if slug.is_empty() {
        return ("book".to_string(), None);
    }
    if slug.len() <= MAX_STEM_BYTES {
        return (slug, None);
    }
    let mut end = MAX_STEM_BYTES - STEM_HASH_BYTES;
    while !slug.is_char_boundary(end) {
        end -= 1;
    }
    let head = &slug[..end];
    let head = head.rfind('-').map_or(head, |i| &slug[..i]);
    let mut h = Fnv::new();
    h.write(slug.as_bytes());
    let stem = format!("{head}-{:08x}", h.finish() as u32);
    let d = Diagnostic::warning(format!(
        "the title makes a file name of {} bytes; the outputs are named `{stem}.*`",
        slug.len()
    ))
    .hint("file systems allow 255 bytes at most, with the temporary names' share; a shorter title or none needs no cut");
    (stem, Some(d))
}

/// The longest stem of an output's name: the longest name folio writes is the stem and 40
/// bytes (`.`, `-booklet.pdf` or `.manifest.json`, and a temporary's `.<16 hex>.partial`),
/// well inside the 255 bytes of common file systems and the 143 of encrypted home folders.
const MAX_STEM_BYTES: usize = 96;
/// A cut stem ends in `-` and eight hex digits of the whole slug's hash.
const STEM_HASH_BYTES: usize = 9;

/// A build that reads and makes everything (reusing the session's layouts and streams).
fn build_fresh(
    session: &mut Session,
    project: &Project,
    opts: &Options,
    keys: Option<(u64, u64)>,
    progress: &mut dyn FnMut(&str),
) -> DiagResult<Report> {
    let mut report = Report::default();
    let t = Instant::now();
    let loaded = markdown::load_cached(project, &mut session.loaded)?;
    report.timings.push(("load", t.elapsed()));
    let mut book = loaded.book;
    report.warnings = loaded.warnings;
    if let Some(st) = opts.pdf_standard {
        book.settings.pdf.standard = Some(st);
    }
    progress(&format!(
        "Loaded {} ({} piece{})",
        project.given.display(),
        book.pieces.len(),
        if book.pieces.len() == 1 { "" } else { "s" }
    ));
    let (slug, cut) = output_slug(book.meta.title.as_deref().unwrap_or("book"));
    if let Some(d) = cut {
        report.warnings.push(d);
    }
    let epoch = std::env::var("SOURCE_DATE_EPOCH").ok();
    let clock_from_files = epoch.is_none() && book.meta.date.is_none();
    let clock = project::clock(
        epoch.as_deref(),
        book.meta.date.as_deref(),
        project.newest_mtime(&book.sources),
    )
    .map_err(|d| vec![d])?;
    let mut files: Vec<(PathBuf, Vec<u8>)> = Vec::new();
    // The book is typeset for either output: the EPUB's print page numbers come from the
    // typeset pages.
    // Every file the book names, read once: both back ends read them from here.
    let t = Instant::now();
    let assets = crate::assets::Assets::load(&book, project)?;
    report.timings.push(("assets", t.elapsed()));
    let fonts = session_fonts(session, &book, project)?;
    let t = Instant::now();
    let (book, resolved_warnings) = resolve(&book, assets, &fonts.1)?;
    report.timings.push(("resolve", t.elapsed()));
    report.warnings.extend(resolved_warnings);
    let typeset = typeset_in(session, &book, fonts, clock)?;
    report.timings.extend(typeset.timings);
    report.counts.push(("pieces", book.pieces.len()));
    report.counts.extend(typeset.counts);
    report.warnings.extend(typeset.warnings);
    let pages = typeset.pages;
    // After the pages, with the same fonts: the print edition and the EPUB's cover.
    let t = Instant::now();
    let extra = after_pages(session, &book, &typeset.env, &pages, opts, &slug)?;
    report.timings.push(("covers", t.elapsed()));
    if let Some(summary) = &extra.summary {
        progress(&format!("Print edition: {summary}"));
    }
    report.warnings.extend(extra.warnings);
    let cover_page = extra.epub_cover;
    let fonts = &extra.fonts;
    let manifest_path = opts.out_dir.join(format!("{slug}.manifest.json"));
    // The EPUB is written on a second thread while the manifest and the PDF are made: the
    // back ends share nothing but the read-only book and pages, and the machine has two
    // cores.
    let previous_epub = &mut session.epub;
    let pdf_cache = &mut session.pdf;
    // The generated cover is drawn again only when what it shows changed.
    let cover_key = cover_page.as_ref().map(|p| {
        let mut h = Fnv::new();
        h.write(format!("{:?}", p.items).as_bytes());
        for f in fonts {
            h.write(f.postscript_name.as_bytes());
            h.write(&(f.data.len() as u64).to_le_bytes());
        }
        h.finish()
    });
    let cached_cover = match (&session.cover, cover_key) {
        (Some((k, png)), Some(key)) if *k == key => Some(png.clone()),
        _ => None,
    };
    let drawn_cover = &mut session.cover;
    let (epub, (manifest, pdf)) = std::thread::scope(|scope| {
        let epub = opts.epub.then(|| {
            scope.spawn(|| {
                // Debug builds only: the tests' way to prove a panic here is reported as a
                // bug (exit 101), since no input is known to make one.
                if cfg!(debug_assertions) && std::env::var_os(TEST_PANIC).is_some() {
                    panic!("deliberate panic in the EPUB thread ({TEST_PANIC})");
                }
                let t = Instant::now();
                let cover = match (&cover_page, cached_cover, cover_key) {
                    (Some(_), Some(png), _) => Some(png),
                    (Some(page), None, Some(key)) => {
                        let png = Arc::new(epub_cover(page, fonts, &pages.images)?);
                        *drawn_cover = Some((key, png.clone()));
                        Some(png)
                    }
                    _ => None,
                };
                crate::epub::epub_cached(
                    &book,
                    clock,
                    &pages.map,
                    cover.as_deref().map(Vec::as_slice),
                    previous_epub,
                )
                .map(|b| (b, t.elapsed()))
            })
        });
        // The edition manifest: which pages changed since the last build into this folder.
        let t = Instant::now();
        let (manifest, page_hashes) =
            crate::manifest::Manifest::with_hashes(&pages, pdf_cache.memo());
        report.timings.push(("manifest", t.elapsed()));
        if let Some(old) = std::fs::read(&manifest_path)
            .ok()
            .and_then(|b| crate::manifest::Manifest::from_json(&b))
        {
            let changes = crate::manifest::Changes::between(&old, &manifest);
            report.changes = Some(changes.describe(&manifest));
        }
        let pdf = opts
            .pdf
            .then(|| pdf_bytes(&pages, &page_hashes, pdf_cache, &mut report));
        // A panic in the EPUB thread is a bug: it goes on as a panic (exit 101), never
        // dressed up as an ordinary error.
        let epub = epub.map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)));
        (epub, (manifest, pdf))
    });
    let mut errors = Vec::new();
    match epub {
        Some(Ok((bytes, took))) => {
            report.timings.push(("epub", took));
            // Stores need a cover image: without one, the EPUB shows folio's own cover (its
            // front cover drawn as an image), and the build says so.
            if book.meta.cover.is_none() {
                // A book with an ISBN is meant for stores: say so as a warning there.
                let isbn = matches!(book.meta.identifier, Some(crate::meta::Identifier::Isbn(_)));
                if isbn {
                    let at = project.book_toml().unwrap_or_else(|| project.given.clone());
                    report.warnings.push(
                        Diagnostic::warning("this book has an ISBN but no cover image: its EPUB carries folio's typographic cover (1600 × 2560 px), which stores take, but a designed cover sells better")
                            .in_file(at)
                            .hint("add `cover = \"covers/cover.jpg\"` to book.toml (1600 × 2560 pixels is the usual size)"),
                    );
                } else {
                    progress(
                        "Cover: none named in book.toml; the EPUB shows folio's typographic cover",
                    );
                }
            }
            files.push((opts.out_dir.join(format!("{slug}.epub")), bytes));
        }
        Some(Err(d)) => errors.extend(d),
        None => {}
    }
    match pdf {
        Some(Ok(bytes)) => files.push((opts.out_dir.join(format!("{slug}.pdf")), bytes)),
        Some(Err(d)) => errors.extend(d),
        None => {}
    }
    for (suffix, doc) in &extra.print {
        let t = Instant::now();
        match crate::pdf::pdf(doc) {
            Ok(bytes) => files.push((opts.out_dir.join(format!("{slug}{suffix}.pdf")), bytes)),
            Err(e) => errors.push(Diagnostic::error(format!(
                "cannot write the {} PDF: {e}",
                suffix.trim_start_matches('-')
            ))),
        }
        report.timings.push(("print", t.elapsed()));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    files.push((manifest_path, manifest.to_json()));
    let t = Instant::now();
    // All outputs or none: a failure on the second leaves the first edition in place.
    crate::output::write_all(&files).map_err(|(path, e)| {
        vec![Diagnostic::error(format!("cannot write the output: {e}")).in_file(&path)]
    })?;
    for (path, bytes) in &files {
        progress(&format!(
            "Wrote {} ({} KB)",
            path.display(),
            bytes.len().div_ceil(1024)
        ));
        report.outputs.push(path.clone());
    }
    report.timings.push(("write", t.elapsed()));
    session.last = keys.map(|keys| LastBuild {
        key: if clock_from_files { keys.1 } else { keys.0 },
        outputs: stamp(&report.outputs),
        report: report.clone(),
        clock_from_files,
    });
    if let Some(changes) = &report.changes {
        progress(&format!("Compared with the last build: {changes}"));
    }
    Ok(report)
}

/// The EPUB's generated cover: 1600 × 2560 px (the size Apple, Kobo and Google Play ask
/// for), drawn from a 5 × 8 in page of the same proportions.
pub const EPUB_COVER_PX: (u32, u32) = (1600, 2560);
/// The drawn EPUB cover's ground: a light grey (90 %), so that the cover keeps its edge on
/// a store's white page, with the black type still at full contrast.
const EPUB_COVER_GROUND: u8 = 230;
const EPUB_COVER_PT: (f32, f32) = (360.0, 576.0);

/// What is made after the pages with the typesetter's fonts.
struct AfterPages {
    /// The print edition's documents by file suffix.
    print: Vec<(&'static str, crate::typeset::frame::Pages)>,
    summary: Option<String>,
    /// The front cover the EPUB shows as its image, when the book has no cover image.
    epub_cover: Option<crate::typeset::frame::Page>,
    /// The fonts, with the faces the covers asked for (they may use a face the book's
    /// pages do not).
    fonts: Vec<crate::typeset::frame::FontFile>,
    warnings: Vec<Diagnostic>,
}

/// The print edition (when `[print]` or the command line asks for it) and the EPUB's
/// generated cover (when the book has none).
fn after_pages(
    session: &mut Session,
    book: &Resolved,
    env: &crate::typeset::Env,
    pages: &crate::typeset::frame::Pages,
    opts: &Options,
    slug: &str,
) -> DiagResult<AfterPages> {
    let mut caches = std::mem::take(&mut session.caches[0]);
    let mut setter = crate::typeset::Setter::new(book, env, &mut caches);
    let epub_cover = (opts.epub && book.meta.cover.is_none())
        .then(|| setter.front(EPUB_COVER_PT.0, EPUB_COVER_PT.1, None));
    let mut out = AfterPages {
        print: Vec::new(),
        summary: None,
        epub_cover,
        warnings: Vec::new(),
        fonts: Vec::new(),
    };
    let print = crate::settings::print::edition(book.settings.print.as_ref(), &opts.print);
    if let (Some(p), true) = (print, opts.pdf) {
        let cover = match &book.meta.cover {
            Some(src) => {
                let bytes = book
                    .assets
                    .get(src)
                    .map(|b| b.as_slice())
                    .unwrap_or_default();
                // A cover folio cannot decode is still the EPUB's; the printed front cover
                // is then typographic.
                crate::image::decode(bytes).ok().map(Arc::new)
            }
            None => None,
        };
        out.warnings = low_resolution(book, env, pages);
        if let (Some(img), Some(src), Some(page)) = (&cover, &book.meta.cover, pages.pages.first())
        {
            out.warnings
                .extend(cover_resolution(src, img, page, p.bleed));
        }
        let files = crate::print::make(pages, &p, &mut setter, cover, slug);
        out.summary = Some(files.summary);
        out.print = files.documents;
    }
    drop(setter);
    session.caches[0] = caches;
    out.fonts = env.font_files();
    for (_, doc) in &mut out.print {
        doc.fonts = out.fonts.clone();
    }
    Ok(out)
}

/// Print needs 250 dpi at the printed size (300 is the norm; below 250 the dots show).
const PRINT_DPI: f32 = 250.0;

/// A warning at each figure printed below [`PRINT_DPI`].
fn low_resolution(
    book: &Resolved,
    env: &crate::typeset::Env,
    pages: &crate::typeset::frame::Pages,
) -> Vec<Diagnostic> {
    let mut worst: Vec<f32> = vec![f32::INFINITY; pages.images.len()];
    for page in &pages.pages {
        page.walk(&mut |item, at| {
            if let crate::typeset::frame::Item::Image { rect, image } = item
                && let Some(img) = pages.images.get(*image)
                && !img.is_vector()
            {
                let r = at.apply_rect(*rect);
                let dpi = img.width as f32 / (r.width / 72.0);
                worst[*image] = worst[*image].min(dpi);
            }
        });
    }
    let sources = env.figure_sources();
    let mut out = Vec::new();
    for (i, dpi) in worst.iter().enumerate() {
        if *dpi >= PRINT_DPI {
            continue;
        }
        let Some(src) = sources.get(i) else { continue };
        let span = figure_spans(book)
            .into_iter()
            .find(|(s, _)| s == src)
            .map(|(_, span)| span);
        let d = Diagnostic::warning(format!(
            "`{src}` prints at {dpi:.0} dpi; print needs {PRINT_DPI:.0} dpi or more (300 is usual)"
        ))
        .hint("use an image with more pixels, or print it smaller");
        out.push(match span {
            Some(span) => book.locate(d, span),
            None => d,
        });
    }
    out
}

/// A warning when the cover picture, over the whole front cover and its bleed, prints
/// below [`PRINT_DPI`].
fn cover_resolution(
    src: &str,
    img: &crate::image::Image,
    page: &crate::typeset::frame::Page,
    bleed: f32,
) -> Option<Diagnostic> {
    let (w, h) = (page.width + 2.0 * bleed, page.height + 2.0 * bleed);
    let scale = (w / img.width.max(1) as f32).max(h / img.height.max(1) as f32);
    let dpi = 72.0 / scale;
    (dpi < PRINT_DPI).then(|| {
        let need = (w / 72.0 * PRINT_DPI).ceil();
        Diagnostic::warning(format!(
            "the cover `{src}` prints at {dpi:.0} dpi over the front cover; print needs {PRINT_DPI:.0} dpi or more (300 is usual)"
        ))
        .hint(format!("use a cover image at least {need:.0} pixels wide"))
    })
}

/// The EPUB's cover image from its page.
fn epub_cover(
    page: &crate::typeset::frame::Page,
    fonts: &[crate::typeset::frame::FontFile],
    images: &[Arc<crate::image::Image>],
) -> DiagResult<Vec<u8>> {
    crate::raster::png(page, fonts, images, EPUB_COVER_PX, EPUB_COVER_GROUND).map_err(|e| {
        vec![Diagnostic::error(format!(
            "cannot draw the EPUB's cover: {e}"
        ))]
    })
}

/// The PDF writer.
fn pdf_bytes(
    pages: &crate::typeset::frame::Pages,
    hashes: &[u64],
    cache: &mut crate::pdf::Cache,
    report: &mut Report,
) -> DiagResult<Vec<u8>> {
    let t = Instant::now();
    let bytes = crate::pdf::pdf_cached(pages, hashes, cache)
        .map_err(|e| vec![Diagnostic::error(format!("cannot write the PDF: {e}"))])?;
    report.timings.push(("pdf", t.elapsed()));
    Ok(bytes)
}

/// A typeset book: its pages, the typesetter's warnings, and where the time went.
#[derive(Debug)]
pub struct Typeset {
    pub pages: crate::typeset::frame::Pages,
    /// The fonts and figures it was set with: covers and marks are set with them too.
    pub env: crate::typeset::Env,
    pub warnings: Vec<Diagnostic>,
    pub timings: Vec<(&'static str, Duration)>,
    pub counts: Vec<(&'static str, usize)>,
}

/// The book resolved with the files it names (`assets`) and the faces of `fonts` (the
/// imprint names their families).
fn resolve(
    book: &crate::model::Book,
    assets: crate::assets::Assets,
    fonts: &crate::typeset::font::FontSet,
) -> DiagResult<(Resolved, Vec<Diagnostic>)> {
    let families = fonts.families();
    let code_family = fonts.code_family();
    crate::resolve::resolve(
        book,
        assets,
        &crate::resolve::Inputs {
            families: &families,
            code_family: &code_family,
        },
    )
}

/// Loads and resolves `book` with the files and fonts it names (through the project).
pub fn resolve_book(
    book: &crate::model::Book,
    project: &Project,
) -> DiagResult<(Resolved, Vec<Diagnostic>)> {
    let assets = crate::assets::Assets::load(book, project)?;
    let fonts = session_fonts(&mut Session::default(), book, project)?;
    resolve(book, assets, &fonts.1)
}

/// Resolves `book` (reading the fonts and figures it names through the project) and
/// typesets it: the resolved book and its pages (with the warnings of both steps).
pub fn typeset_book(
    book: &crate::model::Book,
    project: &Project,
    clock: i64,
) -> DiagResult<(Resolved, Typeset)> {
    let mut session = Session::default();
    let fonts = session_fonts(&mut session, book, project)?;
    let assets = crate::assets::Assets::load(book, project)?;
    let (resolved, warnings) = resolve(book, assets, &fonts.1)?;
    let mut typeset = typeset_in(&mut session, &resolved, fonts, clock)?;
    typeset.warnings.splice(0..0, warnings);
    Ok((resolved, typeset))
}

/// Typesets the resolved `book` with `fonts` (and their key) in a session: figures and
/// piece layouts are reused where their inputs did not change.
pub fn typeset_in(
    session: &mut Session,
    book: &Resolved,
    fonts: (u64, crate::typeset::font::FontSet),
    clock: i64,
) -> DiagResult<Typeset> {
    use crate::typeset::{Env, assemble};
    let t = Instant::now();
    let figures = load_figures_in(session, book)?;
    let images = t.elapsed();
    let settings = &book.settings.pdf;
    // Everything a piece's layout depends on beyond its own text.
    let mut env_key = Fnv::new();
    env_key.write(format!("{:?}{:?}", book.meta, book.settings).as_bytes());
    env_key.write(&fonts.0.to_le_bytes());
    // The names of everyone in the book are never hyphenated, in any piece; bylines and
    // the book's language are decided for the whole book.
    env_key.write(format!("{:?}{}", book.words, book.lang).as_bytes());
    // Figures are numbered in order of first use: a figure added to one piece renumbers
    // the figures of the pieces after it.
    for src in &book.figures {
        env_key.write(src.as_bytes());
        let hash = session.figures.get(src).map_or(0, |f| f.0);
        env_key.write(&hash.to_le_bytes());
    }
    let env_key = env_key.finish();
    if session.caches_env != env_key {
        session.caches.clear();
        session.caches_env = env_key;
    }
    let env = Env::new(book, fonts.1, figures);
    let keys: Vec<u64> = book
        .pieces
        .iter()
        .enumerate()
        .map(|(i, piece)| piece_key(env_key, book, i, piece))
        .collect();
    // The pieces to lay out (the rest come from the session), on the machine's cores: a
    // layout is a function of its piece, so the order the workers take them in changes
    // nothing.
    let todo: Vec<usize> = (0..keys.len())
        .filter(|&i| !session.pieces.contains_key(&keys[i]))
        .collect();
    let threads = session
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .clamp(1, todo.len().max(1));
    if session.caches.len() < threads {
        session.caches.resize_with(threads, Default::default);
    }
    if session.keep_paragraphs {
        session
            .caches
            .iter_mut()
            .for_each(crate::typeset::Caches::remember_paragraphs);
    }
    let fresh = lay_out(book, &env, settings, &todo, &mut session.caches[..threads]);
    session.laid_out = todo.len();
    let in_use: std::collections::HashSet<u64> = keys.iter().copied().collect();
    session.pieces.retain(|k, _| in_use.contains(k));
    // Time is counted in the build that laid a piece out: what is reused cost nothing now.
    for l in session.pieces.values_mut() {
        l.times = Default::default();
    }
    for (i, layout) in fresh {
        session.pieces.insert(keys[i], layout);
    }
    let layouts: Vec<&crate::typeset::PieceLayout> =
        keys.iter().map(|k| &session.pieces[k]).collect();
    let (pages, warnings, steps) = assemble(
        book,
        &env,
        &mut session.caches[0],
        settings,
        doc_info(book, clock),
        &layouts,
    );
    Ok(Typeset {
        timings: vec![
            ("images", images),
            ("shape", steps.shape),
            ("break", steps.linebreak),
            ("paginate", steps.paginate),
        ],
        counts: vec![
            ("pages", pages.pages.len()),
            ("shape lookups", steps.shape_lookups),
            ("distinct shapes", steps.shaped),
        ],
        pages,
        env,
        warnings,
    })
}

/// Every error (and warning) a build would report beyond loading: the fonts of `[pdf]
/// fonts` and every figure's image read and decoded as the build does them, and the book
/// resolved (for `check`). A font that cannot be used does not hide a broken image.
pub fn check(book: &crate::model::Book, project: &Project) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let fonts = match session_fonts(&mut Session::default(), book, project) {
        Ok(f) => f.1,
        Err(d) => {
            out.extend(d);
            crate::typeset::font::FontSet::default_fonts()
        }
    };
    let assets = match crate::assets::Assets::load(book, project) {
        Ok(a) => a,
        Err(d) => {
            out.extend(d);
            return out;
        }
    };
    match resolve(book, assets, &fonts) {
        Ok((resolved, warnings)) => {
            out.extend(warnings);
            if let Err(d) = load_figures_in(&mut Session::default(), &resolved) {
                out.extend(d);
            }
        }
        Err(d) => out.extend(d),
    }
    out
}

/// Lays out the pieces `todo` of `book`, one worker per entry of `caches`, each taking the
/// next piece not yet taken; returns each piece's index and layout.
fn lay_out(
    book: &Resolved,
    env: &crate::typeset::Env,
    settings: &crate::settings::PdfSettings,
    todo: &[usize],
    caches: &mut [crate::typeset::Caches],
) -> Vec<(usize, crate::typeset::PieceLayout)> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let next = AtomicUsize::new(0);
    let work = |caches: &mut crate::typeset::Caches| {
        let mut done = Vec::new();
        loop {
            let k = next.fetch_add(1, Ordering::Relaxed);
            let Some(&i) = todo.get(k) else { break };
            done.push((
                i,
                crate::typeset::layout_piece(book, env, caches, i, settings),
            ));
        }
        done
    };
    let (first, rest) = match caches.split_first_mut() {
        Some(split) => split,
        None => return Vec::new(),
    };
    let mut out = std::thread::scope(|scope| {
        let workers: Vec<_> = rest.iter_mut().map(|c| scope.spawn(|| work(c))).collect();
        let mut out = work(first);
        for w in workers {
            // A panic in a worker is a bug: it goes on as a panic (exit 101).
            out.extend(w.join().unwrap_or_else(|p| std::panic::resume_unwind(p)));
        }
        out
    });
    out.sort_by_key(|(i, _)| *i);
    out
}

/// The key of the `index`th piece's layout: the environment's key, the piece's place, its
/// file and that file's text (the piece is a function of them; the text by its hash from
/// the loader).
fn piece_key(env: u64, book: &Resolved, index: usize, piece: &crate::resolve::RPiece) -> u64 {
    let mut h = Fnv::new();
    h.write(&env.to_le_bytes());
    h.write(&(index as u64).to_le_bytes());
    let file = piece.span.file as usize;
    h.write(&(file as u64).to_le_bytes());
    if let Some(path) = book.sources.get(file) {
        h.write(path.to_string_lossy().as_bytes());
    }
    if let Some(text) = book.text_hashes.get(file) {
        h.write(&text.to_le_bytes());
    }
    // Not in the piece's text: the part it opens prints above its title (SUMMARY.md).
    if let Some(part) = piece.part.as_ref().filter(|_| piece.opens_part) {
        h.write(part.as_bytes());
    }
    h.finish()
}

/// The fonts of `[pdf] fonts` over the shipped faces, parsed once per session while the
/// setting and the named files stay the same; returns them with their key.
fn session_fonts(
    session: &mut Session,
    book: &crate::model::Book,
    project: &Project,
) -> DiagResult<(u64, crate::typeset::font::FontSet)> {
    let mut key = Fnv::new();
    key.write(format!("{:?}", book.settings.pdf.fonts).as_bytes());
    key.write(format!("{:?}", book.settings.pdf.fallback_fonts).as_bytes());
    let fallbacks = book.settings.pdf.fallback_fonts.iter();
    for path in book
        .settings
        .pdf
        .fonts
        .iter()
        .map(|(_, p)| p)
        .chain(fallbacks)
    {
        if let Ok(file) = project.resolve(path, "font")
            && let Ok(bytes) = project.read_bytes(&file)
        {
            key.write(&bytes);
        }
    }
    let key = key.finish();
    if let Some((k, fonts)) = &session.fonts
        && *k == key
    {
        return Ok((key, fonts.clone()));
    }
    let at = project.book_toml().unwrap_or_else(|| project.given.clone());
    let fonts = crate::typeset::load_fonts(&book.settings.pdf, project, &at)?;
    session.fonts = Some((key, fonts.clone()));
    Ok((key, fonts))
}

/// Reads and decodes every figure's image (through the project, so only files inside the
/// book are read); a damaged or unsupported image is an error at its figure. An image
/// whose bytes the session has decoded before is not decoded again.
fn load_figures_in(
    session: &mut Session,
    book: &Resolved,
) -> DiagResult<HashMap<String, Arc<crate::image::Image>>> {
    let assets = &book.assets;
    let mut out = HashMap::new();
    let mut seen: HashMap<String, (u64, Arc<crate::image::Image>)> = HashMap::new();
    let mut errors = Vec::new();
    {
        for (src, span) in figure_spans(book) {
            let src = src.as_str();
            if out.contains_key(src) {
                continue;
            }
            let at = |d: Diagnostic| book.locate(d, span);
            // Read by `Assets::load`, which reported any file it could not read.
            let Some(bytes) = assets.get(src) else {
                continue;
            };
            let mut h = Fnv::new();
            h.write(bytes);
            let hash = h.finish();
            if let Some((k, img)) = session.figures.get(src)
                && *k == hash
            {
                out.insert(src.to_string(), img.clone());
                seen.insert(src.to_string(), (hash, img.clone()));
                continue;
            }
            match crate::image::decode(bytes) {
                Ok(img) => {
                    let img = Arc::new(img);
                    out.insert(src.to_string(), img.clone());
                    seen.insert(src.to_string(), (hash, img));
                }
                Err(why) => errors.push(at(Diagnostic::error(format!(
                    "cannot use the image `{src}`: {why}"
                ))
                .hint("save it as a JPEG or a non-interlaced PNG"))),
            }
        }
    }
    if errors.is_empty() {
        session.figures = seen;
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Every figure of the resolved book with its span, in reading order.
fn figure_spans(book: &Resolved) -> Vec<(&String, crate::model::Span)> {
    let mut out = Vec::new();
    for p in &book.pieces {
        crate::resolve::visit(&p.blocks, &mut |b| {
            if let crate::resolve::Kind::Figure { src, .. } = &b.kind {
                out.push((src, b.span));
            }
        });
    }
    out
}

/// The PDF's document information, from the resolved book and the build clock.
pub fn doc_info(book: &Resolved, clock: i64) -> crate::typeset::frame::DocInfo {
    let m = &book.meta;
    let people = &book.words.people;
    // The book's creators (book-level people); a book that names nobody at that level
    // lists the people of its pieces rather than nobody.
    let authors = match book.words.creators {
        0 => people,
        k => &people[..k.min(people.len())],
    };
    crate::typeset::frame::DocInfo {
        title: book.title.clone(),
        subtitle: m.subtitle.clone(),
        authors: authors.iter().map(|p| p.name.clone()).collect(),
        subject: m.description.clone().or_else(|| m.subtitle.clone()),
        keywords: m.subjects.clone(),
        lang: book.lang.clone(),
        date: project::iso8601(clock),
        identifier: book.identifier.urn(),
        producer: format!("folio {}", env!("CARGO_PKG_VERSION")),
        standard: book.settings.pdf.standard,
    }
}
