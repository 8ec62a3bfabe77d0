//! Module instances: a module directory with the values its caller gave
//! it, the instances of its resources (`count`, `for_each`), and what its
//! references name: variables, locals, outputs of called modules, resource
//! and data source attributes.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use hcl_edit::expr::TraversalOperator;

use super::config::Loaded;
use super::eval::{Binds, Cx, Memo};
use super::module::{Block, Expr, ExprKind, Module};
use super::value::{Budget, Member, Val, Value, Why, sorted};
use crate::source::Span;

/// Module calls nest at most this deep.
const MAX_MODULE_DEPTH: usize = 16;
/// At most this many instances of one resource or module call.
const MAX_INSTANCES: usize = 1_000;

/// One root module's evaluation: what was loaded, indexed, and the budget.
pub struct Reading<'t> {
    pub loaded: &'t Loaded,
    pub modules: &'t [Module<'t>],
    pub budget: Budget,
    /// The account the root deploys to, as a symbol.
    pub account: String,
    /// Policy documents some resource used: (instance address, label).
    pub used_documents: RefCell<std::collections::HashSet<(String, String)>>,
}

/// Which instance of a resource or module: `[0]`, `["key"]`, or `[*]` when
/// its `count` / `for_each` is not known (it may exist).
#[derive(Clone, Debug, PartialEq)]
pub enum Key {
    None,
    Index(usize),
    Name(String),
    Any,
}

impl Key {
    pub fn suffix(&self) -> String {
        match self {
            Self::None => String::new(),
            Self::Index(i) => format!("[{i}]"),
            Self::Name(k) => format!("[{}]", serde_json::to_string(k).unwrap_or_default()),
            Self::Any => "[*]".into(),
        }
    }
}

/// The instances a `count` or `for_each` makes: each key with what
/// `count.index` / `each` are bound to.
pub struct Expansion {
    pub keys: Vec<(Key, Option<Value>)>,
    /// The name (`count` or `each`) the values are bound to.
    pub bind: &'static str,
}

/// A module instance.
pub struct Instance<'t, 'r> {
    pub r: &'r Reading<'t>,
    pub module: &'r Module<'t>,
    /// The root directory (for `.terraform/modules`).
    pub root: usize,
    /// `a.b`: the module's key in `modules.json` (empty for the root).
    pub key: String,
    /// `module.a["x"].module.b` (empty for the root).
    pub address: String,
    pub args: HashMap<&'t str, Value>,
    pub depth: usize,
    memo: Memo<'t>,
    children: RefCell<HashMap<&'t str, Rc<Children<'t, 'r>>>>,
}

/// The instances a module call makes, or why it makes none we can read.
pub struct Children<'t, 'r> {
    pub instances: Vec<(Key, Rc<Instance<'t, 'r>>)>,
    /// Why the called module was not read.
    pub unresolved: Option<String>,
}

impl<'t, 'r> Instance<'t, 'r> {
    pub fn root(r: &'r Reading<'t>, dir: usize) -> Self {
        Self::new(r, &r.modules[dir], dir, String::new(), String::new(), HashMap::new(), 0)
    }

    fn new(
        r: &'r Reading<'t>,
        module: &'r Module<'t>,
        root: usize,
        key: String,
        address: String,
        args: HashMap<&'t str, Value>,
        depth: usize,
    ) -> Self {
        Self {
            r,
            module,
            root,
            key,
            address,
            args,
            depth,
            memo: Memo::default(),
            children: RefCell::default(),
        }
    }

    pub fn is_root(&self) -> bool {
        self.depth == 0
    }

    pub fn text(&self, file: u32) -> &'t str {
        self.r.loaded.files.get(file as usize).map_or("", |f| &f.text)
    }

    /// `prefix.kind.label` for a resource of this instance.
    pub fn address_of(&self, kind: &str, label: &str, key: &Key) -> String {
        let dot = if self.address.is_empty() { "" } else { "." };
        format!("{}{dot}{kind}.{label}{}", self.address, key.suffix())
    }

    pub fn host(&self) -> Host<'_, 't, 'r> {
        Host { inst: self }
    }

    /// The value of a variable: the caller's argument, a `.tfvars` value
    /// (root only), or the default; unknown without any.
    pub fn var(&self, name: &'t str, at: Span) -> Value {
        let Some(decl) = self.module.vars.get(name) else {
            return Value::unknown(
                format!("var.{name}"),
                Why::Unresolved(format!("the variable `{name}` is not declared")),
                at,
            );
        };
        self.memo.get_or(0, name, at, || {
            let default = |inst: &Self| match decl.default {
                Some(d) => Cx::new(inst, d.file, None).decl(d),
                None => Value::unknown(format!("var.{name}"), Why::Input, at),
            };
            let v = if let Some(v) = self.args.get(name) {
                if v.is_null() && !decl.nullable { default(self) } else { v.clone() }
            } else if self.is_root()
                && let Some(e) = self.module.tfvars.get(name)
            {
                Cx::new(self, e.file, None).decl(*e)
            } else {
                default(self)
            };
            // The type constraint fills optional attributes, as Terraform
            // does when the value comes in.
            match decl.ty {
                Some(Expr { file, kind: ExprKind::Hcl(ty) }) => {
                    let cx = Cx::new(self, file, None);
                    super::types::convert(v, ty, &|d| cx.hcl(d))
                }
                _ => v,
            }
        })
    }

    pub fn local(&self, name: &'t str, at: Span) -> Value {
        let Some(&e) = self.module.locals.get(name) else {
            return Value::error(format!("local.{name}"), format!("the local `{name}` is not declared"), at);
        };
        self.memo.get_or(1, name, at, || Cx::new(self, e.file, None).decl(e))
    }

    fn output(&self, name: &'t str, at: Span) -> Value {
        let Some(&e) = self.module.outputs.get(name) else {
            return Value::error(format!("output.{name}"), format!("the module has no output `{name}`"), at);
        };
        self.memo.get_or(2, name, at, || Cx::new(self, e.file, None).decl(e))
    }

    /// The instances of a `count` or `for_each` block, evaluated here.
    pub fn expand(&self, block: &Block<'t>) -> Expansion {
        let cx = Cx::new(self, block.body.file, None);
        if let Some(a) = block.body.attr("for_each") {
            let v = cx.decl(a.value);
            let keys = match &v.kind {
                Val::Object(members) => members
                    .iter()
                    .take(MAX_INSTANCES)
                    .map(|m| {
                        (
                            Key::Name(m.key.clone()),
                            Some(each(Value::string(m.key.clone(), m.key_span), m.value.clone())),
                        )
                    })
                    .collect(),
                Val::List(items) if items.iter().all(|i| i.as_text().is_some()) => {
                    let mut names: Vec<&Value> = items.iter().collect();
                    names.sort_by(|a, b| a.as_text().cmp(&b.as_text()));
                    names.dedup_by(|a, b| a.as_text() == b.as_text());
                    names
                        .into_iter()
                        .take(MAX_INSTANCES)
                        .map(|x| {
                            let k = x.as_text().unwrap_or_default().into_owned();
                            (Key::Name(k), Some(each(x.clone(), x.clone())))
                        })
                        .collect()
                }
                Val::Null => Vec::new(),
                _ => {
                    let unknown = Value::unknown("each.value", unknown_why(&v), v.span);
                    vec![(Key::Any, Some(each(Value::unknown("each.key", unknown_why(&v), v.span), unknown)))]
                }
            };
            return Expansion { keys, bind: "each" };
        }
        if let Some(a) = block.body.attr("count") {
            let v = cx.decl(a.value);
            let keys = match v.as_number() {
                Some(n) if n >= 0.0 && n.fract() == 0.0 => {
                    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                    let n = (n as usize).min(MAX_INSTANCES);
                    (0..n)
                        .map(|i| {
                            let index = Member {
                                key: "index".into(),
                                key_span: v.span,
                                value: Value::new(Val::Number(super::eval::index_number(i)), v.span),
                            };
                            (Key::Index(i), Some(Value::new(Val::Object(vec![index]), v.span)))
                        })
                        .collect()
                }
                _ if v.as_bool() == Some(false) => Vec::new(),
                _ => {
                    let index = Member {
                        key: "index".into(),
                        key_span: v.span,
                        value: Value::unknown("count.index", unknown_why(&v), v.span),
                    };
                    vec![(Key::Any, Some(Value::new(Val::Object(vec![index]), v.span)))]
                }
            };
            return Expansion { keys, bind: "count" };
        }
        Expansion { keys: vec![(Key::None, None)], bind: "" }
    }

    /// The instances of the module call `name`, made once.
    pub fn children(&self, name: &'t str) -> Option<Rc<Children<'t, 'r>>> {
        if let Some(c) = self.children.borrow().get(name) {
            return Some(Rc::clone(c));
        }
        let call = self.module.call(name)?;
        let made = Rc::new(self.instantiate(call));
        self.children.borrow_mut().insert(name, Rc::clone(&made));
        Some(made)
    }

    fn instantiate(&self, call: &Block<'t>) -> Children<'t, 'r> {
        let none = |why: String| Children { instances: Vec::new(), unresolved: Some(why) };
        let source = call.body.attr("source").and_then(|a| a.value.literal()).unwrap_or_default();
        let key =
            if self.key.is_empty() { call.label.to_owned() } else { format!("{}.{}", self.key, call.label) };
        let dir = self
            .r
            .loaded
            .local_source(self.module.dir, source)
            .or_else(|| self.r.loaded.installed(self.root, &key));
        let Some(dir) = dir else {
            let why = if super::config::is_local(source) {
                format!("module `{}`: the directory `{source}` is not there", call.label)
            } else {
                format!(
                    "module `{}`: its source `{source}` is not installed (run `terraform init` so `.terraform/modules` holds it)",
                    call.label
                )
            };
            return none(why);
        };
        if self.depth >= MAX_MODULE_DEPTH {
            return none(format!("module `{}`: modules nest deeper than {MAX_MODULE_DEPTH}", call.label));
        }
        let expansion = self.expand(call);
        let mut instances = Vec::new();
        for (k, bound) in expansion.keys {
            let binds = bound.map(|value| Binds { name: expansion.bind, value, up: None });
            let cx = Cx::new(self, call.body.file, binds.as_ref());
            let mut args = HashMap::new();
            for (name, a) in call.body.attrs() {
                if matches!(name, "source" | "version" | "count" | "for_each" | "providers" | "depends_on") {
                    continue;
                }
                args.insert(name, cx.expr(a.value));
            }
            let dot = if self.address.is_empty() { "" } else { "." };
            let address = format!("{}{dot}module.{}{}", self.address, call.label, k.suffix());
            let child = Instance::new(
                self.r,
                &self.r.modules[dir],
                self.root,
                key.clone(),
                address,
                args,
                self.depth + 1,
            );
            instances.push((k, Rc::new(child)));
        }
        Children { instances, unresolved: None }
    }

    /// What a reference rooted at `root` names, and how many of `ops` that
    /// took. `None`: nothing this module declares.
    pub fn reference(
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
                Some((self.var(name, at), 1))
            }
            "local" => {
                let (&name, _) = self.module.locals.get_key_value(attr(0)?)?;
                Some((self.local(name, at), 1))
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
        let Some(children) = self.children(name) else { return (Value::unknown(what, Why::Input, at), 0) };
        if let Some(why) = &children.unresolved {
            return (Value::unknown(what, Why::Unresolved(why.clone()), at), 0);
        }
        let one = |inst: &Instance<'t, 'r>, out: &str| match inst.module.outputs.get_key_value(out) {
            Some((&k, _)) => inst.output(k, at),
            None => Value::error(what.clone(), format!("module `{name}` has no output `{out}`"), at),
        };
        let all = |inst: &Instance<'t, 'r>| {
            let mut names: Vec<&'t str> = inst.module.outputs.keys().copied().collect();
            names.sort_unstable();
            let members = names
                .into_iter()
                .map(|k| Member { key: k.to_owned(), key_span: at, value: inst.output(k, at) })
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
        let expansion = self.expand(block);
        let attr = |i: usize| match ops.get(i) {
            Some(TraversalOperator::GetAttr(id)) => Some(id.as_str()),
            _ => None,
        };
        let value_of = |key: &Key, bound: &Option<Value>, only: Option<&str>| {
            let binds = bound.clone().map(|value| Binds { name: expansion.bind, value, up: None });
            let inner = Cx::new(self, block.body.file, binds.as_ref());
            super::attributes::of(&inner, block, data, key, only, at)
        };
        match expansion.keys.as_slice() {
            [(Key::None, bound)] => match attr(0) {
                Some(a) => (value_of(&Key::None, bound, Some(a)), 1),
                None => (value_of(&Key::None, bound, None), 0),
            },
            keys => {
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

fn unknown_why(v: &Value) -> Why {
    v.unknown_part().map_or(Why::Input, |u| u.why.clone())
}

fn out_name<'o>(op: Option<&&'o TraversalOperator>) -> Option<&'o str> {
    match op {
        Some(TraversalOperator::GetAttr(id)) => Some(id.as_str()),
        _ => None,
    }
}

/// `each`: `{key, value}`.
fn each(key: Value, value: Value) -> Value {
    let span = value.span;
    let members = vec![
        Member { key: "key".into(), key_span: key.span, value: key },
        Member { key: "value".into(), key_span: span, value },
    ];
    Value::new(Val::Object(members), span)
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

/// What functions see of a module instance.
pub struct Host<'a, 't, 'r> {
    inst: &'a Instance<'t, 'r>,
}

impl super::functions::Host for Host<'_, '_, '_> {
    fn read_file(&self, path: &str) -> Result<String, String> {
        let loaded = self.inst.r.loaded;
        let dir = &loaded.dirs[self.inst.module.dir];
        let p = std::path::Path::new(path);
        let full = if p.is_absolute() { p.to_path_buf() } else { loaded.root.join(".").join(p) };
        // Paths are relative to the working directory, as Terraform's are;
        // `path.module` makes them relative to the module.
        let full = if full.exists() { full } else { loaded.root.join(&dir.path).join(p) };
        let meta = std::fs::metadata(&full).map_err(|e| format!("`{path}`: {e}"))?;
        if !meta.is_file() || meta.len() > super::config::MAX_FILE {
            return Err(format!("`{path}` is not a file trustlint reads"));
        }
        let bytes = std::fs::read(&full).map_err(|e| format!("`{path}`: {e}"))?;
        crate::syntax::text::decode(bytes).map_err(|e| format!("`{path}`: {e}"))
    }

    fn render_template(&self, path: &str, text: &str, vars: &Value, at: Span) -> Value {
        let t = match hcl_edit::parser::parse_template(text) {
            Ok(t) => t,
            Err(e) => {
                return Value::error(
                    format!("templatefile({path})"),
                    format!("invalid template: {}", e.message()),
                    at,
                );
            }
        };
        // The template sees each of the object's members by name.
        let binds = Binds { name: "", value: vars.clone(), up: None };
        let cx = Cx::over(self.inst, text, &binds);
        let mut v = cx.template(&t, at);
        // Its parts are written in the template file, which findings do
        // not show: they are shown at the call.
        v.respan(at);
        v
    }

    fn budget(&self) -> &Budget {
        &self.inst.r.budget
    }
}
