//! `OpenID` Connect providers whose tokens many tenants can mint: for each,
//! which claim names the tenant and how another tenant would fill it in.
//!
//! A role trusting GitHub Actions' provider trusts every repository on
//! GitHub unless its conditions pin the token's subject to your own. The
//! evaluation core asks whether a token from another tenant — an
//! organization, group, workspace or namespace someone else controls — gets
//! through; these shapes say what such a token looks like.

use std::borrow::Cow;

use super::{Domain, Scenario, instantiate};
use crate::model::Federated;
use crate::support::starts_with_ignore_case;

/// The tenant an attacker controls on a shared provider.
pub const ATTACKER: &str = "trustlint-attacker";

/// A claim that names the tenant: its name, how another tenant's token
/// fills it in given a literal the policy names, and its default value.
pub type Claim = (&'static str, Rewrite, &'static str);

/// Turns a value the policy names into another tenant's version of it.
pub type Rewrite = fn(&str) -> Option<String>;

/// A shared OIDC provider.
pub struct Provider {
    /// For messages: "GitHub Actions".
    pub name: &'static str,
    /// Who gets in when the subject is not pinned: "any GitHub repository".
    pub anyone: &'static str,
    /// Recognises the provider's issuer (host and path, as in the ARN).
    pub matches: fn(&str) -> bool,
    /// Whether this issuer is already specific to one tenant (a GitHub
    /// Enterprise issuer, a Bitbucket workspace, a `CircleCI` organization).
    pub issuer_is_tenant: fn(&str) -> bool,
    /// Claims that name the tenant: claim name, rewrite, default value.
    pub claims: &'static [Claim],
    /// An example of a pinned subject, for help texts.
    pub example: &'static str,
}

/// Replaces the tenant segment of `value` after `prefix`, up to `end`, with
/// the attacker's. A literal tenant becomes the attacker's name; one with
/// wildcards keeps its fixed text around the attacker's (`org*` →
/// `orgtrustlint-attacker`), as a name someone else can register.
fn rewrite_segment(value: &str, prefix: &str, end: char) -> Option<String> {
    let rest = value.strip_prefix(prefix)?;
    let (tenant, tail) = rest.split_once(end).map_or((rest, ""), |(t, r)| (t, r));
    let theirs = if tenant.contains(['*', '?']) {
        instantiate(&tenant.replacen('*', ATTACKER, 1))
    } else {
        ATTACKER.to_owned()
    };
    let sep = if rest.contains(end) { end.to_string() } else { String::new() };
    Some([prefix, &theirs, &sep, &instantiate(tail)].concat())
}

fn github_sub(v: &str) -> Option<String> {
    rewrite_segment(v, "repo:", '/')
}

fn owner_slash(v: &str) -> Option<String> {
    rewrite_segment(v, "", '/')
}

/// A claim that is the tenant itself (`repository_owner`): someone else's
/// name, or one a wildcard in the policy lets them register.
#[allow(clippy::unnecessary_wraps)] // one signature for every rewrite
fn whole(v: &str) -> Option<String> {
    if v.contains(['*', '?']) {
        Some(instantiate(&v.replacen('*', ATTACKER, 1)))
    } else {
        Some(ATTACKER.to_owned())
    }
}

fn gitlab_sub(v: &str) -> Option<String> {
    rewrite_segment(v, "project_path:", '/')
}

fn terraform_sub(v: &str) -> Option<String> {
    rewrite_segment(v, "organization:", ':')
}

fn eks_sub(v: &str) -> Option<String> {
    rewrite_segment(v, "system:serviceaccount:", ':')
}

fn never(_: &str) -> bool {
    false
}

pub const PROVIDERS: [Provider; 4] = [
    Provider {
        name: "GitHub Actions",
        anyone: "any GitHub Actions workflow, in any repository of any organization,",
        matches: |i| {
            i.eq_ignore_ascii_case("token.actions.githubusercontent.com")
                || starts_with_ignore_case(i, "token.actions.githubusercontent.com/")
        },
        issuer_is_tenant: |i| i.contains('/'),
        claims: &[
            ("sub", github_sub, "repo:trustlint-attacker/app:ref:refs/heads/main"),
            ("repository", owner_slash, "trustlint-attacker/app"),
            ("repository_owner", whole, "trustlint-attacker"),
            (
                "job_workflow_ref",
                owner_slash,
                "trustlint-attacker/app/.github/workflows/deploy.yml@refs/heads/main",
            ),
        ],
        example: "repo:YOUR-ORG/YOUR-REPO:ref:refs/heads/main",
    },
    Provider {
        name: "GitLab",
        anyone: "any GitLab CI job, in any project of any group,",
        matches: |i| i.eq_ignore_ascii_case("gitlab.com"),
        issuer_is_tenant: never,
        claims: &[
            ("sub", gitlab_sub, "project_path:trustlint-attacker/app:ref_type:branch:ref:main"),
            ("project_path", owner_slash, "trustlint-attacker/app"),
            ("namespace_path", whole, "trustlint-attacker"),
        ],
        example: "project_path:YOUR-GROUP/YOUR-PROJECT:ref_type:branch:ref:main",
    },
    Provider {
        name: "Terraform Cloud",
        anyone: "any Terraform Cloud run, in any organization,",
        matches: |i| i.eq_ignore_ascii_case("app.terraform.io"),
        issuer_is_tenant: never,
        claims: &[
            ("sub", terraform_sub, "organization:trustlint-attacker:project:p:workspace:w:run_phase:apply"),
            ("terraform_organization_name", whole, "trustlint-attacker"),
        ],
        example: "organization:YOUR-ORG:project:YOUR-PROJECT:workspace:YOUR-WORKSPACE:run_phase:apply",
    },
    Provider {
        name: "Amazon EKS",
        anyone: "any service account, in any namespace of the cluster,",
        matches: |i| {
            starts_with_ignore_case(i, "oidc.eks.") && i.to_ascii_lowercase().contains(".amazonaws.com/id/")
        },
        issuer_is_tenant: never,
        claims: &[("sub", eks_sub, "system:serviceaccount:trustlint-attacker:default")],
        example: "system:serviceaccount:YOUR-NAMESPACE:YOUR-SERVICE-ACCOUNT",
    },
];

/// Issuers that are specific to one tenant already: their tokens come from
/// your workspace or organization only.
pub fn tenant_issuer(issuer: &str) -> bool {
    starts_with_ignore_case(issuer, "api.bitbucket.org/2.0/workspaces/")
        || starts_with_ignore_case(issuer, "oidc.circleci.com/org/")
}

/// The issuer of a web identity principal whose tokens many tenants can
/// mint (`None` for SAML, Cognito, and issuers of one tenant).
pub fn shared_issuer(f: &Federated) -> Option<&str> {
    let issuer = match f {
        Federated::Oidc { issuer, .. } => issuer.as_str(),
        Federated::WebIdentity(host) if host != "cognito-identity.amazonaws.com" => host.as_str(),
        _ => return None,
    };
    let one_tenant = tenant_issuer(issuer) || provider(issuer).is_some_and(|p| (p.issuer_is_tenant)(issuer));
    (!one_tenant).then_some(issuer)
}

/// Whether statement `si` of `policy` lets a token of another tenant of
/// `f`'s provider in: what `oidc-unrestricted-subject` reports.
pub fn admits_other_tenants(policy: &crate::model::Policy, si: usize, f: &Federated) -> bool {
    shared_issuer(f).is_some() && super::admits(policy, si, &Scenario::other_tenant(f))
}

pub fn provider(issuer: &str) -> Option<&'static Provider> {
    PROVIDERS.iter().find(|p| (p.matches)(issuer))
}

/// The issuer or host that prefixes a federated principal's condition keys.
pub fn key_prefix(f: &Federated) -> Option<String> {
    match f {
        Federated::Oidc { issuer, .. } => Some(issuer.to_ascii_lowercase()),
        Federated::WebIdentity(host) => Some(host.to_ascii_lowercase()),
        Federated::Saml { .. } => None,
    }
}

impl Scenario {
    /// A token from a tenant of `f`'s provider that is not you: its tenant
    /// claims are its own, its other claims (audience, branch, environment)
    /// whatever it likes. For providers without known tenants, a subject the
    /// policy does not name.
    pub fn other_tenant(f: &Federated) -> Self {
        let mut sc = Self::federated(f.clone());
        let Some(prefix) = key_prefix(f) else { return sc };
        let issuer = match f {
            Federated::Oidc { issuer, .. } => issuer.as_str(),
            _ => "",
        };
        // The keys are the provider's claims under its (lowercase) prefix:
        // none of them is among the keys `federated` set, and no two are
        // the same, so they are added as they are, not key by key (a rule
        // asks this of every federated trust).
        match provider(issuer) {
            Some(p) => sc.keys.extend(p.claims.iter().map(|(claim, rewrite, default)| {
                let key = [prefix.as_str(), ":", claim].concat();
                (Cow::Owned(key), Domain::Foreign { rewrite: *rewrite, default })
            })),
            None => sc
                .keys
                .push((Cow::Owned([prefix.as_str(), ":sub"].concat()), Domain::Unknown { optional: false })),
        }
        sc
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewrites_tenants() {
        assert_eq!(
            github_sub("repo:my-org/app:ref:refs/heads/main").unwrap(),
            "repo:trustlint-attacker/app:ref:refs/heads/main"
        );
        assert_eq!(github_sub("repo:my-org/*").unwrap(), "repo:trustlint-attacker/");
        assert_eq!(github_sub("repo:my-org*").unwrap(), "repo:my-orgtrustlint-attacker");
        assert_eq!(github_sub("repo:*").unwrap(), "repo:trustlint-attacker");
        assert_eq!(
            github_sub("repo:my-org@123/app@456:ref:x").unwrap(),
            "repo:trustlint-attacker/app@456:ref:x"
        );
        assert_eq!(
            terraform_sub("organization:acme:project:*").unwrap(),
            "organization:trustlint-attacker:project:"
        );
        assert_eq!(
            eks_sub("system:serviceaccount:prod:api").unwrap(),
            "system:serviceaccount:trustlint-attacker:api"
        );
        assert!(github_sub("something").is_none());
        assert!(provider("token.actions.githubusercontent.com").is_some());
        assert!(provider("oidc.eks.eu-west-1.amazonaws.com/id/ABC").is_some());
        assert!(provider("example.com").is_none());
    }
}
