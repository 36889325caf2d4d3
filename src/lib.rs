//! folio: Markdown manuscripts to a typeset PDF and a reflowable EPUB 3.
#![forbid(unsafe_code)]

pub mod pdf;
pub mod typeset;
