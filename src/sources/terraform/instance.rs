//! Module instances: a module directory with the values its caller gave
//! it, the instances of its resources (`count`, `for_each`) and module
//! calls, and the values of its variables, locals and outputs. What its
//! references name is in `references.rs`.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::rc::{Rc, Weak};

use super::config::Loaded;
use super::eval::{Binds, Memo};
use super::module::{Block, Expr, ExprKind, Module};
use super::value::{Budget, Member, Val, Value, Why};
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

/// Where an expression of a module instance is evaluated. The evaluator
/// is written for any [`Scope`](super::eval::Scope); a module instance is
/// the one there is (see `references.rs`).
pub type Cx<'t, 'r, 's> = super::eval::Cx<'s, Instance<'t, 'r>>;

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
    /// The module call that made it (none for the root): its arguments
    /// are evaluated there when a variable is first asked for, as
    /// Terraform does, so that two calls may each take an output of the
    /// other.
    caller: Option<Caller<'t, 'r>>,
    pub depth: usize,
    memo: Memo<'t>,
    children: RefCell<HashMap<&'t str, Rc<Children<'t, 'r>>>>,
    /// The module calls whose instances are being made: one asked for
    /// again meanwhile refers to itself.
    making: RefCell<HashSet<&'t str>>,
    /// This instance, for its children to find it.
    me: Weak<Instance<'t, 'r>>,
}

/// Where a module instance's arguments are: the call, in the instance
/// that makes it, with what its `count` or `for_each` binds.
struct Caller<'t, 'r> {
    parent: Weak<Instance<'t, 'r>>,
    call: &'r Block<'t>,
    /// `count` or `each`, and its value for this instance.
    bound: Option<(&'static str, Value)>,
}

/// The instances a module call makes, or why it makes none we can read.
pub struct Children<'t, 'r> {
    pub instances: Vec<(Key, Rc<Instance<'t, 'r>>)>,
    /// Why the called module was not read.
    pub unresolved: Option<String>,
}

impl<'t, 'r> Instance<'t, 'r> {
    pub fn root(r: &'r Reading<'t>, dir: usize) -> Rc<Self> {
        Self::new(r, &r.modules[dir], dir, String::new(), String::new(), None, 0)
    }

    fn new(
        r: &'r Reading<'t>,
        module: &'r Module<'t>,
        root: usize,
        key: String,
        address: String,
        caller: Option<Caller<'t, 'r>>,
        depth: usize,
    ) -> Rc<Self> {
        Rc::new_cyclic(|me| Self {
            r,
            module,
            root,
            key,
            address,
            caller,
            depth,
            memo: Memo::default(),
            children: RefCell::default(),
            making: RefCell::default(),
            me: me.clone(),
        })
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

    /// The argument the caller gives for `name`, evaluated where the call
    /// is written; `None` when it gives none.
    fn argument(&self, name: &str, depth: u32) -> Option<Value> {
        if matches!(name, "source" | "version" | "count" | "for_each" | "providers" | "depends_on") {
            return None;
        }
        let caller = self.caller.as_ref()?;
        let a = caller.call.body.attr(name)?;
        let parent = caller.parent.upgrade()?;
        let binds = caller.bound.as_ref().map(|(name, value)| Binds { name, value: value.clone(), up: None });
        let cx = Cx::new(&*parent, caller.call.body.file, binds.as_ref()).at_depth(depth);
        Some(match cx.deeper() {
            Some(cx) => cx.expr(a.value),
            None => super::eval::too_deep(a.value.span()),
        })
    }

    /// The value of a variable: the caller's argument, a `.tfvars` value
    /// (root only), or the default; unknown without any. `depth`: how
    /// deep the evaluation that asks is nested (see [`Cx::at_depth`]).
    pub fn var(&self, name: &'t str, at: Span, depth: u32) -> Value {
        let Some(decl) = self.module.vars.get(name) else {
            return Value::unknown(
                format!("var.{name}"),
                Why::Unresolved(format!("the variable `{name}` is not declared")),
                at,
            );
        };
        self.memo.get_or(0, name, at, || {
            let default = |inst: &Self| match decl.default {
                Some(d) => Cx::new(inst, d.file, None).at_depth(depth).decl(d),
                None => Value::unknown(format!("var.{name}"), Why::Input, at),
            };
            let v = if let Some(v) = self.argument(name, depth) {
                if v.is_null() && !decl.nullable { default(self) } else { v }
            } else if self.is_root()
                && let Some(e) = self.module.tfvars.get(name)
            {
                Cx::new(self, e.file, None).at_depth(depth).decl(*e)
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

    pub fn local(&self, name: &'t str, at: Span, depth: u32) -> Value {
        let Some(&e) = self.module.locals.get(name) else {
            return Value::error(format!("local.{name}"), format!("the local `{name}` is not declared"), at);
        };
        self.memo.get_or(1, name, at, || Cx::new(self, e.file, None).at_depth(depth).decl(e))
    }

    pub fn output(&self, name: &'t str, at: Span, depth: u32) -> Value {
        let Some(&e) = self.module.outputs.get(name) else {
            return Value::error(format!("output.{name}"), format!("the module has no output `{name}`"), at);
        };
        self.memo.get_or(2, name, at, || Cx::new(self, e.file, None).at_depth(depth).decl(e))
    }

    /// The instances of a `count` or `for_each` block, evaluated here.
    pub fn expand(&self, block: &Block<'t>, depth: u32) -> Expansion {
        let cx = Cx::new(self, block.body.file, None).at_depth(depth);
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

    /// The instances of the module call `name`, made once. `depth`: how
    /// deep the evaluation that asks is nested (see [`Cx::at_depth`]).
    pub fn children(&self, name: &'t str, depth: u32) -> Option<Rc<Children<'t, 'r>>> {
        if let Some(c) = self.children.borrow().get(name) {
            return Some(Rc::clone(c));
        }
        let call = self.module.call(name)?;
        // Its `count` or `for_each` needs its own outputs: Terraform
        // refuses such a cycle.
        if !self.making.borrow_mut().insert(name) {
            let why = format!("module `{name}`: its `count` or `for_each` refers to the module itself");
            return Some(Rc::new(Children { instances: Vec::new(), unresolved: Some(why) }));
        }
        let made = Rc::new(self.instantiate(call, depth));
        self.making.borrow_mut().remove(name);
        self.children.borrow_mut().insert(name, Rc::clone(&made));
        Some(made)
    }

    fn instantiate(&self, call: &'r Block<'t>, depth: u32) -> Children<'t, 'r> {
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
        let expansion = self.expand(call, depth);
        let mut instances = Vec::new();
        for (k, bound) in expansion.keys {
            let caller =
                Caller { parent: self.me.clone(), call, bound: bound.map(|value| (expansion.bind, value)) };
            let dot = if self.address.is_empty() { "" } else { "." };
            let address = format!("{}{dot}module.{}{}", self.address, call.label, k.suffix());
            let child = Instance::new(
                self.r,
                &self.r.modules[dir],
                self.root,
                key.clone(),
                address,
                Some(caller),
                self.depth + 1,
            );
            instances.push((k, child));
        }
        Children { instances, unresolved: None }
    }
}

fn unknown_why(v: &Value) -> Why {
    v.unknown_part().map_or(Why::Input, |u| u.why.clone())
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
        let t = match super::hcl::parse(text, hcl_edit::parser::parse_template) {
            Ok(t) => t,
            Err(e) => {
                return Value::error(
                    format!("templatefile({path})"),
                    format!("invalid template: {}", e.message),
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
