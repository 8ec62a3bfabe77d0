//! Indentation that the YAML specification forbids and CloudFormation
//! accepts: inside a flow collection or a quoted scalar, a line indented no
//! deeper than the key the collection or scalar belongs to.
//!
//! ```yaml
//! Value: 'a sentence that goes on
//! onto the next line'               # the scalar's second line
//! Resource: [
//!   "arn:aws:s3:::bucket"
//! ]                                 # the sequence's closing bracket
//! ```
//!
//! The specification (sections 6.3 and 7.3) requires such lines to be
//! indented deeper than the block they are in, and `saphyr-parser` holds to
//! it; `PyYAML`, which `cfn-lint` reads templates with, and CloudFormation
//! take them. Inside a flow collection or a quoted scalar, the spaces at a
//! line's start are not part of any value, so [`reparse`] indents the
//! lines the parser refuses (each by more each time it refuses it again),
//! parses the result, and maps its spans back to the text as written.

use std::borrow::Cow;

use super::locate::quoted_end;
use crate::source::Span;
use crate::syntax::json::{Kind, Member, ParseError, Value};

/// Parses that [`reparse`] makes at most: one per line indented (most
/// templates that need it need one or two), a few more for a line that
/// needs more than a space.
const MAX_ATTEMPTS: usize = 24;

/// The largest text [`reparse`] tries: four times what CloudFormation
/// takes (1 MB from S3); a larger file is no template, and each attempt
/// copies it.
const MAX_TEXT: usize = 4 << 20;

/// Whether the parser's error is one that more indentation can cure.
pub(super) fn is_indentation(e: &ParseError) -> bool {
    matches!(
        e.message.as_str(),
        "invalid indentation"
            | "invalid indentation in flow construct"
            | "invalid indentation in quoted scalar"
    )
}

/// `text` parsed with the lines the parser refuses for their indentation
/// (`first` is its first refusal) indented further; `None` when that does
/// not make it parse.
pub(super) fn reparse<'t>(text: &'t str, first: &ParseError) -> Option<Value<'t>> {
    if text.len() > MAX_TEXT {
        return None;
    }
    // Spaces added, by the offset in `text` of the line they go before.
    let mut added: Vec<(usize, usize)> = Vec::new();
    let mut error = first.clone();
    for _ in 0..MAX_ATTEMPTS {
        let at = to_original(&added, error.span.start as usize);
        let lines = if error.message == "invalid indentation in quoted scalar" {
            // The error is at the scalar's opening quote: each line it goes
            // on to is indented past the line it starts on.
            let end = quoted_end(text, at, text.len());
            let depth = indentation(text, line_start(text, at)) + 1;
            continuation_lines(text, at, end)
                .map(|l| (l, depth.saturating_sub(indentation(text, l))))
                .collect()
        } else {
            // The error is at the line's first token (a token after another
            // on its line would be indented deeper than that one).
            vec![(line_start(text, at), 1)]
        };
        let mut grew = false;
        for (line, more) in lines {
            let more = more.max(1);
            match added.binary_search_by_key(&line, |&(l, _)| l) {
                // Refused again: twice the spaces, so that a deep block is
                // reached in a few parses.
                Ok(i) => added[i].1 += added[i].1.max(more),
                Err(i) => added.insert(i, (line, more)),
            }
            grew = true;
        }
        if !grew {
            return None;
        }
        let indented = indent(text, &added);
        match super::parse_exact(&indented) {
            Ok(tree) => return Some(relocate(tree, text, &added)),
            Err(e) if is_indentation(&e) => error = e,
            Err(_) => return None,
        }
    }
    None
}

/// `text` with `added[i].1` spaces before the line at `added[i].0`.
fn indent(text: &str, added: &[(usize, usize)]) -> String {
    let mut out = String::with_capacity(text.len() + added.iter().map(|&(_, n)| n).sum::<usize>());
    let mut from = 0;
    for &(line, n) in added {
        out.push_str(&text[from..line]);
        out.extend(std::iter::repeat_n(' ', n));
        from = line;
    }
    out.push_str(&text[from..]);
    out
}

/// The offset in `text` of `offset` in the indented text: spaces that were
/// added map to the start of their line.
fn to_original(added: &[(usize, usize)], offset: usize) -> usize {
    let mut shift = 0;
    for &(line, n) in added {
        if offset < line + shift {
            break;
        }
        if offset < line + shift + n {
            return line;
        }
        shift += n;
    }
    offset - shift
}

fn line_start(text: &str, at: usize) -> usize {
    text[..at.min(text.len())].rfind('\n').map_or(0, |i| i + 1)
}

/// The spaces a line starts with.
fn indentation(text: &str, line: usize) -> usize {
    text.as_bytes()[line..].iter().take_while(|&&b| b == b' ').count()
}

/// The starts of the lines after the first that `text[from..to]` runs onto.
fn continuation_lines(text: &str, from: usize, to: usize) -> impl Iterator<Item = usize> + '_ {
    text[from..to].match_indices('\n').map(move |(i, _)| from + i + 1).filter(move |&l| l < to)
}

/// The tree parsed from the indented text, its spans moved to `text`.
/// Numbers are borrowed from `text`, at their moved spans (added spaces
/// never fall inside a token); strings are owned.
fn relocate<'t>(v: Value<'_>, text: &'t str, added: &[(usize, usize)]) -> Value<'t> {
    let span = |s: Span| {
        let at = |o: u32| u32::try_from(to_original(added, o as usize)).unwrap_or(u32::MAX);
        Span::new(at(s.start), at(s.end)).in_file(s.file)
    };
    let owned = |s: Cow<'_, str>| Cow::Owned(s.into_owned());
    let moved = span(v.span);
    let kind = match v.kind {
        Kind::Null => Kind::Null,
        Kind::Bool(b) => Kind::Bool(b),
        Kind::Number(_) => Kind::Number(&text[moved.range()]),
        Kind::String(s) => Kind::String(owned(s)),
        Kind::Array(items) => Kind::Array(items.into_iter().map(|i| relocate(i, text, added)).collect()),
        Kind::Object(members) => Kind::Object(
            members
                .into_iter()
                .map(|m| Member {
                    key: owned(m.key),
                    key_span: span(m.key_span),
                    value: relocate(m.value, text, added),
                })
                .collect(),
        ),
    };
    Value { span: moved, kind }
}
