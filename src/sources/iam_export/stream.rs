//! Reading a `get-account-authorization-details` export piece by piece: the
//! file is read a block at a time, each role, user, group and managed policy
//! is parsed and lowered where it lies, and what is behind is let go. Neither
//! the parsed tree of the whole file nor (from a file) its whole text ever
//! exists: an export of hundreds of megabytes would need about three times
//! its size for them.

use std::io::Read;

use rayon::prelude::*;

use super::{LISTS, managed_policy, principal};
use crate::source::LineStarts;
use crate::sources::{Extracted, Format, Text};
use crate::syntax::json::{Kind, parse, parse_in};

/// The arrays of an export that are read item by item, in the order their
/// items are put together.
const STREAMED: [&str; 4] = ["RoleDetailList", "UserDetailList", "GroupDetailList", "Policies"];

/// Bytes read at a time.
const BLOCK: usize = 1 << 20;

/// Items are parsed (in parallel) once this many bytes of them are read.
const BATCH: usize = 4 << 20;

/// How far into the input its first list must start.
const HEAD: usize = BLOCK;

/// How long a member of the top-level object that is not a list may be.
const SHORT: usize = 64 << 10;

/// Items parsed and lowered together by one task of a batch.
const CHUNK: usize = 64;

/// Why a reading stopped short: not an export of the usual shape, or
/// anything but plain valid JSON (a syntax error, a list given twice), or
/// from a file, a byte that is not ASCII, or the file could not be read on.
/// The caller reads the file whole, which gives the same result or the
/// exact error.
pub enum Stop {
    Unusual,
}

/// What reading an export from a file gave.
pub struct Streamed {
    pub extracted: Extracted,
    /// The file's length in bytes.
    pub len: usize,
    /// Where each line starts.
    pub line_starts: LineStarts,
}

/// Reads an export from a file. Each byte must be ASCII (a byte is then a
/// character, and the line starts are all a report needs of the text).
///
/// # Errors
/// See [`Stop`].
pub fn read_file(file: impl Read) -> Result<Streamed, Stop> {
    read_in_blocks(file, BLOCK, BATCH)
}

/// Reads an export whose text is in memory, as [`read_file`] reads a file.
pub fn read_text(text: &str) -> Option<Extracted> {
    // What makes a file an export (see `super::super::detect`), looked for
    // with a searcher made once: every file read whole is asked.
    static DETAIL_LIST: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"DetailList\""));
    DETAIL_LIST.find(text.as_bytes())?;
    read(&mut Window::new(text.as_bytes(), BLOCK.min(text.len()), false), BATCH).ok()
}

/// [`read_file`] in blocks and batches of any size (for the tests and
/// the fuzz target `export_reading`).
pub(crate) fn read_in_blocks(file: impl Read, block: usize, batch: usize) -> Result<Streamed, Stop> {
    let mut w = Window::new(file, block, true);
    let extracted = read(&mut w, batch)?;
    Ok(Streamed { extracted, len: w.base + w.buf.len(), line_starts: w.line_starts })
}

/// The bytes of the input from offset `base` on that are still needed.
struct Window<R> {
    reader: R,
    block: usize,
    buf: Vec<u8>,
    /// The input's offset of `buf[0]`.
    base: usize,
    eof: bool,
    /// From a file: each byte is checked to be ASCII, and the line starts
    /// are noted.
    from_file: bool,
    line_starts: LineStarts,
}

impl<R: Read> Window<R> {
    fn new(reader: R, block: usize, from_file: bool) -> Self {
        Self {
            reader,
            block,
            buf: Vec::new(),
            base: 0,
            eof: false,
            from_file,
            line_starts: LineStarts::default(),
        }
    }

    /// Reads the next block onto the end of the window; `false` at the end
    /// of the input.
    fn fill(&mut self) -> Result<bool, Stop> {
        if self.eof {
            return Ok(false);
        }
        let old = self.buf.len();
        self.buf.resize(old + self.block, 0);
        let mut n = 0;
        while old + n < self.buf.len() {
            match self.reader.read(&mut self.buf[old + n..]) {
                Ok(0) => {
                    self.eof = true;
                    break;
                }
                Ok(k) => n += k,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => return Err(Stop::Unusual),
            }
        }
        self.buf.truncate(old + n);
        let at = self.base + old;
        if u32::try_from(at + n).is_err() {
            return Err(Stop::Unusual);
        }
        if self.from_file {
            let new = &self.buf[old..];
            if !new.is_ascii() || memchr::memchr(0, new).is_some() {
                return Err(Stop::Unusual);
            }
            for i in memchr::memchr_iter(b'\n', new) {
                self.line_starts.push(u32::try_from(at + i + 1).unwrap_or(u32::MAX));
            }
        }
        Ok(n > 0)
    }

    /// The byte at `pos` of the window, reading on as far as it; `Unusual`
    /// when the input ends first.
    fn byte(&mut self, pos: usize) -> Result<u8, Stop> {
        while pos >= self.buf.len() {
            if !self.fill()? {
                return Err(Stop::Unusual);
            }
        }
        Ok(self.buf[pos])
    }

    /// The offset of the first byte at or after `pos` that is not
    /// whitespace, and that byte.
    fn skip_ws(&mut self, mut pos: usize) -> Result<(usize, u8), Stop> {
        loop {
            match self.byte(pos)? {
                b' ' | b'\t' | b'\n' | b'\r' => pos += 1,
                b => return Ok((pos, b)),
            }
        }
    }

    /// Whether nothing but whitespace follows `pos` to the end of the
    /// input (a read that fails on the way is not the end).
    fn only_ws_after(&mut self, pos: usize) -> bool {
        self.skip_ws(pos).is_err() && self.eof
    }

    /// `f` of the window, reading on while it needs more.
    fn with_more<T>(&mut self, f: impl Fn(&Self) -> Option<T>) -> Result<T, Stop> {
        loop {
            if let Some(t) = f(self) {
                return Ok(t);
            }
            if !self.fill()? {
                return Err(Stop::Unusual);
            }
        }
    }

    /// The window as text, as far as it is whole characters.
    fn text(&self) -> &str {
        match std::str::from_utf8(&self.buf) {
            Ok(s) => s,
            Err(e) => std::str::from_utf8(&self.buf[..e.valid_up_to()]).unwrap_or_default(),
        }
    }

    /// Where the value that starts at `pos` (nested `depth` deep) ends,
    /// reading on as far as `SHORT` bytes past it: a key, or a member of the
    /// top-level object beside the lists, is short in an export
    /// (`IsTruncated`, `Marker`). A longer one is `Unusual`: a large file
    /// that is no export is not parsed over and over as it is read.
    fn parse(&mut self, pos: usize, depth: usize) -> Result<usize, Stop> {
        loop {
            if let Ok((_, end)) = parse_in(self.text(), self.base_u32(), pos, depth) {
                return Ok(end);
            }
            if self.buf.len() - pos > SHORT || !self.fill()? {
                return Err(Stop::Unusual);
            }
        }
    }

    fn base_u32(&self) -> u32 {
        // `fill` refuses inputs whose offsets do not fit.
        u32::try_from(self.base).unwrap_or(u32::MAX)
    }

    /// Lets go of the bytes before `pos`.
    fn forget(&mut self, pos: usize) {
        self.buf.drain(..pos);
        self.base += pos;
    }
}

/// Reads the export: its top-level object member by member, the streamed
/// lists item by item.
fn read<R: Read>(w: &mut Window<R>, batch: usize) -> Result<Extracted, Stop> {
    let (mut pos, open) = w.skip_ws(0)?;
    // What makes a file an export (see `super::super::detect`), in its
    // first `HEAD` bytes: the CLI writes the lists of users, groups and
    // roles first. Anything else is read whole.
    while w.buf.len() < HEAD && w.fill()? {}
    if open != b'{' || memchr::memmem::find(&w.buf, b"DetailList\"").is_none() {
        return Err(Stop::Unusual);
    }
    pos += 1;
    // The top-level object with the lists left empty: what decides the
    // format (see `super::super::detect`), known only at its end.
    let mut skeleton = String::from("{");
    // What each list gives, put together in the order the whole file's
    // reading takes them (see `super::authorization_details`).
    let mut parts: [Vec<Extracted>; STREAMED.len()] = Default::default();
    let mut seen = [false; STREAMED.len()];
    loop {
        let (at, quote) = w.skip_ws(pos)?;
        if quote != b'"' {
            return Err(Stop::Unusual);
        }
        let end = w.parse(at, 1)?;
        let raw = &w.text()[at..end];
        let key = match parse(raw).map(|k| k.kind) {
            Ok(Kind::String(key)) => key.into_owned(),
            _ => return Err(Stop::Unusual),
        };
        skeleton.push_str(raw);
        skeleton.push(':');
        let (colon, b) = w.skip_ws(end)?;
        if b != b':' {
            return Err(Stop::Unusual);
        }
        let (at, first) = w.skip_ws(colon + 1)?;
        let streamed = STREAMED.iter().position(|k| *k == key);
        if let Some(k) = streamed {
            // The last of repeated members wins when parsed whole: rare
            // enough to leave to that.
            if std::mem::replace(&mut seen[k], true) {
                return Err(Stop::Unusual);
            }
        }
        pos = match streamed {
            Some(k) if first == b'[' => {
                skeleton.push_str("[]");
                list(w, STREAMED[k], at, batch, &mut parts[k])?
            }
            _ => {
                let end = w.parse(at, 1)?;
                skeleton.push_str(&w.text()[at..end]);
                end
            }
        };
        match w.skip_ws(pos)? {
            (comma, b',') => {
                skeleton.push(',');
                pos = comma + 1;
            }
            (close, b'}') => {
                pos = close + 1;
                break;
            }
            _ => return Err(Stop::Unusual),
        }
    }
    if !w.only_ws_after(pos) {
        return Err(Stop::Unusual);
    }
    skeleton.push('}');
    let root = parse(&skeleton).map_err(|_| Stop::Unusual)?;
    if crate::sources::detect(&root) != Some(Format::AuthorizationDetails) {
        return Err(Stop::Unusual);
    }
    Ok(Extracted::concat(parts.into_iter().flatten().collect()))
}

/// Reads the items of the list `key` that opens at `open`, a batch at a
/// time, forgetting each batch once it is read; the offset after its `]`.
fn list<R: Read>(
    w: &mut Window<R>,
    key: &'static str,
    open: usize,
    batch: usize,
    parts: &mut Vec<Extracted>,
) -> Result<usize, Stop> {
    let (mut pos, b) = w.skip_ws(open + 1)?;
    if b == b']' {
        return Ok(pos + 1);
    }
    // The items of the batch, as offsets in the input.
    let mut items: Vec<(usize, usize)> = Vec::new();
    let mut done = 0;
    loop {
        let start = pos;
        let end = w.with_more(|w| skip_value(&w.buf, start))?;
        items.push((w.base + start, w.base + end));
        let (after, sep) = w.skip_ws(end)?;
        pos = after + 1;
        match sep {
            b',' => {
                let (next, b) = w.skip_ws(pos)?;
                if b == b']' {
                    return Err(Stop::Unusual);
                }
                pos = next;
            }
            b']' => {}
            _ => return Err(Stop::Unusual),
        }
        if sep == b']' || w.base + end - items[0].0 >= batch {
            parts.extend(read_items(w, key, &items, done)?);
            done += items.len();
            items.clear();
            w.forget(pos);
            pos = 0;
        }
        if sep == b']' {
            return Ok(pos);
        }
    }
}

/// What the items of a batch give (parsed and lowered in parallel), in
/// order; `Unusual` when one is not valid JSON or does not end where its
/// brackets said.
fn read_items<R: Read>(
    w: &Window<R>,
    key: &'static str,
    items: &[(usize, usize)],
    first: usize,
) -> Result<Vec<Extracted>, Stop> {
    let (text, base) = (w.text(), w.base);
    let base32 = w.base_u32();
    let piece = Text::piece(text, base32);
    let kind = LISTS.iter().find(|(k, _)| *k == key).map(|&(_, kind)| kind);
    let parts: Vec<Option<Extracted>> = items
        .par_chunks(CHUNK)
        .enumerate()
        .map(|(c, chunk)| {
            let mut part = Extracted::default();
            for (j, &(start, end)) in chunk.iter().enumerate() {
                // Nested as in the whole file: root object, list, item.
                let (item, after) = parse_in(text, base32, start - base, 2).ok()?;
                if after != end - base {
                    return None;
                }
                match kind {
                    Some(kind) => {
                        let i = first + c * CHUNK + j;
                        principal(piece, &item, kind, &format!("/{key}/{i}"), &mut part);
                    }
                    None => managed_policy(piece, &item, &mut part),
                }
            }
            Some(part)
        })
        .collect();
    parts.into_iter().collect::<Option<Vec<_>>>().ok_or(Stop::Unusual)
}

/// Where the value that starts at `pos` ends, by brackets and quotes alone
/// (each item is checked when it is parsed); `None` when the bytes end
/// first.
fn skip_value(b: &[u8], mut pos: usize) -> Option<usize> {
    let mut depth = 0usize;
    loop {
        match *b.get(pos)? {
            b'"' => {
                pos = skip_string(b, pos)?;
                if depth == 0 {
                    return Some(pos);
                }
                continue;
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' | b',' | b' ' | b'\t' | b'\n' | b'\r' if depth == 0 => return Some(pos),
            b'}' | b']' => {
                depth -= 1;
                if depth == 0 {
                    return Some(pos + 1);
                }
            }
            _ => {}
        }
        pos += 1;
        if depth > 0 {
            // Within brackets only quotes and brackets matter: past the
            // indentation, keys' colons, commas and numbers at once.
            pos = next_structural(b, pos)?;
        }
    }
}

/// The first byte at or after `pos` that opens or closes something.
fn next_structural(b: &[u8], mut pos: usize) -> Option<usize> {
    loop {
        // Indentation, eight spaces at a time.
        while b.get(pos..pos + 8) == Some(b"        ") {
            pos += 8;
        }
        if STRUCTURAL[usize::from(*b.get(pos)?)] {
            return Some(pos);
        }
        pos += 1;
    }
}

/// The bytes that open or close something in JSON text.
static STRUCTURAL: [bool; 256] = {
    let mut table = [false; 256];
    table[b'"' as usize] = true;
    table[b'{' as usize] = true;
    table[b'}' as usize] = true;
    table[b'[' as usize] = true;
    table[b']' as usize] = true;
    table
};

/// The offset after the string literal that opens at `open`.
fn skip_string(b: &[u8], open: usize) -> Option<usize> {
    let mut pos = open + 1;
    loop {
        // Strings are most of an export's bytes: to the next quote or
        // backslash many bytes at a time.
        pos += memchr::memchr2(b'"', b'\\', b.get(pos..)?)?;
        if b[pos] == b'"' {
            return Some(pos + 1);
        }
        pos += 2;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that counts the bytes read from it.
    struct Counted<'a>(&'a [u8], &'a std::cell::Cell<usize>);

    impl Read for Counted<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.0.read(buf)?;
            self.1.set(self.1.get() + n);
            Ok(n)
        }
    }

    /// A large JSON file that is no export (a generator's answer key, say)
    /// is given up after its first mebibyte or a long member, not parsed
    /// over and over as it is read.
    #[test]
    fn a_large_file_that_is_no_export_is_given_up_early() {
        let rows =
            (0..60_000).map(|i| format!(r#"{{"file": "f{i}.yaml", "risks": []}}"#)).collect::<Vec<_>>();
        let rows = rows.join(",\n");
        for text in [
            format!("{{\"seed\": 1, \"rows\": [{rows}]}}"),
            // An export's list first, then a member longer than any of an export's.
            format!("{{\"UserDetailList\": [], \"rows\": [{rows}]}}"),
        ] {
            assert!(text.len() > 2 * HEAD);
            let read = std::cell::Cell::new(0);
            assert!(read_in_blocks(Counted(text.as_bytes(), &read), BLOCK, BATCH).is_err());
            assert!(read.get() <= HEAD + SHORT + BLOCK, "{} bytes read", read.get());
        }
    }

    #[test]
    fn indentation_of_any_width_is_skipped_to_the_next_bracket() {
        for width in 0..20 {
            let text = format!("{}:1,\n{}]", " ".repeat(width), " ".repeat(width));
            let close = text.len() - 1;
            assert_eq!(next_structural(text.as_bytes(), 0), Some(close), "{width}");
        }
        assert_eq!(next_structural(b"          ", 0), None);
        let item = "{\n        \"a\": [\n                1,\n                {}\n        ]\n}";
        assert_eq!(skip_value(item.as_bytes(), 0), Some(item.len()));
    }
}
