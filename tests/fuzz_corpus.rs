//! Replays the fuzzers' corpus (`fuzz/corpus/*`) and every crash they ever found
//! (`fuzz/regressions/`) through the same harness as the fuzz targets: each `load` and
//! `outputs` input loads, and builds both outputs in memory, without a panic; each
//! `editions` input's edits rebuild in a session to the bytes of a cold build. Runs in
//! every `cargo test`, so a finding once fixed stays fixed without the fuzzing toolchain.

use std::path::Path;

fn inputs(dir: &str) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(inputs(&p.to_string_lossy()));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}

#[test]
fn the_fuzz_corpus_and_every_crash_found_build_without_a_panic() {
    let mut seen = 0;
    for dir in ["fuzz/corpus", "fuzz/regressions"] {
        for p in inputs(dir) {
            if is_editions(&p) {
                continue;
            }
            let data = std::fs::read(&p).unwrap();
            let outputs = !Path::new(&p).starts_with("fuzz/corpus/load");
            let r = std::panic::catch_unwind(|| folio::fuzzing::run(&data, outputs));
            assert!(r.is_ok(), "{} panics", p.display());
            seen += 1;
        }
    }
    assert!(
        seen >= 10,
        "the corpus is in the repository ({seen} inputs)"
    );
}

/// Whether an input is the `editions` target's (its corpus, or a finding named for it).
fn is_editions(p: &Path) -> bool {
    p.starts_with("fuzz/corpus/editions") || p.starts_with("fuzz/regressions/editions")
}

#[test]
fn the_editions_corpus_rebuilds_in_a_session_to_the_bytes_of_a_cold_build() {
    let mut seen = 0;
    for dir in ["fuzz/corpus/editions", "fuzz/regressions/editions"] {
        for p in inputs(dir) {
            let data = std::fs::read(&p).unwrap();
            if let Err(e) = folio::fuzzing::editions::run(&data) {
                panic!("{}: {e}", p.display());
            }
            seen += 1;
        }
    }
    assert!(
        seen >= 7,
        "the editions corpus is in the repository ({seen} inputs)"
    );
}
