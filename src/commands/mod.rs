//! One module per subcommand: each merges its arguments over the config
//! file, runs the pipeline as far as it needs, and writes its output.

pub mod check;
pub mod diff;
pub mod graph;
pub mod paths;
pub mod rules;

use std::collections::BTreeSet;
use std::io::Write;

use crate::analysis::Analysis;
use crate::cli::InputArgs;
use crate::error::Error;
use crate::exit::ExitStatus;
use crate::graph::TrustGraph;
use crate::settings::{self, ConfigFile, Settings};
use crate::support::path::{RootedGlob, working_dir};

/// Merges the input options over the config file: the settings `graph` and
/// `paths` use as they are and `check` completes.
fn input_settings(args: InputArgs) -> Result<(Settings, ConfigFile), Error> {
    let config = match (&args.config, args.no_config) {
        (Some(path), _) => ConfigFile::load(path)?,
        (None, false) => match std::env::current_dir().ok().and_then(|d| ConfigFile::find(&d)) {
            Some(path) => ConfigFile::load(&path)?,
            None => ConfigFile::default(),
        },
        (None, true) => ConfigFile::default(),
    };
    let mut trusted = BTreeSet::new();
    trusted.extend(config.trusted_account_ids()?);
    for a in &args.trusted_accounts {
        trusted.insert(settings::account_id(a)?);
    }
    let config_org_id = config.organization()?;
    let org_id = match args.org_id {
        Some(o) => Some(settings::org_id(&o)?),
        None => config_org_id,
    };
    // The config's patterns are relative to the config file's directory,
    // the command line's to the working directory.
    let mut exclude = config.excludes()?;
    let cwd = working_dir();
    for pattern in &args.exclude {
        let p = RootedGlob::new(pattern, &cwd)
            .map_err(|e| Error::Pattern { pattern: pattern.clone(), message: e.to_string() })?;
        exclude.push(p);
    }
    let settings = Settings {
        paths: args.paths,
        trusted_accounts: trusted,
        org_id,
        exclude,
        stdin_filename: args.stdin_filename,
        max_file_size: args.max_file_size.unwrap_or(settings::DEFAULT_MAX_FILE_SIZE),
        stack_accounts: config.stack_accounts()?,
        ..Settings::default()
    };
    Ok((settings, config))
}

/// Reads the inputs and builds the assume-role graph (no rules run).
fn load_graph(args: InputArgs) -> Result<(Analysis, TrustGraph, Settings), Error> {
    let (settings, _) = input_settings(args)?;
    // The graph's reports show places by line and column, never source.
    let settings = Settings { rules: vec![&crate::rules::InvalidPolicy::META], keep_text: false, ..settings };
    let analysis = crate::analyze_paths(&settings)?;
    report_errors(&analysis);
    report_unparsed(&analysis);
    let graph = TrustGraph::build(&analysis.inventory, &analysis.files, &settings);
    Ok((analysis, graph, settings))
}

/// Prints the inputs that could not be read, and the run's warnings, on
/// standard error.
fn report_errors(analysis: &Analysis) {
    for e in &analysis.errors {
        crate::errln!("{:?}", miette::Report::msg(e.to_string()));
    }
    for w in &analysis.warnings {
        crate::errln!("warning: {w}");
    }
}

/// For the commands that draw the graph: prints, on standard error, where
/// each file that does not parse goes wrong (`path:line:col: message`), as
/// `check` would report it. Such a file is missing from the graph: the run
/// fails (exit code 2).
fn report_unparsed(analysis: &Analysis) {
    for f in analysis.findings.iter().filter(|f| analysis.unparsed.contains(&f.file)) {
        let (start, _) = crate::report::positions(analysis, f);
        crate::errln!(
            "error: {}:{}:{}: {}",
            crate::report::printable(&analysis.files[f.file].name),
            start.line,
            start.column,
            crate::report::printable(&f.message)
        );
    }
}

/// How a command that does not gate on findings (`graph`, `paths`) ends:
/// an error when an input could not be read or does not parse.
fn input_status(analysis: &Analysis) -> ExitStatus {
    if analysis.errors.is_empty() && analysis.unparsed.is_empty() {
        ExitStatus::Success
    } else {
        ExitStatus::Error
    }
}

/// Leaves what a command built to the end of the process: a command's last
/// step, where freeing a large input's model (millions of statements,
/// values and edges, one at a time) is work the operating system does at
/// once when the process exits.
fn end_with<T>(built: T) {
    std::mem::forget(built);
}

/// `trustlint completions SHELL`: the shell's completion script, made from
/// the command line's own definition.
pub fn completions(shell: clap_complete::Shell) -> Result<ExitStatus, Error> {
    use clap::CommandFactory;
    stream_stdout(|out| {
        clap_complete::generate(shell, &mut crate::cli::Cli::command(), "trustlint", out);
        Ok(())
    })?;
    Ok(ExitStatus::Success)
}

/// Writes to the file `path` (`--output-file`) through a buffer as `write`
/// produces it.
fn stream_file(
    path: &std::path::Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), Error> {
    let file = std::fs::File::create(path).map_err(|e| Error::write_file(path, &e))?;
    let mut out = std::io::BufWriter::with_capacity(1 << 16, file);
    write(&mut out).and_then(|()| out.flush()).map_err(|e| Error::write_file(path, &e))
}

/// Writes to standard output through a buffer as `write` produces it, so
/// that a large document is never held whole. A reader that has gone
/// (`| head`) is not an error: what is left is dropped, and the exit status
/// stays what the findings and the inputs call for.
fn stream_stdout(write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Result<(), Error> {
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    match write(&mut out).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => r.map_err(Error::Write),
    }
}
