//! Terraform source (`.tf`, `.tf.json`), evaluated as Terraform evaluates
//! it: a module is its directory; a root module's `module` blocks
//! instantiate the modules they call with their arguments; `count` and
//! `for_each` make instances; expressions, `dynamic` blocks, templates and
//! functions are evaluated. What the source does not settle stays unknown
//! (shown as `{{var.x}}`), and a policy that could not be built is noted
//! (`unresolved-policy`), never guessed.
//!
//! Spans name the file of the reading they are in, so a finding points at
//! the line that decides: the argument in the caller when a value came
//! from there.

mod attributes;
mod config;
mod document;
mod eval;
mod extract;
mod functions;
mod hcl;
mod instance;
mod module;
mod references;
mod suppress;
mod types;
mod value;

use std::collections::HashSet;
use std::sync::Arc;

use rayon::prelude::*;

use super::Extracted;
use crate::model::Problem;
use crate::model::symbolic::{STACK_ACCOUNT, stack_account};
use crate::source::Span;
use crate::syntax::json::{Kind, Value};
use config::Syntax;
pub use config::{InputFile, Parses};
use instance::{Instance, Reading};
use value::Budget;

/// What the values one root module builds and copies may weigh in all
/// (about their bytes, see `Value::weight`), and the steps it may take.
const BUDGET_WEIGHT: u64 = 64 << 20;
const BUDGET_STEPS: u64 = 4_000_000;

/// A file of a Terraform reading.
#[derive(Debug)]
pub struct File {
    pub name: String,
    pub text: Arc<str>,
    /// The user asked to check it and it declares IAM resources, policy
    /// documents or module calls: it counts as a file checked.
    pub counted: bool,
    /// The user asked to check it but it declares none of that.
    pub skipped: bool,
}

/// Everything a set of Terraform files gave: the files (which spans index),
/// what was extracted, and the input files that do not parse.
#[derive(Debug, Default)]
pub struct Read {
    pub files: Vec<File>,
    pub extracted: Extracted,
    pub problems: Vec<Problem>,
}

pub(super) fn span(r: Option<std::ops::Range<usize>>) -> Span {
    module::span(0, r)
}

/// Reads Terraform files: groups them by module directory, loads the
/// modules they call, and evaluates every root module (a directory no
/// other one given calls).
pub fn read(inputs: Vec<InputFile>) -> Read {
    read_with(std::path::Path::new(""), inputs, &|_| None, None)
}

/// [`read`], with the account each root deploys to where the user says
/// (`[stack-accounts]`, matched against a root's files): elsewhere each root
/// is an account of its own, so same-named roles of two roots stay apart.
/// Relative paths are read from `root` (empty: the working directory). A
/// file `parses` holds is not parsed again; those parsed are added to it.
pub fn read_with(
    root: &std::path::Path,
    inputs: Vec<InputFile>,
    account_of: &(dyn Fn(&str) -> Option<String> + Sync),
    parses: Option<&Parses>,
) -> Read {
    let loaded = config::load(root, inputs, parses);
    let mut problems: Vec<(u32, Problem)> = loaded.problems.clone();
    let trees = module::JsonTrees::parse(&loaded, &mut problems);
    let modules = module::index(&loaded, &trees);
    let roots = roots(&loaded, &modules);

    let parts: Vec<Extracted> = roots
        .par_iter()
        .map(|&root| {
            let reading = Reading {
                loaded: &loaded,
                modules: &modules,
                budget: Budget::new(BUDGET_WEIGHT, BUDGET_STEPS),
                account: root_account(&loaded, root, account_of),
                used_documents: std::cell::RefCell::default(),
            };
            let inst = Instance::root(&reading, root);
            let mut out = Extracted::default();
            extract::root(&inst, &mut out);
            out
        })
        .collect();
    let mut extracted = Extracted::default();
    for p in parts {
        extracted.merge(p);
    }
    for (i, f) in loaded.files.iter().enumerate() {
        if f.input
            && f.syntax == Syntax::Hcl
            && let Some(body) = &loaded.hcl[i]
        {
            let file = u32::try_from(i).unwrap_or(u32::MAX);
            let mut found = Vec::new();
            for s in body.iter() {
                if let hcl_edit::structure::Structure::Block(b) = s
                    && matches!(b.ident.as_str(), "resource" | "data" | "module")
                {
                    suppress::collect(&f.text, s, &mut found);
                }
            }
            extracted.suppressions.extend(found.into_iter().map(|mut s| {
                s.span = s.span.in_file(file);
                s.scope = s.scope.in_file(file);
                s
            }));
        }
    }
    let failed: HashSet<u32> = problems.iter().map(|(f, _)| *f).collect();
    let files = loaded
        .files
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let id = u32::try_from(i).unwrap_or(u32::MAX);
            let dir = loaded.dirs.iter().position(|d| d.files.contains(&id));
            let relevant = failed.contains(&id) || dir.is_some_and(|d| modules[d].declares_iam_in(id));
            File {
                name: f.name.clone(),
                text: Arc::clone(&f.text),
                counted: f.input && relevant,
                skipped: f.input && !relevant,
            }
        })
        .collect();
    Read { files, extracted, problems: problems.into_iter().map(|(_, p)| p).collect() }
}

/// The account a root deploys to: the one the user names for one of its
/// files, else a symbol of its own.
fn root_account(
    loaded: &config::Loaded,
    root: usize,
    account_of: &(dyn Fn(&str) -> Option<String> + Sync),
) -> String {
    let dir = &loaded.dirs[root];
    dir.files.iter().find_map(|&f| account_of(&loaded.files[f as usize].name)).unwrap_or_else(|| {
        if dir.path.as_os_str().is_empty() { STACK_ACCOUNT.to_owned() } else { stack_account(&dir.shown) }
    })
}

/// The directories to evaluate as roots: those given that no other given
/// directory calls (a module checked on its own uses its defaults), and any
/// given directory only reachable through a cycle of calls.
fn roots(loaded: &config::Loaded, modules: &[module::Module<'_>]) -> Vec<usize> {
    let given: Vec<usize> = (0..loaded.dirs.len()).filter(|&d| loaded.dirs[d].input).collect();
    let calls = |d: usize| -> Vec<usize> {
        modules[d]
            .calls
            .iter()
            .filter_map(|c| {
                let source = c.body.attr("source").and_then(|a| a.value.literal()).unwrap_or_default();
                loaded.local_source(d, source).or_else(|| loaded.installed(d, c.label))
            })
            .collect()
    };
    let called: HashSet<usize> = given.iter().flat_map(|&d| calls(d)).collect();
    let mut roots: Vec<usize> = given.iter().copied().filter(|d| !called.contains(d)).collect();
    // Reachable from those roots.
    let mut seen: HashSet<usize> = roots.iter().copied().collect();
    let mut stack = roots.clone();
    while let Some(d) = stack.pop() {
        for c in calls(d) {
            if seen.insert(c) {
                stack.push(c);
            }
        }
    }
    roots.extend(given.iter().copied().filter(|d| !seen.contains(d)));
    roots.sort_unstable();
    roots.dedup();
    roots
}

/// Reads one file on its own (standard input, or a JSON file recognised by
/// its content): a module of that file alone.
pub fn read_one(name: &str, text: &str) -> Read {
    read(vec![InputFile { path: None, name: name.to_owned(), text: Arc::from(text) }])
}

/// An object, or each object of an array (Terraform's JSON syntax allows both
/// wherever blocks are repeated).
fn each_object<'v, 's>(v: Option<&'v Value<'s>>) -> Vec<&'v Value<'s>> {
    match v.map(|v| &v.kind) {
        Some(Kind::Object(_)) => v.into_iter().collect(),
        Some(Kind::Array(items)) => items.iter().filter(|i| i.as_object().is_some()).collect(),
        _ => Vec::new(),
    }
}

/// Whether a parsed JSON file is Terraform source in JSON syntax: a
/// `resource` or `data` object with `aws_iam_*` members.
pub fn detect_json(root: &Value<'_>) -> bool {
    ["resource", "data"].iter().any(|k| {
        each_object(root.get(k))
            .iter()
            .any(|types| types.as_object().unwrap_or_default().iter().any(|m| m.key.starts_with("aws_iam_")))
    })
}

/// The blocks Terraform knows at the top level of a module.
const TOP_LEVEL_BLOCKS: [&str; 12] = [
    "resource",
    "data",
    "module",
    "variable",
    "output",
    "locals",
    "provider",
    "terraform",
    "moved",
    "import",
    "check",
    "removed",
];

/// Whether text read from standard input (or a file whose name says
/// nothing) is Terraform source: a line that opens a block Terraform knows
/// at the top level, its labels quoted or bare (`resource "aws_iam_role"
/// "ci" {`, `resource aws_iam_role ci {`, `locals{`). Top-level blocks start
/// their line: an indented one is text inside something else (a YAML block
/// scalar, a heredoc).
pub fn looks_like_hcl(text: &str) -> bool {
    text.lines().map(|l| l.trim_start_matches('\u{feff}')).any(|l| {
        TOP_LEVEL_BLOCKS.iter().any(|k| {
            let Some(rest) = l.strip_prefix(k) else { return false };
            let labels = rest.trim_start_matches([' ', '\t']);
            let spaced = labels.len() < rest.len();
            labels.starts_with('{')
                || (spaced && labels.starts_with('"'))
                || (spaced
                    && labels.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                    && labels.trim_end().ends_with('{'))
        })
    })
}

#[cfg(test)]
mod tests;
