//! Encryption and signing of 3DS saves.
//!
//! - [`cipher`]: AES-128-CTR over a cartridge's logical image, continuous or
//!   with the counter restarting every 0x200 bytes.
//! - [`xorpad`]: recovery of the repeating 512-byte keystream without a key.
//! - [`sign`]: the AES-CMAC at offset 0 of every DISA/DIFF image, computed over
//!   the SHA-256 of a digest block that names the save's kind and copies (or
//!   hashes) the 0x100-byte header at 0x100.

pub mod cipher;
pub mod sign;
pub mod xorpad;

/// Known-answer vectors are written as spaced hex in the tests.
#[cfg(test)]
mod test_hex {
    /// The bytes of a hex string; whitespace between digits is ignored.
    pub fn hex(s: &str) -> Vec<u8> {
        let s: String = s.split_whitespace().collect();
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }
}
