//! AWS CLI exports: `get-account-authorization-details`, `get-role`,
//! `list-roles`, `get-role-policy` (and the user and group forms),
//! `get-policy-version`, and `organizations list-accounts`.

use rayon::prelude::*;

use super::{Entity, Extracted, Format, Owner, OwnerKind};
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
                principal(text, role, OwnerKind::Role, "/Role", out);
            }
        }
        Format::ListRoles => {
            each(root, "Roles", out, |i, r, out| {
                principal(text, r, OwnerKind::Role, &format!("/Roles/{i}"), out);
            });
        }
        Format::InlinePolicy => {
            let name = |k: &str| root.get(k).and_then(Value::as_str).map(str::to_owned);
            let (kind, name) = match (name("RoleName"), name("UserName"), name("GroupName")) {
                (Some(role), _, _) => (OwnerKind::Role, Some(role)),
                (_, Some(user), _) => (OwnerKind::User, Some(user)),
                (_, _, Some(group)) => (OwnerKind::Group, Some(group)),
                _ => (OwnerKind::Unattached, None),
            };
            if let Some(doc) = root.get("PolicyDocument") {
                out.add_policy(text, doc, KindHint::Identity, Owner::new(kind, None, name));
            }
        }
        Format::PolicyVersion => {
            if let Some(doc) = root.get("PolicyVersion").and_then(|v| v.get("Document")) {
                out.add_policy(
                    text,
                    doc,
                    KindHint::Identity,
                    Owner::new(OwnerKind::ManagedPolicy, None, None),
                );
            }
        }
        Format::Accounts => {
            for (_, acct) in list(root, "Accounts") {
                if let Some(id) = acct.get("Id").and_then(Value::as_str).filter(|id| is_account_id(id)) {
                    out.accounts.push(id.to_owned());
                }
            }
        }
        _ => {}
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

/// A user, group or role as `get-role`, `list-roles` and GAAD give it: its
/// policies, attachments and, for a role, trust policy and maximum session
/// duration.
fn principal(text: &str, v: &Value<'_>, kind: OwnerKind, ptr: &str, out: &mut Extracted) {
    let (name_key, inline_key) = match kind {
        OwnerKind::Role => ("RoleName", "RolePolicyList"),
        OwnerKind::User => ("UserName", "UserPolicyList"),
        _ => ("GroupName", "GroupPolicyList"),
    };
    let arn = string(v, "Arn");
    note_account(out, arn.as_deref());
    let name = string(v, name_key);
    let owner = Owner::new(kind, arn.clone(), name.clone());
    let mut entity = Entity { kind: Some(kind), arn, name: name.unwrap_or_default(), ..Entity::default() };
    if kind == OwnerKind::Role {
        let duration = max_session_duration(v, ptr, &owner, out);
        if let Some(doc) = v.get("AssumeRolePolicyDocument")
            && let Some(i) = out.add_policy(text, doc, KindHint::Trust, owner.clone())
        {
            out.units[i].max_session_duration = duration;
            entity.trust = Some(i);
        }
    }
    for (_, p) in list(v, inline_key) {
        if let Some(doc) = p.get("PolicyDocument")
            && let Some(i) = out.add_policy(text, doc, KindHint::Identity, owner.clone())
        {
            entity.inline.push(i);
        }
    }
    entity.managed = list(v, "AttachedManagedPolicies").filter_map(|(_, p)| string(p, "PolicyArn")).collect();
    entity.boundary = v.get("PermissionsBoundary").and_then(|b| string(b, "PermissionsBoundaryArn"));
    entity.groups = list(v, "GroupList").filter_map(|(_, g)| g.as_str().map(str::to_owned)).collect();
    out.entities.push(entity);
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
    for (key, kind) in [
        ("RoleDetailList", OwnerKind::Role),
        ("UserDetailList", OwnerKind::User),
        ("GroupDetailList", OwnerKind::Group),
    ] {
        each(root, key, out, |i, v, out| principal(text, v, kind, &format!("/{key}/{i}"), out));
    }
    each(root, "Policies", out, |_, p, out| {
        let arn = string(p, "Arn");
        for (_, v) in list(p, "PolicyVersionList") {
            let default = matches!(v.get("IsDefaultVersion").map(|d| &d.kind), Some(Kind::Bool(true)));
            if let (true, Some(doc)) = (default, v.get("Document")) {
                let owner = Owner::new(OwnerKind::ManagedPolicy, arn.clone(), string(p, "PolicyName"));
                if let (Some(i), Some(arn)) = (out.add_policy(text, doc, KindHint::Identity, owner), &arn) {
                    out.managed.push((arn.clone(), i));
                }
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
