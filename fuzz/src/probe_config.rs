//! `config.json`'s probing switches, read from untrusted bytes: never panics,
//! and whatever it accepts names only skippable services.

use keepsake_core::store::probe_config::ProbeConfig;

/// Runs the target on one input.
pub fn run(bytes: &[u8]) {
    if let Ok(config) = ProbeConfig::from_json(bytes) {
        assert!(config.skipped().iter().all(|service| service.skippable()));
    }
}
