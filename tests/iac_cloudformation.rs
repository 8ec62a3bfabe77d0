//! CloudFormation templates as input (JSON and YAML, SAM, CDK output): what
//! each template yields (policies, owners, resolved values and where they are
//! written), the findings on them, and the assume-role graph between the
//! roles a template declares.

mod common;

use std::fmt::Write as _;
use std::path::Path;

use common::{Scratch, dump, first_line, trustlint};
use trustlint::model::symbolic::stack_account;
use trustlint::model::{PolicyKind, Principal};
use trustlint::sources::{self, Extracted};

const CFN: &str = "fixtures/iac/cloudformation";
const CDK: &str = "fixtures/iac/cdk/cdk.out";

/// The extraction dump, then every principal and condition value as
/// resolved, with the template text it comes from.
fn resolved(path: &Path) -> String {
    let mut out = dump(path);
    let text = std::fs::read_to_string(path).unwrap();
    let (_, x) = sources::read(&common::shown(path), &text).unwrap().unwrap();
    out.push_str("resolved:\n");
    for u in &x.units {
        let _ = writeln!(out, "- {}", u.owner.subject().unwrap_or("-"));
        for s in &u.policy.statements {
            for e in s.principal.iter().flat_map(|p| &p.entries) {
                let at = first_line(&text[e.text.span.range()]);
                let _ = writeln!(out, "  principal {} = {:?} at `{at}`", e.text.pointer, e.text.value);
            }
            for c in &s.conditions {
                for v in &c.values {
                    let at = first_line(&text[v.span.range()]);
                    let op = text[c.operator.span.range()].trim_matches('"');
                    let _ = writeln!(out, "  condition {op} {} = {:?} at `{at}`", c.key.value, v.value);
                }
            }
            for r in s.resources.iter().flat_map(|r| &r.items) {
                let _ = writeln!(out, "  resource {:?}", r.value);
            }
        }
    }
    out
}

#[test]
fn cloudformation_templates() {
    insta::glob!("../fixtures/iac/cloudformation", "**/*.{json,yaml,yml}", |path| {
        insta::assert_snapshot!(resolved(path));
    });
}

#[test]
fn cdk_templates() {
    insta::glob!("../fixtures/iac/cdk", "**/*.template.json", |path| {
        insta::assert_snapshot!(resolved(path));
    });
}

/// Runs the binary; returns its exit code and standard output.
fn run(args: &[&str]) -> (i32, String) {
    let out = trustlint(args);
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let code = out.status.code().unwrap_or(-1);
    assert!(code == 0 || code == 1, "exit {code}: {stderr}");
    (code, stdout)
}

#[test]
fn findings_in_templates() {
    let (code, out) = run(&["check", "--no-config", "--format", "concise", CFN]);
    assert_eq!(code, 1);
    insta::assert_snapshot!("cloudformation_concise", out);
    let (code, out) = run(&["check", "--no-config", "--format", "concise", CDK]);
    assert_eq!(code, 1);
    insta::assert_snapshot!("cdk_concise", out);
}

/// The line and column (1-based) of the first `needle` after `after` in a file.
fn line_col(path: &str, after: &str, needle: &str) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let from = text.find(after).unwrap_or_else(|| panic!("`{after}` in {path}"));
    let at = from + text[from..].find(needle).unwrap_or_else(|| panic!("`{needle}` in {path}"));
    let line = text[..at].matches('\n').count() + 1;
    let column = at - text[..at].rfind('\n').map_or(0, |i| i + 1) + 1;
    format!("{path}:{line}:{column}")
}

/// Findings of a concise run, as `file:line:col rule` lines.
fn located(paths: &[&str]) -> Vec<String> {
    let mut args = vec!["check", "--no-config", "--format", "concise"];
    args.extend(paths);
    let (_, out) = run(&args);
    out.lines()
        .filter_map(|l| {
            let (at, rest) = l.split_once(": ")?;
            let rule = rest.split_once('[')?.1.split_once(']')?.0;
            Some(format!("{at} {rule}"))
        })
        .collect()
}

#[test]
fn findings_point_at_the_template_text() {
    for (path, audit, glass, shared) in [
        (
            "fixtures/iac/cloudformation/roles.yaml",
            "!Sub arn:${AWS::Partition}:iam::${AuditAccount}",
            "43200",
            "\"*\"",
        ),
        (
            "fixtures/iac/cloudformation/roles.json",
            "{\n                  \"Fn::Sub\": \"arn:${AWS::Partition}:iam::${AuditAccount}",
            "43200",
            "\"*\"",
        ),
    ] {
        let found = located(&[path]);
        let expected = [
            format!("{} missing-external-id", line_col(path, "AuditRole", audit)),
            format!("{} excessive-session-duration", line_col(path, "BreakGlassRole", glass)),
            format!("{} wildcard-principal", line_col(path, "SharedReadRole", shared)),
        ];
        assert_eq!(found, expected, "{path}");
        // Nothing else: not the pinned GitHub subject, not the partner
        // parameter without a default, not the stack's own account.
    }
    let cdk = "fixtures/iac/cdk/cdk.out/MyAppStack.template.json";
    let found = located(&[cdk]);
    let subject = format!("{} oidc-unrestricted-subject", line_col(cdk, "DeployRoleA1B2C3D4", "\"repo:*\""));
    assert!(found.contains(&subject), "{found:?}");
    // In JSON text inside a YAML scalar, the finding points inside the scalar.
    let path = "fixtures/iac/cloudformation/json-string-policy.yaml";
    let found = located(&[path]);
    assert_eq!(
        found,
        [
            format!(
                "{} missing-external-id",
                line_col(path, "QuotedRole", "\"arn:aws:iam::123456789012:root\"")
            ),
            format!("{} wildcard-principal", line_col(path, "BlockRole", "\"*\"")),
            format!(
                "{} missing-external-id",
                line_col(path, "SubRole", "\"arn:aws:iam::${VendorAccount}:root\"")
            ),
        ]
    );
    // Lines a flow sequence has short of its key: where they are written.
    let path = "fixtures/iac/cloudformation/loose-indentation.yaml";
    assert_eq!(
        located(&[path]),
        [
            format!(
                "{} missing-external-id",
                line_col(path, "VendorRole", "\"arn:aws:iam::444455556666:root\"")
            ),
            format!(
                "{} missing-external-id",
                line_col(path, "VendorRole", "\"arn:aws:iam::777788889999:root\"")
            ),
        ]
    );
}

fn extract(path: &str) -> (String, Extracted) {
    let text = std::fs::read_to_string(path).unwrap();
    let (_, x) = sources::read(path, &text).unwrap().expect("a template");
    (text, x)
}

/// The principals of the trust policy of the resource `id`.
fn trust_principals(x: &Extracted, id: &str) -> Vec<(Principal, String)> {
    let unit = x
        .units
        .iter()
        .find(|u| u.owner.logical_id.as_deref() == Some(id) && u.policy.kind == PolicyKind::Trust)
        .unwrap_or_else(|| panic!("a trust policy of {id}"));
    let entries = unit.policy.statements.iter().flat_map(|s| s.principal.iter().flat_map(|p| &p.entries));
    entries.map(|e| (e.principal.clone(), e.text.value.clone())).collect()
}

#[test]
fn the_stack_account_is_the_roles_own() {
    for path in ["fixtures/iac/cloudformation/roles.yaml", "fixtures/iac/cloudformation/roles.json"] {
        let (_, x) = extract(path);
        let glass = trust_principals(&x, "BreakGlassRole");
        // Each template deploys to its own stack's account.
        let stack = stack_account(path);
        assert_eq!(glass, [(Principal::Account { id: stack.clone() }, format!("arn:aws:iam::{stack}:root"))]);
        let role = x.units.iter().find(|u| u.owner.logical_id.as_deref() == Some("BreakGlassRole")).unwrap();
        assert_eq!(role.owner.account(), Some(stack.as_str()));
        // No finding calls the stack's own account a third party.
        let (_, out) = run(&["check", "--no-config", "--format", "json", path]);
        let json: serde_json::Value = serde_json::from_str(&out).unwrap();
        let findings = json["findings"].as_array().unwrap();
        assert!(
            !findings.iter().any(|f| f["subject"] == "BreakGlassRole" && f["rule"] == "missing-external-id")
        );
        assert!(findings.iter().any(|f| f["subject"] == "BreakGlassRole"), "{out}");
    }
}

#[test]
fn parameters_without_a_default_are_not_guessed() {
    let (_, x) = extract("fixtures/iac/cloudformation/roles.yaml");
    assert_eq!(
        trust_principals(&x, "PartnerReportsRole"),
        [(Principal::Symbolic, "{{Ref PartnerAccount}}".into())]
    );
    let (_, x) = extract("fixtures/iac/cloudformation/nested/child.yaml");
    assert_eq!(
        trust_principals(&x, "VendorRole"),
        [(Principal::Symbolic, "arn:aws:iam::{{Ref TrustedAccount}}:root".into())]
    );
    // A parameter with a default is resolved to it.
    let (_, x) = extract("fixtures/iac/cloudformation/roles.yaml");
    assert_eq!(
        trust_principals(&x, "AuditRole"),
        [(Principal::Account { id: "999988887777".into() }, "arn:aws:iam::999988887777:root".into())]
    );
}

#[test]
fn findings_name_the_logical_id_and_construct() {
    let (_, out) = run(&["check", "--no-config", "--format", "json", CDK]);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let summary: Vec<String> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {}:{} subject={} construct={}",
                f["rule"].as_str().unwrap(),
                f["line"],
                f["column"],
                f["subject"].as_str().unwrap_or("-"),
                f["construct"].as_str().unwrap_or("-"),
            )
        })
        .collect();
    insta::assert_snapshot!("cdk_json_subjects", summary.join("\n"));
    let first = &json["findings"][0];
    assert_eq!(first["rule"], "oidc-unrestricted-subject");
    assert_eq!(first["subject"], "DeployRoleA1B2C3D4");
    assert_eq!(first["construct"], "MyAppStack/DeployRole/Resource");
}

#[test]
fn the_graph_links_roles_of_a_template() {
    let (code, out) = run(&["graph", "fixtures/iac/cloudformation/roles.yaml", "--format", "json"]);
    assert_eq!(code, 0, "{out}");
    let graph: serde_json::Value = serde_json::from_str(&out).unwrap();
    let nodes = graph["nodes"].as_array().unwrap();
    let id_of = |needle: &str| {
        nodes
            .iter()
            .find(|n| n.to_string().contains(needle))
            .map_or_else(|| panic!("a node for {needle}: {out}"), |n| n["id"].clone())
    };
    let (deploy, deployer) = (id_of("role/github-deploy"), id_of("role/pipeline/DeployerRole"));
    let edges = graph["edges"].as_array().unwrap();
    assert!(
        edges.iter().any(|e| e["from"] == deploy && e["to"] == deployer),
        "github-deploy → DeployerRole (trust by `!GetAtt GitHubDeployRole.Arn`): {out}"
    );
}

#[test]
fn hostile_templates_are_invalid_not_a_crash() {
    let dir = Scratch::new("cfn-hostile");
    let mut bomb = String::from(
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n",
    );
    for i in 1..12 {
        let p = i - 1;
        let _ = writeln!(
            bomb,
            "  a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]"
        );
    }
    std::fs::write(dir.0.join("bomb.yaml"), bomb).unwrap();
    let deep = format!(
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Deep:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument: {}{}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    std::fs::write(dir.0.join("deep.yaml"), deep).unwrap();
    let deep_json = format!(
        "{{\"AWSTemplateFormatVersion\": \"2010-09-09\", \"Resources\": {{\"Deep\": {}1{}}}}}",
        "{\"Fn::Sub\": [".repeat(100_000),
        "]}".repeat(100_000)
    );
    std::fs::write(dir.0.join("deep.json"), deep_json).unwrap();
    for file in ["bomb.yaml", "deep.yaml", "deep.json"] {
        let path = dir.0.join(file);
        let out = trustlint(&["check", "--no-config", "--format", "concise", &path.to_string_lossy()]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "{file}: {stdout} {}", String::from_utf8_lossy(&out.stderr));
        assert!(stdout.contains("invalid-policy"), "{file}: {stdout}");
    }
}

/// References that loop, names built from names, and deep expressions
/// resolve in bounded time and space.
#[test]
fn resolution_is_bounded() {
    let mut resources = Vec::new();
    for i in 0..200 {
        let name = if i == 0 {
            "\"base\"".to_owned()
        } else {
            format!("{{\"Fn::Sub\": \"${{R{p}}}${{R{p}}}\"}}", p = i - 1)
        };
        resources.push(format!(
            "\"R{i}\": {{\"Type\": \"AWS::IAM::Role\", \"Properties\": {{\"RoleName\": {name}, \"AssumeRolePolicyDocument\": {{\"Version\": \"2012-10-17\", \"Statement\": {{\"Effect\": \"Allow\", \"Principal\": {{\"AWS\": {{\"Fn::GetAtt\": \"R{next}.Arn\"}}}}, \"Action\": \"sts:AssumeRole\"}}}}}}}}",
            next = (i + 1) % 200
        ));
    }
    let text = format!(
        "{{\"AWSTemplateFormatVersion\": \"2010-09-09\", \"Resources\": {{{}}}}}",
        resources.join(",")
    );
    let start = std::time::Instant::now();
    let (_, x) = sources::read("t.json", &text).unwrap().unwrap();
    assert_eq!(x.units.len(), 200);
    assert!(start.elapsed() < std::time::Duration::from_secs(10));
    assert!(x.entities.iter().all(|e| e.name.len() <= 1024 || e.name.contains("{{")));
}

/// Two stacks that each declare a role `AppRole` without `RoleName`: one a
/// vendor may assume (no permissions), one with `AdministratorAccess` that
/// only EC2 may assume. CloudFormation names each `STACK-AppRole-SUFFIX`:
/// two roles, and nothing reaches the administrator from outside.
#[test]
fn roles_of_two_stacks_are_not_merged_by_name() {
    let settings =
        trustlint::settings::Settings { paths: vec!["fixtures/iac/stacks".into()], ..Default::default() };
    let analysis = trustlint::analyze_paths(&settings).unwrap();
    let out = trustlint::report::render_to_string(&analysis, trustlint::settings::OutputFormat::Concise);
    assert!(!out.contains("privileged-role-reachable"), "{out}");
    let roles: Vec<&str> = analysis.inventory.entities.iter().filter_map(|e| e.arn.as_deref()).collect();
    assert_eq!(roles.len(), 2, "{roles:?}");
    assert_ne!(roles[0], roles[1]);

    // Saying that both stacks deploy to one account does not merge roles
    // whose names CloudFormation generates either.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).canonicalize().unwrap();
    let glob = trustlint::support::path::RootedGlob::new("fixtures/iac/stacks/**", &root).unwrap();
    let settings =
        trustlint::settings::Settings { stack_accounts: vec![(glob, "111122223333".into())], ..settings };
    let analysis = trustlint::analyze_paths(&settings).unwrap();
    let roles: Vec<&str> = analysis.inventory.entities.iter().filter_map(|e| e.arn.as_deref()).collect();
    assert_eq!(roles.len(), 2, "{roles:?}");
    assert!(roles.iter().all(|r| r.starts_with("arn:aws:iam::111122223333:role/")), "{roles:?}");
    let out = trustlint::report::render_to_string(&analysis, trustlint::settings::OutputFormat::Concise);
    assert!(!out.contains("privileged-role-reachable"), "{out}");
}

/// Named roles of stacks that deploy to one account are one role there; the
/// graph draws each stack's account apart otherwise.
#[test]
fn stack_accounts_from_the_config_file() {
    let dir = Scratch::new("stack-accounts");
    let write = |name: &str, text: &str| {
        let path = dir.0.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_trustlint"))
            .args(args)
            .current_dir(&dir.0)
            .output()
            .unwrap()
    };
    let t = |name: &str| {
        format!(
            r#"{{"Resources": {{"R": {{"Type": "AWS::IAM::Role", "Properties": {{"RoleName": "{name}",
            "AssumeRolePolicyDocument": {{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow",
            "Principal": {{"Service": "ec2.amazonaws.com"}}, "Action": "sts:AssumeRole"}}]}}}}}}}}}}"#
        )
    };
    write("prod/a.json", &t("shared"));
    write("prod/b.json", &t("shared"));
    write("dev/c.json", &t("shared"));
    write("trustlint.toml", "[stack-accounts]\n\"prod/*\" = \"111122223333\"\n");
    let o = run(&["graph", ".", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let mut roles: Vec<String> = v["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "role")
        .map(|n| n["name"].as_str().unwrap().to_owned())
        .collect();
    roles.sort();
    assert_eq!(
        roles,
        vec![
            "arn:aws:iam::111122223333:role/shared".to_owned(),
            "arn:aws:iam::{{AccountId@dev/c.json}}:role/shared".to_owned()
        ]
    );
    let dot = String::from_utf8_lossy(&run(&["graph", "."]).stdout).into_owned();
    assert!(dot.contains("label=\"account 111122223333\""), "{dot}");
    assert!(dot.contains("label=\"stack dev/c.json (account not known)\""), "{dot}");
    write("trustlint.toml", "[stack-accounts]\n\"prod/*\" = \"prod\"\n");
    let o = run(&["graph", "."]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("`prod` in `[stack-accounts]` is not a 12-digit"), "{err}");
}

/// A template for a preprocessor (`!Rain::Embed`, `!Rain::Module`) is read:
/// its tags are opaque functions, symbolic where a policy uses one, and the
/// roles beside them are checked.
#[test]
fn preprocessor_tags_are_opaque_not_errors() {
    let path = "fixtures/iac/cloudformation/preprocessed/rain.yaml";
    let (_, x) = extract(path);
    assert_eq!(
        trust_principals(&x, "PartnerRole"),
        [(Principal::Symbolic, "{{!Rain.Env PARTNER_ACCOUNT}}".into())]
    );
    let (code, out) = run(&["check", "--no-config", "--format", "json", path]);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let rules: Vec<(&str, &str)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["subject"].as_str().unwrap(), f["rule"].as_str().unwrap()))
        .collect();
    assert_eq!(rules, [("HandlerRole", "wildcard-principal")], "{out}");
    assert_eq!(code, 1);
}
