//! Reads one source from any bytes: the first byte picks the file type
//! (JSON, YAML, `.tf`, `.tf.json`, plan, state).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| trustlint::fuzzing::read_source(data));
