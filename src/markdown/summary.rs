//! mdBook's `SUMMARY.md`: the book's table of contents, read for the order of its files.
//!
//! The format (<https://rust-lang.github.io/mdBook/format/summary.html>): an optional
//! `# Summary` title; prefix and suffix chapters as bare links (`[Introduction](README.md)`);
//! numbered chapters as list items (`- [Title](path.md)`), nested by indentation; part
//! titles as further `#` headings; separators (`---`); draft chapters with an empty link
//! (`- [Soon]()`), which have no file. Only what a line links to matters here: the files in
//! the order they are listed, each with the part it is in.

/// One chapter the summary lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The file, relative to the summary's folder (percent-escapes decoded, `./` dropped).
    pub path: String,
    /// The byte offset of its line in the summary (for messages).
    pub offset: usize,
    /// The part title above it, if any.
    pub part: Option<String>,
}

/// The chapters `text` lists, in order; draft chapters (no file) are left out.
pub fn entries(text: &str) -> Vec<Entry> {
    let mut out = Vec::new();
    let mut part: Option<String> = None;
    let mut seen_title = false;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let at = offset;
        offset += line.len();
        let trimmed = line.trim();
        if let Some(heading) = trimmed.strip_prefix('#') {
            let title = heading.trim_start_matches('#').trim();
            // The first heading is the summary's own title; later ones title parts.
            if seen_title {
                part = Some(title.to_string()).filter(|t| !t.is_empty());
            }
            seen_title = true;
            continue;
        }
        if let Some(target) = link_target(trimmed) {
            // Prefix and suffix chapters are bare links, never in a part; numbered ones
            // are list items.
            let numbered = trimmed.starts_with(['-', '*', '+'])
                || trimmed
                    .split_once(['.', ')'])
                    .is_some_and(|(n, _)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
            let path = crate::escape::percent_decode(target.trim().trim_start_matches("./"));
            if !path.is_empty() {
                out.push(Entry {
                    path,
                    offset: at,
                    part: part.clone().filter(|_| numbered),
                });
            }
        }
    }
    out
}

/// The target of the first Markdown link on `line` (`[text](target)` or `[text](<target>)`),
/// without a title (`"…"`) after it.
fn link_target(line: &str) -> Option<&str> {
    let open = line.find("](")?;
    if !line[..open].contains('[') {
        return None;
    }
    let rest = &line[open + 2..];
    let target = match rest.strip_prefix('<') {
        Some(r) => &r[..r.find('>')?],
        None => {
            let end = rest.find(')')?;
            rest[..end].split_whitespace().next().unwrap_or("")
        }
    };
    Some(target)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_in_order_with_their_parts_drafts_left_out() {
        let text = "# Summary\n\n[Introduction](README.md)\n\n# Getting going\n\n\
                    - [Install](./install.md)\n  - [On Windows](guide/windows%20notes.md \"Windows\")\n\
                    - [Soon]()\n\n---\n\n# Reference\n\n1. [Flags](<reference/flags.md>)\n\n[Glossary](glossary.md)\n";
        let e = entries(text);
        let paths: Vec<&str> = e.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "README.md",
                "install.md",
                "guide/windows notes.md",
                "reference/flags.md",
                "glossary.md"
            ]
        );
        assert_eq!(e[0].part, None);
        assert_eq!(e[1].part.as_deref(), Some("Getting going"));
        assert_eq!(e[3].part.as_deref(), Some("Reference"));
        assert_eq!(e[4].part, None, "a suffix chapter is in no part");
        assert_eq!(&text[e[1].offset..e[1].offset + 8], "- [Insta");
    }
}
