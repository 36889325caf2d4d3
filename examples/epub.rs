//! Builds a book folder's EPUB: `cargo run --example epub -- BOOK_DIR OUT` where OUT is a
//! folder (the file is named after the book's slug) or a `.epub` path.
//! The clock is `SOURCE_DATE_EPOCH`, else the metadata date, else the newest input file.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(dir), Some(out)) = (args.first(), args.get(1)) else {
        eprintln!("usage: epub BOOK_DIR OUT_DIR_OR_FILE");
        return ExitCode::from(2);
    };
    let fail = |diags: Vec<folio::diag::Diagnostic>| {
        for d in diags {
            eprintln!("{}", d.render(false));
        }
        ExitCode::FAILURE
    };
    let project = match folio::project::Project::open(Path::new(dir)) {
        Ok(p) => p,
        Err(d) => return fail(d),
    };
    let loaded = match folio::markdown::load(&project) {
        Ok(l) => l,
        Err(d) => return fail(d),
    };
    let book = &loaded.book;
    let sde = std::env::var("SOURCE_DATE_EPOCH").ok();
    let clock = match folio::project::clock(
        sde.as_deref(),
        book.meta.date.as_deref(),
        project.newest_mtime(&book.sources),
    ) {
        Ok(c) => c,
        Err(d) => return fail(vec![d]),
    };
    // The EPUB marks the typeset edition's pages: typeset first.
    let (resolved, pages) = match folio::build::typeset_book(book, &project, clock) {
        Ok((r, t)) => (r, t.pages),
        Err(d) => return fail(d),
    };
    let bytes = match folio::epub::epub(&resolved, clock, &pages.map) {
        Ok(b) => b,
        Err(d) => return fail(d),
    };
    let out = PathBuf::from(out);
    let path = if out.extension().is_some_and(|e| e == "epub") {
        out
    } else {
        let slug = folio::markdown::slug(&folio::epub::book_title(book));
        out.join(format!("{slug}.epub"))
    };
    if let Some(parent) = path.parent() {
        let _ = std::fs::create_dir_all(parent);
    }
    if let Err(e) = std::fs::write(&path, bytes) {
        eprintln!("error: cannot write {}: {e}", path.display());
        return ExitCode::FAILURE;
    }
    println!("{}", path.display());
    ExitCode::SUCCESS
}
