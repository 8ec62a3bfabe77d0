//! Reads an export piece by piece in blocks and batches the first byte
//! chooses, against the reading of the whole text.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| trustlint::fuzzing::export_reading(data));
