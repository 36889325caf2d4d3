//! The resolved book → EPUB 3.3 bytes: epub-builder writes the container, then our
//! re-packaging pass completes its package documents and makes the archive deterministic.
//!
//! The stage, in order:
//! 1. collect: the cover and figure images (read once by `resolve`), the accessibility
//!    [`Facts`] (counted by `resolve`), the identifier;
//! 2. write the content documents ([`xhtml`]) and the stylesheet ([`css`]);
//! 3. hand them to `EpubBuilder<ZipLibrary>`, which generates into a `Vec<u8>` — only through
//!    APIs that escape what they are given (title, language, subjects, description, rights,
//!    toc titles); no `MetadataOpfV3` with user text;
//! 4. [`zip::repackage`]: read that archive back, complete content.opf ([`package`]) and
//!    nav.xhtml / toc.ncx ([`nav`]) as XML trees ([`xml`]), and write every entry again in a
//!    fixed order with fixed timestamps.

mod a11y;
mod css;
mod fonts;
mod nav;
mod package;
mod pagebreak;
mod xhtml;
pub mod xml;
mod zip;

pub use a11y::Facts;
pub use zip::Previous;

use crate::assets::Assets;
use crate::diag::Diagnostic;
use crate::hash::Fnv;
use crate::model::{Book, plain_text};
use crate::project::iso8601;
use crate::resolve::{Kind, Resolved};
use crate::typeset::font::FontBytes;
use crate::typeset::frame::PageStart;
use epub_builder::{EpubBuilder, EpubContent, EpubVersion, ReferenceType, TocElement, ZipLibrary};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// Builds the EPUB. `clock_secs` is the build's clock (`project::clock`): it becomes
/// `dcterms:modified` and every zip entry's time, so the same input gives the same bytes.
///
/// `pages` is the typeset book's page map: each printed page gets a page-break marker where
/// it begins, and the package a page list (empty: no print page numbers).
pub fn epub(
    book: &Resolved,
    clock_secs: i64,
    pages: &[PageStart],
) -> Result<Vec<u8>, Vec<Diagnostic>> {
    epub_cached(book, clock_secs, pages, None, &mut Previous::default())
}

/// [`epub`], copying the entries that did not change from the `previous` container.
pub fn epub_cached(
    book: &Resolved,
    clock_secs: i64,
    pages: &[PageStart],
    generated_cover: Option<&[u8]>,
    previous: &mut Previous,
) -> Result<Vec<u8>, Vec<Diagnostic>> {
    let mut diags = Vec::new();
    let assets = &book.assets;
    let lang = book.lang.clone();
    let title = book.title.clone();

    // Images: the cover and every figure, each stored once under images/.
    let mut used_hrefs: HashSet<String> = HashSet::new();
    let cover = match &book.meta.cover {
        Some(c) => match image(assets, c, "cover", "cover", &mut used_hrefs) {
            Ok(img) => Some(img),
            Err(d) => {
                diags.push(d);
                None
            }
        },
        // folio's own typographic cover, drawn as an image (stores need one).
        None => generated_cover.map(|png| {
            used_hrefs.insert(GENERATED_COVER.into());
            Image {
                href: GENERATED_COVER.into(),
                media_type: "image/png",
                bytes: png.to_vec(),
            }
        }),
    };
    let mut images: HashMap<String, String> = HashMap::new();
    let mut resources: Vec<Image> = Vec::new();
    for src in &book.figures {
        {
            let src = src.as_str();
            let stem = std::path::Path::new(src)
                .file_stem()
                .map(|s| crate::markdown::slug(&s.to_string_lossy()))
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| "image".into());
            match image(assets, src, "image", &stem, &mut used_hrefs) {
                Ok(img) => {
                    images.insert(src.to_string(), img.href.clone());
                    resources.push(img);
                }
                Err(d) => diags.push(d),
            }
        }
    }
    if !diags.is_empty() {
        return Err(diags);
    }

    let mut facts = book.facts.clone();
    if cover.is_some() {
        // The cover page's image always carries the text of the cover as its alt.
        facts.has_cover_image = true;
        facts.images += 1;
        facts.images_with_alt += 1;
    }
    facts.page_list = !pages.is_empty();
    let identifier = book.identifier.urn();

    // Content documents.
    let hrefs = piece_hrefs(book.pieces.iter().map(|p| p.slug.as_str()));
    let markers = pagebreak::Markers::of(pages);
    let ctx = xhtml::Ctx {
        book,
        hrefs: &hrefs,
        images: &images,
        markers: &markers,
    };
    // The content documents, with the labels of the page markers each holds.
    let mut placed: Vec<(String, Vec<String>)> = Vec::new();
    let mut front = Vec::new();
    let title_doc = xhtml::title_page(book, &lang, &markers, &mut front);
    placed.push((TITLE_PAGE.to_string(), front));
    let mut docs = Vec::new();
    // A piece's XHTML is made again only when something it is made from changed (in
    // `folio watch`, an edit touches one piece; the rest come from the last build).
    let shared = shared_key(book, &hrefs, &images);
    let mut made: HashMap<u64, Arc<PieceDoc>> = HashMap::new();
    for (i, (piece, href)) in book.pieces.iter().zip(&hrefs).enumerate() {
        let key = piece_key(shared, book, i, &piece.lang, &markers);
        let entry = match previous.pieces.get(&key) {
            Some(e) => e.clone(),
            None => Arc::new(PieceDoc::new(xhtml::piece(&ctx, piece))),
        };
        placed.push((href.clone(), entry.labels.clone()));
        docs.push(entry.clone());
        made.insert(key, entry);
    }
    previous.pieces = made;
    let page_list = pagebreak::entries(&placed);
    if page_list.len() != pages.len() {
        return Err(vec![
            Diagnostic::error(format!(
                "folio placed {} of the {} page markers in the EPUB",
                page_list.len(),
                pages.len()
            ))
            .hint("this is a bug in folio; please report it with the manuscript"),
        ]);
    }

    // The body font, when the settings embed it: each face pruned to what the text shows;
    // and the code face, when the book has code.
    let has_code = docs.iter().any(|d| d.xhtml.contains("<code"));
    // The fallback fonts too (`[pdf] fallback-fonts`), after them in every font stack.
    let embedded: Vec<(String, Vec<u8>)> = if book.settings.epub.embed_fonts {
        let cover_doc = xhtml::cover(book, &lang, None);
        let mut all: Vec<&str> = vec![title_doc.as_str(), cover_doc.as_str()];
        all.extend(docs.iter().map(|d| d.xhtml.as_str()));
        let words = fonts::words(&all);
        let faces = css::FONTS
            .iter()
            .map(|(href, bytes, _, _)| (href.to_string(), FontBytes::Static(bytes)));
        let mono = has_code.then(|| (css::MONO.0.to_string(), FontBytes::Static(css::MONO.1)));
        let fallbacks = book.settings.pdf.fallback_fonts.iter().enumerate();
        let fallbacks = fallbacks.filter_map(|(k, path)| {
            let bytes = assets.get(path)?;
            Some((
                css::fallback_href(k, bytes),
                FontBytes::Owned(bytes.clone()),
            ))
        });
        faces
            .chain(mono)
            .chain(fallbacks)
            .map(|(href, bytes)| {
                let pruned =
                    fonts::prune(bytes.clone(), &words, &lang).unwrap_or_else(|| bytes.to_vec());
                (href, pruned)
            })
            .collect()
    } else {
        Vec::new()
    };

    // Every entry folio makes goes to epub-builder empty: it would only deflate it, and the
    // re-packaging pass inflate it again and deflate it a second time. That pass writes the
    // real bytes (or copies them from the last container when they did not change).
    // Entries are stamped with the build clock's day: an edit in `folio watch` moves a
    // clock taken from the files' times, and a new stamp on every entry would have each
    // one compressed again; the package's `dcterms:modified` keeps the full time.
    let time = zip::stamp(clock_secs - clock_secs.rem_euclid(SECONDS_PER_DAY));
    let mut held = zip::Held::new();
    let mut hold = |name: String, bytes: &[u8]| {
        held.insert(name, bytes.to_vec());
    };
    let plan = plan(BuildInput {
        hold: &mut hold,
        book,
        title_doc: &title_doc,
        docs: &docs,
        lang: &lang,
        title: &title,
        hrefs: &hrefs,
        cover: cover.as_ref(),
        resources: &resources,
        fonts: &embedded,
    });
    let built = match previous.built.take() {
        Some((last, bytes)) if last == plan => bytes,
        _ => drive(&plan)
            .map_err(|e| vec![Diagnostic::error(format!("cannot write the EPUB: {e}"))])?,
    };

    // Reading order of a link target: its document's place in the spine, then where its id
    // stands in the document.
    let spine: Vec<&str> = std::iter::once(TITLE_PAGE)
        .chain(hrefs.iter().map(String::as_str))
        .collect();
    // Every id of every document with its place (a piece's found when it was made).
    let mut ids: HashMap<(&str, &str), usize> = HashMap::new();
    for (id, at) in ids_of(&title_doc) {
        ids.entry((TITLE_PAGE, id)).or_insert(at);
    }
    for (href, doc) in hrefs.iter().zip(&docs) {
        for (id, at) in &doc.ids {
            ids.entry((href.as_str(), id.as_str())).or_insert(*at);
        }
    }
    let reading_order = |target: &str| -> (usize, usize) {
        let (file, id) = target.split_once('#').unwrap_or((target, ""));
        let Some(k) = spine.iter().position(|h| *h == file) else {
            return (0, 0); // the cover, before everything
        };
        (k + 1, ids.get(&(file, id)).copied().unwrap_or(0))
    };
    let info = package::PackageInfo {
        meta: &book.meta,
        people: &book.words.people,
        creators: book.words.creators,
        identifier: identifier.clone(),
        lang: lang.clone(),
        modified: iso8601(clock_secs),
        a11y: facts.metadata(&title),
        // The PDF carries the book's identifier in its metadata.
        page_source: facts.page_list.then(|| identifier.clone()),
    };
    // The navigation documents are completed again only when what they are made from
    // changed (an edit that moves no page leaves them as they were).
    let mut navigation = std::mem::take(&mut previous.navigation);
    let order_key = reading_order_key(&title_doc, &docs);
    let out = zip::repackage_cached(
        &built,
        time,
        |name, bytes| {
            let text = || String::from_utf8(bytes.clone()).map_err(|e| format!("{name}: {e}"));
            let key = || navigation_key(name, &bytes, &page_list, &[&identifier, &title, &lang]);
            Ok(match name {
                "OEBPS/content.opf" => package::complete(&text()?, &info)?.into_bytes(),
                "OEBPS/nav.xhtml" => completed(&mut navigation, name, key(), || {
                    nav::complete_nav(&text()?, &lang, Some(COVER), &page_list)
                })?,
                "OEBPS/toc.ncx" => {
                    let key = key() ^ order_key;
                    completed(&mut navigation, name, key, || {
                        nav::complete_ncx(&text()?, &identifier, &title, &page_list, &reading_order)
                    })?
                }
                _ => bytes,
            })
        },
        previous,
        held,
    )
    .map_err(|e| vec![Diagnostic::error(format!("cannot package the EPUB: {e}"))])?;
    previous.navigation = navigation;
    previous.built = Some((plan, built));
    Ok(out)
}

/// A completed navigation document: the last one made under `key`, or a new one.
fn completed(
    made: &mut HashMap<String, (u64, Vec<u8>)>,
    name: &str,
    key: u64,
    complete: impl FnOnce() -> Result<String, String>,
) -> Result<Vec<u8>, String> {
    if let Some((k, bytes)) = made.get(name)
        && *k == key
    {
        return Ok(bytes.clone());
    }
    let bytes = complete()?.into_bytes();
    made.insert(name.to_string(), (key, bytes.clone()));
    Ok(bytes)
}

/// The key of a navigation document's completion: the entry, epub-builder's text of it,
/// the page list and the words it is given.
fn navigation_key(name: &str, text: &[u8], pages: &[(String, String)], words: &[&str]) -> u64 {
    let mut h = Fnv::new();
    for part in [name.as_bytes(), text]
        .into_iter()
        .chain(words.iter().map(|w| w.as_bytes()))
        .chain(pages.iter().flat_map(|(a, b)| [a.as_bytes(), b.as_bytes()]))
    {
        h.write_part(part);
    }
    h.finish()
}

/// What the NCX's reading order depends on: the documents' ids in the order they stand
/// (where in its document an id stands only orders it among the others).
fn reading_order_key(title_doc: &str, docs: &[Arc<PieceDoc>]) -> u64 {
    let mut h = Fnv::new();
    let ids = ids_of(title_doc)
        .into_iter()
        .map(|(id, _)| id)
        .chain(std::iter::once("\u{0}"));
    let pieces = docs.iter().flat_map(|d| {
        d.ids
            .iter()
            .map(|(id, _)| id.as_str())
            .chain(std::iter::once("\u{0}"))
    });
    for id in ids.chain(pieces) {
        h.write_part(id.as_bytes());
    }
    h.finish()
}

/// A piece's XHTML, the page labels it placed and the place of each of its ids.
pub struct PieceDoc {
    xhtml: String,
    labels: Vec<String>,
    ids: Vec<(String, usize)>,
}

impl PieceDoc {
    fn new((xhtml, labels): (String, Vec<String>)) -> PieceDoc {
        let ids = ids_of(&xhtml)
            .into_iter()
            .map(|(id, at)| (id.to_string(), at))
            .collect();
        PieceDoc { xhtml, labels, ids }
    }
}

/// The `id` attributes of a document with where each stands, in one pass.
fn ids_of(doc: &str) -> Vec<(&str, usize)> {
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(k) = doc[at..].find(" id=\"") {
        let start = at + k + 5;
        let Some(len) = doc[start..].find('"') else {
            break;
        };
        out.push((&doc[start..start + len], at + k));
        at = start + len;
    }
    out
}

/// A day in seconds (the container's entries are stamped with the day of the edition).
const SECONDS_PER_DAY: i64 = 86_400;

/// Where the generated cover image is stored.
const GENERATED_COVER: &str = "images/cover.png";

/// The cover page's file name (a typographic cover when there is no cover image).
const COVER: &str = "cover.xhtml";
const TITLE_PAGE: &str = "titlepage.xhtml";

/// The book's title: its own, else its first piece's.
pub fn book_title(book: &Book) -> String {
    book.meta
        .title
        .clone()
        .or_else(|| book.pieces.first().and_then(|p| p.meta.title.clone()))
        .unwrap_or_else(|| "Untitled".into())
}

/// The file name of each piece, from its slug: made unique and kept clear of our own files.
pub fn piece_hrefs<'a>(slugs: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut used: HashSet<String> = ["cover", "titlepage", "nav", "toc", "stylesheet"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    slugs
        .into_iter()
        .enumerate()
        .map(|(i, slug)| {
            let base = if slug.is_empty() {
                format!("piece-{}", i + 1)
            } else {
                slug.to_string()
            };
            let mut name = base.clone();
            let mut k = 1;
            while !used.insert(name.clone()) {
                k += 1;
                name = format!("{base}-{k}");
            }
            format!("{name}.xhtml")
        })
        .collect()
}

/// An image stored in the package.
struct Image {
    href: String,
    media_type: &'static str,
    bytes: Vec<u8>,
}

fn image(
    assets: &Assets,
    src: &str,
    what: &str,
    stem: &str,
    used: &mut HashSet<String>,
) -> Result<Image, Diagnostic> {
    let bytes = assets
        .get(src)
        .ok_or_else(|| Diagnostic::error(format!("the {what} `{src}` was not read")))?
        .to_vec();
    // The type is the bytes', whatever the name says (a PNG named `.jpg`), and the file
    // is checked as strictly as a reader will read it.
    let (ext, media_type) = match crate::image::sniff(&bytes) {
        Some(t) => t,
        None => {
            return Err(Diagnostic::error(format!(
                "the {what} `{src}` is not an image EPUB readers show (its bytes are not a JPEG, PNG, GIF, WebP or SVG file)"
            ))
            .hint("use a JPEG, PNG, GIF, WebP or SVG file"));
        }
    };
    if matches!(ext, "jpg" | "png")
        && let Err(why) = crate::image::decode(&bytes)
    {
        return Err(
            Diagnostic::error(format!("the {what} `{src}` cannot be read: {why}"))
                .hint("open it in an image editor and save it again as PNG or JPEG"),
        );
    }
    let mut href = format!("images/{stem}.{ext}");
    let mut k = 1;
    while !used.insert(href.clone()) {
        k += 1;
        href = format!("images/{stem}-{k}.{ext}");
    }
    Ok(Image {
        href,
        media_type,
        bytes,
    })
}

/// What every piece's XHTML depends on beyond the piece: the book's metadata (pieces
/// inherit it), the pieces' files, where the book's links lead and the images' places.
fn shared_key(book: &Resolved, hrefs: &[String], images: &HashMap<String, String>) -> u64 {
    let mut images: Vec<(&String, &String)> = images.iter().collect();
    images.sort();
    crate::memo::key(&(&book.meta, hrefs, &book.targets, images))
}

/// The key of piece `i`'s XHTML: the shared key, its text (by hash), its place, language
/// and metadata, and the page labels the page map puts in it.
fn piece_key(
    shared: u64,
    book: &Resolved,
    i: usize,
    lang: &str,
    markers: &pagebreak::Markers,
) -> u64 {
    let piece = &book.pieces[i];
    let file = piece.span.file;
    let text = book.text_hashes.get(file as usize).copied();
    // The last piece holds the markers of the blank pages after it.
    let end = (i + 1 == book.pieces.len()).then_some(&markers.end);
    let order = |s: &crate::model::Span| (s.start, s.end);
    let mut texts: Vec<_> = markers
        .texts
        .iter()
        .filter(|(s, _)| s.file == file)
        .collect();
    texts.sort_by_key(|(s, _)| order(s));
    let mut blocks: Vec<_> = markers
        .blocks
        .iter()
        .filter(|(s, _)| s.file == file)
        .collect();
    blocks.sort_by_key(|(s, _)| order(s));
    crate::memo::key(&(
        (shared, i, file, text, lang, &piece.meta),
        (markers.openings.get(&(i as u32)), end, texts, blocks),
    ))
}

struct BuildInput<'a> {
    /// Takes each entry's bytes (the package path and the content) for the re-packaging.
    hold: &'a mut dyn FnMut(String, &[u8]),
    book: &'a Resolved,
    title_doc: &'a str,
    docs: &'a [Arc<PieceDoc>],
    lang: &'a str,
    title: &'a str,
    hrefs: &'a [String],
    cover: Option<&'a Image>,
    resources: &'a [Image],
    /// The embedded fonts (pruned), by their place in the package; empty: none.
    fonts: &'a [(String, Vec<u8>)],
}

/// Hands the content of the entry OEBPS/`href` to `hold`, for the re-packaging pass
/// (epub-builder stores every entry empty).
fn held(hold: &mut dyn FnMut(String, &[u8]), href: &str, bytes: &[u8]) {
    hold(format!("OEBPS/{href}"), bytes);
}

/// Everything epub-builder is told. The entries' contents are not in it: they are held
/// back for the re-packaging pass ([`plan`]), so the archive epub-builder makes depends
/// on the plan alone, and a build with the last build's plan reuses that archive
/// (`zip::Previous::built`) instead of having epub-builder render and zip it again.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    title: String,
    lang: String,
    description: Option<String>,
    subjects: Vec<String>,
    rights: Option<String>,
    /// The embedded fonts' places in the package.
    fonts: Vec<String>,
    /// The cover image's place and media type.
    cover: Option<(String, &'static str)>,
    resources: Vec<(String, &'static str)>,
    pieces: Vec<PlannedPiece>,
}

/// A piece as epub-builder sees it: its document, its label and its contents entries
/// (link, text, level).
#[derive(Debug, Clone, PartialEq)]
struct PlannedPiece {
    href: String,
    label: String,
    toc: Vec<(String, String, i32)>,
    /// The part it is in (its entries a level down), and the part's title at its first.
    in_part: bool,
    opens_part: Option<String>,
}

/// The plan of the archive epub-builder is to make; every entry's content goes to `hold`.
fn plan(input: BuildInput) -> Plan {
    let BuildInput {
        hold,
        book,
        title_doc,
        docs,
        lang,
        title,
        hrefs,
        cover,
        resources,
        fonts,
    } = input;
    let m = &book.meta;
    let embed = !fonts.is_empty();
    let mono = fonts.iter().any(|(href, _)| href == css::MONO.0);
    let fallbacks: Vec<&str> = fonts
        .iter()
        .map(|(href, _)| href.as_str())
        .filter(|h| h.starts_with(css::FALLBACK_PREFIX))
        .collect();
    held(
        hold,
        "stylesheet.css",
        css::stylesheet(embed, mono, &fallbacks).as_bytes(),
    );
    for (href, bytes) in fonts {
        held(hold, href, bytes);
    }
    if let Some(img) = cover {
        held(hold, &img.href, &img.bytes);
    }
    for img in resources {
        held(hold, &img.href, &img.bytes);
    }
    let cover_page = xhtml::cover(book, lang, cover.map(|c| c.href.as_str()));
    held(hold, COVER, cover_page.as_bytes());
    held(hold, TITLE_PAGE, title_doc.as_bytes());
    let mut pieces = Vec::with_capacity(hrefs.len());
    for ((piece, href), doc) in book.pieces.iter().zip(hrefs).zip(docs) {
        held(hold, href, doc.xhtml.as_bytes());
        let mut toc = Vec::new();
        for blk in piece.blocks.iter() {
            if let Kind::Heading {
                level,
                anchor,
                content,
                ..
            } = &blk.kind
            {
                let text = plain_text(content);
                if *level <= 3 && !text.trim().is_empty() {
                    let url = format!("{href}#{anchor}");
                    toc.push((url, text.trim().to_string(), i32::from(*level)));
                }
            }
        }
        pieces.push(PlannedPiece {
            href: href.clone(),
            label: piece.label.clone(),
            toc,
            in_part: piece.part.is_some(),
            opens_part: piece.part.clone().filter(|_| piece.opens_part),
        });
    }
    Plan {
        title: title.to_string(),
        lang: lang.to_string(),
        description: m.description.clone(),
        subjects: m.subjects.clone(),
        rights: m.rights.clone(),
        fonts: fonts.iter().map(|(href, _)| href.clone()).collect(),
        cover: cover.map(|c| (c.href.clone(), c.media_type)),
        resources: resources
            .iter()
            .map(|r| (r.href.clone(), r.media_type))
            .collect(),
        pieces,
    }
}

/// Drives epub-builder through `plan`, every entry empty: everything it writes here, it
/// escapes itself.
fn drive(plan: &Plan) -> Result<Vec<u8>, epub_builder::Error> {
    let none: &[u8] = &[];
    let mut b = EpubBuilder::new(ZipLibrary::new()?)?;
    b.epub_version(EpubVersion::V33);
    b.set_title(plan.title.as_str());
    // One language and no `author` metadata: together they would duplicate an id (0.8.3).
    b.add_language(plan.lang.as_str());
    b.set_toc_name("Contents");
    b.set_generator("folio");
    if let Some(d) = &plan.description {
        b.add_description(d.as_str());
    }
    for s in &plan.subjects {
        b.add_subject(s.as_str());
    }
    if let Some(r) = &plan.rights {
        b.set_license(r.as_str());
    }
    // Replaced by the real identifier in the re-packaging pass; set so nothing is random.
    b.set_uuid(uuid::Uuid::nil());
    b.stylesheet(none)?;
    for href in &plan.fonts {
        let media_type = match href.ends_with(".otf") {
            true => "font/otf",
            false => "font/ttf",
        };
        b.add_resource(href, none, media_type)?;
    }
    if let Some((href, media_type)) = &plan.cover {
        b.add_cover_image(href, none, *media_type)?;
    }
    for (href, media_type) in &plan.resources {
        b.add_resource(href, none, *media_type)?;
    }
    // No title: the cover stays out of the table of contents (its landmark is added later).
    b.add_content(EpubContent::new(COVER, none).reftype(ReferenceType::Cover))?;
    b.add_content(
        EpubContent::new(TITLE_PAGE, none)
            .title("Title Page")
            .reftype(ReferenceType::TitlePage),
    )?;
    for (i, piece) in plan.pieces.iter().enumerate() {
        // A part's pieces are entries under the part's, which leads to its first piece.
        let down = i32::from(piece.in_part);
        let mut toc = TocElement::new(piece.href.as_str(), piece.label.as_str()).level(1 + down);
        for (url, text, level) in &piece.toc {
            toc.add(TocElement::new(url.as_str(), text.as_str()).level(*level + down));
        }
        if let Some(part) = &piece.opens_part {
            toc = TocElement::new(piece.href.as_str(), part.as_str()).child(toc);
        }
        let mut content = EpubContent::new(piece.href.as_str(), none);
        content.toc = toc;
        if i == 0 {
            content = content.reftype(ReferenceType::Text);
        }
        b.add_content(content)?;
    }
    let mut out = Vec::new();
    b.generate(&mut out)?;
    Ok(out)
}
