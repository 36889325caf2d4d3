//! One test per fixed bug, named after the defect, its input written inline.
//!
//! Each case writes a small book into a temporary folder and either runs the `folio` binary
//! on it or typesets it through the library and reads the frames back (glyph positions,
//! link areas, the text of each page), so a case checks the defect itself, not a proxy.

use folio::diag::Diagnostic;
use folio::model::Block;
use folio::project::Project;
use folio::typeset::frame::{Item, Page, Pages};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A temporary book folder `book/` holding `files` (name, contents), inside a fresh folder.
fn book(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("folio-reg-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("book")).unwrap();
    for (file, text) in files {
        let path = dir.join("book").join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

/// Build options for the screen PDF alone, into `out_dir`.
fn pdf_only(out_dir: PathBuf) -> folio::build::Options {
    folio::build::Options {
        out_dir,
        pdf: true,
        epub: false,
        print: Default::default(),
        pdf_standard: None,
    }
}

fn folio(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_folio"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Loads and typesets `dir/book` through the library: the pages and every warning.
fn typeset(dir: &Path) -> (Pages, Vec<Diagnostic>) {
    let project = Project::open(&dir.join("book")).expect("the book opens");
    let loaded = folio::markdown::load(&project).expect("the book loads");
    let t = folio::build::typeset_book(&loaded.book, &project, 0).expect("the book typesets");
    let mut warnings = loaded.warnings;
    warnings.extend(t.1.warnings);
    (t.1.pages, warnings)
}

/// One drawn glyph: its left edge, its right edge (the left edge again for a glyph that
/// carries a word space), baseline, font index and text.
#[derive(Debug, Clone)]
struct Drawn {
    x0: f32,
    x1: f32,
    y: f32,
    font: usize,
    text: String,
}

/// The page's content with its rows' groups resolved (items where they are drawn).
fn content(page: &Page) -> Vec<Item> {
    folio::typeset::frame::flatten(&page.items)
}

fn glyphs(page: &Page) -> Vec<Drawn> {
    let mut out = Vec::new();
    let mut all = content(page);
    all.extend(folio::typeset::frame::flatten(&page.furniture));
    for item in &all {
        if let Item::Glyphs(run) = item {
            let mut x = run.origin.x;
            for g in &run.glyphs {
                let ink = if g.text.ends_with(' ') {
                    0.0
                } else {
                    g.advance
                };
                out.push(Drawn {
                    x0: x,
                    x1: x + ink,
                    y: run.origin.y,
                    font: run.font,
                    text: g.text.to_string(),
                });
                x += g.advance;
            }
        }
    }
    out
}

/// The text of a page, line by line (glyph runs on one baseline joined).
fn page_text(page: &Page) -> String {
    let mut lines: Vec<(f32, String)> = Vec::new();
    for g in glyphs(page) {
        match lines.iter_mut().find(|(y, _)| (*y - g.y).abs() < 0.5) {
            Some((_, t)) => t.push_str(&g.text),
            None => lines.push((g.y, g.text)),
        }
    }
    lines.sort_by(|a, b| a.0.total_cmp(&b.0));
    lines
        .into_iter()
        .map(|(_, t)| t)
        .collect::<Vec<_>>()
        .join("\n")
}

fn all_text(pages: &Pages) -> String {
    pages
        .pages
        .iter()
        .map(page_text)
        .collect::<Vec<_>>()
        .join("\n")
}

/// The text of the glyphs that start inside a rectangle (link areas); `None` when the
/// rectangle reaches more than an em past its last glyph (it takes in white space).
fn text_under(page: &Page, x0: f32, x1: f32, y0: f32, y1: f32) -> Option<String> {
    let under: Vec<Drawn> = glyphs(page)
        .into_iter()
        .filter(|g| g.x0 >= x0 - 0.5 && g.x0 < x1 - 0.5 && g.y >= y0 && g.y <= y1)
        .collect();
    let last = under.last()?;
    if x1 > last.x0 + 12.0 {
        return None;
    }
    Some(
        under
            .iter()
            .map(|g| g.text.as_str())
            .collect::<String>()
            .trim()
            .to_string(),
    )
}

const PIECE: &str = "---\ntitle: A Piece\n---\n\n";

#[test]
fn shaping_cache_keys_on_language_no_panic_on_office_in_two_languages() {
    // Defect 1: "office" shaped for `en` then set for `de` (or the other way round) used the
    // other language's glyphs with this language's clusters: a panic or "offi" in the PDF.
    for (book_lang, piece_lang) in [("en", "de"), ("de", "en"), ("en", "tr"), ("ca", "en")] {
        let dir = book(
            &format!("office-{book_lang}-{piece_lang}"),
            &[
                (
                    "book.toml",
                    &format!("title = \"The office book\"\nlang = \"{book_lang}\"\n"),
                ),
                (
                    "01-a.md",
                    "---\ntitle: First office\n---\n\nThe office is open.\n",
                ),
                (
                    "02-b.md",
                    &format!(
                        "---\ntitle: Zweites\nlang: {piece_lang}\n---\n\nDas office ist offen.\n"
                    ),
                ),
            ],
        );
        let o = folio(&dir, &["build", "book", "--format", "pdf"]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{book_lang}/{piece_lang}: {}",
            stderr(&o)
        );
        let (pages, _) = typeset(&dir);
        let text = all_text(&pages);
        assert!(text.contains("office is open"), "{text}");
        assert!(text.contains("office ist offen"), "{text}");
    }
}

#[test]
fn footnotes_referenced_from_tables_definitions_and_captions_are_set() {
    // Defect 2: the notes were numbered but never set in the PDF.
    let dir = book(
        "notes-everywhere",
        &[
            ("book.toml", "title = \"Notes\"\n"),
            (
                "01-a.md",
                "---\ntitle: Notes\n---\n\nA paragraph.\n\n\
                 | Film | Place |\n|---|---|\n| One | Hall[^cell] |\n\n\
                 Term\n: A definition[^def].\n\n\
                 ![A chart](images/alpha.png \"The caption[^cap].\")\n\n\
                 [^cell]: The note from the table cell.\n\n\
                 [^def]: The note from the definition.\n\n\
                 [^cap]: The note from the caption.\n",
            ),
        ],
    );
    std::fs::create_dir_all(dir.join("book/images")).unwrap();
    std::fs::copy(
        "tests/fixtures/images/alpha.png",
        dir.join("book/images/alpha.png"),
    )
    .unwrap();
    let (pages, _) = typeset(&dir);
    let text = all_text(&pages);
    for note in [
        "The note from the table cell.",
        "The note from the definition.",
        "The note from the caption.",
    ] {
        assert!(text.contains(note), "{note:?} is not set:\n{text}");
    }
}

#[test]
fn link_areas_follow_shifted_rows_and_stop_at_the_last_glyph() {
    // Defect 4: rows shifted for lists and quotes moved the glyphs but not the link areas,
    // and a link ending a paragraph took in the paragraph's closing fill.
    let dir = book(
        "links",
        &[(
            "01-a.md",
            &format!(
                "{PIECE}Read [the site](https://example.org)\n\n\
                 - An item with [a link](https://example.com) inside.\n\n\
                 > A quotation with [another](https://example.net) link.\n"
            ),
        )],
    );
    let (pages, _) = typeset(&dir);
    let mut seen = 0;
    for page in &pages.pages {
        for item in &content(page) {
            if let Item::UriLink { rect, uri } = item {
                let under = text_under(
                    page,
                    rect.x,
                    rect.x + rect.width,
                    rect.y,
                    rect.y + rect.height,
                );
                let want = match uri.as_str() {
                    "https://example.org" => "the site",
                    "https://example.com" => "a link",
                    "https://example.net" => "another",
                    other => panic!("unexpected link {other}"),
                };
                assert_eq!(
                    under.as_deref(),
                    Some(want),
                    "the area of {uri} covers {under:?}"
                );
                seen += 1;
            }
        }
    }
    assert_eq!(seen, 3);
}

#[test]
fn nested_lists_keep_their_structure_emphasis_and_links() {
    // Defect 5: a nested list was flattened into its parent item's paragraph as plain text.
    let dir = book(
        "nested",
        &[(
            "01-a.md",
            &format!(
                "{PIECE}- Outer one\n  - Inner with *emphasis* and [a link](https://example.org)\n  - Inner two\n- Outer two\n"
            ),
        )],
    );
    let (pages, _) = typeset(&dir);
    let page = pages
        .pages
        .iter()
        .find(|p| page_text(p).contains("Outer one"))
        .expect("the list is set");
    let gl = glyphs(page);
    let x_of = |word: &str| {
        let text = page_text(page);
        assert!(text.contains(word), "{word} missing in {text}");
        gl.iter()
            .find(|g| {
                g.text.starts_with(&word[..1]) && {
                    // the glyph that starts the word
                    let line: String = gl
                        .iter()
                        .filter(|h| (h.y - g.y).abs() < 0.5 && h.x0 >= g.x0)
                        .map(|h| h.text.as_str())
                        .collect();
                    line.starts_with(word)
                }
            })
            .map(|g| g.x0)
            .unwrap_or_else(|| panic!("no glyph starts {word}"))
    };
    assert!(
        x_of("Inner with") > x_of("Outer one") + 5.0,
        "the inner list is indented"
    );
    assert!((x_of("Inner two") - x_of("Inner with")).abs() < 0.5);
    assert!(
        !page_text(page).contains("Outer one Inner"),
        "not flattened"
    );
    let italic = pages
        .fonts
        .iter()
        .position(|f| f.postscript_name.contains("Italic"))
        .expect("an italic face is used");
    assert!(
        gl.iter()
            .any(|g| g.font == italic && g.text.starts_with('e')),
        "the emphasis is set in italic"
    );
    assert!(
        content(page)
            .iter()
            .any(|i| matches!(i, Item::UriLink { .. }))
    );
}

#[test]
fn an_undefined_footnote_reference_is_a_located_warning_with_the_nearest_label() {
    // Defect 10: `[^vinegar]` with the definition spelt `[^vineger]` was printed literally,
    // exit 0, no word said.
    let dir = book(
        "undefined-note",
        &[(
            "01-a.md",
            &format!(
                "{PIECE}Chips with salt and vinegar.[^vinegar]\n\n[^vineger]: Malt, of course.\n"
            ),
        )],
    );
    let o = folio(&dir, &["check", "book"]);
    let err = stderr(&o);
    assert!(err.contains("`[^vinegar]` has no definition"), "{err}");
    assert!(err.contains("01-a.md:5:29"), "{err}");
    assert!(err.contains("did you mean `[^vineger]`?"), "{err}");
}

/// The text of `entry` in the EPUB at `path`.
fn epub_entry(path: &Path, entry: &str) -> String {
    let epub = std::fs::read(path).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(epub)).unwrap();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut zip.by_name(entry).unwrap(), &mut text).unwrap();
    text
}

/// Millimetres to points.
fn mm(v: f32) -> f32 {
    v * 72.0 / 25.4
}

/// Every glyph of every page lies inside the default A5 text block (either margin on the
/// left, as pages alternate), give or take margin protrusion.
fn assert_inside_the_text_block(pages: &Pages) {
    const PROTRUSION: f32 = 3.0;
    let (inner, outer) = (mm(15.0), mm(21.0));
    for (i, page) in pages.pages.iter().enumerate() {
        let (lo, hi) = (
            inner.min(outer) - PROTRUSION,
            page.width - inner.min(outer) + PROTRUSION,
        );
        for g in glyphs(page) {
            assert!(
                g.x0 >= lo && g.x1 <= hi,
                "page {}: {:?} at {:.1}–{:.1} pt is outside {lo:.1}–{hi:.1}",
                i + 1,
                g.text,
                g.x0,
                g.x1
            );
        }
    }
}

fn programme_table(cols: usize, rows: usize) -> String {
    let names = [
        "Day", "Time", "Venue", "Title", "Director", "Country", "Runtime",
    ];
    let head: Vec<String> = (0..cols)
        .map(|c| names[c % names.len()].to_string())
        .collect();
    let mut t = format!(
        "| {} |\n|{}|\n",
        head.join(" | "),
        vec!["---"; cols].join("|")
    );
    for r in 0..rows {
        let cells: Vec<String> = (0..cols)
            .map(|c| match c % 7 {
                0 => format!("Friday {r}"),
                1 => "19:30".into(),
                2 => "Cinemateca Boliviana, Sala Principal".into(),
                3 => "*Los viejos soldados de la Guerra del Chaco*".into(),
                4 => "Jorge Sanjinés Aramayo".into(),
                5 => "Bolivia".into(),
                _ => "107 min".into(),
            })
            .collect();
        t += &format!("| {} |\n", cells.join(" | "));
    }
    t
}

#[test]
fn wide_tables_never_run_past_the_text_block() {
    // Defect 3: a seven-column programme table on A5 ran past the trim edge, silently; a
    // fourteen-column one started columns beyond the page.
    let dir = book(
        "wide-tables",
        &[(
            "01-a.md",
            &format!(
                "{PIECE}The programme.\n\n{}\nAnd a wider one.\n\n{}",
                programme_table(7, 6),
                programme_table(14, 3)
            ),
        )],
    );
    let (pages, warnings) = typeset(&dir);
    assert_inside_the_text_block(&pages);
    let text = all_text(&pages);
    assert!(text.contains("Runtime"), "the last column is set");
    let too_wide: Vec<&Diagnostic> = warnings
        .iter()
        .filter(|d| d.message.contains("this table needs"))
        .collect();
    assert_eq!(
        too_wide.len(),
        1,
        "only the 14-column table warns: {warnings:?}"
    );
    let at = too_wide[0].location.as_ref().expect("located");
    assert_eq!(at.pos.map(|p| p.line), Some(18), "{:?}", at);
}

#[test]
fn a_table_over_pages_repeats_its_header_and_never_opens_a_page_with_its_bottom_rule() {
    // Tables of 60 to 75 rows: the table's end falls at every place on a page.
    for rows in 60..76 {
        let dir = book(
            &format!("long-table-{rows}"),
            &[(
                "01-a.md",
                &format!("{PIECE}The programme.\n\n{}", programme_table(4, rows)),
            )],
        );
        let (pages, _) = typeset(&dir);
        let with_rows: Vec<&Page> = pages
            .pages
            .iter()
            .filter(|p| page_text(p).contains("Friday"))
            .collect();
        assert!(with_rows.len() >= 3, "the table runs over several pages");
        for page in &with_rows {
            let text = page_text(page);
            let first = text
                .lines()
                .find(|l| l.contains("Friday") || l.contains("Day"))
                .unwrap();
            assert!(
                first.starts_with("Day"),
                "a continued table starts with its header: {first}"
            );
        }
        for (i, page) in pages.pages.iter().enumerate() {
            assert!(
                !opens_with_a_lone_rule(page),
                "{rows} rows: page {} opens with a rule",
                i + 1
            );
        }
    }
}

/// Does the text block of `page` open with a rule that has no text on its line (a table's
/// bottom rule carried over alone)?
fn opens_with_a_lone_rule(page: &Page) -> bool {
    const LEADING: f32 = 13.5;
    let top = mm(17.0);
    let first_rule = content(page)
        .iter()
        .filter_map(|i| match i {
            Item::Rule { from, to, .. } if from.y >= top - 1.0 && (from.y - to.y).abs() < 0.01 => {
                Some(from.y)
            }
            _ => None,
        })
        .fold(f32::INFINITY, f32::min);
    let first_text = glyphs(page)
        .iter()
        .map(|g| g.y)
        .filter(|&y| y >= top)
        .fold(f32::INFINITY, f32::min);
    first_rule.is_finite() && first_rule < first_text && first_text - first_rule > LEADING
}

/// Grid lines left empty at the foot of the default A5 text block on `page` (running head
/// and folio excluded; glyphs, images and rules count as content).
fn hole_lines(page: &Page) -> f32 {
    const LEADING: f32 = 13.5;
    let top = mm(17.0);
    let bottom = top + 35.0 * LEADING;
    let mut last = top;
    for item in &content(page) {
        let b = match item {
            Item::Glyphs(r) => r.origin.y + LEADING * 0.22,
            Item::Image { rect, .. } => rect.y + rect.height,
            Item::Rule { from, .. } => from.y,
            _ => continue,
        };
        if b > top && b <= bottom + 1.0 {
            last = last.max(b);
        }
    }
    // Whole grid lines: a fraction of a line (under a figure) can never hold a line.
    ((bottom - last) / LEADING + 0.05).floor()
}

#[test]
fn a_figure_that_does_not_fit_floats_to_the_next_page_while_text_fills_the_page() {
    // Layout: a figure that did not fit in the rest of the page left a hole there. The
    // figure comes after 4 to 11 paragraphs, so it falls at every height of a page.
    let sentence = "The projector hums in the dark while the village watches the screen. ";
    let para = sentence.repeat(6);
    for before in 4..12 {
        let text = format!(
            "{PIECE}{}\n\n![A landscape](images/wide.jpg \"The road south.\")\n\n{}",
            vec![para.as_str(); before].join("\n\n"),
            [para.as_str(); 12].join("\n\n")
        );
        let dir = book(&format!("float-{before}"), &[("01-a.md", &text)]);
        std::fs::create_dir_all(dir.join("book/images")).unwrap();
        std::fs::copy(
            "tests/fixtures/festival/images/altiplano-road.jpg",
            dir.join("book/images/wide.jpg"),
        )
        .unwrap();
        let (pages, _) = typeset(&dir);
        let body: Vec<&Page> = pages
            .pages
            .iter()
            .filter(|p| page_text(p).contains("projector"))
            .collect();
        for (i, page) in body.iter().enumerate().take(body.len() - 1) {
            let hole = hole_lines(page);
            assert!(
                hole <= 2.0,
                "{before} paragraphs: page {i} has a hole of {hole} lines"
            );
        }
    }
}

#[test]
fn check_fails_where_build_fails_on_a_damaged_image_or_font() {
    // Defect 6: `folio check` exited 0 on a book whose build failed.
    let dir = book(
        "check-assets",
        &[
            (
                "book.toml",
                "title = \"T\"\n\n[pdf]\nfonts = { italic = \"fonts/broken.ttf\" }\n",
            ),
            ("fonts/broken.ttf", "not a font at all"),
            (
                "images/broken.png",
                "\u{89}PNG\r\n\u{1a}\nthis is not a PNG",
            ),
            (
                "01-a.md",
                &format!("{PIECE}Text.\n\n![A chart](images/broken.png)\n"),
            ),
        ],
    );
    let build = folio(&dir, &["build", "book"]);
    let check = folio(&dir, &["check", "book"]);
    assert_eq!(build.status.code(), Some(1), "{}", stderr(&build));
    assert_eq!(check.status.code(), Some(1), "{}", stderr(&check));
    let err = stderr(&check);
    assert!(err.contains("broken.png"), "{err}");
    assert!(err.contains("fonts/broken.ttf"), "{err}");
}

#[test]
fn folio_new_writes_valid_toml_a_title_in_title_case_and_a_pasteable_command() {
    // Defect 8: `folio new 'x\\y'` wrote invalid TOML; a lower-case name gave a lower-case
    // title; the printed command could not be pasted for a name with spaces.
    let dir = std::env::temp_dir().join(format!("folio-reg-new-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for (name, title) in [
        ("x\\y", "X\\y"),
        ("my-festival-book", "My Festival Book"),
        ("My Festival Book", "My Festival Book"),
    ] {
        let o = folio(&dir, &["new", name]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let toml_text = std::fs::read_to_string(dir.join(name).join("book.toml")).unwrap();
        let value: toml::Table = toml_text.parse().expect("book.toml is valid TOML");
        assert_eq!(value["title"].as_str(), Some(title));
        let b = folio(&dir, &["build", name]);
        assert_eq!(b.status.code(), Some(0), "{}", stderr(&b));
    }
    let o = folio(&dir, &["new", "Another Book"]);
    assert!(
        stderr(&o).contains("folio build 'Another Book'"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn an_untitled_piece_warns_and_is_listed_by_its_first_heading_not_its_file_name() {
    // Defect 12: a piece without `title` printed its file slug as its heading ("s-08-credits")
    // and "Piece 2" in the EPUB.
    let dir = book(
        "untitled",
        &[
            ("book.toml", "title = \"Booklet\"\n"),
            ("01-a.md", &format!("{PIECE}Text.\n")),
            ("02-s-08-credits.md", "## Thanks\n\nTo everyone.\n"),
        ],
    );
    let o = folio(&dir, &["build", "book"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("this piece has no title"),
        "{}",
        stderr(&o)
    );
    let (pages, _) = typeset(&dir);
    let text = all_text(&pages);
    assert!(
        !text.to_lowercase().contains("credits"),
        "no heading from the file name:\n{text}"
    );
    let contents = pages
        .pages
        .iter()
        .map(page_text)
        .find(|t| t.contains("contents"))
        .unwrap();
    assert!(contents.contains("Thanks"), "{contents}");
}

#[test]
fn a_language_tag_error_after_non_ascii_text_points_at_the_tag() {
    // Defect 7: columns counted bytes, so after “curly quotes” the caret stood 5 columns early.
    let dir = book(
        "columns",
        &[(
            "01-a.md",
            &format!("{PIECE}“Ñandú” — a *word*{{lang=e}} here.\n"),
        )],
    );
    let o = folio(&dir, &["check", "book"]);
    let err = stderr(&o);
    // `e` is the 25th character of the line (the 33rd byte).
    assert!(err.contains("01-a.md:5:25"), "{err}");
}

#[test]
fn unregistered_language_subtags_warn_and_languages_are_named_by_name() {
    // Defect 13: `{lang=xx}` and `lang: ig` passed unchecked; the accessibility summary named
    // languages by code.
    let dir = book(
        "registry",
        &[
            ("book.toml", "title = \"T\"\nlang = \"en-GB\"\n"),
            (
                "01-a.md",
                "---\ntitle: A\nlang: ig\n---\n\nA *word*{lang=xx} and *ọzọ*{lang=ig}.\n",
            ),
        ],
    );
    let o = folio(&dir, &["check", "book"]);
    let err = stderr(&o);
    assert!(err.contains("`xx` is not a registered language"), "{err}");
    assert!(
        !err.contains("`ig` is not"),
        "ig (Igbo) is registered: {err}"
    );
    assert_eq!(folio::lang::registry::describe("ig"), "Igbo");
    assert_eq!(
        folio::lang::registry::describe("en-GB"),
        "English (United Kingdom)"
    );
}

#[test]
fn the_isbn_is_printed_hyphenated_by_the_agency_ranges_in_both_outputs() {
    // Front matter: `978-1-912840-17-5` came out as `9781912840175` (PDF) and
    // `978-1912840175` (EPUB).
    let dir = book(
        "isbn",
        &[
            (
                "book.toml",
                "title = \"T\"\nidentifier = \"9781912840175\"\n",
            ),
            ("01-a.md", &format!("{PIECE}Text.\n")),
        ],
    );
    let (pages, _) = typeset(&dir);
    assert!(
        all_text(&pages).contains("ISBN 978-1-912840-17-5"),
        "{}",
        all_text(&pages)
    );
    let o = folio(&dir, &["build", "book", "--format", "epub"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let epub = std::fs::read(dir.join("out/t.epub")).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(epub)).unwrap();
    let mut found = false;
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let mut text = String::new();
        if std::io::Read::read_to_string(&mut f, &mut text).is_ok()
            && text.contains("ISBN 978-1-912840-17-5")
        {
            found = true;
        }
    }
    assert!(found, "the EPUB prints the hyphenated ISBN");
}

#[test]
fn a_day_first_date_is_named_as_not_yyyy_mm_dd_with_its_likely_reading() {
    // Defect 16: `date = "18/09/2026"` said "the year must have four digits".
    for (written, reading) in [("18/09/2026", "2026-09-18"), ("9.18.2026", "2026-09-18")] {
        let dir = book(
            "date",
            &[
                (
                    "book.toml",
                    &format!("title = \"T\"\ndate = \"{written}\"\n"),
                ),
                ("01-a.md", &format!("{PIECE}Text.\n")),
            ],
        );
        let o = folio(&dir, &["check", "book"]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1));
        assert!(err.contains("is not written as YYYY-MM-DD"), "{err}");
        assert!(err.contains(&format!("did you mean `{reading}`?")), "{err}");
        assert!(err.contains("book.toml:2:"), "{err}");
    }
}

#[test]
fn a_speaker_label_that_matches_nobody_warns_with_the_nearest_name() {
    // Defect 11: `**Hanna Osei:**` when the interviewer is Hannah Osei was silently neither
    // question nor answer.
    let dir = book(
        "speaker",
        &[(
            "01-a.md",
            "---\ntitle: T\ninterviewer: Hannah Osei\ninterviewee: Kiro Russo\n---\n\n\
             **Hannah Osei:** First?\n\n**Kiro Russo:** Yes.\n\n**Hanna Osei:** Second?\n",
        )],
    );
    let o = folio(&dir, &["check", "book"]);
    let err = stderr(&o);
    assert!(err.contains("the speaker `Hanna Osei` is neither"), "{err}");
    assert!(err.contains("01-a.md:11:1"), "{err}");
    assert!(err.contains("did you mean `Hannah Osei`?"), "{err}");
    assert!(!err.contains("`Kiro Russo` is neither"), "{err}");
}

/// A pseudo-random lower-case word of `n` letters (a fixed linear congruential sequence).
fn random_word(n: usize) -> String {
    let mut x: u32 = 12345;
    (0..n)
        .map(|_| {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            char::from(b'a' + ((x >> 16) % 26) as u8)
        })
        .collect()
}

#[test]
fn a_very_long_word_costs_linear_time_and_stays_inside_the_text_block() {
    // Defect 9: a 200,000-character word took 80 s (a hyphenation attempt per character, a
    // shaping step per glyph over all glyphs, one line-breaker bucket per ladder length),
    // then ran off the page. Compared with a word a tenth as long, the work (here: time,
    // with a bound far above linear) must grow about tenfold, not a hundredfold.
    let time = |n: usize| {
        let dir = book(
            &format!("long-word-{n}"),
            &[(
                "01-a.md",
                &format!("{PIECE}Start {} end.\n", random_word(n)),
            )],
        );
        let t = std::time::Instant::now();
        let (pages, _) = typeset(&dir);
        (t.elapsed().as_secs_f64(), pages)
    };
    let (small, _) = time(8_000);
    let (large, pages) = time(80_000);
    assert!(
        large < small * 40.0 + 0.5,
        "10× the word took {:.0}× the time",
        large / small
    );
    assert_inside_the_text_block(&pages);
    assert!(all_text(&pages).contains("end."));
}

#[test]
fn a_setting_of_the_wrong_type_names_the_key_the_form_and_an_example() {
    // Defect 15: `bleed = 3`, `crop-marks = "yes"`, `font-size = "10pt"` reported a type
    // error at the `[pdf]` line without the key's name.
    let dir = book(
        "setting-types",
        &[
            (
                "book.toml",
                "title = \"T\"\n\n[print]\nbleed = 3\ncrop-marks = \"yes\"\ncropmarks = true\n[pdf]\nfont-size = \"10pt\"\n",
            ),
            ("01-a.md", &format!("{PIECE}Text.\n")),
        ],
    );
    let o = folio(&dir, &["check", "book"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1));
    for (key, table, line, example) in [
        ("bleed", "print", 4, "bleed = \"3mm\""),
        ("crop-marks", "print", 5, "crop-marks = true"),
        ("font-size", "pdf", 8, "font-size = 10.5"),
    ] {
        assert!(
            err.contains(&format!("`{key}` in [{table}] must be")),
            "{err}"
        );
        assert!(err.contains(&format!("book.toml:{line}:1")), "{err}");
        assert!(err.contains(example), "{err}");
    }
    assert!(err.contains("unknown key `cropmarks` in [print]"), "{err}");
    assert!(err.contains("did you mean `crop-marks`?"), "{err}");
    assert!(err.contains("the keys of [print] are: bleed"), "{err}");
}

#[test]
fn a_figure_width_attribute_sets_the_printed_width() {
    // Defect 17: `{width=40%}` after a figure dropped the figure with a misleading warning.
    let dir = book(
        "figure-width",
        &[
            ("book.toml", "title = \"Widths\"\nlang = \"en\"\n"),
            (
                "01-a.md",
                &format!(
                    "{PIECE}Text.\n\n![A road](images/wide.jpg \"Forty per cent.\"){{width=40%}}\n\n\
                     ![A road](images/wide.jpg \"Eight centimetres.\"){{width=8cm}}\n"
                ),
            ),
        ],
    );
    std::fs::create_dir_all(dir.join("book/images")).unwrap();
    std::fs::copy(
        "tests/fixtures/festival/images/altiplano-road.jpg",
        dir.join("book/images/wide.jpg"),
    )
    .unwrap();
    let (pages, warnings) = typeset(&dir);
    assert!(warnings.is_empty(), "{warnings:?}");
    let widths: Vec<f32> = pages
        .pages
        .iter()
        .flat_map(content)
        .filter_map(|i| match i {
            Item::Image { rect, .. } => Some(rect.width),
            _ => None,
        })
        .collect();
    let measure = mm(148.0 - 15.0 - 21.0);
    assert_eq!(widths.len(), 2, "both figures are placed");
    assert!((widths[0] - measure * 0.4).abs() < 0.5, "{widths:?}");
    assert!((widths[1] - mm(80.0)).abs() < 0.5, "{widths:?}");
}

#[test]
fn metadata_text_takes_inline_markdown_and_smart_punctuation_in_both_outputs() {
    // Defect 14: `*Ụlọ*` in a description was printed with its asterisks, and straight quotes
    // in metadata stayed straight, in both outputs.
    let dir = book(
        "meta-markdown",
        &[
            ("book.toml", "title = \"The 'Good' House\"\n"),
            (
                "01-a.md",
                "---\ntitle: A \"quoted\" title\ndescription: On the *Ụlọ* -- the house\n---\n\nText.\n",
            ),
        ],
    );
    let (pages, _) = typeset(&dir);
    let text = all_text(&pages);
    assert!(text.contains("A “quoted” title"), "{text}");
    assert!(text.contains("On the Ụlọ – the house"), "{text}");
    assert!(!text.contains('*'), "{text}");
    let italic = pages
        .fonts
        .iter()
        .position(|f| f.postscript_name.contains("Italic"))
        .unwrap();
    let standfirst_page = pages
        .pages
        .iter()
        .find(|p| page_text(p).contains("Ụlọ"))
        .unwrap();
    let regular_in_standfirst = glyphs(standfirst_page)
        .into_iter()
        .any(|g| g.text.starts_with('Ụ') && g.font != italic);
    assert!(
        regular_in_standfirst,
        "emphasis in an italic standfirst reads upright"
    );
    let o = folio(&dir, &["build", "book", "--format", "epub"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let opf = epub_entry(&dir.join("out/the-good-house.epub"), "OEBPS/content.opf");
    assert!(opf.contains("The ‘Good’ House"), "{opf}");
}

#[test]
fn front_matter_credits_book_level_people_as_creators_and_everyone_once_by_role() {
    // Front matter: the booklet's title page listed eleven names with three duplicates and no
    // roles, the copyright page said "Editor:" twice, and the first `dc:creator` was a piece's
    // interviewer, so a store would list her as the author.
    let dir = book(
        "credits",
        &[
            (
                "book.toml",
                "title = \"Festival\"\nlang = \"en-GB\"\ndate = \"2026-09-18\"\n\
                 series = { name = \"Festival Booklets\", position = 7 }\n\n\
                 [[editor]]\nname = \"Ana Arce\"\n\n[[editor]]\nname = \"Tom Webb\"\n\n\
                 [[photographer]]\nname = \"Rui Apaza\"\n",
            ),
            (
                "01-a.md",
                "---\ntitle: One\ninterviewer: Hannah Pryce\ninterviewee: Val Condori\n---\n\n**Hannah Pryce:** Why?\n",
            ),
            (
                "02-b.md",
                "---\ntitle: Two\nauthor: Ana Arce\nphotographer: Rui Apaza\n---\n\nText.\n",
            ),
        ],
    );
    let (pages, _) = typeset(&dir);
    let title_page = page_text(&pages.pages[0]).to_lowercase();
    assert!(
        title_page.contains("edited by ana arce and tom webb"),
        "{title_page}"
    );
    assert!(
        title_page.contains("photographs by rui apaza"),
        "{title_page}"
    );
    assert!(
        !title_page.contains("hannah"),
        "piece people are not the book's creators: {title_page}"
    );
    assert!(
        title_page.find("edited by").unwrap() < title_page.find("photographs by").unwrap(),
        "roles in the order book.toml names them"
    );
    // Everyone once, by what they did: Ana Arce edited the book and wrote a piece.
    let colophon = page_text(&pages.pages[1]);
    for line in [
        "Editing and text: Ana Arce",
        "Editor: Tom Webb",
        "Photographs: Rui Apaza",
        "Interviewer: Hannah Pryce",
        "Festival Booklets, 7",
        "Published 18 September 2026",
    ] {
        assert_eq!(
            colophon.matches(line).count(),
            1,
            "{line:?} once in:\n{colophon}"
        );
    }
    assert_eq!(pages.info.authors, ["Ana Arce", "Tom Webb", "Rui Apaza"]);
    let contents = pages
        .pages
        .iter()
        .map(page_text)
        .find(|t| t.contains("contents"))
        .unwrap();
    assert!(
        contents
            .to_lowercase()
            .contains("interview by hannah pryce with val condori"),
        "{contents}"
    );
    let o = folio(&dir, &["build", "book", "--format", "epub"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let opf = epub_entry(&dir.join("out/festival.epub"), "OEBPS/content.opf");
    let first_creator = opf.split("<dc:creator").nth(1).unwrap();
    assert!(first_creator.contains(">Ana Arce<"), "{opf}");
    assert!(opf.contains(">Hannah Pryce</dc:contributor>"), "{opf}");
    assert!(!opf.contains(">Hannah Pryce</dc:creator>"), "{opf}");
}

#[test]
fn interview_turns_get_half_a_line_between_them_and_the_closing_note_stands_apart() {
    // Layout: turns ran together line after line; the closing note read as more text.
    // Composition (issue 21): the first turn stood a whole line from the text before it
    // and the closing note a whole line from the last turn; both take the turns' half line.
    let dir = book(
        "turns",
        &[(
            "01-a.md",
            "---\ntitle: T\ninterviewer: Ann Lee\ninterviewee: Bo Kim\n---\n\n\
             Intro.\n\n**Ann Lee:** First question?\n\n**Bo Kim:** First answer.\n\n\
             *Translated from the Korean by Ann Lee.*\n",
        )],
    );
    let (pages, _) = typeset(&dir);
    let page = pages
        .pages
        .iter()
        .find(|p| page_text(p).contains("First answer"))
        .unwrap();
    let baseline = |word: &str| {
        let text: Vec<(f32, String)> = {
            let mut lines: Vec<(f32, String)> = Vec::new();
            for g in glyphs(page) {
                match lines.iter_mut().find(|(y, _)| (*y - g.y).abs() < 0.5) {
                    Some((_, t)) => t.push_str(&g.text),
                    None => lines.push((g.y, g.text)),
                }
            }
            lines
        };
        text.iter()
            .find(|(_, t)| t.contains(word))
            .map(|(y, _)| *y)
            .unwrap()
    };
    const LEADING: f32 = 13.5;
    let gap = baseline("First answer") - baseline("First question");
    assert!(
        (gap - 1.5 * LEADING).abs() < 0.1,
        "turns are 1.5 lines apart, not {gap}"
    );
    let first = baseline("First question") - baseline("Intro");
    assert!(
        (first - 1.5 * LEADING).abs() < 0.1,
        "the first turn stands half a line from the text before it, not {first}"
    );
    let note = baseline("Translated from") - baseline("First answer");
    assert!(
        (note - 1.5 * LEADING).abs() < 0.1,
        "half a line before an interview's closing note, not {note}"
    );
}

#[test]
fn a_photo_essay_fills_its_pages_by_moving_and_shrinking_its_photographs() {
    // Layout: three half-page photographs and a few paragraphs left holes of 5 to 7 lines
    // on every page; figures now move, and shrink to 85 or 70 % when that fills pages.
    let src = Path::new("tests/fixtures/festival");
    let piece = std::fs::read_to_string(src.join("05-the-travelling-screen.md")).unwrap();
    let dir = book("photo-essay", &[("05-the-travelling-screen.md", &piece)]);
    let images = dir.join("book/images");
    std::fs::create_dir_all(&images).unwrap();
    for f in std::fs::read_dir(src.join("images")).unwrap() {
        let f = f.unwrap().path();
        std::fs::copy(&f, images.join(f.file_name().unwrap())).unwrap();
    }
    let (pages, _) = typeset(&dir);
    let body: Vec<&Page> = pages.pages.iter().skip(2).collect();
    assert!(body.len() >= 3);
    for (i, page) in body.iter().enumerate().take(body.len() - 1) {
        let hole = hole_lines(page);
        assert!(
            hole <= 2.0,
            "page {i} of the essay has a hole of {hole} lines"
        );
    }
}

#[test]
fn a_heading_stays_with_the_short_table_after_it() {
    // Layout: "Tickets" ended a page and its table began the next.
    let mut text = PIECE.to_string();
    let sentence = "The screening starts at dusk and ends when the generator runs dry. ";
    for _ in 0..9 {
        text += &format!("{}\n\n", sentence.repeat(5));
    }
    text += "### Tickets\n\n| Ticket | Price |\n|---|---:|\n| Single | Bs 20 |\n| Pass | Bs 150 |\n| Child | free |\n\nAfter.\n";
    for extra in 0..40 {
        let t = text.replacen(&sentence.repeat(5), &sentence.repeat(5 + extra), 1);
        let dir = book(&format!("heading-table-{extra}"), &[("01-a.md", &t)]);
        let (pages, _) = typeset(&dir);
        for page in &pages.pages {
            let text = page_text(page);
            if text.contains("tickets") || text.contains("Tickets") {
                assert!(
                    text.contains("Single") && text.contains("Child"),
                    "{extra}: the heading and the whole table share a page:\n{text}"
                );
            }
        }
    }
}

#[test]
fn the_festival_booklet_stays_inside_its_text_blocks_and_has_no_holes() {
    // The booklet issue's acceptance fixture: eight pieces, tables, floats, notes, many
    // contributors. No glyph outside the text block; no page that does not end a piece
    // ends more than two lines short, unless a kept block (a heading with what follows)
    // opens the next page.
    let project = Project::open(Path::new("tests/fixtures/festival")).unwrap();
    let loaded = folio::markdown::load(&project).unwrap();
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    let t = folio::build::typeset_book(&loaded.book, &project, 0).unwrap();
    assert!(t.1.warnings.is_empty(), "{:?}", t.1.warnings);
    let pages = t.1.pages;
    assert_inside_the_text_block(&pages);
    let openings: Vec<usize> = pages
        .outline
        .iter()
        .filter(|o| o.level == 0)
        .map(|o| o.dest.page)
        .collect();
    let semibold = pages
        .fonts
        .iter()
        .position(|f| f.postscript_name.contains("SemiBold"));
    let first_body = openings[0];
    for i in first_body..pages.pages.len() - 1 {
        if openings.contains(&(i + 1)) {
            continue; // the last page of a piece
        }
        let hole = hole_lines(&pages.pages[i]);
        if hole <= 2.0 {
            continue;
        }
        let next = glyphs(&pages.pages[i + 1]);
        let top = next
            .iter()
            .map(|g| g.y)
            .filter(|&y| y > mm(17.0))
            .fold(f32::INFINITY, f32::min);
        let heading_opens = next
            .iter()
            .any(|g| (g.y - top).abs() < 0.5 && Some(g.font) == semibold);
        assert!(heading_opens, "page {} has a hole of {hole} lines", i + 1);
    }
}

/// The text of the footnote areas of `pages`, in order: the glyphs at the note size below
/// each page's footnote rule (a soft hyphen at a line's end joins the word again).
fn note_area_text(pages: &Pages, note_size: f32) -> String {
    let mut out = String::new();
    for page in &pages.pages {
        let items = content(page);
        let rule = items.iter().find_map(|i| match i {
            Item::Rule {
                from, thickness, ..
            } if (*thickness - NOTE_RULE).abs() < 0.01 => Some(from.y),
            _ => None,
        });
        let Some(rule) = rule else { continue };
        let mut line = f32::NAN;
        for item in &items {
            if let Item::Glyphs(run) = item
                && (run.size - note_size).abs() < 0.01
                && run.origin.y > rule
            {
                // Runs on one baseline are one line (a change of face splits a line's runs).
                if (run.origin.y - line).abs() > 0.5 {
                    out.push(' ');
                    line = run.origin.y;
                }
                for g in &run.glyphs {
                    out.push_str(&g.text);
                }
            }
        }
    }
    out.replace("\u{ad} ", "").replace('\u{ad}', "")
}

/// The footnote rule's weight.
const NOTE_RULE: f32 = 0.4;

/// A booklet composed as a typesetter would sign it off (issue 21's bars): no glyph outside
/// the text block; no page that does not end a piece more than two lines short unless the
/// build said so (one warning per such page); every word of every footnote in the note
/// areas, in order.
fn assert_composed(fixture: &str) {
    let project = Project::open(Path::new(fixture)).unwrap();
    let loaded = folio::markdown::load(&project).unwrap();
    let (resolved, t) = folio::build::typeset_book(&loaded.book, &project, 0).unwrap();
    let pages = &t.pages;
    assert_inside_the_text_block(pages);
    let openings: Vec<usize> = pages
        .outline
        .iter()
        .filter(|o| o.level == 0)
        .map(|o| o.dest.page)
        .collect();
    let mut holes = Vec::new();
    for i in openings[0]..pages.pages.len() - 1 {
        let hole = hole_lines(&pages.pages[i]);
        if !openings.contains(&(i + 1)) && hole > 2.0 {
            holes.push((i + 1, hole));
        }
    }
    let announced = t
        .warnings
        .iter()
        .filter(|w| w.message.contains("lines short"))
        .count();
    assert_eq!(
        holes.len(),
        announced,
        "{fixture}: pages with holes {holes:?}, {announced} announced: {:?}",
        t.warnings
    );
    let notes = note_area_text(pages, 10.5 * 0.8);
    let notes: Vec<&str> = notes.split_whitespace().collect();
    let mut at = 0;
    for piece in &resolved.pieces {
        for note in &piece.notes {
            let words: Vec<String> = note
                .blocks
                .iter()
                .filter_map(|b| match &b.kind {
                    folio::resolve::Kind::Paragraph { content, .. } => {
                        Some(folio::model::plain_text(content))
                    }
                    _ => None,
                })
                .flat_map(|t| t.split_whitespace().map(str::to_string).collect::<Vec<_>>())
                .collect();
            for w in words {
                match notes[at..].iter().position(|n| n.contains(w.as_str())) {
                    Some(k) => at += k + 1,
                    None => panic!("{fixture}: note {} lost {w:?}", note.number),
                }
            }
        }
    }
}

#[test]
fn booklets_folio_has_not_seen_are_composed_without_holes_overflow_or_lost_notes() {
    // Issue 21: on two booklets written for it (a programme of nine pieces with four tables
    // in one piece, a 775-word footnote, figures right before headings, a glossary; six
    // interviews with short questions) an editor marked holes, stranded questions and a
    // note set past the page.
    for fixture in [
        "tests/fixtures/programme",
        "tests/fixtures/conversations",
        "tests/fixtures/festival",
    ] {
        assert_composed(fixture);
    }
}

/// Each table cell's glyphs on `pages`: (the cell's element, its text, its baselines, its
/// type sizes), read from the tags the cells' content is marked with.
fn cells(pages: &Pages) -> Vec<(String, Vec<f32>, Vec<f32>)> {
    use folio::resolve::Role;
    use folio::typeset::frame::Tag;
    let mut out = Vec::new();
    for page in &pages.pages {
        let mut open: Vec<bool> = Vec::new(); // a cell's tag, for each open tag
        for item in content(page) {
            match item {
                Item::Tag(Tag::Start(_, role)) => {
                    open.push(matches!(role, Role::TD | Role::TH));
                    if open.last() == Some(&true) {
                        out.push((String::new(), Vec::new(), Vec::new()));
                    }
                }
                Item::Tag(Tag::Inline(_) | Tag::Artifact) => open.push(false),
                Item::Tag(Tag::End) => {
                    open.pop();
                }
                Item::Glyphs(run) if open.contains(&true) => {
                    let cell = out.last_mut().unwrap();
                    for g in &run.glyphs {
                        cell.0.push_str(&g.text);
                    }
                    cell.1.push(run.origin.y);
                    cell.2.push(run.size);
                }
                _ => {}
            }
        }
    }
    out
}

#[test]
fn the_tables_of_a_piece_share_one_size_and_share_the_measure_by_content() {
    // Composition (issue 21): three tables of one programme came out at two sizes, two of
    // them with a film title wrapped one word per line. Now the piece's tables take the
    // tightest size any of them needs, and widths follow the columns' natural widths.
    let wide = "| Day | Time | Venue | Title | Director | Country | Runtime |\n|---|---|---|---|---|---|---|\n\
        | Fri 18 | 19:30 | Cinematográfica Boliviana, Sala Principal | *Los viejos soldados de la Guerra del Chaco* | Jorge Sanjinés Aramayo | Bolivia | 107 min |\n\
        | Sat 19 | 21:00 | Cine Illampu | *La hija del viento* | Valeria Condori Llanos | Czechoslovakia | 94 min |\n";
    let narrow =
        "| Ticket | Price |\n|---|--:|\n| Single screening | Bs 20 |\n| Festival pass | Bs 150 |\n";
    let titles = "| Day | Film | Note |\n|---|---|---|\n\
        | Sun 20 | *Crónica de un conductor de minibús en la ruta Ceja–Río Seco* | with the director |\n\
        | Mon 21 | *Memorias de un proyeccionista ambulante entre Oruro y el lago* | premiere |\n";
    let dir = book(
        "table-style",
        &[(
            "01-a.md",
            &format!(
                "{PIECE}Prices.\n\n{narrow}\nThe grid.\n\n{wide}\nThe films.\n\n{titles}\nEnd.\n"
            ),
        )],
    );
    let (pages, warnings) = typeset(&dir);
    assert!(
        !warnings.iter().any(|w| w.message.contains("table")),
        "{warnings:?}"
    );
    let cells = cells(&pages);
    assert!(cells.len() >= 4 + 16 + 9, "{cells:?}");
    let mut sizes: Vec<f32> = cells.iter().flat_map(|c| c.2.clone()).collect();
    sizes.dedup_by(|a, b| (*a - *b).abs() < 0.01);
    sizes.sort_by(f32::total_cmp);
    sizes.dedup_by(|a, b| (*a - *b).abs() < 0.01);
    assert_eq!(sizes.len(), 1, "one size for every table: {sizes:?}");
    assert!(
        sizes[0] < 10.5,
        "the wide table needed smaller type: {sizes:?}"
    );
    for (text, ys, _) in &cells {
        let words = text.split_whitespace().count();
        let mut lines = ys.clone();
        lines.sort_by(f32::total_cmp);
        lines.dedup_by(|a, b| (*a - *b).abs() < 0.5);
        assert!(
            words < 3 || lines.len() < words,
            "{text:?} is set one word per line"
        );
    }
}

#[test]
fn thousands_weekdays_markers_and_note_calls_do_not_break_and_1958_in_does() {
    // Composition (issue 21): "12 500 metres" broke after "12", "Sat 3" after "Sat", a
    // note call written after a space could start a line alone; and "1958 in the
    // province" was kept together as if "in" were inches.
    let dir = book(
        "no-break",
        &[
            ("book.toml", "title = \"Spaces\"\nlang = \"en\"\n"),
            (
                "01-a.md",
                &format!(
                    "{PIECE}The road climbs 12 500 metres by Sat 3, a film marked * for \
                     subtitles, a word [^1] with its call; born 1958 in the province.\n\n\
                     [^1]: The note.\n"
                ),
            ),
        ],
    );
    let o = folio(&dir, &["build", "book", "--format", "epub"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let x = epub_entry(&dir.join("out/spaces.epub"), "OEBPS/a-piece.xhtml");
    for kept in [
        "12\u{a0}500 metres",
        "Sat\u{a0}3,",
        "marked\u{a0}* for",
        "word\u{a0}<",
    ] {
        assert!(x.contains(kept), "{kept:?} in {x}");
    }
    assert!(x.contains("1958 in the province"), "{x}");
}

#[test]
fn a_language_written_after_a_heading_term_marks_the_term() {
    // Found on the programme booklet: `### *Título*{lang=es}` lost its language, since
    // pulldown-cmark reads a heading's trailing braces as the heading's attributes.
    let dir = book(
        "heading-lang",
        &[
            ("book.toml", "title = \"Films\"\nlang = \"en\"\n"),
            (
                "01-a.md",
                &format!("{PIECE}## *La hija del viento*{{lang=es}}\n\nA film.\n"),
            ),
        ],
    );
    let o = folio(&dir, &["build", "book", "--format", "epub"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let x = epub_entry(&dir.join("out/films.epub"), "OEBPS/a-piece.xhtml");
    assert!(
        x.contains("lang=\"es\" xml:lang=\"es\" class=\"foreign\">La hija del viento<"),
        "{x}"
    );
}

/// The body lines of `page` (default A5 text block), top to bottom.
fn body_lines(page: &Page) -> Vec<(f32, String)> {
    let (top, bottom) = (mm(17.0), mm(17.0) + 35.0 * 13.5 + 1.0);
    let mut lines: Vec<(f32, String)> = Vec::new();
    for g in glyphs(page)
        .into_iter()
        .filter(|g| g.y > top && g.y < bottom)
    {
        match lines.iter_mut().find(|(y, _)| (*y - g.y).abs() < 0.5) {
            Some((_, t)) => t.push_str(&g.text),
            None => lines.push((g.y, g.text)),
        }
    }
    lines.sort_by(|a, b| a.0.total_cmp(&b.0));
    lines
}

#[test]
fn a_question_never_ends_a_page_and_short_turns_leave_no_holes() {
    // Composition (issue 21): a question was left at a page's foot, its answer overleaf;
    // then, with every short turn kept with the next, a run of one-line exchanges left
    // pages five lines short.
    let mut body =
        String::from("---\ntitle: T\ninterviewer: Ann Lee\ninterviewee: Bo Kim\n---\n\nIntro.\n\n");
    for k in 0..80 {
        let answer = match k % 4 {
            0 => "Yes.".to_string(),
            1 => format!(
                "Answer {k} is short but not that short; it runs on for a line and a bit more, to a second line."
            ),
            _ => format!(
                "Answer {k} {}",
                "goes on and on about the festival, the films and the rooms. ".repeat(k % 5 + 1)
            ),
        };
        body += &format!("**Ann Lee:** Question {k}, what then?\n\n**Bo Kim:** {answer}\n\n");
    }
    let dir = book("questions", &[("01-a.md", &body)]);
    let (pages, warnings) = typeset(&dir);
    assert!(
        !warnings.iter().any(|w| w.message.contains("lines short")),
        "{warnings:?}"
    );
    let last = pages.pages.len() - 1;
    for (i, page) in pages.pages.iter().enumerate().take(last).skip(1) {
        let lines = body_lines(page);
        let (_, text) = lines.last().unwrap();
        assert!(
            !text.contains("Question"),
            "page {} ends with {text:?}",
            i + 1
        );
        assert!(hole_lines(page) <= 2.0, "page {} ends short", i + 1);
    }
}

#[test]
fn a_definition_list_is_set_apart_from_the_text_after_it() {
    // Composition (issue 21): the text resumed on the line right after a glossary's last
    // definition, as if it were one more.
    let dir = book(
        "dl-space",
        &[(
            "01-a.md",
            &format!(
                "{PIECE}Before.\n\nChicha\n: A maize beer.\n\nApthapi\n: A shared meal.\n\nAfter the glossary.\n"
            ),
        )],
    );
    let (pages, _) = typeset(&dir);
    let lines: Vec<(f32, String)> = pages.pages.iter().flat_map(body_lines).collect();
    let y = |w: &str| lines.iter().find(|(_, t)| t.contains(w)).unwrap().0;
    let gap = y("After the glossary") - y("A shared meal");
    assert!(
        gap >= 2.0 * 13.5 - 0.1,
        "{gap} pt: a line of space after the list"
    );
}

/// Builds a one-piece book whose body is `body(n)` for `n` and `10 n` through the library
/// (both outputs, in memory) and checks the work grows about tenfold: the larger build may
/// take at most 30 times the smaller (quadratic work would take a hundred).
fn grows_linearly(name: &str, n: usize, body: impl Fn(usize) -> String) {
    let run = |k: usize| {
        let dir = book(
            &format!("{name}-{k}"),
            &[("01-a.md", &format!("{PIECE}{}", body(k)))],
        );
        let project = Project::open(&dir.join("book")).unwrap();
        let opts = folio::build::Options {
            out_dir: dir.join("out"),
            pdf: true,
            epub: true,
            print: Default::default(),
            pdf_standard: None,
        };
        let t = std::time::Instant::now();
        let r = folio::build::build(&project, &opts, &mut |_| {});
        assert!(r.is_ok(), "{name} {k}: {:?}", r.err());
        t.elapsed().as_secs_f64()
    };
    run(n); // warm up: fonts, dictionaries
    // The fastest of three runs each: other tests share the machine, and a stall in one run
    // must not read as super-linear work.
    let best = |k: usize| (0..3).map(|_| run(k)).fold(f64::INFINITY, f64::min);
    let small = best(n);
    let large = best(10 * n);
    assert!(
        large < 30.0 * small + 0.2,
        "{name}: 10× the input took {:.0}× the time ({small:.3} s → {large:.3} s)",
        large / small
    );
}

#[test]
fn raw_html_tags_on_one_long_line_cost_linear_time() {
    // Hostile input: 50,000 raw HTML tags on one line made 100,000 diagnostics that each
    // copied the 2.5 MB line and scanned it for its column (minutes, 18 GB).
    grows_linearly("html", 2_000, |n| "<b>x</b> ".repeat(n));
}

#[test]
fn characters_no_font_has_cost_linear_time() {
    // Hostile input: 20,000 characters no font has (a warning each, each reading the file).
    grows_linearly("nofont", 1_000, |n| {
        (0..n)
            .filter_map(|i| char::from_u32(0x4e00 + i as u32))
            .collect()
    });
}

#[test]
fn many_headings_cost_linear_time() {
    // Hostile input: each heading's EPUB level was computed over all the piece's headings.
    grows_linearly("headings", 500, |n| {
        (0..n).map(|i| format!("## Heading {i}\n\n")).collect()
    });
}

#[test]
fn many_pull_quotes_cost_linear_time() {
    // Hostile input: every pull quote was placed by paginating the whole piece again.
    grows_linearly("pullquotes", 100, |n| {
        (0..n)
            .map(|i| format!("Paragraph {i} says something.\n\n::: pullquote\nQuote {i}\n:::\n\n"))
            .collect()
    });
}

#[test]
fn a_panic_in_the_epub_thread_is_reported_as_a_bug_with_its_own_exit_code() {
    // Robustness: a panic in the EPUB thread was turned into a generic error, exit 1.
    let dir = book("panic", &[("01-a.md", &format!("{PIECE}Text.\n"))]);
    let o = Command::new(env!("CARGO_BIN_EXE_folio"))
        .args(["build", "book"])
        .current_dir(&dir)
        .env("FOLIO_DEBUG_PANIC_IN_EPUB", "1")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(101), "{}", stderr(&o));
    assert!(stderr(&o).contains("folio hit a bug"), "{}", stderr(&o));
    assert!(!dir.join("out").exists(), "nothing is written");
}

#[test]
fn quotations_and_lists_nested_past_the_limit_are_a_located_error_not_a_stack_overflow() {
    // Robustness: 10,000 nested block quotes or lists aborted with a stack overflow.
    for (name, body) in [
        ("quotes", "> ".repeat(10_000) + "deep\n"),
        (
            "lists",
            (0..3_000)
                .map(|i| format!("{}- x\n", "  ".repeat(i)))
                .collect(),
        ),
    ] {
        let dir = book(
            &format!("deep-{name}"),
            &[("01-a.md", &format!("{PIECE}{body}"))],
        );
        let o = folio(&dir, &["build", "book"]);
        assert_eq!(o.status.code(), Some(1), "{name}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("nested more than 100 levels deep"),
            "{}",
            stderr(&o)
        );
        assert!(
            stderr(&o).contains("book/01-a.md:"),
            "located: {}",
            stderr(&o)
        );
    }
    let ok = (0..60)
        .map(|i| {
            format!(
                "{}- item *{i}* [link](https://example.org)\n",
                "  ".repeat(i)
            )
        })
        .collect::<String>();
    let dir = book("deep-ok", &[("01-a.md", &format!("{PIECE}{ok}"))]);
    let o = folio(&dir, &["build", "book"]);
    assert_eq!(o.status.code(), Some(0), "60 levels build: {}", stderr(&o));
}

#[test]
#[cfg(unix)]
fn a_covers_folder_that_links_outside_the_book_is_not_followed() {
    // Containment: a `covers/` beside the book that is a symlink to a folder outside (a
    // sibling, or `/`) was followed and the outside file landed in the EPUB, exit 0.
    let dir = book(
        "covers-link",
        &[
            (
                "book.toml",
                "title = \"T\"\ncover = \"covers/secret.jpg\"\n",
            ),
            ("01-a.md", &format!("{PIECE}Text.\n")),
        ],
    );
    let outside = dir.join("elsewhere");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::copy(
        "tests/fixtures/images/gradient.jpg",
        outside.join("secret.jpg"),
    )
    .unwrap();
    std::os::unix::fs::symlink(&outside, dir.join("covers")).unwrap();
    let o = folio(&dir, &["build", "book"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("cover"), "{}", stderr(&o));
    assert!(!dir.join("out").exists());
}

#[test]
#[cfg(unix)]
fn a_piece_that_is_a_fifo_is_an_error_not_a_hang() {
    // Containment: a piece that is a FIFO hung the build (reading it never ends).
    let dir = book(
        "fifo",
        &[
            ("book.toml", "title = \"T\"\n"),
            ("01-a.md", &format!("{PIECE}Text.\n")),
        ],
    );
    let fifo = dir.join("book/02-b.md");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let o = folio(&dir, &["build", "book"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("not a regular file"), "{}", stderr(&o));
}

#[test]
fn when_the_second_output_cannot_be_written_the_first_keeps_its_old_edition() {
    // Nothing lost: the PDF was replaced although the EPUB failed and folio said "nothing
    // was written".
    let dir = book("second-fails", &[("01-a.md", &format!("{PIECE}Text.\n"))]);
    let o = folio(&dir, &["build", "book"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let pdf = dir.join("out/a-piece.pdf");
    let old = std::fs::read(&pdf).unwrap();
    std::fs::remove_file(dir.join("out/a-piece.epub")).unwrap();
    std::fs::create_dir_all(dir.join("out/a-piece.epub")).unwrap(); // a folder in the way
    let piece = dir.join("book/01-a.md");
    std::fs::write(&piece, format!("{PIECE}Changed text.\n")).unwrap();
    let o = folio(&dir, &["build", "book"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("a-piece.epub"),
        "the error names the path: {}",
        stderr(&o)
    );
    assert_eq!(
        std::fs::read(&pdf).unwrap(),
        old,
        "the PDF keeps its old edition"
    );
    let partial = std::fs::read_dir(dir.join("out"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .contains("partial")
        })
        .count();
    assert_eq!(partial, 0, "no temporary left behind");
}

#[test]
fn a_huge_bleed_is_a_located_error_not_an_unreadable_pdf() {
    // Invalid PDF, exit 0: a huge `bleed` made an object qpdf could not read.
    let dir = book(
        "bleed",
        &[
            (
                "book.toml",
                "title = \"T\"\n\n[print]\nbleed = \"5000mm\"\n",
            ),
            ("01-a.md", &format!("{PIECE}Text.\n")),
        ],
    );
    let o = folio(&dir, &["build", "book"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("`bleed` is 5000 mm, outside 0–25 mm"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("book.toml:4:1"), "{}", stderr(&o));
}

#[test]
fn bleed_in_pdf_settings_says_it_moved_to_print() {
    // Since the print edition (issue 11), the screen PDF has no bleed: `[pdf] bleed` was
    // the old place, and an old book.toml gets told where it goes now.
    let dir = book(
        "bleed-moved",
        &[
            ("book.toml", "title = \"T\"\n\n[pdf]\nbleed = \"3mm\"\n"),
            ("01-a.md", &format!("{PIECE}Text.\n")),
        ],
    );
    let o = folio(&dir, &["build", "book"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("`bleed` belongs in [print] now"), "{err}");
    assert!(err.contains("book.toml:4:1"), "{err}");
    assert!(err.contains("[print] bleed = \"3mm\""), "{err}");
}

#[test]
fn a_truncated_jpeg_is_a_located_error_not_embedded() {
    // Invalid PDF, exit 0: a truncated JPEG was embedded as is.
    let jpeg = std::fs::read("tests/fixtures/festival/images/altiplano-road.jpg").unwrap();
    let dir = book(
        "truncated-jpeg",
        &[(
            "01-a.md",
            &format!("{PIECE}Text.\n\n![A road](images/road.jpg)\n"),
        )],
    );
    std::fs::create_dir_all(dir.join("book/images")).unwrap();
    std::fs::write(dir.join("book/images/road.jpg"), &jpeg[..jpeg.len() / 2]).unwrap();
    let o = folio(&dir, &["build", "book"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("truncated"), "{}", stderr(&o));
    assert!(stderr(&o).contains("01-a.md:7:1"), "{}", stderr(&o));
}

#[test]
fn a_truncated_font_is_an_error_naming_the_file_and_the_key() {
    // A truncated font failed only when subsetting, with an error that named no file.
    let font = std::fs::read("fonts/EBGaramond-Italic.ttf").unwrap();
    let dir = book(
        "truncated-font",
        &[
            (
                "book.toml",
                "title = \"T\"\n\n[pdf]\nfonts = { italic = \"fonts/Cut.ttf\" }\n",
            ),
            ("01-a.md", &format!("{PIECE}An *italic* word.\n")),
        ],
    );
    std::fs::create_dir_all(dir.join("book/fonts")).unwrap();
    std::fs::write(dir.join("book/fonts/Cut.ttf"), &font[..font.len() * 2 / 3]).unwrap();
    for cmd in ["build", "check"] {
        let o = folio(&dir, &[cmd, "book"]);
        assert_eq!(o.status.code(), Some(1), "{cmd}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(
            err.contains("fonts/Cut.ttf") && err.contains("[pdf] fonts.italic"),
            "{cmd}: {err}"
        );
        assert!(err.contains("damaged or truncated"), "{cmd}: {err}");
    }
}

#[test]
fn a_footnote_taller_than_the_page_runs_on_over_the_pages_after_it_every_word_set() {
    // Silent loss: a footnote taller than the page was set past the page edge (89 % of a
    // 4,000-word note outside every page box); then a warning said so. Now the note is
    // split and carried on, LaTeX's way: every word is on a page, inside it, in order, and
    // a note this long (over three pages) is still said where it is written.
    let long: String = (1..=800)
        .map(|k| format!("Sentence {k} of the long note. "))
        .collect();
    let dir = book(
        "tall-note",
        &[(
            "01-a.md",
            &format!("{PIECE}Text.[^n]\n\nMore text after the note.\n\n[^n]: {long}The end.\n"),
        )],
    );
    let (pages, warnings) = typeset(&dir);
    let w = warnings
        .iter()
        .find(|d| d.message.contains("more than 3 pages of text"))
        .unwrap_or_else(|| panic!("a warning: {warnings:?}"));
    assert_eq!(
        w.location.as_ref().and_then(|l| l.pos).map(|p| p.line),
        Some(9)
    );
    // The note areas' text (a word hyphenated at a line's end reads whole).
    let text = note_area_text(&pages, 10.5 * 0.8)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let mut at = 0;
    for k in 1..=800 {
        let s = format!("Sentence {k} of");
        match text[at..].find(&s) {
            Some(i) => at += i + s.len(),
            None => panic!(
                "{s:?} is missing or out of order: {}",
                &text[at..(at + 300).min(text.len())]
            ),
        }
    }
    assert!(text[at..].contains("The end."));
    for (i, page) in pages.pages.iter().enumerate() {
        for g in glyphs(page) {
            assert!(
                g.y > 0.0 && g.y < page.height,
                "page {}: {:?} at y {:.1} is off the page",
                i + 1,
                g.text,
                g.y
            );
        }
    }
}

#[test]
fn text_from_bad_converters_builds_valid_outputs_or_a_located_error() {
    // Text from bad converters: NUL and other controls, CRLF and lone CR, bidi overrides,
    // 200 stacked combining marks: both outputs stay valid (every XHTML file parses).
    let marks: String = std::iter::once('a')
        .chain(std::iter::repeat_n('\u{301}', 200))
        .collect();
    let text = format!(
        "{PIECE}Nul\u{0}here and a form\u{c}feed.\r\nWindows line.\rOld Mac line.\n\n\
         Bidi \u{202e}override\u{202c} and isolate \u{2067}x\u{2069}.\n\n{marks} stacked.\n"
    );
    let dir = book("bad-converter", &[("01-a.md", &text)]);
    let o = folio(&dir, &["build", "book"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("2 control characters"),
        "{}",
        stderr(&o)
    );
    assert!(
        stderr(&o).contains("01-a.md:5:4"),
        "located at the NUL: {}",
        stderr(&o)
    );
    let epub = std::fs::read(dir.join("out/a-piece.epub")).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(epub)).unwrap();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        if f.name().ends_with(".xhtml") || f.name().ends_with(".opf") {
            let mut xml = String::new();
            std::io::Read::read_to_string(&mut f, &mut xml).unwrap();
            let opts = roxmltree::ParsingOptions {
                allow_dtd: true,
                ..Default::default()
            };
            roxmltree::Document::parse_with_options(&xml, opts)
                .unwrap_or_else(|e| panic!("{}: {e}", f.name()));
        }
    }
    let pdf = std::fs::read(dir.join("out/a-piece.pdf")).unwrap();
    assert!(pdf.starts_with(b"%PDF-") && pdf.ends_with(b"%%EOF\n") || pdf.ends_with(b"%%EOF"));
}

#[test]
fn a_utf16_manuscript_is_named_as_utf16() {
    // Text from bad converters: a UTF-16 file was "not valid UTF-8" at a byte position.
    let dir = book("utf16", &[("book.toml", "title = \"T\"\n")]);
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(
            format!("{PIECE}Text.\n")
                .encode_utf16()
                .flat_map(u16::to_le_bytes),
        )
        .collect();
    std::fs::write(dir.join("book/01-a.md"), utf16).unwrap();
    let o = folio(&dir, &["build", "book"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("UTF-16 (little-endian)"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("01-a.md"), "{}", stderr(&o));
}

#[test]
#[cfg(unix)]
fn a_build_killed_mid_way_leaves_the_previous_edition_intact() {
    // Nothing lost: `kill -9` at any moment of a build leaves every output under its final
    // name either the previous edition or the new one, complete (never a partial file).
    let para = "The projector hums while the village watches the screen. ".repeat(40);
    let text = format!("{PIECE}{}", vec![para.as_str(); 200].join("\n\n"));
    let dir = book("killed", &[("01-a.md", &text)]);
    let o = folio(&dir, &["build", "book"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let outputs = ["out/a-piece.pdf", "out/a-piece.epub"];
    let old: Vec<Vec<u8>> = outputs
        .iter()
        .map(|p| std::fs::read(dir.join(p)).unwrap())
        .collect();
    std::fs::write(dir.join("book/01-a.md"), text.replace("hums", "whirs")).unwrap();
    for delay_ms in [5u64, 40, 120, 300, 700] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_folio"))
            .args(["build", "book", "-q"])
            .current_dir(&dir)
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        for (p, old) in outputs.iter().zip(&old) {
            let now = std::fs::read(dir.join(p)).unwrap();
            if now != *old {
                // The new edition, then: complete.
                let complete = if p.ends_with(".pdf") {
                    now.starts_with(b"%PDF-")
                        && now.windows(5).rev().take(64).any(|w| w == b"%%EOF")
                } else {
                    zip::ZipArchive::new(std::io::Cursor::new(&now)).is_ok()
                };
                assert!(
                    complete,
                    "{p} after a kill at {delay_ms} ms is neither edition"
                );
            }
        }
    }
}

#[test]
fn the_conformance_claim_is_made_only_with_a_named_evaluator() {
    // EPUB: `conformsTo` was written without `a11y:certifiedBy`, which EPUB Accessibility
    // 1.1 requires.
    let opf_of = |name: &str, toml: &str| {
        let dir = book(
            name,
            &[("book.toml", toml), ("01-a.md", &format!("{PIECE}Text.\n"))],
        );
        let o = folio(&dir, &["build", "book", "--format", "epub"]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        epub_entry(&dir.join("out/t.epub"), "OEBPS/content.opf")
    };
    let without = opf_of("no-evaluator", "title = \"T\"\nlang = \"en\"\n");
    assert!(
        !without.contains("conformsTo") && !without.contains("certifiedBy"),
        "{without}"
    );
    assert!(without.contains("displayTransformability"));
    let with = opf_of(
        "evaluator",
        "title = \"T\"\nlang = \"en\"\n\n[epub]\naccessibility-evaluator = \"Ana Arce, Plano Alto\"\n",
    );
    assert!(
        with.contains("EPUB Accessibility 1.1 - WCAG 2.2 Level AA"),
        "{with}"
    );
    assert!(
        with.contains(">Ana Arce, Plano Alto</meta>") && with.contains("a11y:certifiedBy"),
        "{with}"
    );
}

#[test]
fn no_line_starts_with_a_dash_or_an_ellipsis_and_numbers_keep_their_units() {
    // EPUB for stores: a reading system could start a line with a spaced dash or an
    // ellipsis, or part "4,000 m"; the typographic pass at load time gives both outputs
    // the same no-break spaces.
    let sentence = "The crew climbed – slowly, for hours – to 4,000 m, and waited … for p. 12 of the script by J. R. Tolkien. ";
    let dir = book(
        "no-break",
        &[("01-a.md", &format!("{PIECE}{}\n", sentence.repeat(30)))],
    );
    let o = folio(&dir, &["build", "book"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let xhtml = epub_entry(&dir.join("out/a-piece.epub"), "OEBPS/a-piece.xhtml");
    for bad in [" –", " …", "4,000 m", "p. 12", "J. R."] {
        assert!(!xhtml.contains(bad), "a breakable space in {bad:?}");
    }
    let (pages, _) = typeset(&dir);
    for page in &pages.pages {
        for line in page_text(page).lines() {
            assert!(
                !line.starts_with(['–', '—', '…']),
                "a line starts with {line:?}"
            );
            assert!(
                !line.trim_end().ends_with("4,000") && !line.trim_end().ends_with(" p."),
                "{line:?}"
            );
        }
    }
}

#[test]
fn the_epub_title_page_is_typed_sorted_and_free_of_machine_data() {
    // EPUB for stores: the title page printed `urn:uuid:…` and an ISO date, had no
    // epub:type on its elements, and the title had no sort form.
    let dir = book(
        "title-page",
        &[
            (
                "book.toml",
                "title = \"The Escape of the Soul\"\nlang = \"en-GB\"\ndate = \"2026-11-24\"\n",
            ),
            ("01-a.md", &format!("{PIECE}Text.\n")),
        ],
    );
    let o = folio(&dir, &["build", "book", "--format", "epub"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let epub = std::fs::read(dir.join("out/the-escape-of-the-soul.epub")).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(epub)).unwrap();
    let read = |zip: &mut zip::ZipArchive<std::io::Cursor<Vec<u8>>>, name: &str| {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut zip.by_name(name).unwrap(), &mut s).unwrap();
        s
    };
    let names: Vec<String> = zip.file_names().map(str::to_owned).collect();
    let tp = names
        .iter()
        .find(|n| n.contains("title"))
        .expect("a title page")
        .clone();
    let page = read(&mut zip, &tp);
    assert!(
        page.contains("epub:type=\"titlepage\"") && page.contains("epub:type=\"imprint\""),
        "{page}"
    );
    assert!(
        !page.contains("urn:uuid") && !page.contains("2026-11-24"),
        "{page}"
    );
    assert!(page.contains("24 November 2026"), "{page}");
    let opf = read(&mut zip, "OEBPS/content.opf");
    assert!(opf.contains(">Escape of the Soul, The</meta>"), "{opf}");
}

#[test]
fn the_epub_css_leaves_the_reader_its_settings_and_the_ncx_has_two_levels() {
    // EPUB for stores: the body imposed side margins and a line height, justified text where
    // the reader has no hyphenation, note references at 0.75 em, a rule over the notes that
    // Apple Books leaves alone; the NCX ran three levels deep.
    let dir = book(
        "css-ncx",
        &[(
            "01-a.md",
            &format!(
                "{PIECE}Text.[^n]\n\n## Two\n\nText.\n\n### Three\n\nText.\n\n## Four\n\nText.\n\n[^n]: A note.\n"
            ),
        )],
    );
    let o = folio(&dir, &["build", "book", "--format", "epub"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let epub = std::fs::read(dir.join("out/a-piece.epub")).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(epub)).unwrap();
    let mut read = |name: &str| {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut zip.by_name(name).unwrap(), &mut s).unwrap();
        s
    };
    let css = read("OEBPS/stylesheet.css");
    let body = css
        .split("body {")
        .nth(1)
        .unwrap()
        .split('}')
        .next()
        .unwrap();
    assert!(
        !body.contains("margin") && !body.contains("line-height") && !body.contains("justify"),
        "{body}"
    );
    // Issue 21: justification inside @supports is dropped by Kindle's converters (calibre
    // reports the rule unknown): paragraphs are justified by a plain rule.
    assert!(!css.contains("@supports ("), "{css}");
    assert!(
        css.contains("p { margin: 0; text-indent: 1.2em; text-align: justify; }"),
        "{css}"
    );
    // Figures no taller than the screen, never distorted; a wide table scrolls in its box.
    assert!(
        css.contains("max-height: 85vh; object-fit: contain;"),
        "{css}"
    );
    assert!(css.contains("div.table { margin: 1em 0; max-width: 100%; overflow-x: auto; }"));
    // A bare web address wider than a phone pushed a chapter of the mdBook fixture to
    // 563 px at 360 (CI, scripts/epub-phone.py, which now opens every chapter): a word
    // that cannot fit breaks where it must.
    assert!(body.contains("overflow-wrap: break-word;"), "{body}");
    assert!(!css.contains("0.75em"), "nothing below 0.8 em");
    let notes = css
        .split("section.footnotes {")
        .nth(1)
        .unwrap()
        .split('}')
        .next()
        .unwrap();
    assert!(!notes.contains("border"), "{notes}");
    let ncx = read("OEBPS/toc.ncx");
    assert!(ncx.contains("name=\"dtb:depth\" content=\"2\""), "{ncx}");
    assert!(!ncx.contains("Three"), "the third level is not in the NCX");
    // The pruned NCX still counts its play order 1, 2, 3… over the nav map and the page
    // list together (epubcheck RSC-005 otherwise).
    let mut orders: Vec<usize> = ncx
        .split("playOrder=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next()?.parse().ok())
        .collect();
    orders.sort();
    orders.dedup();
    assert_eq!(orders, (1..=orders.len()).collect::<Vec<_>>(), "{ncx}");
}

#[test]
fn a_book_for_stores_without_a_cover_gets_folios_cover_and_a_warning() {
    // EPUB for stores: only `folio check` said a book with an ISBN had no cover, and the
    // EPUB had no cover image (Google Play refuses such a book). Now folio draws its
    // typographic cover as the EPUB's cover image, and the build still warns.
    let dir = book(
        "no-cover",
        &[
            (
                "book.toml",
                "title = \"T\"\nidentifier = \"978-0-306-40615-7\"\n",
            ),
            ("01-a.md", &format!("{PIECE}Text.\n")),
        ],
    );
    let o = folio(&dir, &["build", "book"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("warning: this book has an ISBN but no cover image"),
        "{err}"
    );
    assert!(err.contains("folio's typographic cover"), "{err}");
    let epub = std::fs::read_dir(dir.join("out"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "epub"))
        .unwrap();
    let mut zip = zip::ZipArchive::new(std::fs::File::open(epub).unwrap()).unwrap();
    assert!(zip.by_name("OEBPS/images/cover.png").is_ok());
}

#[test]
fn an_address_or_an_out_path_that_is_a_file_is_a_clear_error() {
    // Containment and nothing lost: an `https://` image was "not found"; `--out` naming a
    // file said "File exists (os error 17)".
    let dir = book(
        "addresses",
        &[(
            "01-a.md",
            &format!(
                "{PIECE}Text.\n\n![A](https://example.org/a.jpg)\n\n![B](file:///etc/passwd)\n"
            ),
        )],
    );
    let o = folio(&dir, &["build", "book"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("is a https:// address; folio never fetches files"),
        "{}",
        stderr(&o)
    );
    assert!(
        stderr(&o).contains("is a file:// address"),
        "{}",
        stderr(&o)
    );
    let dir = book("out-is-a-file", &[("01-a.md", &format!("{PIECE}Text.\n"))]);
    std::fs::write(dir.join("notadir"), "").unwrap();
    let o = folio(&dir, &["build", "book", "--out", "notadir"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("`notadir` is a file, not a folder"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn watch_by_polling_sees_a_save_made_within_a_second_of_the_first_build() {
    // The polling watcher compares modification times in whole seconds: a save right after
    // the first build went unseen until polling compared contents too.
    use folio::watch::{Event, watch};
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, mpsc};
    let dir = book(
        "watch-poll-second",
        &[(
            "01.md",
            "---\ntitle: Quick\n---\n\nThe first words of a short piece.\n",
        )],
    );
    let stop = Arc::new(AtomicBool::new(false));
    let (tx, rx) = mpsc::channel::<String>();
    let (book_dir, out, flag) = (dir.join("book"), dir.join("out"), stop.clone());
    let watcher = std::thread::spawn(move || {
        let opts = folio::build::Options {
            out_dir: out,
            pdf: true,
            epub: false,
            print: Default::default(),
            pdf_standard: None,
        };
        let mut report = |e: Event| {
            let line = match e {
                Event::Watching { polling, .. } => format!("watching polling={polling}"),
                Event::Built { .. } => "built".to_string(),
                Event::Failed(_) => "failed".to_string(),
            };
            let _ = tx.send(line);
        };
        watch(
            folio::build::Session::default(),
            &book_dir,
            &opts,
            true,
            flag,
            &mut report,
            &mut |_| {},
        )
    });
    let next = || rx.recv_timeout(std::time::Duration::from_secs(60)).unwrap();
    assert_eq!(next(), "watching polling=true");
    assert_eq!(next(), "built");
    // At once: the same second as the files the watcher has just looked at.
    std::fs::write(
        dir.join("book/01.md"),
        "---\ntitle: Quick\n---\n\nThe first word of a short piece.\n",
    )
    .unwrap();
    assert_eq!(next(), "built", "the save is seen and rebuilt");
    stop.store(true, Ordering::Relaxed);
    assert!(watcher.join().unwrap().is_ok());
}

/// Big-endian integers of a font file.
fn be16(d: &[u8], at: usize) -> usize {
    usize::from(u16::from_be_bytes([d[at], d[at + 1]]))
}
fn be32(d: &[u8], at: usize) -> usize {
    u32::from_be_bytes([d[at], d[at + 1], d[at + 2], d[at + 3]]) as usize
}

/// How many glyphs of a TrueType font have an outline (a non-empty `glyf` entry).
fn glyphs_with_outlines(font: &[u8]) -> (usize, usize) {
    let table = |tag: &[u8]| {
        (0..be16(font, 4))
            .map(|i| 12 + 16 * i)
            .find(|&r| &font[r..r + 4] == tag)
            .map(|r| be32(font, r + 8))
            .unwrap()
    };
    let (maxp, head, loca) = (table(b"maxp"), table(b"head"), table(b"loca"));
    let n = be16(font, maxp + 4);
    let long = be16(font, head + 50) == 1;
    let off = |g: usize| {
        if long {
            be32(font, loca + 4 * g)
        } else {
            2 * be16(font, loca + 2 * g)
        }
    };
    ((0..n).filter(|&g| off(g + 1) > off(g)).count(), n)
}

#[test]
fn embedded_epub_fonts_are_pruned_to_the_text_and_bold_is_embedded() {
    // EPUB for stores: the booklet's EPUB embedded two whole faces (441 KB where 60 KB
    // would do) and no bold, so readers faked the speakers' bold.
    let dir = std::env::temp_dir().join(format!("folio-reg-fonts-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let o = Command::new(env!("CARGO_BIN_EXE_folio"))
        .args([
            "build",
            "tests/fixtures/booklet",
            "--format",
            "epub",
            "--out",
        ])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let epub = dir.join("altiplano-notebook.epub");
    let css = epub_entry(&epub, "OEBPS/stylesheet.css");
    assert!(
        css.contains("font-weight: bold;\n  src: url(\"fonts/EBGaramond-Bold.ttf\")"),
        "{css}"
    );
    // The book's distinct characters, from every content document's text.
    let bytes = std::fs::read(&epub).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut chars = std::collections::BTreeSet::new();
    let names: Vec<String> = zip.file_names().map(str::to_string).collect();
    for name in names.iter().filter(|n| n.ends_with(".xhtml")) {
        let text = epub_entry(&epub, name);
        let mut in_tag = false;
        for c in text.chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag && !c.is_whitespace() => {
                    chars.insert(c);
                }
                _ => {}
            }
        }
    }
    for face in ["Regular", "Italic", "Bold"] {
        let mut font = Vec::new();
        std::io::Read::read_to_end(
            &mut zip
                .by_name(&format!("OEBPS/fonts/EBGaramond-{face}.ttf"))
                .unwrap(),
            &mut font,
        )
        .unwrap();
        let (drawn, total) = glyphs_with_outlines(&font);
        // ASCII is always kept, plus ligatures and small capitals of the text's words.
        let allowed = 3 * (chars.len() + 95);
        assert!(
            drawn <= allowed,
            "{face}: {drawn} glyphs drawn for {} characters",
            chars.len()
        );
        assert!(
            drawn > chars.len() / 2,
            "{face}: the text's glyphs are there ({drawn})"
        );
        assert!(total > drawn, "{face}: glyph ids kept ({total})");
        let full = std::fs::metadata(format!("fonts/EBGaramond-{face}.ttf"))
            .unwrap()
            .len();
        assert!(
            (font.len() as u64) < full / 2,
            "{face}: {} of {full} bytes",
            font.len()
        );
    }
}

#[test]
fn a_million_distinct_words_keep_the_memo_tables_bounded() {
    // Robustness: 1,000,000 numbered paragraphs took 4.2 GB, a million distinct "123456."
    // words held in the shaping, word and hyphenation caches. Each table now starts again
    // past `CACHE_ENTRIES`; the shaped results are the same either way.
    use folio::typeset::font::FontSet;
    use folio::typeset::shape::{Features, ShapeCache, ShapeKey};
    let fonts = FontSet::default_fonts();
    let font = fonts.get(folio::typeset::font::Style::Regular);
    let key = ShapeKey {
        font: 0,
        size: 10.5f32.to_bits(),
        features: Features::default(),
    };
    let mut cache = ShapeCache::default();
    cache.limit = Some(100);
    let mut reference = ShapeCache::default();
    for i in 0..2_000 {
        let text = format!("{i}.");
        assert_eq!(
            cache.get(key, font, "en", &text).shaped,
            reference.get(key, font, "en", &text).shaped
        );
        assert!(cache.held() <= 100, "{} held past the bound", cache.held());
    }
    assert_eq!(cache.cached(), 2_000);
    assert_eq!(
        reference.held(),
        2_000,
        "unbounded, the reference keeps them all"
    );
}

#[test]
fn a_full_disk_is_a_clear_error_and_the_last_edition_stays() {
    // Nothing lost: a disk that fills up mid-write must leave the previous outputs as they
    // were and say which file could not be written. A file-size limit (`prlimit --fsize`)
    // makes the same write error as a full disk, without mounting anything.
    let dir = book(
        "full-disk",
        &[(
            "01-a.md",
            &format!(
                "{PIECE}{}\n",
                "A paragraph long enough to make a PDF of some size. ".repeat(400)
            ),
        )],
    );
    let first = folio(&dir, &["build", "book"]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let out = dir.join("out");
    let before: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(&out)
        .unwrap()
        .flatten()
        .map(|e| (e.path(), std::fs::read(e.path()).unwrap()))
        .collect();
    std::fs::write(
        dir.join("book/01-a.md"),
        format!(
            "{PIECE}{}\n",
            "An edited paragraph, long enough to need a new PDF. ".repeat(400)
        ),
    )
    .unwrap();
    let o = Command::new("prlimit")
        .arg("--fsize=20000")
        .arg(env!("CARGO_BIN_EXE_folio"))
        .args(["build", "book"])
        .current_dir(&dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("prlimit (util-linux) is needed");
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("cannot write the output"), "{err}");
    assert!(
        err.contains("File too large") && err.contains("out/"),
        "{err}"
    );
    for (path, bytes) in &before {
        assert!(
            std::fs::read(path).unwrap() == *bytes,
            "{} changed",
            path.display()
        );
    }
    let names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names.len(),
        before.len(),
        "no temporary left behind: {names:?}"
    );
}

/// The book's PDF built in a `folio watch` session that first built `before` (with the
/// files `copied` into the book; then the files changed to `after`), and a cold build of
/// `after`.
fn session_and_cold(
    name: &str,
    before: &[(&str, &str)],
    copied: &[(&str, &Path)],
    after: &[(&str, &str)],
) -> (Vec<u8>, Vec<u8>) {
    use folio::build::Session;
    let dir = book(name, before);
    for (file, from) in copied {
        std::fs::copy(from, dir.join("book").join(file)).unwrap();
    }
    let opts = |out: &str| pdf_only(dir.join(out));
    let build = |session: &mut Session, out: &str| {
        let project = Project::open(&dir.join("book")).unwrap();
        let report = folio::build::build_in(session, &project, &opts(out), &mut |_| {}).unwrap();
        std::fs::read(&report.outputs[0]).unwrap()
    };
    let mut session = Session::default();
    build(&mut session, "warm");
    for (file, text) in after {
        std::fs::write(dir.join("book").join(file), text).unwrap();
    }
    let warm = build(&mut session, "warm");
    let cold = build(&mut Session::default(), "cold");
    (warm, cold)
}

#[test]
fn a_session_rebuild_after_a_name_joins_the_book_matches_a_cold_build() {
    // The prepared-word cache outlived the book's names: once "Montgomery" became a
    // contributor's name (never hyphenated), `folio watch` still set the "Mont-gomery" it had
    // prepared before, and its PDF differed from a cold build's.
    let body = (0..120)
        .map(|i| {
            [
                "Montgomery",
                "walked",
                "past",
                "Montgomery's",
                "old",
                "carriage",
                "house",
            ][i % 7]
        })
        .collect::<Vec<_>>()
        .join(" ");
    let piece = format!("---\ntitle: Walks\n---\n\n{body}.\n");
    let toml = "title = \"Walks\"\nlang = \"en\"\n";
    let named = "title = \"Walks\"\nlang = \"en\"\n\n[[editor]]\nname = \"Ann Montgomery\"\n";
    let (warm, cold) = session_and_cold(
        "names-session",
        &[("book.toml", toml), ("01.md", &piece)],
        &[],
        &[("book.toml", named)],
    );
    assert!(
        warm == cold,
        "the session's PDF differs from a cold build's"
    );
}

#[test]
fn a_session_rebuild_after_the_body_font_changes_matches_a_cold_build() {
    // The shaping cache outlived the fonts: after `[pdf] fonts` named another regular face,
    // `folio watch` drew the first face's shapes (glyph ids and advances) with the second.
    let body = "Affable waffles, office coffee and a difficult fjord. ".repeat(40);
    let piece = format!("---\ntitle: Fonts\n---\n\n{body}\n");
    let semibold = Path::new(env!("CARGO_MANIFEST_DIR")).join("fonts/EBGaramond-SemiBold.ttf");
    let toml = "title = \"Fonts\"\nlang = \"en\"\n";
    let swapped = format!("{toml}\n[pdf]\nfonts = {{ regular = \"SemiBold.ttf\" }}\n");
    let (warm, cold) = session_and_cold(
        "fonts-session",
        &[("book.toml", toml), ("01.md", &piece)],
        &[("SemiBold.ttf", &semibold)],
        &[("book.toml", &swapped)],
    );
    assert!(
        warm == cold,
        "the session's PDF differs from a cold build's"
    );
}

#[test]
fn a_session_rebuild_still_warns_of_a_character_no_font_has() {
    // A word with a character no font has was kept in the prepared-word cache. When an edit
    // elsewhere in its piece made `folio watch` set the piece again, the word came from the
    // cache, and the warning naming the character was gone from the rebuild.
    use folio::build::Session;
    let piece = |second: &str| {
        format!(
            "---\ntitle: Snow\n---\n\nThe snowman ☃ stood in the yard all winter.\n\n{second}\n"
        )
    };
    let dir = book(
        "missing-session",
        &[
            ("book.toml", "title = \"Snow\"\nlang = \"en\"\n"),
            ("01.md", &piece("A second paragraph.")),
        ],
    );
    let opts = pdf_only(dir.join("out"));
    let mut session = Session::default();
    let warned = |session: &mut Session| {
        let project = Project::open(&dir.join("book")).unwrap();
        let report = folio::build::build_in(session, &project, &opts, &mut |_| {}).unwrap();
        report.warnings.iter().any(|w| w.message.contains("U+2603"))
    };
    assert!(warned(&mut session), "the first build warns");
    std::fs::write(dir.join("book/01.md"), piece("A second paragraph, edited.")).unwrap();
    assert!(warned(&mut session), "the rebuild warns too");
    assert_eq!(session.laid_out, 1, "the piece was set again");
}

// ---------------------------------------------------------------------------------------
// One resolved book (issue 20): the three places the PDF and the EPUB disagreed, and the
// tagged PDF's checks.

/// The first PDF and EPUB a build of `dir/book` wrote (`args` added to the command).
fn built(dir: &Path, args: &[&str]) -> (PathBuf, PathBuf, Output) {
    let mut all = vec!["build", "book", "--out", "out"];
    all.extend_from_slice(args);
    let o = folio(dir, &all);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let find = |ext: &str| {
        std::fs::read_dir(dir.join("out"))
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .find(|p| {
                let n = p.file_name().unwrap().to_string_lossy();
                n.ends_with(ext) && !n.ends_with("-print.pdf") && !n.ends_with("-booklet.pdf")
            })
            .unwrap()
    };
    (find(".pdf"), find(".epub"), o)
}

#[test]
fn a_footnote_nothing_refers_to_is_set_in_both_outputs_after_the_others() {
    // The EPUB printed an unreferenced note (numbered after the others) and the PDF dropped
    // it: the two editions did not hold the same text.
    let dir = book(
        "lonely-note",
        &[
            ("book.toml", "title = \"Notes\"\nlang = \"en\"\n"),
            (
                "01-a.md",
                &format!(
                    "{PIECE}The text refers to one note.[^a]\n\n[^a]: The referenced note.\n\n\
                     [^lonely]: An orphaned remark about llamas.\n"
                ),
            ),
        ],
    );
    let (pages, warnings) = typeset(&dir);
    let text = all_text(&pages);
    assert!(
        text.contains("2. An orphaned remark about llamas."),
        "{text}"
    );
    let w: Vec<&str> = warnings.iter().map(|d| d.message.as_str()).collect();
    assert!(
        w.iter()
            .any(|m| m.contains("`lonely` is never referenced; it is set as note 2")),
        "{w:?}"
    );
    let (_, epub, _) = built(&dir, &[]);
    let piece = epub_entry(&epub, "OEBPS/a-piece.xhtml");
    assert!(piece.contains("id=\"fn_2\""), "{piece}");
    assert!(
        piece.contains("An orphaned remark about llamas."),
        "{piece}"
    );
}

#[test]
fn a_book_without_a_language_is_set_and_declared_english_in_both_outputs() {
    // The EPUB said `und` while the PDF was hyphenated as English and had no /Lang.
    let dir = book(
        "no-lang",
        &[
            ("book.toml", "title = \"No Language\"\n"),
            ("01-a.md", &format!("{PIECE}Some text.\n")),
        ],
    );
    let (pdf, epub, o) = built(&dir, &[]);
    assert!(
        stderr(&o)
            .contains("does not say its language; both editions are set and declared as English"),
        "{}",
        stderr(&o)
    );
    let doc = lopdf::Document::load(&pdf).unwrap();
    let lang = doc
        .catalog()
        .unwrap()
        .get(b"Lang")
        .unwrap()
        .as_str()
        .unwrap()
        .to_vec();
    assert_eq!(lang, b"en");
    let opf = epub_entry(&epub, "OEBPS/content.opf");
    assert!(opf.contains("<dc:language>en</dc:language>"), "{opf}");
    assert!(!opf.contains("und"), "{opf}");
    let piece = epub_entry(&epub, "OEBPS/a-piece.xhtml");
    assert!(piece.contains("lang=\"en\""), "{piece}");
}

#[test]
fn one_person_with_two_roles_is_credited_once_with_one_sort_name() {
    // Ana Arce wrote and photographed a piece: she was credited twice (bylines, contents,
    // copyright page, a dc:creator and a dc:contributor), with her sort name in one place.
    let dir = book(
        "two-roles",
        &[
            (
                "book.toml",
                "title = \"Roles\"\nlang = \"en\"\n\n[[author]]\nname = \"Ana Arce\"\nfile-as = \"Arce, Ana\"\n",
            ),
            (
                "01-a.md",
                "---\ntitle: One\nauthor: Ana Arce\nphotographer: Ana Arce\n---\n\nText.\n",
            ),
            (
                "02-b.md",
                "---\ntitle: Two\nauthor: Tom Webb\n---\n\nMore text.\n",
            ),
        ],
    );
    let (pages, _) = typeset(&dir);
    let text = all_text(&pages);
    assert_eq!(
        text.matches("Photographs and text by Ana Arce").count(),
        2,
        "the contents and the opening: {text}"
    );
    assert!(!text.contains("Photographs by Ana Arce"), "{text}");
    let colophon = page_text(&pages.pages[1]);
    assert!(
        colophon.contains("Photographs and text: Ana Arce"),
        "{colophon}"
    );
    assert_eq!(colophon.matches("Ana Arce").count(), 1, "{colophon}");
    let (_, epub, _) = built(&dir, &[]);
    let opf = epub_entry(&epub, "OEBPS/content.opf");
    assert_eq!(opf.matches(">Ana Arce<").count(), 1, "{opf}");
    assert!(
        !opf.contains("<dc:contributor id=\"contributor-1\">Ana Arce"),
        "{opf}"
    );
    for (role, ok) in [("aut", true), ("pht", true)] {
        let refined = opf.contains(&format!(
            "<meta refines=\"#creator-1\" property=\"role\" scheme=\"marc:relators\">{role}</meta>"
        ));
        assert_eq!(refined, ok, "{role}: {opf}");
    }
    assert!(
        opf.contains("<meta refines=\"#creator-1\" property=\"file-as\">Arce, Ana</meta>"),
        "{opf}"
    );
    let one = epub_entry(&epub, "OEBPS/one.xhtml");
    // Composition (issue 21): a name never breaks inside, in either output.
    assert!(
        one.contains("Photographs and text by Ana\u{a0}Arce"),
        "{one}"
    );
}

#[test]
fn pdf_ua_mode_refuses_a_figure_without_alt_a_skipped_heading_and_a_headerless_table() {
    // What a tagged PDF cannot make accessible is a located warning, and a located error
    // when the PDF must meet PDF/UA-1 (which is then claimed in its XMP, and only then).
    let dir = book(
        "ua",
        &[
            ("book.toml", "title = \"UA\"\nlang = \"en\"\n"),
            (
                "01-a.md",
                &format!(
                    "{PIECE}Text.\n\n![](images/alpha.png)\n\n# Top\n\nText.\n\n### Too deep\n\nText.\n\n\
                     | | |\n|---|---|\n| a | b |\n"
                ),
            ),
        ],
    );
    std::fs::create_dir_all(dir.join("book/images")).unwrap();
    std::fs::copy(
        "tests/fixtures/images/alpha.png",
        dir.join("book/images/alpha.png"),
    )
    .unwrap();
    let (pdf, _, o) = built(&dir, &[]);
    let err = stderr(&o);
    for what in [
        "warning: this figure has no text alternative",
        "warning: this heading skips a level: it is read as level 4 after level 2",
        "warning: this table has no header row",
    ] {
        assert!(err.contains(what), "{what}: {err}");
    }
    assert!(err.contains("01-a.md:7:1"), "located: {err}");
    let xmp = |pdf: &Path| {
        let doc = lopdf::Document::load(pdf).unwrap();
        let id = doc
            .catalog()
            .unwrap()
            .get(b"Metadata")
            .unwrap()
            .as_reference()
            .unwrap();
        String::from_utf8(
            doc.get_object(id)
                .unwrap()
                .as_stream()
                .unwrap()
                .content
                .clone(),
        )
        .unwrap()
    };
    assert!(!xmp(&pdf).contains("pdfuaid:part"), "nothing claimed");
    let o = folio(
        &dir,
        &["build", "book", "--out", "out2", "--pdf-standard", "ua-1"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    for what in [
        "error: this figure has no text alternative",
        "error: this heading skips a level",
        "error: this table has no header row",
    ] {
        assert!(err.contains(what), "{what}: {err}");
    }
    assert!(
        !dir.join("out2").exists() || std::fs::read_dir(dir.join("out2")).unwrap().count() == 0
    );
    // A book that meets it: claimed, from the command line or from book.toml.
    let ok = book(
        "ua-ok",
        &[
            (
                "book.toml",
                "title = \"UA\"\nlang = \"en\"\n\n[pdf]\nstandard = \"ua-1\"\n",
            ),
            ("01-a.md", &format!("{PIECE}Text.\n\n## Part\n\nText.\n")),
        ],
    );
    let (pdf, _, _) = built(&ok, &[]);
    assert!(
        xmp(&pdf).contains("<pdfuaid:part>1</pdfuaid:part>"),
        "{}",
        xmp(&pdf)
    );
}

#[test]
fn a_hyphen_reads_as_a_soft_hyphen_and_no_line_end_space_crosses_the_margin() {
    // Found measuring issue 21: on the tagged PDF typoqual read almost no hyphenated lines
    // (the discretionary hyphen's ActualText was empty) and hundreds of overfull ones (the
    // word space kept at a line's end was drawn as a space glyph past the margin).
    let para = "Extraordinarily comprehensive understanding notwithstanding, the \
        representatives' circumstances necessitated uncharacteristically straightforward \
        accommodations. "
        .repeat(12);
    let dir = book(
        "soft-hyphen",
        &[
            (
                "book.toml",
                "title = \"Hyphens\"\nlang = \"en\"\n[pdf]\npage-width = \"100mm\"\n",
            ),
            ("01-a.md", &format!("{PIECE}{para}\n\n{para}\n")),
        ],
    );
    let o = folio(&dir, &["build", "book", "--format", "pdf"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let pdf = dir.join("out/hyphens.pdf");
    // PyMuPDF (what typoqual reads with) keeps the soft hyphen; poppler drops it, which
    // joins the word again, as a soft hyphen should. Each line: the right edge of its last
    // character (a space included), then its text.
    let script = "import sys, pymupdf\n\
        for page in pymupdf.open(sys.argv[1]):\n\
        \x20   for b in page.get_text('rawdict')['blocks']:\n\
        \x20       for l in b.get('lines', []):\n\
        \x20           cs = [c for s in l['spans'] for c in s['chars']]\n\
        \x20           t = ''.join(c['c'] for c in cs).rstrip(' ').encode('unicode_escape').decode()\n\
        \x20           print('%.2f' % cs[-1]['bbox'][2], t)\n";
    let o = Command::new("python3")
        .args(["-c", script])
        .arg(&pdf)
        .output()
        .expect("python3 with pymupdf is needed");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout);
    let soft = text.lines().filter(|l| l.ends_with("\\xad")).count();
    let hard = text.lines().filter(|l| l.ends_with('-')).count();
    assert!(
        soft >= 3 && hard == 0,
        "{soft} soft hyphens, {hard} hard:\n{text}"
    );
    // Every line's last character (its line-end space too) ends inside the text block (a
    // 100 mm page, margins 15 and 21 mm; a hyphen or punctuation may hang a little).
    let right = mm(100.0) - mm(15.0) + 3.0;
    for line in text.lines() {
        let (x, t) = line.split_once(' ').unwrap_or((line, ""));
        let x: f32 = x.parse().unwrap();
        assert!(x <= right, "{t:?} ends at {x} pt, past {right}");
    }
}

#[test]
fn a_pull_quote_never_moves_past_the_heading_after_it_nor_a_figure_unindents_the_text() {
    // Composition (issue 21): a pull quote written at the end of a section waited for the
    // next paragraph and was set after the next section's heading; a paragraph after a
    // figure that moved was set flush left, as if it opened a section.
    let para = "The projector hums in the dark while the village watches the screen, and the \
        children in the front row lean forward every time the music changes.";
    let dir = book(
        "pq-heading",
        &[
            ("book.toml", "title = \"Quotes\"\nlang = \"en\"\n"),
            (
                "01-a.md",
                &format!(
                    "{PIECE}{para}\n\n{para}\n\n::: pullquote\nThe village watches the screen.\n:::\n\n\
                     ## The Second Part\n\n{para}\n\n![A square at night.](images/plaza.jpg \"The square.\")\n\n\
                     Afterwards the square empties slowly. {para}\n"
                ),
            ),
        ],
    );
    std::fs::create_dir_all(dir.join("book/images")).unwrap();
    std::fs::copy(
        "tests/fixtures/festival/images/plaza-screen.jpg",
        dir.join("book/images/plaza.jpg"),
    )
    .unwrap();
    let (pages, _) = typeset(&dir);
    let lines: Vec<(usize, f32, String)> = pages
        .pages
        .iter()
        .enumerate()
        .flat_map(|(i, p)| body_lines(p).into_iter().map(move |(y, t)| (i, y, t)))
        .collect();
    let at = |w: &str| {
        lines
            .iter()
            .position(|(_, _, t)| t.contains(w))
            .unwrap_or_else(|| panic!("{w:?} not set: {lines:?}"))
    };
    assert!(
        at("The village watches the screen.") < at("The Second Part"),
        "the pull quote stays in its section: {lines:?}"
    );
    // The paragraph after the figure keeps its indent: its first glyph is an em in from
    // the left edge of the lines around it.
    let (page, y, _) = &lines[at("Afterwards the square")];
    let gs = glyphs(&pages.pages[*page]);
    let starts = |y: f32| {
        gs.iter()
            .filter(|g| (g.y - y).abs() < 0.5)
            .map(|g| g.x0)
            .fold(f32::INFINITY, f32::min)
    };
    let left = lines
        .iter()
        .filter(|(p, _, _)| p == page)
        .map(|(_, y, _)| starts(*y))
        .fold(f32::INFINITY, f32::min);
    assert!(
        starts(*y) > left + 5.0,
        "indented: {} against {left}",
        starts(*y)
    );
}

/// An mdBook-style book: book.toml in mdBook's form, a SUMMARY.md whose order is not the
/// files' name order, chapters without front matter that open with `# Title`, links
/// between them as mdBook authors write them.
fn mdbook_book(name: &str) -> PathBuf {
    book(
        name,
        &[
            (
                "book.toml",
                "[book]\ntitle = \"Tiny Tool\"\nauthors = [\"Ann Writer\"]\nlanguage = \"en\"\nsrc = \".\"\n\n[output.html]\ndefault-theme = \"light\"\n",
            ),
            (
                "SUMMARY.md",
                "# Summary\n\n[Introduction](README.md)\n\n# Using it\n\n- [Getting started](zeta.md)\n  - [Windows](guide/windows.md)\n- [Draft]()\n\n[Glossary](alpha.md)\n",
            ),
            (
                "README.md",
                "# Introduction\n\nWelcome. See [getting started](zeta.md) and [the setup](guide/windows.html#setup).\n",
            ),
            (
                "zeta.md",
                "# Getting Started\n\nInstall it.\n\n## Later section\n\nText. [Up](#later-section) and [missing](nowhere.md).\n",
            ),
            (
                "guide/windows.md",
                "# Windows\n\n## Setup\n\nClick [back](../zeta.md).\n",
            ),
            ("alpha.md", "# Glossary\n\nTerm\n: Meaning.\n"),
        ],
    )
}

#[test]
fn an_mdbook_book_is_read_in_its_summarys_order_with_headings_as_titles() {
    // Any real Markdown book (issue 25): files were read in name order (a book written for
    // mdBook had to be renamed, which broke its links), SUMMARY.md was read as a piece,
    // mdBook's book.toml was refused, and a chapter opening with `# Title` had "no title".
    let dir = mdbook_book("mdbook-order");
    let project = Project::open(&dir.join("book")).unwrap();
    let loaded = folio::markdown::load(&project).unwrap();
    let titles: Vec<String> = loaded
        .book
        .pieces
        .iter()
        .map(|p| p.meta.title.clone().unwrap_or_default())
        .collect();
    assert_eq!(
        titles,
        ["Introduction", "Getting Started", "Windows", "Glossary"]
    );
    assert!(
        !loaded
            .warnings
            .iter()
            .any(|w| w.message.contains("no title")),
        "{:?}",
        loaded.warnings
    );
    assert_eq!(loaded.book.meta.title.as_deref(), Some("Tiny Tool"));
    assert_eq!(loaded.book.meta.creators[0].name, "Ann Writer");
    let (pages, _) = typeset(&dir);
    let text = all_text(&pages);
    // The title is the opening's, not a body heading too.
    assert_eq!(
        text.matches("Getting Started").count(),
        2,
        "contents and opening: {text}"
    );
}

#[test]
fn links_between_pieces_lead_there_in_both_outputs_and_a_broken_one_is_said() {
    // Issue 25: a link to another piece (`other.md`, `other.md#anchor`, `other.html`) was
    // dropped in the PDF and left unresolved in the EPUB; a link to nothing was silent.
    let dir = mdbook_book("mdbook-links");
    let o = folio(&dir, &["build", "book"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("this link leads nowhere: `nowhere.md` is not a piece of the book")
            && err.contains("zeta.md:7:"),
        "{err}"
    );
    let epub = dir.join("out/tiny-tool.epub");
    let intro = epub_entry(&epub, "OEBPS/introduction.xhtml");
    assert!(intro.contains("href=\"getting-started.xhtml\""), "{intro}");
    assert!(intro.contains("href=\"windows.xhtml#setup\""), "{intro}");
    let windows = epub_entry(&epub, "OEBPS/windows.xhtml");
    assert!(
        windows.contains("href=\"getting-started.xhtml\""),
        "{windows}"
    );
    let zeta = epub_entry(&epub, "OEBPS/getting-started.xhtml");
    assert!(
        zeta.contains("href=\"getting-started.xhtml#later-section\""),
        "{zeta}"
    );
    assert!(zeta.contains("missing"), "the broken link's text is kept");
    // The PDF: each internal link is an annotation going to the page its target is on.
    let (pages, _) = typeset(&dir);
    let page_of = |w: &str| {
        pages
            .pages
            .iter()
            .position(|p| page_text(p).starts_with(w) || page_text(p).contains(&format!("\n{w}\n")))
            .unwrap_or_else(|| panic!("{w}"))
    };
    let links: Vec<(usize, usize)> = pages
        .pages
        .iter()
        .enumerate()
        .flat_map(|(i, p)| {
            content(p).into_iter().filter_map(move |item| match item {
                Item::Link { dest, .. } => Some((i, dest.page)),
                _ => None,
            })
        })
        .collect();
    let intro_page = page_of("Introduction");
    for to in [page_of("Getting Started"), page_of("Windows")] {
        assert!(links.contains(&(intro_page, to)), "{links:?}");
    }
}

#[test]
fn web_addresses_are_percent_encoded_and_break_after_their_punctuation() {
    // Issue 25: a URL holding a space, a backtick or `[` went into the EPUB's href as
    // written (epubcheck RSC-020); a long URL in running text stretched the line before it.
    let long = "https://example.com/very/long/path/to/some/documentation/page/that/goes/on/and/on?query=value&other=thing";
    let dir = book(
        "urls",
        &[
            ("book.toml", "title = \"Addresses\"\nlang = \"en\"\n"),
            (
                "01-a.md",
                &format!(
                    "{PIECE}See [the page](<https://example.com/some path/a`b[c].html>) and read it at <{long}> \
                     before anything else, since everything else depends on it.\n"
                ),
            ),
        ],
    );
    let o = folio(&dir, &["build", "book"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let x = epub_entry(&dir.join("out/addresses.epub"), "OEBPS/a-piece.xhtml");
    assert!(
        x.contains("href=\"https://example.com/some%20path/a%60b%5Bc%5D.html\""),
        "{x}"
    );
    let (pages, _) = typeset(&dir);
    let lines: Vec<String> = pages
        .pages
        .iter()
        .flat_map(body_lines)
        .map(|(_, t)| t)
        .collect();
    let first = lines
        .iter()
        .find(|l| l.contains("example.com/very"))
        .unwrap();
    assert!(
        !first.contains("other=thing"),
        "the address breaks inside: {lines:?}"
    );
    assert_inside_the_text_block(&pages);
    assert!(
        lines.iter().all(|l| !l.trim_end().ends_with('\u{ad}')),
        "without a hyphen: {lines:?}"
    );
}

#[test]
fn code_keeps_its_spaces_tabs_and_columns_and_wraps_with_a_mark() {
    // Issue 25: code was set in the text face with runs of spaces collapsed (carets under a
    // compiler error and directory trees fell apart), a tab was a small gap, a long line ran
    // past the margin, and a listing could be split one line per page.
    let long = "x".repeat(150);
    let dir = book(
        "code",
        &[(
            "01-a.md",
            &format!(
                "{PIECE}Text with `a  b` inline.\n\n```text\nerror: x\n  |\n3 |     let v = y;\n  |         ^^^^^ here\nall:\n\tcc -o tally main.c\n{long}\n```\n"
            ),
        )],
    );
    let (pages, warnings) = typeset(&dir);
    assert!(
        !warnings.iter().any(|w| w.message.contains("no glyph")),
        "{warnings:?}"
    );
    let mono = pages
        .fonts
        .iter()
        .position(|f| f.postscript_name.contains("JetBrainsMono"))
        .expect("the code face is embedded");
    let gs: Vec<Drawn> = pages.pages.iter().flat_map(glyphs).collect();
    let code: Vec<&Drawn> = gs.iter().filter(|g| g.font == mono).collect();
    assert!(!code.is_empty());
    // The caret run starts under `y`: same x in the monospaced grid.
    let x_of = |t: &str, nth: usize| {
        code.iter()
            .filter(|g| g.text.trim_end() == t)
            .nth(nth)
            .map(|g| g.x0)
            .unwrap()
    };
    // (`3 |     let v = y;` over `  |         ^^^^^`: the first caret is column 12, `v`.)
    assert!(
        (x_of("v", 0) - x_of("^", 0)).abs() < 0.01,
        "carets under their mark"
    );
    // The tab goes to column 4: `cc` starts four columns after the line's left edge.
    let cell = x_of("l", 0) - x_of("3", 0); // `3 |     let`: 8 columns from `3` to `l`
    let left = x_of("3", 0);
    assert!(
        (x_of("c", 0) - left - cell / 2.0).abs() < 0.5,
        "a tab is four columns"
    );
    // The long line wraps inside the measure, its continuation marked with an arrow.
    assert_inside_the_text_block(&pages);
    assert!(gs.iter().any(|g| g.text == "→"), "a continuation mark");
    // Inline code keeps its two spaces: `a` and `b` three cells apart... in the code face.
    let a = code.iter().find(|g| g.text.starts_with('a')).unwrap();
    let b = code.iter().find(|g| g.text.starts_with('b')).unwrap();
    assert!((b.x0 - a.x0) / (cell / 8.0) > 2.5, "two spaces kept");
}

#[test]
fn svg_figures_are_vectors_in_the_pdf_and_svg_in_the_epub() {
    // Issue 25: an SVG figure was refused ("not a JPEG or PNG image").
    let svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"200\" height=\"100\" viewBox=\"0 0 200 100\">\
        <rect x=\"10\" y=\"10\" width=\"80\" height=\"40\" fill=\"none\" stroke=\"black\"/>\
        <text x=\"20\" y=\"35\" font-family=\"sans-serif\" font-size=\"12\">Read</text></svg>";
    let dir = book(
        "svg",
        &[
            ("book.toml", "title = \"Diagrams\"\nlang = \"en\"\n"),
            ("images/d.svg", svg),
            (
                "01-a.md",
                &format!("{PIECE}Text.\n\n![A box labelled Read](images/d.svg)\n\nMore.\n"),
            ),
        ],
    );
    let o = folio(&dir, &["build", "book"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let pdf = std::fs::read(dir.join("out/diagrams.pdf")).unwrap();
    let text = String::from_utf8_lossy(&pdf);
    assert!(
        text.contains("/Subtype /Form") || text.contains("/Subtype/Form"),
        "a form XObject"
    );
    let (pages, _) = typeset(&dir);
    let widths: Vec<f32> = pages
        .pages
        .iter()
        .flat_map(content)
        .filter_map(|i| match i {
            Item::Image { rect, .. } => Some(rect.width),
            _ => None,
        })
        .collect();
    assert_eq!(widths, [150.0], "200 CSS px are 150 pt");
    let opf = epub_entry(&dir.join("out/diagrams.epub"), "OEBPS/content.opf");
    assert!(opf.contains("media-type=\"image/svg+xml\""), "{opf}");
}

#[test]
fn raw_html_is_read_as_the_book_would_write_it() {
    // Issue 25: every raw HTML tag was printed as its source text (468 of 662 pages of a
    // real manual); now the common ones are the book's own inlines and blocks.
    let dir = book(
        "raw-html",
        &[
            ("book.toml", "title = \"Tags\"\nlang = \"en\"\n"),
            (
                "01-a.md",
                &format!(
                    "{PIECE}Press <kbd>Ctrl</kbd>+<kbd>C</kbd>; x<sup>2</sup> and H<sub>2</sub>O,<br>\
                     then see [the anchor](#here).\n\n<a id=\"here\"></a>\n\nThe anchored paragraph.\n\n\
                     <table>\n<tr><th>Flag</th><th>Meaning</th></tr>\n<tr><td>-v</td><td>verbose</td></tr>\n</table>\n\n\
                     <details>\n<summary>More</summary>\n\nHidden text.\n\n</details>\n\n<script>alert(1)</script>\n"
                ),
            ),
        ],
    );
    let o = folio(&dir, &["build", "book"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(!err.contains("raw HTML is set as plain text"), "{err}");
    // A disclosure is shown open in both editions, its summary a bold lead-in.
    assert!(
        !err.contains("<details>") && !err.contains("<summary>"),
        "{err}"
    );
    let x = epub_entry(&dir.join("out/tags.epub"), "OEBPS/a-piece.xhtml");
    assert!(x.contains("<p><strong>More</strong></p>"), "{x}");
    for part in [
        "<code>Ctrl</code>",
        "<sup>2</sup>",
        "<sub>2</sub>",
        "<br/>",
        "href=\"a-piece.xhtml#here\"",
        "<span id=\"here\"></span>",
        "<th scope=\"col\">Flag</th>",
        "<td>verbose</td>",
        "Hidden text.",
    ] {
        assert!(x.contains(part), "{part:?} in {x}");
    }
    assert!(!x.contains("alert(1)") && !x.contains("&lt;kbd"), "{x}");
    let (pages, _) = typeset(&dir);
    let text = all_text(&pages);
    assert!(!text.contains('<'), "no tag printed: {text}");
}

#[test]
fn a_gif_is_named_as_a_gif_with_what_to_do() {
    // Issue 25: an unsupported raster format said only "not a JPEG or PNG image".
    let dir = book(
        "gif",
        &[
            ("book.toml", "title = \"Gif\"\nlang = \"en\"\n"),
            ("images/a.gif", "GIF89a\u{1}\u{0}\u{1}\u{0}"),
            (
                "01-a.md",
                &format!("{PIECE}Text.\n\n![An animation](images/a.gif)\n"),
            ),
        ],
    );
    let o = folio(&dir, &["build", "book"]);
    assert_ne!(o.status.code(), Some(0));
    let err = stderr(&o);
    assert!(
        err.contains("a GIF image, which folio does not read: convert it to PNG"),
        "{err}"
    );
    assert!(err.contains("01-a.md:"), "located: {err}");
}

#[test]
fn a_short_listing_is_never_split_across_pages() {
    // Issue 25: a code block of a few lines was split one line per page.
    let para = "The tool reads its input line by line and counts what it finds, keeping \
        nothing it does not need, so memory stays flat however long the log.";
    let mut body = String::from(PIECE);
    for k in 0..40 {
        body += &format!("{para} {k}\n\n```text\nfirst {k}\nsecond {k}\nthird {k}\n```\n\n");
    }
    let dir = book("listings", &[("01-a.md", &body)]);
    let (pages, _) = typeset(&dir);
    let mono = pages
        .fonts
        .iter()
        .position(|f| f.postscript_name.contains("JetBrainsMono"))
        .unwrap();
    for (i, page) in pages.pages.iter().enumerate() {
        // The page's body lines, each marked code or not, top to bottom.
        let gs = glyphs(page);
        let mut lines: Vec<(f32, bool)> = Vec::new();
        for g in gs
            .iter()
            .filter(|g| g.y > mm(17.0) && g.y < mm(17.0) + 35.0 * 13.5 + 1.0)
        {
            if !lines.iter().any(|(y, _)| (y - g.y).abs() < 0.5) {
                lines.push((g.y, g.font == mono));
            }
        }
        lines.sort_by(|a, b| a.0.total_cmp(&b.0));
        let top = lines.iter().take_while(|l| l.1).count();
        let bottom = lines.iter().rev().take_while(|l| l.1).count();
        assert!(
            top == 0 || top == 3,
            "page {}: {top} listing lines at the top",
            i + 1
        );
        assert!(
            bottom == 0 || bottom == 3,
            "page {}: {bottom} at the foot",
            i + 1
        );
    }
}

#[test]
fn markdown_is_read_as_its_author_meant_colons_divs_in_lists_and_late_rules() {
    // Issue 25: `:wq` at a line's start made the line before a definition term and lost the
    // colon; a fenced div inside a list item was no div (its pull quote "empty"); a `---`
    // block below the top was swallowed as metadata, its text lost; a YAML list as front
    // matter was "expected struct RawMeta".
    let text = "---\ntitle: Vim\n---\n\nTo save and quit, type\n:wq and press Enter.\n\n\
                Term\n: Its definition.\n\n- An item.\n\n  ::: pullquote\n  A quote in a list.\n  :::\n\n\
                More text.\n\n---\ntitle: not front matter\n---\n\nThe end.\n";
    let dir = book("as-meant", &[("01-a.md", text)]);
    let (pages, warnings) = typeset(&dir);
    let all = all_text(&pages);
    assert!(all.contains("type :wq and press"), "{all}");
    assert!(all.contains("Its definition."), "{all}");
    assert!(all.contains("title: not front matter"), "{all}");
    assert!(all.contains("A quote in a list."), "{all}");
    assert!(
        !warnings.iter().any(|w| w.message.contains("empty")),
        "{warnings:?}"
    );
    let project = Project::open(&dir.join("book")).unwrap();
    let loaded = folio::markdown::load(&project).unwrap();
    let blocks = &loaded.book.pieces[0].blocks;
    let kinds: Vec<&str> = blocks
        .iter()
        .map(|b| match b {
            Block::Paragraph { .. } => "p",
            Block::DefinitionList { .. } => "dl",
            Block::List { .. } => "ul",
            Block::PullQuote { .. } => "pq",
            Block::Break { .. } => "hr",
            Block::Heading { .. } => "h",
            _ => "?",
        })
        .collect();
    assert_eq!(kinds, ["p", "dl", "ul", "pq", "p", "hr", "h", "p"]);

    let bad = book("yaml-list", &[("01-a.md", "---\n- a\n- b\n---\n\nText.\n")]);
    let o = folio(&bad, &["build", "book"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("01-a.md:2:1"), "{err}");
    assert!(!err.contains("struct") && !err.contains("RawMeta"), "{err}");
}

#[test]
fn check_lints_the_text_people_read_not_table_padding_or_code() {
    // Issue 25: `folio check` reported a pipe table's padding as "double space in the text".
    let text = format!(
        "{PIECE}Before.\n\n| Film     | Time  |\n|----------|-------|\n| Ran      | 21:00 |\n\n\
         ```\nx  =  1\n```\n\nAfter.  Two spaces.\n"
    );
    let dir = book("check-tables", &[("01-a.md", &text)]);
    let o = folio(&dir, &["check", "book"]);
    let err = stderr(&o);
    assert_eq!(err.matches("double space").count(), 1, "{err}");
    assert!(err.contains("01-a.md:15:7"), "{err}");
}

#[test]
fn a_foreign_term_in_a_tight_list_item_or_a_definition_is_foreign_not_braces() {
    // Found measuring issue 25 (scripts/coverage.py): `*mate de coca*{lang=es}` in a tight
    // list item or a definition printed "{lang=es}" in both outputs.
    let text = format!(
        "{PIECE}- A cup of *mate de coca*{{lang=es}}, served everywhere.\n- Two.\n\n\
         Achachila\n: The spirit of a mountain, an *achachila*{{lang=ay}}.\n"
    );
    let dir = book("foreign-items", &[("01-a.md", &text)]);
    let (pages, _) = typeset(&dir);
    let all = all_text(&pages);
    assert!(!all.contains("lang="), "{all}");
    assert!(all.contains("mate de coca, served"), "{all}");
    let o = folio(&dir, &["build", "book", "--format", "epub"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let x = epub_entry(&dir.join("out/a-piece.epub"), "OEBPS/a-piece.xhtml");
    assert!(!x.contains("{lang="), "{x}");
    assert!(
        x.contains(r#"<i lang="es" xml:lang="es" class="foreign">mate de coca</i>"#),
        "{x}"
    );
    assert!(x.contains(r#"lang="ay""#), "{x}");
}

#[test]
fn a_character_no_font_has_reads_as_itself_with_its_space() {
    // Found measuring issue 25: the font's empty box (.notdef) took the first missing
    // character's text in the ToUnicode map, so every other missing one ("本", "✅") read
    // as "日"; and a glyph read through its /ActualText lost the word space after it.
    // Also: ⚠️ (⚠ and the variation selector U+FE0F) warned of two missing characters;
    // a default-ignorable character shows as nothing, glyph or not.
    let dir = book(
        "notdef",
        &[(
            "01-a.md",
            &format!("{PIECE}A 日本語 b ✅ c.\n\nWarn ⚠\u{fe0f} x\u{200d}y.\n"),
        )],
    );
    let o = folio(&dir, &["build", "book", "--format", "pdf"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("empty box"), "{}", stderr(&o));
    assert!(stderr(&o).contains("U+26A0"), "{}", stderr(&o));
    assert!(
        !stderr(&o).contains("U+FE0F") && !stderr(&o).contains("U+200D"),
        "{}",
        stderr(&o)
    );
    let script = "import sys, pymupdf\n\
        print(pymupdf.open(sys.argv[1])[-1].get_text())\n";
    let o = Command::new("python3")
        .args(["-c", script])
        .arg(dir.join("out/a-piece.pdf"))
        .output()
        .expect("python3 with pymupdf is needed");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("A 日本語 b ✅ c."), "{text}");
}

#[test]
fn a_number_before_a_short_word_and_a_closing_quote_does_not_panic() {
    // Found building the repository's own README as a book (issue 25): in `"12 km",` the
    // no-break rule for thousands cut `km”,` three bytes in, inside the closing quote.
    let dir = book(
        "km-quote",
        &[(
            "01-a.md",
            &format!("{PIECE}A unit (\"12 km\", and \"3 kg\") stays.\n"),
        )],
    );
    let o = folio(&dir, &["build", "book"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let (pages, _) = typeset(&dir);
    assert!(
        all_text(&pages).contains("“12 km”, and “3 kg”"),
        "{}",
        all_text(&pages)
    );
}

#[test]
fn a_tall_table_row_splits_over_pages_rather_than_leave_a_hole() {
    // Found on a technical manual (issue 25, item 10): a table row of many lines was never
    // split, so a page before it ended three to five lines short (9 such pages in 135).
    // Now a body row splits with two lines at least on each side. The table comes after
    // 3 to 9 paragraphs, so its tall rows fall at every height of a page.
    let cell = "A long explanation that wraps over many lines of the narrow column. ".repeat(4);
    let mut table = String::from("| key | meaning |\n|---|---|\n");
    for k in 0..6 {
        table.push_str(&format!("| row{k} | {cell} |\n"));
    }
    let para = "The projector hums in the dark while the village watches. ".repeat(5);
    for before in 3..10 {
        let text = format!(
            "{PIECE}{}\n\n{table}\n{}",
            vec![para.as_str(); before].join("\n\n"),
            [para.as_str(); 6].join("\n\n")
        );
        let dir = book(&format!("tall-row-{before}"), &[("01-a.md", &text)]);
        let (pages, warnings) = typeset(&dir);
        assert!(
            !warnings.iter().any(|w| w.message.contains("lines short")),
            "{before}: {warnings:?}"
        );
        let body: Vec<&Page> = pages
            .pages
            .iter()
            .filter(|p| page_text(p).contains("projector"))
            .collect();
        for (i, page) in body.iter().enumerate().take(body.len() - 1) {
            let hole = hole_lines(page);
            assert!(hole <= 2.0, "{before} paragraphs: page {i}: {hole} lines");
        }
        // Every cell's words are set, in order.
        let all = all_text(&pages);
        assert_eq!(all.matches("narrow column").count(), 24, "{before}");
    }
}

#[test]
fn an_empty_header_cell_is_a_data_cell_in_both_outputs() {
    // Found by Ace on the manual fixture (issue 25): `|   | EPUB | PDF |` wrote an empty
    // `<th>`, which Ace reports (empty-table-header); the PDF tagged it TH.
    let text = format!("{PIECE}|   | EPUB | PDF |\n|---|---|---|\n| tags | yes | yes |\n");
    let dir = book("empty-th", &[("01-a.md", &text)]);
    let o = folio(&dir, &["build", "book"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let x = epub_entry(&dir.join("out/a-piece.epub"), "OEBPS/a-piece.xhtml");
    assert!(
        x.contains("<thead>\n<tr><td></td><th scope=\"col\">EPUB</th>"),
        "{x}"
    );
    let tree = Command::new("pdfinfo")
        .arg("-struct")
        .arg(dir.join("out/a-piece.pdf"))
        .output()
        .expect("pdfinfo (poppler-utils) is needed");
    let tree = String::from_utf8_lossy(&tree.stdout);
    let th = tree.lines().filter(|l| l.trim().starts_with("TH:")).count();
    assert_eq!(th, 2, "{tree}");
}

#[test]
fn summary_part_titles_head_their_pieces_in_the_contents_outline_and_navigation() {
    // Issue 25: SUMMARY.md's part titles (`# Using it`) were read and never shown.
    let dir = mdbook_book("mdbook-parts");
    let (pages, _) = typeset(&dir);
    // The outline: the part above its pieces, the suffix chapter back at the top level.
    let outline: Vec<(usize, &str)> = pages
        .outline
        .iter()
        .filter(|e| e.level <= 1)
        .map(|e| (e.level, e.title.as_str()))
        .collect();
    assert_eq!(
        outline,
        [
            (0, "Introduction"),
            (0, "Using it"),
            (1, "Getting Started"),
            (1, "Windows"),
            (0, "Glossary")
        ]
    );
    // The contents lists the part's title (in small capitals) before its first piece, and
    // the part's first piece prints it above its title.
    let contents = page_text(&pages.pages[2]);
    let (part, first) = (contents.find("sing it"), contents.find("Getting Started"));
    assert!(part.is_some() && part < first, "{contents}");
    let opening = pages
        .pages
        .iter()
        .map(page_text)
        .find(|t| t.contains("Install it."))
        .unwrap();
    assert!(opening.contains("sing it"), "{opening}");
    // The EPUB's navigation nests the part's pieces under its entry.
    let o = folio(&dir, &["build", "book", "--format", "epub"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let nav = epub_entry(&dir.join("out/tiny-tool.epub"), "OEBPS/nav.xhtml");
    let part = nav.find(">Using it</a>").expect("the part's entry");
    let windows = nav.find(">Windows</a>").unwrap();
    let glossary = nav.find(">Glossary</a>").unwrap();
    let between = &nav[part..windows];
    assert!(
        between.contains("<ol>") && !between.contains("</ol>\n      </li>\n      <li>"),
        "{nav}"
    );
    assert!(
        nav[windows..glossary].matches("</ol>").count() >= 2,
        "{nav}"
    );
}

#[test]
fn a_session_rebuild_after_a_part_title_changes_matches_a_cold_build() {
    // The layout cache keyed a piece on its file's text, and a SUMMARY.md part title,
    // printed above the part's first piece, is not in that text: `folio watch` kept the
    // old title after only SUMMARY.md changed.
    let summary =
        |part: &str| format!("# Summary\n\n# {part}\n\n- [One](one.md)\n- [Two](two.md)\n");
    let one = "# One\n\nThe first chapter.\n";
    let two = "# Two\n\nThe second chapter.\n";
    let before = summary("Part the First");
    let after = summary("Part the Second");
    let (warm, cold) = session_and_cold(
        "part-title",
        &[
            ("book.toml", "title = \"Parts\"\nlang = \"en\"\n"),
            ("SUMMARY.md", &before),
            ("one.md", one),
            ("two.md", two),
        ],
        &[],
        &[("SUMMARY.md", &after)],
    );
    assert!(
        warm == cold,
        "the session's PDF differs from a cold build's"
    );
}

#[test]
fn html_phrase_elements_are_kept_in_the_epub_and_set_as_text_in_the_pdf() {
    // Issue 25: raw HTML the PDF cannot show was dropped from the EPUB too; the issue asks
    // that what is valid XHTML be kept there. Unsafe or invalid attributes are left out;
    // an element invalid without its attribute (`<time>` without `datetime`) is its text.
    let text = format!(
        "{PIECE}The <abbr title=\"HyperText Markup Language\">HTML</abbr> is \
         <mark onclick=\"evil()\">marked</mark>, <del>gone</del>, at \
         <time datetime=\"19:30\">half past seven</time> or <time>soon</time>.\n\n\
         Two <mark>marks</mark>.\n"
    );
    let dir = book("phrase-html", &[("01-a.md", &text)]);
    let o = folio(&dir, &["build", "book"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    assert_eq!(
        err.matches("<mark> is kept in the EPUB").count(),
        1,
        "{err}"
    );
    let x = epub_entry(&dir.join("out/a-piece.epub"), "OEBPS/a-piece.xhtml");
    assert!(
        x.contains(r#"<abbr title="HyperText Markup Language">HTML</abbr> is <mark>marked</mark>, <del>gone</del>, at <time datetime="19:30">half past seven</time> or soon."#),
        "{x}"
    );
    assert!(!x.contains("onclick"), "{x}");
    let (pages, _) = typeset(&dir);
    let all = all_text(&pages);
    assert!(
        all.contains("The HTML is marked, gone, at half past seven or soon."),
        "{all}"
    );
}

#[test]
fn fallback_fonts_set_what_the_book_faces_lack_in_both_outputs() {
    // Issue 25: characters EB Garamond lacks (box drawing, CJK, emoji) printed as the
    // font's box with no way to name a font that has them. `[pdf] fallback-fonts` is tried
    // in order; what no font has is still a warning (naming the fallbacks too).
    let dir = book(
        "fallback",
        &[
            (
                "book.toml",
                "title = \"Fallback\"\nlang = \"en\"\n[pdf]\nfallback-fonts = [\"fonts/Mono.ttf\"]\n\
                 [epub]\nembed-fonts = true\n",
            ),
            (
                "01-a.md",
                &format!("{PIECE}A box ┌─┐ drawn, a tree ├── leaf, and ✅ left.\n"),
            ),
        ],
    );
    std::fs::create_dir_all(dir.join("book/fonts")).unwrap();
    std::fs::copy(
        "fonts/JetBrainsMono-Regular.ttf",
        dir.join("book/fonts/Mono.ttf"),
    )
    .unwrap();
    let o = folio(&dir, &["build", "book"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(!err.contains("U+250C") && !err.contains("U+2500"), "{err}");
    assert!(
        err.contains("neither the font EBGaramond-Regular nor a fallback font has a glyph")
            && err.contains("U+2705"),
        "{err}"
    );
    // The PDF draws the box drawing in the fallback face and reads as written.
    let (pages, _) = typeset(&dir);
    let mono = pages
        .fonts
        .iter()
        .position(|f| f.postscript_name.contains("JetBrainsMono"))
        .expect("the fallback face is embedded");
    let drawn: String = pages
        .pages
        .iter()
        .flat_map(glyphs)
        .filter(|g| g.font == mono)
        .map(|g| g.text)
        .collect();
    assert_eq!(drawn.replace(' ', ""), "┌─┐├──");
    assert!(all_text(&pages).contains("A box ┌─┐ drawn, a tree ├── leaf"));
    // The EPUB embeds it (pruned) after the body face in the font stack.
    let css = epub_entry(&dir.join("out/fallback.epub"), "OEBPS/stylesheet.css");
    assert!(
        css.contains("body { font-family: \"EB Garamond\", \"folio fallback 1\", serif; }"),
        "{css}"
    );
    let opf = epub_entry(&dir.join("out/fallback.epub"), "OEBPS/content.opf");
    assert!(opf.contains("fonts/fallback-1.ttf"), "{opf}");
}

#[test]
fn folio_new_never_overwrites_a_book_however_the_folder_is_named() {
    // Issue 24: `folio new nonexistent/..` inside a book replaced its book.toml and first
    // piece (`nonexistent` did not exist, so the path "did not exist" either).
    let dir = book(
        "new-dotdot",
        &[("book.toml", "title = \"Mine\"\n"), ("01-a.md", PIECE)],
    );
    let inside = dir.join("book");
    #[cfg(unix)]
    std::os::unix::fs::symlink(&inside, dir.join("link")).unwrap();
    for (from, name) in [
        (&inside, "nonexistent/.."),
        (&inside, "."),
        (&inside, "./"),
        (&inside, "a/b/../.."),
        (&dir, "book"),
        (&dir, "./book/"),
        (&dir, "link"),
        (&dir, "book/01-a.md"),
    ] {
        let o = folio(from, &["new", name]);
        assert_eq!(o.status.code(), Some(1), "{name}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("already exists"),
            "{name}: {}",
            stderr(&o)
        );
    }
    assert_eq!(
        std::fs::read_to_string(inside.join("book.toml")).unwrap(),
        "title = \"Mine\"\n"
    );
    assert!(!inside.join("01-sample-interview.md").exists());
    // An empty folder is fine.
    std::fs::create_dir(dir.join("empty")).unwrap();
    let o = folio(&dir, &["new", "empty"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(dir.join("empty/book.toml").exists());
}

#[test]
fn escape_sequences_in_a_folder_name_or_a_line_never_reach_the_terminal() {
    // Issue 24: a folder name or a manuscript line holding ESC sequences (a window title,
    // clear-screen) was echoed raw into the progress lines and the diagnostics.
    let name = "esc\u{1b}]0;pwned\u{7}dir";
    let dir = std::env::temp_dir().join(format!("folio-reg-esc-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join(name)).unwrap();
    std::fs::write(
        dir.join(name).join("01-a.md"),
        format!("{PIECE}Text \u{1b}[2J here[^x].\n"),
    )
    .unwrap();
    let o = folio(&dir, &["build", name, "--out", "out"]);
    let err = stderr(&o);
    assert!(!err.contains('\u{1b}') && !err.contains('\u{7}'), "{err:?}");
    assert!(err.contains("esc\\u{1b}]0;pwned\\u{7}dir"), "{err}");
    assert!(err.contains("Text \\u{1b}[2J here"), "{err}");
}

#[test]
fn a_long_title_makes_legal_output_and_temporary_names() {
    // Issue 24: a 240-character title made a legal output name but an illegal temporary
    // one (`File name too long`), and the build failed.
    let title = "Una historia muy larga de los Andes y ".repeat(7);
    let dir = book(
        "long-title",
        &[(
            "01-a.md",
            &format!("---\ntitle: \"{title}\"\n---\n\nText.\n"),
        )],
    );
    let o = folio(&dir, &["build", "book", "--print"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("the title makes a file name of"),
        "{}",
        stderr(&o)
    );
    let names: Vec<String> = std::fs::read_dir(dir.join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.len() >= 4, "{names:?}");
    for n in &names {
        assert!(n.len() <= 96 + 14, "{n}");
        assert!(n.starts_with("una-historia-muy-larga"), "{n}");
    }
    // Two long titles that differ only at their end still get two names.
    let other = book(
        "long-title-2",
        &[(
            "01-a.md",
            &format!("---\ntitle: \"{title}bis\"\n---\n\nText.\n"),
        )],
    );
    let o = folio(&other, &["build", "book", "--format", "pdf"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let pdf = |d: &Path| {
        std::fs::read_dir(d.join("out"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .find(|n| n.ends_with(".pdf") && !n.contains("-print"))
            .unwrap()
    };
    assert_ne!(pdf(&dir), pdf(&other));
}

#[test]
fn author_ids_never_collide_with_each_other_headings_or_folios_own() {
    // Issue 24: `<a id="notes">` beside a heading "Notes", a repeated `<a id>`, and ids
    // folio gives its own elements (`fn_1`, `page-1`, `piece_title`) were written twice
    // into one XHTML file, which epubcheck rejects (RSC-005).
    let text = format!(
        "{PIECE}## Notes {{#fn_1}}\n\nText[^1] and <a id=\"notes\"></a> <a id=\"page-1\"></a> \
         <a id=\"notes\"></a> <a id=\"piece_title\"></a> [go](#notes).\n\n## Notes\n\n\
         ## Notes {{#page-2}}\n\n[^1]: Note.\n"
    );
    let dir = book("dup-ids", &[("01-a.md", &text)]);
    let o = folio(&dir, &["build", "book", "--format", "epub"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let x = epub_entry(&dir.join("out/a-piece.epub"), "OEBPS/a-piece.xhtml");
    let ids: Vec<&str> = x
        .split("id=\"")
        .skip(1)
        .map(|r| &r[..r.find('"').unwrap()])
        .collect();
    let mut seen = std::collections::HashSet::new();
    for id in &ids {
        assert!(seen.insert(*id), "{id} twice in {ids:?}");
    }
    // The author's first anchor keeps its name and the link leads to it.
    assert!(
        x.contains("<span id=\"notes\"></span>") && x.contains("href=\"a-piece.xhtml#notes\""),
        "{x}"
    );
    assert!(
        x.contains("id=\"fn_1\"") && x.contains("href=\"#fn_1\""),
        "{x}"
    );
}

#[test]
fn addresses_a_reader_cannot_open_are_dropped_with_a_warning_and_never_a_script() {
    // Issue 24: `HTTPS:javascript:…`, a host with a space or a quote, and an IP literal
    // whose brackets were percent-encoded made hrefs epubcheck rejects (RSC-020); a
    // `javascript:` link stopped the build instead of losing its link.
    let text = format!(
        "{PIECE}[a](HTTPS:javascript:alert(1)) [b](<http://x y.org/>) [c](JaVaScRiPt:alert(1)) \
         <http://a\"b.org> [d](http://[::1]:80/p) [e](<https://example.org/a b>) [f](mailto:a@b.c)\n"
    );
    let dir = book("bad-urls", &[("01-a.md", &text)]);
    let o = folio(&dir, &["build", "book"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    assert_eq!(err.matches("this link leads nowhere").count(), 4, "{err}");
    let x = epub_entry(&dir.join("out/a-piece.epub"), "OEBPS/a-piece.xhtml");
    let hrefs: Vec<&str> = x
        .split("href=\"")
        .skip(1)
        .map(|r| &r[..r.find('"').unwrap()])
        .filter(|h| !h.ends_with(".css"))
        .collect();
    assert_eq!(
        hrefs,
        [
            "http://[::1]:80/p",
            "https://example.org/a%20b",
            "mailto:a@b.c"
        ]
    );
    assert!(!x.to_ascii_lowercase().contains("javascript:alert"), "{x}");
    assert!(x.contains("<p>a b c http://a\"b.org <a href"), "{x}");
}

#[test]
fn noncharacters_are_set_as_spaces_like_control_characters() {
    // Issue 24: U+FFFE, U+FFFF and U+FDD0 in the text made the XHTML ill-formed (fatal).
    let dir = book(
        "nonchars",
        &[(
            "01-a.md",
            "---\ntitle: \"T \u{fffe} x\"\n---\n\nText \u{ffff} and \u{fdd0} end.\n",
        )],
    );
    let o = folio(&dir, &["build", "book"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("3 control characters (the first U+FFFE, here) are set as spaces")
            && stderr(&o).contains("01-a.md:2:"),
        "{}",
        stderr(&o)
    );
    let epub = std::fs::read(dir.join("out/t-x.epub")).unwrap();
    let text = String::from_utf8_lossy(&epub);
    assert!(!text.contains('\u{ffff}') && !text.contains('\u{fffe}'));
}

#[test]
fn an_image_is_what_its_bytes_say_and_a_non_image_is_a_located_error() {
    // Issue 24: a PNG named `.jpg` was declared image/jpeg (OPF-029); a cover that is no
    // image went into the EPUB (PKG-021); a 16-bit palette PNG, which readers refuse, was
    // accepted.
    let dir = book(
        "sniff",
        &[(
            "01-a.md",
            &format!("{PIECE}Text.\n\n![A thing](images/x.jpg)\n"),
        )],
    );
    std::fs::create_dir_all(dir.join("book/images")).unwrap();
    std::fs::copy(
        "tests/fixtures/images/alpha.png",
        dir.join("book/images/x.jpg"),
    )
    .unwrap();
    let o = folio(&dir, &["build", "book"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let opf = epub_entry(&dir.join("out/a-piece.epub"), "OEBPS/content.opf");
    assert!(
        opf.contains(
            "<item media-type=\"image/png\" id=\"id_images_x.png\" href=\"images/x.png\"/>"
        ),
        "{opf}"
    );

    let cover = book(
        "not-a-cover",
        &[
            (
                "book.toml",
                "title = \"T\"\nlang = \"en\"\ncover = \"c.jpg\"\n",
            ),
            ("c.jpg", "not an image"),
            ("01-a.md", &format!("{PIECE}Text.\n")),
        ],
    );
    let o = folio(&cover, &["build", "book", "--format", "epub"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("the cover `c.jpg` is not an image")
            && stderr(&o).contains("book.toml:3:1"),
        "{}",
        stderr(&o)
    );

    // A 2 × 2 palette PNG of depth 16: no PNG at all.
    let chunk = |t: &[u8], d: &[u8]| {
        let mut c = (d.len() as u32).to_be_bytes().to_vec();
        c.extend_from_slice(t);
        c.extend_from_slice(d);
        c.extend_from_slice(&[0, 0, 0, 0]);
        c
    };
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(chunk(b"IHDR", &[0, 0, 0, 2, 0, 0, 0, 2, 16, 3, 0, 0, 0]));
    png.extend(chunk(b"PLTE", &[255, 0, 0]));
    png.extend(chunk(b"IEND", &[]));
    let deep = book(
        "palette16",
        &[("01-a.md", &format!("{PIECE}Text.\n\n![A thing](a.png)\n"))],
    );
    std::fs::write(deep.join("book/a.png"), png).unwrap();
    let o = folio(&deep, &["build", "book", "--format", "epub"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("bit depth 16 is not allowed for colour type 3")
            && stderr(&o).contains("01-a.md:7:1"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_paragraph_past_the_documented_limit_is_a_located_error_not_a_two_minute_build() {
    // Hostile input (issue 24, item 1): one paragraph of 20 MB ran two minutes and took
    // 2.2 GB (each line's origin counted the characters from the paragraph's start; now
    // linear, `collect::tests`). Past the README's 4 MB it is refused, at its first line,
    // with the way out; a long paragraph below the limit builds.
    let words = "the editor reads a long paragraph again ";
    let huge = words.repeat(4_100_000 / words.len());
    let dir = book(
        "huge-paragraph",
        &[("01-a.md", &format!("{PIECE}{huge}\n"))],
    );
    let o = folio(&dir, &["check", "book"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("paragraphs of at most 4 MB"), "{err}");
    let line = PIECE.lines().count() + 1;
    assert!(err.contains(&format!("book/01-a.md:{line}:1")), "{err}");
    assert!(err.contains("blank line"), "hint: {err}");
}

#[test]
fn a_rebuild_that_sets_every_piece_copies_no_paragraph_into_the_session() {
    // A `lang` change in `folio watch` set every piece again and copied each paragraph set
    // into the session's table for a next edit: on the novel that cost 110 ms, and such a
    // rebuild took 387 ms against 335 ms for a cold build of the same text. Paragraphs are
    // now kept only from a build that reused some pieces, and only the pieces it set.
    use folio::build::Session;
    let para = |title: &str, k: usize| {
        format!(
            "Paragraph {k} of {title}, plain prose long enough to be set on several lines of the page, with words to break.\n\n"
        )
    };
    let piece = |title: &str, n: usize| {
        let body: String = (0..n).map(|k| para(title, k)).collect();
        format!("# {title}\n\n{body}")
    };
    let toml = |lang: &str| {
        format!("title = \"Kept\"\nlang = \"{lang}\"\n\n[[author]]\nname = \"A. B.\"\n")
    };
    let dir = book(
        "kept-paragraphs",
        &[
            ("book.toml", &toml("en-GB")),
            ("01-one.md", &piece("One", 6)),
            ("02-two.md", &piece("Two", 9)),
        ],
    );
    let opts = pdf_only(dir.join("out"));
    let build = |session: &mut Session| {
        let project = Project::open(&dir.join("book")).unwrap();
        folio::build::build_in(session, &project, &opts, &mut |_| {}).unwrap();
    };
    let mut session = Session::default();
    build(&mut session);
    assert_eq!(session.laid_out, 2);
    assert_eq!(
        session.paragraphs_held(),
        0,
        "the first build sets every piece: nothing kept"
    );
    let edited = piece("One", 6).replace("Paragraph 3 of", "Paragraph 3, edited, of");
    std::fs::write(dir.join("book/01-one.md"), &edited).unwrap();
    build(&mut session);
    assert_eq!(session.laid_out, 1);
    let one = session.paragraphs_held();
    // Piece two, set again, brings its nine paragraphs in beside piece one's six (and the
    // running heads and folios the assembly set again).
    let edited = piece("Two", 9).replace("Paragraph 3 of", "Paragraph 3, edited, of");
    std::fs::write(dir.join("book/02-two.md"), &edited).unwrap();
    build(&mut session);
    let both = session.paragraphs_held();
    assert!(
        one >= 6 && both >= one + 9,
        "each piece set again keeps its paragraphs: {one} then {both}"
    );
    std::fs::write(dir.join("book/book.toml"), toml("en-US")).unwrap();
    build(&mut session);
    assert_eq!(session.laid_out, 2);
    assert_eq!(
        session.paragraphs_held(),
        0,
        "a relayout of every piece keeps none"
    );
}

/// Set glyph runs keep no spare capacity: each grew glyph by glyph (its capacity doubling)
/// and was kept for the book's life with up to half of it unused — 29 MB of the novel's
/// 161 MB peak (issue 23's "peak RSS ≤ 150 MB"; 132 MB once each run was shrunk).
#[test]
fn set_glyph_runs_keep_no_spare_capacity() {
    let project = Project::open(Path::new("manuscript")).expect("the interview opens");
    let loaded = folio::markdown::load(&project).expect("the interview loads");
    let (_, t) = folio::build::typeset_book(&loaded.book, &project, 0).expect("it typesets");
    let (mut runs, mut spare) = (0, 0);
    for page in &t.pages.pages {
        let origin = folio::typeset::frame::Transform::translate(0.0, 0.0);
        folio::typeset::frame::walk(&page.items, origin, &mut |item, _| {
            if let Item::Glyphs(run) = item {
                runs += 1;
                spare += run.glyphs.capacity() - run.glyphs.len();
            }
        });
    }
    assert!(runs > 100, "the interview's text is set in runs: {runs}");
    assert_eq!(
        spare, 0,
        "glyph slots allocated and unused over {runs} runs"
    );
}

/// A piece's layout was kept by the text of its file alone, but its links lead by number
/// into the book's list of link targets, numbered in the order the whole book first uses
/// them: when an earlier piece lost its link, the numbers moved, and `folio watch` kept the
/// later piece's old number, so its link pointed past the list and was dropped from the
/// PDF (a cold build had it). A layout is now keyed by its links' numbers too.
#[test]
fn a_link_keeps_its_target_in_watch_when_an_earlier_piece_loses_its_link() {
    use folio::build::Session;
    let piece = |title: &str, body: &str| format!("---\ntitle: {title}\n---\n\n{body}\n");
    let dir = book(
        "link-numbers",
        &[
            ("book.toml", "title = \"Links\"\nlang = \"en\"\n"),
            ("01-a.md", &piece("A", "See [the third](03-c.md) now.")),
            ("02-b.md", &piece("B", "The second piece.")),
            (
                "03-c.md",
                &piece("C", "Back to [the second](02-b.md) here."),
            ),
        ],
    );
    let build = |session: &mut Session, out: &str| {
        let project = Project::open(&dir.join("book")).unwrap();
        let opts = pdf_only(dir.join(out));
        folio::build::build_in(session, &project, &opts, &mut |_| {}).unwrap();
        std::fs::read(dir.join(out).join("links.pdf")).unwrap()
    };
    let mut session = Session::default();
    build(&mut session, "warm");
    std::fs::write(dir.join("book/01-a.md"), piece("A", "See the third now.")).unwrap();
    let warm = build(&mut session, "warm");
    assert_eq!(
        session.laid_out, 2,
        "the edited piece is set again, and the one whose link number moved"
    );
    let cold = build(&mut Session::default(), "cold");
    assert!(
        warm == cold,
        "the rebuilt PDF is the cold build's (piece C's link to B kept)"
    );
}
