//! Covers, set by the typesetter from the metadata with the book's fonts: the front (kicker
//! or series, title, subtitle, creators, publisher; the cover image framed when there is
//! one), the back (the description, publisher, ISBN and its EAN-13 barcode with the price
//! add-on) and the full-wrap cover of a perfect-bound book (back, spine, front).
//!
//! Sizes are fractions of the cover's width, so one design serves an A5 booklet, a 6 × 9 in
//! paperback and the EPUB's 1600 × 2560 px image alike.

use super::Ctx;
use super::blocks::line_items;
use super::collect::TextStyle;
use super::font::Style;
use super::frame::{Group, Item, Page, Point, Rect, Transform};
use super::page::lines;
use super::par::Align;
use crate::ident::Identifier;
use crate::resolve::Resolved as Book;
use std::sync::Arc;

/// The book's cover picture, as the printed front cover shows it: over the whole cover,
/// bleed included (scaled to cover it, cropped evenly, never distorted), with the title
/// and names over it only when asked.
#[derive(Debug, Clone, Copy)]
pub struct CoverArt {
    /// Its index in [`super::frame::Pages::images`].
    pub image: usize,
    pub width: u32,
    pub height: u32,
    /// How far past the trim the picture reaches on every side (pt).
    pub bleed: f32,
    /// Set the title and names over the picture, on a white panel.
    pub text: bool,
}

impl CoverArt {
    /// How many of the picture's pixels fall on an inch of the printed cover.
    pub fn dpi(&self, w: f32, h: f32) -> f32 {
        72.0 / self.scale(w, h)
    }

    /// Points per pixel at which the picture covers `w` × `h` pt and its bleed.
    fn scale(&self, w: f32, h: f32) -> f32 {
        let (bw, bh) = (w + 2.0 * self.bleed, h + 2.0 * self.bleed);
        (bw / self.width.max(1) as f32).max(bh / self.height.max(1) as f32)
    }
}

/// The side margins: a tenth of the width, as on a title page.
const MARGIN: f32 = 0.1;
/// The title's size: 8.5 % of the width (36 pt on A5) — the cover's one loud thing.
const TITLE: f32 = 0.085;
/// The subtitle's size (italic).
const SUBTITLE: f32 = 0.042;
/// Kicker, creators and publisher: small capitals at 3 % of the width.
const LABEL: f32 = 0.03;
/// The back cover's description: 2.6 % of the width (11 pt on A5).
const BLURB: f32 = 0.026;
/// Hairlines: the ornament under the title.
const HAIRLINE: f32 = 0.5;
/// The back's text starts 12 % down and its last baseline is at most 76 % down: clear of
/// the barcode's top (about 81 % down: 25 mm over the foot margin on A5, scaling with the
/// cover), the publisher and the ISBN below it.
const BACK_TOP: f32 = 0.12;
const BACK_TEXT_END: f32 = 0.76;
/// The back's contents list and contributors: 90 % of the description's size.
const CONTENTS_SCALE: f32 = 0.9;

/// A line of text centred on `width` from `x`: the y after it.
#[allow(clippy::too_many_arguments)]
fn centred(
    ctx: &mut Ctx,
    items: &mut Vec<Item>,
    text: &str,
    style: TextStyle,
    x: f32,
    width: f32,
    y: f32,
    advance: f32,
) -> f32 {
    let mut y = y;
    for l in lines(ctx, text, style, width, Align::Center) {
        items.extend(line_items(l, x, y));
        y += advance;
    }
    y
}

fn small_caps(size: f32) -> TextStyle {
    TextStyle {
        small_caps: true,
        ..TextStyle::new(Style::Regular, size)
    }
}

/// The front cover, `w` × `h` pt: the cover picture when the book has one, else (or over
/// it, when asked) the lettering.
pub fn front(ctx: &mut Ctx, book: &Book, w: f32, h: f32, art: Option<CoverArt>) -> Page {
    let items = match art {
        Some(art) => {
            let mut items = vec![full_bleed(art, w, h)];
            if art.text {
                items.extend(on_panel(lettering(ctx, book, w, h, false), w));
            }
            items
        }
        None => lettering(ctx, book, w, h, true),
    };
    Page {
        width: w,
        height: h,
        items,
        ..Page::default()
    }
}

/// The picture over the cover and its bleed, scaled to cover (the overflow cropped evenly
/// on both sides by the page's bleed box).
fn full_bleed(art: CoverArt, w: f32, h: f32) -> Item {
    let scale = art.scale(w, h);
    let (iw, ih) = (art.width as f32 * scale, art.height as f32 * scale);
    Item::Image {
        rect: Rect {
            x: (w - iw) / 2.0,
            y: (h - ih) / 2.0,
            width: iw,
            height: ih,
        },
        image: art.image,
    }
}

/// Padding around lettering set over a picture: 4 % of the cover's width.
const PANEL_PAD: f32 = 0.04;

/// `items` on a white panel as wide as the measure and as tall as their glyphs reach.
fn on_panel(items: Vec<Item>, w: f32) -> Vec<Item> {
    let (mut top, mut bottom) = (f32::MAX, f32::MIN);
    for i in &items {
        if let Item::Glyphs(run) = i {
            top = top.min(run.origin.y - run.size);
            bottom = bottom.max(run.origin.y + run.size * 0.3);
        } else if let Item::Rule { from, .. } = i {
            top = top.min(from.y);
            bottom = bottom.max(from.y);
        }
    }
    if top > bottom {
        return items;
    }
    let pad = w * PANEL_PAD;
    let x = w * MARGIN - pad;
    let mut out = vec![Item::Fill {
        rect: Rect {
            x,
            y: top - pad,
            width: w - 2.0 * x,
            height: bottom - top + 2.0 * pad,
        },
        grey: 1.0,
    }];
    out.extend(items);
    out
}

/// The typographic front: kicker or series, title, subtitle, a hairline, the byline, and
/// the publisher at the foot when `publisher`.
fn lettering(ctx: &mut Ctx, book: &Book, w: f32, h: f32, publisher: bool) -> Vec<Item> {
    let m = &book.meta;
    let (x, measure) = (w * MARGIN, w * (1.0 - 2.0 * MARGIN));
    let mut items = Vec::new();
    let label = w * LABEL;
    let over = m.kicker.clone().or_else(|| book.words.series.clone());
    if let Some(k) = over {
        centred(
            ctx,
            &mut items,
            &k.to_lowercase(),
            small_caps(label),
            x,
            measure,
            h * 0.1,
            label * 1.4,
        );
    }
    let size = w * TITLE;
    let mut y = h * 0.2 + size;
    y = centred(
        ctx,
        &mut items,
        m.title.as_deref().unwrap_or(""),
        TextStyle::new(Style::Regular, size),
        x,
        measure,
        y,
        size * 1.1,
    );
    if let Some(s) = &m.subtitle {
        let size = w * SUBTITLE;
        y = centred(
            ctx,
            &mut items,
            s,
            TextStyle::new(Style::Italic, size),
            x,
            measure,
            y + size * 0.4,
            size * 1.3,
        );
    }
    // A short hairline between the title and the names.
    let rule = w * 0.06;
    y += label;
    items.push(Item::Rule {
        from: Point {
            x: w / 2.0 - rule,
            y,
        },
        to: Point {
            x: w / 2.0 + rule,
            y,
        },
        thickness: HAIRLINE,
    });
    y += label * 2.5;
    for line in book.words.byline.clone() {
        y = centred(
            ctx,
            &mut items,
            &line.to_lowercase(),
            small_caps(label),
            x,
            measure,
            y,
            label * 1.5,
        );
    }
    let foot = h - w * MARGIN;
    if let (true, Some(p)) = (publisher, &m.publisher) {
        centred(
            ctx,
            &mut items,
            &p.to_lowercase(),
            small_caps(label),
            x,
            measure,
            foot,
            label,
        );
    }
    items
}

/// The back cover, `w` × `h` pt: the description, the publisher and the identifier, and
/// the ISBN's barcode (with the price add-on when given).
pub fn back(ctx: &mut Ctx, book: &Book, w: f32, h: f32, price: Option<&str>) -> Page {
    let m = &book.meta;
    let (x, measure) = (w * MARGIN, w * (1.0 - 2.0 * MARGIN));
    let mut items = Vec::new();
    let mut y = h * BACK_TOP;
    // What the back offers, while it fits above the publisher and the barcode.
    let room = h * BACK_TEXT_END;
    let size = w * BLURB;
    let label = w * LABEL;
    let mut put = |ctx: &mut Ctx, text: &str, style: TextStyle, step: f32, y: &mut f32| {
        // Justified where words can space out; a list of names (no breaks inside them)
        // ragged, or its lines would gape.
        let align = if style.hyphenate {
            Align::Justify
        } else {
            Align::Left
        };
        // A paragraph that does not fit whole is left out, never cut.
        let set = lines(ctx, text, style, measure, align);
        if *y + step * set.len().saturating_sub(1) as f32 > room {
            *y = f32::INFINITY;
            return;
        }
        for l in set {
            items.extend(line_items(l, x, *y));
            *y += step;
        }
    };
    if let Some(d) = &m.description {
        let style = TextStyle {
            hyphenate: true,
            ..TextStyle::new(Style::Regular, size)
        };
        put(ctx, d, style, size * 1.3, &mut y);
        y += size;
    }
    if let Some(s) = &book.words.series {
        put(
            ctx,
            &s.to_lowercase(),
            small_caps(label),
            label * 1.5,
            &mut y,
        );
        y += label;
    }
    // A booklet's contents: each piece's title and byline, as a reader picks one up to see.
    if book.pieces.len() > 1 {
        put(
            ctx,
            "in this booklet",
            small_caps(label),
            label * 1.6,
            &mut y,
        );
        for p in &book.pieces {
            let title = p.title.as_deref().unwrap_or(&p.label);
            let line = match p.byline.first() {
                Some(by) => format!("{title} · {by}"),
                None => title.to_string(),
            };
            let style = TextStyle::new(Style::Regular, size * CONTENTS_SCALE);
            put(ctx, &line, style, size * CONTENTS_SCALE * 1.35, &mut y);
        }
        y += size;
    }
    // Everyone the book credits, beyond the names on the front.
    let others: Vec<&str> = book.words.people[book.words.creators..]
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    if !others.is_empty() && book.pieces.len() > 1 {
        // No line breaks inside a name.
        let names: Vec<String> = others.iter().map(|n| n.replace(' ', "\u{a0}")).collect();
        let names = match names.split_last() {
            Some((last, [])) => last.clone(),
            Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
            None => String::new(),
        };
        let style = TextStyle::new(Style::Italic, size * CONTENTS_SCALE);
        let line = format!("With contributions by {names}.");
        put(ctx, &line, style, size * CONTENTS_SCALE * 1.35, &mut y);
    }
    let foot = h - w * MARGIN;
    let mut y = foot - label * 1.5;
    if let Some(p) = &m.publisher {
        for l in lines(
            ctx,
            &p.to_lowercase(),
            small_caps(label),
            measure,
            Align::Left,
        ) {
            items.extend(line_items(l, x, y));
        }
    }
    y += label * 1.5;
    if let Some(Identifier::Isbn(isbn)) = &m.identifier {
        let shown = crate::isbn::hyphenate(isbn).unwrap_or_else(|| isbn.clone());
        let text = TextStyle::new(Style::Regular, label * 0.9);
        for l in lines(ctx, &format!("ISBN {shown}"), text, measure, Align::Left) {
            items.extend(line_items(l, x, y));
        }
        items.extend(barcode(ctx, isbn, price, w - w * MARGIN, foot, w));
    }
    Page {
        width: w,
        height: h,
        items,
        ..Page::default()
    }
}

/// EAN-13 at 100 % has 0.33 mm modules; books print it at 80–100 %. 90 % of the width
/// scale below keeps it inside the usual 38 × 25 mm on A5 and scales with the cover.
const MODULE_PER_WIDTH: f32 = 0.33 * 0.9 * 72.0 / 25.4 / 419.53;
/// Bar height: 69 modules at 100 % (22.85 mm); guard bars reach 5 modules lower.
const BAR_MODULES: f32 = 69.0;
const GUARD_MODULES: f32 = 5.0;
/// Quiet zones (modules): 11 left of the symbol, 7 right; the add-on starts 9 modules after
/// the main symbol (GS1: 7–12).
const QUIET_LEFT: f32 = 11.0;
const ADDON_GAP: f32 = 9.0;
/// The digits under the bars (and over the add-on): 9 modules high.
const DIGIT_MODULES: f32 = 9.0;
/// Modules of each part, for the guard bars and the digit groups.
const EAN13: usize = 95;

/// The ISBN's EAN-13 barcode (and price add-on) as vector bars, its right end at `right`
/// and the digits' baseline at `bottom`; `w` is the cover's width (the symbol's scale).
fn barcode(
    ctx: &mut Ctx,
    isbn: &str,
    price: Option<&str>,
    right: f32,
    bottom: f32,
    w: f32,
) -> Vec<Item> {
    let Some(modules) = crate::isbn::ean13_modules(isbn) else {
        return vec![];
    };
    let addon = price.and_then(crate::isbn::ean5_addon);
    let x = w * MODULE_PER_WIDTH;
    let total = EAN13 as f32 + addon.as_ref().map_or(0.0, |a| ADDON_GAP + a.len() as f32);
    let left = right - total * x;
    let digit_size = DIGIT_MODULES * x * 1.1;
    let bars_bottom = bottom - digit_size * 1.05;
    let bars_top = bars_bottom - BAR_MODULES * x;
    let mut items = Vec::new();
    // Guard bars (start, centre, end) reach down between the digit groups.
    let guard = |i: usize| i < 3 || (45..50).contains(&i) || i >= 92;
    bars(&modules, &mut |start, end, i| {
        let low = if guard(i) {
            bars_bottom + GUARD_MODULES * x
        } else {
            bars_bottom
        };
        items.push(bar(
            left + start as f32 * x,
            left + end as f32 * x,
            bars_top,
            low,
        ));
    });
    // The digits: the first before the start guard, then two groups of six.
    let digits: Vec<char> = isbn.chars().filter(char::is_ascii_digit).collect();
    let style = TextStyle::new(Style::Regular, digit_size);
    let mut put = |text: String, from: f32, width: f32, y: f32, items: &mut Vec<Item>| {
        for l in lines(ctx, &text, style, width, Align::Center) {
            items.extend(line_items(l, from, y));
        }
    };
    let first = QUIET_LEFT * x;
    put(
        digits[..1].iter().collect(),
        left - first,
        first,
        bottom,
        &mut items,
    );
    let group = 42.0 * x;
    put(
        digits[1..7].iter().collect(),
        left + 3.0 * x,
        group,
        bottom,
        &mut items,
    );
    put(
        digits[7..].iter().collect(),
        left + 50.0 * x,
        group,
        bottom,
        &mut items,
    );
    if let (Some(add), Some(price)) = (addon, price) {
        let from = left + (EAN13 as f32 + ADDON_GAP) * x;
        // The add-on's digits stand over its bars.
        let top = bars_top + digit_size * 1.1;
        bars(&add, &mut |start, end, _| {
            items.push(bar(
                from + start as f32 * x,
                from + end as f32 * x,
                top,
                bars_bottom + GUARD_MODULES * x,
            ));
        });
        put(
            price.chars().filter(char::is_ascii_digit).collect(),
            from,
            add.len() as f32 * x,
            bars_top + digit_size * 0.8,
            &mut items,
        );
    }
    items
}

/// Calls `f(start, end, first)` for each run of dark modules (module indices).
fn bars(modules: &[bool], f: &mut dyn FnMut(usize, usize, usize)) {
    let mut i = 0;
    while i < modules.len() {
        if modules[i] {
            let start = i;
            while i < modules.len() && modules[i] {
                i += 1;
            }
            f(start, i, start);
        } else {
            i += 1;
        }
    }
}

/// A bar from `x0` to `x1`, `top` to `bottom`: a vertical rule as thick as the bar (PDF's
/// default butt caps end it exactly).
fn bar(x0: f32, x1: f32, top: f32, bottom: f32) -> Item {
    let cx = (x0 + x1) / 2.0;
    Item::Rule {
        from: Point { x: cx, y: top },
        to: Point { x: cx, y: bottom },
        thickness: x1 - x0,
    }
}

/// Spine text needs 6 mm: below that a spine is left blank, as printers advise.
const SPINE_TEXT_MIN: f32 = 6.0 * 72.0 / 25.4;

/// The full-wrap cover of a perfect-bound book: back, spine (`spine` pt wide, its text
/// running top to bottom) and front, each panel `w` × `h`.
pub fn wrap(ctx: &mut Ctx, book: &Book, front: &Page, back: &Page, spine: f32) -> Page {
    let (w, h) = (front.width, front.height);
    // Each panel is cut at the spine (a front picture's bleed must not run over it); the
    // outer edges and the head and foot keep their bleed.
    let panel = |page: &Page, dx: f32, from: f32| {
        Item::Group(Group {
            transform: Transform::translate(dx, 0.0),
            clip: Some(Rect {
                x: from,
                y: -h,
                width: 2.0 * w,
                height: 3.0 * h,
            }),
            items: Arc::new(page.items.clone()),
        })
    };
    let mut items = vec![panel(back, 0.0, -w), panel(front, w + spine, 0.0)];
    if spine >= SPINE_TEXT_MIN {
        let m = &book.meta;
        // The creators' names, as on any spine (not "Edited by …").
        let names: Vec<&str> = m.creators.iter().take(2).map(|c| c.name.as_str()).collect();
        let author = names.join(", ");
        let title = m.title.clone().unwrap_or_default();
        let text = if author.is_empty() {
            title
        } else {
            format!("{title}  ·  {author}")
        };
        let mut size = (spine * 0.45).min(w * LABEL * 1.2);
        let length = h * 0.8;
        // One line along the spine: set on an endless measure, then smaller if it is longer
        // than the spine (never wrapped, never cut).
        let mut set = |size: f32| -> (Vec<Item>, f32) {
            let style = TextStyle::new(Style::Regular, size);
            let line: Vec<Item> = lines(ctx, &text, style, f32::MAX / 4.0, Align::Left)
                .into_iter()
                .flat_map(|l| line_items(l, 0.0, 0.0))
                .collect();
            let width = line
                .iter()
                .map(|i| match i {
                    Item::Glyphs(r) => r.glyphs.iter().map(|g| g.advance).sum(),
                    _ => 0.0,
                })
                .sum();
            (line, width)
        };
        let (mut run, mut width) = set(size);
        if width > length {
            size *= length / width;
            (run, width) = set(size);
        }
        // Rotated a quarter turn clockwise: the text reads from the top of the spine down,
        // its baseline a third of the size off the spine's centre.
        items.push(Item::Group(Group {
            transform: Transform {
                a: 0.0,
                b: 1.0,
                c: -1.0,
                d: 0.0,
                e: w + spine / 2.0 - size * 0.33,
                f: (h - width) / 2.0,
            },
            clip: None,
            items: Arc::new(run),
        }));
    }
    Page {
        width: 2.0 * w + spine,
        height: h,
        items,
        ..Page::default()
    }
}
