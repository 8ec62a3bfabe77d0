//! Baselines: today's findings recorded, so that a CI gate reports only new
//! ones. A finding is known by its [`FindingKey`] (file, rule, subject and
//! JSON Pointer), never by its line: moving or reformatting a policy keeps it
//! in the baseline, while a new finding of the same rule in the same role is
//! new.

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::analysis::Analysis;
use crate::error::Error;
use crate::fingerprint::FindingKey;
use crate::support::path::display_path;

const VERSION: u32 = 1;

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    version: u32,
    findings: Vec<Entry>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    fingerprint: String,
    rule: String,
    file: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    subject: Option<String>,
    pointer: String,
    /// For the reader: not used to match.
    message: String,
}

/// Writes the open findings of `analysis` to `path`; returns how many.
///
/// # Errors
/// When the file cannot be written.
pub fn write(analysis: &Analysis, path: &Path) -> Result<usize, Error> {
    let findings: Vec<Entry> = analysis
        .findings
        .iter()
        .map(|f| {
            let file = &analysis.files[f.file].name;
            Entry {
                fingerprint: FindingKey::of(file, f).fingerprint(),
                rule: f.rule.name.to_owned(),
                file: file.clone(),
                subject: f.subject.clone(),
                pointer: f.pointer.clone(),
                message: f.message.clone(),
            }
        })
        .collect();
    let n = findings.len();
    let mut text = serde_json::to_string_pretty(&File { version: VERSION, findings })
        .map_err(|e| Error::write_file(path, &e))?;
    text.push('\n');
    std::fs::write(path, text).map_err(|e| Error::write_file(path, &e))?;
    Ok(n)
}

/// Leaves out of `analysis` the findings `path` records; each recorded
/// finding stands for one.
///
/// # Errors
/// When the baseline cannot be read or is not one.
pub fn apply(analysis: &mut Analysis, path: &Path) -> Result<(), Error> {
    let shown = display_path(path);
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::Read { path: shown.clone(), message: e.to_string() })?;
    let file: File = serde_json::from_str(&text).map_err(|e| Error::Baseline {
        path: shown.clone(),
        line: e.line(),
        column: e.column(),
        message: e.to_string().split(" at line ").next().unwrap_or_default().to_owned(),
    })?;
    if file.version != VERSION {
        return Err(Error::Baseline {
            path: shown,
            line: 1,
            column: 1,
            message: format!(
                "version {} is not supported (this trustlint reads version {VERSION})",
                file.version
            ),
        });
    }
    let mut known: HashMap<String, usize> = HashMap::new();
    for e in file.findings {
        *known.entry(e.fingerprint).or_default() += 1;
    }
    let before = analysis.findings.len();
    let files = &analysis.files;
    analysis.findings.retain(|f| {
        let key = FindingKey::of(&files[f.file].name, f).fingerprint();
        match known.get_mut(&key) {
            Some(n) if *n > 0 => {
                *n -= 1;
                false
            }
            _ => true,
        }
    });
    analysis.baselined = before - analysis.findings.len();
    Ok(())
}
