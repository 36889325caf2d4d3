//! The words the book prints about its people, its date and its series, decided once for
//! both back ends: metadata in → bylines, grouped credits, the date written out, the series
//! line out.
//!
//! Book-level people (`book.toml`) are the book's creators: the title page and `dc:creator`.
//! People named only in a piece are that piece's contributors: its byline, its line in the
//! contents, and `dc:contributor`. The copyright page credits everyone once, grouped by role.

use crate::meta::{Creator, Metadata, Role, Series};

/// One person as the book credits them: the name, the sort name (the first `file-as` the
/// book gives for that name, wherever it is given) and every role, in [`Role::ALL`] order.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Person {
    pub name: String,
    pub file_as: Option<String>,
    pub roles: Vec<Role>,
}

/// The people of `creators`, once each (by name), in the order first named, with every role
/// each has there.
pub fn people<'a>(creators: impl IntoIterator<Item = &'a Creator>) -> Vec<Person> {
    let mut out: Vec<Person> = Vec::new();
    for c in creators {
        match out.iter_mut().find(|p| p.name == c.name) {
            Some(p) => {
                if !p.roles.contains(&c.role) {
                    p.roles.push(c.role);
                }
                if p.file_as.is_none() {
                    p.file_as.clone_from(&c.file_as);
                }
            }
            None => out.push(Person {
                name: c.name.clone(),
                file_as: c.file_as.clone(),
                roles: vec![c.role],
            }),
        }
    }
    for p in &mut out {
        p.roles
            .sort_by_key(|r| Role::ALL.iter().position(|a| a == r));
    }
    out
}

/// What a role's work is called when one person did several ("Photographs and text by").
fn noun(role: Role) -> &'static str {
    match role {
        Role::Author => "text",
        Role::Interviewer => "interview",
        Role::Interviewee => "interviewee",
        Role::Photographer => "photographs",
        Role::Translator => "translation",
        Role::Editor => "editing",
    }
}

/// Several roles' work as one phrase, capitalised: "Photographs and text" (the text last, as
/// credits read).
fn nouns(roles: &[Role]) -> String {
    let mut words: Vec<&str> = roles
        .iter()
        .filter(|r| **r != Role::Author)
        .map(|r| noun(*r))
        .collect();
    if roles.contains(&Role::Author) {
        words.push(noun(Role::Author));
    }
    let joined = match words.len() {
        0 => String::new(),
        1 => words[0].to_string(),
        k => format!("{} and {}", words[..k - 1].join(", "), words[k - 1]),
    };
    let mut chars = joined.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// People joined as English prose: "A", "A and B", "A, B and C"; no line breaks inside a
/// person's name (its spaces are no-break spaces: a byline never leaves "Ana" on one line
/// and "Arce" on the next).
fn named(people: &[&Person]) -> String {
    let n: Vec<String> = people
        .iter()
        .map(|p| p.name.replace(' ', "\u{a0}"))
        .collect();
    match n.len() {
        0 => String::new(),
        1 => n[0].clone(),
        k => format!("{} and {}", n[..k - 1].join(", "), n[k - 1]),
    }
}

/// A set of roles and the people who have exactly that set.
type Group<'p> = (Vec<Role>, Vec<&'p Person>);

/// People with the same set of roles (as `roles` reads them), in the order the first of each
/// set is named.
fn by_roles(people: &[Person], roles: impl Fn(&Person) -> Vec<Role>) -> Vec<Group<'_>> {
    let mut groups: Vec<Group> = Vec::new();
    for p in people {
        let set = roles(p);
        if set.is_empty() {
            continue;
        }
        match groups.iter_mut().find(|(r, _)| *r == set) {
            Some((_, ps)) => ps.push(p),
            None => groups.push((set, vec![p])),
        }
    }
    groups
}

/// Byline lines for a piece or the book, each person credited once: "By A", "Interview by A
/// with B" (or "Interview by A", "An interview with B"), "Photographs by …", "Photographs
/// and text by …", "Translated by …", "Edited by …"; in the order the metadata first names
/// each line's roles. The PDF joins them with a middle dot, the EPUB prints one per line.
pub fn byline(meta: &Metadata) -> Vec<String> {
    let people = people(&meta.creators);
    let interviewees: Vec<&Person> = people
        .iter()
        .filter(|p| p.roles.contains(&Role::Interviewee))
        .collect();
    let groups = by_roles(&people, |p| {
        p.roles
            .iter()
            .copied()
            .filter(|r| *r != Role::Interviewee)
            .collect()
    });
    let with = |line: String| match interviewees.is_empty() {
        true => line,
        false => format!("{line} with {}", named(&interviewees)),
    };
    let mut lines: Vec<(Vec<Role>, String)> = Vec::new();
    for (roles, ps) in &groups {
        let line = match roles.as_slice() {
            [Role::Author] => format!("By {}", named(ps)),
            [Role::Interviewer] => with(format!("Interview by {}", named(ps))),
            [Role::Photographer] => format!("Photographs by {}", named(ps)),
            [Role::Translator] => format!("Translated by {}", named(ps)),
            [Role::Editor] => format!("Edited by {}", named(ps)),
            several if several.contains(&Role::Interviewer) => {
                with(format!("{} by {}", nouns(several), named(ps)))
            }
            several => format!("{} by {}", nouns(several), named(ps)),
        };
        let mut key = roles.clone();
        if roles.contains(&Role::Interviewer) {
            key.push(Role::Interviewee);
        }
        lines.push((key, line));
    }
    let interviewed = groups.iter().any(|(r, _)| r.contains(&Role::Interviewer));
    if !interviewees.is_empty() && !interviewed {
        let line = format!("An interview with {}", named(&interviewees));
        lines.push((vec![Role::Interviewee], line));
    }
    let first = |roles: &[Role]| {
        meta.creators
            .iter()
            .position(|c| roles.contains(&c.role))
            .unwrap_or(usize::MAX)
    };
    lines.sort_by_key(|(roles, _)| first(roles));
    lines.into_iter().map(|(_, l)| l).collect()
}

/// The colophon's credits: everyone in the book once, grouped by what they did ("Editors:
/// A, B and C", "Photographs and text: D"), in [`Role::ALL`] order of each group's first
/// role.
pub fn grouped(people: &[Person]) -> Vec<String> {
    let mut groups = by_roles(people, |p| p.roles.clone());
    groups.sort_by_key(|(roles, _)| {
        roles
            .first()
            .and_then(|r| Role::ALL.iter().position(|a| a == r))
    });
    groups
        .into_iter()
        .map(|(roles, ps)| {
            let label = match roles.as_slice() {
                [one] => role_label(*one, ps.len()).to_string(),
                several => nouns(several),
            };
            format!("{label}: {}", named(&ps))
        })
        .collect()
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

/// What the book prints about its people, its date and its series, decided once by
/// `resolve` so the PDF and the EPUB print the same words and neither decides them again.
#[derive(Debug, Clone, Default, PartialEq, Hash)]
pub struct Words {
    /// The book's byline, a line per role group ("Edited by A, B and C").
    pub byline: Vec<String>,
    /// Each piece's byline lines, by piece index.
    pub pieces: Vec<Vec<String>>,
    /// Everyone once, grouped by what they did (the colophon).
    pub grouped: Vec<String>,
    /// The series and the book's place in it ("Field Notes, 2").
    pub series: Option<String>,
    /// The date written out as readers of the book's language write it.
    pub date: Option<String>,
    /// Everyone in the book once: the book's creators (book-level people) first, then the
    /// people named only in pieces; each with every role they have anywhere in the book and
    /// one sort name.
    pub people: Vec<Person>,
    /// How many of `people` are the book's creators (the EPUB's `dc:creator`); the rest
    /// contribute (`dc:contributor`).
    pub creators: usize,
}

impl Words {
    /// The words of a book with metadata `book` and pieces' metadata `pieces`, whose
    /// language is `lang`.
    pub fn of(book: &Metadata, pieces: &[&Metadata], lang: &str) -> Words {
        let creators = people(&book.creators).len();
        let everyone = people(
            book.creators
                .iter()
                .chain(pieces.iter().flat_map(|p| p.creators.iter())),
        );
        Words {
            byline: byline(book),
            pieces: pieces.iter().map(|p| byline(p)).collect(),
            grouped: grouped(&everyone),
            series: book.series.as_ref().map(series),
            date: book.date.as_deref().map(|d| long_date(d, lang)),
            people: everyone,
            creators,
        }
    }
}
