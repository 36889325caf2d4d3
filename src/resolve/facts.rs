//! What the resolved book offers a reader who cannot see it: [`Facts`] counted from the
//! resolved pieces (the EPUB's accessibility metadata is computed from them, never
//! asserted), and the checks behind an accessible PDF — a figure without a text alternative,
//! a heading that skips a level, a table without a header row — located warnings, and
//! errors when the PDF must meet PDF/UA-1.

use super::{Kind, RBlock, RPiece, visit};
use crate::diag::Diagnostic;
use crate::model::{Book, Inline};
use crate::settings::PdfStandard;
use std::sync::Arc;

/// What the book actually contains, as far as accessibility metadata is concerned.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Facts {
    pub pieces: usize,
    /// Images in the reading content (figures), plus the cover image if there is one.
    pub images: usize,
    /// Of those, how many have a non-empty text alternative.
    pub images_with_alt: usize,
    pub has_cover_image: bool,
    /// The book declares its language (else both outputs say the default, and no
    /// conformance is claimed).
    pub language_set: bool,
    /// Every piece opens with its title as a heading and its headings never skip a level.
    pub structured: bool,
    /// The navigation document lists every piece (always true of our nav).
    pub toc: bool,
    /// Page-break markers and a page-list nav from the typeset (PDF) edition.
    pub page_list: bool,
    pub footnotes: usize,
    pub tables: usize,
    pub pull_quotes: usize,
    pub speaker_turns: usize,
    /// Languages of foreign passages, in order of first appearance.
    pub foreign_langs: Vec<String>,
    pub fonts_embedded: bool,
    /// Who evaluated the book (`[epub] accessibility-evaluator`); the conformance claim is
    /// made only with one, as EPUB Accessibility 1.1 requires (`a11y:certifiedBy`).
    pub evaluator: Option<String>,
}

impl Facts {
    /// The facts of the resolved `pieces` of `book` (the cover and the page list are the
    /// EPUB's to add).
    pub fn of(book: &Book, pieces: &[Arc<RPiece>], language_set: bool) -> Facts {
        let mut f = Facts {
            pieces: pieces.len(),
            language_set,
            structured: true,
            toc: true,
            fonts_embedded: book.settings.epub.embed_fonts,
            evaluator: book.settings.epub.accessibility_evaluator.clone(),
            ..Facts::default()
        };
        for piece in pieces {
            f.footnotes += piece.notes.len();
            let note_blocks = piece.notes.iter().map(|n| n.blocks.as_slice());
            for blocks in std::iter::once(piece.blocks.as_slice()).chain(note_blocks) {
                visit(blocks, &mut |b| f.count(b));
            }
            if !skipped_levels(piece).is_empty() {
                f.structured = false;
            }
        }
        f
    }

    fn count(&mut self, b: &RBlock) {
        let mut langs = |inlines: &[Inline]| {
            crate::model::walk_inline_list(inlines, &mut |i| {
                if let Inline::Foreign { lang, .. } = i
                    && !self.foreign_langs.contains(lang)
                {
                    self.foreign_langs.push(lang.clone());
                }
            })
        };
        match &b.kind {
            Kind::Figure { alt, caption, .. } => {
                langs(caption);
                self.images += 1;
                if !alt.is_empty() {
                    self.images_with_alt += 1;
                }
            }
            Kind::Table { header, rows, .. } => {
                for c in header.iter().chain(rows.iter().flatten()) {
                    langs(&c.content);
                }
                self.tables += 1;
            }
            Kind::Turn { content, .. } => {
                langs(content);
                self.speaker_turns += 1;
            }
            Kind::PullQuote { .. } => self.pull_quotes += 1,
            Kind::Heading { content, .. } | Kind::Paragraph { content, .. } => langs(content),
            Kind::Definitions { items } => items.iter().for_each(|d| langs(&d.term)),
            _ => {}
        }
    }

    pub fn all_images_have_alt(&self) -> bool {
        self.images == self.images_with_alt
    }
}

/// Each heading of `piece` that skips a level (after the level before it; the piece's title
/// is level 1): the heading and the level it comes after.
fn skipped_levels(piece: &RPiece) -> Vec<(&RBlock, u8)> {
    let mut prev = 1u8;
    let mut out = Vec::new();
    visit(&piece.blocks, &mut |b| {
        if let Kind::Heading { level, .. } = &b.kind {
            if *level > prev + 1 {
                out.push((b, prev));
            }
            prev = *level;
        }
    });
    out
}

/// The accessibility checks of the resolved pieces: located errors when `standard` asks for
/// PDF/UA-1, else warnings. Returns (errors, warnings).
pub(super) fn checks(
    book: &Book,
    pieces: &[Arc<RPiece>],
    standard: Option<PdfStandard>,
) -> (Vec<Diagnostic>, Vec<Diagnostic>) {
    let strict = standard == Some(PdfStandard::Ua1);
    let mut found = Vec::new();
    let say = |what: String, hint: &str| {
        let d = if strict {
            Diagnostic::error(format!("{what} (PDF/UA-1 requires it)"))
        } else {
            Diagnostic::warning(what)
        };
        d.hint(hint)
    };
    for piece in pieces {
        visit(&piece.blocks, &mut |b| {
            match &b.kind {
            Kind::Figure { alt, .. } if alt.is_empty() => found.push(book.locate(
                say(
                    "this figure has no text alternative; a reader who cannot see it learns nothing of it".into(),
                    "say what the picture shows between the brackets: ![A street market at dusk](photo.jpg)",
                ),
                b.span,
            )),
            Kind::Table { header, .. }
                if header.iter().all(|c| crate::model::plain_text(&c.content).trim().is_empty()) =>
            {
                found.push(book.locate(
                    say(
                        "this table has no header row; a reader who cannot see it cannot tell what its columns hold".into(),
                        "give the table a first row naming its columns",
                    ),
                    b.span,
                ))
            }
            _ => {}
        }
        });
        for (b, prev) in skipped_levels(piece) {
            let Kind::Heading { level, .. } = &b.kind else {
                continue;
            };
            found.push(book.locate(
                say(
                    format!(
                        "this heading skips a level: it is read as level {level} after level {prev}"
                    ),
                    "use one more `#` than the heading it belongs under (the piece's title is level 1, its top headings level 2)",
                ),
                b.span,
            ));
        }
    }
    if strict {
        (found, Vec::new())
    } else {
        (Vec::new(), found)
    }
}
