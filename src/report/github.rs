use std::io::Write;

use crate::analysis::Analysis;
use crate::diagnostic::Severity;

/// GitHub Actions workflow commands; the runner turns them into annotations
/// on the pull request.
pub fn render(a: &Analysis, out: &mut dyn Write) -> std::io::Result<()> {
    for f in &a.findings {
        let (start, end) = super::positions(a, f);
        let level = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "notice",
        };
        writeln!(
            out,
            "::{level} title={},file={},line={},col={},endLine={},endColumn={}::{}",
            property(&format!("trustlint ({} {})", f.rule.code, f.rule.name)),
            property(&a.files[f.file].name),
            start.line,
            start.column,
            end.line,
            end.column,
            data(&format!("{}{}", f.message, super::subject_suffix(f))),
        )?;
    }
    Ok(())
}

/// Escapes a workflow command's message.
fn data(s: &str) -> String {
    let s = s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A");
    super::printable(&s).into_owned()
}

/// Escapes a workflow command property.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    #[test]
    fn escaping() {
        assert_eq!(super::property("a,b:c%"), "a%2Cb%3Ac%25");
        assert_eq!(super::data("x\ny"), "x%0Ay");
    }
}
