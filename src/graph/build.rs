//! Building the graph from the inventory: principal nodes, group nodes for
//! shared permissions, and an edge for every way a trust policy admits a
//! caller whose identity side allows the call.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use foldhash::{HashMap, HashMapExt, HashSet};
use rayon::prelude::*;

use super::identity::{Permissions, StatementRef, fixed_prefix, fixed_suffix, statement};
use super::{Edge, NodeId, NodeKind, Origin, Requirement, Requirements, TrustGraph};
use crate::analysis::Inventory;
use crate::eval::{Domain, Env, Scenario, admits, fresh_account};
use crate::model::arn::{Arn, account_of};
use crate::model::{Effect, Federated, Policy, Principal, PrincipalEntry};
use crate::settings::Settings;
use crate::source::SourceFile;
use crate::sources::OwnerKind;

/// Condition keys that differ between the principals of one account: a
/// statement using them is checked member by member.
const PER_MEMBER_KEYS: [&str; 5] =
    ["aws:principalarn", "aws:userid", "aws:username", "aws:principaltype", "aws:principaltag/"];

/// Roles whose edges are searched together (in parallel) before they are
/// added to the graph.
const ROLES_PER_CHUNK: usize = 256;

/// One way a trust statement admits callers, before it becomes edges.
enum Grant<'a> {
    Anyone(&'a PrincipalEntry),
    Account(&'a str, &'a PrincipalEntry),
    Arn(&'a Arn, &'a PrincipalEntry),
    Federated(&'a Federated, &'a PrincipalEntry),
    Service(&'a str, &'a PrincipalEntry),
}

/// An edge found for one role, before node ids exist for its source.
enum Source {
    Node(NodeId),
    /// One edge from each group, alike but for the group (an account's
    /// groups that may assume the role: a large export has millions).
    Groups(Vec<NodeId>),
    External(NodeKind, String, Option<String>),
}

struct Found {
    source: Source,
    edge: FoundEdge,
}

/// An edge found for a role, its places not yet among the graph's origins.
struct FoundEdge {
    requires: Requirements,
    trust: Option<Origin>,
    identity: Option<Origin>,
    /// Whether each member of a group is checked against the statement.
    per_member: bool,
    statement: Option<(usize, usize)>,
}

impl TrustGraph {
    /// Builds the graph of everything the inventory holds.
    pub fn build(inv: &Inventory, files: &[SourceFile], settings: &Settings) -> Self {
        Self::build_with(inv, files, settings, true)
    }

    /// The graph the rules look at, smaller where the rules cannot tell:
    ///
    /// - Without the roles known only by their trust policy's file. Such a
    ///   role has no permissions and no ARN, so no chain goes on from it,
    ///   nothing can name it, and no graph rule reports it; the rules of
    ///   each policy check its trust policy. A repository of standalone
    ///   trust policies has thousands of them.
    /// - The principals of an account that may assume the same roles of
    ///   the data share one group ([`Permissions::reach`]), whatever else
    ///   their permissions say (conditional allows and denies, a Deny of
    ///   a role that is not there). Their groups had the same edges: those
    ///   that may assume any role, each an edge to every role that lets
    ///   the account in, so a large account with many of them had their
    ///   number times its roles' edges. A search reaches the same nodes
    ///   through the one group, by the same trust statements, and a
    ///   chain's steps go from member to role as before.
    pub fn for_rules(inv: &Inventory, files: &[SourceFile], settings: &Settings) -> Self {
        Self::build_with(inv, files, settings, false)
    }

    /// `full`: with the roles known by their file, and a group for each
    /// distinct permission (see [`Self::for_rules`]).
    fn build_with(inv: &Inventory, files: &[SourceFile], settings: &Settings, full: bool) -> Self {
        let mut g = Self::default();
        let mut perms: Vec<Option<Permissions>> = Vec::new();

        // Groups by (account, name), for users' memberships.
        let groups: HashMap<(Option<&str>, &str), usize> = inv
            .entities
            .iter()
            .enumerate()
            .filter(|(_, e)| e.kind == Some(OwnerKind::Group))
            .map(|(i, e)| ((e.arn.as_deref().and_then(account_of), e.name.as_str()), i))
            .collect();

        // Users and roles.
        let mut roles: Vec<(NodeId, usize)> = Vec::new();
        for (i, e) in inv.entities.iter().enumerate() {
            let kind = match e.kind {
                Some(OwnerKind::User) => NodeKind::User,
                Some(OwnerKind::Role) => NodeKind::Role,
                _ => continue,
            };
            let id = e.arn.clone().unwrap_or_else(|| e.name.clone());
            let account = e.arn.as_deref().and_then(account_of).map(str::to_owned);
            let n = g.add_node(kind, id, account.clone(), Some(i), false);
            let of_account = |name: &str| groups.get(&(account.as_deref(), name)).copied();
            ensure_len(&mut perms, n);
            perms[n] = Some(Permissions::of(inv, e, &of_account));
            let named = g.by_name.entry(e.name.clone()).or_default();
            if !named.contains(&n) {
                named.push(n);
            }
            if let Some(t) = e.trust {
                roles.push((n, t));
            }
        }
        // Trust policies found on their own: a role known by its file.
        if full {
            let attached: BTreeSet<usize> = inv.entities.iter().filter_map(|e| e.trust).collect();
            for (u, unit) in inv.units.iter().enumerate() {
                if unit.policy.kind == crate::model::PolicyKind::Trust
                    && unit.owner.kind == OwnerKind::Unattached
                    && !attached.contains(&u)
                {
                    let n =
                        g.add_node(NodeKind::Role, files[inv.unit_file[u]].name.clone(), None, None, false);
                    ensure_len(&mut perms, n);
                    roles.push((n, u));
                }
            }
        }

        // Group nodes: principals of one account with the same permission
        // (for the rules, with the same reach).
        let mut hubs: BTreeMap<String, Vec<NodeId>> = BTreeMap::new();
        let mut by_signature: BTreeMap<(String, String), NodeId> = BTreeMap::new();
        // The ARNs of the roles edges may go to.
        let role_arns: HashSet<&str> = if full {
            HashSet::default()
        } else {
            roles
                .iter()
                .filter_map(|&(n, _)| g.nodes[n].entity.and_then(|e| inv.entities[e].arn.as_deref()))
                .collect()
        };
        for (n, p) in perms.iter().enumerate() {
            let (Some(p), Some(account)) = (p, g.nodes[n].account.clone()) else { continue };
            if p.allow.is_empty() {
                continue;
            }
            let signature =
                if full { p.signature(inv) } else { p.reach(inv, &|arn| role_arns.contains(arn)) };
            let key = (account.clone(), signature);
            let hub = if let Some(&h) = by_signature.get(&key) {
                h
            } else {
                let id = format!("{account}#{}", by_signature.len());
                let h = g.add_node(NodeKind::Group, id, Some(account.clone()), None, false);
                by_signature.insert(key, h);
                hubs.entry(account).or_default().push(h);
                h
            };
            g.nodes[hub].members.push(n);
            g.add_edge(Edge::new(n, hub, Requirements::default(), None, false));
        }
        ensure_len(&mut perms, g.nodes.len().saturating_sub(1));
        // Groups by a fixed part of each resource pattern they may assume,
        // so a role meets only the groups whose patterns can cover its ARN
        // (see `Anchors`); and across accounts, the accounts with such a group.
        let patterns: Vec<(&str, NodeId, Vec<&str>)> = hubs
            .iter()
            .flat_map(|(account, list)| {
                list.iter().map(|&h| {
                    let patterns =
                        perms[g.nodes[h].members[0]].as_ref().map(|p| p.patterns(inv)).unwrap_or_default();
                    (account.as_str(), h, patterns)
                })
            })
            .collect();
        let (by_anchor, anchor_accounts) = index_groups(&patterns);

        // Edges into each role, found in parallel, added in role order.
        let accounts = Arc::clone(&inv.accounts);
        let analysed: BTreeSet<String> = g.nodes.iter().filter_map(|n| n.account.clone()).collect();
        let yours =
            |account: Option<&str>| account.is_some_and(|a| analysed.contains(a) || accounts.contains(a));
        // A chunk of roles at a time: the edges found for a chunk (a
        // large export has hundreds of thousands) are added to the graph
        // before the next chunk is searched.
        let (mut last_trust, mut last_identity) = (None, None);
        for chunk in roles.chunks(ROLES_PER_CHUNK) {
            let cx = Builder {
                inv,
                graph: &g,
                perms: &perms,
                hubs: &hubs,
                by_anchor: &by_anchor,
                anchor_accounts: &anchor_accounts,
                settings,
                accounts: Arc::clone(&accounts),
                analysed: &analysed,
            };
            let found: Vec<(NodeId, Vec<Found>)> =
                chunk.par_iter().map(|&(r, u)| (r, cx.edges_into(r, u))).collect();
            for (role, list) in found {
                for f in list {
                    let FoundEdge { requires, trust, identity, per_member, statement } = f.edge;
                    let trust = g.origin_index(trust, &mut last_trust);
                    let identity = g.origin_index(identity, &mut last_identity);
                    let add = |g: &mut TrustGraph, from: NodeId| {
                        let mut edge = Edge::new(from, role, requires, statement, per_member);
                        edge.trust = trust;
                        edge.identity = identity;
                        g.add_edge(edge);
                    };
                    match f.source {
                        Source::Node(n) => add(&mut g, n),
                        Source::Groups(list) => list.into_iter().for_each(|h| add(&mut g, h)),
                        Source::External(kind, id, account) => {
                            let outside = match kind {
                                NodeKind::Anyone => true,
                                // Only IAM Identity Center's provider has an account
                                // here: it is yours when the account is.
                                NodeKind::Federated => !yours(account.as_deref()),
                                NodeKind::ExternalAccount | NodeKind::ExternalPrincipal => {
                                    !yours(account.as_deref())
                                }
                                _ => false,
                            };
                            let n = g.add_node(kind, id, account, None, outside);
                            add(&mut g, n);
                        }
                    }
                }
            }
        }
        g.perms = perms;
        g.perms.resize_with(g.nodes.len(), || None);
        g.index_edges();
        g
    }
}

fn ensure_len(perms: &mut Vec<Option<Permissions>>, n: usize) {
    if perms.len() <= n {
        perms.resize_with(n + 1, || None);
    }
}

/// Groups, each with its account and resource patterns, by anchor: per
/// account, and the accounts by anchor.
#[allow(clippy::type_complexity)]
fn index_groups(
    patterns: &[(&str, NodeId, Vec<&str>)],
) -> (HashMap<String, Anchors<Vec<NodeId>>>, Anchors<BTreeSet<String>>) {
    let mut starts: HashMap<&str, usize> = HashMap::new();
    let mut ends: HashMap<&str, usize> = HashMap::new();
    for p in patterns.iter().flat_map(|(_, _, list)| list) {
        *starts.entry(fixed_prefix(p)).or_default() += 1;
        *ends.entry(fixed_suffix(p)).or_default() += 1;
    }
    let mut by_anchor: HashMap<String, Anchors<Vec<NodeId>>> = HashMap::new();
    let mut anchor_accounts: Anchors<BTreeSet<String>> = Anchors::default();
    for (account, h, list) in patterns {
        let index = by_anchor.entry((*account).to_owned()).or_default();
        for p in list {
            let (start, end) = (fixed_prefix(p), fixed_suffix(p));
            let (at_end, anchor) = if ends[end] < starts[start] { (true, end) } else { (false, start) };
            index.at(at_end, anchor).push(*h);
            anchor_accounts.at(at_end, anchor).insert((*account).to_owned());
        }
    }
    (by_anchor, anchor_accounts)
}

/// Values filed under what the ARN of a role must start or end with for
/// them to concern it: each resource pattern under its fixed prefix or its
/// fixed suffix, whichever fewer patterns share (`arn:aws:iam::*:role/app`
/// under `:role/app`, not under the `arn:aws:iam::` most patterns start
/// with). A role then meets only what it can match, however many distinct
/// permissions an account holds.
#[derive(Debug)]
struct Anchors<T> {
    starts: HashMap<String, T>,
    ends: HashMap<String, T>,
    /// The lengths of the anchors in `starts` and in `ends`, sorted: only
    /// starts and ends of an ARN of these lengths are looked up.
    start_lengths: Vec<usize>,
    end_lengths: Vec<usize>,
}

impl<T> Default for Anchors<T> {
    fn default() -> Self {
        Self {
            starts: HashMap::new(),
            ends: HashMap::new(),
            start_lengths: Vec::new(),
            end_lengths: Vec::new(),
        }
    }
}

impl<T: Default> Anchors<T> {
    fn at(&mut self, at_end: bool, anchor: &str) -> &mut T {
        let (map, lengths) = if at_end {
            (&mut self.ends, &mut self.end_lengths)
        } else {
            (&mut self.starts, &mut self.start_lengths)
        };
        if let Err(i) = lengths.binary_search(&anchor.len()) {
            lengths.insert(i, anchor.len());
        }
        map.entry(anchor.to_owned()).or_default()
    }
}

impl<T> Anchors<T> {
    /// What is filed under a start or an end of `arn`.
    fn matching<'s, 'a>(&'s self, arn: &'a str) -> impl Iterator<Item = &'s T> + use<'s, 'a, T> {
        let fits = |lengths: &'s [usize]| lengths.iter().copied().take_while(move |&n| n <= arn.len());
        let starts = fits(&self.start_lengths).filter_map(move |n| arn.get(..n));
        let ends = fits(&self.end_lengths).filter_map(move |n| arn.get(arn.len() - n..));
        starts.filter_map(|s| self.starts.get(s)).chain(ends.filter_map(|e| self.ends.get(e)))
    }

    fn values(&self) -> impl Iterator<Item = &T> {
        self.starts.values().chain(self.ends.values())
    }

    fn is_empty(&self) -> bool {
        self.starts.is_empty() && self.ends.is_empty()
    }
}

struct Builder<'a> {
    inv: &'a Inventory,
    graph: &'a TrustGraph,
    perms: &'a [Option<Permissions>],
    hubs: &'a BTreeMap<String, Vec<NodeId>>,
    /// Per account: the groups by their resource patterns' anchors.
    by_anchor: &'a HashMap<String, Anchors<Vec<NodeId>>>,
    /// The accounts with a group whose resource patterns have the anchor.
    anchor_accounts: &'a Anchors<BTreeSet<String>>,
    settings: &'a Settings,
    accounts: Arc<BTreeSet<String>>,
    /// Accounts with users or roles in the data.
    analysed: &'a BTreeSet<String>,
}

impl Builder<'_> {
    fn env(&self, role_account: Option<&str>) -> Env {
        Env::new(&self.accounts, self.settings.org_id.as_deref(), role_account)
    }

    /// A principal of `account` (or the one with `arn`) that knows what it
    /// needs to know. In an account that is yours it may be in your
    /// organization (in `--org-id`, when given); outside, it is not.
    fn caller(&self, account: &str, arn: Option<&str>, env: &Env) -> Scenario {
        let sc = match arn {
            Some(arn) => Scenario::aws_arn(arn, true, env),
            None => Scenario::aws_principal(account, true, env),
        };
        if !(self.accounts.contains(account) || self.hubs.contains_key(account)) {
            return sc;
        }
        let org = match &self.settings.org_id {
            Some(org) => Domain::Fixed(org.clone()),
            None => Domain::Free { optional: true },
        };
        sc.with("aws:principalorgid", org).with("aws:principalorgpaths", Domain::Free { optional: true })
    }

    /// The analysed accounts with a group whose resource patterns may cover
    /// `role_arn` (any group when the role's ARN is unknown).
    fn accounts_with_candidates(&self, role_arn: Option<&str>) -> BTreeSet<&str> {
        match role_arn {
            Some(arn) => self
                .anchor_accounts
                .matching(arn)
                .flatten()
                .map(String::as_str)
                .filter(|a| self.analysed.contains(*a))
                .collect(),
            None => self
                .by_anchor
                .iter()
                .filter(|(a, index)| !index.is_empty() && self.analysed.contains(*a))
                .map(|(a, _)| a.as_str())
                .collect(),
        }
    }

    /// The groups of `account` whose resource patterns may cover `role_arn`
    /// (every group when the role's ARN is unknown), in node order.
    fn candidate_groups(&self, account: &str, role_arn: Option<&str>) -> Vec<NodeId> {
        let Some(index) = self.by_anchor.get(account) else { return Vec::new() };
        let mut found: Vec<NodeId> = match role_arn {
            Some(arn) => index.matching(arn).flatten().copied().collect(),
            None => index.values().flatten().copied().collect(),
        };
        found.sort_unstable();
        found.dedup();
        found
    }

    fn origin(&self, unit: usize, span: crate::source::Span, pointer: &str) -> Origin {
        Origin { file: self.inv.file_of(unit, span), span, pointer: pointer.into() }
    }

    /// The identity statement's location, at the resource that matches.
    pub(super) fn identity_origin(&self, r: StatementRef, role_arn: Option<&str>) -> Option<Origin> {
        identity_origin(self.inv, r, role_arn)
    }

    /// Every edge into role node `r`, whose trust policy is unit `u`.
    fn edges_into(&self, r: NodeId, u: usize) -> Vec<Found> {
        let policy = &self.inv.units[u].policy;
        let role = self.graph.node(r);
        let role_arn = role.entity.and_then(|e| self.inv.entities[e].arn.as_deref());
        let env = self.env(role.account.as_deref());
        let mut out = Vec::new();
        for (si, s) in policy.statements.iter().enumerate() {
            let Some(p) = s.principal.as_ref().filter(|p| !p.negated && s.effect == Effect::Allow) else {
                continue;
            };
            let per_member = s.conditions.iter().any(|c| {
                PER_MEMBER_KEYS
                    .iter()
                    .any(|k| c.key_lc == *k || (k.ends_with('/') && c.key_lc.starts_with(k)))
            });
            for entry in &p.entries {
                let grant = match &entry.principal {
                    Principal::Anyone => Grant::Anyone(entry),
                    Principal::Account { id } => Grant::Account(id, entry),
                    Principal::Arn(a) => Grant::Arn(a, entry),
                    Principal::Federated(f) => Grant::Federated(f, entry),
                    Principal::Service(name) => Grant::Service(name, entry),
                    _ => continue,
                };
                self.grant_edges(&grant, policy, u, si, per_member, role_arn, &env, &mut out);
            }
        }
        out
    }

    #[allow(clippy::too_many_arguments)]
    fn grant_edges(
        &self,
        grant: &Grant<'_>,
        policy: &Policy,
        u: usize,
        si: usize,
        per_member: bool,
        role_arn: Option<&str>,
        env: &Env,
        out: &mut Vec<Found>,
    ) {
        let entry = match grant {
            Grant::Anyone(e)
            | Grant::Account(_, e)
            | Grant::Arn(_, e)
            | Grant::Federated(_, e)
            | Grant::Service(_, e) => e,
        };
        let trust = Some(self.origin(u, entry.text.span, &entry.text.pointer));
        let edge = |requires: Requirements, identity: Option<Origin>, per_member| FoundEdge {
            requires,
            trust: trust.clone(),
            identity,
            per_member,
            statement: Some((u, si)),
        };
        // Stack and root accounts the policy never mentions are alike to
        // it: one evaluation answers for all of them (else a wildcard trust
        // is evaluated once for every root of the repository).
        let alike: std::cell::RefCell<HashMap<bool, Option<Requirements>>> = std::cell::RefCell::default();
        let verdict = |account: &str| {
            let eval = || {
                let sc = self.caller(account, None, env);
                admits(policy, si, &sc).then(|| requirements(policy, si, &sc))
            };
            if !crate::model::symbolic::is_symbolic(account) || mentions(policy, account) {
                return eval();
            }
            let yours = self.accounts.contains(account) || self.hubs.contains_key(account);
            *alike.borrow_mut().entry(yours).or_insert_with(eval)
        };
        let from_account = |account: &str, out: &mut Vec<Found>| {
            let Some(requires) = verdict(account) else { return };
            if self.analysed.contains(account) {
                // Its principals are in the data: the ones whose permissions
                // allow the call (none at all is an answer too).
                let mut groups = self.candidate_groups(account, role_arn);
                groups.retain(|&h| {
                    let rep = self.graph.node(h).members[0];
                    self.perms[rep].as_ref().is_some_and(|p| p.may_assume(self.inv, role_arn))
                });
                if !groups.is_empty() {
                    out.push(Found {
                        source: Source::Groups(groups),
                        edge: edge(requires, None, per_member),
                    });
                }
            } else {
                out.push(Found {
                    source: Source::External(
                        NodeKind::ExternalAccount,
                        account.to_owned(),
                        Some(account.to_owned()),
                    ),
                    edge: edge(requires, None, false),
                });
            }
        };
        match grant {
            Grant::Anyone(_) => {
                let outsider = Scenario::aws_principal(&fresh_account(policy, env), true, env);
                if admits(policy, si, &outsider) {
                    let requires = requirements(policy, si, &outsider);
                    out.push(Found {
                        source: Source::External(NodeKind::Anyone, "*".into(), None),
                        edge: edge(requires, None, false),
                    });
                }
                // Your accounts' principals, and accounts a condition pins
                // the wildcard to.
                let named =
                    crate::eval::accounts_named_in(policy, &["aws:principalaccount", "aws:principalarn"]);
                // An analysed account reaches the role only through a group
                // whose permissions may cover it: only those are tried.
                let accounts: BTreeSet<&str> = self
                    .accounts_with_candidates(role_arn)
                    .into_iter()
                    .chain(named.iter().map(String::as_str))
                    .collect();
                for account in accounts {
                    from_account(account, out);
                }
            }
            Grant::Account(account, _) => from_account(account, out),
            Grant::Arn(principal, _) => {
                let named = self.graph.named_by(principal);
                if named.is_empty() {
                    // Outside the data: the role a session belongs to, or the
                    // principal itself.
                    let arn = principal.session_role().unwrap_or_else(|| principal.to_string());
                    let sc = self.caller(account_of(&arn).unwrap_or_default(), Some(&arn), env);
                    if admits(policy, si, &sc) {
                        let account = account_of(&arn).map(str::to_owned);
                        out.push(Found {
                            source: Source::External(NodeKind::ExternalPrincipal, arn, account),
                            edge: edge(requirements(policy, si, &sc), None, false),
                        });
                    }
                    return;
                }
                for p in named {
                    let arn = &self.graph.node(p).id;
                    let sc = self.caller(account_of(arn).unwrap_or_default(), Some(arn), env);
                    if !admits(policy, si, &sc) {
                        continue;
                    }
                    let requires = requirements(policy, si, &sc);
                    let perms = self.perms[p].as_ref();
                    let identity = perms.and_then(|perms| perms.allows(self.inv, role_arn));
                    let same_account =
                        env.role_account.is_some() && account_of(arn) == env.role_account.as_deref();
                    // In the role's own account a trust policy that names
                    // the principal is enough — unless its own policies
                    // deny the call, or (for a role) its permissions
                    // boundary does not allow it. Across accounts both
                    // sides must allow.
                    let is_role = self.graph.node(p).kind == NodeKind::Role;
                    let named_is_enough = same_account
                        && perms.is_none_or(|perms| {
                            !(perms.denies(self.inv, role_arn)
                                || (is_role && perms.bounded_out(self.inv, role_arn)))
                        });
                    if identity.is_some() || named_is_enough {
                        let identity = identity.and_then(|r| self.identity_origin(r, role_arn));
                        out.push(Found { source: Source::Node(p), edge: edge(requires, identity, false) });
                    }
                }
            }
            Grant::Federated(f, _) => {
                let sc = Scenario::federated((*f).clone());
                if admits(policy, si, &sc) {
                    let id = match f {
                        Federated::Oidc { issuer, .. } => issuer.clone(),
                        Federated::Saml { name, .. } => format!("saml-provider/{name}"),
                        Federated::WebIdentity(host) => host.clone(),
                    };
                    let account = match f {
                        Federated::Saml { account, name } if is_identity_center(name) => {
                            Some(account.clone())
                        }
                        _ => None,
                    };
                    out.push(Found {
                        source: Source::External(NodeKind::Federated, id, account),
                        edge: edge(Requirements::default(), None, false),
                    });
                }
            }
            Grant::Service(name, _) => {
                if admits(policy, si, &Scenario::service(name)) {
                    out.push(Found {
                        source: Source::External(NodeKind::Service, (*name).to_owned(), None),
                        edge: edge(Requirements::default(), None, false),
                    });
                }
            }
        }
    }
}

/// Whether a SAML provider is the one IAM Identity Center creates in each
/// account it manages (`AWSSSO_<id>_DO_NOT_DELETE`): its users are the
/// organization's own workforce, signed in through the organization's
/// Identity Center, not an outside identity provider's.
pub(crate) fn is_identity_center(saml_provider: &str) -> bool {
    saml_provider.starts_with("AWSSSO_")
}

/// The identity statement's location, at the resource that matches.
pub(super) fn identity_origin(inv: &Inventory, r: StatementRef, role_arn: Option<&str>) -> Option<Origin> {
    if r.0 == usize::MAX {
        return None;
    }
    let s = statement(inv, r);
    let at = s.resources.as_ref().and_then(|res| {
        res.items.iter().find(|i| role_arn.is_some_and(|a| crate::eval::glob(&i.value, a)) || i.value == "*")
    });
    Some(match at {
        Some(i) => {
            Origin { file: inv.file_of(r.0, i.span), span: i.span, pointer: i.pointer.as_str().into() }
        }
        None => Origin { file: inv.file_of(r.0, s.span), span: s.span, pointer: s.pointer.as_str().into() },
    })
}

/// What the caller needs beyond being itself: each capability is taken away
/// in turn, and the statement's answer tells whether it was needed.
pub(super) fn requirements(policy: &Policy, si: usize, base: &Scenario) -> Requirements {
    let checks: [(Requirement, &str, Domain); 6] = [
        (Requirement::ExternalId, "sts:externalid", Domain::Unknown { optional: true }),
        (Requirement::Mfa, "aws:multifactorauthpresent", Domain::Fixed("false".into())),
        (Requirement::Organization, "aws:principalorgid", Domain::Absent),
        (Requirement::PrincipalTags, "aws:principaltag/", Domain::Absent),
        (Requirement::SessionTags, "aws:requesttag/", Domain::Absent),
        (Requirement::SourceIdentity, "sts:sourceidentity", Domain::Absent),
    ];
    let keys: BTreeSet<&str> = policy.statements[si].conditions.iter().map(|c| c.key_lc.as_str()).collect();
    checks
        .into_iter()
        .filter(|(_, key, _)| keys.iter().any(|k| k == key || (key.ends_with('/') && k.starts_with(key))))
        .filter(|(_, key, domain)| !admits(policy, si, &base.clone().with(key, domain.clone())))
        .map(|(r, _, _)| r)
        .collect()
}

/// Whether `policy` names `account` anywhere a principal or a condition
/// value is written.
fn mentions(policy: &Policy, account: &str) -> bool {
    policy.statements.iter().any(|s| {
        s.principal.iter().flat_map(|p| &p.entries).any(|e| e.text.value.contains(account))
            || s.conditions.iter().flat_map(|c| &c.values).any(|v| v.value.contains(account))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the graph rules find on the graph of a directory, the full
    /// one or the rules' own.
    fn graph_findings(dir: &str, full: bool) -> (TrustGraph, Vec<crate::diagnostic::Finding>) {
        let settings = Settings { paths: vec![dir.to_owned()], ..Settings::default() };
        let a = crate::analyze_paths(&settings).expect("the fixture exists");
        let g = if full {
            TrustGraph::build(&a.inventory, &a.files, &settings)
        } else {
            TrustGraph::for_rules(&a.inventory, &a.files, &settings)
        };
        let mut cx = crate::rules::GraphContext {
            graph: &g,
            inventory: &a.inventory,
            settings: &settings,
            findings: Vec::new(),
        };
        for rule in crate::rules::ALL.iter().filter(|r| r.uses_graph()) {
            rule.check_graph(&mut cx);
        }
        let found = cx.findings;
        (g, found)
    }

    /// The graph the rules look at leaves out what no graph rule reports,
    /// and the rules find the same on it as on the full graph, in every
    /// scenario.
    #[test]
    fn the_rules_graph_leaves_out_only_what_no_graph_rule_reports() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/graph");
        let mut dirs: Vec<_> = std::fs::read_dir(root).unwrap().map(|e| e.unwrap().path()).collect();
        dirs.sort();
        for dir in dirs {
            let dir = dir.to_str().unwrap();
            let ((full, in_full), (lean, in_lean)) = (graph_findings(dir, true), graph_findings(dir, false));
            assert!(in_lean == in_full, "{dir}");
            let groups = |g: &TrustGraph| g.nodes.iter().filter(|n| n.kind == NodeKind::Group).count();
            let standalone =
                |g: &TrustGraph| g.nodes.iter().filter(|n| n.id.ends_with("-trust.json")).count();
            match dir.rsplit('/').next().unwrap() {
                // A role known by its file, reached from a principal of the
                // export and from an outside account.
                "standalone-trust" => {
                    assert_eq!((standalone(&full), standalone(&lean)), (1, 0));
                }
                // Seven principals that may assume any role of the data,
                // with six different permissions (one denies a role that
                // is not there); one more that may not assume one of them.
                "many-universal-groups" => assert_eq!((groups(&full), groups(&lean)), (6, 2)),
                _ => {
                    assert!(groups(&lean) <= groups(&full), "{dir}");
                    continue;
                }
            }
            // Both scenarios have something for each graph rule to find.
            assert!(lean.edges.len() < full.edges.len(), "{dir}");
            let rules: BTreeSet<&str> = in_lean.iter().map(|f| f.rule.name).collect();
            assert_eq!(
                rules,
                BTreeSet::from(["assume-cycle", "chained-session-duration", "privileged-role-reachable"]),
                "{dir}"
            );
        }
    }

    fn matching(index: &Anchors<Vec<NodeId>>, arn: &str) -> Vec<NodeId> {
        let mut found: Vec<NodeId> = index.matching(arn).flatten().copied().collect();
        found.sort_unstable();
        found
    }

    /// Many groups whose patterns all start alike (any account, one role
    /// each) are filed by their ends: a role meets only its own.
    #[test]
    fn a_role_meets_only_the_groups_that_may_cover_it() {
        let names: Vec<String> = (0..1000).map(|i| format!("arn:aws:iam::*:role/app-{i}")).collect();
        let mut patterns: Vec<(&str, NodeId, Vec<&str>)> =
            names.iter().enumerate().map(|(i, p)| ("111122223333", i, vec![p.as_str()])).collect();
        patterns.push(("111122223333", 1000, vec!["arn:aws:iam::111122223333:role/team-*"]));
        patterns.push(("111122223333", 1001, vec!["*"]));
        patterns.push(("444455556666", 1002, vec!["arn:aws:iam::*:role/app-7", "arn:aws:iam::*:role/*"]));
        let (by_anchor, accounts) = index_groups(&patterns);
        let index = &by_anchor["111122223333"];
        assert_eq!(matching(index, "arn:aws:iam::999988887777:role/app-7"), [7, 1001]);
        assert_eq!(matching(index, "arn:aws:iam::111122223333:role/app-17"), [17, 1001]);
        assert_eq!(matching(index, "arn:aws:iam::111122223333:role/team-a"), [1000, 1001]);
        assert_eq!(matching(&by_anchor["444455556666"], "arn:aws:iam::1:role/x"), [1002]);
        let found: BTreeSet<&String> = accounts.matching("arn:aws:iam::1:role/app-7").flatten().collect();
        assert_eq!(found.len(), 2);
        // Whatever the anchor, every pattern that matches is found.
        for (_, h, list) in &patterns {
            for arn in ["arn:aws:iam::1:role/app-7", "arn:aws:iam::111122223333:role/team-x"] {
                if list.iter().any(|p| crate::eval::glob(p, arn)) {
                    let account = patterns[*h].0;
                    assert!(matching(&by_anchor[account], arn).contains(h), "{h} {arn}");
                }
            }
        }
    }
}
