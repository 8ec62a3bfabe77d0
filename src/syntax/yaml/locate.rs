//! Where saphyr's events are in the text: byte offsets, and each node's exact extent.
//!
//! The parser counts characters and its spans may run on over a tag, an
//! anchor, spaces or a comment; these functions find the bytes a node is.

use saphyr_parser::ScanError;

use crate::source::Span;
use crate::syntax::json::ParseError;

#[allow(clippy::cast_possible_truncation)] // `parse` rejects texts longer than u32::MAX
pub(super) const fn off(pos: usize) -> u32 {
    pos as u32
}

pub(super) fn span(start: usize, end: usize) -> Span {
    Span::new(off(start), off(end))
}

pub(super) fn error_at(pos: usize, message: impl Into<String>) -> ParseError {
    ParseError { message: message.into(), span: span(pos, pos) }
}

/// Maps the parser's positions, which count characters, to byte offsets.
pub(super) struct Offsets {
    /// `None` for ASCII text. Otherwise the byte offset of every `STEP`-th
    /// character, so that a lookup walks at most `STEP - 1` characters.
    checkpoints: Option<Vec<u32>>,
}

impl Offsets {
    const STEP: usize = 32;

    pub(super) fn new(text: &str) -> Self {
        let checkpoints = (!text.is_ascii())
            .then(|| text.char_indices().step_by(Self::STEP).map(|(i, _)| off(i)).collect());
        Self { checkpoints }
    }

    pub(super) fn byte(&self, text: &str, index: usize) -> usize {
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

/// The parser's error, at its byte offset and in our words.
pub(super) fn scan_error(text: &str, offsets: &Offsets, e: &ScanError) -> ParseError {
    let pos = offsets.byte(text, e.marker().index());
    let message = match e.info() {
        "recursion limit exceeded" => "flow collections nested more than 255 levels deep".to_owned(),
        "while parsing node, found unknown anchor" => {
            let name = text[pos..].split(|c: char| c.is_whitespace() || ",[]{}".contains(c)).next();
            format!("no anchor is defined for the alias `{}`", name.unwrap_or_default())
        }
        "unexpected eof" => "unexpected end of file".to_owned(),
        info => info.to_owned(),
    };
    error_at(pos, message)
}

/// Skips the properties (tag and anchor), spaces and comments at `pos`,
/// not past `limit`: where the node's content starts, and the tag's span.
pub(super) fn skip_properties(text: &str, mut pos: usize, limit: usize) -> (usize, Option<Span>) {
    let b = text.as_bytes();
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
pub(super) fn find_outside_comments(
    text: &str,
    from: usize,
    to: usize,
    targets: &[u8],
    last: bool,
) -> Option<usize> {
    let b = text.as_bytes();
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
pub(super) fn quoted_end(text: &str, open: usize, limit: usize) -> usize {
    let b = text.as_bytes();
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

pub(super) fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}
