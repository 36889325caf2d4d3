//! The speed benchmark (issue 5): a generated novel of ~200,000 words built through
//! `folio::build::build`, PDF and EPUB separately, plus the interview in `manuscript/`.
//!
//! ```sh
//! cargo bench --bench build                      # 5 rounds, medians per stage
//! cargo bench --bench build -- --rounds 9        # more rounds
//! cargo bench --bench build -- --generate-only   # just write target/bench-novel/
//! ```
//!
//! Each round builds the three cases one after the other, so slow spells on a noisy machine
//! hit all of them alike; one warm-up round is not counted. Figures are medians over the
//! rounds; the stage times come from the build's own `Report::timings`.

mod novel;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Seed and size of the generated novel: the same book every run.
const SEED: u64 = 0x5EED_F011_0B00_C5ED;
const WORDS: usize = 200_000;

struct Case {
    name: &'static str,
    book: PathBuf,
    pdf: bool,
    epub: bool,
    /// Per round: the whole `build` call and each stage.
    totals: Vec<Duration>,
    stages: Vec<Vec<(&'static str, Duration)>>,
    counts: Vec<(&'static str, usize)>,
    bytes: u64,
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut rounds = 5;
    let mut generate_only = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--rounds" => {
                rounds = it
                    .next()
                    .and_then(|n| n.parse().ok())
                    .expect("--rounds takes a number")
            }
            "--generate-only" => generate_only = true,
            // `cargo bench` passes `--bench`; a filter string may follow.
            _ => {}
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let novel_dir = target.join("bench-novel");
    let out_dir = target.join("bench-out");

    let t = Instant::now();
    let novel = novel::generate(&novel_dir, &root.join("manuscript"), SEED, WORDS)
        .expect("cannot write the generated novel");
    println!(
        "generated {} ({} words in {} chapters) in {:.0} ms",
        novel_dir.display(),
        novel.words,
        novel.chapters,
        ms(t.elapsed())
    );
    if generate_only {
        return;
    }

    let mut cases = vec![
        Case::new("novel pdf", &novel_dir, true, false),
        Case::new("novel epub", &novel_dir, false, true),
        Case::new("interview pdf", &root.join("manuscript"), true, false),
        Case::new("interview epub", &root.join("manuscript"), false, true),
    ];
    for round in 0..=rounds {
        for case in &mut cases {
            case.run(&out_dir, round > 0);
        }
    }
    println!("\n{rounds} rounds (+1 warm-up), medians; release profile, one thread\n");
    for case in &cases {
        case.print();
    }
    let novel_pdf = median(&cases[0].totals);
    println!(
        "novel PDF: {:.0} words per second",
        novel.words as f64 / novel_pdf.as_secs_f64()
    );
}

impl Case {
    fn new(name: &'static str, book: &Path, pdf: bool, epub: bool) -> Case {
        Case {
            name,
            book: book.to_path_buf(),
            pdf,
            epub,
            totals: Vec::new(),
            stages: Vec::new(),
            counts: Vec::new(),
            bytes: 0,
        }
    }

    fn run(&mut self, out_dir: &Path, record: bool) {
        let project = folio::project::Project::open(&self.book).expect("the book opens");
        let opts = folio::build::Options {
            out_dir: out_dir.join(self.name.replace(' ', "-")),
            pdf: self.pdf,
            epub: self.epub,
            print: Default::default(),
            pdf_standard: None,
        };
        let t = Instant::now();
        let report = folio::build::build(&project, &opts, &mut |_| {}).unwrap_or_else(|d| {
            panic!("{} failed: {:?}", self.name, d);
        });
        let total = t.elapsed();
        if record {
            self.totals.push(total);
            self.stages.push(report.timings);
            self.counts = report.counts;
            self.bytes = report
                .outputs
                .iter()
                .filter_map(|p| std::fs::metadata(p).ok())
                .map(|m| m.len())
                .sum();
        }
    }

    fn print(&self) {
        println!(
            "{:<16} total {:>8.1} ms   (min {:.1}, max {:.1})   output {} KB",
            self.name,
            ms(median(&self.totals)),
            ms(*self.totals.iter().min().unwrap_or(&Duration::ZERO)),
            ms(*self.totals.iter().max().unwrap_or(&Duration::ZERO)),
            self.bytes.div_ceil(1024),
        );
        let names: Vec<&str> = self
            .stages
            .first()
            .map(|s| s.iter().map(|(n, _)| *n).collect())
            .unwrap_or_default();
        for (k, name) in names.iter().enumerate() {
            let times: Vec<Duration> = self.stages.iter().map(|s| s[k].1).collect();
            println!("{:>16} {:>8.1} ms", name, ms(median(&times)));
        }
        for (what, n) in &self.counts {
            println!("{what:>20} {n}");
        }
        println!();
    }
}

fn median(v: &[Duration]) -> Duration {
    let mut v = v.to_vec();
    v.sort();
    match v.len() {
        0 => Duration::ZERO,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2,
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
