//! Line breaking: a paragraph as TeX boxes, glue and penalties ([`Item`], widths in pt) plus
//! [`Params`] in → the chosen [`Line`]s out (item ranges with their adjustment ratios).
//!
//! Pure code, no fonts: the caller measures words, this module picks the breaks with the
//! Knuth–Plass total-fit algorithm (*Breaking Paragraphs into Lines*, 1981; TeX §813–890):
//! active nodes, TeX's four fitness classes, badness `100·r³`, demerits with the line
//! penalty, flagged (hyphen) demerits, adjacent-fitness demerits and final-hyphen demerits.
//!
//! Four passes, as in TeX: the pretolerance without hyphenation; then the tolerance with
//! hyphenation; then, if no feasible set exists, the same tolerance with
//! `emergency_stretch` of extra stretch per line; then a final pass that
//! accepts any underfull line and, where nothing fits, breaks right after the material that
//! cannot be broken (TeX's "artificial demerits"), so a line is only overfull when it holds
//! unbreakable material wider than the measure.
//!
//! Two extensions of the TeX model, both from pdfTeX/microtype:
//! - **margin protrusion**: a line's natural width subtracts its first box's `hang_left` and
//!   its last box's (or its hyphen's) `hang_right`; the finalizer shifts the line left by
//!   [`Line::hang_left`].
//! - **font expansion**: every box may be scaled horizontally by up to ±`Params::expansion`.
//!   The fonts take a line's adjustment first, up to `expansion × (box widths)`, and the
//!   glue the rest; a line is judged by its glue alone (see [`Line`]).
//!
//! Determinism: all arithmetic is `+ − × ÷` and comparisons on `f64` (no `powf`, no
//! transcendental functions, no fused multiply-add), so the breaks and ratios are
//! bit-identical on every platform. Sums are prefix sums computed once per paragraph.
//!
//! Assumptions (the ones TeX makes too): widths and shrinks are non-negative, glue shrink
//! does not exceed glue width, and a box's `hang_right` does not exceed its width; inputs
//! outside these never cause a panic, only possibly a less-than-optimal set of breaks.
//! Non-finite numbers are read as 0.

mod knuth;
mod para;
#[cfg(test)]
mod tests;

use para::Para;

/// One element of a paragraph, in TeX's box/glue/penalty model. Widths in pt.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Item {
    /// Unbreakable material (a word or part of one). `hang_left`/`hang_right`: how far this
    /// box may protrude into the left/right margin when it starts/ends a line (optical
    /// margin alignment: quotes, commas, periods, hyphens hang).
    Box {
        width: f32,
        hang_left: f32,
        hang_right: f32,
    },
    /// A space. A break may happen at glue that directly follows a box. Glue whose
    /// `stretch` is at least [`INFINITY`] is "infinite" (TeX's `fil`): when a line holds
    /// such glue, only that glue stretches (see [`Line::fil_ratio`]).
    Glue {
        width: f32,
        stretch: f32,
        shrink: f32,
    },
    /// A possible break. `width` is added to the line if it breaks here (a hyphen);
    /// `hang_right` is how far that hyphen may protrude; `penalty >= 10000.0` forbids,
    /// `<= -10000.0` forces a break; `flagged` marks hyphen breaks.
    Penalty {
        width: f32,
        hang_right: f32,
        penalty: f32,
        flagged: bool,
    },
}

/// TeX's "infinite" penalty: `penalty >= INFINITY` forbids a break, `<= -INFINITY` forces
/// one. Also the threshold above which glue stretch counts as infinite (`fil`).
pub const INFINITY: f32 = 10000.0;

/// The penalty for breaking at a hyphenation point (plain TeX's `\hyphenpenalty` is 50):
/// 150, so a hyphen is taken only when it clearly improves the spacing of the lines around
/// it. Measured with typoqual on the 200,000-word novel at 6 × 9 in, 11/14 pt (BENCH.md):
/// 100 gives 6.1 % hyphenated lines, 150 5.7 %, 300 2.8 % with looser spacing.
pub const HYPHEN_PENALTY: f32 = 150.0;

/// The penalty for breaking after an explicit hyphen or dash (plain TeX's
/// `\exhyphenpenalty`): the same cost as a hyphen the typesetter inserts.
pub const EX_HYPHEN_PENALTY: f32 = 50.0;

/// How the breaks are judged. Widths in pt.
#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    /// Line widths: line i (0-based) has width `widths[min(i, widths.len()-1)]` (lets a
    /// drop cap or a hanging indent shorten the first lines). Empty means measure 0.
    pub widths: Vec<f32>,
    /// Max badness of a feasible line in a first pass without hyphenation (TeX
    /// `\pretolerance`); negative: no such pass.
    pub pretolerance: f32,
    /// Max badness of a feasible line (TeX `\tolerance`).
    pub tolerance: f32,
    /// Added to each line's badness before squaring (TeX `\linepenalty`): favours fewer lines.
    pub line_penalty: f32,
    /// Fitness classes more than one apart on consecutive lines (TeX `\adjdemerits`).
    pub adjacent_demerits: f32,
    /// Two hyphenated lines in a row (TeX `\doublehyphendemerits`).
    pub double_hyphen_demerits: f32,
    /// A hyphen on the paragraph's penultimate line (TeX `\finalhyphendemerits`).
    pub final_hyphen_demerits: f32,
    /// Pt of extra stretch per line for a second pass when no feasible set exists (TeX
    /// `\emergencystretch`). It only changes how lines are judged, not how they are set.
    pub emergency_stretch: f32,
    /// Font expansion limit as a fraction of box width (0.0 = off, 0.02 = ±2 % like
    /// microtype).
    pub expansion: f32,
    /// Most consecutive lines that may end with a hyphen (a hard limit, unlike
    /// `double_hyphen_demerits`); 0 = no limit. Only the last-resort pass may exceed it.
    pub max_ladder: usize,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            // 26 pc: about 66 characters of 11 pt Garamond, the middle of the 45–75
            // character range book typographers recommend for a single column.
            widths: vec![312.0],
            // LaTeX's and plain TeX's \pretolerance: a paragraph whose every line has
            // badness 100 or less without a hyphen is set so.
            pretolerance: 100.0,
            // LaTeX's and plain TeX's \tolerance: spaces up to ~1.26× their stretch.
            // Font expansion already adds flexibility, so no looser value is needed.
            tolerance: 200.0,
            // Plain TeX's \linepenalty: small next to badness, but tips ties to fewer lines.
            line_penalty: 10.0,
            // Plain TeX's \adjdemerits: a tight line after a very loose one is as bad as
            // a badness-100 line, so the eye sees even colour from line to line.
            adjacent_demerits: 10000.0,
            // Plain TeX's \doublehyphendemerits: ladders of hyphens are a classic fault.
            double_hyphen_demerits: 10000.0,
            // Plain TeX's \finalhyphendemerits: a word split across the last two lines
            // leaves a short fragment on the last line, but costs less than a ladder.
            final_hyphen_demerits: 5000.0,
            // About a quarter em at 11–12 pt: enough to rescue a paragraph with one long
            // word without letting the fallback pass produce rivers.
            emergency_stretch: 3.0,
            // microtype's default expansion limit (stretch = shrink = 20 thousandths):
            // invisible in a serif text face, yet it halves the number of loose lines.
            expansion: 0.02,
            // Two: a third hyphen in a row is a "ladder" readers notice; demerits alone
            // let one through on long texts (5 in a 200,000-word novel).
            max_ladder: 2,
        }
    }
}

/// One chosen line: items `start..end` (end = index of the break item, which is not part of
/// the line's content; glue/penalties right after a break are discarded per TeX, so `start`
/// is the first item after them; an empty line has `start == end`). If the items do not
/// end with a forced break, the end of the list is an implicit one: the last line has
/// `end == items.len()`.
///
/// How the line is set (all exact, so the line fills [`Line::measure`]):
/// - every box and the break's hyphen is drawn at horizontal scale [`Line::scale`]
///   `= 1 + expansion_ratio · Params::expansion`;
/// - finite glue gets `width + ratio·stretch` (ratio ≥ 0) or `width + ratio·shrink`
///   (ratio < 0), infinite glue gets `width + fil_ratio·stretch` ([`Line::glue_width`]);
/// - the line starts `hang_left` pt left of the measure's left edge (protrusion).
///
/// Expansion takes the adjustment before the glue: with `E` the line's box widths (plus the
/// hyphen), `Y`/`Z` its glue stretch/shrink and `x = Params::expansion`, the fonts absorb
/// up to `x·E` of the shortfall (`expansion_ratio` up to ±1) and the glue only the rest
/// (`ratio = (shortfall − x·E) / Y`, or `/ Z` when shrinking, never below −1: past that
/// the line is overfull). Expansion within its limit is invisible and uneven word spaces
/// are not, so a line is judged by what its spaces do: its badness is `100·r³` of the
/// glue's `r` alone (0 when the fonts take it all).
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// First item of the line's content.
    pub start: usize,
    /// Index of the break item (excluded), or `items.len()` for the implicit final break.
    pub end: usize,
    /// Adjustment ratio of finite glue (≥ −1; 0 when the line holds infinite glue and
    /// stretches).
    pub ratio: f32,
    /// Stretch ratio of infinite glue (pt per pt of `stretch`), 0 unless the line holds
    /// infinite glue and is short of its measure.
    pub fil_ratio: f32,
    /// Share of the font expansion limit used, in −1..=1.
    pub expansion_ratio: f32,
    /// Horizontal scale of every box (and the hyphen): `1 + expansion_ratio · expansion`.
    pub scale: f32,
    /// The line ends at a flagged penalty (a hyphen).
    pub hyphenated: bool,
    /// The width this line was set to (from `Params::widths`).
    pub measure: f32,
    /// How far the first box protrudes into the left margin (pt, not scaled).
    pub hang_left: f32,
    /// How far the last box or the hyphen protrudes into the right margin (pt, not scaled).
    pub hang_right: f32,
    /// TeX's badness of the line as set (0..=10000, without emergency stretch); 10000 for
    /// a line that cannot stretch or shrink to its measure.
    pub badness: f32,
    /// The line is wider than its measure even at full shrink (unbreakable material).
    pub overfull: bool,
}

impl Line {
    /// The set width of a glue item of this line.
    pub fn glue_width(&self, width: f32, stretch: f32, shrink: f32) -> f32 {
        if stretch >= INFINITY && self.fil_ratio > 0.0 {
            width + self.fil_ratio * stretch
        } else if self.ratio >= 0.0 {
            width + self.ratio * stretch
        } else {
            width + self.ratio * shrink
        }
    }
}

/// Breaks a paragraph into lines with the Knuth–Plass total-fit algorithm. Never panics;
/// returns no lines only for an empty paragraph.
pub fn linebreak(items: &[Item], params: &Params) -> Vec<Line> {
    if items.is_empty() {
        return Vec::new();
    }
    let para = Para::new(items, params);
    let emergency = para.emergency_stretch();
    let mut passes = Vec::with_capacity(4);
    if let Some(pre) = para.pretolerance() {
        passes.push(knuth::Pass {
            tolerance: pre,
            extra_stretch: 0.0,
            rescue: false,
            hyphenate: false,
        });
    }
    passes.push(knuth::Pass {
        tolerance: para.tolerance(),
        extra_stretch: 0.0,
        rescue: false,
        hyphenate: true,
    });
    if emergency > 0.0 {
        passes.push(knuth::Pass {
            tolerance: para.tolerance(),
            extra_stretch: emergency,
            rescue: false,
            hyphenate: true,
        });
    }
    passes.push(knuth::Pass {
        tolerance: f64::INFINITY,
        extra_stretch: emergency,
        rescue: true,
        hyphenate: true,
    });
    for pass in passes {
        if let Some(breaks) = knuth::optimum(&para, pass) {
            return para.lines(&breaks);
        }
    }
    // The rescuing pass always finds a set; this is a guard, not a code path.
    para.lines(&knuth::first_fit(&para))
}

/// Breaks a paragraph greedily: each line takes as much as fits (shrinking allowed), so
/// its last break is the latest one before the line would overflow. For comparison.
pub fn first_fit(items: &[Item], params: &Params) -> Vec<Line> {
    if items.is_empty() {
        return Vec::new();
    }
    let para = Para::new(items, params);
    para.lines(&knuth::first_fit(&para))
}

/// The total demerits of any set of lines under the model [`linebreak`] minimises (first
/// pass: no emergency stretch). Lines that cannot reach their measure count with badness
/// 10000. Only each line's `start` and `end` are read.
pub fn total_demerits(items: &[Item], params: &Params, lines: &[Line]) -> f32 {
    let para = Para::new(items, params);
    para.total_demerits(lines) as f32
}

/// The end of a paragraph: TeX's `\parfillskip` (no width, infinite stretch, so the last
/// line is set at its natural width) and a forced break.
pub fn paragraph_end() -> [Item; 2] {
    [
        Item::Glue {
            width: 0.0,
            stretch: INFINITY,
            shrink: 0.0,
        },
        Item::Penalty {
            width: 0.0,
            hang_right: 0.0,
            penalty: -INFINITY,
            flagged: false,
        },
    ]
}
