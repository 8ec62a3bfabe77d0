//! A finding's identity: the file, rule, subject and pointer that stay the
//! same when a policy is moved or reformatted, as a key and a stable hash.
//! The baseline matches findings by it; SARIF prints it.

use crate::diagnostic::Finding;

/// What identifies a finding across edits that move it: never its line, so a
/// reformatted policy keeps its findings, while a new finding of the same rule
/// in the same role is a new one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FindingKey<'a> {
    /// The file's name as shown in findings.
    pub file: &'a str,
    /// The rule's name (names are never reused, codes could be renumbered).
    pub rule: &'a str,
    /// The role or principal, empty when the input names none.
    pub subject: &'a str,
    /// The JSON Pointer inside the policy.
    pub pointer: &'a str,
}

impl<'a> FindingKey<'a> {
    /// The key of `finding`, which is in the file shown as `file`.
    pub fn of(file: &'a str, finding: &'a Finding) -> Self {
        Self {
            file,
            rule: finding.rule.name,
            subject: finding.subject.as_deref().unwrap_or(""),
            pointer: &finding.pointer,
        }
    }

    /// The key's hash: 16 hex digits, the same on every platform and run.
    pub fn fingerprint(&self) -> String {
        fnv1a(&[self.file, self.rule, self.subject, self.pointer])
    }
}

/// FNV-1a, 64 bits, over the parts each followed by a NUL (so that no two
/// different keys run together into the same bytes).
fn fnv1a(parts: &[&str]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain(std::iter::once(0)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key<'a>(file: &'a str, rule: &'a str, subject: &'a str, pointer: &'a str) -> FindingKey<'a> {
        FindingKey { file, rule, subject, pointer }
    }

    #[test]
    fn the_hash_is_fixed() {
        // Baselines written by earlier versions hold these values.
        assert_eq!(fnv1a(&[]), "cbf29ce484222325");
        assert_eq!(
            key("trust.json", "wildcard-principal", "", "/Statement/0/Principal").fingerprint(),
            "c50c3a904c3602d4"
        );
    }

    #[test]
    fn parts_do_not_run_together() {
        assert_ne!(key("ab", "c", "", "").fingerprint(), key("a", "bc", "", "").fingerprint());
        assert_ne!(key("a", "b", "", "/x").fingerprint(), key("a", "b", "/x", "").fingerprint());
    }
}
