//! GitLab Code Quality: the JSON array a `codequality` report artifact
//! holds, shown in merge requests. A finding's `fingerprint` is the
//! baseline's identity (file, rule, subject, pointer; not the line), so
//! GitLab tells new findings from old ones when lines move.

use std::collections::HashMap;
use std::io::Write;

use serde_json::{Value, json};

use crate::analysis::Analysis;
use crate::diagnostic::Severity;
use crate::fingerprint::FindingKey;

/// GitLab's scale: `info`, `minor`, `major`, `critical`, `blocker`.
fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "critical",
        Severity::Warning => "major",
        Severity::Note => "info",
    }
}

pub fn render(a: &Analysis, out: &mut dyn Write) -> std::io::Result<()> {
    // GitLab wants fingerprints unique within a report: a second finding
    // with the same identity (the baseline counts such repeats too) gets
    // its rank appended, in the report's fixed order.
    let mut seen: HashMap<String, usize> = HashMap::new();
    let issues: Vec<Value> = a
        .findings
        .iter()
        .map(|f| {
            let file = &a.files[f.file].name;
            let (start, end) = super::positions(a, f);
            let key = FindingKey::of(file, f).fingerprint();
            let rank = seen.entry(key.clone()).and_modify(|n| *n += 1).or_insert(1);
            let fingerprint = if *rank == 1 { key } else { format!("{key}-{rank}") };
            let mut description = format!("{} ({})", f.message, f.rule.name);
            if let Some(s) = &f.subject {
                description = format!("{s}: {description}");
            }
            let mut issue = json!({
                "type": "issue",
                "description": description,
                "check_name": f.rule.name,
                "fingerprint": fingerprint,
                "severity": severity(f.severity),
                "categories": ["Security"],
                "location": {
                    "path": file,
                    "lines": {"begin": start.line, "end": end.line},
                },
            });
            if let Some(h) = &f.help {
                issue["content"] = json!({"body": h});
            }
            issue
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &issues)?;
    writeln!(out)
}
