//! Blocks of a piece → flow rows: the piece opening, paragraphs, speaker turns, headings,
//! pull quotes, quotations, lists, tables, figures and breaks.

use super::Ctx;
use super::collect::{Run, TextStyle, collect};
use super::flow::{FORBIDDEN, Note, Row, paragraph_break_costs};
use super::font::Style;
use super::frame::{Item, Origin, Point, Rect};
use super::par::{Align, ParSpec, SetLine, set_paragraph};
use crate::model::{Block, Inline, Piece, Span, SpeakerRole, plain_text};
use std::collections::BTreeMap;

/// The page's text geometry as the blocks see it.
#[derive(Debug, Clone, Copy)]
pub struct Measure {
    pub width: f32,
    /// Height of the text block in pt.
    pub height: f32,
    pub size: f32,
    pub leading: f32,
    /// The page's trim size (a full-page figure covers it).
    pub page: (f32, f32),
    /// The text block's top on the page.
    pub top: f32,
}

/// Where a baseline sits in its grid row: 78 % of the leading down from the row's top,
/// which leaves the ascenders of 10–12 pt type clear of the row above.
pub const BASELINE: f32 = 0.78;

/// A piece laid out as rows, with its footnotes set.
#[derive(Clone)]
pub struct PieceFlow {
    pub rows: Vec<Row>,
    pub notes: BTreeMap<u32, Note>,
    /// The piece's pages as ranges of `rows` (set by `page::paginate`).
    pub pages: Vec<super::flow::PageRange>,
    /// The glyphs its rows and notes draw (set by `page::paginate`).
    pub glyphs: super::frame::GlyphUse,
}

/// Footnote text: 80 % of the body size on 80 % of its leading (the classic 8/10 under 10/12).
const NOTE_SCALE: f32 = 0.8;
/// Labels (kicker, byline, names on the title page) in small capitals at 90 % of the text
/// size: small capitals at full size look heavier than the text around them.
pub const LABEL_SCALE: f32 = 0.9;
/// Pull quotes: 1.35 × body size, italic, between rules.
const PULLQUOTE_SCALE: f32 = 1.35;

/// Lays out a piece (the `index`th of the book).
pub fn piece(ctx: &mut Ctx, piece: &Piece, index: usize, m: Measure) -> PieceFlow {
    let lang = piece.meta.lang.clone().unwrap_or_else(|| "en".into());
    let body = TextStyle {
        hyphenate: true,
        ..TextStyle::new(Style::Regular, m.size)
    };
    let mut rows = super::opening::opening(ctx, piece, index, m, &lang);
    for r in &mut rows {
        r.origin = Some(Origin::Opening(index as u32));
    }
    let mut notes = BTreeMap::new();
    // Every footnote, wherever it is referenced (paragraphs, table cells, definitions,
    // captions) or defined (footnote definitions may sit inside lists and quotes).
    let mut numbers: std::collections::HashMap<&str, u32> = std::collections::HashMap::new();
    crate::model::walk_inlines(&piece.blocks, &mut |i| {
        if let Inline::FootnoteRef { label, number, .. } = i {
            numbers.entry(label.as_str()).or_insert(*number);
        }
    });
    let mut defs: Vec<(&str, &[Block])> = Vec::new();
    crate::model::visit_blocks(&piece.blocks, &mut |b| {
        if let Block::FootnoteDef { label, content, .. } = b {
            defs.push((label.as_str(), content.as_slice()));
        }
    });
    for (label, content) in defs {
        if let Some(&n) = numbers.get(label) {
            notes
                .entry(n)
                .or_insert_with(|| set_note(ctx, n, content, m, &lang));
        }
    }
    let mut indent_next = false;
    let mut first_par = true;
    // Pull quotes wait for the paragraph after their source, so they never sit directly
    // beside the sentence they repeat.
    let mut pending: Vec<&Block> = Vec::new();
    let closing = closing_note(&piece.blocks);
    let mut prev_turn = false;
    for (bi, b) in piece.blocks.iter().enumerate() {
        match b {
            Block::FootnoteDef { .. } => continue,
            Block::PullQuote { .. } => {
                pending.push(b);
                continue;
            }
            _ => {}
        }
        let turn = matches!(b, Block::SpeakerTurn { .. });
        if turn && prev_turn {
            rows.push(Row {
                extra: m.leading * TURN_GAP,
                discardable: true,
                ..Row::default()
            });
        }
        prev_turn = turn;
        if closing == Some(bi) {
            // The closing note (an italic paragraph that ends the piece: a translator's
            // note, a credit) stands apart from the text, unindented.
            rows.push(space_row(1));
            indent_next = false;
        }
        // A pull quote may follow a paragraph or an answer, never a question (it would
        // stand between the question and its answer).
        let is_par = matches!(b, Block::Paragraph { .. })
            || matches!(b, Block::SpeakerTurn { role, .. } if *role != SpeakerRole::Question);
        let first_row = rows.len();
        block(
            ctx,
            b,
            m,
            &lang,
            body,
            &mut rows,
            &mut indent_next,
            &mut first_par,
        );
        mark_block(&mut rows[first_row..], b.span());
        if is_par && let Some(last) = rows.last_mut() {
            last.slot = true;
        }
        if is_par && !pending.is_empty() {
            for pq in pending.drain(..) {
                pullquote(ctx, pq, m, &lang, &mut rows);
            }
            indent_next = false;
        }
    }
    for pq in pending.drain(..) {
        pullquote(ctx, pq, m, &lang, &mut rows);
    }
    PieceFlow {
        rows,
        notes,
        pages: Vec::new(),
        glyphs: Default::default(),
    }
}

/// Rows of a block that show something but carry no text of the book (a figure, a rule of
/// asterisks, a code line) start where the block does.
fn mark_block(rows: &mut [Row], span: Span) {
    for r in rows {
        if r.origin.is_none() && !r.items.is_empty() {
            r.origin = Some(Origin::Block(span));
        }
    }
}

/// Space between two turns of an interview, in leadings: half a line, so each exchange
/// reads as a unit without the page looking gappy.
const TURN_GAP: f32 = 0.5;

/// The index of the piece's closing note: its last text block when that is a paragraph set
/// wholly in emphasis (and the piece has more than that paragraph).
fn closing_note(blocks: &[Block]) -> Option<usize> {
    let (i, last) = blocks
        .iter()
        .enumerate()
        .rev()
        .find(|(_, b)| !matches!(b, Block::FootnoteDef { .. } | Block::PullQuote { .. }))?;
    let Block::Paragraph { content, .. } = last else {
        return None;
    };
    let emphasis_only = !content.is_empty()
        && content.iter().all(|i| match i {
            Inline::Emphasis { .. } | Inline::FootnoteRef { .. } => true,
            Inline::Text { text, .. } => text.trim().is_empty(),
            _ => false,
        });
    (emphasis_only && i > 0).then_some(i)
}

/// Text lines of a set paragraph as rows with widow/orphan rules.
fn line_rows(lines: Vec<SetLine>, x: f32, m: Measure) -> Vec<Row> {
    let costs = paragraph_break_costs(&lines);
    lines
        .into_iter()
        .zip(costs)
        .map(|(l, cost)| {
            let hyphenated = l.hyphenated;
            let notes = l.notes.clone();
            let origin = l.origin;
            Row {
                lines: 1,
                origin,
                items: (line_items(l, x, m.leading * BASELINE)).into(),
                break_after: cost,
                notes,
                hyphenated,
                ..Row::default()
            }
        })
        .collect()
}

/// A set line's items, shifted to `x` and to the baseline `y`.
pub fn line_items(line: SetLine, x: f32, y: f32) -> Vec<Item> {
    let mut items: Vec<Item> = line
        .runs
        .into_iter()
        .map(|mut r| {
            r.origin.x += x;
            r.origin.y += y;
            Item::Glyphs(r)
        })
        .collect();
    for (x0, x1, url) in line.links {
        if url.starts_with("http://") || url.starts_with("https://") || url.starts_with("mailto:") {
            items.push(Item::UriLink {
                rect: super::frame::Rect {
                    x: x + x0,
                    y: y - 9.0,
                    width: x1 - x0,
                    height: 12.0,
                },
                uri: url,
            });
        }
    }
    items
}

pub(super) fn space_row(lines: u32) -> Row {
    Row {
        lines,
        discardable: true,
        ..Row::default()
    }
}

#[allow(clippy::too_many_arguments)]
fn block(
    ctx: &mut Ctx,
    b: &Block,
    m: Measure,
    lang: &str,
    body: TextStyle,
    rows: &mut Vec<Row>,
    indent_next: &mut bool,
    first_par: &mut bool,
) {
    let em = m.size;
    let justified = |indent: f32| ParSpec {
        widths: vec![m.width],
        indent,
        align: Align::Justify,
    };
    match b {
        Block::Paragraph { content, .. } => {
            let mut runs = collect(content, body, lang);
            if *first_par {
                small_caps_lead_in(&mut runs);
                *first_par = false;
            }
            let indent = if *indent_next { em } else { 0.0 };
            let lines = set_paragraph(ctx, &runs, &justified(indent));
            rows.extend(line_rows(lines, 0.0, m));
            *indent_next = true;
        }
        Block::SpeakerTurn {
            speaker,
            role,
            content,
            ..
        } => {
            // The speaker as a run-in label in semibold, then the turn's text.
            let label = if matches!(role, SpeakerRole::Question | SpeakerRole::Answer)
                && speaker.len() == 1
            {
                format!("{speaker}.")
            } else {
                format!("{speaker}:")
            };
            let mut runs = vec![Run {
                text: format!("{label} "),
                style: TextStyle {
                    face: Style::SemiBold,
                    hyphenate: false,
                    ..body
                },
                lang: lang.to_string(),
                note: None,
                link: None,
                span: b.span(),
                marks: vec![],
            }];
            let face = if *role == SpeakerRole::Question {
                Style::Italic
            } else {
                Style::Regular
            };
            runs.extend(collect(content, TextStyle { face, ..body }, lang));
            let lines = set_paragraph(ctx, &runs, &justified(0.0));
            rows.extend(line_rows(lines, 0.0, m));
            *first_par = false;
            *indent_next = false;
        }
        Block::Heading { level, content, .. } => {
            let size = if *level <= 1 { em * 1.2 } else { em };
            let style = TextStyle {
                small_caps: *level >= 3,
                ..TextStyle::new(Style::SemiBold, size)
            };
            let runs = collect(content, style, lang);
            let lines = set(ctx, &runs, m.width, Align::Left);
            rows.push(space_row(1));
            for (i, l) in lines.into_iter().enumerate() {
                let anchor =
                    (i == 0).then(|| (plain_text(content), usize::from(*level).clamp(1, 6)));
                rows.push(Row {
                    lines: 1,
                    origin: l.origin,
                    items: (line_items(l, 0.0, m.leading * BASELINE)).into(),
                    break_after: FORBIDDEN,
                    anchor,
                    ..Row::default()
                });
            }
            *indent_next = false;
        }
        Block::BlockQuote { content, .. } => {
            let inset = em * QUOTE_INSET_EM;
            let inner = Measure {
                width: m.width - inset,
                ..m
            };
            rows.push(space_row(1));
            rows.extend(nested(ctx, content, inner, inset, lang, body));
            rows.push(space_row(1));
            *indent_next = false;
        }
        Block::List {
            ordered,
            start,
            items,
            ..
        } => {
            let inset = em * LIST_INSET_EM;
            for (k, item) in items.iter().enumerate() {
                let label = if *ordered {
                    format!("{}.", start.saturating_add(k as u64))
                } else {
                    "•".to_string()
                };
                let mut sub = nested(ctx, item, m, inset, lang, body);
                if let Some(r) = sub.first_mut() {
                    let runs = vec![Run {
                        text: label,
                        style: body,
                        lang: lang.to_string(),
                        note: None,
                        link: None,
                        span: b.span(),
                        marks: vec![],
                    }];
                    if let Some(l) = set(ctx, &runs, inset, Align::Left).into_iter().next() {
                        std::sync::Arc::make_mut(&mut r.items).extend(line_items(
                            l,
                            0.0,
                            m.leading * BASELINE,
                        ));
                    }
                }
                rows.extend(sub);
            }
            *indent_next = false;
        }
        Block::Table {
            header,
            rows: body_rows,
            align,
            span,
        } => {
            rows.push(space_row(1));
            let t = super::table::Table {
                header,
                body: body_rows,
                align,
                span: *span,
            };
            rows.extend(super::table::table(ctx, &t, m, lang, body));
            *indent_next = false;
        }
        Block::DefinitionList { items, .. } => {
            for (term, defs) in items {
                let runs = collect(
                    term,
                    TextStyle {
                        face: Style::SemiBold,
                        ..body
                    },
                    lang,
                );
                let lines = set(ctx, &runs, m.width, Align::Left);
                let mut term_rows = line_rows(lines, 0.0, m);
                if let Some(last) = term_rows.last_mut() {
                    last.break_after = FORBIDDEN;
                }
                rows.extend(term_rows);
                for d in defs {
                    rows.extend(nested(ctx, d, m, em * LIST_INSET_EM, lang, body));
                }
            }
            *indent_next = false;
        }
        Block::CodeBlock { text, span } => {
            rows.push(space_row(1));
            for line in text.lines() {
                let runs = vec![Run {
                    text: line.to_string(),
                    style: TextStyle {
                        hyphenate: false,
                        size: em * 0.9,
                        ..body
                    },
                    lang: lang.to_string(),
                    note: None,
                    link: None,
                    span: *span,
                    marks: vec![],
                }];
                let lines = set(ctx, &runs, m.width - em, Align::Left);
                rows.extend(line_rows(lines, em, m));
            }
            rows.push(space_row(1));
            *indent_next = false;
        }
        Block::Figure {
            src,
            alt,
            caption,
            width,
            span,
        } => {
            let image = ctx.image(src);
            // A full-page picture is a page of its own: no space around it.
            if *width == Some(crate::model::Width::Page)
                && let Some((index, img)) = image
            {
                rows.push(full_page_figure(ctx, (index, &img), caption, m, lang, body));
                *indent_next = false;
                return;
            }
            rows.push(space_row(1));
            match image {
                Some((index, img)) => {
                    let mut row = figure(ctx, (index, &img), caption, *width, m, lang, body);
                    row.float = Some(super::flow::Float::Figure);
                    // Smaller versions the paginator may choose where the full size would
                    // leave a hole (a width asked for is kept as asked).
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
                            span: *span,
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
                    let lines = set(ctx, &runs, m.width, Align::Center);
                    rows.extend(line_rows(lines, 0.0, m));
                }
            }
            rows.push(space_row(1));
            *indent_next = false;
        }
        Block::Break { span } => {
            let runs = vec![Run {
                text: "*\u{2003}*\u{2003}*".into(),
                style: body,
                lang: lang.to_string(),
                note: None,
                link: None,
                span: *span,
                marks: vec![],
            }];
            let lines = set(ctx, &runs, m.width, Align::Center);
            let mut r = line_rows(lines, 0.0, m);
            for row in &mut r {
                row.break_after = FORBIDDEN; // keep the break with the text after it
            }
            rows.push(space_row(1));
            rows.extend(r);
            *indent_next = false;
        }
        Block::PullQuote { .. } | Block::FootnoteDef { .. } => {}
    }
}

/// Sets runs as a paragraph without indent at `width`.
pub(super) fn set(ctx: &mut Ctx, runs: &[Run], width: f32, align: Align) -> Vec<SetLine> {
    set_paragraph(
        ctx,
        runs,
        &ParSpec {
            widths: vec![width],
            indent: 0.0,
            align,
        },
    )
}

/// A block's text as inlines: a paragraph's own, anything else flattened to plain text.
fn inlines_of(b: &Block) -> Vec<Inline> {
    match b {
        Block::Paragraph { content, .. } => content.clone(),
        other => vec![Inline::Text {
            text: block_text(other),
            span: other.span(),
        }],
    }
}

/// Figures are set at 150 dpi at most (sharp in print) and never wider than the measure.
const FIGURE_DPI: f32 = 150.0;
/// A figure takes at most 60 % of the text block's height, leaving room for text around it.
const FIGURE_MAX_HEIGHT: f32 = 0.6;

/// A figure: the image centred at the measure (or smaller), its caption below in italic;
/// one row, so image and caption never part.
fn figure(
    ctx: &mut Ctx,
    (index, img): (usize, &crate::image::Image),
    caption: &[Inline],
    asked: Option<crate::model::Width>,
    m: Measure,
    lang: &str,
    body: TextStyle,
) -> Row {
    let (px_w, px_h) = (img.width as f32, img.height as f32);
    // The width asked for, else the image at 150 dpi; never wider than the measure.
    let natural = px_w * 72.0 / FIGURE_DPI;
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
    let top = m.leading * 0.25;
    let mut items = vec![Item::Image {
        rect: Rect {
            x: (m.width - w) / 2.0,
            y: top,
            width: w,
            height: h,
        },
        image: index,
    }];
    let mut y = top + h;
    let mut notes = Vec::new();
    if !caption.is_empty() {
        for l in caption_lines(ctx, caption, m, lang, body) {
            y += m.leading;
            notes.extend(l.notes.iter().copied());
            items.extend(line_items(l, 0.0, y));
        }
    }
    let lines = ((y + m.leading * 0.5) / m.leading).ceil().max(1.0) as u32;
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
        size: m.size * 0.9,
        hyphenate: false,
        ..body
    };
    let runs = collect(caption, style, lang);
    set(ctx, &runs, m.width, Align::Center)
}

/// How far a full-page figure reaches past the trim: the most bleed a print edition may
/// ask for (the screen PDF's media box is the trim, the print edition clips at its bleed).
const FULL_PAGE_REACH: f32 = 25.0 * 72.0 / 25.4;

/// A full-page figure (`{.bleed}`), on a page of its own: the image scaled to cover the page
/// and its bleed (its middle kept, its proportions kept); with a caption, it stops above the
/// caption, which is set in the foot of the page under the text block's last line.
fn full_page_figure(
    ctx: &mut Ctx,
    (index, img): (usize, &crate::image::Image),
    caption: &[Inline],
    m: Measure,
    lang: &str,
    body: TextStyle,
) -> Row {
    let (pw, ph) = m.page;
    let mut items = Vec::new();
    let mut bottom = ph + FULL_PAGE_REACH;
    if !caption.is_empty() {
        let lines = caption_lines(ctx, caption, m, lang, body);
        // The caption's last baseline on the text block's last line; the picture ends a
        // line above its first.
        let last = m.top + m.height - m.leading * (1.0 - BASELINE);
        let first = last - (lines.len().max(1) - 1) as f32 * m.leading;
        bottom = first - m.leading * 1.5;
        for (k, l) in lines.into_iter().enumerate() {
            items.extend(line_items(
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
    items.insert(
        0,
        Item::Group(super::frame::Group {
            transform: super::frame::Transform::translate(0.0, 0.0),
            clip: Some(bx),
            items: std::sync::Arc::new(vec![image]),
        }),
    );
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
    let (rect, image) = row.items.iter().find_map(|i| match i {
        Item::Image { rect, image } => Some((*rect, *image)),
        _ => None,
    })?;
    let (w, h) = (rect.width * s, rect.height * s);
    let dy = rect.height - h;
    let mut items = vec![Item::Image {
        rect: Rect {
            x: (m.width - w) / 2.0,
            y: rect.y,
            width: w,
            height: h,
        },
        image,
    }];
    let mut bottom = rect.y + h;
    for it in row
        .items
        .iter()
        .filter(|i| !matches!(i, Item::Image { .. }))
    {
        let moved = super::frame::translate(it.clone(), 0.0, -dy);
        if let Item::Glyphs(g) = &moved {
            bottom = bottom.max(g.origin.y);
        }
        items.push(moved);
    }
    let lines = ((bottom + m.leading * 0.5) / m.leading).ceil().max(1.0) as u32;
    (lines < row.lines).then(|| Row {
        lines,
        items: items.into(),
        shrunk: vec![],
        ..row.clone()
    })
}

/// Moves every item of `rows` right by `dx` (glyphs, rules, images and link areas).
fn shift_rows(rows: &mut [Row], dx: f32) {
    for r in rows {
        for it in std::sync::Arc::make_mut(&mut r.items) {
            *it = super::frame::translate(
                std::mem::replace(
                    it,
                    Item::Rule {
                        from: Point::default(),
                        to: Point::default(),
                        thickness: 0.0,
                    },
                ),
                dx,
                0.0,
            );
        }
    }
}

/// Blocks nested in a list item, a definition or a quotation: set `inset` pt in from the
/// left at the measure less the inset, any kind of block (nested lists keep their own
/// labels, emphasis and links), paragraphs justified without indent.
fn nested(
    ctx: &mut Ctx,
    blocks: &[Block],
    m: Measure,
    inset: f32,
    lang: &str,
    body: TextStyle,
) -> Vec<Row> {
    let inner = Measure {
        width: m.width - inset,
        ..m
    };
    let mut rows = Vec::new();
    for c in blocks {
        let mut sub = Vec::new();
        if let Block::Paragraph { content, .. } = c {
            let runs = collect(content, body, lang);
            let lines = set(ctx, &runs, inner.width, Align::Justify);
            sub.extend(line_rows(lines, 0.0, m));
        } else {
            let (mut first, mut indent) = (false, false);
            block(ctx, c, inner, lang, body, &mut sub, &mut indent, &mut first);
        }
        shift_rows(&mut sub, inset);
        rows.extend(sub);
    }
    rows
}

/// Lists and definitions are set 1.5 em in: the label (a bullet or "12.") fits the inset.
const LIST_INSET_EM: f32 = 1.5;
/// Quotations are set 1.5 em in from each side (the classic indented extract): the quote's
/// measure loses the inset on the right, and `nested` sets it in from the left.
const QUOTE_INSET_EM: f32 = 1.5;

fn block_text(b: &Block) -> String {
    match b {
        Block::Paragraph { content, .. }
        | Block::SpeakerTurn { content, .. }
        | Block::Heading { content, .. } => plain_text(content),
        Block::CodeBlock { text, .. } => text.clone(),
        Block::List { items, .. } => items
            .iter()
            .flatten()
            .map(block_text)
            .collect::<Vec<_>>()
            .join(" "),
        Block::BlockQuote { content, .. } | Block::PullQuote { content, .. } => {
            content.iter().map(block_text).collect::<Vec<_>>().join(" ")
        }
        _ => String::new(),
    }
}

/// The first words of a piece in small capitals (the magazine lead-in), up to three words.
fn small_caps_lead_in(runs: &mut Vec<Run>) {
    let Some(first) = runs.first() else { return };
    let text = first.text.clone();
    let mut spaces = 0;
    let mut cut = text.len();
    for (i, c) in text.char_indices() {
        if c == ' ' {
            spaces += 1;
            if spaces == 3 {
                cut = i;
                break;
            }
        }
    }
    let mut lead = runs[0].clone();
    lead.text = text[..cut].to_string();
    lead.style.small_caps = true;
    lead.marks.retain(|m| m.0 < cut);
    if cut < text.len() {
        let rest = &mut runs[0];
        rest.text = text[cut..].to_string();
        // The rest's marks move with its text; a text cut in two is marked on both sides.
        let inside = rest.marks.iter().rev().find(|m| m.0 <= cut).copied();
        rest.marks.retain(|m| m.0 > cut);
        if let Some((at, span, base)) = inside {
            let before = text[at..cut].chars().count() as u32;
            rest.marks.insert(0, (cut, span, base + before));
        }
        for m in &mut rest.marks {
            m.0 -= cut.min(m.0);
        }
        runs.insert(0, lead);
    } else {
        runs[0] = lead;
    }
}

/// A pull quote: larger italic between two rules, kept with the text above and below it.
fn pullquote(ctx: &mut Ctx, b: &Block, m: Measure, lang: &str, rows: &mut Vec<Row>) {
    let first_row = rows.len();
    pullquote_rows(ctx, b, m, lang, rows);
    mark_block(&mut rows[first_row..], b.span());
}

fn pullquote_rows(ctx: &mut Ctx, b: &Block, m: Measure, lang: &str, rows: &mut Vec<Row>) {
    let Block::PullQuote { content, .. } = b else {
        return;
    };
    let size = m.size * PULLQUOTE_SCALE;
    let inner: Vec<Inline> = content.iter().flat_map(inlines_of).collect();
    let style = TextStyle::new(Style::Italic, size);
    let runs = collect(&inner, style, lang);
    let width = m.width * 0.85;
    let lines = set(ctx, &runs, width, Align::Center);
    // Text lines on the pull quote's own leading, centred in whole grid lines, with a
    // grid line of air and a rule above and below.
    let pq_leading = size * 1.25;
    let text_height = lines.len() as f32 * pq_leading;
    let total_lines = ((text_height + 2.0 * m.leading) / m.leading).ceil() as u32 + 1;
    let total = total_lines as f32 * m.leading;
    let top = (total - text_height) / 2.0;
    let mut items = vec![
        Item::Rule {
            from: Point {
                x: 0.0,
                y: m.leading * 0.6,
            },
            to: Point {
                x: m.width,
                y: m.leading * 0.6,
            },
            thickness: 0.4,
        },
        Item::Rule {
            from: Point {
                x: 0.0,
                y: total - m.leading * 0.6,
            },
            to: Point {
                x: m.width,
                y: total - m.leading * 0.6,
            },
            thickness: 0.4,
        },
    ];
    for (i, l) in lines.into_iter().enumerate() {
        let y = top + i as f32 * pq_leading + size * 0.95;
        items.extend(line_items(l, (m.width - width) / 2.0, y));
    }
    // Never at the top or bottom of a page: no break right after it, and the paginator
    // never opens a page with it; it may move a few paragraphs on (see `flow::place_floats`).
    rows.push(Row {
        lines: total_lines,
        items: items.into(),
        break_after: FORBIDDEN,
        float: Some(super::flow::Float::PullQuote),
        ..Row::default()
    });
}

/// Sets a footnote: its number, then its text, at the note size.
fn set_note(ctx: &mut Ctx, n: u32, content: &[Block], m: Measure, lang: &str) -> Note {
    let size = m.size * NOTE_SCALE;
    let leading = m.leading * NOTE_SCALE;
    let style = TextStyle {
        hyphenate: true,
        ..TextStyle::new(Style::Regular, size)
    };
    let mut runs = vec![Run {
        text: format!("{n}. "),
        style,
        lang: lang.to_string(),
        note: None,
        link: None,
        span: Span::default(),
        marks: vec![],
    }];
    for (i, c) in content.iter().enumerate() {
        if i > 0 {
            runs.push(Run {
                text: " ".into(),
                style,
                lang: lang.to_string(),
                note: None,
                link: None,
                span: Span::default(),
                marks: vec![],
            });
        }
        match c {
            Block::Paragraph { content, .. } => runs.extend(collect(content, style, lang)),
            other => runs.push(Run {
                text: block_text(other),
                style,
                lang: lang.to_string(),
                note: None,
                link: None,
                span: other.span(),
                marks: vec![],
            }),
        }
    }
    let lines = set(ctx, &runs, m.width, Align::Justify);
    let height = lines.len() as f32 * leading;
    // Notes are not split across pages yet: one taller than the text block would run
    // off its page. Say so, where it is written.
    if height + m.leading > m.height {
        let d = crate::diag::Diagnostic::warning(format!(
            "footnote {n} is {} lines long, more than a page holds; its first lines are set above the text block",
            lines.len()
        ))
        .hint("shorten the note, or make it part of the text (folio does not split notes across pages)");
        let span = content.first().map(Block::span).unwrap_or_default();
        let d = ctx.located(d, span);
        ctx.warnings.push(d);
    }
    Note { lines, height }
}
