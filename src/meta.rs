//! Metadata: front matter (YAML `---` / TOML `+++`) and `book.toml` → checked [`Metadata`].
//!
//! Parsing happens in two levels, as ripgrep does with its flags: [`RawMeta`] is what the
//! user wrote (serde, `deny_unknown_fields`, kebab-case); [`resolve`] checks it (language
//! tags, ISBN checksums, dates, people and their roles) and reports every problem as a
//! located [`Diagnostic`]. Layout and output settings live in [`Settings`] (`book.toml` only).

use crate::diag::{Diagnostic, LineCol, nearest};
use crate::settings::{RawSettings, Settings};
use serde::Deserialize;
use std::path::Path;

pub use crate::ident::Identifier;

/// A creator's or contributor's role, with its MARC relator code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Author,
    Interviewer,
    Interviewee,
    Photographer,
    Translator,
    Editor,
}

impl Role {
    /// Every role, in the order metadata lists them.
    pub const ALL: [Role; 6] = [
        Role::Author,
        Role::Interviewer,
        Role::Interviewee,
        Role::Photographer,
        Role::Translator,
        Role::Editor,
    ];

    /// The metadata key that introduces people in this role.
    pub fn key(self) -> &'static str {
        match self {
            Role::Author => "author",
            Role::Interviewer => "interviewer",
            Role::Interviewee => "interviewee",
            Role::Photographer => "photographer",
            Role::Translator => "translator",
            Role::Editor => "editor",
        }
    }

    /// MARC relator code (EPUB `role` refinement).
    pub fn marc(self) -> &'static str {
        match self {
            Role::Author => "aut",
            Role::Interviewer => "ivr",
            Role::Interviewee => "ive",
            Role::Photographer => "pht",
            Role::Translator => "trl",
            Role::Editor => "edt",
        }
    }

    /// Authors and interviewers write the piece (`dc:creator`); the others contribute.
    pub fn is_creator(self) -> bool {
        matches!(self, Role::Author | Role::Interviewer)
    }
}

/// A person with a role; `file_as` is the sort name ("Russo, Kiro").
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Creator {
    pub name: String,
    pub file_as: Option<String>,
    pub role: Role,
}

/// A series the book belongs to, with the book's position in it.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    pub position: Option<f64>,
}

/// By the position's bits (a float has no `Hash`): the memo's keys hash metadata.
impl std::hash::Hash for Series {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        let Series { name, position } = self;
        name.hash(h);
        position.map(f64::to_bits).hash(h);
    }
}

/// Checked metadata of a book or a piece. Absent fields are `None`/empty.
#[derive(Debug, Clone, Default, PartialEq, Hash)]
pub struct Metadata {
    pub title: Option<String>,
    pub subtitle: Option<String>,
    /// The section label above the title ("Interviews").
    pub kicker: Option<String>,
    /// A well-formed BCP 47 tag.
    pub lang: Option<String>,
    pub creators: Vec<Creator>,
    pub publisher: Option<String>,
    /// W3C date: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    pub date: Option<String>,
    pub edition: Option<String>,
    pub identifier: Option<Identifier>,
    pub rights: Option<String>,
    /// The standfirst.
    pub description: Option<String>,
    pub subjects: Vec<String>,
    pub series: Option<Series>,
    /// The cover as written (relative to the book folder or `covers/`); the project resolves it.
    pub cover: Option<String>,
    /// Display text of the fields written in inline Markdown (title, subtitle, kicker,
    /// description), parsed once by the loader: emphasis and smart punctuation for the
    /// outputs that can show them. The plain fields above hold the same text without markup.
    pub rich: Rich,
}

/// Metadata text as inlines (see [`Metadata::rich`]).
#[derive(Debug, Clone, Default, PartialEq, Hash)]
pub struct Rich {
    pub title: Vec<crate::model::Inline>,
    pub subtitle: Vec<crate::model::Inline>,
    pub kicker: Vec<crate::model::Inline>,
    pub description: Vec<crate::model::Inline>,
}

/// What the user wrote, before any check. Shared by front matter and `book.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawMeta {
    title: Option<String>,
    subtitle: Option<String>,
    kicker: Option<String>,
    lang: Option<String>,
    author: Option<toml::Value>,
    interviewer: Option<toml::Value>,
    interviewee: Option<toml::Value>,
    photographer: Option<toml::Value>,
    translator: Option<toml::Value>,
    editor: Option<toml::Value>,
    publisher: Option<String>,
    date: Option<toml::Value>,
    edition: Option<String>,
    identifier: Option<String>,
    rights: Option<String>,
    description: Option<String>,
    subjects: Option<Vec<String>>,
    series: Option<RawSeries>,
    cover: Option<String>,
    /// Layout and output settings: only in `book.toml`.
    pdf: Option<toml::Value>,
    epub: Option<toml::Value>,
    hyphenation: Option<toml::Value>,
    print: Option<toml::Value>,
    /// The reading order: only in `book.toml`.
    pieces: Option<Vec<String>>,
    /// mdBook's book.toml: `[book]` (title, authors, description, language, src) is read;
    /// its other tables (`[build]`, `[output.*]`, `[preprocessor.*]`, `[rust]`) are
    /// mdBook's own business and are left alone.
    book: Option<toml::Value>,
    build: Option<toml::Value>,
    output: Option<toml::Value>,
    preprocessor: Option<toml::Value>,
    rust: Option<toml::Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawSeries {
    name: String,
    position: Option<f64>,
}

/// The keys a metadata block may hold, for "did you mean" hints.
pub const KEYS: &[&str] = &[
    "title",
    "subtitle",
    "kicker",
    "lang",
    "author",
    "interviewer",
    "interviewee",
    "photographer",
    "translator",
    "editor",
    "publisher",
    "date",
    "edition",
    "identifier",
    "rights",
    "description",
    "subjects",
    "series",
    "cover",
    "pdf",
    "epub",
    "hyphenation",
    "print",
    "pieces",
];

/// The syntax of a metadata block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    Yaml,
    Toml,
}

/// A metadata block inside a file: the whole file's text and where the block starts.
pub struct Block<'a> {
    pub path: &'a Path,
    /// The whole file (for line numbers and source lines).
    pub file_text: &'a str,
    /// Byte range of the block's content inside `file_text`.
    pub start: usize,
    pub end: usize,
    pub syntax: Syntax,
}

impl Block<'_> {
    fn content(&self) -> &str {
        &self.file_text[self.start..self.end]
    }

    /// A diagnostic at a byte offset inside the block.
    fn error_at(&self, offset: usize, message: impl Into<String>) -> Diagnostic {
        Diagnostic::error(message).at_offset(self.path, self.file_text, self.start + offset)
    }

    /// A diagnostic at the line where `key` is written (or the block's start).
    pub fn error_at_key(&self, key: &str, message: impl Into<String>) -> Diagnostic {
        let offset = find_key(self.content(), key).unwrap_or(0);
        self.error_at(offset, message)
    }
}

/// Parses a metadata block into raw metadata, reporting syntax errors and unknown keys
/// with their location and the nearest known key.
pub fn parse(block: &Block) -> Result<RawMeta, Diagnostic> {
    match block.syntax {
        Syntax::Yaml => {
            if block.content().trim().is_empty() {
                return Ok(RawMeta::default());
            }
            serde_norway::from_str::<RawMeta>(block.content()).map_err(|e| {
                let msg = e.to_string();
                // serde_norway appends " at line L column C" to its messages; we show it ourselves.
                let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
                let offset = e.location().map(|l| {
                    crate::diag::offset_of(
                        block.content(),
                        LineCol {
                            line: l.line() as u32,
                            col: l.column() as u32,
                        },
                    )
                });
                located_parse_error(block, &msg, offset)
            })
        }
        Syntax::Toml => toml::from_str::<RawMeta>(block.content()).map_err(|e| {
            let offset = e.span().map(|s| s.start);
            located_parse_error(block, e.message().trim(), offset)
        }),
    }
}

fn located_parse_error(block: &Block, msg: &str, offset: Option<usize>) -> Diagnostic {
    if let Some(key) = unknown_field(msg) {
        let offset = find_key(block.content(), &key).or(offset).unwrap_or(0);
        let mut d = block.error_at(offset, format!("unknown metadata key `{key}`"));
        d = match nearest(&key, KEYS.iter().copied()) {
            Some(near) => d.hint(format!("did you mean `{near}`?")),
            None => d.hint(format!("known keys: {}", KEYS.join(", "))),
        };
        return d;
    }
    let what = match block.syntax {
        Syntax::Yaml => "YAML",
        Syntax::Toml => "TOML",
    };
    block.error_at(
        offset.unwrap_or(0),
        format!(
            "malformed {what} metadata: {}",
            crate::diag::plain_serde(msg)
        ),
    )
}

/// The field name in serde's "unknown field `x`, expected …" message.
fn unknown_field(msg: &str) -> Option<String> {
    let rest = msg.split("unknown field `").nth(1)?;
    Some(rest.split('`').next()?.to_string())
}

/// The byte offset of `key` written as a mapping key (`key:`, `key =`, `- key:`, `[key]`).
pub fn find_key(text: &str, key: &str) -> Option<usize> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        let body = trimmed
            .trim_start_matches("- ")
            .trim_start_matches("[[")
            .trim_start_matches('[');
        let lead = trimmed.len() - body.len();
        let body = body.trim_start_matches('"');
        if let Some(after) = body.strip_prefix(key) {
            let after = after.trim_start_matches('"').trim_start();
            if after.starts_with(':') || after.starts_with('=') || after.starts_with(']') {
                return Some(offset + indent + lead);
            }
        }
        offset += line.len();
    }
    None
}

/// Checks raw metadata. Returns the metadata and the settings (if any were written), or
/// every error found.
pub fn resolve(
    raw: RawMeta,
    block: &Block,
    allow_settings: bool,
) -> Result<(Metadata, Option<RawSettings>), Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let mut meta = Metadata {
        title: non_empty(raw.title),
        subtitle: non_empty(raw.subtitle),
        kicker: non_empty(raw.kicker),
        publisher: non_empty(raw.publisher),
        edition: non_empty(raw.edition),
        rights: non_empty(raw.rights),
        description: non_empty(raw.description),
        subjects: raw
            .subjects
            .unwrap_or_default()
            .into_iter()
            .filter(|s| !s.trim().is_empty())
            .collect(),
        cover: non_empty(raw.cover),
        ..Metadata::default()
    };
    if let Some(lang) = raw.lang {
        match crate::lang::check(&lang) {
            Ok(tag) => meta.lang = Some(tag),
            Err(why) => errors.push(
                block
                    .error_at_key("lang", format!("invalid language tag `{lang}`: {why}"))
                    .hint("use a BCP 47 tag such as `en`, `en-US`, `es` or `pt-BR`"),
            ),
        }
    }
    let people = [
        (Role::Author, raw.author),
        (Role::Interviewer, raw.interviewer),
        (Role::Interviewee, raw.interviewee),
        (Role::Photographer, raw.photographer),
        (Role::Translator, raw.translator),
        (Role::Editor, raw.editor),
    ];
    for (role, value) in people {
        if let Some(v) = value {
            match people_of(&v, role) {
                Ok(list) => meta.creators.extend(list),
                Err(msg) => errors.push(
                    block
                        .error_at_key(role.key(), msg)
                        .hint(format!("write `{0}: Name`, a list of names, or `{{ name = \"…\", file-as = \"Last, First\" }}` entries", role.key())),
                ),
            }
        }
    }
    // People in the order the metadata names them: by where each role's key is written
    // (`[[editor]]` before `photographer` puts the editors first), in order within a role.
    let content = block.content();
    meta.creators
        .sort_by_key(|c| find_key(content, c.role.key()).unwrap_or(usize::MAX));
    if let Some(date) = raw.date {
        match date_of(&date) {
            Ok(d) => meta.date = Some(d),
            Err(msg) => errors.push(
                block
                    .error_at_key("date", msg)
                    .hint("write the date as YYYY-MM-DD, YYYY-MM or YYYY"),
            ),
        }
    }
    if let Some(id) = raw.identifier {
        match Identifier::parse(&id) {
            Ok(i) => meta.identifier = Some(i),
            Err((msg, hint)) => errors.push(block.error_at_key("identifier", msg).hint(hint)),
        }
    }
    if let Some(s) = raw.series {
        if s.name.trim().is_empty() {
            errors.push(block.error_at_key("series", "the series needs a name"));
        } else if s.position.is_some_and(|p| !(p.is_finite() && p >= 0.0)) {
            errors.push(block.error_at_key(
                "series",
                "the series position must be a number of at least 0",
            ));
        } else {
            meta.series = Some(Series {
                name: s.name.trim().to_string(),
                position: s.position,
            });
        }
    }
    let src = match &raw.book {
        Some(book) => mdbook(book, &mut meta, block, &mut errors),
        None => None,
    };
    // mdBook's own tables: allowed (and left alone) in book.toml only.
    let mdbook_tables = raw.book.is_some()
        || raw.build.is_some()
        || raw.output.is_some()
        || raw.preprocessor.is_some()
        || raw.rust.is_some();
    let settings = RawSettings {
        pdf: raw.pdf,
        epub: raw.epub,
        hyphenation: raw.hyphenation,
        print: raw.print,
        pieces: raw.pieces,
        src,
    };
    let has_settings = settings.pdf.is_some()
        || settings.epub.is_some()
        || settings.hyphenation.is_some()
        || settings.print.is_some()
        || settings.pieces.is_some()
        || settings.src.is_some();
    if (has_settings || mdbook_tables) && !allow_settings {
        let keys = [
            "pdf",
            "epub",
            "hyphenation",
            "print",
            "pieces",
            "book",
            "build",
            "output",
            "preprocessor",
            "rust",
        ];
        for key in keys {
            if find_key(block.content(), key).is_some() {
                errors.push(
                    block
                        .error_at_key(key, format!("`{key}` settings belong in book.toml, not in a piece's front matter"))
                        .hint("move this table to the book folder's book.toml"),
                );
            }
        }
    }
    if errors.is_empty() {
        Ok((meta, has_settings.then_some(settings)))
    } else {
        Err(errors)
    }
}

/// mdBook's `[book]` table: its title, authors, description and language fill what
/// folio's own keys leave unset; its `src` (the chapters' folder) is returned. Its other
/// keys (`multilingual`, `text-direction`) change nothing here.
fn mdbook(
    book: &toml::Value,
    meta: &mut Metadata,
    block: &Block,
    errors: &mut Vec<Diagnostic>,
) -> Option<String> {
    let text = |k: &str| book.get(k).and_then(|v| v.as_str()).map(str::trim);
    if meta.title.is_none() {
        meta.title = non_empty(text("title").map(String::from));
    }
    if meta.description.is_none() {
        meta.description = non_empty(text("description").map(String::from));
    }
    if meta.lang.is_none()
        && let Some(lang) = text("language")
    {
        match crate::lang::check(lang) {
            Ok(tag) => meta.lang = Some(tag),
            Err(why) => errors.push(
                block
                    .error_at_key("language", format!("invalid language tag `{lang}`: {why}"))
                    .hint("use a BCP 47 tag such as `en`, `en-US`, `es` or `pt-BR`"),
            ),
        }
    }
    if meta.creators.is_empty()
        && let Some(authors) = book.get("authors").and_then(|v| v.as_array())
    {
        meta.creators = authors
            .iter()
            .filter_map(|a| a.as_str().map(str::trim).filter(|a| !a.is_empty()))
            .map(|name| Creator {
                name: name.to_string(),
                file_as: None,
                role: Role::Author,
            })
            .collect();
    }
    non_empty(text("src").map(String::from)).filter(|s| s != ".")
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

fn people_of(v: &toml::Value, role: Role) -> Result<Vec<Creator>, String> {
    let one = |v: &toml::Value| -> Result<Creator, String> {
        match v {
            toml::Value::String(s) if !s.trim().is_empty() => Ok(Creator {
                name: s.trim().to_string(),
                file_as: None,
                role,
            }),
            toml::Value::Table(t) => {
                for k in t.keys() {
                    if k != "name" && k != "file-as" {
                        let hint = nearest(k, ["name", "file-as"])
                            .map(|n| format!(" (did you mean `{n}`?)"))
                            .unwrap_or_default();
                        return Err(format!("unknown key `{k}` in `{}`{hint}", role.key()));
                    }
                }
                let name = t
                    .get("name")
                    .and_then(|n| n.as_str())
                    .map(str::trim)
                    .filter(|n| !n.is_empty());
                let name = name.ok_or_else(|| format!("every `{}` needs a `name`", role.key()))?;
                let file_as = match t.get("file-as") {
                    None => None,
                    Some(toml::Value::String(f)) => non_empty(Some(f.clone())),
                    Some(_) => return Err("`file-as` must be text".into()),
                };
                Ok(Creator {
                    name: name.to_string(),
                    file_as,
                    role,
                })
            }
            _ => Err(format!(
                "`{}` must be a name or a table with `name` and `file-as`",
                role.key()
            )),
        }
    };
    match v {
        toml::Value::Array(items) => items.iter().map(one).collect(),
        other => Ok(vec![one(other)?]),
    }
}

fn date_of(v: &toml::Value) -> Result<String, String> {
    let text = match v {
        toml::Value::String(s) => s.trim().to_string(),
        toml::Value::Datetime(d) if d.date.is_some() && d.time.is_none() => d.to_string(),
        toml::Value::Datetime(_) => {
            return Err("the date must be a calendar date without a time".into());
        }
        toml::Value::Integer(y) => y.to_string(),
        _ => return Err("the date must be text such as 2026-11-24".into()),
    };
    if let Some(reading) = other_date_order(&text) {
        return Err(format!(
            "the date `{text}` is not written as YYYY-MM-DD; did you mean `{reading}`?"
        ));
    }
    check_date(&text)
        .map(|()| text.clone())
        .map_err(|why| format!("invalid date `{text}`: {why}"))
}

/// The likely W3C reading of a date written day first or month first with `/` or `.`
/// (`18/09/2026`, `9.18.2026`): day first unless that cannot be (as most of the world
/// writes dates), the year always last.
fn other_date_order(text: &str) -> Option<String> {
    let parts: Vec<&str> = text.split(['/', '.']).collect();
    let [a, b, y] = parts.as_slice() else {
        return None;
    };
    let n = |p: &str| p.parse::<u32>().ok().filter(|_| (1..=2).contains(&p.len()));
    let (a, b) = (n(a)?, n(b)?);
    if y.len() != 4 || !y.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let (day, month) = if a > 12 || b <= 12 { (a, b) } else { (b, a) };
    let reading = format!("{y}-{month:02}-{day:02}");
    check_date(&reading).ok().map(|()| reading)
}

/// Checks a W3C date (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`).
pub fn check_date(s: &str) -> Result<(), &'static str> {
    let parts: Vec<&str> = s.split('-').collect();
    let num = |p: &str, len: usize| {
        (p.len() == len && p.bytes().all(|b| b.is_ascii_digit()))
            .then(|| p.parse::<u32>().ok())
            .flatten()
    };
    let year = parts
        .first()
        .and_then(|p| num(p, 4))
        .ok_or("the year must have four digits")?;
    if parts.len() > 3 {
        return Err("expected YYYY-MM-DD");
    }
    if let Some(m) = parts.get(1) {
        let month = num(m, 2)
            .filter(|m| (1..=12).contains(m))
            .ok_or("the month must be 01 to 12")?;
        if let Some(d) = parts.get(2) {
            let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
            let days = [
                31,
                if leap { 29 } else { 28 },
                31,
                30,
                31,
                30,
                31,
                31,
                30,
                31,
                30,
                31,
            ][month as usize - 1];
            num(d, 2)
                .filter(|d| (1..=days).contains(d))
                .ok_or("no such day in that month")?;
        }
    }
    Ok(())
}

/// Parses `book.toml`.
pub fn parse_book_toml(path: &Path, text: &str) -> Result<(Metadata, Settings), Vec<Diagnostic>> {
    let block = Block {
        path,
        file_text: text,
        start: 0,
        end: text.len(),
        syntax: Syntax::Toml,
    };
    let raw = parse(&block).map_err(|d| vec![d])?;
    let (meta, settings) = resolve(raw, &block, true)?;
    let settings = crate::settings::resolve(settings.unwrap_or_default(), &block)?;
    Ok((meta, settings))
}

/// Merges piece metadata over book metadata where the piece is silent (language, publisher…).
pub fn inherit(piece: &mut Metadata, book: &Metadata) {
    if piece.lang.is_none() {
        piece.lang = book.lang.clone();
    }
    if piece.publisher.is_none() {
        piece.publisher = book.publisher.clone();
    }
    if piece.rights.is_none() {
        piece.rights = book.rights.clone();
    }
}
