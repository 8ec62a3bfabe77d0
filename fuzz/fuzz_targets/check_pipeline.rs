//! The whole `check` pipeline in memory over up to four files, every report
//! format, the graph and the paths.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| trustlint::fuzzing::check_pipeline(data));
