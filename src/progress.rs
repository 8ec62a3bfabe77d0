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
    /// Starts the line for `stage` with `total` steps on standard error when
    /// `enabled`.
    pub fn start(enabled: bool, stage: &'static str, total: usize) -> Self {
        Self::start_on(
            enabled.then(|| Box::new(std::io::stderr()) as Box<dyn Write + Send>),
            DELAY,
            stage,
            total,
        )
    }

    /// Starts the line on `out` (none: no line), shown after `delay`.
    fn start_on(
        out: Option<Box<dyn Write + Send>>,
        delay: Duration,
        stage: &'static str,
        total: usize,
    ) -> Self {
        let shared = Arc::new(Shared::default());
        shared.total.store(total, Ordering::Relaxed);
        *shared.stage.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = stage;
        let thread = out.map(|mut out| {
            let shared = Arc::clone(&shared);
            std::thread::spawn(move || draw(&shared, delay, &mut *out))
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

fn draw(shared: &Shared, delay: Duration, out: &mut dyn Write) {
    let mut waited = Duration::ZERO;
    let mut shown = false;
    while !shared.stop.load(Ordering::Relaxed) {
        std::thread::sleep(TICK);
        waited += TICK;
        if waited < delay {
            continue;
        }
        let stage = *shared.stage.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let (done, total) = (shared.done.load(Ordering::Relaxed), shared.total.load(Ordering::Relaxed));
        let line = if total > 0 { format!("{stage} {done}/{total}") } else { format!("{stage}…") };
        let _ = write!(out, "\r\x1b[2K{line}");
        let _ = out.flush();
        shown = true;
    }
    if shown {
        // Leave the terminal as it was: the report follows on a clean line.
        let _ = write!(out, "\r\x1b[2K");
        let _ = out.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A writer the test can read after the drawing thread has written.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn shows_counts_and_stages_then_clears_the_line() {
        let out = Captured::default();
        let p = Progress::start_on(Some(Box::new(out.clone())), Duration::ZERO, "reading files", 10);
        for _ in 0..3 {
            p.step();
        }
        std::thread::sleep(TICK * 3);
        p.stage("checking policies", 0);
        std::thread::sleep(TICK * 3);
        drop(p);
        let text = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
        assert!(text.contains("\r\x1b[2Kreading files 3/10"), "{text:?}");
        assert!(text.contains("\r\x1b[2Kchecking policies…"), "{text:?}");
        assert!(text.ends_with("\r\x1b[2K"), "the line is cleared: {text:?}");
    }

    #[test]
    fn a_short_run_shows_nothing() {
        let out = Captured::default();
        let p = Progress::start_on(Some(Box::new(out.clone())), DELAY, "reading files", 10);
        p.step();
        drop(p);
        assert!(out.0.lock().unwrap().is_empty());
    }
}
