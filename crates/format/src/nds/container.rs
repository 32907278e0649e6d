//! Which container a save file is, told from its content, and its payload.
//!
//! Checked in this order, so that no container can be mistaken for another:
//! 1. the DeSmuME cookie at the end (`.dsv`), or the start of a DeSmuME footer
//!    with the cookie cut off (a truncated `.dsv`, refused);
//! 2. `ARDS000000000001` at the start (Action Replay DS `.duc`);
//! 3. the no$gba magic at the start;
//! 4. the AR DS ME marks (zeros at 0, 0xC0 at 0xA3) with a declared length
//!    that matches the file; a file with the marks but another length is
//!    still a raw image when its length is one a raw image can have (a
//!    raw image is a power of two long, an AR DS ME file 164 bytes more);
//! 5. otherwise a raw image, which must be a save's length.

use std::borrow::Cow;

use serde::Serialize;
use thiserror::Error;

use super::chip::ChipKind;
use super::dsv::{self, DsvError, DsvFooter};
use super::duc::{self, ActionReplayHeader, DucError};
use super::nocash::{self, NoCashError, NoCashHeader};
use super::raw::{self, RawError};

/// The container of a save file, with what its header or footer says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Container {
    /// A raw chip image (`.sav`).
    Raw,
    /// A DeSmuME `.dsv`: image then footer.
    Dsv(DsvFooter),
    /// An Action Replay DS `.duc` (either layout).
    ActionReplay(ActionReplayHeader),
    /// A no$gba save.
    NoCashGba(NoCashHeader),
}

impl Container {
    /// A short name for people.
    pub fn name(&self) -> &'static str {
        match self {
            Container::Raw => "raw image",
            Container::Dsv(_) => "DeSmuME .dsv",
            Container::ActionReplay(header) => match header.variant {
                duc::ActionReplayVariant::Max => "Action Replay DS .duc",
                duc::ActionReplayVariant::Me => "Action Replay DS ME .duc",
            },
            Container::NoCashGba(header) => match header.compression {
                nocash::NoCashCompression::Stored => "no$gba save (stored)",
                nocash::NoCashCompression::RunLength => "no$gba save (compressed)",
            },
        }
    }
}

/// A chip size a container states in its own header or footer: a floor
/// for `--size auto`, since the program that wrote the file gave the game a
/// chip at least this large and a smaller one could hide bytes it reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatedSize {
    pub chip: ChipKind,
    /// Where the size is stated, in words: "the .dsv footer (padded size
    /// 8192, type 2)".
    pub source: String,
}

impl Container {
    /// The largest chip the container states for a payload of
    /// `payload_len` bytes, when it states one.
    ///
    /// - `.dsv`: the padded size (the image length, which DeSmuME checks),
    ///   the chip of the type code and the memory size; the `size` field
    ///   holds odd values in real files and is not used;
    /// - `.duc`: the save's length, which is what the Action Replay read
    ///   from the chip: the chip is at least that large;
    /// - raw images and no$gba saves state nothing (flashcarts pad raw
    ///   images to any size, and no$gba cuts its saves to what was written).
    pub fn stated_size(&self, payload_len: usize) -> Option<StatedSize> {
        match self {
            Container::Dsv(footer) => {
                let stated = [
                    ChipKind::from_capacity(footer.padded_size as usize),
                    footer.chip(),
                    ChipKind::from_capacity(footer.memory_size as usize),
                ]
                .into_iter()
                .flatten()
                .max()?;
                Some(StatedSize {
                    chip: stated,
                    source: format!(
                        "the .dsv footer (padded size {}, type {}, memory size {})",
                        footer.padded_size, footer.type_code, footer.memory_size
                    ),
                })
            }
            Container::ActionReplay(_) => {
                let chip = ChipKind::smallest_holding(payload_len)?;
                Some(StatedSize {
                    chip,
                    source: format!(
                        "the Action Replay file (it read {payload_len} bytes from the chip)"
                    ),
                })
            }
            Container::Raw | Container::NoCashGba(_) => None,
        }
    }
}

/// A save file that cannot be read, by the container it was taken for. The
/// message carries the inner error's, so it is complete on its own.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ParseError {
    #[error("not a DeSmuME save: {0}")]
    Dsv(DsvError),
    #[error("not an Action Replay save: {0}")]
    ActionReplay(DucError),
    #[error("not a no$gba save: {0}")]
    NoCashGba(NoCashError),
    #[error("not a raw save: {0}")]
    Raw(RawError),
}

/// A save file split into its container and its payload (the chip image,
/// or as much of it as the container holds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaveFile<'a> {
    pub container: Container,
    /// The save bytes; borrowed from the file unless they were unpacked.
    pub payload: Cow<'a, [u8]>,
}

impl<'a> SaveFile<'a> {
    /// Detects the container of `file` from its content and extracts the
    /// payload, checking everything the container lets us check.
    pub fn parse(file: &'a [u8]) -> Result<SaveFile<'a>, ParseError> {
        if dsv::has_cookie(file) || dsv::find_cut_footer(file).is_some() {
            let (footer, image) = DsvFooter::parse(file).map_err(ParseError::Dsv)?;
            return Ok(SaveFile {
                container: Container::Dsv(footer),
                payload: Cow::Borrowed(image),
            });
        }
        if duc::is_max(file) {
            let (header, save) = duc::parse(file).map_err(ParseError::ActionReplay)?;
            return Ok(SaveFile {
                container: Container::ActionReplay(header),
                payload: Cow::Borrowed(save),
            });
        }
        if nocash::is_nocash(file) {
            let (header, save) = nocash::parse(file).map_err(ParseError::NoCashGba)?;
            return Ok(SaveFile {
                container: Container::NoCashGba(header),
                payload: save,
            });
        }
        if duc::looks_like_me(file) {
            let declared = duc::me_declared_len(file);
            let fits = declared == Some(file.len() - duc::ME_HEADER_LEN);
            if fits || raw::parse(file).is_err() {
                let (header, save) = duc::parse(file).map_err(ParseError::ActionReplay)?;
                return Ok(SaveFile {
                    container: Container::ActionReplay(header),
                    payload: Cow::Borrowed(save),
                });
            }
        }
        let image = raw::parse(file).map_err(ParseError::Raw)?;
        Ok(SaveFile {
            container: Container::Raw,
            payload: Cow::Borrowed(image),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nds::ChipKind;
    use keepsake_testkit::fixtures;

    #[test]
    fn every_nds_fixture_is_read_or_refused_as_expected() {
        for game in ["sonic-rush", "castlevania-portrait-of-ruin"] {
            let Some(files) = fixtures::files_in(&format!("nds/{game}")) else {
                return;
            };
            let chip = if game == "sonic-rush" {
                ChipKind::Eeprom8K
            } else {
                ChipKind::Eeprom64K
            };
            for path in files {
                let name = path.file_name().unwrap().to_str().unwrap().to_string();
                let bytes = std::fs::read(&path).unwrap();
                let parsed = SaveFile::parse(&bytes);
                match path.extension().and_then(|e| e.to_str()) {
                    Some("dsv") => {
                        let save = parsed.unwrap_or_else(|e| panic!("{game}/{name}: {e}"));
                        assert!(matches!(save.container, Container::Dsv(_)), "{name}");
                        assert_eq!(save.payload.len(), chip.capacity(), "{game}/{name}");
                        assert_eq!(&save.payload[..], &bytes[..bytes.len() - 122]);
                    }
                    Some("duc") if name == "bad.duc" => {
                        let err = parsed.unwrap_err();
                        assert!(
                            matches!(
                                err,
                                ParseError::ActionReplay(DucError::MaxSaveLength { .. })
                            ),
                            "{game}/{name}: {err}"
                        );
                    }
                    Some("duc") => {
                        let save = parsed.unwrap_or_else(|e| panic!("{game}/{name}: {e}"));
                        assert!(matches!(save.container, Container::ActionReplay(_)));
                        assert_eq!(save.payload.len(), chip.capacity(), "{game}/{name}");
                    }
                    _ => {}
                }
            }
        }
    }

    #[test]
    fn a_raw_image_with_the_ar_me_marks_by_chance_stays_raw() {
        let mut image = vec![0u8; 8192];
        image[0xA3] = 0xC0;
        image[0xA2] = 0x01;
        let save = SaveFile::parse(&image).unwrap();
        assert_eq!(save.container, Container::Raw);
    }

    #[test]
    fn an_ar_me_file_is_told_from_its_content() {
        let save = vec![0x42; 512];
        let file = duc::encode_me("GAME", "SAVE", &save);
        let parsed = SaveFile::parse(&file).unwrap();
        assert_eq!(parsed.container.name(), "Action Replay DS ME .duc");
        assert_eq!(&parsed.payload[..], &save[..]);
        // Cut short, it is neither a valid AR DS ME file nor a raw image.
        let err = SaveFile::parse(&file[..file.len() - 2]).unwrap_err();
        assert!(matches!(
            err,
            ParseError::ActionReplay(DucError::MeSizeMismatch { .. })
        ));
    }

    #[test]
    fn no_cash_files_are_told_from_their_content() {
        let save: Vec<u8> = (0..512u32).map(|i| (i / 3) as u8).collect();
        for compress in [false, true] {
            let file = nocash::tests::encode(&save, compress);
            let parsed = SaveFile::parse(&file).unwrap();
            assert!(matches!(parsed.container, Container::NoCashGba(_)));
            assert_eq!(&parsed.payload[..], &save[..]);
        }
    }

    #[test]
    fn empty_garbage_and_oversized_inputs_get_typed_errors() {
        assert_eq!(SaveFile::parse(&[]), Err(ParseError::Raw(RawError::Empty)));
        assert_eq!(
            SaveFile::parse(b"hello, world"),
            Err(ParseError::Raw(RawError::UnusualLength { len: 12 }))
        );
        let huge = vec![0xFF; (8 << 20) + 512];
        assert!(matches!(
            SaveFile::parse(&huge),
            Err(ParseError::Raw(RawError::TooLarge { .. }))
        ));
    }
}
