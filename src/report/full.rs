//! Graphical output through miette: the message, the source snippet with the
//! span underlined, and the help line.

use std::fmt;
use std::io::Write;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};

use super::RenderOptions;
use crate::analysis::Analysis;
use crate::diagnostic::{Finding, Severity};

/// Lines of context shown around a finding.
const CONTEXT: usize = 2;

pub fn render(a: &Analysis, opts: &RenderOptions, out: &mut dyn Write) -> std::io::Result<()> {
    let theme = if opts.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(opts.width)
        .with_context_lines(CONTEXT);
    for f in &a.findings {
        let report = Rendered::new(a, f);
        let mut s = String::new();
        handler
            .render_report(&mut s, &report)
            .map_err(std::io::Error::other)?;
        writeln!(out, "{s}")?;
    }
    writeln!(out, "{}", super::summary_line(a))
}

/// A window of a file around one finding. miette reads a source from its
/// start to find line numbers; giving it only the lines it shows keeps
/// rendering cheap on exports of hundreds of megabytes.
struct Window {
    name: String,
    text: String,
    /// 0-based line number of the window's first line.
    first_line: usize,
}

impl SourceCode for Window {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self.text.as_str().read_span(span, before, after)?;
        Ok(Box::new(
            MietteSpanContents::new_named(
                self.name.clone(),
                inner.data(),
                *inner.span(),
                inner.line() + self.first_line,
                inner.column(),
                inner.line_count(),
            )
            .with_language("json"),
        ))
    }
}

struct Rendered<'a> {
    finding: &'a Finding,
    code: String,
    source: Window,
    span: SourceSpan,
}

impl<'a> Rendered<'a> {
    fn new(a: &Analysis, f: &'a Finding) -> Self {
        let file = &a.files[f.file];
        let text = &*file.text;
        let (start, end) = (f.span.start as usize, (f.span.end as usize).min(text.len()));
        // Widen to whole lines plus the context lines on each side.
        let mut from = text[..start].rfind('\n').map_or(0, |i| i + 1);
        for _ in 0..=CONTEXT {
            if from == 0 {
                break;
            }
            from = text[..from - 1].rfind('\n').map_or(0, |i| i + 1);
        }
        let mut to = end;
        for _ in 0..=CONTEXT {
            if let Some(i) = text[to..].find('\n') {
                to += i + 1;
            } else {
                to = text.len();
                break;
            }
        }
        let first_line = file.line_col(u32::try_from(from).unwrap_or(u32::MAX)).line - 1;
        let source = Window {
            name: file.name.clone(),
            text: text[from..to].to_owned(),
            first_line,
        };
        Self {
            finding: f,
            code: format!("{} ({})", f.rule.name, f.rule.code),
            source,
            span: SourceSpan::new((start - from).into(), end - start),
        }
    }
}

impl fmt::Debug for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)
    }
}

impl fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)
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
        let subject = self.finding.subject.as_deref().map(|s| format!("in `{s}`"));
        match (&self.finding.help, subject) {
            (Some(h), Some(s)) => Some(Box::new(format!("{h}\n{s}"))),
            (Some(h), None) => Some(Box::new(h.clone())),
            (None, Some(s)) => Some(Box::new(s)),
            (None, None) => None,
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
