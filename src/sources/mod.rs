//! Finding the policies inside a file: plain policy documents and AWS CLI
//! exports. Each source says what the policy belongs to, so findings can name
//! the role, and hands the document to lowering with spans in the file the
//! user wrote.

mod cloudformation;
mod embedded;
pub(crate) mod iam_export;
pub mod terraform;
mod terraform_plan;

use crate::model::lower::SpanMap;
use crate::model::{KindHint, Policy, Problem, Spanned, lower, lower_json};
use crate::source::Span;
use crate::syntax::json::Value;

pub use embedded::{Embedded, Text, embedded_document};
pub use iam_export::stream::{Streamed, read_file as read_export};

/// What kind of file this is, as detected from its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    PolicyDocument,
    /// `aws iam get-account-authorization-details`.
    AuthorizationDetails,
    /// `aws iam get-role`.
    GetRole,
    /// `aws iam list-roles`.
    ListRoles,
    /// `aws iam get-role-policy` / `get-user-policy` / `get-group-policy`.
    InlinePolicy,
    /// `aws iam get-policy-version`.
    PolicyVersion,
    /// `aws organizations list-accounts`.
    Accounts,
    /// A CloudFormation template (JSON or YAML), SAM and CDK output included.
    CloudFormation,
    /// `terraform show -json` of a plan or of the state.
    TerraformPlan,
    /// Terraform source in JSON syntax (`.tf.json`).
    TerraformJson,
    /// Terraform source (`.tf`).
    TerraformSource,
}

/// What kind of thing a policy belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum OwnerKind {
    /// A role: its trust policy or one of its inline policies.
    Role,
    User,
    Group,
    ManagedPolicy,
    /// A policy file on its own.
    Unattached,
}

/// Who a policy belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    pub kind: OwnerKind,
    pub arn: Option<String>,
    pub name: Option<String>,
    /// In a template: the resource's logical id (or Terraform address), which
    /// findings name as their subject.
    pub logical_id: Option<String>,
    /// In CDK output: the construct path (`Metadata.aws:cdk:path`).
    pub construct: Option<String>,
}

/// Who a finding is about: the subject, and the CDK construct that made it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Concern {
    pub subject: Option<String>,
    pub construct: Option<String>,
}

impl Owner {
    pub const UNATTACHED: Self =
        Self { kind: OwnerKind::Unattached, arn: None, name: None, logical_id: None, construct: None };

    pub fn new(kind: OwnerKind, arn: Option<String>, name: Option<String>) -> Self {
        Self { kind, arn, name, logical_id: None, construct: None }
    }

    /// A resource of a template, known by its logical id (and, from CDK, its
    /// construct path).
    #[must_use]
    pub fn in_template(mut self, logical_id: impl Into<String>, construct: Option<String>) -> Self {
        self.logical_id = Some(logical_id.into());
        self.construct = construct;
        self
    }

    /// The logical id, ARN or name findings about this policy are reported against.
    pub fn subject(&self) -> Option<&str> {
        self.logical_id.as_deref().or(self.arn.as_deref()).or(self.name.as_deref())
    }

    pub fn concern(&self) -> Concern {
        Concern { subject: self.subject().map(str::to_owned), construct: self.construct.clone() }
    }

    /// The account the owner lives in, when its ARN says.
    pub fn account(&self) -> Option<&str> {
        self.arn.as_deref().and_then(crate::model::arn::account_of)
    }
}

/// An IAM user, group or role found in an export, with the policies that
/// apply to it (indexes into [`Extracted::units`]).
#[derive(Debug, Clone, Default)]
pub struct Entity {
    pub kind: Option<OwnerKind>,
    pub arn: Option<String>,
    pub name: String,
    /// Its inline policies.
    pub inline: Vec<usize>,
    /// ARNs of the managed policies attached to it.
    pub managed: Vec<String>,
    /// ARN of its permissions boundary.
    pub boundary: Option<String>,
    /// For a user: the names of its groups.
    pub groups: Vec<String>,
    /// For a role: its trust policy.
    pub trust: Option<usize>,
}

/// One policy document found in a file.
#[derive(Debug, Clone)]
pub struct Unit {
    pub policy: Policy,
    /// Shared by the policies of one principal (an export's role has its
    /// trust policy and its inline policies).
    pub owner: std::sync::Arc<Owner>,
    /// For a role's trust policy: the role's `MaxSessionDuration`, if given.
    pub max_session_duration: Option<Spanned<i64>>,
}

/// Everything found in one file.
#[derive(Debug, Clone, Default)]
pub struct Extracted {
    pub units: Vec<Unit>,
    /// Problems that make a policy invalid, with the subject they concern.
    pub problems: Vec<(Problem, Concern)>,
    /// Accounts the file shows to be yours (exported accounts, organization members).
    pub accounts: Vec<String>,
    /// Users, groups and roles, with their policies.
    pub entities: Vec<Entity>,
    /// Managed policies: ARN and the unit of the default version.
    pub managed: Vec<(String, usize)>,
    /// Suppressions written in the file itself (CloudFormation `Metadata`,
    /// Terraform comments).
    pub suppressions: Vec<InlineSuppression>,
    /// OpenID Connect providers the file declares, with their client ids.
    pub oidc_providers: Vec<OidcProvider>,
    /// Policies (or parts of them) that could not be built from the source,
    /// with what was unknown (`unresolved-policy`).
    pub unresolved: Vec<(Problem, Concern)>,
}

/// An OpenID Connect provider declared next to the roles that trust it (a
/// CloudFormation `AWS::IAM::OIDCProvider`, a Terraform
/// `aws_iam_openid_connect_provider`): STS accepts only tokens whose `aud`
/// is one of its client ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OidcProvider {
    /// The account it is created in, as the ARNs of the source write it.
    pub account: String,
    /// Host and path of its URL, without `https://` (as in its ARN).
    pub issuer: String,
    /// Its client ids (audiences); `None` when the source does not settle them.
    pub client_ids: Option<Vec<String>>,
}

impl OidcProvider {
    /// Whether this is the provider a trust policy's principal names.
    pub fn is(&self, account: &str, issuer: &str) -> bool {
        self.account == account && self.issuer.eq_ignore_ascii_case(issuer)
    }
}

/// A suppression written in a template: the rules it silences in `scope`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlineSuppression {
    /// Rule names or codes, as written.
    pub rules: Vec<String>,
    pub reason: Option<String>,
    /// Where the suppression is written.
    pub span: Span,
    /// What it covers: findings whose span lies inside are suppressed.
    pub scope: Span,
}

impl Extracted {
    /// Lowers the policy at `value` (an object, or a string holding one) and
    /// records it with its owner.
    pub(crate) fn add_policy(
        &mut self,
        text: &str,
        value: &Value<'_>,
        hint: KindHint,
        owner: impl Into<std::sync::Arc<Owner>>,
    ) -> Option<usize> {
        self.add_policy_in(Text::whole(text), value, hint, owner)
    }

    /// [`Extracted::add_policy`], for a value parsed from `text`: a piece
    /// of a file, or a file known to be JSON.
    pub(crate) fn add_policy_in(
        &mut self,
        text: Text<'_>,
        value: &Value<'_>,
        hint: KindHint,
        owner: impl Into<std::sync::Arc<Owner>>,
    ) -> Option<usize> {
        let owner = owner.into();
        let lowered = match embedded_document(text, value) {
            Embedded::Object if text.json => lower_json(value, text.at(value.span), hint, &SpanMap::Identity),
            Embedded::Object => lower(value, hint, &SpanMap::Identity),
            Embedded::Decoded { doc, offsets } => {
                let map = SpanMap::Table { base: value.span.start, offsets, file: value.span.file };
                match crate::syntax::json::parse(&doc) {
                    Ok(v) => lower_json(&v, &doc[v.span.start as usize..v.span.end as usize], hint, &map),
                    Err(e) => {
                        let message = format!("the embedded policy is not valid JSON: {}", e.message);
                        self.problem(map.map(e.span), message, &owner);
                        return None;
                    }
                }
            }
            Embedded::NotAPolicy => {
                let message = format!("expected a policy document here, found {}", value.type_name());
                self.problem(value.span, message, &owner);
                return None;
            }
        };
        Some(self.push(lowered, owner))
    }

    pub(crate) fn problem(&mut self, span: Span, message: String, owner: &Owner) {
        let problem = Problem { span, pointer: String::new(), message };
        self.problems.push((problem, owner.concern()));
    }

    /// What `parts` found, in order ([`Extracted::merge`] of each), with
    /// room made once: an export's parts hold hundreds of thousands of
    /// policies, and lists grown by doubling keep the old buffer alive next
    /// to the new one while they move.
    pub(crate) fn concat(parts: Vec<Self>) -> Self {
        let mut out = Self::default();
        let total = |len: fn(&Self) -> usize| parts.iter().map(len).sum::<usize>();
        out.units.reserve_exact(total(|p| p.units.len()));
        out.entities.reserve_exact(total(|p| p.entities.len()));
        out.managed.reserve_exact(total(|p| p.managed.len()));
        out.problems.reserve_exact(total(|p| p.problems.len()));
        for part in parts {
            out.merge(part);
        }
        out
    }

    /// Appends what another extraction found.
    pub(crate) fn merge(&mut self, other: Self) {
        let base = self.units.len();
        self.entities.extend(other.entities.into_iter().map(|mut e| {
            e.inline.iter_mut().for_each(|u| *u += base);
            e.trust = e.trust.map(|u| u + base);
            e
        }));
        self.managed.extend(other.managed.into_iter().map(|(arn, u)| (arn, u + base)));
        self.units.extend(other.units);
        self.problems.extend(other.problems);
        self.unresolved.extend(other.unresolved);
        self.suppressions.extend(other.suppressions);
        self.oidc_providers.extend(other.oidc_providers);
        for a in other.accounts {
            if !self.accounts.contains(&a) {
                self.accounts.push(a);
            }
        }
    }

    pub(crate) fn push(
        &mut self,
        lowered: crate::model::Lowered,
        owner: impl Into<std::sync::Arc<Owner>>,
    ) -> usize {
        let owner = owner.into();
        let concern = owner.concern();
        self.problems.extend(lowered.problems.into_iter().map(|p| (p, concern.clone())));
        // Most files hold one policy: room for one, not the four a list
        // starts with (every file's list is alive until the inventory
        // gathers them).
        if self.units.capacity() == 0 {
            self.units.reserve_exact(1);
        }
        self.units.push(Unit { policy: lowered.policy, owner, max_session_duration: None });
        self.units.len() - 1
    }
}

/// Detects the format of a parsed JSON file. `None`: not an IAM document.
pub fn detect(root: &Value<'_>) -> Option<Format> {
    let has = |k: &str| root.get(k).is_some();
    root.as_object()?;
    let policy_version =
        root.get("Version").and_then(Value::as_str).is_some_and(|v| matches!(v, "2012-10-17" | "2008-10-17"));
    if has("Statement") || policy_version {
        return Some(Format::PolicyDocument);
    }
    if cloudformation::detect(root) {
        return Some(Format::CloudFormation);
    }
    if terraform_plan::detect(root) {
        return Some(Format::TerraformPlan);
    }
    if terraform::detect_json(root) {
        return Some(Format::TerraformJson);
    }
    if has("RoleDetailList") || has("UserDetailList") || has("GroupDetailList") {
        return Some(Format::AuthorizationDetails);
    }
    if root.get("Role").is_some_and(|r| r.get("AssumeRolePolicyDocument").is_some()) {
        return Some(Format::GetRole);
    }
    if root.get("Roles").and_then(Value::as_array).is_some() {
        return Some(Format::ListRoles);
    }
    if has("PolicyDocument") && (has("RoleName") || has("UserName") || has("GroupName")) {
        return Some(Format::InlinePolicy);
    }
    if root.get("PolicyVersion").is_some_and(|v| v.get("Document").is_some()) {
        return Some(Format::PolicyVersion);
    }
    if root.get("Accounts").and_then(Value::as_array).is_some_and(|a| a.iter().all(|x| x.get("Id").is_some()))
    {
        return Some(Format::Accounts);
    }
    if root
        .get("Policies")
        .and_then(Value::as_array)
        .is_some_and(|a| a.iter().any(|p| p.get("PolicyVersionList").is_some()))
    {
        return Some(Format::AuthorizationDetails);
    }
    None
}

/// Reads one file: parses it in the syntax its name (or, without a known
/// extension, its first character) says, detects what it is and extracts its
/// policies. `Ok(None)`: not an IAM document.
///
/// # Errors
/// A file that does not parse: the problem, with its place.
pub fn read(name: &str, text: &str) -> Result<Option<(Format, Extracted)>, Problem> {
    read_in(name, text, None, &mut None)
}

/// [`read`], for a file whose stack deploys to `account` when given (a
/// template's own account otherwise: see
/// [`crate::model::symbolic::stack_account`]). A JSON text's line starts,
/// noted by its parse, are left in `lines`.
///
/// # Errors
/// A file that does not parse: the problem, with its place.
pub fn read_in(
    name: &str,
    text: &str,
    account: Option<&str>,
    lines: &mut Option<crate::source::LineStarts>,
) -> Result<Option<(Format, Extracted)>, Problem> {
    let syntax = Syntax::of(name, text);
    if syntax == Syntax::Hcl {
        let mut read = terraform::read_one(name, text);
        if let Some(p) = read.problems.pop() {
            return Err(p);
        }
        let x = read.extracted;
        let found = !x.units.is_empty()
            || !x.entities.is_empty()
            || !x.unresolved.is_empty()
            || !x.problems.is_empty();
        return Ok(found.then_some((Format::TerraformSource, x)));
    }
    // A large export is read item by item, never parsed whole.
    if syntax == Syntax::Json
        && let Some(x) = iam_export::stream::read_text(text)
    {
        return Ok(Some((Format::AuthorizationDetails, x)));
    }
    let parsed = match syntax {
        Syntax::Yaml => crate::syntax::yaml::parse(text).map_err(|e| (e, "invalid YAML")),
        _ => crate::syntax::json::parse_lines(text).map_err(|e| (e, "invalid JSON")).map(|(root, starts)| {
            *lines = Some(starts);
            root
        }),
    };
    let root = parsed.map_err(|(e, what)| Problem {
        span: e.span,
        pointer: String::new(),
        message: format!("{what}: {}", e.message),
    })?;
    // IAM reads policies as JSON only: from YAML, only templates count.
    let format = detect(&root).filter(|f| syntax != Syntax::Yaml || *f == Format::CloudFormation);
    // Only a template has a stack (its account is made for the file name).
    let stack = match account {
        _ if format != Some(Format::CloudFormation) => {
            Stack { account: String::new(), generated_prefix: None }
        }
        // A known account: named roles of other stacks in it are the same
        // roles, generated names are still the stack's own.
        Some(account) => Stack {
            account: account.to_owned(),
            generated_prefix: Some(crate::model::symbolic::symbol(&format!("Stack {name}"))),
        },
        None => Stack { account: crate::model::symbolic::stack_account(name), generated_prefix: None },
    };
    Ok(format.map(|f| (f, extract_in(text, &root, f, stack))))
}

/// Whether a file of this name is read as JSON when its text starts with
/// `{`, as an export's does.
pub fn may_be_export(name: &str) -> bool {
    Syntax::of(name, "{") == Syntax::Json
}

/// The stack a template deploys: its account, and what its generated
/// resource names start with.
#[derive(Debug, Clone)]
pub struct Stack {
    pub account: String,
    pub generated_prefix: Option<String>,
}

/// The syntax a file is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Syntax {
    Json,
    Yaml,
    Hcl,
}

impl Syntax {
    fn of(name: &str, text: &str) -> Self {
        let ext = crate::support::path::extension(name);
        let is = |e: &str| ext.eq_ignore_ascii_case(e);
        let start = text.trim_start();
        if is("tf") || (ext.is_empty() && !start.starts_with(['{', '[']) && terraform::looks_like_hcl(text)) {
            Self::Hcl
        } else if is("json") || is("tfstate") {
            Self::Json
        } else if is("yaml") || is("yml") {
            Self::Yaml
        } else if start.is_empty() || start.starts_with(['{', '[']) {
            Self::Json
        } else {
            Self::Yaml
        }
    }
}

/// Extracts every policy in a file of a detected format.
pub fn extract(text: &str, root: &Value<'_>, format: Format) -> Extracted {
    let stack = Stack { account: crate::model::symbolic::STACK_ACCOUNT.to_owned(), generated_prefix: None };
    extract_in(text, root, format, stack)
}

/// [`extract`], for a template of `stack`.
fn extract_in(text: &str, root: &Value<'_>, format: Format, stack: Stack) -> Extracted {
    let mut out = Extracted::default();
    match format {
        Format::PolicyDocument => {
            // One owner for every file of a policy alone: not a copy each.
            static UNATTACHED: std::sync::LazyLock<std::sync::Arc<Owner>> =
                std::sync::LazyLock::new(|| std::sync::Arc::new(Owner::UNATTACHED));
            // IAM reads policies as JSON only: so is this file.
            out.add_policy_in(Text::json(text), root, KindHint::Detect, std::sync::Arc::clone(&UNATTACHED));
        }
        Format::CloudFormation => cloudformation::extract(text, root, stack, &mut out),
        Format::TerraformPlan => terraform_plan::extract(text, root, &mut out),
        Format::TerraformJson => out = terraform::read_one("", text).extracted,
        Format::TerraformSource => {}
        _ => iam_export::extract(text, root, format, &mut out),
    }
    out
}
