//! Suppressions written as comments: `# trustlint:ignore RULE[,RULE...]
//! reason` (or `//`) on the line before a `resource` or `data` block, or
//! before an attribute or block inside one, covers that block or attribute.

use hcl_edit::Span as _;
use hcl_edit::structure::Structure;

use super::span;
use crate::source::Span;
use crate::sources::InlineSuppression;

const MARKER: &str = "trustlint:ignore";

/// Records the suppressions written above `s` and above everything inside it.
pub fn collect(text: &str, s: &Structure, out: &mut Vec<InlineSuppression>) {
    let scope = span(s.span());
    above(text, scope, out);
    if let Structure::Block(b) = s {
        for inner in &b.body {
            collect(text, inner, out);
        }
    }
}

/// The suppression comments on the lines right above `scope`'s first line.
fn above(text: &str, scope: Span, out: &mut Vec<InlineSuppression>) {
    let start = scope.start as usize;
    let Some(before) = text.get(..start) else { return };
    let mut line_start = before.rfind('\n').map_or(0, |i| i + 1);
    if !before[line_start..].trim().is_empty() {
        return;
    }
    let mut found = Vec::new();
    while line_start > 0 {
        let prev_start = text[..line_start - 1].rfind('\n').map_or(0, |i| i + 1);
        let line = text[prev_start..line_start - 1].trim_end();
        let trimmed = line.trim_start();
        let Some(comment) = trimmed.strip_prefix('#').or_else(|| trimmed.strip_prefix("//")) else {
            break;
        };
        if let Some((rules, reason)) = parse(comment) {
            let from = prev_start + (line.len() - trimmed.len());
            let at = |i: usize| u32::try_from(i).unwrap_or(u32::MAX);
            let span = Span::new(at(from), at(prev_start + line.len()));
            found.push(InlineSuppression { rules, reason, span, scope });
        }
        line_start = prev_start;
    }
    out.extend(found.into_iter().rev());
}

/// The rules and reason of a `trustlint:ignore` comment (without its `#`).
fn parse(comment: &str) -> Option<(Vec<String>, Option<String>)> {
    let rest = comment.trim_start().strip_prefix(MARKER)?;
    if !rest.is_empty() && !rest.starts_with(char::is_whitespace) {
        return None;
    }
    let mut rest = rest.trim_start();
    let mut rules = Vec::new();
    loop {
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let token = &rest[..end];
        rules.extend(token.split(',').filter(|r| !r.is_empty()).map(str::to_owned));
        rest = rest[end..].trim_start();
        if !rest.is_empty() && (token.ends_with(',') || rest.starts_with(',')) {
            rest = rest.trim_start_matches(',').trim_start();
            continue;
        }
        break;
    }
    if rules.is_empty() {
        return None;
    }
    let reason = rest.trim_start_matches(['-', ':', '\u{2014}']).trim();
    Some((rules, (!reason.is_empty()).then(|| reason.to_owned())))
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn comments() {
        let p = |s: &str| parse(s).map(|(r, why)| (r.join("|"), why));
        assert_eq!(p(" trustlint:ignore a,b reason here"), Some(("a|b".into(), Some("reason here".into()))));
        assert_eq!(p(" trustlint:ignore a, b -- why"), Some(("a|b".into(), Some("why".into()))));
        assert_eq!(p(" trustlint:ignore TL001"), Some(("TL001".into(), None)));
        assert_eq!(p(" trustlint:ignored x"), None);
        assert_eq!(p(" trustlint:ignore"), None);
        assert_eq!(p(" a comment"), None);
    }
}
