//! The command line end to end: exit codes, output formats, options, config.

mod common;

use common::trustlint;

use std::path::PathBuf;
use std::process::{Command, Output};

const PROJECT: &str = "fixtures/cli/project";

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `exit_code: N` then stdout, as snapshots record a command.
fn transcript(o: &Output) -> String {
    format!("exit_code: {}\n----- stdout -----\n{}", o.status.code().unwrap_or(-1), stdout(o))
}

fn json(args: &[&str]) -> (i32, serde_json::Value) {
    let mut all = vec!["check", "--format", "json", "--no-config"];
    all.extend_from_slice(args);
    let o = trustlint(&all);
    let v = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}{}", stdout(&o), stderr(&o)));
    (o.status.code().unwrap_or(-1), v)
}

fn rules_of(v: &serde_json::Value) -> Vec<String> {
    v["findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap().to_owned()).collect()
}

/// A scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("trustlint-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn concise_output() {
    insta::assert_snapshot!(transcript(&trustlint(&[
        "check",
        PROJECT,
        "--no-config",
        "--format",
        "concise"
    ])));
}

#[test]
fn full_output() {
    insta::assert_snapshot!(transcript(&trustlint(&["check", PROJECT, "--no-config", "--format", "full"])));
}

#[test]
fn json_output() {
    insta::assert_snapshot!(transcript(&trustlint(&["check", PROJECT, "--no-config", "--format", "json"])));
}

#[test]
fn github_output() {
    insta::assert_snapshot!(transcript(&trustlint(&["check", PROJECT, "--no-config", "--format", "github"])));
}

#[test]
fn json_report_has_the_documented_shape() {
    let (code, v) = json(&[PROJECT]);
    assert_eq!(code, 1);
    assert_eq!(v["version"], 1);
    let f = &v["findings"][2];
    for key in [
        "rule",
        "code",
        "severity",
        "message",
        "file",
        "line",
        "column",
        "end_line",
        "end_column",
        "pointer",
        "subject",
        "help",
    ] {
        assert!(f.get(key).is_some(), "finding lacks `{key}`: {f}");
    }
    assert_eq!(f["rule"], "wildcard-principal");
    assert_eq!(f["code"], "TL101");
    assert_eq!(f["file"], "fixtures/cli/project/roles/public.json");
    assert_eq!((f["line"].as_u64(), f["column"].as_u64()), (Some(6), Some(29)));
    assert_eq!((f["end_line"].as_u64(), f["end_column"].as_u64()), (Some(6), Some(32)));
    assert_eq!(f["pointer"], "/Statement/0/Principal/AWS");
    let role = &v["findings"][0];
    assert_eq!(role["subject"], "arn:aws:iam::111122223333:role/auditor");
    assert_eq!(role["pointer"], "/Statement/1/Principal/AWS");
    assert_eq!(
        v["summary"],
        serde_json::json!({"files": 3, "policies": 3, "findings": 3, "errors": 1, "warnings": 2, "notes": 0})
    );
}

#[test]
fn check_is_the_default_command() {
    let o = trustlint(&[PROJECT, "--no-config", "--format", "concise"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("wildcard-principal"));
}

#[test]
fn exit_codes_follow_fail_on() {
    assert_eq!(json(&[PROJECT, "--fail-on", "error"]).0, 1);
    assert_eq!(json(&["fixtures/cli/project/exports", "--fail-on", "error"]).0, 0);
    assert_eq!(json(&["fixtures/cli/project/exports", "--fail-on", "warning"]).0, 1);
    assert_eq!(json(&[PROJECT, "--exit-zero"]).0, 0);
    assert_eq!(json(&["fixtures/rules/wildcard-principal/ok-org-id.json"]).0, 0);
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        vec!["check", "does/not/exist.json"],
        vec!["check", "--fail-on", "fatal", PROJECT],
        vec!["check", "--trusted-account", "1234", PROJECT],
        vec!["check", "--org-id", "org-1", PROJECT],
        vec!["check", "--select", "no-such-rule", PROJECT],
        vec!["check", "--max-session-duration", "0", PROJECT],
        vec!["check", "no/match/*.json"],
        vec!["rule", "no-such-rule"],
    ] {
        let o = trustlint(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(!stderr(&o).is_empty(), "{args:?} explains itself");
        assert!(!stderr(&o).contains("panicked"));
    }
    let o = trustlint(&["check", "does/not/exist.json"]);
    assert!(stderr(&o).contains("does/not/exist.json"));
}

/// A file that parses but holds no IAM is skipped and counted, named or met
/// in a walk (pre-commit names every changed file); a named file that cannot
/// be read, or cannot be parsed as what it claims to be, is not.
#[test]
fn a_named_file_that_is_not_iam_is_skipped_and_counted() {
    let o = trustlint(&["check", "--no-config", "--format", "concise", "fixtures/cli/project/package.json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("1 file skipped (not IAM)"), "{}", stdout(&o));
    assert!(!stderr(&o).contains("not an IAM policy"), "{}", stderr(&o));
    let o = trustlint(&["check", "--no-config", "--format", "concise", PROJECT]);
    assert!(stdout(&o).contains("1 file skipped (not IAM)"));

    let s = common::Scratch::new("cli-named");
    std::fs::write(s.0.join("broken.json"), "{\"a\": ").unwrap();
    std::fs::write(s.0.join("image.json"), [0u8, 159, 146, 150, 0, 1]).unwrap();
    let at = |f: &str| s.0.join(f).to_string_lossy().into_owned();
    let o = trustlint(&["check", "--no-config", "--format", "concise", &at("broken.json")]);
    assert_eq!(o.status.code(), Some(1), "a named JSON file that does not parse is a finding");
    assert!(stdout(&o).contains("invalid-policy"), "{}", stdout(&o));
    let o = trustlint(&["check", "--no-config", "--format", "concise", &at("image.json")]);
    assert_eq!(o.status.code(), Some(2), "binary: {}", stderr(&o));
    let o = trustlint(&["check", "--no-config", "--format", "concise", &at("missing.json")]);
    assert_eq!(o.status.code(), Some(2));
}

/// The files a glob matches are met as in a walk: `**/*.tf` over a module
/// with a `variables.tf` checks the module and skips nothing by error.
#[test]
fn a_glob_argument_skips_what_is_not_iam() {
    let s = common::Scratch::new("cli-glob");
    std::fs::create_dir_all(s.0.join("infra/app")).unwrap();
    std::fs::write(s.0.join("infra/app/variables.tf"), "variable \"name\" {\n  default = \"x\"\n}\n")
        .unwrap();
    std::fs::write(
        s.0.join("infra/app/main.tf"),
        "resource \"aws_iam_role\" \"r\" {\n  name = var.name\n  assume_role_policy = jsonencode({\n    Version = \"2012-10-17\"\n    Statement = [{ Effect = \"Allow\", Principal = { AWS = \"*\" }, Action = \"sts:AssumeRole\" }]\n  })\n}\n",
    )
    .unwrap();
    std::fs::write(s.0.join("infra/notes.json"), "{\"owner\": \"team\"}").unwrap();
    let o = Command::new(common::bin())
        .args(["check", "--no-config", "--format", "concise", "infra/**/*.tf", "infra/*.json"])
        .current_dir(&s.0)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("infra/app/main.tf:5:"), "{}", stdout(&o));
    assert!(stdout(&o).contains("wildcard-principal"), "{}", stdout(&o));
    assert!(stdout(&o).contains("skipped (not IAM)"), "{}", stdout(&o));
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
}

#[test]
fn trusted_accounts_are_not_third_parties() {
    let (_, v) = json(&["fixtures/cli/project/exports"]);
    assert!(rules_of(&v).contains(&"missing-external-id".to_owned()));
    let (_, v) = json(&["fixtures/cli/project/exports", "--trusted-account", "222233334444"]);
    assert!(!rules_of(&v).contains(&"missing-external-id".to_owned()));
}

#[test]
fn org_id_makes_other_organizations_third_parties() {
    let (code, v) = json(&["fixtures/cli/project/roles/vendor.json"]);
    assert_eq!((code, rules_of(&v).len()), (0, 0), "pinned to an organization: not third-party trust");
    let (code, v) = json(&["fixtures/cli/project/roles/vendor.json", "--org-id", "o-mine00000001"]);
    assert_eq!(code, 1);
    assert_eq!(rules_of(&v), ["missing-external-id"]);
    let (code, _) = json(&["fixtures/cli/project/roles/vendor.json", "--org-id", "o-partner0001"]);
    assert_eq!(code, 0, "pinned to your own organization");
}

#[test]
fn max_session_duration_threshold() {
    let (_, v) = json(&[
        "fixtures/cli/project/exports",
        "--max-session-duration",
        "14400",
        "--ignore",
        "missing-external-id",
    ]);
    assert!(rules_of(&v).is_empty());
    let (_, v) = json(&[
        "fixtures/cli/project/exports",
        "--max-session-duration",
        "14399",
        "--ignore",
        "missing-external-id",
    ]);
    assert_eq!(rules_of(&v), ["excessive-session-duration"]);
}

#[test]
fn select_and_ignore_by_name_code_and_prefix() {
    let (_, v) = json(&[PROJECT, "--select", "TL101"]);
    assert_eq!(rules_of(&v), ["wildcard-principal"]);
    let (_, v) = json(&[PROJECT, "--select", "wildcard-principal,excessive-session-duration"]);
    assert_eq!(rules_of(&v), ["excessive-session-duration", "wildcard-principal"]);
    let (_, v) = json(&[PROJECT, "--ignore", "TL1"]);
    assert!(rules_of(&v).is_empty());
}

#[test]
fn config_file_is_found_upward_and_overridden_by_flags() {
    let dir = scratch("config");
    let nested = dir.join("a/b");
    std::fs::create_dir_all(&nested).unwrap();
    std::fs::write(
        dir.join("trustlint.toml"),
        "trusted-accounts = [\"222233334444\"]\nmax-session-duration = 14400\n",
    )
    .unwrap();
    let role =
        std::fs::read_to_string(format!("{}/{PROJECT}/exports/get-role.json", env!("CARGO_MANIFEST_DIR")))
            .unwrap();
    std::fs::write(nested.join("role.json"), role).unwrap();
    let run = |args: &[&str]| Command::new(common::bin()).args(args).current_dir(&nested).output().unwrap();
    let o = run(&["check", "--format", "concise", "role.json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let o = run(&["check", "--format", "concise", "--max-session-duration", "3600", "role.json"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("excessive-session-duration"));
    let o = run(&["check", "--format", "concise", "--no-config", "role.json"]);
    assert!(stdout(&o).contains("missing-external-id"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_bad_config_names_the_key_and_line() {
    let dir = scratch("bad-config");
    let cfg = dir.join("trustlint.toml");
    std::fs::write(&cfg, "fail-on = \"error\"\ntrusted-acounts = [\"111122223333\"]\n").unwrap();
    let o = trustlint(&["check", "--config", cfg.to_str().unwrap(), PROJECT]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains(":2:1:"), "{err}");
    assert!(err.contains("trusted-acounts"), "{err}");
    std::fs::write(&cfg, "fail-on = \"fatal\"\n").unwrap();
    let o = trustlint(&["check", "--config", cfg.to_str().unwrap(), PROJECT]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains(":1:11:"), "{}", stderr(&o));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn output_file_and_quiet() {
    let dir = scratch("output");
    let out = dir.join("report.json");
    let o = trustlint(&[
        "check",
        "--no-config",
        "--format",
        "json",
        "--output-file",
        out.to_str().unwrap(),
        PROJECT,
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty());
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(v["summary"]["findings"], 3);
    let o = trustlint(&["check", "--no-config", "--format", "concise", "--quiet", PROJECT]);
    assert_eq!(stdout(&o).lines().count(), 3);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn glob_patterns_and_exclude() {
    let (_, v) = json(&["fixtures/cli/project/**/*.json"]);
    assert_eq!(v["summary"]["findings"], 3);
    let (_, v) = json(&[PROJECT, "--exclude", "fixtures/cli/project/roles"]);
    assert_eq!(rules_of(&v), ["missing-external-id", "excessive-session-duration"]);
}

#[test]
fn rules_and_rule_commands() {
    let o = trustlint(&["rules"]);
    assert_eq!(o.status.code(), Some(0));
    insta::assert_snapshot!(stdout(&o));
    let o = trustlint(&["rules", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), trustlint::rules::ALL.len());
    let o = trustlint(&["rule", "--format", "json", "TL102"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["name"], "missing-external-id");
    assert_eq!(v["severity"], "warning");
}

#[test]
fn demo_data_finds_the_planted_mistakes() {
    let (code, v) = json(&["fixtures/demo"]);
    assert_eq!(code, 1);
    let mut found = rules_of(&v);
    found.sort();
    assert_eq!(
        found,
        [
            "assume-any-role",
            "condition-pitfall",
            "condition-pitfall",
            "excessive-session-duration",
            "excessive-session-duration", // templates/ci-roles.yaml
            "invalid-policy",
            "missing-external-id",
            "missing-external-id",
            "missing-external-id", // terraform/vendor.tf
            "oidc-unrestricted-subject",
            "oidc-unrestricted-subject", // templates/ci-roles.yaml
            "privileged-role-reachable",
            "wildcard-principal",
            "wildcard-principal"
        ]
    );
}

/// Hidden directories are walked, except `.git` and `.terraform` (its copies
/// of registry modules); a run that checks nothing says so on stderr.
#[test]
fn hidden_directories_are_walked_and_an_empty_run_says_so() {
    let s = common::Scratch::new("cli-hidden");
    let open = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}"#;
    for dir in [".iam", ".git/objects", ".terraform/modules/role", "empty", "plain"] {
        std::fs::create_dir_all(s.0.join(dir)).unwrap();
    }
    std::fs::write(s.0.join(".iam/deploy.json"), open).unwrap();
    std::fs::write(s.0.join(".git/objects/open.json"), open).unwrap();
    std::fs::write(s.0.join(".terraform/modules/role/open.json"), open).unwrap();
    std::fs::write(s.0.join("plain/package.json"), r#"{"name": "x"}"#).unwrap();
    let run = |args: &[&str]| Command::new(common::bin()).args(args).current_dir(&s.0).output().unwrap();
    let o = run(&["check", "--no-config", "--format", "concise", "."]);
    let out = stdout(&o);
    let files: Vec<&str> =
        out.lines().filter(|l| l.contains('[')).map(|l| l.split(':').next().unwrap()).collect();
    assert_eq!(files, [".iam/deploy.json"], "{out}");
    assert!(!stderr(&o).contains("nothing was checked"), "{}", stderr(&o));
    let o = run(&["check", "--no-config", "--format", "concise", "empty"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stderr(&o).contains("warning: nothing was checked: no file to read was found"), "{}", stderr(&o));
    let o = run(&["check", "--no-config", "--format", "concise", "plain"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        stderr(&o).contains("warning: nothing was checked: the file read holds no IAM policy"),
        "{}",
        stderr(&o)
    );
}

/// A misspelt rule, config key or subcommand is answered with the name it
/// most likely stands for, wherever it is written.
#[test]
fn misspellings_get_a_did_you_mean() {
    let dir = scratch("did-you-mean");
    std::fs::write(dir.join("open.json"), r#"{"Version":"2012-10-17","Statement":[]}"#).unwrap();
    let run = |args: &[&str]| Command::new(common::bin()).args(args).current_dir(&dir).output().unwrap();
    let expect = |o: &Output, needle: &str| {
        assert_eq!(o.status.code(), Some(2), "{}", stderr(o));
        // miette wraps long messages: read them as one line.
        let err = stderr(o);
        let flat =
            err.split(|c: char| c.is_whitespace() || c == '│').filter(|w| !w.is_empty()).collect::<Vec<_>>();
        assert!(flat.join(" ").contains(needle), "expected `{needle}` in:\n{err}");
    };
    let hint = "did you mean `wildcard-principal`?";
    expect(&run(&["check", "--no-config", "--select", "wildcrd-principal", "."]), hint);
    expect(&run(&["check", "--no-config", "--ignore", "TL1,Wildcard-Principl", "."]), hint);
    expect(&run(&["rule", "wildcard-principle"]), hint);
    for config in [
        "select = [\"wildcard_principal\"]\n",
        "[severity]\nwildcard-princpal = \"note\"\n",
        "[per-file-ignores]\n\"*.json\" = [\"wildcard-prinicpal\"]\n",
        "[[suppress]]\npath = \"*\"\nrule = \"wildcardprincipal\"\nreason = \"r\"\n",
    ] {
        std::fs::write(dir.join("trustlint.toml"), config).unwrap();
        expect(&run(&["check", "."]), hint);
    }
    std::fs::write(dir.join("trustlint.toml"), "selct = [\"TL1\"]\n").unwrap();
    expect(&run(&["check", "."]), "did you mean `select`?");
    std::fs::remove_file(dir.join("trustlint.toml")).unwrap();
    // A subcommand misspelt: the parser's own error, naming the subcommand.
    let o = run(&["chek", "."]);
    expect(&o, "'check'");
    assert!(!stderr(&o).contains("no such file"), "{}", stderr(&o));
    // A word that is an existing path is still a path to check.
    std::fs::create_dir(dir.join("graf")).unwrap();
    let o = run(&["graf"]);
    assert!(
        stdout(&o).contains("No findings") || stderr(&o).contains("nothing was checked"),
        "{}",
        stderr(&o)
    );
    // A word close to no subcommand is a path that does not exist.
    expect(&run(&["deploy"]), "`deploy`: no such file or directory");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn junit_output() {
    let o = trustlint(&["check", PROJECT, "--no-config", "--format", "junit"]);
    let xml = stdout(&o);
    // A suite per file with findings, a failing case per finding.
    let (_, report) = json(&[PROJECT]);
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(xml.matches("<testcase ").count(), findings.len());
    assert_eq!(xml.matches("<failure ").count(), findings.len());
    let mut files: Vec<&str> = findings.iter().map(|f| f["file"].as_str().unwrap()).collect();
    files.dedup();
    assert_eq!(xml.matches("<testsuite ").count(), files.len());
    assert_eq!(xml.matches("</testsuite>").count(), files.len());
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites "), "{xml}");
    insta::assert_snapshot!(transcript(&o));
    // A clean run is one passing case.
    let clean = trustlint(&["check", PROJECT, "--no-config", "--format", "junit", "--select", "TL301"]);
    assert_eq!(clean.status.code(), Some(0));
    assert!(stdout(&clean).contains(r#"<testcase name="no findings" classname="trustlint"/>"#));
    assert!(!stdout(&clean).contains("<failure"));
}

/// GitLab Code Quality: the fields GitLab reads, and a fingerprint that is
/// the baseline's identity of the finding.
#[test]
fn gitlab_output() {
    let o = trustlint(&["check", PROJECT, "--no-config", "--format", "gitlab"]);
    assert_eq!(o.status.code(), Some(1));
    let issues: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let issues = issues.as_array().unwrap();
    let (_, report) = json(&[PROJECT]);
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(issues.len(), findings.len());
    let dir = scratch("gitlab-baseline");
    let baseline = dir.join("baseline.json");
    trustlint(&["check", PROJECT, "--no-config", "--write-baseline", baseline.to_str().unwrap()]);
    let baseline: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&baseline).unwrap()).unwrap();
    let mut fingerprints = std::collections::HashSet::new();
    for (issue, finding) in issues.iter().zip(findings) {
        assert_eq!(issue["check_name"], finding["rule"]);
        assert!(issue["description"].as_str().unwrap().contains(finding["message"].as_str().unwrap()));
        assert_eq!(issue["location"]["path"], finding["file"]);
        assert_eq!(issue["location"]["lines"]["begin"], finding["line"]);
        let expected = match finding["severity"].as_str().unwrap() {
            "error" => "critical",
            "warning" => "major",
            _ => "info",
        };
        assert_eq!(issue["severity"], expected);
        let fp = issue["fingerprint"].as_str().unwrap();
        assert!(fingerprints.insert(fp.to_owned()), "fingerprints are unique: {fp}");
        let recorded =
            baseline["findings"].as_array().unwrap().iter().any(|b| {
                b["fingerprint"] == fp && b["rule"] == finding["rule"] && b["file"] == finding["file"]
            });
        assert!(recorded, "`{fp}` is the baseline's fingerprint of {finding}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Every finding line names its subject; in `full` the subject heads the
/// finding; a finding in a URL-encoded export policy shows the policy
/// decoded around the span, at the file's real line and column.
#[test]
fn findings_name_their_subject_and_exports_show_the_policy_decoded() {
    let o = trustlint(&["check", PROJECT, "--no-config", "--format", "concise"]);
    assert!(stdout(&o).contains(
        "exports/get-role.json:23:31: warning[excessive-session-duration] sessions of this role may last 4 h (14400 s), above the 3600 s threshold (in `arn:aws:iam::111122223333:role/auditor`)\n"
    ), "{}", stdout(&o));
    let o = trustlint(&["check", PROJECT, "--no-config", "--format", "github"]);
    assert!(
        stdout(&o).contains("above the 3600 s threshold (in `arn:aws:iam::111122223333:role/auditor`)\n"),
        "{}",
        stdout(&o)
    );
    let o = trustlint(&["check", PROJECT, "--no-config", "--format", "full"]);
    assert!(
        stdout(&o).starts_with("missing-external-id (TL102) in `arn:aws:iam::111122223333:role/auditor`\n"),
        "{}",
        stdout(&o)
    );

    let dir = scratch("decoded-export");
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}"#;
    let encoded: String = policy
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let export = format!(
        "{{\"RoleDetailList\": [{{\"RoleName\": \"open\", \"Arn\": \"arn:aws:iam::111122223333:role/open\",\n  \"AssumeRolePolicyDocument\": \"{encoded}\"}}],\n \"UserDetailList\": [], \"GroupDetailList\": [], \"Policies\": []}}\n"
    );
    std::fs::write(dir.join("gaad.json"), &export).unwrap();
    let o = Command::new(common::bin())
        .args(["check", "--no-config", "--format", "full", "gaad.json"])
        .current_dir(&dir)
        .env_remove("COLUMNS")
        .output()
        .unwrap();
    let out = stdout(&o);
    // The real location, in the encoded text.
    let column = export.lines().nth(1).unwrap().find("%22%2A%22").unwrap() + 1;
    assert!(out.contains(&format!("[gaad.json:2:{column}]")), "{out}");
    // The decoded policy, the span underlined under `"*"`.
    let lines: Vec<&str> = out.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.contains(r#""Principal":{"AWS":"*"}"#))
        .unwrap_or_else(|| panic!("{out}"));
    let star = lines[at].find(r#""*""#).unwrap();
    let underline = lines[at + 1].find('─').unwrap();
    assert_eq!(lines[at + 1][..underline].chars().count(), lines[at][..star].chars().count(), "{out}");
    assert!(lines[at + 1][underline..].starts_with("─┬─"), "{out}");
    assert!(out.contains("URL-encoded in the file: shown decoded"), "{out}");
    assert!(!out.contains("%22Principal"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Runs the binary with the colour variables of the environment cleared,
/// then `env` set.
fn trustlint_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(common::bin());
    cmd.args(args).current_dir(env!("CARGO_MANIFEST_DIR")).env_remove("COLUMNS");
    for var in ["NO_COLOR", "FORCE_COLOR", "CLICOLOR_FORCE", "TERM"] {
        cmd.env_remove(var);
    }
    cmd.envs(env.iter().copied());
    cmd.output().expect("trustlint runs")
}

#[test]
fn color_option_and_environment() {
    let full = ["check", PROJECT, "--no-config", "--format", "full"];
    let colored = |extra: &[&str], env: &[(&str, &str)]| {
        let args: Vec<&str> = full.iter().chain(extra).copied().collect();
        let o = trustlint_env(&args, env);
        assert_eq!(o.status.code(), Some(1), "{extra:?} {env:?}: {}", stderr(&o));
        o.stdout.contains(&0x1b)
    };
    // Not a terminal: no colour unless asked for.
    assert!(!colored(&[], &[]));
    assert!(!colored(&["--color", "auto"], &[]));
    assert!(colored(&["--color", "always"], &[]));
    assert!(colored(&["--color", "always"], &[("NO_COLOR", "1")]), "the flag beats the environment");
    assert!(!colored(&["--color", "never"], &[("FORCE_COLOR", "1")]));
    assert!(colored(&[], &[("FORCE_COLOR", "1")]));
    assert!(colored(&[], &[("CLICOLOR_FORCE", "1")]));
    assert!(!colored(&[], &[("FORCE_COLOR", "0")]));
    assert!(!colored(&[], &[("FORCE_COLOR", "1"), ("NO_COLOR", "1")]));
    // Colour is only ever in the text: the same report without it.
    let strip = |o: &Output| {
        let mut out = Vec::new();
        let mut bytes = o.stdout.iter().copied().peekable();
        while let Some(b) = bytes.next() {
            if b == 0x1b {
                for c in bytes.by_ref() {
                    if c.is_ascii_alphabetic() {
                        break;
                    }
                }
            } else {
                out.push(b);
            }
        }
        String::from_utf8(out).unwrap()
    };
    let plain = trustlint_env(&full, &[]);
    let mut args = full.to_vec();
    args.extend(["--color", "always"]);
    assert_eq!(strip(&trustlint_env(&args, &[])), stdout(&plain));
    // As the first argument, `check` being the default command.
    let o = trustlint_env(&["--color", "always", PROJECT, "--no-config", "--format", "full"], &[]);
    assert!(o.stdout.contains(&0x1b), "{}", stderr(&o));
    let o = trustlint_env(&["check", "--color", "sometimes", PROJECT], &[]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn statistics_count_findings_per_rule() {
    let o = trustlint(&["check", "fixtures/demo", "--no-config", "--statistics"]);
    assert_eq!(o.status.code(), Some(1), "the gate is the same: {}", stderr(&o));
    let text = stdout(&o);
    let rows: Vec<(usize, String, String)> = text
        .lines()
        .map(|l| {
            let mut words = l.split_whitespace();
            let n = words.next().unwrap().parse().unwrap();
            (n, words.next().unwrap().to_owned(), words.next().unwrap().to_owned())
        })
        .collect();
    assert!(rows.len() > 2, "{text}");
    // Most first, then by name; counts right-aligned.
    let mut sorted = rows.clone();
    sorted.sort_by(|a, b| b.0.cmp(&a.0).then(a.2.cmp(&b.2)));
    assert_eq!(rows, sorted);
    assert!(text.lines().any(|l| l == "   3  TL102  missing-external-id"), "{text}");
    // The counts are the findings the report holds.
    let (_, report) = json(&["fixtures/demo"]);
    let findings = rules_of(&report);
    for (n, _, name) in &rows {
        assert_eq!(findings.iter().filter(|r| *r == name).count(), *n, "{name}");
    }
    assert_eq!(rows.iter().map(|r| r.0).sum::<usize>(), findings.len());
    // With `--format json`, the same as JSON.
    let o = trustlint(&["check", "fixtures/demo", "--no-config", "--statistics", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v[0], serde_json::json!({"code": rows[0].1, "name": rows[0].2, "count": rows[0].0}));
    // No findings, no rows.
    let o = trustlint(&[
        "check",
        "fixtures/rules/wildcard-principal/ok-org-id.json",
        "--no-config",
        "--statistics",
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), "");
}

#[test]
fn completions_for_each_shell() {
    for (shell, marker) in [
        ("bash", "complete -F _trustlint"),
        ("zsh", "#compdef trustlint"),
        ("fish", "complete -c trustlint"),
        ("powershell", "Register-ArgumentCompleter"),
        ("elvish", "edit:completion:arg-completer[trustlint]"),
    ] {
        let o = trustlint(&["completions", shell]);
        assert_eq!(o.status.code(), Some(0), "{shell}: {}", stderr(&o));
        let script = stdout(&o);
        assert!(script.contains(marker), "{shell}: {script}");
        for word in ["check", "statistics", "color", "completions"] {
            assert!(script.contains(word), "{shell} completes {word}");
        }
    }
    let o = trustlint(&["completions", "tcsh"]);
    assert_eq!(o.status.code(), Some(2));
}
