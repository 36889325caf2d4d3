//! Unit tests of the line breaker on small, hand-checked paragraphs.

use super::*;

/// A word of `width` pt with no protrusion.
fn word(width: f32) -> Item {
    Item::Box {
        width,
        hang_left: 0.0,
        hang_right: 0.0,
    }
}

/// A space of 5 pt that stretches 3 and shrinks 1.5.
fn space() -> Item {
    Item::Glue {
        width: 5.0,
        stretch: 3.0,
        shrink: 1.5,
    }
}

fn hyphen() -> Item {
    Item::Penalty {
        width: 4.0,
        hang_right: 0.0,
        penalty: HYPHEN_PENALTY,
        flagged: true,
    }
}

fn forced() -> Item {
    paragraph_end()[1]
}

/// Words separated by spaces, then the paragraph end.
fn words(widths: &[f32]) -> Vec<Item> {
    let mut items = Vec::new();
    for (i, &w) in widths.iter().enumerate() {
        if i > 0 {
            items.push(space());
        }
        items.push(word(w));
    }
    items.extend(paragraph_end());
    items
}

/// Fixed measure, no font expansion: the arithmetic in the tests stays checkable by hand.
fn plain(measure: f32) -> Params {
    Params {
        widths: vec![measure],
        expansion: 0.0,
        ..Params::default()
    }
}

/// "10 10 10 10-10 10": three words of 10 pt, a fourth split by `hyphen`, then one more.
fn split_word(hyphen: Item) -> Vec<Item> {
    let mut items = Vec::new();
    for _ in 0..3 {
        items.extend([word(10.0), space()]);
    }
    items.extend([word(10.0), hyphen, word(10.0), space()]);
    items.extend(words(&[10.0]));
    items
}

fn ends(lines: &[Line]) -> Vec<usize> {
    lines.iter().map(|l| l.end).collect()
}

#[test]
fn empty_paragraph_has_no_lines() {
    assert!(linebreak(&[], &Params::default()).is_empty());
    assert!(first_fit(&[], &Params::default()).is_empty());
}

#[test]
fn short_paragraph_is_one_line_set_by_the_fill() {
    let items = words(&[20.0, 30.0]);
    let lines = linebreak(&items, &plain(100.0));
    assert_eq!(ends(&lines), [4]);
    let line = &lines[0];
    assert_eq!((line.start, line.ratio, line.scale), (0, 0.0, 1.0));
    // The fill takes the 100 − 55 pt left; spaces stay at their natural width.
    assert!((line.glue_width(0.0, INFINITY, 0.0) - 45.0).abs() < 1e-4);
    assert_eq!(line.glue_width(5.0, 3.0, 1.5), 5.0);
}

#[test]
fn total_fit_moves_a_word_down_where_first_fit_leaves_a_loose_line() {
    // First fit fills line 1 exactly (six words), so line 2 has to stretch to badness 137;
    // total fit sends the short sixth word down: line 1 loose (58), line 2 exact.
    let items = words(&[
        14.0, 14.0, 14.0, 14.0, 14.0, 5.0, 20.0, 20.0, 20.0, 15.0, 30.0, 10.0,
    ]);
    let params = plain(100.0);
    let ff = first_fit(&items, &params);
    let kp = linebreak(&items, &params);
    assert_eq!(ends(&ff), [11, 19, 24]);
    assert_eq!(ends(&kp), [9, 19, 24]);
    assert_eq!(kp[1].start, 10);
    assert!(ff[1].badness > 130.0, "{:?}", ff[1]);
    assert!(kp.iter().all(|l| l.badness < 60.0), "{kp:?}");
    let (a, b) = (
        total_demerits(&items, &params, &kp),
        total_demerits(&items, &params, &ff),
    );
    assert!(a * 4.0 < b, "total fit {a}, first fit {b}");
}

#[test]
fn lines_are_justified_exactly() {
    let items = words(&[
        14.0, 14.0, 14.0, 14.0, 14.0, 5.0, 20.0, 20.0, 20.0, 15.0, 30.0, 10.0,
    ]);
    let line = &linebreak(&items, &plain(100.0))[0];
    // 5 words (70) + 4 spaces (20) = 90: 10 pt over 4 × 3 pt of stretch.
    assert_eq!(line.ratio, 10.0 / 12.0);
    assert_eq!(
        line.badness,
        (100.0f64 * (10.0 / 12.0) * (10.0 / 12.0) * (10.0 / 12.0)) as f32
    );
}

#[test]
fn forced_breaks_always_break() {
    let mut items = vec![word(10.0), space(), word(10.0), forced()];
    items.extend(words(&[10.0]));
    let lines = linebreak(&items, &plain(100.0));
    assert_eq!(ends(&lines), [3, 6]);
    assert_eq!(lines[1].start, 4);
    // Two forced breaks in a row give an empty line between them.
    let items = vec![word(10.0), forced(), forced(), word(10.0), forced()];
    let lines = linebreak(&items, &plain(100.0));
    assert_eq!(ends(&lines), [1, 2, 4]);
    assert_eq!((lines[1].start, lines[1].end), (2, 2));
}

#[test]
fn a_box_wider_than_the_measure_is_one_overfull_line() {
    let lines = linebreak(&[word(500.0)], &plain(100.0));
    assert_eq!(lines.len(), 1);
    assert!(lines[0].overfull);
    // Between other words it gets a line of its own; the others are not overfull.
    let items = words(&[20.0, 20.0, 500.0, 20.0]);
    let lines = linebreak(&items, &plain(100.0));
    let overfull: Vec<_> = lines.iter().filter(|l| l.overfull).collect();
    assert_eq!(overfull.len(), 1);
    assert_eq!((overfull[0].start, overfull[0].end), (4, 5));
}

#[test]
fn a_hyphen_is_taken_only_when_it_pays() {
    // "aaaa bbbb-cccc": the first word and the first half of the second fill the measure
    // exactly (30 + 5 + 21 + 4 hyphen = 60), without the hyphen line 1 would be far too
    // loose. The hyphen pays.
    let items = {
        let mut v = vec![word(30.0), space(), word(21.0), hyphen(), word(30.0)];
        v.extend(paragraph_end());
        v
    };
    let lines = linebreak(&items, &plain(60.0));
    assert_eq!(ends(&lines), [3, 6]);
    assert!(lines[0].hyphenated);
    // With a measure that the unhyphenated words fill well, the hyphen is not used.
    let lines = linebreak(&items, &plain(86.0));
    assert!(lines.iter().all(|l| !l.hyphenated), "{lines:?}");
    // A decent line either way: "10 10 10 10|10 10" breaks at the space after the split
    // word with badness 30 (1568 demerits) rather than at its hyphen with badness 4
    // (188 + 150² = 22688); without the hyphen penalty the hyphen would win.
    let mut items = split_word(hyphen());
    // (No first pass without hyphens here: its own test is below.)
    let params = Params {
        final_hyphen_demerits: 0.0,
        pretolerance: -1.0,
        ..plain(62.0)
    };
    let lines = linebreak(&items, &params);
    assert_eq!(ends(&lines), [9, 12]);
    items[7] = Item::Penalty {
        width: 4.0,
        hang_right: 0.0,
        penalty: 0.0,
        flagged: true,
    };
    let lines = linebreak(&items, &params);
    assert_eq!(ends(&lines), [7, 12]);
    assert!(lines[0].hyphenated);
    // The final-hyphen demerits (5000) push it back to the space.
    let params = Params {
        final_hyphen_demerits: 5000.0,
        ..params
    };
    assert_eq!(ends(&linebreak(&items, &params)), [9, 12]);
}

#[test]
fn protrusion_lets_a_line_fit() {
    // Two words of 50 and a space: 105 pt natural, 103.5 at full shrink, measure 102.
    let mut items = words(&[50.0, 50.0, 30.0]);
    let params = plain(102.0);
    let lines = linebreak(&items, &params);
    assert_eq!(
        ends(&lines)[0],
        1,
        "without protrusion the second word goes down"
    );
    // A closing comma may hang 2 pt into the right margin: now 101.5 fits.
    items[2] = Item::Box {
        width: 50.0,
        hang_left: 0.0,
        hang_right: 2.0,
    };
    let lines = linebreak(&items, &params);
    assert_eq!(ends(&lines)[0], 3);
    assert_eq!(lines[0].hang_right, 2.0);
    assert!(lines[0].ratio < 0.0);
}

#[test]
fn expansion_takes_the_adjustment_before_the_spaces() {
    // 2 × 50 + 5 = 105 on a measure of 102: fonts shrink 2 % of 100 = 2 first, the glue
    // the last 1 of its 1.5.
    let items = words(&[50.0, 50.0, 30.0]);
    let params = Params {
        expansion: 0.02,
        ..plain(102.0)
    };
    let line = &linebreak(&items, &params)[0];
    assert_eq!(line.end, 3);
    assert_eq!(line.expansion_ratio, -1.0);
    assert_eq!(line.ratio, (-1.0f64 / 1.5) as f32);
    assert_eq!(line.scale, 0.98);
    // Within the fonts' reach the spaces keep their natural width: 2 × 50 + 5 on 104.
    let line = &linebreak(
        &items,
        &Params {
            expansion: 0.02,
            ..plain(104.0)
        },
    )[0];
    assert_eq!((line.end, line.ratio, line.expansion_ratio), (3, 0.0, -0.5));
    // Beyond their limit fonts stop at +2 % and glue takes the rest.
    let items = words(&[20.0, 20.0, 300.0]);
    let params = Params {
        expansion: 0.02,
        ..plain(60.0)
    };
    let line = &linebreak(&items, &params)[0];
    assert_eq!((line.end, line.expansion_ratio, line.scale), (3, 1.0, 1.02));
    // 60 − 45 = 15 pt: fonts take 0.8, glue 14.2 of its 3 pt of stretch.
    assert!((line.ratio - 14.2 / 3.0).abs() < 1e-5, "{line:?}");
}

#[test]
fn a_paragraph_that_sets_well_without_hyphens_gets_none() {
    // TeX's first pass (\pretolerance 100): "10 10 10 10 10-10 10" on 62 pt sets as
    // 10 10 10 10 10|10 10 at badness 30 without the hyphen; with no first pass the free
    // hyphen (penalty 0) wins at badness 4.
    let items = split_word(Item::Penalty {
        width: 4.0,
        hang_right: 0.0,
        penalty: 0.0,
        flagged: true,
    });
    let params = Params {
        final_hyphen_demerits: 0.0,
        ..plain(62.0)
    };
    let lines = linebreak(&items, &params);
    assert!(lines.iter().all(|l| !l.hyphenated), "{lines:?}");
    let lines = linebreak(
        &items,
        &Params {
            pretolerance: -1.0,
            ..params
        },
    );
    assert!(lines[0].hyphenated, "{lines:?}");
}

#[test]
fn emergency_stretch_avoids_overfull_lines() {
    // Every line must be very loose (r ≈ 2): infeasible at tolerance 200, fine with 3 pt
    // of emergency stretch per line.
    let items = words(&[40.0, 40.0, 40.0, 40.0, 40.0]);
    let params = plain(56.0);
    let lines = linebreak(&items, &params);
    assert!(lines.iter().all(|l| !l.overfull), "{lines:?}");
    assert_eq!(lines.len(), 5);
    // Without it the final pass still gives the same lines, never an overfull one.
    let params = Params {
        emergency_stretch: 0.0,
        ..params
    };
    assert_eq!(linebreak(&items, &params).len(), 5);
}

#[test]
fn first_lines_can_be_shorter() {
    // A drop cap shortens the first two lines to 40 pt.
    let items = words(&[15.0; 12]);
    let params = Params {
        widths: vec![40.0, 40.0, 90.0],
        ..plain(90.0)
    };
    let lines = linebreak(&items, &params);
    assert_eq!(lines[0].measure, 40.0);
    assert_eq!(lines[2].measure, 90.0);
    assert_eq!(lines[0].end, 3, "two words on the short line");
    assert!(lines.iter().all(|l| !l.overfull));
}

#[test]
fn a_long_paragraph_runs_in_linear_time() {
    // 100,000 words in one paragraph: the active list stays small, so this takes well
    // under a second even unoptimised.
    let widths: Vec<f32> = (0..100_000).map(|i| 10.0 + (i * 7 % 23) as f32).collect();
    let items = words(&widths);
    let lines = linebreak(&items, &Params::default());
    assert!(lines.len() > 5000);
    assert!(lines.iter().all(|l| !l.overfull && l.badness <= 200.0));
}

#[test]
fn defaults_are_the_documented_ones() {
    let p = Params::default();
    assert_eq!(
        (p.tolerance, p.line_penalty, p.adjacent_demerits),
        (200.0, 10.0, 10000.0)
    );
    assert_eq!(
        (p.double_hyphen_demerits, p.final_hyphen_demerits),
        (10000.0, 5000.0)
    );
    assert_eq!((p.emergency_stretch, p.expansion), (3.0, 0.02));
}

#[test]
fn total_demerits_accepts_any_lines() {
    let items = words(&[20.0, 20.0]);
    let mut line = linebreak(&items, &plain(100.0))[0].clone();
    assert_eq!(
        total_demerits(&items, &plain(100.0), &[line.clone()]),
        100.0
    );
    (line.start, line.end) = (7, 99);
    assert!(total_demerits(&items, &plain(100.0), &[line]).is_finite());
}
