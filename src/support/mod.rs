//! Small helpers that know nothing of the pipeline: IAM wildcard matching,
//! how a path is shown, and "did you mean" hints. Any module may use them;
//! they use nothing else of trustlint.

pub mod color;
pub mod git;
pub mod glob;
pub mod path;
pub mod stderr;
pub mod suggest;
