//! DPFS: the two-copy tree that makes a DIFI partition's writes atomic.
//!
//! The descriptor (0x50 bytes, little-endian) is magic `DPFS`, version
//! 0x10000, then three level records of 0x18 bytes — offset (u64), size
//! (u64), log2 of the block size (u32), padding (u32) — relative to the
//! partition. Every level is stored twice: copy 0 at `offset`, copy 1 at
//! `offset + size`. Level 1's active copy is chosen by the DIFI selector
//! byte; levels 1 and 2 are bit arrays in which bit `i` picks the active copy
//! of block `i` of the next level. The bits are little-endian u32 words read
//! most significant bit first. Level 3 holds the IVFC tree.

use thiserror::Error;

use crate::storage::{le_u32, le_u64, put_u32, put_u64};

/// Size of the DPFS descriptor.
pub const DPFS_DESCRIPTOR_LEN: usize = 0x50;
/// Largest accepted log2 block size of levels 2 and 3 (16 MiB).
pub const MAX_BLOCK_LOG: u32 = 24;

/// Why a DPFS descriptor was refused.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum DpfsError {
    #[error(
        "DPFS descriptor: expected magic \"DPFS\" version 0x10000, found \"{}\" version {version:#x}", String::from_utf8_lossy(.magic)
    )]
    BadMagic { magic: [u8; 4], version: u32 },
    #[error("DPFS descriptor is {len:#x} bytes, expected {DPFS_DESCRIPTOR_LEN:#x}")]
    BadLength { len: usize },
    #[error("DPFS level {level}: block size 2^{log} is outside the range 2^1 to 2^{MAX_BLOCK_LOG}")]
    BadBlockSize { level: usize, log: u32 },
    #[error("DPFS level {level} has {have} selector bits, but level {next} has {need} blocks")]
    SelectorTooShort {
        level: usize,
        next: usize,
        have: u64,
        need: u64,
    },
}

/// Where one DPFS level lies (copy 0; copy 1 follows it) and its block size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DpfsLevel {
    pub offset: u64,
    pub size: u64,
    pub block_log: u32,
}

impl DpfsLevel {
    pub fn block_count(&self) -> u64 {
        self.size.div_ceil(1 << self.block_log)
    }
    /// Offset of copy `copy` (0 or 1) within the partition.
    pub fn copy_offset(&self, copy: u8) -> u64 {
        self.offset + u64::from(copy) * self.size
    }
}

/// The parsed DPFS descriptor: levels 1-3 (index 0-2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DpfsDescriptor {
    pub levels: [DpfsLevel; 3],
}

impl DpfsDescriptor {
    pub fn parse(bytes: &[u8]) -> Result<Self, DpfsError> {
        if bytes.len() != DPFS_DESCRIPTOR_LEN {
            return Err(DpfsError::BadLength { len: bytes.len() });
        }
        let magic: [u8; 4] = bytes[0..4].try_into().expect("4 bytes");
        let version = le_u32(bytes, 4);
        if &magic != b"DPFS" || version != 0x10000 {
            return Err(DpfsError::BadMagic { magic, version });
        }
        let mut levels = [DpfsLevel::default(); 3];
        for (i, level) in levels.iter_mut().enumerate() {
            let at = 8 + i * 0x18;
            *level = DpfsLevel {
                offset: le_u64(bytes, at),
                size: le_u64(bytes, at + 8),
                block_log: le_u32(bytes, at + 0x10),
            };
            // Level 1 is read whole, its block size is meaningless (0 in practice).
            if i > 0 && !(1..=MAX_BLOCK_LOG).contains(&level.block_log) {
                return Err(DpfsError::BadBlockSize {
                    level: i + 1,
                    log: level.block_log,
                });
            }
        }
        for i in 0..2 {
            // Bits are read a whole u32 word at a time.
            let have = (levels[i].size / 4).saturating_mul(32);
            let need = levels[i + 1].block_count();
            if have < need {
                return Err(DpfsError::SelectorTooShort {
                    level: i + 1,
                    next: i + 2,
                    have,
                    need,
                });
            }
        }
        Ok(DpfsDescriptor { levels })
    }

    pub fn to_bytes(&self) -> [u8; DPFS_DESCRIPTOR_LEN] {
        let mut out = [0u8; DPFS_DESCRIPTOR_LEN];
        out[0..4].copy_from_slice(b"DPFS");
        put_u32(&mut out, 4, 0x10000);
        for (i, level) in self.levels.iter().enumerate() {
            let at = 8 + i * 0x18;
            put_u64(&mut out, at, level.offset);
            put_u64(&mut out, at + 8, level.size);
            put_u32(&mut out, at + 0x10, level.block_log);
        }
        out
    }
}

/// Bit `index` of a DPFS selector bit array: word `index / 32`
/// (little-endian), most significant bit first.
pub fn selector_bit(bits: &[u8], index: u64) -> u8 {
    let word = (index / 32) as usize * 4;
    let value = u32::from_le_bytes(bits[word..word + 4].try_into().expect("4 bytes"));
    ((value >> (31 - index % 32)) & 1) as u8
}

/// Flips bit `index` of a DPFS selector bit array.
pub fn toggle_bit(bits: &mut [u8], index: u64) {
    let word = (index / 32) as usize * 4;
    let mut value = u32::from_le_bytes(bits[word..word + 4].try_into().expect("4 bytes"));
    value ^= 1 << (31 - index % 32);
    bits[word..word + 4].copy_from_slice(&value.to_le_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_descriptor_is_0x50_bytes_and_round_trips() {
        let d = DpfsDescriptor {
            levels: [
                DpfsLevel {
                    offset: 0,
                    size: 4,
                    block_log: 0,
                },
                DpfsLevel {
                    offset: 8,
                    size: 0x80,
                    block_log: 7,
                },
                DpfsLevel {
                    offset: 0x1000,
                    size: 0x6000,
                    block_log: 12,
                },
            ],
        };
        let bytes = d.to_bytes();
        assert_eq!(bytes.len(), 0x50);
        assert_eq!(DpfsDescriptor::parse(&bytes), Ok(d));
        let mut bad = bytes;
        bad[0x20 + 8] = 0; // level 2 size 0: no bit for level 3's blocks
        assert!(matches!(
            DpfsDescriptor::parse(&bad),
            Err(DpfsError::SelectorTooShort { level: 2, .. })
        ));
    }

    #[test]
    fn selector_bits_are_msb_first_in_little_endian_words() {
        // Word 0 = 0x8000_0001: bits 0 and 31 set. Word 1 = 0x4000_0000: bit 33.
        let bits = [0x01, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00, 0x40];
        let set: Vec<u64> = (0..64).filter(|&i| selector_bit(&bits, i) == 1).collect();
        assert_eq!(set, vec![0, 31, 33]);
        let mut bits = bits;
        toggle_bit(&mut bits, 31);
        toggle_bit(&mut bits, 32);
        assert_eq!(bits, [0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00, 0xC0]);
    }
}
