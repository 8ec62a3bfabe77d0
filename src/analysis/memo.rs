//! What reading a file gave, kept for a second analysis of the same files:
//! the two sides of `trustlint diff` share most of their files, and a file
//! whose name and text are the same on both is read into the model once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use super::Loaded;
use crate::model::Problem;
use crate::source::SourceFile;
use crate::sources::{Extracted, terraform};

#[derive(Debug, Default)]
pub struct Memo {
    /// By the name shown.
    files: Mutex<HashMap<String, Kept>>,
    pub(super) terraform: terraform::Parses,
}

/// One file's reading, and what it depended on besides its name.
#[derive(Debug)]
struct Kept {
    text: Arc<str>,
    explicit: bool,
    account: Option<String>,
    outcome: Outcome,
}

#[derive(Debug)]
enum Outcome {
    Iam(Extracted),
    Unparseable(Problem),
    Skipped,
}

/// How a file was read: its name, whether the user named it, the account
/// its stack deploys to.
pub(super) struct Reading<'a> {
    pub name: &'a str,
    pub explicit: bool,
    pub account: Option<&'a str>,
}

impl Memo {
    fn files(&self) -> std::sync::MutexGuard<'_, HashMap<String, Kept>> {
        self.files.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// What an earlier reading of the same file with the same text gave
    /// (taken out: each file is read once per side).
    pub(super) fn take(&self, r: &Reading<'_>, text: &Arc<str>) -> Option<Loaded> {
        let kept = self.files().remove(r.name)?;
        if kept.text != *text || kept.explicit != r.explicit || kept.account.as_deref() != r.account {
            return None;
        }
        let file = || SourceFile::new(r.name.to_owned(), Arc::clone(text));
        Some(match kept.outcome {
            Outcome::Iam(extracted) => Loaded::Iam { file: file(), extracted },
            Outcome::Unparseable(problem) => Loaded::Unparseable { file: file(), problem },
            Outcome::Skipped => Loaded::Skipped,
        })
    }

    /// Keeps what reading a file gave, for the other side.
    pub(super) fn keep(&self, r: &Reading<'_>, text: &Arc<str>, loaded: &Loaded) {
        let outcome = match loaded {
            Loaded::Iam { extracted, .. } => Outcome::Iam(extracted.clone()),
            Loaded::Unparseable { problem, .. } => Outcome::Unparseable(problem.clone()),
            Loaded::Skipped => Outcome::Skipped,
            Loaded::Failed(_) => return,
        };
        let kept = Kept {
            text: Arc::clone(text),
            explicit: r.explicit,
            account: r.account.map(str::to_owned),
            outcome,
        };
        self.files().insert(r.name.to_owned(), kept);
    }
}
