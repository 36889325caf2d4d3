//! Glyph runs: a [`GlyphRun`] + its embedded font in → printpdf text operations out.
//!
//! One text section per run; inside it one `Tm` + one `TJ` per stretch of glyphs sharing a
//! vertical offset. Each glyph's TJ adjustment turns the font's own `/W` advance into the
//! frame's wanted advance. A glyph whose text ends in word spaces is followed by the font's
//! space glyph (mapped to U+0020) that absorbs the gap, so every text extractor sees a real
//! space between words whatever its layout heuristics.

use printpdf::{Codepoint, Op, PdfFontHandle, Pt, TextItem, TextMatrix};

use super::font::{EmbeddedFont, split_spaces};
use crate::typeset::frame::{Glyph, GlyphRun};

/// Appends the operations for `run`. `bleed` and `top` place the frame's origin (the trim
/// box's top-left) in PDF space; `tz` tracks the horizontal scaling in force on the page,
/// since `Tz` is graphics state and outlives the text section.
pub(crate) fn run_ops(
    run: &GlyphRun,
    font: &EmbeddedFont,
    bleed: f32,
    top: f32,
    tz: &mut f32,
    ops: &mut Vec<Op>,
) {
    // A zero or negative size cannot be drawn (and would divide by zero below).
    if run.glyphs.is_empty() || run.size <= 0.0 {
        return;
    }
    // 100 % = no scaling; a non-positive scale is treated as none.
    let h = if run.hscale > 0.0 { run.hscale } else { 100.0 };
    ops.push(Op::StartTextSection);
    ops.push(Op::SetFont {
        font: PdfFontHandle::External(font.id.clone()),
        size: Pt(run.size),
    });
    if h != *tz {
        ops.push(Op::SetHorizontalScaling { percent: h });
        *tz = h;
    }
    // TJ numbers are thousandths of an em of text space, which Tz scales horizontally.
    let per_1000 = 1000.0 / (f64::from(run.size) * f64::from(h) / 100.0);
    let mut x = run.origin.x;
    let mut i = 0;
    while i < run.glyphs.len() {
        let y_offset = run.glyphs[i].y_offset;
        let start_x = x;
        let mut codepoints = Vec::new();
        while let Some(g) = run.glyphs.get(i).filter(|g| g.y_offset == y_offset) {
            push_glyph(g, font, per_1000, &mut codepoints);
            x += g.advance;
            i += 1;
        }
        let matrix = [
            1.0,
            0.0,
            0.0,
            1.0,
            bleed + start_x,
            top - run.origin.y + y_offset,
        ];
        ops.push(Op::SetTextMatrix {
            matrix: TextMatrix::Raw(matrix),
        });
        ops.push(Op::ShowText {
            items: vec![TextItem::GlyphIds(codepoints)],
        });
    }
    ops.push(Op::EndTextSection);
}

fn push_glyph(g: &Glyph, font: &EmbeddedFont, per_1000: f64, out: &mut Vec<Codepoint>) {
    let wanted = f64::from(g.advance) * per_1000;
    let own = font.width_1000(g.id);
    let (_, spaces) = split_spaces(&g.text);
    match font.space.filter(|_| spaces > 0) {
        Some(space) => {
            out.push(codepoint(font, g.id, 0.0));
            let space_w = font.width_1000(space);
            for k in 1..=spaces {
                // The last space takes up whatever the letter and the spaces leave over.
                let off = if k == spaces {
                    own + spaces as f64 * space_w - wanted
                } else {
                    0.0
                };
                out.push(codepoint(font, space, off));
            }
        }
        None => out.push(codepoint(font, g.id, own - wanted)),
    }
}

fn codepoint(font: &EmbeddedFont, original: u16, offset: f64) -> Codepoint {
    // Thousandths of a TJ unit (a millionth of an em) are far below any device resolution;
    // rounding there keeps the content stream short and free of float noise.
    let offset = (offset * 1000.0).round() / 1000.0;
    Codepoint {
        gid: font.gid(original),
        offset: offset as f32,
        cid: Some(font.text(original).to_string()),
    }
}
