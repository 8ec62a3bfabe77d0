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
fn managed_policy(text: &str, p: &Value<'_>, out: &mut Extracted) {
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

/// The arrays of an authorization-details export that are read item by item.
const STREAMED: [&str; 4] = ["RoleDetailList", "UserDetailList", "GroupDetailList", "Policies"];

/// Items parsed and lowered together by one task of a streamed list.
const CHUNK: usize = 64;

/// Reads a `get-account-authorization-details` export item by item: each
/// role, user, group and managed policy is parsed, lowered and its tree
/// dropped before the next, so the parsed tree of the whole file never
/// exists (an export of hundreds of megabytes would need about twice its
/// size for it). The items of a list are parsed in parallel: a first pass
/// finds where each one starts and ends by its brackets alone, and each
/// item is then parsed strictly where it lies.
///
/// The result is what [`extract`] gives for the whole parsed file. `None`
/// when the text is not such an export, or is anything but plain valid JSON
/// of the usual shape (a syntax error, a list given twice): the caller then
/// parses the file whole, which gives the same result or the exact error.
pub fn read_streaming(text: &str) -> Option<Extracted> {
    if !text.contains("DetailList\"") {
        return None;
    }
    let (root, lists) = skeleton(text)?;
    // The lists stand empty in the skeleton: what decides the format is
    // outside them (see `super::detect`).
    if super::detect(&root) != Some(Format::AuthorizationDetails) {
        return None;
    }
    let items = |key: &str| lists.iter().find(|(k, _)| *k == key).map(|(_, items)| items.as_slice());
    // The parts of every list, put together once at the end.
    let mut parts = Vec::new();
    for (key, kind) in LISTS {
        let read = |i: usize, v: &Value<'_>, out: &mut Extracted| {
            principal(text, v, kind, &format!("/{key}/{i}"), out);
        };
        match items(key) {
            Some(items) => parts.extend(each_item(text, items, read)?),
            None => parts.extend(items_of(&root, key, read)),
        }
    }
    let policy = |_: usize, p: &Value<'_>, out: &mut Extracted| managed_policy(text, p, out);
    match items("Policies") {
        Some(items) => parts.extend(each_item(text, items, policy)?),
        None => parts.extend(items_of(&root, "Policies", policy)),
    }
    Some(Extracted::concat(parts))
}

/// Parses and extracts the items of a streamed list (their byte ranges) in
/// parallel: what each chunk of them gives, in order. `None` when an item is not valid JSON or does not end
/// where its brackets said.
fn each_item(
    text: &str,
    items: &[(usize, usize)],
    f: impl Fn(usize, &Value<'_>, &mut Extracted) + Sync,
) -> Option<Vec<Extracted>> {
    let parts: Vec<Option<Extracted>> = items
        .par_chunks(CHUNK)
        .enumerate()
        .map(|(c, chunk)| {
            let mut part = Extracted::default();
            for (j, &(start, end)) in chunk.iter().enumerate() {
                // Nested as in the whole file: root object, list, item.
                let (item, after) = crate::syntax::json::parse_at(text, start, 2).ok()?;
                if after != end {
                    return None;
                }
                f(c * CHUNK + j, &item, &mut part);
            }
            Some(part)
        })
        .collect();
    parts.into_iter().collect()
}

/// The top-level object of an export with its streamed lists left empty
/// (spans kept), and the byte range of every item of each of them.
type Skeleton<'s> = (Value<'s>, Vec<(&'static str, Vec<(usize, usize)>)>);

fn skeleton(text: &str) -> Option<Skeleton<'_>> {
    use crate::source::Span;
    use crate::syntax::json::{Member, parse_at};
    let b = text.as_bytes();
    let span =
        |start: usize, end: usize| Some(Span::new(u32::try_from(start).ok()?, u32::try_from(end).ok()?));
    let start = skip_ws(b, 0);
    if b.get(start) != Some(&b'{') {
        return None;
    }
    let mut members = Vec::new();
    let mut lists: Vec<(&'static str, Vec<(usize, usize)>)> = Vec::new();
    let mut seen = [false; STREAMED.len()];
    let mut pos = start + 1;
    loop {
        pos = skip_ws(b, pos);
        if b.get(pos) != Some(&b'"') {
            return None;
        }
        let (key, end) = parse_at(text, pos, 1).ok()?;
        let Kind::String(key) = key.kind else { return None };
        let key_span = span(pos, end)?;
        pos = skip_ws(b, end);
        if b.get(pos) != Some(&b':') {
            return None;
        }
        pos = skip_ws(b, pos + 1);
        let streamed = STREAMED.iter().position(|k| *k == key);
        if let Some(k) = streamed {
            // The last of repeated members wins when parsed whole: rare
            // enough to leave to that.
            if std::mem::replace(&mut seen[k], true) {
                return None;
            }
        }
        let value = match streamed {
            Some(k) if b.get(pos) == Some(&b'[') => {
                let (items, end) = scan_array(b, pos)?;
                lists.push((STREAMED[k], items));
                let value = Value { span: span(pos, end)?, kind: Kind::Array(Vec::new()) };
                pos = end;
                value
            }
            _ => {
                let (value, end) = parse_at(text, pos, 1).ok()?;
                pos = end;
                value
            }
        };
        members.push(Member { key, key_span, value });
        pos = skip_ws(b, pos);
        match b.get(pos) {
            Some(b',') => pos += 1,
            Some(b'}') => break,
            _ => return None,
        }
    }
    let end = pos + 1;
    if skip_ws(b, end) != b.len() {
        return None;
    }
    Some((Value { span: span(start, end)?, kind: Kind::Object(members) }, lists))
}

fn skip_ws(b: &[u8], mut pos: usize) -> usize {
    while matches!(b.get(pos), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        pos += 1;
    }
    pos
}

/// The byte range of every item of the array that opens at `open`, and the
/// offset after its `]`, found by brackets and string quotes alone: each
/// item is checked when it is parsed. `None` on anything unusual (a
/// trailing comma, an unterminated string or array).
fn scan_array(b: &[u8], open: usize) -> Option<(Vec<(usize, usize)>, usize)> {
    let mut items = Vec::new();
    let mut pos = skip_ws(b, open + 1);
    if b.get(pos) == Some(&b']') {
        return Some((items, pos + 1));
    }
    loop {
        let start = pos;
        pos = skip_value(b, pos)?;
        items.push((start, pos));
        pos = skip_ws(b, pos);
        match b.get(pos)? {
            b',' => pos = skip_ws(b, pos + 1),
            b']' => return Some((items, pos + 1)),
            _ => return None,
        }
        if matches!(b.get(pos), None | Some(b']')) {
            return None;
        }
    }
}

/// Where the value that starts at `pos` ends, by brackets and quotes.
fn skip_value(b: &[u8], mut pos: usize) -> Option<usize> {
    let mut depth = 0usize;
    loop {
        match *b.get(pos)? {
            b'"' => {
                pos = skip_string(b, pos)?;
                if depth == 0 {
                    return Some(pos);
                }
                continue;
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' | b',' | b' ' | b'\t' | b'\n' | b'\r' if depth == 0 => return Some(pos),
            b'}' | b']' => {
                depth -= 1;
                if depth == 0 {
                    return Some(pos + 1);
                }
            }
            _ => {}
        }
        pos += 1;
        if depth > 0 {
            // Within brackets only quotes and brackets matter: past the
            // indentation, keys' colons, commas and numbers at once.
            pos = next_structural(b, pos)?;
        }
    }
}

/// The first byte at or after `pos` that opens or closes something.
fn next_structural(b: &[u8], mut pos: usize) -> Option<usize> {
    loop {
        // Indentation, eight spaces at a time.
        while b.get(pos..pos + 8) == Some(b"        ") {
            pos += 8;
        }
        if STRUCTURAL[usize::from(*b.get(pos)?)] {
            return Some(pos);
        }
        pos += 1;
    }
}

/// The bytes that open or close something in JSON text.
static STRUCTURAL: [bool; 256] = {
    let mut table = [false; 256];
    table[b'"' as usize] = true;
    table[b'{' as usize] = true;
    table[b'}' as usize] = true;
    table[b'[' as usize] = true;
    table[b']' as usize] = true;
    table
};

/// The offset after the string literal that opens at `open`.
fn skip_string(b: &[u8], open: usize) -> Option<usize> {
    let mut pos = open + 1;
    loop {
        // Strings are most of an export's bytes: to the next quote or
        // backslash many bytes at a time.
        pos += memchr::memchr2(b'"', b'\\', b.get(pos..)?)?;
        if b[pos] == b'"' {
            return Some(pos + 1);
        }
        pos += 2;
    }
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
            let streamed = read_streaming(&text).unwrap_or_else(|| panic!("{} not streamed", path.display()));
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
        let streamed = read_streaming(&text).unwrap();
        assert_eq!(streamed.entities.len(), 300);
        assert_eq!(streamed.units.len(), 277, "276 trust policies and one managed policy");
        assert_eq!(format!("{streamed:?}"), format!("{:?}", whole(&text)));
    }

    /// Quotes and backslashes escaped in names, at a string's end and
    /// before a bracket: each item still ends where its brackets say.
    #[test]
    fn indentation_of_any_width_is_skipped_to_the_next_bracket() {
        for width in 0..20 {
            let text = format!("{}:1,\n{}]", " ".repeat(width), " ".repeat(width));
            let close = text.len() - 1;
            assert_eq!(next_structural(text.as_bytes(), 0), Some(close), "{width}");
        }
        assert_eq!(next_structural(b"          ", 0), None);
        let item = "{\n        \"a\": [\n                1,\n                {}\n        ]\n}";
        assert_eq!(skip_value(item.as_bytes(), 0), Some(item.len()));
    }

    #[test]
    fn escapes_do_not_move_an_item_s_end() {
        let text = r#"{"RoleDetailList": [
            {"RoleName": "a\\", "Path": "\"]}\\\"", "Arn": "arn:aws:iam::111122223333:role/a",
             "AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}},
            {"RoleName": "b\"", "Arn": "arn:aws:iam::111122223333:role/b",
             "AssumeRolePolicyDocument": {"Statement": []}}
        ], "UserDetailList": [], "GroupDetailList": [], "Policies": []}"#;
        let streamed = read_streaming(text).unwrap();
        assert_eq!(streamed.entities.len(), 2);
        assert_eq!(streamed.entities[1].name, "b\"");
        assert_eq!(format!("{streamed:?}"), format!("{:?}", whole(text)));
        // An escape that runs past the end of the text is no string.
        assert!(read_streaming(r#"{"RoleDetailList": ["a\"#).is_none());
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
            assert!(read_streaming(&text).is_none(), "{text}");
        }
        // A list that is not a list is read as the whole parse reads it.
        let text = r#"{"Policies": [], "UserDetailList": 3}"#;
        assert_eq!(format!("{:?}", read_streaming(text).unwrap()), format!("{:?}", whole(text)));
        // And the whole parse reports the exact place.
        let err = super::super::read("x.json", r#"{"RoleDetailList": [{"RoleName": "a"},]}"#).unwrap_err();
        assert_eq!((err.message.as_str(), err.span.start), ("invalid JSON: trailing comma before `]`", 38));
    }
}
