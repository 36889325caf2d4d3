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
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 8);
    for (i, &c) in chars.iter().enumerate() {
        if c == ' ' && keep(&chars, i, french) {
            out.push(NBSP);
        } else {
            out.push(c);
        }
    }
    out
}

/// Must the space at `i` not break?
fn keep(chars: &[char], i: usize, french: bool) -> bool {
    let next = chars.get(i + 1).copied();
    let prev = i.checked_sub(1).and_then(|p| chars.get(p)).copied();
    // A spaced dash or an ellipsis never opens a line.
    if matches!(next, Some('–' | '—' | '…')) {
        return true;
    }
    if french && (matches!(next, Some(';' | ':' | '!' | '?' | '»')) || prev == Some('«')) {
        return true;
    }
    let before = word_before(chars, i);
    let after = word_after(chars, i);
    // A number and its unit.
    if before.chars().last().is_some_and(|c| c.is_ascii_digit())
        && UNITS
            .iter()
            .any(|u| after.trim_end_matches([',', '.', ';', ':', ')']) == *u)
    {
        return true;
    }
    // An abbreviation and its number.
    if BEFORE_NUMBERS.contains(&before.as_str()) && after.starts_with(|c: char| c.is_ascii_digit())
    {
        return true;
    }
    // A title and a name; an initial and what follows it.
    let capital = after.starts_with(char::is_uppercase);
    let initial = {
        let b: Vec<char> = before.chars().collect();
        b.len() == 2 && b[0].is_uppercase() && b[1] == '.'
    };
    capital && (TITLES.contains(&before.as_str()) || initial)
}

/// The word that ends right before position `i` (after the previous space).
fn word_before(chars: &[char], i: usize) -> String {
    let start = chars[..i]
        .iter()
        .rposition(|c| c.is_whitespace())
        .map_or(0, |p| p + 1);
    let w: String = chars[start..i].iter().collect();
    w.trim_start_matches(['(', '[', '“', '‘', '"', '\''])
        .to_string()
}

/// The word that starts right after position `i` (up to the next space).
fn word_after(chars: &[char], i: usize) -> String {
    chars[i + 1..]
        .iter()
        .take_while(|c| !c.is_whitespace())
        .collect()
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
