//! Completes the navigation document (nav.xhtml) and the NCX epub-builder wrote, as typed XML.
//!
//! Why: epub-builder's nav template is compiled in and fails Ace — `<html>` has no `lang`
//! (`html-has-lang`), the toc nav has no `role="doc-toc"` (`epub-type-has-matching-role`), and
//! the navs have no labels (`landmark-unique`). Its landmarks only list contents that also
//! appear in the table of contents, so the cover landmark is added here. Its NCX has no
//! `dtb:uid` and uses the toc's name as the book title.

use super::xml::{Document, Element, Node};

/// Returns the completed nav.xhtml.
pub fn complete_nav(nav: &str, lang: &str, cover_href: Option<&str>) -> Result<String, String> {
    let mut doc = Document::parse(nav).map_err(|e| format!("nav.xhtml: {e}"))?;
    let html = &mut doc.root;
    html.set_attr("lang", lang);
    html.set_attr("xml:lang", lang);
    let body = html.child_mut("body").ok_or("nav.xhtml has no <body>")?;
    for nav in body.elements_mut().filter(|e| e.name == "nav") {
        match nav.attr("epub:type") {
            Some("toc") => {
                nav.set_attr("role", "doc-toc");
                nav.set_attr("aria-labelledby", "toc-title");
            }
            Some("landmarks") => {
                nav.set_attr("aria-label", "Landmarks");
                nav.set_attr("hidden", "hidden");
                if let Some(href) = cover_href {
                    if nav.child("ol").is_none() {
                        nav.append_indented(Element::new("ol"), "    ");
                    }
                    if let Some(ol) = nav.child_mut("ol") {
                        let li = Element::new("li").with_child(
                            Element::new("a")
                                .with_attr("epub:type", "cover")
                                .with_attr("href", href)
                                .with_text("Cover"),
                        );
                        ol.children.insert(0, Node::Element(li));
                        ol.children.insert(0, Node::Text("\n      ".into()));
                    }
                }
            }
            _ => {}
        }
    }
    Ok(doc.to_xml())
}

fn depth(el: &Element) -> usize {
    el.elements()
        .filter(|e| e.name == "navPoint")
        .map(|e| 1 + depth(e))
        .max()
        .unwrap_or(0)
}

/// The deepest NCX level kept: pieces and their sections.
const NCX_DEPTH: usize = 2;

/// Drops the `navPoint`s of `el` deeper than `levels`.
fn prune(el: &mut Element, levels: usize) {
    if levels == 0 {
        el.retain_elements(|e| e.name != "navPoint");
        return;
    }
    for child in el.elements_mut().filter(|e| e.name == "navPoint") {
        prune(child, levels - 1);
    }
}

/// Sets each `navPoint`'s `playOrder` to its place in document order.
fn renumber(el: &mut Element, order: &mut usize) {
    for child in el.elements_mut().filter(|e| e.name == "navPoint") {
        *order += 1;
        child.set_attr("playOrder", &order.to_string());
        renumber(child, order);
    }
}

/// Returns the completed toc.ncx: `dtb:uid` equal to the package identifier, the real
/// depth, and the book's title.
pub fn complete_ncx(ncx: &str, identifier: &str, title: &str) -> Result<String, String> {
    let mut doc = Document::parse(ncx).map_err(|e| format!("toc.ncx: {e}"))?;
    // Older readers (and Kindle's conversion) handle two levels: pieces and their sections.
    if let Some(map) = doc.root.child_mut("navMap") {
        prune(map, NCX_DEPTH);
        // playOrder must run 1, 2, 3… without gaps after the pruning.
        let mut order = 0;
        renumber(map, &mut order);
    }
    let d = doc.root.child("navMap").map(depth).unwrap_or(0).max(1);
    let head = doc.root.child_mut("head").ok_or("toc.ncx has no <head>")?;
    head.retain_elements(|e| !(e.name == "meta" && e.attr("name") == Some("dtb:uid")));
    for m in head.elements_mut() {
        if m.attr("name") == Some("dtb:depth") {
            m.set_attr("content", &d.to_string());
        }
    }
    let uid = Element::new("meta")
        .with_attr("name", "dtb:uid")
        .with_attr("content", identifier);
    head.children.insert(0, Node::Element(uid));
    head.children.insert(0, Node::Text("\n    ".into()));
    if let Some(text) = doc
        .root
        .child_mut("docTitle")
        .and_then(|t| t.child_mut("text"))
    {
        text.set_text(title);
    }
    Ok(doc.to_xml())
}
