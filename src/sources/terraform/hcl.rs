//! The HCL parser, bounded in time. On text whose brackets do not close,
//! its backtracking can take exponential time: a file that ends in `(a+b*`
//! written 25 times takes minutes, and every further one doubles it (found
//! by fuzzing). Such text is parsed on a thread of its own and given up
//! after [`DEADLINE`]; other text, which is all of a valid configuration
//! but for brackets inside strings, is parsed where it is.

use std::sync::mpsc;
use std::time::Duration;

/// How long the parser may take on text whose brackets do not close.
const DEADLINE: Duration = Duration::from_secs(1);

/// Why text did not parse: where, and what the parser (or the deadline)
/// says.
#[derive(Debug)]
pub struct Failure {
    pub offset: usize,
    pub message: String,
}

type Parser<T> = fn(&str) -> Result<T, hcl_edit::parser::Error>;

fn failure(e: &hcl_edit::parser::Error) -> Failure {
    Failure { offset: e.location().offset(), message: e.message().to_owned() }
}

/// `parser` on `text`, within [`DEADLINE`] when `text` leaves a bracket
/// open.
pub fn parse<T: Send + 'static>(text: &str, parser: Parser<T>) -> Result<T, Failure> {
    if !leaves_a_bracket_open(text) {
        return parser(text).map_err(|e| failure(&e));
    }
    let owned = text.to_owned();
    let (tx, rx) = mpsc::channel();
    // The parser recurses once for each bracket: the main thread's stack.
    let spawned = std::thread::Builder::new().stack_size(8 << 20).spawn(move || {
        let _ = tx.send(parser(&owned).map_err(|e| failure(&e)));
    });
    if spawned.is_err() {
        return parser(text).map_err(|e| failure(&e));
    }
    // A parser still running past the deadline is left to finish on its
    // own: nothing waits for it.
    rx.recv_timeout(DEADLINE).unwrap_or_else(|_| {
        Err(Failure {
            offset: text.len(),
            message: format!(
                "brackets that do not close, on which the parser gave up after {} s",
                DEADLINE.as_secs()
            ),
        })
    })
}

/// Whether more brackets open than close, counting every `(`, `[` and `{`
/// (those inside strings too: this only decides where to parse).
fn leaves_a_bracket_open(text: &str) -> bool {
    let mut depth: i64 = 0;
    for b in text.bytes() {
        match b {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth -= 1,
            _ => {}
        }
    }
    depth > 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unclosed_brackets_after_operators_end_within_the_deadline() {
        let text = format!("a = {}\n", "(b+c*".repeat(40));
        let started = std::time::Instant::now();
        let out = parse(&text, hcl_edit::parser::parse_body);
        assert!(out.is_err());
        // Generous: the deadline, plus a busy machine.
        assert!(started.elapsed() < DEADLINE * 5, "{:?}", started.elapsed());
    }

    #[test]
    fn valid_text_parses_as_before() {
        let text = "a = (b + c) * [d][0]\nb = \"${x}}\"\n";
        assert!(parse(text, hcl_edit::parser::parse_body).is_ok());
        assert!(parse("a = \"((\"\n", hcl_edit::parser::parse_body).is_ok());
    }
}
