use super::{GraphContext, Rule, declare_rule};
use crate::graph::NodeKind;

declare_rule!(
    ChainedSessionDuration,
    code = "TL304",
    name = "chained-session-duration",
    severity = Note,
    summary = "a role reachable only by role chaining has a maximum session duration above one hour that can never be used",
);

/// Role chaining caps sessions at one hour.
const CHAINED_SESSION_CAP: i64 = 3600;

impl Rule for ChainedSessionDuration {
    fn uses_graph(&self) -> bool {
        true
    }

    fn check_graph(&self, cx: &mut GraphContext<'_>) {
        let (g, inv) = (cx.graph, cx.inventory);
        for r in 0..g.nodes.len() {
            let Some(e) = g.node(r).entity.filter(|_| g.node(r).kind == NodeKind::Role) else { continue };
            let Some(t) = inv.entities[e].trust else { continue };
            let Some(d) = &inv.units[t].max_session_duration else { continue };
            if d.value <= CHAINED_SESSION_CAP {
                continue;
            }
            let is_role = |n: usize| match g.node(n).kind {
                NodeKind::Role => true,
                NodeKind::Group => g.node(n).members.iter().all(|&m| g.node(m).kind == NodeKind::Role),
                _ => false,
            };
            let mut callers = g.in_edges(r).peekable();
            if callers.peek().is_none() || !g.in_edges(r).all(|edge| is_role(edge.from())) {
                continue;
            }
            let origin = crate::graph::Origin {
                file: inv.file_of(t, d.span),
                span: d.span,
                pointer: d.pointer.as_str().into(),
            };
            let message = format!(
                "only other roles can assume this role, and role chaining caps sessions at 1 h: its `MaxSessionDuration` of {} s can never be used",
                d.value
            );
            cx.report(&Self::META, &origin, Some(g.node(r).id.clone()), message)
                .label("never reachable by a chained session")
                .help("set `MaxSessionDuration` to 3600; a caller asking for more than 1 h through a chain gets an error");
        }
    }
}
