//! The tagged PDF read back with lopdf: the catalog's parts (`StructTreeRoot`, `MarkInfo`,
//! `/Lang`, `DisplayDocTitle`), the structure elements a reader needs (parts, headings,
//! paragraphs, lists, tables with header scope, figures with alt text, notes with ids,
//! links with their annotations, spans in another language), pages tabbed in structure
//! order, and every glyph drawn either as an element's marked content or as an artifact.

use lopdf::{Dictionary, Document, Object, ObjectId};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// Builds `dir` (with the print edition) into a temporary folder: the PDFs by kind.
fn build(dir: &str) -> HashMap<&'static str, PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let out = std::env::temp_dir().join(format!(
        "folio-tagged-{}-{}",
        dir.replace('/', "-"),
        std::process::id()
    ));
    let project = folio::project::Project::open(&root).unwrap();
    let opts = folio::build::Options {
        out_dir: out,
        pdf: true,
        epub: false,
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
        let kind = match () {
            _ if name.ends_with("-booklet.pdf") => "booklet",
            _ if name.ends_with("-print.pdf") => "print",
            _ if name.ends_with(".pdf") => "pdf",
            _ => continue,
        };
        files.insert(kind, p);
    }
    files
}

/// Every structure element under the root, depth first: (role, element).
fn elements(doc: &Document) -> Vec<(String, Dictionary)> {
    fn walk(doc: &Document, o: &Object, out: &mut Vec<(String, Dictionary)>) {
        let d = match o {
            Object::Reference(r) => match doc.get_dictionary(*r) {
                Ok(d) => d.clone(),
                Err(_) => return,
            },
            Object::Dictionary(d) => d.clone(),
            Object::Array(a) => {
                a.iter().for_each(|k| walk(doc, k, out));
                return;
            }
            _ => return,
        };
        // A structure element (its `/Type` is optional) has a structure type; a marked-
        // content or object reference has none.
        if d.get(b"S").is_err() {
            return;
        }
        let role = String::from_utf8_lossy(d.get(b"S").unwrap().as_name().unwrap()).to_string();
        out.push((role, d.clone()));
        if let Ok(k) = d.get(b"K") {
            walk(doc, k, out);
        }
    }
    let root = doc.catalog().unwrap().get(b"StructTreeRoot").unwrap();
    let root = doc.get_dictionary(root.as_reference().unwrap()).unwrap();
    let mut out = Vec::new();
    walk(doc, root.get(b"K").unwrap(), &mut out);
    out
}

fn text(o: &Object) -> String {
    match o {
        Object::String(b, _) if b.starts_with(&[0xfe, 0xff]) => {
            let u: Vec<u16> = b[2..]
                .chunks(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16_lossy(&u)
        }
        Object::String(b, _) => String::from_utf8_lossy(b).to_string(),
        _ => String::new(),
    }
}

#[test]
fn the_festival_pdf_is_tagged_with_the_books_structure() {
    let files = build("tests/fixtures/festival");
    let doc = Document::load(&files["pdf"]).unwrap();
    let catalog = doc.catalog().unwrap();
    let marked = catalog.get(b"MarkInfo").unwrap().as_dict().unwrap();
    assert!(marked.get(b"Marked").unwrap().as_bool().unwrap());
    assert_eq!(text(catalog.get(b"Lang").unwrap()), "en-GB");
    let prefs = catalog
        .get(b"ViewerPreferences")
        .unwrap()
        .as_dict()
        .unwrap();
    assert!(prefs.get(b"DisplayDocTitle").unwrap().as_bool().unwrap());
    for (_, id) in doc.get_pages() {
        let page = doc.get_dictionary(id).unwrap();
        assert_eq!(page.get(b"Tabs").unwrap().as_name().unwrap(), b"S");
    }
    let all = elements(&doc);
    let roles: HashSet<&str> = all.iter().map(|(r, _)| r.as_str()).collect();
    for r in [
        "Document",
        "Sect",
        "Part",
        "H1",
        "H2",
        "P",
        "Aside",
        "L",
        "LI",
        "Lbl",
        "LBody",
        "Table",
        "TR",
        "TH",
        "TD",
        "Figure",
        "Caption",
        "Div",
        "Note",
        "Reference",
        "Link",
        "TOC",
        "TOCI",
    ] {
        assert!(roles.contains(r), "no {r} in {roles:?}");
    }
    // Eight pieces, each a part; every figure says what it shows; every header cell is
    // its column's; every note has an id of its own.
    assert_eq!(all.iter().filter(|(r, _)| r == "Part").count(), 8);
    let figures: Vec<&Dictionary> = all
        .iter()
        .filter(|(r, _)| r == "Figure")
        .map(|e| &e.1)
        .collect();
    assert!(
        figures
            .iter()
            .all(|f| !text(f.get(b"Alt").unwrap()).is_empty())
    );
    for (_, th) in all.iter().filter(|(r, _)| r == "TH") {
        let a = th.get(b"A").unwrap().as_dict().unwrap();
        assert_eq!(a.get(b"Scope").unwrap().as_name().unwrap(), b"Column");
    }
    let ids: Vec<String> = all
        .iter()
        .filter(|(r, _)| r == "Note")
        .map(|(_, n)| text(n.get(b"ID").unwrap()))
        .collect();
    assert!(!ids.is_empty());
    assert_eq!(
        ids.len(),
        ids.iter().collect::<HashSet<_>>().len(),
        "{ids:?}"
    );
    // The pull quotes are role-mapped for readers that know PDF 1.7's types only.
    let root = catalog
        .get(b"StructTreeRoot")
        .unwrap()
        .as_reference()
        .unwrap();
    let map = doc
        .get_dictionary(root)
        .unwrap()
        .get(b"RoleMap")
        .unwrap()
        .as_dict()
        .unwrap();
    assert_eq!(map.get(b"Aside").unwrap().as_name().unwrap(), b"Div");
}

#[test]
fn foreign_terms_are_spans_with_their_language_and_links_hold_their_annotations() {
    let files = build("manuscript");
    let doc = Document::load(&files["pdf"]).unwrap();
    let all = elements(&doc);
    let spanish = all
        .iter()
        .filter(|(r, e)| r == "Span" && e.get(b"Lang").map(text).ok().as_deref() == Some("es"))
        .count();
    assert!(
        spanish >= 3,
        "the film's Spanish title is marked: {spanish}"
    );
    // Every link annotation (the contents' and the web links of the festival booklet) is a structure element's object and describes itself; the
    // parent tree leads back to a Link.
    let files = build("tests/fixtures/festival");
    let doc = Document::load(&files["pdf"]).unwrap();
    let root = doc
        .catalog()
        .unwrap()
        .get(b"StructTreeRoot")
        .unwrap()
        .as_reference()
        .unwrap();
    let tree = doc
        .get_dictionary(root)
        .unwrap()
        .get(b"ParentTree")
        .unwrap();
    let nums = doc
        .get_dictionary(tree.as_reference().unwrap())
        .unwrap()
        .get(b"Nums")
        .unwrap()
        .as_array()
        .unwrap()
        .clone();
    let parents: HashMap<i64, Object> = nums
        .chunks(2)
        .map(|c| (c[0].as_i64().unwrap(), c[1].clone()))
        .collect();
    let mut links = 0;
    for (_, page) in doc.get_pages() {
        let Ok(annots) = doc.get_dictionary(page).unwrap().get(b"Annots") else {
            continue;
        };
        for a in annots.as_array().unwrap() {
            let annot = doc.get_dictionary(a.as_reference().unwrap()).unwrap();
            let key = annot.get(b"StructParent").unwrap().as_i64().unwrap();
            let elem = doc
                .get_dictionary(parents[&key].as_reference().unwrap())
                .unwrap();
            assert_eq!(elem.get(b"S").unwrap().as_name().unwrap(), b"Link");
            assert!(!text(annot.get(b"Contents").unwrap()).is_empty());
            links += 1;
        }
    }
    assert!(
        links >= 9,
        "the contents' eight links and a web link: {links}"
    );
}

/// Checks that every text object and image of `page` is inside marked content (an
/// element's, with an MCID, or an artifact), and that marked content never nests.
fn all_marked(doc: &Document, page: ObjectId) -> Result<(), String> {
    let content = lopdf::content::Content::decode(&doc.get_page_content(page)).unwrap();
    let mut depth = 0;
    for op in &content.operations {
        match op.operator.as_str() {
            "BDC" | "BMC" => {
                depth += 1;
                if depth > 1 {
                    return Err(format!("nested marked content at {op:?}"));
                }
            }
            "EMC" => depth -= 1,
            "BT" | "Do" if depth == 0 => return Err(format!("unmarked {}", op.operator)),
            _ => {}
        }
    }
    Ok(())
}

#[test]
fn every_glyph_and_image_is_marked_content_or_an_artifact_in_every_edition() {
    for dir in [
        "manuscript",
        "tests/fixtures/festival",
        "tests/fixtures/stress",
    ] {
        let files = build(dir);
        for kind in ["pdf", "print", "booklet"] {
            let doc = Document::load(&files[kind]).unwrap();
            for (n, page) in doc.get_pages() {
                if let Err(e) = all_marked(&doc, page) {
                    panic!("{dir} ({kind}) page {n}: {e}");
                }
            }
            assert!(
                !elements(&doc).is_empty(),
                "{dir} ({kind}) has a structure tree"
            );
        }
    }
}
