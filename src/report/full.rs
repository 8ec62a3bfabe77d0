//! Graphical output through miette: the message, the source snippet with the
//! span underlined, and the help line.

use std::fmt;
use std::io::Write;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};

use super::RenderOptions;
use crate::analysis::Analysis;
use crate::diagnostic::{Finding, Severity};
use crate::source::SourceFile;

/// Lines of context shown around a finding.
const CONTEXT: usize = 2;

pub fn render(a: &Analysis, opts: &RenderOptions, out: &mut dyn Write) -> std::io::Result<()> {
    let theme = if opts.color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler =
        GraphicalReportHandler::new_themed(theme).with_width(opts.width).with_context_lines(CONTEXT);
    for f in &a.findings {
        let report = Rendered::new(a, f);
        let mut s = String::new();
        handler.render_report(&mut s, &report).map_err(std::io::Error::other)?;
        writeln!(out, "{s}")?;
    }
    if opts.summary {
        writeln!(out, "{}", super::summary_line(a))?;
    }
    Ok(())
}

/// Lines longer than this are cut to an excerpt around the finding.
const MAX_LINE: usize = 240;
/// How much of a long line is shown on each side of the finding.
const EXCERPT: usize = 80;

/// The part of a file shown around one finding: whole lines with context,
/// or an excerpt of one long line (minified exports are a single line of
/// hundreds of megabytes). miette reads a source from its start to count
/// lines, so it gets only this window; line and column numbers come from
/// the file's own line index.
struct Window<'f> {
    file: &'f SourceFile,
    /// The excerpt, with control characters replaced.
    text: String,
    /// Byte offset of the excerpt in the file.
    base: usize,
    /// For a policy shown decoded, the file's line and column of the
    /// finding (the excerpt's offsets are not the file's).
    fixed: Option<crate::source::LineCol>,
}

impl SourceCode for Window<'_> {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self.text.as_str().read_span(span, before, after)?;
        let at = |offset: usize| self.file.line_col(u32::try_from(self.base + offset).unwrap_or(u32::MAX));
        let (line, column) = match self.fixed {
            Some(at) => (at.line - 1, at.column - 1),
            None => (at(inner.span().offset()).line - 1, at(span.offset()).column - 1),
        };
        Ok(Box::new(
            MietteSpanContents::new_named(
                super::printable(&self.file.name).into_owned(),
                inner.data(),
                *inner.span(),
                line,
                column,
                inner.line_count(),
            )
            .with_language("json"),
        ))
    }
}

struct Rendered<'a> {
    finding: &'a Finding,
    code: String,
    source: Window<'a>,
    span: SourceSpan,
    /// Whether the snippet is a URL-encoded policy shown decoded.
    decoded: bool,
}

/// A finding inside a URL-encoded policy (as `aws iam` exports return
/// them): the decoded policy around the span, on one line (line breaks
/// and indentation folded to a space), and the span in it. `None` when the
/// span is not inside such a string.
fn decoded_view(text: &str, start: usize, end: usize) -> Option<(String, usize, usize)> {
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
    // An encoded policy has no quote or backslash of its own: `%22`, `%5C`.
    let open = line_start + text[line_start..start].rfind('"')? + 1;
    let close = end + text[end..line_end].find('"')?;
    let literal = &text[open..close];
    if !crate::syntax::text::looks_url_encoded(literal) || literal.contains('\\') {
        return None;
    }
    let (decoded, map) = crate::syntax::text::percent_decode_with_offsets(literal)?;
    let to_decoded = |offset: usize| map.partition_point(|&p| (p as usize) < offset - open);
    let (ds, de) = (to_decoded(start), to_decoded(end));
    // Fold each run of white space and control characters into one space.
    let mut shown = String::with_capacity(decoded.len());
    let mut at = vec![0; decoded.len() + 1];
    let mut in_space = false;
    for (i, c) in decoded.char_indices() {
        let space = c.is_whitespace() || c.is_control();
        if !(space && in_space) {
            shown.push(if space { ' ' } else { c });
        }
        in_space = space;
        // Where the character starts in what is shown (a folded space: the
        // space of its run).
        let here = shown.len() - if space { 1 } else { c.len_utf8() };
        at[i..i + c.len_utf8()].fill(here);
    }
    at[decoded.len()] = shown.len();
    let (s0, e0) = (at[ds.min(decoded.len())], at[de.min(decoded.len())]);
    // The excerpt around the span, as for any long line.
    let from = floor_char(&shown, s0.saturating_sub(EXCERPT));
    let e0 = floor_char(&shown, e0.min(s0 + 2 * EXCERPT).max(s0));
    let to = floor_char(&shown, (e0 + EXCERPT).min(shown.len()));
    Some((shown[from..to].to_owned(), s0 - from, e0 - from))
}

fn floor_char(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

impl<'a> Rendered<'a> {
    fn new(a: &'a Analysis, f: &'a Finding) -> Self {
        // The subject heads the finding: in an export of hundreds of roles
        // it says which one before anything else.
        let file = &a.files[f.file];
        let text = file.text();
        let (start, mut end) = (f.span.start as usize, (f.span.end as usize).min(text.len()));
        let code = match super::subject_phrase(f) {
            Some(p) => format!("{} ({}) {p}", f.rule.name, f.rule.code),
            None => format!("{} ({})", f.rule.name, f.rule.code),
        };
        if let Some((shown, s0, e0)) = decoded_view(text, start, end) {
            let fixed = Some(file.line_col(f.span.start));
            return Self {
                finding: f,
                code,
                source: Window { file, text: shown, base: 0, fixed },
                span: SourceSpan::new(s0.into(), e0 - s0),
                decoded: true,
            };
        }
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        // Whole lines plus the context lines on each side…
        let mut from = line_start;
        for _ in 0..CONTEXT {
            if from == 0 {
                break;
            }
            from = text[..from - 1].rfind('\n').map_or(0, |i| i + 1);
        }
        let mut to = end.max(line_end);
        for _ in 0..=CONTEXT {
            let Some(i) = text[to..].find('\n') else {
                to = text.len();
                break;
            };
            to += i + 1;
        }
        // …unless that is too much to show: then an excerpt of the finding's line.
        if line_end - line_start > MAX_LINE || to - from > (2 * CONTEXT + 1) * MAX_LINE {
            from = floor_char(text, start.saturating_sub(EXCERPT).max(line_start));
            end = floor_char(text, end.min(start + 2 * EXCERPT).min(line_end).max(start));
            to = floor_char(text, (end + EXCERPT).min(line_end));
        }
        let shown: String = text[from..to]
            .chars()
            .map(|c| if c.is_control() && !matches!(c, '\n' | '\r' | '\t') { '\u{fffd}' } else { c })
            .collect();
        // U+FFFD is longer than the byte it replaces: shift the span by the difference.
        let grow = |upto: usize| shown_len(&text[from..upto]) - (upto - from);
        let (s0, e0) = (start - from + grow(start), end - from + grow(end));
        Self {
            finding: f,
            code,
            source: Window { file, text: shown, base: from, fixed: None },
            span: SourceSpan::new(s0.into(), e0 - s0),
            decoded: false,
        }
    }
}

/// The byte length of `s` once control characters become U+FFFD.
fn shown_len(s: &str) -> usize {
    s.chars().map(|c| if c.is_control() && !matches!(c, '\n' | '\r' | '\t') { 3 } else { c.len_utf8() }).sum()
}

impl fmt::Debug for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)
    }
}

impl fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&super::printable(&self.finding.message))
    }
}

impl std::error::Error for Rendered<'_> {}

impl Diagnostic for Rendered<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(&self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.finding.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Note => miette::Severity::Advice,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        let note = "the policy is URL-encoded in the file: shown decoded";
        match (&self.finding.help, self.decoded) {
            (Some(h), true) => Some(Box::new(format!("{h}\n{note}"))),
            (Some(h), false) => Some(Box::new(h)),
            (None, true) => Some(Box::new(note)),
            (None, false) => None,
        }
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let label = LabeledSpan::new_primary_with_span(self.finding.label.clone(), self.span);
        Some(Box::new(std::iter::once(label)))
    }
}
