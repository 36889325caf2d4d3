//! Font embedding: the frame's fonts + the glyphs the pages use in → subset fonts out.
//!
//! Each used font is subset with `subsetter` (only the glyphs drawn, plus the space glyph
//! that carries word spaces for text extraction), renamed `ABCDEF+PostScriptName` with a tag
//! hashed from its name and glyph set (no randomness, so builds are byte-identical), and
//! parsed by printpdf as a `ParsedFont`. Per original glyph id we keep the subset id, the
//! `/W` width printpdf will write, and the one ToUnicode text the glyph maps to.

use crate::hash::Fnv;
use std::collections::BTreeSet;

use printpdf::{FontId, ParsedFont};

use super::PdfError;
use crate::typeset::font::Font;
use crate::typeset::frame::{Item, Pages};

/// One font ready for printpdf.
pub(crate) struct EmbeddedFont {
    /// The resource name in content streams (`F0`, `F1`, … by index in `Pages::fonts`).
    pub id: FontId,
    /// The subset, with `font_name` set to the tagged name.
    pub parsed: ParsedFont,
    /// Original glyph id → subset glyph id (0 = not in the subset). Dense tables indexed
    /// by glyph id: these are read for every glyph drawn, so no hashing.
    remap: Vec<u16>,
    /// Original glyph id → the text its ToUnicode entry carries (the first non-empty
    /// cluster text seen; a PDF font maps each code to one string).
    text: Vec<String>,
    /// Original glyph id → its `/W` advance in 1/1000 em (see [`EmbeddedFont::width_1000`]).
    widths: Vec<f64>,
    /// Original glyph id of U+0020, when the font has one.
    pub space: Option<u16>,
    /// FontDescriptor values printpdf cannot know from the subset (which lacks OS/2 and
    /// post) or derives with platform-dependent float functions.
    pub descriptor: Descriptor,
}

/// FontDescriptor entries (ISO 32000-1, 9.8), in glyph space (1/1000 em).
pub(crate) struct Descriptor {
    pub cap_height: i64,
    pub italic_angle: f32,
    pub stem_v: i64,
    pub flags: i64,
}

impl Descriptor {
    fn of(font: &Font) -> Descriptor {
        let upem = i64::from(font.units_per_em().max(1));
        // Rounded to the nearest 1/1000 em.
        let cap_height = (i64::from(font.cap_height()) * 1000 + upem / 2).div_euclid(upem);
        // No table records stem width; the usual estimate from the weight class
        // (about 88 at 400, 166 at 700), in integers so every platform agrees.
        let w = i64::from(font.weight());
        let stem_v = 50 + w * w / (65 * 65);
        // Flag bit 6 (value 32): non-symbolic; bit 7 (value 64): italic.
        let italic = font.italic_angle() != 0.0;
        let flags = 32 | if italic { 64 } else { 0 };
        Descriptor {
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

    /// The ToUnicode text for an original glyph id ("" = no mapping).
    pub fn text(&self, original: u16) -> &str {
        self.text
            .get(usize::from(original))
            .map_or("", String::as_str)
    }

    /// The advance of an original glyph in 1/1000 em exactly as printpdf writes it in `/W`
    /// (`(w as f32 * 1000.0 / upem as f32) as i64`), so TJ adjustments computed against it
    /// reproduce the frame's positions in every viewer.
    pub fn width_1000(&self, original: u16) -> f64 {
        self.widths
            .get(usize::from(original))
            .copied()
            .unwrap_or(0.0)
    }
}

/// Splits a glyph's text into the text proper and the number of trailing word spaces.
/// Spaces are split off only after other text; a glyph whose text is all spaces keeps it.
pub(crate) fn split_spaces(text: &str) -> (&str, usize) {
    let base = text.trim_end_matches(' ');
    if base.is_empty() {
        (text, 0)
    } else {
        (base, text.len() - base.len())
    }
}

/// Subsets every font the pages use; `None` for fonts no run uses.
pub(crate) fn embed_fonts(pages: &Pages) -> Result<Vec<Option<EmbeddedFont>>, PdfError> {
    // Glyphs used per font, and whether a word space follows any of them.
    // Glyph ids are u16, so a table of 65,536 entries per font indexes every one.
    const GLYPHS: usize = 1 << 16;
    let mut used: Vec<Vec<bool>> = vec![Vec::new(); pages.fonts.len()];
    let mut texts: Vec<Vec<String>> = vec![Vec::new(); pages.fonts.len()];
    let mut wants_space = vec![false; pages.fonts.len()];
    for item in pages.pages.iter().flat_map(|p| p.all_items()) {
        let Item::Glyphs(run) = item else { continue };
        let set = used
            .get_mut(run.font)
            .ok_or(PdfError::NoSuchFont(run.font))?;
        if set.is_empty() {
            set.resize(GLYPHS, false);
            texts[run.font].resize(GLYPHS, String::new());
        }
        for g in &run.glyphs {
            let id = usize::from(g.id);
            set[id] = true;
            let (base, spaces) = split_spaces(&g.text);
            wants_space[run.font] |= spaces > 0;
            if !base.is_empty() && texts[run.font][id].is_empty() {
                texts[run.font][id] = base.to_string();
            }
        }
    }

    let mut out = Vec::with_capacity(pages.fonts.len());
    for (index, file) in pages.fonts.iter().enumerate() {
        let mut glyph_set: BTreeSet<u16> = used[index]
            .iter()
            .enumerate()
            .filter(|(_, u)| **u)
            .map(|(g, _)| g as u16)
            .collect();
        if glyph_set.is_empty() {
            out.push(None);
            continue;
        }
        let font = Font::from_bytes(file.data.clone(), file.index).map_err(|e| PdfError::Font {
            font: file.postscript_name.clone(),
            message: e.to_string(),
        })?;
        let mut text = std::mem::take(&mut texts[index]);
        let space = if wants_space[index] {
            font.glyph(' ')
        } else {
            None
        };
        if let Some(space) = space {
            glyph_set.insert(space);
            text[usize::from(space)] = " ".to_string();
        }

        let mut remapper = subsetter::GlyphRemapper::new();
        let mut remap = vec![0u16; GLYPHS];
        for &gid in &glyph_set {
            remap[usize::from(gid)] = remapper.remap(gid);
        }
        let bytes =
            subsetter::subset(&file.data, file.index, &remapper).map_err(|e| PdfError::Font {
                font: file.postscript_name.clone(),
                message: format!("subsetting failed: {e}"),
            })?;
        let mut warnings = Vec::new();
        let mut parsed =
            ParsedFont::from_bytes(&bytes, 0, &mut warnings).ok_or_else(|| PdfError::Font {
                font: file.postscript_name.clone(),
                message: "printpdf could not parse the subset".to_string(),
            })?;
        parsed.font_name = Some(format!(
            "{}+{}",
            subset_tag(&file.postscript_name, &glyph_set),
            pdf_name_safe(&file.postscript_name)
        ));
        // `/W` advances exactly as printpdf writes them (`(w as f32 * 1000.0 / upem as f32)
        // as i64`), so TJ adjustments computed against them reproduce the frame's positions.
        let upem = f32::from(parsed.pdf_font_metrics.units_per_em);
        let mut widths = vec![0.0f64; GLYPHS];
        if upem > 0.0 {
            for &gid in &glyph_set {
                let w = parsed
                    .get_glyph_width(remap[usize::from(gid)])
                    .map(f32::from)
                    .unwrap_or(0.0);
                widths[usize::from(gid)] = (w * 1000.0 / upem) as i64 as f64;
            }
        }
        out.push(Some(EmbeddedFont {
            id: FontId(format!("F{index}")),
            parsed,
            remap,
            text,
            widths,
            space,
            descriptor: Descriptor::of(&font),
        }));
    }
    Ok(out)
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

    #[test]
    fn trailing_spaces_split() {
        assert_eq!(split_spaces("d "), ("d", 1));
        assert_eq!(split_spaces("ffi"), ("ffi", 0));
        assert_eq!(split_spaces(" "), (" ", 0));
        assert_eq!(split_spaces("”  "), ("”", 2));
    }
}
