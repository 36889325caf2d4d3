//! A piece's blocks resolved: model blocks in → [`RBlock`]s out, each with the id of its
//! structure element, headings at the level they are read at and with an anchor unique in
//! the piece, note references numbered (and those without a note dropped), footnote
//! definitions taken out of the flow, the closing note marked.
//!
//! This is the one walk over a piece's blocks: the structure ([`Builder`]) is made as the
//! blocks are, so a block and its element cannot disagree.

use super::notes::Numbering;
use super::structure::{Attrs, Builder, ElemId, ListKind, Role};
use crate::model::{Align, Block, Inline, Span, SpeakerRole, Width};

/// A resolved block: the element it is (or holds its content), where it came from, what it
/// is.
#[derive(Debug, Clone, PartialEq)]
pub struct RBlock {
    /// The block's structure element: the leaf its content is tagged with (a paragraph, a
    /// heading), or the container of its parts (a list, a table, a quotation).
    pub id: ElemId,
    pub span: Span,
    pub kind: Kind,
}

/// What a resolved block is.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    Heading {
        /// The level it is read at: the piece's title is level 1, so the piece's top
        /// headings are 2 (the EPUB's `h2`, the PDF's `H2`).
        level: u8,
        /// The level as written (`#` is 1): the typesetter's sizes follow it.
        written: u8,
        /// Its anchor, unique in the piece (links `#anchor` lead here).
        anchor: String,
        content: Vec<Inline>,
    },
    Paragraph {
        content: Vec<Inline>,
        /// The piece's closing note (an italic paragraph that ends it: a translator's note,
        /// a credit): set apart from the text.
        closing: bool,
    },
    /// A speaker's turn in an interview.
    Turn {
        speaker: String,
        role: SpeakerRole,
        content: Vec<Inline>,
    },
    /// A pull quote: `text` is the element its display lines are tagged with (the PDF sets
    /// its blocks as one paragraph); `blocks` are its blocks as written.
    PullQuote {
        text: ElemId,
        blocks: Vec<RBlock>,
    },
    BlockQuote {
        blocks: Vec<RBlock>,
    },
    List {
        ordered: bool,
        start: u64,
        items: Vec<ListItem>,
    },
    Table {
        /// Its number in the piece, from 1.
        number: u32,
        header: Vec<Cell>,
        rows: Vec<Vec<Cell>>,
        align: Vec<Align>,
    },
    Figure {
        src: String,
        /// The text alternative (empty: none was written).
        alt: String,
        caption: Vec<Inline>,
        /// The caption's element (when there is a caption).
        caption_id: Option<ElemId>,
        width: Option<Width>,
    },
    Definitions {
        items: Vec<Definition>,
    },
    Code {
        text: String,
    },
    /// A section break (`***`): drawn, not read.
    Break,
}

/// A list item: its label's element and its blocks.
#[derive(Debug, Clone, PartialEq)]
pub struct ListItem {
    pub label: ElemId,
    pub blocks: Vec<RBlock>,
}

/// A table cell: its element and its text.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub id: ElemId,
    pub content: Vec<Inline>,
    /// A header cell (`th`, `TH`): a cell of the header row with something in it.
    pub header: bool,
}

/// A term with its definitions.
#[derive(Debug, Clone, PartialEq)]
pub struct Definition {
    /// The term's element (a list label).
    pub label: ElemId,
    pub term: Vec<Inline>,
    pub defs: Vec<Vec<RBlock>>,
}

/// The walk's state: the structure being made, the note numbers, the anchors given so far.
pub(super) struct Walk<'a> {
    pub b: Builder,
    pub notes: &'a Numbering,
    /// The shift that makes the piece's top headings level 2.
    pub shift: u8,
    pub anchors: std::collections::HashSet<String>,
    pub tables: u32,
    /// Inside a part set but not read as its own elements (a pull quote's blocks, a note's):
    /// no elements are made there.
    pub muted: u32,
}

impl Walk<'_> {
    fn leaf(&mut self, role: Role) -> ElemId {
        if self.muted > 0 {
            return self.b.none();
        }
        self.b.leaf(role)
    }

    fn leaf_with(&mut self, role: Role, attrs: Attrs) -> ElemId {
        if self.muted > 0 {
            return self.b.none();
        }
        self.b.leaf_with(role, attrs)
    }

    fn open(&mut self, role: Role) -> ElemId {
        if self.muted > 0 {
            return self.b.none();
        }
        self.b.open(role, Attrs::default())
    }

    fn close(&mut self) {
        if self.muted == 0 {
            self.b.close();
        }
    }

    /// `blocks` resolved, footnote definitions left out (they are the piece's notes).
    pub fn blocks(&mut self, blocks: &[Block]) -> Vec<RBlock> {
        let closing = closing_note(blocks);
        let mut out = Vec::with_capacity(blocks.len());
        for (i, b) in blocks.iter().enumerate() {
            if let Some(r) = self.block(b, closing == Some(i)) {
                out.push(r);
            }
        }
        out
    }

    /// Blocks set but not read as elements of their own.
    pub fn muted_blocks(&mut self, blocks: &[Block]) -> Vec<RBlock> {
        self.muted += 1;
        let out = self.blocks(blocks);
        self.muted -= 1;
        out
    }

    fn inlines(&self, inlines: &[Inline]) -> Vec<Inline> {
        self.notes.inlines(inlines)
    }

    fn block(&mut self, b: &Block, closing: bool) -> Option<RBlock> {
        let span = b.span();
        let (id, kind) = match b {
            Block::FootnoteDef { .. } => return None,
            Block::Heading {
                level, id, content, ..
            } => {
                let read = level.saturating_add(self.shift).clamp(1, 6);
                let anchor = self.anchor(id);
                (
                    self.leaf(Role::H(read)),
                    Kind::Heading {
                        level: read,
                        written: *level,
                        anchor,
                        content: self.inlines(content),
                    },
                )
            }
            Block::Paragraph { content, .. } => (
                self.leaf(Role::P),
                Kind::Paragraph {
                    content: self.inlines(content),
                    closing,
                },
            ),
            Block::SpeakerTurn {
                speaker,
                role,
                content,
                ..
            } => (
                self.leaf(Role::P),
                Kind::Turn {
                    speaker: speaker.clone(),
                    role: *role,
                    content: self.inlines(content),
                },
            ),
            Block::PullQuote { content, .. } => {
                let id = self.open(Role::Aside);
                let text = self.leaf(Role::P);
                let blocks = self.muted_blocks(content);
                self.close();
                (id, Kind::PullQuote { text, blocks })
            }
            Block::BlockQuote { content, .. } => {
                let id = self.open(Role::BlockQuote);
                let blocks = self.blocks(content);
                self.close();
                (id, Kind::BlockQuote { blocks })
            }
            Block::List {
                ordered,
                start,
                items,
                ..
            } => {
                let kind = match ordered {
                    true => ListKind::Numbers,
                    false => ListKind::Bullets,
                };
                let id = self.open(Role::L(kind));
                let items = items.iter().map(|item| self.list_item(item)).collect();
                self.close();
                let (ordered, start) = (*ordered, *start);
                (
                    id,
                    Kind::List {
                        ordered,
                        start,
                        items,
                    },
                )
            }
            Block::Table {
                header,
                rows,
                align,
                ..
            } => self.table(header, rows, align),
            Block::Figure {
                src,
                alt,
                caption,
                width,
                ..
            } => self.figure(src, alt, caption, *width),
            Block::DefinitionList { items, .. } => {
                let id = self.open(Role::L(ListKind::Terms));
                let items = items
                    .iter()
                    .map(|(term, defs)| self.definition(term, defs))
                    .collect();
                self.close();
                (id, Kind::Definitions { items })
            }
            Block::CodeBlock { text, .. } => {
                (self.leaf(Role::Code), Kind::Code { text: text.clone() })
            }
            Block::Break { .. } => (self.b.none(), Kind::Break),
        };
        Some(RBlock { id, span, kind })
    }

    fn list_item(&mut self, blocks: &[Block]) -> ListItem {
        self.open(Role::LI);
        let label = self.leaf(Role::Lbl);
        self.open(Role::LBody);
        let blocks = self.blocks(blocks);
        self.close();
        self.close();
        ListItem { label, blocks }
    }

    fn definition(&mut self, term: &[Inline], defs: &[Vec<Block>]) -> Definition {
        self.open(Role::LI);
        let label = self.leaf(Role::Lbl);
        self.open(Role::LBody);
        let defs = defs.iter().map(|d| self.blocks(d)).collect();
        self.close();
        self.close();
        Definition {
            label,
            term: self.inlines(term),
            defs,
        }
    }

    fn table(
        &mut self,
        header: &[Vec<Inline>],
        rows: &[Vec<Vec<Inline>>],
        align: &[Align],
    ) -> (ElemId, Kind) {
        self.tables += 1;
        let id = self.open(Role::Table);
        let row = |w: &mut Self, cells: &[Vec<Inline>], role: Role| -> Vec<Cell> {
            w.open(Role::TR);
            let out = cells
                .iter()
                .map(|c| {
                    // An empty header cell (a table's corner) heads nothing: a data cell,
                    // in both outputs (an empty `th` is a fault to screen readers).
                    let empty = crate::model::plain_text(c).trim().is_empty();
                    let role = if empty { Role::TD } else { role };
                    Cell {
                        id: w.leaf(role),
                        content: w.inlines(c),
                        header: role == Role::TH,
                    }
                })
                .collect();
            w.close();
            out
        };
        let header = if header.is_empty() {
            Vec::new()
        } else {
            self.open(Role::THead);
            let cells = row(self, header, Role::TH);
            self.close();
            cells
        };
        self.open(Role::TBody);
        let rows = rows.iter().map(|r| row(self, r, Role::TD)).collect();
        self.close();
        self.close();
        let kind = Kind::Table {
            number: self.tables,
            header,
            rows,
            align: align.to_vec(),
        };
        (id, kind)
    }

    fn figure(
        &mut self,
        src: &str,
        alt: &str,
        caption: &[Inline],
        width: Option<Width>,
    ) -> (ElemId, Kind) {
        let grouped = !caption.is_empty();
        if grouped {
            self.open(Role::Div);
        }
        // A figure without a text alternative is decorative (HTML's `alt=""`): drawn, not
        // read (the checks warn of it, or refuse it for PDF/UA-1).
        let id = match alt.trim() {
            "" => self.b.none(),
            alt => self.leaf_with(
                Role::Figure,
                Attrs {
                    alt: Some(alt.to_string()),
                    ..Attrs::default()
                },
            ),
        };
        let caption_id = grouped.then(|| self.leaf(Role::Caption));
        if grouped {
            self.close();
        }
        let kind = Kind::Figure {
            src: src.to_string(),
            alt: alt.trim().to_string(),
            caption: self.inlines(caption),
            caption_id,
            width,
        };
        (id, kind)
    }

    /// `id` made unique in the piece (a second `#intro` becomes `intro-2`) and a valid XML
    /// id.
    pub fn anchor(&mut self, id: &str) -> String {
        let mut base = crate::escape::xml_id(id);
        // One of folio's own ids: the author's keeps its words behind a prefix of its own.
        if reserved_id(&base) {
            base.insert_str(0, "u-");
        }
        let mut name = base.clone();
        let mut k = 1;
        while !self.anchors.insert(name.clone()) {
            k += 1;
            name = format!("{base}-{k}");
        }
        name
    }
}

/// An id the EPUB writer gives its own elements (the piece's title, a note and its call,
/// a page's marker): an author's heading or `<a id>` never takes one, or an XHTML file
/// would hold it twice.
pub fn reserved_id(id: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    id == "piece_title"
        || id == "titlepage_title"
        || id.starts_with("page-")
        || id.strip_prefix("fn_").is_some_and(digits)
        || id.strip_prefix("fnref_").is_some_and(|r| {
            let (n, k) = r.split_once('_').unwrap_or((r, "0"));
            digits(n) && digits(k)
        })
}

impl Walk<'_> {
    /// The author's `<a id>` anchors made unique in the piece: the first of each keeps its
    /// name (headings were named around them), a repeat or one of folio's own ids is
    /// numbered like a repeated heading.
    pub fn unique_anchors(&mut self, blocks: &mut [RBlock]) {
        let mut kept = std::collections::HashSet::new();
        inlines_mut(blocks, &mut |i| {
            if let Inline::Anchor { id, .. } = i
                && (reserved_id(id) || !kept.insert(id.clone()))
            {
                *id = self.anchor(id);
                kept.insert(id.clone());
            }
        });
    }
}

/// The index of the piece's closing note: its last text block when that is a paragraph set
/// wholly in emphasis (and the piece has more than that paragraph).
fn closing_note(blocks: &[Block]) -> Option<usize> {
    let (i, last) = blocks
        .iter()
        .enumerate()
        .rev()
        .find(|(_, b)| !matches!(b, Block::FootnoteDef { .. } | Block::PullQuote { .. }))?;
    let Block::Paragraph { content, .. } = last else {
        return None;
    };
    let emphasis_only = !content.is_empty()
        && content.iter().all(|i| match i {
            Inline::Emphasis { .. } | Inline::FootnoteRef { .. } => true,
            Inline::Text { text, .. } => text.trim().is_empty(),
            _ => false,
        });
    (emphasis_only && i > 0).then_some(i)
}

/// The shift that makes a piece's top headings level 2 (its title is level 1).
pub(super) fn heading_shift(blocks: &[Block]) -> u8 {
    let top = blocks
        .iter()
        .filter_map(|b| match b {
            Block::Heading { level, .. } => Some(*level),
            _ => None,
        })
        .min()
        .unwrap_or(2);
    2u8.saturating_sub(top)
}

impl RBlock {
    /// The block's own runs of inlines (its text, cells, caption, terms); the blocks nested
    /// in it have their own.
    pub fn inlines(&self) -> Vec<&[Inline]> {
        match &self.kind {
            Kind::Heading { content, .. }
            | Kind::Paragraph { content, .. }
            | Kind::Turn { content, .. } => vec![content],
            Kind::Table { header, rows, .. } => header
                .iter()
                .chain(rows.iter().flatten())
                .map(|c| c.content.as_slice())
                .collect(),
            Kind::Figure { caption, .. } => vec![caption],
            Kind::Definitions { items } => items.iter().map(|d| d.term.as_slice()).collect(),
            _ => vec![],
        }
    }
}

/// Calls `f` on every inline of `blocks` (nested blocks, cells, captions, terms and the
/// content of emphasis, links and foreign terms included), outer before inner, in reading
/// order: for passes that settle what an inline says (a link's target).
pub fn inlines_mut(blocks: &mut [RBlock], f: &mut dyn FnMut(&mut Inline)) {
    fn each(list: &mut [Inline], f: &mut dyn FnMut(&mut Inline)) {
        for i in list {
            f(i);
            match i {
                Inline::Emphasis { content, .. }
                | Inline::Strong { content, .. }
                | Inline::Script { content, .. }
                | Inline::Element { content, .. }
                | Inline::Link { content, .. }
                | Inline::Foreign { content, .. } => each(content, f),
                _ => {}
            }
        }
    }
    for b in blocks {
        match &mut b.kind {
            Kind::Heading { content, .. }
            | Kind::Paragraph { content, .. }
            | Kind::Turn { content, .. } => each(content, f),
            Kind::PullQuote { blocks, .. } | Kind::BlockQuote { blocks } => inlines_mut(blocks, f),
            Kind::List { items, .. } => {
                items.iter_mut().for_each(|i| inlines_mut(&mut i.blocks, f))
            }
            Kind::Table { header, rows, .. } => {
                for c in header.iter_mut().chain(rows.iter_mut().flatten()) {
                    each(&mut c.content, f);
                }
            }
            Kind::Figure { caption, .. } => each(caption, f),
            Kind::Definitions { items } => {
                for d in items {
                    each(&mut d.term, f);
                    d.defs.iter_mut().for_each(|def| inlines_mut(def, f));
                }
            }
            Kind::Code { .. } | Kind::Break => {}
        }
    }
}

/// Calls `f` on every inline of `blocks`, as [`inlines_mut`] does, to read them.
pub fn each_inline(blocks: &[RBlock], f: &mut dyn FnMut(&Inline)) {
    visit(blocks, &mut |b| {
        for list in b.inlines() {
            crate::model::walk_inline_list(list, f);
        }
    });
}

/// Calls `f` on every block of `blocks` and on the blocks nested in them, depth first, in
/// reading order (footnote definitions are not in a resolved piece's flow).
pub fn visit<'b>(blocks: &'b [RBlock], f: &mut dyn FnMut(&'b RBlock)) {
    for b in blocks {
        f(b);
        match &b.kind {
            Kind::PullQuote { blocks, .. } | Kind::BlockQuote { blocks } => visit(blocks, f),
            Kind::List { items, .. } => items.iter().for_each(|i| visit(&i.blocks, f)),
            Kind::Definitions { items } => items
                .iter()
                .flat_map(|d| d.defs.iter())
                .for_each(|d| visit(d, f)),
            _ => {}
        }
    }
}
