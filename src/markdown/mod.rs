//! Loading: a book folder or one `.md` file → [`Book`], or located diagnostics.
//!
//! The one place that fixes pulldown-cmark's options. Loading never panics on input: every
//! problem becomes a [`Diagnostic`] with `file:line:column`, and all of them are reported at
//! once, not just the first.

mod convert;
mod fence;
mod frontmatter;
mod html;
pub mod summary;

pub use convert::slug;

use crate::diag::{DiagResult, Diagnostic, LineCol};
use crate::meta::{self, Metadata, Role};
use crate::model::{Block, Book, Piece, Span};
use crate::project::Project;
use crate::settings::Settings;
use pulldown_cmark::{Options, Parser};
use std::path::{Path, PathBuf};

/// pulldown-cmark's options for manuscripts. Never `Options::all()`: it switches on the old
/// footnote syntax and wikilinks. Metadata blocks are off: the loader reads the front
/// matter at the very top itself and blanks it, and pulldown-cmark would take a `---`
/// block anywhere in the text for metadata and drop it (a rule and a heading, as
/// CommonMark reads it, lose no text).
pub fn options() -> Options {
    Options::ENABLE_FOOTNOTES
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_TABLES
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_DEFINITION_LIST
}

/// A loaded book and the warnings found on the way.
#[derive(Debug)]
pub struct Loaded {
    pub book: Book,
    pub warnings: Vec<Diagnostic>,
}

/// Loaded pieces by a hash of everything loading one depends on (its path, place and text,
/// and the book's metadata), kept between the builds of `folio watch`.
pub type PieceCache = crate::memo::Table<(Piece, Vec<Diagnostic>)>;

/// Loads the project into a [`Book`]. Errors stop the build; warnings ride along.
pub fn load(project: &Project) -> DiagResult<Loaded> {
    load_cached(project, &mut PieceCache::default())
}

/// A loaded piece with its warnings, or the errors that stopped it.
type PieceResult = Result<(Piece, Vec<Diagnostic>), Vec<Diagnostic>>;

/// One piece file on its way to a [`Piece`].
enum Slot {
    /// Its file could not be read.
    Failed(Vec<Diagnostic>),
    /// Taken from the memo.
    Loaded(PieceResult),
    /// To load: its memo key and its text.
    ToLoad { key: u64, text: String },
    /// Loaded now: to keep in the memo under `key` when it loaded.
    Made { key: u64, loaded: PieceResult },
}

/// Loads every [`Slot::ToLoad`] into a [`Slot::Made`], on up to one thread per core; on
/// the 31-chapter novel, loading was a sixth of a cold build on one core.
fn load_slots(project: &Project, files: &[PathBuf], meta: &Metadata, slots: &mut [Slot]) {
    let todo: Vec<(usize, &mut Slot)> = slots
        .iter_mut()
        .enumerate()
        .filter(|(_, s)| matches!(s, Slot::ToLoad { .. }))
        .collect();
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, todo.len().max(1));
    let load = |(i, slot): (usize, &mut Slot)| {
        let Slot::ToLoad { key, text } = slot else {
            return;
        };
        let path = &files[i];
        let loaded = load_piece(path, text, i as u32, meta).map(|(mut piece, warnings)| {
            relocate_figures(project, path, &mut piece);
            (piece, warnings)
        });
        *slot = Slot::Made { key: *key, loaded };
    };
    if threads == 1 {
        todo.into_iter().for_each(load);
        return;
    }
    // Dealt out in turn (chapters differ in length; a turn each evens the loads).
    let mut hands: Vec<Vec<(usize, &mut Slot)>> = (0..threads).map(|_| Vec::new()).collect();
    for (k, job) in todo.into_iter().enumerate() {
        hands[k % threads].push(job);
    }
    std::thread::scope(|scope| {
        for hand in hands {
            scope.spawn(|| hand.into_iter().for_each(load));
        }
    });
}

/// [`load`], reusing the pieces `cache` holds whose inputs did not change.
pub fn load_cached(project: &Project, cache: &mut PieceCache) -> DiagResult<Loaded> {
    let mut diags: Vec<Diagnostic> = Vec::new();
    let (mut book_meta, settings) = match project.book_toml() {
        Some(path) => {
            let text = project.read_text(&path)?;
            let (mut m, settings) = meta::parse_book_toml(&path, &text)?;
            enrich(&mut m);
            (m, settings)
        }
        None => (Metadata::default(), Settings::default()),
    };
    let (files, parts, order_warnings) = piece_files(project, &settings.order)?;
    diags.extend(order_warnings);
    if files.is_empty() {
        return Err(vec![Diagnostic::error("the book has no pieces: no .md file in the folder")
            .in_file(&project.given)
            .hint("add a Markdown file such as 01-interview.md, or run `folio new NAME` for a sample")]);
    }
    let mut pieces = Vec::new();
    // The source map: every piece's text, kept so later stages locate their warnings
    // without reading a file again.
    let mut texts: Vec<std::sync::Arc<str>> = Vec::with_capacity(files.len());
    let mut text_hashes: Vec<u64> = Vec::with_capacity(files.len());
    let meta_key = crate::memo::key(&book_meta);
    // Each file read and keyed, in order; the pieces the memo lacks are loaded after, on
    // the machine's cores (a piece is a function of its own file: the order they are
    // loaded in changes nothing).
    let mut slots: Vec<Slot> = Vec::with_capacity(files.len());
    for (i, path) in files.iter().enumerate() {
        let read = project.read_text(path);
        let source = read.as_deref().unwrap_or_default();
        // The input key's hash of the file when the project holds it (the same for the
        // same bytes), else the text's own.
        let text_hash = project
            .text_hash(path)
            .unwrap_or_else(|| crate::hash::of(source.as_bytes()));
        texts.push(source.into());
        text_hashes.push(text_hash);
        let text = match read {
            Ok(text) => text,
            Err(errs) => {
                slots.push(Slot::Failed(errs));
                continue;
            }
        };
        // A piece is a function of its file, its place, the book's metadata and its text.
        let key = crate::memo::key(&(path, i, meta_key, text_hash));
        slots.push(match cache.get(key) {
            Some((piece, warnings)) => Slot::Loaded(Ok((piece.clone(), warnings.clone()))),
            None => Slot::ToLoad { key, text },
        });
    }
    load_slots(project, &files, &book_meta, &mut slots);
    for (i, slot) in slots.into_iter().enumerate() {
        match slot {
            Slot::Failed(errs) | Slot::Loaded(Err(errs)) => diags.extend(errs),
            Slot::Loaded(Ok((piece, warnings))) => {
                diags.extend(warnings);
                pieces.push(piece);
            }
            Slot::Made { key, loaded } => match loaded {
                Ok((piece, warnings)) => {
                    cache.insert(key, (piece.clone(), warnings.clone()));
                    diags.extend(warnings);
                    pieces.push(piece);
                }
                Err(errs) => diags.extend(errs),
            },
            Slot::ToLoad { .. } => unreachable!("piece {i} was loaded by `load_slots`"),
        }
    }
    // The part each piece is in comes from the summary, not the piece's text: set after
    // the cache, which keys on the text.
    for p in &mut pieces {
        p.part = parts.get(p.span.file as usize).cloned().flatten();
    }
    // Language tags that are well-formed but name no registered language, script or region.
    if let (Some(path), Some(lang)) = (project.book_toml(), &book_meta.lang) {
        unregistered_lang(&path, lang, &mut diags);
    }
    for p in &pieces {
        if let Some(lang) = &p.meta.lang
            && Some(lang) != book_meta.lang.as_ref()
        {
            unregistered_lang(&files[p.span.file as usize], lang, &mut diags);
        }
    }
    // In a book of several pieces, each needs a title: the contents and the running heads
    // would otherwise have nothing to print (folio never invents one from the file name).
    if pieces.len() > 1 {
        for p in pieces.iter().filter(|p| p.meta.title.is_none()) {
            let file = &files[p.span.file as usize];
            let hint = match p.display_title() {
                Some(h) => format!(
                    "add `title:` to its front matter; meanwhile the contents uses its first heading, “{h}”"
                ),
                None => {
                    "add `title:` to its front matter; meanwhile the contents uses its first words"
                        .to_string()
                }
            };
            diags.push(
                Diagnostic::warning("this piece has no title")
                    .in_file(file)
                    .hint(hint),
            );
        }
    }
    // A single file is its own book; a one-piece folder without a title takes the piece's.
    if pieces.len() == 1 {
        let p = &pieces[0].meta;
        let m = &mut book_meta;
        if project.single_file.is_some() {
            *m = p.clone();
        } else if m.title.is_none() {
            m.title = p.title.clone();
            m.subtitle = m.subtitle.clone().or_else(|| p.subtitle.clone());
            if m.creators.is_empty() {
                m.creators = p.creators.clone();
            }
        }
    }
    if let Some(cover) = &book_meta.cover {
        let at = project
            .book_toml()
            .or_else(|| files.first().cloned())
            .unwrap_or_default();
        if let Err(d) = project.resolve(cover, "cover") {
            let text = std::fs::read_to_string(&at).unwrap_or_default();
            let offset = meta::find_key(&text, "cover").unwrap_or(0);
            diags.push(Diagnostic {
                location: d.clone().at_offset(&at, &text, offset).location,
                ..d
            });
        }
    }
    check_figures(project, &pieces, &files, &mut diags);
    if diags.iter().any(Diagnostic::is_error) {
        diags.sort_by_key(|d| std::cmp::Reverse(d.severity));
        return Err(diags);
    }
    let book = Book {
        meta: book_meta,
        pieces,
        sources: files,
        texts,
        text_hashes,
        settings,
        root: project.root.clone(),
        folder: project.folder(),
    };
    Ok(Loaded {
        book,
        warnings: diags,
    })
}

/// Loads one Markdown file (front matter + body) into a piece.
pub fn load_piece(
    path: &Path,
    text: &str,
    file: u32,
    book: &Metadata,
) -> DiagResult<(Piece, Vec<Diagnostic>)> {
    let (cleaned, warning) = without_controls(path, text);
    let text = cleaned.as_deref().unwrap_or(text);
    let mut loaded = load_clean_piece(path, text, file, book)?;
    loaded.1.extend(warning);
    Ok(loaded)
}

/// `text` with control characters (NUL, backspace, form feed…; tabs and line ends stay)
/// and noncharacters
/// replaced by spaces of the same byte length, so every offset still points at the same
/// place; and a warning at the first one. `None` when there are none (the usual case).
fn without_controls(path: &Path, text: &str) -> (Option<String>, Option<Diagnostic>) {
    // Unicode's noncharacters (U+FFFE, U+FFFF and their like in every plane, U+FDD0 to
    // U+FDEF) are no text either, and make the EPUB's XML ill-formed.
    let is_bad = |c: char| {
        (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
            || (u32::from(c) & 0xFFFE) == 0xFFFE
            || ('\u{FDD0}'..='\u{FDEF}').contains(&c)
    };
    let Some(first) = text.find(is_bad) else {
        return (None, None);
    };
    let count = text.chars().filter(|&c| is_bad(c)).count();
    let cleaned: String = text
        .chars()
        .flat_map(|c| {
            let n = if is_bad(c) { c.len_utf8() } else { 0 };
            let keep = (n == 0).then_some(c);
            keep.into_iter().chain(std::iter::repeat_n(' ', n))
        })
        .collect();
    let code = text[first..].chars().next().map_or(0, u32::from);
    let d = Diagnostic::warning(if count == 1 {
        format!("a control character (U+{code:04X}) in the text is set as a space")
    } else {
        format!("{count} control characters (the first U+{code:04X}, here) are set as spaces")
    })
    .at_offset(path, text, first)
    .hint("they come from a converter or a copy from a PDF; remove them");
    (Some(cleaned), Some(d))
}

fn load_clean_piece(
    path: &Path,
    text: &str,
    file: u32,
    book: &Metadata,
) -> DiagResult<(Piece, Vec<Diagnostic>)> {
    let fm = frontmatter::split(text).map_err(|e| {
        vec![
            Diagnostic::error(e.message)
                .at_offset(path, text, e.offset)
                .hint(e.hint),
        ]
    })?;
    let (mut piece_meta, body_start) = match &fm {
        Some(fm) => {
            let block = meta::Block {
                path,
                file_text: text,
                start: fm.start,
                end: fm.end,
                syntax: fm.syntax,
            };
            let raw = meta::parse(&block).map_err(|d| vec![d])?;
            let (m, _) = meta::resolve(raw, &block, false)?;
            (m, fm.body)
        }
        None => (Metadata::default(), 0),
    };
    meta::inherit(&mut piece_meta, book);
    enrich(&mut piece_meta);
    if text[body_start..].trim().is_empty() {
        return Err(vec![
            Diagnostic::error("the manuscript is empty")
                .at_offset(path, text, body_start)
                .hint("write the piece's text below its front matter"),
        ]);
    }
    let (blanked, divs) = fence::extract(text, body_start).map_err(|e| {
        vec![
            Diagnostic::error(e.message)
                .at_offset(path, text, e.offset)
                .hint(e.hint),
        ]
    })?;
    let lines = LineIndex::new(&blanked);
    let parser = Parser::new_ext(&blanked, options())
        .into_offset_iter()
        .map(fence::restore);
    let mut conv = convert::Converter::new(parser, &lines, &blanked, path, file);
    conv.questioners = names(&piece_meta, Role::Interviewer);
    conv.answerers = names(&piece_meta, Role::Interviewee);
    let top = conv.top_level();
    let mut diags = std::mem::take(&mut conv.diags);
    diags.extend(conv.repeated_warnings());
    let mut blocks = fold_divs(top, &divs, file);
    for d in &divs {
        if !blocks
            .iter()
            .any(|b| matches!(b, Block::PullQuote { span, .. } if span.offset() == d.open))
        {
            diags.push(
                Diagnostic::warning("this pull quote is empty")
                    .at_offset(path, text, d.open)
                    .hint("write the quote between the fences"),
            );
        }
    }
    // mdBook's preprocessor directives are mdBook's to run: say so once, where the first is.
    if let Some(at) = mdbook_directive(&text[body_start..]) {
        diags.push(
            Diagnostic::warning("mdBook's `{{#…}}` directives (include, rustdoc_include, playground) are not run; they are left as text")
                .at_offset(path, text, body_start + at)
                .hint("paste the included text in, or build the book with mdBook's preprocessors first"),
        );
    }
    // Every reference needs a definition (a definition nothing refers to is `resolve`'s
    // to place, and to warn about).
    undefined_note_refs(&blocks, path, text, &mut diags);
    // The typographic pass both outputs share: no-break spaces where lines must not break.
    let piece_lang = piece_meta.lang.clone().unwrap_or_else(|| "en".into());
    crate::model::edit_inlines(&mut blocks, &piece_lang, &mut crate::typography::inlines);
    if piece_meta.title.is_none() {
        title_from_heading(&mut piece_meta, &mut blocks);
    }
    if blocks.is_empty() {
        diags.push(
            Diagnostic::error("the manuscript is empty")
                .at_offset(path, text, body_start)
                .hint("write the piece's text below its front matter"),
        );
    }
    if diags.iter().any(Diagnostic::is_error) {
        return Err(diags);
    }
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let slug = convert::slug(piece_meta.title.as_deref().unwrap_or(&stem));
    let slug = if slug.is_empty() {
        format!("piece-{}", file + 1)
    } else {
        slug
    };
    let span = Span::new(file, 0..0);
    Ok((
        Piece {
            meta: piece_meta,
            blocks: std::sync::Arc::new(blocks),
            slug,
            span,
            part: None,
        },
        diags,
    ))
}

/// A piece in a subfolder (`guide/streaming.md`) names its images relative to its own file
/// (`../images/buffers.svg`), as Markdown authors (and mdBook) do: such a path is made
/// relative to the book folder. A path that names a file only relative to the book folder
/// (folio's older rule) is kept.
fn relocate_figures(project: &Project, path: &Path, piece: &mut Piece) {
    let dir = path
        .parent()
        .and_then(|d| d.strip_prefix(&project.given).ok())
        .filter(|d| !d.as_os_str().is_empty());
    let Some(dir) = dir else { return };
    let blocks = std::sync::Arc::make_mut(&mut piece.blocks);
    crate::model::blocks_mut(blocks, &mut |b| {
        if let Block::Figure { src, .. } = b
            && !src.contains("://")
            && project.resolve(src, "image").is_err()
            && let Some(inside) = crate::escape::inside(&dir.join(src.as_str()))
            && project.resolve(&inside, "image").is_ok()
        {
            *src = inside;
        }
    });
}

/// The book's files in reading order, the part each is in (SUMMARY.md's `# Part` titles),
/// and what reading the order found to warn about.
type Files = (Vec<PathBuf>, Vec<Option<String>>, Vec<Diagnostic>);

/// The book's pieces in reading order, as display paths, with what is wrong with the order
/// given: `pieces = [...]` in book.toml (a file it names that is missing is an error); else
/// the chapters' folder's `SUMMARY.md` (a file it lists that is missing is a warning at its
/// line, and left out, as mdBook does with a draft); else every `.md` file of the folder in
/// name order.
fn piece_files(project: &Project, order: &crate::settings::Order) -> DiagResult<Files> {
    let sub = order.src.as_deref();
    let no_parts = |files: Vec<PathBuf>| {
        let parts = vec![None; files.len()];
        (files, parts, vec![])
    };
    if project.single_file.is_some() {
        return Ok(no_parts(project.markdown_files(None)?));
    }
    if let Some(list) = &order.pieces {
        let toml = project.given.join("book.toml");
        let mut errors = Vec::new();
        let mut files = Vec::new();
        for rel in list {
            match project.chapter(sub, rel) {
                Ok(p) => files.push(p),
                Err(d) => errors.push(d.in_file(&toml).hint(
                    "`pieces` names the book's files in reading order, relative to book.toml",
                )),
            }
        }
        return if errors.is_empty() {
            Ok(no_parts(files))
        } else {
            Err(errors)
        };
    }
    let Some(summary) = project.summary(sub) else {
        return Ok(no_parts(project.markdown_files(sub)?));
    };
    let text = project.read_text(&summary)?;
    let dir = Path::new(sub.unwrap_or(""));
    let mut files: Vec<PathBuf> = Vec::new();
    let mut parts: Vec<Option<String>> = Vec::new();
    let mut warnings = Vec::new();
    for e in summary::entries(&text) {
        // Links in a summary are relative to it; mdBook writes `.md`, some write `.html`.
        let rel = match e.path.strip_suffix(".html") {
            Some(stem) => format!("{stem}.md"),
            None => e.path.clone(),
        };
        match project.chapter(sub, &rel) {
            Ok(p) if files.contains(&p) => warnings.push(
                Diagnostic::warning(format!(
                    "`{rel}` is listed twice; it is read once, where it is first listed"
                ))
                .at_offset(&summary, &text, e.offset),
            ),
            Ok(p) => {
                files.push(p);
                parts.push(e.part);
            }
            Err(d) => warnings.push(
                Diagnostic::warning(format!("{}; it is left out of the book", d.message))
                    .at_offset(&summary, &text, e.offset)
                    .hint(format!(
                        "create `{}` or take its line out of SUMMARY.md",
                        dir.join(&rel).display()
                    )),
            ),
        }
    }
    if files.is_empty() {
        return Err(vec![
            Diagnostic::error("SUMMARY.md lists no chapter file of the book")
                .in_file(&summary)
                .hint("list the chapters as `- [Title](chapter.md)`, one per line"),
        ]);
    }
    Ok((files, parts, warnings))
}

/// Where the first mdBook directive (`{{#include path}}`, `{{#rustdoc_include …}}`) is in
/// `text`: `{{#` and a name of letters and underscores, closed by `}}` on its line.
fn mdbook_directive(text: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = text[from..].find("{{#") {
        let at = from + i;
        let rest = &text[at + 3..];
        let name_len = rest
            .find(|c: char| !(c.is_ascii_alphabetic() || c == '_'))
            .unwrap_or(rest.len());
        let line = &rest[..rest.find('\n').unwrap_or(rest.len())];
        if name_len > 0 && line.contains("}}") {
            return Some(at);
        }
        from = at + 3;
    }
    None
}

/// A piece without a title in its front matter that opens with a level-1 heading (the
/// convention of mdBook and pandoc books: `# Chapter title`) takes that heading as its title,
/// in the contents, running heads, opening and navigation alike. When more level-1
/// headings follow, every heading after it moves one level down, so they read as
/// sections of the piece.
fn title_from_heading(meta: &mut Metadata, blocks: &mut Vec<Block>) {
    let Some(Block::Heading {
        level: 1, content, ..
    }) = blocks.first()
    else {
        return;
    };
    let content = content.clone();
    blocks.remove(0);
    meta.title = Some(crate::model::plain_text(&content)).filter(|t| !t.trim().is_empty());
    meta.rich.title = content;
    let more = blocks
        .iter()
        .any(|b| matches!(b, Block::Heading { level: 1, .. }));
    if more {
        for b in blocks.iter_mut() {
            if let Block::Heading { level, .. } = b {
                *level = (*level + 1).min(MAX_HEADING_LEVEL);
            }
        }
    }
}

/// The byte ranges of the text a reader reads in a Markdown file, as the loader parses it:
/// not its front matter, fences, code, raw HTML, link targets or table pipes. What
/// `folio check` lints (one linear pass, however many quotes the text holds).
pub fn reading_text(text: &str) -> Vec<std::ops::Range<usize>> {
    use pulldown_cmark::{Event, Tag, TagEnd};
    let body = frontmatter::split(text)
        .ok()
        .flatten()
        .map_or(0, |f| f.body);
    let blanked = fence::extract(text, body).map_or_else(|_| text.to_string(), |(b, _)| b);
    let mut code = 0usize;
    let mut out: Vec<std::ops::Range<usize>> = Vec::new();
    for (event, range) in Parser::new_ext(&blanked, options()).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(_)) => code += 1,
            Event::End(TagEnd::CodeBlock) => code = code.saturating_sub(1),
            // Smart punctuation cuts a run at each quote: contiguous pieces are one run.
            Event::Text(_) if code == 0 && range.start >= body => match out.last_mut() {
                Some(last) if last.end == range.start => last.end = range.end,
                _ => out.push(range),
            },
            _ => {}
        }
    }
    out
}

/// HTML's deepest heading.
const MAX_HEADING_LEVEL: u8 = 6;

/// Inline Markdown in a line of metadata (`*Ụlọ*`, "straight quotes", `--`): the inlines
/// of its first paragraph, with the body's smart punctuation.
pub fn inline_markdown(text: &str) -> Vec<crate::model::Inline> {
    let lines = LineIndex::new(text);
    let parser = Parser::new_ext(text, options()).into_offset_iter();
    let path = Path::new("metadata");
    let mut conv = convert::Converter::new(parser, &lines, text, path, 0);
    conv.html = false;
    match conv.top_level().into_iter().next() {
        Some((_, Block::Paragraph { content, .. } | Block::Heading { content, .. })) => content,
        _ => vec![crate::model::Inline::Text {
            text: text.to_string(),
            span: Span::default(),
        }],
    }
}

/// Parses the display fields of `m` as inline Markdown into [`Metadata::rich`] and sets the
/// plain fields to the same text without markup, so both outputs say the same words with
/// the same quotes and dashes.
fn enrich(m: &mut Metadata) {
    let lang = m.lang.clone().unwrap_or_else(|| "en".into());
    let one = |field: &mut Option<String>| -> Vec<crate::model::Inline> {
        let Some(text) = field.as_ref() else {
            return vec![];
        };
        // The body's typographic pass too: a subtitle's spaced dash stays with its word.
        let mut para = vec![Block::Paragraph {
            content: inline_markdown(text),
            span: Span::default(),
        }];
        crate::model::edit_inlines(&mut para, &lang, &mut crate::typography::inlines);
        let rich = match para.pop() {
            Some(Block::Paragraph { content, .. }) => content,
            _ => vec![],
        };
        *field = Some(crate::model::plain_text(&rich));
        rich
    };
    m.rich = meta::Rich {
        title: one(&mut m.title),
        subtitle: one(&mut m.subtitle),
        kicker: one(&mut m.kicker),
        description: one(&mut m.description),
    };
    for field in [&mut m.rights, &mut m.edition, &mut m.publisher] {
        if let Some(text) = field.as_ref() {
            *field = Some(crate::model::plain_text(&inline_markdown(text)));
        }
    }
    // Names too (O’Brien), but not their sort keys, which are for machines.
    for c in &mut m.creators {
        c.name = crate::model::plain_text(&inline_markdown(&c.name));
    }
}

/// A warning at the `lang` key of `path` for each subtag of `tag` the IANA registry lacks.
fn unregistered_lang(path: &Path, tag: &str, diags: &mut Vec<Diagnostic>) {
    let unknown = crate::lang::registry::unknown_subtags(tag);
    if unknown.is_empty() {
        return;
    }
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let offset = meta::find_key(&text, "lang").unwrap_or(0);
    diags.push(
        Diagnostic::warning(format!("the language tag `{tag}`: {}", unknown.join("; ")))
            .at_offset(path, &text, offset)
            .hint(lang_hint(tag)),
    );
}

/// "did you mean" for a language tag whose primary subtag is unknown.
pub(crate) fn lang_hint(tag: &str) -> String {
    match crate::lang::registry::suggest(crate::lang::primary(tag)) {
        Some(s) => format!(
            "did you mean `{s}` ({})?",
            crate::lang::registry::describe(s)
        ),
        None => "use a registered BCP 47 tag such as `en`, `es`, `qu` or `pt-BR`".to_string(),
    }
}

/// Footnote references without a definition: pulldown-cmark leaves `[^label]` as text when
/// no `[^label]:` defines it (a misspelt label), and a caption's reference is never checked
/// by the parser. Each gets a located warning naming the nearest defined label.
fn undefined_note_refs(blocks: &[Block], path: &Path, text: &str, diags: &mut Vec<Diagnostic>) {
    let text_of_file = text;
    let mut defined: Vec<&str> = Vec::new();
    crate::model::visit_blocks(blocks, &mut |b| {
        if let Block::FootnoteDef { label, .. } = b {
            defined.push(label);
        }
    });
    let mut found: Vec<(String, Span)> = Vec::new();
    crate::model::walk_inlines(blocks, &mut |i| match i {
        crate::model::Inline::FootnoteRef { label, span, .. }
            if !defined.contains(&label.as_str()) =>
        {
            found.push((label.clone(), *span));
        }
        crate::model::Inline::Text { text, span } => {
            let mut rest = text.as_str();
            // Where the search for the next reference starts in the source.
            let mut from = span.offset();
            while let Some((_, label, after)) = convert::split_note_ref(rest) {
                // Where the reference is in the source: the text's own may differ from it
                // (smart punctuation), so it is looked for there.
                let written = format!("[^{label}]");
                let start = text_of_file
                    .get(from..)
                    .and_then(|s| s.find(&written))
                    .map_or(from, |k| from + k);
                found.push((
                    label.to_string(),
                    Span::new(span.file, start..start + written.len()),
                ));
                from = start + written.len();
                rest = after;
            }
        }
        _ => {}
    });
    for (label, span) in found {
        let mut d = Diagnostic::warning(format!(
            "the footnote reference `[^{label}]` has no definition; it is printed as written"
        ))
        .at_offset(path, text, span.offset());
        d = match crate::diag::nearest(&label, defined.iter().copied()) {
            Some(near) => d.hint(format!("did you mean `[^{near}]`?")),
            None => d.hint(format!(
                "define it with a line `[^{label}]: …` in this file"
            )),
        };
        diags.push(d);
    }
}

/// Folds the blocks inside each `::: pullquote` into one pull quote block. A div written
/// inside a list item or a quotation is a div too: its pull quote is lifted out and
/// follows the block that held it (pull quotes float; a list item has no room for one).
fn fold_divs(top: Vec<(usize, Block)>, divs: &[fence::Div], file: u32) -> Vec<Block> {
    let mut blocks: Vec<Block> = Vec::new();
    let mut current: Option<(usize, Vec<Block>)> = None;
    for (offset, mut block) in top {
        let div = divs.iter().position(|d| d.inner.contains(&offset));
        match (div, &mut current) {
            (Some(d), Some((cd, content))) if *cd == d => content.push(block),
            (Some(d), _) => {
                flush_pullquote(&mut current, divs, file, &mut blocks);
                current = Some((d, vec![block]));
            }
            (None, _) => {
                flush_pullquote(&mut current, divs, file, &mut blocks);
                let mut lifted = Vec::new();
                lift_divs(&mut block, divs, &mut lifted);
                blocks.push(block);
                for (d, content) in lifted {
                    flush_pullquote(&mut Some((d, content)), divs, file, &mut blocks);
                }
            }
        }
    }
    flush_pullquote(&mut current, divs, file, &mut blocks);
    blocks
}

/// Takes the blocks inside a div out of `block`'s containers, grouped by div in order.
fn lift_divs(block: &mut Block, divs: &[fence::Div], out: &mut Vec<(usize, Vec<Block>)>) {
    let lift = |content: &mut Vec<Block>, out: &mut Vec<(usize, Vec<Block>)>| {
        let mut kept = Vec::with_capacity(content.len());
        for mut b in std::mem::take(content) {
            let at = b.span().offset();
            match divs.iter().position(|d| d.inner.contains(&at)) {
                Some(d) => match out.last_mut() {
                    Some((last, group)) if *last == d => group.push(b),
                    _ => out.push((d, vec![b])),
                },
                None => {
                    lift_divs(&mut b, divs, out);
                    kept.push(b);
                }
            }
        }
        *content = kept;
    };
    match block {
        Block::List { items, .. } => items.iter_mut().for_each(|i| lift(i, out)),
        Block::BlockQuote { content, .. } => lift(content, out),
        Block::DefinitionList { items, .. } => items
            .iter_mut()
            .flat_map(|(_, defs)| defs.iter_mut())
            .for_each(|d| lift(d, out)),
        _ => {}
    }
}

fn flush_pullquote(
    current: &mut Option<(usize, Vec<Block>)>,
    divs: &[fence::Div],
    file: u32,
    out: &mut Vec<Block>,
) {
    if let Some((d, content)) = current.take() {
        out.push(Block::PullQuote {
            content,
            span: Span::new(file, divs[d].open..divs[d].open),
        });
    }
}

fn names(meta: &Metadata, role: Role) -> Vec<String> {
    meta.creators
        .iter()
        .filter(|c| c.role == role)
        .map(|c| c.name.clone())
        .collect()
}

/// Every figure's image must exist inside the book.
fn check_figures(
    project: &Project,
    pieces: &[Piece],
    files: &[PathBuf],
    diags: &mut Vec<Diagnostic>,
) {
    for piece in pieces {
        for (src, span) in crate::model::figures(&piece.blocks) {
            if let Err(d) = project.resolve(src, "image") {
                let file = &files[span.file as usize];
                let text = std::fs::read_to_string(file).unwrap_or_default();
                let located = d.clone().at_offset(file, &text, span.offset());
                diags.push(located);
            }
        }
    }
}

/// Byte offsets of line starts, for fast offset → line:column.
#[derive(Debug)]
pub struct LineIndex {
    starts: Vec<usize>,
    /// Every [`COLUMN_STRIDE`] bytes: the first character boundary at or after that offset
    /// and its character column within its line, so a column is found by counting at most
    /// a stride of characters, however long the line (a manuscript pasted as one line).
    marks: Vec<(usize, usize)>,
}

/// Bytes between two column marks of a [`LineIndex`].
const COLUMN_STRIDE: usize = 4096;

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        let mut marks = Vec::with_capacity(text.len() / COLUMN_STRIDE + 1);
        let (mut col, mut next) = (0usize, 0usize);
        for (i, c) in text.char_indices() {
            if i >= next {
                marks.push((i, col));
                next = (i / COLUMN_STRIDE + 1) * COLUMN_STRIDE;
            }
            col = if c == '\n' { 0 } else { col + 1 };
        }
        LineIndex { starts, marks }
    }

    /// 1-based line and character column of a byte offset.
    pub fn line_col(&self, text: &str, offset: usize) -> LineCol {
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts[line - 1];
        let end = offset.min(text.len());
        // Count from the nearest mark on this line before `end`, else from the line start.
        let mark = self.marks.partition_point(|&(b, _)| b <= end);
        let (from, base) = match mark.checked_sub(1).map(|m| self.marks[m]) {
            Some((b, c)) if b >= start => (b, c),
            _ => (start, 0),
        };
        let col = text
            .get(from..end)
            .map_or(end - from, |s| s.chars().count())
            + base
            + 1;
        LineCol {
            line: line as u32,
            col: col as u32,
        }
    }

    /// The text of 1-based line `line` (without its line break).
    pub fn line_text<'t>(&self, text: &'t str, line: u32) -> Option<&'t str> {
        let i = (line as usize).checked_sub(1)?;
        let start = *self.starts.get(i)?;
        let end = self
            .starts
            .get(i + 1)
            .map_or(text.len(), |&e| e.saturating_sub(1));
        text.get(start..end.max(start))
            .map(|l| l.trim_end_matches('\r'))
    }
}
