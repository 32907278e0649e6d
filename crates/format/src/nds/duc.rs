//! Action Replay DS saves (`.duc`, also `.dss`), in their two header layouts.
//!
//! The first Action Replay DS (and MAX Drive DS) PC software writes a
//! 500-byte header, then the save:
//!
//! ```text
//! 0x000  16 B   magic "ARDS000000000001"
//! 0x010  64 B   game name, UTF-16LE, NUL-padded
//! 0x050  64 B   save name, UTF-16LE, NUL-padded
//! 0x090 200 B   description, UTF-16LE, NUL-padded
//! 0x158 156 B   the same three texts again in 8-bit characters
//! 0x1F4         the save: as many bytes as the Action Replay read, which
//!               is the chip size or less; always a power of two
//! ```
//!
//! The later Action Replay DS ME (and DSi) software writes a 164-byte header:
//!
//! ```text
//! 0x00   4 B   zero
//! 0x04  23 B   game name, 8-bit, NUL-padded
//! 0x20  33 B   save name, 8-bit, NUL-padded
//! 0x41         description, 8-bit, NUL-padded
//! 0xA1   2 B   save length / 256, little-endian (length = b[0xA1] << 8 |
//!              b[0xA2] << 16), which must equal the bytes after the header
//! 0xA3   1 B   0xC0, the mark of this layout
//! 0xA4         the save
//! ```

use serde::Serialize;
use thiserror::Error;

use super::chip::{ChipKind, format_size};

/// The magic at the start of the first layout.
pub const MAX_MAGIC: &[u8; 16] = b"ARDS000000000001";
/// The first layout's header length.
pub const MAX_HEADER_LEN: usize = 500;
/// The AR DS ME layout's header length.
pub const ME_HEADER_LEN: usize = 0xA4;
const ME_MARK_OFFSET: usize = 0xA3;
const ME_MARK: u8 = 0xC0;
const ME_SIZE_OFFSET: usize = 0xA1;

/// Which Action Replay software wrote the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ActionReplayVariant {
    /// Action Replay DS / MAX Drive DS: `ARDS000000000001`, 500-byte header.
    Max,
    /// Action Replay DS ME / DSi: 164-byte header with a 0xC0 mark.
    Me,
}

/// What the header of an Action Replay save says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActionReplayHeader {
    pub variant: ActionReplayVariant,
    /// The game name the user or the software gave the save.
    pub game_name: String,
    /// The save's own name.
    pub save_name: String,
}

/// An Action Replay file that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DucError {
    #[error("Action Replay file is {len} bytes, shorter than its {MAX_HEADER_LEN}-byte header")]
    MaxTooShort { len: usize },
    #[error(
        "Action Replay save at offset {MAX_HEADER_LEN:#x} is {len} bytes, which is not a power of two from 512 B to 8 MiB as every Action Replay save is: bytes were inserted into or lost from the file"
    )]
    MaxSaveLength { len: usize },
    #[error("Action Replay DS ME header says the save is {} (offset {ME_SIZE_OFFSET:#x}) but {actual} bytes follow the header: the file was truncated or edited", format_size(*.declared))]
    MeSizeMismatch { declared: usize, actual: usize },
    #[error("Action Replay save after the header is empty")]
    Empty,
    #[error("Action Replay save is {} but the largest NDS save chip holds 8 MiB", format_size(*.len))]
    TooLarge { len: usize },
}

/// Whether `file` starts with the first layout's magic.
pub fn is_max(file: &[u8]) -> bool {
    file.starts_with(MAX_MAGIC)
}

/// Whether `file` carries the marks of the AR DS ME layout: four zero bytes
/// and 0xC0 at 0xA3. Raw saves can carry them by chance, so a match is only
/// taken when the declared length also fits (see [`parse`]).
pub fn looks_like_me(file: &[u8]) -> bool {
    file.len() > ME_HEADER_LEN && file[..4] == [0; 4] && file[ME_MARK_OFFSET] == ME_MARK
}

/// The save length the AR DS ME header declares.
pub fn me_declared_len(file: &[u8]) -> Option<usize> {
    if file.len() < ME_HEADER_LEN {
        return None;
    }
    Some(usize::from(file[ME_SIZE_OFFSET]) << 8 | usize::from(file[ME_SIZE_OFFSET + 1]) << 16)
}

/// Text of a NUL-padded UTF-16LE field.
fn utf16_field(bytes: &[u8]) -> String {
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|pair| u16::from_le_bytes([pair[0], pair[1]]))
        .take_while(|&unit| unit != 0)
        .collect();
    String::from_utf16_lossy(&units)
}

/// Text of a NUL-padded 8-bit field (Latin-1, as the AR software wrote it).
fn byte_field(bytes: &[u8]) -> String {
    bytes
        .iter()
        .take_while(|&&b| b != 0)
        .map(|&b| char::from(b))
        .collect()
}

fn check_len(len: usize) -> Result<(), DucError> {
    if len == 0 {
        Err(DucError::Empty)
    } else if len > ChipKind::LARGEST_CAPACITY {
        Err(DucError::TooLarge { len })
    } else {
        Ok(())
    }
}

/// Splits an Action Replay file into its header and its save.
///
/// The caller has already seen [`is_max`] or [`looks_like_me`] hold.
pub fn parse(file: &[u8]) -> Result<(ActionReplayHeader, &[u8]), DucError> {
    if is_max(file) {
        if file.len() < MAX_HEADER_LEN {
            return Err(DucError::MaxTooShort { len: file.len() });
        }
        let save = &file[MAX_HEADER_LEN..];
        check_len(save.len())?;
        if !save.len().is_power_of_two() || save.len() < ChipKind::SMALLEST_CAPACITY {
            return Err(DucError::MaxSaveLength { len: save.len() });
        }
        let header = ActionReplayHeader {
            variant: ActionReplayVariant::Max,
            game_name: utf16_field(&file[0x10..0x50]),
            save_name: utf16_field(&file[0x50..0x90]),
        };
        return Ok((header, save));
    }
    let declared = me_declared_len(file).unwrap_or(0);
    let save = file.get(ME_HEADER_LEN..).unwrap_or(&[]);
    if declared != save.len() {
        return Err(DucError::MeSizeMismatch {
            declared,
            actual: save.len(),
        });
    }
    check_len(save.len())?;
    let header = ActionReplayHeader {
        variant: ActionReplayVariant::Me,
        game_name: byte_field(&file[0x04..0x1B]),
        save_name: byte_field(&file[0x20..0x41]),
    };
    Ok((header, save))
}

/// An AR DS ME file holding `save` (for tests and tools that make inputs).
pub fn encode_me(game_name: &str, save_name: &str, save: &[u8]) -> Vec<u8> {
    let mut header = [0u8; ME_HEADER_LEN];
    for (field, text) in [(0x04..0x1B, game_name), (0x20..0x41, save_name)] {
        let room = field.len() - 1;
        let bytes = &text.as_bytes()[..text.len().min(room)];
        header[field.start..field.start + bytes.len()].copy_from_slice(bytes);
    }
    header[ME_SIZE_OFFSET] = (save.len() >> 8) as u8;
    header[ME_SIZE_OFFSET + 1] = (save.len() >> 16) as u8;
    header[ME_MARK_OFFSET] = ME_MARK;
    let mut out = header.to_vec();
    out.extend_from_slice(save);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use keepsake_testkit::{fixture_or_skip, fixtures};

    #[test]
    fn header_sizes_are_pinned() {
        assert_eq!(MAX_HEADER_LEN, 0x1F4);
        assert_eq!(ME_HEADER_LEN, 164);
        assert_eq!(encode_me("g", "s", &[0; 512]).len(), 164 + 512);
    }

    #[test]
    fn every_duc_fixture_holds_the_same_bytes_as_its_dsv() {
        for game in ["sonic-rush", "castlevania-portrait-of-ruin"] {
            let Some(files) = fixtures::files_in(&format!("nds/{game}")) else {
                return;
            };
            let mut pairs = 0;
            for duc_path in files
                .iter()
                .filter(|p| p.extension() == Some("duc".as_ref()))
            {
                let stem = duc_path.file_stem().unwrap().to_str().unwrap();
                if stem == "bad" {
                    continue;
                }
                let duc = std::fs::read(duc_path).unwrap();
                let dsv = std::fs::read(duc_path.with_extension("dsv")).unwrap();
                let (header, save) = parse(&duc).unwrap();
                assert_eq!(header.variant, ActionReplayVariant::Max);
                assert_eq!(header.game_name, "Converted Savegame");
                assert_eq!(header.save_name, "Savegame");
                assert_eq!(save, &dsv[..dsv.len() - 122], "{game}/{stem}");
                pairs += 1;
            }
            assert!(pairs >= 3, "{game}: only {pairs} .duc/.dsv pairs");
        }
    }

    #[test]
    fn bad_duc_fixtures_are_refused_for_their_length() {
        let sonic = fixture_or_skip!("nds/sonic-rush/bad.duc");
        assert_eq!(parse(&sonic), Err(DucError::MaxSaveLength { len: 8193 }));
        let castlevania = fixture_or_skip!("nds/castlevania-portrait-of-ruin/bad.duc");
        assert_eq!(
            parse(&castlevania),
            Err(DucError::MaxSaveLength { len: 65542 })
        );
        let message = parse(&sonic).unwrap_err().to_string();
        assert!(
            message.contains("8193 bytes") && message.contains("0x1f4"),
            "{message}"
        );
    }

    #[test]
    fn me_layout_round_trips_and_checks_its_declared_length() {
        let save: Vec<u8> = (0..8192u32).map(|i| (i % 253) as u8).collect();
        let file = encode_me("SONIC RUSH", "slot 1", &save);
        assert!(looks_like_me(&file));
        assert_eq!(me_declared_len(&file), Some(8192));
        let (header, back) = parse(&file).unwrap();
        assert_eq!(header.variant, ActionReplayVariant::Me);
        assert_eq!(header.game_name, "SONIC RUSH");
        assert_eq!(header.save_name, "slot 1");
        assert_eq!(back, &save[..]);

        let cut = &file[..file.len() - 1];
        assert_eq!(
            parse(cut),
            Err(DucError::MeSizeMismatch {
                declared: 8192,
                actual: 8191
            })
        );
    }

    #[test]
    fn short_max_files_are_refused() {
        let mut file = MAX_MAGIC.to_vec();
        file.resize(499, 0);
        assert_eq!(parse(&file), Err(DucError::MaxTooShort { len: 499 }));
        file.resize(500, 0);
        assert_eq!(parse(&file), Err(DucError::Empty));
    }
}
