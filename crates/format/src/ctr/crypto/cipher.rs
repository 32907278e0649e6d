//! AES-128-CTR over a logical cartridge save image.
//!
//! The keystream is AES-128 of a 128-bit big-endian counter that starts at
//! the given value and grows by one per 16-byte block. Early cartridges reset
//! the counter every 0x200 bytes, so their keystream is one 512-byte pad
//! repeated over the whole image ([`CounterMode::Repeating`]); that is what
//! makes [`super::xorpad`] recovery possible. Encryption and decryption are
//! the same operation.

use aes::Aes128;
use ctr::Ctr128BE;
use ctr::cipher::{KeyIvInit, StreamCipher};

use super::sign::Key;
use super::xorpad::{PAD_LEN, Xorpad};

/// A 128-bit initial counter.
pub type Counter = [u8; 16];

/// How the counter runs over the image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CounterMode {
    /// One counter over the whole image.
    Continuous,
    /// The counter restarts every 0x200 bytes (old cartridges).
    Repeating,
}

/// Encrypts or decrypts `data` in place, `data[0]` being the image's first
/// byte.
pub fn apply_keystream(key: &Key, counter: &Counter, mode: CounterMode, data: &mut [u8]) {
    match mode {
        CounterMode::Continuous => {
            let mut cipher = Ctr128BE::<Aes128>::new(key.into(), counter.into());
            cipher.apply_keystream(data);
        }
        CounterMode::Repeating => pad_for(key, counter).apply(data),
    }
}

/// The 512-byte pad a repeating-counter cartridge XORs every chunk with.
pub fn pad_for(key: &Key, counter: &Counter) -> Xorpad {
    let mut pad = [0u8; PAD_LEN];
    let mut cipher = Ctr128BE::<Aes128>::new(key.into(), counter.into());
    cipher.apply_keystream(&mut pad);
    Xorpad(pad)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ctr::crypto::test_hex::hex;
    use aes::cipher::{BlockEncrypt, KeyInit};

    #[test]
    fn continuous_mode_matches_nist_sp800_38a_ctr_aes128() {
        // NIST SP 800-38A, F.5.1 CTR-AES128.Encrypt.
        let key: Key = hex("2b7e151628aed2a6abf7158809cf4f3c").try_into().unwrap();
        let counter: Counter = hex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff").try_into().unwrap();
        let mut data = hex(
            "6bc1bee22e409f96e93d7e117393172a ae2d8a571e03ac9c9eb76fac45af8e51
             30c81c46a35ce411e5fbc1191a0a52ef f69f2445df4f9b17ad2b417be66c3710",
        );
        apply_keystream(&key, &counter, CounterMode::Continuous, &mut data);
        assert_eq!(
            data,
            hex(
                "874d6191b620e3261bef6864990db6ce 9806f66b7970fdff8617187bb9fffdff
                 5ae4df3edbd5d35e5b4f09020db03eab 1e031dda2fbe03d1792170a0f3009cee"
            )
        );
    }

    #[test]
    fn repeating_mode_restarts_the_counter_every_0x200_bytes() {
        let key = [3u8; 16];
        let counter = [9u8; 16];
        let mut data = vec![0u8; 0x800];
        apply_keystream(&key, &counter, CounterMode::Repeating, &mut data);
        for chunk in data.chunks(0x200) {
            assert_eq!(chunk, &data[..0x200]);
        }
        // Its first block is AES(key, counter), computed with the block cipher.
        let mut block = counter.into();
        Aes128::new(&key.into()).encrypt_block(&mut block);
        assert_eq!(&data[..16], block.as_slice());
        // And it differs from the continuous stream after the first chunk.
        let mut continuous = vec![0u8; 0x800];
        apply_keystream(&key, &counter, CounterMode::Continuous, &mut continuous);
        assert_eq!(&continuous[..0x200], &data[..0x200]);
        assert_ne!(&continuous[0x200..0x400], &data[0x200..0x400]);
    }

    #[test]
    fn applying_twice_gives_the_plaintext_back() {
        let mut rng = keepsake_testkit::rng::for_test("cipher_twice");
        let data = crate::ctr::testgen::plaintext_disa(&mut rng, 0x4000);
        for mode in [CounterMode::Continuous, CounterMode::Repeating] {
            let mut buf = data.clone();
            apply_keystream(&[1; 16], &[2; 16], mode, &mut buf);
            assert_ne!(buf, data);
            apply_keystream(&[1; 16], &[2; 16], mode, &mut buf);
            assert_eq!(buf, data);
        }
    }
}
