//! Evaluating Terraform expressions as Terraform does: literals, templates
//! with their directives, references, function calls, conditionals,
//! operators, `for` expressions and splats. What the source does not settle
//! is an [`Unknown`](super::value::Unknown) value, never a guess.

use std::cell::RefCell;

use hcl_edit::Span as _;
use hcl_edit::expr::{
    BinaryOperator, Expression, ForExpr, FuncCall, Traversal, TraversalOperator, UnaryOperator,
};
use hcl_edit::template::{Directive, Element, Template};

use super::module::{Expr, ExprKind, span};
use super::value::{BUDGET, Budget, Member, Val, Value, Why, sorted};
use crate::source::Span;
use crate::syntax::json::{self, Kind, unescape_with_offsets};

/// How deep references, calls and nesting may go before a value is
/// unknown: bounds the work and breaks reference cycles.
const MAX_DEPTH: u32 = 256;
/// The most elements a `for` expression or directive iterates.
const MAX_ITEMS: usize = 10_000;

/// Names bound while evaluating: `each`, `count`, a `for` expression's
/// variables, a `dynamic` block's iterator.
pub struct Binds<'b> {
    pub name: &'b str,
    pub value: Value,
    pub up: Option<&'b Binds<'b>>,
}

impl Binds<'_> {
    fn get(&self, name: &str) -> Option<&Value> {
        if self.name == name {
            return Some(&self.value);
        }
        // An unnamed binding binds each member of its object (a template's
        // variables).
        if self.name.is_empty()
            && let Some(v) = self.value.get(name)
        {
            return Some(v);
        }
        self.up?.get(name)
    }
}

/// What the evaluator needs of the place it evaluates in, a module
/// instance: the text of its files, the budget, what functions may do, and
/// what a reference names.
///
/// A trait so that this file does not depend on module instances. They
/// evaluate their declarations here, and resolving a reference evaluates
/// again (a data source's policy document), so the evaluator and the
/// instances call each other; with the trait, the code that resolves
/// references (`references.rs`) sits above both and depends on each.
pub trait Scope {
    /// The text of a file of the reading ("" for none).
    fn text(&self, file: u32) -> &str;
    fn budget(&self) -> &Budget;
    /// What the functions (`file`, `templatefile`) see of this place.
    fn host(&self) -> impl super::functions::Host + '_;
    /// What a reference rooted at `root` names, and how many of `ops` that
    /// took. `None`: nothing this place declares.
    fn reference(
        &self,
        cx: &Cx<'_, Self>,
        root: &str,
        ops: &[&TraversalOperator],
        at: Span,
    ) -> Option<(Value, usize)>;
}

/// Where an expression is evaluated: in which scope (a module instance:
/// `instance::Cx` names that context), which file (and text) it is written
/// in, with which names bound.
pub struct Cx<'s, S: ?Sized> {
    pub inst: &'s S,
    pub file: u32,
    /// The text byte ranges of the expressions index: the file, or a
    /// decoded string of a `.tf.json` file.
    src: &'s str,
    /// For a decoded string: where its literal starts in the file, and the
    /// offset from there of each decoded byte (plus one past the end).
    table: Option<(u32, &'s [u32])>,
    pub binds: Option<&'s Binds<'s>>,
    depth: u32,
}

// Written out: derived, they would ask the scope to be `Copy` too, when
// the context only holds a reference to it.
impl<S: ?Sized> Clone for Cx<'_, S> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<S: ?Sized> Copy for Cx<'_, S> {}

impl<'s, S: Scope + ?Sized> Cx<'s, S> {
    /// Evaluating in `inst`, in `file`, with `binds`.
    pub fn new(inst: &'s S, file: u32, binds: Option<&'s Binds<'s>>) -> Self {
        Self { inst, file, src: inst.text(file), table: None, binds, depth: 0 }
    }

    /// Evaluating text that is no file of the reading (a template file).
    pub fn over(inst: &'s S, src: &'s str, binds: &'s Binds<'s>) -> Self {
        Self { inst, file: u32::MAX, src, table: None, binds: Some(binds), depth: 0 }
    }

    /// The same place with more names bound.
    pub fn with<'b>(&self, binds: &'b Binds<'b>) -> Cx<'b, S>
    where
        's: 'b,
    {
        Cx {
            inst: self.inst,
            file: self.file,
            src: self.src,
            table: self.table,
            binds: Some(binds),
            depth: self.depth,
        }
    }

    /// How many evaluations this one is nested in.
    pub fn depth(&self) -> u32 {
        self.depth
    }

    /// This context, nested as deep as `depth` says: an evaluation that
    /// starts a context of its own (a resource's attribute, a block's
    /// `for_each`) counts on from the one that needs it, so a block that
    /// refers to itself ends as too deep instead of overflowing the stack.
    pub fn at_depth(self, depth: u32) -> Self {
        Self { depth: depth.min(MAX_DEPTH), ..self }
    }

    pub fn deeper(&self) -> Option<Self> {
        (self.depth < MAX_DEPTH).then(|| Self { depth: self.depth + 1, ..*self })
    }

    /// A declared expression (a variable's default, a local, an output),
    /// evaluated where it is written, with no names bound.
    pub fn decl(&self, e: Expr<'_>) -> Value {
        let Some(cx) = self.deeper() else { return too_deep(e.span()) };
        let cx = Cx { file: e.file, src: self.inst.text(e.file), table: None, binds: None, ..cx };
        cx.expr(e)
    }

    /// An expression written in this context's file.
    pub fn expr(&self, e: Expr<'_>) -> Value {
        if e.file != self.file || self.table.is_some() {
            let cx = Cx { file: e.file, src: self.inst.text(e.file), table: None, ..*self };
            return match e.kind {
                ExprKind::Hcl(x) => cx.hcl(x),
                ExprKind::Json(v) => cx.json(v),
            };
        }
        match e.kind {
            ExprKind::Hcl(x) => self.hcl(x),
            ExprKind::Json(v) => self.json(v),
        }
    }

    /// The file offset of byte `i` of the text.
    fn at(&self, i: usize) -> u32 {
        match self.table {
            None => u32::try_from(i).unwrap_or(u32::MAX),
            Some((base, offsets)) => base + offsets.get(i).or(offsets.last()).copied().unwrap_or(0),
        }
    }

    pub fn span(&self, r: Option<std::ops::Range<usize>>) -> Span {
        match (self.table, r) {
            (None, r) => span(self.file, r),
            (Some(_), Some(r)) => Span::new(self.at(r.start), self.at(r.end)).in_file(self.file),
            (Some(_), None) => Span::default().in_file(self.file),
        }
    }

    /// The source of an expression, on one line.
    pub fn source(&self, r: Option<std::ops::Range<usize>>) -> String {
        let text = r.and_then(|r| self.src.get(r)).unwrap_or("?");
        let one: Vec<&str> = text.split_whitespace().collect();
        let mut s = one.join(" ");
        if s.len() > 200 {
            let mut cut = 200;
            while !s.is_char_boundary(cut) {
                cut -= 1;
            }
            s.truncate(cut);
            s.push('…');
        }
        s
    }

    fn unknown(&self, e: &Expression, why: Why) -> Value {
        Value::unknown(self.source(e.span()), why, self.span(e.span()))
    }

    fn error(&self, e: &Expression, message: impl Into<String>) -> Value {
        Value::error(self.source(e.span()), message, self.span(e.span()))
    }

    /// An HCL expression.
    pub fn hcl(&self, e: &Expression) -> Value {
        if !self.inst.budget().step() {
            return self.unknown(e, Why::Unresolved(BUDGET.into()));
        }
        let Some(cx) = self.deeper() else { return too_deep(self.span(e.span())) };
        let at = self.span(e.span());
        let kind = match e {
            Expression::Null(_) => Val::Null,
            Expression::Bool(b) => Val::Bool(*b.value()),
            Expression::Number(n) => Val::Number(n.value().as_f64().unwrap_or(f64::NAN)),
            Expression::String(s) => Val::String(s.value().clone()),
            Expression::StringTemplate(t) => return cx.template(t, at),
            Expression::HeredocTemplate(h) => return cx.template(&h.template, at),
            Expression::Array(a) => Val::List(a.iter().map(|x| cx.hcl(x)).collect()),
            Expression::Object(o) => {
                let mut members = Vec::new();
                for (k, v) in o {
                    let key = match k {
                        hcl_edit::expr::ObjectKey::Ident(id) => id.as_str().to_owned(),
                        hcl_edit::expr::ObjectKey::Expression(x) => match cx.hcl(x) {
                            v if v.unknown_part().is_some() => return v,
                            v => v.display(),
                        },
                    };
                    members.push(Member { key, key_span: cx.span(k.span()), value: cx.hcl(v.expr()) });
                }
                Val::Object(sorted(members))
            }
            Expression::Parenthesis(p) => return cx.hcl(p.inner()),
            Expression::Variable(v) => match self.binds.and_then(|b| b.get(v.as_str())) {
                Some(bound) => return self.inst.budget().copy(bound, || v.as_str().to_owned()),
                None => {
                    return self.unknown(e, Why::Unresolved(format!("`{}` is not defined here", v.as_str())));
                }
            },
            Expression::Traversal(t) => return cx.traversal(e, t),
            Expression::FuncCall(f) => return cx.call(e, f),
            Expression::Conditional(c) => {
                let cond = cx.hcl(&c.cond_expr);
                return match cond.as_bool() {
                    Some(true) => cx.hcl(&c.true_expr),
                    Some(false) => cx.hcl(&c.false_expr),
                    None => {
                        let (a, b) = (cx.hcl(&c.true_expr), cx.hcl(&c.false_expr));
                        if same(&a, &b) {
                            a
                        } else {
                            let why = cond.unknown_part().map_or(Why::Input, |u| u.why.clone());
                            self.unknown(e, why)
                        }
                    }
                };
            }
            Expression::UnaryOp(u) => {
                let v = cx.hcl(&u.expr);
                match (u.operator.value(), &v.kind) {
                    (_, Val::Unknown(_)) => return v,
                    (UnaryOperator::Neg, _) => match v.as_number() {
                        Some(n) => Val::Number(-n),
                        None => return self.error(e, "`-` needs a number"),
                    },
                    (UnaryOperator::Not, _) => match v.as_bool() {
                        Some(b) => Val::Bool(!b),
                        None => return self.error(e, "`!` needs a bool"),
                    },
                }
            }
            Expression::BinaryOp(b) => return cx.binary(e, *b.operator.value(), &b.lhs_expr, &b.rhs_expr),
            Expression::ForExpr(f) => return cx.for_expr(e, f),
        };
        self.inst.budget().check(Value::new(kind, at), || self.source(e.span()))
    }

    #[allow(clippy::many_single_char_names)]
    fn binary(&self, e: &Expression, op: BinaryOperator, lhs: &Expression, rhs: &Expression) -> Value {
        use BinaryOperator as B;
        let l = self.hcl(lhs);
        // `&&` and `||` settle on one known side.
        match (op, l.as_bool()) {
            (B::And, Some(false)) => return Value::new(Val::Bool(false), self.span(e.span())),
            (B::Or, Some(true)) => return Value::new(Val::Bool(true), self.span(e.span())),
            _ => {}
        }
        let r = self.hcl(rhs);
        let at = self.span(e.span());
        if let Some(u) = l.unknown_part().or(r.unknown_part()) {
            if matches!(op, B::And | B::Or)
                && let Some(b) = r.as_bool()
                && (b == matches!(op, B::Or))
            {
                return Value::new(Val::Bool(b), at);
            }
            return Value::unknown(self.source(e.span()), u.why.clone(), at);
        }
        let kind = match op {
            B::Eq => Val::Bool(same(&l, &r)),
            B::NotEq => Val::Bool(!same(&l, &r)),
            B::And | B::Or => match (l.as_bool(), r.as_bool()) {
                (Some(a), Some(b)) => Val::Bool(if matches!(op, B::And) { a && b } else { a || b }),
                _ => return self.error(e, "a logical operator needs bools"),
            },
            _ => {
                let (Some(a), Some(b)) = (l.as_number(), r.as_number()) else {
                    return self.error(e, "an arithmetic operator needs numbers");
                };
                match op {
                    B::LessEq => Val::Bool(a <= b),
                    B::GreaterEq => Val::Bool(a >= b),
                    B::Less => Val::Bool(a < b),
                    B::Greater => Val::Bool(a > b),
                    B::Plus => Val::Number(a + b),
                    B::Minus => Val::Number(a - b),
                    B::Mul => Val::Number(a * b),
                    B::Div if b != 0.0 => Val::Number(a / b),
                    B::Mod if b != 0.0 => Val::Number(a % b),
                    _ => return self.error(e, "division by zero"),
                }
            }
        };
        Value::new(kind, at)
    }

    /// A string template. A template of one interpolation is that value,
    /// whatever its type, as in Terraform.
    pub fn template(&self, t: &Template, at: Span) -> Value {
        if let Some(Element::Interpolation(i)) = t.as_single_element() {
            return self.hcl(&i.expr);
        }
        let mut out = String::new();
        if let Err(v) = self.render(t, &mut out) {
            return v;
        }
        self.inst.budget().check(Value::string(out, at), || "a string template".to_owned())
    }

    /// Appends a template's text to `out`; an error or unresolved part
    /// makes the whole template that.
    fn render(&self, t: &Template, out: &mut String) -> Result<(), Value> {
        for el in t {
            match el {
                Element::Literal(l) => out.push_str(l.value()),
                Element::Interpolation(i) => {
                    let v = self.hcl(&i.expr);
                    push_part(&v, out)?;
                }
                Element::Directive(d) => match &**d {
                    Directive::If(d) => {
                        let cond = self.hcl(&d.if_expr.cond_expr);
                        match cond.as_bool() {
                            Some(true) => self.render(&d.if_expr.template, out)?,
                            Some(false) => {
                                if let Some(e) = &d.else_expr {
                                    self.render(&e.template, out)?;
                                }
                            }
                            None => {
                                let why = cond.unknown_part().map_or(Why::Input, |u| u.why.clone());
                                return Err(Value::unknown(
                                    self.source(d.if_expr.cond_expr.span()),
                                    why,
                                    self.span(d.if_expr.cond_expr.span()),
                                ));
                            }
                        }
                    }
                    Directive::For(d) => {
                        let f = &d.for_expr;
                        let items = items(self.hcl(&f.collection_expr))?;
                        for (k, v) in items {
                            let key_name = f.key_var.as_ref().map_or("", |k| k.as_str());
                            let (kb, vb);
                            let binds = if f.key_var.is_some() {
                                kb = Binds { name: key_name, value: k, up: self.binds };
                                vb = Binds { name: f.value_var.as_str(), value: v, up: Some(&kb) };
                                &vb
                            } else {
                                vb = Binds { name: f.value_var.as_str(), value: v, up: self.binds };
                                &vb
                            };
                            self.with(binds).render(&f.template, out)?;
                            if !self.inst.budget().pay(out.len() as u64 / 64 + 1) {
                                return Err(Value::unknown(
                                    "a string template",
                                    Why::Unresolved(BUDGET.into()),
                                    Span::default(),
                                ));
                            }
                        }
                    }
                },
            }
        }
        if out.len() as u64 > super::value::MAX_VALUE_WEIGHT {
            return Err(Value::unknown("a string template", Why::Unresolved(BUDGET.into()), Span::default()));
        }
        Ok(())
    }

    fn for_expr(&self, e: &Expression, f: &ForExpr) -> Value {
        let at = self.span(e.span());
        let items = match items(self.hcl(&f.intro.collection_expr)) {
            Ok(items) => items,
            Err(v) => return Value { span: at, ..v },
        };
        let mut list = Vec::new();
        let mut members: Vec<Member> = Vec::new();
        for (k, v) in items {
            let key_name = f.intro.key_var.as_ref().map_or("", |k| k.as_str());
            let (kb, vb);
            let binds = if f.intro.key_var.is_some() {
                kb = Binds { name: key_name, value: k, up: self.binds };
                vb = Binds { name: f.intro.value_var.as_str(), value: v, up: Some(&kb) };
                &vb
            } else {
                vb = Binds { name: f.intro.value_var.as_str(), value: v, up: self.binds };
                &vb
            };
            let cx = self.with(binds);
            if let Some(c) = &f.cond {
                let keep = cx.hcl(&c.expr);
                match keep.as_bool() {
                    Some(true) => {}
                    Some(false) => continue,
                    None => {
                        return Value::unknown(
                            self.source(e.span()),
                            keep.unknown_part().map_or(Why::Input, |u| u.why.clone()),
                            at,
                        );
                    }
                }
            }
            let value = cx.hcl(&f.value_expr);
            match &f.key_expr {
                None => list.push(value),
                Some(key) => {
                    let key = cx.hcl(key);
                    if key.unknown_part().is_some() {
                        return Value::unknown(
                            self.source(e.span()),
                            key.unknown_part().map_or(Why::Input, |u| u.why.clone()),
                            at,
                        );
                    }
                    let key_text = key.display();
                    if f.grouping {
                        match members.iter_mut().find(|m| m.key == key_text) {
                            Some(m) => {
                                if let Val::List(items) = &mut m.value.kind {
                                    items.push(value);
                                }
                            }
                            None => members.push(Member {
                                key: key_text,
                                key_span: key.span,
                                value: Value::new(Val::List(vec![value]), at),
                            }),
                        }
                    } else {
                        if members.iter().any(|m| m.key == key_text) {
                            return self.error(e, format!("duplicate key `{key_text}` (use `...` to group)"));
                        }
                        members.push(Member { key: key_text, key_span: key.span, value });
                    }
                }
            }
        }
        let kind = if f.key_expr.is_some() { Val::Object(sorted(members)) } else { Val::List(list) };
        self.inst.budget().check(Value::new(kind, at), || self.source(e.span()))
    }

    #[allow(clippy::many_single_char_names)]
    fn call(&self, e: &Expression, f: &FuncCall) -> Value {
        let at = self.span(e.span());
        if !f.name.namespace.is_empty() {
            return self.unknown(
                e,
                Why::Unresolved(format!(
                    "the provider function `{}` is not evaluated",
                    self.source(e.span())
                )),
            );
        }
        let name = f.name.name.as_str();
        let args: Vec<&Expression> = f.args.iter().collect();
        match (name, args.as_slice()) {
            // `try` and `can` look at their arguments' errors, so they take
            // them unevaluated.
            ("try", _) => {
                for a in &args {
                    let v = self.hcl(a);
                    if !v.is_error() {
                        return v;
                    }
                }
                return self.error(e, "no argument of `try` succeeded");
            }
            ("can", [x]) => {
                let v = self.hcl(x);
                return match v.kind {
                    Val::Unknown(ref u) if u.why != Why::Input && !v.is_error() => v,
                    _ => Value::new(Val::Bool(!v.is_error()), at),
                };
            }
            _ => {}
        }
        let mut values: Vec<Value> = args.iter().map(|a| self.hcl(a)).collect();
        if f.args.expand_final()
            && let Some(last) = values.pop()
        {
            match last.kind {
                Val::List(items) => values.extend(items),
                _ => return self.unknown(e, Why::Input),
            }
        }
        if let Some(err) = values.iter().find(|v| v.is_error()) {
            return Value { span: at, ..err.clone() };
        }
        match super::functions::call(name, values, at, &self.inst.host()) {
            Some(v) => nest_bound(v, || self.source(e.span())),
            None => {
                self.unknown(e, Why::Unresolved(format!("the function `{name}` is not known to trustlint")))
            }
        }
    }

    /// A reference and what follows it: `var.x`, `local.x[0]`,
    /// `module.m.out`, `data.t.n.attr`, `t.n[*].attr`, `each.value.k`.
    fn traversal(&self, e: &Expression, t: &Traversal) -> Value {
        let ops: Vec<&TraversalOperator> = t.operators.iter().map(hcl_edit::Decorated::value).collect();
        // Named only when a message needs it: most references resolve.
        let what = || self.source(e.span());
        let at = self.span(e.span());
        let (base, used) = match &t.expr {
            Expression::Variable(root) => {
                if let Some(bound) = self.binds.and_then(|b| b.get(root.as_str())) {
                    (self.inst.budget().copy(bound, what), 0)
                } else {
                    match self.inst.reference(self, root.as_str(), &ops, at) {
                        // What is referred to is a copy of a declaration's
                        // value: paid for, so that referring to a big value
                        // many times stops at the budget.
                        Some((v, used)) => (self.inst.budget().check(v, what), used),
                        None => return Value::unknown(what(), Why::Input, at),
                    }
                }
            }
            other => (self.hcl(other), 0),
        };
        let v = self.follow(base, &ops[used..], &what, at);
        if v.unknown_part().is_some() {
            // Shown as the whole reference.
            if let Val::Unknown(u) = v.kind {
                return Value::unknown(what(), u.why, at);
            }
        }
        v
    }

    /// Applies traversal operators to a value.
    pub fn follow(
        &self,
        mut v: Value,
        ops: &[&TraversalOperator],
        what: &dyn Fn() -> String,
        at: Span,
    ) -> Value {
        for (i, op) in ops.iter().enumerate() {
            if v.unknown_part().is_some() {
                return v;
            }
            v = match op {
                TraversalOperator::GetAttr(id) => match &v.kind {
                    Val::Object(_) => match v.get(id.as_str()) {
                        Some(x) => x.clone(),
                        None => return Value::error(what(), format!("no attribute `{}`", id.as_str()), at),
                    },
                    Val::Null => return Value::error(what(), "attribute of null", at),
                    _ => {
                        return Value::error(
                            what(),
                            format!("`{}` of a value that is not an object", id.as_str()),
                            at,
                        );
                    }
                },
                TraversalOperator::Index(x) => {
                    let key = self.hcl(x);
                    index(&v, &key, what, at)
                }
                TraversalOperator::LegacyIndex(n) => {
                    index(&v, &Value::new(Val::Number(index_number(*n.value())), at), what, at)
                }
                TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                    let skip = splat_reach(op, &ops[i + 1..]);
                    let rest = &ops[i + 1..i + 1 + skip];
                    let items = match v.kind {
                        Val::List(items) => items,
                        Val::Null => Vec::new(),
                        _ => vec![v],
                    };
                    let mapped: Vec<Value> =
                        items.into_iter().map(|x| self.follow(x, rest, what, at)).collect();
                    let list = Value::new(Val::List(mapped), at);
                    return self.follow(list, &ops[i + 1 + skip..], what, at);
                }
            };
        }
        v
    }

    /// A value of a `.tf.json` file: its strings are templates.
    pub fn json(&self, v: &json::Value<'_>) -> Value {
        match &v.kind {
            Kind::String(s) if s.contains("${") || s.contains("%{") => self
                .with_json_template(v, |cx, t, _| cx.template(t, v.span))
                .unwrap_or_else(|(span, message)| Value::error(s.to_string(), message, span)),
            Kind::Array(items) => Value::new(Val::List(items.iter().map(|i| self.json(i)).collect()), v.span),
            Kind::Object(members) => Value::new(
                Val::Object(sorted(
                    members
                        .iter()
                        .map(|m| Member {
                            key: m.key.to_string(),
                            key_span: m.key_span,
                            value: self.json(&m.value),
                        })
                        .collect(),
                )),
                v.span,
            ),
            _ => Value::from_tree(v),
        }
    }

    /// Decodes a string of a `.tf.json` file and parses it as a template,
    /// then runs `f` on it with a context that maps its spans into the file.
    pub fn with_json_template<T>(
        &self,
        v: &json::Value<'_>,
        f: impl for<'x> FnOnce(Cx<'x, S>, &'x Template, usize) -> T,
    ) -> Result<T, (Span, String)> {
        let raw = &self.inst.text(self.file)[v.span.range()];
        let (decoded, offsets) =
            unescape_with_offsets(raw).ok_or_else(|| (v.span, "invalid string literal".to_owned()))?;
        let sub = Cx { src: &decoded, table: Some((v.span.start, &offsets)), ..*self };
        match super::hcl::parse(&decoded, hcl_edit::parser::parse_template) {
            Ok(t) => Ok(f(sub, &t, decoded.len())),
            Err(e) => {
                let at = sub.at(e.offset);
                Err((Span::new(at, at).in_file(self.file), format!("invalid template: {}", e.message)))
            }
        }
    }

    /// The file offset of the decoded template byte `i`, and the text, for
    /// building policies from template text.
    pub fn offset(&self, i: usize) -> u32 {
        self.at(i)
    }

    pub fn src(&self) -> &'s str {
        self.src
    }
}

/// Appends one interpolated value.
fn push_part(v: &Value, out: &mut String) -> Result<(), Value> {
    match &v.kind {
        Val::Unknown(u) if u.why != Why::Input => Err(v.clone()),
        Val::List(_) | Val::Object(_) => {
            Err(Value::error("a template", "a list or object cannot be written into a string", v.span))
        }
        _ => {
            out.push_str(&v.display());
            Ok(())
        }
    }
}

/// A list index as a number (indexes are far below 2^52).
#[allow(clippy::cast_precision_loss)]
pub fn index_number<N: TryInto<u32>>(i: N) -> f64 {
    f64::from(i.try_into().unwrap_or(u32::MAX))
}

/// The key and value of each element of a collection, for iterating. The
/// elements are moved out, not copied.
pub fn items(v: Value) -> Result<Vec<(Value, Value)>, Value> {
    let span = v.span;
    let len = match &v.kind {
        Val::List(items) => items.len(),
        Val::Object(members) => members.len(),
        Val::Null => return Err(Value::error("a `for`", "cannot iterate over null", span)),
        Val::Unknown(_) => return Err(v),
        _ => return Err(Value::error("a `for`", "cannot iterate over a single value", span)),
    };
    if len > MAX_ITEMS {
        return Err(Value::unknown("a `for` over too many elements", Why::Unresolved(BUDGET.into()), span));
    }
    Ok(match v.kind {
        Val::List(items) => items
            .into_iter()
            .enumerate()
            .map(|(i, x)| (Value::new(Val::Number(index_number(i)), x.span), x))
            .collect(),
        Val::Object(members) => {
            members.into_iter().map(|m| (Value::string(m.key, m.key_span), m.value)).collect()
        }
        _ => Vec::new(),
    })
}

/// How many of the operators `after` a splat `op` applies to each element:
/// the attribute names that follow `.*`, everything that follows `[*]`.
pub(super) fn splat_reach(op: &TraversalOperator, after: &[&TraversalOperator]) -> usize {
    match op {
        TraversalOperator::AttrSplat(_) => {
            after.iter().take_while(|o| matches!(o, TraversalOperator::GetAttr(_))).count()
        }
        _ => after.len(),
    }
}

/// `jsonencode` of `jsonencode` of …: each level escapes the one inside, so
/// the text doubles; past a few levels the value is left unknown.
fn nest_bound(v: Value, what: impl FnOnce() -> String) -> Value {
    fn depth(v: &Value) -> usize {
        match &v.kind {
            Val::Encoded(inner) => 1 + depth(inner),
            Val::List(items) => items.iter().map(depth).max().unwrap_or(0),
            Val::Object(members) => members.iter().map(|m| depth(&m.value)).max().unwrap_or(0),
            _ => 0,
        }
    }
    if depth(&v) > 8 {
        return Value::unknown(what(), Why::Unresolved(BUDGET.into()), v.span);
    }
    v
}

pub(super) fn too_deep(at: Span) -> Value {
    Value::unknown("a value", Why::Unresolved("references nest too deep (or refer to themselves)".into()), at)
}

/// Terraform's `==`: known values of the same type and content.
pub fn same(a: &Value, b: &Value) -> bool {
    match (&a.kind, &b.kind) {
        (Val::Null, Val::Null) => true,
        (Val::Bool(x), Val::Bool(y)) => x == y,
        #[allow(clippy::float_cmp)]
        (Val::Number(x), Val::Number(y)) => x == y,
        (Val::String(_) | Val::Encoded(_), Val::String(_) | Val::Encoded(_)) => a.as_text() == b.as_text(),
        (Val::List(x), Val::List(y)) => x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b)),
        (Val::Object(x), Val::Object(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| a.key == b.key && same(&a.value, &b.value))
        }
        _ => false,
    }
}

/// `v[key]`.
fn index(v: &Value, key: &Value, what: &dyn Fn() -> String, at: Span) -> Value {
    if key.unknown_part().is_some() {
        return Value::unknown(what(), key.unknown_part().map_or(Why::Input, |u| u.why.clone()), at);
    }
    match &v.kind {
        Val::List(items) => {
            let Some(n) = key.as_number().filter(|n| n.fract() == 0.0 && *n >= 0.0) else {
                return Value::error(what(), "a list index must be a whole number", at);
            };
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            match items.get(n as usize) {
                Some(x) => x.clone(),
                None => Value::error(what(), "index out of range", at),
            }
        }
        Val::Object(_) => match v.get(&key.display()) {
            Some(x) => x.clone(),
            None => Value::error(what(), format!("no element `{}`", key.display()), at),
        },
        _ => Value::error(what(), "index of a value that is not a collection", at),
    }
}

/// Memoized values of declarations, evaluated once per instance; a
/// declaration being evaluated when it is asked for again is a cycle.
#[derive(Default)]
pub struct Memo<'t> {
    slots: RefCell<std::collections::HashMap<(u8, &'t str), Option<Value>>>,
}

impl<'t> Memo<'t> {
    pub fn get_or(&self, kind: u8, name: &'t str, at: Span, f: impl FnOnce() -> Value) -> Value {
        if let Some(slot) = self.slots.borrow().get(&(kind, name)) {
            return slot.clone().unwrap_or_else(|| too_deep(at));
        }
        self.slots.borrow_mut().insert((kind, name), None);
        let v = f();
        self.slots.borrow_mut().insert((kind, name), Some(v.clone()));
        v
    }
}
