//! What each input format yields: the policies, who owns them, and where
//! their principals sit in the file (span text and JSON Pointer).

use std::fmt::Write;
use std::path::Path;

use trustlint::model::PolicyKind;
use trustlint::settings::Settings;
use trustlint::sources::{self, Format};
use trustlint::syntax::json;

/// The first line of a span's text, for dumps.
fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or("")
}

/// A readable dump of everything extracted from one file.
fn dump(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let (format, x) = sources::read(&path.to_string_lossy(), &text).unwrap().expect("an IAM document");
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

#[test]
fn iam_exports() {
    insta::glob!("../fixtures/sources/iam-export", "**/*.json", |path| {
        insta::assert_snapshot!(dump(path));
    });
}

#[test]
fn formats_are_detected_by_content() {
    let cases = [
        (r#"{"Version":"2012-10-17","Statement":[]}"#, Some(Format::PolicyDocument)),
        (r#"{"Version":"2012-10-17"}"#, Some(Format::PolicyDocument)),
        (r#"{"RoleDetailList":[]}"#, Some(Format::AuthorizationDetails)),
        (r#"{"Role":{"AssumeRolePolicyDocument":{}}}"#, Some(Format::GetRole)),
        (r#"{"Roles":[]}"#, Some(Format::ListRoles)),
        (r#"{"UserName":"u","PolicyName":"p","PolicyDocument":{}}"#, Some(Format::InlinePolicy)),
        (r#"{"PolicyVersion":{"Document":{}}}"#, Some(Format::PolicyVersion)),
        (r#"{"Accounts":[{"Id":"111111111111"}]}"#, Some(Format::Accounts)),
        (r#"{"name":"x","version":"1.0.0"}"#, None),
        ("[1,2]", None),
    ];
    for (text, want) in cases {
        assert_eq!(sources::detect(&json::parse(text).unwrap()), want, "{text}");
    }
}

/// Spans inside a URL-encoded document point at the encoded characters.
#[test]
fn url_encoded_spans_point_into_the_export() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/sources/iam-export/two-accounts/account-222222222222.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let root = json::parse(&text).unwrap();
    let x = sources::extract(&text, &root, Format::AuthorizationDetails);
    let trust = x.units.iter().find(|u| u.policy.kind == PolicyKind::Trust).unwrap();
    let entry = &trust.policy.statements[0].principal.as_ref().unwrap().entries[0];
    assert_eq!(entry.text.value, "arn:aws:iam::111111111111:role/ci");
    assert_eq!(&text[entry.text.span.range()], "%22arn%3Aaws%3Aiam%3A%3A111111111111%3Arole%2Fci%22");
}

/// Exports analysed together make each other's accounts yours.
#[test]
fn accounts_in_the_analysed_exports_are_trusted() {
    let dir = "fixtures/sources/iam-export/two-accounts";
    let run = |paths: Vec<String>| {
        let rules = vec![trustlint::rules::find("missing-external-id").unwrap()];
        let settings = Settings { paths, rules, ..Settings::default() };
        let a = trustlint::analyze_paths(&settings).unwrap();
        a.findings.iter().map(|f| f.rule.name).collect::<Vec<_>>()
    };
    assert_eq!(run(vec![format!("{dir}/account-111111111111.json")]), ["missing-external-id"]);
    assert!(run(vec![dir.to_owned()]).is_empty());
    // organizations list-accounts marks its accounts as yours.
    let member = "fixtures/sources/iam-export/trusts-member-account.json".to_owned();
    assert_eq!(run(vec![member.clone()]), ["missing-external-id"]);
    assert!(run(vec![member, "fixtures/sources/iam-export/list-accounts.json".into()]).is_empty());
}
