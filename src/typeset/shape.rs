//! Shaping: text + [`Font`] + [`Features`] in → positioned glyph ids ([`Shaped`]) out.
//!
//! harfrust does the work (kerning, ligatures and contextual alternates on by default;
//! `smcp` and `onum` on request). A [`Shaper`] shapes for one language and keeps one shape
//! plan per font, feature set, script and direction. [`ShapeCache`] is the typesetter's one
//! shaping cache: keyed by everything a result depends on (font, size, features, language,
//! and the text, which fixes script and direction), it returns the shaped glyphs and their
//! [`frame::Glyph`](super::frame::Glyph)s together, so the two can never disagree.
//! [`to_frame_glyphs`] turns a result into frame glyphs at a size.

use crate::hash::TextMap;
use std::collections::HashMap;
use std::sync::Arc;

use harfrust::{Buffer, Direction, Feature, Language, Script, ShapeOptions, ShapePlan, Tag};

use super::font::Font;
use super::frame::Glyph;

/// Optional OpenType features (the font's defaults, incl. `kern` and `liga`, are always on).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Features {
    /// `smcp`: lowercase letters as small capitals.
    pub small_caps: bool,
    /// `c2sc`: capitals as small capitals too.
    pub caps: bool,
    /// `onum`: old-style (text) figures.
    pub oldstyle_figures: bool,
    /// Code: no ligatures or contextual alternates (`liga`, `calt`, `dlig` off), so every
    /// character is its own glyph (`->` two characters, not an arrow).
    pub literal: bool,
}

impl Features {
    fn to_harfrust(self) -> Vec<Feature> {
        let mut out = Vec::new();
        if self.small_caps {
            out.push(Feature::new(Tag::new(b"smcp"), 1, ..));
        }
        if self.caps {
            out.push(Feature::new(Tag::new(b"c2sc"), 1, ..));
        }
        if self.oldstyle_figures {
            out.push(Feature::new(Tag::new(b"onum"), 1, ..));
        }
        if self.literal {
            for tag in [b"liga", b"calt", b"dlig"] {
                out.push(Feature::new(Tag::new(tag), 0, ..));
            }
        }
        out
    }
}

/// One shaped glyph; all lengths in font units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShapedGlyph {
    pub id: u16,
    /// Advance including kerning.
    pub advance: i32,
    pub x_offset: i32,
    pub y_offset: i32,
    /// Byte offset into the shaped text of the cluster this glyph belongs to.
    pub cluster: u32,
}

/// A shaped piece of text.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Shaped {
    pub glyphs: Vec<ShapedGlyph>,
    /// Sum of the advances, in font units.
    pub width: i32,
    /// Characters the font lacks (they came out as glyph 0), in text order, without repeats.
    pub missing: Vec<char>,
}

type PlanKey = (usize, Features, Option<[u8; 4]>, bool);

/// A shaper for one language (it keeps shape plans, not results: see [`ShapeCache`]).
pub struct Shaper {
    language: Option<Language>,
    script: Option<Script>,
    /// Shape plans per (font key, features, script, right-to-left).
    plans: HashMap<PlanKey, ShapePlan>,
    /// Reused between calls to avoid reallocating.
    buffer: Option<Buffer>,
}

impl Shaper {
    /// A shaper for a BCP 47 language tag (e.g. `en-GB`); an empty or invalid tag means none.
    /// The script is guessed from each text unless [`Shaper::with_script`] fixes it.
    pub fn new(language: &str) -> Shaper {
        Shaper {
            language: language
                .parse::<Language>()
                .ok()
                .filter(|_| !language.is_empty()),
            script: None,
            plans: HashMap::new(),
            buffer: Some(Buffer::new()),
        }
    }

    /// Fixes the script by its ISO 15924 tag (e.g. `Latn`); unknown tags are ignored.
    pub fn with_script(mut self, iso15924: &str) -> Shaper {
        self.script = iso15924.parse::<Script>().ok();
        self.plans.clear();
        self
    }

    /// Shapes `text` in `font`. `font_key` identifies the font for the plan cache: the caller
    /// must use one key per font (an index into its font list is the natural choice).
    pub fn shape(
        &mut self,
        font_key: usize,
        font: &Font,
        text: &str,
        features: Features,
    ) -> Shaped {
        let mut buffer = self.buffer.take().unwrap_or_default();
        buffer.reset();
        buffer.push_str(text);
        buffer.set_language(self.language.clone());
        if let Some(script) = self.script {
            buffer.set_script(Some(script));
        }
        buffer.guess_segment_properties();
        if buffer.direction() == Direction::Invalid {
            buffer.set_direction(Direction::LeftToRight);
        }
        let rtl = buffer.direction() == Direction::RightToLeft;
        let script = buffer.script();
        let key = (
            font_key,
            features,
            script.map(|s| s.tag().to_be_bytes()),
            rtl,
        );
        let feats = features.to_harfrust();
        let plan = self.plans.entry(key).or_insert_with(|| {
            ShapePlan::new(
                font.face(),
                buffer.direction(),
                script,
                self.language.as_ref(),
                &feats,
            )
        });
        let shaper_font = harfrust::ShaperFont::new(font.face());
        let options = ShapeOptions::new().plan(Some(plan)).features(&feats);
        let shaped = match harfrust::shape(&shaper_font, &mut buffer, options) {
            Ok(()) => collect(&buffer, font, text),
            // A plan mismatch cannot happen (the plan is keyed by the buffer's properties);
            // should harfrust refuse anyway, report every character as unshapeable.
            Err(_) => Shaped {
                glyphs: Vec::new(),
                width: 0,
                missing: dedup(text.chars()),
            },
        };
        self.buffer = Some(buffer);
        shaped
    }
}

/// A shaped text: glyphs in font units with their clusters, and the same glyphs at the
/// cache key's size for the frame.
#[derive(Debug, Clone, Default)]
pub struct ShapedText {
    pub shaped: Shaped,
    pub glyphs: Vec<Glyph>,
}

/// Which faces and settings a cached result was shaped with (the text is the inner key).
/// Script and direction are guessed from the text, so the text fixes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ShapeKey {
    /// One key per font face (the caller's stable font id).
    pub font: usize,
    /// The size in pt, as bits (the frame glyphs are at this size).
    pub size: u32,
    pub features: Features,
}

/// The one shaping cache: (font, size, features) → language → text → result. Nested maps,
/// so a hit costs no allocation (this runs for every word of a book).
#[derive(Default)]
pub struct ShapeCache {
    shapers: HashMap<String, Shaper>,
    results: TextMap<ShapeKey, TextMap<String, TextMap<String, Arc<ShapedText>>>>,
    /// Texts held in `results`, and those dropped when it was full.
    held: usize,
    dropped: usize,
    /// The bound on `held` (`None`: [`super::CACHE_ENTRIES`]; tests set a small one).
    pub limit: Option<usize>,
    /// Lookups made, for `--timings`.
    pub lookups: usize,
}

impl ShapeCache {
    /// `text` shaped in `font` (whose id is `key.font`) for the BCP 47 language `lang`.
    pub fn get(&mut self, key: ShapeKey, font: &Font, lang: &str, text: &str) -> Arc<ShapedText> {
        self.lookups += 1;
        if let Some(hit) = self
            .results
            .get(&key)
            .and_then(|m| m.get(lang))
            .and_then(|m| m.get(text))
        {
            return hit.clone();
        }
        if !self.shapers.contains_key(lang) {
            self.shapers.insert(lang.to_string(), Shaper::new(lang));
        }
        let shaped = match self.shapers.get_mut(lang) {
            Some(shaper) => shaper.shape(key.font, font, text, key.features),
            None => Shaped::default(),
        };
        let size = f32::from_bits(key.size);
        let glyphs = to_frame_glyphs(&shaped, text, font.units_per_em(), size);
        let result = Arc::new(ShapedText { shaped, glyphs });
        // Bounded: a book of a million distinct words (numbered paragraphs, a table of
        // codes) would otherwise hold them all. Starting again changes no result.
        let limit = self.limit.unwrap_or(super::CACHE_ENTRIES);
        self.dropped += super::admit(&mut self.results, &mut self.held, limit);
        self.results
            .entry(key)
            .or_default()
            .entry(lang.to_string())
            .or_default()
            .insert(text.to_string(), result.clone());
        result
    }

    /// How many distinct texts have been shaped (all keys and languages).
    pub fn cached(&self) -> usize {
        self.held + self.dropped
    }

    /// How many shaped texts the cache holds now (at most its bound).
    pub fn held(&self) -> usize {
        self.held
    }
}

fn collect(buffer: &Buffer, font: &Font, text: &str) -> Shaped {
    let infos = buffer.glyph_infos();
    let positions = buffer.glyph_positions();
    let mut glyphs = Vec::with_capacity(infos.len());
    let mut width = 0i32;
    let mut missing_chars = Vec::new();
    let ends = ClusterEnds::new(infos.iter().map(|g| g.cluster));
    for (info, pos) in infos.iter().zip(positions) {
        // Fonts handed to the shaper have at most 65535 glyphs (checked in `Font`).
        let id = u16::try_from(info.glyph_id).unwrap_or(0);
        if id == 0 {
            let range = ends.range(info.cluster, text.len());
            let chars = text.get(range).unwrap_or("").chars();
            missing_chars.extend(chars.filter(|&c| font.glyph(c).is_none() && !ignorable(c)));
        }
        width = width.saturating_add(pos.x_advance);
        glyphs.push(ShapedGlyph {
            id,
            advance: pos.x_advance,
            x_offset: pos.x_offset,
            y_offset: pos.y_offset,
            cluster: info.cluster,
        });
    }
    Shaped {
        glyphs,
        width,
        missing: dedup(missing_chars.into_iter()),
    }
}

/// A default-ignorable character (Unicode's `Default_Ignorable_Code_Point`, the ones text
/// carries): a variation selector (⚠️ is ⚠ and U+FE0F), a zero-width joiner or space, a
/// byte-order mark. Shown by nothing, so lacking a glyph for one is no fault.
pub(crate) fn ignorable(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}'
        | '\u{FFA0}' | '\u{FFF0}'..='\u{FFF8}' | '\u{1BCA0}'..='\u{1BCA3}'
        | '\u{1D173}'..='\u{1D17A}' | '\u{E0000}'..='\u{E0FFF}')
}

/// The characters in first-seen order without repeats (linear: 20,000 distinct characters
/// no font has must not cost 20,000² comparisons).
fn dedup(chars: impl Iterator<Item = char>) -> Vec<char> {
    let mut seen = std::collections::HashSet::new();
    chars.filter(|c| seen.insert(*c)).collect()
}

/// The clusters of a shaping result, sorted and without repeats: a cluster's text runs from
/// its value to the next larger one (whatever the direction), or to the end of the text.
struct ClusterEnds(Vec<u32>);

impl ClusterEnds {
    fn new(clusters: impl Iterator<Item = u32>) -> ClusterEnds {
        let mut v: Vec<u32> = clusters.collect();
        v.sort_unstable();
        v.dedup();
        ClusterEnds(v)
    }

    /// The byte range of the cluster starting at `start` in a text of `len` bytes.
    fn range(&self, start: u32, len: usize) -> std::ops::Range<usize> {
        let next = self.0.partition_point(|&c| c <= start);
        let end = self.0.get(next).map_or(len, |&c| c as usize);
        (start as usize).min(len)..end.min(len)
    }
}

/// Converts shaped glyphs to frame glyphs at `size` pt: advances in pt (units × size ÷ upem),
/// the cluster's text on its first glyph and "" on the others.
///
/// [`Glyph`] has no x offset, so a glyph's GPOS x offset is folded into the advances around
/// it (the previous glyph's advance grows, its own shrinks); the line's total is unchanged.
/// An x offset on the very first glyph is dropped.
pub fn to_frame_glyphs(shaped: &Shaped, text: &str, upem: u16, size: f32) -> Vec<Glyph> {
    let scale = |units: i32| units as f32 * size / f32::from(upem.max(1));
    let ends = ClusterEnds::new(shaped.glyphs.iter().map(|g| g.cluster));
    let mut out: Vec<Glyph> = Vec::with_capacity(shaped.glyphs.len());
    let mut units: Vec<i32> = shaped.glyphs.iter().map(|g| g.advance).collect();
    for (i, g) in shaped.glyphs.iter().enumerate() {
        if g.x_offset != 0 && i > 0 {
            units[i - 1] += g.x_offset;
            units[i] -= g.x_offset;
        }
    }
    for (i, g) in shaped.glyphs.iter().enumerate() {
        let first_of_cluster = i == 0 || shaped.glyphs[i - 1].cluster != g.cluster;
        let glyph_text = if first_of_cluster {
            text.get(ends.range(g.cluster, text.len()))
                .unwrap_or("")
                .into()
        } else {
            Default::default()
        };
        out.push(Glyph {
            id: g.id,
            advance: scale(units[i]),
            y_offset: scale(g.y_offset),
            text: glyph_text,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shaping_cache_holds_at_most_its_bound_and_results_stay_the_same() {
        let font = Font::from_bytes(
            crate::typeset::font::FontBytes::Static(include_bytes!(
                "../../fonts/EBGaramond-Regular.ttf"
            )),
            0,
        )
        .unwrap();
        let key = ShapeKey {
            font: 0,
            size: 10.5f32.to_bits(),
            features: Features::default(),
        };
        let mut bounded = ShapeCache {
            limit: Some(50),
            ..ShapeCache::default()
        };
        let mut free = ShapeCache::default();
        for i in 0..1000 {
            let text = format!("{i}.");
            let a = bounded.get(key, &font, "en", &text);
            let b = free.get(key, &font, "en", &text);
            assert_eq!(a.glyphs.len(), b.glyphs.len());
            assert!(bounded.held <= 50);
        }
        assert_eq!(bounded.cached(), 1000, "every text counted once");
        // A text shaped again after the cache started over is the same.
        let again = bounded.get(key, &font, "en", "1.");
        assert_eq!(again.shaped, free.get(key, &font, "en", "1.").shaped);
    }
    use crate::typeset::font::{FontSet, Style};

    #[test]
    fn kerning_changes_advances() {
        let fonts = FontSet::default_fonts();
        let f = fonts.get(Style::Regular);
        let mut shaper = Shaper::new("en");
        let s = shaper.shape(0, f, "AVAST To", Features::default());
        let kerned = s
            .glyphs
            .iter()
            .filter(|g| g.advance != f.advance(g.id))
            .count();
        assert!(kerned > 0, "{s:?}");
        assert_eq!(s.width, s.glyphs.iter().map(|g| g.advance).sum::<i32>());
        assert!(s.missing.is_empty());
    }

    #[test]
    fn cluster_texts_round_trip() {
        let fonts = FontSet::default_fonts();
        let mut shaper = Shaper::new("en");
        for text in ["office", "official", "“Elder’s” — affluent ﬃ"] {
            let s = shaper.shape(0, fonts.get(Style::Regular), text, Features::default());
            let glyphs = to_frame_glyphs(&s, text, fonts.get(Style::Regular).units_per_em(), 12.0);
            let joined: String = glyphs.iter().map(|g| g.text.as_str()).collect();
            assert_eq!(joined, text);
        }
    }

    #[test]
    fn a_variation_selector_is_not_a_missing_character() {
        assert!(ignorable('\u{FE0F}') && ignorable('\u{200D}') && ignorable('\u{FEFF}'));
        assert!(!ignorable('⚠') && !ignorable('a'));
    }

    #[test]
    fn missing_chars_are_reported() {
        let fonts = FontSet::default_fonts();
        let mut shaper = Shaper::new("en");
        let s = shaper.shape(0, fonts.get(Style::Regular), "a𝔄ሀሀb", Features::default());
        assert_eq!(s.missing, vec!['𝔄', 'ሀ']);
    }

    fn key(font: usize) -> ShapeKey {
        ShapeKey {
            font,
            size: 10.0f32.to_bits(),
            features: Features::default(),
        }
    }

    #[test]
    fn cache_returns_same_arc() {
        let fonts = FontSet::default_fonts();
        let mut cache = ShapeCache::default();
        let a = cache.get(key(0), fonts.get(Style::Regular), "en", "word");
        let b = cache.get(key(0), fonts.get(Style::Regular), "en", "word");
        assert!(Arc::ptr_eq(&a, &b));
        let c = cache.get(key(1), fonts.get(Style::Italic), "en", "word");
        assert!(!Arc::ptr_eq(&a, &c));
        assert_eq!(cache.cached(), 2);
    }

    #[test]
    fn the_language_is_part_of_the_key() {
        // harfrust shapes some languages differently (German, Turkish and Catalan lose or
        // change ligatures), so a result for one language is never served for another.
        let fonts = FontSet::default_fonts();
        let mut cache = ShapeCache::default();
        for lang in ["en", "de", "tr", "ca", "en"] {
            let r = cache.get(key(0), fonts.get(Style::Regular), lang, "office");
            assert_eq!(r.glyphs.len(), r.shaped.glyphs.len(), "{lang}");
        }
        assert_eq!(cache.cached(), 4);
    }

    #[test]
    fn features_change_glyphs() {
        let fonts = FontSet::default_fonts();
        let mut shaper = Shaper::new("en");
        let plain = shaper.shape(
            0,
            fonts.get(Style::Regular),
            "abc 1984",
            Features::default(),
        );
        let sc = Features {
            small_caps: true,
            oldstyle_figures: true,
            ..Features::default()
        };
        let fancy = shaper.shape(0, fonts.get(Style::Regular), "abc 1984", sc);
        assert_ne!(plain.glyphs, fancy.glyphs);
    }
}
