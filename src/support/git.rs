//! Reading a git repository through the `git` program: where the work tree
//! is, what a revision names, the files of a tree (written into a directory
//! of our own), and which files a change renamed. Nothing here writes to the
//! work tree or the index: only plumbing commands are run, with optional
//! locks turned off.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A git work tree.
#[derive(Debug, Clone)]
pub struct Repo {
    /// The top of the work tree, as git names it.
    pub top: PathBuf,
}

/// A file of a tree: its path from the top of the repository, its mode and
/// its object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeEntry {
    pub path: String,
    pub mode: String,
    pub oid: String,
}

/// `git` with `args`, run in `dir`, never taking the index lock.
fn git(dir: &Path) -> Command {
    let mut cmd = Command::new("git");
    cmd.current_dir(dir).env("GIT_OPTIONAL_LOCKS", "0").env("GIT_LITERAL_PATHSPECS", "1");
    cmd.stdin(Stdio::null());
    cmd
}

/// Runs `cmd` and gives back its standard output, or git's own message.
fn output(mut cmd: Command) -> Result<Vec<u8>, String> {
    let out = cmd.output().map_err(|e| format!("cannot run `git`: {e}"))?;
    if out.status.success() {
        Ok(out.stdout)
    } else {
        let msg = String::from_utf8_lossy(&out.stderr);
        let msg = msg.lines().find(|l| !l.trim().is_empty()).unwrap_or("git failed");
        Err(msg.trim().trim_start_matches("fatal: ").to_owned())
    }
}

impl Repo {
    /// The work tree that holds `dir`.
    ///
    /// # Errors
    /// When `dir` is in no git work tree (git's message), or git cannot run.
    pub fn discover(dir: &Path) -> Result<Self, String> {
        let mut cmd = git(dir);
        cmd.args(["rev-parse", "--show-toplevel"]);
        let out = output(cmd)?;
        let top = String::from_utf8_lossy(&out).trim_end_matches(['\n', '\r']).to_owned();
        if top.is_empty() {
            return Err("not inside a work tree".into());
        }
        let top = PathBuf::from(top);
        Ok(Self { top: std::fs::canonicalize(&top).unwrap_or(top) })
    }

    /// The commit `rev` names (any commit-ish), as a full object id.
    ///
    /// # Errors
    /// An unknown revision.
    pub fn resolve(&self, rev: &str) -> Result<String, String> {
        if rev.starts_with('-') {
            return Err(format!("`{rev}` is not a revision"));
        }
        let mut cmd = git(&self.top);
        cmd.args(["rev-parse", "--verify", "--quiet", "--end-of-options", &format!("{rev}^{{commit}}")]);
        match output(cmd) {
            Ok(out) => Ok(String::from_utf8_lossy(&out).trim().to_owned()),
            Err(_) => Err(format!("unknown revision `{rev}`")),
        }
    }

    /// The files under `paths` (from the top; `""` for everything) in the
    /// tree of `commit`: everything below each path when `recursive`, else
    /// only the files directly in it (a path that is a file is itself).
    ///
    /// # Errors
    /// When git fails.
    pub fn list(&self, commit: &str, paths: &[String], recursive: bool) -> Result<Vec<TreeEntry>, String> {
        let mut cmd = git(&self.top);
        cmd.args(["ls-tree", "-z", "--full-tree"]);
        if recursive {
            cmd.arg("-r");
        }
        cmd.arg(commit).arg("--");
        for p in paths {
            // A directory's own entry lists what is in it only with a slash.
            if p.is_empty() {
                cmd.arg(".");
            } else if recursive {
                cmd.arg(p);
            } else {
                cmd.arg(format!("{p}/"));
            }
        }
        let out = output(cmd)?;
        let mut entries = Vec::new();
        for record in out.split(|&b| b == 0).filter(|r| !r.is_empty()) {
            let record = String::from_utf8_lossy(record);
            let Some((meta, path)) = record.split_once('\t') else { continue };
            let mut parts = meta.split(' ');
            let (Some(mode), Some(kind), Some(oid)) = (parts.next(), parts.next(), parts.next()) else {
                continue;
            };
            if kind == "blob" {
                entries.push(TreeEntry { path: path.to_owned(), mode: mode.to_owned(), oid: oid.to_owned() });
            }
        }
        Ok(entries)
    }

    /// The regular files of `entries` that the work tree holds unchanged:
    /// whose content there is the object the entry names, as `git add`
    /// would store it. Asked of `git hash-object`, not of the index, whose
    /// file stamps are stale after a checkout or a copy (git then lists
    /// every file as changed). Files it cannot tell about are left out.
    pub fn unchanged(&self, entries: &[TreeEntry]) -> BTreeSet<String> {
        let candidates: Vec<&TreeEntry> = entries
            .iter()
            .filter(|e| matches!(e.mode.as_str(), "100644" | "100755"))
            // One path a line, and a quoted one would be unquoted.
            .filter(|e| !e.path.contains(['\n', '\r']) && !e.path.starts_with('"'))
            .filter(|e| self.top.join(&e.path).symlink_metadata().is_ok_and(|m| m.is_file()))
            .collect();
        let mut same = BTreeSet::new();
        if candidates.is_empty() {
            return same;
        }
        let mut cmd = git(&self.top);
        cmd.args(["hash-object", "--stdin-paths"]).stderr(Stdio::null());
        let Ok(mut answers) = Answers::start(cmd, candidates.iter().map(|e| e.path.as_str())) else {
            return same;
        };
        // Git stops at a file it cannot read: the answers so far hold.
        for (e, oid) in candidates.iter().zip(answers.reader.by_ref().lines()) {
            match oid {
                Ok(oid) if oid == e.oid => {
                    same.insert(e.path.clone());
                }
                Ok(_) => {}
                Err(_) => break,
            }
        }
        answers.finish();
        same
    }

    /// Writes `entries` under `root` (by their paths from the top). A file
    /// in `unchanged` (see [`Repo::unchanged`]) is linked (or copied) from
    /// the work tree; the others are read through one `git cat-file
    /// --batch`; symbolic links become links where the platform has them.
    ///
    /// # Errors
    /// When git fails or a file cannot be written.
    pub fn write_files(
        &self,
        entries: &[TreeEntry],
        root: &Path,
        unchanged: &BTreeSet<String>,
    ) -> Result<(), String> {
        let mut made: BTreeSet<PathBuf> = BTreeSet::new();
        let mut make_parent = |path: &Path| match path.parent() {
            Some(dir) if made.insert(dir.to_owned()) => {
                std::fs::create_dir_all(dir).map_err(|err| format!("`{}`: {err}", dir.display()))
            }
            _ => Ok(()),
        };
        let mut from_git = Vec::new();
        for e in entries {
            if unchanged.contains(&e.path) {
                let path = root.join(&e.path);
                make_parent(&path)?;
                let here = self.top.join(&e.path);
                if std::fs::hard_link(&here, &path).is_ok() || std::fs::copy(&here, &path).is_ok() {
                    continue;
                }
            }
            from_git.push(e);
        }
        if from_git.is_empty() {
            return Ok(());
        }
        let entries = from_git;
        let mut cmd = git(&self.top);
        cmd.args(["cat-file", "--batch"]);
        let mut answers = Answers::start(cmd, entries.iter().map(|e| e.oid.as_str()))?;
        let reader = &mut answers.reader;
        let mut header = String::new();
        let mut result = Ok(());
        for e in entries {
            header.clear();
            if reader.read_line(&mut header).map_err(|e| e.to_string())? == 0 {
                result = Err("git stopped answering".to_owned());
                break;
            }
            let size: usize = header.split(' ').nth(2).and_then(|s| s.trim().parse().ok()).unwrap_or(0);
            let mut body = vec![0; size + 1];
            reader.read_exact(&mut body).map_err(|e| e.to_string())?;
            body.pop();
            let path = root.join(&e.path);
            make_parent(&path)?;
            if let Err(err) = write_one(&path, &e.mode, &body) {
                result = Err(format!("`{}`: {err}", path.display()));
                break;
            }
        }
        answers.finish();
        result
    }

    /// Files renamed between `commit` and the work tree, under `paths`:
    /// `(old, new)` from the top of the repository.
    ///
    /// # Errors
    /// When git fails.
    pub fn renames(&self, commit: &str, paths: &[String]) -> Result<Vec<(String, String)>, String> {
        let mut cmd = git(&self.top);
        cmd.args(["diff-index", "-z", "--name-status", "-M", "--no-ext-diff", commit, "--"]);
        cmd.args(paths.iter().map(|p| if p.is_empty() { "." } else { p.as_str() }));
        let out = output(cmd)?;
        let fields: Vec<String> =
            out.split(|&b| b == 0).map(|f| String::from_utf8_lossy(f).into_owned()).collect();
        let mut renames = Vec::new();
        let mut i = 0;
        while i < fields.len() {
            let status = &fields[i];
            if status.starts_with('R') && i + 2 < fields.len() {
                renames.push((fields[i + 1].clone(), fields[i + 2].clone()));
                i += 3;
            } else if status.starts_with('C') {
                i += 3;
            } else {
                i += 2;
            }
        }
        Ok(renames)
    }
}

/// A git command answering what is written to its standard input, line by
/// line. The input is written from another thread: git answers while it
/// reads, and both pipes would fill up otherwise.
struct Answers {
    child: std::process::Child,
    reader: BufReader<std::process::ChildStdout>,
    writer: std::thread::JoinHandle<()>,
}

impl Answers {
    fn start<'a>(mut cmd: Command, lines: impl Iterator<Item = &'a str>) -> Result<Self, String> {
        let mut input = String::new();
        for line in lines {
            input.push_str(line);
            input.push('\n');
        }
        cmd.stdin(Stdio::piped()).stdout(Stdio::piped());
        let mut child = cmd.spawn().map_err(|e| format!("cannot run `git`: {e}"))?;
        let mut stdin = child.stdin.take().ok_or("no pipe to git")?;
        let reader = BufReader::new(child.stdout.take().ok_or("no pipe from git")?);
        let writer = std::thread::spawn(move || {
            let _ = stdin.write_all(input.as_bytes());
        });
        Ok(Self { child, reader, writer })
    }

    /// Stops reading and waits for git.
    fn finish(mut self) {
        drop(self.reader);
        let _ = self.writer.join();
        let _ = self.child.wait();
    }
}

#[cfg(unix)]
fn write_one(path: &Path, mode: &str, body: &[u8]) -> std::io::Result<()> {
    if mode == "120000" {
        let target = String::from_utf8_lossy(body).into_owned();
        return std::os::unix::fs::symlink(target, path);
    }
    std::fs::write(path, body)
}

#[cfg(not(unix))]
fn write_one(path: &Path, _mode: &str, body: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, body)
}
