use std::process::ExitCode;

/// The analysis makes millions of small allocations from several threads:
/// mimalloc does that markedly faster than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::Parser;
use trustlint::cli::{Cli, with_default_command};
use trustlint::error::Error;
use trustlint::exit::ExitStatus;

fn main() -> ExitCode {
    let args = with_default_command(std::env::args().collect());
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { ExitStatus::Error.into() } else { ExitStatus::Success.into() };
        }
    };
    // The main thread is one of the pool's threads: it would otherwise
    // wait while the others work, each with memory of its own.
    let _ = rayon::ThreadPoolBuilder::new().use_current_thread().build_global();
    match trustlint::run(cli.command) {
        Ok(status) => status.into(),
        // A closed pipe (`trustlint … | head`) is not a failure.
        Err(Error::Write(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitStatus::Success.into(),
        Err(e) => {
            trustlint::errln!("{:?}", miette::Report::new(e));
            ExitStatus::Error.into()
        }
    }
}
