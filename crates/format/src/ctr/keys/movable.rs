//! Key Y from `movable.sed`, the console-unique seed kept in NAND.
//!
//! Layout (3dbrew "Nand/private/movable.sed"): magic `SEED` at 0, then at
//! 0x110 the 16-byte key Y of keyslots 0x30..0x37. The file is 0x120 bytes,
//! or 0x140 when an AES-CMAC follows; only the magic and key Y are needed
//! (save3ds reads key Y at 0x110 too: libsave3ds/src/lib.rs).

use thiserror::Error;

use super::Secret;

/// Where key Y lies in the file.
const KEY_Y_AT: usize = 0x110;

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum MovableError {
    #[error("movable.sed: expected the SEED magic at offset 0")]
    BadMagic,
    #[error(
        "movable.sed: the file is {len} bytes, too short to hold key Y at offset 0x110 \
         (a movable.sed is 288 or 320 bytes)"
    )]
    TooShort { len: usize },
}

/// Key Y of a console's `movable.sed`.
pub fn key_y(bytes: &[u8]) -> Result<Secret, MovableError> {
    if bytes.get(..4) != Some(b"SEED".as_slice()) {
        return Err(MovableError::BadMagic);
    }
    let key: [u8; 16] = bytes
        .get(KEY_Y_AT..KEY_Y_AT + 16)
        .ok_or(MovableError::TooShort { len: bytes.len() })?
        .try_into()
        .expect("16 bytes");
    Ok(Secret::new(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_y_is_read_after_the_magic() {
        let mut file = vec![0u8; 0x140];
        file[..4].copy_from_slice(b"SEED");
        for (i, b) in file[0x110..0x120].iter_mut().enumerate() {
            *b = i as u8 + 1;
        }
        let key = key_y(&file).unwrap();
        assert_eq!(
            key.expose(),
            &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]
        );
        assert!(key_y(&file[..0x120]).is_ok());
    }

    #[test]
    fn a_file_without_the_magic_or_too_short_is_refused() {
        let err = key_y(&[0u8; 0x140]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "movable.sed: expected the SEED magic at offset 0"
        );
        assert_eq!(key_y(b"SEE"), Err(MovableError::BadMagic));
        assert_eq!(key_y(b"SEED1234"), Err(MovableError::TooShort { len: 8 }));
    }
}
