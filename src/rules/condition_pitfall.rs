use super::{Context, Rule, declare_rule};
use crate::eval::keys::{self, known_key};
use crate::model::{BaseOp, Condition, Effect, Federated, Principal, Quantifier, Statement};

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
    // A key the template does not settle is not known to be wrong.
    if !known_key(lc) && !crate::model::symbolic::is_symbolic(key) {
        return Some((
            format!("`{key}` is not a condition key that `sts:AssumeRole` requests carry: the condition never sees a value"),
            "check the key's spelling; trust policies can use global `aws:` keys, `sts:` keys, `saml:` keys and the claims of federated providers".into(),
        ));
    }
    if s.effect != Effect::Allow {
        return None;
    }
    if let Some(found) = foreign_claim(s, c) {
        return Some(found);
    }
    if let Some(found) = wildcard_in_string_equals(c) {
        return Some(found);
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

/// A condition that needs a claim which the tokens of every federated
/// principal of the statement never carry (another provider's, another
/// cluster's): it is never true, and the statement admits nobody.
fn foreign_claim(s: &Statement, c: &Condition) -> Option<(String, String)> {
    let op = c.operator.value;
    let (prefix, claim) = crate::support::split_at_byte(&c.key_lc, b':')?;
    let needs_key =
        !(op.if_exists || op.base.is_negated() || op.quantifier == Some(Quantifier::ForAllValues))
            && (op.base != BaseOp::Null || c.values.iter().any(|v| v.value.eq_ignore_ascii_case("false")));
    let entries = &s.principal.as_ref()?.entries;
    let federated: Vec<&Federated> = entries
        .iter()
        .map(|e| match &e.principal {
            Principal::Federated(f) => Some(f),
            _ => None,
        })
        .collect::<Option<_>>()?;
    let first = *federated.first()?;
    if !needs_key || (!keys::is_claim_prefix(prefix) && prefix != "saml") {
        return None;
    }
    if !federated.iter().all(|f| crate::eval::never_carried(f, &c.key_lc)) {
        return None;
    }
    let key = &c.key.value;
    let issuer = match first {
        Federated::Oidc { issuer, .. } => Some(issuer.clone()),
        Federated::WebIdentity(host) => Some(host.clone()),
        Federated::Saml { .. } => None,
    };
    let (issuer, help) = match issuer {
        Some(own) => {
            let own_key = format!("{own}:{claim}");
            (own, format!("name the claim after the trusted provider: `{own_key}`"))
        }
        None => (
            "the SAML provider".to_owned(),
            "a SAML trust is conditioned on `saml:` keys (`SAML:aud`, `SAML:sub`, …)".to_owned(),
        ),
    };
    Some((
        format!(
            "tokens from `{issuer}` never carry `{key}`: this condition can never be satisfied, so the statement admits nobody"
        ),
        help,
    ))
}

/// `StringEquals` on a federated claim with a value that holds a wildcard:
/// `*` is a plain character there, and no real token's claim holds one.
fn wildcard_in_string_equals(c: &Condition) -> Option<(String, String)> {
    let op = c.operator.value;
    let (prefix, _) = crate::support::split_at_byte(&c.key_lc, b':')?;
    if !keys::is_claim_prefix(prefix)
        || !matches!(op.base, BaseOp::StringEquals | BaseOp::StringEqualsIgnoreCase)
    {
        return None;
    }
    let value = c.values.iter().find(|v| v.value.contains(['*', '?']))?;
    let (key, v) = (&c.key.value, &value.value);
    let op_name = op_text(c);
    Some((
        format!(
            "`{op_name}` compares `{key}` with `{v}` character for character: `*` and `?` are no wildcards there, so no token matches it"
        ),
        "did you mean `StringLike`? It reads `*` and `?` as wildcards; keep the pattern on your own repositories or projects".to_owned(),
    ))
}

/// The operator as written: the last token of its pointer, unescaped
/// (copied only when it has an escape).
fn op_text(c: &Condition) -> std::borrow::Cow<'_, str> {
    let token = c.operator.pointer.rsplit('/').next().unwrap_or("");
    if token.contains('~') {
        std::borrow::Cow::Owned(token.replace("~1", "/").replace("~0", "~"))
    } else {
        std::borrow::Cow::Borrowed(token)
    }
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
