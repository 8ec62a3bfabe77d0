//! Policy documents embedded in other documents: as JSON objects, as JSON
//! strings, or URL-encoded as the IAM API returns them.

use crate::source::Span;
use crate::syntax::json::{Kind, Value, unescape_with_offsets};
use crate::syntax::text::{looks_url_encoded, percent_decode_with_offsets};

pub enum Embedded {
    /// The document is the JSON object itself.
    Object,
    /// The document is text inside a string literal: the decoded text and,
    /// for each of its bytes plus one, the offset from the literal's start.
    Decoded {
        doc: String,
        offsets: Vec<u32>,
    },
    NotAPolicy,
}

/// The text values were parsed from: a whole file, or the piece of one
/// that starts at file offset `base` (a large export is read piece by
/// piece).
#[derive(Clone, Copy)]
pub struct Text<'s> {
    source: &'s str,
    base: u32,
    /// Whether the text is JSON (not YAML or HCL): then a value's text is
    /// the value as written.
    pub json: bool,
}

impl<'s> Text<'s> {
    /// A whole file of any syntax.
    pub const fn whole(text: &'s str) -> Self {
        Self { source: text, base: 0, json: false }
    }

    /// A whole JSON file.
    pub const fn json(text: &'s str) -> Self {
        Self { source: text, base: 0, json: true }
    }

    /// A piece of a JSON file.
    pub const fn piece(text: &'s str, base: u32) -> Self {
        Self { source: text, base, json: true }
    }

    /// The source of a span of a value parsed from it.
    pub fn at(self, span: Span) -> &'s str {
        &self.source[(span.start - self.base) as usize..(span.end - self.base) as usize]
    }
}

/// Reads the policy held at `value`, a member of `text`.
pub fn embedded_document(text: Text<'_>, value: &Value<'_>) -> Embedded {
    match &value.kind {
        Kind::Object(_) => Embedded::Object,
        Kind::String(s) => {
            let raw = text.at(value.span);
            let Some((unescaped, map1)) = unescape_with_offsets(raw) else {
                return Embedded::NotAPolicy;
            };
            debug_assert_eq!(unescaped, s.as_ref());
            if looks_url_encoded(&unescaped) {
                let Some((doc, map2)) = percent_decode_with_offsets(&unescaped) else {
                    return Embedded::NotAPolicy;
                };
                let offsets = map2.iter().map(|&i| map1[i as usize]).collect();
                Embedded::Decoded { doc, offsets }
            } else if unescaped.trim_start().starts_with('{') {
                Embedded::Decoded { doc: unescaped, offsets: map1 }
            } else {
                Embedded::NotAPolicy
            }
        }
        _ => Embedded::NotAPolicy,
    }
}
