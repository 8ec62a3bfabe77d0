//! The evaluation core: can a given kind of caller satisfy a policy?
//!
//! Rules never pattern-match JSON. They describe a caller as a [`Scenario`] —
//! which context keys are fixed, which the caller chooses, which are unknown
//! to the policy's author — and ask [`allows`] whether some request from that
//! caller is allowed by one `Allow` statement and escapes every `Deny`. The
//! answer follows IAM's evaluation: keys AND, values OR, negated operators
//! NOR and true on an absent key, `…IfExists`, `ForAnyValue`/`ForAllValues`,
//! `Null`, policy variables, and explicit Deny wins.
//!
//! The search is concrete: each key gets a short list of candidate values —
//! its fixed value, or the values the policy itself names (wildcards filled
//! in), a value no literal names, and absence where the caller may omit it —
//! and the combinations are tried. Conditions only ever compare a key with the
//! policy's own literals, so these candidates reach every outcome that matters.

mod condition;
pub mod keys;
pub mod providers;

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

pub use crate::support::glob::{glob, glob_ci};
pub use condition::{cidr_contains, date, matches};

use crate::model::arn::{Arn, account_of, is_account_id};
use crate::model::policy::{BaseOp, Condition, Effect, Federated, Policy, Principal, Quantifier, Statement};

/// The assume actions.
pub const ASSUME_ROLE: &str = "sts:AssumeRole";
pub const ASSUME_ROLE_WITH_WEB_IDENTITY: &str = "sts:AssumeRoleWithWebIdentity";
pub const ASSUME_ROLE_WITH_SAML: &str = "sts:AssumeRoleWithSAML";

/// What a caller presents for one context key.
#[derive(Debug, Clone)]
pub enum Domain {
    /// Never in the request.
    Absent,
    /// Always this value.
    Fixed(String),
    /// The caller picks any value, or leaves the key out when `optional`.
    Free { optional: bool },
    /// Like `Free`, but never a value that starts with one of `prefixes`
    /// (case-insensitive): an organization that is not yours.
    FreeExcept { prefixes: Vec<String>, optional: bool },
    /// A value that no literal in the policy names exactly (a secret the
    /// caller does not know), or absence when `optional`.
    Unknown { optional: bool },
    /// The ARN of some principal in this account; the caller picks which.
    ArnIn { account: String },
    /// A value the caller makes in its own tenant of a shared identity
    /// provider (another GitHub organization, say): `rewrite` turns each
    /// literal the policy names into the caller's own version of it, and
    /// `default` is what it sends when no literal helps.
    Foreign { rewrite: fn(&str) -> Option<String>, default: &'static str },
}

/// Who is calling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// An IAM user or role session; its account and ARN are the context keys
    /// `aws:PrincipalAccount` and `aws:PrincipalArn`.
    Aws,
    Service(String),
    Federated(Federated),
}

/// A caller and what it can put in the request context.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub caller: Caller,
    pub action: &'static str,
    /// Lowercased key (or key prefix ending in `/`) → domain; the keys the
    /// constructors set are borrowed, not allocated for every scenario.
    keys: Vec<(Cow<'static, str>, Domain)>,
    default: Domain,
}

/// Whether a federated caller's request can never hold `key` (see
/// [`Scenario::never_carries`]), asked without making the scenario.
pub fn never_carried(f: &Federated, key: &str) -> bool {
    let Some((prefix, _)) = crate::support::split_at_byte(key, b':') else { return false };
    match f {
        Federated::Saml { .. } => keys::is_claim_prefix(prefix),
        _ => {
            prefix == "saml"
                || (keys::is_claim_prefix(prefix)
                    && providers::key_prefix(f).is_some_and(|own| own != prefix))
        }
    }
}

/// What the analysis knows about the accounts involved.
#[derive(Debug, Clone, Default)]
pub struct Env {
    /// Accounts known to be yours (shared by every policy of an analysis).
    pub trusted_accounts: std::sync::Arc<BTreeSet<String>>,
    pub org_id: Option<String>,
    /// The account of the role the policy belongs to, when known.
    pub role_account: Option<String>,
}

impl Env {
    /// Your accounts and organization, for a policy whose role lives in
    /// `role_account` (when known).
    pub fn new(
        trusted_accounts: &std::sync::Arc<BTreeSet<String>>,
        org_id: Option<&str>,
        role_account: Option<&str>,
    ) -> Self {
        Self {
            trusted_accounts: std::sync::Arc::clone(trusted_accounts),
            org_id: org_id.map(str::to_owned),
            role_account: role_account.map(str::to_owned),
        }
    }

    pub fn is_trusted(&self, account: &str) -> bool {
        self.role_account.as_deref() == Some(account) || self.trusted_accounts.contains(account)
    }
}

impl Scenario {
    pub fn new(caller: Caller, action: &'static str) -> Self {
        Self { caller, action, keys: Vec::new(), default: Domain::Free { optional: true } }
    }

    #[must_use]
    pub fn with(mut self, key: &str, domain: Domain) -> Self {
        let key = key.to_ascii_lowercase();
        self.keys.retain(|(k, _)| *k != key);
        self.keys.push((Cow::Owned(key), domain));
        self
    }

    /// [`Self::with`] for a key written in lowercase.
    fn set(mut self, key: &'static str, domain: Domain) -> Self {
        debug_assert!(!key.bytes().any(|b| b.is_ascii_uppercase()));
        self.keys.retain(|(k, _)| k != key);
        self.keys.push((Cow::Borrowed(key), domain));
        self
    }

    pub fn domain(&self, key: &str) -> &Domain {
        const ABSENT: Domain = Domain::Absent;
        self.keys
            .iter()
            .find(|(k, _)| k == key)
            .or_else(|| {
                // Only a key with a `/` can be under a prefix.
                memchr::memchr(b'/', key.as_bytes())?;
                self.keys.iter().find(|(k, _)| k.ends_with('/') && key.starts_with(k.as_ref()))
            })
            .map_or(
                if keys::known_key(key) && !self.never_carries(key) { &self.default } else { &ABSENT },
                |(_, d)| d,
            )
    }

    /// Whether the caller's request can never hold `key`: a federated
    /// caller's token carries the claims of its own provider only (keys
    /// prefixed by its issuer), not another provider's, and a web identity
    /// token no `saml:` keys.
    pub fn never_carries(&self, key: &str) -> bool {
        let Caller::Federated(f) = &self.caller else { return false };
        never_carried(f, key)
    }

    /// An IAM principal in `account` calling `sts:AssumeRole` directly. It
    /// controls its own name, tags, MFA, network and session; `knows_external_id`
    /// says whether it can supply the external id the policy expects.
    pub fn aws_principal(account: &str, knows_external_id: bool, env: &Env) -> Self {
        let org = match &env.org_id {
            Some(org) => Domain::FreeExcept { prefixes: vec![org.clone()], optional: true },
            None => Domain::Unknown { optional: true },
        };
        // Distinct lowercase keys: the list is written out, not built key
        // by key (every rule and every graph edge makes one of these).
        let keys = vec![
            (Cow::Borrowed("aws:principalaccount"), Domain::Fixed(account.to_owned())),
            (Cow::Borrowed("aws:principalarn"), Domain::ArnIn { account: account.to_owned() }),
            (Cow::Borrowed("aws:principalorgid"), org.clone()),
            (Cow::Borrowed("aws:principalorgpaths"), org),
            (Cow::Borrowed("aws:principalisawsservice"), Domain::Fixed("false".into())),
            (Cow::Borrowed("aws:principalservicename"), Domain::Absent),
            (Cow::Borrowed("aws:principalservicenameslist"), Domain::Absent),
            (Cow::Borrowed("aws:sourceaccount"), Domain::Absent),
            (Cow::Borrowed("aws:sourcearn"), Domain::Absent),
            (Cow::Borrowed("aws:sourceorgid"), Domain::Absent),
            (Cow::Borrowed("aws:sourceorgpaths"), Domain::Absent),
            (Cow::Borrowed("aws:sourceowner"), Domain::Absent),
            (Cow::Borrowed("aws:principaltype"), Domain::Free { optional: false }),
            (
                Cow::Borrowed("sts:externalid"),
                if knows_external_id {
                    Domain::Free { optional: true }
                } else {
                    Domain::Unknown { optional: true }
                },
            ),
            // The role's own account is always in the request: fixed when
            // known, otherwise some value only the policy's literals can name.
            (
                Cow::Borrowed("aws:resourceaccount"),
                match &env.role_account {
                    Some(acct) => Domain::Fixed(acct.clone()),
                    None => Domain::Free { optional: false },
                },
            ),
        ];
        Self { keys, ..Self::new(Caller::Aws, ASSUME_ROLE) }
    }
}

impl Scenario {
    /// A specific IAM user or role (or a session of it) calling
    /// `sts:AssumeRole`.
    pub fn aws_arn(arn: &str, knows_external_id: bool, env: &Env) -> Self {
        let account = account_of(arn).unwrap_or_default();
        Self::aws_principal(account, knows_external_id, env)
            .set("aws:principalarn", Domain::Fixed(arn.to_owned()))
    }

    /// An AWS service acting through its service principal.
    pub fn service(name: &str) -> Self {
        Self::new(Caller::Service(name.to_owned()), ASSUME_ROLE)
            .set("aws:principalisawsservice", Domain::Fixed("true".into()))
            .set("aws:principalservicename", Domain::Fixed(name.to_owned()))
            .set("aws:principalaccount", Domain::Absent)
            .set("aws:principalarn", Domain::Absent)
    }

    /// A federated identity presenting a token or assertion of `provider`.
    pub fn federated(provider: Federated) -> Self {
        let action = match provider {
            Federated::Saml { .. } => ASSUME_ROLE_WITH_SAML,
            _ => ASSUME_ROLE_WITH_WEB_IDENTITY,
        };
        Self::new(Caller::Federated(provider), action)
            .set("aws:principalaccount", Domain::Absent)
            .set("aws:principalarn", Domain::Absent)
            .set("aws:principalorgid", Domain::Absent)
    }
}

/// An account id that appears nowhere in the policy and is not trusted: the
/// account of a caller nobody named.
pub fn fresh_account(policy: &Policy, env: &Env) -> String {
    let mut named = BTreeSet::new();
    let mut note = |s: &str| {
        for w in s.split(|c: char| !c.is_ascii_digit()) {
            if is_account_id(w) {
                named.insert(w.to_owned());
            }
        }
    };
    for s in &policy.statements {
        for e in s.principal.iter().flat_map(|p| &p.entries) {
            note(&e.text.value);
        }
        for c in &s.conditions {
            c.values.iter().for_each(|v| note(&v.value));
        }
    }
    (0u64..1_000_000_000_000)
        .map(|n| format!("{n:012}"))
        .find(|a| !named.contains(a) && !env.is_trusted(a))
        .unwrap_or_default()
}

/// One request context found by the search: the value chosen for each key
/// (`None` = absent).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Witness {
    pub values: BTreeMap<String, Option<String>>,
}

impl Witness {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.values.get(key).and_then(|v| v.as_deref())
    }
}

/// Searches stop after this many combinations and then assume the request
/// can be allowed (a linter errs towards reporting).
const SEARCH_BUDGET: usize = 100_000;

/// Whether some request from the scenario's caller is allowed by the `Allow`
/// statement `target` of `policy` and denied by none of its `Deny`
/// statements. Returns the request context that gets through.
pub fn allows(policy: &Policy, target: usize, sc: &Scenario) -> Option<Witness> {
    search_request(policy, target, sc, true, |found| Witness {
        values: found.iter().map(|(k, v)| ((*k).to_owned(), v.map(str::to_owned))).collect(),
    })
}

/// [`allows`], for a caller that needs only the yes or no (no request
/// context is built).
pub fn admits(policy: &Policy, target: usize, sc: &Scenario) -> bool {
    search_request(policy, target, sc, false, |_| ()).is_some()
}

/// The search of [`allows`]; `found` makes the answer of the request that
/// gets through, with every key of the caller when `witness`, else with
/// the keys the decision reads.
fn search_request<R>(
    policy: &Policy,
    target: usize,
    sc: &Scenario,
    witness: bool,
    found: impl FnOnce(&[(&str, Option<&str>)]) -> R,
) -> Option<R> {
    let stmt = policy.statements.get(target)?;
    if stmt.effect != Effect::Allow || !stmt.actions.covers(sc.action) {
        return None;
    }
    let denies: Vec<&Statement> = policy
        .statements
        .iter()
        .filter(|s| s.effect == Effect::Deny && s.actions.covers(sc.action))
        .collect();
    let relevant: Vec<&Statement> = std::iter::once(stmt).chain(denies.iter().copied()).collect();

    // Every key the decision can depend on, with its candidate values.
    // A short list, sorted and without repeats once it is whole.
    let mut keys: Vec<Cow<'_, str>> = Vec::new();
    for s in &relevant {
        for c in &s.conditions {
            keys.push(Cow::Borrowed(&c.key_lc));
            if policy.variables {
                for v in &c.values {
                    keys.extend(variables(&v.value).into_iter().map(Cow::Owned));
                }
            }
        }
    }
    if sc.caller == Caller::Aws {
        // The caller's account and ARN are read by the principals that name
        // an account or an ARN. A key nothing reads changes no answer: it
        // is searched only for a witness, or when its domain may leave no
        // value (then no request gets through).
        let names = |kind: fn(&Principal) -> bool| {
            relevant
                .iter()
                .flat_map(|s| s.principal.iter().flat_map(|p| &p.entries))
                .any(|e| kind(&e.principal))
        };
        let read = |key: &str, kind: fn(&Principal) -> bool| {
            witness || names(kind) || matches!(sc.domain(key), Domain::FreeExcept { .. })
        };
        if read("aws:principalaccount", |p| matches!(p, Principal::Account { .. })) {
            keys.push(Cow::Borrowed("aws:principalaccount"));
        }
        if read("aws:principalarn", |p| matches!(p, Principal::Arn(_))) {
            keys.push(Cow::Borrowed("aws:principalarn"));
        }
    }
    keys.sort_unstable();
    keys.dedup();
    let mut axes: Vec<(Cow<'_, str>, Vec<Option<String>>)> = Vec::with_capacity(keys.len());
    for key in keys {
        let mut cands = candidates(&key, sc.domain(&key), policy, &relevant);
        // Keep only values that cannot make the target's own conditions on
        // this key false (conditions with variables are checked at the leaf).
        cands.retain(|c| {
            let pair = [(key.as_ref(), c.as_deref())];
            let one = Ctx { keys: &pair, variables: policy.variables };
            stmt.conditions
                .iter()
                .filter(|cond| cond.key_lc == key && !cond.values.iter().any(|v| has_variable(&v.value)))
                .all(|cond| eval_condition(cond, &one, Polarity::Allow))
        });
        if cands.is_empty() {
            return None;
        }
        axes.push((key, cands));
    }

    // The context under construction: every key, with the value chosen so
    // far for each (one buffer for the whole search).
    let mut chosen: Vec<(&str, Option<&str>)> = axes.iter().map(|(k, _)| (k.as_ref(), None)).collect();
    let mut budget = SEARCH_BUDGET;
    let through = search(&axes, 0, &mut chosen, &mut budget, policy.variables, &|ctx| {
        statement_applies(stmt, sc, ctx, Polarity::Allow)
            && denies.iter().all(|d| !statement_applies(d, sc, ctx, Polarity::Deny))
    });
    through.then(|| found(&chosen))
}

fn search<'a>(
    axes: &'a [(Cow<'_, str>, Vec<Option<String>>)],
    depth: usize,
    chosen: &mut Vec<(&'a str, Option<&'a str>)>,
    budget: &mut usize,
    variables: bool,
    ok: &dyn Fn(&Ctx<'_, '_>) -> bool,
) -> bool {
    // A request that gets through leaves its values in `chosen`.
    if depth == axes.len() {
        if *budget == 0 {
            return true;
        }
        *budget -= 1;
        return ok(&Ctx { keys: chosen, variables });
    }
    for c in &axes[depth].1 {
        chosen[depth].1 = c.as_deref();
        if search(axes, depth + 1, chosen, budget, variables, ok) {
            return true;
        }
    }
    false
}

/// A request context: lowercased key → value (`None` = absent). Keys not
/// listed are unknown.
struct Ctx<'c, 'a> {
    keys: &'c [(&'a str, Option<&'a str>)],
    /// Whether `${…}` in policy values are variables (see `Policy::variables`).
    variables: bool,
}

impl<'a> Ctx<'_, 'a> {
    /// `None` when the key is not part of this context at all (unknown),
    /// `Some(None)` when it is known to be absent.
    #[allow(clippy::option_option)]
    fn get(&self, key: &str) -> Option<Option<&'a str>> {
        self.keys.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
    }
}

/// Which outcome the caller hopes for: an `Allow` that applies, a `Deny`
/// that does not. Conditions whose outcome is unknown resolve in the
/// caller's favour.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Polarity {
    Allow,
    Deny,
}

fn statement_applies(s: &Statement, sc: &Scenario, ctx: &Ctx<'_, '_>, polarity: Polarity) -> bool {
    let principal_ok = s.principal.as_ref().is_some_and(|p| {
        let hit = p.entries.iter().any(|e| principal_matches(&e.principal, sc, ctx));
        hit != p.negated
    });
    principal_ok
        && s.actions.covers(sc.action)
        && s.conditions.iter().all(|c| eval_condition(c, ctx, polarity))
}

fn principal_matches(p: &Principal, sc: &Scenario, ctx: &Ctx<'_, '_>) -> bool {
    let aws_key = |k: &str| ctx.get(k).flatten();
    match (p, &sc.caller) {
        (Principal::Anyone, _) => true,
        (Principal::Account { id }, Caller::Aws) => aws_key("aws:principalaccount") == Some(id.as_str()),
        (Principal::Arn(arn), Caller::Aws) => aws_key("aws:principalarn").is_some_and(|v| arn.names(v)),
        (Principal::Service(s), Caller::Service(c)) => s.eq_ignore_ascii_case(c),
        (Principal::Federated(f), Caller::Federated(c)) => federated_eq(f, c),
        _ => false,
    }
}

fn federated_eq(a: &Federated, b: &Federated) -> bool {
    match (a, b) {
        (Federated::Oidc { account: a1, issuer: i1 }, Federated::Oidc { account: a2, issuer: i2 }) => {
            a1 == a2 && i1.eq_ignore_ascii_case(i2)
        }
        _ => a == b,
    }
}

fn eval_condition(c: &Condition, ctx: &Ctx<'_, '_>, polarity: Polarity) -> bool {
    let favourable = polarity == Polarity::Allow;
    let Some(value) = ctx.get(&c.key_lc) else {
        return favourable;
    };
    let op = c.operator.value;
    if op.base == BaseOp::Null {
        // `Null: true` holds when the key is absent.
        let wants_absent = c.values.iter().map(|v| v.value.eq_ignore_ascii_case("true"));
        return wants_absent.into_iter().any(|w| w == value.is_none());
    }
    let Some(v) = value else {
        return match op.quantifier {
            _ if op.if_exists => true,
            Some(Quantifier::ForAllValues) => true,
            Some(Quantifier::ForAnyValue) => false,
            None => op.base.is_negated(),
        };
    };
    // Positive match against any policy value (values OR).
    let mut any: Option<bool> = Some(false);
    for p in &c.values {
        let hit = match substitute(&p.value, ctx) {
            Some(p) => matches(op.base, &p, v),
            None => None,
        };
        any = match (any, hit) {
            (Some(true), _) | (_, Some(true)) => Some(true),
            (None, _) | (_, None) => None,
            _ => Some(false),
        };
    }
    let result = if op.base.is_negated() { any.map(|b| !b) } else { any };
    result.unwrap_or(favourable)
}

/// Whether a value has a `${`: the start of a policy variable. Most have
/// no `$` at all, found at once by a byte search.
pub fn has_variable(s: &str) -> bool {
    let bytes = s.as_bytes();
    memchr::memchr_iter(b'$', bytes).any(|i| bytes.get(i + 1) == Some(&b'{'))
}

/// The policy variables (`${aws:username}`) a value refers to, lowercased.
fn variables(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    if !has_variable(s) {
        return out;
    }
    let mut rest = s;
    while let Some(i) = rest.find("${") {
        let Some(j) = rest[i..].find('}') else { break };
        let inner = &rest[i + 2..i + j];
        let name = inner.split(',').next().unwrap_or("").trim();
        if !matches!(name, "*" | "?" | "$") {
            out.push(name.to_ascii_lowercase());
        }
        rest = &rest[i + j + 1..];
    }
    out
}

/// Replaces policy variables by their values in the context; `None` when a
/// variable's value is not known.
fn substitute<'a>(s: &'a str, ctx: &Ctx<'_, '_>) -> Option<Cow<'a, str>> {
    if !ctx.variables || !has_variable(s) {
        return Some(Cow::Borrowed(s));
    }
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("${") {
        out.push_str(&rest[..i]);
        let j = rest[i..].find('}')?;
        let inner = &rest[i + 2..i + j];
        let (name, default) = match inner.split_once(',') {
            Some((n, d)) => (n.trim(), Some(d.trim().trim_matches('\''))),
            None => (inner.trim(), None),
        };
        match name {
            "*" | "?" | "$" => out.push_str(name),
            _ => match (ctx.get(&name.to_ascii_lowercase()).flatten(), default) {
                (Some(v), _) => out.push_str(v),
                (None, Some(d)) => out.push_str(d),
                (None, None) => return None,
            },
        }
        rest = &rest[i + j + 1..];
    }
    out.push_str(rest);
    Some(Cow::Owned(out))
}

/// A concrete value that matches a literal pattern: wildcards filled in,
/// variables dropped.
pub fn instantiate(pattern: &str) -> String {
    if !pattern.contains(['$', '*', '?']) {
        return pattern.to_owned();
    }
    let mut out = String::new();
    let mut rest = pattern;
    while let Some(i) = rest.find("${") {
        out.push_str(&rest[..i]);
        match rest[i..].find('}') {
            Some(j) => rest = &rest[i + j + 1..],
            None => rest = "",
        }
    }
    out.push_str(rest);
    out.replace('*', "").replace('?', "a")
}

/// Values that no plausible literal names: used for keys the caller does not
/// know the expected value of.
const UNNAMED: &str = "trustlint-unnamed-value";

fn candidates(key: &str, domain: &Domain, policy: &Policy, relevant: &[&Statement]) -> Vec<Option<String>> {
    // What the policy compares this key with.
    let mut literals: Vec<(BaseOp, &str)> = Vec::new();
    for s in relevant {
        for c in s.conditions.iter().filter(|c| c.key_lc == key) {
            literals.extend(c.values.iter().map(|v| (c.operator.value.base, v.value.as_str())));
        }
    }
    let mut out: Vec<Option<String>> = Vec::new();
    let mut push = |v: Option<String>| {
        if !out.contains(&v) {
            out.push(v);
        }
    };
    match domain {
        Domain::Absent => push(None),
        Domain::Fixed(v) => push(Some(v.clone())),
        Domain::Free { optional } | Domain::FreeExcept { optional, .. } => {
            if *optional {
                push(None);
            }
            for (op, lit) in &literals {
                for v in derived_values(*op, lit) {
                    push(Some(v));
                }
            }
            push(Some(UNNAMED.to_owned()));
            push(Some(String::new()));
        }
        Domain::Unknown { optional } => {
            if *optional {
                push(None);
            }
            push(Some(unnamed_like(key, &literals)));
            if key.ends_with("arn") {
                // Someone else's resource: each ARN the policy names, in an
                // account it does not name.
                for (_, lit) in &literals {
                    if let Some(arn) = Arn::parse(&instantiate(lit)) {
                        let account = unnamed_account(&literals);
                        push(Some(arn.with(arn.partition(), arn.service(), arn.region(), &account)));
                    }
                }
            }
        }
        Domain::Foreign { rewrite, default } => {
            for (_, lit) in &literals {
                if let Some(v) = rewrite(lit) {
                    push(Some(v));
                }
            }
            push(Some((*default).to_owned()));
        }
        Domain::ArnIn { account } => {
            // Each ARN the policy names, moved into the caller's account:
            // the literals, then the principals (a session as its role).
            let moved = |arn: &Arn| {
                let partition = if arn.partition().is_empty() { "aws" } else { arn.partition() };
                arn.with(partition, "iam", "", account)
            };
            let named = |text: &str| Arn::parse(&instantiate(text)).map(|arn| moved(&arn));
            for (_, lit) in &literals {
                if let Some(arn) = named(lit) {
                    push(Some(arn));
                }
            }
            for e in policy.statements.iter().flat_map(|s| s.principal.iter().flat_map(|p| &p.entries)) {
                let Principal::Arn(a) = &e.principal else { continue };
                let arn = match a.session_role() {
                    Some(role) => named(&role),
                    // Already parsed, and nothing to fill in.
                    None if !a.as_str().contains(['$', '*', '?']) => Some(moved(a)),
                    None => named(a.as_str()),
                };
                if let Some(arn) = arn {
                    push(Some(arn));
                }
            }
            push(Some(["arn:aws:iam::", account, ":user/trustlint-unnamed"].concat()));
        }
    }
    if let Domain::FreeExcept { prefixes, .. } = domain {
        out.retain(|v| {
            v.as_deref()
                .is_none_or(|v| !prefixes.iter().any(|p| v.to_lowercase().starts_with(&p.to_lowercase())))
        });
    }
    out
}

/// Values a caller who controls the key would try against one literal.
fn derived_values(op: BaseOp, lit: &str) -> Vec<String> {
    use BaseOp as B;
    let base = instantiate(lit);
    match op {
        B::NumericEquals
        | B::NumericNotEquals
        | B::NumericLessThan
        | B::NumericLessThanEquals
        | B::NumericGreaterThan
        | B::NumericGreaterThanEquals => match base.trim().parse::<f64>() {
            Ok(n) => vec![fmt_num(n - 1.0), base.clone(), fmt_num(n + 1.0)],
            Err(_) => vec![base],
        },
        B::DateEquals
        | B::DateNotEquals
        | B::DateLessThan
        | B::DateLessThanEquals
        | B::DateGreaterThan
        | B::DateGreaterThanEquals => match date(&base) {
            Some(t) => vec![(t - 1).to_string(), t.to_string(), (t + 1).to_string()],
            None => vec![base],
        },
        B::Bool => vec!["true".into(), "false".into()],
        B::IpAddress | B::NotIpAddress => {
            let addr = base.split('/').next().unwrap_or("").to_owned();
            vec![addr, "192.0.2.1".into(), "2001:db8::1".into()]
        }
        _ => vec![base],
    }
}

fn fmt_num(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        #[allow(clippy::cast_possible_truncation)]
        let i = n as i64;
        i.to_string()
    } else {
        n.to_string()
    }
}

/// A 12-digit account that no literal names.
fn unnamed_account(literals: &[(BaseOp, &str)]) -> String {
    (0u64..1_000_000)
        .map(|n| format!("{:012}", 999_999_999_999 - n))
        .find(|a| !literals.iter().any(|(_, l)| l.contains(a.as_str())))
        .unwrap_or_default()
}

/// A value of the key's usual shape that equals none of the literals, so
/// patterns such as `o-*` or `*` still match it but exact values do not.
fn unnamed_like(key: &str, literals: &[(BaseOp, &str)]) -> String {
    let shaped = match key {
        "aws:principalorgid" | "aws:sourceorgid" | "aws:resourceorgid" => "o-unnamed0000",
        "aws:principalorgpaths" | "aws:sourceorgpaths" => "o-unnamed0000/r-unnamed/ou-unnamed-unnamed/",
        _ => UNNAMED,
    };
    let mut v = shaped.to_owned();
    while literals.iter().any(|(_, l)| *l == v) {
        v.push('x');
    }
    v
}

/// The account a principal belongs to, when it names one.
pub fn principal_account(p: &Principal) -> Option<&str> {
    match p {
        Principal::Account { id } => Some(id),
        Principal::Arn(arn) => Some(arn.account()),
        _ => None,
    }
}

/// Twelve-digit accounts that any condition of any statement of the policy
/// names for `keys`, whatever the operator: an `Allow` can pin a `*` to
/// them, a `Deny` can spare them (`StringNotEquals` in a "deny unless"). Only
/// candidates: [`allows`] says which of them a statement admits.
pub fn accounts_named_in(policy: &Policy, keys: &[&str]) -> BTreeSet<String> {
    policy
        .statements
        .iter()
        .flat_map(|s| &s.conditions)
        .filter(|c| keys.contains(&c.key_lc.as_str()))
        .flat_map(|c| &c.values)
        .filter_map(|v| {
            if is_account_id(&v.value) {
                Some(v.value.clone())
            } else {
                account_of(&v.value).map(str::to_owned)
            }
        })
        .collect()
}

#[cfg(test)]
mod tests;
