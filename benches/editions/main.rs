//! The editions benchmark (issue 9): what `folio watch` costs after an edit, against a cold
//! build, on the generated novel and on the interview, side by side in one run.
//!
//! ```sh
//! cargo bench --bench editions                  # 7 rounds, medians
//! cargo bench --bench editions -- --rounds 11
//! ```
//!
//! Per round and book, all in-process through `folio::build`, PDF and EPUB:
//! - **cold**: a build in a fresh `Session` (what `folio build` does);
//! - **edit**: in a session that has built the book, one word of one paragraph of one
//!   piece changed, then a rebuild (what `folio watch` does after a save);
//! - **touch**: the same file's modification time changed, nothing else, then a rebuild;
//! - **relayout**: the book's `lang` changed (en-GB and en-US in turn), which sets every
//!   page again: such a rebuild must not cost more than a cold build (issue 23).
//!
//! The book is copied to a scratch folder first; `SOURCE_DATE_EPOCH` is fixed so the clock
//! does not depend on the files' times. The three cases alternate within a round, so slow
//! spells hit all of them alike.

#[path = "../build/novel.rs"]
mod novel;

use folio::build::{Options, Session, build_in};
use folio::project::Project;
use std::path::Path;
use std::time::{Duration, Instant};

/// The same novel as the build benchmark.
const SEED: u64 = 0x5EED_F011_0B00_C5ED;
const WORDS: usize = 200_000;

fn main() {
    let rounds = novel::rounds(7);
    // A fixed clock, so a touch changes nothing in the outputs.
    // SAFETY: set before any thread starts; nothing reads the environment concurrently.
    unsafe { std::env::set_var("SOURCE_DATE_EPOCH", "1764000000") };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let scratch = root.join("target/bench-editions");
    let _ = std::fs::remove_dir_all(&scratch);
    let novel_dir = scratch.join("novel");
    let novel = novel::generate(&novel_dir, &root.join("manuscript"), SEED, WORDS)
        .expect("the novel is written");
    let interview = scratch.join("interview");
    copy(&root.join("manuscript"), &interview);
    println!(
        "editions benchmark: {rounds} rounds (+1 warm-up), medians in ms; the novel has {} words in {} chapters",
        novel.words, novel.chapters
    );
    println!(
        "{:<10} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8}",
        "book", "cold", "edit", "touch", "relayout", "edit %", "touch %", "relay %"
    );
    for (name, dir, file) in [
        ("novel", &novel_dir, "12-chapter.md"),
        ("interview", &interview, "01-the-escape-of-the-soul.md"),
    ] {
        let (cold, edit, touch, relayout) = measure(
            dir,
            &dir.join(file),
            &scratch.join(format!("out-{name}")),
            rounds,
        );
        println!(
            "{name:<10} {:>8.1} {:>8.1} {:>8.1} {:>8.1} {:>7.1}% {:>7.1}% {:>7.1}%",
            ms(cold),
            ms(edit),
            ms(touch),
            ms(relayout),
            100.0 * edit.as_secs_f64() / cold.as_secs_f64(),
            100.0 * touch.as_secs_f64() / cold.as_secs_f64(),
            100.0 * relayout.as_secs_f64() / cold.as_secs_f64()
        );
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        if p.is_file() {
            std::fs::copy(&p, to.join(p.file_name().unwrap())).unwrap();
        }
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// One build, timed: in `session`, or without one (what `folio build` does).
fn timed(session: Option<&mut Session>, book: &Path, out: &Path) -> Duration {
    timed_stages(session, book, out).0
}

/// [`timed`], with the build's own stage timings.
fn timed_stages(
    session: Option<&mut Session>,
    book: &Path,
    out: &Path,
) -> (Duration, Vec<(&'static str, Duration)>) {
    let opts = Options {
        out_dir: out.to_path_buf(),
        pdf: true,
        epub: true,
        print: Default::default(),
        pdf_standard: None,
    };
    let t = Instant::now();
    let project = Project::open(book).expect("the book opens");
    let report = match session {
        Some(s) => build_in(s, &project, &opts, &mut |_| {}),
        None => folio::build::build(&project, &opts, &mut |_| {}),
    }
    .expect("the book builds");
    (t.elapsed(), report.timings)
}

/// Stage timings of one kind of build, round after round.
#[derive(Default)]
struct Stages(Vec<(&'static str, Vec<Duration>)>);

impl Stages {
    fn add(&mut self, stages: Vec<(&'static str, Duration)>) {
        for (name, d) in stages {
            match self.0.iter_mut().find(|(n, _)| *n == name) {
                Some((_, v)) => v.push(d),
                None => self.0.push((name, vec![d])),
            }
        }
    }

    fn print(self, what: &str) {
        let stages: Vec<String> = self
            .0
            .into_iter()
            .map(|(n, v)| format!("{n} {:.1}", ms(median(v))))
            .collect();
        println!(
            "  {what} stages (medians, ms; epub runs beside manifest+pdf): {}",
            stages.join(", ")
        );
    }
}

/// Medians of (cold, edit, touch, relayout) over `rounds` rounds after a warm-up.
fn measure(
    book: &Path,
    file: &Path,
    out: &Path,
    rounds: usize,
) -> (Duration, Duration, Duration, Duration) {
    let original = std::fs::read_to_string(file).unwrap();
    // One word of one paragraph: the first " the " after the front matter becomes " a ",
    // and back in the next round (so each round edits).
    let body = original.find("\n\n").unwrap_or(0);
    let at = body
        + original[body..]
            .find(" the ")
            .expect("a paragraph with “the”");
    let edited = format!("{} a {}", &original[..at], &original[at + 5..]);
    // An edit that sets every page again: the book's language, en-GB and en-US in turn
    // (another hyphenation dictionary, another environment for every piece).
    let toml = book.join("book.toml");
    let toml_text = std::fs::read_to_string(&toml).unwrap();
    let lang_line = toml_text
        .lines()
        .find(|l| l.starts_with("lang = "))
        .expect("the book names its language")
        .to_string();
    let other_lang = if lang_line.contains("en-GB") {
        "lang = \"en-US\""
    } else {
        "lang = \"en-GB\""
    };
    let mut session = Session::default();
    timed(Some(&mut session), book, out);
    let (mut cold, mut edit, mut touch, mut relayout) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut cold_stages, mut edit_stages, mut relayout_stages) =
        (Stages::default(), Stages::default(), Stages::default());
    // `--edit-only`: no cold builds and no relayouts, for profiling the rebuild
    // (`perf record`).
    let edit_only = std::env::args().any(|a| a == "--edit-only");
    for round in 0..=rounds {
        // Cold: what `folio build` does, into its own folder.
        let (c, c_stages) = if edit_only {
            (Duration::ZERO, Vec::new())
        } else {
            timed_stages(None, book, &out.with_extension("cold"))
        };
        // Edit: alternate between the two texts so every round changes a word.
        let text = if round % 2 == 0 { &edited } else { &original };
        std::fs::write(file, text).unwrap();
        let (e, e_stages) = timed_stages(Some(&mut session), book, out);
        // Touch: a new modification time, the same bytes.
        let f = std::fs::File::options().append(true).open(file).unwrap();
        f.set_modified(std::time::SystemTime::now()).unwrap();
        drop(f);
        let t = timed(Some(&mut session), book, out);
        if round > 0 {
            cold.push(c);
            edit.push(e);
            touch.push(t);
            cold_stages.add(c_stages);
            edit_stages.add(e_stages);
        }
    }
    std::fs::write(file, &original).unwrap();
    // Relayouts after the edits: each sets every piece, after which the next edit sets its
    // whole piece once more (no paragraph of the new environment is kept yet).
    for round in 0..=rounds {
        if edit_only {
            relayout.push(Duration::ZERO);
            break;
        }
        let text = if round % 2 == 0 {
            toml_text.replace(&lang_line, other_lang)
        } else {
            toml_text.clone()
        };
        std::fs::write(&toml, text).unwrap();
        // A cold build of the same text beside each relayout (the same language: the two
        // dictionaries break differently), so the two are compared side by side.
        let (c, c_stages) = timed_stages(None, book, &out.with_extension("cold"));
        let (r, r_stages) = timed_stages(Some(&mut session), book, out);
        if round > 0 {
            cold.push(c);
            cold_stages.add(c_stages);
            relayout.push(r);
            relayout_stages.add(r_stages);
        }
    }
    std::fs::write(&toml, &toml_text).unwrap();
    cold_stages.print("cold");
    edit_stages.print("edit");
    relayout_stages.print("relayout");
    (median(cold), median(edit), median(touch), median(relayout))
}
