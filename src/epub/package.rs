//! Completes the package document (content.opf) epub-builder wrote, as a typed XML tree.
//!
//! Why each extension exists — epub-builder 0.8.3 cannot write these itself, or writes them
//! only through `MetadataOpfV3`, whose values it leaves unescaped:
//! - `xml:lang` on `<package>` (Ace `epub-lang`); the template has no slot for it.
//! - the identifier: its API only takes a UUID (`urn:uuid:`), never an ISBN (`urn:isbn:`).
//! - `dcterms:modified` from our clock: its setter needs chrono, and its default is the wall clock.
//! - `title-type` refinements and the subtitle: the template's `<dc:title>` has no id.
//! - creators and contributors with MARC roles and `file-as`: its `author` metadata
//!   hard-codes `aut` and, together with a language, duplicates `id="epub-creator-0"`.
//! - publisher, date (W3C form as written, not a timestamp), series, accessibility metadata.
//! - a label for the cover's `<guide>` reference (it writes the content's empty title).

use super::xml::{Document, Element, Node};
use crate::credits::Person;
use crate::meta::Metadata;

/// Everything the package metadata says, computed by [`super::epub`].
pub struct PackageInfo<'a> {
    pub meta: &'a Metadata,
    /// Everyone in the book once: the book's creators (book-level people), then its
    /// contributors (people named only in pieces), each with all their roles and one sort
    /// name.
    pub people: &'a [Person],
    /// How many of `people` are creators (`dc:creator`); the rest are `dc:contributor`.
    pub creators: usize,
    /// `urn:isbn:…` or `urn:uuid:…`.
    pub identifier: String,
    pub lang: String,
    /// `YYYY-MM-DDTHH:MM:SSZ`.
    pub modified: String,
    pub a11y: Vec<(&'static str, String)>,
    /// The identifier of the edition whose page numbers the EPUB marks (the PDF's).
    pub page_source: Option<String>,
}

pub use crate::credits::number;

fn meta(property: &str, value: &str) -> Element {
    Element::new("meta")
        .with_attr("property", property)
        .with_text(value)
}

fn refine(id: &str, property: &str, value: &str) -> Element {
    Element::new("meta")
        .with_attr("refines", &format!("#{id}"))
        .with_attr("property", property)
        .with_text(value)
}

/// Returns the completed content.opf.
pub fn complete(opf: &str, info: &PackageInfo) -> Result<String, String> {
    let mut doc = Document::parse(opf).map_err(|e| format!("content.opf: {e}"))?;
    let root = &mut doc.root;
    root.set_attr("xml:lang", &info.lang);
    let m = info.meta;
    let md = root
        .child_mut("metadata")
        .ok_or("content.opf has no <metadata>")?;

    for el in md.elements_mut() {
        match el.name.as_str() {
            "dc:identifier" => el.set_text(&info.identifier),
            "dc:title" => el.set_attr("id", "title"),
            // epub-builder numbers languages like creators; nothing refines the language.
            "dc:language" => el.attrs.retain(|(n, _)| n != "id"),
            "meta" if el.attr("property") == Some("dcterms:modified") => {
                el.set_text(&info.modified)
            }
            _ => {}
        }
    }
    let mut add = vec![refine("title", "title-type", "main")];
    // Sorted as libraries sort titles: "Escape of the Soul, The".
    if let Some(sort) = info
        .meta
        .title
        .as_deref()
        .and_then(|t| title_file_as(t, &info.lang))
    {
        add.push(refine("title", "file-as", &sort));
    }
    if let Some(sub) = &m.subtitle {
        add.push(
            Element::new("dc:title")
                .with_attr("id", "subtitle")
                .with_text(sub),
        );
        add.push(refine("subtitle", "title-type", "subtitle"));
    }
    // One element per person, with a role refinement for each of their roles (Jane Writer
    // may be an author of one piece and the interviewer of another): `resolve` grouped them.
    let (mut nc, mut nk) = (0, 0);
    for (i, p) in info.people.iter().enumerate() {
        let (name, file_as, roles, creator) =
            (&p.name, p.file_as.as_deref(), &p.roles, i < info.creators);
        let (tag, id) = if creator {
            nc += 1;
            ("dc:creator", format!("creator-{nc}"))
        } else {
            nk += 1;
            ("dc:contributor", format!("contributor-{nk}"))
        };
        add.push(Element::new(tag).with_attr("id", &id).with_text(name));
        for role in roles {
            add.push(refine(&id, "role", role.marc()).with_attr("scheme", "marc:relators"));
        }
        if let Some(fa) = file_as {
            add.push(refine(&id, "file-as", fa));
        }
    }
    if let Some(p) = &m.publisher {
        add.push(Element::new("dc:publisher").with_text(p));
    }
    if let Some(d) = &m.date {
        add.push(Element::new("dc:date").with_text(d));
    }
    if let Some(s) = &m.series {
        add.push(meta("belongs-to-collection", &s.name).with_attr("id", "series"));
        add.push(refine("series", "collection-type", "series"));
        if let Some(p) = s.position {
            add.push(refine("series", "group-position", &number(p)));
        }
    }
    for (prop, value) in &info.a11y {
        add.push(meta(prop, value));
    }
    if let Some(source) = &info.page_source {
        // EPUB 3.3 names the source of the page breaks in `pageBreakSource`; older reading
        // systems (and Ace) read `dc:source` refined as the source of the pagination.
        add.push(
            Element::new("dc:source")
                .with_attr("id", "pagination_source")
                .with_text(source),
        );
        add.push(refine("pagination_source", "source-of", "pagination"));
        add.push(meta("pageBreakSource", source));
    }
    // The template leaves blank lines where its optional parts were: one element a line.
    let mut elements: Vec<Element> = md.elements().cloned().collect();
    elements.extend(add);
    md.children = elements
        .into_iter()
        .flat_map(|e| [Node::Text("\n    ".into()), Node::Element(e)])
        .chain([Node::Text("\n  ".into())])
        .collect();

    if let Some(guide) = root.child_mut("guide") {
        for r in guide.elements_mut() {
            if r.attr("type") == Some("cover") && r.attr("title") == Some("") {
                r.set_attr("title", "Cover");
            }
        }
    }
    Ok(doc.to_xml())
}

/// A title's sort form when it opens with an article of its language ("The Escape of the
/// Soul" → "Escape of the Soul, The"); `None` when it does not.
pub fn title_file_as(title: &str, lang: &str) -> Option<String> {
    let articles: &[&str] = match crate::lang::primary(lang).to_ascii_lowercase().as_str() {
        "en" => &["The", "A", "An"],
        "es" => &["El", "La", "Los", "Las", "Un", "Una"],
        "fr" => &["Le", "La", "Les", "Un", "Une"],
        "de" => &["Der", "Die", "Das", "Ein", "Eine"],
        "it" => &["Il", "Lo", "La", "I", "Gli", "Le", "Un", "Una"],
        "pt" => &["O", "A", "Os", "As", "Um", "Uma"],
        _ => &[],
    };
    let (first, rest) = title.split_once(' ')?;
    (articles.contains(&first) && !rest.trim().is_empty())
        .then(|| format!("{}, {first}", rest.trim()))
}
