//! The document model both back ends read: `Book { meta, pieces }`, blocks and inlines.
//!
//! The loader (`markdown/`) builds it; `epub/` and `typeset/` only read it. Every block and
//! every inline that came from the manuscript carries a [`Span`] so a later stage can report
//! `file:line:column`.

use crate::meta::Metadata;
use std::path::PathBuf;

/// Where something came from: an index into [`Book::sources`] and a byte range of that
/// file's text. Lines and columns are worked out only when a diagnostic is printed, from
/// the source map ([`Book::texts`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    pub file: u32,
    pub start: u32,
    pub end: u32,
}

impl Span {
    /// The span of `range` in file `file` (offsets past 4 GiB are clamped; files are at
    /// most 256 MB).
    pub fn new(file: u32, range: std::ops::Range<usize>) -> Span {
        let clamp = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
        Span {
            file,
            start: clamp(range.start),
            end: clamp(range.end),
        }
    }

    /// The first byte, as an offset into the file's text.
    pub fn offset(self) -> usize {
        self.start as usize
    }
}

/// A whole book: book-level metadata and its pieces in reading order.
#[derive(Debug, Clone)]
pub struct Book {
    pub meta: Metadata,
    pub pieces: Vec<Piece>,
    /// The source files, indexed by [`Span::file`] (paths as the user gave them).
    pub sources: Vec<PathBuf>,
    /// Their text as loaded, by the same index: the source map later stages locate
    /// warnings with (no stage reads a source file again).
    pub texts: Vec<std::sync::Arc<str>>,
    /// A hash of each of those texts (what caches of loaded and laid-out pieces key on).
    pub text_hashes: Vec<u64>,
    /// Layout and output settings from `book.toml`.
    pub settings: crate::settings::Settings,
    /// The folder the book was loaded from (covers and images resolve against it).
    pub root: PathBuf,
    /// The book folder as the user named it: `sources` are paths inside it, and a piece's
    /// path relative to it is what links between pieces name.
    pub folder: PathBuf,
}

/// One piece: an interview, an essay, a chapter.
#[derive(Debug, Clone)]
pub struct Piece {
    pub meta: Metadata,
    /// Shared: the loader keeps each piece for the next build of a `folio watch` session,
    /// and a book takes it from there without copying every block.
    pub blocks: std::sync::Arc<Vec<Block>>,
    /// A stable, URL-safe name for the piece (file names, ids).
    pub slug: String,
    pub span: Span,
    /// The title of the part the piece is in (SUMMARY.md's `# Part` headings), if any.
    pub part: Option<String>,
}

/// Block-level content.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Heading {
        level: u8,
        id: String,
        content: Vec<Inline>,
        span: Span,
    },
    Paragraph {
        content: Vec<Inline>,
        span: Span,
    },
    /// A speaker turn in an interview: `**Name:** text` or `Q:`/`A:` paragraphs.
    SpeakerTurn {
        speaker: String,
        role: SpeakerRole,
        content: Vec<Inline>,
        span: Span,
    },
    /// A pull quote (`::: pullquote` … `:::`): display text repeated from the piece.
    PullQuote {
        content: Vec<Block>,
        span: Span,
    },
    BlockQuote {
        content: Vec<Block>,
        span: Span,
    },
    List {
        ordered: bool,
        start: u64,
        items: Vec<Vec<Block>>,
        span: Span,
    },
    Table {
        header: Vec<Vec<Inline>>,
        rows: Vec<Vec<Vec<Inline>>>,
        align: Vec<Align>,
        span: Span,
    },
    /// An image with its alt text and optional caption; `src` is relative to the book folder.
    /// `width` is the printed width asked for with `{width=40%}` or `{width=8cm}`.
    Figure {
        src: String,
        alt: String,
        caption: Vec<Inline>,
        width: Option<Width>,
        span: Span,
    },
    /// A footnote's text; referenced by [`Inline::FootnoteRef`] with the same label.
    FootnoteDef {
        label: String,
        content: Vec<Block>,
        span: Span,
    },
    /// A definition list: terms with their definitions.
    DefinitionList {
        items: Vec<(Vec<Inline>, Vec<Vec<Block>>)>,
        span: Span,
    },
    CodeBlock {
        text: String,
        span: Span,
    },
    /// A thematic break (`***`), set as a section break.
    Break {
        span: Span,
    },
}

/// A figure's printed width.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Width {
    /// A share of the measure, in percent (`{width=40%}`).
    Percent(f32),
    /// An absolute width in pt (`{width=8cm}`).
    Points(f32),
    /// The whole page, to the trim and into the print edition's bleed (`{.bleed}`): a page
    /// of its own, the caption after it.
    Page,
}

/// Who speaks in a [`Block::SpeakerTurn`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpeakerRole {
    /// `Q:` or the interviewer's name.
    Question,
    /// `A:` or the interviewee's name.
    Answer,
    /// Any other named speaker.
    Other,
}

/// Table column alignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    None,
    Left,
    Center,
    Right,
}

/// Inline content.
#[derive(Debug, Clone, PartialEq, Hash)]
pub enum Inline {
    Text {
        text: String,
        span: Span,
    },
    Emphasis {
        content: Vec<Inline>,
        span: Span,
    },
    Strong {
        content: Vec<Inline>,
        span: Span,
    },
    Code {
        text: String,
        span: Span,
    },
    Link {
        url: String,
        content: Vec<Inline>,
        span: Span,
    },
    /// A term in another language (`*El Gran Movimiento*{lang=es}`): set in italic, hyphenated
    /// and spoken by the rules of `lang`.
    Foreign {
        lang: String,
        content: Vec<Inline>,
        span: Span,
    },
    /// A reference to a footnote; `number` counts references in order of first use per piece.
    FootnoteRef {
        label: String,
        number: u32,
        span: Span,
    },
    /// A hard line break.
    LineBreak {
        span: Span,
    },
    /// Superscript (`<sup>`) or subscript (`<sub>`) text: `x<sup>2</sup>`, `H<sub>2</sub>O`.
    Script {
        sup: bool,
        content: Vec<Inline>,
        span: Span,
    },
    /// A place links may lead to (`<a id="name"></a>`): nothing shown.
    Anchor {
        id: String,
        span: Span,
    },
    /// An HTML phrase element the book keeps as written (`<abbr title="…">`, `<mark>`,
    /// `<del>`, `<q>`…; [`PHRASE_ELEMENTS`]): the EPUB writes the element with its safe
    /// attributes, the PDF sets its content.
    Element {
        name: String,
        attrs: Vec<(String, String)>,
        content: Vec<Inline>,
        span: Span,
    },
}

/// The HTML phrase elements kept in the EPUB as written (valid XHTML inside a paragraph;
/// the rest of raw HTML is interpreted or dropped).
pub const PHRASE_ELEMENTS: &[&str] = &[
    "abbr", "bdi", "bdo", "data", "del", "ins", "mark", "q", "s", "small", "time", "u",
];

/// Words of a piece's text that stand for its title where it has none (contents, outline,
/// EPUB navigation): enough to recognise the piece.
const LABEL_WORDS: usize = 6;

impl Piece {
    /// The title for navigation: the piece's own title, else its first heading.
    pub fn display_title(&self) -> Option<String> {
        if let Some(t) = &self.meta.title {
            return Some(t.clone());
        }
        let mut first = None;
        visit_blocks(&self.blocks, &mut |b| {
            if let (None, Block::Heading { content, .. }) = (&first, b) {
                first = Some(plain_text(content));
            }
        });
        first
    }

    /// What the contents and the navigation call the piece: [`Piece::display_title`], else
    /// its first words ("The travelling screen leaves El Alto…"); never a file name.
    pub fn label(&self) -> String {
        if let Some(t) = self.display_title() {
            return t;
        }
        let mut words: Vec<String> = Vec::new();
        walk_inlines(&self.blocks, &mut |i| {
            if let Inline::Text { text, .. } = i {
                words.extend(text.split_whitespace().map(str::to_owned));
            }
        });
        let more = words.len() > LABEL_WORDS;
        words.truncate(LABEL_WORDS);
        let mut label = words.join(" ");
        if more {
            label.push('…');
        }
        label
    }
}

impl Block {
    /// The inline lists the block holds itself (not those of the blocks nested in it): a
    /// paragraph's text, a table's cells, a figure's caption, a definition list's terms.
    pub fn inlines(&self) -> Vec<&[Inline]> {
        match self {
            Block::Heading { content, .. }
            | Block::Paragraph { content, .. }
            | Block::SpeakerTurn { content, .. } => vec![content],
            Block::Table { header, rows, .. } => header
                .iter()
                .chain(rows.iter().flatten())
                .map(Vec::as_slice)
                .collect(),
            Block::Figure { caption, .. } => vec![caption],
            Block::DefinitionList { items, .. } => {
                items.iter().map(|(t, _)| t.as_slice()).collect()
            }
            _ => Vec::new(),
        }
    }

    pub fn span(&self) -> Span {
        match self {
            Block::Heading { span, .. }
            | Block::Paragraph { span, .. }
            | Block::SpeakerTurn { span, .. }
            | Block::PullQuote { span, .. }
            | Block::BlockQuote { span, .. }
            | Block::List { span, .. }
            | Block::Table { span, .. }
            | Block::Figure { span, .. }
            | Block::FootnoteDef { span, .. }
            | Block::DefinitionList { span, .. }
            | Block::CodeBlock { span, .. }
            | Block::Break { span } => *span,
        }
    }
}

impl Inline {
    pub fn span(&self) -> Span {
        match self {
            Inline::Text { span, .. }
            | Inline::Emphasis { span, .. }
            | Inline::Strong { span, .. }
            | Inline::Code { span, .. }
            | Inline::Link { span, .. }
            | Inline::Foreign { span, .. }
            | Inline::FootnoteRef { span, .. }
            | Inline::Script { span, .. }
            | Inline::Element { span, .. }
            | Inline::Anchor { span, .. }
            | Inline::LineBreak { span } => *span,
        }
    }
}

/// Every figure in `blocks` (nested ones too), in reading order: its path as written and
/// its span.
pub fn figures(blocks: &[Block]) -> Vec<(&str, Span)> {
    let mut out = Vec::new();
    visit_blocks(blocks, &mut |b| {
        if let Block::Figure { src, span, .. } = b {
            out.push((src.as_str(), *span));
        }
    });
    out
}

/// Calls `f` on every run of inlines of `blocks` (a paragraph's, a cell's, a caption's, an
/// emphasis's or a link's content; nested blocks included), for passes that change the text
/// in place; `f` gets the run's language (a foreign term's own). Outer runs come before
/// the runs nested in them.
pub fn edit_inlines(blocks: &mut [Block], lang: &str, f: &mut dyn FnMut(&mut [Inline], &str)) {
    fn inl(list: &mut [Inline], lang: &str, f: &mut dyn FnMut(&mut [Inline], &str)) {
        f(list, lang);
        for i in list {
            match i {
                Inline::Foreign {
                    lang: l, content, ..
                } => {
                    let l = l.clone();
                    inl(content, &l, f)
                }
                Inline::Emphasis { content, .. }
                | Inline::Strong { content, .. }
                | Inline::Script { content, .. }
                | Inline::Element { content, .. }
                | Inline::Link { content, .. } => inl(content, lang, f),
                _ => {}
            }
        }
    }
    for b in blocks {
        match b {
            Block::Heading { content, .. }
            | Block::Paragraph { content, .. }
            | Block::SpeakerTurn { content, .. } => inl(content, lang, f),
            Block::PullQuote { content, .. }
            | Block::BlockQuote { content, .. }
            | Block::FootnoteDef { content, .. } => edit_inlines(content, lang, f),
            Block::List { items, .. } => items.iter_mut().for_each(|i| edit_inlines(i, lang, f)),
            Block::Table { header, rows, .. } => {
                header.iter_mut().for_each(|c| inl(c, lang, f));
                rows.iter_mut().flatten().for_each(|c| inl(c, lang, f));
            }
            Block::Figure { caption, .. } => inl(caption, lang, f),
            Block::DefinitionList { items, .. } => {
                for (term, defs) in items {
                    inl(term, lang, f);
                    defs.iter_mut().for_each(|d| edit_inlines(d, lang, f));
                }
            }
            Block::CodeBlock { .. } | Block::Break { .. } => {}
        }
    }
}

/// Calls `f` on every block of `blocks` and on the blocks nested in them (quotes, lists,
/// definitions, footnotes), depth first, for passes that change a block in place.
pub fn blocks_mut(blocks: &mut [Block], f: &mut dyn FnMut(&mut Block)) {
    for b in blocks {
        f(b);
        match b {
            Block::PullQuote { content, .. }
            | Block::BlockQuote { content, .. }
            | Block::FootnoteDef { content, .. } => blocks_mut(content, f),
            Block::List { items, .. } => items.iter_mut().for_each(|i| blocks_mut(i, f)),
            Block::DefinitionList { items, .. } => items
                .iter_mut()
                .flat_map(|(_, defs)| defs.iter_mut())
                .for_each(|d| blocks_mut(d, f)),
            _ => {}
        }
    }
}

/// Calls `f` on every block of `blocks` and on the blocks nested in them (quotes, lists,
/// definitions, footnotes), depth first, in reading order. The one block walker: callers
/// match on the kinds they care about.
pub fn visit_blocks<'b>(blocks: &'b [Block], f: &mut dyn FnMut(&'b Block)) {
    for b in blocks {
        f(b);
        match b {
            Block::PullQuote { content, .. }
            | Block::BlockQuote { content, .. }
            | Block::FootnoteDef { content, .. } => visit_blocks(content, f),
            Block::List { items, .. } => items.iter().for_each(|i| visit_blocks(i, f)),
            Block::DefinitionList { items, .. } => items
                .iter()
                .flat_map(|(_, d)| d.iter())
                .for_each(|d| visit_blocks(d, f)),
            _ => {}
        }
    }
}

/// Calls `f` on every inline of `blocks`, depth first, in reading order: the blocks as
/// [`visit_blocks`] meets them, each block's own inlines ([`Block::inlines`]).
pub fn walk_inlines<'b>(blocks: &'b [Block], f: &mut dyn FnMut(&'b Inline)) {
    visit_blocks(blocks, &mut |b| {
        for list in b.inlines() {
            walk_inline_list(list, f);
        }
    });
}

/// Calls `f` on every inline of `list` and the inlines nested in them, depth first.
pub fn walk_inline_list<'b>(list: &'b [Inline], f: &mut dyn FnMut(&'b Inline)) {
    for i in list {
        f(i);
        match i {
            Inline::Emphasis { content, .. }
            | Inline::Strong { content, .. }
            | Inline::Script { content, .. }
            | Inline::Element { content, .. }
            | Inline::Link { content, .. }
            | Inline::Foreign { content, .. } => walk_inline_list(content, f),
            _ => {}
        }
    }
}

/// The plain text of inlines (footnote references omitted, line breaks as spaces).
pub fn plain_text(inlines: &[Inline]) -> String {
    let mut out = String::new();
    push_plain(inlines, &mut out);
    out
}

fn push_plain(inlines: &[Inline], out: &mut String) {
    for i in inlines {
        match i {
            Inline::Text { text, .. } | Inline::Code { text, .. } => out.push_str(text),
            Inline::Emphasis { content, .. }
            | Inline::Strong { content, .. }
            | Inline::Script { content, .. }
            | Inline::Element { content, .. }
            | Inline::Link { content, .. }
            | Inline::Foreign { content, .. } => push_plain(content, out),
            Inline::FootnoteRef { .. } | Inline::Anchor { .. } => {}
            Inline::LineBreak { .. } => out.push(' '),
        }
    }
}

impl Book {
    /// `d` pointed at `span` through the source map (unlocated when the file is unknown).
    pub fn locate(&self, d: crate::diag::Diagnostic, span: Span) -> crate::diag::Diagnostic {
        match (
            self.sources.get(span.file as usize),
            self.texts.get(span.file as usize),
        ) {
            (Some(path), Some(text)) => d.at_offset(path, text, span.offset()),
            _ => d,
        }
    }

    /// The book's identifier: the one given, or a stable UUID derived from the metadata
    /// that describes the book (title, subtitle, creators with roles, publisher, edition),
    /// so the PDF and the EPUB of one book always carry the same identifier.
    pub fn identifier(&self) -> crate::meta::Identifier {
        if let Some(id) = &self.meta.identifier {
            return id.clone();
        }
        let m = &self.meta;
        let creators: Vec<String> = self
            .all_creators()
            .into_iter()
            .map(|c| format!("{}:{}", c.role.marc(), c.name))
            .collect();
        let creators = creators.join(";");
        crate::meta::Identifier::derived(&[
            m.title.as_deref().unwrap_or(""),
            m.subtitle.as_deref().unwrap_or(""),
            &creators,
            m.publisher.as_deref().unwrap_or(""),
            m.edition.as_deref().unwrap_or(""),
        ])
    }

    /// Every creator of the book and its pieces, book-level first, without duplicates.
    pub fn all_creators(&self) -> Vec<crate::meta::Creator> {
        let mut out: Vec<crate::meta::Creator> = Vec::new();
        for c in self
            .meta
            .creators
            .iter()
            .chain(self.pieces.iter().flat_map(|p| p.meta.creators.iter()))
        {
            if !out.iter().any(|o| o.name == c.name && o.role == c.role) {
                out.push(c.clone());
            }
        }
        out
    }
}
