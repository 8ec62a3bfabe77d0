//! trustlint: a static analyzer for AWS IAM trust policies.
//!
//! The pipeline: [`discover`] the inputs → read and parse them with spans
//! ([`syntax`]) → find the policies in them ([`sources`]) → lower to the
//! [`model`] → ask the evaluation core ([`eval`]) through the [`rules`] →
//! [`report`]. Each subcommand is a module of [`commands`]; [`run`] is the
//! table from one to the other.

pub mod analysis;
pub mod baseline;
pub mod cli;
pub mod commands;
pub mod compare;
pub mod diagnostic;
pub mod discover;
pub mod error;
pub mod eval;
pub mod exit;
pub mod fingerprint;
pub mod fuzzing;
pub mod graph;
pub mod model;
pub mod progress;
pub mod report;
pub mod rules;
pub mod settings;
pub mod source;
pub mod sources;
pub mod support;
pub mod suppress;
pub mod syntax;

use cli::Command;
use error::Error;
use exit::ExitStatus;
use settings::Settings;

/// Runs one command.
///
/// # Errors
/// Usage errors, unreadable paths and bad configuration (exit code 2).
pub fn run(command: Command) -> Result<ExitStatus, Error> {
    match command {
        Command::Check(args) => commands::check::run(args),
        Command::Graph(args) => commands::graph::run(args),
        Command::Paths(args) => commands::paths::run(args),
        Command::Diff(args) => commands::diff::run(args),
        Command::Rules { format } => commands::rules::list(format),
        Command::Rule { name, format } => commands::rules::show(&name, format),
        Command::Completions { shell } => commands::completions(shell),
    }
}

/// Discovers the settings' paths and analyzes them: the whole pipeline up to
/// the report.
///
/// # Errors
/// A path that does not exist or a pattern that matches nothing.
pub fn analyze_paths(settings: &Settings) -> Result<analysis::Analysis, Error> {
    analyze_paths_with(settings, None)
}

/// [`analyze_paths`], reusing what an analysis of the same files kept in
/// `memo` (see [`analysis::analyze_with`]).
///
/// # Errors
/// A path that does not exist or a pattern that matches nothing.
pub fn analyze_paths_with(
    settings: &Settings,
    memo: Option<&analysis::Memo>,
) -> Result<analysis::Analysis, Error> {
    let found = discover::collect(&settings.root, &settings.paths, &settings.exclude)?;
    let mut analysis = analysis::analyze_with(&found.inputs, settings, memo);
    analysis.not_files = found.not_files;
    analysis.warnings.extend(found.warnings);
    for pattern in found.unused_excludes {
        analysis.warnings.push(format!("`exclude` pattern `{pattern}` matches no file"));
    }
    // A gate that checked nothing must not pass in silence.
    if analysis.checked_files() == 0 && analysis.errors.is_empty() {
        analysis.warnings.push(if analysis.skipped == 0 {
            "nothing was checked: no file to read was found".to_owned()
        } else {
            match analysis.skipped {
                1 => "nothing was checked: the file read holds no IAM policy".to_owned(),
                n => format!("nothing was checked: the {n} files read hold no IAM policy"),
            }
        });
    }
    Ok(analysis)
}
