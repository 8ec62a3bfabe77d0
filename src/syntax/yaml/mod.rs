//! YAML (CloudFormation templates) to the same span-keeping tree as JSON.
//!
//! `saphyr-parser` turns the text into events; [`parse`] reads them in order,
//! locates each in the text ([`locate`]), and hands it to the tree builder
//! ([`tree`]), which reads scalars as CloudFormation does ([`scalars`]):
//!
//! - Plain scalars are typed: `true`/`True`/`TRUE` (and `false` alike) are
//!   booleans; `null`/`Null`/`NULL`/`~` and the empty scalar are null; decimal
//!   integers and floats are numbers (borrowing the text exactly as written);
//!   everything else, and every quoted or block scalar, is a string.
//! - The short forms of intrinsic functions become their long form, an object
//!   with one member: `!Ref X` is `{"Ref": "X"}`, `!Sub [..]` is
//!   `{"Fn::Sub": [..]}`. The tagged node keeps its own span as the member's
//!   value; the object's span and the member's key span cover the tag and the
//!   node. A tagged scalar is always a string (`!GetAtt Role.Arn` is the string
//!   `"Role.Arn"`). Unknown local tags are rejected, as CloudFormation does.
//! - Aliases are expanded into copies of the anchored node, spans included
//!   (a copy points at the anchored text). Anchor and alias copies together
//!   may produce at most [`MAX_ALIAS_NODES`] nodes, which stops alias bombs
//!   before they cost any time or memory. Merge keys (`<<`) are plain keys,
//!   as CloudFormation does not support them.
//! - Nesting is bounded by [`MAX_DEPTH`](super::json::MAX_DEPTH), counting the objects that short
//!   forms become, so that the tree is never deeper than a JSON one.
//! - Duplicate keys are all kept, as the JSON parser does.
//! - A template is one document: an empty file is an error, and so is a
//!   second document.
//! - A line of a flow collection or a quoted scalar indented no deeper than
//!   its key, which the YAML specification forbids, is taken as `PyYAML` and
//!   CloudFormation take it ([`lenient`]).
//!
//! Spans are byte offsets. A quoted scalar's span includes its quotes; a block
//! scalar's span runs from its `|` or `>` indicator to the end of its last
//! non-blank line. Plain and quoted strings are borrowed from the text
//! whenever the text of the span (inside the quotes) is exactly the value;
//! block scalars are always owned.

mod lenient;
mod locate;
mod scalars;
#[cfg(test)]
mod tests;
mod tree;

use saphyr_parser::{Event, Parser};

use locate::{Offsets, error_at};
use tree::Builder;
pub use tree::MAX_ALIAS_NODES;

use super::json::{ParseError, Value};

/// Parses a YAML text holding one document.
///
/// # Errors
/// When the text is not valid YAML, holds no document or more than one, uses a
/// tag CloudFormation does not know, nests deeper than
/// [`MAX_DEPTH`](super::json::MAX_DEPTH), or has aliases that expand to more
/// than [`MAX_ALIAS_NODES`] nodes.
pub fn parse(text: &str) -> Result<Value<'_>, ParseError> {
    match parse_exact(text) {
        Err(e) if lenient::is_indentation(&e) => lenient::reparse(text, &e).ok_or(e),
        parsed => parsed,
    }
}

/// [`parse`], holding to the specification's indentation.
fn parse_exact(text: &str) -> Result<Value<'_>, ParseError> {
    if u32::try_from(text.len()).is_err() {
        return Err(error_at(0, "file is larger than 4 GiB"));
    }
    let offsets = Offsets::new(text);
    let mut tree = Builder::new(text);
    let mut documents = 0;
    let mut events = Parser::new_from_str(text);
    while let Some(next) = events.next_event() {
        let (event, marks) = next.map_err(|e| locate::scan_error(text, &offsets, &e))?;
        let start = offsets.byte(text, marks.start.index());
        let end = offsets.byte(text, marks.end.index()).max(start);
        match event {
            Event::Nothing | Event::StreamStart | Event::DocumentEnd => {}
            Event::StreamEnd => break,
            Event::DocumentStart(explicit) => {
                documents += 1;
                if documents > 1 {
                    return Err(error_at(start, "more than one YAML document: a template is one document"));
                }
                if !explicit {
                    // The span is the first token's, perhaps a whole block scalar.
                    continue;
                }
            }
            Event::Alias(id) => tree.alias(id, start, end)?,
            Event::Scalar(value, style, anchor, tag) => {
                tree.scalar(value, style, anchor, tag.as_deref(), start, end)?;
            }
            Event::SequenceStart(anchor, tag) => tree.open(false, anchor, tag.as_deref(), start, end)?,
            Event::MappingStart(anchor, tag) => tree.open(true, anchor, tag.as_deref(), start, end)?,
            Event::SequenceEnd | Event::MappingEnd => tree.close(start, end)?,
        }
        tree.last_end = tree.last_end.max(end);
    }
    tree.root().ok_or_else(|| error_at(0, "the file is empty"))
}
