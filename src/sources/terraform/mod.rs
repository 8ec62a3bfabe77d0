//! Terraform source: `.tf` files (HCL) and `.tf.json` files (Terraform's JSON
//! syntax).
//!
//! A file's own resources are extracted from it alone, but what they refer
//! to is looked up in the whole module (the file's directory): variables
//! (set by `terraform.tfvars` / `*.auto.tfvars`, else their `default`),
//! locals, IAM resources and policy documents, the file's own declarations
//! first. A value from another file is shown at the reference in this one.
//! Everything else stays symbolic (`{{var.account}}`,
//! `{{module.x.arn}}`). Roles, users and groups become
//! entities with an ARN in the deploying account
//! (`arn:aws:iam::{{AccountId}}:role/{path}{name}`); their policies may
//! be written with `jsonencode`, as heredoc or quoted JSON, or as an
//! `aws_iam_policy_document` data source, and keep spans into the file.
//!
//! Not followed: `templatefile()`, `source_policy_documents` /
//! `override_policy_documents` of a policy document, modules, `count` /
//! `for_each`, and `.tf.json` files as the module's other files.

mod document;
mod functions;
mod value;
mod eval;
mod siblings;
mod suppress;

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use hcl_edit::Span as _;
use hcl_edit::expr::Expression;
use hcl_edit::structure::{Body as HclBody, Structure};

use super::{Entity, Extracted, Owner, OwnerKind};
use crate::model::{KindHint, Problem, SpanMap, Spanned, lower};
use crate::source::Span;
use crate::syntax::json::{Kind, Value};
use eval::Cx;
use siblings::Siblings;

/// An expression in either syntax.
#[derive(Clone, Copy)]
pub(super) enum Expr<'a> {
    Hcl(&'a Expression),
    Json(&'a Value<'a>),
}

/// The body of a block in either syntax.
#[derive(Clone, Copy)]
enum Body<'a> {
    Hcl(&'a HclBody),
    Json(&'a Value<'a>),
}

struct Attr<'a> {
    key_span: Span,
    value: Expr<'a>,
}

/// A nested block: its body, its whole span and the span of its name.
struct Nested<'a> {
    body: Body<'a>,
    span: Span,
    ident: Span,
}

/// A `resource` or `data` block.
#[derive(Clone, Copy)]
struct Resource<'a> {
    kind: &'a str,
    label: &'a str,
    body: Body<'a>,
    span: Span,
}

impl Resource<'_> {
    fn address(&self) -> String {
        format!("{}.{}", self.kind, self.label)
    }
}

/// What one file declares.
pub(super) struct Module<'a> {
    /// Variables, with their default when they have one.
    vars: HashMap<&'a str, Option<Expr<'a>>>,
    locals: HashMap<&'a str, Expr<'a>>,
    resources: Vec<Resource<'a>>,
    data: Vec<Resource<'a>>,
    /// Resources by type and label.
    index: HashMap<(&'a str, &'a str), usize>,
    /// Policy documents some resource of the file uses.
    used_documents: RefCell<HashSet<String>>,
    /// The directory of the `.tf` file (`path.module`), for `file()`.
    dir: Option<std::path::PathBuf>,
    /// The declarations of the module's other files.
    siblings: Option<&'a Siblings>,
}

/// Which file a declaration is in: the one being read, or another file of
/// the module (with its text).
#[derive(Clone, Copy)]
pub(super) enum Origin<'a> {
    Here,
    There(&'a str),
}

pub(super) fn span(r: Option<std::ops::Range<usize>>) -> Span {
    let at = |i: usize| u32::try_from(i).unwrap_or(u32::MAX);
    r.map_or_else(Span::default, |r| Span::new(at(r.start), at(r.end)))
}

impl<'a> Body<'a> {
    fn attr(self, key: &str) -> Option<Attr<'a>> {
        match self {
            Self::Hcl(b) => b
                .get_attribute(key)
                .map(|a| Attr { key_span: span(a.key.span()), value: Expr::Hcl(&a.value) }),
            Self::Json(v) => v
                .as_object()?
                .iter()
                .rev()
                .find(|m| m.key == key)
                .map(|m| Attr { key_span: m.key_span, value: Expr::Json(&m.value) }),
        }
    }

    fn blocks(self, key: &str) -> Vec<Nested<'a>> {
        match self {
            Self::Hcl(b) => b
                .blocks()
                .filter(|b| b.ident.as_str() == key)
                .map(|b| Nested {
                    body: Body::Hcl(&b.body),
                    span: span(b.span()),
                    ident: span(b.ident.span()),
                })
                .collect(),
            Self::Json(v) => {
                let Some(m) = v.as_object().and_then(|ms| ms.iter().rev().find(|m| m.key == key)) else {
                    return Vec::new();
                };
                let one = |b: &'a Value<'a>| Nested { body: Body::Json(b), span: b.span, ident: m.key_span };
                match &m.value.kind {
                    Kind::Object(_) => vec![one(&m.value)],
                    Kind::Array(items) => items.iter().filter(|b| b.as_object().is_some()).map(one).collect(),
                    _ => Vec::new(),
                }
            }
        }
    }
}

/// The largest file `file()` reads: policies are a few kilobytes.
const MAX_FILE: u64 = 1 << 20;

impl<'a> Module<'a> {
    /// The text of the file a `file()` call names, relative to the module
    /// (`"${path.module}/trust.json"`, `"trust.json"`). `None` when the path is
    /// not settled, absolute, missing or too big.
    pub(super) fn read_beside(&self, path: &str) -> Option<String> {
        let rel = ["{{path.module}}/", "{{path.root}}/", "./"]
            .iter()
            .find_map(|p| path.strip_prefix(p))
            .unwrap_or(path);
        if crate::model::symbolic::is_symbolic(rel) || std::path::Path::new(rel).is_absolute() {
            return None;
        }
        let full = self.dir.as_deref().unwrap_or(std::path::Path::new(".")).join(rel);
        let meta = std::fs::metadata(&full).ok()?;
        if !meta.is_file() || meta.len() > MAX_FILE {
            return None;
        }
        crate::syntax::text::decode(std::fs::read(&full).ok()?).ok()
    }

    fn new() -> Self {
        Self {
            vars: HashMap::new(),
            locals: HashMap::new(),
            resources: Vec::new(),
            data: Vec::new(),
            index: HashMap::new(),
            used_documents: RefCell::new(HashSet::new()),
            dir: None,
            siblings: None,
        }
    }

    fn from_hcl(body: &'a HclBody) -> Self {
        let mut m = Self::new();
        for b in body.blocks() {
            let labels: Vec<&str> = b.labels.iter().map(hcl_edit::structure::BlockLabel::as_str).collect();
            match (b.ident.as_str(), labels.as_slice()) {
                ("variable", [name]) => {
                    m.vars.insert(name, b.body.get_attribute("default").map(|a| Expr::Hcl(&a.value)));
                }
                ("locals", []) => {
                    for a in b.body.attributes() {
                        m.locals.insert(a.key.as_str(), Expr::Hcl(&a.value));
                    }
                }
                (which @ ("resource" | "data"), [kind, label]) => {
                    let r = Resource { kind, label, body: Body::Hcl(&b.body), span: span(b.span()) };
                    if which == "resource" { m.resources.push(r) } else { m.data.push(r) }
                }
                _ => {}
            }
        }
        m
    }

    fn from_json(root: &'a Value<'a>) -> Self {
        let mut m = Self::new();
        for v in each_object(root.get("variable")) {
            for var in v.as_object().unwrap_or_default() {
                m.vars.insert(&var.key, var.value.get("default").map(Expr::Json));
            }
        }
        for l in each_object(root.get("locals")) {
            for local in l.as_object().unwrap_or_default() {
                m.locals.insert(&local.key, Expr::Json(&local.value));
            }
        }
        for (key, list) in [("resource", &mut m.resources), ("data", &mut m.data)] {
            for types in each_object(root.get(key)) {
                for t in types.as_object().unwrap_or_default() {
                    for named in each_object(Some(&t.value)) {
                        for r in named.as_object().unwrap_or_default() {
                            for body in each_object(Some(&r.value)) {
                                let span = Span::new(r.key_span.start, r.value.span.end);
                                list.push(Resource {
                                    kind: &t.key,
                                    label: &r.key,
                                    body: Body::Json(body),
                                    span,
                                });
                            }
                        }
                    }
                }
            }
        }
        m
    }

    /// Indexes the resources, the first of an address winning.
    fn indexed(mut self) -> Self {
        for (i, r) in self.resources.iter().enumerate() {
            self.index.entry((r.kind, r.label)).or_insert(i);
        }
        self
    }

    /// The value of a variable: what a `.tfvars` file of the module sets,
    /// else its default. `Some((None, _))`: declared without a default.
    fn var(&self, name: &str) -> Option<(Option<Expr<'a>>, Origin<'a>)> {
        let own = self.vars.get(name);
        if let Some(s) = self.siblings
            && (own.is_some() || s.declares_var(name))
            && let Some(f) = s.tfvar(name)
        {
            return Some((Some(Expr::Hcl(f.item)), Origin::There(f.text)));
        }
        if let Some(&default) = own {
            return Some((default, Origin::Here));
        }
        let f = self.siblings?.var_default(name)?;
        Some((f.item.map(Expr::Hcl), Origin::There(f.text)))
    }

    fn local(&self, name: &str) -> Option<(Expr<'a>, Origin<'a>)> {
        if let Some(&l) = self.locals.get(name) {
            return Some((l, Origin::Here));
        }
        let f = self.siblings?.local(name)?;
        Some((Expr::Hcl(f.item), Origin::There(f.text)))
    }

    fn resource(&self, kind: &str, label: &str) -> Option<(Resource<'a>, Origin<'a>)> {
        if let Some(&i) = self.index.get(&(kind, label)) {
            return Some((self.resources[i], Origin::Here));
        }
        self.sibling_block(false, kind, label)
    }

    fn data_source(&self, kind: &str, label: &str) -> Option<(Resource<'a>, Origin<'a>)> {
        if let Some(r) = self.data.iter().find(|r| r.kind == kind && r.label == label) {
            return Some((*r, Origin::Here));
        }
        self.sibling_block(true, kind, label)
    }

    fn sibling_block(&self, data: bool, kind: &str, label: &str) -> Option<(Resource<'a>, Origin<'a>)> {
        let f = self.siblings?.resource(data, kind, label)?;
        let b = f.item;
        let [kind, label] = [0, 1].map(|i| b.labels.get(i).map_or("", |l| l.as_str()));
        let r = Resource { kind, label, body: Body::Hcl(&b.body), span: span(b.span()) };
        Some((r, Origin::There(f.text)))
    }

    fn declares_iam(&self) -> bool {
        self.resources.iter().any(|r| r.kind.starts_with("aws_iam_"))
            || self.data.iter().any(|r| r.kind == "aws_iam_policy_document")
    }
}

/// An object, or each object of an array (Terraform's JSON syntax allows both
/// wherever blocks are repeated).
fn each_object<'v, 's>(v: Option<&'v Value<'s>>) -> Vec<&'v Value<'s>> {
    match v.map(|v| &v.kind) {
        Some(Kind::Object(_)) => v.into_iter().collect(),
        Some(Kind::Array(items)) => items.iter().filter(|i| i.as_object().is_some()).collect(),
        _ => Vec::new(),
    }
}

/// Whether a parsed JSON file is Terraform source in JSON syntax: a
/// `resource` or `data` object with `aws_iam_*` members.
pub fn detect_json(root: &Value<'_>) -> bool {
    ["resource", "data"].iter().any(|k| {
        each_object(root.get(k))
            .iter()
            .any(|types| types.as_object().unwrap_or_default().iter().any(|m| m.key.starts_with("aws_iam_")))
    })
}

pub fn extract_json(text: &str, root: &Value<'_>, out: &mut Extracted) {
    let module = Module::from_json(root).indexed();
    extract(&module, text, out);
}

/// Reads a `.tf` file. `Ok(None)`: it declares no IAM resource or policy
/// document.
///
/// # Errors
/// When the file is not valid HCL.
pub fn extract_hcl(name: &str, text: &str) -> Result<Option<Extracted>, Problem> {
    let problem = |at: usize, message: String| {
        let at = u32::try_from(at).unwrap_or(u32::MAX);
        Problem { span: Span::new(at, at), pointer: String::new(), message }
    };
    if u32::try_from(text.len()).is_err() {
        return Err(problem(0, "file is larger than 4 GiB".into()));
    }
    let body = hcl_edit::parser::parse_body(text)
        .map_err(|e| problem(e.location().offset(), format!("invalid HCL: {}", e.message())))?;
    let mut module = Module::from_hcl(&body).indexed();
    if !module.declares_iam() {
        return Ok(None);
    }
    let dir = std::path::Path::new(name).parent().map(std::path::Path::to_path_buf);
    let siblings: Option<Arc<Siblings>> =
        dir.as_deref().and_then(|d| siblings::of(if d.as_os_str().is_empty() { ".".as_ref() } else { d }));
    module.dir = dir;
    module.siblings = siblings.as_deref();
    let mut out = Extracted::default();
    extract(&module, text, &mut out);
    for s in &body {
        if let Structure::Block(b) = s
            && matches!(b.ident.as_str(), "resource" | "data")
        {
            suppress::collect(text, s, &mut out.suppressions);
        }
    }
    Ok(Some(out))
}

const PRINCIPALS: [(&str, OwnerKind); 3] = [
    ("aws_iam_role", OwnerKind::Role),
    ("aws_iam_user", OwnerKind::User),
    ("aws_iam_group", OwnerKind::Group),
];

fn extract(module: &Module<'_>, text: &str, out: &mut Extracted) {
    let cx = Cx::new(module, text);
    for r in &module.resources {
        if let Some(&(_, kind)) = PRINCIPALS.iter().find(|(k, _)| *k == r.kind) {
            principal(&cx, r, kind, out);
        } else if r.kind == "aws_iam_policy" {
            managed_policy(&cx, r, out);
        }
    }
    for r in &module.resources {
        attachment(&cx, r, out);
    }
    let unused: Vec<&Resource<'_>> = module
        .data
        .iter()
        .filter(|d| d.kind == "aws_iam_policy_document" && !module.used_documents.borrow().contains(d.label))
        .collect();
    for d in unused {
        let doc = document::build(&cx, d, 0);
        let owner = Owner::UNATTACHED.in_template(d.address(), None);
        out.push(lower(&doc, KindHint::Detect, &SpanMap::Identity), owner);
    }
}

/// A role, user or group with the policies written inside it.
fn principal(cx: &Cx<'_, '_>, r: &Resource<'_>, kind: OwnerKind, out: &mut Extracted) {
    let named = cx.named(r.kind, r.label, 0).unwrap_or_default();
    let owner =
        Owner::new(kind, Some(named.arn.clone()), Some(named.name.clone())).in_template(r.address(), None);
    let mut entity = Entity { kind: Some(kind), arn: Some(named.arn), name: named.name, ..Entity::default() };
    if kind == OwnerKind::Role {
        let duration = max_session_duration(cx, r, &owner, out);
        if let Some(a) = r.body.attr("assume_role_policy")
            && let Some(i) = cx.policy(a.value, KindHint::Trust, owner.clone(), out, 0)
        {
            out.units[i].max_session_duration = duration;
            entity.trust = Some(i);
        }
        for b in r.body.blocks("inline_policy") {
            if let Some(a) = b.body.attr("policy")
                && let Some(i) = cx.policy(a.value, KindHint::Identity, owner.clone(), out, 0)
            {
                entity.inline.push(i);
            }
        }
        if let Some(a) = r.body.attr("managed_policy_arns") {
            entity.managed = cx.strings(a.value, 0);
        }
    }
    if kind != OwnerKind::Group {
        entity.boundary = r.body.attr("permissions_boundary").map(|a| cx.string(a.value, 0));
    }
    out.entities.push(entity);
}

fn managed_policy(cx: &Cx<'_, '_>, r: &Resource<'_>, out: &mut Extracted) {
    let named = cx.named(r.kind, r.label, 0).unwrap_or_default();
    let owner = Owner::new(OwnerKind::ManagedPolicy, Some(named.arn.clone()), Some(named.name))
        .in_template(r.address(), None);
    if let Some(a) = r.body.attr("policy")
        && let Some(i) = cx.policy(a.value, KindHint::Identity, owner, out, 0)
    {
        out.managed.push((named.arn, i));
    }
}

/// The entity of `kind` named `name`.
fn find(out: &Extracted, kind: OwnerKind, name: &str) -> Option<usize> {
    out.entities.iter().position(|e| e.kind == Some(kind) && e.name == name)
}

/// For `aws_iam_role.x.name` (or `.id`) naming a role another file of the
/// module declares: an entity standing for it, which the analysis merges
/// with the role (they share the ARN).
fn declared_elsewhere(
    cx: &Cx<'_, '_>,
    value: Expr<'_>,
    kind: OwnerKind,
    out: &mut Extracted,
) -> Option<usize> {
    let Expr::Hcl(Expression::Traversal(t)) = value else { return None };
    let Expression::Variable(root) = &t.expr else { return None };
    let (resource, _) = PRINCIPALS.iter().find(|(_, k)| *k == kind)?;
    let steps: Vec<&str> = t
        .operators
        .iter()
        .map(|op| match op.value() {
            hcl_edit::expr::TraversalOperator::GetAttr(id) => id.as_str(),
            _ => "",
        })
        .collect();
    let [label, "name" | "id"] = steps[..] else { return None };
    if root.as_str() != *resource {
        return None;
    }
    let named = cx.named(resource, label, 0)?;
    out.entities.push(Entity {
        kind: Some(kind),
        arn: Some(named.arn),
        name: named.name,
        ..Entity::default()
    });
    Some(out.entities.len() - 1)
}

/// Policies, attachments and memberships declared as resources of their own.
fn attachment(cx: &Cx<'_, '_>, r: &Resource<'_>, out: &mut Extracted) {
    let target = |out: &mut Extracted, key: &str, kind: OwnerKind| -> Option<(String, Option<usize>)> {
        let value = r.body.attr(key)?.value;
        let name = cx.string(value, 0);
        let i = find(out, kind, &name).or_else(|| declared_elsewhere(cx, value, kind, out));
        Some((name, i))
    };
    let (key, kind) = match r.kind {
        "aws_iam_role_policy" | "aws_iam_role_policy_attachment" => ("role", OwnerKind::Role),
        "aws_iam_user_policy" | "aws_iam_user_policy_attachment" => ("user", OwnerKind::User),
        "aws_iam_group_policy" | "aws_iam_group_policy_attachment" => ("group", OwnerKind::Group),
        "aws_iam_user_group_membership" => {
            let groups = r.body.attr("groups").map(|a| cx.strings(a.value, 0)).unwrap_or_default();
            if let Some((_, Some(i))) = target(out, "user", OwnerKind::User) {
                out.entities[i].groups.extend(groups);
            }
            return;
        }
        "aws_iam_group_membership" => {
            let users = r.body.attr("users").map(|a| cx.strings(a.value, 0)).unwrap_or_default();
            if let Some((group, _)) = target(out, "group", OwnerKind::Group) {
                for u in users {
                    if let Some(i) = find(out, OwnerKind::User, &u) {
                        out.entities[i].groups.push(group.clone());
                    }
                }
            }
            return;
        }
        "aws_iam_policy_attachment" => {
            let Some(arn) = r.body.attr("policy_arn").map(|a| cx.string(a.value, 0)) else { return };
            for (key, kind) in
                [("roles", OwnerKind::Role), ("users", OwnerKind::User), ("groups", OwnerKind::Group)]
            {
                for name in r.body.attr(key).map(|a| cx.strings(a.value, 0)).unwrap_or_default() {
                    if let Some(i) = find(out, kind, &name) {
                        out.entities[i].managed.push(arn.clone());
                    }
                }
            }
            return;
        }
        _ => return,
    };
    let Some((name, entity)) = target(out, key, kind) else { return };
    if r.kind.ends_with("_attachment") {
        if let (Some(i), Some(a)) = (entity, r.body.attr("policy_arn")) {
            let arn = cx.string(a.value, 0);
            out.entities[i].managed.push(arn);
        }
        return;
    }
    let arn = entity.and_then(|i| out.entities[i].arn.clone());
    let owner = Owner::new(kind, arn, Some(name)).in_template(r.address(), None);
    if let Some(a) = r.body.attr("policy")
        && let Some(u) = cx.policy(a.value, KindHint::Identity, owner, out, 0)
        && let Some(i) = entity
    {
        out.entities[i].inline.push(u);
    }
}

fn max_session_duration(
    cx: &Cx<'_, '_>,
    r: &Resource<'_>,
    owner: &Owner,
    out: &mut Extracted,
) -> Option<Spanned<i64>> {
    let a = r.body.attr("max_session_duration")?;
    let v = cx.value(a.value, 0);
    let seconds = match &v.kind {
        Kind::Number(n) => n.parse::<i64>().ok(),
        Kind::String(s) if crate::model::symbolic::is_symbolic(s) => return None,
        Kind::String(s) => s.parse::<i64>().ok(),
        _ => None,
    };
    let Some(seconds) = seconds else {
        out.problem(v.span, "`max_session_duration` must be a whole number of seconds".into(), owner);
        return None;
    };
    if !super::iam_export::SESSION_DURATION_RANGE.contains(&seconds) {
        let message =
            format!("`max_session_duration` is {seconds} s: IAM accepts 3600 to 43200 s (1 to 12 hours)");
        out.problem(v.span, message, owner);
    }
    let pointer = format!("/resource/{}/{}/max_session_duration", r.kind, r.label);
    Some(Spanned { value: seconds, span: v.span, pointer })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Principal;

    fn read(text: &str) -> Extracted {
        extract_hcl("main.tf", text).unwrap().expect("IAM resources")
    }

    /// Each principal of each unit: its value and the text its span covers.
    fn principals(text: &str, x: &Extracted) -> Vec<(String, String)> {
        x.units
            .iter()
            .flat_map(|u| &u.policy.statements)
            .flat_map(|s| s.principal.iter().flat_map(|p| &p.entries))
            .map(|e| (e.text.value.clone(), text[e.text.span.range()].to_owned()))
            .collect()
    }

    fn pair(value: &str, source: &str) -> (String, String) {
        (value.to_owned(), source.to_owned())
    }

    #[test]
    fn heredoc_spans_stay_right_around_interpolations() {
        let text = "variable \"acct\" {\n  default = \"123456789012\"\n}\nresource \"aws_iam_role\" \"r\" {\n  assume_role_policy = <<-EOT\n    {\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"sts:AssumeRole\",\n      \"Principal\": {\"AWS\": \"arn:aws:iam::${var.acct}:root\", \"Service\": \"ec2.amazonaws.com\"}}]}\n  EOT\n}\n";
        let x = read(text);
        assert_eq!(
            principals(text, &x),
            [
                pair("arn:aws:iam::123456789012:root", "\"arn:aws:iam::${var.acct}:root\""),
                pair("ec2.amazonaws.com", "\"ec2.amazonaws.com\""),
            ]
        );
    }

    #[test]
    fn quoted_json_spans_go_through_escapes() {
        let text = "resource \"aws_iam_role\" \"r\" {\n  assume_role_policy = \"{\\\"Statement\\\": {\\\"Effect\\\": \\\"Allow\\\", \\\"Action\\\": \\\"sts:AssumeRole\\\", \\\"Principal\\\": {\\\"AWS\\\": \\\"*\\\"}}}\"\n}\n";
        let x = read(text);
        assert_eq!(principals(text, &x), [pair("*", "\\\"*\\\"")]);
    }

    #[test]
    fn policy_documents_build_iam_json() {
        let text = r#"
data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:PrincipalOrgID"
      values   = ["o-abc123"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:PrincipalTag/team"
      values   = ["ops"]
    }
  }
  statement {
    effect  = "Deny"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = ["111111111111"]
    }
    principals {
      type        = "AWS"
      identifiers = ["222222222222"]
    }
  }
}
resource "aws_iam_role" "r" {
  assume_role_policy = data.aws_iam_policy_document.trust.json
}
"#;
        let x = read(text);
        // `type = "*"` is `"Principal": "*"`, which IAM rejects in a trust policy.
        let [(p, _)] = &x.problems[..] else { panic!("{:?}", x.problems) };
        assert_eq!(&text[p.span.range()], "\"*\"");
        assert!(p.message.contains("not valid in a trust policy"), "{}", p.message);
        assert_eq!(x.units.len(), 1, "the document is used, not also reported on its own");
        let st = &x.units[0].policy.statements;
        assert_eq!(st.len(), 2);
        assert_eq!(st[0].principal.as_ref().unwrap().entries[0].principal, Principal::Anyone);
        assert_eq!(st[0].conditions.len(), 2);
        assert_eq!(text[st[0].conditions[1].values[0].span.range()].to_owned(), "\"ops\"");
        assert_eq!(
            principals(text, &x)[1..],
            [pair("111111111111", "\"111111111111\""), pair("222222222222", "\"222222222222\"")]
        );
    }

    #[test]
    fn references_resolve_or_stay_symbolic() {
        let text = r#"
locals {
  a = local.b
  b = local.a
  org = "my-org"
}
data "aws_partition" "current" {}
resource "aws_iam_saml_provider" "okta" {
  name = "okta"
}
resource "aws_iam_role" "r" {
  assume_role_policy = jsonencode({
    Statement = [{
      Effect = "Allow"
      Action = ["sts:AssumeRoleWithSAML", "sts:AssumeRole"]
      Principal = {
        Federated = aws_iam_saml_provider.okta.arn
        AWS = [local.a, module.accounts.ci, "arn:${data.aws_partition.current.partition}:iam::${each.value}:root"]
      }
    }]
  })
}
"#;
        let x = read(text);
        let got: Vec<String> = principals(text, &x).into_iter().map(|p| p.0).collect();
        assert_eq!(
            got,
            [
                "arn:aws:iam::{{AccountId}}:saml-provider/okta",
                "{{local.a}}",
                "{{module.accounts.ci}}",
                "arn:aws:iam::{{each.value}}:root",
            ]
        );
    }

    #[test]
    fn no_iam_no_extraction_and_errors_have_a_place() {
        assert!(
            extract_hcl("main.tf", "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"b\"\n}\n")
                .unwrap()
                .is_none()
        );
        let e = extract_hcl("main.tf", "resource \"aws_iam_role\" \"r\" {\n  name = \n}\n").unwrap_err();
        assert!(e.message.starts_with("invalid HCL: "), "{}", e.message);
        assert_eq!(e.span.start, 39, "the line break where the value should be");
    }

    #[test]
    fn suppressions_cover_the_block_or_attribute_below() {
        let text = "# trustlint:ignore wildcard-principal reviewed\nresource \"aws_iam_role\" \"r\" {\n  name = \"r\"\n  // trustlint:ignore TL001\n  assume_role_policy = jsonencode({})\n}\n";
        let x = read(text);
        let s: Vec<(&str, &str, Option<&str>)> = x
            .suppressions
            .iter()
            .map(|s| (&text[s.span.range()], &text[s.scope.range()], s.reason.as_deref()))
            .collect();
        assert_eq!(s[0].0, "# trustlint:ignore wildcard-principal reviewed");
        assert!(s[0].1.starts_with("resource \"aws_iam_role\" \"r\" {") && s[0].1.ends_with('}'));
        assert_eq!(s[0].2, Some("reviewed"));
        assert_eq!(s[1], ("// trustlint:ignore TL001", "assume_role_policy = jsonencode({})", None));
    }

    /// A scratch module directory with `files`, removed when dropped.
    struct Dir(std::path::PathBuf);

    impl Dir {
        fn new(tag: &str, files: &[(&str, &str)]) -> Self {
            let dir = std::env::temp_dir().join(format!("trustlint-unit-{tag}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            for (name, text) in files {
                std::fs::write(dir.join(name), text).unwrap();
            }
            Self(dir)
        }

        /// Extracts `name`, written to the directory.
        fn read(&self, name: &str) -> (String, Extracted) {
            let path = self.0.join(name);
            let text = std::fs::read_to_string(&path).unwrap();
            let x = extract_hcl(&path.to_string_lossy(), &text).unwrap().expect("IAM resources");
            (text, x)
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    const TRUST: &str = "resource \"aws_iam_role\" \"r\" {\n  assume_role_policy = jsonencode({\n    Statement = [{ Effect = \"Allow\", Action = \"sts:AssumeRole\", Principal = { AWS = [var.a, local.b, \"arn:aws:iam::${var.c}:root\", aws_iam_role.other.arn] } }]\n  })\n}\n";

    #[test]
    fn other_files_of_the_module_resolve_at_the_reference() {
        let dir = Dir::new(
            "siblings",
            &[
                ("main.tf", &format!("variable \"c\" {{\n  default = \"333333333333\"\n}}\n{TRUST}")),
                (
                    "variables.tf",
                    "variable \"a\" {\n  default = \"111111111111\"\n}\nvariable \"c\" {\n  default = \"999999999999\"\n}\nvariable \"org\" {\n  default = \"222222222222\"\n}\n",
                ),
                ("locals.tf", "locals {\n  b = \"arn:aws:iam::${var.org}:root\"\n}\n"),
                (
                    "roles.tf",
                    "resource \"aws_iam_role\" \"other\" {\n  name = \"o-${var.a}\"\n  path = \"/x/\"\n}\n",
                ),
                ("broken.tf", "locals {\n  b = \n"),
            ],
        );
        let (text, x) = dir.read("main.tf");
        assert_eq!(
            principals(&text, &x),
            [
                pair("111111111111", "var.a"),
                pair("arn:aws:iam::222222222222:root", "local.b"),
                // This file's own declaration wins.
                pair("arn:aws:iam::333333333333:root", "\"arn:aws:iam::${var.c}:root\""),
                pair("arn:aws:iam::{{AccountId}}:role/x/o-111111111111", "aws_iam_role.other.arn"),
            ]
        );
        // The directory is read once, whichever file asks.
        let once = siblings::of(&dir.0).unwrap();
        assert_eq!(once.file_count(), 4, "broken.tf left out");
        let _ = dir.read("main.tf");
        assert!(Arc::ptr_eq(&once, &siblings::of(&dir.0).unwrap()));
    }

    #[test]
    fn policies_held_by_other_files_are_shown_at_the_reference() {
        let dir = Dir::new(
            "sibling-policies",
            &[
                (
                    "main.tf",
                    "resource \"aws_iam_role\" \"a\" {\n  assume_role_policy = local.encoded\n}\nresource \"aws_iam_role\" \"b\" {\n  assume_role_policy = local.heredoc\n}\nresource \"aws_iam_role\" \"c\" {\n  assume_role_policy = data.aws_iam_policy_document.trust.json\n}\nresource \"aws_iam_role\" \"d\" {\n  assume_role_policy = var.none\n}\n",
                ),
                (
                    "locals.tf",
                    "locals {\n  encoded = jsonencode({ Statement = [{ Effect = \"Allow\", Action = \"sts:AssumeRole\", Principal = { AWS = \"*\" } }] })\n  heredoc = <<-EOT\n    {\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"sts:AssumeRole\", \"Principal\": {\"AWS\": \"${var.acct}\"}}]}\n  EOT\n}\nvariable \"acct\" {\n  default = \"444444444444\"\n}\nvariable \"none\" {}\n",
                ),
                (
                    "documents.tf",
                    "data \"aws_iam_policy_document\" \"trust\" {\n  statement {\n    actions = [\"sts:AssumeRole\"]\n    principals {\n      type        = \"AWS\"\n      identifiers = [\"555555555555\"]\n    }\n  }\n}\n",
                ),
            ],
        );
        let (text, x) = dir.read("main.tf");
        assert_eq!(
            principals(&text, &x),
            [
                pair("*", "local.encoded"),
                pair("444444444444", "local.heredoc"),
                pair("555555555555", "data.aws_iam_policy_document.trust.json"),
            ]
        );
        assert_eq!(x.units.len(), 3, "a variable without a default gives no policy");
    }

    #[test]
    fn tfvars_set_variables() {
        let dir = Dir::new(
            "tfvars",
            &[
                (
                    "main.tf",
                    "variable \"a\" {\n  default = \"111111111111\"\n}\nresource \"aws_iam_role\" \"r\" {\n  assume_role_policy = jsonencode({ Statement = [{ Effect = \"Allow\", Action = \"sts:AssumeRole\", Principal = { AWS = [var.a, var.b] } }] })\n}\n",
                ),
                ("variables.tf", "variable \"b\" {}\n"),
                ("terraform.tfvars", "a = \"000000000000\"\nb = \"666666666666\"\nundeclared = \"x\"\n"),
                ("z.auto.tfvars", "b = \"777777777777\"\n"),
            ],
        );
        let (text, x) = dir.read("main.tf");
        let got: Vec<String> = principals(&text, &x).into_iter().map(|p| p.0).collect();
        assert_eq!(got, ["000000000000", "777777777777"]);
    }
}
