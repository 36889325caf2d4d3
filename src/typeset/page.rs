//! Pages: flows of rows → positioned pages with front matter, running heads, folios,
//! footnotes, outline and page labels.
//!
//! Front matter: a title page, a copyright page (the colophon) and, for a book of several
//! pieces, a contents page with links. Body pages alternate recto (odd page numbers, inner
//! margin on the left) and verso; the body starts on a recto.

use super::Ctx;
use super::blocks::{BASELINE, LABEL_SCALE, PieceFlow, line_items};
use super::collect::{Run, TextStyle};
use super::flow::{PageSpace, Row, place_floats};
use super::font::Style;
use super::frame::{
    Destination, DocInfo, Item, LabelStyle, Origin, OutlineEntry, Page, PageLabelRange, PageStart,
    Pages, Point, Rect,
};
use super::par::{Align, ParSpec, SetLine, set_paragraph};
use crate::model::Book;
use crate::settings::PdfSettings;

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
struct BodyPage {
    piece: usize,
    rows: std::ops::Range<usize>,
    opening: bool,
}

/// Builds the document.
pub fn assemble(
    ctx: &mut Ctx,
    book: &Book,
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
            });
        }
    }
    let multi = book.pieces.len() > 1;
    let mut pages: Vec<Page> = Vec::new();
    let mut outline = Vec::new();
    let mut origins: Vec<Option<Origin>> = vec![Some(Origin::TitlePage), Some(Origin::Imprint)];
    pages.push(title_page(ctx, book, g));
    let families = families(ctx, flows, &pages);
    pages.push(copyright_page(ctx, book, g, &families));
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
    for (k, bp) in body.iter().enumerate() {
        let index = front_count + k;
        let flow = &flows[bp.piece];
        origins.push(page_origin(&flow.rows[bp.rows.clone()]));
        let left = g.left(index);
        let mut page = blank(g);
        let mut y = g.top;
        let mut notes: Vec<u32> = Vec::new();
        let page_rows = &flow.rows[bp.rows.clone()];
        // A table continued from the page before: its header again, first.
        if let Some(header) = page_rows.first().and_then(|r| r.repeat.as_ref()) {
            for row in header.iter() {
                page.items.push(placed(row, left, y));
                y += row.lines as f32 * g.leading + row.extra;
            }
        }
        for row in page_rows {
            // Each row is shown where it falls, not copied: a group moving the row's items.
            if row.full_page {
                page.items.push(placed(row, 0.0, 0.0));
            } else if !row.items.is_empty() {
                page.items.push(placed(row, left, y));
            }
            if let Some((title, level)) = &row.anchor {
                outline.push(OutlineEntry {
                    title: title.clone(),
                    level: *level,
                    dest: Destination { page: index, y },
                });
            }
            for n in &row.notes {
                if !notes.contains(n) {
                    notes.push(*n);
                }
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
        place_notes(&mut page, flow, &notes, g, left);
        let number = k + 1;
        // A full-page picture is left alone: no running head, no folio on it.
        if page_rows.iter().any(|r| r.full_page) {
            pages.push(page);
            continue;
        }
        if !bp.opening {
            let head = if index % 2 == 1 {
                book.meta.title.clone().unwrap_or_default()
            } else {
                book.pieces[bp.piece].meta.title.clone().unwrap_or_default()
            };
            let style = TextStyle::new(Style::Italic, g.size * 0.9);
            if let Some(l) = line(ctx, &head, style, g.measure, Align::Center) {
                page.furniture
                    .extend(line_items(l, left, g.top - g.leading * 1.5));
            }
        }
        let folio = TextStyle::new(Style::Regular, g.size * 0.9);
        if let Some(l) = line(ctx, &number.to_string(), folio, g.measure, Align::Center) {
            page.furniture
                .extend(line_items(l, left, g.height - g.bottom + g.leading * 2.0));
        }
        pages.push(page);
    }
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
    for page in &pages {
        for item in page.items.iter().chain(&page.furniture) {
            match item {
                Item::Group(_) => {}
                Item::Glyphs(run) => glyphs.add_run(run),
                _ => {}
            }
        }
    }
    for flow in flows {
        glyphs.merge(&flow.glyphs);
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

/// Places a piece's floats and chooses its page breaks (pieces open on a new page, so this
/// is the piece's own business): the flow's rows in their final order, and its pages.
pub fn paginate(flow: &mut PieceFlow, g: &Geometry) {
    let notes = &flow.notes;
    let note_height = |k: u32| notes.get(&k).map_or(0.0, |n| n.height);
    let (rows, ranges) = place_floats(std::mem::take(&mut flow.rows), &note_height, page_space(g));
    flow.rows = rows;
    flow.pages = ranges;
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
}

/// `row` shown with its top-left corner at (`x`, `y`).
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
fn place_notes(page: &mut Page, flow: &PieceFlow, notes: &[u32], g: &Geometry, left: f32) {
    if notes.is_empty() {
        return;
    }
    let total: f32 = notes
        .iter()
        .filter_map(|n| flow.notes.get(n))
        .map(|n| n.height)
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
    for n in notes {
        let Some(note) = flow.notes.get(n) else {
            continue;
        };
        let step = note.height / note.lines.len().max(1) as f32;
        for l in &note.lines {
            page.items
                .extend(line_items(l.clone(), left, y + step * BASELINE));
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
    let runs = vec![Run {
        text: text.to_string(),
        style,
        lang: ctx.env.lang.clone(),
        note: None,
        link: None,
        span: Default::default(),
        marks: vec![],
    }];
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

/// Sets centred lines from `y` down; returns the y after them.
fn centred(
    ctx: &mut Ctx,
    page: &mut Page,
    g: &Geometry,
    text: &str,
    style: TextStyle,
    y: f32,
    leading: f32,
) -> f32 {
    let mut y = y;
    for l in lines(ctx, text, style, g.measure, Align::Center) {
        page.items.extend(line_items(l, g.inner, y));
        y += leading;
    }
    y
}

fn title_page(ctx: &mut Ctx, book: &Book, g: &Geometry) -> Page {
    let mut page = blank(g);
    let m = &book.meta;
    let base = TextStyle::new(Style::Regular, g.size);
    let mut y = g.top + g.height * 0.18;
    let title_size = g.size * 2.6;
    y = centred(
        ctx,
        &mut page,
        g,
        m.title.as_deref().unwrap_or(""),
        TextStyle {
            size: title_size,
            ..base
        },
        y,
        title_size * 1.15,
    );
    if let Some(s) = &m.subtitle {
        y += g.leading;
        let size = g.size * 1.3;
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
            size * 1.3,
        );
    }
    // The book's creators (book-level people), with their roles: "Edited by A, B and C".
    let by = &book.words.byline;
    if !by.is_empty() {
        y += g.leading * 2.0;
        for line in by {
            y = centred(
                ctx,
                &mut page,
                g,
                &line.to_lowercase(),
                TextStyle {
                    small_caps: true,
                    size: g.size * LABEL_SCALE,
                    ..base
                },
                y,
                g.leading,
            );
        }
    }
    if let Some(p) = &m.publisher {
        let y = g.height - g.bottom - g.leading;
        centred(
            ctx,
            &mut page,
            g,
            &p.to_lowercase(),
            TextStyle {
                small_caps: true,
                size: g.size * LABEL_SCALE,
                ..base
            },
            y,
            g.leading,
        );
    }
    page
}

/// The families of the faces the book's text and its title page use, sorted (the colophon
/// names them).
fn families(ctx: &Ctx, flows: &[&PieceFlow], front: &[Page]) -> Vec<String> {
    let mut used = [false; Style::ALL.len()];
    let runs = flows
        .iter()
        .flat_map(|f| {
            let rows = f
                .rows
                .iter()
                .flat_map(|r| r.items.iter())
                .filter_map(|it| match it {
                    Item::Glyphs(run) => Some(run),
                    _ => None,
                });
            let notes = f
                .notes
                .values()
                .flat_map(|n| &n.lines)
                .flat_map(|l| &l.runs);
            rows.chain(notes)
        })
        .chain(
            front
                .iter()
                .flat_map(|p| &p.items)
                .filter_map(|it| match it {
                    Item::Glyphs(run) => Some(run),
                    _ => None,
                }),
        );
    for run in runs {
        if let Some(u) = used.get_mut(run.font) {
            *u = true;
        }
    }
    let mut names: Vec<String> = Style::ALL
        .iter()
        .zip(used)
        .filter(|(_, u)| *u)
        .map(|(s, _)| ctx.env.fonts.get(*s).family_name().to_string())
        .collect();
    names.sort();
    names.dedup();
    names
}

fn copyright_page(ctx: &mut Ctx, book: &Book, g: &Geometry, families: &[String]) -> Page {
    let mut page = blank(g);
    let m = &book.meta;
    let size = g.size * 0.85;
    let style = TextStyle::new(Style::Regular, size);
    let mut text: Vec<String> = Vec::new();
    let mut title = m.title.clone().unwrap_or_default();
    if let Some(s) = &m.subtitle {
        title = format!("{title}: {s}");
    }
    text.push(title);
    // Everyone once, grouped by role (the words come from `credits`).
    text.extend(book.words.grouped.iter().cloned());
    text.extend(book.words.series.clone());
    if let Some(e) = &m.edition {
        text.push(e.clone());
    }
    if let Some(d) = &book.words.date {
        text.push(format!("Published {d}"));
    }
    if let Some(p) = &m.publisher {
        text.push(format!("Publisher: {p}"));
    }
    if let Some(r) = &m.rights {
        text.push(r.clone());
    }
    // The ISBN as printed (hyphenated by the agency's ranges); a derived UUID is machine
    // data and stays off the page.
    if let Some(id) = &m.identifier {
        text.push(id.display());
    }
    text.push(format!(
        "Set in {} (SIL Open Font License) with folio {}.",
        families.join(", "),
        env!("CARGO_PKG_VERSION")
    ));
    let leading = g.leading * 0.85 * 1.3;
    // Set first, then placed: the colophon ends at the foot of the text block however many
    // lines its entries wrap to.
    let set: Vec<SetLine> = text
        .iter()
        .flat_map(|t| lines(ctx, t, style, g.measure, Align::Left))
        .collect();
    let mut y = g.height - g.bottom - leading * (set.len() as f32 + 1.0);
    let left = g.left(1);
    for l in set {
        page.items.extend(line_items(l, left, y));
        y += leading;
    }
    page
}

/// The contents: one entry per piece (title, subtitle, first page number, a link), on as
/// many pages as it needs. Link destinations are body page indices here; the caller adds
/// the front matter's length once it is known.
fn contents_pages(ctx: &mut Ctx, book: &Book, g: &Geometry, first_pages: &[usize]) -> Vec<Page> {
    let base = TextStyle::new(Style::Regular, g.size);
    // Entries a step above the text size: the contents reads as a list of titles.
    let entry = TextStyle {
        size: g.size * 1.1,
        ..base
    };
    let sub_style = TextStyle {
        face: Style::Italic,
        size: g.size * 0.9,
        ..base
    };
    let num_width = g.size * 2.5;
    let text_width = g.measure - num_width - g.size;
    let bottom = g.top + g.lines as f32 * g.leading;
    let mut pages: Vec<Page> = Vec::new();
    let mut page = blank(g);
    let mut y = centred(
        ctx,
        &mut page,
        g,
        "contents",
        TextStyle {
            small_caps: true,
            size: g.size * 1.2,
            ..base
        },
        g.top + g.leading * 3.0,
        g.leading,
    );
    y += g.leading * 2.0;
    for (pi, piece) in book.pieces.iter().enumerate() {
        // The entry's lines, relative to its first baseline.
        let title = piece.label();
        let mut items: Vec<Item> = Vec::new();
        let title_lines = lines(ctx, &title, entry, text_width, Align::Left);
        let n = title_lines.len().max(1);
        for (i, l) in title_lines.into_iter().enumerate() {
            items.extend(line_items(l, 0.0, i as f32 * g.leading));
        }
        let last = (n - 1) as f32 * g.leading;
        if let Some(l) = line(
            ctx,
            &(first_pages[pi] + 1).to_string(),
            entry,
            num_width,
            Align::Left,
        ) {
            let w: f32 = l
                .runs
                .iter()
                .flat_map(|r| r.glyphs.iter())
                .map(|gl| gl.advance)
                .sum();
            items.extend(line_items(l, g.measure - w, last));
        }
        let mut height = last;
        if let Some(sub) = &piece.meta.subtitle {
            for l in lines(ctx, sub, sub_style, text_width, Align::Left) {
                height += g.leading;
                items.extend(line_items(l, 0.0, height));
            }
        }
        // The piece's contributors, in small capitals under its title.
        let by = super::opening::byline(book, pi).to_lowercase();
        let by_style = TextStyle {
            small_caps: true,
            size: g.size * LABEL_SCALE,
            ..base
        };
        for l in lines(ctx, &by, by_style, text_width, Align::Left) {
            height += g.leading;
            items.extend(line_items(l, 0.0, height));
        }
        if y + height > bottom && !page.items.is_empty() {
            pages.push(std::mem::replace(&mut page, blank(g)));
            y = g.top + g.leading * BASELINE;
        }
        let left = g.left(2 + pages.len());
        let top = y - g.leading * BASELINE;
        page.items.extend(
            items
                .into_iter()
                .map(|it| super::frame::translate(it, left, y)),
        );
        let dest = Destination {
            page: first_pages[pi],
            y: g.top,
        };
        page.items.push(Item::Link {
            rect: Rect {
                x: left,
                y: top,
                width: g.measure,
                height: height + g.leading,
            },
            dest,
        });
        y += height + g.leading * 1.5;
    }
    pages.push(page);
    pages
}
