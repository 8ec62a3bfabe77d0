//! YAML (CloudFormation templates) to the same span-keeping tree as JSON.
//!
//! `saphyr-parser` turns the text into events; this module builds the tree
//! from them without recursion, reading scalars as CloudFormation does:
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
//! - Nesting is bounded by [`MAX_DEPTH`], counting the objects that short
//!   forms become, so that the tree is never deeper than a JSON one.
//! - Duplicate keys are all kept, as the JSON parser does.
//! - A template is one document: an empty file is an error, and so is a
//!   second document.
//!
//! Spans are byte offsets. A quoted scalar's span includes its quotes; a block
//! scalar's span runs from its `|` or `>` indicator to the end of its last
//! non-blank line. Plain and quoted strings are borrowed from the text
//! whenever the text of the span (inside the quotes) is exactly the value;
//! block scalars are always owned.

use std::borrow::Cow;
use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Tag};

use super::json::{Kind, MAX_DEPTH, Member, ParseError, Value};
use crate::source::Span;

/// How many nodes anchors and aliases may copy in one document. No real
/// template comes near it, and it bounds the work an alias bomb can cause.
pub const MAX_ALIAS_NODES: usize = 1_000_000;

/// Parses a YAML text holding one document.
///
/// # Errors
/// When the text is not valid YAML, holds no document or more than one, uses a
/// tag CloudFormation does not know, nests deeper than [`MAX_DEPTH`], or has
/// aliases that expand to more than [`MAX_ALIAS_NODES`] nodes.
pub fn parse(text: &str) -> Result<Value<'_>, ParseError> {
    if u32::try_from(text.len()).is_err() {
        return Err(error_at(0, "file is larger than 4 GiB"));
    }
    Builder::new(text).run()
}

#[allow(clippy::cast_possible_truncation)] // `parse` rejects texts longer than u32::MAX
const fn off(pos: usize) -> u32 {
    pos as u32
}

fn span(start: usize, end: usize) -> Span {
    Span::new(off(start), off(end))
}

fn error_at(pos: usize, message: impl Into<String>) -> ParseError {
    ParseError { message: message.into(), span: span(pos, pos) }
}

fn depth_error(pos: usize) -> ParseError {
    error_at(pos, format!("nested more than {MAX_DEPTH} levels deep"))
}

/// Maps the parser's positions, which count characters, to byte offsets.
struct Offsets {
    /// `None` for ASCII text. Otherwise the byte offset of every `STEP`-th
    /// character, so that a lookup walks at most `STEP - 1` characters.
    checkpoints: Option<Vec<u32>>,
}

impl Offsets {
    const STEP: usize = 32;

    fn new(text: &str) -> Self {
        let checkpoints = (!text.is_ascii())
            .then(|| text.char_indices().step_by(Self::STEP).map(|(i, _)| off(i)).collect());
        Self { checkpoints }
    }

    fn byte(&self, text: &str, index: usize) -> usize {
        let Some(checkpoints) = &self.checkpoints else { return index.min(text.len()) };
        let Some(&start) = checkpoints.get(index / Self::STEP) else { return text.len() };
        let bytes = text.as_bytes();
        let mut pos = start as usize;
        for _ in 0..index % Self::STEP {
            let Some(&lead) = bytes.get(pos) else { break };
            pos += match lead {
                0..0x80 => 1,
                0xE0..0xF0 => 3,
                0xF0.. => 4,
                _ => 2,
            };
        }
        pos.min(text.len())
    }
}

/// What a tag asks for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Resolved {
    Untagged,
    /// The non-specific `!`: the scalar is a string.
    NonSpecific,
    /// A short-form intrinsic function, by its long name.
    Function(&'static str),
    Str,
    Int,
    Float,
    Bool,
    Null,
    Map,
    Seq,
}

/// The long name of a CloudFormation short-form tag (`!Sub` is `Fn::Sub`).
fn function_name(suffix: &str) -> Option<&'static str> {
    Some(match suffix {
        "Ref" => "Ref",
        "Condition" => "Condition",
        "And" => "Fn::And",
        "Base64" => "Fn::Base64",
        "Cidr" => "Fn::Cidr",
        "Contains" => "Fn::Contains",
        "EachMemberEquals" => "Fn::EachMemberEquals",
        "EachMemberIn" => "Fn::EachMemberIn",
        "Equals" => "Fn::Equals",
        "FindInMap" => "Fn::FindInMap",
        "ForEach" => "Fn::ForEach",
        "GetAZs" => "Fn::GetAZs",
        "GetAtt" => "Fn::GetAtt",
        "If" => "Fn::If",
        "ImportValue" => "Fn::ImportValue",
        "Join" => "Fn::Join",
        "Length" => "Fn::Length",
        "Not" => "Fn::Not",
        "Or" => "Fn::Or",
        "RefAll" => "Fn::RefAll",
        "Select" => "Fn::Select",
        "Split" => "Fn::Split",
        "Sub" => "Fn::Sub",
        "ToJsonString" => "Fn::ToJsonString",
        "Transform" => "Fn::Transform",
        "ValueOf" => "Fn::ValueOf",
        "ValueOfAll" => "Fn::ValueOfAll",
        _ => return None,
    })
}

/// Decimal integers and floats: `[-+]?(digits[.digits?]|.digits)([eE][-+]?digits)?`.
fn is_number(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'-' | b'+')));
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    let mut mantissa = digits(&mut i);
    if b.get(i) == Some(&b'.') {
        i += 1;
        mantissa += digits(&mut i);
    }
    if mantissa == 0 {
        return false;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'-' | b'+')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

fn bool_value(s: &str) -> Option<bool> {
    match s {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

fn is_null(s: &str) -> bool {
    matches!(s, "" | "~" | "null" | "Null" | "NULL")
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// A finished node, with what alias expansion needs to know of it.
#[derive(Clone)]
struct Node<'s> {
    value: Value<'s>,
    /// Values in the subtree, itself included.
    size: usize,
    /// Levels below the node: 0 for a scalar or an empty collection.
    height: usize,
}

enum Items<'s> {
    Seq(Vec<Value<'s>>),
    /// The members so far and the key waiting for its value.
    Map(Vec<Member<'s>>, Option<(Cow<'s, str>, Span)>),
}

/// A collection being built.
struct Frame<'s> {
    items: Items<'s>,
    /// Where the node's properties (tag, anchor) start.
    outer_start: usize,
    /// Where the collection itself starts.
    start: usize,
    /// The end of the collection's text so far.
    end: usize,
    /// The collection's depth in the tree.
    depth: usize,
    function: Option<&'static str>,
    anchor: usize,
    /// Values below the collection so far.
    size: usize,
    height: usize,
}

struct Builder<'s> {
    text: &'s str,
    offsets: Offsets,
    stack: Vec<Frame<'s>>,
    root: Option<Value<'s>>,
    /// Finished anchored nodes by the parser's anchor id.
    anchors: HashMap<usize, Node<'s>>,
    /// Whether the text can hold an alias at all; if not, anchored nodes
    /// need no copy.
    may_alias: bool,
    /// Nodes copied for anchors and aliases so far.
    copied: usize,
    /// The end of the last token read, where the search for a block scalar's
    /// indicator starts.
    last_end: usize,
    documents: usize,
}

impl<'s> Builder<'s> {
    fn new(text: &'s str) -> Self {
        Self {
            text,
            offsets: Offsets::new(text),
            stack: Vec::new(),
            root: None,
            anchors: HashMap::new(),
            may_alias: text.as_bytes().contains(&b'*'),
            copied: 0,
            last_end: 0,
            documents: 0,
        }
    }

    fn run(mut self) -> Result<Value<'s>, ParseError> {
        let mut events = Parser::new_from_str(self.text);
        while let Some(next) = events.next_event() {
            let (event, marks) = next.map_err(|e| self.scan_error(&e))?;
            let start = self.offsets.byte(self.text, marks.start.index());
            let end = self.offsets.byte(self.text, marks.end.index()).max(start);
            match event {
                Event::Nothing | Event::StreamStart | Event::DocumentEnd => {}
                Event::StreamEnd => break,
                Event::DocumentStart(explicit) => {
                    self.documents += 1;
                    if self.documents > 1 {
                        return Err(error_at(
                            start,
                            "more than one YAML document: a template is one document",
                        ));
                    }
                    if !explicit {
                        // The span is the first token's, perhaps a whole block scalar.
                        continue;
                    }
                }
                Event::Alias(id) => self.alias(id, start, end)?,
                Event::Scalar(value, style, anchor, tag) => {
                    self.scalar(value, style, anchor, tag.as_deref(), start, end)?;
                }
                Event::SequenceStart(anchor, tag) => self.open(false, anchor, tag.as_deref(), start, end)?,
                Event::MappingStart(anchor, tag) => self.open(true, anchor, tag.as_deref(), start, end)?,
                Event::SequenceEnd | Event::MappingEnd => self.close(start, end)?,
            }
            self.last_end = self.last_end.max(end);
        }
        self.root.ok_or_else(|| error_at(0, "the file is empty"))
    }

    fn scan_error(&self, e: &ScanError) -> ParseError {
        let pos = self.offsets.byte(self.text, e.marker().index());
        let message = match e.info() {
            "recursion limit exceeded" => "flow collections nested more than 255 levels deep".to_owned(),
            "while parsing node, found unknown anchor" => {
                let name = self.text[pos..].split(|c: char| c.is_whitespace() || ",[]{}".contains(c)).next();
                format!("no anchor is defined for the alias `{}`", name.unwrap_or_default())
            }
            "unexpected eof" => "unexpected end of file".to_owned(),
            info => info.to_owned(),
        };
        error_at(pos, message)
    }

    /// The depth of the next node.
    fn child_depth(&self) -> usize {
        self.stack.last().map_or(0, |f| f.depth + 1)
    }

    fn awaiting_key(&self) -> bool {
        matches!(self.stack.last(), Some(Frame { items: Items::Map(_, None), .. }))
    }

    /// Skips the properties (tag and anchor), spaces and comments at `pos`,
    /// not past `limit`: where the node's content starts, and the tag's span.
    fn skip_properties(&self, mut pos: usize, limit: usize) -> (usize, Option<Span>) {
        let b = self.text.as_bytes();
        let mut tag = None;
        while pos < limit {
            match b[pos] {
                c if is_space(c) => pos += 1,
                b'#' => {
                    while pos < limit && b[pos] != b'\n' {
                        pos += 1;
                    }
                }
                c @ (b'!' | b'&') => {
                    let start = pos;
                    if c == b'!' && b.get(pos + 1) == Some(&b'<') {
                        while pos < limit && b[pos] != b'>' {
                            pos += 1;
                        }
                        pos = (pos + 1).min(limit);
                    } else {
                        while pos < limit && !is_space(b[pos]) && !b"[]{},".contains(&b[pos]) {
                            pos += 1;
                        }
                    }
                    if c == b'!' {
                        tag = Some(span(start, pos));
                    }
                }
                _ => break,
            }
        }
        (pos, tag)
    }

    /// The first (or last) byte in `from..to` that is one of `targets` and
    /// not inside a comment.
    fn find_outside_comments(&self, from: usize, to: usize, targets: &[u8], last: bool) -> Option<usize> {
        let b = self.text.as_bytes();
        let mut found = None;
        let mut comment = false;
        for i in from..to {
            match b[i] {
                b'\n' => comment = false,
                b'#' if i == 0 || is_space(b[i - 1]) => comment = true,
                c if !comment && targets.contains(&c) => {
                    found = Some(i);
                    if !last {
                        break;
                    }
                }
                _ => {}
            }
        }
        found
    }

    /// The end of the quoted scalar whose opening quote is at `open`: the
    /// parser's own end may include spaces and a comment after the quote.
    fn quoted_end(&self, open: usize, limit: usize) -> usize {
        let b = self.text.as_bytes();
        let Some(&quote) = b.get(open) else { return limit };
        let mut i = open + 1;
        while i < limit {
            match b[i] {
                b'\\' if quote == b'"' => i += 2,
                b'\'' if quote == b'\'' && b.get(i + 1) == Some(&b'\'') => i += 2,
                c if c == quote => return i + 1,
                _ => i += 1,
            }
        }
        limit
    }

    fn resolve(&self, tag: Option<&Tag>, tag_span: Option<Span>, pos: usize) -> Result<Resolved, ParseError> {
        let Some(tag) = tag else { return Ok(Resolved::Untagged) };
        let written = || tag_span.map_or_else(|| tag.to_string(), |s| self.text[s.range()].to_owned());
        let fail = |message: String| {
            let span = tag_span.unwrap_or_else(|| span(pos, pos));
            Err(ParseError { message, span })
        };
        if tag.handle == "!" {
            match function_name(&tag.suffix) {
                Some(name) => Ok(Resolved::Function(name)),
                None => fail(format!("unknown tag `{}`", written())),
            }
        } else if tag.handle.is_empty() && tag.suffix == "!" {
            Ok(Resolved::NonSpecific)
        } else if tag.is_yaml_core_schema() {
            Ok(match tag.suffix.as_str() {
                "str" => Resolved::Str,
                "int" => Resolved::Int,
                "float" => Resolved::Float,
                "bool" => Resolved::Bool,
                "null" => Resolved::Null,
                "map" => Resolved::Map,
                "seq" => Resolved::Seq,
                _ => return fail(format!("unsupported tag `{}`", written())),
            })
        } else {
            fail(format!("unsupported tag `{}`", written()))
        }
    }

    fn scalar(
        &mut self,
        raw: Cow<'s, str>,
        style: ScalarStyle,
        anchor: usize,
        tag: Option<&Tag>,
        start: usize,
        end: usize,
    ) -> Result<(), ParseError> {
        let has_properties = anchor != 0 || tag.is_some();
        if self.stack.is_empty() && !has_properties && style == ScalarStyle::Plain && raw.is_empty() {
            return Err(error_at(0, "the file is empty"));
        }
        let (own, tag_span) = if has_properties { self.skip_properties(start, end) } else { (start, None) };
        let resolved = self.resolve(tag, tag_span, start)?;
        let function = match resolved {
            Resolved::Function(name) => Some(name),
            _ => None,
        };
        if self.child_depth() + usize::from(function.is_some()) >= MAX_DEPTH {
            return Err(depth_error(own));
        }
        // The span, and where the value would be in the text if written as is.
        let (value_span, inner) = match style {
            // An empty node's event may carry the span of the token after it.
            ScalarStyle::Plain if raw.is_empty() => (span(own, own), Some(own..own)),
            ScalarStyle::Plain => {
                let end = own + self.text[own..end].trim_end().len();
                (span(own, end), Some(own..end))
            }
            ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => {
                let end = self.quoted_end(own, end);
                (span(own, end), (end >= own + 2).then(|| own + 1..end - 1))
            }
            ScalarStyle::Literal | ScalarStyle::Folded => {
                let indicator = if has_properties {
                    own
                } else {
                    self.find_outside_comments(self.last_end.min(start), start, b"|>", true).unwrap_or(start)
                };
                let body_end = indicator + self.text[indicator..end].trim_end().len();
                (span(indicator, body_end.max((indicator + 1).min(end))), None)
            }
        };
        let string = match inner {
            Some(range) if self.text.get(range.clone()) == Some(&*raw) => Cow::Borrowed(&self.text[range]),
            _ => raw,
        };
        let core_mismatch = |what: &str, string: &str| {
            Err(ParseError {
                message: format!("`{string}` is not {what}"),
                span: tag_span.unwrap_or(value_span),
            })
        };
        let kind = match resolved {
            Resolved::Untagged if style == ScalarStyle::Plain => match string {
                Cow::Borrowed(s) if is_number(s) => Kind::Number(s),
                s => match bool_value(&s) {
                    Some(b) => Kind::Bool(b),
                    None if is_null(&s) => Kind::Null,
                    None => Kind::String(s),
                },
            },
            Resolved::Untagged | Resolved::NonSpecific | Resolved::Function(_) | Resolved::Str => {
                Kind::String(string)
            }
            Resolved::Int | Resolved::Float => match string {
                Cow::Borrowed(s) if is_number(s) => Kind::Number(s),
                s => return core_mismatch("a number", &s),
            },
            Resolved::Bool => match bool_value(&string) {
                Some(b) => Kind::Bool(b),
                None => return core_mismatch("a boolean", &string),
            },
            Resolved::Null if is_null(&string) => Kind::Null,
            Resolved::Null => return core_mismatch("null", &string),
            Resolved::Map | Resolved::Seq => {
                return Err(ParseError {
                    message: format!("a scalar cannot have the tag `{}`", tag_text(self.text, tag_span)),
                    span: tag_span.unwrap_or(value_span),
                });
            }
        };
        let node = Node { value: Value { span: value_span, kind }, size: 1, height: 0 };
        self.finish(node, function, start, anchor)
    }

    fn open(
        &mut self,
        map: bool,
        anchor: usize,
        tag: Option<&Tag>,
        start: usize,
        end: usize,
    ) -> Result<(), ParseError> {
        if self.awaiting_key() {
            let what = if map { "mapping" } else { "sequence" };
            return Err(error_at(start, format!("a mapping key must be a scalar, not a {what}")));
        }
        let (mut own, tag_span) =
            if anchor != 0 || tag.is_some() { self.skip_properties(start, end) } else { (start, None) };
        if !map && !matches!(self.text.as_bytes().get(own), Some(b'-' | b'[')) {
            // A sequence not indented under its key starts after its first
            // `-`; find that `-`.
            if let Some(dash) = self.find_outside_comments(self.last_end.min(own), own, b"-", false) {
                own = dash;
            }
        }
        let function = match self.resolve(tag, tag_span, start)? {
            Resolved::Function(name) => Some(name),
            Resolved::Untagged | Resolved::NonSpecific => None,
            Resolved::Map if map => None,
            Resolved::Seq if !map => None,
            _ => {
                let what = if map { "mapping" } else { "sequence" };
                return Err(ParseError {
                    message: format!("a {what} cannot have the tag `{}`", tag_text(self.text, tag_span)),
                    span: tag_span.unwrap_or_else(|| span(start, start)),
                });
            }
        };
        let depth = self.child_depth() + usize::from(function.is_some());
        if depth >= MAX_DEPTH {
            return Err(depth_error(own));
        }
        let items = if map { Items::Map(Vec::new(), None) } else { Items::Seq(Vec::new()) };
        self.stack.push(Frame {
            items,
            outer_start: start,
            start: own,
            end: end.max(own),
            depth,
            function,
            anchor,
            size: 0,
            height: 0,
        });
        Ok(())
    }

    fn close(&mut self, start: usize, end: usize) -> Result<(), ParseError> {
        let Some(frame) = self.stack.pop() else { return Ok(()) };
        // A flow collection ends at its bracket (the event's span may run on
        // over spaces and a comment); a block one (or a flow mapping of one
        // pair inside a sequence) at its last entry.
        let close = if end > start && matches!(self.text.as_bytes().get(start), Some(b']' | b'}')) {
            start + 1
        } else {
            frame.end
        };
        let kind = match frame.items {
            Items::Seq(items) => Kind::Array(items),
            Items::Map(members, _) => Kind::Object(members),
        };
        let value = Value { span: span(frame.start, close.max(frame.start)), kind };
        let node = Node { value, size: frame.size + 1, height: frame.height };
        self.finish(node, frame.function, frame.outer_start, frame.anchor)
    }

    /// Wraps a finished node in its function's object, records its anchor and
    /// hands it to its parent.
    fn finish(
        &mut self,
        mut node: Node<'s>,
        function: Option<&'static str>,
        outer_start: usize,
        anchor: usize,
    ) -> Result<(), ParseError> {
        if let Some(name) = function {
            let outer = Span::new(off(outer_start), node.value.span.end);
            let member = Member { key: Cow::Borrowed(name), key_span: outer, value: node.value };
            node = Node {
                value: Value { span: outer, kind: Kind::Object(vec![member]) },
                size: node.size + 1,
                height: node.height + 1,
            };
        }
        if anchor != 0 && self.may_alias {
            self.count_copies(node.size, outer_start)?;
            self.anchors.insert(anchor, node.clone());
        }
        let end = node.value.span.end as usize;
        self.deliver(node, end)
    }

    fn count_copies(&mut self, size: usize, pos: usize) -> Result<(), ParseError> {
        self.copied += size;
        if self.copied > MAX_ALIAS_NODES {
            return Err(error_at(pos, format!("aliases expand to more than {MAX_ALIAS_NODES} nodes")));
        }
        Ok(())
    }

    fn alias(&mut self, id: usize, start: usize, end: usize) -> Result<(), ParseError> {
        let Some(node) = self.anchors.get(&id) else {
            return Err(ParseError {
                message: format!("the alias `{}` is inside the node it refers to", &self.text[start..end]),
                span: span(start, end),
            });
        };
        if self.child_depth() + node.height >= MAX_DEPTH {
            return Err(depth_error(start));
        }
        let size = node.size;
        self.count_copies(size, start)?;
        let node = self.anchors[&id].clone();
        self.deliver(node, end)
    }

    /// Adds a finished node to the collection being built (as a key or a
    /// value), or makes it the root. `end` is where its text ends (for a copy,
    /// where the alias ends).
    fn deliver(&mut self, node: Node<'s>, end: usize) -> Result<(), ParseError> {
        let text = self.text;
        let Some(frame) = self.stack.last_mut() else {
            self.root = Some(node.value);
            return Ok(());
        };
        frame.end = frame.end.max(end);
        match &mut frame.items {
            Items::Map(_, pending @ None) => {
                let value = node.value;
                let key = match value.kind {
                    Kind::String(s) => s,
                    Kind::Number(n) => Cow::Borrowed(n),
                    Kind::Bool(_) | Kind::Null => Cow::Borrowed(&text[value.span.range()]),
                    Kind::Array(_) | Kind::Object(_) => {
                        return Err(ParseError {
                            message: format!("a mapping key must be a scalar, not {}", value.type_name()),
                            span: value.span,
                        });
                    }
                };
                *pending = Some((key, value.span));
                return Ok(());
            }
            Items::Map(members, pending @ Some(_)) => {
                if let Some((key, key_span)) = pending.take() {
                    members.push(Member { key, key_span, value: node.value });
                }
            }
            Items::Seq(items) => items.push(node.value),
        }
        frame.size += node.size;
        frame.height = frame.height.max(node.height + 1);
        Ok(())
    }
}

fn tag_text(text: &str, tag_span: Option<Span>) -> &str {
    tag_span.map_or("", |s| &text[s.range()])
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use super::*;

    /// The tree as compact JSON text.
    fn show(v: &Value) -> String {
        v.to_json()
    }

    fn at(text: &str, span: Span) -> &str {
        &text[span.range()]
    }

    fn err(text: &str) -> ParseError {
        parse(text).expect_err("the text should be rejected")
    }

    fn member<'v, 's>(v: &'v Value<'s>, key: &str) -> &'v Member<'s> {
        v.as_object().unwrap().iter().find(|m| m.key == key).unwrap()
    }

    #[test]
    fn spans_of_scalars_and_keys() {
        let text = "a: b\n\"q\": 'it''s'\nplain: two\n  lines\nn: 12\nempty:\nlast: \"x\"  # comment\n";
        let v = parse(text).unwrap();
        assert_eq!(show(&v), r#"{"a":"b","q":"it's","plain":"two lines","n":12,"empty":null,"last":"x"}"#);
        assert_eq!(at(text, v.span), text.trim_end().trim_end_matches("  # comment"));
        let m = v.as_object().unwrap();
        assert_eq!(at(text, m[0].key_span), "a");
        assert_eq!(at(text, m[0].value.span), "b");
        assert_eq!(at(text, m[1].key_span), "\"q\"");
        assert!(matches!(m[1].key, Cow::Borrowed("q")));
        assert_eq!(at(text, m[1].value.span), "'it''s'");
        assert!(matches!(m[1].value.kind, Kind::String(Cow::Owned(_))));
        assert_eq!(at(text, m[2].value.span), "two\n  lines");
        assert!(matches!(m[2].value.kind, Kind::String(Cow::Owned(_))));
        assert_eq!(at(text, m[3].value.span), "12");
        assert!(m[4].value.span.is_empty());
        assert_eq!(at(text, m[5].value.span), "\"x\"");
        assert!(matches!(m[5].value.kind, Kind::String(Cow::Borrowed("x"))));
        // Borrowed strings and numbers are slices of the text itself.
        let Kind::Number(n) = m[3].value.kind else { panic!("not a number") };
        assert_eq!(n.as_ptr(), text[m[3].value.span.range()].as_ptr());
    }

    #[test]
    fn spans_of_collections() {
        let text = "a:\n- # c\n  p\n- q\n";
        assert_eq!(at(text, parse(text).unwrap().get("a").unwrap().span), "- # c\n  p\n- q");
        let text = "a:\n  - # c\n    p\n  - q\n";
        assert_eq!(at(text, parse(text).unwrap().get("a").unwrap().span), "- # c\n    p\n  - q");
        let text = "top:\n  - x\n  - {k: v, l: [1, 2]}\n  -   [ ]\nnext:\n- p\n- q  # c\n\nend: 1\n";
        let v = parse(text).unwrap();
        let top = v.get("top").unwrap();
        assert_eq!(at(text, top.span), "- x\n  - {k: v, l: [1, 2]}\n  -   [ ]");
        let items = top.as_array().unwrap();
        assert_eq!(at(text, items[1].span), "{k: v, l: [1, 2]}");
        assert_eq!(at(text, items[1].get("l").unwrap().span), "[1, 2]");
        assert_eq!(at(text, items[2].span), "[ ]");
        assert_eq!(at(text, v.get("next").unwrap().span), "- p\n- q");
        assert_eq!(at(text, v.span), text.trim_end());
        let text = "{a, b: , c: [ x ] , d: \"y\" }  # c\n";
        let v = parse(text).unwrap();
        assert_eq!(show(&v), r#"{"a":null,"b":null,"c":["x"],"d":"y"}"#);
        assert_eq!(at(text, v.span), "{a, b: , c: [ x ] , d: \"y\" }");
        assert_eq!(at(text, v.get("c").unwrap().span), "[ x ]");
        assert_eq!(at(text, v.get("d").unwrap().span), "\"y\"");
        assert!(v.get("a").unwrap().span.is_empty());
        let text = "[a: b, c]";
        let v = parse(text).unwrap();
        assert_eq!(show(&v), r#"[{"a":"b"},"c"]"#);
        assert_eq!(at(text, v.as_array().unwrap()[0].span), "a: b");
    }

    #[test]
    fn block_scalars() {
        let text = "a: |\n  line1\n  line2\n\n# comment\nb: >-  # folded\n  folded\n  text\nc: !Sub |\n  ${X}\n\nd: |+\n  keep\n\n\ne: |\nf: |2-\n   x\n";
        let v = parse(text).unwrap();
        assert_eq!(
            show(&v),
            r#"{"a":"line1\nline2\n","b":"folded text","c":{"Fn::Sub":"${X}\n"},"d":"keep\n\n\n","e":"","f":" x"}"#
        );
        assert_eq!(at(text, v.get("a").unwrap().span), "|\n  line1\n  line2");
        assert_eq!(at(text, v.get("b").unwrap().span), ">-  # folded\n  folded\n  text");
        let c = v.get("c").unwrap();
        assert_eq!(at(text, c.span), "!Sub |\n  ${X}");
        assert_eq!(at(text, c.get("Fn::Sub").unwrap().span), "|\n  ${X}");
        assert_eq!(at(text, v.get("d").unwrap().span), "|+\n  keep");
        assert_eq!(at(text, v.get("e").unwrap().span), "|");
        assert_eq!(at(text, v.get("f").unwrap().span), "|2-\n   x");
        // In a sequence, and after a comment that mentions an indicator.
        let text = "- a # not | this\n- |\n  x\n";
        let v = parse(text).unwrap();
        assert_eq!(at(text, v.as_array().unwrap()[1].span), "|\n  x");
    }

    #[test]
    fn non_ascii_offsets() {
        let text = "\u{feff}clé: \"ünï\"\nliste: [ß, 日本語, '💡']\nbloc: |\n  ça\nfin: ok\n";
        let v = parse(text).unwrap();
        let m = v.as_object().unwrap();
        assert_eq!(at(text, m[0].key_span), "clé");
        assert_eq!(at(text, m[0].value.span), "\"ünï\"");
        let list = m[1].value.as_array().unwrap();
        assert_eq!(at(text, m[1].value.span), "[ß, 日本語, '💡']");
        assert_eq!(at(text, list[1].span), "日本語");
        assert_eq!(at(text, list[2].span), "'💡'");
        assert_eq!(at(text, m[2].value.span), "|\n  ça");
        assert_eq!(at(text, m[3].key_span), "fin");
        assert_eq!(at(text, m[3].value.span), "ok");
        // Beyond the first 32 characters, where the lookup uses checkpoints.
        let long = format!("{}: 1\nb: \"€\"\n", "é".repeat(100));
        let v = parse(&long).unwrap();
        assert_eq!(at(&long, v.as_object().unwrap()[0].key_span), "é".repeat(100));
        assert_eq!(at(&long, v.get("b").unwrap().span), "\"€\"");
    }

    #[test]
    fn scalar_typing() {
        let text = "[true, True, TRUE, false, False, FALSE, tRue, yes, null, Null, NULL, ~, 12, -3, +4, 1.5, \
                    .5, 1e3, -2.5E-3, 012345678901, 0x1F, .inf, 2012-10-17, 1.2.3, '12', \"true\", !!str 12, \
                    !!int '7', !!bool True, !!null ~, ! 12]";
        let v = parse(text).unwrap();
        assert_eq!(
            show(&v),
            r#"[true,true,true,false,false,false,"tRue","yes",null,null,null,null,12,-3,+4,1.5,.5,1e3,-2.5E-3,012345678901,"0x1F",".inf","2012-10-17","1.2.3","12","true","12",7,true,null,"12"]"#
        );
        assert!(err("!!int abc").message.contains("`abc` is not a number"));
        assert!(err("!!map x").message.contains("cannot have the tag `!!map`"));
        assert!(err("!!seq {}").message.contains("a mapping cannot have the tag `!!seq`"));
        assert!(err("!!binary x").message.contains("unsupported tag `!!binary`"));
    }

    #[test]
    fn short_form_tags() {
        let text = "A: !Ref Bucket\nB: !GetAtt Role.Arn\nC: !Join\n  - ''\n  - - !Sub '${AWS::Partition}'\n    - !Ref X\nD: !If [Cond, {Ref: A}, !Ref AWS::NoValue]\nE: !Transform {Name: T}\nF: !GetAZs\nG: !Condition IsProd\nH: !Select [0, !GetAZs '']\n";
        let v = parse(text).unwrap();
        assert_eq!(
            show(&v),
            r#"{"A":{"Ref":"Bucket"},"B":{"Fn::GetAtt":"Role.Arn"},"C":{"Fn::Join":["",[{"Fn::Sub":"${AWS::Partition}"},{"Ref":"X"}]]},"D":{"Fn::If":["Cond",{"Ref":"A"},{"Ref":"AWS::NoValue"}]},"E":{"Fn::Transform":{"Name":"T"}},"F":{"Fn::GetAZs":""},"G":{"Condition":"IsProd"},"H":{"Fn::Select":[0,{"Fn::GetAZs":""}]}}"#
        );
        let a = v.get("A").unwrap();
        assert_eq!(at(text, a.span), "!Ref Bucket");
        let inner = member(a, "Ref");
        assert_eq!(at(text, inner.key_span), "!Ref Bucket");
        assert_eq!(at(text, inner.value.span), "Bucket");
        assert!(matches!(inner.value.kind, Kind::String(Cow::Borrowed("Bucket"))));
        let c = v.get("C").unwrap();
        assert_eq!(at(text, c.span), &text[text.find("!Join").unwrap()..text.find("\nD:").unwrap()]);
        let join = c.get("Fn::Join").unwrap();
        assert_eq!(at(text, join.span), &text[text.find("- ''").unwrap()..text.find("\nD:").unwrap()]);
        let sub = &join.as_array().unwrap()[1].as_array().unwrap()[0];
        assert_eq!(at(text, sub.span), "!Sub '${AWS::Partition}'");
        assert_eq!(at(text, sub.get("Fn::Sub").unwrap().span), "'${AWS::Partition}'");
        assert_eq!(at(text, v.get("E").unwrap().get("Fn::Transform").unwrap().span), "{Name: T}");
        let f = v.get("F").unwrap();
        assert_eq!(at(text, f.span), "!GetAZs");
        assert!(f.get("Fn::GetAZs").unwrap().span.is_empty());
        // With an anchor before or after the tag.
        let text = "a: &x !Ref A\nb: !Ref &y B\nc: *x\nd: *y\n";
        let v = parse(text).unwrap();
        assert_eq!(show(&v), r#"{"a":{"Ref":"A"},"b":{"Ref":"B"},"c":{"Ref":"A"},"d":{"Ref":"B"}}"#);
        assert_eq!(at(text, v.get("a").unwrap().span), "&x !Ref A");
        assert_eq!(at(text, v.get("b").unwrap().get("Ref").unwrap().span), "B");
    }

    #[test]
    fn unknown_and_unsupported_tags() {
        let text = "a: 1\nb: !Foo bar\n";
        let e = err(text);
        assert_eq!(e.message, "unknown tag `!Foo`");
        assert_eq!(at(text, e.span), "!Foo");
        let text = "a: !<tag:example.com,2000:x> b";
        let e = err(text);
        assert!(e.message.starts_with("unsupported tag"), "{}", e.message);
        assert_eq!(at(text, e.span), "!<tag:example.com,2000:x>");
        assert_eq!(err("!Ref a: b").message, "a mapping key must be a scalar, not an object");
    }

    #[test]
    fn aliases_are_copied() {
        let text = "base: &b\n  Effect: Allow\n  Action: [sts:AssumeRole]\ncopy: *b\nname: &n key\n*n : value\n<<: *b\n";
        let v = parse(text).unwrap();
        assert_eq!(
            show(&v),
            r#"{"base":{"Effect":"Allow","Action":["sts:AssumeRole"]},"copy":{"Effect":"Allow","Action":["sts:AssumeRole"]},"name":"key","key":"value","<<":{"Effect":"Allow","Action":["sts:AssumeRole"]}}"#
        );
        // The copy points at the anchored text; the mapping holding the alias
        // still ends at the alias.
        assert_eq!(v.get("copy").unwrap().span, v.get("base").unwrap().span);
        assert_eq!(at(text, v.span), text.trim_end());
    }

    #[test]
    fn alias_errors() {
        let text = "a: 1\nb: *nope\n";
        let e = err(text);
        assert_eq!(e.message, "no anchor is defined for the alias `*nope`");
        assert_eq!(e.span.start as usize, text.find('*').unwrap());
        let text = "a: &x [1, *x]";
        let e = err(text);
        assert_eq!(e.message, "the alias `*x` is inside the node it refers to");
        assert_eq!(at(text, e.span), "*x");
        assert_eq!(err("a: &x [1]\n*x : 2").message, "a mapping key must be a scalar, not an array");
    }

    #[test]
    fn alias_bomb_is_rejected_quickly() {
        let mut text = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for i in 1..10 {
            let p = i - 1;
            writeln!(
                text,
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]"
            )
            .unwrap();
        }
        let started = std::time::Instant::now();
        let e = err(&text);
        assert_eq!(e.message, format!("aliases expand to more than {MAX_ALIAS_NODES} nodes"));
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
        // Below the limit, the same shape is fine.
        let small = text.lines().take(4).collect::<Vec<_>>().join("\n");
        let v = parse(&small).unwrap();
        assert_eq!(v.get("a3").unwrap().as_array().unwrap().len(), 10);
    }

    #[test]
    fn deep_nesting_is_rejected() {
        let message = format!("nested more than {MAX_DEPTH} levels deep");
        let flow = "[".repeat(100_000);
        let e = err(&flow);
        assert!(e.message.contains("nested more than"), "{}", e.message);
        let flow = format!("{}{}", "{a: ".repeat(100_000), "}".repeat(100_000));
        assert!(err(&flow).message.contains("nested more than"));
        let block = format!("{}x", "- ".repeat(100_000));
        assert_eq!(err(&block).message, message);
        let block = (0..300).fold(String::new(), |mut out, i| {
            writeln!(out, "{}k:", " ".repeat(i)).unwrap();
            out
        });
        assert_eq!(err(&block).message, message);
        // Short forms count as levels, as their long forms would.
        let tags = format!("{}x{}", "!Not [".repeat(200), "]".repeat(200));
        assert_eq!(err(&tags).message, message);
        // So do aliases of deep nodes.
        let deep = format!(
            "a: &d {}x{}\nb: {}*d{}",
            "[".repeat(200),
            "]".repeat(200),
            "[".repeat(60),
            "]".repeat(60)
        );
        assert_eq!(err(&deep).message, message);
        // Just within the limit.
        let ok = format!("{}x{}", "[".repeat(MAX_DEPTH - 1), "]".repeat(MAX_DEPTH - 1));
        assert!(parse(&ok).is_ok());
    }

    #[test]
    fn syntax_errors_point_at_the_fault() {
        let text = "é: [1, 2\nb: c\n";
        let e = err(text);
        assert!(!e.message.contains("ScanError"), "{}", e.message);
        assert!(e.span.start as usize > text.find('[').unwrap());
        assert!(text.is_char_boundary(e.span.start as usize));
        let text = "clé: x\n  bad: y\n";
        let e = err(text);
        assert_eq!(e.message, "mapping values are not allowed in this context");
        assert_eq!(&text[e.span.start as usize..], ": y\n");
    }

    #[test]
    fn documents() {
        for empty in ["", "\n\n", "# only a comment\n", "---\n", "---\n...\n"] {
            assert_eq!(err(empty).message, "the file is empty", "{empty:?}");
        }
        let text = "a: 1\n---\nb: 2\n";
        let e = err(text);
        assert!(e.message.starts_with("more than one YAML document"));
        assert_eq!(e.span.start as usize, text.find("---").unwrap());
        let v = parse("%YAML 1.2\n---\na: 1\n...\n").unwrap();
        assert_eq!(show(&v), r#"{"a":1}"#);
        assert_eq!(show(&parse("~").unwrap()), "null");
    }

    #[test]
    fn duplicate_keys_are_kept() {
        let v = parse("a: 1\na: 2\n").unwrap();
        assert_eq!(show(&v), r#"{"a":1,"a":2}"#);
        assert_eq!(v.get("a").unwrap().kind, Kind::Number("2"));
    }
}
