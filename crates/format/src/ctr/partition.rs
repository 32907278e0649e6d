//! A DIFI partition at work: reading, verifying and writing its payload
//! (IVFC level 4) through the DPFS copies and the IVFC hash tree.
//!
//! The partition occupies `size` bytes at `base` in the container. On open
//! the small parts are read into memory once — the active DPFS level 1 and 2
//! selector bits and IVFC levels 1-3 (the hashes, 1/128 of the payload or
//! less) — and levels 1-3 are checked against the master hash. The payload
//! itself is read on demand and each block is checked against its level-3
//! hash before any byte of it is returned.
//!
//! Writes go to the inactive copy of each DPFS level-3 block (copy on write,
//! as the console does) and mark payload blocks modified; `commit` rehashes
//! the modified blocks up the tree (level 3, 2, 1, master hash), writes the
//! changed hash blocks the same way, then flips the DPFS selector bits level
//! by level. The last committed state stays intact in the active copies until
//! the container switches its header. (An external level 4 — the DATA
//! partition — has a single copy and is written in place.)

use std::sync::Mutex;

use thiserror::Error;

use super::difi::PartitionDescriptor;
use super::dpfs::{selector_bit, toggle_bit};
use super::ivfc::{HASH_LEN, hash_block, is_unset};
use crate::storage::{ReadAt, StorageError, WriteAt};

/// What is known of one block of an IVFC level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockState {
    /// Not checked yet (payload blocks are checked when first read).
    Unchecked,
    /// Its hash matches.
    Verified,
    /// Written since the last commit: its hash is recomputed on commit.
    Modified,
    /// Its hash was never computed (all zero): not written since formatting.
    NeverWritten,
    /// Its hash does not match: the data is corrupt.
    Failed,
    /// The hash covering it lies in a failed block, so it cannot be checked.
    Unverifiable,
}

/// Why reading or writing a partition failed.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum PartitionError {
    #[error("{what} ({offset:#x}+{size:#x}) lies outside the {limit:#x}-byte {within}")]
    Outside {
        what: &'static str,
        offset: u64,
        size: u64,
        within: &'static str,
        limit: u64,
    },
    #[error(
        "IVFC level {level} block {block} (payload offset {offset:#x}) fails its SHA-256 check: the data is corrupt"
    )]
    HashMismatch {
        level: usize,
        block: u64,
        offset: u64,
    },
    #[error(
        "IVFC level {level} block {block} (payload offset {offset:#x}) was never written: it has no hash to check it against"
    )]
    NeverWritten {
        level: usize,
        block: u64,
        offset: u64,
    },
    #[error(
        "IVFC level {level} block {block} (payload offset {offset:#x}) cannot be checked: the hash block above it is corrupt"
    )]
    Unverifiable {
        level: usize,
        block: u64,
        offset: u64,
    },
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Why [`Partition::read_with`] stopped: the partition's bytes could not be
/// read or checked, or the sink they were handed to failed.
#[derive(Debug)]
pub enum ReadWithError<E> {
    Partition(PartitionError),
    Sink(E),
}

impl<E> From<PartitionError> for ReadWithError<E> {
    fn from(error: PartitionError) -> Self {
        ReadWithError::Partition(error)
    }
}

impl<E> From<StorageError> for ReadWithError<E> {
    fn from(error: StorageError) -> Self {
        ReadWithError::Partition(error.into())
    }
}

/// Counts of one level's blocks by state, after a verify.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LevelReport {
    pub blocks: u64,
    pub verified: u64,
    pub never_written: u64,
    /// Indices of the blocks that fail their hash.
    pub failed: Vec<u64>,
    pub unverifiable: u64,
}

impl LevelReport {
    fn count(&mut self, index: u64, state: BlockState) {
        self.blocks += 1;
        match state {
            BlockState::Verified | BlockState::Modified | BlockState::Unchecked => {
                self.verified += 1
            }
            BlockState::NeverWritten => self.never_written += 1,
            BlockState::Failed => self.failed.push(index),
            BlockState::Unverifiable => self.unverifiable += 1,
        }
    }
    fn merge(&mut self, other: LevelReport) {
        self.blocks += other.blocks;
        self.verified += other.verified;
        self.never_written += other.never_written;
        self.failed.extend(other.failed);
        self.unverifiable += other.unverifiable;
    }
    /// True when no block fails or is unverifiable (never-written is fine).
    pub fn is_sound(&self) -> bool {
        self.failed.is_empty() && self.unverifiable == 0
    }
}

/// Verify results of IVFC levels 1-4 of one partition.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PartitionReport {
    pub levels: [LevelReport; 4],
}

impl PartitionReport {
    pub fn is_sound(&self) -> bool {
        self.levels.iter().all(LevelReport::is_sound)
    }
}

/// One open partition. It holds no storage: every call takes the
/// container's storage, so one storage serves all partitions.
#[derive(Debug, Clone)]
pub struct Partition {
    base: u64,
    size: u64,
    descriptor: PartitionDescriptor,
    level1_bits: Vec<u8>,
    level2_bits: Vec<u8>,
    /// DPFS level 3 blocks written since the last commit: their live bytes
    /// are in the inactive copy until commit flips the selector bits.
    switched: Vec<bool>,
    /// IVFC levels 1-3.
    hashes: [Vec<u8>; 3],
    /// Block states of IVFC levels 1-3.
    states: [Vec<BlockState>; 3],
    payload_states: Vec<BlockState>,
    modified: Vec<u64>,
}

/// Largest read done in one piece when streaming the payload. Each verify
/// thread holds one such buffer; 256 KiB keeps the system calls few (256
/// for 64 MiB) while leaving the memory of an import near save3ds's.
const CHUNK: usize = 256 << 10;

fn outside(
    what: &'static str,
    offset: u64,
    size: u64,
    within: &'static str,
    limit: u64,
) -> PartitionError {
    PartitionError::Outside {
        what,
        offset,
        size,
        within,
        limit,
    }
}

fn fits(offset: u64, size: u64, limit: u64) -> bool {
    offset.checked_add(size).is_some_and(|end| end <= limit)
}

impl Partition {
    /// Opens the partition of `size` bytes at `base` in `storage`, described
    /// by `descriptor`.
    pub fn open<S: ReadAt + ?Sized>(
        storage: &S,
        base: u64,
        size: u64,
        descriptor: PartitionDescriptor,
    ) -> Result<Self, PartitionError> {
        if !fits(base, size, storage.size()) {
            return Err(outside("partition", base, size, "image", storage.size()));
        }
        let dpfs = descriptor.dpfs;
        for (level, name) in
            dpfs.levels
                .iter()
                .zip(["DPFS level 1", "DPFS level 2", "DPFS level 3"])
        {
            let both = level.size.saturating_mul(2);
            if !fits(level.offset, both, size) {
                return Err(outside(name, level.offset, both, "partition", size));
            }
        }
        let ivfc = descriptor.ivfc;
        let level3_size = dpfs.levels[2].size;
        for (i, level) in ivfc.levels.iter().enumerate() {
            let name = [
                "IVFC level 1",
                "IVFC level 2",
                "IVFC level 3",
                "IVFC level 4",
            ][i];
            match (i, descriptor.difi.external_level4) {
                (3, Some(at)) => {
                    if !fits(at, level.size, size) {
                        return Err(outside(name, at, level.size, "partition", size));
                    }
                }
                _ => {
                    if !fits(level.offset, level.size, level3_size) {
                        return Err(outside(
                            name,
                            level.offset,
                            level.size,
                            "DPFS level 3",
                            level3_size,
                        ));
                    }
                }
            }
        }
        let mut partition = Partition {
            base,
            size,
            descriptor,
            level1_bits: Vec::new(),
            level2_bits: Vec::new(),
            switched: vec![false; dpfs.levels[2].block_count() as usize],
            hashes: Default::default(),
            states: Default::default(),
            payload_states: vec![BlockState::Unchecked; ivfc.levels[3].block_count() as usize],
            modified: Vec::new(),
        };
        let l1 = dpfs.levels[0];
        let mut level1_bits = vec![0u8; l1.size as usize];
        storage.read_at(
            base + l1.copy_offset(partition.descriptor.difi.dpfs_selector),
            &mut level1_bits,
        )?;
        partition.level1_bits = level1_bits;
        let l2 = dpfs.levels[1];
        let mut level2_bits = vec![0u8; l2.size as usize];
        let l2_block = 1u64 << l2.block_log;
        for block in 0..l2.block_count() {
            let start = block * l2_block;
            let end = (start + l2_block).min(l2.size);
            let copy = selector_bit(&partition.level1_bits, block);
            storage.read_at(
                base + l2.copy_offset(copy) + start,
                &mut level2_bits[start as usize..end as usize],
            )?;
        }
        partition.level2_bits = level2_bits;
        for i in 0..3 {
            let level = ivfc.levels[i];
            let mut data = vec![0u8; level.size as usize];
            partition.read_duplicated(storage, level.offset, &mut data)?;
            partition.hashes[i] = data;
        }
        for i in 0..3 {
            partition.states[i] = partition.check_hash_level(i);
        }
        Ok(partition)
    }

    /// Checks every block of IVFC level `i + 1` against the level above.
    fn check_hash_level(&self, i: usize) -> Vec<BlockState> {
        let level = self.descriptor.ivfc.levels[i];
        let block_len = level.block_len() as usize;
        let data = &self.hashes[i];
        (0..level.block_count())
            .map(|block| {
                let start = block as usize * block_len;
                let end = (start + block_len).min(data.len());
                self.check_block(i, block, &data[start..end])
            })
            .collect()
    }

    /// The state of block `block` of IVFC level `i + 1` holding `data`.
    fn check_block(&self, i: usize, block: u64, data: &[u8]) -> BlockState {
        let level = self.descriptor.ivfc.levels[i];
        let entry = block as usize * HASH_LEN;
        let (parent, parent_state) = if i == 0 {
            (&self.descriptor.master_hash, BlockState::Verified)
        } else {
            let above = self.descriptor.ivfc.levels[i - 1];
            let state = self.states[i - 1][(entry as u64 >> above.block_log) as usize];
            (&self.hashes[i - 1], state)
        };
        match parent_state {
            BlockState::Verified | BlockState::Modified | BlockState::Unchecked => {}
            BlockState::NeverWritten => return BlockState::NeverWritten,
            BlockState::Failed | BlockState::Unverifiable => return BlockState::Unverifiable,
        }
        let stored = &parent[entry..entry + HASH_LEN];
        // An unset entry is never a SHA-256 output, so the block cannot
        // match it: say so without hashing. Most of a save the console or
        // save3ds made is never-written space, and this halves a verify.
        if is_unset(stored) {
            BlockState::NeverWritten
        } else if hash_block(data, level.block_len() as usize) == stored {
            BlockState::Verified
        } else {
            BlockState::Failed
        }
    }

    pub fn descriptor(&self) -> &PartitionDescriptor {
        &self.descriptor
    }

    /// The container offset and size of this partition.
    pub fn placement(&self) -> (u64, u64) {
        (self.base, self.size)
    }

    /// Size of the payload (IVFC level 4).
    pub fn len(&self) -> u64 {
        self.descriptor.ivfc.levels[3].size
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Payload block size.
    pub fn block_len(&self) -> u64 {
        self.descriptor.ivfc.levels[3].block_len()
    }

    /// Container offset of `offset` in DPFS level 3 (the live copy: the
    /// active one, or the inactive one once written in this transaction), and
    /// how many bytes from there stay in the same DPFS block.
    fn duplicated_at(&self, offset: u64) -> (u64, u64) {
        let l3 = self.descriptor.dpfs.levels[2];
        let block = offset >> l3.block_log;
        let copy = selector_bit(&self.level2_bits, block) ^ u8::from(self.switched[block as usize]);
        let block_end = ((block + 1) << l3.block_log).min(l3.size);
        (
            self.base + l3.copy_offset(copy) + offset,
            block_end - offset,
        )
    }

    /// Reads DPFS level 3 bytes (active copies), merging runs of blocks that
    /// sit in the same copy into one storage read.
    fn read_duplicated<S: ReadAt + ?Sized>(
        &self,
        storage: &S,
        offset: u64,
        buf: &mut [u8],
    ) -> Result<(), StorageError> {
        let mut done = 0usize;
        while done < buf.len() {
            let (at, mut run) = self.duplicated_at(offset + done as u64);
            while (done as u64 + run) < buf.len() as u64 {
                let (next_at, next_run) = self.duplicated_at(offset + done as u64 + run);
                if next_at != at + run {
                    break;
                }
                run += next_run;
            }
            let n = (run as usize).min(buf.len() - done);
            storage.read_at(at, &mut buf[done..done + n])?;
            done += n;
        }
        Ok(())
    }

    /// Writes DPFS level 3 bytes to the inactive copy of each block they
    /// touch, so the active copy keeps the last committed state until commit
    /// flips the selectors. A block's first write in a transaction copies its
    /// other bytes over first.
    fn write_duplicated<S: WriteAt + ?Sized>(
        &mut self,
        storage: &mut S,
        offset: u64,
        buf: &[u8],
    ) -> Result<(), StorageError> {
        let l3 = self.descriptor.dpfs.levels[2];
        let mut done = 0usize;
        while done < buf.len() {
            let block = (offset + done as u64) >> l3.block_log;
            if !self.switched[block as usize] {
                let start = block << l3.block_log;
                let end = ((block + 1) << l3.block_log).min(l3.size);
                let mut old = vec![0u8; (end - start) as usize];
                self.read_duplicated(storage, start, &mut old)?;
                self.switched[block as usize] = true;
                self.write_duplicated(storage, start, &old)?;
            }
            let (at, run) = self.duplicated_at(offset + done as u64);
            let n = (run as usize).min(buf.len() - done);
            storage.write_at(at, &buf[done..done + n])?;
            done += n;
        }
        Ok(())
    }

    /// Reads payload bytes without checking them.
    fn read_raw<S: ReadAt + ?Sized>(
        &self,
        storage: &S,
        offset: u64,
        buf: &mut [u8],
    ) -> Result<(), StorageError> {
        match self.descriptor.difi.external_level4 {
            Some(at) => storage.read_at(self.base + at + offset, buf),
            None => {
                self.read_duplicated(storage, self.descriptor.ivfc.levels[3].offset + offset, buf)
            }
        }
    }

    fn write_raw<S: WriteAt + ?Sized>(
        &mut self,
        storage: &mut S,
        offset: u64,
        buf: &[u8],
    ) -> Result<(), StorageError> {
        match self.descriptor.difi.external_level4 {
            Some(at) => storage.write_at(self.base + at + offset, buf),
            None => {
                self.write_duplicated(storage, self.descriptor.ivfc.levels[3].offset + offset, buf)
            }
        }
    }

    fn check_range(&self, offset: u64, len: usize) -> Result<(), PartitionError> {
        if fits(offset, len as u64, self.len()) {
            Ok(())
        } else {
            Err(outside(
                "read or write",
                offset,
                len as u64,
                "payload",
                self.len(),
            ))
        }
    }

    /// The state of payload block `block` holding `data`, or the stored state
    /// when it was checked (or written) before.
    fn payload_block_state(&self, block: u64, data: &[u8]) -> BlockState {
        match self.payload_states[block as usize] {
            BlockState::Unchecked => self.check_block(3, block, data),
            known => known,
        }
    }

    fn block_error(&self, block: u64, state: BlockState) -> Option<PartitionError> {
        let offset = block * self.block_len();
        match state {
            BlockState::Verified | BlockState::Modified | BlockState::Unchecked => None,
            BlockState::NeverWritten => Some(PartitionError::NeverWritten {
                level: 4,
                block,
                offset,
            }),
            BlockState::Failed => Some(PartitionError::HashMismatch {
                level: 4,
                block,
                offset,
            }),
            BlockState::Unverifiable => Some(PartitionError::Unverifiable {
                level: 4,
                block,
                offset,
            }),
        }
    }

    /// Reads payload bytes, checking every block they touch; a block that
    /// fails (or was never written) is an error naming it, never data.
    pub fn read<S: ReadAt + ?Sized>(
        &mut self,
        storage: &S,
        offset: u64,
        buf: &mut [u8],
    ) -> Result<(), PartitionError> {
        self.check_range(offset, buf.len())?;
        if buf.is_empty() {
            return Ok(());
        }
        let block_len = self.block_len();
        let end = offset + buf.len() as u64;
        let first = offset / block_len;
        let last = end.div_ceil(block_len);
        // Whole blocks are read and checked in pieces of up to CHUNK bytes.
        let blocks_per_chunk = (CHUNK as u64 / block_len).max(1);
        let mut scratch = Vec::new();
        let mut block = first;
        while block < last {
            let chunk_end = (block + blocks_per_chunk).min(last);
            let start = block * block_len;
            let stop = (chunk_end * block_len).min(self.len());
            // Blocks wholly inside `buf` are read and checked in place;
            // only the partial ones at the ends go through `scratch`. A
            // failed block's bytes may then be in `buf`, which the error
            // tells the caller not to use.
            let in_place = start >= offset && stop <= end;
            let data: &mut [u8] = if in_place {
                &mut buf[(start - offset) as usize..(stop - offset) as usize]
            } else {
                scratch.resize((stop - start) as usize, 0);
                &mut scratch
            };
            self.read_raw(storage, start, data)?;
            self.check_blocks(block, data)?;
            if !in_place {
                let copy_from = offset.max(start);
                let copy_to = end.min(stop);
                buf[(copy_from - offset) as usize..(copy_to - offset) as usize].copy_from_slice(
                    &scratch[(copy_from - start) as usize..(copy_to - start) as usize],
                );
            }
            block = chunk_end;
        }
        Ok(())
    }

    /// Checks payload blocks `first`, `first + 1`, … held in `data` (whole
    /// blocks, the last one possibly cut by the payload's end) and records
    /// what was found; the first that fails is the error.
    fn check_blocks(&mut self, first: u64, data: &[u8]) -> Result<(), PartitionError> {
        let block_len = self.block_len() as usize;
        for (i, bytes) in data.chunks(block_len).enumerate() {
            let b = first + i as u64;
            let state = self.payload_block_state(b, bytes);
            if let Some(error) = self.block_error(b, state) {
                self.payload_states[b as usize] = state;
                return Err(error);
            }
            if state == BlockState::Unchecked {
                self.payload_states[b as usize] = BlockState::Verified;
            } else {
                self.payload_states[b as usize] = state;
            }
        }
        Ok(())
    }

    /// Where payload byte `offset` lies in the container, and how many of
    /// the bytes from there (at most `limit`) follow it there: all of them
    /// in an external level 4, a run of DPFS blocks in the same copy
    /// otherwise.
    fn payload_run(&self, offset: u64, limit: u64) -> (u64, u64) {
        match self.descriptor.difi.external_level4 {
            Some(at) => (self.base + at + offset, limit),
            None => {
                let level3 = self.descriptor.ivfc.levels[3].offset + offset;
                let (at, mut run) = self.duplicated_at(level3);
                // `limit` stays inside the payload, so every block asked
                // about here exists.
                while run < limit {
                    let (next_at, next_run) = self.duplicated_at(level3 + run);
                    if next_at != at + run {
                        break;
                    }
                    run += next_run;
                }
                (at, run.min(limit))
            }
        }
    }

    /// Reads `len` payload bytes at `offset` and hands them to `sink` in
    /// order, in pieces, each only after every block it touches passed its
    /// check (as [`Partition::read`]; a failing block is an error and none
    /// of its bytes reach `sink`). When the storage holds the bytes in
    /// memory ([`ReadAt::borrow_at`]) they are checked and passed on where
    /// they are, without a copy: extracting a file then touches each byte
    /// twice (hash, write) instead of three times.
    pub fn read_with<S: ReadAt + ?Sized, E>(
        &mut self,
        storage: &S,
        offset: u64,
        len: u64,
        sink: &mut impl FnMut(&[u8]) -> Result<(), E>,
    ) -> Result<(), ReadWithError<E>> {
        if !fits(offset, len, self.len()) {
            return Err(outside("read", offset, len, "payload", self.len()).into());
        }
        let block_len = self.block_len();
        let end = offset + len;
        let last = end.div_ceil(block_len);
        let blocks_per_chunk = (CHUNK as u64 / block_len).max(1);
        let mut scratch = Vec::new();
        let mut block = offset / block_len;
        while block < last {
            let start = block * block_len;
            let mut chunk_end = (block + blocks_per_chunk).min(last);
            let mut stop = (chunk_end * block_len).min(self.len());
            let (at, run) = self.payload_run(start, stop - start);
            if run < stop - start && run >= block_len {
                // The chunk changes DPFS copy: take the whole blocks before.
                chunk_end = block + run / block_len;
                stop = chunk_end * block_len;
            }
            let borrowed = if run >= stop - start {
                storage.borrow_at(at, (stop - start) as usize)
            } else {
                None
            };
            let data = match borrowed {
                Some(bytes) => bytes,
                None => {
                    scratch.resize((stop - start) as usize, 0);
                    self.read_raw(storage, start, &mut scratch)?;
                    &scratch[..]
                }
            };
            self.check_blocks(block, data)?;
            let from = (offset.max(start) - start) as usize;
            let to = (end.min(stop) - start) as usize;
            sink(&data[from..to]).map_err(ReadWithError::Sink)?;
            block = chunk_end;
        }
        Ok(())
    }

    /// Writes payload bytes. A block only partly overwritten must be sound
    /// first (or never written): its old bytes get hashed again on commit,
    /// and corrupt bytes must never be made to look valid.
    pub fn write<S: WriteAt + ?Sized>(
        &mut self,
        storage: &mut S,
        offset: u64,
        buf: &[u8],
    ) -> Result<(), PartitionError> {
        self.check_range(offset, buf.len())?;
        if buf.is_empty() {
            return Ok(());
        }
        let block_len = self.block_len();
        let end = offset + buf.len() as u64;
        let first = offset / block_len;
        let last = end.div_ceil(block_len);
        // Rehashing a corrupt hash block on commit would make the bad
        // entries beside ours look valid: refuse to write under one.
        let level3_log = self.descriptor.ivfc.levels[2].block_log;
        for b in first..last {
            let parent = (b * HASH_LEN as u64) >> level3_log;
            if matches!(
                self.states[2][parent as usize],
                BlockState::Failed | BlockState::Unverifiable
            ) {
                return Err(PartitionError::Unverifiable {
                    level: 4,
                    block: b,
                    offset: b * block_len,
                });
            }
        }
        for b in [first, last - 1] {
            let start = b * block_len;
            let stop = (start + block_len).min(self.len());
            let partial = offset > start || end < stop;
            if partial && self.payload_states[b as usize] == BlockState::Unchecked {
                let mut old = vec![0u8; (stop - start) as usize];
                self.read_raw(storage, start, &mut old)?;
                let state = self.check_block(3, b, &old);
                self.payload_states[b as usize] = state;
            }
            if partial {
                match self.payload_states[b as usize] {
                    BlockState::Failed | BlockState::Unverifiable => {
                        return Err(self
                            .block_error(b, self.payload_states[b as usize])
                            .expect("an error state"));
                    }
                    _ => {}
                }
            }
        }
        self.write_raw(storage, offset, buf)?;
        for b in first..last {
            if self.payload_states[b as usize] != BlockState::Modified {
                self.payload_states[b as usize] = BlockState::Modified;
                self.modified.push(b);
            }
        }
        Ok(())
    }

    /// True when writes wait for `commit`.
    pub fn has_changes(&self) -> bool {
        !self.modified.is_empty()
    }

    /// Rehashes the modified payload blocks up the tree and writes the
    /// changed hash blocks back. Returns the new master hash.
    pub fn commit<S: WriteAt + ?Sized>(
        &mut self,
        storage: &mut S,
    ) -> Result<&[u8], PartitionError> {
        let mut modified = std::mem::take(&mut self.modified);
        modified.sort_unstable();
        let ivfc = self.descriptor.ivfc;
        let payload_block = self.block_len();
        let mut block = vec![0u8; payload_block as usize];
        // Blocks of level i+1 whose hash entries changed, per level 1..3.
        let mut changed: [Vec<u64>; 3] = Default::default();
        for &b in &modified {
            let start = b * payload_block;
            let stop = (start + payload_block).min(self.len());
            let data = &mut block[..(stop - start) as usize];
            self.read_raw(storage, start, data)?;
            let hash = hash_block(data, payload_block as usize);
            let entry = b as usize * HASH_LEN;
            self.hashes[2][entry..entry + HASH_LEN].copy_from_slice(&hash);
            changed[2].push(entry as u64 >> ivfc.levels[2].block_log);
            self.payload_states[b as usize] = BlockState::Verified;
        }
        for i in (0..3).rev() {
            let mut blocks = std::mem::take(&mut changed[i]);
            blocks.dedup();
            let level = ivfc.levels[i];
            let block_len = level.block_len() as usize;
            for &b in &blocks {
                let start = b as usize * block_len;
                let stop = (start + block_len).min(self.hashes[i].len());
                let bytes = self.hashes[i][start..stop].to_vec();
                let hash = hash_block(&bytes, block_len);
                self.write_duplicated(storage, level.offset + start as u64, &bytes)?;
                self.states[i][b as usize] = BlockState::Verified;
                let entry = b as usize * HASH_LEN;
                if i == 0 {
                    self.descriptor.master_hash[entry..entry + HASH_LEN].copy_from_slice(&hash);
                } else {
                    self.hashes[i - 1][entry..entry + HASH_LEN].copy_from_slice(&hash);
                    changed[i - 1].push(entry as u64 >> ivfc.levels[i - 1].block_log);
                }
            }
        }
        self.switch_copies(storage)?;
        Ok(&self.descriptor.master_hash)
    }

    /// Makes the written copies active: flips the level-2 bits of the
    /// switched level-3 blocks, writes the changed level-2 blocks to their
    /// inactive copies and flips their level-1 bits, writes level 1 to its
    /// inactive copy and flips the selector (stored in the descriptor, which
    /// the container writes last).
    fn switch_copies<S: WriteAt + ?Sized>(&mut self, storage: &mut S) -> Result<(), StorageError> {
        if !self.switched.contains(&true) {
            return Ok(());
        }
        let [l1, l2, _] = self.descriptor.dpfs.levels;
        let mut level2_changed = Vec::new();
        for block in 0..self.switched.len() as u64 {
            if std::mem::take(&mut self.switched[block as usize]) {
                toggle_bit(&mut self.level2_bits, block);
                // The bit's u32 word may straddle two (tiny) level-2 blocks.
                let word = block / 32 * 4;
                for l2_block in [word >> l2.block_log, (word + 3) >> l2.block_log] {
                    if level2_changed.last() != Some(&l2_block) {
                        level2_changed.push(l2_block);
                    }
                }
            }
        }
        for &c in &level2_changed {
            let start = c << l2.block_log;
            let end = ((c + 1) << l2.block_log).min(l2.size);
            let inactive = 1 - selector_bit(&self.level1_bits, c);
            storage.write_at(
                self.base + l2.copy_offset(inactive) + start,
                &self.level2_bits[start as usize..end as usize],
            )?;
            toggle_bit(&mut self.level1_bits, c);
        }
        let selector = 1 - self.descriptor.difi.dpfs_selector;
        storage.write_at(self.base + l1.copy_offset(selector), &self.level1_bits)?;
        self.descriptor.difi.dpfs_selector = selector;
        Ok(())
    }

    /// Checks every block of every level. The payload is hashed on two
    /// threads; `progress` is told how many payload bytes were checked.
    pub fn verify<S: ReadAt + Sync + ?Sized>(
        &self,
        storage: &S,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<PartitionReport, PartitionError> {
        Ok(self.verify_states(storage, progress, false)?.0)
    }

    /// Like [`Partition::verify`], and remembers what it found of each
    /// payload block, so that reads after it (listing and extracting, to
    /// check that the filesystem can be read whole) hash nothing twice.
    pub fn verify_remembering<S: ReadAt + Sync + ?Sized>(
        &mut self,
        storage: &S,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<PartitionReport, PartitionError> {
        let (report, states) = self.verify_states(storage, progress, true)?;
        for (known, found) in self.payload_states.iter_mut().zip(states) {
            if *known == BlockState::Unchecked {
                *known = found;
            }
        }
        Ok(report)
    }

    /// The report, and when `keep` the state of every payload block.
    fn verify_states<S: ReadAt + Sync + ?Sized>(
        &self,
        storage: &S,
        progress: &(dyn Fn(u64) + Sync),
        keep: bool,
    ) -> Result<(PartitionReport, Vec<BlockState>), PartitionError> {
        let mut report = PartitionReport::default();
        for i in 0..3 {
            for (b, &state) in self.states[i].iter().enumerate() {
                report.levels[i].count(b as u64, state);
            }
        }
        let blocks = self.payload_states.len() as u64;
        let workers = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .clamp(1, 2) as u64;
        // The workers take chunks in turn rather than halves: a save's
        // written blocks gather at the start, and never-written blocks cost
        // no hashing, so halves would leave one worker idle.
        let per_chunk = (CHUNK as u64 / self.block_len()).max(1);
        // A lock, not an AtomicU64: the 3DS (armv6k) has no 64-bit atomics,
        // and the counter is touched once per chunk, so the cost is nil.
        let done = Mutex::new(0u64);
        type Part = Result<(LevelReport, Vec<BlockState>), PartitionError>;
        let results: Vec<Part> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..workers)
                .map(|w| {
                    let done = &done;
                    let turn = (w, workers);
                    scope.spawn(move || self.verify_payload(storage, turn, done, progress, keep))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("verify worker panicked"))
                .collect()
        });
        let mut parts = Vec::new();
        for result in results {
            let (level, part) = result?;
            report.levels[3].merge(level);
            parts.push(part.into_iter());
        }
        // Chunk by chunk, back in block order.
        let mut states = Vec::with_capacity(if keep { blocks as usize } else { 0 });
        if keep {
            let mut block = 0;
            while block < blocks {
                let n = per_chunk.min(blocks - block);
                let part = &mut parts[((block / per_chunk) % workers) as usize];
                states.extend(part.by_ref().take(n as usize));
                block += n;
            }
        }
        report.levels[3].failed.sort_unstable();
        Ok((report, states))
    }

    /// Checks the chunks of payload blocks numbered `worker`, `worker +
    /// workers`, … (`turn` is the pair).
    fn verify_payload<S: ReadAt + ?Sized>(
        &self,
        storage: &S,
        (worker, workers): (u64, u64),
        done: &Mutex<u64>,
        progress: &(dyn Fn(u64) + Sync),
        keep: bool,
    ) -> Result<(LevelReport, Vec<BlockState>), PartitionError> {
        let block_len = self.block_len();
        let blocks = self.payload_states.len() as u64;
        let per_chunk = (CHUNK as u64 / block_len).max(1);
        let mut report = LevelReport::default();
        let mut states = Vec::new();
        let mut scratch = Vec::new();
        let mut block = worker * per_chunk;
        while block < blocks {
            let chunk_end = (block + per_chunk).min(blocks);
            let start = block * block_len;
            let stop = (chunk_end * block_len).min(self.len());
            // A chunk of never-written blocks (unset hash entries) is not
            // even read: `check_block` decides on the entry alone.
            let unset = (block..chunk_end).all(|b| {
                let entry = b as usize * HASH_LEN;
                is_unset(&self.hashes[2][entry..entry + HASH_LEN])
            });
            if unset {
                scratch.clear();
            } else {
                scratch.resize((stop - start) as usize, 0);
                self.read_raw(storage, start, &mut scratch)?;
            }
            for b in block..chunk_end {
                let from = (((b - block) * block_len) as usize).min(scratch.len());
                let to = (from + block_len as usize).min(scratch.len());
                let state = match self.payload_states[b as usize] {
                    BlockState::Modified => BlockState::Modified,
                    _ => self.check_block(3, b, &scratch[from..to]),
                };
                if keep {
                    states.push(state);
                }
                report.count(b, state);
            }
            // Reported under the lock, so the totals reach `progress` in
            // increasing order however the workers interleave.
            let mut done = done.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            *done += stop - start;
            progress(*done);
            drop(done);
            block += per_chunk * workers;
        }
        Ok((report, states))
    }
}
