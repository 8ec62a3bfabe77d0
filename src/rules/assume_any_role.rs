use super::{Context, Rule, declare_rule};
use crate::eval::ASSUME_ROLE;
use crate::model::arn::Arn;
use crate::model::{Effect, PolicyKind};

declare_rule!(
    AssumeAnyRole,
    code = "TL303",
    name = "assume-any-role",
    severity = Warning,
    summary = "an identity policy allows `sts:AssumeRole` on every role, or on every role of another account",
);

impl Rule for AssumeAnyRole {
    fn check_policy(&self, cx: &mut Context<'_>) {
        let policy = &cx.unit.policy;
        if policy.kind != PolicyKind::Identity {
            return;
        }
        // AWS managed policies are AWS's to change, not yours.
        if cx.unit.owner.arn.as_deref().is_some_and(|a| a.contains(":iam::aws:policy/")) {
            return;
        }
        let own = cx.unit.owner.account().map(str::to_owned);
        for s in &policy.statements {
            if s.effect != Effect::Allow || !s.actions.covers(ASSUME_ROLE) {
                continue;
            }
            let Some(resources) = &s.resources else { continue };
            if resources.negated {
                let Some(first) = resources.items.first() else { continue };
                let message = "`NotResource` with `sts:AssumeRole` allows assuming every role not listed, in every account".to_owned();
                cx.report(&Self::META, first.span, &first.pointer, message)
                    .help("list the roles this principal needs under `Resource`");
                continue;
            }
            for r in &resources.items {
                let Some(scope) = every_role(&r.value, own.as_deref()) else { continue };
                let message = format!("allows `sts:AssumeRole` on {scope}");
                cx.report(&Self::META, r.span, &r.pointer, message)
                    .label("every role")
                    .help("name the roles this principal needs; any role that trusts this account becomes reachable otherwise");
            }
        }
    }
}

/// Describes the roles a resource pattern covers when it is every role, or
/// every role of an account other than `own`.
fn every_role(pattern: &str, own: Option<&str>) -> Option<String> {
    if pattern == "*" {
        return Some("`*`: every role in every account".to_owned());
    }
    let arn = Arn::parse(pattern)?;
    let all_roles = matches!(arn.resource(), "*" | "role/*" | "role*" | "ro*" | "r*");
    if !all_roles || !crate::eval::glob(arn.service(), "iam") {
        return None;
    }
    match arn.account() {
        "*" => Some(format!("`{pattern}`: every role in every account")),
        // An empty account matches no role: roles always have one.
        "" => None,
        a if a.contains(['*', '?']) => Some(format!("`{pattern}`: every role in many accounts")),
        a if own.is_some_and(|o| o != a) => Some(format!("`{pattern}`: every role of account `{a}`")),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::every_role;

    #[test]
    fn patterns() {
        assert!(every_role("*", None).is_some());
        assert!(every_role("arn:aws:iam::*:role/*", None).is_some());
        assert!(every_role("arn:aws:iam::222222222222:role/*", Some("111111111111")).is_some());
        assert!(every_role("arn:aws:iam::111111111111:role/*", Some("111111111111")).is_none());
        assert!(every_role("arn:aws:iam::222222222222:role/*", None).is_none());
        assert!(every_role("arn:aws:iam::222222222222:role/deploy", Some("111111111111")).is_none());
        assert!(every_role("arn:aws:s3:::bucket/*", None).is_none());
        assert!(every_role("arn:aws:iam:::role/*", None).is_none());
    }
}
