use super::{Context, Rule, declare_rule};
use crate::eval::{Scenario, admits, fresh_account};
use crate::model::Principal;

declare_rule!(
    WildcardPrincipal,
    code = "TL101",
    name = "wildcard-principal",
    severity = Error,
    summary = "any AWS principal, in any account, can assume the role",
);

impl Rule for WildcardPrincipal {
    fn check_policy(&self, cx: &mut Context<'_>) {
        let Some(policy) = cx.trust_policy() else { return };
        // A caller in an account nobody named, outside your organization,
        // free to set every key it controls (an external id is not a secret).
        // Made for the first statement that names `*`, shared by the others.
        let mut outsider = None;
        for (i, s, principals) in policy.grants() {
            let Some(star) = principals.entries.iter().find(|e| e.principal == Principal::Anyone) else {
                continue;
            };
            let outsider = outsider
                .get_or_insert_with(|| Scenario::aws_principal(&fresh_account(policy, cx.env), true, cx.env));
            if !admits(policy, i, outsider) {
                continue;
            }
            let message = if s.conditions.is_empty() {
                "any AWS principal can assume this role".to_owned()
            } else {
                "any AWS principal can assume this role: its conditions do not narrow the caller to known principals".to_owned()
            };
            cx.report(&Self::META, star.text.span, &star.text.pointer, message)
                .label("`*` matches every principal in every AWS account")
                .help("name the trusted account or role, or add an `aws:PrincipalOrgID` condition");
        }
    }
}
