//! The PDF writer: [`Pages`] in → PDF bytes out. The only module that touches printpdf/lopdf.
//!
//! printpdf draws the pages (one `match` over [`Item`] below) and embeds the fonts we subset
//! ourselves ([`font`]); its lopdf document is then finished here with what printpdf lacks or
//! gets wrong: page boxes with bleed, a nested outline and page labels ([`outline`]), the
//! Info dictionary, XMP and `/Lang` ([`metadata`]), and a document ID hashed from the content.
//! Nothing is random and nothing reads the clock: the same `Pages` give the same bytes.

mod content;
mod digest;
mod font;
mod image;
mod metadata;
mod outline;
mod splice;
mod structure;
mod tags;

use std::fmt;

use lopdf::{Dictionary, Document, Object, ObjectId, Stream, StringFormat};
use printpdf::{
    Actions, BorderArray, ColorArray, Destination as PpDest, LinkAnnotation, Op, PdfDocument,
    PdfPage, PdfSaveOptions, Pt, Rect as PpRect,
};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::hash::Fnv;
use crate::typeset::frame::{DocInfo, Item, Page, Pages, Rect};

/// Why the PDF could not be written.
#[derive(Debug, Clone, PartialEq)]
pub enum PdfError {
    /// There is nothing to write.
    NoPages,
    /// A glyph run names a font index outside `Pages::fonts`.
    NoSuchFont(usize),
    /// A link or outline entry points at a page that does not exist.
    NoSuchPage(usize),
    /// A font could not be read, subset or embedded.
    Font { font: String, message: String },
    /// `DocInfo::date` is not `YYYY-MM-DD[THH:MM:SS[Z]]`.
    BadDate(String),
    /// printpdf or lopdf reported an error while serialising.
    Write(String),
}

impl fmt::Display for PdfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PdfError::NoPages => write!(f, "the document has no pages"),
            PdfError::NoSuchFont(i) => write!(f, "a glyph run uses font #{i}, which is not listed"),
            PdfError::NoSuchPage(p) => {
                write!(f, "a link or bookmark points to missing page {}", p + 1)
            }
            PdfError::Font { font, message } => write!(f, "font {font}: {message}"),
            PdfError::BadDate(d) => write!(f, "date {d:?} is not YYYY-MM-DDTHH:MM:SSZ"),
            PdfError::Write(m) => write!(f, "writing the PDF failed: {m}"),
        }
    }
}

impl std::error::Error for PdfError {}

/// Compressed page content streams by a hash of everything they depend on (the page's
/// items, the subset fonts, the image numbers), kept between the builds of `folio watch`:
/// an edit re-encodes only the pages it changed.
#[derive(Default)]
pub struct Cache {
    streams: HashMap<u64, Arc<PageStream>>,
    /// Subset fonts by font, glyph set and texts.
    subsets: HashMap<u64, Arc<font::EmbeddedFont>>,
    /// Hashes of the rows and images the pages show.
    memo: crate::manifest::HashMemo,
    /// What the document's keys read of the rows (their elements and links).
    digests: digest::Digests,
    /// The last document written, for a rebuild that only changes pages' contents.
    last: Option<Last>,
    /// Whether the last write reused the document before it (and spliced its file).
    reused: bool,
    /// Keep the document and the file written for the next write (a `folio watch`
    /// session); a single build keeps neither, nor works out their key.
    pub keep: bool,
}

impl Cache {
    /// The row and image hashes, shared with the edition manifest.
    pub fn memo(&mut self) -> &mut crate::manifest::HashMemo {
        &mut self.memo
    }

    /// Did the last write reuse the document of the write before (see [`Last`]) and splice
    /// the file it saved (see [`splice`])?
    pub fn reused(&self) -> bool {
        self.reused
    }
}

/// The document of the last write with the key of everything in it but the pages' content
/// streams and the date ([`structure_key`]). A rebuild with the same key (an edit in
/// `folio watch` that moved no page, link, font subset or image) puts its new streams
/// and date into this document instead of having printpdf and lopdf build every object
/// again: the same objects under the same numbers, so the same bytes as a fresh write.
struct Last {
    key: u64,
    doc: Document,
    /// Each page's content stream object and the bytes it holds.
    contents: Vec<Held>,
    /// The Info dictionary and the XMP stream, which carry the date.
    info: ObjectId,
    xmp: ObjectId,
    /// The file as last saved (see [`splice`]).
    saved: Option<splice::Saved>,
    /// Each stream object's content hash, for the document ID.
    stream_hashes: HashMap<ObjectId, u64>,
}

impl Last {
    /// Puts `streams` (one per page) and `info`'s metadata into the document; returns the
    /// objects replaced.
    fn update(
        &mut self,
        streams: Vec<Arc<PageStream>>,
        info: &DocInfo,
    ) -> Result<HashSet<ObjectId>, PdfError> {
        let mut changed: HashSet<ObjectId> = [self.info, self.xmp].into();
        for ((id, held), bytes) in self.contents.iter_mut().zip(streams) {
            if !Arc::ptr_eq(held, &bytes) {
                self.doc.objects.insert(*id, content_object(&bytes.bytes));
                *held = bytes;
                changed.insert(*id);
            }
        }
        let (info_dict, xmp) = metadata_objects(info)?;
        self.doc
            .objects
            .insert(self.info, Object::Dictionary(info_dict));
        self.doc.objects.insert(self.xmp, Object::Stream(xmp));
        Ok(changed)
    }
}

/// A page's content stream object and the (deflated) bytes it holds.
type Held = (ObjectId, Arc<PageStream>);

/// A page's content stream, deflated, and its marked content: which tag of the page owns
/// each MCID (by the tag's place among the page's tags, so a stream kept for an unchanged
/// page stays right when its elements are numbered anew).
pub(crate) struct PageStream {
    pub bytes: Vec<u8>,
    pub marks: tags::Record,
    /// The key of `marks` (made with the stream, so a reused page is not hashed again).
    pub marks_key: u64,
}

/// A page's content stream object (its bytes deflated).
fn content_object(bytes: &[u8]) -> Object {
    let mut d = Dictionary::new();
    d.set("Filter", Object::Name(b"FlateDecode".to_vec()));
    Object::Stream(Stream::new(d, bytes.to_vec()))
}

/// The hash of everything the document holds but the pages' content streams and the
/// date: the pages' boxes and links, where links lead, the outline, the page labels, the
/// metadata, the font subsets, the images and the marks' colour.
fn structure_key(
    pages: &Pages,
    digests: &[digest::PageDigest],
    fonts: &[Option<Arc<font::EmbeddedFont>>],
    memo: &crate::manifest::HashMemo,
    streams: &[Arc<PageStream>],
    book: &crate::resolve::Structure,
) -> u64 {
    let mut h = Fnv::new();
    h.write_u64(pages.pages.len() as u64);
    for (page, digest) in pages.pages.iter().zip(digests) {
        let (mw, mh) = page.media_size();
        let (tx, ty) = page.trim_offset();
        for v in [
            page.width,
            page.height,
            page.bleed,
            page.slug,
            mw,
            mh,
            tx,
            ty,
        ] {
            h.write_u32(v.to_bits());
        }
        h.write_u64(digest.links);
    }
    for &to in &pages.renumber {
        h.write_u64(to as u64);
    }
    let undated = DocInfo {
        date: String::new(),
        ..pages.info.clone()
    };
    h.write_u64(crate::memo::key(&(
        &pages.outline,
        &pages.page_labels,
        &undated,
    )));
    for f in fonts {
        h.write_u64(f.as_ref().map_or(0, |f| f.key));
    }
    // The structure tree: which element owns each piece of marked content (what the tree
    // is made of, so the tree itself is made only for a new document).
    h.write_u64(structure::key(digests, streams, book));
    for img in &pages.images {
        // By content when the manifest hashed it (always, in a build), else by address.
        h.write_u64(memo.image(img).unwrap_or(Arc::as_ptr(img) as usize as u64));
    }
    h.write_u32(u32::from(has_marks(pages)));
    h.finish()
}

/// Writes `pages` as a PDF.
pub fn pdf(pages: &Pages) -> Result<Vec<u8>, PdfError> {
    let mut cache = Cache::default();
    let hashes = crate::manifest::Manifest::with_hashes(pages, &mut cache.memo).1;
    pdf_cached(pages, &hashes, &mut cache)
}

/// [`pdf`], reusing the content streams and subsets `cache` holds (the bytes are the same
/// either way); `hashes` are the pages' hashes from the edition manifest.
pub fn pdf_cached(pages: &Pages, hashes: &[u64], cache: &mut Cache) -> Result<Vec<u8>, PdfError> {
    if pages.pages.is_empty() {
        return Err(PdfError::NoPages);
    }
    // One compressor on this thread for the whole write, made on first use (its tables
    // are a third of a megabyte to set up and fault in; a six-page book needed three).
    let mut deflater = None;
    let fonts = font::embed_fonts(pages, &mut cache.subsets, &mut deflater)?;
    let digests = cache.digests.of(pages, cache.memo.identities(), cache.keep);
    let streams = content_streams(
        pages,
        hashes,
        &digests,
        &fonts,
        &mut cache.streams,
        &mut deflater,
    )?;
    // The marked content of every page, by element: the structure tree's making.
    // A document without the book's structure (a wrap cover for the printer) is tagged
    // too: an empty tree, everything drawn an artifact.
    let untagged;
    let book = match &pages.structure {
        Some(s) => s.as_ref(),
        None => {
            untagged = crate::resolve::Structure {
                lang: pages.info.lang.clone(),
                scopes: Vec::new(),
            };
            &untagged
        }
    };
    let key = match cache.keep {
        true => structure_key(pages, &digests, &fonts, &cache.memo, &streams, book),
        false => 0,
    };
    let (mut last, changed) = match cache.last.take() {
        Some(mut last) if last.key == key => {
            let changed = last.update(streams, &pages.info)?;
            (last, Some(changed))
        }
        previous => {
            // The last document is freed off the build's way (a novel's is milliseconds).
            crate::memo::discard(previous);
            let tree = structure::Tree::of(pages, &streams, book);
            (
                fresh(pages, &fonts, streams, key, (&tree, book), &mut deflater)?,
                None,
            )
        }
    };

    let lo = &mut last.doc;
    // The ID hashes the identifier and every stream's (compressed) content, which is all the
    // page content, fonts and images (ISO 32000-1, 14.4); printpdf's random one is replaced.
    // Each stream's hash is kept with the document: a reused one hashes only the streams an
    // edit replaced (the novel's 2 MB of streams were half a millisecond a rebuild).
    let mut content = Fnv::with_seed(2);
    for (oid, object) in &lo.objects {
        if let Object::Stream(stream) = object {
            let kept = last
                .stream_hashes
                .get(oid)
                .filter(|_| changed.as_ref().is_some_and(|c| !c.contains(oid)));
            let h = match kept {
                Some(h) => *h,
                None => {
                    let h = crate::hash::of(&stream.content);
                    last.stream_hashes.insert(*oid, h);
                    h
                }
            };
            content.write_u64(h);
        }
    }
    let id = document_id(&pages.info.identifier, &content.finish().to_be_bytes());
    lo.trailer.set("ID", Object::Array(vec![id.clone(), id]));
    // A reused document is spliced into the last file (the same bytes as lopdf's save).
    let spliced = match (&changed, &last.saved) {
        (Some(changed), Some(saved)) => splice::splice(&last.doc, saved, changed),
        _ => None,
    };
    cache.reused = spliced.is_some();
    let (bytes, saved) = match spliced {
        Some(saved) => (saved.bytes().to_vec(), Some(saved)),
        None => (save(&mut last.doc)?, None),
    };
    if cache.keep {
        last.saved = saved.or_else(|| splice::Saved::read(bytes.clone()));
        cache.last = Some(last);
    } else {
        // Freed off the build's way: the novel's document is some 5 ms of `free`.
        crate::memo::discard(last);
    }
    Ok(bytes)
}

/// A new document from printpdf, finished by folio: its pages, fonts, streams, boxes,
/// navigation and metadata, every stream compressed.
fn fresh(
    pages: &Pages,
    fonts: &[Option<Arc<font::EmbeddedFont>>],
    streams: Vec<Arc<PageStream>>,
    key: u64,
    tree: (&structure::Tree, &crate::resolve::Structure),
    deflater: &mut Option<Deflater>,
) -> Result<Last, PdfError> {
    let mut doc = PdfDocument::new(&pages.info.title);
    for (i, img) in pages.images.iter().enumerate() {
        doc.resources
            .xobjects
            .map
            .insert(image::id(i), image::xobject(img));
    }
    for page in &pages.pages {
        doc.pages.push(annotations(page, pages)?);
    }

    let opts = PdfSaveOptions {
        // Compression happens after our own edits; printpdf must not subset (we did).
        optimize: false,
        subset_fonts: false,
        secure: true,
        image_optimization: None,
    };
    let mut warnings = Vec::new();
    let mut lo = doc.to_lopdf_document(&opts, &mut warnings);
    if let Some(w) = warnings
        .iter()
        .find(|w| w.severity == printpdf::PdfParseErrorSeverity::Error)
    {
        return Err(PdfError::Write(w.msg.clone()));
    }
    let contents = attach(&mut lo, fonts, streams, has_marks(pages))?;
    let (info, xmp) = finish(&mut lo, pages)?;
    tag(&mut lo, tree)?;
    compress(&mut lo, deflater);
    Ok(Last {
        key,
        doc: lo,
        contents,
        info,
        xmp,
        saved: None,
        stream_hashes: HashMap::new(),
    })
}

/// Deflate's level for every stream. Deflating is the writer's dearest step; on the
/// 551-page novel level 3 writes a PDF of 1829 KB against 1760 KB at zlib's default 6, in
/// three quarters of the time (lopdf's own `compress` uses 9, slower again).
const DEFLATE_LEVEL: u32 = 3;

/// Deflates every stream that allows it and has no filter yet, on two threads (this is the
/// writer's most expensive step). Each stream compresses on its own, so the bytes do not
/// depend on how the work is split.
fn compress(lo: &mut Document, deflater: &mut Option<Deflater>) {
    let mut streams: Vec<&mut Stream> = lo
        .objects
        .values_mut()
        .filter_map(|o| match o {
            Object::Stream(s) if s.allows_compression && s.dict.get(b"Filter").is_err() => Some(s),
            _ => None,
        })
        .collect();
    on_two_threads(&mut streams, deflater, |d, s| {
        let out = deflate_with(d, &s.content);
        // As lopdf does: keep the raw bytes unless deflating saves more than the filter entry.
        if out.len() + 19 < s.content.len() {
            s.dict.set("Filter", "FlateDecode");
            s.set_content(out);
        }
    });
}

/// Fewer items than this are handled on the calling thread: a second thread and its
/// compressor (whose tables are allocated and cleared) cost more than a few pages' worth
/// of deflating (a six-page interview spent 1.3 ms on its streams, most of it there).
const ONE_THREAD_BELOW: usize = 16;

/// Runs `f` on every item, on two threads (the machine's cores), each with its own
/// compressor: this thread's is `mine` (made if it is `None`). Each item is handled on its
/// own, so the result does not depend on the split.
fn on_two_threads<T: Send>(
    items: &mut [T],
    mine: &mut Option<Deflater>,
    f: impl Fn(&mut Deflater, &mut T) + Sync,
) {
    if items.is_empty() {
        return;
    }
    if items.len() < ONE_THREAD_BELOW {
        let d = mine.get_or_insert_with(Deflater::new);
        items.iter_mut().for_each(|x| f(d, x));
        return;
    }
    let half = items.len() / 2;
    let (a, b) = items.split_at_mut(half);
    std::thread::scope(|scope| {
        scope.spawn(|| {
            let mut d = Deflater::new();
            a.iter_mut().for_each(|x| f(&mut d, x));
        });
        let d = mine.get_or_insert_with(Deflater::new);
        b.iter_mut().for_each(|x| f(d, x));
    });
}

fn save(doc: &mut Document) -> Result<Vec<u8>, PdfError> {
    let mut out = Vec::new();
    doc.save_to(&mut out)
        .map_err(|e| PdfError::Write(e.to_string()))?;
    Ok(out)
}

fn document_id(identifier: &str, content: &[u8]) -> Object {
    let mut bytes = Vec::with_capacity(16);
    // Two independently seeded 64-bit hashes make the 16 bytes the spec recommends.
    for seed in [0u8, 1] {
        let mut h = Fnv::with_seed(seed);
        h.write(identifier.as_bytes());
        h.write(content);
        bytes.extend_from_slice(&h.finish().to_be_bytes());
    }
    Object::String(bytes, StringFormat::Hexadecimal)
}

/// The frame's y-down, trim-relative coordinates → PDF's y-up media-box coordinates.
struct Space {
    bleed: f32,
    /// PDF y of the trim box's top edge.
    top: f32,
}

impl Space {
    fn of(page: &Page) -> Space {
        let (x, y) = page.trim_offset();
        Space {
            bleed: x,
            top: y + page.height,
        }
    }
    fn rect(&self, r: &Rect) -> PpRect {
        PpRect::from_xywh(
            Pt(self.bleed + r.x),
            Pt(self.top - r.y - r.height),
            Pt(r.width),
            Pt(r.height),
        )
    }
}

/// A page for printpdf: its size and its link annotations (the content stream is folio's,
/// attached afterwards by [`attach`]).
fn annotations(page: &Page, pages: &Pages) -> Result<PdfPage, PdfError> {
    let space = Space::of(page);
    let mut ops = Vec::new();
    let mut missing = None;
    page.walk(&mut |item, at| match item {
        Item::Link { rect, dest } => {
            // In an edition with pages added or moved (print, imposed), where the page went.
            let to = pages.renumber.get(dest.page).copied().unwrap_or(dest.page);
            let Some(target) = pages.pages.get(to) else {
                missing = Some(to);
                return;
            };
            let action = Actions::go_to(PpDest::Xyz {
                // printpdf numbers pages from 1.
                page: to + 1,
                left: None,
                top: Some(Space::of(target).top - dest.y),
                zoom: None,
            });
            ops.push(link(space.rect(&at.apply_rect(*rect)), action));
        }
        Item::UriLink { rect, uri } => {
            let action = Actions::uri(crate::escape::url_encode(uri));
            ops.push(link(space.rect(&at.apply_rect(*rect)), action));
        }
        _ => {}
    });
    if let Some(p) = missing {
        return Err(PdfError::NoSuchPage(p));
    }
    // The boxes are rewritten in `finish` (printpdf writes width/height where the spec wants
    // the upper-right corner); these only size the page.
    let (w, h) = page.media_size();
    let media = PpRect::from_xywh(Pt(0.0), Pt(0.0), Pt(w), Pt(h));
    Ok(PdfPage {
        media_box: media.clone(),
        trim_box: media.clone(),
        crop_box: media,
        ops,
    })
}

/// Every page's compressed content stream, from `cache` where the page is unchanged; the
/// new ones are encoded and deflated on two threads (each page on its own, so the bytes do
/// not depend on how the work is split).
fn content_streams(
    pages: &Pages,
    hashes: &[u64],
    digests: &[digest::PageDigest],
    fonts: &[Option<Arc<font::EmbeddedFont>>],
    cache: &mut HashMap<u64, Arc<PageStream>>,
    deflater: &mut Option<Deflater>,
) -> Result<Vec<Arc<PageStream>>, PdfError> {
    // A page's stream depends on what it draws (its manifest hash), on the subsets (glyph
    // codes, and the texts their ToUnicode maps give: a glyph the map reads otherwise gets
    // an `/ActualText`) and on the images' numbers (resource names).
    let mut shared = Fnv::new();
    for f in fonts {
        shared.write_u64(f.as_ref().map_or(0, |f| f.key));
    }
    // Which image each resource name stands for: the images themselves, in order (alive
    // while `pages` is, so no two of them share an address).
    for img in &pages.images {
        shared.write(&(Arc::as_ptr(img) as usize as u64).to_le_bytes());
    }
    let shared = shared.finish();
    let keys: Vec<u64> = hashes
        .iter()
        .zip(digests)
        .map(|(h, digest)| {
            let mut k = Fnv::new();
            k.write(&h.to_le_bytes());
            k.write(&shared.to_le_bytes());
            // Which of the page's tags continue the element before them (one marked-content
            // sequence for a paragraph's lines): the manifest hashes tags by role only.
            k.write_u64(digest.continuations);
            k.finish()
        })
        .collect();
    let in_use: std::collections::HashSet<u64> = keys.iter().copied().collect();
    // The pages to encode: each new stream once (equal pages share one).
    let mut queued = std::collections::HashSet::new();
    let mut fresh: Vec<(u64, &Page, Encoded)> = pages
        .pages
        .iter()
        .zip(&keys)
        .filter(|(_, key)| !cache.contains_key(*key) && queued.insert(**key))
        .map(|(page, key)| (*key, page, Err(PdfError::NoPages)))
        .collect();
    on_two_threads(&mut fresh, deflater, |d, (_, page, out)| {
        *out = content::page_stream(page, fonts, pages.images.len()).map(|(s, marks)| PageStream {
            bytes: deflate_with(d, &s),
            marks_key: crate::memo::key(&marks),
            marks,
        });
    });
    for (key, _, stream) in fresh {
        cache.insert(key, Arc::new(stream?));
    }
    // Only what this edition uses is kept for the next one.
    cache.retain(|k, _| in_use.contains(k));
    Ok(keys.iter().map(|k| cache[k].clone()).collect())
}

/// A page's content stream, deflated, or why it could not be written.
type Encoded = Result<PageStream, PdfError>;

/// A zlib compressor kept across streams: its window and tables are allocated once, not
/// once per page (the bytes are the same as a fresh one's).
pub(crate) struct Deflater(flate2::Compress);

impl Deflater {
    pub fn new() -> Deflater {
        Deflater(flate2::Compress::new(
            flate2::Compression::new(DEFLATE_LEVEL),
            true,
        ))
    }
}

/// Space for the compressed stream beyond the input's half (text deflates to a third).
const DEFLATE_SLACK: usize = 64;

pub(crate) fn deflate_with(d: &mut Deflater, bytes: &[u8]) -> Vec<u8> {
    d.0.reset();
    let mut out = Vec::with_capacity(bytes.len() / 2 + DEFLATE_SLACK);
    loop {
        let read = d.0.total_in() as usize;
        let status = d.0.compress_vec(
            &bytes[read.min(bytes.len())..],
            &mut out,
            flate2::FlushCompress::Finish,
        );
        match status {
            Ok(flate2::Status::StreamEnd) => return out,
            Ok(_) => out.reserve(out.capacity().max(DEFLATE_SLACK)),
            // Compressing into memory has no failure but a bug; keep the data readable.
            Err(_) => return deflate_fresh(bytes),
        }
    }
}

fn deflate_fresh(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write as _;
    let mut e =
        flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::new(DEFLATE_LEVEL));
    // Writing to a Vec cannot fail.
    let _ = e.write_all(bytes);
    e.finish().unwrap_or_default()
}

/// Puts folio's fonts and content streams into printpdf's document: the fonts into the
/// font dictionary every page's resources share, each page's stream as its contents.
fn attach(
    lo: &mut Document,
    fonts: &[Option<Arc<font::EmbeddedFont>>],
    streams: Vec<Arc<PageStream>>,
    marks: bool,
) -> Result<Vec<Held>, PdfError> {
    let bad = |e: lopdf::Error| PdfError::Write(e.to_string());
    let ids: Vec<ObjectId> = lo.get_pages().into_values().collect();
    let first = *ids.first().ok_or(PdfError::NoPages)?;
    // The object a page's dictionary names under `key` (its resources, its contents).
    let named = |lo: &Document, page: ObjectId, key: &[u8]| {
        lo.get_dictionary(page)
            .and_then(|d| d.get(key))
            .and_then(Object::as_reference)
            .map_err(bad)
    };
    let resources = named(lo, first, b"Resources")?;
    let font_dict = lo
        .get_dictionary(resources)
        .and_then(|d| d.get(b"Font"))
        .and_then(Object::as_reference)
        .map_err(bad)?;
    let mut dict = Dictionary::new();
    for f in fonts.iter().flatten() {
        dict.set(f.id.as_str(), Object::Reference(font::write_font(lo, f)));
    }
    lo.objects.insert(font_dict, Object::Dictionary(dict));
    if marks {
        // Each page has its own resources (sharing the font dictionary): each gets the
        // colour space, one object for all.
        let mut spaces = Dictionary::new();
        spaces.set(REGISTRATION, registration_colour());
        let spaces = lo.add_object(Object::Dictionary(spaces));
        for &id in &ids {
            let res = named(lo, id, b"Resources")?;
            lo.get_dictionary_mut(res)
                .map_err(bad)?
                .set("ColorSpace", Object::Reference(spaces));
        }
    }
    let mut contents = Vec::with_capacity(streams.len());
    for (id, bytes) in ids.into_iter().zip(streams) {
        let object = named(lo, id, b"Contents")?;
        lo.objects.insert(object, content_object(&bytes.bytes));
        contents.push((object, bytes));
    }
    Ok(contents)
}

/// The resource name of the registration colour printer's marks are drawn in.
const REGISTRATION: &str = "Reg";

/// Registration colour: the `All` separation (ISO 32000-1, 8.6.6.4), full ink on every
/// plate, so crop and registration marks show on each film; CMYK 100 % as the alternate.
fn registration_colour() -> Object {
    let mut f = Dictionary::new();
    f.set("FunctionType", 2);
    f.set("Domain", Object::Array(vec![0.into(), 1.into()]));
    f.set("C0", Object::Array(vec![0.into(); 4]));
    f.set("C1", Object::Array(vec![1.into(); 4]));
    f.set("N", 1);
    Object::Array(vec![
        Object::Name(b"Separation".to_vec()),
        Object::Name(b"All".to_vec()),
        Object::Name(b"DeviceCMYK".to_vec()),
        Object::Dictionary(f),
    ])
}

/// Does any page draw a printer's mark (then the registration colour is a resource)?
fn has_marks(pages: &Pages) -> bool {
    pages.pages.iter().any(|p| {
        p.furniture
            .iter()
            .chain(&p.items)
            .any(|i| matches!(i, Item::Mark { .. }))
    })
}

/// A link annotation without a visible border (printpdf's default draws a 1 pt frame).
fn link(rect: PpRect, actions: Actions) -> Op {
    Op::LinkAnnotation {
        link: LinkAnnotation::new(
            rect,
            actions,
            Some(BorderArray::Solid([0.0, 0.0, 0.0])),
            Some(ColorArray::Transparent),
            None,
        ),
    }
}

/// Whole numbers as integers, the rest as reals (shorter, and exact in every reader).
fn num(v: f32) -> Object {
    // Below 2^24 every integer is exact in f32, so the cast loses nothing.
    if v.fract() == 0.0 && v.abs() < 16_777_216.0 {
        Object::Integer(v as i64)
    } else {
        Object::Real(v)
    }
}

fn rect_obj(x0: f32, y0: f32, x1: f32, y1: f32) -> Object {
    Object::Array(vec![num(x0), num(y0), num(x1), num(y1)])
}

/// The Info dictionary and the XMP metadata stream of `info`.
fn metadata_objects(info: &DocInfo) -> Result<(Dictionary, Stream), PdfError> {
    let xmp = metadata::xmp(info)?;
    let mut xmp_dict = Dictionary::new();
    xmp_dict.set("Type", Object::Name(b"Metadata".to_vec()));
    xmp_dict.set("Subtype", Object::Name(b"XML".to_vec()));
    // Left uncompressed so file scanners and archivists can read it (a common expectation).
    let xmp = Stream::new(xmp_dict, xmp.into_bytes()).with_compression(false);
    Ok((metadata::info_dict(info)?, xmp))
}

/// The tagged PDF's parts: the structure tree (empty when the pages carry no book),
/// each link annotation an object of its own in it, `/MarkInfo`, pages tabbed in structure
/// order, and viewers told to show the title.
fn tag(
    lo: &mut Document,
    (tree, book): (&structure::Tree, &crate::resolve::Structure),
) -> Result<(), PdfError> {
    let bad = |e: lopdf::Error| PdfError::Write(e.to_string());
    let page_ids: Vec<ObjectId> = lo.get_pages().into_values().collect();
    let mut annots = Vec::with_capacity(page_ids.len());
    for &id in &page_ids {
        let list = match lo.get_dictionary(id).and_then(|d| d.get(b"Annots")) {
            Ok(Object::Array(a)) => a.clone(),
            _ => Vec::new(),
        };
        let mut refs = Vec::with_capacity(list.len());
        let mut ids = Vec::with_capacity(list.len());
        for a in list {
            let annot = match a {
                Object::Reference(r) => r,
                Object::Dictionary(mut d) => {
                    // Printable, as PDF/UA asks of annotations (ISO 32000-1, 12.5.3).
                    d.set("F", Object::Integer(4));
                    lo.add_object(Object::Dictionary(d))
                }
                _ => continue,
            };
            refs.push(Object::Reference(annot));
            ids.push(annot);
        }
        let page = lo.get_dictionary_mut(id).map_err(bad)?;
        if !refs.is_empty() {
            page.set("Annots", Object::Array(refs));
        }
        page.set("Tabs", Object::Name(b"S".to_vec()));
        annots.push(ids);
    }
    let targets = structure::Targets {
        pages: &page_ids,
        annots: &annots,
    };
    let root = structure::write(lo, tree, book, &targets)?;
    let catalog = lo.catalog_mut().map_err(bad)?;
    let mut prefs = Dictionary::new();
    prefs.set("DisplayDocTitle", Object::Boolean(true));
    catalog.set("ViewerPreferences", Object::Dictionary(prefs));
    catalog.set("StructTreeRoot", Object::Reference(root));
    let mut mark = Dictionary::new();
    mark.set("Marked", Object::Boolean(true));
    catalog.set("MarkInfo", Object::Dictionary(mark));
    Ok(())
}

/// The lopdf pass: boxes, navigation, metadata, language. Returns the Info dictionary's
/// and the XMP stream's object numbers.
fn finish(lo: &mut Document, pages: &Pages) -> Result<(ObjectId, ObjectId), PdfError> {
    // /Lang, XMP metadata and the rest need PDF 1.4+; 1.7 is ISO 32000-1, which we follow.
    lo.version = "1.7".to_string();
    let ids: Vec<ObjectId> = lo.get_pages().into_values().collect();
    if ids.len() != pages.pages.len() {
        return Err(PdfError::Write(format!(
            "printpdf wrote {} pages for {}",
            ids.len(),
            pages.pages.len()
        )));
    }
    let mut tops = Vec::with_capacity(ids.len());
    for (&id, page) in ids.iter().zip(&pages.pages) {
        let (w, h, b) = (page.width, page.height, page.bleed);
        let (mw, mh) = page.media_size();
        let (x, y) = page.trim_offset();
        let dict = lo
            .get_dictionary_mut(id)
            .map_err(|e| PdfError::Write(e.to_string()))?;
        // Media = trim + bleed + slug (the marks' room), or the press sheet; bleed = trim +
        // bleed (within the media); trim = the page.
        let media = rect_obj(0.0, 0.0, mw, mh);
        dict.set("MediaBox", media.clone());
        dict.set("CropBox", media);
        dict.set("TrimBox", rect_obj(x, y, x + w, y + h));
        if (mw, mh) != (w, h) {
            let (bx, by) = ((x - b).max(0.0), (y - b).max(0.0));
            let (bx1, by1) = ((x + w + b).min(mw), (y + h + b).min(mh));
            dict.set("BleedBox", rect_obj(bx, by, bx1, by1));
        } else {
            dict.remove(b"BleedBox");
        }
        tops.push((id, y + h));
    }

    let outline_root = outline::write_outline(lo, &pages.outline, &tops)?;
    let labels = outline::page_labels(&pages.page_labels, pages.pages.len());

    let info = &pages.info;
    let (info_dict, xmp) = metadata_objects(info)?;
    let xmp_id = lo.add_object(xmp);
    let info_id = match lo.trailer.get(b"Info").and_then(Object::as_reference) {
        Ok(id) => {
            lo.objects.insert(id, Object::Dictionary(info_dict));
            id
        }
        Err(_) => {
            let id = lo.add_object(info_dict);
            lo.trailer.set("Info", Object::Reference(id));
            id
        }
    };

    let catalog = lo
        .catalog_mut()
        .map_err(|e| PdfError::Write(e.to_string()))?;
    catalog.set("Metadata", Object::Reference(xmp_id));
    if !info.lang.is_empty() {
        catalog.set("Lang", metadata::text_string(&info.lang));
    }
    if let Some(root) = outline_root {
        catalog.set("Outlines", Object::Reference(root));
        catalog.set("PageMode", Object::Name(b"UseOutlines".to_vec()));
    }
    if let Some(labels) = labels {
        catalog.set("PageLabels", Object::Dictionary(labels));
    }
    Ok((info_id, xmp_id))
}
