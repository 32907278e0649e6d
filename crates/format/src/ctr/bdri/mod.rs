//! Title databases (`title.db`, `import.db`): which titles are installed.
//!
//! A DIFF whose payload starts with a 0x80-byte pre-header naming the
//! database (`TEMPTDB\0` for the SD card's title.db and import.db,
//! `NANDTDB\0` and `NANDIDB\0` on NAND: save3ds libsave3ds/src/db.rs), then
//! a BDRI header (magic `BDRI`, version 0x30000, offset of the filesystem
//! information as u64 at 0x08, block size u32 at 0x18), all offsets after it
//! relative to the BDRI header. The filesystem is the SAVE one's
//! ([`crate::ctr::savefs`]: information block, hash tables, FAT, entry
//! tables as FAT chains) with other entries: a directory entry (0x20 bytes)
//! is its parent (u32), next sibling (0x04), first subdirectory (0x08) and
//! first file (0x0C); a file entry (0x2C bytes) is its parent (u32), its
//! name, a title id (u64 at 0x04), next sibling (0x0C), first block (0x14)
//! and size (u64 at 0x18). Every file of the root directory is one title's
//! info ([`title_info`]). The data region may reach past the end of the
//! DIFF payload; the missing bytes read as zero (as save3ds reads them).
//!
//! The CMAC signs a `CTR-9DB0` digest block with database id 2 for
//! title.db and 3 for import.db.

pub mod title_info;

use thiserror::Error;

use super::diff::Diff;
use super::partition::PartitionError;
use super::savefs::SaveFsError;
use super::savefs::fat::{Fat, FatError};
use super::savefs::header::{FS_INFO_LEN, FsInfo, TableHome};
use super::savefs::meta::{ContainerMeta, MetaRead, Piece, Place};
use crate::storage::{ReadAt, le_u32, le_u64};
use title_info::{READ_LEN, TitleInfo};

/// Length of the pre-header before the BDRI header.
pub const PRE_HEADER_LEN: u64 = 0x80;
const DIR_ENTRY_LEN: usize = 0x20;
const FILE_ENTRY_LEN: usize = 0x2C;
const DIR_FIRST_FILE: usize = 0x0C;
const FILE_TITLE_ID: usize = 0x04;
const FILE_NEXT: usize = 0x0C;
const FILE_BLOCK: usize = 0x14;
const FILE_SIZE: usize = 0x18;
const ROOT: u32 = 1;
/// First block of an empty file.
const NO_BLOCK: u32 = 0x8000_0000;

/// Which database a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbKind {
    SdTitle,
    SdImport,
    NandTitle,
    NandImport,
}

impl DbKind {
    /// The pre-header's magic.
    pub fn magic(self) -> &'static [u8; 8] {
        match self {
            DbKind::SdTitle | DbKind::SdImport => b"TEMPTDB\0",
            DbKind::NandTitle => b"NANDTDB\0",
            DbKind::NandImport => b"NANDIDB\0",
        }
    }

    /// The database id in its signature's digest block.
    pub fn database_id(self) -> u32 {
        match self {
            DbKind::SdTitle | DbKind::NandTitle => 2,
            DbKind::SdImport | DbKind::NandImport => 3,
        }
    }
}

#[derive(Debug, Error)]
pub enum BdriError {
    #[error("title database: expected the pre-header magic \"{expected}\", found \"{found}\"")]
    PreHeader { expected: String, found: String },
    #[error(
        "title database: expected magic \"BDRI\" version 0x30000, found \"{}\" version {version:#x}",
        String::from_utf8_lossy(.found)
    )]
    BadMagic { found: [u8; 4], version: u32 },
    #[error("title database filesystem information: {0}")]
    Info(SaveFsError),
    #[error("{what} ({offset:#x}+{len:#x}) lies outside the {limit:#x}-byte database")]
    Outside {
        what: &'static str,
        offset: u64,
        len: u64,
        limit: u64,
    },
    #[error("the {what} needs {needed:#x} bytes but its FAT chain holds {chain:#x}")]
    ShortTable {
        what: &'static str,
        needed: u64,
        chain: u64,
    },
    #[error("reading the {what}: {error}")]
    Read {
        what: &'static str,
        error: PartitionError,
    },
    #[error("{table} table entry {index} cannot be read: {error}")]
    Entry {
        table: &'static str,
        index: u32,
        error: PartitionError,
    },
    #[error("{table} table: it says {used} entries are used, but it has room for {room}")]
    BadCount {
        table: &'static str,
        used: u32,
        room: u64,
    },
    #[error("{table} table: entry {index} is outside the {used} entries in use")]
    BadIndex {
        table: &'static str,
        index: u32,
        used: u32,
    },
    #[error("{table} table: a list loops (entry {index} reached twice)")]
    Loop { table: &'static str, index: u32 },
    #[error(transparent)]
    Fat(#[from] FatError),
}

/// Reads `len` bytes at `offset` of the BDRI area (after the pre-header),
/// which must lie inside the payload.
fn read_in<S: ReadAt>(
    db: &mut Diff<S>,
    offset: u64,
    len: u64,
    what: &'static str,
) -> Result<Vec<u8>, BdriError> {
    let limit = db.partitions()[0].len().saturating_sub(PRE_HEADER_LEN);
    if offset.checked_add(len).is_none_or(|end| end > limit) {
        return Err(BdriError::Outside {
            what,
            offset,
            len,
            limit,
        });
    }
    let mut buf = vec![0u8; len as usize];
    db.read(0, PRE_HEADER_LEN + offset, &mut buf)
        .map_err(|error| BdriError::Read { what, error })?;
    Ok(buf)
}

/// Reads data-region bytes; what lies past the payload's end reads as zero.
fn read_data<S: ReadAt>(
    db: &mut Diff<S>,
    offset: u64,
    buf: &mut [u8],
    what: &'static str,
) -> Result<(), BdriError> {
    let limit = db.partitions()[0].len().saturating_sub(PRE_HEADER_LEN);
    let avail = limit.saturating_sub(offset).min(buf.len() as u64) as usize;
    buf[avail..].fill(0);
    if avail > 0 {
        db.read(0, PRE_HEADER_LEN + offset, &mut buf[..avail])
            .map_err(|error| BdriError::Read { what, error })?;
    }
    Ok(())
}

/// Reads the bytes of the FAT chain from `block`, at most `len` of them.
fn read_chain<S: ReadAt>(
    meta: &mut ContainerMeta<S>,
    info: &FsInfo,
    block: u32,
    len: u64,
    what: &'static str,
) -> Result<Vec<u8>, BdriError> {
    let bl = u64::from(info.block_len);
    let runs = Fat::new(meta).runs(block)?;
    let chain: u64 = runs.iter().map(|&(_, n)| u64::from(n) * bl).sum();
    if chain < len {
        return Err(BdriError::ShortTable {
            what,
            needed: len,
            chain,
        });
    }
    let mut out = vec![0u8; len as usize];
    let mut done = 0u64;
    for (start, n) in runs {
        if done >= len {
            break;
        }
        let take = (u64::from(n) * bl).min(len - done);
        let at = info.data_offset + u64::from(start) * bl;
        read_data(
            meta.disa_mut(),
            at,
            &mut out[done as usize..(done + take) as usize],
            what,
        )?;
        done += take;
    }
    Ok(out)
}

/// Where an entry table lies: along its FAT chain in the data region
/// (offsets in the payload, after the pre-header).
fn table_places<S: ReadAt>(
    meta: &mut ContainerMeta<S>,
    info: &FsInfo,
    home: TableHome,
    len: u64,
    what: &'static str,
) -> Result<Vec<Place>, BdriError> {
    let block = match home {
        TableHome::Chain { block, .. } => block,
        TableHome::Offset(at) => {
            let limit = meta.disa().partitions()[0].len() - PRE_HEADER_LEN;
            if at.checked_add(len).is_none_or(|end| end > limit) {
                return Err(BdriError::Outside {
                    what,
                    offset: at,
                    len,
                    limit,
                });
            }
            return Ok(vec![Place {
                part: 0,
                at: PRE_HEADER_LEN + at,
                len,
            }]);
        }
    };
    let bl = u64::from(info.block_len);
    let runs = Fat::new(meta).runs(block)?;
    let chain: u64 = runs.iter().map(|&(_, n)| u64::from(n) * bl).sum();
    if chain < len {
        return Err(BdriError::ShortTable {
            what,
            needed: len,
            chain,
        });
    }
    let mut places = Vec::new();
    let mut left = len;
    for (start, n) in runs {
        if left == 0 {
            break;
        }
        let take = (u64::from(n) * bl).min(left);
        places.push(Place {
            part: 0,
            at: PRE_HEADER_LEN + info.data_offset + u64::from(start) * bl,
            len: take,
        });
        left -= take;
    }
    // The data region may reach past the payload, but a table must not:
    // the metadata reader takes its places as given.
    let limit = meta.disa().partitions()[0].len();
    for place in &places {
        if place
            .at
            .checked_add(place.len)
            .is_none_or(|end| end > limit)
        {
            return Err(BdriError::Outside {
                what,
                offset: place.at - PRE_HEADER_LEN,
                len: place.len,
                limit: limit - PRE_HEADER_LEN,
            });
        }
    }
    Ok(places)
}

/// One entry table, read entry by entry through the metadata (its unused
/// tail may never have been written).
struct Entries<'m, S> {
    meta: &'m mut ContainerMeta<S>,
    piece: Piece,
    entry_len: usize,
    name: &'static str,
}

impl<S: ReadAt> Entries<'_, S> {
    fn raw(&mut self, index: u32, offset: usize, buf: &mut [u8]) -> Result<(), BdriError> {
        let at = u64::from(index) * self.entry_len as u64 + offset as u64;
        self.meta
            .read(self.piece, at, buf)
            .map_err(|error| BdriError::Entry {
                table: self.name,
                index,
                error,
            })
    }

    fn raw_u32(&mut self, index: u32, offset: usize) -> Result<u32, BdriError> {
        let mut b = [0u8; 4];
        self.raw(index, offset, &mut b)?;
        Ok(u32::from_le_bytes(b))
    }

    /// Entries in use (the dummy's count), checked against the table size.
    fn used(&mut self) -> Result<u32, BdriError> {
        let used = self.raw_u32(0, 0)?;
        let room = self.meta.piece_len(self.piece) / self.entry_len as u64;
        if used == 0 || u64::from(used) > room {
            return Err(BdriError::BadCount {
                table: self.name,
                used,
                room,
            });
        }
        Ok(used)
    }

    fn check(&mut self, index: u32) -> Result<(), BdriError> {
        let used = self.used()?;
        if index == 0 || index >= used {
            return Err(BdriError::BadIndex {
                table: self.name,
                index,
                used,
            });
        }
        Ok(())
    }

    fn get(&mut self, index: u32, offset: usize) -> Result<u32, BdriError> {
        self.check(index)?;
        self.raw_u32(index, offset)
    }

    fn get_u64(&mut self, index: u32, offset: usize) -> Result<u64, BdriError> {
        self.check(index)?;
        let mut b = [0u8; 8];
        self.raw(index, offset, &mut b)?;
        Ok(u64::from_le_bytes(b))
    }

    /// The list from `first` through field `next`, refusing a loop.
    fn list(&mut self, first: u32, next: usize) -> Result<Vec<u32>, BdriError> {
        let mut seen = std::collections::BTreeSet::new();
        let mut out = Vec::new();
        let mut cursor = first;
        while cursor != 0 {
            self.check(cursor)?;
            if !seen.insert(cursor) {
                return Err(BdriError::Loop {
                    table: self.name,
                    index: cursor,
                });
            }
            out.push(cursor);
            cursor = self.raw_u32(cursor, next)?;
        }
        Ok(out)
    }
}

/// The titles a database lists, in the order of its root directory.
pub fn titles<S: ReadAt>(mut db: Diff<S>, kind: DbKind) -> Result<Vec<TitleInfo>, BdriError> {
    let mut pre = [0u8; 8];
    if db.partitions()[0].len() < PRE_HEADER_LEN + 0x20 {
        return Err(BdriError::Outside {
            what: "BDRI header",
            offset: 0,
            len: 0x20,
            limit: db.partitions()[0].len().saturating_sub(PRE_HEADER_LEN),
        });
    }
    db.read(0, 0, &mut pre).map_err(|error| BdriError::Read {
        what: "pre-header",
        error,
    })?;
    if &pre != kind.magic() {
        return Err(BdriError::PreHeader {
            expected: String::from_utf8_lossy(kind.magic())
                .trim_end_matches('\0')
                .into(),
            found: String::from_utf8_lossy(&pre).trim_end_matches('\0').into(),
        });
    }
    let h = read_in(&mut db, 0, 0x20, "BDRI header")?;
    let magic: [u8; 4] = h[0..4].try_into().expect("4 bytes");
    let version = le_u32(&h, 4);
    if &magic != b"BDRI" || version != 0x30000 {
        return Err(BdriError::BadMagic {
            found: magic,
            version,
        });
    }
    let info_at = le_u64(&h, 8);
    let raw = read_in(
        &mut db,
        info_at,
        FS_INFO_LEN as u64,
        "filesystem information",
    )?;
    let info = FsInfo::parse(
        raw.as_slice().try_into().expect("information length"),
        false,
        PRE_HEADER_LEN.saturating_add(info_at),
    )
    .map_err(BdriError::Info)?;
    let limit = db.partitions()[0].len().saturating_sub(PRE_HEADER_LEN);
    let mut meta = ContainerMeta::new(db);
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
        if at.checked_add(len).is_none_or(|end| end > limit) {
            return Err(BdriError::Outside {
                what,
                offset: at,
                len,
                limit,
            });
        }
        meta.place(
            piece,
            vec![Place {
                part: 0,
                at: PRE_HEADER_LEN + at,
                len,
            }],
        );
    }
    let dir_len = (u64::from(info.max_dirs) + 2) * DIR_ENTRY_LEN as u64;
    let places = table_places(&mut meta, &info, info.dir_table, dir_len, "directory table")?;
    meta.place(Piece::Dirs, places);
    let file_len = (u64::from(info.max_files) + 1) * FILE_ENTRY_LEN as u64;
    let places = table_places(&mut meta, &info, info.file_table, file_len, "file table")?;
    meta.place(Piece::Files, places);
    let first = Entries {
        meta: &mut meta,
        piece: Piece::Dirs,
        entry_len: DIR_ENTRY_LEN,
        name: "directory",
    }
    .get(ROOT, DIR_FIRST_FILE)?;
    let mut files = Entries {
        meta: &mut meta,
        piece: Piece::Files,
        entry_len: FILE_ENTRY_LEN,
        name: "file",
    };
    let mut found = Vec::new();
    for f in files.list(first, FILE_NEXT)? {
        found.push((
            files.get_u64(f, FILE_TITLE_ID)?,
            files.get_u64(f, FILE_SIZE)?,
            files.get(f, FILE_BLOCK)?,
        ));
    }
    let mut out = Vec::new();
    for (title_id, size, block) in found {
        let bytes = if block == NO_BLOCK || size == 0 {
            Vec::new()
        } else {
            read_chain(
                &mut meta,
                &info,
                block,
                size.min(READ_LEN as u64),
                "title info",
            )?
        };
        out.push(TitleInfo::parse(title_id, &bytes));
    }
    Ok(out)
}

/// A title database written byte by byte from the layout above (not with
/// the reader): `titles` are (title id, title size, version); at most two.
/// With `truncate`, the payload ends 8 bytes into the last title's info, as
/// a database whose data region reaches past its end.
#[cfg(any(test, feature = "testgen"))]
pub fn sample(kind: DbKind, titles: &[(u64, u64, u16)], truncate: bool) -> Vec<u8> {
    assert!(titles.len() <= 2, "the sample has room for two titles");
    let put32 = |b: &mut [u8], at: usize, v: u32| b[at..at + 4].copy_from_slice(&v.to_le_bytes());
    let put64 = |b: &mut [u8], at: usize, v: u64| b[at..at + 8].copy_from_slice(&v.to_le_bytes());
    let blocks = 3 + titles.len();
    let mut p = vec![0u8; 0x80 + 0x100 + blocks * 0x80];
    p[..8].copy_from_slice(kind.magic());
    let b = 0x80; // the BDRI header
    p[b..b + 4].copy_from_slice(b"BDRI");
    put32(&mut p, b + 4, 0x30000);
    put64(&mut p, b + 8, 0x20);
    let image_blocks = (p.len() / 0x80) as u64;
    put64(&mut p, b + 0x10, image_blocks);
    put32(&mut p, b + 0x18, 0x80);
    let i = b + 0x20; // filesystem information
    put32(&mut p, i + 4, 0x80);
    put64(&mut p, i + 0x08, 0x88);
    put32(&mut p, i + 0x10, 1);
    put64(&mut p, i + 0x18, 0x8C);
    put32(&mut p, i + 0x20, 1);
    put64(&mut p, i + 0x28, 0x90);
    put32(&mut p, i + 0x30, blocks as u32);
    put64(&mut p, i + 0x38, 0x100);
    put32(&mut p, i + 0x40, blocks as u32);
    put64(&mut p, i + 0x48, 1 << 32); // directory table: block 0, 1 block
    put32(&mut p, i + 0x50, 2);
    put64(&mut p, i + 0x58, 1 | (2 << 32)); // file table: block 1, 2 blocks
    put32(&mut p, i + 0x60, 2);
    // FAT at 0x90: one node per table and title info, by hand.
    let fat = b + 0x90;
    put32(&mut p, fat + 8, 0x8000_0000); // block 0 alone
    put32(&mut p, fat + 16, 0x8000_0000); // blocks 1-2: first entry
    put32(&mut p, fat + 20, 0x8000_0000);
    put32(&mut p, fat + 24, 0x8000_0002); // and its last block's entry
    put32(&mut p, fat + 28, 3);
    for t in 0..titles.len() {
        put32(&mut p, fat + (4 + t) * 8, 0x8000_0000);
    }
    let data = b + 0x100;
    // Directory table: dummy (2 used of 4), root whose first file is 1.
    put32(&mut p, data, 2);
    put32(&mut p, data + 4, 4);
    put32(&mut p, data + 0x20 + 0x0C, 1);
    // File table: dummy, then one entry per title.
    let files = data + 0x80;
    put32(&mut p, files, titles.len() as u32 + 1);
    put32(&mut p, files + 4, 3);
    for (t, &(title_id, size, version)) in titles.iter().enumerate() {
        let e = files + (t + 1) * 0x2C;
        put32(&mut p, e, 1);
        put64(&mut p, e + 4, title_id);
        let next = if t + 1 < titles.len() {
            t as u32 + 2
        } else {
            0
        };
        put32(&mut p, e + 0x0C, next);
        put32(&mut p, e + 0x14, 3 + t as u32);
        put64(&mut p, e + 0x18, 0x80);
        let info = data + (3 + t) * 0x80;
        put64(&mut p, info, size);
        put32(&mut p, info + 8, 0x40);
        p[info + 0x0C..info + 0x0E].copy_from_slice(&version.to_le_bytes());
    }
    if truncate {
        p.truncate(p.len() - 0x80 + 8);
    }
    super::diff::build(&p, 0x0123_4567_89AB_CDEF).expect("a small DIFF builds")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ctr::diff;

    #[test]
    fn the_titles_written_by_hand_are_listed() {
        let image = sample(
            DbKind::SdTitle,
            &[
                (0x0004_0000_000a_bc00, 0x1234_5678, 0x0410),
                (0x0004_000e_000a_bc00, 0x8000, 3),
            ],
            false,
        );
        let titles = titles(diff::open(image.as_slice()).unwrap(), DbKind::SdTitle).unwrap();
        assert_eq!(
            titles,
            [
                TitleInfo {
                    title_id: 0x0004_0000_000a_bc00,
                    size: 0x1234_5678,
                    title_type: 0x40,
                    version: 0x0410
                },
                TitleInfo {
                    title_id: 0x0004_000e_000a_bc00,
                    size: 0x8000,
                    title_type: 0x40,
                    version: 3
                }
            ]
        );
    }

    #[test]
    fn a_data_region_past_the_end_reads_as_zero() {
        let image = sample(DbKind::SdTitle, &[(1, 0x99, 7), (2, 0x77, 9)], true);
        let titles = titles(diff::open(image.as_slice()).unwrap(), DbKind::SdTitle).unwrap();
        assert_eq!(titles[0].version, 7);
        // Only the size of the last title is in the file.
        assert_eq!((titles[1].size, titles[1].version), (0x77, 0));
    }

    #[test]
    fn another_database_kind_is_named() {
        let image = sample(DbKind::NandTitle, &[(1, 2, 3)], false);
        let err = titles(diff::open(image.as_slice()).unwrap(), DbKind::SdTitle).unwrap_err();
        assert_eq!(
            err.to_string(),
            "title database: expected the pre-header magic \"TEMPTDB\", found \"NANDTDB\""
        );
    }

    #[test]
    fn hostile_databases_are_errors_never_panics() {
        use keepsake_testkit::rand::Rng;
        let image = sample(DbKind::SdTitle, &[(1, 2, 3), (4, 5, 6)], false);
        let len = diff::open(image.as_slice()).unwrap().partitions()[0].len();
        let mut rng = keepsake_testkit::rng::for_test("bdri_hostile");
        for _ in 0..300 {
            let mut container = diff::open(image.clone()).unwrap();
            for _ in 0..rng.random_range(1..4) {
                let at = rng.random_range(0..len);
                let value: [u8; 4] = rng.random();
                let n = (len - at).min(4) as usize;
                container.write(0, at, &value[..n]).unwrap();
            }
            container.commit().unwrap();
            let _ = titles(container, DbKind::SdTitle);
        }
    }
}
