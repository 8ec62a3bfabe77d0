//! What `trustlint graph` draws: the whole graph or a cut of it (`--to`,
//! `--from`, `--depth`, `--account`), and which edges are part of a finding.

use std::collections::HashSet;

use super::{Edge, NodeId, NodeKind, Requirement, TrustGraph, identity};
use crate::analysis::Inventory;
use crate::eval::Env;
use crate::eval::providers::admits_other_tenants;
use crate::model::Principal;

/// A cut of the graph.
#[derive(Debug, Clone, Default)]
pub struct Cut {
    /// Only what can reach this node.
    pub to: Option<NodeId>,
    /// Only what this node can reach.
    pub from: Option<NodeId>,
    /// With `to` or `from`: at most this many hops away.
    pub depth: Option<usize>,
    /// Only the principals of this account and the edges into and out of them.
    pub account: Option<String>,
}

/// The nodes to draw and the edges that are part of a finding.
#[derive(Debug)]
pub struct View {
    /// `None`: every node.
    keep: Option<Vec<bool>>,
    /// By edge index: an open trust in itself (anyone, an outside account
    /// without an external id, a federated provider's other tenants).
    open: Vec<bool>,
    /// Hops (from, to) of the chains `privileged-role-reachable` reports.
    on_chain: HashSet<(NodeId, NodeId)>,
    /// By node: whether a hop of those chains starts, or ends, there. Most
    /// edges of a large graph are on no chain: these answer for them
    /// without a look at every member of a group.
    chain_from: Vec<bool>,
    chain_to: Vec<bool>,
}

impl View {
    pub fn new(g: &TrustGraph, inv: &Inventory, env: &Env, cut: &Cut) -> Self {
        let open = g.edges.iter().map(|e| open_edge(g, inv, e)).collect();
        let on_chain = privileged_chains(g, inv, env);
        let (mut chain_from, mut chain_to) = (vec![false; g.nodes.len()], vec![false; g.nodes.len()]);
        for &(from, to) in &on_chain {
            chain_from[from] = true;
            chain_to[to] = true;
        }
        Self { keep: keep(g, inv, env, cut), open, on_chain, chain_from, chain_to }
    }

    /// Whether node `n` is drawn (group nodes are decided by their members).
    pub fn keeps(&self, n: NodeId) -> bool {
        self.keep.as_ref().is_none_or(|k| k[n])
    }

    /// Whether the edge `e` (index `ei`), drawn from `from` to `to`, is part
    /// of a finding.
    pub fn in_finding(&self, g: &TrustGraph, ei: usize, from: NodeId, to: NodeId) -> bool {
        if self.open[ei] {
            return true;
        }
        let node = g.node(from);
        if node.kind == NodeKind::Group {
            return self.chain_to[to]
                && (self.on_chain.contains(&(from, to))
                    || node.members.iter().any(|&m| self.on_chain.contains(&(m, to))));
        }
        if !self.chain_from[from] {
            return false;
        }
        if self.on_chain.contains(&(from, to)) {
            return true;
        }
        // A principal's edge into its group: part of the chain when the
        // principal goes on through the group.
        g.node(to).kind == NodeKind::Group && g.out_edges(to).any(|e| self.on_chain.contains(&(from, e.to())))
    }
}

/// Whether an edge admits a caller that a rule reports on its own.
fn open_edge(g: &TrustGraph, inv: &Inventory, e: &Edge) -> bool {
    let from = g.node(e.from());
    match from.kind {
        NodeKind::Anyone => true,
        NodeKind::ExternalAccount | NodeKind::ExternalPrincipal => {
            from.outside && !e.requires.contains(Requirement::ExternalId)
        }
        NodeKind::Federated => e.statement().is_some_and(|(u, si)| {
            let policy = &inv.units[u].policy;
            policy.statements[si].principal.iter().flat_map(|p| &p.entries).any(|entry| {
                match &entry.principal {
                    Principal::Federated(f) => admits_other_tenants(policy, si, f),
                    _ => false,
                }
            })
        }),
        _ => false,
    }
}

/// The hops of the shortest chains from outside into administrator-like
/// roles: what `privileged-role-reachable` reports.
fn privileged_chains(g: &TrustGraph, inv: &Inventory, env: &Env) -> HashSet<(NodeId, NodeId)> {
    let privileged: Vec<bool> = (0..g.nodes.len())
        .map(|n| {
            let node = g.node(n);
            node.kind == NodeKind::Role
                && node.entity.is_some_and(|e| identity::privilege(inv, &inv.entities[e]).is_some())
        })
        .collect();
    if !privileged.contains(&true) {
        return HashSet::new();
    }
    let outside: Vec<NodeId> = (0..g.nodes.len()).filter(|&n| g.node(n).outside).collect();
    g.chains_from_any(inv, env, &outside, |n| privileged[n])
        .iter()
        .flat_map(|c| c.hops.iter().map(|h| (h.from, h.to)))
        .collect()
}

/// The nodes a cut keeps, or `None` for all of them.
fn keep(g: &TrustGraph, inv: &Inventory, env: &Env, cut: &Cut) -> Option<Vec<bool>> {
    let mut keep: Option<Vec<bool>> = None;
    let mut and = |set: Vec<bool>| {
        keep = Some(match keep.take() {
            Some(k) => k.iter().zip(&set).map(|(a, b)| *a && *b).collect(),
            None => set,
        });
    };
    let within = |hops: usize| cut.depth.is_none_or(|d| hops <= d);
    if let Some(target) = cut.to {
        let mut set = vec![false; g.nodes.len()];
        set[target] = true;
        for c in g.chains_to(inv, env, target).iter().filter(|c| within(c.hops.len())) {
            for h in &c.hops {
                set[h.from] = true;
                set[h.to] = true;
            }
        }
        and(set);
    }
    if let Some(source) = cut.from {
        let mut set = vec![false; g.nodes.len()];
        set[source] = true;
        for c in g.chains_from(inv, env, source).iter().filter(|c| within(c.hops.len())) {
            for h in &c.hops {
                set[h.from] = true;
                set[h.to] = true;
            }
        }
        and(set);
    }
    if let Some(account) = &cut.account {
        let base: Vec<bool> =
            g.nodes.iter().map(|n| n.account.as_deref() == Some(account.as_str())).collect();
        // The callers and the roles of the account's principals, one hop away.
        let mut set = base.clone();
        for e in g.edges.iter().filter(|e| base[e.from()] || base[e.to()]) {
            set[e.from()] = true;
            set[e.to()] = true;
        }
        and(set);
    }
    let mut keep = keep?;
    // A group is drawn when one of its members is, and a role it reaches.
    for (n, node) in g.nodes.iter().enumerate() {
        if node.kind == NodeKind::Group {
            keep[n] = node.members.iter().any(|&m| keep[m]) && g.out_edges(n).any(|e| keep[e.to()]);
        }
    }
    Some(keep)
}
