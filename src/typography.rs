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
//! - a space between groups of digits is a thousands separator ("12 500 metres");
//! - a weekday stays with its day ("Sat 3", "sam. 3");
//! - a marker (`*`, `†`, `‡`, `§`) stays with the word before it, and so does a note call
//!   written after a space (`a word [^1]`): neither starts a line alone;
//! - in French, the space before `;` `:` `!` `?` `»` and after `«` does not break.
//!
//! Every other space stays breakable: a unit that is also a word ("in", "A", "mi") counts as
//! a unit only before punctuation or at the end ("12 in." but "1958 in the province").

/// The no-break space.
const NBSP: char = '\u{a0}';

/// Units a number keeps on its line.
const UNITS: &[&str] = &[
    "m", "km", "cm", "mm", "kg", "g", "mg", "l", "ml", "min", "h", "s", "ms", "%", "‰", "°C", "°F",
    "°", "ft", "in", "lb", "mi", "mph", "km/h", "pt", "px", "KB", "MB", "GB", "TB", "Hz", "kHz",
    "MHz", "W", "kW", "V", "A", "€", "$", "£", "Bs",
];

/// Units that are also words: a unit only before punctuation or at the end of the text.
const WORDLIKE_UNITS: &[&str] = &["in", "A", "mi"];

/// Weekdays a day number follows ("Sat 3"), by language: some abbreviations are words in
/// other languages (German "So", "Mi").
const WEEKDAYS: &[(&str, &[&str])] = &[
    (
        "en",
        &[
            "Mon",
            "Tue",
            "Tues",
            "Wed",
            "Thu",
            "Thur",
            "Thurs",
            "Fri",
            "Sat",
            "Sun",
            "Monday",
            "Tuesday",
            "Wednesday",
            "Thursday",
            "Friday",
            "Saturday",
            "Sunday",
        ],
    ),
    (
        "fr",
        &[
            "lun", "mar", "mer", "jeu", "ven", "sam", "dim", "lundi", "mardi", "mercredi", "jeudi",
            "vendredi", "samedi", "dimanche",
        ],
    ),
    (
        "de",
        &[
            "Mo",
            "Di",
            "Mi",
            "Do",
            "Fr",
            "Sa",
            "So",
            "Montag",
            "Dienstag",
            "Mittwoch",
            "Donnerstag",
            "Freitag",
            "Samstag",
            "Sonntag",
        ],
    ),
    (
        "es",
        &[
            "lun",
            "mar",
            "mié",
            "jue",
            "vie",
            "sáb",
            "dom",
            "lunes",
            "martes",
            "miércoles",
            "jueves",
            "viernes",
            "sábado",
            "domingo",
        ],
    ),
];

/// Reference marks that follow a word and must not start a line alone.
const MARKERS: &[char] = &['*', '†', '‡', '§', '¶'];

/// Punctuation that may follow a unit, a day or a marker.
const TRAILING: &[char] = &[',', '.', ';', ':', ')', '!', '?'];

/// Abbreviations a number follows ("p. 12").
const BEFORE_NUMBERS: &[&str] = &[
    "p.", "pp.", "no.", "No.", "nos.", "vol.", "Vol.", "ch.", "chap.", "fig.", "Fig.", "art.",
    "Art.", "n.", "nr.",
];

/// Titles a name follows ("Mr. Bennet").
const TITLES: &[&str] = &[
    "Mr.", "Mrs.", "Ms.", "Mx.", "Dr.", "Prof.", "St.", "Sr.", "Sra.", "Mme", "Mlle", "M.",
];

/// The typographic pass on one run of inlines in `lang`: [`no_breaks`] on each text, and a
/// note call written after a space kept with the word before it.
pub fn inlines(list: &mut [crate::model::Inline], lang: &str) {
    use crate::model::Inline;
    for k in 0..list.len() {
        let call_next = matches!(list.get(k + 1), Some(Inline::FootnoteRef { .. }));
        if let Inline::Text { text, .. } = &mut list[k] {
            if text.contains(' ') {
                *text = no_breaks(text, lang);
            }
            if call_next && text.ends_with(' ') {
                text.pop();
                text.push(NBSP);
            }
        }
    }
}

/// `text` with the breakable spaces that must not break replaced by no-break spaces (see
/// the module doc). `lang` is the text's BCP 47 tag.
pub fn no_breaks(text: &str, lang: &str) -> String {
    let primary = crate::lang::primary(lang).to_ascii_lowercase();
    let weekdays = WEEKDAYS
        .iter()
        .find(|(l, _)| *l == primary)
        .map_or(&[][..], |(_, days)| *days);
    let rules = Rules {
        french: primary == "fr",
        weekdays,
    };
    let mut out = String::with_capacity(text.len() + 8);
    let mut copied = 0;
    // Byte offsets of the spaces, so the words around one are slices of `text` (this runs
    // over every text of the book: no allocation per space).
    for (i, _) in text.match_indices(' ') {
        if keep(text, i, &rules) {
            out.push_str(&text[copied..i]);
            out.push(NBSP);
            copied = i + 1;
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// The language-dependent part of the rules.
struct Rules<'a> {
    french: bool,
    weekdays: &'a [&'a str],
}

/// Must the space at byte `i` of `text` not break?
fn keep(text: &str, i: usize, rules: &Rules) -> bool {
    let next = text[i + 1..].chars().next();
    let prev = text[..i].chars().next_back();
    // A spaced dash or an ellipsis never opens a line.
    if matches!(next, Some('–' | '—' | '…')) {
        return true;
    }
    if rules.french && (matches!(next, Some(';' | ':' | '!' | '?' | '»')) || prev == Some('«')) {
        return true;
    }
    let before = word_before(text, i);
    let after = word_after(text, i);
    let bare = after.trim_end_matches(TRAILING);
    // A marker after a word.
    if !bare.is_empty() && bare.chars().all(|c| MARKERS.contains(&c)) {
        return true;
    }
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    // A thousands separator: a group of one to three digits, then one of three.
    // (`get`: the third byte may fall inside a character, as in `km”,`.)
    if digits(before) && before.len() <= 3 && after.get(..3).is_some_and(digits) {
        let rest = &after[3..];
        if !rest.starts_with(|c: char| c.is_alphanumeric()) {
            return true;
        }
    }
    // A number and its unit; a unit that is also a word only before punctuation or at the end.
    if before.ends_with(|c: char| c.is_ascii_digit()) && UNITS.contains(&bare) {
        let last = i + 1 + after.len() == text.len();
        if !WORDLIKE_UNITS.contains(&bare) || bare.len() < after.len() || last {
            return true;
        }
    }
    // A weekday and its day ("Sat 3", "Saturday 3rd").
    let day = bare.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    if rules.weekdays.contains(&before.trim_end_matches(TRAILING)) && digits(day) && day.len() <= 2
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
    fn thousands_weekdays_and_markers_do_not_break() {
        assert_eq!(nb("ran 12 500 metres"), "ran 12~500 metres");
        assert_eq!(nb("1 234 567 people"), "1~234~567 people");
        assert_eq!(nb("in 1958 500 came"), "in 1958 500 came");
        assert_eq!(nb("on Sat 3 and Sunday 4th,"), "on Sat~3 and Sunday~4th,");
        assert_eq!(nb("Sat 300 times"), "Sat 300 times");
        assert_eq!(nb("the film * and a rule †."), "the film~* and a rule~†.");
        assert_eq!(nb("a * b"), "a~* b");
    }

    #[test]
    fn a_space_stays_breakable_where_no_rule_says_otherwise() {
        assert_eq!(nb("1958 in the province"), "1958 in the province");
        assert_eq!(nb("a 12 in. ruler, 12 in"), "a 12~in. ruler, 12~in");
        assert_eq!(nb("3 A grades"), "3 A grades");
        assert_eq!(nb("at 5 m high"), "at 5~m high");
    }

    #[test]
    fn a_note_call_after_a_space_stays_with_its_word() {
        use crate::model::{Inline, Span};
        let mut list = vec![
            Inline::Text {
                text: "a word ".into(),
                span: Span::default(),
            },
            Inline::FootnoteRef {
                label: "1".into(),
                number: 1,
                span: Span::default(),
            },
        ];
        inlines(&mut list, "en");
        let Inline::Text { text, .. } = &list[0] else {
            unreachable!()
        };
        assert_eq!(text, "a word\u{a0}");
    }

    #[test]
    fn french_spaces_before_high_punctuation() {
        let fr = no_breaks("« Oui ! » dit-il : bon ; vrai ?", "fr").replace(NBSP, "~");
        assert_eq!(fr, "«~Oui~!~» dit-il~: bon~; vrai~?");
        assert_eq!(nb("Yes ! ok"), "Yes ! ok");
    }
}
