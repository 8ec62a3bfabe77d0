//! `terraform show -json` of a plan or of the state, and the state file
//! itself (`terraform.tfstate`, format version 4): the IAM resources they
//! hold, with the values Terraform computed.
//!
//! A plan describes the resources as they will be after the apply
//! (`planned_values`), a state as they are (`values`, or `resources[].instances`
//! in the state file). Policies are JSON strings there, rendered from
//! `jsonencode` and `aws_iam_policy_document`: spans map through the string's
//! escapes back into the file.
//!
//! What a plan does not know yet is never guessed:
//!
//! - a policy that depends on a resource still to be created is unknown (left
//!   out of `planned_values`): it is skipped;
//! - a role's ARN is built from its path and name, in the account that
//!   `data.aws_caller_identity` or the ARNs already in the file show, and in
//!   the account the template deploys to (a symbolic value) when they show
//!   none or disagree; a name left to Terraform (`name_prefix`) is symbolic;
//! - an attachment whose role or policy ARN is unknown is linked through the
//!   references the plan's `configuration` records (`aws_iam_policy.x.arn`),
//!   to a resource of the same module only.
//!
//! Data sources are not read as policies: an `aws_iam_policy_document` is
//! rendered into the resources that use it, which carry its JSON, so reading
//! both would report each finding twice, and one that nothing uses belongs
//! to no role. Resources being destroyed (in the prior state or the changes
//! only) are left out.

use std::collections::{HashMap, HashSet};

use super::iam_export::SESSION_DURATION_RANGE;
use super::{Entity, Extracted, Owner, OwnerKind, Text};
use crate::model::arn::{account_of, is_account_id};
use crate::model::symbolic::{STACK_ACCOUNT, symbol};
use crate::model::{KindHint, Spanned};
use crate::syntax::json::{Kind, Value};

/// Whether a parsed file is `terraform show -json` output or a state file.
pub fn detect(root: &Value<'_>) -> bool {
    let object = |k: &str| root.get(k).is_some_and(|v| v.as_object().is_some());
    if root.get("format_version").and_then(Value::as_str).is_some() {
        return object("planned_values")
            || object("values")
            || object("prior_state")
            || root.get("resource_changes").and_then(Value::as_array).is_some();
    }
    matches!(root.get("version").map(|v| &v.kind), Some(Kind::Number(_)))
        && root.get("terraform_version").and_then(Value::as_str).is_some()
        && root.get("resources").and_then(Value::as_array).is_some()
}

pub fn extract(text: &str, root: &Value<'_>, out: &mut Extracted) {
    let resources = collect(root);
    let place = Place::of(root, &resources);
    let mut cx = Cx {
        text,
        config: HashMap::new(),
        out,
        place,
        instances: HashMap::new(),
        by_address: HashMap::new(),
        by_name: HashMap::new(),
        covered: HashSet::new(),
    };
    if let Some(m) = root.get("configuration").and_then(|c| c.get("root_module")) {
        configuration(m, "", &mut cx.config);
    }
    for r in resources.iter().filter(|r| !r.data) {
        let key = (r.module.as_str(), r.kind, r.name);
        cx.instances.entry(key).or_default().push(r.address.as_str());
    }
    // Inline policies that a role's `inline_policy` repeats from an
    // `aws_iam_role_policy` (the state lists every inline policy of the
    // role): read from the resource that writes them.
    for r in resources.iter().filter(|r| !r.data && r.kind == "aws_iam_role_policy") {
        if let (Some(role), Some(name)) = (string(r.values, "role"), string(r.values, "name")) {
            cx.covered.insert((role, name));
        }
    }
    // Users, groups, roles and managed policies first, so that what refers to
    // them finds them wherever it comes in the file.
    for r in resources.iter().filter(|r| !r.data) {
        match r.kind {
            "aws_iam_role" => cx.principal(r, OwnerKind::Role),
            "aws_iam_user" => cx.principal(r, OwnerKind::User),
            "aws_iam_group" => cx.principal(r, OwnerKind::Group),
            "aws_iam_policy" => cx.managed_policy(r),
            _ => {}
        }
    }
    for r in resources.iter().filter(|r| !r.data) {
        match r.kind {
            "aws_iam_role_policy" => cx.inline_policy(r, OwnerKind::Role, "role"),
            "aws_iam_user_policy" => cx.inline_policy(r, OwnerKind::User, "user"),
            "aws_iam_group_policy" => cx.inline_policy(r, OwnerKind::Group, "group"),
            "aws_iam_role_policy_attachment" => cx.attach(r, &[(OwnerKind::Role, "role")], "policy_arn"),
            "aws_iam_user_policy_attachment" => cx.attach(r, &[(OwnerKind::User, "user")], "policy_arn"),
            "aws_iam_group_policy_attachment" => cx.attach(r, &[(OwnerKind::Group, "group")], "policy_arn"),
            "aws_iam_role_policy_attachments_exclusive" => {
                cx.attach(r, &[(OwnerKind::Role, "role_name")], "policy_arns");
            }
            "aws_iam_user_policy_attachments_exclusive" => {
                cx.attach(r, &[(OwnerKind::User, "user_name")], "policy_arns");
            }
            "aws_iam_group_policy_attachments_exclusive" => {
                cx.attach(r, &[(OwnerKind::Group, "group_name")], "policy_arns");
            }
            "aws_iam_policy_attachment" => cx.attach(
                r,
                &[(OwnerKind::Role, "roles"), (OwnerKind::User, "users"), (OwnerKind::Group, "groups")],
                "policy_arn",
            ),
            "aws_iam_user_group_membership" => cx.membership(r, "user", "groups"),
            "aws_iam_group_membership" => cx.membership(r, "users", "group"),
            _ => {}
        }
    }
}

/// One resource instance and its values.
struct Resource<'v, 's> {
    /// Its full address: `module.ci.aws_iam_role.deploy["prod"]`.
    address: String,
    /// The module instance it belongs to (`module.ci`), empty at the root.
    module: String,
    data: bool,
    kind: &'v str,
    name: &'v str,
    values: &'v Value<'s>,
    /// JSON Pointer to `values`.
    pointer: String,
}

/// The resources of the file, each address once: the planned values of a
/// plan (or the resource changes, for what they lack), the values of a state.
fn collect<'v, 's>(root: &'v Value<'s>) -> Vec<Resource<'v, 's>> {
    let mut found = Vec::new();
    if root.get("format_version").is_none() {
        raw_state(root, &mut found);
        return found;
    }
    for key in ["planned_values", "values"] {
        if let Some(m) = root.get(key).and_then(|v| v.get("root_module")) {
            walk(m, &format!("/{key}/root_module"), "", &mut found);
        }
    }
    let mut seen: HashSet<String> = found.iter().map(|r| r.address.clone()).collect();
    for (i, rc) in list(root, "resource_changes") {
        let after = rc.get("change").and_then(|c| c.get("after")).filter(|a| a.as_object().is_some());
        let (Some(address), Some(kind), Some(name), Some(values)) =
            (str_of(rc, "address"), str_of(rc, "type"), str_of(rc, "name"), after)
        else {
            continue;
        };
        if seen.insert(address.to_owned()) {
            found.push(Resource {
                address: address.to_owned(),
                module: str_of(rc, "module_address").unwrap_or("").to_owned(),
                data: str_of(rc, "mode") == Some("data"),
                kind,
                name,
                values,
                pointer: format!("/resource_changes/{i}/change/after"),
            });
        }
    }
    found
}

/// A module of the values representation, and its child modules.
fn walk<'v, 's>(m: &'v Value<'s>, ptr: &str, module: &str, found: &mut Vec<Resource<'v, 's>>) {
    for (i, r) in list(m, "resources") {
        let values = r.get("values").filter(|v| v.as_object().is_some());
        let (Some(kind), Some(name), Some(values)) = (str_of(r, "type"), str_of(r, "name"), values) else {
            continue;
        };
        let data = str_of(r, "mode") == Some("data");
        let address = str_of(r, "address")
            .map_or_else(|| address_of(module, data, kind, name, r.get("index")), str::to_owned);
        found.push(Resource {
            address,
            module: module.to_owned(),
            data,
            kind,
            name,
            values,
            pointer: format!("{ptr}/resources/{i}/values"),
        });
    }
    for (i, c) in list(m, "child_modules") {
        walk(c, &format!("{ptr}/child_modules/{i}"), str_of(c, "address").unwrap_or(""), found);
    }
}

/// `terraform.tfstate`: `resources[]` with their `instances[]`.
fn raw_state<'v, 's>(root: &'v Value<'s>, found: &mut Vec<Resource<'v, 's>>) {
    for (i, r) in list(root, "resources") {
        let (Some(kind), Some(name)) = (str_of(r, "type"), str_of(r, "name")) else { continue };
        let module = str_of(r, "module").unwrap_or("");
        let data = str_of(r, "mode") == Some("data");
        for (j, inst) in list(r, "instances") {
            // A deposed object is on its way out, replaced by the current one.
            if inst.get("deposed").is_some() {
                continue;
            }
            let Some(values) = inst.get("attributes").filter(|v| v.as_object().is_some()) else { continue };
            found.push(Resource {
                address: address_of(module, data, kind, name, inst.get("index_key")),
                module: module.to_owned(),
                data,
                kind,
                name,
                values,
                pointer: format!("/resources/{i}/instances/{j}/attributes"),
            });
        }
    }
}

/// A resource instance's address, as Terraform writes it.
fn address_of(module: &str, data: bool, kind: &str, name: &str, index: Option<&Value<'_>>) -> String {
    let mut a = String::new();
    if !module.is_empty() {
        a.push_str(module);
        a.push('.');
    }
    if data {
        a.push_str("data.");
    }
    a.push_str(kind);
    a.push('.');
    a.push_str(name);
    match index.map(|i| &i.kind) {
        Some(Kind::Number(n)) => {
            a.push('[');
            a.push_str(n);
            a.push(']');
        }
        Some(Kind::String(s)) => {
            a.push('[');
            a.push_str(&serde_json::to_string(s.as_ref()).unwrap_or_default());
            a.push(']');
        }
        _ => {}
    }
    a
}

/// Where the file's resources live: the partition and account that ARNs
/// built for them get.
struct Place {
    partition: String,
    account: String,
}

impl Place {
    /// The one account `data.aws_caller_identity` and the known ARNs of IAM
    /// resources show (the prior state of a plan included); the account the
    /// template deploys to when they show none or several.
    fn of(root: &Value<'_>, resources: &[Resource<'_, '_>]) -> Self {
        let mut prior = Vec::new();
        if let Some(m) =
            root.get("prior_state").and_then(|p| p.get("values")).and_then(|v| v.get("root_module"))
        {
            walk(m, "", "", &mut prior);
        }
        let mut accounts: Vec<&str> = Vec::new();
        let mut partition = None;
        for r in resources.iter().chain(&prior) {
            let (account, arn) = match (r.data, r.kind) {
                (true, "aws_caller_identity") => (str_of(r.values, "account_id"), str_of(r.values, "arn")),
                (false, k) if k.starts_with("aws_iam_") => {
                    let arn = str_of(r.values, "arn");
                    (arn.and_then(account_of), arn)
                }
                _ => continue,
            };
            if let Some(a) = account.filter(|a| a.len() == 12 && is_account_id(a))
                && !accounts.contains(&a)
            {
                accounts.push(a);
            }
            partition = partition.or_else(|| arn.and_then(|a| a.split(':').nth(1)).filter(|p| !p.is_empty()));
        }
        let account = match accounts.as_slice() {
            [one] => (*one).to_owned(),
            _ => STACK_ACCOUNT.to_owned(),
        };
        Self { partition: partition.unwrap_or("aws").to_owned(), account }
    }

    /// The ARN IAM gives a role, user, group or policy of this path and name.
    fn arn(&self, kind: &str, path: &str, name: &str) -> String {
        format!("arn:{}:iam::{}:{kind}{path}{name}", self.partition, self.account)
    }
}

/// What an address or a value in a link refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    /// A user, group or role of the file.
    Entity(usize),
    /// A name or ARN with no resource of the file behind it (for policies:
    /// the ARN).
    Named(String),
}

struct Cx<'a, 'v, 's> {
    text: &'a str,
    /// (module path without instance keys, local address) → the resource's
    /// block in the plan's `configuration`.
    config: HashMap<(String, &'v str), &'v Value<'s>>,
    out: &'a mut Extracted,
    place: Place,
    /// (module instance, type, name) → the addresses of its managed
    /// resource instances.
    instances: HashMap<(&'a str, &'a str, &'a str), Vec<&'a str>>,
    /// Resource address → the entity it makes, or a managed policy's ARN.
    by_address: HashMap<String, Target>,
    /// (kind, name or ARN) → entity.
    by_name: HashMap<(OwnerKind, String), usize>,
    /// (role, policy name) of every `aws_iam_role_policy` with known values.
    covered: HashSet<(String, String)>,
}

impl Cx<'_, '_, '_> {
    /// A user, group or role: its entity and, for a role, its trust policy,
    /// session duration, inline policies and attachments.
    fn principal(&mut self, r: &Resource<'_, '_>, kind: OwnerKind) {
        let v = r.values;
        let name = string(v, "name").unwrap_or_else(|| symbol(&format!("{}.name", r.address)));
        let path = string(v, "path").filter(|p| p.starts_with('/') && p.ends_with('/'));
        let word = match kind {
            OwnerKind::Role => "role",
            OwnerKind::User => "user",
            _ => "group",
        };
        let arn =
            string(v, "arn").unwrap_or_else(|| self.place.arn(word, path.as_deref().unwrap_or("/"), &name));
        if let Some(account) = account_of(&arn).filter(|a| a.len() == 12)
            && !self.out.accounts.iter().any(|a| a == account)
        {
            self.out.accounts.push(account.to_owned());
        }
        let owner = Owner::new(kind, Some(arn.clone()), Some(name.clone())).in_template(&r.address, None);
        let mut entity =
            Entity { kind: Some(kind), arn: Some(arn.clone()), name: name.clone(), ..Entity::default() };
        entity.boundary = string(v, "permissions_boundary");
        if kind == OwnerKind::Role {
            let duration = self.max_session_duration(r, &owner);
            if let Some(doc) = policy(v, "assume_role_policy")
                && let Some(u) =
                    self.out.add_policy_in(Text::json(self.text), doc, KindHint::Trust, owner.clone())
            {
                self.out.units[u].max_session_duration = duration;
                entity.trust = Some(u);
            }
            for (_, p) in list(v, "inline_policy") {
                let covered = string(p, "name").is_some_and(|n| self.covered.contains(&(name.clone(), n)));
                if let (false, Some(doc)) = (covered, policy(p, "policy"))
                    && let Some(u) =
                        self.out.add_policy_in(Text::json(self.text), doc, KindHint::Identity, owner.clone())
                {
                    entity.inline.push(u);
                }
            }
            for arn in list(v, "managed_policy_arns").filter_map(|(_, a)| a.as_str()) {
                push_new(&mut entity.managed, arn);
            }
        }
        let e = self.out.entities.len();
        self.out.entities.push(entity);
        self.by_name.entry((kind, name)).or_insert(e);
        self.by_name.entry((kind, arn)).or_insert(e);
        self.by_address.insert(r.address.clone(), Target::Entity(e));
    }

    fn max_session_duration(&mut self, r: &Resource<'_, '_>, owner: &Owner) -> Option<Spanned<i64>> {
        let v = r.values.get("max_session_duration")?;
        let seconds = match &v.kind {
            Kind::Null => return None,
            Kind::Number(n) => n.parse::<i64>().ok(),
            _ => None,
        };
        let Some(seconds) = seconds else {
            self.out.problem(
                v.span,
                "`max_session_duration` must be a whole number of seconds".into(),
                owner,
            );
            return None;
        };
        if !SESSION_DURATION_RANGE.contains(&seconds) {
            let message =
                format!("`max_session_duration` is {seconds} s: IAM accepts 3600 to 43200 s (1 to 12 hours)");
            self.out.problem(v.span, message, owner);
        }
        Some(Spanned {
            value: seconds,
            span: v.span,
            pointer: compact_str::format_compact!("{}/max_session_duration", r.pointer),
        })
    }

    /// `aws_iam_policy`: a managed policy, known by its ARN.
    fn managed_policy(&mut self, r: &Resource<'_, '_>) {
        let v = r.values;
        let name = string(v, "name").unwrap_or_else(|| symbol(&format!("{}.name", r.address)));
        let path = string(v, "path").filter(|p| p.starts_with('/') && p.ends_with('/'));
        let arn = string(v, "arn")
            .unwrap_or_else(|| self.place.arn("policy", path.as_deref().unwrap_or("/"), &name));
        let owner =
            Owner::new(OwnerKind::ManagedPolicy, Some(arn.clone()), Some(name)).in_template(&r.address, None);
        if let Some(doc) = policy(v, "policy")
            && let Some(u) = self.out.add_policy_in(Text::json(self.text), doc, KindHint::Identity, owner)
        {
            self.out.managed.push((arn.clone(), u));
        }
        self.by_address.insert(r.address.clone(), Target::Named(arn));
    }

    /// `aws_iam_role_policy` and the user and group forms: an inline policy
    /// of the principal named in `key`.
    fn inline_policy(&mut self, r: &Resource<'_, '_>, kind: OwnerKind, key: &str) {
        let Some(doc) = policy(r.values, "policy") else { return };
        let target = self.targets(r, key, Some(kind)).into_iter().next();
        let owner = match &target {
            Some(Target::Entity(e)) => {
                let e = &self.out.entities[*e];
                Owner::new(kind, e.arn.clone(), Some(e.name.clone()))
            }
            Some(Target::Named(n)) if n.starts_with("arn:") => Owner::new(kind, Some(n.clone()), None),
            Some(Target::Named(n)) => Owner::new(kind, None, Some(n.clone())),
            None => Owner::new(kind, None, None),
        }
        .in_template(&r.address, None);
        if let Some(u) = self.out.add_policy_in(Text::json(self.text), doc, KindHint::Identity, owner)
            && let Some(Target::Entity(e)) = target
        {
            self.out.entities[e].inline.push(u);
        }
    }

    /// An attachment of the managed policies in `policy_key` to the
    /// principals in each of `principals`.
    fn attach(&mut self, r: &Resource<'_, '_>, principals: &[(OwnerKind, &str)], policy_key: &str) {
        let arns: Vec<String> = self
            .targets(r, policy_key, None)
            .into_iter()
            .filter_map(|t| match t {
                Target::Named(arn) => Some(arn),
                Target::Entity(_) => None,
            })
            .collect();
        for &(kind, key) in principals {
            for t in self.targets(r, key, Some(kind)) {
                if let Target::Entity(e) = t {
                    for arn in &arns {
                        push_new(&mut self.out.entities[e].managed, arn);
                    }
                }
            }
        }
    }

    /// A user's groups: `aws_iam_user_group_membership` (one user, several
    /// groups) and `aws_iam_group_membership` (one group, several users).
    fn membership(&mut self, r: &Resource<'_, '_>, users: &str, groups: &str) {
        let groups: Vec<String> = self
            .targets(r, groups, Some(OwnerKind::Group))
            .into_iter()
            .map(|t| match t {
                Target::Entity(e) => self.out.entities[e].name.clone(),
                Target::Named(n) => n,
            })
            .collect();
        for t in self.targets(r, users, Some(OwnerKind::User)) {
            if let Target::Entity(e) = t {
                for g in &groups {
                    push_new(&mut self.out.entities[e].groups, g);
                }
            }
        }
    }

    /// What the member `key` (one value or a list) refers to: principals of
    /// `kind` by name or ARN, or policy ARNs (`kind` `None`). A value the plan
    /// leaves unknown is followed through the configuration's references.
    fn targets(&self, r: &Resource<'_, '_>, key: &str, kind: Option<OwnerKind>) -> Vec<Target> {
        let mut found = Vec::new();
        let mut unknown = false;
        let known = |s: &str, found: &mut Vec<Target>| {
            if s.is_empty() {
                return;
            }
            let t = kind
                .and_then(|k| self.by_name.get(&(k, s.to_owned())))
                .map_or_else(|| Target::Named(s.to_owned()), |&e| Target::Entity(e));
            if !found.contains(&t) {
                found.push(t);
            }
        };
        match r.values.get(key).map(|v| &v.kind) {
            Some(Kind::String(s)) => known(s, &mut found),
            Some(Kind::Array(items)) => {
                for item in items {
                    match item.as_str() {
                        Some(s) => known(s, &mut found),
                        None => unknown = true,
                    }
                }
            }
            _ => unknown = true,
        }
        if unknown {
            let wanted = match kind {
                Some(OwnerKind::Role) => "aws_iam_role",
                Some(OwnerKind::User) => "aws_iam_user",
                Some(OwnerKind::Group) => "aws_iam_group",
                _ => "aws_iam_policy",
            };
            for t in self.referenced(r, key, wanted) {
                if !found.contains(&t) {
                    found.push(t);
                }
            }
        }
        found
    }

    /// The resources of type `wanted` that the configuration of `r` refers
    /// to in the expression of `key`, in the same module instance.
    fn referenced(&self, r: &Resource<'_, '_>, key: &str, wanted: &str) -> Vec<Target> {
        let Some(config) = self.configuration(r) else { return Vec::new() };
        let references = config
            .get("expressions")
            .and_then(|e| e.get(key))
            .and_then(|e| e.get("references"))
            .and_then(Value::as_array)
            .unwrap_or(&[]);
        let prefix = if r.module.is_empty() { String::new() } else { format!("{}.", r.module) };
        let mut found = Vec::new();
        for reference in references.iter().filter_map(Value::as_str) {
            let Some((kind, name, index)) = split_reference(reference) else { continue };
            if kind != wanted {
                continue;
            }
            let base = format!("{prefix}{kind}.{name}");
            let addresses =
                self.instances.get(&(r.module.as_str(), kind, name)).map_or(&[][..], Vec::as_slice);
            for address in addresses {
                if index.is_some_and(|i| *address != format!("{base}{i}")) {
                    continue;
                }
                if let Some(t) = self.by_address.get(*address)
                    && !found.contains(t)
                {
                    found.push(t.clone());
                }
            }
        }
        found
    }

    /// The configuration block of the resource `r`.
    fn configuration(&self, r: &Resource<'_, '_>) -> Option<&Value<'_>> {
        let local = format!("{}{}.{}", if r.data { "data." } else { "" }, r.kind, r.name);
        self.config.get(&(strip_indexes(&r.module), local.as_str())).copied()
    }
}

/// Indexes the resource blocks of a module of the plan's `configuration`
/// and of the modules it calls, by module path (`module.a.module.b`) and
/// local address.
fn configuration<'v, 's>(
    m: &'v Value<'s>,
    path: &str,
    index: &mut HashMap<(String, &'v str), &'v Value<'s>>,
) {
    for (_, c) in list(m, "resources") {
        if let Some(address) = str_of(c, "address") {
            index.entry((path.to_owned(), address)).or_insert(c);
        }
    }
    for call in m.get("module_calls").and_then(Value::as_object).unwrap_or(&[]) {
        if let Some(child) = call.value.get("module") {
            let sep = if path.is_empty() { "" } else { "." };
            configuration(child, &format!("{path}{sep}module.{}", call.key), index);
        }
    }
}

/// A reference of the configuration, `TYPE.NAME`, `TYPE.NAME.ATTR` or
/// `TYPE.NAME[KEY]…`: the type, the name and the index as written
/// (`[0]`, `["prod"]`). `None` for variables, locals, data sources, modules
/// and the like.
fn split_reference(reference: &str) -> Option<(&str, &str, Option<&str>)> {
    let (kind, rest) = reference.split_once('.')?;
    if !kind.starts_with("aws_") {
        return None;
    }
    let end = rest.find(['.', '[']).unwrap_or(rest.len());
    let (name, rest) = rest.split_at(end);
    let index = rest.starts_with('[').then(|| index_end(rest).map(|e| &rest[..e])).flatten();
    if rest.starts_with('[') && index.is_none() {
        return None;
    }
    Some((kind, name, index))
}

/// The length of the index at the start of `s` (`[0]`, `["a]b"]`), brackets
/// included.
fn index_end(s: &str) -> Option<usize> {
    let mut quoted = false;
    let mut escaped = false;
    for (i, c) in s.char_indices().skip(1) {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            ']' if !quoted => return Some(i + 1),
            _ => {}
        }
    }
    None
}

/// A module address without its instance keys: `module.a["x"].module.b[0]`
/// → `module.a.module.b`.
fn strip_indexes(address: &str) -> String {
    let mut s = String::with_capacity(address.len());
    let mut rest = address;
    while let Some(open) = rest.find('[') {
        s.push_str(&rest[..open]);
        let Some(len) = index_end(&rest[open..]) else { return s };
        rest = &rest[open + len..];
    }
    s.push_str(rest);
    s
}

/// A policy member holding a document: a non-empty string (or object).
/// Missing, `null` (unknown at plan time, or not set) and `""` are skipped.
fn policy<'v, 's>(v: &'v Value<'s>, key: &str) -> Option<&'v Value<'s>> {
    v.get(key).filter(|p| match &p.kind {
        Kind::String(s) => !s.trim().is_empty(),
        Kind::Object(_) => true,
        _ => false,
    })
}

fn list<'v, 's>(v: &'v Value<'s>, key: &str) -> impl Iterator<Item = (usize, &'v Value<'s>)> {
    v.get(key).and_then(Value::as_array).unwrap_or(&[]).iter().enumerate()
}

fn str_of<'v>(v: &'v Value<'_>, key: &str) -> Option<&'v str> {
    v.get(key).and_then(Value::as_str)
}

/// A non-empty string member.
fn string(v: &Value<'_>, key: &str) -> Option<String> {
    str_of(v, key).filter(|s| !s.is_empty()).map(str::to_owned)
}

fn push_new(list: &mut Vec<String>, item: &str) {
    if !list.iter().any(|x| x == item) {
        list.push(item.to_owned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::json::parse;

    fn run(text: &str) -> Extracted {
        let root = parse(text).unwrap();
        assert!(detect(&root), "{text}");
        let mut out = Extracted::default();
        extract(text, &root, &mut out);
        out
    }

    #[test]
    fn detection() {
        let yes = [
            r#"{"format_version":"1.2","planned_values":{"root_module":{}}}"#,
            r#"{"format_version":"1.0","terraform_version":"1.9.5","values":{"root_module":{}}}"#,
            r#"{"format_version":"1.2","resource_changes":[]}"#,
            r#"{"format_version":"1.2","prior_state":{}}"#,
            r#"{"version":4,"terraform_version":"1.9.5","serial":3,"lineage":"x","outputs":{},"resources":[]}"#,
        ];
        for text in yes {
            assert!(detect(&parse(text).unwrap()), "{text}");
        }
        let no = [
            r#"{"format_version":"1.0"}"#,
            r#"{"format_version":"1.0","provider_schemas":{}}"#,
            r#"{"format_version":1,"values":{}}"#,
            r#"{"format_version":"1.0","values":[1]}"#,
            r#"{"name":"app","version":"1.0.0","dependencies":{}}"#,
            r#"{"version":"4","terraform_version":"1.9.5","resources":[]}"#,
            r#"{"version":4,"resources":[]}"#,
            r#"{"Version":"2012-10-17","Statement":[]}"#,
            "[]",
        ];
        for text in no {
            assert!(!detect(&parse(text).unwrap()), "{text}");
        }
    }

    #[test]
    fn addresses() {
        let v = parse(r#"[0,"a\"b"]"#).unwrap();
        let items = v.as_array().unwrap();
        assert_eq!(address_of("", false, "aws_iam_role", "x", None), "aws_iam_role.x");
        assert_eq!(address_of("module.a[1]", true, "t", "n", Some(&items[0])), "module.a[1].data.t.n[0]");
        assert_eq!(address_of("", false, "t", "n", Some(&items[1])), r#"t.n["a\"b"]"#);
        assert_eq!(strip_indexes(r#"module.a["x].y"].module.b[0]"#), "module.a.module.b");
        assert_eq!(split_reference("aws_iam_role.deploy.arn"), Some(("aws_iam_role", "deploy", None)));
        assert_eq!(
            split_reference(r#"aws_iam_role.r["a.b"].name"#),
            Some(("aws_iam_role", "r", Some(r#"["a.b"]"#)))
        );
        assert_eq!(split_reference("aws_iam_role.r[0]"), Some(("aws_iam_role", "r", Some("[0]"))));
        assert_eq!(split_reference("var.role"), None);
        assert_eq!(split_reference("data.aws_iam_role.r"), None);
        assert_eq!(split_reference("aws_iam_role.r[0"), None);
    }

    /// An out-of-range duration is reported and kept; an unknown policy and
    /// ARN are not guessed.
    #[test]
    fn durations_and_unknowns() {
        let text = r#"{"version":4,"terraform_version":"1.9.5","resources":[
          {"mode":"managed","type":"aws_iam_role","name":"r","instances":[{"attributes":{
            "name":"r","path":"/","arn":"arn:aws:iam::123456789012:role/r","max_session_duration":50000,
            "assume_role_policy":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"ec2.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}",
            "inline_policy":[{"name":"","policy":""}],"permissions_boundary":""}}]}]}"#;
        let x = run(text);
        assert_eq!(x.units.len(), 1);
        let d = x.units[0].max_session_duration.as_ref().unwrap();
        assert_eq!(d.value, 50000);
        assert_eq!(d.pointer, "/resources/0/instances/0/attributes/max_session_duration");
        assert_eq!(&text[d.span.range()], "50000");
        assert_eq!(x.problems.len(), 1);
        assert!(x.problems[0].0.message.contains("IAM accepts 3600 to 43200"), "{:?}", x.problems);
        assert_eq!(x.problems[0].1.subject.as_deref(), Some("aws_iam_role.r"));
        assert_eq!(x.entities[0].boundary, None);
        assert_eq!(x.accounts, ["123456789012"]);

        let plan = r#"{"format_version":"1.2","planned_values":{"root_module":{"resources":[
          {"address":"aws_iam_role.r","mode":"managed","type":"aws_iam_role","name":"r","values":{"path":"/ci/","max_session_duration":3600}}]}},
          "resource_changes":[{"address":"aws_iam_role.r","mode":"managed","type":"aws_iam_role","name":"r",
            "change":{"actions":["create"],"after":{"path":"/ci/"},"after_unknown":{"name":true,"arn":true,"assume_role_policy":true}}}]}"#;
        let x = run(plan);
        assert!(x.units.is_empty() && x.problems.is_empty());
        assert_eq!(x.entities.len(), 1);
        assert_eq!(x.entities[0].name, "{{aws_iam_role.r.name}}");
        assert_eq!(
            x.entities[0].arn.as_deref(),
            Some("arn:aws:iam::{{AccountId}}:role/ci/{{aws_iam_role.r.name}}")
        );
        assert!(x.accounts.is_empty());
    }

    /// An attachment whose policy ARN the plan does not know is linked
    /// through the configuration's references, in its own module instance.
    #[test]
    fn unknown_links_follow_references() {
        let plan = r#"{"format_version":"1.2","planned_values":{"root_module":{"child_modules":[
          {"address":"module.m[0]","resources":[
            {"address":"module.m[0].aws_iam_role.r","mode":"managed","type":"aws_iam_role","name":"r","values":{"name":"r","path":"/"}},
            {"address":"module.m[0].aws_iam_policy.p","mode":"managed","type":"aws_iam_policy","name":"p","values":{"name":"p","path":"/x/"}},
            {"address":"module.m[0].aws_iam_role_policy_attachment.a","mode":"managed","type":"aws_iam_role_policy_attachment","name":"a","values":{"role":"r"}}]}]}},
          "prior_state":{"values":{"root_module":{"resources":[
            {"address":"data.aws_caller_identity.me","mode":"data","type":"aws_caller_identity","name":"me",
             "values":{"account_id":"111122223333","arn":"arn:aws-us-gov:iam::111122223333:user/ci"}}]}}},
          "configuration":{"root_module":{"module_calls":{"m":{"module":{"resources":[
            {"address":"aws_iam_role_policy_attachment.a","mode":"managed","type":"aws_iam_role_policy_attachment","name":"a",
             "expressions":{"role":{"references":["aws_iam_role.r.name","aws_iam_role.r"]},
                            "policy_arn":{"references":["aws_iam_policy.p.arn","aws_iam_policy.p","var.other"]}}}]}}}}}}"#;
        let x = run(plan);
        assert_eq!(x.entities[0].arn.as_deref(), Some("arn:aws-us-gov:iam::111122223333:role/r"));
        assert_eq!(x.entities[0].managed, ["arn:aws-us-gov:iam::111122223333:policy/x/p"]);
        assert_eq!(x.accounts, ["111122223333"]);
    }
}
