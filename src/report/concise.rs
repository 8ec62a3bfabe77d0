use std::io::Write;

use super::RenderOptions;
use crate::analysis::Analysis;

/// `path:line:col: severity[rule] message (in `subject`)`, then a summary
/// line.
pub fn render(a: &Analysis, opts: &RenderOptions, out: &mut dyn Write) -> std::io::Result<()> {
    for f in &a.findings {
        let (start, _) = super::positions(a, f);
        writeln!(
            out,
            "{}:{}:{}: {}[{}] {}{}",
            super::printable(&a.files[f.file].name),
            start.line,
            start.column,
            f.severity,
            f.rule.name,
            super::printable(&f.message),
            super::subject_suffix(f),
        )?;
    }
    if opts.summary {
        writeln!(out, "{}", super::summary_line(a))?;
    }
    Ok(())
}
