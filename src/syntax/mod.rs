//! Parsers that keep source positions.

pub mod json;
pub mod text;
pub mod yaml;
