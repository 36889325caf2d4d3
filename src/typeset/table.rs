//! Tables: header and body cells → grid rows, booktabs style (a rule above, one under the
//! header, one below; no vertical rules).
//!
//! Column widths follow CSS's automatic table layout: each column has a minimum (its
//! longest word) and a natural width (its widest cell on one line); the measure is shared in
//! proportion to the natural widths, no column narrower than its minimum. All the tables of
//! a piece are set in one [`TableStyle`]: at the text size when every table's minima fit;
//! else smaller, for all of them together, down to [`MIN_SCALE`]; then with hyphenated
//! cells; below that (with a located warning naming the width it needed) as small as it
//! must be: nothing is ever drawn outside the text block. A table row never splits across
//! pages; the header stays with the first body row and is repeated at the top of every page
//! the table continues on; a page that breaks inside the table closes it with a rule; the
//! bottom rule never starts a page.

use super::Ctx;
use super::blocks::{BASELINE, Measure, line_items, set, tagged};
use super::collect::{TextStyle, collect};
use super::flow::{FORBIDDEN, Row};
use super::font::Style;
use super::frame::{Item, Point, Role};
use super::par::{Align, SetLine};
use crate::diag::Diagnostic;
use crate::model::{Align as ColAlign, Span};
use crate::resolve::Cell;
use std::sync::Arc;

/// Space between columns: one em.
const COLUMN_GAP_EM: f32 = 1.0;
/// Booktabs rule weights: heavier above and below, lighter under the header.
pub const HEAVY_RULE: f32 = 0.6;
const LIGHT_RULE: f32 = 0.35;
/// A table too wide at the text size is set smaller, down to 80 % of the text size: below
/// that, table text stops being readable beside the body.
const MIN_SCALE: f32 = 0.8;
/// A table of this many body rows or fewer is kept on one page.
const SHORT_TABLE_ROWS: usize = 4;
/// Added to a column's width when its cells are set (pt): rounding must not wrap a cell
/// whose column was made exactly as wide as it.
const FIT_SLACK: f32 = 0.01;
/// A body row splits over pages only with this many of its lines on each side (as a
/// paragraph: no cell's line alone above or below the break)…
const ROW_SPLIT_KEEP: usize = 2;
/// …at this cost: worse than a page two lines short, better than three
/// ([`super::flow::SHORT_PAGE`] · n²): a tall row is not held whole at the price of a hole.
const ROW_SPLIT: f64 = 4.5e3;
/// Rules sit this far below the top of their grid row, clear of the ascenders below them.
const RULE_DROP: f32 = 1.0;
/// Below 80 % the scale that fits is computed; rounding may leave it a hair too wide, so it
/// is tried a few times, 2 % smaller each time.
const SHRINK_TRIES: usize = 5;
const SHRINK_STEP: f32 = 0.98;

/// A table to lay out: its cells, alignment and where it came from.
pub struct Table<'a> {
    pub header: &'a [Cell],
    pub body: &'a [Vec<Cell>],
    pub align: &'a [ColAlign],
    pub span: Span,
}

/// Each column's minimum (widest word) and maximum (widest cell on one line) width.
fn column_bounds(
    ctx: &mut Ctx,
    cells: &[Cells],
    cols: usize,
    lang: &str,
    measure: f32,
) -> (Vec<f32>, Vec<f32>) {
    let mut min = vec![0.0f32; cols];
    let mut max = vec![0.0f32; cols];
    for (row, style, _) in cells {
        for (k, cell) in row.iter().enumerate().take(cols) {
            let runs = collect(&cell.content, *style, lang);
            let widest = |lines: Vec<SetLine>| lines.iter().map(line_width).fold(0.0, f32::max);
            // One line as wide as it likes; then one word per line (a measure of zero).
            max[k] = max[k].max(widest(set(ctx, &runs, measure * 100.0, Align::Left)));
            min[k] = min[k].max(widest(set(ctx, &runs, 0.0, Align::Left)));
        }
    }
    (min, max)
}

/// Column widths for `room` pt, or `None` when even the minima do not fit. As CSS's
/// automatic table layout does it: the room is shared in proportion to the columns'
/// natural widths (their widest cell on one line), and a column whose share would be
/// narrower than its longest word gets that word's width, the rest shared again among
/// the others.
fn widths(min: &[f32], max: &[f32], room: f32) -> Option<Vec<f32>> {
    if min.iter().sum::<f32>() > room + FIT_SLACK {
        return None;
    }
    let mut fixed = vec![false; min.len()];
    loop {
        let free_room = room
            - (0..min.len())
                .filter(|&k| fixed[k])
                .map(|k| min[k])
                .sum::<f32>();
        let open: Vec<usize> = (0..min.len()).filter(|&k| !fixed[k]).collect();
        let natural: f32 = open.iter().map(|&k| max[k]).sum();
        let count = open.len() as f32;
        let share = |k: usize| match natural > f32::EPSILON {
            true => free_room * max[k] / natural,
            false => free_room / count,
        };
        let short: Vec<usize> = open
            .iter()
            .copied()
            .filter(|&k| share(k) < min[k])
            .collect();
        if short.is_empty() {
            let mut w = min.to_vec();
            for k in open {
                w[k] = share(k);
            }
            return Some(w);
        }
        for k in short {
            fixed[k] = true;
        }
    }
}

/// How every table of a piece is set: one type size (a share of the text size) and whether
/// words in cells may be hyphenated. A piece's tables all take the tightest style any one of
/// them needs, so that they read as one set (the same size, rules and padding).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TableStyle {
    pub scale: f32,
    pub hyphenate: bool,
}

impl TableStyle {
    /// At the text size, whole words.
    pub const FULL: TableStyle = TableStyle {
        scale: 1.0,
        hyphenate: false,
    };

    /// The tighter of two styles: the smaller type, and hyphenation if either allows it.
    pub fn tighter(self, other: TableStyle) -> TableStyle {
        TableStyle {
            scale: self.scale.min(other.scale),
            hyphenate: self.hyphenate || other.hyphenate,
        }
    }
}

/// The steps tried, roomiest first: smaller type (down to [`MIN_SCALE`]) before
/// hyphenated cells, since a hyphen in a short cell reads worse than type one step smaller.
const STEPS: [TableStyle; 4] = [
    TableStyle::FULL,
    TableStyle {
        scale: 0.9,
        hyphenate: false,
    },
    TableStyle {
        scale: MIN_SCALE,
        hyphenate: false,
    },
    TableStyle {
        scale: MIN_SCALE,
        hyphenate: true,
    },
];

/// The style every table of a piece is set in (the tightest any of `tables` needs), with
/// the warnings of the tables that do not fit even at 80 % with hyphenation.
pub fn piece_style(
    ctx: &mut Ctx,
    tables: &[Table],
    m: Measure,
    lang: &str,
    text: TextStyle,
) -> (TableStyle, Vec<Diagnostic>) {
    let mut style = TableStyle::FULL;
    let mut warnings = Vec::new();
    for t in tables {
        let (own, warning) = needs(ctx, t, m, lang, text);
        style = style.tighter(own);
        warnings.extend(warning);
    }
    (style, warnings)
}

/// The roomiest style at which the columns' minima (their longest words) fit the measure;
/// below 80 % with hyphenation, as small as it must be, with a warning naming the width the
/// table needed.
fn needs(
    ctx: &mut Ctx,
    t: &Table,
    m: Measure,
    lang: &str,
    text: TextStyle,
) -> (TableStyle, Option<Diagnostic>) {
    let cols = columns(t);
    let mut needed = 0.0;
    for s in STEPS {
        let (w, need) = try_style(ctx, t, cols, m, lang, text, s);
        needed = need;
        if w.is_some() {
            return (s, None);
        }
    }
    let mut style = TableStyle {
        scale: MIN_SCALE * m.width / needed.max(f32::EPSILON),
        hyphenate: true,
    };
    let warning = too_wide(ctx, t.span, needed, m.width, style.scale);
    // Rounding may leave the computed scale a hair too wide: a few tries, smaller each time.
    for _ in 0..SHRINK_TRIES {
        if try_style(ctx, t, cols, m, lang, text, style).0.is_some() {
            break;
        }
        style.scale *= SHRINK_STEP;
    }
    (style, Some(warning))
}

/// How many columns a table has: its widest row.
fn columns(t: &Table) -> usize {
    t.body
        .iter()
        .map(Vec::len)
        .chain([t.header.len()])
        .max()
        .unwrap_or(0)
}

/// Lays out a table as rows in `style` (its piece's); a table nested in a list or quotation,
/// narrower than the measure the piece's style was chosen for, is set tighter if it must be,
/// with a warning when even 80 % and hyphenation do not make it fit.
pub fn table(
    ctx: &mut Ctx,
    t: &Table,
    style: TableStyle,
    m: Measure,
    lang: &str,
    text: TextStyle,
) -> (Vec<Row>, Option<Diagnostic>) {
    let cols = columns(t);
    if cols == 0 {
        return (vec![], None);
    }
    let (mut style, mut warning) = (style, None);
    let widths = match try_style(ctx, t, cols, m, lang, text, style).0 {
        Some(w) => w,
        None => {
            let (own, w) = needs(ctx, t, m, lang, text);
            style = style.tighter(own);
            warning = w;
            try_style(ctx, t, cols, m, lang, text, style)
                .0
                .unwrap_or_else(|| vec![m.width / cols as f32; cols])
        }
    };
    (layout(ctx, t, &widths, m, lang, text, style), warning)
}

/// Column widths in `style`, or `None` when the minima do not fit; and the width the
/// minima need.
fn try_style(
    ctx: &mut Ctx,
    t: &Table,
    cols: usize,
    m: Measure,
    lang: &str,
    text: TextStyle,
    style: TableStyle,
) -> (Option<Vec<f32>>, f32) {
    let (head, body) = styles(text, style);
    let all = cells(t, head, body);
    let (min, max) = column_bounds(ctx, &all, cols, lang, m.width);
    let gap = m.size * COLUMN_GAP_EM * style.scale;
    let room = m.width - gap * (cols - 1) as f32;
    let needed = min.iter().sum::<f32>() + gap * (cols - 1) as f32;
    (widths(&min, &max, room), needed)
}

fn styles(text: TextStyle, style: TableStyle) -> (TextStyle, TextStyle) {
    let body = TextStyle {
        hyphenate: style.hyphenate,
        size: text.size * style.scale,
        ..text
    };
    let head = TextStyle {
        face: Style::SemiBold,
        ..body
    };
    (head, body)
}

/// A row of cells with the style they are set in and their role (header or data).
type Cells<'a> = (&'a [Cell], TextStyle, Role);

fn cells<'a>(t: &Table<'a>, head: TextStyle, body: TextStyle) -> Vec<Cells<'a>> {
    std::iter::once((t.header, head, Role::TH))
        .chain(t.body.iter().map(|r| (r.as_slice(), body, Role::TD)))
        .collect()
}

/// The warning for a table set below [`MIN_SCALE`], at the table.
fn too_wide(ctx: &Ctx, span: Span, needed: f32, room: f32, scale: f32) -> Diagnostic {
    let d = Diagnostic::warning(format!(
        "this table needs {needed:.0} pt at 80 % of the text size, hyphenated, but the measure is {room:.0} pt; it is set at {:.0} % instead",
        scale * 100.0
    ))
    .hint("split the table, drop a column, or shorten the longest words in its cells");
    ctx.located(d, span)
}

/// Sets the cells into rows at `widths`, with the rules and the page-break rules.
fn layout(
    ctx: &mut Ctx,
    t: &Table,
    widths: &[f32],
    m: Measure,
    lang: &str,
    text: TextStyle,
    style: TableStyle,
) -> Vec<Row> {
    let (head, body) = styles(text, style);
    let all = cells(t, head, body);
    let gap = m.size * COLUMN_GAP_EM * style.scale;
    let mut xs = Vec::with_capacity(widths.len());
    let mut x = 0.0;
    for w in widths {
        xs.push(x);
        x += w + gap;
    }
    let rule = |y: f32, thickness: f32| Item::Rule {
        from: Point { x: 0.0, y },
        to: Point { x: m.width, y },
        thickness,
    };
    let mut header: Vec<Row> = Vec::new();
    let mut rows: Vec<Row> = Vec::new();
    let body_count = all.len() - 1;
    for (ri, (cells, style, role)) in all.iter().enumerate() {
        let set_cells: Vec<Vec<SetLine>> = (0..widths.len())
            .map(|k| match cells.get(k) {
                // A hair of slack: a cell exactly as wide as its column must not wrap.
                Some(cell) => set(
                    ctx,
                    &collect(&cell.content, *style, lang),
                    widths[k] + FIT_SLACK,
                    Align::Left,
                ),
                None => vec![],
            })
            .collect();
        let height = set_cells.iter().map(Vec::len).max().unwrap_or(0).max(1);
        for j in 0..height {
            let mut items = Vec::new();
            let mut notes = Vec::new();
            let mut origin = None;
            for (k, lines) in set_cells.iter().enumerate() {
                if let Some(l) = lines.get(j) {
                    notes.extend(l.notes.iter().copied());
                    origin = origin.or(l.origin);
                    let shift = match t.align.get(k) {
                        Some(ColAlign::Right) => widths[k] - line_width(l),
                        Some(ColAlign::Center) => (widths[k] - line_width(l)) / 2.0,
                        _ => 0.0,
                    };
                    let line = line_items(l.clone(), xs[k] + shift, m.leading * BASELINE);
                    match cells.get(k) {
                        Some(cell) => items.extend(tagged(cell.id, *role, line)),
                        None => items.extend(line),
                    }
                }
            }
            let last_line = j + 1 == height;
            if ri == 0 && j == 0 {
                items.push(rule(RULE_DROP, HEAVY_RULE));
            }
            if ri == 0 && last_line {
                items.push(rule(m.leading + RULE_DROP, LIGHT_RULE));
            }
            let row = Row {
                lines: 1,
                items: items.into(),
                // A tall body row may split, two lines at least on each side, at a cost
                // (its cells read on under the header repeated overleaf); no other row
                // splits; the header stays with the first body row; the last row stays
                // with the bottom rule; no row is left alone on a page (the table's orphan
                // and widow), and a short table is never split.
                break_after: if !last_line {
                    let (above, below) = (j + 1, height - j - 1);
                    if ri > 0 && above >= ROW_SPLIT_KEEP && below >= ROW_SPLIT_KEEP {
                        ROW_SPLIT
                    } else {
                        FORBIDDEN
                    }
                } else if ri == 0
                    || ri == body_count
                    || body_count <= SHORT_TABLE_ROWS
                    || ri == 1
                    || ri + 1 == body_count
                {
                    FORBIDDEN
                } else {
                    0.0
                },
                notes,
                origin,
                ..Row::default()
            };
            if ri == 0 {
                header.push(row.clone());
            }
            rows.push(row);
        }
    }
    // Body rows after the first repeat the header when a page starts with them, and close
    // the table with a rule when a page ends after them.
    let header = Arc::new(header);
    let header_len = header.len();
    let first_body = header_len + 1;
    for (i, row) in rows.iter_mut().enumerate().skip(header_len) {
        if i >= first_body {
            row.repeat = Some(header.clone());
        }
        row.close_rule = Some(m.width);
    }
    rows.push(Row {
        lines: 1,
        items: (vec![rule(RULE_DROP * 2.0, HEAVY_RULE)]).into(),
        ..Row::default()
    });
    rows
}

/// The set width of a line (sum of its glyph advances, from its first run's origin).
fn line_width(l: &SetLine) -> f32 {
    l.runs
        .iter()
        .map(|r| r.origin.x + r.glyphs.iter().map(|g| g.advance).sum::<f32>())
        .fold(0.0, f32::max)
}
