use super::{Context, Rule, declare_rule};
use crate::model::Effect;

declare_rule!(
    BroadTrustAction,
    code = "TL109",
    name = "broad-trust-action",
    severity = Warning,
    summary = "a trust statement allows `*`, `sts:*` or uses `NotAction`, handing out more than the assume action it needs",
);

impl Rule for BroadTrustAction {
    fn check_policy(&self, cx: &mut Context<'_>) {
        let Some(policy) = cx.trust_policy() else { return };
        for s in &policy.statements {
            if s.effect != Effect::Allow || s.principal.is_none() {
                continue;
            }
            if s.actions.negated {
                let Some(first) = s.actions.items.first() else { continue };
                let pointer = format!("{}/NotAction", s.pointer);
                cx.report(&Self::META, first.span, &pointer, "`NotAction` in a trust statement allows every STS action not listed".to_owned())
                    .help("list the assume action this trust needs (`sts:AssumeRole`, and `sts:TagSession` or `sts:SetSourceIdentity` if used)");
                continue;
            }
            for a in &s.actions.items {
                let v = a.value.to_ascii_lowercase();
                if v == "*" || v == "sts:*" || v == "*:*" {
                    let message = format!(
                        "`{}` allows every STS action on this role, not only the assume action",
                        a.value
                    );
                    cx.report(&Self::META, a.span, &a.pointer, message)
                        .label("every action")
                        .help("allow `sts:AssumeRole` (or `sts:AssumeRoleWithWebIdentity`, `sts:AssumeRoleWithSAML`), plus `sts:TagSession` or `sts:SetSourceIdentity` when they are used");
                }
            }
        }
    }
}
