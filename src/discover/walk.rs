//! The walk of one directory: the files under it in the order of a walk
//! that visits each directory's entries sorted by name, symbolic links
//! followed, hidden files included, and what the `.ignore`, `.gitignore`
//! and git exclude files in it and above it ignore left out.
//!
//! The rules are the `ignore` crate's walker's (its matchers do the
//! matching): which files are read where, their precedence (`.ignore`
//! over `.gitignore` over `.git/info/exclude` over the global excludes,
//! a deeper directory's over a shallower one's), git's files only inside
//! a repository and not above its top, an ignored directory not entered.
//! What differs is the cost. That walker asks every directory above an
//! entry, for every entry, and joins a path for the directories above the
//! start; this one matches only the entries the caller wants and only
//! against the files that exist, and tells which files exist from the
//! directory's listing instead of looking each one up.

use std::ffi::{OsStr, OsString};
use std::fs::FileType;
use std::path::{Path, PathBuf};

use ignore::Match;
use ignore::gitignore::{Gitignore, GitignoreBuilder};

/// What a walk found.
#[derive(Debug, Default)]
pub(super) struct Walked {
    /// The wanted files, by their path from the start, in walk order.
    pub files: Vec<PathBuf>,
    /// Wanted entries that are neither files nor directories (pipes,
    /// sockets, devices).
    pub not_files: usize,
    /// Directories that could not be read for want of permission.
    pub unreadable: Vec<PathBuf>,
    /// Whether a symbolic link was followed: a file may then be met twice.
    pub links: bool,
}

/// Walks `start`. `wanted` tells by its name whether a file is wanted;
/// `skipped` tells by its name whether a directory below the start is
/// passed over.
pub(super) fn walk(
    start: &Path,
    wanted: &dyn Fn(&OsStr) -> bool,
    skipped: &dyn Fn(&OsStr) -> bool,
) -> Walked {
    let above = Above::of(start);
    let absolute = above.base.clone().filter(|_| above.rules).unwrap_or_default();
    let gits = above.frames.iter().filter(|f| f.has_git).count();
    let mut walk = Walk {
        rules: Rules { frames: Vec::new(), above, global: Gitignore::global().0, gits },
        dirs: Vec::new(),
        wanted,
        skipped,
        // A start reached through a link leads to files that may be met
        // under their own names too.
        found: Walked {
            links: start.symlink_metadata().is_ok_and(|m| m.file_type().is_symlink()),
            ..Walked::default()
        },
    };
    walk.dir(start, &absolute);
    walk.found
}

struct Walk<'a> {
    rules: Rules,
    /// The directories being walked, from the start down, with what
    /// identifies each once a link has needed it (for loops).
    dirs: Vec<(PathBuf, Option<super::FileId>)>,
    wanted: &'a dyn Fn(&OsStr) -> bool,
    skipped: &'a dyn Fn(&OsStr) -> bool,
    found: Walked,
}

impl Walk<'_> {
    /// Walks the directory `dir`, at `absolute` when the directories above
    /// the start have rules (empty otherwise).
    fn dir(&mut self, dir: &Path, absolute: &Path) {
        let entries = match listing(dir) {
            Ok(entries) => entries,
            Err(e) => {
                if e.kind() == std::io::ErrorKind::PermissionDenied {
                    self.found.unreadable.push(dir.to_owned());
                }
                return;
            }
        };
        let mut frame = Frame::read(dir, |name| {
            entries.binary_search_by(|(n, _)| n.as_os_str().cmp(OsStr::new(name))).is_ok()
        });
        let above = self.rules.frames.last().map_or(&self.rules.above.names, |f| &f.names);
        frame.names = Names::of_directory(above.as_ref(), &frame, true);
        self.rules.gits += usize::from(frame.has_git);
        self.rules.frames.push(frame);
        self.dirs.push((dir.to_owned(), None));
        let mut path = PathBuf::new();
        let mut path_absolute = PathBuf::new();
        for (name, kind) in &entries {
            child(&mut path, dir, name);
            if self.rules.above.rules {
                child(&mut path_absolute, absolute, name);
            }
            self.entry(&path, &path_absolute, name, *kind);
        }
        self.dirs.pop();
        let frame = self.rules.frames.pop();
        self.rules.gits -= usize::from(frame.is_some_and(|f| f.has_git));
    }

    fn entry(&mut self, path: &Path, absolute: &Path, name: &OsStr, kind: FileType) {
        let link = kind.is_symlink();
        let kind = if link {
            match std::fs::metadata(path) {
                Ok(meta) => meta.file_type(),
                // A dangling link is passed over; one into a directory that
                // cannot be read is named.
                Err(e) => {
                    if e.kind() == std::io::ErrorKind::PermissionDenied {
                        self.found.unreadable.push(path.to_owned());
                    }
                    return;
                }
            }
        } else {
            kind
        };
        if kind.is_dir() {
            if (link && self.loops(path))
                || (self.skipped)(name)
                || self.rules.ignored(path, absolute, name, true)
            {
                return;
            }
            self.found.links |= link;
            self.dir(path, absolute);
        } else {
            let wanted = (self.wanted)(name);
            // A link is matched even when unwanted: it tells that a file
            // may be met twice.
            if !(wanted || link) || self.rules.ignored(path, absolute, name, false) {
                return;
            }
            self.found.links |= link;
            match wanted {
                true if kind.is_file() => self.found.files.push(path.to_owned()),
                true => self.found.not_files += 1,
                false => {}
            }
        }
    }

    /// Whether the directory the link at `path` leads to is one being
    /// walked.
    fn loops(&mut self, path: &Path) -> bool {
        let target = super::file_id(path);
        self.dirs.iter_mut().any(|(dir, id)| *id.get_or_insert_with(|| super::file_id(dir)) == target)
    }
}

/// Makes `path` the entry `name` of the directory `dir`, in its memory.
fn child(path: &mut PathBuf, dir: &Path, name: &OsStr) {
    let text = path.as_mut_os_string();
    text.clear();
    text.push(dir.as_os_str());
    path.push(name);
}

/// A directory's entries and their types (links not followed), sorted by
/// name.
fn listing(dir: &Path) -> std::io::Result<Vec<(OsString, FileType)>> {
    let mut entries = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        // An entry that vanished or cannot be looked at is passed over.
        let Ok(entry) = entry else { continue };
        let Ok(kind) = entry.file_type() else { continue };
        let name = entry.file_name();
        entries.push((head(&name), name, kind));
    }
    // Most names differ in their first sixteen bytes: compared as one
    // number first, they need no call to compare their bytes.
    entries.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
    Ok(entries.into_iter().map(|(_, name, kind)| (name, kind)).collect())
}

/// The first sixteen bytes of `name` (zeros after a shorter one) as a
/// number that orders as they do: a name has no zero byte, so a shorter
/// name that begins a longer one comes first, as in the order of names.
fn head(name: &OsStr) -> u128 {
    let bytes = name.as_encoded_bytes();
    let mut head = [0; 16];
    let n = bytes.len().min(16);
    head[..n].copy_from_slice(&bytes[..n]);
    u128::from_be_bytes(head)
}

/// The ignore files of the directories from the top of the file system
/// down to the entry being matched.
struct Rules {
    /// The walked directories', from the start down.
    frames: Vec<Frame>,
    above: Above,
    /// The user's global excludes (`core.excludesFile`).
    global: Gitignore,
    /// How many of the directories (walked and above) are the top of a
    /// repository: git's files apply only inside one.
    gits: usize,
}

/// The directories above the start: their rules match entries by their
/// absolute path.
struct Above {
    /// From the top of the file system down to the start's parent.
    frames: Vec<Frame>,
    /// The start's canonical path.
    base: Option<PathBuf>,
    /// Whether any of them has an ignore file with a rule.
    rules: bool,
    /// The names by which their rules can match an entry below the start
    /// (see [`Frame::names`]).
    names: Option<Names>,
}

impl Above {
    fn of(start: &Path) -> Self {
        let Ok(base) = std::fs::canonicalize(start) else {
            return Self { frames: Vec::new(), base: None, rules: false, names: Some(Names::default()) };
        };
        let mut frames: Vec<Frame> =
            base.ancestors().skip(1).map(|dir| Frame::read(dir, |name| dir.join(name).exists())).collect();
        frames.reverse();
        let rules = frames.iter().any(|f| f.rules);
        // No entry below the start is in one of these directories itself:
        // their rules at the top match none.
        let names =
            frames.iter().try_fold(Names::default(), |names, f| Names::of_directory(Some(&names), f, false));
        Self { frames, base: Some(base), rules, names }
    }
}

impl Rules {
    /// Whether the entry at `path` (`absolute` when the directories above
    /// the start have rules) is ignored: the first rule met that matches
    /// it, looking from its own directory up, `.ignore` files first, then
    /// (inside a repository, up to its top) `.gitignore` files, then git's
    /// exclude file, then the global excludes. A rule can also keep an
    /// entry (`!name`), ending the search.
    fn ignored(&self, path: &Path, absolute: &Path, name: &OsStr, is_dir: bool) -> bool {
        let name = name.to_str();
        let names = self.frames.last().map_or(&self.above.names, |f| &f.names);
        if let (Some(names), Some(name)) = (names, name)
            && !names.may_match_name(name)
        {
            // No rule here or above can match the entry: only the global
            // excludes can.
            return self.global(path, is_dir).is_ignore();
        }
        let mut found = Found {
            ignore: Match::None,
            git_ignore: Match::None,
            exclude: Match::None,
            any_git: self.gits > 0,
            saw_git: false,
        };
        // The path as text, made once for all the directories with rules.
        let text = if self.frames.iter().any(|f| f.rules) { path.to_str() } else { None };
        for frame in self.frames.iter().rev() {
            found.look(frame, path, text, name, is_dir);
        }
        if self.above.rules {
            let absolute_text = absolute.to_str();
            for frame in self.above.frames.iter().rev() {
                found.look(frame, absolute, absolute_text, name, is_dir);
            }
        }
        found.ignore.or(found.git_ignore).or(found.exclude).or(self.global(path, is_dir)).is_ignore()
    }

    /// How the global excludes match the entry at `path`: inside a
    /// repository only, as the walker matches them, by the path walked
    /// without a leading `./`, the working directory their root.
    fn global(&self, path: &Path, is_dir: bool) -> Match<()> {
        if self.gits > 0 && !self.global.is_empty() {
            self.global.matched(path.strip_prefix("./").unwrap_or(path), is_dir).map(|_| ())
        } else {
            Match::None
        }
    }
}

/// The first match of each kind of ignore file met so far.
struct Found {
    ignore: Match<()>,
    git_ignore: Match<()>,
    exclude: Match<()>,
    any_git: bool,
    /// Whether the top of a repository has been passed: git's files above
    /// it do not apply.
    saw_git: bool,
}

impl Found {
    fn look(&mut self, frame: &Frame, path: &Path, text: Option<&str>, name: Option<&str>, is_dir: bool) {
        if frame.rules {
            let (path, text) = frame.relative(path, text);
            let entry = Entry { path, text, name, is_dir };
            if self.ignore.is_none() {
                self.ignore = frame.ignore.matched(&entry);
            }
            if self.any_git && !self.saw_git {
                if self.git_ignore.is_none() {
                    self.git_ignore = frame.git_ignore.matched(&entry);
                }
                if self.exclude.is_none() {
                    self.exclude = frame.exclude.matched(&entry);
                }
            }
        }
        self.saw_git |= frame.has_git;
    }
}

/// One directory's ignore files. Their rules are rooted at `.` and match
/// the path of an entry below the directory relative to it: what the
/// matcher itself makes of a longer path (its root taken off the front),
/// without comparing the two paths for every entry.
struct Frame {
    /// `.ignore`.
    ignore: IgnoreFile,
    /// `.gitignore`.
    git_ignore: IgnoreFile,
    /// The repository's `info/exclude`, when the directory is the top of one.
    exclude: IgnoreFile,
    /// Whether the directory is the top of a repository (it holds a `.git`
    /// or a `.jj`).
    has_git: bool,
    /// Whether any of the three has a rule.
    rules: bool,
    dir: PathBuf,
    /// Where the names below the directory start in an entry's path.
    names_at: usize,
    /// For a walked directory, the names by which the rules of the
    /// directory and of those above it can match an entry of it; `None`
    /// when one of them may match any (see [`Names::of_directory`]). The
    /// directories above the start keep theirs in [`Above::names`].
    names: Option<Names>,
}

impl Frame {
    /// Reads the ignore files of `dir`; `present` tells whether it holds
    /// an entry of a name (from its listing, or by looking it up). From a
    /// listing the name must be exact: on a file system that ignores case,
    /// a `.GITIGNORE` is not read (the crate's walker, looking the name up,
    /// would read it).
    fn read(dir: &Path, present: impl Fn(&str) -> bool) -> Self {
        let git =
            if present(".git") { dir.join(".git").metadata().ok().map(|m| m.file_type()) } else { None };
        let has_jj = present(".jj") && dir.join(".jj").exists();
        let exclude = match git.and_then(|git| git_dir(dir, git)) {
            Some(git_dir) => IgnoreFile::read(&git_dir.join("info/exclude")),
            None => IgnoreFile::default(),
        };
        let ignore =
            if present(".ignore") { IgnoreFile::read(&dir.join(".ignore")) } else { IgnoreFile::default() };
        let git_ignore = if present(".gitignore") {
            IgnoreFile::read(&dir.join(".gitignore"))
        } else {
            IgnoreFile::default()
        };
        let text = dir.as_os_str().as_encoded_bytes();
        // A child's path is the directory's and its name, with a separator
        // between them unless the directory's path is empty or ends with one.
        let names_at =
            text.len() + usize::from(text.last().is_some_and(|&b| !std::path::is_separator(char::from(b))));
        Self {
            rules: !(ignore.rules.is_empty() && git_ignore.rules.is_empty() && exclude.rules.is_empty()),
            ignore,
            git_ignore,
            exclude,
            has_git: git.is_some() || has_jj,
            dir: dir.to_owned(),
            names_at,
            names: None,
        }
    }

    /// The path of the entry at `path` (`text` when it is UTF-8), below
    /// the directory, relative to it, and as text when it is UTF-8.
    fn relative<'p>(&self, path: &'p Path, text: Option<&'p str>) -> (&'p Path, Option<&'p str>) {
        match text.and_then(|text| text.get(self.names_at..)) {
            Some(rest) => (Path::new(rest), Some(rest)),
            None => (path.strip_prefix(&self.dir).unwrap_or(path), None),
        }
    }
}

/// The rules of one ignore file, rooted at `.` (see [`Frame`]), and what
/// an entry's path must be for any of them to match it.
struct IgnoreFile {
    rules: Gitignore,
    /// `None` when some rule can match a path of any name.
    names: Option<Names>,
}

impl Default for IgnoreFile {
    fn default() -> Self {
        Self { rules: Gitignore::empty(), names: Some(Names::default()) }
    }
}

/// The rules of most ignore files name what they ignore: a file or
/// directory anywhere below (`results.md`, `corpus/`), one at the top
/// (`/target`), or an ending (`*.log`). Only an entry of such a name can
/// match them; the others need not be given to the matcher at all.
#[derive(Default)]
struct Names {
    anywhere: Vec<String>,
    at_top: Vec<String>,
    endings: Vec<String>,
}

impl IgnoreFile {
    /// The rules of the ignore file `file`; none if it cannot be read. A
    /// line that is not a valid pattern is passed over. The file is read
    /// once: its lines are given to the builder as it splits them itself
    /// (at each line feed, a carriage return before it taken off, byte
    /// order marks taken off the first). A file that is not UTF-8 is left
    /// to the builder to read, and its rules may match any name.
    fn read(file: &Path) -> Self {
        let mut builder = GitignoreBuilder::new(".");
        let bytes = std::fs::read(file).unwrap_or_default();
        let mut names = Some(Names::default());
        if let Ok(text) = std::str::from_utf8(&bytes) {
            for (i, line) in lines(text).enumerate() {
                let line = if i == 0 { line.trim_start_matches('\u{feff}') } else { line };
                if builder.add_line(Some(file.to_owned()), line).is_ok()
                    && let Some(n) = &mut names
                    && !n.add(line)
                {
                    names = None;
                }
            }
        } else {
            let _ = builder.add(file);
            names = None;
        }
        let rules = builder.build().unwrap_or_else(|_| Gitignore::empty());
        Self { rules, names }
    }

    /// How the rules match an entry.
    fn matched(&self, entry: &Entry<'_>) -> Match<()> {
        if let Some(names) = &self.names
            && !names.may_match(entry)
        {
            return Match::None;
        }
        self.rules.matched(entry.path, entry.is_dir).map(|_| ())
    }
}

/// An entry being matched against a directory's rules.
struct Entry<'a> {
    /// Its path relative to the directory.
    path: &'a Path,
    /// `path`, when it is UTF-8.
    text: Option<&'a str>,
    /// Its name, when it is UTF-8.
    name: Option<&'a str>,
    is_dir: bool,
}

impl Names {
    /// Notes the name the rule on `line` matches (as the builder reads
    /// it); false when it may match any name, or when what it matches
    /// depends on how a version of the builder reads it (spaces and tabs,
    /// which it trims, escapes, a line of only `!` or `/`).
    fn add(&mut self, line: &str) -> bool {
        const GLOB: [char; 7] = ['*', '?', '[', ']', '{', '}', '\\'];
        if line.starts_with('#') || line.is_empty() {
            return true;
        }
        if line.contains(|c: char| c.is_whitespace() || c == '\\' || c == '\u{feff}') {
            return false;
        }
        let line = line.strip_prefix('!').unwrap_or(line);
        let (line, at_top) = match line.strip_prefix('/') {
            Some(line) => (line, true),
            None => (line, false),
        };
        let name = line.strip_suffix('/').unwrap_or(line);
        if name.is_empty() || name.contains('/') {
            return false;
        }
        match name.strip_prefix('*') {
            Some(ending) if !at_top && !ending.contains(GLOB) => self.endings.push(ending.to_owned()),
            _ if name.contains(GLOB) => return false,
            _ if at_top => self.at_top.push(name.to_owned()),
            _ => self.anywhere.push(name.to_owned()),
        }
        true
    }

    /// The names of [`Frame::names`] for the directory of `frame`, given
    /// those of the directory above it (`None` when a rule there may match
    /// any name). Rules at the top count only for the directory's own
    /// entries (`top`).
    fn of_directory(above: Option<&Self>, frame: &Frame, top: bool) -> Option<Self> {
        let above = above?;
        let mut names =
            Self { anywhere: above.anywhere.clone(), at_top: Vec::new(), endings: above.endings.clone() };
        for file in [&frame.ignore, &frame.git_ignore, &frame.exclude] {
            if file.rules.is_empty() {
                continue;
            }
            let own = file.names.as_ref()?;
            names.anywhere.extend_from_slice(&own.anywhere);
            names.endings.extend_from_slice(&own.endings);
            if top {
                names.at_top.extend_from_slice(&own.at_top);
            }
        }
        Some(names)
    }

    /// Whether a rule that matches a name wherever it is may match `name`.
    fn named(&self, name: &str) -> bool {
        self.anywhere.iter().any(|n| n == name) || self.endings.iter().any(|e| name.ends_with(e.as_str()))
    }

    /// Whether a rule may match an entry named `name` of the directory the
    /// names are of (see [`Names::of_directory`]).
    fn may_match_name(&self, name: &str) -> bool {
        self.named(name) || self.at_top.iter().any(|n| n == name)
    }

    /// Whether a rule may match `entry`.
    fn may_match(&self, entry: &Entry<'_>) -> bool {
        let Some(name) = entry.name else { return true };
        self.named(name)
            || (!self.at_top.is_empty()
                && entry.text.is_none_or(|path| self.at_top.iter().any(|n| n == path)))
    }
}

/// The lines of `text` as `BufRead::lines` gives them: split at each line
/// feed, a carriage return before it taken off, no line after the last
/// line feed.
fn lines(text: &str) -> impl Iterator<Item = &str> {
    text.split_inclusive('\n').map(|line| match line.strip_suffix('\n') {
        Some(line) => line.strip_suffix('\r').unwrap_or(line),
        None => line,
    })
}

/// The git directory whose `info/exclude` applies in `dir`, which holds a
/// `.git` of type `git`: `.git` itself, or for a `.git` file (a worktree,
/// a submodule) the common directory its `gitdir:` leads to.
fn git_dir(dir: &Path, git: FileType) -> Option<PathBuf> {
    let dot_git = dir.join(".git");
    if !git.is_file() {
        return Some(dot_git);
    }
    let line = first_line(&dot_git)?;
    let real = PathBuf::from(line.strip_prefix("gitdir: ")?);
    let common = first_line(&real.join("commondir"))?;
    Some(if common.starts_with('.') { real.join(common) } else { PathBuf::from(common) })
}

/// The first line of the file at `path`, if it has one.
fn first_line(path: &Path) -> Option<String> {
    let bytes = std::fs::read(path).ok().filter(|b| !b.is_empty())?;
    let line = bytes.split(|&b| b == b'\n').next()?;
    let line = std::str::from_utf8(line).ok()?;
    Some(line.strip_suffix('\r').unwrap_or(line).to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Names sorted by their first sixteen bytes as a number, then whole,
    /// come in the order of their bytes: shorter and longer than sixteen
    /// bytes, one the start of another, bytes above 0x7F.
    #[test]
    fn names_sort_by_their_head_as_by_their_bytes() {
        let parts = ["a", "ab", "abcdefgh", "abcdefghi", "z", "é", "perm-0001", "perm-00010", "-", "~", "A"];
        let mut names: Vec<OsString> = Vec::new();
        for a in parts {
            for b in parts {
                names.push(OsString::from(format!("{a}{b}")));
            }
            names.push(OsString::from(a));
        }
        names.sort_unstable();
        names.dedup();
        let mut by_head: Vec<(u128, OsString)> = names.iter().rev().map(|n| (head(n), n.clone())).collect();
        by_head.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
        assert_eq!(by_head.into_iter().map(|(_, n)| n).collect::<Vec<_>>(), names);
    }
}
