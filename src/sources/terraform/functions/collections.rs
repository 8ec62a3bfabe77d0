//! Lists, sets and maps: `concat`, `merge`, `lookup`, `element` and the
//! rest. Elements and members a function keeps keep their own places.

use std::cmp::Ordering;
use std::collections::HashSet;

use super::super::value::{Member, PART, Val, Value, sorted};
use super::{Call, Out, equal, first_unknown, mixed, stringify, type_name, unify, unsettled};
use crate::model::symbolic::is_symbolic;

const ANY: usize = usize::MAX;

pub(super) fn length(c: &Call<'_>, args: Vec<Value>) -> Out {
    c.plain(&args, 1, 1)?;
    let v = &args[0];
    let n = match &v.kind {
        Val::List(items) => items.len(),
        Val::Object(members) => members.len(),
        Val::String(s) if is_symbolic(s) => return Err(c.unknown_input()),
        Val::String(s) => s.chars().count(),
        Val::Encoded(inner) => {
            c.wholly_known(inner)?;
            v.as_text().map_or(0, |t| t.chars().count())
        }
        _ => {
            return c.fail(format!(
                "argument must be a string, a collection type, or a structural type, not {}",
                type_name(v)
            ));
        }
    };
    #[allow(clippy::cast_precision_loss)]
    c.number(n as f64)
}

pub(super) fn concat(c: &Call<'_>, args: Vec<Value>) -> Out {
    c.plain(&args, 1, ANY)?;
    for a in &args {
        c.list_arg(a)?;
    }
    // Paid before it is built: doubling a list in a loop stops here.
    c.pay(PART + args.iter().map(|a| a.weight() - PART).sum::<u64>())?;
    let items = args
        .into_iter()
        .flat_map(|a| if let Val::List(items) = a.kind { items } else { Vec::new() })
        .collect();
    Ok(Value::new(Val::List(items), c.at))
}

/// Lists inside the list are replaced by their elements, at any depth. An
/// unknown element stays in place, one element (Terraform leaves the whole
/// result unknown; its known elements matter more here).
pub(super) fn flatten(c: &Call<'_>, mut args: Vec<Value>) -> Out {
    c.plain(&args, 1, 1)?;
    let items = c.take_list(args.remove(0))?;
    let mut out = Vec::new();
    // Iterative: a deeply nested value does not deepen the stack.
    let mut stack = vec![items.into_iter()];
    while let Some(top) = stack.last_mut() {
        match top.next() {
            None => {
                stack.pop();
            }
            Some(Value { kind: Val::List(inner), .. }) => stack.push(inner.into_iter()),
            Some(v) => out.push(v),
        }
    }
    c.list(out)
}

/// Later maps win; a null argument counts as an empty map.
pub(super) fn merge(c: &Call<'_>, args: Vec<Value>) -> Out {
    c.known(&args)?;
    if let Some(bad) = args.iter().find(|a| !matches!(a.kind, Val::Object(_) | Val::Null)) {
        return c.fail(format!("arguments must be maps or objects, not {}", type_name(bad)));
    }
    let members =
        args.into_iter().flat_map(|a| if let Val::Object(m) = a.kind { m } else { Vec::new() }).collect();
    Ok(c.check(Value::new(Val::Object(sorted(members)), c.at)))
}

/// The text that identifies a value among a list's, for dropping repeats;
/// `None` for one with unknown parts, which is kept (it may or may not
/// repeat another).
fn identity(v: &Value) -> Option<String> {
    if first_unknown(v).is_some() { None } else { Some(v.to_json()) }
}

/// Drops the elements equal to an earlier one.
fn dedup(items: Vec<Value>) -> Vec<Value> {
    let mut seen = HashSet::new();
    items.into_iter().filter(|v| identity(v).is_none_or(|k| seen.insert(k))).collect()
}

/// The first occurrence of each element, in order. An element with unknown
/// parts is kept as it is (Terraform leaves the whole result unknown).
pub(super) fn distinct(c: &Call<'_>, mut args: Vec<Value>) -> Out {
    c.plain(&args, 1, 1)?;
    let mut items = c.take_list(args.remove(0))?;
    unify(&mut items);
    c.list(dedup(items))
}

/// Drops null and empty-string elements.
pub(super) fn compact(c: &Call<'_>, mut args: Vec<Value>) -> Out {
    c.plain(&args, 1, 1)?;
    let items = c.take_list(args.remove(0))?;
    if let Some(bad) = items.iter().find(|v| matches!(v.kind, Val::List(_) | Val::Object(_))) {
        return c.fail(format!("a list of strings is required, not one holding a {}", type_name(bad)));
    }
    let kept = items
        .into_iter()
        .filter(|v| !v.is_null() && v.as_str() != Some(""))
        .map(|mut v| {
            stringify(&mut v);
            v
        })
        .collect();
    c.list(kept)
}

/// The first argument that is neither null nor an empty string, as it is.
/// Unknown when an unknown argument comes before it.
pub(super) fn coalesce(c: &Call<'_>, args: Vec<Value>) -> Out {
    let collections = args.iter().any(|a| matches!(a.kind, Val::List(_) | Val::Object(_)));
    let primitives = args
        .iter()
        .any(|a| matches!(a.kind, Val::String(_) | Val::Encoded(_) | Val::Number(_) | Val::Bool(_)));
    if collections && primitives {
        return c.fail("all arguments must have the same type");
    }
    let to_string = mixed(args.iter());
    for mut a in args {
        match &a.kind {
            Val::Unknown(u) => return Err(c.unknown_as(u)),
            Val::Null => {}
            Val::String(s) if s.is_empty() => {}
            _ => {
                if to_string {
                    stringify(&mut a);
                }
                return Ok(a);
            }
        }
    }
    c.fail("no non-null, non-empty-string arguments")
}

/// The first list that is not empty, as it is.
pub(super) fn coalescelist(c: &Call<'_>, args: Vec<Value>) -> Out {
    c.arity(&args, 1, ANY)?;
    if args.iter().any(|a| !matches!(a.kind, Val::List(_) | Val::Null | Val::Unknown(_))) {
        return c.fail("coalescelist arguments must be lists or tuples");
    }
    for a in args {
        match &a.kind {
            Val::Unknown(u) => return Err(c.unknown_as(u)),
            Val::List(items) if !items.is_empty() => return Ok(a),
            _ => {}
        }
    }
    c.fail("no non-null arguments")
}

/// The member of `key`, as it is (known even if other members are not), or
/// the default.
pub(super) fn lookup(c: &Call<'_>, args: Vec<Value>) -> Out {
    c.arity(&args, 2, 3)?;
    c.known(&args[..2])?;
    c.not_null(&args[..2])?;
    let key = c.text(&args[1])?.into_owned();
    c.object_arg(&args[0]).map_err(|_| c.error("lookup() requires a map as the first argument"))?;
    if let Some(v) = args[0].get(&key) {
        return Ok(v.clone());
    }
    match args.into_iter().nth(2) {
        Some(default) => Ok(default),
        None => c.fail(format!("the given object has no attribute {key:?}")),
    }
}

/// The element at `index`, wrapping around the list's length both ways.
pub(super) fn element(c: &Call<'_>, args: Vec<Value>) -> Out {
    c.plain(&args, 2, 2)?;
    let items = c
        .list_arg(&args[0])
        .map_err(|_| c.error(format!("cannot read elements from {}", type_name(&args[0]))))?;
    let index = c
        .integer(&args[1])
        .map_err(|e| if e.is_error() { c.error("invalid index: a whole number is required") } else { e })?;
    if items.is_empty() {
        return c.fail("cannot use element function with an empty list");
    }
    let n = i64::try_from(items.len()).unwrap_or(i64::MAX);
    let i = usize::try_from(index.rem_euclid(n)).unwrap_or_default();
    Ok(items[i].clone())
}

/// The keys in order, each at its place in the map.
pub(super) fn keys(c: &Call<'_>, args: Vec<Value>) -> Out {
    c.plain(&args, 1, 1)?;
    let members = c.object_arg(&args[0])?;
    c.list(members.iter().map(|m| Value::string(m.key.clone(), m.key_span)).collect())
}

/// The values in key order, as they are.
pub(super) fn values(c: &Call<'_>, args: Vec<Value>) -> Out {
    c.plain(&args, 1, 1)?;
    let members = c.object_arg(&args[0])?;
    c.list(members.iter().map(|m| m.value.clone()).collect())
}

/// Unknown because the answer depends on an unknown part of one of
/// `values` (a string's symbol when there is no unknown value).
fn undecided(c: &Call<'_>, values: &[&Value]) -> Value {
    match values.iter().find_map(|v| first_unknown(v)) {
        Some(u) => c.unknown_as(u),
        None => c.unknown_input(),
    }
}

/// Where `value` is in `items`; `Err(true)` when it may be there.
fn position(items: &[Value], value: &Value) -> Result<usize, bool> {
    let mut maybe = false;
    for (i, item) in items.iter().enumerate() {
        match equal(item, value) {
            Some(true) => return Ok(i),
            None => maybe = true,
            Some(false) => {}
        }
    }
    Err(maybe)
}

/// True when found; when not, unknown if an unknown element (or value)
/// might be it.
pub(super) fn contains(c: &Call<'_>, args: Vec<Value>) -> Out {
    c.arity(&args, 2, 2)?;
    c.known(&args)?;
    c.not_null(&args[..1])?;
    let items = c.list_arg(&args[0])?;
    match position(items, &args[1]) {
        Ok(_) => c.boolean(true),
        Err(true) => Err(undecided(c, &[&args[0], &args[1]])),
        Err(false) => c.boolean(false),
    }
}

pub(super) fn index(c: &Call<'_>, args: Vec<Value>) -> Out {
    c.arity(&args, 2, 2)?;
    c.known(&args)?;
    c.not_null(&args[..1])?;
    let items = c
        .list_arg(&args[0])
        .map_err(|e| if e.is_error() { c.error("argument must be a list or tuple") } else { e })?;
    if items.is_empty() {
        return c.fail("cannot search an empty list");
    }
    match position(items, &args[1]) {
        #[allow(clippy::cast_precision_loss)]
        Ok(i) => c.number(i as f64),
        Err(true) => Err(undecided(c, &[&args[0], &args[1]])),
        Err(false) => c.fail("item not found"),
    }
}

/// A conversion keeps the value's place: it is the value as written.
pub(super) fn tolist(c: &Call<'_>, mut args: Vec<Value>) -> Out {
    c.arity(&args, 1, 1)?;
    c.known(&args)?;
    let mut v = args.remove(0);
    match &mut v.kind {
        Val::Null => Ok(v),
        Val::List(items) => {
            unify(items);
            Ok(v)
        }
        _ => c.fail(format!("cannot convert {} to list", type_name(&v))),
    }
}

pub(super) fn tomap(c: &Call<'_>, mut args: Vec<Value>) -> Out {
    c.arity(&args, 1, 1)?;
    c.known(&args)?;
    let mut v = args.remove(0);
    match &mut v.kind {
        Val::Null => Ok(v),
        Val::Object(members) => {
            if mixed(members.iter().map(|m| &m.value)) {
                for m in members.iter_mut() {
                    stringify(&mut m.value);
                }
            }
            Ok(v)
        }
        _ => c.fail(format!("cannot convert {} to map", type_name(&v))),
    }
}

/// A set as Terraform iterates it: each element once, strings in lexical
/// order and numbers in numeric order; elements with unknown parts last.
fn set_of(mut items: Vec<Value>) -> Vec<Value> {
    unify(&mut items);
    let (mut known, open): (Vec<Value>, Vec<Value>) = dedup(items).into_iter().partition(|v| !unsettled(v));
    known.sort_by(set_order);
    known.extend(open);
    known
}

fn set_order(a: &Value, b: &Value) -> Ordering {
    match (&a.kind, &b.kind) {
        (Val::Number(x), Val::Number(y)) => x.total_cmp(y),
        (Val::Bool(x), Val::Bool(y)) => x.cmp(y),
        (Val::String(_) | Val::Encoded(_), Val::String(_) | Val::Encoded(_)) => a.as_text().cmp(&b.as_text()),
        _ => Ordering::Equal,
    }
}

pub(super) fn toset(c: &Call<'_>, mut args: Vec<Value>) -> Out {
    c.arity(&args, 1, 1)?;
    c.known(&args)?;
    let v = args.remove(0);
    if v.is_null() {
        return Ok(v);
    }
    let items = c
        .take_list(v)
        .map_err(|e| if e.is_error() { c.error("cannot convert this value to set") } else { e })?;
    c.list(set_of(items))
}

pub(super) fn chunklist(c: &Call<'_>, mut args: Vec<Value>) -> Out {
    c.plain(&args, 2, 2)?;
    let size = c.integer(&args[1])?;
    if size < 0 {
        return c.fail("the size argument must be positive");
    }
    let items = c.take_list(args.remove(0))?;
    if items.is_empty() {
        return c.list(Vec::new());
    }
    if size == 0 {
        return c.list(vec![Value::new(Val::List(items), c.at)]);
    }
    let size = usize::try_from(size).unwrap_or(usize::MAX);
    let mut chunks = Vec::new();
    let mut rest = items.into_iter().peekable();
    while rest.peek().is_some() {
        chunks.push(Value::new(Val::List(rest.by_ref().take(size).collect()), c.at));
    }
    c.list(chunks)
}

pub(super) fn slice(c: &Call<'_>, args: Vec<Value>) -> Out {
    c.plain(&args, 3, 3)?;
    let items = c.list_arg(&args[0])?;
    let (start, end) = (c.integer(&args[1])?, c.integer(&args[2])?);
    let len = i64::try_from(items.len()).unwrap_or(i64::MAX);
    for (which, i) in [("start", start), ("end", end)] {
        if i < 0 {
            return c.fail(format!("{which} index must not be less than zero"));
        }
        if i > len {
            return c.fail(format!("{which} index must not be greater than the length of the list"));
        }
    }
    if start > end {
        return c.fail("start index must not be greater than end index");
    }
    let (start, end) = (usize::try_from(start).unwrap_or_default(), usize::try_from(end).unwrap_or_default());
    c.list(items[start..end].to_vec())
}

pub(super) fn reverse(c: &Call<'_>, mut args: Vec<Value>) -> Out {
    c.plain(&args, 1, 1)?;
    let v = args.remove(0);
    let what = type_name(&v);
    let mut items = c.take_list(v).map_err(|e| {
        if e.is_error() { c.error(format!("can only reverse list or tuple values, not {what}")) } else { e }
    })?;
    items.reverse();
    c.list(items)
}

/// Strings in lexical order (numbers sort as their text). Unknown when an
/// element is, since its place is not known.
pub(super) fn sort(c: &Call<'_>, mut args: Vec<Value>) -> Out {
    c.plain(&args, 1, 1)?;
    let mut items = c.take_list(args.remove(0))?;
    for v in &mut items {
        match &v.kind {
            Val::Unknown(u) => return Err(c.unknown_as(u)),
            Val::Null => return c.fail("a null string cannot be sorted"),
            Val::List(_) | Val::Object(_) => {
                return c.fail(format!("a list of strings is required, not one holding a {}", type_name(v)));
            }
            _ => stringify(v),
        }
    }
    items.sort_by(|a, b| a.as_text().cmp(&b.as_text()));
    c.list(items)
}

/// A map from a list of keys and a list of values; each key is placed
/// where it was written, each value keeps its place.
pub(super) fn zipmap(c: &Call<'_>, args: Vec<Value>) -> Out {
    c.plain(&args, 2, 2)?;
    let (keys, values) = (c.list_arg(&args[0])?, c.list_arg(&args[1])?);
    if keys.len() != values.len() {
        return c.fail(format!(
            "number of keys ({}) does not match number of values ({})",
            keys.len(),
            values.len()
        ));
    }
    let mut members = Vec::with_capacity(keys.len());
    for (i, (k, v)) in keys.iter().zip(values).enumerate() {
        if k.is_null() {
            return c.fail(format!("keys list has null value at index {i}"));
        }
        let key = c.text(k)?.into_owned();
        members.push(Member { key, key_span: k.span, value: v.clone() });
    }
    Ok(c.check(Value::new(Val::Object(sorted(members)), c.at)))
}

/// The lists of set arguments, checked.
fn sets(c: &Call<'_>, args: Vec<Value>, min: usize) -> Result<Vec<Vec<Value>>, Value> {
    c.plain(&args, min, ANY)?;
    args.into_iter().map(|a| c.take_list(a)).collect()
}

pub(super) fn setunion(c: &Call<'_>, args: Vec<Value>) -> Out {
    let sets = sets(c, args, 1)?;
    c.list(set_of(sets.into_iter().flatten().collect()))
}

/// Keeps the elements of the first set that `keep` says of; unknown when an
/// element is not settled, as whether it is kept is not known.
fn filter_sets(c: &Call<'_>, sets: Vec<Vec<Value>>, keep: impl Fn(&[HashSet<String>], &str) -> bool) -> Out {
    if let Some(v) = sets.iter().flatten().find(|v| unsettled(v) || first_unknown(v).is_some()) {
        return Err(undecided(c, &[v]));
    }
    let mut sets = sets.into_iter().map(set_of);
    let first = sets.next().unwrap_or_default();
    let others: Vec<HashSet<String>> = sets.map(|s| s.iter().map(Value::to_json).collect()).collect();
    c.list(first.into_iter().filter(|v| keep(&others, &v.to_json())).collect())
}

pub(super) fn setintersection(c: &Call<'_>, args: Vec<Value>) -> Out {
    let sets = sets(c, args, 1)?;
    filter_sets(c, sets, |others, k| others.iter().all(|s| s.contains(k)))
}

pub(super) fn setsubtract(c: &Call<'_>, args: Vec<Value>) -> Out {
    c.arity(&args, 2, 2)?;
    let sets = sets(c, args, 2)?;
    filter_sets(c, sets, |others, k| !others.iter().any(|s| s.contains(k)))
}

/// The only element, as it is; null for an empty list.
pub(super) fn one(c: &Call<'_>, args: Vec<Value>) -> Out {
    c.plain(&args, 1, 1)?;
    match c.list_arg(&args[0])? {
        [] => Ok(Value::new(Val::Null, c.at)),
        [only] => Ok(only.clone()),
        _ => c.fail("must be a list, set, or tuple value with either zero or one elements"),
    }
}
