//! The keys of one console, as the SD card needs them: the SD data key
//! (keyslot 0x34: key X from the boot ROM, key Y from movable.sed), the key
//! that signs SD saves and extdata with AES-CMAC (keyslot 0x30: its own
//! key X from the boot ROM, the same key Y; save3ds libsave3ds/src/lib.rs
//! `key_sign`), and the ID0 folder name.

use thiserror::Error;

use super::boot9::{Boot9Error, Boot9Keys};
use super::movable::{MovableError, key_y};
use super::scrambler::normal_key;
use super::{Secret, id0, sd_counter};
use crate::ctr::crypto::cipher::{CounterMode, apply_keystream};

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum KeysError {
    #[error(transparent)]
    Boot9(#[from] Boot9Error),
    #[error(transparent)]
    Movable(#[from] MovableError),
}

/// A console's SD keys, derived from its boot ROM and movable.sed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsoleKeys {
    sd_key: Secret,
    sign_key: Secret,
    id0: String,
}

impl ConsoleKeys {
    /// Derives the keys from the contents of `boot9.bin` and `movable.sed`.
    pub fn derive(boot9: &[u8], movable: &[u8]) -> Result<Self, KeysError> {
        let rom = Boot9Keys::parse(boot9)?;
        let y = key_y(movable)?;
        Ok(ConsoleKeys {
            sd_key: normal_key(&rom.sd_key_x, &y),
            sign_key: normal_key(&rom.sign_key_x, &y),
            id0: id0::id0(&y),
        })
    }

    /// The ID0 folder name these keys belong to.
    pub fn id0(&self) -> &str {
        &self.id0
    }

    /// The AES-CMAC key of SD saves and extdata images.
    pub fn sign_key(&self) -> &Secret {
        &self.sign_key
    }

    /// Decrypts (or encrypts: it is the same) the contents of the SD file at
    /// `components` below the ID1 folder, `data[0]` being the file's first
    /// byte.
    pub fn crypt_sd_file<S: AsRef<str>>(&self, components: &[S], data: &mut [u8]) {
        self.crypt_sd_file_at(components, 0, data);
    }

    /// Like [`Self::crypt_sd_file`] for the bytes at `offset` (a multiple of 16)
    /// of the file.
    pub fn crypt_sd_file_at<S: AsRef<str>>(&self, components: &[S], offset: u64, data: &mut [u8]) {
        debug_assert_eq!(offset % 16, 0, "offsets are whole AES blocks");
        let start = u128::from_be_bytes(sd_counter::counter(components));
        // The counter is one 128-bit big-endian number that grows by one per
        // 16-byte block. (save3ds carries only within its low 64 bits; the two
        // agree unless the low half overflows inside one file, which a
        // file shorter than 2^64 blocks reaches with a negligible chance.)
        let counter = start.wrapping_add(u128::from(offset / 16)).to_be_bytes();
        apply_keystream(
            self.sd_key.expose(),
            &counter,
            CounterMode::Continuous,
            data,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ctr::crypto::sign::{self, SignatureKind};
    use keepsake_testkit::fixtures;

    fn fake_keys() -> Option<ConsoleKeys> {
        let boot9 = fixtures::read("ctr/save3ds/fake-boot9.bin")?;
        let movable = fixtures::read("ctr/save3ds/fake-movable.sed")?;
        Some(ConsoleKeys::derive(&boot9, &movable).unwrap())
    }

    #[test]
    fn the_fake_keys_give_the_id0_folder_save3ds_made() {
        // The folder name save3ds created on the fixture card.
        let Some(keys) = fake_keys() else { return };
        assert_eq!(keys.id0(), "f3e70c5ec14b4d169df44e1c449c9dc2");
    }

    #[test]
    fn decrypting_the_fixture_save_gives_a_disa_header() {
        let Some(keys) = fake_keys() else { return };
        let path = ["title", "00040000", "000abc00", "data", "00000001.sav"];
        let Some(mut file) = fixtures::read(&format!(
            "ctr/save3ds/sd-card/Nintendo 3DS/f3e70c5ec14b4d169df44e1c449c9dc2/\
             0123456789abcdef0123456789abcdef/{}",
            path.join("/")
        )) else {
            return;
        };
        let mut tail = file[0x100..0x200].to_vec();
        keys.crypt_sd_file(&path, &mut file);
        assert_eq!(&file[0x100..0x104], b"DISA");
        // And the signing key verifies the CMAC save3ds wrote.
        let kind = SignatureKind::Sd {
            title_id: 0x0004_0000_000a_bc00,
        };
        let header = file[0x100..0x200].try_into().unwrap();
        let tag = file[..16].try_into().unwrap();
        assert!(sign::verify(keys.sign_key().expose(), &kind, header, tag));
        assert!(!sign::verify(keys.sd_key.expose(), &kind, header, tag));
        // Decrypting from the middle gives the same bytes.
        keys.crypt_sd_file_at(&path, 0x100, &mut tail);
        assert_eq!(tail, file[0x100..0x200]);
    }

    #[test]
    fn the_debug_form_shows_no_key() {
        let Some(keys) = fake_keys() else { return };
        let shown = format!("{keys:?}");
        assert!(shown.contains("hidden"), "{shown}");
        assert_eq!(shown.matches("hidden").count(), 2, "{shown}");
    }
}
