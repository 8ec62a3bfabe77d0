//! Intrinsic functions, resolved as far as the template itself settles them.
//!
//! Resolution builds a new tree in which every expression is replaced by its
//! value, carrying the span of the expression it replaces, so findings point
//! at what the user wrote. What the template leaves open (a parameter without
//! a default, `AWS::Region`, an attribute of a resource CloudFormation
//! creates) becomes a symbolic value (`{{Ref TrustedAccount}}`), which no
//! rule mistakes for a literal.
//!
//! - `Ref`: a parameter gives its `Default` (a `CommaDelimitedList` or `List<…>`
//!   gives a list); a role, user or group gives its name (`RoleName`, or the
//!   logical id); a managed policy, OIDC or SAML provider gives its ARN, in
//!   the stack's account ([`STACK_ACCOUNT`]).
//! - `Fn::GetAtt`: the `Arn` of a role, user, group or provider, the
//!   `PolicyArn` of a managed policy; anything else is symbolic.
//! - `Fn::Sub`, `Fn::Join`, `Fn::Select`, `Fn::Split`, `Fn::FindInMap` are
//!   evaluated; `Fn::ToJsonString` stands for the object it encodes.
//! - `Fn::If` takes the branch its condition selects when the condition can
//!   be decided from parameter defaults. Otherwise: two scalar branches give a
//!   symbolic value; when one branch is `AWS::NoValue` the other is kept (an
//!   element the template may deploy is checked); of two objects or lists the
//!   first is kept.
//! - `Fn::ImportValue`, `Fn::GetAZs`, `Fn::Cidr`, `Fn::Base64` and any other
//!   function are symbolic.
//!
//! Work is bounded: nesting deeper than [`MAX_DEPTH`], references that loop
//! and strings longer than [`MAX_STRING`] become symbolic.

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;

use super::scalar;
use crate::model::symbolic::{STACK_ACCOUNT, is_symbolic, symbol};
use crate::source::Span;
use crate::syntax::json::{Kind, Member, Value};

/// Expressions nested deeper than this are left symbolic.
pub const MAX_DEPTH: usize = 320;
/// A string built longer than this is left symbolic.
pub const MAX_STRING: usize = 1 << 20;
/// A resource name longer than this is left symbolic (IAM names are at most
/// 128 characters; this only stops names built from names from doubling).
const MAX_NAME: usize = 1024;
/// Resolution steps allowed per template.
const FUEL: u32 = 50_000_000;

/// A string and, for each of its bytes plus one, the file offset it came from.
#[derive(Debug, Clone)]
pub struct Text {
    pub s: String,
    pub offsets: Vec<u32>,
}

impl Text {
    fn coarse(s: String, span: Span) -> Self {
        let offsets = scalar::coarse(span, s.len());
        Self { s, offsets }
    }

    fn push(&mut self, other: &Self) {
        self.s.push_str(&other.s);
        self.offsets.pop();
        self.offsets.extend_from_slice(&other.offsets);
    }
}

/// The IAM resources a template declares that references resolve to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceKind {
    Role,
    User,
    Group,
    ManagedPolicy,
    OidcProvider,
    SamlProvider,
    /// The role SAM creates for a function or state machine without `Role`.
    ImplicitRole,
    Other,
}

impl ResourceKind {
    pub fn of(resource_type: &str) -> Self {
        match resource_type {
            "AWS::IAM::Role" => Self::Role,
            "AWS::IAM::User" => Self::User,
            "AWS::IAM::Group" => Self::Group,
            "AWS::IAM::ManagedPolicy" => Self::ManagedPolicy,
            "AWS::IAM::OIDCProvider" => Self::OidcProvider,
            "AWS::IAM::SAMLProvider" => Self::SamlProvider,
            _ => Self::Other,
        }
    }
}

/// A cached result, or the mark of one being computed (a reference loop).
#[derive(Clone)]
enum Slot<T> {
    Busy,
    Done(T),
}

pub struct Template<'t, 's> {
    pub text: &'s str,
    /// The account the stack deploys to: `AWS::AccountId`, and the account
    /// of the ARNs of the resources it creates.
    pub account: String,
    /// For resources without a name of their own: what CloudFormation puts
    /// before the logical id in the name it generates (`STACK-LogicalId-…`),
    /// when the stack's account is known and two stacks' roles could meet.
    pub generated_prefix: Option<String>,
    parameters: HashMap<&'t str, &'t Value<'s>>,
    resources: HashMap<&'t str, (ResourceKind, &'t Value<'s>)>,
    /// SAM's implicit roles (`<Function>Role`) and the function that makes each.
    implicit_roles: HashMap<String, &'t str>,
    mappings: Option<&'t Value<'s>>,
    conditions: Option<&'t Value<'s>>,
    names: RefCell<HashMap<String, Slot<Option<Text>>>>,
    decided: RefCell<HashMap<String, Slot<Option<bool>>>>,
    fuel: Cell<u32>,
}

fn members<'t, 's>(v: Option<&'t Value<'s>>) -> &'t [Member<'s>] {
    v.and_then(Value::as_object).unwrap_or(&[])
}

fn string_value<'s>(s: String, span: Span) -> Value<'s> {
    Value { span, kind: Kind::String(Cow::Owned(s)) }
}

/// The intrinsic function an object is, if it is one: its name and argument.
pub fn intrinsic<'t, 's>(v: &'t Value<'s>) -> Option<(&'t str, &'t Value<'s>)> {
    match v.as_object()? {
        // `!Name`: a YAML tag not CloudFormation's (a preprocessor's), opaque.
        [m] if m.key == "Ref" || m.key.starts_with("Fn::") || m.key.starts_with('!') => {
            Some((&m.key, &m.value))
        }
        _ => None,
    }
}

/// A copy of `v` whose every span is `span` (a value taken from elsewhere in
/// the template, shown where the expression that brought it is written).
fn respan<'s>(v: &Value<'s>, span: Span) -> Value<'s> {
    let kind = match &v.kind {
        Kind::Array(items) => Kind::Array(items.iter().map(|i| respan(i, span)).collect()),
        Kind::Object(ms) => Kind::Object(
            ms.iter()
                .map(|m| Member { key: m.key.clone(), key_span: span, value: respan(&m.value, span) })
                .collect(),
        ),
        k => k.clone(),
    };
    Value { span, kind }
}

impl<'t, 's> Template<'t, 's> {
    /// The template deploys to `account` (a stack's symbol or an id).
    #[must_use]
    pub fn in_account(mut self, account: String) -> Self {
        self.account = account;
        self
    }

    pub fn new(text: &'s str, root: &'t Value<'s>) -> Self {
        let parameters = members(root.get("Parameters")).iter().map(|m| (m.key.as_ref(), &m.value)).collect();
        let mut resources = HashMap::new();
        let mut implicit_roles = HashMap::new();
        for m in members(root.get("Resources")) {
            let ty = m.value.get("Type").and_then(Value::as_str).unwrap_or("");
            resources.insert(m.key.as_ref(), (ResourceKind::of(ty), &m.value));
            let props = m.value.get("Properties");
            if matches!(ty, "AWS::Serverless::Function" | "AWS::Serverless::StateMachine")
                && props.and_then(|p| p.get("Role")).is_none()
            {
                implicit_roles.insert(format!("{}Role", m.key), m.key.as_ref());
            }
        }
        Self {
            text,
            account: STACK_ACCOUNT.to_owned(),
            generated_prefix: None,
            parameters,
            resources,
            implicit_roles,
            mappings: root.get("Mappings"),
            conditions: root.get("Conditions"),
            names: RefCell::default(),
            decided: RefCell::default(),
            fuel: Cell::new(FUEL),
        }
    }

    /// Consumes one step; false when the budget is spent.
    fn step(&self, depth: usize) -> bool {
        let fuel = self.fuel.get();
        if fuel == 0 || depth > MAX_DEPTH {
            return false;
        }
        self.fuel.set(fuel - 1);
        true
    }

    fn kind_of(&self, id: &str) -> Option<ResourceKind> {
        if let Some((k, _)) = self.resources.get(id) {
            return Some(*k);
        }
        self.implicit_roles.contains_key(id).then_some(ResourceKind::ImplicitRole)
    }

    fn property(&self, id: &str, key: &str) -> Option<&'t Value<'s>> {
        self.resources.get(id)?.1.get("Properties")?.get(key)
    }

    // ---------------------------------------------------------------- values

    /// The value of `v` with every expression resolved; `None` for
    /// `AWS::NoValue` (the property or list item is left out).
    pub fn value(&self, v: &Value<'s>, depth: usize) -> Option<Value<'s>> {
        if !self.step(depth) {
            return Some(string_value(symbol("…"), v.span));
        }
        if let Some((name, arg)) = intrinsic(v) {
            return self.function(name, arg, v.span, depth + 1);
        }
        let kind = match &v.kind {
            Kind::Object(ms) => Kind::Object(
                ms.iter()
                    .filter_map(|m| {
                        let value = self.value(&m.value, depth + 1)?;
                        Some(Member { key: m.key.clone(), key_span: m.key_span, value })
                    })
                    .collect(),
            ),
            Kind::Array(items) => {
                Kind::Array(items.iter().filter_map(|i| self.value(i, depth + 1)).collect())
            }
            k => k.clone(),
        };
        Some(Value { span: v.span, kind })
    }

    fn function(&self, name: &str, arg: &Value<'s>, span: Span, depth: usize) -> Option<Value<'s>> {
        let text = |t: Text| Some(string_value(t.s, span));
        match name {
            "Ref" => match arg.as_str() {
                Some(target) => self.reference(target, span, depth),
                None => Some(string_value(symbol("Ref"), span)),
            },
            "Fn::GetAtt" => {
                Some(string_value(self.get_att(arg, depth).unwrap_or_else(|| symbol("GetAtt")), span))
            }
            "Fn::Sub" => text(self.sub(arg, span, depth)),
            "Fn::Join" => text(self.join(arg, span, depth)),
            "Fn::Select" => self.select(arg, span, depth),
            "Fn::Split" => Some(self.split(arg, span, depth)),
            "Fn::If" => self.if_(arg, span, depth),
            "Fn::FindInMap" => Some(self.find_in_map(arg, span, depth)),
            "Fn::ToJsonString" => self.value(arg, depth),
            _ => {
                let detail = arg.as_str().map_or_else(|| name.to_owned(), |a| format!("{name} {a}"));
                Some(string_value(symbol(&detail), span))
            }
        }
    }

    fn reference(&self, target: &str, span: Span, depth: usize) -> Option<Value<'s>> {
        let s = |s: String| Some(string_value(s, span));
        match target {
            "AWS::NoValue" => return None,
            "AWS::AccountId" => return s(self.account.clone()),
            "AWS::Partition" => return s("aws".to_owned()),
            "AWS::URLSuffix" => return s("amazonaws.com".to_owned()),
            _ if target.starts_with("AWS::") => return s(symbol(target)),
            _ => {}
        }
        if let Some(p) = self.parameters.get(target) {
            return Some(Self::parameter(target, p, span));
        }
        match self.kind_of(target) {
            Some(
                ResourceKind::Role | ResourceKind::User | ResourceKind::Group | ResourceKind::ImplicitRole,
            ) => s(self.name(target, depth).map_or_else(|| symbol(&format!("Ref {target}")), |t| t.s)),
            Some(ResourceKind::ManagedPolicy | ResourceKind::OidcProvider | ResourceKind::SamlProvider) => {
                s(self.arn(target, depth).unwrap_or_else(|| symbol(&format!("Ref {target}"))))
            }
            _ => s(symbol(&format!("Ref {target}"))),
        }
    }

    /// A parameter's default, shown at the reference; symbolic without one.
    fn parameter(name: &str, p: &Value<'s>, span: Span) -> Value<'s> {
        let ty = p.get("Type").and_then(Value::as_str).unwrap_or("String");
        let open = || string_value(symbol(&format!("Ref {name}")), span);
        // The default of an SSM parameter type names the SSM parameter, not its value.
        if ty.starts_with("AWS::SSM::Parameter::Value") {
            return open();
        }
        let Some(default) = p.get("Default") else {
            return open();
        };
        let list = ty == "CommaDelimitedList" || ty.starts_with("List<");
        match (&default.kind, list) {
            (Kind::String(s), true) => Value {
                span,
                kind: Kind::Array(
                    s.split(',').map(|item| string_value(item.trim().to_owned(), span)).collect(),
                ),
            },
            (Kind::String(_) | Kind::Number(_) | Kind::Bool(_) | Kind::Array(_), _) => respan(default, span),
            _ => open(),
        }
    }

    /// The name of a role, user or group: its name property, or the logical id.
    pub fn name(&self, id: &str, depth: usize) -> Option<Text> {
        if let Some(slot) = self.names.borrow().get(id) {
            return match slot {
                Slot::Done(t) => t.clone(),
                Slot::Busy => None,
            };
        }
        let kind = self.kind_of(id)?;
        self.names.borrow_mut().insert(id.to_owned(), Slot::Busy);
        let key = match kind {
            ResourceKind::Role => "RoleName",
            ResourceKind::User => "UserName",
            ResourceKind::Group => "GroupName",
            ResourceKind::ManagedPolicy => "ManagedPolicyName",
            ResourceKind::SamlProvider => "Name",
            _ => "",
        };
        let name = if let Some(v) = self.property(id, key) {
            self.text(v, depth + 1)
        } else {
            let s = self.generated_prefix.as_ref().map_or_else(|| id.to_owned(), |p| format!("{p}-{id}"));
            let offsets = scalar::coarse(Span::new(0, 0), s.len());
            Text { s, offsets }
        };
        let name = (name.s.len() <= MAX_NAME).then_some(name);
        self.names.borrow_mut().insert(id.to_owned(), Slot::Done(name.clone()));
        name
    }

    /// The `Path` of a role, user, group or managed policy, as it goes in the
    /// ARN: without its leading `/`.
    fn path(&self, id: &str, depth: usize) -> String {
        let key = if self.kind_of(id) == Some(ResourceKind::ImplicitRole) { "RolePath" } else { "Path" };
        let owner = self.implicit_roles.get(id).copied().unwrap_or(id);
        self.property(owner, key)
            .map(|p| self.text(p, depth + 1).s)
            .map(|p| p.trim_start_matches('/').to_owned())
            .unwrap_or_default()
    }

    /// The ARN CloudFormation gives a resource, in the stack's account.
    pub fn arn(&self, id: &str, depth: usize) -> Option<String> {
        let account = &self.account;
        let arn = |kind: &str, name: &str| format!("arn:aws:iam::{account}:{kind}/{name}");
        let named = |kind: &str| {
            let name = self.name(id, depth)?;
            Some(arn(kind, &format!("{}{}", self.path(id, depth), name.s)))
        };
        match self.kind_of(id)? {
            ResourceKind::Role | ResourceKind::ImplicitRole => named("role"),
            ResourceKind::User => named("user"),
            ResourceKind::Group => named("group"),
            ResourceKind::ManagedPolicy => named("policy"),
            ResourceKind::SamlProvider => Some(arn("saml-provider", &self.name(id, depth)?.s)),
            ResourceKind::OidcProvider => {
                let url = self.text(self.property(id, "Url")?, depth + 1).s;
                let issuer = url.strip_prefix("https://").unwrap_or(&url).trim_end_matches('/');
                Some(arn("oidc-provider", issuer))
            }
            ResourceKind::Other => None,
        }
    }

    fn get_att(&self, arg: &Value<'s>, depth: usize) -> Option<String> {
        let (res, attr) = match &arg.kind {
            Kind::String(s) => {
                let (r, a) = s.split_once('.')?;
                (r.to_owned(), a.to_owned())
            }
            Kind::Array(items) => match items.as_slice() {
                [r, a] => (r.as_str()?.to_owned(), self.text(a, depth + 1).s),
                _ => return None,
            },
            _ => return None,
        };
        let resolved = match (self.kind_of(&res), attr.as_str()) {
            (
                Some(
                    ResourceKind::Role
                    | ResourceKind::ImplicitRole
                    | ResourceKind::User
                    | ResourceKind::Group
                    | ResourceKind::OidcProvider
                    | ResourceKind::SamlProvider,
                ),
                "Arn",
            )
            | (Some(ResourceKind::ManagedPolicy), "PolicyArn") => self.arn(&res, depth),
            _ => None,
        };
        Some(resolved.unwrap_or_else(|| symbol(&format!("GetAtt {res}.{attr}"))))
    }

    fn select(&self, arg: &Value<'s>, span: Span, depth: usize) -> Option<Value<'s>> {
        let open = || Some(string_value(symbol("Fn::Select"), span));
        let Some([index, list]) = arg.as_array() else {
            return open();
        };
        let Ok(i) = self.text(index, depth + 1).s.trim().parse::<usize>() else {
            return open();
        };
        match self.value(list, depth + 1).map(|l| l.kind) {
            Some(Kind::Array(items)) => match items.into_iter().nth(i) {
                Some(item) if is_scalar(&item) => Some(respan(&item, span)),
                Some(item) => Some(item),
                None => open(),
            },
            _ => open(),
        }
    }

    fn split(&self, arg: &Value<'s>, span: Span, depth: usize) -> Value<'s> {
        let open = || string_value(symbol("Fn::Split"), span);
        let Some([delimiter, source]) = arg.as_array() else {
            return open();
        };
        let delimiter = self.text(delimiter, depth + 1).s;
        let source = self.text(source, depth + 1).s;
        // A symbolic part holding the delimiter would be cut in two.
        if delimiter.is_empty() || symbols(&source).any(|s| s.contains(&delimiter)) {
            return open();
        }
        let items = source.split(delimiter.as_str()).map(|p| string_value(p.to_owned(), span)).collect();
        Value { span, kind: Kind::Array(items) }
    }

    fn find_in_map(&self, arg: &Value<'s>, span: Span, depth: usize) -> Value<'s> {
        let open = || string_value(symbol("Fn::FindInMap"), span);
        let Some(args) = arg.as_array().filter(|a| a.len() >= 3) else {
            return open();
        };
        let default = args.get(3).and_then(|d| d.get("DefaultValue"));
        let keys: Vec<String> = args[..3].iter().map(|k| self.text(k, depth + 1).s).collect();
        if keys.iter().any(|k| is_symbolic(k)) {
            return default.and_then(|d| self.value(d, depth + 1)).unwrap_or_else(open);
        }
        let found = self.mappings.and_then(|m| m.get(&keys[0])?.get(&keys[1])?.get(&keys[2]));
        match found {
            Some(v) => respan(v, span),
            None => default.and_then(|d| self.value(d, depth + 1)).unwrap_or_else(open),
        }
    }

    fn if_(&self, arg: &Value<'s>, span: Span, depth: usize) -> Option<Value<'s>> {
        let Some([cond, yes, no]) = arg.as_array() else {
            return Some(string_value(symbol("Fn::If"), span));
        };
        let name = cond.as_str().unwrap_or("");
        match self.condition(name, depth + 1) {
            Some(true) => self.value(yes, depth + 1),
            Some(false) => self.value(no, depth + 1),
            None => match (self.value(yes, depth + 1), self.value(no, depth + 1)) {
                (Some(a), Some(b)) if is_scalar(&a) && is_scalar(&b) => {
                    if a.scalar_text() == b.scalar_text() {
                        Some(a)
                    } else {
                        Some(string_value(symbol(&format!("Fn::If {name}")), span))
                    }
                }
                (Some(a), _) => Some(a),
                (None, b) => b,
            },
        }
    }

    // ------------------------------------------------------------ conditions

    /// A named condition's value, when parameter defaults decide it.
    pub fn condition(&self, name: &str, depth: usize) -> Option<bool> {
        if let Some(slot) = self.decided.borrow().get(name) {
            return match slot {
                Slot::Done(d) => *d,
                Slot::Busy => None,
            };
        }
        self.decided.borrow_mut().insert(name.to_owned(), Slot::Busy);
        let decided = self.conditions.and_then(|c| c.get(name)).and_then(|c| self.truth(c, depth + 1));
        self.decided.borrow_mut().insert(name.to_owned(), Slot::Done(decided));
        decided
    }

    fn truth(&self, v: &Value<'s>, depth: usize) -> Option<bool> {
        if !self.step(depth) {
            return None;
        }
        if let Some(name) = v.get("Condition").and_then(Value::as_str) {
            return self.condition(name, depth + 1);
        }
        let (name, arg) = intrinsic(v)?;
        let args = arg.as_array()?;
        match name {
            "Fn::Equals" => {
                let [a, b] = args else { return None };
                let a = self.value(a, depth + 1)?;
                let b = self.value(b, depth + 1)?;
                let (a, b) = (a.scalar_text()?, b.scalar_text()?);
                (!is_symbolic(&a) && !is_symbolic(&b)).then(|| a == b)
            }
            "Fn::Not" => self.truth(args.first()?, depth + 1).map(|b| !b),
            "Fn::And" | "Fn::Or" => {
                let all = name == "Fn::And";
                let mut unknown = false;
                for c in args {
                    match self.truth(c, depth + 1) {
                        Some(b) if b != all => return Some(b),
                        Some(_) => {}
                        None => unknown = true,
                    }
                }
                (!unknown).then_some(all)
            }
            _ => None,
        }
    }

    // ----------------------------------------------------------------- texts

    /// `v` as a string, with where each byte was written: exactly for a
    /// literal, `Fn::Sub` and `Fn::Join`; at the expression for anything else.
    pub fn text(&self, v: &Value<'s>, depth: usize) -> Text {
        if !self.step(depth) {
            return Text::coarse(symbol("…"), v.span);
        }
        match &v.kind {
            Kind::String(s) => {
                return Text { s: s.to_string(), offsets: scalar::offsets(self.text, v.span, s) };
            }
            Kind::Number(n) => {
                return Text { s: (*n).to_owned(), offsets: scalar::offsets(self.text, v.span, n) };
            }
            _ => {}
        }
        match intrinsic(v) {
            Some(("Fn::Sub", arg)) => return self.sub(arg, v.span, depth + 1),
            Some(("Fn::Join", arg)) => return self.join(arg, v.span, depth + 1),
            _ => {}
        }
        let s = match self.value(v, depth + 1) {
            Some(r) => match &r.kind {
                Kind::String(s) => s.to_string(),
                Kind::Number(n) => (*n).to_owned(),
                Kind::Bool(b) => b.to_string(),
                _ => symbol(intrinsic(v).map_or("…", |(n, _)| n)),
            },
            None => symbol("Ref AWS::NoValue"),
        };
        Text::coarse(s, v.span)
    }

    fn sub(&self, arg: &Value<'s>, span: Span, depth: usize) -> Text {
        let (template, vars) = match &arg.kind {
            Kind::Array(items) => match items.as_slice() {
                [t, vars] => (t, vars.as_object().unwrap_or(&[])),
                [t] => (t, &[][..]),
                _ => return Text::coarse(symbol("Fn::Sub"), span),
            },
            _ => (arg, &[][..]),
        };
        let Some(s) = template.as_str() else {
            return Text::coarse(symbol("Fn::Sub"), span);
        };
        let map = scalar::offsets(self.text, template.span, s);
        let mut out = Text { s: String::new(), offsets: vec![map[0]] };
        let literal = |out: &mut Text, from: usize, to: usize| {
            out.s.push_str(&s[from..to]);
            out.offsets.pop();
            out.offsets.extend_from_slice(&map[from..=to]);
        };
        let mut at = 0;
        while let Some(i) = s[at..].find("${").map(|i| at + i) {
            literal(&mut out, at, i);
            if s[i + 2..].starts_with('!') {
                // `${!Literal}` is written `${Literal}`.
                literal(&mut out, i, i + 2);
                at = i + 3;
                continue;
            }
            let Some(close) = s[i..].find('}').map(|c| i + c) else {
                at = i;
                break;
            };
            let name = s[i + 2..close].trim();
            let value = self.variable(name, vars, depth);
            out.push(&Text::coarse(value, Span::new(map[i], map[close + 1])));
            at = close + 1;
            if out.s.len() > MAX_STRING {
                return Text::coarse(symbol("Fn::Sub"), span);
            }
        }
        literal(&mut out, at, s.len());
        out
    }

    /// The value of `${name}` in a `Fn::Sub`.
    fn variable(&self, name: &str, vars: &[Member<'s>], depth: usize) -> String {
        if let Some(m) = vars.iter().rev().find(|m| m.key == name) {
            return self.text(&m.value, depth + 1).s;
        }
        let scalar = |v: Option<Value<'s>>| match v {
            Some(v) => v.scalar_text().map_or_else(|| symbol(name), Cow::into_owned),
            None => symbol(name),
        };
        let known = |n: &str| self.parameters.contains_key(n) || self.kind_of(n).is_some();
        if name.starts_with("AWS::") || known(name) {
            return scalar(self.reference(name, Span::new(0, 0), depth + 1));
        }
        if let Some((res, attr)) = name.split_once('.')
            && self.kind_of(res).is_some()
        {
            let arg = string_value(format!("{res}.{attr}"), Span::new(0, 0));
            return self.get_att(&arg, depth + 1).unwrap_or_else(|| symbol(name));
        }
        // An IAM policy variable written `${aws:username}` instead of
        // `${!aws:username}`, or a name the template does not define:
        // CloudFormation rejects it; its value is unknown here.
        symbol(name)
    }

    fn join(&self, arg: &Value<'s>, span: Span, depth: usize) -> Text {
        let Some([delimiter, list]) = arg.as_array() else {
            return Text::coarse(symbol("Fn::Join"), span);
        };
        let delimiter = self.text(delimiter, depth + 1);
        let items: Vec<Text> = match &list.kind {
            Kind::Array(items) => items
                .iter()
                .filter(|i| {
                    !intrinsic(i).is_some_and(|(n, a)| n == "Ref" && a.as_str() == Some("AWS::NoValue"))
                })
                .map(|i| self.text(i, depth + 1))
                .collect(),
            _ => match self.value(list, depth + 1).map(|l| l.kind) {
                Some(Kind::Array(items)) => items
                    .iter()
                    .map(|i| {
                        Text::coarse(i.scalar_text().map_or_else(|| symbol("…"), Cow::into_owned), list.span)
                    })
                    .collect(),
                _ => return Text::coarse(symbol("Fn::Join"), span),
            },
        };
        let mut out = Text { s: String::new(), offsets: vec![span.start] };
        for (n, item) in items.iter().enumerate() {
            if n > 0 {
                out.push(&delimiter);
            }
            out.push(item);
            if out.s.len() > MAX_STRING {
                return Text::coarse(symbol("Fn::Join"), span);
            }
        }
        out
    }
}

fn is_scalar(v: &Value<'_>) -> bool {
    !matches!(v.kind, Kind::Array(_) | Kind::Object(_))
}

/// The symbolic parts (`{{…}}`) of a string.
fn symbols(s: &str) -> impl Iterator<Item = &str> {
    s.match_indices("{{").filter_map(move |(i, _)| s[i..].find("}}").map(|j| &s[i..i + j + 2]))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Resolves the `Value` output of a template given its other sections.
    fn resolve(sections: &str, expr: &str) -> String {
        let text = format!(r#"{{{sections}"Outputs": {{"O": {{"Value": {expr}}}}}}}"#);
        let root = crate::syntax::json::parse(&text).unwrap();
        let t = Template::new(&text, &root);
        let v = root.get("Outputs").unwrap().get("O").unwrap().get("Value").unwrap();
        match t.value(v, 0) {
            None => "<no value>".into(),
            Some(r) => match &r.kind {
                Kind::Array(items) => {
                    items.iter().filter_map(Value::scalar_text).collect::<Vec<_>>().join("|")
                }
                _ => r.scalar_text().map_or_else(|| r.type_name().into(), Cow::into_owned),
            },
        }
    }

    const PARAMS: &str = r#""Parameters": {"Env": {"Type": "String", "Default": "prod"}, "Open": {"Type": "String"},
        "Ids": {"Type": "CommaDelimitedList", "Default": "a, b"}},
        "Conditions": {"Prod": {"Fn::Equals": [{"Ref": "Env"}, "prod"]}, "Unknown": {"Fn::Equals": [{"Ref": "Open"}, "x"]}},
        "Resources": {"R": {"Type": "AWS::IAM::Role", "Properties": {"Path": "/p/"}}, "B": {"Type": "AWS::S3::Bucket"}},"#;

    #[test]
    fn references_and_attributes() {
        assert_eq!(resolve(PARAMS, r#"{"Ref": "Env"}"#), "prod");
        assert_eq!(resolve(PARAMS, r#"{"Ref": "Open"}"#), "{{Ref Open}}");
        assert_eq!(resolve(PARAMS, r#"{"Ref": "Ids"}"#), "a|b");
        assert_eq!(resolve(PARAMS, r#"{"Ref": "AWS::NoValue"}"#), "<no value>");
        assert_eq!(resolve(PARAMS, r#"{"Ref": "AWS::Region"}"#), "{{AWS.Region}}");
        assert_eq!(resolve(PARAMS, r#"{"Ref": "R"}"#), "R");
        assert_eq!(resolve(PARAMS, r#"{"Ref": "B"}"#), "{{Ref B}}");
        assert_eq!(resolve(PARAMS, r#"{"Fn::GetAtt": "R.Arn"}"#), "arn:aws:iam::{{AccountId}}:role/p/R");
        assert_eq!(resolve(PARAMS, r#"{"Fn::GetAtt": ["R", "RoleId"]}"#), "{{GetAtt R.RoleId}}");
    }

    #[test]
    fn sub_join_select_split() {
        let sub = r#"{"Fn::Sub": "${Env}/${!Literal}/${aws:username}/${R.Arn}/${X}"}"#;
        assert_eq!(
            resolve(PARAMS, sub),
            "prod/${Literal}/{{aws.username}}/arn:aws:iam::{{AccountId}}:role/p/R/{{X}}"
        );
        assert_eq!(
            resolve(PARAMS, r#"{"Fn::Sub": ["${A}-${Env}", {"A": {"Ref": "Open"}}]}"#),
            "{{Ref Open}}-prod"
        );
        assert_eq!(
            resolve(PARAMS, r#"{"Fn::Join": [":", ["a", {"Ref": "AWS::NoValue"}, {"Ref": "Env"}]]}"#),
            "a:prod"
        );
        assert_eq!(resolve(PARAMS, r#"{"Fn::Join": [",", {"Ref": "Ids"}]}"#), "a,b");
        assert_eq!(resolve(PARAMS, r#"{"Fn::Select": [1, {"Ref": "Ids"}]}"#), "b");
        assert_eq!(resolve(PARAMS, r#"{"Fn::Select": [5, {"Ref": "Ids"}]}"#), "{{Fn.Select}}");
        // A symbolic part holding the delimiter is not cut in two.
        assert_eq!(
            resolve(PARAMS, r#"{"Fn::Split": [".", {"Fn::Sub": "a.${AWS::Region}"}]}"#),
            "{{Fn.Split}}"
        );
        assert_eq!(
            resolve(PARAMS, r#"{"Fn::Split": ["/", {"Fn::Sub": "a/${AWS::Region}"}]}"#),
            "a|{{AWS.Region}}"
        );
    }

    #[test]
    fn conditions() {
        assert_eq!(resolve(PARAMS, r#"{"Fn::If": ["Prod", "yes", "no"]}"#), "yes");
        assert_eq!(resolve(PARAMS, r#"{"Fn::If": ["Unknown", "yes", "no"]}"#), "{{Fn.If Unknown}}");
        assert_eq!(resolve(PARAMS, r#"{"Fn::If": ["Unknown", "same", "same"]}"#), "same");
        assert_eq!(resolve(PARAMS, r#"{"Fn::If": ["Unknown", "kept", {"Ref": "AWS::NoValue"}]}"#), "kept");
        assert_eq!(resolve(PARAMS, r#"{"Fn::ImportValue": "Shared"}"#), "{{Fn.ImportValue Shared}}");
    }
}
