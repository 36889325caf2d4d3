//! EPUB structure tests: unzip, parse the package, nav and content documents with roxmltree,
//! and check them against the model (the interview, the booklet and the stress fixtures).

use folio::model::{Block, Book, plain_text};
use folio::project::{Project, iso8601};
use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::Path;

const OPF_NS: &str = "http://www.idpf.org/2007/opf";
const OPS_NS: &str = "http://www.idpf.org/2007/ops";
const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";
const BOOKS: [&str; 3] = [
    "manuscript",
    "tests/fixtures/booklet",
    "tests/fixtures/stress",
];
/// A fixed clock: 2023-11-14T22:13:20Z.
const CLOCK: i64 = 1_700_000_000;

struct Built {
    book: Book,
    bytes: Vec<u8>,
    /// (name, content, stored?) in archive order.
    entries: Vec<(String, Vec<u8>, bool)>,
}

impl Built {
    fn file(&self, name: &str) -> &[u8] {
        &self
            .entries
            .iter()
            .find(|e| e.0 == name)
            .unwrap_or_else(|| panic!("{name} missing"))
            .1
    }
    fn text(&self, name: &str) -> String {
        String::from_utf8(self.file(name).to_vec()).unwrap()
    }
}

/// The book in `dir` loaded, typeset, and its files read.
fn loaded(
    dir: &str,
) -> (
    folio::model::Book,
    folio::typeset::frame::Pages,
    folio::resolve::Resolved,
) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let project = Project::open(&root).unwrap();
    let book = folio::markdown::load(&project).unwrap().book;
    let (resolved, typeset) = folio::build::typeset_book(&book, &project, CLOCK).unwrap();
    (book, typeset.pages, resolved)
}

fn build(dir: &str) -> Built {
    let (book, pages, resolved) = loaded(dir);
    let bytes = folio::epub::epub(&resolved, CLOCK, &pages.map).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.clone())).unwrap();
    let mut entries = Vec::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        entries.push((
            f.name().to_string(),
            data,
            f.compression() == zip::CompressionMethod::Stored,
        ));
    }
    Built {
        book,
        bytes,
        entries,
    }
}

fn parse(text: &str) -> roxmltree::Document<'_> {
    let opts = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    roxmltree::Document::parse_with_options(text, opts).unwrap()
}

fn opf_meta(opf: &roxmltree::Document, name: &str) -> Vec<String> {
    opf.descendants()
        .filter(|n| n.has_tag_name(("http://purl.org/dc/elements/1.1/", name)))
        .map(|n| n.text().unwrap_or("").to_string())
        .collect()
}

fn opf_property(opf: &roxmltree::Document, prop: &str) -> Vec<String> {
    opf.descendants()
        .filter(|n| n.has_tag_name((OPF_NS, "meta")) && n.attribute("property") == Some(prop))
        .map(|n| n.text().unwrap_or("").to_string())
        .collect()
}

/// Manifest: id → href.
fn manifest(opf: &roxmltree::Document) -> Vec<(String, String, String)> {
    opf.descendants()
        .filter(|n| n.has_tag_name((OPF_NS, "item")))
        .map(|n| {
            (
                n.attribute("id").unwrap().to_string(),
                n.attribute("href").unwrap().to_string(),
                n.attribute("media-type").unwrap().to_string(),
            )
        })
        .collect()
}

fn xhtml_docs(b: &Built) -> Vec<(String, String)> {
    b.entries
        .iter()
        .filter(|e| e.0.ends_with(".xhtml"))
        .map(|e| (e.0.clone(), String::from_utf8(e.1.clone()).unwrap()))
        .collect()
}

#[test]
fn mimetype_first_and_stored() {
    for dir in BOOKS {
        let b = build(dir);
        let (name, data, stored) = &b.entries[0];
        assert_eq!(name, "mimetype", "{dir}");
        assert_eq!(data, b"application/epub+zip");
        assert!(*stored, "{dir}: mimetype must be stored");
        // No extra field: the file data starts at byte 30 + 8 (name) of the local header.
        assert_eq!(&b.bytes[30..38], b"mimetype");
        assert_eq!(&b.bytes[38..58], b"application/epub+zip");
    }
}

#[test]
fn manifest_lists_exactly_the_files() {
    for dir in BOOKS {
        let b = build(dir);
        let opf_text = b.text("OEBPS/content.opf");
        let opf = parse(&opf_text);
        let listed: HashSet<String> = manifest(&opf)
            .into_iter()
            .map(|(_, h, _)| format!("OEBPS/{h}"))
            .collect();
        let stored: HashSet<String> = b
            .entries
            .iter()
            .map(|e| e.0.clone())
            .filter(|n| n != "mimetype" && !n.starts_with("META-INF/") && n != "OEBPS/content.opf")
            .collect();
        assert_eq!(listed, stored, "{dir}");
        let ids: Vec<String> = manifest(&opf).into_iter().map(|(i, _, _)| i).collect();
        assert_eq!(
            ids.len(),
            ids.iter().collect::<HashSet<_>>().len(),
            "{dir}: manifest ids"
        );
    }
}

#[test]
fn spine_follows_the_pieces() {
    for dir in BOOKS {
        let b = build(dir);
        let opf_text = b.text("OEBPS/content.opf");
        let opf = parse(&opf_text);
        let by_id: HashMap<String, String> =
            manifest(&opf).into_iter().map(|(i, h, _)| (i, h)).collect();
        let spine: Vec<String> = opf
            .descendants()
            .filter(|n| n.has_tag_name((OPF_NS, "itemref")))
            .map(|n| by_id[n.attribute("idref").unwrap()].clone())
            .collect();
        let mut expected = vec!["cover.xhtml".to_string(), "titlepage.xhtml".to_string()];
        expected.extend(folio::epub::piece_hrefs(
            b.book.pieces.iter().map(|p| p.slug.as_str()),
        ));
        assert_eq!(spine, expected, "{dir}");
    }
}

#[test]
fn ids_unique_and_links_resolve() {
    for dir in BOOKS {
        let b = build(dir);
        let docs = xhtml_docs(&b);
        let mut ids: HashMap<String, HashSet<String>> = HashMap::new();
        for (name, text) in &docs {
            let doc = parse(text);
            let mut seen = HashSet::new();
            for n in doc.descendants().filter(|n| n.is_element()) {
                if let Some(id) = n.attribute("id") {
                    assert!(
                        seen.insert(id.to_string()),
                        "{dir}: {name}: duplicate id {id}"
                    );
                }
            }
            ids.insert(name.clone(), seen);
        }
        let mut notes = 0;
        for (name, text) in &docs {
            let doc = parse(text);
            for a in doc.descendants().filter(|n| n.has_tag_name("a")) {
                let href = a.attribute("href").expect("every link has an href");
                if href.starts_with("https:")
                    || href.starts_with("http:")
                    || href.starts_with("mailto:")
                {
                    continue;
                }
                assert!(
                    !href.contains(':'),
                    "{dir}: {name}: unexpected scheme {href}"
                );
                let (file, frag) = href.split_once('#').unwrap_or((href, ""));
                let target = if file.is_empty() {
                    name.clone()
                } else {
                    format!("OEBPS/{file}")
                };
                let target_ids = ids
                    .get(&target)
                    .unwrap_or_else(|| panic!("{dir}: {name}: {href} points nowhere"));
                if !frag.is_empty() {
                    assert!(target_ids.contains(frag), "{dir}: {name}: #{frag} missing");
                }
                if a.attribute("role") == Some("doc-noteref") {
                    notes += 1;
                    let aside = doc
                        .descendants()
                        .find(|n| n.attribute("id") == Some(frag))
                        .unwrap();
                    assert_eq!(aside.tag_name().name(), "aside");
                    assert_eq!(aside.attribute("role"), Some("doc-footnote"));
                    assert_eq!(aside.attribute((OPS_NS, "type")), Some("footnote"));
                    assert_eq!(a.attribute((OPS_NS, "type")), Some("noteref"));
                }
            }
            for img in doc.descendants().filter(|n| n.has_tag_name("img")) {
                let src = format!("OEBPS/{}", img.attribute("src").unwrap());
                assert!(b.entries.iter().any(|e| e.0 == src), "{dir}: {src}");
                assert!(img.attribute("alt").is_some());
            }
        }
        if dir != "manuscript" {
            assert!(notes > 0, "{dir}: expected footnotes");
        }
    }
}

/// The text of a content document, footnote reference numbers left out, spaces collapsed.
fn visible_text(node: roxmltree::Node, out: &mut String) {
    for c in node.children() {
        if c.is_text() {
            out.push_str(c.text().unwrap_or(""));
        } else if c.is_element() && c.attribute("role") != Some("doc-noteref") {
            visible_text(c, out);
            if !matches!(
                c.tag_name().name(),
                "em" | "strong" | "i" | "b" | "a" | "code"
            ) {
                out.push(' ');
            }
        }
    }
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// (inside a footnote?, text) of every text block, in reading order.
fn texts(blocks: &[Block], out: &mut Vec<(bool, String)>, note: bool) {
    for b in blocks {
        match b {
            Block::Paragraph { content, .. }
            | Block::SpeakerTurn { content, .. }
            | Block::Heading { content, .. } => out.push((note, squash(&plain_text(content)))),
            Block::CodeBlock { text, .. } => out.push((note, squash(text))),
            Block::PullQuote { content, .. } | Block::BlockQuote { content, .. } => {
                texts(content, out, note)
            }
            Block::List { items, .. } => items.iter().for_each(|i| texts(i, out, note)),
            Block::FootnoteDef { content, .. } => texts(content, out, true),
            Block::DefinitionList { items, .. } => {
                for (term, defs) in items {
                    out.push((note, squash(&plain_text(term))));
                    defs.iter().for_each(|d| texts(d, out, note));
                }
            }
            Block::Table { header, rows, .. } => {
                for cell in header.iter().chain(rows.iter().flatten()) {
                    out.push((note, squash(&plain_text(cell))));
                }
            }
            Block::Figure { caption, .. } => out.push((note, squash(&plain_text(caption)))),
            Block::Break { .. } => {}
        }
    }
}

#[test]
fn every_paragraph_present_in_order() {
    for dir in BOOKS {
        let b = build(dir);
        let hrefs = folio::epub::piece_hrefs(b.book.pieces.iter().map(|p| p.slug.as_str()));
        for (piece, href) in b.book.pieces.iter().zip(&hrefs) {
            let text = b.text(&format!("OEBPS/{href}"));
            let doc = parse(&text);
            let body = doc.descendants().find(|n| n.has_tag_name("body")).unwrap();
            let mut all = String::new();
            visible_text(body, &mut all);
            let all = squash(&all);
            let mut found = Vec::new();
            texts(&piece.blocks, &mut found, false);
            // Footnotes follow the text, so check them after it.
            let main = found.iter().filter(|t| !t.0).map(|t| &t.1);
            let notes = found.iter().filter(|t| t.0).map(|t| &t.1);
            let mut at = 0;
            for t in main.chain(notes).filter(|t| !t.is_empty()) {
                match all[at..].find(t.as_str()) {
                    Some(k) => at += k + t.len(),
                    None => panic!("{dir}: {href}: missing or out of order: {t:?}"),
                }
            }
        }
    }
}

#[test]
fn pull_quotes_are_exposed_asides() {
    let b = build("manuscript");
    let text = b.text("OEBPS/the-escape-of-the-soul.xhtml");
    let doc = parse(&text);
    let asides: Vec<_> = doc
        .descendants()
        .filter(|n| n.attribute((OPS_NS, "type")) == Some("pullquote"))
        .collect();
    let expected = b.book.pieces[0]
        .blocks
        .iter()
        .filter(|b| matches!(b, Block::PullQuote { .. }))
        .count();
    assert_eq!(asides.len(), expected);
    assert!(expected > 0);
    for a in asides {
        assert_eq!(a.tag_name().name(), "aside");
        assert_eq!(a.attribute("role"), Some("doc-pullquote"));
        assert_eq!(a.attribute("aria-hidden"), None);
    }
    // Foreign terms carry both language attributes.
    let es = doc
        .descendants()
        .find(|n| n.has_tag_name("i") && n.attribute("lang") == Some("es"))
        .unwrap();
    assert_eq!(es.attribute((XML_NS, "lang")), Some("es"));
}

#[test]
fn interview_metadata() {
    let b = build("manuscript");
    let text = b.text("OEBPS/content.opf");
    let opf = parse(&text);
    let pkg = opf.root_element();
    assert_eq!(pkg.attribute((XML_NS, "lang")), Some("en-US"));
    assert_eq!(
        opf_meta(&opf, "title"),
        [
            "The Escape of the Soul",
            "An Exclusive Interview with Kiro Russo, Director of El Gran Movimiento"
        ]
    );
    assert_eq!(opf_property(&opf, "title-type"), ["main", "subtitle"]);
    assert_eq!(opf_meta(&opf, "language"), ["en-US"]);
    // Book-level people are the book's creators (the booklet issue), whatever their role.
    assert_eq!(opf_meta(&opf, "creator"), ["Kiro Russo"]);
    assert!(opf_meta(&opf, "contributor").is_empty());
    assert_eq!(opf_property(&opf, "role"), ["ive"]);
    assert_eq!(
        opf_property(&opf, "file-as"),
        ["Escape of the Soul, The", "Russo, Kiro"]
    );
    assert_eq!(opf_property(&opf, "dcterms:modified"), [iso8601(CLOCK)]);
    assert_eq!(opf_meta(&opf, "date"), ["2026-11-24"]);
    // No ISBN: the identifier is derived from the metadata, so it is stable.
    let id = &opf_meta(&opf, "identifier")[0];
    assert!(id.starts_with("urn:uuid:"), "{id}");
    assert_eq!(
        opf_meta(
            &parse(&build("manuscript").text("OEBPS/content.opf")),
            "identifier"
        )[0],
        *id
    );
    let uid = pkg.attribute("unique-identifier").unwrap();
    assert!(opf.descendants().any(|n| n.attribute("id") == Some(uid)));
    // Derived accessibility metadata: no images, so nothing visual and no alt-text claim.
    assert_eq!(opf_property(&opf, "schema:accessMode"), ["textual"]);
    assert_eq!(
        opf_property(&opf, "schema:accessModeSufficient"),
        ["textual"]
    );
    let features = opf_property(&opf, "schema:accessibilityFeature");
    assert!(!features.iter().any(|f| f == "alternativeText"));
    // The print page numbers come from the PDF typeset in the same build.
    for f in ["pageBreakMarkers", "printPageNumbers", "pageNavigation"] {
        assert!(features.iter().any(|x| x == f), "{f}");
    }
    let id = opf_meta(&opf, "identifier")[0].clone();
    assert_eq!(opf_meta(&opf, "source"), std::slice::from_ref(&id));
    assert_eq!(opf_property(&opf, "pageBreakSource"), [id]);
    assert!(features.iter().any(|f| f == "tableOfContents"));
    let summary = &opf_property(&opf, "schema:accessibilitySummary")[0];
    assert!(summary.contains("no images") && summary.contains("pull quotes"));
    assert!(summary.contains("Spanish"));
    // No evaluator named: no conformance claim (EPUB Accessibility 1.1 requires one).
    assert!(opf_property(&opf, "dcterms:conformsTo").is_empty());
    assert!(opf_property(&opf, "a11y:certifiedBy").is_empty());
    assert!(features.iter().any(|f| f == "displayTransformability"));
    // Nav: language, role, labelled landmarks with the cover.
    let nav_text = b.text("OEBPS/nav.xhtml");
    let nav = parse(&nav_text);
    assert_eq!(nav.root_element().attribute("lang"), Some("en-US"));
    let toc = nav
        .descendants()
        .find(|n| n.attribute((OPS_NS, "type")) == Some("toc"))
        .unwrap();
    assert_eq!(toc.attribute("role"), Some("doc-toc"));
    let landmarks = nav
        .descendants()
        .find(|n| n.attribute((OPS_NS, "type")) == Some("landmarks"))
        .unwrap();
    assert!(landmarks.attribute("aria-label").is_some());
    assert!(
        landmarks
            .descendants()
            .any(|n| n.attribute((OPS_NS, "type")) == Some("cover"))
    );
    // No fonts unless asked.
    assert!(!b.entries.iter().any(|e| e.0.ends_with(".ttf")));
}

#[test]
fn booklet_metadata() {
    let b = build("tests/fixtures/booklet");
    let text = b.text("OEBPS/content.opf");
    let opf = parse(&text);
    assert_eq!(opf_meta(&opf, "identifier"), ["urn:isbn:9780306406157"]);
    assert_eq!(opf_meta(&opf, "publisher"), ["Example Magazine"]);
    assert_eq!(
        opf_meta(&opf, "rights"),
        ["© 2026 Example Magazine. All rights reserved."]
    );
    assert_eq!(opf_meta(&opf, "description").len(), 1);
    assert_eq!(opf_property(&opf, "belongs-to-collection"), ["Field Notes"]);
    assert_eq!(opf_property(&opf, "collection-type"), ["series"]);
    assert_eq!(opf_property(&opf, "group-position"), ["2"]);
    let roles: HashSet<String> = opf_property(&opf, "role").into_iter().collect();
    for r in ["aut", "ivr", "ive", "pht", "trl", "edt"] {
        assert!(roles.contains(r), "role {r}");
    }
    // The book-level editor is the book's creator (stores list her first); Jane Writer,
    // named in pieces, is one contributor with two roles.
    assert_eq!(opf_meta(&opf, "creator"), ["Ana Editor"]);
    assert_eq!(
        opf_meta(&opf, "contributor")
            .iter()
            .filter(|c| *c == "Jane Writer")
            .count(),
        1
    );
    // One figure with alt text: visual, and the alt-text claim.
    assert_eq!(
        opf_property(&opf, "schema:accessMode"),
        ["textual", "visual"]
    );
    assert!(
        opf_property(&opf, "schema:accessibilityFeature")
            .iter()
            .any(|f| f == "alternativeText")
    );
    // Fonts embedded on request, as font/ttf with @font-face.
    let fonts: Vec<_> = manifest(&opf)
        .into_iter()
        .filter(|(_, _, mt)| mt == "font/ttf")
        .collect();
    // The booklet has code: the code face comes with the body's three.
    assert_eq!(fonts.len(), 4, "regular, italic, bold and the code face");
    let css = b.text("OEBPS/stylesheet.css");
    assert!(css.contains("@font-face"));
    assert!(css.contains("code, kbd, pre { font-family: \"JetBrains Mono\", monospace; }"));
    // Speaker turns mark the speaker.
    let conv = b.text("OEBPS/the-sound-of-the-city.xhtml");
    let doc = parse(&conv);
    let speakers: Vec<_> = doc
        .descendants()
        .filter(|n| n.attribute("class") == Some("speaker"))
        .map(|n| n.text().unwrap_or("").to_string())
        .collect();
    assert_eq!(speakers[0], "Jane Writer:");
    assert!(speakers.iter().any(|s| s == "Q:"));
}

#[test]
fn stress_text_stays_text() {
    let b = build("tests/fixtures/stress");
    let text = b.text("OEBPS/content.opf");
    let opf = parse(&text);
    assert_eq!(
        opf_meta(&opf, "title")[0],
        "Fish & Chips <Deluxe> “Quoted” ‘Single’"
    );
    assert_eq!(opf_meta(&opf, "publisher"), ["O’Brien & Sons <Press>"]);
    assert_eq!(opf_meta(&opf, "creator"), ["Seán O’Brien & Co."]);
    assert!(opf_meta(&opf, "description")[0].contains("<script>"));
    // Nothing in any document became an element it should not be: raw HTML's `<br>` is a
    // line break (issue 25), a `<span>` transparent, a script never passed through.
    let mut breaks = 0;
    for (name, text) in xhtml_docs(&b) {
        let doc = parse(&text);
        // (The only spans are folio's page-break markers.)
        let marker = |n: &roxmltree::Node| {
            n.attribute(("http://www.idpf.org/2007/ops", "type")) == Some("pagebreak")
        };
        for n in doc.descendants().filter(|n| n.is_element() && !marker(n)) {
            assert!(
                !matches!(n.tag_name().name(), "script" | "span" | "style"),
                "{name}: <{}>",
                n.tag_name().name()
            );
            breaks += usize::from(n.tag_name().name() == "br");
        }
        if text.contains("Raw HTML such as") {
            assert!(text.contains("a span is read as HTML"), "{text}");
        }
    }
    assert_eq!(breaks, 1, "the <br> written in the text");
    // The piece titled "Cover" and the two "Same Title" pieces get their own files.
    assert_eq!(
        folio::epub::piece_hrefs(b.book.pieces.iter().map(|p| p.slug.as_str()))[..3],
        ["cover-2.xhtml", "same-title.xhtml", "same-title-2.xhtml"]
    );
}

#[test]
fn two_builds_are_byte_identical() {
    for dir in BOOKS {
        assert_eq!(build(dir).bytes, build(dir).bytes, "{dir}");
    }
}

#[test]
fn a_second_epub_of_the_same_book_reuses_the_archive_and_the_navigation() {
    // In a session, an EPUB whose plan and page list did not change takes epub-builder's
    // archive and the completed nav and NCX from the last build: the same bytes.
    let (_, pages, book) = loaded("tests/fixtures/festival");
    let mut previous = folio::epub::Previous::default();
    let make = |previous: &mut folio::epub::Previous| {
        folio::epub::epub_cached(&book, CLOCK, &pages.map, None, previous).unwrap()
    };
    let first = make(&mut previous);
    assert!(previous.built.is_some(), "the archive is kept");
    assert_eq!(previous.navigation.len(), 2, "nav and NCX are kept");
    let kept = previous.navigation.clone();
    let second = make(&mut previous);
    assert!(first == second, "a rebuild from the caches differs");
    assert_eq!(previous.navigation, kept);
    assert_eq!(first, folio::epub::epub(&book, CLOCK, &pages.map).unwrap());
    // The kept nav is what the next build writes, not made again: a marked copy shows.
    let marker = b"<!-- kept -->".to_vec();
    if let Some((_, bytes)) = previous.navigation.get_mut("OEBPS/nav.xhtml") {
        *bytes = marker.clone();
    }
    let third = make(&mut previous);
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(third)).unwrap();
    let mut nav = Vec::new();
    std::io::Read::read_to_end(&mut zip.by_name("OEBPS/nav.xhtml").unwrap(), &mut nav).unwrap();
    assert_eq!(
        nav, marker,
        "the nav was made again instead of taken from the last build"
    );
}
