//! The SD card's title cache, read from untrusted bytes: never panics, and
//! whatever it accepts encodes back to the same bytes.

use keepsake_core::store::title_cache::{decode, encode};

/// Runs the target on one input.
pub fn run(data: &[u8]) {
    if let Ok(records) = decode(data) {
        assert_eq!(encode(&records), data);
    }
}
