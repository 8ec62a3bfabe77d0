use super::declare_rule;

declare_rule!(
    InvalidPolicy,
    code = "TL001",
    name = "invalid-policy",
    severity = Error,
    summary = "the document cannot be parsed or is not a valid IAM policy",
);

// Lowering and the sources find these problems while reading; the analysis
// turns each into a finding of this rule.
impl super::Rule for InvalidPolicy {}
