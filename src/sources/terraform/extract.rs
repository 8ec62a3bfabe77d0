//! The IAM resources of every module instance: roles, users and groups
//! with their policies, managed policies, attachments and memberships,
//! each named by its full address
//! (`module.roles["admin"].aws_iam_role.this[0]`).

use hcl_edit::Span as _;
use hcl_edit::expr::Expression;
use hcl_edit::template::{Element, Template};

use super::eval::Binds;
use super::instance::{Cx, Instance, Key};
use super::module::{Block, Expr, ExprKind};
use super::value::{Val, Value, Why};
use crate::model::{KindHint, Problem, SpanMap, Spanned, lower};
use crate::source::Span;
use crate::sources::{Concern, Entity, Extracted, Owner, OwnerKind};

const PRINCIPALS: [(&str, OwnerKind); 3] = [
    ("aws_iam_role", OwnerKind::Role),
    ("aws_iam_user", OwnerKind::User),
    ("aws_iam_group", OwnerKind::Group),
];

/// Extracts what a root module and the modules it calls declare.
pub fn root(inst: &Instance<'_, '_>, out: &mut Extracted) {
    walk(inst, out, Phase::Principals);
    walk(inst, out, Phase::Attachments);
    unused_documents(inst, out);
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    Principals,
    Attachments,
}

/// Whether the root declares `file` among the files the user gave: only
/// those are checked (the others feed them).
fn given(inst: &Instance<'_, '_>, file: u32) -> bool {
    !inst.is_root() || inst.r.loaded.files.get(file as usize).is_some_and(|f| f.input)
}

fn walk(inst: &Instance<'_, '_>, out: &mut Extracted, phase: Phase) {
    for r in &inst.module.resources {
        if !r.kind.starts_with("aws_iam_") || !given(inst, r.body.file) {
            continue;
        }
        let is_principal = PRINCIPALS.iter().any(|(k, _)| *k == r.kind) || r.kind == "aws_iam_policy";
        if is_principal != (phase == Phase::Principals) {
            continue;
        }
        let expansion = inst.expand(r, 0);
        if expansion.keys.is_empty() {
            never_made(inst, r);
        }
        for (key, bound) in expansion.keys {
            let binds = bound.map(|value| Binds { name: expansion.bind, value, up: None });
            let cx = Cx::new(inst, r.body.file, binds.as_ref());
            let address = inst.address_of(r.kind, r.label, &key);
            if let Some(&(_, kind)) = PRINCIPALS.iter().find(|(k, _)| *k == r.kind) {
                principal(&cx, r, &key, &address, kind, out);
            } else if r.kind == "aws_iam_policy" {
                managed_policy(&cx, r, &key, &address, out);
            } else {
                attachment(&cx, r, &address, out);
            }
        }
    }
    for call in &inst.module.calls {
        if !given(inst, call.body.file) {
            continue;
        }
        let Some(children) = inst.children(call.label, 0) else { continue };
        if let Some(why) = &children.unresolved {
            if phase == Phase::Principals {
                let dot = if inst.address.is_empty() { "" } else { "." };
                let address = format!("{}{dot}module.{}", inst.address, call.label);
                let at = call.body.attr("source").map_or(call.span, |a| a.value.span());
                let message = format!("{why}: the roles and policies it makes are not checked");
                note(out, at, message, &address);
            }
            continue;
        }
        for (_, child) in &children.instances {
            walk(child, out, phase);
        }
    }
}

fn note(out: &mut Extracted, span: Span, message: String, subject: &str) {
    let problem = Problem { span, pointer: String::new(), message };
    out.unresolved.push((problem, Concern { subject: Some(subject.to_owned()), construct: None }));
}

/// The name and ARN of a principal or managed policy instance.
fn named<'t>(cx: &Cx<'t, '_, '_>, r: &Block<'t>, key: &Key) -> (String, String) {
    let at = r.span;
    let get = |a: &str| super::attributes::of(cx, r, false, key, Some(a), at).display();
    (get("name"), get("arn"))
}

/// A role, user or group with the policies written inside it.
fn principal<'t>(
    cx: &Cx<'t, '_, '_>,
    r: &Block<'t>,
    key: &Key,
    address: &str,
    kind: OwnerKind,
    out: &mut Extracted,
) {
    let (name, arn) = named(cx, r, key);
    let owner = Owner::new(kind, Some(arn.clone()), Some(name.clone())).in_template(address, None);
    let mut entity = Entity { kind: Some(kind), arn: Some(arn), name, ..Entity::default() };
    if kind == OwnerKind::Role {
        let duration = max_session_duration(cx, r, address, &owner, out);
        if let Some(a) = r.body.attr("assume_role_policy")
            && let Some(i) = policy(cx, a.value, KindHint::Trust, &owner, out)
        {
            out.units[i].max_session_duration = duration;
            entity.trust = Some(i);
        }
        let mut inline = Vec::new();
        super::document::for_blocks(cx, r.body, "inline_policy", &mut |cx, b| {
            if let Some(a) = b.body.attr("policy")
                && let Some(i) = policy(cx, a.value, KindHint::Identity, &owner, out)
            {
                inline.push(i);
            }
        });
        entity.inline = inline;
        if let Some(a) = r.body.attr("managed_policy_arns") {
            entity.managed = strings(&cx.expr(a.value));
        }
    }
    if kind != OwnerKind::Group
        && let Some(a) = r.body.attr("permissions_boundary")
    {
        let v = cx.expr(a.value);
        if !v.is_null() {
            entity.boundary = Some(v.display());
        }
    }
    out.entities.push(entity);
}

fn managed_policy<'t>(cx: &Cx<'t, '_, '_>, r: &Block<'t>, key: &Key, address: &str, out: &mut Extracted) {
    let (name, arn) = named(cx, r, key);
    let owner =
        Owner::new(OwnerKind::ManagedPolicy, Some(arn.clone()), Some(name)).in_template(address, None);
    if let Some(a) = r.body.attr("policy")
        && let Some(i) = policy(cx, a.value, KindHint::Identity, &owner, out)
    {
        out.managed.push((arn, i));
    }
}

/// Each string of a list (or the one string).
fn strings(v: &Value) -> Vec<String> {
    match &v.kind {
        Val::List(items) => items.iter().filter(|i| !i.is_null()).map(Value::display).collect(),
        Val::Null | Val::Unknown(_) => Vec::new(),
        _ => vec![v.display()],
    }
}

/// The entity of `kind` named `name`.
fn find(out: &Extracted, kind: OwnerKind, name: &str) -> Option<usize> {
    out.entities.iter().position(|e| e.kind == Some(kind) && e.name == name)
}

/// Policies, attachments and memberships declared as resources of their own.
fn attachment<'t>(cx: &Cx<'t, '_, '_>, r: &Block<'t>, address: &str, out: &mut Extracted) {
    let value = |key: &str| r.body.attr(key).map(|a| cx.expr(a.value));
    let (key, kind) = match r.kind {
        "aws_iam_role_policy" | "aws_iam_role_policy_attachment" => ("role", OwnerKind::Role),
        "aws_iam_user_policy" | "aws_iam_user_policy_attachment" => ("user", OwnerKind::User),
        "aws_iam_group_policy" | "aws_iam_group_policy_attachment" => ("group", OwnerKind::Group),
        "aws_iam_user_group_membership" => {
            let groups = value("groups").map(|v| strings(&v)).unwrap_or_default();
            if let Some(user) = value("user").map(|v| v.display())
                && let Some(i) = find(out, OwnerKind::User, &user)
            {
                out.entities[i].groups.extend(groups);
            }
            return;
        }
        "aws_iam_group_membership" => {
            let users = value("users").map(|v| strings(&v)).unwrap_or_default();
            if let Some(group) = value("group").map(|v| v.display()) {
                for u in users {
                    if let Some(i) = find(out, OwnerKind::User, &u) {
                        out.entities[i].groups.push(group.clone());
                    }
                }
            }
            return;
        }
        "aws_iam_openid_connect_provider" => {
            // STS accepts only tokens whose `aud` is one of its client ids.
            let Some(url) = value("url").filter(Value::is_known) else { return };
            let url = url.display();
            let issuer = url.strip_prefix("https://").unwrap_or(&url).trim_end_matches('/').to_owned();
            let client_ids = value("client_id_list").filter(Value::is_known).map(|v| strings(&v));
            let account = cx.inst.r.account.clone();
            out.oidc_providers.push(crate::sources::OidcProvider { account, issuer, client_ids });
            return;
        }
        "aws_iam_policy_attachment" => {
            let Some(arn) = value("policy_arn").map(|v| v.display()) else { return };
            for (key, kind) in
                [("roles", OwnerKind::Role), ("users", OwnerKind::User), ("groups", OwnerKind::Group)]
            {
                for name in value(key).map(|v| strings(&v)).unwrap_or_default() {
                    if let Some(i) = find(out, kind, &name) {
                        out.entities[i].managed.push(arn.clone());
                    }
                }
            }
            return;
        }
        _ => return,
    };
    let Some(name) = value(key).map(|v| v.display()) else { return };
    let entity = find(out, kind, &name);
    if r.kind.ends_with("_attachment") {
        if let (Some(i), Some(arn)) = (entity, value("policy_arn")) {
            out.entities[i].managed.push(arn.display());
        }
        return;
    }
    let arn = entity.and_then(|i| out.entities[i].arn.clone());
    let owner = Owner::new(kind, arn, Some(name)).in_template(address, None);
    if let Some(a) = r.body.attr("policy")
        && let Some(u) = policy(cx, a.value, KindHint::Identity, &owner, out)
        && let Some(i) = entity
    {
        out.entities[i].inline.push(u);
    }
}

fn max_session_duration<'t>(
    cx: &Cx<'t, '_, '_>,
    r: &Block<'t>,
    address: &str,
    owner: &Owner,
    out: &mut Extracted,
) -> Option<Spanned<i64>> {
    let a = r.body.attr("max_session_duration")?;
    let v = cx.expr(a.value);
    // `null` leaves the argument unset: AWS applies one hour.
    if v.is_null() || v.unknown_part().is_some() {
        return None;
    }
    let seconds = match &v.kind {
        Val::Number(n) if n.fract() == 0.0 =>
        {
            #[allow(clippy::cast_possible_truncation)]
            Some(*n as i64)
        }
        Val::String(s) if crate::model::symbolic::is_symbolic(s) => return None,
        Val::String(s) => s.trim().parse::<i64>().ok(),
        _ => None,
    };
    let Some(seconds) = seconds else {
        out.problem(v.span, "`max_session_duration` must be a whole number of seconds".into(), owner);
        return None;
    };
    if !crate::sources::iam_export::SESSION_DURATION_RANGE.contains(&seconds) {
        let message =
            format!("`max_session_duration` is {seconds} s: IAM accepts 3600 to 43200 s (1 to 12 hours)");
        out.problem(v.span, message, owner);
    }
    let _ = address;
    let pointer = format!("/resource/{}/{}/max_session_duration", r.kind, r.label);
    Some(Spanned { value: seconds, span: v.span, pointer: pointer.into() })
}

/// Lowers the policy an attribute holds and records it. A policy written
/// as text in place (a heredoc, a quoted string, a template) keeps the
/// place of every character; one built as a value (`jsonencode`, a policy
/// document, a module's output) keeps the places of its parts. `None` when
/// it is not set, or could not be built (then noted as unresolved).
pub fn policy(
    cx: &Cx<'_, '_, '_>,
    e: Expr<'_>,
    hint: KindHint,
    owner: &Owner,
    out: &mut Extracted,
) -> Option<usize> {
    let cx = &Cx::new(cx.inst, e.file, cx.binds);
    match e.kind {
        ExprKind::Hcl(x) => match x {
            Expression::String(_) => {
                let r = x.span()?;
                let (doc, mut offsets) = decode(cx, r.start + 1, r.end - 1, true);
                offsets.push(cx.offset(r.end - 1));
                return lower_text(cx, &doc, offsets, hint, owner, out);
            }
            Expression::StringTemplate(t) if !single(t) => {
                let end = x.span()?.end - 1;
                return template_policy(cx, t, true, end, hint, owner, out);
            }
            Expression::HeredocTemplate(h) if !single(&h.template) => {
                let end = h.template.span().or_else(|| x.span())?.end;
                return template_policy(cx, &h.template, false, end, hint, owner, out);
            }
            Expression::Parenthesis(p) => {
                let inner = Expr { file: e.file, kind: ExprKind::Hcl(p.inner()) };
                return policy(cx, inner, hint, owner, out);
            }
            // A local written as text is read where it is written.
            Expression::Traversal(t)
                if let Expression::Variable(root) = &t.expr
                    && root.as_str() == "local"
                    && let [op] = &t.operators[..]
                    && let hcl_edit::expr::TraversalOperator::GetAttr(name) = op.value()
                    && let Some(&local) = cx.inst.module.locals.get(name.as_str())
                    && is_text(local) =>
            {
                return policy(cx, local, hint, owner, out);
            }
            _ => {}
        },
        ExprKind::Json(v) if v.as_str().is_some_and(|s| s.contains("${")) => {
            let parsed = cx.with_json_template(v, |jcx, t, end| {
                if single(t) {
                    let value = jcx.template(t, v.span);
                    return policy_value(&jcx, value, hint, owner, out);
                }
                template_policy(&jcx, t, false, end, hint, owner, out)
            });
            return parsed.unwrap_or_else(|(span, message)| {
                out.problem(span, message, owner);
                None
            });
        }
        ExprKind::Json(v) if v.as_str().is_some() => {
            return out.add_policy(cx.inst.text(e.file), v, hint, owner.clone());
        }
        ExprKind::Json(_) => {}
    }
    let value = cx.expr(e);
    policy_value(cx, value, hint, owner, out)
}

fn is_text(e: Expr<'_>) -> bool {
    matches!(e.kind, ExprKind::Hcl(Expression::String(_) | Expression::HeredocTemplate(_)))
        || matches!(e.kind, ExprKind::Hcl(Expression::StringTemplate(t)) if !single(t))
}

fn single(t: &Template) -> bool {
    matches!(t.as_single_element(), Some(Element::Interpolation(_)))
}

/// A policy held by a value.
#[allow(clippy::needless_pass_by_value)]
fn policy_value(
    cx: &Cx<'_, '_, '_>,
    value: Value,
    hint: KindHint,
    owner: &Owner,
    out: &mut Extracted,
) -> Option<usize> {
    let subject = owner.subject().unwrap_or_default().to_owned();
    let what = if hint == KindHint::Trust { "trust policy" } else { "policy" };
    let lowered = match &value.kind {
        Val::Null => return None,
        Val::Unknown(u) => {
            let message = match &u.why {
                Why::Input => format!("the {what} is `{}`, which is not known before Terraform runs", u.what),
                Why::Unresolved(why) | Why::Error(why) => {
                    format!("the {what} could not be built from `{}`: {why}", u.what)
                }
            };
            note(out, value.span, message, &subject);
            return None;
        }
        Val::Encoded(inner) => lower(&inner.to_tree(), hint, &SpanMap::Identity),
        Val::Object(_) => lower(&value.to_tree(), hint, &SpanMap::Identity),
        _ => {
            let text = value.display();
            match crate::syntax::json::parse(&text) {
                Ok(mut tree) => {
                    respan(&mut tree, value.span);
                    lower(&tree, hint, &SpanMap::Identity)
                }
                Err(e) => {
                    let message = format!("the {what} is not valid JSON: {}", e.message);
                    out.problem(value.span, message, owner);
                    return None;
                }
            }
        }
    };
    unresolved_parts(&value, &subject, out);
    let _ = cx;
    Some(out.push(lowered, owner.clone()))
}

/// Notes every part of a policy that trustlint could not evaluate.
fn unresolved_parts(v: &Value, subject: &str, out: &mut Extracted) {
    match &v.kind {
        Val::Unknown(u) => {
            if let Why::Unresolved(why) = &u.why {
                let message = format!("part of the policy could not be evaluated, `{}`: {why}", u.what);
                note(out, v.span, message, subject);
            }
        }
        Val::Encoded(inner) => unresolved_parts(inner, subject, out),
        Val::List(items) => items.iter().for_each(|i| unresolved_parts(i, subject, out)),
        Val::Object(members) => members.iter().for_each(|m| unresolved_parts(&m.value, subject, out)),
        _ => {}
    }
}

fn respan(v: &mut crate::syntax::json::Value<'_>, at: Span) {
    use crate::syntax::json::Kind;
    v.span = at;
    match &mut v.kind {
        Kind::Array(items) => items.iter_mut().for_each(|i| respan(i, at)),
        Kind::Object(members) => {
            for m in members {
                m.key_span = at;
                respan(&mut m.value, at);
            }
        }
        _ => {}
    }
}

/// A template holding JSON, lowered with the place of every character.
#[allow(clippy::many_single_char_names)]
fn template_policy(
    cx: &Cx<'_, '_, '_>,
    t: &Template,
    quoted: bool,
    end: usize,
    hint: KindHint,
    owner: &Owner,
    out: &mut Extracted,
) -> Option<usize> {
    let mut text = String::new();
    let mut offsets = Vec::new();
    for el in t {
        let Some(r) = el.span() else { continue };
        match el {
            Element::Literal(_) => {
                let (s, o) = decode(cx, r.start, r.end, quoted);
                text.push_str(&s);
                offsets.extend(o);
            }
            Element::Interpolation(i) => {
                let v = cx.hcl(&i.expr);
                unresolved_parts(&v, owner.subject().unwrap_or_default(), out);
                let s = if let Val::Encoded(inner) = &v.kind {
                    inner.to_json()
                } else {
                    let quoted = serde_json::to_string(&v.display()).unwrap_or_default();
                    quoted[1..quoted.len() - 1].to_owned()
                };
                let at = cx.offset(r.start);
                offsets.extend(std::iter::repeat_n(at, s.len()));
                text.push_str(&s);
            }
            Element::Directive(_) => {
                // `%{ if }` / `%{ for }` inside a policy: evaluate the whole
                // template as a value instead (places are the template's).
                let value = cx.template(t, cx.span(None));
                return policy_value(cx, value, hint, owner, out);
            }
        }
    }
    offsets.push(cx.offset(end));
    lower_text(cx, &text, offsets, hint, owner, out)
}

/// Lowers a policy held as text, mapping its spans back into the file.
fn lower_text(
    cx: &Cx<'_, '_, '_>,
    doc: &str,
    offsets: Vec<u32>,
    hint: KindHint,
    owner: &Owner,
    out: &mut Extracted,
) -> Option<usize> {
    let map = SpanMap::Table { base: 0, offsets, file: cx.file };
    match crate::syntax::json::parse(doc) {
        Ok(v) => Some(out.push(lower(&v, hint, &map), owner.clone())),
        Err(e) => {
            let message = format!("the embedded policy is not valid JSON: {}", e.message);
            out.problem(map.map(e.span), message, owner);
            None
        }
    }
}

/// The text of `src[start..end]` as a quoted HCL string (escapes decoded)
/// or as heredoc text, with the file offset of each byte.
fn decode(cx: &Cx<'_, '_, '_>, start: usize, end: usize, quoted: bool) -> (String, Vec<u32>) {
    let raw = cx.src().get(start..end).unwrap_or_default();
    let mut out = String::with_capacity(raw.len());
    let mut offsets = Vec::with_capacity(raw.len() + 1);
    let mut i = 0;
    while i < raw.len() {
        let rest = &raw[i..];
        let (c, len) = if rest.starts_with("$${") || rest.starts_with("%%{") {
            (rest.as_bytes()[0] as char, 2)
        } else if quoted && rest.starts_with('\\') {
            hcl_escape(rest)
        } else {
            let c = rest.chars().next().unwrap_or('\u{fffd}');
            (c, c.len_utf8())
        };
        let at = cx.offset(start + i);
        offsets.extend(std::iter::repeat_n(at, c.len_utf8()));
        out.push(c);
        i += len;
    }
    (out, offsets)
}

/// Decodes one escape sequence of a quoted HCL string: the character and how
/// many bytes it took.
fn hcl_escape(s: &str) -> (char, usize) {
    let b = s.as_bytes();
    let simple = match b.get(1) {
        Some(b'n') => Some('\n'),
        Some(b'r') => Some('\r'),
        Some(b't') => Some('\t'),
        Some(b'"') => Some('"'),
        Some(b'\\') => Some('\\'),
        _ => None,
    };
    if let Some(c) = simple {
        return (c, 2);
    }
    for (tag, digits) in [(b'u', 4), (b'U', 8)] {
        if b.get(1) == Some(&tag)
            && let Some(hex) = s.get(2..2 + digits)
            && let Some(c) = u32::from_str_radix(hex, 16).ok().and_then(char::from_u32)
        {
            return (c, 2 + digits);
        }
    }
    ('\\', 1)
}

/// A resource with no instance (`count = 0`, an empty `for_each`): the
/// policy documents it names are used by it, with other inputs, and are
/// not checked on their own with these (a document that only lists the
/// roles of a list left empty would be a false `invalid-policy`).
fn never_made(inst: &Instance<'_, '_>, r: &Block<'_>) {
    let text = inst.text(r.body.file).get(r.span.range()).unwrap_or_default();
    for d in inst.module.data.iter().filter(|d| d.kind == "aws_iam_policy_document") {
        let name = format!("data.aws_iam_policy_document.{}", d.label);
        let named = text.match_indices(&name).any(|(i, _)| {
            !text[i + name.len()..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        });
        if named {
            inst.r.used_documents.borrow_mut().insert((inst.address.clone(), d.label.to_owned()));
        }
    }
}

/// Policy documents of the root module no resource uses: checked on their
/// own (a document may be used by what trustlint does not read).
fn unused_documents(inst: &Instance<'_, '_>, out: &mut Extracted) {
    for d in &inst.module.data {
        if d.kind != "aws_iam_policy_document"
            || !given(inst, d.body.file)
            || inst.r.used_documents.borrow().contains(&(inst.address.clone(), d.label.to_owned()))
        {
            continue;
        }
        let expansion = inst.expand(d, 0);
        for (key, bound) in expansion.keys {
            let binds = bound.map(|value| Binds { name: expansion.bind, value, up: None });
            let cx = Cx::new(inst, d.body.file, binds.as_ref());
            let doc = super::document::build(&cx, d);
            let address = inst.address_of(&format!("data.{}", d.kind), d.label, &key);
            let owner = Owner::UNATTACHED.in_template(address, None);
            policy_value(&cx, doc, KindHint::Detect, &owner, out);
        }
    }
}
