//! The print edition and covers (issue 11), read back from the files: page boxes, the
//! imposed order (each sheet half's text against the page it should show), padding, creep,
//! the spine, the barcode, the EPUB's generated cover, determinism.

use folio::build::{Options, build};
use folio::project::Project;
use folio::settings::{Binding, Impose, PrintOverrides, PrintSettings};
use lopdf::{Document, Object};
use std::path::{Path, PathBuf};
use std::process::Command;

const PT_PER_MM: f32 = 72.0 / 25.4;

fn temp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("folio-print-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A small two-piece book with `toml` appended to its book.toml.
fn book(dir: &Path, toml: &str) -> PathBuf {
    let b = dir.join("book");
    std::fs::create_dir_all(&b).unwrap();
    std::fs::write(
        b.join("book.toml"),
        format!(
            "title = \"Print Run\"\nlang = \"en\"\npublisher = \"Small Press\"\ndate = \"2026-11-30\"\nidentifier = \"978-0-306-40615-7\"\ndescription = \"A booklet to test the print edition: covers, sheets and marks.\"\n[[editor]]\nname = \"Jane Doe\"\n{toml}"
        ),
    )
    .unwrap();
    let long = "The festival opened in the rain, and nobody minded: the films were the point, and the conversations afterwards went on until the cafés closed. ".repeat(14);
    for (file, title) in [("01-a.md", "Opening Night"), ("02-b.md", "Closing Night")] {
        std::fs::write(
            b.join(file),
            format!("---\ntitle: {title}\nauthor: Ann Writer\n---\n\n{long}\n\n{long}\n\n{long}\n"),
        )
        .unwrap();
    }
    b
}

fn run(book: &Path, out: &Path, print: PrintOverrides) -> Vec<PathBuf> {
    let project = Project::open(book).unwrap();
    build(
        &project,
        &Options {
            out_dir: out.to_path_buf(),
            pdf: true,
            epub: true,
            print,
            pdf_standard: None,
        },
        &mut |_| {},
    )
    .unwrap()
    .outputs
}

fn output(outputs: &[PathBuf], suffix: &str) -> PathBuf {
    outputs
        .iter()
        .find(|p| p.to_string_lossy().ends_with(suffix))
        .unwrap_or_else(|| panic!("no {suffix} in {outputs:?}"))
        .clone()
}

fn load(path: &Path) -> Document {
    Document::load_mem(&std::fs::read(path).unwrap()).unwrap()
}

fn page_box(doc: &Document, page: lopdf::ObjectId, name: &[u8]) -> Option<[f32; 4]> {
    let a = doc.get_dictionary(page).unwrap().get(name).ok()?;
    let v: Vec<f32> = a
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o.as_float().unwrap())
        .collect();
    Some([v[0], v[1], v[2], v[3]])
}

fn size(b: [f32; 4]) -> (f32, f32) {
    (b[2] - b[0], b[3] - b[1])
}

fn close(a: f32, b: f32) -> bool {
    (a - b).abs() < 0.05
}

#[test]
fn one_book_toml_gives_the_screen_pdf_the_print_pdf_and_the_booklet() {
    let dir = temp("boxes");
    let b = book(&dir, "[print]\nbleed = \"3mm\"\ncrop-marks = true\n");
    let out = run(&b, &dir.join("out"), PrintOverrides::default());
    let (a5w, a5h) = (148.0 * PT_PER_MM, 210.0 * PT_PER_MM);
    let bleed = 3.0 * PT_PER_MM;

    let screen = load(&output(&out, "run.pdf"));
    for (_, id) in screen.get_pages() {
        let media = page_box(&screen, id, b"MediaBox").unwrap();
        assert_eq!(Some(media), page_box(&screen, id, b"TrimBox"));
        assert!(page_box(&screen, id, b"BleedBox").is_none());
    }

    let print = load(&output(&out, "-print.pdf"));
    let n = print.get_pages().len();
    assert_eq!(n % 4, 0, "a saddle-stitched booklet has whole sheets");
    assert_eq!(
        n,
        screen.get_pages().len() + 4 + folio_padding(screen.get_pages().len())
    );
    for (_, id) in print.get_pages() {
        let trim = page_box(&print, id, b"TrimBox").unwrap();
        let bl = page_box(&print, id, b"BleedBox").unwrap();
        let media = page_box(&print, id, b"MediaBox").unwrap();
        let (w, h) = size(trim);
        assert!(close(w, a5w) && close(h, a5h), "A5 trim: {trim:?}");
        assert!(close(trim[0] - bl[0], bleed) && close(bl[3] - trim[3], bleed));
        assert!(
            bl[0] - media[0] >= 10.0,
            "room for the marks: {media:?} {bl:?}"
        );
    }

    let booklet = load(&output(&out, "-booklet.pdf"));
    assert_eq!(
        booklet.get_pages().len(),
        n / 2,
        "two sides per sheet, two pages a side"
    );
    for (_, id) in booklet.get_pages() {
        let (w, h) = size(page_box(&booklet, id, b"TrimBox").unwrap());
        assert!(close(w, 2.0 * a5w) && close(h, a5h), "{w} × {h}");
    }
}

/// Blank pages a book of `n` typeset pages gets with covers (front, inside, inside, back).
fn folio_padding(n: usize) -> usize {
    (4 - (n + 4) % 4) % 4
}

#[test]
fn command_line_flags_make_the_print_edition_of_a_book_without_print() {
    let dir = temp("flags");
    let b = book(&dir, "");
    let out = dir.join("out");
    let o = Command::new(env!("CARGO_BIN_EXE_folio"))
        .args([
            "build",
            "--impose",
            "saddle",
            "--bleed",
            "3mm",
            "--crop-marks",
            "--out",
        ])
        .arg(&out)
        .arg(&b)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for f in [
        "print-run.pdf",
        "print-run-print.pdf",
        "print-run-booklet.pdf",
        "print-run.epub",
    ] {
        assert!(out.join(f).exists(), "{f}");
    }
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("Print edition:"), "{err}");
    // Without flags or [print], no print edition.
    let plain = dir.join("plain");
    let o = Command::new(env!("CARGO_BIN_EXE_folio"))
        .args(["build", "--out"])
        .arg(&plain)
        .arg(&b)
        .output()
        .unwrap();
    assert!(o.status.success());
    assert!(!plain.join("print-run-print.pdf").exists());
    // A bad flag is a usage error naming the value.
    let o = Command::new(env!("CARGO_BIN_EXE_folio"))
        .args(["build", "--bleed", "3"])
        .arg(&b)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not a length"));
}

/// Poppler's text of a region of page `n` (1-based) in pt, or the whole page.
fn text(pdf: &Path, n: usize, region: Option<[f32; 4]>) -> String {
    let n = n.to_string();
    let mut c = Command::new("pdftotext");
    c.args(["-f", &n, "-l", &n]);
    if let Some([x, y, w, h]) = region {
        for (flag, v) in [("-x", x), ("-y", y), ("-W", w), ("-H", h)] {
            c.arg(flag).arg((v.round() as i64).to_string());
        }
    }
    let o = c
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is needed");
    assert!(o.status.success());
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The words of a text, sorted: poppler may read a table's columns in another order when
/// it sees only part of a sheet, but the words are the page's.
fn words(s: &str) -> Vec<String> {
    let mut w: Vec<String> = s.split_whitespace().map(str::to_string).collect();
    w.sort();
    w
}

#[test]
fn every_half_sheet_of_the_festival_booklet_shows_the_page_saddle_order_puts_there() {
    let dir = temp("halves");
    let out = run(
        Path::new("tests/fixtures/festival"),
        &dir.join("out"),
        PrintOverrides {
            print: true,
            ..PrintOverrides::default()
        },
    );
    let print = output(&out, "-print.pdf");
    let booklet = output(&out, "-booklet.pdf");
    let doc = load(&booklet);
    let n = load(&print).get_pages().len();
    let order = folio::print::impose::saddle_order(n);
    assert_eq!(doc.get_pages().len(), order.len());
    let first = doc.get_pages()[&1];
    let media = page_box(&doc, first, b"MediaBox").unwrap();
    let trim = page_box(&doc, first, b"TrimBox").unwrap();
    let (w, h) = (size(trim).0 / 2.0, size(trim).1);
    // Poppler's crop region is measured from the media box's top-left corner.
    let (left, top) = (trim[0] - media[0], media[3] - trim[3]);
    let pdoc = load(&print);
    let pfirst = pdoc.get_pages()[&1];
    let (pmedia, ptrim) = (
        page_box(&pdoc, pfirst, b"MediaBox").unwrap(),
        page_box(&pdoc, pfirst, b"TrimBox").unwrap(),
    );
    let (pl, pt) = (ptrim[0] - pmedia[0], pmedia[3] - ptrim[3]);
    let mut checked = 0;
    for (k, [l, r]) in order.iter().enumerate() {
        for (half, page) in [(0.0, l), (1.0, r)] {
            let got = words(&text(&booklet, k + 1, Some([left + half * w, top, w, h])));
            // The print page's trim only: its slug line (outside the trim) is the page's, the
            // sheet has its own.
            let want = words(&text(&print, page + 1, Some([pl, pt, w, h])));
            assert_eq!(
                got,
                want,
                "sheet side {} half {half}: page {}",
                k + 1,
                page + 1
            );
            checked += usize::from(!want.is_empty());
        }
    }
    assert!(checked > n / 2, "most pages have text: {checked} of {n}");
}

#[test]
fn saddle_order_and_padding_hold_for_1_to_64_pages() {
    use folio::print::{Slot, impose::saddle_order, sequence};
    for pages in 1..=64usize {
        for covers in [false, true] {
            let slots = sequence(pages, covers, Binding::Saddle);
            let n = slots.len();
            assert_eq!(n % 4, 0, "{pages} pages");
            assert!(
                n - pages - 4 * usize::from(covers) < 4,
                "at most 3 blanks added"
            );
            // The book's pages in order, contiguous: no blank inside a piece.
            let first = slots.iter().position(|s| *s == Slot::Page(0)).unwrap();
            for i in 0..pages {
                assert_eq!(slots[first + i], Slot::Page(i));
            }
            if covers {
                assert_eq!((slots[0], slots[n - 1]), (Slot::Front, Slot::Back));
            }
            // Each page on exactly one half of one side; the halves of a side face each
            // other across the fold (1-based numbers add up to n + 1).
            let order = saddle_order(n);
            assert_eq!(order.len(), n / 2);
            let mut seen = vec![0; n];
            for (k, [l, r]) in order.iter().enumerate() {
                seen[*l] += 1;
                seen[*r] += 1;
                assert_eq!(l + r + 2, n + 1, "side {k}");
                // The front of sheet i holds page 2i+1 on the right, its back 2i+2 on the left.
                let i = k / 2;
                if k % 2 == 0 {
                    assert_eq!(*r, 2 * i);
                } else {
                    assert_eq!(*l, 2 * i + 1);
                }
            }
            assert!(seen.iter().all(|&c| c == 1));
        }
    }
}

#[test]
fn creep_moves_the_pages_of_inner_sheets_towards_the_fold() {
    use folio::typeset::frame::{Item, Page, Point};
    let page = |i: usize| Page {
        width: 400.0,
        height: 600.0,
        items: vec![Item::Rule {
            from: Point {
                x: 0.0,
                y: i as f32,
            },
            to: Point {
                x: 10.0,
                y: i as f32,
            },
            thickness: 1.0,
        }],
        ..Page::default()
    };
    let pages: Vec<Page> = (0..16).map(page).collect();
    // Positive creep is the compensation (towards the fold); negative moves pages out.
    for creep in [0.2 * PT_PER_MM, -0.1 * PT_PER_MM] {
        let s = PrintSettings {
            creep,
            impose: Impose::Saddle,
            ..PrintSettings::default()
        };
        let sheets =
            folio::print::impose::impose(&pages, &s, true, &mut |_| vec![], &|_| String::new());
        assert_eq!(sheets.len(), 8);
        for (k, side) in sheets.iter().enumerate() {
            let shift = (k / 2) as f32 * creep;
            // Each page is a group, after a tag naming which page of the book it is.
            let dx: Vec<f32> = side
                .items
                .iter()
                .filter(|i| !matches!(i, Item::Tag(_)))
                .map(|i| match i {
                    Item::Group(g) => g.transform.e,
                    _ => panic!("a sheet shows its pages as groups"),
                })
                .collect();
            assert!(
                close(dx[0], shift),
                "side {k}: the left page moves right by {shift}: {dx:?}"
            );
            assert!(
                close(dx[1], 400.0 - shift),
                "side {k}: the right page moves left: {dx:?}"
            );
        }
    }
}

#[test]
fn the_spine_grows_with_the_page_count_and_the_paper() {
    let mut s = PrintSettings::default();
    // 0.1 mm paper: 100 pages are 50 leaves, 5 mm.
    assert!(close(s.spine(100), 5.0 * PT_PER_MM));
    assert!(
        close(s.spine(101), 5.1 * PT_PER_MM),
        "an odd page still takes a leaf"
    );
    // 444 pages per inch: 200 pages are 200/444 in.
    s.paper_thickness = 2.0 * 72.0 / 444.0;
    assert!(close(s.spine(200), 200.0 / 444.0 * 72.0));

    // A perfect-bound book gets a wrap cover as wide as both panels and the spine.
    let dir = temp("wrap");
    let b = book(&dir, "[print]\nbinding = \"perfect\"\npaper-ppi = 444\n");
    let out = run(&b, &dir.join("out"), PrintOverrides::default());
    assert!(
        !out.iter()
            .any(|p| p.to_string_lossy().ends_with("-booklet.pdf"))
    );
    let pages = load(&output(&out, "-print.pdf")).get_pages().len();
    assert_eq!(pages % 2, 0, "whole leaves");
    let cover = load(&output(&out, "-cover.pdf"));
    let id = cover.get_pages()[&1];
    let (w, h) = size(page_box(&cover, id, b"TrimBox").unwrap());
    let spine = pages as f32 / 444.0 * 72.0;
    assert!(
        close(w, 2.0 * 148.0 * PT_PER_MM + spine),
        "{w} for {pages} pages"
    );
    assert!(close(h, 210.0 * PT_PER_MM));
    let bl = page_box(&cover, id, b"BleedBox").unwrap();
    assert!(
        close(size(bl).0 - w, 6.0 * PT_PER_MM),
        "3 mm bleed on every side"
    );
}

/// The strokes of a content stream: (line width, x0, y0, x1, y1).
fn strokes(doc: &Document, page: lopdf::ObjectId) -> Vec<(f32, f32, f32, f32, f32)> {
    let content = doc.get_and_decode_page_content(page).unwrap();
    let mut out = Vec::new();
    let (mut width, mut from, mut to) = (1.0, (0.0, 0.0), (0.0, 0.0));
    let num = |o: &Object| o.as_float().unwrap();
    for op in content.operations {
        match op.operator.as_str() {
            "w" => width = num(&op.operands[0]),
            "m" => from = (num(&op.operands[0]), num(&op.operands[1])),
            "l" => to = (num(&op.operands[0]), num(&op.operands[1])),
            "S" => out.push((width, from.0, from.1, to.0, to.1)),
            _ => {}
        }
    }
    out
}

/// Bars (vertical strokes whose top is at `top`) → modules, from the leftmost bar's edge.
fn modules(bars: &[(f32, f32)], module: f32) -> Vec<bool> {
    let x0 = bars[0].0 - bars[0].1 / 2.0;
    let mut out = Vec::new();
    for &(cx, w) in bars {
        let start = ((cx - w / 2.0 - x0) / module).round() as usize;
        let len = (w / module).round() as usize;
        out.resize(start, false);
        out.extend(std::iter::repeat_n(true, len));
    }
    out
}

#[test]
fn the_back_cover_barcode_decodes_to_the_isbn_and_the_price() {
    let dir = temp("barcode");
    let b = book(&dir, "[print]\nprice = \"51495\"\n");
    let out = run(&b, &dir.join("out"), PrintOverrides::default());
    let doc = load(&output(&out, "-print.pdf"));
    let pages = doc.get_pages();
    let back = pages[&(pages.len() as u32)];
    // Vertical black strokes thicker than a hairline are bars; grouped by their top.
    let mut bars: Vec<(f32, f32, f32)> = strokes(&doc, back)
        .into_iter()
        .filter(|s| close(s.1, s.3) && s.0 > 0.5)
        .map(|(w, x, y0, _, y1)| (x, w, y0.max(y1)))
        .collect();
    bars.sort_by(|a, b| a.0.total_cmp(&b.0));
    assert!(!bars.is_empty(), "the back cover has a barcode");
    let module = bars.iter().map(|b| b.1).fold(f32::INFINITY, f32::min);
    let top = bars.iter().map(|b| b.2).fold(f32::NEG_INFINITY, f32::max);
    let main: Vec<(f32, f32)> = bars
        .iter()
        .filter(|b| close(b.2, top))
        .map(|b| (b.0, b.1))
        .collect();
    let addon: Vec<(f32, f32)> = bars
        .iter()
        .filter(|b| !close(b.2, top))
        .map(|b| (b.0, b.1))
        .collect();
    let mut m = modules(&main, module);
    m.resize(95, false);
    assert_eq!(
        folio::isbn::ean13_decode(&m).as_deref(),
        Some("9780306406157")
    );
    let mut a = modules(&addon, module);
    a.resize(47, false);
    assert_eq!(folio::isbn::ean5_decode(&a).as_deref(), Some("51495"));
    // Text and bars are plain black: no colour operator but the marks' registration colour.
    let content = String::from_utf8_lossy(&doc.get_page_content(back)).into_owned();
    for op in [" rg\n", " RG\n", " k\n", " K\n"] {
        assert!(!content.contains(op), "no {op:?} in {content}");
    }
}

#[test]
fn an_epub_without_a_cover_image_gets_folios_own_cover_at_1600_by_2560() {
    let dir = temp("cover");
    let b = book(&dir, "");
    let out = run(&b, &dir.join("out"), PrintOverrides::default());
    let epub = std::fs::read(output(&out, ".epub")).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(epub)).unwrap();
    let mut png = Vec::new();
    std::io::Read::read_to_end(
        &mut zip.by_name("OEBPS/images/cover.png").unwrap(),
        &mut png,
    )
    .unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let w = u32::from_be_bytes(png[16..20].try_into().unwrap());
    let h = u32::from_be_bytes(png[20..24].try_into().unwrap());
    assert_eq!((w, h), (1600, 2560));
    let mut opf = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("OEBPS/content.opf").unwrap(), &mut opf)
        .unwrap();
    assert!(
        opf.contains("href=\"images/cover.png\"") && opf.contains("properties=\"cover-image\""),
        "{opf}"
    );
    assert!(
        opf.contains("<meta name=\"cover\""),
        "older readers find it too: {opf}"
    );
    // Not blank: the title's ink is there.
    assert!(png.len() > 10_000, "{} bytes", png.len());
}

#[test]
fn the_print_edition_is_byte_identical_when_nothing_changed() {
    let dir = temp("same");
    let b = book(&dir, "[print]\nslug = true\nregistration-marks = true\n");
    let first: Vec<Vec<u8>> = run(&b, &dir.join("a"), PrintOverrides::default())
        .iter()
        .map(|p| std::fs::read(p).unwrap())
        .collect();
    let second: Vec<Vec<u8>> = run(&b, &dir.join("b"), PrintOverrides::default())
        .iter()
        .map(|p| std::fs::read(p).unwrap())
        .collect();
    assert_eq!(first.len(), second.len());
    for (a, b) in first.iter().zip(&second) {
        assert!(a == b, "an output differs");
    }
}

#[test]
fn a_named_press_sheet_centres_the_spread_and_a_small_one_is_refused() {
    let dir = temp("sheet");
    let b = book(
        &dir,
        "[print]\nsheet = \"sra3\"\n[pdf]\npage-size = \"a4\"\n",
    );
    let out = run(&b, &dir.join("out"), PrintOverrides::default());
    let doc = load(&output(&out, "-booklet.pdf"));
    let id = doc.get_pages()[&1];
    let media = page_box(&doc, id, b"MediaBox").unwrap();
    let trim = page_box(&doc, id, b"TrimBox").unwrap();
    assert!(close(size(media).0, 450.0 * PT_PER_MM) && close(size(media).1, 320.0 * PT_PER_MM));
    assert!(close(size(trim).0, 420.0 * PT_PER_MM));
    assert!(
        close(trim[0] - media[0], media[2] - trim[2]),
        "centred: {media:?} {trim:?}"
    );

    let small = temp("sheet-small");
    let b = book(
        &small,
        "[print]\nsheet = \"a4\"\n[pdf]\npage-size = \"a4\"\n",
    );
    let project = Project::open(&b).unwrap();
    let err = folio::markdown::load(&project).unwrap_err();
    let msg = format!("{err:?}");
    assert!(msg.contains("do not fit on the a4 press sheet"), "{msg}");
}

/// A one-piece book with a `{.bleed}` photograph after seven paragraphs.
fn bleed_book(dir: &Path) -> PathBuf {
    let b = dir.join("book");
    std::fs::create_dir_all(b.join("images")).unwrap();
    std::fs::copy(
        "tests/fixtures/festival/images/plaza-screen.jpg",
        b.join("images/plaza-screen.jpg"),
    )
    .unwrap();
    let para = "The projector hums in the dark while the village watches the screen, and the children in the front row lean forward every time the music changes. ".repeat(5);
    let before = [para.as_str(); 7].join("\n\n");
    let after = [para.as_str(); 12].join("\n\n");
    std::fs::write(
        b.join("01.md"),
        format!("---\ntitle: Night Screenings\n---\n\n{before}\n\n![A square at night.](images/plaza-screen.jpg \"The fourth night, in a square beside the lake.\"){{.bleed}}\n\n{after}\n"),
    )
    .unwrap();
    b
}

#[test]
fn a_bleed_figure_covers_its_own_page_and_reaches_into_the_print_bleed() {
    use folio::typeset::frame::{Item, Rect};
    let dir = temp("bleed-figure");
    let b = bleed_book(&dir);
    let project = Project::open(&b).unwrap();
    let book = folio::markdown::load(&project).unwrap().book;
    let pages = folio::build::typeset_book(&book, &project, 0)
        .unwrap()
        .1
        .pages;
    let mut full = Vec::new();
    for (i, page) in pages.pages.iter().enumerate() {
        let w = page.width;
        page.walk(&mut |item, at| {
            if let Item::Image { rect, .. } = item {
                let r: Rect = at.apply_rect(*rect);
                if r.x < 0.0 && r.y < 0.0 && r.x + r.width > w {
                    full.push(i);
                }
            }
        });
    }
    assert_eq!(full.len(), 1, "one full-page figure: {full:?}");
    let page = &pages.pages[full[0]];
    assert!(
        page.furniture.is_empty(),
        "no running head or folio on a full-page picture"
    );
    let glyph_text = |page: &folio::typeset::frame::Page| -> Vec<(f32, String)> {
        folio::typeset::frame::flatten(&page.items)
            .iter()
            .filter_map(|i| match i {
                Item::Glyphs(r) => Some((
                    r.origin.y,
                    r.glyphs
                        .iter()
                        .map(|g| g.text.to_string())
                        .collect::<String>(),
                )),
                _ => None,
            })
            .collect()
    };
    // Its caption is on its page, under the picture.
    let text: String = glyph_text(page).into_iter().map(|t| t.1).collect();
    assert!(text.contains("The fourth night"), "{text}");
    // The text after it fills the page before it: no hole where the picture was.
    let before = &pages.pages[full[0] - 1];
    let last = glyph_text(before).iter().map(|t| t.0).fold(0.0, f32::max);
    let bottom = 17.0 * PT_PER_MM + 35.0 * 13.5;
    assert!(
        bottom - last < 2.0 * 13.5,
        "the page before ends {} pt short: {:?}",
        bottom - last,
        glyph_text(before).iter().map(|t| t.0).collect::<Vec<_>>()
    );

    // In the print edition the page is clipped at its 3 mm bleed, not at the trim.
    let out = run(
        &b,
        &dir.join("out"),
        PrintOverrides {
            print: true,
            ..PrintOverrides::default()
        },
    );
    let doc = load(&output(&out, "-print.pdf"));
    // Two cover pages come first in the print order.
    let id = doc.get_pages()[&(full[0] as u32 + 3)];
    let content = String::from_utf8_lossy(&doc.get_page_content(id)).into_owned();
    let bleed = 3.0 * PT_PER_MM;
    let r = |v: f32| (v * 1000.0).round() / 1000.0;
    let clip = format!(
        "{} {} re\nW n",
        r(page.width + 2.0 * bleed),
        r(page.height + 2.0 * bleed)
    );
    assert!(
        content.contains(&clip) && content.contains(&format!("{} ", r(-bleed))),
        "clipped at the bleed box ({clip}): {}",
        &content[..content.len().min(400)]
    );
}

/// A book of [`book`] with a 48-pixel figure printed across the measure (under 20 dpi).
fn small_figure_book(dir: &Path, toml: &str) -> PathBuf {
    let b = book(dir, toml);
    std::fs::create_dir_all(b.join("images")).unwrap();
    std::fs::copy(
        "tests/fixtures/images/gradient.jpg",
        b.join("images/small.jpg"),
    )
    .unwrap();
    let piece = std::fs::read_to_string(b.join("02-b.md")).unwrap();
    std::fs::write(
        b.join("02-b.md"),
        format!("{piece}\n![A gradient.](images/small.jpg \"Small.\"){{width=100%}}\n"),
    )
    .unwrap();
    b
}

/// The warnings of a PDF-only build of `b`.
fn pdf_warnings(b: &Path, out: &Path) -> Vec<folio::diag::Diagnostic> {
    let report = build(
        &Project::open(b).unwrap(),
        &Options {
            out_dir: out.to_path_buf(),
            pdf: true,
            epub: false,
            print: PrintOverrides::default(),
            pdf_standard: None,
        },
        &mut |_| {},
    )
    .unwrap();
    report.warnings
}

#[test]
fn a_figure_below_250_dpi_in_print_is_a_located_warning() {
    let dir = temp("dpi");
    let b = small_figure_book(&dir, "[print]\n");
    let warnings = pdf_warnings(&b, &dir.join("out"));
    let w = warnings
        .iter()
        .find(|d| d.message.contains("dpi"))
        .unwrap_or_else(|| panic!("no dpi warning: {warnings:?}"));
    let text = format!("{w:?}");
    assert!(
        text.contains("images/small.jpg") && text.contains("02-b.md"),
        "{text}"
    );
    // The screen edition alone says nothing about print resolution.
    let plain = temp("dpi-screen");
    let b = small_figure_book(&plain, "");
    let warnings = pdf_warnings(&b, &plain.join("out"));
    assert!(!warnings.iter().any(|d| d.message.contains("dpi")));
}

/// `keys` added at the top of the book's book.toml (before its tables).
fn top_keys(b: &Path, keys: &str) {
    let path = b.join("book.toml");
    let toml = std::fs::read_to_string(&path).unwrap();
    std::fs::write(path, format!("{keys}{toml}")).unwrap();
}

/// A book with a supplied cover picture, `toml` added to its `[print]` table.
fn covered_book(dir: &Path, print: &str) -> PathBuf {
    let b = book(dir, &format!("[print]\n{print}"));
    top_keys(
        &b,
        "cover = \"images/plaza-screen.jpg\"\nseries = { name = \"Field Notes\", position = 2 }\n",
    );
    std::fs::create_dir_all(b.join("images")).unwrap();
    std::fs::copy(
        "tests/fixtures/festival/images/plaza-screen.jpg",
        b.join("images/plaza-screen.jpg"),
    )
    .unwrap();
    b
}

/// The images page `n` (0-based) of `doc` draws, as rectangles in PDF space: the unit
/// square through the current matrix (`cm`s composed, `q`/`Q` kept) at each `Do`.
fn image_rects(doc: &Document, n: usize) -> Vec<[f32; 4]> {
    let page = *doc.get_pages().values().nth(n).unwrap();
    let content = doc.get_and_decode_page_content(page).unwrap();
    let mut out = Vec::new();
    let mut m = [1.0f32, 0.0, 0.0, 1.0, 0.0, 0.0];
    let mut stack = Vec::new();
    let num = |o: &lopdf::Object| o.as_float().unwrap_or(0.0);
    for op in content.operations {
        match op.operator.as_str() {
            "q" => stack.push(m),
            "Q" => m = stack.pop().unwrap_or(m),
            "cm" if op.operands.len() == 6 => {
                let c: Vec<f32> = op.operands.iter().map(num).collect();
                // The new matrix is c × m (PDF's row-vector convention).
                m = [
                    c[0] * m[0] + c[1] * m[2],
                    c[0] * m[1] + c[1] * m[3],
                    c[2] * m[0] + c[3] * m[2],
                    c[2] * m[1] + c[3] * m[3],
                    c[4] * m[0] + c[5] * m[2] + m[4],
                    c[4] * m[1] + c[5] * m[3] + m[5],
                ];
            }
            "Do" => {
                let (x0, x1) = (m[4].min(m[4] + m[0]), m[4].max(m[4] + m[0]));
                let (y0, y1) = (m[5].min(m[5] + m[3]), m[5].max(m[5] + m[3]));
                out.push([x0, y0, x1 - x0, y1 - y0]);
            }
            _ => {}
        }
    }
    out
}

#[test]
fn a_supplied_cover_is_the_whole_front_cover_bleed_included_and_says_its_resolution() {
    // Issue 21: the supplied picture was framed small inside a typographic cover, with the
    // title printed twice; it is the front cover now, over the trim and the bleed, scaled
    // to cover (never distorted), the title over it only when asked, and a picture too
    // small for print is a warning, as for figures.
    let dir = temp("supplied-cover");
    let b = covered_book(&dir, "bleed = \"3mm\"\n");
    let out = run(&b, &dir.join("out"), PrintOverrides::default());
    let print = output(&out, "-print.pdf");
    let doc = load(&print);
    let front = *doc.get_pages().values().next().unwrap();
    let trim = page_box(&doc, front, b"TrimBox").unwrap();
    let bleed = page_box(&doc, front, b"BleedBox").unwrap();
    let rects = image_rects(&doc, 0);
    assert_eq!(rects.len(), 1, "{rects:?}");
    let [x, y, w, h] = rects[0];
    assert!(
        x <= bleed[0] + 0.1 && y <= bleed[1] + 0.1,
        "{rects:?} {bleed:?}"
    );
    assert!(
        x + w >= bleed[2] - 0.1 && y + h >= bleed[3] - 0.1,
        "{rects:?} {bleed:?}"
    );
    let (pw, ph) = (1800.0f32, 1200.0f32); // plaza-screen.jpg's pixels
    assert!(
        ((w / h) - (pw / ph)).abs() < 0.01,
        "not distorted: {w} × {h}"
    );
    assert!(trim[0] > bleed[0]);
    assert_eq!(
        text(&print, 1, None).trim(),
        "",
        "no lettering over the picture"
    );
    let report = pdf_warnings(&b, &dir.join("out2"));
    assert!(
        report.iter().any(|d| d
            .message
            .contains("the cover `images/plaza-screen.jpg` prints at")),
        "{report:?}"
    );
    // Asked for: the title and the names over the picture, on a panel.
    let b = covered_book(&temp("supplied-cover-text"), "cover-text = true\n");
    let out = run(
        &b,
        &b.parent().unwrap().join("out"),
        PrintOverrides::default(),
    );
    let front = text(&output(&out, "-print.pdf"), 1, None);
    assert!(front.contains("Print Run"), "{front}");
    assert!(front.to_lowercase().contains("field notes"), "{front}");
}

#[test]
fn the_back_cover_uses_its_space_and_the_drawn_epub_cover_is_rgb_on_a_ground() {
    // Issue 21: the back cover held a small description and the barcode, the rest empty;
    // the drawn EPUB cover was a grey PNG on white, which vanishes on a white store page,
    // without the series' number.
    let dir = temp("back-cover");
    let b = book(&dir, "[print]\n");
    top_keys(&b, "series = { name = \"Field Notes\", position = 2 }\n");
    let out = run(&b, &dir.join("out"), PrintOverrides::default());
    let print = output(&out, "-print.pdf");
    let pages = load(&print).get_pages().len();
    let back = text(&print, pages, None);
    for part in [
        "A booklet to test the print edition",
        "field notes, 2",
        "in this booklet",
        "Opening Night",
        "Closing Night",
    ] {
        assert!(
            back.to_lowercase().contains(&part.to_lowercase()),
            "{part:?} in {back}"
        );
    }
    let epub = std::fs::read(output(&out, ".epub")).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(epub)).unwrap();
    let mut png = Vec::new();
    std::io::Read::read_to_end(
        &mut zip.by_name("OEBPS/images/cover.png").unwrap(),
        &mut png,
    )
    .unwrap();
    assert_eq!(png[25], 2, "colour type 2: RGB");
    // The first row is the ground (filtered "Up" from zeros: the samples themselves).
    let mut rows = Vec::new();
    let idat = png.windows(4).position(|w| w == b"IDAT").unwrap();
    let len = u32::from_be_bytes(png[idat - 4..idat].try_into().unwrap()) as usize;
    std::io::Read::read_to_end(
        &mut flate2::read::ZlibDecoder::new(&png[idat + 4..idat + 4 + len]),
        &mut rows,
    )
    .unwrap();
    assert!(
        rows[1] < 250,
        "a ground that is not white paper: {}",
        rows[1]
    );
    assert_eq!(rows[1], rows[2]);
}
