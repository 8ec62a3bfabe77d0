//! Suppressions: per-rule severities, per-file ignores, suppressions written
//! in templates and `[[suppress]]` entries in the config. A suppressed finding
//! is kept, with the reason, for the formats that carry it (SARIF); it is not
//! reported as open and does not count for the exit code.

use crate::diagnostic::Finding;
use crate::rules::{self, RuleMeta, UnusedSuppression};
use crate::settings::Settings;
use crate::source::SourceFile;
use crate::sources::InlineSuppression;
use crate::support::suggest::did_you_mean;

/// How a finding was suppressed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    pub kind: SuppressionKind,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SuppressionKind {
    /// Written in the template the finding is in.
    InSource,
    /// A `[[suppress]]` entry of the config.
    Config,
}

/// What the suppression pass leaves.
#[derive(Debug, Default)]
pub struct Outcome {
    pub open: Vec<Finding>,
    pub suppressed: Vec<(Finding, Suppression)>,
    /// Where the `[[suppress]]` entries that matched nothing are written.
    pub unused_config: Vec<String>,
}

/// Applies the settings' severities, ignores and suppressions to `findings`.
/// `inline` holds the suppressions found in each file (by file index).
pub fn apply(
    findings: Vec<Finding>,
    files: &[SourceFile],
    inline: &[(usize, InlineSuppression)],
    settings: &Settings,
) -> Outcome {
    let inline: &[(usize, InlineSuppression)] = if settings.inline_suppressions { inline } else { &[] };
    if inline.is_empty()
        && settings.suppressions.is_empty()
        && settings.per_file_ignores.is_empty()
        && settings.severities.is_empty()
    {
        // Nothing to apply (the common case): the findings stay where they
        // are, not moved one by one into a list of their own.
        return Outcome { open: findings, ..Outcome::default() };
    }
    let mut inline_used = vec![false; inline.len()];
    let mut config_used = vec![false; settings.suppressions.len()];
    // Most findings stay open: room for all, not a list grown by doubling.
    let mut out = Outcome { open: Vec::with_capacity(findings.len()), ..Outcome::default() };
    let cwd = settings.working_dir();
    for mut f in findings {
        let name = std::path::Path::new(files[f.file].name.as_str());
        if settings
            .per_file_ignores
            .iter()
            .any(|(glob, rules)| rules.contains(&f.rule) && glob.matches(name, &cwd))
        {
            continue;
        }
        if let Some(&(_, sev)) = settings.severities.iter().find(|(m, _)| *m == f.rule) {
            f.severity = sev;
        }
        let by_inline = inline.iter().position(|(file, s)| {
            *file == f.file
                && s.scope.start <= f.span.start
                && f.span.end <= s.scope.end
                && s.rules.iter().any(|r| rules::find(r) == Some(f.rule))
        });
        if let Some(i) = by_inline {
            inline_used[i] = true;
            let reason = inline[i].1.reason.clone();
            out.suppressed.push((f, Suppression { kind: SuppressionKind::InSource, reason }));
            continue;
        }
        let by_config = settings.suppressions.iter().position(|s| {
            s.path.matches(name, &cwd)
                && (s.rules.is_empty() || s.rules.contains(&f.rule))
                && s.pointer.as_ref().is_none_or(|p| *p == f.pointer)
                && s.subject.as_ref().is_none_or(|subj| f.subject.as_ref() == Some(subj))
        });
        if let Some(i) = by_config {
            config_used[i] = true;
            let reason = Some(settings.suppressions[i].reason.clone());
            out.suppressed.push((f, Suppression { kind: SuppressionKind::Config, reason }));
            continue;
        }
        out.open.push(f);
    }
    if settings.rules.contains(&&UnusedSuppression::META) {
        for (i, (file, s)) in inline.iter().enumerate() {
            if let Some(message) = unused(s, inline_used[i], settings) {
                let severity = settings
                    .severities
                    .iter()
                    .find(|(m, _)| *m == &UnusedSuppression::META)
                    .map_or(UnusedSuppression::META.severity, |&(_, sev)| sev);
                out.open.push(Finding {
                    rule: &UnusedSuppression::META,
                    severity,
                    message,
                    file: *file,
                    span: s.span,
                    pointer: String::new(),
                    subject: None,
                    construct: None,
                    label: None,
                    help: Some("remove the suppression, or name the rule it is for".into()),
                });
            }
        }
    }
    out.unused_config = settings
        .suppressions
        .iter()
        .zip(&config_used)
        .filter(|(_, used)| !**used)
        .map(|(s, _)| s.location.clone())
        .collect();
    out
}

/// Why an inline suppression is reported, if it is.
fn unused(s: &InlineSuppression, used: bool, settings: &Settings) -> Option<String> {
    if let Some(unknown) = s.rules.iter().find(|r| rules::find(r).is_none()) {
        let close = did_you_mean(&unknown.to_ascii_lowercase(), rules::ALL.iter().map(|r| r.meta().name));
        return Some(match close {
            Some(name) => format!(
                "this suppression names `{unknown}`, which is not a trustlint rule: did you mean `{name}`?"
            ),
            None => format!("this suppression names `{unknown}`, which is not a trustlint rule"),
        });
    }
    if s.rules.is_empty() {
        return Some("this suppression names no rule".into());
    }
    let enabled: Vec<&'static RuleMeta> =
        s.rules.iter().filter_map(|r| rules::find(r)).filter(|m| settings.rules.contains(m)).collect();
    if used || enabled.is_empty() {
        return None;
    }
    let names: Vec<String> = enabled.iter().map(|m| format!("`{}`", m.name)).collect();
    Some(format!("nothing here is reported by {}: this suppression is unused", names.join(" or ")))
}
