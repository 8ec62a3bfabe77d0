//! Numbers and the conversions to number and bool.

use super::super::value::{Val, Value};
use super::{Call, Out, type_name};
use crate::model::symbolic::is_symbolic;

const ANY: usize = usize::MAX;

/// The most elements `range` makes: Terraform's own limit.
const MAX_RANGE: usize = 1024;

fn each_number(c: &Call<'_>, args: &[Value]) -> Result<Vec<f64>, Value> {
    args.iter().map(|a| c.number_arg(a)).collect()
}

pub(super) fn sum(c: &Call<'_>, args: Vec<Value>) -> Out {
    c.plain(&args, 1, 1)?;
    let items =
        c.list_arg(&args[0]).map_err(|e| if e.is_error() { c.error("cannot sum noniterable") } else { e })?;
    if items.is_empty() {
        return c.fail("cannot sum an empty list");
    }
    if items.iter().any(Value::is_null) {
        return c.fail("argument must be list, set, or tuple of number values");
    }
    c.number(each_number(c, items)?.into_iter().sum())
}

pub(super) fn min(c: &Call<'_>, args: Vec<Value>) -> Out {
    extreme(c, &args, f64::min)
}

pub(super) fn max(c: &Call<'_>, args: Vec<Value>) -> Out {
    extreme(c, &args, f64::max)
}

fn extreme(c: &Call<'_>, args: &[Value], pick: fn(f64, f64) -> f64) -> Out {
    if args.is_empty() {
        return c.fail("must pass at least one number");
    }
    c.plain(args, 1, ANY)?;
    let numbers = each_number(c, args)?;
    c.number(numbers.into_iter().reduce(pick).unwrap_or_default())
}

fn unary(c: &Call<'_>, args: &[Value], f: fn(f64) -> f64) -> Out {
    c.plain(args, 1, 1)?;
    c.number(f(c.number_arg(&args[0])?))
}

pub(super) fn abs(c: &Call<'_>, args: Vec<Value>) -> Out {
    unary(c, &args, f64::abs)
}

pub(super) fn ceil(c: &Call<'_>, args: Vec<Value>) -> Out {
    unary(c, &args, f64::ceil)
}

pub(super) fn floor(c: &Call<'_>, args: Vec<Value>) -> Out {
    unary(c, &args, f64::floor)
}

/// `parseint("ff", 16)`: digits `0-9`, then letters (either case up to base
/// 36, lower case first above it), an optional sign.
pub(super) fn parseint(c: &Call<'_>, args: Vec<Value>) -> Out {
    c.plain(&args, 2, 2)?;
    if !matches!(args[0].kind, Val::String(_)) {
        return c.fail(format!("first argument must be a string, not {}", type_name(&args[0])));
    }
    let text = c.text(&args[0])?;
    let base = c.integer(&args[1])?;
    if !(2..=62).contains(&base) {
        return c.fail("base must be a whole number between 2 and 62 inclusive");
    }
    let bad = || c.error(format!("cannot parse {text:?} as a base {base} integer"));
    let (negative, digits) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, &text[..]),
    };
    if digits.is_empty() {
        return Err(bad());
    }
    let mut n = 0.0_f64;
    for ch in digits.chars() {
        let d = match ch {
            '0'..='9' => u32::from(ch) - u32::from('0'),
            'a'..='z' => u32::from(ch) - u32::from('a') + 10,
            'A'..='Z' if base <= 36 => u32::from(ch) - u32::from('A') + 10,
            'A'..='Z' => u32::from(ch) - u32::from('A') + 36,
            _ => return Err(bad()),
        };
        if i64::from(d) >= base {
            return Err(bad());
        }
        #[allow(clippy::cast_precision_loss)]
        let b = base as f64;
        n = n * b + f64::from(d);
    }
    c.number(if negative { -n } else { n })
}

/// `range(limit)`, `range(start, limit)`, `range(start, limit, step)`.
pub(super) fn range(c: &Call<'_>, args: Vec<Value>) -> Out {
    c.plain(&args, 1, 3)?;
    let n = each_number(c, &args)?;
    let (start, end, step) = match n[..] {
        [end] => (0.0, end, if end < 0.0 { -1.0 } else { 1.0 }),
        [start, end] => (start, end, if end < start { -1.0 } else { 1.0 }),
        [start, end, step] => (start, end, step),
        _ => unreachable!("one to three arguments"),
    };
    if step == 0.0 {
        return c.fail("step must not be zero");
    }
    let down = step < 0.0;
    if down && end > start {
        return c.fail("end must be less than start when step is negative");
    }
    if !down && end < start {
        return c.fail("end must be greater than start when step is positive");
    }
    let mut items = Vec::new();
    let mut x = start;
    while if down { x > end } else { x < end } {
        if items.len() >= MAX_RANGE {
            return c.fail(
                "more than 1024 values were generated; either decrease the difference between start and end or use a smaller step",
            );
        }
        items.push(Value::new(Val::Number(x), c.at));
        x += step;
    }
    c.list(items)
}

/// A decimal number as Terraform reads one from a string.
fn decimal(s: &str) -> Option<f64> {
    let plain = !s.is_empty()
        && s.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.' | b'e' | b'E'));
    s.parse::<f64>().ok().filter(|n| plain && n.is_finite())
}

/// A conversion keeps the value's place: it is the value as written.
pub(super) fn tonumber(c: &Call<'_>, mut args: Vec<Value>) -> Out {
    c.arity(&args, 1, 1)?;
    c.known(&args)?;
    let v = args.remove(0);
    let n = match &v.kind {
        Val::Null | Val::Number(_) => return Ok(v),
        Val::String(s) if is_symbolic(s) => return Err(c.unknown_input()),
        Val::String(s) => decimal(s).ok_or_else(|| {
            c.error(format!(
                "cannot convert {s:?} to number; given string must be a decimal representation of a number"
            ))
        })?,
        _ => return c.fail(format!("cannot convert {} to number", type_name(&v))),
    };
    Ok(Value::new(Val::Number(n), v.span))
}

pub(super) fn tobool(c: &Call<'_>, mut args: Vec<Value>) -> Out {
    c.arity(&args, 1, 1)?;
    c.known(&args)?;
    let v = args.remove(0);
    let b = match &v.kind {
        Val::Null | Val::Bool(_) => return Ok(v),
        Val::String(s) if s == "true" => true,
        Val::String(s) if s == "false" => false,
        Val::String(s) if is_symbolic(s) => return Err(c.unknown_input()),
        Val::String(s) => {
            return c.fail(format!(
                "cannot convert {s:?} to bool; only the strings \"true\" or \"false\" are allowed"
            ));
        }
        _ => return c.fail(format!("cannot convert {} to bool", type_name(&v))),
    };
    Ok(Value::new(Val::Bool(b), v.span))
}
