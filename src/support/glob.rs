//! IAM wildcard matching: `*` matches any run of characters, `?` any one.

/// Case-sensitive match of `text` against `pattern`.
pub fn glob(pattern: &str, text: &str) -> bool {
    matches(pattern.as_bytes(), text.as_bytes(), |a, b| a == b)
}

/// ASCII case-insensitive match (action names, service principals).
pub fn glob_ci(pattern: &str, text: &str) -> bool {
    matches(pattern.as_bytes(), text.as_bytes(), |a, b| a.eq_ignore_ascii_case(&b))
}

/// Linear-time wildcard matching with single-star backtracking. Works on bytes:
/// `?` then matches one byte, which is exact for the ASCII text IAM names use.
fn matches(p: &[u8], t: &[u8], eq: impl Fn(u8, u8) -> bool) -> bool {
    // A pattern written as the very text (an action spelled as IAM spells
    // it, an ARN named as it is written, most often) matches it, with or
    // without wildcards in it.
    p == t || scan(p, t, eq)
}

/// [`matches`], byte by byte.
fn scan(p: &[u8], t: &[u8], eq: impl Fn(u8, u8) -> bool) -> bool {
    // A pattern that ends in a literal byte matches only text that ends in
    // it: ARNs that differ mostly differ at the end (a role's name).
    if let (Some(&last), Some(&end)) = (p.last(), t.last())
        && last != b'*'
        && last != b'?'
        && !eq(last, end)
    {
        return false;
    }
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == b'?' || (p[pi] != b'*' && eq(p[pi], t[ti]))) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&b| b == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        assert!(glob_ci("sts:Assume*", "sts:assumerole"));
        assert!(glob_ci("*", "sts:AssumeRole"));
        assert!(glob_ci("sts:AssumeRol?", "STS:ASSUMEROLE"));
        assert!(!glob_ci("sts:AssumeRoleWith*", "sts:AssumeRole"));
        assert!(glob("repo:org/*", "repo:org/x:ref:refs/heads/main"));
        assert!(!glob("repo:org/*", "repo:Org/x"));
        assert!(glob("a*b*c", "aXbYbZc"));
        assert!(!glob("a*b*c", "aXbYbZ"));
        assert!(glob("", ""));
        assert!(!glob("", "x"));
        // The last byte is compared first; wildcards there match anything.
        assert!(!glob("arn:aws:iam::1:role/a", "arn:aws:iam::1:role/b"));
        assert!(glob("arn:aws:iam::1:role/?", "arn:aws:iam::1:role/b"));
        assert!(!glob("x", ""));
        assert!(glob_ci("sts:assumerolE", "STS:AssumeRole"));
    }

    #[test]
    fn a_pattern_matches_its_own_text() {
        // Its wildcards match themselves: the shortcut for a text equal to
        // the pattern answers what the matching would.
        for p in ["", "*", "?", "**", "a*b?c", "*?*", "arn:aws:iam::*:role/x?", "sts:AssumeRole", "ab*"] {
            assert!(glob(p, p) && glob_ci(p, p), "{p}");
            assert!(scan(p.as_bytes(), p.as_bytes(), |a, b| a == b), "{p}");
            assert!(scan(p.as_bytes(), p.as_bytes(), |a: u8, b: u8| a.eq_ignore_ascii_case(&b)), "{p}");
        }
    }
}
