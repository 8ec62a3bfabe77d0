//! Small helpers that know nothing of the pipeline: IAM wildcard matching,
//! how a path is shown, "did you mean" hints, an index of positions. Any module may use them;
//! they use nothing else of trustlint.

pub mod color;
pub mod git;
pub mod glob;
pub mod index;
pub mod path;
pub mod stderr;
pub mod suggest;
