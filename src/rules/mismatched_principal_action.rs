use super::{Context, Rule, declare_rule};
use crate::eval::{ASSUME_ROLE, ASSUME_ROLE_WITH_SAML, ASSUME_ROLE_WITH_WEB_IDENTITY};
use crate::model::{Effect, Federated, Principal};

declare_rule!(
    MismatchedPrincipalAction,
    code = "TL002",
    name = "mismatched-principal-action",
    severity = Error,
    summary = "a trust statement's principal can never use its actions (SAML without `AssumeRoleWithSAML`, OIDC without `AssumeRoleWithWebIdentity`, …)",
);

impl Rule for MismatchedPrincipalAction {
    fn check_policy(&self, cx: &mut Context<'_>) {
        let Some(policy) = cx.trust_policy() else { return };
        for s in &policy.statements {
            if s.effect != Effect::Allow {
                continue;
            }
            let Some(p) = s.principal.as_ref().filter(|p| !p.negated) else { continue };
            // A statement with no assume action at all (only `sts:TagSession`
            // or `sts:SetSourceIdentity`, next to another that allows the
            // assume) is the documented way to allow session tags.
            if ![ASSUME_ROLE, ASSUME_ROLE_WITH_SAML, ASSUME_ROLE_WITH_WEB_IDENTITY]
                .iter()
                .any(|a| s.actions.covers(a))
            {
                continue;
            }
            for e in &p.entries {
                let (needs, what) = match &e.principal {
                    Principal::Federated(Federated::Saml { .. }) => {
                        (ASSUME_ROLE_WITH_SAML, "a SAML provider")
                    }
                    Principal::Federated(_) => (ASSUME_ROLE_WITH_WEB_IDENTITY, "a web identity provider"),
                    Principal::Account { .. } | Principal::Arn(_) | Principal::Service(_) => {
                        (ASSUME_ROLE, "this principal")
                    }
                    _ => continue,
                };
                if s.actions.covers(needs) {
                    continue;
                }
                let message = format!(
                    "{what} can only assume a role with `{needs}`, which this statement does not allow: the trust never works"
                );
                cx.report(&Self::META, e.text.span, &e.text.pointer, message)
                    .help(format!("allow `{needs}` for `{}`", e.text.value));
            }
        }
    }
}
