//! cargo-fuzz entry point of `keepsake_fuzz::title_prefs` (fuzz/src/title_prefs.rs),
//! which the host test `tests/fuzz_targets.rs` type-checks and runs on the
//! seed corpus on stable, so the target cannot rot.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| keepsake_fuzz::title_prefs::run(data));
