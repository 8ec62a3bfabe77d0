//! Replays every saved fuzzing regression input (`fuzz/regressions/TARGET/`)
//! through the library entry point of its target, so that a fixed crash or
//! hang stays fixed without building the fuzz crate (which needs nightly).
//!
//! Budget: each input within [`TIME_BUDGET`], and the whole replay within
//! [`MEMORY_BUDGET_KB`] of peak resident memory (Linux, where it is known).

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Longest one input may take (a debug build on a busy 2-core machine; each
/// takes well under a second in a release build).
const TIME_BUDGET: Duration = Duration::from_secs(30);

/// Most resident memory the replay may reach.
const MEMORY_BUDGET_KB: u64 = 1024 * 1024;

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return out };
    for e in entries.flatten() {
        let path = e.path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// Peak resident memory of this process so far, in KB (Linux).
fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn replay(target: &str, run: fn(&[u8])) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions").join(target);
    let inputs = files_under(&dir);
    for path in &inputs {
        let data = std::fs::read(path).unwrap();
        let (tx, rx) = mpsc::channel();
        let started = Instant::now();
        // On a thread, so that a hang fails the test instead of stalling it.
        std::thread::spawn(move || {
            let outcome = std::panic::catch_unwind(|| run(&data));
            let _ = tx.send(outcome.is_ok());
        });
        match rx.recv_timeout(TIME_BUDGET) {
            Ok(true) => {}
            Ok(false) => panic!("{target}: {} panicked", path.display()),
            Err(mpsc::RecvTimeoutError::Timeout | mpsc::RecvTimeoutError::Disconnected) => {
                panic!("{target}: {} took more than {TIME_BUDGET:?}", path.display())
            }
        }
        eprintln!("{target}: {} in {:?}", path.display(), started.elapsed());
        if let Some(kb) = peak_rss_kb() {
            assert!(kb < MEMORY_BUDGET_KB, "{target}: {} brought the peak to {kb} KB", path.display());
        }
    }
    inputs.len()
}

#[test]
fn read_source_regressions_stay_fixed() {
    let n = replay("read_source", trustlint::fuzzing::read_source);
    assert!(n > 0, "no regression inputs for read_source");
}

#[test]
fn check_pipeline_regressions_stay_fixed() {
    let n = replay("check_pipeline", trustlint::fuzzing::check_pipeline);
    assert!(n > 0, "no regression inputs for check_pipeline");
}

#[test]
fn export_reading_regressions_stay_fixed() {
    let n = replay("export_reading", trustlint::fuzzing::export_reading);
    assert!(n > 0, "no regression inputs for export_reading");
}
