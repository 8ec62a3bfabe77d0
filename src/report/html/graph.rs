//! The assume-role graph as an SVG element: the nodes `trustlint graph`
//! draws, laid out in layers with one band per account; past
//! [`MAX_NODES`] nodes, one box per account (and per kind of outside
//! principal), with the number of edges between them.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::esc;
use super::layout::{self, Input, Layout};
use crate::analysis::Inventory;
use crate::eval::Env;
use crate::graph::render::{LEGEND_EDGE, LEGEND_FINDING, cluster_label, drawn, edge_label, short};
use crate::graph::view::View;
use crate::graph::{NodeId, NodeKind, TrustGraph};

/// Past this many nodes the graph is drawn one box per account.
pub const MAX_NODES: usize = 2000;
/// A node's box.
const NODE_W: f64 = 220.0;
const NODE_H: f64 = 28.0;
/// Characters of a label that fit in a box.
const LABEL_CHARS: usize = 30;

/// Which band a node is drawn in: principals outside any account of the
/// data first, then each account, then what has no known account.
fn band_key(g: &TrustGraph, n: NodeId) -> (u8, String) {
    let node = g.node(n);
    match node.kind {
        NodeKind::Anyone | NodeKind::Federated | NodeKind::Service | NodeKind::ExternalAccount => {
            (0, String::new())
        }
        _ => match &node.account {
            Some(a) => (1, a.clone()),
            None => (2, String::new()),
        },
    }
}

fn band_title(key: &(u8, String)) -> String {
    match key.0 {
        0 => "anyone, other accounts, federated identities and services".to_owned(),
        1 => cluster_label(&key.1),
        _ => "account not known".to_owned(),
    }
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}

/// One box to draw.
struct Box {
    /// `data-n`: the graph node, when the box is one.
    node: Option<NodeId>,
    class: String,
    label: String,
    title: String,
    band: usize,
}

/// One arrow to draw.
struct Arrow {
    from: usize,
    to: usize,
    finding: bool,
    title: String,
}

/// The graph section: the SVG and its legend.
pub fn draw(g: &TrustGraph, inv: &Inventory, env: &Env, view: &View, subjects: &BTreeSet<&str>) -> String {
    let (nodes, edges) = drawn(g, inv, env, view);
    let mut out = String::from("<section id=\"graph-section\"><h2>Assume-role graph</h2>\n");
    if nodes.is_empty() {
        out.push_str("<p>The inputs hold no principal that can assume a role.</p>\n</section>\n");
        return out;
    }
    let keys: BTreeSet<(u8, String)> = nodes.iter().map(|&n| band_key(g, n)).collect();
    let band_of: BTreeMap<&(u8, String), usize> = keys.iter().enumerate().map(|(i, k)| (k, i)).collect();
    let (boxes, arrows, band_titles, collapsed) = if nodes.len() <= MAX_NODES {
        let index: BTreeMap<NodeId, usize> = nodes.iter().enumerate().map(|(i, &n)| (n, i)).collect();
        let boxes: Vec<Box> = nodes
            .iter()
            .map(|&n| {
                let node = g.node(n);
                let mut class = format!("node kind-{}", node.kind.as_str());
                if node.outside {
                    class.push_str(" outside");
                }
                if subjects.contains(node.id.as_str()) {
                    class.push_str(" subject");
                }
                Box {
                    node: Some(n),
                    class,
                    label: truncate(&short(g, n).replace('\n', " "), LABEL_CHARS),
                    title: g.label(n),
                    band: band_of[&band_key(g, n)],
                }
            })
            .collect();
        let arrows: Vec<Arrow> = edges
            .iter()
            .map(|d| {
                let needs = edge_label(d.edge);
                let mut title = format!("{} → {}", g.label(d.from), g.label(d.to));
                if !needs.is_empty() {
                    let _ = write!(title, " (needs {needs})");
                }
                Arrow { from: index[&d.from], to: index[&d.to], finding: d.finding, title }
            })
            .collect();
        (boxes, arrows, keys.iter().map(band_title).collect::<Vec<_>>(), false)
    } else {
        // One box per band, and per kind in the band of outside principals.
        let group = |n: NodeId| {
            let k = band_key(g, n);
            let kind = if k.0 == 0 { g.node(n).kind.as_str() } else { "" };
            (k, kind)
        };
        let mut members: BTreeMap<((u8, String), &str), Vec<NodeId>> = BTreeMap::new();
        for &n in &nodes {
            members.entry(group(n)).or_default().push(n);
        }
        let index: BTreeMap<&((u8, String), &str), usize> =
            members.keys().enumerate().map(|(i, k)| (k, i)).collect();
        let boxes: Vec<Box> = members
            .iter()
            .map(|((k, kind), ms)| {
                let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
                for &m in ms {
                    *counts.entry(g.node(m).kind.as_str()).or_default() += 1;
                }
                let what = counts.iter().map(|(k, n)| format!("{n} {k}")).collect::<Vec<_>>().join(", ");
                let name = if kind.is_empty() { band_title(k) } else { (*kind).to_owned() };
                Box {
                    node: None,
                    class: format!("node group-box{}", if k.0 == 0 { " outside" } else { "" }),
                    label: truncate(&format!("{name}: {what}"), LABEL_CHARS),
                    title: format!("{name}: {what}"),
                    band: 0,
                }
            })
            .collect();
        let mut pairs: BTreeMap<(usize, usize), (usize, bool)> = BTreeMap::new();
        for d in &edges {
            let key = (index[&group(d.from)], index[&group(d.to)]);
            let e = pairs.entry(key).or_default();
            e.0 += 1;
            e.1 |= d.finding;
        }
        let arrows: Vec<Arrow> = pairs
            .into_iter()
            .map(|((from, to), (n, finding))| Arrow {
                from,
                to,
                finding,
                title: format!("{n} edge{}", if n == 1 { "" } else { "s" }),
            })
            .collect();
        (boxes, arrows, vec![String::new()], true)
    };
    if collapsed {
        let _ = writeln!(
            out,
            "<p class=\"note\">{} principals: too many to draw one by one. Each box is an account, or a kind of principal outside them; find a principal below to see its chains.</p>",
            nodes.len()
        );
    }
    let band: Vec<usize> = boxes.iter().map(|b| b.band).collect();
    let pairs: Vec<(usize, usize)> = arrows.iter().map(|a| (a.from, a.to)).collect();
    let l = layout::layout(&Input { band: &band, edges: &pairs });
    out.push_str("<div class=\"toolbar\"><button type=\"button\" id=\"zoom-in\">+</button><button type=\"button\" id=\"zoom-out\">−</button><button type=\"button\" id=\"zoom-fit\">fit</button><span class=\"hint\">scroll to zoom, drag to pan, click a node for its chains</span></div>\n");
    svg(&mut out, &l, &boxes, &arrows, &band_titles, collapsed);
    legend(&mut out);
    out.push_str("</section>\n");
    out
}

#[allow(clippy::many_single_char_names)] // coordinates
fn svg(out: &mut String, l: &Layout, boxes: &[Box], arrows: &[Arrow], titles: &[String], collapsed: bool) {
    let (w, h) = (l.width + NODE_W, l.height);
    let _ = writeln!(
        out,
        "<div id=\"graph-box\"><svg id=\"graph\" viewBox=\"0 0 {w:.0} {h:.0}\" data-width=\"{w:.0}\" data-height=\"{h:.0}\" role=\"img\" aria-label=\"assume-role graph\">"
    );
    out.push_str("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerUnits=\"userSpaceOnUse\" markerWidth=\"9\" markerHeight=\"9\" orient=\"auto-start-reverse\"><path d=\"M0,0L10,5L0,10z\" class=\"arrowhead\"/></marker><marker id=\"arrow-red\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerUnits=\"userSpaceOnUse\" markerWidth=\"9\" markerHeight=\"9\" orient=\"auto-start-reverse\"><path d=\"M0,0L10,5L0,10z\" class=\"arrowhead red\"/></marker></defs>\n<g id=\"viewport\">\n");
    if !collapsed {
        for (b, &(top, height)) in l.bands.iter().enumerate() {
            if height == 0.0 {
                continue;
            }
            let _ = writeln!(
                out,
                "<g class=\"band\"><rect x=\"{:.0}\" y=\"{top:.1}\" width=\"{:.0}\" height=\"{height:.1}\" rx=\"8\"/><text x=\"{:.0}\" y=\"{:.1}\">{}</text></g>",
                layout::MARGIN,
                w - 2.0 * layout::MARGIN,
                layout::MARGIN + 10.0,
                top + 19.0,
                esc(&titles[b])
            );
        }
    }
    for a in arrows {
        let (x1, y1) = (l.pos[a.from].0 + NODE_W, l.pos[a.from].1 + NODE_H / 2.0);
        let (x2, y2) = (l.pos[a.to].0, l.pos[a.to].1 + NODE_H / 2.0);
        let d = if a.from == a.to {
            format!(
                "M{x1:.1},{:.1}C{:.1},{:.1} {:.1},{:.1} {x1:.1},{:.1}",
                y1 - 6.0,
                x1 + 40.0,
                y1 - 30.0,
                x1 + 40.0,
                y1 + 30.0,
                y1 + 6.0
            )
        } else if x2 > x1 {
            let dx = (x2 - x1) / 2.0;
            format!("M{x1:.1},{y1:.1}C{:.1},{y1:.1} {:.1},{y2:.1} {x2:.1},{y2:.1}", x1 + dx, x2 - dx)
        } else {
            // Backwards (a cycle): around, below the boxes.
            let (sx, ex) = (x1, x2);
            let low = y1.max(y2) + NODE_H + 20.0;
            format!("M{sx:.1},{y1:.1}C{:.1},{low:.1} {:.1},{low:.1} {ex:.1},{y2:.1}", sx + 80.0, ex - 80.0)
        };
        let (class, marker) = if a.finding { ("edge finding", "arrow-red") } else { ("edge", "arrow") };
        let _ = writeln!(
            out,
            "<path class=\"{class}\" d=\"{d}\" marker-end=\"url(#{marker})\" data-from=\"{}\" data-to=\"{}\"><title>{}</title></path>",
            a.from,
            a.to,
            esc(&a.title)
        );
    }
    for (i, b) in boxes.iter().enumerate() {
        let (x, y) = l.pos[i];
        let n = b.node.map(|n| format!(" data-n=\"{n}\"")).unwrap_or_default();
        let _ = writeln!(
            out,
            "<g class=\"{}\" data-i=\"{i}\"{n} transform=\"translate({x:.1},{y:.1})\"><title>{}</title><rect width=\"{NODE_W:.0}\" height=\"{NODE_H:.0}\" rx=\"6\"/><text x=\"8\" y=\"18\">{}</text></g>",
            b.class,
            esc(&b.title),
            esc(&b.label)
        );
    }
    out.push_str("</g></svg></div>\n");
}

fn legend(out: &mut String) {
    out.push_str("<div class=\"legend\"><h3>Legend</h3><ul>\n");
    for (kind, what) in [
        ("role", "role"),
        ("user", "user"),
        ("group", "principals of an account sharing one sts:AssumeRole permission"),
        ("anyone", "anyone: any AWS principal"),
        ("account", "an account outside the data"),
        ("external-principal", "a user or role outside the data"),
        ("federated", "a federated identity provider"),
        ("service", "an AWS service"),
    ] {
        let _ = writeln!(
            out,
            "<li><svg width=\"28\" height=\"16\"><rect class=\"swatch kind-{kind}\" x=\"1\" y=\"1\" width=\"26\" height=\"14\" rx=\"4\"/></svg> {what}</li>"
        );
    }
    out.push_str("<li><svg width=\"28\" height=\"16\"><rect class=\"swatch outside-swatch\" x=\"1\" y=\"1\" width=\"26\" height=\"14\" rx=\"4\"/></svg> dashed border: outside your accounts</li>\n");
    out.push_str("<li><svg width=\"28\" height=\"16\"><rect class=\"swatch subject-swatch\" x=\"1\" y=\"1\" width=\"26\" height=\"14\" rx=\"4\"/></svg> thick border: the subject of a finding</li>\n");
    let _ = writeln!(
        out,
        "<li><svg width=\"28\" height=\"16\"><line class=\"edge\" x1=\"1\" y1=\"8\" x2=\"27\" y2=\"8\"/></svg> {}</li>",
        esc(LEGEND_EDGE)
    );
    let _ = writeln!(
        out,
        "<li><svg width=\"28\" height=\"16\"><line class=\"edge finding\" x1=\"1\" y1=\"8\" x2=\"27\" y2=\"8\"/></svg> {}</li>",
        esc(LEGEND_FINDING)
    );
    out.push_str("<li>bands: the accounts; hover a node or an edge for its full name and what it needs</li>\n</ul></div>\n");
}
