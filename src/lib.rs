//! trustlint: a static analyzer for AWS IAM trust policies.

pub mod eval;
pub mod model;
pub mod source;
pub mod syntax;
