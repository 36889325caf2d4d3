//! The whole build: load → resolve → (epub) and (typeset → pdf), then write the outputs
//! atomically.
//!
//! Every output is made in memory first; only when all of them succeeded are they written,
//! each to a temporary file beside its destination and renamed over it. A failed build
//! therefore writes nothing and leaves earlier outputs exactly as they were.

use crate::diag::{DiagResult, Diagnostic};
use crate::hash::Fnv;
use crate::markdown;
use crate::memo::{self, Memo, Table};
use crate::preview::Preview;
use crate::project::{self, Project, Texts};
use crate::resolve::Resolved;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Set in a debug build, the EPUB thread panics (for the tests of the bug exit code).
const TEST_PANIC: &str = "FOLIO_DEBUG_PANIC_IN_EPUB";

/// Which outputs to make and where.
#[derive(Debug, Clone, Hash)]
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
    /// Nothing was made or written: the files and the outputs were as the last build in the
    /// session left them (a save without a change, `touch`).
    pub unchanged: bool,
}

/// Builds the project. `progress` receives one line per stage (for stderr).
pub fn build(
    project: &Project,
    opts: &Options,
    progress: &mut dyn FnMut(&str),
) -> DiagResult<Report> {
    // A single build keeps nothing for a next one: no need to key its inputs.
    build_fresh(&mut Session::without_memo(), project, opts, None, progress)
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
    let mut session = Session::without_memo();
    let report = build_fresh(&mut session, project, opts, None, progress);
    std::mem::forget(session);
    report
}

/// What a run of builds keeps in memory from one to the next (`folio watch`): the
/// [`Memo`] of every stage's results, and the last build's inputs and outputs. A build in a
/// session gives the same bytes as a build without one; it only does less work.
pub struct Session {
    /// How many pieces are laid out at once (`None`: one per core). The output is the same
    /// for any number.
    pub threads: Option<usize>,
    /// How many pieces the last build laid out again (the rest came from the memo).
    pub laid_out: usize,
    /// Keep each build's pages (every edition's) for a preview: `folio serve` draws them.
    pub keep_pages: bool,
    /// When the outputs are synced to the disk: before they are put in place (a build), or
    /// after, off the rebuild's way (`folio watch`; see [`crate::output`]).
    pub durability: crate::output::Durability,
    memo: Memo,
    /// The last successful build: its inputs' key, its report and its outputs on disk.
    last: Option<LastBuild>,
    /// The last successful build's pages, when `keep_pages` is set.
    preview: Option<Arc<Preview>>,
}

impl Default for Session {
    /// A session with the memo on (unless [`crate::memo::NO_MEMO`] is set).
    fn default() -> Self {
        Session::with_memo(Memo::default())
    }
}

impl Session {
    /// A session whose every build is a cold one (the memo off): the reference its warm
    /// builds are compared with.
    pub fn without_memo() -> Session {
        Session::with_memo(Memo::off())
    }

    fn with_memo(memo: Memo) -> Session {
        Session {
            threads: None,
            laid_out: 0,
            keep_pages: false,
            durability: crate::output::Durability::Before,
            memo,
            last: None,
            preview: None,
        }
    }

    /// Whether this session keeps results between builds.
    pub fn memo_on(&self) -> bool {
        self.memo.is_on()
    }

    /// How many set paragraphs the session keeps for the next build (the pieces a build
    /// laid out again while reusing others: see `typeset_in`).
    pub fn paragraphs_held(&self) -> usize {
        self.memo
            .shaping
            .workers
            .iter()
            .map(crate::typeset::Caches::paragraphs_held)
            .sum()
    }

    /// The last successful build's pages, when the session keeps them.
    pub fn preview(&self) -> Option<Arc<Preview>> {
        self.preview.clone()
    }

    /// Did the last build's PDF reuse the document of the build before (only the pages'
    /// contents and the date changed)?
    pub fn pdf_reused(&self) -> bool {
        self.memo.pdf.reused()
    }
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
fn input_key(
    project: &Project,
    opts: &Options,
    files: &mut crate::memo::Files,
) -> Option<((u64, u64), Texts)> {
    if project.single_file.is_some() {
        return None;
    }
    let mut h = Fnv::new();
    let mut times = Fnv::new();
    let mut texts = Texts::new();
    h.write_u64(memo::key(opts));
    h.write(
        std::env::var("SOURCE_DATE_EPOCH")
            .unwrap_or_default()
            .as_bytes(),
    );
    let out = opts
        .out_dir
        .canonicalize()
        .unwrap_or_else(|_| opts.out_dir.clone());
    files.begin();
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
                let meta = e.metadata().ok();
                let text = crate::project::is_text_input(&path) && path.starts_with(&project.root);
                if let Some(read) = files.read(&path, meta.as_ref(), text) {
                    h.write_u64(read.hash);
                    if let Some(bytes) = read.text {
                        texts.insert(path, (bytes, read.hash));
                    }
                }
                if let Some(t) = meta.and_then(|m| m.modified().ok()) {
                    times.write_u64(memo::key(&t));
                }
            }
        }
    }
    files.end();
    let plain = h.finish();
    times.write(&plain.to_le_bytes());
    Some(((plain, times.finish()), texts))
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
    // Nothing changed since the last build in this session, and its outputs are as it left
    // them: the same inputs give the same bytes, so there is nothing to write.
    let t = Instant::now();
    let (keys, texts) = input_key(project, opts, &mut session.memo.files).unzip();
    let key_time = t.elapsed();
    if let (Some(keys), Some(last), true) = (keys, &session.last, session.memo.is_on()) {
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
            report.unchanged = true;
            return Ok(report);
        }
    }
    // The build reads the text files the key was made of, as they were read for it.
    let project = &match texts {
        Some(texts) => project.with_texts(texts),
        None => project.clone(),
    };
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
    session.memo.begin();
    let mut report = Report::default();
    let t = Instant::now();
    let loaded = markdown::load_cached(project, &mut session.memo.loaded)?;
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
    let fonts = session_fonts(&mut session.memo.fonts, &book, project)?;
    let t = Instant::now();
    let (book, resolved_warnings) = resolve(&book, assets, &fonts.1, &mut session.memo.resolved)?;
    report.timings.push(("resolve", t.elapsed()));
    report.warnings.extend(resolved_warnings);
    let typeset = typeset_in(session, &book, fonts, clock)?;
    report.timings.extend(typeset.timings);
    report.counts.push(("pieces", book.pieces.len()));
    report.counts.extend(typeset.counts);
    report.warnings.extend(typeset.warnings);
    let pages = typeset.pages;
    let env_key = typeset.env_key;
    // After the pages, with the same fonts: the EPUB's cover.
    let t = Instant::now();
    let durability = session.durability;
    let memo = &mut session.memo;
    let epub_cover = (opts.epub && book.meta.cover.is_none()).then(|| {
        let mut setter =
            crate::typeset::Setter::new(&book, &typeset.env, &mut memo.shaping.workers[0]);
        setter.front(EPUB_COVER_PT.0, EPUB_COVER_PT.1, None)
    });
    report.timings.push(("covers", t.elapsed()));
    // The fonts, with the faces the covers asked for (they may use a face the book's pages
    // do not).
    let fonts = typeset.env.font_files();
    let manifest_path = opts.out_dir.join(format!("{slug}.manifest.json"));
    let epub_path = opts.out_dir.join(format!("{slug}.epub"));
    let mut staged = Vec::new();
    // The EPUB is written on a second thread while the manifest and the PDF are made: the
    // back ends share nothing but the read-only book and pages, and the machine has two
    // cores.
    let (previous_epub, pdf_cache, drawn_covers) = (&mut memo.epub, &mut memo.pdf, &mut memo.cover);
    let (epub, (manifest, page_hashes, pdf)) = std::thread::scope(|scope| {
        let epub = opts.epub.then(|| {
            scope.spawn(|| {
                // Debug builds only: the tests' way to prove a panic here is reported as a
                // bug (exit 101), since no input is known to make one.
                if cfg!(debug_assertions) && std::env::var_os(TEST_PANIC).is_some() {
                    panic!("deliberate panic in the EPUB thread ({TEST_PANIC})");
                }
                let t = Instant::now();
                let cover = match &epub_cover {
                    Some(page) => {
                        // Drawn again only when what it shows changed.
                        let key = memo::key(&(
                            env_key,
                            crate::manifest::page_hash(page, &fonts, &pages.images),
                        ));
                        Some(drawn_covers.get_or_try(key, || {
                            epub_cover_png(page, &fonts, &pages.images).map(Arc::new)
                        })?)
                    }
                    None => None,
                };
                let bytes = crate::epub::epub_cached(
                    &book,
                    clock,
                    &pages.map,
                    cover.as_deref().map(Vec::as_slice),
                    previous_epub,
                )?;
                // Staged here, so the disk's wait overlaps the PDF's making; it is put in
                // place with the other outputs, or not at all.
                let staged =
                    crate::output::stage(&epub_path, &bytes, durability).map_err(cannot_write)?;
                Ok::<_, Vec<Diagnostic>>((staged, t.elapsed()))
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
        (epub, (manifest, page_hashes, pdf))
    });
    let mut errors = Vec::new();
    match epub {
        Some(Ok((bytes, took))) => {
            report.timings.push(("epub", took));
            if book.meta.cover.is_none() {
                no_cover_image(&book, project, &mut report, progress);
            }
            staged.push(bytes);
        }
        Some(Err(d)) => errors.extend(d),
        None => {}
    }
    // The print edition (when `[print]` or the command line asks for it), from the same
    // pages: made again only when the screen edition's bytes, the environment or the
    // print options changed.
    let print = crate::settings::print::edition(book.settings.print.as_ref(), &opts.print);
    // The screen edition's bytes stand for its pages in the print edition's key (hashed
    // only when there is a print edition: three megabytes for the novel, a millisecond).
    let mut screen = None;
    let mut printed = None;
    match pdf {
        Some(Ok(bytes)) => {
            screen = print.is_some().then(|| crate::hash::of(&bytes));
            files.push((opts.out_dir.join(format!("{slug}.pdf")), bytes));
        }
        Some(Err(d)) => errors.extend(d),
        None => {}
    }
    if let (Some(p), Some(screen)) = (print, screen) {
        let t = Instant::now();
        let cover = cover_image(&book, &mut session.memo.figures);
        report.warnings.extend(print_warnings(
            &book,
            &typeset.env,
            &pages,
            &p,
            cover.as_ref(),
        ));
        let key = memo::key(&(
            (env_key, screen, cover.as_ref().map(|c| c.0)),
            (&p, &opts.print, &slug),
        ));
        let workers = &mut session.memo.shaping.workers[0];
        let keep = session.keep_pages;
        let made = session.memo.print.get_or_try(key, || {
            let cover = cover.map(|c| c.1);
            let mut files = print_files(&book, &typeset.env, workers, &pages, &p, cover, &slug)?;
            if !keep {
                // Only a preview draws them; freed off the build's way.
                memo::discard(std::mem::take(&mut files.documents));
            }
            Ok::<_, Vec<Diagnostic>>(Arc::new(files))
        });
        match made {
            Ok(made) => {
                progress(&format!("Print edition: {}", made.summary));
                printed = Some(made.clone());
                for (suffix, bytes) in &made.files {
                    files.push((
                        opts.out_dir.join(format!("{slug}{suffix}.pdf")),
                        bytes.clone(),
                    ));
                }
            }
            Err(d) => errors.extend(d),
        }
        report.timings.push(("print", t.elapsed()));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    files.push((manifest_path, manifest.to_json()));
    let t = Instant::now();
    // All outputs or none: a failure on the second leaves the first edition in place.
    staged.extend(crate::output::stage_all(&files, session.durability).map_err(cannot_write)?);
    drop(files);
    let written: Vec<(PathBuf, usize)> = staged
        .iter()
        .map(|s| (s.path().to_path_buf(), s.len()))
        .collect();
    crate::output::commit(staged, session.durability).map_err(cannot_write)?;
    for (path, len) in written {
        progress(&format!(
            "Wrote {} ({} KB)",
            path.display(),
            len.div_ceil(1024)
        ));
        report.outputs.push(path);
    }
    report.timings.push(("write", t.elapsed()));
    session.memo.end();
    session.last = keys.map(|keys| LastBuild {
        key: if clock_from_files { keys.1 } else { keys.0 },
        outputs: stamp(&report.outputs),
        report: report.clone(),
        clock_from_files,
    });
    if let Some(changes) = &report.changes {
        progress(&format!("Compared with the last build: {changes}"));
    }
    // The resolved book and its pages are freed off the build's way (the novel's take
    // about a millisecond and a half), or the pages kept for a preview.
    if session.keep_pages {
        let before = session.preview.take();
        let next = preview(pages, manifest, page_hashes, printed, before.as_deref());
        session.preview = Some(Arc::new(next));
    } else {
        memo::discard(pages);
    }
    memo::discard((book, typeset.env));
    Ok(report)
}

/// The error for an output that could not be written.
fn cannot_write((path, e): (PathBuf, std::io::Error)) -> Vec<Diagnostic> {
    vec![Diagnostic::error(format!("cannot write the output: {e}")).in_file(&path)]
}

/// Stores need a cover image: without one, the EPUB shows folio's own cover (its front
/// cover drawn as an image), and the build says so; a book with an ISBN is meant for
/// stores, so there as a warning.
fn no_cover_image(
    book: &Resolved,
    project: &Project,
    report: &mut Report,
    progress: &mut dyn FnMut(&str),
) {
    if matches!(book.meta.identifier, Some(crate::meta::Identifier::Isbn(_))) {
        let at = project.book_toml().unwrap_or_else(|| project.given.clone());
        report.warnings.push(
            Diagnostic::warning("this book has an ISBN but no cover image: its EPUB carries folio's typographic cover (1600 × 2560 px), which stores take, but a designed cover sells better")
                .in_file(at)
                .hint("add `cover = \"covers/cover.jpg\"` to book.toml (1600 × 2560 pixels is the usual size)"),
        );
    } else {
        progress("Cover: none named in book.toml; the EPUB shows folio's typographic cover");
    }
}

/// The EPUB's generated cover: 1600 × 2560 px (the size Apple, Kobo and Google Play ask
/// for), drawn from a 5 × 8 in page of the same proportions.
pub const EPUB_COVER_PX: (u32, u32) = (1600, 2560);
/// The drawn EPUB cover's ground: a light grey (90 %), so that the cover keeps its edge on
/// a store's white page, with the black type still at full contrast.
const EPUB_COVER_GROUND: u8 = 230;
const EPUB_COVER_PT: (f32, f32) = (360.0, 576.0);

/// The print edition's files: each PDF's bytes by its file suffix (`-print`, `-booklet`,
/// `-cover`), and the line that sums them up.
pub struct PrintFiles {
    pub summary: String,
    pub files: Vec<(&'static str, Vec<u8>)>,
    /// Each PDF's pages by the same suffix (kept only by a session that keeps pages for a
    /// preview).
    pub documents: Vec<(&'static str, Arc<crate::typeset::frame::Pages>)>,
}

/// A build's editions for a preview: the screen edition's pages with their manifest, then
/// the print edition's documents (hashed again only when they are not `before`'s).
fn preview(
    pages: crate::typeset::frame::Pages,
    manifest: crate::manifest::Manifest,
    hashes: Vec<u64>,
    printed: Option<Arc<PrintFiles>>,
    before: Option<&Preview>,
) -> Preview {
    let mut editions = vec![crate::preview::Edition {
        name: crate::preview::SCREEN,
        pages: Arc::new(pages),
        manifest,
        hashes,
    }];
    for (suffix, doc) in printed.iter().flat_map(|p| &p.documents) {
        editions.push(crate::preview::Edition::of(
            crate::preview::edition_name(suffix),
            doc.clone(),
            before,
        ));
    }
    Preview { editions }
}

/// The print edition of `pages` by `print`, its covers set with the book's fonts.
fn print_files(
    book: &Resolved,
    env: &crate::typeset::Env,
    caches: &mut crate::typeset::Caches,
    pages: &crate::typeset::frame::Pages,
    print: &crate::settings::PrintSettings,
    cover: Option<Arc<crate::image::Image>>,
    slug: &str,
) -> DiagResult<PrintFiles> {
    let mut setter = crate::typeset::Setter::new(book, env, caches);
    let made = crate::print::make(pages, print, &mut setter, cover, slug);
    drop(setter);
    let fonts = env.font_files();
    let (mut files, mut documents) = (Vec::new(), Vec::new());
    for (suffix, mut doc) in made.documents {
        doc.fonts = fonts.clone();
        let bytes = crate::pdf::pdf(&doc).map_err(|e| {
            vec![Diagnostic::error(format!(
                "cannot write the {} PDF: {e}",
                suffix.trim_start_matches('-')
            ))]
        })?;
        files.push((suffix, bytes));
        documents.push((suffix, Arc::new(doc)));
    }
    Ok(PrintFiles {
        summary: made.summary,
        files,
        documents,
    })
}

/// The cover picture, decoded (once per session while its bytes stay the same), with the
/// hash of its bytes; a cover folio cannot decode is still the EPUB's, and the printed
/// front cover is then typographic.
fn cover_image(
    book: &Resolved,
    decoded: &mut Table<Arc<crate::image::Image>>,
) -> Option<(u64, Arc<crate::image::Image>)> {
    let src = book.meta.cover.as_ref()?;
    let bytes = book
        .assets
        .get(src)
        .map(|b| b.as_slice())
        .unwrap_or_default();
    let hash = crate::hash::of(bytes);
    let img = decoded.get_or_try(hash, || crate::image::decode(bytes).map(Arc::new));
    img.ok().map(|img| (hash, img))
}

/// The print edition's warnings: figures, and the cover picture, below [`PRINT_DPI`].
fn print_warnings(
    book: &Resolved,
    env: &crate::typeset::Env,
    pages: &crate::typeset::frame::Pages,
    print: &crate::settings::PrintSettings,
    cover: Option<&(u64, Arc<crate::image::Image>)>,
) -> Vec<Diagnostic> {
    let mut out = low_resolution(book, env, pages);
    if let (Some((_, img)), Some(src), Some(page)) = (cover, &book.meta.cover, pages.pages.first())
    {
        out.extend(cover_resolution(src, img, page, print.bleed));
    }
    out
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
fn epub_cover_png(
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
    /// The key of everything a piece's layout depends on beyond its own text.
    pub env_key: u64,
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
    memo: &mut Table<crate::resolve::Resolution>,
) -> DiagResult<(Resolved, Vec<Diagnostic>)> {
    let families = fonts.families();
    let code_family = fonts.code_family();
    crate::resolve::resolve_cached(
        book,
        assets,
        &crate::resolve::Inputs {
            families: &families,
            code_family: &code_family,
        },
        memo,
    )
}

/// Loads and resolves `book` with the files and fonts it names (through the project).
pub fn resolve_book(
    book: &crate::model::Book,
    project: &Project,
) -> DiagResult<(Resolved, Vec<Diagnostic>)> {
    let assets = crate::assets::Assets::load(book, project)?;
    let fonts = session_fonts(&mut Table::default(), book, project)?;
    resolve(book, assets, &fonts.1, &mut Table::default())
}

/// Resolves `book` (reading the fonts and figures it names through the project) and
/// typesets it: the resolved book and its pages (with the warnings of both steps).
pub fn typeset_book(
    book: &crate::model::Book,
    project: &Project,
    clock: i64,
) -> DiagResult<(Resolved, Typeset)> {
    let mut session = Session::without_memo();
    let fonts = session_fonts(&mut session.memo.fonts, book, project)?;
    let assets = crate::assets::Assets::load(book, project)?;
    let (resolved, warnings) = resolve(book, assets, &fonts.1, &mut session.memo.resolved)?;
    let mut typeset = typeset_in(&mut session, &resolved, fonts, clock)?;
    typeset.warnings.splice(0..0, warnings);
    Ok((resolved, typeset))
}

/// Typesets the resolved `book` with `fonts` (and their key) in a session: figures and
/// piece layouts come from the memo where their inputs did not change.
pub fn typeset_in(
    session: &mut Session,
    book: &Resolved,
    fonts: (u64, crate::typeset::font::FontSet),
    clock: i64,
) -> DiagResult<Typeset> {
    use crate::typeset::{Env, assemble};
    let t = Instant::now();
    let (figures, figure_keys) = load_figures_in(&mut session.memo.figures, book)?;
    let images = t.elapsed();
    let settings = &book.settings.pdf;
    // Everything a piece's layout depends on beyond its own text: the metadata and
    // settings, the fonts, the names of everyone in the book (never hyphenated, in any
    // piece), the bylines and the book's language, and the figures in order of first use
    // (a figure added to one piece renumbers the figures of the pieces after it).
    let figure_keys: Vec<(&String, Option<u64>)> = book
        .figures
        .iter()
        .map(|src| (src, figure_keys.get(src).copied()))
        .collect();
    let env_key = memo::key(&(
        (&book.meta, &book.settings, fonts.0),
        (&book.words, &book.lang, figure_keys),
    ));
    let keep = session.memo.is_on();
    if session.memo.shaping.env != env_key {
        let old = std::mem::take(&mut session.memo.shaping.workers);
        session.memo.retire(old);
        session.memo.shaping.env = env_key;
    }
    let shaping = &mut session.memo.shaping;
    let env = Env::new(book, fonts.1, figures);
    let keys: Vec<u64> = book
        .pieces
        .iter()
        .enumerate()
        .map(|(i, piece)| piece_key(env_key, book, i, piece))
        .collect();
    let layouts = &mut session.memo.layouts;
    // The pieces to lay out (the rest come from the memo), on the machine's cores: a
    // layout is a function of its piece, so the order the workers take them in changes
    // nothing.
    let todo: Vec<usize> = (0..keys.len()).filter(|&i| !layouts.has(keys[i])).collect();
    let threads = session
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .clamp(1, todo.len().max(1));
    if shaping.workers.len() < threads {
        shaping.workers.resize_with(threads, Default::default);
    }
    // A session that keeps results keeps set paragraphs for the next build too, once a
    // build reuses some pieces: the pieces laid out again are where the next edit falls.
    // A build that sets every piece (the first, or after `lang` or a font changed) keeps
    // none: copying each of the novel's paragraphs into the table cost 110 ms there, more
    // than the whole rebuild saved (`cargo bench --bench editions`, relayout).
    if keep && todo.len() < keys.len() {
        shaping
            .workers
            .iter_mut()
            .for_each(crate::typeset::Caches::remember_paragraphs);
    }
    let fresh = lay_out(book, &env, settings, &todo, &mut shaping.workers[..threads]);
    session.laid_out = todo.len();
    let made: Vec<u64> = fresh.iter().map(|(i, _)| keys[*i]).collect();
    for (i, layout) in fresh {
        layouts.insert(keys[i], layout);
    }
    let pieces: Vec<&crate::typeset::PieceLayout> = keys.iter().map(|&k| layouts.held(k)).collect();
    let (pages, warnings, steps) = assemble(
        book,
        &env,
        &mut shaping.workers[0],
        settings,
        doc_info(book, clock),
        &pieces,
    );
    // Time is counted in the build that laid a piece out: what is reused costs nothing in
    // the next.
    for k in made {
        if let Some(l) = layouts.get_mut(k) {
            l.times = Default::default();
        }
    }
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
        env_key,
        warnings,
    })
}

/// Every error (and warning) a build would report beyond loading: the fonts of `[pdf]
/// fonts` and every figure's image read and decoded as the build does them, and the book
/// resolved (for `check`). A font that cannot be used does not hide a broken image.
pub fn check(book: &crate::model::Book, project: &Project) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let fonts = match session_fonts(&mut Table::default(), book, project) {
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
    match resolve(book, assets, &fonts, &mut Table::default()) {
        Ok((resolved, warnings)) => {
            out.extend(warnings);
            if let Err(d) = load_figures_in(&mut Table::default(), &resolved) {
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

/// What the `index`th piece's layout is a function of: the environment's key, the piece's
/// place, its file and that file's text (by its hash from the loader), the part it opens
/// (from SUMMARY.md, not from its text: printed above its title), and its links' numbers in
/// the book's list of targets (a link elsewhere can move them; the assembly looks each
/// number up in the list).
#[derive(Hash)]
struct PieceKey<'a> {
    env: u64,
    index: usize,
    file: u32,
    path: Option<&'a std::path::Path>,
    text: Option<u64>,
    part: Option<&'a str>,
    targets: &'a [usize],
}

/// The key of the `index`th piece's layout (see [`PieceKey`]).
fn piece_key(env: u64, book: &Resolved, index: usize, piece: &crate::resolve::RPiece) -> u64 {
    let file = piece.span.file;
    memo::key(&PieceKey {
        env,
        index,
        file,
        path: book.sources.get(file as usize).map(PathBuf::as_path),
        text: book.text_hashes.get(file as usize).copied(),
        part: piece.part.as_deref().filter(|_| piece.opens_part),
        targets: &piece.targets,
    })
}

/// The fonts of `[pdf] fonts` over the shipped faces, parsed once per session while the
/// setting and the named files stay the same; returns them with their key.
fn session_fonts(
    memo: &mut Table<crate::typeset::font::FontSet>,
    book: &crate::model::Book,
    project: &Project,
) -> DiagResult<(u64, crate::typeset::font::FontSet)> {
    let pdf = &book.settings.pdf;
    // The files' bytes as read now (a replaced file under the same name is another font).
    let files: Vec<Option<u64>> = pdf
        .fonts
        .iter()
        .map(|(_, p)| p)
        .chain(&pdf.fallback_fonts)
        .map(|path| {
            let file = project.resolve(path, "font").ok()?;
            project.read_bytes(&file).ok().map(|b| crate::hash::of(&b))
        })
        .collect();
    let key = memo::key(&(&pdf.fonts, &pdf.fallback_fonts, files));
    let at = project.book_toml().unwrap_or_else(|| project.given.clone());
    let fonts = memo.get_or_try(key, || crate::typeset::load_fonts(pdf, project, &at))?;
    Ok((key, fonts))
}

/// Decoded images by their source as written.
type Figures = HashMap<String, Arc<crate::image::Image>>;

/// Reads and decodes every figure's image (through the project, so only files inside the
/// book are read); a damaged or unsupported image is an error at its figure. An image
/// whose bytes the memo holds decoded is not decoded again. Returns the images by source
/// with the hashes of their bytes.
fn load_figures_in(
    memo: &mut Table<Arc<crate::image::Image>>,
    book: &Resolved,
) -> DiagResult<(Figures, HashMap<String, u64>)> {
    let assets = &book.assets;
    let mut out = HashMap::new();
    let mut keys = HashMap::new();
    let mut errors = Vec::new();
    for (src, span) in figure_spans(book) {
        if out.contains_key(src) {
            continue;
        }
        // Read by `Assets::load`, which reported any file it could not read.
        let Some(bytes) = assets.get(src) else {
            continue;
        };
        let hash = crate::hash::of(bytes);
        match memo.get_or_try(hash, || crate::image::decode(bytes).map(Arc::new)) {
            Ok(img) => {
                out.insert(src.clone(), img);
                keys.insert(src.clone(), hash);
            }
            Err(why) => errors.push(
                book.locate(
                    Diagnostic::error(format!("cannot use the image `{src}`: {why}"))
                        .hint("save it as a JPEG or a non-interlaced PNG"),
                    span,
                ),
            ),
        }
    }
    match errors.is_empty() {
        true => Ok((out, keys)),
        false => Err(errors),
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
