//! Where each character of a template string was written: JSON string
//! literals and the YAML scalar styles (plain, single- and double-quoted,
//! literal and folded blocks). Used to point into policy documents that a
//! template holds as JSON text.

use crate::source::Span;
use crate::syntax::json::unescape_with_offsets;

/// For each byte of `s` (the value of the scalar written at `span` in
/// `text`) plus one past its end: the file offset it was written at. When the
/// scalar's form cannot be followed exactly, every byte maps to the start of
/// the scalar and the end to its end.
pub fn offsets(text: &str, span: Span, s: &str) -> Vec<u32> {
    exact(text, span, s).unwrap_or_else(|| coarse(span, s.len()))
}

/// Every byte at `span.start`, the end at `span.end`.
pub fn coarse(span: Span, len: usize) -> Vec<u32> {
    let mut v = vec![span.start; len];
    v.push(span.end);
    v
}

#[allow(clippy::cast_possible_truncation)] // template texts are below 4 GiB (the parser rejects larger)
const fn off(pos: usize) -> u32 {
    pos as u32
}

fn exact(text: &str, span: Span, s: &str) -> Option<Vec<u32>> {
    let raw = text.get(span.range())?;
    let mut start = span.start as usize;
    let mut raw = raw;
    // A YAML node may carry its tag (`!Sub 'text'`) in its span.
    if raw.starts_with('!') {
        let tag_end = raw.find([' ', '\t', '\n', '\r'])?;
        let rest = raw[tag_end..].trim_start();
        start += raw.len() - rest.len();
        raw = rest;
    }
    let relative: Vec<u32> = if raw == s {
        (0..=s.len()).map(off).collect()
    } else if raw.starts_with('"') {
        let (decoded, map) = unescape_with_offsets(raw)?;
        (decoded == s).then_some(map)?
    } else if raw.starts_with('\'') {
        single_quoted(raw, s)?
    } else if raw.starts_with(['|', '>']) {
        block(raw, s)?
    } else {
        return None;
    };
    Some(relative.into_iter().map(|o| off(start) + o).collect())
}

/// A single-quoted YAML scalar on one line: `''` stands for `'`.
fn single_quoted(raw: &str, s: &str) -> Option<Vec<u32>> {
    let inner = raw.strip_prefix('\'')?.strip_suffix('\'')?;
    if inner.contains(['\n', '\r']) {
        return None;
    }
    let mut out = String::with_capacity(inner.len());
    let mut map = Vec::with_capacity(inner.len() + 1);
    let bytes = inner.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\'' {
            if bytes.get(i + 1) != Some(&b'\'') {
                return None;
            }
            out.push('\'');
            map.push(off(i + 1));
            i += 2;
        } else {
            let c = inner[i..].chars().next()?;
            for _ in 0..c.len_utf8() {
                map.push(off(i + 1));
            }
            out.push(c);
            i += c.len_utf8();
        }
    }
    map.push(off(inner.len() + 1));
    (out == s).then_some(map)
}

/// A literal (`|`) or folded (`>`) block scalar: the header line, then the
/// content lines at one indentation. Chomping only changes the trailing line
/// breaks, so the value must be a prefix of the content read with every line
/// break kept.
fn block(raw: &str, s: &str) -> Option<Vec<u32>> {
    let folded = raw.starts_with('>');
    let header_end = raw.find('\n')?;
    let header = raw[..header_end].trim_end_matches('\r');
    let header = header.split(" #").next().unwrap_or(header).trim_end();
    let explicit: Option<usize> =
        header[1..].chars().find(char::is_ascii_digit).and_then(|c| c.to_digit(10)).map(|d| d as usize);
    let mut lines = Vec::new(); // (offset of the line in raw, the line without its break)
    let mut at = header_end + 1;
    while at < raw.len() {
        let end = raw[at..].find('\n').map_or(raw.len(), |i| at + i);
        lines.push((at, raw[at..end].trim_end_matches('\r')));
        at = end + 1;
    }
    let blank = |l: &str| l.trim_start_matches(' ').is_empty();
    let indent = match explicit {
        Some(d) => d,
        None => {
            lines.iter().find(|(_, l)| !blank(l)).map(|(_, l)| l.len() - l.trim_start_matches(' ').len())?
        }
    };
    let mut out = String::new();
    let mut map: Vec<u32> = Vec::new();
    let mut previous_text = false; // the previous line held text at the block's indentation
    for (n, &(line_at, line)) in lines.iter().enumerate() {
        let is_blank = blank(line);
        if !is_blank && line.len() - line.trim_start_matches(' ').len() < indent {
            break; // the block ended
        }
        let content = if is_blank { "" } else { &line[indent..] };
        let more_indented = content.starts_with([' ', '\t']);
        if folded && n > 0 {
            // The break before this line: a space between two lines of text
            // at the block's indentation, a newline otherwise.
            let (prev_at, prev) = lines[n - 1];
            let break_at = off(prev_at + prev.len());
            if previous_text && !is_blank && !more_indented {
                out.push(' ');
                map.push(break_at);
            } else if !(previous_text && is_blank) {
                out.push('\n');
                map.push(break_at);
            }
        }
        for (i, _) in content.char_indices() {
            let c = content[i..].chars().next()?;
            for _ in 0..c.len_utf8() {
                map.push(off(line_at + indent + i));
            }
            out.push(c);
        }
        if !folded {
            out.push('\n');
            map.push(off(line_at + line.len()));
        }
        previous_text = !is_blank && !more_indented;
    }
    if folded {
        out.push('\n');
        map.push(off(raw.len()));
    }
    if out.len() < s.len() || !out.starts_with(s) {
        return None;
    }
    map.truncate(s.len());
    // The line break a block adds after its last line may not be in the
    // text (a block at the end of a file without one): the end is the text's.
    let end = map.last().map_or(off(header_end + 1), |&o| (o + 1).min(off(raw.len())));
    map.push(end);
    Some(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, value: &str) -> String {
        let start = text.find(['"', '\'', '|', '>', 'a']).unwrap();
        let span = Span::new(off(start), off(text.len()));
        let map = exact(text, span, value).expect("an exact map");
        assert_eq!(map.len(), value.len() + 1);
        // Every byte of the value maps to the same character in the text.
        value
            .char_indices()
            .map(|(i, c)| {
                let at = map[i] as usize;
                if c == '\n' || text[at..].starts_with(c) || text[at..].starts_with('\\') { c } else { '?' }
            })
            .collect()
    }

    #[test]
    fn a_block_at_the_end_of_a_file_without_a_line_break_ends_with_the_text() {
        let text = "x: |\n  {\n    \"a\": [";
        let map = exact(text, Span::new(3, off(text.len())), "{\n  \"a\": [\n").expect("an exact map");
        assert_eq!(map.last(), Some(&off(text.len())));
        assert!(map.iter().all(|&o| o as usize <= text.len()));
    }

    #[test]
    fn json_and_quoted_scalars() {
        assert_eq!(check(r#"x: "a\"b""#, "a\"b"), "a\"b");
        assert_eq!(check("x: 'it''s'", "it's"), "it's");
        assert_eq!(check("x: abc", "abc"), "abc");
    }

    #[test]
    fn block_scalars() {
        let text = "x: |\n  {\"a\":\n    1}\n";
        assert_eq!(check(text, "{\"a\":\n  1}\n"), "{\"a\":\n  1}\n");
        let text = "x: |-\n  one\n  two\n";
        assert_eq!(check(text, "one\ntwo"), "one\ntwo");
        let text = "x: >-\n  one\n  two\n";
        let map = exact(text, Span::new(3, off(text.len())), "one two").unwrap();
        assert_eq!(&text[map[4] as usize..map[4] as usize + 3], "two");
    }

    #[test]
    fn unknown_forms_are_coarse() {
        let text = "x: a\n  b";
        let span = Span::new(3, off(text.len()));
        assert_eq!(offsets(text, span, "a b"), vec![3, 3, 3, 8]);
    }
}
