//! Which files to read: explicit files, directories walked recursively
//! (honouring `.gitignore`, skipping `.git` and `.terraform`, surviving
//! symlink loops), glob patterns, and `-` for standard input.

use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::support::path::{RootedGlob, display_path, working_dir};

/// Extensions read when walking a directory: JSON documents, exports and
/// templates, YAML templates, Terraform source.
pub const EXTENSIONS: [&str; 6] = ["json", "yaml", "yml", "template", "tf", "tfstate"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A file; `explicit` when the user named it (not when a walk or a glob
    /// met it): then a parse failure is a finding even where nothing in
    /// the text looks like IAM.
    File {
        path: PathBuf,
        explicit: bool,
    },
    Stdin,
    /// Bytes already in memory, under the name a file of them would have
    /// (the fuzz targets and the tests read inputs this way; discovery
    /// never makes one).
    Bytes {
        name: String,
        bytes: std::sync::Arc<[u8]>,
    },
}

impl Input {
    /// The name shown in findings: relative to the working directory where
    /// possible, with `/` separators.
    pub fn display_name(&self) -> String {
        match self {
            Self::Stdin => "<stdin>".to_owned(),
            Self::File { path, .. } => display_path(path),
            Self::Bytes { name, .. } => name.clone(),
        }
    }
}

fn is_glob(s: &str) -> bool {
    s.contains(['*', '?', '['])
}

/// The inputs found, and what the search has to say.
#[derive(Debug, Default)]
pub struct Discovery {
    pub inputs: Vec<Input>,
    /// `exclude` patterns that left nothing out, as written.
    pub unused_excludes: Vec<String>,
    /// Entries met by a walk or a glob that are neither files nor
    /// directories (pipes, sockets, devices): passed over, never opened (a
    /// pipe without a writer would block the run).
    pub not_files: usize,
    /// What the search could not look into (an unreadable directory).
    pub warnings: Vec<String>,
    /// Whether a file may have been met twice: several paths given, a
    /// glob, or a symbolic link followed. Only then are the inputs checked
    /// for duplicates (a `stat` of every file).
    may_repeat: bool,
}

/// The `exclude` patterns, with a note of which ones left something out.
struct Excludes<'a> {
    patterns: &'a [RootedGlob],
    used: Vec<bool>,
    cwd: std::path::PathBuf,
}

impl Excludes<'_> {
    fn excluded(&mut self, path: &Path) -> bool {
        let hit = self.patterns.iter().position(|p| p.matches(path, &self.cwd));
        if let Some(i) = hit {
            self.used[i] = true;
        }
        hit.is_some()
    }
}

/// Expands the paths the user gave into inputs, sorted and without duplicates.
/// Relative paths are looked for under `root` (empty: the working
/// directory) and named as given, relative to it.
///
/// # Errors
/// A path that does not exist or a pattern that matches nothing.
pub fn collect(root: &Path, paths: &[String], exclude: &[RootedGlob]) -> Result<Discovery, Error> {
    let cwd = if root.as_os_str().is_empty() { working_dir() } else { root.to_owned() };
    let mut exclude = Excludes { patterns: exclude, used: vec![false; exclude.len()], cwd };
    let exclude = &mut exclude;
    let mut found = Discovery { may_repeat: paths.len() > 1, ..Discovery::default() };
    for p in paths {
        if p == "-" {
            found.inputs.push(Input::Stdin);
            continue;
        }
        let path = Path::new(p);
        let at = root.join(path);
        if at.is_dir() {
            walk(root, path, exclude, &mut found);
        } else if at.exists() || at.symlink_metadata().is_ok() {
            found.inputs.push(Input::File { path: path.to_owned(), explicit: true });
        } else if is_glob(p) {
            found.may_repeat = true;
            if !expand_glob(root, p, exclude, &mut found)? {
                return Err(Error::NoMatch { pattern: p.clone() });
            }
        } else {
            return Err(Error::NotFound { path: p.clone() });
        }
    }
    // The same file reached twice (named twice, or through a symlink that
    // leads out of a walked directory and back in) is read once, under the
    // first name it was met by.
    if found.may_repeat {
        let mut seen = std::collections::HashSet::new();
        found.inputs.retain(|i| {
            seen.insert(match i {
                Input::File { path, .. } => Some(file_id(&root.join(path))),
                Input::Stdin | Input::Bytes { .. } => None,
            })
        });
    }
    found.unused_excludes = exclude
        .patterns
        .iter()
        .zip(&exclude.used)
        .filter(|(_, used)| !**used)
        .map(|(p, _)| p.text.clone())
        .collect();
    Ok(found)
}

/// What identifies a file whatever the name it is reached by: its device
/// and inode where there are such things, its canonical path elsewhere.
#[derive(Debug, PartialEq, Eq, Hash)]
enum FileId {
    Inode(u64, u64),
    Path(PathBuf),
}

fn file_id(path: &Path) -> FileId {
    #[cfg(unix)]
    if let Ok(meta) = std::fs::metadata(path) {
        use std::os::unix::fs::MetadataExt;
        return FileId::Inode(meta.dev(), meta.ino());
    }
    FileId::Path(std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned()))
}

/// `real`, met by a walk of `root.join(dir)`, as named from `dir`.
fn named(root: &Path, dir: &Path, real: PathBuf) -> PathBuf {
    if root.as_os_str().is_empty() {
        return real;
    }
    match real.strip_prefix(root.join(dir)) {
        Ok(rest) => dir.join(rest),
        Err(_) => real,
    }
}

/// A directory walker that follows symbolic links the way `walk` does:
/// a link back to a directory being walked (a loop) is passed over.
fn walker(dir: &Path) -> ignore::WalkBuilder {
    let mut builder = ignore::WalkBuilder::new(dir);
    builder.follow_links(true);
    builder
}

/// What sorts paths met by one walk in the order of a walk that visits
/// each directory's entries sorted by name: their bytes with every
/// separator made the lowest byte (a name ends before any longer name it
/// starts). Sorting the paths once by it gives the walk's order at a
/// fraction of the cost of sorting every directory's entries by name.
fn walk_key(path: &Path) -> Vec<u8> {
    let mut key = path.as_os_str().as_encoded_bytes().to_vec();
    for b in &mut key {
        if std::path::is_separator(char::from(*b)) {
            *b = 0;
        }
    }
    key
}

/// Notes what a walk could not look into. Loops and dangling links are
/// passed over in silence (they are how symlinks go wrong, not data that
/// was missed); a directory that cannot be read is named.
fn walk_error(e: &ignore::Error, found: &mut Discovery) {
    if let Some((path, _)) = unreadable(e) {
        let name = path.map_or_else(|| "?".to_owned(), display_path);
        found.warnings.push(format!("cannot read directory `{name}`, skipped: permission denied"));
    }
}

/// The directory a walk could not read, when that is what `e` says.
fn unreadable(e: &ignore::Error) -> Option<(Option<&Path>, &std::io::Error)> {
    match e {
        ignore::Error::WithPath { path, err } => unreadable(err).map(|(p, io)| (p.or(Some(path)), io)),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => unreadable(err),
        ignore::Error::Io(io) if io.kind() == std::io::ErrorKind::PermissionDenied => Some((None, io)),
        _ => None,
    }
}

/// Whether an entry a walk or a glob met (links followed) is a directory,
/// a file, or something else (a pipe, a socket, a device), counted and
/// passed over.
fn regular_file(entry: &ignore::DirEntry, found: &mut Discovery) -> bool {
    match entry.file_type() {
        Some(t) if t.is_file() => true,
        Some(t) if t.is_dir() => false,
        Some(_) => {
            found.not_files += 1;
            false
        }
        // A dangling link.
        None => false,
    }
}

/// Expands a glob pattern by walking from its literal leading directories,
/// no deeper than the pattern reaches unless it has `**`, following links
/// as a walk does (so that a directory holding links to itself ends).
/// Matched directories are walked; matched files are inputs. Returns
/// whether the pattern matched anything.
fn expand_glob(
    root: &Path,
    p: &str,
    exclude: &mut Excludes<'_>,
    found: &mut Discovery,
) -> Result<bool, Error> {
    let pattern = glob::Pattern::new(p)
        .map_err(|e| Error::Pattern { pattern: p.to_owned(), message: e.to_string() })?;
    let options = glob::MatchOptions {
        case_sensitive: true,
        require_literal_separator: true,
        require_literal_leading_dot: false,
    };
    let parts: Vec<&str> = p.split('/').collect();
    let literal = parts.iter().take_while(|c| !is_glob(c)).count();
    let base = match parts[..literal].join("/") {
        b if b.is_empty() && p.starts_with('/') => "/".to_owned(),
        b if b.is_empty() => ".".to_owned(),
        b => b,
    };
    let implicit_base = literal == 0;
    let mut builder = walker(&root.join(&base));
    builder.standard_filters(false).sort_by_file_name(std::cmp::Ord::cmp);
    if !parts[literal..].iter().any(|c| c.contains("**")) {
        builder.max_depth(Some(parts.len() - literal));
    }
    let mut matched = false;
    for entry in builder.build() {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                walk_error(&e, found);
                continue;
            }
        };
        if entry.depth() == 0 {
            continue;
        }
        let path = named(root, Path::new(&base), entry.path().to_owned());
        let path = if implicit_base { path.strip_prefix(".").unwrap_or(&path) } else { &path };
        if !pattern.matches_path_with(path, options) {
            continue;
        }
        matched = true;
        if entry.file_type().is_some_and(|t| t.is_dir()) {
            walk(root, path, exclude, found);
        } else if regular_file(&entry, found) && !exclude.excluded(path) {
            // Met by a pattern, as in a walk: a `variables.tf` or a
            // `package.json` among the matches is skipped.
            found.inputs.push(Input::File { path: path.to_owned(), explicit: false });
        }
    }
    Ok(matched)
}

fn walk(root: &Path, dir: &Path, exclude: &mut Excludes<'_>, found: &mut Discovery) {
    // Hidden directories are walked (`.iam/deploy.json` is a policy like
    // any other), except git's own and `.terraform`: its copies of registry
    // modules are read by the Terraform source when a root calls them, and
    // checked alone, with their defaults, they would give false findings.
    let walker = walker(&root.join(dir))
        .hidden(false)
        // Only directories are looked at: a `.git` file (a worktree's) has
        // no extension that is read anyway, and a name is dear to take apart.
        .filter_entry(|e| {
            !(e.depth() > 0
                && e.file_type().is_some_and(|t| t.is_dir())
                && matches!(e.file_name().to_str(), Some(".git" | ".terraform")))
        })
        .build();
    // Entries the walk itself cannot follow (symlink loops, dangling links)
    // are passed over, an unreadable directory with a warning; a file that
    // is found but cannot be read is reported when it is read.
    let first = found.inputs.len();
    let mut errors = Vec::new();
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        if entry.path_is_symlink() {
            // A link may lead to a file the walk meets under another name.
            found.may_repeat = true;
        }
        let wanted = crate::support::path::path_extension(entry.path())
            .is_some_and(|e| EXTENSIONS.iter().any(|x| x.eq_ignore_ascii_case(e)));
        if wanted && regular_file(&entry, found) {
            let path = named(root, dir, entry.into_path());
            if !exclude.excluded(&path) {
                found.inputs.push(Input::File { path, explicit: false });
            }
        }
    }
    found.inputs[first..].sort_by_cached_key(|i| match i {
        Input::File { path, .. } => walk_key(path),
        Input::Stdin | Input::Bytes { .. } => Vec::new(),
    });
    // Warnings in the order of a sorted walk too, not in the order the
    // file system lists directories.
    let place =
        |e: &ignore::Error| unreadable(e).and_then(|(p, _)| p).map(Path::to_owned).unwrap_or_default();
    errors.sort_by_cached_key(|e| walk_key(&place(e)));
    for e in &errors {
        walk_error(e, found);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(found: &Discovery) -> Vec<String> {
        found
            .inputs
            .iter()
            .map(|i| match i {
                Input::File { path, .. } => path.to_string_lossy().replace('\\', "/"),
                _ => String::new(),
            })
            .collect()
    }

    #[test]
    fn a_walk_lists_files_in_the_order_of_a_walk_sorted_by_name() {
        let root = std::env::temp_dir().join(format!("trustlint-walk-order-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        // A directory's files before those of a directory whose name it
        // starts (`a/` before `a-b/`, though `-` sorts before `/`).
        for rel in ["ab/z.json", "a-b/y.json", "a/x.json", "a/b/w.json", "a.json", "b.json"] {
            let path = root.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, "{}").unwrap();
        }
        let dir = root.to_string_lossy().into_owned();
        let found = collect(Path::new(""), std::slice::from_ref(&dir), &[]).unwrap();
        let _ = std::fs::remove_dir_all(&root);
        let rel: Vec<String> = files(&found).iter().map(|p| p[dir.len()..].to_owned()).collect();
        assert_eq!(rel, ["/a/b/w.json", "/a/x.json", "/a-b/y.json", "/a.json", "/ab/z.json", "/b.json"]);
        assert!(!found.may_repeat, "one directory without links cannot list a file twice");
    }

    #[test]
    fn a_file_named_twice_is_read_once() {
        let root = std::env::temp_dir().join(format!("trustlint-named-twice-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).unwrap();
        std::fs::write(root.join("p.json"), "{}").unwrap();
        let dir = root.to_string_lossy().into_owned();
        let file = root.join("p.json").to_string_lossy().into_owned();
        let found = collect(Path::new(""), &[file.clone(), dir], &[]).unwrap();
        let _ = std::fs::remove_dir_all(&root);
        assert_eq!(files(&found), [file.replace('\\', "/")]);
    }
}
