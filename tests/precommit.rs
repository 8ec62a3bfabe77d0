//! trustlint as a pre-commit hook: `.pre-commit-hooks.yaml` is installed by
//! the real `pre-commit` tool into a throwaway git repository, blocks a commit
//! that adds a wildcard trust, lets the corrected commit through, and does not
//! let an untracked bad file block an unrelated commit.
//!
//! `pre-commit` comes from `PATH`, or else is installed from the Python
//! Package Index into a virtual environment under `target/`. The hook is
//! built from a snapshot of this crate's working tree (uncommitted and new
//! files included), so the test checks the code as it is, not as it was last
//! committed. Everything slow is cached under `target/`: the virtual
//! environment, pre-commit's store (`PRE_COMMIT_HOME`) and cargo's build
//! directory for the hook, so only the first run, and a run after a change,
//! compiles trustlint in release.

mod common;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Instant;

use common::Scratch;

/// Any AWS principal may assume the role.
const WILDCARD_TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}"#;

/// EC2, on behalf of one account only.
const EC2_TRUST: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Principal": {"Service": "ec2.amazonaws.com"},
    "Action": "sts:AssumeRole",
    "Condition": {"StringEquals": {"aws:SourceAccount": "111122223333"}}
  }]
}
"#;

/// Lambda, on behalf of one account only.
const LAMBDA_TRUST: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Principal": {"Service": "lambda.amazonaws.com"},
    "Action": "sts:AssumeRole",
    "Condition": {"StringEquals": {"aws:SourceAccount": "111122223333"}}
  }]
}
"#;

const INSTALL_HINT: &str = "install pre-commit (`pipx install pre-commit` or `pip install pre-commit`, \
     see https://pre-commit.com/#install), or make `python3 -m venv` work \
     (Debian and Ubuntu: `apt-get install python3-venv`) so that this test can install it \
     under target/";

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn target_dir() -> PathBuf {
    manifest_dir().join("target")
}

/// A command whose environment does not leak the caller's git or pre-commit
/// state (as when the tests themselves run from a git hook).
fn command(program: impl AsRef<OsStr>) -> Command {
    let mut cmd = Command::new(program);
    for var in [
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "GIT_OBJECT_DIRECTORY",
        "GIT_ALTERNATE_OBJECT_DIRECTORIES",
        "GIT_PREFIX",
        "SKIP",
        "PRE_COMMIT",
        "PRE_COMMIT_ALLOW_NO_CONFIG",
    ] {
        cmd.env_remove(var);
    }
    cmd.stdin(Stdio::null());
    cmd
}

fn output(cmd: &mut Command) -> Output {
    cmd.output().unwrap_or_else(|e| panic!("{cmd:?} cannot be started: {e}"))
}

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// Runs `cmd`, which must succeed; returns its standard output.
fn ok(cmd: &mut Command) -> String {
    let out = output(cmd);
    assert!(out.status.success(), "{cmd:?} failed ({}):\n{}", out.status, text(&out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn bin_dir(venv: &Path) -> PathBuf {
    venv.join(if cfg!(windows) { "Scripts" } else { "bin" })
}

fn works(program: &Path) -> bool {
    command(program).arg("--version").output().is_ok_and(|o| o.status.success())
}

/// The `pre-commit` on `PATH`, or one installed under `target/`.
fn pre_commit() -> PathBuf {
    let on_path = PathBuf::from("pre-commit");
    if works(&on_path) {
        return on_path;
    }
    let venv = target_dir().join("precommit-venv");
    let exe = bin_dir(&venv).join("pre-commit");
    if works(&exe) {
        return exe;
    }
    eprintln!("pre-commit is not on PATH: installing it into {}", venv.display());
    let python = ["python3", "python"]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| works(p))
        .unwrap_or_else(|| panic!("pre-commit is missing and Python 3 is not found: {INSTALL_HINT}"));
    let made = output(command(&python).args(["-m", "venv", "--clear"]).arg(&venv));
    assert!(
        made.status.success(),
        "pre-commit is missing and `{} -m venv` failed: {INSTALL_HINT}\n{}",
        python.display(),
        text(&made)
    );
    let installed = output(
        command(bin_dir(&venv).join("python"))
            .args(["-m", "pip", "install", "--quiet", "--no-cache-dir"])
            .args(["--disable-pip-version-check", "pre-commit"]),
    );
    assert!(
        installed.status.success() && works(&exe),
        "pre-commit is missing and could not be installed from PyPI: {INSTALL_HINT}\n{}",
        text(&installed)
    );
    exe
}

/// A git repository under `target/` holding one commit: the crate's working
/// tree as `git add --all` would see it. The commit's identity and date are
/// fixed, so an unchanged tree gives the same revision, and pre-commit reuses
/// the hook it built for it. `index` is a file of the caller's own, so that
/// test runs in parallel do not share one. Returns the repository and the
/// revision.
fn snapshot(index: &Path) -> (PathBuf, String) {
    let repo = target_dir().join("precommit-snapshot.git");
    if !repo.join("HEAD").exists() {
        ok(command("git").args(["init", "--quiet", "--bare"]).arg(&repo));
    }
    let git = || {
        let mut cmd = command("git");
        cmd.arg("--git-dir")
            .arg(&repo)
            .arg("--work-tree")
            .arg(manifest_dir())
            .current_dir(manifest_dir())
            .env("GIT_INDEX_FILE", index);
        cmd
    };
    // Tracked and untracked files, less what the crate's repository ignores.
    let listed = ok(command("git")
        .args(["ls-files", "-z", "--cached", "--others", "--exclude-standard"])
        .current_dir(manifest_dir()));
    let mut files: Vec<&str> = listed
        .split('\0')
        .filter(|f| !f.is_empty() && manifest_dir().join(f).symlink_metadata().is_ok())
        .collect();
    files.sort_unstable();
    files.dedup();
    ok(git().args(["read-tree", "--empty"]));
    let mut add = git()
        .args(["update-index", "--add", "-z", "--stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("git update-index starts");
    std::io::Write::write_all(add.stdin.as_mut().unwrap(), files.join("\0").as_bytes())
        .expect("the file list is written to git");
    let added = add.wait_with_output().unwrap();
    assert!(added.status.success(), "git update-index: {}", text(&added));
    let tree = ok(git().arg("write-tree")).trim().to_owned();
    let rev = ok(git()
        .args(["commit-tree", &tree, "-m", "trustlint working tree"])
        .env("GIT_AUTHOR_NAME", "trustlint")
        .env("GIT_AUTHOR_EMAIL", "trustlint@example.com")
        .env("GIT_AUTHOR_DATE", "2000-01-01T00:00:00Z")
        .env("GIT_COMMITTER_NAME", "trustlint")
        .env("GIT_COMMITTER_EMAIL", "trustlint@example.com")
        .env("GIT_COMMITTER_DATE", "2000-01-01T00:00:00Z"))
    .trim()
    .to_owned();
    ok(git().args(["update-ref", "refs/heads/main", &rev]));
    (repo, rev)
}

/// The throwaway repository, with the environment every command in it gets.
struct Sandbox {
    dir: PathBuf,
    pre_commit: PathBuf,
    git_config: PathBuf,
}

impl Sandbox {
    fn cmd(&self, program: impl AsRef<OsStr>) -> Command {
        let mut cmd = command(program);
        cmd.current_dir(&self.dir)
            // Neither the user's git configuration (hooksPath, signing,
            // templates) nor the system's applies.
            .env("GIT_CONFIG_GLOBAL", &self.git_config)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("PRE_COMMIT_HOME", target_dir().join("precommit-home"))
            .env("PRE_COMMIT_COLOR", "never")
            // pre-commit builds the hook with `cargo install`, which keeps
            // its build here and so compiles only what changed.
            .env("CARGO_TARGET_DIR", target_dir().join("precommit-build"))
            // The hook checks two small files here: build it quickly rather
            // than optimised (users' pre-commit builds with the real profile).
            .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
            .env("CARGO_PROFILE_RELEASE_DEBUG", "false")
            .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "256")
            .env("CARGO_TERM_COLOR", "never");
        cmd
    }

    fn git(&self, args: &[&str]) -> Command {
        let mut cmd = self.cmd("git");
        cmd.args(args);
        cmd
    }

    fn pre_commit(&self, args: &[&str]) -> Command {
        let mut cmd = self.cmd(&self.pre_commit);
        cmd.args(args);
        cmd
    }

    fn write(&self, path: &str, contents: &str) {
        let path = self.dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
    }

    /// trustlint as built for this test run, on the whole repository.
    fn trustlint_check(&self) -> Output {
        output(self.cmd(env!("CARGO_BIN_EXE_trustlint")).arg("check"))
    }

    fn commits(&self) -> usize {
        ok(&mut self.git(&["rev-list", "--count", "HEAD"])).trim().parse().unwrap()
    }
}

#[test]
fn pre_commit_hook_blocks_wildcard_trust() {
    let started = Instant::now();
    let lap = |what: &str| eprintln!("[{:>6.1}s] {what}", started.elapsed().as_secs_f64());

    let pre_commit = pre_commit();
    lap(&format!("pre-commit: {}", ok(command(&pre_commit).arg("--version")).trim()));
    let scratch = Scratch::new("precommit");
    let (hook_repo, rev) = snapshot(&scratch.0.join("snapshot-index"));
    lap(&format!("snapshot of the working tree: {rev}"));

    let sandbox =
        Sandbox { dir: scratch.0.join("repo"), pre_commit, git_config: scratch.0.join("gitconfig") };
    std::fs::write(&sandbox.git_config, "").unwrap();
    std::fs::create_dir_all(&sandbox.dir).unwrap();
    ok(&mut sandbox.git(&["init", "--quiet"]));
    ok(&mut sandbox.git(&["config", "user.name", "trustlint test"]));
    ok(&mut sandbox.git(&["config", "user.email", "test@example.com"]));

    sandbox.write(
        ".pre-commit-config.yaml",
        &format!(
            "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: trustlint\n",
            // A YAML single-quoted scalar: any path is taken literally.
            format_args!("'{}'", hook_repo.display().to_string().replace('\'', "''"))
        ),
    );
    sandbox.write("roles/worker.json", LAMBDA_TRUST);
    let clean = sandbox.trustlint_check();
    assert!(clean.status.success(), "the first commit is clean:\n{}", text(&clean));
    ok(&mut sandbox.git(&["add", "--all"]));
    ok(&mut sandbox.git(&["commit", "--quiet", "-m", "A worker role"]));

    ok(&mut sandbox.pre_commit(&["install"]));
    ok(&mut sandbox.pre_commit(&["install-hooks"]));
    lap("hook installed (built on the first run and after changes)");
    // Drop what earlier runs built for other revisions of the crate.
    ok(&mut sandbox.pre_commit(&["gc"]));

    // A file trustlint does not read: the hook does not run.
    sandbox.write("NOTES.txt", "Roles live in roles/.\n");
    ok(&mut sandbox.git(&["add", "NOTES.txt"]));
    let skipped = ok(&mut sandbox.pre_commit(&["run"]));
    assert!(skipped.contains("Skipped"), "{skipped}");
    ok(&mut sandbox.git(&["commit", "--quiet", "-m", "Notes"]));
    assert_eq!(sandbox.commits(), 2);
    lap("a commit of other files skips the hook");

    // A role anybody can assume: the hook fails, and so does the commit.
    sandbox.write("roles/public.json", WILDCARD_TRUST);
    ok(&mut sandbox.git(&["add", "roles/public.json"]));
    let run = output(&mut sandbox.pre_commit(&["run"]));
    let said = text(&run);
    assert_eq!(run.status.code(), Some(1), "the hook fails:\n{said}");
    assert!(said.contains("wildcard-principal"), "{said}");
    assert!(said.contains("roles/public.json"), "{said}");
    let commit = output(&mut sandbox.git(&["commit", "-m", "A public role"]));
    let said = text(&commit);
    assert!(!commit.status.success(), "the commit is blocked:\n{said}");
    assert!(said.contains("wildcard-principal"), "{said}");
    assert_eq!(sandbox.commits(), 2, "nothing was committed");
    lap("a wildcard trust fails the hook and blocks the commit");

    // Trust narrowed to one service and one account: the commit goes through.
    sandbox.write("roles/public.json", EC2_TRUST);
    let clean = sandbox.trustlint_check();
    assert!(clean.status.success(), "the corrected policy is clean:\n{}", text(&clean));
    ok(&mut sandbox.git(&["add", "roles/public.json"]));
    let passed = ok(&mut sandbox.pre_commit(&["run"]));
    assert!(passed.contains("Passed"), "{passed}");
    let commit = output(&mut sandbox.git(&["commit", "-m", "An EC2 role"]));
    let said = text(&commit);
    assert!(commit.status.success(), "the commit goes through:\n{said}");
    assert!(said.contains("Passed"), "{said}");
    assert_eq!(sandbox.commits(), 3);
    lap("the corrected trust passes the hook and is committed");

    // A bad draft that is never staged does not block an unrelated commit:
    // the hook checks the files the commit contains, not the work tree.
    sandbox.write("drafts/open.json", WILDCARD_TRUST);
    let whole_tree = sandbox.trustlint_check();
    assert_eq!(whole_tree.status.code(), Some(1), "the draft alone fails a whole-tree check");
    sandbox.write("roles/batch.json", LAMBDA_TRUST);
    ok(&mut sandbox.git(&["add", "roles/batch.json"]));
    let commit = output(&mut sandbox.git(&["commit", "-m", "A batch role"]));
    let said = text(&commit);
    assert!(commit.status.success(), "an untracked draft does not block the commit:\n{said}");
    assert!(said.contains("Passed"), "the hook ran on the staged role: {said}");
    assert!(!said.contains("drafts/open.json"), "{said}");
    assert_eq!(sandbox.commits(), 4);
    let status = ok(&mut sandbox.git(&["status", "--porcelain", "--untracked-files=all"]));
    assert_eq!(status.trim(), "?? drafts/open.json", "the draft is left as it was");
    lap("an untracked bad file does not block an unrelated commit");
}
