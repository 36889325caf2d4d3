//! Completes the navigation document (nav.xhtml) and the NCX epub-builder wrote, as typed XML.
//!
//! Why: epub-builder's nav template is compiled in and fails Ace — `<html>` has no `lang`
//! (`html-has-lang`), the toc nav has no `role="doc-toc"` (`epub-type-has-matching-role`), and
//! the navs have no labels (`landmark-unique`). Its landmarks only list contents that also
//! appear in the table of contents, so the cover landmark is added here. Its NCX has no
//! `dtb:uid` and uses the toc's name as the book title.

use super::xml::{Document, Element, Node};
use std::collections::HashMap;

/// Returns the completed nav.xhtml, with a page list when `pages` (href, label) has entries.
pub fn complete_nav(
    nav: &str,
    lang: &str,
    cover_href: Option<&str>,
    pages: &[(String, String)],
) -> Result<String, String> {
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
    if !pages.is_empty() {
        let mut ol = Element::new("ol");
        for (href, label) in pages {
            let a = Element::new("a").with_attr("href", href).with_text(label);
            ol.append_indented(Element::new("li").with_child(a), "      ");
        }
        let list = Element::new("nav")
            .with_attr("epub:type", "page-list")
            .with_attr("role", "doc-pagelist")
            .with_attr("aria-label", "Pages")
            .with_attr("hidden", "hidden")
            .with_child(ol);
        body.append_indented(list, "  ");
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

/// Is `el` numbered in reading order (`playOrder`)?
fn numbered(el: &Element) -> bool {
    matches!(el.name.as_str(), "navPoint" | "pageTarget")
}

/// The `content` target of a `navPoint` or `pageTarget`.
fn src(el: &Element) -> String {
    el.child("content")
        .and_then(|c| c.attr("src"))
        .unwrap_or_default()
        .to_string()
}

/// Every target below `el` (nav points, page targets).
fn targets(el: &Element, out: &mut Vec<String>) {
    for child in el.elements() {
        if numbered(child) {
            out.push(src(child));
        }
        targets(child, out);
    }
}

/// Sets each target's `playOrder` from `numbers`.
fn set_order(el: &mut Element, numbers: &HashMap<String, usize>) {
    for child in el.elements_mut() {
        if numbered(child) {
            let n = numbers.get(&src(child)).copied().unwrap_or(0);
            child.set_attr("playOrder", &n.to_string());
        }
        set_order(child, numbers);
    }
}

/// Numbers `playOrder` 1, 2, 3… in reading order over the nav map and the page list
/// together (as the NCX requires), the same number for the same target.
fn play_order(root: &mut Element, order: ReadingOrder) {
    let mut all = Vec::new();
    targets(root, &mut all);
    let mut keyed: Vec<((usize, usize), String)> =
        all.into_iter().map(|s| (order(&s), s)).collect();
    keyed.sort();
    keyed.dedup();
    let numbers = keyed
        .into_iter()
        .enumerate()
        .map(|(k, (_, s))| (s, k + 1))
        .collect();
    set_order(root, &numbers);
}

/// Where a link target stands in reading order (spine position, then place in its document).
pub type ReadingOrder<'a> = &'a dyn Fn(&str) -> (usize, usize);

/// Returns the completed toc.ncx: `dtb:uid` equal to the package identifier, the real
/// depth, the book's title, and a page list when `pages` (href, label) has entries.
pub fn complete_ncx(
    ncx: &str,
    identifier: &str,
    title: &str,
    pages: &[(String, String)],
    order: ReadingOrder,
) -> Result<String, String> {
    let mut doc = Document::parse(ncx).map_err(|e| format!("toc.ncx: {e}"))?;
    // Older readers (and Kindle's conversion) handle two levels: pieces and their sections.
    if let Some(map) = doc.root.child_mut("navMap") {
        prune(map, NCX_DEPTH);
    }
    if !pages.is_empty() {
        let mut list = Element::new("pageList");
        list.append_indented(
            Element::new("navLabel").with_child(Element::new("text").with_text("Pages")),
            "    ",
        );
        for (k, (href, label)) in pages.iter().enumerate() {
            let target = Element::new("pageTarget")
                .with_attr("id", &format!("pt-{}", k + 1))
                .with_attr(
                    "type",
                    if label.parse::<u32>().is_ok() {
                        "normal"
                    } else {
                        "front"
                    },
                )
                .with_attr("value", label)
                .with_child(
                    Element::new("navLabel").with_child(Element::new("text").with_text(label)),
                )
                .with_child(Element::new("content").with_attr("src", href));
            list.append_indented(target, "    ");
        }
        doc.root.append_indented(list, "  ");
    }
    play_order(&mut doc.root, order);
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
