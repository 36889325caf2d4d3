//! Fenced divs (`::: pullquote` … `:::`, as pandoc writes them), handled before parsing.
//!
//! The published pulldown-cmark (0.13) has no container blocks, and with definition lists
//! on it would read `:::` as a definition. So the loader finds the fences itself (outside
//! code blocks), blanks the fence lines with spaces (byte offsets stay valid for
//! diagnostics), and reports the byte ranges the divs enclose.

use std::ops::Range;

/// A fenced div found in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Div {
    /// The class: `pullquote`.
    pub class: String,
    /// Offset of the opening fence line.
    pub open: usize,
    /// The bytes between the fences.
    pub inner: Range<usize>,
}

/// A fence problem and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FenceError {
    pub offset: usize,
    pub message: String,
    pub hint: String,
}

/// The div classes folio knows.
pub const CLASSES: &[&str] = &["pullquote"];

/// Appends `text` blanked: the same byte length, all spaces but its line breaks, so the
/// Markdown parser sees blank lines and every offset after them stays exact (a multi-byte
/// character becomes several spaces).
fn push_blank(out: &mut String, text: &str) {
    for c in text.chars() {
        if c == '\n' || c == '\r' {
            out.push(c);
        } else {
            out.extend(std::iter::repeat_n(' ', c.len_utf8()));
        }
    }
}

/// Stands in for a line's opening colon that is not followed by a space (`:wq`): pandoc
/// opens a definition only with `: ` or `:` and a tab, while pulldown-cmark takes any
/// colon and would turn the line before into a term. One byte, like the colon, and a
/// control character the loader has already removed from the text, so it stands for
/// nothing else; [`restore`] puts the colon back in the parser's text.
pub const COLON_MARK: char = '\u{1a}';

/// Whether a line (trimmed) opens with a colon that pandoc would not read as a definition.
fn is_bare_colon(trimmed: &str) -> bool {
    let mut chars = trimmed.chars();
    chars.next() == Some(':') && !matches!(chars.next(), Some(' ' | '\t' | ':') | None)
}

/// The parser's event with [`COLON_MARK`] made a colon again.
pub fn restore<'a>(
    (event, range): (pulldown_cmark::Event<'a>, Range<usize>),
) -> (pulldown_cmark::Event<'a>, Range<usize>) {
    match event {
        pulldown_cmark::Event::Text(t) if t.contains(COLON_MARK) => (
            pulldown_cmark::Event::Text(t.replace(COLON_MARK, ":").into()),
            range,
        ),
        other => (other, range),
    }
}

/// Finds the divs in `text[from..]`, returning the text with `text[..from]` (the front
/// matter) and the fence lines blanked, and bare opening colons marked.
pub fn extract(text: &str, from: usize) -> Result<(String, Vec<Div>), FenceError> {
    let mut out = String::with_capacity(text.len());
    // The front matter, already read, is blanked too: the parser sees only the body, so a
    // `---` block further down is Markdown (a rule and a heading), never metadata.
    push_blank(&mut out, &text[..from]);
    let mut divs = Vec::new();
    let mut open: Option<(usize, String, usize)> = None; // (fence offset, class, inner start)
    let mut code_fence: Option<String> = None;
    let mut offset = from;
    for line in text[from..].split_inclusive('\n') {
        let trimmed = line.trim();
        let indent = line.len() - line.trim_start().len();
        let mut blank = false;
        if let Some(f) = &code_fence {
            if trimmed.starts_with(f.as_str())
                && trimmed
                    .trim_start_matches(f.chars().next().unwrap_or('`'))
                    .is_empty()
            {
                code_fence = None;
            }
        } else if indent < 4 && (trimmed.starts_with("```") || trimmed.starts_with("~~~")) {
            let ch = trimmed.chars().next().unwrap_or('`');
            code_fence = Some(trimmed.chars().take_while(|c| *c == ch).collect());
        } else if indent < 4 && trimmed.starts_with(":::") {
            blank = true;
            let rest = trimmed.trim_start_matches(':').trim();
            if rest.is_empty() {
                match open.take() {
                    Some((fence, class, inner)) => divs.push(Div {
                        class,
                        open: fence,
                        inner: inner..offset,
                    }),
                    None => {
                        return Err(FenceError {
                            offset: offset + indent,
                            message: "closing `:::` without an opening fence".into(),
                            hint: "open the block with `::: pullquote`".into(),
                        });
                    }
                }
            } else {
                if let Some((fence, _, _)) = &open {
                    return Err(FenceError {
                        offset: offset + indent,
                        message: "fenced blocks cannot be nested".into(),
                        hint: format!("close the block opened at byte {fence} with `:::` first"),
                    });
                }
                let class = rest
                    .trim_start_matches('{')
                    .trim_end_matches('}')
                    .trim()
                    .trim_start_matches('.')
                    .to_string();
                if !CLASSES.contains(&class.as_str()) {
                    let near = crate::diag::nearest(&class, CLASSES.iter().copied());
                    return Err(FenceError {
                        offset: offset + indent,
                        message: format!("unknown fenced block `{class}`"),
                        hint: match near {
                            Some(n) => format!("did you mean `{n}`?"),
                            None => format!("folio knows: {}", CLASSES.join(", ")),
                        },
                    });
                }
                open = Some((offset + indent, class, offset + line.len()));
            }
        }
        if blank {
            push_blank(&mut out, line);
        } else if code_fence.is_none() && indent < 4 && is_bare_colon(trimmed) {
            out.push_str(&line[..indent]);
            out.push(COLON_MARK);
            out.push_str(&line[indent + 1..]);
        } else {
            out.push_str(line);
        }
        offset += line.len();
    }
    if let Some((fence, class, _)) = open {
        return Err(FenceError {
            offset: fence,
            message: format!("the `{class}` block is never closed"),
            hint: "end it with a line holding only `:::`".into(),
        });
    }
    Ok((out, divs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_pullquotes_and_keeps_offsets() {
        let t = "Para.\n\n::: pullquote\n“Quote.”\n:::\n\nMore.\n";
        let (blanked, divs) = extract(t, 0).unwrap();
        assert_eq!(blanked.len(), t.len());
        assert_eq!(divs.len(), 1);
        assert_eq!(&t[divs[0].inner.clone()], "“Quote.”\n");
        assert!(!blanked.contains(":::"));
        assert_eq!(&blanked[t.find("More").unwrap()..], "More.\n");
    }

    #[test]
    fn ignores_code_and_reports_errors() {
        assert!(extract("```\n:::\n```\n", 0).unwrap().1.is_empty());
        assert!(
            extract("::: pullquote\nx\n", 0)
                .unwrap_err()
                .message
                .contains("never closed")
        );
        assert!(
            extract(":::\n", 0)
                .unwrap_err()
                .message
                .contains("without an opening")
        );
        assert!(
            extract("::: pulquote\nx\n:::\n", 0)
                .unwrap_err()
                .hint
                .contains("pullquote")
        );
        let t = "::: {.pullquote}\n“é”\n:::\nAfter\n";
        let (b, divs) = extract(t, 0).unwrap();
        assert_eq!((b.len(), divs.len()), (t.len(), 1));
    }
}
