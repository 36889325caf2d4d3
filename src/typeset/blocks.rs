//! A resolved piece's blocks → flow rows: the piece opening, paragraphs, speaker turns,
//! headings, pull quotes, quotations, lists, tables, figures, code and breaks.
//!
//! Every row that shows a block's content carries its structure tags: the content of a leaf
//! element (a paragraph's line, a cell, a figure) sits between `Tag::Start` with the
//! element's id and `Tag::End` ([`tagged`]), so a row is whole on any page it lands on.

use super::Ctx;
use super::collect::{Run, TextStyle, collect};
use super::flow::{FORBIDDEN, Note, PAR_STRETCH, Row, SPACE_STRETCH, paragraph_break_costs};
use super::font::Style;
use super::frame::{ElemId, InlineTag, Item, Origin, Point, Role, Tag};
use super::par::{Align, ParSpec, SetLine, set_paragraph};
use super::table::TableStyle;
use crate::diag::Diagnostic;
use crate::model::{Inline, Span, SpeakerRole, plain_text};
use crate::resolve::{Kind, RBlock, RNote, RPiece};
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

/// A piece laid out as rows, with its footnotes set and what the layout found to warn of.
#[derive(Clone)]
pub struct PieceFlow {
    pub rows: Vec<Row>,
    pub notes: BTreeMap<u32, Note>,
    /// The piece's pages as ranges of `rows` (set by `page::paginate`).
    pub pages: Vec<super::flow::PageRange>,
    /// The glyphs its rows and notes draw (set by `page::paginate`).
    pub glyphs: super::frame::GlyphUse,
    /// Warnings of the layout (a table too wide, a note taller than a page), located.
    pub warnings: Vec<Diagnostic>,
}

/// A note longer than this many text blocks gets a warning (it is set whole regardless).
const LONG_NOTE_PAGES: f32 = 3.0;
/// Footnote text: 80 % of the body size on 80 % of its leading (the classic 8/10 under 10/12).
const NOTE_SCALE: f32 = 0.8;
/// Labels (kicker, byline, names on the title page) in small capitals at 90 % of the text
/// size: small capitals at full size look heavier than the text around them.
pub const LABEL_SCALE: f32 = 0.9;
/// Pull quotes: 1.35 × body size, italic, between rules.
const PULLQUOTE_SCALE: f32 = 1.35;
/// Level-1 headings (as written) are set a step above the text size.
const TOP_HEADING_SCALE: f32 = 1.2;

/// `items` as the content of element `id` (a leaf of the resolved structure): between its
/// start and end tags (an id that names no element leaves them untagged: an artifact).
pub fn tagged(id: ElemId, role: Role, items: Vec<Item>) -> Vec<Item> {
    if items.is_empty() || id.is_none() {
        return items;
    }
    let mut out = Vec::with_capacity(items.len() + 2);
    out.push(Item::Tag(Tag::Start(id, role)));
    out.extend(items);
    out.push(Item::Tag(Tag::End));
    out
}

/// Lays out a resolved piece.
pub fn piece(ctx: &mut Ctx, piece: &RPiece, m: Measure) -> PieceFlow {
    let lang = piece.lang.as_str();
    let body = TextStyle {
        hyphenate: true,
        ..TextStyle::new(Style::Regular, m.size)
    };
    let index = piece.index;
    let mut rows = super::opening::opening(ctx, piece, m);
    for r in &mut rows {
        r.origin = Some(Origin::Opening(index as u32));
    }
    let mut warnings = Vec::new();
    let mut notes: BTreeMap<u32, Note> = BTreeMap::new();
    for n in &piece.notes {
        let (note, warning) = set_note(ctx, n, m, lang);
        notes.insert(n.number, note);
        warnings.extend(warning);
    }
    let mut state = State {
        indent_next: false,
        first_par: true,
    };
    let (tables, w) = table_style(ctx, piece, m, lang, body);
    warnings.extend(w);
    let setting = Setting { lang, body, tables };
    // Pull quotes wait for the paragraph after their source, so they never sit directly
    // beside the sentence they repeat.
    let mut pending: Vec<&RBlock> = Vec::new();
    let mut prev_turn = false;
    // `<a id>` anchors of a block that shows nothing land at the next one.
    let mut pending_ids: Vec<String> = Vec::new();
    let opening = rows.len();
    for b in &piece.blocks {
        if let Kind::PullQuote { .. } = b.kind {
            pending.push(b);
            continue;
        }
        // A pull quote never moves past a heading: one still waiting goes before it.
        if let Kind::Heading { .. } = b.kind {
            for pq in pending.drain(..) {
                pullquote(ctx, pq, m, lang, &mut rows);
            }
        }
        let turn = matches!(b.kind, Kind::Turn { .. });
        let closing = matches!(b.kind, Kind::Paragraph { closing: true, .. });
        // Turns stand half a line apart, and so does the first turn from the text before
        // it and an interview's closing note from its last turn; an essay's closing note
        // stands a line apart. The closing note is unindented.
        if (turn || (closing && prev_turn)) && rows.len() > opening {
            rows.push(half_line(m));
        } else if closing {
            rows.push(space_row(1));
        }
        if closing {
            state.indent_next = false;
        }
        prev_turn = turn;
        // A pull quote may follow a paragraph or an answer, never a question (it would
        // stand between the question and its answer).
        let is_par = matches!(b.kind, Kind::Paragraph { .. })
            || matches!(b.kind, Kind::Turn { role, .. } if role != SpeakerRole::Question);
        let first_row = rows.len();
        warnings.extend(block(ctx, b, m, setting, &mut rows, &mut state));
        mark_block(&mut rows[first_row..], b.span);
        mark_anchors(&mut rows[first_row..], b, &mut pending_ids);
        // A question stays with the first lines of what answers it; so, as far as the
        // pages allow, does any other turn of a line or two (an exchange of one-line turns
        // cannot all be kept together).
        let short = rows.len() - first_row <= SHORT_TURN_LINES;
        if let Kind::Turn { role, .. } = b.kind
            && let Some(last) = rows.last_mut()
        {
            if role == SpeakerRole::Question {
                last.break_after = FORBIDDEN;
            } else if short {
                last.break_after = last.break_after.max(SHORT_TURN_KEEP);
            }
        }
        // The space after a paragraph may grow a little on a page that must end level.
        if matches!(b.kind, Kind::Paragraph { .. })
            && let Some(last) = rows.last_mut()
        {
            last.stretch = PAR_STRETCH;
        }
        if is_par && let Some(last) = rows.last_mut() {
            last.slot = true;
        }
        // A pull quote reads as set aside: the paragraph after it goes on indented, as if
        // it were not there (it may float elsewhere anyway).
        if is_par && !pending.is_empty() {
            for pq in pending.drain(..) {
                pullquote(ctx, pq, m, lang, &mut rows);
            }
        }
    }
    for pq in pending.drain(..) {
        pullquote(ctx, pq, m, lang, &mut rows);
    }
    // A note nothing refers to is set on the piece's last page, after the others.
    let lonely: Vec<u32> = piece
        .notes
        .iter()
        .filter(|n| !n.referenced)
        .map(|n| n.number)
        .collect();
    if let Some(last) = rows.iter_mut().rev().find(|r| !r.items.is_empty()) {
        last.notes.extend(lonely);
    }
    PieceFlow {
        rows,
        notes,
        pages: Vec::new(),
        glyphs: Default::default(),
        warnings,
    }
}

/// What every block of a piece is set with: its language, the body text's style, and
/// the one style of all its tables.
#[derive(Clone, Copy)]
struct Setting<'a> {
    lang: &'a str,
    body: TextStyle,
    tables: TableStyle,
}

/// The style of a piece's tables: the tightest its tables at the full measure need (a
/// table nested in a list or quotation is set tighter still if its narrower measure needs
/// it); with the warnings of the tables that do not fit at all.
fn table_style(
    ctx: &mut Ctx,
    piece: &RPiece,
    m: Measure,
    lang: &str,
    body: TextStyle,
) -> (TableStyle, Vec<Diagnostic>) {
    let tables: Vec<super::table::Table> = piece
        .blocks
        .iter()
        .filter_map(|b| match &b.kind {
            Kind::Table {
                header,
                rows,
                align,
                ..
            } => Some(super::table::Table {
                header,
                body: rows,
                align,
                span: b.span,
            }),
            _ => None,
        })
        .collect();
    super::table::piece_style(ctx, &tables, m, lang, body)
}

/// Where the flow of a piece is: the next paragraph's indent, and whether the first
/// paragraph (with its small-capitals lead-in) is still to come.
struct State {
    indent_next: bool,
    first_par: bool,
}

/// Rows of a block that show something but carry no text of the book (a figure, a rule of
/// asterisks, a code line) start where the block does.
/// A figure's other sizes too: the paginator may show one of them instead.
fn mark_block(rows: &mut [Row], span: Span) {
    for r in rows {
        if r.origin.is_none() && !r.items.is_empty() {
            r.origin = Some(Origin::Block(span));
        }
        mark_block(&mut r.shrunk, span);
    }
}

/// The `<a id>` anchors written in block `b` (and those `pending` from blocks before it
/// that showed nothing) land at its first row that shows something; without one they wait
/// in `pending` for the next block.
fn mark_anchors(rows: &mut [Row], b: &RBlock, pending: &mut Vec<String>) {
    crate::resolve::anchors_in(std::slice::from_ref(b), pending);
    if pending.is_empty() {
        return;
    }
    if let Some(r) = rows.iter_mut().find(|r| !r.items.is_empty()) {
        r.ids.append(pending);
    }
}

/// Space between two turns of an interview, in leadings: half a line, so each exchange
/// reads as a unit without the page looking gappy.
const TURN_GAP: f32 = 0.5;
/// A turn this many lines long or shorter is kept with what follows it (a short answer
/// alone at a page's foot reads as cut off from the next question)…
const SHORT_TURN_LINES: usize = 2;
/// …at this cost: worse than a page two lines short, better than three
/// ([`super::flow::SHORT_PAGE`] · n²), so a run of one-line turns does not leave holes.
const SHORT_TURN_KEEP: f64 = 6e3;

/// Half a line of space (dropped at a page's top).
fn half_line(m: Measure) -> Row {
    Row {
        extra: m.leading * TURN_GAP,
        stretch: TURN_GAP * SPACE_STRETCH * 2.0,
        discardable: true,
        ..Row::default()
    }
}

/// Text lines of a set paragraph as rows with widow/orphan rules, tagged as `id`'s content.
pub(super) fn line_rows(
    lines: Vec<SetLine>,
    x: f32,
    m: Measure,
    id: ElemId,
    role: Role,
) -> Vec<Row> {
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
                items: tagged_line(l, x, m.leading * BASELINE, id, role).into(),
                break_after: cost,
                notes,
                hyphenated,
                ..Row::default()
            }
        })
        .collect()
}

/// Where a link's clickable area starts above the baseline, and its height: the body
/// text's ascenders and descenders at 10–12 pt.
const LINK_ABOVE: f32 = 9.0;
const LINK_HEIGHT: f32 = 12.0;

/// A set line's items, shifted to `x` and to the baseline `y`: its glyph runs, the runs of
/// an inline element (a link with its clickable area, a foreign term, a note's call)
/// between that element's tags.
pub fn line_items(line: SetLine, x: f32, y: f32) -> Vec<Item> {
    let inline = line.marks.iter().filter(|m| m.tag.is_some()).count();
    let mut items: Vec<Item> = Vec::with_capacity(line.runs.len() + 2 * inline);
    line_items_into(line, x, y, &mut items);
    items
}

/// [`line_items`] as the content of leaf `id`, in one allocation (every line of the book
/// goes through here).
fn tagged_line(line: SetLine, x: f32, y: f32, id: ElemId, role: Role) -> Vec<Item> {
    if id.is_none() || line.runs.is_empty() {
        return line_items(line, x, y);
    }
    // The runs, the element's two tags, and two for each run that opens an inline element
    // (a bound: a plain line has no marks).
    let inline = line.marks.iter().filter(|m| m.tag.is_some()).count();
    let mut items: Vec<Item> = Vec::with_capacity(line.runs.len() + 2 + 2 * inline);
    items.push(Item::Tag(Tag::Start(id, role)));
    line_items_into(line, x, y, &mut items);
    items.push(Item::Tag(Tag::End));
    items
}

/// Appends [`line_items`] to `items`.
fn line_items_into(line: SetLine, x: f32, y: f32, items: &mut Vec<Item>) {
    let mut open: Option<super::par::RunMark> = None;
    let close = |open: &mut Option<super::par::RunMark>, items: &mut Vec<Item>| {
        if let Some(mark) = open.take() {
            if let Some((x0, x1, url)) = mark.link.and_then(|k| line.links.get(k)) {
                let rect = super::frame::Rect {
                    x: x + x0,
                    y: y - LINK_ABOVE,
                    width: x1 - x0,
                    height: LINK_HEIGHT,
                };
                if super::collect::is_web(url) {
                    items.push(Item::UriLink {
                        rect,
                        uri: url.clone(),
                    });
                } else if let Some(target) = crate::resolve::links::target_of(url) {
                    items.push(Item::GoTo {
                        rect,
                        target: target as u32,
                    });
                }
            }
            if mark.tag.is_some() {
                items.push(Item::Tag(Tag::End));
            }
        }
    };
    let marks = line
        .marks
        .iter()
        .cloned()
        .chain(std::iter::repeat(Default::default()));
    for (mut r, mark) in line.runs.into_iter().zip(marks) {
        if open.as_ref() != Some(&mark) {
            close(&mut open, items);
            if mark != Default::default() {
                if let Some(tag) = &mark.tag {
                    items.push(Item::Tag(Tag::Inline(tag.clone())));
                }
                open = Some(mark);
            }
        }
        r.origin.x += x;
        r.origin.y += y;
        items.push(Item::Glyphs(r));
    }
    close(&mut open, items);
}

pub(super) fn space_row(lines: u32) -> Row {
    Row {
        lines,
        stretch: lines as f32 * SPACE_STRETCH,
        discardable: true,
        ..Row::default()
    }
}

/// Sets block `b`, appending its rows to `rows`; returns what it warns of.
fn block(
    ctx: &mut Ctx,
    b: &RBlock,
    m: Measure,
    setting: Setting,
    rows: &mut Vec<Row>,
    state: &mut State,
) -> Vec<Diagnostic> {
    let Setting { lang, body, .. } = setting;
    let mut warnings = Vec::new();
    let em = m.size;
    let justified = |indent: f32| ParSpec {
        widths: vec![m.width],
        indent,
        align: Align::Justify,
    };
    match &b.kind {
        Kind::Paragraph { content, .. } => {
            let mut runs = collect(content, body, lang);
            if state.first_par {
                small_caps_lead_in(&mut runs);
                state.first_par = false;
            }
            let indent = if state.indent_next { em } else { 0.0 };
            let lines = set_paragraph(ctx, &runs, &justified(indent));
            rows.extend(line_rows(lines, 0.0, m, b.id, Role::P));
            state.indent_next = true;
        }
        Kind::Turn {
            speaker,
            role,
            content,
        } => {
            rows.extend(turn(ctx, b.id, speaker, *role, content, m, lang, body));
            state.first_par = false;
            state.indent_next = false;
        }
        Kind::Heading {
            level,
            written,
            content,
            anchor: heading_anchor,
        } => {
            let size = if *written <= 1 {
                em * TOP_HEADING_SCALE
            } else {
                em
            };
            let style = TextStyle {
                small_caps: *written >= 3,
                ..TextStyle::new(Style::SemiBold, size)
            };
            let runs = collect(content, style, lang);
            let lines = set(ctx, &runs, m.width, Align::Left);
            rows.push(space_row(1));
            for (i, l) in lines.into_iter().enumerate() {
                let anchor =
                    (i == 0).then(|| (plain_text(content), usize::from(*written).clamp(1, 6)));
                let items = line_items(l.clone(), 0.0, m.leading * BASELINE);
                rows.push(Row {
                    lines: 1,
                    origin: l.origin,
                    items: tagged(b.id, Role::H(*level), items).into(),
                    break_after: FORBIDDEN,
                    anchor,
                    ids: if i == 0 {
                        vec![heading_anchor.clone()]
                    } else {
                        vec![]
                    },
                    ..Row::default()
                });
            }
            state.indent_next = false;
        }
        Kind::BlockQuote { blocks } => {
            let inset = em * QUOTE_INSET_EM;
            let inner = Measure {
                width: m.width - inset,
                ..m
            };
            rows.push(space_row(1));
            let (sub, w) = nested(ctx, blocks, inner, inset, setting);
            rows.extend(sub);
            warnings.extend(w);
            rows.push(space_row(1));
            state.indent_next = false;
        }
        Kind::List {
            ordered,
            start,
            items,
        } => {
            let (sub, w) = list(ctx, b, (*ordered, *start), items, m, setting);
            rows.extend(sub);
            warnings.extend(w);
            state.indent_next = false;
        }
        Kind::Table {
            header,
            rows: body_rows,
            align,
            ..
        } => {
            rows.push(space_row(1));
            let t = super::table::Table {
                header,
                body: body_rows,
                align,
                span: b.span,
            };
            let (sub, w) = super::table::table(ctx, &t, setting.tables, m, lang, body);
            rows.extend(sub);
            warnings.extend(w);
            // The bottom rule's own line is the space before the text resumes, as the line
            // above the top rule is before it.
            state.indent_next = false;
        }
        Kind::Definitions { items } => {
            for d in items {
                let runs = collect(
                    &d.term,
                    TextStyle {
                        face: Style::SemiBold,
                        ..body
                    },
                    lang,
                );
                let lines = set(ctx, &runs, m.width, Align::Left);
                let mut term_rows = line_rows(lines, 0.0, m, d.label, Role::Lbl);
                if let Some(last) = term_rows.last_mut() {
                    last.break_after = FORBIDDEN;
                }
                rows.extend(term_rows);
                for def in &d.defs {
                    let (sub, w) = nested(ctx, def, m, em * LIST_INSET_EM, setting);
                    rows.extend(sub);
                    warnings.extend(w);
                }
            }
            // Set apart from the text that resumes after it, by a line as a table is.
            rows.push(space_row(1));
            state.indent_next = false;
        }
        Kind::Code { text } => {
            rows.push(space_row(1));
            rows.extend(super::code::code_rows(ctx, b, text, m, lang));
            rows.push(space_row(1));
            state.indent_next = false;
        }
        // A figure floats: the text around it reads on as if it were not there, the
        // paragraph after it indented.
        Kind::Figure { .. } => super::figure::figure_rows(ctx, b, m, lang, body, rows),
        Kind::Break => {
            let runs = vec![Run::added("*\u{2003}*\u{2003}*".into(), body, lang, b.span)];
            let lines = set(ctx, &runs, m.width, Align::Center);
            // Drawn, not read: the asterisks are an artifact (no tags).
            let mut r: Vec<Row> = lines
                .into_iter()
                .map(|l| Row {
                    lines: 1,
                    items: line_items(l, 0.0, m.leading * BASELINE).into(),
                    ..Row::default()
                })
                .collect();
            for row in &mut r {
                row.break_after = FORBIDDEN; // keep the break with the text after it
            }
            rows.push(space_row(1));
            rows.extend(r);
            state.indent_next = false;
        }
        Kind::PullQuote { .. } => {}
    }
    warnings
}

/// An interview turn: the speaker as a run-in label in semibold (the element's label),
/// then the turn's text; questions in italic.
#[allow(clippy::too_many_arguments)]
fn turn(
    ctx: &mut Ctx,
    id: ElemId,
    speaker: &str,
    role: SpeakerRole,
    content: &[Inline],
    m: Measure,
    lang: &str,
    body: TextStyle,
) -> Vec<Row> {
    let label = if matches!(role, SpeakerRole::Question | SpeakerRole::Answer) && speaker.len() == 1
    {
        format!("{speaker}.")
    } else {
        format!("{speaker}:")
    };
    let label_style = TextStyle {
        face: Style::SemiBold,
        hyphenate: false,
        ..body
    };
    let mut first = Run::added(format!("{label} "), label_style, lang, Span::default());
    first.tag = Some(InlineTag::Lbl);
    let mut runs = vec![first];
    let face = if role == SpeakerRole::Question {
        Style::Italic
    } else {
        Style::Regular
    };
    runs.extend(collect(content, TextStyle { face, ..body }, lang));
    let lines = set_paragraph(
        ctx,
        &runs,
        &ParSpec {
            widths: vec![m.width],
            indent: 0.0,
            align: Align::Justify,
        },
    );
    line_rows(lines, 0.0, m, id, Role::P)
}

/// A list: each item's blocks set in, its label (a bullet or "12.") in the inset of its
/// first row, tagged as the item's label; with what its items warn of.
fn list(
    ctx: &mut Ctx,
    b: &RBlock,
    (ordered, start): (bool, u64),
    items: &[crate::resolve::ListItem],
    m: Measure,
    setting: Setting,
) -> (Vec<Row>, Vec<Diagnostic>) {
    let Setting { lang, body, .. } = setting;
    let inset = m.size * LIST_INSET_EM;
    let mut rows = Vec::new();
    let mut warnings = Vec::new();
    for (k, item) in items.iter().enumerate() {
        let label = if ordered {
            format!("{}.", start.saturating_add(k as u64))
        } else {
            "•".to_string()
        };
        let (mut sub, w) = nested(ctx, &item.blocks, m, inset, setting);
        warnings.extend(w);
        if let Some(r) = sub.first_mut() {
            let runs = vec![Run::added(label, body, lang, b.span)];
            if let Some(l) = set(ctx, &runs, inset, Align::Left).into_iter().next() {
                let items = line_items(l, 0.0, m.leading * BASELINE);
                std::sync::Arc::make_mut(&mut r.items).extend(tagged(item.label, Role::Lbl, items));
            }
        }
        rows.extend(sub);
    }
    (rows, warnings)
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
fn inlines_of(b: &RBlock) -> Vec<Inline> {
    match &b.kind {
        Kind::Paragraph { content, .. } => content.clone(),
        _ => vec![Inline::Text {
            text: block_text(b),
            span: b.span,
        }],
    }
}

/// Moves every item of `rows` right by `dx` (glyphs, rules, images and link areas).
fn shift_rows(rows: &mut [Row], dx: f32) {
    for r in rows {
        for it in std::sync::Arc::make_mut(&mut r.items) {
            *it = super::frame::translate(std::mem::replace(it, Item::Tag(Tag::End)), dx, 0.0);
        }
    }
}

/// Blocks nested in a list item, a definition or a quotation: set `inset` pt in from the
/// left at the measure less the inset, any kind of block (nested lists keep their own
/// labels, emphasis and links), paragraphs justified without indent; with their warnings.
fn nested(
    ctx: &mut Ctx,
    blocks: &[RBlock],
    m: Measure,
    inset: f32,
    setting: Setting,
) -> (Vec<Row>, Vec<Diagnostic>) {
    let Setting { lang, body, .. } = setting;
    let mut warnings = Vec::new();
    let inner = Measure {
        width: m.width - inset,
        ..m
    };
    let mut rows = Vec::new();
    for c in blocks {
        let mut sub = Vec::new();
        if let Kind::Paragraph { content, .. } = &c.kind {
            let runs = collect(content, body, lang);
            let lines = set(ctx, &runs, inner.width, Align::Justify);
            sub.extend(line_rows(lines, 0.0, m, c.id, Role::P));
        } else {
            let mut state = State {
                indent_next: false,
                first_par: false,
            };
            warnings.extend(block(ctx, c, inner, setting, &mut sub, &mut state));
        }
        shift_rows(&mut sub, inset);
        rows.extend(sub);
    }
    (rows, warnings)
}

/// Lists and definitions are set 1.5 em in: the label (a bullet or "12.") fits the inset.
const LIST_INSET_EM: f32 = 1.5;
/// Quotations are set 1.5 em in from each side (the classic indented extract): the quote's
/// measure loses the inset on the right, and `nested` sets it in from the left.
const QUOTE_INSET_EM: f32 = 1.5;

/// A block's words as plain text (a note's or a pull quote's blocks, set as one paragraph).
fn block_text(b: &RBlock) -> String {
    let all = |blocks: &[RBlock]| blocks.iter().map(block_text).collect::<Vec<_>>().join(" ");
    match &b.kind {
        Kind::Paragraph { content, .. }
        | Kind::Turn { content, .. }
        | Kind::Heading { content, .. } => plain_text(content),
        Kind::Code { text } => text.clone(),
        Kind::List { items, .. } => items
            .iter()
            .map(|i| all(&i.blocks))
            .collect::<Vec<_>>()
            .join(" "),
        Kind::BlockQuote { blocks } | Kind::PullQuote { blocks, .. } => all(blocks),
        Kind::Definitions { items } => items
            .iter()
            .map(|d| {
                let defs: Vec<String> = d.defs.iter().map(|x| all(x)).collect();
                format!("{} {}", plain_text(&d.term), defs.join(" "))
            })
            .collect::<Vec<_>>()
            .join(" "),
        Kind::Table { header, rows, .. } => header
            .iter()
            .chain(rows.iter().flatten())
            .map(|c| plain_text(&c.content))
            .collect::<Vec<_>>()
            .join(" "),
        Kind::Figure { caption, .. } => plain_text(caption),
        Kind::Break => String::new(),
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
fn pullquote(ctx: &mut Ctx, b: &RBlock, m: Measure, lang: &str, rows: &mut Vec<Row>) {
    let first_row = rows.len();
    pullquote_rows(ctx, b, m, lang, rows);
    mark_block(&mut rows[first_row..], b.span);
}

/// A pull quote's rules' weight (pt) and their place in their grid line (as a share of the
/// leading from the pull quote's top and bottom).
const PULLQUOTE_RULE: f32 = 0.4;
const PULLQUOTE_RULE_DROP: f32 = 0.6;
/// The pull quote's lines share 85 % of the measure, its own leading is 1.25 × its size, its
/// first baseline 0.95 × its size below the text's top.
const PULLQUOTE_MEASURE: f32 = 0.85;
const PULLQUOTE_LEADING: f32 = 1.25;
const PULLQUOTE_ASCENT: f32 = 0.95;

fn pullquote_rows(ctx: &mut Ctx, b: &RBlock, m: Measure, lang: &str, rows: &mut Vec<Row>) {
    let Kind::PullQuote { text, blocks } = &b.kind else {
        return;
    };
    let size = m.size * PULLQUOTE_SCALE;
    let inner: Vec<Inline> = blocks.iter().flat_map(inlines_of).collect();
    let style = TextStyle::new(Style::Italic, size);
    let runs = collect(&inner, style, lang);
    let width = m.width * PULLQUOTE_MEASURE;
    let lines = set(ctx, &runs, width, Align::Center);
    // Text lines on the pull quote's own leading, centred in whole grid lines, with a
    // grid line of air and a rule above and below.
    let pq_leading = size * PULLQUOTE_LEADING;
    let text_height = lines.len() as f32 * pq_leading;
    let total_lines = ((text_height + 2.0 * m.leading) / m.leading).ceil() as u32 + 1;
    let total = total_lines as f32 * m.leading;
    let top = (total - text_height) / 2.0;
    let rule = |y: f32| Item::Rule {
        from: Point { x: 0.0, y },
        to: Point { x: m.width, y },
        thickness: PULLQUOTE_RULE,
    };
    let mut items = vec![
        rule(m.leading * PULLQUOTE_RULE_DROP),
        rule(total - m.leading * PULLQUOTE_RULE_DROP),
    ];
    let mut text_items = Vec::new();
    for (i, l) in lines.into_iter().enumerate() {
        let y = top + i as f32 * pq_leading + size * PULLQUOTE_ASCENT;
        text_items.extend(line_items(l, (m.width - width) / 2.0, y));
    }
    items.extend(tagged(*text, Role::P, text_items));
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

/// Sets a footnote: its number, then its text, at the note size; with a warning when it is
/// taller than a page.
fn set_note(ctx: &mut Ctx, note: &RNote, m: Measure, lang: &str) -> (Note, Option<Diagnostic>) {
    let n = note.number;
    let size = m.size * NOTE_SCALE;
    let leading = m.leading * NOTE_SCALE;
    let style = TextStyle {
        hyphenate: true,
        ..TextStyle::new(Style::Regular, size)
    };
    let mut runs = vec![Run::added(format!("{n}. "), style, lang, Span::default())];
    for (i, c) in note.blocks.iter().enumerate() {
        if i > 0 {
            runs.push(Run::added(" ".into(), style, lang, Span::default()));
        }
        match &c.kind {
            Kind::Paragraph { content, .. } => runs.extend(collect(content, style, lang)),
            _ => runs.push(Run::added(block_text(c), style, lang, c.span)),
        }
    }
    let lines = set(ctx, &runs, m.width, Align::Justify);
    let height = lines.len() as f32 * leading;
    // A long note is split across pages, every line set (`notes.rs`); one longer than a
    // few pages is more an essay than a note: say so, where it is written.
    let mut warning = None;
    if height > m.height * LONG_NOTE_PAGES {
        let d = Diagnostic::warning(format!(
            "footnote {n} is {} lines long, more than {LONG_NOTE_PAGES} pages of text; it runs on at the foot of the pages after its reference",
            lines.len()
        ))
        .hint("make it part of the text, or an appendix, if readers should not follow it over several pages");
        let span = note.blocks.first().map_or(note.span, |b| b.span);
        warning = Some(ctx.located(d, span));
    }
    let set = Note {
        lines,
        height,
        id: note.text,
    };
    (set, warning)
}
