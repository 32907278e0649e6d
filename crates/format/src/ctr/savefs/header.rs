//! The SAVE header and the filesystem information that follows it.
//!
//! SAVE header (0x20 bytes, little-endian, at payload offset 0 of partition
//! 0): magic `SAVE`, version 0x40000, offset of the filesystem information
//! (u64), image size in blocks (u64), block size (u32), padding.
//!
//! Filesystem information (0x68 bytes): unknown (u32), block size (u32);
//! directory hash table offset (u64 at 0x08) and bucket count (u32 at 0x10);
//! file hash table offset (0x18) and bucket count (0x20); FAT offset (0x28)
//! and entry count minus one (0x30); data region offset (0x38) and block count
//! (0x40); directory entry table (0x48) and maximum directories (0x50); file
//! entry table (0x58) and maximum files (0x60). A table location is a u64
//! offset in partition 0 when the save has two partitions, otherwise a
//! starting block (u32) and block count (u32) in the data region.

use super::SaveFsError;
use crate::storage::{le_u32, le_u64, put_u32, put_u64};

pub const SAVE_HEADER_LEN: usize = 0x20;
pub const FS_INFO_LEN: usize = 0x68;

/// Where a directory or file entry table lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableHome {
    /// At this offset of partition 0 (two-partition saves).
    Offset(u64),
    /// A FAT chain in the data region: first block, block count.
    Chain { block: u32, count: u32 },
}

impl TableHome {
    fn decode(raw: u64, two_partitions: bool) -> Self {
        if two_partitions {
            TableHome::Offset(raw)
        } else {
            TableHome::Chain {
                block: raw as u32,
                count: (raw >> 32) as u32,
            }
        }
    }
    fn encode(self) -> u64 {
        match self {
            TableHome::Offset(offset) => offset,
            TableHome::Chain { block, count } => u64::from(block) | (u64::from(count) << 32),
        }
    }
}

/// The filesystem information block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FsInfo {
    pub block_len: u32,
    pub dir_hash_offset: u64,
    pub dir_buckets: u32,
    pub file_hash_offset: u64,
    pub file_buckets: u32,
    pub fat_offset: u64,
    pub data_blocks: u32,
    pub data_offset: u64,
    pub dir_table: TableHome,
    pub max_dirs: u32,
    pub file_table: TableHome,
    pub max_files: u32,
}

/// Parses the SAVE header: returns the image size in blocks and where the
/// filesystem information is.
pub fn parse_save_header(h: &[u8; SAVE_HEADER_LEN]) -> Result<(u64, u64), SaveFsError> {
    let magic: [u8; 4] = h[0..4].try_into().expect("4 bytes");
    let version = le_u32(h, 4);
    if &magic != b"SAVE" || version != 0x40000 {
        return Err(SaveFsError::BadMagic {
            found: magic,
            version,
        });
    }
    Ok((le_u64(h, 0x10), le_u64(h, 8)))
}

pub fn save_header(image_blocks: u64, block_len: u32) -> [u8; SAVE_HEADER_LEN] {
    let mut h = [0u8; SAVE_HEADER_LEN];
    h[0..4].copy_from_slice(b"SAVE");
    put_u32(&mut h, 4, 0x40000);
    put_u64(&mut h, 8, SAVE_HEADER_LEN as u64);
    put_u64(&mut h, 0x10, image_blocks);
    put_u32(&mut h, 0x18, block_len);
    h
}

impl FsInfo {
    /// Parses the block. `fs_info_at` is only used in error messages.
    pub fn parse(
        b: &[u8; FS_INFO_LEN],
        two_partitions: bool,
        fs_info_at: u64,
    ) -> Result<Self, SaveFsError> {
        let fat_entries = le_u32(b, 0x30);
        let data_blocks = le_u32(b, 0x40);
        if fat_entries != data_blocks {
            return Err(SaveFsError::BadField {
                field: "FAT size",
                at: fs_info_at + 0x30,
                value: fat_entries.into(),
                why: "differs from the data region's block count",
            });
        }
        let info = FsInfo {
            block_len: le_u32(b, 4),
            dir_hash_offset: le_u64(b, 0x08),
            dir_buckets: le_u32(b, 0x10),
            file_hash_offset: le_u64(b, 0x18),
            file_buckets: le_u32(b, 0x20),
            fat_offset: le_u64(b, 0x28),
            data_blocks,
            data_offset: le_u64(b, 0x38),
            dir_table: TableHome::decode(le_u64(b, 0x48), two_partitions),
            max_dirs: le_u32(b, 0x50),
            file_table: TableHome::decode(le_u64(b, 0x58), two_partitions),
            max_files: le_u32(b, 0x60),
        };
        if !info.block_len.is_power_of_two() || !(64..=0x10_0000).contains(&info.block_len) {
            return Err(SaveFsError::BadField {
                field: "block size",
                at: fs_info_at + 4,
                value: info.block_len.into(),
                why: "not a power of two between 64 and 1 MiB",
            });
        }
        for (field, at, buckets) in [
            ("directory bucket count", 0x10, info.dir_buckets),
            ("file bucket count", 0x20, info.file_buckets),
        ] {
            if buckets == 0 {
                return Err(SaveFsError::BadField {
                    field,
                    at: fs_info_at + at,
                    value: 0,
                    why: "a hash table needs at least one bucket",
                });
            }
        }
        Ok(info)
    }

    pub fn to_bytes(&self) -> [u8; FS_INFO_LEN] {
        let mut b = [0u8; FS_INFO_LEN];
        put_u32(&mut b, 4, self.block_len);
        put_u64(&mut b, 0x08, self.dir_hash_offset);
        put_u32(&mut b, 0x10, self.dir_buckets);
        put_u64(&mut b, 0x18, self.file_hash_offset);
        put_u32(&mut b, 0x20, self.file_buckets);
        put_u64(&mut b, 0x28, self.fat_offset);
        put_u32(&mut b, 0x30, self.data_blocks);
        put_u64(&mut b, 0x38, self.data_offset);
        put_u32(&mut b, 0x40, self.data_blocks);
        put_u64(&mut b, 0x48, self.dir_table.encode());
        put_u32(&mut b, 0x50, self.max_dirs);
        put_u64(&mut b, 0x58, self.file_table.encode());
        put_u32(&mut b, 0x60, self.max_files);
        b
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fs_information_is_0x68_bytes_and_round_trips() {
        let info = FsInfo {
            block_len: 512,
            dir_hash_offset: 0x88,
            dir_buckets: 3,
            file_hash_offset: 0x94,
            file_buckets: 5,
            fat_offset: 0xA8,
            data_blocks: 10,
            data_offset: 0x200,
            dir_table: TableHome::Chain { block: 0, count: 1 },
            max_dirs: 4,
            file_table: TableHome::Chain { block: 1, count: 2 },
            max_files: 8,
        };
        let bytes = info.to_bytes();
        assert_eq!(bytes.len(), 0x68);
        assert_eq!(FsInfo::parse(&bytes, false, 0x20).unwrap(), info);
        assert_eq!(save_header(3, 512).len(), 0x20);
        assert_eq!(parse_save_header(&save_header(3, 512)).unwrap(), (3, 0x20));
    }
}
