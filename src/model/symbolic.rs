//! Values a template leaves open. CloudFormation and Terraform write parts of
//! a policy as expressions (`!Ref Param`, `var.account`, `${AWS::AccountId}`);
//! what the template itself settles is resolved before lowering, and what it
//! does not stays *symbolic*: written `{{…}}` (the form CloudFormation's own
//! dynamic references take), so no rule mistakes it for a literal principal,
//! pattern or external id.

/// The account the template deploys to (`AWS::AccountId`, Terraform's
/// `aws_caller_identity`): unknown, but the same as the roles it creates, so a
/// principal in it is same-account trust. It has no `:`, so the ARNs it is
/// written into split into their parts like any other.
pub const STACK_ACCOUNT: &str = "{{AccountId}}";

/// The account one stack (a CloudFormation template, a Terraform root
/// module) deploys to, when nothing says which it is: unknown, and not the
/// account of another stack, so that roles of two stacks with the same name
/// stay two roles. `scope` names the stack (its file or root directory).
/// Like [`STACK_ACCOUNT`] it has no `:`.
pub fn stack_account(scope: &str) -> String {
    format!("{{{{AccountId@{}}}}}", scope.replace(':', ".").replace(['{', '}'], ""))
}

/// Whether `s` is a stack's unknown account ([`STACK_ACCOUNT`] or
/// [`stack_account`]).
pub fn is_stack_account(s: &str) -> bool {
    s == STACK_ACCOUNT
        || s.strip_prefix("{{AccountId@")
            .and_then(|r| r.strip_suffix("}}"))
            .is_some_and(|r| !r.contains([':', '{', '}']))
}

/// The stack a [`stack_account`] symbol names.
pub fn stack_of(account: &str) -> Option<&str> {
    account.strip_prefix("{{AccountId@")?.strip_suffix("}}")
}

/// A symbolic value for an expression the template does not settle. Colons
/// become dots (`AWS::Region` → `AWS.Region`): a symbol inside an ARN must not
/// add parts to it.
pub fn symbol(expression: &str) -> String {
    format!("{{{{{}}}}}", expression.replace("::", ".").replace(':', "."))
}

/// Whether `s` holds a part the template leaves open.
pub fn is_symbolic(s: &str) -> bool {
    s.find("{{").is_some_and(|i| s[i..].contains("}}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symbols() {
        assert_eq!(symbol("Ref TrustedAccount"), "{{Ref TrustedAccount}}");
        assert_eq!(symbol("Ref AWS::Region"), "{{Ref AWS.Region}}");
        assert_eq!(symbol("aws:username"), "{{aws.username}}");
        assert!(is_symbolic(STACK_ACCOUNT));
        assert!(is_symbolic("repo:{{Ref Org}}/app:*"));
        assert!(!is_symbolic("repo:org/app:*"));
        assert!(!is_symbolic("}} {{"));
        let a = stack_account("stacks/app.yaml");
        assert_eq!(a, "{{AccountId@stacks/app.yaml}}");
        assert!(is_symbolic(&a) && is_stack_account(&a) && is_stack_account(STACK_ACCOUNT));
        assert_ne!(a, stack_account("stacks/other.yaml"));
        assert_eq!(stack_account("C:\\t.json"), "{{AccountId@C.\\t.json}}");
        assert_eq!(stack_of(&a), Some("stacks/app.yaml"));
        assert!(!is_stack_account("{{Ref AWS.AccountId}}"));
    }
}
