//! Messages on standard error that cannot change how a run ends.
//!
//! `eprintln!` panics when standard error is a pipe nobody reads any more
//! (`trustlint check … 2>&1 >report | head -1` once `head` has exited), and
//! the panic turns the exit status the findings call for into 101. A
//! message that cannot be shown is lost; the exit status is not.

/// Writes a line to standard error like `eprintln!`, ignoring a standard
/// error that is closed or broken.
#[macro_export]
macro_rules! errln {
    ($($arg:tt)*) => {{
        use ::std::io::Write as _;
        let _ = ::std::writeln!(::std::io::stderr().lock(), $($arg)*);
    }};
}
