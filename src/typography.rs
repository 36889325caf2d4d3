//! The typographic pass both outputs share: text in → the same text with no-break spaces
//! where a line must not break.
//!
//! Run once at load time on every text of the manuscript, so the EPUB (whose reading
//! systems break lines themselves) and the PDF's line breaker (which never breaks at
//! U+00A0) honour the same rules, as Standard Ebooks' `se typogrify` does:
//! - a spaced en or em dash, and an ellipsis, stay with the word before them (no line starts
//!   with a dash or an ellipsis);
//! - a number stays with its unit ("4,000 m", "90 min", "20 %");
//! - an abbreviation stays with its number ("p. 12", "no. 7", "fig. 3");
//! - a title stays with the name it goes with ("Mr. Bennet", "Dr. Ruiz");
//! - initials stay together and with the surname ("J. R. R. Tolkien");
//! - in French, the space before `;` `:` `!` `?` `»` and after `«` does not break.

/// The no-break space.
const NBSP: char = '\u{a0}';

/// Units a number keeps on its line.
const UNITS: &[&str] = &[
    "m", "km", "cm", "mm", "kg", "g", "mg", "l", "ml", "min", "h", "s", "ms", "%", "‰", "°C", "°F",
    "°", "ft", "in", "lb", "mi", "mph", "km/h", "pt", "px", "KB", "MB", "GB", "TB", "Hz", "kHz",
    "MHz", "W", "kW", "V", "A", "€", "$", "£", "Bs",
];

/// Abbreviations a number follows ("p. 12").
const BEFORE_NUMBERS: &[&str] = &[
    "p.", "pp.", "no.", "No.", "nos.", "vol.", "Vol.", "ch.", "chap.", "fig.", "Fig.", "art.",
    "Art.", "n.", "nr.",
];

/// Titles a name follows ("Mr. Bennet").
const TITLES: &[&str] = &[
    "Mr.", "Mrs.", "Ms.", "Mx.", "Dr.", "Prof.", "St.", "Sr.", "Sra.", "Mme", "Mlle", "M.",
];

/// `text` with the breakable spaces that must not break replaced by no-break spaces (see
/// the module doc). `lang` is the text's BCP 47 tag.
pub fn no_breaks(text: &str, lang: &str) -> String {
    let french = crate::lang::primary(lang).eq_ignore_ascii_case("fr");
    let mut out = String::with_capacity(text.len() + 8);
    let mut copied = 0;
    // Byte offsets of the spaces, so the words around one are slices of `text` (this runs
    // over every text of the book: no allocation per space).
    for (i, _) in text.match_indices(' ') {
        if keep(text, i, french) {
            out.push_str(&text[copied..i]);
            out.push(NBSP);
            copied = i + 1;
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// Must the space at byte `i` of `text` not break?
fn keep(text: &str, i: usize, french: bool) -> bool {
    let next = text[i + 1..].chars().next();
    let prev = text[..i].chars().next_back();
    // A spaced dash or an ellipsis never opens a line.
    if matches!(next, Some('–' | '—' | '…')) {
        return true;
    }
    if french && (matches!(next, Some(';' | ':' | '!' | '?' | '»')) || prev == Some('«')) {
        return true;
    }
    let before = word_before(text, i);
    let after = word_after(text, i);
    // A number and its unit.
    if before.ends_with(|c: char| c.is_ascii_digit())
        && UNITS
            .iter()
            .any(|u| after.trim_end_matches([',', '.', ';', ':', ')']) == *u)
    {
        return true;
    }
    // An abbreviation and its number.
    if BEFORE_NUMBERS.contains(&before) && after.starts_with(|c: char| c.is_ascii_digit()) {
        return true;
    }
    // A title and a name; an initial and what follows it.
    let capital = after.starts_with(char::is_uppercase);
    let initial = {
        let mut b = before.chars();
        matches!((b.next(), b.next(), b.next()), (Some(c), Some('.'), None) if c.is_uppercase())
    };
    capital && (TITLES.contains(&before) || initial)
}

/// The word that ends right before byte `i` (after the previous space), without the
/// opening brackets and quotes before it.
fn word_before(text: &str, i: usize) -> &str {
    let head = &text[..i];
    let start = head
        .char_indices()
        .rev()
        .find(|(_, c)| c.is_whitespace())
        .map_or(0, |(p, c)| p + c.len_utf8());
    head[start..].trim_start_matches(['(', '[', '“', '‘', '"', '\''])
}

/// The word that starts right after the space at byte `i` (up to the next space).
fn word_after(text: &str, i: usize) -> &str {
    let tail = &text[i + 1..];
    &tail[..tail.find(char::is_whitespace).unwrap_or(tail.len())]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nb(s: &str) -> String {
        no_breaks(s, "en").replace(NBSP, "~")
    }

    #[test]
    fn dashes_and_ellipses_stay_with_the_word_before() {
        assert_eq!(
            nb("It was – she said — late …"),
            "It was~– she said~— late~…"
        );
        assert_eq!(nb("a-b and x–y"), "a-b and x–y");
    }

    #[test]
    fn numbers_stay_with_units_and_abbreviations_with_numbers() {
        assert_eq!(nb("At 4,000 m, for 90 min."), "At 4,000~m, for 90~min.");
        assert_eq!(nb("see p. 12 and fig. 3"), "see p.~12 and fig.~3");
        assert_eq!(nb("4 men"), "4 men");
    }

    #[test]
    fn titles_and_initials_stay_with_names() {
        assert_eq!(
            nb("Mr. Bennet met J. R. R. Tolkien."),
            "Mr.~Bennet met J.~R.~R.~Tolkien."
        );
        assert_eq!(nb("in May. Then"), "in May. Then");
    }

    #[test]
    fn french_spaces_before_high_punctuation() {
        let fr = no_breaks("« Oui ! » dit-il : bon ; vrai ?", "fr").replace(NBSP, "~");
        assert_eq!(fr, "«~Oui~!~» dit-il~: bon~; vrai~?");
        assert_eq!(nb("Yes ! ok"), "Yes ! ok");
    }
}
