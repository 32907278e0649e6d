//! Where the SAVE filesystem's metadata bytes come from, a few at a time.
//!
//! The metadata is five pieces, each addressed from its own offset 0: the
//! directory and file hash tables, the FAT, and the directory and file entry
//! tables. A piece lies at one offset of partition 0, or (an entry table of a
//! one-partition save) along the runs of a FAT chain in the data region.
//!
//! Why a few bytes at a time: the console and other tools write only what
//! they must. Of a free run in the FAT they write the two end entries, and of
//! an entry table the entries in use, so whole IVFC blocks of the FAT and of
//! the tables' unused tails are never written and have no hash. A reader
//! that took the metadata whole would have to check those blocks and fail on
//! an image the console reads without trouble. So the FAT and the tables are
//! read entry by entry, as the walk needs them: each IVFC block holding a
//! needed entry is read and checked against its hash once, then kept. A
//! needed entry in a block that was never written (or fails its hash) is an
//! error naming the entry (and, for a file's chain, the file); a block nobody
//! needs is never looked at. save3ds reads the same way (libsave3ds fat.rs
//! and fs_meta.rs read one entry at a time through its hash-checked IVFC
//! level, which keeps a status per block and treats a block without a
//! matching hash, never-written or corrupt alike, as a hash mismatch).
//!
//! Writes go straight through to the container (to the inactive DPFS copy;
//! hashed on commit), and into the kept block if there is one.

use std::collections::BTreeMap;

use super::super::disa::Disa;
use super::super::partition::PartitionError;
use crate::storage::{ReadAt, WriteAt};

/// One piece of the metadata.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece {
    DirHash,
    FileHash,
    Fat,
    Dirs,
    Files,
}

impl Piece {
    pub const ALL: [Piece; 5] = [
        Piece::DirHash,
        Piece::FileHash,
        Piece::Fat,
        Piece::Dirs,
        Piece::Files,
    ];

    fn index(self) -> usize {
        self as usize
    }

    pub fn name(self) -> &'static str {
        match self {
            Piece::DirHash => "directory hash table",
            Piece::FileHash => "file hash table",
            Piece::Fat => "FAT",
            Piece::Dirs => "directory entry table",
            Piece::Files => "file entry table",
        }
    }
}

/// Metadata that can be read.
pub trait MetaRead {
    /// Size of `piece` in bytes.
    fn piece_len(&self, piece: Piece) -> u64;
    /// Fills `buf` with the bytes of `piece` at `at`, every one checked.
    fn read(&mut self, piece: Piece, at: u64, buf: &mut [u8]) -> Result<(), PartitionError>;
}

/// Metadata that can also be written.
pub trait MetaWrite: MetaRead {
    fn write(&mut self, piece: Piece, at: u64, buf: &[u8]) -> Result<(), PartitionError>;
}

fn outside(piece: Piece, at: u64, len: usize, limit: u64) -> PartitionError {
    PartitionError::Outside {
        what: "metadata access",
        offset: at,
        size: len as u64,
        within: piece.name(),
        limit,
    }
}

fn fits(at: u64, len: usize, limit: u64) -> bool {
    at.checked_add(len as u64).is_some_and(|end| end <= limit)
}

/// Metadata held in memory, one vector per piece (tests and tools that
/// build tables before placing them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemMeta {
    pub pieces: [Vec<u8>; 5],
}

impl MemMeta {
    pub fn piece(&self, piece: Piece) -> &[u8] {
        &self.pieces[piece.index()]
    }
    pub fn piece_mut(&mut self, piece: Piece) -> &mut Vec<u8> {
        &mut self.pieces[piece.index()]
    }
}

impl MetaRead for MemMeta {
    fn piece_len(&self, piece: Piece) -> u64 {
        self.pieces[piece.index()].len() as u64
    }
    fn read(&mut self, piece: Piece, at: u64, buf: &mut [u8]) -> Result<(), PartitionError> {
        let bytes = &self.pieces[piece.index()];
        if !fits(at, buf.len(), bytes.len() as u64) {
            return Err(outside(piece, at, buf.len(), bytes.len() as u64));
        }
        buf.copy_from_slice(&bytes[at as usize..at as usize + buf.len()]);
        Ok(())
    }
}

impl MetaWrite for MemMeta {
    fn write(&mut self, piece: Piece, at: u64, buf: &[u8]) -> Result<(), PartitionError> {
        let bytes = &mut self.pieces[piece.index()];
        if !fits(at, buf.len(), bytes.len() as u64) {
            return Err(outside(piece, at, buf.len(), bytes.len() as u64));
        }
        bytes[at as usize..at as usize + buf.len()].copy_from_slice(buf);
        Ok(())
    }
}

/// A stretch of a piece: `len` bytes at `at` in partition `part`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    pub part: usize,
    pub at: u64,
    pub len: u64,
}

/// The metadata of a filesystem inside a DISA container, read on demand.
#[derive(Debug)]
pub struct ContainerMeta<S> {
    disa: Disa<S>,
    places: [Vec<Place>; 5],
    lens: [u64; 5],
    /// Checked IVFC level-4 blocks, by (partition, block index).
    blocks: BTreeMap<(usize, u64), Box<[u8]>>,
}

impl<S> ContainerMeta<S> {
    /// Wraps `disa`; pieces have no place until [`ContainerMeta::place`].
    pub fn new(disa: Disa<S>) -> Self {
        ContainerMeta {
            disa,
            places: Default::default(),
            lens: [0; 5],
            blocks: BTreeMap::new(),
        }
    }

    /// Puts `piece` along `places` (checked by the caller against the
    /// partitions).
    pub fn place(&mut self, piece: Piece, places: Vec<Place>) {
        self.lens[piece.index()] = places.iter().map(|p| p.len).sum();
        self.places[piece.index()] = places;
    }

    pub fn disa(&self) -> &Disa<S> {
        &self.disa
    }

    pub fn disa_mut(&mut self) -> &mut Disa<S> {
        &mut self.disa
    }

    pub fn into_disa(self) -> Disa<S> {
        self.disa
    }

    /// The stretches of partitions that `len` bytes at `at` of `piece`
    /// occupy, in order: (partition, offset, bytes).
    fn spans(
        &self,
        piece: Piece,
        at: u64,
        len: usize,
    ) -> Result<Vec<(usize, u64, usize)>, PartitionError> {
        let limit = self.lens[piece.index()];
        if !fits(at, len, limit) {
            return Err(outside(piece, at, len, limit));
        }
        let mut spans = Vec::new();
        let mut start = 0u64;
        let end = at + len as u64;
        for place in &self.places[piece.index()] {
            let stop = start + place.len;
            let from = at.max(start);
            let to = end.min(stop);
            if from < to {
                spans.push((place.part, place.at + (from - start), (to - from) as usize));
            }
            start = stop;
        }
        Ok(spans)
    }
}

impl<S: ReadAt> ContainerMeta<S> {
    /// Reads partition bytes through the kept blocks, reading and checking
    /// each missing block whole.
    fn read_part(&mut self, part: usize, at: u64, buf: &mut [u8]) -> Result<(), PartitionError> {
        let partition = &self.disa.partitions()[part];
        let block_len = partition.block_len();
        let payload = partition.len();
        let mut done = 0usize;
        while done < buf.len() {
            let offset = at + done as u64;
            let block = offset / block_len;
            let start = block * block_len;
            if !self.blocks.contains_key(&(part, block)) {
                let mut bytes = vec![0u8; (block_len.min(payload - start)) as usize];
                self.disa.read(part, start, &mut bytes)?;
                self.blocks.insert((part, block), bytes.into_boxed_slice());
            }
            let bytes = &self.blocks[&(part, block)];
            let from = (offset - start) as usize;
            let n = (bytes.len() - from).min(buf.len() - done);
            buf[done..done + n].copy_from_slice(&bytes[from..from + n]);
            done += n;
        }
        Ok(())
    }
}

impl<S: ReadAt> MetaRead for ContainerMeta<S> {
    fn piece_len(&self, piece: Piece) -> u64 {
        self.lens[piece.index()]
    }

    fn read(&mut self, piece: Piece, at: u64, buf: &mut [u8]) -> Result<(), PartitionError> {
        let mut done = 0usize;
        for (part, offset, n) in self.spans(piece, at, buf.len())? {
            self.read_part(part, offset, &mut buf[done..done + n])?;
            done += n;
        }
        Ok(())
    }
}

impl<S: WriteAt> MetaWrite for ContainerMeta<S> {
    fn write(&mut self, piece: Piece, at: u64, buf: &[u8]) -> Result<(), PartitionError> {
        let mut done = 0usize;
        for (part, offset, n) in self.spans(piece, at, buf.len())? {
            let bytes = &buf[done..done + n];
            self.disa.write(part, offset, bytes)?;
            // Keep the kept copies of the blocks this touched current.
            let block_len = self.disa.partitions()[part].block_len();
            let mut written = 0usize;
            while written < n {
                let o = offset + written as u64;
                let block = o / block_len;
                let from = (o - block * block_len) as usize;
                let take = (block_len as usize - from).min(n - written);
                if let Some(kept) = self.blocks.get_mut(&(part, block)) {
                    kept[from..from + take].copy_from_slice(&bytes[written..written + take]);
                }
                written += take;
            }
            done += n;
        }
        Ok(())
    }
}
