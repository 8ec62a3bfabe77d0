//! The command line.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::diagnostic::Severity;
use crate::settings::OutputFormat;
use crate::support::color::ColorChoice;

#[derive(Debug, Parser)]
#[command(
    name = "trustlint",
    version,
    about = "A linter for AWS IAM trust policies: who can assume your roles, and how"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
#[allow(clippy::large_enum_variant)] // built once per run
pub enum Command {
    /// Lint every policy found under the paths (files, directories, glob patterns, `-` for stdin)
    Check(CheckArgs),
    /// Print the assume-role graph (`--format dot|mermaid|json`)
    Graph(GraphArgs),
    /// Who can reach a role (`--to`), or what a principal can reach (`--from`), hop by hop
    Paths(PathsArgs),
    /// What a change does since a git revision: findings added and fixed, assume paths opened and closed
    Diff(DiffArgs),
    /// List every rule: code, name, default severity, summary
    Rules {
        #[arg(long, alias = "output-format", value_enum, default_value_t = DocFormat::Text)]
        format: DocFormat,
    },
    /// Print a rule's documentation
    Rule {
        /// The rule's name or code, e.g. `wildcard-principal` or `TL101`
        name: String,
        #[arg(long, alias = "output-format", value_enum, default_value_t = DocFormat::Text)]
        format: DocFormat,
    },
    /// Print a shell completion script (e.g. `trustlint completions bash > ~/.local/share/bash-completion/completions/trustlint`)
    Completions {
        /// The shell to complete for
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DocFormat {
    Text,
    Json,
}

/// Where to read from, and what is yours: shared by `check`, `graph` and `paths`.
#[derive(Debug, Args)]
pub struct InputArgs {
    /// Files, directories, glob patterns, or `-` for standard input
    #[arg(default_value = ".")]
    pub paths: Vec<String>,

    /// An account that is yours: trust to it is not third-party trust (repeatable)
    #[arg(long = "trusted-account", value_name = "ID")]
    pub trusted_accounts: Vec<String>,

    /// Your AWS Organization (`o-…`)
    #[arg(long, value_name = "ID")]
    pub org_id: Option<String>,

    /// Paths to leave out (glob patterns, repeatable)
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,

    /// Read settings from this file instead of the `trustlint.toml` found upward
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,

    /// Ignore any `trustlint.toml`
    #[arg(long)]
    pub no_config: bool,

    /// The name to report for input read from `-`
    #[arg(long, value_name = "PATH")]
    pub stdin_filename: Option<String>,

    /// Refuse an input larger than this: bytes, or with a `K`, `M` or `G`
    /// suffix (KiB, MiB, GiB) [default: 512M, at most 4G]
    #[arg(long, value_name = "SIZE", value_parser = crate::settings::parse_size)]
    pub max_file_size: Option<u64>,
}

#[derive(Debug, Args)]
#[allow(clippy::struct_excessive_bools)] // each is a flag of its own
pub struct CheckArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// Output format [default: `full` on a terminal, `concise` otherwise]
    #[arg(long, alias = "output-format", value_enum)]
    pub format: Option<OutputFormat>,

    /// Threshold in seconds for `excessive-session-duration` [default: 3600]
    #[arg(long, value_name = "SECONDS")]
    pub max_session_duration: Option<i64>,

    /// Lowest severity that makes the exit code 1 [default: warning]
    #[arg(long, value_enum)]
    pub fail_on: Option<Severity>,

    /// Only these rules (names, codes or code prefixes, comma-separated)
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    pub select: Option<Vec<String>>,

    /// Skip these rules (names, codes or code prefixes, comma-separated)
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    pub ignore: Vec<String>,

    /// Exit 0 even when there are findings
    #[arg(long)]
    pub exit_zero: bool,

    /// Print findings only, without the summary line
    #[arg(long, short)]
    pub quiet: bool,

    /// Write the report to this file instead of standard output
    #[arg(long, value_name = "FILE")]
    pub output_file: Option<PathBuf>,

    /// Print how many findings each rule has, most first, instead of the findings
    #[arg(long)]
    pub statistics: bool,

    /// Colour the output: `auto` on a terminal, unless `NO_COLOR` is set (`FORCE_COLOR` or `CLICOLOR_FORCE` force it; `TERM=dumb` turns it off)
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Ignore suppressions written in templates (CloudFormation `Metadata`, Terraform comments)
    #[arg(long)]
    pub no_inline_suppressions: bool,

    /// Report only findings that are not in this baseline file
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Record today's findings in this baseline file (and exit 0)
    #[arg(long, value_name = "FILE", conflicts_with = "baseline")]
    pub write_baseline: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    /// Graphviz DOT, nodes grouped by account
    Dot,
    /// A Mermaid flowchart
    Mermaid,
    /// Nodes and edges as JSON
    Json,
}

#[derive(Debug, Args)]
pub struct GraphArgs {
    #[command(flatten)]
    pub input: InputArgs,

    #[arg(long, alias = "output-format", value_enum, default_value_t = GraphFormat::Dot)]
    pub format: GraphFormat,

    /// Only what can reach this role (an ARN, a role name, or a policy file's name)
    #[arg(long, value_name = "ROLE")]
    pub to: Option<String>,

    /// Only what this principal can reach (an ARN or a user or role name)
    #[arg(long, value_name = "PRINCIPAL")]
    pub from: Option<String>,

    /// With `--to` or `--from`: at most this many hops away
    #[arg(long, value_name = "N")]
    pub depth: Option<usize>,

    /// Only the users and roles of this account, with their callers and the roles they reach
    #[arg(long, value_name = "ID")]
    pub account: Option<String>,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("direction").required(true).args(["to", "from"])))]
pub struct PathsArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// The role to reach: an ARN, a role name, or a policy file's name
    #[arg(long, value_name = "ROLE")]
    pub to: Option<String>,

    /// The principal to start from: an ARN or a user or role name
    #[arg(long, value_name = "PRINCIPAL")]
    pub from: Option<String>,

    #[arg(long, alias = "output-format", value_enum, default_value_t = DocFormat::Text)]
    pub format: DocFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// Graphical diagnostics for the findings added, chains hop by hop
    Full,
    /// One line per finding and per path
    Concise,
    /// A pull-request comment or `$GITHUB_STEP_SUMMARY`
    Markdown,
    /// The versioned JSON report of the change
    Json,
    /// SARIF 2.1.0 with the findings added
    Sarif,
    /// GitHub Actions annotations for the findings added
    Github,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// The revision to compare with: a branch, a tag, a commit, `HEAD~1`, a merge base
    #[arg(long, value_name = "REF")]
    pub base: String,

    /// Also follow what this principal can reach (an ARN or a user or role name; repeatable)
    #[arg(long, value_name = "PRINCIPAL")]
    pub from: Vec<String>,

    /// Output format [default: `full` on a terminal, `concise` otherwise]
    #[arg(long, alias = "output-format", value_enum)]
    pub format: Option<DiffFormat>,

    /// Colour the output: `auto` on a terminal, unless `NO_COLOR` is set (`FORCE_COLOR` or `CLICOLOR_FORCE` force it; `TERM=dumb` turns it off)
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    #[command(flatten)]
    pub check: DiffCheckArgs,
}

/// The options of `check` that apply to both sides of a `diff`.
#[derive(Debug, Args)]
pub struct DiffCheckArgs {
    /// Threshold in seconds for `excessive-session-duration` [default: 3600]
    #[arg(long, value_name = "SECONDS")]
    pub max_session_duration: Option<i64>,

    /// Lowest severity of an added finding that makes the exit code 1 [default: warning]
    #[arg(long, value_enum)]
    pub fail_on: Option<Severity>,

    /// Only these rules (names, codes or code prefixes, comma-separated)
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    pub select: Option<Vec<String>>,

    /// Skip these rules (names, codes or code prefixes, comma-separated)
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    pub ignore: Vec<String>,

    /// Exit 0 even when the change adds findings or opens a path into a privileged role
    #[arg(long)]
    pub exit_zero: bool,

    /// Leave out the summary line
    #[arg(long, short)]
    pub quiet: bool,

    /// Write the report to this file instead of standard output
    #[arg(long, value_name = "FILE")]
    pub output_file: Option<PathBuf>,

    /// Ignore suppressions written in templates (CloudFormation `Metadata`, Terraform comments)
    #[arg(long)]
    pub no_inline_suppressions: bool,
}

/// The subcommands, so that `trustlint PATH…` can mean `trustlint check PATH…`.
const SUBCOMMANDS: [&str; 8] = ["check", "graph", "paths", "diff", "rules", "rule", "completions", "help"];

/// Inserts `check` when the first argument is not a subcommand or a global
/// flag. A word that is no path but a misspelt subcommand (`trustlint chek
/// .`) is left for the parser, which names the subcommand it resembles.
pub fn with_default_command(mut args: Vec<String>) -> Vec<String> {
    let first = args.get(1).map(String::as_str);
    let is_global = matches!(first, Some("-h" | "--help" | "-V" | "--version"));
    let misspelt = first.is_some_and(|f| {
        !f.starts_with('-')
            && !f.contains(['*', '?', '[', '/', '\\', '.'])
            && std::path::Path::new(f).symlink_metadata().is_err()
            && crate::support::suggest::did_you_mean(f, SUBCOMMANDS).is_some()
    });
    if !is_global && !misspelt && !first.is_some_and(|f| SUBCOMMANDS.contains(&f)) {
        args.insert(1.min(args.len()), "check".to_owned());
    }
    args
}
