//! What DISA and DIFF share: a partition table stored twice, one copy
//! active, covered by a SHA-256 in the header, and the partitions it
//! describes.
//!
//! The header names the two table copies (primary, secondary), the table
//! size, which copy is active (0 = primary, 1 = secondary) and the SHA-256 of
//! the active copy. The table holds one partition descriptor per partition
//! (see `difi`); the header says where each descriptor lies in the table and
//! where each partition lies in the image.

use sha2::{Digest, Sha256};
use thiserror::Error;

use super::difi::{DifiError, PartitionDescriptor};
use super::partition::{Partition, PartitionError, PartitionReport, ReadWithError};
use crate::storage::{ReadAt, StorageError, WriteAt};

/// Where a partition descriptor keeps its DPFS level-1 selector.
const DPFS_SELECTOR_AT: usize = 0x39;

/// Largest partition table accepted (real ones are under 0x300 bytes).
pub const MAX_TABLE_LEN: u64 = 0x10000;

/// Why a container could not be opened or written.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum ContainerError {
    #[error("the image is {size:#x} bytes, too short for the 0x200-byte header")]
    TooShort { size: u64 },
    #[error(
        "{magic}: expected magic \"{expected}\" version {expected_version:#x}, found \"{}\" version {version:#x}", String::from_utf8_lossy(.found)
    )]
    BadMagic {
        magic: &'static str,
        expected: &'static str,
        expected_version: u32,
        found: [u8; 4],
        version: u32,
    },
    #[error("header field {field} at {at:#x} is {value:#x}: {why}")]
    BadField {
        field: &'static str,
        at: u64,
        value: u64,
        why: &'static str,
    },
    #[error(
        "the active partition table (copy {copy}, at {offset:#x}) does not match the SHA-256 in the header: the table is corrupt"
    )]
    TableHash { copy: u8, offset: u64 },
    #[error("partition {index}: {error}")]
    Descriptor { index: usize, error: DifiError },
    #[error("partition {index}: {error}")]
    Partition { index: usize, error: PartitionError },
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Where a container's tables and partitions are, as its header says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    pub primary_table: u64,
    pub secondary_table: u64,
    pub table_len: u64,
    pub active_table: u8,
    /// Offset in the image of the header's active-table byte.
    pub active_table_at: u64,
    /// Offset in the image of the header's table hash.
    pub table_hash_at: u64,
    pub table_hash: [u8; 32],
    /// Per partition: descriptor (offset, size) within the table and
    /// partition (offset, size) within the image.
    pub partitions: Vec<Placement>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placement {
    pub descriptor_offset: u64,
    pub descriptor_len: u64,
    pub offset: u64,
    pub len: u64,
}

/// An open container over storage `S`.
#[derive(Debug)]
pub struct Container<S> {
    storage: S,
    layout: Layout,
    table: Vec<u8>,
    partitions: Vec<Partition>,
}

pub(crate) fn field_error(
    field: &'static str,
    at: u64,
    value: u64,
    why: &'static str,
) -> ContainerError {
    ContainerError::BadField {
        field,
        at,
        value,
        why,
    }
}

impl<S: ReadAt> Container<S> {
    pub(crate) fn open(storage: S, layout: Layout, header_at: u64) -> Result<Self, ContainerError> {
        let size = storage.size();
        let check = |field, rel: u64, offset: u64, len: u64, limit: u64| {
            if offset.checked_add(len).is_some_and(|end| end <= limit) {
                Ok(())
            } else {
                Err(field_error(
                    field,
                    header_at + rel,
                    offset,
                    "the range it names lies past the end",
                ))
            }
        };
        if layout.table_len == 0 || layout.table_len > MAX_TABLE_LEN {
            return Err(field_error(
                "table size",
                0,
                layout.table_len,
                "not a plausible table size",
            ));
        }
        let table_at = if layout.active_table == 0 {
            layout.primary_table
        } else {
            layout.secondary_table
        };
        check("active table offset", 0, table_at, layout.table_len, size)?;
        let mut table = vec![0u8; layout.table_len as usize];
        storage.read_at(table_at, &mut table)?;
        if Sha256::digest(&table)[..] != layout.table_hash {
            return Err(ContainerError::TableHash {
                copy: layout.active_table,
                offset: table_at,
            });
        }
        let mut partitions = Vec::with_capacity(layout.partitions.len());
        for (index, place) in layout.partitions.iter().enumerate() {
            check(
                "partition descriptor",
                0,
                place.descriptor_offset,
                place.descriptor_len,
                layout.table_len,
            )?;
            check("partition", 0, place.offset, place.len, size)?;
            let start = place.descriptor_offset as usize;
            let bytes = &table[start..start + place.descriptor_len as usize];
            let descriptor = PartitionDescriptor::parse(bytes)
                .map_err(|error| ContainerError::Descriptor { index, error })?;
            let partition = Partition::open(&storage, place.offset, place.len, descriptor)
                .map_err(|error| ContainerError::Partition { index, error })?;
            partitions.push(partition);
        }
        Ok(Container {
            storage,
            layout,
            table,
            partitions,
        })
    }

    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    pub fn storage(&self) -> &S {
        &self.storage
    }

    pub fn into_storage(self) -> S {
        self.storage
    }

    pub fn partitions(&self) -> &[Partition] {
        &self.partitions
    }

    /// Reads payload bytes of partition `index`, every block checked.
    pub fn read(
        &mut self,
        index: usize,
        offset: u64,
        buf: &mut [u8],
    ) -> Result<(), PartitionError> {
        self.partitions[index].read(&self.storage, offset, buf)
    }

    /// Reads payload bytes of partition `index` into `sink`, every block
    /// checked first ([`Partition::read_with`]).
    pub fn read_with<E>(
        &mut self,
        index: usize,
        offset: u64,
        len: u64,
        sink: &mut impl FnMut(&[u8]) -> Result<(), E>,
    ) -> Result<(), ReadWithError<E>> {
        self.partitions[index].read_with(&self.storage, offset, len, sink)
    }

    /// Verifies every level of every partition.
    pub fn verify(
        &self,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<Vec<PartitionReport>, PartitionError>
    where
        S: Sync,
    {
        let mut done = 0u64;
        let mut reports = Vec::new();
        for partition in &self.partitions {
            let before = done;
            reports.push(partition.verify(&self.storage, &|n| progress(before + n))?);
            done += partition.len();
        }
        Ok(reports)
    }

    /// Like [`Container::verify`], and remembers each payload block's state
    /// so that later reads check nothing twice.
    pub fn verify_remembering(
        &mut self,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<Vec<PartitionReport>, PartitionError>
    where
        S: Sync,
    {
        let mut done = 0u64;
        let mut reports = Vec::new();
        for partition in &mut self.partitions {
            let before = done;
            reports.push(partition.verify_remembering(&self.storage, &|n| progress(before + n))?);
            done += partition.len();
        }
        Ok(reports)
    }
}

impl<S: WriteAt> Container<S> {
    /// Writes payload bytes of partition `index`; they are hashed on commit.
    pub fn write(&mut self, index: usize, offset: u64, buf: &[u8]) -> Result<(), PartitionError> {
        self.partitions[index].write(&mut self.storage, offset, buf)
    }

    /// Rehashes everything written: the partitions' hash trees, the master
    /// hashes in the active table, and the table hash in the header.
    pub fn commit(&mut self) -> Result<(), ContainerError> {
        let mut table_changed = false;
        for (index, partition) in self.partitions.iter_mut().enumerate() {
            if !partition.has_changes() {
                continue;
            }
            let master = partition
                .commit(&mut self.storage)
                .map_err(|error| ContainerError::Partition { index, error })?
                .to_vec();
            let place = self.layout.partitions[index];
            let difi = partition.descriptor().difi;
            let at = (place.descriptor_offset + difi.master_hash_offset) as usize;
            self.table[at..at + master.len()].copy_from_slice(&master);
            self.table[place.descriptor_offset as usize + DPFS_SELECTOR_AT] = difi.dpfs_selector;
            table_changed = true;
        }
        if table_changed {
            // The new table goes to the inactive copy; the header switch
            // (active byte and hash) is the last write, which makes the
            // whole commit take effect at once.
            let active = 1 - self.layout.active_table;
            let table_at = if active == 0 {
                self.layout.primary_table
            } else {
                self.layout.secondary_table
            };
            self.storage.write_at(table_at, &self.table)?;
            let hash: [u8; 32] = Sha256::digest(&self.table).into();
            let span = (self.layout.table_hash_at - self.layout.active_table_at) as usize + 32;
            let mut switch = vec![0u8; span];
            self.storage
                .read_at(self.layout.active_table_at, &mut switch)?;
            switch[0] = active;
            switch[span - 32..].copy_from_slice(&hash);
            self.storage
                .write_at(self.layout.active_table_at, &switch)?;
            self.layout.active_table = active;
            self.layout.table_hash = hash;
        }
        Ok(())
    }
}
