//! Imposition: the print edition's finished pages placed two to a sheet side, as groups
//! (each page's items shared, never re-parsed from a PDF). Saddle stitch folds and staples
//! the sheets into a booklet; 2-up lays spreads out in reading order for proofs.

use super::marks;
use crate::settings::PrintSettings;
use crate::typeset::frame::{Group, Item, Page, Rect, Tag, Transform};
use std::sync::Arc;

/// The page indices (0-based) on each sheet side of a saddle-stitched booklet of `n` pages
/// (`n` a multiple of 4), in printing order: sheet *i* (from 0, the outermost) has on its
/// front pages N−2i and 2i+1 (1-based) and on its back 2i+2 and N−2i−1, left to right.
pub fn saddle_order(n: usize) -> Vec<[usize; 2]> {
    debug_assert!(n.is_multiple_of(4));
    let mut out = Vec::with_capacity(n / 2);
    for i in 0..n / 4 {
        // 1-based page numbers turned into indices.
        out.push([n - 2 * i - 1, 2 * i]);
        out.push([2 * i + 1, n - 2 * i - 2]);
    }
    out
}

/// Sheet sides for 2-up proofs: the spreads as a reader sees them (the first page alone on
/// the right, then each verso with its recto).
pub fn spreads_order(n: usize) -> Vec<[Option<usize>; 2]> {
    let mut out = vec![[None, (n > 0).then_some(0)]];
    let mut i = 1;
    while i < n {
        out.push([Some(i), (i + 1 < n).then_some(i + 1)]);
        i += 2;
    }
    out
}

/// The pages on each sheet side, left and right, in printing order: saddle-stitch order or
/// reading-order spreads.
pub fn sides(n: usize, saddle: bool) -> Vec<[Option<usize>; 2]> {
    if saddle {
        saddle_order(n)
            .into_iter()
            .map(|[l, r]| [Some(l), Some(r)])
            .collect()
    } else {
        spreads_order(n)
    }
}

/// Where each page went: the sheet side holding it.
pub fn side_of(n: usize, saddle: bool) -> Vec<usize> {
    let mut out = vec![0; n];
    for (k, side) in sides(n, saddle).iter().enumerate() {
        for p in side.iter().flatten() {
            out[*p] = k;
        }
    }
    out
}

/// What goes on a sheet side: two page slots, the sheet's number among all, and the creep
/// shift of its pages.
struct Side<'a> {
    /// Each slot's page and its place in the print order.
    pages: [Option<(usize, &'a Page)>; 2],
    shift: f32,
}

/// The imposed sheets of `pages` (the print edition's pages, without marks: bleed only).
/// `label(text)` sets a line of slug text; `slug_line(k)` is what sheet side `k` says.
pub fn impose(
    pages: &[Page],
    s: &PrintSettings,
    saddle: bool,
    label: &mut dyn FnMut(&str) -> Vec<Item>,
    slug_line: &dyn Fn(usize) -> String,
) -> Vec<Page> {
    let Some(first) = pages.first() else {
        return vec![];
    };
    let (w, h) = (first.width, first.height);
    let sides: Vec<Side> = sides(pages.len(), saddle)
        .into_iter()
        .enumerate()
        .map(|(k, [l, r])| Side {
            pages: [l.map(|i| (i, &pages[i])), r.map(|i| (i, &pages[i]))],
            // Sheet k/2 from the outside: its pages move towards the fold by k/2 creeps.
            shift: if saddle {
                (k / 2) as f32 * s.creep
            } else {
                0.0
            },
        })
        .collect();
    sides
        .iter()
        .enumerate()
        .map(|(k, side)| sheet(side, w, h, s, label, &slug_line(k)))
        .collect()
}

/// One sheet side: two pages side by side, clipped to their trim and outer bleed, with the
/// sheet's marks.
fn sheet(
    side: &Side,
    w: f32,
    h: f32,
    s: &PrintSettings,
    label: &mut dyn FnMut(&str) -> Vec<Item>,
    slug_text: &str,
) -> Page {
    let b = s.bleed;
    let mut out = Page {
        width: 2.0 * w,
        height: h,
        bleed: b,
        slug: if s.sheet.is_none() && s.crop_marks {
            marks::SLUG
        } else {
            0.0
        },
        media: s.sheet.map(|sh| (sh.width, sh.height)),
        ..Page::default()
    };
    for (slot, page) in side.pages.iter().enumerate() {
        let Some((index, page)) = page else { continue };
        let left = slot == 0;
        // Towards the fold: the left page moves right, the right page left.
        let dx = if left { side.shift } else { w - side.shift };
        // The page's own trim and its bleed on the three outer sides (not at the fold), in
        // its own coordinates (the clip stays put on the sheet while the page moves).
        let clip = if left {
            Rect {
                x: -b - side.shift,
                y: -b,
                width: w + b,
                height: h + 2.0 * b,
            }
        } else {
            Rect {
                x: side.shift,
                y: -b,
                width: w + b,
                height: h + 2.0 * b,
            }
        };
        let group = |items: &[Item]| {
            Item::Group(Group {
                transform: Transform::translate(dx, 0.0),
                clip: Some(clip),
                items: Arc::new(items.to_vec()),
            })
        };
        if !page.items.is_empty() {
            // Which page the content is: the structure tree reads the pages' content in the
            // book's order, not the sheets'.
            let at = u32::try_from(*index).unwrap_or(u32::MAX);
            out.items.push(Item::Tag(Tag::Page(at)));
            out.items.push(group(&page.items));
        }
        if !page.furniture.is_empty() {
            out.furniture.push(group(&page.furniture));
        }
    }
    if s.crop_marks {
        out.furniture.extend(marks::crop(2.0 * w, h, b));
        out.furniture.extend(marks::fold(w, h, b));
    }
    if s.registration_marks {
        out.furniture.extend(marks::registration(2.0 * w, h, b));
    }
    if s.slug {
        let y = marks::slug_line_y(h, b);
        out.furniture.extend(
            label(slug_text)
                .into_iter()
                .map(|i| crate::typeset::frame::translate(i, 0.0, y)),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_eight_page_booklet_folds_in_the_textbook_order() {
        // 1-based: sheet 1 front 8|1, back 2|7; sheet 2 front 6|3, back 4|5.
        let order: Vec<[usize; 2]> = saddle_order(8)
            .into_iter()
            .map(|[l, r]| [l + 1, r + 1])
            .collect();
        assert_eq!(order, vec![[8, 1], [2, 7], [6, 3], [4, 5]]);
    }

    #[test]
    fn spreads_start_with_the_first_page_alone_on_the_right() {
        assert_eq!(
            spreads_order(4),
            vec![[None, Some(0)], [Some(1), Some(2)], [Some(3), None]]
        );
        assert_eq!(spreads_order(1), vec![[None, Some(0)]]);
    }
}
