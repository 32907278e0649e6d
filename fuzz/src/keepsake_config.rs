//! Parsing /3ds/Keepsake/config.json never panics, and what it accepts has
//! absolute roots.

use keepsake_core::store::Config;

/// Runs the target on one input.
pub fn run(data: &[u8]) {
    if let Ok(config) = Config::parse(data) {
        assert!(config.saves_root.starts_with('/'));
        assert!(config.extdata_root.starts_with('/'));
    }
}
