use super::{Context, Rule, declare_rule};
use crate::eval::{Domain, Scenario, admits};
use crate::model::{Federated, Principal};

declare_rule!(
    SamlMissingAudience,
    code = "TL106",
    name = "saml-missing-audience",
    severity = Warning,
    summary = "a SAML trust does not pin `SAML:aud` to the AWS sign-in endpoint",
);

impl Rule for SamlMissingAudience {
    fn check_policy(&self, cx: &mut Context<'_>) {
        let Some(policy) = cx.trust_policy() else { return };
        for (i, s, principals) in policy.grants() {
            for entry in &principals.entries {
                let Principal::Federated(f @ Federated::Saml { .. }) = &entry.principal else { continue };
                let other =
                    Scenario::federated(f.clone()).with("saml:aud", Domain::Unknown { optional: false });
                if !admits(policy, i, &other) {
                    continue;
                }
                let at = s.value_of_or("saml:aud", &entry.text);
                let (span, pointer) = (at.span, at.pointer.clone());
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
