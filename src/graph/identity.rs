//! The identity side of an assume: which roles a principal's own policies
//! (inline, attached, its groups', bounded by its permissions boundary) let
//! it call `sts:AssumeRole` on.

use std::fmt::Write;

use crate::analysis::Inventory;
use crate::eval::ASSUME_ROLE;
use crate::model::{Effect, Statement};
use crate::sources::{Entity, OwnerKind};

/// A statement of a policy unit.
pub type StatementRef = (usize, usize);

/// The statements that decide whether a principal may call
/// `sts:AssumeRole`, and on what.
#[derive(Debug, Clone, Default)]
pub struct Permissions {
    pub allow: Vec<StatementRef>,
    pub deny: Vec<StatementRef>,
    /// `None`: no boundary (or one not in the data). `Some`: its allows.
    pub boundary: Option<Vec<StatementRef>>,
    /// Whether an allow covers every role (`*`, an AWS managed grant): the
    /// graph asks a group about every role its account's trusts admit.
    allows_any: bool,
    /// The denies without conditions, the only ones the graph applies.
    hard_deny: Vec<StatementRef>,
}

/// AWS managed policies that an export names but does not include, with
/// what they allow of `sts:AssumeRole` (from their published documents).
const AWS_MANAGED_ASSUME_ANY: [&str; 2] =
    ["arn:aws:iam::aws:policy/AdministratorAccess", "arn:aws:iam::aws:policy/PowerUserAccess"];

impl Permissions {
    /// Collects an entity's permissions; `groups` finds a user's groups.
    pub fn of(inv: &Inventory, e: &Entity, groups: &dyn Fn(&str) -> Option<usize>) -> Self {
        let mut units: Vec<usize> = e.inline.clone();
        let mut managed: Vec<&str> = e.managed.iter().map(String::as_str).collect();
        if e.kind == Some(OwnerKind::User) {
            for g in e.groups.iter().filter_map(|g| groups(g)) {
                units.extend(&inv.entities[g].inline);
                managed.extend(inv.entities[g].managed.iter().map(String::as_str));
            }
        }
        let mut p = Self::default();
        let mut assume_any = false;
        for arn in managed {
            match inv.managed.get(arn) {
                Some(&u) => units.push(u),
                None => assume_any |= AWS_MANAGED_ASSUME_ANY.contains(&arn),
            }
        }
        for u in units {
            for (i, s) in inv.units[u].policy.statements.iter().enumerate() {
                if s.actions.covers(ASSUME_ROLE) && may_cover_a_role(s) {
                    match s.effect {
                        Effect::Allow => p.allow.push((u, i)),
                        Effect::Deny => p.deny.push((u, i)),
                    }
                }
            }
        }
        if assume_any {
            // Marks an allow-everything permission with no statement to show.
            p.allow.push((usize::MAX, 0));
        }
        // What covers a role of unknown ARN covers every role.
        p.allows_any = p.allow.iter().any(|&r| Self::covers(inv, r, None));
        p.hard_deny = p.deny.iter().copied().filter(|&r| statement(inv, r).conditions.is_empty()).collect();
        if let Some(&u) = e.boundary.as_ref().and_then(|b| inv.managed.get(b)) {
            let stmts = &inv.units[u].policy.statements;
            p.boundary = Some(
                (0..stmts.len())
                    .filter(|&i| stmts[i].effect == Effect::Allow && stmts[i].actions.covers(ASSUME_ROLE))
                    .map(|i| (u, i))
                    .collect(),
            );
        }
        p
    }

    /// The allow statement that lets the principal assume `role_arn`
    /// (`None` for a role whose ARN is unknown: only `*` then matches), or
    /// `None` when nothing does or an unconditional Deny forbids it.
    pub fn allows(&self, inv: &Inventory, role_arn: Option<&str>) -> Option<StatementRef> {
        let allow = *self.allow.iter().find(|&&r| Self::covers(inv, r, role_arn))?;
        // A Deny with conditions may not apply: the graph keeps what may happen.
        if self.denies(inv, role_arn) || self.bounded_out(inv, role_arn) {
            return None;
        }
        Some(allow)
    }

    /// What [`Self::may_assume`] says of the roles `is_role` knows, as
    /// text: the resources of the allows (none when one covers any role),
    /// of the unconditional denies and of the boundary, without the ARNs
    /// written out in full that name none of those roles. Principals of
    /// one account with the same text may assume the same of those roles,
    /// whatever else their permissions say.
    pub fn reach(&self, inv: &Inventory, is_role: &dyn Fn(&str) -> bool) -> String {
        // A pattern without wildcards matches only the ARN it spells.
        let matters = |p: &str| p.contains(['*', '?']) || is_role(p);
        let resources = |refs: &[StatementRef]| {
            // A statement left with no resource covers none of the roles.
            let mut out: Vec<String> = refs
                .iter()
                .filter_map(|&r| match (r.0 == usize::MAX, &statement(inv, r).resources) {
                    (true, _) => Some("*".to_owned()),
                    (false, Some(res)) => {
                        let mut items: Vec<&str> =
                            res.items.iter().map(|i| i.value.as_str()).filter(|p| matters(p)).collect();
                        items.sort_unstable();
                        (res.negated || !items.is_empty())
                            .then(|| format!("{}{items:?}", if res.negated { "!" } else { "" }))
                    }
                    (false, None) => None,
                })
                .collect();
            out.sort_unstable();
            out.dedup();
            out
        };
        let allow = if self.allows_any { vec!["*".to_owned()] } else { resources(&self.allow) };
        let boundary = self.boundary.as_deref().map(resources);
        format!("A{allow:?}D{:?}B{boundary:?}", resources(&self.hard_deny))
    }

    /// Whether the principal may assume `role_arn`: whether [`Self::allows`]
    /// finds a statement, without looking for the first one.
    pub fn may_assume(&self, inv: &Inventory, role_arn: Option<&str>) -> bool {
        (self.allows_any || self.allow.iter().any(|&r| Self::covers(inv, r, role_arn)))
            && !self.denies(inv, role_arn)
            && !self.bounded_out(inv, role_arn)
    }

    fn covers(inv: &Inventory, r: StatementRef, role_arn: Option<&str>) -> bool {
        if r.0 == usize::MAX {
            return true;
        }
        let s = statement(inv, r);
        match (&s.resources, role_arn) {
            (Some(res), Some(arn)) => res.covers(arn),
            (Some(res), None) => !res.negated && res.items.iter().any(|i| i.value == "*"),
            (None, _) => false,
        }
    }

    /// Whether an unconditional Deny forbids assuming `role_arn`.
    pub fn denies(&self, inv: &Inventory, role_arn: Option<&str>) -> bool {
        self.hard_deny.iter().any(|&r| Self::covers(inv, r, role_arn))
    }

    /// Whether a permissions boundary leaves `role_arn` out.
    pub fn bounded_out(&self, inv: &Inventory, role_arn: Option<&str>) -> bool {
        self.boundary.as_ref().is_some_and(|b| !b.iter().any(|&r| Self::covers(inv, r, role_arn)))
    }

    /// The allowed resource patterns: a role can only be covered when its
    /// ARN matches one of them (`*` stands for `NotResource` and AWS
    /// managed grants).
    pub fn patterns<'i>(&self, inv: &'i Inventory) -> Vec<&'i str> {
        let mut out = Vec::new();
        for &r in &self.allow {
            if r.0 == usize::MAX {
                out.push("*");
                continue;
            }
            match &statement(inv, r).resources {
                Some(res) if !res.negated => out.extend(res.items.iter().map(|i| i.value.as_str())),
                _ => out.push("*"),
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// A canonical text of what these permissions allow: principals with the
    /// same text share a group node.
    pub fn signature(&self, inv: &Inventory) -> String {
        let text = |r: &StatementRef| {
            if r.0 == usize::MAX {
                return "*".to_owned();
            }
            let s = statement(inv, *r);
            let mut out = String::new();
            if let Some(res) = &s.resources {
                // Only what can name a role matters here.
                let mut items: Vec<&str> = res
                    .items
                    .iter()
                    .map(|i| i.value.as_str())
                    .filter(|v| res.negated || could_be_role(v))
                    .collect();
                items.sort_unstable();
                let _ = write!(out, "{}{:?}", if res.negated { "!" } else { "" }, items);
            }
            let mut conds: Vec<String> = s
                .conditions
                .iter()
                .map(|c| format!("{:?}{}{:?}", c.operator.value, c.key_lc, values(c)))
                .collect();
            conds.sort_unstable();
            let _ = write!(out, "{conds:?}");
            out
        };
        // An unconditional `*` covers every role: other allows add nothing.
        let everything = self.allow.iter().any(|&r| {
            r.0 == usize::MAX || {
                let s = statement(inv, r);
                s.conditions.is_empty()
                    && s.resources
                        .as_ref()
                        .is_some_and(|res| !res.negated && res.items.iter().any(|i| i.value == "*"))
            }
        });
        let mut parts: Vec<String> = if everything {
            vec!["A*".to_owned()]
        } else {
            self.allow.iter().map(|r| format!("A{}", text(r))).collect()
        };
        parts.extend(self.deny.iter().map(|r| format!("D{}", text(r))));
        if let Some(b) = &self.boundary {
            parts.extend(b.iter().map(|r| format!("B{}", text(r))));
            parts.push("B".to_owned());
        }
        parts.sort_unstable();
        parts.dedup();
        parts.join("|")
    }
}

fn values(c: &crate::model::Condition) -> Vec<&str> {
    c.values.iter().map(|v| v.value.as_str()).collect()
}

/// Whether a statement's resources can match some role's ARN: statements
/// about buckets or keys only say nothing about assuming roles.
fn may_cover_a_role(s: &Statement) -> bool {
    let Some(res) = &s.resources else { return false };
    res.negated || res.items.iter().any(|r| could_be_role(&r.value))
}

/// Whether a resource pattern can match `arn:PARTITION:iam::ACCOUNT:role/NAME`.
pub fn could_be_role(pattern: &str) -> bool {
    let parts: Vec<&str> = pattern.splitn(6, ':').collect();
    if parts.len() < 6 {
        // `*`, or a pattern whose wildcard spans the colons.
        return pattern.contains('*');
    }
    let fixed = |p: &str| p.split(['*', '?']).next().unwrap_or("").to_owned();
    let service = parts[2];
    let resource = fixed(parts[5]);
    crate::eval::glob(service, "iam")
        && (resource.starts_with("role/") || "role/".starts_with(&resource) || parts[5].starts_with('*'))
}

/// The text of a resource pattern before its first wildcard: a role's ARN
/// must start with it to match.
pub fn fixed_prefix(pattern: &str) -> &str {
    pattern.find(['*', '?']).map_or(pattern, |i| &pattern[..i])
}

/// The text of a resource pattern after its last wildcard: a role's ARN
/// must end with it to match.
pub fn fixed_suffix(pattern: &str) -> &str {
    pattern.rfind(['*', '?']).map_or(pattern, |i| &pattern[i + 1..])
}

pub fn statement(inv: &Inventory, (u, i): StatementRef) -> &Statement {
    &inv.units[u].policy.statements[i]
}

/// Actions that hand out administrator power: whoever holds one on `*` can
/// grant itself anything.
const PRIVILEGED_ACTIONS: [&str; 14] = [
    "iam:PassRole",
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:UpdateLoginProfile",
    "iam:AttachUserPolicy",
    "iam:AttachRolePolicy",
    "iam:AttachGroupPolicy",
    "iam:PutUserPolicy",
    "iam:PutRolePolicy",
    "iam:PutGroupPolicy",
    "iam:CreatePolicyVersion",
    "iam:SetDefaultPolicyVersion",
    "iam:UpdateAssumeRolePolicy",
    "iam:AddUserToGroup",
];

/// AWS managed policies that are administrator-like, for exports that name
/// them without including their documents.
const AWS_MANAGED_PRIVILEGED: [(&str, &str); 2] = [
    ("arn:aws:iam::aws:policy/AdministratorAccess", "`AdministratorAccess`"),
    ("arn:aws:iam::aws:policy/IAMFullAccess", "`IAMFullAccess`"),
];

/// Why an entity's permissions are administrator-like (`*` on `*`, `iam:*`,
/// `iam:PassRole` on `*`, …), or `None`.
pub fn privilege(inv: &Inventory, e: &Entity) -> Option<String> {
    let mut units: Vec<usize> = e.inline.clone();
    for arn in &e.managed {
        match inv.managed.get(arn) {
            Some(&u) => units.push(u),
            None => {
                if let Some((_, name)) = AWS_MANAGED_PRIVILEGED.iter().find(|(a, _)| a == arn) {
                    return Some((*name).to_owned());
                }
            }
        }
    }
    for u in units {
        for s in &inv.units[u].policy.statements {
            let on_everything =
                s.resources.as_ref().is_some_and(|r| r.negated || r.items.iter().any(|i| i.value == "*"));
            if s.effect != Effect::Allow || !on_everything {
                continue;
            }
            if !s.actions.negated && s.actions.items.iter().any(|a| a.value == "*" || a.value == "*:*") {
                return Some("`*` on `*`".to_owned());
            }
            if let Some(a) = PRIVILEGED_ACTIONS.iter().find(|a| s.actions.covers(a)) {
                return Some(format!("`{a}` on `*`"));
            }
        }
    }
    None
}
