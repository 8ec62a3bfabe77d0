//! `--format html`: one self-contained audit report. A summary, the
//! assume-role graph drawn as SVG (laid out here, see [`layout`]), who can
//! reach each role and what it can reach (precomputed chains, embedded as
//! JSON), the findings with their source and their rule's documentation,
//! and a small script for zoom, pan, filters and the chain view. Nothing is
//! fetched: every style and script is inline. The same input gives the same
//! bytes: everything is sorted, nothing depends on time or chance.
//!
//! Every text from the input (names, ARNs, file names, messages, source)
//! is escaped for HTML, and inside the JSON data for a `<script>` element
//! too; the script only ever sets text, never markup.

mod graph;
mod layout;
mod markdown;
mod reach;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::io::Write;

use crate::analysis::Analysis;
use crate::diagnostic::{Finding, RuleMeta, Severity};
use crate::eval::Env;
use crate::graph::view::{Cut, View};
use crate::graph::{NodeId, NodeKind, TrustGraph};
use crate::model::arn::account_of;
use crate::settings::Settings;

const STYLE: &str = include_str!("report.css");
const SCRIPT: &str = include_str!("report.js");

/// Text for HTML content and attribute values.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Harmless in HTML, but not in a script that copies the text.
            '\u{2028}' => out.push_str("&#x2028;"),
            '\u{2029}' => out.push_str("&#x2029;"),
            '\n' | '\t' => out.push(c),
            c if c.is_control() => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// JSON for the inside of a `<script>` element: no `<`, `>` or `&` that
/// could close it or start a comment, and no line separators.
pub(crate) fn script_json(v: &impl serde::Serialize) -> String {
    let json = serde_json::to_string(v).unwrap_or_else(|_| "null".to_owned());
    // These characters only occur inside JSON strings, where `\uXXXX` means the same.
    json.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

pub fn render(a: &Analysis, out: &mut dyn Write) -> std::io::Result<()> {
    let settings = Settings { org_id: a.org_id.clone(), ..Settings::default() };
    let g = TrustGraph::build(&a.inventory, &a.files, &settings);
    let env = Env::new(&a.inventory.accounts, a.org_id.as_deref(), None);
    let view = View::new(&g, &a.inventory, &env, &Cut::default());
    let subjects: BTreeSet<&str> = a.findings.iter().filter_map(|f| f.subject.as_deref()).collect();
    let drawing = graph::draw(&g, &a.inventory, &env, &view, &subjects);
    let data = reach::compute(&g, a, &env, &subjects);

    let mut page = String::new();
    page.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    page.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(page, "<meta name=\"generator\" content=\"trustlint {}\">", env!("CARGO_PKG_VERSION"));
    page.push_str("<title>trustlint audit report</title>\n");
    let _ = writeln!(page, "<style>\n{STYLE}</style>\n</head>\n<body>");
    page.push_str("<header><h1>trustlint audit report</h1>");
    let _ = writeln!(page, "<p class=\"tagline\">{}</p></header>", esc(&super::summary_line(a)));
    summary(&mut page, a, &g);
    page.push_str(&drawing);
    reach_section(&mut page, &data);
    findings(&mut page, a, &g);
    rule_docs(&mut page, a);
    let _ =
        writeln!(page, "<script type=\"application/json\" id=\"reach-data\">{}</script>", script_json(&data));
    let _ = writeln!(page, "<script>\n{SCRIPT}</script>\n</body>\n</html>");
    out.write_all(page.as_bytes())
}

/// The accounts, principals and findings, by severity and by rule.
fn summary(page: &mut String, a: &Analysis, g: &TrustGraph) {
    let count = |k: NodeKind| g.nodes.iter().filter(|n| n.kind == k).count();
    let accounts: BTreeSet<&str> = g
        .nodes
        .iter()
        .filter(|n| matches!(n.kind, NodeKind::User | NodeKind::Role))
        .filter_map(|n| n.account.as_deref())
        .collect();
    let outside = g.nodes.iter().filter(|n| n.outside).count();
    page.push_str(
        "<section id=\"summary\"><h2>Summary</h2><div class=\"summary-row\"><div class=\"cards\">\n",
    );
    let mut card = |n: usize, what: &str, class: &str| {
        let _ = writeln!(page, "<div class=\"card {class}\"><b>{n}</b><span>{what}</span></div>");
    };
    card(a.checked_files(), "files checked", "");
    card(a.policies, "policies", "");
    card(accounts.len(), "accounts", "");
    card(count(NodeKind::Role), "roles", "");
    card(count(NodeKind::User), "users", "");
    card(outside, "principals outside your accounts", "");
    card(a.count(Severity::Error), "errors", "sev-error");
    card(a.count(Severity::Warning), "warnings", "sev-warning");
    card(a.count(Severity::Note), "notes", "sev-note");
    page.push_str("</div>\n");
    let mut by_rule: BTreeMap<(&str, &str), (Severity, usize)> = BTreeMap::new();
    for f in &a.findings {
        let e = by_rule.entry((f.rule.code, f.rule.name)).or_insert((f.severity, 0));
        e.0 = e.0.max(f.severity);
        e.1 += 1;
    }
    if !by_rule.is_empty() {
        page.push_str("<table class=\"by-rule\"><thead><tr><th>Rule</th><th>Code</th><th>Severity</th><th>Findings</th></tr></thead><tbody>\n");
        for ((code, name), (sev, n)) in &by_rule {
            let _ = writeln!(
                page,
                "<tr><td><a class=\"rule-filter\" href=\"#rule={name}\" data-rule=\"{name}\">{name}</a></td><td>{code}</td><td class=\"sev sev-{sev}\">{sev}</td><td>{n}</td></tr>",
                name = esc(name),
                sev = sev.as_str(),
            );
        }
        page.push_str("</tbody></table>\n");
    }
    page.push_str("</div></section>\n");
}

fn reach_section(page: &mut String, data: &reach::Data) {
    page.push_str("<section id=\"reach\"><h2>Who can reach a role, and what it can reach</h2>\n");
    page.push_str("<p>Click a node of the graph, or find a principal here: each chain is shown hop by hop, with what the caller needs and the trust and identity statements that allow each hop.</p>\n");
    if data.limited > 0 {
        let _ = writeln!(
            page,
            "<p class=\"note\">Chains are included for {} principals (the subjects of findings first); for the other {}, run <code>trustlint paths --to ROLE</code> or <code>--from PRINCIPAL</code>.</p>",
            data.reach.len(),
            data.limited
        );
    }
    page.push_str("<input id=\"role-search\" type=\"search\" placeholder=\"find a role or principal\" autocomplete=\"off\">\n");
    page.push_str("<ul id=\"role-list\"></ul>\n<div id=\"reach-panel\" hidden></div>\n</section>\n");
}

/// The users and roles of the graph by ARN (or name, for a role known only
/// from a policy file): the nodes that findings' subjects name. One lookup
/// each, where [`TrustGraph::find`] may scan every node.
fn principals_by_id(g: &TrustGraph) -> HashMap<&str, NodeId> {
    let mut by_id = HashMap::new();
    for (i, n) in g.nodes.iter().enumerate() {
        if matches!(n.kind, NodeKind::User | NodeKind::Role) {
            by_id.entry(n.id.as_str()).or_insert(i);
        }
    }
    by_id
}

/// The account a finding is about: its subject's.
fn finding_account<'a>(g: &'a TrustGraph, by_id: &HashMap<&str, NodeId>, f: &'a Finding) -> Option<&'a str> {
    let subject = f.subject.as_deref()?;
    account_of(subject).or_else(|| g.node(*by_id.get(subject)?).account.as_deref())
}

fn findings(page: &mut String, a: &Analysis, g: &TrustGraph) {
    let by_id = principals_by_id(g);
    let rules: BTreeSet<&str> = a.findings.iter().map(|f| f.rule.name).collect();
    let accounts: BTreeSet<&str> = a.findings.iter().filter_map(|f| finding_account(g, &by_id, f)).collect();
    let _ = writeln!(
        page,
        "<section id=\"findings-section\"><h2>Findings <span id=\"shown\">{}</span></h2>",
        a.findings.len()
    );
    page.push_str(
        "<div class=\"filters\">\n<label>Severity <select id=\"f-severity\"><option value=\"\">all</option>",
    );
    for s in ["error", "warning", "note"] {
        let _ = write!(page, "<option>{s}</option>");
    }
    page.push_str("</select></label>\n<label>Rule <select id=\"f-rule\"><option value=\"\">all</option>");
    for r in &rules {
        let _ = write!(page, "<option>{}</option>", esc(r));
    }
    page.push_str(
        "</select></label>\n<label>Account <select id=\"f-account\"><option value=\"\">all</option>",
    );
    for acct in &accounts {
        let _ = write!(page, "<option>{}</option>", esc(acct));
    }
    page.push_str("</select></label>\n<label>Text <input id=\"f-text\" type=\"search\" placeholder=\"message, subject, file\"></label>\n</div>\n");
    if a.findings.is_empty() {
        page.push_str("<p>No findings.</p>\n");
    }
    page.push_str("<table id=\"findings\"><thead><tr><th>Severity</th><th>Rule</th><th>Finding</th><th>Subject</th><th>Location</th></tr></thead><tbody>\n");
    for f in &a.findings {
        let file = &a.files[f.file];
        let (start, _) = super::positions(a, f);
        let account = finding_account(g, &by_id, f).unwrap_or("");
        let sev = f.severity.as_str();
        let _ = write!(
            page,
            "<tr class=\"finding\" data-severity=\"{sev}\" data-rule=\"{rule}\" data-account=\"{acct}\"><td class=\"sev sev-{sev}\">{sev}</td><td class=\"rule\"><a href=\"#doc-{rule}\">{rule}</a> <small>{code}</small></td>",
            rule = esc(f.rule.name),
            code = esc(f.rule.code),
            acct = esc(account),
        );
        let _ = write!(page, "<td class=\"msg\"><span class=\"message\">{}</span>", esc(&f.message));
        page.push_str("<details><summary>source, fix and rule</summary>");
        page.push_str(&snippet(file, f));
        if let Some(label) = &f.label {
            let _ = write!(page, "<p class=\"label\">{}</p>", esc(label));
        }
        if let Some(help) = &f.help {
            let _ = write!(page, "<p class=\"fix\"><b>Fix:</b> {}</p>", esc(help));
        }
        let _ = write!(
            page,
            "<p class=\"what\"><b>{}:</b> {} (<a href=\"#doc-{}\">what, why and how to fix</a>)</p>",
            esc(f.rule.name),
            esc(f.rule.summary),
            esc(f.rule.name)
        );
        if !f.pointer.is_empty() {
            let _ = write!(page, "<p class=\"pointer\">JSON Pointer <code>{}</code></p>", esc(&f.pointer));
        }
        page.push_str("</details></td>");
        match f.subject.as_deref() {
            Some(s) => {
                let node = by_id.get(s).map(|n| format!(" data-n=\"{n}\"")).unwrap_or_default();
                let construct = f
                    .construct
                    .as_deref()
                    .map(|c| format!("<br><small>CDK construct {}</small>", esc(c)))
                    .unwrap_or_default();
                let _ = write!(
                    page,
                    "<td class=\"subject\"><span class=\"subj\"{node}>{}</span>{construct}</td>",
                    esc(s)
                );
            }
            None => page.push_str("<td class=\"subject\"></td>"),
        }
        let _ =
            writeln!(page, "<td class=\"loc\">{}:{}:{}</td></tr>", esc(&file.name), start.line, start.column);
    }
    page.push_str("</tbody></table>\n</section>\n");
}

/// Lines longer than this are shown as an excerpt around the finding.
const MAX_LINE: usize = 240;
/// Context shown on each side of a long line's excerpt.
const EXCERPT: usize = 80;
/// Lines of context around a finding.
const CONTEXT: usize = 2;
/// At most this many lines of a finding are shown.
const MAX_LINES: usize = 12;

fn floor_char(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The finding's lines with a few around them, its span marked.
fn snippet(file: &crate::source::SourceFile, f: &Finding) -> String {
    let text = file.text();
    let start = floor_char(text, f.span.start as usize);
    let end = floor_char(text, (f.span.end as usize).max(start));
    let first_line = file.line_col(f.span.start).line;
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let mut out = String::from("<pre class=\"snippet\"><code>");
    let mark = |out: &mut String, from: usize, to: usize| {
        let (s, e) = (start.clamp(from, to), end.clamp(from, to));
        out.push_str(&esc(&text[from..s]));
        if e > s {
            let _ = write!(out, "<mark>{}</mark>", esc(&text[s..e]));
        }
        out.push_str(&esc(text[e..to].trim_end_matches('\r')));
    };
    if line_end - line_start > MAX_LINE {
        let from = floor_char(text, start.saturating_sub(EXCERPT).max(line_start));
        let to = floor_char(text, (end.min(start + 2 * EXCERPT) + EXCERPT).min(line_end).max(start));
        let _ = write!(out, "<span class=\"ln\">{first_line}</span>…");
        mark(&mut out, from, to);
        out.push_str("…\n");
    } else {
        // Back CONTEXT lines, then forward to CONTEXT lines past the span's end.
        let mut from = line_start;
        let mut line = first_line;
        for _ in 0..CONTEXT {
            if from == 0 {
                break;
            }
            from = text[..from - 1].rfind('\n').map_or(0, |i| i + 1);
            line -= 1;
        }
        let last_line = file.line_col(u32::try_from(end).unwrap_or(u32::MAX)).line + CONTEXT;
        let mut at = from;
        while at <= text.len()
            && line <= last_line
            && line < first_line.saturating_sub(CONTEXT) + MAX_LINES + CONTEXT
        {
            let stop = text[at..].find('\n').map_or(text.len(), |i| at + i);
            let _ = write!(out, "<span class=\"ln\">{line}</span>");
            if stop - at > MAX_LINE {
                let cut = floor_char(text, at + MAX_LINE);
                mark(&mut out, at, cut);
                out.push('…');
            } else {
                mark(&mut out, at, stop);
            }
            out.push('\n');
            if stop == text.len() {
                break;
            }
            at = stop + 1;
            line += 1;
        }
    }
    out.push_str("</code></pre>");
    out
}

/// The documentation of each rule that has findings: what it does, why,
/// and how to fix it (its examples).
fn rule_docs(page: &mut String, a: &Analysis) {
    let mut rules: BTreeMap<&str, &RuleMeta> = BTreeMap::new();
    for f in &a.findings {
        rules.insert(f.rule.name, f.rule);
    }
    if rules.is_empty() {
        return;
    }
    page.push_str("<section id=\"rules\"><h2>Rules</h2>\n");
    for (name, meta) in rules {
        let _ = writeln!(
            page,
            "<article class=\"rule-doc\" id=\"doc-{}\"><details><summary><b>{}</b> ({}, {}): {}</summary>",
            esc(name),
            esc(name),
            esc(meta.code),
            meta.severity.as_str(),
            esc(meta.summary)
        );
        let body = meta.doc_body();
        // The page's own title repeats the summary line.
        let body = body.strip_prefix('#').map_or(body, |b| b.split_once('\n').map_or("", |(_, rest)| rest));
        page.push_str(&markdown::render(body, 3));
        page.push_str("</details></article>\n");
    }
    page.push_str("</section>\n");
}
