//! What each module directory declares, indexed, in either of Terraform's
//! syntaxes (HCL, JSON): variables, locals, outputs, resources, data
//! sources and module calls, each with the file it is written in.

use std::collections::HashMap;

use hcl_edit::Span as _;
use hcl_edit::expr::Expression;
use hcl_edit::structure::{Body as HclBody, Structure};

use super::config::{Loaded, Syntax};
use crate::source::Span;
use crate::syntax::json::{Kind, Value};

/// An expression, with the file it is in.
#[derive(Clone, Copy)]
pub struct Expr<'t> {
    pub file: u32,
    pub kind: ExprKind<'t>,
}

#[derive(Clone, Copy)]
pub enum ExprKind<'t> {
    Hcl(&'t Expression),
    /// A value of a `.tf.json` file: strings are templates.
    Json(&'t Value<'t>),
}

/// The body of a block.
#[derive(Clone, Copy)]
pub struct Body<'t> {
    pub file: u32,
    pub kind: BodyKind<'t>,
}

#[derive(Clone, Copy)]
pub enum BodyKind<'t> {
    Hcl(&'t HclBody),
    Json(&'t Value<'t>),
}

/// An attribute: where its name is, and its value.
#[derive(Clone, Copy)]
pub struct Attr<'t> {
    pub key_span: Span,
    pub value: Expr<'t>,
}

/// A block: its type (`resource`, `statement`, …) and labels, body and places.
#[derive(Clone)]
pub struct Nested<'t> {
    pub labels: Vec<&'t str>,
    pub body: Body<'t>,
    pub span: Span,
    /// The span of the block's name.
    pub ident: Span,
}

/// A hcl-edit byte range as a span of `file`.
pub fn span(file: u32, r: Option<std::ops::Range<usize>>) -> Span {
    let at = |i: usize| u32::try_from(i).unwrap_or(u32::MAX);
    r.map_or_else(Span::default, |r| Span::new(at(r.start), at(r.end))).in_file(file)
}

impl<'t> Expr<'t> {
    pub fn span(&self) -> Span {
        match self.kind {
            ExprKind::Hcl(e) => span(self.file, e.span()),
            ExprKind::Json(v) => v.span,
        }
    }

    /// A literal string (not a template).
    pub fn literal(&self) -> Option<&'t str> {
        match self.kind {
            ExprKind::Hcl(Expression::String(s)) => Some(s.value().as_str()),
            ExprKind::Json(v) => v.as_str().filter(|s| !s.contains("${")),
            ExprKind::Hcl(_) => None,
        }
    }
}

impl<'t> Body<'t> {
    pub fn attr(self, key: &str) -> Option<Attr<'t>> {
        match self.kind {
            BodyKind::Hcl(b) => b.get_attribute(key).map(|a| Attr {
                key_span: span(self.file, a.key.span()),
                value: Expr { file: self.file, kind: ExprKind::Hcl(&a.value) },
            }),
            BodyKind::Json(v) => v.as_object()?.iter().rev().find(|m| m.key == key).map(|m| Attr {
                key_span: m.key_span,
                value: Expr { file: self.file, kind: ExprKind::Json(&m.value) },
            }),
        }
    }

    /// Every attribute, in order (a JSON body's members that hold no block).
    pub fn attrs(self) -> Vec<(&'t str, Attr<'t>)> {
        match self.kind {
            BodyKind::Hcl(b) => b
                .attributes()
                .map(|a| {
                    let attr = Attr {
                        key_span: span(self.file, a.key.span()),
                        value: Expr { file: self.file, kind: ExprKind::Hcl(&a.value) },
                    };
                    (a.key.as_str(), attr)
                })
                .collect(),
            BodyKind::Json(v) => v
                .as_object()
                .unwrap_or_default()
                .iter()
                .map(|m| {
                    let attr = Attr {
                        key_span: m.key_span,
                        value: Expr { file: self.file, kind: ExprKind::Json(&m.value) },
                    };
                    (&*m.key, attr)
                })
                .collect(),
        }
    }

    /// The nested blocks named `key`, in order. In JSON a block is an
    /// object (or a list of them), labels being levels of nesting:
    /// `labels` says how many.
    pub fn blocks(self, key: &str, labels: usize) -> Vec<Nested<'t>> {
        match self.kind {
            BodyKind::Hcl(b) => b
                .blocks()
                .filter(|b| b.ident.as_str() == key)
                .map(|b| Nested {
                    labels: b.labels.iter().map(hcl_edit::structure::BlockLabel::as_str).collect(),
                    body: Body { file: self.file, kind: BodyKind::Hcl(&b.body) },
                    span: span(self.file, b.span()),
                    ident: span(self.file, b.ident.span()),
                })
                .collect(),
            BodyKind::Json(v) => {
                let Some(m) = v.as_object().and_then(|ms| ms.iter().rev().find(|m| m.key == key)) else {
                    return Vec::new();
                };
                let mut out = Vec::new();
                json_blocks(self.file, &m.value, m.key_span, labels, &mut Vec::new(), &mut out);
                out
            }
        }
    }
}

fn json_blocks<'t>(
    file: u32,
    v: &'t Value<'t>,
    ident: Span,
    labels: usize,
    path: &mut Vec<&'t str>,
    out: &mut Vec<Nested<'t>>,
) {
    match &v.kind {
        Kind::Array(items) => {
            for i in items {
                json_blocks(file, i, ident, labels, path, out);
            }
        }
        Kind::Object(members) if path.len() < labels => {
            for m in members {
                path.push(&m.key);
                json_blocks(file, &m.value, ident, labels, path, out);
                path.pop();
            }
        }
        Kind::Object(_) => out.push(Nested {
            labels: path.clone(),
            body: Body { file, kind: BodyKind::Json(v) },
            span: v.span,
            ident,
        }),
        _ => {}
    }
}

/// A `resource`, `data` or `module` block.
#[derive(Clone)]
pub struct Block<'t> {
    /// The resource type; for a module call, `module`.
    pub kind: &'t str,
    pub label: &'t str,
    pub body: Body<'t>,
    pub span: Span,
}

/// A `variable` block.
#[derive(Clone, Copy)]
pub struct Variable<'t> {
    pub default: Option<Expr<'t>>,
    /// The type constraint, when written in HCL.
    pub ty: Option<Expr<'t>>,
    /// `nullable = false`: a caller's `null` means the default.
    pub nullable: bool,
}

/// What one module directory declares.
#[derive(Default)]
pub struct Module<'t> {
    pub dir: usize,
    pub vars: HashMap<&'t str, Variable<'t>>,
    pub locals: HashMap<&'t str, Expr<'t>>,
    pub outputs: HashMap<&'t str, Expr<'t>>,
    pub resources: Vec<Block<'t>>,
    pub data: Vec<Block<'t>>,
    pub calls: Vec<Block<'t>>,
    /// Values `.tfvars` files give, for when the module is the root.
    pub tfvars: HashMap<&'t str, Expr<'t>>,
    resource_index: HashMap<(&'t str, &'t str), usize>,
    data_index: HashMap<(&'t str, &'t str), usize>,
    call_index: HashMap<&'t str, usize>,
}

impl<'t> Module<'t> {
    pub fn resource(&self, kind: &str, label: &str) -> Option<&Block<'t>> {
        self.resource_index.get(&(kind, label)).map(|&i| &self.resources[i])
    }

    pub fn data_source(&self, kind: &str, label: &str) -> Option<&Block<'t>> {
        self.data_index.get(&(kind, label)).map(|&i| &self.data[i])
    }

    pub fn call(&self, name: &str) -> Option<&Block<'t>> {
        self.call_index.get(name).map(|&i| &self.calls[i])
    }

    /// Whether the module declares anything trustlint reads: IAM resources,
    /// policy documents, or calls of other modules.
    pub fn declares_iam_in(&self, file: u32) -> bool {
        self.resources.iter().any(|r| r.body.file == file && r.kind.starts_with("aws_iam_"))
            || self.data.iter().any(|r| r.body.file == file && r.kind == "aws_iam_policy_document")
            || self.calls.iter().any(|r| r.body.file == file)
    }

    fn index(mut self) -> Self {
        for (i, r) in self.resources.iter().enumerate() {
            self.resource_index.entry((r.kind, r.label)).or_insert(i);
        }
        for (i, r) in self.data.iter().enumerate() {
            self.data_index.entry((r.kind, r.label)).or_insert(i);
        }
        for (i, r) in self.calls.iter().enumerate() {
            self.call_index.entry(r.label).or_insert(i);
        }
        self
    }

    fn add_hcl(&mut self, file: u32, body: &'t HclBody) {
        for s in body {
            let Structure::Block(b) = s else { continue };
            let labels: Vec<&str> = b.labels.iter().map(hcl_edit::structure::BlockLabel::as_str).collect();
            let inner = Body { file, kind: BodyKind::Hcl(&b.body) };
            let here = span(file, b.span());
            match (b.ident.as_str(), labels.as_slice()) {
                ("variable", [name]) => {
                    self.vars.entry(name).or_insert_with(|| variable(inner));
                }
                ("locals", []) => {
                    for (k, a) in inner.attrs() {
                        self.locals.entry(k).or_insert(a.value);
                    }
                }
                ("output", [name]) => {
                    if let Some(a) = inner.attr("value") {
                        self.outputs.entry(name).or_insert(a.value);
                    }
                }
                ("module", [name]) => {
                    self.calls.push(Block { kind: "module", label: name, body: inner, span: here });
                }
                (which @ ("resource" | "data"), [kind, label]) => {
                    let r = Block { kind, label, body: inner, span: here };
                    if which == "resource" { self.resources.push(r) } else { self.data.push(r) }
                }
                _ => {}
            }
        }
    }

    fn add_json(&mut self, file: u32, root: &'t Value<'t>) {
        let body = Body { file, kind: BodyKind::Json(root) };
        for b in body.blocks("variable", 1) {
            self.vars.entry(b.labels[0]).or_insert_with(|| variable(b.body));
        }
        for b in body.blocks("locals", 0) {
            for (k, a) in b.body.attrs() {
                self.locals.entry(k).or_insert(a.value);
            }
        }
        for b in body.blocks("output", 1) {
            if let Some(a) = b.body.attr("value") {
                self.outputs.entry(b.labels[0]).or_insert(a.value);
            }
        }
        for b in body.blocks("module", 1) {
            self.calls.push(Block { kind: "module", label: b.labels[0], body: b.body, span: b.span });
        }
        for (key, list) in [("resource", &mut self.resources), ("data", &mut self.data)] {
            for b in body.blocks(key, 2) {
                list.push(Block { kind: b.labels[0], label: b.labels[1], body: b.body, span: b.span });
            }
        }
    }
}

fn variable(body: Body<'_>) -> Variable<'_> {
    let nullable = body.attr("nullable").and_then(|a| match a.value.kind {
        ExprKind::Hcl(Expression::Bool(b)) => Some(*b.value()),
        ExprKind::Json(v) => match v.kind {
            Kind::Bool(b) => Some(b),
            _ => None,
        },
        ExprKind::Hcl(_) => None,
    });
    Variable {
        default: body.attr("default").map(|a| a.value),
        ty: body.attr("type").map(|a| a.value),
        nullable: nullable.unwrap_or(true),
    }
}

/// The parsed `.tf.json` files of a reading (the trees borrow the texts).
pub struct JsonTrees<'t> {
    trees: HashMap<u32, Value<'t>>,
}

impl<'t> JsonTrees<'t> {
    /// Parses every JSON file; each tree's spans name its file. A file that
    /// does not parse is recorded as a problem when it is an input.
    pub fn parse(l: &'t Loaded, problems: &mut Vec<(u32, crate::model::Problem)>) -> Self {
        let mut trees = HashMap::new();
        for (i, f) in l.files.iter().enumerate() {
            if f.syntax != Syntax::Json {
                continue;
            }
            let id = u32::try_from(i).unwrap_or(u32::MAX);
            match crate::syntax::json::parse(&f.text) {
                Ok(mut v) => {
                    set_file(&mut v, id);
                    trees.insert(id, v);
                }
                Err(e) if f.input => problems.push((
                    id,
                    crate::model::Problem {
                        span: e.span.in_file(id),
                        pointer: String::new(),
                        message: format!("invalid JSON: {}", e.message),
                    },
                )),
                Err(_) => {}
            }
        }
        Self { trees }
    }
}

fn set_file(v: &mut Value<'_>, file: u32) {
    v.span = v.span.in_file(file);
    match &mut v.kind {
        Kind::Array(items) => items.iter_mut().for_each(|i| set_file(i, file)),
        Kind::Object(members) => {
            for m in members {
                m.key_span = m.key_span.in_file(file);
                set_file(&mut m.value, file);
            }
        }
        _ => {}
    }
}

/// Every module directory of a reading, indexed.
pub fn index<'t>(l: &'t Loaded, trees: &'t JsonTrees<'t>) -> Vec<Module<'t>> {
    l.dirs
        .iter()
        .enumerate()
        .map(|(d, dir)| {
            let mut m = Module { dir: d, ..Module::default() };
            for &f in &dir.files {
                match (&l.hcl[f as usize], trees.trees.get(&f)) {
                    (Some(body), _) => m.add_hcl(f, body),
                    (None, Some(tree)) => m.add_json(f, tree),
                    (None, None) => {}
                }
            }
            for &f in &dir.tfvars {
                if let Some(body) = &l.hcl[f as usize] {
                    for a in body.attributes() {
                        m.tfvars.insert(a.key.as_str(), Expr { file: f, kind: ExprKind::Hcl(&a.value) });
                    }
                }
            }
            m.index()
        })
        .collect()
}
