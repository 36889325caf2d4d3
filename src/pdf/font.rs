//! Font embedding: the frame's fonts + the glyphs the pages use in → subset fonts out, as
//! PDF objects.
//!
//! Each used font is subset with `subsetter` (only the glyphs drawn, plus the space glyph
//! that carries word spaces for text extraction), renamed `ABCDEF+PostScriptName` with a tag
//! hashed from its name and glyph set (no randomness, so builds are byte-identical), and
//! written as a Type 0 font (Identity-H, CIDFontType2, `/W` widths, a ToUnicode CMap) by
//! [`write_font`]. Per original glyph id we keep the subset id, the `/W` width and the one
//! ToUnicode text the glyph maps to; content streams ([`super::content`]) read them.

use crate::hash::Fnv;
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use lopdf::{Dictionary, Document, Object, ObjectId, Stream, StringFormat};

use super::PdfError;
use crate::typeset::font::Font;
use crate::typeset::frame::{FontUse, GlyphUse, Pages};

/// One subset font, ready to be written and drawn with.
pub(crate) struct EmbeddedFont {
    /// The hash of what the subset is made of (font, glyph set, texts): equal keys, equal
    /// PDF objects.
    pub key: u64,
    /// The resource name in content streams (`F0`, `F1`, … by index in `Pages::fonts`).
    pub id: String,
    /// `ABCDEF+PostScriptName`.
    pub name: String,
    /// The subset font program, and its length before deflating.
    pub program: Vec<u8>,
    program_len: usize,
    /// The ToUnicode CMap, deflated.
    cmap: Vec<u8>,
    /// The original glyph ids in subset order (subset glyph `k` is `order[k]`).
    order: Vec<u16>,
    /// Original glyph id → subset glyph id (0 = not in the subset). Dense tables indexed
    /// by glyph id: these are read for every glyph drawn, so no hashing.
    remap: Vec<u16>,
    /// Subset glyph id → the text its ToUnicode entry carries (the first non-empty
    /// cluster text seen; a PDF font maps each code to one string).
    text: Vec<String>,
    /// Subset glyph id → that text packed in a word ([`pack`]), for the one comparison the
    /// writer makes for every glyph it draws (is its text the map's?).
    packed: Vec<u64>,
    /// Subset glyph id → its `/W` advance in 1/1000 em (see [`EmbeddedFont::width_1000`]).
    widths: Vec<f64>,
    /// Original glyph id of U+0020, when the font has one.
    pub space: Option<u16>,
    pub descriptor: Descriptor,
}

/// FontDescriptor entries (ISO 32000-1, 9.8), in glyph space (1/1000 em).
pub(crate) struct Descriptor {
    pub cap_height: i64,
    pub italic_angle: f32,
    pub stem_v: i64,
    pub flags: i64,
    pub ascent: i64,
    pub descent: i64,
    pub bbox: [i64; 4],
}

impl Descriptor {
    fn of(font: &Font) -> Descriptor {
        let upem = i64::from(font.units_per_em().max(1));
        // Rounded to the nearest 1/1000 em.
        let em = |v: i32| (i64::from(v) * 1000 + upem / 2).div_euclid(upem);
        let cap_height = em(font.cap_height());
        // No table records stem width; the usual estimate from the weight class
        // (about 88 at 400, 166 at 700), in integers so every platform agrees.
        let w = i64::from(font.weight());
        let stem_v = 50 + w * w / (65 * 65);
        // Flag bit 6 (value 32): non-symbolic; bit 7 (value 64): italic.
        let italic = font.italic_angle() != 0.0;
        let flags = 32 | if italic { 64 } else { 0 };
        let b = font.bbox();
        Descriptor {
            ascent: em(font.ascender()),
            descent: em(font.descender()),
            bbox: [em(b[0]), em(b[1]), em(b[2]), em(b[3])],
            cap_height,
            // A tenth of a degree is all any reader uses.
            italic_angle: (font.italic_angle() * 10.0).round() / 10.0,
            stem_v,
            flags,
        }
    }
}

impl EmbeddedFont {
    /// The subset glyph id for an original one (0 = .notdef if it was never registered).
    pub fn gid(&self, original: u16) -> u16 {
        self.remap.get(usize::from(original)).copied().unwrap_or(0)
    }

    /// The ToUnicode text of subset glyph `code` ("" = no mapping).
    fn text_of(&self, code: usize) -> &str {
        self.text.get(code).map_or("", String::as_str)
    }

    /// The text an original glyph's code maps to in the ToUnicode CMap ("" = none).
    pub fn unicode(&self, original: u16) -> &str {
        self.text_of(usize::from(self.gid(original)))
    }

    /// Does the ToUnicode CMap map an original glyph's code to `text` exactly?
    pub fn maps_to(&self, original: u16, text: &[u8]) -> bool {
        let mine = self
            .packed
            .get(usize::from(self.gid(original)))
            .copied()
            .unwrap_or(LONG);
        match pack(text) {
            Some(theirs) if mine != LONG => mine == theirs,
            _ => self.unicode(original).as_bytes() == text,
        }
    }

    /// The advance of an original glyph (one of the subset's) in 1/1000 em exactly as `/W`
    /// gives it (a whole number), so TJ adjustments computed against it reproduce the
    /// frame's positions in every viewer.
    pub fn width_1000(&self, original: u16) -> f64 {
        self.widths
            .get(usize::from(self.gid(original)))
            .copied()
            .unwrap_or(0.0)
    }
}

/// Subsets every font the pages use; `None` for fonts no run uses.
///
/// `subsets` keeps the subsets made, by a hash of the font, its glyph set and their texts:
/// a rebuild whose pages use the same glyphs does not subset again. New subsets are
/// deflated with `deflater`, made here if none was made yet (a rebuild that finds every
/// subset in `subsets` makes none).
pub(crate) fn embed_fonts(
    pages: &Pages,
    subsets: &mut HashMap<u64, Arc<EmbeddedFont>>,
    deflater: &mut Option<super::Deflater>,
) -> Result<Vec<Option<Arc<EmbeddedFont>>>, PdfError> {
    // Glyphs used per font, their texts, and whether a word space follows any of them: as
    // the typesetter summed them up, else from the pages.
    let scanned;
    let glyphs = match &pages.glyphs {
        Some(g) => g,
        None => {
            let mut g = GlyphUse::default();
            for page in &pages.pages {
                g.add_items(&page.items);
                g.add_items(&page.furniture);
            }
            scanned = g;
            &scanned
        }
    };
    if let Some(bad) =
        (pages.fonts.len()..glyphs.fonts.len()).find(|&k| glyphs.fonts[k].ids().next().is_some())
    {
        return Err(PdfError::NoSuchFont(bad));
    }
    // Glyph ids are u16, so a table of 65,536 entries per font indexes every one (made
    // only for a font that is subset again, not for one the cache holds).
    const GLYPHS: usize = 1 << 16;
    let none = FontUse::default();
    let mut out = Vec::with_capacity(pages.fonts.len());
    let mut used_keys = Vec::new();
    for (index, file) in pages.fonts.iter().enumerate() {
        let used = glyphs.fonts.get(index).unwrap_or(&none);
        let mut glyph_set: BTreeSet<u16> = used.ids().collect();
        if glyph_set.is_empty() {
            out.push(None);
            continue;
        }
        // The texts by glyph id, in id order, for the key.
        let mut by_id: Vec<(u16, &str)> =
            used.texts.iter().map(|(g, t)| (*g, t.as_str())).collect();
        by_id.sort_unstable();
        let mut key = Fnv::new();
        key.write(file.postscript_name.as_bytes());
        key.write(&(file.data.len() as u64).to_le_bytes());
        key.write(&file.index.to_le_bytes());
        key.write(&[u8::from(used.space_after)]);
        for g in &glyph_set {
            key.write(&g.to_le_bytes());
        }
        key.write(&[0xfe]);
        for (g, t) in &by_id {
            key.write(&g.to_le_bytes());
            key.write(t.as_bytes());
            key.write(&[0xff]);
        }
        let key = key.finish();
        if let Some(done) = subsets.get(&key) {
            out.push(Some(done.clone()));
            used_keys.push(key);
            continue;
        }
        let font = Font::from_bytes(file.data.clone(), file.index).map_err(|e| PdfError::Font {
            font: file.postscript_name.clone(),
            message: e.to_string(),
        })?;
        let space = if used.space_after {
            font.glyph(' ')
        } else {
            None
        };
        if let Some(space) = space {
            glyph_set.insert(space);
        }

        let deflate = deflater.get_or_insert_with(super::Deflater::new);
        let mut remapper = subsetter::GlyphRemapper::new();
        let mut remap = vec![0u16; GLYPHS];
        for &gid in &glyph_set {
            remap[usize::from(gid)] = remapper.remap(gid);
        }
        let program =
            subsetter::subset(&file.data, file.index, &remapper).map_err(|e| PdfError::Font {
                font: file.postscript_name.clone(),
                message: format!("subsetting failed: {e}"),
            })?;
        let mut order = vec![0u16; remapper.num_gids() as usize];
        for &gid in &glyph_set {
            if let Some(slot) = order.get_mut(usize::from(remap[usize::from(gid)])) {
                *slot = gid;
            }
        }
        // By subset glyph id: the texts, and the `/W` advances in whole thousandths of an
        // em from the full font's metrics.
        let mut text = vec![String::new(); order.len()];
        for (g, t) in &by_id {
            if let Some(slot) = text.get_mut(usize::from(remap[usize::from(*g)])) {
                *slot = t.to_string();
            }
        }
        if let Some(slot) = space.and_then(|g| text.get_mut(usize::from(remap[usize::from(g)]))) {
            *slot = " ".to_string();
        }
        let upem = f64::from(font.units_per_em().max(1));
        let widths: Vec<f64> = order
            .iter()
            .map(|&g| (f64::from(font.advance(g)) * 1000.0 / upem).trunc())
            .collect();
        let mut embedded = EmbeddedFont {
            key,
            id: format!("F{index}"),
            name: format!(
                "{}+{}",
                subset_tag(&file.postscript_name, &glyph_set),
                pdf_name_safe(&file.postscript_name)
            ),
            program_len: program.len(),
            program: super::deflate_with(deflate, &program),
            cmap: Vec::new(),
            order,
            remap,
            packed: text
                .iter()
                .map(|t| pack(t.as_bytes()).unwrap_or(LONG))
                .collect(),
            text,
            widths,
            space,
            descriptor: Descriptor::of(&font),
        };
        // Made and deflated once per subset: a rebuild with the same glyphs reuses it.
        embedded.cmap = super::deflate_with(deflate, &to_unicode(&embedded));
        let embedded = Arc::new(embedded);
        subsets.insert(key, embedded.clone());
        used_keys.push(key);
        out.push(Some(embedded));
    }
    subsets.retain(|k, _| used_keys.contains(k));
    Ok(out)
}

/// [`pack`]'s mark for a text too long to pack (compared as bytes instead).
const LONG: u64 = u64::MAX;

/// A text of at most 7 bytes as one word: its bytes, and its length in the top byte (so
/// "a" and "a\0" differ); `None` for a longer one.
fn pack(text: &[u8]) -> Option<u64> {
    if text.len() > 7 {
        return None;
    }
    let mut word = (text.len() as u64) << 56;
    for (k, b) in text.iter().enumerate() {
        word |= u64::from(*b) << (8 * k);
    }
    Some(word)
}

/// Glyph codes per `beginbfchar` block (the CMap format allows at most 100).
const BFCHAR_BLOCK: usize = 100;

/// Writes `font` into `doc` as a Type 0 font; returns the font dictionary's id.
pub(crate) fn write_font(doc: &mut Document, font: &EmbeddedFont) -> ObjectId {
    let name = || Object::Name(font.name.as_bytes().to_vec());
    let mut file = Dictionary::new();
    file.set("Length1", Object::Integer(font.program_len as i64));
    file.set("Filter", Object::Name(b"FlateDecode".to_vec()));
    let file_id = doc.add_object(Stream::new(file, font.program.clone()));
    let d = &font.descriptor;
    let mut desc = Dictionary::new();
    desc.set("Type", Object::Name(b"FontDescriptor".to_vec()));
    desc.set("FontName", name());
    desc.set("Flags", Object::Integer(d.flags));
    desc.set(
        "FontBBox",
        Object::Array(d.bbox.iter().map(|v| Object::Integer(*v)).collect()),
    );
    desc.set("ItalicAngle", super::num(d.italic_angle));
    desc.set("Ascent", Object::Integer(d.ascent));
    desc.set("Descent", Object::Integer(d.descent));
    desc.set("CapHeight", Object::Integer(d.cap_height));
    desc.set("StemV", Object::Integer(d.stem_v));
    desc.set("FontFile2", Object::Reference(file_id));
    let desc_id = doc.add_object(desc);
    let widths: Vec<Object> = font
        .order
        .iter()
        .map(|&g| Object::Integer(font.width_1000(g) as i64))
        .collect();
    let mut info = Dictionary::new();
    info.set("Registry", Object::string_literal("Adobe"));
    info.set("Ordering", Object::string_literal("Identity"));
    info.set("Supplement", Object::Integer(0));
    let mut cid = Dictionary::new();
    cid.set("Type", Object::Name(b"Font".to_vec()));
    cid.set("Subtype", Object::Name(b"CIDFontType2".to_vec()));
    cid.set("BaseFont", name());
    cid.set("CIDSystemInfo", Object::Dictionary(info));
    cid.set("FontDescriptor", Object::Reference(desc_id));
    cid.set("CIDToGIDMap", Object::Name(b"Identity".to_vec()));
    cid.set(
        "W",
        Object::Array(vec![Object::Integer(0), Object::Array(widths)]),
    );
    let cid_id = doc.add_object(cid);
    let mut cmap = Dictionary::new();
    cmap.set("Filter", Object::Name(b"FlateDecode".to_vec()));
    let cmap_id = doc.add_object(Stream::new(cmap, font.cmap.clone()));
    let mut type0 = Dictionary::new();
    type0.set("Type", Object::Name(b"Font".to_vec()));
    type0.set("Subtype", Object::Name(b"Type0".to_vec()));
    type0.set("BaseFont", name());
    type0.set("Encoding", Object::Name(b"Identity-H".to_vec()));
    type0.set(
        "DescendantFonts",
        Object::Array(vec![Object::Reference(cid_id)]),
    );
    type0.set("ToUnicode", Object::Reference(cmap_id));
    // Keeps `StringFormat` in use for the CMap's hex strings' type (see `to_unicode`).
    let _ = StringFormat::Hexadecimal;
    doc.add_object(type0)
}

/// The ToUnicode CMap: each subset glyph code → the text it stands for (UTF-16BE).
fn to_unicode(font: &EmbeddedFont) -> Vec<u8> {
    use std::fmt::Write as _;
    let mut s = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
         /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
         /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
         1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    let entries: Vec<(usize, &str)> = font
        .order
        .iter()
        .enumerate()
        .map(|(k, _)| (k, font.text_of(k)))
        .filter(|(_, t)| !t.is_empty())
        .collect();
    for block in entries.chunks(BFCHAR_BLOCK) {
        let _ = writeln!(s, "{} beginbfchar", block.len());
        for (code, text) in block {
            let _ = write!(s, "<{code:04X}> <");
            for unit in text.encode_utf16() {
                let _ = write!(s, "{unit:04X}");
            }
            s.push_str(">\n");
        }
        s.push_str("endbfchar\n");
    }
    s.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    s.into_bytes()
}

/// Six uppercase letters from a hash of the font name and its sorted glyph set
/// (ISO 32000-1, 9.6.4: the tag must differ for different subsets).
fn subset_tag(name: &str, glyphs: &BTreeSet<u16>) -> String {
    let mut h = Fnv::new();
    h.write(name.as_bytes());
    for g in glyphs {
        h.write(&g.to_be_bytes());
    }
    let mut n = h.finish();
    let mut tag = String::with_capacity(6);
    // Six base-26 digits of the hash, one per letter.
    for _ in 0..6 {
        tag.push(char::from(b'A' + (n % 26) as u8));
        n /= 26;
    }
    tag
}

/// PostScript names are printable ASCII without delimiters; keep the PDF name clean anyway.
fn pdf_name_safe(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_ascii_graphic() && !"()<>[]{}/%#".contains(*c))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_stable_and_differ_by_glyph_set() {
        let a: BTreeSet<u16> = [3, 4, 5].into();
        let b: BTreeSet<u16> = [3, 4, 6].into();
        let t = subset_tag("EBGaramond-Regular", &a);
        assert_eq!(t, subset_tag("EBGaramond-Regular", &a));
        assert_ne!(t, subset_tag("EBGaramond-Regular", &b));
        assert!(t.len() == 6 && t.chars().all(|c| c.is_ascii_uppercase()));
    }
}
