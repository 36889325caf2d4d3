//! The PDF writer end to end: hand-built `Pages` (shaped with the real shaper and the default
//! fonts) → `folio::pdf::pdf` → read back with lopdf (and poppler's tools when installed).

use std::process::Command;

use folio::pdf::pdf;
use folio::typeset::font::{Font, FontSet, Style};
use folio::typeset::frame::{
    Destination, DocInfo, GlyphRun, Item, LabelStyle, OutlineEntry, Page, PageLabelRange, Pages,
    Point, Rect,
};
use folio::typeset::shape::{Features, Shaper, to_frame_glyphs};
use lopdf::{Dictionary, Document, Object};

const SIZE: f32 = 11.0;

/// One line of words: each shaped on its own, a word space (plus `extra` pt) after each but the
/// last, attached to the last glyph of the word as the frame asks.
fn line(
    shaper: &mut Shaper,
    font_key: usize,
    font: &Font,
    words: &[&str],
    origin: Point,
    extra: f32,
) -> GlyphRun {
    let space = font
        .glyph(' ')
        .map(|g| font.advance(g) as f32 * SIZE / f32::from(font.units_per_em()))
        .unwrap_or(3.0);
    let mut glyphs = Vec::new();
    for (i, w) in words.iter().enumerate() {
        let shaped = shaper.shape(font_key, font, w, Features::default());
        let mut gs = to_frame_glyphs(&shaped, w, font.units_per_em(), SIZE);
        if i + 1 < words.len()
            && let Some(last) = gs.last_mut()
        {
            last.text.push(' ');
            last.advance += space + extra;
        }
        glyphs.extend(gs);
    }
    GlyphRun {
        font: font_key,
        size: SIZE,
        hscale: 100.0,
        origin,
        glyphs,
    }
}

const LINE_1: &[&str] = &["“Elder’s”", "official", "affluent", "office", "—", "AVAST!"];
const LINE_2: &[&str] = &["The", "first", "flight,", "it’s", "said,", "was", "short."];
const LINE_3: &[&str] = &["Chapter", "two", "begins", "here;", "fin."];

fn sample(bleed: f32) -> Pages {
    let fonts = FontSet::default_fonts();
    let mut shaper = Shaper::new("en-GB");
    let (w, h) = (432.0, 648.0); // 6 × 9 in, a common trade trim.
    let mut run2 = line(
        &mut shaper,
        1,
        fonts.get(Style::Italic),
        LINE_2,
        Point { x: 54.0, y: 120.0 },
        1.5,
    );
    run2.hscale = 98.0;
    // A raised final glyph, as GPOS or a superscript would give.
    if let Some(g) = run2.glyphs.last_mut() {
        g.y_offset = 3.0;
    }
    let page = |items| Page {
        width: w,
        height: h,
        bleed,
        slug: 0.0,
        media: None,
        items,
        furniture: vec![],
    };
    Pages {
        renumber: vec![],
        structure: None,
        images: vec![],
        map: vec![],
        glyphs: None,
        pages: vec![
            page(vec![
                Item::Glyphs(line(
                    &mut shaper,
                    0,
                    fonts.get(Style::Regular),
                    LINE_1,
                    Point { x: 54.0, y: 80.0 },
                    0.0,
                )),
                Item::Rule {
                    from: Point { x: 54.0, y: 90.0 },
                    to: Point { x: 378.0, y: 90.0 },
                    thickness: 0.5,
                },
                Item::Link {
                    rect: Rect {
                        x: 54.0,
                        y: 70.0,
                        width: 100.0,
                        height: 14.0,
                    },
                    dest: Destination { page: 2, y: 72.0 },
                },
                Item::UriLink {
                    rect: Rect {
                        x: 200.0,
                        y: 70.0,
                        width: 50.0,
                        height: 14.0,
                    },
                    uri: "https://example.org/ü".to_string(),
                },
            ]),
            page(vec![Item::Glyphs(run2)]),
            page(vec![Item::Glyphs(line(
                &mut shaper,
                0,
                fonts.get(Style::Regular),
                LINE_3,
                Point { x: 54.0, y: 72.0 },
                0.8,
            ))]),
        ],
        fonts: vec![
            fonts.get(Style::Regular).to_font_file(),
            fonts.get(Style::Italic).to_font_file(),
        ],
        outline: vec![
            entry("Chapter One", 0, 1, 0.0),
            entry("The first flight", 1, 1, 100.0),
            entry("Landing", 1, 1, 300.0),
            entry("Chapter Two", 0, 2, 0.0),
        ],
        page_labels: vec![
            PageLabelRange {
                start: 0,
                style: LabelStyle::LowerRoman,
                first: 1,
            },
            PageLabelRange {
                start: 1,
                style: LabelStyle::Arabic,
                first: 1,
            },
        ],
        info: DocInfo {
            title: "The Interview — a test".to_string(),
            subtitle: Some("Sub".to_string()),
            authors: vec!["Ann Author".to_string(), "Bea Bauthor".to_string()],
            subject: Some("Testing".to_string()),
            keywords: vec!["pdf".to_string(), "folio".to_string()],
            lang: "en-GB".to_string(),
            date: "2025-01-02T03:04:05Z".to_string(),
            identifier: "urn:uuid:00000000-0000-4000-8000-000000000000".to_string(),
            producer: "folio test".to_string(),
            standard: None,
        },
    }
}

fn entry(title: &str, level: usize, page: usize, y: f32) -> OutlineEntry {
    OutlineEntry {
        title: title.to_string(),
        level,
        dest: Destination { page, y },
    }
}

fn deref<'a>(doc: &'a Document, o: &'a Object) -> &'a Object {
    match o {
        Object::Reference(id) => doc.get_object(*id).expect("reference resolves"),
        o => o,
    }
}

fn dict<'a>(doc: &'a Document, d: &'a Dictionary, key: &str) -> &'a Dictionary {
    deref(doc, d.get(key.as_bytes()).expect(key))
        .as_dict()
        .expect("a dictionary")
}

fn text(o: &Object) -> String {
    let Object::String(b, _) = o else {
        panic!("not a string: {o:?}")
    };
    if b.starts_with(&[0xfe, 0xff]) {
        let units: Vec<u16> = b[2..]
            .chunks(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        String::from_utf16(&units).expect("utf-16")
    } else {
        String::from_utf8(b.clone()).expect("ascii")
    }
}

fn floats(o: &Object) -> Vec<f32> {
    o.as_array()
        .expect("array")
        .iter()
        .map(|n| n.as_float().expect("number"))
        .collect()
}

fn normalise(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn write_sample(name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&path, bytes).expect("write sample");
    path
}

#[test]
fn structure_reads_back() {
    let bytes = pdf(&sample(0.0)).expect("writes");
    write_sample("sample.pdf", &bytes);
    let doc = Document::load_mem(&bytes).expect("lopdf parses it");
    let pages = doc.get_pages();
    assert_eq!(pages.len(), 3);
    let ids: Vec<_> = pages.values().copied().collect();
    let p0 = doc.get_dictionary(ids[0]).unwrap();
    assert_eq!(
        floats(p0.get(b"MediaBox").unwrap()),
        vec![0.0, 0.0, 432.0, 648.0]
    );
    assert_eq!(
        floats(p0.get(b"TrimBox").unwrap()),
        vec![0.0, 0.0, 432.0, 648.0]
    );
    assert!(p0.get(b"BleedBox").is_err());

    // Fonts: subset-tagged, embedded, with ToUnicode.
    let mut fonts = 0;
    for obj in doc.objects.values() {
        let Ok(d) = obj.as_dict() else { continue };
        if d.get(b"Subtype").and_then(Object::as_name).ok() != Some(b"Type0".as_slice()) {
            continue;
        }
        fonts += 1;
        let base =
            String::from_utf8(d.get(b"BaseFont").unwrap().as_name().unwrap().to_vec()).unwrap();
        let (tag, rest) = base.split_once('+').expect("subset tag");
        assert!(
            tag.len() == 6 && tag.chars().all(|c| c.is_ascii_uppercase()),
            "{base}"
        );
        assert!(rest.starts_with("EBGaramond-"), "{base}");
        assert!(d.get(b"ToUnicode").is_ok());
        let desc = deref(&doc, d.get(b"DescendantFonts").unwrap())
            .as_array()
            .unwrap();
        let cid = deref(&doc, &desc[0]).as_dict().unwrap();
        assert_eq!(
            cid.get(b"BaseFont").unwrap().as_name().unwrap(),
            base.as_bytes()
        );
        let fd = dict(&doc, cid, "FontDescriptor");
        assert_eq!(
            fd.get(b"FontName").unwrap().as_name().unwrap(),
            base.as_bytes()
        );
        assert!(fd.get(b"FontFile2").is_ok() || fd.get(b"FontFile3").is_ok());
    }
    assert_eq!(fonts, 2);

    // Catalog, Info, XMP.
    let catalog = doc.catalog().unwrap();
    assert_eq!(text(catalog.get(b"Lang").unwrap()), "en-GB");
    assert_eq!(
        catalog.get(b"PageMode").unwrap().as_name().unwrap(),
        b"UseOutlines"
    );
    let info = dict(&doc, &doc.trailer, "Info");
    assert_eq!(text(info.get(b"Title").unwrap()), "The Interview — a test");
    assert_eq!(
        text(info.get(b"Author").unwrap()),
        "Ann Author, Bea Bauthor"
    );
    assert_eq!(
        text(info.get(b"CreationDate").unwrap()),
        "D:20250102030405Z"
    );
    assert!(info.get(b"GTS_PDFXVersion").is_err());
    let xmp = deref(&doc, catalog.get(b"Metadata").unwrap())
        .as_stream()
        .unwrap();
    let xmp = String::from_utf8(xmp.content.clone()).unwrap();
    assert!(xmp.contains("The Interview — a test"), "{xmp}");
    assert!(xmp.contains("<rdf:li>Bea Bauthor</rdf:li>"));
    assert!(xmp.contains("<xmp:CreateDate>2025-01-02T03:04:05Z</xmp:CreateDate>"));
    let ident = doc.trailer.get(b"ID").unwrap().as_array().unwrap();
    assert_eq!(ident.len(), 2);

    // Page labels: i, 1, 2.
    let labels = dict(&doc, catalog, "PageLabels");
    let nums = labels.get(b"Nums").unwrap().as_array().unwrap();
    assert_eq!(nums.len(), 4);
    assert_eq!(nums[2].as_i64().unwrap(), 1);

    // Outline: two chapters, the first with two sections, in order.
    let outlines = dict(&doc, catalog, "Outlines");
    assert_eq!(outlines.get(b"Count").unwrap().as_i64().unwrap(), 4);
    let mut top = Vec::new();
    let mut next = outlines.get(b"First").ok().cloned();
    while let Some(o) = next {
        let d = deref(&doc, &o).as_dict().unwrap();
        let mut kids = Vec::new();
        let mut k = d.get(b"First").ok().cloned();
        while let Some(ko) = k {
            let kd = deref(&doc, &ko).as_dict().unwrap();
            kids.push(text(kd.get(b"Title").unwrap()));
            k = kd.get(b"Next").ok().cloned();
        }
        let dest = d.get(b"Dest").unwrap().as_array().unwrap();
        top.push((
            text(d.get(b"Title").unwrap()),
            kids,
            dest[0].as_reference().unwrap(),
        ));
        next = d.get(b"Next").ok().cloned();
    }
    assert_eq!(
        top.iter()
            .map(|t| (t.0.as_str(), t.1.clone()))
            .collect::<Vec<_>>(),
        vec![
            (
                "Chapter One",
                vec!["The first flight".to_string(), "Landing".to_string()]
            ),
            ("Chapter Two", vec![]),
        ]
    );
    assert_eq!(top[0].2, ids[1]);
    assert_eq!(top[1].2, ids[2]);

    // Links on page 1: GoTo page 3 without a border, and a URI.
    let annots = deref(&doc, p0.get(b"Annots").unwrap()).as_array().unwrap();
    assert_eq!(annots.len(), 2);
    let goto = deref(&doc, &annots[0]).as_dict().unwrap();
    assert_eq!(floats(goto.get(b"Border").unwrap()), vec![0.0, 0.0, 0.0]);
    let action = dict(&doc, goto, "A");
    assert_eq!(action.get(b"S").unwrap().as_name().unwrap(), b"GoTo");
    let d = action.get(b"D").unwrap().as_array().unwrap();
    assert_eq!(d[0].as_reference().unwrap(), ids[2]);
    assert_eq!(d[3].as_float().unwrap(), 648.0 - 72.0);
    let uri = dict(&doc, deref(&doc, &annots[1]).as_dict().unwrap(), "A");
    assert_eq!(text(uri.get(b"URI").unwrap()), "https://example.org/%C3%BC");
}

#[test]
fn bleed_grows_the_media_box() {
    let bytes = pdf(&sample(9.0)).expect("writes");
    write_sample("sample-bleed.pdf", &bytes);
    let doc = Document::load_mem(&bytes).unwrap();
    for id in doc.get_pages().values() {
        let p = doc.get_dictionary(*id).unwrap();
        assert_eq!(
            floats(p.get(b"MediaBox").unwrap()),
            vec![0.0, 0.0, 450.0, 666.0]
        );
        assert_eq!(
            floats(p.get(b"BleedBox").unwrap()),
            vec![0.0, 0.0, 450.0, 666.0]
        );
        assert_eq!(
            floats(p.get(b"TrimBox").unwrap()),
            vec![9.0, 9.0, 441.0, 657.0]
        );
    }
}

#[test]
fn same_input_same_bytes() {
    let a = pdf(&sample(0.0)).unwrap();
    let b = pdf(&sample(0.0)).unwrap();
    assert!(a == b, "two writes of the same pages differ");
    assert_ne!(a, pdf(&sample(9.0)).unwrap());
}

#[test]
fn text_extracts_with_lopdf() {
    let bytes = pdf(&sample(0.0)).unwrap();
    let doc = Document::load_mem(&bytes).unwrap();
    for (page, words) in [(1, LINE_1), (3, LINE_3)] {
        let got = doc.extract_text(&[page]).expect("extracts");
        assert_eq!(normalise(&got), words.join(" "), "page {page}");
    }
    // lopdf starts a new line at every text matrix, and page 2's raised last glyph has its
    // own; compare that page without whitespace (pdftotext checks its spacing below).
    let got = doc.extract_text(&[2]).expect("extracts");
    let squash = |s: &str| s.split_whitespace().collect::<String>();
    assert_eq!(squash(&got), squash(&LINE_2.join(" ")));
}

#[test]
fn text_extracts_with_pdftotext() {
    let bytes = pdf(&sample(0.0)).unwrap();
    let path = write_sample("sample-text.pdf", &bytes);
    let out = match Command::new("pdftotext").arg(&path).arg("-").output() {
        Ok(out) if out.status.success() => out,
        _ => {
            // CI installs poppler: there a missing tool is a failure, never a skip.
            assert!(
                std::env::var_os("CI").is_none(),
                "pdftotext (poppler-utils) is required in CI"
            );
            println!("note: pdftotext not available; skipping the poppler extraction check");
            return;
        }
    };
    let got = String::from_utf8(out.stdout).unwrap();
    let want = [LINE_1, LINE_2, LINE_3]
        .iter()
        .map(|l| l.join(" "))
        .collect::<Vec<_>>()
        .join(" ");
    assert_eq!(normalise(&got), want);
}

#[test]
fn bad_input_is_an_error() {
    let mut p = sample(0.0);
    p.outline.push(entry("Nowhere", 0, 7, 0.0));
    assert_eq!(pdf(&p), Err(folio::pdf::PdfError::NoSuchPage(7)));
    let mut p = sample(0.0);
    p.info.date = "tomorrow".to_string();
    assert!(matches!(pdf(&p), Err(folio::pdf::PdfError::BadDate(_))));
    assert_eq!(pdf(&Pages::default()), Err(folio::pdf::PdfError::NoPages));
}

/// The first page's content stream, decompressed.
fn first_content(bytes: &[u8]) -> String {
    let doc = Document::load_mem(bytes).unwrap();
    let page = *doc.get_pages().get(&1).unwrap();
    String::from_utf8_lossy(&doc.get_page_content(page)).into_owned()
}

#[test]
fn a_group_that_moves_its_items_writes_them_where_they_land() {
    use folio::typeset::frame::{Group, Transform};
    use std::sync::Arc;
    // A run placed directly, and the same run at the origin inside a group moved there:
    // the same content stream (a move is folded into the coordinates, no `cm`).
    let direct = sample(0.0);
    let mut grouped = sample(0.0);
    let Item::Glyphs(run) = grouped.pages[0].items[0].clone() else {
        panic!("the sample's first item is a glyph run")
    };
    let (dx, dy) = (run.origin.x, run.origin.y);
    let at_origin = GlyphRun {
        origin: Point { x: 0.0, y: 0.0 },
        ..run
    };
    grouped.pages[0].items[0] = Item::Group(Group {
        transform: Transform::translate(dx, dy),
        clip: None,
        items: Arc::new(vec![Item::Glyphs(at_origin)]),
    });
    let a = first_content(&pdf(&direct).unwrap());
    let b = first_content(&pdf(&grouped).unwrap());
    assert_eq!(a, b);
    assert!(!b.contains(" cm"));
}

#[test]
fn a_turned_and_clipped_group_is_a_cm_and_a_clip_and_its_text_still_extracts() {
    use folio::typeset::frame::{Group, Transform};
    use std::sync::Arc;
    let mut p = sample(0.0);
    let inner: Vec<Item> = std::mem::take(&mut p.pages[0].items);
    // A quarter turn about the page's centre, clipped to the text's box: what a cover's
    // spine or an imposed page needs.
    let turn = Transform {
        a: 0.0,
        b: 1.0,
        c: -1.0,
        d: 0.0,
        e: 432.0,
        f: 0.0,
    };
    p.pages[0].items = vec![Item::Group(Group {
        transform: turn,
        clip: Some(Rect {
            x: 0.0,
            y: 0.0,
            width: 432.0,
            height: 300.0,
        }),
        items: Arc::new(inner),
    })];
    let bytes = pdf(&p).unwrap();
    let content = first_content(&bytes);
    assert!(content.starts_with("q\n0 -1 1 0 432 648 cm\n"), "{content}");
    assert!(
        content.contains("re\nW n\n") && content.contains("Q\n"),
        "{content}"
    );
    let doc = Document::load_mem(&bytes).unwrap();
    let got = doc.extract_text(&[1]).expect("extracts");
    assert_eq!(normalise(&got), LINE_1.join(" "));
}
