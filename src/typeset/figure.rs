//! Figures → rows: an image at the measure (or a width asked for) with its caption below,
//! in smaller sizes the paginator may choose; a full-page figure (`{.bleed}`) on a page of
//! its own. The image is the content of the figure's element, the caption lines of the
//! caption's.

use super::Ctx;
use super::blocks::{BASELINE, Measure, line_items, set, space_row, tagged};
use super::collect::{TextStyle, collect};
use super::flow::Row;
use super::font::Style;
use super::frame::{Item, Rect, Role};
use super::par::{Align, SetLine};
use crate::model::Inline;
use crate::resolve::{ElemId, Kind, RBlock};

/// Figures are set at 150 dpi at most (sharp in print) and never wider than the measure.
const FIGURE_DPI: f32 = 150.0;
/// A figure takes at most 60 % of the text block's height, leaving room for text around it.
const FIGURE_MAX_HEIGHT: f32 = 0.6;
/// The image starts a quarter line below its row's top; the caption's lines follow it a
/// leading apart, and half a line of room is kept below the last.
const FIGURE_TOP: f32 = 0.25;
const FIGURE_FOOT: f32 = 0.5;
/// Captions are set at 90 % of the text size.
const CAPTION_SCALE: f32 = 0.9;

/// The elements a figure's parts are tagged with.
#[derive(Clone, Copy)]
struct Ids {
    figure: ElemId,
    caption: Option<ElemId>,
}

impl Ids {
    /// The caption's lines as its element's content (untagged when it has no element).
    fn caption(&self, items: Vec<Item>) -> Vec<Item> {
        match self.caption {
            Some(id) => tagged(id, Role::Caption, items),
            None => items,
        }
    }
}

/// The rows of figure block `b`.
pub(super) fn figure_rows(
    ctx: &mut Ctx,
    b: &RBlock,
    m: Measure,
    lang: &str,
    body: TextStyle,
    rows: &mut Vec<Row>,
) {
    let Kind::Figure {
        src,
        alt,
        caption,
        caption_id,
        width,
    } = &b.kind
    else {
        return;
    };
    let ids = Ids {
        figure: b.id,
        caption: *caption_id,
    };
    let image = ctx.image(src);
    // A full-page picture is a page of its own: no space around it.
    if *width == Some(crate::model::Width::Page)
        && let Some((index, img)) = image
    {
        rows.push(full_page_figure(
            ctx,
            (index, &img),
            caption,
            ids,
            m,
            lang,
            body,
        ));
        return;
    }
    rows.push(space_row(1));
    match image {
        Some((index, img)) => {
            let mut row = figure(ctx, (index, &img), caption, ids, *width, m, lang, body);
            row.float = Some(super::flow::Float::Figure);
            // Smaller versions the paginator may choose where the full size would leave a
            // hole (a width asked for is kept as asked).
            if width.is_none() {
                let smaller: Vec<Row> = FIGURE_SHRINK
                    .iter()
                    .filter_map(|&s| shrink_figure(&row, s, m))
                    .collect();
                if !smaller.is_empty() {
                    row.shrunk = std::iter::once(row.clone()).chain(smaller).collect();
                }
            }
            rows.push(row);
        }
        None => {
            // No image to place (none decoded for this path): the figure is set as its
            // caption or alt text in italic, centred, so no content is lost.
            let content = if caption.is_empty() {
                vec![Inline::Text {
                    text: alt.clone(),
                    span: b.span,
                }]
            } else {
                caption.clone()
            };
            let style = TextStyle {
                face: Style::Italic,
                hyphenate: false,
                ..body
            };
            let runs = collect(&content, style, lang);
            for l in set(ctx, &runs, m.width, Align::Center) {
                let items = line_items(l, 0.0, m.leading * BASELINE);
                let items = match ids.caption {
                    Some(_) => ids.caption(items),
                    None => tagged(ids.figure, Role::Figure, items),
                };
                rows.push(Row {
                    lines: 1,
                    items: items.into(),
                    ..Row::default()
                });
            }
        }
    }
    rows.push(space_row(1));
}

/// A figure: the image centred at the measure (or smaller), its caption below in italic;
/// one row, so image and caption never part.
#[allow(clippy::too_many_arguments)]
fn figure(
    ctx: &mut Ctx,
    (index, img): (usize, &crate::image::Image),
    caption: &[Inline],
    ids: Ids,
    asked: Option<crate::model::Width>,
    m: Measure,
    lang: &str,
    body: TextStyle,
) -> Row {
    let (px_w, px_h) = (img.width as f32, img.height as f32);
    // The width asked for, else the image at 150 dpi; never wider than the measure.
    let natural = img.natural_width().unwrap_or(px_w * 72.0 / FIGURE_DPI);
    let mut w = match asked {
        Some(crate::model::Width::Percent(p)) => m.width * p / 100.0,
        Some(crate::model::Width::Points(pt)) => pt,
        // (Set by `full_page_figure`; here only as the measure's width.)
        Some(crate::model::Width::Page) => m.width,
        None => natural,
    }
    .min(m.width);
    let mut h = w * px_h / px_w;
    let max_h = m.height * FIGURE_MAX_HEIGHT;
    if h > max_h {
        h = max_h;
        w = h * px_w / px_h;
    }
    let top = m.leading * FIGURE_TOP;
    let image = Item::Image {
        rect: Rect {
            x: (m.width - w) / 2.0,
            y: top,
            width: w,
            height: h,
        },
        image: index,
    };
    let mut items = tagged(ids.figure, Role::Figure, vec![image]);
    let mut y = top + h;
    let mut notes = Vec::new();
    if !caption.is_empty() {
        let mut lines = Vec::new();
        for l in caption_lines(ctx, caption, m, lang, body) {
            y += m.leading;
            notes.extend(l.notes.iter().copied());
            lines.extend(line_items(l, 0.0, y));
        }
        items.extend(ids.caption(lines));
    }
    let lines = ((y + m.leading * FIGURE_FOOT) / m.leading).ceil().max(1.0) as u32;
    notes.dedup();
    Row {
        lines,
        items: items.into(),
        notes,
        ..Row::default()
    }
}

/// A figure's caption set: italic, a size below the text, centred on the measure.
fn caption_lines(
    ctx: &mut Ctx,
    caption: &[Inline],
    m: Measure,
    lang: &str,
    body: TextStyle,
) -> Vec<SetLine> {
    let style = TextStyle {
        face: Style::Italic,
        size: m.size * CAPTION_SCALE,
        hyphenate: false,
        ..body
    };
    let runs = collect(caption, style, lang);
    set(ctx, &runs, m.width, Align::Center)
}

/// How far a full-page figure reaches past the trim: the most bleed a print edition may
/// ask for (the screen PDF's media box is the trim, the print edition clips at its bleed).
const FULL_PAGE_REACH: f32 = 25.0 * 72.0 / 25.4;
/// A full-page figure's picture ends a line and a half above its caption's first baseline.
const FULL_PAGE_CAPTION_GAP: f32 = 1.5;

/// A full-page figure (`{.bleed}`), on a page of its own: the image scaled to cover the page
/// and its bleed (its middle kept, its proportions kept); with a caption, it stops above the
/// caption, which is set in the foot of the page under the text block's last line.
#[allow(clippy::too_many_arguments)]
fn full_page_figure(
    ctx: &mut Ctx,
    (index, img): (usize, &crate::image::Image),
    caption: &[Inline],
    ids: Ids,
    m: Measure,
    lang: &str,
    body: TextStyle,
) -> Row {
    let (pw, ph) = m.page;
    let mut caption_items = Vec::new();
    let mut bottom = ph + FULL_PAGE_REACH;
    if !caption.is_empty() {
        let lines = caption_lines(ctx, caption, m, lang, body);
        // The caption's last baseline on the text block's last line; the picture ends a
        // line and a half above its first.
        let last = m.top + m.height - m.leading * (1.0 - BASELINE);
        let first = last - (lines.len().max(1) - 1) as f32 * m.leading;
        bottom = first - m.leading * FULL_PAGE_CAPTION_GAP;
        for (k, l) in lines.into_iter().enumerate() {
            caption_items.extend(line_items(
                l,
                (pw - m.width) / 2.0,
                first + k as f32 * m.leading,
            ));
        }
    }
    let bx = Rect {
        x: -FULL_PAGE_REACH,
        y: -FULL_PAGE_REACH,
        width: pw + 2.0 * FULL_PAGE_REACH,
        height: bottom + FULL_PAGE_REACH,
    };
    let (px_w, px_h) = (img.width.max(1) as f32, img.height.max(1) as f32);
    let scale = (bx.width / px_w).max(bx.height / px_h);
    let (w, h) = (px_w * scale, px_h * scale);
    let image = Item::Image {
        rect: Rect {
            x: bx.x + (bx.width - w) / 2.0,
            y: bx.y + (bx.height - h) / 2.0,
            width: w,
            height: h,
        },
        image: index,
    };
    // Clipped to its box: the part of the picture beyond it (its sides, when the box is
    // wider than the picture's proportions) is not drawn over the caption.
    let picture = Item::Group(super::frame::Group {
        transform: super::frame::Transform::translate(0.0, 0.0),
        clip: Some(bx),
        items: std::sync::Arc::new(vec![image]),
    });
    let mut items = tagged(ids.figure, Role::Figure, vec![picture]);
    items.extend(ids.caption(caption_items));
    Row {
        lines: (m.height / m.leading).round().max(1.0) as u32,
        items: items.into(),
        full_page: true,
        ..Row::default()
    }
}

/// The scales a figure may be set at, besides its full size, when that fills pages better:
/// down to 70 %, which still reads as the same picture at book sizes.
const FIGURE_SHRINK: [f32; 2] = [0.85, 0.7];

/// The figure `row` with its image at `s` of its size, centred, the caption moved up with
/// it; `None` when that saves no grid line.
fn shrink_figure(row: &Row, s: f32, m: Measure) -> Option<Row> {
    let mut found = None;
    super::frame::walk(
        &row.items,
        super::frame::Transform::translate(0.0, 0.0),
        &mut |i, _| {
            if let Item::Image { rect, .. } = i {
                found.get_or_insert(*rect);
            }
        },
    );
    let rect = found?;
    let (w, h) = (rect.width * s, rect.height * s);
    let dy = rect.height - h;
    let mut bottom = rect.y + h;
    let items: Vec<Item> = row
        .items
        .iter()
        .map(|it| match it {
            Item::Image { image, .. } => Item::Image {
                rect: Rect {
                    x: (m.width - w) / 2.0,
                    y: rect.y,
                    width: w,
                    height: h,
                },
                image: *image,
            },
            Item::Tag(t) => Item::Tag(t.clone()),
            other => {
                let moved = super::frame::translate(other.clone(), 0.0, -dy);
                if let Item::Glyphs(g) = &moved {
                    bottom = bottom.max(g.origin.y);
                }
                moved
            }
        })
        .collect();
    let lines = ((bottom + m.leading * FIGURE_FOOT) / m.leading)
        .ceil()
        .max(1.0) as u32;
    (lines < row.lines).then(|| Row {
        lines,
        items: items.into(),
        shrunk: vec![],
        ..row.clone()
    })
}
