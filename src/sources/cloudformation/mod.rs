//! CloudFormation templates (JSON or YAML; SAM and CDK output included).
//!
//! Every role, user and group a template declares becomes an entity with the
//! ARN CloudFormation will give it in the stack's account; its trust policy,
//! inline policies, managed policies (`AWS::IAM::ManagedPolicy`) and
//! attached policies (`AWS::IAM::Policy`, `RolePolicy`, …) become units
//! owned by it, reported against the resource's logical id and, in CDK
//! output, its construct path. Intrinsic functions are resolved first (see
//! [`intrinsics`]). Nested stacks are templates of their own, read as files.

mod intrinsics;
mod scalar;

use std::borrow::Cow;
use std::collections::HashMap;

use intrinsics::{Template, intrinsic};

use super::iam_export::SESSION_DURATION_RANGE;
use super::{Entity, Extracted, InlineSuppression, Owner, OwnerKind};
use crate::model::lower::pointer_token;
use crate::model::symbolic::is_symbolic;
use crate::model::{KindHint, SpanMap, Spanned, lower};
use crate::syntax::json::{Kind, Member, Value};

/// Whether a parsed file is a CloudFormation template: it names its format
/// version, or declares resources of CloudFormation types (`AWS::…`,
/// `Custom::…`).
pub fn detect(root: &Value<'_>) -> bool {
    if root.get("AWSTemplateFormatVersion").is_some() {
        return true;
    }
    root.get("Resources").and_then(Value::as_object).is_some_and(|resources| {
        resources
            .iter()
            .any(|r| r.value.get("Type").and_then(Value::as_str).is_some_and(|t| t.contains("::")))
    })
}

/// Extracts a template that deploys to `account`: a stack's own symbol
/// ([`crate::model::symbolic::stack_account`]) unless the configuration
/// says which account it is.
pub fn extract(text: &str, root: &Value<'_>, stack: super::Stack, out: &mut Extracted) {
    let mut template = Template::new(text, root).in_account(stack.account);
    template.generated_prefix = stack.generated_prefix;
    let mut x = Extractor { t: &template, out, entities: HashMap::new() };
    let resources: Vec<Resource<'_, '_>> = root
        .get("Resources")
        .and_then(Value::as_object)
        .unwrap_or(&[])
        .iter()
        .filter_map(Resource::new)
        .filter(|r| {
            // A resource whose condition is decidedly false is not created.
            let condition = r.value.get("Condition").and_then(Value::as_str);
            condition.is_none_or(|c| template.condition(c, 0) != Some(false))
        })
        .collect();
    for r in &resources {
        x.suppressions(r);
    }
    // Principals first, so that policies attached by name find them.
    for r in &resources {
        match r.ty {
            "AWS::IAM::Role" => x.principal(r, OwnerKind::Role),
            "AWS::IAM::User" => x.principal(r, OwnerKind::User),
            "AWS::IAM::Group" => x.principal(r, OwnerKind::Group),
            "AWS::Serverless::Function" | "AWS::Serverless::StateMachine" => x.serverless(r),
            _ => {}
        }
    }
    for r in &resources {
        match r.ty {
            "AWS::IAM::ManagedPolicy" => x.managed_policy(r),
            "AWS::IAM::Policy" => x.policy(r),
            "AWS::IAM::RolePolicy" => x.named_policy(r, OwnerKind::Role, "RoleName"),
            "AWS::IAM::UserPolicy" => x.named_policy(r, OwnerKind::User, "UserName"),
            "AWS::IAM::GroupPolicy" => x.named_policy(r, OwnerKind::Group, "GroupName"),
            "AWS::IAM::UserToGroupAddition" => x.group_addition(r),
            "AWS::IAM::OIDCProvider" => x.oidc_provider(r),
            _ => {}
        }
    }
}

/// A resource of the template.
struct Resource<'t, 's> {
    id: &'t str,
    ty: &'t str,
    value: &'t Value<'s>,
    /// The CDK construct path, from `Metadata.aws:cdk:path`.
    construct: Option<String>,
}

impl<'t, 's> Resource<'t, 's> {
    fn new(m: &'t Member<'s>) -> Option<Self> {
        let ty = m.value.get("Type")?.as_str()?;
        let construct = m
            .value
            .get("Metadata")
            .and_then(|md| md.get("aws:cdk:path"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        Some(Self { id: &m.key, ty, value: &m.value, construct })
    }

    fn prop(&self, key: &str) -> Option<&'t Value<'s>> {
        self.value.get("Properties")?.get(key)
    }

    fn pointer(&self, key: &str) -> String {
        format!("/Resources/{}/Properties/{key}", pointer_token(self.id))
    }

    fn owner(&self, kind: OwnerKind, arn: Option<String>, name: Option<String>) -> Owner {
        Owner::new(kind, arn, name).in_template(self.id, self.construct.clone())
    }
}

struct Extractor<'a, 't, 's> {
    t: &'a Template<'t, 's>,
    out: &'a mut Extracted,
    /// Entities by kind and name, for policies that attach by name.
    entities: HashMap<(OwnerKind, String), usize>,
}

fn kind_word(kind: OwnerKind) -> &'static str {
    match kind {
        OwnerKind::User => "user",
        OwnerKind::Group => "group",
        _ => "role",
    }
}

impl<'s> Extractor<'_, '_, 's> {
    fn text(&self, v: &Value<'s>) -> String {
        self.t.text(v, 0).s
    }

    /// The strings of a list property (`ManagedPolicyArns`, `Roles`, …).
    fn strings(&self, v: Option<&Value<'s>>) -> Vec<String> {
        let Some(v) = v.and_then(|v| self.t.value(v, 0)) else {
            return Vec::new();
        };
        let items = match &v.kind {
            Kind::Array(items) => items.as_slice(),
            _ => std::slice::from_ref(&v),
        };
        items.iter().filter_map(|i| i.scalar_text().map(Cow::into_owned)).collect()
    }

    /// The items of a list property, each resolved only if it is itself an
    /// expression (so that policy documents inside keep their exact places).
    fn items<'v>(&self, v: Option<&'v Value<'s>>) -> Vec<Cow<'v, Value<'s>>> {
        let Some(v) = v else { return Vec::new() };
        match &v.kind {
            Kind::Array(items) => items
                .iter()
                .filter_map(|i| {
                    if intrinsic(i).is_some() {
                        self.t.value(i, 0).map(Cow::Owned)
                    } else {
                        Some(Cow::Borrowed(i))
                    }
                })
                .collect(),
            _ => match self.t.value(v, 0).map(|r| r.kind) {
                Some(Kind::Array(items)) => items.into_iter().map(Cow::Owned).collect(),
                _ => Vec::new(),
            },
        }
    }

    /// An `AWS::IAM::OIDCProvider`: its issuer and, when the template
    /// settles them, its client ids (`ClientIdList`).
    fn oidc_provider(&mut self, r: &Resource<'_, 's>) {
        let Some(url) = r.prop("Url").map(|u| self.text(u)) else { return };
        let issuer = url.strip_prefix("https://").unwrap_or(&url).trim_end_matches('/').to_owned();
        if is_symbolic(&issuer) {
            return;
        }
        let client_ids = match r.prop("ClientIdList") {
            None => Some(Vec::new()),
            Some(list) => Some(self.strings(Some(list))).filter(|ids| !ids.iter().any(|i| is_symbolic(i))),
        };
        let account = self.t.account.clone();
        self.out.oidc_providers.push(super::OidcProvider { account, issuer, client_ids });
    }

    fn register(&mut self, entity: Entity) -> usize {
        let i = self.out.entities.len();
        if let Some(kind) = entity.kind {
            self.entities.insert((kind, entity.name.clone()), i);
        }
        self.out.entities.push(entity);
        i
    }

    /// The entity of the template with this kind and name, or a new one for a
    /// principal the template refers to but does not declare.
    fn entity(&mut self, kind: OwnerKind, name: &str) -> usize {
        if let Some(&i) = self.entities.get(&(kind, name.to_owned())) {
            return i;
        }
        let arn = format!("arn:aws:iam::{}:{}/{name}", self.t.account, kind_word(kind));
        self.register(Entity { kind: Some(kind), arn: Some(arn), name: name.to_owned(), ..Entity::default() })
    }

    /// Lowers a policy document property: an object, or JSON text (a string,
    /// or a `Fn::Sub` or `Fn::Join` building one).
    fn document(&mut self, v: &Value<'s>, hint: KindHint, owner: Owner) -> Option<usize> {
        let resolved = self.t.value(v, 0)?;
        match &resolved.kind {
            Kind::Object(_) => self.out.add_policy(self.t.text, &resolved, hint, owner),
            Kind::String(s) if s.trim_start().starts_with('{') => {
                let doc = self.t.text(v, 0);
                let map = SpanMap::Table { base: 0, offsets: doc.offsets, file: 0 };
                match crate::syntax::json::parse(&doc.s) {
                    Ok(parsed) => {
                        let lowered = lower(&parsed, hint, &map);
                        Some(self.out.push(lowered, owner))
                    }
                    Err(e) => {
                        let message = format!("the embedded policy is not valid JSON: {}", e.message);
                        self.out.problem(map.map(e.span), message, &owner);
                        None
                    }
                }
            }
            Kind::String(s) if is_symbolic(s) => None,
            _ => {
                let message = format!("expected a policy document here, found {}", resolved.type_name());
                self.out.problem(resolved.span, message, &owner);
                None
            }
        }
    }

    /// `Policies`: a list of `{PolicyName, PolicyDocument}`.
    fn inline_policies(&mut self, v: Option<&Value<'s>>, owner: &Owner, into: &mut Vec<usize>) {
        for item in self.items(v) {
            if let Some(doc) = item.get("PolicyDocument")
                && let Some(i) = self.document(doc, KindHint::Identity, owner.clone())
            {
                into.push(i);
            }
        }
    }

    fn max_session_duration(&mut self, r: &Resource<'_, 's>, owner: &Owner) -> Option<Spanned<i64>> {
        let v = r.prop("MaxSessionDuration")?;
        let resolved = self.t.value(v, 0)?;
        let seconds = match &resolved.kind {
            Kind::Number(n) => n.parse::<i64>().ok(),
            Kind::String(s) if is_symbolic(s) => return None,
            Kind::String(s) => s.trim().parse::<i64>().ok(),
            _ => None,
        };
        let Some(seconds) = seconds else {
            let message = "`MaxSessionDuration` must be a whole number of seconds".into();
            self.out.problem(resolved.span, message, owner);
            return None;
        };
        if !SESSION_DURATION_RANGE.contains(&seconds) {
            let message =
                format!("`MaxSessionDuration` is {seconds} s: IAM accepts 3600 to 43200 s (1 to 12 hours)");
            self.out.problem(resolved.span, message, owner);
        }
        Some(Spanned { value: seconds, span: resolved.span, pointer: r.pointer("MaxSessionDuration").into() })
    }

    /// `AWS::IAM::Role`, `User` or `Group`.
    fn principal(&mut self, r: &Resource<'_, 's>, kind: OwnerKind) {
        let name = self.t.name(r.id, 0).map_or_else(|| r.id.to_owned(), |n| n.s);
        let arn = self.t.arn(r.id, 0);
        let owner = r.owner(kind, arn.clone(), Some(name.clone()));
        let mut entity = Entity { kind: Some(kind), arn, name, ..Entity::default() };
        if kind == OwnerKind::Role {
            let duration = self.max_session_duration(r, &owner);
            if let Some(doc) = r.prop("AssumeRolePolicyDocument")
                && let Some(i) = self.document(doc, KindHint::Trust, owner.clone())
            {
                self.out.units[i].max_session_duration = duration;
                entity.trust = Some(i);
            }
        }
        self.inline_policies(r.prop("Policies"), &owner, &mut entity.inline);
        if kind != OwnerKind::Group {
            entity.boundary = r.prop("PermissionsBoundary").map(|b| self.text(b));
        }
        entity.managed = self.strings(r.prop("ManagedPolicyArns"));
        if kind == OwnerKind::User {
            entity.groups = self.strings(r.prop("Groups"));
        }
        self.register(entity);
    }

    /// A SAM function or state machine: an explicit `AssumeRolePolicyDocument`
    /// is the trust policy of the role SAM creates for it (`<Id>Role`).
    fn serverless(&mut self, r: &Resource<'_, 's>) {
        if r.prop("Role").is_some() {
            return;
        }
        let Some(doc) = r.prop("AssumeRolePolicyDocument") else {
            return;
        };
        let role = format!("{}Role", r.id);
        let arn = self.t.arn(&role, 0);
        let owner = r.owner(OwnerKind::Role, arn.clone(), Some(role.clone()));
        let mut entity = Entity { kind: Some(OwnerKind::Role), arn, name: role, ..Entity::default() };
        entity.trust = self.document(doc, KindHint::Trust, owner.clone());
        // SAM's `Policies`: managed policy names or ARNs, and policy documents
        // (policy templates are SAM's own and left out).
        for item in self.items(r.prop("Policies")) {
            match &item.kind {
                Kind::Object(_) if item.get("Statement").is_some() => {
                    entity.inline.extend(self.document(&item, KindHint::Identity, owner.clone()));
                }
                Kind::String(s) if s.starts_with("arn:") => entity.managed.push(s.to_string()),
                Kind::String(s) if !is_symbolic(s) => {
                    entity.managed.push(format!("arn:aws:iam::aws:policy/{s}"));
                }
                _ => {}
            }
        }
        if let Some(Kind::String(s)) = r.prop("Policies").and_then(|p| self.t.value(p, 0)).map(|p| p.kind) {
            entity.managed.push(if s.starts_with("arn:") {
                s.into_owned()
            } else {
                format!("arn:aws:iam::aws:policy/{s}")
            });
        }
        entity.boundary = r.prop("PermissionsBoundary").map(|b| self.text(b));
        self.register(entity);
    }

    /// The principals a policy resource attaches to: `Roles`, `Users`, `Groups`.
    fn targets(&mut self, r: &Resource<'_, 's>) -> Vec<usize> {
        let mut targets = Vec::new();
        for (key, kind) in
            [("Roles", OwnerKind::Role), ("Users", OwnerKind::User), ("Groups", OwnerKind::Group)]
        {
            for name in self.strings(r.prop(key)) {
                targets.push(self.entity(kind, &name));
            }
        }
        targets
    }

    fn managed_policy(&mut self, r: &Resource<'_, 's>) {
        let arn = self.t.arn(r.id, 0);
        let name = self.t.name(r.id, 0).map(|n| n.s);
        let owner = r.owner(OwnerKind::ManagedPolicy, arn.clone(), name);
        let unit = r.prop("PolicyDocument").and_then(|doc| self.document(doc, KindHint::Identity, owner));
        let Some(arn) = arn else { return };
        if let Some(unit) = unit {
            self.out.managed.push((arn.clone(), unit));
        }
        for e in self.targets(r) {
            let managed = &mut self.out.entities[e].managed;
            if !managed.contains(&arn) {
                managed.push(arn.clone());
            }
        }
    }

    /// `AWS::IAM::Policy`: one inline policy of each principal it names.
    fn policy(&mut self, r: &Resource<'_, 's>) {
        let Some(doc) = r.prop("PolicyDocument") else { return };
        let targets = self.targets(r);
        if targets.is_empty() {
            self.document(doc, KindHint::Identity, r.owner(OwnerKind::Unattached, None, None));
        }
        for e in targets {
            self.attach(r, doc, e);
        }
    }

    /// `AWS::IAM::RolePolicy`, `UserPolicy`, `GroupPolicy`.
    fn named_policy(&mut self, r: &Resource<'_, 's>, kind: OwnerKind, key: &str) {
        let (Some(doc), Some(name)) = (r.prop("PolicyDocument"), r.prop(key)) else { return };
        let name = self.text(name);
        let e = self.entity(kind, &name);
        self.attach(r, doc, e);
    }

    /// Lowers `doc`, written in resource `r`, as an inline policy of entity `e`.
    fn attach(&mut self, r: &Resource<'_, 's>, doc: &Value<'s>, e: usize) {
        let entity = &self.out.entities[e];
        let owner =
            r.owner(entity.kind.unwrap_or(OwnerKind::Role), entity.arn.clone(), Some(entity.name.clone()));
        if let Some(unit) = self.document(doc, KindHint::Identity, owner) {
            self.out.entities[e].inline.push(unit);
        }
    }

    /// `AWS::IAM::UserToGroupAddition`: the group of each user it names.
    fn group_addition(&mut self, r: &Resource<'_, 's>) {
        let Some(group) = r.prop("GroupName").map(|g| self.text(g)) else { return };
        for user in self.strings(r.prop("Users")) {
            let e = self.entity(OwnerKind::User, &user);
            if !self.out.entities[e].groups.contains(&group) {
                self.out.entities[e].groups.push(group.clone());
            }
        }
    }

    /// `Metadata: {trustlint: {ignore: [...]}}`: each entry a rule name or
    /// code, or `{rule, reason}`; it covers the whole resource.
    fn suppressions(&mut self, r: &Resource<'_, 's>) {
        let Some(ignore) =
            r.value.get("Metadata").and_then(|m| m.get("trustlint")).and_then(|t| t.get("ignore"))
        else {
            return;
        };
        let entries = match &ignore.kind {
            Kind::Array(items) => items.as_slice(),
            _ => std::slice::from_ref(ignore),
        };
        for entry in entries {
            let names = |v: &Value<'_>| match &v.kind {
                Kind::String(s) => vec![s.to_string()],
                Kind::Array(items) => items.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
                _ => Vec::new(),
            };
            let (rules, reason) = match &entry.kind {
                Kind::String(s) => (vec![s.to_string()], None),
                Kind::Object(_) => (
                    entry.get("rule").or_else(|| entry.get("rules")).map(names).unwrap_or_default(),
                    entry.get("reason").and_then(Value::as_str).map(str::to_owned),
                ),
                _ => continue,
            };
            if !rules.is_empty() {
                self.out.suppressions.push(InlineSuppression {
                    rules,
                    reason,
                    span: entry.span,
                    scope: r.value.span,
                });
            }
        }
    }
}
