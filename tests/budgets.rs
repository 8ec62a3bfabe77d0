//! Budgets: inputs built to blow up (values that double at each step,
//! encodings nested in encodings, a million interpolations, a huge unknown
//! key) finish quickly, in bounded memory, with an honest report.
//!
//! The budget this suite holds to: any input under 1 MB checks in under 2 s
//! and 500 MB in a release build (the measured times and peaks are in
//! `BENCHMARKS.md`, "Pathological inputs", with the commands). The limits
//! asserted here are far looser ([`TIME_LIMIT`], [`MEMORY_LIMIT_KB`]) so that
//! a debug build on a busy machine does not fail them by chance; what they
//! catch is the exponential growth they guard against, which takes minutes
//! and gigabytes.
//!
//! Past the Terraform evaluation budget a value is unknown, and a policy
//! built from it carries an `unresolved-policy` note.

mod common;

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::Scratch;

/// The longest a run may take before the test fails (the binary is killed).
const TIME_LIMIT: Duration = Duration::from_secs(20);
/// The most memory a run may hold, when `/usr/bin/time` can measure it.
const MEMORY_LIMIT_KB: u64 = 1 << 20;

/// What a run did.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    elapsed: Duration,
    /// Peak resident memory, when it could be measured.
    max_rss_kb: Option<u64>,
}

/// Runs `trustlint ARGS` in `dir` and kills it past `limit`. Under
/// `/usr/bin/time` when the machine has it, to read the peak memory.
fn run_in(dir: &Path, args: &[&str], limit: Duration) -> Run {
    let time = Path::new("/usr/bin/time");
    let rss_file = dir.join(".max-rss");
    let mut cmd = if time.exists() {
        let mut c = Command::new(time);
        c.arg("-f").arg("%M").arg("-o").arg(&rss_file).arg(common::bin());
        c
    } else {
        Command::new(common::bin())
    };
    let started = Instant::now();
    let mut child = cmd
        .args(args)
        .current_dir(dir)
        .env_remove("COLUMNS")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("trustlint runs");
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        std::io::Read::read_to_end(&mut out, &mut s).unwrap();
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        std::io::Read::read_to_end(&mut err, &mut s).unwrap();
        s
    });
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("`trustlint {}` ran longer than {limit:?}", args.join(" "));
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let elapsed = started.elapsed();
    let stdout = String::from_utf8_lossy(&reader.join().unwrap()).into_owned();
    let stderr = String::from_utf8_lossy(&err_reader.join().unwrap()).into_owned();
    let max_rss_kb = std::fs::read_to_string(&rss_file)
        .ok()
        .and_then(|s| s.lines().rev().find_map(|l| l.trim().parse().ok()));
    let _ = std::fs::remove_file(&rss_file);
    Run { code: status.code(), stdout, stderr, elapsed, max_rss_kb }
}

/// Writes `main.tf` into a scratch directory, runs `check` and `graph` on
/// it, and asserts both stay within the limits, and that `check` notes the
/// policy as unresolved.
fn bounded_terraform(tag: &str, main_tf: &str) -> String {
    let dir = Scratch::new(&format!("budgets-{tag}"));
    std::fs::write(dir.0.join("main.tf"), main_tf).unwrap();
    let check = run_in(&dir.0, &["check", "--format", "concise", "."], TIME_LIMIT);
    let graph = run_in(&dir.0, &["graph", "."], TIME_LIMIT);
    for (what, r) in [("check", &check), ("graph", &graph)] {
        assert_ended(&format!("{tag}: {what}"), r);
    }
    assert!(
        check.stdout.contains("unresolved-policy") && check.stdout.contains("budget"),
        "{tag}: no unresolved-policy note past the budget:\n{}",
        check.stdout
    );
    check.stdout
}

/// Asserts a run ended with a report (exit 0 or 1) within the memory limit.
fn assert_ended(what: &str, r: &Run) {
    assert!(matches!(r.code, Some(0 | 1)), "{what} exited with {:?}\n{}{}", r.code, r.stdout, r.stderr);
    if let Some(kb) = r.max_rss_kb {
        assert!(kb < MEMORY_LIMIT_KB, "{what} held {kb} KB");
    }
    eprintln!("{what} in {:?}, {:?} KB", r.elapsed, r.max_rss_kb);
}

/// A role whose trust lets `principal` (an HCL expression) assume it.
fn role(principal: &str) -> String {
    format!(
        "resource \"aws_iam_role\" \"r\" {{\n  name = \"r\"\n  assume_role_policy = jsonencode({{\n    Version = \"2012-10-17\"\n    Statement = [{{ Effect = \"Allow\", Action = \"sts:AssumeRole\", Principal = {{ AWS = {principal} }} }}]\n  }})\n}}\n"
    )
}

/// `jsonencode(jsonencode(…("\"")…))`: each level escapes the quotes and
/// backslashes of the one inside, so the text doubles at each level.
fn nested_jsonencode(depth: usize) -> String {
    format!("{}\"\\\"\"{}", "jsonencode(".repeat(depth), ")".repeat(depth))
}

#[test]
fn jsonencode_nested_32_deep() {
    let tf = format!("locals {{\n  a = {}\n}}\n{}", nested_jsonencode(32), role("local.a"));
    assert!(tf.len() < 1024, "a file of {} bytes", tf.len());
    bounded_terraform("nest32", &tf);
}

#[test]
fn jsonencode_nested_60_deep() {
    let tf = format!("locals {{\n  a = {}\n}}\n{}", nested_jsonencode(60), role("local.a"));
    assert!(tf.len() < 1024, "a file of {} bytes", tf.len());
    bounded_terraform("nest60", &tf);
}

#[test]
fn jsonencode_nested_through_locals() {
    let mut tf = String::from("locals {\n  a0 = \"\\\"\"\n");
    for i in 1..=60 {
        let _ = writeln!(tf, "  a{i} = jsonencode(local.a{})", i - 1);
    }
    tf.push_str("}\n");
    tf.push_str(&role("local.a60"));
    bounded_terraform("nest-locals", &tf);
}

#[test]
fn a_list_doubled_22_times() {
    let mut tf = String::from("locals {\n  l0 = [\"arn:aws:iam::111122223333:root\"]\n");
    for i in 1..=22 {
        let _ = writeln!(tf, "  l{i} = concat(local.l{0}, local.l{0})", i - 1);
    }
    tf.push_str("}\n");
    tf.push_str(&role("local.l22"));
    bounded_terraform("concat", &tf);
}

#[test]
fn a_json_value_doubled() {
    let mut tf = String::from("locals {\n  j0 = { a = \"b\" }\n");
    for i in 1..=40 {
        let _ = writeln!(tf, "  j{i} = {{ x = local.j{0}, y = local.j{0} }}", i - 1);
    }
    tf.push_str("}\n");
    tf.push_str(&role("[local.j40]"));
    bounded_terraform("json", &tf);
}

#[test]
fn an_encoded_json_value_doubled() {
    let mut tf = String::from("locals {\n  j0 = jsonencode({ a = \"b\" })\n");
    for i in 1..=40 {
        let _ = writeln!(tf, "  j{i} = jsonencode([local.j{0}, local.j{0}])", i - 1);
    }
    tf.push_str("}\n");
    tf.push_str(&role("local.j40"));
    bounded_terraform("jsonencode-doubled", &tf);
}

#[test]
fn a_string_template_doubled() {
    let mut tf = String::from("locals {\n  s0 = \"arn:aws:iam::111122223333:root\"\n");
    for i in 1..=40 {
        let _ = writeln!(tf, "  s{i} = \"${{local.s{0}}}${{local.s{0}}}\"", i - 1);
    }
    tf.push_str("}\n");
    tf.push_str(&role("local.s40"));
    bounded_terraform("template", &tf);
}

/// Each reference to a local is a copy of its value: a big local named many
/// times is paid for each time, not only when it is built.
#[test]
fn a_big_value_referred_to_many_times() {
    let mut tf = String::from("locals {\n  l0 = [\"a\"]\n");
    for i in 1..=14 {
        let _ = writeln!(tf, "  l{i} = concat(local.l{0}, local.l{0})", i - 1);
    }
    let _ = writeln!(tf, "  big = [{}]", vec!["local.l14"; 2000].join(", "));
    tf.push_str("}\n");
    tf.push_str(&role("local.big"));
    bounded_terraform("references", &tf);
}

/// The same through `for` expressions and `each`-like bindings.
#[test]
fn a_big_value_bound_many_times() {
    let mut tf = String::from("locals {\n  l0 = [\"a\"]\n");
    for i in 1..=14 {
        let _ = writeln!(tf, "  l{i} = concat(local.l{0}, local.l{0})", i - 1);
    }
    tf.push_str("  big = [for i in range(1000) : [for j in range(1000) : local.l14]]\n");
    tf.push_str("}\n");
    tf.push_str(&role("flatten(local.big)"));
    bounded_terraform("bound", &tf);
}

/// One HCL string of a million interpolations (10 MB): the time is the
/// parser's, linear in the text.
#[test]
fn a_million_interpolations_in_one_string() {
    let tf = format!(
        "locals {{\n  a = \"arn:aws:iam::111122223333:root\"\n  s = \"{}\"\n}}\n{}",
        "${local.a}".repeat(1_000_000),
        role("local.s")
    );
    let dir = Scratch::new("budgets-interpolations");
    std::fs::write(dir.0.join("main.tf"), &tf).unwrap();
    let r = run_in(&dir.0, &["check", "--format", "concise", "."], 3 * TIME_LIMIT);
    assert!(matches!(r.code, Some(0 | 1)), "exit {:?}\n{}{}", r.code, r.stdout, r.stderr);
    assert!(r.stdout.contains("unresolved-policy"), "{}", r.stdout);
    if let Some(kb) = r.max_rss_kb {
        assert!(kb < 2 * MEMORY_LIMIT_KB, "held {kb} KB");
    }
}

/// A 16 MB key no policy knows: "did you mean" does not compare names past
/// a few hundred characters, so the edit distance stays cheap.
#[test]
fn a_huge_unknown_key() {
    let key = "Statemenx".repeat(16 << 20 >> 3);
    let policy = format!(
        "{{\"Version\":\"2012-10-17\",\"{key}\":1,\"Statement\":[{{\"Effect\":\"Allow\",\"Principal\":{{\"Service\":\"ec2.amazonaws.com\"}},\"Action\":\"sts:AssumeRole\"}}]}}"
    );
    let dir = Scratch::new("budgets-unknown-key");
    std::fs::write(dir.0.join("trust.json"), &policy).unwrap();
    let r = run_in(&dir.0, &["check", "--format", "concise", "trust.json"], TIME_LIMIT);
    assert!(matches!(r.code, Some(0..=2)), "exit {:?}\n{}{}", r.code, r.stdout, r.stderr);
    assert!(r.stdout.contains("trust.json"), "the key is reported: {}{}", r.stdout, r.stderr);
    if let Some(kb) = r.max_rss_kb {
        assert!(kb < MEMORY_LIMIT_KB, "held {kb} KB");
    }
}

/// Checks `main.tf` (and the same module in Terraform's JSON syntax,
/// `main.tf.json`) with `check` and `graph`: both end within the limits,
/// and `check` reports `expect`.
fn ends_with(tag: &str, main_tf: &str, main_tf_json: &str, expect: &str) {
    for (file, text) in [("main.tf", main_tf), ("main.tf.json", main_tf_json)] {
        let dir = Scratch::new(&format!("budgets-{tag}-{file}"));
        std::fs::write(dir.0.join(file), text).unwrap();
        for args in [&["check", "--format", "concise", "."][..], &["graph", "."]] {
            let r = run_in(&dir.0, args, TIME_LIMIT);
            assert_ended(&format!("{tag} ({file}): {args:?}"), &r);
            if args[0] == "check" {
                assert!(r.stdout.contains(expect), "{tag} ({file}): expected {expect}:\n{}", r.stdout);
            }
        }
    }
}

const OPEN_TRUST: &str = r#"jsonencode({Version = "2012-10-17", Statement = [{Effect = "Allow", Principal = {AWS = "*"}, Action = "sts:AssumeRole"}]})"#;
const OPEN_TRUST_JSON: &str = r#""{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},\"Action\":\"sts:AssumeRole\"}]}""#;

/// A resource whose attribute refers to itself (Terraform calls it a
/// cycle): each reference started the evaluation of the block afresh, and
/// the recursion overflowed the stack (found by fuzzing `read_source`).
#[test]
fn a_resource_that_refers_to_itself() {
    let tf = format!(
        "resource \"aws_iam_role\" \"x\" {{\n  name = \"${{aws_iam_role.x.name}}\"\n  assume_role_policy = {OPEN_TRUST}\n}}\n"
    );
    let json = format!(
        r#"{{"resource": {{"aws_iam_role": {{"x": {{"name": "${{aws_iam_role.x.name}}", "assume_role_policy": {OPEN_TRUST_JSON}}}}}}}}}"#
    );
    ends_with("self-reference", &tf, &json, "wildcard-principal");
}

/// The same through `for_each`, and two resources that refer to each other
/// twice over (the work doubles at each step until the budget stops it).
#[test]
fn resources_that_refer_to_each_other() {
    let tf = format!(
        "resource \"aws_iam_role\" \"x\" {{\n  for_each = aws_iam_role.x\n  name = each.key\n  assume_role_policy = {OPEN_TRUST}\n}}\n\
         resource \"aws_iam_role\" \"a\" {{\n  name = \"${{aws_iam_role.b.name}}${{aws_iam_role.b.name}}\"\n  assume_role_policy = {OPEN_TRUST}\n}}\n\
         resource \"aws_iam_role\" \"b\" {{\n  count = length(aws_iam_role.a.name)\n  name = \"${{aws_iam_role.a.name}}${{aws_iam_role.a.name}}\"\n  assume_role_policy = {OPEN_TRUST}\n}}\n"
    );
    let json = format!(
        r#"{{"resource": {{"aws_iam_role": {{"x": {{"for_each": "${{aws_iam_role.x}}", "name": "${{each.key}}", "assume_role_policy": {OPEN_TRUST_JSON}}}, "a": {{"name": "${{aws_iam_role.b.name}}${{aws_iam_role.b.name}}", "assume_role_policy": {OPEN_TRUST_JSON}}}}}}}}}"#
    );
    ends_with("mutual-reference", &tf, &json, "wildcard-principal");
}

/// Brackets left open after operators at the end of a file: the HCL
/// parser's backtracking doubled its time with each one (40 of them: hours;
/// found by fuzzing). Past the parser's deadline the file is invalid HCL.
#[test]
fn brackets_left_open_at_the_end_of_a_file() {
    let dir = Scratch::new("budgets-unclosed");
    std::fs::write(dir.0.join("main.tf"), format!("a = {}\n", "(b+c*".repeat(40))).unwrap();
    let r = run_in(&dir.0, &["check", "--format", "concise", "."], TIME_LIMIT);
    assert_eq!(r.code, Some(1), "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("invalid HCL") && r.stdout.contains("gave up"), "{}", r.stdout);
}
