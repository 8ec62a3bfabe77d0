//! YAML to the same span-keeping tree as JSON.

use super::json::{ParseError, Value};

/// # Errors
/// When the text is not valid YAML.
pub fn parse(text: &str) -> Result<Value<'_>, ParseError> {
    let _ = text;
    Err(ParseError { message: "YAML is not supported yet".into(), span: crate::source::Span::new(0, 0) })
}
