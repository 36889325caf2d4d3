//! The `editions` fuzz target's harness, shared with the property test in
//! `tests/editions.rs`: arbitrary bytes → a small book and a sequence of edits. After
//! every edit the book is built twice, each into its own folder: in one [`Session`] that
//! keeps its memo across all the edits (what `folio watch` does) and cold, in a fresh
//! build (what `folio build` does). The two must agree to the byte: every output (the PDF,
//! the print PDF, the booklet, the EPUB, the manifest), the changed-pages report and the
//! warnings, or the errors of a broken edit.
//!
//! The edits are the ones an editor makes: a word inserted, deleted or replaced, a
//! paragraph split or joined, a heading, footnote, pull quote, table row or figure added
//! or removed, a piece added, removed or renamed, a piece's title, `book.toml`'s title,
//! people, `lang`, page size, fonts and `[print]` changed, a file saved without a change,
//! and a broken `book.toml` followed by its fix.

use crate::build::{Options, Report, Session, build, build_in};
use crate::diag::{DiagResult, Diagnostic};
use std::path::{Path, PathBuf};

/// Edits one input makes at most: enough for edits to meet (a figure added, then its
/// piece renamed, then the page size changed), few enough that an input runs in seconds.
pub const MAX_EDITS: usize = 8;

/// How many kinds of edit there are (an input's byte picks one, modulo this).
pub const KINDS: usize = 30;

/// The words an edit inserts: plain, accented, long enough to hyphenate.
const WORDS: &[&str] = &[
    "river",
    "the",
    "extraordinarily",
    "Petrona",
    "café",
    "—",
    "incomprehensibility",
    "wind",
    "señora",
    "Altiplano",
    "a",
    "quietly",
];

/// The pieces' first names; an added piece takes the next.
const PIECE_NAMES: &[&str] = &["01-opening", "02-voices", "03-programme", "04-notes"];

/// A piece's body when it is made: a note, an interview, a table, a pull quote.
const BODY: &str = "The festival opened in the rain, and nobody left before the last reel.[^a]

**Ana Ruiz:** Why the wind?

**Ben Ode:** Because that is how the film began for me. Before I had a story I had a recording, and I listened to it a hundred times in a small room in Lima.

| Film | Hall | Time |
|---|---|---|
| La hija del viento | Cine Illampu | 19:00 |

::: pullquote
“I wanted the wind to be the loudest thing in the film.”
:::

The projectionist carried the reels up the hill on his back, two at a time, and threaded them by the light of a torch.

[^a]: The rain stopped at nine.
";

/// The book being edited, in memory.
struct Book {
    title: String,
    lang: &'static str,
    page: &'static str,
    editors: Vec<&'static str>,
    fonts: bool,
    print: bool,
    /// `date` in book.toml; without it the build's clock comes from the files' times.
    dated: bool,
    /// `book.toml` has a syntax error (the next edit fixes it).
    broken: bool,
    pieces: Vec<Piece>,
    /// How many figures and notes were ever added (their names stay unique).
    made: usize,
}

struct Piece {
    file: String,
    title: String,
    body: String,
}

impl Book {
    fn toml(&self) -> String {
        let mut s = format!("title = \"{}\"\nlang = \"{}\"\n", self.title, self.lang);
        if self.dated {
            s += "date = \"2026-09-18\"\n";
        }
        if self.broken {
            s += "subtitle = \"never closed\n";
        }
        for e in &self.editors {
            s += &format!("\n[[editor]]\nname = \"{e}\"\n");
        }
        s += &format!("\n[pdf]\npage-size = \"{}\"\n", self.page);
        if self.fonts {
            s += "fonts = { regular = \"fonts/Body.ttf\" }\n";
        }
        if self.print {
            s += "\n[print]\nbleed = \"3mm\"\ncrop-marks = true\n";
        }
        s
    }
}

impl Piece {
    fn text(&self) -> String {
        format!("---\ntitle: {}\n---\n\n{}", self.title, self.body)
    }
}

/// The bytes of a fuzz input, read one decision at a time.
struct Input<'a> {
    data: &'a [u8],
    at: usize,
}

impl Input<'_> {
    fn byte(&mut self) -> Option<u8> {
        let b = self.data.get(self.at).copied();
        self.at += 1;
        b
    }
    /// A number below `n` (0 for `n` = 0).
    fn pick(&mut self, n: usize) -> Option<usize> {
        let hi = usize::from(self.byte()?);
        let lo = usize::from(self.byte().unwrap_or(0));
        Some((hi << 8 | lo) % n.max(1))
    }
}

/// Where a run of edits happens: the book and the two output folders.
struct Folders {
    root: PathBuf,
    book: PathBuf,
    warm: PathBuf,
    cold: PathBuf,
}

impl Folders {
    fn new() -> Folders {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static RUN: AtomicUsize = AtomicUsize::new(0);
        let n = RUN.fetch_add(1, Ordering::Relaxed);
        let root = std::env::temp_dir().join(format!("folio-editions-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let book = root.join("book");
        let _ = std::fs::create_dir_all(book.join("images"));
        let _ = std::fs::create_dir_all(book.join("fonts"));
        Folders {
            warm: root.join("warm"),
            cold: root.join("cold"),
            book,
            root,
        }
    }
}

impl Drop for Folders {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// The repository's files the edits copy in (a font, two images).
fn asset(path: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap_or_default()
}

/// Runs the edits `data` describes; returns how many builds were compared, or the first
/// difference between a session's build and a cold one.
pub fn run(data: &[u8]) -> Result<usize, String> {
    let mut input = Input { data, at: 0 };
    let folders = Folders::new();
    let first = input.byte().unwrap_or(0);
    let mut book = Book {
        title: "Voices from the Altiplano".to_string(),
        lang: ["en", "en-GB", "es"][usize::from(first) % 3],
        page: "a5",
        editors: vec!["Lucía Arancibia"],
        fonts: first & 0x08 != 0,
        print: first & 0x10 != 0,
        dated: first & 0x20 != 0,
        broken: false,
        pieces: (0..1 + usize::from(first >> 6).min(2))
            .map(|i| Piece {
                file: format!("{}.md", PIECE_NAMES[i]),
                title: format!("Piece {}", i + 1),
                body: BODY.to_string(),
            })
            .collect(),
        made: 0,
    };
    let _ = std::fs::write(
        folders.book.join("fonts/Body.ttf"),
        asset("fonts/EBGaramond-Italic.ttf"),
    );
    write_all(&folders.book, &book);
    let mut session = Session::default();
    session.threads = Some(2);
    let mut compared = 0;
    compare(&mut session, &folders, "the first build")?;
    compared += 1;
    for _ in 0..MAX_EDITS {
        let Some(what) = edit(&mut input, &mut book, &folders.book) else {
            break;
        };
        compare(&mut session, &folders, &what)?;
        compared += 1;
    }
    Ok(compared)
}

fn write_all(dir: &Path, book: &Book) {
    let _ = std::fs::write(dir.join("book.toml"), book.toml());
    for p in &book.pieces {
        let _ = std::fs::write(dir.join(&p.file), p.text());
    }
}

/// Builds the book in the session and cold; an error names the edit and what differed.
fn compare(session: &mut Session, f: &Folders, edit: &str) -> Result<(), String> {
    let options = |out: &Path| Options {
        out_dir: out.to_path_buf(),
        pdf: true,
        epub: true,
        print: Default::default(),
        pdf_standard: None,
    };
    let project = match crate::project::Project::open(&f.book) {
        Ok(p) => p,
        Err(_) => return Ok(()),
    };
    let warm = build_in(session, &project, &options(&f.warm), &mut |_| {});
    let cold = build(&project, &options(&f.cold), &mut |_| {});
    let fail = |what: String| Err(format!("after {edit}: {what}"));
    match (warm, cold) {
        (Ok(w), Ok(c)) => {
            if w.changes != c.changes {
                return fail(format!("changes {:?} / cold {:?}", w.changes, c.changes));
            }
            if rendered(&w.warnings) != rendered(&c.warnings) {
                return fail(format!(
                    "warnings\n{}\n/ cold\n{}",
                    rendered(&w.warnings).join("\n"),
                    rendered(&c.warnings).join("\n")
                ));
            }
            same_outputs(&w, &c, f).or_else(fail)
        }
        (Err(w), Err(c)) if rendered(&w) == rendered(&c) => Ok(()),
        (w, c) => fail(format!("{} / cold {}", outcome(&w), outcome(&c))),
    }
}

fn rendered(d: &[Diagnostic]) -> Vec<String> {
    d.iter().map(|d| d.render(false)).collect()
}

fn outcome(r: &DiagResult<Report>) -> String {
    match r {
        Ok(_) => "built".to_string(),
        Err(d) => format!("failed: {}", rendered(d).join("\n")),
    }
}

/// The same files by name in both folders, with the same bytes.
fn same_outputs(w: &Report, c: &Report, f: &Folders) -> Result<(), String> {
    let names = |r: &Report| -> Vec<String> {
        let mut n: Vec<String> = r
            .outputs
            .iter()
            .filter_map(|p| p.file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .collect();
        n.sort();
        n
    };
    let (wn, cn) = (names(w), names(c));
    if wn != cn {
        return Err(format!("outputs {wn:?} / cold {cn:?}"));
    }
    for n in wn {
        let (a, b) = (
            std::fs::read(f.warm.join(&n)),
            std::fs::read(f.cold.join(&n)),
        );
        match (a, b) {
            (Ok(a), Ok(b)) if a == b => {}
            (Ok(a), Ok(b)) => {
                let at = a.iter().zip(&b).position(|(x, y)| x != y);
                return Err(format!(
                    "{n} differs ({} / {} bytes, first at {at:?})",
                    a.len(),
                    b.len()
                ));
            }
            _ => return Err(format!("{n} cannot be read")),
        }
    }
    Ok(())
}

/// Makes the next edit the input asks for; `None` when the input is used up. Returns
/// what the edit was, for the report of a difference.
fn edit(input: &mut Input, book: &mut Book, dir: &Path) -> Option<String> {
    // A broken book.toml is fixed by the next edit, whatever the input says.
    if book.broken {
        book.broken = false;
        let _ = std::fs::write(dir.join("book.toml"), book.toml());
        return Some("book.toml fixed".to_string());
    }
    let op = input.byte()?;
    let p = input.pick(book.pieces.len())?;
    let word = WORDS[input.pick(WORDS.len())?];
    let at = input.pick(usize::MAX)?;
    book.made += 1;
    let n = book.made;
    let what = match usize::from(op) % KINDS {
        0 => text_edit(
            book,
            p,
            dir,
            |b| insert_at_space(b, at, &format!(" {word}")),
            "a word inserted",
        ),
        1 => text_edit(book, p, dir, |b| delete_word(b, at), "a word deleted"),
        2 => text_edit(
            book,
            p,
            dir,
            |b| replace_word(b, at, word),
            "a word replaced",
        ),
        3 => text_edit(book, p, dir, |b| split_at_space(b, at), "a paragraph split"),
        4 => text_edit(
            book,
            p,
            dir,
            |b| join_paragraphs(b, at),
            "paragraphs joined",
        ),
        5 => text_edit(
            book,
            p,
            dir,
            |b| add_block(b, at, &format!("## A {word} heading {n}")),
            "a heading added",
        ),
        6 => text_edit(book, p, dir, |b| remove_line(b, "## "), "a heading removed"),
        7 => text_edit(
            book,
            p,
            dir,
            |b| add_note(b, at, n, word),
            "a footnote added",
        ),
        8 => text_edit(book, p, dir, |b| remove_line(b, "[^"), "a footnote removed"),
        9 => text_edit(
            book,
            p,
            dir,
            |b| {
                add_block(
                    b,
                    at,
                    &format!("::: pullquote\n“The {word} came down from the hills.”\n:::"),
                )
            },
            "a pull quote added",
        ),
        10 => text_edit(book, p, dir, remove_pull_quote, "a pull quote removed"),
        11 => text_edit(book, p, dir, |b| add_row(b, word), "a table row added"),
        12 => text_edit(book, p, dir, remove_row, "a table row removed"),
        13 => {
            let (src, file) = match n % 2 {
                0 => (
                    format!("images/f{n}.png"),
                    "tests/fixtures/images/alpha.png",
                ),
                _ => (
                    format!("images/f{n}.jpg"),
                    "tests/fixtures/images/gradient.jpg",
                ),
            };
            let _ = std::fs::write(dir.join(&src), asset(file));
            let figure = format!("![A {word} in the square.]({src} \"The {word}, photographed.\")");
            text_edit(
                book,
                p,
                dir,
                |b| add_block(b, at, &figure),
                "a figure added",
            )
        }
        14 => text_edit(book, p, dir, |b| remove_line(b, "!["), "a figure removed"),
        15 if book.pieces.len() < PIECE_NAMES.len() => {
            let name = PIECE_NAMES
                .iter()
                .find(|n| !book.pieces.iter().any(|p| p.file.starts_with(*n)))?;
            book.pieces.push(Piece {
                file: format!("{name}.md"),
                title: format!("A {word} piece"),
                body: BODY.replace("rain", word),
            });
            write_piece(book, book.pieces.len() - 1, dir);
            "a piece added".to_string()
        }
        16 if book.pieces.len() > 1 => {
            let gone = book.pieces.remove(p);
            let _ = std::fs::remove_file(dir.join(gone.file));
            "a piece removed".to_string()
        }
        17 => {
            let old = book.pieces[p].file.clone();
            let new = match old.strip_suffix("-renamed.md") {
                Some(stem) => format!("{stem}.md"),
                None => old.replace(".md", "-renamed.md"),
            };
            let _ = std::fs::rename(dir.join(&old), dir.join(&new));
            book.pieces[p].file = new;
            "a piece renamed".to_string()
        }
        18 => {
            book.pieces[p].title = format!("The {word} and the road");
            write_piece(book, p, dir);
            "a piece's title changed".to_string()
        }
        19 => toml_edit(
            book,
            dir,
            |b| b.title = format!("The {word} Booklet"),
            "the book's title changed",
        ),
        20 => toml_edit(
            book,
            dir,
            |b| match b.editors.len() {
                1 => b.editors.push("Tom Whitcombe"),
                _ => b.editors.truncate(1),
            },
            "the book's people changed",
        ),
        21 => toml_edit(
            book,
            dir,
            |b| b.lang = ["en", "es", "de", "en-GB"][n % 4],
            "lang changed",
        ),
        22 => toml_edit(book, dir, |b| b.fonts = !b.fonts, "the fonts changed"),
        23 => toml_edit(book, dir, |b| b.print = !b.print, "[print] changed"),
        24 => toml_edit(
            book,
            dir,
            |b| b.page = ["a5", "a4", "6x9"][n % 3],
            "the page size changed",
        ),
        25 => toml_edit(book, dir, |b| b.broken = true, "book.toml broken"),
        26 => {
            // The font file replaced under the same name (and used).
            let face = ["EBGaramond-SemiBold.ttf", "EBGaramond-Italic.ttf"][n % 2];
            let _ = std::fs::write(dir.join("fonts/Body.ttf"), asset(&format!("fonts/{face}")));
            toml_edit(book, dir, |b| b.fonts = true, "the font file replaced")
        }
        27 => {
            // A link to a piece (or to a heading of it): the book's list of link targets,
            // numbered in the order the whole book first names them, moves for the pieces
            // after.
            let q = at % book.pieces.len();
            let file = book.pieces[q].file.clone();
            let to = [
                file.clone(),
                format!("{file}#a-heading"),
                "#a-heading".to_string(),
            ];
            let to = &to[n % 3];
            text_edit(
                book,
                p,
                dir,
                |b| insert_at_space(b, at, &format!(" [see the {word}]({to})")),
                "a link added",
            )
        }
        28 => text_edit(book, p, dir, remove_link, "a link removed"),
        _ => {
            // Saved without a change (the file's time moves, its bytes do not).
            write_piece(book, p, dir);
            "a file saved without a change".to_string()
        }
    };
    Some(what)
}

fn write_piece(book: &Book, i: usize, dir: &Path) {
    let piece = &book.pieces[i];
    let _ = std::fs::write(dir.join(&piece.file), piece.text());
}

fn text_edit(
    book: &mut Book,
    p: usize,
    dir: &Path,
    change: impl FnOnce(&mut String),
    what: &str,
) -> String {
    change(&mut book.pieces[p].body);
    write_piece(book, p, dir);
    what.to_string()
}

fn toml_edit(book: &mut Book, dir: &Path, change: impl FnOnce(&mut Book), what: &str) -> String {
    change(book);
    let _ = std::fs::write(dir.join("book.toml"), book.toml());
    what.to_string()
}

/// The byte offsets of `pat` in `text`, the `at`th of them modulo their number.
fn nth(text: &str, pat: &str, at: usize) -> Option<usize> {
    let all: Vec<usize> = text.match_indices(pat).map(|(i, _)| i).collect();
    (!all.is_empty()).then(|| all[at % all.len()])
}

fn insert_at_space(body: &mut String, at: usize, what: &str) {
    match nth(body, " ", at) {
        Some(i) => body.insert_str(i, what),
        None => body.push_str(what),
    }
}

fn delete_word(body: &mut String, at: usize) {
    if let Some(i) = nth(body, " ", at) {
        let end = body[i + 1..]
            .find([' ', '\n'])
            .map_or(body.len(), |e| i + 1 + e);
        body.replace_range(i..end, "");
    }
}

fn replace_word(body: &mut String, at: usize, word: &str) {
    if let Some(i) = nth(body, " ", at) {
        let end = body[i + 1..]
            .find([' ', '\n'])
            .map_or(body.len(), |e| i + 1 + e);
        body.replace_range(i + 1..end, word);
    }
}

fn split_at_space(body: &mut String, at: usize) {
    if let Some(i) = nth(body, " ", at) {
        body.replace_range(i..i + 1, "\n\n");
    }
}

fn join_paragraphs(body: &mut String, at: usize) {
    if let Some(i) = nth(body, "\n\n", at) {
        body.replace_range(i..i + 2, " ");
    }
}

/// A block added at a paragraph break.
fn add_block(body: &mut String, at: usize, block: &str) {
    match nth(body, "\n\n", at) {
        Some(i) => body.insert_str(i, &format!("\n\n{block}")),
        None => body.push_str(&format!("\n\n{block}\n")),
    }
}

/// A note called after a word and defined at the end.
fn add_note(body: &mut String, at: usize, n: usize, word: &str) {
    insert_at_space(body, at, &format!("[^n{n}]"));
    body.push_str(&format!("\n[^n{n}]: A note on the {word}.\n"));
}

/// The first line starting with `start` removed.
fn remove_line(body: &mut String, start: &str) {
    let at = if body.starts_with(start) {
        Some(0)
    } else {
        body.find(&format!("\n{start}")).map(|i| i + 1)
    };
    if let Some(i) = at {
        let end = body[i..].find('\n').map_or(body.len(), |e| i + e + 1);
        body.replace_range(i..end, "");
    }
}

fn remove_pull_quote(body: &mut String) {
    if let Some(i) = body.find("::: pullquote\n") {
        let end = body[i + 14..]
            .find(":::\n")
            .map_or(body.len(), |e| i + 14 + e + 4);
        body.replace_range(i..end, "");
    }
}

/// Unlinks the first link an edit added (its text stays).
fn remove_link(body: &mut String) {
    if let Some(i) = body.find("[see the ")
        && let Some(mid) = body[i..].find("](").map(|m| i + m)
        && let Some(end) = body[mid..].find(')').map(|e| mid + e + 1)
    {
        let text = body[i + 1..mid].to_string();
        body.replace_range(i..end, &text);
    }
}

fn add_row(body: &mut String, word: &str) {
    let row = format!("| The {word} | Plaza | 21:00 |\n");
    match body.find("|---|---|---|\n") {
        Some(i) => body.insert_str(i + 14, &row),
        None => body.push_str(&format!("\n\n| Film | Hall | Time |\n|---|---|---|\n{row}")),
    }
}

fn remove_row(body: &mut String) {
    if let Some(i) = body.find("|---|---|---|\n") {
        let start = i + 14;
        if body[start..].starts_with("| ") {
            let end = body[start..]
                .find('\n')
                .map_or(body.len(), |e| start + e + 1);
            body.replace_range(start..end, "");
        }
    }
}
