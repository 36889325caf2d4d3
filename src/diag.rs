//! Diagnostics as values: `error: …` / `warning: …` with a location, the source line and hints.
//!
//! Every stage reports problems by returning [`Diagnostic`]s; only `main.rs` prints them
//! (through [`Diagnostic::render`]) and turns them into an exit code.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Warning,
    Error,
}

/// A 1-based line and column (columns count characters, not bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct LineCol {
    pub line: u32,
    pub col: u32,
}

/// Where a diagnostic points: a file and, when known, a position with its source line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub file: PathBuf,
    pub pos: Option<LineCol>,
    /// The text of the source line at `pos`, shown under the message: the whole line, or
    /// a window of it around the column when the line is long.
    pub source_line: Option<String>,
    /// Characters of the line left out before the window (0 for a whole line).
    pub skipped: u32,
}

/// Lines longer than this are shown as a window around the column: a diagnostic never
/// carries a whole megabyte-long line (a manuscript pasted as one line).
const SHOWN_LINE_CHARS: usize = 160;

/// One problem found in the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    pub location: Option<Location>,
    pub hints: Vec<String>,
}

/// The result of a stage that may fail with diagnostics.
pub type DiagResult<T> = Result<T, Vec<Diagnostic>>;

impl Diagnostic {
    /// An error with no location yet.
    pub fn error(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            location: None,
            hints: vec![],
        }
    }

    /// A warning with no location yet.
    pub fn warning(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            message: message.into(),
            location: None,
            hints: vec![],
        }
    }

    /// Points the diagnostic at a whole file.
    pub fn in_file(mut self, file: impl AsRef<Path>) -> Self {
        self.location = Some(Location {
            file: file.as_ref().to_path_buf(),
            pos: None,
            source_line: None,
            skipped: 0,
        });
        self
    }

    /// Points the diagnostic at `file:line:col`, taking the source line from `source`.
    pub fn at(self, file: impl AsRef<Path>, source: &str, pos: LineCol) -> Self {
        let line = source.lines().nth(pos.line.saturating_sub(1) as usize);
        self.at_line(file, line, pos)
    }

    /// Points the diagnostic at `file:line:col` whose line is `line` (the caller found it).
    pub fn at_line(mut self, file: impl AsRef<Path>, line: Option<&str>, pos: LineCol) -> Self {
        let (source_line, skipped) = match line {
            Some(l) => {
                let (w, s) = window(l, pos.col);
                (Some(w), s)
            }
            None => (None, 0),
        };
        self.location = Some(Location {
            file: file.as_ref().to_path_buf(),
            pos: Some(pos),
            source_line,
            skipped,
        });
        self
    }

    /// Points the diagnostic at a byte offset in `source`.
    pub fn at_offset(self, file: impl AsRef<Path>, source: &str, offset: usize) -> Self {
        let pos = line_col(source, offset);
        self.at(file, source, pos)
    }

    /// Adds a `hint:` line.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Renders like a compiler: `error: msg`, `--> file:line:col`, the source line with a caret,
    /// then `hint:` lines. `color` adds ANSI colours (only for a terminal).
    pub fn render(&self, color: bool) -> String {
        let (label, code) = match self.severity {
            Severity::Error => ("error", "\x1b[1;31m"),
            Severity::Warning => ("warning", "\x1b[1;33m"),
        };
        let paint = |s: &str, c: &str| {
            if color {
                format!("{c}{s}\x1b[0m")
            } else {
                s.to_owned()
            }
        };
        // Everything the user's files can put here is escaped (`printable`); the colours
        // are folio's own sequences, added after.
        let mut out = format!(
            "{}: {}\n",
            paint(label, code),
            paint(&printable(&self.message), "\x1b[1m")
        );
        if let Some(loc) = &self.location {
            let arrow = paint("-->", "\x1b[1;34m");
            let file = loc.file.display().to_string();
            let file = printable(&file);
            match loc.pos {
                Some(p) => {
                    let _ = writeln!(out, "  {arrow} {file}:{}:{}", p.line, p.col);
                }
                None => {
                    let _ = writeln!(out, "  {arrow} {file}");
                }
            }
            if let (Some(p), Some(line)) = (loc.pos, &loc.source_line) {
                let gutter = p.line.to_string();
                let pad = " ".repeat(gutter.len());
                let bar = paint("|", "\x1b[1;34m");
                let _ = writeln!(out, "  {pad} {bar}");
                let _ = writeln!(
                    out,
                    "  {} {bar} {}",
                    paint(&gutter, "\x1b[1;34m"),
                    printable(line)
                );
                // Under the column as shown: an escaped character before it is wider.
                let before: String = line
                    .chars()
                    .take(p.col.saturating_sub(1 + loc.skipped) as usize)
                    .collect();
                let caret_pad = " ".repeat(printable(&before).chars().count());
                let _ = writeln!(out, "  {pad} {bar} {caret_pad}{}", paint("^", code));
            }
        }
        for h in &self.hints {
            let _ = writeln!(out, "  = {}: {}", paint("hint", "\x1b[1;36m"), printable(h));
        }
        out
    }
}

/// The part of `line` shown for column `col`: all of it, or [`SHOWN_LINE_CHARS`] characters
/// around the column; and how many characters were left out before.
fn window(line: &str, col: u32) -> (String, u32) {
    let count = line.chars().count();
    if count <= SHOWN_LINE_CHARS {
        return (line.to_string(), 0);
    }
    let col = col.saturating_sub(1) as usize;
    let start = col
        .saturating_sub(SHOWN_LINE_CHARS / 2)
        .min(count - SHOWN_LINE_CHARS);
    let text: String = line.chars().skip(start).take(SHOWN_LINE_CHARS).collect();
    (text, start as u32)
}

/// Converts a byte offset into a 1-based line and character column.
/// `s` safe to print on a terminal: every control character (ESC starts a sequence that
/// can retitle the window or clear the screen; a line break fakes a line of output; tabs
/// stay) and every bidirectional override (which reorders what is shown) written as
/// `\u{1b}`, so a hostile file name or manuscript line shows as text.
pub fn printable(s: &str) -> std::borrow::Cow<'_, str> {
    let bad = |c: char| {
        (c.is_control() && c != '\t')
            || matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    };
    if !s.contains(bad) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if bad(c) {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// A serde message in the words of the file the user wrote: serde names the Rust type it
/// wanted ("expected struct RawMeta"), which means nothing to a writer.
pub fn plain_serde(msg: &str) -> String {
    let mut out = String::with_capacity(msg.len());
    let mut rest = msg;
    while let Some(at) = rest.find("expected ") {
        let (head, tail) = rest.split_at(at + "expected ".len());
        out.push_str(head);
        let word = |prefix: &str| {
            tail.strip_prefix(prefix).map(|t| {
                let end = t
                    .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .unwrap_or(t.len());
                &t[end..]
            })
        };
        if let Some(after) = word("struct ") {
            out.push_str("keys with their values (such as `title: …`)");
            rest = after;
        } else if let Some(after) = word("enum ") {
            out.push_str("one of the names folio knows");
            rest = after;
        } else {
            rest = tail;
        }
    }
    out.push_str(rest);
    out.replace("invalid type: sequence", "found a list")
        .replace("invalid type: map", "found a table of keys")
        .replace("invalid type: ", "found ")
}

pub fn line_col(source: &str, offset: usize) -> LineCol {
    let offset = offset.min(source.len());
    let mut start = offset;
    while !source.is_char_boundary(start) {
        start -= 1;
    }
    let before = &source[..start];
    let line = before.matches('\n').count() as u32 + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = source[line_start..start].chars().count() as u32 + 1;
    LineCol { line, col }
}

/// The byte offset of a 1-based line and column (clamped to the text).
pub fn offset_of(source: &str, pos: LineCol) -> usize {
    let mut offset = 0;
    for (i, line) in source.split_inclusive('\n').enumerate() {
        if i + 1 == pos.line as usize {
            let col = line
                .char_indices()
                .nth(pos.col.saturating_sub(1) as usize)
                .map_or(line.len(), |(b, _)| b);
            return offset + col;
        }
        offset += line.len();
    }
    source.len()
}

/// Levenshtein distance, for "did you mean" hints.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// The candidate nearest to `word`, if it is near enough to be a plausible typo.
pub fn nearest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (edit_distance(word, c), c))
        .filter(|(d, c)| *d <= (c.len().max(word.len()) / 3).max(2))
        .min()
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_files_put_in_a_diagnostic_cannot_drive_the_terminal() {
        assert_eq!(printable("a\u{1b}]0;x\u{7}b"), "a\\u{1b}]0;x\\u{7}b");
        assert_eq!(printable("tab\tstays"), "tab\tstays");
        assert_eq!(printable("rlo\u{202e}"), "rlo\\u{202e}");
        let d = Diagnostic::warning("bad \u{1b}[2J")
            .at_line(
                "dir\u{1b}[31m/a.md",
                Some("x \u{1b}[2J y"),
                LineCol { line: 1, col: 8 },
            )
            .hint("hint \u{1b}");
        let r = d.render(false);
        assert!(!r.contains('\u{1b}'), "{r}");
        // The caret stays under `y`, past the escaped sequence.
        let lines: Vec<&str> = r.lines().collect();
        let code = lines.iter().find(|l| l.contains("x \\u{1b}")).unwrap();
        let caret = lines.iter().find(|l| l.ends_with('^')).unwrap();
        assert_eq!(code.find('y').unwrap(), caret.len() - 1, "{r}");
    }

    #[test]
    fn serde_messages_name_no_rust_type() {
        assert_eq!(
            plain_serde("invalid type: sequence, expected struct RawMeta"),
            "found a list, expected keys with their values (such as `title: …`)"
        );
        assert_eq!(
            plain_serde("unknown variant `x`, expected enum Role at line 2"),
            "unknown variant `x`, expected one of the names folio knows at line 2"
        );
        assert_eq!(plain_serde("expected a string"), "expected a string");
    }

    #[test]
    fn line_col_counts_characters() {
        let s = "ab\n“cd”\n";
        assert_eq!(line_col(s, 0), LineCol { line: 1, col: 1 });
        assert_eq!(line_col(s, 3), LineCol { line: 2, col: 1 });
        assert_eq!(line_col(s, 3 + "“c".len()), LineCol { line: 2, col: 3 });
        assert_eq!(offset_of(s, LineCol { line: 2, col: 3 }), 3 + "“c".len());
    }

    #[test]
    fn nearest_suggests_typos_only() {
        let keys = ["author", "title", "subtitle"];
        assert_eq!(nearest("autor", keys), Some("author"));
        assert_eq!(nearest("subtitel", keys), Some("subtitle"));
        assert_eq!(nearest("zzzzzzzz", keys), None);
    }

    #[test]
    fn render_shows_location_and_hint() {
        let d = Diagnostic::error("unknown key `autor`")
            .at(
                "book.toml",
                "title = \"x\"\nautor = \"y\"\n",
                LineCol { line: 2, col: 1 },
            )
            .hint("did you mean `author`?");
        let r = d.render(false);
        assert!(r.contains("error: unknown key `autor`"));
        assert!(r.contains("--> book.toml:2:1"));
        assert!(r.contains("2 | autor = \"y\""));
        assert!(r.contains("hint: did you mean `author`?"));
    }
}
