//! `JUnit` XML, as GitLab, Jenkins and Azure Pipelines read test reports: a
//! test suite per file with findings, a failing test case per finding.

use std::fmt::Write as _;
use std::io::Write;

use crate::analysis::Analysis;
use crate::diagnostic::Finding;

/// Text escaped for an XML 1.0 attribute: markup characters as entities;
/// the control characters XML 1.0 cannot carry at all are shown as escapes.
fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\t' => out.push_str("&#9;"),
            c if c.is_control() => out.extend(c.escape_default()),
            c => out.push(c),
        }
    }
    out
}

pub fn render(a: &Analysis, out: &mut dyn Write) -> std::io::Result<()> {
    // Findings are sorted by file: each run of one file is a suite.
    let mut suites: Vec<(&str, Vec<&Finding>)> = Vec::new();
    for f in &a.findings {
        let file = a.files[f.file].name.as_str();
        match suites.last_mut() {
            Some((name, list)) if *name == file => list.push(f),
            _ => suites.push((file, vec![f])),
        }
    }
    let n = a.findings.len();
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    if suites.is_empty() {
        // A clean run is one passing case, so that the report shows a pass.
        writeln!(out, r#"<testsuites name="trustlint" tests="1" failures="0" errors="0">"#)?;
        writeln!(out, r#"  <testsuite name="trustlint" tests="1" failures="0" errors="0">"#)?;
        writeln!(out, r#"    <testcase name="no findings" classname="trustlint"/>"#)?;
        writeln!(out, "  </testsuite>")?;
        return writeln!(out, "</testsuites>");
    }
    writeln!(out, r#"<testsuites name="trustlint" tests="{n}" failures="{n}" errors="0">"#)?;
    for (file, findings) in suites {
        let (file, k) = (xml(file), findings.len());
        writeln!(out, r#"  <testsuite name="{file}" tests="{k}" failures="{k}" errors="0">"#)?;
        for f in findings {
            let (start, _) = super::positions(a, f);
            let at = format!("{}:{}:{}", a.files[f.file].name, start.line, start.column);
            let subject = f.subject.as_deref().map(|s| format!(" in {s}")).unwrap_or_default();
            writeln!(
                out,
                r#"    <testcase name="{}" classname="{file}" file="{file}" line="{}">"#,
                xml(&format!(
                    "{} ({}) at {}:{}{subject}",
                    f.rule.name, f.rule.code, start.line, start.column
                )),
                start.line,
            )?;
            let mut body = format!("{}: {}[{}] {}", at, f.severity, f.rule.name, f.message);
            if let Some(s) = &f.subject {
                let _ = write!(body, "\nsubject: {s}");
            }
            if let Some(h) = &f.help {
                let _ = write!(body, "\nhelp: {h}");
            }
            let _ = write!(body, "\npointer: {}", f.pointer);
            writeln!(
                out,
                r#"      <failure message="{}" type="{}">{}</failure>"#,
                xml(&f.message),
                xml(f.rule.name),
                xml_text(&body),
            )?;
            writeln!(out, "    </testcase>")?;
        }
        writeln!(out, "  </testsuite>")?;
    }
    writeln!(out, "</testsuites>")
}

/// Text escaped for an XML element's content, where a newline is a newline.
fn xml_text(s: &str) -> String {
    s.split('\n').map(xml).collect::<Vec<_>>().join("\n")
}

#[cfg(test)]
mod tests {
    #[test]
    fn escaping() {
        assert_eq!(super::xml(r#"<a href="x">&'"#), "&lt;a href=&quot;x&quot;&gt;&amp;&apos;");
        assert_eq!(super::xml("a\u{1b}b\nc"), "a\\u{1b}b&#10;c");
    }
}
