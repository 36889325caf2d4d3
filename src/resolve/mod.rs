//! Resolve: the loaded [`Book`] (+ the files it names) → [`Resolved`], the one book both
//! back ends read.
//!
//! Everything the two outputs must agree on is decided here, once: the language of the book
//! and of each piece, the words printed about the people (each person credited once, with
//! one sort name), the title page and imprint, each piece's title and label, its notes
//! (numbered, the unreferenced ones set after the others in both outputs), its headings'
//! levels and anchors, figure numbers, alt texts, the accessibility facts, and a structure
//! element id for every block ([`structure`]). The typesetter and the EPUB writer read only
//! this (and the page map); neither walks the model again.

mod blocks;
mod facts;
pub mod links;
pub use links::anchors_in;
mod notes;
pub mod structure;

pub use blocks::{Cell, Definition, Kind, ListItem, RBlock, visit};
pub use facts::Facts;
pub use structure::{ElemId, Role, Structure};

use crate::assets::Assets;
use crate::credits::Words;
use crate::diag::{DiagResult, Diagnostic};
use crate::memo::Table;
use crate::meta::{Identifier, Metadata};
use crate::model::{Book, Inline, Span};
use crate::settings::Settings;
use std::path::PathBuf;
use std::sync::Arc;
use structure::{Attrs, Builder, FRONT, Scope};

/// The language a book without `lang` is set in (and declared as, in both outputs).
pub const DEFAULT_LANG: &str = "en";

/// The book as both outputs print it.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// The book's metadata as written (`book.toml`, or the single piece's).
    pub meta: Metadata,
    pub settings: Settings,
    /// The book's language: its `lang`, else [`DEFAULT_LANG`].
    pub lang: String,
    /// Whether the book declares its language (else `lang` is the default, and said so).
    pub lang_declared: bool,
    /// The book's title: its own, else its first piece's, else "Untitled".
    pub title: String,
    pub identifier: Identifier,
    /// Bylines, credits, the date and the series as printed.
    pub words: Words,
    /// The title page, the imprint and the contents.
    pub front: Front,
    pub pieces: Vec<Arc<RPiece>>,
    /// Every figure's image path as written, numbered by place (figure `k + 1` is
    /// `figures[k]`) in the order the book first shows them.
    pub figures: Vec<String>,
    /// Where the book's internal links lead: a link's URL `folio:N` leads to `targets[N]`
    /// (see [`links`]).
    pub targets: Vec<links::Target>,
    /// The elements of the book, in reading order.
    pub structure: Structure,
    /// What the content offers a reader who cannot see it (or see it well).
    pub facts: Facts,
    /// The files the book names, read once.
    pub assets: Assets,
    /// The source files (by [`Span::file`]) and their text: where warnings point.
    pub sources: Vec<PathBuf>,
    pub texts: Vec<Arc<str>>,
    /// A hash of each source text (what caches key on).
    pub text_hashes: Vec<u64>,
    /// The folder the book was loaded from.
    pub root: PathBuf,
}

/// The book's own pages: title page, imprint, contents.
#[derive(Debug, Clone, Default)]
pub struct Front {
    pub title: String,
    pub subtitle: Option<String>,
    pub byline: Vec<String>,
    pub publisher: Option<String>,
    /// The imprint (the PDF's copyright page, the EPUB title page's second part), a line
    /// each.
    pub imprint: Vec<String>,
    /// The printed contents: for a book of several pieces.
    pub contents: bool,
    pub ids: FrontIds,
}

/// The elements of the book's own pages.
#[derive(Debug, Clone, Default)]
pub struct FrontIds {
    pub title: ElemId,
    pub subtitle: Option<ElemId>,
    /// One per byline line.
    pub byline: Vec<ElemId>,
    pub publisher: Option<ElemId>,
    /// One per imprint line.
    pub imprint: Vec<ElemId>,
    /// One per piece, when there is a contents.
    pub contents: Vec<ElemId>,
}

/// A piece as both outputs print it.
#[derive(Debug, Clone)]
pub struct RPiece {
    pub index: usize,
    pub span: Span,
    /// The piece's metadata (inheriting the book's language, publisher and rights).
    pub meta: Metadata,
    /// The piece's language.
    pub lang: String,
    /// A stable, URL-safe name.
    pub slug: String,
    /// The title its opening prints: its own, or the book's for a book of one piece.
    pub title: Option<String>,
    /// That title as inline Markdown (emphasis, smart quotes).
    pub title_rich: Vec<Inline>,
    /// What the contents, the outline and the navigation call it: its title, else its
    /// first heading, else its first words.
    pub label: String,
    pub byline: Vec<String>,
    pub head: Head,
    pub blocks: Vec<RBlock>,
    /// Its notes in number order.
    pub notes: Vec<RNote>,
    /// Its elements.
    pub scope: Arc<Scope>,
    /// The part it is in, and whether it is the part's first piece.
    pub part: Option<String>,
    pub opens_part: bool,
    /// What the book-wide passes read of it, gathered when it is resolved.
    pub gist: Gist,
    /// Where its internal links lead: an index into [`Resolved::targets`] for each, in
    /// reading order (set by the link pass; a layout is keyed by these targets).
    pub targets: Vec<usize>,
}

/// What the passes over the whole book (links, the imprint, figure numbers) read of a
/// piece, gathered once when it is resolved: a rebuild that takes the piece from the memo
/// does not walk it again.
#[derive(Debug, Clone, Default)]
pub struct Gist {
    /// Its headings' anchors, then those written as `<a id>`: where a link may lead.
    pub anchors: Vec<String>,
    /// Whether it has a link (in its blocks or its notes) for the link pass to settle.
    pub has_links: bool,
    /// Whether it shows code (a code block or inline code): the imprint names the code face.
    pub has_code: bool,
    /// Its figures' paths, in the order it first shows them.
    pub figures: Vec<String>,
}

/// The elements of a piece's opening.
#[derive(Debug, Clone, Default)]
pub struct Head {
    /// The piece itself (the container of everything else).
    pub part: ElemId,
    pub kicker: Option<ElemId>,
    pub title: Option<ElemId>,
    pub subtitle: Option<ElemId>,
    pub standfirst: Option<ElemId>,
    pub byline: Option<ElemId>,
}

/// A footnote: its number, its label as written, its elements and its blocks.
#[derive(Debug, Clone)]
pub struct RNote {
    pub number: u32,
    pub label: String,
    /// The note (`Note`) and the paragraph its text is tagged with (the PDF sets a note's
    /// blocks as one paragraph).
    pub id: ElemId,
    pub text: ElemId,
    pub blocks: Vec<RBlock>,
    /// Something in the text refers to it.
    pub referenced: bool,
    pub span: Span,
}

impl Resolved {
    /// `d` pointed at `span` through the source map.
    pub fn locate(&self, d: Diagnostic, span: Span) -> Diagnostic {
        match (
            self.sources.get(span.file as usize),
            self.texts.get(span.file as usize),
        ) {
            (Some(path), Some(text)) => d.at_offset(path, text, span.offset()),
            _ => d,
        }
    }

    /// Figure `src`'s number (from 1), in the order the book first shows its figures.
    pub fn figure_number(&self, src: &str) -> Option<usize> {
        self.figures.iter().position(|s| s == src).map(|k| k + 1)
    }
}

/// What resolving needs beyond the book and its files: the families of the typefaces the
/// book is set in (the imprint names them).
pub struct Inputs<'a> {
    pub families: &'a [String],
    /// The family code is set in (named when the book has code).
    pub code_family: &'a str,
}

/// Resolves `book`, whose named files are `assets`. Errors (in PDF/UA-1 mode: a figure
/// without alt text, a skipped heading level, a table without a header row) stop the build;
/// warnings ride along.
pub fn resolve(
    book: &Book,
    assets: Assets,
    inputs: &Inputs,
) -> DiagResult<(Resolved, Vec<Diagnostic>)> {
    resolve_cached(book, assets, inputs, &mut Table::default())
}

/// A piece resolved before the link pass, with its warnings: what the memo keeps.
pub type Resolution = (Arc<RPiece>, Vec<Diagnostic>);

/// [`resolve`], taking each piece's resolution from `memo` when its inputs are the same
/// (see [`PieceKey`]); the book-wide passes (links, the front, the checks) run every time.
pub fn resolve_cached(
    book: &Book,
    assets: Assets,
    inputs: &Inputs,
    memo: &mut Table<Resolution>,
) -> DiagResult<(Resolved, Vec<Diagnostic>)> {
    let mut warnings = Vec::new();
    // A book of one piece speaks the piece's language when the book says none.
    let declared = match (&book.meta.lang, book.pieces.as_slice()) {
        (Some(l), _) => Some(l.clone()),
        (None, [only]) => only.meta.lang.clone(),
        (None, _) => None,
    };
    let lang_declared = declared.is_some();
    let lang = declared.unwrap_or_else(|| DEFAULT_LANG.to_string());
    if !lang_declared {
        let d = Diagnostic::warning(format!(
            "the book does not say its language; both editions are set and declared as English (`{DEFAULT_LANG}`)"
        ))
        .hint("add `lang = \"…\"` (a BCP 47 tag such as `en-GB` or `es`) to book.toml or the front matter");
        warnings.push(match book.sources.first() {
            Some(first) => d.in_file(first),
            None => d,
        });
    }
    let title = crate::epub::book_title(book);
    let piece_metas: Vec<&Metadata> = book.pieces.iter().map(|p| &p.meta).collect();
    let words = Words::of(&book.meta, &piece_metas, &lang);
    let one_piece = book.pieces.len() == 1;
    let book_meta = crate::memo::key(&book.meta);
    let mut pieces = Vec::with_capacity(book.pieces.len());
    for (i, piece) in book.pieces.iter().enumerate() {
        let ctx = PieceCtx {
            book,
            lang: &lang,
            one_piece,
            byline: words.pieces.get(i).cloned().unwrap_or_default(),
            opens_part: opens_part(book, i),
        };
        let key = ctx.key(book_meta, i, piece);
        let (rp, w) = memo.get_or_make(key, || {
            let (rp, w) = resolve_piece(&ctx, i, piece);
            (Arc::new(rp), w)
        });
        warnings.extend(w);
        pieces.push(rp);
    }
    let (targets, w) = links::resolve(&mut pieces, book);
    warnings.extend(w);
    let front = front(book, &title, &words, inputs, &pieces);
    let figures = figure_order(&pieces);
    let mut scopes = vec![Arc::new(front.1)];
    scopes.extend(pieces.iter().map(|p| p.scope.clone()));
    let structure = Structure {
        lang: lang.clone(),
        scopes,
    };
    let standard = book.settings.pdf.standard;
    let (errors, more) = facts::checks(book, &pieces, standard);
    warnings.extend(more);
    if !errors.is_empty() {
        return Err(errors);
    }
    let facts = Facts::of(book, &pieces, lang_declared);
    let resolved = Resolved {
        meta: book.meta.clone(),
        settings: book.settings.clone(),
        lang,
        lang_declared,
        title,
        identifier: book.identifier(),
        words,
        front: front.0,
        pieces,
        figures,
        targets,
        structure,
        facts,
        assets,
        sources: book.sources.clone(),
        texts: book.texts.clone(),
        text_hashes: book.text_hashes.clone(),
        root: book.root.clone(),
    };
    Ok((resolved, warnings))
}

/// What every piece's resolution reads from the book.
struct PieceCtx<'a> {
    book: &'a Book,
    lang: &'a str,
    one_piece: bool,
    byline: Vec<String>,
    /// Whether the piece is the first of its part (SUMMARY.md's `# Part` headings).
    opens_part: bool,
}

/// What a piece's resolution is a function of: the book's metadata (its title stands in
/// for an untitled piece's), the piece's place, file and text (by hash, as the loader keys
/// it), its metadata as loaded, its part, the book's language and byline words.
#[derive(Hash)]
struct PieceKey<'a> {
    book_meta: u64,
    index: usize,
    path: Option<&'a std::path::Path>,
    text: Option<u64>,
    meta: &'a Metadata,
    part: Option<&'a str>,
    opens_part: bool,
    lang: &'a str,
    one_piece: bool,
    byline: &'a [String],
}

impl PieceCtx<'_> {
    /// The memo key of resolving `piece`, the `index`th (see [`PieceKey`]).
    fn key(&self, book_meta: u64, index: usize, piece: &crate::model::Piece) -> u64 {
        let file = piece.span.file as usize;
        crate::memo::key(&PieceKey {
            book_meta,
            index,
            path: self.book.sources.get(file).map(PathBuf::as_path),
            text: self.book.text_hashes.get(file).copied(),
            meta: &piece.meta,
            part: piece.part.as_deref(),
            opens_part: self.opens_part,
            lang: self.lang,
            one_piece: self.one_piece,
            byline: &self.byline,
        })
    }
}

/// Whether the `index`th piece opens its part: the part's title is printed above its own
/// (where a kicker goes, unless it has one), and the contents and the navigation group the
/// part's pieces under it.
fn opens_part(book: &Book, index: usize) -> bool {
    let piece = &book.pieces[index];
    piece.part.is_some()
        && (index == 0 || book.pieces.get(index - 1).map(|p| &p.part) != Some(&piece.part))
}

/// One piece resolved, with its warnings.
fn resolve_piece(
    ctx: &PieceCtx,
    index: usize,
    piece: &crate::model::Piece,
) -> (RPiece, Vec<Diagnostic>) {
    let mut warnings = Vec::new();
    let opens_part = ctx.opens_part;
    let with_part;
    let m = match (&piece.part, &piece.meta.kicker) {
        (Some(part), None) if opens_part => {
            let mut meta = piece.meta.clone();
            meta.kicker = Some(part.clone());
            meta.rich.kicker = crate::markdown::inline_markdown(part);
            with_part = meta;
            &with_part
        }
        _ => &piece.meta,
    };
    let lang = m.lang.clone().unwrap_or_else(|| ctx.lang.to_string());
    let title = m
        .title
        .clone()
        .or_else(|| ctx.one_piece.then(|| ctx.book.meta.title.clone()).flatten());
    let title_rich = if m.title.is_some() {
        m.rich.title.clone()
    } else {
        ctx.book.meta.rich.title.clone()
    };
    let mut b = Builder::new(structure::piece_scope(index));
    let part_lang = (lang != ctx.lang).then(|| lang.clone());
    let part = b.open(
        Role::Part,
        Attrs {
            lang: part_lang,
            ..Attrs::default()
        },
    );
    let byline = ctx.byline.clone();
    let head = Head {
        part,
        kicker: m.kicker.as_ref().map(|_| b.leaf(Role::P)),
        title: title.as_ref().map(|_| b.leaf(Role::H(1))),
        subtitle: m.subtitle.as_ref().map(|_| b.leaf(Role::P)),
        standfirst: m.description.as_ref().map(|_| b.leaf(Role::P)),
        byline: (!byline.is_empty()).then(|| b.leaf(Role::P)),
    };
    let (numbering, defs) = notes::Numbering::of(&piece.blocks);
    let mut walk = blocks::Walk {
        b,
        notes: &numbering,
        shift: blocks::heading_shift(&piece.blocks),
        anchors: Default::default(),
        tables: 0,
        muted: 0,
    };
    // Ids: the author's `<a id>`s first (folio's own excepted), the headings' around them.
    crate::model::walk_inlines(&piece.blocks, &mut |i| {
        if let Inline::Anchor { id, .. } = i
            && !blocks::reserved_id(id)
        {
            walk.anchors.insert(id.clone());
        }
    });
    let mut blocks = walk.blocks(&piece.blocks);
    walk.unique_anchors(&mut blocks);
    let mut out_notes = Vec::with_capacity(defs.len());
    for (number, (label, content, span), referenced) in defs {
        if !referenced {
            warnings.push(ctx.book.locate(notes::unreferenced(label, number), span));
        }
        let id = walk.b.open(
            Role::Note,
            Attrs {
                id: Some(format!("fn-{}-{number}", index + 1)),
                ..Attrs::default()
            },
        );
        let text = walk.b.leaf(Role::P);
        let blocks = walk.muted_blocks(content);
        walk.b.close();
        out_notes.push(RNote {
            number,
            label: label.to_string(),
            id,
            text,
            blocks,
            referenced,
            span,
        });
    }
    walk.b.close();
    let scope = Arc::new(walk.b.finish());
    let gist = Gist::of(piece, &blocks, &out_notes);
    let rp = RPiece {
        index,
        span: piece.span,
        meta: m.clone(),
        lang,
        slug: piece.slug.clone(),
        title,
        title_rich,
        label: piece.label(),
        byline,
        head,
        blocks,
        notes: out_notes,
        scope,
        part: piece.part.clone(),
        opens_part,
        gist,
        targets: Vec::new(),
    };
    (rp, warnings)
}

/// The title page, the imprint and the contents, with their elements.
fn front(
    book: &Book,
    title: &str,
    words: &Words,
    inputs: &Inputs,
    pieces: &[Arc<RPiece>],
) -> (Front, Scope) {
    let one_piece = pieces.len() == 1;
    let m = &book.meta;
    let mut b = Builder::new(FRONT);
    b.open(Role::Sect, Attrs::default());
    let mut ids = FrontIds {
        title: b.leaf(Role::H(1)),
        subtitle: m.subtitle.as_ref().map(|_| b.leaf(Role::P)),
        byline: words.byline.iter().map(|_| b.leaf(Role::P)).collect(),
        publisher: m.publisher.as_ref().map(|_| b.leaf(Role::P)),
        ..FrontIds::default()
    };
    b.close();
    let mut families = inputs.families.to_vec();
    if pieces.iter().any(|p| p.gist.has_code) {
        families.push(inputs.code_family.to_string());
    }
    let imprint = imprint(book, words, &families);
    b.open(Role::Sect, Attrs::default());
    ids.imprint = imprint.iter().map(|_| b.leaf(Role::P)).collect();
    b.close();
    let contents = !one_piece;
    if contents {
        b.open(Role::TOC, Attrs::default());
        ids.contents = pieces.iter().map(|_| b.leaf(Role::TOCI)).collect();
        b.close();
    }
    let front = Front {
        title: title.to_string(),
        subtitle: m.subtitle.clone(),
        byline: words.byline.clone(),
        publisher: m.publisher.clone(),
        imprint,
        contents,
        ids,
    };
    (front, b.finish())
}

/// The imprint's lines: title and subtitle, everyone once by what they did, the series, the
/// edition, the date, the publisher, the rights, the identifier as printed (an ISBN
/// hyphenated; a derived UUID is machine data and stays off the page) and the typefaces.
fn imprint(book: &Book, words: &Words, families: &[String]) -> Vec<String> {
    let m = &book.meta;
    let mut text: Vec<String> = Vec::new();
    let mut title = m.title.clone().unwrap_or_default();
    if let Some(s) = &m.subtitle {
        title = format!("{title}: {s}");
    }
    text.push(title);
    text.extend(words.grouped.iter().cloned());
    text.extend(words.series.clone());
    text.extend(m.edition.clone());
    if let Some(d) = &words.date {
        text.push(format!("Published {d}"));
    }
    if let Some(p) = &m.publisher {
        text.push(format!("Publisher: {p}"));
    }
    text.extend(m.rights.clone());
    if let Some(id) = &m.identifier {
        text.push(id.display());
    }
    text.push(format!(
        "Set in {} (SIL Open Font License) with folio {}.",
        families.join(", "),
        env!("CARGO_PKG_VERSION")
    ));
    text.retain(|t| !t.trim().is_empty());
    text
}

/// Whether `piece` has code (a code block or inline code).
fn has_code(piece: &crate::model::Piece) -> bool {
    let mut found = false;
    crate::model::visit_blocks(&piece.blocks, &mut |b| {
        found |= matches!(b, crate::model::Block::CodeBlock { .. })
            || b.inlines()
                .iter()
                .any(|list| list.iter().any(has_inline_code));
    });
    found
}

fn has_inline_code(i: &crate::model::Inline) -> bool {
    use crate::model::Inline;
    match i {
        Inline::Code { .. } => true,
        Inline::Emphasis { content, .. }
        | Inline::Strong { content, .. }
        | Inline::Script { content, .. }
        | Inline::Element { content, .. }
        | Inline::Link { content, .. }
        | Inline::Foreign { content, .. } => content.iter().any(has_inline_code),
        _ => false,
    }
}

/// Every figure's path, in the order the book first shows it.
fn figure_order(pieces: &[Arc<RPiece>]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for src in pieces.iter().flat_map(|p| &p.gist.figures) {
        if !out.contains(src) {
            out.push(src.clone());
        }
    }
    out
}

impl Gist {
    /// The gist of a piece loaded as `piece` and resolved into `blocks` and `notes`.
    fn of(piece: &crate::model::Piece, blocks: &[RBlock], notes: &[RNote]) -> Gist {
        let mut gist = Gist {
            anchors: links::heading_anchors(blocks),
            has_code: has_code(piece),
            ..Gist::default()
        };
        visit(blocks, &mut |b| {
            if let Kind::Figure { src, .. } = &b.kind
                && !gist.figures.contains(src)
            {
                gist.figures.push(src.clone());
            }
        });
        let mut links = |i: &Inline| gist.has_links |= matches!(i, Inline::Link { .. });
        blocks::each_inline(blocks, &mut links);
        for note in notes {
            blocks::each_inline(&note.blocks, &mut links);
        }
        gist
    }
}
