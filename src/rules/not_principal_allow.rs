use super::{Context, Rule, declare_rule};
use crate::model::Effect;

declare_rule!(
    NotPrincipalAllow,
    code = "TL108",
    name = "not-principal-allow",
    severity = Error,
    summary = "`NotPrincipal` with `Allow` grants access to everyone except the principals listed",
);

impl Rule for NotPrincipalAllow {
    fn check_policy(&self, cx: &mut Context<'_>) {
        for s in &cx.unit.policy.statements {
            let Some(p) = s.principal.as_ref().filter(|p| p.negated && s.effect == Effect::Allow) else {
                continue;
            };
            let pointer = format!("{}/NotPrincipal", s.pointer);
            cx.report(
                &Self::META,
                p.span,
                &pointer,
                "`NotPrincipal` with `Allow` lets in every principal except those listed, in every account"
                    .to_owned(),
            )
            .label("everyone but these")
            .help("name the principals to allow under `Principal`; use `NotPrincipal` only with `Deny`");
        }
    }
}
