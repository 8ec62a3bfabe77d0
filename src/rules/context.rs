use crate::diagnostic::{Finding, Severity};
use crate::eval::Env;
use crate::rules::RuleMeta;
use crate::source::Span;
use crate::sources::Unit;

/// What a rule sees: one policy, its owner, and the analysis settings.
pub struct Context<'a> {
    pub unit: &'a Unit,
    pub env: &'a Env,
    /// `--max-session-duration`.
    pub max_session_duration: i64,
    pub(crate) file: usize,
    pub(crate) findings: Vec<Finding>,
}

impl Context<'_> {
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
            file: self.file,
            span,
            pointer: pointer.to_owned(),
            subject: self.unit.owner.subject().map(str::to_owned),
            label: None,
            help: None,
        });
        let last = self.findings.len() - 1;
        &mut self.findings[last]
    }
}
