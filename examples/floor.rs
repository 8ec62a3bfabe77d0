//! The floor `trustlint check` is measured against on a tree of policy
//! files: walk the tree, read every `*.json` file and parse it into a
//! `serde_json::Value`, on all cores, and nothing else.
//!
//!   cargo build --release --example floor
//!   target/release/examples/floor bench/corpus/policies
//!
//! The walk is the `ignore` crate's parallel walker (the crate `check`
//! walks with), each walker thread reading and parsing the files it meets;
//! `RAYON_NUM_THREADS` sets the number of threads, as it does for `check`.
//! Prints the files parsed, the bytes read and the files that did not parse.

use std::sync::atomic::{AtomicU64, Ordering};

/// The allocator `trustlint` uses, so that the ratio measures the work
/// done, not the allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let roots: Vec<String> = std::env::args().skip(1).collect();
    if roots.is_empty() {
        eprintln!("usage: floor DIR...");
        std::process::exit(2);
    }
    let threads = std::env::var("RAYON_NUM_THREADS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, std::num::NonZero::get));
    let mut builder = ignore::WalkBuilder::new(&roots[0]);
    for root in &roots[1..] {
        builder.add(root);
    }
    builder.hidden(false).threads(threads);

    let files = AtomicU64::new(0);
    let bytes = AtomicU64::new(0);
    let invalid = AtomicU64::new(0);
    builder.build_parallel().run(|| {
        Box::new(|entry| {
            let Ok(entry) = entry else { return ignore::WalkState::Continue };
            let is_json = entry.path().extension().is_some_and(|e| e.eq_ignore_ascii_case("json"));
            if is_json
                && entry.file_type().is_some_and(|t| t.is_file())
                && let Ok(data) = std::fs::read(entry.path())
            {
                bytes.fetch_add(data.len() as u64, Ordering::Relaxed);
                files.fetch_add(1, Ordering::Relaxed);
                if serde_json::from_slice::<serde_json::Value>(&data).is_err() {
                    invalid.fetch_add(1, Ordering::Relaxed);
                }
            }
            ignore::WalkState::Continue
        })
    });
    println!(
        "{} files, {} bytes, {} not JSON",
        files.load(Ordering::Relaxed),
        bytes.load(Ordering::Relaxed),
        invalid.load(Ordering::Relaxed)
    );
}
