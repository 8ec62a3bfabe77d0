//! `terraform show -json` of a plan and of the state, and `terraform.tfstate`
//! itself: the roles, policies and attachments they hold, where findings
//! point in them, and the graph they make.

mod common;

use common::{dump, trustlint};

use std::path::Path;

use trustlint::model::PolicyKind;
use trustlint::settings::Settings;
use trustlint::sources::{self, Format, OwnerKind};
use trustlint::syntax::json;

const DIR: &str = "fixtures/iac/terraform-plan";

fn fixture(name: &str) -> (String, String) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(DIR).join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    (path.to_string_lossy().into_owned(), text)
}

#[test]
fn extraction() {
    insta::glob!("../fixtures/iac/terraform-plan", "*.{json,tfstate}", |path| {
        insta::assert_snapshot!(dump(path));
    });
}

#[test]
fn check_output() {
    let out = trustlint(&["check", "--no-config", "--format", "concise", DIR]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    insta::assert_snapshot!(String::from_utf8(out.stdout).unwrap());
}

/// Every file is read as what it is; the state file by its extension too.
#[test]
fn formats_are_detected() {
    for name in ["plan.json", "state.json", "terraform.tfstate"] {
        let (path, text) = fixture(name);
        let (format, _) = sources::read(&path, &text).unwrap().unwrap();
        assert_eq!(format, Format::TerraformPlan, "{name}");
    }
    let others = [
        r#"{"name":"app","version":"1.0.0","scripts":{"build":"tsc"},"dependencies":{"left-pad":"^1.3.0"}}"#,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#,
        r#"{"format_version":"1.0","provider_schemas":{}}"#,
        r#"{"format_version":"1.0"}"#,
        r#"{"version":4,"resources":[]}"#,
    ];
    for text in others {
        let root = json::parse(text).unwrap();
        assert_ne!(sources::detect(&root), Some(Format::TerraformPlan), "{text}");
    }
}

/// A finding's position is the principal inside the escaped policy string,
/// and its subject the resource's full address, module included.
#[test]
fn findings_point_into_the_embedded_policy() {
    let settings = Settings { paths: vec![DIR.to_owned()], ..Settings::default() };
    let a = trustlint::analyze_paths(&settings).unwrap();
    let find = |rule: &str| {
        a.findings.iter().find(|f| f.rule.name == rule).unwrap_or_else(|| panic!("no {rule} finding"))
    };

    let f = find("missing-external-id");
    let file = &a.files[f.file];
    assert!(file.name.ends_with("plan.json"));
    assert_eq!(&file.text()[f.span.range()], r#"\"arn:aws:iam::999988887777:root\""#);
    assert_eq!(f.subject.as_deref(), Some("aws_iam_role.vendor_audit"));
    assert_eq!(f.pointer, "/Statement/0/Principal/AWS");

    let f = find("oidc-unrestricted-subject");
    let file = &a.files[f.file];
    assert_eq!(&file.text()[f.span.range()], r#"\"repo:*\""#);
    assert_eq!(f.subject.as_deref(), Some(r#"module.github_oidc.aws_iam_role.sandbox["dev"]"#));
    let line = file.text()[..f.span.range().start].lines().count();
    assert_eq!(line, 196);

    // The session duration is a number of the planned values.
    let f = find("excessive-session-duration");
    assert_eq!(&a.files[f.file].text()[f.span.range()], "43200");
    assert_eq!(f.subject.as_deref(), Some("aws_iam_role.deploy"));

    // `repo:my-org/*` pins the organization: the role that uses it is clean.
    assert!(
        !a.findings
            .iter()
            .any(|f| f.subject.as_deref() == Some("module.github_oidc.aws_iam_role.github_actions")),
        "{:#?}",
        a.findings
    );
}

/// A plan knows the account from `data.aws_caller_identity` in its prior
/// state: roles it creates get their ARN there, and an attachment of a
/// policy it creates is linked through the configuration's references.
#[test]
fn plan_roles_and_attachments() {
    let (path, text) = fixture("plan.json");
    let (_, x) = sources::read(&path, &text).unwrap().unwrap();
    let role = |name: &str| {
        x.entities
            .iter()
            .find(|e| e.kind == Some(OwnerKind::Role) && e.name == name)
            .unwrap_or_else(|| panic!("no role {name}"))
    };
    let gha = role("github-actions");
    assert_eq!(gha.arn.as_deref(), Some("arn:aws:iam::111122223333:role/github-actions"));
    assert_eq!(gha.managed, ["arn:aws:iam::111122223333:policy/ci/github-actions-artifacts"]);
    assert_eq!(gha.inline.len(), 1);
    assert!(x.managed.iter().any(|(arn, _)| arn == &gha.managed[0]));
    let sandbox = role("github-sandbox-dev");
    assert_eq!(sandbox.arn.as_deref(), Some("arn:aws:iam::111122223333:role/sandbox/github-sandbox-dev"));
    assert_eq!(sandbox.inline.len(), 1);
    assert_eq!(
        x.units[sandbox.inline[0]].owner.subject(),
        Some(r#"module.github_oidc.aws_iam_role_policy.sandbox_read["dev"]"#)
    );
    let deploy = role("deploy");
    assert_eq!(deploy.managed, ["arn:aws:iam::aws:policy/PowerUserAccess"]);
    let trust = &x.units[deploy.trust.unwrap()];
    assert_eq!(trust.policy.kind, PolicyKind::Trust);
    let d = trust.max_session_duration.as_ref().unwrap();
    assert_eq!(d.value, 43200);
    assert_eq!(d.pointer, "/planned_values/root_module/resources/0/values/max_session_duration");
    assert_eq!(x.accounts, ["111122223333"]);
}

/// The state lists a role's inline policies and attachments on the role as
/// well: each policy is read once, from the resource that writes it.
#[test]
fn state_policies_are_read_once() {
    for name in ["state.json", "terraform.tfstate"] {
        let (path, text) = fixture(name);
        let (_, x) = sources::read(&path, &text).unwrap().unwrap();
        let mut seen = std::collections::BTreeSet::new();
        for u in &x.units {
            let key = (u.owner.kind, u.owner.name.clone(), format!("{:?}", u.policy.statements));
            assert!(seen.insert(key), "{name}: a policy of {:?} is read twice", u.owner.subject());
        }
        for e in &x.entities {
            let mut managed = e.managed.clone();
            managed.dedup();
            assert_eq!(managed, e.managed, "{name}");
        }
    }
}

/// The graph has the roles of all three files and the chain from the GitHub
/// workflows' role to the deploy role its inline policy may assume.
#[test]
fn graph() {
    let out = trustlint(&["graph", DIR, "--format", "json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let g: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let nodes = g["nodes"].as_array().unwrap();
    let id = |name: &str| {
        nodes.iter().find(|n| n["name"] == name).unwrap_or_else(|| panic!("no node {name}: {nodes:#?}"))["id"]
            .as_u64()
            .unwrap()
    };
    let gha = id("arn:aws:iam::111122223333:role/github-actions");
    let deploy = id("arn:aws:iam::111122223333:role/deploy");
    id("arn:aws:iam::111122223333:role/external/vendor-audit");
    id("arn:aws:iam::111122223333:role/operator");
    id("arn:aws:iam::111122223333:user/people/alice");
    id("arn:aws:iam::444455556666:role/batch/batch-job");
    let edge = g["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["from"] == gha && e["to"] == deploy)
        .expect("an edge from github-actions to deploy");
    assert_eq!(edge["trust"]["pointer"], "/Statement/0/Principal/AWS");
    assert_eq!(edge["identity"]["pointer"], "/Statement/0/Resource");
}
