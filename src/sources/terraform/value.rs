//! Terraform values as the evaluator computes them, each with the place in
//! the source that wrote it, and the budget that bounds how big they get.

use std::cell::Cell;

use crate::model::symbolic::symbol;
use crate::source::Span;
use crate::syntax::json;

/// A value and where it was written. For a value computed from others (a
/// call, a template) the span is the expression's; the parts of a list or
/// object keep their own.
#[derive(Debug, Clone, PartialEq)]
pub struct Value {
    pub kind: Val,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Null,
    Bool(bool),
    /// Terraform's numbers are arbitrary-precision; what IAM needs (counts,
    /// indexes, session durations) fits a double.
    Number(f64),
    String(String),
    /// A string that is the JSON encoding of a value (`jsonencode(…)`, a
    /// policy document's `json`): it behaves as the string, but a policy
    /// read from it keeps the places of its parts.
    Encoded(Box<Value>),
    /// A tuple, list or set.
    List(Vec<Value>),
    /// An object or map: members sorted by key, each key once, as Terraform
    /// iterates them.
    Object(Vec<Member>),
    /// What cannot be known from the source.
    Unknown(Box<Unknown>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub key: String,
    pub key_span: Span,
    pub value: Value,
}

/// A value the source does not settle.
#[derive(Debug, Clone, PartialEq)]
pub struct Unknown {
    /// The expression it stands for, as written (`var.account`); shown in
    /// place as the symbol `{{var.account}}`.
    pub what: String,
    pub why: Why,
}

/// Why a value is unknown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Why {
    /// Only known when Terraform runs: a variable without a value, a data
    /// source read from AWS, an attribute AWS computes. Not a defect of the
    /// source; rules treat it as any unknown value.
    Input,
    /// trustlint could not evaluate it: an unknown function, a module that
    /// is not installed, a budget passed. Reported as `unresolved-policy`
    /// when a policy depends on it.
    Unresolved(String),
    /// Terraform itself would fail here (a function's error): `try` and
    /// `can` catch it.
    Error(String),
}

impl Value {
    pub fn new(kind: Val, span: Span) -> Self {
        Self { kind, span }
    }

    pub fn string(s: impl Into<String>, span: Span) -> Self {
        Self::new(Val::String(s.into()), span)
    }

    pub fn unknown(what: impl Into<String>, why: Why, span: Span) -> Self {
        Self::new(Val::Unknown(Box::new(Unknown { what: what.into(), why })), span)
    }

    /// A Terraform error (`try` moves on from it).
    pub fn error(what: impl Into<String>, message: impl Into<String>, span: Span) -> Self {
        Self::unknown(what, Why::Error(message.into()), span)
    }

    pub fn is_null(&self) -> bool {
        matches!(self.kind, Val::Null)
    }

    pub fn unknown_part(&self) -> Option<&Unknown> {
        match &self.kind {
            Val::Unknown(u) => Some(u),
            _ => None,
        }
    }

    /// Whether this is an error, or holds one.
    pub fn is_error(&self) -> bool {
        match &self.kind {
            Val::Unknown(u) => matches!(u.why, Why::Error(_)),
            Val::List(items) => items.iter().any(Self::is_error),
            Val::Object(members) => members.iter().any(|m| m.value.is_error()),
            Val::Encoded(v) => v.is_error(),
            _ => false,
        }
    }

    /// Whether the whole value, and everything in it, is known.
    pub fn is_known(&self) -> bool {
        match &self.kind {
            Val::Unknown(_) => false,
            Val::List(items) => items.iter().all(Self::is_known),
            Val::Object(members) => members.iter().all(|m| m.value.is_known()),
            Val::Encoded(v) => v.is_known(),
            _ => true,
        }
    }

    /// The text of a string, number or bool (Terraform converts them into
    /// each other freely); `None` for anything else.
    pub fn as_text(&self) -> Option<std::borrow::Cow<'_, str>> {
        use std::borrow::Cow;
        match &self.kind {
            Val::String(s) => Some(Cow::Borrowed(s)),
            Val::Number(n) => Some(Cow::Owned(number_text(*n))),
            Val::Bool(b) => Some(Cow::Borrowed(if *b { "true" } else { "false" })),
            Val::Encoded(v) => Some(Cow::Owned(v.to_json())),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Val::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_number(&self) -> Option<f64> {
        match &self.kind {
            Val::Number(n) => Some(*n),
            Val::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match &self.kind {
            Val::Bool(b) => Some(*b),
            Val::String(s) if s == "true" => Some(true),
            Val::String(s) if s == "false" => Some(false),
            _ => None,
        }
    }

    pub fn as_list(&self) -> Option<&[Value]> {
        match &self.kind {
            Val::List(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&[Member]> {
        match &self.kind {
            Val::Object(members) => Some(members),
            _ => None,
        }
    }

    /// An object's member.
    pub fn get(&self, key: &str) -> Option<&Value> {
        let members = self.as_object()?;
        members.binary_search_by(|m| m.key.as_str().cmp(key)).ok().map(|i| &members[i].value)
    }

    /// The text shown for this value inside a string: the value itself, or,
    /// for what is not known, its symbol.
    pub fn display(&self) -> String {
        match &self.kind {
            Val::Null => String::new(),
            Val::Unknown(u) => symbol(&u.what),
            Val::List(_) | Val::Object(_) => symbol(&self.to_json()),
            _ => self.as_text().map(std::borrow::Cow::into_owned).unwrap_or_default(),
        }
    }

    /// The JSON Terraform's `jsonencode` writes: compact, object keys in
    /// order, unknown parts as their symbols (strings).
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        self.write_json(&mut out);
        out
    }

    fn write_json(&self, out: &mut String) {
        let string = |s: &str, out: &mut String| out.push_str(&serde_json::to_string(s).unwrap_or_default());
        match &self.kind {
            Val::Null => out.push_str("null"),
            Val::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Val::Number(n) => out.push_str(&number_text(*n)),
            Val::String(s) => string(s, out),
            Val::Encoded(v) => string(&v.to_json(), out),
            Val::Unknown(u) => string(&symbol(&u.what), out),
            Val::List(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write_json(out);
                }
                out.push(']');
            }
            Val::Object(members) => {
                out.push('{');
                for (i, m) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    string(&m.key, out);
                    out.push(':');
                    m.value.write_json(out);
                }
                out.push('}');
            }
        }
    }

    /// The value as a JSON tree for lowering, with the places of its parts.
    /// Unknown parts become symbols; a `null` member is left out (in
    /// Terraform, null means "not set").
    pub fn to_tree(&self) -> json::Value<'static> {
        use std::borrow::Cow;
        let kind = match &self.kind {
            Val::Null => json::Kind::Null,
            Val::Bool(b) => json::Kind::Bool(*b),
            // The tree keeps numbers as text; a leaked string is avoided by
            // writing whole numbers as strings IAM reads the same way.
            Val::Number(n) => json::Kind::String(Cow::Owned(number_text(*n))),
            Val::String(s) => json::Kind::String(Cow::Owned(s.clone())),
            Val::Encoded(v) => json::Kind::String(Cow::Owned(v.to_json())),
            Val::Unknown(u) => json::Kind::String(Cow::Owned(symbol(&u.what))),
            Val::List(items) => json::Kind::Array(items.iter().map(Self::to_tree).collect()),
            Val::Object(members) => json::Kind::Object(
                members
                    .iter()
                    .filter(|m| !m.value.is_null())
                    .map(|m| json::Member {
                        key: Cow::Owned(m.key.clone()),
                        key_span: m.key_span,
                        value: m.value.to_tree(),
                    })
                    .collect(),
            ),
        };
        json::Value { span: self.span, kind }
    }

    /// A value read from a JSON tree (`jsondecode`, a `.tf.json` literal),
    /// keeping its places.
    pub fn from_tree(v: &json::Value<'_>) -> Self {
        let kind = match &v.kind {
            json::Kind::Null => Val::Null,
            json::Kind::Bool(b) => Val::Bool(*b),
            json::Kind::Number(n) => Val::Number(n.parse().unwrap_or(f64::NAN)),
            json::Kind::String(s) => Val::String(s.to_string()),
            json::Kind::Array(items) => Val::List(items.iter().map(Self::from_tree).collect()),
            json::Kind::Object(members) => Val::Object(sorted(
                members
                    .iter()
                    .map(|m| Member {
                        key: m.key.to_string(),
                        key_span: m.key_span,
                        value: Self::from_tree(&m.value),
                    })
                    .collect(),
            )),
        };
        Self { kind, span: v.span }
    }

    /// Gives this value and all its parts the place `at`.
    pub fn respan(&mut self, at: Span) {
        self.span = at;
        match &mut self.kind {
            Val::List(items) => items.iter_mut().for_each(|i| i.respan(at)),
            Val::Object(members) => {
                for m in members {
                    m.key_span = at;
                    m.value.respan(at);
                }
            }
            Val::Encoded(v) => v.respan(at),
            _ => {}
        }
    }

    /// How much this value weighs against the budget: about the bytes it
    /// holds, [`PART`] for each part (and [`MEMBER`] more for each member
    /// of an object) plus the bytes of its strings. Memory stays within a
    /// small multiple of what was paid.
    pub fn weight(&self) -> u64 {
        match &self.kind {
            Val::String(s) => PART + s.len() as u64,
            Val::Encoded(v) => PART + v.weight(),
            Val::Unknown(u) => PART + u.what.len() as u64,
            Val::List(items) => PART + items.iter().map(Self::weight).sum::<u64>(),
            Val::Object(members) => {
                PART + members.iter().map(|m| MEMBER + m.key.len() as u64 + m.value.weight()).sum::<u64>()
            }
            _ => PART,
        }
    }
}

/// The weight of one part of a value: its size in memory.
pub const PART: u64 = std::mem::size_of::<Value>() as u64;
/// What an object's member weighs beyond its value: its key and key span.
pub const MEMBER: u64 = (std::mem::size_of::<Member>() - std::mem::size_of::<Value>()) as u64;

/// Members sorted by key, the last of a key winning (as in an object
/// constructor).
pub fn sorted(mut members: Vec<Member>) -> Vec<Member> {
    members.reverse();
    members.sort_by(|a, b| a.key.cmp(&b.key));
    members.dedup_by(|later, first| later.key == first.key);
    members
}

/// A number as Terraform prints it: whole numbers without a fraction.
pub fn number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        #[allow(clippy::cast_possible_truncation)]
        let whole = n as i64;
        whole.to_string()
    } else {
        n.to_string()
    }
}

/// What one evaluation may spend: the weight of the values it builds or
/// copies and the steps it takes. Past either, values are unknown
/// (`Why::Unresolved`) instead of growing, so no input runs out of memory
/// or time. Every value that is kept was paid for when it was built, and
/// every copy of one (a reference to a local, a bound `each.value`) is
/// paid for again: what the evaluation holds, and the time it spends
/// copying, stay within the budget.
#[derive(Debug)]
pub struct Budget {
    weight: Cell<u64>,
    steps: Cell<u64>,
    /// Set once the budget is spent.
    spent: Cell<bool>,
}

/// The largest single value, in bytes (about 20,000 parts): policies are
/// kilobytes.
pub const MAX_VALUE_WEIGHT: u64 = 1 << 20;

impl Budget {
    /// A budget of `weight` value parts and bytes, and `steps` evaluation steps.
    pub fn new(weight: u64, steps: u64) -> Self {
        Self { weight: Cell::new(weight), steps: Cell::new(steps), spent: Cell::new(false) }
    }

    /// Takes one evaluation step; `false` once the steps are spent.
    pub fn step(&self) -> bool {
        self.take(&self.steps, 1)
    }

    /// Pays for a value of `weight`; `false` when it cannot be paid (the
    /// value is too big on its own or the budget is spent).
    pub fn pay(&self, weight: u64) -> bool {
        weight <= MAX_VALUE_WEIGHT && self.take(&self.weight, weight)
    }

    /// Pays for `v`, or gives back an unknown value in its place.
    pub fn check(&self, v: Value, what: impl FnOnce() -> String) -> Value {
        if self.pay(v.weight()) { v } else { Value::unknown(what(), Why::Unresolved(BUDGET.into()), v.span) }
    }

    /// A copy of `v`, paid for before it is made, or an unknown value in
    /// its place (named `what`).
    pub fn copy(&self, v: &Value, what: impl FnOnce() -> String) -> Value {
        if !self.spent.get() && self.pay(v.weight()) {
            v.clone()
        } else {
            Value::unknown(what(), Why::Unresolved(BUDGET.into()), v.span)
        }
    }

    fn take(&self, left: &Cell<u64>, n: u64) -> bool {
        match left.get().checked_sub(n) {
            Some(rest) if !self.spent.get() => {
                left.set(rest);
                true
            }
            _ => {
                self.spent.set(true);
                false
            }
        }
    }
}

/// What a value past the budget is said to be.
pub const BUDGET: &str = "the value grows past the evaluation budget";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_as_terraform_does() {
        assert_eq!(number_text(3600.0), "3600");
        assert_eq!(number_text(-2.0), "-2");
        assert_eq!(number_text(1.5), "1.5");
    }

    #[test]
    fn objects_sort_and_the_last_key_wins() {
        let m = |k: &str, v: &str| Member {
            key: k.into(),
            key_span: Span::default(),
            value: Value::string(v, Span::default()),
        };
        let o = Value::new(Val::Object(sorted(vec![m("b", "1"), m("a", "2"), m("b", "3")])), Span::default());
        assert_eq!(o.to_json(), r#"{"a":"2","b":"3"}"#);
        assert_eq!(o.get("b").and_then(Value::as_str), Some("3"));
    }

    #[test]
    fn the_budget_refuses_what_it_cannot_pay() {
        let b = Budget::new(10, 2);
        assert!(b.pay(6));
        assert!(!b.pay(6));
        assert!(!b.pay(1), "spent stays spent");
        let b = Budget::new(100, 1);
        assert!(b.step());
        assert!(!b.step());
    }
}
