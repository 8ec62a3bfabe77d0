//! The pipeline: read and parse every input in parallel, extract policies,
//! gather what the inputs say about accounts, run the rules in parallel, sort.

use std::collections::BTreeSet;
use std::collections::hash_map::Entry;
use std::io::Read;
use std::sync::Arc;

use foldhash::HashMap;
use rayon::prelude::*;

use crate::diagnostic::{Finding, Severity};
use crate::discover::Input;
use crate::error::Error;
use crate::eval::Env;
use crate::model::Problem;
use crate::rules::{self, Context, InvalidPolicy, UnresolvedPolicy};
use crate::settings::Settings;
use crate::source::SourceFile;
use crate::sources::{self, Entity, Extracted, Unit};
use crate::support::index::Index;
use crate::syntax::text;

mod memo;
pub use memo::Memo;

/// Everything the inputs say, gathered across files: every policy, every
/// user, group and role, the managed policies, and the accounts known to be
/// yours.
#[derive(Debug, Default)]
pub struct Inventory {
    pub units: Vec<Unit>,
    /// The file each unit was read from.
    pub unit_file: Vec<usize>,
    /// For units read with others from several files (a Terraform
    /// module): which file each `Span::file` of theirs is.
    unit_table: Vec<Option<u32>>,
    tables: Vec<Vec<usize>>,
    /// Users, groups and roles; their `inline` and `trust` index `units`.
    pub entities: Vec<Entity>,
    pub entity_file: Vec<usize>,
    /// Managed policy ARN → the unit of its default version.
    pub managed: HashMap<String, usize>,
    /// Accounts known to be yours: `--trusted-account`, organization
    /// members, and the accounts of every exported principal.
    pub accounts: Arc<BTreeSet<String>>,
    /// The OpenID Connect providers each file sees, by file. The files of
    /// one reading (a Terraform configuration and its modules) share one
    /// list: a copy for each file would grow as providers × files.
    pub oidc_providers: HashMap<usize, Arc<Vec<sources::OidcProvider>>>,
    /// Entities by kind and ARN.
    by_arn: Index,
}

/// What `Inventory::by_arn` finds the entity at `i` by: its kind and ARN.
fn entity_key(entities: &[Entity], i: usize) -> (Option<sources::OwnerKind>, Option<&str>) {
    (entities[i].kind, entities[i].arn.as_deref())
}

/// Adds what a second export says about an entity to the first's.
fn merge(into: &mut Entity, other: Entity, units: &[Unit]) {
    into.inline.extend(other.inline);
    for m in other.managed {
        if !into.managed.contains(&m) {
            into.managed.push(m);
        }
    }
    into.boundary = into.boundary.take().or(other.boundary);
    for g in other.groups {
        if !into.groups.contains(&g) {
            into.groups.push(g);
        }
    }
    // Prefer the trust policy that comes with the role's session duration.
    let has_duration = |t: Option<usize>| t.is_some_and(|t| units[t].max_session_duration.is_some());
    if into.trust.is_none() || (!has_duration(into.trust) && has_duration(other.trust)) {
        into.trust = other.trust.or(into.trust);
    }
}

impl Inventory {
    /// The owner of the trust policy of the role `arn`, when a template
    /// declares it (it then has a logical id).
    pub fn template_owner(&self, arn: &str) -> Option<&sources::Owner> {
        let i = self.entity(sources::OwnerKind::Role, arn)?;
        let owner = &self.units[self.entities[i].trust?].owner;
        owner.logical_id.is_some().then_some(owner)
    }

    /// The entity of that kind and ARN.
    fn entity(&self, kind: sources::OwnerKind, arn: &str) -> Option<usize> {
        self.by_arn.get(&(Some(kind), Some(arn)), |i| entity_key(&self.entities, i))
    }

    /// The file a span of `unit`'s policy is in.
    pub fn file_of(&self, unit: usize, span: crate::source::Span) -> usize {
        match self.unit_table[unit] {
            Some(t) => {
                self.tables[t as usize].get(span.file as usize).copied().unwrap_or(self.unit_file[unit])
            }
            None => self.unit_file[unit],
        }
    }

    /// Room for `units` units.
    fn reserve(&mut self, units: usize) {
        self.units.reserve_exact(units);
        self.unit_file.reserve_exact(units);
        self.unit_table.reserve_exact(units);
    }

    fn add(&mut self, file: usize, x: Extracted) {
        self.add_with(file, None, x);
    }

    /// Adds what a reading of several files found; `table` maps the file
    /// of each span to the analysis's files.
    fn add_with(&mut self, file: usize, table: Option<Vec<usize>>, mut x: Extracted) {
        if !x.oidc_providers.is_empty() {
            // A provider of a module is seen from every file of it.
            let shared = Arc::new(std::mem::take(&mut x.oidc_providers));
            for &f in table.as_deref().unwrap_or(&[file]) {
                match self.oidc_providers.entry(f) {
                    Entry::Vacant(e) => {
                        e.insert(Arc::clone(&shared));
                    }
                    Entry::Occupied(mut e) => Arc::make_mut(e.get_mut()).extend(shared.iter().cloned()),
                }
            }
        }
        let base = self.units.len();
        let t = table.map(|t| {
            self.tables.push(t);
            u32::try_from(self.tables.len() - 1).unwrap_or(u32::MAX)
        });
        self.unit_file.extend(x.units.iter().map(|u| match t {
            Some(t) => self.tables[t as usize].get(u.policy.span.file as usize).copied().unwrap_or(file),
            None => file,
        }));
        self.unit_table.extend(std::iter::repeat_n(t, x.units.len()));
        if self.units.is_empty() && x.units.len() > self.units.capacity() {
            // The one file of a large export: its units as they are, not
            // copied next to themselves.
            self.units = x.units;
        } else {
            self.units.extend(x.units);
        }
        self.entities.reserve(x.entities.len());
        self.entity_file.reserve(x.entities.len());
        for mut e in x.entities {
            e.inline.iter_mut().for_each(|u| *u += base);
            e.trust = e.trust.map(|u| u + base);
            let known = e.kind.zip(e.arn.as_deref()).map(|(kind, arn)| self.entity(kind, arn));
            if let Some(Some(i)) = known {
                // The same principal from two exports (say an authorization
                // details export and `list-roles`): one entity with both.
                merge(&mut self.entities[i], e, &self.units);
            } else {
                self.entities.push(e);
                self.entity_file.push(file);
                if known.is_some() {
                    let entities = &self.entities;
                    self.by_arn.insert(entities.len() - 1, |i| entity_key(entities, i));
                }
            }
        }
        for (arn, u) in x.managed {
            self.managed.entry(arn).or_insert(u + base);
        }
    }
}

/// The result of checking a set of inputs.
#[derive(Debug, Default)]
pub struct Analysis {
    pub files: Vec<SourceFile>,
    pub inventory: Inventory,
    pub findings: Vec<Finding>,
    /// Policy documents read.
    pub policies: usize,
    /// Files met while walking that are not IAM documents.
    pub skipped: usize,
    /// Entries met while walking or by a glob that are not files (pipes,
    /// sockets, devices): passed over unread.
    pub not_files: usize,
    /// Files read only for what they declare (the variables and called
    /// modules of a Terraform configuration): in `files` for their places,
    /// not counted as checked.
    pub uncounted: usize,
    /// Files that do not parse (each has an `invalid-policy` finding, when
    /// that rule runs).
    pub unparsed: Vec<usize>,
    /// Inputs that could not be read (exit code 2).
    pub errors: Vec<Error>,
    /// What the run has to say on standard error besides findings and
    /// errors (an `exclude` that matched nothing, a run that checked
    /// nothing).
    pub warnings: Vec<String>,
    /// Findings silenced by a suppression, with how.
    pub suppressed: Vec<(Finding, crate::suppress::Suppression)>,
    /// `[[suppress]]` entries that matched no finding (where they are written).
    pub unused_suppressions: Vec<String>,
    /// Findings left out because a baseline holds them.
    pub baselined: usize,
    /// The organization taken as yours (`--org-id`): what a report that
    /// draws the assume-role graph needs to build it as the rules did.
    pub org_id: Option<String>,
}

impl Analysis {
    /// The files checked (not those read only for what they declare).
    pub fn checked_files(&self) -> usize {
        self.files.len() - self.uncounted
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.findings.iter().filter(|f| f.severity == severity).count()
    }
}

/// What reading one input gave.
enum Loaded {
    Iam {
        file: SourceFile,
        extracted: Extracted,
    },
    /// An IAM document that does not parse.
    Unparseable {
        file: SourceFile,
        problem: Problem,
    },
    Skipped,
    Failed(Error),
}

impl Loaded {
    /// Lets go of the file's text once it is read (see
    /// [`SourceFile::release_text`]).
    fn release_text(&mut self) {
        if let Loaded::Iam { file, .. } | Loaded::Unparseable { file, .. } = self {
            file.release_text();
        }
    }
}

/// Checks every input with the settings' rules.
pub fn analyze(inputs: &[Input], settings: &Settings) -> Analysis {
    analyze_with(inputs, settings, None)
}

/// [`analyze`], reusing what an analysis of the same files with the same
/// settings kept in `memo` (and keeping what this one reads).
pub fn analyze_with(inputs: &[Input], settings: &Settings, memo: Option<&Memo>) -> Analysis {
    let progress = crate::progress::Progress::start(settings.progress, "reading files", inputs.len());
    let (terraform, others): (Vec<&Input>, Vec<&Input>) = inputs.iter().partition(|i| is_terraform(i));
    let loaded: Vec<Loaded> = others
        .par_iter()
        .map(|i| {
            let l = load(i, settings, memo);
            progress.step();
            l
        })
        .collect();
    let (terraform, terraform_errors) = read_terraform(&terraform, settings, &progress, memo);
    progress.stage("checking policies and role chains", 0);

    let mut analysis = Analysis::default();
    // Room for every file and (most often) a policy in each, not lists
    // grown by doubling: each doubling copies the list into fresh memory.
    analysis.files.reserve_exact(loaded.len());
    let mut inventory = Inventory::default();
    inventory.reserve(loaded.len());
    let mut problems: Vec<(usize, Problem, sources::Concern)> = Vec::new();
    let mut unresolved: Vec<(usize, Problem, sources::Concern)> = Vec::new();
    let mut accounts: BTreeSet<String> = settings.trusted_accounts.clone();
    let mut inline = Vec::new();
    for l in loaded {
        match l {
            Loaded::Iam { file, extracted: mut x } => {
                let id = analysis.files.len();
                analysis.files.push(file);
                inline.extend(x.suppressions.drain(..).map(|s| (id, s)));
                accounts.extend(x.accounts.drain(..));
                problems.extend(x.problems.drain(..).map(|(p, s)| (id, p, s)));
                unresolved.extend(x.unresolved.drain(..).map(|(p, s)| (id, p, s)));
                inventory.add(id, x);
            }
            Loaded::Unparseable { file, problem } => {
                analysis.unparsed.push(analysis.files.len());
                problems.push((analysis.files.len(), problem, sources::Concern::default()));
                analysis.files.push(file);
            }
            Loaded::Skipped => analysis.skipped += 1,
            Loaded::Failed(e) => analysis.errors.push(e),
        }
    }
    analysis.errors.extend(terraform_errors);
    if let Some(mut read) = terraform {
        let base = analysis.files.len();
        let table: Vec<usize> = (base..base + read.files.len()).collect();
        for f in read.files {
            if f.skipped {
                analysis.skipped += 1;
            }
            if !f.counted {
                analysis.uncounted += 1;
            }
            analysis.files.push(SourceFile::new(f.name, f.text));
        }
        let x = &mut read.extracted;
        let global = |span: crate::source::Span| table.get(span.file as usize).copied().unwrap_or(base);
        inline.extend(x.suppressions.drain(..).map(|s| (global(s.span), s)));
        problems.extend(x.problems.drain(..).map(|(p, s)| (global(p.span), p, s)));
        analysis.unparsed.extend(read.problems.iter().map(|p| global(p.span)));
        problems.extend(read.problems.into_iter().map(|p| (global(p.span), p, sources::Concern::default())));
        unresolved.extend(x.unresolved.drain(..).map(|(p, s)| (global(p.span), p, s)));
        inventory.add_with(base, Some(table.clone()), read.extracted);
    }
    inventory.accounts = Arc::new(accounts);
    analysis.policies = inventory.units.len();

    let enabled: Vec<&dyn rules::Rule> =
        rules::ALL.iter().copied().filter(|r| settings.rules.contains(&r.meta())).collect();
    let env_for =
        |unit: &Unit| Env::new(&inventory.accounts, settings.org_id.as_deref(), unit.owner.account());
    let each_policy = || -> Vec<Finding> {
        (0..inventory.units.len())
            .into_par_iter()
            .flat_map_iter(|i| {
                let unit = &inventory.units[i];
                let env = env_for(unit);
                let file = inventory.unit_file[i];
                let mut cx = Context {
                    unit,
                    env: &env,
                    oidc_providers: inventory.oidc_providers.get(&file).map_or(&[], |p| p.as_slice()),
                    max_session_duration: settings.max_session_duration,
                    file,
                    files: inventory.unit_table[i].map(|t| inventory.tables[t as usize].as_slice()),
                    findings: Vec::new(),
                };
                for rule in &enabled {
                    rule.check_policy(&mut cx);
                }
                cx.findings
            })
            .collect()
    };
    let graph_rules = || -> Vec<Finding> {
        if !enabled.iter().any(|r| r.uses_graph()) {
            return Vec::new();
        }
        let graph = crate::graph::TrustGraph::for_rules(&inventory, &analysis.files, settings);
        let mut cx =
            rules::GraphContext { graph: &graph, inventory: &inventory, settings, findings: Vec::new() };
        for rule in &enabled {
            rule.check_graph(&mut cx);
        }
        cx.findings
    };
    // Side by side: much of the graph's building is serial, and the rules
    // of each policy keep the other cores busy meanwhile.
    let (mut findings, chains) = rayon::join(each_policy, graph_rules);
    findings.reserve_exact(chains.len());
    findings.extend(chains);
    analysis.inventory = inventory;
    analysis.org_id.clone_from(&settings.org_id);
    drop(progress);

    if settings.rules.contains(&&UnresolvedPolicy::META) {
        findings.extend(unresolved.into_iter().map(|(file, p, concern)| Finding {
            rule: &UnresolvedPolicy::META,
            severity: UnresolvedPolicy::META.severity,
            message: p.message,
            file,
            span: p.span,
            pointer: p.pointer,
            subject: concern.subject,
            construct: concern.construct,
            label: None,
            help: Some("give the value a default or a `.tfvars` entry, run `terraform init` for remote modules, or check the plan (`terraform show -json`) instead".into()),
        }));
    }
    if settings.rules.contains(&&InvalidPolicy::META) {
        findings.extend(problems.into_iter().map(|(file, p, concern)| Finding {
            rule: &InvalidPolicy::META,
            severity: InvalidPolicy::META.severity,
            message: p.message,
            file,
            span: p.span,
            pointer: p.pointer,
            subject: concern.subject,
            construct: concern.construct,
            label: None,
            help: None,
        }));
    }
    let files = &analysis.files;
    let rank = name_ranks(files);
    sort(&mut findings, &rank);
    // Equal findings are next to each other now; most neighbours differ
    // in place or rule, compared first.
    findings.dedup_by(|a, b| a.file == b.file && a.span == b.span && a.rule.code == b.rule.code && a == b);
    let outcome = crate::suppress::apply(findings, files, &inline, settings);
    let mut findings = outcome.open;
    // The open findings keep their order; only the findings of unused
    // suppressions, made from the inline ones, come after them.
    if !inline.is_empty() {
        sort(&mut findings, &rank);
    }
    analysis.findings = findings;
    analysis.suppressed = outcome.suppressed;
    analysis.unused_suppressions = outcome.unused_config;
    analysis
}

/// Sorts findings by file name, position, rule, message and pointer: the
/// order of every report. Equal keys keep their order.
///
/// The findings are ordered through their indices, each file's name
/// compared once (as its rank among the names), and then moved: a finding
/// is large, and most share a file with the next.
fn sort(findings: &mut [Finding], rank: &[u32]) {
    // File and span first, as integers; the strings only between findings
    // at one place.
    let mut order: Vec<(u32, crate::source::Span, usize)> =
        findings.iter().enumerate().map(|(i, f)| (rank[f.file], f.span, i)).collect();
    order.sort_unstable();
    let text = |i: usize| {
        let f = &findings[i];
        (f.rule.code, f.message.as_str(), f.pointer.as_str())
    };
    for run in order.chunk_by_mut(|a, b| a.0 == b.0 && a.1 == b.1) {
        if run.len() > 1 {
            run.sort_by(|a, b| text(a.2).cmp(&text(b.2)).then(a.2.cmp(&b.2)));
        }
    }
    // Each finding moved to its place in the list itself, a cycle of the
    // permutation at a time: a second list of findings would double them
    // in memory.
    let mut from: Vec<usize> = order.into_iter().map(|o| o.2).collect();
    for start in 0..from.len() {
        let mut at = start;
        loop {
            let next = std::mem::replace(&mut from[at], usize::MAX);
            if next == start || next == usize::MAX {
                break;
            }
            findings.swap(at, next);
            at = next;
        }
    }
}

/// Each file's place among the files sorted by name (files of one name
/// share it).
fn name_ranks(files: &[SourceFile]) -> Vec<u32> {
    let mut by_name: Vec<usize> = (0..files.len()).collect();
    by_name.sort_unstable_by(|&a, &b| files[a].name.cmp(&files[b].name));
    let mut rank = vec![0; files.len()];
    let mut r = 0u32;
    for (i, w) in by_name.iter().enumerate() {
        if i > 0 && files[by_name[i - 1]].name != files[*w].name {
            r += 1;
        }
        rank[*w] = r;
    }
    rank
}

/// Text that suggests an IAM document even when it does not parse.
fn looks_like_iam(text: &str) -> bool {
    [
        "\"Statement\"",
        "\"AssumeRolePolicyDocument\"",
        "\"RoleDetailList\"",
        "\"PolicyDocument\"",
        "\"Effect\"",
        "AWSTemplateFormatVersion",
        "AWS::IAM::",
        "aws_iam_",
    ]
    .iter()
    .any(|k| text.contains(k))
}

fn load(input: &Input, settings: &Settings, memo: Option<&Memo>) -> Loaded {
    let (name, explicit) = match input {
        Input::Stdin => (settings.stdin_filename.clone().unwrap_or_else(|| input.display_name()), true),
        Input::File { explicit, .. } => (input.display_name(), *explicit),
        Input::Bytes { .. } => (input.display_name(), true),
    };
    // A large export is read piece by piece when no report shows its text.
    let large = (!settings.keep_text && memo.is_none() && sources::may_be_export(&name)).then_some(LARGE);
    let limit = settings.max_file_size;
    let bytes = match read(input, &settings.root, limit, large) {
        Ok(Contents::Whole(bytes)) => Ok(bytes),
        Ok(Contents::Large(mut file, size)) => {
            if let Some(loaded) = stream(&mut file, &name, limit) {
                return loaded;
            }
            // No export after all, or one of unusual shape: read whole.
            std::io::Seek::rewind(&mut file).and_then(|()| read_file(file, size, limit))
        }
        Err(e) => Err(e),
    };
    let bytes = match bytes {
        Ok(b) => b,
        Err(e) => {
            return Loaded::Failed(Error::Read { path: name, message: e.to_string() });
        }
    };
    let text: Arc<str> = match text::decode(bytes) {
        Ok(t) => t.into(),
        Err(e) if explicit => {
            return Loaded::Failed(Error::NotIam { path: name, reason: e.to_string() });
        }
        Err(_) => return Loaded::Skipped,
    };
    let account = if settings.stack_accounts.is_empty() {
        None
    } else {
        let cwd = settings.working_dir();
        let path = std::path::Path::new(&name);
        settings.stack_accounts.iter().find(|(glob, _)| glob.matches(path, &cwd)).map(|(_, a)| a.as_str())
    };
    let Some(memo) = memo else {
        let mut l = interpret(SourceFile::new(name, text), explicit, account);
        if !settings.keep_text {
            l.release_text();
        }
        return l;
    };
    let reading = memo::Reading { name: &name, explicit, account };
    if let Some(l) = memo.take(&reading, &text) {
        return l;
    }
    let l = interpret(SourceFile::new(name.clone(), Arc::clone(&text)), explicit, account);
    memo.keep(&reading, &text, &l);
    l
}

/// Files from this size on are read piece by piece when they may be an
/// export (see [`stream`]).
const LARGE: u64 = 1 << 20;

/// A large `get-account-authorization-details` export read piece by piece,
/// its text never whole (see [`sources::read_export`]). `None` for any
/// other file, and for an export of unusual shape or with a byte that is
/// not ASCII: those are read whole, which gives the same result or the
/// exact error.
fn stream(file: &mut std::fs::File, name: &str, limit: u64) -> Option<Loaded> {
    // A file that grew past the limit since is read whole, and refused.
    let read = sources::read_export(file.by_ref().take(limit.saturating_add(1))).ok()?;
    if read.len as u64 > limit {
        return None;
    }
    let file = SourceFile::without_text(name.to_owned(), read.len, read.line_starts);
    Some(Loaded::Iam { file, extracted: read.extracted })
}

/// What a file holds: IAM, an IAM document that does not parse, or nothing
/// to check.
fn interpret(file: SourceFile, explicit: bool, account: Option<&str>) -> Loaded {
    let mut lines = None;
    let read = sources::read_in(&file.name, file.text(), account, &mut lines);
    if let Some(starts) = lines {
        file.know_line_starts(starts);
    }
    match read {
        Ok(Some((_, extracted))) => Loaded::Iam { file, extracted },
        // A named file that does not parse as what its name says it is, is
        // a finding; one whose name promises nothing only when it looks
        // like IAM.
        Err(problem) if (explicit && claims_a_format(&file.name)) || looks_like_iam(file.text()) => {
            Loaded::Unparseable { file, problem }
        }
        // Valid JSON, YAML or HCL that holds no IAM is skipped and counted,
        // named or not: tools such as pre-commit name every changed file.
        Ok(None) | Err(_) => Loaded::Skipped,
    }
}

/// Whether a file's name says it is one of the formats read (standard
/// input, or a file without an extension, is taken at its word too).
fn claims_a_format(name: &str) -> bool {
    match std::path::Path::new(name).extension().and_then(|e| e.to_str()) {
        None => true,
        Some(ext) => crate::discover::EXTENSIONS.iter().any(|x| x.eq_ignore_ascii_case(ext)),
    }
}

/// Whether an input is Terraform source, read with its module. Terraform
/// reads only these exact (lowercase) suffixes.
#[allow(clippy::case_sensitive_file_extension_comparisons)]
fn is_terraform(input: &Input) -> bool {
    match input {
        // The end of the path is the end of its file's name.
        Input::File { path, .. } => {
            let path = path.as_os_str().as_encoded_bytes();
            path.ends_with(b".tf") || path.ends_with(b".tf.json")
        }
        Input::Bytes { name, .. } => name.ends_with(".tf") || name.ends_with(".tf.json"),
        Input::Stdin => false,
    }
}

/// Reads the Terraform inputs and evaluates their modules together.
fn read_terraform(
    inputs: &[&Input],
    settings: &Settings,
    progress: &crate::progress::Progress,
    memo: Option<&Memo>,
) -> (Option<sources::terraform::Read>, Vec<Error>) {
    if inputs.is_empty() {
        return (None, Vec::new());
    }
    let read: Vec<Result<sources::terraform::InputFile, Error>> = inputs
        .par_iter()
        .map(|i| {
            let name = i.display_name();
            let path = match i {
                Input::File { path, .. } => Some(path.clone()),
                Input::Stdin | Input::Bytes { .. } => None,
            };
            let bytes = read_whole(i, &settings.root, settings.max_file_size)
                .map_err(|e| Error::Read { path: name.clone(), message: e.to_string() })?;
            let text = text::decode(bytes)
                .map_err(|e| Error::NotIam { path: name.clone(), reason: e.to_string() })?;
            progress.step();
            Ok(sources::terraform::InputFile { path, name, text: Arc::from(text) })
        })
        .collect();
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for r in read {
        match r {
            Ok(f) => files.push(f),
            Err(e) => errors.push(e),
        }
    }
    let cwd = settings.working_dir();
    let account_of = |name: &str| {
        let path = std::path::Path::new(name);
        settings.stack_accounts.iter().find(|(glob, _)| glob.matches(path, &cwd)).map(|(_, a)| a.clone())
    };
    let parses = memo.map(|m| &m.terraform);
    (Some(sources::terraform::read_with(&settings.root, files, &account_of, parses)), errors)
}

/// What [`read`] gives: an input's bytes, or a regular file of at least
/// the size asked for, left open (with its size) to be read piece by piece.
enum Contents {
    Whole(Vec<u8>),
    Large(std::fs::File, u64),
}

/// Reads an input whole, refusing it as soon as it is known to be larger
/// than `limit`: a file's size is looked at before it is read, a stream's
/// bytes are counted as they come. A relative path is read from `root`. A
/// regular file of `large` bytes or more is left open instead.
fn read(input: &Input, root: &std::path::Path, limit: u64, large: Option<u64>) -> std::io::Result<Contents> {
    let reader: Box<dyn Read> = match input {
        Input::Stdin => Box::new(std::io::stdin().lock()),
        Input::Bytes { bytes, .. } => {
            return if bytes.len() as u64 > limit {
                Err(too_large(limit))
            } else {
                Ok(Contents::Whole(bytes.to_vec()))
            };
        }
        // A walk or a glob saw a regular file here: opened first and looked
        // at through the open file, one lookup of its path instead of two.
        Input::File { path, explicit: false } => {
            let mut file = open_found(&root.join(path))?;
            // Most files a walk finds end within one buffer: read so, they
            // need no look at their metadata (one system call of five).
            if let Some(bytes) = read_small(&mut file) {
                return if bytes.len() as u64 > limit {
                    Err(too_large(limit))
                } else {
                    Ok(Contents::Whole(bytes))
                };
            }
            let meta = file.metadata()?;
            if meta.is_dir() {
                return Err(std::io::Error::other("is a directory"));
            }
            if !meta.is_file() {
                // It was one when the walk met it.
                return Err(std::io::Error::other("is no longer a regular file"));
            }
            std::io::Seek::rewind(&mut file)?;
            return regular(file, meta.len(), limit, large);
        }
        Input::File { path, .. } => {
            let path = &root.join(path);
            let meta = std::fs::metadata(path)?;
            if meta.is_dir() {
                return Err(std::io::Error::other("is a directory"));
            }
            if is_device(&meta) {
                return Err(std::io::Error::other("is a device, not a file"));
            }
            if meta.is_file() && meta.len() > limit {
                return Err(too_large(limit));
            }
            let file = std::fs::File::open(path)?;
            if meta.is_file() {
                return regular(file, meta.len(), limit, large);
            }
            Box::new(file)
        }
    };
    read_capped(reader, limit)
        .map(Contents::Whole)
        .map_err(|e| if e.kind() == std::io::ErrorKind::FileTooLarge { too_large(limit) } else { e })
}

/// A regular file of `size` bytes: refused when larger than `limit`, left
/// open when of `large` bytes or more, read whole otherwise.
fn regular(file: std::fs::File, size: u64, limit: u64, large: Option<u64>) -> std::io::Result<Contents> {
    if size > limit {
        return Err(too_large(limit));
    }
    if large.is_some_and(|large| size >= large) {
        return Ok(Contents::Large(file, size));
    }
    read_file(file, size, limit).map(Contents::Whole)
}

/// The bytes of a file that ends within 64 KiB, read to its end from where
/// it stands; `None` when it does not, when it gives nothing (an empty
/// file, or a pipe without a writer or a device that a file was replaced
/// by since the walk), or when reading fails: the caller then looks at what
/// the file is and reads it again.
fn read_small(file: &mut std::fs::File) -> Option<Vec<u8>> {
    const SMALL: usize = 1 << 16;
    thread_local! {
        static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    BUFFER.with_borrow_mut(|buf| {
        buf.resize(SMALL, 0);
        let mut len = 0;
        // A read that returns less than asked is not the end of every
        // file system's files: the end is a read that returns nothing.
        while len < SMALL {
            match file.read(&mut buf[len..]) {
                Ok(0) => return (len > 0).then(|| buf[..len].to_vec()),
                Ok(n) => len += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => return None,
            }
        }
        None
    })
}

/// [`read`], every input whole.
fn read_whole(input: &Input, root: &std::path::Path, limit: u64) -> std::io::Result<Vec<u8>> {
    match read(input, root, limit, None)? {
        Contents::Whole(bytes) => Ok(bytes),
        Contents::Large(file, size) => read_file(file, size, limit),
    }
}

fn too_large(limit: u64) -> std::io::Error {
    std::io::Error::other(format!(
        "larger than the input size limit of {} (`--max-file-size`)",
        crate::settings::show_size(limit)
    ))
}

/// Reads a regular file of `size` bytes (as its metadata said) from where
/// it stands to its end, refusing it past `limit`.
fn read_file(file: std::fs::File, size: u64, limit: u64) -> std::io::Result<Vec<u8>> {
    // Its size is known: one allocation of the right size.
    let mut buf = Vec::with_capacity(usize::try_from(size).unwrap_or(0).saturating_add(1));
    file.take(limit.saturating_add(1)).read_to_end(&mut buf)?;
    if buf.len() as u64 > limit { Err(too_large(limit)) } else { Ok(buf) }
}

/// Reads a stream to its end, failing (`FileTooLarge`) as soon as it
/// passes `limit` bytes; the buffer grows by doubling but never beyond the
/// limit, so an endless stream costs about twice the limit in memory at
/// most.
fn read_capped(mut reader: impl Read, limit: u64) -> std::io::Result<Vec<u8>> {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let mut buf: Vec<u8> = Vec::new();
    let mut chunk = vec![0u8; 1 << 16];
    loop {
        let n = match reader.read(&mut chunk) {
            Ok(0) => return Ok(buf),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buf.len() + n > limit {
            return Err(std::io::ErrorKind::FileTooLarge.into());
        }
        if buf.capacity() - buf.len() < n {
            let want = (buf.capacity() * 2).max(1 << 16).min(limit).max(buf.len() + n);
            buf.reserve_exact(want - buf.len());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

#[cfg(unix)]
fn is_device(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::FileTypeExt;
    meta.file_type().is_char_device() || meta.file_type().is_block_device()
}

/// Opens a file a walk found without blocking: should it have become a
/// pipe since, opening it must not wait for a writer.
#[cfg(unix)]
fn open_found(path: &std::path::Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new().read(true).custom_flags(libc::O_NONBLOCK).open(path)
}

#[cfg(not(unix))]
fn open_found(path: &std::path::Path) -> std::io::Result<std::fs::File> {
    std::fs::File::open(path)
}

#[cfg(not(unix))]
fn is_device(_: &std::fs::Metadata) -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;

    fn finding(file: usize, start: u32, rule: &'static str, message: &str, help: &str) -> Finding {
        let rule = rules::find(rule).expect("a rule of that name");
        Finding {
            rule,
            severity: rule.severity,
            message: message.to_owned(),
            file,
            span: Span::new(start, start + 1),
            pointer: String::new(),
            subject: None,
            construct: None,
            label: None,
            help: Some(help.to_owned()),
        }
    }

    #[test]
    fn findings_sort_by_file_name_place_rule_and_message_keeping_ties_in_order() {
        // Files listed as a walk lists them (`a/` before `a-b/`), not by name.
        let files: Vec<SourceFile> = ["a/x.json", "a-b/y.json", "a/x.json"]
            .into_iter()
            .map(|n| SourceFile::new(n.to_owned(), ""))
            .collect();
        let mut findings = vec![
            finding(0, 5, "wildcard-principal", "m", "1"),
            finding(1, 9, "wildcard-principal", "m", "2"),
            finding(0, 5, "missing-external-id", "m", "3"),
            finding(2, 1, "wildcard-principal", "m", "4"),
            finding(0, 5, "missing-external-id", "l", "5"),
            finding(0, 5, "wildcard-principal", "m", "6"),
            finding(1, 2, "wildcard-principal", "m", "7"),
        ];
        // And many, in an order with cycles of every length.
        for i in 0..300u32 {
            let rule = if i % 3 == 0 { "missing-external-id" } else { "wildcard-principal" };
            findings.push(finding((i * 7 % 3) as usize, i * 37 % 101, rule, &(i % 5).to_string(), "x"));
        }
        let mut want = findings.clone();
        want.sort_by(|a, b| {
            (&files[a.file].name, a.span, a.rule.code, &a.message, &a.pointer).cmp(&(
                &files[b.file].name,
                b.span,
                b.rule.code,
                &b.message,
                &b.pointer,
            ))
        });
        sort(&mut findings, &name_ranks(&files));
        let helps = |f: &[Finding]| f.iter().map(|f| f.help.clone().unwrap()).collect::<Vec<_>>();
        assert_eq!(findings, want);
        let ours: Vec<String> = helps(&findings).into_iter().filter(|h| h != "x").collect();
        assert_eq!(ours, ["7", "2", "4", "1", "6", "5", "3"]);
    }

    /// A file a walk met that has become a pipe by the time it is read
    /// (or a directory) is refused at once: opening a pipe that has no
    /// writer must not hang the run.
    #[cfg(unix)]
    #[test]
    fn a_walked_file_that_is_no_longer_one_is_refused_without_blocking() {
        let dir = std::env::temp_dir().join(format!("trustlint-read-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("sub.json")).unwrap();
        let made = std::process::Command::new("mkfifo").arg(dir.join("pipe.json")).status();
        if !made.is_ok_and(|s| s.success()) {
            eprintln!("skipped: mkfifo is not available");
            return;
        }
        let found = |name: &str| Input::File { path: name.into(), explicit: false };
        let message = |name: &str, limit: u64| match read(&found(name), &dir, limit, None) {
            Ok(Contents::Whole(bytes)) => String::from_utf8(bytes).unwrap(),
            Ok(Contents::Large(..)) => String::from("large"),
            Err(e) => e.to_string(),
        };
        assert_eq!(message("pipe.json", 1 << 20), "is no longer a regular file");
        assert_eq!(message("sub.json", 1 << 20), "is a directory");
        std::fs::write(dir.join("p.json"), "{}").unwrap();
        assert_eq!(message("p.json", 1 << 20), "{}");
        assert!(message("p.json", 1).contains("size limit"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A walked file is read whole whatever its size: within the first
    /// buffer, exactly filling it, past it (read again from its start),
    /// and empty; the size limit holds for each.
    #[test]
    fn a_walked_file_is_read_whole_at_every_size() {
        let dir = std::env::temp_dir().join(format!("trustlint-sizes-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let found = |name: &str| Input::File { path: name.into(), explicit: false };
        for size in [0u64, 1, 1_500, (1 << 16) - 1, 1 << 16, (1 << 16) + 1, 200_003] {
            let bytes: Vec<u8> = (b'a'..=b'z').cycle().take(usize::try_from(size).unwrap()).collect();
            let name = format!("{size}.json");
            std::fs::write(dir.join(&name), &bytes).unwrap();
            match read(&found(&name), &dir, 1 << 20, None) {
                Ok(Contents::Whole(read)) => assert!(read == bytes, "{size} bytes read as {}", read.len()),
                Ok(Contents::Large(..)) => panic!("{size} bytes left open"),
                Err(e) => panic!("{size} bytes: {e}"),
            }
            if size > 0 {
                let refused = read(&found(&name), &dir, size - 1, None);
                assert!(refused.is_err_and(|e| e.to_string().contains("size limit")), "{size} bytes");
            }
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
