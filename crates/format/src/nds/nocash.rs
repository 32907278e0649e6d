//! no$gba's battery-backup save file, stored or run-length compressed.
//!
//! ```text
//! 0x00  32 B   magic "NocashGbaBackupMediaSavDataFile" + 0x1A
//! 0x20  32 B   no$gba's own bookkeeping (a date, flags); not needed here
//! 0x40   4 B   block id "SRAM"
//! 0x44  u32le  method: 0 = stored, 1 = run-length compressed
//! stored:      0x48 u32le length, 0x4C the save
//! compressed:  0x48 u32le packed length (informational),
//!              0x4C u32le unpacked length, 0x50 the records:
//!                0x00            end of the save
//!                0x01..=0x7F n   n literal bytes follow
//!                0x80 v lo hi    byte v repeated (hi << 8 | lo) times
//!                0x81..=0xFF     byte v (next) repeated (control - 0x80) times
//! ```
//! Further blocks may follow the save (no$gba's own, ending in "STOP"); they
//! are not part of the save and are left alone.

use std::borrow::Cow;

use serde::Serialize;
use thiserror::Error;

use super::chip::{ChipKind, format_size};

/// The 32 bytes every no$gba save starts with.
pub const MAGIC: &[u8; 32] = b"NocashGbaBackupMediaSavDataFile\x1A";
const BLOCK_ID_OFFSET: usize = 0x40;
const METHOD_OFFSET: usize = 0x44;
const STORED_DATA_OFFSET: usize = 0x4C;
const PACKED_DATA_OFFSET: usize = 0x50;

/// How the save is kept in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum NoCashCompression {
    Stored,
    RunLength,
}

/// What the no$gba header says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct NoCashHeader {
    pub compression: NoCashCompression,
    /// The packed length field of a compressed save (no$gba's count; not
    /// relied upon).
    pub packed_len: Option<u32>,
    /// The save's length.
    pub len: u32,
}

/// A no$gba file that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum NoCashError {
    #[error("no$gba file is {len} bytes; its header alone needs {needed}")]
    TooShort { len: usize, needed: usize },
    #[error("no$gba block at offset 0x40 is \"{found}\", not \"SRAM\"")]
    NotSram { found: String },
    #[error(
        "no$gba save method {method} (offset 0x44) is not supported; only 0 (stored) and 1 (run-length) are"
    )]
    UnsupportedMethod { method: u32 },
    #[error("no$gba save is empty")]
    Empty,
    #[error("no$gba header says the save is {} but the largest NDS save chip holds 8 MiB", format_size(*.len))]
    TooLarge { len: usize },
    #[error(
        "no$gba header says the save is {declared} bytes but only {available} follow the header at offset 0x4c: the file is truncated"
    )]
    StoredTruncated { declared: usize, available: usize },
    #[error(
        "no$gba compressed save ends inside a record at offset {offset:#x}, before its end mark: the file is truncated"
    )]
    RecordTruncated { offset: usize },
    #[error(
        "no$gba record at offset {offset:#x} unpacks past the {declared} bytes the header declares"
    )]
    Overflow { offset: usize, declared: usize },
    #[error(
        "no$gba compressed save ends (mark at offset {offset:#x}) after {produced} bytes but the header declares {declared}"
    )]
    Underflow {
        offset: usize,
        produced: usize,
        declared: usize,
    },
}

/// Whether `file` starts with the no$gba magic.
pub fn is_nocash(file: &[u8]) -> bool {
    file.starts_with(MAGIC)
}

fn u32_at(bytes: &[u8], offset: usize) -> u32 {
    let mut word = [0u8; 4];
    word.copy_from_slice(&bytes[offset..offset + 4]);
    u32::from_le_bytes(word)
}

fn need(file: &[u8], needed: usize) -> Result<(), NoCashError> {
    if file.len() < needed {
        Err(NoCashError::TooShort {
            len: file.len(),
            needed,
        })
    } else {
        Ok(())
    }
}

fn check_len(len: usize) -> Result<(), NoCashError> {
    if len == 0 {
        Err(NoCashError::Empty)
    } else if len > ChipKind::LARGEST_CAPACITY {
        Err(NoCashError::TooLarge { len })
    } else {
        Ok(())
    }
}

/// Reads the save out of a no$gba file, unpacking it when compressed.
pub fn parse(file: &[u8]) -> Result<(NoCashHeader, Cow<'_, [u8]>), NoCashError> {
    need(file, STORED_DATA_OFFSET)?;
    let block = &file[BLOCK_ID_OFFSET..BLOCK_ID_OFFSET + 4];
    if block != b"SRAM" {
        return Err(NoCashError::NotSram {
            found: String::from_utf8_lossy(block).into_owned(),
        });
    }
    match u32_at(file, METHOD_OFFSET) {
        0 => {
            let len = u32_at(file, 0x48);
            let declared = len as usize;
            check_len(declared)?;
            let available = file.len() - STORED_DATA_OFFSET;
            if available < declared {
                return Err(NoCashError::StoredTruncated {
                    declared,
                    available,
                });
            }
            let header = NoCashHeader {
                compression: NoCashCompression::Stored,
                packed_len: None,
                len,
            };
            let save = &file[STORED_DATA_OFFSET..STORED_DATA_OFFSET + declared];
            Ok((header, Cow::Borrowed(save)))
        }
        1 => {
            need(file, PACKED_DATA_OFFSET)?;
            let packed_len = u32_at(file, 0x48);
            let len = u32_at(file, 0x4C);
            check_len(len as usize)?;
            let save = unpack(file, PACKED_DATA_OFFSET, len as usize)?;
            let header = NoCashHeader {
                compression: NoCashCompression::RunLength,
                packed_len: Some(packed_len),
                len,
            };
            Ok((header, Cow::Owned(save)))
        }
        method => Err(NoCashError::UnsupportedMethod { method }),
    }
}

/// Runs the records from `start` to their end mark, producing exactly
/// `declared` bytes or an error naming the record at fault.
fn unpack(file: &[u8], start: usize, declared: usize) -> Result<Vec<u8>, NoCashError> {
    let mut out = Vec::with_capacity(declared);
    let mut pos = start;
    loop {
        let record = pos;
        let control = *file
            .get(pos)
            .ok_or(NoCashError::RecordTruncated { offset: record })?;
        pos += 1;
        let truncated = NoCashError::RecordTruncated { offset: record };
        let overflow = NoCashError::Overflow {
            offset: record,
            declared,
        };
        match control {
            0 => break,
            1..=0x7F => {
                let count = usize::from(control);
                let literal = file.get(pos..pos + count).ok_or(truncated)?;
                if out.len() + count > declared {
                    return Err(overflow);
                }
                out.extend_from_slice(literal);
                pos += count;
            }
            0x80 => {
                let run = file.get(pos..pos + 3).ok_or(truncated)?;
                let count = usize::from(u16::from_le_bytes([run[1], run[2]]));
                if out.len() + count > declared {
                    return Err(overflow);
                }
                out.resize(out.len() + count, run[0]);
                pos += 3;
            }
            0x81..=0xFF => {
                let value = *file.get(pos).ok_or(truncated)?;
                let count = usize::from(control - 0x80);
                if out.len() + count > declared {
                    return Err(overflow);
                }
                out.resize(out.len() + count, value);
                pos += 1;
            }
        }
    }
    if out.len() != declared {
        return Err(NoCashError::Underflow {
            offset: pos - 1,
            produced: out.len(),
            declared,
        });
    }
    Ok(out)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use keepsake_testkit::rand::Rng;
    use keepsake_testkit::rng;

    /// A no$gba file in the given method, written the way no$gba writes it
    /// (runs of three or more become repeat records), then its trailing
    /// blocks.
    pub(crate) fn encode(save: &[u8], compress: bool) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        out.resize(0x40, 0);
        out.extend_from_slice(b"SRAM");
        if !compress {
            out.extend_from_slice(&0u32.to_le_bytes());
            out.extend_from_slice(&(save.len() as u32).to_le_bytes());
            out.extend_from_slice(save);
        } else {
            out.extend_from_slice(&1u32.to_le_bytes());
            out.extend_from_slice(&0u32.to_le_bytes());
            out.extend_from_slice(&(save.len() as u32).to_le_bytes());
            let records_start = out.len();
            let mut i = 0;
            let mut literal_start = 0;
            let flush = |out: &mut Vec<u8>, from: usize, to: usize| {
                for chunk in save[from..to].chunks(0x7F) {
                    out.push(chunk.len() as u8);
                    out.extend_from_slice(chunk);
                }
            };
            while i < save.len() {
                let run = save[i..].iter().take_while(|&&b| b == save[i]).count();
                if run >= 3 {
                    flush(&mut out, literal_start, i);
                    let mut left = run;
                    while left > 0 {
                        if left > 0x7F {
                            let n = left.min(0xFFFF);
                            out.push(0x80);
                            out.push(save[i]);
                            out.extend_from_slice(&(n as u16).to_le_bytes());
                            left -= n;
                        } else {
                            out.push(0x80 + left as u8);
                            out.push(save[i]);
                            left = 0;
                        }
                    }
                    i += run;
                    literal_start = i;
                } else {
                    i += run;
                }
            }
            flush(&mut out, literal_start, save.len());
            out.push(0);
            let packed = (out.len() - records_start) as u32;
            out[0x48..0x4C].copy_from_slice(&packed.to_le_bytes());
        }
        out.extend_from_slice(b"STOP\0\0\0\0\0\0\0\0");
        out
    }

    #[test]
    fn header_offsets_are_pinned() {
        assert_eq!(MAGIC.len(), 32);
        assert_eq!(encode(&[1; 512], false).len(), 0x4C + 512 + 12);
    }

    #[test]
    fn a_hand_written_compressed_file_unpacks_to_the_expected_bytes() {
        let mut file = MAGIC.to_vec();
        file.resize(0x40, 0);
        file.extend_from_slice(b"SRAM");
        file.extend_from_slice(&1u32.to_le_bytes());
        file.extend_from_slice(&9u32.to_le_bytes());
        file.extend_from_slice(&(2 + 3 + 300 + 4u32).to_le_bytes());
        // "AB", then 3 x 0x00, then 300 x 0xFF, then 4 x 0x11, then the mark.
        file.extend_from_slice(&[0x02, b'A', b'B', 0x83, 0x00, 0x80, 0xFF, 0x2C, 0x01]);
        file.extend_from_slice(&[0x84, 0x11, 0x00]);
        let (header, save) = parse(&file).unwrap();
        assert_eq!(header.compression, NoCashCompression::RunLength);
        assert_eq!(header.packed_len, Some(9));
        let mut expected = b"AB".to_vec();
        expected.extend_from_slice(&[0; 3]);
        expected.extend_from_slice(&[0xFF; 300]);
        expected.extend_from_slice(&[0x11; 4]);
        assert_eq!(&save[..], &expected[..]);
    }

    #[test]
    fn stored_and_compressed_saves_round_trip_on_random_data() {
        let mut rng = rng::for_test("nocash_round_trip");
        for _ in 0..200 {
            let len = rng.random_range(1..3000);
            // Runs and noise, so that every record kind occurs.
            let mut save = Vec::with_capacity(len);
            while save.len() < len {
                let value: u8 = rng.random();
                let run = if rng.random_bool(0.5) {
                    rng.random_range(1..400)
                } else {
                    1
                };
                save.extend(std::iter::repeat_n(value, run.min(len - save.len())));
            }
            for compress in [false, true] {
                let file = encode(&save, compress);
                let (header, back) = parse(&file).unwrap();
                assert_eq!(header.len as usize, len);
                assert_eq!(&back[..], &save[..]);
            }
        }
    }

    #[test]
    fn damaged_files_are_refused_with_the_place() {
        let save: Vec<u8> = (0..1000u32).map(|i| (i / 7) as u8).collect();
        let packed = encode(&save, true);
        let mark = packed.len() - 12 - 1;
        assert_eq!(packed[mark], 0);

        let cut = &packed[..mark];
        assert_eq!(
            parse(cut),
            Err(NoCashError::RecordTruncated { offset: mark })
        );

        let mut early_mark = packed.clone();
        early_mark[0x50] = 0;
        assert_eq!(
            parse(&early_mark),
            Err(NoCashError::Underflow {
                offset: 0x50,
                produced: 0,
                declared: 1000
            })
        );

        let mut small = packed.clone();
        small[0x4C..0x50].copy_from_slice(&10u32.to_le_bytes());
        assert!(matches!(
            parse(&small),
            Err(NoCashError::Overflow { declared: 10, .. })
        ));

        let stored = encode(&save, false);
        assert_eq!(
            parse(&stored[..0x4C + 999]),
            Err(NoCashError::StoredTruncated {
                declared: 1000,
                available: 999
            })
        );

        let mut lz = stored.clone();
        lz[0x44] = 2;
        assert_eq!(
            parse(&lz),
            Err(NoCashError::UnsupportedMethod { method: 2 })
        );

        let mut other_block = stored.clone();
        other_block[0x40..0x44].copy_from_slice(b"LIFE");
        assert_eq!(
            parse(&other_block),
            Err(NoCashError::NotSram {
                found: "LIFE".into()
            })
        );

        let mut huge = stored.clone();
        huge[0x48..0x4C].copy_from_slice(&0x0100_0000u32.to_le_bytes());
        assert_eq!(
            parse(&huge),
            Err(NoCashError::TooLarge { len: 0x0100_0000 })
        );
        assert_eq!(
            parse(&stored[..0x30]),
            Err(NoCashError::TooShort {
                len: 0x30,
                needed: 0x4C
            })
        );
    }
}
