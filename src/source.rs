//! Source files, byte spans and line/column lookup.

use std::sync::{Arc, OnceLock};

/// A half-open byte range `start..end` into a [`SourceFile`]'s text.
///
/// `file` says which file when what was read spans several (a Terraform
/// module reads all the files of its directory and of the modules it calls):
/// an index into that reading's list of files, `0` being the file itself.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    pub start: u32,
    pub end: u32,
    pub file: u32,
}

impl Span {
    pub const fn new(start: u32, end: u32) -> Self {
        Self { start, end, file: 0 }
    }

    /// The same bytes, in file `file` of the reading.
    #[must_use]
    pub const fn in_file(self, file: u32) -> Self {
        Self { file, ..self }
    }

    /// From the start of `self` to the end of `other` (same file).
    #[must_use]
    pub const fn to(self, other: Self) -> Self {
        Self { end: other.end, ..self }
    }

    pub const fn len(self) -> u32 {
        self.end - self.start
    }

    pub const fn is_empty(self) -> bool {
        self.start == self.end
    }

    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// A 1-based line and column; the column counts Unicode code points.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

/// Lines and code-point counts of a text, computed once, so that any
/// offset's line and column are found without rescanning the file (a
/// minified export is one line of hundreds of megabytes).
#[derive(Debug)]
struct LineIndex {
    line_starts: LineStarts,
    /// `None` for ASCII text (a byte is a character). Otherwise the number of
    /// characters before each `BLOCK`-byte boundary.
    block_chars: Option<Vec<u32>>,
}

const BLOCK: usize = 4096;

/// The offsets a text's lines start at, in about a byte per line (a large
/// export has millions of lines): the start of every `GROUP`th line, and
/// the length of each line; the start of a line after one longer than
/// `LONG` bytes is kept whole.
#[derive(Debug)]
pub struct LineStarts {
    /// The starts of lines 0, `GROUP`, 2 `GROUP`, ...
    every: Vec<u32>,
    /// `lengths[i]`: the start of line `i + 1` less that of line `i`, or
    /// `LONG` when it is in `long`.
    lengths: Vec<u8>,
    /// `(line, start)` of each line after a long one, by line.
    long: Vec<(u32, u32)>,
    last: u32,
}

impl Default for LineStarts {
    /// One line, starting at 0.
    fn default() -> Self {
        Self { every: vec![0], lengths: Vec::new(), long: Vec::new(), last: 0 }
    }
}

impl LineStarts {
    const GROUP: usize = 64;
    const LONG: u8 = u8::MAX;

    /// Room for the lines of a text of `len` bytes, at 32 bytes a line
    /// (about a policy's): the list is not grown four times over for each
    /// file.
    pub fn for_text(len: usize) -> Self {
        let mut starts = Self::default();
        starts.lengths.reserve((len / 32).min(1 << 16));
        starts
    }

    /// Adds the start of the next line (after all the others).
    pub fn push(&mut self, start: u32) {
        let line = self.lengths.len() + 1;
        match u8::try_from(start - self.last) {
            Ok(length) if length < Self::LONG => self.lengths.push(length),
            _ => {
                self.lengths.push(Self::LONG);
                self.long.push((u32::try_from(line).unwrap_or(u32::MAX), start));
            }
        }
        if line.is_multiple_of(Self::GROUP) {
            self.every.push(start);
        }
        self.last = start;
    }

    /// The start of the line after line `line`, which starts at `start`.
    fn next(&self, line: usize, start: u32) -> u32 {
        match self.lengths[line] {
            Self::LONG => {
                let next = u32::try_from(line + 1).unwrap_or(u32::MAX);
                let i = self.long.partition_point(|&(l, _)| l < next);
                self.long[i].1
            }
            length => start + u32::from(length),
        }
    }

    /// The 0-based line that `offset` is on, and where that line starts.
    pub fn find(&self, offset: u32) -> (usize, u32) {
        let group = self.every.partition_point(|&s| s <= offset).saturating_sub(1);
        let (mut line, mut start) = (group * Self::GROUP, self.every[group]);
        while line < self.lengths.len() {
            let next = self.next(line, start);
            if next > offset {
                break;
            }
            (line, start) = (line + 1, next);
        }
        (line, start)
    }

    /// Every line's start, in order.
    pub fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        let mut start = 0;
        (0..=self.lengths.len()).map(move |line| {
            if line > 0 {
                start = self.next(line - 1, start);
            }
            start
        })
    }
}

impl LineIndex {
    fn new(text: &str) -> Self {
        let mut line_starts = LineStarts::for_text(text.len());
        for i in memchr_lines(text.as_bytes()) {
            line_starts.push(u32::try_from(i + 1).unwrap_or(u32::MAX));
        }
        Self::with_starts(text, line_starts)
    }

    /// The index of `text`, whose lines start at `line_starts`.
    fn with_starts(text: &str, line_starts: LineStarts) -> Self {
        let block_chars = (!text.is_ascii()).then(|| {
            let mut total = 0u32;
            let mut out = Vec::with_capacity(text.len() / BLOCK + 1);
            for chunk in text.as_bytes().chunks(BLOCK) {
                out.push(total);
                total += u32::try_from(chars_in(chunk)).unwrap_or(0);
            }
            out.push(total);
            out
        });
        Self { line_starts, block_chars }
    }

    /// Characters in `text[..offset]`.
    fn chars_before(&self, text: &str, offset: usize) -> usize {
        match &self.block_chars {
            None => offset,
            Some(blocks) => {
                let block = offset / BLOCK;
                let counted = chars_in(&text.as_bytes()[block * BLOCK..offset]);
                blocks[block] as usize + counted
            }
        }
    }
}

/// The characters UTF-8 `bytes` hold: the bytes that are not continuation
/// bytes (written for the compiler to vectorize).
fn chars_in(bytes: &[u8]) -> usize {
    bytes.iter().map(|&b| usize::from(b & 0xC0 != 0x80)).sum()
}

fn memchr_lines(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    memchr::memchr_iter(b'\n', bytes)
}

/// One input the user gave us, decoded to UTF-8.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as shown to the user (relative, `/`-separated where possible).
    pub name: String,
    /// Empty once [`SourceFile::release_text`] let it go.
    text: Arc<str>,
    /// The text's length in bytes, kept when the text is let go.
    len: usize,
    index: OnceLock<LineIndex>,
}

impl SourceFile {
    pub fn new(name: String, text: impl Into<Arc<str>>) -> Self {
        let text = text.into();
        Self { name, len: text.len(), text, index: OnceLock::new() }
    }

    /// A file read piece by piece, its text not kept: its length and the
    /// offsets its lines start at (ascending, the first 0). Each of its
    /// bytes must be a character (ASCII text), as in a file whose text
    /// [`SourceFile::release_text`] let go.
    pub fn without_text(name: String, len: usize, line_starts: LineStarts) -> Self {
        let index = LineIndex { line_starts, block_chars: None };
        Self { name, text: Arc::from(""), len, index: OnceLock::from(index) }
    }

    /// The text; empty if it was let go.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Lets go of the text, keeping what [`SourceFile::line_col`] needs,
    /// for a reading whose report shows no source: a large export's text
    /// would otherwise stay in memory beside the model read from it. Kept
    /// when some character takes several bytes (its column is counted in
    /// the text). Returns whether the text went.
    pub fn release_text(&mut self) -> bool {
        if self.index().block_chars.is_some() {
            return false;
        }
        self.text = Arc::from("");
        true
    }

    /// Keeps the offsets the text's lines start at, found by its parse:
    /// they need not be looked for again.
    pub fn know_line_starts(&self, starts: LineStarts) {
        // Set once: the index may have been made already.
        let _ = self.index.set(LineIndex::with_starts(&self.text, starts));
    }

    fn index(&self) -> &LineIndex {
        self.index.get_or_init(|| LineIndex::new(&self.text))
    }

    /// The 1-based line and code-point column of a byte offset.
    pub fn line_col(&self, offset: u32) -> LineCol {
        let index = self.index();
        let (line, start) = index.line_starts.find(offset);
        let start = start as usize;
        let end = (offset as usize).min(self.len);
        let column = index.chars_before(&self.text, end) - index.chars_before(&self.text, start) + 1;
        LineCol { line: line + 1, column }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_code_points() {
        let f = SourceFile::new("x".into(), "ab\n\u{e9}\u{e9}x\n");
        assert_eq!(f.line_col(0), LineCol { line: 1, column: 1 });
        assert_eq!(f.line_col(3), LineCol { line: 2, column: 1 });
        // `x` sits after two two-byte characters.
        assert_eq!(f.line_col(7), LineCol { line: 2, column: 3 });
        assert_eq!(f.line_col(9), LineCol { line: 3, column: 1 });
    }

    #[test]
    fn a_released_text_keeps_lines_and_columns() {
        let text = "{\n  \"a\": [1,\n 2]}\n\nx";
        let mut f = SourceFile::new("x".into(), text);
        let before: Vec<LineCol> =
            (0..=u32::try_from(text.len()).unwrap() + 2).map(|o| f.line_col(o)).collect();
        assert!(f.release_text());
        assert_eq!(f.text(), "");
        let after: Vec<LineCol> =
            (0..=u32::try_from(text.len()).unwrap() + 2).map(|o| f.line_col(o)).collect();
        assert_eq!(before, after);

        // A column after a character of several bytes is counted in the text.
        let mut f = SourceFile::new("x".into(), "\u{e9}x");
        assert!(!f.release_text());
        assert_eq!(f.line_col(2), LineCol { line: 1, column: 2 });
    }

    /// Lines of every length about the one kept in a byte, across many
    /// groups: each offset's line as a search of every start finds it.
    #[test]
    fn line_starts_kept_in_a_byte_a_line_find_every_line() {
        let lengths = (0..2000u32).map(|i| [1, 2, 253, 254, 255, 256, 3000, 40][(i * 7 % 11 % 8) as usize]);
        let mut all = vec![0u32];
        let mut starts = LineStarts::default();
        for length in lengths {
            let next = all.last().unwrap() + length;
            all.push(next);
            starts.push(next);
        }
        assert_eq!(starts.iter().collect::<Vec<_>>(), all);
        for offset in (0..all.last().unwrap() + 10).step_by(3) {
            let line = all.partition_point(|&s| s <= offset) - 1;
            assert_eq!(starts.find(offset), (line, all[line]), "{offset}");
        }
        assert_eq!(LineStarts::default().find(7), (0, 0));
    }

    #[test]
    fn columns_on_a_long_line_cross_blocks() {
        let text = format!("{}\u{e9}{}x", "a".repeat(5000), "b".repeat(5000));
        let f = SourceFile::new("x".into(), text.as_str());
        let x = u32::try_from(text.len() - 1).unwrap();
        assert_eq!(f.line_col(x), LineCol { line: 1, column: 10_002 });
        assert_eq!(f.line_col(5002), LineCol { line: 1, column: 5002 });
    }
}
