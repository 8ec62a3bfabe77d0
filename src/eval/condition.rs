//! Condition operators, evaluated as IAM evaluates them, on one request
//! context value. Results are three-valued: `None` when the outcome depends
//! on something the policy does not say (an unresolved policy variable, a
//! date or number that does not parse).

use std::net::IpAddr;

use crate::model::policy::BaseOp;
use crate::support::glob::glob;

/// Whether a single context value `v` matches a single policy value `p` for
/// `op`'s positive form (`StringNotEquals` is evaluated as `StringEquals`
/// here and negated by the caller).
#[allow(clippy::float_cmp)] // IAM compares numbers exactly
pub fn matches(op: BaseOp, p: &str, v: &str) -> Option<bool> {
    use BaseOp as B;
    Some(match op {
        B::StringEquals | B::StringNotEquals | B::BinaryEquals => p == v,
        B::StringEqualsIgnoreCase | B::StringNotEqualsIgnoreCase => p.to_lowercase() == v.to_lowercase(),
        B::StringLike | B::StringNotLike => glob(p, v),
        B::ArnEquals | B::ArnLike | B::ArnNotEquals | B::ArnNotLike => arn_like(p, v),
        B::NumericEquals | B::NumericNotEquals => number(v)? == number(p)?,
        B::NumericLessThan => number(v)? < number(p)?,
        B::NumericLessThanEquals => number(v)? <= number(p)?,
        B::NumericGreaterThan => number(v)? > number(p)?,
        B::NumericGreaterThanEquals => number(v)? >= number(p)?,
        B::DateEquals | B::DateNotEquals => date(v)? == date(p)?,
        B::DateLessThan => date(v)? < date(p)?,
        B::DateLessThanEquals => date(v)? <= date(p)?,
        B::DateGreaterThan => date(v)? > date(p)?,
        B::DateGreaterThanEquals => date(v)? >= date(p)?,
        B::Bool => p.eq_ignore_ascii_case(v),
        B::IpAddress | B::NotIpAddress => cidr_contains(p, v)?,
        // `Null` is evaluated on presence, never on a value.
        B::Null => return None,
    })
}

/// `ArnLike`/`ArnEquals`: each of the six colon-separated parts is matched
/// on its own, with wildcards, case-sensitively.
fn arn_like(p: &str, v: &str) -> bool {
    let pp: Vec<&str> = p.splitn(6, ':').collect();
    let vp: Vec<&str> = v.splitn(6, ':').collect();
    if p == "*" {
        return true;
    }
    pp.len() == 6 && vp.len() == 6 && pp.iter().zip(&vp).all(|(a, b)| glob(a, b))
}

fn number(s: &str) -> Option<f64> {
    s.trim().parse().ok()
}

/// Seconds since the epoch from an ISO 8601 date or date-time (UTC or with an
/// offset), or an epoch number as `aws:EpochTime` gives.
#[allow(clippy::many_single_char_names)] // y, m, d, h: the calendar's own names
pub fn date(s: &str) -> Option<i64> {
    let s = s.trim();
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse().ok();
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> { s.get(r)?.parse().ok() };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if s.get(4..5)? != "-" || s.get(7..8)? != "-" || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let mut secs = days_from_civil(y, m, d) * 86_400;
    if s.len() > 10 {
        if !matches!(s.get(10..11)?, "T" | "t" | " ") {
            return None;
        }
        secs += num(11..13)? * 3600
            + num(14..16)? * 60
            + s.get(17..19).and_then(|x| x.parse::<i64>().ok()).unwrap_or(0);
        let tail = s.get(19..).unwrap_or("");
        let tail = tail.trim_start_matches(|c: char| c == '.' || c.is_ascii_digit());
        if let Some(sign) = tail.chars().next().filter(|c| *c == '+' || *c == '-') {
            let h: i64 = tail.get(1..3)?.parse().ok()?;
            let mi: i64 = tail.get(tail.len() - 2..)?.parse().ok()?;
            let offset = h * 3600 + mi * 60;
            secs += if sign == '+' { -offset } else { offset };
        }
    }
    Some(secs)
}

/// Days from 1970-01-01 to a proleptic Gregorian date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Whether the address `v` lies in the CIDR block (or single address) `p`.
pub fn cidr_contains(p: &str, v: &str) -> Option<bool> {
    let (net, bits) = match p.split_once('/') {
        Some((n, b)) => (n.trim().parse::<IpAddr>().ok()?, Some(b.trim().parse::<u32>().ok()?)),
        None => (p.trim().parse::<IpAddr>().ok()?, None),
    };
    let Ok(addr) = v.trim().parse::<IpAddr>() else {
        return Some(false);
    };
    Some(match (net, addr) {
        (IpAddr::V4(n), IpAddr::V4(a)) => {
            let bits = bits.unwrap_or(32).min(32);
            let mask = if bits == 0 { 0 } else { u32::MAX << (32 - bits) };
            u32::from(n) & mask == u32::from(a) & mask
        }
        (IpAddr::V6(n), IpAddr::V6(a)) => {
            let bits = bits.unwrap_or(128).min(128);
            let mask = if bits == 0 { 0 } else { u128::MAX << (128 - bits) };
            u128::from(n) & mask == u128::from(a) & mask
        }
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operators() {
        assert_eq!(matches(BaseOp::StringEquals, "a", "A"), Some(false));
        assert_eq!(matches(BaseOp::StringEqualsIgnoreCase, "a", "A"), Some(true));
        assert_eq!(matches(BaseOp::StringLike, "repo:org/*", "repo:org/x"), Some(true));
        assert_eq!(
            matches(BaseOp::ArnLike, "arn:aws:iam::*:role/x", "arn:aws:iam::123456789012:role/x"),
            Some(true)
        );
        assert_eq!(
            matches(BaseOp::ArnLike, "arn:aws:iam::1*:role/x", "arn:aws:iam::223456789012:role/x"),
            Some(false)
        );
        assert_eq!(matches(BaseOp::NumericLessThan, "3600", "100"), Some(true));
        assert_eq!(matches(BaseOp::NumericLessThan, "x", "100"), None);
        assert_eq!(matches(BaseOp::Bool, "true", "TRUE"), Some(true));
        assert_eq!(matches(BaseOp::IpAddress, "10.0.0.0/8", "10.2.3.4"), Some(true));
        assert_eq!(matches(BaseOp::IpAddress, "10.0.0.0/8", "11.2.3.4"), Some(false));
        assert_eq!(matches(BaseOp::IpAddress, "2001:db8::/32", "2001:db8::1"), Some(true));
        assert_eq!(matches(BaseOp::DateLessThan, "2020-01-01T00:00:00Z", "2019-12-31T23:59:59Z"), Some(true));
    }

    #[test]
    fn dates() {
        assert_eq!(date("1970-01-02"), Some(86_400));
        assert_eq!(date("2020-01-01T01:00:00+01:00"), date("2020-01-01T00:00:00Z"));
        assert_eq!(date("1577836800"), date("2020-01-01T00:00:00Z"));
        assert_eq!(date("yesterday"), None);
    }
}
