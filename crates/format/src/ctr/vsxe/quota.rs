//! `Quota.dat`: the space accounting of a NAND extdata archive.
//!
//! A DIFF whose 0x48-byte payload is, little-endian (save3ds
//! libsave3ds/src/ext_data.rs `Quota`): magic `QUOT` (0x00), version 0x30000
//! (0x04), block size (u32 0x08, 0x1000), device files per folder (u32
//! 0x0C, 126), the archive's capacity in blocks (u32 0x14), free blocks (u32
//! 0x1C), free blocks before the last change (u32 0x28), the device file of
//! the last change (u32 0x30) and its size in bytes (u64 0x40). SD extdata
//! has no quota file.

use thiserror::Error;

use crate::storage::{le_u32, le_u64};

/// Length of the quota payload.
pub const QUOTA_LEN: usize = 0x48;

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum QuotaError {
    #[error("Quota.dat: its payload is {len} bytes, expected at least 72")]
    TooShort { len: usize },
    #[error(
        "Quota.dat: expected magic \"QUOT\" version 0x30000, found \"{}\" version {version:#x}",
        String::from_utf8_lossy(.found)
    )]
    BadMagic { found: [u8; 4], version: u32 },
}

/// What `Quota.dat` says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    pub block_len: u32,
    pub files_per_folder: u32,
    pub capacity_blocks: u32,
    pub free_blocks: u32,
    pub last_device_file: u32,
    pub last_device_len: u64,
}

impl Quota {
    /// Parses the payload of a `Quota.dat` DIFF.
    pub fn parse(payload: &[u8]) -> Result<Self, QuotaError> {
        if payload.len() < QUOTA_LEN {
            return Err(QuotaError::TooShort { len: payload.len() });
        }
        let magic: [u8; 4] = payload[..4].try_into().expect("4 bytes");
        let version = le_u32(payload, 4);
        if &magic != b"QUOT" || version != 0x30000 {
            return Err(QuotaError::BadMagic {
                found: magic,
                version,
            });
        }
        Ok(Quota {
            block_len: le_u32(payload, 0x08),
            files_per_folder: le_u32(payload, 0x0C),
            capacity_blocks: le_u32(payload, 0x14),
            free_blocks: le_u32(payload, 0x1C),
            last_device_file: le_u32(payload, 0x30),
            last_device_len: le_u64(payload, 0x40),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_fields_at_their_offsets() {
        let mut p = [0u8; QUOTA_LEN];
        p[..4].copy_from_slice(b"QUOT");
        p[6] = 3; // version 0x30000
        p[9] = 0x10; // block size 0x1000
        p[0x0C] = 126;
        p[0x14] = 200;
        p[0x1C] = 150;
        p[0x30] = 5;
        p[0x41] = 0x30; // 0x3000 bytes
        let q = Quota::parse(&p).unwrap();
        assert_eq!(
            q,
            Quota {
                block_len: 0x1000,
                files_per_folder: 126,
                capacity_blocks: 200,
                free_blocks: 150,
                last_device_file: 5,
                last_device_len: 0x3000,
            }
        );
        assert_eq!(
            Quota::parse(&p[..10]),
            Err(QuotaError::TooShort { len: 10 })
        );
        p[0] = b'X';
        assert!(matches!(Quota::parse(&p), Err(QuotaError::BadMagic { .. })));
    }
}
