//! DeSmuME's `.dsv` save: the chip image, then a 122-byte footer.
//!
//! ```text
//! 0x00 .. P        chip image, P = padded size (DeSmuME pads with 0xFF)
//! P + 0x00  82 B   text: "|<--Snip above here to create a raw sav by
//!                   excluding this DeSmuME savedata footer:"
//! P + 0x52  u32le  size       the highest address DeSmuME saw written, +1;
//!                             real files hold odd values here (0x201 for
//!                             an 8 KiB EEPROM), so it is reported, not trusted
//! P + 0x56  u32le  padded size  length of the image; must equal the file
//!                             length minus 122 (DeSmuME checks the same)
//! P + 0x5A  u32le  type       DeSmuME's save type: 1 = EEPROM 512 B,
//!                             2 = EEPROM 8 KiB, 3 = EEPROM 64 KiB, 4 = FRAM
//!                             32 KiB, 5 = FLASH 256 KiB, 6 = 512 KiB,
//!                             7 = 1 MiB, 8 = 2 MiB, 9 = 4 MiB, 10 = 8 MiB;
//!                             0 = autodetect (no listed type has that size)
//! P + 0x5E  u32le  address size  address bytes of the chip: 1, 2 or 3
//! P + 0x62  u32le  memory size   the chip size DeSmuME emulates
//! P + 0x66  u32le  version    0
//! P + 0x6A  16 B   cookie "|-DESMUME SAVE-|"
//! ```

use serde::Serialize;
use thiserror::Error;

use super::chip::{ChipKind, format_size};

/// The footer's length: 82 bytes of text, six u32 fields, the cookie.
pub const FOOTER_LEN: usize = 122;
/// The human-readable line at the start of the footer.
pub const FOOTER_TEXT: &[u8; 82] =
    b"|<--Snip above here to create a raw sav by excluding this DeSmuME savedata footer:";
/// The last 16 bytes of every `.dsv`.
pub const COOKIE: &[u8; 16] = b"|-DESMUME SAVE-|";

const FIELDS_OFFSET: usize = FOOTER_TEXT.len();
const COOKIE_OFFSET: usize = FOOTER_LEN - COOKIE.len();
// The six u32 fields sit exactly between the text and the cookie.
const _: () = assert!(FIELDS_OFFSET + 6 * 4 == COOKIE_OFFSET);

/// DeSmuME's save type codes, by the capacity each one stands for.
const DESMUME_TYPES: [(u32, usize); 10] = [
    (1, 512),
    (2, 8 << 10),
    (3, 64 << 10),
    (4, 32 << 10),
    (5, 256 << 10),
    (6, 512 << 10),
    (7, 1 << 20),
    (8, 2 << 20),
    (9, 4 << 20),
    (10, 8 << 20),
];

/// The six numeric fields of a `.dsv` footer, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DsvFooter {
    /// One past the highest address written; informational only.
    pub size: u32,
    /// The image length.
    pub padded_size: u32,
    /// DeSmuME's save type code (see the module documentation).
    pub type_code: u32,
    /// Address bytes of the emulated chip.
    pub address_size: u32,
    /// The emulated chip's size.
    pub memory_size: u32,
    /// Format version; only 0 exists.
    pub version: u32,
}

/// A `.dsv` file that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DsvError {
    #[error("the file does not end with the DeSmuME cookie `|-DESMUME SAVE-|`")]
    MissingCookie,
    #[error(
        "the file ends with the DeSmuME cookie but is only {len} bytes, shorter than the {FOOTER_LEN}-byte footer"
    )]
    TooShort { len: usize },
    #[error(
        "the file ends in a cut-off DeSmuME footer (its text starts at offset {text_offset:#x} but the `|-DESMUME SAVE-|` cookie is missing): the file is truncated"
    )]
    Truncated { text_offset: usize },
    #[error("DeSmuME footer version is {version} at offset {offset:#x}; only version 0 exists")]
    UnsupportedVersion { version: u32, offset: usize },
    #[error(
        "DeSmuME footer says the image is {padded_size} bytes (padded size at offset {offset:#x}) but {data_len} bytes precede the footer: the file was truncated or edited"
    )]
    PaddedSizeMismatch {
        padded_size: u32,
        data_len: usize,
        offset: usize,
    },
    #[error("the DeSmuME image is empty")]
    EmptyImage,
    #[error("the DeSmuME image is {} but the largest NDS save chip holds 8 MiB", format_size(*.len))]
    TooLarge { len: usize },
    #[error("cannot write a {len}-byte image as .dsv: it is not the size of an NDS save chip")]
    NotAChipSize { len: usize },
}

/// Whether `file` ends with the DeSmuME cookie.
pub fn has_cookie(file: &[u8]) -> bool {
    file.ends_with(COOKIE)
}

/// The offset of a cut-off footer in the last [`FOOTER_LEN`] bytes, for
/// files that lost their cookie: where the file ends in at least the first
/// [`CUT_FOOTER_MIN`] bytes of the footer text.
pub fn find_cut_footer(file: &[u8]) -> Option<usize> {
    let first = file.len().saturating_sub(FOOTER_LEN - 1);
    (first..file.len()).find(|&start| {
        let tail = &file[start..];
        let n = tail.len().min(FOOTER_TEXT.len());
        n >= CUT_FOOTER_MIN && tail[..n] == FOOTER_TEXT[..n]
    })
}

/// How much footer text marks a cut-off `.dsv` ("|<--Snip"): shorter
/// leftovers are too likely in save data to be told from it.
pub const CUT_FOOTER_MIN: usize = 8;

fn u32_at(bytes: &[u8], offset: usize) -> u32 {
    let mut word = [0u8; 4];
    word.copy_from_slice(&bytes[offset..offset + 4]);
    u32::from_le_bytes(word)
}

impl DsvFooter {
    /// Splits a `.dsv` file into its footer and its image, checking the
    /// cookie, the version and that the padded size is the image length.
    pub fn parse(file: &[u8]) -> Result<(DsvFooter, &[u8]), DsvError> {
        if !has_cookie(file) {
            return Err(match find_cut_footer(file) {
                Some(text_offset) => DsvError::Truncated { text_offset },
                None => DsvError::MissingCookie,
            });
        }
        if file.len() < FOOTER_LEN {
            return Err(DsvError::TooShort { len: file.len() });
        }
        let data_len = file.len() - FOOTER_LEN;
        let (image, footer) = file.split_at(data_len);
        let field = |i: usize| u32_at(footer, FIELDS_OFFSET + 4 * i);
        let parsed = DsvFooter {
            size: field(0),
            padded_size: field(1),
            type_code: field(2),
            address_size: field(3),
            memory_size: field(4),
            version: field(5),
        };
        if parsed.version != 0 {
            return Err(DsvError::UnsupportedVersion {
                version: parsed.version,
                offset: data_len + FIELDS_OFFSET + 20,
            });
        }
        if usize::try_from(parsed.padded_size) != Ok(data_len) {
            return Err(DsvError::PaddedSizeMismatch {
                padded_size: parsed.padded_size,
                data_len,
                offset: data_len + FIELDS_OFFSET + 4,
            });
        }
        if data_len == 0 {
            return Err(DsvError::EmptyImage);
        }
        if data_len > ChipKind::LARGEST_CAPACITY {
            return Err(DsvError::TooLarge { len: data_len });
        }
        Ok((parsed, image))
    }

    /// The chip the footer's type code names, when it names one of the
    /// chips an NDS cartridge carries.
    pub fn chip(&self) -> Option<ChipKind> {
        let capacity = DESMUME_TYPES
            .iter()
            .find(|(code, _)| *code == self.type_code)
            .map(|&(_, capacity)| capacity)?;
        ChipKind::from_capacity(capacity)
    }

    /// The footer DeSmuME writes for a full image of `chip`.
    pub fn for_chip(chip: ChipKind) -> DsvFooter {
        let capacity = chip.capacity() as u32;
        DsvFooter {
            size: capacity,
            padded_size: capacity,
            // DeSmuME lists no 128 KiB type; 0 asks it to take the size
            // from the file, which it does for any footer.
            type_code: desmume_type_code(chip.capacity()).unwrap_or(0),
            address_size: chip.address_bytes() as u32,
            memory_size: capacity,
            version: 0,
        }
    }

    /// The footer's 122 bytes.
    pub fn to_bytes(&self) -> [u8; FOOTER_LEN] {
        let mut out = [0u8; FOOTER_LEN];
        out[..FIELDS_OFFSET].copy_from_slice(FOOTER_TEXT);
        let fields = [
            self.size,
            self.padded_size,
            self.type_code,
            self.address_size,
            self.memory_size,
            self.version,
        ];
        for (i, value) in fields.into_iter().enumerate() {
            let at = FIELDS_OFFSET + 4 * i;
            out[at..at + 4].copy_from_slice(&value.to_le_bytes());
        }
        out[COOKIE_OFFSET..].copy_from_slice(COOKIE);
        out
    }
}

/// DeSmuME's type code for a save of `capacity` bytes.
pub fn desmume_type_code(capacity: usize) -> Option<u32> {
    DESMUME_TYPES
        .iter()
        .find(|&&(_, size)| size == capacity)
        .map(|&(code, _)| code)
}

/// A `.dsv` file holding `image`, which must be a whole chip.
pub fn encode(image: &[u8]) -> Result<Vec<u8>, DsvError> {
    let chip =
        ChipKind::from_capacity(image.len()).ok_or(DsvError::NotAChipSize { len: image.len() })?;
    let mut out = Vec::with_capacity(image.len() + FOOTER_LEN);
    out.extend_from_slice(image);
    out.extend_from_slice(&DsvFooter::for_chip(chip).to_bytes());
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use keepsake_testkit::fixture_or_skip;

    #[test]
    fn the_footer_layout_is_122_bytes() {
        assert_eq!(FOOTER_TEXT.len() + 6 * 4 + COOKIE.len(), FOOTER_LEN);
        assert_eq!(
            DsvFooter::for_chip(ChipKind::Eeprom8K).to_bytes().len(),
            122
        );
    }

    #[test]
    fn sonic_rush_footer_holds_desmume_fields_with_an_odd_size() {
        let file = fixture_or_skip!("nds/sonic-rush/usa.dsv");
        let (footer, image) = DsvFooter::parse(&file).unwrap();
        assert_eq!(image.len(), 8192);
        assert_eq!(
            footer,
            DsvFooter {
                size: 0x201,
                padded_size: 0x2000,
                type_code: 2,
                address_size: 2,
                memory_size: 0x2000,
                version: 0,
            }
        );
        assert_eq!(footer.chip(), Some(ChipKind::Eeprom8K));
    }

    #[test]
    fn castlevania_footer_names_the_64k_eeprom() {
        let file = fixture_or_skip!("nds/castlevania-portrait-of-ruin/usa.dsv");
        let (footer, image) = DsvFooter::parse(&file).unwrap();
        assert_eq!(image.len(), 65536);
        assert_eq!(footer.type_code, 3);
        assert_eq!(footer.address_size, 2);
        assert_eq!(footer.chip(), Some(ChipKind::Eeprom64K));
    }

    #[test]
    fn our_footer_matches_desmume_byte_for_byte_but_for_the_size_field() {
        let file = fixture_or_skip!("nds/castlevania-portrait-of-ruin/usa.dsv");
        let ours = DsvFooter::for_chip(ChipKind::Eeprom64K).to_bytes();
        // DeSmuME wrote size = padded size here, so the whole footer matches.
        assert_eq!(&file[file.len() - FOOTER_LEN..], &ours[..]);
        let file = fixture_or_skip!("nds/sonic-rush/usa.dsv");
        let ours = DsvFooter::for_chip(ChipKind::Eeprom8K).to_bytes();
        let theirs = &file[file.len() - FOOTER_LEN..];
        assert_eq!(&theirs[..FIELDS_OFFSET], &ours[..FIELDS_OFFSET]);
        assert_eq!(&theirs[FIELDS_OFFSET + 4..], &ours[FIELDS_OFFSET + 4..]);
    }

    #[test]
    fn encode_then_parse_gives_the_image_back() {
        for chip in ChipKind::ALL {
            let image: Vec<u8> = (0..chip.capacity()).map(|i| (i * 7 % 251) as u8).collect();
            let file = encode(&image).unwrap();
            assert_eq!(file.len(), chip.capacity() + FOOTER_LEN);
            let (footer, back) = DsvFooter::parse(&file).unwrap();
            assert_eq!(back, &image[..]);
            assert_eq!(footer.address_size as usize, chip.address_bytes());
            let expected_chip = if chip == ChipKind::Eeprom128K {
                None
            } else {
                Some(chip)
            };
            assert_eq!(footer.chip(), expected_chip);
        }
        assert_eq!(
            encode(&[0; 1000]),
            Err(DsvError::NotAChipSize { len: 1000 })
        );
    }

    #[test]
    fn damaged_footers_are_refused_with_the_place() {
        let good = encode(&[0xFF; 512]).unwrap();

        let mut cut = good.clone();
        cut.truncate(good.len() - 5);
        assert_eq!(
            DsvFooter::parse(&cut),
            Err(DsvError::Truncated { text_offset: 512 })
        );

        let short_head = good[100..].to_vec();
        assert_eq!(
            DsvFooter::parse(&short_head),
            Err(DsvError::PaddedSizeMismatch {
                padded_size: 512,
                data_len: 412,
                offset: 412 + 0x56,
            })
        );

        let mut versioned = good.clone();
        versioned[512 + 0x66] = 1;
        assert_eq!(
            DsvFooter::parse(&versioned),
            Err(DsvError::UnsupportedVersion {
                version: 1,
                offset: 512 + 0x66
            })
        );

        assert_eq!(
            DsvFooter::parse(COOKIE),
            Err(DsvError::TooShort { len: 16 })
        );
        assert_eq!(DsvFooter::parse(&[0xFF; 600]), Err(DsvError::MissingCookie));
        let empty = DsvFooter {
            padded_size: 0,
            ..DsvFooter::for_chip(ChipKind::Eeprom512B)
        };
        assert_eq!(
            DsvFooter::parse(&empty.to_bytes()),
            Err(DsvError::EmptyImage)
        );
    }
}
