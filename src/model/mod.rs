//! The policy model and its lowering from parsed JSON.

pub mod arn;
pub mod lower;
pub mod policy;
pub mod symbolic;

pub use lower::{KindHint, Lowered, Problem, SpanMap, lower, lower_json};
pub use policy::*;

/// Parses and lowers a standalone policy document (used by tests and docs).
///
/// # Errors
/// When the text is not valid JSON.
pub fn parse_policy(text: &str, hint: KindHint) -> Result<Lowered, crate::syntax::json::ParseError> {
    let root = crate::syntax::json::parse(text)?;
    let json = &text[root.span.start as usize..root.span.end as usize];
    Ok(lower_json(&root, json, hint, &SpanMap::Identity))
}
