//! Collect: model inlines → styled text runs, the input of paragraph layout.
//!
//! Emphasis toggles italic, strong sets semibold, foreign spans carry their language,
//! footnote references become raised numbers, links keep their target.

use super::font::Style;
use super::frame::InlineTag;
use crate::model::{Inline, Span};

/// How a run of text is set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TextStyle {
    pub face: Style,
    /// Font size in pt.
    pub size: f32,
    pub small_caps: bool,
    /// Capitals as small capitals too (`c2sc`, with `small_caps`): labels set wholly in
    /// small capitals keep their text's case, so the text reads as written.
    pub caps: bool,
    /// Baseline shift upwards in pt (superscript note numbers).
    pub raise: f32,
    /// May words of this run be hyphenated (not in links, code or names).
    pub hyphenate: bool,
}

impl TextStyle {
    /// Plain text in `face` at `size`: no small capitals, on the baseline, not hyphenated
    /// (display lines, labels, furniture); paragraphs switch hyphenation on.
    pub fn new(face: Style, size: f32) -> TextStyle {
        TextStyle {
            face,
            size,
            small_caps: false,
            caps: false,
            raise: 0.0,
            hyphenate: false,
        }
    }
}

/// A stretch of text in one style and language.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub text: String,
    pub style: TextStyle,
    /// BCP 47 language of the text.
    pub lang: String,
    /// A footnote reference number, when this run is one.
    pub note: Option<u32>,
    /// The link target, when this run is part of a link.
    pub link: Option<String>,
    /// Where the text came from (for warnings).
    pub span: Span,
    /// The element inside its paragraph the run's text is (a link, a foreign term, a note's
    /// call, a speaker's label): the tagged PDF marks it.
    pub tag: Option<InlineTag>,
    /// Where each of the book's texts starts in `text`: a byte offset, the text's span and
    /// the characters of that text before the offset (not 0 when a text was cut in two);
    /// empty for text the typesetter adds (labels, note numbers). Lines find their
    /// [`Origin`](super::frame::Origin) through these.
    pub marks: Vec<(usize, Span, u32)>,
}

impl Run {
    /// A run of text the typesetter adds (a label, a number, a line of the front matter):
    /// no link, no note, no marks in the book's text.
    pub fn added(text: String, style: TextStyle, lang: &str, span: Span) -> Run {
        Run {
            text,
            style,
            lang: lang.to_string(),
            note: None,
            link: None,
            tag: None,
            span,
            marks: vec![],
        }
    }

    /// The place in the book of byte `at` of this run's text, if it is the book's text.
    pub fn origin(&self, at: usize) -> Option<super::frame::Origin> {
        let k = self.marks.partition_point(|m| m.0 <= at).checked_sub(1)?;
        let (start, span, base) = self.marks[k];
        let offset = self.text.get(start..at)?.chars().count() as u32;
        Some(super::frame::Origin::Text {
            span,
            offset: base + offset,
        })
    }
}

impl Run {
    /// Cuts the run at byte `at` (a character boundary): `self` keeps the text before it,
    /// the run returned has the rest, with the same style, link, note and tag, and the
    /// marks that place its text in the book.
    fn split_off(&mut self, at: usize) -> Run {
        let text = self.text.split_off(at);
        let k = self.marks.partition_point(|m| m.0 < at);
        let mut marks: Vec<(usize, Span, u32)> = self
            .marks
            .split_off(k)
            .into_iter()
            .map(|(b, span, base)| (b - at, span, base))
            .collect();
        // The text the cut falls in goes on in the new run, so many characters in.
        if let Some(&(start, span, base)) = self.marks.last()
            && marks.first().is_none_or(|m| m.0 > 0)
        {
            let before = self.text[start..].chars().count() as u32;
            marks.insert(0, (0, span, base + before));
        }
        Run {
            text,
            style: self.style,
            lang: self.lang.clone(),
            note: self.note,
            link: self.link.clone(),
            span: self.span,
            tag: self.tag.clone(),
            marks,
        }
    }
}

/// `runs` with each stretch of characters its face lacks set in the first fallback face
/// (`[pdf] fallback-fonts`) that has them; borrowed as they are when no book font is
/// missing anything (always, without fallbacks). A character that shows nothing (a
/// variation selector, a joiner) goes with the one before it.
pub fn with_fallbacks<'r>(
    fonts: &super::font::FontSet,
    runs: &'r [Run],
) -> std::borrow::Cow<'r, [Run]> {
    let fallbacks = fonts.fallbacks();
    if fallbacks.is_empty() {
        return std::borrow::Cow::Borrowed(runs);
    }
    let mut out: Vec<Run> = Vec::with_capacity(runs.len());
    let mut changed = false;
    for run in runs {
        let own = run.style.face;
        let font = fonts.get(own);
        let mut prev = own;
        // (byte, face) where the face changes.
        let mut cuts: Vec<(usize, Style)> = Vec::new();
        for (i, c) in run.text.char_indices() {
            let face = if c.is_ascii() || c.is_whitespace() || font.glyph(c).is_some() {
                own
            } else if super::shape::ignorable(c) {
                prev
            } else {
                fallbacks
                    .iter()
                    .find(|(_, f)| f.glyph(c).is_some())
                    .map_or(own, |(s, _)| *s)
            };
            if face != prev || (i == 0 && face != own) {
                cuts.push((i, face));
            }
            prev = face;
        }
        if cuts.is_empty() {
            out.push(run.clone());
            continue;
        }
        changed = true;
        let mut rest = run.clone();
        let mut taken = 0;
        let mut face = own;
        for (at, next) in cuts {
            let tail = rest.split_off(at - taken);
            taken = at;
            rest.style.face = face;
            if !rest.text.is_empty() {
                out.push(rest);
            }
            rest = tail;
            face = next;
        }
        rest.style.face = face;
        out.push(rest);
    }
    match changed {
        true => std::borrow::Cow::Owned(out),
        false => std::borrow::Cow::Borrowed(runs),
    }
}

/// Superscript note numbers: 62 % of the body size, raised by a third of an em — the
/// proportions of the font's own superior figures, which harfrust cannot select here.
const NOTE_SCALE: f32 = 0.62;
const NOTE_RAISE: f32 = 0.33;

/// Flattens inlines into runs, starting from `base` style and language.
pub fn collect(inlines: &[Inline], base: TextStyle, lang: &str) -> Vec<Run> {
    let mut out = Vec::new();
    walk(inlines, base, lang, None, &mut out);
    for r in &mut out {
        r.tag = if r.note.is_some() {
            Some(InlineTag::Reference)
        } else if r.link.as_deref().is_some_and(is_followed) {
            Some(InlineTag::Link)
        } else if r.lang != lang {
            Some(InlineTag::Lang(r.lang.as_str().into()))
        } else {
            None
        };
    }
    // Neighbouring runs with equal style, language and link merge, so words are shaped whole.
    let mut merged: Vec<Run> = Vec::with_capacity(out.len());
    for r in out {
        if let Some(last) = merged.last_mut()
            && last.style == r.style
            && last.lang == r.lang
            && last.note.is_none()
            && r.note.is_none()
            && last.link == r.link
            && last.tag == r.tag
        {
            let shift = last.text.len();
            last.marks.extend(
                r.marks
                    .iter()
                    .map(|&(at, span, base)| (at + shift, span, base)),
            );
            last.text.push_str(&r.text);
            continue;
        }
        merged.push(r);
    }
    merged
}

/// How far apart the marks of one long text are, in bytes: [`Run::origin`] counts the
/// characters from the mark before a line's start, so a paragraph of any length costs each
/// line at most this much counting (one mark per text made origins quadratic: a 20 MB
/// paragraph took two minutes).
const MARK_STRIDE: usize = 4096;

/// The marks of a text taken whole from the book (its `span`): one at its start, then one
/// every [`MARK_STRIDE`] bytes (at a character boundary) with the characters before it.
fn checkpoints(text: &str, span: Span) -> Vec<(usize, Span, u32)> {
    let mut marks = vec![(0, span, 0)];
    let (mut at, mut chars) = (0, 0u32);
    while text.len() - at > MARK_STRIDE {
        let mut next = at + MARK_STRIDE;
        while !text.is_char_boundary(next) {
            next += 1;
        }
        chars += text[at..next].chars().count() as u32;
        marks.push((next, span, chars));
        at = next;
    }
    marks
}

fn walk(inlines: &[Inline], style: TextStyle, lang: &str, link: Option<&str>, out: &mut Vec<Run>) {
    for i in inlines {
        let push = |text: &str, style: TextStyle, out: &mut Vec<Run>, span: Span, mark: bool| {
            out.push(Run {
                text: text.to_string(),
                style,
                lang: lang.to_string(),
                note: None,
                link: link.map(str::to_owned),
                tag: None,
                span,
                marks: if mark {
                    checkpoints(text, span)
                } else {
                    vec![]
                },
            });
        };
        match i {
            Inline::Text { text, span } => push(text, style, out, *span, true),
            Inline::Code { text, span } => push(
                &code_spaces(text),
                TextStyle {
                    hyphenate: false,
                    face: style.face.mono(),
                    size: style.size * CODE_SCALE,
                    ..style
                },
                out,
                *span,
                true,
            ),
            Inline::LineBreak { span } => push("\n", style, out, *span, false),
            Inline::Emphasis { content, .. } => walk(
                content,
                TextStyle {
                    face: toggle_italic(style.face),
                    ..style
                },
                lang,
                link,
                out,
            ),
            Inline::Strong { content, .. } => walk(
                content,
                TextStyle {
                    face: bolder(style.face),
                    ..style
                },
                lang,
                link,
                out,
            ),
            Inline::Foreign {
                lang: l, content, ..
            } => walk(
                content,
                TextStyle {
                    face: toggle_italic(style.face),
                    ..style
                },
                l,
                link,
                out,
            ),
            Inline::Link { url, content, .. } => walk(
                content,
                TextStyle {
                    hyphenate: false,
                    ..style
                },
                lang,
                Some(url),
                out,
            ),
            Inline::Script { sup, content, .. } => walk(
                content,
                TextStyle {
                    size: style.size * SCRIPT_SCALE,
                    raise: style.raise
                        + if *sup {
                            style.size * SUP_RAISE
                        } else {
                            -style.size * SUB_DROP
                        },
                    ..style
                },
                lang,
                link,
                out,
            ),
            // A place to link to: drawn as nothing (the page's link destinations come from
            // the resolve stage's targets).
            Inline::Anchor { .. } => {}
            // An HTML phrase element kept for the EPUB: its text, as the text around it.
            Inline::Element { content, .. } => walk(content, style, lang, link, out),
            Inline::FootnoteRef { number, span, .. } => out.push(Run {
                text: number.to_string(),
                style: TextStyle {
                    size: style.size * NOTE_SCALE,
                    raise: style.size * NOTE_RAISE,
                    hyphenate: false,
                    ..style
                },
                lang: lang.to_string(),
                note: Some(*number),
                link: None,
                tag: None,
                span: *span,
                marks: vec![],
            }),
        }
    }
}

/// A link the PDF can follow out of the book: to the web or to mail.
pub fn is_web(url: &str) -> bool {
    url.starts_with("http://") || url.starts_with("https://") || url.starts_with("mailto:")
}

/// A link the PDF can follow: out of the book, or to a place in it the resolve stage found.
pub fn is_followed(url: &str) -> bool {
    is_web(url) || crate::resolve::links::target_of(url).is_some()
}

/// Superscript and subscript: 70 % of the size, raised by a third of the size or dropped
/// by a sixth (a superscript like a note call, a subscript below the baseline).
const SCRIPT_SCALE: f32 = 0.7;
const SUP_RAISE: f32 = 0.33;
const SUB_DROP: f32 = 0.15;

/// Code beside text: JetBrains Mono's lower case is much taller than EB Garamond's, so code
/// is set at 85 % of the text size to stand at the same height.
pub const CODE_SCALE: f32 = 0.85;

/// Columns between tab stops in code (the width most editors and mdBook show).
pub const TAB_WIDTH: usize = 4;

/// Code's spaces kept as written: tabs expanded to the next stop, and each space before
/// another made a no-break space, so a run of spaces keeps its width (a single space may
/// still end a line).
pub fn code_spaces(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut column = 0;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\t' => {
                let n = TAB_WIDTH - column % TAB_WIDTH;
                for k in 0..n {
                    let last =
                        k + 1 == n && chars.peek() != Some(&' ') && chars.peek() != Some(&'\t');
                    out.push(if last { ' ' } else { '\u{a0}' });
                }
                column += n;
            }
            ' ' if matches!(chars.peek(), Some(' ' | '\t')) => {
                out.push('\u{a0}');
                column += 1;
            }
            '\n' => {
                out.push(c);
                column = 0;
            }
            _ => {
                out.push(c);
                column += 1;
            }
        }
    }
    out
}

/// Italic inside roman, roman inside italic (emphasis within a foreign title reads upright).
pub fn toggle_italic(face: Style) -> Style {
    match face {
        Style::Regular => Style::Italic,
        Style::Italic => Style::Regular,
        Style::SemiBold | Style::Bold => Style::SemiBoldItalic,
        Style::SemiBoldItalic => Style::SemiBold,
        Style::Mono | Style::MonoBold => Style::MonoItalic,
        Style::MonoItalic => Style::Mono,
        // A fallback face is chosen per character after collection, never collected into.
        f @ (Style::Fallback1 | Style::Fallback2 | Style::Fallback3 | Style::Fallback4) => f,
    }
}

fn bolder(face: Style) -> Style {
    match face {
        Style::Italic | Style::SemiBoldItalic => Style::SemiBoldItalic,
        Style::Mono | Style::MonoItalic | Style::MonoBold => Style::MonoBold,
        _ => Style::SemiBold,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_texts_origins_are_counted_from_a_mark_nearby() {
        // Regression: one mark per text made every line's origin count the characters from
        // the paragraph's start, quadratic in its length (a 20 MB paragraph: two minutes).
        let text: String = "ab\u{e9}c d\u{2014}e ".repeat(5_000);
        let span = Span::default();
        let runs = collect(
            &[Inline::Text {
                text: text.clone(),
                span,
            }],
            TextStyle::new(Style::Regular, 10.0),
            "en",
        );
        let run = &runs[0];
        for at in (0..text.len())
            .filter(|&i| text.is_char_boundary(i))
            .step_by(997)
        {
            let k = run.marks.partition_point(|m| m.0 <= at) - 1;
            assert!(at - run.marks[k].0 <= MARK_STRIDE, "{at}: mark {k} too far");
            let Some(super::super::frame::Origin::Text { offset, .. }) = run.origin(at) else {
                panic!("{at}: no origin");
            };
            assert_eq!(offset as usize, text[..at].chars().count(), "at byte {at}");
        }
    }
}
