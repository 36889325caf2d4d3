//! The edition manifest: what each printed page of a build looked like, kept beside the
//! outputs (`<slug>.manifest.json`), so the next build can say which pages changed — what a
//! printer needs to proof again after a correction.
//!
//! A page's hash covers everything drawn on it (glyphs with their font and text, rules,
//! images by content, links) and its size, so two pages hash alike exactly when they print
//! alike. The hash is FNV-1a ([`crate::hash::Fnv`]): stable across builds and Rust releases.

use crate::hash::Fnv;
use crate::typeset::frame::{InlineTag, Item, Page, Pages, Rect, Tag};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The manifest's format; a manifest of another version is ignored (no report, no error).
/// Version 2 hashes glyphs three steps at a time: its page hashes differ from version 1's
/// for the same pages.
const VERSION: u32 = 2;

/// One build's pages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub version: u32,
    pub pages: Vec<PageEntry>,
}

/// One page: its label and the hash of its content (16 hex digits).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageEntry {
    pub label: String,
    pub hash: String,
}

/// Hashes of shared content kept between builds (`folio watch`): a row shown again, or an
/// image used again, is not hashed again. Each entry holds its `Arc`, so the address it is
/// keyed by cannot be reused for other content while the entry lives.
#[derive(Default)]
pub struct HashMemo {
    groups: crate::memo::ByAddress<Vec<Item>, u64>,
    images: crate::memo::ByAddress<crate::image::Image, u64>,
    /// Page hashes by the page's identity ([`identity`]), with the rows it places: a page
    /// shown again is hashed without a lookup a row (20,000 lookups, 1.9 ms of a one-word
    /// rebuild of the novel).
    pages: crate::memo::Table<(PageRows, u64)>,
    /// The identity of each page the last call of [`Manifest::with_hashes`] hashed.
    identities: Vec<u64>,
}

/// The rows' hashes a build keeps.
type Groups = crate::memo::ByAddress<Vec<Item>, u64>;

impl HashMemo {
    /// The content hash of an image the last manifest hashed.
    pub fn image(&self, image: &Arc<crate::image::Image>) -> Option<u64> {
        self.images.held(image)
    }

    /// The identity of each page the last [`Manifest::with_hashes`] through this memo
    /// hashed, in order: equal identities, equal pages (their rows are held while the
    /// identity is).
    pub fn identities(&self) -> &[u64] {
        &self.identities
    }
}

impl Manifest {
    /// The manifest of a typeset book.
    pub fn of(pages: &Pages) -> Manifest {
        Manifest::with_hashes(pages, &mut HashMemo::default()).0
    }

    /// The manifest and each page's hash as a number, hashing through `memo`.
    pub fn with_hashes(pages: &Pages, memo: &mut HashMemo) -> (Manifest, Vec<u64>) {
        memo.groups.begin();
        memo.images.begin();
        let images: Vec<u64> = pages
            .images
            .iter()
            .map(|i| memo.images.get_or_make(i, |_| image_hash(i)))
            .collect();
        let fonts = font_keys(&pages.fonts);
        let keys = Keys {
            fonts: &fonts,
            images: &images,
        };
        let all_keys = {
            let mut h = Fnv::new();
            fonts.iter().chain(&images).for_each(|k| h.write_u64(*k));
            h.finish()
        };
        memo.identities = pages
            .pages
            .iter()
            .map(|p| identity(p, all_keys, &keys))
            .collect();
        let hashes: Vec<u64> = pages
            .pages
            .iter()
            .zip(&memo.identities)
            .map(|(p, &id)| match memo.pages.get(id) {
                Some((_, h)) => *h,
                None => {
                    let h = page_hash_memo(p, &keys, &mut memo.groups);
                    memo.pages.insert(id, (rows_of(p), h));
                    h
                }
            })
            .collect();
        let entries = hashes
            .iter()
            .enumerate()
            .map(|(i, h)| PageEntry {
                label: pages
                    .map
                    .get(i)
                    .map_or_else(|| (i + 1).to_string(), |m| m.label.clone()),
                hash: format!("{h:016x}"),
            })
            .collect();
        memo.groups.sweep();
        memo.images.sweep();
        memo.pages.sweep();
        (
            Manifest {
                version: VERSION,
                pages: entries,
            },
            hashes,
        )
    }

    /// The manifest as written to disk.
    pub fn to_json(&self) -> Vec<u8> {
        let mut out = serde_json::to_vec_pretty(self).unwrap_or_default();
        out.push(b'\n');
        out
    }

    /// A manifest read back; `None` for anything else (an older format, a damaged file).
    pub fn from_json(bytes: &[u8]) -> Option<Manifest> {
        serde_json::from_slice::<Manifest>(bytes)
            .ok()
            .filter(|m| m.version == VERSION)
    }
}

/// What changed between two editions, page by page (by position).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Changes {
    /// Runs of changed pages, as index ranges into the new edition.
    pub changed: Vec<std::ops::Range<usize>>,
    pub unchanged: usize,
    /// Pages the new edition has beyond the old one's count (negative: fewer).
    pub added: isize,
}

impl Changes {
    /// The changes from `old` to `new`.
    pub fn between(old: &Manifest, new: &Manifest) -> Changes {
        let mut c = Changes {
            added: new.pages.len() as isize - old.pages.len() as isize,
            ..Changes::default()
        };
        let mut run: Option<std::ops::Range<usize>> = None;
        for (i, page) in new.pages.iter().enumerate() {
            let same = old.pages.get(i).is_some_and(|o| o.hash == page.hash);
            if same {
                c.unchanged += 1;
                c.changed.extend(run.take());
            } else {
                run = Some(run.map_or(i..i + 1, |r| r.start..i + 1));
            }
        }
        c.changed.extend(run);
        c
    }

    /// One line for the build's report: "pages 14–17 changed; 36 unchanged".
    pub fn describe(&self, new: &Manifest) -> String {
        let label = |i: usize| new.pages.get(i).map_or("?", |p| p.label.as_str());
        if self.changed.is_empty() && self.added == 0 {
            return format!("no page changed ({} pages)", self.unchanged);
        }
        let runs: Vec<String> = self
            .changed
            .iter()
            .map(|r| match r.len() {
                1 => label(r.start).to_string(),
                _ => format!("{}–{}", label(r.start), label(r.end - 1)),
            })
            .collect();
        let count: usize = self.changed.iter().map(|r| r.len()).sum();
        let mut s = match count {
            0 => String::new(),
            1 => format!("page {} changed", runs[0]),
            _ => format!("pages {} changed", runs.join(", ")),
        };
        if self.added < 0 {
            let gone = self.added.unsigned_abs();
            s += &format!(
                "{}{gone} page{} fewer",
                if s.is_empty() { "" } else { "; " },
                if gone == 1 { "" } else { "s" }
            );
        }
        s + &format!("; {} unchanged", self.unchanged)
    }
}

/// How each font enters a page's hash: its name, size and index in its file.
fn font_keys(fonts: &[crate::typeset::frame::FontFile]) -> Vec<u64> {
    fonts
        .iter()
        .map(|f| {
            let mut h = Fnv::new();
            h.write(f.postscript_name.as_bytes());
            h.write(&(f.data.len() as u64).to_le_bytes());
            h.write(&f.index.to_le_bytes());
            h.finish()
        })
        .collect()
}

/// The hash of one page drawn with `fonts` and `images`, outside a book's pages (the
/// EPUB's drawn cover): the same hash the manifest gives it.
pub fn page_hash(
    page: &Page,
    fonts: &[crate::typeset::frame::FontFile],
    images: &[Arc<crate::image::Image>],
) -> u64 {
    let fonts = font_keys(fonts);
    // Only the images the page draws are hashed (a book's figures are megabytes).
    let mut images_drawn = vec![0; images.len()];
    page.walk(&mut |item, _| {
        if let Item::Image { image, .. } = item
            && let Some(img) = images.get(*image)
        {
            images_drawn[*image] = image_hash(img);
        }
    });
    let images = images_drawn;
    let keys = Keys {
        fonts: &fonts,
        images: &images,
    };
    page_hash_memo(page, &keys, &mut Groups::default())
}

fn image_hash(img: &crate::image::Image) -> u64 {
    let mut h = Fnv::new();
    h.write(&img.width.to_le_bytes());
    h.write(&img.height.to_le_bytes());
    match &img.pixels {
        crate::image::Pixels::Jpeg { data, components } => {
            h.write(&[0, *components]);
            h.write(data);
        }
        crate::image::Pixels::Raw {
            channels,
            samples,
            alpha,
        } => {
            h.write(&[1, *channels]);
            h.write(samples);
            if let Some(a) = alpha {
                h.write(a);
            }
        }
        crate::image::Pixels::Svg { svg, .. } => {
            h.write(&[2]);
            h.write(svg.as_bytes());
        }
    }
    h.finish()
}

/// A page's identity: its hash as [`page_hash_memo`] makes it, but with each row (group)
/// by its address and placement instead of its content, and each tag that starts an element
/// with the element; `keys` (of every font and image) stand in for the fonts and images.
/// A row never changes while it lives, so while the rows are held (the memo holds them
/// with the identity, [`rows_of`]) equal identities are equal pages, to the manifest and to
/// the PDF's keys alike.
fn identity(page: &Page, all_keys: u64, keys: &Keys) -> u64 {
    let mut h = Fnv::new();
    h.write_u64(all_keys);
    page_fields(&mut h, page, keys, &mut Rows::ByAddress);
    h.finish()
}

/// The rows (groups) a page places directly, held with what is kept by its identity.
pub(crate) type PageRows = Arc<[Arc<Vec<Item>>]>;

/// The rows (groups) `page` places directly.
pub(crate) fn rows_of(page: &Page) -> PageRows {
    page.items
        .iter()
        .chain(&page.furniture)
        .filter_map(|i| match i {
            Item::Group(g) => Some(g.items.clone()),
            _ => None,
        })
        .collect()
}

/// How [`hash_items`] takes a row.
enum Rows<'a> {
    /// By its content, through the memo of row hashes.
    Content(&'a mut Groups),
    /// By its address (an identity, [`identity`]).
    ByAddress,
}

/// The hash of everything `page` draws, with its fonts and images hashed as `keys` says
/// and its rows through `memo`.
fn page_hash_memo(page: &Page, keys: &Keys, memo: &mut Groups) -> u64 {
    let mut h = Fnv::new();
    page_fields(&mut h, page, keys, &mut Rows::Content(memo));
    h.finish()
}

fn page_fields(h: &mut Fnv, page: &Page, keys: &Keys, rows: &mut Rows) {
    let media = page.media_size();
    for v in [
        page.width,
        page.height,
        page.bleed,
        page.slug,
        media.0,
        media.1,
    ] {
        float(h, v);
    }
    hash_items(h, &page.items, keys, rows);
    // Content and furniture are told apart (the writer marks furniture as artifacts).
    h.write_u32(0xfe);
    hash_items(h, &page.furniture, keys, rows);
}

/// How fonts and images enter a page's hash.
struct Keys<'a> {
    fonts: &'a [u64],
    images: &'a [u64],
}

fn float(h: &mut Fnv, v: f32) {
    h.write_u32(v.to_bits());
}

fn rect(h: &mut Fnv, r: &Rect) {
    for v in [r.x, r.y, r.width, r.height] {
        float(h, v);
    }
}

fn hash_items(h: &mut Fnv, items: &[Item], keys: &Keys, rows: &mut Rows) {
    for item in items {
        match item {
            Item::Glyphs(run) => {
                h.write_u32(1);
                h.write(&keys.fonts.get(run.font).copied().unwrap_or(0).to_le_bytes());
                for v in [run.size, run.hscale, run.origin.x, run.origin.y] {
                    float(h, v);
                }
                for g in &run.glyphs {
                    // Three steps a glyph (a book has a million): the advance, the id and
                    // the text's length packed in one word (the length first, so texts of
                    // the glyphs cannot run together); the vertical offset; the text.
                    let text = g.text.as_bytes();
                    let len = (text.len() as u64) & 0xFFFF;
                    h.write_u64(u64::from(g.advance.to_bits()) | u64::from(g.id) << 32 | len << 48);
                    float(h, g.y_offset);
                    h.write_words(text);
                }
            }
            Item::Rule {
                from,
                to,
                thickness,
            } => {
                h.write_u32(2);
                for v in [from.x, from.y, to.x, to.y, *thickness] {
                    float(h, v);
                }
            }
            Item::Mark {
                from,
                to,
                thickness,
            } => {
                h.write_u32(7);
                for v in [from.x, from.y, to.x, to.y, *thickness] {
                    float(h, v);
                }
            }
            Item::Fill { rect: r, grey } => {
                h.write_u32(9);
                rect(h, r);
                float(h, *grey);
            }
            Item::Image { rect: r, image } => {
                h.write_u32(3);
                rect(h, r);
                h.write(&keys.images.get(*image).copied().unwrap_or(0).to_le_bytes());
            }
            Item::Link { rect: r, dest } => {
                h.write_u32(4);
                rect(h, r);
                h.write(&(dest.page as u64).to_le_bytes());
                float(h, dest.y);
            }
            Item::GoTo { rect: r, target } => {
                h.write_u32(10);
                rect(h, r);
                h.write_u32(*target);
            }
            Item::UriLink { rect: r, uri } => {
                h.write_u32(5);
                rect(h, r);
                h.write(uri.as_bytes());
            }
            Item::Tag(t) => {
                // What the tag is, not which element: the page's content stream depends on
                // the former only (an element's number is the structure tree's business).
                h.write_u32(8);
                match t {
                    Tag::Start(id, role) => {
                        h.write_u32(0x100 | role.code());
                        if let Rows::ByAddress = rows {
                            h.write_u32(id.scope);
                            h.write_u32(id.index);
                        }
                    }
                    Tag::Inline(InlineTag::Link) => h.write_u32(0x200),
                    Tag::Inline(InlineTag::Reference) => h.write_u32(0x201),
                    Tag::Inline(InlineTag::Lbl) => h.write_u32(0x202),
                    Tag::Inline(InlineTag::Lang(l)) => {
                        h.write_u32(0x203);
                        h.write_part(l.as_bytes());
                    }
                    Tag::Artifact => h.write_u32(0x300),
                    Tag::End => h.write_u32(0x400),
                    Tag::Page(k) => h.write_u32(0x500 ^ k.rotate_left(12)),
                }
            }
            Item::Group(g) => {
                h.write_u32(6);
                let t = g.transform;
                for v in [t.a, t.b, t.c, t.d, t.e, t.f] {
                    float(h, v);
                }
                match &g.clip {
                    Some(r) => rect(h, r),
                    None => h.write(&[0]),
                }
                let inner = match rows {
                    Rows::Content(memo) => memo.get_or_make(&g.items, |groups| {
                        let mut inner = Fnv::new();
                        hash_items(&mut inner, &g.items, keys, &mut Rows::Content(groups));
                        inner.finish()
                    }),
                    Rows::ByAddress => Arc::as_ptr(&g.items) as usize as u64,
                };
                h.write(&inner.to_le_bytes());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(hashes: &[&str]) -> Manifest {
        Manifest {
            version: VERSION,
            pages: hashes
                .iter()
                .enumerate()
                .map(|(i, h)| PageEntry {
                    label: (i + 1).to_string(),
                    hash: h.to_string(),
                })
                .collect(),
        }
    }

    #[test]
    fn runs_of_changed_pages_are_named_by_label() {
        let old = m(&["a", "b", "c", "d", "e", "f"]);
        let new = m(&["a", "X", "Y", "d", "Z", "f"]);
        let c = Changes::between(&old, &new);
        assert_eq!(c.changed, vec![1..3, 4..5]);
        assert_eq!(c.describe(&new), "pages 2–3, 5 changed; 3 unchanged");
        let same = Changes::between(&old, &old);
        assert_eq!(same.describe(&old), "no page changed (6 pages)");
    }

    #[test]
    fn added_and_removed_pages_are_counted() {
        let old = m(&["a", "b"]);
        let longer = m(&["a", "b", "c"]);
        assert_eq!(
            Changes::between(&old, &longer).describe(&longer),
            "page 3 changed; 2 unchanged"
        );
        let shorter = m(&["a"]);
        assert_eq!(
            Changes::between(&old, &shorter).describe(&shorter),
            "1 page fewer; 1 unchanged"
        );
    }

    #[test]
    fn a_manifest_round_trips_and_other_versions_are_ignored() {
        let a = m(&["00ff"]);
        assert_eq!(Manifest::from_json(&a.to_json()), Some(a));
        assert_eq!(
            Manifest::from_json(b"{\"version\": 99, \"pages\": []}"),
            None
        );
        assert_eq!(Manifest::from_json(b"not json"), None);
    }
}
