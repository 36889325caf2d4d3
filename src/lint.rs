//! `folio check`: lints on the manuscript's source that the loader lets pass.
//!
//! Straight quotes and double spaces (typewriter habits that smart punctuation may curl the
//! wrong way), and metadata that distributors ask for. Each finding is a located warning.

use crate::diag::Diagnostic;
use crate::model::Book;
use std::path::Path;

/// Source-level lints of one Markdown file (front matter and code excluded).
pub fn source(path: &Path, text: &str) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut in_front = text.starts_with("---") || text.starts_with("+++");
    let mut in_code = false;
    let mut offset = 0;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let trimmed = line.trim();
        if in_front {
            if i > 0 && (trimmed == "---" || trimmed == "+++" || trimmed == "...") {
                in_front = false;
            }
        } else if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            in_code = !in_code;
        } else if !in_code && !line.starts_with("    ") {
            let body = line.trim_end_matches(['\n', '\r']);
            if let Some(col) = straight_quote(body) {
                out.push(
                    Diagnostic::warning("straight quote in the text")
                        .at_offset(path, text, offset + col)
                        .hint("type curly quotes (“ ” ‘ ’); folio curls straight ones, but guesses wrong before elisions like ’90s"),
                );
            }
            let content = body.trim_end();
            if let Some(col) = content
                .trim_start()
                .find("  ")
                .map(|c| c + (content.len() - content.trim_start().len()))
            {
                out.push(
                    Diagnostic::warning("double space in the text")
                        .at_offset(path, text, offset + col)
                        .hint("one space between sentences; the typesetter sets the spacing"),
                );
            }
            // A hyphen between spaces is a typewriter dash (a list item's `- ` starts the line).
            let lead = content.len() - content.trim_start().len();
            if let Some(col) = content[lead..].find(" - ").map(|c| c + lead) {
                out.push(
                    Diagnostic::warning("a hyphen used as a dash")
                        .at_offset(path, text, offset + col + 1)
                        .hint("type an en dash with spaces ( – ) or an em dash (—); `--` and `---` also become dashes"),
                );
            }
        }
        offset += line.len();
    }
    out
}

/// The byte column of the first straight quote outside inline code and link targets.
fn straight_quote(line: &str) -> Option<usize> {
    let mut in_code = false;
    let mut in_url = false;
    let mut in_attr = false;
    let bytes = line.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'`' => in_code = !in_code,
            b'(' if i > 0 && bytes[i - 1] == b']' => in_url = true,
            b')' if in_url => in_url = false,
            // `*term*{lang="es"}`: attribute values are syntax, not text.
            b'{' if i > 0 && matches!(bytes[i - 1], b'*' | b'_') => in_attr = true,
            b'}' if in_attr => in_attr = false,
            b'"' | b'\'' if !in_code && !in_url && !in_attr => return Some(i),
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
}
