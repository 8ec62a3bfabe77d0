//! Errors that stop trustlint from doing its job (exit code 2). Findings,
//! including unparseable policies, are never errors.

use miette::Diagnostic;
use thiserror::Error;

#[derive(Debug, Error, Diagnostic)]
pub enum Error {
    #[error("`{path}`: no such file or directory")]
    #[diagnostic(code(trustlint::path))]
    NotFound { path: String },

    #[error("`{pattern}` matches no files")]
    #[diagnostic(code(trustlint::path))]
    NoMatch { pattern: String },

    #[error("`{pattern}` is not a valid glob pattern: {message}")]
    #[diagnostic(code(trustlint::path))]
    Pattern { pattern: String, message: String },

    #[error("cannot read `{path}`: {message}")]
    #[diagnostic(code(trustlint::io))]
    Read { path: String, message: String },

    #[error("`{path}` is not an IAM policy or AWS CLI export: {reason}")]
    #[diagnostic(
        code(trustlint::input),
        help(
            "trustlint reads policy documents ({{\"Version\", \"Statement\"}}) and `aws iam` exports such as `get-account-authorization-details`"
        )
    )]
    NotIam { path: String, reason: String },

    #[error("{path}:{line}:{column}: {message}")]
    #[diagnostic(code(trustlint::config))]
    Config { path: String, line: usize, column: usize, message: String },

    #[error("{path}:{line}:{column}: not a trustlint baseline: {message}")]
    #[diagnostic(code(trustlint::baseline), help("write one with `trustlint check --write-baseline FILE`"))]
    Baseline { path: String, line: usize, column: usize, message: String },

    #[error("unknown rule `{name}`{suggestion}")]
    #[diagnostic(code(trustlint::usage), help("`trustlint rules` lists every rule by name and code"))]
    UnknownRule {
        name: String,
        /// "; did you mean `…`?", or empty.
        suggestion: String,
    },

    #[error("{0}")]
    #[diagnostic(code(trustlint::usage))]
    Usage(String),

    /// Writing the report to standard output failed. The cause is in the
    /// message and not again as a source, so it is said once.
    #[error("cannot write output: {0}")]
    #[diagnostic(code(trustlint::io))]
    Write(std::io::Error),

    #[error("cannot write `{path}`: {message}")]
    #[diagnostic(code(trustlint::io))]
    WriteFile { path: String, message: String },
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Self::Write(e)
    }
}

impl Error {
    /// `name` is not a rule.
    pub fn unknown_rule(name: &str) -> Self {
        Self::UnknownRule { name: name.to_owned(), suggestion: crate::rules::did_you_mean(name) }
    }

    /// Writing `path` failed with `e`.
    pub fn write_file(path: &std::path::Path, e: &dyn std::fmt::Display) -> Self {
        Self::WriteFile { path: crate::support::path::display_path(path), message: e.to_string() }
    }
}
