//! Every rule against its fixtures: `fixtures/rules/<rule>/bad-*.json` must
//! trigger the rule, `ok-*.json` must not. Each file's rendered findings
//! (concise and full) are snapshots, reviewed with `cargo insta review`.

use std::path::Path;

use trustlint::settings::{OutputFormat, Settings};

fn analyze(path: &Path, rule: &str) -> trustlint::analysis::Analysis {
    let meta = trustlint::rules::find(rule).unwrap_or_else(|| panic!("`{rule}` is not a rule"));
    let shown = path.strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap_or(path);
    let settings = Settings {
        paths: vec![shown.to_string_lossy().replace('\\', "/")],
        rules: vec![meta],
        ..Settings::default()
    };
    trustlint::analyze_paths(&settings).expect("fixture paths exist")
}

#[test]
fn rule_fixtures() {
    insta::glob!("../fixtures/rules", "*/*.json", |path| {
        let rule = path.parent().and_then(Path::file_name).and_then(|n| n.to_str()).unwrap();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap();
        let analysis = analyze(path, rule);
        let hits = analysis.findings.iter().filter(|f| f.rule.name == rule).count();
        if name.starts_with("bad-") {
            assert!(hits > 0, "{rule}/{name}: expected findings, got none");
        } else {
            assert!(name.starts_with("ok-"), "{rule}/{name}: fixtures are named bad-* or ok-*");
            assert_eq!(
                hits,
                0,
                "{rule}/{name}: expected no findings, got\n{}",
                trustlint::report::render_to_string(&analysis, OutputFormat::Concise)
            );
        }
        let concise = trustlint::report::render_to_string(&analysis, OutputFormat::Concise);
        let full = trustlint::report::render_to_string(&analysis, OutputFormat::Full);
        insta::assert_snapshot!(format!("{concise}\n{full}"));
    });
}

#[test]
fn every_rule_has_fixtures() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/rules");
    for rule in trustlint::rules::ALL {
        let name = rule.meta().name;
        let files: Vec<String> = std::fs::read_dir(root.join(name))
            .unwrap_or_else(|_| panic!("fixtures/rules/{name} is missing"))
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .collect();
        assert!(files.iter().any(|f| f.starts_with("bad-")), "{name} has no bad-* fixture");
        assert!(files.iter().any(|f| f.starts_with("ok-")), "{name} has no ok-* fixture");
    }
}
