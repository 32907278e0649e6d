//! The extdata filesystem (VSXE).
//!
//! An extdata archive is a folder of DIFF images ("device files"). Device
//! file 1 (`00000000/00000001`) holds the metadata: its payload starts with
//! the VSXE header ([`header`]), then the same filesystem information, hash
//! tables, FAT and data region as a one-partition SAVE filesystem
//! ([`crate::ctr::savefs`]), with the directory and file entry tables as FAT
//! chains in the data region. Directory entries are those of a save; a file
//! entry holds, instead of a size and first block, a 64-bit unique id at
//! 0x20 (its first block at 0x1C stays 0x8000_0000). A file's contents are
//! not in the metadata: file entry `n` is device file `n + 1`, a DIFF of its
//! own whose payload is the whole file ([`device`]), its DIFF header
//! carrying the same unique id. A file without a device file is empty
//! (save3ds libsave3ds/src/ext_data.rs). NAND extdata also has a
//! `Quota.dat` ([`quota`]).
//!
//! [`Vsxe`] reads the metadata entry by entry as the walk needs it, each IVFC
//! block checked against the DIFF's hash tree when first read (the FAT and
//! table blocks nobody uses were never written: see
//! [`crate::ctr::savefs::meta`]); [`edit`] changes it.

pub mod device;
pub mod edit;
pub mod header;
pub mod quota;

use thiserror::Error;

use super::container::ContainerError;
use super::diff::Diff;
use super::partition::PartitionError;
use super::savefs::SaveFsError;
use super::savefs::entries::{DIR_ENTRY_LEN, EntryError, EntryTable, FILE_ENTRY_LEN, Table};
use super::savefs::fat::{Fat, FatError};
use super::savefs::header::{FS_INFO_LEN, FsInfo, TableHome};
use super::savefs::meta::{ContainerMeta, Piece, Place};
use super::savefs::{ROOT, decode_name};
use crate::storage::ReadAt;
use header::{VSXE_HEADER_LEN, VsxeHeader};

/// Directory entry fields (as in a save).
const DIR_NEXT: usize = 0x14;
const DIR_FIRST_DIR: usize = 0x18;
const DIR_FIRST_FILE: usize = 0x1C;
/// File entry fields.
const FILE_NEXT: usize = 0x14;
const FILE_UNIQUE_ID: usize = 0x20;

/// Why an extdata archive could not be read.
#[derive(Debug, Error)]
pub enum VsxeError {
    #[error(
        "extdata metadata: expected magic \"VSXE\" version 0x30000, found \"{}\" version {version:#x}",
        String::from_utf8_lossy(.found)
    )]
    BadMagic { found: [u8; 4], version: u32 },
    #[error("extdata filesystem information: {0}")]
    Info(SaveFsError),
    #[error("{what} ({offset:#x}+{len:#x}) lies outside the {limit:#x}-byte metadata payload")]
    Outside {
        what: &'static str,
        offset: u64,
        len: u64,
        limit: u64,
    },
    #[error(
        "the {what} at data block {block} is declared {count} blocks long and its FAT chain \
         has {chain_blocks}, but its entries need {needed:#x} bytes"
    )]
    ShortTable {
        what: &'static str,
        block: u32,
        count: u32,
        chain_blocks: u64,
        needed: u64,
    },
    #[error("reading the {what}: {error}")]
    Metadata {
        what: &'static str,
        error: PartitionError,
    },
    #[error(
        "{path}: its device file's DIFF header has unique id {found:#018x}, but the file \
         entry says {expected:#018x}: the device file belongs to another file"
    )]
    UniqueId {
        path: String,
        expected: u64,
        found: u64,
    },
    #[error("{path}: reading its device file: {error}")]
    FileData { path: String, error: PartitionError },
    #[error("{path}: its device file: {error}")]
    Device { path: String, error: ContainerError },
    #[error("{path}: no such file or directory in the extdata")]
    NotFound { path: String },
    #[error("{path}: already exists in the extdata")]
    AlreadyExists { path: String },
    #[error("{path}: not a directory")]
    NotADirectory { path: String },
    #[error("{path}: directory not empty")]
    NotEmpty { path: String },
    #[error("the {list} list does not hold entry {index}: the metadata is inconsistent")]
    NotLinked { list: &'static str, index: u32 },
    #[error("{0}")]
    Name(SaveFsError),
    #[error("writing the metadata: {0}")]
    Write(PartitionError),
    #[error("committing the metadata: {0}")]
    Commit(ContainerError),
    #[error(transparent)]
    Fat(#[from] FatError),
    #[error(transparent)]
    Entries(#[from] EntryError),
}

/// A file of an extdata archive, as its entry describes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExtFile {
    /// Index of its entry in the file table.
    pub entry: u32,
    /// The device file holding its contents (entry + 1).
    pub device_index: u32,
    pub unique_id: u64,
}

/// One entry of a walk of the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtEntry {
    /// Slash-separated path from the root, without a leading slash.
    pub path: String,
    /// `None` for a directory.
    pub file: Option<ExtFile>,
}

/// An extdata archive's metadata, opened and checked.
#[derive(Debug)]
pub struct Vsxe<S> {
    meta: ContainerMeta<S>,
    header: VsxeHeader,
    info: FsInfo,
}

fn fits(what: &'static str, offset: u64, len: u64, limit: u64) -> Result<(), VsxeError> {
    if offset.checked_add(len).is_none_or(|end| end > limit) {
        return Err(VsxeError::Outside {
            what,
            offset,
            len,
            limit,
        });
    }
    Ok(())
}

fn read_meta<S: ReadAt>(
    meta: &mut Diff<S>,
    offset: u64,
    len: u64,
    what: &'static str,
) -> Result<Vec<u8>, VsxeError> {
    // Sizes come from the image: checked before anything is allocated.
    fits(what, offset, len, meta.partitions()[0].len())?;
    let mut buf = vec![0u8; len as usize];
    meta.read(0, offset, &mut buf)
        .map_err(|error| VsxeError::Metadata { what, error })?;
    Ok(buf)
}

impl<S: ReadAt> Vsxe<S> {
    /// Opens the metadata DIFF (device file 1): reads the header and the
    /// filesystem information, and places the hash tables, the FAT and the
    /// entry tables for reading on demand.
    pub fn open(mut diff: Diff<S>) -> Result<Self, VsxeError> {
        let raw = read_meta(&mut diff, 0, VSXE_HEADER_LEN as u64, "VSXE header")?;
        let header = VsxeHeader::parse(raw.as_slice().try_into().expect("header length"))?;
        let raw = read_meta(
            &mut diff,
            header.fs_info_offset,
            FS_INFO_LEN as u64,
            "filesystem information",
        )?;
        let info = FsInfo::parse(
            raw.as_slice().try_into().expect("information length"),
            false,
            header.fs_info_offset,
        )
        .map_err(VsxeError::Info)?;
        let bl = u64::from(info.block_len);
        let limit = diff.partitions()[0].len();
        fits(
            "data region",
            info.data_offset,
            u64::from(info.data_blocks) * bl,
            limit,
        )?;
        let mut meta = ContainerMeta::new(diff);
        for (piece, what, at, len) in [
            (
                Piece::DirHash,
                "directory hash table",
                info.dir_hash_offset,
                u64::from(info.dir_buckets) * 4,
            ),
            (
                Piece::FileHash,
                "file hash table",
                info.file_hash_offset,
                u64::from(info.file_buckets) * 4,
            ),
            (
                Piece::Fat,
                "FAT",
                info.fat_offset,
                (u64::from(info.data_blocks) + 1) * 8,
            ),
        ] {
            fits(what, at, len, limit)?;
            meta.place(piece, vec![Place { part: 0, at, len }]);
        }
        let dir_len = (u64::from(info.max_dirs) + 2) * DIR_ENTRY_LEN as u64;
        let places = table_places(
            &info,
            &mut meta,
            info.dir_table,
            dir_len,
            "directory entry table",
        )?;
        meta.place(Piece::Dirs, places);
        let file_len = (u64::from(info.max_files) + 1) * FILE_ENTRY_LEN as u64;
        let places = table_places(
            &info,
            &mut meta,
            info.file_table,
            file_len,
            "file entry table",
        )?;
        meta.place(Piece::Files, places);
        let mut vsxe = Vsxe { meta, header, info };
        vsxe.dirs().check_header()?;
        vsxe.files().check_header()?;
        vsxe.dirs().key(ROOT)?;
        Ok(vsxe)
    }

    pub fn header(&self) -> &VsxeHeader {
        &self.header
    }

    pub fn info(&self) -> &FsInfo {
        &self.info
    }

    /// The metadata DIFF.
    pub fn meta(&self) -> &Diff<S> {
        self.meta.disa()
    }

    pub(crate) fn dirs(&mut self) -> EntryTable<'_, ContainerMeta<S>> {
        EntryTable::new(&mut self.meta, Table::Dirs)
    }

    pub(crate) fn files(&mut self) -> EntryTable<'_, ContainerMeta<S>> {
        EntryTable::new(&mut self.meta, Table::Files)
    }

    /// Every directory and file, depth first, parents before children.
    /// Each directory is entered once: a directory graph that loops is an
    /// error.
    pub fn walk(&mut self) -> Result<Vec<ExtEntry>, VsxeError> {
        let mut seen = std::collections::BTreeSet::from([ROOT]);
        let mut out = Vec::new();
        let mut stack = vec![(ROOT, String::new())];
        while let Some((dir, prefix)) = stack.pop() {
            let join = |name: String| {
                if prefix.is_empty() {
                    name
                } else {
                    format!("{prefix}/{name}")
                }
            };
            let mut subdirs = Vec::new();
            let first_dir = self.dirs().get(dir, DIR_FIRST_DIR)?;
            for d in self.dirs().list(first_dir, DIR_NEXT, "sibling directory")? {
                if !seen.insert(d) {
                    return Err(EntryError::Loop {
                        table: "directory",
                        list: "directory tree",
                        index: d,
                    }
                    .into());
                }
                let path = join(decode_name(&self.dirs().key(d)?.1));
                out.push(ExtEntry {
                    path: path.clone(),
                    file: None,
                });
                subdirs.push((d, path));
            }
            let first_file = self.dirs().get(dir, DIR_FIRST_FILE)?;
            for f in self.files().list(first_file, FILE_NEXT, "sibling file")? {
                let name = decode_name(&self.files().key(f)?.1);
                out.push(ExtEntry {
                    path: join(name),
                    file: Some(ExtFile {
                        entry: f,
                        // `f` is below the table's entry count, a u32.
                        device_index: f + 1,
                        unique_id: self.files().get_u64(f, FILE_UNIQUE_ID)?,
                    }),
                });
            }
            stack.extend(subdirs.into_iter().rev());
        }
        Ok(out)
    }
}

impl<S> Vsxe<S> {
    /// The metadata DIFF, with everything written so far.
    pub fn into_meta(self) -> Diff<S> {
        self.meta.into_disa()
    }
}

/// Where an entry table's bytes lie in the metadata payload: along its FAT
/// chain in the data region.
fn table_places<S: ReadAt>(
    info: &FsInfo,
    meta: &mut ContainerMeta<S>,
    home: TableHome,
    len: u64,
    what: &'static str,
) -> Result<Vec<Place>, VsxeError> {
    let (block, count) = match home {
        TableHome::Chain { block, count } => (block, count),
        // `FsInfo::parse` gives chains for a one-partition layout.
        TableHome::Offset(at) => {
            fits(what, at, len, meta.disa().partitions()[0].len())?;
            return Ok(vec![Place { part: 0, at, len }]);
        }
    };
    let bl = u64::from(info.block_len);
    let runs = Fat::new(meta).runs(block)?;
    let chain_len: u64 = runs.iter().map(|&(_, n)| u64::from(n) * bl).sum();
    let want = u64::from(count) * bl;
    if chain_len < want || want < len {
        return Err(VsxeError::ShortTable {
            what,
            block,
            count,
            chain_blocks: chain_len / bl,
            needed: len,
        });
    }
    let mut places = Vec::new();
    let mut left = want;
    for (start, n) in runs {
        if left == 0 {
            break;
        }
        let take = (u64::from(n) * bl).min(left);
        places.push(Place {
            part: 0,
            at: info.data_offset + u64::from(start) * bl,
            len: take,
        });
        left -= take;
    }
    Ok(places)
}
