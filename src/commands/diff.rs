//! `trustlint diff --base REF`: what a change does to who can assume what.
//! The paths are analysed twice with the same settings: as they are in the
//! work tree, and as they were at `REF`, read from git's objects into a
//! directory of our own (the work tree and the index are never touched).
//! The findings are matched by their identity, the graphs by their nodes.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::IsTerminal;
use std::path::{Component, Path, PathBuf};

use crate::analysis::{Analysis, Memo};
use crate::cli::{CheckArgs, DiffArgs, DiffFormat};
use crate::compare::{self, Side};
use crate::error::Error;
use crate::exit::ExitStatus;
use crate::report;
use crate::settings::Settings;
use crate::support::git::{Repo, TreeEntry};
use crate::support::path::{RootedGlob, display_path};

pub fn run(args: DiffArgs) -> Result<ExitStatus, Error> {
    let DiffArgs { input, base, from, format, color, check } = args;
    let to_terminal = check.output_file.is_none() && std::io::stdout().is_terminal();
    let format = format.unwrap_or(if to_terminal { DiffFormat::Full } else { DiffFormat::Concise });
    let settings = super::check::settings_from(CheckArgs {
        input,
        format: None,
        max_session_duration: check.max_session_duration,
        fail_on: check.fail_on,
        select: check.select,
        ignore: check.ignore,
        exit_zero: check.exit_zero,
        quiet: check.quiet,
        output_file: check.output_file,
        statistics: false,
        color,
        no_inline_suppressions: check.no_inline_suppressions,
        baseline: None,
        write_baseline: None,
    })?;
    // Renamed files are matched by their text; the report shows source.
    let settings = Settings { keep_text: true, ..settings };
    if settings.paths.iter().any(|p| p == "-") {
        return Err(Error::Usage(
            "`diff` reads the paths from the work tree and from git, not from standard input".into(),
        ));
    }

    // The work tree's side is read while the base revision's files are
    // taken out of git; then the old side, which reuses what the new side
    // read of the files that did not change.
    let new_paths = existing(&settings.paths, Path::new("."));
    let new_settings = Settings { paths: new_paths.clone(), ..settings.clone() };
    let memo = Memo::default();
    let (before, new) = rayon::join(|| Before::read(&settings, &base), || analyze(&new_settings, &memo));
    let before = before?;
    let old = before.analyze(&memo);
    for p in &settings.paths {
        if !new_paths.contains(p) && !before.existed.contains(p) {
            return Err(if is_glob(p) {
                Error::NoMatch { pattern: p.clone() }
            } else {
                Error::NotFound { path: p.clone() }
            });
        }
    }
    let mut new = new?;
    let mut old = old?;
    let renamed = before.renamed(&old, &new)?;
    compare::split_findings(&mut old, &mut new, &renamed);
    // SARIF shows suppressed findings too: a diff shows only those added.
    new.suppressed.clear();
    let errors = !old.errors.is_empty() || !new.errors.is_empty();
    // The warnings about the configuration are the same on both sides.
    old.warnings.clear();
    let (old, new) = (Side::new(old, &settings), Side::new(new, &settings));
    let paths = compare::paths(&old, &new, &from, &renamed);

    let failing_finding = new.analysis.findings.iter().any(|f| f.severity >= settings.fail_on);
    let failing_path = paths.privileged_from_outside().next().is_some();
    let diff =
        report::diff::Diff { base: &base, old: &old, new: &new, paths: &paths, fail_on: settings.fail_on };
    let opts = report::RenderOptions {
        format: crate::settings::OutputFormat::Full,
        color: settings.color.enabled(to_terminal),
        width: std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()).unwrap_or(100),
        summary: !settings.quiet,
    };
    let write = |out: &mut dyn std::io::Write| report::diff::render(&diff, format, &opts, out);
    match &settings.output_file {
        Some(path) => super::stream_file(path, write)?,
        None => super::stream_stdout(write)?,
    }
    super::report_errors(&old.analysis);
    super::report_errors(&new.analysis);
    Ok(if errors {
        ExitStatus::Error
    } else if !settings.exit_zero && (failing_finding || failing_path) {
        ExitStatus::Findings
    } else {
        ExitStatus::Success
    })
}

fn analyze(settings: &Settings, memo: &Memo) -> Result<Analysis, Error> {
    if settings.paths.is_empty() {
        return Ok(Analysis::default());
    }
    crate::analyze_paths_with(settings, Some(memo))
}

/// The paths of `paths` that exist under `dir` (a glob pattern: that
/// matches something).
fn existing(paths: &[String], dir: &Path) -> Vec<String> {
    paths
        .iter()
        .filter(|p| {
            let at = dir.join(p);
            if is_glob(p) {
                glob::glob(&at.to_string_lossy()).is_ok_and(|mut m| m.next().is_some())
            } else {
                at.symlink_metadata().is_ok()
            }
        })
        .cloned()
        .collect()
}

fn is_glob(s: &str) -> bool {
    s.contains(['*', '?', '['])
}

/// `path` with `.` and `..` taken out, without asking the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// `path` from the top of the repository, with `/` separators (`""` for
/// the top itself); `None` outside it.
fn from_top(top: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(top).ok()?;
    if rel.components().any(|c| matches!(c, Component::ParentDir)) {
        return None;
    }
    Some(display_path(rel))
}

/// The paths as they were at the base revision: written into a directory
/// of our own that is laid out as the repository, analysed from the place
/// there that corresponds to the working directory, so that every file has
/// the name it has in the work tree.
struct Before {
    repo: Repo,
    commit: String,
    dir: TempDir,
    /// The working directory, from the top of the repository.
    cwd: String,
    /// The settings for the old side: the paths that existed then, a path
    /// given as absolute moved into our directory.
    settings: Settings,
    /// For those moved paths: the name shown for our directory's copy, and
    /// for the original.
    moved: Vec<(String, String)>,
    /// The paths given, from the top of the repository.
    pathspecs: Vec<String>,
    /// The paths given that existed at the base revision.
    existed: Vec<String>,
}

impl Before {
    fn read(settings: &Settings, base: &str) -> Result<Self, Error> {
        let cwd = std::env::current_dir().map_err(|e| Error::Usage(format!("no working directory: {e}")))?;
        let cwd = std::fs::canonicalize(&cwd).unwrap_or(cwd);
        let repo = Repo::discover(&cwd).map_err(|e| {
            Error::Usage(format!(
                "`{}` is not in a git work tree, and `trustlint diff` reads the base revision from git ({e})",
                display_path(&cwd)
            ))
        })?;
        let commit = repo.resolve(base).map_err(Error::Usage)?;
        let cwd_rel = from_top(&repo.top, &cwd).ok_or_else(|| {
            Error::Usage(format!(
                "the working directory is not in the git work tree `{}`",
                repo.top.display()
            ))
        })?;
        let dir = TempDir::new()?;

        // What to read: each path's tree; for a file, the files beside it
        // (a Terraform module is its whole directory).
        let mut pathspecs = Vec::new();
        let mut moved = Vec::new();
        let mut paths = Vec::new();
        for p in &settings.paths {
            let literal = if is_glob(p) {
                let head = &p[..p.find(['*', '?', '[']).unwrap_or(p.len())];
                head.rfind('/').map_or(".", |i| &head[..=i])
            } else {
                p.as_str()
            };
            let abs = normalize(&cwd.join(literal));
            let rel = from_top(&repo.top, &abs).ok_or_else(|| {
                Error::Usage(format!("`{p}` is outside the git work tree `{}`", repo.top.display()))
            })?;
            pathspecs.push(rel.clone());
            if Path::new(p).is_absolute() {
                let copy = dir.path.join(&rel);
                moved.push((display_path(&copy), display_path(Path::new(p))));
                paths.push(copy.to_string_lossy().into_owned());
            } else {
                paths.push(p.clone());
            }
        }
        let mut old_settings = Settings { paths, ..settings.clone() };
        rebase_globs(&mut old_settings, &repo.top, &dir.path);
        let before = Self {
            repo,
            commit,
            dir,
            cwd: cwd_rel,
            settings: old_settings,
            moved,
            pathspecs,
            existed: Vec::new(),
        };
        before.materialize()?;
        let existed = existing(&before.settings.paths, &before.here());
        let existed_given = settings
            .paths
            .iter()
            .zip(&before.settings.paths)
            .filter(|(_, q)| existed.contains(q))
            .map(|(p, _)| p.clone())
            .collect();
        Ok(Self {
            settings: Settings { paths: existed, ..before.settings.clone() },
            existed: existed_given,
            ..before
        })
    }

    /// Where the working directory is in our copy.
    fn here(&self) -> PathBuf {
        self.dir.path.join(&self.cwd)
    }

    /// Writes the trees of the paths, the files beside those that are
    /// files, and the directories of the local Terraform modules they call.
    fn materialize(&self) -> Result<(), Error> {
        let roots = &self.pathspecs;
        let covered =
            |d: &str| roots.iter().any(|r| r.is_empty() || d == r || d.starts_with(&format!("{r}/")));
        let mut entries = self.repo.list(&self.commit, roots, true).map_err(Error::Usage)?;
        let mut flat: BTreeSet<String> =
            entries.iter().filter(|e| roots.contains(&e.path)).map(|e| parent(&e.path)).collect();
        let mut done: BTreeSet<String> = BTreeSet::new();
        let mut written: BTreeSet<String> = BTreeSet::new();
        loop {
            flat.retain(|d| !covered(d) && !done.contains(d));
            let dirs: Vec<String> = std::mem::take(&mut flat).into_iter().collect();
            done.extend(dirs.iter().cloned());
            if !dirs.is_empty() {
                entries.extend(self.repo.list(&self.commit, &dirs, false).map_err(Error::Usage)?);
            }
            entries.retain(|e| !written.contains(&e.path));
            if entries.is_empty() {
                break;
            }
            let unchanged = self.repo.unchanged(&entries);
            // A directory the same as it was is one link, not a directory
            // made and a link for each of its files.
            let linked: Vec<String> = unchanged_dirs(&self.repo.top, roots, &entries, &unchanged)
                .into_iter()
                .filter(|d| link_dir(&self.repo.top.join(d), &self.dir.path.join(d)).is_ok())
                .collect();
            let inside = |path: &str| {
                linked.iter().any(|d| path.starts_with(d.as_str()) && path[d.len()..].starts_with('/'))
            };
            let rest: Vec<TreeEntry> = entries.iter().filter(|e| !inside(&e.path)).cloned().collect();
            self.repo.write_files(&rest, &self.dir.path, &unchanged).map_err(Error::Usage)?;
            for e in &entries {
                for source in module_sources(&self.dir.path.join(&e.path), e) {
                    let called = normalize(&Path::new(&parent(&e.path)).join(source));
                    if !called.starts_with("..") {
                        flat.insert(display_path(&called));
                    }
                }
            }
            written.extend(entries.drain(..).map(|e| e.path));
        }
        // The walk honours `.gitignore` files inside a git work tree only.
        std::fs::create_dir_all(self.dir.path.join(".git"))?;
        std::fs::create_dir_all(self.here())?;
        Ok(())
    }

    /// Analyses the old side from our copy: its relative paths are read
    /// from the place there that corresponds to the working directory.
    fn analyze(&self, memo: &Memo) -> Result<Analysis, Error> {
        let settings = Settings { progress: false, root: self.here(), ..self.settings.clone() };
        let mut analysis = analyze(&settings, memo)?;
        for f in &mut analysis.files {
            if let Some((copy, shown)) = self.moved.iter().find(|(c, _)| f.name.starts_with(c.as_str())) {
                f.name = format!("{shown}{}", &f.name[copy.len()..]);
            }
        }
        Ok(analysis)
    }

    /// The files renamed since the base revision, by the names shown: those
    /// git finds (renamed, perhaps edited), and those whose text did not
    /// change at all (a rename git cannot see, made in the work tree only).
    fn renamed(&self, old: &Analysis, new: &Analysis) -> Result<BTreeMap<String, String>, Error> {
        let to_top = |name: &str| -> String {
            let p = Path::new(name);
            if p.is_absolute() {
                from_top(&self.repo.top, &normalize(p)).unwrap_or_else(|| name.to_owned())
            } else {
                display_path(&normalize(&Path::new(&self.cwd).join(p)))
            }
        };
        let new_names: HashMap<String, &str> =
            new.files.iter().map(|f| (to_top(&f.name), f.name.as_str())).collect();
        let old_names: HashMap<String, &str> =
            old.files.iter().map(|f| (to_top(&f.name), f.name.as_str())).collect();
        let mut renamed = BTreeMap::new();
        for (from, to) in self.repo.renames(&self.commit, &self.pathspecs).map_err(Error::Usage)? {
            if let (Some(&o), Some(&n)) = (old_names.get(&from), new_names.get(&to)) {
                renamed.insert(o.to_owned(), n.to_owned());
            }
        }
        let gone: Vec<&str> =
            old_names.iter().filter(|(k, _)| !new_names.contains_key(*k)).map(|(_, v)| *v).collect();
        let mut by_text: HashMap<&str, Vec<&str>> = HashMap::new();
        for f in &new.files {
            if !old_names.contains_key(&to_top(&f.name)) {
                by_text.entry(f.text()).or_default().push(&f.name);
            }
        }
        let taken: BTreeSet<String> = renamed.values().cloned().collect();
        let exact: Vec<(String, String)> = old
            .files
            .iter()
            .filter(|f| gone.contains(&f.name.as_str()) && !renamed.contains_key(&f.name))
            .filter_map(|f| match by_text.get(f.text()).map(Vec::as_slice) {
                Some([one]) if !taken.contains(*one) => Some((f.name.clone(), (*one).to_owned())),
                _ => None,
            })
            .collect();
        renamed.extend(exact);
        Ok(renamed)
    }
}

/// Moves the patterns written relative to a directory of the work tree (the
/// config file's, the working directory) to the same directory of our copy.
fn rebase_globs(settings: &mut Settings, top: &Path, copy: &Path) {
    let rebase = |g: &mut RootedGlob| {
        if let Ok(rel) = g.base.strip_prefix(top) {
            g.base = copy.join(rel);
        }
    };
    settings.exclude.iter_mut().for_each(rebase);
    settings.per_file_ignores.iter_mut().for_each(|(g, _)| rebase(g));
    settings.stack_accounts.iter_mut().for_each(|(g, _)| rebase(g));
    settings.suppressions.iter_mut().for_each(|s| rebase(&mut s.path));
}

/// The directories under `roots` that the work tree holds as they were:
/// the same files, unchanged (`unchanged`, see [`Repo::unchanged`]), and
/// nothing more, not even a file git ignores. `entries` lists everything
/// under `roots`. Only the outermost of them, never the top itself.
fn unchanged_dirs(
    top: &Path,
    roots: &[String],
    entries: &[TreeEntry],
    unchanged: &BTreeSet<String>,
) -> Vec<String> {
    let within = |d: &str| roots.iter().any(|r| r.is_empty() || d == r || d.starts_with(&format!("{r}/")));
    // What each directory holds, and those that hold a changed file.
    let mut names: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let mut changed: BTreeSet<&str> = BTreeSet::new();
    for e in entries {
        let mut path = e.path.as_str();
        if !unchanged.contains(&e.path) {
            changed.insert(path.rfind('/').map_or("", |i| &path[..i]));
        }
        while let Some(i) = path.rfind('/') {
            names.entry(&path[..i]).or_default().insert(&path[i + 1..]);
            path = &path[..i];
        }
        names.entry("").or_default().insert(path);
    }
    // Children sort after their parent: backwards, each directory is
    // settled before the one that holds it.
    let mut same: BTreeSet<&str> = BTreeSet::new();
    for (&dir, held) in names.iter().rev() {
        if dir.is_empty() || !within(dir) || changed.contains(dir) {
            continue;
        }
        let at = top.join(dir);
        if !at.symlink_metadata().is_ok_and(|m| m.is_dir()) {
            continue;
        }
        let Ok(listing) = std::fs::read_dir(&at) else { continue };
        let found: Option<BTreeSet<String>> =
            listing.map(|e| e.ok().and_then(|e| e.file_name().into_string().ok())).collect();
        let Some(found) = found else { continue };
        let subdirs_same = held.iter().all(|name| {
            let sub = format!("{dir}/{name}");
            !names.contains_key(sub.as_str()) || same.contains(sub.as_str())
        });
        if subdirs_same && found.len() == held.len() && held.iter().all(|n| found.contains(*n)) {
            same.insert(dir);
        }
    }
    same.iter().filter(|d| !same.contains(parent(d).as_str())).map(|d| (*d).to_owned()).collect()
}

/// Links `at` (a directory of the work tree) into our copy as `to`.
#[cfg(unix)]
fn link_dir(at: &Path, to: &Path) -> std::io::Result<()> {
    if let Some(dir) = to.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::os::unix::fs::symlink(at, to)
}

#[cfg(not(unix))]
fn link_dir(_: &Path, _: &Path) -> std::io::Result<()> {
    Err(std::io::ErrorKind::Unsupported.into())
}

/// `path`'s directory, from the top (`""` at the top).
fn parent(path: &str) -> String {
    path.rfind('/').map_or(String::new(), |i| path[..i].to_owned())
}

/// The local `source` of the `module` blocks of a Terraform file, found in
/// its text: enough to know which directories to read as well (a `source`
/// that is not a module's only makes us read more).
fn module_sources(path: &Path, entry: &TreeEntry) -> Vec<String> {
    let is_tf =
        Path::new(&entry.path).extension().is_some_and(|e| e == "tf") || entry.path.ends_with(".tf.json");
    if !is_tf || !entry.mode.starts_with("100") {
        return Vec::new();
    }
    let Ok(text) = std::fs::read_to_string(path) else { return Vec::new() };
    let mut out = Vec::new();
    let mut rest = text.as_str();
    while let Some(i) = rest.find("source") {
        rest = &rest[i + "source".len()..];
        let after = rest.trim_start().trim_start_matches('"').trim_start();
        let Some(value) = after.strip_prefix(['=', ':']) else { continue };
        let Some(value) = value.trim_start().strip_prefix('"') else { continue };
        let Some(end) = value.find('"') else { continue };
        let source = &value[..end];
        if source.starts_with("./") || source.starts_with("../") || source == "." || source == ".." {
            out.push(source.to_owned());
        }
    }
    out
}

/// A directory of our own, removed when dropped.
struct TempDir {
    path: PathBuf,
}

impl TempDir {
    fn new() -> Result<Self, Error> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let path = std::env::temp_dir().join(format!("trustlint-diff-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&path)?;
        let path = std::fs::canonicalize(&path).unwrap_or(path);
        Ok(Self { path })
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}
