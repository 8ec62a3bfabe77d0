//! `trustlint check`: every rule over every policy, reported in the chosen
//! format, with the exit code as the gate; or today's findings recorded as a
//! baseline.

use std::io::IsTerminal;

use crate::baseline;
use crate::cli::CheckArgs;
use crate::diagnostic::Severity;
use crate::error::Error;
use crate::exit::ExitStatus;
use crate::report;
use crate::settings::{self, OutputFormat, Settings};
use crate::support::path::display_path;

pub fn run(args: CheckArgs) -> Result<ExitStatus, Error> {
    check(&settings_from(args)?)
}

/// Merges the command line over the config file.
pub(super) fn settings_from(args: CheckArgs) -> Result<Settings, Error> {
    let (base, config) = super::input_settings(args.input)?;
    let max_session_duration = args
        .max_session_duration
        .or(config.max_session_duration)
        .unwrap_or(settings::DEFAULT_MAX_SESSION_DURATION);
    if max_session_duration <= 0 {
        return Err(Error::Usage(format!(
            "`--max-session-duration` must be a positive number of seconds, not {max_session_duration}"
        )));
    }
    let (config_select, mut ignore) = config.rule_lists()?;
    ignore.extend(args.ignore);
    let select = args.select.or(config_select);
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
        fail_on: args.fail_on.or(config.fail_on).unwrap_or(Severity::Warning),
        rules,
        exit_zero: args.exit_zero,
        quiet: args.quiet,
        output_file: args.output_file,
        color: args.color,
        statistics: args.statistics,
        keep_text: matches!(format, OutputFormat::Full | OutputFormat::Html) && !args.statistics,
        ..base
    })
}

/// Analyzes the settings' paths and reports, or records a baseline.
///
/// # Errors
/// A path that does not exist, or output that cannot be written.
pub fn check(settings: &Settings) -> Result<ExitStatus, Error> {
    let mut analysis = crate::analyze_paths(settings)?;
    if let Some(path) = &settings.baseline {
        baseline::apply(&mut analysis, path)?;
    }
    if let Some(path) = &settings.write_baseline {
        let n = baseline::write(&analysis, path)?;
        super::report_errors(&analysis);
        if !settings.quiet {
            let s = if n == 1 { "" } else { "s" };
            crate::errln!("Recorded {n} finding{s} in `{}`.", display_path(path));
        }
        return Ok(if analysis.errors.is_empty() { ExitStatus::Success } else { ExitStatus::Error });
    }

    let to_terminal = settings.output_file.is_none() && std::io::stdout().is_terminal();
    let opts = report::RenderOptions {
        format: settings.format,
        color: settings.color.enabled(to_terminal),
        width: std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()).unwrap_or(100),
        summary: !settings.quiet,
    };
    // Input errors first: they are on standard error whatever becomes of
    // the report (a reader that stops early, an unwritable file).
    super::report_errors(&analysis);
    // Written as it is made: a report of 100,000 findings is tens of
    // megabytes, never held whole.
    let write = |out: &mut dyn std::io::Write| {
        if settings.statistics {
            report::statistics(&analysis, settings.format, out)
        } else {
            report::render(&analysis, &opts, out)
        }
    };
    match &settings.output_file {
        Some(path) => super::stream_file(path, write)?,
        None => super::stream_stdout(write)?,
    }

    for location in &analysis.unused_suppressions {
        crate::errln!("warning: {location}: this `[[suppress]]` entry matches no finding");
    }
    let status = if !analysis.errors.is_empty() {
        ExitStatus::Error
    } else if !settings.exit_zero && analysis.findings.iter().any(|f| f.severity >= settings.fail_on) {
        ExitStatus::Findings
    } else {
        ExitStatus::Success
    };
    super::end_with(analysis);
    Ok(status)
}
