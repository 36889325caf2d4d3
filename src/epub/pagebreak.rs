//! Print page numbers in the EPUB: the typeset book's page map → a page-break marker where
//! each printed page begins, and the page list that leads to them.
//!
//! A page starts at a text (its span and the characters before the point), at a block with
//! no text (a figure), at a piece's opening, or at a front-matter page. A blank page has no
//! start of its own: its marker stands just before the next page's (or at the book's end).

use crate::model::Span;
use crate::typeset::frame::{Origin, PageStart};
use std::collections::HashMap;

/// Where the markers go, by what the EPUB writer meets as it writes.
#[derive(Debug, Default)]
pub struct Markers {
    /// Inside a text: by the text's span, the character offsets and labels, in order.
    pub texts: HashMap<Span, Vec<(u32, String)>>,
    /// Before a block without text, by the block's span.
    pub blocks: HashMap<Span, Vec<String>>,
    /// At the start of a piece's opening, by piece index.
    pub openings: HashMap<u32, Vec<String>>,
    pub title_page: Vec<String>,
    pub imprint: Vec<String>,
    pub contents: Vec<String>,
    /// After the last piece (blank pages at the end of the book).
    pub end: Vec<String>,
}

impl Markers {
    /// The markers for a page map (empty for none).
    pub fn of(map: &[PageStart]) -> Markers {
        let mut m = Markers::default();
        let mut waiting: Vec<String> = Vec::new();
        for page in map {
            waiting.push(page.label.clone());
            let Some(origin) = page.origin else { continue };
            let labels = std::mem::take(&mut waiting);
            match origin {
                Origin::TitlePage => m.title_page.extend(labels),
                Origin::Imprint => m.imprint.extend(labels),
                Origin::Contents => m.contents.extend(labels),
                Origin::Opening(piece) => m.openings.entry(piece).or_default().extend(labels),
                Origin::Block(span) => m.blocks.entry(span).or_default().extend(labels),
                Origin::Text { span, offset } => {
                    let at = m.texts.entry(span).or_default();
                    at.extend(labels.into_iter().map(|l| (offset, l)));
                }
            }
        }
        m.end = waiting;
        for list in m.texts.values_mut() {
            list.sort_by_key(|(offset, _)| *offset);
        }
        m
    }
}

/// The id of page `label`'s marker.
pub fn id(label: &str) -> String {
    let safe: String = label
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { '_' })
        .collect();
    format!("page-{safe}")
}

/// The marker itself: an empty, labelled `doc-pagebreak` (read out as "page 12").
pub fn marker(label: &str) -> String {
    format!(
        "<span epub:type=\"pagebreak\" role=\"doc-pagebreak\" id=\"{}\" aria-label=\"{}\"></span>",
        super::xml::esc_attr(&id(label)),
        super::xml::esc_attr(label)
    )
}

/// `text` (already known to hold markers at `marks`, character offsets in order) escaped,
/// with each marker at its offset; `placed` gets the labels.
pub fn split_text(text: &str, marks: &[(u32, String)], placed: &mut Vec<String>) -> String {
    let mut out = String::with_capacity(text.len() + marks.len() * 96);
    let mut chars = text.char_indices().map(|(i, _)| i).chain([text.len()]);
    let mut at = 0usize; // characters consumed
    let mut byte = 0usize;
    for (offset, label) in marks {
        let offset = *offset as usize;
        let end = if offset >= at {
            chars.nth(offset - at).unwrap_or(text.len())
        } else {
            byte
        };
        // `nth` consumed offset - at + 1 boundaries: the next call starts after `end`.
        out += &super::xml::esc(&text[byte..end]);
        out += &marker(label);
        placed.push(label.clone());
        at = offset + 1;
        byte = end;
    }
    out += &super::xml::esc(&text[byte..]);
    out
}

/// The page list's entries: `href#id` and label, in reading order.
pub fn entries(placed: &[(String, Vec<String>)]) -> Vec<(String, String)> {
    placed
        .iter()
        .flat_map(|(href, labels)| {
            labels
                .iter()
                .map(move |l| (format!("{href}#{}", id(l)), l.clone()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_split_a_text_at_character_offsets() {
        let mut placed = Vec::new();
        let marks = vec![(0, "1".to_string()), (5, "2".into()), (5, "3".into())];
        let out = split_text("Ça & là", &marks, &mut placed);
        assert_eq!(placed, ["1", "2", "3"]);
        let m = |l: &str| marker(l);
        assert_eq!(out, format!("{}Ça &amp; {}{}là", m("1"), m("2"), m("3")));
    }

    #[test]
    fn blank_pages_wait_for_the_next_start() {
        let span = Span::default();
        let map = vec![
            PageStart {
                label: "i".into(),
                origin: Some(Origin::TitlePage),
            },
            PageStart {
                label: "ii".into(),
                origin: None,
            },
            PageStart {
                label: "1".into(),
                origin: Some(Origin::Text { span, offset: 7 }),
            },
            PageStart {
                label: "2".into(),
                origin: None,
            },
        ];
        let m = Markers::of(&map);
        assert_eq!(m.title_page, ["i"]);
        assert_eq!(m.texts[&span], [(7, "ii".into()), (7, "1".into())]);
        assert_eq!(m.end, ["2"]);
    }
}
