//! The typesetter's output and the PDF writer's input: flat pages of positioned items.
//!
//! Everything here is already laid out: glyphs are shaped and placed, lines are justified,
//! pages are full. The PDF writer walks these items and knows nothing about paragraphs.
//!
//! Units are PostScript points (1/72 in). The origin is the **top-left corner of the trim box**
//! with y growing downwards (as in Typst and krilla); the writer converts to PDF's bottom-left
//! origin. Bleed extends the media box beyond the trim box on every side.

use crate::model::Span;
pub use crate::resolve::{ElemId, Role};
use std::sync::Arc;

/// A point in page space (pt, origin top-left of the trim box, y down).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Point {
    pub x: f32,
    pub y: f32,
}

/// An axis-aligned rectangle in page space.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Rect {
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
}

/// The whole typeset document, ready to be written.
#[derive(Debug, Clone, Default)]
pub struct Pages {
    /// The pages in reading order.
    pub pages: Vec<Page>,
    /// Every font the glyph runs use; a run's `font` indexes this list.
    pub fonts: Vec<FontFile>,
    /// Every image the pages show; an [`Item::Image`]'s `image` indexes this list.
    pub images: Vec<Arc<crate::image::Image>>,
    /// Bookmarks in document order; `level` 0 is a piece, 1 its headings, and so on.
    pub outline: Vec<OutlineEntry>,
    /// How the viewer labels pages (front matter in roman numerals, body in arabic).
    pub page_labels: Vec<PageLabelRange>,
    /// Document information (Info dictionary, XMP, catalog language).
    pub info: DocInfo,
    /// Where each page starts in the book (one entry per page, in order): what the EPUB's
    /// page-break markers point at.
    pub map: Vec<PageStart>,
    /// The glyphs the pages use, when the typesetter summed them up (it does so per piece,
    /// so a rebuild does not visit every glyph of the book); `None`: the writer looks.
    pub glyphs: Option<GlyphUse>,
    /// Where each page of the typeset book is in this document, when pages were added or
    /// moved (the print edition's covers, imposed sheets): links to page `i` go to page
    /// `renumber[i]`. Empty: every page is where it was typeset.
    pub renumber: Vec<usize>,
    /// The book's structure, which the pages' tags name (`None`: an untagged document).
    pub structure: Option<Arc<crate::resolve::Structure>>,
}

/// The text of a discretionary hyphen's glyph (one the typesetter added where it broke a
/// word): a soft hyphen, U+00AD, which is no character of the word. The PDF writer gives it
/// an empty `/ActualText`, so the broken word reads and copies whole.
pub const SOFT_HYPHEN: &str = "\u{AD}";

/// Glyph ids are 16-bit: a bit per glyph in 1,024 words.
const GLYPH_WORDS: usize = 1 << 10;

/// Which glyphs of each font some frames draw, the text each stands for (the first
/// non-empty cluster text met) and whether a word space follows any of them: what the PDF
/// writer subsets a font by and writes its ToUnicode map from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GlyphUse {
    pub fonts: Vec<FontUse>,
}

/// One font's part of a [`GlyphUse`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FontUse {
    used: Vec<u64>,
    texted: Vec<u64>,
    /// Glyph id and text, in the order first met.
    pub texts: Vec<(u16, String)>,
    /// Some glyph is followed by a word space (the writer then embeds the space glyph).
    pub space_after: bool,
}

impl FontUse {
    fn mark(bits: &mut Vec<u64>, id: u16) -> bool {
        if bits.is_empty() {
            bits.resize(GLYPH_WORDS, 0);
        }
        let (w, b) = (usize::from(id) / 64, 1u64 << (id % 64));
        let new = bits[w] & b == 0;
        bits[w] |= b;
        new
    }

    fn has(bits: &[u64], id: u16) -> bool {
        bits.get(usize::from(id) / 64)
            .is_some_and(|w| w & (1u64 << (id % 64)) != 0)
    }

    /// The glyph ids used, ascending.
    pub fn ids(&self) -> impl Iterator<Item = u16> + '_ {
        self.used.iter().enumerate().flat_map(|(w, bits)| {
            (0..64u16)
                .filter(move |b| bits & (1u64 << b) != 0)
                .map(move |b| w as u16 * 64 + b)
        })
    }

    fn add(&mut self, id: u16, text: &GlyphText) {
        FontUse::mark(&mut self.used, id);
        // A glyph's text with the word spaces after it split off; a discretionary hyphen
        // stands for no character (its glyph's text comes from a real hyphen, if any).
        let base = text.base_len();
        if base == 0 || text.as_str() == SOFT_HYPHEN {
            return;
        }
        self.space_after |= base < text.len();
        // The font's empty box (.notdef) stands for whichever character the font lacks:
        // it maps to no text, and each use carries its own in an `/ActualText`.
        if id != NOTDEF && !FontUse::has(&self.texted, id) {
            FontUse::mark(&mut self.texted, id);
            self.texts.push((id, text.as_str()[..base].to_string()));
        }
    }
}

/// The glyph a font draws for a character it lacks (OpenType's glyph 0).
const NOTDEF: u16 = 0;

impl GlyphUse {
    fn font(&mut self, font: usize) -> &mut FontUse {
        if self.fonts.len() <= font {
            self.fonts.resize(font + 1, FontUse::default());
        }
        &mut self.fonts[font]
    }

    /// Adds the glyphs of a run.
    pub fn add_run(&mut self, run: &GlyphRun) {
        let f = self.font(run.font);
        for g in &run.glyphs {
            f.add(g.id, &g.text);
        }
    }

    /// Adds the glyphs of `items`, groups included.
    pub fn add_items(&mut self, items: &[Item]) {
        walk(items, Transform::translate(0.0, 0.0), &mut |item, _| {
            if let Item::Glyphs(run) = item {
                self.add_run(run);
            }
        });
    }

    /// Adds what `other` uses (its texts count after the ones already here).
    pub fn merge(&mut self, other: &GlyphUse) {
        for (k, o) in other.fonts.iter().enumerate() {
            let f = self.font(k);
            // A word of 64 glyphs at a time (not glyph by glyph over all 65,536 ids).
            if !o.used.is_empty() {
                if f.used.is_empty() {
                    f.used.resize(GLYPH_WORDS, 0);
                }
                for (mine, theirs) in f.used.iter_mut().zip(&o.used) {
                    *mine |= theirs;
                }
            }
            for (id, text) in &o.texts {
                if !FontUse::has(&f.texted, *id) {
                    FontUse::mark(&mut f.texted, *id);
                    f.texts.push((*id, text.clone()));
                }
            }
            f.space_after |= o.space_after;
        }
    }
}

/// Where a page starts: its label as the reader sees it and the place in the book.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageStart {
    /// The page's label ("iii", "12"), as the PDF's page labels show it.
    pub label: String,
    /// What the page opens with; `None` for a blank page.
    pub origin: Option<Origin>,
}

/// Where a row, a line or a page came from in the book. Text positions are stable: a text is
/// named by its source span (file and position), not by a counter across the book, so an
/// edit elsewhere does not move them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Origin {
    /// The title page.
    TitlePage,
    /// The copyright page.
    Imprint,
    /// The contents.
    Contents,
    /// A piece's opening (kicker, title, byline), by the piece's index.
    Opening(u32),
    /// A point in a text: the text's source span and the characters before the point in it
    /// (a line starts at a word; after a hyphenated line, at the start of the split word).
    Text { span: Span, offset: u32 },
    /// The start of a block that has no text of its own there (a figure, a section break).
    Block(Span),
}

/// A font program as shipped (TTF/OTF bytes); the writer subsets it.
#[derive(Debug, Clone)]
pub struct FontFile {
    /// PostScript name, used for the PDF BaseFont (after a subset tag).
    pub postscript_name: String,
    /// The full font file.
    pub data: super::font::FontBytes,
    /// Face index inside a collection (0 for a plain TTF/OTF).
    pub index: u32,
}

/// One page: its size, boxes and items.
#[derive(Debug, Clone, Default)]
pub struct Page {
    /// Trim size (the finished page), in pt.
    pub width: f32,
    pub height: f32,
    /// Bleed on every side, in pt (0 for screen PDFs). The media box grows by this much.
    pub bleed: f32,
    /// Room for printer's marks beyond the bleed on every side, in pt (0 without crop
    /// marks). The media box grows by this much too; items may be drawn there (crop marks
    /// at negative coordinates or beyond the trim size).
    pub slug: f32,
    /// The media box's size when it is not the trim grown by bleed and slug on every side
    /// (an imposed sheet on a named press sheet): the trim box is centred on it.
    pub media: Option<(f32, f32)>,
    /// The page's content, in painting order.
    pub items: Vec<Item>,
    /// What is on the page but not part of the book's text: running heads, folios, printer's
    /// marks (painted after the content; a tagged PDF makes them artifacts).
    pub furniture: Vec<Item>,
}

impl Page {
    /// The media box's width and height.
    pub fn media_size(&self) -> (f32, f32) {
        let out = 2.0 * (self.bleed + self.slug);
        self.media.unwrap_or((self.width + out, self.height + out))
    }

    /// Where the trim box's bottom-left corner is in the media box (PDF space, y up).
    pub fn trim_offset(&self) -> (f32, f32) {
        let (w, h) = self.media_size();
        ((w - self.width) / 2.0, (h - self.height) / 2.0)
    }

    /// Calls `f` on every item on the page (content, then furniture) that is not a group,
    /// with the transform that puts it on the page.
    pub fn walk(&self, f: &mut dyn FnMut(&Item, &Transform)) {
        let id = Transform::translate(0.0, 0.0);
        walk(&self.items, id, f);
        walk(&self.furniture, id, f);
    }
}

/// Something painted (or clickable) on a page.
#[derive(Debug, Clone)]
pub enum Item {
    /// A run of shaped glyphs on one baseline in one font and size.
    Glyphs(GlyphRun),
    /// A straight stroked line in black (rules; a thick one is a barcode's bar).
    Rule {
        from: Point,
        to: Point,
        thickness: f32,
    },
    /// A printer's mark: a line in registration colour (on every separation), for crop,
    /// fold and registration marks.
    Mark {
        from: Point,
        to: Point,
        thickness: f32,
    },
    /// An image stretched over `rect` (index into [`Pages::images`]).
    Image { rect: Rect, image: usize },
    /// A rectangle filled with a grey (0 is black, 1 white paper): the panel a cover's title
    /// is set on over a picture, the ground of the EPUB's drawn cover.
    Fill { rect: Rect, grey: f32 },
    /// A clickable area jumping to a place in this document.
    Link { rect: Rect, dest: Destination },
    /// A clickable area leading to a place in the book (`targets[target]` of the resolved
    /// book: a piece, a heading in it), which assembly turns into a [`Item::Link`] once
    /// every page is placed.
    GoTo { rect: Rect, target: u32 },
    /// A clickable area opening a URI.
    UriLink { rect: Rect, uri: String },
    /// Items drawn through a transform, optionally clipped: a row placed on its page (the
    /// row's items are shared, not copied), and later an imposed page on a sheet or a
    /// cover's panel.
    Group(Group),
    /// Where the content of an element of the book's structure starts or ends (draws
    /// nothing): the tagged PDF's structure comes from these.
    Tag(Tag),
}

/// A structure mark in a frame (Typst's `FrameItem::Tag` is the model): the content
/// between a start and its `End` belongs to the element the start names. Content outside
/// every tag (and inside [`Tag::Artifact`]) is drawn but not read: an artifact.
#[derive(Debug, Clone, PartialEq)]
pub enum Tag {
    /// The content of a leaf element of the resolved book's structure (a paragraph, a
    /// heading, a cell) starts; its role is kept here too, since the content names it.
    Start(ElemId, Role),
    /// An element made from the frame alone starts inside the open one (a link, a span in
    /// another language, a note's call, a speaker's label).
    Inline(InlineTag),
    /// Drawn again but read once (a table's header repeated on a later page): what follows,
    /// until its `End`, is an artifact, tags inside it included.
    Artifact,
    /// The innermost open tag ends.
    End,
    /// The content after this (until the next `Page`) is on the book's page `k` (in the
    /// document the pages were made for): a sheet showing two pages says which is which,
    /// so an element's content is read in the book's order, not the sheet's.
    Page(u32),
}

/// An element inside a leaf, made by the typesetter where a line's text changes role.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum InlineTag {
    /// A link to the web (its annotation is inside it).
    Link,
    /// Text in another language than its paragraph's (a BCP 47 tag).
    Lang(Arc<str>),
    /// A note's call (its number in the text).
    Reference,
    /// A speaker's name opening an interview turn.
    Lbl,
}

/// Items in their own coordinate system: `transform` maps them onto the page (after
/// `clip`, a rectangle in the group's own coordinates, when there is one).
#[derive(Debug, Clone)]
pub struct Group {
    pub transform: Transform,
    pub clip: Option<Rect>,
    pub items: Arc<Vec<Item>>,
}

/// An affine map in frame space (y down): `(x, y) → (a·x + c·y + e, b·x + d·y + f)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Transform {
    pub a: f32,
    pub b: f32,
    pub c: f32,
    pub d: f32,
    pub e: f32,
    pub f: f32,
}

impl Transform {
    /// A move by (`dx`, `dy`).
    pub fn translate(dx: f32, dy: f32) -> Transform {
        Transform {
            a: 1.0,
            b: 0.0,
            c: 0.0,
            d: 1.0,
            e: dx,
            f: dy,
        }
    }

    /// Is this a move only (the common case: rows on pages)?
    pub fn is_translation(&self) -> bool {
        (self.a, self.b, self.c, self.d) == (1.0, 0.0, 0.0, 1.0)
    }

    /// `self` after `inner` (inner is applied first).
    pub fn then(&self, inner: &Transform) -> Transform {
        Transform {
            a: self.a * inner.a + self.c * inner.b,
            b: self.b * inner.a + self.d * inner.b,
            c: self.a * inner.c + self.c * inner.d,
            d: self.b * inner.c + self.d * inner.d,
            e: self.a * inner.e + self.c * inner.f + self.e,
            f: self.b * inner.e + self.d * inner.f + self.f,
        }
    }

    pub fn apply(&self, p: Point) -> Point {
        Point {
            x: self.a * p.x + self.c * p.y + self.e,
            y: self.b * p.x + self.d * p.y + self.f,
        }
    }

    /// The smallest rectangle holding `r` mapped (its four corners).
    pub fn apply_rect(&self, r: Rect) -> Rect {
        let corners = [
            self.apply(Point { x: r.x, y: r.y }),
            self.apply(Point {
                x: r.x + r.width,
                y: r.y,
            }),
            self.apply(Point {
                x: r.x,
                y: r.y + r.height,
            }),
            self.apply(Point {
                x: r.x + r.width,
                y: r.y + r.height,
            }),
        ];
        let (x0, x1) = corners
            .iter()
            .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), p| {
                (lo.min(p.x), hi.max(p.x))
            });
        let (y0, y1) = corners
            .iter()
            .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), p| {
                (lo.min(p.y), hi.max(p.y))
            });
        Rect {
            x: x0,
            y: y0,
            width: x1 - x0,
            height: y1 - y0,
        }
    }
}

/// `items` with every group that only moves its items resolved: the items themselves,
/// moved (a group with any other transform or a clip stays a group). For readers of a
/// page's content: tests, tools.
pub fn flatten(items: &[Item]) -> Vec<Item> {
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        match item {
            Item::Group(g) if g.transform.is_translation() && g.clip.is_none() => {
                let (dx, dy) = (g.transform.e, g.transform.f);
                out.extend(flatten(&g.items).into_iter().map(|i| translate(i, dx, dy)));
            }
            other => out.push(other.clone()),
        }
    }
    out
}

/// Calls `f` on every item of `items` that is not a group, with the transform that maps it
/// onto the page (groups are entered, their transforms composed).
pub fn walk(items: &[Item], at: Transform, f: &mut dyn FnMut(&Item, &Transform)) {
    for item in items {
        match item {
            Item::Group(g) => walk(&g.items, at.then(&g.transform), f),
            other => f(other, &at),
        }
    }
}

/// A place in the document: a page index (0-based) and a y position on it (pt from the top).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Destination {
    pub page: usize,
    pub y: f32,
}

impl std::hash::Hash for Destination {
    /// By the position's bits (a memo key: the same bits, the same place).
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.page.hash(h);
        self.y.to_bits().hash(h);
    }
}

/// A run of glyphs: one line (or one line's stretch in one font).
#[derive(Debug, Clone)]
pub struct GlyphRun {
    /// Index into [`Pages::fonts`].
    pub font: usize,
    /// Font size in pt.
    pub size: f32,
    /// Horizontal scale in percent (100 = none); used for font expansion.
    pub hscale: f32,
    /// Left end of the baseline, in page space.
    pub origin: Point,
    /// Glyphs in visual order; each advance is the distance to the next glyph's origin.
    pub glyphs: Vec<Glyph>,
}

/// One positioned glyph.
#[derive(Debug, Clone, PartialEq)]
pub struct Glyph {
    /// Glyph id in the *original* font (the writer remaps after subsetting).
    pub id: u16,
    /// Advance to the next glyph in pt, including kerning and justification.
    pub advance: f32,
    /// Vertical offset in pt (positive = up), from GPOS marks and the like.
    pub y_offset: f32,
    /// The text this glyph stands for: the whole cluster on its first glyph (a ligature
    /// carries "ffi"), empty on the further glyphs of a cluster. Trailing spaces of a word are
    /// attached to the last glyph before them, so text extraction returns word spaces.
    pub text: GlyphText,
}

/// Bytes of text a glyph keeps without a heap allocation: a character or a ligature's few
/// and a word space (a novel has a million glyphs; a `String` each cost a third of the
/// memory of its pages).
const INLINE: usize = 22;

/// A glyph's text: up to [`INLINE`] bytes kept in place, longer clusters on the heap.
#[derive(Clone, PartialEq, Eq)]
pub struct GlyphText(Repr);

#[derive(Clone, PartialEq, Eq)]
enum Repr {
    Inline { len: u8, bytes: [u8; INLINE] },
    Heap(Box<str>),
}

impl Default for GlyphText {
    fn default() -> GlyphText {
        GlyphText(Repr::Inline {
            len: 0,
            bytes: [0; INLINE],
        })
    }
}

impl GlyphText {
    /// The text's bytes, without the UTF-8 check `as_str` makes (hashing and counting
    /// spaces read a million glyphs' texts per book).
    pub fn as_bytes(&self) -> &[u8] {
        match &self.0 {
            Repr::Inline { len, bytes } => &bytes[..usize::from(*len)],
            Repr::Heap(s) => s.as_bytes(),
        }
    }

    /// The text's length in bytes.
    pub fn len(&self) -> usize {
        self.as_bytes().len()
    }

    /// Is the text empty (a further glyph of a cluster)?
    pub fn is_empty(&self) -> bool {
        self.as_bytes().is_empty()
    }

    /// The length of the text before the word spaces that end it: 0 when the text is all
    /// spaces (the space glyph itself) or empty.
    pub fn base_len(&self) -> usize {
        let b = self.as_bytes();
        b.iter().rposition(|&c| c != b' ').map_or(0, |p| p + 1)
    }

    /// How many word spaces follow the text proper (none when there is no text proper).
    pub fn trailing_spaces(&self) -> usize {
        match self.base_len() {
            0 => 0,
            base => self.len() - base,
        }
    }

    pub fn as_str(&self) -> &str {
        match &self.0 {
            // Only whole UTF-8 strings are ever stored (`from`, `push`).
            Repr::Inline { len, bytes } => {
                std::str::from_utf8(&bytes[..usize::from(*len)]).unwrap_or("")
            }
            Repr::Heap(s) => s,
        }
    }

    /// Appends a character.
    pub fn push(&mut self, c: char) {
        let mut buf = [0u8; 4];
        let add = c.encode_utf8(&mut buf).as_bytes();
        if let Repr::Inline { len, bytes } = &mut self.0 {
            let at = usize::from(*len);
            if at + add.len() <= INLINE {
                bytes[at..at + add.len()].copy_from_slice(add);
                *len += add.len() as u8;
                return;
            }
        }
        let mut s = self.as_str().to_string();
        s.push(c);
        self.0 = Repr::Heap(s.into_boxed_str());
    }
}

impl From<&str> for GlyphText {
    fn from(s: &str) -> GlyphText {
        if s.len() <= INLINE {
            let mut bytes = [0; INLINE];
            bytes[..s.len()].copy_from_slice(s.as_bytes());
            GlyphText(Repr::Inline {
                len: s.len() as u8,
                bytes,
            })
        } else {
            GlyphText(Repr::Heap(s.into()))
        }
    }
}

impl std::ops::Deref for GlyphText {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl std::fmt::Debug for GlyphText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

/// One outline (bookmark) entry.
#[derive(Debug, Clone, PartialEq, Hash)]
pub struct OutlineEntry {
    pub title: String,
    pub level: usize,
    pub dest: Destination,
}

/// A run of pages labelled the same way, starting at `start` (0-based page index).
#[derive(Debug, Clone, PartialEq, Hash)]
pub struct PageLabelRange {
    pub start: usize,
    pub style: LabelStyle,
    /// The number shown on the first page of the range.
    pub first: u32,
}

/// How page numbers are shown in a viewer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LabelStyle {
    Arabic,
    LowerRoman,
    /// No number (cover, title pages).
    None,
}

/// Document-level information for the Info dictionary and XMP.
#[derive(Debug, Clone, Default, Hash)]
pub struct DocInfo {
    pub title: String,
    pub subtitle: Option<String>,
    pub authors: Vec<String>,
    pub subject: Option<String>,
    pub keywords: Vec<String>,
    /// BCP 47 language tag of the document.
    pub lang: String,
    /// Creation and modification date as `YYYY-MM-DDTHH:MM:SSZ` (from the project clock).
    pub date: String,
    /// The book's identifier (`urn:isbn:…` or `urn:uuid:…`), used for the document ID.
    pub identifier: String,
    /// The program that made the PDF.
    pub producer: String,
    /// The standard the PDF claims to meet (in its XMP), checked before it is claimed.
    pub standard: Option<crate::settings::PdfStandard>,
}

/// `item` moved by (`dx`, `dy`): glyphs, rules, images and link areas alike.
pub fn translate(item: Item, dx: f32, dy: f32) -> Item {
    let pt = |p: Point| Point {
        x: p.x + dx,
        y: p.y + dy,
    };
    let rect = |r: Rect| Rect {
        x: r.x + dx,
        y: r.y + dy,
        ..r
    };
    match item {
        Item::Glyphs(mut r) => {
            r.origin = pt(r.origin);
            Item::Glyphs(r)
        }
        Item::Rule {
            from,
            to,
            thickness,
        } => Item::Rule {
            from: pt(from),
            to: pt(to),
            thickness,
        },
        Item::Mark {
            from,
            to,
            thickness,
        } => Item::Mark {
            from: pt(from),
            to: pt(to),
            thickness,
        },
        Item::Image { rect: r, image } => Item::Image {
            rect: rect(r),
            image,
        },
        Item::Fill { rect: r, grey } => Item::Fill {
            rect: rect(r),
            grey,
        },
        Item::Link { rect: r, dest } => Item::Link {
            rect: rect(r),
            dest,
        },
        Item::UriLink { rect: r, uri } => Item::UriLink { rect: rect(r), uri },
        Item::GoTo { rect: r, target } => Item::GoTo {
            rect: rect(r),
            target,
        },
        Item::Tag(t) => Item::Tag(t),
        Item::Group(mut g) => {
            g.transform = Transform::translate(dx, dy).then(&g.transform);
            Item::Group(g)
        }
    }
}

#[cfg(test)]
mod glyph_text_tests {
    use super::{GlyphText, INLINE};

    #[test]
    fn trailing_word_spaces_are_counted_after_text_only() {
        let spaces = |t: &str| GlyphText::from(t).trailing_spaces();
        assert_eq!(spaces("d "), 1);
        assert_eq!(spaces("ffi"), 0);
        assert_eq!(spaces(" "), 0);
        assert_eq!(spaces("”  "), 2);
        assert_eq!(spaces(""), 0);
        let long = format!("{} ", "x".repeat(INLINE + 3));
        assert_eq!(GlyphText::from(long.as_str()).trailing_spaces(), 1);
        assert_eq!(GlyphText::from(long.as_str()).base_len(), INLINE + 3);
    }

    #[test]
    fn short_texts_stay_inline_long_ones_move_to_the_heap_unchanged() {
        let mut t = GlyphText::from("ffi");
        t.push(' ');
        assert_eq!(&*t, "ffi ");
        let long = "ᄀᄀᄀᄀᄀᄀᄀᄀ"; // 24 bytes: past the inline room
        let mut l = GlyphText::from(long);
        assert_eq!(&*l, long);
        l.push('é');
        assert_eq!(&*l, format!("{long}é"));
        let mut edge = GlyphText::from("a".repeat(21).as_str());
        edge.push('é'); // two bytes: 23, one past the room
        assert_eq!(edge.len(), 23);
        assert_eq!(GlyphText::default().as_str(), "");
    }
}
