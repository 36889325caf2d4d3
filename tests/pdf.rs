//! The whole PDF path on real books: build → read back with lopdf (and poppler's pdftotext):
//! pages and size, fonts embedded as subsets, outline, metadata, links, and the extracted
//! text equal to the manuscript's words in order.

use folio::build::{Options, build};
use folio::model::{Block, Book, plain_text};
use folio::project::Project;
use lopdf::{Document, Object};
use std::path::{Path, PathBuf};
use std::process::Command;

fn temp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("folio-pdf-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn build_pdf(book: &Path, out: &Path) -> (PathBuf, Book) {
    let project = Project::open(book).unwrap();
    let report = build(
        &project,
        &Options {
            out_dir: out.to_path_buf(),
            pdf: true,
            epub: false,
            print: Default::default(),
            pdf_standard: None,
        },
        &mut |_| {},
    )
    .unwrap();
    let loaded = folio::markdown::load(&project).unwrap();
    (report.outputs[0].clone(), loaded.book)
}

/// A three-piece booklet written to a temporary folder.
fn booklet(dir: &Path) -> PathBuf {
    let b = dir.join("booklet");
    std::fs::create_dir_all(&b).unwrap();
    std::fs::write(b.join("book.toml"), "title = \"Festival Voices\"\nlang = \"en-GB\"\npublisher = \"Small Press\"\ndate = \"2026-11-24\"\nidentifier = \"978-0-306-40615-7\"\n[[editor]]\nname = \"Jane Doe\"\n").unwrap();
    let long = "The festival opened in the rain, and nobody minded: the films were the point, and the conversations afterwards went on until the cafés closed. ".repeat(12);
    std::fs::write(b.join("01-essay.md"), format!("---\ntitle: An Essay\nauthor: Ann Writer\n---\n\n{long}\n\n## A Section\n\n{long}[^1]\n\n[^1]: A footnote at the foot of its page.\n")).unwrap();
    std::fs::write(b.join("02-talk.md"), format!("---\ntitle: A Talk\ninterviewer: Jane Doe\ninterviewee: Kiro Russo\n---\n\n**Jane Doe:** What is the film about?\n\n**Kiro Russo:** {long}\n\n::: pullquote\n“The films were the point.”\n:::\n\n{long}\n")).unwrap();
    std::fs::write(
        b.join("03-notes.md"),
        format!("---\ntitle: Notes\n---\n\n{long}\n"),
    )
    .unwrap();
    b
}

fn trailer_info(doc: &Document) -> &lopdf::Dictionary {
    let id = doc.trailer.get(b"Info").unwrap().as_reference().unwrap();
    doc.get_dictionary(id).unwrap()
}

fn string(o: &Object) -> String {
    match o {
        Object::String(bytes, _) => {
            if bytes.starts_with(&[0xfe, 0xff]) {
                let u: Vec<u16> = bytes[2..]
                    .chunks(2)
                    .map(|c| u16::from_be_bytes([c[0], c.get(1).copied().unwrap_or(0)]))
                    .collect();
                String::from_utf16_lossy(&u)
            } else {
                String::from_utf8_lossy(bytes).into_owned()
            }
        }
        _ => String::new(),
    }
}

#[test]
fn interview_pdf_reads_back() {
    let dir = temp("interview");
    let (pdf, book) = build_pdf(Path::new("manuscript"), &dir);
    let bytes = std::fs::read(&pdf).unwrap();
    let doc = Document::load_mem(&bytes).unwrap();
    let pages = doc.get_pages();
    assert!(pages.len() >= 4, "title, copyright and body pages");
    // A5 in points.
    for id in pages.values() {
        let page = doc.get_dictionary(*id).unwrap();
        let mb: Vec<f32> = page
            .get(b"MediaBox")
            .unwrap()
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o.as_float().unwrap())
            .collect();
        assert!(
            (mb[2] - mb[0] - 419.53).abs() < 0.1 && (mb[3] - mb[1] - 595.28).abs() < 0.1,
            "{mb:?}"
        );
    }
    // Fonts: embedded subsets with a content-derived tag.
    let mut fonts = 0;
    for obj in doc.objects.values() {
        if let Ok(d) = obj.as_dict()
            && d.get(b"Type").ok().and_then(|t| t.as_name().ok()) == Some(b"FontDescriptor")
        {
            fonts += 1;
            let name = String::from_utf8_lossy(d.get(b"FontName").unwrap().as_name().unwrap())
                .into_owned();
            assert!(
                name.len() > 7
                    && name.as_bytes()[6] == b'+'
                    && name[..6].bytes().all(|b| b.is_ascii_uppercase()),
                "{name}"
            );
            assert!(
                d.get(b"FontFile2").is_ok() || d.get(b"FontFile3").is_ok(),
                "font {name} not embedded"
            );
        }
    }
    assert!(fonts >= 2, "regular and italic at least");
    // Metadata and language.
    let info = trailer_info(&doc);
    assert_eq!(
        string(info.get(b"Title").unwrap()),
        book.meta.title.clone().unwrap()
    );
    let catalog = doc.catalog().unwrap();
    assert_eq!(string(catalog.get(b"Lang").unwrap()), "en-US");
    assert!(catalog.get(b"Metadata").is_ok(), "XMP metadata");
    assert!(catalog.get(b"Outlines").is_ok(), "outline");
    // Same input, same bytes.
    let (again, _) = build_pdf(Path::new("manuscript"), &temp("interview-again"));
    assert_eq!(bytes, std::fs::read(again).unwrap(), "two builds differ");
    // The words, in order.
    words_in_order(&pdf, &book, 2);
}

#[test]
fn booklet_has_contents_links_outline_and_footnotes() {
    let dir = temp("booklet");
    let (pdf, book) = build_pdf(&booklet(&dir), &dir.join("out"));
    let doc = Document::load_mem(&std::fs::read(&pdf).unwrap()).unwrap();
    // Contents page (page 3) links to the first page of each piece.
    let pages = doc.get_pages();
    let contents = doc.get_dictionary(pages[&3]).unwrap();
    let annots = contents
        .get(b"Annots")
        .map(|a| a.as_array().map(|v| v.len()).unwrap_or(0))
        .unwrap_or_else(|_| 0);
    assert_eq!(annots, 3, "one link per piece on the contents page");
    // Outline: the three pieces, with the essay's section nested under it.
    let outlines = doc
        .catalog()
        .unwrap()
        .get(b"Outlines")
        .unwrap()
        .as_reference()
        .unwrap();
    let root = doc.get_dictionary(outlines).unwrap();
    let mut titles = Vec::new();
    let mut next = root.get(b"First").ok().and_then(|f| f.as_reference().ok());
    while let Some(id) = next {
        let item = doc.get_dictionary(id).unwrap();
        titles.push((
            string(item.get(b"Title").unwrap()),
            item.get(b"First").is_ok(),
        ));
        next = item.get(b"Next").ok().and_then(|n| n.as_reference().ok());
    }
    assert_eq!(
        titles,
        vec![
            ("An Essay".to_string(), true),
            ("A Talk".to_string(), false),
            ("Notes".to_string(), false)
        ]
    );
    words_in_order(&pdf, &book, 4);
    // The footnote text is on the page of its reference.
    let text = pdftotext(&pdf);
    if let Some(text) = text {
        let page = text
            .split('\u{c}')
            .find(|p| p.contains("A footnote at the foot"))
            .expect("footnote set");
        assert!(
            page.contains("cafés closed.1")
                || page.contains("closed.1")
                || page.contains("closed. 1"),
            "reference and note share a page"
        );
    }
}

fn pdftotext(pdf: &Path) -> Option<String> {
    match Command::new("pdftotext").arg(pdf).arg("-").output() {
        Ok(o) if o.status.success() => Some(String::from_utf8_lossy(&o.stdout).into_owned()),
        _ => {
            assert!(
                std::env::var_os("CI").is_none(),
                "pdftotext (poppler-utils) is required in CI"
            );
            eprintln!("pdftotext not installed: text check skipped");
            None
        }
    }
}

/// The manuscript's paragraph words appear in the PDF in order, after joining hyphenated
/// line ends; running heads, folios, openings and pull quotes are the only other text.
fn words_in_order(pdf: &Path, book: &Book, front_pages: usize) {
    let Some(text) = pdftotext(pdf) else { return };
    let body: Vec<&str> = text.split('\u{c}').skip(front_pages).collect();
    let mut got: Vec<String> = Vec::new();
    for page in body {
        for line in page.lines() {
            let t = line.trim();
            if t.is_empty() || t.chars().all(|c| c.is_ascii_digit()) {
                continue; // folios
            }
            got.extend(t.split_whitespace().map(str::to_owned));
        }
    }
    let mut want: Vec<String> = Vec::new();
    for piece in &book.pieces {
        for b in piece.blocks.iter() {
            match b {
                Block::Paragraph { content, .. } => {
                    want.extend(plain_text(content).split_whitespace().map(str::to_owned))
                }
                Block::SpeakerTurn { content, .. } => {
                    want.extend(plain_text(content).split_whitespace().map(str::to_owned))
                }
                _ => {}
            }
        }
    }
    // Walk the extracted words; every wanted word must come next, possibly split by a
    // line-end hyphen, with other words (heads, openings, pull quotes, labels) in between.
    let mut i = 0;
    let mut skipped = 0;
    for w in &want {
        loop {
            assert!(
                i < got.len(),
                "word {w:?} not found in order (skipped {skipped} words)"
            );
            let g = &got[i];
            if g == w {
                i += 1;
                break;
            }
            if let (Some(stem), Some(next)) = (g.strip_suffix('-'), got.get(i + 1))
                && (format!("{stem}{next}") == *w || format!("{g}{next}") == *w)
            {
                i += 2;
                break;
            }
            skipped += 1;
            i += 1;
        }
    }
    // What was skipped is furniture: far fewer words than the text itself.
    assert!(
        skipped < want.len() / 4,
        "{skipped} extra words for {} manuscript words",
        want.len()
    );
}

fn page_box(doc: &Document, page: lopdf::ObjectId, name: &[u8]) -> Vec<f32> {
    doc.get_dictionary(page)
        .unwrap()
        .get(name)
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o.as_float().unwrap())
        .collect()
}

#[test]
fn print_settings_give_bleed_trim_and_crop_marks() {
    let dir = temp("print");
    let b = dir.join("book");
    std::fs::create_dir_all(&b).unwrap();
    std::fs::write(
        b.join("book.toml"),
        "title = \"Print\"\n[pdf]\npage-size = \"6x9\"\n[print]\nbleed = \"3mm\"\ncrop-marks = true\n",
    )
    .unwrap();
    std::fs::write(
        b.join("01.md"),
        "---\ntitle: Print\n---\n\nA page for the printer, with bleed and crop marks.\n",
    )
    .unwrap();
    let (pdf, _) = build_pdf(&b, &dir.join("out"));
    // The screen PDF has neither bleed nor marks: its media box is its trim.
    let screen = Document::load_mem(&std::fs::read(&pdf).unwrap()).unwrap();
    let page = screen.get_pages()[&1];
    assert_eq!(
        page_box(&screen, page, b"MediaBox"),
        page_box(&screen, page, b"TrimBox")
    );
    let print = dir.join("out/print-print.pdf");
    let doc = Document::load_mem(&std::fs::read(&print).unwrap()).unwrap();
    let first = doc.get_pages()[&1];
    let (media, bleed, trim) = (
        page_box(&doc, first, b"MediaBox"),
        page_box(&doc, first, b"BleedBox"),
        page_box(&doc, first, b"TrimBox"),
    );
    let bleed_pt = 3.0 * 72.0 / 25.4;
    assert!(
        (trim[2] - trim[0] - 432.0).abs() < 0.01 && (trim[3] - trim[1] - 648.0).abs() < 0.01,
        "6 × 9 in trim: {trim:?}"
    );
    assert!(
        (trim[0] - bleed[0] - bleed_pt).abs() < 0.01,
        "3 mm bleed: {bleed:?} {trim:?}"
    );
    assert!(
        bleed[0] - media[0] > 10.0,
        "room for crop marks outside the bleed: {media:?} {bleed:?}"
    );
}

#[test]
fn a_character_the_font_lacks_is_a_located_warning() {
    let dir = temp("missing-glyph");
    let b = dir.join("book");
    std::fs::create_dir_all(&b).unwrap();
    std::fs::write(
        b.join("01.md"),
        "---\ntitle: Glyphs\n---\n\nAn Ethiopic letter ሀ is not in EB Garamond.\n",
    )
    .unwrap();
    let project = Project::open(&b).unwrap();
    let report = build(
        &project,
        &Options {
            out_dir: dir.join("out"),
            pdf: true,
            epub: false,
            print: Default::default(),
            pdf_standard: None,
        },
        &mut |_| {},
    )
    .unwrap();
    let w: Vec<String> = report.warnings.iter().map(|d| d.render(false)).collect();
    assert!(
        w.iter()
            .any(|r| r.contains("no glyph for 'ሀ' (U+1200)") && r.contains("01.md:5:1")),
        "{w:?}"
    );
}

#[test]
fn figures_are_placed_jpeg_unchanged_png_with_alpha() {
    let dir = temp("figures");
    let b = dir.join("book");
    std::fs::create_dir_all(b.join("img")).unwrap();
    let jpeg = std::fs::read("tests/fixtures/images/gradient.jpg").unwrap();
    std::fs::write(b.join("img/gradient.jpg"), &jpeg).unwrap();
    std::fs::copy("tests/fixtures/images/alpha.png", b.join("img/alpha.png")).unwrap();
    std::fs::write(
        b.join("01.md"),
        "---\ntitle: Figures\n---\n\nText before.\n\n![A gradient](img/gradient.jpg \"A gradient.\")\n\nText between.\n\n![A half-transparent swatch](img/alpha.png)\n\nText after.\n",
    )
    .unwrap();
    let (pdf, _) = build_pdf(&b, &dir.join("out"));
    let doc = Document::load_mem(&std::fs::read(&pdf).unwrap()).unwrap();
    let mut dct = Vec::new();
    let mut masked = 0;
    for obj in doc.objects.values() {
        if let Ok(s) = obj.as_stream()
            && s.dict.get(b"Subtype").ok().and_then(|t| t.as_name().ok()) == Some(b"Image")
        {
            if s.dict.get(b"Filter").ok().and_then(|f| f.as_name().ok()) == Some(b"DCTDecode") {
                dct.push(s.content.clone());
            }
            if s.dict.get(b"SMask").is_ok() {
                masked += 1;
            }
        }
    }
    assert_eq!(dct, vec![jpeg], "the JPEG is embedded byte for byte");
    assert_eq!(masked, 1, "the PNG's alpha becomes a soft mask");
    // A damaged image is a located error.
    std::fs::write(b.join("img/alpha.png"), b"\x89PNG\r\n\x1a\nbroken").unwrap();
    let project = Project::open(&b).unwrap();
    let err = build(
        &project,
        &Options {
            out_dir: dir.join("out2"),
            pdf: true,
            epub: false,
            print: Default::default(),
            pdf_standard: None,
        },
        &mut |_| {},
    )
    .unwrap_err();
    let msg = err[0].render(false);
    assert!(
        msg.contains("cannot use the image `img/alpha.png`") && msg.contains("01.md:11:1"),
        "{msg}"
    );
}

#[test]
fn names_from_the_metadata_are_never_hyphenated() {
    let dir = temp("names");
    let b = dir.join("book");
    std::fs::create_dir_all(&b).unwrap();
    std::fs::write(
        b.join("book.toml"),
        "title = \"Names\"\nlang = \"en\"\n[[interviewee]]\nname = \"Maximiliano Bartholomew\"\n[pdf]\npage-width = \"70mm\"\ninner-margin = \"10mm\"\nouter-margin = \"10mm\"\n",
    )
    .unwrap();
    let text = "Maximiliano Bartholomew spoke, and Bartholomew’s unconventional considerations, internationalisation notwithstanding, were Maximiliano’s. ".repeat(30);
    std::fs::write(
        b.join("01.md"),
        format!("---\ntitle: Names\n---\n\n{text}\n"),
    )
    .unwrap();
    let (pdf, _) = build_pdf(&b, &dir.join("out"));
    // Where the typesetter broke a word, its line ends in a discretionary hyphen: the word
    // before it is the broken one.
    let project = Project::open(&b).unwrap();
    let book = folio::markdown::load(&project).unwrap().book;
    let pages = folio::build::typeset_book(&book, &project, 0)
        .unwrap()
        .1
        .pages;
    let mut hyphenated: Vec<String> = Vec::new();
    for page in &pages.pages {
        let mut line = String::new();
        page.walk(&mut |item, _| match item {
            folio::typeset::frame::Item::Glyphs(run) => {
                for g in &run.glyphs {
                    if g.text.as_str() == folio::typeset::frame::SOFT_HYPHEN {
                        let last = line.split_whitespace().last().unwrap_or("");
                        hyphenated.push(last.to_string());
                    }
                    line.push_str(&g.text);
                }
            }
            folio::typeset::frame::Item::Tag(folio::typeset::frame::Tag::End) => line.clear(),
            _ => {}
        });
    }
    assert!(
        !hyphenated.is_empty(),
        "the long ordinary words should hyphenate somewhere"
    );
    for last in &hyphenated {
        assert!(
            !"Maximiliano Bartholomew".contains(last.as_str()) || last.len() < 3,
            "a name was hyphenated: {last}-"
        );
    }
    // The PDF reads each broken word whole (its hyphen is no character of the text).
    let Some(text) = pdftotext(&pdf) else { return };
    for last in &hyphenated {
        assert!(
            !text.contains(&format!("{last}-")),
            "the hyphen after {last:?} is read as text"
        );
    }
}
