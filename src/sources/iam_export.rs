//! AWS CLI exports: `get-account-authorization-details`, `get-role`,
//! `list-roles`, `get-role-policy` (and the user and group forms),
//! `get-policy-version`, and `organizations list-accounts`.

use rayon::prelude::*;

use super::{Extracted, Format, Owner};
use crate::model::arn::{account_of, is_account_id};
use crate::model::{KindHint, Spanned};
use crate::syntax::json::{Kind, Value};

/// IAM's bounds for a role's `MaxSessionDuration`, in seconds.
pub const SESSION_DURATION_RANGE: std::ops::RangeInclusive<i64> = 3600..=43_200;

pub fn extract(text: &str, root: &Value<'_>, format: Format, out: &mut Extracted) {
    match format {
        Format::AuthorizationDetails => authorization_details(text, root, out),
        Format::GetRole => {
            if let Some(role) = root.get("Role") {
                self::role(text, role, "/Role", out);
            }
        }
        Format::ListRoles => each(root, "Roles", out, |i, r, out| {
            role(text, r, &format!("/Roles/{i}"), out);
        }),
        Format::InlinePolicy => {
            let name = |k: &str| root.get(k).and_then(Value::as_str).map(str::to_owned);
            let owner = match (name("RoleName"), name("UserName"), name("GroupName")) {
                (Some(role), _, _) => Owner::Role { arn: None, name: Some(role) },
                (_, Some(user), _) => Owner::User { arn: Some(user) },
                (_, _, Some(group)) => Owner::Group { arn: Some(group) },
                _ => Owner::Unattached,
            };
            if let Some(doc) = root.get("PolicyDocument") {
                out.add_policy(text, doc, KindHint::Identity, owner);
            }
        }
        Format::PolicyVersion => {
            if let Some(doc) = root.get("PolicyVersion").and_then(|v| v.get("Document")) {
                out.add_policy(text, doc, KindHint::Identity, Owner::ManagedPolicy { arn: None });
            }
        }
        Format::Accounts => {
            for (_, acct) in list(root, "Accounts") {
                if let Some(id) = acct.get("Id").and_then(Value::as_str).filter(|id| is_account_id(id)) {
                    out.accounts.push(id.to_owned());
                }
            }
        }
        Format::PolicyDocument => {}
    }
}

/// The items of an array member, with their indexes.
fn list<'v, 's>(v: &'v Value<'s>, key: &str) -> impl Iterator<Item = (usize, &'v Value<'s>)> {
    v.get(key).and_then(Value::as_array).unwrap_or(&[]).iter().enumerate()
}

fn string(v: &Value<'_>, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_owned)
}

/// The account an exported ARN shows to be yours.
fn note_account(out: &mut Extracted, arn: Option<&str>) {
    if let Some(acct) = arn.and_then(account_of)
        && !out.accounts.iter().any(|a| a == acct)
    {
        out.accounts.push(acct.to_owned());
    }
}

/// A role as `get-role`, `list-roles` and GAAD give it: its trust policy,
/// inline policies and maximum session duration.
fn role(text: &str, role: &Value<'_>, ptr: &str, out: &mut Extracted) {
    let arn = string(role, "Arn");
    note_account(out, arn.as_deref());
    let owner = Owner::Role { arn: arn.clone(), name: string(role, "RoleName") };
    let duration = max_session_duration(role, ptr, &owner, out);
    if let Some(doc) = role.get("AssumeRolePolicyDocument")
        && let Some(i) = out.add_policy(text, doc, KindHint::Trust, owner.clone())
    {
        out.units[i].max_session_duration = duration;
    }
    for (_, p) in list(role, "RolePolicyList") {
        if let Some(doc) = p.get("PolicyDocument") {
            out.add_policy(text, doc, KindHint::Identity, owner.clone());
        }
    }
}

fn max_session_duration(
    role: &Value<'_>,
    ptr: &str,
    owner: &Owner,
    out: &mut Extracted,
) -> Option<Spanned<i64>> {
    let v = role.get("MaxSessionDuration")?;
    let seconds = match &v.kind {
        Kind::Number(n) => n.parse::<i64>().ok(),
        _ => None,
    };
    let Some(seconds) = seconds else {
        out.problem(v.span, "`MaxSessionDuration` must be a whole number of seconds".into(), owner);
        return None;
    };
    if !SESSION_DURATION_RANGE.contains(&seconds) {
        let message =
            format!("`MaxSessionDuration` is {seconds} s: IAM accepts 3600 to 43200 s (1 to 12 hours)");
        out.problem(v.span, message, owner);
    }
    Some(Spanned { value: seconds, span: v.span, pointer: format!("{ptr}/MaxSessionDuration") })
}

fn authorization_details(text: &str, root: &Value<'_>, out: &mut Extracted) {
    each(root, "RoleDetailList", out, |i, r, out| {
        role(text, r, &format!("/RoleDetailList/{i}"), out);
    });
    each(root, "UserDetailList", out, |_, u, out| {
        let arn = string(u, "Arn");
        note_account(out, arn.as_deref());
        for (_, p) in list(u, "UserPolicyList") {
            if let Some(doc) = p.get("PolicyDocument") {
                out.add_policy(text, doc, KindHint::Identity, Owner::User { arn: arn.clone() });
            }
        }
    });
    each(root, "GroupDetailList", out, |_, g, out| {
        let arn = string(g, "Arn");
        note_account(out, arn.as_deref());
        for (_, p) in list(g, "GroupPolicyList") {
            if let Some(doc) = p.get("PolicyDocument") {
                out.add_policy(text, doc, KindHint::Identity, Owner::Group { arn: arn.clone() });
            }
        }
    });
    each(root, "Policies", out, |_, p, out| {
        let arn = string(p, "Arn");
        for (_, v) in list(p, "PolicyVersionList") {
            let default = matches!(v.get("IsDefaultVersion").map(|d| &d.kind), Some(Kind::Bool(true)));
            if let (true, Some(doc)) = (default, v.get("Document")) {
                out.add_policy(text, doc, KindHint::Identity, Owner::ManagedPolicy { arn: arn.clone() });
            }
        }
    });
}

/// Extracts from every item of the array member `key` in parallel (an export
/// can hold tens of thousands of roles) and appends the results in order.
fn each<'s>(
    root: &Value<'s>,
    key: &str,
    out: &mut Extracted,
    f: impl Fn(usize, &Value<'s>, &mut Extracted) + Sync,
) {
    let items = root.get(key).and_then(Value::as_array).unwrap_or(&[]);
    let parts: Vec<Extracted> = items
        .par_iter()
        .enumerate()
        .map(|(i, item)| {
            let mut part = Extracted::default();
            f(i, item, &mut part);
            part
        })
        .collect();
    for part in parts {
        out.merge(part);
    }
}
