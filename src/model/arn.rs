//! Amazon Resource Names and the principal forms IAM accepts.

/// A parsed ARN: `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Arn {
    pub partition: String,
    pub service: String,
    pub region: String,
    pub account: String,
    pub resource: String,
}

/// The AWS partitions, including the isolated and sovereign ones.
pub const PARTITIONS: [&str; 8] =
    ["aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"];

impl Arn {
    pub fn parse(s: &str) -> Option<Self> {
        let mut parts = s.splitn(6, ':');
        if parts.next()? != "arn" {
            return None;
        }
        let partition = parts.next()?.to_owned();
        let service = parts.next()?.to_owned();
        let region = parts.next()?.to_owned();
        let account = parts.next()?.to_owned();
        let resource = parts.next()?.to_owned();
        Some(Self { partition, service, region, account, resource })
    }

    /// The resource type and name: `role/path/Name` → (`role`, `path/Name`).
    pub fn resource_type(&self) -> (&str, &str) {
        self.resource.split_once('/').unwrap_or((&self.resource, ""))
    }

    /// The IAM role ARN that an `assumed-role` session ARN belongs to.
    pub fn session_role(&self) -> Option<String> {
        let (kind, rest) = self.resource_type();
        if self.service != "sts" || kind != "assumed-role" {
            return None;
        }
        let role = rest.rsplit_once('/').map_or(rest, |(role, _session)| role);
        Some(format!("arn:{}:iam::{}:role/{}", self.partition, self.account, role))
    }

    /// Whether this principal, as a policy names it, stands for the IAM user
    /// or role `arn`. An `assumed-role` session ARN never carries its role's
    /// path (`assumed-role/NAME/SESSION`, whatever the path of `role/PATH/NAME`),
    /// so it stands for the role of that name, partition and account, at any
    /// path; every other ARN stands for itself alone.
    pub fn names(&self, arn: &str) -> bool {
        let (kind, rest) = self.resource_type();
        if self.service != "sts" || kind != "assumed-role" {
            return self.to_string() == arn;
        }
        let name = rest.rsplit_once('/').map_or(rest, |(role, _session)| role);
        Self::parse(arn).is_some_and(|a| {
            let (kind, path) = a.resource_type();
            a.service == "iam"
                && kind == "role"
                && a.partition == self.partition
                && a.account == self.account
                && path.rsplit('/').next() == Some(name)
        })
    }
}

impl std::fmt::Display for Arn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "arn:{}:{}:{}:{}:{}",
            self.partition, self.service, self.region, self.account, self.resource
        )
    }
}

/// A 12-digit account id, or the account a template deploys to
/// ([`super::symbolic::is_stack_account`]).
pub fn is_account_id(s: &str) -> bool {
    (s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())) || super::symbolic::is_stack_account(s)
}

/// The account of an ARN string, when it has a concrete one.
pub fn account_of(arn: &str) -> Option<&str> {
    let account = arn.split(':').nth(4)?;
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
        assert_eq!(a.account, "123456789012");
        assert_eq!(a.resource_type(), ("role", "path/Admin"));
        assert_eq!(a.to_string(), "arn:aws:iam::123456789012:role/path/Admin");
        assert!(Arn::parse("arn:aws:iam").is_none());
        let s = Arn::parse("arn:aws-cn:sts::123456789012:assumed-role/R/session").unwrap();
        assert_eq!(s.session_role().unwrap(), "arn:aws-cn:iam::123456789012:role/R");
        assert_eq!(account_of("arn:aws:iam::123456789012:root"), Some("123456789012"));
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
