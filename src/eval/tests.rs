use super::*;
use crate::model::{KindHint, parse_policy};

fn trust(json: &str) -> Policy {
    let l = parse_policy(json, KindHint::Trust).unwrap();
    assert!(l.problems.is_empty(), "{:?}", l.problems);
    l.policy
}

fn env() -> Env {
    Env { role_account: Some("111111111111".into()), ..Env::default() }
}

fn outsider_allowed(p: &Policy, knows_external_id: bool) -> bool {
    let e = env();
    let sc = Scenario::aws_principal(&fresh_account(p, &e), knows_external_id, &e);
    (0..p.statements.len()).any(|i| allows(p, i, &sc).is_some())
}

fn account_allowed(p: &Policy, account: &str) -> bool {
    let sc = Scenario::aws_principal(account, false, &env());
    (0..p.statements.len()).any(|i| allows(p, i, &sc).is_some())
}

const WILD: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"COND}DENY]}"#;

fn wild(cond: &str, deny: &str) -> Policy {
    let cond = if cond.is_empty() { String::new() } else { format!(",\"Condition\":{cond}") };
    trust(&WILD.replace("COND", &cond).replace("DENY", deny))
}

#[test]
fn wildcard_without_conditions_admits_anyone() {
    assert!(outsider_allowed(&wild("", ""), true));
}

#[test]
fn org_condition_narrows() {
    assert!(!outsider_allowed(&wild(r#"{"StringEquals":{"aws:PrincipalOrgID":"o-abc123"}}"#, ""), true));
    // Key case does not matter.
    assert!(!outsider_allowed(&wild(r#"{"StringEquals":{"AWS:principalorgid":"o-abc123"}}"#, ""), true));
    // A pattern every organization matches narrows nothing.
    assert!(outsider_allowed(&wild(r#"{"StringLike":{"aws:PrincipalOrgID":"o-*"}}"#, ""), true));
    // IfExists: a caller outside any organization has no org id.
    assert!(outsider_allowed(
        &wild(r#"{"StringEqualsIfExists":{"aws:PrincipalOrgID":"o-abc123"}}"#, ""),
        true
    ));
    // ForAllValues is true when the key is absent.
    assert!(outsider_allowed(
        &wild(r#"{"ForAllValues:StringEquals":{"aws:PrincipalOrgID":"o-abc123"}}"#, ""),
        true
    ));
    assert!(!outsider_allowed(
        &wild(r#"{"ForAnyValue:StringEquals":{"aws:PrincipalOrgID":"o-abc123"}}"#, ""),
        true
    ));
}

#[test]
fn principal_arn_pinned_to_an_account_narrows() {
    assert!(!outsider_allowed(
        &wild(r#"{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::222222222222:role/*"}}"#, ""),
        true
    ));
    // A pattern across accounts does not.
    assert!(outsider_allowed(
        &wild(r#"{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/deploy"}}"#, ""),
        true
    ));
    assert!(outsider_allowed(&wild(r#"{"StringLike":{"aws:PrincipalArn":"*"}}"#, ""), true));
}

#[test]
fn caller_controlled_keys_do_not_narrow() {
    for cond in [
        r#"{"StringEquals":{"aws:PrincipalTag/team":"ops"}}"#,
        r#"{"Bool":{"aws:MultiFactorAuthPresent":"true"}}"#,
        r#"{"StringEquals":{"sts:ExternalId":"abc"}}"#,
        r#"{"StringNotEquals":{"aws:PrincipalOrgID":"o-abc123"}}"#,
    ] {
        assert!(outsider_allowed(&wild(cond, ""), true), "{cond}");
    }
}

#[test]
fn source_account_is_absent_for_direct_callers() {
    assert!(!outsider_allowed(&wild(r#"{"StringEquals":{"aws:SourceAccount":"222222222222"}}"#, ""), true));
    assert!(outsider_allowed(&wild(r#"{"StringNotEquals":{"aws:SourceAccount":"222222222222"}}"#, ""), true));
}

#[test]
fn deny_unless_org_closes_the_hole() {
    let deny = r#",{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"sts:*","Condition":{"StringNotEquals":{"aws:PrincipalOrgID":"o-abc123"}}}"#;
    assert!(!outsider_allowed(&wild("", deny), true));
    // A Deny for another action does not.
    let other = r#",{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"sts:TagSession","Condition":{"StringNotEquals":{"aws:PrincipalOrgID":"o-abc123"}}}"#;
    assert!(outsider_allowed(&wild("", other), true));
    // `…IfExists` on a negated operator is true when the key is absent: still closed.
    let if_exists = r#",{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"o-abc123"}}}"#;
    assert!(!outsider_allowed(&wild("", if_exists), true));
    // A Deny of one named organization leaves every other caller through.
    let one_org = r#",{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-evil00000"}}}"#;
    assert!(outsider_allowed(&wild("", one_org), true));
}

#[test]
fn external_id_conditions() {
    let p = trust(
        r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999988887777:root"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"a1b2c3d4e5"}}}]}"#,
    );
    assert!(!account_allowed(&p, "999988887777"));
    let p = trust(
        r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999988887777:root"},"Action":"sts:AssumeRole","Condition":{"StringLike":{"STS:EXTERNALID":"*"}}}]}"#,
    );
    assert!(account_allowed(&p, "999988887777"));
    let p = trust(
        r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"999988887777"},"Action":"sts:AssumeRole","Condition":{"StringEqualsIfExists":{"sts:ExternalId":"a1b2c3d4e5"}}}]}"#,
    );
    assert!(account_allowed(&p, "999988887777"));
    // Deny unless the external id is right.
    let p = trust(
        r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"999988887777"},"Action":"sts:AssumeRole"},{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"StringNotEquals":{"sts:ExternalId":"a1b2c3d4e5"}}}]}"#,
    );
    assert!(!account_allowed(&p, "999988887777"));
}

#[test]
fn actions_with_wildcards_and_not_action() {
    for action in [r#""sts:assumerole""#, r#""sts:Assume*""#, r#""*""#, r#"["s3:GetObject","sts:*"]"#] {
        let p = trust(&format!(
            r#"{{"Statement":[{{"Effect":"Allow","Principal":{{"AWS":"*"}},"Action":{action}}}]}}"#
        ));
        assert!(outsider_allowed(&p, true), "{action}");
    }
    let p = trust(r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"NotAction":"s3:*"}]}"#);
    assert!(outsider_allowed(&p, true));
    let p = trust(r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"NotAction":"sts:*"}]}"#);
    assert!(!outsider_allowed(&p, true));
    let p = trust(
        r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRoleWithSAML"}]}"#,
    );
    assert!(!outsider_allowed(&p, true));
}

#[test]
fn policy_variables_resolve_against_the_context() {
    let p = wild(r#"{"StringEquals":{"aws:PrincipalAccount":"${aws:ResourceAccount}"}}"#, "");
    assert!(!outsider_allowed(&p, true));
}

#[test]
fn resource_account_variable_pins_the_caller_even_when_the_account_is_unknown() {
    let l = parse_policy(
        &WILD
            .replace(
                "COND",
                r#","Condition":{"StringEquals":{"aws:PrincipalAccount":"${aws:ResourceAccount}"}}"#,
            )
            .replace("DENY", ""),
        KindHint::Trust,
    )
    .unwrap();
    let e = Env::default();
    let sc = Scenario::aws_principal(&fresh_account(&l.policy, &e), true, &e);
    assert!(allows(&l.policy, 0, &sc).is_none());
}

#[test]
fn policy_variables_are_literal_text_before_version_2012() {
    let p = trust(
        r#"{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:PrincipalAccount":"${aws:ResourceAccount}"}}}]}"#,
    );
    // No caller's account is the text `${aws:ResourceAccount}`.
    assert!(!outsider_allowed(&p, true));
    let p = trust(
        r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"StringNotEquals":{"aws:PrincipalAccount":"${aws:ResourceAccount}"}}}]}"#,
    );
    assert!(outsider_allowed(&p, true));
}

#[test]
fn specific_principal_matches_only_itself() {
    let p = trust(
        r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999988887777:role/ci"},"Action":"sts:AssumeRole"}]}"#,
    );
    assert!(account_allowed(&p, "999988887777"));
    assert!(!account_allowed(&p, "999988887778"));
}

#[test]
fn a_session_principal_stands_for_its_role_at_any_path() {
    let p = trust(
        r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Admin_abc/alice"},"Action":"sts:AssumeRole"}]}"#,
    );
    let e = env();
    let role = "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_abc";
    assert!(allows(&p, 0, &Scenario::aws_arn(role, true, &e)).is_some());
    let other = "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Other_abc";
    assert!(allows(&p, 0, &Scenario::aws_arn(other, true, &e)).is_none());
}

#[test]
fn scenarios_hold_each_key_once_and_a_later_setting_wins() {
    let sc = Scenario::aws_arn("arn:aws:iam::222222222222:role/r", false, &env());
    let arns = sc.keys.iter().filter(|(k, _)| k == "aws:principalarn").count();
    assert_eq!(arns, 1);
    assert!(
        matches!(sc.domain("aws:principalarn"), Domain::Fixed(a) if a == "arn:aws:iam::222222222222:role/r")
    );
    assert!(matches!(sc.domain("aws:principalaccount"), Domain::Fixed(a) if a == "222222222222"));
    assert!(matches!(sc.domain("aws:resourceaccount"), Domain::Fixed(a) if a == "111111111111"));
    assert!(matches!(sc.domain("sts:externalid"), Domain::Unknown { optional: true }));
    let sc = sc.with("STS:ExternalId", Domain::Absent);
    assert!(matches!(sc.domain("sts:externalid"), Domain::Absent));
    assert_eq!(sc.keys.iter().filter(|(k, _)| k == "sts:externalid").count(), 1);
    let service = Scenario::service("ec2.amazonaws.com");
    assert!(matches!(service.domain("aws:principalarn"), Domain::Absent));
    assert!(
        matches!(service.domain("aws:principalservicename"), Domain::Fixed(s) if s == "ec2.amazonaws.com")
    );
}

#[test]
fn admits_answers_as_allows_does() {
    // `admits` leaves out the caller's account or ARN where no principal
    // and no condition reads it; `allows` searches them for its witness.
    let e = env();
    let one = |principal: &str, cond: &str, deny: &str| {
        let cond = if cond.is_empty() { String::new() } else { format!(",\"Condition\":{cond}") };
        trust(&format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"{principal}"}},"Action":"sts:AssumeRole"{cond}}}{deny}]}}"#
        ))
    };
    let deny_role = r#",{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::222222222222:role/ci"},"Action":"sts:AssumeRole"}"#;
    let deny_account = r#",{"Effect":"Deny","Principal":{"AWS":"222222222222"},"Action":"sts:AssumeRole"}"#;
    let arn_like = r#"{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::222222222222:role/ci-*"}}"#;
    let external_id = r#"{"StringEquals":{"sts:ExternalId":"x-1"}}"#;
    let mut policies = vec![
        wild("", ""),
        wild(r#"{"StringEquals":{"aws:PrincipalOrgID":"o-abc123"}}"#, ""),
        wild("", r#",{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}"#),
        wild(arn_like, ""),
        wild(r#"{"StringEquals":{"aws:PrincipalAccount":"222222222222"}}"#, deny_role),
    ];
    for principal in ["222222222222", "arn:aws:iam::222222222222:root", "arn:aws:iam::222222222222:role/ci"] {
        for cond in ["", arn_like, external_id] {
            for deny in ["", deny_role, deny_account] {
                policies.push(one(principal, cond, deny));
            }
        }
    }
    // A domain that leaves no value: no request gets through, whether or
    // not a principal reads the key.
    let nothing = || Domain::FreeExcept { prefixes: vec![String::new()], optional: false };
    let mut answers = [0, 0];
    for p in &policies {
        for sc in [
            Scenario::aws_principal(&fresh_account(p, &e), true, &e),
            Scenario::aws_principal("222222222222", false, &e),
            Scenario::aws_principal("222222222222", true, &e),
            Scenario::aws_principal("222222222222", true, &e).with("aws:principalarn", nothing()),
            Scenario::aws_principal("222222222222", true, &e).with("aws:principalaccount", nothing()),
            Scenario::service("ec2.amazonaws.com"),
        ] {
            let admitted = admits(p, 0, &sc);
            assert_eq!(admitted, allows(p, 0, &sc).is_some(), "{p:?} {sc:?}");
            answers[usize::from(admitted)] += 1;
        }
    }
    // Both answers are given, many times each.
    assert!(answers[0] > 20 && answers[1] > 20, "{answers:?}");
}

#[test]
fn a_variable_starts_with_a_dollar_and_a_brace() {
    for s in ["", "$", "{", "${", "a${b}", "$$", "$ {", "x$", "${aws:username}", "}${", "$}{", "é${"] {
        assert_eq!(has_variable(s), s.contains("${"), "{s}");
    }
}
