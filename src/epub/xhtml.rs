//! The resolved book → XHTML content documents: one per piece (`<article>` with its
//! `<header>`), plus the cover page and the title page (with the imprint).
//!
//! All text goes through [`esc`]/[`esc_attr`]; nothing from the manuscript is ever written as
//! markup. Ids the writer makes up contain `_`, which [`crate::markdown::slug`] never
//! produces, so they cannot collide with heading ids.

use super::pagebreak::Markers;
use super::xml::{esc, esc_attr};
use crate::model::{Align, Inline, SpeakerRole};
use crate::resolve::{Kind, RBlock, RPiece, Resolved};
use std::collections::HashMap;

/// What every piece's writer needs from the whole book.
pub struct Ctx<'a> {
    pub book: &'a Resolved,
    /// Each piece's document, by piece: where the book's internal links lead.
    pub hrefs: &'a [String],
    /// Figure `src` as written → href of the image inside the package.
    pub images: &'a HashMap<String, String>,
    /// Where the printed pages begin.
    pub markers: &'a Markers,
}

/// Markers for `labels`, noted in `placed`.
fn markers(labels: &[String], placed: &mut Vec<String>) -> String {
    placed.extend(labels.iter().cloned());
    labels.iter().map(|l| super::pagebreak::marker(l)).collect()
}

/// A content document around `body`.
pub fn page(lang: &str, title: &str, body_type: &str, body: &str) -> String {
    let lang = esc_attr(lang);
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE html>\n\
<html xmlns=\"http://www.w3.org/1999/xhtml\" xmlns:epub=\"http://www.idpf.org/2007/ops\" lang=\"{lang}\" xml:lang=\"{lang}\">\n\
<head>\n<title>{}</title>\n<link rel=\"stylesheet\" type=\"text/css\" href=\"stylesheet.css\"/>\n</head>\n\
<body epub:type=\"{body_type}\">\n{body}</body>\n</html>\n",
        esc(title)
    )
}

/// The cover page. With a cover image: the image, labelled; without: a plain typographic
/// cover (title, subtitle, byline) set by the stylesheet.
pub fn cover(book: &Resolved, lang: &str, image_href: Option<&str>) -> String {
    let title = book.title.as_str();
    let body = match image_href {
        Some(href) => format!(
            "<section class=\"cover\" aria-label=\"Cover\">\n<img role=\"doc-cover\" src=\"{}\" alt=\"{}\"/>\n</section>\n",
            esc_attr(href),
            esc_attr(&cover_alt(book))
        ),
        None => {
            let mut s =
                String::from("<section class=\"cover typographic\" aria-label=\"Cover\">\n");
            s += &format!("<p class=\"cover-title\">{}</p>\n", esc(title));
            if let Some(sub) = &book.meta.subtitle {
                s += &format!("<p class=\"cover-subtitle\">{}</p>\n", esc(sub));
            }
            for line in &book.words.byline {
                s += &format!("<p class=\"cover-byline\">{}</p>\n", esc(line));
            }
            if let Some(p) = &book.meta.publisher {
                s += &format!("<p class=\"cover-publisher\">{}</p>\n", esc(p));
            }
            s + "</section>\n"
        }
    };
    page(lang, title, "cover", &body)
}

/// The cover image's text alternative: what the cover says.
pub fn cover_alt(book: &Resolved) -> String {
    let mut alt = format!("Cover: {}", book.title);
    if let Some(sub) = &book.meta.subtitle {
        alt += &format!(". {sub}");
    }
    for line in &book.words.byline {
        alt += &format!(". {line}");
    }
    alt
}

/// The title page, with the imprint below (the resolved book's lines, as the PDF's copyright
/// page prints them), and the markers of the printed front matter's pages; the labels
/// placed go to `placed`.
pub fn title_page(
    book: &Resolved,
    lang: &str,
    pages: &Markers,
    placed: &mut Vec<String>,
) -> String {
    let f = &book.front;
    let mut s = String::from(
        "<section class=\"titlepage\" epub:type=\"titlepage\" aria-labelledby=\"titlepage_title\">\n",
    );
    s += &markers(&pages.title_page, placed);
    s += &format!("<h1 id=\"titlepage_title\">{}</h1>\n", esc(&f.title));
    if let Some(sub) = &f.subtitle {
        s += &format!(
            "<p class=\"subtitle\" role=\"doc-subtitle\">{}</p>\n",
            esc(sub)
        );
    }
    for line in &f.byline {
        s += &format!("<p class=\"byline\">{}</p>\n", esc(line));
    }
    if let Some(p) = &f.publisher {
        s += &format!("<p class=\"publisher\">{}</p>\n", esc(p));
    }
    s += "</section>\n<section class=\"imprint\" epub:type=\"imprint\" aria-label=\"Imprint\">\n";
    s += &markers(&pages.imprint, placed);
    for line in &f.imprint {
        s += &format!("<p>{}</p>\n", esc(line));
    }
    // The printed contents has no document of its own here (the navigation takes its
    // place): its pages are marked where it would stand.
    s += &markers(&pages.contents, placed);
    s += "</section>\n";
    page(lang, &book.title, "frontmatter", &s)
}

/// One resolved piece as a content document, with the labels of the page markers placed
/// in it.
pub fn piece(ctx: &Ctx, piece: &RPiece) -> (String, Vec<String>) {
    let index = piece.index;
    let mut w = Writer {
        ctx,
        out: String::new(),
        seen: HashMap::new(),
        placed: Vec::new(),
    };
    let m = &piece.meta;
    match &piece.title {
        Some(_) => w.out += "<article class=\"piece\" aria-labelledby=\"piece_title\">\n<header>\n",
        None => {
            w.out += &format!(
                "<article class=\"piece\" aria-label=\"{}\">\n<header>\n",
                crate::escape::attr(&piece.label)
            )
        }
    }
    if let Some(labels) = ctx.markers.openings.get(&(index as u32)) {
        w.out += &markers(labels, &mut w.placed);
    }
    // Metadata text is inline Markdown (emphasis, smart quotes): written as the body is.
    let fields: [(&Option<String>, &[Inline], &str, &str); 4] = [
        (&m.kicker, &m.rich.kicker, "p", " class=\"kicker\""),
        (&piece.title, &piece.title_rich, "h1", " id=\"piece_title\""),
        (
            &m.subtitle,
            &m.rich.subtitle,
            "p",
            " class=\"subtitle\" role=\"doc-subtitle\"",
        ),
        (
            &m.description,
            &m.rich.description,
            "p",
            " class=\"standfirst\"",
        ),
    ];
    for (plain, rich, tag, attrs) in fields {
        let Some(plain) = plain else { continue };
        w.out += &format!("<{tag}{attrs}>");
        if rich.is_empty() {
            w.out += &esc(plain);
        } else {
            w.inlines(rich);
        }
        w.out += &format!("</{tag}>\n");
    }
    for line in &piece.byline {
        w.out += &format!("<p class=\"byline\">{}</p>\n", esc(line));
    }
    w.out += "</header>\n";
    w.blocks(&piece.blocks);
    if index + 1 == ctx.book.pieces.len() {
        w.out += &markers(&ctx.markers.end, &mut w.placed);
    }
    w.footnotes(piece);
    w.out += "</article>\n";
    let title = piece.title.clone().unwrap_or_else(|| piece.label.clone());
    let doc = page(&piece.lang, &title, "bodymatter", &w.out);
    (doc, w.placed)
}

struct Writer<'a> {
    ctx: &'a Ctx<'a>,
    out: String,
    /// How many references to each note number have been written so far.
    seen: HashMap<u32, u32>,
    /// The labels of the page markers written so far.
    placed: Vec<String>,
}

impl Writer<'_> {
    fn blocks(&mut self, blocks: &[RBlock]) {
        for b in blocks {
            self.block(b);
        }
    }

    fn block(&mut self, b: &RBlock) {
        if let Some(labels) = self.ctx.markers.blocks.get(&b.span) {
            self.out += &markers(labels, &mut self.placed);
        }
        match &b.kind {
            Kind::Heading {
                level,
                anchor,
                content,
                ..
            } => {
                let h = (*level).clamp(1, 6);
                self.out += &format!("<h{h} id=\"{}\">", esc_attr(anchor));
                self.inlines(content);
                self.out += &format!("</h{h}>\n");
            }
            Kind::Paragraph { content, .. } => {
                self.out += "<p>";
                self.inlines(content);
                self.out += "</p>\n";
            }
            Kind::Turn {
                speaker,
                role,
                content,
            } => {
                let class = match role {
                    SpeakerRole::Question => "turn question",
                    SpeakerRole::Answer => "turn answer",
                    SpeakerRole::Other => "turn",
                };
                self.out += &format!(
                    "<p class=\"{class}\"><b class=\"speaker\">{}:</b> ",
                    esc(speaker)
                );
                self.inlines(content);
                self.out += "</p>\n";
            }
            Kind::PullQuote { blocks, .. } => {
                self.out +=
                    "<aside class=\"pullquote\" epub:type=\"pullquote\" role=\"doc-pullquote\">\n";
                self.blocks(blocks);
                self.out += "</aside>\n";
            }
            Kind::BlockQuote { blocks } => {
                self.out += "<blockquote>\n";
                self.blocks(blocks);
                self.out += "</blockquote>\n";
            }
            Kind::List {
                ordered,
                start,
                items,
            } => {
                let tag = if *ordered { "ol" } else { "ul" };
                if *ordered && *start != 1 {
                    self.out += &format!("<ol start=\"{start}\">\n");
                } else {
                    self.out += &format!("<{tag}>\n");
                }
                for item in items {
                    self.out += "<li>";
                    self.blocks(&item.blocks);
                    self.out += "</li>\n";
                }
                self.out += &format!("</{tag}>\n");
            }
            Kind::Table {
                header,
                rows,
                align,
                ..
            } => {
                // Focusable, so a keyboard can scroll a table wider than the screen.
                self.out += "<div class=\"table\" tabindex=\"0\">\n<table>\n";
                if !header.is_empty() {
                    self.out += "<thead>\n<tr>";
                    for (i, cell) in header.iter().enumerate() {
                        let (open, close) = match cell.header {
                            true => ("th scope=\"col\"", "th"),
                            false => ("td", "td"),
                        };
                        self.out += &format!("<{open}{}>", align_class(align, i));
                        self.inlines(&cell.content);
                        self.out += &format!("</{close}>");
                    }
                    self.out += "</tr>\n</thead>\n";
                }
                if !rows.is_empty() {
                    self.out += "<tbody>\n";
                    for row in rows {
                        self.out += "<tr>";
                        for (i, cell) in row.iter().enumerate() {
                            self.out += &format!("<td{}>", align_class(align, i));
                            self.inlines(&cell.content);
                            self.out += "</td>";
                        }
                        self.out += "</tr>\n";
                    }
                    self.out += "</tbody>\n";
                }
                self.out += "</table>\n</div>\n";
            }
            Kind::Figure {
                src,
                alt,
                caption,
                width,
                ..
            } => {
                let href = self.ctx.images.get(src).map(String::as_str).unwrap_or(src);
                // A share of the measure carries over to the screen; a printed length
                // (8cm) means nothing on a phone, so it stays in the PDF.
                let style = match width {
                    Some(crate::model::Width::Percent(p)) => format!(" style=\"width: {p}%\""),
                    // A full-page picture in print: the screen's full width.
                    Some(crate::model::Width::Page) => " style=\"width: 100%\"".to_string(),
                    _ => String::new(),
                };
                self.out += &format!(
                    "<figure>\n<img src=\"{}\" alt=\"{}\"{style}/>\n",
                    esc_attr(href),
                    esc_attr(alt)
                );
                if !caption.is_empty() {
                    self.out += "<figcaption>";
                    self.inlines(caption);
                    self.out += "</figcaption>\n";
                }
                self.out += "</figure>\n";
            }
            Kind::Definitions { items } => {
                self.out += "<dl>\n";
                for d in items {
                    if !d.term.is_empty() {
                        self.out += "<dt>";
                        self.inlines(&d.term);
                        self.out += "</dt>\n";
                    }
                    for def in &d.defs {
                        self.out += "<dd>";
                        self.blocks(def);
                        self.out += "</dd>\n";
                    }
                }
                self.out += "</dl>\n";
            }
            Kind::Code { text } => {
                self.out += &format!("<pre><code>{}</code></pre>\n", esc(text));
            }
            Kind::Break => self.out += "<hr/>\n",
        }
    }

    fn inlines(&mut self, inlines: &[Inline]) {
        for i in inlines {
            self.inline(i);
        }
    }

    fn inline(&mut self, i: &Inline) {
        match i {
            Inline::Text { text, span } => match self.ctx.markers.texts.get(span) {
                Some(marks) => {
                    self.out += &super::pagebreak::split_text(text, marks, &mut self.placed)
                }
                None => self.out += &esc(text),
            },
            Inline::Emphasis { content, .. } => self.wrap("<em>", content, "</em>"),
            Inline::Strong { content, .. } => self.wrap("<strong>", content, "</strong>"),
            Inline::Script {
                sup: true, content, ..
            } => self.wrap("<sup>", content, "</sup>"),
            Inline::Script {
                sup: false,
                content,
                ..
            } => self.wrap("<sub>", content, "</sub>"),
            Inline::Anchor { id, .. } => {
                self.out += &format!("<span id=\"{}\"></span>", esc_attr(id));
            }
            Inline::Element {
                name,
                attrs,
                content,
                ..
            } => {
                let mut open = format!("<{name}");
                for (k, v) in attrs {
                    open += &format!(" {k}=\"{}\"", esc_attr(v));
                }
                open.push('>');
                self.wrap(&open, content, &format!("</{name}>"));
            }
            Inline::Code { text, span } => {
                let text = match self.ctx.markers.texts.get(span) {
                    Some(marks) => super::pagebreak::split_text(text, marks, &mut self.placed),
                    None => esc(text),
                };
                self.out += &format!("<code>{text}</code>");
            }
            Inline::Link { url, content, .. } => match self.href(url) {
                Some(href) => {
                    let open = format!("<a href=\"{}\">", esc_attr(&href));
                    self.wrap(&open, content, "</a>");
                }
                // A link we cannot follow (a file, `javascript:`, a missing anchor): its text.
                None => self.inlines(content),
            },
            Inline::Foreign { lang, content, .. } => {
                let open = format!(
                    "<i lang=\"{0}\" xml:lang=\"{0}\" class=\"foreign\">",
                    esc_attr(lang)
                );
                self.wrap(&open, content, "</i>");
            }
            Inline::FootnoteRef { number, .. } => {
                // Resolved: every reference here is to a note of the piece.
                let n = *number;
                let k = self.seen.entry(n).or_insert(0);
                *k += 1;
                let id = if *k == 1 {
                    format!("fnref_{n}")
                } else {
                    format!("fnref_{n}_{k}")
                };
                self.out += &format!(
                    "<a class=\"noteref\" epub:type=\"noteref\" role=\"doc-noteref\" id=\"{id}\" href=\"#fn_{n}\">{n}</a>"
                );
            }
            Inline::LineBreak { .. } => self.out += "<br/>",
        }
    }

    fn wrap(&mut self, open: &str, content: &[Inline], close: &str) {
        self.out += open;
        self.inlines(content);
        self.out += close;
    }

    /// Where a link may point: the web and mail (`http`, `https`, `mailto`), or a place in
    /// this book as the resolve stage found it (a piece, a heading in it).
    fn href(&self, url: &str) -> Option<String> {
        let url = url.trim();
        if let Some(n) = crate::resolve::links::target_of(url) {
            let target = self.ctx.book.targets.get(n)?;
            let doc = self.ctx.hrefs.get(target.piece)?;
            return Some(match &target.anchor {
                Some(anchor) => format!("{doc}#{anchor}"),
                None => doc.clone(),
            });
        }
        let scheme = url.split(':').next()?.to_ascii_lowercase();
        (url.contains(':') && matches!(scheme.as_str(), "http" | "https" | "mailto"))
            .then(|| crate::escape::url_encode(url))
    }

    /// The piece's footnotes: `doc-footnote` asides (Apple Books and Kindle show them as
    /// pop-ups) whose number links back to the first reference.
    fn footnotes(&mut self, piece: &RPiece) {
        if piece.notes.is_empty() {
            return;
        }
        self.out += "<section class=\"footnotes\" aria-label=\"Notes\">\n";
        for note in &piece.notes {
            let n = note.number;
            self.out += &format!(
                "<aside class=\"footnote\" epub:type=\"footnote\" role=\"doc-footnote\" id=\"fn_{n}\">\n"
            );
            let mark = if note.referenced && self.seen.contains_key(&n) {
                format!("<a class=\"backlink\" role=\"doc-backlink\" href=\"#fnref_{n}\">{n}.</a> ")
            } else {
                format!("<span class=\"backlink\">{n}.</span> ")
            };
            match note.blocks.split_first() {
                Some((
                    RBlock {
                        kind: Kind::Paragraph { content: first, .. },
                        ..
                    },
                    rest,
                )) => {
                    self.out += "<p>";
                    self.out += &mark;
                    self.inlines(first);
                    self.out += "</p>\n";
                    self.blocks(rest);
                }
                _ => {
                    self.out += &format!("<p>{}</p>\n", mark.trim_end());
                    self.blocks(&note.blocks);
                }
            }
            self.out += "</aside>\n";
        }
        self.out += "</section>\n";
    }
}

fn align_class(align: &[Align], i: usize) -> &'static str {
    match align.get(i) {
        Some(Align::Left) => " class=\"left\"",
        Some(Align::Center) => " class=\"center\"",
        Some(Align::Right) => " class=\"right\"",
        _ => "",
    }
}
