//! Key X values from the ARM9 boot ROM (`boot9.bin`).
//!
//! A full dump is 64 KiB (0xFFFF0000..0xFFFFFFFF on the console); some tools
//! dump only its protected half, the last 32 KiB (from 0xFFFF8000). In the
//! full dump the boot ROM's key table holds, 16 bytes apart, the key X it
//! sets for keyslots 0x2C..0x2F (at 0xD9D0), 0x30..0x33 (at 0xD9E0: the key
//! that signs SD and NAND saves with AES-CMAC) and 0x34..0x37 (at 0xD9F0:
//! the key that encrypts the SD card). Offsets as save3ds reads them
//! (libsave3ds/src/lib.rs, `Resource::new`).

use thiserror::Error;

use super::Secret;

/// Size of a full boot ROM dump.
pub const FULL_LEN: usize = 0x10000;
/// Size of a dump of the protected half only.
pub const PROTECTED_LEN: usize = 0x8000;

/// Offset in the full dump of keyslot 0x30..0x33's key X (CMAC of saves).
const SIGN_KEY_X_AT: usize = 0xD9E0;
/// Offset in the full dump of keyslot 0x34..0x37's key X (SD encryption).
const SD_KEY_X_AT: usize = 0xD9F0;

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum Boot9Error {
    #[error(
        "boot9.bin: expected a dump of the ARM9 boot ROM, 65536 bytes (or 32768 for its \
         protected half), found {len} bytes"
    )]
    BadSize { len: usize },
    #[error(
        "boot9.bin: the key table at offset {offset:#x} is all {byte:#04x} bytes; \
         this is not a boot ROM dump"
    )]
    Blank { offset: usize, byte: u8 },
}

/// The key X values Keepsake needs from a boot ROM dump.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Boot9Keys {
    /// Key X of keyslots 0x30..0x33: the CMAC key of SD and NAND saves.
    pub sign_key_x: Secret,
    /// Key X of keyslots 0x34..0x37: the SD card's encryption.
    pub sd_key_x: Secret,
}

impl Boot9Keys {
    /// Reads the key X values out of a full or protected-half dump.
    pub fn parse(bytes: &[u8]) -> Result<Self, Boot9Error> {
        // A protected-half dump starts 0x8000 into the full ROM.
        let base = match bytes.len() {
            FULL_LEN => 0,
            PROTECTED_LEN => FULL_LEN - PROTECTED_LEN,
            len => return Err(Boot9Error::BadSize { len }),
        };
        let take = |at: usize| -> Result<Secret, Boot9Error> {
            let offset = at - base;
            let key: [u8; 16] = bytes[offset..offset + 16]
                .try_into()
                .expect("the size check keeps the table inside the dump");
            // An erased or zeroed file of the right size would give a key
            // that silently decrypts to garbage; say so instead.
            if key.iter().all(|&b| b == key[0]) {
                return Err(Boot9Error::Blank {
                    offset,
                    byte: key[0],
                });
            }
            Ok(Secret::new(key))
        };
        Ok(Boot9Keys {
            sign_key_x: take(SIGN_KEY_X_AT)?,
            sd_key_x: take(SD_KEY_X_AT)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rom() -> Vec<u8> {
        (0..FULL_LEN).map(|i| (i * 7 + i / 256) as u8).collect()
    }

    #[test]
    fn full_and_protected_dumps_give_the_same_keys() {
        let full = rom();
        let a = Boot9Keys::parse(&full).unwrap();
        let b = Boot9Keys::parse(&full[PROTECTED_LEN..]).unwrap();
        assert_eq!(a, b);
        // Hand-placed offsets, not the module's constants.
        assert_eq!(a.sign_key_x.expose()[..], full[0xD9E0..0xD9F0]);
        assert_eq!(a.sd_key_x.expose()[..], full[0xD9F0..0xDA00]);
    }

    #[test]
    fn wrong_sizes_and_blank_dumps_are_refused() {
        assert_eq!(
            Boot9Keys::parse(&[1; 100]),
            Err(Boot9Error::BadSize { len: 100 })
        );
        let err = Boot9Keys::parse(&vec![0; FULL_LEN]).unwrap_err();
        assert_eq!(
            err,
            Boot9Error::Blank {
                offset: 0xD9E0,
                byte: 0
            }
        );
        assert!(err.to_string().contains("0xd9e0"), "{err}");
    }
}
