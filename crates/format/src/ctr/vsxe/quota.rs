//! `Quota.dat`: the space accounting of a NAND extdata archive.
//!
//! A DIFF whose 0x48-byte payload is, little-endian (save3ds
//! libsave3ds/src/ext_data.rs `Quota`): magic `QUOT` (0x00), version 0x30000
//! (0x04), block size (u32 0x08, 0x1000), device files per folder (u32
//! 0x0C, 126), the archive's capacity in blocks (u32 0x14), free blocks (u32
//! 0x1C), free blocks before the last change (u32 0x28), the device file of
//! the last change (u32 0x30) and its size in bytes (u64 0x40). SD extdata
//! has no quota file.
//!
//! Every device file takes its size rounded up to 4096-byte blocks from the
//! free count: creating one takes them (and the count before is kept as
//! "before the last change"), deleting one gives them back (and both counts
//! become the new one), as save3ds's ext_data.rs `File::from_meta` and
//! `file_delete` do.

use thiserror::Error;

use crate::storage::{le_u32, le_u64, put_u32, put_u64};

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
    #[error(
        "the extdata archive has room for {free} more blocks of 4096 bytes (Quota.dat), \
         but device file {device_file} needs {needed}"
    )]
    NoSpace {
        free: u32,
        needed: u64,
        device_file: u32,
    },
}

/// Bytes of one quota block (save3ds counts in 0x1000 whatever the header
/// says).
pub const QUOTA_BLOCK: u64 = 0x1000;

/// One change to a device file, for the accounting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuotaChange {
    /// Device file `index` of `len` bytes is created.
    Create { index: u32, len: u64 },
    /// Device file `index` of `len` bytes is deleted.
    Delete { index: u32, len: u64 },
}

/// What `Quota.dat` says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    pub block_len: u32,
    pub files_per_folder: u32,
    pub capacity_blocks: u32,
    pub free_blocks: u32,
    pub free_blocks_before: u32,
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
            free_blocks_before: le_u32(payload, 0x28),
            last_device_file: le_u32(payload, 0x30),
            last_device_len: le_u64(payload, 0x40),
        })
    }

    /// Accounts for one change, or says there is no room for it (the
    /// quota is then unchanged).
    pub fn apply(&mut self, change: QuotaChange) -> Result<(), QuotaError> {
        let (QuotaChange::Create { index, len } | QuotaChange::Delete { index, len }) = change;
        let blocks = len.div_ceil(QUOTA_BLOCK);
        match change {
            QuotaChange::Create { .. } => {
                if blocks > u64::from(self.free_blocks) {
                    return Err(QuotaError::NoSpace {
                        free: self.free_blocks,
                        needed: blocks,
                        device_file: index,
                    });
                }
                self.free_blocks_before = self.free_blocks;
                self.free_blocks -= blocks as u32;
            }
            QuotaChange::Delete { .. } => {
                let free = u64::from(self.free_blocks) + blocks;
                self.free_blocks = u32::try_from(free).unwrap_or(u32::MAX);
                self.free_blocks_before = self.free_blocks;
            }
        }
        self.last_device_file = index;
        self.last_device_len = len;
        Ok(())
    }

    /// Writes the fields a change updates into a payload (at least
    /// [`QUOTA_LEN`] bytes); the others are left as they are.
    pub fn write_changes(&self, payload: &mut [u8]) {
        put_u32(payload, 0x1C, self.free_blocks);
        put_u32(payload, 0x28, self.free_blocks_before);
        put_u32(payload, 0x30, self.last_device_file);
        put_u64(payload, 0x40, self.last_device_len);
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
        p[0x28] = 160;
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
                free_blocks_before: 160,
                last_device_file: 5,
                last_device_len: 0x3000,
            }
        );
        assert_eq!(
            Quota::parse(&p[..10]),
            Err(QuotaError::TooShort { len: 10 })
        );
        // Hand-computed: 0x2001 bytes take 3 blocks, 0x1000 bytes 1.
        let mut q2 = q;
        q2.apply(QuotaChange::Delete {
            index: 7,
            len: 0x1000,
        })
        .unwrap();
        assert_eq!((q2.free_blocks, q2.free_blocks_before), (151, 151));
        q2.apply(QuotaChange::Create {
            index: 9,
            len: 0x2001,
        })
        .unwrap();
        assert_eq!((q2.free_blocks, q2.free_blocks_before), (148, 151));
        assert_eq!((q2.last_device_file, q2.last_device_len), (9, 0x2001));
        let too_big = QuotaChange::Create {
            index: 4,
            len: 149 * 0x1000,
        };
        assert_eq!(
            q2.apply(too_big),
            Err(QuotaError::NoSpace {
                free: 148,
                needed: 149,
                device_file: 4
            })
        );
        assert_eq!(q2.free_blocks, 148);
        let mut out = p;
        q2.write_changes(&mut out);
        assert_eq!(Quota::parse(&out).unwrap(), q2);
        assert_eq!(out[0x1C], 148);
        assert_eq!(out[0x28], 151);
        assert_eq!(out[0x30], 9);
        assert_eq!(&out[0x40..0x43], &[0x01, 0x20, 0]);
        p[0] = b'X';
        assert!(matches!(Quota::parse(&p), Err(QuotaError::BadMagic { .. })));
    }
}
