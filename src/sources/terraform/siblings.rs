//! The other `.tf` files of a module. A Terraform module is a directory:
//! variables declared in `variables.tf`, locals in `locals.tf` and roles in
//! `roles.tf` are all in scope in `main.tf`. Each directory's files are read
//! and parsed once per run and kept here; a file being checked looks up in
//! them what it does not declare itself.
//!
//! Values for variables may also come from `terraform.tfvars` and
//! `*.auto.tfvars` (the later file in name order winning), which override
//! every default, as they do for Terraform.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use hcl_edit::expr::Expression;
use hcl_edit::structure::{Block, Body, Structure};

use super::MAX_FILE;

/// One file of the directory, parsed.
struct File {
    text: String,
    body: Body,
}

/// Where a declaration is: the file's structure at `index`.
#[derive(Clone, Copy)]
struct At {
    file: usize,
    index: usize,
}

/// The declarations of a directory's `.tf` files.
#[derive(Default)]
pub(super) struct Siblings {
    files: Vec<File>,
    /// Variables: the `variable` block declaring each (the first wins).
    vars: HashMap<String, At>,
    /// Locals: the `locals` block holding each.
    locals: HashMap<String, At>,
    /// `resource` blocks by type and label.
    resources: HashMap<(String, String), At>,
    /// `data` blocks by type and label.
    data: HashMap<(String, String), At>,
    /// Variable values set in `.tfvars` files: the file holding each.
    tfvars: HashMap<String, usize>,
}

/// A declaration found in a sibling: its text and what declares it there.
pub(super) struct Found<'a, T> {
    pub text: &'a str,
    pub item: T,
}

impl Siblings {
    fn block(&self, at: At) -> Option<(&str, &Block)> {
        let f = &self.files[at.file];
        match f.body.get(at.index)? {
            Structure::Block(b) => Some((&f.text, b)),
            Structure::Attribute(_) => None,
        }
    }

    /// Whether some file of the directory declares the variable.
    pub fn declares_var(&self, name: &str) -> bool {
        self.vars.contains_key(name)
    }

    /// The default of a variable: `Some(None)` when it is declared without
    /// one.
    pub fn var_default(&self, name: &str) -> Option<Found<'_, Option<&Expression>>> {
        let (text, b) = self.block(*self.vars.get(name)?)?;
        Some(Found { text, item: b.body.get_attribute("default").map(|a| &a.value) })
    }

    /// The value a `.tfvars` file gives the variable.
    pub fn tfvar(&self, name: &str) -> Option<Found<'_, &Expression>> {
        let f = &self.files[*self.tfvars.get(name)?];
        Some(Found { text: &f.text, item: &f.body.get_attribute(name)?.value })
    }

    pub fn local(&self, name: &str) -> Option<Found<'_, &Expression>> {
        let (text, b) = self.block(*self.locals.get(name)?)?;
        Some(Found { text, item: &b.body.get_attribute(name)?.value })
    }

    /// The `resource` (or, with `data`, the `data`) block of a type and
    /// label.
    pub fn resource(&self, data: bool, kind: &str, label: &str) -> Option<Found<'_, &Block>> {
        let map = if data { &self.data } else { &self.resources };
        let (text, item) = self.block(*map.get(&(kind.to_owned(), label.to_owned()))?)?;
        Some(Found { text, item })
    }

    /// Reads and indexes the `.tf` and `.tfvars` files of `dir` (not its
    /// subdirectories), leaving out those too big to be source or that do
    /// not parse.
    fn read(dir: &Path) -> Self {
        let mut tf = Vec::new();
        let mut tfvars = Vec::new();
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            let Some(name) = path.file_name().and_then(|n| n.to_str()).map(str::to_owned) else {
                continue;
            };
            if path.extension().is_some_and(|e| e == "tf") {
                tf.push(path);
            } else if name == "terraform.tfvars" || name.ends_with(".auto.tfvars") {
                tfvars.push((name != "terraform.tfvars", name, path));
            }
        }
        tf.sort();
        // `terraform.tfvars` first, then the others in name order: the last
        // value read wins.
        tfvars.sort();
        let mut s = Self::default();
        for path in tf {
            let Some(file) = parse(&path) else { continue };
            s.index(file);
        }
        for (_, _, path) in tfvars {
            let Some(file) = parse(&path) else { continue };
            let at = s.files.len();
            for a in file.body.attributes() {
                s.tfvars.insert(a.key.as_str().to_owned(), at);
            }
            s.files.push(file);
        }
        s
    }

    fn index(&mut self, file: File) {
        let at = self.files.len();
        for (index, st) in file.body.iter().enumerate() {
            let Structure::Block(b) = st else { continue };
            let here = At { file: at, index };
            let labels: Vec<&str> = b.labels.iter().map(hcl_edit::structure::BlockLabel::as_str).collect();
            match (b.ident.as_str(), labels.as_slice()) {
                ("variable", [name]) => {
                    self.vars.entry((*name).to_owned()).or_insert(here);
                }
                ("locals", []) => {
                    for a in b.body.attributes() {
                        self.locals.entry(a.key.as_str().to_owned()).or_insert(here);
                    }
                }
                (which @ ("resource" | "data"), [kind, label]) => {
                    let map = if which == "resource" { &mut self.resources } else { &mut self.data };
                    map.entry(((*kind).to_owned(), (*label).to_owned())).or_insert(here);
                }
                _ => {}
            }
        }
        self.files.push(file);
    }
}

fn parse(path: &Path) -> Option<File> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() || meta.len() > MAX_FILE {
        return None;
    }
    let text = crate::syntax::text::decode(std::fs::read(path).ok()?).ok()?;
    let body = hcl_edit::parser::parse_body(&text).ok()?;
    Some(File { text, body })
}

type Cache = Mutex<HashMap<PathBuf, Arc<OnceLock<Arc<Siblings>>>>>;

/// The declarations of the files in `dir`, read on first use. Files of one
/// directory are checked in parallel: the first to ask reads it, the others
/// wait for that.
pub(super) fn of(dir: &Path) -> Option<Arc<Siblings>> {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    if !dir.is_dir() {
        return None;
    }
    let key = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    let slot = {
        let mut map =
            CACHE.get_or_init(Cache::default).lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        Arc::clone(map.entry(key.clone()).or_default())
    };
    Some(Arc::clone(slot.get_or_init(|| Arc::new(Siblings::read(&key)))))
}

#[cfg(test)]
impl Siblings {
    pub fn file_count(&self) -> usize {
        self.files.len()
    }
}
