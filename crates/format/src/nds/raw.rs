//! A raw save (`.sav`): the chip image and nothing else.
//!
//! Flashcarts and most emulators write the image as is, often padded to a
//! larger size than the game's chip (512 KiB is common). With no header to
//! vouch for it, a file is only taken as a raw image when its length is one
//! a save can have: a power of two from 512 B to 8 MiB. Anything else is a
//! truncated or foreign file.

use thiserror::Error;

use super::chip::{ChipKind, format_size};

/// A file that is not a raw save image.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RawError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is {} but the largest NDS save chip holds 8 MiB: this is not an NDS save", format_size(*.len))]
    TooLarge { len: usize },
    #[error(
        "the file is {len} bytes, which no NDS save has (raw saves are a power of two from 512 B to 8 MiB), and it has no DeSmuME footer, Action Replay or no$gba header: it is truncated or not an NDS save"
    )]
    UnusualLength { len: usize },
}

/// Checks that `file` can be a raw image and returns it.
pub fn parse(file: &[u8]) -> Result<&[u8], RawError> {
    let len = file.len();
    if len == 0 {
        Err(RawError::Empty)
    } else if len > ChipKind::LARGEST_CAPACITY {
        Err(RawError::TooLarge { len })
    } else if !len.is_power_of_two() || len < ChipKind::SMALLEST_CAPACITY {
        Err(RawError::UnusualLength { len })
    } else {
        Ok(file)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_save_sized_files_are_raw_images() {
        assert_eq!(parse(&[]), Err(RawError::Empty));
        assert_eq!(parse(&[0; 256]), Err(RawError::UnusualLength { len: 256 }));
        assert_eq!(
            parse(&[0; 8191]),
            Err(RawError::UnusualLength { len: 8191 })
        );
        assert_eq!(parse(&[0; 32768]).map(<[u8]>::len), Ok(32768));
        for chip in ChipKind::ALL {
            let image = vec![0x5A; chip.capacity()];
            assert_eq!(parse(&image), Ok(&image[..]));
        }
        let huge = vec![0; 16 << 20];
        assert_eq!(parse(&huge), Err(RawError::TooLarge { len: 16 << 20 }));
    }
}
