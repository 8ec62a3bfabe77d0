use super::{Context, Rule, declare_rule};
use crate::eval::providers::key_prefix;
use crate::eval::{Domain, Scenario, admits};
use crate::model::{Federated, Principal};

declare_rule!(
    OidcMissingAudience,
    code = "TL105",
    name = "oidc-missing-audience",
    severity = Warning,
    summary = "a web-identity trust does not pin the token's audience, or admits unauthenticated Cognito identities",
);

const COGNITO: &str = "cognito-identity.amazonaws.com";

impl Rule for OidcMissingAudience {
    fn check_policy(&self, cx: &mut Context<'_>) {
        let Some(policy) = cx.trust_policy() else { return };
        for (i, s, principals) in policy.grants() {
            for entry in &principals.entries {
                let Principal::Federated(f) = &entry.principal else { continue };
                if matches!(f, Federated::Saml { .. }) {
                    continue;
                }
                // STS accepts only tokens whose audience is one of the
                // provider's client ids: a provider declared next to the role
                // with its list settles the audience already.
                if let Federated::Oidc { account, issuer } = f
                    && cx.oidc_providers.iter().any(|p| {
                        p.is(account, issuer) && p.client_ids.as_ref().is_some_and(|ids| !ids.is_empty())
                    })
                {
                    continue;
                }
                let prefix = key_prefix(f).unwrap_or_default();
                let aud_key = [prefix.as_str(), ":aud"].concat();
                // A token for some other audience than the one the policy names.
                let other_audience =
                    Scenario::federated(f.clone()).with(&aud_key, Domain::Unknown { optional: false });
                if admits(policy, i, &other_audience) {
                    let at = s.value_of_or(&aud_key, &entry.text);
                    let (span, pointer) = (at.span, at.pointer.clone());
                    let (message, help) = if prefix == COGNITO {
                        (
                            "any Cognito identity pool's identities can assume this role: `cognito-identity.amazonaws.com:aud` does not pin your identity pool".to_owned(),
                            "add `\"StringEquals\": {\"cognito-identity.amazonaws.com:aud\": \"REGION:POOL-ID\"}`".to_owned(),
                        )
                    } else {
                        (
                            format!(
                                "tokens issued for any audience can assume this role: `{prefix}:aud` is not pinned"
                            ),
                            format!(
                                "add `\"StringEquals\": {{\"{prefix}:aud\": \"…\"}}` with the audience your tokens are issued for (`sts.amazonaws.com` for GitHub Actions and EKS, your client id elsewhere)"
                            ),
                        )
                    };
                    cx.report(&Self::META, span, &pointer, message).help(help);
                    continue;
                }
                if prefix == COGNITO {
                    let guest = Scenario::federated(f.clone())
                        .with("cognito-identity.amazonaws.com:amr", Domain::Fixed("unauthenticated".into()));
                    if admits(policy, i, &guest) {
                        let at = s.value_of_or("cognito-identity.amazonaws.com:amr", &entry.text);
                        let (span, pointer) = (at.span, at.pointer.clone());
                        cx.report(&Self::META, span, &pointer, "unauthenticated (guest) Cognito identities can assume this role".to_owned())
                            .help("require `\"ForAnyValue:StringLike\": {\"cognito-identity.amazonaws.com:amr\": \"authenticated\"}` unless this is the pool's guest role");
                    }
                }
            }
        }
    }
}
