//! Source files, byte spans and line/column lookup.

use std::sync::{Arc, OnceLock};

/// A half-open byte range `start..end` into a [`SourceFile`]'s text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub const fn new(start: u32, end: u32) -> Self {
        Self { start, end }
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

/// One input the user gave us, decoded to UTF-8.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as shown to the user (relative, `/`-separated where possible).
    pub name: String,
    pub text: Arc<str>,
    line_starts: OnceLock<Vec<u32>>,
}

impl SourceFile {
    pub fn new(name: String, text: impl Into<Arc<str>>) -> Self {
        Self { name, text: text.into(), line_starts: OnceLock::new() }
    }

    fn line_starts(&self) -> &[u32] {
        self.line_starts.get_or_init(|| {
            let mut starts = vec![0];
            starts.extend(
                self.text
                    .bytes()
                    .enumerate()
                    .filter(|&(_, b)| b == b'\n')
                    .map(|(i, _)| u32::try_from(i + 1).unwrap_or(u32::MAX)),
            );
            starts
        })
    }

    /// The 1-based line and code-point column of a byte offset.
    pub fn line_col(&self, offset: u32) -> LineCol {
        let starts = self.line_starts();
        let line = starts.partition_point(|&s| s <= offset).saturating_sub(1);
        let start = starts[line] as usize;
        let end = (offset as usize).min(self.text.len());
        let column = self.text.get(start..end).map_or(end - start, |s| s.chars().count()) + 1;
        LineCol { line: line + 1, column }
    }

    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.range()).unwrap_or("")
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
}
