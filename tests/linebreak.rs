//! Property tests of the line breaker through its public API: random paragraphs from a tiny
//! xorshift generator (no extra crates), checked for the invariants any break set must keep
//! and for total fit never losing to first fit.

use folio::typeset::linebreak::*;

/// Marsaglia's xorshift64: deterministic, dependency-free randomness for test inputs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    /// Uniform in `lo..hi`.
    fn range(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (hi - lo) * ((self.next() >> 40) as f32 / (1u64 << 24) as f32)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// A random paragraph: words of 1–3 syllable boxes joined by flagged hyphen penalties,
/// inter-word glue, now and then a forced break or a very wide word, then the paragraph end.
fn paragraph(rng: &mut Rng) -> Vec<Item> {
    let words = 1 + rng.below(80);
    let mut items = Vec::new();
    for w in 0..words {
        if w > 0 {
            if rng.below(40) == 0 {
                items.extend(paragraph_end());
            } else {
                items.push(Item::Glue {
                    width: 3.0,
                    stretch: rng.range(1.0, 2.0),
                    shrink: rng.range(0.5, 1.0),
                });
            }
        }
        let syllables = 1 + rng.below(3);
        for s in 0..syllables {
            if s > 0 {
                items.push(Item::Penalty {
                    width: 3.5,
                    hang_right: rng.range(0.0, 1.5),
                    penalty: HYPHEN_PENALTY,
                    flagged: true,
                });
            }
            let width = if rng.below(150) == 0 {
                rng.range(130.0, 400.0)
            } else {
                rng.range(4.0, 25.0)
            };
            items.push(Item::Box {
                width,
                hang_left: if rng.below(10) == 0 {
                    rng.range(0.0, 2.0)
                } else {
                    0.0
                },
                hang_right: if rng.below(5) == 0 {
                    rng.range(0.0, 2.0)
                } else {
                    0.0
                },
            });
        }
    }
    items.extend(paragraph_end());
    items
}

fn params(rng: &mut Rng) -> Params {
    let mut p = Params {
        widths: vec![rng.range(60.0, 200.0)],
        ..Params::default()
    };
    if rng.below(3) == 0 {
        p.widths.insert(0, p.widths[0] - rng.range(10.0, 40.0));
    }
    if rng.below(3) == 0 {
        p.expansion = 0.0;
    }
    p
}

fn is_discardable(item: &Item) -> bool {
    !matches!(item, Item::Box { .. })
}

/// The natural width of a line as set: boxes scaled, glue adjusted, hyphen added, hangs out.
fn set_width(items: &[Item], line: &Line) -> f32 {
    let mut w = -line.hang_left - line.hang_right;
    for item in &items[line.start..line.end] {
        match *item {
            Item::Box { width, .. } => w += width * line.scale,
            Item::Glue {
                width,
                stretch,
                shrink,
            } => w += line.glue_width(width, stretch, shrink),
            Item::Penalty { .. } => {}
        }
    }
    if let Some(Item::Penalty { width, .. }) = items.get(line.end) {
        w += width * line.scale;
    }
    w
}

fn check(items: &[Item], params: &Params, lines: &[Line], what: &str) {
    assert!(!lines.is_empty(), "{what}: no lines");
    // Text preserved: lines in order, gaps hold only discardable items after a break.
    let mut at = 0;
    for (i, line) in lines.iter().enumerate() {
        assert!(
            line.start <= line.end && line.end <= items.len(),
            "{what}: {line:?}"
        );
        if i > 0 {
            at += 1; // the break item itself
        }
        assert!(at <= line.start, "{what}: line {i} overlaps");
        for gap in &items[at..line.start] {
            assert!(is_discardable(gap), "{what}: line {i} skips a box");
        }
        at = line.end;
    }
    for rest in items.get(at + 1..).unwrap_or(&[]) {
        assert!(is_discardable(rest), "{what}: trailing box lost");
    }
    // Forced breaks honoured.
    for (i, item) in items.iter().enumerate() {
        if matches!(item, Item::Penalty { penalty, .. } if *penalty <= -INFINITY) {
            assert!(
                lines.iter().any(|l| l.end == i),
                "{what}: forced break {i} ignored"
            );
        }
    }
    // No line wider than its measure unless it holds a single box wider than the measure.
    for (i, line) in lines.iter().enumerate() {
        let measure = params.widths[i.min(params.widths.len() - 1)];
        let width = set_width(items, line);
        let boxes = items[line.start..line.end]
            .iter()
            .filter(|it| matches!(it, Item::Box { .. }))
            .count();
        if line.overfull {
            assert_eq!(
                boxes, 1,
                "{what}: overfull line {i} of {boxes} boxes: {line:?}"
            );
        } else {
            assert!(
                width <= measure + 1e-3,
                "{what}: line {i} {width} > {measure}"
            );
            let last = i + 1 == lines.len();
            let short = width < measure - 1e-2;
            let stretchy = items[line.start..line.end]
                .iter()
                .any(|it| matches!(it, Item::Glue { stretch, .. } if *stretch > 0.0));
            // Justified lines fill the measure unless nothing in them can stretch.
            assert!(
                last || !short || !stretchy,
                "{what}: line {i} short: {line:?}"
            );
        }
    }
}

#[test]
fn random_paragraphs_keep_the_invariants() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let (mut compared, mut better) = (0, 0);
    for case in 0..400 {
        let items = paragraph(&mut rng);
        let params = params(&mut rng);
        let kp = linebreak(&items, &params);
        let ff = first_fit(&items, &params);
        check(&items, &params, &kp, &format!("case {case} total fit"));
        check(&items, &params, &ff, &format!("case {case} first fit"));
        // Total fit optimises over break sets without a hyphen ladder beyond the limit, so
        // first fit is a fair comparison only when it keeps that limit too.
        let ff_feasible = ff
            .iter()
            .all(|l| !l.overfull && l.badness <= params.tolerance)
            && ladder(&ff) <= params.max_ladder;
        if ff_feasible {
            let (a, b) = (
                total_demerits(&items, &params, &kp),
                total_demerits(&items, &params, &ff),
            );
            assert!(
                a <= b + b.abs() * 1e-6,
                "case {case}: total fit {a} > first fit {b}"
            );
            compared += 1;
            if a < b {
                better += 1;
            }
        }
    }
    // The comparison must actually have been exercised, and must sometimes matter.
    assert!(compared > 50, "only {compared} comparable cases");
    assert!(better > 10, "total fit beat first fit only {better} times");
}

/// The longest run of consecutive hyphenated lines.
fn ladder(lines: &[Line]) -> usize {
    let (mut run, mut longest) = (0, 0);
    for l in lines {
        run = if l.hyphenated { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    longest
}

#[test]
fn the_ladder_limit_binds_only_when_needed() {
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let (mut binding, mut ladders_seen) = (0, 0);
    for case in 0..400 {
        let items = paragraph(&mut rng);
        let limited = params(&mut rng);
        let free = Params {
            max_ladder: 0,
            ..limited.clone()
        };
        let (a, b) = (linebreak(&items, &limited), linebreak(&items, &free));
        if ladder(&b) <= limited.max_ladder {
            assert_eq!(
                a, b,
                "case {case}: the limit changed a break set that kept it"
            );
        } else {
            ladders_seen += 1;
            // The limit never makes a ladder longer.
            assert!(ladder(&a) <= ladder(&b), "case {case}");
            if ladder(&a) <= limited.max_ladder {
                binding += 1;
            }
        }
    }
    // The generator must produce ladders, and the limit must remove some of them.
    assert!(
        ladders_seen > 0 && binding > 0,
        "ladders {ladders_seen}, limit took effect {binding} times"
    );
}

#[test]
fn random_paragraphs_break_identically_twice() {
    let mut rng = Rng(42);
    for _ in 0..50 {
        let items = paragraph(&mut rng);
        let params = params(&mut rng);
        assert_eq!(linebreak(&items, &params), linebreak(&items, &params));
    }
}

#[test]
fn hostile_input_never_panics() {
    let mut rng = Rng(7);
    let weird = [f32::NAN, f32::INFINITY, -f32::INFINITY, -5.0, 0.0, 1e30];
    for _ in 0..200 {
        let mut items = Vec::new();
        for _ in 0..rng.below(30) {
            let mut v = || weird[rng.below(weird.len() as u64) as usize];
            let item = match v().to_bits() % 3 {
                0 => Item::Box {
                    width: v(),
                    hang_left: v(),
                    hang_right: v(),
                },
                1 => Item::Glue {
                    width: v(),
                    stretch: v(),
                    shrink: v(),
                },
                _ => Item::Penalty {
                    width: v(),
                    hang_right: v(),
                    penalty: v(),
                    flagged: true,
                },
            };
            items.push(item);
        }
        let mut params = Params::default();
        if rng.below(2) == 0 {
            params.widths.clear();
        }
        if rng.below(2) == 0 {
            params.tolerance = f32::NAN;
            params.line_penalty = f32::INFINITY;
        }
        let lines = linebreak(&items, &params);
        assert_eq!(lines.is_empty(), items.is_empty());
        let _ = first_fit(&items, &params);
        let _ = total_demerits(&items, &params, &lines);
    }
}
