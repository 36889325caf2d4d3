//! `folio watch` as a user runs it: a save rebuilds, a broken save keeps the last good
//! outputs, Ctrl-C exits cleanly. Deadlines here only stop a hung test; nothing is timed.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// Long enough for a debug build of the interview on a busy 2-core machine.
const DEADLINE: Duration = Duration::from_secs(120);

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
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_folio"));
    cmd.args(["watch", "book", "--out", "out"])
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("SOURCE_DATE_EPOCH", "1764000000")
        .stderr(Stdio::piped());
    if poll {
        cmd.env("FOLIO_WATCH_POLL", "1");
    }
    let mut child = cmd.spawn().unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    (child, rx)
}

/// Waits for a line containing `what`; returns the lines read up to it.
fn wait_for(rx: &mpsc::Receiver<String>, what: &str) -> Vec<String> {
    let mut seen = Vec::new();
    loop {
        match rx.recv_timeout(DEADLINE) {
            Ok(line) => {
                let hit = line.contains(what);
                seen.push(line);
                if hit {
                    return seen;
                }
            }
            Err(_) => panic!("no line with {what:?} from folio watch; it said {seen:#?}"),
        }
    }
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
