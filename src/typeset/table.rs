//! Tables: header and body cells → grid rows, booktabs style (a rule above, one under the
//! header, one below; no vertical rules).
//!
//! Columns take their natural widths when the table fits the measure (the spare room shared
//! out evenly), else widths proportional to their natural ones, with cells wrapping. A table
//! row never splits across pages, and the header stays with the first body row.

use super::Ctx;
use super::blocks::{BASELINE, Measure, line_items, set};
use super::collect::{TextStyle, collect};
use super::flow::{FORBIDDEN, Row};
use super::font::Style;
use super::frame::{Item, Point};
use super::par::{Align, SetLine};
use crate::model::{Align as ColAlign, Inline};

/// Space between columns: one em.
const COLUMN_GAP_EM: f32 = 1.0;
/// No column narrower than three ems, however many columns there are.
const MIN_COLUMN_EM: f32 = 3.0;
/// Booktabs rule weights: heavier above and below, lighter under the header.
const HEAVY_RULE: f32 = 0.6;
const LIGHT_RULE: f32 = 0.35;

/// Lays out a table as rows.
pub fn table(
    ctx: &mut Ctx,
    header: &[Vec<Inline>],
    body: &[Vec<Vec<Inline>>],
    align: &[ColAlign],
    m: Measure,
    lang: &str,
    text: TextStyle,
) -> Vec<Row> {
    let cols = body
        .iter()
        .map(Vec::len)
        .chain([header.len()])
        .max()
        .unwrap_or(0);
    if cols == 0 {
        return vec![];
    }
    let head_style = TextStyle {
        face: Style::SemiBold,
        hyphenate: false,
        ..text
    };
    let body_style = TextStyle {
        hyphenate: false,
        ..text
    };
    let all: Vec<(&[Vec<Inline>], TextStyle)> = std::iter::once((header, head_style))
        .chain(body.iter().map(|r| (r.as_slice(), body_style)))
        .collect();
    // Natural widths: every cell set on one unbounded line.
    let wide = m.width * 100.0;
    let mut natural = vec![0.0f32; cols];
    for (row, style) in &all {
        for (k, cell) in row.iter().enumerate() {
            let runs = collect(cell, *style, lang);
            let w: f32 = set(ctx, &runs, wide, Align::Left)
                .iter()
                .map(line_width)
                .fold(0.0, f32::max);
            natural[k] = natural[k].max(w);
        }
    }
    let gap = m.size * COLUMN_GAP_EM;
    let room = m.width - gap * (cols - 1) as f32;
    let total: f32 = natural.iter().sum();
    let widths: Vec<f32> = if total <= room {
        let spare = (room - total) / cols as f32;
        natural.iter().map(|w| w + spare).collect()
    } else {
        let min = m.size * MIN_COLUMN_EM;
        natural
            .iter()
            .map(|w| (w / total.max(1.0) * room).max(min))
            .collect()
    };
    let mut xs = Vec::with_capacity(cols);
    let mut x = 0.0;
    for w in &widths {
        xs.push(x);
        x += w + gap;
    }
    let rule = |y: f32, thickness: f32| Item::Rule {
        from: Point { x: 0.0, y },
        to: Point { x: m.width, y },
        thickness,
    };
    let mut rows: Vec<Row> = Vec::new();
    for (ri, (cells, style)) in all.iter().enumerate() {
        let set_cells: Vec<Vec<SetLine>> = (0..cols)
            .map(|k| match cells.get(k) {
                Some(cell) => set(ctx, &collect(cell, *style, lang), widths[k], Align::Left),
                None => vec![],
            })
            .collect();
        let height = set_cells.iter().map(Vec::len).max().unwrap_or(0).max(1);
        for j in 0..height {
            let mut items = Vec::new();
            let mut notes = Vec::new();
            for (k, lines) in set_cells.iter().enumerate() {
                if let Some(l) = lines.get(j) {
                    notes.extend(l.notes.iter().copied());
                    let shift = match align.get(k) {
                        Some(ColAlign::Right) => widths[k] - line_width(l),
                        Some(ColAlign::Center) => (widths[k] - line_width(l)) / 2.0,
                        _ => 0.0,
                    };
                    items.extend(line_items(l.clone(), xs[k] + shift, m.leading * BASELINE));
                }
            }
            if j == 0 && ri <= 1 {
                items.push(rule(1.0, if ri == 0 { HEAVY_RULE } else { LIGHT_RULE }));
            }
            // A table row never splits; the header stays with the first body row.
            let last = j + 1 == height;
            let break_after = if !last || ri == 0 { FORBIDDEN } else { 0.0 };
            rows.push(Row {
                lines: 1,
                items,
                break_after,
                notes,
                ..Row::default()
            });
        }
    }
    rows.push(Row {
        lines: 1,
        items: vec![rule(2.0, HEAVY_RULE)],
        discardable: false,
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
