use crate::diagnostic::{Finding, Severity};
use crate::eval::Env;
use crate::rules::RuleMeta;
use crate::source::Span;
use crate::sources::Unit;

/// What a rule sees: one policy, its owner, and the analysis settings.
pub struct Context<'a> {
    pub unit: &'a Unit,
    pub env: &'a Env,
    /// The OpenID Connect providers declared in the policy's file.
    pub oidc_providers: &'a [crate::sources::OidcProvider],
    /// `--max-session-duration`.
    pub max_session_duration: i64,
    pub(crate) file: usize,
    /// For a policy read from several files: the file of each `Span::file`.
    pub(crate) files: Option<&'a [usize]>,
    pub(crate) findings: Vec<Finding>,
}

impl<'a> Context<'a> {
    /// The policy, when it is a role's trust policy.
    pub fn trust_policy(&self) -> Option<&'a crate::model::Policy> {
        Some(&self.unit.policy).filter(|p| p.kind == crate::model::PolicyKind::Trust)
    }

    /// Records a finding at `span`; returns it for `help` and `label`.
    pub fn report(
        &mut self,
        rule: &'static RuleMeta,
        span: Span,
        pointer: &str,
        message: String,
    ) -> &mut Finding {
        self.report_with(rule, rule.severity, span, pointer, message)
    }

    pub fn report_with(
        &mut self,
        rule: &'static RuleMeta,
        severity: Severity,
        span: Span,
        pointer: &str,
        message: String,
    ) -> &mut Finding {
        self.findings.push(Finding {
            rule,
            severity,
            message,
            file: self.files.and_then(|t| t.get(span.file as usize).copied()).unwrap_or(self.file),
            span,
            pointer: pointer.to_owned(),
            subject: self.unit.owner.subject().map(str::to_owned),
            construct: self.unit.owner.construct.clone(),
            label: None,
            help: None,
        });
        let last = self.findings.len() - 1;
        &mut self.findings[last]
    }
}

/// What a graph rule sees: the graph and everything it was built from.
pub struct GraphContext<'a> {
    pub graph: &'a crate::graph::TrustGraph,
    pub inventory: &'a crate::analysis::Inventory,
    pub settings: &'a crate::settings::Settings,
    pub(crate) findings: Vec<Finding>,
}

impl GraphContext<'_> {
    /// An environment for searches: your accounts and organization.
    pub fn env(&self) -> Env {
        Env::new(&self.inventory.accounts, self.settings.org_id.as_deref(), None)
    }

    /// Records a finding at `origin`.
    pub fn report(
        &mut self,
        rule: &'static RuleMeta,
        origin: &crate::graph::Origin,
        subject: Option<String>,
        message: String,
    ) -> &mut Finding {
        // A role of a template is known by its logical id (and construct), not
        // by the ARN the graph gives it.
        let owner = subject.as_deref().and_then(|arn| self.inventory.template_owner(arn));
        let construct = owner.and_then(|o| o.construct.clone());
        let subject = owner.and_then(|o| o.logical_id.clone()).or(subject);
        self.findings.push(Finding {
            rule,
            severity: rule.severity,
            message,
            file: origin.file,
            span: origin.span,
            pointer: origin.pointer.to_string(),
            subject,
            construct,
            label: None,
            help: None,
        });
        let last = self.findings.len() - 1;
        &mut self.findings[last]
    }
}
