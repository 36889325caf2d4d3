//! Typesetting: `Book` + fonts + page spec → [`frame::Pages`].

pub mod font;
pub mod frame;
pub mod hyphenate;
pub mod linebreak;
pub mod shape;
