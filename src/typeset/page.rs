//! Pages: flows of rows → positioned pages with front matter, running heads, folios,
//! footnotes, outline and page labels.
//!
//! Front matter: a title page, a copyright page (the colophon) and, for a book of several
//! pieces, a contents page with links. Body pages alternate recto (odd page numbers, inner
//! margin on the left) and verso; the body starts on a recto.

use super::Ctx;
use super::blocks::{BASELINE, LABEL_SCALE, PieceFlow, line_items, tagged};
use super::collect::{Run, TextStyle};
use super::flow::{PageSpace, Row, place_floats};
use super::font::Style;
use super::frame::{
    Destination, DocInfo, ElemId, InlineTag, Item, LabelStyle, Origin, OutlineEntry, Page,
    PageLabelRange, PageStart, Pages, Point, Rect, Role, Tag,
};
use super::par::{Align, ParSpec, SetLine, set_paragraph};
use crate::resolve::Resolved;
use crate::settings::PdfSettings;
use std::collections::HashMap;
use std::sync::Arc;

/// Everything the page builder needs besides the flows.
pub struct Geometry {
    pub width: f32,
    pub height: f32,
    pub inner: f32,
    pub outer: f32,
    pub top: f32,
    pub bottom: f32,
    pub size: f32,
    pub leading: f32,
    /// Text block: grid lines per page and the measure.
    pub lines: u32,
    pub measure: f32,
}

impl Geometry {
    pub fn new(s: &PdfSettings) -> Geometry {
        let measure = s.page_width - s.inner_margin - s.outer_margin;
        let lines = ((s.page_height - s.top_margin - s.bottom_margin) / s.leading)
            .floor()
            .max(1.0) as u32;
        Geometry {
            width: s.page_width,
            height: s.page_height,
            inner: s.inner_margin,
            outer: s.outer_margin,
            top: s.top_margin,
            bottom: s.bottom_margin,
            size: s.font_size,
            leading: s.leading,
            lines,
            measure,
        }
    }

    /// The left edge of the text block on page `index` (0 = a recto).
    fn left(&self, index: usize) -> f32 {
        if index.is_multiple_of(2) {
            self.inner
        } else {
            self.outer
        }
    }
}

/// A body page before it is drawn.
struct BodyPage<'f> {
    piece: usize,
    rows: std::ops::Range<usize>,
    opening: bool,
    /// What its note area holds.
    notes: &'f [super::notes::NotePart],
    /// The share of its rows' stretch it takes (vertical justification).
    fill: f32,
}

/// Builds the document.
pub fn assemble(
    ctx: &mut Ctx,
    book: &Resolved,
    flows: &[&PieceFlow],
    g: &Geometry,
    info: DocInfo,
) -> Pages {
    let mut body: Vec<BodyPage> = Vec::new();
    for (pi, flow) in flows.iter().enumerate() {
        for (k, range) in flow.pages.iter().enumerate() {
            body.push(BodyPage {
                piece: pi,
                rows: range.start..range.end,
                opening: k == 0,
                notes: &range.notes,
                fill: range.fill,
            });
        }
    }
    let multi = book.front.contents;
    let mut pages: Vec<Page> = Vec::new();
    let mut outline = Vec::new();
    let mut origins: Vec<Option<Origin>> = vec![Some(Origin::TitlePage), Some(Origin::Imprint)];
    pages.push(title_page(ctx, book, g));
    pages.push(copyright_page(ctx, book, g));
    if multi {
        let first_pages: Vec<usize> = (0..book.pieces.len())
            .map(|pi| {
                body.iter()
                    .position(|b| b.piece == pi && b.opening)
                    .unwrap_or(0)
            })
            .collect();
        pages.extend(contents_pages(ctx, book, g, &first_pages));
        origins.resize(pages.len(), Some(Origin::Contents));
        // A blank verso when needed, so the body opens on a recto.
        if pages.len() % 2 == 1 {
            pages.push(blank(g));
            origins.push(None);
        }
    }
    let front_count = pages.len();
    for page in &mut pages {
        for item in &mut page.items {
            if let Item::Link { dest, .. } = item {
                dest.page += front_count;
            }
        }
    }
    // Where each piece starts and each heading is set: where internal links lead.
    let mut dests: HashMap<(usize, Option<String>), Destination> = HashMap::new();
    for (k, bp) in body.iter().enumerate() {
        let index = front_count + k;
        let flow = &flows[bp.piece];
        dests.entry((bp.piece, None)).or_insert(Destination {
            page: index,
            y: 0.0,
        });
        origins.push(page_origin(&flow.rows[bp.rows.clone()]));
        let left = g.left(index);
        let mut page = blank(g);
        let mut y = g.top;
        let page_rows = &flow.rows[bp.rows.clone()];
        // A group a row, and a table's header and closing rule (grown push by push, the
        // reallocations were 1.4 % of a one-word rebuild of the novel in `perf`).
        page.items.reserve(page_rows.len() + 4);
        // A table continued from the page before: its header again, first (drawn again,
        // read once: an artifact).
        if let Some(header) = page_rows.first().and_then(|r| r.repeat.as_ref()) {
            for row in header.iter() {
                page.items.push(Item::Tag(Tag::Artifact));
                page.items.push(placed(row, left, y));
                page.items.push(Item::Tag(Tag::End));
                y += row.lines as f32 * g.leading + row.extra;
            }
        }
        // Vertical justification: the space after each row above the last that shows
        // something grows by the page's share of its stretch (see `flow::fill`).
        let last_solid = page_rows.iter().rposition(|r| !r.discardable);
        for (k, row) in page_rows.iter().enumerate() {
            if last_solid.is_some_and(|l| k > 0 && k <= l) {
                y += page_rows[k - 1].stretch * g.leading * bp.fill;
            }
            // Each row is shown where it falls, not copied: a group moving the row's items.
            if row.full_page {
                page.items.push(placed(row, 0.0, 0.0));
            } else if !row.items.is_empty() {
                page.items.push(placed(row, left, y));
            }
            for id in &row.ids {
                dests
                    .entry((bp.piece, Some(id.clone())))
                    .or_insert(Destination { page: index, y });
            }
            if let Some((title, level)) = &row.anchor {
                // A part's pieces go one level under the part's entry, made at its first.
                let piece = &book.pieces[bp.piece];
                if piece.opens_part && *level == 0 {
                    outline.push(OutlineEntry {
                        title: piece.part.clone().unwrap_or_default(),
                        level: 0,
                        dest: Destination { page: index, y },
                    });
                }
                outline.push(OutlineEntry {
                    title: title.clone(),
                    level: *level + usize::from(piece.part.is_some()),
                    dest: Destination { page: index, y },
                });
            }
            y += row.lines as f32 * g.leading + row.extra;
        }
        // A table that goes on over the page is closed with a rule here.
        if let Some(width) = page_rows.last().and_then(|r| r.close_rule) {
            page.items.push(Item::Rule {
                from: Point { x: left, y },
                to: Point { x: left + width, y },
                thickness: super::table::HEAVY_RULE,
            });
        }
        place_notes(&mut page, flow, bp.notes, g, left);
        let number = k + 1;
        // A full-page picture is left alone: no running head, no folio on it.
        if page_rows.iter().any(|r| r.full_page) {
            pages.push(page);
            continue;
        }
        if !bp.opening {
            let head = if index % 2 == 1 {
                book.meta.title.as_deref()
            } else {
                book.pieces[bp.piece].meta.title.as_deref()
            };
            let head = head.unwrap_or_default();
            let style = TextStyle::new(Style::Italic, g.size * 0.9);
            if let Some(items) = furniture_line(ctx, head, style, g.measure) {
                page.furniture
                    .push(placed_items(items, left, g.top - g.leading * 1.5));
            }
        }
        let folio = TextStyle::new(Style::Regular, g.size * 0.9);
        if let Some(items) = furniture_line(ctx, &number.to_string(), folio, g.measure) {
            page.furniture.push(placed_items(
                items,
                left,
                g.height - g.bottom + g.leading * 2.0,
            ));
        }
        pages.push(page);
    }
    link_targets(&mut pages[front_count..], &book.targets, &dests);
    let page_labels = vec![
        PageLabelRange {
            start: 0,
            style: LabelStyle::LowerRoman,
            first: 1,
        },
        PageLabelRange {
            start: front_count,
            style: LabelStyle::Arabic,
            first: 1,
        },
    ];
    let map = origins
        .into_iter()
        .enumerate()
        .map(|(i, origin)| PageStart {
            label: if i < front_count {
                roman(i as u32 + 1)
            } else {
                (i - front_count + 1).to_string()
            },
            origin,
        })
        .collect();
    // The glyphs: the pieces' (their rows, shown as groups, and notes) and what the pages
    // add themselves (front matter, furniture, note numbers).
    let mut glyphs = super::frame::GlyphUse::default();
    let mut heads_used = std::collections::HashSet::new();
    for page in &pages {
        for item in &page.items {
            if let Item::Glyphs(run) = item {
                glyphs.add_run(run);
            }
        }
        for item in &page.furniture {
            match item {
                Item::Glyphs(run) => glyphs.add_run(run),
                // A running head or folio, counted where it is first shown.
                Item::Group(g) if heads_used.insert(Arc::as_ptr(&g.items)) => {
                    glyphs.add_items(&g.items)
                }
                _ => {}
            }
        }
    }
    for flow in flows {
        glyphs.merge(&flow.glyphs);
    }
    // Every face a glyph is drawn in is embedded: the faces the runs name are parsed now
    // (a layout taken from the last build parsed none in this build's environment).
    for (k, face) in glyphs.fonts.iter().enumerate() {
        if let (Some(style), Some(_)) = (Style::ALL.get(k), face.ids().next()) {
            ctx.env.fonts.get(*style);
        }
    }
    Pages {
        pages,
        map,
        glyphs: Some(glyphs),
        fonts: ctx.env.font_files(),
        images: ctx.env.images.clone(),
        outline,
        page_labels,
        info,
        renumber: Vec::new(),
        structure: Some(Arc::new(book.structure.clone())),
    }
}

/// The page space of the geometry, for pagination.
pub fn page_space(g: &Geometry) -> PageSpace {
    PageSpace {
        lines: g.lines,
        leading: g.leading,
        note_gap: g.leading,
    }
}

/// A page left more than [`MAX_HOLE_LINES`] short by a keep (what follows it could not be
/// broken or moved up): where the next page starts, and the grid lines left empty.
#[derive(Debug, Clone, Copy)]
pub struct Hole {
    pub before: Option<Origin>,
    pub lines: u32,
    /// The next page starts with a figure (kept before the heading that follows it).
    pub figure: bool,
}

/// A page may end this many grid lines short without a word: more is a hole an editor
/// would mark, and the build says where.
pub const MAX_HOLE_LINES: u32 = 2;

/// Places a piece's floats and chooses its page breaks (pieces open on a new page, so this
/// is the piece's own business): the flow's rows in their final order, and its pages; with
/// the holes its keeps forced.
pub fn paginate(flow: &mut PieceFlow, g: &Geometry) -> Vec<Hole> {
    let notes = &flow.notes;
    let note_height = |k: u32| {
        notes.get(&k).map_or(
            super::notes::NoteSize {
                lines: 0,
                step: 0.0,
            },
            |n| super::notes::NoteSize {
                lines: n.lines.len() as u32,
                step: n.height / n.lines.len().max(1) as f32,
            },
        )
    };
    let (rows, ranges) = place_floats(std::mem::take(&mut flow.rows), &note_height, page_space(g));
    flow.rows = rows;
    flow.pages = ranges;
    let holes = flow
        .pages
        .iter()
        .filter(|p| p.short > MAX_HOLE_LINES)
        .map(|p| {
            let next = flow.rows[p.end..].iter().find(|r| !r.discardable);
            Hole {
                before: next.and_then(|r| r.origin),
                lines: p.short,
                figure: next.is_some_and(|r| r.float == Some(super::flow::Float::Figure)),
            }
        })
        .collect();
    let mut glyphs = super::frame::GlyphUse::default();
    for row in &flow.rows {
        glyphs.add_items(&row.items);
    }
    for note in flow.notes.values() {
        for line in &note.lines {
            for run in &line.runs {
                glyphs.add_run(run);
            }
        }
    }
    flow.glyphs = glyphs;
    holes
}

/// The book's internal links made real: each [`Item::GoTo`] on `pages` becomes a link to
/// where its target was set (the piece's first page, the heading's place), or nothing when
/// it was set nowhere. Rows are shared between builds, so a row holding such a link is
/// copied for its page; the others are left alone.
fn link_targets(
    pages: &mut [Page],
    targets: &[crate::resolve::links::Target],
    dests: &HashMap<(usize, Option<String>), Destination>,
) {
    let dest = |target: u32| {
        let t = targets.get(target as usize)?;
        dests.get(&(t.piece, t.anchor.clone())).copied()
    };
    // A book without internal links has no `GoTo` to find: its pages are not searched
    // (a millisecond on the novel's 551 pages, on every rebuild).
    if targets.is_empty() {
        return;
    }
    for page in pages {
        if holds_goto(&page.items) {
            page.items = with_links(&page.items, &dest);
        }
    }
}

/// Whether `items` (inside groups too) hold a [`Item::GoTo`].
fn holds_goto(items: &[Item]) -> bool {
    items.iter().any(|i| match i {
        Item::GoTo { .. } => true,
        Item::Group(g) => holds_goto(&g.items),
        _ => false,
    })
}

/// `items` with their `GoTo`s turned into links (or left out when they lead nowhere); the
/// groups without one shared, not copied.
fn with_links(items: &[Item], dest: &dyn Fn(u32) -> Option<Destination>) -> Vec<Item> {
    items
        .iter()
        .filter_map(|item| match item {
            Item::GoTo { rect, target } => {
                dest(*target).map(|dest| Item::Link { rect: *rect, dest })
            }
            Item::Group(g) if holds_goto(&g.items) => Some(Item::Group(super::frame::Group {
                items: Arc::new(with_links(&g.items, dest)),
                ..g.clone()
            })),
            other => Some(other.clone()),
        })
        .collect()
}

/// `row` shown with its top-left corner at (`x`, `y`).
/// A line of the pages' furniture (a running head, a folio) centred on `width`: set once per
/// text, face and size (in the session's tables, which start afresh with a new
/// environment) and shown by a group on every page that prints it. A line with a character
/// no font has is set each time, so its warning is given each build.
fn furniture_line(
    ctx: &mut Ctx,
    text: &str,
    style: TextStyle,
    width: f32,
) -> Option<Arc<Vec<Item>>> {
    let key = (
        text.to_string(),
        style.face,
        style.size.to_bits(),
        width.to_bits(),
    );
    if let Some(items) = ctx.caches.furniture.get(&key) {
        return items.clone();
    }
    let missing = ctx.missing_seen;
    let items =
        line(ctx, text, style, width, Align::Center).map(|l| Arc::new(line_items(l, 0.0, 0.0)));
    if ctx.missing_seen == missing {
        ctx.caches.furniture.insert(key, items.clone());
    }
    items
}

/// `items` shown at (`x`, `y`).
fn placed_items(items: Arc<Vec<Item>>, x: f32, y: f32) -> Item {
    Item::Group(super::frame::Group {
        transform: super::frame::Transform::translate(x, y),
        clip: None,
        items,
    })
}

fn placed(row: &Row, x: f32, y: f32) -> Item {
    Item::Group(super::frame::Group {
        transform: super::frame::Transform::translate(x, y),
        clip: None,
        items: row.items.clone(),
    })
}

/// Where a page of body rows starts in the book: its first row of the text's own order (a
/// figure or pull quote moved there stands out of that order), else its first row at all.
fn page_origin(rows: &[Row]) -> Option<Origin> {
    rows.iter()
        .filter(|r| r.float.is_none())
        .find_map(|r| r.origin)
        .or_else(|| rows.iter().find_map(|r| r.origin))
}

/// `n` in lower-case roman numerals (front matter page labels, as the PDF shows them).
pub fn roman(mut n: u32) -> String {
    const NUMERALS: [(u32, &str); 13] = [
        (1000, "m"),
        (900, "cm"),
        (500, "d"),
        (400, "cd"),
        (100, "c"),
        (90, "xc"),
        (50, "l"),
        (40, "xl"),
        (10, "x"),
        (9, "ix"),
        (5, "v"),
        (4, "iv"),
        (1, "i"),
    ];
    let mut out = String::new();
    for (value, numeral) in NUMERALS {
        while n >= value {
            out.push_str(numeral);
            n -= value;
        }
    }
    out
}

fn blank(g: &Geometry) -> Page {
    Page {
        width: g.width,
        height: g.height,
        ..Page::default()
    }
}

/// Footnotes at the foot of the text block, under a short rule.
/// Footnotes (or the parts of them the page holds: a long note's first lines, or the rest
/// carried from the page before) at the foot of the text block, under a short rule.
fn place_notes(
    page: &mut Page,
    flow: &PieceFlow,
    parts: &[super::notes::NotePart],
    g: &Geometry,
    left: f32,
) {
    if parts.is_empty() {
        return;
    }
    let step = |note: &super::flow::Note| note.height / note.lines.len().max(1) as f32;
    let total: f32 = parts
        .iter()
        .filter_map(|p| Some(step(flow.notes.get(&p.note)?) * p.lines.len() as f32))
        .sum();
    let bottom = g.top + g.lines as f32 * g.leading;
    let mut y = bottom - total;
    let rule_y = y - g.leading * 0.5;
    page.items.push(Item::Rule {
        from: Point { x: left, y: rule_y },
        to: Point {
            x: left + g.measure * 0.25,
            y: rule_y,
        },
        thickness: 0.4,
    });
    for part in parts {
        let Some(note) = flow.notes.get(&part.note) else {
            continue;
        };
        let step = step(note);
        let range = part.lines.start as usize..(part.lines.end as usize).min(note.lines.len());
        for l in &note.lines[range] {
            let items = line_items(l.clone(), left, y + step * BASELINE);
            page.items.extend(tagged(note.id, Role::P, items));
            y += step;
        }
    }
}

/// One line of text, or `None` for empty text.
fn line(ctx: &mut Ctx, text: &str, style: TextStyle, width: f32, align: Align) -> Option<SetLine> {
    lines(ctx, text, style, width, align).into_iter().next()
}

pub(super) fn lines(
    ctx: &mut Ctx,
    text: &str,
    style: TextStyle,
    width: f32,
    align: Align,
) -> Vec<SetLine> {
    if text.trim().is_empty() {
        return vec![];
    }
    let runs = vec![Run::added(
        text.to_string(),
        style,
        &ctx.env.lang,
        Default::default(),
    )];
    set_paragraph(
        ctx,
        &runs,
        &ParSpec {
            widths: vec![width],
            indent: 0.0,
            align,
        },
    )
}

/// Sets centred lines from `y` down, as the content of `tag` (when given); returns the y
/// after them.
#[allow(clippy::too_many_arguments)]
fn centred(
    ctx: &mut Ctx,
    page: &mut Page,
    g: &Geometry,
    text: &str,
    style: TextStyle,
    y: f32,
    leading: f32,
    tag: Option<(ElemId, Role)>,
) -> f32 {
    let mut y = y;
    let mut items = Vec::new();
    for l in lines(ctx, text, style, g.measure, Align::Center) {
        items.extend(line_items(l, g.inner, y));
        y += leading;
    }
    match tag {
        Some((id, role)) => page.items.extend(tagged(id, role, items)),
        None => page.items.extend(items),
    }
    y
}

/// Ends the text of `items` with a word space (drawn as nothing), so text set after it in
/// the same element reads as a separate word.
fn end_with_space(items: &mut [Item]) {
    let last = items.iter_mut().rev().find_map(|i| match i {
        Item::Glyphs(run) => run.glyphs.last_mut(),
        _ => None,
    });
    if let Some(g) = last
        && !g.text.ends_with(' ')
    {
        g.text.push(' ');
    }
}

/// The title page's title is set at 2.6 × the text size on 1.15 × that, 18 % of the page
/// down; the subtitle at 1.3 × on 1.3 × that.
const TITLE_PAGE_SCALE: f32 = 2.6;
const TITLE_PAGE_LEADING: f32 = 1.15;
const TITLE_PAGE_TOP: f32 = 0.18;
const TITLE_PAGE_SUBTITLE: f32 = 1.3;

fn title_page(ctx: &mut Ctx, book: &Resolved, g: &Geometry) -> Page {
    let mut page = blank(g);
    let f = &book.front;
    let base = TextStyle::new(Style::Regular, g.size);
    let mut y = g.top + g.height * TITLE_PAGE_TOP;
    let title_size = g.size * TITLE_PAGE_SCALE;
    y = centred(
        ctx,
        &mut page,
        g,
        &f.title,
        TextStyle {
            size: title_size,
            ..base
        },
        y,
        title_size * TITLE_PAGE_LEADING,
        Some((f.ids.title, Role::H(1))),
    );
    if let Some(s) = &f.subtitle {
        y += g.leading;
        let size = g.size * TITLE_PAGE_SUBTITLE;
        y = centred(
            ctx,
            &mut page,
            g,
            s,
            TextStyle {
                face: Style::Italic,
                size,
                ..base
            },
            y,
            size * TITLE_PAGE_SUBTITLE,
            f.ids.subtitle.map(|id| (id, Role::P)),
        );
    }
    let label = TextStyle {
        small_caps: true,
        caps: true,
        size: g.size * LABEL_SCALE,
        ..base
    };
    // The book's creators (book-level people), with their roles: "Edited by A, B and C".
    if !f.byline.is_empty() {
        y += g.leading * 2.0;
        for (line, id) in f.byline.iter().zip(&f.ids.byline) {
            let tag = Some((*id, Role::P));
            y = centred(ctx, &mut page, g, line, label, y, g.leading, tag);
        }
    }
    if let Some(p) = &f.publisher {
        let y = g.height - g.bottom - g.leading;
        let tag = f.ids.publisher.map(|id| (id, Role::P));
        centred(ctx, &mut page, g, p, label, y, g.leading, tag);
    }
    page
}

/// The imprint is set at 85 % of the text size on 1.3 × that.
const IMPRINT_SCALE: f32 = 0.85;
const IMPRINT_LEADING: f32 = 1.3;

fn copyright_page(ctx: &mut Ctx, book: &Resolved, g: &Geometry) -> Page {
    let mut page = blank(g);
    let size = g.size * IMPRINT_SCALE;
    let style = TextStyle::new(Style::Regular, size);
    let leading = g.leading * IMPRINT_SCALE * IMPRINT_LEADING;
    // Set first, then placed: the colophon ends at the foot of the text block however many
    // lines its entries wrap to.
    let f = &book.front;
    let set: Vec<(ElemId, Vec<SetLine>)> = f
        .imprint
        .iter()
        .zip(&f.ids.imprint)
        .map(|(t, id)| (*id, lines(ctx, t, style, g.measure, Align::Left)))
        .collect();
    let count: usize = set.iter().map(|(_, l)| l.len()).sum();
    let mut y = g.height - g.bottom - leading * (count as f32 + 1.0);
    let left = g.left(1);
    for (id, entry) in set {
        let mut items = Vec::new();
        for l in entry {
            items.extend(line_items(l, left, y));
            y += leading;
        }
        page.items.extend(tagged(id, Role::P, items));
    }
    page
}

/// Contents entries a step above the text size (the contents reads as a list of titles),
/// subtitles at 90 %; the page number gets 2.5 em; the heading sits three lines down at
/// 1.2 × the text size; entries are a line and a half apart.
const CONTENTS_ENTRY: f32 = 1.1;
const CONTENTS_SUBTITLE: f32 = 0.9;
const CONTENTS_NUMBER_EM: f32 = 2.5;
const CONTENTS_HEADING: f32 = 1.2;
const CONTENTS_TOP_LINES: f32 = 3.0;
const CONTENTS_GAP: f32 = 1.5;
/// Lines of space before a part's title in the contents (it heads what follows).
const CONTENTS_PART_SPACE: f32 = 1.0;

/// The contents: one entry per piece (title, subtitle, byline, first page number, a link),
/// on as many pages as it needs. Link destinations are body page indices here; the caller
/// adds the front matter's length once it is known. Each entry is a contents item: its
/// title and page number the link's text.
fn contents_pages(
    ctx: &mut Ctx,
    book: &Resolved,
    g: &Geometry,
    first_pages: &[usize],
) -> Vec<Page> {
    let base = TextStyle::new(Style::Regular, g.size);
    let entry = TextStyle {
        size: g.size * CONTENTS_ENTRY,
        ..base
    };
    let sub_style = TextStyle {
        face: Style::Italic,
        size: g.size * CONTENTS_SUBTITLE,
        ..base
    };
    let by_style = TextStyle {
        small_caps: true,
        caps: true,
        size: g.size * LABEL_SCALE,
        ..base
    };
    let part_style = TextStyle {
        small_caps: true,
        caps: true,
        size: g.size * CONTENTS_ENTRY,
        ..base
    };
    let num_width = g.size * CONTENTS_NUMBER_EM;
    let text_width = g.measure - num_width - g.size;
    let bottom = g.top + g.lines as f32 * g.leading;
    let mut pages: Vec<Page> = Vec::new();
    let mut page = blank(g);
    // The heading is the contents' own, drawn for the eye: an artifact.
    let mut y = centred(
        ctx,
        &mut page,
        g,
        "contents",
        TextStyle {
            small_caps: true,
            size: g.size * CONTENTS_HEADING,
            ..base
        },
        g.top + g.leading * CONTENTS_TOP_LINES,
        g.leading,
        None,
    );
    y += g.leading * 2.0;
    for (pi, piece) in book.pieces.iter().enumerate() {
        // The entry's lines, relative to its first baseline: the title and the page number
        // (the link's text), then the subtitle and the byline.
        let mut linked: Vec<Item> = Vec::new();
        let title_lines = lines(ctx, &piece.label, entry, text_width, Align::Left);
        let n = title_lines.len().max(1);
        for (i, l) in title_lines.into_iter().enumerate() {
            linked.extend(line_items(l, 0.0, i as f32 * g.leading));
        }
        // Title, number, subtitle and byline are read as one entry: a space between them.
        end_with_space(&mut linked);
        let last = (n - 1) as f32 * g.leading;
        let number = (first_pages[pi] + 1).to_string();
        if let Some(l) = line(ctx, &number, entry, num_width, Align::Left) {
            let w: f32 = l
                .runs
                .iter()
                .flat_map(|r| r.glyphs.iter())
                .map(|gl| gl.advance)
                .sum();
            linked.extend(line_items(l, g.measure - w, last));
        }
        end_with_space(&mut linked);
        let mut more: Vec<Item> = Vec::new();
        let mut height = last;
        if let Some(sub) = &piece.meta.subtitle {
            for l in lines(ctx, sub, sub_style, text_width, Align::Left) {
                height += g.leading;
                more.extend(line_items(l, 0.0, height));
            }
            end_with_space(&mut more);
        }
        // The piece's contributors, in small capitals under its title.
        let by = piece.byline.join(" · ");
        for l in lines(ctx, &by, by_style, text_width, Align::Left) {
            height += g.leading;
            more.extend(line_items(l, 0.0, height));
        }
        // A part's title (SUMMARY.md) over its first piece's entry, kept with it.
        let part: Vec<Item> = match (&piece.part, piece.opens_part) {
            (Some(title), true) => lines(ctx, title, part_style, text_width, Align::Left)
                .into_iter()
                .enumerate()
                .flat_map(|(i, l)| line_items(l, 0.0, i as f32 * g.leading))
                .collect(),
            _ => Vec::new(),
        };
        // A line of space before a part's title, and before a piece after a part's end
        // (mdBook's suffix chapters).
        let leaves_part = piece.part.is_none()
            && pi > 0
            && book.pieces.get(pi - 1).is_some_and(|p| p.part.is_some());
        if (!part.is_empty() || leaves_part) && pi > 0 {
            y += g.leading * CONTENTS_PART_SPACE;
        }
        let part_height = if part.is_empty() {
            0.0
        } else {
            g.leading * CONTENTS_GAP
        };
        if y + part_height + height > bottom && !page.items.is_empty() {
            pages.push(std::mem::replace(&mut page, blank(g)));
            y = g.top + g.leading * BASELINE;
        }
        if !part.is_empty() {
            let left = g.left(2 + pages.len());
            let mut items = part;
            end_with_space(&mut items);
            let placed: Vec<Item> = items
                .into_iter()
                .map(|it| super::frame::translate(it, left, y))
                .collect();
            match book.front.ids.contents.get(pi) {
                Some(id) => page.items.extend(tagged(*id, Role::TOCI, placed)),
                None => page.items.extend(placed),
            }
            y += part_height;
        }
        let left = g.left(2 + pages.len());
        let top = y - g.leading * BASELINE;
        let at = |items: Vec<Item>| -> Vec<Item> {
            items
                .into_iter()
                .map(|it| super::frame::translate(it, left, y))
                .collect()
        };
        let link = Item::Link {
            rect: Rect {
                x: left,
                y: top,
                width: g.measure,
                height: height + g.leading,
            },
            dest: Destination {
                page: first_pages[pi],
                y: g.top,
            },
        };
        let mut content = vec![Item::Tag(Tag::Inline(InlineTag::Link))];
        content.extend(at(linked));
        content.push(link);
        content.push(Item::Tag(Tag::End));
        content.extend(at(more));
        match book.front.ids.contents.get(pi) {
            Some(id) => page.items.extend(tagged(*id, Role::TOCI, content)),
            None => page.items.extend(content),
        }
        y += height + g.leading * CONTENTS_GAP;
    }
    pages.push(page);
    pages
}
