//! Amazon Resource Names and the principal forms IAM accepts.

/// A parsed ARN: `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`.
/// An ARN (`arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`), kept as
/// written: one string and where its fields end. A policy names thousands
/// of them; five strings each made a principal five allocations.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Arn {
    text: Box<str>,
    /// The byte offsets of the five colons that end `arn` and the fields
    /// before the resource.
    colons: [u32; 5],
}

/// The AWS partitions, including the isolated and sovereign ones.
pub const PARTITIONS: [&str; 8] =
    ["aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"];

impl Arn {
    pub fn parse(s: &str) -> Option<Self> {
        if !s.starts_with("arn:") {
            return None;
        }
        let mut colons = [0u32; 5];
        // A byte at a time: the fields are a few bytes each, shorter than
        // what a search for the next `:` sets out for.
        let mut found = s.bytes().enumerate().filter(|(_, b)| *b == b':').map(|(i, _)| u32::try_from(i).ok());
        for c in &mut colons {
            *c = found.next()??;
        }
        Some(Self { text: s.into(), colons })
    }

    fn field(&self, i: usize) -> &str {
        let start = self.colons[i] as usize + 1;
        let end = self.colons.get(i + 1).map_or(self.text.len(), |&c| c as usize);
        &self.text[start..end]
    }

    pub fn partition(&self) -> &str {
        self.field(0)
    }

    pub fn service(&self) -> &str {
        self.field(1)
    }

    pub fn region(&self) -> &str {
        self.field(2)
    }

    pub fn account(&self) -> &str {
        self.field(3)
    }

    pub fn resource(&self) -> &str {
        self.field(4)
    }

    /// The ARN as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// This ARN's resource with other fields before it.
    pub fn with(&self, partition: &str, service: &str, region: &str, account: &str) -> String {
        ["arn:", partition, ":", service, ":", region, ":", account, ":", self.resource()].concat()
    }

    /// The fields, in order: what ARNs are sorted by.
    fn fields(&self) -> [&str; 5] {
        [self.partition(), self.service(), self.region(), self.account(), self.resource()]
    }

    /// The resource type and name: `role/path/Name` → (`role`, `path/Name`).
    pub fn resource_type(&self) -> (&str, &str) {
        let resource = self.resource();
        resource.split_once('/').unwrap_or((resource, ""))
    }

    /// The IAM role ARN that an `assumed-role` session ARN belongs to.
    pub fn session_role(&self) -> Option<String> {
        let (kind, rest) = self.resource_type();
        if self.service() != "sts" || kind != "assumed-role" {
            return None;
        }
        let role = rest.rsplit_once('/').map_or(rest, |(role, _session)| role);
        Some(format!("arn:{}:iam::{}:role/{}", self.partition(), self.account(), role))
    }

    /// Whether this principal, as a policy names it, stands for the IAM user
    /// or role `arn`. An `assumed-role` session ARN never carries its role's
    /// path (`assumed-role/NAME/SESSION`, whatever the path of `role/PATH/NAME`),
    /// so it stands for the role of that name, partition and account, at any
    /// path; every other ARN stands for itself alone.
    pub fn names(&self, arn: &str) -> bool {
        let (kind, rest) = self.resource_type();
        if self.service() != "sts" || kind != "assumed-role" {
            return self.as_str() == arn;
        }
        let name = rest.rsplit_once('/').map_or(rest, |(role, _session)| role);
        Self::parse(arn).is_some_and(|a| {
            let (kind, path) = a.resource_type();
            a.service() == "iam"
                && kind == "role"
                && a.partition() == self.partition()
                && a.account() == self.account()
                && path.rsplit('/').next() == Some(name)
        })
    }
}

impl std::fmt::Display for Arn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::fmt::Debug for Arn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Arn")
            .field("partition", &self.partition())
            .field("service", &self.service())
            .field("region", &self.region())
            .field("account", &self.account())
            .field("resource", &self.resource())
            .finish()
    }
}

impl Ord for Arn {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.fields().cmp(&other.fields())
    }
}

impl PartialOrd for Arn {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// A 12-digit account id, or the account a template deploys to
/// ([`super::symbolic::is_stack_account`]).
pub fn is_account_id(s: &str) -> bool {
    (s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())) || super::symbolic::is_stack_account(s)
}

/// The account of an ARN string, when it has a concrete one.
pub fn account_of(arn: &str) -> Option<&str> {
    // The fifth `:`-separated field, found by bytes: the graph asks this of
    // every principal and role.
    let mut colons = arn.bytes().enumerate().filter(|&(_, b)| b == b':').map(|(i, _)| i);
    let start = colons.nth(3)? + 1;
    let account = &arn[start..colons.next().unwrap_or(arn.len())];
    is_account_id(account).then_some(account)
}

/// IAM unique-id prefixes: a principal written as one of these was deleted
/// (IAM shows the id where the ARN no longer resolves).
pub fn is_unique_id(s: &str) -> bool {
    const PREFIXES: [&str; 6] = ["AIDA", "AROA", "AGPA", "AIPA", "ANPA", "ANVA"];
    s.len() >= 16
        && PREFIXES.iter().any(|p| s.starts_with(p))
        && s.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_arns() {
        let a = Arn::parse("arn:aws:iam::123456789012:role/path/Admin").unwrap();
        assert_eq!(a.account(), "123456789012");
        assert_eq!(a.resource_type(), ("role", "path/Admin"));
        assert_eq!(a.to_string(), "arn:aws:iam::123456789012:role/path/Admin");
        assert!(Arn::parse("arn:aws:iam").is_none());
        let s = Arn::parse("arn:aws-cn:sts::123456789012:assumed-role/R/session").unwrap();
        assert_eq!(s.session_role().unwrap(), "arn:aws-cn:iam::123456789012:role/R");
        assert_eq!(account_of("arn:aws:iam::123456789012:root"), Some("123456789012"));
        assert_eq!(account_of("arn:aws:iam::123456789012"), Some("123456789012"));
        assert_eq!(account_of("arn:aws:iam::12345678901:root"), None);
        assert_eq!(account_of("arn:aws:iam:123456789012:root"), None);
        assert_eq!(account_of("123456789012"), None);
        assert_eq!(account_of(""), None);
        // Identity Center roles live under a path the session ARN leaves out.
        let sso =
            Arn::parse("arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Admin_abc/alice").unwrap();
        assert!(
            sso.names(
                "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_abc"
            )
        );
        assert!(sso.names("arn:aws:iam::111122223333:role/AWSReservedSSO_Admin_abc"));
        assert!(!sso.names("arn:aws:iam::444455556666:role/AWSReservedSSO_Admin_abc"));
        assert!(!sso.names("arn:aws-cn:iam::111122223333:role/AWSReservedSSO_Admin_abc"));
        assert!(!sso.names("arn:aws:iam::111122223333:role/other/AWSReservedSSO_Admin_abcd"));
        assert!(!sso.names("arn:aws:iam::111122223333:user/AWSReservedSSO_Admin_abc"));
        let role = Arn::parse("arn:aws:iam::111122223333:role/ops/deploy").unwrap();
        assert!(role.names("arn:aws:iam::111122223333:role/ops/deploy"));
        assert!(!role.names("arn:aws:iam::111122223333:role/deploy"));
        assert!(is_unique_id("AROA1234567890EXAMPLE"));
        assert!(!is_unique_id("arn:aws:iam::1:root"));
    }
}
