//! The console-unique keys that protect a 3DS's SD card, derived from the
//! user's own files.
//!
//! - [`boot9`]: the key X values the ARM9 boot ROM sets for keyslots
//!   0x30..0x33 (signing) and 0x34..0x37 (SD/NAND data).
//! - [`movable`]: key Y from `movable.sed`.
//! - [`scrambler`]: the AES engine's key scrambler, which turns a key X and a
//!   key Y into the normal key.
//! - [`id0`]: the `Nintendo 3DS/<ID0>` folder name, from key Y.
//! - [`sd_counter`]: the AES-CTR counter of each SD file, from its path.
//! - [`console`]: everything above bundled for one console.
//!
//! Keepsake ships no key: every value here is computed from files the user
//! hands over, and [`Secret`] keeps keys out of every `Debug` output and
//! message.

pub mod boot9;
pub mod console;
pub mod id0;
pub mod movable;
pub mod scrambler;
pub mod sd_counter;

pub use console::ConsoleKeys;

/// A 128-bit key that must never be printed: its `Debug` form hides the bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret([u8; 16]);

impl Secret {
    pub fn new(bytes: [u8; 16]) -> Self {
        Secret(bytes)
    }

    /// The key's bytes, for the cipher that needs them.
    pub fn expose(&self) -> &[u8; 16] {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(hidden)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_hides_the_key() {
        let shown = format!("{:?}", Secret::new([0xAB; 16]));
        assert!(!shown.to_lowercase().contains("ab"), "{shown}");
        assert!(!shown.contains("171"), "{shown}");
    }
}
