//! The print edition, made from the same typeset pages as the screen PDF: `Pages` in →
//! `Pages` out, nothing typeset again and no PDF re-parsed.
//!
//! - `<slug>-print.pdf`: the pages in print order (front cover and its blank inside, the
//!   book, blank pages to fill the last sheet, the inside and the back cover), each with
//!   bleed, crop marks (and registration marks, a slug line) in registration colour;
//! - `<slug>-booklet.pdf`: those pages imposed two to a sheet side ([`impose`]);
//! - `<slug>-cover.pdf`: for a perfect-bound book, the wrap cover (back, spine, front).

pub mod impose;
pub mod marks;

use crate::image::Image;
use crate::settings::{Binding, Impose, PrintSettings};
use crate::typeset::Setter;
use crate::typeset::cover::CoverArt;
use crate::typeset::frame::{
    Group, Item, LabelStyle, Page, PageLabelRange, Pages, Rect, Transform,
};
use std::sync::Arc;

/// The print edition's files: a name suffix (`-print`, `-booklet`, `-cover`) and its pages.
pub struct Files {
    pub documents: Vec<(&'static str, Pages)>,
    /// What the build says about them ("40 pages, 3 blank pages fill the last sheet").
    pub summary: String,
}

/// Makes every document of the print edition of `screen`: the print PDF, the imposed
/// booklet, the wrap cover of a perfect-bound book. `cover` is the book's cover image
/// (the whole front cover, bleed included); `slug` names the files in the slug line.
pub fn make(
    screen: &Pages,
    s: &PrintSettings,
    setter: &mut Setter,
    cover: Option<Arc<Image>>,
    slug: &str,
) -> Files {
    let (w, h) = screen
        .pages
        .first()
        .map_or((0.0, 0.0), |p| (p.width, p.height));
    let mut images = screen.images.clone();
    let art = cover.map(|img| {
        images.push(img.clone());
        CoverArt {
            image: images.len() - 1,
            width: img.width,
            height: img.height,
            bleed: s.bleed,
            text: s.cover_text,
        }
    });
    let wants_covers = s.covers || s.binding == Binding::Perfect;
    let covers = wants_covers.then(|| Covers {
        front: setter.front(w, h, art),
        back: setter.back(w, h, s.price.as_deref()),
    });
    let date = screen.info.date.get(..10).unwrap_or("").to_string();
    let perfect = s.binding == Binding::Perfect;
    let (print_covers, wrap_covers) = if perfect {
        (None, covers)
    } else {
        (covers, None)
    };
    let mut documents = Vec::new();
    let mut label = |text: &str| setter.label(text, marks::SLUG_TYPE);
    let line = |suffix: &str, what: &str| format!("{slug}{suffix}.pdf · {what} · {date}");
    let mut ed = edition(screen, s, print_covers, &mut label, &line);
    if let Some(b) = ed.booklet.as_mut() {
        b.images = images.clone();
    }
    ed.print.images = images.clone();
    let count = ed.print.pages.len();
    let mut summary = format!("{count} pages");
    if ed.padding > 0 {
        let (n, s_) = (ed.padding, if ed.padding == 1 { "" } else { "s" });
        summary += &match (perfect, s.covers) {
            (false, true) => {
                format!(", {n} blank page{s_} before the back cover fill the last sheet")
            }
            (false, false) => format!(", {n} blank page{s_} at the end fill the last sheet"),
            (true, _) => format!(", {n} blank page{s_} at the end fill the last leaf"),
        };
    }
    documents.push(("-print", ed.print));
    if let Some(b) = ed.booklet {
        summary += &match s.impose {
            Impose::Saddle => format!(", {} sheets imposed", b.pages.len() / 2),
            _ => format!(", {} proof spreads", b.pages.len()),
        };
        documents.push(("-booklet", b));
    }
    if let Some(c) = wrap_covers {
        let spine = s.spine(count);
        let mut wrap = setter.wrap(&c.front, &c.back, spine);
        wrap.bleed = s.bleed;
        if s.crop_marks {
            wrap.slug = marks::SLUG;
            wrap.furniture.extend(marks::crop(wrap.width, h, s.bleed));
            wrap.furniture.extend(marks::fold(w, h, s.bleed));
            wrap.furniture.extend(marks::fold(w + spine, h, s.bleed));
        }
        summary += &format!(", a wrap cover with a {:.1} mm spine", spine * 25.4 / 72.0);
        documents.push((
            "-cover",
            Pages {
                pages: vec![wrap],
                fonts: screen.fonts.clone(),
                images: images.clone(),
                info: screen.info.clone(),
                ..Pages::default()
            },
        ));
    }
    Files { documents, summary }
}

/// What a print-order page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    Front,
    Back,
    /// A blank page: the inside of a cover, or filling the last sheet.
    Blank,
    /// The typeset book's page (0-based).
    Page(usize),
}

/// The print order of a book of `n` typeset pages: with covers, the front and its inside
/// first and the inside and the back last; for a saddle-stitched booklet, blank pages before
/// the back cover's inside make the count a multiple of 4 (never inside a piece).
pub fn sequence(n: usize, covers: bool, binding: Binding) -> Vec<Slot> {
    let mut out = Vec::with_capacity(n + 8);
    let covers = covers && binding == Binding::Saddle;
    if covers {
        out.extend([Slot::Front, Slot::Blank]);
    }
    out.extend((0..n).map(Slot::Page));
    let tail = if covers { 2 } else { 0 };
    // A perfect-bound block needs whole leaves; a booklet whole sheets.
    let unit = match binding {
        Binding::Saddle => 4,
        Binding::Perfect => 2,
    };
    while !(out.len() + tail).is_multiple_of(unit) {
        out.push(Slot::Blank);
    }
    if covers {
        out.extend([Slot::Blank, Slot::Back]);
    }
    out
}

/// How many blank pages [`sequence`] adds to fill the last sheet.
pub fn padding(slots: &[Slot], covers: bool) -> usize {
    let blanks = slots.iter().filter(|s| **s == Slot::Blank).count();
    blanks.saturating_sub(if covers { 2 } else { 0 })
}

/// The covers the typesetter made for this edition.
pub struct Covers {
    pub front: Page,
    pub back: Page,
}

/// The print edition's documents.
pub struct Edition {
    /// The pages in print order with bleed and marks.
    pub print: Pages,
    /// The imposed sheets, unless `impose = "none"`.
    pub booklet: Option<Pages>,
    /// How many blank pages fill the last sheet.
    pub padding: usize,
}

/// Makes the print edition of `screen`. `label(text)` sets a line of slug text (baseline at
/// 0); `slug_line(suffix, what)` says what the slug line of a page (`-print`) or a sheet
/// (`-booklet`) reads.
pub fn edition(
    screen: &Pages,
    s: &PrintSettings,
    covers: Option<Covers>,
    label: &mut dyn FnMut(&str) -> Vec<Item>,
    slug_line: &dyn Fn(&str, &str) -> String,
) -> Edition {
    let has_covers = covers.is_some() && s.binding == Binding::Saddle;
    let slots = sequence(screen.pages.len(), has_covers, s.binding);
    let Some(first) = screen.pages.first() else {
        return Edition {
            print: screen.clone(),
            booklet: None,
            padding: 0,
        };
    };
    let blank = Page {
        width: first.width,
        height: first.height,
        ..Page::default()
    };
    let covers = covers.filter(|_| has_covers);
    // Each slot's page as typeset (no marks yet).
    let plain: Vec<Page> = slots
        .iter()
        .map(|slot| match (slot, &covers) {
            (Slot::Page(i), _) => screen.pages[*i].clone(),
            (Slot::Front, Some(c)) => c.front.clone(),
            (Slot::Back, Some(c)) => c.back.clone(),
            _ => blank.clone(),
        })
        .map(|p| bled(p, s.bleed))
        .collect();
    let offset = usize::from(has_covers) * 2;
    let labels = labels(screen, &slots, offset);
    let mut print_pages = plain.clone();
    for (k, page) in print_pages.iter_mut().enumerate() {
        let (w, h, b) = (page.width, page.height, page.bleed);
        if s.crop_marks {
            page.slug = marks::SLUG;
            page.furniture.extend(marks::crop(w, h, b));
        }
        if s.registration_marks {
            page.slug = marks::SLUG;
            page.furniture.extend(marks::registration(w, h, b));
        }
        if s.slug {
            page.slug = marks::SLUG;
            let name = label_of(&labels, k).unwrap_or_else(|| (k + 1).to_string());
            let y = marks::slug_line_y(h, b);
            let text = slug_line(
                "-print",
                &format!("page {name} ({} of {})", k + 1, slots.len()),
            );
            page.furniture.extend(
                label(&text)
                    .into_iter()
                    .map(|i| crate::typeset::frame::translate(i, 0.0, y)),
            );
        }
    }
    let mut outline = screen.outline.clone();
    for e in &mut outline {
        e.dest.page += offset;
    }
    let print = Pages {
        pages: print_pages,
        fonts: screen.fonts.clone(),
        images: screen.images.clone(),
        outline,
        page_labels: labels,
        info: screen.info.clone(),
        map: Vec::new(),
        // The covers' glyphs are not in the typesetter's sum: the writer looks.
        glyphs: None,
        renumber: (0..screen.pages.len()).map(|i| i + offset).collect(),
        // The same book: the covers and padding are artifacts, the pages keep their tags.
        structure: screen.structure.clone(),
    };
    let booklet = (s.impose != Impose::None).then(|| {
        let saddle = s.impose == Impose::Saddle;
        let total = if saddle {
            plain.len() / 2
        } else {
            impose::spreads_order(plain.len()).len()
        };
        let sheets = impose::impose(&plain, s, saddle, label, &|k| {
            if saddle {
                let side = if k % 2 == 0 { "front" } else { "back" };
                slug_line(
                    "-booklet",
                    &format!("sheet {} of {}, {side}", k / 2 + 1, total / 2),
                )
            } else {
                slug_line("-booklet", &format!("spread {} of {total}", k + 1))
            }
        });
        let side = impose::side_of(plain.len(), saddle);
        Pages {
            pages: sheets,
            fonts: screen.fonts.clone(),
            images: screen.images.clone(),
            info: screen.info.clone(),
            // A link goes to the sheet side showing its page.
            renumber: (0..screen.pages.len()).map(|i| side[i + offset]).collect(),
            // Each sheet side shows its pages with their tags: the tree reads the book.
            structure: screen.structure.clone(),
            // A sheet holds two pages: no outline, no page labels.
            ..Pages::default()
        }
    });
    Edition {
        print,
        booklet,
        padding: padding(&slots, has_covers),
    }
}

/// `page` with `bleed`: what it draws is clipped at the bleed box (a full-page figure
/// reaches further), so nothing spills into the slug and its marks.
fn bled(mut page: Page, bleed: f32) -> Page {
    page.bleed = bleed;
    if !page.items.is_empty() {
        let clip = Rect {
            x: -bleed,
            y: -bleed,
            width: page.width + 2.0 * bleed,
            height: page.height + 2.0 * bleed,
        };
        page.items = vec![Item::Group(Group {
            transform: Transform::translate(0.0, 0.0),
            clip: Some(clip),
            items: Arc::new(std::mem::take(&mut page.items)),
        })];
    }
    page
}

/// The page labels of the print order: the covers and the pages filling the last sheet are
/// unnumbered; the book's pages keep their labels.
fn labels(screen: &Pages, slots: &[Slot], offset: usize) -> Vec<PageLabelRange> {
    let none = |start| PageLabelRange {
        start,
        style: LabelStyle::None,
        first: 1,
    };
    let mut out = Vec::new();
    if offset > 0 {
        out.push(none(0));
    }
    out.extend(screen.page_labels.iter().map(|r| PageLabelRange {
        start: r.start + offset,
        ..r.clone()
    }));
    let end = offset + screen.pages.len();
    if end < slots.len() {
        out.push(none(end));
    }
    out
}

/// The label page `k` shows in a viewer ("iii", "12"), `None` for an unnumbered page.
fn label_of(ranges: &[PageLabelRange], k: usize) -> Option<String> {
    let r = ranges.iter().rev().find(|r| r.start <= k)?;
    let n = r.first + (k - r.start) as u32;
    match r.style {
        LabelStyle::Arabic => Some(n.to_string()),
        LabelStyle::LowerRoman => Some(crate::typeset::roman(n)),
        LabelStyle::None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_booklet_with_covers_fills_its_last_sheet_before_the_back_cover() {
        let s = sequence(9, true, Binding::Saddle);
        assert_eq!(s.len(), 16);
        assert_eq!(&s[..3], &[Slot::Front, Slot::Blank, Slot::Page(0)]);
        assert_eq!(s[10], Slot::Page(8));
        assert!(s[11..15].iter().all(|x| *x == Slot::Blank));
        assert_eq!(s[15], Slot::Back);
        assert_eq!(padding(&s, true), 3);
    }
}
