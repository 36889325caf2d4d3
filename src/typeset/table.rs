//! Tables: header and body cells → grid rows, booktabs style (a rule above, one under the
//! header, one below; no vertical rules).
//!
//! Column widths follow HTML's automatic table layout: each column has a minimum (its widest
//! word) and a maximum (its widest cell on one line). A table whose maxima fit the measure
//! gets them (the spare room shared out); one whose minima fit gets its minima plus the room
//! left, shared in proportion to what each column would still like; one that does not fit
//! is set smaller, down to [`MIN_SCALE`] of the text size, and below that (with a located
//! warning naming the width it needed) as small as it must be: nothing is ever drawn
//! outside the text block. A table row never splits across pages; the header stays with
//! the first body row and is repeated at the top of every page the table continues on; a
//! page that breaks inside the table closes it with a rule; the bottom rule never starts a
//! page.

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
/// A table too wide at the text size is set smaller in these steps, down to 80 % of the text
/// size: below that, table text stops being readable beside the body.
const SCALES: [f32; 3] = [1.0, 0.9, 0.8];
const MIN_SCALE: f32 = 0.8;
/// A table of this many body rows or fewer is kept on one page.
const SHORT_TABLE_ROWS: usize = 4;
/// Added to a column's width when its cells are set (pt): rounding must not wrap a cell
/// whose column was made exactly as wide as it.
const FIT_SLACK: f32 = 0.01;
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

/// Column widths for `room` pt, or `None` when even the minima do not fit. Every column
/// gets its minimum; then the columns that need least to reach their maximum get it, one
/// after another (short cells such as dates and times never wrap while there is room);
/// what is left goes to the others in proportion to what each still lacks.
fn widths(min: &[f32], max: &[f32], room: f32) -> Option<Vec<f32>> {
    let (sum_min, sum_max): (f32, f32) = (min.iter().sum(), max.iter().sum());
    if sum_max <= room {
        let spare = (room - sum_max) / max.len() as f32;
        return Some(max.iter().map(|w| w + spare).collect());
    }
    if sum_min > room + 0.01 {
        return None;
    }
    let mut w = min.to_vec();
    let mut left = room - sum_min;
    let mut by_need: Vec<usize> = (0..min.len()).collect();
    by_need.sort_by(|&a, &b| (max[a] - min[a]).total_cmp(&(max[b] - min[b])));
    let mut open = Vec::new();
    for k in by_need {
        let need = max[k] - min[k];
        if need <= left && open.is_empty() {
            w[k] = max[k];
            left -= need;
        } else {
            open.push(k);
        }
    }
    let lacking: f32 = open.iter().map(|&k| max[k] - w[k]).sum();
    for k in open {
        w[k] += left * (max[k] - w[k]) / lacking.max(f32::EPSILON);
    }
    Some(w)
}

/// Lays out a table as rows; with a warning when it had to be set below [`MIN_SCALE`].
pub fn table(
    ctx: &mut Ctx,
    t: &Table,
    m: Measure,
    lang: &str,
    text: TextStyle,
) -> (Vec<Row>, Option<Diagnostic>) {
    let cols = t
        .body
        .iter()
        .map(Vec::len)
        .chain([t.header.len()])
        .max()
        .unwrap_or(0);
    if cols == 0 {
        return (vec![], None);
    }
    // Smaller type before wrapped cells: the largest scale at which every cell fits on one
    // line; else the largest at which the columns' widest words fit.
    let mut scale = 1.0;
    let mut chosen = None;
    let mut needed = 0.0;
    let mut fallback: Option<(f32, Vec<f32>)> = None;
    let mut warning = None;
    for s in SCALES {
        let (w, need, unwrapped) = try_scale(ctx, t, cols, m, lang, text, s);
        needed = need;
        if let Some(w) = w {
            if unwrapped {
                scale = s;
                chosen = Some(w);
                break;
            }
            fallback.get_or_insert((s, w));
        }
    }
    if chosen.is_none()
        && let Some((s, w)) = fallback
    {
        scale = s;
        chosen = Some(w);
    }
    let widths = match chosen {
        Some(w) => w,
        None => {
            // Still too wide at 80 %: as small as it must be (widths scale with the type),
            // and say so.
            scale = MIN_SCALE * m.width / needed.max(f32::EPSILON);
            warning = Some(too_wide(ctx, t.span, needed, m.width, scale));
            let mut found = None;
            for _ in 0..SHRINK_TRIES {
                if let (Some(w), _, _) = try_scale(ctx, t, cols, m, lang, text, scale) {
                    found = Some(w);
                    break;
                }
                scale *= SHRINK_STEP;
            }
            found.unwrap_or_else(|| vec![m.width / cols as f32; cols])
        }
    };
    (layout(ctx, t, &widths, m, lang, text, scale), warning)
}

/// Column widths at `scale` of the text size, or `None`; the width the minima need; and
/// whether every cell fits on one line.
fn try_scale(
    ctx: &mut Ctx,
    t: &Table,
    cols: usize,
    m: Measure,
    lang: &str,
    text: TextStyle,
    scale: f32,
) -> (Option<Vec<f32>>, f32, bool) {
    let (head, body) = styles(text, scale);
    let all = cells(t, head, body);
    let (min, max) = column_bounds(ctx, &all, cols, lang, m.width);
    let gap = m.size * COLUMN_GAP_EM * scale;
    let room = m.width - gap * (cols - 1) as f32;
    let needed = min.iter().sum::<f32>() + gap * (cols - 1) as f32;
    let unwrapped = max.iter().sum::<f32>() <= room;
    (widths(&min, &max, room), needed, unwrapped)
}

fn styles(text: TextStyle, scale: f32) -> (TextStyle, TextStyle) {
    let body = TextStyle {
        hyphenate: false,
        size: text.size * scale,
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
        "this table needs {needed:.0} pt at 80 % of the text size but the measure is {room:.0} pt; it is set at {:.0} % instead",
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
    scale: f32,
) -> Vec<Row> {
    let (head, body) = styles(text, scale);
    let all = cells(t, head, body);
    let gap = m.size * COLUMN_GAP_EM * scale;
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
                // A table row never splits; the header stays with the first body row; the
                // last row stays with the bottom rule; no row is left alone on a page (the
                // table's orphan and widow), and a short table is never split.
                break_after: if !last_line
                    || ri == 0
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
