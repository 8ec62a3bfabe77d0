//! Rendering an analysis in each output format. Every format reads the same
//! sorted findings; none of them decides anything.

mod concise;
pub mod diff;
mod full;
mod github;
mod gitlab;
mod html;
mod json;
mod junit;
mod sarif;

use std::fmt::Write as _;
use std::io::Write;

use crate::analysis::Analysis;
use crate::settings::OutputFormat;
use crate::source::LineCol;

pub struct RenderOptions {
    pub format: OutputFormat,
    /// ANSI colour in `full` output.
    pub color: bool,
    /// Terminal width for `full` output.
    pub width: usize,
    /// Whether `full` and `concise` output end with the summary line
    /// (`--quiet` leaves it out).
    pub summary: bool,
}

/// Writes the report.
///
/// # Errors
/// When writing fails.
pub fn render(analysis: &Analysis, opts: &RenderOptions, out: &mut dyn Write) -> std::io::Result<()> {
    match opts.format {
        OutputFormat::Full => full::render(analysis, opts, out),
        OutputFormat::Concise => concise::render(analysis, opts, out),
        OutputFormat::Json => json::render(analysis, out),
        OutputFormat::Github => github::render(analysis, out),
        OutputFormat::Sarif => sarif::render(analysis, out),
        OutputFormat::Junit => junit::render(analysis, out),
        OutputFormat::Gitlab => gitlab::render(analysis, out),
        OutputFormat::Html => html::render(analysis, out),
    }
}

/// `--statistics`: how many findings each rule has, most first, then by
/// rule name; `  12  TL102  missing-external-id`, or a JSON array of `code`,
/// `name` and `count` with `--format json`.
///
/// # Errors
/// When writing fails.
pub fn statistics(analysis: &Analysis, format: OutputFormat, out: &mut dyn Write) -> std::io::Result<()> {
    let mut counts: Vec<(usize, &crate::diagnostic::RuleMeta)> = Vec::new();
    for f in &analysis.findings {
        match counts.iter_mut().find(|(_, m)| m.code == f.rule.code) {
            Some((n, _)) => *n += 1,
            None => counts.push((1, f.rule)),
        }
    }
    counts.sort_by(|(n, a), (m, b)| m.cmp(n).then(a.name.cmp(b.name)));
    if format == OutputFormat::Json {
        let rows: Vec<_> = counts
            .iter()
            .map(|(n, m)| serde_json::json!({"code": m.code, "name": m.name, "count": n}))
            .collect();
        serde_json::to_writer_pretty(&mut *out, &rows)?;
        return writeln!(out);
    }
    let width = counts.first().map_or(0, |(n, _)| n.to_string().len()).max(4);
    for (n, m) in &counts {
        writeln!(out, "{n:>width$}  {}  {}", m.code, m.name)?;
    }
    Ok(())
}

/// Renders to a string without colour, 100 columns wide (tests, snapshots).
pub fn render_to_string(analysis: &Analysis, format: OutputFormat) -> String {
    let opts = RenderOptions { format, color: false, width: 100, summary: true };
    let mut out = Vec::new();
    render(analysis, &opts, &mut out).expect("writing to a Vec cannot fail");
    String::from_utf8_lossy(&out).into_owned()
}

/// Text from the input made safe for a terminal and for line-based
/// formats: control characters (newlines, escape sequences) are shown as
/// escapes instead of being printed.
pub(crate) fn printable(s: &str) -> std::borrow::Cow<'_, str> {
    if s.chars().any(char::is_control) {
        s.chars()
            .map(|c| if c.is_control() { c.escape_default().to_string() } else { c.to_string() })
            .collect::<String>()
            .into()
    } else {
        s.into()
    }
}

/// What a finding is about: ``in `SUBJECT` `` (with the CDK construct when
/// there is one), when the input names it. In an export of hundreds of
/// roles, `file:64:166` alone says nothing.
pub(crate) fn subject_phrase(f: &crate::diagnostic::Finding) -> Option<String> {
    let s = printable(f.subject.as_deref()?).into_owned();
    Some(match &f.construct {
        Some(c) => format!("in `{s}`, CDK construct `{}`", printable(c)),
        None => format!("in `{s}`"),
    })
}

/// [`subject_phrase`] closing a line: `` (in `SUBJECT`)``, or nothing.
pub(crate) fn subject_suffix(f: &crate::diagnostic::Finding) -> String {
    subject_phrase(f).map(|p| format!(" ({p})")).unwrap_or_default()
}

/// Start and end (exclusive) positions of a finding.
pub(crate) fn positions(analysis: &Analysis, f: &crate::diagnostic::Finding) -> (LineCol, LineCol) {
    let file = &analysis.files[f.file];
    (file.line_col(f.span.start), file.line_col(f.span.end))
}

/// The closing line of the text formats: `Found 3 findings (1 error, 2 warnings) in 4 files.`
pub(crate) fn summary_line(a: &Analysis) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let mut parts = Vec::new();
    for (n, word) in [
        (a.count(crate::diagnostic::Severity::Error), "error"),
        (a.count(crate::diagnostic::Severity::Warning), "warning"),
        (a.count(crate::diagnostic::Severity::Note), "note"),
    ] {
        if n > 0 {
            parts.push(plural(n, word));
        }
    }
    let found = if a.findings.is_empty() {
        "No findings".to_owned()
    } else {
        format!("Found {} ({})", plural(a.findings.len(), "finding"), parts.join(", "))
    };
    let mut line = format!(
        "{found} in {}, {}",
        plural(a.policies, "policy").replace("policys", "policies"),
        plural(a.checked_files(), "file")
    );
    if a.skipped > 0 {
        let _ = write!(line, "; {} skipped (not IAM)", plural(a.skipped, "file"));
    }
    if a.not_files > 0 {
        let _ = write!(
            line,
            "; {} skipped (not a regular file)",
            plural(a.not_files, "entry").replace("entrys", "entries")
        );
    }
    // An input that could not be read is an error on standard error: the
    // summary must not read as a clean run beside it.
    if !a.errors.is_empty() {
        let n = a.errors.len();
        let _ = write!(line, "; {} could not be checked", plural(n, "file"));
    }
    if !a.suppressed.is_empty() {
        let _ = write!(line, "; {} suppressed", a.suppressed.len());
    }
    if a.baselined > 0 {
        let _ = write!(line, "; {} in the baseline", a.baselined);
    }
    line.push('.');
    line
}

/// What the tests of the machine-read reports render.
#[cfg(test)]
pub(crate) mod sample {
    use crate::analysis::Analysis;
    use crate::diagnostic::Finding;
    use crate::source::{SourceFile, Span};

    /// Every escape `serde_json` makes and characters beyond ASCII.
    pub const TRICKY: &str =
        "tab\t nl\n cr\r bs\u{8} ff\u{c} nul\u{0} us\u{1f} del\u{7f} quote\" back\\ é 雪 🦀";

    /// Adds a file and a finding of each of the first three rules in it,
    /// their texts [`TRICKY`], the optional fields present and absent.
    pub fn three_findings(a: &mut Analysis) {
        a.files.push(SourceFile::new("dir/\"q\"\\f\u{e9} b.json".into(), "{\n  \"a\": 1\n}\n"));
        let file = a.files.len() - 1;
        for (i, rule) in crate::rules::ALL.iter().take(3).enumerate() {
            a.findings.push(Finding {
                rule: rule.meta(),
                severity: rule.meta().severity,
                message: format!("{TRICKY} {i}"),
                file,
                span: Span::new(3, 7),
                pointer: "/a~1b/0".into(),
                subject: (i != 1).then(|| TRICKY.to_owned()),
                construct: (i == 2).then(|| "Stack/Role/Resource".to_owned()),
                label: None,
                help: (i != 0).then(|| "help \"me\"".to_owned()),
            });
        }
    }
}
