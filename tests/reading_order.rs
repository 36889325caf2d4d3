//! Both outputs read one resolved book: the text of the PDF's structure tree in order
//! (artifacts excluded) and the text of the EPUB's spine in order are the same words in the
//! same order, for every fixture, in the screen PDF, the print edition and the booklet.
//!
//! The PDF side is read from the file alone, as a reader would (lopdf for the objects, the
//! fonts' ToUnicode maps for the glyphs, `/ActualText` where a marked-content sequence has
//! one): the structure tree from `StructTreeRoot`, each marked-content reference's text from
//! its page's content stream. The EPUB side is the spine's documents parsed as XML.
//!
//! What each side has that the other cannot: the PDF's printed contents (the `TOC`, whose
//! page numbers an e-book has none of; the EPUB's navigation document, outside the spine,
//! takes its place, and the entries are checked against it separately), the numbers of
//! numbered lists (the EPUB's `ol` counts them itself), and the EPUB's cover page (the PDF
//! edition has none; the print edition's covers are artifacts). A word is a run of letters
//! and digits; punctuation (a list's bullet, a byline's middle dot) is not compared.

use lopdf::{Dictionary, Document, Object, ObjectId};
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

const FIXTURES: [&str; 4] = [
    "manuscript",
    "tests/fixtures/festival",
    "tests/fixtures/booklet",
    "tests/fixtures/stress",
];

/// Builds `dir` with the print edition; returns the outputs by file name ending.
fn build(dir: &str, out: &Path) -> HashMap<&'static str, PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let project = folio::project::Project::open(&root).unwrap();
    let opts = folio::build::Options {
        out_dir: out.to_path_buf(),
        pdf: true,
        epub: true,
        print: folio::settings::PrintOverrides {
            print: true,
            ..Default::default()
        },
        pdf_standard: None,
    };
    let report = folio::build::build(&project, &opts, &mut |_| {}).unwrap();
    let mut files = HashMap::new();
    for p in report.outputs {
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        let kind = if name.ends_with("-booklet.pdf") {
            "booklet"
        } else if name.ends_with("-print.pdf") {
            "print"
        } else if name.ends_with(".pdf") {
            "pdf"
        } else if name.ends_with(".epub") {
            "epub"
        } else {
            continue;
        };
        files.insert(kind, p);
    }
    files
}

/// The words of `text`: runs of letters and digits (soft hyphens are no characters).
fn words(text: &str) -> Vec<String> {
    text.replace('\u{AD}', "")
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

// ---------------------------------------------------------------------------------------
// The PDF, read back.

/// A page's marked content: MCID → text.
fn page_texts(doc: &Document, page: ObjectId) -> HashMap<i64, String> {
    let fonts = page_fonts(doc, page);
    let bytes = doc.get_page_content(page);
    let content = lopdf::content::Content::decode(&bytes).unwrap();
    let mut out: HashMap<i64, String> = HashMap::new();
    // The open marked-content sequences: their MCID (if any) and whether their text is an
    // `/ActualText` (then the glyphs inside add nothing).
    let mut open: Vec<(Option<i64>, bool)> = Vec::new();
    let mut font: Option<&HashMap<u16, String>> = None;
    for op in &content.operations {
        match op.operator.as_str() {
            "BDC" => {
                let props = op.operands.get(1).and_then(|o| o.as_dict().ok());
                let mcid = props.and_then(|d| d.get(b"MCID").ok()?.as_i64().ok());
                let actual = props.and_then(|d| d.get(b"ActualText").ok()).map(pdf_text);
                if let (Some(m), Some(t)) = (mcid, &actual) {
                    out.entry(m).or_default().push_str(t);
                }
                open.push((mcid, actual.is_some()));
            }
            "BMC" => open.push((None, false)),
            "EMC" => {
                open.pop();
            }
            "Tf" => {
                let name = op.operands[0].as_name().unwrap();
                font = fonts.get(name);
            }
            "TJ" | "Tj" => {
                let Some((mcid, actual)) = open.iter().rev().find(|o| o.0.is_some()) else {
                    continue;
                };
                if *actual || open.iter().any(|o| o.1) {
                    continue;
                }
                let strings: Vec<&Object> = match op.operands[0] {
                    Object::Array(ref a) => a.iter().collect(),
                    ref s => vec![s],
                };
                let text = out.entry(mcid.unwrap()).or_default();
                for s in strings {
                    if let Object::String(b, _) = s {
                        for pair in b.chunks(2) {
                            let code = u16::from_be_bytes([pair[0], *pair.get(1).unwrap_or(&0)]);
                            if let Some(t) = font.and_then(|f| f.get(&code)) {
                                text.push_str(t);
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// A PDF text string as text (UTF-16BE with its mark, or PDFDocEncoding's ASCII).
fn pdf_text(o: &Object) -> String {
    let Object::String(b, _) = o else {
        return String::new();
    };
    if b.starts_with(&[0xfe, 0xff]) {
        let units: Vec<u16> = b[2..]
            .chunks(2)
            .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))
            .collect();
        String::from_utf16_lossy(&units)
    } else {
        b.iter().map(|&c| char::from(c)).collect()
    }
}

/// Each font resource of `page`: code → text, from its ToUnicode CMap.
fn page_fonts(doc: &Document, page: ObjectId) -> HashMap<Vec<u8>, HashMap<u16, String>> {
    let mut out = HashMap::new();
    let (inline, ids) = doc.get_page_resources(page).unwrap();
    let mut all: Vec<&Dictionary> = inline.into_iter().collect();
    all.extend(ids.iter().filter_map(|id| doc.get_dictionary(*id).ok()));
    let fonts = all
        .iter()
        .filter_map(|res| res.get(b"Font").and_then(|f| deref_dict(doc, f)).ok());
    for (name, f) in fonts.flat_map(|d| d.iter()) {
        let Ok(font) = deref_dict(doc, f) else {
            continue;
        };
        let Ok(tu) = font.get(b"ToUnicode").and_then(Object::as_reference) else {
            continue;
        };
        let stream = doc.get_object(tu).unwrap().as_stream().unwrap();
        let cmap = stream
            .decompressed_content()
            .unwrap_or_else(|_| stream.content.clone());
        out.insert(name.clone(), to_unicode(&String::from_utf8_lossy(&cmap)));
    }
    out
}

fn deref_dict<'a>(doc: &'a Document, o: &'a Object) -> lopdf::Result<&'a Dictionary> {
    match o {
        Object::Reference(r) => doc.get_dictionary(*r),
        other => other.as_dict(),
    }
}

/// The `bfchar` and `bfrange` entries of a ToUnicode CMap.
fn to_unicode(cmap: &str) -> HashMap<u16, String> {
    let hex = |s: &str| -> Vec<u16> {
        let s = s.trim_matches(|c| c == '<' || c == '>');
        (0..s.len() / 4)
            .map(|k| u16::from_str_radix(&s[k * 4..k * 4 + 4], 16).unwrap())
            .collect()
    };
    let mut out = HashMap::new();
    let mut mode = "";
    for line in cmap.lines() {
        let line = line.trim();
        if line.ends_with("beginbfchar") {
            mode = "char";
        } else if line.ends_with("beginbfrange") {
            mode = "range";
        } else if line.starts_with("end") {
            mode = "";
        } else if mode == "char" {
            let parts: Vec<&str> = line.split_whitespace().collect();
            if let [code, text] = parts[..] {
                out.insert(hex(code)[0], String::from_utf16_lossy(&hex(text)));
            }
        } else if mode == "range" {
            let parts: Vec<&str> = line.split_whitespace().collect();
            if let [lo, hi, start] = parts[..] {
                let (lo, hi, start) = (hex(lo)[0], hex(hi)[0], hex(start));
                for (k, code) in (lo..=hi).enumerate() {
                    let mut t = start.clone();
                    if let Some(last) = t.last_mut() {
                        *last += k as u16;
                    }
                    out.insert(code, String::from_utf16_lossy(&t));
                }
            }
        }
    }
    out
}

/// What the reading-order walk makes of a PDF: its text (element boundaries as spaces)
/// and each contents entry's link text.
#[derive(Default)]
struct PdfText {
    text: String,
    contents: Vec<String>,
}

struct Reader<'a> {
    doc: &'a Document,
    pages: HashMap<ObjectId, HashMap<i64, String>>,
}

impl Reader<'_> {
    fn mcr(&mut self, page: ObjectId, mcid: i64) -> String {
        let doc = self.doc;
        self.pages
            .entry(page)
            .or_insert_with(|| page_texts(doc, page))
            .get(&mcid)
            .cloned()
            .unwrap_or_default()
    }

    /// The text under element `e`, its kids in order; `skip` says which elements to leave
    /// out (by role, parent role and list numbering).
    fn element(
        &mut self,
        e: &Dictionary,
        out: &mut PdfText,
        parents: &[(Vec<u8>, Option<Vec<u8>>)],
    ) {
        let role = e
            .get(b"S")
            .and_then(Object::as_name)
            .unwrap_or(b"")
            .to_vec();
        let numbering = e
            .get(b"A")
            .and_then(Object::as_dict)
            .and_then(|a| a.get(b"ListNumbering"))
            .and_then(Object::as_name)
            .ok()
            .map(<[u8]>::to_vec);
        if role == b"TOC" {
            let mut entries = PdfText::default();
            self.kids(e, &mut entries, parents, &role, &numbering);
            out.contents.extend(entries.contents);
            return;
        }
        // A numbered or bulleted list's labels are the EPUB's `ol`/`ul` to draw.
        let in_counted_list = parents.len() >= 2
            && parents[parents.len() - 1].0 == b"LI"
            && matches!(
                parents[parents.len() - 2].1.as_deref(),
                Some(b"Decimal" | b"Disc")
            );
        if role == b"Lbl" && in_counted_list {
            return;
        }
        out.text.push(' ');
        if role == b"Link" && parents.last().is_some_and(|p| p.0 == b"TOCI") {
            // A contents entry's link: the title, then the page number.
            let mut inner = PdfText::default();
            self.kids(e, &mut inner, parents, &role, &numbering);
            out.contents.push(inner.text);
            return;
        }
        self.kids(e, out, parents, &role, &numbering);
        out.text.push(' ');
    }

    fn kids(
        &mut self,
        e: &Dictionary,
        out: &mut PdfText,
        parents: &[(Vec<u8>, Option<Vec<u8>>)],
        role: &[u8],
        numbering: &Option<Vec<u8>>,
    ) {
        let page = e.get(b"Pg").and_then(Object::as_reference).ok();
        let kids = match e.get(b"K") {
            Ok(Object::Array(a)) => a.clone(),
            Ok(other) => vec![other.clone()],
            Err(_) => vec![],
        };
        let mut path = parents.to_vec();
        path.push((role.to_vec(), numbering.clone()));
        for k in kids {
            match k {
                Object::Integer(mcid) => {
                    let t = self.mcr(page.expect("an MCID kid needs the element's /Pg"), mcid);
                    out.text.push_str(&t);
                }
                Object::Dictionary(d)
                    if d.get(b"Type").and_then(Object::as_name).ok() == Some(b"MCR") =>
                {
                    let pg = d.get(b"Pg").and_then(Object::as_reference).unwrap();
                    let mcid = d.get(b"MCID").and_then(Object::as_i64).unwrap();
                    let t = self.mcr(pg, mcid);
                    out.text.push_str(&t);
                }
                Object::Dictionary(d)
                    if d.get(b"Type").and_then(Object::as_name).ok() == Some(b"OBJR") => {}
                Object::Reference(r) => {
                    let child = self.doc.get_dictionary(r).unwrap().clone();
                    self.element(&child, out, &path);
                }
                Object::Dictionary(d) => self.element(&d, out, &path),
                _ => {}
            }
        }
    }
}

/// The text of `pdf`'s structure tree, in order.
fn pdf_text_of(pdf: &Path) -> PdfText {
    let doc = Document::load(pdf).unwrap();
    let root = doc.catalog().unwrap().get(b"StructTreeRoot").unwrap();
    let root = doc
        .get_dictionary(root.as_reference().unwrap())
        .unwrap()
        .clone();
    let mut r = Reader {
        doc: &doc,
        pages: HashMap::new(),
    };
    let mut out = PdfText::default();
    r.kids(&root, &mut out, &[], b"StructTreeRoot", &None);
    out
}

// ---------------------------------------------------------------------------------------
// The EPUB, read back.

/// The EPUB's entries by name.
fn entries(epub: &Path) -> HashMap<String, String> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(epub).unwrap()).unwrap();
    let mut out = HashMap::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let mut s = String::new();
        if f.read_to_string(&mut s).is_ok() {
            out.insert(f.name().to_string(), s);
        }
    }
    out
}

/// An XHTML document (they declare `<!DOCTYPE html>`).
fn parse(text: &str) -> roxmltree::Document<'_> {
    let opts = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    roxmltree::Document::parse_with_options(text, opts).unwrap()
}

/// Elements whose edges are no word boundary (the PDF marks no element for them).
const RUN_IN: [&str; 5] = ["em", "strong", "code", "b", "sup"];

fn xhtml_text(node: roxmltree::Node, out: &mut String) {
    for n in node.children() {
        if n.is_text() {
            out.push_str(n.text().unwrap_or(""));
        } else if n.is_element() {
            let name = n.tag_name().name();
            let boundary = !RUN_IN.contains(&name);
            if boundary {
                out.push(' ');
            }
            xhtml_text(n, out);
            if boundary {
                out.push(' ');
            }
        }
    }
}

/// The text of the EPUB's spine in order (the cover page aside), and its navigation's
/// entries for the pieces.
fn epub_text_of(epub: &Path) -> (String, Vec<String>) {
    let files = entries(epub);
    let opf = roxmltree::Document::parse(&files["OEBPS/content.opf"]).unwrap();
    let manifest: HashMap<&str, &str> = opf
        .descendants()
        .filter(|n| n.has_tag_name("item"))
        .map(|n| (n.attribute("id").unwrap(), n.attribute("href").unwrap()))
        .collect();
    let mut text = String::new();
    for item in opf.descendants().filter(|n| n.has_tag_name("itemref")) {
        let href = manifest[item.attribute("idref").unwrap()];
        if href == "cover.xhtml" {
            continue;
        }
        let doc = parse(&files[&format!("OEBPS/{href}")]);
        let body = doc.descendants().find(|n| n.has_tag_name("body")).unwrap();
        xhtml_text(body, &mut text);
    }
    let nav = parse(&files["OEBPS/nav.xhtml"]);
    let toc = nav
        .descendants()
        .find(|n| n.has_tag_name("nav") && n.attributes().any(|a| a.value() == "toc"))
        .unwrap();
    let top = toc.children().find(|n| n.has_tag_name("ol")).unwrap();
    // The pieces' entries (the title page's is the EPUB's own).
    let entries: Vec<String> = top
        .children()
        .filter(|n| n.has_tag_name("li"))
        .filter_map(|li| li.children().find(|n| n.has_tag_name("a")))
        .filter(|a| a.attribute("href") != Some("titlepage.xhtml"))
        .map(|a| {
            let mut s = String::new();
            xhtml_text(a, &mut s);
            s
        })
        .collect();
    (text, entries)
}

/// The first place two word lists part, with the words around it.
fn first_difference(a: &[String], b: &[String]) -> Option<String> {
    let k = a
        .iter()
        .zip(b)
        .position(|(x, y)| x != y)
        .or_else(|| (a.len() != b.len()).then_some(a.len().min(b.len())))?;
    let around = |w: &[String]| w[k.saturating_sub(8)..(k + 8).min(w.len())].join(" ");
    Some(format!(
        "word {k}:\n  PDF:  … {} …\n  EPUB: … {} …",
        around(a),
        around(b)
    ))
}

#[test]
fn the_pdf_structure_and_the_epub_spine_read_the_same_words_in_the_same_order() {
    for dir in FIXTURES {
        let out = std::env::temp_dir().join(format!(
            "folio-reading-order-{}-{}",
            dir.replace('/', "-"),
            std::process::id()
        ));
        let files = build(dir, &out);
        let (epub, nav) = epub_text_of(&files["epub"]);
        let epub = words(&epub);
        assert!(epub.len() > 100, "{dir}: the EPUB has {} words", epub.len());
        for kind in ["pdf", "print", "booklet"] {
            let pdf = pdf_text_of(&files[kind]);
            let pdf_words = words(&pdf.text);
            if let Some(d) = first_difference(&pdf_words, &epub) {
                panic!("{dir} ({kind}): the PDF and the EPUB read differently at {d}");
            }
            // The printed contents lists the pieces the navigation lists, in its order,
            // each followed by its page number.
            let entries: Vec<Vec<String>> = pdf.contents.iter().map(|e| words(e)).collect();
            if !entries.is_empty() {
                assert_eq!(
                    entries.len(),
                    nav.len(),
                    "{dir} ({kind}): contents entries {entries:?} {nav:?}"
                );
                for (entry, label) in entries.iter().zip(&nav) {
                    let label = words(label);
                    assert_eq!(&entry[..entry.len() - 1], &label[..], "{dir} ({kind})");
                    assert!(entry.last().unwrap().parse::<u32>().is_ok(), "{entry:?}");
                }
            }
        }
        let _ = std::fs::remove_dir_all(&out);
    }
}
