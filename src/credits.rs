//! The words the book prints about its people, its date and its series, decided once for
//! both back ends: metadata in → bylines, grouped credits, the date written out, the series
//! line out.
//!
//! Book-level people (`book.toml`) are the book's creators: the title page and `dc:creator`.
//! People named only in a piece are that piece's contributors: its byline, its line in the
//! contents, and `dc:contributor`. The copyright page credits everyone once, grouped by role.

use crate::meta::{Creator, Metadata, Role, Series};
use crate::model::Book;

/// People joined as English prose: "A", "A and B", "A, B and C".
pub fn names(people: &[&Creator]) -> String {
    let n: Vec<&str> = people.iter().map(|c| c.name.as_str()).collect();
    match n.len() {
        0 => String::new(),
        1 => n[0].to_string(),
        k => format!("{} and {}", n[..k - 1].join(", "), n[k - 1]),
    }
}

fn with_role(meta: &Metadata, role: Role) -> Vec<&Creator> {
    meta.creators.iter().filter(|c| c.role == role).collect()
}

/// Byline lines for a piece or the book, in the order the metadata names the roles: "By
/// A", "Interview by A with B" (or "Interview by A", "An interview with B"), "Photographs by
/// …", "Translated by …", "Edited by …". The PDF joins them with a middle dot, the EPUB
/// prints one per line.
pub fn byline(meta: &Metadata) -> Vec<String> {
    let mut lines = byline_by_role(meta);
    let first = |roles: &[Role]| {
        meta.creators
            .iter()
            .position(|c| roles.contains(&c.role))
            .unwrap_or(usize::MAX)
    };
    lines.sort_by_key(|(roles, _)| first(roles));
    lines.into_iter().map(|(_, l)| l).collect()
}

/// The byline lines with the roles each one names, in [`Role::ALL`] order.
fn byline_by_role(meta: &Metadata) -> Vec<(&'static [Role], String)> {
    let mut out: Vec<(&'static [Role], String)> = Vec::new();
    let authors = with_role(meta, Role::Author);
    if !authors.is_empty() {
        out.push((&[Role::Author], format!("By {}", names(&authors))));
    }
    let (ivr, ive) = (
        with_role(meta, Role::Interviewer),
        with_role(meta, Role::Interviewee),
    );
    const INTERVIEW: &[Role] = &[Role::Interviewer, Role::Interviewee];
    match (ivr.is_empty(), ive.is_empty()) {
        (false, false) => out.push((
            INTERVIEW,
            format!("Interview by {} with {}", names(&ivr), names(&ive)),
        )),
        (false, true) => out.push((INTERVIEW, format!("Interview by {}", names(&ivr)))),
        (true, false) => out.push((INTERVIEW, format!("An interview with {}", names(&ive)))),
        (true, true) => {}
    }
    const OTHERS: [(&[Role], &str); 3] = [
        (&[Role::Photographer], "Photographs by"),
        (&[Role::Translator], "Translated by"),
        (&[Role::Editor], "Edited by"),
    ];
    for (roles, lead) in OTHERS {
        let people = with_role(meta, roles[0]);
        if !people.is_empty() {
            out.push((roles, format!("{lead} {}", names(&people))));
        }
    }
    out
}

/// The people named only in pieces, with their roles, in reading order, once each: the
/// book's contributors (`dc:contributor`).
pub fn contributors(book: &Book) -> Vec<Creator> {
    let mut out: Vec<Creator> = Vec::new();
    for c in book.pieces.iter().flat_map(|p| p.meta.creators.iter()) {
        let known = book.meta.creators.iter().chain(out.iter());
        if !known.clone().any(|o| o.name == c.name && o.role == c.role) {
            out.push(c.clone());
        }
    }
    out
}

/// The copyright page's credits: everyone (book and pieces) once per role, grouped by role
/// in [`Role::ALL`] order ("Editors: A, B and C").
pub fn grouped(book: &Book) -> Vec<String> {
    let everyone: Vec<&Creator> = book
        .meta
        .creators
        .iter()
        .chain(book.pieces.iter().flat_map(|p| p.meta.creators.iter()))
        .collect();
    let mut out = Vec::new();
    for role in Role::ALL {
        let mut people: Vec<&Creator> = Vec::new();
        for c in everyone.iter().filter(|c| c.role == role) {
            if !people.iter().any(|p| p.name == c.name) {
                people.push(c);
            }
        }
        if !people.is_empty() {
            out.push(format!(
                "{}: {}",
                role_label(role, people.len()),
                names(&people)
            ));
        }
    }
    out
}

/// What a group of people in a role is called in the credits.
fn role_label(role: Role, count: usize) -> &'static str {
    let one = count == 1;
    match role {
        Role::Author => {
            if one {
                "Author"
            } else {
                "Authors"
            }
        }
        Role::Interviewer => {
            if one {
                "Interviewer"
            } else {
                "Interviewers"
            }
        }
        Role::Interviewee => {
            if one {
                "Interviewee"
            } else {
                "Interviewees"
            }
        }
        Role::Photographer => "Photographs",
        Role::Translator => "Translation",
        Role::Editor => {
            if one {
                "Editor"
            } else {
                "Editors"
            }
        }
    }
}

/// The series line: "Altiplano Festival Booklets, 7" (or the name alone).
pub fn series(s: &Series) -> String {
    match s.position {
        Some(p) => format!("{}, {}", s.name, number(p)),
        None => s.name.clone(),
    }
}

/// A series position as people write it: `2`, not `2.0`.
pub fn number(p: f64) -> String {
    if p.fract() == 0.0 && p.abs() < 1e15 {
        format!("{}", p as i64)
    } else {
        format!("{p}")
    }
}

/// Month names by language (primary subtag); other languages get English.
const MONTHS: &[(&str, [&str; 12])] = &[
    (
        "en",
        [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ],
    ),
    (
        "es",
        [
            "enero",
            "febrero",
            "marzo",
            "abril",
            "mayo",
            "junio",
            "julio",
            "agosto",
            "septiembre",
            "octubre",
            "noviembre",
            "diciembre",
        ],
    ),
    (
        "fr",
        [
            "janvier",
            "février",
            "mars",
            "avril",
            "mai",
            "juin",
            "juillet",
            "août",
            "septembre",
            "octobre",
            "novembre",
            "décembre",
        ],
    ),
    (
        "de",
        [
            "Januar",
            "Februar",
            "März",
            "April",
            "Mai",
            "Juni",
            "Juli",
            "August",
            "September",
            "Oktober",
            "November",
            "Dezember",
        ],
    ),
    (
        "it",
        [
            "gennaio",
            "febbraio",
            "marzo",
            "aprile",
            "maggio",
            "giugno",
            "luglio",
            "agosto",
            "settembre",
            "ottobre",
            "novembre",
            "dicembre",
        ],
    ),
    (
        "pt",
        [
            "janeiro",
            "fevereiro",
            "março",
            "abril",
            "maio",
            "junho",
            "julho",
            "agosto",
            "setembro",
            "outubro",
            "novembro",
            "dezembro",
        ],
    ),
    (
        "nl",
        [
            "januari",
            "februari",
            "maart",
            "april",
            "mei",
            "juni",
            "juli",
            "augustus",
            "september",
            "oktober",
            "november",
            "december",
        ],
    ),
    (
        "ca",
        [
            "de gener",
            "de febrer",
            "de març",
            "d’abril",
            "de maig",
            "de juny",
            "de juliol",
            "d’agost",
            "de setembre",
            "d’octubre",
            "de novembre",
            "de desembre",
        ],
    ),
];

/// A W3C date (`2026-09-18`, `2026-09`, `2026`) written out as readers of `lang` write it:
/// "18 September 2026" (British and most English), "September 18, 2026" (`en-US`),
/// "18 de septiembre de 2026", "18. September 2026", …
pub fn long_date(date: &str, lang: &str) -> String {
    let mut parts = date.split('-');
    let (Some(year), month, day) = (parts.next(), parts.next(), parts.next()) else {
        return date.to_string();
    };
    let Some(m) = month
        .and_then(|m| m.parse::<usize>().ok())
        .filter(|m| (1..=12).contains(m))
    else {
        return year.to_string();
    };
    let primary = crate::lang::primary(lang).to_ascii_lowercase();
    let (code, months) = MONTHS
        .iter()
        .find(|(c, _)| *c == primary)
        .unwrap_or(&MONTHS[0]);
    let month = months[m - 1];
    let day = day.and_then(|d| d.parse::<u32>().ok());
    let us = lang.eq_ignore_ascii_case("en-US");
    match (*code, day) {
        (_, None) if matches!(*code, "es" | "pt") => format!("{month} de {year}"),
        ("ca", None) => format!(
            "{} {year}",
            month.trim_start_matches("de ").trim_start_matches("d’")
        ),
        (_, None) => format!("{month} {year}"),
        ("en", Some(d)) if us => format!("{month} {d}, {year}"),
        ("es" | "pt", Some(d)) => format!("{d} de {month} de {year}"),
        ("de", Some(d)) => format!("{d}. {month} {year}"),
        ("ca", Some(d)) => format!("{d} {month} de {year}"),
        (_, Some(d)) => format!("{d} {month} {year}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_written_out_in_the_book_language() {
        assert_eq!(long_date("2026-09-18", "en-GB"), "18 September 2026");
        assert_eq!(long_date("2026-09-18", "en"), "18 September 2026");
        assert_eq!(long_date("2026-09-18", "en-US"), "September 18, 2026");
        assert_eq!(long_date("2026-09-18", "es"), "18 de septiembre de 2026");
        assert_eq!(long_date("2026-09-01", "de"), "1. September 2026");
        assert_eq!(long_date("2026-08-01", "ca"), "1 d’agost de 2026");
        assert_eq!(long_date("2026-09", "fr"), "septembre 2026");
        assert_eq!(long_date("2026", "fr"), "2026");
        assert_eq!(long_date("2026-09-18", "qu"), "18 September 2026");
    }

    #[test]
    fn positions_read_as_people_write_them() {
        assert_eq!(number(7.0), "7");
        assert_eq!(number(2.5), "2.5");
    }
}

/// What the book prints about its people, its series and its date, decided once when the
/// book is loaded (the resolve step), so the PDF and the EPUB print the same words and
/// neither decides them again.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Words {
    /// The book's byline, a line per role group ("Edited by A, B and C").
    pub byline: Vec<String>,
    /// Each piece's byline lines, by piece index.
    pub pieces: Vec<Vec<String>>,
    /// Everyone once, grouped by role (the colophon).
    pub grouped: Vec<String>,
    /// The series and the book's place in it ("Field Notes, 2").
    pub series: Option<String>,
    /// The date written out as readers of the book's language write it.
    pub date: Option<String>,
    /// The people named only in pieces (the EPUB's contributors).
    pub contributors: Vec<Creator>,
}

impl Words {
    /// The words of `book` (its metadata and its pieces').
    pub fn of(book: &Book) -> Words {
        let m = &book.meta;
        let lang = m.lang.as_deref().unwrap_or("en");
        Words {
            byline: byline(m),
            pieces: book.pieces.iter().map(|p| byline(&p.meta)).collect(),
            grouped: grouped(book),
            series: m.series.as_ref().map(series),
            date: m.date.as_deref().map(|d| long_date(d, lang)),
            contributors: contributors(book),
        }
    }
}
