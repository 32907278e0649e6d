//! IVFC: the hash tree of a DIFI partition.
//!
//! The descriptor (0x78 bytes, little-endian) is magic `IVFC`, version
//! 0x20000, the master hash size (u64), then four level records of 0x18
//! bytes each — offset (u64), size (u64), log2 of the block size (u32),
//! padding (u32) — and the descriptor size (u64, 0x78) at 0x70.
//!
//! Level 4 is the payload (the SAVE or DATA image). Levels 1 to 3 are lists
//! of SHA-256 digests: entry `i` of level `n` is the hash of block `i` of level
//! `n + 1`, cut with level `n + 1`'s block size, the last block zero-padded to
//! full size. The master hash (stored in the partition descriptor) hashes the
//! blocks of level 1 the same way. Offsets of levels 1-4 are relative to DPFS
//! level 3, except an external level 4 (see `difi`).

use sha2::{Digest, Sha256};
use thiserror::Error;

use crate::storage::{le_u32, le_u64, put_u32, put_u64};

/// Size of the IVFC descriptor.
pub const IVFC_DESCRIPTOR_LEN: usize = 0x78;
/// Size of one hash entry.
pub const HASH_LEN: usize = 0x20;
/// Smallest and largest accepted log2 block sizes (64 B .. 16 MiB): real saves
/// use 512 and 4096; anything outside is corruption.
pub const MIN_BLOCK_LOG: u32 = 6;
pub const MAX_BLOCK_LOG: u32 = 24;

/// Why an IVFC descriptor was refused.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum IvfcError {
    #[error(
        "IVFC descriptor: expected magic \"IVFC\" version 0x20000, found \"{}\" version {version:#x}", String::from_utf8_lossy(.magic)
    )]
    BadMagic { magic: [u8; 4], version: u32 },
    #[error("IVFC descriptor is {len:#x} bytes, expected {IVFC_DESCRIPTOR_LEN:#x}")]
    BadLength { len: usize },
    #[error(
        "IVFC level {level}: block size 2^{log} is outside the range 2^{MIN_BLOCK_LOG} to 2^{MAX_BLOCK_LOG}"
    )]
    BadBlockSize { level: usize, log: u32 },
    #[error("IVFC level {level} holds {have:#x} bytes of hashes, but level {next} needs {need:#x}")]
    HashesTooShort {
        level: usize,
        next: usize,
        have: u64,
        need: u64,
    },
}

/// Where one IVFC level lies and how it is cut into blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct IvfcLevel {
    pub offset: u64,
    pub size: u64,
    pub block_log: u32,
}

impl IvfcLevel {
    pub fn block_len(&self) -> u64 {
        1 << self.block_log
    }
    /// Number of blocks, the last one possibly partial.
    pub fn block_count(&self) -> u64 {
        self.size.div_ceil(self.block_len())
    }
    /// Bytes of hashes that the level above needs for this level.
    pub fn hashes_needed(&self) -> u64 {
        self.block_count() * HASH_LEN as u64
    }
}

/// The parsed IVFC descriptor: master hash size and levels 1-4 (index 0-3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IvfcDescriptor {
    pub master_hash_size: u64,
    pub levels: [IvfcLevel; 4],
}

impl IvfcDescriptor {
    /// Parses and checks a descriptor: magic, block sizes, and that every
    /// hash level is long enough for the level it covers.
    pub fn parse(bytes: &[u8]) -> Result<Self, IvfcError> {
        if bytes.len() != IVFC_DESCRIPTOR_LEN {
            return Err(IvfcError::BadLength { len: bytes.len() });
        }
        let magic: [u8; 4] = bytes[0..4].try_into().expect("4 bytes");
        let version = le_u32(bytes, 4);
        if &magic != b"IVFC" || version != 0x20000 {
            return Err(IvfcError::BadMagic { magic, version });
        }
        let mut levels = [IvfcLevel::default(); 4];
        for (i, level) in levels.iter_mut().enumerate() {
            let at = 0x10 + i * 0x18;
            *level = IvfcLevel {
                offset: le_u64(bytes, at),
                size: le_u64(bytes, at + 8),
                block_log: le_u32(bytes, at + 0x10),
            };
            if !(MIN_BLOCK_LOG..=MAX_BLOCK_LOG).contains(&level.block_log) {
                return Err(IvfcError::BadBlockSize {
                    level: i + 1,
                    log: level.block_log,
                });
            }
        }
        let descriptor = IvfcDescriptor {
            master_hash_size: le_u64(bytes, 8),
            levels,
        };
        descriptor.check_hash_sizes()?;
        Ok(descriptor)
    }

    fn check_hash_sizes(&self) -> Result<(), IvfcError> {
        let mut have = self.master_hash_size;
        for (i, level) in self.levels.iter().enumerate() {
            let need = level.hashes_needed();
            if have < need {
                return Err(IvfcError::HashesTooShort {
                    level: i,
                    next: i + 1,
                    have,
                    need,
                });
            }
            have = level.size;
        }
        Ok(())
    }

    pub fn to_bytes(&self) -> [u8; IVFC_DESCRIPTOR_LEN] {
        let mut out = [0u8; IVFC_DESCRIPTOR_LEN];
        out[0..4].copy_from_slice(b"IVFC");
        put_u32(&mut out, 4, 0x20000);
        put_u64(&mut out, 8, self.master_hash_size);
        for (i, level) in self.levels.iter().enumerate() {
            let at = 0x10 + i * 0x18;
            put_u64(&mut out, at, level.offset);
            put_u64(&mut out, at + 8, level.size);
            put_u32(&mut out, at + 0x10, level.block_log);
        }
        put_u64(&mut out, 0x70, IVFC_DESCRIPTOR_LEN as u64);
        out
    }
}

/// SHA-256 of one block: `data` (at most `block_len` bytes) zero-padded to
/// `block_len`, as IVFC hashes the last, partial block of a level.
pub fn hash_block(data: &[u8], block_len: usize) -> [u8; HASH_LEN] {
    debug_assert!(data.len() <= block_len);
    let mut hasher = Sha256::new();
    hasher.update(data);
    const ZEROS: [u8; 4096] = [0; 4096];
    let mut padding = block_len - data.len();
    while padding > 0 {
        let n = padding.min(ZEROS.len());
        hasher.update(&ZEROS[..n]);
        padding -= n;
    }
    hasher.finalize().into()
}

/// A stored hash that is all zero was never computed: the block it covers
/// has not been written since the image was formatted.
pub fn is_unset(hash: &[u8]) -> bool {
    hash.iter().all(|&b| b == 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> IvfcDescriptor {
        IvfcDescriptor {
            master_hash_size: 0x20,
            levels: [
                IvfcLevel {
                    offset: 0,
                    size: 0x20,
                    block_log: 9,
                },
                IvfcLevel {
                    offset: 0x20,
                    size: 0x20,
                    block_log: 9,
                },
                IvfcLevel {
                    offset: 0x40,
                    size: 0x60,
                    block_log: 12,
                },
                IvfcLevel {
                    offset: 0x1000,
                    size: 0x3000,
                    block_log: 12,
                },
            ],
        }
    }

    #[test]
    fn the_descriptor_is_0x78_bytes_and_round_trips() {
        let bytes = sample().to_bytes();
        assert_eq!(bytes.len(), 0x78);
        assert_eq!(IvfcDescriptor::parse(&bytes), Ok(sample()));
    }

    #[test]
    fn refuses_bad_magic_block_sizes_and_short_hash_levels() {
        let mut bytes = sample().to_bytes();
        bytes[0] = b'J';
        assert!(matches!(
            IvfcDescriptor::parse(&bytes),
            Err(IvfcError::BadMagic { .. })
        ));
        let mut bytes = sample().to_bytes();
        bytes[0x10 + 3 * 0x18 + 0x10] = 40;
        assert_eq!(
            IvfcDescriptor::parse(&bytes),
            Err(IvfcError::BadBlockSize { level: 4, log: 40 })
        );
        let mut short = sample();
        short.levels[2].size = 0x40; // three level-4 blocks need 0x60
        assert!(matches!(
            IvfcDescriptor::parse(&short.to_bytes()),
            Err(IvfcError::HashesTooShort { level: 3, .. })
        ));
    }

    #[test]
    fn a_partial_block_hashes_as_if_zero_padded() {
        let full = {
            let mut b = vec![0u8; 512];
            b[..3].copy_from_slice(b"abc");
            b
        };
        assert_eq!(hash_block(b"abc", 512), hash_block(&full, 512));
        // Hand-checked value: SHA-256 of 512 zero bytes.
        let zero = hash_block(&[], 512);
        assert_eq!(
            zero[..4],
            [0x07, 0x6a, 0x27, 0xc7],
            "sha256(512 zero bytes) starts 076a27c7"
        );
    }
}
