//! Settings: the command line merged over `trustlint.toml`, into one
//! immutable value the rest of the program reads.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::diagnostic::Severity;
use crate::error::Error;
use crate::model::arn::is_account_id;
use crate::rules::{self, RuleMeta};
use crate::support::color::ColorChoice;
use crate::support::path::{RootedGlob, display_path, working_dir};

pub const CONFIG_FILE: &str = "trustlint.toml";
pub const DEFAULT_MAX_SESSION_DURATION: i64 = 3600;
/// The largest input read unless `--max-file-size` says otherwise: room for
/// the authorization details of a large organization, refused before it
/// costs gigabytes of memory.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 512 << 20;
/// The largest `--max-file-size`: spans are 32-bit offsets.
pub const MAX_FILE_SIZE_LIMIT: u64 = u32::MAX as u64;

/// Parses a size given on the command line: a number of bytes, or with a
/// `K`, `M` or `G` suffix (`KiB`, `MiB`, `GiB` also read).
///
/// # Errors
/// Anything else, zero, or more than [`MAX_FILE_SIZE_LIMIT`].
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    let (number, suffix) = t.split_at(digits);
    let unit: u64 = match suffix.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kib" => 1 << 10,
        "m" | "mib" => 1 << 20,
        "g" | "gib" => 1 << 30,
        _ => return Err(format!("`{s}` is not a size (bytes, or a number with a K, M or G suffix)")),
    };
    let n = number.parse::<u64>().ok().and_then(|n| n.checked_mul(unit));
    match n {
        Some(n) if n > 0 && n <= MAX_FILE_SIZE_LIMIT => Ok(n),
        Some(0) => Err("the size limit must be above zero".into()),
        _ => Err(format!("`{s}` is more than the largest size trustlint reads, 4G minus one byte")),
    }
}

/// A size as people write it: `512 MiB`, `64 KiB`, `1000 bytes`.
pub fn show_size(n: u64) -> String {
    match n {
        n if n >= 1 << 30 && n % (1 << 30) == 0 => format!("{} GiB", n >> 30),
        n if n >= 1 << 20 && n % (1 << 20) == 0 => format!("{} MiB", n >> 20),
        n if n >= 1 << 10 && n % (1 << 10) == 0 => format!("{} KiB", n >> 10),
        1 => "1 byte".to_owned(),
        n => format!("{n} bytes"),
    }
}

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
    /// `JUnit` XML test reports (GitLab, Jenkins, Azure Pipelines).
    Junit,
    /// GitLab Code Quality JSON (merge-request widgets).
    Gitlab,
    /// A self-contained HTML audit report with the assume-role graph.
    Html,
}

/// The 1-based line and column of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// "; did you mean `KEY`?" for serde's "unknown field `colr`, expected one
/// of `a`, `b`" when the key is a misspelling of one of them.
fn unknown_key_suggestion(message: &str) -> String {
    let Some(rest) = message.strip_prefix("unknown field `") else { return String::new() };
    let Some((given, expected)) = rest.split_once('`') else { return String::new() };
    let known: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    crate::support::suggest::did_you_mean(given, known)
        .map(|k| format!("; did you mean `{k}`?"))
        .unwrap_or_default()
}

/// `trustlint.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ConfigFile {
    /// The file's name and text, for errors found after parsing.
    #[serde(skip)]
    text: Option<(String, String)>,
    /// The directory its globs are relative to (the working directory
    /// when there is no file).
    #[serde(skip)]
    dir: Option<PathBuf>,
    /// The values below keep where they are written, for errors.
    select: Option<Vec<toml::Spanned<String>>>,
    #[serde(default)]
    ignore: Vec<toml::Spanned<String>>,
    #[serde(default)]
    trusted_accounts: Vec<toml::Spanned<String>>,
    org_id: Option<toml::Spanned<String>>,
    pub max_session_duration: Option<i64>,
    pub fail_on: Option<Severity>,
    #[serde(default)]
    exclude: Vec<toml::Spanned<String>>,
    /// Rule name or code → the severity to report it with.
    #[serde(default)]
    pub severity: BTreeMap<String, Severity>,
    /// Glob → rules not reported in the files it matches.
    #[serde(default)]
    pub per_file_ignores: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub suppress: Vec<toml::Spanned<SuppressEntry>>,
    /// Whether suppressions written in templates count (default true).
    pub inline_suppressions: Option<bool>,
    /// Glob → the account the templates it matches deploy to.
    #[serde(default)]
    pub stack_accounts: BTreeMap<String, String>,
}

/// A `[[suppress]]` entry: findings in `path` of `rules` (or at `pointer`,
/// or about `subject`) are suppressed, for a recorded reason.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuppressEntry {
    pub path: String,
    pub rule: Option<String>,
    #[serde(default)]
    pub rules: Vec<String>,
    pub pointer: Option<String>,
    pub subject: Option<String>,
    pub reason: String,
}

/// A `[[suppress]]` entry, checked.
#[derive(Debug, Clone)]
pub struct ConfigSuppression {
    pub path: RootedGlob,
    /// Empty: every rule.
    pub rules: Vec<&'static RuleMeta>,
    pub pointer: Option<String>,
    pub subject: Option<String>,
    pub reason: String,
    /// Where the entry is written: `trustlint.toml:LINE`.
    pub location: String,
}

impl ConfigFile {
    /// Reads and validates a config file.
    ///
    /// # Errors
    /// When it cannot be read or has an unknown key or a bad value; the error
    /// names the line.
    pub fn load(path: &Path) -> Result<Self, Error> {
        let cwd = std::env::current_dir().unwrap_or_default();
        let shown = display_path(path.strip_prefix(&cwd).unwrap_or(path));
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::Read { path: shown.clone(), message: e.to_string() })?;
        let mut config: Self = toml::from_str(&text).map_err(|e| {
            let (line, column) = line_col(&text, e.span().map_or(0, |s| s.start));
            let message = e.message().trim();
            let message = format!("{message}{}", unknown_key_suggestion(message));
            Error::Config { path: shown.clone(), line, column, message }
        })?;
        config.text = Some((shown, text));
        let absolute = crate::support::path::absolute(path, &working_dir());
        let dir = absolute.parent().map(Path::to_owned).unwrap_or_default();
        config.dir = Some(std::fs::canonicalize(&dir).unwrap_or(dir));
        Ok(config)
    }

    /// The directory the config's globs are relative to.
    fn base(&self) -> PathBuf {
        self.dir.clone().unwrap_or_else(working_dir)
    }

    /// An error about the value written at `span`.
    fn error_at(&self, span: std::ops::Range<usize>, message: String) -> Error {
        let (path, text) =
            self.text.as_ref().map_or(("trustlint.toml", ""), |(p, t)| (p.as_str(), t.as_str()));
        let (line, column) = line_col(text, span.start);
        Error::Config { path: path.to_owned(), line, column, message }
    }

    /// The checked `exclude` patterns, relative to the config's directory.
    ///
    /// # Errors
    /// A pattern that is not a glob.
    pub fn excludes(&self) -> Result<Vec<RootedGlob>, Error> {
        let base = self.base();
        self.exclude
            .iter()
            .map(|p| {
                RootedGlob::new(p.get_ref(), &base).map_err(|e| {
                    self.error_at(
                        p.span(),
                        format!("`{}` in `exclude` is not a glob pattern: {e}", p.get_ref()),
                    )
                })
            })
            .collect()
    }

    /// The checked `select` and `ignore` lists (names, codes or code
    /// prefixes).
    ///
    /// # Errors
    /// An entry that matches no rule.
    pub fn rule_lists(&self) -> Result<(Option<Vec<String>>, Vec<String>), Error> {
        let check = |key: &str, list: &[toml::Spanned<String>]| -> Result<Vec<String>, Error> {
            for entry in list {
                for s in entry.get_ref().split(',').map(str::trim).filter(|s| !s.is_empty()) {
                    if rules::matching(s).is_empty() {
                        return Err(self.error_at(
                            entry.span(),
                            format!("`{s}` in `{key}` is not a rule{}", rules::did_you_mean(s)),
                        ));
                    }
                }
            }
            Ok(list.iter().map(|e| e.get_ref().clone()).collect())
        };
        let select = self.select.as_deref().map(|l| check("select", l)).transpose()?;
        Ok((select, check("ignore", &self.ignore)?))
    }

    /// The checked `trusted-accounts`.
    ///
    /// # Errors
    /// An entry that is not a 12-digit account id.
    pub fn trusted_account_ids(&self) -> Result<Vec<String>, Error> {
        self.trusted_accounts
            .iter()
            .map(|a| {
                account_id(a.get_ref()).map_err(|_| {
                    self.error_at(
                        a.span(),
                        format!(
                            "`{}` in `trusted-accounts` is not an AWS account id (twelve digits)",
                            a.get_ref()
                        ),
                    )
                })
            })
            .collect()
    }

    /// The checked `org-id`.
    ///
    /// # Errors
    /// A value that is not an AWS Organizations id.
    pub fn organization(&self) -> Result<Option<String>, Error> {
        self.org_id
            .as_ref()
            .map(|o| {
                org_id(o.get_ref()).map_err(|e| {
                    let message = match e {
                        Error::Usage(m) => format!("`org-id`: {m}"),
                        other => other.to_string(),
                    };
                    self.error_at(o.span(), message)
                })
            })
            .transpose()
    }

    /// The checked `[[suppress]]` entries.
    ///
    /// # Errors
    /// An entry with a bad glob, an unknown rule, or nothing to match on.
    pub fn suppressions(&self) -> Result<Vec<ConfigSuppression>, Error> {
        let (path, text) =
            self.text.as_ref().map_or(("trustlint.toml", ""), |(p, t)| (p.as_str(), t.as_str()));
        let mut out = Vec::new();
        for entry in &self.suppress {
            let (line, column) = line_col(text, entry.span().start);
            let bad = |message: String| Error::Config { path: path.to_owned(), line, column, message };
            let e = entry.get_ref();
            let pattern = RootedGlob::new(&e.path, &self.base())
                .map_err(|err| bad(format!("`path = \"{}\"` is not a glob pattern: {err}", e.path)))?;
            let mut rules = Vec::new();
            for name in e.rule.iter().chain(&e.rules) {
                rules
                    .push(rules::find(name).ok_or_else(|| {
                        bad(format!("`{name}` is not a rule{}", rules::did_you_mean(name)))
                    })?);
            }
            if rules.is_empty() && e.pointer.is_none() && e.subject.is_none() {
                return Err(bad("`[[suppress]]` needs a `rule`, `pointer` or `subject`".into()));
            }
            if e.reason.trim().is_empty() {
                return Err(bad("`[[suppress]]` needs a `reason`".into()));
            }
            out.push(ConfigSuppression {
                path: pattern,
                rules,
                pointer: e.pointer.clone(),
                subject: e.subject.clone(),
                reason: e.reason.clone(),
                location: format!("{path}:{line}"),
            });
        }
        Ok(out)
    }

    /// The checked `[severity]` table.
    ///
    /// # Errors
    /// An unknown rule.
    pub fn severities(&self) -> Result<Vec<(&'static RuleMeta, Severity)>, Error> {
        self.severity
            .iter()
            .map(|(name, sev)| Ok((rules::find(name).ok_or_else(|| self.key_error("severity", name))?, *sev)))
            .collect()
    }

    /// The checked `[stack-accounts]` table.
    ///
    /// # Errors
    /// A bad glob or account id.
    pub fn stack_accounts(&self) -> Result<Vec<(RootedGlob, String)>, Error> {
        let mut out = Vec::new();
        let base = self.base();
        for (glob, account) in &self.stack_accounts {
            let pattern = RootedGlob::new(glob, &base).map_err(|_| self.key_error("stack-accounts", glob))?;
            let account = account_id(account).map_err(|_| self.key_error("stack-accounts", account))?;
            out.push((pattern, account));
        }
        Ok(out)
    }

    /// The checked `[per-file-ignores]` table.
    ///
    /// # Errors
    /// A bad glob or an unknown rule.
    pub fn per_file_ignores(&self) -> Result<Vec<(RootedGlob, Vec<&'static RuleMeta>)>, Error> {
        let mut out = Vec::new();
        let base = self.base();
        for (glob, names) in &self.per_file_ignores {
            let pattern =
                RootedGlob::new(glob, &base).map_err(|_| self.key_error("per-file-ignores", glob))?;
            let mut metas = Vec::new();
            for name in names {
                let found = rules::matching(name);
                if found.is_empty() {
                    return Err(self.key_error("per-file-ignores", name));
                }
                metas.extend(found);
            }
            out.push((pattern, metas));
        }
        Ok(out)
    }

    /// An error about `name` in `table`, at the line where it is written.
    fn key_error(&self, table: &str, name: &str) -> Error {
        let (path, text) =
            self.text.as_ref().map_or(("trustlint.toml", ""), |(p, t)| (p.as_str(), t.as_str()));
        let offset =
            text.find(&format!("[{table}]")).map_or(0, |t| text[t..].find(name).map_or(t, |n| t + n));
        let (line, column) = line_col(text, offset);
        let message = if table == "stack-accounts" && glob::Pattern::new(name).is_ok() {
            format!("`{name}` in `[{table}]` is not a 12-digit account id")
        } else if table == "severity" || glob::Pattern::new(name).is_ok() {
            format!("`{name}` in `[{table}]` is not a rule{}", rules::did_you_mean(name))
        } else {
            format!("`{name}` in `[{table}]` is not a glob pattern")
        };
        Error::Config { path: path.to_owned(), line, column, message }
    }

    /// `trustlint.toml` in `dir` or the nearest directory above it.
    pub fn find(dir: &Path) -> Option<PathBuf> {
        dir.ancestors().map(|d| d.join(CONFIG_FILE)).find(|p| p.is_file())
    }
}

/// Everything `check` needs to know, fixed before the analysis starts.
#[derive(Debug, Clone)]
#[allow(clippy::struct_excessive_bools)] // independent switches of the command line
pub struct Settings {
    pub paths: Vec<String>,
    pub format: OutputFormat,
    pub trusted_accounts: BTreeSet<String>,
    pub org_id: Option<String>,
    pub max_session_duration: i64,
    pub fail_on: Severity,
    pub rules: Vec<&'static RuleMeta>,
    pub exclude: Vec<RootedGlob>,
    pub exit_zero: bool,
    pub stdin_filename: Option<String>,
    pub quiet: bool,
    pub output_file: Option<PathBuf>,
    /// `--color`.
    pub color: ColorChoice,
    /// Print the count of findings per rule instead of the findings.
    pub statistics: bool,
    /// Severities set per rule in the config.
    pub severities: Vec<(&'static RuleMeta, Severity)>,
    /// Rules not reported in files matching a glob.
    pub per_file_ignores: Vec<(RootedGlob, Vec<&'static RuleMeta>)>,
    /// Templates that deploy to a known account: glob → account id.
    pub stack_accounts: Vec<(RootedGlob, String)>,
    /// `[[suppress]]` entries.
    pub suppressions: Vec<ConfigSuppression>,
    /// Whether suppressions written in templates count.
    pub inline_suppressions: bool,
    /// Report only findings not in this baseline.
    pub baseline: Option<PathBuf>,
    /// Record the findings in this baseline.
    pub write_baseline: Option<PathBuf>,
    /// Show progress on standard error (a terminal, and a long audit).
    pub progress: bool,
    /// Inputs larger than this many bytes are refused.
    pub max_file_size: u64,
    /// The directory relative paths are read from and matched in, absolute
    /// (`diff` reads the base revision from a copy of the repository);
    /// empty: the working directory.
    pub root: PathBuf,
    /// Whether the files' texts stay in memory after they are read: the
    /// reports with source snippets (`full`, `html`) and `diff` need them;
    /// the others need only the lines' starts.
    pub keep_text: bool,
}

impl Settings {
    /// The directory relative paths are taken from: [`Settings::root`], or
    /// the working directory (symlinks resolved).
    pub fn working_dir(&self) -> PathBuf {
        if self.root.as_os_str().is_empty() { working_dir() } else { self.root.clone() }
    }
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
            color: ColorChoice::Auto,
            statistics: false,
            severities: Vec::new(),
            per_file_ignores: Vec::new(),
            stack_accounts: Vec::new(),
            suppressions: Vec::new(),
            inline_suppressions: true,
            baseline: None,
            write_baseline: None,
            progress: false,
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            root: PathBuf::new(),
            keep_text: true,
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
                return Err(Error::unknown_rule(s));
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
    if is_account_id(s) && s.bytes().all(|b| b.is_ascii_digit()) {
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
