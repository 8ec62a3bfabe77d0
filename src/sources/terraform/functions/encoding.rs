//! JSON and base64, files and paths, and what only Terraform's run knows.

use super::super::value::{MAX_VALUE_WEIGHT, PART, Val, Value};
use super::{Call, Out, json_len};
use crate::model::symbolic::is_symbolic;
use crate::syntax::json;

/// The value as an encoded string that keeps its parts' places: a policy
/// read from it points into the expression that wrote it.
pub(super) fn jsonencode(c: &Call<'_>, mut args: Vec<Value>) -> Out {
    c.arity(&args, 1, 1)?;
    c.known(&args)?;
    let v = args.remove(0);
    // Escapes double at each level of encoding: measured, not written.
    let (len, _) = json_len(&v);
    if len > MAX_VALUE_WEIGHT {
        return Err(c.over_budget());
    }
    let out = Value::new(Val::Encoded(Box::new(v)), c.at);
    c.pay(out.weight().max(len))?;
    Ok(out)
}

/// The value of an encoded string as it was (with its places); a string's
/// parsed value placed at the call, whose text is not the string's.
pub(super) fn jsondecode(c: &Call<'_>, mut args: Vec<Value>) -> Out {
    c.plain(&args, 1, 1)?;
    let v = args.remove(0);
    if let Val::Encoded(inner) = v.kind {
        return Ok(*inner);
    }
    let text = c.text_with_symbols(&v)?;
    let tree = match json::parse(&text) {
        Ok(tree) => tree,
        // The value behind a symbol may be what makes it JSON.
        Err(_) if is_symbolic(&text) => return Err(c.unknown_input()),
        Err(e) => return c.fail(format!("invalid JSON: {}", e.message)),
    };
    let mut out = Value::from_tree(&tree);
    out.respan(c.at);
    Ok(c.check(out))
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

pub(super) fn base64encode(c: &Call<'_>, args: Vec<Value>) -> Out {
    c.plain(&args, 1, 1)?;
    let text = c.text(&args[0])?;
    let bytes = text.as_bytes();
    c.pay(PART + 4 * bytes.len().div_ceil(3) as u64)?;
    let mut out = String::with_capacity(4 * bytes.len().div_ceil(3));
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], chunk.get(1).copied().unwrap_or(0), chunk.get(2).copied().unwrap_or(0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(BASE64[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    Ok(Value::string(out, c.at))
}

/// Standard base64 with padding (line breaks ignored), to UTF-8 text.
pub(super) fn base64decode(c: &Call<'_>, args: Vec<Value>) -> Out {
    c.plain(&args, 1, 1)?;
    let text = c.text(&args[0])?;
    let bad = || c.error("failed to decode base64 data");
    let symbols: Vec<u8> = text.bytes().filter(|b| !matches!(b, b'\r' | b'\n')).collect();
    if !symbols.len().is_multiple_of(4) {
        return Err(bad());
    }
    let mut bytes = Vec::with_capacity(symbols.len() / 4 * 3);
    for (q, quad) in symbols.chunks(4).enumerate() {
        let last = q + 1 == symbols.len() / 4;
        let pads = quad.iter().rev().take_while(|&&b| b == b'=').count();
        if pads > 2 || (pads > 0 && !last) {
            return Err(bad());
        }
        let mut n = 0u32;
        for &b in &quad[..4 - pads] {
            let v = BASE64.iter().position(|&s| s == b).ok_or_else(bad)?;
            n = (n << 6) | u32::try_from(v).unwrap_or(0);
        }
        n <<= 6 * pads;
        bytes.extend_from_slice(&n.to_be_bytes()[1..4 - pads]);
    }
    let out = String::from_utf8(bytes)
        .map_err(|_| c.error("the result of decoding the provided string is not valid UTF-8"))?;
    c.string(out)
}

/// A path argument: a symbol in it leaves the file unknown.
fn path_arg(c: &Call<'_>, args: &[Value], n: usize) -> Result<String, Value> {
    c.plain(args, n, n)?;
    Ok(c.text(&args[0])?.into_owned())
}

pub(super) fn file(c: &Call<'_>, args: Vec<Value>) -> Out {
    let path = path_arg(c, &args, 1)?;
    match c.host.read_file(&path) {
        Ok(text) => c.string(text),
        Err(message) => c.fail(message),
    }
}

pub(super) fn fileexists(c: &Call<'_>, args: Vec<Value>) -> Out {
    let path = path_arg(c, &args, 1)?;
    c.boolean(c.host.read_file(&path).is_ok())
}

pub(super) fn templatefile(c: &Call<'_>, args: Vec<Value>) -> Out {
    let path = path_arg(c, &args, 2)?;
    if !matches!(args[1].kind, Val::Object(_)) {
        return c.fail("invalid vars value: must be a map");
    }
    let text = c.host.read_file(&path).or_else(|message| c.fail(message))?;
    Ok(c.check(c.host.render_template(&path, &text, &args[1], c.at)))
}

/// A path with `.` and `..` parts and repeated slashes resolved, as Go's
/// `filepath.Clean` does.
fn clean(path: &str) -> String {
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            ".." if rooted => {}
            p => parts.push(p),
        }
    }
    let joined = parts.join("/");
    if rooted {
        format!("/{joined}")
    } else if joined.is_empty() {
        ".".into()
    } else {
        joined
    }
}

fn path_text(c: &Call<'_>, args: &[Value]) -> Result<String, Value> {
    c.plain(args, 1, 1)?;
    Ok(c.text_with_symbols(&args[0])?.into_owned())
}

/// The path cleaned. A relative path stays relative: it is resolved, as
/// the directory Terraform runs in would resolve it, by whatever reads it.
pub(super) fn abspath(c: &Call<'_>, args: Vec<Value>) -> Out {
    let path = path_text(c, &args)?;
    c.string(clean(&path))
}

/// All but the last part of the path.
pub(super) fn dirname(c: &Call<'_>, args: Vec<Value>) -> Out {
    let path = path_text(c, &args)?;
    c.string(match path.rfind('/') {
        Some(i) => clean(&path[..=i]),
        None => ".".into(),
    })
}

/// The last part of the path.
pub(super) fn basename(c: &Call<'_>, args: Vec<Value>) -> Out {
    let path = path_text(c, &args)?;
    let trimmed = path.trim_end_matches('/');
    c.string(if path.is_empty() {
        ".".into()
    } else if trimmed.is_empty() {
        "/".into()
    } else {
        trimmed.rsplit('/').next().unwrap_or(trimmed).to_owned()
    })
}

/// `uuid()`, `timestamp()`, hashes, `pathexpand`: known only where and when
/// Terraform runs.
pub(super) fn only_at_apply(c: &Call<'_>, _args: Vec<Value>) -> Out {
    Err(c.unknown_input())
}
