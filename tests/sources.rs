//! What each input format yields: the policies, who owns them, and where
//! their principals sit in the file (span text and JSON Pointer).

mod common;

use common::dump;

use std::path::Path;

use trustlint::model::PolicyKind;

use trustlint::settings::Settings;
use trustlint::sources::{self, Format};
use trustlint::syntax::json;

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
