//! Directory and file entry tables and their hash tables.
//!
//! An entry table is an array of fixed-size entries; every entry starts with
//! its key — parent directory index (u32) and name (16 bytes, zero-padded) —
//! and ends with the index of the next entry in the same hash bucket (u32).
//! Directory entries (0x28 bytes) hold at 0x14 the next sibling directory,
//! at 0x18 the first subdirectory and at 0x1C the first file. File entries
//! (0x30 bytes) hold at 0x14 the next sibling file, at 0x1C the first data
//! block (0x8000_0000 for an empty file) and at 0x20 the size (u64).
//!
//! Entry 0 is a dummy: it holds the number of entries ever used (u32 at 0),
//! the capacity (u32 at 4) and, in its bucket-link field, the head of the
//! list of freed entries. Directory entry 1 is the root. A hash table is an
//! array of u32 bucket heads; the bucket of a key is computed by
//! [`bucket_of`].

use thiserror::Error;

use super::meta::{MetaRead, MetaWrite, Piece};
use crate::ctr::partition::PartitionError;

pub const DIR_ENTRY_LEN: usize = 0x28;
pub const FILE_ENTRY_LEN: usize = 0x30;
/// Block index of an empty file.
pub const NO_BLOCK: u32 = 0x8000_0000;

/// Why an entry table is unusable.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum EntryError {
    #[error("{table} table: entry {index} is outside the {count} entries in use")]
    BadIndex {
        table: &'static str,
        index: u32,
        count: u32,
    },
    #[error("{table} table: the {list} list loops (entry {index} reached twice)")]
    Loop {
        table: &'static str,
        list: &'static str,
        index: u32,
    },
    #[error(
        "{table} table: header says {count} entries used of {capacity}, but the table has room for {room}"
    )]
    BadHeader {
        table: &'static str,
        count: u32,
        capacity: u32,
        room: u64,
    },
    #[error("{table} table is full ({capacity} entries)")]
    Full { table: &'static str, capacity: u32 },
    #[error("{table} table entry {index} cannot be read or written: {error}")]
    Unreadable {
        table: &'static str,
        index: u32,
        error: PartitionError,
    },
    #[error("{table} hash table bucket {bucket} cannot be read or written: {error}")]
    BucketUnreadable {
        table: &'static str,
        bucket: u32,
        error: PartitionError,
    },
}

/// The bucket of (parent, name) in a table of `buckets` buckets.
pub fn bucket_of(parent: u32, name: &[u8; 16], buckets: u32) -> u32 {
    let mut hash = parent ^ 0x091A_2B3C;
    for word in name.chunks_exact(4) {
        hash = hash.rotate_right(1);
        hash ^= u32::from_le_bytes(word.try_into().expect("4 bytes"));
    }
    hash % buckets
}

/// The bucket count the console derives from a maximum entry count.
pub fn default_buckets(max_entries: u32) -> u32 {
    if max_entries < 3 {
        return 3;
    }
    if max_entries < 19 {
        return max_entries | 1;
    }
    let mut count = max_entries;
    while [2, 3, 5, 7, 11, 13, 17].iter().any(|p| count % p == 0) {
        count += 1;
    }
    count
}

/// Which of the two tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    Dirs,
    Files,
}

/// An entry table with its hash table, read and written entry by entry
/// through the metadata it borrows: entries nobody reaches (the unused tail,
/// which the console never writes) are never read.
#[derive(Debug)]
pub struct EntryTable<'m, M: ?Sized> {
    meta: &'m mut M,
    name: &'static str,
    entry_len: usize,
    table: Piece,
    hash: Piece,
    buckets: u32,
}

fn word(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes"))
}

impl<'m, M: MetaRead + ?Sized> EntryTable<'m, M> {
    pub fn new(meta: &'m mut M, which: Table) -> Self {
        let (name, entry_len, table, hash) = match which {
            Table::Dirs => ("directory", DIR_ENTRY_LEN, Piece::Dirs, Piece::DirHash),
            Table::Files => ("file", FILE_ENTRY_LEN, Piece::Files, Piece::FileHash),
        };
        let buckets = (meta.piece_len(hash) / 4).min(u64::from(u32::MAX)) as u32;
        EntryTable {
            meta,
            name,
            entry_len,
            table,
            hash,
            buckets,
        }
    }

    fn read_at(&mut self, index: u32, offset: usize, buf: &mut [u8]) -> Result<(), EntryError> {
        let at = u64::from(index) * self.entry_len as u64 + offset as u64;
        self.meta
            .read(self.table, at, buf)
            .map_err(|error| EntryError::Unreadable {
                table: self.name,
                index,
                error,
            })
    }

    fn raw_u32(&mut self, index: u32, offset: usize) -> Result<u32, EntryError> {
        let mut raw = [0u8; 4];
        self.read_at(index, offset, &mut raw)?;
        Ok(u32::from_le_bytes(raw))
    }

    /// Number of entries ever used, the dummy included.
    pub fn used(&mut self) -> Result<u32, EntryError> {
        self.raw_u32(0, 0)
    }

    pub fn capacity(&mut self) -> Result<u32, EntryError> {
        self.raw_u32(0, 4)
    }

    /// Entries that fit in the table's bytes.
    fn room(&self) -> u64 {
        self.meta.piece_len(self.table) / self.entry_len as u64
    }

    /// Checks the dummy entry's counts against the table's size.
    pub fn check_header(&mut self) -> Result<(), EntryError> {
        let room = self.room();
        let (count, capacity) = (self.used()?, self.capacity()?);
        if room == 0 || u64::from(capacity) > room || count > capacity || count == 0 {
            return Err(EntryError::BadHeader {
                table: self.name,
                count,
                capacity,
                room,
            });
        }
        Ok(())
    }

    fn check(&mut self, index: u32) -> Result<(), EntryError> {
        let used = self.used()?;
        if index == 0 || index >= used || u64::from(index) >= self.room() {
            return Err(EntryError::BadIndex {
                table: self.name,
                index,
                count: used,
            });
        }
        Ok(())
    }

    /// Field `offset` (u32) of entry `index`, after checking the index.
    pub fn get(&mut self, index: u32, offset: usize) -> Result<u32, EntryError> {
        self.check(index)?;
        self.raw_u32(index, offset)
    }

    pub fn get_u64(&mut self, index: u32, offset: usize) -> Result<u64, EntryError> {
        self.check(index)?;
        let mut raw = [0u8; 8];
        self.read_at(index, offset, &mut raw)?;
        Ok(u64::from_le_bytes(raw))
    }

    /// Parent and name of entry `index`.
    pub fn key(&mut self, index: u32) -> Result<(u32, [u8; 16]), EntryError> {
        self.check(index)?;
        let mut raw = [0u8; 20];
        self.read_at(index, 0, &mut raw)?;
        Ok((word(&raw, 0), raw[4..20].try_into().expect("16 bytes")))
    }

    fn link_at(&self) -> usize {
        self.entry_len - 4
    }

    fn bucket_head(&mut self, bucket: u32) -> Result<u32, EntryError> {
        let mut raw = [0u8; 4];
        self.meta
            .read(self.hash, u64::from(bucket) * 4, &mut raw)
            .map_err(|error| EntryError::BucketUnreadable {
                table: self.name,
                bucket,
                error,
            })?;
        Ok(u32::from_le_bytes(raw))
    }

    /// Follows a list through field `offset` from `first`, bounded by the
    /// table size; returns the indices in order.
    pub fn list(
        &mut self,
        first: u32,
        offset: usize,
        list: &'static str,
    ) -> Result<Vec<u32>, EntryError> {
        let mut seen = std::collections::BTreeSet::new();
        let mut out = Vec::new();
        let mut cursor = first;
        while cursor != 0 {
            self.check(cursor)?;
            if !seen.insert(cursor) {
                return Err(EntryError::Loop {
                    table: self.name,
                    list,
                    index: cursor,
                });
            }
            out.push(cursor);
            cursor = self.raw_u32(cursor, offset)?;
        }
        Ok(out)
    }

    /// The entry with this key, if any.
    pub fn find(&mut self, parent: u32, name: &[u8; 16]) -> Result<Option<u32>, EntryError> {
        let bucket = bucket_of(parent, name, self.buckets);
        let head = self.bucket_head(bucket)?;
        for index in self.list(head, self.link_at(), "hash bucket")? {
            if self.key(index)? == (parent, *name) {
                return Ok(Some(index));
            }
        }
        Ok(None)
    }

    /// True when no entry can be added: none was freed and every slot up
    /// to the capacity has been used.
    pub fn is_full(&mut self) -> Result<bool, EntryError> {
        let freed = self.raw_u32(0, self.link_at())?;
        Ok(freed == 0 && self.used()? >= self.capacity()?)
    }
}

impl<'m, M: MetaWrite + ?Sized> EntryTable<'m, M> {
    fn write_at(&mut self, index: u32, offset: usize, bytes: &[u8]) -> Result<(), EntryError> {
        let at = u64::from(index) * self.entry_len as u64 + offset as u64;
        self.meta
            .write(self.table, at, bytes)
            .map_err(|error| EntryError::Unreadable {
                table: self.name,
                index,
                error,
            })
    }

    fn set_bucket(&mut self, bucket: u32, head: u32) -> Result<(), EntryError> {
        self.meta
            .write(self.hash, u64::from(bucket) * 4, &head.to_le_bytes())
            .map_err(|error| EntryError::BucketUnreadable {
                table: self.name,
                bucket,
                error,
            })
    }

    /// Makes the table empty with room for `capacity` entries (the dummy
    /// included), writing only the dummy entry and the hash table, as the
    /// console does.
    pub fn format(&mut self, capacity: u32) -> Result<(), EntryError> {
        let mut dummy = vec![0u8; self.entry_len];
        dummy[0..4].copy_from_slice(&1u32.to_le_bytes());
        dummy[4..8].copy_from_slice(&capacity.to_le_bytes());
        self.write_at(0, 0, &dummy)?;
        let zeros = vec![0u8; self.buckets as usize * 4];
        self.meta
            .write(self.hash, 0, &zeros)
            .map_err(|error| EntryError::BucketUnreadable {
                table: self.name,
                bucket: 0,
                error,
            })
    }

    pub fn set(&mut self, index: u32, offset: usize, value: u32) -> Result<(), EntryError> {
        self.check(index)?;
        self.write_at(index, offset, &value.to_le_bytes())
    }

    pub fn set_u64(&mut self, index: u32, offset: usize, value: u64) -> Result<(), EntryError> {
        self.check(index)?;
        self.write_at(index, offset, &value.to_le_bytes())
    }

    /// Adds an entry with this key (fields zero) and returns its index.
    pub fn add(&mut self, parent: u32, name: &[u8; 16]) -> Result<u32, EntryError> {
        let link_at = self.link_at();
        let freed = self.raw_u32(0, link_at)?;
        let index = if freed != 0 {
            self.check(freed)?;
            let next_freed = self.raw_u32(freed, link_at)?;
            if next_freed == freed {
                return Err(EntryError::Loop {
                    table: self.name,
                    list: "free",
                    index: freed,
                });
            }
            self.write_at(0, link_at, &next_freed.to_le_bytes())?;
            freed
        } else {
            let used = self.used()?;
            let capacity = self.capacity()?;
            if used >= capacity || u64::from(used) >= self.room() {
                return Err(EntryError::Full {
                    table: self.name,
                    capacity,
                });
            }
            self.write_at(0, 0, &(used + 1).to_le_bytes())?;
            used
        };
        let bucket = bucket_of(parent, name, self.buckets);
        let head = self.bucket_head(bucket)?;
        let mut entry = vec![0u8; self.entry_len];
        entry[0..4].copy_from_slice(&parent.to_le_bytes());
        entry[4..20].copy_from_slice(name);
        entry[link_at..].copy_from_slice(&head.to_le_bytes());
        self.write_at(index, 0, &entry)?;
        self.set_bucket(bucket, index)?;
        Ok(index)
    }

    /// Removes entry `index`: unlinks it from its bucket and puts it on the
    /// free list (as the console does, it becomes a copy of the dummy entry).
    pub fn remove(&mut self, index: u32) -> Result<(), EntryError> {
        let (parent, name) = self.key(index)?;
        let link_at = self.link_at();
        let bucket = bucket_of(parent, &name, self.buckets);
        let head = self.bucket_head(bucket)?;
        let chain = self.list(head, link_at, "hash bucket")?;
        let after = self.raw_u32(index, link_at)?;
        match chain.iter().position(|&i| i == index) {
            Some(0) => self.set_bucket(bucket, after)?,
            Some(p) => self.write_at(chain[p - 1], link_at, &after.to_le_bytes())?,
            None => {
                return Err(EntryError::BadIndex {
                    table: self.name,
                    index,
                    count: self.used()?,
                });
            }
        }
        let mut dummy = vec![0u8; self.entry_len];
        self.read_at(0, 0, &mut dummy)?;
        self.write_at(index, 0, &dummy)?;
        self.write_at(0, link_at, &index.to_le_bytes())?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ctr::savefs::meta::MemMeta;

    fn name(s: &str) -> [u8; 16] {
        let mut n = [0u8; 16];
        n[..s.len()].copy_from_slice(s.as_bytes());
        n
    }

    /// A file table of `capacity` entries and `buckets` buckets, whose
    /// bytes are first filled with `fill` (standing for never written).
    fn files(capacity: u32, buckets: u32, fill: u8) -> MemMeta {
        let mut meta = MemMeta::default();
        *meta.piece_mut(Piece::Files) = vec![fill; capacity as usize * FILE_ENTRY_LEN];
        *meta.piece_mut(Piece::FileHash) = vec![fill; buckets as usize * 4];
        EntryTable::new(&mut meta, Table::Files)
            .format(capacity)
            .unwrap();
        meta
    }

    #[test]
    fn the_bucket_hash_matches_a_hand_computed_value() {
        // parent 1, name "a": h = 1 ^ 0x091A2B3C = 0x091A2B3D; rotr -> 0x848D159E,
        // ^ 0x61 = 0x848D15FF; three rotations with zero words: 0xF091A2BF.
        assert_eq!(bucket_of(1, &name("a"), u32::MAX), 0xF091_A2BF);
        assert_eq!(bucket_of(1, &name("a"), 7), 0xF091_A2BF % 7);
    }

    #[test]
    fn the_default_bucket_rule() {
        assert_eq!(default_buckets(0), 3);
        assert_eq!(default_buckets(10), 11);
        assert_eq!(default_buckets(11), 11);
        assert_eq!(default_buckets(19), 19);
        assert_eq!(default_buckets(20), 23);
        // 1001 = 7*11*13, 1003 = 17*59, 1005 = 5*201; 1007 = 19*53 has no small factor.
        assert_eq!(default_buckets(1000), 1007);
    }

    #[test]
    fn formatting_writes_the_dummy_entry_and_the_buckets_only() {
        let meta = files(4, 3, 0xEE);
        let table = meta.piece(Piece::Files);
        // Hand-encoded dummy: 1 used, capacity 4, no freed entry.
        let mut dummy = [0u8; FILE_ENTRY_LEN];
        dummy[0] = 1;
        dummy[4] = 4;
        assert_eq!(&table[..FILE_ENTRY_LEN], &dummy[..]);
        assert!(table[FILE_ENTRY_LEN..].iter().all(|&b| b == 0xEE));
        assert_eq!(meta.piece(Piece::FileHash), &[0u8; 12][..]);
    }

    #[test]
    fn entries_are_added_found_removed_and_reused() {
        let mut meta = files(4, 3, 0xEE);
        let mut t = EntryTable::new(&mut meta, Table::Files);
        let a = t.add(1, &name("a")).unwrap();
        let b = t.add(1, &name("b")).unwrap();
        assert!(!t.is_full().unwrap());
        let c = t.add(1, &name("c")).unwrap();
        assert_eq!((a, b, c), (1, 2, 3));
        assert!(t.is_full().unwrap());
        assert!(matches!(t.add(1, &name("d")), Err(EntryError::Full { .. })));
        assert_eq!(t.find(1, &name("b")).unwrap(), Some(b));
        t.remove(b).unwrap();
        assert!(!t.is_full().unwrap());
        assert_eq!(t.find(1, &name("b")).unwrap(), None);
        assert_eq!(t.find(1, &name("c")).unwrap(), Some(c));
        // The freed slot is reused first.
        assert_eq!(t.add(2, &name("d")).unwrap(), b);
        assert_eq!(t.find(2, &name("d")).unwrap(), Some(b));
        // Slot 4 was never used: its bytes were never written.
        let table = meta.piece(Piece::Files);
        assert!(table[4 * FILE_ENTRY_LEN..].iter().all(|&b| b == 0xEE));
    }

    #[test]
    fn a_looping_bucket_chain_is_an_error() {
        let mut meta = files(4, 1, 0);
        let a = EntryTable::new(&mut meta, Table::Files)
            .add(1, &name("a"))
            .unwrap();
        let link = a as usize * FILE_ENTRY_LEN + FILE_ENTRY_LEN - 4;
        meta.piece_mut(Piece::Files)[link..link + 4].copy_from_slice(&a.to_le_bytes());
        assert!(matches!(
            EntryTable::new(&mut meta, Table::Files).find(1, &name("zz")),
            Err(EntryError::Loop { .. })
        ));
    }
}
