//! The book's logical structure, decided once by `resolve`: which elements it has (parts,
//! headings, paragraphs, lists, tables, figures, notes…), in reading order, with the facts a
//! reader needs about each (alternative text, language, a note's id, a header cell's scope).
//!
//! Both back ends read it: the EPUB writes its markup in this order, the typesetter puts
//! `Tag` items carrying an [`ElemId`] around the content it sets for a leaf element, and the
//! PDF writer builds its structure tree from this and those tags. Format-neutral: the roles
//! are named after the PDF standard structure types they become.

/// A structure element: its scope (0: the book's own pages — title page, imprint and
/// contents; `k + 1`: piece `k`) and its place in that scope's list. Pieces number their
/// elements from 0 in reading order, so an edit in one piece leaves every other piece's ids
/// (and its cached layout) alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct ElemId {
    pub scope: u32,
    pub index: u32,
}

impl ElemId {
    /// Does this id name no element ([`Builder::none`])?
    pub fn is_none(self) -> bool {
        self.index == u32::MAX
    }
}

/// The scope of the title page, the imprint and the contents.
pub const FRONT: u32 = 0;

/// The scope of piece `k`'s elements.
pub fn piece_scope(k: usize) -> u32 {
    u32::try_from(k + 1).unwrap_or(u32::MAX)
}

/// What an element is. Leaves hold content (text, an image); the rest hold elements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// A piece (PDF `Part`).
    Part,
    /// A division of the book's own pages: the title page, the imprint (PDF `Sect`).
    Sect,
    /// A heading, level 1–6.
    H(u8),
    P,
    BlockQuote,
    /// A pull quote: display text repeated from the piece (PDF role-maps it to `Div`).
    Aside,
    /// A list: bulleted, numbered, or of terms and their definitions.
    L(ListKind),
    LI,
    /// A list item's label (its bullet or number), or a definition's term.
    Lbl,
    LBody,
    Table,
    /// A table's header rows and its body rows.
    THead,
    TBody,
    TR,
    /// A header cell (of its column).
    TH,
    TD,
    Figure,
    Caption,
    /// A figure with its caption.
    Div,
    /// A footnote.
    Note,
    /// The printed contents and its entries.
    TOC,
    TOCI,
    /// A code block.
    Code,
}

impl Role {
    /// A number for the role (and its level), for hashes.
    pub fn code(self) -> u32 {
        match self {
            Role::Part => 1,
            Role::Sect => 2,
            Role::H(l) => 10 + u32::from(l),
            Role::P => 3,
            Role::BlockQuote => 4,
            Role::Aside => 5,
            Role::L(ListKind::Bullets) => 20,
            Role::L(ListKind::Numbers) => 21,
            Role::L(ListKind::Terms) => 25,
            Role::LI => 22,
            Role::Lbl => 23,
            Role::LBody => 24,
            Role::Table => 30,
            Role::THead => 34,
            Role::TBody => 35,
            Role::TR => 31,
            Role::TH => 32,
            Role::TD => 33,
            Role::Figure => 40,
            Role::Caption => 41,
            Role::Div => 42,
            Role::Note => 50,
            Role::TOC => 60,
            Role::TOCI => 61,
            Role::Code => 70,
        }
    }

    /// The PDF standard structure type (ISO 32000-1, 14.8.4) or folio's own, role-mapped.
    pub fn pdf_name(self) -> &'static str {
        match self {
            Role::Part => "Part",
            Role::Sect => "Sect",
            Role::H(1) => "H1",
            Role::H(2) => "H2",
            Role::H(3) => "H3",
            Role::H(4) => "H4",
            Role::H(5) => "H5",
            Role::H(_) => "H6",
            Role::P => "P",
            Role::BlockQuote => "BlockQuote",
            Role::Aside => "Aside",
            Role::L(_) => "L",
            Role::LI => "LI",
            Role::Lbl => "Lbl",
            Role::LBody => "LBody",
            Role::Table => "Table",
            Role::THead => "THead",
            Role::TBody => "TBody",
            Role::TR => "TR",
            Role::TH => "TH",
            Role::TD => "TD",
            Role::Figure => "Figure",
            Role::Caption => "Caption",
            Role::Div => "Div",
            Role::Note => "Note",
            Role::TOC => "TOC",
            Role::TOCI => "TOCI",
            Role::Code => "Code",
        }
    }
}

/// What a list's items are labelled with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ListKind {
    /// Bullets (the EPUB's `ul`).
    Bullets,
    /// Numbers (`ol`).
    Numbers,
    /// Terms, each with its definitions (`dl`).
    Terms,
}

/// What an element says about itself beyond its role.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Attrs {
    /// A figure's text alternative.
    pub alt: Option<String>,
    /// The element's language, where it differs from its parent's.
    pub lang: Option<String>,
    /// A note's identifier, unique in the book (`fn-3-2`: piece 3, note 2).
    pub id: Option<String>,
}

/// One element: its role, its parent (an index in the same scope), what it says.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Node {
    pub role: Role,
    pub parent: Option<u32>,
    pub attrs: Attrs,
}

/// The elements of one scope, in reading order (a parent before its children, siblings in
/// order): what [`Builder`] made.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Scope {
    pub nodes: Vec<Node>,
}

/// The whole book's structure: the front scope and every piece's, in reading order.
#[derive(Debug, Clone, Default)]
pub struct Structure {
    /// The document's language.
    pub lang: String,
    /// Scope `k` is `scopes[k]` ([`FRONT`] first, then the pieces).
    pub scopes: Vec<std::sync::Arc<Scope>>,
}

impl Structure {
    /// The node `id` names, if any.
    pub fn node(&self, id: ElemId) -> Option<&Node> {
        self.scopes
            .get(id.scope as usize)?
            .nodes
            .get(id.index as usize)
    }
}

/// Makes one scope's elements in reading order: each `open` or `leaf` gives the new
/// element's id; `close` ends the innermost open one.
pub struct Builder {
    scope: u32,
    nodes: Vec<Node>,
    open: Vec<u32>,
}

impl Builder {
    pub fn new(scope: u32) -> Builder {
        Builder {
            scope,
            nodes: Vec::new(),
            open: Vec::new(),
        }
    }

    fn push(&mut self, role: Role, attrs: Attrs) -> ElemId {
        let index = u32::try_from(self.nodes.len()).unwrap_or(u32::MAX);
        self.nodes.push(Node {
            role,
            parent: self.open.last().copied(),
            attrs,
        });
        ElemId {
            scope: self.scope,
            index,
        }
    }

    /// A container: the elements made until its `close` are its children.
    pub fn open(&mut self, role: Role, attrs: Attrs) -> ElemId {
        let id = self.push(role, attrs);
        self.open.push(id.index);
        id
    }

    /// Ends the innermost open container.
    pub fn close(&mut self) {
        self.open.pop();
    }

    /// An element that holds content (text, an image) and no elements of this list.
    pub fn leaf(&mut self, role: Role) -> ElemId {
        self.push(role, Attrs::default())
    }

    /// [`Builder::leaf`] with attributes.
    pub fn leaf_with(&mut self, role: Role, attrs: Attrs) -> ElemId {
        self.push(role, attrs)
    }

    /// An id that names no element (content set but not read: the inside of a note the
    /// PDF sets as one paragraph).
    pub fn none(&self) -> ElemId {
        ElemId {
            scope: self.scope,
            index: u32::MAX,
        }
    }

    pub fn finish(self) -> Scope {
        Scope { nodes: self.nodes }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elements_come_in_reading_order_with_their_parents() {
        let mut b = Builder::new(piece_scope(2));
        let part = b.open(Role::Part, Attrs::default());
        let h = b.leaf(Role::H(1));
        let list = b.open(Role::L(ListKind::Numbers), Attrs::default());
        let item = b.leaf(Role::LI);
        b.close();
        let p = b.leaf(Role::P);
        b.close();
        let scope = b.finish();
        assert_eq!(part, ElemId { scope: 3, index: 0 });
        assert_eq!([h.index, list.index, item.index, p.index], [1, 2, 3, 4]);
        let parents: Vec<Option<u32>> = scope.nodes.iter().map(|n| n.parent).collect();
        assert_eq!(parents, [None, Some(0), Some(0), Some(2), Some(0)]);
    }
}
