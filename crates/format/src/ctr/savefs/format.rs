//! Laying out and formatting a new SAVE filesystem and its DISA container,
//! with the sizes the console uses.
//!
//! Partition 0 starts with the SAVE header (0x20), the filesystem
//! information (0x68), the directory and file hash tables (4 bytes per
//! bucket) and the FAT (8 bytes per data block, plus one). With one partition
//! ("duplicate data") the data region follows, block-aligned, and the entry
//! tables are its first blocks (directory table, then file table, each a FAT
//! chain); the payload uses 4 KiB IVFC blocks. With two partitions the entry
//! tables follow the FAT in partition 0 and partition 1 is the data region,
//! both with IVFC blocks of the filesystem's block size.

use super::entries::{DIR_ENTRY_LEN, EntryTable, FILE_ENTRY_LEN, Table, default_buckets};
use super::fat::Fat;
use super::header::{FS_INFO_LEN, FsInfo, SAVE_HEADER_LEN, TableHome, save_header};
use super::meta::{ContainerMeta, Piece, Place};
use super::{SaveFs, SaveFsError};
use crate::ctr::difi::PartitionParams;
use crate::ctr::disa;

/// The parameters of a new save, as `FS:FormatSaveData` takes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SaveFormat {
    /// 512 (game saves) or 4096 (system saves).
    pub block_len: u32,
    pub max_dirs: u32,
    pub max_files: u32,
    pub dir_buckets: u32,
    pub file_buckets: u32,
    /// One partition, everything duplicated by DPFS; otherwise two.
    pub duplicate_data: bool,
}

/// Where everything of a formatted save goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaveLayout {
    pub info: FsInfo,
    pub partitions: Vec<PartitionParams>,
    /// Size of the whole DISA image.
    pub image_len: u64,
}

impl SaveFormat {
    /// A save with the console's default bucket counts for these maxima.
    pub fn new(block_len: u32, max_dirs: u32, max_files: u32, duplicate_data: bool) -> Self {
        SaveFormat {
            block_len,
            max_dirs,
            max_files,
            dir_buckets: default_buckets(max_dirs),
            file_buckets: default_buckets(max_files),
            duplicate_data,
        }
    }

    fn dir_table_len(&self) -> u64 {
        (u64::from(self.max_dirs) + 2) * DIR_ENTRY_LEN as u64
    }

    fn file_table_len(&self) -> u64 {
        (u64::from(self.max_files) + 1) * FILE_ENTRY_LEN as u64
    }

    /// The layout for `blocks` blocks of file data.
    pub fn layout(&self, blocks: u32) -> SaveLayout {
        let bl = u64::from(self.block_len);
        let dir_hash_offset = (SAVE_HEADER_LEN + FS_INFO_LEN) as u64;
        let file_hash_offset = dir_hash_offset + u64::from(self.dir_buckets) * 4;
        let fat_offset = file_hash_offset + u64::from(self.file_buckets) * 4;
        let (info, partitions) = if self.duplicate_data {
            let dir_blocks = self.dir_table_len().div_ceil(bl);
            let file_blocks = self.file_table_len().div_ceil(bl);
            let data_blocks = dir_blocks + file_blocks + u64::from(blocks);
            let data_offset = (fat_offset + (data_blocks + 1) * 8).next_multiple_of(bl);
            let payload = data_offset + data_blocks * bl;
            let info = FsInfo {
                block_len: self.block_len,
                dir_hash_offset,
                dir_buckets: self.dir_buckets,
                file_hash_offset,
                file_buckets: self.file_buckets,
                fat_offset,
                data_blocks: data_blocks as u32,
                data_offset,
                dir_table: TableHome::Chain {
                    block: 0,
                    count: dir_blocks as u32,
                },
                max_dirs: self.max_dirs,
                file_table: TableHome::Chain {
                    block: dir_blocks as u32,
                    count: file_blocks as u32,
                },
                max_files: self.max_files,
            };
            (info, vec![PartitionParams::standard(payload, 4096, false)])
        } else {
            let dir_table = fat_offset + (u64::from(blocks) + 1) * 8;
            let file_table = dir_table + self.dir_table_len();
            let payload = (file_table + self.file_table_len()).next_multiple_of(bl);
            let info = FsInfo {
                block_len: self.block_len,
                dir_hash_offset,
                dir_buckets: self.dir_buckets,
                file_hash_offset,
                file_buckets: self.file_buckets,
                fat_offset,
                data_blocks: blocks,
                data_offset: 0,
                dir_table: TableHome::Offset(dir_table),
                max_dirs: self.max_dirs,
                file_table: TableHome::Offset(file_table),
                max_files: self.max_files,
            };
            (
                info,
                vec![
                    PartitionParams::standard(payload, bl, false),
                    PartitionParams::standard(u64::from(blocks) * bl, bl, true),
                ],
            )
        };
        let image_len = disa::image_len(&partitions);
        SaveLayout {
            info,
            partitions,
            image_len,
        }
    }

    /// The most data blocks that fit in an image of `image_len` bytes, or 0.
    pub fn capacity(&self, image_len: u64) -> u32 {
        let fits = |blocks: u32| self.layout(blocks).image_len <= image_len;
        if !fits(1) {
            return 0;
        }
        let (mut low, mut high) = (
            1u32,
            (image_len / u64::from(self.block_len)).min(u32::MAX as u64 / 2) as u32 + 1,
        );
        while high - low > 1 {
            let mid = low + (high - low) / 2;
            if fits(mid) {
                low = mid;
            } else {
                high = mid;
            }
        }
        low
    }

    /// Formats a new image of `image_len` bytes with as many data blocks as
    /// fit, and opens its filesystem.
    pub fn format(&self, image_len: u64) -> Result<SaveFs<Vec<u8>>, SaveFsError> {
        let blocks = self.capacity(image_len);
        if blocks == 0 {
            return Err(SaveFsError::BadField {
                field: "image size",
                at: 0,
                value: image_len,
                why: "too small for this filesystem's tables and one data block",
            });
        }
        self.format_blocks(blocks, image_len)
    }

    /// Formats a new image with exactly `blocks` data blocks, writing what
    /// the console writes and nothing else: the SAVE header and filesystem
    /// information, the hash tables, the FAT entries that describe its one
    /// free run (and, with one partition, the entry tables' chains), and the
    /// entry tables' first entries (the dummy and the root). Every other
    /// block stays unwritten, without a hash.
    pub fn format_blocks(
        &self,
        blocks: u32,
        image_len: u64,
    ) -> Result<SaveFs<Vec<u8>>, SaveFsError> {
        let layout = self.layout(blocks);
        let image = vec![0u8; image_len.max(layout.image_len) as usize];
        let mut container = disa::format(image, &layout.partitions)?;
        let info = layout.info;
        let bl = u64::from(self.block_len);
        let image_blocks = layout.partitions[0].data_len / bl;
        let mut head = save_header(image_blocks, self.block_len).to_vec();
        head.extend_from_slice(&info.to_bytes());
        container.write(0, 0, &head).map_err(SaveFsError::Write)?;
        let mut meta = ContainerMeta::new(container);
        let at_0 = |at: u64, len: u64| vec![Place { part: 0, at, len }];
        meta.place(
            Piece::DirHash,
            at_0(info.dir_hash_offset, u64::from(info.dir_buckets) * 4),
        );
        meta.place(
            Piece::FileHash,
            at_0(info.file_hash_offset, u64::from(info.file_buckets) * 4),
        );
        meta.place(
            Piece::Fat,
            at_0(info.fat_offset, (u64::from(info.data_blocks) + 1) * 8),
        );
        Fat::new(&mut meta).format()?;
        match (info.dir_table, info.file_table) {
            (
                TableHome::Chain {
                    count: dir_blocks, ..
                },
                TableHome::Chain {
                    count: file_blocks, ..
                },
            ) => {
                // The entry tables take the first blocks of the data region,
                // one FAT chain each.
                for (piece, count) in [(Piece::Dirs, dir_blocks), (Piece::Files, file_blocks)] {
                    let mut fat = Fat::new(&mut meta);
                    let start = fat.allocate(count)?;
                    let places = fat
                        .runs(start)?
                        .iter()
                        .map(|&(block, n)| Place {
                            part: 0,
                            at: info.data_offset + u64::from(block) * bl,
                            len: u64::from(n) * bl,
                        })
                        .collect();
                    meta.place(piece, places);
                }
            }
            (TableHome::Offset(dir_at), TableHome::Offset(file_at)) => {
                meta.place(Piece::Dirs, at_0(dir_at, self.dir_table_len()));
                meta.place(Piece::Files, at_0(file_at, self.file_table_len()));
            }
            _ => unreachable!("a layout puts both tables the same way"),
        }
        let mut dirs = EntryTable::new(&mut meta, Table::Dirs);
        dirs.format(self.max_dirs + 2)?;
        dirs.add(0, &[0; 16])?;
        EntryTable::new(&mut meta, Table::Files).format(self.max_files + 1)?;
        let mut container = meta.into_disa();
        container.commit()?;
        SaveFs::open(container)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capacity_is_the_largest_block_count_that_fits() {
        for duplicate in [true, false] {
            for block_len in [512, 4096] {
                let format = SaveFormat::new(block_len, 10, 10, duplicate);
                let image_len = 512 * 1024;
                let blocks = format.capacity(image_len);
                assert!(blocks > 0);
                assert!(format.layout(blocks).image_len <= image_len);
                assert!(format.layout(blocks + 1).image_len > image_len);
            }
        }
    }
}
