//! Tests of the Terraform reader: one file on its own, and modules read
//! across files and directories.

use std::fmt::Write as _;
use std::sync::Arc;

use super::*;
use crate::model::Principal;

fn read(text: &str) -> Extracted {
    let r = read_one("main.tf", text);
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    r.extracted
}

/// Each principal of each unit: its value and the text its span covers.
fn principals(text: &str, x: &Extracted) -> Vec<(String, String)> {
    x.units
        .iter()
        .flat_map(|u| &u.policy.statements)
        .flat_map(|s| s.principal.iter().flat_map(|p| &p.entries))
        .map(|e| (e.text.value.clone(), text[e.text.span.range()].to_owned()))
        .collect()
}

fn pair(value: &str, source: &str) -> (String, String) {
    (value.to_owned(), source.to_owned())
}

#[test]
fn heredoc_spans_stay_right_around_interpolations() {
    let text = "variable \"acct\" {\n  default = \"123456789012\"\n}\nresource \"aws_iam_role\" \"r\" {\n  assume_role_policy = <<-EOT\n    {\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"sts:AssumeRole\",\n      \"Principal\": {\"AWS\": \"arn:aws:iam::${var.acct}:root\", \"Service\": \"ec2.amazonaws.com\"}}]}\n  EOT\n}\n";
    let x = read(text);
    assert_eq!(
        principals(text, &x),
        [
            pair("arn:aws:iam::123456789012:root", "\"arn:aws:iam::${var.acct}:root\""),
            pair("ec2.amazonaws.com", "\"ec2.amazonaws.com\""),
        ]
    );
}

#[test]
fn quoted_json_spans_go_through_escapes() {
    let text = "resource \"aws_iam_role\" \"r\" {\n  assume_role_policy = \"{\\\"Statement\\\": {\\\"Effect\\\": \\\"Allow\\\", \\\"Action\\\": \\\"sts:AssumeRole\\\", \\\"Principal\\\": {\\\"AWS\\\": \\\"*\\\"}}}\"\n}\n";
    let x = read(text);
    assert_eq!(principals(text, &x), [pair("*", "\\\"*\\\"")]);
}

#[test]
fn policy_documents_build_iam_json() {
    let text = r#"
data "aws_iam_policy_document" "trust" {
  statement {
actions = ["sts:AssumeRole"]
principals {
  type        = "*"
  identifiers = ["*"]
}
condition {
  test     = "StringEquals"
  variable = "aws:PrincipalOrgID"
  values   = ["o-abc123"]
}
condition {
  test     = "StringEquals"
  variable = "aws:PrincipalTag/team"
  values   = ["ops"]
}
  }
  statement {
effect  = "Deny"
actions = ["sts:AssumeRole"]
principals {
  type        = "AWS"
  identifiers = ["111111111111"]
}
principals {
  type        = "AWS"
  identifiers = ["222222222222"]
}
  }
}
resource "aws_iam_role" "r" {
  assume_role_policy = data.aws_iam_policy_document.trust.json
}
"#;
    let x = read(text);
    // `type = "*"` is `"Principal": "*"`, which IAM rejects in a trust policy.
    let [(p, _)] = &x.problems[..] else { panic!("{:?}", x.problems) };
    assert_eq!(&text[p.span.range()], "\"*\"");
    assert!(p.message.contains("not valid in a trust policy"), "{}", p.message);
    assert_eq!(x.units.len(), 1, "the document is used, not also reported on its own");
    let st = &x.units[0].policy.statements;
    assert_eq!(st.len(), 2);
    assert_eq!(st[0].principal.as_ref().unwrap().entries[0].principal, Principal::Anyone);
    assert_eq!(st[0].conditions.len(), 2);
    assert_eq!(text[st[0].conditions[1].values[0].span.range()].to_owned(), "\"ops\"");
    assert_eq!(
        principals(text, &x)[1..],
        [pair("111111111111", "\"111111111111\""), pair("222222222222", "\"222222222222\"")]
    );
}

#[test]
fn references_resolve_or_stay_symbolic() {
    let text = r#"
locals {
  a = local.b
  b = local.a
  org = "my-org"
}
data "aws_partition" "current" {}
resource "aws_iam_saml_provider" "okta" {
  name = "okta"
}
resource "aws_iam_role" "r" {
  assume_role_policy = jsonencode({
Statement = [{
  Effect = "Allow"
  Action = ["sts:AssumeRoleWithSAML", "sts:AssumeRole"]
  Principal = {
    Federated = aws_iam_saml_provider.okta.arn
    AWS = [local.a, module.accounts.ci, "arn:${data.aws_partition.current.partition}:iam::${each.value}:root"]
  }
}]
  })
}
"#;
    let x = read(text);
    let got: Vec<String> = principals(text, &x).into_iter().map(|p| p.0).collect();
    assert_eq!(
        got,
        [
            // Terraform's `jsonencode` writes keys in order: `AWS` first.
            "{{local.a}}",
            "{{module.accounts.ci}}",
            "arn:aws:iam::{{each.value}}:root",
            "arn:aws:iam::{{AccountId}}:saml-provider/okta",
        ]
    );
}

#[test]
fn no_iam_no_extraction_and_errors_have_a_place() {
    let r = read_one("main.tf", "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"b\"\n}\n");
    assert!(r.extracted.units.is_empty() && r.extracted.entities.is_empty());
    assert!(r.files[0].skipped && !r.files[0].counted);
    let r = read_one("main.tf", "resource \"aws_iam_role\" \"r\" {\n  name = \n}\n");
    let [e] = &r.problems[..] else { panic!("{:?}", r.problems) };
    assert!(e.message.starts_with("invalid HCL: "), "{}", e.message);
    assert_eq!(e.span.start, 39, "the line break where the value should be");
}

#[test]
fn suppressions_cover_the_block_or_attribute_below() {
    let text = "# trustlint:ignore wildcard-principal reviewed\nresource \"aws_iam_role\" \"r\" {\n  name = \"r\"\n  // trustlint:ignore TL001\n  assume_role_policy = jsonencode({})\n}\n";
    let x = read(text);
    let s: Vec<(&str, &str, Option<&str>)> = x
        .suppressions
        .iter()
        .map(|s| (&text[s.span.range()], &text[s.scope.range()], s.reason.as_deref()))
        .collect();
    assert_eq!(s[0].0, "# trustlint:ignore wildcard-principal reviewed");
    assert!(s[0].1.starts_with("resource \"aws_iam_role\" \"r\" {") && s[0].1.ends_with('}'));
    assert_eq!(s[0].2, Some("reviewed"));
    assert_eq!(s[1], ("// trustlint:ignore TL001", "assume_role_policy = jsonencode({})", None));
}

/// A scratch directory tree, removed when dropped.
struct Tree(std::path::PathBuf);

impl Tree {
    fn new(tag: &str, files: &[(&str, &str)]) -> Self {
        let dir = std::env::temp_dir().join(format!("trustlint-unit-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for (name, text) in files {
            let path = dir.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        Self(dir)
    }

    /// Reads the named files, as a user naming them (or a walk finding them).
    fn read(&self, names: &[&str]) -> Read {
        let inputs: Vec<InputFile> = names
            .iter()
            .map(|n| {
                let path = self.0.join(n);
                let text = std::fs::read_to_string(&path).unwrap();
                InputFile { name: (*n).to_owned(), path: Some(path), text: Arc::from(text) }
            })
            .collect();
        super::read(inputs)
    }
}

impl Drop for Tree {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Each principal: its value, and the file name and text its span covers.
fn placed(r: &Read) -> Vec<(String, String, String)> {
    r.extracted
        .units
        .iter()
        .flat_map(|u| &u.policy.statements)
        .flat_map(|s| s.principal.iter().flat_map(|p| &p.entries))
        .map(|e| {
            let f = &r.files[e.text.span.file as usize];
            let name = std::path::Path::new(&f.name).file_name().unwrap().to_string_lossy().into_owned();
            (e.text.value.clone(), name, f.text[e.text.span.range()].to_owned())
        })
        .collect()
}

fn at(value: &str, file: &str, source: &str) -> (String, String, String) {
    (value.to_owned(), file.to_owned(), source.to_owned())
}

const TRUST: &str = "resource \"aws_iam_role\" \"r\" {\n  assume_role_policy = jsonencode({\n    Statement = [{ Effect = \"Allow\", Action = \"sts:AssumeRole\", Principal = { AWS = [var.a, local.b, \"arn:aws:iam::${var.c}:root\", aws_iam_role.other.arn] } }]\n  })\n}\n";

#[test]
fn a_module_is_its_directory_and_values_are_shown_where_they_are_written() {
    let t = Tree::new(
        "module-dir",
        &[
            ("m/main.tf", &format!("variable \"c\" {{\n  default = \"333333333333\"\n}}\n{TRUST}")),
            (
                "m/variables.tf",
                "variable \"a\" {\n  default = \"111111111111\"\n}\nvariable \"org\" {\n  default = \"222222222222\"\n}\n",
            ),
            ("m/locals.tf", "locals {\n  b = \"arn:aws:iam::${var.org}:root\"\n}\n"),
            (
                "m/roles.tf",
                "resource \"aws_iam_role\" \"other\" {\n  name = \"o-${var.a}\"\n  path = \"/x/\"\n}\n",
            ),
            ("m/broken.tf", "locals {\n  b = \n"),
        ],
    );
    let r = t.read(&["m/main.tf"]);
    // The root is an account of its own.
    let account = crate::model::symbolic::stack_account(&crate::support::path::display_path(&t.0.join("m")));
    assert_eq!(
        placed(&r),
        [
            at("111111111111", "variables.tf", "\"111111111111\""),
            at("arn:aws:iam::222222222222:root", "locals.tf", "\"arn:aws:iam::${var.org}:root\""),
            at("arn:aws:iam::333333333333:root", "main.tf", "\"arn:aws:iam::${var.c}:root\""),
            at(&format!("arn:aws:iam::{account}:role/x/o-111111111111"), "main.tf", "aws_iam_role.other.arn"),
        ]
    );
    // Only the named file's resources are checked; the others only feed it.
    assert_eq!(r.extracted.entities.len(), 1);
}

#[test]
fn tfvars_set_the_root_modules_variables() {
    let t = Tree::new(
        "tfvars",
        &[
            (
                "main.tf",
                "variable \"a\" {\n  default = \"111111111111\"\n}\nvariable \"b\" {}\nresource \"aws_iam_role\" \"r\" {\n  assume_role_policy = jsonencode({ Statement = [{ Effect = \"Allow\", Action = \"sts:AssumeRole\", Principal = { AWS = [var.a, var.b] } }] })\n}\n",
            ),
            ("terraform.tfvars", "a = \"000000000000\"\nb = \"666666666666\"\nundeclared = \"x\"\n"),
            ("z.auto.tfvars", "b = \"777777777777\"\n"),
        ],
    );
    let r = t.read(&["main.tf"]);
    let got: Vec<String> = placed(&r).into_iter().map(|p| p.0).collect();
    assert_eq!(got, ["000000000000", "777777777777"]);
}

#[test]
fn a_module_call_binds_the_childs_variables_and_findings_point_at_the_argument() {
    let t = Tree::new(
        "module-call",
        &[
            (
                "root/main.tf",
                "module \"r\" {\n  source      = \"../child\"\n  trusted_arn = \"*\"\n}\nmodule \"off\" {\n  source      = \"../child\"\n  create      = false\n  trusted_arn = \"*\"\n}\n",
            ),
            (
                "child/main.tf",
                "variable \"trusted_arn\" {\n  default = \"\"\n}\nvariable \"create\" {\n  default = true\n}\ndata \"aws_iam_policy_document\" \"t\" {\n  statement {\n    actions = [\"sts:AssumeRole\"]\n    principals {\n      type        = \"AWS\"\n      identifiers = [var.trusted_arn]\n    }\n  }\n}\nresource \"aws_iam_role\" \"this\" {\n  count              = var.create ? 1 : 0\n  name               = \"r\"\n  assume_role_policy = data.aws_iam_policy_document.t.json\n}\n",
            ),
        ],
    );
    // Both directories given (a walk): the child is read through its caller.
    let r = t.read(&["root/main.tf", "child/main.tf"]);
    assert_eq!(placed(&r), [at("*", "main.tf", "\"*\"")]);
    let p = &r.extracted.units[0].policy.statements[0].principal.as_ref().unwrap().entries[0];
    assert!(r.files[p.text.span.file as usize].name.starts_with("root/"), "the caller's argument decides");
    assert_eq!(r.extracted.units[0].owner.logical_id.as_deref(), Some("module.r.aws_iam_role.this[0]"));
    assert!(
        r.problems.is_empty() && r.extracted.problems.is_empty(),
        "no false error from the child's default"
    );

    // The child alone uses its defaults.
    let r = t.read(&["child/main.tf"]);
    assert_eq!(r.extracted.units.len(), 1);
    assert_eq!(r.extracted.units[0].owner.logical_id.as_deref(), Some("aws_iam_role.this[0]"));
}

#[test]
fn a_module_that_is_not_installed_is_noted() {
    let t = Tree::new(
        "remote",
        &[("main.tf", "module \"x\" {\n  source  = \"org/role/aws\"\n  version = \"1.0.0\"\n}\n")],
    );
    let r = t.read(&["main.tf"]);
    let [(p, c)] = &r.extracted.unresolved[..] else { panic!("{:?}", r.extracted.unresolved) };
    assert!(p.message.contains("not installed"), "{}", p.message);
    assert_eq!(c.subject.as_deref(), Some("module.x"));
    assert!(r.files[0].counted);
}

#[test]
fn an_unknown_whole_policy_is_noted_and_null_means_unset() {
    let text = "variable \"policy\" {}\nvariable \"d\" {\n  default = null\n}\nresource \"aws_iam_role\" \"r\" {\n  assume_role_policy   = var.policy\n  max_session_duration = var.d\n}\n";
    let r = read_one("main.tf", text);
    assert!(r.extracted.problems.is_empty(), "{:?}", r.extracted.problems);
    let [(p, _)] = &r.extracted.unresolved[..] else { panic!("{:?}", r.extracted.unresolved) };
    assert!(p.message.contains("`var.policy`"), "{}", p.message);
    assert_eq!(&text[p.span.range()], "var.policy");
}

#[test]
fn pathological_values_stop_at_the_budget() {
    let mut text = String::from("locals {\n  l0 = [\"a\", \"b\"]\n");
    for i in 1..=30 {
        let _ = writeln!(text, "  l{i} = concat(local.l{}, local.l{})", i - 1, i - 1);
    }
    text.push_str("  s0 = \"xxxxxxxx\"\n");
    for i in 1..=40 {
        let _ = writeln!(text, "  s{i} = \"${{local.s{}}}${{local.s{}}}\"", i - 1, i - 1);
    }
    text.push_str("}\nresource \"aws_iam_role\" \"r\" {\n  assume_role_policy = jsonencode({ Statement = [{ Effect = \"Allow\", Action = \"sts:AssumeRole\", Principal = { AWS = [local.l30, local.s40] } }] })\n}\n");
    let started = std::time::Instant::now();
    let r = read_one("main.tf", &text);
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    assert!(!r.extracted.unresolved.is_empty(), "the budget is reported");
}

#[test]
fn oidc_providers_carry_their_client_ids() {
    let text = "locals {\n  host = \"token.actions.githubusercontent.com\"\n}\nresource \"aws_iam_openid_connect_provider\" \"gh\" {\n  url            = \"https://${local.host}\"\n  client_id_list = [\"sts.amazonaws.com\"]\n}\nresource \"aws_iam_openid_connect_provider\" \"other\" {\n  url            = \"https://oidc.example.com\"\n  client_id_list = var.ids\n}\nvariable \"ids\" {}\n";
    let x = read(text);
    let got: Vec<(&str, Option<Vec<String>>)> =
        x.oidc_providers.iter().map(|p| (p.issuer.as_str(), p.client_ids.clone())).collect();
    assert_eq!(
        got,
        [
            ("token.actions.githubusercontent.com", Some(vec!["sts.amazonaws.com".to_owned()])),
            ("oidc.example.com", None)
        ]
    );
}

/// A block whose count is not known may exist: it is analysed once, and a
/// splat over it (`one(x[*].json)`, as label-module repositories write it)
/// reads that instance rather than giving up.
#[test]
fn a_splat_over_a_block_that_may_exist_reads_it() {
    let text = r#"variable "enabled" {}
data "aws_iam_policy_document" "trust" {
  count = var.enabled ? 1 : 0
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
  }
}
resource "aws_iam_role" "r" {
  count              = var.enabled ? 1 : 0
  assume_role_policy = one(data.aws_iam_policy_document.trust[*].json)
}
"#;
    let r = read_one("main.tf", text);
    assert!(r.extracted.unresolved.is_empty(), "{:?}", r.extracted.unresolved);
    assert_eq!(principals(text, &r.extracted), [pair("*", "\"*\"")]);
}

/// An argument left null may be computed by the provider
/// (`data.aws_region.current.region`): reading it gives an unknown value,
/// not a null that would make a condition value invalid.
#[test]
fn an_unset_argument_read_back_is_unknown_not_null() {
    let text = r#"variable "region" {
  default = null
}
data "aws_region" "current" {
  region = var.region
}
locals {
  region = try(data.aws_region.current.region, "")
}
resource "aws_iam_role" "r" {
  assume_role_policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ec2.amazonaws.com" }
      Condition = { StringEquals = { "aws:RequestedRegion" = [local.region] } }
    }]
  })
}
"#;
    let x = read(text);
    assert!(x.problems.is_empty(), "{:?}", x.problems);
    let [unit] = &x.units[..] else { panic!("{}", x.units.len()) };
    let condition = &unit.policy.statements[0].conditions[0];
    assert!(crate::model::symbolic::is_symbolic(&condition.values[0].value), "{:?}", condition.values);
}

/// A principal type the configuration leaves open (`element(keys(var.x),
/// count.index)` under a count not known) is symbolic, not invalid.
#[test]
fn a_principal_type_not_known_is_symbolic() {
    let text = r#"variable "principals" {}
data "aws_iam_policy_document" "trust" {
  count = length(keys(var.principals))
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = element(keys(var.principals), count.index)
      identifiers = var.principals[element(keys(var.principals), count.index)]
    }
  }
}
resource "aws_iam_role" "r" {
  assume_role_policy = data.aws_iam_policy_document.trust[0].json
}
"#;
    let x = read(text);
    assert!(x.problems.is_empty(), "{:?}", x.problems);
    let [unit] = &x.units[..] else { panic!("{}", x.units.len()) };
    let entries: Vec<&Principal> =
        unit.policy.statements[0].principal.iter().flat_map(|p| &p.entries).map(|e| &e.principal).collect();
    assert_eq!(entries, [&Principal::Symbolic]);
}

#[test]
fn two_module_calls_may_each_take_an_output_of_the_other() {
    // As Terraform reads it: `a`'s argument needs `b`'s `arn` output, and
    // `b`'s argument `a`'s `account` output; no value needs itself.
    let t = Tree::new(
        "mutual-modules",
        &[
            (
                "main.tf",
                "module \"a\" {\n  source  = \"./a\"\n  trusted = module.b.arn\n}\nmodule \"b\" {\n  source  = \"./b\"\n  account = module.a.account\n}\n",
            ),
            (
                "a/main.tf",
                "variable \"trusted\" {}\noutput \"account\" {\n  value = \"111122223333\"\n}\nresource \"aws_iam_role\" \"r\" {\n  name               = \"a\"\n  assume_role_policy = jsonencode({ Statement = [{ Effect = \"Allow\", Action = \"sts:AssumeRole\", Principal = { AWS = var.trusted } }] })\n}\n",
            ),
            (
                "b/main.tf",
                "variable \"account\" {}\noutput \"arn\" {\n  value = \"arn:aws:iam::${var.account}:role/b\"\n}\n",
            ),
        ],
    );
    let r = t.read(&["main.tf"]);
    assert_eq!(
        placed(&r),
        [at("arn:aws:iam::111122223333:role/b", "main.tf", "\"arn:aws:iam::${var.account}:role/b\"")]
    );
    assert!(r.extracted.unresolved.is_empty(), "{:?}", r.extracted.unresolved);
}

#[test]
fn a_count_that_needs_its_own_module_is_unresolved() {
    let t = Tree::new(
        "count-cycle",
        &[
            (
                "main.tf",
                "module \"a\" {\n  source = \"./a\"\n  count  = length(module.a)\n}\nresource \"aws_iam_role\" \"r\" {\n  assume_role_policy = jsonencode({ Statement = [{ Effect = \"Allow\", Action = \"sts:AssumeRole\", Principal = { AWS = \"*\" } }] })\n}\n",
            ),
            ("a/main.tf", "output \"x\" {\n  value = 1\n}\n"),
        ],
    );
    let r = t.read(&["main.tf"]);
    assert_eq!(placed(&r), [at("*", "main.tf", "\"*\"")]);
}

#[test]
fn references_that_nest_past_the_limit_are_unresolved_not_a_crash() {
    // Thousands of locals, each the one before: the evaluation of each
    // counts on from the one that needs it, and ends at the limit.
    let mut text = String::from("locals {\n  l0 = \"arn:aws:iam::111122223333:root\"\n");
    for i in 1..5_000 {
        let _ = writeln!(text, "  l{i} = local.l{}", i - 1);
    }
    text.push_str("}\nresource \"aws_iam_role\" \"r\" {\n  assume_role_policy = jsonencode({ Statement = [{ Effect = \"Allow\", Action = \"sts:AssumeRole\", Principal = { AWS = local.l4999 } }] })\n}\n");
    // On a thread with the stack of a worker of the thread pool.
    let r = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || read_one("main.tf", &text))
        .unwrap()
        .join()
        .expect("no stack overflow");
    let [(p, _)] = &r.extracted.unresolved[..] else { panic!("{:?}", r.extracted.unresolved) };
    assert!(p.message.contains("nest too deep"), "{}", p.message);
    // A chain of a hundred resolves.
    let mut text = String::from("locals {\n  l0 = \"arn:aws:iam::111122223333:root\"\n");
    for i in 1..100 {
        let _ = writeln!(text, "  l{i} = local.l{}", i - 1);
    }
    text.push_str("}\nresource \"aws_iam_role\" \"r\" {\n  assume_role_policy = jsonencode({ Statement = [{ Effect = \"Allow\", Action = \"sts:AssumeRole\", Principal = { AWS = local.l99 } }] })\n}\n");
    let x = read(&text);
    assert_eq!(principals(&text, &x)[0].0, "arn:aws:iam::111122223333:root");
}

#[test]
fn a_document_only_a_resource_without_instances_uses_is_not_checked_on_its_own() {
    let doc = "variable \"arns\" {\n  default = []\n}\ndata \"aws_iam_policy_document\" \"p\" {\n  statement {\n    actions   = [\"sts:AssumeRole\"]\n    resources = var.arns\n  }\n}\n";
    // The policy is made only when there are roles to name: with the
    // default, never; the document lists no resource, and is no finding.
    let used = format!(
        "{doc}resource \"aws_iam_policy\" \"p\" {{\n  count  = length(var.arns) > 0 ? 1 : 0\n  policy = data.aws_iam_policy_document.p.json\n}}\n"
    );
    let r = read_one("main.tf", &used);
    assert!(r.extracted.units.is_empty() && r.extracted.problems.is_empty(), "{:?}", r.extracted.problems);
    // A resource naming another document does not hide this one.
    let other = format!(
        "{doc}resource \"aws_iam_policy\" \"p\" {{\n  count  = 0\n  policy = data.aws_iam_policy_document.p_other.json\n}}\n"
    );
    let r = read_one("main.tf", &other);
    assert_eq!(r.extracted.units.len(), 1);
    // Used by nothing, it is checked on its own.
    let r = read_one("main.tf", doc);
    assert_eq!(r.extracted.units.len(), 1);
    assert!(
        r.extracted.problems.iter().any(|(p, _)| p.message.contains("empty list")),
        "{:?}",
        r.extracted.problems
    );
}

#[test]
fn a_splat_over_counted_instances_reads_each_attribute() {
    // The idiom of modules written before `one()`: `join("", x.*.attr)`
    // over a `count` of 0 or 1. An attribute AWS computes is unknown, not
    // missing; a document's `json` is the document.
    let text = "variable \"enabled\" {\n  default = true\n}\ndata \"aws_ssm_parameter\" \"token\" {\n  count = var.enabled ? 1 : 0\n  name  = \"token\"\n}\ndata \"aws_iam_policy_document\" \"trust\" {\n  count = var.enabled ? 1 : 0\n  statement {\n    actions = [\"sts:AssumeRole\"]\n    principals {\n      type        = \"AWS\"\n      identifiers = [\"arn:aws:iam::111122223333:root\"]\n    }\n  }\n}\ndata \"aws_iam_policy_document\" \"read\" {\n  statement {\n    actions   = [\"ssm:GetParameters\"]\n    resources = [join(\"\", data.aws_ssm_parameter.token.*.arn), join(\"\", data.aws_ssm_parameter.token[*].arn)]\n  }\n}\nresource \"aws_iam_role\" \"r\" {\n  count              = var.enabled ? 1 : 0\n  assume_role_policy = join(\"\", data.aws_iam_policy_document.trust.*.json)\n  inline_policy {\n    name   = \"read\"\n    policy = data.aws_iam_policy_document.read.json\n  }\n}\n";
    let x = read(text);
    assert_eq!(
        principals(text, &x),
        [pair("arn:aws:iam::111122223333:root", "\"arn:aws:iam::111122223333:root\"")]
    );
    let resources: Vec<&str> = x
        .units
        .iter()
        .flat_map(|u| &u.policy.statements)
        .flat_map(|s| s.resources.iter().flat_map(|r| &r.items))
        .map(|i| i.value.as_str())
        .collect();
    assert_eq!(
        resources,
        ["{{data.aws_ssm_parameter.token[0].arn}}", "{{data.aws_ssm_parameter.token[0].arn}}"]
    );
}
