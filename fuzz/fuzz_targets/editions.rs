//! Fuzz target: bytes → a small book and a sequence of edits; after every edit, a build in
//! a session that kept its memo must equal a cold build to the byte (see
//! `folio::fuzzing::editions`).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(e) = folio::fuzzing::editions::run(data) {
        panic!("{e}");
    }
});
