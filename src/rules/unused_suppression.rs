use super::{Rule, declare_rule};

declare_rule!(
    UnusedSuppression,
    code = "TL901",
    name = "unused-suppression",
    severity = Note,
    summary = "a suppression written in a template silences nothing: the finding it was for is gone, or it names no rule",
);

/// Reported by the suppression pass ([`crate::suppress`]), which alone knows
/// which suppressions were used.
impl Rule for UnusedSuppression {}
