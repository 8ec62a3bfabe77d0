use std::io::Write;

use serde::Serialize;

use crate::analysis::Analysis;
use crate::diagnostic::{Finding, Severity};

/// The JSON report's version: bumped on any incompatible change.
pub const VERSION: u32 = 1;

#[derive(Serialize)]
struct Report<'a> {
    version: u32,
    findings: Findings<'a>,
    summary: Summary,
}

/// The findings, each made into an [`Item`] as it is written.
struct Findings<'a>(&'a Analysis);

impl Serialize for Findings<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.findings.iter().map(|f| item(self.0, f)))
    }
}

#[derive(Serialize)]
pub(super) struct Item<'a> {
    rule: &'a str,
    code: &'a str,
    severity: Severity,
    message: &'a str,
    file: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    pointer: &'a str,
    subject: Option<&'a str>,
    /// The CDK construct path, for findings in CDK output.
    #[serde(skip_serializing_if = "Option::is_none")]
    construct: Option<&'a str>,
    help: Option<&'a str>,
}

#[derive(Serialize)]
struct Summary {
    files: usize,
    policies: usize,
    findings: usize,
    errors: usize,
    warnings: usize,
    notes: usize,
    /// Findings silenced by a suppression (not in `findings`); only when some are.
    #[serde(skip_serializing_if = "is_zero")]
    suppressed: usize,
    /// Findings left out because the baseline holds them; only when some are.
    #[serde(skip_serializing_if = "is_zero")]
    baselined: usize,
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's signature
fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// A finding as the report writes it.
pub(super) fn item<'a>(a: &'a Analysis, f: &'a Finding) -> Item<'a> {
    let (start, end) = super::positions(a, f);
    Item {
        rule: f.rule.name,
        code: f.rule.code,
        severity: f.severity,
        message: &f.message,
        file: &a.files[f.file].name,
        line: start.line,
        column: start.column,
        end_line: end.line,
        end_column: end.column,
        pointer: &f.pointer,
        subject: f.subject.as_deref(),
        construct: f.construct.as_deref(),
        help: f.help.as_deref(),
    }
}

pub fn render(a: &Analysis, out: &mut dyn Write) -> std::io::Result<()> {
    let report = Report {
        version: VERSION,
        findings: Findings(a),
        summary: Summary {
            files: a.checked_files(),
            policies: a.policies,
            findings: a.findings.len(),
            errors: a.count(Severity::Error),
            warnings: a.count(Severity::Warning),
            notes: a.count(Severity::Note),
            suppressed: a.suppressed.len(),
            baselined: a.baselined,
        },
    };
    // Through a buffer of its own: serde writes a report in many small
    // pieces, each a call through `out`'s vtable otherwise. A bounded one:
    // the whole report in a buffer here was a second copy of it (64 MB of
    // 100,000 findings) next to the one `out` may be making.
    let mut w = std::io::BufWriter::with_capacity(1 << 16, out);
    serde_json::to_writer_pretty(&mut w, &report)?;
    w.write_all(b"\n")?;
    w.flush()
}
