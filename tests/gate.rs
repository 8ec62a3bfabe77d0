//! trustlint as a CI gate: config severities and ignores, suppressions in the
//! config and in templates, baselines, SARIF suppressions, terminal manners.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::Scratch;

const OPEN_TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}"#;

/// A role trusting another account without an external id (a warning).
const THIRD_PARTY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999988887777:root"},"Action":"sts:AssumeRole"}]}"#;

impl Scratch {
    fn put(&self, rel: &str, text: &str) {
        let path = self.0.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// Runs `trustlint ARGS` in the scratch directory.
    fn tl(&self, args: &[&str]) -> Output {
        Command::new(common::bin()).args(args).current_dir(&self.0).output().unwrap()
    }
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn config_sets_severities_and_per_file_ignores() {
    let s = Scratch::new("gate-config");
    s.put("roles/open.json", OPEN_TRUST);
    s.put("legacy/open.json", OPEN_TRUST);
    s.put(
        "trustlint.toml",
        "[severity]\nTL101 = \"note\"\n\n[per-file-ignores]\n\"legacy/*\" = [\"wildcard-principal\"]\n",
    );
    let o = s.tl(&["check", "--format", "concise", "."]);
    assert_eq!(
        stdout(&o),
        "roles/open.json:1:75: note[wildcard-principal] any AWS principal can assume this role\n\
         Found 1 finding (1 note) in 2 policies, 2 files.\n"
    );
    // A note is below the default `--fail-on warning`.
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn bad_config_entries_name_their_line() {
    let s = Scratch::new("gate-bad-config");
    s.put("open.json", OPEN_TRUST);
    let cases = [
        (
            "[[suppress]]\npath = \"open.json\"\nrule = \"wildcard-principal\"\n",
            "trustlint.toml:1:1",
            "missing field `reason`",
        ),
        (
            "# one\n[[suppress]]\npath = \"open.json\"\nrule = \"no-such-rule\"\nreason = \"r\"\n",
            "trustlint.toml:2:1",
            "`no-such-rule` is not a rule",
        ),
        ("[[suppress]]\npath = \"open.json\"\nreason = \"r\"\n", "trustlint.toml:1:1", "needs a `rule`"),
        (
            "[severity]\nno-such-rule = \"error\"\n",
            "trustlint.toml:2:1",
            "`no-such-rule` in `[severity]` is not a rule",
        ),
        ("[severity]\nTL101 = \"fatal\"\n", "trustlint.toml:2:9", "unknown variant `fatal`"),
        (
            "[[suppress]]\npath = \"a\"\nrule = \"TL101\"\nreason = \"r\"\ncolour = 1\n",
            "trustlint.toml:5:1",
            "unknown field `colour`",
        ),
        // The top-level keys name where the bad value is written, too.
        (
            "# rules\nselect = [\"TL1\", \"no-such-rule\"]\n",
            "trustlint.toml:2:18",
            "`no-such-rule` in `select` is not a rule",
        ),
        ("ignore = [\n  \"nope\",\n]\n", "trustlint.toml:2:3", "`nope` in `ignore` is not a rule"),
        (
            "trusted-accounts = [\"111122223333\", \"1234\"]\n",
            "trustlint.toml:1:37",
            "`1234` in `trusted-accounts` is not an AWS account id",
        ),
        ("\norg-id = \"org-1\"\n", "trustlint.toml:2:10", "`org-id`: `org-1` is not an AWS Organizations id"),
        ("exclude = [\"a[\"]\n", "trustlint.toml:1:12", "`a[` in `exclude` is not a glob pattern"),
    ];
    for (config, at, message) in cases {
        s.put("trustlint.toml", config);
        let o = s.tl(&["check", "."]);
        assert_eq!(o.status.code(), Some(2), "{config}");
        let err = stderr(&o);
        assert!(
            err.contains(at) && err.contains(message),
            "{config}\nexpected `{at}` and `{message}` in:\n{err}"
        );
    }
}

/// An output that cannot be written names its path, and says its cause once.
#[test]
fn unwritable_outputs_name_their_path() {
    let s = Scratch::new("gate-unwritable");
    s.put("open.json", OPEN_TRUST);
    for flag in ["--output-file", "--write-baseline"] {
        let o = s.tl(&["check", "--no-config", flag, "missing/dir/out.txt", "open.json"]);
        assert_eq!(o.status.code(), Some(2), "{flag}");
        let err = stderr(&o);
        assert!(
            err.contains("cannot write `missing/dir/out.txt`: No such file or directory"),
            "{flag}: {err}"
        );
        assert_eq!(err.matches("No such file or directory").count(), 1, "{flag}: the cause once:\n{err}");
    }
}

/// A named file that cannot be read is an error, and the summary line says
/// so rather than reading as a clean run.
#[test]
fn the_summary_counts_files_that_could_not_be_checked() {
    let s = Scratch::new("gate-unreadable-summary");
    s.put("open.json", OPEN_TRUST);
    std::fs::write(s.0.join("blob.json"), b"\xff\xfe\x00\xd8").unwrap();
    let o = s.tl(&["check", "--no-config", "--format", "concise", "blob.json", "open.json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stdout(&o).ends_with("Found 1 finding (1 error) in 1 policy, 1 file; 1 file could not be checked.\n"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn suppress_entries_silence_findings_with_a_reason() {
    let s = Scratch::new("gate-suppress");
    s.put("roles/open.json", OPEN_TRUST);
    s.put("roles/vendor.json", THIRD_PARTY);
    s.put(
        "trustlint.toml",
        "[[suppress]]\npath = \"roles/open.json\"\npointer = \"/Statement/0/Principal/AWS\"\nreason = \"a public demo role\"\n\n\
         [[suppress]]\npath = \"roles/*.json\"\nrule = \"unused-suppression\"\nreason = \"matches nothing\"\n",
    );
    let o = s.tl(&["check", "--format", "concise", "."]);
    let out = stdout(&o);
    assert!(!out.contains("wildcard-principal"), "{out}");
    assert!(out.contains("roles/vendor.json:1:75: warning[missing-external-id]"), "{out}");
    assert!(out.ends_with("in 2 policies, 2 files; 1 suppressed.\n"), "{out}");
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("warning: trustlint.toml:6: this `[[suppress]]` entry matches no finding"),
        "{}",
        stderr(&o)
    );

    // The JSON report counts it; SARIF carries it, marked, with the reason.
    let json: serde_json::Value =
        serde_json::from_slice(&s.tl(&["check", "--format", "json", "."]).stdout).unwrap();
    assert_eq!(json["summary"]["suppressed"], 1);
    assert_eq!(json["findings"].as_array().unwrap().len(), 1);
    let sarif: serde_json::Value =
        serde_json::from_slice(&s.tl(&["check", "--format", "sarif", "."]).stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 2, "suppressed findings stay in SARIF");
    let suppressed: Vec<_> = results.iter().filter(|r| r.get("suppressions").is_some()).collect();
    assert_eq!(suppressed.len(), 1);
    assert_eq!(suppressed[0]["ruleId"], "TL101");
    assert_eq!(
        suppressed[0]["suppressions"],
        serde_json::json!([{"kind": "external", "status": "accepted", "justification": "a public demo role"}])
    );
    assert!(sarif_schema().is_valid(&sarif), "schema-valid with suppressions");
}

fn sarif_schema() -> jsonschema::Validator {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/sarif/sarif-schema-2.1.0.json"),
    )
    .unwrap();
    jsonschema::draft4::new(&serde_json::from_str(&text).unwrap()).unwrap()
}

/// A CloudFormation template whose open role carries a suppression, and a
/// second role whose suppression is stale.
const TEMPLATE: &str = r#"{
  "Resources": {
    "PublicDemo": {
      "Type": "AWS::IAM::Role",
      "Metadata": {"trustlint": {"ignore": [{"rule": "wildcard-principal", "reason": "a public demo"}]}},
      "Properties": {
        "AssumeRolePolicyDocument": {
          "Version": "2012-10-17",
          "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]
        }
      }
    },
    "Worker": {
      "Type": "AWS::IAM::Role",
      "Metadata": {"trustlint": {"ignore": ["TL102"]}},
      "Properties": {
        "AssumeRolePolicyDocument": {
          "Version": "2012-10-17",
          "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]
        }
      }
    }
  }
}
"#;

#[test]
fn template_suppressions_apply_in_their_resource_and_can_be_turned_off() {
    let s = Scratch::new("gate-inline");
    s.put("stack.template.json", TEMPLATE);
    let o = s.tl(&["check", "--format", "concise", "."]);
    assert_eq!(
        stdout(&o),
        "stack.template.json:15:45: note[unused-suppression] nothing here is reported by `missing-external-id`: this suppression is unused\n\
         Found 1 finding (1 note) in 2 policies, 1 file; 1 suppressed.\n"
    );
    assert_eq!(o.status.code(), Some(0));

    let o = s.tl(&["check", "--format", "concise", "--no-inline-suppressions", "."]);
    let out = stdout(&o);
    assert!(out.starts_with("stack.template.json:9:66: error[wildcard-principal]"), "{out}");
    assert!(!out.contains("unused-suppression"), "{out}");
    assert_eq!(o.status.code(), Some(1));

    // The config can turn them off too.
    s.put("trustlint.toml", "inline-suppressions = false\n");
    assert!(stdout(&s.tl(&["check", "--format", "concise", "."])).contains("error[wildcard-principal]"));
}

#[test]
fn a_baseline_keeps_old_findings_out_when_lines_move() {
    let s = Scratch::new("gate-baseline");
    s.put("roles/open.json", OPEN_TRUST);
    let o = s.tl(&["check", "--write-baseline", "baseline.json", "roles"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stderr(&o), "Recorded 1 finding in `baseline.json`.\n");
    let recorded: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(s.0.join("baseline.json")).unwrap()).unwrap();
    assert_eq!(recorded["findings"][0]["rule"], "wildcard-principal");
    assert_eq!(recorded["findings"][0]["pointer"], "/Statement/0/Principal/AWS");

    // Reformatted, with the statement lower in the file: still the same finding.
    let moved = "\n\n{\n  \"Version\": \"2012-10-17\",\n  \"Id\": \"moved\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Allow\",\n      \"Action\": \"sts:AssumeRole\",\n      \"Principal\": { \"AWS\": \"*\" }\n    }\n  ]\n}\n";
    s.put("roles/open.json", moved);
    let o = s.tl(&["check", "--format", "concise", "--baseline", "baseline.json", "roles"]);
    assert_eq!(stdout(&o), "No findings in 1 policy, 1 file; 1 in the baseline.\n");
    assert_eq!(o.status.code(), Some(0));

    // A new finding, in a new file, is reported; the old one still is not.
    s.put("roles/vendor.json", THIRD_PARTY);
    let o = s.tl(&["check", "--format", "concise", "--baseline", "baseline.json", "roles"]);
    let out = stdout(&o);
    assert!(out.starts_with("roles/vendor.json:1:75: warning[missing-external-id]"), "{out}");
    assert!(!out.contains("wildcard-principal"), "{out}");
    assert_eq!(o.status.code(), Some(1));

    // A second open statement in the baselined role is new too.
    let two = OPEN_TRUST.replace(
        r#""Action":"sts:AssumeRole"}]"#,
        r#""Action":"sts:AssumeRole"},{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]"#,
    );
    s.put("roles/open.json", &two);
    let o =
        s.tl(&["check", "--format", "concise", "--baseline", "baseline.json", "--select", "TL101", "roles"]);
    assert!(
        stdout(&o).contains("/Statement/1") || stdout(&o).contains("roles/open.json:1:"),
        "{}",
        stdout(&o)
    );
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
}

#[test]
fn a_bad_baseline_is_an_error_naming_the_line() {
    let s = Scratch::new("gate-bad-baseline");
    s.put("open.json", OPEN_TRUST);
    s.put("baseline.json", "{\n  \"version\": 1,\n  \"findings\": [\n    {\"rule\": 3}\n  ]\n}\n");
    let o = s.tl(&["check", "--baseline", "baseline.json", "open.json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("baseline.json:4:"), "{}", stderr(&o));
    let o = s.tl(&["check", "--baseline", "missing.json", "open.json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot read `missing.json`"), "{}", stderr(&o));
}

/// Runs trustlint with standard output and error on a pseudo-terminal
/// (`script` from util-linux), returning what the terminal showed.
fn on_a_terminal(s: &Scratch, args: &str, no_color: bool) -> Option<String> {
    let bin = common::bin();
    let mut cmd = Command::new("script");
    cmd.args(["-qec", &format!("{} {args}", bin.display()), "/dev/null"])
        .current_dir(&s.0)
        .env("COLUMNS", "100");
    cmd.env_remove("NO_COLOR");
    if no_color {
        cmd.env("NO_COLOR", "1");
    }
    let o = cmd.output().ok()?;
    Some(String::from_utf8_lossy(&o.stdout).into_owned())
}

#[test]
fn colour_only_on_a_terminal_and_never_with_no_color() {
    let s = Scratch::new("gate-colour");
    s.put("open.json", OPEN_TRUST);
    // Piped: plain concise lines.
    let piped = s.tl(&["check", "open.json"]);
    assert!(!stdout(&piped).contains('\u{1b}'));
    assert!(stdout(&piped).starts_with("open.json:1:75: error[wildcard-principal]"));
    let Some(tty) = on_a_terminal(&s, "check open.json", false) else {
        panic!("`script` (util-linux) is needed to test terminal output");
    };
    assert!(tty.contains("\u{1b}["), "full output on a terminal is coloured:\n{tty}");
    assert!(tty.contains("wildcard-principal"), "{tty}");
    let plain = on_a_terminal(&s, "check open.json", true).unwrap();
    assert!(plain.contains("wildcard-principal"), "{plain}");
    assert!(!plain.contains("\u{1b}["), "NO_COLOR turns colour off:\n{plain}");
}

/// Runs `trustlint ARGS` with `input` on standard input.
fn with_stdin(s: &Scratch, args: &[&str], input: &str) -> Output {
    use std::io::Write as _;
    let mut child = Command::new(common::bin())
        .args(args)
        .current_dir(&s.0)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn templates_read_from_standard_input() {
    let s = Scratch::new("gate-stdin");
    // YAML is told from JSON by its first character; Terraform by the name given.
    let yaml = "Resources:\n  Open:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument:\n        Version: \"2012-10-17\"\n        Statement:\n          - {Effect: Allow, Principal: {AWS: \"*\"}, Action: sts:AssumeRole}\n";
    let o = with_stdin(&s, &["check", "--no-config", "--format", "concise", "-"], yaml);
    assert!(stdout(&o).starts_with("<stdin>:8:46: error[wildcard-principal]"), "{}", stdout(&o));
    let tf = "resource \"aws_iam_role\" \"open\" {\n  assume_role_policy = jsonencode({\n    Version = \"2012-10-17\"\n    Statement = [{ Effect = \"Allow\", Principal = { AWS = \"*\" }, Action = \"sts:AssumeRole\" }]\n  })\n}\n";
    let o = with_stdin(
        &s,
        &["check", "--no-config", "--format", "concise", "--stdin-filename", "iam.tf", "-"],
        tf,
    );
    assert!(stdout(&o).starts_with("iam.tf:4:58: error[wildcard-principal]"), "{}", stdout(&o));
}

/// `cat main.tf | trustlint check -`: Terraform is told by its content, not
/// only by a name, however its blocks are written; a YAML template that
/// carries Terraform text in a block scalar stays a template.
#[test]
fn terraform_on_standard_input_is_told_by_its_content() {
    let s = Scratch::new("gate-stdin-terraform");
    let role = "resource \"aws_iam_role\" \"open\" {\n  assume_role_policy = jsonencode({\n    Version = \"2012-10-17\"\n    Statement = [{ Effect = \"Allow\", Principal = { AWS = \"*\" }, Action = \"sts:AssumeRole\" }]\n  })\n}\n";
    let variants = [
        role.to_owned(),
        // Bare labels, as HCL allows.
        role.replace("resource \"aws_iam_role\" \"open\"", "resource aws_iam_role open"),
        // A comment and a `locals{` first, two spaces after the keyword.
        format!("# roles\nlocals{{\n  n = 1\n}}\n\n{}", role.replace("resource ", "resource  ")),
    ];
    for tf in &variants {
        let o = with_stdin(&s, &["check", "--no-config", "--format", "concise", "-"], tf);
        let out = stdout(&o);
        assert!(out.contains("error[wildcard-principal]"), "{tf}\n{out}{}", stderr(&o));
        assert!(!out.contains("invalid-policy") && !out.contains("skipped"), "{tf}\n{out}");
        assert_eq!(o.status.code(), Some(1));
    }
    let yaml = "Resources:\n  Open:\n    Type: AWS::IAM::Role\n    Metadata:\n      Snippet: |\n        resource \"aws_iam_role\" \"x\" {\n        }\n    Properties:\n      AssumeRolePolicyDocument:\n        Version: \"2012-10-17\"\n        Statement:\n          - {Effect: Allow, Principal: {AWS: \"*\"}, Action: sts:AssumeRole}\n";
    let o = with_stdin(&s, &["check", "--no-config", "--format", "concise", "-"], yaml);
    assert!(stdout(&o).starts_with("<stdin>:12:46: error[wildcard-principal]"), "{}", stdout(&o));
}

/// The config's globs are relative to the config file, wherever trustlint
/// runs from and however the paths are written; a bare directory name
/// excludes that directory at any depth; an exclude that leaves nothing out
/// is worth a warning.
#[test]
fn config_globs_are_relative_to_the_config_file() {
    let s = Scratch::new("gate-config-root");
    s.put("infra/roles/open.json", OPEN_TRUST);
    s.put("infra/legacy/open.json", OPEN_TRUST);
    s.put("infra/old/open.json", OPEN_TRUST);
    s.put("exports/open.json", OPEN_TRUST);
    s.put("infra/exports/open.json", OPEN_TRUST);
    s.put(
        "trustlint.toml",
        "exclude = [\"exports\", \"nothing-here/**\"]\n\n\
         [per-file-ignores]\n\"infra/legacy/*\" = [\"wildcard-principal\"]\n\n\
         [[suppress]]\npath = \"infra/old/*.json\"\nrule = \"wildcard-principal\"\nreason = \"retired\"\n",
    );
    let root = s.0.canonicalize().unwrap();
    let root = root.to_str().unwrap();
    let expected_files = |out: &str| -> Vec<String> {
        out.lines()
            .filter(|l| l.contains("wildcard-principal"))
            .map(|l| l.split(':').next().unwrap().to_owned())
            .collect()
    };
    // From the root, from a subdirectory (the config is found upward), and
    // with an absolute path: the same one finding.
    let from_root = s.tl(&["check", "--format", "concise", "."]);
    assert_eq!(expected_files(&stdout(&from_root)), ["infra/roles/open.json"], "{}", stderr(&from_root));
    let from_sub = Command::new(common::bin())
        .args(["check", "--format", "concise", "."])
        .current_dir(s.0.join("infra"))
        .output()
        .unwrap();
    assert_eq!(expected_files(&stdout(&from_sub)), ["roles/open.json"], "{}", stderr(&from_sub));
    let absolute = s.tl(&["check", "--format", "concise", root]);
    assert_eq!(expected_files(&stdout(&absolute)), [format!("{root}/infra/roles/open.json")]);
    // The exclude that matched nothing is named, on standard error.
    for o in [&from_root, &from_sub, &absolute] {
        assert!(
            stderr(o).contains("warning: `exclude` pattern `nothing-here/**` matches no file"),
            "{}",
            stderr(o)
        );
        assert!(!stderr(o).contains("`exports`"), "{}", stderr(o));
        assert!(!stderr(o).contains("[[suppress]]"), "the suppression is used: {}", stderr(o));
    }
    // So does an `--exclude` that matched nothing.
    let o = s.tl(&["check", "--exclude", "nope", "."]);
    assert!(stderr(&o).contains("warning: `exclude` pattern `nope` matches no file"), "{}", stderr(&o));
}
