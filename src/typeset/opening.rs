//! A piece's opening, magazine style: kicker, title, subtitle, standfirst and byline, on a
//! new page, above a short rule.

use super::Ctx;
use super::blocks::{BASELINE, LABEL_SCALE, Measure, line_items, set, space_row};
use super::collect::{Run, TextStyle};
use super::flow::{FORBIDDEN, Row};
use super::font::Style;
use super::frame::{Item, Point};
use super::par::{Align, ParSpec, set_paragraph};
use crate::model::Piece;

/// The opening of a piece: kicker, title, subtitle, standfirst and byline, on a new page.
pub fn opening(ctx: &mut Ctx, piece: &Piece, index: usize, m: Measure, lang: &str) -> Vec<Row> {
    let em = m.size;
    let meta = &piece.meta;
    let mut rows: Vec<Row> = Vec::new();
    let centered = |w: f32| ParSpec {
        widths: vec![w],
        indent: 0.0,
        align: Align::Center,
    };
    let run = |text: &str, style: TextStyle| {
        vec![Run {
            text: text.to_string(),
            style,
            lang: lang.to_string(),
            note: None,
            link: None,
            span: piece.span,
            marks: vec![],
        }]
    };
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
                      anchor: Option<(String, usize)>| {
        let lines = set_paragraph(ctx, &runs, &centered(m.width));
        // A line of display type takes as many grid lines as its size needs.
        let per_line = ((size * 1.2) / m.leading).ceil().max(1.0) as u32;
        for (i, l) in lines.into_iter().enumerate() {
            let y = per_line as f32 * m.leading * BASELINE;
            let anchor = if i == 0 { anchor.clone() } else { None };
            rows.push(Row {
                lines: per_line,
                items: (line_items(l, 0.0, y)).into(),
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
        size: em * LABEL_SCALE,
        ..plain
    };
    if let Some(k) = &meta.kicker {
        let mut runs = rich(&meta.rich.kicker, k, label);
        runs.iter_mut().for_each(|r| r.text = r.text.to_lowercase());
        push_lines(ctx, runs, em, &mut rows, None);
        rows.push(Row {
            lines: 1,
            break_after: FORBIDDEN,
            ..Row::default()
        });
    }
    // No title, no invented heading: the outline still names the piece.
    let tsize = em * 2.2;
    match &meta.title {
        Some(title) => push_lines(
            ctx,
            rich(
                &meta.rich.title,
                title,
                TextStyle {
                    size: tsize,
                    ..plain
                },
            ),
            tsize,
            &mut rows,
            Some((title.clone(), 0)),
        ),
        None => {
            if let Some(first) = rows.first_mut() {
                first.anchor = Some((piece.label(), 0));
            }
        }
    }
    if let Some(s) = &meta.subtitle {
        let size = em * 1.25;
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
        let lines = set(ctx, &runs, m.width * 0.8, Align::Center);
        for l in lines {
            rows.push(Row {
                lines: 1,
                items: (line_items(l, m.width * 0.1, m.leading * BASELINE)).into(),
                break_after: FORBIDDEN,
                ..Row::default()
            });
        }
    }
    let by = byline(ctx.book, index);
    if !by.is_empty() {
        rows.push(Row {
            lines: 1,
            break_after: FORBIDDEN,
            ..Row::default()
        });
        push_lines(ctx, run(&by.to_lowercase(), label), em, &mut rows, None);
    }
    // A short rule, then a line of space before the text.
    let rule_y = m.leading * 0.5;
    let half = em * 2.0;
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
            thickness: 0.5,
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

/// "Interview by Jane Doe with Kiro Russo · Photographs by …": the `index`th piece's byline,
/// in the words the book resolved once for both outputs ([`crate::credits::Words`]).
pub fn byline(book: &crate::model::Book, index: usize) -> String {
    book.words
        .pieces
        .get(index)
        .map(|lines| lines.join(" · "))
        .unwrap_or_default()
}
