//! The title list as last seen, cached on the SD card so that a start with
//! hundreds of installed titles shows them at once (reading each title's
//! SMDH and opening its archives takes the console seconds), while a scan
//! refreshes the list in the background.
//!
//! `/3ds/Keepsake/cache/titles.bin`, little-endian, written atomically:
//!
//! ```text
//! header, 16 bytes
//!   0x00  4  magic "KSTL"
//!   0x04  2  version (1)
//!   0x06  2  number of titles (at most 4096)
//!   0x08  4  length of the titles that follow, in bytes
//!   0x0C  2  CRC-16/MODBUS of those bytes
//!   0x0E  2  zero
//! each title
//!   0x00  8  title id
//!   0x08  1  medium: 0 SD card, 1 game card, 2 NAND
//!   0x09  1  save data: 0 present, 1 never started, 2 none, 3 unreadable;
//!            or none, and a GBA Virtual Console title: 4 saved, 5 never
//!            saved, 6 unreadable, 7 cannot tell (GBA saves out of reach)
//!   0x0A  1  extdata: 0 none, 1 present
//!   0x0B  1  icon: 0 none, 1 present
//!   0x0C  2  name length n (UTF-8 bytes, at most 512)
//!   0x0E  2  publisher length p (at most 512)
//!   0x10  2  reason length r (why the save is unreadable, or the GBA save
//!            with 6 and 7; at most 512)
//!   0x12  n+p+r  the three strings
//!   then, if the icon is present, 0x1200 bytes: the SMDH's 48x48 icon,
//!   tiled RGB565, as the SMDH holds it
//! ```
//!
//! The file is the app's own but lives on a card anyone can edit, so it is
//! read as untrusted bytes: every field is checked, nothing panics, and a
//! file that fails any check is ignored (the scan rebuilds it).

use thiserror::Error;

use crate::platform::sd::{read_recovering, write_atomic};
use crate::platform::titles::SaveState;
use crate::platform::{GbaVcProbe, MediaType, SdCard, SdError};
use crate::store::naming::KEEPSAKE_DIR;
use keepsake_format::crc16::crc16_modbus;

/// The cache's folder.
pub const CACHE_DIR: &str = "/3ds/Keepsake/cache";
/// The cache file.
pub const TITLE_CACHE_PATH: &str = "/3ds/Keepsake/cache/titles.bin";
/// The format version written and read.
pub const VERSION: u16 = 1;
/// More titles than a console can hold; a count above it is damage.
pub const MAX_TITLES: usize = 4096;
/// The longest string kept (an SMDH's long title is 0x80 UTF-16 units).
pub const MAX_TEXT: usize = 512;
/// The SMDH's large icon: 48x48 pixels, two bytes each.
pub const ICON_BYTES: usize = 48 * 48 * 2;

const MAGIC: &[u8; 4] = b"KSTL";
const HEADER: usize = 16;
const ENTRY_FIXED: usize = 0x12;

/// One title as the list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TitleRecord {
    /// The title id.
    pub title_id: u64,
    /// SD card or game card.
    pub media: MediaType,
    /// What its save data archive said.
    pub save: SaveState,
    /// Whether its extdata opened.
    pub extdata: bool,
    /// What its GBA VC save said, when it has no save data archive
    /// ([`SaveState::Absent`]); [`GbaVcProbe::No`] otherwise, and not
    /// kept otherwise.
    pub gba: GbaVcProbe,
    /// Its short name (English), or empty.
    pub name: String,
    /// Its publisher, or empty.
    pub publisher: String,
    /// The SMDH's 48x48 icon, tiled RGB565 ([`ICON_BYTES`] bytes).
    pub icon: Option<Vec<u8>>,
}

/// Why a title cache was not read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TitleCacheError {
    /// Reading the file failed.
    #[error("the title cache could not be read: {0}")]
    Sd(#[from] SdError),
    /// Shorter than its header.
    #[error("the title cache is {len} bytes long, shorter than its 16-byte header")]
    TooShort {
        /// The file's length.
        len: usize,
    },
    /// Not a title cache.
    #[error("the title cache does not start with \"KSTL\"")]
    BadMagic,
    /// The header's reserved bytes (0x0E..0x10) are not zero: not a file
    /// this app wrote.
    #[error("the title cache's header has {found:#06X} at offset 0x0E, where this app writes zero")]
    Reserved {
        /// The value found there.
        found: u16,
    },
    /// Written by another version of the app.
    #[error("the title cache is version {found}; this app reads version {VERSION}")]
    Version {
        /// The version in the file.
        found: u16,
    },
    /// An impossible number of titles.
    #[error("the title cache says it holds {count} titles; at most {MAX_TITLES} are possible")]
    TooMany {
        /// The count in the header.
        count: usize,
    },
    /// The header's length disagrees with the file's.
    #[error("the title cache's header announces {expected} bytes of titles, the file has {found}")]
    Length {
        /// What the header says.
        expected: usize,
        /// What follows the header.
        found: usize,
    },
    /// The checksum does not match.
    #[error(
        "the title cache's checksum is 0x{stored:04X} but its titles give 0x{computed:04X}: \
         the file was damaged"
    )]
    Checksum {
        /// The header's checksum.
        stored: u16,
        /// The checksum of the bytes.
        computed: u16,
    },
    /// A title runs past the end.
    #[error("title {index} of the title cache is cut short at byte {offset}")]
    Truncated {
        /// Which title (from 0).
        index: usize,
        /// Where the bytes ran out.
        offset: usize,
    },
    /// A field holds a value with no meaning.
    #[error("title {index} of the title cache has {field} {value}, which means nothing")]
    BadField {
        /// Which title (from 0).
        index: usize,
        /// The field.
        field: &'static str,
        /// Its value.
        value: usize,
    },
    /// A string that is not UTF-8.
    #[error("title {index} of the title cache has a {field} that is not UTF-8")]
    NotUtf8 {
        /// Which title (from 0).
        index: usize,
        /// The field.
        field: &'static str,
    },
    /// Bytes after the last title.
    #[error("the title cache has {extra} bytes after its last title")]
    Trailing {
        /// How many.
        extra: usize,
    },
}

/// The cache's bytes for `records` (at most [`MAX_TITLES`]; strings are
/// cut to [`MAX_TEXT`] bytes at a character boundary, icons of the wrong
/// size are dropped).
pub fn encode(records: &[TitleRecord]) -> Vec<u8> {
    let records = &records[..records.len().min(MAX_TITLES)];
    let mut body = Vec::with_capacity(records.len() * (ENTRY_FIXED + 64 + ICON_BYTES));
    for record in records {
        let (save, reason) = match (&record.save, &record.gba) {
            (SaveState::Present, _) => (0u8, ""),
            (SaveState::NotStarted, _) => (1, ""),
            (SaveState::Absent, GbaVcProbe::No) => (2, ""),
            (SaveState::Unreadable(reason), _) => (3, reason.as_str()),
            (SaveState::Absent, GbaVcProbe::Yes) => (4, ""),
            (SaveState::Absent, GbaVcProbe::NeverSaved) => (5, ""),
            (SaveState::Absent, GbaVcProbe::Unreadable(reason)) => (6, reason.as_str()),
            (SaveState::Absent, GbaVcProbe::CannotTell(reason)) => (7, reason.as_str()),
        };
        let icon = record.icon.as_ref().filter(|icon| icon.len() == ICON_BYTES);
        let texts = [cut(&record.name), cut(&record.publisher), cut(reason)];
        body.extend_from_slice(&record.title_id.to_le_bytes());
        body.push(match record.media {
            MediaType::Sd => 0,
            MediaType::Card => 1,
            MediaType::Nand => 2,
        });
        body.push(save);
        body.push(u8::from(record.extdata));
        body.push(u8::from(icon.is_some()));
        for text in texts {
            body.extend_from_slice(&(text.len() as u16).to_le_bytes());
        }
        for text in texts {
            body.extend_from_slice(text.as_bytes());
        }
        if let Some(icon) = icon {
            body.extend_from_slice(icon);
        }
    }
    let mut out = Vec::with_capacity(HEADER + body.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&VERSION.to_le_bytes());
    out.extend_from_slice(&(records.len() as u16).to_le_bytes());
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend_from_slice(&crc16_modbus(&body).to_le_bytes());
    out.extend_from_slice(&[0, 0]);
    out.extend_from_slice(&body);
    out
}

/// The longest prefix of `text` within [`MAX_TEXT`] bytes that ends on a
/// character boundary.
fn cut(text: &str) -> &str {
    if text.len() <= MAX_TEXT {
        return text;
    }
    let mut end = MAX_TEXT;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Reads a cache's bytes, checking every field.
pub fn decode(bytes: &[u8]) -> Result<Vec<TitleRecord>, TitleCacheError> {
    if bytes.len() < HEADER {
        return Err(TitleCacheError::TooShort { len: bytes.len() });
    }
    if &bytes[..4] != MAGIC {
        return Err(TitleCacheError::BadMagic);
    }
    let u16_at = |at: usize| u16::from_le_bytes([bytes[at], bytes[at + 1]]);
    let version = u16_at(4);
    if version != VERSION {
        return Err(TitleCacheError::Version { found: version });
    }
    let count = usize::from(u16_at(6));
    if count > MAX_TITLES {
        return Err(TitleCacheError::TooMany { count });
    }
    let expected = u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize;
    let body = &bytes[HEADER..];
    if expected != body.len() {
        return Err(TitleCacheError::Length {
            expected,
            found: body.len(),
        });
    }
    if u16_at(14) != 0 {
        return Err(TitleCacheError::Reserved { found: u16_at(14) });
    }
    let stored = u16_at(12);
    let computed = crc16_modbus(body);
    if stored != computed {
        return Err(TitleCacheError::Checksum { stored, computed });
    }
    let mut reader = Reader { body, at: 0 };
    let mut records = Vec::with_capacity(count);
    for index in 0..count {
        records.push(reader.record(index)?);
    }
    if reader.at != body.len() {
        return Err(TitleCacheError::Trailing {
            extra: body.len() - reader.at,
        });
    }
    Ok(records)
}

struct Reader<'a> {
    body: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, index: usize, len: usize) -> Result<&'a [u8], TitleCacheError> {
        let end = self
            .at
            .checked_add(len)
            .filter(|&end| end <= self.body.len())
            .ok_or(TitleCacheError::Truncated {
                index,
                offset: HEADER + self.body.len(),
            })?;
        let bytes = &self.body[self.at..end];
        self.at = end;
        Ok(bytes)
    }

    fn text(
        &mut self,
        index: usize,
        len: usize,
        field: &'static str,
    ) -> Result<String, TitleCacheError> {
        let bytes = self.take(index, len)?;
        std::str::from_utf8(bytes)
            .map(str::to_owned)
            .map_err(|_| TitleCacheError::NotUtf8 { index, field })
    }

    fn record(&mut self, index: usize) -> Result<TitleRecord, TitleCacheError> {
        let fixed = self.take(index, ENTRY_FIXED)?;
        let bad = |field, value: u8| TitleCacheError::BadField {
            index,
            field,
            value: usize::from(value),
        };
        let mut id = [0u8; 8];
        id.copy_from_slice(&fixed[..8]);
        let media = match fixed[8] {
            0 => MediaType::Sd,
            1 => MediaType::Card,
            2 => MediaType::Nand,
            other => return Err(bad("medium", other)),
        };
        let save_code = fixed[9];
        if save_code > 7 {
            return Err(bad("save state", save_code));
        }
        let extdata = match fixed[10] {
            0 => false,
            1 => true,
            other => return Err(bad("extdata flag", other)),
        };
        let has_icon = match fixed[11] {
            0 => false,
            1 => true,
            other => return Err(bad("icon flag", other)),
        };
        let mut lengths = [0usize; 3];
        for (i, (length, field)) in lengths
            .iter_mut()
            .zip(["name length", "publisher length", "reason length"])
            .enumerate()
        {
            *length = usize::from(u16::from_le_bytes([fixed[12 + 2 * i], fixed[13 + 2 * i]]));
            if *length > MAX_TEXT {
                return Err(TitleCacheError::BadField {
                    index,
                    field,
                    value: *length,
                });
            }
        }
        if !matches!(save_code, 3 | 6 | 7) && lengths[2] != 0 {
            // Only an unreadable save (or GBA save) has a reason.
            return Err(TitleCacheError::BadField {
                index,
                field: "reason length",
                value: lengths[2],
            });
        }
        let name = self.text(index, lengths[0], "name")?;
        let publisher = self.text(index, lengths[1], "publisher")?;
        let reason = self.text(index, lengths[2], "reason")?;
        let (save, gba) = match save_code {
            0 => (SaveState::Present, GbaVcProbe::No),
            1 => (SaveState::NotStarted, GbaVcProbe::No),
            2 => (SaveState::Absent, GbaVcProbe::No),
            3 => (SaveState::Unreadable(reason), GbaVcProbe::No),
            4 => (SaveState::Absent, GbaVcProbe::Yes),
            5 => (SaveState::Absent, GbaVcProbe::NeverSaved),
            6 => (SaveState::Absent, GbaVcProbe::Unreadable(reason)),
            _ => (SaveState::Absent, GbaVcProbe::CannotTell(reason)),
        };
        let icon = if has_icon {
            Some(self.take(index, ICON_BYTES)?.to_vec())
        } else {
            None
        };
        Ok(TitleRecord {
            title_id: u64::from_le_bytes(id),
            media,
            save,
            extdata,
            gba,
            name,
            publisher,
            icon,
        })
    }
}

/// The cached list, or `None` when there is no cache yet. A cache that
/// fails its checks is an error the caller may ignore: the next scan
/// replaces it.
pub fn load(sd: &mut dyn SdCard) -> Result<Option<Vec<TitleRecord>>, TitleCacheError> {
    match read_recovering(sd, TITLE_CACHE_PATH) {
        Ok(bytes) => decode(&bytes).map(Some),
        Err(SdError::NotFound { .. }) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Replaces the cache with `records`, atomically, unless it holds them
/// already: reading it back costs less than writing a megabyte and more on
/// every start. Returns whether it was written.
pub fn save(sd: &mut dyn SdCard, records: &[TitleRecord]) -> Result<bool, SdError> {
    debug_assert!(CACHE_DIR.starts_with(KEEPSAKE_DIR));
    let bytes = encode(records);
    if sd.read(TITLE_CACHE_PATH).is_ok_and(|old| old == bytes) {
        return Ok(false);
    }
    sd.create_dir_all(CACHE_DIR)?;
    write_atomic(sd, TITLE_CACHE_PATH, &bytes)?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(title_id: u64, save: SaveState, icon: bool) -> TitleRecord {
        TitleRecord {
            title_id,
            media: MediaType::Sd,
            save,
            extdata: title_id & 0x100 != 0,
            gba: GbaVcProbe::No,
            name: format!("Title {title_id:X} — é"),
            publisher: "Lantern Works".into(),
            icon: icon.then(|| (0..ICON_BYTES).map(|i| i as u8).collect()),
        }
    }

    #[test]
    fn one_title_is_laid_out_as_documented() {
        let bytes = encode(&[TitleRecord {
            title_id: 0x0004_0000_0005_5D00,
            media: MediaType::Card,
            save: SaveState::NotStarted,
            extdata: true,
            gba: GbaVcProbe::No,
            name: "X".into(),
            publisher: "NT".into(),
            icon: None,
        }]);
        // Written out by hand from the layout in the module comment.
        let body: [u8; 0x12 + 3] = [
            0x00, 0x5D, 0x05, 0x00, 0x00, 0x00, 0x04, 0x00, // title id
            1, 1, 1, 0, // card, never started, extdata, no icon
            1, 0, 2, 0, 0, 0, // lengths 1, 2, 0
            b'X', b'N', b'T',
        ];
        assert_eq!(&bytes[..4], b"KSTL");
        assert_eq!(&bytes[4..12], &[1, 0, 1, 0, 21, 0, 0, 0]);
        assert_eq!(&bytes[16..], &body);
        // CRC-16/MODBUS of the body, from the format crate's reference
        // implementation, is what the header holds.
        assert_eq!(
            u16::from_le_bytes([bytes[12], bytes[13]]),
            crc16_modbus(&body)
        );
        assert_eq!(decode(&bytes).unwrap()[0].save, SaveState::NotStarted);
    }

    #[test]
    fn a_gba_title_is_laid_out_as_documented() {
        let bytes = encode(&[TitleRecord {
            title_id: 0x0004_0000_00AB_CD00,
            media: MediaType::Sd,
            save: SaveState::Absent,
            extdata: false,
            gba: GbaVcProbe::CannotTell("no".into()),
            name: "M".into(),
            publisher: String::new(),
            icon: None,
        }]);
        // Written out by hand from the layout in the module comment.
        let body: [u8; 0x12 + 3] = [
            0x00, 0xCD, 0xAB, 0x00, 0x00, 0x00, 0x04, 0x00, // title id
            0, 7, 0, 0, // SD card, GBA VC cannot tell, no extdata, no icon
            1, 0, 0, 0, 2, 0, // lengths 1, 0, 2
            b'M', b'n', b'o',
        ];
        assert_eq!(&bytes[16..], &body);
        let decoded = decode(&bytes).unwrap();
        assert_eq!(decoded[0].gba, GbaVcProbe::CannotTell("no".into()));
        assert_eq!(decoded[0].save, SaveState::Absent);
        // Codes 4 and 5 carry no reason; 6 does.
        let mut never = body;
        never[9] = 5;
        assert!(matches!(
            decode(&with_body(&never, 1)),
            Err(TitleCacheError::BadField {
                field: "reason length",
                ..
            })
        ));
        never[9] = 6;
        assert_eq!(
            decode(&with_body(&never, 1)).unwrap()[0].gba,
            GbaVcProbe::Unreadable("no".into())
        );
    }

    #[test]
    fn three_hundred_titles_round_trip() {
        let records: Vec<TitleRecord> = (0..300u64)
            .map(|i| {
                let (save, gba) = match i % 8 {
                    0 => (SaveState::Present, GbaVcProbe::No),
                    1 => (SaveState::NotStarted, GbaVcProbe::No),
                    2 => (SaveState::Absent, GbaVcProbe::No),
                    3 => (
                        SaveState::Unreadable(format!("0xC8804464 on title {i}")),
                        GbaVcProbe::No,
                    ),
                    4 => (SaveState::Absent, GbaVcProbe::Yes),
                    5 => (SaveState::Absent, GbaVcProbe::NeverSaved),
                    6 => (
                        SaveState::Absent,
                        GbaVcProbe::Unreadable(format!("read {i}")),
                    ),
                    _ => (SaveState::Absent, GbaVcProbe::CannotTell("Luma".into())),
                };
                TitleRecord {
                    gba,
                    ..record(0x0004_0000_0010_0000 + (i << 8), save, i % 3 != 0)
                }
            })
            .collect();
        let bytes = encode(&records);
        assert_eq!(decode(&bytes).unwrap(), records);
        // 300 titles with icons take about 1.4 MiB: one read at start.
        assert!(bytes.len() < 300 * (ENTRY_FIXED + 100 + ICON_BYTES));
    }

    #[test]
    fn damage_is_found_and_named() {
        let good = encode(&[record(0x0004_0000_0005_5D00, SaveState::Present, true)]);
        let mut flipped = good.clone();
        flipped[40] ^= 1;
        assert!(matches!(
            decode(&flipped),
            Err(TitleCacheError::Checksum { .. })
        ));
        assert_eq!(
            decode(&good[..10]),
            Err(TitleCacheError::TooShort { len: 10 })
        );
        assert_eq!(
            decode(&good[..good.len() - 1]),
            Err(TitleCacheError::Length {
                expected: good.len() - 16,
                found: good.len() - 17
            })
        );
        let mut version = good.clone();
        version[4] = 2;
        assert_eq!(decode(&version), Err(TitleCacheError::Version { found: 2 }));
        let message = decode(&flipped).unwrap_err().to_string();
        assert!(message.contains("damaged"), "{message}");
    }

    /// Rewrites the body and fixes the header, so a bad field reaches the
    /// field checks instead of the checksum.
    fn with_body(body: &[u8], count: u16) -> Vec<u8> {
        let mut bytes = b"KSTL".to_vec();
        bytes.extend_from_slice(&1u16.to_le_bytes());
        bytes.extend_from_slice(&count.to_le_bytes());
        bytes.extend_from_slice(&(body.len() as u32).to_le_bytes());
        bytes.extend_from_slice(&crc16_modbus(body).to_le_bytes());
        bytes.extend_from_slice(&[0, 0]);
        bytes.extend_from_slice(body);
        bytes
    }

    #[test]
    fn a_header_with_its_reserved_bytes_set_is_refused() {
        // The bytes the fuzzer found: "KSTL", version 1, no titles, an
        // empty body with its CRC (0xFFFF), and 0x377A where zero belongs.
        let bytes = [
            0x4B, 0x53, 0x54, 0x4C, 1, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0x7A, 0x37,
        ];
        assert_eq!(
            decode(&bytes),
            Err(TitleCacheError::Reserved { found: 0x377A })
        );
        let mut zero = bytes;
        zero[14..].fill(0);
        assert_eq!(decode(&zero), Ok(Vec::new()));
    }

    #[test]
    fn fields_without_meaning_are_refused_even_under_a_good_checksum() {
        let mut body = vec![0u8; 0x12];
        body[9] = 8;
        assert_eq!(
            decode(&with_body(&body, 1)),
            Err(TitleCacheError::BadField {
                index: 0,
                field: "save state",
                value: 8
            })
        );
        body[9] = 0;
        body[12] = 0xFF;
        body[13] = 0xFF;
        assert!(matches!(
            decode(&with_body(&body, 1)),
            Err(TitleCacheError::BadField {
                field: "name length",
                ..
            })
        ));
        body[12] = 2;
        body[13] = 0;
        body.extend_from_slice(&[0xC3, 0x28]);
        assert_eq!(
            decode(&with_body(&body, 1)),
            Err(TitleCacheError::NotUtf8 {
                index: 0,
                field: "name"
            })
        );
        assert_eq!(
            decode(&with_body(&[0u8; 0x12], 2)),
            Err(TitleCacheError::Truncated {
                index: 1,
                offset: 16 + 0x12
            })
        );
        assert_eq!(
            decode(&with_body(&[0u8; 0x13], 1)),
            Err(TitleCacheError::Trailing { extra: 1 })
        );
    }

    #[test]
    fn long_names_are_cut_at_a_character_boundary() {
        let mut long = record(0x0004_0000_0005_5D00, SaveState::Present, false);
        long.name = "é".repeat(400);
        let decoded = decode(&encode(&[long])).unwrap();
        assert_eq!(decoded[0].name, "é".repeat(256));
    }

    #[test]
    fn random_and_mutated_caches_never_panic() {
        use keepsake_testkit::rand::Rng;
        let mut rng = keepsake_testkit::rng::for_test("title_cache::random");
        let good = encode(&[
            record(0x0004_0000_0005_5D00, SaveState::Present, true),
            record(
                0x0004_0000_0005_5E00,
                SaveState::Unreadable("x".into()),
                false,
            ),
        ]);
        let mut accepted = 0;
        for round in 0..3000 {
            let bytes: Vec<u8> = if round % 3 == 0 {
                (0..rng.random_range(0..64)).map(|_| rng.random()).collect()
            } else {
                // Mutate the body, then fix the header so the field checks
                // are what is exercised.
                let mut body = good[16..].to_vec();
                for _ in 0..rng.random_range(1..4) {
                    let at = rng.random_range(0..body.len());
                    body[at] = rng.random();
                }
                if round % 3 == 1 {
                    body.truncate(rng.random_range(0..body.len()));
                }
                with_body(&body, rng.random_range(0..4))
            };
            if let Ok(records) = decode(&bytes) {
                accepted += 1;
                assert_eq!(encode(&records), bytes, "what is accepted re-encodes");
            }
        }
        assert!(accepted > 10, "only {accepted} accepted");
    }

    #[test]
    fn the_cache_is_written_atomically_and_read_back() {
        use crate::sim::{PowerSupply, SimSd};
        let mut sd = SimSd::new(1 << 24, PowerSupply::new());
        assert_eq!(load(&mut sd), Ok(None));
        let records = vec![record(0x0004_0000_0005_5D00, SaveState::Present, true)];
        assert_eq!(save(&mut sd, &records), Ok(true));
        assert_eq!(load(&mut sd), Ok(Some(records.clone())));
        // The same list again: nothing is written.
        assert_eq!(save(&mut sd, &records), Ok(false));
        let mut changed = records.clone();
        changed[0].save = SaveState::NotStarted;
        assert_eq!(save(&mut sd, &changed), Ok(true));
        assert_eq!(load(&mut sd), Ok(Some(changed)));
        sd.write(TITLE_CACHE_PATH, b"KSTL").unwrap();
        assert_eq!(load(&mut sd), Err(TitleCacheError::TooShort { len: 4 }));
    }
}
