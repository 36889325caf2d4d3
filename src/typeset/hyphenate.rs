//! Hyphenation points: a word as it appears in the text (maybe with punctuation around it)
//! and a BCP 47 language tag in → byte offsets where a hyphen may be inserted out.
//!
//! Liang's patterns come from the `hyphenation` crate's embedded dictionaries, loaded the
//! first time a language is asked for and kept (a book that only uses English never loads
//! anything else). The author's exception list overrides the patterns.
//!
//! Rules, applied in this order (each keeps a whole class of words intact):
//! 1. Leading and trailing non-letters are stripped (`“Elder’s,”` → `Elder’s`): the
//!    patterns see only the word, and the offsets are mapped back into the original text.
//!    Apostrophes (`'`, `’`, `ʼ`) inside a word are part of it.
//! 2. No breaks in a word containing a digit (`1990s`, `B2B`: numbers are read as a unit),
//!    a `/` or `@` (paths, URLs, e-mail addresses), a `.` inside the word (domain names,
//!    abbreviations like `e.g`), or any other symbol inside the word (`AT&T`, `snake_case`).
//! 3. No breaks in a word that already has a hyphen or a dash (`well-known`): it may break
//!    only after its own hyphen, and the caller handles that break.
//! 4. Soft hyphens (U+00AD) written by the author are the only breaks of their word (the
//!    offset is the soft hyphen's own; the caller drops it when it does not break there).
//! 5. Exceptions (case-insensitive) replace the patterns for their word, in every language.
//! 6. At least [`MIN_BEFORE`] letters before and [`MIN_AFTER`] after every break, whatever
//!    the dictionary's own minima (Spanish's are 2 and 2).

use std::collections::HashMap;
use std::sync::OnceLock;

use hyphenation::{Hyphenator as _, Language, Load, Standard};

/// Letters that must precede a break: a one-letter fragment before a hyphen reads as a
/// typo ("a-", "e-"), and plain TeX's `\lefthyphenmin` is 2.
pub const MIN_BEFORE: usize = 2;

/// Letters that must follow a break: a two-letter fragment at the start of a line ("-ly",
/// "-ed") is hard to read; plain TeX's `\righthyphenmin` is 3.
pub const MIN_AFTER: usize = 3;

/// Languages with embedded patterns, by primary subtag (English also by region). Sorted
/// by tag; `Language` values from the `hyphenation` crate.
const LANGUAGES: &[(&str, Language)] = &[
    ("af", Language::Afrikaans),
    ("bg", Language::Bulgarian),
    ("ca", Language::Catalan),
    ("cs", Language::Czech),
    ("cy", Language::Welsh),
    ("da", Language::Danish),
    // Reformed (1996) spelling: what German books are set in today.
    ("de", Language::German1996),
    // Monotonic Greek: the official orthography since 1982.
    ("el", Language::GreekMono),
    ("en", Language::EnglishUS),
    ("en-gb", Language::EnglishGB),
    ("eo", Language::Esperanto),
    ("es", Language::Spanish),
    ("et", Language::Estonian),
    ("eu", Language::Basque),
    ("fi", Language::Finnish),
    ("fr", Language::French),
    ("ga", Language::Irish),
    ("gl", Language::Galician),
    ("hr", Language::Croatian),
    ("hu", Language::Hungarian),
    ("ia", Language::Interlingua),
    ("id", Language::Indonesian),
    ("is", Language::Icelandic),
    ("it", Language::Italian),
    ("la", Language::Latin),
    ("lt", Language::Lithuanian),
    ("lv", Language::Latvian),
    ("nb", Language::NorwegianBokmal),
    ("nl", Language::Dutch),
    ("nn", Language::NorwegianNynorsk),
    // Plain "no" is written Bokmål by about nine Norwegians in ten.
    ("no", Language::NorwegianBokmal),
    ("pl", Language::Polish),
    ("pt", Language::Portuguese),
    ("ro", Language::Romanian),
    ("ru", Language::Russian),
    ("sk", Language::Slovak),
    ("sl", Language::Slovenian),
    ("sq", Language::Albanian),
    ("sv", Language::Swedish),
    ("tr", Language::Turkish),
    ("uk", Language::Ukrainian),
];

/// English regions whose books follow British (etymological) hyphenation.
const BRITISH_REGIONS: &[&str] = &["gb", "uk", "au", "nz", "ie", "za", "in"];

/// Hyphenation for a whole book: the dictionaries it has needed so far and the author's
/// exceptions. Cheap to create; each dictionary loads on first use (about 0.3 ms).
pub struct Hyphenator {
    /// Lower-cased word (without hyphens) → char indices of its allowed breaks.
    exceptions: HashMap<String, Vec<usize>>,
    /// One slot per entry of `LANGUAGES`; `Some(None)` if loading failed.
    dictionaries: Vec<OnceLock<Option<Standard>>>,
}

impl Hyphenator {
    /// `exceptions`: words written with hyphens at the allowed points, e.g. "Mo-vi-mien-to",
    /// "folio" (no hyphen = never break); they override the patterns, case-insensitively.
    pub fn new(exceptions: &[String]) -> Self {
        let mut map = HashMap::new();
        for exception in exceptions {
            let spelled = exception.trim();
            let mut word = String::new();
            let mut breaks = Vec::new();
            let mut chars = 0;
            for c in spelled.chars() {
                if c == '-' {
                    breaks.push(chars);
                } else {
                    word.push(c);
                    chars += 1;
                }
            }
            if !word.is_empty() {
                map.insert(word.to_lowercase(), breaks);
            }
        }
        Hyphenator {
            exceptions: map,
            dictionaries: LANGUAGES.iter().map(|_| OnceLock::new()).collect(),
        }
    }

    /// Byte offsets inside `word` where a hyphen may be inserted, for the BCP 47 language
    /// `lang` ("en", "en-US", "en-GB", "es", "es-ES", "fr", "de", "it", "pt", …; unknown
    /// languages give no breaks). At least 2 letters before and 3 after each break.
    /// Sorted, without duplicates; see the module doc for the rules.
    pub fn breaks(&self, word: &str, lang: &str) -> Vec<usize> {
        let Some((lead, core)) = core(word) else {
            return Vec::new();
        };
        let mut breaks = if core.contains('\u{ad}') {
            core.match_indices('\u{ad}').map(|(i, _)| i).collect()
        } else if let Some(chars) = self.exception(core) {
            let offsets: Vec<usize> = core.char_indices().map(|(i, _)| i).collect();
            chars
                .iter()
                .filter_map(|&k| offsets.get(k).copied())
                .collect()
        } else {
            match self.dictionary(lang) {
                Some(dictionary) => dictionary.hyphenate(core).breaks,
                None => Vec::new(),
            }
        };
        breaks.retain(|&i| i > 0 && i < core.len() && core.is_char_boundary(i));
        breaks.sort_unstable();
        breaks.dedup();
        breaks.retain(|&i| letters(&core[..i]) >= MIN_BEFORE && letters(&core[i..]) >= MIN_AFTER);
        breaks.iter().map(|i| lead + i).collect()
    }

    /// The exception's breaks (char indices) for `core`, if the author listed the word.
    fn exception(&self, core: &str) -> Option<&Vec<usize>> {
        // Most books list no exceptions: skip lower-casing every word then.
        if self.exceptions.is_empty() {
            return None;
        }
        self.exceptions.get(&core.to_lowercase())
    }

    /// The dictionary for a language tag, loading it on first use.
    fn dictionary(&self, lang: &str) -> Option<&Standard> {
        let index = language(lang)?;
        let (_, language) = LANGUAGES.get(index)?;
        self.dictionaries
            .get(index)?
            .get_or_init(|| Standard::from_embedded(*language).ok())
            .as_ref()
    }
}

/// The index in `LANGUAGES` for a BCP 47 tag: its primary subtag, and for English its
/// region (British or not). `None` for languages without patterns.
fn language(tag: &str) -> Option<usize> {
    let mut subtags = tag.split(['-', '_']).map(str::to_ascii_lowercase);
    let primary = subtags.next()?;
    let key = if primary == "en"
        && subtags.any(|s| s.len() == 2 && BRITISH_REGIONS.contains(&s.as_str()))
    {
        "en-gb".to_string()
    } else {
        primary
    };
    LANGUAGES
        .binary_search_by(|(t, _)| t.cmp(&key.as_str()))
        .ok()
}

/// A letter for stripping and for the minima: alphabetic, or a combining diacritic (so a
/// decomposed "é" stays whole).
fn is_letter(c: char) -> bool {
    c.is_alphabetic() || ('\u{300}'..='\u{36f}').contains(&c)
}

/// Apostrophes that belong to the word they sit in (don’t, l’homme, Hawaiʻi-style ʼ).
fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{2bc}')
}

/// Characters that may sit inside a hyphenatable word besides letters: apostrophes, the
/// soft hyphen, the Catalan middle dot (col·lecció), and zero-width (non-)joiners.
fn is_word_inner(c: char) -> bool {
    is_letter(c) || is_apostrophe(c) || matches!(c, '\u{ad}' | '\u{b7}' | '\u{200c}' | '\u{200d}')
}

/// Hyphens and dashes: a word holding one breaks only there (rule 3).
fn is_dash(c: char) -> bool {
    matches!(
        c,
        '-' | '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}'
    )
}

/// The hyphenatable core of `word` and its byte offset, or `None` if rules 1–3 forbid
/// breaks.
fn core(word: &str) -> Option<(usize, &str)> {
    if word
        .chars()
        .any(|c| c.is_numeric() || c == '/' || c == '@' || is_dash(c))
    {
        return None;
    }
    let start = word.find(is_letter)?;
    let end = word
        .char_indices()
        .rev()
        .find(|&(_, c)| is_letter(c))
        .map(|(i, c)| i + c.len_utf8())?;
    let core = word.get(start..end)?;
    core.chars().all(is_word_inner).then_some((start, core))
}

/// How many letters `s` holds.
fn letters(s: &str) -> usize {
    s.chars().filter(|&c| c.is_alphabetic()).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The word with a `-` at every break, in the style of typst's hypher tests.
    fn hy_with(h: &Hyphenator, lang: &str, word: &str) -> String {
        let mut out = String::new();
        let mut last = 0;
        for i in h.breaks(word, lang) {
            out.push_str(&word[last..i]);
            out.push('-');
            last = i;
        }
        out.push_str(&word[last..]);
        out
    }

    fn hy(lang: &str, word: &str) -> String {
        hy_with(&Hyphenator::new(&[]), lang, word)
    }

    #[test]
    fn english() {
        assert_eq!(hy("en", "hyphenation"), "hy-phen-a-tion");
        assert_eq!(hy("en", "typesetting"), "type-set-ting");
        assert_eq!(hy("en-US", "manuscript"), "man-u-script");
        assert_eq!(hy("en", "publishing"), "pub-lish-ing");
        assert_eq!(hy("en", "CAPITAL"), "CAP-I-TAL");
        assert_eq!(hy("en", "rhythm"), "rhythm");
    }

    #[test]
    fn british_english_has_its_own_patterns() {
        let h = Hyphenator::new(&[]);
        assert_ne!(language("en-GB"), language("en-US"));
        assert_eq!(language("EN_gb"), language("en-GB"));
        assert_eq!(language("en-Latn-AU"), language("en-GB"));
        assert_eq!(language("en"), language("en-US"));
        assert!(!h.breaks("typesetting", "en-GB").is_empty());
    }

    #[test]
    fn spanish() {
        assert_eq!(hy("es", "acción"), "ac-ción");
        assert_eq!(hy("es-ES", "murciélago"), "mur-cié-lago");
        // Spanish patterns allow "-to"; our minimum of three letters after a break does not.
        assert_eq!(hy("es", "Movimiento"), "Mo-vi-miento");
        assert_eq!(
            hy("es-MX", "extraordinariamente"),
            "ex-tra-or-di-na-ria-mente"
        );
    }

    #[test]
    fn other_languages_load_lazily() {
        let h = Hyphenator::new(&[]);
        assert!(h.dictionaries.iter().all(|d| d.get().is_none()));
        assert_eq!(hy_with(&h, "en", "publishing"), "pub-lish-ing");
        let loaded = h.dictionaries.iter().filter(|d| d.get().is_some()).count();
        assert_eq!(loaded, 1, "only English is loaded");
        for (lang, word) in [("fr", "typographie"), ("de", "Silbentrennung")] {
            assert!(!h.breaks(word, lang).is_empty(), "{lang} {word}");
        }
        assert_eq!(hy_with(&h, "it", "tipografia"), "ti-po-gra-fia");
        assert_eq!(hy_with(&h, "pt-BR", "tipografia"), "ti-po-gra-fia");
    }

    #[test]
    fn punctuation_around_the_word_is_stripped() {
        assert_eq!(hy("en", "“hyphenation,”"), "“hy-phen-a-tion,”");
        assert_eq!(hy("en", "(typesetting)."), "(type-set-ting).");
        assert_eq!(hy("en", "¿acción?"), "¿ac-ción?");
        assert_eq!(hy("es", "¿acción?"), "¿ac-ción?");
    }

    #[test]
    fn a_curly_apostrophe_is_part_of_the_word() {
        assert_eq!(hy("en", "Elder’s"), "El-der’s");
        assert_eq!(hy("en", "“Elder’s,”"), "“El-der’s,”");
        assert_eq!(hy("en", "Elder's"), "El-der's");
        assert_eq!(hy("en", "don’t"), "don’t");
    }

    #[test]
    fn exceptions_override_the_patterns() {
        let h = Hyphenator::new(&["Mo-vi-mien-to".into(), "folio".into(), "ta-ble".into()]);
        // The exception's last break leaves two letters: the minimum still applies.
        assert_eq!(hy_with(&h, "es", "Movimiento"), "Mo-vi-miento");
        assert_eq!(hy_with(&h, "es", "MOVIMIENTO,"), "MO-VI-MIENTO,");
        assert_eq!(hy_with(&h, "en", "folio"), "folio");
        assert_eq!(hy_with(&h, "en", "Folio."), "Folio.");
        // Exceptions hold in every language, even one without patterns ("-ic": minimum).
        let h = Hyphenator::new(&["ty-po-graph-ic".into(), "typographical".into()]);
        assert_eq!(hy_with(&h, "en", "typographical"), "typographical");
        assert_eq!(hy_with(&h, "en", "typographic"), "ty-po-graphic");
        assert_eq!(hy_with(&h, "tlh", "Typographic"), "Ty-po-graphic");
    }

    #[test]
    fn unknown_languages_give_no_breaks() {
        assert_eq!(hy("tlh", "hyphenation"), "hyphenation");
        assert_eq!(hy("", "hyphenation"), "hyphenation");
        assert_eq!(hy("x-klingon", "hyphenation"), "hyphenation");
    }

    #[test]
    fn minima_are_two_before_and_three_after() {
        // Spanish patterns give "ni-ño" (2, 2); three letters must follow.
        assert_eq!(hy("es", "niño"), "niño");
        assert_eq!(hy("es", "niños"), "ni-ños");
        let h = Hyphenator::new(&[]);
        for (lang, word) in [("en", "unbelievably"), ("es", "desafortunadamente")] {
            for i in h.breaks(word, lang) {
                assert!(
                    letters(&word[..i]) >= 2 && letters(&word[i..]) >= 3,
                    "{word} {i}"
                );
            }
        }
    }

    #[test]
    fn words_that_must_not_break() {
        for word in [
            "1990s",
            "B2B",
            "example.com/typesetting",
            "publishing@example",
            "hyphenation.typesetting",
            "well-known",
            "typesetting—manuscript",
            "AT&Typesetting",
        ] {
            assert_eq!(hy("en", word), word);
        }
    }

    #[test]
    fn soft_hyphens_are_the_only_breaks() {
        assert_eq!(hy("en", "co\u{ad}operate"), "co-\u{ad}operate");
        assert_eq!(hy("en", "hyphen\u{ad}ation"), "hyphen-\u{ad}ation");
    }

    #[test]
    fn offsets_are_char_boundaries() {
        let h = Hyphenator::new(&[]);
        for (lang, word) in [
            ("es", "«ciguñeña»"),
            ("de", "„Größenverhältnisse“"),
            ("ru", "типография"),
        ] {
            for i in h.breaks(word, lang) {
                assert!(word.is_char_boundary(i) && i > 0 && i < word.len());
            }
        }
    }
}
