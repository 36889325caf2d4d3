//! The EPUB's embedded fonts, pruned to what the book can show: every glyph the book's text
//! maps to or shapes into (ligatures, small capitals, and the parts of composite glyphs)
//! keeps its outline; every other glyph is emptied. Glyph ids do not change, so the
//! character map, kerning (GPOS) and substitutions (GSUB) stay whole and valid: the reader
//! sets the text exactly as with the full font. Glyph names (`post`) are dropped.
//!
//! (The `subsetter` crate the PDF uses removes the character map and renumbers glyphs:
//! right for a PDF, unusable by a reading system.)

use crate::typeset::font::{Font, FontBytes};
use crate::typeset::shape::{Features, Shaper};
use std::collections::BTreeSet;

/// Characters every book may show besides its own text: ASCII, the hyphens a reader's
/// hyphenation adds, the typographic quotes, dashes and spaces.
const ALWAYS: &str = "\u{2010}\u{2011}\u{2013}\u{2014}\u{2018}\u{2019}\u{201C}\u{201D}\u{2026}\u{00A0}\u{00AD}\u{2009}\u{200A}";

/// The distinct words and characters of `docs` (XHTML): the text between tags, entities
/// taken as written (their letters are ASCII, kept anyway).
pub fn words(docs: &[&str]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for doc in docs {
        let mut in_tag = false;
        let mut word = String::new();
        for c in doc.chars() {
            match c {
                '<' => {
                    in_tag = true;
                    take(&mut word, &mut out);
                }
                '>' => in_tag = false,
                _ if in_tag => {}
                c if c.is_whitespace() && c != '\u{00A0}' => take(&mut word, &mut out),
                c => word.push(c),
            }
        }
        take(&mut word, &mut out);
    }
    out
}

fn take(word: &mut String, out: &mut BTreeSet<String>) {
    if !word.is_empty() {
        out.insert(std::mem::take(word));
    }
}

/// `data` (a TrueType font) with the glyphs `words` cannot reach emptied; `None` when the
/// font is not one folio can prune (CFF outlines, a collection): it is then embedded whole.
pub fn prune(bytes: FontBytes, words: &BTreeSet<String>, lang: &str) -> Option<Vec<u8>> {
    let font = Font::from_bytes(bytes.clone(), 0).ok()?;
    let data: &[u8] = &bytes;
    let tables = Tables::read(data)?;
    let num_glyphs = usize::from(u16::from_be_bytes(
        tables.get(data, b"maxp")?.get(4..6)?.try_into().ok()?,
    ));
    let mut keep = vec![false; num_glyphs];
    keep[0] = true;
    // The characters the font still maps (a character map of these alone).
    let mut chars: std::collections::BTreeMap<char, u16> = std::collections::BTreeMap::new();
    let mut mark = |id: u16| {
        if let Some(k) = keep.get_mut(usize::from(id)) {
            *k = true;
        }
    };
    let all_chars = (' '..='~')
        .chain(ALWAYS.chars())
        .chain(words.iter().flat_map(|w| w.chars()));
    for c in all_chars {
        if let Some(g) = font.glyph(c) {
            chars.insert(c, g);
            mark(g);
        }
    }
    let mut shaper = Shaper::new(lang);
    for word in words {
        // What a reading system's shaper makes of the word: with the font's default
        // features (ligatures, contextual forms) and as small capitals (CSS small-caps).
        for small_caps in [false, true] {
            let features = Features {
                small_caps,
                ..Features::default()
            };
            for g in shaper.shape(0, &font, word, features).glyphs {
                mark(g.id);
            }
        }
    }
    let glyf = tables.get(data, b"glyf")?;
    let loca = Loca::read(data, &tables, num_glyphs)?;
    // Composite glyphs need their components.
    let mut stack: Vec<usize> = (0..num_glyphs).filter(|&g| keep[g]).collect();
    while let Some(g) = stack.pop() {
        for c in components(loca.glyph(glyf, g)) {
            if c < num_glyphs && !keep[c] {
                keep[c] = true;
                stack.push(c);
            }
        }
    }
    let mut new_glyf = Vec::new();
    let mut new_loca = Vec::with_capacity((num_glyphs + 1) * 4);
    for (g, kept) in keep.iter().enumerate() {
        new_loca.extend((new_glyf.len() as u32).to_be_bytes());
        if *kept {
            new_glyf.extend_from_slice(loca.glyph(glyf, g));
            while new_glyf.len() % 4 != 0 {
                new_glyf.push(0);
            }
        }
    }
    new_loca.extend((new_glyf.len() as u32).to_be_bytes());
    let mut head = tables.get(data, b"head")?.to_vec();
    // Long offsets in `loca`; the checksum adjustment is set once the font is whole.
    head.get_mut(50..52)?.copy_from_slice(&1u16.to_be_bytes());
    head.get_mut(8..12)?.copy_from_slice(&[0; 4]);
    // `post` version 3: no glyph names (a reading system never needs them).
    let mut post = tables.get(data, b"post")?.get(..32)?.to_vec();
    post[..4].copy_from_slice(&0x0003_0000u32.to_be_bytes());
    let out: Vec<([u8; 4], Vec<u8>)> = tables
        .entries
        .iter()
        .filter(|(tag, _, _)| tag != b"DSIG")
        .map(|&(tag, off, len)| {
            let body = match &tag {
                b"glyf" => new_glyf.clone(),
                b"loca" => new_loca.clone(),
                b"head" => head.clone(),
                b"post" => post.clone(),
                b"cmap" => cmap(&chars),
                _ => data[off..off + len].to_vec(),
            };
            (tag, body)
        })
        .collect();
    Some(assemble(out))
}

/// A character map of `chars` alone: format 4 for the Basic Multilingual Plane (what
/// every reading system reads), format 12 beside it when a character lies beyond.
fn cmap(chars: &std::collections::BTreeMap<char, u16>) -> Vec<u8> {
    let bmp: Vec<(u16, u16)> = chars
        .iter()
        .filter_map(|(&c, &g)| {
            u16::try_from(u32::from(c))
                .ok()
                .filter(|&c| c != 0xFFFF)
                .map(|c| (c, g))
        })
        .collect();
    // Format 4, one segment per character (idDelta maps it), then the closing 0xFFFF.
    let seg = bmp.len() + 1;
    let search = 2 * (1u16 << (15 - (seg as u16).leading_zeros() as u16));
    let selector = (search / 2).trailing_zeros() as u16;
    let mut f4 = Vec::new();
    let len4 = 16 + 8 * seg;
    for v in [
        4u16,
        len4 as u16,
        0,
        2 * seg as u16,
        search,
        selector,
        2 * seg as u16 - search,
    ] {
        f4.extend(v.to_be_bytes());
    }
    for &(c, _) in &bmp {
        f4.extend(c.to_be_bytes()); // endCode
    }
    f4.extend(0xFFFFu16.to_be_bytes());
    f4.extend(0u16.to_be_bytes()); // reservedPad
    for &(c, _) in &bmp {
        f4.extend(c.to_be_bytes()); // startCode
    }
    f4.extend(0xFFFFu16.to_be_bytes());
    for &(c, g) in &bmp {
        f4.extend(g.wrapping_sub(c).to_be_bytes()); // idDelta
    }
    f4.extend(1u16.to_be_bytes());
    f4.extend(vec![0u8; 2 * seg]); // idRangeOffset: none
    let wide = chars.keys().any(|&c| u32::from(c) > 0xFFFF);
    let mut f12 = Vec::new();
    if wide {
        let groups: Vec<(u32, u16)> = chars.iter().map(|(&c, &g)| (u32::from(c), g)).collect();
        f12.extend(12u16.to_be_bytes());
        f12.extend(0u16.to_be_bytes());
        f12.extend((16 + 12 * groups.len() as u32).to_be_bytes());
        f12.extend(0u32.to_be_bytes());
        f12.extend((groups.len() as u32).to_be_bytes());
        for (c, g) in groups {
            f12.extend(c.to_be_bytes());
            f12.extend(c.to_be_bytes());
            f12.extend(u32::from(g).to_be_bytes());
        }
    }
    let subtables = 1 + u16::from(wide);
    let mut out = Vec::new();
    out.extend(0u16.to_be_bytes());
    out.extend(subtables.to_be_bytes());
    let first = 4 + 8 * u32::from(subtables);
    // Windows Unicode BMP (3, 1), then Windows Unicode full (3, 10).
    out.extend([0, 3, 0, 1]);
    out.extend(first.to_be_bytes());
    if wide {
        out.extend([0, 3, 0, 10]);
        out.extend((first + f4.len() as u32).to_be_bytes());
    }
    out.extend(f4);
    out.extend(f12);
    out
}

/// The table directory: (tag, offset, length), in the file's order (sorted by tag).
struct Tables {
    entries: Vec<([u8; 4], usize, usize)>,
}

impl Tables {
    fn read(data: &[u8]) -> Option<Tables> {
        let version = u32::from_be_bytes(data.get(0..4)?.try_into().ok()?);
        // TrueType outlines only (0x00010000 or 'true'); 'OTTO' (CFF) and 'ttcf' are not pruned.
        if version != 0x0001_0000 && version != u32::from_be_bytes(*b"true") {
            return None;
        }
        let n = usize::from(u16::from_be_bytes(data.get(4..6)?.try_into().ok()?));
        let mut entries = Vec::with_capacity(n);
        for i in 0..n {
            let rec = data.get(12 + 16 * i..28 + 16 * i)?;
            let tag: [u8; 4] = rec[0..4].try_into().ok()?;
            let off = u32::from_be_bytes(rec[8..12].try_into().ok()?) as usize;
            let len = u32::from_be_bytes(rec[12..16].try_into().ok()?) as usize;
            data.get(off..off.checked_add(len)?)?;
            entries.push((tag, off, len));
        }
        Some(Tables { entries })
    }

    fn get<'a>(&self, data: &'a [u8], tag: &[u8; 4]) -> Option<&'a [u8]> {
        let &(_, off, len) = self.entries.iter().find(|(t, _, _)| t == tag)?;
        data.get(off..off + len)
    }
}

/// Glyph offsets into `glyf`.
struct Loca(Vec<usize>);

impl Loca {
    fn read(data: &[u8], tables: &Tables, num_glyphs: usize) -> Option<Loca> {
        let head = tables.get(data, b"head")?;
        let long = u16::from_be_bytes(head.get(50..52)?.try_into().ok()?) == 1;
        let loca = tables.get(data, b"loca")?;
        let glyf_len = tables.get(data, b"glyf")?.len();
        let mut offsets = Vec::with_capacity(num_glyphs + 1);
        for g in 0..=num_glyphs {
            let off = if long {
                u32::from_be_bytes(loca.get(4 * g..4 * g + 4)?.try_into().ok()?) as usize
            } else {
                2 * usize::from(u16::from_be_bytes(
                    loca.get(2 * g..2 * g + 2)?.try_into().ok()?,
                ))
            };
            offsets.push(off.min(glyf_len));
        }
        Some(Loca(offsets))
    }

    fn glyph<'a>(&self, glyf: &'a [u8], g: usize) -> &'a [u8] {
        match (self.0.get(g), self.0.get(g + 1)) {
            (Some(&a), Some(&b)) if a <= b => &glyf[a..b],
            _ => &[],
        }
    }
}

/// The glyph ids a composite glyph is made of (none for a simple or empty glyph).
fn components(glyph: &[u8]) -> Vec<usize> {
    const ARGS_ARE_WORDS: u16 = 0x0001;
    const HAVE_SCALE: u16 = 0x0008;
    const MORE_COMPONENTS: u16 = 0x0020;
    const HAVE_XY_SCALE: u16 = 0x0040;
    const HAVE_2X2: u16 = 0x0080;
    let mut out = Vec::new();
    let Some(contours) = glyph.get(0..2).map(|b| i16::from_be_bytes([b[0], b[1]])) else {
        return out;
    };
    if contours >= 0 {
        return out;
    }
    let mut at = 10;
    loop {
        let (Some(flags), Some(id)) = (
            glyph
                .get(at..at + 2)
                .map(|b| u16::from_be_bytes([b[0], b[1]])),
            glyph
                .get(at + 2..at + 4)
                .map(|b| u16::from_be_bytes([b[0], b[1]])),
        ) else {
            return out;
        };
        out.push(usize::from(id));
        at += 4 + if flags & ARGS_ARE_WORDS != 0 { 4 } else { 2 };
        at += if flags & HAVE_SCALE != 0 {
            2
        } else if flags & HAVE_XY_SCALE != 0 {
            4
        } else if flags & HAVE_2X2 != 0 {
            8
        } else {
            0
        };
        if flags & MORE_COMPONENTS == 0 {
            return out;
        }
    }
}

/// An sfnt from its tables (sorted by tag, as the spec asks), with checksums and the
/// `head` checksum adjustment.
fn assemble(mut tables: Vec<([u8; 4], Vec<u8>)>) -> Vec<u8> {
    tables.sort_by_key(|t| t.0);
    let n = tables.len() as u16;
    let entry_selector = 15 - n.max(1).leading_zeros() as u16;
    let search_range = (1u16 << entry_selector) * 16;
    let mut out = Vec::new();
    out.extend(0x0001_0000u32.to_be_bytes());
    out.extend(n.to_be_bytes());
    out.extend(search_range.to_be_bytes());
    out.extend(entry_selector.to_be_bytes());
    out.extend((n * 16 - search_range).to_be_bytes());
    let mut offset = 12 + 16 * tables.len();
    let mut head_at = None;
    for (tag, body) in &tables {
        out.extend(tag);
        out.extend(checksum(body).to_be_bytes());
        out.extend((offset as u32).to_be_bytes());
        out.extend((body.len() as u32).to_be_bytes());
        if tag == b"head" {
            head_at = Some(offset);
        }
        offset += body.len().next_multiple_of(4);
    }
    for (_, body) in &tables {
        out.extend(body);
        out.resize(out.len().next_multiple_of(4), 0);
    }
    if let Some(at) = head_at {
        let adjust = 0xB1B0_AFBAu32.wrapping_sub(checksum(&out));
        out[at + 8..at + 12].copy_from_slice(&adjust.to_be_bytes());
    }
    out
}

/// The sum of a table's big-endian 32-bit words (zero-padded).
fn checksum(bytes: &[u8]) -> u32 {
    bytes.chunks(4).fold(0u32, |sum, c| {
        let mut w = [0u8; 4];
        w[..c.len()].copy_from_slice(c);
        sum.wrapping_add(u32::from_be_bytes(w))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pruned_font_keeps_its_tables_and_the_glyphs_of_the_text() {
        let data = include_bytes!("../../fonts/EBGaramond-Regular.ttf");
        let words = words(&["<p>The <i>office</i> flies</p>"]);
        let pruned = prune(FontBytes::Static(data), &words, "en").expect("a TrueType font");
        assert!(
            pruned.len() < data.len() / 2,
            "{} of {}",
            pruned.len(),
            data.len()
        );
        // A reading system can still use it: it parses, maps characters, shapes "ffi".
        let font = Font::from_bytes(pruned.clone().into(), 0).unwrap();
        let full = Font::from_bytes(FontBytes::Static(data), 0).unwrap();
        assert_eq!(font.glyph('T'), full.glyph('T'));
        let mut shaper = Shaper::new("en");
        let a = shaper.shape(0, &font, "office", Features::default());
        let b = shaper.shape(1, &full, "office", Features::default());
        assert_eq!(a.glyphs, b.glyphs, "same glyphs and kerning");
        // The kept glyphs have outlines, the others none.
        let tables = Tables::read(&pruned).unwrap();
        let n = usize::from(u16::from_be_bytes(
            tables.get(&pruned, b"maxp").unwrap()[4..6]
                .try_into()
                .unwrap(),
        ));
        let loca = Loca::read(&pruned, &tables, n).unwrap();
        let glyf = tables.get(&pruned, b"glyf").unwrap();
        for g in &a.glyphs {
            assert!(!loca.glyph(glyf, usize::from(g.id)).is_empty());
        }
        // A letter the text does not have (ASCII is always kept) lost its outline.
        let eszett = full.glyph('ß').unwrap();
        assert!(loca.glyph(glyf, usize::from(eszett)).is_empty());
    }
}
