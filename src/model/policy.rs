//! The policy model: what a policy document says, with the location of every
//! part of it.

use super::arn::Arn;
use crate::source::Span;
use crate::support::glob::{glob, glob_ci};

/// A JSON Pointer inside a policy document. Most (`/Statement/0/Action/3`)
/// are short enough to be kept inline, without an allocation of their own:
/// an export has hundreds of thousands of them.
pub type Pointer = compact_str::CompactString;

/// A value with the span it was written at (in the file the user wrote) and
/// its JSON Pointer inside the policy document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
    pub pointer: Pointer,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyKind {
    /// A role's trust policy (who may assume it).
    Trust,
    /// A policy attached to a user, group or role (no `Principal`).
    Identity,
    /// A resource policy other than a trust policy (a bucket policy, say).
    Resource,
}

#[derive(Debug, Clone)]
pub struct Policy {
    pub kind: PolicyKind,
    pub span: Span,
    pub statements: Vec<Statement>,
    /// Whether `${…}` in values are policy variables: only from `Version`
    /// 2012-10-17 on; before, they are literal text.
    pub variables: bool,
    /// A trust policy's characters without whitespace, as IAM counts it
    /// against the quota on its length; 0 for other policies.
    pub size: usize,
}

impl Policy {
    /// The `Allow` statements that name principals (not `NotPrincipal`),
    /// with their index: what a trust policy grants.
    pub fn grants(&self) -> impl Iterator<Item = (usize, &Statement, &Principals)> {
        self.statements.iter().enumerate().filter_map(|(i, s)| {
            let p = s.principal.as_ref().filter(|p| !p.negated && s.effect == Effect::Allow)?;
            Some((i, s, p))
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    Allow,
    Deny,
}

#[derive(Debug, Clone)]
pub struct Statement {
    pub pointer: Pointer,
    pub span: Span,
    pub effect: Effect,
    pub principal: Option<Principals>,
    pub actions: Actions,
    /// `Resource` or `NotResource`; `None` in a trust policy.
    pub resources: Option<Resources>,
    pub conditions: Vec<Condition>,
}

impl Statement {
    /// Where a finding about `key` (lowercase) belongs: the first value of the
    /// statement's condition on it, or `fallback` when there is none.
    pub fn value_of_or<'s>(&'s self, key: &str, fallback: &'s Spanned<String>) -> &'s Spanned<String> {
        self.conditions.iter().find(|c| c.key_lc == key).and_then(|c| c.values.first()).unwrap_or(fallback)
    }
}

/// `Resource` or `NotResource`.
#[derive(Debug, Clone, Default)]
pub struct Resources {
    pub negated: bool,
    pub items: Vec<Spanned<String>>,
}

impl Resources {
    /// Whether the statement applies to the resource `arn` (wildcards match
    /// case-sensitively, as IAM matches resource ARNs).
    pub fn covers(&self, arn: &str) -> bool {
        let hit = self.items.iter().any(|r| glob(&r.value, arn));
        hit != self.negated
    }
}

/// `Principal` or `NotPrincipal`.
#[derive(Debug, Clone)]
pub struct Principals {
    pub negated: bool,
    pub span: Span,
    pub entries: Vec<PrincipalEntry>,
}

#[derive(Debug, Clone)]
pub struct PrincipalEntry {
    pub principal: Principal,
    /// The value as written.
    pub text: Spanned<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// `"Principal": "*"` or `{"AWS": "*"}`: any AWS principal.
    Anyone,
    /// An account id or `arn:…:iam::ID:root`: whoever that account's own
    /// identity policies allow.
    Account {
        id: String,
    },
    /// An IAM user or role, an `assumed-role` session, a federated user.
    Arn(Arn),
    /// A unique id (`AROA…`, `AIDA…`): the principal was deleted.
    UniqueId(String),
    Service(String),
    Federated(Federated),
    CanonicalUser(String),
    /// A template expression the template does not settle (`!Ref Param`
    /// without a default, `var.account`): some principal, not known which.
    /// No rule reads it as anyone, as a third party or as yours.
    Symbolic,
    /// Malformed; lowering reported it.
    Invalid,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Federated {
    /// `arn:…:iam::ID:oidc-provider/HOST/PATH`.
    Oidc { account: String, issuer: String },
    /// `arn:…:iam::ID:saml-provider/NAME`.
    Saml { account: String, name: String },
    /// A web identity provider named by host: `cognito-identity.amazonaws.com`,
    /// `accounts.google.com`, `www.amazon.com`, `graph.facebook.com`.
    WebIdentity(String),
}

/// `Action` or `NotAction`.
#[derive(Debug, Clone, Default)]
pub struct Actions {
    pub negated: bool,
    pub items: Vec<Spanned<String>>,
}

impl Actions {
    /// Whether the statement applies to `action` (`service:Name`), honouring
    /// case-insensitivity, wildcards and `NotAction`.
    pub fn covers(&self, action: &str) -> bool {
        let hit = self.items.iter().any(|a| glob_ci(&a.value, action));
        hit != self.negated
    }
}

#[derive(Debug, Clone)]
pub struct Condition {
    pub operator: Spanned<Operator>,
    /// The key as written.
    pub key: Spanned<String>,
    /// The key lowercased: condition keys are case-insensitive.
    pub key_lc: String,
    pub values: Vec<Spanned<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operator {
    pub quantifier: Option<Quantifier>,
    pub base: BaseOp,
    pub if_exists: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantifier {
    ForAnyValue,
    ForAllValues,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BaseOp {
    StringEquals,
    StringNotEquals,
    StringEqualsIgnoreCase,
    StringNotEqualsIgnoreCase,
    StringLike,
    StringNotLike,
    NumericEquals,
    NumericNotEquals,
    NumericLessThan,
    NumericLessThanEquals,
    NumericGreaterThan,
    NumericGreaterThanEquals,
    DateEquals,
    DateNotEquals,
    DateLessThan,
    DateLessThanEquals,
    DateGreaterThan,
    DateGreaterThanEquals,
    Bool,
    BinaryEquals,
    IpAddress,
    NotIpAddress,
    ArnEquals,
    ArnLike,
    ArnNotEquals,
    ArnNotLike,
    Null,
}

impl BaseOp {
    const ALL: [(&'static str, Self); 27] = [
        ("StringEquals", Self::StringEquals),
        ("StringNotEquals", Self::StringNotEquals),
        ("StringEqualsIgnoreCase", Self::StringEqualsIgnoreCase),
        ("StringNotEqualsIgnoreCase", Self::StringNotEqualsIgnoreCase),
        ("StringLike", Self::StringLike),
        ("StringNotLike", Self::StringNotLike),
        ("NumericEquals", Self::NumericEquals),
        ("NumericNotEquals", Self::NumericNotEquals),
        ("NumericLessThan", Self::NumericLessThan),
        ("NumericLessThanEquals", Self::NumericLessThanEquals),
        ("NumericGreaterThan", Self::NumericGreaterThan),
        ("NumericGreaterThanEquals", Self::NumericGreaterThanEquals),
        ("DateEquals", Self::DateEquals),
        ("DateNotEquals", Self::DateNotEquals),
        ("DateLessThan", Self::DateLessThan),
        ("DateLessThanEquals", Self::DateLessThanEquals),
        ("DateGreaterThan", Self::DateGreaterThan),
        ("DateGreaterThanEquals", Self::DateGreaterThanEquals),
        ("Bool", Self::Bool),
        ("BinaryEquals", Self::BinaryEquals),
        ("IpAddress", Self::IpAddress),
        ("NotIpAddress", Self::NotIpAddress),
        ("ArnEquals", Self::ArnEquals),
        ("ArnLike", Self::ArnLike),
        ("ArnNotEquals", Self::ArnNotEquals),
        ("ArnNotLike", Self::ArnNotLike),
        ("Null", Self::Null),
    ];

    /// Negated operators: their values combine with NOR, and they are true
    /// when the key is absent.
    pub const fn is_negated(self) -> bool {
        matches!(
            self,
            Self::StringNotEquals
                | Self::StringNotEqualsIgnoreCase
                | Self::StringNotLike
                | Self::NumericNotEquals
                | Self::DateNotEquals
                | Self::NotIpAddress
                | Self::ArnNotEquals
                | Self::ArnNotLike
        )
    }
}

impl Operator {
    /// Parses `ForAnyValue:StringLikeIfExists` and friends. Operator names
    /// are matched case-insensitively.
    pub fn parse(s: &str) -> Option<Self> {
        let (quantifier, rest) = match s.split_once(':') {
            Some((q, rest)) if q.eq_ignore_ascii_case("ForAnyValue") => (Some(Quantifier::ForAnyValue), rest),
            Some((q, rest)) if q.eq_ignore_ascii_case("ForAllValues") => {
                (Some(Quantifier::ForAllValues), rest)
            }
            Some(_) => return None,
            None => (None, s),
        };
        let (name, if_exists) = match rest.len().checked_sub(8) {
            Some(cut) if rest.is_char_boundary(cut) && rest[cut..].eq_ignore_ascii_case("IfExists") => {
                (&rest[..cut], true)
            }
            _ => (rest, false),
        };
        let base = BaseOp::ALL.iter().find(|(n, _)| n.eq_ignore_ascii_case(name))?.1;
        if base == BaseOp::Null && (if_exists || quantifier.is_some()) {
            return None;
        }
        Some(Self { quantifier, base, if_exists })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_operators() {
        let op = Operator::parse("ForAnyValue:StringLikeIfExists").unwrap();
        assert_eq!(op.quantifier, Some(Quantifier::ForAnyValue));
        assert_eq!(op.base, BaseOp::StringLike);
        assert!(op.if_exists);
        assert_eq!(Operator::parse("stringequals").unwrap().base, BaseOp::StringEquals);
        assert!(Operator::parse("StringSort").is_none());
        assert!(Operator::parse("NullIfExists").is_none());
        assert!(Operator::parse("Maybe:StringLike").is_none());
    }
}
