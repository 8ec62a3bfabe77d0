//! `trustlint rules` lists every rule; `trustlint rule NAME` prints one
//! rule's documentation.

use std::io::Write;

use serde_json::json;

use crate::cli::DocFormat;
use crate::error::Error;
use crate::exit::ExitStatus;
use crate::rules;

/// `trustlint rules`: code, name, default severity and summary of each rule.
pub fn list(format: DocFormat) -> Result<ExitStatus, Error> {
    let mut out = std::io::stdout().lock();
    let all = rules::ALL.iter().map(|r| r.meta());
    match format {
        DocFormat::Text => {
            for m in all {
                writeln!(out, "{:<6} {:<28} {:<8} {}", m.code, m.name, m.severity, m.summary)?;
            }
        }
        DocFormat::Json => {
            let v: Vec<_> = all
                .map(
                    |m| json!({"code": m.code, "name": m.name, "severity": m.severity, "summary": m.summary}),
                )
                .collect();
            writeln!(out, "{}", serde_json::to_string_pretty(&v).unwrap_or_default())?;
        }
    }
    Ok(ExitStatus::Success)
}

/// `trustlint rule NAME`: the rule's page, or its metadata and page as JSON.
pub fn show(name: &str, format: DocFormat) -> Result<ExitStatus, Error> {
    let meta = rules::find(name).ok_or_else(|| Error::unknown_rule(name))?;
    let mut out = std::io::stdout().lock();
    match format {
        DocFormat::Text => write!(out, "{}", meta.doc_body())?,
        DocFormat::Json => {
            let v = json!({
                "code": meta.code, "name": meta.name, "severity": meta.severity,
                "summary": meta.summary, "doc": meta.doc_body(),
            });
            writeln!(out, "{}", serde_json::to_string_pretty(&v).unwrap_or_default())?;
        }
    }
    Ok(ExitStatus::Success)
}
