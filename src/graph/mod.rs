//! The assume-role graph: who can obtain which role's credentials, through
//! which statements, across accounts and through chains of roles.
//!
//! An edge `A → R` means A can obtain R's credentials. Building every such
//! edge is quadratic when principals may assume `*` and roles trust their
//! whole account (50,000 × 50,000 is 2.5 billion edges), so the wildcard
//! side stays symbolic: principals of one account whose identity policies
//! give the same `sts:AssumeRole` permission share a *group* node. A role that
//! trusts the account gets one edge from each group whose permission covers
//! it, and each principal one edge to its group. Path searches expand a group
//! once, so building and searching stay near-linear.

mod build;
pub mod identity;
mod paths;
pub mod render;
pub mod view;

use std::sync::Arc;

use foldhash::HashMap;

use crate::support::index::Index;

pub use identity::Permissions;
pub use paths::{AccountTrust, Chain, Hop};

use crate::model::arn::Arn;
use crate::source::Span;

pub type NodeId = usize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NodeKind {
    User,
    Role,
    /// An account outside the analysed data: any principal its admins allow.
    ExternalAccount,
    /// A user or role outside the analysed data, named by ARN.
    ExternalPrincipal,
    /// Any AWS principal in any account.
    Anyone,
    /// An OIDC or SAML provider, or a web identity provider.
    Federated,
    Service,
    /// The principals of one account that share an `sts:AssumeRole` permission.
    Group,
}

impl NodeKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Role => "role",
            Self::ExternalAccount => "account",
            Self::ExternalPrincipal => "external-principal",
            Self::Anyone => "anyone",
            Self::Federated => "federated",
            Self::Service => "service",
            Self::Group => "group",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Node {
    pub kind: NodeKind,
    /// ARN, account id, provider, service name; for a role known only from a
    /// policy file, the file's name.
    pub id: String,
    pub account: Option<String>,
    /// The user or role in the inventory.
    pub entity: Option<usize>,
    /// For a group: its principals.
    pub members: Vec<NodeId>,
    /// Outside your accounts: anyone, a federated identity, or an account or
    /// principal that is neither in the data nor trusted.
    pub outside: bool,
}

/// A place in a file: a statement, or the principal or resource in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub file: usize,
    pub span: Span,
    /// JSON Pointer inside the policy document; shared by every edge that
    /// comes from the same place.
    pub pointer: Arc<str>,
}

/// What a caller needs for an edge to be usable, beyond being the principal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Requirement {
    ExternalId,
    Mfa,
    Organization,
    PrincipalTags,
    SessionTags,
    SourceIdentity,
}

impl Requirement {
    const ALL: [Self; 6] = [
        Self::ExternalId,
        Self::Mfa,
        Self::Organization,
        Self::PrincipalTags,
        Self::SessionTags,
        Self::SourceIdentity,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::ExternalId => "external-id",
            Self::Mfa => "mfa",
            Self::Organization => "organization",
            Self::PrincipalTags => "principal-tags",
            Self::SessionTags => "session-tags",
            Self::SourceIdentity => "source-identity",
        }
    }
}

/// A set of requirements, listed in the order of [`Requirement`]: one byte
/// where a graph of a large export has hundreds of thousands of edges.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Requirements(u8);

impl Requirements {
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub const fn contains(self, r: Requirement) -> bool {
        self.0 & (1 << r as u8) != 0
    }

    pub fn iter(self) -> impl Iterator<Item = Requirement> {
        Requirement::ALL.into_iter().filter(move |&r| self.contains(r))
    }

    /// The names, as reports list them.
    pub fn names(self) -> Vec<&'static str> {
        self.iter().map(Requirement::as_str).collect()
    }
}

/// The names, comma-separated: `external-id, mfa`.
impl std::fmt::Display for Requirements {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, r) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(r.as_str())?;
        }
        Ok(())
    }
}

impl FromIterator<Requirement> for Requirements {
    fn from_iter<I: IntoIterator<Item = Requirement>>(iter: I) -> Self {
        Self(iter.into_iter().fold(0, |bits, r| bits | 1 << r as u8))
    }
}

/// An edge of the graph. A large export's graph has millions: the nodes
/// and the places it comes from are 32-bit indices, the places into
/// [`TrustGraph::origins`], most shared by every edge of one trust policy
/// entry.
#[derive(Debug, Clone)]
pub struct Edge {
    source: u32,
    target: u32,
    /// The trust policy statement (its principal entry) that admits `from`:
    /// see [`TrustGraph::trust`].
    trust: MaybeIndex,
    /// The identity policy statement that lets `from` call `sts:AssumeRole`:
    /// see [`TrustGraph::identity`].
    identity: MaybeIndex,
    /// The trust unit and statement the edge comes from (the unit `NONE`
    /// for none): see [`Edge::statement`].
    statement: (u32, u32),
    pub requires: Requirements,
    /// Whether its statement has conditions on the individual caller: see
    /// [`Edge::per_member`].
    per_member: bool,
}

// A large export's graph has millions of edges: an edge stays this small.
const _: () = assert!(std::mem::size_of::<Edge>() == 28);

/// An index the graph keeps in 32 bits (policies, statements, edges,
/// origins): an input with 2^32 of any would not fit in memory anyway.
fn index32(i: usize) -> u32 {
    u32::try_from(i).ok().filter(|&i| i != NONE).expect("fewer than 2^32 - 1 of each")
}

/// The 32-bit index that stands for none.
const NONE: u32 = u32::MAX;

/// An optional 32-bit index in four bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct MaybeIndex(u32);

impl MaybeIndex {
    fn get(self) -> Option<usize> {
        (self.0 != NONE).then_some(self.0 as usize)
    }
}

impl Edge {
    /// An edge from `from` to `to`, found through a trust statement (none
    /// for a principal's edge into its group), `per_member` when each
    /// member of a group must be checked against that statement. Its
    /// places are set by the graph ([`TrustGraph::trust`]).
    fn new(
        from: NodeId,
        to: NodeId,
        requires: Requirements,
        statement: Option<(usize, usize)>,
        per_member: bool,
    ) -> Self {
        let statement = statement.map_or((NONE, 0), |(u, si)| (index32(u), index32(si)));
        Self {
            source: index32(from),
            target: index32(to),
            trust: MaybeIndex(NONE),
            identity: MaybeIndex(NONE),
            statement,
            requires,
            per_member,
        }
    }

    /// The node the edge leaves.
    pub fn from(&self) -> NodeId {
        self.source as NodeId
    }

    /// The node the edge enters.
    pub fn to(&self) -> NodeId {
        self.target as NodeId
    }

    /// The trust unit and statement the edge comes from.
    pub fn statement(&self) -> Option<(usize, usize)> {
        let (u, si) = self.statement;
        (u != NONE).then_some((u as usize, si as usize))
    }

    /// For an edge from a group whose trust statement has conditions on the
    /// individual caller (its ARN, name or tags): the trust unit and
    /// statement to check each member against.
    pub fn per_member(&self) -> Option<(usize, usize)> {
        self.statement().filter(|_| self.per_member)
    }
}

/// Edge indices by node, all in one list: node `n`'s are
/// `edges[start[n]..start[n + 1]]`, in the order the edges were added. A
/// list per node (two per node, grown by doubling) took four times the
/// room on a graph of millions of edges.
#[derive(Debug, Default)]
struct Adjacency {
    start: Vec<u32>,
    edges: Vec<u32>,
}

impl Adjacency {
    fn new(nodes: usize, edges: &Edges, end: impl Fn(&Edge) -> NodeId) -> Self {
        let mut start = vec![0u32; nodes + 1];
        for e in edges.iter() {
            start[end(e) + 1] += 1;
        }
        for n in 0..nodes {
            start[n + 1] += start[n];
        }
        let mut next = start.clone();
        let mut list = vec![0u32; edges.len()];
        for (i, e) in edges.iter().enumerate() {
            let slot = &mut next[end(e)];
            list[*slot as usize] = index32(i);
            *slot += 1;
        }
        Self { start, edges: list }
    }

    /// The edges of node `n`.
    fn of(&self, n: NodeId) -> impl Iterator<Item = usize> + '_ {
        self.slice(n).iter().map(|&e| e as usize)
    }

    /// The edges of node `n`, as stored.
    fn slice(&self, n: NodeId) -> &[u32] {
        let range =
            self.start.get(n).zip(self.start.get(n + 1)).map_or(0..0, |(&a, &b)| a as usize..b as usize);
        &self.edges[range]
    }
}

/// The graph's edges, in blocks of a fixed size: a list of millions grows
/// without copying what it holds. Grown as one vector by a quarter at a
/// time, the 199 MB export's list was copied a dozen times, and the
/// allocator kept the old copies' pages for a while after.
#[derive(Debug, Default)]
pub struct Edges {
    blocks: Vec<Vec<Edge>>,
    len: usize,
}

/// Edges per block (768 KiB). The first block grows by doubling up to it.
const EDGE_BLOCK: usize = 1 << 14;

impl Edges {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn iter(&self) -> impl Iterator<Item = &Edge> + Clone {
        self.blocks.iter().flatten()
    }

    fn push(&mut self, edge: Edge) {
        match self.blocks.last_mut() {
            Some(block) if block.len() < EDGE_BLOCK => block.push(edge),
            _ => {
                let mut block =
                    if self.blocks.is_empty() { Vec::new() } else { Vec::with_capacity(EDGE_BLOCK) };
                block.push(edge);
                self.blocks.push(block);
            }
        }
        self.len += 1;
    }
}

impl std::ops::Index<usize> for Edges {
    type Output = Edge;

    fn index(&self, i: usize) -> &Edge {
        &self.blocks[i / EDGE_BLOCK][i % EDGE_BLOCK]
    }
}

/// The graph, with adjacency in both directions.
#[derive(Debug, Default)]
pub struct TrustGraph {
    pub nodes: Vec<Node>,
    pub edges: Edges,
    /// The places edges come from.
    origins: Vec<Origin>,
    /// The edges leaving and entering each node (made once every edge is
    /// in: see [`TrustGraph::index_edges`]).
    out: Adjacency,
    inn: Adjacency,
    /// Node ids by kind and id.
    index: Index,
    /// Role and user nodes by ARN (and roles known only by name or file).
    by_name: HashMap<String, Vec<NodeId>>,
    /// The identity side of each user and role node.
    pub(crate) perms: Vec<Option<Permissions>>,
    /// By node: a group with an edge that checks each member (made on the
    /// first search from principals, shared by the ones after it).
    group_checked: std::sync::OnceLock<Vec<bool>>,
}

impl TrustGraph {
    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id]
    }

    pub fn out_edges(&self, n: NodeId) -> impl Iterator<Item = &Edge> {
        self.out.of(n).map(|e| &self.edges[e])
    }

    /// The trust policy entry that admits the edge's source.
    pub fn trust(&self, e: &Edge) -> Option<&Origin> {
        e.trust.get().map(|i| &self.origins[i])
    }

    /// The identity policy statement that lets the edge's source call
    /// `sts:AssumeRole`, when the edge was found through it.
    pub fn identity(&self, e: &Edge) -> Option<&Origin> {
        e.identity.get().map(|i| &self.origins[i])
    }

    /// The index of `origin` among the graph's origins: `last`'s when it is
    /// the same place (the edges of one entry come one after the other).
    fn origin_index(&mut self, origin: Option<Origin>, last: &mut Option<u32>) -> MaybeIndex {
        let Some(origin) = origin else { return MaybeIndex(NONE) };
        if let Some(i) = *last
            && self.origins[i as usize] == origin
        {
            return MaybeIndex(i);
        }
        let i = index32(self.origins.len());
        self.origins.push(origin);
        *last = Some(i);
        MaybeIndex(i)
    }

    pub fn in_edges(&self, n: NodeId) -> impl Iterator<Item = &Edge> {
        self.inn.of(n).map(|e| &self.edges[e])
    }

    /// Finds a user or role by ARN, by name, or (for a role known only from a
    /// policy file) by file name.
    pub fn find(&self, name: &str) -> Vec<NodeId> {
        if let Some(ids) = self.by_name.get(name) {
            return ids.clone();
        }
        if let Some(session) = Arn::parse(name).filter(|a| a.session_role().is_some()) {
            return self.named_by(&session);
        }
        let mut found: Vec<NodeId> = self
            .nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| {
                n.kind != NodeKind::Group && (n.id == name || n.id.ends_with(&format!("/{name}")))
            })
            .map(|(i, _)| i)
            .collect();
        found.sort_unstable();
        found
    }

    /// The users and roles in the data that a principal ARN of a policy
    /// stands for: the one with that ARN, or for an `assumed-role` session,
    /// the role of that name at whatever path (see [`Arn::names`]).
    pub fn named_by(&self, principal: &Arn) -> Vec<NodeId> {
        if principal.session_role().is_none() {
            let arn = principal.to_string();
            let found = [NodeKind::Role, NodeKind::User].into_iter().find_map(|k| self.node_of(k, &arn));
            return found.into_iter().collect();
        }
        let (_, rest) = principal.resource_type();
        let name = rest.rsplit_once('/').map_or(rest, |(role, _session)| role);
        let mut found: Vec<NodeId> = self
            .by_name
            .get(name)
            .into_iter()
            .flatten()
            .copied()
            .filter(|&n| self.nodes[n].kind == NodeKind::Role && principal.names(&self.nodes[n].id))
            .collect();
        found.sort_unstable();
        found
    }

    fn add_node(
        &mut self,
        kind: NodeKind,
        id: String,
        account: Option<String>,
        entity: Option<usize>,
        outside: bool,
    ) -> NodeId {
        if let Some(n) = self.node_of(kind, &id) {
            return n;
        }
        let n = self.nodes.len();
        self.nodes.push(Node { kind, id, account, entity, members: Vec::new(), outside });
        let nodes = &self.nodes;
        self.index.insert(n, |i| node_key(nodes, i));
        n
    }

    /// The node of that kind and id.
    fn node_of(&self, kind: NodeKind, id: &str) -> Option<NodeId> {
        self.index.get(&(kind, id), |i| node_key(&self.nodes, i))
    }

    fn add_edge(&mut self, edge: Edge) {
        self.edges.push(edge);
    }

    /// Lists every node's edges, out and in, once the graph is complete.
    fn index_edges(&mut self) {
        self.out = Adjacency::new(self.nodes.len(), &self.edges, Edge::from);
        self.inn = Adjacency::new(self.nodes.len(), &self.edges, Edge::to);
    }

    /// A short human name: `role/deploy (111122223333)`, `account 999988887777`.
    pub fn label(&self, n: NodeId) -> String {
        let node = &self.nodes[n];
        match node.kind {
            NodeKind::User | NodeKind::Role | NodeKind::ExternalPrincipal => node.id.clone(),
            NodeKind::ExternalAccount if node.outside => format!("account {}", node.id),
            NodeKind::ExternalAccount => format!("account {} (yours, not in the data)", node.id),
            NodeKind::Anyone => "anyone (any AWS principal)".to_owned(),
            NodeKind::Federated => format!("federated {}", node.id),
            NodeKind::Service => format!("service {}", node.id),
            NodeKind::Group => {
                format!("{} principals of {}", node.members.len(), node.account.as_deref().unwrap_or("?"))
            }
        }
    }
}

/// What `TrustGraph::index` finds the node at `i` by: its kind and id.
fn node_key(nodes: &[Node], i: usize) -> (NodeKind, &str) {
    (nodes[i].kind, nodes[i].id.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edges_are_kept_in_order_across_blocks() {
        let mut edges = Edges::default();
        let n = 2 * EDGE_BLOCK + 3;
        for i in 0..n {
            edges.push(Edge::new(i, i + 1, Requirements::default(), None, false));
        }
        assert_eq!(edges.len(), n);
        assert_eq!(edges.blocks.len(), 3);
        assert!(edges.iter().enumerate().all(|(i, e)| e.from() == i && edges[i].from() == i));
        assert_eq!(edges[EDGE_BLOCK].to(), EDGE_BLOCK + 1);
    }

    #[test]
    fn an_edge_s_indices_keep_none_apart_from_zero() {
        let e = Edge::new(0, 1, Requirements::default(), None, true);
        assert_eq!((e.statement(), e.per_member()), (None, None));
        assert_eq!((e.trust.get(), e.identity.get()), (None, None));
        let mut e = Edge::new(0, 1, Requirements::default(), Some((0, 0)), true);
        e.trust = MaybeIndex(0);
        assert_eq!((e.statement(), e.per_member(), e.trust.get()), (Some((0, 0)), Some((0, 0)), Some(0)));
    }

    #[test]
    fn requirements_are_listed_in_declaration_order_whatever_order_they_were_found_in() {
        let set: Requirements =
            [Requirement::SourceIdentity, Requirement::ExternalId, Requirement::Mfa, Requirement::ExternalId]
                .into_iter()
                .collect();
        assert_eq!(set.names(), ["external-id", "mfa", "source-identity"]);
        assert_eq!(set.to_string(), "external-id, mfa, source-identity");
        assert!(set.contains(Requirement::Mfa) && !set.contains(Requirement::Organization));
        assert!(Requirements::default().is_empty() && !set.is_empty());
        assert_eq!(Requirements::default().to_string(), "");
    }
}
