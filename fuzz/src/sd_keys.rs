//! Reading key files (boot9.bin, movable.sed) from untrusted bytes and
//! deriving the SD keys never panics.

use keepsake_format::ctr::keys::ConsoleKeys;
use keepsake_format::ctr::keys::boot9::Boot9Keys;
use keepsake_format::ctr::keys::movable;

/// Runs the target on one input.
pub fn run(data: &[u8]) {
    let _ = Boot9Keys::parse(data);
    let _ = movable::key_y(data);
    // Split the input: a boot ROM-sized prefix and the rest as movable.sed.
    if data.len() > 0x8000 {
        let (boot9, rest) = data.split_at(0x8000);
        if let Ok(keys) = ConsoleKeys::derive(boot9, rest) {
            let mut buf = rest.to_vec();
            keys.crypt_sd_file(&["title", "00040000"], &mut buf);
        }
    }
}
