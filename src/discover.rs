//! Which files to read: explicit files, directories walked recursively
//! (honouring `.gitignore`, skipping `.git` and `.terraform`, surviving
//! symlink loops), glob patterns, and `-` for standard input.

use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::support::path::{RootedGlob, display_path, working_dir};

mod walk;

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

/// Notes what a walk could not look into. Loops and dangling links are
/// passed over in silence (they are how symlinks go wrong, not data that
/// was missed); a directory that cannot be read is named.
fn walk_error(e: &ignore::Error, found: &mut Discovery) {
    if let Some((path, _)) = unreadable(e) {
        found.warnings.push(cannot_read(&path.map_or_else(|| "?".to_owned(), display_path)));
    }
}

/// The warning for a directory named `name` that a walk could not read.
fn cannot_read(name: &str) -> String {
    format!("cannot read directory `{name}`, skipped: permission denied")
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
    let walked = walk::walk(
        &root.join(dir),
        &|name| {
            let ext = crate::support::path::path_extension(Path::new(name));
            ext.is_some_and(|e| EXTENSIONS.iter().any(|x| x.eq_ignore_ascii_case(e)))
        },
        &|name| name == ".git" || name == ".terraform",
    );
    // A link may lead to a file the walk meets under another name.
    found.may_repeat |= walked.links;
    found.not_files += walked.not_files;
    for real in walked.files {
        let path = named(root, dir, real);
        if !exclude.excluded(&path) {
            found.inputs.push(Input::File { path, explicit: false });
        }
    }
    // Directories the walk cannot follow (symlink loops, dangling links)
    // are passed over, an unreadable one with a warning; a file that is
    // found but cannot be read is reported when it is read.
    for dir in walked.unreadable {
        found.warnings.push(cannot_read(&display_path(&dir)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    /// The walk as the `ignore` crate's walker makes it: what [`walk`] must
    /// match.
    fn walk_by_ignore(root: &Path, dir: &Path, exclude: &mut Excludes<'_>, found: &mut Discovery) {
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

    /// A small deterministic generator (xorshift), for the trees below.
    struct Dice(u64);

    impl Dice {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            usize::try_from(self.0 >> 33).unwrap() % n
        }

        fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
            from[self.below(from.len())]
        }
    }

    /// Writes a random tree under `dir`: files of wanted and unwanted
    /// kinds, subdirectories, ignore files of random rules, repositories
    /// (`.git` directories and files, `.jj`), links to files and
    /// directories (loops and dangling ones among them).
    fn random_tree(dice: &mut Dice, top: &Path, dir: &Path, depth: usize) {
        const NAMES: [&str; 9] = ["a", "b", "c", "d", "x", ".h", "a-b", "sub", "e f"];
        const FILES: [&str; 8] =
            ["p.json", "q.tf", "r.txt", "s.yaml", "b.json", "x.json", "t.tfstate", "P.JSON"];
        const RULES: [&str; 32] = [
            "*.json",
            "/a",
            "a/",
            "b",
            "!b.json",
            "**/c/*.json",
            "a/**/x.json",
            "*.tf",
            "!*.tf",
            "c",
            "/d/",
            "x.json",
            "# a comment",
            "\\!b.json",
            "d/*",
            "*",
            "!a/",
            "**/b",
            "!x.json",
            "sub/",
            "/sub/p.json",
            ".h",
            "!/c",
            "[ab].json",
            "e f",
            "*.yaml",
            "/x.json",
            "q.tf",
            "*.JSON",
            "P.JSON",
            "r.txt/",
            "!/b.json",
        ];
        // A name already taken (by a link, say) is left as it is.
        if std::fs::create_dir_all(dir).is_err() || !dir.is_dir() {
            return;
        }
        for _ in 0..dice.below(4) {
            let _ = std::fs::write(dir.join(dice.pick(&FILES)), "{}");
        }
        for name in [".gitignore", ".ignore"] {
            if dice.below(3) == 0 {
                let rules: Vec<&str> = (0..=dice.below(4)).map(|_| dice.pick(&RULES)).collect();
                // Lines as editors on other systems end them, a byte order
                // mark, a line that is not UTF-8 (passed over) and one after it.
                let mut text = rules.join(dice.pick(&["\n", "\r\n"])).into_bytes();
                match dice.below(6) {
                    0 => drop(text.splice(0..0, "\u{feff}".bytes())),
                    1 => text.extend(b"\n\xff*.json\n!x.json"),
                    _ => {}
                }
                let _ = std::fs::write(dir.join(name), text);
            }
        }
        match dice.below(8) {
            0 => {
                let _ = std::fs::create_dir_all(dir.join(".git/info"));
                let rule = dice.pick(&RULES);
                let _ = std::fs::write(dir.join(".git/info/exclude"), rule);
            }
            1 => {
                let _ = std::fs::create_dir_all(dir.join(".jj"));
            }
            2 => {
                // A worktree's `.git` file, its common directory the top's.
                let common = top.join("common");
                let _ = std::fs::create_dir_all(common.join("info"));
                let _ = std::fs::write(common.join("info/exclude"), dice.pick(&RULES));
                let gitdir = top.join("gitdir");
                let _ = std::fs::create_dir_all(&gitdir);
                let _ = std::fs::write(gitdir.join("commondir"), common.to_str().unwrap());
                let _ = std::fs::write(dir.join(".git"), format!("gitdir: {}\n", gitdir.display()));
            }
            _ => {}
        }
        #[cfg(unix)]
        if dice.below(4) == 0 {
            let target = match dice.below(4) {
                0 => top.to_owned(),
                1 => dir.join("p.json"),
                2 => dir.join("nowhere"),
                _ => dir.join("sub"),
            };
            let _ = std::os::unix::fs::symlink(target, dir.join(dice.pick(&["link", "l.json", "c"])));
        }
        if depth < 3 {
            for _ in 0..dice.below(4) {
                let sub = dir.join(dice.pick(&NAMES));
                random_tree(dice, top, &sub, depth + 1);
            }
        }
    }

    #[test]
    fn the_walk_leaves_out_what_the_ignore_crates_walker_leaves_out() {
        let base = std::env::temp_dir().join(format!("trustlint-walk-rules-{}", std::process::id()));
        let mut dice = Dice(0x9e37_79b9_7f4a_7c15);
        let mut walked = 0;
        for case in 0..150 {
            // Named as given, not canonical in every case: the rules above
            // the start match by the canonical path.
            let top = if case % 3 == 1 { base.join(".") } else { base.clone() }.join(case.to_string());
            let _ = std::fs::remove_dir_all(&top);
            // Mostly inside a repository, with rules above the start.
            if case % 4 != 0 {
                std::fs::create_dir_all(top.join(".git")).unwrap();
            }
            random_tree(&mut dice, &top, &top.join("t"), 0);
            if dice.below(2) == 0 {
                let rules: Vec<&str> =
                    (0..3).map(|_| dice.pick(&["t/a/", "*.tf", "x.json", "!t/b", "sub", "/t/c"])).collect();
                std::fs::write(top.join(".gitignore"), rules.join("\n")).unwrap();
            }
            for start in ["t", "./t", "t/", "t/a", "t/sub", "t/c"] {
                if !top.join(start).is_dir() {
                    continue;
                }
                let mut exclude = Excludes { patterns: &[], used: Vec::new(), cwd: top.clone() };
                let (mut new, mut old) = (Discovery::default(), Discovery::default());
                walk(&top, Path::new(start), &mut exclude, &mut new);
                walk_by_ignore(&top, Path::new(start), &mut exclude, &mut old);
                assert_eq!(files(&new), files(&old), "case {case}, start {start}");
                assert_eq!(
                    (new.not_files, &new.warnings, new.may_repeat),
                    (old.not_files, &old.warnings, old.may_repeat),
                    "case {case}, start {start}"
                );
                walked += new.inputs.len();
            }
            let _ = std::fs::remove_dir_all(&top);
        }
        let _ = std::fs::remove_dir_all(&base);
        assert!(walked > 1_000, "the trees must hold files to compare, not only rules: {walked}");
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
