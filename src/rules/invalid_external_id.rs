use super::{Context, Rule, declare_rule};
use crate::model::BaseOp;
use crate::model::arn::is_account_id;

declare_rule!(
    InvalidExternalId,
    code = "TL201",
    name = "invalid-external-id",
    severity = Warning,
    summary = "an `sts:ExternalId` value STS can never send, or one that is easy to guess",
);

/// STS accepts external ids of 2 to 1,224 characters.
const LENGTH: std::ops::RangeInclusive<usize> = 2..=1224;
/// Shorter external ids are guessable.
const MIN_SAFE_LENGTH: usize = 8;
const COMMON: [&str; 16] = [
    "external",
    "externalid",
    "external-id",
    "external_id",
    "secret",
    "password",
    "test",
    "changeme",
    "default",
    "example",
    "admin",
    "none",
    "null",
    "12345678",
    "123456789",
    "abcdefgh",
];

/// Characters STS accepts in an external id: `[\w+=,.@:/-]`.
fn allowed(c: char) -> bool {
    c.is_ascii_alphanumeric() || "_+=,.@:/-".contains(c)
}

impl Rule for InvalidExternalId {
    fn check_policy(&self, cx: &mut Context<'_>) {
        for s in &cx.unit.policy.statements {
            for c in s.conditions.iter().filter(|c| c.key_lc == "sts:externalid") {
                let op = c.operator.value.base;
                if !matches!(op, BaseOp::StringEquals | BaseOp::StringEqualsIgnoreCase | BaseOp::StringLike) {
                    continue;
                }
                for v in &c.values {
                    // A policy variable, or a template parameter without a default.
                    let unknown = cx.unit.policy.variables && crate::eval::has_variable(&v.value);
                    if unknown || crate::model::symbolic::is_symbolic(&v.value) {
                        continue;
                    }
                    let pattern = op == BaseOp::StringLike;
                    let text: String =
                        if pattern { v.value.replace(['*', '?'], "") } else { v.value.clone() };
                    if pattern && text.len() < v.value.len() {
                        // A pattern: only its fixed characters can be checked.
                        if let Some(bad) = text.chars().find(|&ch| !allowed(ch)) {
                            let message = format!(
                                "`{}` can never match: STS external ids cannot contain `{}`",
                                v.value,
                                bad.escape_default()
                            );
                            cx.report(&Self::META, v.span, &v.pointer, message);
                        }
                        continue;
                    }
                    let n = v.value.chars().count();
                    let problem = if !LENGTH.contains(&n) {
                        Some(format!(
                            "`{}` can never be sent: STS external ids are 2 to 1224 characters long",
                            v.value
                        ))
                    } else if let Some(bad) = v.value.chars().find(|&ch| !allowed(ch)) {
                        Some(format!(
                            "`{}` can never be sent: STS external ids cannot contain `{}` (only letters, digits and `_+=,.@:/-`)",
                            v.value,
                            bad.escape_default()
                        ))
                    } else if is_account_id(&v.value) {
                        Some(format!(
                            "`{}` is an account id: external ids must be secret-like values the third party generates, not something anyone can look up",
                            v.value
                        ))
                    } else if COMMON.contains(&v.value.to_ascii_lowercase().as_str()) {
                        Some(format!("`{}` is a common word: anyone can guess this external id", v.value))
                    } else if n < MIN_SAFE_LENGTH {
                        Some(format!(
                            "`{}` is {n} characters long: an external id this short can be guessed",
                            v.value
                        ))
                    } else {
                        None
                    };
                    if let Some(message) = problem {
                        cx.report(&Self::META, v.span, &v.pointer, message)
                            .help("use the unique external id the third party gives you (typically a UUID)");
                    }
                }
            }
        }
    }
}
