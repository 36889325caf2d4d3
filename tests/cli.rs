//! The `folio` binary on temporary copies of fixture books: exit codes, messages, outputs.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn folio(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_folio"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A fresh temporary folder holding a copy of `manuscript/` (as `book/`).
fn temp_book(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("folio-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("book")).unwrap();
    for entry in std::fs::read_dir("manuscript").unwrap() {
        let p = entry.unwrap().path();
        std::fs::copy(&p, dir.join("book").join(p.file_name().unwrap())).unwrap();
    }
    dir
}

#[test]
fn check_passes_on_the_manuscript_with_distributor_warnings() {
    let dir = temp_book("check");
    let o = folio(&dir, &["check", "book"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("warning: the book has no publisher"));
    assert!(
        !Path::new(&dir.join("out")).exists(),
        "check must not write"
    );
}

#[test]
fn usage_errors_exit_2() {
    let dir = temp_book("usage");
    assert_eq!(
        folio(&dir, &["build", "--format", "docx"]).status.code(),
        Some(2)
    );
    assert_eq!(folio(&dir, &["frobnicate"]).status.code(), Some(2));
}

#[test]
fn bad_input_exits_1_with_a_located_error() {
    let dir = temp_book("bad");
    let piece = dir.join("book/01-the-escape-of-the-soul.md");
    let text = std::fs::read_to_string(&piece)
        .unwrap()
        .replacen("title:", "titel:", 1);
    std::fs::write(&piece, text).unwrap();
    let o = folio(&dir, &["check", "book"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("error: unknown metadata key `titel`"), "{err}");
    assert!(
        err.contains("--> book/01-the-escape-of-the-soul.md:3:1"),
        "{err}"
    );
    assert!(err.contains("hint: did you mean `title`?"), "{err}");
    assert!(!err.contains("panicked"));
}

#[test]
fn missing_path_is_an_error_not_a_panic() {
    let dir = temp_book("missing");
    let o = folio(&dir, &["build", "no-such-book"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("error: cannot open `no-such-book`"));
}

#[test]
fn new_creates_a_book_that_loads_and_refuses_to_overwrite() {
    let dir = temp_book("new");
    let o = folio(&dir, &["new", "my-booklet"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(dir.join("my-booklet/book.toml").is_file());
    let o = folio(&dir, &["check", "my-booklet"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!stderr(&o).contains("error"), "{}", stderr(&o));
    assert_eq!(folio(&dir, &["new", "my-booklet"]).status.code(), Some(1));
}

#[test]
fn a_symlink_out_of_the_book_is_refused() {
    let dir = temp_book("symlink");
    let outside = dir.join("secret.jpg");
    std::fs::write(&outside, b"secret").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(&outside, dir.join("book/cover.jpg")).unwrap();
    let toml = dir.join("book/book.toml");
    let text = std::fs::read_to_string(&toml).unwrap().replacen(
        "lang =",
        "cover = \"cover.jpg\"\nlang =",
        1,
    );
    std::fs::write(&toml, text).unwrap();
    let o = folio(&dir, &["check", "book"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("points outside the book folder"),
        "{}",
        stderr(&o)
    );
    // A piece that is itself a symlink out is not read either.
    std::fs::write(
        dir.join("outside.md"),
        "---\ntitle: Out\n---\nSecret text.\n",
    )
    .unwrap();
    let toml_text = std::fs::read_to_string(&toml)
        .unwrap()
        .replace("cover = \"cover.jpg\"\n", "");
    std::fs::write(&toml, toml_text).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(dir.join("outside.md"), dir.join("book/02-link.md")).unwrap();
    let o = folio(&dir, &["check", "book"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("outside the book folder"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn single_markdown_file_loads_on_its_own() {
    let dir = temp_book("single");
    std::fs::write(
        dir.join("notes.md"),
        "---\ntitle: Notes\nlang: en\n---\nA note with *un término*{lang=es}.\n",
    )
    .unwrap();
    let o = folio(&dir, &["check", "notes.md"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn build_writes_both_outputs_and_a_failed_build_leaves_them_untouched() {
    let dir = temp_book("atomic");
    let o = folio(&dir, &["build", "book", "--out", "out"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let pdf = dir.join("out/the-escape-of-the-soul.pdf");
    let epub = dir.join("out/the-escape-of-the-soul.epub");
    let (pdf_bytes, epub_bytes) = (std::fs::read(&pdf).unwrap(), std::fs::read(&epub).unwrap());
    assert!(pdf_bytes.starts_with(b"%PDF-"));
    assert!(epub_bytes.starts_with(b"PK"));
    // Unchanged input: byte-identical outputs.
    assert_eq!(
        folio(&dir, &["build", "book", "--out", "out"])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        std::fs::read(&pdf).unwrap(),
        pdf_bytes,
        "PDF differs between two builds"
    );
    assert_eq!(
        std::fs::read(&epub).unwrap(),
        epub_bytes,
        "EPUB differs between two builds"
    );
    // Break the manuscript: the build fails and the earlier outputs stay as they were.
    let piece = dir.join("book/01-the-escape-of-the-soul.md");
    let text = std::fs::read_to_string(&piece).unwrap();
    std::fs::write(&piece, text.replacen("::: pullquote", "::: pullquot", 1)).unwrap();
    let o = folio(&dir, &["build", "book", "--out", "out"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("unknown fenced block `pullquot`"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("nothing was written"));
    assert_eq!(std::fs::read(&pdf).unwrap(), pdf_bytes);
    assert_eq!(std::fs::read(&epub).unwrap(), epub_bytes);
    let names: Vec<String> = std::fs::read_dir(dir.join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names.len(),
        3,
        "the PDF, the EPUB and the manifest; no temporary files left behind: {names:?}"
    );
}

#[test]
fn format_selects_the_outputs() {
    let dir = temp_book("format");
    let o = folio(&dir, &["build", "book", "--out", "e", "--format", "epub"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(dir.join("e/the-escape-of-the-soul.epub").is_file());
    assert!(!dir.join("e/the-escape-of-the-soul.pdf").exists());
    let o = folio(
        &dir,
        &[
            "build",
            "book/01-the-escape-of-the-soul.md",
            "--out",
            "p",
            "--format",
            "pdf",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(dir.join("p/the-escape-of-the-soul.pdf").is_file());
}

#[test]
fn check_warns_about_a_piece_without_a_title() {
    let dir = temp_book("untitled");
    std::fs::write(
        dir.join("book/02-untitled.md"),
        "A piece with no front matter.\n",
    )
    .unwrap();
    let o = folio(&dir, &["check", "book"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("warning: this piece has no title") && err.contains("--> book/02-untitled.md"),
        "{err}"
    );
}
