use super::{Rule, declare_rule};

declare_rule!(
    UnresolvedPolicy,
    code = "TL902",
    name = "unresolved-policy",
    severity = Note,
    summary = "a role's trust (or a policy) could not be built from the source: an unresolved module, an unknown value used as a whole policy, an evaluation budget passed",
);

/// Reported by the Terraform source, which alone knows what it could not
/// evaluate.
impl Rule for UnresolvedPolicy {}
