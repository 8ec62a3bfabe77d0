use super::{Context, Rule, declare_rule};
use crate::eval::providers::{self, key_prefix};
use crate::eval::{Scenario, allows};
use crate::model::Principal;

declare_rule!(
    OidcUnrestrictedSubject,
    code = "TL104",
    name = "oidc-unrestricted-subject",
    severity = Error,
    summary = "a web-identity trust does not pin the token's subject to your own repositories, projects or service accounts",
);

impl Rule for OidcUnrestrictedSubject {
    fn check_policy(&self, cx: &mut Context<'_>) {
        let Some(policy) = cx.trust_policy() else { return };
        for (i, s, principals) in policy.grants() {
            for entry in &principals.entries {
                let Principal::Federated(f) = &entry.principal else { continue };
                // Cognito is pinned by its audience (`oidc-missing-audience`);
                // an issuer of one tenant has no other tenants.
                let Some(issuer) = providers::shared_issuer(f) else { continue };
                let provider = providers::provider(issuer);
                let Some(witness) = allows(policy, i, &Scenario::other_tenant(f)) else { continue };
                // Point at the subject condition when there is one.
                let prefix = key_prefix(f).unwrap_or_default();
                let sub_key = format!("{prefix}:sub");
                let sub = s.conditions.iter().find(|c| c.key_lc == sub_key);
                // The value that lets the other tenant's subject through.
                let theirs = witness.get(&sub_key).unwrap_or_default();
                let open = sub.and_then(|c| {
                    c.values
                        .iter()
                        .find(|v| crate::eval::matches(c.operator.value.base, &v.value, theirs) == Some(true))
                        .or_else(|| c.values.first())
                });
                let (span, pointer) = match open {
                    Some(v) => (v.span, v.pointer.clone()),
                    None => (entry.text.span, entry.text.pointer.clone()),
                };
                let (who, example) = match provider {
                    Some(p) => (p.anyone.to_owned(), p.example),
                    None => (format!("any identity `{issuer}` issues tokens to"), ""),
                };
                let why = if sub.is_some() {
                    "its subject pattern matches other tenants"
                } else {
                    "nothing pins the token's subject"
                };
                let message = format!("{who} can assume this role: {why}");
                cx.report(&Self::META, span, &pointer, message)
                    .label(if sub.is_some() { "matches other tenants' tokens" } else { "trusts every token of this provider" })
                    .help(if example.is_empty() {
                        format!("pin `{issuer}:sub` with `StringEquals` to the subjects of your own workloads")
                    } else {
                        format!("pin `{issuer}:sub` with `StringEquals` (or `StringLike` on your own tenant), e.g. `{example}`")
                    });
            }
        }
    }
}
