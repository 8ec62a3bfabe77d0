use std::io::Write;

use rayon::prelude::*;
use serde::Serialize;

use crate::analysis::Analysis;
use crate::diagnostic::{Finding, Severity};

/// The JSON report's version: bumped on any incompatible change.
pub const VERSION: u32 = 1;

#[derive(Serialize)]
pub(super) struct Item<'a> {
    rule: &'a str,
    code: &'a str,
    severity: Severity,
    message: &'a str,
    file: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    pointer: &'a str,
    subject: Option<&'a str>,
    /// The CDK construct path, for findings in CDK output.
    #[serde(skip_serializing_if = "Option::is_none")]
    construct: Option<&'a str>,
    help: Option<&'a str>,
}

/// A finding as the report writes it.
pub(super) fn item<'a>(a: &'a Analysis, f: &'a Finding) -> Item<'a> {
    let (start, end) = super::positions(a, f);
    Item {
        rule: f.rule.name,
        code: f.rule.code,
        severity: f.severity,
        message: &f.message,
        file: &a.files[f.file].name,
        line: start.line,
        column: start.column,
        end_line: end.line,
        end_column: end.column,
        pointer: &f.pointer,
        subject: f.subject.as_deref(),
        construct: f.construct.as_deref(),
        help: f.help.as_deref(),
    }
}

pub fn render(a: &Analysis, out: &mut dyn Write) -> std::io::Result<()> {
    // Written by hand, byte for byte what `serde_json::to_writer_pretty`
    // writes for [`Report`] (a test holds the two together): serde's
    // writer escapes every key and string a byte at a time, and was most
    // of the time spent after the findings were sorted.
    //
    // The findings are written a window at a time, the pieces of a window
    // made side by side on all cores and then written in order: the whole
    // report in memory would be a second copy of it (64 MB of 100,000
    // findings) next to the one `out` may be making.
    const PIECE: usize = 128;
    const WINDOW: usize = 8 * PIECE;
    let mut buf = Vec::with_capacity(1 << 12);
    buf.extend_from_slice(b"{\n  \"version\": ");
    number(&mut buf, VERSION as usize);
    buf.extend_from_slice(b",\n  \"findings\": [");
    out.write_all(&buf)?;
    buf.clear();
    for (w, window) in a.findings.chunks(WINDOW).enumerate() {
        let pieces: Vec<Vec<u8>> = window
            .par_chunks(PIECE)
            .enumerate()
            .map(|(p, piece)| {
                let mut buf = Vec::with_capacity(piece.len() * 640);
                for (i, f) in piece.iter().enumerate() {
                    let first = w == 0 && p == 0 && i == 0;
                    buf.extend_from_slice(if first { b"\n" } else { b",\n" });
                    write_item(&mut buf, &item(a, f));
                }
                buf
            })
            .collect();
        for piece in pieces {
            out.write_all(&piece)?;
        }
    }
    if !a.findings.is_empty() {
        buf.extend_from_slice(b"\n  ");
    }
    buf.extend_from_slice(b"],\n  \"summary\": {");
    let mut summary = vec![
        ("files", a.checked_files()),
        ("policies", a.policies),
        ("findings", a.findings.len()),
        ("errors", a.count(Severity::Error)),
        ("warnings", a.count(Severity::Warning)),
        ("notes", a.count(Severity::Note)),
    ];
    summary.extend(
        [("suppressed", a.suppressed.len()), ("baselined", a.baselined)].into_iter().filter(|(_, n)| *n > 0),
    );
    for (i, (key, n)) in summary.into_iter().enumerate() {
        buf.extend_from_slice(if i == 0 { b"\n    \"" } else { b",\n    \"" });
        buf.extend_from_slice(key.as_bytes());
        buf.extend_from_slice(b"\": ");
        number(&mut buf, n);
    }
    buf.extend_from_slice(b"\n  }\n}\n");
    out.write_all(&buf)?;
    out.flush()
}

/// One finding, as an element of the pretty-printed `findings` array.
fn write_item(buf: &mut Vec<u8>, it: &Item<'_>) {
    let field = |buf: &mut Vec<u8>, key: &str| {
        buf.extend_from_slice(b"      \"");
        buf.extend_from_slice(key.as_bytes());
        buf.extend_from_slice(b"\": ");
    };
    let text = |buf: &mut Vec<u8>, key: &str, value: Option<&str>| {
        field(buf, key);
        match value {
            Some(v) => string(buf, v),
            None => buf.extend_from_slice(b"null"),
        }
        buf.extend_from_slice(b",\n");
    };
    let count = |buf: &mut Vec<u8>, key: &str, n: usize| {
        field(buf, key);
        number(buf, n);
        buf.extend_from_slice(b",\n");
    };
    buf.extend_from_slice(b"    {\n");
    text(buf, "rule", Some(it.rule));
    text(buf, "code", Some(it.code));
    text(buf, "severity", Some(it.severity.as_str()));
    text(buf, "message", Some(it.message));
    text(buf, "file", Some(it.file));
    count(buf, "line", it.line);
    count(buf, "column", it.column);
    count(buf, "end_line", it.end_line);
    count(buf, "end_column", it.end_column);
    text(buf, "pointer", Some(it.pointer));
    text(buf, "subject", it.subject);
    if it.construct.is_some() {
        text(buf, "construct", it.construct);
    }
    field(buf, "help");
    match it.help {
        Some(v) => string(buf, v),
        None => buf.extend_from_slice(b"null"),
    }
    buf.extend_from_slice(b"\n    }");
}

fn number(buf: &mut Vec<u8>, n: usize) {
    buf.extend_from_slice(crate::support::decimal(n, &mut [0; 20]).as_bytes());
}

/// A JSON string, escaped as `serde_json` escapes it: `"` and `\\`, the
/// control characters (the usual five by letter, the others as `\u00xx`),
/// and nothing else.
fn string(buf: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    buf.push(b'"');
    // Runs without a byte to escape are found eight bytes at a time and
    // copied whole; most strings are one run.
    let mut rest = s.as_bytes();
    loop {
        let run = crate::syntax::json::plain_run(rest);
        buf.extend_from_slice(&rest[..run]);
        let Some(&b) = rest.get(run) else { break };
        match b {
            b'"' => buf.extend_from_slice(b"\\\""),
            b'\\' => buf.extend_from_slice(b"\\\\"),
            b'\n' => buf.extend_from_slice(b"\\n"),
            b'\r' => buf.extend_from_slice(b"\\r"),
            b'\t' => buf.extend_from_slice(b"\\t"),
            0x08 => buf.extend_from_slice(b"\\b"),
            0x0c => buf.extend_from_slice(b"\\f"),
            _ => buf.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(b >> 4)],
                HEX[usize::from(b & 0xf)],
            ]),
        }
        rest = &rest[run + 1..];
    }
    buf.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Analysis;

    #[derive(Serialize)]
    struct Report<'a> {
        version: u32,
        findings: Findings<'a>,
        summary: Summary,
    }

    /// The findings, each made into an [`Item`] as it is written.
    struct Findings<'a>(&'a Analysis);

    impl Serialize for Findings<'_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.collect_seq(self.0.findings.iter().map(|f| item(self.0, f)))
        }
    }

    #[derive(Serialize)]
    struct Summary {
        files: usize,
        policies: usize,
        findings: usize,
        errors: usize,
        warnings: usize,
        notes: usize,
        /// Findings silenced by a suppression (not in `findings`); only when some are.
        #[serde(skip_serializing_if = "is_zero")]
        suppressed: usize,
        /// Findings left out because the baseline holds them; only when some are.
        #[serde(skip_serializing_if = "is_zero")]
        baselined: usize,
    }

    #[allow(clippy::trivially_copy_pass_by_ref)] // serde's signature
    fn is_zero(n: &usize) -> bool {
        *n == 0
    }

    /// The report as `serde_json` writes it: what [`render`] must write.
    fn render_serde(a: &Analysis) -> Vec<u8> {
        let report = Report {
            version: VERSION,
            findings: Findings(a),
            summary: Summary {
                files: a.checked_files(),
                policies: a.policies,
                findings: a.findings.len(),
                errors: a.count(Severity::Error),
                warnings: a.count(Severity::Warning),
                notes: a.count(Severity::Note),
                suppressed: a.suppressed.len(),
                baselined: a.baselined,
            },
        };
        let mut out = serde_json::to_vec_pretty(&report).unwrap();
        out.push(b'\n');
        out
    }

    fn rendered(a: &Analysis) -> Vec<u8> {
        let mut out = Vec::new();
        render(a, &mut out).unwrap();
        out
    }

    #[test]
    fn writes_what_serde_json_writes() {
        let mut a = Analysis::default();
        assert_eq!(String::from_utf8(rendered(&a)).unwrap(), String::from_utf8(render_serde(&a)).unwrap());
        crate::report::sample::three_findings(&mut a);
        a.policies = 2;
        a.baselined = 4;
        assert_eq!(String::from_utf8(rendered(&a)).unwrap(), String::from_utf8(render_serde(&a)).unwrap());
        // Findings over several pieces and windows.
        let one = a.findings[0].clone();
        a.findings.extend(std::iter::repeat_n(one, 2200));
        assert_eq!(rendered(&a), render_serde(&a));
    }

    #[test]
    fn strings_escaped_as_serde_json_escapes_them() {
        let check = |s: &str| {
            let mut buf = Vec::new();
            string(&mut buf, s);
            assert_eq!(buf, serde_json::to_vec(s).unwrap(), "{s:?}");
        };
        // Every ASCII character at every place of a word, once and twice.
        for len in 1..20 {
            for at in 0..len {
                for c in (0u8..0x80).map(char::from) {
                    let mut s: Vec<char> = vec!['a'; len];
                    s[at] = c;
                    check(&s.iter().collect::<String>());
                    s[len - 1 - at] = c;
                    check(&s.iter().collect::<String>());
                }
            }
        }
        for s in ["", "é\"😀\n", "\u{7f}\u{80}\u{2028}", "`a` \\ \"b\"\u{1}"] {
            check(s);
        }
    }
}
