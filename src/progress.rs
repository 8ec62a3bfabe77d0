//! A progress line on standard error for long audits: shown only when
//! standard error is a terminal and the work has taken more than a second,
//! so short runs, pipes and CI logs never see it.

use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// How long a run goes before the progress line appears.
const DELAY: Duration = Duration::from_secs(1);
const TICK: Duration = Duration::from_millis(200);

#[derive(Default)]
struct Shared {
    done: AtomicUsize,
    total: AtomicUsize,
    stage: Mutex<&'static str>,
    stop: AtomicBool,
}

/// A running progress line; cleared when dropped.
pub struct Progress {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl Progress {
    /// Starts the line for `stage` with `total` steps when `enabled`.
    pub fn start(enabled: bool, stage: &'static str, total: usize) -> Self {
        let shared = Arc::new(Shared::default());
        shared.total.store(total, Ordering::Relaxed);
        *shared.stage.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = stage;
        let thread = enabled.then(|| {
            let shared = Arc::clone(&shared);
            std::thread::spawn(move || draw(&shared))
        });
        Self { shared, thread }
    }

    /// One step done.
    pub fn step(&self) {
        self.shared.done.fetch_add(1, Ordering::Relaxed);
    }

    /// A new stage, counted from zero (a total of 0 shows no count).
    pub fn stage(&self, stage: &'static str, total: usize) {
        *self.shared.stage.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = stage;
        self.shared.total.store(total, Ordering::Relaxed);
        self.shared.done.store(0, Ordering::Relaxed);
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn draw(shared: &Shared) {
    let mut waited = Duration::ZERO;
    let mut shown = false;
    while !shared.stop.load(Ordering::Relaxed) {
        std::thread::sleep(TICK);
        waited += TICK;
        if waited < DELAY {
            continue;
        }
        let stage = *shared.stage.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let (done, total) = (shared.done.load(Ordering::Relaxed), shared.total.load(Ordering::Relaxed));
        let line = if total > 0 { format!("{stage} {done}/{total}") } else { format!("{stage}…") };
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[2K{line}");
        let _ = err.flush();
        shown = true;
    }
    if shown {
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[2K");
        let _ = err.flush();
    }
}
