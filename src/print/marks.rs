//! Printer's marks, drawn in registration colour in the slug outside the bleed: crop marks
//! at the trim's corners, fold marks at a sheet's fold or a wrap cover's spine, registration
//! targets, and the slug line (file, page, date).

use crate::typeset::frame::{Item, Point};

/// Room for marks beyond the bleed: 18 pt (about 6 mm), the usual printer's slug.
pub const SLUG: f32 = 18.0;
/// Marks start this far outside the bleed, so trimming never shows them.
const GAP: f32 = 3.0;
/// Hairline marks, as printers draw them.
const THICKNESS: f32 = 0.25;
/// A registration target's arms: 5 pt from its centre.
const TARGET: f32 = 5.0;
/// The slug line's type: 6 pt, legible under a loupe, far from the trim.
pub const SLUG_TYPE: f32 = 6.0;

fn mark(x0: f32, y0: f32, x1: f32, y1: f32) -> Item {
    Item::Mark {
        from: Point { x: x0, y: y0 },
        to: Point { x: x1, y: y1 },
        thickness: THICKNESS,
    }
}

/// Eight crop marks at the corners of a `w` × `h` trim, outside `bleed`.
pub fn crop(w: f32, h: f32, bleed: f32) -> Vec<Item> {
    let (near, far) = (bleed + GAP, bleed + SLUG);
    let mut out = Vec::new();
    for x in [0.0, w] {
        out.push(mark(x, -near, x, -far));
        out.push(mark(x, h + near, x, h + far));
    }
    for y in [0.0, h] {
        out.push(mark(-near, y, -far, y));
        out.push(mark(w + near, y, w + far, y));
    }
    out
}

/// Fold marks at `x` (a sheet's fold, a spine's edges), above and below the trim.
pub fn fold(x: f32, h: f32, bleed: f32) -> Vec<Item> {
    let (near, far) = (bleed + GAP, bleed + SLUG);
    vec![mark(x, -near, x, -far), mark(x, h + near, x, h + far)]
}

/// Registration targets (a cross in a square) in the middle of each side's slug.
pub fn registration(w: f32, h: f32, bleed: f32) -> Vec<Item> {
    let off = bleed + (GAP + SLUG) / 2.0;
    let centres = [
        (w / 2.0, -off),
        (w / 2.0, h + off),
        (-off, h / 2.0),
        (w + off, h / 2.0),
    ];
    let mut out = Vec::new();
    for (cx, cy) in centres {
        let (r, s) = (TARGET, TARGET * 0.6);
        out.push(mark(cx - r, cy, cx + r, cy));
        out.push(mark(cx, cy - r, cx, cy + r));
        out.push(mark(cx - s, cy - s, cx + s, cy - s));
        out.push(mark(cx + s, cy - s, cx + s, cy + s));
        out.push(mark(cx + s, cy + s, cx - s, cy + s));
        out.push(mark(cx - s, cy + s, cx - s, cy - s));
    }
    out
}

/// Where the slug line's baseline sits: in the slug under the trim, clear of the crop marks'
/// ends.
pub fn slug_line_y(h: f32, bleed: f32) -> f32 {
    h + bleed + SLUG - 2.0
}
