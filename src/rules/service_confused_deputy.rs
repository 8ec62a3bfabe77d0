use super::{Context, Rule, declare_rule};
use crate::eval::{Domain, Scenario, admits};
use crate::model::Principal;

declare_rule!(
    ServiceConfusedDeputy,
    code = "TL107",
    name = "service-confused-deputy",
    severity = Warning,
    summary = "a service principal may assume the role on behalf of any account's resources (no `aws:SourceAccount`/`aws:SourceArn`)",
);

/// Services whose documentation shows `aws:SourceAccount` / `aws:SourceArn`
/// in the trust policies of the roles they assume: for them the condition is
/// available and missing it leaves a confused deputy open. Services that do
/// not send the keys when assuming a role (EC2, Lambda, Glue, Backup, …) are
/// left out: a condition there would lock the service out.
const SENDS_SOURCE: [&str; 24] = [
    "appstream",
    "appsync",
    "bedrock",
    "cloudformation",
    "cloudtrail",
    "codebuild",
    "codepipeline",
    "comprehend",
    "config",
    "datasync",
    "ecs-tasks",
    "events",
    "firehose",
    "iot",
    "kendra",
    "logs",
    "personalize",
    "pipes",
    "sagemaker",
    "scheduler",
    "sns",
    "states",
    "transfer",
    "vpc-flow-logs",
];

fn sends_source(service: &str) -> bool {
    let name = service.to_ascii_lowercase();
    let name = name
        .strip_suffix(".amazonaws.com")
        .or_else(|| name.strip_suffix(".amazonaws.com.cn"))
        .unwrap_or(&name);
    SENDS_SOURCE.contains(&name)
}

impl Rule for ServiceConfusedDeputy {
    fn check_policy(&self, cx: &mut Context<'_>) {
        let Some(policy) = cx.trust_policy() else { return };
        // Service-linked roles belong to the service: their trust cannot be edited.
        if cx.unit.owner.arn.as_deref().is_some_and(|a| a.contains(":role/aws-service-role/")) {
            return;
        }
        for (i, _, principals) in policy.grants() {
            for entry in &principals.entries {
                let Principal::Service(service) = &entry.principal else { continue };
                if !sends_source(service) {
                    continue;
                }
                // The service acting for a resource in someone else's account.
                let unknown = Domain::Unknown { optional: false };
                let deputy = Scenario::service(service)
                    .with("aws:sourceaccount", unknown.clone())
                    .with("aws:sourcearn", unknown.clone())
                    .with("aws:sourceorgid", unknown.clone())
                    .with("aws:sourceorgpaths", unknown)
                    .with("sts:externalid", Domain::Unknown { optional: true });
                if !admits(policy, i, &deputy) {
                    continue;
                }
                let message = format!(
                    "`{service}` can assume this role on behalf of resources in any account: no effective `aws:SourceAccount` or `aws:SourceArn` condition"
                );
                cx.report(&Self::META, entry.text.span, &entry.text.pointer, message)
                    .label("a service acting for any customer")
                    .help("add `\"StringEquals\": {\"aws:SourceAccount\": \"YOUR-ACCOUNT\"}` or an `ArnLike` `aws:SourceArn` for your resources");
            }
        }
    }
}
