//! cargo-fuzz entry point of `keepsake_fuzz::gba_vc` (fuzz/src/gba_vc.rs),
//! which the host test `tests/fuzz_targets.rs` type-checks and runs on the
//! seed corpus on stable, so the target cannot rot.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| keepsake_fuzz::gba_vc::run(data));
