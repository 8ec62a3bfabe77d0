//! SARIF 2.1.0, for code scanning: every rule from the registry with its
//! documentation, every finding with its region and a fingerprint that does
//! not move when lines do.

use std::io::Write;

use serde::Serialize;
use serde_json::{Value, json};

use crate::analysis::Analysis;
use crate::diagnostic::{Finding, Severity};
use crate::fingerprint::FindingKey;
use crate::rules::{self, RuleMeta};
use crate::suppress::{Suppression, SuppressionKind};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// The first paragraph of the page's "What it does".
fn description(m: &RuleMeta) -> String {
    let body = m.doc_body();
    let what = body.split_once("## What it does").map_or(body, |(_, rest)| rest);
    what.trim_start().split("\n\n").next().unwrap_or(m.summary).replace('\n', " ")
}

/// The score GitHub code scanning ranks security alerts by (critical from
/// 9.0, high from 7.0, medium from 4.0, low from 0.1), from the rule's
/// default severity.
fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "8.0",
        Severity::Warning => "5.0",
        Severity::Note => "2.0",
    }
}

/// The project's repository, when the package declares one.
fn repository() -> Option<&'static str> {
    Some(env!("CARGO_PKG_REPOSITORY")).filter(|r| !r.is_empty())
}

fn rule(m: &RuleMeta) -> Value {
    // The whole page is the help, as `trustlint rule` prints it: a viewer
    // needs no link to read it.
    json!({
        "id": m.code,
        "name": m.name,
        "shortDescription": {"text": m.summary},
        "fullDescription": {"text": description(m)},
        "help": {"text": m.doc_body(), "markdown": m.doc_body()},
        "defaultConfiguration": {"level": level(m.severity)},
        "properties": {"tags": ["security", "iam"], "security-severity": security_severity(m.severity)},
    })
}

/// A file name as a URI reference (RFC 3986): a relative path stays
/// relative, an absolute one becomes a `file:` URI. Every byte but the
/// unreserved characters and `/` is percent-encoded.
fn file_uri(name: &str) -> String {
    let slashed = if std::path::MAIN_SEPARATOR == '\\' { name.replace('\\', "/") } else { name.to_owned() };
    let mut out = String::with_capacity(slashed.len() + 8);
    let mut path = slashed.as_str();
    if std::path::Path::new(name).is_absolute() {
        out.push_str("file://");
        if !path.starts_with('/') {
            // A Windows drive: `C:/x` is `file:///C:/x`.
            out.push('/');
            if let Some((drive, rest)) = path.split_once(':').filter(|(d, _)| d.len() == 1) {
                out.push_str(drive);
                out.push(':');
                path = rest;
            }
        }
    }
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            const HEX: &[u8; 16] = b"0123456789ABCDEF";
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
    out
}

/// What identifies a finding across edits that move it: the baseline's
/// fingerprint.
fn fingerprint(a: &Analysis, f: &Finding) -> String {
    FindingKey::of(&a.files[f.file].name, f).fingerprint()
}

/// One finding as a SARIF result.
fn result(a: &Analysis, metas: &[&RuleMeta], f: &Finding, suppression: Option<&Suppression>) -> Value {
    let (start, end) = super::positions(a, f);
    let mut message = f.message.clone();
    if let Some(help) = &f.help {
        message = format!("{message}. Fix: {help}");
    }
    let mut result = json!({
        "ruleId": f.rule.code,
        "level": level(f.severity),
        "message": {"text": message},
        "locations": [{
            "physicalLocation": {
                "artifactLocation": {"uri": file_uri(&a.files[f.file].name)},
                "region": {
                    "startLine": start.line, "startColumn": start.column,
                    "endLine": end.line, "endColumn": end.column,
                },
            },
        }],
        "partialFingerprints": {"trustlint/v1": fingerprint(a, f)},
        "properties": {"rule": f.rule.name, "pointer": f.pointer},
    });
    // Rules are found by code: a `const` has no fixed address, so
    // comparing pointers to the registry's metadata finds nothing in
    // an optimized build. A rule missing from the registry gets no
    // index rather than the first rule's.
    if let Some(index) = metas.iter().position(|m| m.code == f.rule.code) {
        result["ruleIndex"] = json!(index);
    }
    if let Some(subject) = &f.subject {
        result["locations"][0]["logicalLocations"] = json!([{"fullyQualifiedName": subject}]);
    }
    if let Some(construct) = &f.construct {
        result["properties"]["construct"] = json!(construct);
    }
    if let Some(s) = suppression {
        let kind = match s.kind {
            SuppressionKind::InSource => "inSource",
            SuppressionKind::Config => "external",
        };
        let mut entry = json!({"kind": kind, "status": "accepted"});
        if let Some(reason) = &s.reason {
            entry["justification"] = json!(reason);
        }
        result["suppressions"] = json!([entry]);
    }
    result
}

/// The log. Its fields, and those of [`Run`], are in the order of their
/// names, as a `serde_json` object writes its keys.
#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    runs: [Run<'a>; 1],
    version: &'static str,
}

#[derive(Serialize)]
struct Run<'a> {
    #[serde(rename = "columnKind")]
    column_kind: &'static str,
    results: Results<'a>,
    tool: Value,
}

/// The results, each made into a `Value` as it is written: the log made
/// whole as one `Value` took ten times the memory of the report.
struct Results<'a> {
    analysis: &'a Analysis,
    metas: &'a [&'a RuleMeta],
    all: Vec<(&'a Finding, Option<&'a Suppression>)>,
}

impl Serialize for Results<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.all.iter().map(|(f, sup)| result(self.analysis, self.metas, f, *sup)))
    }
}

pub fn render(a: &Analysis, out: &mut dyn Write) -> std::io::Result<()> {
    let metas: Vec<&RuleMeta> = rules::ALL.iter().map(|r| r.meta()).collect();
    let open = a.findings.iter().map(|f| (f, None));
    let suppressed = a.suppressed.iter().map(|(f, s)| (f, Some(s)));
    let mut all: Vec<_> = open.chain(suppressed).collect();
    // Suppressed findings among the open ones, in the report's order.
    all.sort_by(|(x, _), (y, _)| {
        (a.files[x.file].name.as_str(), x.span, x.rule.code).cmp(&(
            a.files[y.file].name.as_str(),
            y.span,
            y.rule.code,
        ))
    });
    let mut driver = json!({
        "name": "trustlint",
        "version": env!("CARGO_PKG_VERSION"),
        "semanticVersion": env!("CARGO_PKG_VERSION"),
        "rules": metas.iter().map(|m| rule(m)).collect::<Vec<_>>(),
    });
    if let Some(repo) = repository() {
        driver["informationUri"] = json!(repo);
    }
    let log = Log {
        schema: SCHEMA,
        runs: [Run {
            column_kind: "unicodeCodePoints",
            results: Results { analysis: a, metas: &metas, all },
            tool: json!({"driver": driver}),
        }],
        version: "2.1.0",
    };
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;

    /// The log made whole as one `Value`, as it was written before the
    /// results were made one at a time: what [`render`] must write.
    fn render_whole(a: &Analysis) -> Vec<u8> {
        let metas: Vec<&RuleMeta> = rules::ALL.iter().map(|r| r.meta()).collect();
        let mut log = Vec::new();
        render(&Analysis::default(), &mut log).unwrap();
        let mut log: Value = serde_json::from_slice(&log).unwrap();
        let open = a.findings.iter().map(|f| result(a, &metas, f, None));
        let suppressed = a.suppressed.iter().map(|(f, s)| result(a, &metas, f, Some(s)));
        log["runs"][0]["results"] = Value::Array(open.chain(suppressed).collect());
        let mut out = serde_json::to_vec_pretty(&log).unwrap();
        out.push(b'\n');
        out
    }

    #[test]
    fn results_written_one_at_a_time_are_the_log_made_whole() {
        let mut a = Analysis::default();
        let mut out = Vec::new();
        render(&a, &mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), String::from_utf8(render_whole(&a)).unwrap());
        crate::report::sample::three_findings(&mut a);
        let kinds = [SuppressionKind::InSource, SuppressionKind::Config];
        for (i, kind) in kinds.into_iter().enumerate() {
            let mut f = a.findings[i].clone();
            f.span = Span::new(9, 10);
            a.suppressed.push((f, Suppression { kind, reason: (i == 1).then(|| "why".to_owned()) }));
        }
        let mut out = Vec::new();
        render(&a, &mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), String::from_utf8(render_whole(&a)).unwrap());
    }
}
