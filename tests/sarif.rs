//! `--format sarif`: valid against the official SARIF 2.1.0 schema (a copy
//! is in fixtures/sarif), every rule described, fingerprints that do not
//! move with lines.

mod common;

use std::process::Command;

fn sarif(args: &[&str]) -> serde_json::Value {
    let mut all = vec!["check", "--no-config", "--format", "sarif"];
    all.extend_from_slice(args);
    let o = Command::new(common::bin())
        .args(&all)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("trustlint runs");
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&o.stdout)))
}

fn schema() -> jsonschema::Validator {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/sarif/sarif-schema-2.1.0.json"
    ))
    .expect("the schema is in fixtures");
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    jsonschema::draft4::new(&schema).expect("the SARIF schema compiles")
}

#[test]
fn output_is_valid_sarif() {
    let validator = schema();
    for dir in ["fixtures/demo", "fixtures/cli/project", "fixtures/graph/two-accounts", "fixtures/rules"] {
        let log = sarif(&[dir]);
        let errors: Vec<String> =
            validator.iter_errors(&log).map(|e| format!("{} at {}", e, e.instance_path())).collect();
        assert!(errors.is_empty(), "{dir}: {errors:#?}");
        assert!(!log["runs"][0]["results"].as_array().unwrap().is_empty(), "{dir} has findings");
        // The validator does catch what is not SARIF.
        let mut broken = log.clone();
        broken["runs"][0]["results"][0]["level"] = serde_json::json!("fatal");
        assert!(!validator.is_valid(&broken));
    }
    // An empty run is valid too.
    let log = sarif(&["fixtures/rules/wildcard-principal/ok-org-id.json"]);
    assert!(validator.is_valid(&log));
    assert_eq!(log["runs"][0]["results"], serde_json::json!([]));
}

#[test]
fn rules_and_results_line_up() {
    let log = sarif(&["fixtures/cli/project"]);
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), trustlint::rules::ALL.len());
    for r in rules {
        assert!(r["fullDescription"]["text"].as_str().is_some_and(|t| !t.is_empty()), "{r}");
        assert!(r["help"]["markdown"].as_str().is_some_and(|t| t.starts_with('#')), "{r}");
    }
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    for res in run["results"].as_array().unwrap() {
        let index = usize::try_from(res["ruleIndex"].as_u64().unwrap()).unwrap();
        assert_eq!(rules[index]["id"], res["ruleId"]);
        assert_eq!(res["level"], rules[index]["defaultConfiguration"]["level"]);
    }
    let wildcard = run["results"].as_array().unwrap().iter().find(|r| r["ruleId"] == "TL101").unwrap();
    let region = &wildcard["locations"][0]["physicalLocation"]["region"];
    assert_eq!((region["startLine"].as_u64(), region["startColumn"].as_u64()), (Some(6), Some(29)));
}

/// Moving a policy down the file (an unrelated edit) keeps its fingerprint.
#[test]
fn fingerprints_survive_moved_lines() {
    let dir = std::env::temp_dir().join(format!("trustlint-sarif-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("role.json");
    let policy = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/cli/project/roles/public.json"
    ))
    .unwrap();
    let path = file.to_str().unwrap();
    let fingerprint = |text: &str| {
        std::fs::write(&file, text).unwrap();
        let log = sarif(&[path]);
        let r = &log["runs"][0]["results"][0];
        (
            r["partialFingerprints"]["trustlint/v1"].as_str().unwrap().to_owned(),
            r["locations"][0]["physicalLocation"]["region"]["startLine"].as_u64(),
        )
    };
    let (before, line_before) = fingerprint(&policy);
    let (after, line_after) = fingerprint(&format!("\n\n\n{}", policy.replace("  ", "    ")));
    assert_ne!(line_before, line_after);
    assert_eq!(before, after);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A finding names its rule by a reference that need not be the registry's
/// own address (a `const` has none: an optimized build may copy it at each
/// use). The rule index must still be the rule's, whatever the build profile.
#[test]
fn rule_index_does_not_depend_on_addresses() {
    use trustlint::diagnostic::RuleMeta;
    use trustlint::settings::{OutputFormat, Settings};
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/cli/project");
    let settings = Settings { paths: vec![dir.to_owned()], ..Settings::default() };
    let mut analysis = trustlint::analyze_paths(&settings).unwrap();
    assert!(analysis.findings.iter().any(|f| f.rule.code != "TL001"), "the project has findings");
    for f in &mut analysis.findings {
        let copy = RuleMeta { ..*f.rule };
        f.rule = Box::leak(Box::new(copy));
    }
    let log: serde_json::Value =
        serde_json::from_str(&trustlint::report::render_to_string(&analysis, OutputFormat::Sarif)).unwrap();
    let rules = log["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
    for res in log["runs"][0]["results"].as_array().unwrap() {
        let index = res["ruleIndex"].as_u64().map(|i| usize::try_from(i).unwrap());
        assert_eq!(index.map(|i| &rules[i]["id"]), Some(&res["ruleId"]), "{res}");
    }
}

/// Each rule carries its whole page as help (what `trustlint rule` prints),
/// the score GitHub ranks security alerts by, and no made-up address.
#[test]
fn rules_carry_full_help_and_security_severity() {
    let log = sarif(&["fixtures/cli/project"]);
    let driver = &log["runs"][0]["tool"]["driver"];
    for r in driver["rules"].as_array().unwrap() {
        let meta = trustlint::rules::find(r["id"].as_str().unwrap()).unwrap();
        assert_eq!(r["help"]["text"], meta.doc_body(), "{}", r["id"]);
        assert_eq!(r["help"]["markdown"], meta.doc_body(), "{}", r["id"]);
        let expected = match r["defaultConfiguration"]["level"].as_str().unwrap() {
            "error" => "8.0",
            "warning" => "5.0",
            "note" => "2.0",
            other => panic!("level {other}"),
        };
        assert_eq!(r["properties"]["security-severity"], expected, "{}", r["id"]);
        assert!(r.get("helpUri").is_none(), "{r}");
    }
    let repository = env!("CARGO_PKG_REPOSITORY");
    if repository.is_empty() {
        assert!(driver.get("informationUri").is_none(), "{driver}");
    } else {
        assert_eq!(driver["informationUri"], repository);
    }
}

/// File names become URI references: relative ones stay relative, absolute
/// ones are `file:` URIs, and what a URI cannot hold is percent-encoded.
#[test]
fn artifact_uris_are_percent_encoded() {
    let policy = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/cli/project/roles/public.json"
    ))
    .unwrap();
    let dir = std::env::temp_dir().join(format!("trustlint-sarif-uri-{}", std::process::id()));
    let odd = dir.join("a b#c?[d]%e");
    std::fs::create_dir_all(&odd).unwrap();
    std::fs::write(odd.join("rôle.json"), &policy).unwrap();
    let validator = schema();

    let uri_of = |cwd: &std::path::Path, arg: &str| {
        let o = Command::new(common::bin())
            .args(["check", "--no-config", "--format", "sarif", arg])
            .current_dir(cwd)
            .output()
            .unwrap();
        let log: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert!(validator.is_valid(&log));
        log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(uri_of(&dir, "a b#c?[d]%e"), "a%20b%23c%3F%5Bd%5D%25e/r%C3%B4le.json");
    let absolute = uri_of(&dir, odd.to_str().unwrap());
    let prefix = format!("file://{}", dir.to_str().unwrap());
    assert_eq!(absolute, format!("{prefix}/a%20b%23c%3F%5Bd%5D%25e/r%C3%B4le.json"));
    let _ = std::fs::remove_dir_all(&dir);
}
