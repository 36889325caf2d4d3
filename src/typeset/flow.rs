//! Flow: a piece's blocks → rows on a baseline grid, and rows → pages.
//!
//! Every row is a whole number of grid lines (the body leading), so facing pages share
//! their baselines. Rows carry the page-break rules: no orphans (no break after a
//! paragraph's first line), no widows (none before its last), headings kept with what
//! follows, pull quotes kept between text (never at a page's top or bottom), and a costly
//! break after a hyphenated line. [`paginate`] chooses all page breaks of a piece at once by
//! dynamic programming — the same total-fit idea as the line breaker — so a page ends short
//! only when every alternative is worse.

use super::frame::Item;
use super::notes::{Carry, NotePart, NoteSize};
use super::par::SetLine;

/// A break that must not happen (but the paginator may still take it if nothing else fits,
/// rather than overflow a page).
pub const FORBIDDEN: f64 = 1e9;
/// A page that ends after a hyphenated line: avoided unless the alternative is a widow,
/// an orphan or an overfull page.
pub const HYPHEN_AT_BREAK: f64 = 1e6;
/// The cost of a page ending `n` grid lines short is `SHORT_PAGE · n²`: one short line is
/// cheaper than a hyphen at a page break, several cost more than one.
pub const SHORT_PAGE: f64 = 1e3;
/// Vertical justification: a blank row (around headings, tables, figures, pull quotes, or
/// between turns) may grow by this share of a line per line of its height on a page that
/// would otherwise end short, so the page ends level with its neighbours.
pub const SPACE_STRETCH: f32 = 0.5;
/// …and the space after a paragraph by this much of a line (2 pt at 13.5 pt leading:
/// LaTeX's `\parskip` of `0pt plus 1pt` scaled to a page that must end level).
pub const PAR_STRETCH: f32 = 0.15;

/// One row of a piece's flow.
#[derive(Debug, Clone, Default)]
pub struct Row {
    /// Height in grid lines.
    pub lines: u32,
    /// Height beyond the grid lines, in pt (the half line between interview turns).
    pub extra: f32,
    /// How much the space after the row may grow, in grid lines, on a page that would
    /// otherwise end short (vertical justification; 0 for most rows).
    pub stretch: f32,
    /// What the row draws, relative to the text block's left edge and the row's top
    /// (shared: a page shows a row without copying it).
    pub items: std::sync::Arc<Vec<Item>>,
    /// Cost of a page break right after this row (0 = free).
    pub break_after: f64,
    /// Vertical space: dropped when it would open a page.
    pub discardable: bool,
    /// The row starts a new page (a piece opening).
    pub new_page: bool,
    /// Footnotes referenced in this row (keys into the piece's notes).
    pub notes: Vec<u32>,
    /// An outline entry (title, level) anchored at this row.
    pub anchor: Option<(String, usize)>,
    /// The anchors this row starts (a heading's, `<a id>`s in its block): links to them
    /// land here.
    pub ids: Vec<String>,
    /// The row is a body text line ending with a hyphen.
    pub hyphenated: bool,
    /// A table's header rows, drawn above this row when a page starts with it (a table
    /// continued from the page before).
    pub repeat: Option<std::sync::Arc<Vec<Row>>>,
    /// A table row: when a page ends after it, a rule this wide closes the table there.
    pub close_rule: Option<f32>,
    /// The row may move forward in the flow to where the pages come out best.
    pub float: Option<Float>,
    /// A pull quote may be placed right after this row (the end of a paragraph that is not
    /// a question).
    pub slot: bool,
    /// A figure's sizes, full size first, that [`place_floats`] chooses among (empty for a
    /// row with one size).
    pub shrunk: Vec<Row>,
    /// Where the row's content comes from in the book (none for space).
    pub origin: Option<super::frame::Origin>,
    /// A full-page figure: its items are in page coordinates, and its page shows nothing
    /// else (no running head, no folio).
    pub full_page: bool,
}

/// Rows that [`place_floats`] may move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Float {
    /// A figure: may go to the top of a later page while the text after it fills the page.
    Figure,
    /// A pull quote: may move a few paragraphs on (never past a heading, never between a
    /// question and its answer), and never starts or ends a page.
    PullQuote,
}

impl Row {
    /// Grid lines a page starting with this row spends on a repeated table header.
    pub fn repeat_lines(&self) -> u32 {
        self.repeat
            .as_ref()
            .map_or(0, |h| h.iter().map(|r| r.lines).sum())
    }
}

/// A footnote, already set, with its height in pt and the element its lines are tagged
/// with.
#[derive(Debug, Clone, Default)]
pub struct Note {
    pub lines: Vec<SetLine>,
    pub height: f32,
    pub id: super::frame::ElemId,
}

/// The geometry the paginator needs.
#[derive(Debug, Clone, Copy)]
pub struct PageSpace {
    /// Grid lines per page.
    pub lines: u32,
    /// Body leading in pt.
    pub leading: f32,
    /// Space between the text and the first footnote (the rule sits in it), in pt.
    pub note_gap: f32,
}

/// A page's rows: `rows[start..end]`, starting after any discarded space, and what its note
/// area holds (the notes its rows refer to, or their parts, and the rest of a note carried
/// from the page before). A page with no rows holds the rest of a long note alone.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PageRange {
    pub start: usize,
    pub end: usize,
    pub notes: Vec<NotePart>,
    /// The share (0 to 1) of its rows' stretch the page takes to end level: see
    /// [`Row::stretch`]. 0 on a piece's last page.
    pub fill: f32,
    /// Grid lines left empty at the foot after stretching (0 on a piece's last page).
    pub short: u32,
}

/// What the paginator knows of the pages ending before a row: their least cost and the
/// note lines the best of them carries on.
type Known = (f64, Carry);

/// Chooses the page breaks for `rows` (total fit). Notes referenced on a page must fit on
/// it. Always returns pages covering every row.
pub fn paginate(rows: &[Row], notes: &dyn Fn(u32) -> NoteSize, space: PageSpace) -> Vec<PageRange> {
    let refs: Vec<&Row> = rows.iter().collect();
    paginate_cost(&refs, notes, space).0
}

/// [`paginate`] on rows in a given order, with the total cost of the chosen breaks.
fn paginate_cost(
    rows: &[&Row],
    notes: &dyn Fn(u32) -> NoteSize,
    space: PageSpace,
) -> (Vec<PageRange>, f64) {
    let n = rows.len();
    if n == 0 {
        return (vec![], 0.0);
    }
    let (best, from) = break_costs(rows, notes, space, &[]);
    let mut breaks = Vec::new();
    let mut j = n;
    while j > 0 {
        let i = from[j];
        breaks.push((i, j));
        j = i;
    }
    breaks.reverse();
    // The pages' note areas, laid out as the programme planned them; what a long note
    // still carries at the piece's end goes on pages of its own.
    let mut pages = Vec::with_capacity(breaks.len());
    let mut carry: Carry = None;
    for (i, j) in breaks {
        let start = i + rows[i..j].iter().take_while(|r| r.discardable).count();
        let mut page = PageRange {
            start,
            end: j,
            ..PageRange::default()
        };
        let own = page_notes(&rows[i..j]);
        let room = space.capacity() - body_height(&rows[i..j], space);
        let fitted = super::notes::fit(
            carry,
            &own,
            room,
            space.capacity(),
            space.note_gap,
            notes,
            Some(&mut page.notes),
        );
        let note_area = fitted.as_ref().map_or(0.0, |f| f.height);
        carry = match fitted {
            Some(f) => f.carry,
            None => {
                // Planned as overfull (a row taller than a page): every note whole.
                page.notes = carried_whole(carry, &own, notes);
                None
            }
        };
        if j < n && !rows[j].new_page {
            (page.fill, page.short) = fill(&rows[start..j], space, note_area);
        }
        pages.push(page);
    }
    while let Some(c) = carry {
        let mut page = PageRange {
            start: n,
            end: n,
            ..PageRange::default()
        };
        let cap = space.capacity();
        carry = match super::notes::fit(Some(c), &[], cap, cap, 0.0, notes, Some(&mut page.notes)) {
            Some(f) => f.carry,
            None => {
                page.notes = carried_whole(Some(c), &[], notes);
                None
            }
        };
        pages.push(page);
    }
    (pages, best[n].0)
}

/// How a page of `rows` (its top space already dropped) with a note area `notes` pt high
/// ends level: the share of its stretch it takes, and the grid lines still empty at its
/// foot. Space at the foot is empty, and the space after the last row that shows
/// something cannot be seen to grow: neither counts. What [`break_costs`] works out as it
/// grows a page, row by row.
pub fn fill(rows: &[&Row], space: PageSpace, notes: f32) -> (f32, u32) {
    let Some(last) = rows.iter().rposition(|r| !r.discardable) else {
        return (0.0, 0);
    };
    let shown = body_height(&rows[..=last], space);
    let stretch: f32 = rows[..last].iter().map(|r| r.stretch).sum::<f32>() * space.leading;
    let slack = space.capacity() - shown - notes;
    let fill = if stretch > 0.0 {
        (slack / stretch).clamp(0.0, 1.0)
    } else {
        0.0
    };
    (fill, short_lines(slack - stretch, space))
}

/// Whole grid lines in `empty` pt (a fraction of a line holds no line).
fn short_lines(empty: f32, space: PageSpace) -> u32 {
    (empty / space.leading + SHORT_EPSILON).floor().max(0.0) as u32
}

/// Rounding in heights summed from fractions of lines must not make a full page a line short.
const SHORT_EPSILON: f32 = 1e-3;

/// The notes `rows` refer to, in the order they first do.
fn page_notes(rows: &[&Row]) -> Vec<u32> {
    let mut out: Vec<u32> = Vec::new();
    for r in rows {
        for &k in &r.notes {
            if !out.contains(&k) {
                out.push(k);
            }
        }
    }
    out
}

/// The height `rows` take on a page (space at its top dropped, a repeated table header
/// added).
fn body_height(rows: &[&Row], space: PageSpace) -> f32 {
    let top = rows.iter().take_while(|r| r.discardable).count();
    let body = &rows[top..];
    let lines: u32 =
        body.iter().map(|r| r.lines).sum::<u32>() + body.first().map_or(0, |r| r.repeat_lines());
    let extra: f32 = body.iter().map(|r| r.extra).sum();
    lines as f32 * space.leading + extra
}

/// Every note of `own` whole, after the carried rest: what a page that cannot hold its
/// notes shows (it is overfull anyway; nothing is lost).
fn carried_whole(carry: Carry, own: &[u32], notes: &dyn Fn(u32) -> NoteSize) -> Vec<NotePart> {
    let mut out: Vec<NotePart> = Vec::new();
    if let Some((note, from)) = carry {
        out.push(NotePart {
            note,
            lines: from..notes(note).lines,
        });
    }
    out.extend(own.iter().map(|&note| NotePart {
        note,
        lines: 0..notes(note).lines,
    }));
    out
}

impl PageSpace {
    /// The text block's height in pt.
    pub fn capacity(&self) -> f32 {
        self.lines as f32 * self.leading
    }
}

/// The dynamic programme behind [`paginate_cost`]: for each `j`, the least cost of pages
/// ending before row `j` (`best[j]`) and where the last of them starts (`from[j]`).
/// `best[j]` depends on rows `0..=j` only, so a caller that tries several orders of the
/// same rows passes the costs it already has for a shared beginning as `known` (those
/// with `j < known.len()`), and only the rest is worked out again; `from` is then left
/// unset below `known.len()` (such a caller reads only the costs).
fn break_costs(
    rows: &[&Row],
    notes: &dyn Fn(u32) -> NoteSize,
    space: PageSpace,
    known: &[Known],
) -> (Vec<Known>, Vec<usize>) {
    let n = rows.len();
    let capacity = space.capacity();
    let mut best: Vec<Known> = vec![(f64::INFINITY, None); n + 1];
    let mut from = vec![0usize; n + 1];
    let known = &known[..known.len().min(n + 1)];
    best[..known.len()].clone_from_slice(known);
    best[0] = (0.0, None);
    // The cost of a break before row j. Space between blocks does not loosen a keep: a
    // break after it costs what a break after the row before it would (a heading stays
    // with the table or quotation after it).
    let mut keep = vec![0.0f64; n + 1];
    let mut last_solid = 0.0f64;
    for j in 1..=n {
        let r = rows[j - 1];
        if !r.discardable {
            last_solid = r.break_after;
        }
        keep[j] = r.break_after.max(last_solid);
    }
    for j in known.len().max(1)..=n {
        // Space at the page's foot shows as empty; the last row that shows something, and
        // the stretch (of the rows above it) that can fill the page: see `fill`.
        let last_solid = rows[..j].iter().rposition(|r| !r.discardable);
        let tail: f32 = last_solid.map_or(0.0, |l| {
            rows[l + 1..j]
                .iter()
                .map(|r| r.lines as f32 * space.leading + r.extra)
                .sum()
        });
        let (mut stretch, mut top_stretch) = (0.0f32, 0.0f32);
        // Extend the page backwards from row j-1 while it fits.
        let mut body = 0u32;
        let mut extra = 0.0f32;
        let (mut top_space, mut top_extra, mut repeat) = (0u32, 0.0f32, 0u32);
        let mut note_height = 0.0f32;
        // The page's notes, latest reference first (the page grows upwards).
        let mut seen: Vec<u32> = Vec::new();
        for i in (0..j).rev() {
            let row = rows[i];
            body += row.lines;
            extra += row.extra;
            for &k in row.notes.iter().rev() {
                if let Some(at) = seen.iter().position(|&s| s == k) {
                    seen.remove(at);
                } else {
                    let s = notes(k);
                    note_height += s.lines as f32 * s.step;
                }
                seen.push(k);
            }
            // Space at the top of a page is dropped; a table continued from the page before
            // repeats its header there. Both are kept up to date as the page grows upwards.
            let below_last = last_solid.is_some_and(|l| i < l);
            if below_last {
                stretch += row.stretch;
            }
            if row.discardable {
                top_space += row.lines;
                top_extra += row.extra;
                if below_last {
                    top_stretch += row.stretch;
                }
            } else {
                top_space = 0;
                top_extra = 0.0;
                top_stretch = 0.0;
                repeat = row.repeat_lines();
            }
            let used_lines = body - top_space + repeat;
            let text = used_lines as f32 * space.leading + (extra - top_extra);
            let (carry_in, mut carry_out, mut split) = (best[i].1, None, false);
            let mut notes_total = if seen.is_empty() && carry_in.is_none() {
                0.0
            } else {
                note_height + space.note_gap
            };
            if carry_in.is_some() || text + notes_total > capacity + 0.01 {
                // Notes carried in, or too many for the page: the last one may split.
                let own: Vec<u32> = seen.iter().rev().copied().collect();
                let room = capacity - text;
                match super::notes::fit(carry_in, &own, room, capacity, space.note_gap, notes, None)
                {
                    Some(f) => {
                        notes_total = f.height;
                        carry_out = f.carry;
                        split = f.split;
                    }
                    None => notes_total = note_height + space.note_gap + capacity,
                }
            }
            let used = text + notes_total;
            let overfull = used > capacity + 0.01;
            if overfull && j - i > 1 && text > capacity + 0.01 {
                break; // adding rows above only makes it worse
            }
            // Too many notes for these rows: a page starting later (fewer rows, so fewer
            // notes) may still do, one starting earlier may not.
            let notes_overfull = overfull && j - i > 1;
            if best[i].0.is_finite() && !notes_overfull {
                let ends_piece = j == n || rows[j].new_page;
                let break_cost = if ends_piece {
                    0.0
                } else if rows[j].float == Some(Float::PullQuote) {
                    FORBIDDEN // a pull quote never opens a page
                } else {
                    keep[j]
                };
                let short = if ends_piece {
                    0.0
                } else if last_solid.is_none_or(|l| l < i) {
                    space.lines as f64 // a page of space alone
                } else {
                    let grow = (stretch - top_stretch) * space.leading;
                    short_lines(capacity - (used - tail) - grow, space) as f64
                };
                let mut cost = best[i].0 + break_cost + SHORT_PAGE * short * short;
                if overfull {
                    cost += FORBIDDEN * 10.0; // a single row taller than a page
                }
                if split {
                    cost += super::notes::SPLIT_COST;
                }
                if cost < best[j].0 {
                    best[j] = (cost, carry_out);
                    from[j] = i;
                }
            }
            if row.new_page {
                break; // a page never spans a piece opening
            }
        }
    }
    (best, from)
}

/// How many slots on a pull quote may move past its first place: about two paragraphs,
/// close enough that the quote still reads as part of the passage it comes from.
const PULL_QUOTE_SLOTS: usize = 3;
/// The cost of setting a figure a size smaller: less than one short line on a page
/// ([`SHORT_PAGE`]), so a figure shrinks only to fill a page, never for nothing.
const SHRUNK_FIGURE: f64 = 500.0;
/// A figure may move on by at most a page of rows: it lands at the latest on the next page.
const FIGURE_REACH_PAGES: u32 = 1;

/// Most figures with several sizes whose sizes are chosen jointly (every combination
/// tried): 3⁴ = 81 pagings of the piece at most; beyond that all figures share one size.
const JOINT_FIGURES: usize = 4;

/// Moves figures and pull quotes forward, and chooses each figure's size, to where the
/// pages come out best; then chooses the page breaks. Sizes are tried jointly (two
/// photographs that share a page must both shrink); for each choice of sizes each float in
/// turn is tried at every place it may go and kept where the piece's total pagination cost
/// (short pages, bad breaks) is least. Returns the rows in their final order and the pages.
pub fn place_floats(
    rows: Vec<Row>,
    notes: &dyn Fn(u32) -> NoteSize,
    space: PageSpace,
) -> (Vec<Row>, Vec<PageRange>) {
    // Full-page figures are pages of their own: the rest is paginated without them, and
    // each goes in after the page its place in the text falls on (the text runs on over
    // it, so it leaves no hole), as a page float does.
    let mut full: Vec<(usize, Row)> = Vec::new();
    let mut rest = Vec::with_capacity(rows.len());
    for row in rows {
        if row.full_page {
            let before = rest.iter().filter(|r: &&Row| r.float.is_none()).count();
            full.push((before, row));
        } else {
            rest.push(row);
        }
    }
    let (mut rows, mut pages) = place_floating(rest, notes, space);
    for (before, row) in full {
        // The page holding the text row just before the picture (the first page when the
        // picture comes first: a piece opens on its own page).
        let at = rows
            .iter()
            .enumerate()
            .filter(|(_, r)| r.float.is_none())
            .nth(before.saturating_sub(1))
            .map_or(0, |(i, _)| i);
        let page = pages
            .iter()
            .position(|p| p.start <= at && at < p.end)
            .unwrap_or(pages.len().saturating_sub(1));
        let pos = pages.get(page).map_or(rows.len(), |p| p.end);
        rows.insert(pos, row);
        for p in pages.iter_mut().skip(page + 1) {
            p.start += 1;
            p.end += 1;
        }
        pages.insert(
            (page + 1).min(pages.len()),
            PageRange {
                start: pos,
                end: pos + 1,
                ..PageRange::default()
            },
        );
    }
    (rows, pages)
}

/// [`place_floats`] for rows without full-page figures.
fn place_floating(
    mut rows: Vec<Row>,
    notes: &dyn Fn(u32) -> NoteSize,
    space: PageSpace,
) -> (Vec<Row>, Vec<PageRange>) {
    // Most pieces have no floats: one pagination, no trials.
    if rows.iter().all(|r| r.float.is_none()) {
        let pages = paginate(&rows, notes, space);
        return (rows, pages);
    }
    let sized: Vec<usize> = (0..rows.len())
        .filter(|&i| !rows[i].shrunk.is_empty())
        .collect();
    let choices = size_choices(&rows, &sized);
    let mut best: Option<(f64, Vec<usize>, Vec<usize>)> = None;
    for choice in choices {
        for (&f, &size) in sized.iter().zip(&choice) {
            rows[f] = with_size(&rows[f], size);
        }
        let (order, cost) = place_positions(&rows, notes, space);
        let cost = cost + SHRUNK_FIGURE * choice.iter().sum::<usize>() as f64;
        if best.as_ref().is_none_or(|(c, _, _)| cost < *c) {
            best = Some((cost, order, choice));
        }
    }
    let Some((_, order, choice)) = best else {
        return (vec![], vec![]);
    };
    for (&f, &size) in sized.iter().zip(&choice) {
        rows[f] = with_size(&rows[f], size);
    }
    let mut slots: Vec<Option<Row>> = rows.drain(..).map(Some).collect();
    let rows: Vec<Row> = order.iter().filter_map(|&k| slots[k].take()).collect();
    let pages = paginate(&rows, notes, space);
    (rows, pages)
}

/// The combinations of sizes to try for the figures at `sized` (indices into their
/// `shrunk` lists): all of them for a few figures, else one size for all.
fn size_choices(rows: &[Row], sized: &[usize]) -> Vec<Vec<usize>> {
    let counts: Vec<usize> = sized.iter().map(|&f| rows[f].shrunk.len()).collect();
    if sized.len() > JOINT_FIGURES {
        let most = counts.iter().copied().max().unwrap_or(1);
        return (0..most)
            .map(|s| counts.iter().map(|&c| s.min(c - 1)).collect())
            .collect();
    }
    let mut out: Vec<Vec<usize>> = vec![vec![]];
    for &c in &counts {
        out = out
            .into_iter()
            .flat_map(|prefix| {
                (0..c).map(move |s| {
                    let mut v = prefix.clone();
                    v.push(s);
                    v
                })
            })
            .collect();
    }
    out
}

/// `row` at size `size` of its sizes (the sizes travel with it).
fn with_size(row: &Row, size: usize) -> Row {
    let mut r = row.shrunk[size].clone();
    r.shrunk = row.shrunk.clone();
    r
}

/// Pages on either side of a float's page that its trial placements are judged on: a
/// float moves at most a page, and page breaks further away do not feel it. Judging the
/// whole piece each time made 5,000 pull quotes cost minutes.
const WINDOW_PAGES: usize = 2;

/// The order of rows (indices) with each float moved to its best place, and its cost.
/// Each float is judged on a window of pages around it (from the pagination before any
/// float moved), so the work grows with the number of floats, not with its square.
fn place_positions(
    rows: &[Row],
    notes: &dyn Fn(u32) -> NoteSize,
    space: PageSpace,
) -> (Vec<usize>, f64) {
    let mut order: Vec<usize> = (0..rows.len()).collect();
    let floats: Vec<usize> = (0..rows.len())
        .filter(|&i| rows[i].float.is_some())
        .collect();
    let refs: Vec<&Row> = rows.iter().collect();
    let (pages, _) = paginate_cost(&refs, notes, space);
    let mut at_of: Vec<usize> = (0..rows.len()).collect(); // row → place in `order`
    // Last to first, then first to last: a float never passes another, so a later one must
    // make room before an earlier one can follow it (two photographs that share a page).
    let passes = floats.iter().rev().chain(floats.iter()).copied();
    for f in passes {
        let at = at_of[f];
        let p = pages
            .partition_point(|r| r.end <= at)
            .min(pages.len().saturating_sub(1));
        let w0 = pages
            .get(p.saturating_sub(WINDOW_PAGES))
            .map_or(0, |r| r.start);
        let w1 = pages
            .get((p + WINDOW_PAGES).min(pages.len().saturating_sub(1)))
            .map_or(order.len(), |r| r.end);
        let window = &order[w0..w1];
        if let Some(better) = best_place(rows, window, at - w0, f, notes, space) {
            order.splice(w0..w1, better);
            for (k, &row) in order[w0..w1].iter().enumerate() {
                at_of[row] = w0 + k;
            }
        }
    }
    let refs: Vec<&Row> = order.iter().map(|&k| &rows[k]).collect();
    let cost = paginate_cost(&refs, notes, space).1;
    (order, cost)
}

/// The window `window` (row indices) with the float at `at` moved to where the window
/// paginates best, or `None` when it is best where it is.
fn best_place(
    rows: &[Row],
    window: &[usize],
    at: usize,
    f: usize,
    notes: &dyn Fn(u32) -> NoteSize,
    space: PageSpace,
) -> Option<Vec<usize>> {
    // Each trial order shares its beginning with the window's: the costs of that part
    // are the window's own, worked out once.
    let costs = |order: &[usize], known: &[Known]| {
        let refs: Vec<&Row> = order.iter().map(|&k| &rows[k]).collect();
        break_costs(&refs, notes, space, known).0
    };
    // The float with the space rows around it moves as one group.
    let mut a = at;
    while a > 0 && rows[window[a - 1]].discardable {
        a -= 1;
    }
    let mut b = at + 1;
    while b < window.len() && rows[window[b]].discardable {
        b += 1;
    }
    let group: Vec<usize> = window[a..b].to_vec();
    let mut rest: Vec<usize> = window[..a].to_vec();
    rest.extend_from_slice(&window[b..]);
    let mut candidates = float_places(rows, &rest, a, rows[f].float, space);
    if rows[f].float == Some(Float::Figure) {
        candidates.extend(figure_places_before(rows, &rest, a, space));
    }
    // Every later place it may take (and, on the second pass, the earlier ones back to
    // where it began); it stays where it is unless a place is strictly better.
    let back = (0..a)
        .rev()
        .take_while(|&q| order_has_no_float(rows, &rest, q, f));
    let here = costs(window, &[]);
    let n = window.len();
    let mut best = (here[n].0, None);
    for q in candidates.into_iter().chain(back) {
        let mut trial = rest[..q].to_vec();
        trial.extend_from_slice(&group);
        trial.extend_from_slice(&rest[q..]);
        // Rows before min(a, q) are the window's; a cost up to row j reads row j too.
        let c = costs(&trial, &here[..q.min(a)])[n].0;
        if c < best.0 {
            best = (c, Some(trial));
        }
    }
    best.1
}

/// Places before its own a figure taken out at `from` may go to (the top of the page its
/// text is on, as LaTeX's `[tp]` floats do): back over at most a page of text rows, never
/// past a heading, another float or the piece's opening. The EPUB keeps source order.
fn figure_places_before(rows: &[Row], rest: &[usize], from: usize, space: PageSpace) -> Vec<usize> {
    let mut out = Vec::new();
    let mut lines = 0u32;
    for q in (1..from).rev() {
        let row = &rows[rest[q]];
        if row.float.is_some() || row.anchor.is_some() || row.new_page {
            break;
        }
        lines += row.lines;
        if lines > space.lines * FIGURE_REACH_PAGES {
            break;
        }
        if rows[rest[q - 1]].break_after < FORBIDDEN && rows[rest[q - 1]].anchor.is_none() {
            out.push(q);
        }
    }
    out
}

/// May the float `f` go back to `rest[q]` (insert before)? Only to places at or after its
/// first one, with no other float in between.
fn order_has_no_float(rows: &[Row], rest: &[usize], q: usize, f: usize) -> bool {
    rest.get(q)
        .is_some_and(|&k| k > f && rows[k].float.is_none() && !rows[k].new_page)
}

/// The places (indices into `rest`, insert before) a float taken out at `from` may move to.
fn float_places(
    rows: &[Row],
    rest: &[usize],
    from: usize,
    kind: Option<Float>,
    space: PageSpace,
) -> Vec<usize> {
    let mut out = Vec::new();
    let mut lines = 0u32;
    let mut slots = 0;
    for q in from + 1..=rest.len() {
        let prev = &rows[rest[q - 1]];
        if prev.new_page || rest.get(q).is_some_and(|&k| rows[k].new_page) {
            break; // never into the next piece
        }
        if prev.float.is_some() || prev.anchor.is_some() {
            break; // floats keep their order; nothing moves past a heading
        }
        lines += prev.lines;
        match kind {
            Some(Float::Figure) => {
                if lines > space.lines * FIGURE_REACH_PAGES {
                    break;
                }
                if prev.break_after < FORBIDDEN {
                    out.push(q);
                }
            }
            Some(Float::PullQuote) => {
                if prev.slot {
                    slots += 1;
                    if slots > PULL_QUOTE_SLOTS {
                        break;
                    }
                    out.push(q);
                }
            }
            None => break,
        }
    }
    out
}

/// The break costs of a paragraph's `k` lines: no orphan (after the first), no widow
/// (before the last), and a costly break after a hyphenated line.
pub fn paragraph_break_costs(lines: &[SetLine]) -> Vec<f64> {
    let k = lines.len();
    (0..k)
        .map(|i| {
            if i + 1 == k {
                0.0
            } else if i == 0 || i + 2 == k {
                FORBIDDEN
            } else if lines[i].hyphenated {
                HYPHEN_AT_BREAK
            } else {
                0.0
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(break_after: f64) -> Row {
        Row {
            lines: 1,
            break_after,
            ..Row::default()
        }
    }

    fn space(lines: u32) -> PageSpace {
        PageSpace {
            lines,
            leading: 10.0,
            note_gap: 5.0,
        }
    }

    #[test]
    fn costs_worked_out_from_a_known_beginning_are_those_of_a_full_pass() {
        // A float's trial placements reuse the costs of the rows they share with the
        // window's order; each must equal what a pass over the whole order gives.
        let mut rows: Vec<Row> = (0..40)
            .map(|i| Row {
                lines: 1 + (i % 3) as u32,
                break_after: [0.0, FORBIDDEN, HYPHEN_AT_BREAK, 0.0, 10.0][i % 5],
                discardable: i % 7 == 6,
                ..Row::default()
            })
            .collect();
        rows[25].float = Some(Float::PullQuote);
        let notes = |_| NoteSize {
            lines: 0,
            step: 10.0,
        };
        let refs: Vec<&Row> = rows.iter().collect();
        let (full, _) = break_costs(&refs, &notes, space(9), &[]);
        let mut moved = refs.clone();
        let quote = moved.remove(25);
        moved.insert(31, quote);
        let (other, _) = break_costs(&moved, &notes, space(9), &[]);
        for k in 0..=25 {
            assert_eq!(break_costs(&refs, &notes, space(9), &full[..k]).0, full);
            assert_eq!(break_costs(&moved, &notes, space(9), &full[..k]).0, other);
        }
    }

    #[test]
    fn fills_pages_and_respects_forbidden_breaks() {
        // 10 rows, 4 per page; a break after row 3 (index 3) is forbidden.
        let mut rows: Vec<Row> = (0..10).map(|_| row(0.0)).collect();
        rows[3].break_after = FORBIDDEN;
        let pages = paginate(
            &rows,
            &|_| NoteSize {
                lines: 0,
                step: 10.0,
            },
            space(4),
        );
        for p in &pages {
            assert!(p.end - p.start <= 4);
            assert_ne!(p.end, 4, "broke after a forbidden row: {pages:?}");
        }
        assert_eq!(pages.last().unwrap().end, 10);
    }

    #[test]
    fn notes_take_room_on_their_page() {
        let mut rows: Vec<Row> = (0..8).map(|_| row(0.0)).collect();
        rows[1].notes = vec![1];
        // A 2-line note (20 pt + 5 pt gap) leaves room for 1 row on a 4-line page… at most.
        let pages = paginate(
            &rows,
            &|_| NoteSize {
                lines: 2,
                step: 10.0,
            },
            space(4),
        );
        assert!(pages[0].end - pages[0].start <= 1, "{pages:?}");
        assert!(pages.iter().any(|p| (p.start..p.end).contains(&1)));
    }

    #[test]
    fn new_page_rows_open_pages_and_space_is_dropped_at_the_top() {
        let mut rows: Vec<Row> = (0..6).map(|_| row(0.0)).collect();
        rows[3].new_page = true;
        rows[1].discardable = true;
        let pages = paginate(
            &rows,
            &|_| NoteSize {
                lines: 0,
                step: 10.0,
            },
            space(10),
        );
        let ranges: Vec<(usize, usize)> = pages.iter().map(|p| (p.start, p.end)).collect();
        assert_eq!(ranges, vec![(0, 3), (3, 6)]);
    }

    #[test]
    fn widow_and_orphan_costs() {
        let lines: Vec<SetLine> = (0..5).map(|_| SetLine::default()).collect();
        assert_eq!(
            paragraph_break_costs(&lines),
            vec![FORBIDDEN, 0.0, 0.0, FORBIDDEN, 0.0]
        );
        let two: Vec<SetLine> = (0..2).map(|_| SetLine::default()).collect();
        assert_eq!(paragraph_break_costs(&two), vec![FORBIDDEN, 0.0]);
    }
}
