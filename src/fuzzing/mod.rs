//! The harness shared by the fuzz targets (`fuzz/`) and the corpus replay test
//! (`tests/fuzz_corpus.rs`): arbitrary bytes → a book folder → load (and build); and
//! ([`editions`]) arbitrary bytes → a book and a sequence of edits, each built warm and cold.
//!
//! The bytes are split at lines `=====`: the first part is `book.toml`, each further part a
//! piece (`01.md`, `02.md`, …, at most [`MAX_PIECES`]); so the fuzzer reaches several
//! pieces, several languages and any front matter. Every outcome but a panic is fine:
//! errors are the expected answer to most inputs.

use std::path::PathBuf;

pub mod editions;

/// Pieces a fuzz input may hold: enough for book-level and piece-level metadata to meet.
pub const MAX_PIECES: usize = 4;

/// Writes `data` as a book into a folder of this process and returns it.
pub fn book_from_bytes(data: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("folio-fuzz-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::create_dir_all(&dir);
    let text = String::from_utf8_lossy(data);
    let mut parts = text.split("\n=====\n");
    if let Some(toml) = parts.next() {
        let _ = std::fs::write(dir.join("book.toml"), toml);
    }
    for (i, piece) in parts.take(MAX_PIECES).enumerate() {
        let _ = std::fs::write(dir.join(format!("{:02}.md", i + 1)), piece);
    }
    dir
}

/// Loads the book made of `data`; with `outputs`, builds the PDF and the EPUB in memory
/// too. Panics only where folio has a bug.
pub fn run(data: &[u8], outputs: bool) {
    let dir = book_from_bytes(data);
    let Ok(project) = crate::project::Project::open(&dir) else {
        return;
    };
    let Ok(loaded) = crate::markdown::load(&project) else {
        return;
    };
    if outputs && let Ok((book, t)) = crate::build::typeset_book(&loaded.book, &project, 0) {
        let _ = crate::pdf::pdf(&t.pages);
        let _ = crate::epub::epub(&book, 0, &t.pages.map);
    }
}
