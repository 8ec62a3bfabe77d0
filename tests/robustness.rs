//! Robustness: no input makes trustlint panic, hang or misbehave, and it never
//! writes to its inputs.
//!
//! Every input is generated at test time into a scratch directory under the
//! system temp dir, and the binary runs with that directory as its working
//! directory, so the names it reports are short relative paths. Each run has a
//! time limit: a hang fails the test instead of stalling the suite.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant, SystemTime};

/// Longest any single run may take. The large-export run needs ~20 s in a
/// debug build on a 2-core machine when it has the machine to itself.
const TIMEOUT: Duration = Duration::from_secs(180);

/// A trust policy that lets anyone assume the role; its `"*"` is at byte 74.
const WILDCARD: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}"#;
const WILDCARD_MESSAGE: &str = "any AWS principal can assume this role";
/// A trust policy with nothing to report.
const CLEAN: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;

// ---------------------------------------------------------------------------
// Scratch directories

/// A directory for one test, removed when the test ends.
struct Scratch {
    root: PathBuf,
}

impl Scratch {
    fn new(test: &str) -> Self {
        let root = std::env::temp_dir().join(format!("trustlint-robustness-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).unwrap();
        Self { root }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    /// Writes `bytes` to `rel`, creating parent directories.
    fn write(&self, rel: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&path, bytes).unwrap();
        path
    }

    fn mkdir(&self, rel: &str) -> PathBuf {
        let path = self.path(rel);
        std::fs::create_dir_all(&path).unwrap();
        path
    }

    #[cfg(unix)]
    fn symlink(&self, target: &str, rel: &str) {
        std::os::unix::fs::symlink(target, self.path(rel)).unwrap();
    }

    fn run(&self, args: &[&str]) -> Outcome {
        Run::new(&self.root, args).go()
    }

    fn run_with(&self, args: &[&str]) -> Run {
        Run::new(&self.root, args)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

// ---------------------------------------------------------------------------
// Running trustlint

/// One invocation of `trustlint check --no-config ARGS…`.
struct Run {
    cmd: Command,
    what: String,
    stdin: Option<Vec<u8>>,
}

impl Run {
    fn new(dir: &Path, args: &[&str]) -> Self {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_trustlint"));
        cmd.arg("check")
            .arg("--no-config")
            .args(args)
            .current_dir(dir)
            .env_remove("COLUMNS")
            .env_remove("RAYON_NUM_THREADS")
            .env("NO_COLOR", "1");
        Self { cmd, what: format!("trustlint check --no-config {}", args.join(" ")), stdin: None }
    }

    fn stdin(mut self, bytes: impl Into<Vec<u8>>) -> Self {
        self.stdin = Some(bytes.into());
        self
    }

    fn env(mut self, key: &str, value: &str) -> Self {
        self.cmd.env(key, value);
        self
    }

    /// Runs to completion (or kills the process and fails after [`TIMEOUT`]).
    fn go(mut self) -> Outcome {
        let started = Instant::now();
        self.cmd
            .stdin(if self.stdin.is_some() { Stdio::piped() } else { Stdio::null() })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = self.cmd.spawn().expect("trustlint starts");
        let feeder = child.stdin.take().map(|mut pipe| {
            let bytes = self.stdin.take().unwrap_or_default();
            // A broken pipe here is trustlint's business, not ours.
            thread::spawn(move || drop(pipe.write_all(&bytes)))
        });
        let drain = |mut r: Box<dyn Read + Send>| {
            thread::spawn(move || {
                let mut buf = Vec::new();
                r.read_to_end(&mut buf).unwrap();
                buf
            })
        };
        let out = drain(Box::new(child.stdout.take().unwrap()));
        let err = drain(Box::new(child.stderr.take().unwrap()));
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if started.elapsed() > TIMEOUT {
                let _ = child.kill();
                let _ = child.wait();
                panic!("`{}` hung: killed after {TIMEOUT:?}", self.what);
            }
            thread::sleep(Duration::from_millis(5));
        };
        let elapsed = started.elapsed();
        if let Some(f) = feeder {
            f.join().unwrap();
        }
        let stdout = out.join().unwrap();
        let stderr = String::from_utf8_lossy(&err.join().unwrap()).into_owned();
        Outcome { what: self.what, code: status.code(), stdout, stderr, elapsed }
    }
}

struct Outcome {
    what: String,
    /// `None` when a signal ended the process (a stack overflow, an abort).
    code: Option<i32>,
    stdout: Vec<u8>,
    stderr: String,
    elapsed: Duration,
}

/// One line of `--format concise` output.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Reported {
    file: String,
    line: usize,
    column: usize,
    rule: String,
    message: String,
}

impl Outcome {
    fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    fn context(&self) -> String {
        let mut out = self.stdout();
        if out.len() > 4000 {
            let mut cut = 4000;
            while !out.is_char_boundary(cut) {
                cut -= 1;
            }
            out.truncate(cut);
            out.push('…');
        }
        format!(
            "`{}` exited with {:?}\n--- stdout ---\n{out}\n--- stderr ---\n{}",
            self.what, self.code, self.stderr
        )
    }

    /// Asserts that the process exited on its own with `code` and printed no
    /// panic. Returns `self` for further assertions.
    #[track_caller]
    fn expect(&self, code: i32) -> &Self {
        assert!(!self.stderr.contains("panicked"), "trustlint panicked\n{}", self.context());
        assert_eq!(self.code, Some(code), "{}", self.context());
        self
    }

    /// The findings of `--format concise` output (every line but the summary).
    fn findings(&self) -> Vec<Reported> {
        let text = self.stdout();
        let mut lines: Vec<&str> = text.lines().collect();
        lines.pop();
        lines
            .into_iter()
            .map(|l| {
                let parse = || {
                    let (loc, rest) = l.split_once(": ")?;
                    let mut loc = loc.rsplitn(3, ':');
                    let column = loc.next()?.parse().ok()?;
                    let line = loc.next()?.parse().ok()?;
                    let file = loc.next()?.to_owned();
                    let (_severity, rest) = rest.split_once('[')?;
                    let (rule, message) = rest.split_once("] ")?;
                    // The subject closing the line, `(in `ARN`)`, is not part of the message.
                    let message = match message.rsplit_once(" (in `") {
                        Some((m, subject)) if subject.ends_with("`)") => m,
                        _ => message,
                    };
                    Some(Reported { file, line, column, rule: rule.to_owned(), message: message.to_owned() })
                };
                parse().unwrap_or_else(|| panic!("not a finding: {l:?}\n{}", self.context()))
            })
            .collect()
    }

    /// The summary line of `concise` or `full` output.
    fn summary(&self) -> String {
        self.stdout().lines().last().unwrap_or_default().to_owned()
    }

    #[track_caller]
    fn assert_summary(&self, expected: &str) -> &Self {
        assert_eq!(self.summary(), expected, "{}", self.context());
        self
    }

    /// Asserts that stderr says `needle`, however miette wrapped and framed it.
    #[track_caller]
    fn assert_stderr(&self, needle: &str) -> &Self {
        assert!(
            squash(&self.stderr).contains(&squash(needle)),
            "stderr does not say {needle:?}\n{}",
            self.context()
        );
        self
    }

    /// The JSON report, parsed.
    fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.stdout).unwrap_or_else(|e| panic!("not JSON ({e})\n{}", self.context()))
    }
}

/// Text without whitespace or miette's frame characters, so that messages can
/// be compared however they were wrapped.
fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace() && !matches!(c, '│' | '|' | '×')).collect()
}

fn finding(file: &str, line: usize, column: usize, rule: &str, message: &str) -> Reported {
    Reported { file: file.to_owned(), line, column, rule: rule.to_owned(), message: message.to_owned() }
}

/// The 1-based line and code-point column of the first `needle` in `text`.
fn line_col(text: &str, needle: &str) -> (usize, usize) {
    let at = text.find(needle).unwrap_or_else(|| panic!("{needle:?} not in text"));
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    (text[..at].matches('\n').count() + 1, text[line_start..at].chars().count() + 1)
}

/// A small deterministic pseudo-random generator (64-bit LCG).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next()).unwrap() % n
    }

    fn byte(&mut self) -> u8 {
        self.next().to_le_bytes()[0]
    }
}

/// Percent-encodes every byte that is not alphanumeric, as IAM encodes
/// policy documents in `get-account-authorization-details`.
fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() {
            out.push(char::from(b));
        } else {
            write!(out, "%{b:02X}").unwrap();
        }
    }
    out
}

/// Escapes `s` as the contents of a JSON string literal.
fn json_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

fn utf16le(s: &str, bom: bool) -> Vec<u8> {
    let mut out = if bom { vec![0xFF, 0xFE] } else { Vec::new() };
    out.extend(s.encode_utf16().flat_map(u16::to_le_bytes));
    out
}

fn utf16be(s: &str) -> Vec<u8> {
    let mut out = vec![0xFE, 0xFF];
    out.extend(s.encode_utf16().flat_map(u16::to_be_bytes));
    out
}

/// An ELF header followed by pseudo-random bytes; its first NUL is at byte 7.
fn binary_bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut rng = Lcg(seed);
    let mut bytes = b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00".to_vec();
    bytes.extend((0..len).map(|_| rng.byte()));
    bytes
}

// ---------------------------------------------------------------------------
// 1. Empty files

#[test]
fn empty_file_named_explicitly_is_an_invalid_policy() {
    let s = Scratch::new("empty_explicit");
    s.write("empty.json", "");
    s.write("bom-only.json", b"\xEF\xBB\xBF");
    s.write("utf16-bom-only.json", b"\xFF\xFE");
    s.write("blank.json", " \n\t\r\n");
    let empty = "invalid JSON: the file is empty: expected a JSON value";

    let out = s.run(&["--format", "concise", "empty.json"]);
    out.expect(1).assert_summary("Found 1 finding (1 error) in 0 policies, 1 file.");
    assert_eq!(out.findings(), [finding("empty.json", 1, 1, "invalid-policy", empty)]);

    let out = s.run(&["--format", "concise", "bom-only.json", "utf16-bom-only.json", "blank.json"]);
    out.expect(1).assert_summary("Found 3 findings (3 errors) in 0 policies, 3 files.");
    assert_eq!(
        out.findings(),
        [
            finding("blank.json", 3, 1, "invalid-policy", empty),
            finding("bom-only.json", 1, 1, "invalid-policy", empty),
            finding("utf16-bom-only.json", 1, 1, "invalid-policy", empty),
        ]
    );
    // Every format copes with a finding in an empty file.
    for format in ["full", "json", "github"] {
        let out = s.run(&["--format", format, "empty.json"]);
        out.expect(1);
        assert!(out.stdout().contains("the file is empty"), "{}", out.context());
    }
}

#[test]
fn empty_json_files_met_while_walking_are_skipped() {
    let s = Scratch::new("empty_walk");
    s.write("dir/empty.json", "");
    s.write("dir/sub/bom-only.json", b"\xEF\xBB\xBF");
    s.write("dir/sub/blank.json", "\n\n   \n");
    s.write("dir/ok.json", CLEAN);
    let out = s.run(&["--format", "concise", "dir"]);
    out.expect(0).assert_summary("No findings in 1 policy, 1 file; 3 files skipped (not IAM).");
    assert_eq!(out.findings(), []);
}

// ---------------------------------------------------------------------------
// 2. Binary files

#[test]
fn binary_file_named_explicitly_is_a_usage_error() {
    let s = Scratch::new("binary_explicit");
    s.write("prog", binary_bytes(1, 4096));
    s.write("x.json", binary_bytes(2, 100));
    // Invalid UTF-8 without any NUL.
    s.write("latin1.json", b"{\"Statement\": \"caf\xE9\"}");

    let out = s.run(&["--format", "concise", "prog"]);
    out.expect(2)
        .assert_summary("No findings in 0 policies, 0 files; 1 file could not be checked.")
        .assert_stderr(
            "`prog` is not an IAM policy or AWS CLI export: not a text file: invalid UTF-8 at byte 7",
        );

    let out = s.run(&["--format", "concise", "x.json", "latin1.json"]);
    out.expect(2)
        .assert_stderr(
            "`x.json` is not an IAM policy or AWS CLI export: not a text file: invalid UTF-8 at byte 7",
        )
        .assert_stderr(
            "`latin1.json` is not an IAM policy or AWS CLI export: not a text file: invalid UTF-8 at byte 18",
        );
}

#[test]
fn binary_files_met_while_walking_are_skipped() {
    let s = Scratch::new("binary_walk");
    s.write("dir/x.json", binary_bytes(3, 4096));
    s.write("dir/deeper/y.json", b"\xFF\xFE\x00\xD8garbage");
    s.write("dir/deeper/z.json", b"{\"Statement\": \"caf\xE9\"}");
    s.write("dir/ok.json", CLEAN);
    let out = s.run(&["--format", "concise", "dir"]);
    out.expect(0).assert_summary("No findings in 1 policy, 1 file; 3 files skipped (not IAM).");
    assert_eq!(out.findings(), []);
    assert_eq!(out.stderr, "", "{}", out.context());
}

// ---------------------------------------------------------------------------
// 3. Deep nesting

#[test]
fn deep_nesting_is_a_finding_not_a_stack_overflow() {
    let s = Scratch::new("deep");
    s.write("arrays.json", "[".repeat(100_000));
    s.write("objects.json", r#"{"a":"#.repeat(100_000));
    let closed =
        format!("{}{}", r#"{"Statement":"#.to_owned() + &"[".repeat(100_000), "]".repeat(100_000) + "}");
    s.write("closed.json", &closed);
    let deep = "invalid JSON: nesting is deeper than 256 levels";

    let out = s.run(&["--format", "concise", "arrays.json", "objects.json", "closed.json"]);
    out.expect(1).assert_summary("Found 3 findings (3 errors) in 0 policies, 3 files.");
    // The 257th level: byte 256 of `[[[…`, byte 5 × 256 of `{"a":{"a":…`.
    assert_eq!(
        out.findings(),
        [
            finding("arrays.json", 1, 257, "invalid-policy", deep),
            finding("closed.json", 1, 13 + 255 + 1, "invalid-policy", deep),
            finding("objects.json", 1, 5 * 256 + 1, "invalid-policy", deep),
        ]
    );

    // The same from standard input, and in every format.
    let out = s.run_with(&["--format", "concise", "-"]).stdin("[".repeat(100_000)).go();
    out.expect(1);
    assert_eq!(out.findings(), [finding("<stdin>", 1, 257, "invalid-policy", deep)]);
    for format in ["full", "json", "github"] {
        let out = s.run(&["--format", format, "objects.json"]);
        out.expect(1);
        assert!(out.stdout().contains("nesting is deeper than 256 levels"), "{}", out.context());
    }
}

#[test]
fn deep_nesting_in_an_embedded_policy_string() {
    let s = Scratch::new("deep_embedded");
    let deep_doc = r#"{"Statement":"#.to_owned() + &"[".repeat(100_000);
    let encoded = url_encode(&deep_doc);
    let escaped = json_escape(&deep_doc);
    let role = |name: &str, doc: &str| {
        format!(
            r#"{{"RoleName":"{name}","Arn":"arn:aws:iam::111122223333:role/{name}","AssumeRolePolicyDocument":"{doc}"}}"#
        )
    };
    let gaad = format!(
        "{{\"RoleDetailList\":[\n{},\n{},\n{}\n]}}\n",
        role("encoded", &encoded),
        role("escaped", &escaped),
        role("fine", &url_encode(WILDCARD)),
    );
    s.write("gaad.json", &gaad);

    let out = s.run(&["--format", "concise", "gaad.json"]);
    out.expect(1).assert_summary("Found 3 findings (3 errors) in 1 policy, 1 file.");
    // The 257th level is the 256th `[`: 255 `[` after `{"Statement":`, each
    // `%5B` in the encoded form.
    let line2 = gaad.lines().nth(1).unwrap();
    let encoded_col = line2.find(&encoded).unwrap() + url_encode(r#"{"Statement":"#).len() + 255 * 3 + 1;
    let line3 = gaad.lines().nth(2).unwrap();
    let escaped_col = line3.find(&escaped).unwrap() + json_escape(r#"{"Statement":"#).len() + 255 + 1;
    let (star_line, star_col) = line_col(&gaad, "%22%2A%22");
    assert_eq!(star_line, 4);
    let embedded = "the embedded policy is not valid JSON: nesting is deeper than 256 levels";
    assert_eq!(
        out.findings(),
        [
            finding("gaad.json", 2, encoded_col, "invalid-policy", embedded),
            finding("gaad.json", 3, escaped_col, "invalid-policy", embedded),
            finding("gaad.json", 4, star_col, "wildcard-principal", WILDCARD_MESSAGE),
        ]
    );
    let json = s.run(&["--format", "json", "gaad.json"]);
    json.expect(1);
    let report = json.json();
    let subjects: Vec<&str> =
        report["findings"].as_array().unwrap().iter().map(|f| f["subject"].as_str().unwrap()).collect();
    assert_eq!(
        subjects,
        [
            "arn:aws:iam::111122223333:role/encoded",
            "arn:aws:iam::111122223333:role/escaped",
            "arn:aws:iam::111122223333:role/fine",
        ]
    );
}

// ---------------------------------------------------------------------------
// 4. A large export

/// One role of the generated export: 21 lines, `{P}` stands for the principal.
const ROLE_TEMPLATE: &str = r#"    {
      "Path": "/service-role/",
      "RoleName": "role-{N}",
      "RoleId": "AROAEXAMPLE{N}",
      "Arn": "arn:aws:iam::111122223333:role/service-role/role-{N}",
      "CreateDate": "2024-01-01T00:00:00+00:00",
      "MaxSessionDuration": 3600,
      "AssumeRolePolicyDocument": {
        "Version": "2012-10-17",
        "Statement": [
          {
            "Effect": "Allow",
            "Principal": {P},
            "Action": "sts:AssumeRole"
          }
        ]
      },
      "InstanceProfileList": [],
      "RolePolicyList": [],
      "AttachedManagedPolicies": [],
      "Tags": []
"#;

/// A `get-account-authorization-details` export of ~200 MB (199,950,036
/// bytes): 310,000 roles, each with a trust policy, exactly three of which
/// trust `{"AWS": "*"}`.
///
/// Measured in a debug build on a 2-core machine: generating the text takes
/// 1.5–3 s and trustlint checks it in 12–23 s (peak ~1.7 GB of memory), with
/// the rest of this file's tests running alongside; well under a minute, so
/// the full ~200 MB size is kept.
#[test]
fn large_authorization_details_export() {
    const ROLES: usize = 310_000;
    let planted = [7, ROLES / 2, ROLES - 1];
    let s = Scratch::new("large_gaad");

    let started = Instant::now();
    let head = "{\n  \"RoleDetailList\": [\n";
    let (first, rest) = ROLE_TEMPLATE.split_once("{N}").unwrap();
    let mut text = String::with_capacity(ROLES * (ROLE_TEMPLATE.len() + 40) + 200);
    text.push_str(head);
    let role_lines = ROLE_TEMPLATE.lines().count() + 1; // plus the closing `}`
    for i in 0..ROLES {
        let principal =
            if planted.contains(&i) { r#"{"AWS": "*"}"# } else { r#"{"Service": "ec2.amazonaws.com"}"# };
        let n = format!("{i:07}");
        text.push_str(first);
        text.push_str(&rest.replace("{N}", &n).replace("{P}", principal));
        text.push_str(if i + 1 == ROLES { "    }\n" } else { "    },\n" });
    }
    text.push_str("  ],\n  \"UserDetailList\": [],\n  \"GroupDetailList\": [],\n  \"Policies\": []\n}\n");
    let size = text.len();
    assert!(size > 195_000_000, "only {size} bytes");
    s.write("gaad.json", &text);
    drop(text);
    let generated = started.elapsed();

    let out = s.run(&["--format", "concise", "gaad.json"]);
    eprintln!(
        "large export: {size} bytes, {ROLES} roles; generated in {generated:.1?}, checked in {:.1?}",
        out.elapsed
    );
    out.expect(1).assert_summary(&format!("Found 3 findings (3 errors) in {ROLES} policies, 1 file."));
    let principal_line = ROLE_TEMPLATE.lines().position(|l| l.contains("{P}")).unwrap();
    let column =
        ROLE_TEMPLATE.lines().nth(principal_line).unwrap().find("{P}").unwrap() + r#"{"AWS": "#.len() + 1;
    let expected: Vec<Reported> = planted
        .iter()
        .map(|&i| {
            let line = 2 + i * role_lines + principal_line + 1;
            finding("gaad.json", line, column, "wildcard-principal", WILDCARD_MESSAGE)
        })
        .collect();
    assert_eq!(out.findings(), expected);
}

// ---------------------------------------------------------------------------
// 5. Unreadable paths

#[test]
fn a_path_that_does_not_exist_is_a_usage_error() {
    let s = Scratch::new("missing");
    s.write("ok.json", WILDCARD);
    let out = s.run(&["--format", "concise", "nope.json"]);
    out.expect(2).assert_stderr("`nope.json`: no such file or directory");
    assert_eq!(out.stdout(), "", "{}", out.context());

    // One missing path among good ones still fails the run.
    let out = s.run(&["--format", "concise", "ok.json", "missing/dir"]);
    out.expect(2).assert_stderr("`missing/dir`: no such file or directory");
}

#[cfg(unix)]
#[test]
fn a_file_without_read_permission_is_a_usage_error() {
    use std::os::unix::fs::PermissionsExt;
    let s = Scratch::new("mode000");
    let path = s.write("secret.json", WILDCARD);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read(&path).is_ok() {
        // Running as root: permissions do not stop reading.
        eprintln!("skipped: mode 000 does not stop this user (root) from reading");
        return;
    }
    let out = s.run(&["--format", "concise", "secret.json"]);
    out.expect(2)
        .assert_summary("No findings in 0 policies, 0 files; 1 file could not be checked.")
        .assert_stderr("cannot read `secret.json`: Permission denied");
}

#[test]
fn an_empty_directory_named_explicitly_has_no_findings_and_says_so() {
    let s = Scratch::new("empty_dir");
    s.mkdir("nothing");
    s.write("other/README.md", "# not a policy\n");
    // IAM reads policies as JSON only: a YAML file counts when it is a template.
    s.write("other/policy.yaml", "Statement: []\n");
    let out = s.run(&["--format", "concise", "nothing", "other"]);
    out.expect(0).assert_summary("No findings in 0 policies, 0 files; 1 file skipped (not IAM).");
    // A gate that checked nothing must not pass in silence.
    out.assert_stderr("warning: nothing was checked: the file read holds no IAM policy");
}

#[cfg(unix)]
#[test]
fn broken_symlinks_named_explicitly_are_read_errors() {
    let s = Scratch::new("broken_links");
    s.symlink("nowhere.json", "dangling.json");
    s.symlink("loop.json", "loop.json");
    let out = s.run(&["--format", "concise", "dangling.json", "loop.json"]);
    out.expect(2)
        .assert_summary("No findings in 0 policies, 0 files; 2 files could not be checked.")
        .assert_stderr("cannot read `dangling.json`: No such file or directory")
        .assert_stderr("cannot read `loop.json`: Too many levels of symbolic links");
}

// ---------------------------------------------------------------------------
// 6. Symlink loops

#[cfg(unix)]
#[test]
fn symlink_loops_inside_a_walked_directory_end_and_report_once() {
    let s = Scratch::new("symlink_loops");
    s.write("walk/p.json", WILDCARD);
    s.mkdir("walk/sub");
    s.symlink(".", "walk/self");
    s.symlink("..", "walk/sub/up");
    s.symlink("../walk", "walk/sub/again");
    s.symlink("loop.json", "walk/loop.json");
    s.symlink("nowhere.json", "walk/dangling.json");
    let out = s.run(&["--format", "concise", "walk"]);
    out.expect(1).assert_summary("Found 1 finding (1 error) in 1 policy, 1 file.");
    assert_eq!(out.findings(), [finding("walk/p.json", 1, 75, "wildcard-principal", WILDCARD_MESSAGE)]);
}

#[cfg(unix)]
#[test]

fn symlink_to_the_parent_of_a_walked_directory_reports_once() {
    let s = Scratch::new("symlink_parent");
    s.write("walk/p.json", WILDCARD);
    s.symlink("..", "walk/up");
    let out = s.run(&["--format", "concise", "walk"]);
    // Actual: `walk/p.json` and `walk/up/walk/p.json`, two findings.
    assert_eq!(
        out.findings(),
        [finding("walk/p.json", 1, 75, "wildcard-principal", WILDCARD_MESSAGE)],
        "{}",
        out.context()
    );
    out.expect(1).assert_summary("Found 1 finding (1 error) in 1 policy, 1 file.");
}

#[cfg(unix)]
#[test]
fn a_fifo_met_while_walking_is_not_read() {
    let s = Scratch::new("fifo");
    s.write("dir/p.json", WILDCARD);
    let made = Command::new("mkfifo").arg(s.path("dir/pipe.json")).status();
    if !made.is_ok_and(|st| st.success()) {
        eprintln!("skipped: mkfifo is not available");
        return;
    }
    let out = s.run(&["--format", "concise", "dir"]);
    out.expect(1).assert_summary(
        "Found 1 finding (1 error) in 1 policy, 1 file; 1 entry skipped (not a regular file).",
    );
}

#[cfg(unix)]
#[test]
fn a_glob_over_a_directory_with_two_links_to_itself_ends() {
    // Actual: `**` followed `d/a/b/a/b/…` without end, memory growing.
    let s = Scratch::new("glob_self_links");
    s.write("d/p.json", WILDCARD);
    s.write("d/sub/q.json", CLEAN);
    s.symlink(".", "d/a");
    s.symlink(".", "d/b");
    s.symlink("..", "d/sub/up");
    for pattern in ["d/**/*.json", "d/**", "**/p.json"] {
        let out = s.run(&["--format", "concise", pattern]);
        assert_eq!(
            out.findings(),
            [finding("d/p.json", 1, 75, "wildcard-principal", WILDCARD_MESSAGE)],
            "{pattern}: {}",
            out.context()
        );
        out.expect(1);
    }
}

#[cfg(unix)]
#[test]
fn a_glob_reads_no_deeper_than_its_pattern() {
    let s = Scratch::new("glob_depth");
    s.write("p.json", WILDCARD);
    s.write("deep/q.json", WILDCARD);
    let out = s.run(&["--format", "concise", "*.json"]);
    assert_eq!(
        out.findings(),
        [finding("p.json", 1, 75, "wildcard-principal", WILDCARD_MESSAGE)],
        "{}",
        out.context()
    );
    let out = s.run(&["--format", "concise", "*/*.json"]);
    assert_eq!(
        out.findings(),
        [finding("deep/q.json", 1, 75, "wildcard-principal", WILDCARD_MESSAGE)],
        "{}",
        out.context()
    );
    let out = s.run(&["--format", "concise", "nothing/*.json"]);
    out.expect(2).assert_stderr("nothing/*.json");
}

#[cfg(unix)]
#[test]
fn a_fifo_matched_by_a_glob_is_skipped_and_counted() {
    // Actual: opening the pipe waited for a writer forever.
    let s = Scratch::new("fifo_glob");
    s.write("dir/p.json", WILDCARD);
    let made = Command::new("mkfifo").arg(s.path("dir/pipe.json")).status();
    if !made.is_ok_and(|st| st.success()) {
        eprintln!("skipped: mkfifo is not available");
        return;
    }
    let out = s.run(&["--format", "concise", "dir/*.json"]);
    out.expect(1).assert_summary(
        "Found 1 finding (1 error) in 1 policy, 1 file; 1 entry skipped (not a regular file).",
    );
}

#[cfg(unix)]
#[test]
fn a_pipe_named_explicitly_is_read() {
    // `trustlint check <(aws iam get-account-authorization-details)`: the
    // shell names a pipe, which is read like a file.
    let s = Scratch::new("process_substitution");
    s.write("p.json", WILDCARD);
    let script = r#"exec "$0" check --no-config --format concise <(cat p.json)"#;
    let out = Command::new("bash")
        .args(["-c", script])
        .arg(env!("CARGO_BIN_EXE_trustlint"))
        .current_dir(&s.root)
        .stdin(Stdio::null())
        .output();
    let Ok(out) = out else {
        eprintln!("skipped: bash is not available");
        return;
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stdout.contains(":1:75: error[wildcard-principal]"), "{stdout}{stderr}");
    assert!(stdout.contains("Found 1 finding (1 error) in 1 policy, 1 file."), "{stdout}{stderr}");
}

#[cfg(target_os = "linux")]
#[test]
fn endless_input_under_a_memory_cap_is_a_read_error_not_a_crash() {
    // `/dev/zero` never ends; capping the address space makes trustlint run
    // out of memory quickly instead of exhausting the machine's.
    let out = Command::new("sh")
        .args(["-c", r#"ulimit -v 1500000 && exec "$0" check --no-config --format concise /dev/zero"#])
        .arg(env!("CARGO_BIN_EXE_trustlint"))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(squash(&stderr).contains(&squash("cannot read `/dev/zero`")), "{stderr}");
}

// ---------------------------------------------------------------------------
// 7. Encodings

/// A wildcard trust policy over several lines, with non-ASCII text (one
/// character outside the BMP) on the line of the `"*"`.
const PRETTY_WILDCARD: &str = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Action\": \"sts:AssumeRole\",\n      \"Sid\": \"Caf\u{e9}\u{1F600}\", \"Effect\": \"Allow\", \"Principal\": {\"AWS\": \"*\"}\n    }\n  ]\n}\n";

#[test]
fn byte_order_marks_and_utf16_are_read_with_correct_positions() {
    let s = Scratch::new("encodings");
    let crlf = PRETTY_WILDCARD.replace('\n', "\r\n");
    // Without the non-BMP character, so that its UTF-16 head is all ASCII.
    let ascii_ish = PRETTY_WILDCARD.replace("\u{1F600}", "x");
    s.write("utf8-bom.json", [b"\xEF\xBB\xBF".as_slice(), PRETTY_WILDCARD.as_bytes()].concat());
    // What PowerShell's `Out-File` writes: UTF-16LE with a BOM, CRLF.
    s.write("utf16le-bom.json", utf16le(&crlf, true));
    s.write("utf16be-bom.json", utf16be(&crlf));
    s.write("utf16le.json", utf16le(&ascii_ish, false));

    let (line, column) = line_col(PRETTY_WILDCARD, "\"*\"");
    // Code points, not bytes (67) or UTF-16 units (64).
    assert_eq!((line, column), (6, 63));
    // The same column with `x` for the emoji: both are one code point.
    assert_eq!(line_col(&ascii_ish, "\"*\""), (line, column));

    let out = s.run(&[
        "--format",
        "concise",
        "utf8-bom.json",
        "utf16le-bom.json",
        "utf16be-bom.json",
        "utf16le.json",
    ]);
    out.expect(1).assert_summary("Found 4 findings (4 errors) in 4 policies, 4 files.");
    let at = |file: &str| finding(file, line, column, "wildcard-principal", WILDCARD_MESSAGE);
    assert_eq!(
        out.findings(),
        [at("utf16be-bom.json"), at("utf16le-bom.json"), at("utf16le.json"), at("utf8-bom.json"),]
    );

    // End positions too, and the walk reads them the same way.
    let out = s.run(&["--format", "json", "."]);
    out.expect(1);
    let report = out.json();
    assert_eq!(report["summary"]["policies"], 4);
    for f in report["findings"].as_array().unwrap() {
        assert_eq!(f["rule"], "wildcard-principal", "{f}");
        assert_eq!((f["line"].as_u64(), f["column"].as_u64()), (Some(6), Some(63)), "{f}");
        assert_eq!((f["end_line"].as_u64(), f["end_column"].as_u64()), (Some(6), Some(66)), "{f}");
    }

    // `full` output quotes the right line.
    let out = s.run(&["--format", "full", "utf16le-bom.json"]);
    out.expect(1);
    assert!(
        out.stdout().contains(
            "\"Sid\": \"Caf\u{e9}\u{1F600}\", \"Effect\": \"Allow\", \"Principal\": {\"AWS\": \"*\"}"
        ),
        "{}",
        out.context()
    );
}

#[test]
fn invalid_utf16_is_a_clear_error() {
    let s = Scratch::new("bad_utf16");
    // `{"a":"` then an unpaired high surrogate, then `"}`.
    let mut high = utf16le(r#"{"a":""#, true);
    high.extend([0x00, 0xD8]);
    high.extend(utf16le(r#""}"#, false));
    s.write("high.json", &high);
    // An unpaired low surrogate in UTF-16BE.
    let mut low = utf16be(r#"{"Statement":""#);
    low.extend([0xDC, 0x00]);
    low.extend(utf16be(r#""}"#).split_off(2));
    s.write("low.json", &low);

    let out = s.run(&["--format", "concise", "high.json", "low.json"]);
    out.expect(2)
        .assert_summary("No findings in 0 policies, 0 files; 2 files could not be checked.")
        .assert_stderr(
            "`high.json` is not an IAM policy or AWS CLI export: invalid UTF-16 at byte 14 (an unpaired surrogate or a lone final byte)",
        )
        .assert_stderr(
            "`low.json` is not an IAM policy or AWS CLI export: invalid UTF-16 at byte 30 (an unpaired surrogate or a lone final byte)",
        );

    // Met while walking, they are skipped.
    let out = s.run(&["--format", "concise", "."]);
    out.expect(0).assert_summary("No findings in 0 policies, 0 files; 2 files skipped (not IAM).");
}

// ---------------------------------------------------------------------------
// 8. Inputs are never written

/// Every entry under `root`: its bytes (files and symlink targets) and mtime.
fn snapshot(root: &Path) -> BTreeMap<PathBuf, (Vec<u8>, SystemTime)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_owned()];
    while let Some(p) = stack.pop() {
        let meta = std::fs::symlink_metadata(&p).unwrap();
        let bytes = if meta.is_dir() {
            let mut names: Vec<_> = std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()).collect();
            names.sort();
            let listing =
                names.iter().map(|n| n.to_string_lossy().into_owned()).collect::<Vec<_>>().join("\n");
            stack.extend(names);
            listing.into_bytes()
        } else if meta.file_type().is_symlink() {
            std::fs::read_link(&p).unwrap().to_string_lossy().into_owned().into_bytes()
        } else {
            std::fs::read(&p).unwrap()
        };
        out.insert(p, (bytes, meta.modified().unwrap()));
    }
    out
}

#[test]
fn inputs_are_never_written() {
    let s = Scratch::new("read_only");
    s.write("in/wildcard.json", WILDCARD);
    s.write("in/clean.json", CLEAN);
    s.write("in/roles/broken.json", r#"{"Statement": [ {"Effect": "Allow",, } ]"#);
    s.write("in/roles/bom.json", [b"\xEF\xBB\xBF".as_slice(), WILDCARD.as_bytes()].concat());
    s.write("in/roles/utf16.json", utf16le(&PRETTY_WILDCARD.replace('\n', "\r\n"), true));
    s.write("in/roles/empty.json", "");
    s.write("in/exports/gaad.json", format!(
        r#"{{"RoleDetailList":[{{"RoleName":"r","Arn":"arn:aws:iam::111122223333:role/r","MaxSessionDuration":43200,"AssumeRolePolicyDocument":"{}"}}]}}"#,
        url_encode(WILDCARD)
    ));
    s.write("in/other/package.json", r#"{"name": "not-iam"}"#);
    s.write("in/other/blob.json", binary_bytes(4, 512));
    s.write("in/other/notes.txt", "hello\n");
    let before = snapshot(&s.path("in"));
    assert!(before.len() > 10);

    let mut runs = 0;
    for format in ["concise", "json", "full", "github"] {
        for args in [
            vec!["--format", format, "in"],
            vec!["--format", format, "-q", "in/wildcard.json", "in/roles/broken.json", "in/roles/utf16.json"],
            vec!["--format", format, "--exit-zero", "in/*/*.json"],
        ] {
            let out = s.run(&args);
            assert!(!out.stderr.contains("panicked"), "{}", out.context());
            assert!(matches!(out.code, Some(0..=2)), "{}", out.context());
            runs += 1;
        }
    }
    // The walk itself found what it should.
    let out = s.run(&["--format", "concise", "in"]);
    out.expect(1).assert_summary(
        "Found 6 findings (5 errors, 1 warning) in 5 policies, 6 files; 3 files skipped (not IAM).",
    );
    assert_eq!(runs, 12);

    let after = snapshot(&s.path("in"));
    assert_eq!(before.len(), after.len(), "entries were added or removed");
    for (path, (bytes, mtime)) in &before {
        let (bytes2, mtime2) = &after[path];
        assert!(bytes == bytes2, "{} changed", path.display());
        assert_eq!(mtime, mtime2, "{} was touched", path.display());
    }
}

// ---------------------------------------------------------------------------
// 9. Determinism

/// ~200 policies over nested directories and an export, with planted
/// findings. Returns the number of policies and of findings per rule.
fn generate_corpus(s: &Scratch) -> (usize, BTreeMap<&'static str, usize>) {
    let mut rules = BTreeMap::new();
    let mut policies = 0;
    let third_party = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}"#;
    let invalid = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Alow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
    for i in 0..150 {
        let doc = if i % 7 == 0 {
            *rules.entry("wildcard-principal").or_insert(0) += 1;
            WILDCARD
        } else if i % 11 == 0 {
            *rules.entry("missing-external-id").or_insert(0) += 1;
            third_party
        } else if i % 13 == 0 {
            *rules.entry("invalid-policy").or_insert(0) += 1;
            invalid
        } else {
            CLEAN
        };
        policies += 1;
        s.write(&format!("corpus/team-{}/sub-{}/role-{i:03}.json", i % 5, i % 3), doc);
    }
    let mut exported = Vec::new();
    for i in 0..50 {
        let (doc, duration) = if i % 9 == 0 {
            *rules.entry("wildcard-principal").or_insert(0) += 1;
            (url_encode(WILDCARD), 3600)
        } else if i % 10 == 0 {
            *rules.entry("excessive-session-duration").or_insert(0) += 1;
            (url_encode(CLEAN), 43200)
        } else {
            (url_encode(CLEAN), 3600)
        };
        policies += 1;
        exported.push(format!(
            r#"{{"RoleName":"r{i}","Arn":"arn:aws:iam::111122223333:role/r{i}","MaxSessionDuration":{duration},"AssumeRolePolicyDocument":"{doc}"}}"#
        ));
    }
    s.write("corpus/exports/gaad.json", format!("{{\"RoleDetailList\":[\n{}\n]}}\n", exported.join(",\n")));
    (policies, rules)
}

#[test]
fn output_is_the_same_whatever_the_thread_count() {
    let s = Scratch::new("determinism");
    let (policies, planted) = generate_corpus(&s);
    assert_eq!(policies, 200);

    let mut outputs = Vec::new();
    for threads in ["1", "1", "1", "4", "4", "4"] {
        let out = s.run_with(&["--format", "json", "corpus"]).env("RAYON_NUM_THREADS", threads).go();
        out.expect(1);
        outputs.push(out);
    }
    let report = outputs[0].json();
    assert_eq!(report["summary"]["policies"], policies);
    assert_eq!(report["summary"]["files"], 151);
    let mut found: BTreeMap<&str, usize> = BTreeMap::new();
    for f in report["findings"].as_array().unwrap() {
        *found.entry(f["rule"].as_str().unwrap()).or_insert(0) += 1;
    }
    assert_eq!(found, planted);
    assert_eq!(report["summary"]["findings"], planted.values().sum::<usize>());
    for (i, out) in outputs.iter().enumerate().skip(1) {
        assert!(out.stdout == outputs[0].stdout, "run {i} differs from run 0\n{}", out.context());
    }
}

// ---------------------------------------------------------------------------
// 10. Odd but valid JSON

/// A file name, its text, and the findings expected of it: rule and the
/// start of the message.
type Case<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str)]);

#[test]
fn odd_but_valid_json_gives_findings_not_crashes() {
    let s = Scratch::new("odd_json");
    let cases: &[Case] = &[
        (
            "action-null.json",
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":null}]}"#,
            &[("invalid-policy", "`Action` must be a string or an array of strings, not null")],
        ),
        (
            "statement-5.json",
            r#"{"Version":"2012-10-17","Statement":5}"#,
            &[("invalid-policy", "`Statement` must be an object or an array, not a number")],
        ),
        (
            "aws-123.json",
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":123},"Action":"sts:AssumeRole"}]}"#,
            &[("invalid-policy", "`AWS` must be a string or an array of strings, not a number")],
        ),
        (
            "key-nul.json",
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Cond\u0000ition":{}}]}"#,
            &[
                ("wildcard-principal", WILDCARD_MESSAGE),
                ("invalid-policy", "`Cond\\u{0}ition` is not a statement element"),
            ],
        ),
        (
            "empty-key.json",
            r#"{"Version":"2012-10-17","Statement":[{"":"","Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}"#,
            &[("invalid-policy", "`` is not a statement element"), ("wildcard-principal", WILDCARD_MESSAGE)],
        ),
        (
            // Escapes that decode to the ordinary text: still a wildcard.
            "escaped.json",
            r#"{"Version":"2012\u002d10-17","Statement":[{"Sid":"\u00e9\ud83d\ude00\n\"\/","Effect":"\u0041llow","Principal":{"\u0041WS":"\u002a"},"Action":"sts:AssumeRole"}]}"#,
            &[("wildcard-principal", WILDCARD_MESSAGE)],
        ),
        (
            "numbers.json",
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"NumericLessThan":{"aws:MultiFactorAuthAge":[1e999999,-0,0.000001E-99999,123456789012345678901234567890]}}}]}"#,
            &[(
                "wildcard-principal",
                "any AWS principal can assume this role: its conditions do not narrow the caller to known principals",
            )],
        ),
        (
            "mixed-principals.json",
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["*",null,1.5,true,{},[]]},"Action":"sts:AssumeRole"}]}"#,
            &[
                ("wildcard-principal", WILDCARD_MESSAGE),
                ("invalid-policy", "`AWS` values must be strings, not null"),
                ("invalid-policy", "`AWS` values must be strings, not a number"),
                ("invalid-policy", "`AWS` values must be strings, not a boolean"),
                ("invalid-policy", "`AWS` values must be strings, not an object"),
                ("invalid-policy", "`AWS` values must be strings, not an array"),
            ],
        ),
        (
            "statement-null.json",
            r#"{"Version":"2012-10-17","Statement":null}"#,
            &[("invalid-policy", "`Statement` must be an object or an array, not null")],
        ),
    ];
    let mut names = Vec::new();
    for (name, text, _) in cases {
        s.write(name, text);
        names.push(*name);
    }
    for (name, text, expected) in cases {
        let out = s.run(&["--format", "concise", name]);
        out.expect(1);
        let findings = out.findings();
        for (rule, message) in *expected {
            assert!(
                findings.iter().any(|f| f.rule == *rule && f.message.starts_with(message)),
                "{name}: no {rule} finding saying {message:?}\n{}",
                out.context()
            );
        }
        // Nothing else than what was expected of each rule.
        for f in &findings {
            assert!(expected.iter().any(|(r, _)| *r == f.rule), "{name}: unexpected {f:?}");
        }
        let wildcards = expected.iter().filter(|(r, _)| *r == "wildcard-principal").count();
        assert_eq!(
            findings.iter().filter(|f| f.rule == "wildcard-principal").count(),
            wildcards,
            "{name}\n{}",
            out.context()
        );
        if wildcards > 0 {
            // The finding points at the `"*"` as written, escapes and all.
            let star = if text.contains(r#""\u002a""#) { r#""\u002a""# } else { r#""*""# };
            let (line, column) = line_col(text, star);
            assert!(
                findings
                    .iter()
                    .any(|f| f.rule == "wildcard-principal" && (f.line, f.column) == (line, column)),
                "{name}: wildcard not at {line}:{column}\n{}",
                out.context()
            );
        }
    }
    // All at once, in every format.
    for format in ["concise", "json", "full", "github"] {
        let mut args = vec!["--format", format];
        args.extend(&names);
        s.run(&args).expect(1);
    }
}

#[test]
fn odd_values_in_an_export_give_findings_not_crashes() {
    let s = Scratch::new("odd_export");
    let durations = [
        ("1e3", "`MaxSessionDuration` must be a whole number of seconds"),
        ("3600.0", "`MaxSessionDuration` must be a whole number of seconds"),
        ("\"3600\"", "`MaxSessionDuration` must be a whole number of seconds"),
        ("null", "`MaxSessionDuration` must be a whole number of seconds"),
        ("123456789012345678901234567890", "`MaxSessionDuration` must be a whole number of seconds"),
        ("-1", "`MaxSessionDuration` is -1 s: IAM accepts 3600 to 43200 s (1 to 12 hours)"),
    ];
    let roles: Vec<String> = durations
        .iter()
        .enumerate()
        .map(|(i, (d, _))| {
            format!(
                r#"{{"RoleName":"r{i}","Arn":"arn:aws:iam::111122223333:role/r{i}","MaxSessionDuration":{d},"AssumeRolePolicyDocument":"{}"}}"#,
                url_encode(CLEAN)
            )
        })
        .chain([
            r#"{"RoleName":null,"Arn":5,"AssumeRolePolicyDocument":null}"#.to_owned(),
            r#"{"RoleName":"s","AssumeRolePolicyDocument":"%7B%zz"}"#.to_owned(),
            r#"{"RoleName":"t","AssumeRolePolicyDocument":[]}"#.to_owned(),
            "7".to_owned(),
        ])
        .collect();
    s.write(
        "gaad.json",
        format!("{{\"RoleDetailList\":[\n{}\n],\"UserDetailList\":5,\"Policies\":null}}", roles.join(",\n")),
    );
    let out = s.run(&["--format", "concise", "gaad.json"]);
    out.expect(1);
    let findings = out.findings();
    for (i, (_, message)) in durations.iter().enumerate() {
        assert!(
            findings.iter().any(|f| f.line == i + 2 && f.rule == "invalid-policy" && f.message == *message),
            "no {message:?} on line {}\n{}",
            i + 2,
            out.context()
        );
    }
    let not_a_policy = |line: usize, found: &str| {
        assert!(
            findings.iter().any(|f| f.line == line
                && f.rule == "invalid-policy"
                && f.message == format!("expected a policy document here, found {found}")),
            "line {line}\n{}",
            out.context()
        );
    };
    not_a_policy(8, "null");
    not_a_policy(9, "a string");
    not_a_policy(10, "an array");
    assert!(findings.iter().all(|f| f.rule == "invalid-policy"), "{}", out.context());
}

#[test]
fn a_json_root_that_is_not_an_object() {
    let s = Scratch::new("non_object_root");
    let roots = [
        ("array.json", "[]"),
        ("string.json", "\"x\""),
        ("number.json", "3"),
        ("null.json", "null"),
        ("true.json", "true"),
        ("policies.json", r#"[{"Statement":[]}]"#),
    ];
    for (name, text) in roots {
        s.write(&format!("roots/{name}"), text);
    }
    for (name, _) in roots {
        let path = format!("roots/{name}");
        let out = s.run(&["--format", "concise", &path]);
        // Valid JSON that holds no IAM: skipped and counted, named or not.
        out.expect(0).assert_summary("No findings in 0 policies, 0 files; 1 file skipped (not IAM).");
    }
    // Met while walking, they are skipped.
    let out = s.run(&["--format", "concise", "roots"]);
    out.expect(0).assert_summary("No findings in 0 policies, 0 files; 6 files skipped (not IAM).");
}

#[test]
fn mutated_policies_never_crash_trustlint() {
    // Deterministic byte-level mutations of real documents: deletions,
    // insertions of JSON-significant text, truncations and duplications.
    let s = Scratch::new("mutations");
    let gaad = format!(
        r#"{{"RoleDetailList":[{{"RoleName":"r","Arn":"arn:aws:iam::111122223333:role/r","MaxSessionDuration":43200,"AssumeRolePolicyDocument":"{}"}},{{"RoleName":"s","AssumeRolePolicyDocument":{}}}]}}"#,
        url_encode(PRETTY_WILDCARD),
        PRETTY_WILDCARD
    );
    let seeds = [PRETTY_WILDCARD.to_owned(), gaad, CLEAN.to_owned()];
    let pieces = [
        "{",
        "}",
        "[",
        "]",
        "\"",
        ",",
        ":",
        "\\",
        "%",
        "%7B",
        "%22",
        "\\u",
        "\\ud83d",
        "*",
        "0",
        "-",
        "1e",
        ".",
        "null",
        "\n",
        "\u{e9}",
        "\u{1F600}",
        "\"Statement\"",
        "\"Principal\"",
        "\"AWS\"",
        "\"Condition\"",
        "{\"AWS\":\"*\"}",
    ];
    let mut rng = Lcg(0x5EED);
    for i in 0..400 {
        let mut text: Vec<char> = seeds[rng.below(seeds.len())].chars().collect();
        for _ in 0..=rng.below(5) {
            let at = rng.below(text.len() + 1);
            match rng.below(5) {
                0 if at < text.len() => {
                    text.remove(at);
                }
                1 => text.truncate(at),
                2 if !text.is_empty() => {
                    let from = rng.below(text.len());
                    let len = 1 + rng.below(40);
                    let copy: Vec<char> = text[from..(from + len).min(text.len())].to_vec();
                    text.splice(at..at, copy);
                }
                _ => {
                    let piece = pieces[rng.below(pieces.len())];
                    text.splice(at..at, piece.chars());
                }
            }
        }
        s.write(&format!("m/{i:03}.json"), text.into_iter().collect::<String>());
    }
    for format in ["concise", "json", "full", "github"] {
        let walked = s.run(&["--format", format, "m"]);
        walked.expect(1);
        let named = s.run(&["--format", format, "m/*.json"]);
        assert!(!named.stderr.contains("panicked"), "{}", named.context());
        assert!(matches!(named.code, Some(1 | 2)), "{}", named.context());
        if format == "json" {
            let report = walked.json();
            assert_eq!(report["summary"]["findings"], report["findings"].as_array().unwrap().len());
        }
    }
}

#[cfg(unix)]
#[test]
fn odd_file_names_are_reported_as_they_are() {
    use std::os::unix::ffi::OsStrExt;
    let s = Scratch::new("odd_names");
    s.write("dir/-dash.json", WILDCARD);
    s.write("dir/sp ace:colon.json", WILDCARD);
    s.write("dir/\u{fc}ber.json", WILDCARD);
    let latin1 = s.path("dir").join(std::ffi::OsStr::from_bytes(b"caf\xE9.json"));
    std::fs::write(&latin1, WILDCARD).unwrap();
    let out = s.run(&["--format", "concise", "dir"]);
    out.expect(1).assert_summary("Found 4 findings (4 errors) in 4 policies, 4 files.");
    let at = |file: &str| finding(file, 1, 75, "wildcard-principal", WILDCARD_MESSAGE);
    assert_eq!(
        out.findings(),
        [
            at("dir/-dash.json"),
            // Not UTF-8: shown with a replacement character.
            at("dir/caf\u{fffd}.json"),
            at("dir/sp ace:colon.json"),
            at("dir/\u{fc}ber.json"),
        ]
    );
    for format in ["json", "full", "github"] {
        let out = s.run(&["--format", format, "dir"]);
        out.expect(1);
        assert!(out.stdout().contains("caf\u{fffd}.json"), "{}", out.context());
    }
    let json = s.run(&["--format", "json", "dir"]);
    assert_eq!(json.json()["summary"]["findings"], 4);
    // Named explicitly, too.
    let out = Run::new(&s.root, &["--format", "concise", "--", "dir/-dash.json"]).go();
    out.expect(1);
    assert_eq!(out.findings(), [at("dir/-dash.json")]);
}

#[test]

fn control_characters_from_the_input_are_not_printed_raw() {
    let s = Scratch::new("control_chars");
    s.write(
        "inj.json",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","X\n\u001b[31mfake.json:1:1: error[wildcard-principal] forged\u0000":{}}]}"#,
    );
    // A file name with a newline in it.
    s.write("names/new\nline.json", WILDCARD);
    for format in ["concise", "full"] {
        let out = s.run(&["--format", format, "inj.json", "names"]);
        out.expect(1);
        let text = out.stdout();
        assert!(
            !text.chars().any(|c| c.is_control() && c != '\n'),
            "{format}: raw control characters in the output\n{text:?}"
        );
        if format == "concise" {
            // Three findings and the summary: four lines.
            assert_eq!(text.lines().count(), 4, "{text:?}");
        }
    }
}

#[test]

fn full_output_on_a_minified_export_stays_small() {
    let s = Scratch::new("minified");
    let roles: Vec<String> = (0..10_000)
        .map(|i| {
            // Both within the first 65,535 columns (see the test below).
            let doc = if i == 10 || i == 100 { WILDCARD } else { CLEAN };
            format!(r#"{{"RoleName":"r{i}","Arn":"arn:aws:iam::111122223333:role/r{i}","AssumeRolePolicyDocument":{doc}}}"#)
        })
        .collect();
    let text = format!(r#"{{"RoleDetailList":[{}]}}"#, roles.join(","));
    let size = text.len();
    s.write("gaad.json", &text);
    let out = s.run(&["--format", "full", "gaad.json"]);
    out.expect(1);
    // Actual: ~2 × the file's size (2 findings × the one line).
    assert!(
        out.stdout.len() < 20_000,
        "{} bytes of output for 2 findings in a {size}-byte file",
        out.stdout.len()
    );
}

#[test]

fn full_output_survives_a_finding_past_column_65535() {
    let s = Scratch::new("wide_column");
    // A minified export, as SDKs and `jq -c` write them: one ~230 KB line.
    let roles: Vec<String> = (0..1000)
        .map(|i| {
            let doc = if i == 900 { WILDCARD } else { CLEAN };
            format!(r#"{{"RoleName":"r{i}","Arn":"arn:aws:iam::111122223333:role/r{i}","AssumeRolePolicyDocument":{doc}}}"#)
        })
        .collect();
    let text = format!(r#"{{"RoleDetailList":[{}]}}"#, roles.join(","));
    s.write("gaad.json", &text);
    // The same policy with 70,000 spaces before `"Statement"`.
    s.write(
        "wide.json",
        WILDCARD.replacen(r#""Statement""#, &format!(r#"{}"Statement""#, " ".repeat(70_000)), 1),
    );

    let concise = s.run(&["--format", "concise", "gaad.json", "wide.json"]);
    concise.expect(1);
    let (_, column) = line_col(&text, &format!(r#"role/r900","AssumeRolePolicyDocument":{WILDCARD}"#));
    let column = column + r#"role/r900","AssumeRolePolicyDocument":"#.len() + 74;
    assert!(column > 65_535);
    assert_eq!(
        concise.findings(),
        [
            finding("gaad.json", 1, column, "wildcard-principal", WILDCARD_MESSAGE),
            finding("wide.json", 1, 70_075, "wildcard-principal", WILDCARD_MESSAGE),
        ]
    );
    // Actual: exit 101, "panicked at …/miette-7.6.0/src/handlers/graphical.rs:1159:22:
    // Formatting argument out of range".
    for file in ["gaad.json", "wide.json"] {
        let out = s.run(&["--format", "full", file]);
        out.expect(1);
        assert!(out.stdout().contains(WILDCARD_MESSAGE), "{}", out.context());
    }
}

// ---------------------------------------------------------------------------
// 11. Standard input

#[test]
fn dash_reads_standard_input() {
    let s = Scratch::new("stdin");
    let out = s.run_with(&["--format", "concise", "-"]).stdin(WILDCARD).go();
    out.expect(1).assert_summary("Found 1 finding (1 error) in 1 policy, 1 file.");
    assert_eq!(out.findings(), [finding("<stdin>", 1, 75, "wildcard-principal", WILDCARD_MESSAGE)]);

    let out =
        s.run_with(&["--format", "concise", "--stdin-filename", "roles/x.json", "-"]).stdin(WILDCARD).go();
    out.expect(1);
    assert_eq!(out.findings(), [finding("roles/x.json", 1, 75, "wildcard-principal", WILDCARD_MESSAGE)]);

    // UTF-16 from PowerShell's pipeline.
    let out = s
        .run_with(&["--format", "concise", "-"])
        .stdin(utf16le(&PRETTY_WILDCARD.replace('\n', "\r\n"), true))
        .go();
    out.expect(1);
    assert_eq!(out.findings(), [finding("<stdin>", 6, 63, "wildcard-principal", WILDCARD_MESSAGE)]);

    // Nothing at all on standard input.
    let out = s.run_with(&["--format", "concise", "-"]).stdin("").go();
    out.expect(1);
    assert_eq!(
        out.findings(),
        [finding(
            "<stdin>",
            1,
            1,
            "invalid-policy",
            "invalid JSON: the file is empty: expected a JSON value"
        )]
    );

    // Binary on standard input.
    let out = s.run_with(&["--format", "concise", "-"]).stdin(binary_bytes(5, 1000)).go();
    out.expect(2).assert_stderr(
        "`<stdin>` is not an IAM policy or AWS CLI export: not a text file: invalid UTF-8 at byte 7",
    );
}

// ---------------------------------------------------------------------------
// 12. A closed pipe

#[test]
fn a_closed_output_pipe_is_not_a_crash() {
    let s = Scratch::new("closed_pipe");
    // Enough findings that the report overflows a pipe's buffer.
    let roles: Vec<String> = (0..3000)
        .map(|i| {
            format!(
                r#"{{"RoleName":"r{i}","Arn":"arn:aws:iam::111122223333:role/r{i}","AssumeRolePolicyDocument":{WILDCARD}}}"#
            )
        })
        .collect();
    s.write("dir/gaad.json", format!("{{\"RoleDetailList\":[\n{}\n]}}", roles.join(",\n")));
    for format in ["concise", "json", "full", "github"] {
        for read_first in [false, true] {
            let mut child = Command::new(env!("CARGO_BIN_EXE_trustlint"))
                .args(["check", "--no-config", "--format", format, "dir"])
                .current_dir(&s.root)
                .env_remove("COLUMNS")
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            let mut pipe = child.stdout.take().unwrap();
            if read_first {
                // `| head -c 1`
                let mut one = [0u8; 1];
                pipe.read_exact(&mut one).unwrap();
            }
            drop(pipe);
            let mut stderr = child.stderr.take().unwrap();
            let started = Instant::now();
            let status = loop {
                if let Some(status) = child.try_wait().unwrap() {
                    break status;
                }
                if started.elapsed() > TIMEOUT {
                    let _ = child.kill();
                    panic!("{format}: hung writing to a closed pipe");
                }
                thread::sleep(Duration::from_millis(5));
            };
            let mut err = String::new();
            stderr.read_to_string(&mut err).unwrap();
            assert!(!err.contains("panicked"), "{format}: {err}");
            assert_eq!(err, "", "{format}: {err}");
            // A closed pipe does not pass a failing gate (`set -o pipefail`).
            // Actual: exit code 0.
            assert_eq!(status.code(), Some(1), "{format}, read_first={read_first}: {err}");
        }
    }
}

/// Runs `trustlint ARGS…` in `dir` with its standard output a pipe that is
/// closed before anything is read (`trustlint … | true`); returns the exit
/// code and standard error.
fn run_into_closed_pipe(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_trustlint"))
        .args(args)
        .current_dir(dir)
        .env_remove("COLUMNS")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let mut stderr = child.stderr.take().unwrap();
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > TIMEOUT {
            let _ = child.kill();
            panic!("{args:?}: hung writing to a closed pipe");
        }
        thread::sleep(Duration::from_millis(5));
    };
    let mut err = String::new();
    stderr.read_to_string(&mut err).unwrap();
    (status.code(), err)
}

#[cfg(unix)]
#[test]
fn a_closed_pipe_keeps_the_exit_code_and_the_input_errors() {
    let s = Scratch::new("closed_pipe_errors");
    let roles: Vec<String> = (0..3000)
        .map(|i| {
            format!(
                r#"{{"RoleName":"r{i}","Arn":"arn:aws:iam::111122223333:role/r{i}","AssumeRolePolicyDocument":{WILDCARD}}}"#
            )
        })
        .collect();
    s.write("dir/gaad.json", format!("{{\"RoleDetailList\":[\n{}\n]}}", roles.join(",\n")));
    s.symlink("nowhere.json", "dangling.json");
    // Actual: exit code 0 and no word of the unreadable input.
    for format in ["concise", "json", "full", "sarif"] {
        let (code, err) = run_into_closed_pipe(
            &s.root,
            &["check", "--no-config", "--format", format, "dir", "dangling.json"],
        );
        assert_eq!(code, Some(2), "{format}: {err}");
        assert!(squash(&err).contains(&squash("cannot read `dangling.json`")), "{format}: {err}");
        assert!(!err.contains("panicked"), "{format}: {err}");
    }
    for command in ["graph", "paths"] {
        let mut args = vec![command, "--no-config", "dir"];
        if command == "paths" {
            args.extend(["--to", "r1"]);
        }
        let (code, err) = run_into_closed_pipe(&s.root, &args);
        assert_eq!(code, Some(0), "{command}: {err}");
        args.push("dangling.json");
        let (code, err) = run_into_closed_pipe(&s.root, &args);
        assert_eq!(code, Some(2), "{command}: {err}");
        assert!(squash(&err).contains(&squash("cannot read `dangling.json`")), "{command}: {err}");
    }
}

// ---------------------------------------------------------------------------
// 13. Input size limit

#[test]
fn endless_standard_input_is_refused_as_soon_as_it_passes_the_limit() {
    // Actual: read to 4 GiB (8.4 GB of memory) before it was refused.
    let s = Scratch::new("endless_stdin");
    let zero = std::fs::File::open("/dev/zero");
    let Ok(zero) = zero else {
        eprintln!("skipped: no /dev/zero");
        return;
    };
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_trustlint"))
        .args(["check", "--no-config", "--format", "concise", "--max-file-size", "1M", "-"])
        .current_dir(&s.root)
        .stdin(Stdio::from(zero))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        squash(&stderr).contains(&squash(
            "cannot read `<stdin>`: larger than the input size limit of 1 MiB (`--max-file-size`)"
        )),
        "{stderr}"
    );
    assert!(started.elapsed() < Duration::from_secs(20), "{:?}", started.elapsed());
}

#[test]
fn a_file_over_the_size_limit_is_refused_before_it_is_read() {
    let s = Scratch::new("size_limit");
    // A sparse file of 600 MiB: refused by its size, never read.
    let big = std::fs::File::create(s.path("big.json")).unwrap();
    big.set_len(600 << 20).unwrap();
    s.write("small.json", WILDCARD);
    let out = s.run(&["--format", "concise", "big.json", "small.json"]);
    out.expect(2).assert_stderr(
        "cannot read `big.json`: larger than the input size limit of 512 MiB (`--max-file-size`)",
    );
    assert_eq!(out.findings(), [finding("small.json", 1, 75, "wildcard-principal", WILDCARD_MESSAGE)]);
    assert!(out.elapsed < Duration::from_secs(20), "{:?}", out.elapsed);

    let out = s.run(&["--format", "concise", "--max-file-size", "100", "small.json"]);
    out.expect(2).assert_stderr("larger than the input size limit of 100 bytes (`--max-file-size`)");
    let out = s.run(&["--format", "concise", "--max-file-size", "1k", "small.json"]);
    out.expect(1);
    for bad in ["0", "lots", "5G", "12X"] {
        let out = s.run(&["--max-file-size", bad, "small.json"]);
        out.expect(2).assert_stderr("--max-file-size");
    }
}

// ---------------------------------------------------------------------------
// 14. `graph` and `paths` on inputs that fail

#[test]
fn graph_and_paths_report_an_unparseable_file_named_explicitly() {
    // Actual: an empty graph, exit code 0, nothing said.
    let s = Scratch::new("graph_unparseable");
    s.write("bad.json", "{\"Version\": \"2012-10-17\",\n  \"Statement\": [\n");
    s.write("good.json", CLEAN);
    for args in [
        &["graph", "--no-config", "bad.json"][..],
        &["graph", "--no-config", "--format", "json", "good.json", "bad.json"],
        &["paths", "--no-config", "--to", "good", "good.json", "bad.json"],
    ] {
        let out =
            Command::new(env!("CARGO_BIN_EXE_trustlint")).args(args).current_dir(&s.root).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("error: bad.json:3:1: invalid JSON"), "{args:?}: {stderr}");
    }
    let out = Command::new(env!("CARGO_BIN_EXE_trustlint"))
        .args(["graph", "--no-config", "good.json"])
        .current_dir(&s.root)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}

// ---------------------------------------------------------------------------
// 15. Unreadable directories

#[cfg(unix)]
#[test]
fn an_unreadable_subdirectory_in_a_walk_is_named() {
    use std::os::unix::fs::PermissionsExt;
    // Actual: skipped in silence.
    let s = Scratch::new("unreadable_dir");
    s.write("walk/p.json", WILDCARD);
    s.write("walk/secret/q.json", WILDCARD);
    let secret = s.path("walk/secret");
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o000)).unwrap();
    // Root (or CAP_DAC_READ_SEARCH) reads it anyway: then run as `nobody`
    // through `setpriv` where there is one, and skip the test otherwise.
    let mut run = s.run_with(&["--format", "concise", "walk"]);
    if std::fs::read_dir(&secret).is_ok() {
        let as_nobody = ["--reuid=65534", "--regid=65534", "--clear-groups"];
        let works = Command::new("setpriv").args(as_nobody).arg("true").status().is_ok_and(|st| st.success());
        if !works {
            std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o755)).unwrap();
            eprintln!("skipped: permissions do not restrict this user (root), and setpriv is not available");
            return;
        }
        let mut cmd = Command::new("setpriv");
        cmd.args(as_nobody)
            .arg(env!("CARGO_BIN_EXE_trustlint"))
            .args(["check", "--no-config", "--format", "concise", "walk"])
            .current_dir(&s.root)
            .env("NO_COLOR", "1");
        run.cmd = cmd;
    }
    let out = run.go();
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o755)).unwrap();
    out.expect(1).assert_stderr("warning: cannot read directory `walk/secret`, skipped: permission denied");
    assert_eq!(out.findings(), [finding("walk/p.json", 1, 75, "wildcard-principal", WILDCARD_MESSAGE)]);
}

/// A standard error nobody reads any more (`… 2>&1 >report | head -1` after
/// `head` has exited) loses the messages but not the exit status.
#[test]
fn a_broken_standard_error_keeps_the_exit_status() {
    let s = Scratch::new("broken_stderr");
    s.write("dir/public.json", WILDCARD);
    s.write("dir/broken.json", r#"{"Version": "2012-10-17", "Statement": ["#);
    s.write(
        "unused.toml",
        "[[suppress]]\npath = \"elsewhere.json\"\nrule = \"wildcard-principal\"\nreason = \"r\"\n",
    );
    for (args, expected) in [
        // An input error: exit 2.
        (&["check", "--no-config", "missing.json"][..], 2),
        // Findings, one of them an unparseable file: exit 1.
        (&["check", "--no-config", "dir"][..], 1),
        // Findings, and a warning on standard error: exit 1.
        (&["check", "--config", "unused.toml", "dir/public.json"][..], 1),
        (&["graph", "--no-config", "dir"][..], 2),
    ] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = Command::new(env!("CARGO_BIN_EXE_trustlint"))
            .args(args)
            .current_dir(&s.root)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(writer)
            .status()
            .unwrap();
        // Actual: exit code 101, a panic in `eprintln!`.
        assert_eq!(out.code(), Some(expected), "{args:?}");
    }
}
