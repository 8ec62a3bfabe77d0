//! Findings: what a rule reports, where, and how to fix it; with the
//! severities and the metadata every rule declares (the registry of rules is
//! in `rules/`, above this).

use crate::source::Span;

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Note,
    Warning,
    Error,
}

impl Severity {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Note => "note",
            Self::Warning => "warning",
            Self::Error => "error",
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

/// What every rule declares about itself. `doc` is `rules/<name>.md`.
#[derive(Debug, PartialEq, Eq)]
pub struct RuleMeta {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
    pub doc: &'static str,
}

impl RuleMeta {
    /// The rule's documentation without its front matter.
    pub fn doc_body(&self) -> &'static str {
        self.doc
            .strip_prefix("---\n")
            .and_then(|rest| rest.split_once("\n---\n"))
            .map_or(self.doc, |(_, body)| body.trim_start())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: &'static RuleMeta,
    pub severity: Severity,
    /// One line, lowercase, no final period; values in backticks.
    pub message: String,
    /// Index of the file in the analysis.
    pub file: usize,
    pub span: Span,
    /// JSON Pointer inside the policy document (or the file, for role settings).
    pub pointer: String,
    /// The role or principal the finding is about, when the input names one.
    pub subject: Option<String>,
    /// In CDK output: the construct path of the resource the finding is about.
    pub construct: Option<String>,
    /// What the primary span shows.
    pub label: Option<String>,
    pub help: Option<String>,
}

impl Finding {
    pub fn help(&mut self, help: impl Into<String>) -> &mut Self {
        self.help = Some(help.into());
        self
    }

    pub fn label(&mut self, label: impl Into<String>) -> &mut Self {
        self.label = Some(label.into());
        self
    }
}
