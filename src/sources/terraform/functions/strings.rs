//! Strings: case, trimming, tests, `split`, `join`, `replace`, `substr`.
//!
//! A string may hold symbols (`{{var.a}}`) for the parts that are not
//! known. A function whose answer does not depend on those parts (the case
//! of the known text, a prefix found in the known text) answers; one whose
//! answer does is unknown.

use std::borrow::Cow;

use super::super::value::{PART, Val, Value};
use super::{Call, Meter, Out, text_len, type_name};

const ANY: usize = usize::MAX;

/// The byte ranges of the symbols in `s`.
fn symbols(s: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(open) = s[from..].find("{{").map(|i| from + i) {
        let Some(close) = s[open + 2..].find("}}").map(|i| open + 2 + i + 2) else { break };
        out.push((open, close));
        from = close;
    }
    out
}

/// Applies `f` to the known text of `s`, leaving its symbols as they are.
fn outside_symbols(s: &str, f: impl Fn(&str) -> String) -> String {
    let mut out = String::with_capacity(s.len());
    let mut from = 0;
    for (open, close) in symbols(s) {
        out.push_str(&f(&s[from..open]));
        out.push_str(&s[open..close]);
        from = close;
    }
    out.push_str(&f(&s[from..]));
    out
}

/// The text before the first symbol and after the last one.
fn known_ends(s: &str) -> (&str, &str) {
    let spans = symbols(s);
    match (spans.first(), spans.last()) {
        (Some(&(open, _)), Some(&(_, close))) => (&s[..open], &s[close..]),
        _ => (s, s),
    }
}

fn map_text(c: &Call<'_>, args: &[Value], f: fn(&str) -> String) -> Out {
    c.plain(args, 1, 1)?;
    let s = c.text_with_symbols(&args[0])?;
    c.string(outside_symbols(&s, f))
}

pub(super) fn lower(c: &Call<'_>, args: Vec<Value>) -> Out {
    map_text(c, &args, str::to_lowercase)
}

pub(super) fn upper(c: &Call<'_>, args: Vec<Value>) -> Out {
    map_text(c, &args, str::to_uppercase)
}

/// The first letter of each word in upper case; a word starts after a
/// space or ASCII punctuation (underscores join words).
pub(super) fn title(c: &Call<'_>, args: Vec<Value>) -> Out {
    map_text(c, &args, |s| {
        let mut after_separator = true;
        s.chars()
            .map(|ch| {
                let out = if after_separator { ch.to_uppercase().collect() } else { ch.to_string() };
                after_separator = if ch.is_ascii() {
                    !(ch.is_ascii_alphanumeric() || ch == '_')
                } else {
                    ch.is_whitespace()
                };
                out
            })
            .collect()
    })
}

/// Trims with `trim` and answers if the ends it stopped at are known text:
/// trimming into a symbol depends on the value behind it.
fn trim_known(c: &Call<'_>, s: &str, trim: impl Fn(&str) -> &str) -> Out {
    let spans = symbols(s);
    let trimmed = trim(s);
    if let (Some(&(open, _)), Some(&(_, close))) = (spans.first(), spans.last()) {
        let start = trimmed.as_ptr() as usize - s.as_ptr() as usize;
        let end = start + trimmed.len();
        if start >= open || end <= close {
            return Err(c.unknown_input());
        }
    }
    c.string(trimmed.to_owned())
}

pub(super) fn trimspace(c: &Call<'_>, args: Vec<Value>) -> Out {
    c.plain(&args, 1, 1)?;
    let s = c.text_with_symbols(&args[0])?;
    trim_known(c, &s, str::trim)
}

/// Removes the characters of `cutset` from both ends.
pub(super) fn trim(c: &Call<'_>, args: Vec<Value>) -> Out {
    c.plain(&args, 2, 2)?;
    let s = c.text_with_symbols(&args[0])?;
    let cutset = c.text(&args[1])?;
    trim_known(c, &s, |s| s.trim_matches(|ch| cutset.contains(ch)))
}

/// Whether `s` starts with `prefix`, if its known start tells.
fn starts(s: &str, prefix: &str) -> Option<bool> {
    let (head, _) = known_ends(s);
    if head.starts_with(prefix) {
        Some(true)
    } else if head.len() < s.len() && prefix.starts_with(head) {
        None
    } else {
        Some(false)
    }
}

/// Whether `s` ends with `suffix`, if its known end tells.
fn ends(s: &str, suffix: &str) -> Option<bool> {
    let (_, tail) = known_ends(s);
    if tail.ends_with(suffix) {
        Some(true)
    } else if tail.len() < s.len() && suffix.ends_with(tail) {
        None
    } else {
        Some(false)
    }
}

/// The string and the other text argument of a two-string function.
fn two<'v>(c: &Call<'_>, args: &'v [Value]) -> Result<(Cow<'v, str>, Cow<'v, str>), Value> {
    c.plain(args, 2, 2)?;
    Ok((c.text_with_symbols(&args[0])?, c.text(&args[1])?))
}

pub(super) fn trimprefix(c: &Call<'_>, args: Vec<Value>) -> Out {
    let (s, prefix) = two(c, &args)?;
    match starts(&s, &prefix) {
        Some(true) => c.string(s[prefix.len()..].to_owned()),
        Some(false) => c.string(s.into_owned()),
        None => Err(c.unknown_input()),
    }
}

pub(super) fn trimsuffix(c: &Call<'_>, args: Vec<Value>) -> Out {
    let (s, suffix) = two(c, &args)?;
    match ends(&s, &suffix) {
        Some(true) => c.string(s[..s.len() - suffix.len()].to_owned()),
        Some(false) => c.string(s.into_owned()),
        None => Err(c.unknown_input()),
    }
}

fn answer(c: &Call<'_>, known: Option<bool>) -> Out {
    match known {
        Some(b) => c.boolean(b),
        None => Err(c.unknown_input()),
    }
}

pub(super) fn startswith(c: &Call<'_>, args: Vec<Value>) -> Out {
    let (s, prefix) = two(c, &args)?;
    answer(c, starts(&s, &prefix))
}

pub(super) fn endswith(c: &Call<'_>, args: Vec<Value>) -> Out {
    let (s, suffix) = two(c, &args)?;
    answer(c, ends(&s, &suffix))
}

/// True if the known text holds `sub`; else unknown if there are symbols.
pub(super) fn strcontains(c: &Call<'_>, args: Vec<Value>) -> Out {
    let (s, sub) = two(c, &args)?;
    let spans = symbols(&s);
    let mut from = 0;
    for (open, close) in spans.iter().copied().chain([(s.len(), s.len())]) {
        if s[from..open].contains(&*sub) {
            return c.boolean(true);
        }
        from = close;
    }
    answer(c, if spans.is_empty() { Some(false) } else { None })
}

/// `substr(s, offset, length)` in characters; a negative offset counts
/// from the end, a negative length takes the rest.
pub(super) fn substr(c: &Call<'_>, args: Vec<Value>) -> Out {
    c.plain(&args, 3, 3)?;
    let s = c.text_with_symbols(&args[0])?;
    let (offset, length) = (c.integer(&args[1])?, c.integer(&args[2])?);
    let (head, _) = known_ends(&s);
    let symbolic = head.len() < s.len();
    // What is taken must lie in the known start.
    let chars: Vec<char> = if symbolic { head.chars().collect() } else { s.chars().collect() };
    let total = i64::try_from(chars.len()).unwrap_or(i64::MAX);
    if symbolic && (offset < 0 || length < 0) {
        return Err(c.unknown_input());
    }
    let start = if offset < 0 { (offset + total).max(0) } else { offset };
    if start >= total {
        return if symbolic { Err(c.unknown_input()) } else { c.string(String::new()) };
    }
    let end = if length < 0 { total } else { start.saturating_add(length) };
    if symbolic && end > total {
        return Err(c.unknown_input());
    }
    let (start, end) = (usize::try_from(start).unwrap_or(0), usize::try_from(end.min(total)).unwrap_or(0));
    c.string(chars[start..end].iter().collect())
}

/// `split(separator, string)`: the pieces, at the call. Unknown for a
/// string holding a symbol: the value behind it may hold separators.
pub(super) fn split(c: &Call<'_>, args: Vec<Value>) -> Out {
    c.plain(&args, 2, 2)?;
    let sep = c.text(&args[0])?;
    let s = c.text(&args[1])?;
    let pieces: Vec<&str> = if sep.is_empty() {
        // As Go's strings.Split: one piece per character, none for "".
        s.char_indices().map(|(i, ch)| &s[i..i + ch.len_utf8()]).collect()
    } else {
        s.split(&*sep).collect()
    };
    c.pay(PART + pieces.iter().map(|p| PART + p.len() as u64).sum::<u64>())?;
    Ok(Value::new(Val::List(pieces.into_iter().map(|p| Value::string(p, c.at)).collect()), c.at))
}

/// `join(separator, list...)`: an unknown element is its symbol in place.
pub(super) fn join(c: &Call<'_>, args: Vec<Value>) -> Out {
    c.plain(&args, 2, ANY)?;
    let sep = c.text_with_symbols(&args[0])?;
    let mut meter = Meter(PART);
    let mut pieces = Vec::new();
    for (li, list) in args[1..].iter().enumerate() {
        for (ei, v) in c.list_arg(list)?.iter().enumerate() {
            match &v.kind {
                Val::Null => {
                    return c.fail(format!(
                        "element {ei} of list {} is null; cannot concatenate null values",
                        li + 1
                    ));
                }
                Val::List(_) | Val::Object(_) => {
                    return c.fail(format!(
                        "element {ei} of list {} is a {}, not a string",
                        li + 1,
                        type_name(v)
                    ));
                }
                _ => {}
            }
            meter.add(c, text_len(v) + sep.len() as u64)?;
            pieces.push(v.display());
        }
    }
    meter.pay(c)?;
    // One encoded document joined with nothing is that document, where it
    // is written: `join("", data.aws_iam_policy_document.x.*.json)` keeps
    // its statements' places for findings (other results are shown at the
    // call).
    if pieces.len() == 1
        && let Some(v) = args[1..].iter().find_map(|l| l.as_list().and_then(<[Value]>::first))
        && matches!(v.kind, Val::Encoded(_))
    {
        return Ok(v.clone());
    }
    Ok(Value::string(pieces.join(&sep), c.at))
}

/// `replace(string, substring, replacement)`; a substring in slashes is a
/// regular expression, which is not evaluated. An unknown replacement is its
/// symbol in place; a string holding a symbol leaves the result unknown.
pub(super) fn replace(c: &Call<'_>, args: Vec<Value>) -> Out {
    c.arity(&args, 3, 3)?;
    c.known(&args[..2])?;
    c.not_null(&args)?;
    let s = c.text(&args[0])?;
    let sub = c.text(&args[1])?;
    if sub.len() >= 2 && sub.starts_with('/') && sub.ends_with('/') {
        return Err(c.unresolved("regular expressions are not evaluated"));
    }
    let with = match &args[2].kind {
        Val::Unknown(_) => Cow::Owned(args[2].display()),
        _ => c.text_with_symbols(&args[2])?,
    };
    let count = if sub.is_empty() { s.chars().count() + 1 } else { s.matches(&*sub).count() } as u64;
    let len = (s.len() as u64)
        .saturating_add(count.saturating_mul(with.len() as u64))
        .saturating_sub(count * sub.len() as u64);
    c.pay(PART + len)?;
    Ok(Value::string(s.replace(&*sub, &with), c.at))
}

/// A conversion keeps the value's place: it is the value as written.
pub(super) fn tostring(c: &Call<'_>, mut args: Vec<Value>) -> Out {
    c.arity(&args, 1, 1)?;
    c.known(&args)?;
    let v = args.remove(0);
    match &v.kind {
        Val::Null | Val::String(_) | Val::Encoded(_) => Ok(v),
        Val::Number(_) | Val::Bool(_) => {
            let text = v.as_text().map(Cow::into_owned).unwrap_or_default();
            Ok(Value::string(text, v.span))
        }
        _ => c.fail(format!("cannot convert {} to string", type_name(&v))),
    }
}

/// `regex` and `regexall` are not evaluated.
pub(super) fn regex(c: &Call<'_>, args: Vec<Value>) -> Out {
    c.plain(&args, 2, 2)?;
    Err(c.unresolved("regular expressions are not evaluated"))
}
