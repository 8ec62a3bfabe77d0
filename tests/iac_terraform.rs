//! Terraform source (`.tf` and `.tf.json`): what is extracted, with spans in
//! the file, and what the rules find in it.

mod common;

use std::fmt::Write as _;
use std::path::Path;

use common::{Scratch, dump, trustlint};

const DIR: &str = "fixtures/iac/terraform";

#[test]
fn terraform_sources() {
    insta::glob!("../fixtures/iac/terraform", "*.{tf,tf.json}", |path| {
        if path.file_name().is_some_and(|n| n == "network.tf") {
            return;
        }
        insta::assert_snapshot!(dump(path));
    });
}

#[test]
fn check_the_module() {
    let out = trustlint(&["check", "--no-config", "--format", "concise", DIR]);
    insta::assert_snapshot!(String::from_utf8_lossy(&out.stdout));
}

/// The 1-based line and column of the `nth` occurrence of `needle` in a
/// fixture, as findings show them.
fn position(file: &str, needle: &str, nth: usize) -> String {
    position_in(DIR, file, needle, nth)
}

fn position_in(dir: &str, file: &str, needle: &str, nth: usize) -> String {
    let text = std::fs::read_to_string(Path::new(dir).join(file)).unwrap();
    let at = text.match_indices(needle).nth(nth).unwrap_or_else(|| panic!("`{needle}` in {file}")).0;
    let line = text[..at].matches('\n').count() + 1;
    let column = text[..at].rsplit('\n').next().unwrap().chars().count() + 1;
    format!("{dir}/{file}:{line}:{column}")
}

fn check(path: &str) -> String {
    let out = trustlint(&["check", "--no-config", "--format", "concise", path]);
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn findings_point_at_the_terraform_that_wrote_them() {
    let oidc = check(&format!("{DIR}/github-oidc.tf"));
    // `repo:*` lets any repository on GitHub in; `repo:${var.github_org}/*`
    // (the variable's default) pins the organization.
    let open = position("github-oidc.tf", "\"repo:*\"", 0);
    assert!(oidc.contains(&format!("{open}: error[oidc-unrestricted-subject]")), "{oidc}");
    assert_eq!(oidc.matches("oidc-unrestricted-subject").count(), 1, "{oidc}");

    // The `"*"` inside the heredoc.
    let legacy = check(&format!("{DIR}/legacy.tf"));
    let star = position("legacy.tf", "\"*\"", 0);
    assert!(legacy.contains(&format!("{star}: error[wildcard-principal]")), "{legacy}");
    let duration = position("legacy.tf", "86400", 0);
    assert!(legacy.contains(&format!("{duration}: error[invalid-policy] `max_session_duration` is 86400 s")));

    // The third-party account in the policy document's `identifiers`; the
    // account left to a variable without a default is not guessed.
    let cross = check(&format!("{DIR}/cross-account.tf"));
    let vendor = position("cross-account.tf", "\"arn:aws:iam::${local.vendor_account}:root\"", 0);
    assert!(cross.contains(&format!("{vendor}: warning[missing-external-id]")), "{cross}");
    assert_eq!(cross.matches("missing-external-id").count(), 1, "{cross}");

    // Inside a `.tf.json` string, through its escapes.
    let json = check(&format!("{DIR}/ci.tf.json"));
    let escaped = position("ci.tf.json", "\\\"arn:aws:iam::444455556666:root\\\"", 0);
    assert!(json.contains(&format!("{escaped}: warning[missing-external-id]")), "{json}");
}

#[test]
fn comments_suppress_what_they_precede() {
    // On an attribute (with `#` and with `//`) and on a whole block.
    let concise = check(DIR);
    for (file, needle) in [
        ("github-oidc.tf", "43200"),
        ("cross-account.tf", "max_session_duration = 14400"),
        ("legacy.tf", "\"arn:aws:iam::555566667777:root\""),
    ] {
        let at = position(file, needle, 0);
        let line = at.rsplit_once(':').unwrap().0;
        let reported: Vec<&str> = concise.lines().filter(|l| l.starts_with(&format!("{line}:"))).collect();
        assert!(
            reported
                .iter()
                .all(|l| !l.contains("excessive-session-duration") && !l.contains("missing-external-id")),
            "{reported:?}"
        );
    }
    assert!(!concise.contains("unused-suppression"), "{concise}");
}

#[test]
fn the_graph_has_the_role_that_assumes_another() {
    let out = trustlint(&["graph", "--no-config", "--format", "json", &format!("{DIR}/cross-account.tf")]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let graph: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let name = |id: &serde_json::Value| {
        let node = graph["nodes"].as_array().unwrap().iter().find(|n| &n["id"] == id).unwrap();
        (node["kind"].as_str().unwrap().to_owned(), node["name"].as_str().unwrap().to_owned())
    };
    let edges: Vec<_> =
        graph["edges"].as_array().unwrap().iter().map(|e| (name(&e["from"]), name(&e["to"]))).collect();
    // Each root is an account of its own.
    let role = |n: &str| ("role".to_owned(), format!("arn:aws:iam::{{{{AccountId@{DIR}}}}}:role/{n}"));
    assert!(edges.contains(&(role("deployer"), role("release"))), "{edges:?}");
}

#[test]
fn invalid_hcl_is_reported_where_it_breaks() {
    let dir = Scratch::new("tf-invalid");
    let text = "resource \"aws_iam_role\" \"r\" {\n  name = \"r\"\n  assume_role_policy = jsonencode({\n    Version = \n  })\n}\n";
    std::fs::write(dir.0.join("broken.tf"), text).unwrap();
    let out = trustlint(&["check", "--no-config", "--format", "concise", &dir.0.to_string_lossy()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout.lines().find(|l| l.contains("invalid-policy")).unwrap_or_else(|| panic!("{stdout}"));
    // Where the value of `Version` is missing.
    assert!(line.contains("broken.tf:4:15:"), "{line}");
    assert!(line.contains("invalid HCL"), "{line}");
}

#[test]
fn files_without_iam_are_skipped_in_a_directory() {
    let dir = Scratch::new("tf-no-iam");
    std::fs::copy(Path::new(DIR).join("network.tf"), dir.0.join("network.tf")).unwrap();
    std::fs::copy(Path::new(DIR).join("legacy.tf"), dir.0.join("legacy.tf")).unwrap();
    let out = trustlint(&["check", "--no-config", "--format", "concise", &dir.0.to_string_lossy()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stdout.contains("network.tf") && !stderr.contains("network.tf"), "{stdout}{stderr}");
    assert!(stdout.contains("1 file skipped"), "{stdout}");
    assert!(stdout.contains("legacy.tf:"), "{stdout}");
}

#[test]
fn deep_or_huge_input_does_not_overflow() {
    let deep = format!("x = {}", "[".repeat(100_000));
    let err = trustlint::sources::read("deep.tf", &deep).unwrap_err();
    assert!(err.message.starts_with("invalid HCL"), "{}", err.message);
    let deep_object = format!("locals {{\n  x = {}\n}}\n", "{ a = ".repeat(50_000));
    assert!(trustlint::sources::read("deep.tf", &deep_object).is_err());
    let mut many = String::new();
    for i in 0..5_000 {
        let _ = write!(
            many,
            "resource \"aws_iam_role\" \"r{i}\" {{\n  assume_role_policy = jsonencode({{ Version = \"2012-10-17\", Statement = [{{ Effect = \"Allow\", Principal = {{ Service = \"ec2.amazonaws.com\" }}, Action = \"sts:AssumeRole\" }}] }})\n}}\n"
        );
    }
    let (_, x) = trustlint::sources::read("many.tf", &many).unwrap().unwrap();
    assert_eq!(x.units.len(), 5_000);
}

#[test]
fn file_reads_the_json_beside_the_module() {
    let out = check("fixtures/iac/terraform-file");
    // The role's finding points at its `file(…)` call, and the JSON file is
    // checked on its own too; the missing file leaves the role without a trust
    // policy rather than guessing one, and says so.
    let call = position("../terraform-file/main.tf", "file(\"${path.module}", 0)
        .replace("fixtures/iac/terraform/../", "fixtures/iac/");
    assert!(out.contains(&format!("{call}: warning[missing-external-id]")), "{out}");
    assert!(out.contains("vendor-trust.json:6:29: warning[missing-external-id]"), "{out}");
    assert!(out.contains("main.tf:9:24: note[unresolved-policy] the trust policy could not be built from `file(\"policies/missing.json\")`"), "{out}");
    assert!(out.ends_with("Found 3 findings (2 warnings, 1 note) in 2 policies, 2 files.\n"), "{out}");
}

const MODULE: &str = "fixtures/iac/terraform-module";

/// The edges of `trustlint graph` on `path`, as (kind, name) pairs.
fn graph_edges(path: &str) -> Vec<((String, String), (String, String))> {
    let out = trustlint(&["graph", "--no-config", "--format", "json", path]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let graph: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let name = |id: &serde_json::Value| {
        let node = graph["nodes"].as_array().unwrap().iter().find(|n| &n["id"] == id).unwrap();
        (node["kind"].as_str().unwrap().to_owned(), node["name"].as_str().unwrap().to_owned())
    };
    graph["edges"].as_array().unwrap().iter().map(|e| (name(&e["from"]), name(&e["to"]))).collect()
}

#[test]
fn a_module_is_read_across_its_files() {
    // The variables, locals and OIDC provider `main.tf` uses are declared in
    // `variables.tf`, `locals.tf` and `roles.tf`: a finding is shown where
    // the value that decides it is written (a variable's default in
    // `variables.tf`), whether the directory or the file alone is checked.
    for path in [MODULE.to_owned(), format!("{MODULE}/main.tf")] {
        let out = check(&path);
        let vendor = position_in(MODULE, "variables.tf", "\"999988887777\"", 0);
        assert!(
            out.contains(&format!(
                "{vendor}: warning[missing-external-id] principals in account `999988887777`"
            )),
            "{out}"
        );
        assert_eq!(vendor, format!("{MODULE}/variables.tf:6:17"));
        let session = position_in(MODULE, "variables.tf", "43200", 0);
        assert!(
            out.contains(&format!(
                "{session}: warning[excessive-session-duration] sessions of this role may last 12 h (43200 s)"
            )),
            "{out}"
        );
        assert_eq!(session, format!("{MODULE}/variables.tf:12:17"));
        // `repo:${local.github_org}/*`, the local being the variable, whose
        // default is `*`: the template in `main.tf` builds the pattern.
        let subject = position_in(MODULE, "main.tf", "\"repo:${local.github_org}/*\"", 0);
        assert!(out.contains(&format!("{subject}: error[oidc-unrestricted-subject]")), "{out}");
        // `var.audit_account` has no default anywhere: it stays open.
        assert_eq!(out.matches("missing-external-id").count(), 1, "{out}");
        assert_eq!(out.matches(": ").count() - 1, 3, "{out}");
    }
}

#[test]
fn the_graph_goes_through_a_role_of_another_file() {
    // `release` (main.tf) trusts `aws_iam_role.ci.arn`, and `ci` (roles.tf,
    // under the path `/ci/`) may assume `aws_iam_role.release.arn` through a
    // policy policies.tf attaches to it.
    let edges = graph_edges(MODULE);
    let role = |n: &str| ("role".to_owned(), format!("arn:aws:iam::{{{{AccountId@{MODULE}}}}}:role/{n}"));
    assert!(edges.contains(&(role("ci/ci-deployer"), role("release"))), "{edges:?}");
    let oidc = ("federated".to_owned(), "token.actions.githubusercontent.com".to_owned());
    assert!(edges.contains(&(oidc, role("github-deploy"))), "{edges:?}");
}

#[test]
fn tfvars_override_the_defaults() {
    let dir = Scratch::new("tf-module-tfvars");
    for f in ["main.tf", "variables.tf", "locals.tf", "roles.tf"] {
        std::fs::copy(Path::new(MODULE).join(f), dir.0.join(f)).unwrap();
    }
    std::fs::write(dir.0.join("terraform.tfvars"), "vendor_account = \"111122223333\"\nmax_session = 3600\n")
        .unwrap();
    // Read after `terraform.tfvars`: wins.
    std::fs::write(dir.0.join("org.auto.tfvars"), "github_org = \"my-org\"\n").unwrap();
    let out = check(&dir.0.to_string_lossy());
    assert!(
        out.contains(
            "terraform.tfvars:1:18: warning[missing-external-id] principals in account `111122223333`"
        ),
        "{out}"
    );
    assert!(!out.contains("excessive-session-duration"), "{out}");
    assert!(!out.contains("oidc-unrestricted-subject"), "{out}");
}

#[test]
fn a_module_of_many_files_is_read_once() {
    // Each file's role trusts the account of the next file's variable.
    let dir = Scratch::new("tf-module-many");
    let n: usize = 300;
    for i in 0..n {
        let text = format!(
            "variable \"account_{i}\" {{\n  default = \"1{i:011}\"\n}}\n\nresource \"aws_iam_role\" \"r{i}\" {{\n  assume_role_policy = jsonencode({{\n    Version = \"2012-10-17\"\n    Statement = [{{ Effect = \"Allow\", Principal = {{ AWS = var.account_{} }}, Action = \"sts:AssumeRole\" }}]\n  }})\n}}\n",
            (i + 1) % n
        );
        std::fs::write(dir.0.join(format!("r{i:03}.tf")), text).unwrap();
    }
    let out = check(&dir.0.to_string_lossy());
    assert_eq!(out.matches("missing-external-id").count(), n, "{out}");
    // `r299`'s role trusts `var.account_0`, whose default `r000.tf` holds.
    assert!(
        out.contains("r000.tf:2:13: warning[missing-external-id] principals in account `100000000000`"),
        "{out}"
    );
    // In this process too: one file given, the directory read with it.
    for i in [0, 150, 299] {
        let path = dir.0.join(format!("r{i:03}.tf"));
        let text = std::fs::read_to_string(&path).unwrap();
        let input = trustlint::sources::terraform::InputFile {
            path: Some(path),
            name: format!("r{i:03}.tf"),
            text: text.into(),
        };
        let read = trustlint::sources::terraform::read(vec![input]);
        let x = &read.extracted;
        assert_eq!(x.units.len(), 1, "only the given file's role");
        let aws = &x.units[0].policy.statements[0].principal.as_ref().unwrap().entries[0];
        assert_eq!(aws.text.value, format!("1{:011}", (i + 1) % n));
    }
}

const MODULES: &str = "fixtures/iac/terraform-modules";

#[test]
fn module_calls_are_instantiated_with_their_arguments() {
    // A live configuration calling local modules: `for_each` over a map of
    // vendors, a wildcard passed as an argument, a call disabled by
    // `create = false`, a dynamic trust statement naming another module's
    // output, and a registry module that is not installed.
    let out = trustlint(&["check", "--no-config", "--format", "json", MODULES]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut lines = String::new();
    for f in report["findings"].as_array().unwrap() {
        let _ = writeln!(
            lines,
            "{}:{}:{} {} [{}] {}",
            f["file"].as_str().unwrap(),
            f["line"],
            f["column"],
            f["rule"].as_str().unwrap(),
            f["subject"].as_str().unwrap_or("-"),
            f["message"].as_str().unwrap()
        );
    }
    let _ = writeln!(lines, "{}", report["summary"]);
    insta::assert_snapshot!(lines);
}

#[test]
fn the_graph_crosses_module_boundaries() {
    // `lambda-exec` (made by one module instance) trusts the role another
    // module makes, through that module's output.
    let edges = graph_edges(MODULES);
    // Every role of the configuration is in its root's account.
    let role =
        |n: &str| ("role".to_owned(), format!("arn:aws:iam::{{{{AccountId@{MODULES}/live}}}}:role/{n}"));
    assert!(edges.contains(&(role("deployer"), role("lambda-exec"))), "{edges:?}");
    let oidc = ("federated".to_owned(), "token.actions.githubusercontent.com".to_owned());
    assert!(edges.contains(&(oidc, role("deployer"))), "{edges:?}");
    // The disabled module makes no role.
    assert!(!edges.iter().any(|(a, b)| a.1.ends_with("/legacy") || b.1.ends_with("/legacy")), "{edges:?}");
}

#[test]
fn a_child_module_checked_alone_uses_its_defaults() {
    // `name` defaults to "", so the module makes no role: no false error
    // from the empty default.
    let out = trustlint(&[
        "check",
        "--no-config",
        "--format",
        "concise",
        &format!("{MODULES}/modules/assumable-role"),
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.starts_with("No findings"), "{text}");
}

#[test]
fn roles_of_two_roots_are_not_merged_by_name() {
    // Root `a` trusts anyone with a role that may do nothing; root `b` has a
    // role of the same name with administrator permissions, trusted by EC2
    // only. They are different roles unless both roots deploy to one account.
    let dir = Scratch::new("tf-two-roots");
    let write = |name: &str, text: &str| {
        let path = dir.0.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    let trust = |principal: &str| {
        format!(
            "jsonencode({{ Version = \"2012-10-17\", Statement = [{{ Effect = \"Allow\", Action = \"sts:AssumeRole\", Principal = {principal} }}] }})"
        )
    };
    write(
        "a/main.tf",
        &format!(
            "resource \"aws_iam_role\" \"app\" {{\n  name               = \"app\"\n  assume_role_policy = {}\n}}\n",
            trust("{ AWS = \"*\" }")
        ),
    );
    write(
        "b/main.tf",
        &format!(
            "resource \"aws_iam_role\" \"app\" {{\n  name                = \"app\"\n  assume_role_policy  = {}\n  managed_policy_arns = [\"arn:aws:iam::aws:policy/AdministratorAccess\"]\n}}\n",
            trust("{ Service = \"ec2.amazonaws.com\" }")
        ),
    );
    let run = |config: &str| {
        std::fs::write(dir.0.join("trustlint.toml"), config).unwrap();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_trustlint"))
            .args(["check", "--format", "concise", "."])
            .current_dir(&dir.0)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let apart = run("");
    assert!(apart.contains("wildcard-principal"), "{apart}");
    assert!(!apart.contains("privileged-role-reachable"), "{apart}");
    // Both roots deploy to one account: `app` is one role there.
    let together = run("[stack-accounts]\n\"a/**\" = \"111122223333\"\n\"b/**\" = \"111122223333\"\n");
    assert!(together.contains("privileged-role-reachable"), "{together}");
}

/// The OpenID Connect providers of a Terraform configuration are seen from
/// each of its files through one shared list: a copy for every file grew as
/// providers × files (hundreds of megabytes on a repository of a thousand
/// modules).
#[test]
fn the_files_of_a_configuration_share_one_list_of_providers() {
    let settings = trustlint::settings::Settings {
        paths: vec!["fixtures/iac/terraform-modules".to_owned()],
        ..trustlint::settings::Settings::default()
    };
    let analysis = trustlint::analyze_paths(&settings).unwrap();
    let lists: Vec<_> = analysis.inventory.oidc_providers.values().collect();
    assert!(lists.len() >= 2, "{lists:?}");
    assert!(lists.iter().all(|l| std::sync::Arc::ptr_eq(l, lists[0])), "{lists:?}");
    let issuers: Vec<&str> = lists[0].iter().map(|p| p.issuer.as_str()).collect();
    assert_eq!(issuers, ["token.actions.githubusercontent.com"]);
}

/// Run from the root module's own directory, as a pre-commit hook runs,
/// `path.module` is `.`: a file it names is read beside the module, not
/// from the file system's root.
#[test]
fn path_module_of_the_working_directory_is_dot() {
    let dir = Scratch::new("path-module-dot");
    std::fs::write(
        dir.0.join("main.tf"),
        "resource \"aws_iam_role\" \"r\" {\n  name               = \"r\"\n  assume_role_policy = templatefile(\"${path.module}/trust.tpl\", { account = \"444455556666\" })\n}\n",
    )
    .unwrap();
    std::fs::write(
        dir.0.join("trust.tpl"),
        "{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"sts:AssumeRole\", \"Principal\": {\"AWS\": \"arn:aws:iam::${account}:root\"}}]}\n",
    )
    .unwrap();
    for target in ["main.tf", "."] {
        let out = std::process::Command::new(common::bin())
            .args(["check", "--no-config", "--format", "concise", target])
            .current_dir(&dir.0)
            .output()
            .unwrap();
        let stdout = String::from_utf8(out.stdout).unwrap();
        assert!(
            stdout.starts_with(
                "main.tf:3:24: warning[missing-external-id] principals in account `444455556666`"
            ),
            "{target}: {stdout}"
        );
        assert!(!stdout.contains("unresolved-policy"), "{target}: {stdout}");
    }
}
