//! trustlint: a static analyzer for AWS IAM trust policies.
//!
//! The pipeline: [`discover`] the inputs → read and parse them with spans
//! ([`syntax`]) → find the policies in them ([`sources`]) → lower to the
//! [`model`] → ask the evaluation core ([`eval`]) through the [`rules`] →
//! [`report`].

pub mod analysis;
pub mod baseline;
pub mod cli;
pub mod diagnostic;
pub mod discover;
pub mod error;
pub mod eval;
pub mod exit;
pub mod fingerprint;
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

use std::io::{IsTerminal, Write};

use cli::{CheckArgs, Command, DocFormat};
use error::Error;
use exit::ExitStatus;
use settings::{ConfigFile, OutputFormat, Settings};

/// Runs one command.
///
/// # Errors
/// Usage errors, unreadable paths and bad configuration (exit code 2).
pub fn run(command: Command) -> Result<ExitStatus, Error> {
    match command {
        Command::Check(args) => check(&settings_from(args)?),
        Command::Graph(args) => {
            let (analysis, graph, settings) = load_graph(args.input)?;
            let env = eval::Env::new(&analysis.inventory.accounts, settings.org_id.as_deref(), None);
            let mut out = std::io::stdout().lock();
            graph::render::graph(&graph, &analysis, &env, args.format, &mut out)?;
            Ok(ExitStatus::Success)
        }
        Command::Paths(args) => {
            let (format, to, from) = (args.format, args.to.clone(), args.from.clone());
            let (analysis, graph, settings) = load_graph(args.input)?;
            let env = eval::Env::new(&analysis.inventory.accounts, settings.org_id.as_deref(), None);
            let (name, backward) = match (&to, &from) {
                (Some(t), _) => (t.as_str(), true),
                (None, Some(f)) => (f.as_str(), false),
                (None, None) => return Err(Error::Usage("give `--to ROLE` or `--from PRINCIPAL`".into())),
            };
            let found = graph.find(name);
            let node = match found.as_slice() {
                [one] => *one,
                [] => return Err(Error::Usage(format!("no user or role `{name}` in the inputs"))),
                many => {
                    let names: Vec<String> = many.iter().map(|&n| graph.label(n)).collect();
                    return Err(Error::Usage(format!(
                        "`{name}` matches several principals; give an ARN: {}",
                        names.join(", ")
                    )));
                }
            };
            let chains = if backward {
                graph.chains_to(&analysis.inventory, &env, node)
            } else {
                graph.chains_from(&analysis.inventory, &env, node)
            };
            let mut out = std::io::stdout().lock();
            graph::render::paths(&graph, &analysis, node, backward, &chains, format, &mut out)?;
            Ok(ExitStatus::Success)
        }
        Command::Rules { format } => {
            print_rules(format)?;
            Ok(ExitStatus::Success)
        }
        Command::Rule { name, format } => {
            let meta = rules::find(&name).ok_or(Error::UnknownRule(name))?;
            let mut out = std::io::stdout().lock();
            match format {
                DocFormat::Text => write!(out, "{}", meta.doc_body())?,
                DocFormat::Json => {
                    let v = serde_json::json!({
                        "code": meta.code, "name": meta.name, "severity": meta.severity,
                        "summary": meta.summary, "doc": meta.doc_body(),
                    });
                    writeln!(out, "{}", serde_json::to_string_pretty(&v).unwrap_or_default())?;
                }
            }
            Ok(ExitStatus::Success)
        }
    }
}

fn print_rules(format: DocFormat) -> Result<(), Error> {
    let mut out = std::io::stdout().lock();
    let all = rules::ALL.iter().map(|r| r.meta());
    match format {
        DocFormat::Text => {
            for m in all {
                writeln!(out, "{:<6} {:<28} {:<8} {}", m.code, m.name, m.severity, m.summary)?;
            }
        }
        DocFormat::Json => {
            let v: Vec<_> = all
                .map(|m| serde_json::json!({"code": m.code, "name": m.name, "severity": m.severity, "summary": m.summary}))
                .collect();
            writeln!(out, "{}", serde_json::to_string_pretty(&v).unwrap_or_default())?;
        }
    }
    Ok(())
}

/// Merges the input options over the config file: the settings `graph` and
/// `paths` use as they are and `check` completes.
fn input_settings(args: cli::InputArgs) -> Result<(Settings, ConfigFile), Error> {
    let config = match (&args.config, args.no_config) {
        (Some(path), _) => ConfigFile::load(path)?,
        (None, false) => match std::env::current_dir().ok().and_then(|d| ConfigFile::find(&d)) {
            Some(path) => ConfigFile::load(&path)?,
            None => ConfigFile::default(),
        },
        (None, true) => ConfigFile::default(),
    };
    let mut trusted = std::collections::BTreeSet::new();
    for a in config.trusted_accounts.iter().chain(&args.trusted_accounts) {
        trusted.insert(settings::account_id(a)?);
    }
    let org_id = args.org_id.or(config.org_id.clone()).map(|o| settings::org_id(&o)).transpose()?;
    let mut exclude = Vec::new();
    for pattern in config.exclude.iter().chain(&args.exclude) {
        let p = glob::Pattern::new(pattern.trim_end_matches('/'))
            .map_err(|e| Error::Pattern { pattern: pattern.clone(), message: e.to_string() })?;
        exclude.push(p);
    }
    let settings = Settings {
        paths: args.paths,
        trusted_accounts: trusted,
        org_id,
        exclude,
        stdin_filename: args.stdin_filename,
        ..Settings::default()
    };
    Ok((settings, config))
}

/// Merges the command line over the config file.
fn settings_from(args: CheckArgs) -> Result<Settings, Error> {
    let (base, config) = input_settings(args.input)?;
    let max_session_duration = args
        .max_session_duration
        .or(config.max_session_duration)
        .unwrap_or(settings::DEFAULT_MAX_SESSION_DURATION);
    if max_session_duration <= 0 {
        return Err(Error::Usage(format!(
            "`--max-session-duration` must be a positive number of seconds, not {max_session_duration}"
        )));
    }
    let mut ignore = config.ignore.clone();
    ignore.extend(args.ignore);
    let select = args.select.or(config.select.clone());
    let rules = settings::resolve_rules(select.as_deref(), &ignore)?;
    let to_terminal = args.output_file.is_none() && std::io::stdout().is_terminal();
    let format = args.format.unwrap_or(if to_terminal { OutputFormat::Full } else { OutputFormat::Concise });
    let inline_suppressions = !args.no_inline_suppressions && config.inline_suppressions.unwrap_or(true);
    Ok(Settings {
        format,
        severities: config.severities()?,
        per_file_ignores: config.per_file_ignores()?,
        suppressions: config.suppressions()?,
        inline_suppressions,
        baseline: args.baseline,
        write_baseline: args.write_baseline,
        progress: std::io::stderr().is_terminal() && !args.quiet,
        max_session_duration,
        fail_on: args.fail_on.or(config.fail_on).unwrap_or(diagnostic::Severity::Warning),
        rules,
        exit_zero: args.exit_zero,
        quiet: args.quiet,
        output_file: args.output_file,
        ..base
    })
}

/// Reads the inputs and builds the assume-role graph (no rules run).
fn load_graph(args: cli::InputArgs) -> Result<(analysis::Analysis, graph::TrustGraph, Settings), Error> {
    let (settings, _) = input_settings(args)?;
    let settings = Settings { rules: vec![&rules::InvalidPolicy::META], ..settings };
    let analysis = analyze_paths(&settings)?;
    for e in &analysis.errors {
        eprintln!("{:?}", miette::Report::msg(e.to_string()));
    }
    let graph = graph::TrustGraph::build(&analysis.inventory, &analysis.files, &settings);
    Ok((analysis, graph, settings))
}

/// Discovers the settings' paths and analyzes them.
///
/// # Errors
/// A path that does not exist or a pattern that matches nothing.
pub fn analyze_paths(settings: &Settings) -> Result<analysis::Analysis, Error> {
    let inputs = discover::collect(&settings.paths, &settings.exclude)?;
    Ok(analysis::analyze(&inputs, settings))
}

/// `trustlint check`.
///
/// # Errors
/// A path that does not exist, or output that cannot be written.
pub fn check(settings: &Settings) -> Result<ExitStatus, Error> {
    let mut analysis = analyze_paths(settings)?;
    if let Some(path) = &settings.baseline {
        baseline::apply(&mut analysis, path)?;
    }
    if let Some(path) = &settings.write_baseline {
        let n = baseline::write(&analysis, path)?;
        for e in &analysis.errors {
            eprintln!("{:?}", miette::Report::msg(e.to_string()));
        }
        if !settings.quiet {
            let s = if n == 1 { "" } else { "s" };
            eprintln!("Recorded {n} finding{s} in `{}`.", support::path::display_path(path));
        }
        return Ok(if analysis.errors.is_empty() { ExitStatus::Success } else { ExitStatus::Error });
    }

    let to_terminal = settings.output_file.is_none() && std::io::stdout().is_terminal();
    let opts = report::RenderOptions {
        format: settings.format,
        color: to_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        width: std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()).unwrap_or(100),
    };
    let mut buf = Vec::new();
    report::render(&analysis, &opts, &mut buf)?;
    if settings.quiet && matches!(settings.format, OutputFormat::Concise | OutputFormat::Full) {
        // Drop the closing summary line.
        let keep = buf[..buf.len().saturating_sub(1)].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        buf.truncate(keep);
    }
    match &settings.output_file {
        Some(path) => std::fs::write(path, &buf)?,
        None => std::io::stdout().lock().write_all(&buf)?,
    }

    for e in &analysis.errors {
        eprintln!("{:?}", miette::Report::msg(e.to_string()));
    }
    for location in &analysis.unused_suppressions {
        eprintln!("warning: {location}: this `[[suppress]]` entry matches no finding");
    }
    Ok(if !analysis.errors.is_empty() {
        ExitStatus::Error
    } else if !settings.exit_zero && analysis.findings.iter().any(|f| f.severity >= settings.fail_on) {
        ExitStatus::Findings
    } else {
        ExitStatus::Success
    })
}
