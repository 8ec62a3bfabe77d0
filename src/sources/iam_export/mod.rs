//! AWS CLI exports: `get-account-authorization-details`, `get-role`,
//! `list-roles`, `get-role-policy` (and the user and group forms),
//! `get-policy-version`, and `organizations list-accounts`.

use rayon::prelude::*;

use super::{Entity, Extracted, Format, Owner, OwnerKind, Text};
use crate::model::arn::{account_of, is_account_id};
use crate::model::{KindHint, Spanned};
use crate::syntax::json::{Kind, Value};

pub mod stream;

/// IAM's bounds for a role's `MaxSessionDuration`, in seconds.
pub const SESSION_DURATION_RANGE: std::ops::RangeInclusive<i64> = 3600..=43_200;

pub fn extract(whole: &str, root: &Value<'_>, format: Format, out: &mut Extracted) {
    let text = Text::json(whole);
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
                out.add_policy_in(text, doc, KindHint::Identity, Owner::new(kind, None, name));
            }
        }
        Format::PolicyVersion => {
            if let Some(doc) = root.get("PolicyVersion").and_then(|v| v.get("Document")) {
                out.add_policy_in(
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
fn principal(text: Text<'_>, v: &Value<'_>, kind: OwnerKind, ptr: &str, out: &mut Extracted) {
    let (name_key, inline_key) = match kind {
        OwnerKind::Role => ("RoleName", "RolePolicyList"),
        OwnerKind::User => ("UserName", "UserPolicyList"),
        _ => ("GroupName", "GroupPolicyList"),
    };
    let arn = string(v, "Arn");
    note_account(out, arn.as_deref());
    let name = string(v, name_key);
    let owner = std::sync::Arc::new(Owner::new(kind, arn.clone(), name.clone()));
    let mut entity = Entity { kind: Some(kind), arn, name: name.unwrap_or_default(), ..Entity::default() };
    if kind == OwnerKind::Role {
        let duration = max_session_duration(v, ptr, &owner, out);
        if let Some(doc) = v.get("AssumeRolePolicyDocument")
            && let Some(i) = out.add_policy_in(text, doc, KindHint::Trust, owner.clone())
        {
            out.units[i].max_session_duration = duration;
            entity.trust = Some(i);
        }
    }
    for (_, p) in list(v, inline_key) {
        if let Some(doc) = p.get("PolicyDocument")
            && let Some(i) = out.add_policy_in(text, doc, KindHint::Identity, owner.clone())
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
    Some(Spanned {
        value: seconds,
        span: v.span,
        pointer: compact_str::format_compact!("{ptr}/MaxSessionDuration"),
    })
}

fn authorization_details(text: Text<'_>, root: &Value<'_>, out: &mut Extracted) {
    for (key, kind) in LISTS {
        each(root, key, out, |i, v, out| principal(text, v, kind, &format!("/{key}/{i}"), out));
    }
    each(root, "Policies", out, |_, p, out| managed_policy(text, p, out));
}

/// The lists of users, groups and roles of an authorization-details export,
/// in the order they are read (`Policies` comes after them).
const LISTS: [(&str, OwnerKind); 3] = [
    ("RoleDetailList", OwnerKind::Role),
    ("UserDetailList", OwnerKind::User),
    ("GroupDetailList", OwnerKind::Group),
];

/// A customer managed policy of an export: its default version.
fn managed_policy(text: Text<'_>, p: &Value<'_>, out: &mut Extracted) {
    let arn = string(p, "Arn");
    for (_, v) in list(p, "PolicyVersionList") {
        let default = matches!(v.get("IsDefaultVersion").map(|d| &d.kind), Some(Kind::Bool(true)));
        if let (true, Some(doc)) = (default, v.get("Document")) {
            let owner = Owner::new(OwnerKind::ManagedPolicy, arn.clone(), string(p, "PolicyName"));
            if let (Some(i), Some(arn)) = (out.add_policy_in(text, doc, KindHint::Identity, owner), &arn) {
                out.managed.push((arn.clone(), i));
            }
        }
    }
}

/// Extracts from every item of the array member `key` in parallel (an export
/// can hold tens of thousands of roles) and appends the results in order.
fn each<'s>(
    root: &Value<'s>,
    key: &str,
    out: &mut Extracted,
    f: impl Fn(usize, &Value<'s>, &mut Extracted) + Sync,
) {
    let mut parts = vec![std::mem::take(out)];
    parts.extend(items_of(root, key, f));
    *out = Extracted::concat(parts);
}

/// What each item of the array member `key` gives, in order (in parallel).
fn items_of<'s>(
    root: &Value<'s>,
    key: &str,
    f: impl Fn(usize, &Value<'s>, &mut Extracted) + Sync,
) -> Vec<Extracted> {
    let items = root.get(key).and_then(Value::as_array).unwrap_or(&[]);
    items
        .par_iter()
        .enumerate()
        .map(|(i, item)| {
            let mut part = Extracted::default();
            f(i, item, &mut part);
            part
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What reading the whole parsed file gives.
    fn whole(text: &str) -> Extracted {
        let root = crate::syntax::json::parse(text).unwrap();
        assert_eq!(super::super::detect(&root), Some(Format::AuthorizationDetails));
        super::super::extract(text, &root, Format::AuthorizationDetails)
    }

    fn every_export() -> Vec<(std::path::PathBuf, String)> {
        let mut out = Vec::new();
        let mut dirs = vec![std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures"))];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "json") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    if text.contains("DetailList\"") && crate::syntax::json::parse(&text).is_ok() {
                        out.push((path, text));
                    }
                }
            }
        }
        out.sort();
        out
    }

    #[test]
    fn reading_item_by_item_gives_what_reading_whole_gives() {
        let exports = every_export();
        assert!(exports.len() > 20, "{} exports", exports.len());
        for (path, text) in exports {
            let streamed =
                stream::read_text(&text).unwrap_or_else(|| panic!("{} not streamed", path.display()));
            assert_eq!(format!("{streamed:?}"), format!("{:?}", whole(&text)), "{}", path.display());
        }
    }

    /// Items in parallel chunks, URL-encoded and invalid documents, lists in
    /// any order, other members around them.
    #[test]
    fn a_large_export_is_read_in_order() {
        let role = |i: usize| {
            let trust = if i.is_multiple_of(7) {
                // URL-encoded, as the raw IAM API returns it.
                "\"%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D\"".to_owned()
            } else if i.is_multiple_of(11) {
                "42".to_owned()
            } else {
                format!(
                    r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Principal": {{"AWS": "arn:aws:iam::{:012}:root"}}, "Action": "sts:AssumeRole"}}]}}"#,
                    i % 5
                )
            };
            format!(
                r#"{{"RoleName": "r{i}", "Arn": "arn:aws:iam::111122223333:role/r{i}", "MaxSessionDuration": {}, "AssumeRolePolicyDocument": {trust}, "RolePolicyList": [], "AttachedManagedPolicies": [{{"PolicyArn": "arn:aws:iam::111122223333:policy/p{}"}}]}}"#,
                if i.is_multiple_of(13) { 99 } else { 3600 },
                i % 3
            )
        };
        let roles: Vec<String> = (0..300).map(role).collect();
        let text = format!(
            "{{\n \"Policies\": [{{\"Arn\": \"arn:aws:iam::111122223333:policy/p1\", \"PolicyName\": \"p1\", \"PolicyVersionList\": [{{\"IsDefaultVersion\": true, \"Document\": {{\"Statement\": []}}}}]}}],\n \"RoleDetailList\" : [\n{}\n ],\n \"Marker\": {{\"a\": [1, \"]\\\"\"]}},\n \"UserDetailList\": [],\n \"GroupDetailList\": {{}}\n}}\n",
            roles.join(",\n")
        );
        let streamed = stream::read_text(&text).unwrap();
        assert_eq!(streamed.entities.len(), 300);
        assert_eq!(streamed.units.len(), 277, "276 trust policies and one managed policy");
        assert_eq!(format!("{streamed:?}"), format!("{:?}", whole(&text)));
    }

    /// Blocks so small that every item, key and string is cut somewhere,
    /// batches of one item up to all of them, as from a file: the same
    /// extraction, and each line's start.
    #[test]
    fn an_export_read_a_block_at_a_time_gives_what_the_whole_gives() {
        let exports: Vec<_> = every_export().into_iter().filter(|(_, t)| t.is_ascii()).collect();
        assert!(exports.len() > 20, "{} exports", exports.len());
        for (path, text) in exports {
            let whole = format!("{:?}", whole(&text));
            let lines: Vec<u32> = std::iter::once(0)
                .chain(text.match_indices('\n').map(|(i, _)| u32::try_from(i + 1).unwrap()))
                .collect();
            let blocks: &[usize] = if text.len() < 20_000 { &[1, 2, 5, 61, 4096] } else { &[61, 4096] };
            for &block in blocks {
                for batch in [1, 300, usize::MAX] {
                    let Ok(read) = stream::read_in_blocks(text.as_bytes(), block, batch) else {
                        panic!("{} not read in blocks of {block}", path.display());
                    };
                    let at = format!("{} in blocks of {block}, batches of {batch}", path.display());
                    assert_eq!(format!("{:?}", read.extracted), whole, "{at}");
                    assert_eq!(read.len, text.len(), "{at}");
                    assert_eq!(read.line_starts.iter().collect::<Vec<_>>(), lines, "{at}");
                }
            }
        }
    }

    /// From a file, a byte that is not ASCII (its columns would need the
    /// text) or a NUL leaves the file to be read whole.
    #[test]
    fn a_file_with_other_than_ascii_is_read_whole() {
        let text = |name: &str| {
            format!(
                r#"{{"RoleDetailList": [{{"RoleName": "{name}", "Arn": "arn:aws:iam::111122223333:role/r"}}]}}"#
            )
        };
        assert!(stream::read_in_blocks(text("r").as_bytes(), 7, 1).is_ok());
        for odd in ["r\u{e9}", "r\0"] {
            assert!(stream::read_in_blocks(text(odd).as_bytes(), 7, 1).is_err(), "{odd:?}");
        }
        assert!(stream::read_text(&text("r\u{e9}")).is_some(), "a text in memory has its columns");
    }

    #[test]
    fn escapes_do_not_move_an_item_s_end() {
        let text = r#"{"RoleDetailList": [
            {"RoleName": "a\\", "Path": "\"]}\\\"", "Arn": "arn:aws:iam::111122223333:role/a",
             "AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}},
            {"RoleName": "b\"", "Arn": "arn:aws:iam::111122223333:role/b",
             "AssumeRolePolicyDocument": {"Statement": []}}
        ], "UserDetailList": [], "GroupDetailList": [], "Policies": []}"#;
        let streamed = stream::read_text(text).unwrap();
        assert_eq!(streamed.entities.len(), 2);
        assert_eq!(streamed.entities[1].name, "b\"");
        assert_eq!(format!("{streamed:?}"), format!("{:?}", whole(text)));
        // An escape that runs past the end of the text is no string.
        assert!(stream::read_text(r#"{"RoleDetailList": ["a\"#).is_none());
    }

    #[test]
    fn anything_unusual_is_left_to_the_whole_parse() {
        let list = r#""RoleDetailList": [{"RoleName": "a"}]"#;
        for text in [
            // Not JSON an export reader should guess at.
            format!("{{{list},}}"),
            format!("{{{list}}} x"),
            r#"{"RoleDetailList": [{"RoleName": "a"},]}"#.to_owned(),
            r#"{"RoleDetailList": [{"RoleName": "a"}, // c
            ]}"#
            .to_owned(),
            r#"{"RoleDetailList": [{"RoleName": "a"} {"RoleName": "b"}]}"#.to_owned(),
            r#"{"RoleDetailList": [{"RoleName": "a}]}"#.to_owned(),
            r#"{"RoleDetailList": [{"RoleName": 01}]}"#.to_owned(),
            format!("{{\"RoleDetailList\": [{}]}}", "[".repeat(300) + &"]".repeat(300)),
            // Repeated: the last one counts.
            format!("{{{list}, {list}}}"),
            // Not an export after all.
            format!("{{{list}, \"Statement\": []}}"),
            "[]".to_owned(),
        ] {
            assert!(stream::read_text(&text).is_none(), "{text}");
        }
        // A list that is not a list is read as the whole parse reads it.
        let text = r#"{"Policies": [], "UserDetailList": 3}"#;
        assert_eq!(format!("{:?}", stream::read_text(text).unwrap()), format!("{:?}", whole(text)));
        // And the whole parse reports the exact place.
        let err = super::super::read("x.json", r#"{"RoleDetailList": [{"RoleName": "a"},]}"#).unwrap_err();
        assert_eq!((err.message.as_str(), err.span.start), ("invalid JSON: trailing comma before `]`", 38));
    }
}
