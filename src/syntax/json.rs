//! A strict JSON parser (RFC 8259, as IAM accepts it) that keeps the byte span
//! of every value and every object key.
//!
//! `serde_json` gives no positions for a parsed value, and the span-keeping crates
//! are lenient by default (comments, trailing commas, single quotes) — all of
//! which IAM rejects. This parser is small, rejects exactly what IAM rejects with
//! a message that names the mistake, bounds nesting depth instead of
//! overflowing the stack, and borrows strings that need no unescaping.

use std::borrow::Cow;

use crate::source::{LineStarts, Span};

/// Deeper nesting than this is rejected: no IAM document, template or export
/// comes near it, and it keeps recursion bounded whatever the input.
pub const MAX_DEPTH: usize = 256;

#[derive(Debug, Clone, PartialEq)]
pub struct Value<'s> {
    pub span: Span,
    pub kind: Kind<'s>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Kind<'s> {
    Null,
    Bool(bool),
    /// The number exactly as written.
    Number(&'s str),
    String(Cow<'s, str>),
    Array(Vec<Value<'s>>),
    Object(Vec<Member<'s>>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Member<'s> {
    pub key: Cow<'s, str>,
    pub key_span: Span,
    pub value: Value<'s>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub message: String,
    /// Where the fault is; an empty span at the offending byte.
    pub span: Span,
}

impl<'s> Value<'s> {
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&[Member<'s>]> {
        match &self.kind {
            Kind::Object(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Value<'s>]> {
        match &self.kind {
            Kind::Array(v) => Some(v),
            _ => None,
        }
    }

    /// The member named `key` (exact match; the last one wins, as in most parsers).
    pub fn get(&self, key: &str) -> Option<&Value<'s>> {
        self.as_object()?.iter().rev().find(|m| m.key == key).map(|m| &m.value)
    }

    /// A short name for the value's type, for messages.
    pub fn type_name(&self) -> &'static str {
        match self.kind {
            Kind::Null => "null",
            Kind::Bool(_) => "a boolean",
            Kind::Number(_) => "a number",
            Kind::String(_) => "a string",
            Kind::Array(_) => "an array",
            Kind::Object(_) => "an object",
        }
    }

    /// The value as compact JSON text (what Terraform's `jsonencode` gives).
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        self.write_json(&mut out);
        out
    }

    fn write_json(&self, out: &mut String) {
        let string = |s: &str, out: &mut String| out.push_str(&serde_json::to_string(s).unwrap_or_default());
        match &self.kind {
            Kind::Null => out.push_str("null"),
            Kind::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Kind::Number(n) => out.push_str(n),
            Kind::String(s) => string(s, out),
            Kind::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write_json(out);
                }
                out.push(']');
            }
            Kind::Object(members) => {
                out.push('{');
                for (i, m) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    string(&m.key, out);
                    out.push(':');
                    m.value.write_json(out);
                }
                out.push('}');
            }
        }
    }

    /// The value as a scalar string, as IAM reads condition values: strings,
    /// numbers and booleans all become text.
    pub fn scalar_text(&self) -> Option<Cow<'_, str>> {
        match &self.kind {
            Kind::String(s) => Some(Cow::Borrowed(s)),
            Kind::Number(n) => Some(Cow::Borrowed(n)),
            Kind::Bool(b) => Some(Cow::Borrowed(if *b { "true" } else { "false" })),
            _ => None,
        }
    }
}

/// Parses one JSON text. Whitespace may surround the value; nothing else may.
pub fn parse(text: &str) -> Result<Value<'_>, ParseError> {
    parse_with(text, None).map(|(value, _)| value)
}

/// [`parse`], and the offsets the text's lines start at, noted on the way:
/// in JSON a newline is whitespace between tokens (inside a string it must
/// be escaped), so the parse meets every one of them.
pub fn parse_lines(text: &str) -> Result<(Value<'_>, LineStarts), ParseError> {
    let (value, lines) = parse_with(text, Some(LineStarts::for_text(text.len())))?;
    Ok((value, lines.unwrap_or_default()))
}

fn parse_with(text: &str, lines: Option<LineStarts>) -> Result<(Value<'_>, Option<LineStarts>), ParseError> {
    if text.len() > u32::MAX as usize {
        return Err(ParseError { message: "file is larger than 4 GiB".into(), span: Span::new(0, 0) });
    }
    let mut p = Parser { text, bytes: text.as_bytes(), pos: 0, base: 0, lines };
    p.skip_ws()?;
    if p.pos == p.bytes.len() {
        return Err(p.error_here("the file is empty: expected a JSON value"));
    }
    let value = p.value(0)?;
    p.skip_ws()?;
    if p.pos < p.bytes.len() {
        return Err(p.error_here("unexpected text after the end of the JSON value"));
    }
    Ok((value, p.lines))
}

/// Parses the one value that starts at byte `pos` of `window`, as
/// [`parse`] would parse it nested `depth` levels deep: the value and the
/// offset just after it. For reading a large file piece by piece: `window`
/// holds the file's bytes from offset `base` on; `pos` and the offset
/// returned are in `window`, the spans in the file.
pub fn parse_in(window: &str, base: u32, pos: usize, depth: usize) -> Result<(Value<'_>, usize), ParseError> {
    if base as usize + window.len() > u32::MAX as usize {
        return Err(ParseError { message: "file is larger than 4 GiB".into(), span: Span::new(0, 0) });
    }
    let mut p = Parser { text: window, bytes: window.as_bytes(), pos, base, lines: None };
    let value = p.value(depth)?;
    Ok((value, p.pos))
}

struct Parser<'s> {
    text: &'s str,
    bytes: &'s [u8],
    pos: usize,
    /// The file offset of `text`'s first byte.
    base: u32,
    /// The starts of the lines met so far, when asked for.
    lines: Option<LineStarts>,
}

/// Eight spaces, as one word.
const SPACES: u64 = u64::from_le_bytes([b' '; 8]);

#[allow(clippy::cast_possible_truncation)] // `parse` rejects texts longer than u32::MAX
const fn off(pos: usize) -> u32 {
    pos as u32
}

impl<'s> Parser<'s> {
    /// The span of `start..end` of the text, in the file.
    const fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.base + off(start), self.base + off(end))
    }

    fn error_at(&self, pos: usize, message: impl Into<String>) -> ParseError {
        ParseError { message: message.into(), span: self.span(pos, pos) }
    }

    fn error_here(&self, message: impl Into<String>) -> ParseError {
        self.error_at(self.pos, message)
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    // Inlined where it is called: with `#[inline]` alone it was not, and the
    // parse of the 10,000 policy files of `bench/` took 3 % more
    // instructions (measured before the release profile had LTO).
    #[allow(clippy::inline_always)]
    #[inline(always)]
    fn skip_ws(&mut self) -> Result<(), ParseError> {
        // The text and the position in locals: noting a line start writes
        // to `self`, and they must stay in registers meanwhile.
        let (bytes, base) = (self.bytes, self.base);
        let mut pos = self.pos;
        loop {
            match bytes.get(pos) {
                // A run of spaces (indentation, most of them), eight bytes
                // at a time: a byte that is a space turns to zero when
                // xor-ed with spaces, so the lowest bit set is in the first
                // that is not.
                Some(b' ') => {
                    pos += 1;
                    while let Some(chunk) = bytes.get(pos..pos + 8) {
                        let w = u64::from_le_bytes(chunk.try_into().unwrap_or_default()) ^ SPACES;
                        if w != 0 {
                            pos += (w.trailing_zeros() / 8) as usize;
                            break;
                        }
                        pos += 8;
                    }
                }
                Some(b'\t' | b'\r') => pos += 1,
                Some(b'\n') => {
                    pos += 1;
                    if let Some(lines) = &mut self.lines {
                        lines.push(base + off(pos));
                    }
                }
                Some(b'/') if matches!(bytes.get(pos + 1), Some(b'/' | b'*')) => {
                    return Err(self.comment(pos));
                }
                _ => break,
            }
        }
        self.pos = pos;
        Ok(())
    }

    #[cold]
    fn comment(&self, pos: usize) -> ParseError {
        self.error_at(pos, "comments are not allowed in JSON: IAM rejects them")
    }

    fn unexpected(&self, expected: &str) -> ParseError {
        match self.text[self.pos..].chars().next() {
            None => self.error_here(format!("unexpected end of file: expected {expected}")),
            Some('\'') => self.error_here("strings must use double quotes, not single quotes"),
            Some(c) => self.error_here(format!("unexpected `{}`: expected {expected}", c.escape_debug())),
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value<'s>, ParseError> {
        if depth >= MAX_DEPTH {
            return Err(self.error_here(format!("nesting is deeper than {MAX_DEPTH} levels")));
        }
        let start = self.pos;
        let kind = match self.peek() {
            Some(b'{') => self.object(depth)?,
            Some(b'[') => self.array(depth)?,
            Some(b'"') => Kind::String(self.string()?),
            Some(b'-' | b'0'..=b'9') => Kind::Number(self.number()?),
            Some(b't') => self.literal("true", Kind::Bool(true))?,
            Some(b'f') => self.literal("false", Kind::Bool(false))?,
            Some(b'n') => self.literal("null", Kind::Null)?,
            _ => return Err(self.unexpected("a value")),
        };
        Ok(Value { span: self.span(start, self.pos), kind })
    }

    fn literal(&mut self, word: &str, kind: Kind<'s>) -> Result<Kind<'s>, ParseError> {
        if self.bytes[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(kind)
        } else {
            Err(self.unexpected("a value"))
        }
    }

    fn object(&mut self, depth: usize) -> Result<Kind<'s>, ParseError> {
        self.pos += 1; // `{`
        let mut members = Vec::new();
        self.skip_ws()?;
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Kind::Object(members));
        }
        loop {
            self.skip_ws()?;
            if self.peek() != Some(b'"') {
                return Err(if self.peek() == Some(b'}') {
                    self.error_here("trailing comma before `}`")
                } else {
                    self.unexpected("a key in double quotes")
                });
            }
            let key_start = self.pos;
            let key = self.string()?;
            let key_span = self.span(key_start, self.pos);
            self.skip_ws()?;
            if self.peek() != Some(b':') {
                return Err(self.unexpected("`:` after the key"));
            }
            self.pos += 1;
            self.skip_ws()?;
            let value = self.value(depth + 1)?;
            members.push(Member { key, key_span, value });
            self.skip_ws()?;
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Kind::Object(members));
                }
                _ => return Err(self.unexpected("`,` or `}`")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Kind<'s>, ParseError> {
        self.pos += 1; // `[`
        let mut items = Vec::new();
        self.skip_ws()?;
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Kind::Array(items));
        }
        loop {
            self.skip_ws()?;
            if self.peek() == Some(b']') {
                return Err(self.error_here("trailing comma before `]`"));
            }
            items.push(self.value(depth + 1)?);
            self.skip_ws()?;
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Kind::Array(items));
                }
                _ => return Err(self.unexpected("`,` or `]`")),
            }
        }
    }

    fn number(&mut self) -> Result<&'s str, ParseError> {
        let start = self.pos;
        let digits = |p: &mut Self| {
            let s = p.pos;
            while matches!(p.peek(), Some(b'0'..=b'9')) {
                p.pos += 1;
            }
            p.pos - s
        };
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => {
                self.pos += 1;
                if matches!(self.peek(), Some(b'0'..=b'9')) {
                    return Err(self.error_at(start, "numbers must not have leading zeros"));
                }
            }
            Some(b'1'..=b'9') => {
                digits(self);
            }
            _ => return Err(self.unexpected("a digit")),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if digits(self) == 0 {
                return Err(self.unexpected("a digit after `.`"));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if digits(self) == 0 {
                return Err(self.unexpected("a digit in the exponent"));
            }
        }
        Ok(&self.text[start..self.pos])
    }

    /// Reads a string literal starting at the opening quote.
    fn string(&mut self) -> Result<Cow<'s, str>, ParseError> {
        let open = self.pos;
        self.pos += 1;
        let content_start = self.pos;
        // Fast path: no escapes.
        loop {
            // Past the bytes that need no look (most of them) in one go.
            self.pos += plain_run(&self.bytes[self.pos..]);
            match self.peek() {
                None => return Err(self.error_at(open, "unterminated string")),
                Some(b'"') => {
                    let s = &self.text[content_start..self.pos];
                    self.pos += 1;
                    return Ok(Cow::Borrowed(s));
                }
                Some(b'\\') => break,
                Some(b) if b < 0x20 => {
                    return Err(self.error_here("control characters must be escaped inside strings"));
                }
                Some(_) => self.pos += 1,
            }
        }
        let mut out = String::from(&self.text[content_start..self.pos]);
        loop {
            match self.peek() {
                None => return Err(self.error_at(open, "unterminated string")),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(Cow::Owned(out));
                }
                Some(b'\\') => {
                    let (c, len) = decode_escape(&self.bytes[self.pos..]).map_err(|m| self.error_here(m))?;
                    out.push(c);
                    self.pos += len;
                }
                Some(b) if b < 0x20 => {
                    return Err(self.error_here("control characters must be escaped inside strings"));
                }
                Some(_) => {
                    let c = self.text[self.pos..].chars().next().unwrap_or('\u{fffd}');
                    out.push(c);
                    self.pos += c.len_utf8();
                }
            }
        }
    }
}

/// How many bytes at the start of `bytes` a string holds as they are: the
/// offset of the first `"`, `\` or control character (or the length).
/// Eight bytes at a time: in each word, a byte equal to `"` or `\` turns
/// to zero when xor-ed with it, and a zero byte, or one below 0x20, borrows
/// when 0x01 (0x20) is taken from it and sets its high bit. A borrow can
/// only set bits above the first such byte, so the lowest bit set is it.
pub(crate) fn plain_run(bytes: &[u8]) -> usize {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    const HIGH: u64 = u64::from_le_bytes([0x80; 8]);
    let below = |w: u64, n: u8| w.wrapping_sub(ONES * u64::from(n)) & !w;
    let mut i = 0;
    while let Some(chunk) = bytes.get(i..i + 8) {
        let w = u64::from_le_bytes(chunk.try_into().unwrap_or_default());
        let quote = w ^ (ONES * u64::from(b'"'));
        let backslash = w ^ (ONES * u64::from(b'\\'));
        let found = (below(quote, 1) | below(backslash, 1) | below(w, 0x20)) & HIGH;
        if found != 0 {
            return i + (found.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    let rest = &bytes[i..];
    i + rest.iter().position(|&b| matches!(b, b'"' | b'\\' | 0..0x20)).unwrap_or(rest.len())
}

fn hex4(bytes: &[u8]) -> Option<u32> {
    let s = std::str::from_utf8(bytes.get(..4)?).ok()?;
    if !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(s, 16).ok()
}

/// Decodes one escape sequence at the start of `bytes` (which begins with `\`):
/// the character and how many bytes it took.
fn decode_escape(bytes: &[u8]) -> Result<(char, usize), &'static str> {
    let c = match bytes.get(1) {
        Some(b'"') => '"',
        Some(b'\\') => '\\',
        Some(b'/') => '/',
        Some(b'b') => '\u{8}',
        Some(b'f') => '\u{c}',
        Some(b'n') => '\n',
        Some(b'r') => '\r',
        Some(b't') => '\t',
        Some(b'u') => {
            let hi = hex4(&bytes[2..]).ok_or("`\\u` must be followed by four hex digits")?;
            if (0xD800..0xDC00).contains(&hi) {
                let lo = (bytes.get(6..8) == Some(b"\\u"))
                    .then(|| hex4(&bytes[8..]))
                    .flatten()
                    .filter(|lo| (0xDC00..0xE000).contains(lo))
                    .ok_or("unpaired UTF-16 surrogate in `\\u` escape")?;
                let c = char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
                    .ok_or("invalid `\\u` escape")?;
                return Ok((c, 12));
            }
            let c = char::from_u32(hi).ok_or("unpaired UTF-16 surrogate in `\\u` escape")?;
            return Ok((c, 6));
        }
        _ => return Err("invalid escape sequence"),
    };
    Ok((c, 2))
}

/// Decodes the contents of a string literal (`raw` includes the quotes) and
/// returns, for every byte of the decoded text plus one past its end, the
/// offset in `raw` it came from. Used to point into policies embedded as JSON
/// strings.
pub fn unescape_with_offsets(raw: &str) -> Option<(String, Vec<u32>)> {
    let bytes = raw.as_bytes();
    if bytes.len() < 2 || bytes[0] != b'"' || bytes[bytes.len() - 1] != b'"' {
        return None;
    }
    let mut out = String::new();
    let mut map = Vec::new();
    let mut i = 1;
    while i < bytes.len() - 1 {
        let (c, len) = if bytes[i] == b'\\' {
            decode_escape(&bytes[i..]).ok()?
        } else {
            let c = raw[i..].chars().next()?;
            (c, c.len_utf8())
        };
        for _ in 0..c.len_utf8() {
            map.push(off(i));
        }
        out.push(c);
        i += len;
    }
    map.push(off(i));
    Some((out, map))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The run found eight bytes at a time ends where a look at each byte
    /// ends it, in texts with every byte value at every place in a word.
    #[test]
    fn a_plain_run_ends_at_the_first_quote_backslash_or_control_character() {
        let slow = |b: &[u8]| b.iter().position(|&b| matches!(b, b'"' | b'\\' | 0..0x20)).unwrap_or(b.len());
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for len in 0..40 {
            for end in 0..=len {
                for stop in 0..=255u8 {
                    // Plain bytes (some high, some just above 0x20), then one byte.
                    let mut bytes: Vec<u8> = (0..len)
                        .map(|_| [b'a', b'!', b'#', 0x80, 0xff, b']', b' '][(next() % 7) as usize])
                        .collect();
                    if end < len {
                        bytes[end] = stop;
                    }
                    assert_eq!(plain_run(&bytes), slow(&bytes), "{bytes:?}");
                }
            }
        }
        // And any bytes at all.
        for _ in 0..5000 {
            let len = (next() % 50) as usize;
            let bytes: Vec<u8> =
                (0..len).map(|_| next().to_le_bytes()[3] | (0x20 * u8::from(next() % 9 != 0))).collect();
            assert_eq!(plain_run(&bytes), slow(&bytes), "{bytes:?}");
        }
    }

    /// The line starts the parse notes are every newline's, as a search of
    /// the whole text finds them.
    #[test]
    fn the_parse_notes_every_line_start() {
        for text in [
            "{}",
            "\n\n  {\"a\": [1,\n 2]}\n\n",
            "{\r\n  \"Statement\": [\r\n    {\"Effect\": \"Allow\\n\"}\r\n  ]\r\n}\r\n",
            "[\n\"\u{e9}\",\ntrue,\n\n null ,\t\n-1.5e3\n]",
        ] {
            let (_, lines) = parse_lines(text).unwrap();
            let mut want = vec![0];
            want.extend(text.match_indices('\n').map(|(i, _)| u32::try_from(i + 1).unwrap()));
            assert_eq!(lines.iter().collect::<Vec<_>>(), want, "{text:?}");
        }
    }

    /// Runs of whitespace of every length and kind between the tokens: the
    /// parse finds each token where it is, and each line start.
    #[test]
    fn whitespace_runs_of_any_length_are_skipped() {
        const TOKENS: [&str; 25] = [
            "{", "\"a\"", ":", "[", "1", ",", "\"x\"", ",", "true", ",", "{", "\"b\"", ":", "null", "}", ",",
            "-2.5", "]", ",", "\"c\"", ":", "\"d\"", ",", "\"e\"", ":",
        ];
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..2000 {
            let mut text = String::new();
            let mut starts = Vec::new();
            for token in TOKENS.iter().chain(&["{}", "}"]) {
                let len = next() % 20;
                for _ in 0..len {
                    text.push(match next() % 10 {
                        0 => '\n',
                        1 => '\t',
                        2 => '\r',
                        _ => ' ',
                    });
                }
                starts.push(u32::try_from(text.len()).unwrap());
                text.push_str(token);
            }
            let (value, lines) = parse_lines(&text).unwrap();
            let mut want = vec![0];
            want.extend(text.match_indices('\n').map(|(i, _)| u32::try_from(i + 1).unwrap()));
            assert_eq!(lines.iter().collect::<Vec<_>>(), want, "{text:?}");
            // Where the tokens that start a value or a key are.
            let members = value.as_object().unwrap();
            let items = members[0].value.as_array().unwrap();
            let inner = items[3].as_object().unwrap();
            let found = [
                value.span.start,
                members[0].key_span.start,
                members[0].value.span.start,
                items[0].span.start,
                items[1].span.start,
                items[2].span.start,
                items[3].span.start,
                inner[0].key_span.start,
                inner[0].value.span.start,
                items[4].span.start,
                members[1].key_span.start,
                members[1].value.span.start,
                members[2].key_span.start,
                members[2].value.span.start,
            ];
            let want = [0, 1, 3, 4, 6, 8, 10, 11, 13, 16, 19, 21, 23, 25].map(|i| starts[i]);
            assert_eq!(found, want, "{text:?}");
            assert_eq!(value.span.end, u32::try_from(text.len()).unwrap());
        }
    }

    fn err(text: &str) -> (String, u32) {
        let e = parse(text).unwrap_err();
        (e.message, e.span.start)
    }

    #[test]
    fn spans_cover_values_and_keys() {
        let v = parse(r#" {"a": [1, "x\ny", true]} "#).unwrap();
        assert_eq!(v.span, Span::new(1, 25));
        let m = &v.as_object().unwrap()[0];
        assert_eq!(m.key, "a");
        assert_eq!(m.key_span, Span::new(2, 5));
        let items = m.value.as_array().unwrap();
        assert_eq!(items[1].as_str(), Some("x\ny"));
        assert_eq!(items[1].span, Span::new(11, 17));
    }

    #[test]
    fn rejects_what_iam_rejects() {
        assert_eq!(err("{\"a\": 1, // c\n}").0, "comments are not allowed in JSON: IAM rejects them");
        assert_eq!(err("{\"a\": 1,}"), ("trailing comma before `}`".into(), 8));
        assert_eq!(err("[1,]").0, "trailing comma before `]`");
        assert_eq!(err("{'a': 1}").0, "strings must use double quotes, not single quotes");
        assert_eq!(err("").0, "the file is empty: expected a JSON value");
        assert_eq!(err("{} x").0, "unexpected text after the end of the JSON value");
        assert_eq!(err("01").0, "numbers must not have leading zeros");
        assert_eq!(err("\"abc").0, "unterminated string");
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = "[".repeat(100_000);
        assert!(err(&deep).0.contains("nesting is deeper"));
    }

    #[test]
    fn unicode_escapes() {
        let v = parse(r#""\u00e9\ud83d\ude00""#).unwrap();
        assert_eq!(v.as_str(), Some("é😀"));
        assert!(parse(r#""\ud83d""#).is_err());
    }

    #[test]
    fn offsets_of_escaped_literals() {
        let (s, map) = unescape_with_offsets(r#""a\"b""#).unwrap();
        assert_eq!(s, "a\"b");
        assert_eq!(map, vec![1, 2, 4, 5]);
    }
}
