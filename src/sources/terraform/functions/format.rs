//! `format` and `formatlist`: Terraform's printf.
//!
//! A verb is `%`, flags (`0 # - + space`), a width, a `.precision`, an
//! argument index `[n]`, and a letter: `v` (as is; `#v` JSON), `t`, `b d o
//! x X`, `e E f g G`, `s`, `q`; `%%` is a percent sign. An argument that is
//! not known is written as its symbol in place of what the verb would
//! write.

use super::super::value::{MAX_VALUE_WEIGHT, PART, Val, Value};
use super::{Call, Meter, Out, type_name, unsettled};

const ANY: usize = usize::MAX;

pub(super) fn format(c: &Call<'_>, args: Vec<Value>) -> Out {
    c.arity(&args, 1, ANY)?;
    c.known(&args[..1])?;
    c.not_null(&args[..1])?;
    let f = c.text_with_symbols(&args[0])?;
    let out = render(c, &f, &args[1..])?;
    c.string(out)
}

/// `format` over lists: the lists (all of one length) are walked together,
/// other arguments repeat.
pub(super) fn formatlist(c: &Call<'_>, args: Vec<Value>) -> Out {
    c.arity(&args, 1, ANY)?;
    c.known(&args[..1])?;
    c.not_null(&args[..1])?;
    let f = c.text_with_symbols(&args[0])?;
    let rest = &args[1..];
    let mut rows: Option<(usize, usize)> = None;
    for (i, a) in rest.iter().enumerate() {
        if let Val::List(items) = &a.kind {
            match rows {
                None => rows = Some((items.len(), i)),
                Some((n, first)) if n != items.len() => {
                    return c.fail(format!(
                        "argument {} has length {}, which is inconsistent with argument {} of length {n}",
                        i + 2,
                        items.len(),
                        first + 2
                    ));
                }
                Some(_) => {}
            }
        }
    }
    // An unknown argument may be a list: with no known list to give the
    // number of rows, the result is unknown. Beside one, it is written as
    // its symbol in each row.
    let rows = if let Some((n, _)) = rows {
        n
    } else {
        c.known(rest)?;
        1
    };
    let mut meter = Meter(PART);
    let mut out = Vec::with_capacity(rows.min(1024));
    for row in 0..rows {
        let row_args: Vec<Value> = rest
            .iter()
            .map(|a| match &a.kind {
                Val::List(items) => items[row].clone(),
                _ => a.clone(),
            })
            .collect();
        let s = render(c, &f, &row_args).map_err(|e| {
            if let Val::Unknown(u) = &e.kind
                && let super::Why::Error(m) = &u.why
            {
                c.error(format!("error on format iteration {row}: {m}"))
            } else {
                e
            }
        })?;
        meter.add(c, PART + s.len() as u64)?;
        out.push(Value::string(s, c.at));
    }
    meter.pay(c)?;
    Ok(Value::new(Val::List(out), c.at))
}

/// One verb, with Go's flags.
#[derive(Default)]
#[allow(clippy::struct_excessive_bools)]
struct Verb<'f> {
    raw: &'f str,
    offset: usize,
    mode: char,
    zero: bool,
    sharp: bool,
    minus: bool,
    plus: bool,
    space: bool,
    width: Option<usize>,
    precision: Option<usize>,
}

fn render(c: &Call<'_>, f: &str, args: &[Value]) -> Result<String, Value> {
    let bytes = f.as_bytes();
    let mut out = String::new();
    let mut next_arg = 1;
    let mut highest = 0;
    let mut literal = 0;
    let mut p = 0;
    while p < bytes.len() {
        if bytes[p] != b'%' {
            p += 1;
            continue;
        }
        out.push_str(&f[literal..p]);
        if bytes.get(p + 1) == Some(&b'%') {
            out.push('%');
            p += 2;
            literal = p;
            continue;
        }
        let (verb, arg_num, end) = parse_verb(c, f, p, next_arg)?;
        highest = highest.max(arg_num);
        let Some(arg) = args.get(arg_num - 1) else {
            return c.fail(format!(
                "not enough arguments for {:?} at {p}: need index {arg_num} but have {} total",
                verb.raw,
                args.len()
            ));
        };
        // Widths and precisions are bounded by what a value may weigh.
        let room = verb.width.unwrap_or(0).saturating_add(verb.precision.unwrap_or(0));
        if out.len().saturating_add(room) > usize::try_from(MAX_VALUE_WEIGHT).unwrap_or(usize::MAX) {
            return Err(c.over_budget());
        }
        append(c, &verb, arg, &mut out)?;
        next_arg = arg_num + 1;
        p = end;
        literal = p;
    }
    out.push_str(&f[literal..]);
    if highest < args.len() {
        return c.fail(if highest == 0 {
            "too many arguments; no verbs in format string".to_owned()
        } else {
            format!("too many arguments; only {highest} used by format string")
        });
    }
    Ok(out)
}

/// Reads the verb at `start` (a `%`): the verb, its argument number, and
/// where the text after it starts.
fn parse_verb<'f>(
    c: &Call<'_>,
    f: &'f str,
    start: usize,
    next_arg: usize,
) -> Result<(Verb<'f>, usize, usize), Value> {
    let bytes = f.as_bytes();
    let mut verb = Verb { offset: start, ..Verb::default() };
    let mut p = start + 1;
    while let Some(&b) = bytes.get(p) {
        match b {
            b'0' => verb.zero = true,
            b'#' => verb.sharp = true,
            b'-' => verb.minus = true,
            b'+' => verb.plus = true,
            b' ' => verb.space = true,
            _ => break,
        }
        p += 1;
    }
    let number = |p: &mut usize| {
        let from = *p;
        while bytes.get(*p).is_some_and(u8::is_ascii_digit) {
            *p += 1;
        }
        (from < *p).then(|| f[from..*p].parse::<usize>().unwrap_or(usize::MAX))
    };
    verb.width = number(&mut p);
    if bytes.get(p) == Some(&b'.') {
        p += 1;
        verb.precision = Some(number(&mut p).unwrap_or(0));
    }
    let mut arg_num = next_arg;
    if bytes.get(p) == Some(&b'[') {
        p += 1;
        match number(&mut p) {
            Some(n) if n > 0 && bytes.get(p) == Some(&b']') => arg_num = n,
            _ => return c.fail(format!("unrecognized format character {:?} at offset {p}", char_at(f, p))),
        }
        p += 1;
    }
    match f[p..].chars().next() {
        Some(ch) if ch.is_ascii_alphabetic() => verb.mode = ch,
        Some(ch) => return c.fail(format!("unrecognized format character {ch:?} at offset {p}")),
        None => return c.fail(format!("invalid format string starting at offset {start}")),
    }
    p += 1;
    verb.raw = &f[start..p];
    Ok((verb, arg_num, p))
}

fn char_at(f: &str, p: usize) -> char {
    f.get(p..).and_then(|s| s.chars().next()).unwrap_or(' ')
}

fn append(c: &Call<'_>, verb: &Verb<'_>, arg: &Value, out: &mut String) -> Result<(), Value> {
    let unsupported =
        |why: &str| c.error(format!("unsupported value for {:?} at {}: {why}", verb.raw, verb.offset));
    if arg.is_null() && verb.mode != 'v' {
        return Err(unsupported("null value cannot be formatted"));
    }
    // Not known: its symbol stands in place.
    if unsettled(arg) && !matches!(verb.mode, 's' | 'q' | 'v') {
        out.push_str(&arg.display());
        return Ok(());
    }
    match verb.mode {
        'v' => {
            let text = match &arg.kind {
                Val::String(s) if !verb.sharp => s.clone(),
                Val::Encoded(_) if !verb.sharp => arg.as_text().unwrap_or_default().into_owned(),
                Val::Unknown(_) if !verb.sharp => arg.display(),
                Val::Number(n) if !verb.sharp => go_g(*n, None, false),
                _ => arg.to_json(),
            };
            pad(verb, &text, out);
        }
        't' => match arg.as_bool() {
            Some(b) => out.push_str(if b { "true" } else { "false" }),
            None => return Err(unsupported(&format!("bool required, not {}", type_name(arg)))),
        },
        'b' | 'd' | 'o' | 'x' | 'X' | 'e' | 'E' | 'f' | 'g' | 'G' => {
            let n = match &arg.kind {
                Val::Number(n) => *n,
                Val::String(s) => s
                    .parse::<f64>()
                    .ok()
                    .filter(|n| n.is_finite())
                    .ok_or_else(|| unsupported("a number is required"))?,
                _ => return Err(unsupported(&format!("number required, not {}", type_name(arg)))),
            };
            let text = if matches!(verb.mode, 'e' | 'E' | 'f' | 'g' | 'G') {
                float(verb, n)
            } else {
                integer(verb, n).ok_or_else(|| unsupported("an integer is required"))?
            };
            signed(verb, n.is_sign_negative() && n != 0.0, &text, out);
        }
        's' | 'q' => {
            let text = match &arg.kind {
                Val::Unknown(_) => arg.display(),
                _ => arg
                    .as_text()
                    .ok_or_else(|| unsupported(&format!("string required, not {}", type_name(arg))))?
                    .into_owned(),
            };
            let text = match verb.precision {
                Some(p) if p > 0 => text.chars().take(p).collect(),
                _ => text,
            };
            let text = if verb.mode == 'q' { serde_json::to_string(&text).unwrap_or_default() } else { text };
            pad(verb, &text, out);
        }
        other => {
            return c.fail(format!(
                "unsupported format verb {other:?} in {:?} at offset {}",
                verb.raw, verb.offset
            ));
        }
    }
    Ok(())
}

/// Pads to the width: spaces (zeros with `0`), on the right with `-`.
fn pad(verb: &Verb<'_>, text: &str, out: &mut String) {
    let len = text.chars().count();
    let fill = verb.width.unwrap_or(0).saturating_sub(len);
    let ch = if verb.zero { '0' } else { ' ' };
    if !verb.minus {
        out.extend(std::iter::repeat_n(ch, fill));
    }
    out.push_str(text);
    if verb.minus {
        out.extend(std::iter::repeat_n(' ', fill));
    }
}

/// A number's digits with its sign, padded as Go pads numbers: zeros go
/// between the sign and the digits.
fn signed(verb: &Verb<'_>, negative: bool, digits: &str, out: &mut String) {
    let sign = if negative {
        "-"
    } else if verb.plus {
        "+"
    } else if verb.space {
        " "
    } else {
        ""
    };
    let len = sign.len() + digits.chars().count();
    let fill = verb.width.unwrap_or(0).saturating_sub(len);
    if verb.minus {
        out.push_str(sign);
        out.push_str(digits);
        out.extend(std::iter::repeat_n(' ', fill));
    } else if verb.zero && !(verb.precision.is_some() && matches!(verb.mode, 'b' | 'd' | 'o' | 'x' | 'X')) {
        out.push_str(sign);
        out.extend(std::iter::repeat_n('0', fill));
        out.push_str(digits);
    } else {
        out.extend(std::iter::repeat_n(' ', fill));
        out.push_str(sign);
        out.push_str(digits);
    }
}

/// The digits of a whole number (without its sign), or `None` if it is
/// not whole.
fn integer(verb: &Verb<'_>, n: f64) -> Option<String> {
    if n.fract() != 0.0 || n.abs() >= 1.0e38 {
        return None;
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let m = n.abs() as u128;
    let (digits, prefix) = match verb.mode {
        'b' => (format!("{m:b}"), "0b"),
        'o' => (format!("{m:o}"), "0"),
        'x' => (format!("{m:x}"), "0x"),
        'X' => (format!("{m:X}"), "0X"),
        _ => (m.to_string(), ""),
    };
    let digits = match verb.precision {
        Some(0) if m == 0 => String::new(),
        Some(p) if p > digits.len() => format!("{}{digits}", "0".repeat(p - digits.len())),
        _ => digits,
    };
    let prefix = if verb.sharp && !(verb.mode == 'o' && digits.starts_with('0')) { prefix } else { "" };
    Some(format!("{prefix}{digits}"))
}

/// `%e %E %f %g %G` of a number's magnitude.
fn float(verb: &Verb<'_>, n: f64) -> String {
    let n = n.abs();
    let upper = verb.mode.is_ascii_uppercase();
    match verb.mode {
        'f' => format!("{n:.*}", verb.precision.unwrap_or(6)),
        'e' | 'E' => {
            let (digits, exp) = scientific(n, Some(verb.precision.unwrap_or(6) + 1), true);
            exponent_form(&digits, exp, upper)
        }
        _ => go_g(n, verb.precision, upper),
    }
}

/// The significant digits of `n` (all of them, or `precision` rounded;
/// trailing zeros dropped unless `keep_zeros`), and its decimal exponent.
fn scientific(n: f64, precision: Option<usize>, keep_zeros: bool) -> (String, i32) {
    let text = match precision {
        None => format!("{n:e}"),
        Some(p) => format!("{n:.*e}", p.max(1) - 1),
    };
    let (mantissa, exp) = text.split_once('e').unwrap_or((&text, "0"));
    let mut digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    if !keep_zeros {
        while digits.len() > 1 && digits.ends_with('0') {
            digits.pop();
        }
    }
    (digits, exp.parse().unwrap_or(0))
}

/// `d.ddde+XX`, as Go writes it.
fn exponent_form(digits: &str, exp: i32, upper: bool) -> String {
    let (first, rest) = digits.split_at(1.min(digits.len()));
    let point = if rest.is_empty() { String::new() } else { format!(".{rest}") };
    let sign = if exp < 0 { '-' } else { '+' };
    let e = if upper { 'E' } else { 'e' };
    format!("{first}{point}{e}{sign}{:02}", exp.abs())
}

/// Go's `%g` (and `%v` of a number): the shortest digits (or `precision`
/// significant ones), with an exponent when it is below -4 or at least the
/// precision (6 for the shortest).
fn go_g(n: f64, precision: Option<usize>, upper: bool) -> String {
    if n == 0.0 {
        return "0".into();
    }
    let negative = n < 0.0;
    let (digits, exp) = scientific(n.abs(), precision.map(|p| p.max(1)), false);
    let nd = i32::try_from(digits.len()).unwrap_or(i32::MAX);
    let limit = match precision {
        None => 6,
        Some(p) => {
            let p = i32::try_from(p.max(1)).unwrap_or(i32::MAX);
            if p > nd && nd > exp { nd } else { p }
        }
    };
    let text =
        if exp < -4 || exp >= limit { exponent_form(&digits, exp, upper) } else { fixed(&digits, exp) };
    if negative { format!("-{text}") } else { text }
}

/// The digits written out with the point after the one of power `exp`.
fn fixed(digits: &str, exp: i32) -> String {
    if exp < 0 {
        let zeros = usize::try_from(-exp - 1).unwrap_or(0);
        return format!("0.{}{digits}", "0".repeat(zeros));
    }
    let whole = usize::try_from(exp + 1).unwrap_or(0);
    if whole >= digits.len() {
        format!("{digits}{}", "0".repeat(whole - digits.len()))
    } else {
        format!("{}.{}", &digits[..whole], &digits[whole..])
    }
}
