//! Footnotes resolved once for both outputs: a piece's notes numbered in the order the text
//! first refers to them (a reference inside a note counts where that note is read), then
//! the notes nothing refers to, after the others, with a located warning; every reference
//! carries its note's number, and a reference to no note is set as the text it was written
//! as.

use crate::diag::Diagnostic;
use crate::model::{Block, Inline, Span};
use std::collections::HashMap;

/// Label → number, for one piece.
#[derive(Debug, Default)]
pub(super) struct Numbering {
    numbers: HashMap<String, u32>,
}

/// A note's definition as found: label, blocks, span.
pub(super) type Def<'b> = (&'b str, &'b [Block], Span);

impl Numbering {
    /// The numbering of `blocks`' notes, with the definitions in number order and whether
    /// each is referenced.
    pub fn of(blocks: &[Block]) -> (Numbering, Vec<(u32, Def<'_>, bool)>) {
        let mut defs: Vec<Def> = Vec::new();
        crate::model::visit_blocks(blocks, &mut |b| {
            if let Block::FootnoteDef {
                label,
                content,
                span,
            } = b
                && !defs.iter().any(|d| d.0 == label)
            {
                defs.push((label.as_str(), content.as_slice(), *span));
            }
        });
        let mut n = Numbering::default();
        // The text first (footnote definitions are not read where they are written)…
        let mut in_defs: std::collections::HashSet<*const Block> = Default::default();
        for d in &defs {
            crate::model::visit_blocks(d.1, &mut |b| {
                in_defs.insert(b);
            });
        }
        crate::model::visit_blocks(blocks, &mut |b| {
            if !matches!(b, Block::FootnoteDef { .. }) && !in_defs.contains(&(b as *const Block)) {
                for list in b.inlines() {
                    n.number_list(list, &defs);
                }
            }
        });
        // …then each note's own references, as the notes are read, until none is new.
        let mut k = 0;
        let mut ordered: Vec<&Def> = Vec::new();
        loop {
            let mut by_number: Vec<(&Def, u32)> = defs
                .iter()
                .filter_map(|d| n.numbers.get(d.0).map(|&x| (d, x)))
                .collect();
            by_number.sort_by_key(|(_, x)| *x);
            if k >= by_number.len() {
                break;
            }
            let (d, _) = by_number[k];
            n.number_refs(d.1, &defs);
            ordered = by_number.into_iter().map(|(d, _)| d).collect();
            k += 1;
        }
        let referenced = ordered.len();
        let mut out: Vec<(u32, Def, bool)> = ordered
            .into_iter()
            .map(|d| (n.numbers[d.0], *d, true))
            .collect();
        out.sort_by_key(|o| o.0);
        let mut next = referenced as u32;
        for d in &defs {
            if !n.numbers.contains_key(d.0) {
                next += 1;
                n.numbers.insert(d.0.to_string(), next);
                out.push((next, *d, false));
            }
        }
        (n, out)
    }

    /// Numbers the references in `blocks` not numbered yet (to defined notes only).
    fn number_refs(&mut self, blocks: &[Block], defs: &[Def]) {
        crate::model::walk_inlines(blocks, &mut |i| self.number(i, defs));
    }

    /// Numbers the references in `list` not numbered yet.
    fn number_list(&mut self, list: &[Inline], defs: &[Def]) {
        crate::model::walk_inline_list(list, &mut |i| self.number(i, defs));
    }

    /// Numbers `i` if it is a reference to a defined note not numbered yet.
    fn number(&mut self, i: &Inline, defs: &[Def]) {
        if let Inline::FootnoteRef { label, .. } = i
            && defs.iter().any(|d| d.0 == label)
            && !self.numbers.contains_key(label)
        {
            let next = self.numbers.len() as u32 + 1;
            self.numbers.insert(label.clone(), next);
        }
    }

    /// `inlines` with every note reference numbered, and a reference to no note set as
    /// written (`[^label]`), as the loader's warning says.
    pub fn inlines(&self, inlines: &[Inline]) -> Vec<Inline> {
        inlines
            .iter()
            .map(|i| match i {
                Inline::FootnoteRef { label, span, .. } => match self.numbers.get(label) {
                    Some(&number) => Inline::FootnoteRef {
                        label: label.clone(),
                        number,
                        span: *span,
                    },
                    None => Inline::Text {
                        text: format!("[^{label}]"),
                        span: *span,
                    },
                },
                Inline::Emphasis { content, span } => Inline::Emphasis {
                    content: self.inlines(content),
                    span: *span,
                },
                Inline::Strong { content, span } => Inline::Strong {
                    content: self.inlines(content),
                    span: *span,
                },
                Inline::Script { sup, content, span } => Inline::Script {
                    sup: *sup,
                    content: self.inlines(content),
                    span: *span,
                },
                Inline::Element {
                    name,
                    attrs,
                    content,
                    span,
                } => Inline::Element {
                    name: name.clone(),
                    attrs: attrs.clone(),
                    content: self.inlines(content),
                    span: *span,
                },
                Inline::Link { url, content, span } => Inline::Link {
                    url: url.clone(),
                    content: self.inlines(content),
                    span: *span,
                },
                Inline::Foreign {
                    lang,
                    content,
                    span,
                } => Inline::Foreign {
                    lang: lang.clone(),
                    content: self.inlines(content),
                    span: *span,
                },
                other => other.clone(),
            })
            .collect()
    }
}

/// The warning for a note nothing refers to: where it is written, and where both editions
/// set it.
pub(super) fn unreferenced(label: &str, number: u32) -> Diagnostic {
    Diagnostic::warning(format!(
        "footnote `{label}` is never referenced; it is set as note {number}, after the piece's other notes"
    ))
    .hint(format!("refer to it with [^{label}] in the text, or remove it"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(t: &str) -> Inline {
        Inline::Text {
            text: t.into(),
            span: Span::default(),
        }
    }

    fn reference(label: &str) -> Inline {
        Inline::FootnoteRef {
            label: label.into(),
            number: 0,
            span: Span::default(),
        }
    }

    fn para(content: Vec<Inline>) -> Block {
        Block::Paragraph {
            content,
            span: Span::default(),
        }
    }

    fn def(label: &str, content: Vec<Inline>) -> Block {
        Block::FootnoteDef {
            label: label.into(),
            content: vec![para(content)],
            span: Span::default(),
        }
    }

    #[test]
    fn notes_are_numbered_as_read_and_the_unreferenced_come_last() {
        let blocks = vec![
            def("early", vec![text("defined first, referred to second")]),
            para(vec![text("a"), reference("b"), reference("early")]),
            def("b", vec![text("inside b"), reference("inner")]),
            def("inner", vec![text("only from a note")]),
            def("lonely", vec![text("never referenced")]),
            para(vec![reference("missing")]),
        ];
        let (n, defs) = Numbering::of(&blocks);
        let got: Vec<(u32, &str, bool)> = defs.iter().map(|(k, d, r)| (*k, d.0, *r)).collect();
        assert_eq!(
            got,
            [
                (1, "b", true),
                (2, "early", true),
                (3, "inner", true),
                (4, "lonely", false)
            ]
        );
        let out = n.inlines(&[reference("missing"), reference("early")]);
        assert_eq!(out[0], text("[^missing]"));
        assert!(matches!(out[1], Inline::FootnoteRef { number: 2, .. }));
    }
}
