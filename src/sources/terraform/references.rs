//! What the references of a module instance name: variables, locals,
//! `path`, outputs of called modules, resource and data source attributes.
//!
//! Here, above the evaluator and module instances, because resolving a
//! reference evaluates again (a resource's arguments, a policy document
//! built from a data source): [`Scope`] lets the evaluator ask without
//! depending on instances, and the arrows between files point one way.

use hcl_edit::expr::TraversalOperator;

use super::eval::{Binds, Scope};
use super::instance::{Cx, Instance, Key};
use super::module::Block;
use super::value::{Budget, Member, Val, Value, Why, sorted};
use crate::source::Span;

impl<'t, 'r> Scope for Instance<'t, 'r> {
    fn text(&self, file: u32) -> &str {
        Instance::text(self, file)
    }

    fn budget(&self) -> &Budget {
        &self.r.budget
    }

    fn host(&self) -> impl super::functions::Host + '_ {
        Instance::host(self)
    }

    fn reference(
        &self,
        cx: &Cx<'t, 'r, '_>,
        root: &str,
        ops: &[&TraversalOperator],
        at: Span,
    ) -> Option<(Value, usize)> {
        let attr = |i: usize| match ops.get(i) {
            Some(TraversalOperator::GetAttr(id)) => Some(id.as_str()),
            _ => None,
        };
        match root {
            "var" => {
                let (&name, _) = self.module.vars.get_key_value(attr(0)?)?;
                Some((self.var(name, at, cx.depth()), 1))
            }
            "local" => {
                let (&name, _) = self.module.locals.get_key_value(attr(0)?)?;
                Some((self.local(name, at, cx.depth()), 1))
            }
            "path" => {
                let v = match attr(0)? {
                    "module" => self.r.loaded.dirs[self.module.dir].shown.clone(),
                    "root" => self.r.loaded.dirs[self.root].shown.clone(),
                    "cwd" => ".".into(),
                    _ => return None,
                };
                Some((Value::string(v, at), 1))
            }
            "terraform" => Some((Value::unknown("terraform.workspace", Why::Input, at), 1)),
            "module" => {
                let call = self.module.call(attr(0)?)?;
                let (v, n) = self.module_value(cx, call.label, &ops[1..], at);
                Some((v, 1 + n))
            }
            "data" => {
                let block = self.module.data_source(attr(0)?, attr(1)?)?;
                let (v, n) = self.block_value(cx, block, true, &ops[2..], at);
                Some((v, 2 + n))
            }
            "each" | "count" | "self" => Some((Value::unknown(root, Why::Input, at), 0)),
            kind => {
                let block = self.module.resource(kind, attr(0)?)?;
                let (v, n) = self.block_value(cx, block, false, &ops[1..], at);
                Some((v, 1 + n))
            }
        }
    }
}

impl<'t, 'r> Instance<'t, 'r> {
    /// `module.NAME…`: one output when the reference names it, else the
    /// instances' outputs as an object (or list, or map of them).
    fn module_value(
        &self,
        cx: &Cx<'t, 'r, '_>,
        name: &'t str,
        ops: &[&TraversalOperator],
        at: Span,
    ) -> (Value, usize) {
        let what = format!("module.{name}");
        let Some(children) = self.children(name, cx.depth()) else {
            return (Value::unknown(what, Why::Input, at), 0);
        };
        if let Some(why) = &children.unresolved {
            return (Value::unknown(what, Why::Unresolved(why.clone()), at), 0);
        }
        let one = |inst: &Instance<'t, 'r>, out: &str| match inst.module.outputs.get_key_value(out) {
            Some((&k, _)) => inst.output(k, at, cx.depth()),
            None => Value::error(what.clone(), format!("module `{name}` has no output `{out}`"), at),
        };
        let all = |inst: &Instance<'t, 'r>| {
            let mut names: Vec<&'t str> = inst.module.outputs.keys().copied().collect();
            names.sort_unstable();
            let members = names
                .into_iter()
                .map(|k| Member { key: k.to_owned(), key_span: at, value: inst.output(k, at, cx.depth()) })
                .collect();
            Value::new(Val::Object(members), at)
        };
        match children.instances.as_slice() {
            [(Key::None, inst)] => match out_name(ops.first()) {
                Some(out) => (one(inst, out), 1),
                None => (all(inst), 0),
            },
            [(Key::Any, inst)] => match (ops.first(), out_name(ops.get(1))) {
                (Some(TraversalOperator::Index(_)), Some(out)) => (one(inst, out), 2),
                _ => (Value::unknown(what, Why::Input, at), 0),
            },
            many => {
                if let (Some(TraversalOperator::Index(k)), Some(out)) = (ops.first(), out_name(ops.get(1))) {
                    let key = cx.hcl(k);
                    if let Some((_, inst)) = many.iter().find(|(key_, _)| matches_key(key_, &key)) {
                        return (one(inst, out), 2);
                    }
                }
                (collection(many.iter().map(|(k, i)| (k.clone(), all(i))).collect(), at), 0)
            }
        }
    }

    /// `TYPE.LABEL…` or `data.TYPE.LABEL…`.
    fn block_value(
        &self,
        cx: &Cx<'t, 'r, '_>,
        block: &Block<'t>,
        data: bool,
        ops: &[&TraversalOperator],
        at: Span,
    ) -> (Value, usize) {
        let expansion = self.expand(block, cx.depth() + 1);
        let attr = |i: usize| match ops.get(i) {
            Some(TraversalOperator::GetAttr(id)) => Some(id.as_str()),
            _ => None,
        };
        let value_of = |key: &Key, bound: &Option<Value>, only: Option<&str>| {
            let binds = bound.clone().map(|value| Binds { name: expansion.bind, value, up: None });
            let inner = Cx::new(self, block.body.file, binds.as_ref()).at_depth(cx.depth() + 1);
            super::attributes::of(&inner, block, data, key, only, at)
        };
        match expansion.keys.as_slice() {
            [(Key::None, bound)] => match attr(0) {
                Some(a) => (value_of(&Key::None, bound, Some(a)), 1),
                None => (value_of(&Key::None, bound, None), 0),
            },
            keys => {
                // `x[*].a` and `x.*.a` over the instances of a `count`: each
                // instance's attribute as `x[0].a` reads it (one AWS
                // computes is unknown, not missing), then what follows.
                if let (
                    Some(op @ (TraversalOperator::FullSplat(_) | TraversalOperator::AttrSplat(_))),
                    Some(a),
                ) = (ops.first(), attr(1))
                    && keys.iter().all(|(k, _)| !matches!(k, Key::Name(_)))
                {
                    let rest = super::eval::splat_reach(op, &ops[2..]);
                    let what = || a.to_owned();
                    let items = keys
                        .iter()
                        .map(|(k, b)| cx.follow(value_of(k, b, Some(a)), &ops[2..2 + rest], &what, at))
                        .collect();
                    return (Value::new(Val::List(items), at), 2 + rest);
                }
                if let (Some(TraversalOperator::Index(k)), Some(a)) = (ops.first(), attr(1)) {
                    let key = cx.hcl(k);
                    if let Some((key, bound)) = keys.iter().find(|(key_, _)| matches_key(key_, &key)) {
                        return (value_of(key, bound, Some(a)), 2);
                    }
                    if let [(Key::Any, bound)] = keys {
                        return (value_of(&Key::Any, bound, Some(a)), 2);
                    }
                }
                let items = keys.iter().map(|(k, b)| (k.clone(), value_of(k, b, None))).collect();
                (collection(items, at), 0)
            }
        }
    }
}

fn out_name<'o>(op: Option<&&'o TraversalOperator>) -> Option<&'o str> {
    match op {
        Some(TraversalOperator::GetAttr(id)) => Some(id.as_str()),
        _ => None,
    }
}

fn matches_key(key: &Key, v: &Value) -> bool {
    match key {
        Key::Index(i) => {
            v.as_number().is_some_and(|n| n.fract() == 0.0 && n >= 0.0 && n.to_string() == i.to_string())
        }
        Key::Name(k) => v.as_text().is_some_and(|t| t == *k),
        Key::None | Key::Any => false,
    }
}

/// The instances of a resource or module as Terraform shows them: a list
/// for `count`, a map for `for_each`, unknown when their number is.
fn collection(items: Vec<(Key, Value)>, at: Span) -> Value {
    match items.first().map(|(k, _)| k) {
        // A count or `for_each` not known: the block may exist, and is
        // analysed once, so `x[*].json` or `one(x[*].json)` reads that one.
        Some(Key::Any) => Value::new(Val::List(items.into_iter().map(|(_, v)| v).collect()), at),
        Some(Key::Name(_)) => Value::new(
            Val::Object(sorted(
                items
                    .into_iter()
                    .map(|(k, v)| Member {
                        key: if let Key::Name(n) = k { n } else { String::new() },
                        key_span: at,
                        value: v,
                    })
                    .collect(),
            )),
            at,
        ),
        Some(Key::None) => items.into_iter().next().map_or_else(|| Value::new(Val::Null, at), |(_, v)| v),
        _ => Value::new(Val::List(items.into_iter().map(|(_, v)| v).collect()), at),
    }
}
