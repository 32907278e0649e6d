//! The SD card's title cache, read from untrusted bytes: never panics, and
//! whatever it accepts encodes back to the same bytes.
#![no_main]

use keepsake_core::store::title_cache::{decode, encode};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    if let Ok(records) = decode(bytes) {
        assert_eq!(encode(&records), bytes);
    }
});
