//! Fuzz target: bytes → book.toml + pieces → the PDF and the EPUB, in memory.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| folio::fuzzing::run(data, true));
