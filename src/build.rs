//! The whole build: load → (epub) and (typeset → pdf), then write the outputs atomically.
//!
//! Every output is made in memory first; only when all of them succeeded are they written,
//! each to a temporary file beside its destination and renamed over it. A failed build
//! therefore writes nothing and leaves earlier outputs exactly as they were.

use crate::diag::{DiagResult, Diagnostic};
use crate::markdown;
use crate::project::{self, Project};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Set in a debug build, the EPUB thread panics (for the tests of the bug exit code).
const TEST_PANIC: &str = "FOLIO_DEBUG_PANIC_IN_EPUB";

/// Which outputs to make and where.
#[derive(Debug, Clone)]
pub struct Options {
    pub out_dir: PathBuf,
    pub pdf: bool,
    pub epub: bool,
}

/// What a successful build did.
#[derive(Debug, Default)]
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
    let mut report = Report::default();
    let t = Instant::now();
    let loaded = markdown::load(project)?;
    report.timings.push(("load", t.elapsed()));
    let book = loaded.book;
    report.warnings = loaded.warnings;
    progress(&format!(
        "Loaded {} ({} piece{})",
        project.given.display(),
        book.pieces.len(),
        if book.pieces.len() == 1 { "" } else { "s" }
    ));
    let slug = markdown::slug(book.meta.title.as_deref().unwrap_or("book"));
    let slug = if slug.is_empty() {
        "book".to_string()
    } else {
        slug
    };
    let epoch = std::env::var("SOURCE_DATE_EPOCH").ok();
    let clock = project::clock(
        epoch.as_deref(),
        book.meta.date.as_deref(),
        project.newest_mtime(&book.sources),
    )
    .map_err(|d| vec![d])?;
    let mut files: Vec<(PathBuf, Vec<u8>)> = Vec::new();
    // The book is typeset for either output: the EPUB's print page numbers come from the
    // typeset pages.
    let typeset = typeset_book(&book, project, clock)?;
    report.timings.extend(typeset.timings);
    report.counts.extend(typeset.counts);
    report.warnings.extend(typeset.warnings);
    let pages = typeset.pages;
    // The edition manifest: which pages changed since the last build into this folder.
    let manifest = crate::manifest::Manifest::of(&pages);
    let manifest_path = opts.out_dir.join(format!("{slug}.manifest.json"));
    if let Some(old) = std::fs::read(&manifest_path)
        .ok()
        .and_then(|b| crate::manifest::Manifest::from_json(&b))
    {
        let changes = crate::manifest::Changes::between(&old, &manifest);
        report.changes = Some(changes.describe(&manifest));
    }
    // The EPUB is written on a second thread while the PDF is written: the back ends share
    // nothing but the read-only book and pages, and the machine has two cores.
    let (epub, pdf) = std::thread::scope(|scope| {
        let epub = opts.epub.then(|| {
            scope.spawn(|| {
                // Debug builds only: the tests' way to prove a panic here is reported as a
                // bug (exit 101), since no input is known to make one.
                if cfg!(debug_assertions) && std::env::var_os(TEST_PANIC).is_some() {
                    panic!("deliberate panic in the EPUB thread ({TEST_PANIC})");
                }
                let t = Instant::now();
                crate::epub::epub(&book, project, clock, &pages.map).map(|b| (b, t.elapsed()))
            })
        });
        let pdf = opts.pdf.then(|| pdf_bytes(&pages, &mut report));
        // A panic in the EPUB thread is a bug: it goes on as a panic (exit 101), never
        // dressed up as an ordinary error.
        let epub = epub.map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)));
        (epub, pdf)
    });
    let mut errors = Vec::new();
    match epub {
        Some(Ok((bytes, took))) => {
            report.timings.push(("epub", took));
            // An ISBN means the book is meant for stores, and stores need a cover image.
            let isbn = matches!(book.meta.identifier, Some(crate::meta::Identifier::Isbn(_)));
            if isbn && book.meta.cover.is_none() {
                let at = project.book_toml().unwrap_or_else(|| project.given.clone());
                report.warnings.push(
                    Diagnostic::warning("this book has an ISBN but no cover image; stores (Google Play, Apple Books, Kobo) need one")
                        .in_file(at)
                        .hint("add `cover = \"covers/cover.jpg\"` to book.toml (1600 × 2560 pixels is the usual size)"),
                );
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
    if let Some(changes) = &report.changes {
        progress(&format!("Compared with the last build: {changes}"));
    }
    Ok(report)
}

/// The PDF writer.
fn pdf_bytes(pages: &crate::typeset::frame::Pages, report: &mut Report) -> DiagResult<Vec<u8>> {
    let t = Instant::now();
    let bytes = crate::pdf::pdf(pages)
        .map_err(|e| vec![Diagnostic::error(format!("cannot write the PDF: {e}"))])?;
    report.timings.push(("pdf", t.elapsed()));
    Ok(bytes)
}

/// A typeset book: its pages, the typesetter's warnings, and where the time went.
#[derive(Debug)]
pub struct Typeset {
    pub pages: crate::typeset::frame::Pages,
    pub warnings: Vec<Diagnostic>,
    pub timings: Vec<(&'static str, Duration)>,
    pub counts: Vec<(&'static str, usize)>,
}

/// Loads the fonts and figures `book` needs (through the project) and typesets it.
pub fn typeset_book(
    book: &crate::model::Book,
    project: &Project,
    clock: i64,
) -> DiagResult<Typeset> {
    let at = project.book_toml().unwrap_or_else(|| project.given.clone());
    let fonts = crate::typeset::load_fonts(&book.settings.pdf, project, &at)?;
    let t = Instant::now();
    let figures = load_figures(book, project)?;
    let images = t.elapsed();
    let (pages, warnings, steps) = crate::typeset::typeset(
        book,
        fonts,
        &book.settings.pdf,
        doc_info(book, clock),
        figures,
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
        warnings,
    })
}

/// Every error a build would report about the files the book names: the fonts of `[pdf]
/// fonts` and every figure's image are read and decoded as the build does (for `check`).
pub fn check_assets(book: &crate::model::Book, project: &Project) -> Vec<Diagnostic> {
    let at = project.book_toml().unwrap_or_else(|| project.given.clone());
    let mut errors = Vec::new();
    if let Err(d) = crate::typeset::load_fonts(&book.settings.pdf, project, &at) {
        errors.extend(d);
    }
    if let Err(d) = load_figures(book, project) {
        errors.extend(d);
    }
    errors
}

/// Reads and decodes every figure's image (through the project, so only files inside the
/// book are read); a damaged or unsupported image is an error at its figure.
fn load_figures(
    book: &crate::model::Book,
    project: &Project,
) -> DiagResult<std::collections::HashMap<String, std::sync::Arc<crate::image::Image>>> {
    let mut out = std::collections::HashMap::new();
    let mut errors = Vec::new();
    for piece in &book.pieces {
        for (src, span) in crate::model::figures(&piece.blocks) {
            if out.contains_key(src) {
                continue;
            }
            let at = |d: Diagnostic| book.locate(d, span);
            let bytes = match project
                .resolve(src, "image")
                .map(|p| project.read_bytes(&p))
            {
                Ok(Ok(b)) => b,
                Ok(Err(ds)) => {
                    errors.extend(ds);
                    continue;
                }
                Err(d) => {
                    errors.push(at(d));
                    continue;
                }
            };
            match crate::image::decode(&bytes) {
                Ok(img) => {
                    out.insert(src.to_string(), std::sync::Arc::new(img));
                }
                Err(why) => errors.push(at(Diagnostic::error(format!(
                    "cannot use the image `{src}`: {why}"
                ))
                .hint("save it as a JPEG or a non-interlaced PNG"))),
            }
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// The PDF's document information, from the book's metadata and the build clock.
pub fn doc_info(book: &crate::model::Book, clock: i64) -> crate::typeset::frame::DocInfo {
    let m = &book.meta;
    crate::typeset::frame::DocInfo {
        title: m.title.clone().unwrap_or_default(),
        subtitle: m.subtitle.clone(),
        // The book's creators (book-level people); a book that names nobody at that level
        // lists the people of its pieces rather than nobody.
        authors: {
            let book_level: Vec<String> = m.creators.iter().map(|c| c.name.clone()).collect();
            if book_level.is_empty() {
                book.all_creators().into_iter().map(|c| c.name).collect()
            } else {
                book_level
            }
        },
        subject: m.description.clone().or_else(|| m.subtitle.clone()),
        keywords: m.subjects.clone(),
        lang: m.lang.clone().unwrap_or_else(|| "en".into()),
        date: project::iso8601(clock),
        identifier: book.identifier().urn(),
        producer: format!("folio {}", env!("CARGO_PKG_VERSION")),
    }
}
