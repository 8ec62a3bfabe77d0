//! Evaluating Terraform expressions as far as the module settles them:
//! literals, variables with values, locals, string templates, `jsonencode`,
//! and the attributes of IAM resources the module declares. What is left open
//! becomes a symbolic value.

use std::borrow::Cow;

use hcl_edit::Span as _;
use hcl_edit::expr::{Expression, FuncCall, Traversal, TraversalOperator};
use hcl_edit::template::{Element, Template};

use super::{Expr, Module, Origin, document, span};
use crate::model::symbolic::{STACK_ACCOUNT, is_symbolic, symbol};
use crate::model::{KindHint, SpanMap, lower};
use crate::source::Span;
use crate::sources::{Extracted, Owner};
use crate::syntax::json::{self, Kind, Member, Value, unescape_with_offsets};

/// How many references (variables, locals, resources) one value may go
/// through: bounds the work and breaks reference cycles.
const MAX_HOPS: usize = 24;

/// The name and ARN of a role, user, group or managed policy.
#[derive(Debug, Clone, Default)]
pub struct Named {
    pub name: String,
    pub arn: String,
}

/// What expressions are evaluated against, and where their text is.
#[derive(Clone, Copy)]
pub struct Cx<'a, 's> {
    m: &'a Module<'a>,
    /// The file being read.
    home: &'a str,
    /// The file the expressions are in: the one being read or another file
    /// of the module.
    file: &'a str,
    /// The text the HCL expressions were parsed from: the file itself, or a
    /// decoded string of a `.tf.json` file.
    src: &'s str,
    /// For a decoded string: where its literal starts in the file, and the
    /// offset from there of each decoded byte (plus one past the end).
    table: Option<(u32, &'s [u32])>,
    /// In another file of the module: the span of the reference in the file
    /// being read that led there, which everything found there is shown at.
    pin: Option<Span>,
}

impl<'a> Cx<'a, 'a> {
    pub fn new(m: &'a Module<'a>, file: &'a str) -> Self {
        Self { m, home: file, file, src: file, table: None, pin: None }
    }
}

/// Gives every part of a value the span `at`.
fn respan(v: &mut Value<'_>, at: Span) {
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

impl<'a: 's, 's> Cx<'a, 's> {
    /// The file offset of byte `i` of `src`.
    fn at(&self, i: usize) -> u32 {
        if let Some(pin) = self.pin {
            return pin.start;
        }
        match self.table {
            None => u32::try_from(i).unwrap_or(u32::MAX),
            Some((base, offsets)) => base + offsets.get(i).or(offsets.last()).copied().unwrap_or(0),
        }
    }

    pub fn span(&self, r: Option<std::ops::Range<usize>>) -> Span {
        if let Some(pin) = self.pin {
            return pin;
        }
        match (self.table, r) {
            (None, r) => span(r),
            (Some(_), Some(r)) => Span::new(self.at(r.start), self.at(r.end)),
            (Some(_), None) => Span::default(),
        }
    }

    /// The source of an expression, on one line.
    fn source(&self, r: Option<std::ops::Range<usize>>) -> String {
        let text = r.and_then(|r| self.src.get(r)).unwrap_or("?");
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    fn symbolic(&self, e: &Expression) -> Value<'s> {
        Value { span: self.span(e.span()), kind: Kind::String(Cow::Owned(symbol(&self.source(e.span())))) }
    }

    /// The context to evaluate what `origin` declares in, when it is not
    /// this one. Entering another file pins spans to `at`, the reference in
    /// the file being read.
    fn across(&self, origin: Origin<'a>, at: Span) -> Option<Cx<'a, 'a>> {
        let text = match origin {
            Origin::Here => self.home,
            Origin::There(text) => text,
        };
        (!std::ptr::eq(text, self.file)).then(|| Cx {
            m: self.m,
            home: self.home,
            file: text,
            src: text,
            table: None,
            pin: Some(self.pin.unwrap_or(at)),
        })
    }

    fn value_in(&self, origin: Origin<'a>, e: Expr<'a>, at: Span, hops: usize) -> Value<'s> {
        match self.across(origin, at) {
            Some(cx) => cx.value(e, hops),
            None => self.value(e, hops),
        }
    }

    fn string_in(&self, origin: Origin<'a>, e: Expr<'a>, hops: usize) -> String {
        match self.across(origin, Span::default()) {
            Some(cx) => cx.string(e, hops),
            None => self.string(e, hops),
        }
    }

    /// The value of an expression, as a JSON tree with spans in the file.
    pub fn value(&self, e: Expr<'s>, hops: usize) -> Value<'s> {
        match e {
            Expr::Json(v) => self.json_value(v, hops),
            Expr::Hcl(e) => self.hcl_value(e, hops),
        }
    }

    fn json_value(&self, v: &Value<'s>, hops: usize) -> Value<'s> {
        let kind = match &v.kind {
            Kind::String(s) if s.contains("${") => Kind::String(Cow::Owned(self.json_template(v, hops))),
            Kind::Array(items) => Kind::Array(items.iter().map(|i| self.json_value(i, hops)).collect()),
            Kind::Object(members) => Kind::Object(
                members
                    .iter()
                    .map(|m| Member {
                        key: m.key.clone(),
                        key_span: m.key_span,
                        value: self.json_value(&m.value, hops),
                    })
                    .collect(),
            ),
            other => other.clone(),
        };
        Value { span: v.span, kind }
    }

    /// Decodes a string of a `.tf.json` file and parses it as a template,
    /// then runs `f` on it with a context that maps its spans into the file.
    fn with_json_template<T>(
        &self,
        v: &Value<'_>,
        f: impl for<'t> FnOnce(Cx<'a, 't>, &'t Template, usize) -> T,
    ) -> Result<T, (Span, String)> {
        let raw = &self.file[v.span.range()];
        let (decoded, offsets) =
            unescape_with_offsets(raw).ok_or_else(|| (v.span, "invalid string literal".to_owned()))?;
        let sub = Cx {
            m: self.m,
            home: self.home,
            file: self.file,
            src: &decoded,
            table: Some((v.span.start, &offsets)),
            pin: self.pin,
        };
        match hcl_edit::parser::parse_template(&decoded) {
            Ok(t) => Ok(f(sub, &t, decoded.len())),
            Err(e) => {
                let at = sub.at(e.location().offset());
                Err((Span::new(at, at), format!("invalid template: {}", e.message())))
            }
        }
    }

    fn json_template(&self, v: &Value<'_>, hops: usize) -> String {
        let literal = || v.as_str().unwrap_or_default().to_owned();
        self.with_json_template(v, |cx, t, _| cx.template_string(t, hops)).unwrap_or_else(|_| literal())
    }

    fn hcl_value(&self, e: &'s Expression, hops: usize) -> Value<'s> {
        let kind = match e {
            Expression::Null(_) => Kind::Null,
            Expression::Bool(b) => Kind::Bool(*b.value()),
            Expression::Number(_) => match e.span().and_then(|r| self.src.get(r)) {
                Some(n) => Kind::Number(n),
                None => return self.symbolic(e),
            },
            Expression::String(s) => Kind::String(Cow::Owned(s.value().clone())),
            Expression::StringTemplate(t) => Kind::String(Cow::Owned(self.template_string(t, hops))),
            Expression::HeredocTemplate(h) => {
                Kind::String(Cow::Owned(self.template_string(&h.template, hops)))
            }
            Expression::Array(a) => Kind::Array(a.iter().map(|x| self.hcl_value(x, hops)).collect()),
            Expression::Object(o) => Kind::Object(
                o.iter()
                    .map(|(k, v)| {
                        let key = match k {
                            hcl_edit::expr::ObjectKey::Ident(id) => id.as_str().to_owned(),
                            hcl_edit::expr::ObjectKey::Expression(x) => self.string(Expr::Hcl(x), hops),
                        };
                        Member {
                            key: Cow::Owned(key),
                            key_span: self.span(k.span()),
                            value: self.hcl_value(v.expr(), hops),
                        }
                    })
                    .collect(),
            ),
            Expression::Parenthesis(p) => return self.hcl_value(p.inner(), hops),
            Expression::Traversal(t) => return self.reference(e, t, hops),
            Expression::FuncCall(f) => return self.call(e, f, hops),
            _ => return self.symbolic(e),
        };
        Value { span: self.span(e.span()), kind }
    }

    fn call(&self, e: &'s Expression, f: &'s FuncCall, hops: usize) -> Value<'s> {
        let args: Vec<&Expression> = f.args.iter().collect();
        if !f.name.namespace.is_empty() {
            return self.symbolic(e);
        }
        let span = self.span(e.span());
        match (f.name.name.as_str(), args.as_slice()) {
            ("jsonencode", [x]) => {
                Value { span, kind: Kind::String(Cow::Owned(self.hcl_value(x, hops).to_json())) }
            }
            ("tolist" | "toset", [x]) => self.hcl_value(x, hops),
            ("concat", _) => {
                let mut items = Vec::new();
                for a in args {
                    match self.hcl_value(a, hops).kind {
                        Kind::Array(more) => items.extend(more),
                        _ => return self.symbolic(e),
                    }
                }
                Value { span, kind: Kind::Array(items) }
            }
            _ => self.symbolic(e),
        }
    }

    /// A scalar value as text; anything else symbolic.
    pub fn string(&self, e: Expr<'s>, hops: usize) -> String {
        let v = self.value(e, hops);
        match v.kind {
            Kind::String(s) => s.into_owned(),
            Kind::Number(n) => n.to_owned(),
            Kind::Bool(b) => b.to_string(),
            Kind::Null => String::new(),
            Kind::Array(_) | Kind::Object(_) => symbol(&v.to_json()),
        }
    }

    /// A list of strings (or a single string).
    pub fn strings(&self, e: Expr<'s>, hops: usize) -> Vec<String> {
        match self.value(e, hops).kind {
            Kind::Array(items) => items
                .into_iter()
                .map(|v| match v.kind {
                    Kind::String(s) => s.into_owned(),
                    _ => symbol(&v.to_json()),
                })
                .collect(),
            Kind::String(s) => vec![s.into_owned()],
            _ => Vec::new(),
        }
    }

    fn template_string(&self, t: &'s Template, hops: usize) -> String {
        let mut out = String::new();
        for el in t {
            match el {
                Element::Literal(l) => out.push_str(l.value()),
                Element::Interpolation(i) => out.push_str(&self.string(Expr::Hcl(&i.expr), hops)),
                Element::Directive(d) => out.push_str(&symbol(&self.source(d.span()))),
            }
        }
        out
    }

    /// A reference: `var.x`, `local.x`, `data.type.label.attr` or
    /// `type.label.attr`, then any further attributes and indexes.
    fn reference(&self, expr: &'s Expression, traversal: &'s Traversal, hops: usize) -> Value<'s> {
        let Expression::Variable(root) = &traversal.expr else {
            return self.symbolic(expr);
        };
        if hops >= MAX_HOPS {
            return self.symbolic(expr);
        }
        let names: Vec<&str> = traversal
            .operators
            .iter()
            .map_while(|op| match op.value() {
                TraversalOperator::GetAttr(id) => Some(id.as_str()),
                _ => None,
            })
            .collect();
        let at = self.span(expr.span());
        let (base, used) = match (root.as_str(), names.as_slice()) {
            ("var", [name, ..]) => match self.m.var(name) {
                Some((Some(default), origin)) => (Some(self.value_in(origin, default, at, hops + 1)), 1),
                _ => (None, 0),
            },
            ("local", [name, ..]) => (self.m.local(name).map(|(l, o)| self.value_in(o, l, at, hops + 1)), 1),
            ("data", [kind, label, attr, ..]) => (self.data_attr(kind, label, attr, hops + 1), 3),
            (kind, [label, attr, ..]) => (self.resource_attr(kind, label, attr, hops + 1), 2),
            _ => (None, 0),
        };
        let Some(mut value) = base else {
            return self.symbolic(expr);
        };
        for op in &traversal.operators[used..] {
            let next = match op.value() {
                TraversalOperator::GetAttr(id) => value.get(id.as_str()).cloned(),
                TraversalOperator::LegacyIndex(i) => index(&value, usize::try_from(*i.value()).ok()),
                TraversalOperator::Index(at) => match self.hcl_value(at, hops + 1).kind {
                    Kind::Number(number) => index(&value, number.parse().ok()),
                    Kind::String(key) => value.get(&key).cloned(),
                    _ => None,
                },
                _ => None,
            };
            let Some(next) = next else {
                return self.symbolic(expr);
            };
            value = next;
        }
        if !matches!(value.kind, Kind::Array(_) | Kind::Object(_)) {
            // A scalar is shown where it is used.
            value.span = at;
        }
        value
    }

    fn data_attr(&self, kind: &str, label: &str, attr: &str, hops: usize) -> Option<Value<'s>> {
        let text = match (kind, attr) {
            ("aws_caller_identity", "account_id") => STACK_ACCOUNT.to_owned(),
            ("aws_partition", "partition") => "aws".to_owned(),
            ("aws_partition", "dns_suffix") => "amazonaws.com".to_owned(),
            ("aws_iam_policy_document", "json" | "minified_json") => {
                self.document(label, Span::default(), hops)?.to_json()
            }
            _ => return None,
        };
        Some(Value { span: Span::default(), kind: Kind::String(Cow::Owned(text)) })
    }

    fn resource_attr(&self, kind: &str, label: &str, attr: &str, hops: usize) -> Option<Value<'s>> {
        let (r, origin) = self.m.resource(kind, label)?;
        let string = |key: &str| Some(self.string_in(origin, r.body.attr(key)?.value, hops));
        let text = match (kind, attr) {
            ("aws_iam_role" | "aws_iam_user" | "aws_iam_group" | "aws_iam_policy", "arn")
            | ("aws_iam_policy", "id") => self.named(kind, label, hops)?.arn,
            ("aws_iam_role" | "aws_iam_user" | "aws_iam_group", "name" | "id")
            | ("aws_iam_policy", "name") => self.named(kind, label, hops)?.name,
            ("aws_iam_openid_connect_provider", "arn" | "id") => {
                let url = string("url")?;
                let host = url.strip_prefix("https://").unwrap_or(&url);
                format!("arn:aws:iam::{STACK_ACCOUNT}:oidc-provider/{host}")
            }
            ("aws_iam_openid_connect_provider", "url") => string("url")?,
            ("aws_iam_saml_provider", "arn" | "id") => {
                let name = string("name")?;
                format!("arn:aws:iam::{STACK_ACCOUNT}:saml-provider/{name}")
            }
            _ => return None,
        };
        Some(Value { span: Span::default(), kind: Kind::String(Cow::Owned(text)) })
    }

    /// The name and ARN of a role, user, group or managed policy the module
    /// declares: its `name` (the resource's label when the name is not
    /// settled) under its `path`, in the deploying account.
    pub fn named(&self, kind: &str, label: &str, hops: usize) -> Option<Named> {
        let (r, origin) = self.m.resource(kind, label)?;
        let prefix = match kind {
            "aws_iam_role" => "role",
            "aws_iam_user" => "user",
            "aws_iam_group" => "group",
            "aws_iam_policy" => "policy",
            _ => return None,
        };
        let settled = |s: &String| !s.is_empty() && !is_symbolic(s);
        let name = r
            .body
            .attr("name")
            .map(|a| self.string_in(origin, a.value, hops + 1))
            .filter(settled)
            .unwrap_or_else(|| label.to_owned());
        let path = r
            .body
            .attr("path")
            .map(|a| self.string_in(origin, a.value, hops + 1))
            .filter(|p| settled(p) && p.starts_with('/') && p.ends_with('/'))
            .unwrap_or_else(|| "/".to_owned());
        let arn = format!("arn:aws:iam::{STACK_ACCOUNT}:{prefix}{path}{name}");
        Some(Named { name, arn })
    }

    /// The document of `data "aws_iam_policy_document" "label"`; when
    /// another file declares it, shown at `at`.
    fn document(&self, label: &str, at: Span, hops: usize) -> Option<Value<'s>> {
        let (d, origin) = self.m.data_source("aws_iam_policy_document", label)?;
        if matches!(origin, Origin::Here) {
            self.m.used_documents.borrow_mut().insert(d.label.to_owned());
        }
        let (mut v, pin) = match self.across(origin, at) {
            Some(cx) => (document::build(&cx, &d, hops), cx.pin),
            None => (document::build(self, &d, hops), self.pin),
        };
        if let Some(pin) = pin {
            respan(&mut v, pin);
        }
        Some(v)
    }

    /// Lowers the policy an attribute holds and records it. `None` when the
    /// value is not a policy the file settles (a `file()` call, a module
    /// output) or does not lower.
    pub fn policy(
        &self,
        e: Expr<'s>,
        hint: KindHint,
        owner: Owner,
        out: &mut Extracted,
        hops: usize,
    ) -> Option<usize> {
        if hops >= MAX_HOPS {
            return None;
        }
        let e = match e {
            Expr::Json(v) if v.as_str().is_some_and(|s| s.contains("${")) => {
                let parsed = self.with_json_template(v, |cx, t, end| {
                    if let Some(inner) = single_interpolation(t) {
                        return cx.policy(Expr::Hcl(inner), hint, owner.clone(), out, hops);
                    }
                    let (doc, offsets) = cx.template_json(t, false, end, hops);
                    cx.lower_text(&doc, offsets, hint, owner.clone(), out)
                });
                return parsed.unwrap_or_else(|(span, message)| {
                    out.problem(span, message, &owner);
                    None
                });
            }
            Expr::Json(v) => return out.add_policy(self.file, v, hint, owner),
            Expr::Hcl(e) => e,
        };
        match e {
            Expression::FuncCall(f)
                if f.name.namespace.is_empty() && f.name.name.as_str() == "jsonencode" =>
            {
                let [x] = f.args.iter().collect::<Vec<_>>()[..] else {
                    return None;
                };
                let v = self.hcl_value(x, hops);
                Some(out.push(lower(&v, hint, &SpanMap::Identity), owner))
            }
            Expression::FuncCall(f) if f.name.namespace.is_empty() && f.name.name.as_str() == "file" => {
                let [x] = f.args.iter().collect::<Vec<_>>()[..] else {
                    return None;
                };
                let path = self.string(Expr::Hcl(x), hops);
                let doc = self.m.read_beside(&path)?;
                // Findings point at the `file(…)` call: the policy's own
                // place is another file, which is checked on its own too.
                let call = self.span(e.span());
                let offsets = vec![0; doc.len() + 1];
                let map = SpanMap::Table { base: call.start, offsets };
                match json::parse(&doc) {
                    Ok(v) => Some(out.push(lower(&v, hint, &map), owner)),
                    Err(err) => {
                        let message = format!("`{path}` is not valid JSON: {}", err.message);
                        out.problem(call, message, &owner);
                        None
                    }
                }
            }
            Expression::Parenthesis(p) => self.policy(Expr::Hcl(p.inner()), hint, owner, out, hops),
            Expression::String(_) => {
                let r = e.span()?;
                let (doc, mut offsets) = self.decode(r.start + 1, r.end - 1, true);
                offsets.push(self.at(r.end - 1));
                self.lower_text(&doc, offsets, hint, owner, out)
            }
            Expression::StringTemplate(t) => {
                if let Some(inner) = single_interpolation(t) {
                    return self.policy(Expr::Hcl(inner), hint, owner, out, hops);
                }
                let end = e.span()?.end - 1;
                let (doc, offsets) = self.template_json(t, true, end, hops);
                self.lower_text(&doc, offsets, hint, owner, out)
            }
            Expression::HeredocTemplate(h) => {
                let end = h.template.span().or_else(|| e.span())?.end;
                let (doc, offsets) = self.template_json(&h.template, false, end, hops);
                self.lower_text(&doc, offsets, hint, owner, out)
            }
            Expression::Traversal(t) => {
                let Expression::Variable(root) = &t.expr else {
                    return None;
                };
                let names: Vec<&str> = t
                    .operators
                    .iter()
                    .map(|op| match op.value() {
                        TraversalOperator::GetAttr(id) => id.as_str(),
                        _ => "",
                    })
                    .collect();
                match (root.as_str(), names.as_slice()) {
                    ("data", ["aws_iam_policy_document", label, "json" | "minified_json"]) => {
                        let v = self.document(label, self.span(e.span()), hops + 1)?;
                        Some(out.push(lower(&v, hint, &SpanMap::Identity), owner))
                    }
                    ("var" | "local", [name]) => {
                        let (x, origin) = if root.as_str() == "var" {
                            let (default, origin) = self.m.var(name)?;
                            (default?, origin)
                        } else {
                            self.m.local(name)?
                        };
                        match self.across(origin, self.span(e.span())) {
                            Some(cx) => cx.policy(x, hint, owner, out, hops + 1),
                            None => self.policy(x, hint, owner, out, hops + 1),
                        }
                    }
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// Lowers a policy held as text, mapping its spans back into the file
    /// (in another file of the module: all to the reference).
    fn lower_text(
        &self,
        doc: &str,
        offsets: Vec<u32>,
        hint: KindHint,
        owner: Owner,
        out: &mut Extracted,
    ) -> Option<usize> {
        let map = SpanMap::Table { base: 0, offsets };
        match json::parse(doc) {
            Ok(mut v) => {
                if let Some(pin) = self.pin {
                    respan(&mut v, pin);
                    return Some(out.push(lower(&v, hint, &SpanMap::Identity), owner));
                }
                Some(out.push(lower(&v, hint, &map), owner))
            }
            Err(e) => {
                let message = format!("the embedded policy is not valid JSON: {}", e.message);
                out.problem(self.pin.unwrap_or_else(|| map.map(e.span)), message, &owner);
                None
            }
        }
    }

    /// The text of `src[start..end]` as a quoted HCL string (escapes decoded)
    /// or as heredoc text, with the file offset of each byte.
    fn decode(&self, start: usize, end: usize, quoted: bool) -> (String, Vec<u32>) {
        let raw = self.src.get(start..end).unwrap_or_default();
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
            let at = self.at(start + i);
            offsets.extend(std::iter::repeat_n(at, c.len_utf8()));
            out.push(c);
            i += len;
        }
        (out, offsets)
    }

    /// A template holding JSON: literal text as written, interpolations as
    /// their value (JSON-escaped, or the JSON of a `jsonencode` call), with
    /// the file offset of each byte plus one for `end`.
    fn template_json(&self, t: &'s Template, quoted: bool, end: usize, hops: usize) -> (String, Vec<u32>) {
        let mut text = String::new();
        let mut offsets = Vec::new();
        for el in t {
            let Some(r) = el.span() else { continue };
            match el {
                Element::Literal(_) => {
                    let (s, o) = self.decode(r.start, r.end, quoted);
                    text.push_str(&s);
                    offsets.extend(o);
                }
                Element::Interpolation(i) => {
                    let s = match &i.expr {
                        Expression::FuncCall(f)
                            if f.name.name.as_str() == "jsonencode" && f.args.len() == 1 =>
                        {
                            f.args
                                .iter()
                                .next()
                                .map(|x| self.hcl_value(x, hops).to_json())
                                .unwrap_or_default()
                        }
                        x => {
                            let quoted =
                                serde_json::to_string(&self.string(Expr::Hcl(x), hops)).unwrap_or_default();
                            quoted[1..quoted.len() - 1].to_owned()
                        }
                    };
                    let at = self.at(r.start);
                    offsets.extend(std::iter::repeat_n(at, s.len()));
                    text.push_str(&s);
                }
                Element::Directive(_) => {}
            }
        }
        offsets.push(self.at(end));
        (text, offsets)
    }
}

/// The expression of a template that is one interpolation and nothing else
/// (`"${jsonencode(...)}"`).
fn single_interpolation(t: &Template) -> Option<&Expression> {
    match t.as_single_element()? {
        Element::Interpolation(i) => Some(&i.expr),
        _ => None,
    }
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

fn index<'s>(v: &Value<'s>, i: Option<usize>) -> Option<Value<'s>> {
    v.as_array()?.get(i?).cloned()
}
