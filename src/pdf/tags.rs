//! Marked content: the frames' [`Tag`]s → `BDC … EMC` sequences with marked-content ids
//! (MCIDs) in a page's content stream, and a [`Record`] of which tag owns each.
//!
//! One state machine, [`Marker`], decides where a sequence starts and ends and whose it is,
//! as the content stream writer walks a page. Its record names owners by the tag's place
//! among the page's tags (the `k`th `Tag::Start`, the `j`th `Tag::Inline`), not by element
//! id: a stream kept for a page that did not change stays right when the book's elements
//! are numbered anew, and the structure builder (`structure.rs`) turns places into
//! elements with one walk over the page's tags.
//!
//! Content is owned by the innermost open tag: a leaf element of the resolved book
//! (`Tag::Start`) or an inline element (`Tag::Inline`). Content outside every tag, inside
//! `Tag::Artifact`, and every rule and printer's mark is an artifact (`/Artifact BMC`).
//! Sequences never nest: a reader takes an inner `EMC` for the end of the outer sequence.

use crate::typeset::frame::{ElemId, InlineTag, Role, Tag};
use std::io::Write as _;

/// Who owns a stretch of content.
#[derive(Debug, Clone, PartialEq, Hash)]
pub(crate) enum Owner {
    /// The page's `k`th `Tag::Start` (a leaf element of the resolved structure; the first
    /// of a run of starts of one element), with the role the stream names it by.
    Elem(u32, Role),
    /// The page's `k`th inline element.
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
    Elem(u32, Role),
    Inline(u32),
    Artifact,
}

/// What the marker saw, for the structure tree: each inline element opened (its tag and
/// its parent), each MCID's owner, each annotation's owner, in content order.
#[derive(Debug, Default, PartialEq, Hash)]
pub(crate) struct Record {
    /// Inline elements in the order opened: the tag and the owner of the content around
    /// it (its parent; `Artifact`: inside an artifact, no element).
    pub inlines: Vec<(InlineTag, Owner)>,
    /// Events in content order.
    pub events: Vec<Event>,
}

/// Something the structure tree hears of, in content order.
#[derive(Debug, Clone, PartialEq, Hash)]
pub(crate) enum Event {
    /// Inline element `k` opened (its parent gets it as a kid here).
    Opened(u32),
    /// Marked-content id `mcid` belongs to the owner.
    Mcid(u32, Owner),
    /// The page's `k`th annotation belongs to the owner (`Artifact`: to nobody).
    Annotation(u32, Owner),
    /// Text a link draws (what its annotation describes).
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
    /// `Tag::Start`s met so far.
    starts: u32,
    /// The last `Tag::Start`'s element and the place that stands for it: the next line of
    /// the same paragraph continues its sequence (one MCID for a paragraph's lines on a
    /// page, not one a line).
    last_start: Option<(ElemId, u32)>,
    pub record: Record,
}

impl Marker {
    pub fn new() -> Marker {
        Marker::default()
    }

    /// Takes a tag into account (writes nothing: a sequence starts with its content).
    pub fn tag(&mut self, tag: &Tag) {
        match tag {
            Tag::Start(id, role) => {
                let k = match self.last_start {
                    Some((last, k)) if last == *id => k,
                    _ => self.starts,
                };
                self.last_start = Some((*id, k));
                self.open.push(Open::Elem(k, *role));
                self.starts += 1;
            }
            Tag::Inline(t) => {
                let k = self.record.inlines.len() as u32;
                let parent = self.owner(Content::Read);
                if parent != Owner::Artifact {
                    self.record.events.push(Event::Opened(k));
                }
                // Numbered inside an artifact too, so the count matches the page's tags.
                self.record.inlines.push((t.clone(), parent));
                self.open.push(Open::Inline(k));
            }
            Tag::Artifact => self.open.push(Open::Artifact),
            Tag::End => {
                self.open.pop();
            }
            Tag::Page(k) => self.record.events.push(Event::Page(*k)),
        }
    }

    /// The owner of content of `kind` here.
    fn owner(&self, kind: Content) -> Owner {
        if kind == Content::Drawn || self.open.iter().any(|o| matches!(o, Open::Artifact)) {
            return Owner::Artifact;
        }
        match self.open.last() {
            Some(Open::Elem(k, role)) => Owner::Elem(*k, *role),
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
        let name = match &owner {
            Owner::Artifact => {
                out.extend_from_slice(b"/Artifact BMC\n");
                None
            }
            Owner::Elem(_, role) => Some(role.pdf_name()),
            Owner::Inline(k) => Some(inline_name(&self.record.inlines[*k as usize].0)),
        };
        if let Some(name) = name {
            let mcid = self.next_mcid;
            self.next_mcid += 1;
            let _ = write!(out, "/{name} <</MCID {mcid}");
            if let Some(text) = actual {
                out.extend_from_slice(b" /ActualText ");
                super::content::text_string(out, text);
            }
            out.extend_from_slice(b">> BDC\n");
            self.record.events.push(Event::Mcid(mcid, owner.clone()));
        }
        self.current = Some(owner);
        self.current_actual = actual.is_some();
        if let Some(text) = actual
            && self.in_link()
        {
            self.text(text);
        }
    }

    /// Is the open sequence a link's (whose text describes its annotation)?
    pub fn in_link(&self) -> bool {
        matches!(self.current, Some(Owner::Inline(k))
            if matches!(self.record.inlines[k as usize].0, InlineTag::Link))
    }

    /// Text drawn now, recorded for the open sequence's owner.
    pub fn text(&mut self, text: &str) {
        if let Some(owner) = &self.current
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
        let owner = self.owner(Content::Read);
        self.record.events.push(Event::Annotation(k, owner));
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
        let mut m = Marker::new();
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
                Event::Mcid(0, Owner::Elem(0, Role::P)),
                Event::Opened(0),
                Event::Mcid(1, Owner::Inline(0)),
                Event::Annotation(0, Owner::Inline(0)),
                Event::Mcid(2, Owner::Elem(0, Role::P)),
            ]
        );
    }

    #[test]
    fn a_glyph_with_its_own_text_is_a_sequence_of_its_own_never_nested() {
        let mut m = Marker::new();
        let mut out = Vec::new();
        m.tag(&Tag::Start(id(0), Role::P));
        m.content(Content::Read, &mut out);
        m.content_actual("", &mut out);
        m.content(Content::Read, &mut out);
        m.close(&mut out);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "/P <</MCID 0>> BDC\nEMC\n/P <</MCID 1 /ActualText ()>> BDC\nEMC\n\
             /P <</MCID 2>> BDC\nEMC\n"
        );
    }

    #[test]
    fn the_lines_of_one_paragraph_are_one_sequence() {
        let mut m = Marker::new();
        let mut out = Vec::new();
        for _ in 0..3 {
            m.tag(&Tag::Start(id(5), Role::P));
            m.content(Content::Read, &mut out);
            m.tag(&Tag::End);
        }
        m.tag(&Tag::Start(id(6), Role::P));
        m.content(Content::Read, &mut out);
        m.tag(&Tag::End);
        m.close(&mut out);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "/P <</MCID 0>> BDC\nEMC\n/P <</MCID 1>> BDC\nEMC\n"
        );
        assert_eq!(
            m.record.events,
            [
                Event::Mcid(0, Owner::Elem(0, Role::P)),
                Event::Mcid(1, Owner::Elem(3, Role::P)),
            ]
        );
    }

    #[test]
    fn everything_inside_an_artifact_tag_is_an_artifact() {
        let mut m = Marker::new();
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
