//! `folio new NAME`: a new book folder with `book.toml` and a sample piece that builds.

use crate::diag::Diagnostic;
use std::path::Path;

const BOOK_TOML: &str = r#"# Book-level metadata. Every key is optional except `title`; `folio check` says what
# distributors still need. Pieces (*.md beside this file) are read in file-name order.
title = {title}
lang = "en"
publisher = "Your Press"
rights = "© The authors. All rights reserved."
description = "A short blurb for stores and readers."

[[author]]
name = "Firstname Lastname"
file-as = "Lastname, Firstname"

[pdf]
page-size = "a5"        # a5, a4, letter, 6x9, or page-width / page-height

[epub]
embed-fonts = false     # embed the OFL body font in the EPUB
"#;

const SAMPLE: &str = "---
kicker: Interviews
title: A Sample Interview
subtitle: How folio sets a conversation
interviewer: Firstname Lastname
interviewee:
  - name: Ada Example
    file-as: Example, Ada
description: \"A standfirst: one or two sentences that open the piece.\"
---

The introduction runs as ordinary paragraphs. A foreign term is set in italic with its
language, like *mancharisk’a*{lang=qu} or *El Gran Movimiento*{lang=es}.

**Firstname Lastname:** Questions are speaker turns: a paragraph that opens with the
speaker’s name in bold, followed by a colon.

**Ada Example:** Answers are turns too. A pull quote repeats a strong line from the text.

::: pullquote
“A pull quote repeats a strong line from the text.”
:::

Q: Short interviews can use Q and A instead of names.

A: Both conventions set the speaker as a run-in label.[^1]

[^1]: Footnotes go to the foot of the page in the PDF and become pop-up notes in the EPUB.
";

/// Creates the book folder `name`; refuses any path that exists and is not an empty
/// folder, however it is named (`nonexistent/..`, `./book`, a symbolic link, another
/// case on a case-insensitive disk), and never overwrites a file, even one made meanwhile.
pub fn create(name: &Path) -> Result<(), Diagnostic> {
    let io =
        |e: std::io::Error| Diagnostic::error(format!("cannot create the book: {e}")).in_file(name);
    let target = lexical(name).map_err(io)?;
    let taken = || {
        Diagnostic::error(format!(
            "`{}` already exists ({})",
            name.display(),
            target.display()
        ))
        .hint("choose a new folder name; folio never overwrites a book")
    };
    // `symlink_metadata`: a link is refused as it is, wherever it points.
    match std::fs::symlink_metadata(&target) {
        Ok(m) if m.is_dir() => {
            if std::fs::read_dir(&target).map_err(io)?.next().is_some() {
                return Err(taken());
            }
        }
        Ok(_) => return Err(taken()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io(e)),
    }
    let title = title_of(&target);
    std::fs::create_dir_all(&target).map_err(io)?;
    // A TOML string written by the TOML library: quotes and backslashes are escaped.
    let quoted = toml::Value::String(title).to_string();
    let write = |file: &str, text: &str| -> Result<(), Diagnostic> {
        use std::io::Write;
        let path = target.join(file);
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::AlreadyExists => taken(),
                _ => io(e),
            })?;
        f.write_all(text.as_bytes()).map_err(io)
    };
    write("book.toml", &BOOK_TOML.replace("{title}", &quoted))?;
    write("01-sample-interview.md", SAMPLE)?;
    Ok(())
}

/// `name` made absolute against the working folder with `.` and `..` resolved as written
/// (`nonexistent/..` is the working folder itself, whether `nonexistent` exists or not).
fn lexical(name: &Path) -> std::io::Result<std::path::PathBuf> {
    use std::path::Component;
    let mut out = std::env::current_dir()?;
    for c in name.components() {
        match c {
            Component::Prefix(_) | Component::RootDir => {
                out = std::path::PathBuf::from(c.as_os_str())
            }
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            Component::Normal(part) => out.push(part),
        }
    }
    Ok(out)
}

/// The sample book's title from its folder name: `my-festival-book` → "My Festival Book";
/// a name with capitals ("My Festival Book", "iPhone Stories") is kept as written.
pub fn title_of(name: &Path) -> String {
    let raw = name
        .file_name()
        .map(|n| n.to_string_lossy().replace(['-', '_'], " "))
        .unwrap_or_default();
    let raw = raw.trim();
    if raw.is_empty() {
        return "New Book".into();
    }
    if raw.chars().any(char::is_uppercase) {
        return raw.to_string();
    }
    raw.split(' ')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `path` as a POSIX shell word that can be pasted: quoted when it holds anything but
/// letters, digits and `._/-`.
pub fn shell_word(path: &Path) -> String {
    let s = path.to_string_lossy();
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '/' | '-'));
    if plain {
        s.into_owned()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}
