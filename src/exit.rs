use std::process::ExitCode;

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Nothing at or above `--fail-on`.
    Success,
    /// Findings at or above `--fail-on`.
    Findings,
    /// trustlint could not do its job: usage, an unreadable path, a bad config.
    Error,
}

impl From<ExitStatus> for ExitCode {
    fn from(s: ExitStatus) -> Self {
        match s {
            ExitStatus::Success => Self::from(0),
            ExitStatus::Findings => Self::from(1),
            ExitStatus::Error => Self::from(2),
        }
    }
}
