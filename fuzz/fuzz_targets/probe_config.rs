//! `config.json`'s probing switches, read from untrusted bytes: never panics,
//! and whatever it accepts names only skippable services.
#![no_main]

use keepsake_core::capabilities::ProbeConfig;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    if let Ok(config) = ProbeConfig::from_json(bytes) {
        assert!(config.skipped().iter().all(|service| service.skippable()));
    }
});
