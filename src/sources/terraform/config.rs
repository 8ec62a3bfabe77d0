//! Loading Terraform configuration as Terraform does: every `.tf` and
//! `.tf.json` file of a module directory, the `.tfvars` of a root, and the
//! directories its `module` blocks call (local sources, or what `terraform
//! init` installed under `.terraform/modules`).

use std::collections::{BTreeMap, HashMap};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use hcl_edit::structure::{Body as HclBody, Structure};
use rayon::prelude::*;

use crate::model::Problem;
use crate::source::Span;

/// The largest file read beside the ones the user named: source files and
/// policies are kilobytes.
pub const MAX_FILE: u64 = 4 << 20;
/// At most this many module directories in one reading.
const MAX_DIRS: usize = 2_000;

/// A file of a reading.
#[derive(Debug)]
pub struct Source {
    /// As shown in findings.
    pub name: String,
    pub text: Arc<str>,
    /// The user asked to check it (named it, or it was found by a walk).
    pub input: bool,
    pub syntax: Syntax,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    Hcl,
    Json,
    /// A `.tfvars` file.
    Vars,
}

/// A `.tf` or `.tf.json` file named by the user (or met by a walk).
pub struct InputFile {
    /// `None` for standard input: a module of that one file.
    pub path: Option<PathBuf>,
    pub name: String,
    pub text: Arc<str>,
}

/// A module directory.
#[derive(Debug)]
pub struct Dir {
    pub path: PathBuf,
    /// As shown (`path.module`).
    pub shown: String,
    /// Its `.tf` and `.tf.json` files, in name order.
    pub files: Vec<u32>,
    /// `terraform.tfvars`, then `*.auto.tfvars` in name order: the last
    /// value read wins. Used only when the directory is the root.
    pub tfvars: Vec<u32>,
    /// `.terraform/modules/modules.json`: module key (`a.b`) → directory.
    pub installed: HashMap<String, PathBuf>,
    /// Some of its files were named by the user.
    pub input: bool,
}

/// Everything one reading loaded, before indexing.
#[derive(Default)]
pub struct Loaded {
    pub files: Vec<Source>,
    /// The parsed body of each HCL file (`None` for the others).
    pub hcl: Vec<Option<Arc<HclBody>>>,
    pub dirs: Vec<Dir>,
    by_path: HashMap<PathBuf, usize>,
    /// The directory relative paths are read from (empty: the working
    /// directory); the paths above are as named, relative to it.
    pub root: PathBuf,
    /// Input files that do not parse, with the problem.
    pub problems: Vec<(u32, Problem)>,
}

impl Loaded {
    /// The directory a module source names, called from `from`; `None` for
    /// a source that is not a local path.
    pub fn local_source(&self, from: usize, source: &str) -> Option<usize> {
        if !is_local(source) {
            return None;
        }
        self.by_path.get(&normalize(&self.dirs[from].path.join(source))).copied()
    }

    /// The directory `terraform init` installed the module with key `key`
    /// (`a.b` for module `b` called by module `a`) in, for the root `root`.
    pub fn installed(&self, root: usize, key: &str) -> Option<usize> {
        let dir = self.dirs[root].installed.get(key)?;
        self.by_path.get(dir).copied()
    }

    fn add_file(&mut self, name: String, text: Arc<str>, input: bool, syntax: Syntax, parsed: Parsed) -> u32 {
        let id = u32::try_from(self.files.len()).unwrap_or(u32::MAX);
        let hcl = match parsed {
            Some(Ok(b)) => Some(b),
            Some(Err(e)) => {
                if input && syntax == Syntax::Hcl {
                    let at = u32::try_from(e.offset).unwrap_or(u32::MAX);
                    let problem = Problem {
                        span: Span::new(at, at).in_file(id),
                        pointer: String::new(),
                        message: format!("invalid HCL: {}", e.message),
                    };
                    self.problems.push((id, problem));
                }
                None
            }
            None => None,
        };
        self.files.push(Source { name, text, input, syntax });
        self.hcl.push(hcl);
        id
    }
}

/// A file's text parsed as its syntax asks: HCL for `.tf` and `.tfvars`
/// (`None` for JSON, which the evaluator parses itself).
type Parsed = Option<Result<Arc<HclBody>, super::hcl::Failure>>;

/// The HCL files parsed by one reading, by name, for another reading of
/// the same files (the two sides of `trustlint diff`): a file whose name
/// and text are the same is not parsed again.
#[derive(Debug, Default)]
pub struct Parses(Mutex<HashMap<String, TextAndBody>>);

type TextAndBody = (Arc<str>, Arc<HclBody>);

fn parse(name: &str, text: &Arc<str>, syntax: Syntax, parses: Option<&Parses>) -> Parsed {
    if syntax == Syntax::Json {
        return None;
    }
    let parse_body = || super::hcl::parse(text, hcl_edit::parser::parse_body);
    let Some(parses) = parses else { return Some(parse_body().map(Arc::new)) };
    let lock = || parses.0.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some((t, body)) = lock().get(name)
        && t == text
    {
        return Some(Ok(Arc::clone(body)));
    }
    let body = match parse_body() {
        Ok(b) => Arc::new(b),
        Err(e) => return Some(Err(e)),
    };
    lock().insert(name.to_owned(), (Arc::clone(text), Arc::clone(&body)));
    Some(Ok(body))
}

pub fn is_local(source: &str) -> bool {
    source.starts_with("./") || source.starts_with("../") || source == "." || source == ".."
}

/// `a/./b/../c` → `a/c`, without asking the file system.
fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match out.components().next_back() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                _ => out.push(".."),
            },
            other => out.push(other),
        }
    }
    if out.as_os_str().is_empty() { PathBuf::from(".") } else { out }
}

/// A directory as `path.module` gives it: the working directory is `.`,
/// as in Terraform (an empty string made `"${path.module}/x"` the
/// absolute `/x`).
fn shown(p: &Path) -> String {
    let shown = crate::support::path::display_path(p);
    if shown.is_empty() { ".".to_owned() } else { shown }
}

fn read_text(path: &Path) -> Option<Arc<str>> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() || meta.len() > MAX_FILE {
        return None;
    }
    crate::syntax::text::decode(std::fs::read(path).ok()?).ok().map(Arc::from)
}

#[allow(clippy::case_sensitive_file_extension_comparisons)]
fn syntax_of(name: &str) -> Option<Syntax> {
    if name.ends_with(".tf.json") {
        Some(Syntax::Json)
    } else if name.ends_with(".tf") {
        Some(Syntax::Hcl)
    } else {
        None
    }
}

/// A file the user gave, parsed.
struct Given {
    file: InputFile,
    syntax: Syntax,
    parsed: Parsed,
}

impl Given {
    fn parse(file: InputFile, parses: Option<&Parses>) -> Self {
        let syntax = match &file.path {
            Some(p) => syntax_of(&p.file_name().unwrap_or_default().to_string_lossy()).unwrap_or(Syntax::Hcl),
            None if file.text.trim_start().starts_with('{') => Syntax::Json,
            None => Syntax::Hcl,
        };
        let body = parse(&file.name, &file.text, syntax, parses);
        Self { file, syntax, parsed: body }
    }
}

/// A file of a module directory, read and parsed: `(name, text, given,
/// syntax, parsed)`.
type Ready = (String, Arc<str>, bool, Syntax, Parsed);

/// Reads and parses a file the user did not give (`None`: unreadable).
fn read_beside(root: &Path, path: &Path, syntax: Syntax, parses: Option<&Parses>) -> Option<Ready> {
    let text = read_text(&root.join(path))?;
    let name = shown(path);
    let body = parse(&name, &text, syntax, parses);
    Some((name, text, false, syntax, body))
}

/// Loads the module directories of `inputs` and every directory they call,
/// reading relative paths from `root`; a file `parses` holds is not parsed
/// again.
pub fn load(root: &Path, inputs: Vec<InputFile>, parses: Option<&Parses>) -> Loaded {
    let mut l = Loaded { root: root.to_owned(), ..Loaded::default() };
    // Parsing is most of the work of a reading: on all cores.
    let inputs: Vec<Given> = inputs.into_par_iter().map(|f| Given::parse(f, parses)).collect();
    // The files the user gave, by directory.
    let mut by_dir: BTreeMap<PathBuf, Vec<Given>> = BTreeMap::new();
    let mut stdin = Vec::new();
    for g in inputs {
        match &g.file.path {
            Some(p) => {
                let dir = normalize(p.parent().unwrap_or(Path::new(".")));
                by_dir.entry(dir).or_default().push(g);
            }
            None => stdin.push(g),
        }
    }
    for g in stdin {
        let id = l.add_file(g.file.name, g.file.text, true, g.syntax, g.parsed);
        l.dirs.push(Dir {
            path: PathBuf::new(),
            shown: ".".into(),
            files: vec![id],
            tfvars: Vec::new(),
            installed: HashMap::new(),
            input: true,
        });
    }
    let mut queue: Vec<PathBuf> = Vec::new();
    for (dir, files) in by_dir {
        load_dir(&mut l, &dir, files, parses);
        queue.push(dir);
    }
    // Follow the calls.
    let mut next = 0;
    while next < queue.len() && l.dirs.len() < MAX_DIRS {
        let dir = queue[next].clone();
        next += 1;
        let Some(&d) = l.by_path.get(&dir) else { continue };
        let mut called: Vec<PathBuf> = l.dirs[d].installed.values().cloned().collect();
        for source in module_sources(&l, d) {
            if is_local(&source) {
                called.push(normalize(&dir.join(&source)));
            }
        }
        called.sort();
        for c in called {
            if !l.by_path.contains_key(&c) && l.root.join(&c).is_dir() {
                load_dir(&mut l, &c, Vec::new(), parses);
                queue.push(c);
            }
        }
    }
    l
}

/// Reads a directory: the given input files, and the other `.tf`,
/// `.tf.json` and `.tfvars` files from disk.
fn load_dir(l: &mut Loaded, dir: &Path, inputs: Vec<Given>, parses: Option<&Parses>) {
    let input = !inputs.is_empty();
    let mut named: HashMap<std::ffi::OsString, Given> = inputs
        .into_iter()
        .map(|g| (g.file.path.as_deref().and_then(Path::file_name).unwrap_or_default().to_owned(), g))
        .collect();
    let mut tf: Vec<(std::ffi::OsString, PathBuf)> = Vec::new();
    let mut vars: Vec<(bool, std::ffi::OsString, PathBuf)> = Vec::new();
    let listed = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
    for entry in std::fs::read_dir(l.root.join(listed)).into_iter().flatten().flatten() {
        let name = entry.file_name();
        let Some(s) = name.to_str() else { continue };
        if syntax_of(s).is_some() {
            tf.push((name.clone(), listed.join(&name)));
        } else if s == "terraform.tfvars" || s.ends_with(".auto.tfvars") {
            vars.push((s != "terraform.tfvars", name.clone(), listed.join(&name)));
        }
    }
    // An input file the directory listing did not show (a path that is not
    // the directory's own name for it): keep it all the same.
    for name in named.keys() {
        if !tf.iter().any(|(n, _)| n == name) {
            tf.push((name.clone(), dir.join(name)));
        }
    }
    tf.sort();
    vars.sort();
    // The files not given are read and parsed on all cores, in name order.
    let pending: Vec<Result<Given, (Syntax, PathBuf)>> = tf
        .into_iter()
        .map(|(name, path)| {
            named
                .remove(&name)
                .ok_or_else(|| (syntax_of(name.to_str().unwrap_or_default()).unwrap_or(Syntax::Hcl), path))
        })
        .collect();
    let root = &l.root;
    let ready: Vec<Option<Ready>> = pending
        .into_par_iter()
        .map(|p| match p {
            Ok(g) => Some((g.file.name, g.file.text, true, g.syntax, g.parsed)),
            Err((syntax, path)) => read_beside(root, &path, syntax, parses),
        })
        .collect();
    let ready_vars: Vec<Option<Ready>> =
        vars.into_par_iter().map(|(_, _, path)| read_beside(root, &path, Syntax::Vars, parses)).collect();
    let files: Vec<u32> = ready
        .into_iter()
        .flatten()
        .map(|(name, text, given, syntax, parsed)| l.add_file(name, text, given, syntax, parsed))
        .collect();
    let tfvars: Vec<u32> = ready_vars
        .into_iter()
        .flatten()
        .map(|(name, text, given, syntax, parsed)| l.add_file(name, text, given, syntax, parsed))
        .collect();
    let installed = read_modules_json(&l.root, dir);
    l.by_path.insert(dir.to_path_buf(), l.dirs.len());
    l.dirs.push(Dir { path: dir.to_path_buf(), shown: shown(dir), files, tfvars, installed, input });
}

/// `.terraform/modules/modules.json`, which `terraform init` writes: where
/// each module of the configuration was installed.
fn read_modules_json(root: &Path, dir: &Path) -> HashMap<String, PathBuf> {
    let mut out = HashMap::new();
    let Some(text) = read_text(&root.join(dir).join(".terraform/modules/modules.json")) else { return out };
    let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) else { return out };
    for m in v.get("Modules").and_then(|m| m.as_array()).into_iter().flatten() {
        let (Some(key), Some(d)) =
            (m.get("Key").and_then(|k| k.as_str()), m.get("Dir").and_then(|d| d.as_str()))
        else {
            continue;
        };
        if !key.is_empty() {
            out.insert(key.to_owned(), normalize(&dir.join(d)));
        }
    }
    out
}

/// The `source` of every `module` block of a directory, where it is a
/// literal.
fn module_sources(l: &Loaded, d: usize) -> Vec<String> {
    let mut out = Vec::new();
    for &f in &l.dirs[d].files {
        match l.files[f as usize].syntax {
            Syntax::Hcl => {
                let Some(body) = &l.hcl[f as usize] else { continue };
                for s in body.iter() {
                    if let Structure::Block(b) = s
                        && b.ident.as_str() == "module"
                        && let Some(a) = b.body.get_attribute("source")
                        && let hcl_edit::expr::Expression::String(s) = &a.value
                    {
                        out.push(s.value().clone());
                    }
                }
            }
            Syntax::Json => {
                let Ok(v) = serde_json::from_str::<serde_json::Value>(&l.files[f as usize].text) else {
                    continue;
                };
                let modules = match v.get("module") {
                    Some(serde_json::Value::Array(items)) => items.iter().collect(),
                    Some(m) => vec![m],
                    None => Vec::new(),
                };
                for m in modules {
                    for (_, call) in m.as_object().into_iter().flatten() {
                        let calls = match call {
                            serde_json::Value::Array(items) => items.iter().collect(),
                            c => vec![c],
                        };
                        for c in calls {
                            if let Some(s) = c.get("source").and_then(|s| s.as_str()) {
                                out.push(s.to_owned());
                            }
                        }
                    }
                }
            }
            Syntax::Vars => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_normalize_without_the_file_system() {
        assert_eq!(normalize(Path::new("a/./b/../c")), PathBuf::from("a/c"));
        assert_eq!(normalize(Path::new("./x")), PathBuf::from("x"));
        assert_eq!(normalize(Path::new("../../m")), PathBuf::from("../../m"));
        assert_eq!(normalize(Path::new("a/../../m")), PathBuf::from("../m"));
        assert_eq!(normalize(Path::new("")), PathBuf::from("."));
    }
}
