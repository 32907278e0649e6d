//! cargo-fuzz entry point of `keepsake_fuzz::keepsake_config` (fuzz/src/keepsake_config.rs),
//! which the host test `tests/fuzz_targets.rs` type-checks and runs on the
//! seed corpus on stable, so the target cannot rot.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| keepsake_fuzz::keepsake_config::run(data));
