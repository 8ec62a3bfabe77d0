use super::{GraphContext, Rule, RuleMeta, declare_rule};
use crate::graph::{NodeKind, identity};

declare_rule!(
    PrivilegedRoleReachable,
    code = "TL301",
    name = "privileged-role-reachable",
    severity = Error,
    summary = "a role with administrator-like permissions can be reached from outside your accounts",
);

impl Rule for PrivilegedRoleReachable {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn uses_graph(&self) -> bool {
        true
    }

    fn check_graph(&self, cx: &mut GraphContext<'_>) {
        let (g, inv) = (cx.graph, cx.inventory);
        let env = cx.env();
        for r in 0..g.nodes.len() {
            let node = g.node(r);
            let Some(entity) = node.entity.filter(|_| node.kind == NodeKind::Role) else { continue };
            let Some(why) = identity::privilege(inv, &inv.entities[entity]) else { continue };
            let mut outside: Vec<_> = g
                .chains_to(inv, &env, r)
                .into_iter()
                .filter(|c| g.node(c.source()).kind.is_outside())
                .collect();
            if outside.is_empty() {
                continue;
            }
            outside.sort_by_key(|c| (c.hops.len(), g.label(c.source())));
            let chain = &outside[0];
            let Some(origin) = chain.hops.last().and_then(|h| h.trust.clone()) else { continue };
            let mut route: Vec<String> = vec![format!("`{}`", g.label(chain.source()))];
            route.extend(chain.hops[..chain.hops.len() - 1].iter().map(|h| format!("`{}`", g.label(h.to))));
            let others = match outside.len() - 1 {
                0 => String::new(),
                1 => " (and 1 other source)".to_owned(),
                n => format!(" (and {n} other sources)"),
            };
            let message = format!(
                "this role has administrator-like permissions ({why}) and can be reached from outside your accounts: {} → this role{others}",
                route.join(" → ")
            );
            cx.report(&Self::META, &origin, Some(node.id.clone()), message)
                .label("admits the first step from outside")
                .help(format!("run `trustlint paths --to {}` to see every chain; pin the trust to your own principals or drop the privilege", node.id));
        }
    }
}
