//! BCP 47 subtags against the IANA Language Subtag Registry, and English names for tags.
//!
//! In: a language tag that `lang::check` already found well-formed (`en-GB`, `zh-Hant-TW`).
//! Out: the subtags the registry does not know (`unknown_subtags`), deprecated ones
//! (`deprecated_subtags`), a "did you mean" language (`suggest`), and English names
//! (`language_name`, `script_name`, `region_name`, `describe`: "English (United Kingdom)").
//!
//! The data is `subtags.txt`, one registry record per line (kind, subtag, first Description,
//! deprecation), generated from the npm package `language-subtag-registry`; it is parsed once,
//! on first use. Private-use ranges (`qaa`–`qtz`, `Qaaa`–`Qabx`, `QM`–`QZ`, `XA`–`XZ`) are
//! not in the file but known here. To update: `npm pack language-subtag-registry`, unpack, and
//! run `python3 scripts/gen-lang-registry.py PATH_TO_PACKAGE`.

use std::cmp::Ordering;

const DATA: &str = include_str!("subtags.txt");
/// The header field that carries the registry's date.
const DATE_KEY: &str = "File-Date: ";
/// The registry's Description for private-use subtags.
const PRIVATE_USE: &str = "Private use";
/// The qualifier `describe` drops from language names ("Malay (macrolanguage)").
const MACROLANGUAGE: &str = "macrolanguage";
/// Private-use ranges (inclusive), which the data file leaves out.
const PRIVATE_RANGES: &[(Kind, &str, &str)] = &[
    (Kind::Language, "qaa", "qtz"),
    (Kind::Script, "Qaaa", "Qabx"),
    (Kind::Region, "QM", "QZ"),
    (Kind::Region, "XA", "XZ"),
];
/// Short names for regions whose registry name has the ", " `describe` joins with.
const REGION_SHORT_NAMES: &[(&str, &str)] = &[("TW", "Taiwan")];

/// A subtag's kind, by its position in the tag; the discriminant indexes `KIND_CODES`
/// (the data file's first column) and `KIND_NAMES`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Language,
    Extlang,
    Script,
    Region,
    Variant,
    Grandfathered,
}
const KIND_COUNT: usize = 6;
const KIND_CODES: [&str; KIND_COUNT] = ["l", "e", "s", "r", "v", "g"];
const KIND_NAMES: [&str; KIND_COUNT] = [
    "language",
    "extended language",
    "script",
    "region",
    "variant",
    "tag",
];

#[derive(Clone, Copy)]
struct Entry {
    tag: &'static str,
    name: &'static str,
    /// The data file's fourth column: `D` if deprecated, `D:he` with a preferred value.
    deprecation: Option<&'static str>,
}

impl Entry {
    /// A data line (`kind<TAB>subtag<TAB>name[<TAB>D…]`) → its kind's code and the entry.
    fn of(line: &'static str) -> Option<(&'static str, Entry)> {
        let mut cols = line.split('\t');
        let (code, tag, name) = (cols.next()?, cols.next()?, cols.next()?);
        let deprecation = cols.next();
        Some((
            code,
            Entry {
                tag,
                name,
                deprecation,
            },
        ))
    }
}

/// The data lines (after the comments). The file is sorted by kind code, then subtag
/// case-insensitively (`scripts/gen-lang-registry.py`), so a subtag is found by binary
/// search in the text itself: nothing is parsed at start-up (parsing all 9,000 lines cost
/// a millisecond of every build).
fn lines() -> &'static str {
    let mut body = DATA;
    while body.starts_with('#') {
        body = body.split_once('\n').map_or("", |(_, rest)| rest);
    }
    body
}

/// The line of `body` that byte `at` falls in (which may be inside a character: the
/// search is on bytes, and a line break is always a whole one), and where it starts and
/// ends.
fn line_at(body: &'static str, at: usize) -> (&'static str, usize, usize) {
    let bytes = body.as_bytes();
    let start = bytes[..at]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let end = bytes[at..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(body.len(), |p| at + p);
    (&body[start..end], start, end)
}

fn find(kind: Kind, subtag: &str) -> Option<Entry> {
    let code = KIND_CODES[kind as usize];
    let body = lines();
    let (mut lo, mut hi) = (0, body.len());
    while lo < hi {
        let (line, start, end) = line_at(body, (lo + hi) / 2);
        let (c, entry) = Entry::of(line)?;
        match c.cmp(code).then_with(|| cmp_ci(entry.tag, subtag)) {
            Ordering::Equal => return Some(entry),
            Ordering::Less => lo = end + 1,
            Ordering::Greater => hi = start,
        }
    }
    None
}

/// Every entry of `kind`, in the file's order.
fn entries(kind: Kind) -> impl Iterator<Item = Entry> {
    let code = KIND_CODES[kind as usize];
    lines()
        .lines()
        .filter_map(Entry::of)
        .filter(move |(c, _)| *c == code)
        .map(|(_, e)| e)
}

fn cmp_ci(a: &str, b: &str) -> Ordering {
    let lower = |c: u8| c.to_ascii_lowercase();
    a.bytes().map(lower).cmp(b.bytes().map(lower))
}

fn is_private(kind: Kind, s: &str) -> bool {
    PRIVATE_RANGES.iter().any(|&(k, lo, hi)| {
        k == kind && s.len() == lo.len() && cmp_ci(lo, s).is_le() && cmp_ci(s, hi).is_le()
    })
}

fn name(kind: Kind, subtag: &str) -> Option<&'static str> {
    let private = || is_private(kind, subtag).then_some(PRIVATE_USE);
    find(kind, subtag).map(|e| e.name).or_else(private)
}

/// The registry's File-Date (`2025-08-25`), from the data file's first comment.
pub fn registry_date() -> &'static str {
    DATA.lines()
        .take_while(|l| l.starts_with('#'))
        .find_map(|l| l.split_once(DATE_KEY))
        .and_then(|(_, rest)| rest.split_whitespace().next())
        .unwrap_or_default()
}

/// The English name of a language subtag (`ig` → "Igbo"), any case; "Private use" for `qaa`–`qtz`.
pub fn language_name(subtag: &str) -> Option<&'static str> {
    name(Kind::Language, subtag)
}

/// The English name of a script subtag (`Latn` → "Latin"), any case.
pub fn script_name(subtag: &str) -> Option<&'static str> {
    name(Kind::Script, subtag)
}

/// The English name of a region subtag (`GB` → "United Kingdom", `419`), any case.
pub fn region_name(subtag: &str) -> Option<&'static str> {
    name(Kind::Region, subtag)
}

/// The subtags of `tag` with their kind by position (RFC 5646 §2.1), up to the first
/// singleton (`x-`, `u-`, …), whose content is not checked. `None`: not valid there.
fn parts(tag: &str) -> Vec<(Option<Kind>, &str)> {
    let mut next = Kind::Language as usize; // the earliest kind allowed next
    let subtags = tag.split('-').take_while(|s| s.len() != 1);
    let kinds = subtags.map(|s| {
        let kind = kind_at(s, next);
        next = kind.map_or(next.max(Kind::Extlang as usize), |k| k as usize + 1);
        (kind, s)
    });
    kinds.collect()
}

fn kind_at(s: &str, next: usize) -> Option<Kind> {
    let (n, b) = (s.len(), s.as_bytes());
    let alpha = b.iter().all(u8::is_ascii_alphabetic);
    let alnum = b.iter().all(u8::is_ascii_alphanumeric);
    let allowed = |k: Kind| next <= k as usize;
    if next == Kind::Language as usize {
        (alpha && (2..=3).contains(&n)).then_some(Kind::Language)
    } else if allowed(Kind::Extlang) && n == 3 && alpha {
        Some(Kind::Extlang)
    } else if allowed(Kind::Script) && n == 4 && alpha {
        Some(Kind::Script)
    } else if allowed(Kind::Region)
        && (n == 2 && alpha || n == 3 && b.iter().all(u8::is_ascii_digit))
    {
        Some(Kind::Region)
    } else if alnum && ((5..=8).contains(&n) || n == 4 && b[0].is_ascii_digit()) {
        Some(Kind::Variant)
    } else {
        None
    }
}

/// For a well-formed `tag`, one message per subtag the registry does not know
/// ("`xx` is not a registered language"); none for private-use or extension subtags.
pub fn unknown_subtags(tag: &str) -> Vec<String> {
    if find(Kind::Grandfathered, tag).is_some() {
        return Vec::new();
    }
    let message = |(kind, s): (Option<Kind>, &str)| match kind {
        None => Some(format!("`{s}` is not a valid subtag here")),
        Some(k) if name(k, s).is_none() => Some(format!(
            "`{s}` is not a registered {}",
            KIND_NAMES[k as usize]
        )),
        Some(_) => None,
    };
    parts(tag).into_iter().filter_map(message).collect()
}

/// For a well-formed `tag`, one message per deprecated subtag ("`iw` is deprecated; use `he`").
pub fn deprecated_subtags(tag: &str) -> Vec<String> {
    let whole = find(Kind::Grandfathered, tag).map(|e| (e, tag));
    let subtags = parts(tag)
        .into_iter()
        .filter_map(|(k, s)| Some((find(k?, s)?, s)));
    let message = |(e, s): (Entry, &str)| match e.deprecation?.strip_prefix("D:") {
        Some(preferred) => Some(format!("`{s}` is deprecated; use `{preferred}`")),
        None => Some(format!("`{s}` is deprecated")),
    };
    whole
        .into_iter()
        .chain(subtags)
        .filter_map(message)
        .collect()
}

/// A trailing parenthesised qualifier: "Han (Traditional variant)" → ("Han", "Traditional variant").
fn split_qualifier(name: &str) -> (&str, Option<&str>) {
    match name.strip_suffix(')').and_then(|n| n.rsplit_once(" (")) {
        Some((base, qualifier)) => (base, Some(qualifier)),
        None => (name, None),
    }
}

/// What `describe` shows for a script, region or variant: a short English name, or the code.
fn display_name(kind: Kind, s: &str) -> String {
    let Some(name) = name(kind, s).filter(|n| *n != PRIVATE_USE) else {
        return s.to_string();
    };
    let short = REGION_SHORT_NAMES
        .iter()
        .find(|(c, _)| c.eq_ignore_ascii_case(s));
    match (kind, split_qualifier(name), short) {
        (Kind::Region, _, Some((_, short))) => (*short).to_string(),
        (Kind::Region, (base, _), _) => base.to_string(), // "Holy See (Vatican City State)"
        // "Han (Traditional variant)" → "Traditional Han"; "Japanese (alias for …)" → "Japanese".
        (Kind::Script, (base, Some(q)), _) => match q.strip_suffix(" variant") {
            Some(v) => format!("{v} {base}"),
            None => base.to_string(),
        },
        _ => name.to_string(),
    }
}

/// The English name of a well-formed tag: "English (United Kingdom)", "Chinese (Traditional
/// Han, Taiwan)". Unknown or private-use script, region or variant subtags appear as
/// themselves; the whole tag does when its language is unknown or private use.
pub fn describe(tag: &str) -> String {
    if let Some(e) = find(Kind::Grandfathered, tag) {
        return e.name.to_string();
    }
    let parts = parts(tag);
    let is_lang = |k: &Option<Kind>| matches!(k, Some(Kind::Language | Kind::Extlang));
    // An extended language names the language better than its prefix (`zh-yue`: Yue Chinese).
    let mut langs = parts.iter().take(2).rev().filter(|(k, _)| is_lang(k));
    let Some(lang) = langs.find_map(|(_, s)| find(Kind::Language, s)) else {
        return tag.to_string();
    };
    let (base, qualifier) = match split_qualifier(lang.name) {
        // "Malay (macrolanguage)", "Modern Greek (1453-)": ISO 639-1 names need no qualifier.
        (base, Some(q)) if q == MACROLANGUAGE || lang.tag.len() == 2 => (base, None),
        split => split,
    };
    let rest = parts.iter().filter(|(k, _)| !is_lang(k));
    let rest = rest.map(|&(k, s)| k.map_or_else(|| s.to_string(), |k| display_name(k, s)));
    let mut details: Vec<String> = qualifier.into_iter().map(str::to_string).collect();
    for detail in rest {
        // "Ainu (Japan)" in `ain-JP`, "Japanese" script in `ja-Jpan`: say it once.
        if detail != base && !details.contains(&detail) {
            details.push(detail);
        }
    }
    if details.is_empty() {
        base.to_string()
    } else {
        format!("{base} ({})", details.join(", "))
    }
}

/// A registered two-letter language one edit away from the unknown `subtag` (`jp` → `ja`,
/// `eng` → `en`, but also `spa` → `sa`): a hint for "did you mean", not an answer.
pub fn suggest(subtag: &str) -> Option<&'static str> {
    if language_name(subtag).is_some() {
        return None;
    }
    let s = subtag.to_ascii_lowercase();
    let close = |e: &Entry| e.tag.len() == 2 && e.deprecation.is_none() && one_edit(e.tag, &s);
    let candidates = entries(Kind::Language).filter(close);
    // Best first: the input's prefix (`eng`), then the same first letter, then alphabetical.
    let rank = |e: &Entry| (!s.starts_with(e.tag), e.tag.get(..1) != s.get(..1));
    candidates.min_by_key(rank).map(|e| e.tag)
}

/// Levenshtein distance ≤ 1, case-sensitively.
fn one_edit(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let prefix = short.iter().zip(long).take_while(|(x, y)| x == y).count();
    match long.len() - short.len() {
        0 => short.get(prefix + 1..) == long.get(prefix + 1..),
        1 => short[prefix..] == long[prefix + 1..],
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_names() {
        assert_eq!(language_name("ig"), Some("Igbo"));
        assert_eq!(language_name("qu"), Some("Quechua"));
        assert_eq!(language_name("es"), Some("Spanish"));
        assert_eq!(language_name("EN"), Some("English"));
        assert_eq!(language_name("yue"), Some("Yue Chinese"));
        assert_eq!(language_name("qaa"), Some(PRIVATE_USE));
        assert_eq!(language_name("xx"), None);
        assert_eq!(language_name(""), None);
        assert_eq!(script_name("latn"), Some("Latin"));
        assert_eq!(region_name("gb"), Some("United Kingdom"));
        assert_eq!(region_name("419"), Some("Latin America and the Caribbean"));
        assert!(registry_date().starts_with("20"));
    }

    #[test]
    fn every_entry_is_found_by_the_search_in_the_text() {
        let mut count = 0;
        for line in lines().lines() {
            let (code, entry) = Entry::of(line).unwrap();
            let kind = KIND_CODES.iter().position(|c| *c == code).unwrap();
            let kind = [
                Kind::Language,
                Kind::Extlang,
                Kind::Script,
                Kind::Region,
                Kind::Variant,
                Kind::Grandfathered,
            ][kind];
            let upper = entry.tag.to_ascii_uppercase();
            let found = find(kind, &upper).unwrap_or_else(|| panic!("{line}"));
            assert_eq!(found.tag, entry.tag);
            count += 1;
        }
        assert!(count > 9_000, "{count} entries");
        assert!(find(Kind::Language, "zzz").is_none());
        assert!(find(Kind::Region, "").is_none());
    }

    #[test]
    fn descriptions() {
        assert_eq!(describe("en-GB"), "English (United Kingdom)");
        assert_eq!(
            describe("es-419"),
            "Spanish (Latin America and the Caribbean)"
        );
        assert_eq!(describe("sr-Latn"), "Serbian (Latin)");
        assert_eq!(describe("zh-Hant-TW"), "Chinese (Traditional Han, Taiwan)");
        assert_eq!(describe("ZH-hant-tw"), "Chinese (Traditional Han, Taiwan)");
        assert_eq!(describe("zh-yue-HK"), "Yue Chinese (Hong Kong)");
        assert_eq!(
            describe("de-CH-1996"),
            "German (Switzerland, German orthography of 1996)"
        );
        assert_eq!(describe("ms"), "Malay");
        assert_eq!(describe("en-x-house"), "English");
        assert_eq!(describe("en-Qaaa-ZY"), "English (Qaaa, ZY)");
        assert_eq!(describe("xx-GB"), "xx-GB");
        assert_eq!(describe("x-private"), "x-private");
        assert_eq!(describe("i-klingon"), "Klingon");
        assert_eq!(describe("ain-JP"), "Ainu (Japan)");
        assert_eq!(describe("ja-Jpan"), "Japanese");
        assert_eq!(describe("de-Latf"), "German (Fraktur Latin)");
    }

    #[test]
    fn unknown_and_private_subtags() {
        assert_eq!(unknown_subtags("xx"), ["`xx` is not a registered language"]);
        assert_eq!(
            unknown_subtags("en-Abcd"),
            ["`Abcd` is not a registered script"]
        );
        assert_eq!(
            unknown_subtags("en-ZY-abcdefg"),
            [
                "`ZY` is not a registered region",
                "`abcdefg` is not a registered variant",
            ]
        );
        // Private use: ZZ and AA are in the registry as such, the ranges are known here.
        for tag in [
            "en-ZZ",
            "en-AA",
            "en-QM",
            "en-XZ",
            "en-Qaaa",
            "sr-Qaaa",
            "sr-Qabx",
            "qtz",
            "x-private",
        ] {
            assert!(unknown_subtags(tag).is_empty(), "{tag}");
        }
        assert_eq!(unknown_subtags("sr-Qaby").len(), 1);
        assert_eq!(
            unknown_subtags("en-GB-x-anything-goes"),
            Vec::<String>::new()
        );
        assert!(unknown_subtags("EN-latn-gb").is_empty());
        assert!(unknown_subtags("zh-cmn-Hans-CN").is_empty());
        assert!(unknown_subtags("en-GB-oed").is_empty());
    }

    #[test]
    fn deprecated_subtags_are_known() {
        for tag in ["iw", "en-BU", "i-klingon"] {
            assert!(unknown_subtags(tag).is_empty(), "{tag}");
        }
        assert_eq!(language_name("iw"), Some("Hebrew"));
        assert_eq!(
            deprecated_subtags("iw-IL"),
            ["`iw` is deprecated; use `he`"]
        );
        assert_eq!(
            deprecated_subtags("i-klingon"),
            ["`i-klingon` is deprecated; use `tlh`"]
        );
        assert!(deprecated_subtags("he-IL").is_empty());
    }

    #[test]
    fn odd_input_does_not_panic() {
        for tag in ["", "-", "en--GB", "é", "ééé-Ωx", "12-en", "en-GB-1996-x"] {
            let _ = (unknown_subtags(tag), describe(tag), suggest(tag));
        }
        assert_eq!(
            unknown_subtags("zh-qqq"),
            ["`qqq` is not a registered extended language"]
        );
        assert_eq!(
            unknown_subtags("en-a1b"),
            ["`a1b` is not a valid subtag here"]
        );
    }

    #[test]
    fn suggestions() {
        assert_eq!(suggest("jp"), Some("ja"));
        assert_eq!(suggest("eng"), Some("en"));
        assert_eq!(suggest("fra"), Some("fr"));
        assert_eq!(suggest("dk"), Some("da"));
        assert_eq!(suggest("en"), None);
        assert_eq!(suggest(""), None);
        assert_eq!(suggest("abcd"), None);
    }
}
