//! pulldown-cmark events (with byte offsets) → model blocks and inlines.
//!
//! A recursive walk over the balanced event stream. Conventions handled here:
//! speaker turns (`**Name:** …`, `Q:`/`A:`), foreign terms (`*term*{lang=xx}`), figures
//! (a paragraph holding only an image), footnotes, heading ids, and raw HTML (never passed
//! through as HTML: the common tags become the book's own inlines and blocks — `<em>`,
//! `<strong>`, `<kbd>`, `<sup>`, `<sub>`, `<br>`, `<a href>`, `<a id>`, `<img>`, an HTML
//! table — comments are dropped, and any other tag is dropped with its text kept and a
//! warning naming it).

use crate::diag::Diagnostic;
use crate::markdown::LineIndex;
use crate::markdown::html::{self, Token};
use crate::model::{Align, Block, Inline, Span, SpeakerRole, Width};
use pulldown_cmark::{Alignment, Event, HeadingLevel, Tag, TagEnd};
use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;

/// An HTML element being folded: its tag (name and attributes; `None` for the text around
/// every element), where it opens, and the inlines inside it so far.
type Open = (Option<(String, Vec<(String, String)>)>, Span, Vec<Inline>);

/// An inline, or a raw HTML tag among the inlines (folded by `fold_html`).
enum Piece {
    Inline(Inline),
    Tag(Token, Span),
}

/// State of one file's conversion.
pub struct Converter<'a, I: Iterator<Item = (Event<'a>, Range<usize>)>> {
    events: std::iter::Peekable<I>,
    pub lines: &'a LineIndex,
    pub text: &'a str,
    pub path: &'a Path,
    pub file: u32,
    pub diags: Vec<Diagnostic>,
    /// How deep the block being converted is nested (quotations, lists, definitions).
    depth: usize,
    too_deep_reported: bool,
    /// How many times each warning message was raised (past [`KEEP_SAME`] it is only
    /// counted).
    same: HashMap<String, usize>,
    /// The messages said once per file ([`Converter::warn_once`]).
    once: std::collections::HashSet<String>,
    /// Footnote numbers by label, in order of first reference.
    pub notes: HashMap<String, u32>,
    heading_ids: HashMap<String, u32>,
    /// Names of the piece's interviewers and interviewees, for speaker roles.
    pub questioners: Vec<String>,
    pub answerers: Vec<String>,
    /// Raw HTML is read as HTML (a manuscript's text); off, it is text as written (a line
    /// of metadata: `<Deluxe>` in a title, `<script>` in a description).
    pub html: bool,
}

impl<'a, I: Iterator<Item = (Event<'a>, Range<usize>)>> Converter<'a, I> {
    pub fn new(events: I, lines: &'a LineIndex, text: &'a str, path: &'a Path, file: u32) -> Self {
        Converter {
            events: events.peekable(),
            lines,
            text,
            path,
            file,
            diags: vec![],
            depth: 0,
            too_deep_reported: false,
            same: HashMap::new(),
            once: Default::default(),
            notes: HashMap::new(),
            heading_ids: HashMap::new(),
            questioners: vec![],
            answerers: vec![],
            html: true,
        }
    }

    fn span(&self, range: std::ops::Range<usize>) -> Span {
        Span::new(self.file, range)
    }

    fn error(&mut self, offset: usize, msg: impl Into<String>, hint: impl Into<String>) {
        let d = self.locate(Diagnostic::error(msg), offset).hint(hint);
        self.diags.push(d);
    }

    fn warn(&mut self, offset: usize, msg: impl Into<String>, hint: impl Into<String>) {
        let msg = msg.into();
        let n = self.same.entry(msg.clone()).or_insert(0);
        *n += 1;
        if *n > KEEP_SAME {
            return; // counted, reported once in `repeated_warnings`
        }
        let d = self.locate(Diagnostic::warning(msg), offset).hint(hint);
        self.diags.push(d);
    }

    /// A warning said once per file, at its first place (one per kind of HTML element).
    fn warn_once(&mut self, offset: usize, msg: impl Into<String>, hint: impl Into<String>) {
        let msg = msg.into();
        if self.once.insert(msg.clone()) {
            let d = self.locate(Diagnostic::warning(msg), offset).hint(hint);
            self.diags.push(d);
        }
    }

    /// One warning per message raised more than [`KEEP_SAME`] times, saying how many more
    /// there were: 100,000 raw HTML tags must not make 100,000 located diagnostics.
    pub fn repeated_warnings(&self) -> Vec<Diagnostic> {
        let mut out: Vec<(&String, usize)> = self
            .same
            .iter()
            .filter(|(_, n)| **n > KEEP_SAME)
            .map(|(m, n)| (m, *n - KEEP_SAME))
            .collect();
        out.sort();
        out.into_iter()
            .map(|(m, n)| {
                Diagnostic::warning(format!("{n} more warnings like “{m}” in this file"))
                    .in_file(self.path)
            })
            .collect()
    }

    /// `d` at a byte offset, through the line index (no scan of the file per diagnostic).
    fn locate(&self, d: Diagnostic, offset: usize) -> Diagnostic {
        let pos = self.lines.line_col(self.text, offset);
        d.at_line(self.path, self.lines.line_text(self.text, pos.line), pos)
    }

    /// Converts top-level blocks, returning each with its start offset.
    pub fn top_level(&mut self) -> Vec<(usize, Block)> {
        let mut out = Vec::new();
        while let Some((ev, range)) = self.events.next() {
            if let Some(b) = self.block(ev, range.clone()) {
                out.push((range.start, b));
            }
        }
        out
    }

    /// Blocks until the end tag of the enclosing container.
    fn blocks_until_end(&mut self) -> Vec<Block> {
        let mut out = Vec::new();
        while let Some((ev, range)) = self.events.next() {
            if matches!(ev, Event::End(_)) {
                break;
            }
            if let Some(b) = self.block(ev, range) {
                out.push(b);
            }
        }
        out
    }

    fn block(&mut self, ev: Event<'a>, range: Range<usize>) -> Option<Block> {
        if self.depth >= MAX_NESTING {
            self.too_deep(&ev, range.start);
            return None;
        }
        if matches!(ev, Event::Start(Tag::Paragraph)) && range.len() > MAX_PARAGRAPH_BYTES {
            self.error(
                range.start,
                format!(
                    "this paragraph is {:.1} MB long; folio sets paragraphs of at most {} MB",
                    range.len() as f64 / 1e6,
                    MAX_PARAGRAPH_BYTES / 1_000_000
                ),
                "separate its paragraphs with a blank line (a text this long without one has usually lost its paragraph breaks in a conversion)",
            );
        }
        self.depth += 1;
        let b = self.block_at_depth(ev, range);
        self.depth -= 1;
        b
    }

    /// A block nested past [`MAX_NESTING`]: one located error, and its events skipped
    /// without recursion (10,000 nested quotes must not overflow the stack).
    fn too_deep(&mut self, ev: &Event<'a>, offset: usize) {
        if !self.too_deep_reported {
            self.too_deep_reported = true;
            self.error(
                offset,
                format!("quotations and lists are nested more than {MAX_NESTING} levels deep"),
                "folio sets at most that many levels; flatten the structure",
            );
        }
        if matches!(ev, Event::Start(_)) {
            let mut open = 1usize;
            for (e, _) in self.events.by_ref() {
                match e {
                    Event::Start(_) => open += 1,
                    Event::End(_) => open -= 1,
                    _ => {}
                }
                if open == 0 {
                    break;
                }
            }
        }
    }

    fn block_at_depth(&mut self, ev: Event<'a>, range: Range<usize>) -> Option<Block> {
        let span = self.span(range.clone());
        match ev {
            Event::Start(Tag::Paragraph) => {
                if let Some((Event::Start(Tag::Image { .. }), _)) = self.events.peek() {
                    return Some(self.figure_or_paragraph(span, range.start));
                }
                let content = self.inlines_until_end();
                Some(self.paragraph(content, span))
            }
            Event::Start(Tag::Heading {
                level, id, attrs, ..
            }) => {
                let lang = attrs
                    .iter()
                    .find(|(k, _)| k.as_ref() == "lang")
                    .and_then(|(_, v)| v.as_ref().map(|v| v.to_string()));
                let mut content = self.inlines_until_end();
                if let Some(tag) = lang {
                    content = self.heading_lang(content, &tag, range.clone());
                }
                let id = self.heading_id(id.map(|s| s.to_string()), &content);
                Some(Block::Heading {
                    level: heading_level(level),
                    id,
                    content,
                    span,
                })
            }
            Event::Start(Tag::BlockQuote(_)) => Some(Block::BlockQuote {
                content: self.blocks_until_end(),
                span,
            }),
            Event::Start(Tag::List(start)) => {
                let mut items = Vec::new();
                while let Some((ev, _)) = self.events.next() {
                    match ev {
                        Event::Start(Tag::Item) => items.push(self.item_blocks()),
                        _ => break, // End(List)
                    }
                }
                Some(Block::List {
                    ordered: start.is_some(),
                    start: start.unwrap_or(1),
                    items,
                    span,
                })
            }
            Event::Start(Tag::CodeBlock(_)) => {
                let mut text = String::new();
                for (ev, _) in self.events.by_ref() {
                    match ev {
                        Event::Text(t) => text.push_str(&t),
                        Event::End(_) => break,
                        _ => {}
                    }
                }
                Some(Block::CodeBlock { text, span })
            }
            Event::Start(Tag::FootnoteDefinition(label)) => Some(Block::FootnoteDef {
                label: label.to_string(),
                content: self.blocks_until_end(),
                span,
            }),
            Event::Start(Tag::Table(aligns)) => Some(self.table(aligns, span)),
            Event::Start(Tag::DefinitionList) => {
                let mut items: Vec<(Vec<Inline>, Vec<Vec<Block>>)> = Vec::new();
                while let Some((ev, _)) = self.events.next() {
                    match ev {
                        Event::Start(Tag::DefinitionListTitle) => {
                            let term = self.inlines_until_end();
                            items.push((term, vec![]));
                        }
                        Event::Start(Tag::DefinitionListDefinition) => {
                            let def = self.item_blocks();
                            match items.last_mut() {
                                Some(last) => last.1.push(def),
                                None => items.push((vec![], vec![def])),
                            }
                        }
                        _ => break,
                    }
                }
                Some(Block::DefinitionList { items, span })
            }
            Event::Start(Tag::HtmlBlock) => {
                let mut html = String::new();
                for (ev, _) in self.events.by_ref() {
                    match ev {
                        Event::Html(h) | Event::Text(h) => html.push_str(&h),
                        Event::End(_) => break,
                        _ => {}
                    }
                }
                self.raw_html_block(&html, span, range.start)
            }
            Event::Rule => Some(Block::Break { span }),
            Event::Start(_) => {
                // Any other container: keep its text as a paragraph rather than lose it.
                let content = self.inlines_until_end();
                Some(Block::Paragraph { content, span })
            }
            Event::Text(t) => Some(Block::Paragraph {
                content: vec![Inline::Text {
                    text: t.to_string(),
                    span,
                }],
                span,
            }),
            Event::Html(h) | Event::InlineHtml(h) => self.raw_html_block(&h, span, range.start),
            _ => None,
        }
    }

    /// An item of a list or definition: tight items hold bare inlines, loose ones paragraphs.
    fn item_blocks(&mut self) -> Vec<Block> {
        let mut out = Vec::new();
        let mut loose: Vec<Piece> = Vec::new();
        let mut loose_span = None;
        while let Some((ev, range)) = self.events.next() {
            if matches!(ev, Event::End(_)) {
                break;
            }
            let is_block = matches!(
                ev,
                Event::Start(
                    Tag::Paragraph
                        | Tag::Heading { .. }
                        | Tag::BlockQuote(_)
                        | Tag::List(_)
                        | Tag::CodeBlock(_)
                        | Tag::Table(_)
                        | Tag::HtmlBlock
                        | Tag::DefinitionList
                ) | Event::Rule
            );
            if is_block {
                if !loose.is_empty() {
                    let span = loose_span.take().unwrap_or_default();
                    let content = self.fold_inlines(std::mem::take(&mut loose));
                    out.push(Block::Paragraph { content, span });
                }
                if let Some(b) = self.block(ev, range) {
                    out.push(b);
                }
            } else {
                loose_span.get_or_insert(self.span(range.clone()));
                match ev {
                    Event::InlineHtml(h) | Event::Html(h) => {
                        let span = self.span(range.clone());
                        loose.extend(html::tokens(&h).into_iter().map(|t| Piece::Tag(t, span)));
                    }
                    ev => {
                        if let Some(i) = self.inline(ev, range) {
                            loose.push(Piece::Inline(i));
                        }
                    }
                }
            }
        }
        if !loose.is_empty() {
            let content = self.fold_inlines(loose);
            out.push(Block::Paragraph {
                content,
                span: loose_span.unwrap_or_default(),
            });
        }
        out
    }

    fn table(&mut self, aligns: Vec<Alignment>, span: Span) -> Block {
        let align = aligns
            .iter()
            .map(|a| match a {
                Alignment::None => Align::None,
                Alignment::Left => Align::Left,
                Alignment::Center => Align::Center,
                Alignment::Right => Align::Right,
            })
            .collect();
        let mut header = Vec::new();
        let mut rows = Vec::new();
        while let Some((ev, _)) = self.events.next() {
            match ev {
                Event::Start(Tag::TableHead) => header = self.row_cells(),
                Event::Start(Tag::TableRow) => rows.push(self.row_cells()),
                _ => break,
            }
        }
        Block::Table {
            header,
            rows,
            align,
            span,
        }
    }

    fn row_cells(&mut self) -> Vec<Vec<Inline>> {
        let mut cells = Vec::new();
        while let Some((ev, _)) = self.events.next() {
            match ev {
                Event::Start(Tag::TableCell) => cells.push(self.inlines_until_end()),
                _ => break,
            }
        }
        cells
    }

    /// Inlines until the end tag of the enclosing element (raw HTML tags among them folded
    /// into the inlines they stand for).
    fn inlines_until_end(&mut self) -> Vec<Inline> {
        let mut out = Vec::new();
        while let Some((ev, range)) = self.events.next() {
            if matches!(ev, Event::End(_)) {
                break;
            }
            match ev {
                Event::InlineHtml(h) | Event::Html(h) if self.html => {
                    let span = self.span(range.clone());
                    out.extend(html::tokens(&h).into_iter().map(|t| Piece::Tag(t, span)));
                }
                Event::InlineHtml(h) | Event::Html(h) => out.push(Piece::Inline(Inline::Text {
                    text: h.to_string(),
                    span: self.span(range),
                })),
                ev => {
                    if let Some(i) = self.inline(ev, range) {
                        out.push(Piece::Inline(i));
                    }
                }
            }
        }
        self.fold_inlines(out)
    }

    /// A run of inlines as a block holds them: raw HTML tags folded into the elements they
    /// open, adjacent texts merged, `*term*{lang=xx}` made foreign. Every block's inlines,
    /// a tight list item's bare ones too, come through here.
    fn fold_inlines(&mut self, pieces: Vec<Piece>) -> Vec<Inline> {
        let folded = self.fold_html(pieces);
        self.foreign_spans(merge_text(folded))
    }

    /// Inlines and raw HTML tags → inlines: each element a known tag opens wraps what comes
    /// before its end tag (or the end of the text, when it is never closed); a stray end
    /// tag is dropped.
    fn fold_html(&mut self, pieces: Vec<Piece>) -> Vec<Inline> {
        // Open elements, innermost last: the tag, its span, and the inlines inside so far.
        let mut stack: Vec<Open> = vec![(None, Span::default(), Vec::new())];
        for p in pieces {
            match p {
                Piece::Inline(i) => {
                    if let Some(f) = stack.last_mut() {
                        f.2.push(i);
                    }
                }
                Piece::Tag(Token::Text(text), span) => {
                    if let Some(f) = stack.last_mut() {
                        f.2.push(Inline::Text { text, span });
                    }
                }
                Piece::Tag(
                    Token::Open {
                        name,
                        attrs,
                        closed: true,
                    },
                    span,
                ) => {
                    let made = self.html_element(&name, &attrs, Vec::new(), span);
                    if let Some(f) = stack.last_mut() {
                        f.2.extend(made);
                    }
                }
                Piece::Tag(
                    Token::Open {
                        name,
                        attrs,
                        closed: false,
                    },
                    span,
                ) => stack.push((Some((name, attrs)), span, Vec::new())),
                Piece::Tag(Token::Close { name }, _) => {
                    let open = stack
                        .iter()
                        .rposition(|(t, _, _)| t.as_ref().is_some_and(|(n, _)| *n == name));
                    if let Some(at) = open.filter(|&at| at > 0) {
                        while stack.len() > at {
                            self.close_element(&mut stack);
                        }
                    }
                }
            }
        }
        while stack.len() > 1 {
            self.close_element(&mut stack);
        }
        stack.pop().map(|f| f.2).unwrap_or_default()
    }

    /// Closes the innermost open element of `stack` into its parent.
    fn close_element(&mut self, stack: &mut Vec<Open>) {
        let Some((Some((name, attrs)), span, content)) = stack.pop() else {
            return;
        };
        let made = self.html_element(&name, &attrs, content, span);
        if let Some(f) = stack.last_mut() {
            f.2.extend(made);
        }
    }

    /// What HTML element `name` with `attrs` around `content` stands for in the book.
    fn html_element(
        &mut self,
        name: &str,
        attrs: &[(String, String)],
        content: Vec<Inline>,
        span: Span,
    ) -> Vec<Inline> {
        let wrap = |content| match name {
            "em" | "i" | "cite" | "dfn" | "var" => Some(Inline::Emphasis { content, span }),
            "strong" | "b" => Some(Inline::Strong { content, span }),
            "sup" => Some(Inline::Script {
                sup: true,
                content,
                span,
            }),
            "sub" => Some(Inline::Script {
                sup: false,
                content,
                span,
            }),
            _ => None,
        };
        match name {
            "br" => vec![Inline::LineBreak { span }],
            "kbd" | "code" | "samp" | "tt" => vec![Inline::Code {
                text: crate::model::plain_text(&content),
                span,
            }],
            "a" => {
                let mut out = Vec::new();
                if let Some(id) = html::attr(attrs, "id").or_else(|| html::attr(attrs, "name")) {
                    out.push(Inline::Anchor {
                        id: crate::escape::xml_id(id),
                        span,
                    });
                }
                match html::attr(attrs, "href") {
                    Some(url) if !content.is_empty() => out.push(Inline::Link {
                        url: url.to_string(),
                        content,
                        span,
                    }),
                    _ => out.extend(content),
                }
                out
            }
            // Programs and styles are not text: left out.
            "script" | "style" | "template" => {
                self.warn(
                    span.offset(),
                    format!("the HTML element <{name}> is left out"),
                    "a book has no scripts or styles of its own",
                );
                vec![]
            }
            // Kept in the EPUB as written; the PDF sets their text (said once per kind).
            name if crate::model::PHRASE_ELEMENTS.contains(&name) => {
                match html::safe_attrs(name, attrs) {
                    Some(attrs) => {
                        self.warn_once(
                            span.offset(),
                            format!("the HTML element <{name}> is kept in the EPUB; the PDF sets its text without it"),
                            "write it in Markdown if the PDF should show it",
                        );
                        vec![Inline::Element {
                            name: name.to_string(),
                            attrs,
                            content,
                            span,
                        }]
                    }
                    // Invalid without the attribute it lacks: its text alone.
                    None => content,
                }
            }
            // A disclosure is shown open, as print must: its summary a bold lead-in.
            "summary" => vec![Inline::Strong { content, span }],
            // Transparent: their text reads on as if they were not there (containers
            // that group, and `<details>`, shown open).
            "span" | "font" | "label" | "div" | "p" | "details" | "section" | "article"
            | "main" | "header" | "footer" | "center" => content,
            "img" => {
                let alt = html::attr(attrs, "alt").unwrap_or("").to_string();
                self.warn(
                    span.offset(),
                    "an image in running text is left out; its alt text is kept",
                    "put the image in a paragraph of its own to make it a figure",
                );
                vec![Inline::Text { text: alt, span }]
            }
            _ => match wrap(content.clone()) {
                Some(i) => vec![i],
                None => {
                    self.warn(
                        span.offset(),
                        format!("the HTML tag <{name}> is not shown; its text is kept"),
                        "write it in Markdown, or leave it out",
                    );
                    content
                }
            },
        }
    }

    fn inline(&mut self, ev: Event<'a>, range: Range<usize>) -> Option<Inline> {
        let span = self.span(range.clone());
        Some(match ev {
            Event::Text(t) => Inline::Text {
                text: t.to_string(),
                span,
            },
            Event::Code(t) => Inline::Code {
                text: t.to_string(),
                span,
            },
            Event::SoftBreak => Inline::Text {
                text: " ".into(),
                span,
            },
            Event::HardBreak => Inline::LineBreak { span },
            Event::Start(Tag::Emphasis) => Inline::Emphasis {
                content: self.inlines_until_end(),
                span,
            },
            Event::Start(Tag::Strong) => Inline::Strong {
                content: self.inlines_until_end(),
                span,
            },
            Event::Start(Tag::Link { dest_url, .. }) => {
                // Where it leads is `resolve`'s to decide: a `javascript:` or any other
                // scheme but the web's and mail's is never written, its text kept.
                let url = dest_url.to_string();
                Inline::Link {
                    url,
                    content: self.inlines_until_end(),
                    span,
                }
            }
            Event::Start(Tag::Image { .. }) => {
                // An image inside running text: keep its alt text; figures are whole paragraphs.
                let alt = self.inlines_until_end();
                self.warn(
                    range.start,
                    "an image inside a paragraph is set as its alt text",
                    "put the image in a paragraph of its own to make it a figure",
                );
                Inline::Emphasis { content: alt, span }
            }
            Event::FootnoteReference(label) => {
                let next = self.notes.len() as u32 + 1;
                let number = *self.notes.entry(label.to_string()).or_insert(next);
                Inline::FootnoteRef {
                    label: label.to_string(),
                    number,
                    span,
                }
            }
            Event::InlineHtml(h) | Event::Html(h) => {
                if is_comment(&h) {
                    return None;
                }
                self.warn(
                    range.start,
                    "raw HTML is set as plain text",
                    "folio never passes HTML through; use Markdown for emphasis, links and breaks",
                );
                Inline::Text {
                    text: h.to_string(),
                    span,
                }
            }
            Event::Start(_) => {
                let content = self.inlines_until_end();
                Inline::Emphasis { content, span }
            }
            _ => return None,
        })
    }

    /// A block of raw HTML: an HTML table is a table, an image alone a figure, anything
    /// else its text (tags folded as in running text); a block with no text (a `<div>`
    /// whose content follows as Markdown, a comment) is nothing.
    fn raw_html_block(&mut self, html: &str, span: Span, _offset: usize) -> Option<Block> {
        if html.trim().is_empty() || is_comment(html) {
            return None;
        }
        let tokens = html::tokens(html);
        let opens = |name: &str| {
            tokens
                .iter()
                .any(|t| matches!(t, Token::Open { name: n, .. } if n == name))
        };
        if opens("table") {
            return Some(self.html_table(&tokens, span));
        }
        let text_free = tokens
            .iter()
            .all(|t| !matches!(t, Token::Text(x) if !x.trim().is_empty()));
        if text_free
            && let Some(Token::Open { attrs, .. }) = tokens
                .iter()
                .find(|t| matches!(t, Token::Open { name, .. } if name == "img"))
        {
            return Some(html_figure(attrs, span));
        }
        let pieces = tokens.into_iter().map(|t| Piece::Tag(t, span)).collect();
        let content = self.fold_html(pieces);
        let anchors_only = content
            .iter()
            .all(|i| matches!(i, Inline::Anchor { .. } | Inline::LineBreak { .. }))
            && content.iter().any(|i| matches!(i, Inline::Anchor { .. }));
        let blank = crate::model::plain_text(&content).trim().is_empty();
        if blank && !anchors_only {
            return None;
        }
        Some(Block::Paragraph {
            content: trim_inlines(content),
            span,
        })
    }

    /// An HTML table as a table: its first row of `<th>` cells is the header (none when it
    /// has none), every `<tr>` a row, each cell's inlines folded from its tags.
    fn html_table(&mut self, tokens: &[Token], span: Span) -> Block {
        let mut rows: Vec<(bool, Vec<Vec<Inline>>)> = Vec::new();
        let mut cell: Option<Vec<Piece>> = None;
        let mut head = false;
        for t in tokens {
            match t {
                Token::Open { name, .. } if name == "tr" => rows.push((false, Vec::new())),
                Token::Open { name, .. } if name == "td" || name == "th" => {
                    head = name == "th";
                    cell = Some(Vec::new());
                }
                Token::Close { name } if name == "td" || name == "th" => {
                    if let Some(pieces) = cell.take() {
                        let content = trim_inlines(self.fold_html(pieces));
                        if rows.is_empty() {
                            rows.push((false, Vec::new()));
                        }
                        if let Some(r) = rows.last_mut() {
                            r.0 |= head;
                            r.1.push(content);
                        }
                    }
                }
                other => {
                    if let Some(c) = cell.as_mut() {
                        c.push(Piece::Tag(other.clone(), span));
                    }
                }
            }
        }
        rows.retain(|r| !r.1.is_empty());
        let header = match rows.first() {
            Some((true, _)) => rows.remove(0).1,
            _ => Vec::new(),
        };
        let cols = rows
            .iter()
            .map(|r| r.1.len())
            .chain([header.len()])
            .max()
            .unwrap_or(0);
        Block::Table {
            header,
            rows: rows.into_iter().map(|r| r.1).collect(),
            align: vec![Align::None; cols],
            span,
        }
    }

    /// A paragraph that opens with an image: a figure if the image is all it holds.
    fn figure_or_paragraph(&mut self, span: Span, offset: usize) -> Block {
        let Some((
            Event::Start(Tag::Image {
                dest_url, title, ..
            }),
            _,
        )) = self.events.next()
        else {
            return Block::Paragraph {
                content: vec![],
                span,
            };
        };
        let alt_inlines = self.inlines_until_end();
        let alt = crate::model::plain_text(&alt_inlines);
        // `{width=40%}` right after the image: the figure's attributes.
        let attrs = match self.events.peek() {
            Some((Event::Text(t), r)) if is_attr_block(t) => Some((t.to_string(), r.start)),
            _ => None,
        };
        if attrs.is_some() {
            self.events.next();
        }
        if let Some((Event::End(TagEnd::Paragraph), _)) = self.events.peek() {
            self.events.next();
            let caption = self.caption(&title, span);
            let width = attrs.and_then(|(t, at)| self.figure_width(&t, at));
            return Block::Figure {
                src: dest_url.to_string(),
                alt,
                caption,
                width,
                span,
            };
        }
        self.warn(
            offset,
            "an image inside a paragraph is set as its alt text",
            "put the image in a paragraph of its own to make it a figure",
        );
        let mut content = vec![Inline::Emphasis {
            content: alt_inlines,
            span,
        }];
        content.extend(self.inlines_until_end());
        self.paragraph(content, span)
    }

    /// The width from a figure's attribute block (`{width=40%}`, `{width=8cm}`); anything else
    /// in the block is a located warning.
    fn figure_width(&mut self, attrs: &str, at: usize) -> Option<Width> {
        let mut width = None;
        for a in attrs
            .trim()
            .trim_start_matches('{')
            .trim_end_matches('}')
            .split_whitespace()
        {
            if a == ".bleed" {
                width = Some(Width::Page);
                continue;
            }
            let parsed = a.strip_prefix("width=").and_then(|v| {
                let v = v.trim_matches('"');
                match v.strip_suffix('%') {
                    Some(p) => p
                        .parse::<f32>()
                        .ok()
                        .filter(|p| *p > 0.0 && *p <= 100.0)
                        .map(Width::Percent),
                    None => crate::settings::length(v)
                        .filter(|w| *w > 0.0)
                        .map(Width::Points),
                }
            });
            match parsed {
                Some(w) => width = Some(w),
                None => self.warn(
                    at,
                    format!("`{a}` is not a figure attribute folio knows; it is ignored"),
                    "write the printed width as {width=40%} (of the measure) or {width=8cm}, or {.bleed} for a full page",
                ),
            }
        }
        width
    }

    /// A figure's caption (the image title): text with footnote references (`[^label]`),
    /// numbered with the piece's other references in reading order.
    fn caption(&mut self, title: &str, span: Span) -> Vec<Inline> {
        let mut out = Vec::new();
        let mut rest = title;
        while let Some((before, label, after)) = split_note_ref(rest) {
            if !before.is_empty() {
                out.push(Inline::Text {
                    text: before.to_string(),
                    span,
                });
            }
            let next = self.notes.len() as u32 + 1;
            let number = *self.notes.entry(label.to_string()).or_insert(next);
            out.push(Inline::FootnoteRef {
                label: label.to_string(),
                number,
                span,
            });
            rest = after;
        }
        if !rest.is_empty() {
            out.push(Inline::Text {
                text: rest.to_string(),
                span,
            });
        }
        out
    }

    /// A paragraph or a speaker turn (`**Name:**`, `Q:`, `A:`).
    fn paragraph(&mut self, content: Vec<Inline>, span: Span) -> Block {
        if let Some(turn) = self.speaker_turn(&content, span) {
            return turn;
        }
        Block::Paragraph { content, span }
    }

    fn speaker_turn(&mut self, content: &[Inline], span: Span) -> Option<Block> {
        let (speaker, rest) = match content.first()? {
            Inline::Strong { content: label, .. } => {
                let label_text = crate::model::plain_text(label);
                let mut rest = content[1..].to_vec();
                let name = if let Some(n) = label_text.trim_end().strip_suffix(':') {
                    n.trim().to_string()
                } else if let Some(Inline::Text { text, .. }) = rest.first_mut() {
                    // `**Name**: text`
                    let t = text.strip_prefix(':')?.to_string();
                    *text = t;
                    label_text.trim().to_string()
                } else {
                    return None;
                };
                (name, rest)
            }
            Inline::Text { text, span: tspan } => {
                let (who, after) = ["Q:", "A:"]
                    .iter()
                    .find_map(|p| text.strip_prefix(p).map(|a| (&p[..1], a)))?;
                let mut rest = content.to_vec();
                rest[0] = Inline::Text {
                    text: after.to_string(),
                    span: *tspan,
                };
                (who.to_string(), rest)
            }
            _ => return None,
        };
        if speaker.is_empty() || speaker.chars().count() > 60 {
            return None;
        }
        let mut rest = rest;
        if let Some(Inline::Text { text, .. }) = rest.first_mut() {
            *text = text.trim_start().to_string();
            if text.is_empty() {
                rest.remove(0);
            }
        }
        let matches = |names: &[String]| {
            names
                .iter()
                .any(|n| n == &speaker || n.split_whitespace().last() == Some(speaker.as_str()))
        };
        let role = if speaker == "Q" || matches(&self.questioners) {
            SpeakerRole::Question
        } else if speaker == "A" || matches(&self.answerers) {
            SpeakerRole::Answer
        } else {
            self.unmatched_speaker(&speaker, span);
            SpeakerRole::Other
        };
        Some(Block::SpeakerTurn {
            speaker,
            role,
            content: rest,
            span,
        })
    }

    /// A named speaker in an interview who is neither its interviewer nor its interviewee
    /// (`**Hanna Osei:**` for Hannah Osei): a warning naming the nearest of them.
    fn unmatched_speaker(&mut self, speaker: &str, span: Span) {
        let people: Vec<String> = self
            .questioners
            .iter()
            .chain(&self.answerers)
            .cloned()
            .collect();
        if people.is_empty() {
            return; // not an interview: any speaker may talk
        }
        let near =
            crate::diag::nearest(speaker, people.iter().map(String::as_str)).map(str::to_owned);
        let hint = match near {
            Some(n) => format!(
                "did you mean `{n}`? The name must match the front matter's interviewer or interviewee"
            ),
            None => format!(
                "add them to the front matter as interviewer or interviewee ({})",
                people.join(", ")
            ),
        };
        let offset = span.offset();
        self.warn(
            offset,
            format!("the speaker `{speaker}` is neither the interviewer nor the interviewee; the turn is set as neither question nor answer"),
            hint,
        );
    }

    /// `*term*{lang=xx}` → [`Inline::Foreign`].
    fn foreign_spans(&mut self, inlines: Vec<Inline>) -> Vec<Inline> {
        let mut out: Vec<Inline> = Vec::with_capacity(inlines.len());
        for inline in inlines {
            if let (Some(Inline::Emphasis { .. }), Inline::Text { text, span }) =
                (out.last(), &inline)
                && let Some(attr) = text.strip_prefix("{lang=")
                && let Some(close) = attr.find('}')
            {
                let tag = attr[..close].trim().trim_matches('"');
                let rest = attr[close + 1..].to_string();
                let span = *span;
                match crate::lang::check(tag) {
                    Ok(lang) => {
                        let unknown = crate::lang::registry::unknown_subtags(&lang);
                        if !unknown.is_empty() {
                            // The tag starts after `{lang=` on the text node's line.
                            let offset = span.offset() + "{lang=".len();
                            self.warn(
                                offset,
                                format!("the language tag `{tag}`: {}", unknown.join("; ")),
                                crate::markdown::lang_hint(&lang),
                            );
                        }
                        if let Some(Inline::Emphasis {
                            content,
                            span: espan,
                        }) = out.pop()
                        {
                            out.push(Inline::Foreign {
                                lang,
                                content,
                                span: espan,
                            });
                        }
                    }
                    Err(why) => {
                        let offset = span.offset() + "{lang=".len();
                        self.error(
                            offset,
                            format!("invalid language tag `{tag}`: {why}"),
                            "use a BCP 47 tag such as `es` or `qu`",
                        );
                    }
                }
                if !rest.is_empty() {
                    out.push(Inline::Text { text: rest, span });
                }
                continue;
            }
            out.push(inline);
        }
        out
    }

    /// A heading ending in `{lang=xx}` (`### *Título*{lang=es}`): pulldown-cmark reads the
    /// braces as the heading's attributes, so the term's language arrives here. The last
    /// emphasis (the term the tag was written after) becomes foreign; a heading without one
    /// is foreign as a whole.
    fn heading_lang(
        &mut self,
        mut content: Vec<Inline>,
        tag: &str,
        range: Range<usize>,
    ) -> Vec<Inline> {
        let offset = self.text[range.clone()]
            .rfind("lang=")
            .map_or(range.start, |k| range.start + k + "lang=".len());
        let lang = match crate::lang::check(tag.trim_matches('"')) {
            Ok(lang) => lang,
            Err(why) => {
                self.error(
                    offset,
                    format!("invalid language tag `{tag}`: {why}"),
                    "use a BCP 47 tag such as `es` or `qu`",
                );
                return content;
            }
        };
        let unknown = crate::lang::registry::unknown_subtags(&lang);
        if !unknown.is_empty() {
            self.warn(
                offset,
                format!("the language tag `{tag}`: {}", unknown.join("; ")),
                crate::markdown::lang_hint(&lang),
            );
        }
        let last_emphasis = content
            .iter()
            .rposition(|i| matches!(i, Inline::Emphasis { .. }));
        match last_emphasis {
            Some(k) => {
                if let Inline::Emphasis {
                    content: inner,
                    span,
                } = content.remove(k)
                {
                    content.insert(
                        k,
                        Inline::Foreign {
                            lang,
                            content: inner,
                            span,
                        },
                    );
                }
                content
            }
            None => {
                let span = self.span(range);
                vec![Inline::Foreign {
                    lang,
                    content,
                    span,
                }]
            }
        }
    }

    fn heading_id(&mut self, given: Option<String>, content: &[Inline]) -> String {
        let base = given.unwrap_or_else(|| slug(&crate::model::plain_text(content)));
        let base = if base.is_empty() {
            "section".to_string()
        } else {
            base
        };
        let n = self.heading_ids.entry(base.clone()).or_insert(0);
        *n += 1;
        if *n == 1 { base } else { format!("{base}-{n}") }
    }
}

/// Joins adjacent text inlines (pulldown-cmark splits text at smart quotes and entities).
pub fn merge_text(inlines: Vec<Inline>) -> Vec<Inline> {
    let mut out: Vec<Inline> = Vec::with_capacity(inlines.len());
    for i in inlines {
        if let (Some(Inline::Text { text: prev, .. }), Inline::Text { text, .. }) =
            (out.last_mut(), &i)
        {
            prev.push_str(text);
            continue;
        }
        out.push(i);
    }
    out
}

/// An `<img>` alone as a figure: its `src`, `alt`, and `width` (CSS pixels, or a percentage).
fn html_figure(attrs: &[(String, String)], span: Span) -> Block {
    let width = html::attr(attrs, "width").and_then(|w| {
        let w = w.trim();
        match w.strip_suffix('%') {
            Some(p) => p.trim().parse::<f32>().ok().map(Width::Percent),
            None => w
                .trim_end_matches("px")
                .parse::<f32>()
                .ok()
                .map(|px| Width::Points(px * CSS_PX)),
        }
    });
    Block::Figure {
        src: html::attr(attrs, "src").unwrap_or("").to_string(),
        alt: html::attr(attrs, "alt").unwrap_or("").to_string(),
        caption: match html::attr(attrs, "title") {
            Some(t) if !t.trim().is_empty() => vec![Inline::Text {
                text: t.to_string(),
                span,
            }],
            _ => vec![],
        },
        width,
        span,
    }
}

/// Points per CSS pixel.
const CSS_PX: f32 = 0.75;

/// `inlines` without the white space HTML's layout lines leave at their ends.
fn trim_inlines(mut inlines: Vec<Inline>) -> Vec<Inline> {
    if let Some(Inline::Text { text, .. }) = inlines.first_mut() {
        *text = text.trim_start().to_string();
    }
    if let Some(Inline::Text { text, .. }) = inlines.last_mut() {
        *text = text.trim_end().to_string();
    }
    inlines.retain(|i| !matches!(i, Inline::Text { text, .. } if text.is_empty()));
    inlines
}

fn is_comment(html: &str) -> bool {
    let t = html.trim();
    t.starts_with("<!--") && t.ends_with("-->")
}

fn heading_level(l: HeadingLevel) -> u8 {
    match l {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// A URL- and id-safe slug: lower-case ASCII letters and digits joined by `-`.
pub fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        let c = fold_accent(c);
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-')
            && !out.is_empty()
            && (c.is_whitespace() || c == '-' || c == '–' || c == '—' || c == '/')
        {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_string();
    // Ids must start with a letter (XML NCName).
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        format!("s-{out}")
    } else {
        out
    }
}

/// The base letter of common Latin accented letters (for slugs only).
fn fold_accent(c: char) -> char {
    match c {
        'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' | 'Á' | 'À' | 'Â' | 'Ä' | 'Ã' => 'a',
        'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' | 'Ê' | 'Ë' => 'e',
        'í' | 'ì' | 'î' | 'ï' | 'Í' | 'Ì' | 'Î' | 'Ï' => 'i',
        'ó' | 'ò' | 'ô' | 'ö' | 'õ' | 'Ó' | 'Ò' | 'Ô' | 'Ö' | 'Õ' => 'o',
        'ú' | 'ù' | 'û' | 'ü' | 'Ú' | 'Ù' | 'Û' | 'Ü' => 'u',
        'ñ' | 'Ñ' => 'n',
        'ç' | 'Ç' => 'c',
        other => other,
    }
}

/// Blocks nest at most this deep (a quotation in a list in a quotation…): far beyond any
/// manuscript, and it bounds the recursion of every stage that walks blocks.
pub const MAX_NESTING: usize = 100;

/// The longest paragraph folio sets, in bytes of source (about 700,000 words, three
/// and a half times a long novel in one paragraph). Setting costs time and memory in
/// proportion to a paragraph's length (all its lines are chosen together), about 140 MB
/// per MB: past this a build would need more than half a gigabyte for one paragraph,
/// which no manuscript means; the README documents the limit.
pub const MAX_PARAGRAPH_BYTES: usize = 4_000_000;

/// Identical warnings kept with their locations, per file; the rest are counted.
const KEEP_SAME: usize = 20;

/// Is `text` an attribute block (`{width=40%}`)?
fn is_attr_block(text: &str) -> bool {
    let t = text.trim();
    t.len() > 2
        && t.starts_with('{')
        && t.ends_with('}')
        && (t.contains('=')
            || t[1..t.len() - 1]
                .split_whitespace()
                .all(|w| w.len() > 1 && w.starts_with('.')))
}

/// The first footnote reference `[^label]` in `text`: the text before it, the label, the
/// text after it.
pub fn split_note_ref(text: &str) -> Option<(&str, &str, &str)> {
    let start = text.find("[^")?;
    let len = text[start + 2..].find(']')?;
    let label = &text[start + 2..start + 2 + len];
    if label.is_empty() || label.chars().any(|c| c.is_whitespace() || c == '[') {
        let (head, tail) = text.split_at(start + 2);
        let (_, label, after) = split_note_ref(tail)?;
        let before_len = head.len() + tail.len() - after.len() - label.len() - 3;
        return Some((&text[..before_len], label, after));
    }
    Some((&text[..start], label, &text[start + 3 + len..]))
}
