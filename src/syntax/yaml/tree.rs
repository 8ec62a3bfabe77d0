//! The span-keeping tree, built from the events without recursion.
//!
//! A short-form function's node is wrapped in its object, anchored nodes are
//! recorded and aliases copied (within [`MAX_ALIAS_NODES`]), and nesting is
//! bounded.

use std::borrow::Cow;
use std::collections::HashMap;

use saphyr_parser::{ScalarStyle, Tag};

use super::locate::{error_at, find_outside_comments, off, quoted_end, skip_properties, span};
use super::scalars::{Resolved, bool_value, is_null, is_number, resolve, tag_text};
use crate::source::Span;
use crate::syntax::json::{Kind, MAX_DEPTH, Member, ParseError, Value};

/// How many nodes anchors and aliases may copy in one document. No real
/// template comes near it, and it bounds the work an alias bomb can cause.
pub const MAX_ALIAS_NODES: usize = 1_000_000;

fn depth_error(pos: usize) -> ParseError {
    error_at(pos, format!("nested more than {MAX_DEPTH} levels deep"))
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
    function: Option<Cow<'s, str>>,
    anchor: usize,
    /// Values below the collection so far.
    size: usize,
    height: usize,
}

pub(super) struct Builder<'s> {
    text: &'s str,
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
    pub(super) last_end: usize,
}

impl<'s> Builder<'s> {
    pub(super) fn new(text: &'s str) -> Self {
        Self {
            text,
            stack: Vec::new(),
            root: None,
            anchors: HashMap::new(),
            may_alias: text.as_bytes().contains(&b'*'),
            copied: 0,
            last_end: 0,
        }
    }

    /// The document's root, once every event is read.
    pub(super) fn root(self) -> Option<Value<'s>> {
        self.root
    }

    /// The depth of the next node.
    fn child_depth(&self) -> usize {
        self.stack.last().map_or(0, |f| f.depth + 1)
    }

    fn awaiting_key(&self) -> bool {
        matches!(self.stack.last(), Some(Frame { items: Items::Map(_, None), .. }))
    }

    pub(super) fn scalar(
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
        let (own, tag_span) =
            if has_properties { skip_properties(self.text, start, end) } else { (start, None) };
        let resolved = resolve(self.text, tag, tag_span, start)?;
        let function = match &resolved {
            Resolved::Function(name) => Some(name.clone()),
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
                let end = quoted_end(self.text, own, end);
                (span(own, end), (end >= own + 2).then(|| own + 1..end - 1))
            }
            ScalarStyle::Literal | ScalarStyle::Folded => {
                let indicator = if has_properties {
                    own
                } else {
                    find_outside_comments(self.text, self.last_end.min(start), start, b"|>", true)
                        .unwrap_or(start)
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

    pub(super) fn open(
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
            if anchor != 0 || tag.is_some() { skip_properties(self.text, start, end) } else { (start, None) };
        if !map && !matches!(self.text.as_bytes().get(own), Some(b'-' | b'[')) {
            // A sequence not indented under its key starts after its first
            // `-`; find that `-`.
            if let Some(dash) = find_outside_comments(self.text, self.last_end.min(own), own, b"-", false) {
                own = dash;
            }
        }
        let function = match resolve(self.text, tag, tag_span, start)? {
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

    pub(super) fn close(&mut self, start: usize, end: usize) -> Result<(), ParseError> {
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
        function: Option<Cow<'s, str>>,
        outer_start: usize,
        anchor: usize,
    ) -> Result<(), ParseError> {
        if let Some(name) = function {
            let outer = Span::new(off(outer_start), node.value.span.end);
            let member = Member { key: name, key_span: outer, value: node.value };
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

    pub(super) fn alias(&mut self, id: usize, start: usize, end: usize) -> Result<(), ParseError> {
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
