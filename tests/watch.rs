//! `folio watch` as a user runs it: a save rebuilds, a broken save keeps the last good
//! outputs, Ctrl-C exits cleanly. Deadlines here only stop a hung test; nothing is timed.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;

fn temp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("folio-watch-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(d.join("book")).unwrap();
    for e in std::fs::read_dir("manuscript").unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, d.join("book").join(p.file_name().unwrap())).unwrap();
    }
    d
}

/// The watcher's stderr, line by line, on a channel.
fn spawn(dir: &Path, poll: bool) -> (Child, mpsc::Receiver<String>) {
    let env: &[(&str, &str)] = if poll {
        &[("FOLIO_WATCH_POLL", "1")]
    } else {
        &[]
    };
    spawn_with(dir, env)
}

/// `folio watch book --out out` in `dir` with extra environment variables.
fn spawn_with(dir: &Path, env: &[(&str, &str)]) -> (Child, mpsc::Receiver<String>) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_folio"));
    cmd.args(["watch", "book", "--out", "out"])
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("SOURCE_DATE_EPOCH", "1764000000")
        .envs(env.iter().copied())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let rx = support::lines(child.stderr.take().unwrap());
    (child, rx)
}

/// Waits for a line containing `what`; returns the lines read up to it.
fn wait_for(rx: &mpsc::Receiver<String>, what: &str) -> Vec<String> {
    support::wait_for(rx, what, "folio watch")
}

fn cold_build(dir: &Path, out: &str) {
    let o = Command::new(env!("CARGO_BIN_EXE_folio"))
        .args(["build", "book", "--out", out])
        .current_dir(dir)
        .env("SOURCE_DATE_EPOCH", "1764000000")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

fn interrupt(child: &mut Child) {
    // SIGINT is what Ctrl-C sends.
    let pid = i32::try_from(child.id()).expect("a pid fits in i32");
    // SAFETY: kill(2) with a live child's pid and a valid signal number touches no memory.
    let sent = unsafe { libc::kill(pid, libc::SIGINT) };
    assert_eq!(sent, 0, "SIGINT sent");
}

fn edit(dir: &Path, from: &str, to: &str) {
    let file = dir.join("book/01-the-escape-of-the-soul.md");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains(from), "{from:?} is in the manuscript");
    std::fs::write(&file, text.replacen(from, to, 1)).unwrap();
}

/// Kills the watcher if the test fails before it stops.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn watch_session(poll: bool) {
    let dir = temp(if poll { "poll" } else { "native" });
    let (child, rx) = spawn(&dir, poll);
    let mut guard = Guard(child);
    wait_for(&rx, "Watching");
    wait_for(&rx, "Built in");
    // A one-word edit: rebuilt, the pages it moved named, and the files exactly what a
    // cold build of the edited text writes.
    edit(&dir, "complicated matter", "complex matter");
    let lines = wait_for(&rx, "Rebuilt in");
    assert!(
        lines.last().unwrap().contains("changed"),
        "the rebuild says which pages changed: {lines:?}"
    );
    cold_build(&dir, "cold");
    for ext in ["pdf", "epub"] {
        let name = format!("the-escape-of-the-soul.{ext}");
        assert_eq!(
            std::fs::read(dir.join("out").join(&name)).unwrap(),
            std::fs::read(dir.join("cold").join(&name)).unwrap(),
            "the watched {ext} is byte-identical to a cold build"
        );
    }
    // A save that changes no byte rebuilds nothing, and says so (not "Rebuilt in 0 ms").
    // (The poller compares contents: to it such a save is no event at all.)
    if !poll {
        let file = dir.join("book/01-the-escape-of-the-soul.md");
        std::fs::write(&file, std::fs::read(&file).unwrap()).unwrap();
        let lines = wait_for(&rx, "nothing rebuilt");
        assert!(
            !lines.iter().any(|l| l.contains("Rebuilt")),
            "an unchanged save is not a rebuild: {lines:?}"
        );
    }
    // A broken edit: a located error, and the last good outputs stay as they were.
    let good = std::fs::read(dir.join("out/the-escape-of-the-soul.pdf")).unwrap();
    edit(
        &dir,
        "complex matter",
        "complex matter\n\n::: pullquot\nx\n:::\n",
    );
    let lines = wait_for(&rx, "last good outputs");
    assert!(
        lines
            .iter()
            .any(|l| l.contains("01-the-escape-of-the-soul.md:")),
        "the error is located: {lines:?}"
    );
    assert_eq!(
        std::fs::read(dir.join("out/the-escape-of-the-soul.pdf")).unwrap(),
        good
    );
    // Ctrl-C: a clean exit.
    interrupt(&mut guard.0);
    wait_for(&rx, "Stopped watching");
    let status = guard.0.wait().unwrap();
    assert_eq!(status.code(), Some(0));
}

#[test]
fn watch_rebuilds_on_save_keeps_good_outputs_and_stops_on_ctrl_c() {
    watch_session(false);
}

#[test]
fn watch_by_polling_does_the_same() {
    watch_session(true);
}

/// Every file in an output folder, by name.
fn outputs(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect()
}

/// Every Markdown file of a book, below its folder too, in name order (`SUMMARY.md` is
/// the contents, not a piece).
fn pieces(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            found.extend(pieces(&p));
        } else if p.extension().is_some_and(|x| x == "md") && !p.ends_with("SUMMARY.md") {
            found.push(p);
        }
    }
    found.sort();
    found
}

/// One edit of the scripted session, and what the watcher says when it has handled it.
struct Step {
    file: PathBuf,
    text: String,
    said: &'static str,
}

/// The edits an editor makes to any book: a word replaced in the body of its first piece,
/// a paragraph added to it, the book's title changed, a broken edit (a misspelt pull quote)
/// and its fix.
fn edits(book: &Path) -> Vec<Step> {
    let piece = pieces(book)
        .into_iter()
        .find(|p| std::fs::read_to_string(p).unwrap().contains(" the "))
        .expect("a piece with the word 'the'");
    let original = std::fs::read_to_string(&piece).unwrap();
    // The word after the front matter, so that the body's text changes.
    let body = original
        .strip_prefix("---")
        .and_then(|rest| rest.find("\n---").map(|end| end + 7))
        .unwrap_or(0);
    let at = body + original[body..].find(" the ").expect("'the' in the body");
    let one_word = format!("{} a {}", &original[..at], &original[at + 5..]);
    let longer = format!(
        "{one_word}\n\nA paragraph added for the second edition, long enough to move a line or two \
         of what follows it on the page and to be set across the whole measure.\n"
    );
    let broken = format!("{longer}\n\n::: pullquot\nThe air is thin.\n:::\n");
    let fixed = broken.replace("pullquot\n", "pullquote\n");
    let mut steps = vec![
        Step {
            file: piece.clone(),
            text: one_word,
            said: "Rebuilt in",
        },
        Step {
            file: piece.clone(),
            text: longer.clone(),
            said: "Rebuilt in",
        },
    ];
    let toml = book.join("book.toml");
    if let Ok(meta) = std::fs::read_to_string(&toml)
        && meta.contains("title = \"")
    {
        let retitled = meta.replacen("title = \"", "title = \"Revised: ", 1);
        steps.push(Step {
            file: toml,
            text: retitled,
            said: "Rebuilt in",
        });
    }
    steps.push(Step {
        file: piece.clone(),
        text: broken,
        said: "last good outputs",
    });
    steps.push(Step {
        file: piece,
        text: fixed,
        said: "Rebuilt in",
    });
    steps
}

/// The outputs after each step, and the watcher's report of each rebuild (pages changed,
/// pieces laid out), of one `folio watch` session over a copy of `fixture`.
type Snapshots = Vec<(String, std::collections::BTreeMap<String, Vec<u8>>)>;

fn watched(fixture: &Path, name: &str, env: &[(&str, &str)]) -> Snapshots {
    let dir = std::env::temp_dir().join(format!("folio-memo-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    support::copy_tree(fixture, &dir.join("book"));
    let (child, rx) = spawn_with(&dir, env);
    let _guard = Guard(child);
    let mut seen = vec![];
    let first = wait_for(&rx, "Built in");
    seen.push((first.last().unwrap().clone(), outputs(&dir.join("out"))));
    for step in edits(&dir.join("book")) {
        std::fs::write(&step.file, &step.text).unwrap();
        let lines = wait_for(&rx, step.said);
        seen.push((lines.last().unwrap().clone(), outputs(&dir.join("out"))));
    }
    let _ = std::fs::remove_dir_all(&dir);
    seen
}

/// The "N of M pieces laid out" of a watcher's line.
fn laid_out(line: &str) -> (usize, usize) {
    let inner = &line[line.find('(').unwrap() + 1..line.find(" laid out").unwrap()];
    let (n, m) = inner.split_once(" of ").unwrap();
    let m = m.split(' ').next().unwrap();
    (n.parse().unwrap(), m.parse().unwrap())
}

#[test]
fn every_fixture_watched_with_the_memo_on_and_off_gives_the_same_bytes_at_every_step() {
    // The switch that turns every cache off (`FOLIO_NO_MEMO=1`) is the reference: a watch
    // session over the same edits must write exactly the same files, and report the same
    // changed pages, with the memo on. Every fixture, so that every feature's cache is
    // crossed (figures, tables, notes, `[print]` editions, covers, SUMMARY.md order).
    let mut books: Vec<PathBuf> = std::fs::read_dir("tests/fixtures")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("book.toml").exists())
        .collect();
    books.sort();
    books.push(PathBuf::from("manuscript"));
    assert!(books.len() >= 8, "{books:?}");
    for book in books {
        let name = book.file_name().unwrap().to_string_lossy().into_owned();
        // The two sessions side by side: two processes, one per core.
        let (on, off) = std::thread::scope(|s| {
            let on = s.spawn(|| watched(&book, &format!("{name}-on"), &[]));
            let off = watched(&book, &format!("{name}-off"), &[("FOLIO_NO_MEMO", "1")]);
            (on.join().unwrap(), off)
        });
        assert_eq!(on.len(), off.len());
        let mut reused = false;
        for (step, ((said_on, files_on), (said_off, files_off))) in on.iter().zip(&off).enumerate()
        {
            assert_eq!(
                files_on.keys().collect::<Vec<_>>(),
                files_off.keys().collect::<Vec<_>>(),
                "{name}, step {step}: the same files"
            );
            for (file, bytes) in files_on {
                assert!(
                    bytes == &files_off[file],
                    "{name}, step {step}: {file} differs with the memo on ({said_on}) and off ({said_off})"
                );
            }
            if said_on.contains("laid out") {
                let (n_on, m) = laid_out(said_on);
                let (n_off, _) = laid_out(said_off);
                assert_eq!(n_off, m, "{name}, step {step}: the memo is off: {said_off}");
                reused |= n_on < m;
                // The changed-pages report is part of the output.
                let report = |s: &str| s.split_once("): ").map(|(_, c)| c.to_string());
                assert_eq!(report(said_on), report(said_off), "{name}, step {step}");
            }
        }
        let pieces = laid_out(&on[0].0).1;
        assert!(
            reused || pieces == 1,
            "{name}: with the memo on, some rebuild reused a piece: {on:?}",
            on = on.iter().map(|s| &s.0).collect::<Vec<_>>()
        );
    }
}
