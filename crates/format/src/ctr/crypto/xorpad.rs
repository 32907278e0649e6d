//! Keystream recovery for repeating-counter cartridges, without any key.
//!
//! Such a cartridge XORs every 0x200-byte chunk of the logical image with
//! the same 512-byte pad. A formatted save is mostly zeros, so the most
//! common chunk *is* the pad. Chunks that are all 0xFF were never written
//! (erased flash, not ciphertext) and do not vote. A candidate is accepted
//! only if it decrypts the image's DISA header: the `DISA` magic at 0x100.

use std::collections::BTreeMap;

use thiserror::Error;

/// Length of the repeating pad.
pub const PAD_LEN: usize = 0x200;

/// Offset and value of the magic that proves a pad right.
pub const MAGIC_OFFSET: usize = 0x100;
pub const DISA_MAGIC: &[u8; 4] = b"DISA";

/// A 512-byte keystream repeated over a whole image.
#[derive(Clone, PartialEq, Eq)]
pub struct Xorpad(pub [u8; PAD_LEN]);

impl std::fmt::Debug for Xorpad {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Xorpad({:02x?}..)", &self.0[..8])
    }
}

impl Xorpad {
    /// XORs `data` (starting at the image's first byte) with the pad.
    pub fn apply(&self, data: &mut [u8]) {
        for chunk in data.chunks_mut(PAD_LEN) {
            for (byte, key) in chunk.iter_mut().zip(&self.0) {
                *byte ^= key;
            }
        }
    }
}

/// Why no pad could be recovered.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum XorpadError {
    #[error(
        "the image is {len} bytes; a logical save image is a non-empty multiple of 0x200 bytes \
         holding at least the DISA header (0x200 bytes)"
    )]
    Length { len: usize },
    #[error(
        "every 0x200-byte chunk is erased (0xFF): nothing was ever written, so there is nothing to decrypt"
    )]
    AllErased,
    #[error(
        "the most common chunk ({occurrences} of {chunks} written chunks) does not decrypt the \
         header: bytes at 0x100 become {} (hex), not \"DISA\"; the image is not a \
         repeating-counter save (use a key and counter instead)",
        crate::text::hex_bytes(.found)
    )]
    NoDisaMagic {
        occurrences: usize,
        chunks: usize,
        found: [u8; 4],
    },
}

/// A recovered pad and how much evidence backs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recovered {
    pub pad: Xorpad,
    /// Chunks equal to the pad (plaintext zeros).
    pub occurrences: usize,
    /// Chunks that voted (not all 0xFF).
    pub chunks: usize,
    /// Chunks skipped because they were all 0xFF.
    pub erased: usize,
}

/// Recovers the repeating pad of an encrypted logical image.
pub fn recover(image: &[u8]) -> Result<Recovered, XorpadError> {
    if image.len() < PAD_LEN || image.len() % PAD_LEN != 0 {
        return Err(XorpadError::Length { len: image.len() });
    }
    let mut votes: BTreeMap<&[u8], usize> = BTreeMap::new();
    let mut erased = 0;
    let mut best: Option<(&[u8], usize)> = None;
    for chunk in image.chunks_exact(PAD_LEN) {
        if chunk.iter().all(|&b| b == 0xFF) {
            erased += 1;
            continue;
        }
        let count = votes.entry(chunk).or_insert(0);
        *count += 1;
        // Strictly more, so ties go to the chunk seen first.
        if best.is_none_or(|(_, n)| *count > n) {
            best = Some((chunk, *count));
        }
    }
    let Some((chunk, occurrences)) = best else {
        return Err(XorpadError::AllErased);
    };
    let chunks = image.len() / PAD_LEN - erased;
    let pad = Xorpad(chunk.try_into().expect("0x200-byte chunk"));
    let mut found = [0u8; 4];
    for (i, byte) in found.iter_mut().enumerate() {
        *byte = image[MAGIC_OFFSET + i] ^ pad.0[MAGIC_OFFSET + i];
    }
    if &found != DISA_MAGIC {
        return Err(XorpadError::NoDisaMagic {
            occurrences,
            chunks,
            found,
        });
    }
    Ok(Recovered {
        pad,
        occurrences,
        chunks,
        erased,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ctr::crypto::cipher::{CounterMode, apply_keystream};
    use crate::ctr::testgen;
    use keepsake_testkit::rand::Rng;

    #[test]
    fn recovers_the_pad_of_an_encrypted_generated_save_for_every_logical_size() {
        let mut rng = keepsake_testkit::rng::for_test("xorpad_recover");
        for len in [0x1E000, 0x7E000, 0xFE000] {
            let plain = testgen::plaintext_disa(&mut rng, len);
            let key: [u8; 16] = rng.random();
            let counter: [u8; 16] = rng.random();
            let mut image = plain.clone();
            apply_keystream(&key, &counter, CounterMode::Repeating, &mut image);
            let recovered = recover(&image).unwrap();
            // The pad is the keystream: an independent check through the cipher.
            let mut keystream = [0u8; PAD_LEN];
            apply_keystream(&key, &counter, CounterMode::Continuous, &mut keystream);
            assert_eq!(recovered.pad.0, keystream);
            assert_eq!(recovered.erased, 0);
            let mut decrypted = image.clone();
            recovered.pad.apply(&mut decrypted);
            assert_eq!(decrypted, plain);
        }
    }

    #[test]
    fn erased_chunks_do_not_vote() {
        let mut rng = keepsake_testkit::rng::for_test("xorpad_erased");
        let plain = testgen::plaintext_disa(&mut rng, 0x1E000);
        let mut image = plain.clone();
        apply_keystream(&[5; 16], &[6; 16], CounterMode::Repeating, &mut image);
        // More erased chunks than zero chunks: they must still not win.
        let half = image.len() / 2;
        image[0x1000..0x1000 + half].fill(0xFF);
        let recovered = recover(&image).unwrap();
        assert_eq!(recovered.erased, half / PAD_LEN);
        let mut keystream = [0u8; PAD_LEN];
        apply_keystream(&[5; 16], &[6; 16], CounterMode::Continuous, &mut keystream);
        assert_eq!(recovered.pad.0, keystream);
    }

    #[test]
    fn a_continuous_stream_or_plain_data_is_refused_with_what_was_found() {
        let mut rng = keepsake_testkit::rng::for_test("xorpad_refuse");
        let plain = testgen::plaintext_disa(&mut rng, 0x1E000);
        let mut image = plain.clone();
        apply_keystream(&[5; 16], &[6; 16], CounterMode::Continuous, &mut image);
        assert!(matches!(
            recover(&image),
            Err(XorpadError::NoDisaMagic { .. })
        ));
        // Plaintext: the most common chunk is zeros, so the pad is all zero,
        // under which the header already reads DISA; applying it is harmless.
        let recovered = recover(&plain).unwrap();
        assert_eq!(recovered.pad.0, [0u8; PAD_LEN]);
        assert_eq!(recover(&[0xFF; 0x1000]), Err(XorpadError::AllErased));
        assert_eq!(
            recover(&[0; 0x201]),
            Err(XorpadError::Length { len: 0x201 })
        );
        assert_eq!(recover(&[]), Err(XorpadError::Length { len: 0 }));
    }
}
