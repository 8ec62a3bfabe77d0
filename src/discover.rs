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
}

impl Input {
    /// The name shown in findings: relative to the working directory where
    /// possible, with `/` separators.
    pub fn display_name(&self) -> String {
        match self {
            Self::Stdin => "<stdin>".to_owned(),
            Self::File { path, .. } => display_path(path),
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
///
/// # Errors
/// A path that does not exist or a pattern that matches nothing.
pub fn collect(paths: &[String], exclude: &[RootedGlob]) -> Result<Discovery, Error> {
    let mut exclude = Excludes { patterns: exclude, used: vec![false; exclude.len()], cwd: working_dir() };
    let exclude = &mut exclude;
    let mut inputs = Vec::new();
    for p in paths {
        if p == "-" {
            inputs.push(Input::Stdin);
            continue;
        }
        let path = Path::new(p);
        if path.is_dir() {
            walk(path, exclude, &mut inputs);
        } else if path.exists() || path.symlink_metadata().is_ok() {
            inputs.push(Input::File { path: path.to_owned(), explicit: true });
        } else if is_glob(p) {
            let matches =
                glob::glob(p).map_err(|e| Error::Pattern { pattern: p.clone(), message: e.to_string() })?;
            let before = inputs.len();
            for m in matches.flatten() {
                if m.is_dir() {
                    walk(&m, exclude, &mut inputs);
                } else if !exclude.excluded(&m) {
                    // Met by a pattern, as in a walk: a `variables.tf` or
                    // a `package.json` among the matches is skipped.
                    inputs.push(Input::File { path: m, explicit: false });
                }
            }
            if inputs.len() == before {
                return Err(Error::NoMatch { pattern: p.clone() });
            }
        } else {
            return Err(Error::NotFound { path: p.clone() });
        }
    }
    // The same file reached twice (named twice, or through a symlink that
    // leads out of a walked directory and back in) is read once, under the
    // first name it was met by.
    let mut seen = std::collections::HashSet::new();
    inputs.retain(|i| {
        seen.insert(match i {
            Input::File { path, .. } => Some(std::fs::canonicalize(path).unwrap_or_else(|_| path.clone())),
            Input::Stdin => None,
        })
    });
    let unused_excludes = exclude
        .patterns
        .iter()
        .zip(&exclude.used)
        .filter(|(_, used)| !**used)
        .map(|(p, _)| p.text.clone())
        .collect();
    Ok(Discovery { inputs, unused_excludes })
}

fn walk(dir: &Path, exclude: &mut Excludes<'_>, inputs: &mut Vec<Input>) {
    // Hidden directories are walked (`.iam/deploy.json` is a policy like
    // any other), except git's own and `.terraform`: its copies of registry
    // modules are read by the Terraform source when a root calls them, and
    // checked alone, with their defaults, they would give false findings.
    let walker = ignore::WalkBuilder::new(dir)
        .follow_links(true)
        .hidden(false)
        .filter_entry(|e| !(e.depth() > 0 && matches!(e.file_name().to_str(), Some(".git" | ".terraform"))))
        .sort_by_file_name(std::cmp::Ord::cmp)
        .build();
    let mut found = Vec::new();
    // Entries the walk itself cannot follow (symlink loops, dangling links,
    // unreadable directories) are passed over; a file that is found but
    // cannot be read is reported when it is read.
    for entry in walker.flatten() {
        let path = entry.path();
        let is_file = entry.file_type().is_some_and(|t| t.is_file());
        let wanted = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| EXTENSIONS.iter().any(|x| x.eq_ignore_ascii_case(e)));
        if is_file && wanted && !exclude.excluded(path) {
            found.push(Input::File { path: path.to_owned(), explicit: false });
        }
    }
    inputs.extend(found);
}
