//! Marked content: the frames' [`Tag`]s → `BDC … EMC` sequences with marked-content ids
//! (MCIDs) in a page's content stream, and the record of which element owns each.
//!
//! One state machine, [`Marker`], decides where a sequence starts and ends and whose it is;
//! the content stream writer runs it to write the operators, and the structure tree's
//! builder (`structure.rs`) runs it over the same items to learn the owners. Both see the
//! same items in the same order, so the two agree by construction.
//!
//! Content is owned by the innermost open tag: a leaf element of the resolved book
//! (`Tag::Start`) or an inline element (`Tag::Inline`). Content outside every tag, inside
//! `Tag::Artifact`, and every rule and printer's mark is an artifact (`/Artifact BMC`).

use super::font::EmbeddedFont;
use crate::typeset::frame::{ElemId, InlineTag, Item, Role, Tag};
use std::sync::Arc;

/// Who owns a stretch of content.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Owner {
    /// A leaf element of the resolved structure.
    Elem(ElemId, Role),
    /// The `k`th inline element opened on the page.
    Inline(u32),
    /// Nobody: drawn, not read.
    Artifact,
}

/// What a piece of content is, as far as marking goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Content {
    /// Glyphs or an image: read as part of its owner.
    Read,
    /// A rule or a printer's mark: always an artifact.
    Drawn,
}

/// An open tag.
#[derive(Debug, Clone)]
enum Open {
    Elem(ElemId, Role),
    Inline(u32),
    Artifact,
}

/// What the marker saw, for the structure tree: each inline element opened (its tag and
/// its parent), each MCID's owner, each annotation's owner, in content order.
#[derive(Debug, Default)]
pub(crate) struct Record {
    /// Inline elements in the order opened: the tag and the owner of the content around
    /// it (its parent).
    pub inlines: Vec<(InlineTag, Owner)>,
    /// Events in content order.
    pub events: Vec<Event>,
}

/// Something the structure tree hears of, in content order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Event {
    /// Inline element `k` opened (its parent gets it as a kid here).
    Opened(u32),
    /// Marked-content id `mcid` belongs to the owner.
    Mcid(u32, Owner),
    /// The page's `k`th annotation belongs to the owner (`Artifact`: to nobody).
    Annotation(u32, Owner),
    /// Text drawn by the owner (what a link's annotation describes).
    Text(Owner, String),
    /// What follows is on the book's page `k`.
    Page(u32),
}

/// The marked-content state of one page's content stream.
#[derive(Debug, Default)]
pub(crate) struct Marker {
    open: Vec<Open>,
    /// The sequence now open in the stream and its owner.
    current: Option<Owner>,
    /// That sequence carries an `/ActualText` (it holds one glyph: nothing joins it).
    current_actual: bool,
    next_mcid: u32,
    annotations: u32,
    /// What happened (kept only when `recording`).
    pub record: Record,
    recording: bool,
}

impl Marker {
    /// A marker that writes operators only.
    pub fn new() -> Marker {
        Marker::default()
    }

    /// A marker that also records owners, for the structure tree.
    pub fn recording() -> Marker {
        Marker {
            recording: true,
            ..Marker::default()
        }
    }

    /// Takes a tag into account (writes nothing: a sequence starts with its content).
    pub fn tag(&mut self, tag: &Tag) {
        match tag {
            Tag::Start(id, role) => self.open.push(Open::Elem(*id, *role)),
            Tag::Inline(t) => {
                let k = self.record_inline(t);
                self.open.push(Open::Inline(k));
            }
            Tag::Artifact => self.open.push(Open::Artifact),
            Tag::End => {
                self.open.pop();
            }
            Tag::Page(k) => {
                if self.recording {
                    self.record.events.push(Event::Page(*k));
                }
            }
        }
    }

    fn record_inline(&mut self, t: &InlineTag) -> u32 {
        let k = self.record.inlines.len() as u32;
        let parent = self.owner(Content::Read);
        // An inline element inside an artifact is no element; its number is kept so the
        // count stays the same, but nothing is said of it.
        self.record.inlines.push((t.clone(), parent.clone()));
        if self.recording && parent != Owner::Artifact {
            self.record.events.push(Event::Opened(k));
        }
        k
    }

    /// The owner of content of `kind` here.
    fn owner(&self, kind: Content) -> Owner {
        if kind == Content::Drawn || self.open.iter().any(|o| matches!(o, Open::Artifact)) {
            return Owner::Artifact;
        }
        match self.open.last() {
            Some(Open::Elem(id, role)) => Owner::Elem(*id, *role),
            Some(Open::Inline(k)) => Owner::Inline(*k),
            _ => Owner::Artifact,
        }
    }

    /// Before content of `kind`: ends the open sequence and starts the right one when the
    /// owner changes.
    pub fn content(&mut self, kind: Content, out: &mut Vec<u8>) {
        let owner = self.owner(kind);
        if self.current.as_ref() == Some(&owner) && !self.current_actual {
            return;
        }
        self.open_sequence(owner, None, out);
    }

    /// Before one glyph whose text is `actual` (its font reads it otherwise): a sequence of
    /// its own for its owner, with that `/ActualText`. An artifact's glyph needs none.
    pub fn content_actual(&mut self, actual: &str, out: &mut Vec<u8>) {
        match self.owner(Content::Read) {
            Owner::Artifact => self.content(Content::Read, out),
            owner => self.open_sequence(owner, Some(actual), out),
        }
    }

    /// Ends the open sequence and starts one for `owner` (with `actual` as its text).
    fn open_sequence(&mut self, owner: Owner, actual: Option<&str>, out: &mut Vec<u8>) {
        self.close(out);
        match &owner {
            Owner::Artifact => out.extend_from_slice(b"/Artifact BMC\n"),
            owned => {
                let mcid = self.next_mcid;
                self.next_mcid += 1;
                let name = match owned {
                    Owner::Elem(_, role) => role.pdf_name(),
                    Owner::Inline(k) => inline_name(&self.record.inlines[*k as usize].0),
                    Owner::Artifact => unreachable!("handled above"),
                };
                out.push(b'/');
                out.extend_from_slice(name.as_bytes());
                out.extend_from_slice(b" <</MCID ");
                out.extend_from_slice(mcid.to_string().as_bytes());
                if let Some(text) = actual {
                    out.extend_from_slice(b" /ActualText ");
                    super::content::text_string(out, text);
                }
                out.extend_from_slice(b">> BDC\n");
                if self.recording {
                    self.record.events.push(Event::Mcid(mcid, owned.clone()));
                    if let Some(text) = actual {
                        self.record
                            .events
                            .push(Event::Text(owned.clone(), text.to_string()));
                    }
                }
            }
        }
        self.current = Some(owner);
        self.current_actual = actual.is_some();
    }

    /// Text drawn now (recorded for the owner of the open sequence).
    pub fn text(&mut self, text: &str) {
        if self.recording
            && let Some(owner) = &self.current
            && *owner != Owner::Artifact
        {
            self.record
                .events
                .push(Event::Text(owner.clone(), text.to_string()));
        }
    }

    /// Ends the open sequence, if any (before `q … Q`, at the end of the page).
    pub fn close(&mut self, out: &mut Vec<u8>) {
        if self.current.take().is_some() {
            out.extend_from_slice(b"EMC\n");
        }
    }

    /// A link area: the page's next annotation, owned by the innermost open tag.
    pub fn annotation(&mut self) {
        let k = self.annotations;
        self.annotations += 1;
        if self.recording {
            let owner = self.owner(Content::Read);
            self.record.events.push(Event::Annotation(k, owner));
        }
    }

    /// Walks `items` (groups entered) as the content stream writer does, without writing:
    /// for the structure tree. `fonts` are the document's, as the writer has them.
    pub fn walk(
        &mut self,
        items: &[Item],
        fonts: &[Option<Arc<EmbeddedFont>>],
        sink: &mut Vec<u8>,
    ) {
        for item in items {
            match item {
                Item::Tag(t) => self.tag(t),
                Item::Glyphs(run) => {
                    let Some(font) = fonts.get(run.font).and_then(Option::as_ref) else {
                        continue;
                    };
                    if run.glyphs.is_empty() || run.size <= 0.0 {
                        continue;
                    }
                    for (range, actual) in super::content::segments(run, font, true) {
                        match actual {
                            Some(text) => self.content_actual(text, sink),
                            None => {
                                self.content(Content::Read, sink);
                                let text: String =
                                    run.glyphs[range].iter().map(|g| g.text.as_str()).collect();
                                self.text(&text);
                            }
                        }
                    }
                }
                Item::Image { .. } => self.content(Content::Read, sink),
                Item::Rule { .. } | Item::Mark { .. } => self.content(Content::Drawn, sink),
                Item::Link { .. } | Item::UriLink { .. } => self.annotation(),
                Item::Group(g) => {
                    let plain = g.transform.is_translation() && g.clip.is_none();
                    if !plain {
                        self.close(sink);
                    }
                    self.walk(&g.items, fonts, sink);
                    if !plain {
                        self.close(sink);
                    }
                }
            }
            sink.clear();
        }
    }
}

/// The structure type of an inline element.
pub(crate) fn inline_name(t: &InlineTag) -> &'static str {
    match t {
        InlineTag::Link => "Link",
        InlineTag::Lang(_) => "Span",
        InlineTag::Reference => "Reference",
        InlineTag::Lbl => "Lbl",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(index: u32) -> ElemId {
        ElemId { scope: 1, index }
    }

    #[test]
    fn content_is_marked_by_its_innermost_tag_and_rules_are_artifacts() {
        let mut m = Marker::recording();
        let mut out = Vec::new();
        m.tag(&Tag::Start(id(3), Role::P));
        m.content(Content::Read, &mut out);
        m.content(Content::Read, &mut out); // the same owner: nothing new
        m.tag(&Tag::Inline(InlineTag::Link));
        m.content(Content::Read, &mut out);
        m.annotation();
        m.tag(&Tag::End);
        m.content(Content::Drawn, &mut out);
        m.content(Content::Read, &mut out);
        m.tag(&Tag::End);
        m.content(Content::Read, &mut out);
        m.close(&mut out);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "/P <</MCID 0>> BDC\nEMC\n/Link <</MCID 1>> BDC\nEMC\n/Artifact BMC\nEMC\n\
             /P <</MCID 2>> BDC\nEMC\n/Artifact BMC\nEMC\n"
        );
        assert_eq!(
            m.record.events,
            [
                Event::Mcid(0, Owner::Elem(id(3), Role::P)),
                Event::Opened(0),
                Event::Mcid(1, Owner::Inline(0)),
                Event::Annotation(0, Owner::Inline(0)),
                Event::Mcid(2, Owner::Elem(id(3), Role::P)),
            ]
        );
    }

    #[test]
    fn everything_inside_an_artifact_tag_is_an_artifact() {
        let mut m = Marker::recording();
        let mut out = Vec::new();
        m.tag(&Tag::Artifact);
        m.tag(&Tag::Start(id(1), Role::TH));
        m.content(Content::Read, &mut out);
        m.tag(&Tag::End);
        m.tag(&Tag::End);
        m.close(&mut out);
        assert_eq!(String::from_utf8(out).unwrap(), "/Artifact BMC\nEMC\n");
        assert!(m.record.events.is_empty());
    }
}
