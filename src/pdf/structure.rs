//! The structure tree: the resolved book's structure (`Pages::structure`) and the pages'
//! marked content (each stream's [`Record`], its owners named by their tag's place on the
//! page, which one walk over the page's tags turns into elements) → `StructTreeRoot`, its
//! elements, the `ParentTree`, and each link annotation's place in the tree.
//!
//! The tree's order is the book's reading order (the resolved structure's), whatever order
//! the pages show the content in (a figure moved to a later page is read where the text
//! has it). A leaf's kids are its marked-content references and inline elements in the order
//! its content is drawn. Elements nothing was drawn for are left out.

use super::PageStream;
use super::tags::{Event, Owner, Record};
use crate::resolve::structure::{ListKind, Node, Structure};
use crate::typeset::frame::{ElemId, InlineTag, Item, Pages, Role, Tag};
use lopdf::{Dictionary, Document, Object, ObjectId, StringFormat};
use std::sync::Arc;

/// The element of each `Tag::Start` of `items` (groups entered), in the order the content
/// writer meets them.
fn starts(items: &[Item], out: &mut Vec<ElemId>) {
    for item in items {
        match item {
            Item::Tag(Tag::Start(id, _)) => out.push(*id),
            Item::Group(g) => starts(&g.items, out),
            _ => {}
        }
    }
}

/// A kid of an element, before it is written.
#[derive(Debug, Clone, PartialEq, Hash)]
enum Kid {
    /// Marked content `mcid` on page `page`.
    Mcr { page: usize, mcid: u32 },
    /// The `k`th inline element of the document.
    Inline(usize),
    /// The page's `k`th annotation.
    Annot { page: usize, k: u32 },
}

/// A kid with where it is read: its page in the book and its place among the page's.
type Placed = ((u32, u32), Kid);

/// An inline element: its tag, its kids and the text it draws.
#[derive(Debug, Clone, Hash)]
struct InlineElem {
    tag: InlineTag,
    kids: Vec<Placed>,
    text: String,
    /// Inside an artifact: not an element.
    dead: bool,
}

/// Who owns what, document-wide.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Elem {
    Node(ElemId),
    Inline(usize),
}

/// The marked content of every page, sorted by element: what the writer makes the tree of.
#[derive(Debug, Default)]
pub(crate) struct Tree {
    /// Each node's content, by scope and index (empty for containers and for elements
    /// nothing was drawn for).
    leaves: Vec<Vec<Vec<Placed>>>,
    inlines: Vec<InlineElem>,
    /// Per page: the owner of each MCID, by MCID.
    mcids: Vec<Vec<Elem>>,
    /// Per page: the owner of each annotation, by annotation (`None`: an artifact's).
    annots: Vec<Vec<Option<Elem>>>,
}

impl Tree {
    /// The marked content of `pages`, whose content streams are `streams` (their
    /// furniture is all artifact).
    pub fn of(pages: &Pages, streams: &[Arc<PageStream>], structure: &Structure) -> Tree {
        let mut tree = Tree {
            leaves: structure
                .scopes
                .iter()
                .map(|s| vec![Vec::new(); s.nodes.len()])
                .collect(),
            ..Tree::default()
        };
        let mut ids = Vec::new();
        for (p, (page, stream)) in pages.pages.iter().zip(streams).enumerate() {
            ids.clear();
            starts(&page.items, &mut ids);
            tree.page(p, &ids, &stream.marks);
        }
        // Each element's content in the book's order (an imposed sheet shows the last page
        // beside the first).
        for kids in tree.leaves.iter_mut().flatten() {
            kids.sort_by_key(|(at, _)| *at);
        }
        for i in &mut tree.inlines {
            i.kids.sort_by_key(|(at, _)| *at);
        }
        tree
    }

    /// Page `p`'s record, its `Tag::Start`s being the elements `ids` in order.
    fn page(&mut self, p: usize, ids: &[ElemId], record: &Record) {
        let base = self.inlines.len();
        let elem = |o: &Owner| match o {
            Owner::Elem(k, _) => ids.get(*k as usize).map(|id| Elem::Node(*id)),
            Owner::Inline(k) => Some(Elem::Inline(base + *k as usize)),
            Owner::Artifact => None,
        };
        let parents: Vec<Option<Elem>> = record.inlines.iter().map(|(_, o)| elem(o)).collect();
        self.inlines
            .extend(record.inlines.iter().map(|(tag, o)| InlineElem {
                tag: tag.clone(),
                kids: Vec::new(),
                text: String::new(),
                dead: *o == Owner::Artifact,
            }));
        let mut mcids = Vec::new();
        let mut annots = Vec::new();
        // The book's page the content is on (a sheet says; else this page), and the order
        // of the content on it.
        let mut book_page = u32::try_from(p).unwrap_or(u32::MAX);
        let mut seq = 0u32;
        let mut next = |book_page: u32| {
            seq += 1;
            (book_page, seq)
        };
        for e in &record.events {
            match e {
                Event::Page(k) => book_page = *k,
                Event::Opened(k) => {
                    if let Some(kids) = parents[*k as usize].and_then(|e| self.kids(e)) {
                        kids.push((next(book_page), Kid::Inline(base + *k as usize)));
                    }
                }
                Event::Mcid(mcid, owner) => {
                    if let Some(e) = elem(owner)
                        && let Some(kids) = self.kids(e)
                    {
                        kids.push((
                            next(book_page),
                            Kid::Mcr {
                                page: p,
                                mcid: *mcid,
                            },
                        ));
                        mcids.push(e);
                    }
                }
                Event::Annotation(k, owner) => {
                    let e = elem(owner);
                    if let Some(kids) = e.and_then(|e| self.kids(e)) {
                        kids.push((next(book_page), Kid::Annot { page: p, k: *k }));
                    }
                    annots.push(e);
                }
                Event::Text(owner, text) => {
                    if let Some(Elem::Inline(g)) = elem(owner) {
                        self.inlines[g].text.push_str(text);
                    }
                }
            }
        }
        self.mcids.push(mcids);
        self.annots.push(annots);
    }

    /// The kids of element `e` (`None`: an id the structure does not have).
    fn kids(&mut self, e: Elem) -> Option<&mut Vec<Placed>> {
        match e {
            Elem::Node(id) => self
                .leaves
                .get_mut(id.scope as usize)?
                .get_mut(id.index as usize),
            Elem::Inline(g) => self.inlines.get_mut(g).map(|i| &mut i.kids),
        }
    }
}

/// A hash of everything [`Tree::of`] makes the tree of (the reused document's key), without
/// making it: the structure, each page's elements in the order its tags start them (from
/// its digest), and each page stream's record (its key made with the stream).
pub(crate) fn key(
    digests: &[super::digest::PageDigest],
    streams: &[Arc<PageStream>],
    structure: &Structure,
) -> u64 {
    let mut h = crate::hash::Fnv::new();
    for (digest, stream) in digests.iter().zip(streams) {
        h.write_u64(digest.elements);
        h.write_u64(stream.marks_key);
    }
    h.write_u64(structure.scopes.len() as u64);
    for scope in &structure.scopes {
        h.write_u64(crate::memo::key(&scope.nodes));
    }
    h.write_part(structure.lang.as_bytes());
    h.finish()
}

/// The objects the writer needs from the pages: each page's object and its annotations'.
pub(crate) struct Targets<'a> {
    pub pages: &'a [ObjectId],
    pub annots: &'a [Vec<ObjectId>],
}

/// Writes the structure tree into `lo`; returns the `StructTreeRoot`'s id. Pages get their
/// `/StructParents`, annotations their `/StructParent`.
pub(crate) fn write(
    lo: &mut Document,
    tree: &Tree,
    structure: &Structure,
    targets: &Targets,
) -> Result<ObjectId, super::PdfError> {
    let root = lo.new_object_id();
    let doc = lo.new_object_id();
    let mut w = Writer {
        lo,
        tree,
        targets,
        node_ids: structure
            .scopes
            .iter()
            .map(|s| vec![None; s.nodes.len()])
            .collect(),
        inline_ids: vec![None; tree.inlines.len()],
    };
    // Every element that holds content, or holds one that does, gets an object.
    let mut kids = Vec::new();
    for (s, scope) in structure.scopes.iter().enumerate() {
        let shape = Shape::of(&scope.nodes, &tree.leaves[s]);
        let mut i = 0;
        while i < scope.nodes.len() {
            if let Some(id) = w.node(structure, &shape, s, i, doc) {
                kids.push(Object::Reference(id));
            }
            i = shape.end[i];
        }
    }
    let mut d = Dictionary::new();
    d.set("S", Object::Name(b"Document".to_vec()));
    d.set("P", Object::Reference(root));
    d.set("K", Object::Array(kids));
    w.lo.objects.insert(doc, Object::Dictionary(d));
    let parent_tree = w.parent_tree()?;
    let mut r = Dictionary::new();
    r.set("Type", Object::Name(b"StructTreeRoot".to_vec()));
    r.set("K", Object::Reference(doc));
    r.set("ParentTree", Object::Reference(parent_tree.0));
    r.set("ParentTreeNextKey", Object::Integer(parent_tree.1));
    let mut roles = Dictionary::new();
    roles.set("Aside", Object::Name(b"Div".to_vec()));
    r.set("RoleMap", Object::Dictionary(roles));
    w.lo.objects.insert(root, Object::Dictionary(r));
    Ok(root)
}

/// A scope's nodes as a tree: where each one's subtree ends (nodes are in preorder, so a
/// subtree is the run of nodes after its root) and whether anything in it holds content.
struct Shape {
    end: Vec<usize>,
    live: Vec<bool>,
}

impl Shape {
    fn of(nodes: &[Node], leaves: &[Vec<Placed>]) -> Shape {
        let n = nodes.len();
        let mut end: Vec<usize> = (1..=n).collect();
        let mut live: Vec<bool> = leaves.iter().map(|k| !k.is_empty()).collect();
        // Children come after their parents: going backwards, each is complete when its
        // parent takes it in.
        for i in (0..n).rev() {
            if let Some(p) = nodes[i].parent.map(|p| p as usize).filter(|p| *p < i) {
                end[p] = end[p].max(end[i]);
                live[p] |= live[i];
            }
        }
        Shape { end, live }
    }
}

struct Writer<'a> {
    lo: &'a mut Document,
    tree: &'a Tree,
    targets: &'a Targets<'a>,
    /// Objects of the elements written, by scope and index, and by inline element.
    node_ids: Vec<Vec<Option<ObjectId>>>,
    inline_ids: Vec<Option<ObjectId>>,
}

impl Writer<'_> {
    /// Writes node `i` of scope `scope` and what is under it, if anything under it holds
    /// content; returns its object.
    fn node(
        &mut self,
        structure: &Structure,
        shape: &Shape,
        scope: usize,
        i: usize,
        parent: ObjectId,
    ) -> Option<ObjectId> {
        if !shape.live[i] {
            return None;
        }
        let node = &structure.scopes[scope].nodes[i];
        let me = self.lo.new_object_id();
        let content = &self.tree.leaves[scope][i];
        let page = first_page(self.tree, content);
        let mut kids = self.kids(content, me, page);
        let mut c = i + 1;
        while c < shape.end[i] {
            if let Some(id) = self.node(structure, shape, scope, c, me) {
                kids.push(Object::Reference(id));
            }
            c = shape.end[c];
        }
        let mut d = element(
            node.role.pdf_name(),
            parent,
            kids,
            page.map(|p| self.targets.pages[p]),
        );
        attributes(&mut d, node);
        self.lo.objects.insert(me, Object::Dictionary(d));
        self.node_ids[scope][i] = Some(me);
        Some(me)
    }

    /// The object of element `e`, when it was written.
    fn object(&self, e: Elem) -> Option<ObjectId> {
        match e {
            Elem::Node(id) => *self
                .node_ids
                .get(id.scope as usize)?
                .get(id.index as usize)?,
            Elem::Inline(g) => *self.inline_ids.get(g)?,
        }
    }

    /// The kids of an element with object `me` whose page is `page`.
    fn kids(&mut self, content: &[Placed], me: ObjectId, page: Option<usize>) -> Vec<Object> {
        let mut out = Vec::with_capacity(content.len());
        for (_, kid) in content {
            match kid {
                Kid::Mcr { page: p, mcid } if Some(*p) == page => {
                    out.push(Object::Integer(i64::from(*mcid)));
                }
                Kid::Mcr { page: p, mcid } => {
                    let mut d = Dictionary::new();
                    d.set("Type", Object::Name(b"MCR".to_vec()));
                    d.set("Pg", Object::Reference(self.targets.pages[*p]));
                    d.set("MCID", Object::Integer(i64::from(*mcid)));
                    out.push(Object::Dictionary(d));
                }
                Kid::Inline(g) => {
                    if let Some(id) = self.inline(*g, me) {
                        out.push(Object::Reference(id));
                    }
                }
                Kid::Annot { page: p, k } => {
                    if let Some(annot) = self.targets.annots[*p].get(*k as usize) {
                        let mut d = Dictionary::new();
                        d.set("Type", Object::Name(b"OBJR".to_vec()));
                        d.set("Obj", Object::Reference(*annot));
                        d.set("Pg", Object::Reference(self.targets.pages[*p]));
                        out.push(Object::Dictionary(d));
                    }
                }
            }
        }
        out
    }

    /// Writes inline element `g` (child of `parent`), if it holds anything.
    fn inline(&mut self, g: usize, parent: ObjectId) -> Option<ObjectId> {
        let elem = &self.tree.inlines[g];
        if elem.dead || elem.kids.is_empty() {
            return None;
        }
        let me = self.lo.new_object_id();
        let page = first_page(self.tree, &elem.kids);
        let kids = self.kids(&elem.kids, me, page);
        let mut d = element(
            super::tags::inline_name(&elem.tag),
            parent,
            kids,
            page.map(|p| self.targets.pages[p]),
        );
        if let InlineTag::Lang(l) = &elem.tag {
            d.set("Lang", super::metadata::text_string(l));
        }
        self.lo.objects.insert(me, Object::Dictionary(d));
        self.inline_ids[g] = Some(me);
        Some(me)
    }

    /// The parent tree: for each page with marked content, its MCIDs' elements (key: the
    /// page's index); for each annotation in an element, that element (keys after the
    /// pages'). Sets `/StructParents` and `/StructParent`. Returns the tree's object and its
    /// next key.
    fn parent_tree(&mut self) -> Result<(ObjectId, i64), super::PdfError> {
        let mut nums = Vec::new();
        let pages = self.targets.pages.len();
        for (p, owners) in self.tree.mcids.iter().enumerate() {
            if owners.is_empty() {
                continue;
            }
            let refs: Vec<Object> = owners
                .iter()
                .map(|e| self.object(*e).map_or(Object::Null, Object::Reference))
                .collect();
            nums.push(Object::Integer(p as i64));
            nums.push(Object::Array(refs));
            let page = self.targets.pages[p];
            if let Ok(d) = self.lo.get_dictionary_mut(page) {
                d.set("StructParents", Object::Integer(p as i64));
            }
        }
        let mut next = pages as i64;
        for (p, owners) in self.tree.annots.iter().enumerate() {
            for (k, owner) in owners.iter().enumerate() {
                let Some(annot) = self.targets.annots[p].get(k) else {
                    continue;
                };
                let Some(elem) = owner.and_then(|e| self.object(e)) else {
                    continue;
                };
                let text = match owner {
                    Some(Elem::Inline(g)) => link_text(&self.tree.inlines[*g].text),
                    _ => String::new(),
                };
                if let Ok(d) = self.lo.get_dictionary_mut(*annot) {
                    d.set("StructParent", Object::Integer(next));
                    if !text.is_empty() {
                        d.set("Contents", super::metadata::text_string(&text));
                    }
                }
                nums.push(Object::Integer(next));
                nums.push(Object::Reference(elem));
                next += 1;
            }
        }
        let mut d = Dictionary::new();
        d.set("Nums", Object::Array(nums));
        Ok((self.lo.add_object(Object::Dictionary(d)), next))
    }
}

/// A link's text as its annotation's description: its words, spaces made single.
fn link_text(text: &str) -> String {
    text.replace(crate::typeset::frame::SOFT_HYPHEN, "")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The page of an element's first marked content.
fn first_page(tree: &Tree, kids: &[Placed]) -> Option<usize> {
    kids.iter().find_map(|(_, k)| match k {
        Kid::Mcr { page, .. } | Kid::Annot { page, .. } => Some(*page),
        Kid::Inline(g) => first_page(tree, &tree.inlines[*g].kids),
    })
}

/// A structure element's dictionary (a single kid stands alone, not in an array).
fn element(
    role: &str,
    parent: ObjectId,
    mut kids: Vec<Object>,
    page: Option<ObjectId>,
) -> Dictionary {
    // `/Type /StructElem` is optional (ISO 32000-1, table 323): tens of thousands of
    // elements leave it out.
    let k = match kids.len() {
        1 => kids.pop().unwrap_or(Object::Null),
        _ => Object::Array(kids),
    };
    let mut entries: Vec<(&str, Object)> = Vec::with_capacity(4);
    entries.push(("S", Object::Name(role.as_bytes().to_vec())));
    entries.push(("P", Object::Reference(parent)));
    if let Some(pg) = page {
        entries.push(("Pg", Object::Reference(pg)));
    }
    entries.push(("K", k));
    Dictionary::from_iter(entries)
}

/// What a node says about itself: a figure's `/Alt`, a part's `/Lang`, a note's `/ID`, a
/// header cell's scope, a list's numbering.
fn attributes(d: &mut Dictionary, node: &Node) {
    let a = &node.attrs;
    if let Some(alt) = &a.alt {
        d.set("Alt", super::metadata::text_string(alt));
    }
    if let Some(lang) = &a.lang {
        d.set("Lang", super::metadata::text_string(lang));
    }
    if let Some(id) = &a.id {
        d.set(
            "ID",
            Object::String(id.as_bytes().to_vec(), StringFormat::Literal),
        );
    }
    let owner = |o: &[u8], key: &str, value: &[u8]| {
        let mut attr = Dictionary::new();
        attr.set("O", Object::Name(o.to_vec()));
        attr.set(key, Object::Name(value.to_vec()));
        Object::Dictionary(attr)
    };
    match node.role {
        Role::TH => d.set("A", owner(b"Table", "Scope", b"Column")),
        Role::L(kind) => {
            let style: &[u8] = match kind {
                ListKind::Bullets => b"Disc",
                ListKind::Numbers => b"Decimal",
                // A term is its item's label: no number, no bullet.
                ListKind::Terms => b"None",
            };
            d.set("A", owner(b"List", "ListNumbering", style));
        }
        _ => {}
    }
}
