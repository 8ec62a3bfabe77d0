//! What a change does, from two analyses of the same paths (before and
//! after): the findings it adds and fixes, matched by their identity
//! ([`FindingKey`]) so that moved lines and reformatting are no change, and
//! the assume paths it opens and closes in the graph.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rayon::prelude::*;

use crate::analysis::Analysis;
use crate::eval::Env;
use crate::fingerprint::FindingKey;
use crate::graph::{Chain, NodeId, NodeKind, TrustGraph, identity};
use crate::settings::Settings;

/// One side of a change: its analysis and assume-role graph.
#[derive(Debug)]
pub struct Side {
    pub analysis: Analysis,
    pub graph: TrustGraph,
    pub env: Env,
    /// Why each node is administrator-like (roles only), by node.
    pub privilege: Vec<Option<String>>,
}

impl Side {
    /// Builds the graph of `analysis`.
    pub fn new(analysis: Analysis, settings: &Settings) -> Self {
        let graph = TrustGraph::build(&analysis.inventory, &analysis.files, settings);
        let env = Env::new(&analysis.inventory.accounts, settings.org_id.as_deref(), None);
        let inv = &analysis.inventory;
        let privilege = (0..graph.nodes.len())
            .map(|n| {
                let node = graph.node(n);
                let entity = node.entity.filter(|_| node.kind == NodeKind::Role)?;
                identity::privilege(inv, &inv.entities[entity])
            })
            .collect();
        Self { analysis, graph, env, privilege }
    }
}

/// An assume path opened or closed: the shortest chain of its side.
#[derive(Debug, Clone)]
pub struct PathChange {
    pub chain: Chain,
    /// Why the role reached is administrator-like.
    pub privileged: Option<String>,
    /// Whether the chain starts outside your accounts.
    pub outside: bool,
}

/// The assume paths a change opens (in the new graph) and closes (in the old).
#[derive(Debug, Default)]
pub struct PathChanges {
    pub added: Vec<PathChange>,
    pub removed: Vec<PathChange>,
}

impl PathChanges {
    /// Paths opened into an administrator-like role from outside your
    /// accounts: what makes `diff` fail.
    pub fn privileged_from_outside(&self) -> impl Iterator<Item = &PathChange> {
        self.added.iter().filter(|p| p.outside && p.privileged.is_some())
    }
}

/// Keeps in `new` only the findings `old` does not have (added), and in
/// `old` only those `new` does not have (fixed). `renamed` maps the old
/// name of a renamed file to its new one, so that its findings follow it.
pub fn split_findings(old: &mut Analysis, new: &mut Analysis, renamed: &BTreeMap<String, String>) {
    let old_name = |f: usize| {
        let name = old.files[f].name.as_str();
        renamed.get(name).map_or(name, String::as_str)
    };
    let old_keys: Vec<FindingKey<'_>> =
        old.findings.iter().map(|f| FindingKey::of(old_name(f.file), f)).collect();
    let new_keys: Vec<FindingKey<'_>> =
        new.findings.iter().map(|f| FindingKey::of(&new.files[f.file].name, f)).collect();
    // Matched as multisets: two findings with one key pair with two.
    let unmatched = |mine: &[FindingKey<'_>], theirs: &[FindingKey<'_>]| -> Vec<bool> {
        let mut count: HashMap<&FindingKey<'_>, usize> = HashMap::new();
        for k in theirs {
            *count.entry(k).or_default() += 1;
        }
        mine.iter()
            .map(|k| match count.get_mut(k) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    false
                }
                _ => true,
            })
            .collect()
    };
    let added = unmatched(&new_keys, &old_keys);
    let fixed = unmatched(&old_keys, &new_keys);
    let mut i = 0;
    new.findings.retain(|_| {
        i += 1;
        added[i - 1]
    });
    let mut i = 0;
    old.findings.retain(|_| {
        i += 1;
        fixed[i - 1]
    });
}

/// How a node is known on both sides: its kind and name, a renamed file's
/// name (a role known only from its policy file) followed to its new name.
type NodeKey = (NodeKind, String);

fn key(side: &Side, n: NodeId, renamed: &BTreeMap<String, String>) -> NodeKey {
    let node = side.graph.node(n);
    let id = renamed.get(&node.id).cloned().unwrap_or_else(|| node.id.clone());
    (node.kind, id)
}

/// The roles each source reaches, with the chain, on one side.
fn reach(side: &Side, sources: &[NodeId]) -> Vec<Vec<Chain>> {
    let (g, inv) = (&side.graph, &side.analysis.inventory);
    sources
        .par_iter()
        .map(|&s| {
            let mut chains = g.chains_from(inv, &side.env, s);
            chains.retain(|c| g.node(c.target()).kind == NodeKind::Role);
            chains
        })
        .collect()
}

/// The chains from the users and roles inside your accounts to each role
/// of `watch`, on one side.
fn inside_callers(side: &Side, watch: &BTreeSet<NodeKey>, renamed: &BTreeMap<String, String>) -> Vec<Chain> {
    let (g, inv) = (&side.graph, &side.analysis.inventory);
    let roles: Vec<NodeId> = (0..g.nodes.len())
        .filter(|&n| g.node(n).kind == NodeKind::Role && watch.contains(&key(side, n, renamed)))
        .collect();
    roles
        .par_iter()
        .flat_map_iter(|&r| {
            let mut chains = g.chains_to(inv, &side.env, r);
            chains.retain(|c| {
                let from = g.node(c.source());
                !from.outside && matches!(from.kind, NodeKind::User | NodeKind::Role)
            });
            chains
        })
        .collect()
}

/// The administrator-like roles of one side.
fn privileged(side: &Side, renamed: &BTreeMap<String, String>) -> BTreeSet<NodeKey> {
    (0..side.graph.nodes.len())
        .filter(|&n| side.privilege[n].is_some())
        .map(|n| key(side, n, renamed))
        .collect()
}

/// Every path of one side, by (source, target) key.
fn all_paths(
    side: &Side,
    from: &[String],
    watch: &BTreeSet<NodeKey>,
    renamed: &BTreeMap<String, String>,
) -> BTreeMap<(NodeKey, NodeKey), PathChange> {
    let g = &side.graph;
    let mut sources: BTreeSet<NodeId> = (0..g.nodes.len()).filter(|&n| g.node(n).outside).collect();
    for name in from {
        sources.extend(g.find(name));
    }
    let sources: Vec<NodeId> = sources.into_iter().collect();
    let mut out = BTreeMap::new();
    let mut add = |chain: Chain| {
        let (s, t) = (chain.source(), chain.target());
        let change = PathChange { privileged: side.privilege[t].clone(), outside: g.node(s).outside, chain };
        out.entry((key(side, s, renamed), key(side, t, renamed))).or_insert(change);
    };
    for chains in reach(side, &sources) {
        chains.into_iter().for_each(&mut add);
    }
    inside_callers(side, watch, renamed).into_iter().for_each(&mut add);
    out
}

/// The paths `new` has and `old` has not (added), and the reverse
/// (removed): from every principal outside your accounts and every one in
/// `from` to the roles it reaches, and from inside your accounts to the
/// roles administrator-like on either side.
pub fn paths(old: &Side, new: &Side, from: &[String], renamed: &BTreeMap<String, String>) -> PathChanges {
    let none = BTreeMap::new();
    let mut watch = privileged(old, renamed);
    watch.extend(privileged(new, &none));
    let before = all_paths(old, from, &watch, renamed);
    let after = all_paths(new, from, &watch, &none);
    let mut changes = PathChanges::default();
    for (k, p) in &after {
        if !before.contains_key(k) {
            changes.added.push(p.clone());
        }
    }
    for (k, p) in before {
        if !after.contains_key(&k) {
            changes.removed.push(p);
        }
    }
    let order = |side: &Side, p: &PathChange| {
        (
            !(p.outside && p.privileged.is_some()),
            side.graph.label(p.chain.source()),
            side.graph.label(p.chain.target()),
        )
    };
    changes.added.sort_by_cached_key(|p| order(new, p));
    changes.removed.sort_by_cached_key(|p| order(old, p));
    changes
}
