//! Paragraphs: styled runs → set lines of positioned glyphs.
//!
//! collect (in `collect.rs`) → **prepare** (shape each word once, find its hyphenation
//! points, emit TeX boxes, glue and penalties with protrusion) → **linebreak** (Knuth–Plass,
//! `linebreak.rs`) → **finalize** (justify: glue and font expansion per line, hanging
//! punctuation, glyph runs per font). The result knows nothing about pages.

use super::Ctx;
use super::collect::{Run, TextStyle};
use super::frame::{Glyph, GlyphRun, Point};
use super::linebreak::{self, EX_HYPHEN_PENALTY, HYPHEN_PENALTY, INFINITY, Item, Line, Params};
use super::shape::{Features, ShapeKey, ShapedText};
use std::sync::Arc;
use std::time::Instant;

/// How a paragraph is set.
#[derive(Debug, Clone, PartialEq)]
pub struct ParSpec {
    /// Line widths (the last repeats).
    pub widths: Vec<f32>,
    /// First-line indent in pt.
    pub indent: f32,
    pub align: Align,
}

/// Horizontal alignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Justify,
    Left,
    Center,
}

/// One set line: glyph runs relative to the left end of the measure on the baseline.
#[derive(Debug, Clone, Default)]
pub struct SetLine {
    pub runs: Vec<GlyphRun>,
    /// What each run is inside its paragraph (by index in `runs`; a run past the end has
    /// none): a link, a foreign term, a note's call; the runs of one element are neighbours.
    pub marks: Vec<RunMark>,
    /// The line ends with a hyphen.
    pub hyphenated: bool,
    /// Footnote numbers referenced on this line.
    pub notes: Vec<u32>,
    /// Link areas on this line: x from, x to, target.
    pub links: Vec<(f32, f32, String)>,
    /// Where the line's first word of the book's text comes from (none for a line of
    /// added text only: a label, a rule of asterisks).
    pub origin: Option<super::frame::Origin>,
}

/// What a glyph run of a line is inside its paragraph: the inline element it belongs to
/// and, for a link, which of the line's `links` it is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunMark {
    pub tag: Option<super::frame::InlineTag>,
    pub link: Option<usize>,
}

/// The glyphs of one box item.
#[derive(Debug, Clone)]
pub(super) struct BoxGlyphs {
    /// The word's shaped glyphs (cached and shared) and this box's part of them.
    glyphs: Arc<ShapedText>,
    range: std::ops::Range<usize>,
    font: usize,
    size: f32,
    raise: f32,
    run: usize,
    /// Where the box's word starts in its run's text (bytes): the line's origin.
    at: usize,
}

/// A box, glue or penalty plus what a box draws.
pub(super) struct Prepared {
    items: Vec<Item>,
    boxes: Vec<Option<BoxGlyphs>>,
    /// The hyphen glyph of each flagged penalty (drawn if the line breaks there).
    hyphens: Vec<Option<BoxGlyphs>>,
}

/// About how many bytes of text give one box, glue or penalty (an English word and its
/// space average six bytes and two or three items): the paragraph's lists are sized once
/// instead of growing by doubling, copied each time.
const BYTES_PER_ITEM: usize = 3;

/// Interword glue as fractions of the font's space: stretch ½, shrink ⅓, as TeX and
/// fontspec give them. Since font expansion takes each line's adjustment first (see
/// `linebreak::Line`), the glue moves only on lines the fonts cannot set alone, and more of
/// it lets the line breaker avoid a hyphen. Measured with typoqual on the novel at 6 × 9 in
/// (BENCH.md; 2 % expansion, hyphen penalty 150): stretch ⅖ and shrink ⅕ gave 11.0 % mean
/// deviation from natural spacing and 11.8 % hyphenated lines, ½ and ⅓ 11.1 % and 7.6 %.
const SPACE_STRETCH: f32 = 0.5;
const SPACE_SHRINK: f32 = 0.333;
/// Ragged lines (titles, pull quotes): spaces never stretch when set; the line breaker
/// sees 3 em of stretch per line so it balances line lengths (TeX's `\rightskip` trick).
const RAGGED_STRETCH_EM: f32 = 3.0;
/// The least white at the end of a paragraph's last line, in ems (see `prepare`).
const LAST_LINE_GAP_EM: f32 = 1.5;
/// Words shorter than this are never hyphenated: splitting them saves little and reads badly.
const MIN_HYPHENATE_LEN: usize = 5;
/// Nor are words longer than this: the longest dictionary words (German compounds) have
/// about 60 letters; anything longer is a URL, a code or pasted garbage, and hyphenating it
/// would cost a pattern match per letter.
const MAX_HYPHENATE_LEN: usize = 100;

/// A paragraph as set, kept in a `folio watch` session (see [`set_paragraph`]): its lines
/// without their origins, and where each line starts (run and byte), from which the
/// origins are found again in the runs of the build that reuses it.
pub struct SetParagraph {
    lines: Vec<SetLine>,
    starts: Vec<Option<(usize, usize)>>,
}

/// Sets a paragraph. In a `folio watch` session (`Caches::paragraphs`), a paragraph whose
/// text, styles and measure are those of one set before is not set again: an edit of one
/// word sets one paragraph, not its whole chapter.
pub fn set_paragraph(ctx: &mut Ctx, runs: &[Run], spec: &ParSpec) -> Vec<SetLine> {
    // Characters the runs' faces lack, in the fallback faces that have them.
    let env = ctx.env;
    let runs = &*super::collect::with_fallbacks(&env.fonts, runs);
    let Some(key) = ctx
        .caches
        .paragraphs
        .as_ref()
        .map(|_| paragraph_key(ctx, runs, spec))
    else {
        let (mut lines, starts) = set_lines(ctx, runs, spec);
        place(&mut lines, &starts, runs);
        return lines;
    };
    let hit = ctx
        .caches
        .paragraphs
        .as_ref()
        .and_then(|m| m.get(&key))
        .cloned();
    let set = match hit {
        Some(set) => set,
        None => {
            let missing = ctx.missing_seen;
            let (lines, starts) = set_lines(ctx, runs, spec);
            let set = Arc::new(SetParagraph { lines, starts });
            // A paragraph with characters no font has is set each time: its warnings name
            // where it is.
            if ctx.missing_seen == missing {
                ctx.caches.keep_paragraph(key, &set);
            }
            set
        }
    };
    let mut lines = set.lines.clone();
    place(&mut lines, &set.starts, runs);
    lines
}

impl super::Caches {
    /// Keeps `set` under `key`; past [`super::PARAGRAPH_GLYPHS`] glyphs held (or the
    /// tests' bound), the table starts again first.
    fn keep_paragraph(&mut self, key: u64, set: &Arc<SetParagraph>) {
        let Some(table) = self.paragraphs.as_mut() else {
            return;
        };
        let glyphs: usize = set
            .lines
            .iter()
            .flat_map(|l| &l.runs)
            .map(|r| r.glyphs.len())
            .sum();
        let limit = self.paragraph_limit.unwrap_or(super::PARAGRAPH_GLYPHS);
        if self.paragraph_glyphs + glyphs > limit {
            table.clear();
            self.paragraph_glyphs = 0;
        }
        self.paragraph_glyphs += glyphs;
        table.insert(key, set.clone());
    }
}

/// Hashes the inline element a run is (its lines' marks depend on it).
fn write_tag(h: &mut crate::hash::Fnv, tag: Option<&super::frame::InlineTag>) {
    use super::frame::InlineTag;
    match tag {
        None => h.write_u32(0),
        Some(InlineTag::Link) => h.write_u32(1),
        Some(InlineTag::Reference) => h.write_u32(2),
        Some(InlineTag::Lbl) => h.write_u32(3),
        Some(InlineTag::Lang(l)) => {
            h.write_u32(4);
            h.write_part(l.as_bytes());
        }
    }
}

/// Gives each line its origin in the book: where its start (run and byte) lies in `runs`.
fn place(lines: &mut [SetLine], starts: &[Option<(usize, usize)>], runs: &[Run]) {
    for (line, start) in lines.iter_mut().zip(starts) {
        line.origin = start.and_then(|(run, at)| runs.get(run)?.origin(at));
    }
}

/// The key of a paragraph's setting: everything [`set_lines`] reads but the runs' places
/// in the book (the origins are found again from those).
fn paragraph_key(ctx: &Ctx, runs: &[Run], spec: &ParSpec) -> u64 {
    let mut h = crate::hash::Fnv::new();
    for run in runs {
        let s = run.style;
        h.write_part(run.text.as_bytes());
        h.write_u32(ctx.font_index(s.face) as u32);
        h.write_u32(s.size.to_bits());
        h.write_u32(s.raise.to_bits());
        h.write_u32(u32::from(s.small_caps) | u32::from(s.hyphenate) << 1 | u32::from(s.caps) << 2);
        write_tag(&mut h, run.tag.as_ref());
        h.write_part(run.lang.as_bytes());
        h.write_u64(run.note.map_or(0, |n| u64::from(n) + 1));
        // No link and an empty one differ: the flag goes in before the text.
        h.write_u32(u32::from(run.link.is_some()));
        h.write_part(run.link.as_deref().unwrap_or("").as_bytes());
    }
    h.write_u64(spec.widths.len() as u64);
    for w in &spec.widths {
        h.write_u32(w.to_bits());
    }
    h.write_u32(spec.indent.to_bits());
    h.write_u32(spec.align as u32);
    h.write_u32(ctx.env.expansion.to_bits());
    h.finish()
}

/// Sets a paragraph: its lines, and where each starts (run and byte).
fn set_lines(
    ctx: &mut Ctx,
    runs: &[Run],
    spec: &ParSpec,
) -> (Vec<SetLine>, Vec<Option<(usize, usize)>>) {
    let t = Instant::now();
    let prepared = prepare(ctx, runs, spec);
    ctx.times.shape += t.elapsed();
    if prepared.items.is_empty() {
        return (vec![], vec![]);
    }
    let t = Instant::now();
    let justify = spec.align == Align::Justify;
    let params = Params {
        widths: spec.widths.clone(),
        expansion: if justify { ctx.env.expansion } else { 0.0 },
        ..Params::default()
    };
    let mut lines = linebreak::linebreak(&prepared.items, &params);
    if spec.align == Align::Center && lines.len() > 1 {
        lines = balance(&prepared.items, params, lines.len());
    }
    let set = lines
        .iter()
        .map(|l| finalize(&prepared, runs, l, spec))
        .unzip();
    ctx.times.linebreak += t.elapsed();
    set
}

/// Centred display lines of even length: the narrowest measure (to 1 pt) that keeps the
/// number of lines, so a title never leaves one word alone on its last line.
fn balance(items: &[Item], params: Params, count: usize) -> Vec<Line> {
    let full = params.widths.first().copied().unwrap_or(0.0);
    let (mut lo, mut hi) = (full / count as f32 * 0.5, full);
    let with = |w: f32| Params {
        widths: vec![w],
        ..params.clone()
    };
    // Bisection to 1 pt: at most ~9 passes for a 300 pt measure.
    while hi - lo > 1.0 {
        let mid = (lo + hi) / 2.0;
        let ls = linebreak::linebreak(items, &with(mid));
        if ls.len() <= count && !ls.iter().any(|l| l.overfull) {
            hi = mid
        } else {
            lo = mid
        }
    }
    let mut lines = linebreak::linebreak(items, &with(hi));
    for l in &mut lines {
        l.measure = full;
    }
    lines
}

fn prepare(ctx: &mut Ctx, runs: &[Run], spec: &ParSpec) -> Prepared {
    let justify = spec.align == Align::Justify;
    let narrowest = spec.widths.iter().copied().fold(f32::INFINITY, f32::min);
    let bytes: usize = runs.iter().map(|r| r.text.len()).sum();
    let room = bytes / BYTES_PER_ITEM + 1;
    let mut p = Prepared {
        items: Vec::with_capacity(room),
        boxes: Vec::with_capacity(room),
        hyphens: Vec::with_capacity(room),
    };
    if spec.indent > 0.0 {
        push(
            &mut p,
            Item::Box {
                width: spec.indent,
                hang_left: 0.0,
                hang_right: 0.0,
            },
            None,
            None,
        );
    }
    for (ri, run) in runs.iter().enumerate() {
        let style = run.style;
        let font_key = ctx.font_index(style.face);
        let space = ctx.space_width(style.face, style.size);
        let mut rest = run.text.as_str();
        while !rest.is_empty() {
            let ws = rest
                .find(|c: char| !matches!(c, ' ' | '\u{a0}' | '\n' | '\t'))
                .unwrap_or(rest.len());
            if ws > 0 {
                let spaces = &rest[..ws];
                if spaces.contains('\n') {
                    // A hard line break: fill the line and force a break.
                    p.items.extend(linebreak::paragraph_end());
                    p.boxes.extend([None, None]);
                    p.hyphens.extend([None, None]);
                } else {
                    let next = rest[ws..].chars().next();
                    // Keep a spaced dash with the word before it: a line never starts with one.
                    let no_break = spaces.contains('\u{a0}') || matches!(next, Some('–' | '—'));
                    if no_break {
                        push(
                            &mut p,
                            Item::Penalty {
                                width: 0.0,
                                hang_right: 0.0,
                                penalty: INFINITY,
                                flagged: false,
                            },
                            None,
                            None,
                        );
                    }
                    let (stretch, shrink) = if justify {
                        (space * SPACE_STRETCH, space * SPACE_SHRINK)
                    } else {
                        (style.size * RAGGED_STRETCH_EM, 0.0)
                    };
                    // In code every space counts (an aligned column, a caret under its
                    // mark); in text a run of spaces is one word space.
                    let count = if style.face.is_mono() {
                        spaces.chars().count()
                    } else {
                        1
                    };
                    push(
                        &mut p,
                        Item::Glue {
                            width: space * count as f32,
                            stretch,
                            shrink,
                        },
                        None,
                        None,
                    );
                }
                rest = &rest[ws..];
                continue;
            }
            let end = rest.find([' ', '\u{a0}', '\n', '\t']).unwrap_or(rest.len());
            let first = p.items.len();
            let at = run.text.len() - rest.len();
            cached_word(ctx, &mut p, &rest[..end], (run, ri, at), font_key, justify);
            split_wide_boxes(&mut p, first, narrowest);
            rest = &rest[end..];
        }
    }
    // Drop trailing glue, then end the paragraph as TeX does, but with a minimum white at
    // the end of a justified paragraph's last line: a last line that fills the measure
    // hides the paragraph's end (and reads as a widow when it opens a page).
    while matches!(
        p.items.last(),
        Some(Item::Glue { .. } | Item::Penalty { .. })
    ) {
        p.items.pop();
        p.boxes.pop();
        p.hyphens.pop();
    }
    if !p.items.is_empty() {
        let mut end = linebreak::paragraph_end();
        if let (true, Item::Glue { width, .. }) = (justify, &mut end[0]) {
            *width = runs.first().map_or(0.0, |r| r.style.size) * LAST_LINE_GAP_EM;
        }
        p.items.extend(end);
        p.boxes.extend([None, None]);
        p.hyphens.extend([None, None]);
    }
    p
}

/// The cost of breaking a word that is wider than the line between two of its characters
/// (CSS's `overflow-wrap: break-word`): high, so it happens only where nothing else fits,
/// but below [`INFINITY`], so such a word never runs off the page.
const EMERGENCY_BREAK_PENALTY: f32 = 5000.0;

/// Splits every box from `first` on that is wider than `width` into one box per glyph
/// cluster, with an [`EMERGENCY_BREAK_PENALTY`] break between them (no hyphen drawn).
fn split_wide_boxes(p: &mut Prepared, first: usize, width: f32) {
    // A measure of zero asks for one word per line (tables measure their narrowest
    // columns that way): words stay whole there.
    if width <= 0.0 {
        return;
    }
    let wide = |i: usize| matches!(p.items[i], Item::Box { width: w, .. } if w > width);
    if !(first..p.items.len()).any(wide) {
        return;
    }
    let items = p.items.split_off(first);
    let boxes = p.boxes.split_off(first);
    let hyphens = p.hyphens.split_off(first);
    for ((item, b), h) in items.into_iter().zip(boxes).zip(hyphens) {
        match (item, b) {
            (
                Item::Box {
                    width: w,
                    hang_left,
                    hang_right,
                },
                Some(b),
            ) if w > width => {
                let g = &b.glyphs;
                let mut start = b.range.start;
                while start < b.range.end {
                    let cluster = g.shaped.glyphs.get(start).map(|x| x.cluster);
                    let mut end = start + 1;
                    while end < b.range.end
                        && g.shaped.glyphs.get(end).map(|x| x.cluster) == cluster
                    {
                        end += 1;
                    }
                    if start > b.range.start {
                        let brk = Item::Penalty {
                            width: 0.0,
                            hang_right: 0.0,
                            penalty: EMERGENCY_BREAK_PENALTY,
                            flagged: false,
                        };
                        push(p, brk, None, None);
                    }
                    let part_width = g.glyphs[start..end].iter().map(|x| x.advance).sum();
                    let part = Item::Box {
                        width: part_width,
                        hang_left: if start == b.range.start {
                            hang_left
                        } else {
                            0.0
                        },
                        hang_right: if end == b.range.end { hang_right } else { 0.0 },
                    };
                    push(
                        p,
                        part,
                        Some(BoxGlyphs {
                            range: start..end,
                            ..b.clone()
                        }),
                        None,
                    );
                    start = end;
                }
            }
            (item, b) => push(p, item, b, h),
        }
    }
}

fn push(p: &mut Prepared, item: Item, glyphs: Option<BoxGlyphs>, hyphen: Option<BoxGlyphs>) {
    p.items.push(item);
    p.boxes.push(glyphs);
    p.hyphens.push(hyphen);
}

/// The items of one word, from the word cache: a novel repeats its words, so each distinct
/// word (per font, size, features, language and justification) is prepared once and its
/// boxes, glue and penalties are copied for every later occurrence (the glyphs are shared).
fn cached_word(
    ctx: &mut Ctx,
    p: &mut Prepared,
    text: &str,
    (run, ri, at): (&Run, usize, usize),
    font_key: usize,
    justify: bool,
) {
    let s = run.style;
    let key = (
        font_key,
        s.size.to_bits(),
        s.raise.to_bits(),
        u8::from(s.small_caps) | u8::from(s.caps) << 1,
        s.hyphenate,
        justify,
    );
    let hit = ctx
        .caches
        .word_cache
        .get(&key)
        .and_then(|m| m.get(&run.lang))
        .and_then(|m| m.get(text))
        .cloned();
    let prepared = match hit {
        Some(w) => w,
        None => {
            let mut w = Prepared {
                items: vec![],
                boxes: vec![],
                hyphens: vec![],
            };
            let missing = ctx.missing_seen;
            word(ctx, &mut w, text, run, ri, font_key, justify);
            let w = Arc::new(w);
            // A word with characters no font has is prepared each time: its warning names
            // the first place it is in each layout (a hit would report nothing).
            if ctx.missing_seen != missing {
                return extend_with(p, &w, ri, at);
            }
            let c = &mut *ctx.caches;
            super::admit(&mut c.word_cache, &mut c.words_held, super::CACHE_ENTRIES);
            ctx.caches
                .word_cache
                .entry(key)
                .or_default()
                .entry(run.lang.clone())
                .or_default()
                .insert(text.to_string(), w.clone());
            w
        }
    };
    extend_with(p, &prepared, ri, at);
}

/// Appends a prepared word's items to `p`, its boxes pointed at run `ri` and byte `at` (a
/// cached word names the run it was first prepared in).
fn extend_with(p: &mut Prepared, word: &Prepared, ri: usize, at: usize) {
    let here = |b: &Option<BoxGlyphs>| {
        b.as_ref().map(|b| BoxGlyphs {
            run: ri,
            at,
            ..b.clone()
        })
    };
    p.items.extend_from_slice(&word.items);
    p.boxes.extend(word.boxes.iter().map(here));
    p.hyphens.extend(word.hyphens.iter().map(here));
}

/// Is `text` a web address (`https://…`, `www.…`)? It may break after its punctuation,
/// without a hyphen, and is never hyphenated.
fn is_url(text: &str) -> bool {
    text.contains("://") || text.starts_with("www.")
}

/// Where a web address may break: after these, as Chicago and most styles allow (never
/// between the two slashes of `://`).
fn url_break_after(c: char, next: Option<char>) -> bool {
    matches!(c, '/' | '.' | '?' | '&' | '=' | '#' | '_') && !(c == '/' && next == Some('/'))
}

/// The cost of breaking a web address: a little more than a hyphen, so a line breaks
/// inside an address only where that spares it a loose line, never stretching the line
/// before the address word by word.
const URL_BREAK_PENALTY: f32 = 200.0;

/// One word (no spaces): split at explicit dashes (and a web address after its
/// punctuation), then at hyphenation points.
fn word(
    ctx: &mut Ctx,
    p: &mut Prepared,
    text: &str,
    run: &Run,
    ri: usize,
    font_key: usize,
    justify: bool,
) {
    let style = run.style;
    let url = is_url(text);
    // Parts end after an explicit hyphen or dash with letters on both sides (in a web
    // address, after its punctuation too).
    let mut parts: Vec<&str> = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let after = i + c.len_utf8();
        let next = chars.peek().map(|&(_, n)| n);
        let breaks = matches!(c, '-' | '–' | '—') || (url && url_break_after(c, next));
        if breaks && i > start && after < text.len() {
            parts.push(&text[start..after]);
            start = after;
        }
    }
    parts.push(&text[start..]);
    let n = parts.len();
    for (pi, part) in parts.iter().enumerate() {
        let word = ctx.shape(font_key, style, &run.lang, part, run.span);
        let shaped = &word.shaped;
        let glyphs = &word.glyphs;
        let mut cuts: Vec<usize> = vec![];
        let chars = part.chars().count();
        if justify
            && style.hyphenate
            && !url
            && (MIN_HYPHENATE_LEN..=MAX_HYPHENATE_LEN).contains(&chars)
            && !ctx.is_name(part)
        {
            cuts = ctx.hyphenation(part, &run.lang);
        }
        // Only cut where a glyph cluster starts (never inside a ligature). Left-to-right
        // clusters rise with the glyph index, so one pass finds every cut's first glyph.
        let starts = cluster_starts(shaped);
        cuts.retain(|c| starts.binary_search(c).is_ok());
        let mut bounds = vec![0];
        bounds.extend(cuts);
        bounds.push(part.len());
        let firsts = first_glyphs(shaped, &bounds);
        for k in 0..bounds.len() - 1 {
            // A syllable's glyphs are one contiguous range of the word's cached glyphs
            // (shared, not copied).
            let (a, b) = (bounds[k], bounds[k + 1]);
            let (from, to) = (firsts[k], firsts[k + 1]);
            let gl = &glyphs[from..to.max(from)];
            let width: f32 = gl.iter().map(|g| g.advance).sum();
            let first_box = pi == 0 && k == 0;
            let last_box = k == bounds.len() - 2;
            let hang_left = if first_box {
                protrusion_left(&part[a..b], gl.first())
            } else {
                0.0
            };
            let hang_right = if last_box && pi == n - 1 {
                protrusion_right(&part[a..b], gl.last())
            } else {
                0.0
            };
            let bg = BoxGlyphs {
                glyphs: word.clone(),
                range: from..to.max(from),
                font: font_key,
                size: style.size,
                raise: style.raise,
                run: ri,
                at: 0,
            };
            push(
                p,
                Item::Box {
                    width,
                    hang_left,
                    hang_right,
                },
                Some(bg),
                None,
            );
            if k + 2 < bounds.len() {
                let hyphen = ctx.hyphen(font_key, style, &run.lang, run.span, ri);
                let w: f32 = hyphen.glyphs.glyphs[hyphen.range.clone()]
                    .iter()
                    .map(|g| g.advance)
                    .sum();
                let hang = w * RIGHT_HYPHEN;
                push(
                    p,
                    Item::Penalty {
                        width: w,
                        hang_right: hang,
                        penalty: HYPHEN_PENALTY,
                        flagged: true,
                    },
                    None,
                    Some(hyphen),
                );
            }
        }
        if pi + 1 < n {
            // After a dash, as after a hyphen; inside a web address, an unmarked break.
            let dash = part.ends_with(['-', '–', '—']);
            let dash_hang = if dash {
                protrusion_right(part, glyphs.last())
            } else {
                0.0
            };
            push(
                p,
                Item::Penalty {
                    width: 0.0,
                    hang_right: dash_hang,
                    penalty: if dash {
                        EX_HYPHEN_PENALTY
                    } else {
                        URL_BREAK_PENALTY
                    },
                    flagged: dash,
                },
                None,
                None,
            );
        }
    }
}

/// The byte offsets where the clusters of `shaped` start, sorted (whatever the direction).
fn cluster_starts(shaped: &super::shape::Shaped) -> Vec<usize> {
    let mut out: Vec<usize> = shaped.glyphs.iter().map(|g| g.cluster as usize).collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// For each byte bound (ascending), the index of the first glyph whose cluster starts at or
/// after it; one pass over the glyphs however many bounds there are.
fn first_glyphs(shaped: &super::shape::Shaped, bounds: &[usize]) -> Vec<usize> {
    let mut out = Vec::with_capacity(bounds.len());
    let mut g = 0;
    for &b in bounds {
        while g < shaped.glyphs.len() && (shaped.glyphs[g].cluster as usize) < b {
            g += 1;
        }
        out.push(g);
    }
    out
}

/// Share of a hyphen's width that hangs into the right margin (microtype's default, 700/1000).
const RIGHT_HYPHEN: f32 = 0.7;

/// How far a box may hang into the right margin: the share of its last character's width
/// that microtype's default protrusion set gives (in thousandths: `.` `,` 700, `-` 700,
/// `:` `;` 500, quotes 700, `–` 500, `—` 300, `!` `?` 200, `)` 100).
fn protrusion_right(text: &str, last: Option<&Glyph>) -> f32 {
    let share = match text.chars().last() {
        Some('.' | ',' | '-' | '”' | '’' | '\'' | '"') => 0.7,
        Some(':' | ';' | '–') => 0.5,
        Some('—') => 0.3,
        Some('!' | '?') => 0.2,
        Some(')' | ']') => 0.1,
        _ => 0.0,
    };
    last.map_or(0.0, |g| g.advance * share)
}

/// How far a box may hang into the left margin (`“` `‘` 700, `(` `[` 100, dashes 500).
fn protrusion_left(text: &str, first: Option<&Glyph>) -> f32 {
    let share = match text.chars().next() {
        Some('“' | '‘' | '"' | '\'') => 0.7,
        Some('–' | '—') => 0.5,
        Some('(' | '[') => 0.1,
        _ => 0.0,
    };
    first.map_or(0.0, |g| g.advance * share)
}

/// One chosen line's glyph runs, links and notes, and where it starts (run and byte; the caller
/// turns it into the line's origin).
fn finalize(
    p: &Prepared,
    runs: &[Run],
    line: &Line,
    spec: &ParSpec,
) -> (SetLine, Option<(usize, usize)>) {
    let justify = spec.align == Align::Justify;
    let scale = if justify { line.scale } else { 1.0 };
    let mut out = SetLine {
        hyphenated: line.hyphenated,
        ..SetLine::default()
    };
    // Natural width, for ragged and centred lines.
    let mut x = if justify { -line.hang_left } else { 0.0 };
    let mut current: Option<(GlyphRun, RunMark)> = None;
    // The open link: where it starts, where its last glyph ends, its target.
    let mut link: Option<(f32, f32, String)> = None;
    let flush = |current: &mut Option<(GlyphRun, RunMark)>, out: &mut SetLine| {
        if let Some((r, m)) = current.take()
            && !r.glyphs.is_empty()
        {
            push_run(out, r, m);
        }
    };
    let mut items: Vec<usize> = (line.start..line.end).collect();
    if line.hyphenated && line.end < p.items.len() && p.hyphens[line.end].is_some() {
        items.push(line.end);
    }
    for &i in &items {
        match p.items[i] {
            Item::Box { .. } => {
                let Some(b) = p.boxes[i].as_ref() else {
                    if let Item::Box { width, .. } = p.items[i] {
                        x += width; // the paragraph indent
                    }
                    continue;
                };
                draw(
                    b,
                    scale,
                    &mut x,
                    &mut current,
                    &mut out,
                    runs,
                    &mut link,
                    false,
                );
            }
            Item::Glue {
                width,
                stretch,
                shrink,
            } => {
                let w = if justify {
                    line.glue_width(width, stretch, shrink)
                } else if stretch >= INFINITY {
                    0.0
                } else {
                    width
                };
                // The space joins the previous glyph, so text extraction sees a word space.
                match current.as_mut().and_then(|(r, _)| r.glyphs.last_mut()) {
                    Some(g) if i + 1 < line.end => {
                        g.advance += w;
                        g.text.push(' ');
                    }
                    _ => {}
                }
                x += w;
            }
            Item::Penalty { .. } => {
                if let Some(h) = p.hyphens[i].as_ref()
                    && i == line.end
                {
                    draw(
                        h,
                        scale,
                        &mut x,
                        &mut current,
                        &mut out,
                        runs,
                        &mut link,
                        true,
                    );
                }
            }
        }
    }
    // A line that ends at a word space (or a forced break) keeps the space in its text,
    // drawn as nothing: the text of the page reads "end of line next" and not "endnext".
    if ends_between_words(p, line)
        && let Some(g) = current.as_mut().and_then(|(r, _)| r.glyphs.last_mut())
    {
        g.text.push(' ');
    }
    flush(&mut current, &mut out);
    // A link's area ends at its last glyph, not at the paragraph's closing fill.
    if let Some(l) = link.take() {
        out.links.push(l);
    }
    let natural = x;
    if spec.align == Align::Center {
        let measure = line.measure;
        let shift = (measure - natural) / 2.0;
        for r in &mut out.runs {
            r.origin.x += shift;
        }
        for l in &mut out.links {
            l.0 += shift;
            l.1 += shift;
        }
    }
    out.notes = items
        .iter()
        .filter_map(|&i| p.boxes[i].as_ref())
        .filter_map(|b| runs[b.run].note)
        .collect();
    // The line starts where its first word does; a line opened by a label the typesetter
    // added (a speaker's name) has no place in the text: its block's start stands for it.
    let start = items
        .iter()
        .filter_map(|&i| p.boxes[i].as_ref())
        .find(|b| runs[b.run].note.is_none())
        .map(|b| (b.run, b.at));
    out.notes.dedup();
    (out, start)
}

/// Adds a run and its mark to a line. Marks are kept only from the first run that has one
/// (most lines are plain text: no list, no allocation); a run past the end of `marks` has
/// none.
fn push_run(out: &mut SetLine, mut run: GlyphRun, mark: RunMark) {
    // A run grew glyph by glyph (its capacity doubling): kept for the book's life, its
    // slack was a fifth of the novel's peak memory. Shrinking splits the block in place.
    run.glyphs.shrink_to_fit();
    if mark != RunMark::default() || !out.marks.is_empty() {
        out.marks.resize(out.runs.len(), RunMark::default());
        out.marks.push(mark);
    }
    out.runs.push(run);
}

/// Does `line` end between two words of its paragraph (at a word space or a forced break,
/// not at a hyphen, inside a word or at the paragraph's end)?
fn ends_between_words(p: &Prepared, line: &Line) -> bool {
    let last = p.items.len().saturating_sub(1);
    match p.items.get(line.end) {
        Some(Item::Glue { .. }) => line.end < last,
        Some(Item::Penalty { penalty, .. }) => *penalty <= -INFINITY && line.end < last,
        _ => false,
    }
}

/// Appends a box's glyphs to the current run (starting a new run when the font, size,
/// baseline or the inline element changes), advancing `x`. A discretionary hyphen's glyphs
/// stand for a [`super::frame::SOFT_HYPHEN`].
#[allow(clippy::too_many_arguments)]
fn draw(
    b: &BoxGlyphs,
    scale: f32,
    x: &mut f32,
    current: &mut Option<(GlyphRun, RunMark)>,
    out: &mut SetLine,
    runs: &[Run],
    link: &mut Option<(f32, f32, String)>,
    soft_hyphen: bool,
) {
    let hscale = scale * 100.0;
    let target = runs[b.run].link.as_deref();
    if link.as_ref().map(|l| l.2.as_str()) != target {
        if let Some(l) = link.take() {
            out.links.push(l);
        }
        if let Some(t) = target {
            *link = Some((*x, *x, t.to_string()));
        }
    }
    let mark = RunMark {
        tag: runs[b.run].tag.clone(),
        link: link.as_ref().map(|_| out.links.len()),
    };
    let same = current.as_ref().is_some_and(|(r, m)| {
        r.font == b.font
            && r.size == b.size
            && r.origin.y == -b.raise
            && r.hscale == hscale
            && *m == mark
    });
    if !same {
        if let Some((r, m)) = current.take()
            && !r.glyphs.is_empty()
        {
            push_run(out, r, m);
        }
        *current = Some((
            GlyphRun {
                font: b.font,
                size: b.size,
                hscale,
                origin: Point { x: *x, y: -b.raise },
                glyphs: vec![],
            },
            mark,
        ));
    }
    if let Some((r, _)) = current.as_mut() {
        for (k, g) in b.glyphs.glyphs[b.range.clone()].iter().enumerate() {
            // Advances are final page distances: expansion widens them with the glyphs.
            let mut g = Glyph {
                advance: g.advance * scale,
                ..g.clone()
            };
            if soft_hyphen {
                g.text = if k == 0 {
                    super::frame::SOFT_HYPHEN.into()
                } else {
                    "".into()
                };
            }
            *x += g.advance;
            r.glyphs.push(g);
        }
    }
    if let Some(l) = link.as_mut() {
        l.1 = *x;
    }
}

/// Shaping, hyphenation and glyph conversion with their caches live on [`Ctx`]; these
/// helpers are the paragraph's view of them.
impl Ctx<'_> {
    /// `text` shaped at `style` for `lang`, through the one shaping cache.
    fn shape(
        &mut self,
        font_key: usize,
        style: TextStyle,
        lang: &str,
        text: &str,
        span: crate::model::Span,
    ) -> Arc<ShapedText> {
        let key = ShapeKey {
            font: font_key,
            size: style.size.to_bits(),
            features: Features {
                small_caps: style.small_caps,
                caps: style.caps,
                oldstyle_figures: !style.face.is_mono(),
                literal: style.face.is_mono(),
            },
        };
        let font = self.env.fonts.get(style.face);
        let shaped = self.caches.shapes.get(key, font, lang, text);
        if !shaped.shaped.missing.is_empty() {
            self.missing_seen += 1;
            self.report_missing(&shaped.shaped.missing, style.face, span);
        }
        shaped
    }

    fn hyphenation(&mut self, word: &str, lang: &str) -> Vec<usize> {
        if let Some(c) = self.caches.hyph_cache.get(lang).and_then(|m| m.get(word)) {
            return c.clone();
        }
        let cuts = self.env.hyphenator.breaks(word, lang);
        let c = &mut *self.caches;
        super::admit(&mut c.hyph_cache, &mut c.hyphs_held, super::CACHE_ENTRIES);
        self.caches
            .hyph_cache
            .entry(lang.to_string())
            .or_default()
            .insert(word.to_string(), cuts.clone());
        cuts
    }

    fn hyphen(
        &mut self,
        font_key: usize,
        style: TextStyle,
        lang: &str,
        span: crate::model::Span,
        run: usize,
    ) -> BoxGlyphs {
        let glyphs = self.shape(font_key, style, lang, "-", span);
        BoxGlyphs {
            range: 0..glyphs.glyphs.len(),
            glyphs,
            font: font_key,
            size: style.size,
            raise: style.raise,
            run,
            at: 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Span;
    use crate::typeset::font::{FontSet, Style};
    use crate::typeset::{Caches, Env};

    #[test]
    fn kept_paragraphs_are_bounded_by_their_glyphs_and_found_again() {
        let dir = std::env::temp_dir().join(format!("folio-par-memo-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("book.toml"), "title = \"Memo\"\nlang = \"en\"\n").unwrap();
        std::fs::write(dir.join("01.md"), "---\ntitle: One\n---\n\nText.\n").unwrap();
        let project = crate::project::Project::open(&dir).unwrap();
        let loaded = crate::markdown::load(&project).unwrap().book;
        let book = crate::build::resolve_book(&loaded, &project).unwrap().0;
        let env = Env::new(&book, FontSet::default_fonts(), Default::default());
        let mut caches = Caches::default();
        caches.remember_paragraphs();
        caches.paragraph_limit = Some(40);
        let run = |text: &str| Run {
            text: text.into(),
            style: TextStyle::new(Style::Regular, 10.0),
            lang: "en".into(),
            note: None,
            link: None,
            tag: None,
            span: Span::default(),
            marks: vec![(0, Span::default(), 0)],
        };
        let spec = ParSpec {
            widths: vec![300.0],
            indent: 0.0,
            align: Align::Justify,
        };
        let mut ctx = Ctx::new(&book, &env, &mut caches);
        // Some 25 glyphs each: two do not fit under 40, so the second starts the table again.
        let first = set_paragraph(&mut ctx, &[run("The first paragraph here.")], &spec);
        assert_eq!(ctx.caches.paragraphs.as_ref().unwrap().len(), 1);
        let again = set_paragraph(&mut ctx, &[run("The first paragraph here.")], &spec);
        assert_eq!(first.len(), again.len());
        assert_eq!(first[0].runs[0].glyphs, again[0].runs[0].glyphs);
        assert_eq!(
            first[0].origin, again[0].origin,
            "the origin is found again"
        );
        set_paragraph(&mut ctx, &[run("A second paragraph, longer.")], &spec);
        assert_eq!(
            ctx.caches.paragraphs.as_ref().unwrap().len(),
            1,
            "started again"
        );
        assert!(ctx.caches.paragraph_glyphs <= 40);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
