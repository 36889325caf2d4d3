//! The PDF writer: [`crate::typeset::frame::Pages`] → bytes (to be written).
