//! `folio check`: lints on the manuscript's source that the loader lets pass.
//!
//! Straight quotes and double spaces (typewriter habits that smart punctuation may curl the
//! wrong way), and metadata that distributors ask for. Each finding is a located warning.

use crate::diag::Diagnostic;
use crate::model::Book;
use std::path::Path;

/// Source-level lints of one Markdown file: only the text people read is linted (not the
/// front matter, code, raw HTML, link targets or a table's pipes and padding). Each kind
/// is reported once per line, at its first place.
pub fn source(path: &Path, text: &str) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    // Where each kind was last reported, so a line is reported once per kind (runs come
    // in order, so the scans between them add up to one pass over the text).
    let mut last: [Option<usize>; 3] = [None; 3];
    let mut warn = |kind: usize, at: usize, out: &mut Vec<Diagnostic>| {
        if last[kind].is_some_and(|prev| !text[prev..at].contains('\n')) {
            return;
        }
        last[kind] = Some(at);
        let (message, hint, shift) = LINTS[kind];
        out.push(
            Diagnostic::warning(message)
                .at_offset(path, text, at + shift)
                .hint(hint),
        );
    };
    for range in crate::markdown::reading_text(text) {
        let run = &text[range.clone()];
        let after_emphasis = text[..range.start].ends_with(['*', '_']);
        if let Some(col) = straight_quote(run, after_emphasis) {
            warn(QUOTE, range.start + col, &mut out);
        }
        if let Some(col) = run.find("  ") {
            warn(DOUBLE_SPACE, range.start + col, &mut out);
        }
        if let Some(col) = run.find(" - ") {
            warn(DASH, range.start + col, &mut out);
        }
    }
    out
}

const QUOTE: usize = 0;
const DOUBLE_SPACE: usize = 1;
const DASH: usize = 2;

/// Each lint's message, hint and how far past the match it points.
const LINTS: [(&str, &str, usize); 3] = [
    (
        "straight quote in the text",
        "type curly quotes (“ ” ‘ ’); folio curls straight ones, but guesses wrong before elisions like ’90s",
        0,
    ),
    (
        "double space in the text",
        "one space between sentences; the typesetter sets the spacing",
        0,
    ),
    (
        "a hyphen used as a dash",
        "type an en dash with spaces ( – ) or an em dash (—); `--` and `---` also become dashes",
        1,
    ),
];

/// The byte column of the first straight quote in a run of text, outside a span's
/// attributes (`*term*{lang="es"}`: attribute values are syntax, not text).
fn straight_quote(run: &str, after_emphasis: bool) -> Option<usize> {
    let mut in_attr = false;
    let bytes = run.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'{' if (i == 0 && after_emphasis)
                || (i > 0 && matches!(bytes[i - 1], b'*' | b'_')) =>
            {
                in_attr = true
            }
            b'}' if in_attr => in_attr = false,
            b'"' | b'\'' if !in_attr => return Some(i),
            _ => {}
        }
    }
    None
}

/// Metadata that distributors need, missing from the book.
pub fn metadata(book: &Book, at: &Path) -> Vec<Diagnostic> {
    let m = &book.meta;
    let mut out = Vec::new();
    let mut missing = |what: &str, key: &str, why: &str| {
        out.push(
            Diagnostic::warning(format!("the book has no {what}"))
                .in_file(at)
                .hint(format!("set `{key}` in book.toml: {why}")),
        );
    };
    if m.title.is_none() {
        missing("title", "title", "every store lists the book by it");
    }
    // A missing `lang` is `resolve`'s to report (it decides the language both editions
    // are set and declared in).
    if !m.creators.iter().any(|c| c.role.is_creator())
        && !book
            .pieces
            .iter()
            .any(|p| p.meta.creators.iter().any(|c| c.role.is_creator()))
    {
        missing(
            "author or interviewer",
            "author",
            "stores and libraries file the book under its creator",
        );
    }
    if m.publisher.is_none() {
        missing("publisher", "publisher", "distributors require it");
    }
    if m.rights.is_none() {
        missing(
            "rights statement",
            "rights",
            "say who holds the copyright or which licence applies",
        );
    }
    if m.description.is_none() {
        missing("description", "description", "stores show it as the blurb");
    }
    if m.identifier.is_none() {
        missing(
            "identifier",
            "identifier",
            "an ISBN-13 for retail; without it folio derives a stable UUID",
        );
    }
    if m.cover.is_none() {
        missing(
            "cover",
            "cover",
            "stores need a cover image (folio sets a plain typographic cover otherwise)",
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_straight_quotes_and_double_spaces() {
        let d = source(
            Path::new("x.md"),
            "---\ntitle: \"X\"\n---\nHe said \"no\".\nOne.  Two.\nOk `\"code\"` and *x*{lang=\"es\"}.\n- a list item - with a dash\n",
        );
        let r: Vec<String> = d.iter().map(|d| d.render(false)).collect();
        assert_eq!(d.len(), 3, "{r:?}");
        assert!(r[0].contains("x.md:4:9"));
        assert!(r[1].contains("x.md:5:5"));
        assert!(
            r[2].contains("hyphen used as a dash") && r[2].contains("x.md:7:15"),
            "{r:?}"
        );
    }

    #[test]
    fn lints_only_the_text_people_read() {
        // Issue 25: a pipe table's padding was "double space in the text".
        let text = "| Film  | Time  |\n|-------|-------|\n| Ran   | 9:00  |\n| A  B | x |\n\n\
                    ```\nlet s = \"x\";  // code\n```\n\n<span title=\"t\">x</span>\n\n\
                    [a](http://x.org/it's  \"t\")\n";
        let d = source(Path::new("x.md"), text);
        let r: Vec<String> = d.iter().map(|d| d.render(false)).collect();
        assert_eq!(d.len(), 1, "{r:?}");
        assert!(
            r[0].contains("double space") && r[0].contains("x.md:4:4"),
            "{r:?}"
        );
    }
}
