//! Fuzz target: bytes → book.toml + pieces → loaded model (metadata, Markdown, diagnostics).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| folio::fuzzing::run(data, false));
