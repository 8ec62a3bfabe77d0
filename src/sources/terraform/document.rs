//! `data "aws_iam_policy_document"`: the policy its blocks describe, as the
//! JSON IAM reads, with spans on the HCL that wrote each part.

use std::borrow::Cow;

use super::eval::Cx;
use super::{Body, Nested, Resource};
use crate::source::Span;
use crate::syntax::json::{Kind, Member, Value};

fn member<'s>(key: &str, key_span: Span, value: Value<'s>) -> Member<'s> {
    Member { key: Cow::Owned(key.to_owned()), key_span, value }
}

fn string<'s>(s: &str, span: Span) -> Value<'s> {
    Value { span, kind: Kind::String(Cow::Owned(s.to_owned())) }
}

/// The span from the first block's start to the last one's end.
fn covering(blocks: &[Nested<'_>]) -> Span {
    match (blocks.first(), blocks.last()) {
        (Some(a), Some(b)) => Span::new(a.span.start, b.span.end),
        _ => Span::default(),
    }
}

/// The policy document a data source describes.
pub fn build<'a: 's, 's>(cx: &Cx<'a, 's>, d: &Resource<'a>, hops: usize) -> Value<'s> {
    let head = Span::new(d.span.start, d.span.start);
    let version = match d.body.attr("version") {
        Some(a) => member("Version", a.key_span, cx.value(a.value, hops)),
        None => member("Version", head, string("2012-10-17", head)),
    };
    let blocks = d.body.blocks("statement");
    let statements = blocks.iter().map(|s| statement(cx, s, hops)).collect();
    let key_span = blocks.first().map_or(head, |b| b.ident);
    let list = Value { span: covering(&blocks), kind: Kind::Array(statements) };
    Value { span: d.span, kind: Kind::Object(vec![version, member("Statement", key_span, list)]) }
}

fn statement<'a: 's, 's>(cx: &Cx<'a, 's>, s: &Nested<'a>, hops: usize) -> Value<'s> {
    let mut members = Vec::new();
    let attr = |key: &str| s.body.attr(key).map(|a| (a.key_span, cx.value(a.value, hops)));
    if let Some((k, v)) = attr("sid") {
        members.push(member("Sid", k, v));
    }
    // IAM's default: a statement without an effect allows.
    match attr("effect") {
        Some((k, v)) => members.push(member("Effect", k, v)),
        None => members.push(member("Effect", s.ident, string("Allow", s.ident))),
    }
    for (key, element) in [("principals", "Principal"), ("not_principals", "NotPrincipal")] {
        if let Some(p) = principals(cx, s.body, key, hops) {
            members.push(member(element, p.0, p.1));
        }
    }
    for (key, element) in [
        ("actions", "Action"),
        ("not_actions", "NotAction"),
        ("resources", "Resource"),
        ("not_resources", "NotResource"),
    ] {
        if let Some((k, v)) = attr(key) {
            members.push(member(element, k, v));
        }
    }
    if let Some(c) = conditions(cx, s.body, hops) {
        members.push(member("Condition", c.0, c.1));
    }
    Value { span: s.span, kind: Kind::Object(members) }
}

/// Appends `more` to the list `into` (making either a list first).
fn append<'s>(into: &mut Value<'s>, more: Value<'s>) {
    let items = |v: Value<'s>| match v.kind {
        Kind::Array(items) => items,
        _ => vec![v],
    };
    let old = std::mem::replace(&mut into.kind, Kind::Null);
    let mut list = items(Value { span: into.span, kind: old });
    list.extend(items(more));
    into.kind = Kind::Array(list);
}

/// `principals { type, identifiers }` blocks, grouped by type; `type = "*"`
/// is the principal `"*"`.
fn principals<'a: 's, 's>(
    cx: &Cx<'a, 's>,
    body: Body<'a>,
    key: &str,
    hops: usize,
) -> Option<(Span, Value<'s>)> {
    let blocks = body.blocks(key);
    let first = blocks.first()?.ident;
    let mut members: Vec<Member<'s>> = Vec::new();
    let mut anyone = None;
    for b in &blocks {
        let (Some(ty), Some(ids)) = (b.body.attr("type"), b.body.attr("identifiers")) else {
            continue;
        };
        let ty = cx.value(ty.value, hops);
        let ids = cx.value(ids.value, hops);
        let name = ty.as_str().unwrap_or_default().to_owned();
        if name == "*" {
            let star = ids.as_array().and_then(|a| a.first()).map_or(ids.span, |v| v.span);
            anyone = Some(string("*", star));
            continue;
        }
        match members.iter_mut().find(|m| m.key == name) {
            Some(m) => append(&mut m.value, ids),
            None => members.push(Member { key: Cow::Owned(name), key_span: ty.span, value: ids }),
        }
    }
    let value = match (anyone, members.is_empty()) {
        (Some(star), true) => star,
        (Some(star), false) => {
            members.push(member("AWS", star.span, star));
            Value { span: covering(&blocks), kind: Kind::Object(members) }
        }
        (None, _) => Value { span: covering(&blocks), kind: Kind::Object(members) },
    };
    Some((first, value))
}

/// `condition { test, variable, values }` blocks: the same test's blocks
/// share one operator object, the same key's values one list.
fn conditions<'a: 's, 's>(cx: &Cx<'a, 's>, body: Body<'a>, hops: usize) -> Option<(Span, Value<'s>)> {
    let blocks = body.blocks("condition");
    let first = blocks.first()?.ident;
    let mut ops: Vec<Member<'s>> = Vec::new();
    for b in &blocks {
        let (Some(test), Some(var), Some(values)) =
            (b.body.attr("test"), b.body.attr("variable"), b.body.attr("values"))
        else {
            continue;
        };
        let test = cx.value(test.value, hops);
        let var = cx.value(var.value, hops);
        let values = cx.value(values.value, hops);
        let (op, key) =
            (test.as_str().unwrap_or_default().to_owned(), var.as_str().unwrap_or_default().to_owned());
        let entry = Member { key: Cow::Owned(key), key_span: var.span, value: values };
        match ops.iter_mut().find(|m| m.key == op) {
            Some(m) => {
                if let Kind::Object(keys) = &mut m.value.kind {
                    match keys.iter_mut().find(|k| k.key == entry.key) {
                        Some(k) => append(&mut k.value, entry.value),
                        None => keys.push(entry),
                    }
                }
                m.value.span = Span::new(m.value.span.start, b.span.end);
            }
            None => ops.push(Member {
                key: Cow::Owned(op),
                key_span: test.span,
                value: Value { span: b.span, kind: Kind::Object(vec![entry]) },
            }),
        }
    }
    Some((first, Value { span: covering(&blocks), kind: Kind::Object(ops) }))
}
