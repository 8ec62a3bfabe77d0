//! Reachability over the graph: who can reach a role and how, what a
//! principal can reach, and cycles. Group nodes are expanded once per search,
//! so a search costs about the size of the graph, not of the edges it stands
//! for.

use std::collections::VecDeque;

use super::{Edge, NodeId, NodeKind, Origin, Requirements, TrustGraph};
use crate::analysis::Inventory;
use crate::eval::{Domain, Env, Scenario, admits};
use crate::model::{Effect, Principal};

/// One hop of a chain: `from` obtains `to`'s credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hop {
    pub from: NodeId,
    pub to: NodeId,
    pub requires: Requirements,
    pub trust: Option<Origin>,
    pub identity: Option<Origin>,
}

/// A chain of hops from a source to a target, shortest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chain {
    pub hops: Vec<Hop>,
}

impl Chain {
    pub fn source(&self) -> NodeId {
        self.hops[0].from
    }

    pub fn target(&self) -> NodeId {
        self.hops[self.hops.len() - 1].to
    }
}

/// A trust policy entry that admits every principal of an account in the
/// data whose identity policies allow the call (`arn:aws:iam::ID:root`):
/// what `paths --to` shows besides the chains, since the principals that
/// may do so tomorrow are not in the graph today.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountTrust {
    pub account: String,
    pub requires: Requirements,
    pub trust: Origin,
}

/// How a node was reached in a search: through which edge, and for an edge
/// from a group, which member.
#[derive(Clone, Copy)]
struct Step {
    edge: usize,
    /// The member standing for the group, when `edge` leaves a group.
    member: Option<NodeId>,
}

impl TrustGraph {
    /// Whether `member` of a group passes the per-member check of edge `e`.
    pub(crate) fn member_passes(&self, inv: &Inventory, env: &Env, e: &Edge, member: NodeId) -> bool {
        let Some((u, si)) = e.per_member() else { return true };
        let arn = &self.nodes[member].id;
        admits(&inv.units[u].policy, si, &Scenario::aws_arn(arn, true, env))
    }

    /// The entries of `role`'s trust policy that admit a whole account of
    /// the data (its id or `:root` ARN), with what a caller of it needs.
    pub fn account_trust(&self, inv: &Inventory, env: &Env, role: NodeId) -> Vec<AccountTrust> {
        let node = &self.nodes[role];
        let Some(u) = node.entity.and_then(|e| inv.entities[e].trust) else { return Vec::new() };
        let in_data = |a: &str| {
            self.nodes
                .iter()
                .any(|n| matches!(n.kind, NodeKind::User | NodeKind::Role) && n.account.as_deref() == Some(a))
        };
        let env = Env::new(&env.trusted_accounts, env.org_id.as_deref(), node.account.as_deref());
        let policy = &inv.units[u].policy;
        let mut out = Vec::new();
        for (si, s) in policy.statements.iter().enumerate() {
            let Some(p) = s.principal.as_ref().filter(|p| !p.negated && s.effect == Effect::Allow) else {
                continue;
            };
            for entry in &p.entries {
                let Principal::Account { id } = &entry.principal else { continue };
                if !in_data(id) {
                    continue;
                }
                // An account of the data is yours: in your organization.
                let org = env.org_id.clone().map_or(Domain::Free { optional: true }, Domain::Fixed);
                let sc = Scenario::aws_principal(id, true, &env)
                    .with("aws:principalorgid", org)
                    .with("aws:principalorgpaths", Domain::Free { optional: true });
                if !admits(policy, si, &sc) {
                    continue;
                }
                out.push(AccountTrust {
                    account: id.clone(),
                    requires: super::build::requirements(policy, si, &sc),
                    trust: Origin {
                        file: inv.unit_file[u],
                        span: entry.text.span,
                        pointer: entry.text.pointer.as_str().into(),
                    },
                });
            }
        }
        out
    }

    /// Every node that can reach `target`, each with its shortest chain.
    pub fn chains_to(&self, inv: &Inventory, env: &Env, target: NodeId) -> Vec<Chain> {
        self.chains_to_first(inv, env, target, usize::MAX).0
    }

    /// The shortest chains of the first `limit` nodes that can reach
    /// `target` (nearest first), and how many nodes can reach it in all.
    pub fn chains_to_first(
        &self,
        inv: &Inventory,
        env: &Env,
        target: NodeId,
        limit: usize,
    ) -> (Vec<Chain>, usize) {
        let mut via: Vec<Option<Step>> = vec![None; self.nodes.len()];
        let mut seen = vec![false; self.nodes.len()];
        let mut group_done = vec![false; self.nodes.len()];
        seen[target] = true;
        let mut queue = VecDeque::from([target]);
        let mut order = Vec::new();
        while let Some(n) = queue.pop_front() {
            for ei in self.inn.of(n) {
                let e = &self.edges[ei];
                let from = e.from();
                if self.nodes[from].kind == NodeKind::Group {
                    if group_done[from] {
                        continue;
                    }
                    if e.per_member().is_none() {
                        group_done[from] = true;
                    }
                    for &m in &self.nodes[from].members {
                        if !seen[m] && self.member_passes(inv, env, e, m) {
                            seen[m] = true;
                            via[m] = Some(Step { edge: ei, member: Some(m) });
                            queue.push_back(m);
                            order.push(m);
                        }
                    }
                } else if !seen[from] {
                    seen[from] = true;
                    via[from] = Some(Step { edge: ei, member: None });
                    queue.push_back(from);
                    order.push(from);
                }
            }
        }
        let total = order.len();
        (order.into_iter().take(limit).map(|source| self.walk(inv, source, &via, true)).collect(), total)
    }

    /// Every node `source` can reach, each with its shortest chain.
    pub fn chains_from(&self, inv: &Inventory, env: &Env, source: NodeId) -> Vec<Chain> {
        self.chains_from_any(inv, env, &[source], |_| true)
    }

    /// The nodes that `keep` selects and that some source reaches, each with
    /// the shortest chain from the nearest source: one search, however many
    /// sources and targets.
    pub fn chains_from_any(
        &self,
        inv: &Inventory,
        env: &Env,
        sources: &[NodeId],
        mut keep: impl FnMut(NodeId) -> bool,
    ) -> Vec<Chain> {
        let group_checked = self.group_checked.get_or_init(|| {
            (0..self.nodes.len())
                .map(|n| self.out.of(n).any(|e| self.edges[e].per_member().is_some()))
                .collect()
        });
        let mut via: Vec<Option<Step>> = vec![None; self.nodes.len()];
        let mut seen = vec![false; self.nodes.len()];
        let mut group_done = vec![false; self.nodes.len()];
        for &source in sources {
            seen[source] = true;
        }
        let mut queue: VecDeque<NodeId> = sources.iter().copied().collect();
        let mut order = Vec::new();
        while let Some(n) = queue.pop_front() {
            for ei in self.out.of(n) {
                let hub = self.edges[ei].to();
                if self.nodes[hub].kind == NodeKind::Group {
                    // Through the group: the group's edges with `n` as the caller.
                    // A group is expanded once unless an edge checks each member.
                    if group_done[hub] {
                        continue;
                    }
                    group_done[hub] = !group_checked[hub];
                    for gi in self.out.of(hub) {
                        let g = &self.edges[gi];
                        let to = g.to();
                        if !seen[to] && self.member_passes(inv, env, g, n) {
                            seen[to] = true;
                            via[to] = Some(Step { edge: gi, member: Some(n) });
                            queue.push_back(to);
                            order.push(to);
                        }
                    }
                } else if !seen[hub] {
                    seen[hub] = true;
                    via[hub] = Some(Step { edge: ei, member: None });
                    queue.push_back(hub);
                    order.push(hub);
                }
            }
        }
        order.into_iter().filter(|&n| keep(n)).map(|target| self.walk(inv, target, &via, false)).collect()
    }

    /// The shortest chains to the first `limit` nodes that `source` can
    /// reach (nearest first), and how many nodes it can reach in all.
    pub fn chains_from_first(
        &self,
        inv: &Inventory,
        env: &Env,
        source: NodeId,
        limit: usize,
    ) -> (Vec<Chain>, usize) {
        let mut total = 0;
        let chains = self.chains_from_any(inv, env, &[source], |_| {
            total += 1;
            total <= limit
        });
        (chains, total)
    }

    /// Rebuilds the chain that reached `end`: towards the search's start.
    fn walk(&self, inv: &Inventory, end: NodeId, via: &[Option<Step>], backward: bool) -> Chain {
        let mut hops = Vec::new();
        let mut n = end;
        while let Some(step) = via[n] {
            let e = &self.edges[step.edge];
            let (from, to) = (step.member.unwrap_or(e.from()), e.to());
            let identity = self.identity(e).cloned().or_else(|| {
                let role_arn = self.nodes[to].entity.and_then(|x| inv.entities[x].arn.as_deref());
                let r = self.perms.get(from)?.as_ref()?.allows(inv, role_arn)?;
                super::build::identity_origin(inv, r, role_arn)
            });
            hops.push(Hop { from, to, requires: e.requires, trust: self.trust(e).cloned(), identity });
            n = if backward { to } else { from };
            if hops.len() > self.nodes.len() {
                break;
            }
        }
        if !backward {
            hops.reverse();
        }
        Chain { hops }
    }

    /// Strongly connected sets of users and roles that can assume each other
    /// in a circle (role juggling), each sorted, largest first; a role that
    /// can assume itself counts.
    pub fn cycles(&self, inv: &Inventory, env: &Env) -> Vec<Vec<NodeId>> {
        let n = self.nodes.len();
        // Edges from a group that check each member become edges from the
        // members that pass; the rest are followed as they are. The first
        // are few: kept aside, by node, rather than a copy of every edge.
        let mut passed: Vec<(NodeId, NodeId)> = Vec::new();
        for e in self.edges.iter().filter(|e| e.per_member().is_some()) {
            for &m in &self.nodes[e.from()].members {
                if self.member_passes(inv, env, e, m) {
                    passed.push((m, e.to()));
                }
            }
        }
        passed.sort_unstable();
        let passed_of = |v: NodeId| {
            let from = passed.partition_point(|&(m, _)| m < v);
            let to = passed.partition_point(|&(m, _)| m <= v);
            &passed[from..to]
        };
        // The `pos`th way on from `v`: `Some(None)` for an edge checked per
        // member (followed from the members instead), `None` past the last.
        let way = |v: NodeId, pos: usize| -> Option<Option<NodeId>> {
            let out = self.out.slice(v);
            match out.get(pos) {
                Some(&ei) => {
                    let e = &self.edges[ei as usize];
                    Some(e.per_member().is_none().then(|| e.to()))
                }
                None => passed_of(v).get(pos - out.len()).map(|&(_, to)| Some(to)),
            }
        };
        // Whether a node has a way to itself, noted as its ways are followed
        // (a second look at every edge of every node cost as much as the search).
        let mut to_itself = vec![false; n];
        let mut index = vec![usize::MAX; n];
        let mut low = vec![0; n];
        let mut on_stack = vec![false; n];
        let mut stack = Vec::new();
        let mut next = 0;
        let mut out = Vec::new();
        // Iterative Tarjan: (node, position in its out-edge list).
        let mut work: Vec<(NodeId, usize)> = Vec::new();
        for root in 0..n {
            if index[root] != usize::MAX {
                continue;
            }
            work.push((root, 0));
            index[root] = next;
            low[root] = next;
            next += 1;
            stack.push(root);
            on_stack[root] = true;
            while let Some(&mut (v, ref mut pos)) = work.last_mut() {
                if let Some(step) = way(v, *pos) {
                    *pos += 1;
                    let Some(w) = step else { continue };
                    to_itself[v] |= w == v;
                    if index[w] == usize::MAX {
                        index[w] = next;
                        low[w] = next;
                        next += 1;
                        stack.push(w);
                        on_stack[w] = true;
                        work.push((w, 0));
                    } else if on_stack[w] {
                        low[v] = low[v].min(index[w]);
                    }
                } else {
                    work.pop();
                    if let Some(&(parent, _)) = work.last() {
                        low[parent] = low[parent].min(low[v]);
                    }
                    if low[v] == index[v] && stack.last() == Some(&v) {
                        // A component of one node (most are): a cycle only
                        // through a way to itself, which a group never has.
                        stack.pop();
                        on_stack[v] = false;
                        if to_itself[v] && self.nodes[v].kind != NodeKind::Group {
                            out.push(vec![v]);
                        }
                    } else if low[v] == index[v] {
                        let mut scc = Vec::new();
                        while let Some(w) = stack.pop() {
                            on_stack[w] = false;
                            scc.push(w);
                            if w == v {
                                break;
                            }
                        }
                        let real: Vec<NodeId> =
                            scc.iter().copied().filter(|&x| self.nodes[x].kind != NodeKind::Group).collect();
                        let through_group =
                            scc.len() == 2 && real.len() == 1 && self.nodes[real[0]].kind == NodeKind::Role;
                        if real.len() > 1 || through_group {
                            let mut real = real;
                            real.sort_unstable();
                            out.push(real);
                        }
                    }
                }
            }
        }
        out.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
        out
    }
}
