//! Font faces: TTF/OTF bytes in → metrics, cmap and advances out.
//!
//! A [`Font`] is one face parsed with harfrust's re-exported read-fonts model (no extra
//! crates). A [`FontSet`] is the five faces a book uses; [`FontSet::default_fonts`] embeds
//! EB Garamond (OFL) so a bare binary needs nothing else. This module does no file I/O: the
//! caller reads replacement faces and hands over the bytes.

use std::fmt;
use std::sync::Arc;

use harfrust::GlyphId;
use harfrust::font::name::NameId;

use super::frame::FontFile;

/// Why font bytes could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FontError {
    /// The bytes are not an OpenType/TrueType font (or not at that collection index).
    NotAFont,
    /// The font has no PostScript name, which the PDF needs for its BaseFont.
    NoPostScriptName,
    /// The font has more glyphs than 16-bit glyph ids can address.
    TooManyGlyphs(u32),
    /// The font's tables do not hold together (a truncated or damaged file).
    Damaged(String),
}

impl fmt::Display for FontError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FontError::NotAFont => write!(f, "not an OpenType or TrueType font"),
            FontError::NoPostScriptName => write!(f, "font has no PostScript name (name ID 6)"),
            FontError::TooManyGlyphs(n) => write!(f, "font has {n} glyphs, more than 65535"),
            FontError::Damaged(why) => write!(f, "the font file is damaged or truncated ({why})"),
        }
    }
}

impl std::error::Error for FontError {}

/// A font file's bytes: compiled into the binary (used where they are, never copied: a
/// copy of each face used cost the interview's build a millisecond) or read from a file.
#[derive(Clone)]
pub enum FontBytes {
    Static(&'static [u8]),
    Owned(Arc<Vec<u8>>),
}

impl std::ops::Deref for FontBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            FontBytes::Static(b) => b,
            FontBytes::Owned(v) => v,
        }
    }
}

impl AsRef<[u8]> for FontBytes {
    fn as_ref(&self) -> &[u8] {
        self
    }
}

impl From<Vec<u8>> for FontBytes {
    fn from(v: Vec<u8>) -> FontBytes {
        FontBytes::Owned(Arc::new(v))
    }
}

impl std::fmt::Debug for FontBytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FontBytes({} bytes)", self.len())
    }
}

/// One parsed face. Cheap to clone (the bytes and the parsed tables are shared).
#[derive(Clone)]
pub struct Font {
    data: FontBytes,
    index: u32,
    /// The read-fonts model font; it also caches harfrust's per-font layout data, so keeping
    /// this one value alive is what makes shaping setup a one-time cost per face.
    face: harfrust::Font,
    postscript_name: String,
    family_name: String,
    units_per_em: u16,
    ascender: i32,
    descender: i32,
    cap_height: i32,
    x_height: i32,
    italic_angle: f32,
    weight: u16,
    /// The glyphs' bounding box (x min, y min, x max, y max) in font units.
    bbox: [i32; 4],
}

impl fmt::Debug for Font {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Font")
            .field("postscript_name", &self.postscript_name)
            .field("index", &self.index)
            .field("bytes", &self.data.len())
            .finish()
    }
}

impl Font {
    /// Parses face `index` of `data` (0 for a plain TTF/OTF).
    pub fn from_bytes(data: FontBytes, index: u32) -> Result<Font, FontError> {
        let blob: Arc<dyn AsRef<[u8]> + Send + Sync> = Arc::new(data.clone());
        let face = harfrust::Font::new(harfrust::font::Blob::from(blob), index)
            .ok_or(FontError::NotAFont)?;
        // A face without `head` gets a substitute units-per-em; such a file is not a usable font.
        if face.metrics().raw_units_per_em == 0 {
            return Err(FontError::NotAFont);
        }
        let glyphs = face.num_glyphs();
        if glyphs > u32::from(u16::MAX) {
            return Err(FontError::TooManyGlyphs(glyphs));
        }
        let postscript_name =
            name(&face, NameId::POSTSCRIPT_NAME).ok_or(FontError::NoPostScriptName)?;
        let family_name = name(&face, NameId::TYPOGRAPHIC_FAMILY_NAME)
            .or_else(|| name(&face, NameId::FAMILY_NAME))
            .unwrap_or_else(|| postscript_name.clone());
        let m = face.metrics();
        // Prefer the typographic (OS/2) line when the font asks for it, as browsers and TeX do.
        let line = if m.use_typo_metrics {
            m.typo_line.or(m.hhea_line)
        } else {
            m.hhea_line.or(m.typo_line)
        };
        let (ascender, descender) = line
            .map(|l| (l.ascender.to_i32(), l.descender.to_i32()))
            .unwrap_or((0, 0));
        let cap_height = m.cap_height.map(|v| v.to_i32()).unwrap_or(ascender);
        let b = m.bounds;
        let bbox = [
            b.x_min.to_i32(),
            b.y_min.to_i32(),
            b.x_max.to_i32(),
            b.y_max.to_i32(),
        ];
        // Without OS/2 sxHeight, half the em is the conventional stand-in.
        let x_height = m
            .x_height
            .map(|v| v.to_i32())
            .unwrap_or(i32::from(m.units_per_em) / 2);
        // post.italicAngle, degrees counter-clockwise from vertical (negative for italics).
        let italic_angle = face
            .style_metrics()
            .italic_angle
            .map(|a| a.to_f32())
            .unwrap_or(0.0);
        // OS/2 usWeightClass is an integer 1–1000, so the cast is exact.
        let weight = face.default_attributes().weight.value() as u16;
        Ok(Font {
            italic_angle,
            weight,
            bbox,
            units_per_em: m.units_per_em,
            data,
            index,
            face,
            postscript_name,
            family_name,
            ascender,
            descender,
            cap_height,
            x_height,
        })
    }

    /// The glyph for `c` from the cmap; `None` when the font lacks the character.
    pub fn glyph(&self, c: char) -> Option<u16> {
        let gid = self.face.charmap().map_unicode(c)?.to_u32();
        if gid == 0 {
            return None;
        }
        u16::try_from(gid).ok()
    }

    /// The horizontal advance of glyph `gid` from `hmtx`, in font units.
    pub fn advance(&self, gid: u16) -> i32 {
        // hmtx holds whole units and the face is not varied, so the fixed-point value is whole.
        self.face
            .glyph_metrics()
            .h_advance_exact(GlyphId::new(u32::from(gid)))
            .to_i32()
    }

    pub fn data(&self) -> &FontBytes {
        &self.data
    }
    pub fn index(&self) -> u32 {
        self.index
    }
    pub fn postscript_name(&self) -> &str {
        &self.postscript_name
    }
    pub fn family_name(&self) -> &str {
        &self.family_name
    }
    pub fn units_per_em(&self) -> u16 {
        self.units_per_em
    }
    /// Ascender in font units (positive, above the baseline).
    /// The glyphs' bounding box (x min, y min, x max, y max) in font units.
    pub fn bbox(&self) -> [i32; 4] {
        self.bbox
    }

    pub fn ascender(&self) -> i32 {
        self.ascender
    }
    /// Descender in font units (negative, below the baseline).
    pub fn descender(&self) -> i32 {
        self.descender
    }
    pub fn cap_height(&self) -> i32 {
        self.cap_height
    }
    pub fn x_height(&self) -> i32 {
        self.x_height
    }
    /// Italic angle in degrees from `post` (negative leans right; 0 for upright faces).
    pub fn italic_angle(&self) -> f32 {
        self.italic_angle
    }
    /// Weight class (400 regular, 700 bold) from OS/2.
    pub fn weight(&self) -> u16 {
        self.weight
    }

    /// The harfrust face, for the shaper.
    pub(crate) fn face(&self) -> &harfrust::Font {
        &self.face
    }

    /// The font as the PDF writer needs it.
    pub fn to_font_file(&self) -> FontFile {
        FontFile {
            postscript_name: self.postscript_name.clone(),
            data: self.data.clone(),
            index: self.index,
        }
    }
}

/// The English (or first) string for a name ID.
fn name(face: &harfrust::Font, id: NameId) -> Option<String> {
    let s = face.names().get(id)?.english_or_first()?.name().to_string();
    let s = s.trim().to_string();
    (!s.is_empty()).then_some(s)
}

/// Which face of a [`FontSet`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Style {
    Regular,
    Italic,
    SemiBold,
    SemiBoldItalic,
    Bold,
    /// Code: a monospaced face, its italic and its bold.
    Mono,
    MonoItalic,
    MonoBold,
    /// `[pdf] fallback-fonts`, in order: tried for characters the run's own face lacks.
    Fallback1,
    Fallback2,
    Fallback3,
    Fallback4,
}

impl Style {
    pub const ALL: [Style; FACES] = [
        Style::Regular,
        Style::Italic,
        Style::SemiBold,
        Style::SemiBoldItalic,
        Style::Bold,
        Style::Mono,
        Style::MonoItalic,
        Style::MonoBold,
        Style::Fallback1,
        Style::Fallback2,
        Style::Fallback3,
        Style::Fallback4,
    ];

    /// The fallback faces, in the order they are tried.
    pub const FALLBACKS: [Style; MAX_FALLBACKS] = [
        Style::Fallback1,
        Style::Fallback2,
        Style::Fallback3,
        Style::Fallback4,
    ];

    /// Is it one of the code faces?
    pub fn is_mono(self) -> bool {
        matches!(self, Style::Mono | Style::MonoItalic | Style::MonoBold)
    }

    /// The code face in the weight and slant of `self` (a bold word in code is bold code).
    pub fn mono(self) -> Style {
        match self {
            Style::Italic | Style::SemiBoldItalic | Style::MonoItalic => Style::MonoItalic,
            Style::SemiBold | Style::Bold | Style::MonoBold => Style::MonoBold,
            _ => Style::Mono,
        }
    }
}

/// The faces a book is set in. The compiled-in faces are parsed on first use, so a book
/// that never sets bold never parses (or copies) the bold face.
#[derive(Debug, Clone)]
pub struct FontSet {
    faces: [Face; FACES],
}

/// How many fallback fonts a book may name: enough for a script, symbols and emoji
/// besides the text face (each is tried for every character its faces lack).
pub const MAX_FALLBACKS: usize = 4;
/// Every face: the compiled-in eight and the fallbacks.
const FACES: usize = 8 + MAX_FALLBACKS;

/// One face: compiled in (parsed when first asked for), or given and already parsed.
#[derive(Debug, Clone)]
enum Face {
    Embedded(&'static [u8], std::sync::OnceLock<Font>),
    Given(Font),
    /// A fallback slot no font fills.
    Absent,
}

/// The family of the compiled-in text faces.
pub const EMBEDDED_FAMILY: &str = "EB Garamond";
/// The family of the compiled-in code faces: JetBrains Mono (OFL), drawn for reading code,
/// with the box-drawing characters of directory trees.
pub const EMBEDDED_MONO_FAMILY: &str = "JetBrains Mono";

/// The compiled-in text faces' files (an SVG drawing's labels are set in them too).
pub fn embedded_faces() -> &'static [&'static [u8]] {
    &EMBEDDED[..TEXT_FACES]
}

/// The compiled-in code face's file (an SVG drawing's monospaced labels).
pub fn embedded_mono() -> &'static [u8] {
    EMBEDDED[TEXT_FACES]
}

static EMBEDDED: [&[u8]; 8] = [
    include_bytes!("../../fonts/EBGaramond-Regular.ttf"),
    include_bytes!("../../fonts/EBGaramond-Italic.ttf"),
    include_bytes!("../../fonts/EBGaramond-SemiBold.ttf"),
    include_bytes!("../../fonts/EBGaramond-SemiBoldItalic.ttf"),
    include_bytes!("../../fonts/EBGaramond-Bold.ttf"),
    include_bytes!("../../fonts/JetBrainsMono-Regular.ttf"),
    include_bytes!("../../fonts/JetBrainsMono-Italic.ttf"),
    include_bytes!("../../fonts/JetBrainsMono-Bold.ttf"),
];

/// How many of [`EMBEDDED`] are text faces (the rest are code faces).
const TEXT_FACES: usize = 5;

/// Which of the faces a style is.
fn slot(style: Style) -> usize {
    match style {
        Style::Regular => 0,
        Style::Italic => 1,
        Style::SemiBold => 2,
        Style::SemiBoldItalic => 3,
        Style::Bold => 4,
        Style::Mono => 5,
        Style::MonoItalic => 6,
        Style::MonoBold => 7,
        Style::Fallback1 => 8,
        Style::Fallback2 => 9,
        Style::Fallback3 => 10,
        Style::Fallback4 => 11,
    }
}

impl FontSet {
    /// EB Garamond in five faces and JetBrains Mono in three, compiled into the binary
    /// (parsed on first use).
    pub fn default_fonts() -> FontSet {
        FontSet {
            faces: std::array::from_fn(|i| match EMBEDDED.get(i) {
                Some(bytes) => Face::Embedded(bytes, std::sync::OnceLock::new()),
                None => Face::Absent,
            }),
        }
    }

    /// Replaces one face with a font parsed from `data` (face `index` of a collection),
    /// after checking every glyph can be read (as the PDF writer's subsetting will): a
    /// truncated file is found here, where its name is known, not while writing.
    pub fn replace(&mut self, style: Style, data: Vec<u8>, index: u32) -> Result<(), FontError> {
        let font = Font::from_bytes(data.into(), index)?;
        let mut all = subsetter::GlyphRemapper::new();
        for gid in 0..font.face.num_glyphs().min(u32::from(u16::MAX)) {
            all.remap(gid as u16);
        }
        subsetter::subset(font.data(), index, &all)
            .map_err(|e| FontError::Damaged(e.to_string()))?;
        self.faces[slot(style)] = Face::Given(font);
        Ok(())
    }

    /// Adds a fallback font (the next free slot), checked as [`FontSet::replace`] checks.
    pub fn add_fallback(&mut self, data: Vec<u8>) -> Result<(), FontError> {
        let Some(style) = Style::FALLBACKS
            .into_iter()
            .find(|s| matches!(self.faces[slot(*s)], Face::Absent))
        else {
            return Err(FontError::Damaged(format!(
                "at most {MAX_FALLBACKS} fallback fonts"
            )));
        };
        self.replace(style, data, 0)
    }

    /// The fallback faces given, in the order they are tried.
    pub fn fallbacks(&self) -> Vec<(Style, &Font)> {
        Style::FALLBACKS
            .into_iter()
            .filter_map(|s| match &self.faces[slot(s)] {
                Face::Given(f) => Some((s, f)),
                _ => None,
            })
            .collect()
    }

    /// The font of `style` (an empty fallback slot, which no run names, gives the text
    /// face).
    pub fn get(&self, style: Style) -> &Font {
        match &self.faces[slot(style)] {
            Face::Given(f) => f,
            Face::Absent => self.get(Style::Regular),
            Face::Embedded(bytes, parsed) => parsed.get_or_init(|| {
                Font::from_bytes(FontBytes::Static(bytes), 0)
                    // The embedded files are fixed at compile time and covered by the tests.
                    .expect("the embedded faces parse")
            }),
        }
    }

    /// The families of the five text faces, sorted, each once (what the imprint names): a
    /// face compiled in is EB Garamond's, without parsing it.
    pub fn families(&self) -> Vec<String> {
        let mut out: Vec<String> = self.faces[..TEXT_FACES]
            .iter()
            .map(|f| Self::family(f, EMBEDDED_FAMILY))
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// The code faces' family (the imprint names it when the book has code).
    pub fn code_family(&self) -> String {
        Self::family(&self.faces[TEXT_FACES], EMBEDDED_MONO_FAMILY)
    }

    fn family(face: &Face, embedded: &str) -> String {
        match face {
            Face::Given(font) => font.family_name().to_string(),
            Face::Embedded(..) | Face::Absent => embedded.to_string(),
        }
    }

    /// Has the face been parsed (given, or asked for)? A face never asked for is not used.
    pub fn is_parsed(&self, style: Style) -> bool {
        match &self.faces[slot(style)] {
            Face::Given(_) => true,
            Face::Embedded(_, parsed) => parsed.get().is_some(),
            Face::Absent => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_fonts_parse_with_metrics() {
        let set = FontSet::default_fonts();
        for style in Style::ALL {
            let f = set.get(style);
            let (ps, family) = if style.is_mono() {
                ("JetBrainsMono", EMBEDDED_MONO_FAMILY)
            } else {
                ("EBGaramond", EMBEDDED_FAMILY)
            };
            assert!(f.postscript_name().starts_with(ps), "{f:?}");
            assert_eq!(f.family_name(), family);
            assert!(f.units_per_em() > 0);
            assert!(f.ascender() > 0 && f.descender() < 0);
            assert!(f.x_height() > 0 && f.cap_height() > f.x_height());
        }
        let regular = set.get(Style::Regular);
        assert_eq!(regular.postscript_name(), "EBGaramond-Regular");
        assert_eq!(regular.italic_angle(), 0.0);
        assert!(set.get(Style::Italic).italic_angle() < 0.0);
        assert_eq!(regular.weight(), 400);
        assert_eq!(set.get(Style::Bold).weight(), 700);
    }

    #[test]
    fn compiled_in_faces_are_parsed_only_when_asked_for() {
        let set = FontSet::default_fonts();
        assert!(Style::ALL.iter().all(|s| !set.is_parsed(*s)));
        set.get(Style::Italic);
        let parsed: Vec<Style> = Style::ALL
            .into_iter()
            .filter(|s| set.is_parsed(*s))
            .collect();
        assert_eq!(parsed, [Style::Italic]);
    }

    #[test]
    fn cmap_and_advances() {
        let set = FontSet::default_fonts();
        let f = set.get(Style::Regular);
        let a = f.glyph('a').expect("a is mapped");
        assert!(f.advance(a) > 0);
        assert_eq!(f.glyph('\u{1200}'), None);
    }

    #[test]
    fn bad_bytes_are_an_error() {
        let err = Font::from_bytes(b"not a font".to_vec().into(), 0).unwrap_err();
        assert_eq!(err, FontError::NotAFont);
        let mut set = FontSet::default_fonts();
        assert!(set.replace(Style::Bold, vec![0; 64], 0).is_err());
    }
}
