//! Terraform's built-in functions, over [`Value`]s: the ones trust and
//! permission policies are built with, evaluated as Terraform 1.x does.
//!
//! Three rules run through every function:
//!
//! - **Unknown in, unknown out**, unless Terraform can still tell the
//!   result: `length` of a list with unknown elements is known, `concat`
//!   keeps unknown elements in place, `coalesce` returns a known argument
//!   that comes before any unknown one. A string built from a value that is
//!   not known holds that value's symbol in place
//!   (`format("arn:aws:iam::%s:root", var.a)` is
//!   `arn:aws:iam::{{var.a}}:root`), so a partly known ARN stays readable.
//!   A string already holding a symbol is partly unknown too: what depends
//!   on the hidden part (its length, a number read from it) is unknown.
//! - **Errors are values**: what Terraform rejects (an element of an empty
//!   list, a bad format verb, JSON that does not parse) is an error value
//!   (`Why::Error`) that `try` and `can` catch.
//! - **Bounded**: what a function builds is paid for from the budget, and
//!   what could grow (`concat`, `range`, `format` widths, `formatlist`) is
//!   measured before it is built.
//!
//! A computed value is placed at the call; a value passed through unchanged
//! (the element `element` picks, the members `merge` keeps) keeps its own
//! place, so a finding points at the literal that decided.

// The evaluator is being built on top of this table.

// One signature for the whole table: most functions take their arguments
// apart, the others only read them.
#![allow(clippy::needless_pass_by_value)]

mod collections;
mod encoding;
mod format;
mod numbers;
mod strings;
#[cfg(test)]
mod tests;

use std::borrow::Cow;

use super::value::{Budget, MAX_VALUE_WEIGHT, Member, Unknown, Val, Value, Why, number_text};
use crate::model::symbolic::is_symbolic;
use crate::source::Span;

/// What a function needs from the module it is called in.
pub trait Host {
    /// The text of a file named relative to the module's directory
    /// (`path.module` already substituted), or why it cannot be read.
    fn read_file(&self, path: &str) -> Result<String, String>;
    /// `templatefile`: renders `text` (the template file's content, read from
    /// `path`) with the variables of the object `vars`.
    fn render_template(&self, path: &str, text: &str, vars: &Value, at: Span) -> Value;
    fn budget(&self) -> &Budget;
}

/// A function's result: `Err` is an early answer (an error, an unknown
/// value, a budget passed) that `?` carries out.
type Out = Result<Value, Value>;

type Function = fn(&Call<'_>, Vec<Value>) -> Out;

/// Calls the function `name` with evaluated `args`; `at` is the call's
/// place. `None` when trustlint does not know the function (the caller
/// reports it as unresolved).
pub fn call(name: &str, args: Vec<Value>, at: Span, host: &dyn Host) -> Option<Value> {
    let function = function(name)?;
    let c = Call { name, at, host, text: call_text(name, &args) };
    // An argument that failed fails the call, as in Terraform, which
    // evaluates every argument first.
    if let Some(e) = args.iter().find_map(first_error) {
        return Some(Value::unknown(c.text.clone(), e.why.clone(), at));
    }
    Some(function(&c, args).unwrap_or_else(|early| early))
}

fn function(name: &str) -> Option<Function> {
    use collections as c;
    use encoding as e;
    use numbers as n;
    use strings as s;
    Some(match name {
        "chunklist" => c::chunklist,
        "coalesce" => c::coalesce,
        "coalescelist" => c::coalescelist,
        "compact" => c::compact,
        "concat" => c::concat,
        "contains" => c::contains,
        "distinct" => c::distinct,
        "element" => c::element,
        "flatten" => c::flatten,
        "index" => c::index,
        "keys" => c::keys,
        "length" => c::length,
        "lookup" => c::lookup,
        "merge" => c::merge,
        "one" => c::one,
        "reverse" => c::reverse,
        "setintersection" => c::setintersection,
        "setsubtract" => c::setsubtract,
        "setunion" => c::setunion,
        "slice" => c::slice,
        "sort" => c::sort,
        "tolist" => c::tolist,
        "tomap" => c::tomap,
        "toset" => c::toset,
        "values" => c::values,
        "zipmap" => c::zipmap,
        "abs" => n::abs,
        "ceil" => n::ceil,
        "floor" => n::floor,
        "max" => n::max,
        "min" => n::min,
        "parseint" => n::parseint,
        "range" => n::range,
        "sum" => n::sum,
        "tobool" => n::tobool,
        "tonumber" => n::tonumber,
        "endswith" => s::endswith,
        "join" => s::join,
        "lower" => s::lower,
        "replace" => s::replace,
        "split" => s::split,
        "startswith" => s::startswith,
        "strcontains" => s::strcontains,
        "substr" => s::substr,
        "title" => s::title,
        "tostring" => s::tostring,
        "trim" => s::trim,
        "trimprefix" => s::trimprefix,
        "trimspace" => s::trimspace,
        "trimsuffix" => s::trimsuffix,
        "upper" => s::upper,
        "regex" | "regexall" => s::regex,
        "format" => format::format,
        "formatlist" => format::formatlist,
        "abspath" => e::abspath,
        "base64decode" => e::base64decode,
        "base64encode" => e::base64encode,
        "basename" => e::basename,
        "dirname" => e::dirname,
        "file" => e::file,
        "fileexists" => e::fileexists,
        "jsondecode" => e::jsondecode,
        "jsonencode" => e::jsonencode,
        "templatefile" => e::templatefile,
        // Known only where Terraform runs.
        "bcrypt" | "md5" | "pathexpand" | "sha1" | "sha256" | "sha512" | "timestamp" | "uuid" => {
            e::only_at_apply
        }
        _ => return None,
    })
}

/// One call being evaluated.
struct Call<'a> {
    name: &'a str,
    at: Span,
    host: &'a dyn Host,
    /// The call as text (`format("arn:%s", var.a)`): what an unknown or
    /// failed result stands for.
    text: String,
}

impl Call<'_> {
    /// A Terraform error raised by this call.
    fn error(&self, message: impl Into<String>) -> Value {
        Value::error(self.text.clone(), message, self.at)
    }

    fn fail<T>(&self, message: impl Into<String>) -> Result<T, Value> {
        Err(self.error(message))
    }

    /// The call's result, unknown for the same reason as `u`.
    fn unknown_as(&self, u: &Unknown) -> Value {
        Value::unknown(self.text.clone(), u.why.clone(), self.at)
    }

    /// The call's result, unknown because it depends on a string's part
    /// that is only a symbol (the value behind it is not known here).
    fn unknown_input(&self) -> Value {
        Value::unknown(self.text.clone(), Why::Input, self.at)
    }

    fn unresolved(&self, reason: &str) -> Value {
        Value::unknown(self.text.clone(), Why::Unresolved(reason.into()), self.at)
    }

    fn budget(&self) -> &Budget {
        self.host.budget()
    }

    /// The value in place of one too big to build.
    fn over_budget(&self) -> Value {
        self.unresolved(super::value::BUDGET)
    }

    /// Pays for `weight` before building it.
    fn pay(&self, weight: u64) -> Result<(), Value> {
        if self.budget().pay(weight) { Ok(()) } else { Err(self.over_budget()) }
    }

    /// Pays for a value built, or gives the unknown value in its place.
    fn check(&self, v: Value) -> Value {
        self.budget().check(v, || self.text.clone())
    }

    /// A string result at the call, paid for (a function's last step).
    #[allow(clippy::unnecessary_wraps)]
    fn string(&self, s: String) -> Out {
        Ok(self.check(Value::string(s, self.at)))
    }

    #[allow(clippy::unnecessary_wraps)]
    fn boolean(&self, b: bool) -> Out {
        Ok(self.check(Value::new(Val::Bool(b), self.at)))
    }

    #[allow(clippy::unnecessary_wraps)]
    fn number(&self, n: f64) -> Out {
        Ok(self.check(Value::new(Val::Number(n), self.at)))
    }

    /// A list result at the call, paid for.
    #[allow(clippy::unnecessary_wraps)]
    fn list(&self, items: Vec<Value>) -> Out {
        Ok(self.check(Value::new(Val::List(items), self.at)))
    }

    /// Checks the number of arguments (`max` may be `usize::MAX`).
    fn arity(&self, args: &[Value], min: usize, max: usize) -> Result<(), Value> {
        let n = args.len();
        if n < min || n > max {
            let expected = match (min, max) {
                (min, max) if min == max => format!("{min}"),
                (min, usize::MAX) => format!("at least {min}"),
                (min, max) => format!("{min} to {max}"),
            };
            return self.fail(format!("function \"{}\" expects {expected} argument(s), got {n}", self.name));
        }
        Ok(())
    }

    /// Stops at the first argument that is unknown as a whole.
    fn known(&self, args: &[Value]) -> Result<(), Value> {
        match args.iter().find_map(Value::unknown_part) {
            Some(u) => Err(self.unknown_as(u)),
            None => Ok(()),
        }
    }

    /// Stops at the first unknown part of `v`.
    fn wholly_known(&self, v: &Value) -> Result<(), Value> {
        match first_unknown(v) {
            Some(u) => Err(self.unknown_as(u)),
            None => Ok(()),
        }
    }

    /// Refuses a null argument, as Terraform does for all but a few
    /// functions.
    fn not_null(&self, args: &[Value]) -> Result<(), Value> {
        match args.iter().position(Value::is_null) {
            Some(i) => self.fail(format!("argument {} must not be null", i + 1)),
            None => Ok(()),
        }
    }

    /// The usual start: the argument count, then nothing unknown or null
    /// at the top.
    fn plain(&self, args: &[Value], min: usize, max: usize) -> Result<(), Value> {
        self.arity(args, min, max)?;
        self.known(args)?;
        self.not_null(args)
    }

    /// A string argument (a number or bool converts), whole: a string that
    /// holds a symbol stops the call as unknown.
    fn text<'v>(&self, v: &'v Value) -> Result<Cow<'v, str>, Value> {
        let s = self.text_with_symbols(v)?;
        if is_symbolic(&s) { Err(self.unknown_input()) } else { Ok(s) }
    }

    /// A string argument whose symbols are kept as text.
    fn text_with_symbols<'v>(&self, v: &'v Value) -> Result<Cow<'v, str>, Value> {
        match &v.kind {
            Val::Unknown(u) => Err(self.unknown_as(u)),
            _ => v.as_text().ok_or_else(|| self.error(format!("a string is required, not {}", type_name(v)))),
        }
    }

    fn number_arg(&self, v: &Value) -> Result<f64, Value> {
        match &v.kind {
            Val::Unknown(u) => Err(self.unknown_as(u)),
            Val::Number(n) => Ok(*n),
            Val::String(s) if is_symbolic(s) => Err(self.unknown_input()),
            Val::String(s) => s
                .parse::<f64>()
                .ok()
                .filter(|n| n.is_finite())
                .ok_or_else(|| self.error(format!("cannot convert {s:?} to number"))),
            _ => self.fail(format!("a number is required, not {}", type_name(v))),
        }
    }

    /// A whole number argument.
    fn integer(&self, v: &Value) -> Result<i64, Value> {
        let n = self.number_arg(v)?;
        if n.fract() != 0.0 || n.abs() > 9.0e15 {
            return self.fail(format!("a whole number is required, not {}", number_text(n)));
        }
        #[allow(clippy::cast_possible_truncation)]
        Ok(n as i64)
    }

    /// A list (tuple or set) argument.
    fn list_arg<'v>(&self, v: &'v Value) -> Result<&'v [Value], Value> {
        match &v.kind {
            Val::Unknown(u) => Err(self.unknown_as(u)),
            Val::List(items) => Ok(items),
            _ => self.fail(format!("a list is required, not {}", type_name(v))),
        }
    }

    /// Takes a list argument apart.
    fn take_list(&self, v: Value) -> Result<Vec<Value>, Value> {
        self.list_arg(&v)?;
        match v.kind {
            Val::List(items) => Ok(items),
            _ => unreachable!("checked to be a list"),
        }
    }

    /// A map (object) argument.
    fn object_arg<'v>(&self, v: &'v Value) -> Result<&'v [Member], Value> {
        match &v.kind {
            Val::Unknown(u) => Err(self.unknown_as(u)),
            Val::Object(members) => Ok(members),
            _ => self.fail(format!("a map is required, not {}", type_name(v))),
        }
    }
}

/// A bound on what a function builds piece by piece: refuses before the
/// result outgrows the largest value, then pays for it once.
struct Meter(u64);

impl Meter {
    fn add(&mut self, c: &Call<'_>, weight: u64) -> Result<(), Value> {
        self.0 = self.0.saturating_add(weight);
        if self.0 > MAX_VALUE_WEIGHT { Err(c.over_budget()) } else { Ok(()) }
    }

    fn pay(self, c: &Call<'_>) -> Result<(), Value> {
        c.pay(self.0)
    }
}

/// The call as text, kept short: known arguments as literals, unknown ones
/// as what they stand for.
fn call_text(name: &str, args: &[Value]) -> String {
    const MAX_ARGS: usize = 4;
    const MAX_TEXT: usize = 60;
    let mut out = format!("{name}(");
    for (i, a) in args.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        if i == MAX_ARGS {
            out.push('…');
            break;
        }
        let text = match &a.kind {
            Val::Null => "null".into(),
            Val::Bool(b) => b.to_string(),
            Val::Number(n) => number_text(*n),
            Val::String(s) if s.len() <= MAX_TEXT => serde_json::to_string(s).unwrap_or_default(),
            Val::String(_) | Val::Encoded(_) => "\"…\"".into(),
            Val::Unknown(u) if u.what.len() <= 2 * MAX_TEXT => u.what.clone(),
            Val::Unknown(_) => "…".into(),
            Val::List(_) => "[…]".into(),
            Val::Object(_) => "{…}".into(),
        };
        out.push_str(&text);
    }
    out.push(')');
    out
}

/// What Terraform calls a value's type, for messages.
fn type_name(v: &Value) -> &'static str {
    match &v.kind {
        Val::Null => "null",
        Val::Bool(_) => "bool",
        Val::Number(_) => "number",
        Val::String(_) | Val::Encoded(_) => "string",
        Val::List(_) => "list",
        Val::Object(_) => "map",
        Val::Unknown(_) => "unknown value",
    }
}

/// The first part of `v` that is not known, depth first.
fn first_unknown(v: &Value) -> Option<&Unknown> {
    match &v.kind {
        Val::Unknown(u) => Some(u),
        Val::List(items) => items.iter().find_map(first_unknown),
        Val::Object(members) => members.iter().find_map(|m| first_unknown(&m.value)),
        Val::Encoded(inner) => first_unknown(inner),
        _ => None,
    }
}

/// The first error in `v`, depth first.
fn first_error(v: &Value) -> Option<&Unknown> {
    match &v.kind {
        Val::Unknown(u) => matches!(u.why, Why::Error(_)).then_some(&**u),
        Val::List(items) => items.iter().find_map(first_error),
        Val::Object(members) => members.iter().find_map(|m| first_error(&m.value)),
        Val::Encoded(inner) => first_error(inner),
        _ => None,
    }
}

/// Whether `v` is unknown, or a string holding a symbol: a value whose
/// text is not settled.
fn unsettled(v: &Value) -> bool {
    match &v.kind {
        Val::Unknown(_) => true,
        Val::String(s) => is_symbolic(s),
        _ => false,
    }
}

/// Whether two values are equal as Terraform compares a list's elements
/// with a value (`contains`, `index`): a number and the string of it are.
/// `None` when it depends on what is not known.
fn equal(a: &Value, b: &Value) -> Option<bool> {
    match (&a.kind, &b.kind) {
        (Val::Unknown(_), _) | (_, Val::Unknown(_)) => None,
        (Val::Null, Val::Null) => Some(true),
        // Terraform's numbers compare exactly.
        #[allow(clippy::float_cmp)]
        (Val::Number(x), Val::Number(y)) => Some(x == y),
        (Val::Bool(x), Val::Bool(y)) => Some(x == y),
        (Val::List(x), Val::List(y)) => {
            if x.len() != y.len() {
                return Some(false);
            }
            all_equal(x.iter().zip(y).map(|(a, b)| equal(a, b)))
        }
        (Val::Object(x), Val::Object(y)) => {
            if x.len() != y.len() || x.iter().zip(y).any(|(a, b)| a.key != b.key) {
                return Some(false);
            }
            all_equal(x.iter().zip(y).map(|(a, b)| equal(&a.value, &b.value)))
        }
        (Val::Null | Val::List(_) | Val::Object(_), _) | (_, Val::Null | Val::List(_) | Val::Object(_)) => {
            Some(false)
        }
        _ => {
            let (x, y) = (a.as_text()?, b.as_text()?);
            if x == y {
                Some(true)
            } else if is_symbolic(&x) || is_symbolic(&y) {
                None
            } else {
                Some(false)
            }
        }
    }
}

/// Equal if every part is; unequal if one is not; else undecided.
fn all_equal(parts: impl Iterator<Item = Option<bool>>) -> Option<bool> {
    let mut decided = Some(true);
    for p in parts {
        match p {
            Some(false) => return Some(false),
            None => decided = None,
            Some(true) => {}
        }
    }
    decided
}

/// Whether the strings, numbers and bools among `values` are of more than
/// one type: Terraform then converts them all to strings to make a list or
/// map of one type.
fn mixed<'v>(values: impl Iterator<Item = &'v Value>) -> bool {
    let mut kinds = values.filter_map(|v| match v.kind {
        Val::String(_) | Val::Encoded(_) => Some(0),
        Val::Number(_) => Some(1),
        Val::Bool(_) => Some(2),
        _ => None,
    });
    kinds.next().is_some_and(|first| kinds.any(|k| k != first))
}

/// A number or bool as the string Terraform converts it to, in its place.
fn stringify(v: &mut Value) {
    if matches!(v.kind, Val::Number(_) | Val::Bool(_)) {
        let text = v.as_text().map(Cow::into_owned).unwrap_or_default();
        v.kind = Val::String(text);
    }
}

/// Gives a list's elements one type, as Terraform does for a list or set.
fn unify(items: &mut [Value]) {
    if mixed(items.iter()) {
        items.iter_mut().for_each(stringify);
    }
}

/// The length of the text `v` shows inside a string ([`Value::display`]),
/// measured without writing it.
fn text_len(v: &Value) -> u64 {
    match &v.kind {
        Val::Null => 0,
        Val::String(s) => s.len() as u64,
        Val::Encoded(inner) => json_len(inner).0,
        // The symbol's braces around what it stands for.
        Val::Unknown(u) => u.what.len() as u64 + 4,
        Val::List(_) | Val::Object(_) => json_len(v).0 + 4,
        Val::Number(_) | Val::Bool(_) => v.as_text().map_or(0, |t| t.len() as u64),
    }
}

/// The length of `v.to_json()`, and how many of its characters are quotes
/// or backslashes (each of which a JSON string holding the text escapes),
/// measured without writing it: a value encoded within an encoded value
/// doubles its escapes at each level.
fn json_len(v: &Value) -> (u64, u64) {
    /// A JSON string of `len` bytes holding `quotes` quotes or backslashes
    /// and `controls` control characters taking `extra` more bytes escaped.
    fn string(len: u64, quotes: u64, controls: u64, extra: u64) -> (u64, u64) {
        let len = len.saturating_add(2).saturating_add(quotes).saturating_add(extra);
        (len, quotes.saturating_mul(2).saturating_add(2).saturating_add(controls))
    }
    fn raw(s: &str) -> (u64, u64) {
        let (mut quotes, mut controls, mut extra) = (0u64, 0u64, 0u64);
        for b in s.bytes() {
            match b {
                b'"' | b'\\' => quotes += 1,
                b'\n' | b'\r' | b'\t' | 0x08 | 0x0c => {
                    controls += 1;
                    extra += 1;
                }
                0..0x20 => {
                    controls += 1;
                    extra += 5;
                }
                _ => {}
            }
        }
        string(s.len() as u64, quotes, controls, extra)
    }
    let sum = |parts: &mut dyn Iterator<Item = (u64, u64)>| {
        let mut n = 0u64;
        let (len, quotes) = parts.fold((0u64, 0u64), |(l, q), (pl, pq)| {
            n += 1;
            (l.saturating_add(pl), q.saturating_add(pq))
        });
        // Brackets and commas.
        (len.saturating_add(2).saturating_add(n.saturating_sub(1)), quotes)
    };
    match &v.kind {
        Val::Null => (4, 0),
        Val::Bool(b) => (if *b { 4 } else { 5 }, 0),
        Val::Number(n) => (number_text(*n).len() as u64, 0),
        Val::String(s) => raw(s),
        Val::Unknown(u) => raw(&crate::model::symbolic::symbol(&u.what)),
        Val::Encoded(inner) => {
            let (len, quotes) = json_len(inner);
            string(len, quotes, 0, 0)
        }
        Val::List(items) => sum(&mut items.iter().map(json_len)),
        Val::Object(members) => sum(&mut members.iter().map(|m| {
            let (kl, kq) = raw(&m.key);
            let (vl, vq) = json_len(&m.value);
            (kl.saturating_add(1).saturating_add(vl), kq.saturating_add(vq))
        })),
    }
}
