use super::{Context, Rule, declare_rule};
use crate::model::PolicyKind;

declare_rule!(
    TrustPolicySize,
    code = "TL003",
    name = "trust-policy-size",
    severity = Note,
    summary = "the trust policy is longer than IAM's 2,048-character default quota (4,096 at most)",
);

/// IAM's quota for a role trust policy, in characters without whitespace.
const DEFAULT_QUOTA: usize = 2048;
const MAX_QUOTA: usize = 4096;

impl Rule for TrustPolicySize {
    fn check_policy(&self, cx: &mut Context<'_>) {
        let policy = &cx.unit.policy;
        if policy.kind != PolicyKind::Trust || policy.size <= DEFAULT_QUOTA {
            return;
        }
        let size = policy.size;
        let (message, help) = if size > MAX_QUOTA {
            (
                format!(
                    "this trust policy is {size} characters without whitespace: above the 4,096 IAM allows at most, so IAM rejects it"
                ),
                "split the trust across roles, or replace lists of principals with an `aws:PrincipalOrgID` or `aws:PrincipalArn` condition",
            )
        } else {
            (
                format!(
                    "this trust policy is {size} characters without whitespace: above the 2,048-character default quota (raisable to 4,096)"
                ),
                "raise the \"Role trust policy length\" quota in Service Quotas, or shorten the policy",
            )
        };
        let span = crate::source::Span::new(policy.span.start, policy.span.start + 1);
        cx.report(&Self::META, span, "", message).help(help);
    }
}
