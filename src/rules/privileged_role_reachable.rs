use super::{GraphContext, Rule, declare_rule};
use crate::graph::{NodeKind, identity};

declare_rule!(
    PrivilegedRoleReachable,
    code = "TL301",
    name = "privileged-role-reachable",
    severity = Error,
    summary = "a role with administrator-like permissions can be reached from outside your accounts",
);

impl Rule for PrivilegedRoleReachable {
    fn uses_graph(&self) -> bool {
        true
    }

    fn check_graph(&self, cx: &mut GraphContext<'_>) {
        let (g, inv) = (cx.graph, cx.inventory);
        let env = cx.env();
        let privilege: Vec<Option<String>> = (0..g.nodes.len())
            .map(|r| {
                let node = g.node(r);
                let entity = node.entity.filter(|_| node.kind == NodeKind::Role)?;
                identity::privilege(inv, &inv.entities[entity])
            })
            .collect();
        if privilege.iter().all(Option::is_none) {
            return;
        }
        // One search from everything outside your accounts.
        let outside: Vec<usize> = (0..g.nodes.len()).filter(|&n| g.node(n).outside).collect();
        for chain in g.chains_from_any(inv, &env, &outside, |n| privilege[n].is_some()) {
            let role = chain.target();
            let (Some(why), Some(origin)) =
                (&privilege[role], chain.hops.last().and_then(|h| h.trust.clone()))
            else {
                continue;
            };
            let node = g.node(role);
            let mut route: Vec<String> = vec![format!("`{}`", g.label(chain.source()))];
            route.extend(chain.hops[..chain.hops.len() - 1].iter().map(|h| format!("`{}`", g.label(h.to))));
            let message = format!(
                "this role has administrator-like permissions ({why}) and can be reached from outside your accounts: {} → this role",
                route.join(" → ")
            );
            cx.report(&Self::META, &origin, Some(node.id.clone()), message)
                .label("lets the chain from outside in")
                .help(format!(
                    "run `trustlint paths --to {}` to see every chain; pin the trust to your own principals or drop the privilege",
                    node.id
                ));
        }
    }
}
