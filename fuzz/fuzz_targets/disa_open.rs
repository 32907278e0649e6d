//! cargo-fuzz entry point of `keepsake_fuzz::disa_open` (fuzz/src/disa_open.rs),
//! which the host test `tests/fuzz_targets.rs` type-checks and runs on the
//! seed corpus on stable, so the target cannot rot.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| keepsake_fuzz::disa_open::run(data));
