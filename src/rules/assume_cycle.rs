use super::{GraphContext, Rule, declare_rule};
use crate::graph::NodeKind;

declare_rule!(
    AssumeCycle,
    code = "TL302",
    name = "assume-cycle",
    severity = Warning,
    summary = "roles can assume each other in a cycle, so a session can be renewed forever",
);

impl Rule for AssumeCycle {
    fn uses_graph(&self) -> bool {
        true
    }

    fn check_graph(&self, cx: &mut GraphContext<'_>) {
        let g = cx.graph;
        let env = cx.env();
        for cycle in g.cycles(cx.inventory, &env) {
            let Some(&first) = cycle.iter().find(|&&n| g.node(n).kind == NodeKind::Role) else { continue };
            // The trust statement that lets another member of the cycle in.
            let mut member = vec![false; g.nodes.len()];
            for &n in &cycle {
                member[n] = true;
            }
            let in_cycle = |n: usize| {
                member[n]
                    || (g.node(n).kind == NodeKind::Group && g.node(n).members.iter().any(|&m| member[m]))
            };
            let Some(origin) =
                g.in_edges(first).find(|e| in_cycle(e.from())).and_then(|e| g.trust(e).cloned())
            else {
                continue;
            };
            let names: Vec<String> = cycle.iter().take(5).map(|&n| format!("`{}`", g.label(n))).collect();
            let more = if cycle.len() > 5 { format!(" and {} more", cycle.len() - 5) } else { String::new() };
            let message = if cycle.len() == 1 {
                "this role can assume itself: a session can be renewed forever (role juggling)".to_owned()
            } else {
                format!(
                    "{}{more} can assume each other in a cycle: a session can be renewed forever (role juggling)",
                    names.join(", ")
                )
            };
            cx.report(&Self::META, &origin, Some(g.node(first).id.clone()), message)
                .label("lets a member of the cycle in")
                .help("break the cycle: a role should not trust the roles it can assume");
        }
    }
}
