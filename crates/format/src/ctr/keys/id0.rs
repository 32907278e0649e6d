//! ID0: the name of the console's folder under `Nintendo 3DS/` on the SD card.
//!
//! It is the first 16 bytes of SHA-256(key Y of movable.sed), read as four
//! little-endian 32-bit words, each written as 8 lowercase hex digits
//! (3dbrew "SD Filesystem"; save3ds libsave3ds/src/misc.rs `hash_movable`
//! prints the bytes of each word in reverse order, which is the same).

use sha2::{Digest, Sha256};

use super::Secret;

/// The ID0 folder name for this key Y.
pub fn id0(key_y: &Secret) -> String {
    let hash = Sha256::digest(key_y.expose());
    hash[..16]
        .chunks_exact(4)
        .map(|w| format!("{:08x}", u32::from_le_bytes([w[0], w[1], w[2], w[3]])))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id0_is_32_lowercase_hex_digits_of_swapped_words() {
        // SHA-256 of 16 zero bytes starts 37 47 08 ff f7 71 9d d5 97 9e c8 75
        // d5 6c d2 28 (computed with Python's hashlib).
        let id = id0(&Secret::new([0; 16]));
        assert_eq!(id, "ff084737d59d71f775c89e9728d26cd5");
    }
}
