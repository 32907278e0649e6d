//! The SAVE filesystem inside a DISA container.
//!
//! Partition 0's payload starts with the SAVE header and filesystem
//! information (`header`), followed by the directory and file hash tables,
//! the FAT (`fat`) and, depending on the layout, the data region and the
//! entry tables (`entries`):
//!
//! - one partition ("duplicate data"): the data region follows the FAT in
//!   partition 0, and the entry tables are two FAT chains inside it;
//! - two partitions: the entry tables follow the FAT in partition 0, and the
//!   data region is all of partition 1.
//!
//! [`SaveFs`] reads the metadata entry by entry as it needs it (`meta`: the
//! console leaves parts of the FAT and of the tables unwritten, so there is
//! no hash to check them against, and nothing needs them), every block it
//! reads checked through the container's hash tree; file data is read from
//! the container on demand. Changes go to the container as they are made,
//! writing only the entries that change (as the console does), and
//! [`SaveFs::commit`] rehashes the container.

pub mod entries;
pub mod fat;
pub mod format;
pub mod header;
pub mod meta;

use thiserror::Error;

use super::container::ContainerError;
use super::disa::Disa;
use super::partition::{PartitionError, ReadWithError};
use crate::storage::{ReadAt, WriteAt};
use entries::{DIR_ENTRY_LEN, EntryError, EntryTable, FILE_ENTRY_LEN, NO_BLOCK, Table};
use fat::{Fat, FatError, Run};
use header::{FS_INFO_LEN, FsInfo, SAVE_HEADER_LEN, TableHome, parse_save_header};
use meta::{ContainerMeta, Piece, Place};

/// Directory entry fields.
const DIR_NEXT: usize = 0x14;
const DIR_FIRST_DIR: usize = 0x18;
const DIR_FIRST_FILE: usize = 0x1C;
/// File entry fields.
const FILE_NEXT: usize = 0x14;
const FILE_BLOCK: usize = 0x1C;
const FILE_SIZE: usize = 0x20;
/// Index of the root directory.
pub const ROOT: u32 = 1;

/// Why a SAVE filesystem operation failed.
#[derive(Debug, Error)]
pub enum SaveFsError {
    #[error(
        "SAVE header: expected magic \"SAVE\" version 0x40000, found \"{}\" version {version:#x}", String::from_utf8_lossy(.found).escape_default()
    )]
    BadMagic { found: [u8; 4], version: u32 },
    #[error("filesystem field {field} at {at:#x} is {value:#x}: {why}")]
    BadField {
        field: &'static str,
        at: u64,
        value: u64,
        why: &'static str,
    },
    #[error(
        "an entry table at data block {block} is declared {count} blocks long and its FAT chain has {chain_blocks}, but its entries need {needed:#x} bytes"
    )]
    ShortTable {
        block: u32,
        count: u32,
        chain_blocks: u64,
        needed: u64,
    },
    #[error("{what} ({offset:#x}+{len:#x}) lies outside the {limit:#x}-byte partition payload")]
    Outside {
        what: &'static str,
        offset: u64,
        len: u64,
        limit: u64,
    },
    // The causes are part of the messages (not `source`), so a message
    // printed with its chain does not repeat them.
    #[error("reading the {what}: {error}")]
    Metadata {
        what: &'static str,
        error: PartitionError,
    },
    #[error("reading {path} at file offset {offset:#x}: {error}")]
    FileData {
        path: String,
        offset: u64,
        error: PartitionError,
    },
    #[error("reading {path}: its chain of blocks cannot be followed: {error}")]
    FileChain { path: String, error: FatError },
    #[error("writing the image: {0}")]
    Write(PartitionError),
    #[error("{path}: {why}")]
    BadFile { path: String, why: &'static str },
    #[error("{path}: no such file or directory")]
    NotFound { path: String },
    #[error("{path}: already exists")]
    AlreadyExists { path: String },
    #[error("{path}: not a directory")]
    NotADirectory { path: String },
    #[error("{path}: directory not empty")]
    NotEmpty { path: String },
    #[error("name \"{}\": {why}", .name.escape_default())]
    BadName { name: String, why: &'static str },
    #[error(transparent)]
    Fat(#[from] FatError),
    #[error(transparent)]
    Entries(#[from] EntryError),
    #[error(transparent)]
    Container(#[from] ContainerError),
}

/// Why [`SaveFs::read_file_with`] stopped: the file could not be read, or
/// the sink its bytes were handed to failed.
#[derive(Debug)]
pub enum ReadFileError<E> {
    Fs(SaveFsError),
    Sink(E),
}

/// The error of a file read that failed in the run starting `done` bytes
/// into the file, at partition offset `at`: it names the file and the file
/// offset of the failing block.
fn file_data_error(path: &str, done: u64, at: u64, error: PartitionError) -> SaveFsError {
    // The failing block may start before this run (blocks of the container
    // can be larger than the filesystem's).
    let offset = match &error {
        PartitionError::HashMismatch { offset, .. }
        | PartitionError::NeverWritten { offset, .. }
        | PartitionError::Unverifiable { offset, .. } => done + offset.saturating_sub(at),
        _ => done,
    };
    SaveFsError::FileData {
        path: path.to_string(),
        offset,
        error,
    }
}

/// One run of a file's bytes: (partition, offset in its payload, bytes).
type FilePlace = (usize, u64, u64);

/// What a path names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Node {
    Dir(u32),
    File(u32),
}

/// One entry of a directory walk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing {
    /// Slash-separated path from the root, without a leading slash.
    pub path: String,
    /// `None` for a directory, the size for a file.
    pub size: Option<u64>,
    pub node: Node,
}

/// An open SAVE filesystem over a DISA container.
#[derive(Debug)]
pub struct SaveFs<S> {
    meta: ContainerMeta<S>,
    info: FsInfo,
    image_blocks: u64,
}

/// A name's 16-byte on-disk form.
pub fn encode_name(name: &str) -> Result<[u8; 16], SaveFsError> {
    let bad = |why| SaveFsError::BadName {
        name: name.to_string(),
        why,
    };
    if name.is_empty() || name == "." || name == ".." {
        return Err(bad("not a valid name"));
    }
    if name.len() > 16 {
        return Err(bad("longer than 16 bytes"));
    }
    if name.bytes().any(|b| b == 0 || b == b'/' || b == b'\\') {
        return Err(bad("contains NUL, '/' or '\\'"));
    }
    let mut out = [0u8; 16];
    out[..name.len()].copy_from_slice(name.as_bytes());
    Ok(out)
}

/// A 16-byte on-disk name as text (cut at the first NUL).
pub fn decode_name(raw: &[u8; 16]) -> String {
    let end = raw.iter().position(|&b| b == 0).unwrap_or(16);
    String::from_utf8_lossy(&raw[..end]).into_owned()
}

fn components(path: &str) -> Vec<&str> {
    path.split('/').filter(|c| !c.is_empty()).collect()
}

impl<S: ReadAt> SaveFs<S> {
    /// Opens the filesystem of a DISA container. Only what every image
    /// holds is read now (the headers, the entry tables' first entries, the
    /// root, and for one partition the FAT chains of the tables); the rest
    /// is read, and checked, when it is used.
    pub fn open(mut disa: Disa<S>) -> Result<Self, SaveFsError> {
        let two_partitions = disa.partitions().len() == 2;
        let limit0 = disa.partitions()[0].len();
        let mut header = [0u8; SAVE_HEADER_LEN];
        read_meta(&mut disa, 0, 0, &mut header, "SAVE header", limit0)?;
        let (image_blocks, info_at) = parse_save_header(&header)?;
        let mut raw_info = [0u8; FS_INFO_LEN];
        read_meta(
            &mut disa,
            0,
            info_at,
            &mut raw_info,
            "filesystem information",
            limit0,
        )?;
        let info = FsInfo::parse(&raw_info, two_partitions, info_at)?;
        let bl = u64::from(info.block_len);
        // The data region must fit where the layout puts it.
        let data_len = u64::from(info.data_blocks) * bl;
        let (data_part, data_at) = if two_partitions {
            (1, 0)
        } else {
            (0, info.data_offset)
        };
        let limit = disa.partitions()[data_part].len();
        if data_at.checked_add(data_len).is_none_or(|end| end > limit) {
            return Err(SaveFsError::Outside {
                what: "data region",
                offset: data_at,
                len: data_len,
                limit,
            });
        }
        let mut meta = ContainerMeta::new(disa);
        // Sizes come from the image: each is checked against the partition.
        for (piece, offset, len) in [
            (
                Piece::DirHash,
                info.dir_hash_offset,
                u64::from(info.dir_buckets) * 4,
            ),
            (
                Piece::FileHash,
                info.file_hash_offset,
                u64::from(info.file_buckets) * 4,
            ),
            (
                Piece::Fat,
                info.fat_offset,
                (u64::from(info.data_blocks) + 1) * 8,
            ),
        ] {
            check_fits(piece.name(), offset, len, limit0)?;
            meta.place(
                piece,
                vec![Place {
                    part: 0,
                    at: offset,
                    len,
                }],
            );
        }
        let mut fs = SaveFs {
            meta,
            info,
            image_blocks,
        };
        let dir_len = (u64::from(info.max_dirs) + 2) * DIR_ENTRY_LEN as u64;
        let places = fs.table_places(info.dir_table, dir_len, "directory entry table")?;
        fs.meta.place(Piece::Dirs, places);
        let file_len = (u64::from(info.max_files) + 1) * FILE_ENTRY_LEN as u64;
        let places = fs.table_places(info.file_table, file_len, "file entry table")?;
        fs.meta.place(Piece::Files, places);
        fs.dirs().check_header()?;
        fs.files().check_header()?;
        // The root must exist.
        fs.dirs().key(ROOT)?;
        Ok(fs)
    }

    fn fat(&mut self) -> Fat<'_, ContainerMeta<S>> {
        Fat::new(&mut self.meta)
    }

    fn dirs(&mut self) -> EntryTable<'_, ContainerMeta<S>> {
        EntryTable::new(&mut self.meta, Table::Dirs)
    }

    fn files(&mut self) -> EntryTable<'_, ContainerMeta<S>> {
        EntryTable::new(&mut self.meta, Table::Files)
    }

    fn data_place(&self, block: u32) -> (usize, u64) {
        let at = u64::from(block) * u64::from(self.info.block_len);
        if self.meta.disa().partitions().len() == 2 {
            (1, at)
        } else {
            (0, self.info.data_offset + at)
        }
    }

    /// Where a table's bytes live.
    fn table_places(
        &mut self,
        home: TableHome,
        len: u64,
        what: &'static str,
    ) -> Result<Vec<Place>, SaveFsError> {
        match home {
            TableHome::Offset(offset) => {
                check_fits(what, offset, len, self.meta.disa().partitions()[0].len())?;
                Ok(vec![Place {
                    part: 0,
                    at: offset,
                    len,
                }])
            }
            TableHome::Chain { block, count } => {
                let bl = u64::from(self.info.block_len);
                let runs: Vec<Run> = self.fat().runs(block)?;
                let chain_len: u64 = runs.iter().map(|&(_, n)| u64::from(n) * bl).sum();
                let want = u64::from(count) * bl;
                if chain_len < want || want < len {
                    return Err(SaveFsError::ShortTable {
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
                    let (part, at) = self.data_place(start);
                    places.push(Place {
                        part,
                        at,
                        len: take,
                    });
                    left -= take;
                }
                Ok(places)
            }
        }
    }

    pub fn disa(&self) -> &Disa<S> {
        self.meta.disa()
    }

    pub fn into_disa(self) -> Disa<S> {
        self.meta.into_disa()
    }

    pub fn info(&self) -> &FsInfo {
        &self.info
    }

    /// Image size in blocks, as the SAVE header says.
    pub fn image_blocks(&self) -> u64 {
        self.image_blocks
    }

    /// Free data blocks.
    pub fn free_blocks(&mut self) -> Result<u32, SaveFsError> {
        Ok(self.fat().free_blocks()?)
    }

    /// True when the directory table can take no more entries.
    pub fn dir_table_full(&mut self) -> Result<bool, SaveFsError> {
        Ok(self.dirs().is_full()?)
    }

    /// True when the file table can take no more entries.
    pub fn file_table_full(&mut self) -> Result<bool, SaveFsError> {
        Ok(self.files().is_full()?)
    }

    /// Subdirectories and files of directory `dir`: (name, node).
    pub fn list(&mut self, dir: u32) -> Result<Vec<(String, Node)>, SaveFsError> {
        let mut out = Vec::new();
        let first_dir = self.dirs().get(dir, DIR_FIRST_DIR)?;
        for d in self.dirs().list(first_dir, DIR_NEXT, "sibling directory")? {
            out.push((decode_name(&self.dirs().key(d)?.1), Node::Dir(d)));
        }
        let first_file = self.dirs().get(dir, DIR_FIRST_FILE)?;
        for f in self.files().list(first_file, FILE_NEXT, "sibling file")? {
            out.push((decode_name(&self.files().key(f)?.1), Node::File(f)));
        }
        Ok(out)
    }

    /// Every directory and file, depth first. Each directory is entered
    /// once: a directory graph that loops is an error.
    pub fn walk(&mut self) -> Result<Vec<Listing>, SaveFsError> {
        let mut seen = std::collections::BTreeSet::new();
        seen.insert(ROOT);
        let mut out = Vec::new();
        let mut stack = vec![(ROOT, String::new())];
        while let Some((dir, prefix)) = stack.pop() {
            let mut subdirs = Vec::new();
            for (name, node) in self.list(dir)? {
                let path = if prefix.is_empty() {
                    name
                } else {
                    format!("{prefix}/{name}")
                };
                match node {
                    Node::Dir(d) => {
                        if !seen.insert(d) {
                            return Err(EntryError::Loop {
                                table: "directory",
                                list: "directory tree",
                                index: d,
                            }
                            .into());
                        }
                        out.push(Listing {
                            path: path.clone(),
                            size: None,
                            node,
                        });
                        subdirs.push((d, path));
                    }
                    Node::File(f) => out.push(Listing {
                        path,
                        size: Some(self.files().get_u64(f, FILE_SIZE)?),
                        node,
                    }),
                }
            }
            stack.extend(subdirs.into_iter().rev());
        }
        Ok(out)
    }

    /// What `path` names.
    pub fn lookup(&mut self, path: &str) -> Result<Node, SaveFsError> {
        let parts = components(path);
        let mut node = Node::Dir(ROOT);
        for (i, part) in parts.iter().enumerate() {
            let Node::Dir(dir) = node else {
                return Err(SaveFsError::NotADirectory {
                    path: parts[..i].join("/"),
                });
            };
            let name = encode_name(part)?;
            node = if let Some(d) = self.dirs().find(dir, &name)? {
                Node::Dir(d)
            } else if let Some(f) = self.files().find(dir, &name)? {
                Node::File(f)
            } else {
                return Err(SaveFsError::NotFound {
                    path: parts[..=i].join("/"),
                });
            };
        }
        Ok(node)
    }

    /// Size and data runs of file `file`, checked against each other.
    fn file_runs(&mut self, file: u32, path: &str) -> Result<(u64, Vec<Run>), SaveFsError> {
        let size = self.files().get_u64(file, FILE_SIZE)?;
        let block = self.files().get(file, FILE_BLOCK)?;
        let bad = |why| SaveFsError::BadFile {
            path: path.to_string(),
            why,
        };
        if block == NO_BLOCK {
            return if size == 0 {
                Ok((0, Vec::new()))
            } else {
                Err(bad("a non-empty file has no data block"))
            };
        }
        let runs = self.fat().runs(block)?;
        let capacity: u64 = runs
            .iter()
            .map(|&(_, n)| u64::from(n) * u64::from(self.info.block_len))
            .sum();
        if size > capacity {
            return Err(bad("the file is larger than its chain of blocks"));
        }
        Ok((size, runs))
    }

    /// Reads file `file` whole; every block is checked, and a block that
    /// fails (or was never written) is an error naming `path` and the
    /// offset in the file.
    pub fn read_file(&mut self, file: u32, path: &str) -> Result<Vec<u8>, SaveFsError> {
        let mut out = Vec::new();
        self.read_file_into(file, path, &mut out)?;
        Ok(out)
    }

    /// [`SaveFs::read_file`] into `out`, which is resized to the file's size
    /// and keeps its allocation: extracting many files through one buffer
    /// spares an allocation, its page faults and its zeroing per file. On an
    /// error `out`'s contents are unspecified.
    pub fn read_file_into(
        &mut self,
        file: u32,
        path: &str,
        out: &mut Vec<u8>,
    ) -> Result<(), SaveFsError> {
        let (size, runs) = self.file_places(file, path)?;
        // Every byte is overwritten below (or the read fails), so only
        // growth needs filling.
        out.resize(size as usize, 0);
        let mut done = 0u64;
        for (part, at, take) in runs {
            let piece = &mut out[done as usize..(done + take) as usize];
            if let Err(error) = self.meta.disa_mut().read(part, at, piece) {
                return Err(file_data_error(path, done, at, error));
            }
            done += take;
        }
        Ok(())
    }

    /// Reads file `file` and hands its bytes to `sink` in order, in pieces,
    /// each checked as [`SaveFs::read_file`] checks them, without gathering
    /// the file in memory; bytes the storage holds in memory already are
    /// passed on where they are ([`crate::storage::ReadAt::borrow_at`]). On
    /// an error `sink` may have had the file's first pieces.
    pub fn read_file_with<E>(
        &mut self,
        file: u32,
        path: &str,
        mut sink: impl FnMut(&[u8]) -> Result<(), E>,
    ) -> Result<(), ReadFileError<E>> {
        let (_, runs) = self.file_places(file, path).map_err(ReadFileError::Fs)?;
        let mut done = 0u64;
        for (part, at, take) in runs {
            match self.meta.disa_mut().read_with(part, at, take, &mut sink) {
                Ok(()) => done += take,
                Err(ReadWithError::Sink(e)) => return Err(ReadFileError::Sink(e)),
                Err(ReadWithError::Partition(error)) => {
                    return Err(ReadFileError::Fs(file_data_error(path, done, at, error)));
                }
            }
        }
        Ok(())
    }

    /// File `file`'s size and where its bytes lie: (partition, offset,
    /// bytes) per run of its chain, cut at the file's size.
    fn file_places(&mut self, file: u32, path: &str) -> Result<(u64, Vec<FilePlace>), SaveFsError> {
        let (size, runs) = self.file_runs(file, path).map_err(|e| match e {
            SaveFsError::Fat(error) => SaveFsError::FileChain {
                path: path.to_string(),
                error,
            },
            other => other,
        })?;
        let bl = u64::from(self.info.block_len);
        let mut places = Vec::with_capacity(runs.len());
        let mut done = 0u64;
        for (start, n) in runs {
            if done >= size {
                break;
            }
            let take = (u64::from(n) * bl).min(size - done);
            let (part, at) = self.data_place(start);
            places.push((part, at, take));
            done += take;
        }
        Ok((size, places))
    }

    /// Reads the file at `path`.
    pub fn read_path(&mut self, path: &str) -> Result<Vec<u8>, SaveFsError> {
        match self.lookup(path)? {
            Node::File(f) => self.read_file(f, path),
            Node::Dir(_) => Err(SaveFsError::BadFile {
                path: path.to_string(),
                why: "is a directory",
            }),
        }
    }

    /// Walks the tree and reads every file, as listing and extracting do:
    /// what stops the walk is an error; each file that cannot be read is
    /// returned with its reason. Nothing returned means every listed file
    /// extracts.
    pub fn check(&mut self) -> Result<FsCheck, SaveFsError> {
        let listing = self.walk()?;
        let mut check = FsCheck::default();
        for entry in &listing {
            match entry.node {
                Node::Dir(_) => check.dirs += 1,
                Node::File(f) => {
                    check.files += 1;
                    if let Err(error) = self.read_file(f, &entry.path) {
                        check.unreadable.push((entry.path.clone(), error));
                    }
                }
            }
        }
        Ok(check)
    }
}

/// What [`SaveFs::check`] found.
#[derive(Debug, Default)]
pub struct FsCheck {
    pub dirs: u64,
    pub files: u64,
    /// Files that cannot be read, with why.
    pub unreadable: Vec<(String, SaveFsError)>,
}

fn check_fits(what: &'static str, offset: u64, len: u64, limit: u64) -> Result<(), SaveFsError> {
    if offset.checked_add(len).is_some_and(|end| end <= limit) {
        Ok(())
    } else {
        Err(SaveFsError::Outside {
            what,
            offset,
            len,
            limit,
        })
    }
}

fn read_meta<S: ReadAt>(
    disa: &mut Disa<S>,
    part: usize,
    offset: u64,
    buf: &mut [u8],
    what: &'static str,
    limit: u64,
) -> Result<(), SaveFsError> {
    check_fits(what, offset, buf.len() as u64, limit)?;
    disa.read(part, offset, buf)
        .map_err(|error| SaveFsError::Metadata { what, error })
}

impl<S: WriteAt> SaveFs<S> {
    fn split_parent<'p>(&mut self, path: &'p str) -> Result<(u32, &'p str, [u8; 16]), SaveFsError> {
        let parts = components(path);
        let Some((last, parents)) = parts.split_last() else {
            return Err(SaveFsError::BadName {
                name: path.to_string(),
                why: "names the root",
            });
        };
        let parent_path = parents.join("/");
        let parent = match self.lookup(&parent_path)? {
            Node::Dir(d) => d,
            Node::File(_) => return Err(SaveFsError::NotADirectory { path: parent_path }),
        };
        Ok((parent, last, encode_name(last)?))
    }

    fn taken(&mut self, parent: u32, name: &[u8; 16]) -> Result<bool, SaveFsError> {
        Ok(self.dirs().find(parent, name)?.is_some() || self.files().find(parent, name)?.is_some())
    }

    /// Creates directory `path` (its parent must exist).
    pub fn create_dir(&mut self, path: &str) -> Result<u32, SaveFsError> {
        let (parent, _, name) = self.split_parent(path)?;
        if self.taken(parent, &name)? {
            return Err(SaveFsError::AlreadyExists {
                path: path.to_string(),
            });
        }
        let first = self.dirs().get(parent, DIR_FIRST_DIR)?;
        let mut dirs = self.dirs();
        let dir = dirs.add(parent, &name)?;
        dirs.set(dir, DIR_NEXT, first)?;
        dirs.set(parent, DIR_FIRST_DIR, dir)?;
        Ok(dir)
    }

    /// Creates file `path` or replaces its contents with `data`.
    pub fn write_file(&mut self, path: &str, data: &[u8]) -> Result<u32, SaveFsError> {
        let (parent, _, name) = self.split_parent(path)?;
        if self.dirs().find(parent, &name)?.is_some() {
            return Err(SaveFsError::AlreadyExists {
                path: path.to_string(),
            });
        }
        let existing = self.files().find(parent, &name)?;
        let bl = u64::from(self.info.block_len);
        let needed = data.len().div_ceil(bl as usize) as u64;
        // Check the space and the table before changing anything: old
        // blocks count as free.
        let old_blocks = match existing {
            Some(f) => self
                .file_runs(f, path)?
                .1
                .iter()
                .map(|&(_, n)| u64::from(n))
                .sum(),
            None => 0,
        };
        let free = u64::from(self.fat().free_blocks()?);
        if needed > free + old_blocks {
            return Err(FatError::NoSpace {
                needed: u32::try_from(needed).unwrap_or(u32::MAX),
                free: (free + old_blocks) as u32,
            }
            .into());
        }
        if existing.is_none() && self.files().is_full()? {
            let capacity = self.files().capacity()?;
            return Err(EntryError::Full {
                table: "file",
                capacity,
            }
            .into());
        }
        let file = match existing {
            Some(f) => {
                let block = self.files().get(f, FILE_BLOCK)?;
                if block != NO_BLOCK {
                    self.fat().free(block)?;
                }
                f
            }
            None => {
                let first = self.dirs().get(parent, DIR_FIRST_FILE)?;
                let f = self.files().add(parent, &name)?;
                self.files().set(f, FILE_NEXT, first)?;
                self.dirs().set(parent, DIR_FIRST_FILE, f)?;
                f
            }
        };
        let block = if needed == 0 {
            NO_BLOCK
        } else {
            self.fat().allocate(needed as u32)?
        };
        self.files().set(file, FILE_BLOCK, block)?;
        self.files().set_u64(file, FILE_SIZE, data.len() as u64)?;
        if needed > 0 {
            let mut done = 0usize;
            for (start, n) in self.fat().runs(block)? {
                let take = (u64::from(n) * bl) as usize;
                let (part, at) = self.data_place(start);
                // Whole blocks: the tail of the last one is zero-filled.
                let end = (done + take).min(data.len());
                let disa = self.meta.disa_mut();
                // The whole blocks go as they are; only the last, partial
                // block is copied to be padded, not the whole run (which
                // can be the whole file).
                let whole = (end - done) / bl as usize * bl as usize;
                if whole > 0 {
                    disa.write(part, at, &data[done..done + whole])
                        .map_err(SaveFsError::Write)?;
                }
                if done + whole < end {
                    let mut padded = data[done + whole..end].to_vec();
                    padded.resize(take - whole, 0);
                    disa.write(part, at + whole as u64, &padded)
                        .map_err(SaveFsError::Write)?;
                } else if whole < take {
                    // The data ended before this run's last blocks: zero them.
                    let zeros = vec![0u8; take - whole];
                    disa.write(part, at + whole as u64, &zeros)
                        .map_err(SaveFsError::Write)?;
                }
                done += take;
            }
        }
        Ok(file)
    }

    /// Removes file `path`, or directory `path` when it is empty.
    pub fn remove(&mut self, path: &str) -> Result<(), SaveFsError> {
        let node = self.lookup(path)?;
        let (parent, _, _) = self.split_parent(path)?;
        match node {
            Node::Dir(d) => {
                if self.dirs().get(d, DIR_FIRST_DIR)? != 0
                    || self.dirs().get(d, DIR_FIRST_FILE)? != 0
                {
                    return Err(SaveFsError::NotEmpty {
                        path: path.to_string(),
                    });
                }
                let mut dirs = self.dirs();
                let first = dirs.get(parent, DIR_FIRST_DIR)?;
                let head = unlink(&mut dirs, first, d, DIR_NEXT, "sibling directory")?;
                dirs.set(parent, DIR_FIRST_DIR, head)?;
                dirs.remove(d)?;
            }
            Node::File(f) => {
                let block = self.files().get(f, FILE_BLOCK)?;
                let first = self.dirs().get(parent, DIR_FIRST_FILE)?;
                let head = unlink(&mut self.files(), first, f, FILE_NEXT, "sibling file")?;
                self.dirs().set(parent, DIR_FIRST_FILE, head)?;
                if block != NO_BLOCK {
                    self.fat().free(block)?;
                }
                self.files().remove(f)?;
            }
        }
        Ok(())
    }

    /// Rehashes the container over everything written.
    pub fn commit(&mut self) -> Result<(), SaveFsError> {
        self.meta.disa_mut().commit()?;
        Ok(())
    }
}

/// Removes `index` from the sibling list starting at `first` (linked through
/// `next`); returns the list's new first entry.
fn unlink<M: meta::MetaWrite + ?Sized>(
    table: &mut EntryTable<'_, M>,
    first: u32,
    index: u32,
    next: usize,
    list: &'static str,
) -> Result<u32, SaveFsError> {
    let members = table.list(first, next, list)?;
    let after = table.get(index, next)?;
    match members.iter().position(|&m| m == index) {
        Some(0) => Ok(after),
        Some(p) => {
            table.set(members[p - 1], next, after)?;
            Ok(first)
        }
        None => Err(EntryError::BadIndex {
            table: "directory",
            index,
            count: 0,
        }
        .into()),
    }
}
