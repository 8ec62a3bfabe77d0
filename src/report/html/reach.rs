//! Who can reach each role and what each principal can reach: the chains
//! of `trustlint paths`, computed here for the report's chain view and
//! embedded as JSON. Hops that several chains share are written once.
//!
//! Each search costs about the size of the graph, so the report searches
//! from at most [`MAX_PRINCIPALS`] principals (the subjects of findings
//! first, then roles, then the rest, each by name) and keeps the
//! [`MAX_CHAINS`] nearest chains of each search with the count of all.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rayon::prelude::*;
use serde::Serialize;

use crate::analysis::Analysis;
use crate::eval::Env;
use crate::graph::{AccountTrust, Chain, NodeId, NodeKind, Origin, TrustGraph};

pub const MAX_PRINCIPALS: usize = 2000;
pub const MAX_CHAINS: usize = 25;

#[derive(Serialize)]
pub struct Data {
    /// Every node that a chain or the search list names.
    pub nodes: BTreeMap<NodeId, NodeData>,
    pub hops: Vec<HopData>,
    pub reach: BTreeMap<NodeId, Reach>,
    /// Principals left out of the searches.
    pub limited: usize,
    pub max_chains: usize,
}

#[derive(Serialize)]
pub struct NodeData {
    /// The label `trustlint paths` prints.
    pub l: String,
    /// The kind.
    pub k: &'static str,
    /// The account, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub a: Option<String>,
    /// Outside your accounts.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub o: bool,
}

#[derive(Serialize, PartialEq, Eq, Hash, Clone)]
pub struct HopData {
    pub f: NodeId,
    pub t: NodeId,
    /// What the caller needs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub r: Vec<&'static str>,
    /// The trust statement: `file:line:column pointer`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trust: Option<String>,
    /// The identity statement.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
}

#[derive(Serialize, Default)]
pub struct Reach {
    /// Chains into the node: hop indices, from the caller on.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub to: Vec<Vec<usize>>,
    #[serde(skip_serializing_if = "is_zero")]
    pub to_total: usize,
    /// Chains out of the node.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub from: Vec<Vec<usize>>,
    #[serde(skip_serializing_if = "is_zero")]
    pub from_total: usize,
    /// Trust entries that admit a whole account of the data.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub accounts: Vec<AccountData>,
}

#[derive(Serialize)]
pub struct AccountData {
    pub account: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub r: Vec<&'static str>,
    pub trust: String,
}

/// What the searches from one principal found: chains in, chains out, and
/// trust entries admitting a whole account.
type Found = ((Vec<Chain>, usize), (Vec<Chain>, usize), Vec<AccountTrust>);

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's signature
fn is_zero(n: &usize) -> bool {
    *n == 0
}

fn place(a: &Analysis, o: &Origin) -> String {
    let file = &a.files[o.file];
    let at = file.line_col(o.span.start);
    format!("{}:{}:{} {}", file.name, at.line, at.column, o.pointer)
}

/// The principals to search from, in order: subjects of findings, roles,
/// the rest; each by label.
fn principals(g: &TrustGraph, subjects: &BTreeSet<&str>) -> Vec<NodeId> {
    let mut list: Vec<(u8, String, NodeId)> = g
        .nodes
        .iter()
        .enumerate()
        .filter(|(_, n)| n.kind != NodeKind::Group)
        .map(|(i, n)| {
            let rank = if subjects.contains(n.id.as_str()) {
                0
            } else if n.kind == NodeKind::Role {
                1
            } else {
                2
            };
            (rank, g.label(i), i)
        })
        .collect();
    list.sort();
    list.into_iter().map(|(_, _, n)| n).collect()
}

pub fn compute(g: &TrustGraph, a: &Analysis, env: &Env, subjects: &BTreeSet<&str>) -> Data {
    let inv = &a.inventory;
    let all = principals(g, subjects);
    let limited = all.len().saturating_sub(MAX_PRINCIPALS);
    let chosen = &all[..all.len().min(MAX_PRINCIPALS)];
    let found: Vec<Found> = chosen
        .par_iter()
        .map(|&n| {
            let role = g.node(n).kind == NodeKind::Role;
            let to = if role { g.chains_to_first(inv, env, n, MAX_CHAINS) } else { (Vec::new(), 0) };
            let accounts = if role { g.account_trust(inv, env, n) } else { Vec::new() };
            (to, g.chains_from_first(inv, env, n, MAX_CHAINS), accounts)
        })
        .collect();

    let mut data = Data {
        nodes: BTreeMap::new(),
        hops: Vec::new(),
        reach: BTreeMap::new(),
        limited,
        max_chains: MAX_CHAINS,
    };
    let mut hop_index: HashMap<HopData, usize> = HashMap::new();
    let mut named: BTreeSet<NodeId> = chosen.iter().copied().collect();
    for (&n, ((to, to_total), (from, from_total), accounts)) in chosen.iter().zip(found) {
        let mut chain_ids = |chains: Vec<Chain>, named: &mut BTreeSet<NodeId>| -> Vec<Vec<usize>> {
            chains
                .into_iter()
                .map(|c| {
                    c.hops
                        .into_iter()
                        .map(|h| {
                            named.insert(h.from);
                            named.insert(h.to);
                            let hop = HopData {
                                f: h.from,
                                t: h.to,
                                r: h.requires.names(),
                                trust: h.trust.as_ref().map(|o| place(a, o)),
                                identity: h.identity.as_ref().map(|o| place(a, o)),
                            };
                            let next = data.hops.len();
                            *hop_index.entry(hop.clone()).or_insert_with(|| {
                                data.hops.push(hop);
                                next
                            })
                        })
                        .collect()
                })
                .collect()
        };
        let reach = Reach {
            to: chain_ids(to, &mut named),
            to_total,
            from: chain_ids(from, &mut named),
            from_total,
            accounts: accounts
                .iter()
                .map(|t| AccountData {
                    account: t.account.clone(),
                    r: t.requires.names(),
                    trust: place(a, &t.trust),
                })
                .collect(),
        };
        data.reach.insert(n, reach);
    }
    for n in named {
        let node = g.node(n);
        data.nodes.insert(
            n,
            NodeData { l: g.label(n), k: node.kind.as_str(), a: node.account.clone(), o: node.outside },
        );
    }
    data
}
