//! What other tools are known to get wrong about trust policies, and what
//! trustlint says instead. Each case is a minimal document reproducing a
//! report against a peer tool (`fixtures/peers/<case>.json`), checked with
//! `--no-config`; the test asserts exactly which rules fire, once per
//! finding, or that none does.

use std::process::Command;

/// The rules of every finding for a peer case, sorted.
fn verdict(case: &str, options: &[&str]) -> Vec<String> {
    let path = format!("fixtures/peers/{case}.json");
    let output = Command::new(env!("CARGO_BIN_EXE_trustlint"))
        .args(["check", &path, "--no-config", "--format", "json"])
        .args(options)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("trustlint runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.is_empty(), "{case}: trustlint wrote to stderr:\n{stderr}");
    assert!(matches!(output.status.code(), Some(0 | 1)), "{case}: exit code {:?}", output.status.code());
    let report: serde_json::Value =
        serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{case}: not a JSON report ({e})"));
    assert_eq!(report["summary"]["files"], 1, "{case}: the fixture was not checked");
    let mut rules: Vec<String> = report["findings"]
        .as_array()
        .expect("a findings array")
        .iter()
        .map(|f| f["rule"].as_str().expect("a rule name").to_owned())
        .collect();
    rules.sort();
    rules
}

fn expect(rules: &[&str]) -> Vec<String> {
    let mut rules: Vec<String> = rules.iter().map(|r| (*r).to_owned()).collect();
    rules.sort();
    rules
}

// bridgecrewio/checkov#7209: CKV_AWS_61 fails any account-root principal,
// even when an `aws:PrincipalArn` condition narrows it to one role.
// trustlint judges the account: its own account is fine...
#[test]
fn checkov_7209_own_account_root_with_principal_arn() {
    assert_eq!(verdict("checkov-7209-root-with-principal-arn", &[]), expect(&[]));
}

// bridgecrewio/checkov#7209: ...and a third-party account still needs an
// external id, whichever of its roles the condition picks.
#[test]
fn checkov_7209_third_party_root_with_principal_arn() {
    assert_eq!(
        verdict("checkov-7209-third-party-root-with-principal-arn", &[]),
        expect(&["missing-external-id"])
    );
}

// bridgecrewio/checkov#6839 and #7304: CKV_AWS_60 fails `"AWS": "*"` without
// reading the conditions. Pinned to role ARNs of two accounts, the statement
// is not open to everyone; it is open to those accounts, which need an
// external id unless they are yours.
#[test]
fn checkov_6839_any_principal_with_principal_arn_list() {
    let case = "checkov-6839-any-principal-with-principal-arn-list";
    assert_eq!(verdict(case, &[]), expect(&["missing-external-id", "missing-external-id"]));
    let trusted = ["--trusted-account", "444455556666", "--trusted-account", "777788889999"];
    assert_eq!(verdict(case, &trusted), expect(&[]));
}

// bridgecrewio/checkov#6839: `"AWS": "*"` restricted to an organization.
#[test]
fn checkov_6839_any_principal_with_organization() {
    assert_eq!(verdict("checkov-6839-any-principal-with-organization", &[]), expect(&[]));
}

// bridgecrewio/checkov CKV_AWS_60 only looks at `Principal.AWS`, so a bare
// `"Principal": "*"` passes. IAM refuses it in a trust policy, and it admits
// everyone.
#[test]
fn checkov_60_bare_star_principal() {
    assert_eq!(
        verdict("checkov-60-bare-star-principal", &[]),
        expect(&["invalid-policy", "wildcard-principal"])
    );
}

// bridgecrewio/checkov CKV_AWS_61 fails a role that trusts its own account's
// root. In a `get-role` export the role's account is known, and trusting it
// is not third-party access.
#[test]
fn checkov_61_own_account_root() {
    assert_eq!(verdict("checkov-61-own-account-root", &[]), expect(&[]));
}

// bridgecrewio/checkov#1464: CKV_AWS_61 looks at `AWS` principals only. A
// federated GitHub Actions trust without a subject condition is open to
// every repository on GitHub.
#[test]
fn checkov_1464_federated_principal() {
    assert_eq!(verdict("checkov-1464-federated-principal", &[]), expect(&["oidc-unrestricted-subject"]));
}

// bridgecrewio/checkov CKV_AWS_358 passes as soon as the first statement is
// not a GitHub trust, so an open GitHub trust in the second statement goes
// unseen.
#[test]
fn checkov_358_first_statement_not_github() {
    assert_eq!(
        verdict("checkov-358-first-statement-not-github", &[]),
        expect(&["oidc-unrestricted-subject"])
    );
}

// bridgecrewio/checkov CKV_AWS_358 also decides on a pinned GitHub trust in
// the first statement and never reads the second, an open GitLab trust.
#[test]
fn checkov_358_second_statement_after_github() {
    assert_eq!(
        verdict("checkov-358-second-statement-after-github", &[]),
        expect(&["oidc-unrestricted-subject"])
    );
}

// bridgecrewio/checkov CKV_AWS_358 reads the first value of the subject
// condition only; the second value here admits every repository.
#[test]
fn checkov_358_first_subject_value_only() {
    assert_eq!(verdict("checkov-358-first-subject-value-only", &[]), expect(&["oidc-unrestricted-subject"]));
}

// bridgecrewio/checkov CKV_AWS_358 passes `repo:example-org/*`. Any
// repository of your own organization is no other tenant, so trustlint
// reports nothing either: the pattern cannot match another organization's
// tokens, though it admits every repository and branch of yours.
#[test]
fn checkov_358_organization_wildcard() {
    assert_eq!(verdict("checkov-358-organization-wildcard", &[]), expect(&[]));
}

// bridgecrewio/checkov#7610: CKV_AWS_358 failed GitHub's immutable subjects
// (`repo:org@123/repo@456:…`), which are pinned to one repository for good.
#[test]
fn checkov_7610_immutable_subject() {
    assert_eq!(verdict("checkov-7610-immutable-subject", &[]), expect(&[]));
}

// nccgroup/ScoutSuite#367: "Cross-account AssumeRole policy lacks external ID
// and MFA" took an MFA condition as a substitute for the external id. MFA is
// the other account's business and does not stop a confused deputy, and
// `BoolIfExists` lets long-term keys without MFA through.
#[test]
fn scoutsuite_367_mfa_instead_of_external_id() {
    assert_eq!(
        verdict("scoutsuite-367-mfa-instead-of-external-id", &[]),
        expect(&["condition-pitfall", "missing-external-id"])
    );
}

// nccgroup/ScoutSuite#457: roles of the audited account were reported as
// cross-account. A `get-role` export says the account is the role's own.
#[test]
fn scoutsuite_457_same_account_role() {
    assert_eq!(verdict("scoutsuite-457-same-account-role", &[]), expect(&[]));
}

// nccgroup/ScoutSuite#466: a kube2iam trust (EC2 and the account's own roles
// matched by `aws:PrincipalArn`) reported as lacking external id and MFA.
// Nothing is exposed; only the `StringLike` over an ARN is worth a warning.
#[test]
fn scoutsuite_466_kube2iam() {
    assert_eq!(verdict("scoutsuite-466-kube2iam", &[]), expect(&["condition-pitfall"]));
}

// nccgroup/ScoutSuite matches the key `sts:ExternalId` case-sensitively
// (its rule iam-assume-role-lacks-external-id-and-mfa.json). Condition keys
// are case-insensitive: `STS:ExternalID` is the external id.
#[test]
fn scoutsuite_external_id_key_case() {
    assert_eq!(verdict("scoutsuite-external-id-key-case", &[]), expect(&[]));
}

// prowler-cloud/prowler#2314: service roles whose trust carries
// `aws:SourceAccount` were reported as open to a confused deputy.
#[test]
fn prowler_2314_service_roles_with_source_account() {
    assert_eq!(verdict("prowler-2314-service-roles-with-source-account", &[]), expect(&[]));
}

// prowler-cloud/prowler#2314 (and #2248): service-linked roles were reported,
// though their trust policy belongs to the service and cannot be edited.
#[test]

fn prowler_2314_service_linked_role() {
    assert_eq!(verdict("prowler-2314-service-linked-role", &[]), expect(&[]));
}

// duo-labs/parliament#229: parliament demands `Resource` in a trust policy and
// flags the `:root` principal as unknown. A trust policy has no `Resource`,
// and the account root of the role's own account is a valid principal...
#[test]
fn parliament_229_trust_without_resource() {
    assert_eq!(verdict("parliament-229-trust-without-resource", &[]), expect(&[]));
}

// duo-labs/parliament#229: ...while a `Resource` in a trust policy is what IAM
// refuses.
#[test]
fn parliament_229_trust_with_resource() {
    assert_eq!(verdict("parliament-229-trust-with-resource", &[]), expect(&["invalid-policy"]));
}

// aws-cloudformation/cfn-lint#3620: E3002/E3031/E3512 rejected assumed-role
// session principals (`arn:aws:sts::…:assumed-role/ROLE/SESSION`), which IAM
// accepts.
#[test]
fn cfn_lint_3620_assumed_role_session_principal() {
    assert_eq!(verdict("cfn-lint-3620-assumed-role-session-principal", &[]), expect(&[]));
}

// aws-cloudformation/cfn-lint#4287: a malformed principal ARN
// (`arn:aws::iam::…:root`) went undetected until CloudFormation failed.
#[test]
fn cfn_lint_4287_malformed_principal() {
    assert_eq!(verdict("cfn-lint-4287-malformed-principal", &[]), expect(&["invalid-policy"]));
}

// awslabs/aws-cloudformation-iam-policy-validator#30: the trust that CDK
// pipelines write (another account's root) failed validation as an invalid
// ARN. It is valid; it is third-party trust unless the account is yours.
#[test]
fn iam_policy_validator_30_cdk_pipeline_trust() {
    let case = "iam-policy-validator-30-cdk-pipeline-trust";
    assert_eq!(verdict(case, &[]), expect(&["missing-external-id"]));
    assert_eq!(verdict(case, &["--trusted-account", "111111111111"]), expect(&[]));
}

// aquasecurity/cloudsploit#908: the cross-account check flags a named account
// but not `{"AWS": "*"}` (with an empty `Condition`).
#[test]
fn cloudsploit_908_any_principal() {
    assert_eq!(verdict("cloudsploit-908-any-principal", &[]), expect(&["wildcard-principal"]));
}

// cartography-cncf/cartography#3088: trust edges were drawn from `Allow`
// statements without regard to `Deny`. A `Deny` for everyone outside the
// organization closes the `"AWS": "*"` trust.
#[test]
fn cartography_3088_deny_closes_any_principal() {
    assert_eq!(verdict("cartography-3088-deny-closes-any-principal", &[]), expect(&[]));
}

// cartography-cncf/cartography#3078: the trust edge ignores the statement's
// `Condition`, so a GitHub trust pinned to one repository looks like a trust
// in all of GitHub.
#[test]
fn cartography_3078_allow_with_condition() {
    assert_eq!(verdict("cartography-3078-allow-with-condition", &[]), expect(&[]));
}

// salesforce/cloudsplaining#278: conditions are ignored when reporting what a
// policy allows. `"AWS": "*"` narrowed to an organizational unit is not open.
#[test]
fn cloudsplaining_278_any_principal_with_organization() {
    assert_eq!(verdict("cloudsplaining-278-any-principal-with-organization", &[]), expect(&[]));
}
