//! Editions: the EPUB's print page numbers match the PDF, read back from both files.
//!
//! For every page of the PDF (poppler's `pdftotext`, one page at a time) the EPUB has a
//! page-break marker labelled as the page is, and the words after the marker are the first
//! words of that page (running heads and folios aside).

use folio::build::{Options, build};
use folio::project::Project;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

fn temp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("folio-editions-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Builds both outputs; returns (pdf, epub) paths.
fn build_both(book: &Path, out: &Path) -> (PathBuf, PathBuf) {
    let project = Project::open(book).unwrap();
    let report = build(
        &project,
        &Options {
            out_dir: out.to_path_buf(),
            pdf: true,
            epub: true,
            print: Default::default(),
            pdf_standard: None,
        },
        &mut |_| {},
    )
    .unwrap();
    let find = |ext: &str| {
        report
            .outputs
            .iter()
            .find(|p| p.extension().is_some_and(|e| e == ext))
            .unwrap()
            .clone()
    };
    (find("pdf"), find("epub"))
}

/// The text of page `n` (1-based), or `None` without poppler (never in CI).
fn page_text(pdf: &Path, n: usize) -> Option<String> {
    let n = n.to_string();
    let out = Command::new("pdftotext")
        .args(["-f", &n, "-l", &n])
        .arg(pdf)
        .arg("-")
        .output();
    match out {
        Ok(o) if o.status.success() => Some(String::from_utf8_lossy(&o.stdout).into_owned()),
        _ => {
            assert!(
                std::env::var_os("CI").is_none(),
                "pdftotext (poppler-utils) is required in CI"
            );
            None
        }
    }
}

/// The spine's content documents in order, from the package.
fn spine_docs(epub: &Path) -> Vec<(String, String)> {
    let file = std::fs::File::open(epub).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let mut read = |name: &str| {
        let mut s = String::new();
        zip.by_name(name).unwrap().read_to_string(&mut s).unwrap();
        s
    };
    let opf = read("OEBPS/content.opf");
    let doc = roxmltree::Document::parse(&opf).unwrap();
    let href_of = |id: &str| {
        doc.descendants()
            .find(|n| n.has_tag_name("item") && n.attribute("id") == Some(id))
            .and_then(|n| n.attribute("href"))
            .unwrap()
            .to_string()
    };
    let hrefs: Vec<String> = doc
        .descendants()
        .filter(|n| n.has_tag_name("itemref"))
        .map(|n| href_of(n.attribute("idref").unwrap()))
        .collect();
    hrefs
        .into_iter()
        .map(|h| {
            let text = read(&format!("OEBPS/{h}"));
            (h, text)
        })
        .collect()
}

/// The page markers of the spine in reading order: label and the text after the marker
/// (tags dropped, entities decoded).
fn markers(docs: &[(String, String)]) -> Vec<(String, String)> {
    const MARK: &str = "<span epub:type=\"pagebreak\"";
    let mut out = Vec::new();
    for (_, doc) in docs {
        let body = &doc[doc.find("<body").unwrap()..];
        let mut at = 0;
        while let Some(k) = body[at..].find(MARK) {
            let start = at + k;
            let tag = &body[start..start + body[start..].find('>').unwrap()];
            let label = tag
                .split("aria-label=\"")
                .nth(1)
                .and_then(|s| s.split('"').next())
                .unwrap()
                .to_string();
            out.push((label, plain(&body[start..])));
            at = start + MARK.len();
        }
    }
    out
}

/// The figure captions of the spine, as plain text with single spaces.
fn captions(docs: &[(String, String)]) -> Vec<String> {
    let mut out = Vec::new();
    for (_, doc) in docs {
        for part in doc.split("<figcaption>").skip(1) {
            let text = plain(&part[..part.find("</figcaption>").unwrap()]);
            out.push(text.split_whitespace().collect::<Vec<_>>().join(" "));
        }
    }
    out
}

/// Markup → words: tags become spaces (block ends) or nothing (inline), entities decoded.
fn plain(xhtml: &str) -> String {
    let mut out = String::new();
    let mut rest = xhtml;
    while let Some(lt) = rest.find('<') {
        out += &rest[..lt];
        let gt = rest[lt..].find('>').unwrap() + lt;
        let tag = &rest[lt + 1..gt];
        let name = tag
            .trim_start_matches('/')
            .split([' ', '/'])
            .next()
            .unwrap();
        if matches!(
            name,
            "p" | "h1"
                | "h2"
                | "h3"
                | "h4"
                | "li"
                | "td"
                | "th"
                | "br"
                | "figcaption"
                | "dt"
                | "dd"
        ) {
            out.push(' ');
        }
        rest = &rest[gt + 1..];
        if out.len() > 400 {
            break;
        }
    }
    out += rest;
    out.replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace('\u{a0}', " ")
}

/// Words with the punctuation that labels differ in (`Q:` in the EPUB, `Q.` in the PDF)
/// taken off their ends.
fn words(text: &str, n: usize) -> Vec<String> {
    text.split_whitespace()
        .map(|w| {
            // Small capitals extract in lower case.
            w.trim_end_matches([':', '.', ',', ';'])
                .replace('\u{2060}', "")
                .to_lowercase()
        })
        .filter(|w| !w.is_empty())
        .take(n)
        .collect()
}

/// Checks that every PDF page has its marker, in order, followed by the page's first words;
/// `furniture` are the running heads to skip at a page's top.
fn pages_match(book: &Path, name: &str, furniture: &[&str]) {
    let out = temp(name);
    let (pdf, epub) = build_both(book, &out);
    let docs = spine_docs(&epub);
    let marks = markers(&docs);
    let captions = captions(&docs);
    let headers: Vec<String> = docs
        .iter()
        .flat_map(|(_, d)| d.split("<th").skip(1))
        .filter(|cell| cell.starts_with([' ', '>']))
        .flat_map(|cell| {
            words(
                &plain(&cell[cell.find('>').unwrap() + 1..cell.find("</th>").unwrap()]),
                8,
            )
        })
        .collect();
    let pdf_doc = lopdf::Document::load(&pdf).unwrap();
    let count = pdf_doc.get_pages().len();
    assert_eq!(marks.len(), count, "{name}: one marker per PDF page");
    let front = marks
        .iter()
        .take_while(|(l, _)| l.parse::<u32>().is_err())
        .count();
    let mut checked = 0;
    for (i, (label, after)) in marks.iter().enumerate() {
        let expected = if i < front {
            None
        } else {
            Some((i - front + 1).to_string())
        };
        if let Some(e) = expected {
            assert_eq!(label, &e, "{name}: marker {i} labelled as its page");
        }
        let Some(text) = page_text(&pdf, i + 1) else {
            return;
        };
        // Front matter is checked for presence and order only; a blank page for being blank.
        if i < front {
            continue;
        }
        let mut lines: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        // The running head on top, the folio at the foot.
        if lines.first().is_some_and(|l| furniture.contains(l)) {
            lines.remove(0);
        }
        if lines.last().is_some_and(|l| l.parse::<u32>().is_ok()) {
            lines.pop();
        }
        // Figures moved to the top of the page stand before the text the page starts with.
        let squeeze = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
        while lines
            .first()
            .is_some_and(|l| captions.iter().any(|c| c.contains(&squeeze(l))))
        {
            lines.remove(0);
        }
        let mut page_words = words(&lines.join(" "), 64);
        // A table continued from the page before opens the page with its header again.
        let epub_first = words(after, 1);
        while !page_words.is_empty()
            && page_words.first() != epub_first.first()
            && headers.contains(&page_words[0])
        {
            page_words.remove(0);
        }

        if page_words.is_empty() {
            continue; // a blank page: its marker stands before the next page's
        }
        let epub_words = words(after, 4);
        // A list item's number or bullet is drawn in the PDF and generated by CSS in the EPUB.
        let label_like = |w: &str| w == "•" || w.parse::<u64>().is_ok();
        // (poppler may read the column of bullets before the items).
        while page_words.first().is_some_and(|w| label_like(w))
            && !epub_words.first().is_some_and(|w| label_like(w))
        {
            page_words.remove(0);
        }
        // After a hyphenated page end, the page opens with the rest of the split word and
        // the marker stands before the whole word.
        let first_ok = epub_words
            .first()
            .zip(page_words.first())
            .is_some_and(|(e, p)| e == p || (e.ends_with(p.as_str()) && e.len() > p.len()));
        // The first two words open the page; the next ones follow them there, or (in a
        // table, which poppler reads column by column) stand among the page's first lines.
        let second_ok = epub_words.get(1) == page_words.get(1);
        let rest_ok = epub_words[2..]
            .iter()
            .all(|w| page_words.iter().take(40).any(|p| p == w));
        assert!(
            first_ok && second_ok && rest_ok,
            "{name}: page {label}: EPUB marker is followed by {epub_words:?}, the PDF page opens with {page_words:?}"
        );
        checked += 1;
    }
    assert!(checked + front >= count / 2, "{name}: most pages compared");
}

#[test]
fn the_interview_pages_match_the_pdf() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    pages_match(
        &root.join("manuscript"),
        "interview",
        &["The Escape of the Soul"],
    );
}

/// A fixture's running heads (the book's and its pieces' titles) and its folder.
fn fixture(name: &str) -> (PathBuf, Vec<String>) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let book = folio::markdown::load(&Project::open(&dir).unwrap())
        .unwrap()
        .book;
    let mut heads: Vec<String> = book
        .pieces
        .iter()
        .filter_map(|p| p.meta.title.clone())
        .collect();
    heads.extend(book.meta.title.clone());
    (dir, heads)
}

#[test]
fn the_festival_booklet_pages_match_the_pdf() {
    let (dir, heads) = fixture("festival");
    pages_match(
        &dir,
        "festival",
        &heads.iter().map(String::as_str).collect::<Vec<_>>(),
    );
}

#[test]
fn the_booklet_pages_match_the_pdf() {
    let (dir, heads) = fixture("booklet");
    pages_match(
        &dir,
        "booklet",
        &heads.iter().map(String::as_str).collect::<Vec<_>>(),
    );
}

/// Copies a folder (one level of files, plus subfolders) for editing.
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// Options for both outputs into `out`.
fn both(out: PathBuf) -> Options {
    Options {
        out_dir: out,
        pdf: true,
        epub: true,
        print: Default::default(),
        pdf_standard: None,
    }
}

fn build_report(book: &Path, out: &Path) -> folio::build::Report {
    let project = Project::open(book).unwrap();
    build(&project, &both(out.to_path_buf()), &mut |_| {}).unwrap()
}

#[test]
fn a_rebuild_names_the_pages_an_edit_changed() {
    let tmp = temp("changes");
    let (dir, _) = fixture("festival");
    let book = tmp.join("festival");
    copy_dir(&dir, &book);
    let out = tmp.join("out");
    let first = build_report(&book, &out);
    assert_eq!(
        first.changes, None,
        "a first build has nothing to compare with"
    );
    let manifest: Vec<PathBuf> = first
        .outputs
        .iter()
        .filter(|p| p.to_string_lossy().ends_with(".manifest.json"))
        .cloned()
        .collect();
    assert_eq!(
        manifest.len(),
        1,
        "the manifest is written with the outputs"
    );
    let again = build_report(&book, &out).changes.unwrap();
    assert!(again.starts_with("no page changed"), "{again}");
    // One word in the fifth of eight pieces: its pages change, the pages before do not.
    let piece = book.join("05-the-travelling-screen.md");
    let text = std::fs::read_to_string(&piece).unwrap();
    assert!(text.contains("The older women sit at the front"));
    std::fs::write(
        &piece,
        text.replace(
            "The older women sit at the front",
            "The oldest women sit at the front",
        ),
    )
    .unwrap();
    let edited = build_report(&book, &out).changes.unwrap();
    let (changed, unchanged) = edited.split_once("; ").unwrap();
    assert!(changed.starts_with("page"), "{edited}");
    assert!(!changed.contains(", "), "one run of pages: {edited}");
    let first_changed: u32 = changed
        .trim_start_matches("pages ")
        .trim_start_matches("page ")
        .split(['–', ' '])
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(first_changed > 10, "pieces 1–4 are untouched: {edited}");
    let kept: usize = unchanged.split(' ').next().unwrap().parse().unwrap();
    assert!(kept > 20, "{edited}");
}

#[test]
fn a_rebuild_in_a_session_is_byte_identical_to_a_cold_build() {
    // `folio watch` reuses fonts, figures, caches and unchanged pieces' layouts; what it
    // writes must be exactly what a fresh build of the same text writes.
    let tmp = temp("session");
    let (dir, _) = fixture("festival");
    let book = tmp.join("festival");
    copy_dir(&dir, &book);
    let opts = |out: &str| both(tmp.join(out));
    let mut session = folio::build::Session::default();
    let in_session = |s: &mut folio::build::Session| {
        folio::build::build_in(
            s,
            &Project::open(&book).unwrap(),
            &opts("warm"),
            &mut |_| {},
        )
        .unwrap()
    };
    in_session(&mut session);
    assert_eq!(session.laid_out, 8, "a first build lays out every piece");
    let piece = book.join("04-palaces-of-thin-air.md");
    let text = std::fs::read_to_string(&piece).unwrap();
    assert!(
        text.contains("travelling showmen"),
        "the edited words exist"
    );
    std::fs::write(
        &piece,
        text.replace("travelling showmen", "itinerant showmen"),
    )
    .unwrap();
    let warm = in_session(&mut session);
    assert_eq!(
        session.laid_out, 1,
        "only the edited piece is laid out again"
    );
    assert!(
        session.pdf_reused(),
        "an edit that moves no page puts its pages into the last PDF document"
    );
    let cold = build_report(&book, &tmp.join("cold"));
    for (w, c) in warm.outputs.iter().zip(&cold.outputs) {
        assert_eq!(
            std::fs::read(w).unwrap(),
            std::fs::read(c).unwrap(),
            "{} differs from a cold build",
            w.display()
        );
    }
    // Nothing changed: nothing is laid out again, and the bytes stay the same.
    let again = in_session(&mut session);
    assert_eq!(session.laid_out, 0);
    for (w, c) in again.outputs.iter().zip(&cold.outputs) {
        assert_eq!(std::fs::read(w).unwrap(), std::fs::read(c).unwrap());
    }
}

#[test]
fn the_typesetters_glyph_summary_makes_the_same_pdf_as_a_scan_of_the_pages() {
    // The writer subsets fonts by the glyphs the typesetter summed up per piece (so a
    // rebuild does not visit every glyph); without the summary it scans the pages.
    let (dir, _) = fixture("festival");
    let project = Project::open(&dir).unwrap();
    let book = folio::markdown::load(&project).unwrap().book;
    let pages = folio::build::typeset_book(&book, &project, 0)
        .unwrap()
        .1
        .pages;
    assert!(pages.glyphs.is_some());
    let mut scanned = pages.clone();
    scanned.glyphs = None;
    assert!(folio::pdf::pdf(&pages).unwrap() == folio::pdf::pdf(&scanned).unwrap());
}

#[test]
fn pieces_laid_out_on_one_thread_or_several_give_the_same_bytes() {
    // Layout runs on every core by default; each piece's layout is a function of the
    // piece, so the outputs cannot depend on how many workers there are.
    let tmp = temp("threads");
    let (dir, _) = fixture("festival");
    let project = Project::open(&dir).unwrap();
    let mut outputs = Vec::new();
    for threads in [1, 3, 8] {
        let mut session = folio::build::Session::default();
        session.threads = Some(threads);
        let opts = Options {
            out_dir: tmp.join(format!("t{threads}")),
            pdf: true,
            epub: true,
            print: Default::default(),
            pdf_standard: None,
        };
        let report = folio::build::build_in(&mut session, &project, &opts, &mut |_| {}).unwrap();
        assert_eq!(session.laid_out, 8);
        let bytes: Vec<Vec<u8>> = report
            .outputs
            .iter()
            .map(|p| std::fs::read(p).unwrap())
            .collect();
        outputs.push(bytes);
    }
    assert!(outputs[0] == outputs[1] && outputs[1] == outputs[2]);
}

#[test]
fn a_single_file_book_is_rebuilt_every_time_in_a_session() {
    // A single .md file's folder is not the book's (it may be a home folder): folio does
    // not walk it to key the inputs, so a session never takes such a book as unchanged.
    let tmp = temp("single");
    let md = tmp.join("notes.md");
    std::fs::write(
        &md,
        "---\ntitle: Notes\n---\n\nA short note, written once.\n",
    )
    .unwrap();
    let project = Project::open(&md).unwrap();
    let opts = Options {
        out_dir: tmp.join("out"),
        pdf: true,
        epub: true,
        print: Default::default(),
        pdf_standard: None,
    };
    let mut session = folio::build::Session::default();
    for _ in 0..2 {
        let report = folio::build::build_in(&mut session, &project, &opts, &mut |_| {}).unwrap();
        assert!(
            report.timings.iter().any(|(stage, _)| *stage == "pdf"),
            "the book was built, not skipped: {:?}",
            report.timings
        );
    }
}

#[test]
fn a_reused_pdf_document_takes_the_new_date_from_the_files() {
    // An edit in a session puts its pages into the last PDF document; a book without a
    // date is dated by its newest file, so the Info dictionary and the XMP must be the
    // new ones (the same bytes as a cold build's).
    let tmp = temp("dated");
    let book = tmp.join("book");
    std::fs::create_dir_all(&book).unwrap();
    std::fs::write(book.join("book.toml"), "title = \"Dated\"\nlang = \"en\"\n").unwrap();
    let piece = book.join("01-piece.md");
    let text = "---\ntitle: A Piece\n---\n\nThe first word of a paragraph that fills a line or two of the page, set and justified.\n";
    std::fs::write(&piece, text).unwrap();
    let opts = |out: &str| both(tmp.join(out));
    let mut session = folio::build::Session::default();
    let project = Project::open(&book).unwrap();
    folio::build::build_in(&mut session, &project, &opts("warm"), &mut |_| {}).unwrap();
    std::fs::write(&piece, text.replace("first word", "word first")).unwrap();
    // 2031-01-01: a day the first build cannot have been dated with.
    let later = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_924_992_000);
    std::fs::File::options()
        .write(true)
        .open(&piece)
        .unwrap()
        .set_modified(later)
        .unwrap();
    let warm = folio::build::build_in(&mut session, &project, &opts("warm"), &mut |_| {}).unwrap();
    assert!(session.pdf_reused(), "the edit moved no page");
    let cold = build(&project, &opts("cold"), &mut |_| {}).unwrap();
    for (w, c) in warm.outputs.iter().zip(&cold.outputs) {
        assert!(
            std::fs::read(w).unwrap() == std::fs::read(c).unwrap(),
            "{} differs from a cold build",
            w.display()
        );
    }
    let pdf = warm
        .outputs
        .iter()
        .find(|p| p.extension().is_some_and(|e| e == "pdf"))
        .unwrap();
    let warm = std::fs::read(pdf).unwrap();
    if std::env::var_os("SOURCE_DATE_EPOCH").is_none() {
        let pdf = String::from_utf8_lossy(&warm);
        assert!(
            pdf.contains("D:2031"),
            "the Info dictionary has the new date"
        );
        assert!(pdf.contains("2031-01-01"), "the XMP has the new date");
    }
}

/// The property the `editions` fuzz target checks, on a few dozen inputs of its harness
/// (`folio::fuzzing::editions`): after every edit of a small book, a build in a session
/// that kept its memo across the edits and a cold build give the same bytes, report and
/// warnings (or the same errors). The inputs are fixed (a xorshift generator with a fixed
/// seed), and between them every kind of edit comes up several times in several orders.
#[test]
fn every_rebuild_in_a_session_equals_a_cold_build_over_random_edits() {
    use folio::fuzzing::editions::{KINDS, MAX_EDITS, run};
    /// Cases: a few dozen, as many as the suite's time allows (about 4 builds a second).
    const CASES: usize = 30;
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut builds = 0;
    for case in 0..CASES {
        // The book's shape, then per edit: its kind, a piece, a word and a place (two
        // bytes each). Each kind comes twice in a row (a stale result shows on the second
        // of two like edits: a font file replaced twice, a figure added to a figure), and
        // over the cases every kind comes up several times.
        let mut data = vec![next() as u8];
        for step in 0..MAX_EDITS {
            data.push(((case * 5 + step / 2 * 11) % KINDS) as u8);
            data.extend(next().to_le_bytes()[..6].iter());
        }
        match run(&data) {
            Ok(n) => builds += n,
            Err(e) => panic!("case {case} ({data:?}): {e}"),
        }
    }
    assert!(builds >= CASES * MAX_EDITS, "{builds} builds compared");
}

/// A link moved along its line by an edit before it changes no page count, element or
/// font subset, only where its annotation is: the reused document's key must see it (it
/// reads each page's links from summaries kept per row), or the rebuilt PDF keeps the
/// annotation where it was.
#[test]
fn a_link_moved_by_an_edit_before_it_is_where_a_cold_build_puts_it() {
    let tmp = temp("moved-link");
    let book = tmp.join("book");
    std::fs::create_dir_all(&book).unwrap();
    std::fs::write(book.join("book.toml"), "title = \"Moved\"\nlang = \"en\"\n").unwrap();
    let body = |before: &str| {
        format!(
            "---\ntitle: One\n---\n\nA first paragraph opens the piece.\n\nIt opened{before} with [the programme](https://example.org/) read aloud.\n"
        )
    };
    std::fs::write(book.join("01-one.md"), body("")).unwrap();
    std::fs::write(
        book.join("02-two.md"),
        "---\ntitle: Two\n---\n\nThe second piece.\n",
    )
    .unwrap();
    let mut session = folio::build::Session::default();
    let mut warm = |out: &str| {
        folio::build::build_in(
            &mut session,
            &Project::open(&book).unwrap(),
            &both(tmp.join(out)),
            &mut |_| {},
        )
        .unwrap()
    };
    warm("warm");
    // Letters the page has already (the same font subset; the piece's first words are
    // set in small capitals, so not there), on a line of its own.
    std::fs::write(book.join("01-one.md"), body(" and")).unwrap();
    let rebuilt = warm("warm");
    assert!(
        !session.pdf_reused(),
        "the link's annotation moved: the last document is not reused"
    );
    let cold = build_report(&book, &tmp.join("cold"));
    for (w, c) in rebuilt.outputs.iter().zip(&cold.outputs) {
        assert!(
            std::fs::read(w).unwrap() == std::fs::read(c).unwrap(),
            "{} differs from a cold build",
            w.display()
        );
    }
}
