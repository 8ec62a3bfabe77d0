//! `trustlint diff --base REF` on real git repositories built in a scratch
//! directory: a change that opens a role to an outside account, its revert,
//! a reformat, renames, Terraform modules, CloudFormation, and the errors.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::Scratch;
use serde_json::Value;

/// A git repository in a scratch directory.
struct Repo {
    scratch: Scratch,
}

impl Repo {
    fn new(tag: &str) -> Self {
        let repo = Self { scratch: Scratch::new(&format!("diff-{tag}")) };
        repo.git(&["init", "-q", "-b", "main"]);
        repo.git(&["config", "user.email", "test@example.com"]);
        repo.git(&["config", "user.name", "test"]);
        repo.git(&["config", "commit.gpgsign", "false"]);
        repo
    }

    fn path(&self) -> &Path {
        &self.scratch.0
    }

    fn git(&self, args: &[&str]) -> String {
        let out = Command::new("git")
            .args(args)
            .current_dir(self.path())
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .env_remove("GIT_INDEX_FILE")
            .output()
            .expect("git runs");
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn write(&self, name: &str, text: &str) {
        let path = self.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn commit(&self, message: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "-m", message]);
    }

    /// `trustlint diff ARGS` from `dir` inside the repository.
    fn diff_in(&self, dir: &str, args: &[&str]) -> Output {
        Command::new(common::bin())
            .arg("diff")
            .args(args)
            .current_dir(self.path().join(dir))
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .env_remove("GIT_INDEX_FILE")
            .env_remove("COLUMNS")
            .output()
            .expect("trustlint runs")
    }

    fn diff(&self, args: &[&str]) -> Output {
        self.diff_in(".", args)
    }

    /// `diff --format json`: the exit code and the report.
    fn diff_json(&self, args: &[&str]) -> (i32, Value) {
        let mut all = vec!["--no-config", "--format", "json"];
        all.extend(args);
        let out = self.diff(&all);
        let stdout = String::from_utf8_lossy(&out.stdout);
        let report = serde_json::from_str(&stdout).unwrap_or_else(|e| {
            panic!("not JSON ({e}): {stdout}\nstderr: {}", String::from_utf8_lossy(&out.stderr))
        });
        (out.status.code().unwrap(), report)
    }
}

/// The `rule` of each finding of a list.
fn rules(list: &Value) -> Vec<String> {
    list.as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap().to_owned()).collect()
}

/// `from → to` of each path of a list.
fn routes(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|p| format!("{} → {}", p["from"].as_str().unwrap(), p["to"].as_str().unwrap()))
        .collect()
}

/// An account export: `admin` (`AdministratorAccess`) trusts `deploy`, which
/// may assume it; `deploy` is trusted by `principal`.
fn export(principal: &str) -> String {
    format!(
        r#"{{
  "UserDetailList": [],
  "GroupDetailList": [],
  "RoleDetailList": [
    {{
      "Path": "/",
      "RoleName": "admin",
      "RoleId": "AROAADMINXXXXXXXXXXX",
      "Arn": "arn:aws:iam::111122223333:role/admin",
      "AssumeRolePolicyDocument": {{
        "Version": "2012-10-17",
        "Statement": [
          {{"Effect": "Allow", "Principal": {{"AWS": "arn:aws:iam::111122223333:role/deploy"}}, "Action": "sts:AssumeRole"}}
        ]
      }},
      "RolePolicyList": [],
      "AttachedManagedPolicies": [{{"PolicyName": "AdministratorAccess", "PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}}]
    }},
    {{
      "Path": "/",
      "RoleName": "deploy",
      "RoleId": "AROADEPLOYXXXXXXXXXX",
      "Arn": "arn:aws:iam::111122223333:role/deploy",
      "AssumeRolePolicyDocument": {{
        "Version": "2012-10-17",
        "Statement": [
          {{"Effect": "Allow", "Principal": {principal}, "Action": "sts:AssumeRole"}}
        ]
      }},
      "RolePolicyList": [
        {{"PolicyName": "assume-admin", "PolicyDocument": {{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::111122223333:role/admin"}}]}}}}
      ],
      "AttachedManagedPolicies": []
    }}
  ],
  "Policies": []
}}
"#
    )
}

const INSIDE: &str = r#"{"AWS": "arn:aws:iam::111122223333:role/ci"}"#;
const OUTSIDE: &str = r#"{"AWS": "arn:aws:iam::999988887777:root"}"#;

const ADMIN: &str = "arn:aws:iam::111122223333:role/admin";
const DEPLOY: &str = "arn:aws:iam::111122223333:role/deploy";

#[test]
fn opening_a_role_to_an_outside_account_opens_a_path_into_an_admin_role() {
    let repo = Repo::new("open");
    repo.write("iam/account.json", &export(INSIDE));
    repo.commit("base");
    repo.write("iam/account.json", &export(OUTSIDE));

    let (code, report) = repo.diff_json(&["--base", "HEAD"]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(report["version"], 1);
    assert_eq!(report["base"], "HEAD");
    let opened = routes(&report["added_paths"]);
    assert_eq!(
        opened,
        [format!("account 999988887777 → {ADMIN}"), format!("account 999988887777 → {DEPLOY}")]
    );
    let first = &report["added_paths"][0];
    assert_eq!(first["outside"], true);
    assert_eq!(first["privileged"], "`AdministratorAccess`");
    // Hop by hop, with the file and line of each trust and permission statement.
    let hops = first["hops"].as_array().unwrap();
    assert_eq!(hops.len(), 2);
    assert_eq!(hops[0]["to"], DEPLOY);
    assert_eq!(hops[0]["trust"]["file"], "iam/account.json");
    assert_eq!(hops[0]["trust"]["line"], 27);
    assert_eq!(hops[1]["to"], ADMIN);
    assert_eq!(hops[1]["trust"]["line"], 13);
    assert_eq!(hops[1]["identity"]["line"], 31);
    assert_eq!(report["removed_paths"], Value::Array(vec![]));
    assert_eq!(rules(&report["added_findings"]), ["privileged-role-reachable", "missing-external-id"]);
    // Findings in the shape of `check`'s JSON.
    let f = &report["added_findings"][1];
    assert_eq!(
        (f["file"].as_str(), f["line"].as_u64(), f["column"].as_u64()),
        (Some("iam/account.json"), Some(27), Some(52))
    );
    assert_eq!(f["subject"], DEPLOY);
    assert_eq!(report["fixed_findings"], Value::Array(vec![]));
    assert_eq!(report["summary"]["privileged_paths_from_outside"], 1);
    assert_eq!(
        report["summary"]["text"],
        "opens 2 paths into 2 roles (1 privileged) from 1 outside account; 2 findings added, 0 fixed"
    );
    // The work tree and the index are as they were.
    assert_eq!(repo.git(&["status", "--porcelain"]), " M iam/account.json\n");

    // The text formats say the same.
    let out = repo.diff(&["--no-config", "--base", "HEAD", "--format", "concise"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text.contains(&format!(
            "path opened: account 999988887777 → {DEPLOY} → {ADMIN} [privileged: `AdministratorAccess`]"
        )),
        "{text}"
    );
    assert!(text.contains("added: iam/account.json:27:52: warning[missing-external-id]"), "{text}");
    assert!(text.ends_with(
        "Since `HEAD`: opens 2 paths into 2 roles (1 privileged) from 1 outside account; 2 findings added, 0 fixed.\n"
    ));
    let out = repo.diff(&["--no-config", "--base", "HEAD", "--format", "full"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("Assume paths opened (2):\n\naccount 999988887777  [outside your accounts]\n"),
        "{text}"
    );
    assert!(text.contains("      trust:    iam/account.json:27:52 /Statement/0/Principal/AWS\n"), "{text}");
    assert!(text.contains("      identity: iam/account.json:31:158 /Statement/0/Resource\n"), "{text}");
    assert!(text.contains("missing-external-id (TL102)"), "{text}");

    // Markdown for the pull request: a heading, the table, collapsed details.
    let out = repo.diff(&["--no-config", "--base", "HEAD", "--format", "markdown"]);
    let md = String::from_utf8_lossy(&out.stdout);
    assert!(
        md.starts_with("### ⛔ trustlint: this change opens 1 path into a privileged role from outside\n"),
        "{md}"
    );
    assert!(md.contains("| From | To | Chain |\n|---|---|---|\n"), "{md}");
    assert!(
        md.contains(&format!(
            "| `account 999988887777` (outside) | `{ADMIN}` **privileged** (`AdministratorAccess`) |"
        )),
        "{md}"
    );
    assert!(md.contains("<details><summary>Each path opened, hop by hop</summary>"), "{md}");
    assert!(md.contains("| warning | `missing-external-id` | `iam/account.json:27` |"), "{md}");

    // SARIF and GitHub annotations carry the findings added only.
    let out = repo.diff(&["--no-config", "--base", "HEAD", "--format", "sarif"]);
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 2);
    let out = repo.diff(&["--no-config", "--base", "HEAD", "--format", "github"]);
    let lines = String::from_utf8_lossy(&out.stdout).lines().count();
    assert_eq!(lines, 2);

    // `--exit-zero`, and a `--fail-on` above the findings still fails on the path.
    assert_eq!(repo.diff(&["--no-config", "--base", "HEAD", "--exit-zero"]).status.code(), Some(0));
    let (code, _) =
        repo.diff_json(&["--base", "HEAD", "--fail-on", "error", "--ignore", "privileged-role-reachable"]);
    assert_eq!(code, 1);
}

#[test]
fn the_revert_closes_the_path_and_passes() {
    let repo = Repo::new("revert");
    repo.write("iam/account.json", &export(OUTSIDE));
    repo.commit("open");
    repo.write("iam/account.json", &export(INSIDE));

    let (code, report) = repo.diff_json(&["--base", "HEAD"]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["added_paths"], Value::Array(vec![]));
    assert_eq!(
        routes(&report["removed_paths"]),
        [format!("account 999988887777 → {ADMIN}"), format!("account 999988887777 → {DEPLOY}")]
    );
    assert_eq!(report["added_findings"], Value::Array(vec![]));
    assert_eq!(rules(&report["fixed_findings"]), ["privileged-role-reachable", "missing-external-id"]);
    assert_eq!(report["summary"]["text"], "closes 2 paths; 0 findings added, 2 fixed");
}

#[test]
fn a_reformat_changes_nothing() {
    let repo = Repo::new("reformat");
    repo.write("iam/account.json", &export(OUTSIDE));
    repo.commit("open");
    // The same document, every line moved.
    let v: Value = serde_json::from_str(&export(OUTSIDE)).unwrap();
    repo.write("iam/account.json", &format!("\n\n{}\n", serde_json::to_string(&v).unwrap()));

    let (code, report) = repo.diff_json(&["--base", "HEAD"]);
    assert_eq!(code, 0, "{report:#}");
    for key in ["added_paths", "removed_paths", "added_findings", "fixed_findings"] {
        assert_eq!(report[key], Value::Array(vec![]), "{key}: {report:#}");
    }
    assert_eq!(report["summary"]["text"], "opens no path; 0 findings added, 0 fixed");
}

/// A trust policy file: any AWS principal may assume the role.
const WILDCARD: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}
"#;

/// The files of a directory (not those below it), by name, with their text.
fn files_in(dir: &Path) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(dir)
        .unwrap()
        .map(Result::unwrap)
        .filter(|e| e.file_type().unwrap().is_file())
        .map(|e| (e.file_name().into_string().unwrap(), std::fs::read_to_string(e.path()).unwrap()))
        .collect();
    files.sort();
    files
}

#[test]
fn directories_the_change_left_alone_are_read_as_they_were_and_stay_as_they_are() {
    let repo = Repo::new("unchanged-dirs");
    repo.write("roles/same/open.json", WILDCARD);
    repo.write("roles/same/deep/open.json", WILDCARD);
    repo.write("roles/grown/open.json", WILDCARD);
    repo.write("roles/touched/open.json", WILDCARD);
    repo.commit("base");
    // A file added in the work tree only (not committed): the base revision
    // did not have it, though its directory is otherwise the same.
    repo.write("roles/grown/new.json", WILDCARD);
    // Written again with the same text: the index's stamps go stale, as
    // they do after a checkout or a copy of the tree.
    repo.write("roles/touched/open.json", WILDCARD);
    repo.write("roles/same/deep/open.json", WILDCARD);

    let (code, report) = repo.diff_json(&["--base", "HEAD", "--select", "wildcard-principal"]);
    assert_eq!(code, 1, "{report:#}");
    let added: Vec<&str> =
        report["added_findings"].as_array().unwrap().iter().map(|f| f["file"].as_str().unwrap()).collect();
    assert_eq!(added, ["roles/grown/new.json"], "{report:#}");
    assert_eq!(report["fixed_findings"], Value::Array(vec![]), "{report:#}");

    // Nothing of the work tree was removed or changed by reading the base
    // revision through it.
    let open = WILDCARD.to_owned();
    assert_eq!(files_in(&repo.path().join("roles/same")), [("open.json".to_owned(), open.clone())]);
    assert_eq!(files_in(&repo.path().join("roles/same/deep")), [("open.json".to_owned(), open.clone())]);
    assert_eq!(
        files_in(&repo.path().join("roles/grown")),
        [("new.json".to_owned(), open.clone()), ("open.json".to_owned(), open)]
    );
    assert_eq!(repo.git(&["status", "--porcelain"]), "?? roles/grown/new.json\n");
}

#[test]
fn findings_follow_a_renamed_file() {
    let repo = Repo::new("rename");
    repo.write("iam/account.json", &export(OUTSIDE));
    repo.write("roles/open.json", WILDCARD);
    repo.commit("base");
    // One rename through git (and edited a little), one in the work tree only.
    repo.git(&["mv", "iam/account.json", "iam/prod.json"]);
    repo.write("iam/prod.json", &format!("{}\n\n", export(OUTSIDE)));
    std::fs::rename(repo.path().join("roles/open.json"), repo.path().join("roles/public.json")).unwrap();

    let (code, report) = repo.diff_json(&["--base", "HEAD"]);
    assert_eq!(code, 0, "{report:#}");
    for key in ["added_paths", "removed_paths", "added_findings", "fixed_findings"] {
        assert_eq!(report[key], Value::Array(vec![]), "{key}: {report:#}");
    }

    // A finding added to a renamed file is still added.
    repo.write(
        "roles/public.json",
        &WILDCARD.replace(r#"{"AWS":"*"}"#, r#"{"AWS":"arn:aws:iam::999988887777:root"}"#),
    );
    let (_, report) =
        repo.diff_json(&["--base", "HEAD", "--select", "missing-external-id,wildcard-principal"]);
    assert_eq!(rules(&report["added_findings"]), ["missing-external-id"]);
    assert_eq!(report["added_findings"][0]["file"], "roles/public.json");
    assert_eq!(rules(&report["fixed_findings"]), ["wildcard-principal"]);
    assert_eq!(report["fixed_findings"][0]["file"], "roles/open.json");
}

#[test]
fn terraform_modules_are_read_at_the_base_revision_with_the_modules_they_call() {
    let repo = Repo::new("terraform");
    repo.write(
        "modules/role/main.tf",
        r#"variable "trusted" {
  type = string
}

resource "aws_iam_role" "this" {
  name = "vendor"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = var.trusted }
      Action    = "sts:AssumeRole"
    }]
  })
}
"#,
    );
    let env = |account: &str| {
        format!(
            "module \"vendor\" {{\n  source  = \"../../modules/role\"\n  trusted = \"arn:aws:iam::{account}:root\"\n}}\n"
        )
    };
    repo.write("envs/prod/main.tf", &env("111122223333"));
    repo.commit("base");
    repo.write("envs/prod/main.tf", &env("999988887777"));

    // Only the environment is given: the module it calls is read at the base
    // revision too, so nothing is unresolved there. The options apply to
    // both sides: the base trusts an account of ours.
    let (code, report) =
        repo.diff_json(&["--base", "HEAD", "--trusted-account", "111122223333", "envs/prod"]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(rules(&report["added_findings"]), ["missing-external-id"]);
    assert_eq!(report["added_findings"][0]["file"], "envs/prod/main.tf");
    assert_eq!(report["fixed_findings"], Value::Array(vec![]), "{report:#}");
    assert_eq!(routes(&report["added_paths"]).len(), 1, "{report:#}");
    assert!(routes(&report["added_paths"])[0].starts_with("account 999988887777 → "), "{report:#}");

    // From a subdirectory, with the file named: names are as the user sees them.
    let out = repo.diff_in(
        "envs",
        &[
            "--no-config",
            "--base",
            "HEAD",
            "--trusted-account",
            "111122223333",
            "--format",
            "concise",
            "prod/main.tf",
        ],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("added: prod/main.tf:3:"), "{text}");
    assert!(!text.contains("fixed:"), "{text}");
}

#[test]
fn cloudformation_templates() {
    let repo = Repo::new("cloudformation");
    let template = |principal: &str| {
        format!(
            r#"AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Vendor:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              AWS: {principal}
            Action: sts:AssumeRole
"#
        )
    };
    repo.write("stacks/vendor.yaml", &template("!Sub arn:aws:iam::${AWS::AccountId}:root"));
    repo.commit("base");
    repo.write("stacks/vendor.yaml", &template("arn:aws:iam::999988887777:root"));

    let (code, report) = repo.diff_json(&["--base", "HEAD", "stacks"]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(rules(&report["added_findings"]), ["missing-external-id"]);
    assert_eq!(report["added_findings"][0]["file"], "stacks/vendor.yaml");
    assert_eq!(report["added_findings"][0]["line"], 11);
    assert_eq!(routes(&report["added_paths"]).len(), 1, "{report:#}");

    // A file added since the base: everything in it is added.
    repo.write("stacks/new.yaml", &template("\"*\""));
    let (_, report) = repo.diff_json(&["--base", "HEAD", "stacks", "--select", "wildcard-principal"]);
    assert_eq!(rules(&report["added_findings"]), ["wildcard-principal"]);
    // A directory that did not exist at the base revision.
    repo.write("later/vendor.yaml", &template("\"*\""));
    let (_, report) = repo.diff_json(&["--base", "HEAD", "later", "--select", "wildcard-principal"]);
    assert_eq!(rules(&report["added_findings"]), ["wildcard-principal"]);
}

#[test]
fn the_config_applies_to_both_sides() {
    let repo = Repo::new("config");
    repo.write(
        "trustlint.toml",
        "exclude = [\"legacy\"]\n\n[per-file-ignores]\n\"iam/*\" = [\"assume-cycle\"]\n",
    );
    repo.write("legacy/open.json", WILDCARD);
    repo.write("iam/account.json", &export(INSIDE));
    repo.commit("base");
    repo.write("iam/account.json", &export(OUTSIDE));
    repo.write("legacy/open.json", &format!("{WILDCARD}\n"));

    let out = repo.diff_in("iam", &["--base", "HEAD", "--format", "json", ".."]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rules(&report["added_findings"]), ["privileged-role-reachable", "missing-external-id"]);
    assert_eq!(report["added_findings"][1]["file"], "../iam/account.json", "{report:#}");
    assert_eq!(report["fixed_findings"], Value::Array(vec![]), "{report:#}");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

#[test]
fn the_base_revision_is_any_commit_ish() {
    let repo = Repo::new("revisions");
    repo.write("iam/account.json", &export(INSIDE));
    repo.commit("one");
    repo.write("iam/account.json", &export(OUTSIDE));
    repo.commit("two");
    // Against the commit before: the path opened; against HEAD: nothing.
    let (code, report) = repo.diff_json(&["--base", "HEAD~1"]);
    assert_eq!((code, routes(&report["added_paths"]).len()), (1, 2));
    let base = repo.git(&["rev-parse", "HEAD~1"]);
    let (code, _) = repo.diff_json(&["--base", base.trim()]);
    assert_eq!(code, 1);
    let (code, report) = repo.diff_json(&["--base", "main"]);
    assert_eq!((code, routes(&report["added_paths"]).len()), (0, 0));
}

#[test]
fn errors_exit_2() {
    let repo = Repo::new("errors");
    repo.write("iam/account.json", &export(INSIDE));
    repo.commit("base");
    let out = repo.diff(&["--no-config", "--base", "no-such-branch"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown revision `no-such-branch`"));

    let outside = Scratch::new("diff-not-a-repo");
    let out = repo.diff(&["--no-config", "--base", "HEAD", outside.0.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is outside the git work tree"));

    let out = Command::new(common::bin())
        .args(["diff", "--no-config", "--base", "HEAD"])
        .current_dir(&outside.0)
        .env_remove("GIT_DIR")
        .env("GIT_CEILING_DIRECTORIES", outside.0.parent().unwrap())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not in a git work tree"));

    let out = repo.diff(&["--no-config", "--base", "HEAD", "missing"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("`missing`: no such file or directory"));
}

#[test]
fn files_a_terraform_module_reads_are_read_at_the_base_revision() {
    let repo = Repo::new("terraform-file");
    repo.write(
        "modules/role/main.tf",
        r#"resource "aws_iam_role" "this" {
  name               = "vendor"
  assume_role_policy = file("${path.module}/trust.json")
}
"#,
    );
    let trust = |principal: &str| {
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{principal},"Action":"sts:AssumeRole"}}]}}"#
        )
    };
    repo.write("modules/role/trust.json", &trust(INSIDE));
    repo.write("envs/prod/main.tf", "module \"vendor\" {\n  source = \"../../modules/role\"\n}\n");
    repo.commit("base");
    // Only the policy file the module reads changes.
    repo.write("modules/role/trust.json", &trust(OUTSIDE));

    let out = repo.diff_in("envs", &["--no-config", "--base", "HEAD", "--format", "json", "prod"]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let role = "arn:aws:iam::{{AccountId@prod}}:role/vendor";
    assert_eq!(routes(&report["added_paths"]), [format!("account 999988887777 → {role}")], "{report:#}");
    assert_eq!(
        routes(&report["removed_paths"]),
        [format!("arn:aws:iam::111122223333:role/ci → {role}")],
        "{report:#}"
    );
    assert_eq!(report["added_paths"][0]["hops"][0]["trust"]["file"], "../modules/role/main.tf");
}

#[test]
fn patterns_and_absolute_paths_name_the_same_files_on_both_sides() {
    let repo = Repo::new("patterns");
    repo.write("infra/iam/account.json", &export(INSIDE));
    repo.write("infra/legacy/open.json", WILDCARD);
    repo.write("infra/roles/open.json", WILDCARD);
    repo.commit("base");
    repo.write("infra/iam/account.json", &export(OUTSIDE));
    // Gone from the work tree, but left out on the old side too.
    std::fs::remove_file(repo.path().join("infra/legacy/open.json")).unwrap();

    // A glob and an `--exclude` relative to a subdirectory.
    let out = repo.diff_in(
        "infra",
        &["--no-config", "--base", "HEAD", "--format", "json", "--exclude", "legacy", "*/*.json"],
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        rules(&report["added_findings"]),
        ["privileged-role-reachable", "missing-external-id"],
        "{report:#}"
    );
    assert_eq!(report["added_findings"][1]["file"], "iam/account.json", "{report:#}");
    assert_eq!(report["fixed_findings"], Value::Array(vec![]), "{report:#}");

    // An absolute path: shown as given on both sides.
    let abs = repo.path().join("infra/roles");
    let abs = abs.to_str().unwrap();
    repo.write("infra/roles/open.json", &WILDCARD.replace(r#"{"AWS":"*"}"#, OUTSIDE));
    let out = repo.diff_in(
        "infra",
        &[
            "--no-config",
            "--base",
            "HEAD",
            "--format",
            "json",
            "--select",
            "missing-external-id,wildcard-principal",
            abs,
        ],
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rules(&report["added_findings"]), ["missing-external-id"], "{report:#}");
    assert_eq!(report["added_findings"][0]["file"], format!("{abs}/open.json"), "{report:#}");
    assert_eq!(rules(&report["fixed_findings"]), ["wildcard-principal"], "{report:#}");
    assert_eq!(report["fixed_findings"][0]["file"], format!("{abs}/open.json"), "{report:#}");
}

/// The old side is analysed from a directory that is not the working
/// directory: `Settings::root` reads and names every relative path from
/// there, as a run started in it would.
#[test]
fn an_analysis_reads_relative_paths_from_its_root() {
    use trustlint::settings::Settings;
    use trustlint::support::path::RootedGlob;

    let dir = Scratch::new("diff-root");
    let root = std::fs::canonicalize(&dir.0).unwrap();
    let write = |name: &str, text: &str| {
        let path = root.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write("roles/open.json", WILDCARD);
    write("roles/skip.json", WILDCARD);
    write(
        "tf/app/main.tf",
        "resource \"aws_iam_role\" \"app\" {\n  name = \"app\"\n  assume_role_policy = file(\"${path.module}/trust.json\")\n}\n",
    );
    write("tf/app/trust.json", WILDCARD);
    let settings = Settings {
        paths: vec!["roles".into(), "tf/*/main.tf".into()],
        exclude: vec![RootedGlob::new("roles/skip.json", &root).unwrap()],
        rules: trustlint::settings::resolve_rules(Some(&["wildcard-principal".into()]), &[]).unwrap(),
        root: root.clone(),
        ..Settings::default()
    };
    let analysis = trustlint::analyze_paths(&settings).unwrap();
    assert!(analysis.errors.is_empty(), "{:?}", analysis.errors);
    assert!(analysis.warnings.is_empty(), "{:?}", analysis.warnings);
    let found: Vec<(&str, usize)> = analysis
        .findings
        .iter()
        .map(|f| (analysis.files[f.file].name.as_str(), analysis.files[f.file].line_col(f.span.start).line))
        .collect();
    assert_eq!(found, [("roles/open.json", 1), ("tf/app/main.tf", 3)]);
}
