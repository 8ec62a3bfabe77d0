//! How a path is shown, and globs written relative to a directory (a
//! config file's, or the working directory for the command line).

use std::path::{Component, Path, PathBuf};

/// `path` without a leading `./`, with `/` separators on every platform.
pub fn display_path(path: &Path) -> String {
    // Most paths are UTF-8 and start with a name, or with one `./` before
    // a name: what to show is plain to see, without taking the path apart.
    if let Some(s) = path.to_str()
        && cfg!(not(windows))
    {
        let plain = |rest: &str| {
            !rest.is_empty()
                && !rest.starts_with(['.', '/'])
                && !rest.ends_with(['.', '/'])
                && !rest.contains("//")
                && !rest.contains("/./")
        };
        match s.strip_prefix("./") {
            None if !s.starts_with('.') => return s.to_owned(),
            Some(rest) if plain(rest) => return rest.to_owned(),
            _ => {}
        }
    }
    let shown = path.strip_prefix("./").unwrap_or(path);
    let s = shown.to_string_lossy();
    if std::path::MAIN_SEPARATOR == '\\' { s.replace('\\', "/") } else { s.into_owned() }
}

/// The extension of the file `name` names, as [`Path::extension`] gives
/// it (none for `.json`), read off the end of the name instead of taking
/// the whole path apart.
pub fn extension(name: &str) -> &str {
    if cfg!(windows) || name.ends_with(['/', '.']) {
        return Path::new(name).extension().and_then(|e| e.to_str()).unwrap_or("");
    }
    // Back from the end to the last `.` of the file's name, if it has one
    // that does not start the name (`.json` has no extension).
    let bytes = name.as_bytes();
    for i in (0..bytes.len()).rev() {
        match bytes[i] {
            b'/' => return "",
            b'.' if i == 0 || bytes[i - 1] == b'/' => return "",
            b'.' => return &name[i + 1..],
            _ => {}
        }
    }
    ""
}

/// [`extension`] of a path, which may not be UTF-8 (its extension still
/// may be): `None` when the extension is not.
pub fn path_extension(path: &Path) -> Option<&str> {
    match path.to_str() {
        Some(name) => Some(extension(name)),
        None => path.extension().and_then(|e| e.to_str()),
    }
}

/// The working directory, with symlinks resolved (empty if unknown).
pub fn working_dir() -> PathBuf {
    std::env::current_dir().map(|d| std::fs::canonicalize(&d).unwrap_or(d)).unwrap_or_default()
}

/// `path` made absolute against `cwd`, with `.` and `..` resolved by name
/// (the file need not exist).
pub fn absolute(path: &Path, cwd: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in cwd.join(path).components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// A glob pattern written relative to a directory, matched as `.gitignore`
/// lines are: a pattern without `/` (`exports`, `*.bak.json`) matches a file
/// or directory of that name at any depth; one with `/` (`legacy/**`,
/// `roles/old.json`) is anchored at the directory. A pattern that matches a
/// directory matches everything in it.
#[derive(Debug, Clone)]
pub struct RootedGlob {
    /// As written.
    pub text: String,
    pattern: glob::Pattern,
    /// Whether the pattern holds a `/` (other than a trailing one).
    anchored: bool,
    /// The directory it is relative to (absolute, symlinks resolved).
    pub base: PathBuf,
}

impl RootedGlob {
    /// # Errors
    /// When `text` is not a glob pattern.
    pub fn new(text: &str, base: &Path) -> Result<Self, glob::PatternError> {
        let trimmed = text.trim_end_matches('/');
        let trimmed = trimmed.strip_prefix("./").unwrap_or(trimmed);
        let anchored = trimmed.contains('/');
        let trimmed = trimmed.strip_prefix('/').unwrap_or(trimmed);
        Ok(Self {
            text: text.to_owned(),
            pattern: glob::Pattern::new(trimmed)?,
            anchored,
            base: base.to_owned(),
        })
    }

    fn is_match(&self, s: &str) -> bool {
        // As in `.gitignore`: `*` stays within a directory, `**` crosses them.
        let options = glob::MatchOptions { require_literal_separator: true, ..glob::MatchOptions::new() };
        self.pattern.matches_with(s, options)
    }

    /// Whether the file `path` (absolute, or relative to `cwd`) matches. A
    /// path outside the base directory is matched as it is shown.
    pub fn matches(&self, path: &Path, cwd: &Path) -> bool {
        let abs = absolute(path, cwd);
        let relative = match abs.strip_prefix(&self.base) {
            Ok(r) => r.to_owned(),
            // Reached through a symlink (a temporary directory, say)?
            Err(_) => match std::fs::canonicalize(&abs)
                .ok()
                .and_then(|c| c.strip_prefix(&self.base).ok().map(Path::to_owned))
            {
                Some(r) => r,
                None => return self.is_match(&display_path(path)),
            },
        };
        if self.anchored {
            relative.ancestors().any(|a| !a.as_os_str().is_empty() && self.is_match(&display_path(a)))
        } else {
            relative.components().any(|c| self.is_match(&c.as_os_str().to_string_lossy()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extension_is_what_path_gives() {
        for name in [
            "a.json",
            "dir/a.JSON",
            "a",
            ".json",
            "dir/.json",
            "..json",
            "a.tar.gz",
            "dir.d/a",
            "a.",
            "dir/",
            "..",
            ".",
            "",
            "/",
            "x/..",
            "a/b.tf.json",
            "./a.yaml",
            "é/ü.yml",
        ] {
            let want = Path::new(name).extension().and_then(|e| e.to_str()).unwrap_or("");
            assert_eq!(extension(name), want, "{name:?}");
        }
    }

    #[test]
    fn a_leading_dot_is_left_out() {
        assert_eq!(display_path(Path::new("./roles/a.json")), "roles/a.json");
        assert_eq!(display_path(Path::new("roles/a.json")), "roles/a.json");
        assert_eq!(display_path(Path::new("../a.json")), "../a.json");
        // What taking the path apart shows, for paths of every odd shape.
        let apart = |p: &Path| p.strip_prefix("./").unwrap_or(p).to_string_lossy().into_owned();
        let parts = ["", ".", "..", "./", ".//", "a", "/", "//", "/./", "b.json", ".c", "d/", "é"];
        for x in parts {
            for y in parts {
                for z in parts {
                    let path = format!("{x}{y}{z}");
                    assert_eq!(display_path(Path::new(&path)), apart(Path::new(&path)), "{path:?}");
                }
            }
        }
    }

    #[test]
    fn globs_are_relative_to_their_directory() {
        let root = Path::new("/repo");
        let anchored = RootedGlob::new("legacy/**", root).unwrap();
        assert!(anchored.matches(Path::new("legacy/a.json"), Path::new("/repo")));
        assert!(anchored.matches(Path::new("../legacy/a/b.json"), Path::new("/repo/infra")));
        assert!(anchored.matches(Path::new("/repo/legacy/a.json"), Path::new("/elsewhere")));
        assert!(!anchored.matches(Path::new("infra/legacy/a.json"), Path::new("/repo")));
        let bare = RootedGlob::new("exports/", root).unwrap();
        assert!(bare.matches(Path::new("exports/a.json"), Path::new("/repo")));
        assert!(bare.matches(Path::new("a/exports/b/c.json"), Path::new("/repo")));
        assert!(bare.matches(Path::new("c.json"), Path::new("/repo/exports")));
        assert!(!bare.matches(Path::new("exports.json"), Path::new("/repo")));
        let file = RootedGlob::new("roles/old.json", root).unwrap();
        assert!(file.matches(Path::new("old.json"), Path::new("/repo/roles")));
        assert!(!file.matches(Path::new("new.json"), Path::new("/repo/roles")));
    }
}
