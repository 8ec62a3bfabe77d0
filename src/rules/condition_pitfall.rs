use super::{Context, Rule, declare_rule};
use crate::eval::keys::known_key;
use crate::model::{BaseOp, Condition, Effect, Quantifier, Statement};

declare_rule!(
    ConditionPitfall,
    code = "TL202",
    name = "condition-pitfall",
    severity = Warning,
    summary = "a condition that does not do what it seems to: `ForAllValues` or `…IfExists` on a key the caller can leave out, string operators on ARNs, a key spelled twice, a key STS never sends",
);

/// Keys every `sts:AssumeRole*` request carries: `…IfExists` on them is
/// harmless.
const ALWAYS_PRESENT: [&str; 11] = [
    "aws:principalarn",
    "aws:principalaccount",
    "aws:principaltype",
    "aws:principalisawsservice",
    "aws:userid",
    "aws:currenttime",
    "aws:epochtime",
    "aws:securetransport",
    "aws:requestedregion",
    "aws:resourceaccount",
    "sts:rolesessionname",
];

/// ARN-valued keys, which Arn operators compare part by part.
const ARN_KEYS: [&str; 3] = ["aws:principalarn", "aws:sourcearn", "aws:sourcevpcarn"];

fn has_null_check(s: &Statement, key: &str) -> bool {
    s.conditions.iter().any(|c| {
        c.operator.value.base == BaseOp::Null
            && c.key_lc == key
            && c.values.iter().any(|v| v.value.eq_ignore_ascii_case("false"))
    })
}

impl Rule for ConditionPitfall {
    fn check_policy(&self, cx: &mut Context<'_>) {
        let policy = &cx.unit.policy;
        if policy.kind != crate::model::PolicyKind::Trust {
            return;
        }
        for s in &policy.statements {
            for (i, c) in s.conditions.iter().enumerate() {
                if let Some((message, help)) = pitfall(s, c, &s.conditions[..i]) {
                    cx.report(&Self::META, c.key.span, &c.key.pointer, message).help(help);
                }
            }
        }
    }
}

/// The first pitfall of condition `c` of statement `s`; `before` are the
/// statement's earlier conditions.
fn pitfall(s: &Statement, c: &Condition, before: &[Condition]) -> Option<(String, String)> {
    let op = c.operator.value;
    let (key, lc) = (&c.key.value, c.key_lc.as_str());
    let op_name = op_text(c);
    if before
        .iter()
        .any(|b| b.operator.span == c.operator.span && b.key_lc == lc && b.key.value != c.key.value)
    {
        return Some((
            format!(
                "`{key}` appears twice in `{op_name}` in different case: condition keys are case-insensitive, so IAM rejects this"
            ),
            "keep one spelling and put all the values in it".into(),
        ));
    }
    if !known_key(lc) {
        return Some((
            format!("`{key}` is not a condition key that `sts:AssumeRole` requests carry: the condition never sees a value"),
            "check the key's spelling; trust policies can use global `aws:` keys, `sts:` keys, `saml:` keys and the claims of federated providers".into(),
        ));
    }
    if s.effect != Effect::Allow {
        return None;
    }
    if op.quantifier == Some(Quantifier::ForAllValues) && !has_null_check(s, lc) {
        return Some((
            format!("`{op_name}` is true when `{key}` is absent: a request without the key passes"),
            format!(
                "use `ForAnyValue:` or a single-valued operator, or add `\"Null\": {{\"{key}\": \"false\"}}`"
            ),
        ));
    }
    if op.if_exists && !op.base.is_negated() && !ALWAYS_PRESENT.contains(&lc) && !has_null_check(s, lc) {
        return Some((
            format!("`{op_name}` is true when `{key}` is absent, and a caller can leave it out"),
            format!(
                "drop `IfExists`: `{}` requires the key",
                &op_name[..op_name.len().saturating_sub("IfExists".len())]
            ),
        ));
    }
    if ARN_KEYS.contains(&lc)
        && matches!(
            op.base,
            BaseOp::StringLike | BaseOp::StringNotLike | BaseOp::StringEquals | BaseOp::StringNotEquals
        )
        && c.values.iter().any(|v| v.value.contains(['*', '?']))
    {
        return Some((
            format!(
                "`{op_name}` compares `{key}` as plain text: a `*` there can match across the colons that separate the ARN's parts"
            ),
            "use `ArnLike` / `ArnEquals`, which match each part of the ARN on its own".into(),
        ));
    }
    None
}

fn op_text(c: &Condition) -> String {
    c.operator.pointer.rsplit('/').next().unwrap_or("").replace("~1", "/").replace("~0", "~")
}

#[cfg(test)]
mod tests {
    use crate::eval::keys::known_key;

    #[test]
    fn keys() {
        assert!(known_key("aws:principalorgid"));
        assert!(known_key("aws:principaltag/team"));
        assert!(known_key("sts:externalid"));
        assert!(known_key("token.actions.githubusercontent.com:sub"));
        assert!(known_key("saml:aud"));
        assert!(!known_key("aws:principleorgid"));
        assert!(!known_key("s3:prefix"));
        assert!(!known_key("sts:externalld"));
    }
}
