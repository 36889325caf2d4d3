//! Footnotes on pages: which notes (and which of their lines) a page's note area holds.
//!
//! A page holds the notes its rows refer to, in the order they are referred to. When they
//! do not fit, the last of them is split, as LaTeX splits a long footnote: at least
//! [`MIN_SPLIT`] lines on this page (and at most [`SPLIT_SHARE`] of the text block), the
//! rest carried to the next page's note area, ahead of that page's own notes, and on and on
//! until every line is set; a piece whose last page still carries lines gets pages of notes
//! alone. Nothing is lost however long a note is. The paginator asks [`fit`] for every page
//! it considers, and the pages are laid out with the same function, so what it planned is
//! what is drawn.

use std::ops::Range;

/// A note's size: its lines and the height of one (pt).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NoteSize {
    pub lines: u32,
    pub step: f32,
}

impl NoteSize {
    fn height(self, lines: u32) -> f32 {
        lines as f32 * self.step
    }
}

/// A note's lines carried to the next page: the note, and the first of its lines not set
/// yet.
pub type Carry = Option<(u32, u32)>;

/// Lines `lines` of note `note`, on one page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotePart {
    pub note: u32,
    pub lines: Range<u32>,
}

/// The fewest lines of a split note on either side of the split: a line alone reads as
/// lost (the widow and orphan of the note area).
pub const MIN_SPLIT: u32 = 2;
/// A split note takes at most this share of the text block on a page, so the text goes on
/// beside a note several pages long (LaTeX gives footnotes up to `\dimen\footins`).
pub const SPLIT_SHARE: f32 = 0.6;
/// The cost of splitting a note: above a few short lines, so a split happens where moving
/// the text cannot make the note fit, below a widow.
pub const SPLIT_COST: f64 = 5e3;

/// How a page's note area came out.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    /// Height of the note area with the gap above it (0 without notes).
    pub height: f32,
    /// Lines carried on to the next page.
    pub carry: Carry,
    /// Whether a note was split here.
    pub split: bool,
}

/// Fits the note area of a page: `carry` (from the page before) first, then the notes
/// `own` (in the order the page refers to them) in `room` pt (what the text leaves of the
/// text block, `capacity` pt high), with `gap` pt above the notes. `parts` (when given)
/// gets what the area holds. `None`: they cannot be fitted (a note before the last does
/// not fit whole, or fewer than [`MIN_SPLIT`] lines of the last would).
pub fn fit(
    carry: Carry,
    own: &[u32],
    room: f32,
    capacity: f32,
    gap: f32,
    size: &dyn Fn(u32) -> NoteSize,
    mut parts: Option<&mut Vec<NotePart>>,
) -> Option<Fit> {
    // The area's pieces: the carried remainder, then each own note whole.
    let mut pieces: Vec<(u32, Range<u32>)> = Vec::with_capacity(own.len() + 1);
    if let Some((note, from)) = carry {
        pieces.push((note, from..size(note).lines));
    }
    pieces.extend(own.iter().map(|&n| (n, 0..size(n).lines)));
    if pieces.is_empty() {
        return Some(Fit {
            height: 0.0,
            carry: None,
            split: false,
        });
    }
    let total: f32 = pieces
        .iter()
        .map(|(n, r)| size(*n).height(r.end - r.start))
        .sum();
    let mut out = |ps: &[(u32, Range<u32>)]| {
        if let Some(parts) = parts.as_deref_mut() {
            parts.extend(ps.iter().map(|(note, lines)| NotePart {
                note: *note,
                lines: lines.clone(),
            }));
        }
    };
    if total + gap <= room + 0.01 {
        out(&pieces);
        return Some(Fit {
            height: total + gap,
            carry: None,
            split: false,
        });
    }
    // The last piece splits: the others must fit whole.
    let (last, whole) = pieces.split_last()?;
    let before: f32 = whole
        .iter()
        .map(|(n, r)| size(*n).height(r.end - r.start))
        .sum();
    let (note, lines) = last.clone();
    let s = size(note);
    let share = room.min(capacity * SPLIT_SHARE);
    let fits = ((share - gap - before) / s.step.max(0.01)).floor().max(0.0) as u32;
    let left = (lines.end - lines.start).saturating_sub(fits);
    let carried_only = own.is_empty();
    // A carried remainder may end in a short stretch; a note's first part may not.
    if fits < MIN_SPLIT || (left < MIN_SPLIT && !carried_only) || left == 0 {
        return None;
    }
    let here = lines.start..lines.start + fits;
    let mut placed = whole.to_vec();
    placed.push((note, here.clone()));
    out(&placed);
    Some(Fit {
        height: before + s.height(fits) + gap,
        carry: Some((note, here.end)),
        split: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sizes(n: u32) -> NoteSize {
        NoteSize {
            lines: match n {
                1 => 3,
                2 => 40,
                _ => 1,
            },
            step: 10.0,
        }
    }

    #[test]
    fn notes_that_fit_are_set_whole() {
        let mut parts = Vec::new();
        let f = fit(None, &[1, 3], 100.0, 300.0, 5.0, &sizes, Some(&mut parts)).unwrap();
        assert_eq!(f.carry, None);
        assert_eq!(f.height, 45.0);
        assert_eq!(parts.len(), 2);
    }

    #[test]
    fn a_long_note_is_split_and_carried_on_until_every_line_is_set() {
        // Note 2 has 40 lines; a page's note area holds at most 60 % of 300 pt.
        let mut parts = Vec::new();
        let f = fit(None, &[1, 2], 250.0, 300.0, 5.0, &sizes, Some(&mut parts)).unwrap();
        assert!(f.split);
        // 180 − 5 − 30 = 145 pt: 14 lines of note 2 here.
        assert_eq!(f.carry, Some((2, 14)));
        assert_eq!(parts[1].lines, 0..14);
        let mut carry = f.carry;
        let mut set = 14;
        while let Some(c) = carry {
            let mut parts = Vec::new();
            let f = fit(Some(c), &[], 300.0, 300.0, 5.0, &sizes, Some(&mut parts)).unwrap();
            set += parts[0].lines.end - parts[0].lines.start;
            carry = f.carry;
        }
        assert_eq!(set, 40, "every line of the note is set");
    }

    #[test]
    fn a_note_before_the_last_never_splits_and_a_first_part_is_never_one_line() {
        assert_eq!(fit(None, &[2, 1], 100.0, 300.0, 5.0, &sizes, None), None);
        // Room for one line of the note only: it moves on with its reference instead.
        assert_eq!(fit(None, &[2], 20.0, 300.0, 5.0, &sizes, None), None);
    }
}
