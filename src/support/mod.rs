//! Small helpers that know nothing of the pipeline: IAM wildcard matching,
//! how a path is shown, "did you mean" hints, an index of positions. Any module may use them;
//! they use nothing else of trustlint.

pub mod color;
pub mod git;
pub mod glob;
pub mod index;
pub mod path;
pub mod stderr;
pub mod suggest;

/// `s` cut at its first `byte`, which must be ASCII: [`str::split_once`]
/// without the set-up of its searcher, which costs more than the search on
/// the short keys and names of the hot paths.
pub fn split_at_byte(s: &str, byte: u8) -> Option<(&str, &str)> {
    debug_assert!(byte.is_ascii());
    let i = s.bytes().position(|b| b == byte)?;
    Some((&s[..i], &s[i + 1..]))
}

/// Whether `s` starts with `prefix`, ASCII letters in any case, without
/// a lowercase copy of `s`.
pub fn starts_with_ignore_case(s: &str, prefix: &str) -> bool {
    s.as_bytes().get(..prefix.len()).is_some_and(|head| head.eq_ignore_ascii_case(prefix.as_bytes()))
}

/// `n` in decimal, written into `digits` (a `usize` has at most 20):
/// without the formatting machinery, for the hot paths that write numbers.
pub fn decimal(n: usize, digits: &mut [u8; 20]) -> &str {
    // Most are indices in short lists: one digit, cut out of a constant.
    const DIGITS: &str = "0123456789";
    if n < 10 {
        return &DIGITS[n..=n];
    }
    let mut at = digits.len();
    let mut n = n;
    loop {
        at -= 1;
        digits[at] = b"0123456789"[n % 10];
        n /= 10;
        if n == 0 {
            break;
        }
    }
    // ASCII digits only.
    std::str::from_utf8(&digits[at..]).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[test]
    fn split_at_byte_is_split_once() {
        for s in ["", ":", "a:", ":b", "aws:PrincipalArn", "a:b:c", "no colon", "é:ü", "sts:AssumeRole"] {
            assert_eq!(super::split_at_byte(s, b':'), s.split_once(':'), "{s:?}");
        }
    }

    #[test]
    fn a_case_blind_start_is_that_of_a_lowercase_copy() {
        let texts =
            ["", "a", "A", "oidc.EKS.x", "OIDC.eks.", "oidc.eks", "Token.Actions.x/", "É", "é", "ÉA", "sub"];
        for s in texts {
            for t in texts {
                let lower = t.to_ascii_lowercase();
                assert_eq!(
                    super::starts_with_ignore_case(s, &lower),
                    s.to_ascii_lowercase().starts_with(&lower),
                    "{s:?} {lower:?}"
                );
            }
        }
    }

    #[test]
    fn decimal_writes_what_format_writes() {
        for n in (0..2000).chain([9_999, 10_000, 123_456_789, usize::MAX - 1, usize::MAX]) {
            assert_eq!(super::decimal(n, &mut [0; 20]), n.to_string());
        }
    }
}
