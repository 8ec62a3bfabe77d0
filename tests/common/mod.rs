//! Helpers shared by the integration tests.
#![allow(dead_code)] // each test binary uses a part

use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use trustlint::model::PolicyKind;
use trustlint::sources;

/// The binary under test: the one cargo built for these tests, or the one
/// `TRUSTLINT_BIN` names (CI runs the output-contract tests against the
/// release build too, the build users install).
pub fn bin() -> PathBuf {
    std::env::var_os("TRUSTLINT_BIN").map_or_else(|| env!("CARGO_BIN_EXE_trustlint").into(), PathBuf::from)
}

/// Runs the binary from the crate root, at the default terminal width.
pub fn trustlint(args: &[&str]) -> Output {
    Command::new(bin())
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("COLUMNS")
        .output()
        .expect("trustlint runs")
}

/// A scratch directory, removed when dropped.
pub struct Scratch(pub PathBuf);

impl Scratch {
    /// `tag` names the test so that parallel tests never share a directory.
    pub fn new(tag: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("trustlint-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("the scratch directory can be created");
        Self(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The first line of a span's text, for dumps.
pub fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or("")
}

/// A fixture's name as a run from the crate root shows it: relative, so
/// that what is derived from it (a template's stack) reads the same on
/// every machine.
pub fn shown(path: &Path) -> String {
    path.strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap_or(path).to_string_lossy().replace('\\', "/")
}

/// A readable dump of everything extracted from one file.
pub fn dump(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let (format, x) = sources::read(&shown(path), &text).unwrap().expect("an IAM document");
    let mut out = format!("format: {format:?}\naccounts: {:?}\n", x.accounts);
    for u in &x.units {
        let kind = match u.policy.kind {
            PolicyKind::Trust => "trust",
            PolicyKind::Identity => "identity",
            PolicyKind::Resource => "resource",
        };
        let _ = writeln!(out, "- {kind} policy of {:?} {}", u.owner.kind, u.owner.subject().unwrap_or("-"));
        if let Some(c) = &u.owner.construct {
            let _ = writeln!(out, "  construct {c}");
        }
        if let Some(d) = &u.max_session_duration {
            let _ = writeln!(out, "  max session {} at {} `{}`", d.value, d.pointer, &text[d.span.range()]);
        }
        for s in &u.policy.statements {
            let _ = writeln!(out, "  {} {:?} {} action(s)", s.pointer, s.effect, s.actions.items.len());
            for e in s.principal.iter().flat_map(|p| &p.entries) {
                let _ = writeln!(out, "    principal {} `{}`", e.text.pointer, &text[e.text.span.range()]);
            }
        }
    }
    for e in &x.entities {
        let _ = writeln!(
            out,
            "entity {:?} {} {:?}: trust {:?}, inline {:?}, managed {:?}, boundary {:?}, groups {:?}",
            e.kind.unwrap(),
            e.name,
            e.arn,
            e.trust,
            e.inline,
            e.managed,
            e.boundary,
            e.groups
        );
    }
    for (arn, unit) in &x.managed {
        let _ = writeln!(out, "managed policy {arn}: unit {unit}");
    }
    for (p, concern) in &x.problems {
        let _ = writeln!(
            out,
            "! {} ({:?}) at `{}`",
            p.message,
            concern.subject,
            first_line(&text[p.span.range()])
        );
    }
    for s in &x.suppressions {
        let _ = writeln!(
            out,
            "suppress {:?} ({:?}) at `{}`",
            s.rules,
            s.reason,
            first_line(&text[s.span.range()])
        );
    }
    out
}
