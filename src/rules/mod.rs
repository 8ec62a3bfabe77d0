//! The rule registry. A rule is one file: a struct, its metadata declared
//! with [`declare_rule!`], and a check over one policy at a time. Rules do no
//! I/O and no rendering; they ask the evaluation core questions.

mod assume_any_role;
mod assume_cycle;
mod broad_trust_action;
mod chained_session_duration;
mod condition_pitfall;
mod context;
mod deleted_principal;
mod excessive_session_duration;
mod invalid_external_id;
mod invalid_policy;
mod mismatched_principal_action;
mod missing_external_id;
mod not_principal_allow;
mod oidc_missing_audience;
mod oidc_unrestricted_subject;
mod privileged_role_reachable;
mod saml_missing_audience;
mod service_confused_deputy;
mod trust_policy_size;
mod unresolved_policy;
mod unused_suppression;
mod wildcard_principal;

pub use assume_any_role::AssumeAnyRole;
pub use assume_cycle::AssumeCycle;
pub use broad_trust_action::BroadTrustAction;
pub use chained_session_duration::ChainedSessionDuration;
pub use condition_pitfall::ConditionPitfall;
pub use context::{Context, GraphContext};
pub use deleted_principal::DeletedPrincipal;
pub use excessive_session_duration::ExcessiveSessionDuration;
pub use invalid_external_id::InvalidExternalId;
pub use invalid_policy::InvalidPolicy;
pub use mismatched_principal_action::MismatchedPrincipalAction;
pub use missing_external_id::MissingExternalId;
pub use not_principal_allow::NotPrincipalAllow;
pub use oidc_missing_audience::OidcMissingAudience;
pub use oidc_unrestricted_subject::OidcUnrestrictedSubject;
pub use privileged_role_reachable::PrivilegedRoleReachable;
pub use saml_missing_audience::SamlMissingAudience;
pub use service_confused_deputy::ServiceConfusedDeputy;
pub use trust_policy_size::TrustPolicySize;
pub use unresolved_policy::UnresolvedPolicy;
pub use unused_suppression::UnusedSuppression;
pub use wildcard_principal::WildcardPrincipal;

pub use crate::diagnostic::RuleMeta;

/// A rule's metadata; `declare_rule!` implements it.
pub trait Declared {
    fn meta(&self) -> &'static RuleMeta;
}

pub trait Rule: Sync + Declared {
    /// Checks one policy document with what is known about its owner.
    fn check_policy(&self, _cx: &mut Context<'_>) {}

    /// Whether the rule needs the assume-role graph (built only then).
    fn uses_graph(&self) -> bool {
        false
    }

    /// Checks the assume-role graph of everything analysed.
    fn check_graph(&self, _cx: &mut GraphContext<'_>) {}
}

/// Declares a rule's metadata and embeds its documentation page.
macro_rules! declare_rule {
    ($ty:ident, code = $code:literal, name = $name:literal, severity = $sev:ident, summary = $summary:literal $(,)?) => {
        pub struct $ty;

        impl $ty {
            pub const META: $crate::diagnostic::RuleMeta = $crate::diagnostic::RuleMeta {
                code: $code,
                name: $name,
                severity: $crate::diagnostic::Severity::$sev,
                summary: $summary,
                doc: include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/", $name, ".md")),
            };
        }

        impl $crate::rules::Declared for $ty {
            fn meta(&self) -> &'static $crate::diagnostic::RuleMeta {
                &Self::META
            }
        }
    };
}
pub(crate) use declare_rule;

/// Every rule, in code order.
pub static ALL: &[&dyn Rule] = &[
    &InvalidPolicy,
    &MismatchedPrincipalAction,
    &TrustPolicySize,
    &WildcardPrincipal,
    &MissingExternalId,
    &ExcessiveSessionDuration,
    &OidcUnrestrictedSubject,
    &OidcMissingAudience,
    &SamlMissingAudience,
    &ServiceConfusedDeputy,
    &NotPrincipalAllow,
    &BroadTrustAction,
    &DeletedPrincipal,
    &InvalidExternalId,
    &ConditionPitfall,
    &PrivilegedRoleReachable,
    &AssumeCycle,
    &AssumeAnyRole,
    &ChainedSessionDuration,
    &UnusedSuppression,
    &UnresolvedPolicy,
];

/// "; did you mean `NAME`?" when `given`, which names no rule, is a
/// misspelling of a rule's name; otherwise nothing. Codes are not guessed:
/// they differ from each other by a digit or two.
pub fn did_you_mean(given: &str) -> String {
    let lower = given.to_ascii_lowercase();
    crate::support::suggest::did_you_mean(&lower, ALL.iter().map(|r| r.meta().name))
        .map(|name| format!("; did you mean `{name}`?"))
        .unwrap_or_default()
}

/// Looks a rule up by name or code (case-insensitive).
pub fn find(name_or_code: &str) -> Option<&'static RuleMeta> {
    ALL.iter()
        .map(|r| r.meta())
        .find(|m| m.name.eq_ignore_ascii_case(name_or_code) || m.code.eq_ignore_ascii_case(name_or_code))
}

/// Rules selected by a name, a code, or a code prefix (`TL1` selects every
/// exposure rule).
pub fn matching(selector: &str) -> Vec<&'static RuleMeta> {
    let upper = selector.to_ascii_uppercase();
    ALL.iter()
        .map(|r| r.meta())
        .filter(|m| {
            m.name.eq_ignore_ascii_case(selector)
                || (upper.starts_with("TL") && m.code.starts_with(&upper))
                || upper == "ALL"
        })
        .collect()
}
