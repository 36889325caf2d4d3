//! folio: Markdown manuscripts to a typeset PDF and a reflowable EPUB 3.
//!
//! # Stages
//! 1. [`project::Project::open`]: a book folder or one `.md` file; every file read goes
//!    through it (containment, the clock).
//! 2. [`markdown::load`]: manuscript → [`model::Book`] (metadata checked by [`meta`]), or
//!    located diagnostics ([`diag`]).
//! 3. [`resolve::resolve`]: `Book` + its files + the faces → [`resolve::Resolved`], what
//!    both outputs print, decided once, with a structure element for every block.
//! 4. [`epub::epub`]: `Resolved` → EPUB bytes.
//! 5. `typeset`: `Resolved` + fonts + page spec → [`typeset::frame::Pages`] (with structure
//!    tags); then [`pdf::pdf`]: `Pages` → tagged PDF bytes.
//! 6. [`print::edition`]: the same `Pages` → the print edition (bleed, marks, covers) and
//!    the imposed booklet.
//! 7. [`build::build`] runs them and writes the outputs atomically.
#![forbid(unsafe_code)]

pub mod assets;
pub mod build;
pub mod credits;
pub mod diag;
pub mod dump;
pub mod epub;
pub mod escape;
#[doc(hidden)]
pub mod fuzzing;
pub mod hash;
pub mod ident;
pub mod image;
pub mod isbn;
pub mod lang;
pub mod lint;
pub mod manifest;
pub mod markdown;
pub mod memo;
pub mod meta;
pub mod model;
pub mod output;
pub mod pdf;
pub mod preview;
pub mod print;
pub mod project;
pub mod raster;
pub mod resolve;
pub mod scaffold;
pub mod serve;
pub mod settings;
pub mod typeset;
pub mod typography;
pub mod watch;
