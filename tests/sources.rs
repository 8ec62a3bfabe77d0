//! What each input format yields: the policies, who owns them, and where
//! their principals sit in the file (span text and JSON Pointer).

mod common;

use common::dump;

use std::path::Path;

use trustlint::model::PolicyKind;

use trustlint::settings::Settings;
use trustlint::source::LineCol;
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

/// An export of over a mebibyte: alternately an open trust and a vendor's
/// without an external id, one role per line; `name` is the last role's.
fn large_export(name: &str) -> String {
    let roles: Vec<String> = (0..6000)
        .map(|i| {
            let principal = if i % 2 == 0 { r#""*""# } else { r#"{"AWS": "arn:aws:iam::999988887777:root"}"# };
            let name = if i == 5999 { name.to_owned() } else { format!("r{i}") };
            format!(
                r#"{{"RoleName": "{name}", "Arn": "arn:aws:iam::111122223333:role/r{i}", "AssumeRolePolicyDocument": {{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Principal": {principal}, "Action": "sts:AssumeRole"}}]}}, "RolePolicyList": [], "AttachedManagedPolicies": []}}"#
            )
        })
        .collect();
    let text = format!(
        "{{\"UserDetailList\": [], \"GroupDetailList\": [], \"RoleDetailList\": [\n{}\n], \"Policies\": []}}\n",
        roles.join(",\n")
    );
    assert!(text.len() > 1 << 20);
    text
}

/// `text` analysed as a file with its text kept and with it let go.
fn analysed_both_ways(name: &str, text: &str) -> [trustlint::analysis::Analysis; 2] {
    let dir = std::env::temp_dir().join(format!("trustlint-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("export.json");
    std::fs::write(&path, text).unwrap();
    let run = |keep_text| {
        let settings = Settings { paths: vec![path.display().to_string()], keep_text, ..Settings::default() };
        trustlint::analyze_paths(&settings).unwrap()
    };
    let both = [run(true), run(false)];
    std::fs::remove_dir_all(&dir).unwrap();
    both
}

fn places(
    a: &trustlint::analysis::Analysis,
) -> Vec<(&str, trustlint::source::Span, LineCol, String, String)> {
    a.findings
        .iter()
        .map(|f| {
            (
                f.rule.name,
                f.span,
                a.files[f.file].line_col(f.span.start),
                f.pointer.clone(),
                f.message.clone(),
            )
        })
        .collect()
}

/// A large file read for a report that shows no source keeps only its
/// lines' starts (an export is read piece by piece, its text never
/// whole): its findings sit where they sit when the text is kept.
#[test]
fn a_large_file_s_text_goes_when_no_report_shows_it() {
    let [kept, released] = analysed_both_ways("release-text", &large_export("r5999"));
    assert!(kept.files[0].text().len() > 1 << 20);
    assert!(released.files[0].text().is_empty());
    let found = places(&kept);
    assert!(found.len() >= 6000, "{} findings", found.len());
    assert_eq!(found.last().unwrap().2.line, 6001);
    assert_eq!(found, places(&released));
}

/// An export with a character of several bytes (its columns are counted
/// in the text) or a syntax error near its end is read whole either way:
/// the same findings, and the error's exact place.
#[test]
fn a_large_export_out_of_the_ordinary_reads_the_same_either_way() {
    let [kept, read] = analysed_both_ways("not-ascii", &large_export("r\u{e9}sum\u{e9}"));
    assert!(!read.files[0].text().is_empty(), "kept for its columns");
    let found = places(&kept);
    assert!(found.len() >= 6000, "{} findings", found.len());
    assert_eq!(found, places(&read));

    let mut broken = large_export("r5999");
    let list = "\"RolePolicyList\": []";
    let at = broken.match_indices(list).nth(5990).unwrap().0 + list.len();
    broken.insert(at, ',');
    let [kept, read] = analysed_both_ways("broken", &broken);
    let found = places(&kept);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!((found[0].0, found[0].2.line), ("invalid-policy", 5992));
    assert_eq!(found, places(&read));
}
