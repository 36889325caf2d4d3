//! One paragraph prepared for breaking: items + params in → prefix sums, legal breaks, and
//! the measurement of any candidate line (badness, fitness class, demerits, how it is set).
//!
//! Everything the optimiser, the greedy breaker and [`super::total_demerits`] know about a
//! line comes from here, so the three agree to the last bit.

use super::{INFINITY, Item, Line, Params};

/// TeX's `inf_bad`: the badness of a line that cannot stretch to its measure, and the cap
/// on every badness (`100·r³` reaches it at r ≈ 4.64).
pub(super) const INF_BAD: f64 = 10000.0;

/// TeX's fitness classes (§817), numbered as in TeX so "more than one apart" is `|a−b| > 1`.
pub(super) const VERY_LOOSE: u8 = 0;
/// Stretching with badness 13..=99.
pub(super) const LOOSE: u8 = 1;
/// Badness ≤ 12 either way.
pub(super) const DECENT: u8 = 2;
/// Shrinking with badness ≥ 13.
pub(super) const TIGHT: u8 = 3;

/// Slack when deciding a line is overfull: `r < −1` from rounding alone (a line that
/// shrinks by exactly all it can) must not count, yet 1e-9 of a line is far below a
/// device pixel at any size.
const OVERFULL_SLACK: f64 = 1e-9;

/// Running totals from item 0 up to (not including) an index.
#[derive(Debug, Clone, Copy, Default)]
struct Sums {
    /// Natural width of boxes and glue.
    width: f64,
    /// Width of boxes alone (what font expansion scales).
    boxes: f64,
    /// Finite glue stretch.
    stretch: f64,
    /// Infinite glue stretch (`stretch >= INFINITY`).
    fil: f64,
    /// Glue shrink.
    shrink: f64,
}

/// A possible break: a penalty below [`INFINITY`], glue right after a box, or the implicit
/// end of the item list.
#[derive(Debug, Clone, Copy)]
pub(super) struct Break {
    pub pos: usize,
    pub penalty: f64,
    /// Width added to the line when breaking here (a hyphen).
    pub width: f64,
    /// How far that hyphen may protrude.
    pub hang: f64,
    pub flagged: bool,
    pub forced: bool,
}

/// How a candidate line would look.
#[derive(Debug, Clone, Copy)]
pub(super) struct Fit {
    pub badness: f64,
    pub fitness: u8,
    pub overfull: bool,
}

/// A paragraph ready for breaking.
pub(super) struct Para<'a> {
    items: &'a [Item],
    params: &'a Params,
    /// `sums[i]`: totals of `items[..i]`; `items.len() + 1` entries.
    sums: Vec<Sums>,
    /// Position of the paragraph's last break: the final forced penalty, or `items.len()`.
    pub end: usize,
    /// The last break is implicit (the items do not end with a forced break).
    implicit_end: bool,
    /// `Params::expansion`, sanitised.
    expansion: f64,
}

/// Non-finite numbers read as 0, so no NaN or infinity reaches the arithmetic.
fn fin(x: f32) -> f64 {
    if x.is_finite() { f64::from(x) } else { 0.0 }
}

impl<'a> Para<'a> {
    pub fn new(items: &'a [Item], params: &'a Params) -> Self {
        let mut sums = Vec::with_capacity(items.len() + 1);
        let mut acc = Sums::default();
        sums.push(acc);
        for item in items {
            match *item {
                Item::Box { width, .. } => {
                    acc.width += fin(width);
                    acc.boxes += fin(width);
                }
                Item::Glue {
                    width,
                    stretch,
                    shrink,
                } => {
                    acc.width += fin(width);
                    if stretch >= INFINITY {
                        // Every infinite glue counts the same, whatever its spelled value.
                        acc.fil += if stretch.is_finite() {
                            f64::from(stretch)
                        } else {
                            f64::from(INFINITY)
                        };
                    } else {
                        acc.stretch += fin(stretch);
                    }
                    acc.shrink += fin(shrink);
                }
                Item::Penalty { .. } => {}
            }
            sums.push(acc);
        }
        let implicit_end = !matches!(
            items.last(),
            Some(Item::Penalty { penalty, .. }) if *penalty <= -INFINITY
        );
        let end = if implicit_end {
            items.len()
        } else {
            items.len() - 1
        };
        Para {
            items,
            params,
            sums,
            end,
            implicit_end,
            expansion: fin(params.expansion).max(0.0),
        }
    }

    pub fn tolerance(&self) -> f64 {
        fin(self.params.tolerance)
    }

    /// The first pass's tolerance, or `None` for no first pass.
    pub fn pretolerance(&self) -> Option<f64> {
        let p = fin(self.params.pretolerance);
        (p >= 0.0).then_some(p)
    }

    pub fn emergency_stretch(&self) -> f64 {
        fin(self.params.emergency_stretch).max(0.0)
    }

    pub fn adjacent_demerits(&self) -> f64 {
        fin(self.params.adjacent_demerits).max(0.0)
    }

    /// The hyphen ladder limit (0 = none).
    pub fn max_ladder(&self) -> usize {
        self.params.max_ladder
    }

    /// How many distinct line widths `Params::widths` gives (the last repeats forever).
    pub fn width_classes(&self) -> usize {
        self.params.widths.len().max(1)
    }

    /// The break at `pos`, if `pos` is a legal breakpoint.
    pub fn break_at(&self, pos: usize) -> Option<Break> {
        if pos == self.items.len() {
            return self.implicit_end.then_some(Break {
                pos,
                penalty: -f64::from(INFINITY),
                width: 0.0,
                hang: 0.0,
                flagged: false,
                forced: true,
            });
        }
        match *self.items.get(pos)? {
            Item::Penalty {
                width,
                hang_right,
                penalty,
                flagged,
            } => (penalty < INFINITY || penalty.is_nan()).then_some(Break {
                pos,
                penalty: fin(penalty).max(-f64::from(INFINITY)),
                width: fin(width),
                hang: fin(hang_right),
                flagged,
                forced: penalty <= -INFINITY,
            }),
            Item::Glue { .. } if pos > 0 && matches!(self.items[pos - 1], Item::Box { .. }) => {
                Some(Break {
                    pos,
                    penalty: 0.0,
                    width: 0.0,
                    hang: 0.0,
                    flagged: false,
                    forced: false,
                })
            }
            _ => None,
        }
    }

    /// The break at `pos` even if it is not legal (for judging a caller's lines).
    fn break_any(&self, pos: usize) -> Break {
        self.break_at(pos).unwrap_or(Break {
            pos,
            penalty: 0.0,
            width: 0.0,
            hang: 0.0,
            flagged: false,
            forced: false,
        })
    }

    /// First item of the line after a break at `pos`: glue and penalties after a break are
    /// discarded up to the next box (TeX §879).
    pub fn next_start(&self, pos: usize) -> usize {
        let mut i = pos + 1;
        while i < self.items.len() && !matches!(self.items[i], Item::Box { .. }) {
            i += 1;
        }
        i.min(self.items.len())
    }

    /// The measure of line `line` (0-based).
    fn measure(&self, line: usize) -> f64 {
        let widths = &self.params.widths;
        match widths.get(line).or(widths.last()) {
            Some(&w) => fin(w),
            None => 0.0,
        }
    }

    /// The shape of the line `start..brk.pos`: (natural width, box widths to expand,
    /// finite stretch, infinite stretch, shrink, hang left, hang right).
    fn shape(&self, start: usize, brk: &Break) -> Shape {
        let start = start.min(brk.pos);
        let (a, b) = (self.sums[start], self.sums[brk.pos]);
        let hang_left = match self.items.get(start) {
            Some(Item::Box { hang_left, .. }) if start < brk.pos => fin(*hang_left),
            _ => 0.0,
        };
        let hang_right = if brk.width != 0.0 {
            brk.hang
        } else if brk.pos > start {
            match self.items[brk.pos - 1] {
                Item::Box { hang_right, .. } => fin(hang_right),
                _ => 0.0,
            }
        } else {
            0.0
        };
        let boxes = b.boxes - a.boxes + brk.width;
        Shape {
            natural: b.width - a.width + brk.width - hang_left - hang_right,
            expand: self.expansion * boxes,
            stretch: b.stretch - a.stretch,
            fil: b.fil - a.fil,
            shrink: b.shrink - a.shrink,
            hang_left,
            hang_right,
        }
    }

    /// Badness and fitness of the line from `start` to `brk`, as line number `line`, with
    /// `extra` pt of stretch (the emergency stretch) on top of what the line has.
    pub fn fit(&self, start: usize, brk: &Break, line: usize, extra: f64) -> Fit {
        let s = self.shape(start, brk);
        let shortfall = self.measure(line) - s.natural;
        if shortfall > 0.0 {
            if s.fil > 0.0 {
                return Fit {
                    badness: 0.0,
                    fitness: DECENT,
                    overfull: false,
                };
            }
            // The fonts take the shortfall first (see `set`): what the reader sees is the
            // spaces' share.
            let spaces = (shortfall - s.expand).max(0.0);
            let stretch = s.stretch + extra;
            let badness = if spaces <= 0.0 {
                0.0
            } else if stretch > 0.0 {
                let r = spaces / stretch;
                (100.0 * r * r * r).min(INF_BAD)
            } else {
                INF_BAD
            };
            let fitness = if badness > 99.0 {
                VERY_LOOSE
            } else if badness > 12.0 {
                LOOSE
            } else {
                DECENT
            };
            Fit {
                badness,
                fitness,
                overfull: false,
            }
        } else if shortfall < 0.0 {
            let spaces = (shortfall + s.expand).min(0.0);
            let r = if spaces >= 0.0 {
                0.0
            } else if s.shrink > 0.0 {
                spaces / s.shrink
            } else {
                f64::NEG_INFINITY
            };
            if r < -1.0 - OVERFULL_SLACK {
                return Fit {
                    badness: INF_BAD,
                    fitness: TIGHT,
                    overfull: true,
                };
            }
            let r = r.max(-1.0);
            let badness = -100.0 * r * r * r;
            Fit {
                badness,
                fitness: if badness > 12.0 { TIGHT } else { DECENT },
                overfull: false,
            }
        } else {
            Fit {
                badness: 0.0,
                fitness: DECENT,
                overfull: false,
            }
        }
    }

    /// Demerits of a line with `fit` ending at `brk`, after a line of fitness `prev_fit`
    /// that ended hyphenated or not (TeX §859–860).
    pub fn demerits(&self, fit: &Fit, brk: &Break, prev_fit: u8, prev_hyphenated: bool) -> f64 {
        let p = self.params;
        let base = fin(p.line_penalty) + fit.badness;
        // TeX caps the squared term so demerits stay representable in its integers; kept
        // so the arithmetic (and thus the choices) match TeX's.
        let mut d = if base.abs() >= 10000.0 {
            1e8
        } else {
            base * base
        };
        if brk.penalty > 0.0 {
            d += brk.penalty * brk.penalty;
        } else if !brk.forced {
            d -= brk.penalty * brk.penalty;
        }
        if prev_hyphenated {
            if brk.pos == self.end {
                d += fin(p.final_hyphen_demerits);
            } else if brk.flagged {
                d += fin(p.double_hyphen_demerits);
            }
        }
        if fit.fitness.abs_diff(prev_fit) > 1 {
            d += fin(p.adjacent_demerits);
        }
        d
    }

    /// The lines for a list of break positions (as chosen by a breaker).
    pub fn lines(&self, breaks: &[usize]) -> Vec<Line> {
        let mut lines = Vec::with_capacity(breaks.len());
        let mut start = 0;
        for (number, &pos) in breaks.iter().enumerate() {
            let brk = self.break_any(pos);
            lines.push(self.set(start.min(pos), &brk, number));
            start = self.next_start(pos);
        }
        // A forced break followed only by discardable items leaves an empty implicit last
        // line; it holds nothing, so it is dropped (the items after the break are discarded).
        if self.implicit_end
            && lines.len() > 1
            && lines
                .last()
                .is_some_and(|l| l.start == l.end && l.end == self.items.len())
        {
            lines.pop();
        }
        lines
    }

    /// How the line `start..brk.pos` is set (see [`Line`] for the rules).
    fn set(&self, start: usize, brk: &Break, line: usize) -> Line {
        let s = self.shape(start, brk);
        let measure = self.measure(line);
        let shortfall = measure - s.natural;
        let fit = self.fit(start, brk, line, 0.0);
        let (mut ratio, mut fil_ratio, mut expansion_ratio) = (0.0, 0.0, 0.0);
        if shortfall > 0.0 {
            if s.fil > 0.0 {
                fil_ratio = shortfall / s.fil;
            } else {
                // The fonts first, up to their limit; the spaces take the rest.
                let by_fonts = shortfall.min(s.expand);
                if s.expand > 0.0 {
                    expansion_ratio = by_fonts / s.expand;
                }
                if s.stretch > 0.0 {
                    ratio = (shortfall - by_fonts) / s.stretch;
                }
            }
        } else if shortfall < 0.0 {
            // Shrinking: the fonts first too; the spaces at most to their limit.
            let by_fonts = shortfall.max(-s.expand);
            if s.expand > 0.0 {
                expansion_ratio = by_fonts / s.expand;
            }
            if s.shrink > 0.0 {
                ratio = ((shortfall - by_fonts) / s.shrink).max(-1.0);
            }
        }
        Line {
            start: start.min(brk.pos),
            end: brk.pos,
            ratio: ratio as f32,
            fil_ratio: fil_ratio as f32,
            expansion_ratio: expansion_ratio as f32,
            scale: (1.0 + expansion_ratio * self.expansion) as f32,
            hyphenated: brk.flagged,
            measure: measure as f32,
            hang_left: s.hang_left as f32,
            hang_right: s.hang_right as f32,
            badness: fit.badness as f32,
            overfull: fit.overfull,
        }
    }

    /// Total demerits of `lines`, judged as the first pass judges them.
    pub fn total_demerits(&self, lines: &[Line]) -> f64 {
        let (mut total, mut prev_fit, mut prev_hyphenated) = (0.0, DECENT, false);
        for (number, line) in lines.iter().enumerate() {
            // Lines come from the caller: keep them inside the paragraph.
            let end = line.end.min(self.items.len());
            let brk = self.break_any(end);
            let fit = self.fit(line.start.min(end), &brk, number, 0.0);
            total += self.demerits(&fit, &brk, prev_fit, prev_hyphenated);
            prev_fit = fit.fitness;
            prev_hyphenated = brk.flagged;
        }
        total
    }
}

/// A candidate line's dimensions (see [`Para::shape`]).
struct Shape {
    natural: f64,
    expand: f64,
    stretch: f64,
    fil: f64,
    shrink: f64,
    hang_left: f64,
    hang_right: f64,
}
