use super::{Context, Rule, declare_rule};
use crate::model::Principal;

declare_rule!(
    DeletedPrincipal,
    code = "TL110",
    name = "deleted-principal",
    severity = Warning,
    summary = "a principal is a unique id (`AROA…`, `AIDA…`): the user or role it named was deleted",
);

impl Rule for DeletedPrincipal {
    fn check_policy(&self, cx: &mut Context<'_>) {
        for s in &cx.unit.policy.statements {
            for e in s.principal.iter().flat_map(|p| &p.entries) {
                let Principal::UniqueId(id) = &e.principal else { continue };
                let what = if id.starts_with("AROA") {
                    "role"
                } else if id.starts_with("AIDA") {
                    "user"
                } else {
                    "principal"
                };
                let message = format!(
                    "`{id}` is the unique id of a deleted {what}: this trust is dead, and a new {what} with the same name is not trusted"
                );
                cx.report(&Self::META, e.text.span, &e.text.pointer, message)
                    .label("IAM shows a deleted principal's id")
                    .help("remove the entry, or name the current principal's ARN if it was recreated");
            }
        }
    }
}
