//! A page's links as the preview places them over its image: each clickable area as a
//! fraction of the image (so it scales with it), and where it leads — a page of the same
//! edition, or a web address.

use crate::raster::View;
use crate::typeset::frame::{Item, Page};
use serde::Serialize;

/// One clickable area over a page image.
#[derive(Serialize, Debug, PartialEq)]
pub struct LinkView {
    /// Left, top, width and height, as fractions of the image.
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
    /// The page it jumps to (from 1), for a link inside the book.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<usize>,
    /// The address it opens, for a link to the web.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
}

/// The links on `page` drawn in `view`; `renumber` moves a typeset page's number to its
/// place in this document (empty: every page is where it was typeset).
pub fn of(page: &Page, view: View, renumber: &[usize]) -> Vec<LinkView> {
    let ((w, h), (dx, dy)) = view.bounds(page);
    let mut out = Vec::new();
    page.walk(&mut |item, at| {
        let (rect, page, uri) = match item {
            Item::Link { rect, dest } => {
                let target = renumber.get(dest.page).copied().unwrap_or(dest.page);
                (rect, Some(target + 1), None)
            }
            Item::UriLink { rect, uri } => (rect, None, Some(uri.clone())),
            _ => return,
        };
        let r = at.apply_rect(*rect);
        out.push(LinkView {
            x: (r.x + dx) / w,
            y: (r.y + dy) / h,
            w: r.width / w,
            h: r.height / h,
            page,
            uri,
        });
    });
    out
}
