//! Code blocks: a listing's text → rows in the code face, every space kept.
//!
//! Code is set in the monospaced face (JetBrains Mono) at [`CODE_SCALE`] of the text size,
//! one em in from the text's left edge, as written: tabs expanded to the next stop every
//! [`TAB_WIDTH`] columns, runs of spaces kept (no-break spaces of the face's one width, so
//! carets stay under what they point at and a directory tree stays drawn). A line longer
//! than the measure wraps at its last space that leaves at least half the line (or at the
//! measure when there is none), and each continuation starts with a `→` mark, drawn but not
//! read. A listing keeps at least two lines on each side of a page break, as a paragraph
//! does (a listing of three lines or fewer is never split).

use super::Ctx;
use super::blocks::{Measure, line_items, line_rows, set};
use super::collect::{CODE_SCALE, Run, TAB_WIDTH, TextStyle};
use super::flow::Row;
use super::font::Style;
use super::frame::{Item, Role, Tag};
use super::par::Align;
use crate::resolve::RBlock;

/// What begins a continued line (an artifact: the line reads on without it).
const CONTINUATION: &str = "→ ";

/// The rows of code block `b` with text `text`.
pub fn code_rows(ctx: &mut Ctx, b: &RBlock, text: &str, m: Measure, lang: &str) -> Vec<Row> {
    let style = TextStyle {
        hyphenate: false,
        ..TextStyle::new(Style::Mono, m.size * CODE_SCALE)
    };
    let inset = m.size;
    let cell = advance(ctx, "0", style, lang, b);
    let columns = if cell > 0.0 {
        (((m.width - inset) / cell).floor() as usize).max(MIN_COLUMNS)
    } else {
        usize::MAX
    };
    let mut lines = Vec::new();
    let mut continued = Vec::new();
    for source in text.lines() {
        let expanded = expand_tabs(source);
        let parts = wrap(&expanded, columns);
        let count = parts.len();
        for (k, part) in parts.into_iter().enumerate() {
            // Spaces keep their width (and never break: the wrapping is done).
            let shown = part.replace(' ', "\u{a0}");
            let runs = vec![Run::added(shown, style, lang, b.span)];
            let mut set_lines = set(ctx, &runs, f32::MAX / 4.0, Align::Left);
            // The end of a source line reads as a space between its words and the next
            // line's.
            if k + 1 == count
                && let Some(g) = set_lines
                    .last_mut()
                    .and_then(|l| l.runs.last_mut())
                    .and_then(|r| r.glyphs.last_mut())
                && !g.text.ends_with(' ')
            {
                g.text.push(' ');
            }
            if set_lines.is_empty() {
                set_lines.push(Default::default());
            }
            if k > 0 {
                for line in &mut set_lines {
                    for r in &mut line.runs {
                        r.origin.x += cell * CONTINUATION.chars().count() as f32;
                    }
                }
            }
            continued.extend(std::iter::repeat_n(k > 0, set_lines.len()));
            lines.extend(set_lines);
        }
    }
    let mut rows = line_rows(lines, inset, m, b.id, Role::Code);
    let mark = mark_items(ctx, style, lang, b, inset, m);
    for (row, cont) in rows.iter_mut().zip(continued) {
        if cont {
            std::sync::Arc::make_mut(&mut row.items).extend(mark.iter().cloned());
        }
    }
    rows
}

/// The fewest columns a listing is wrapped at, however narrow the measure.
const MIN_COLUMNS: usize = 8;

/// The continuation mark, as an artifact at the listing's left edge.
fn mark_items(
    ctx: &mut Ctx,
    style: TextStyle,
    lang: &str,
    b: &RBlock,
    x: f32,
    m: Measure,
) -> Vec<Item> {
    let runs = vec![Run::added(
        CONTINUATION.trim_end().into(),
        style,
        lang,
        b.span,
    )];
    let mut out = vec![Item::Tag(Tag::Artifact)];
    for l in set(ctx, &runs, f32::MAX / 4.0, Align::Left) {
        out.extend(line_items(l, x, m.leading * super::blocks::BASELINE));
    }
    out.push(Item::Tag(Tag::End));
    out
}

/// The advance of `text` in `style` (pt).
fn advance(ctx: &mut Ctx, text: &str, style: TextStyle, lang: &str, b: &RBlock) -> f32 {
    let runs = vec![Run::added(text.into(), style, lang, b.span)];
    set(ctx, &runs, f32::MAX / 4.0, Align::Left)
        .iter()
        .flat_map(|l| l.runs.iter())
        .flat_map(|r| r.glyphs.iter())
        .map(|g| g.advance)
        .sum()
}

/// `line` with its tabs expanded to the next stop.
fn expand_tabs(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut column = 0;
    for c in line.chars() {
        if c == '\t' {
            let n = TAB_WIDTH - column % TAB_WIDTH;
            out.extend(std::iter::repeat_n(' ', n));
            column += n;
        } else {
            out.push(c);
            column += 1;
        }
    }
    out
}

/// `line` cut into pieces of at most `columns` characters (continuations
/// `columns - 2`, after their mark): at the last space that leaves at least half a piece,
/// else at the limit.
fn wrap(line: &str, columns: usize) -> Vec<String> {
    let chars: Vec<char> = line.chars().collect();
    let mut out = Vec::new();
    let mut start = 0;
    let mut width = columns;
    while chars.len() - start > width {
        let limit = start + width;
        let cut = (start + width / 2..limit)
            .rev()
            .find(|&i| chars[i] == ' ')
            .map_or(limit, |i| i + 1);
        out.push(chars[start..cut].iter().collect());
        start = cut;
        width = columns.saturating_sub(CONTINUATION.chars().count()).max(1);
    }
    out.push(chars[start..].iter().collect());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tabs_go_to_the_next_stop() {
        assert_eq!(expand_tabs("\tall:\tbuild"), "    all:    build");
        assert_eq!(expand_tabs("ab\tc"), "ab  c");
    }

    #[test]
    fn long_lines_wrap_at_a_space_or_at_the_limit() {
        assert_eq!(wrap("short", 10), ["short"]);
        assert_eq!(wrap("aaaa bbbb cccc", 10), ["aaaa bbbb ", "cccc"]);
        assert_eq!(wrap("abcdefghijklmnop", 10), ["abcdefghij", "klmnop"]);
        // Continuations have two columns fewer, for their mark.
        assert_eq!(
            wrap("abcdefghijklmnopqrst", 10),
            ["abcdefghij", "klmnopqr", "st"]
        );
    }
}
