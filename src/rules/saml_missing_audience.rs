use super::{Context, Rule, RuleMeta, declare_rule};
use crate::eval::{Domain, Scenario, allows};
use crate::model::{Federated, Principal};

declare_rule!(
    SamlMissingAudience,
    code = "TL106",
    name = "saml-missing-audience",
    severity = Warning,
    summary = "a SAML trust does not pin `SAML:aud` to the AWS sign-in endpoint",
);

impl Rule for SamlMissingAudience {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_policy(&self, cx: &mut Context<'_>) {
        let Some(policy) = cx.trust_policy() else { return };
        for (i, s, principals) in policy.grants() {
            for entry in &principals.entries {
                let Principal::Federated(f @ Federated::Saml { .. }) = &entry.principal else { continue };
                let other =
                    Scenario::federated(f.clone()).with("saml:aud", Domain::Unknown { optional: false });
                if allows(policy, i, &other).is_none() {
                    continue;
                }
                let aud = s.conditions.iter().find(|c| c.key_lc == "saml:aud");
                let (span, pointer) = match aud.and_then(|c| c.values.first()) {
                    Some(v) => (v.span, v.pointer.clone()),
                    None => (entry.text.span, entry.text.pointer.clone()),
                };
                cx.report(
                    &Self::META,
                    span,
                    &pointer,
                    "SAML assertions for any audience can assume this role: `SAML:aud` is not pinned"
                        .to_owned(),
                )
                .help("add `\"StringEquals\": {\"SAML:aud\": \"https://signin.aws.amazon.com/saml\"}`");
            }
        }
    }
}
