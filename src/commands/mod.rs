//! One module per subcommand: each merges its arguments over the config
//! file, runs the pipeline as far as it needs, and writes its output.

pub mod check;
pub mod diff;
pub mod graph;
pub mod paths;
pub mod rules;

use std::collections::BTreeSet;

use crate::analysis::Analysis;
use crate::cli::InputArgs;
use crate::error::Error;
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
        stack_accounts: config.stack_accounts()?,
        ..Settings::default()
    };
    Ok((settings, config))
}

/// Reads the inputs and builds the assume-role graph (no rules run).
fn load_graph(args: InputArgs) -> Result<(Analysis, TrustGraph, Settings), Error> {
    let (settings, _) = input_settings(args)?;
    let settings = Settings { rules: vec![&crate::rules::InvalidPolicy::META], ..settings };
    let analysis = crate::analyze_paths(&settings)?;
    report_errors(&analysis);
    let graph = TrustGraph::build(&analysis.inventory, &analysis.files, &settings);
    Ok((analysis, graph, settings))
}

/// Prints the inputs that could not be read, and the run's warnings, on
/// standard error.
fn report_errors(analysis: &Analysis) {
    for e in &analysis.errors {
        eprintln!("{:?}", miette::Report::msg(e.to_string()));
    }
    for w in &analysis.warnings {
        eprintln!("warning: {w}");
    }
}
