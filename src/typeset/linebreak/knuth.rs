//! The breakers: a prepared [`Para`] in → break positions out. [`optimum`] is Knuth–Plass
//! total fit over active nodes (TeX §829–865); [`first_fit`] is the greedy reference.
//!
//! The active list holds, for each reachable break, one node per fitness class and per
//! distinct line width still ahead (TeX's `easy_line`): nodes whose line numbers all map to
//! the last entry of `Params::widths` are interchangeable and share a node. It stays sorted
//! by position because new nodes (at the current break) are appended after every existing
//! one. Work per break is O(active); the only allocations are the active list, the
//! candidate buffer (both reused) and one history record per node created.

use super::para::{Break, DECENT, Para, TIGHT};

/// Ladder lengths from here on share one bucket of the active list: a bound on the nodes per
/// break (one bucket per length made a long run of hyphenated lines quadratic), the same for
/// every limit up to 7, so a limit that does not bind leaves the result unchanged.
const LADDER_BUCKETS: usize = 8;

/// One pass over the paragraph.
#[derive(Debug, Clone, Copy)]
pub(super) struct Pass {
    /// Max badness of a feasible line (infinite in the final pass).
    pub tolerance: f64,
    /// Pt of stretch added to every line when judging it (the emergency stretch).
    pub extra_stretch: f64,
    /// When the last active node would be dropped because nothing fits, break there
    /// anyway (TeX's artificial demerits, §854): an overfull line of unbreakable material.
    pub rescue: bool,
    /// Words may be hyphenated (breaks at discretionary hyphens are taken). TeX's first
    /// pass (`\pretolerance`) has none: a paragraph that sets well without hyphens gets none.
    pub hyphenate: bool,
}

/// A feasible break reached by some path, with the best path's demerits.
#[derive(Debug, Clone, Copy)]
struct Node {
    /// First item of the next line.
    start: usize,
    /// Lines before this break's next line (its 0-based line number).
    line: usize,
    fitness: u8,
    hyphenated: bool,
    /// Consecutive hyphenated lines ending here (0 when this line ends without a hyphen).
    ladder: usize,
    total: f64,
    /// Index of this break in the history.
    hist: usize,
}

/// The chosen path back from a break: its position and the previous break's record.
#[derive(Debug, Clone, Copy)]
struct Hist {
    pos: usize,
    prev: Option<usize>,
}

/// The best way found so far to reach the current break in one (fitness, width class).
#[derive(Debug, Clone, Copy)]
struct Cand {
    total: f64,
    fitness: u8,
    class: usize,
    ladder: usize,
    line: usize,
    prev: usize,
}

/// Finds the break positions with the least total demerits, or `None` if the pass finds
/// no feasible set.
pub(super) fn optimum(para: &Para, pass: Pass) -> Option<Vec<usize>> {
    let adjacent = para.adjacent_demerits();
    // Lines numbered `last_class` or more all have the last width: one class for them.
    let last_class = para.width_classes().saturating_sub(1);
    let mut hist = vec![Hist { pos: 0, prev: None }];
    let mut active = vec![Node {
        start: 0,
        line: 0,
        fitness: DECENT,
        hyphenated: false,
        ladder: 0,
        total: 0.0,
        hist: 0,
    }];
    let max_ladder = para.max_ladder();
    let ladder_cap = (max_ladder + 1).max(LADDER_BUCKETS);
    let mut cands: Vec<Cand> = Vec::with_capacity(8);
    for pos in 0..=para.end {
        let Some(brk) = para.break_at(pos) else {
            continue;
        };
        // A discretionary hyphen adds its width at the break; an explicit one does not.
        if !pass.hyphenate && brk.flagged && brk.width > 0.0 {
            continue;
        }
        cands.clear();
        let count = active.len();
        let mut kept = 0;
        for j in 0..count {
            let node = active[j];
            let fit = para.fit(node.start, &brk, node.line, pass.extra_stretch);
            let line = node.line + 1;
            // Ladders longer than the limit are all alike (infeasible, or tolerated in the
            // last resort): counting them on would make one bucket per length, and the
            // active list quadratic on a run of hyphenated lines.
            let ladder = if brk.flagged {
                (node.ladder + 1).min(ladder_cap)
            } else {
                0
            };
            // A hyphen ladder beyond the limit is infeasible, except in the last resort.
            let ladder_ok = max_ladder == 0 || ladder <= max_ladder || pass.rescue;
            if !fit.overfull && fit.badness <= pass.tolerance && ladder_ok {
                let d = para.demerits(&fit, &brk, node.fitness, node.hyphenated);
                offer(
                    &mut cands,
                    Cand {
                        total: node.total + d,
                        fitness: fit.fitness,
                        class: line.min(last_class),
                        ladder,
                        line,
                        prev: node.hist,
                    },
                );
            } else if fit.overfull && pass.rescue && kept == 0 && j + 1 == count && cands.is_empty()
            {
                // Nothing else remains: break after the unbreakable material, overfull.
                offer(
                    &mut cands,
                    Cand {
                        total: node.total,
                        fitness: TIGHT,
                        class: line.min(last_class),
                        ladder,
                        line,
                        prev: node.hist,
                    },
                );
            }
            // An overfull line only gets wider further on; after a forced break no
            // earlier node may be the start of a line.
            if !(fit.overfull || brk.forced) {
                active[kept] = node;
                kept += 1;
            }
        }
        active.truncate(kept);
        add_nodes(para, &brk, &cands, adjacent, &mut active, &mut hist);
        if active.is_empty() {
            return None;
        }
    }
    // The last break is forced, so every node left is at the end.
    let mut best: Option<Node> = None;
    for node in &active {
        if best.is_none_or(|b| node.total < b.total) {
            best = Some(*node);
        }
    }
    let mut breaks = Vec::new();
    let mut at = best.map(|n| n.hist);
    while let Some(i) = at {
        let h = hist.get(i)?;
        if h.prev.is_some() {
            breaks.push(h.pos);
        }
        at = h.prev;
    }
    breaks.reverse();
    Some(breaks)
}

/// Keeps the cheaper of `cand` and the candidate already in its (fitness, class, ladder)
/// bucket: a shorter ladder is worth keeping even when it costs more, since it leaves more
/// hyphens allowed further on.
fn offer(cands: &mut Vec<Cand>, cand: Cand) {
    match cands
        .iter_mut()
        .find(|c| c.fitness == cand.fitness && c.class == cand.class && c.ladder == cand.ladder)
    {
        Some(c) => {
            if cand.total < c.total {
                *c = cand;
            }
        }
        None => cands.push(cand),
    }
}

/// Turns the candidates at `brk` into active nodes, skipping those that cost more than the
/// best of their width class plus the adjacent demerits: switching fitness class costs at
/// most that much later, so they can never be on the best path (TeX §836).
fn add_nodes(
    para: &Para,
    brk: &Break,
    cands: &[Cand],
    adjacent: f64,
    active: &mut Vec<Node>,
    hist: &mut Vec<Hist>,
) {
    if cands.is_empty() {
        return;
    }
    let start = para.next_start(brk.pos);
    for cand in cands {
        let best = cands
            .iter()
            .filter(|c| c.class == cand.class && c.ladder == cand.ladder)
            .fold(cand.total, |m, c| if c.total < m { c.total } else { m });
        if cand.total > best + adjacent {
            continue;
        }
        hist.push(Hist {
            pos: brk.pos,
            prev: Some(cand.prev),
        });
        active.push(Node {
            start,
            line: cand.line,
            fitness: cand.fitness,
            hyphenated: brk.flagged,
            ladder: cand.ladder,
            total: cand.total,
            hist: hist.len() - 1,
        });
    }
}

/// Greedy breaking: from each line's start, the latest break where the line is not
/// overfull; the first break after the start if even that is overfull. Stops at forced
/// breaks. Always returns at least one break (the paragraph's end).
pub(super) fn first_fit(para: &Para) -> Vec<usize> {
    let mut breaks = Vec::new();
    let (mut start, mut from, mut line) = (0, 0, 0);
    loop {
        let mut chosen = None;
        for pos in from..=para.end {
            let Some(brk) = para.break_at(pos) else {
                continue;
            };
            let fit = para.fit(start, &brk, line, 0.0);
            if fit.overfull {
                if chosen.is_none() {
                    chosen = Some(pos);
                }
                break;
            }
            chosen = Some(pos);
            if brk.forced {
                break;
            }
        }
        // The end is a break, so `chosen` is always set; the fallback ends the loop anyway.
        let pos = chosen.unwrap_or(para.end);
        breaks.push(pos);
        if pos >= para.end {
            return breaks;
        }
        start = para.next_start(pos);
        from = pos + 1;
        line += 1;
    }
}
