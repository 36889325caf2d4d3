//! Content streams: a page's items in → the bytes of its content stream out, encoded by
//! folio straight from the frame (no operation objects, no allocation per glyph).
//!
//! Text is one `BT … ET` per glyph run, with one `Tm` and one `TJ` per stretch of glyphs
//! sharing a vertical offset; glyphs are written as 2-byte subset codes (Identity-H) in
//! literal strings, and each glyph's TJ adjustment turns the font's `/W` advance into the
//! frame's advance. A glyph whose text ends in word spaces is followed by the font's space
//! glyph (mapped to U+0020), which absorbs the gap, so every text extractor sees a real
//! space between words; at a line's end, where no gap is left, the glyph carries its space
//! in an `/ActualText` instead (a space glyph there would reach past the margin).
//! The content of the book's structure elements is marked content with an MCID
//! ([`super::tags::Marker`]); furniture (running heads, folios, marks), rules and anything
//! outside every tag are artifacts. A glyph whose text differs from what its font's
//! ToUnicode map says (a discretionary hyphen, which reads as the soft hyphen U+00AD it
//! is; a small capital standing for a capital elsewhere) is wrapped in a span with
//! `/ActualText`, so the page reads as written.

use std::io::Write as _;
use std::sync::Arc;

use super::PdfError;
use super::font::EmbeddedFont;
use super::tags::{Content, Marker, Record};
use crate::typeset::frame::{GlyphRun, Group, Item, Page};

/// TJ adjustments and coordinates are rounded to thousandths: far below any device's
/// resolution, and the stream stays short and free of float noise.
const PRECISION: f64 = 1000.0;

/// Where the frame's origin (the trim box's top-left, y down) lies in PDF space (y up).
#[derive(Clone, Copy)]
pub(crate) struct Space {
    /// PDF x of the frame's x = 0 (the trim box's left edge, moved by enclosing groups).
    pub left: f64,
    /// PDF y of the frame's y = 0.
    pub top: f64,
}

impl Space {
    pub fn of(page: &Page) -> Space {
        let (x, y) = page.trim_offset();
        Space {
            left: f64::from(x),
            top: f64::from(y + page.height),
        }
    }
}

/// The content stream of `page` (uncompressed), with its marked content's record.
pub(crate) fn page_stream(
    page: &Page,
    fonts: &[Option<Arc<EmbeddedFont>>],
    images: usize,
) -> Result<(Vec<u8>, Record), PdfError> {
    let space = Space::of(page);
    let mut w = Writer {
        out: Vec::with_capacity(page.items.len() * 64),
        tz: 100.0,
        tf: None,
        fonts,
        images,
        marker: Some(Marker::new()),
    };
    for item in &page.items {
        w.item(item, space)?;
    }
    w.close_marked();
    let record = w.marker.take().map(|m| m.record).unwrap_or_default();
    if !page.furniture.is_empty() {
        // Running heads and folios: pagination artifacts, one sequence for all of them.
        w.marker = None;
        w.out
            .extend_from_slice(b"/Artifact <</Type /Pagination>> BDC\n");
        for item in &page.furniture {
            w.item(item, space)?;
        }
        w.out.extend_from_slice(b"EMC\n");
    }
    Ok((w.out, record))
}

struct Writer<'a> {
    out: Vec<u8>,
    /// Horizontal scaling in force (`Tz` is graphics state: it outlives a text object).
    tz: f32,
    /// Font and size in force (`Tf` is graphics state too): one line's run sets them, the
    /// next line in the same font says nothing.
    tf: Option<(usize, f32)>,
    /// The document's fonts, by a run's font index.
    fonts: &'a [Option<Arc<EmbeddedFont>>],
    /// How many images the document has (an image item names one of them).
    images: usize,
    /// The marked-content state (`None` inside the furniture's one artifact sequence).
    marker: Option<Marker>,
}

impl Writer<'_> {
    /// Before content of `kind`: the right marked-content sequence.
    fn mark(&mut self, kind: Content) {
        if let Some(m) = self.marker.as_mut() {
            m.content(kind, &mut self.out);
        }
    }

    /// Ends the open marked-content sequence.
    fn close_marked(&mut self) {
        if let Some(m) = self.marker.as_mut() {
            m.close(&mut self.out);
        }
    }

    /// `v` to thousandths, without trailing zeros ("12", "-0.5", "3.142").
    fn num(&mut self, v: f64) {
        self.thousandths(milli(v));
    }

    /// A number given in thousandths, without trailing zeros.
    fn thousandths(&mut self, milli: i64) {
        if milli < 0 {
            self.out.push(b'-');
        }
        let m = milli.unsigned_abs();
        self.int(m / 1000);
        let mut frac = m % 1000;
        if frac != 0 {
            self.out.push(b'.');
            let mut div = 100;
            while frac != 0 {
                self.out.push(b'0' + (frac / div) as u8);
                frac %= div;
                div /= 10;
            }
        }
    }

    /// A whole number in decimal.
    fn int(&mut self, mut n: u64) {
        let mut digits = [0u8; 20];
        let mut k = digits.len();
        loop {
            k -= 1;
            digits[k] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        self.out.extend_from_slice(&digits[k..]);
    }

    fn nums(&mut self, vs: &[f64], op: &str) {
        for v in vs {
            self.num(*v);
            self.out.push(b' ');
        }
        self.out.extend_from_slice(op.as_bytes());
        self.out.push(b'\n');
    }

    fn item(&mut self, item: &Item, s: Space) -> Result<(), PdfError> {
        let x = |v: f32| s.left + f64::from(v);
        let y = |v: f32| s.top - f64::from(v);
        match item {
            Item::Glyphs(run) => {
                let fonts = self.fonts;
                let font = fonts
                    .get(run.font)
                    .and_then(Option::as_ref)
                    .ok_or(PdfError::NoSuchFont(run.font))?;
                self.run(run, font, s);
            }
            Item::Rule {
                from,
                to,
                thickness,
            } => {
                self.mark(Content::Drawn);
                self.out.extend_from_slice(b"q\n");
                self.nums(&[f64::from(*thickness)], "w");
                self.nums(&[x(from.x), y(from.y)], "m");
                self.nums(&[x(to.x), y(to.y)], "l");
                self.out.extend_from_slice(b"S\nQ\n");
            }
            Item::Fill { rect, grey } => {
                self.mark(Content::Drawn);
                self.out.extend_from_slice(b"q\n");
                self.nums(&[f64::from(*grey)], "g");
                let (x0, y0) = (x(rect.x), y(rect.y + rect.height));
                self.nums(
                    &[x0, y0, f64::from(rect.width), f64::from(rect.height)],
                    "re",
                );
                self.out.extend_from_slice(b"f\nQ\n");
            }
            Item::Mark {
                from,
                to,
                thickness,
            } => {
                // Registration colour: full ink on every separation (`super::REGISTRATION`).
                self.mark(Content::Drawn);
                let _ = write!(self.out, "q\n/{} CS 1 SCN\n", super::REGISTRATION);
                self.nums(&[f64::from(*thickness)], "w");
                self.nums(&[x(from.x), y(from.y)], "m");
                self.nums(&[x(to.x), y(to.y)], "l");
                self.out.extend_from_slice(b"S\nQ\n");
            }
            Item::Image { rect, image } => {
                if *image >= self.images {
                    return Err(PdfError::Write(format!(
                        "an image item names image #{image}, which is not listed"
                    )));
                }
                self.mark(Content::Read);
                self.out.extend_from_slice(b"q\n");
                let (w, h) = (f64::from(rect.width), f64::from(rect.height));
                self.nums(&[w, 0.0, 0.0, h, x(rect.x), y(rect.y + rect.height)], "cm");
                let _ = writeln!(self.out, "/{} Do", super::image::id(*image).0);
                self.out.extend_from_slice(b"Q\n");
            }
            // Annotations, not content (see `super::annotations`).
            Item::Link { .. } | Item::UriLink { .. } => {
                if let Some(m) = self.marker.as_mut() {
                    m.annotation();
                }
            }
            // Turned into a `Link` by assembly; one that led nowhere is no annotation.
            Item::GoTo { .. } => {}
            Item::Tag(t) => {
                if let Some(m) = self.marker.as_mut() {
                    m.tag(t);
                }
            }
            Item::Group(g) => self.group(g, s)?,
        }
        Ok(())
    }

    /// A group: a move alone shifts its items' coordinates (no graphics state needed);
    /// any other transform, or a clip, is a `cm` (and `re W n`) inside `q … Q`.
    fn group(&mut self, g: &Group, s: Space) -> Result<(), PdfError> {
        let t = g.transform;
        if t.is_translation() && g.clip.is_none() {
            let inner = Space {
                left: s.left + f64::from(t.e),
                top: s.top - f64::from(t.f),
            };
            for item in g.items.iter() {
                self.item(item, inner)?;
            }
            return Ok(());
        }
        // Frame space is y-down; inside the group, items are written in a y-up space whose
        // origin is the group's (0, 0): (u, v) = (x, −y). The matrix takes it to the page.
        // A marked-content sequence never straddles `q … Q`.
        let f = f64::from;
        self.close_marked();
        self.out.extend_from_slice(b"q\n");
        self.nums(
            &[
                f(t.a),
                -f(t.b),
                -f(t.c),
                f(t.d),
                s.left + f(t.e),
                s.top - f(t.f),
            ],
            "cm",
        );
        if let Some(r) = g.clip {
            let (w, h) = (f(r.width), f(r.height));
            self.nums(&[f(r.x), -f(r.y) - h, w, h], "re");
            self.out.extend_from_slice(b"W n\n");
        }
        let (tz, tf) = (self.tz, self.tf);
        let inner = Space {
            left: 0.0,
            top: 0.0,
        };
        for item in g.items.iter() {
            self.item(item, inner)?;
        }
        self.close_marked();
        self.out.extend_from_slice(b"Q\n");
        // `Q` restores the scaling and font in force before the group.
        (self.tz, self.tf) = (tz, tf);
        Ok(())
    }

    /// A glyph run: in one marked-content sequence with its owner, except each glyph whose
    /// text its font's ToUnicode map does not give, which is a sequence of its own with that
    /// text as its `/ActualText` (readers take the text of a sequence nested in another for
    /// the end of the outer one, so the spans are not nested).
    fn run(&mut self, run: &GlyphRun, font: &EmbeddedFont, s: Space) {
        // A zero or negative size cannot be drawn (and would divide by zero below).
        if run.glyphs.is_empty() || run.size <= 0.0 {
            return;
        }
        let marking = self.marker.is_some();
        let mut x = run.origin.x;
        for (range, actual) in segments(run, font, marking) {
            if let Some(m) = self.marker.as_mut() {
                match actual {
                    Some(text) => m.content_actual(text, &mut self.out),
                    None => {
                        m.content(Content::Read, &mut self.out);
                        // A link's text describes its annotation.
                        if m.in_link() {
                            let text: String = run.glyphs[range.clone()]
                                .iter()
                                .map(|g| g.text.as_str())
                                .collect();
                            m.text(&text);
                        }
                    }
                }
            }
            let width: f32 = run.glyphs[range.clone()].iter().map(|g| g.advance).sum();
            self.glyphs(run, font, s, range, x);
            x += width;
        }
    }

    /// The glyphs `range` of `run` as one text object, the first at `x`.
    fn glyphs(
        &mut self,
        run: &GlyphRun,
        font: &EmbeddedFont,
        s: Space,
        range: std::ops::Range<usize>,
        mut x: f32,
    ) {
        // 100 % = no scaling; a non-positive scale is treated as none.
        let h = if run.hscale > 0.0 { run.hscale } else { 100.0 };
        self.out.extend_from_slice(b"BT\n");
        if self.tf != Some((run.font, run.size)) {
            let _ = write!(self.out, "/{} ", font.id);
            self.nums(&[f64::from(run.size)], "Tf");
            self.tf = Some((run.font, run.size));
        }
        if h != self.tz {
            self.nums(&[f64::from(h)], "Tz");
            self.tz = h;
        }
        let per_1000 = per_1000(run);
        let glyphs = &run.glyphs[range];
        let mut i = 0;
        while i < glyphs.len() {
            let y_offset = glyphs[i].y_offset;
            let start = s.left + f64::from(x);
            let base = s.top - f64::from(run.origin.y) + f64::from(y_offset);
            self.nums(&[1.0, 0.0, 0.0, 1.0, start, base], "Tm");
            self.out.push(b'[');
            let mut open = false;
            while let Some(g) = glyphs.get(i).filter(|g| g.y_offset == y_offset) {
                let wanted = f64::from(g.advance) * per_1000;
                let own = font.width_1000(g.id);
                let spaces = g.text.trailing_spaces();
                match font.space.filter(|_| space_drawn(font, run, g)) {
                    Some(space) => {
                        self.glyph(font.gid(g.id), 0.0, &mut open);
                        let space_w = font.width_1000(space);
                        for k in 1..=spaces {
                            // The last space takes up what the letter and spaces leave over.
                            let adjust = if k == spaces {
                                own + spaces as f64 * space_w - wanted
                            } else {
                                0.0
                            };
                            self.glyph(font.gid(space), adjust, &mut open);
                        }
                    }
                    None => self.glyph(font.gid(g.id), own - wanted, &mut open),
                }
                x += g.advance;
                i += 1;
            }
            if open {
                self.out.push(b')');
            }
            self.out.extend_from_slice(b"] TJ\n");
        }
        self.out.extend_from_slice(b"ET\n");
    }

    /// One glyph code in the open literal string, then its adjustment (if any) after it.
    ///
    /// The code's two bytes are written as they are (half the size of hex, so half the
    /// bytes to deflate), escaped where a literal string needs it ([`string_byte`]).
    fn glyph(&mut self, code: u16, adjust: f64, open: &mut bool) {
        if !*open {
            self.out.push(b'(');
            *open = true;
        }
        let [high, low] = code.to_be_bytes();
        string_byte(&mut self.out, high);
        string_byte(&mut self.out, low);
        let m = milli(adjust);
        if m != 0 {
            self.out.extend_from_slice(b") ");
            self.thousandths(m);
            self.out.push(b' ');
            *open = false;
        }
    }
}

/// The text glyph `g` of `run` stands for, when what is drawn would read otherwise: its
/// font's ToUnicode map says another text (a discretionary hyphen, read as the soft hyphen
/// it is; a small capital that is a capital here and a lower-case letter there; the
/// further glyphs of a cluster), or it ends a line in a word space that has no room to be
/// drawn as a space glyph (see [`space_drawn`]). `None`: the page reads right as drawn.
/// Compared as bytes (this runs for every glyph of the book, twice).
fn actual_text<'g>(
    font: &EmbeddedFont,
    run: &GlyphRun,
    g: &'g crate::typeset::frame::Glyph,
) -> Option<&'g str> {
    let bytes = g.text.as_bytes();
    let base = g.text.base_len();
    if base < bytes.len() && !space_drawn(font, run, g) {
        return Some(g.text.as_str());
    }
    let want: &[u8] = if base == 0 { bytes } else { &bytes[..base] };
    if font.maps_to(g.id, want) {
        return None;
    }
    // The whole text, trailing spaces too: the space glyph drawn after it is inside the
    // same sequence, and the `/ActualText` stands for all of it.
    Some(g.text.as_str())
}

/// Whether glyph `g`'s trailing word spaces are drawn as the font's space glyph after it:
/// only where its advance leaves them at least half their width. At a line's end it does
/// not (the space is not set), and a space glyph there would reach past the margin: the
/// glyph then carries its spaces in an `/ActualText` instead.
fn space_drawn(font: &EmbeddedFont, run: &GlyphRun, g: &crate::typeset::frame::Glyph) -> bool {
    let spaces = g.text.trailing_spaces();
    let Some(space) = font.space.filter(|_| spaces > 0) else {
        return false;
    };
    let gap = f64::from(g.advance) * per_1000(run) - font.width_1000(g.id);
    gap >= 0.5 * spaces as f64 * font.width_1000(space)
}

/// Thousandths of an em of text space per pt of advance, for `run`'s size and horizontal
/// scale (TJ numbers are thousandths of an em, which Tz scales horizontally).
fn per_1000(run: &GlyphRun) -> f64 {
    // 100 % = no scaling; a non-positive scale is treated as none.
    let h = if run.hscale > 0.0 { run.hscale } else { 100.0 };
    1000.0 / (f64::from(run.size) * f64::from(h) / 100.0)
}

/// The stretches of a run to write as one marked-content sequence each, in order: glyphs
/// the font's ToUnicode map reads right go together; each other glyph is a stretch of its
/// own, with the text it stands for. Without `marking` (furniture, an artifact), the whole
/// run is one. An iterator: a run is looked at twice per write, and a book has tens of
/// thousands of runs.
pub(crate) struct Segments<'g, 'f> {
    run: &'g GlyphRun,
    font: &'f EmbeddedFont,
    marking: bool,
    at: usize,
    /// A glyph found to need its own stretch while the stretch before it is given.
    pending: Option<(usize, &'g str)>,
}

pub(crate) fn segments<'g, 'f>(
    run: &'g GlyphRun,
    font: &'f EmbeddedFont,
    marking: bool,
) -> Segments<'g, 'f> {
    Segments {
        run,
        font,
        marking,
        at: 0,
        pending: None,
    }
}

impl<'g> Iterator for Segments<'g, '_> {
    type Item = (std::ops::Range<usize>, Option<&'g str>);

    fn next(&mut self) -> Option<Self::Item> {
        if let Some((i, text)) = self.pending.take() {
            self.at = i + 1;
            return Some((i..i + 1, Some(text)));
        }
        let n = self.run.glyphs.len();
        if self.at >= n {
            return None;
        }
        let start = self.at;
        if !self.marking {
            self.at = n;
            return Some((start..n, None));
        }
        for i in start..n {
            if let Some(text) = actual_text(self.font, self.run, &self.run.glyphs[i]) {
                if i == start {
                    self.at = i + 1;
                    return Some((i..i + 1, Some(text)));
                }
                self.pending = Some((i, text));
                self.at = i;
                return Some((start..i, None));
            }
        }
        self.at = n;
        Some((start..n, None))
    }
}

/// A PDF text string: `()` when empty, else UTF-16BE with its byte order mark, in hex (no
/// escaping to get wrong).
pub(crate) fn text_string(out: &mut Vec<u8>, text: &str) {
    if text.is_empty() {
        out.extend_from_slice(b"()");
        return;
    }
    out.extend_from_slice(b"<FEFF");
    for unit in text.encode_utf16() {
        let _ = write!(out, "{unit:04X}");
    }
    out.push(b'>');
}

/// `v` in thousandths, rounded half away from zero as `f64::round` does, without its
/// library call (x86-64's baseline has no rounding instruction, and this runs for every
/// adjusted glyph).
fn milli(v: f64) -> i64 {
    let m = v * PRECISION;
    (m + 0.5f64.copysign(m)) as i64
}

/// One byte of a literal string: the delimiters and the backslash escaped, and the two
/// line-end bytes too, since a reader turns an unescaped CR or CR LF into LF (ISO 32000-1,
/// 7.3.4.2). Every other byte, binary included, stands for itself.
fn string_byte(out: &mut Vec<u8>, b: u8) {
    match b {
        b'(' | b')' | b'\\' => out.extend_from_slice(&[b'\\', b]),
        b'\r' => out.extend_from_slice(b"\\r"),
        b'\n' => out.extend_from_slice(b"\\n"),
        _ => out.push(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_to_thousandths_without_noise() {
        let mut w = Writer {
            out: Vec::new(),
            tz: 100.0,
            tf: None,
            fonts: &[],
            images: 0,
            marker: None,
        };
        for v in [0.0, -0.0004, 12.0, -0.5, 4.56789, 1000.25, -12.0625, 0.001] {
            w.num(v);
            w.out.push(b' ');
        }
        assert_eq!(
            String::from_utf8(w.out).unwrap(),
            "0 0 12 -0.5 4.568 1000.25 -12.063 0.001 "
        );
    }

    #[test]
    fn glyph_codes_are_escaped_where_a_literal_string_needs_it() {
        let mut out = Vec::new();
        for b in [0x00, b'(', b')', b'\\', b'\r', b'\n', 0xFF, b'A'] {
            string_byte(&mut out, b);
        }
        assert_eq!(out, b"\x00\\(\\)\\\\\\r\\n\xFFA");
    }
}
