//! A compact, line-based dump of the model, for the loader's many-case tests.
//!
//! Blocks are one line each (`kind line:col: inline text`), nested blocks indented; inlines
//! read like Markdown: `*emph*`, `**strong**`, `` `code` ``, `[text](url)`, `{es|foreign}`,
//! `[^label=1]`, and `⏎` for a hard break.

use crate::meta::Metadata;
use crate::model::{Block, Book, Inline, Piece};
use std::fmt::Write as _;

/// The whole book: metadata, then each piece.
pub fn book(book: &Book) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "book {}", meta(&book.meta));
    for p in &book.pieces {
        let text = book.texts.get(p.span.file as usize).map_or("", |t| &**t);
        out.push_str(&piece(p, text));
    }
    out
}

/// One piece (from `text`, its file's text): its metadata line, then its blocks.
pub fn piece(p: &Piece, text: &str) -> String {
    let mut out = format!("piece {} {}\n", p.slug, meta(&p.meta));
    let lines = crate::markdown::LineIndex::new(text);
    blocks(
        &p.blocks,
        1,
        &Where {
            text,
            lines: &lines,
        },
        &mut out,
    );
    out
}

/// A piece's text and its lines: spans are shown as line:column.
struct Where<'a> {
    text: &'a str,
    lines: &'a crate::markdown::LineIndex,
}

fn meta(m: &Metadata) -> String {
    let mut parts = Vec::new();
    let mut field = |k: &str, v: &Option<String>| {
        if let Some(v) = v {
            parts.push(format!("{k}={v:?}"));
        }
    };
    field("title", &m.title);
    field("subtitle", &m.subtitle);
    field("kicker", &m.kicker);
    field("lang", &m.lang);
    field("publisher", &m.publisher);
    field("date", &m.date);
    field("edition", &m.edition);
    field("rights", &m.rights);
    field("description", &m.description);
    field("cover", &m.cover);
    if let Some(id) = &m.identifier {
        parts.push(format!("identifier={}", id.urn()));
    }
    for c in &m.creators {
        let fa = c
            .file_as
            .as_ref()
            .map(|f| format!(" ({f})"))
            .unwrap_or_default();
        parts.push(format!("{}={:?}{fa}", c.role.marc(), c.name));
    }
    if !m.subjects.is_empty() {
        parts.push(format!("subjects={:?}", m.subjects));
    }
    if let Some(s) = &m.series {
        parts.push(format!(
            "series={:?}#{}",
            s.name,
            s.position.map(|p| p.to_string()).unwrap_or_default()
        ));
    }
    parts.join(" ")
}

fn blocks(bs: &[Block], depth: usize, w: &Where, out: &mut String) {
    let pad = "  ".repeat(depth);
    for b in bs {
        let s = b.span();
        let p = w.lines.line_col(w.text, s.offset());
        let at = format!("{}:{}", p.line, p.col);
        match b {
            Block::Heading {
                level, id, content, ..
            } => {
                let _ = writeln!(out, "{pad}h{level}#{id} {at}: {}", inlines(content));
            }
            Block::Paragraph { content, .. } => {
                let _ = writeln!(out, "{pad}p {at}: {}", inlines(content));
            }
            Block::SpeakerTurn {
                speaker,
                role,
                content,
                ..
            } => {
                let _ = writeln!(
                    out,
                    "{pad}turn {role:?} {speaker:?} {at}: {}",
                    inlines(content)
                );
            }
            Block::PullQuote { content, .. } => {
                let _ = writeln!(out, "{pad}pullquote {at}");
                blocks(content, depth + 1, w, out);
            }
            Block::BlockQuote { content, .. } => {
                let _ = writeln!(out, "{pad}blockquote {at}");
                blocks(content, depth + 1, w, out);
            }
            Block::List {
                ordered,
                start,
                items,
                ..
            } => {
                let kind = if *ordered {
                    format!("ol start={start}")
                } else {
                    "ul".into()
                };
                let _ = writeln!(out, "{pad}{kind} {at}");
                for item in items {
                    let _ = writeln!(out, "{pad}  item");
                    blocks(item, depth + 2, w, out);
                }
            }
            Block::Table {
                header,
                rows,
                align,
                ..
            } => {
                let _ = writeln!(out, "{pad}table {at} align={align:?}");
                let row = |cells: &Vec<Vec<Inline>>| {
                    cells
                        .iter()
                        .map(|c| inlines(c))
                        .collect::<Vec<_>>()
                        .join(" | ")
                };
                let _ = writeln!(out, "{pad}  head: {}", row(header));
                for r in rows {
                    let _ = writeln!(out, "{pad}  row: {}", row(r));
                }
            }
            Block::Figure {
                src,
                alt,
                caption,
                width,
                ..
            } => {
                let width = width.map(|w| format!(" width={w:?}")).unwrap_or_default();
                let _ = writeln!(
                    out,
                    "{pad}figure {at}: src={src:?} alt={alt:?} caption={}{width}",
                    inlines(caption)
                );
            }
            Block::FootnoteDef { label, content, .. } => {
                let _ = writeln!(out, "{pad}footnote {label} {at}");
                blocks(content, depth + 1, w, out);
            }
            Block::DefinitionList { items, .. } => {
                let _ = writeln!(out, "{pad}dl {at}");
                for (term, defs) in items {
                    let _ = writeln!(out, "{pad}  dt: {}", inlines(term));
                    for d in defs {
                        let _ = writeln!(out, "{pad}  dd");
                        blocks(d, depth + 2, w, out);
                    }
                }
            }
            Block::CodeBlock { text, .. } => {
                let _ = writeln!(out, "{pad}code {at}: {text:?}");
            }
            Block::Break { .. } => {
                let _ = writeln!(out, "{pad}break {at}");
            }
        }
    }
}

/// Inlines in the dump's Markdown-like notation.
pub fn inlines(is: &[Inline]) -> String {
    let mut out = String::new();
    for i in is {
        match i {
            Inline::Text { text, .. } => out.push_str(text),
            Inline::Emphasis { content, .. } => {
                let _ = write!(out, "*{}*", inlines(content));
            }
            Inline::Strong { content, .. } => {
                let _ = write!(out, "**{}**", inlines(content));
            }
            Inline::Code { text, .. } => {
                let _ = write!(out, "`{text}`");
            }
            Inline::Link { url, content, .. } => {
                let _ = write!(out, "[{}]({url})", inlines(content));
            }
            Inline::Foreign { lang, content, .. } => {
                let _ = write!(out, "{{{lang}|{}}}", inlines(content));
            }
            Inline::FootnoteRef { label, number, .. } => {
                let _ = write!(out, "[^{label}={number}]");
            }
            Inline::LineBreak { .. } => out.push('⏎'),
            Inline::Script { sup, content, .. } => {
                let _ = write!(
                    out,
                    "{}{{{}}}",
                    if *sup { "^" } else { "_" },
                    inlines(content)
                );
            }
            Inline::Anchor { id, .. } => {
                let _ = write!(out, "{{#{id}}}");
            }
            Inline::Element { name, content, .. } => {
                let _ = write!(out, "<{name}>{}</{name}>", inlines(content));
            }
        }
    }
    out
}
