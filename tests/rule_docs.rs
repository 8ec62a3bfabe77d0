//! The rule documentation in `rules/` against the rule registry: every page's
//! front matter and layout, the index in `rules/README.md`, the examples
//! (every `json bad` block must trigger the page's rule and no other — or
//! only the ones it names with `also=` —, every `json good` block nothing at
//! all), and the `rule` and `rules` commands.

mod common;

use common::{Scratch, trustlint};

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use trustlint::analysis::{self, Analysis};
use trustlint::discover::Input;
use trustlint::rules::{self, RuleMeta};
use trustlint::settings::Settings;

/// The sections of a page, in order.
const SECTIONS: [&str; 5] =
    ["## What it does", "## Why is this bad?", "## Example", "## Options", "## References"];

/// The keys of a page's front matter, in order.
const FRONT_MATTER_KEYS: [&str; 5] = ["code", "name", "severity", "category", "since"];

fn registry() -> Vec<&'static RuleMeta> {
    rules::ALL.iter().map(|r| r.meta()).collect()
}

fn rules_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("rules")
}

/// A page split into its front matter (`key: value` lines) and its body.
struct Page<'a> {
    front: Vec<(&'a str, &'a str)>,
    body: &'a str,
}

impl<'a> Page<'a> {
    fn parse(name: &str, doc: &'a str) -> Self {
        let rest = doc
            .strip_prefix("---\n")
            .unwrap_or_else(|| panic!("rules/{name}.md: must start with a `---` line"));
        let (front, body) = rest
            .split_once("\n---\n")
            .unwrap_or_else(|| panic!("rules/{name}.md: the front matter has no closing `---`"));
        let front = front
            .lines()
            .map(|line| {
                let (key, value) = line.split_once(':').unwrap_or_else(|| {
                    panic!("rules/{name}.md: front matter line `{line}` is not `key: value`")
                });
                (key.trim(), value.trim())
            })
            .collect();
        Self { front, body: body.trim_start() }
    }

    fn get(&self, key: &str) -> &'a str {
        self.front.iter().find(|(k, _)| *k == key).map_or("", |(_, v)| v)
    }
}

/// The fenced code blocks of a markdown text: (info string, content).
fn code_blocks(text: &str) -> Vec<(&str, String)> {
    let mut blocks = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let Some(info) = line.strip_prefix("```") else {
            continue;
        };
        let mut content = String::new();
        let mut closed = false;
        for line in lines.by_ref() {
            if line == "```" {
                closed = true;
                break;
            }
            content.push_str(line);
            content.push('\n');
        }
        assert!(closed, "a ```{info} block is not closed");
        blocks.push((info.trim(), content));
    }
    blocks
}

/// Checks one example on its own, with the default settings.
fn analyze_example(dir: &Path, file_name: &str, json: &str) -> Analysis {
    // A Terraform module is its directory: each example gets its own.
    let dir = dir.join(file_name.replace('.', "-"));
    std::fs::create_dir_all(&dir).expect("the example's directory can be made");
    let path = dir.join(file_name);
    std::fs::write(&path, json).expect("the example can be written");
    let inputs = [Input::File { path, explicit: true }];
    let analysis = analysis::analyze(&inputs, &Settings::default());
    assert!(analysis.errors.is_empty(), "{file_name}: trustlint could not check it: {:?}", analysis.errors);
    analysis
}

fn describe(analysis: &Analysis) -> String {
    let mut out = String::new();
    for f in &analysis.findings {
        let _ = write!(out, "\n  {}[{}] {}", f.severity, f.rule.name, f.message);
    }
    out
}

#[test]
fn registry_codes_and_names_are_unique_and_in_code_order() {
    let all = registry();
    assert!(!all.is_empty());
    let codes: BTreeSet<&str> = all.iter().map(|m| m.code).collect();
    let names: BTreeSet<&str> = all.iter().map(|m| m.name).collect();
    assert_eq!(codes.len(), all.len(), "two rules share a code");
    assert_eq!(names.len(), all.len(), "two rules share a name");
    let in_order: Vec<&str> = codes.iter().copied().collect();
    let listed: Vec<&str> = all.iter().map(|m| m.code).collect();
    assert_eq!(listed, in_order, "`rules::ALL` is not in code order");
    for m in &all {
        let digits = m.code.strip_prefix("TL").unwrap_or("");
        assert!(
            digits.len() == 3 && digits.bytes().all(|b| b.is_ascii_digit()),
            "`{}`: codes are TL and three digits",
            m.code
        );
        assert!(
            !m.name.is_empty()
                && m.name.split('-').all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase())),
            "`{}`: names are lowercase words joined by `-`",
            m.name
        );
    }
}

#[test]
fn every_page_matches_the_registry() {
    for m in registry() {
        let path = rules_dir().join(format!("{}.md", m.name));
        let on_disk = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(on_disk, m.doc, "rules/{}.md differs from the page built into the binary", m.name);
        let page = Page::parse(m.name, m.doc);

        let keys: Vec<&str> = page.front.iter().map(|(k, _)| *k).collect();
        assert_eq!(keys, FRONT_MATTER_KEYS, "rules/{}.md: front matter keys", m.name);
        assert_eq!(page.get("code"), m.code, "rules/{}.md: `code`", m.name);
        assert_eq!(page.get("name"), m.name, "rules/{}.md: `name`", m.name);
        assert_eq!(page.get("severity"), m.severity.as_str(), "rules/{}.md: `severity`", m.name);
        let category = page.get("category");
        assert!(
            !category.is_empty() && category.bytes().all(|b| b.is_ascii_lowercase()),
            "rules/{}.md: `category` is one lowercase word, not `{category}`",
            m.name
        );
        let since = page.get("since");
        assert!(
            since.split('.').count() == 3
                && since.split('.').all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())),
            "rules/{}.md: `since` is a version such as 0.1.0, not `{since}`",
            m.name
        );

        let title = format!("# {} ({})", m.name, m.code);
        assert_eq!(
            page.body.lines().next(),
            Some(title.as_str()),
            "rules/{}.md: the body starts with the title",
            m.name
        );
        let headings: Vec<&str> = page.body.lines().filter(|l| l.starts_with("## ")).collect();
        assert_eq!(headings, SECTIONS, "rules/{}.md: sections", m.name);
        assert!(
            page.body.contains("Use instead"),
            "rules/{}.md: the example says what to use instead",
            m.name
        );
    }
}

#[test]
fn every_page_belongs_to_a_rule() {
    let names: BTreeSet<String> = registry().iter().map(|m| format!("{}.md", m.name)).collect();
    for entry in std::fs::read_dir(rules_dir()).expect("rules/ exists") {
        let file = entry.expect("rules/ is readable").file_name();
        let file = file.to_string_lossy();
        if file.ends_with(".md") && file != "README.md" {
            assert!(names.contains(file.as_ref()), "rules/{file} is no rule's page");
        }
    }
}

#[test]
fn the_index_lists_exactly_the_registry() {
    let path = rules_dir().join("README.md");
    let index = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let rows: Vec<Vec<&str>> = index
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .map(|l| l.trim_matches('|').split('|').map(str::trim).collect::<Vec<_>>())
        .collect();
    assert!(rows.len() >= 2, "rules/README.md has no table");
    assert_eq!(rows[0], ["Code", "Name", "Severity", "Summary"], "the table's header");
    assert!(
        rows[1].iter().all(|c| !c.is_empty() && c.chars().all(|ch| ch == '-' || ch == ':')),
        "the table's second line separates the header"
    );
    let listed: Vec<[String; 4]> = rows[2..]
        .iter()
        .map(|r| {
            assert_eq!(r.len(), 4, "rules/README.md: row {r:?} does not have four cells");
            [r[0], r[1], r[2], r[3]].map(str::to_owned)
        })
        .collect();
    let expected: Vec<[String; 4]> = registry()
        .iter()
        .map(|m| {
            [
                m.code.to_owned(),
                format!("[{0}]({0}.md)", m.name),
                m.severity.as_str().to_owned(),
                m.summary.to_owned(),
            ]
        })
        .collect();
    assert_eq!(
        listed, expected,
        "rules/README.md must list every rule of `rules::ALL`, in order, with its code, linked name, severity and summary"
    );
}

#[test]
fn examples_trigger_their_rule_and_nothing_else() {
    let scratch = Scratch::new("rule-docs-examples");
    for m in registry() {
        let page = Page::parse(m.name, m.doc);
        let blocks = code_blocks(page.body);
        let mut bad = 0;
        let mut good = 0;
        for (i, (info, json)) in blocks.iter().enumerate() {
            // Examples are policies or templates: `json`, `yaml` (CloudFormation)
            // or `hcl` (Terraform); other blocks (shell, toml) are prose.
            let Some((language, extension)) = [("json", "json"), ("yaml", "yaml"), ("hcl", "tf")]
                .into_iter()
                .find(|(l, _)| info.starts_with(l))
            else {
                continue;
            };
            let file_name = format!("{}-{i}.{extension}", m.name);
            let info = info.replacen(language, "json", 1);
            let info = info.as_str();
            // `json bad also=other-rule`: an example that cannot help
            // triggering a second rule names it.
            let (kind, also) = match info.split_once(" also=") {
                Some((kind, also)) => (kind, also.split(',').collect::<Vec<_>>()),
                None => (info, Vec::new()),
            };
            match kind {
                "json bad" => {
                    bad += 1;
                    let analysis = analyze_example(&scratch.0, &file_name, json);
                    assert!(
                        analysis.findings.iter().any(|f| f.rule.name == m.name),
                        "rules/{}.md, block {i} (json bad): no finding for\n{json}",
                        m.name
                    );
                    assert!(
                        analysis
                            .findings
                            .iter()
                            .all(|f| f.rule.name == m.name || also.contains(&f.rule.name)),
                        "rules/{}.md, block {i} (json bad): findings of other rules:{}\n{json}",
                        m.name,
                        describe(&analysis)
                    );
                }
                "json good" => {
                    good += 1;
                    let analysis = analyze_example(&scratch.0, &file_name, json);
                    assert!(
                        analysis.findings.is_empty(),
                        "rules/{}.md, block {i} (json good): expected no finding, got:{}\n{json}",
                        m.name,
                        describe(&analysis)
                    );
                }
                other => panic!(
                    "rules/{}.md, block {i}: ```{other} is neither `json bad` nor `json good`, so it would go untested",
                    m.name
                ),
            }
        }
        assert!(bad > 0, "rules/{}.md has no ```json bad example", m.name);
        assert!(good > 0, "rules/{}.md has no ```json good example", m.name);
    }
}

#[test]
fn rule_command_prints_the_page_without_front_matter() {
    for m in registry() {
        let body = Page::parse(m.name, m.doc).body;
        let lower = m.code.to_ascii_lowercase();
        for arg in [m.name, m.code, lower.as_str()] {
            let o = trustlint(&["rule", arg]);
            assert_eq!(o.status.code(), Some(0), "`trustlint rule {arg}` exit code");
            let out = String::from_utf8(o.stdout).expect("UTF-8 output");
            assert!(
                out.starts_with(&format!("# {} ({})\n", m.name, m.code)),
                "`trustlint rule {arg}` starts with the title, not:\n{out}"
            );
            assert_eq!(out, body, "`trustlint rule {arg}` prints the page's body");
        }
    }
}

#[test]
fn rule_command_rejects_an_unknown_rule() {
    let o = trustlint(&["rule", "nope"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stdout.is_empty());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("unknown rule `nope`"), "stderr: {err}");
}

#[test]
fn rules_command_lists_every_rule() {
    let o = trustlint(&["rules"]);
    assert_eq!(o.status.code(), Some(0));
    let out = String::from_utf8(o.stdout).expect("UTF-8 output");
    let lines: Vec<&str> = out.lines().filter(|l| !l.trim().is_empty()).collect();
    let all = registry();
    assert_eq!(lines.len(), all.len(), "one line per rule:\n{out}");
    for (line, m) in lines.iter().zip(&all) {
        let words: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(
            words.get(..3),
            Some([m.code, m.name, m.severity.as_str()].as_slice()),
            "`trustlint rules`: {line}"
        );
        assert!(line.trim_end().ends_with(m.summary), "`trustlint rules`: {line}");
    }
}
