//! What the PDF reads of a page beyond the content its stream draws: the structure elements
//! its tags start (and which of them go on the element before), and its links. The writer
//! keys two things on these — a page's content stream (one marked-content sequence for a
//! paragraph's lines) and the reused document ([`super::structure_key`]) — and a rebuild
//! in `folio watch` asks for them on every page of the book.
//!
//! A page is mostly rows (groups) that the pages of the last build share: each group's
//! summary is made once and kept by the group's address ([`Digests`], as the manifest keeps
//! its hashes), so an edit walks only the rows it made anew. A summary is a function of the
//! group's items only; a group that moves keeps its summary, and where it is placed (its
//! transform) enters its page's links in the page's own pass.

use crate::hash::Fnv;
use crate::memo::{ByAddress, Table};
use crate::resolve::ElemId;
use crate::typeset::frame::{Group, Item, Page, Pages, Rect, Tag};

/// The groups' summaries a build keeps.
type Groups = ByAddress<Vec<Item>, Summary>;

/// A page as the document's keys read it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct PageDigest {
    /// The elements the page's tags start, in the order the content writer meets them.
    pub elements: u64,
    /// For each start after the page's first, whether it is the element of the start
    /// before it (the content stream continues that element's marked content).
    pub continuations: u64,
    /// The page's links (content and furniture): where each is and where it leads.
    pub links: u64,
}

/// Page digests by the page's identity (the manifest's, with the rows it places held), and
/// group summaries by address, kept between the builds of a session: a page shown again
/// costs one lookup, a new page one a row.
#[derive(Default)]
pub(crate) struct Digests {
    pages: Table<(crate::manifest::PageRows, PageDigest)>,
    groups: ByAddress<Vec<Item>, Summary>,
}

impl Digests {
    /// The digest of every page of `pages`; with `keep`, the pages' digests and the
    /// groups' summaries are kept for the next build (and those this build did not meet
    /// are dropped), else nothing is. `identities` are the pages' identities from the
    /// manifest ([`crate::manifest::HashMemo::identities`]); without one for every page,
    /// pages are not looked up.
    pub fn of(&mut self, pages: &Pages, identities: &[u64], keep: bool) -> Vec<PageDigest> {
        if !keep {
            *self = Digests::default();
            return pages
                .pages
                .iter()
                .map(|p| page_digest(p, &mut None))
                .collect();
        }
        let identities = (identities.len() == pages.pages.len()).then_some(identities);
        self.groups.begin();
        let digests = pages
            .pages
            .iter()
            .enumerate()
            .map(|(k, p)| {
                let id = identities.map(|ids| ids[k]);
                if let Some((_, d)) = id.and_then(|id| self.pages.get(id)) {
                    return *d;
                }
                let d = page_digest(p, &mut Some(&mut self.groups));
                if let Some(id) = id {
                    self.pages.insert(id, (crate::manifest::rows_of(p), d));
                }
                d
            })
            .collect();
        self.groups.sweep();
        self.pages.sweep();
        digests
    }
}

fn page_digest(page: &Page, memo: &mut Option<&mut Groups>) -> PageDigest {
    let content = summary(&page.items, memo);
    let furniture = summary(&page.furniture, memo);
    let mut links = Fnv::new();
    links.write_u64(content.links);
    links.write_u64(furniture.links);
    PageDigest {
        elements: content.elements,
        continuations: content.continuations,
        links: links.finish(),
    }
}

/// What a list of items holds for the keys: as [`PageDigest`], with the first and last
/// element started (where a list placed after others joins their sequence).
#[derive(Debug, Clone, Copy)]
struct Summary {
    elements: u64,
    continuations: u64,
    links: u64,
    first: Option<ElemId>,
    last: Option<ElemId>,
}

/// The running hashes of a [`Summary`] being made.
struct Making {
    elements: Fnv,
    continuations: Fnv,
    links: Fnv,
    first: Option<ElemId>,
    last: Option<ElemId>,
}

impl Making {
    fn new() -> Making {
        Making {
            elements: Fnv::new(),
            continuations: Fnv::new(),
            links: Fnv::new(),
            first: None,
            last: None,
        }
    }

    /// A tag starting `id`.
    fn start(&mut self, id: ElemId) {
        self.sequence(id, id);
        self.elements.write_u32(id.scope);
        self.elements.write_u32(id.index);
    }

    /// A group placed by `group`'s transform, holding `inner`.
    fn group(&mut self, group: &Group, inner: &Summary) {
        if let (Some(first), Some(last)) = (inner.first, inner.last) {
            self.sequence(first, last);
            self.elements.write_u64(inner.elements);
            self.continuations.write_u64(inner.continuations);
        }
        if inner.links != Fnv::new().finish() {
            let t = group.transform;
            for v in [t.a, t.b, t.c, t.d, t.e, t.f] {
                self.links.write_u32(v.to_bits());
            }
            self.links.write_u64(inner.links);
        }
    }

    /// A run of starts from `first` to `last` follows the starts before it: whether
    /// `first` goes on the last of them (nothing to say for a list's first start: what it
    /// follows is the business of the list it is placed in).
    fn sequence(&mut self, first: ElemId, last: ElemId) {
        match self.last {
            Some(before) => self.continuations.write_u32(u32::from(before == first)),
            None => self.first = Some(first),
        }
        self.last = Some(last);
    }

    fn link(&mut self, kind: u32, r: &Rect) {
        self.links.write_u32(kind);
        for v in [r.x, r.y, r.width, r.height] {
            self.links.write_u32(v.to_bits());
        }
    }

    fn done(self) -> Summary {
        Summary {
            elements: self.elements.finish(),
            continuations: self.continuations.finish(),
            links: self.links.finish(),
            first: self.first,
            last: self.last,
        }
    }
}

/// The summary of `items`, each group's from `memo` when it holds one.
fn summary(items: &[Item], memo: &mut Option<&mut Groups>) -> Summary {
    let mut s = Making::new();
    for item in items {
        match item {
            Item::Tag(Tag::Start(id, _)) => s.start(*id),
            Item::Group(g) => s.group(g, &group_summary(g, memo)),
            Item::Link { rect, dest } => {
                s.link(1, rect);
                s.links.write_u64(dest.page as u64);
                s.links.write_u32(dest.y.to_bits());
            }
            Item::UriLink { rect, uri } => {
                s.link(2, rect);
                s.links.write_part(uri.as_bytes());
            }
            _ => {}
        }
    }
    s.done()
}

fn group_summary(g: &Group, memo: &mut Option<&mut Groups>) -> Summary {
    match memo {
        Some(groups) => groups.get_or_make(&g.items, |groups| summary(&g.items, &mut Some(groups))),
        None => summary(&g.items, memo),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resolve::Role;
    use crate::typeset::frame::{Destination, Transform};
    use std::sync::Arc;

    fn id(index: u32) -> ElemId {
        ElemId { scope: 1, index }
    }

    fn start(index: u32) -> Item {
        Item::Tag(Tag::Start(id(index), Role::P))
    }

    fn group(items: Vec<Item>, e: f32) -> Item {
        Item::Group(Group {
            transform: Transform::translate(e, 0.0),
            clip: None,
            items: Arc::new(items),
        })
    }

    fn digest(items: Vec<Item>) -> PageDigest {
        let page = Page {
            items,
            ..Page::default()
        };
        page_digest(&page, &mut None)
    }

    #[test]
    fn continuations_follow_the_starts_across_rows_whatever_their_elements() {
        // A paragraph's second row goes on its first; another paragraph's does not.
        let goes_on = digest(vec![group(vec![start(1)], 0.0), group(vec![start(1)], 0.0)]);
        let new_one = digest(vec![group(vec![start(1)], 0.0), group(vec![start(2)], 0.0)]);
        assert_ne!(goes_on.continuations, new_one.continuations);
        assert_ne!(goes_on.elements, new_one.elements);
        // Other elements in the same pattern (an element added earlier in the piece moves
        // the numbers): the stream's key stays, the structure's does not.
        let renumbered = digest(vec![group(vec![start(7)], 0.0), group(vec![start(7)], 0.0)]);
        assert_eq!(goes_on.continuations, renumbered.continuations);
        assert_ne!(goes_on.elements, renumbered.elements);
        // Starts written out on the page continue as starts in rows do.
        let flat = digest(vec![start(1), start(1)]);
        let flat_new = digest(vec![start(1), start(2)]);
        assert_ne!(flat.continuations, flat_new.continuations);
    }

    #[test]
    fn a_link_moved_with_its_row_changes_the_links_and_nothing_else() {
        let link = || Item::Link {
            rect: Rect {
                x: 1.0,
                y: 2.0,
                width: 3.0,
                height: 4.0,
            },
            dest: Destination { page: 3, y: 10.0 },
        };
        let here = digest(vec![group(vec![start(1), link()], 0.0)]);
        let there = digest(vec![group(vec![start(1), link()], 5.0)]);
        assert_ne!(here.links, there.links);
        assert_eq!(here.elements, there.elements);
        assert_eq!(here.continuations, there.continuations);
        // A row without links may move freely.
        let a = digest(vec![group(vec![start(1)], 0.0)]);
        let b = digest(vec![group(vec![start(1)], 5.0)]);
        assert_eq!(a, b);
    }

    #[test]
    fn a_kept_summary_is_the_summary_made_anew() {
        let rows = vec![
            group(vec![start(1), start(1)], 0.0),
            group(vec![start(1), start(3)], 2.0),
        ];
        let page = Page {
            items: rows,
            ..Page::default()
        };
        let pages = Pages {
            pages: vec![page],
            ..Pages::default()
        };
        let mut d = Digests::default();
        let first = d.of(&pages, &[], true);
        assert_eq!(d.groups.len(), 2);
        assert_eq!(d.of(&pages, &[], true), first, "from the kept summaries");
        assert_eq!(
            d.of(&pages, &[7], true),
            first,
            "made, and kept by the page's identity"
        );
        assert_eq!(d.pages.len(), 1);
        assert_eq!(d.of(&pages, &[7], true), first, "from the kept page");
        assert_eq!(Digests::default().of(&pages, &[], false), first);
    }
}
