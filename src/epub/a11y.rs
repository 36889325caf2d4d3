//! Accessibility metadata derived from the content: [`Facts`] are counted by `resolve` from
//! the resolved book, and every `schema:` / `dcterms:conformsTo` value is computed from
//! them, never asserted.

pub use crate::resolve::Facts;

impl Facts {
    /// The checks behind "EPUB Accessibility 1.1 - WCAG 2.2 Level AA" that folio can make:
    /// text alternatives, a declared language, navigation, and a heading structure.
    pub fn conforms(&self) -> bool {
        self.all_images_have_alt() && self.language_set && self.toc && self.structured
    }

    /// The claim is made: the checks pass and someone named has evaluated the book.
    pub fn claims_conformance(&self) -> bool {
        self.conforms() && self.evaluator.is_some()
    }

    /// `(property, value)` pairs for the package metadata, in a fixed order.
    pub fn metadata(&self, title: &str) -> Vec<(&'static str, String)> {
        let mut m = vec![("schema:accessMode", "textual".to_string())];
        if self.images > 0 {
            m.push(("schema:accessMode", "visual".into()));
        }
        if self.all_images_have_alt() {
            m.push(("schema:accessModeSufficient", "textual".into()));
        }
        if self.images > 0 {
            m.push(("schema:accessModeSufficient", "textual,visual".into()));
        }
        let mut features = Vec::new();
        if self.images > 0 && self.all_images_have_alt() {
            features.push("alternativeText");
        }
        if self.toc {
            features.push("tableOfContents");
        }
        // One linear spine, and pull quotes are marked as asides, so the reading order is
        // the order of the text.
        features.push("readingOrder");
        if self.structured {
            features.push("structuralNavigation");
        }
        if self.page_list {
            features.push("pageBreakMarkers");
            features.push("printPageNumbers");
            features.push("pageNavigation");
        }
        // Reflowable text with a stylesheet that sets no fixed sizes or colours: readers
        // can change type, size, spacing and colours.
        features.push("displayTransformability");
        for feat in features {
            m.push(("schema:accessibilityFeature", feat.to_string()));
        }
        m.push(("schema:accessibilityHazard", "none".into()));
        m.push(("schema:accessibilitySummary", self.summary(title)));
        if let (true, Some(who)) = (self.conforms(), &self.evaluator) {
            m.push((
                "dcterms:conformsTo",
                "EPUB Accessibility 1.1 - WCAG 2.2 Level AA".into(),
            ));
            m.push(("a11y:certifiedBy", who.clone()));
        }
        m
    }

    /// A summary of this book's content for people choosing it.
    pub fn summary(&self, title: &str) -> String {
        let mut s = format!(
            "{title} is a text publication of {} with a table of contents",
            plural(self.pieces, "piece", "pieces")
        );
        s += if self.structured {
            " and a heading at the start of every piece and section."
        } else {
            "."
        };
        if self.images == 0 {
            s += " It contains no images.";
        } else if self.all_images_have_alt() {
            s += &match self.images {
                1 => " Its one image has a text alternative.".to_string(),
                n => format!(" All {n} of its images have text alternatives."),
            };
        } else {
            s += &format!(
                " {} of its {} have no text alternative.",
                self.images - self.images_with_alt,
                plural(self.images, "image", "images")
            );
        }
        let count = |n: usize, one: &str, many: &str, verb1: &str, verbn: &str| match n {
            1 => format!("One {one} {verb1}"),
            n => format!("{n} {many} {verbn}"),
        };
        if self.speaker_turns > 0 {
            s += " In interviews, every turn begins with the speaker's name.";
        }
        if self.pull_quotes > 0 {
            s += &match self.pull_quotes {
                1 => " One pull quote repeats a line of the text and is marked as an aside."
                    .to_string(),
                n => format!(
                    " {n} pull quotes each repeat a line of the text and are marked as asides."
                ),
            };
        }
        if self.footnotes > 0 {
            s += &format!(
                " {} to the text and back.",
                count(self.footnotes, "footnote", "footnotes", "links", "link")
            );
        }
        if self.tables > 0 {
            s += &format!(
                " {} header cells.",
                count(self.tables, "table", "tables", "has", "have")
            );
        }
        if !self.foreign_langs.is_empty() {
            let names: Vec<String> = self.foreign_langs.iter().map(|l| lang_name(l)).collect();
            s += &format!(" Terms in {} are marked with their language.", join(&names));
        }
        s += if self.page_list {
            " The page numbers of the PDF edition are marked in the text and listed for going to a page."
        } else {
            " There are no page numbers from a print edition."
        };
        s += " The text can be restyled with the reading system's settings.";
        if self.claims_conformance() {
            s += " It meets EPUB Accessibility 1.1 at WCAG 2.2 level AA.";
        }
        s
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    match n {
        1 => format!("one {one}"),
        n => format!("{n} {many}"),
    }
}

fn join(items: &[String]) -> String {
    match items.len() {
        0 => String::new(),
        1 => items[0].clone(),
        k => format!("{} and {}", items[..k - 1].join(", "), items[k - 1]),
    }
}

/// The English name of a language tag ("Igbo", "English (United Kingdom)"), from the IANA
/// registry; the tag itself when the registry does not know it.
pub fn lang_name(tag: &str) -> String {
    crate::lang::registry::describe(tag)
}
