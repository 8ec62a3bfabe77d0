//! The graph as pictures and data (`trustlint graph`), and chains as text or
//! JSON (`trustlint paths`).

use std::collections::BTreeMap;
use std::io::Write;

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::json;

use super::view::View;
use super::{AccountTrust, Chain, Edge, Hop, NodeId, NodeKind, Origin, TrustGraph};
use crate::analysis::{Analysis, Inventory};
use crate::cli::{DocFormat, GraphFormat};
use crate::eval::Env;

/// Groups with at most this many members are drawn as direct edges from
/// each member; larger ones as one node.
const EXPAND_GROUPS_UP_TO: usize = 3;

/// An edge as drawn: group edges expanded for small groups.
pub(crate) struct Drawn<'a> {
    pub from: NodeId,
    pub to: NodeId,
    pub edge: &'a Edge,
    /// Part of a finding: drawn red.
    pub finding: bool,
}

pub(crate) fn drawn<'g>(
    g: &'g TrustGraph,
    inv: &Inventory,
    env: &Env,
    view: &View,
) -> (Vec<NodeId>, Vec<Drawn<'g>>) {
    let shown_group =
        |n: NodeId| g.node(n).kind == NodeKind::Group && g.node(n).members.len() > EXPAND_GROUPS_UP_TO;
    let mut nodes = Vec::new();
    let mut edges = Vec::new();
    for n in 0..g.nodes.len() {
        let node = g.node(n);
        if (node.kind == NodeKind::Group && !shown_group(n)) || !view.keeps(n) {
            continue;
        }
        nodes.push(n);
    }
    let mut push = |from: NodeId, to: NodeId, ei: usize, edge: &'g Edge| {
        if view.keeps(from) && view.keeps(to) {
            edges.push(Drawn { from, to, edge, finding: view.in_finding(g, ei, from, to) });
        }
    };
    for (ei, e) in g.edges.iter().enumerate() {
        let from_group = g.node(e.from()).kind == NodeKind::Group;
        let to_group = g.node(e.to()).kind == NodeKind::Group;
        match (from_group, to_group) {
            // Membership of a small group: drawn through its members' edges.
            (false, true) if !shown_group(e.to()) => {}
            (true, _) if !shown_group(e.from()) => {
                for &m in &g.node(e.from()).members {
                    if g.member_passes(inv, env, e, m) {
                        push(m, e.to(), ei, e);
                    }
                }
            }
            _ => push(e.from(), e.to(), ei, e),
        }
    }
    (nodes, edges)
}

pub(crate) fn short(g: &TrustGraph, n: NodeId) -> String {
    let node = g.node(n);
    match node.kind {
        NodeKind::User | NodeKind::Role | NodeKind::ExternalPrincipal => node
            .id
            .split_once(":iam::")
            .and_then(|(_, r)| r.split_once(':'))
            .map_or(node.id.clone(), |(_, r)| r.to_owned()),
        NodeKind::Group => {
            format!("{} principals\nsharing one sts:AssumeRole permission", node.members.len())
        }
        _ => g.label(n),
    }
}

pub(crate) fn edge_label(e: &Edge) -> String {
    e.requires.to_string()
}

/// Writes the whole graph.
pub fn graph(
    g: &TrustGraph,
    a: &Analysis,
    env: &Env,
    view: &View,
    format: GraphFormat,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    match format {
        GraphFormat::Dot => dot(g, &a.inventory, env, view, out),
        GraphFormat::Mermaid => mermaid(g, &a.inventory, env, view, out),
        GraphFormat::Json => write_json(g, a, view, out),
    }
}

fn by_account(g: &TrustGraph, nodes: &[NodeId]) -> BTreeMap<Option<String>, Vec<NodeId>> {
    let mut groups: BTreeMap<Option<String>, Vec<NodeId>> = BTreeMap::new();
    for &n in nodes {
        let account = match g.node(n).kind {
            NodeKind::ExternalAccount | NodeKind::Anyone | NodeKind::Federated | NodeKind::Service => None,
            _ => g.node(n).account.clone(),
        };
        groups.entry(account).or_default().push(n);
    }
    groups
}

/// An account's cluster: its id, or the stack whose account is not known.
pub(crate) fn cluster_label(account: &str) -> String {
    match crate::model::symbolic::stack_of(account) {
        Some(stack) => format!("stack {stack} (account not known)"),
        None => format!("account {account}"),
    }
}

fn dot_quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n"))
}

fn dot(g: &TrustGraph, inv: &Inventory, env: &Env, view: &View, out: &mut dyn Write) -> std::io::Result<()> {
    let (nodes, edges) = drawn(g, inv, env, view);
    writeln!(out, "digraph trustlint {{")?;
    writeln!(out, "  rankdir=LR;")?;
    writeln!(out, "  graph [fontname=\"Helvetica\"];")?;
    writeln!(out, "  node [shape=box, style=rounded, fontname=\"Helvetica\"];")?;
    writeln!(out, "  edge [fontname=\"Helvetica\", fontsize=10];")?;
    for (account, members) in by_account(g, &nodes) {
        let indent = if account.is_some() { "    " } else { "  " };
        if let Some(account) = &account {
            writeln!(out, "  subgraph {} {{", dot_quote(&format!("cluster_{account}")))?;
            writeln!(out, "    label={};", dot_quote(&cluster_label(account)))?;
        }
        for n in members {
            let attrs = match g.node(n).kind {
                NodeKind::Anyone => ", shape=octagon, color=red, fontcolor=red",
                NodeKind::ExternalAccount | NodeKind::ExternalPrincipal => ", style=dashed",
                NodeKind::Federated => ", shape=hexagon",
                NodeKind::Service => ", shape=ellipse",
                NodeKind::Group => ", shape=folder",
                NodeKind::User => ", shape=box, style=solid",
                NodeKind::Role => "",
            };
            writeln!(out, "{indent}n{n} [label={}{attrs}];", dot_quote(&short(g, n)))?;
        }
        if account.is_some() {
            writeln!(out, "  }}")?;
        }
    }
    for d in edges {
        let mut attrs = Vec::new();
        let label = edge_label(d.edge);
        if !label.is_empty() {
            attrs.push(format!("label={}", dot_quote(&label)));
        }
        if d.finding {
            attrs.push("color=red, penwidth=2".to_owned());
        }
        let attrs = if attrs.is_empty() { String::new() } else { format!(" [{}]", attrs.join(", ")) };
        writeln!(out, "  n{} -> n{}{attrs};", d.from, d.to)?;
    }
    writeln!(out, "  subgraph \"cluster_legend\" {{")?;
    writeln!(out, "    label=\"legend\";")?;
    writeln!(out, "    node [shape=point, label=\"\"];")?;
    writeln!(out, "    legend_a -> legend_b [label={}];", dot_quote(LEGEND_EDGE))?;
    writeln!(out, "    legend_c -> legend_d [label={}, color=red, penwidth=2];", dot_quote(LEGEND_FINDING))?;
    writeln!(out, "  }}")?;
    writeln!(out, "}}")
}

/// The legend: what an edge means, and what a red one means.
pub(crate) const LEGEND_EDGE: &str = "can obtain the role's credentials (label: what the caller needs)";
pub(crate) const LEGEND_FINDING: &str =
    "part of a finding: open trust, or a chain to an administrator-like role";

fn mermaid_quote(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "#quot;").replace('\n', "<br/>"))
}

fn mermaid(
    g: &TrustGraph,
    inv: &Inventory,
    env: &Env,
    view: &View,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let (nodes, edges) = drawn(g, inv, env, view);
    writeln!(out, "flowchart LR")?;
    for (account, members) in by_account(g, &nodes) {
        if let Some(account) = &account {
            let id: String = account.chars().filter(char::is_ascii_alphanumeric).collect();
            writeln!(out, "  subgraph a{id}[{}]", mermaid_quote(&cluster_label(account)))?;
        }
        for n in members {
            let label = mermaid_quote(&short(g, n));
            let shape = match g.node(n).kind {
                NodeKind::Anyone | NodeKind::Federated => format!("{{{{{label}}}}}"),
                NodeKind::Service => format!("([{label}])"),
                NodeKind::Group => format!("[[{label}]]"),
                _ => format!("[{label}]"),
            };
            writeln!(out, "    n{n}{shape}")?;
        }
        if account.is_some() {
            writeln!(out, "  end")?;
        }
    }
    let mut risky_links = Vec::new();
    for (i, d) in edges.iter().enumerate() {
        let label = edge_label(d.edge);
        let arrow =
            if label.is_empty() { "-->".to_owned() } else { format!("-->|{}|", mermaid_quote(&label)) };
        writeln!(out, "  n{} {arrow} n{}", d.from, d.to)?;
        if d.finding {
            risky_links.push(i.to_string());
        }
    }
    writeln!(out, "  subgraph legend[\"legend\"]")?;
    writeln!(out, "    legend_a[\" \"] -->|{}| legend_b[\" \"]", mermaid_quote(LEGEND_EDGE))?;
    writeln!(out, "    legend_c[\" \"] -->|{}| legend_d[\" \"]", mermaid_quote(LEGEND_FINDING))?;
    writeln!(out, "  end")?;
    risky_links.push((edges.len() + 1).to_string());
    if !risky_links.is_empty() {
        writeln!(out, "  linkStyle {} stroke:red,stroke-width:2px", risky_links.join(","))?;
    }
    Ok(())
}

/// A place as the graph's JSON writes it (keys in sorted order, as a
/// `serde_json::Value` prints them).
#[derive(serde::Serialize)]
struct Place<'a> {
    column: usize,
    file: &'a str,
    line: usize,
    pointer: &'a str,
}

fn place_of<'a>(a: &'a Analysis, o: Option<&'a Origin>) -> Option<Place<'a>> {
    o.map(|o| {
        let file = &a.files[o.file];
        let at = file.line_col(o.span.start);
        Place { column: at.column, file: &file.name, line: at.line, pointer: &o.pointer }
    })
}

fn origin_json(a: &Analysis, o: Option<&Origin>) -> serde_json::Value {
    json!(place_of(a, o))
}

/// One hop of a chain as JSON: its ends, what it requires, and where its
/// trust and permission statements are (the shape `paths` and `diff` share).
pub fn hop_json(g: &TrustGraph, a: &Analysis, h: &Hop) -> serde_json::Value {
    json!({
        "from": g.label(h.from), "to": g.label(h.to),
        "requires": h.requires.names(),
        "trust": origin_json(a, h.trust.as_ref()),
        "identity": origin_json(a, h.identity.as_ref()),
    })
}

/// The graph as JSON, written node by node and edge by edge: the document
/// of a large graph is never held whole. Keys come in the order a
/// `serde_json::Value` (sorted maps) prints them.
fn write_json(g: &TrustGraph, a: &Analysis, view: &View, out: &mut dyn Write) -> std::io::Result<()> {
    // Keys in sorted order, as a `serde_json::Value` prints them.
    #[derive(serde::Serialize)]
    struct NodeJson<'a> {
        account: &'a Option<String>,
        id: NodeId,
        kind: &'static str,
        #[serde(skip_serializing_if = "Option::is_none")]
        members: Option<&'a [NodeId]>,
        name: &'a str,
    }
    #[derive(serde::Serialize)]
    struct EdgeJson<'a> {
        from: NodeId,
        identity: Option<Place<'a>>,
        requires: Vec<&'static str>,
        risky: bool,
        to: NodeId,
        trust: Option<Place<'a>>,
    }
    let nodes = g.nodes.iter().enumerate().filter(|(i, _)| view.keeps(*i)).map(|(i, n)| NodeJson {
        account: &n.account,
        id: i,
        kind: n.kind.as_str(),
        members: (n.kind == NodeKind::Group).then_some(n.members.as_slice()),
        name: &n.id,
    });
    let edges = g.edges.iter().enumerate().filter(|(_, e)| view.keeps(e.from()) && view.keeps(e.to())).map(
        |(ei, e)| EdgeJson {
            from: e.from(),
            identity: place_of(a, g.identity(e)),
            requires: e.requires.names(),
            risky: view.in_finding(g, ei, e.from(), e.to()),
            to: e.to(),
            trust: place_of(a, g.trust(e)),
        },
    );
    // Through a buffer of its own: the pretty printer writes many small
    // pieces, each a call through `out`'s vtable otherwise.
    let mut w = std::io::BufWriter::with_capacity(1 << 16, out);
    let mut ser = serde_json::Serializer::pretty(&mut w);
    let mut map = ser.serialize_map(None)?;
    map.serialize_entry("edges", &Lazy::new(edges))?;
    map.serialize_entry("nodes", &Lazy::new(nodes))?;
    map.serialize_entry("version", &1)?;
    SerializeMap::end(map)?;
    writeln!(w)?;
    w.flush()
}

/// A JSON array serialized from an iterator as it yields, once.
struct Lazy<I>(std::cell::RefCell<Option<I>>);

impl<I> Lazy<I> {
    fn new(items: I) -> Self {
        Self(std::cell::RefCell::new(Some(items)))
    }
}

impl<I: Iterator<Item: Serialize>> Serialize for Lazy<I> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.borrow_mut().take().into_iter().flatten())
    }
}

fn place(a: &Analysis, o: &Origin) -> String {
    let file = &a.files[o.file];
    let at = file.line_col(o.span.start);
    format!("{}:{}:{} {}", file.name, at.line, at.column, o.pointer)
}

/// Writes chains into (`backward`) or out of `node`; for chains into a
/// role, `accounts` are its trust's entries that admit a whole account of
/// the data.
#[allow(clippy::too_many_arguments)]
pub fn paths(
    g: &TrustGraph,
    a: &Analysis,
    node: NodeId,
    backward: bool,
    chains: &[Chain],
    accounts: &[AccountTrust],
    format: DocFormat,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    if format == DocFormat::Json {
        let list = chains.iter().map(|c| {
            let hops: Vec<_> = c.hops.iter().map(|h| hop_json(g, a, h)).collect();
            let end = if backward { c.source() } else { c.target() };
            json!({"principal": g.label(end), "kind": g.node(end).kind.as_str(), "outside": g.node(end).outside, "hops": hops})
        });
        // Written chain by chain, keys in the order a `serde_json::Value`
        // prints them.
        let mut ser = serde_json::Serializer::pretty(&mut *out);
        let mut map = ser.serialize_map(None)?;
        if !accounts.is_empty() {
            let trust: Vec<_> = accounts
                .iter()
                .map(|t| {
                    json!({
                        "account": t.account,
                        "requires": t.requires.names(),
                        "trust": origin_json(a, Some(&t.trust)),
                    })
                })
                .collect();
            map.serialize_entry("account_trust", &trust)?;
        }
        map.serialize_entry("chains", &Lazy::new(list))?;
        map.serialize_entry(if backward { "to" } else { "from" }, &g.label(node))?;
        map.serialize_entry("version", &1)?;
        SerializeMap::end(map)?;
        return writeln!(out);
    }
    let what = if backward { "can reach" } else { "is reachable from" };
    if chains.is_empty() && accounts.is_empty() {
        return writeln!(out, "Nothing {what} `{}`.", g.label(node));
    }
    if chains.is_empty() {
        writeln!(out, "No user or role in the data can reach `{}` today.\n", g.label(node))?;
    } else if backward {
        writeln!(out, "Who can reach `{}`: {} principal(s)\n", g.label(node), chains.len())?;
    } else {
        let roles = chains.iter().filter(|c| g.node(c.target()).kind == NodeKind::Role).count();
        writeln!(out, "What `{}` can reach: {roles} role(s)\n", g.label(node))?;
    }
    for c in chains {
        let end = if backward { c.source() } else { c.target() };
        let outside = if g.node(end).outside { "  [outside your accounts]" } else { "" };
        writeln!(out, "{}{outside}", g.label(end))?;
        for (i, h) in c.hops.iter().enumerate() {
            let needs =
                if h.requires.is_empty() { String::new() } else { format!("  (needs {})", h.requires) };
            let chained = if i > 0 { "  (chained: session capped at 1 h)" } else { "" };
            writeln!(out, "  → {}{needs}{chained}", g.label(h.to))?;
            if let Some(t) = &h.trust {
                writeln!(out, "      trust:    {}", place(a, t))?;
            }
            if let Some(id) = &h.identity {
                writeln!(out, "      identity: {}", place(a, id))?;
            }
        }
        writeln!(out)?;
    }
    for t in accounts {
        let needs = if t.requires.is_empty() { String::new() } else { format!("  (needs {})", t.requires) };
        writeln!(
            out,
            "principals of account {} that its identity policies allow  [account-wide trust]",
            t.account
        )?;
        writeln!(out, "  → {}{needs}", g.label(node))?;
        writeln!(out, "      trust:    {}", place(a, &t.trust))?;
        writeln!(out)?;
    }
    Ok(())
}
