//! `data "aws_iam_policy_document"` as the AWS provider builds it: its
//! `statement` blocks (static and `dynamic`), merged with
//! `source_policy_documents` / `source_json` and
//! `override_policy_documents` / `override_json` by `sid`, each part keeping
//! the place in the HCL that wrote it.

use super::eval::Binds;
use super::instance::Cx;
use super::module::{Body, ExprKind, Nested};
use super::value::{Member, Val, Value, Why, sorted};
use crate::source::Span;

fn member(key: &str, key_span: Span, value: Value) -> Member {
    Member { key: key.to_owned(), key_span, value }
}

/// Calls `f` for each block `key` of `body`: the static ones, then each
/// instance of every `dynamic "key"` block, with its iterator bound.
pub fn for_blocks<'t>(
    cx: &Cx<'t, '_, '_>,
    body: Body<'t>,
    key: &str,
    f: &mut dyn FnMut(&Cx<'t, '_, '_>, &Nested<'t>),
) {
    for b in body.blocks(key, 0) {
        f(cx, &b);
    }
    for d in body.blocks("dynamic", 1) {
        if d.labels.first() != Some(&key) {
            continue;
        }
        let Some(content) = d.body.blocks("content", 0).into_iter().next() else { continue };
        let iterator = d
            .body
            .attr("iterator")
            .and_then(|a| match a.value.kind {
                ExprKind::Hcl(hcl_edit::expr::Expression::Variable(v)) => Some(v.as_str()),
                ExprKind::Json(v) => v.as_str().map(|_| key),
                ExprKind::Hcl(_) => None,
            })
            .unwrap_or(key);
        let Some(each) = d.body.attr("for_each") else { continue };
        let collection = cx.expr(each.value);
        let items = match super::eval::items(collection) {
            Ok(items) => items,
            Err(v) if v.is_error() || v.is_null() => Vec::new(),
            // Not known: the block may be there, with values not known.
            Err(v) => {
                let why = v.unknown_part().map_or(Why::Input, |u| u.why.clone());
                vec![(
                    Value::unknown(format!("{iterator}.key"), why.clone(), v.span),
                    Value::unknown(format!("{iterator}.value"), why, v.span),
                )]
            }
        };
        for (k, v) in items {
            let span = v.span;
            let bound =
                Value::new(Val::Object(vec![member("key", k.span, k), member("value", span, v)]), span);
            let binds = Binds { name: iterator, value: bound, up: cx.binds };
            f(&cx.with(&binds), &content);
        }
    }
}

/// The policy document a data source describes, as a value; unknown when
/// a document it merges is.
#[allow(clippy::many_single_char_names)]
pub fn build<'t>(cx: &Cx<'t, '_, '_>, d: &super::module::Block<'t>) -> Value {
    let head = Span::new(d.span.start, d.span.start).in_file(d.span.file);
    let mut own = Vec::new();
    for_blocks(cx, d.body, "statement", &mut |cx, s| own.push(statement(cx, s)));

    let mut statements: Vec<Value> = Vec::new();
    let merged = |list: &[&str], statements: &mut Vec<Value>, replace_only: bool| -> Result<(), Value> {
        for key in list {
            let Some(a) = d.body.attr(key) else { continue };
            let v = cx.expr(a.value);
            let docs = match &v.kind {
                Val::List(items) => items.clone(),
                Val::Null => Vec::new(),
                _ => vec![v.clone()],
            };
            for doc in docs {
                let doc = match doc.kind {
                    Val::Encoded(inner) => *inner,
                    Val::String(ref s) => match crate::syntax::json::parse(s) {
                        Ok(tree) => {
                            let mut v = Value::from_tree(&tree);
                            v.respan(doc.span);
                            v
                        }
                        Err(e) => {
                            return Err(Value::error(
                                *key,
                                format!("not a JSON policy: {}", e.message),
                                doc.span,
                            ));
                        }
                    },
                    Val::Null => continue,
                    _ => {
                        return Err(Value::unknown(
                            *key,
                            doc.unknown_part().map_or(Why::Input, |u| u.why.clone()),
                            doc.span,
                        ));
                    }
                };
                let list = match doc.get("Statement").map(|s| &s.kind) {
                    Some(Val::List(items)) => items.clone(),
                    Some(_) => doc.get("Statement").cloned().into_iter().collect(),
                    None => Vec::new(),
                };
                for s in list {
                    add(statements, s, replace_only);
                }
            }
        }
        Ok(())
    };
    if let Err(v) = merged(&["source_policy_documents", "source_json"], &mut statements, false) {
        return unknown_doc(v, d.label);
    }
    for s in own {
        add(&mut statements, s, false);
    }
    if let Err(v) = merged(&["override_policy_documents", "override_json"], &mut statements, false) {
        return unknown_doc(v, d.label);
    }

    let version = match d.body.attr("version") {
        Some(a) => member("Version", a.key_span, cx.expr(a.value)),
        None => member("Version", head, Value::string("2012-10-17", head)),
    };
    let key_span = d.body.blocks("statement", 0).first().map_or(head, |b| b.ident);
    let mut members = vec![version, member("Statement", key_span, Value::new(Val::List(statements), d.span))];
    if let Some(a) = d.body.attr("policy_id") {
        members.push(member("Id", a.key_span, cx.expr(a.value)));
    }
    Value::new(Val::Object(sorted(members)), d.span)
}

fn unknown_doc(v: Value, label: &str) -> Value {
    match v.kind {
        Val::Unknown(u) => {
            Value::unknown(format!("data.aws_iam_policy_document.{label}.json"), u.why, v.span)
        }
        _ => v,
    }
}

/// Adds a statement: one with the `Sid` of a statement already there
/// replaces it, as the provider merges documents.
fn add(statements: &mut Vec<Value>, s: Value, _replace_only: bool) {
    let sid = s.get("Sid").and_then(Value::as_str).filter(|x| !x.is_empty()).map(str::to_owned);
    if let Some(sid) = sid
        && let Some(i) = statements.iter().position(|t| t.get("Sid").and_then(Value::as_str) == Some(&sid))
    {
        statements[i] = s;
        return;
    }
    statements.push(s);
}

fn statement<'t>(cx: &Cx<'t, '_, '_>, s: &Nested<'t>) -> Value {
    let mut members = Vec::new();
    let attr = |key: &str| s.body.attr(key).map(|a| (a.key_span, cx.expr(a.value)));
    if let Some((k, v)) = attr("sid") {
        members.push(member("Sid", k, v));
    }
    // The provider's default: a statement without an effect allows.
    match attr("effect") {
        Some((k, v)) if !v.is_null() => members.push(member("Effect", k, v)),
        _ => members.push(member("Effect", s.ident, Value::string("Allow", s.ident))),
    }
    for (key, element) in [("principals", "Principal"), ("not_principals", "NotPrincipal")] {
        if let Some((k, v)) = principals(cx, s.body, key) {
            members.push(member(element, k, v));
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
    if let Some((k, v)) = conditions(cx, s.body) {
        members.push(member("Condition", k, v));
    }
    Value::new(Val::Object(sorted(members)), s.span)
}

/// Appends `more` to the list `into` (making either a list first).
fn append(into: &mut Value, more: Value) {
    let items = |v: Value| match v.kind {
        Val::List(items) => items,
        _ => vec![v],
    };
    let old = std::mem::replace(&mut into.kind, Val::Null);
    let mut list = items(Value::new(old, into.span));
    list.extend(items(more));
    into.kind = Val::List(list);
}

/// `principals { type, identifiers }` blocks, grouped by type; `type = "*"`
/// is the principal `"*"`.
fn principals<'t>(cx: &Cx<'t, '_, '_>, body: Body<'t>, key: &str) -> Option<(Span, Value)> {
    let mut first: Option<Span> = None;
    let mut last: Option<Span> = None;
    let mut members: Vec<Member> = Vec::new();
    let mut anyone = None;
    for_blocks(cx, body, key, &mut |cx, b| {
        first.get_or_insert(b.ident);
        last = Some(b.span);
        let (Some(ty), Some(ids)) = (b.body.attr("type"), b.body.attr("identifiers")) else { return };
        let ty = cx.expr(ty.value);
        let ids = cx.expr(ids.value);
        let name = ty.display();
        if name == "*" {
            let star = ids.as_list().and_then(|a| a.first()).map_or(ids.span, |v| v.span);
            anyone = Some(Value::string("*", star));
            return;
        }
        match members.iter_mut().find(|m| m.key == name) {
            Some(m) => append(&mut m.value, ids),
            None => members.push(Member { key: name, key_span: ty.span, value: ids }),
        }
    });
    let first = first?;
    let covering = Span::new(first.start, last.map_or(first.end, |l| l.end)).in_file(first.file);
    let value = match (anyone, members.is_empty()) {
        (Some(star), true) => star,
        (Some(star), false) => {
            members.push(member("AWS", star.span, star));
            Value::new(Val::Object(merge_sorted(members)), covering)
        }
        (None, _) => Value::new(Val::Object(merge_sorted(members)), covering),
    };
    Some((first, value))
}

/// Members sorted, two of the same key appended into one.
fn merge_sorted(members: Vec<Member>) -> Vec<Member> {
    let mut out: Vec<Member> = Vec::new();
    for m in members {
        match out.iter_mut().find(|o| o.key == m.key) {
            Some(o) => append(&mut o.value, m.value),
            None => out.push(m),
        }
    }
    out.sort_by(|a, b| a.key.cmp(&b.key));
    out
}

/// `condition { test, variable, values }` blocks: the same test's blocks
/// share one operator object, the same key's values one list.
fn conditions<'t>(cx: &Cx<'t, '_, '_>, body: Body<'t>) -> Option<(Span, Value)> {
    let mut first: Option<Span> = None;
    let mut last: Option<Span> = None;
    let mut ops: Vec<Member> = Vec::new();
    for_blocks(cx, body, "condition", &mut |cx, b| {
        first.get_or_insert(b.ident);
        last = Some(b.span);
        let (Some(test), Some(var), Some(values)) =
            (b.body.attr("test"), b.body.attr("variable"), b.body.attr("values"))
        else {
            return;
        };
        let test = cx.expr(test.value);
        let var = cx.expr(var.value);
        let values = cx.expr(values.value);
        let entry = Member { key: var.display(), key_span: var.span, value: values };
        let op = test.display();
        match ops.iter_mut().find(|m| m.key == op) {
            Some(m) => {
                if let Val::Object(keys) = &mut m.value.kind {
                    if let Some(k) = keys.iter_mut().find(|k| k.key == entry.key) {
                        append(&mut k.value, entry.value);
                    } else {
                        keys.push(entry);
                        keys.sort_by(|a, b| a.key.cmp(&b.key));
                    }
                }
                m.value.span = m.value.span.to(b.span);
            }
            None => ops.push(Member {
                key: op,
                key_span: test.span,
                value: Value::new(Val::Object(vec![entry]), b.span),
            }),
        }
    });
    let first = first?;
    let covering = Span::new(first.start, last.map_or(first.end, |l| l.end)).in_file(first.file);
    ops.sort_by(|a, b| a.key.cmp(&b.key));
    Some((first, Value::new(Val::Object(ops), covering)))
}
