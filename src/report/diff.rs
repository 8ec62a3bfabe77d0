//! What `trustlint diff` writes: the assume paths a change opens and closes,
//! hop by hop, the findings it adds and fixes, and a one-line summary; as
//! text, markdown for a pull request, JSON, or (the findings added only)
//! SARIF and GitHub annotations.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::Write;

use serde::Serialize;
use serde_json::{Value, json};

use super::RenderOptions;
use crate::analysis::Analysis;
use crate::cli::DiffFormat;
use crate::compare::{PathChange, PathChanges, Side};
use crate::diagnostic::{Finding, Severity};
use crate::graph::render::hop_json;
use crate::graph::{NodeKind, Origin};
use crate::settings::OutputFormat;

/// A change, ready to be written: the new side's analysis holds only the
/// findings added, the old side's only those fixed.
pub struct Diff<'a> {
    /// The base revision as the user gave it.
    pub base: &'a str,
    pub old: &'a Side,
    pub new: &'a Side,
    pub paths: &'a PathChanges,
    pub fail_on: Severity,
}

/// Writes the change in `format`; `opts` gives colour, width and whether
/// the summary line is written.
///
/// # Errors
/// When writing fails.
pub fn render(
    d: &Diff<'_>,
    format: DiffFormat,
    opts: &RenderOptions,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    match format {
        DiffFormat::Full => text(d, opts, true, out),
        DiffFormat::Concise => text(d, opts, false, out),
        DiffFormat::Markdown => markdown(d, out),
        DiffFormat::Json => json(d, out),
        DiffFormat::Sarif => super::sarif::render(&d.new.analysis, out),
        DiffFormat::Github => super::github::render(&d.new.analysis, out),
    }
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// The one-line summary: `opens 1 path into 1 privileged role from 1
/// outside account; 2 findings added, 1 fixed`.
pub fn summary(d: &Diff<'_>) -> String {
    let g = &d.new.graph;
    let added = &d.paths.added;
    let mut parts = Vec::new();
    if !added.is_empty() {
        let targets: BTreeSet<_> = added.iter().map(|p| p.chain.target()).collect();
        let privileged: BTreeSet<_> =
            added.iter().filter(|p| p.privileged.is_some()).map(|p| p.chain.target()).collect();
        let sources: BTreeSet<_> = added.iter().map(|p| p.chain.source()).collect();
        let outside = sources.iter().filter(|&&s| g.node(s).outside).count();
        let into = if privileged.len() == targets.len() {
            format!("into {} privileged role{}", targets.len(), if targets.len() == 1 { "" } else { "s" })
        } else if privileged.is_empty() {
            format!("into {}", plural(targets.len(), "role"))
        } else {
            format!("into {} ({} privileged)", plural(targets.len(), "role"), privileged.len())
        };
        let from = if outside == sources.len() {
            let accounts = sources.iter().all(|&s| g.node(s).kind == NodeKind::ExternalAccount);
            let what = if accounts { "outside account" } else { "outside principal" };
            format!("from {} {what}{}", outside, if outside == 1 { "" } else { "s" })
        } else if outside == 0 {
            format!("from {} inside your accounts", plural(sources.len(), "principal"))
        } else {
            format!("from {} ({outside} outside)", plural(sources.len(), "principal"))
        };
        parts.push(format!("opens {} {into} {from}", plural(added.len(), "path")));
    }
    if !d.paths.removed.is_empty() {
        parts.push(format!("closes {}", plural(d.paths.removed.len(), "path")));
    }
    if parts.is_empty() {
        parts.push("opens no path".to_owned());
    }
    format!(
        "{}; {} added, {} fixed",
        parts.join(", "),
        plural(d.new.analysis.findings.len(), "finding"),
        d.old.analysis.findings.len()
    )
}

fn place(a: &Analysis, o: &Origin) -> String {
    let file = &a.files[o.file];
    let at = file.line_col(o.span.start);
    format!("{}:{}:{}", file.name, at.line, at.column)
}

/// `account 999988887777 → role/deploy → role/admin`.
fn route(side: &Side, p: &PathChange) -> String {
    let g = &side.graph;
    let mut names = vec![g.label(p.chain.source())];
    names.extend(p.chain.hops.iter().map(|h| g.label(h.to)));
    names.join(" → ")
}

/// A path hop by hop, with the statements that allow each hop.
fn chain_text(side: &Side, p: &PathChange, out: &mut dyn Write) -> std::io::Result<()> {
    let (g, a) = (&side.graph, &side.analysis);
    let outside = if p.outside { "  [outside your accounts]" } else { "" };
    writeln!(out, "{}{outside}", super::printable(&g.label(p.chain.source())))?;
    for (i, h) in p.chain.hops.iter().enumerate() {
        let needs = if h.requires.is_empty() { String::new() } else { format!("  (needs {})", h.requires) };
        let privileged = match (&p.privileged, i + 1 == p.chain.hops.len()) {
            (Some(why), true) => format!("  [privileged: {why}]"),
            _ => String::new(),
        };
        writeln!(out, "  → {}{needs}{privileged}", super::printable(&g.label(h.to)))?;
        if let Some(t) = &h.trust {
            writeln!(out, "      trust:    {} {}", super::printable(&place(a, t)), t.pointer)?;
        }
        if let Some(id) = &h.identity {
            writeln!(out, "      identity: {} {}", super::printable(&place(a, id)), id.pointer)?;
        }
    }
    Ok(())
}

/// `path:line:col: severity[rule] message`.
fn finding_line(a: &Analysis, f: &Finding) -> String {
    let (start, _) = super::positions(a, f);
    format!(
        "{}:{}:{}: {}[{}] {}",
        super::printable(&a.files[f.file].name),
        start.line,
        start.column,
        f.severity,
        f.rule.name,
        super::printable(&f.message)
    )
}

fn text(d: &Diff<'_>, opts: &RenderOptions, full: bool, out: &mut dyn Write) -> std::io::Result<()> {
    let (added, removed) = (&d.paths.added, &d.paths.removed);
    let (new, old) = (&d.new.analysis, &d.old.analysis);
    if full {
        for (title, list, side) in [("opened", added, d.new), ("closed", removed, d.old)] {
            if list.is_empty() {
                continue;
            }
            writeln!(out, "Assume paths {title} ({}):\n", list.len())?;
            for p in list {
                chain_text(side, p, out)?;
                writeln!(out)?;
            }
        }
        if !new.findings.is_empty() {
            writeln!(out, "Findings added ({}):\n", new.findings.len())?;
            let opts = RenderOptions { format: OutputFormat::Full, summary: false, ..*opts };
            super::render(new, &opts, out)?;
        }
        if !old.findings.is_empty() {
            writeln!(out, "Findings fixed ({}):\n", old.findings.len())?;
            for f in &old.findings {
                writeln!(out, "  {}", finding_line(old, f))?;
            }
            writeln!(out)?;
        }
    } else {
        for p in added {
            let why = p.privileged.as_ref().map_or(String::new(), |w| format!(" [privileged: {w}]"));
            writeln!(out, "path opened: {}{why}", super::printable(&route(d.new, p)))?;
        }
        for p in removed {
            writeln!(out, "path closed: {}", super::printable(&route(d.old, p)))?;
        }
        for f in &new.findings {
            writeln!(out, "added: {}", finding_line(new, f))?;
        }
        for f in &old.findings {
            writeln!(out, "fixed: {}", finding_line(old, f))?;
        }
    }
    if opts.summary {
        writeln!(out, "Since `{}`: {}.", super::printable(d.base), summary(d))?;
    }
    Ok(())
}

/// Text for a markdown table cell: one line, no column breaks.
fn cell(s: &str) -> String {
    super::printable(s).replace('|', "\\|").replace('<', "&lt;").replace('>', "&gt;")
}

fn markdown(d: &Diff<'_>, out: &mut dyn Write) -> std::io::Result<()> {
    let (added, removed) = (&d.paths.added, &d.paths.removed);
    let (new, old) = (&d.new.analysis, &d.old.analysis);
    let failing = d.paths.privileged_from_outside().count();
    let heading = if failing > 0 {
        format!(
            "### ⛔ trustlint: this change opens {} into a privileged role from outside",
            plural(failing, "path")
        )
    } else if new.findings.iter().any(|f| f.severity >= d.fail_on) {
        "### ⚠️ trustlint: this change adds findings".to_owned()
    } else {
        "### ✅ trustlint: nothing opened".to_owned()
    };
    let mut s = String::new();
    let _ = writeln!(s, "{heading}\n");
    let _ = writeln!(s, "{} (since `{}`).\n", capitalized(&summary(d)), cell(d.base));
    for (title, list, side, open) in [("opened", added, d.new, true), ("closed", removed, d.old, false)] {
        if list.is_empty() {
            continue;
        }
        let table = paths_table(side, list);
        if open {
            let _ = writeln!(s, "#### Assume paths {title}\n\n{table}");
        } else {
            let _ = writeln!(
                s,
                "<details><summary>Assume paths {title} ({})</summary>\n\n{table}</details>\n",
                list.len()
            );
        }
    }
    if !added.is_empty() {
        let _ = writeln!(s, "<details><summary>Each path opened, hop by hop</summary>\n");
        for p in added {
            let _ = writeln!(s, "- {}", cell(&route(d.new, p)));
            for h in &p.chain.hops {
                let g = &d.new.graph;
                let mut line = format!("  - `{}` → `{}`", cell(&g.label(h.from)), cell(&g.label(h.to)));
                if let Some(t) = &h.trust {
                    let _ = write!(line, ": trust `{}` `{}`", cell(&place(new, t)), t.pointer);
                }
                if let Some(i) = &h.identity {
                    let _ = write!(line, ", permission `{}` `{}`", cell(&place(new, i)), i.pointer);
                }
                if !h.requires.is_empty() {
                    let _ = write!(line, " (needs {})", h.requires);
                }
                let _ = writeln!(s, "{line}");
            }
        }
        let _ = writeln!(s, "\n</details>\n");
    }
    if !new.findings.is_empty() {
        let _ = writeln!(s, "#### Findings added\n\n{}", findings_table(new));
    }
    if !old.findings.is_empty() {
        let _ = writeln!(
            s,
            "<details><summary>Findings fixed ({})</summary>\n\n{}</details>\n",
            old.findings.len(),
            findings_table(old)
        );
    }
    out.write_all(s.trim_end().as_bytes())?;
    writeln!(out)
}

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    c.next().map_or(String::new(), |f| f.to_uppercase().chain(c).collect())
}

fn paths_table(side: &Side, list: &[PathChange]) -> String {
    let g = &side.graph;
    let mut s = String::from("| From | To | Chain |\n|---|---|---|\n");
    for p in list {
        let from = cell(&g.label(p.chain.source()));
        let from = if p.outside { format!("`{from}` (outside)") } else { format!("`{from}`") };
        let to = cell(&g.label(p.chain.target()));
        let to = match &p.privileged {
            Some(why) => format!("`{to}` **privileged** ({})", cell(why)),
            None => format!("`{to}`"),
        };
        let _ = writeln!(s, "| {from} | {to} | {} |", cell(&route(side, p)));
    }
    s
}

fn findings_table(a: &Analysis) -> String {
    let mut s = String::from("| Severity | Rule | Where | Message |\n|---|---|---|---|\n");
    for f in &a.findings {
        let (start, _) = super::positions(a, f);
        let _ = writeln!(
            s,
            "| {} | `{}` | `{}:{}` | {} |",
            f.severity,
            f.rule.name,
            cell(&a.files[f.file].name),
            start.line,
            cell(&f.message)
        );
    }
    s
}

fn path_json(side: &Side, p: &PathChange) -> Value {
    let (g, a) = (&side.graph, &side.analysis);
    let hops: Vec<Value> = p.chain.hops.iter().map(|h| hop_json(g, a, h)).collect();
    json!({
        "from": g.label(p.chain.source()),
        "to": g.label(p.chain.target()),
        "outside": p.outside,
        "privileged": p.privileged,
        "hops": hops,
    })
}

#[derive(Serialize)]
struct Report<'a> {
    version: u32,
    base: &'a str,
    added_findings: Vec<super::json::Item<'a>>,
    fixed_findings: Vec<super::json::Item<'a>>,
    added_paths: Vec<Value>,
    removed_paths: Vec<Value>,
    summary: Summary,
}

#[derive(Serialize)]
struct Summary {
    added_findings: usize,
    fixed_findings: usize,
    added_paths: usize,
    removed_paths: usize,
    /// Paths opened into an administrator-like role from outside your accounts.
    privileged_paths_from_outside: usize,
    text: String,
}

fn json(d: &Diff<'_>, out: &mut dyn Write) -> std::io::Result<()> {
    let (new, old) = (&d.new.analysis, &d.old.analysis);
    let report = Report {
        version: super::json::VERSION,
        base: d.base,
        added_findings: new.findings.iter().map(|f| super::json::item(new, f)).collect(),
        fixed_findings: old.findings.iter().map(|f| super::json::item(old, f)).collect(),
        added_paths: d.paths.added.iter().map(|p| path_json(d.new, p)).collect(),
        removed_paths: d.paths.removed.iter().map(|p| path_json(d.old, p)).collect(),
        summary: Summary {
            added_findings: new.findings.len(),
            fixed_findings: old.findings.len(),
            added_paths: d.paths.added.len(),
            removed_paths: d.paths.removed.len(),
            privileged_paths_from_outside: d.paths.privileged_from_outside().count(),
            text: summary(d),
        },
    };
    serde_json::to_writer_pretty(&mut *out, &report)?;
    writeln!(out)
}
