//! Settings: the command line merged over `trustlint.toml`, into one
//! immutable value the rest of the program reads.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::diagnostic::Severity;
use crate::error::Error;
use crate::model::arn::is_account_id;
use crate::rules::{self, RuleMeta};

pub const CONFIG_FILE: &str = "trustlint.toml";
pub const DEFAULT_MAX_SESSION_DURATION: i64 = 3600;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// Graphical diagnostics with the source snippet.
    Full,
    /// One line per finding: `path:line:col: severity[rule] message`.
    Concise,
    /// The versioned JSON report.
    Json,
    /// GitHub Actions workflow commands (pull-request annotations).
    Github,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
}

/// `trustlint.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ConfigFile {
    pub select: Option<Vec<String>>,
    #[serde(default)]
    pub ignore: Vec<String>,
    #[serde(default)]
    pub trusted_accounts: Vec<String>,
    pub org_id: Option<String>,
    pub max_session_duration: Option<i64>,
    pub fail_on: Option<Severity>,
    #[serde(default)]
    pub exclude: Vec<String>,
}

impl ConfigFile {
    /// Reads and validates a config file.
    ///
    /// # Errors
    /// When it cannot be read or has an unknown key or a bad value; the error
    /// names the line.
    pub fn load(path: &Path) -> Result<Self, Error> {
        let shown = crate::discover::display_path(path);
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::Read { path: shown.clone(), message: e.to_string() })?;
        toml::from_str(&text).map_err(|e| {
            let offset = e.span().map_or(0, |s| s.start);
            let before = &text[..offset.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            Error::Config { path: shown, line, column, message: e.message().trim().to_owned() }
        })
    }

    /// `trustlint.toml` in `dir` or the nearest directory above it.
    pub fn find(dir: &Path) -> Option<PathBuf> {
        dir.ancestors().map(|d| d.join(CONFIG_FILE)).find(|p| p.is_file())
    }
}

/// Everything `check` needs to know, fixed before the analysis starts.
#[derive(Debug, Clone)]
pub struct Settings {
    pub paths: Vec<String>,
    pub format: OutputFormat,
    pub trusted_accounts: BTreeSet<String>,
    pub org_id: Option<String>,
    pub max_session_duration: i64,
    pub fail_on: Severity,
    pub rules: Vec<&'static RuleMeta>,
    pub exclude: Vec<glob::Pattern>,
    pub exit_zero: bool,
    pub stdin_filename: Option<String>,
    pub quiet: bool,
    pub output_file: Option<PathBuf>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            paths: vec![".".into()],
            format: OutputFormat::Concise,
            trusted_accounts: BTreeSet::new(),
            org_id: None,
            max_session_duration: DEFAULT_MAX_SESSION_DURATION,
            fail_on: Severity::Warning,
            rules: rules::ALL.iter().map(|r| r.meta()).collect(),
            exclude: Vec::new(),
            exit_zero: false,
            stdin_filename: None,
            quiet: false,
            output_file: None,
        }
    }
}

/// Resolves `select`/`ignore` lists (names, codes or code prefixes).
///
/// # Errors
/// A selector that matches no rule.
pub fn resolve_rules(select: Option<&[String]>, ignore: &[String]) -> Result<Vec<&'static RuleMeta>, Error> {
    let expand = |list: &[String]| -> Result<Vec<&'static RuleMeta>, Error> {
        let mut out = Vec::new();
        for s in list.iter().flat_map(|s| s.split(',')).map(str::trim).filter(|s| !s.is_empty()) {
            let found = rules::matching(s);
            if found.is_empty() {
                return Err(Error::UnknownRule(s.to_owned()));
            }
            out.extend(found);
        }
        Ok(out)
    };
    let mut chosen = match select {
        Some(list) => expand(list)?,
        None => rules::ALL.iter().map(|r| r.meta()).collect(),
    };
    let ignored = expand(ignore)?;
    chosen.retain(|m| !ignored.contains(m));
    chosen.sort_by_key(|m| m.code);
    chosen.dedup();
    Ok(chosen)
}

/// Checks an account id given by the user.
///
/// # Errors
/// When it is not twelve digits.
pub fn account_id(s: &str) -> Result<String, Error> {
    let s = s.trim();
    if is_account_id(s) {
        Ok(s.to_owned())
    } else {
        Err(Error::Usage(format!("`{s}` is not an AWS account id (twelve digits)")))
    }
}

/// Checks an organization id given by the user.
///
/// # Errors
/// When it does not look like `o-` followed by 10 to 32 letters or digits.
pub fn org_id(s: &str) -> Result<String, Error> {
    let s = s.trim();
    let ok = s.strip_prefix("o-").is_some_and(|r| {
        (10..=32).contains(&r.len()) && r.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    });
    if ok {
        Ok(s.to_owned())
    } else {
        Err(Error::Usage(format!(
            "`{s}` is not an AWS Organizations id (`o-` and 10 to 32 lowercase letters or digits)"
        )))
    }
}
