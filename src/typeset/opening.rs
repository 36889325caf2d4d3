//! A piece's opening, magazine style: kicker, title, subtitle, standfirst and byline, on a
//! new page, above a short rule.

use super::Ctx;
use super::blocks::{BASELINE, LABEL_SCALE, Measure, line_items, set, space_row, tagged};
use super::collect::{Run, TextStyle};
use super::flow::{FORBIDDEN, Row};
use super::font::Style;
use super::frame::{ElemId, Item, Point, Role};
use super::par::{Align, ParSpec, set_paragraph};
use crate::resolve::RPiece;

/// A piece's title is set at 2.2 × the text size, its subtitle at 1.25 ×.
const TITLE_SCALE: f32 = 2.2;
const SUBTITLE_SCALE: f32 = 1.25;
/// A line of display type takes as many grid lines as 1.2 × its size needs.
const DISPLAY_LEADING: f32 = 1.2;
/// The standfirst is set on 80 % of the measure, centred.
const STANDFIRST_MEASURE: f32 = 0.8;
/// The short rule under the opening: 4 em long, half a point thick.
const OPENING_RULE_HALF_EM: f32 = 2.0;
const OPENING_RULE: f32 = 0.5;

/// The opening of a piece: kicker, title, subtitle, standfirst and byline, on a new page.
pub fn opening(ctx: &mut Ctx, piece: &RPiece, m: Measure) -> Vec<Row> {
    let em = m.size;
    let meta = &piece.meta;
    let lang = piece.lang.as_str();
    let head = &piece.head;
    let mut rows: Vec<Row> = Vec::new();
    let centered = |w: f32| ParSpec {
        widths: vec![w],
        indent: 0.0,
        align: Align::Center,
    };
    let run =
        |text: &str, style: TextStyle| vec![Run::added(text.to_string(), style, lang, piece.span)];
    // Metadata written in inline Markdown (emphasis, smart quotes) is set as the body is.
    let rich = |inlines: &[crate::model::Inline], text: &str, style: TextStyle| {
        if inlines.is_empty() {
            run(text, style)
        } else {
            super::collect::collect(inlines, style, lang)
        }
    };
    let push_lines = |ctx: &mut Ctx,
                      runs: Vec<Run>,
                      size: f32,
                      rows: &mut Vec<Row>,
                      anchor: Option<(String, usize)>,
                      tag: Option<(ElemId, Role)>| {
        let lines = set_paragraph(ctx, &runs, &centered(m.width));
        // A line of display type takes as many grid lines as its size needs.
        let per_line = ((size * DISPLAY_LEADING) / m.leading).ceil().max(1.0) as u32;
        for (i, l) in lines.into_iter().enumerate() {
            let y = per_line as f32 * m.leading * BASELINE;
            let anchor = if i == 0 { anchor.clone() } else { None };
            let items = line_items(l, 0.0, y);
            let items = match tag {
                Some((id, role)) => tagged(id, role, items),
                None => items,
            };
            rows.push(Row {
                lines: per_line,
                items: items.into(),
                break_after: FORBIDDEN,
                anchor,
                ..Row::default()
            });
        }
    };
    rows.push(space_row(2));
    let plain = TextStyle::new(Style::Regular, em);
    // Kicker and byline: small capitals a little smaller than the text, as labels.
    let label = TextStyle {
        small_caps: true,
        caps: true,
        size: em * LABEL_SCALE,
        ..plain
    };
    if let Some(k) = &meta.kicker {
        let runs = rich(&meta.rich.kicker, k, label);
        push_lines(
            ctx,
            runs,
            em,
            &mut rows,
            None,
            head.kicker.map(|id| (id, Role::P)),
        );
        rows.push(Row {
            lines: 1,
            break_after: FORBIDDEN,
            ..Row::default()
        });
    }
    // No title, no invented heading: the outline still names the piece.
    let tsize = em * TITLE_SCALE;
    match &piece.title {
        Some(title) => push_lines(
            ctx,
            rich(
                &piece.title_rich,
                title,
                TextStyle {
                    size: tsize,
                    ..plain
                },
            ),
            tsize,
            &mut rows,
            Some((title.clone(), 0)),
            head.title.map(|id| (id, Role::H(1))),
        ),
        None => {
            if let Some(first) = rows.first_mut() {
                first.anchor = Some((piece.label.clone(), 0));
            }
        }
    }
    if let Some(s) = &meta.subtitle {
        let size = em * SUBTITLE_SCALE;
        push_lines(
            ctx,
            rich(
                &meta.rich.subtitle,
                s,
                TextStyle {
                    face: Style::Italic,
                    size,
                    ..plain
                },
            ),
            size,
            &mut rows,
            None,
            head.subtitle.map(|id| (id, Role::P)),
        );
    }
    if let Some(d) = &meta.description {
        rows.push(Row {
            lines: 1,
            break_after: FORBIDDEN,
            ..Row::default()
        });
        let runs = rich(
            &meta.rich.description,
            d,
            TextStyle {
                face: Style::Italic,
                hyphenate: true,
                ..plain
            },
        );
        let lines = set(ctx, &runs, m.width * STANDFIRST_MEASURE, Align::Center);
        let inset = m.width * (1.0 - STANDFIRST_MEASURE) / 2.0;
        for l in lines {
            let items = line_items(l, inset, m.leading * BASELINE);
            let items = match head.standfirst {
                Some(id) => tagged(id, Role::P, items),
                None => items,
            };
            rows.push(Row {
                lines: 1,
                items: items.into(),
                break_after: FORBIDDEN,
                ..Row::default()
            });
        }
    }
    let by = piece.byline.join(" · ");
    if !by.is_empty() {
        rows.push(Row {
            lines: 1,
            break_after: FORBIDDEN,
            ..Row::default()
        });
        let tag = head.byline.map(|id| (id, Role::P));
        push_lines(ctx, run(&by, label), em, &mut rows, None, tag);
    }
    // A short rule, then a line of space before the text.
    let rule_y = m.leading * 0.5;
    let half = em * OPENING_RULE_HALF_EM;
    rows.push(Row {
        lines: 2,
        items: vec![Item::Rule {
            from: Point {
                x: m.width / 2.0 - half,
                y: rule_y,
            },
            to: Point {
                x: m.width / 2.0 + half,
                y: rule_y,
            },
            thickness: OPENING_RULE,
        }]
        .into(),
        break_after: FORBIDDEN,
        ..Row::default()
    });
    if let Some(first) = rows.first_mut() {
        first.new_page = true;
        first.discardable = false;
    }
    rows
}
