//! What the tests of long-running commands (`folio watch`, `folio serve`) share: copying a
//! book, reading a child's stderr line by line, waiting for a line.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

/// Long enough for a debug build of a fixture on a busy 2-core machine.
pub const DEADLINE: Duration = Duration::from_secs(120);

/// Copies the folder `from` to `to`, folders below it included.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let dest = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_tree(&p, &dest);
        } else {
            std::fs::copy(&p, &dest).unwrap();
        }
    }
}

/// A child's output, line by line, on a channel (read on a thread of its own).
pub fn lines(output: impl Read + Send + 'static) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(output).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// Waits for a line containing `what` from `who`; returns the lines read up to it.
pub fn wait_for(rx: &mpsc::Receiver<String>, what: &str, who: &str) -> Vec<String> {
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
            Err(_) => panic!("no line with {what:?} from {who}; it said {seen:#?}"),
        }
    }
}
