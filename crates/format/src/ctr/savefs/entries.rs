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

use crate::storage::{le_u32, le_u64, put_u32, put_u64};

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
        room: u32,
    },
    #[error("{table} table is full ({capacity} entries)")]
    Full { table: &'static str, capacity: u32 },
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

/// An entry table with its hash table, in memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryTable {
    name: &'static str,
    entry_len: usize,
    bytes: Vec<u8>,
    buckets: Vec<u32>,
}

impl EntryTable {
    /// Wraps table and hash-table bytes, checking the dummy entry's counts.
    pub fn parse(
        name: &'static str,
        entry_len: usize,
        bytes: Vec<u8>,
        hash: &[u8],
    ) -> Result<Self, EntryError> {
        let buckets = hash.chunks_exact(4).map(|b| le_u32(b, 0)).collect();
        let table = EntryTable {
            name,
            entry_len,
            bytes,
            buckets,
        };
        let room = (table.bytes.len() / entry_len) as u32;
        let (count, capacity) = (table.used(), table.capacity());
        if room == 0 || capacity > room || count > capacity || count == 0 {
            return Err(EntryError::BadHeader {
                table: name,
                count,
                capacity,
                room,
            });
        }
        for &head in &table.buckets {
            if head != 0 {
                table.check(head)?;
            }
        }
        Ok(table)
    }

    /// A new empty table of `capacity` entries (dummy included) and `buckets`.
    pub fn new(
        name: &'static str,
        entry_len: usize,
        capacity: u32,
        buckets: u32,
        len: usize,
    ) -> Self {
        let mut bytes = vec![0u8; len.max(capacity as usize * entry_len)];
        put_u32(&mut bytes, 0, 1);
        put_u32(&mut bytes, 4, capacity);
        EntryTable {
            name,
            entry_len,
            bytes,
            buckets: vec![0; buckets as usize],
        }
    }

    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub fn hash_bytes(&self) -> Vec<u8> {
        self.buckets.iter().flat_map(|b| b.to_le_bytes()).collect()
    }

    fn used(&self) -> u32 {
        le_u32(&self.bytes, 0)
    }

    fn capacity(&self) -> u32 {
        le_u32(&self.bytes, 4)
    }

    fn check(&self, index: u32) -> Result<(), EntryError> {
        if index == 0 || index >= self.used() {
            return Err(EntryError::BadIndex {
                table: self.name,
                index,
                count: self.used(),
            });
        }
        Ok(())
    }

    fn at(&self, index: u32) -> usize {
        index as usize * self.entry_len
    }

    /// Field `offset` (u32) of entry `index`, after checking the index.
    pub fn get(&self, index: u32, offset: usize) -> Result<u32, EntryError> {
        self.check(index)?;
        Ok(le_u32(&self.bytes, self.at(index) + offset))
    }

    pub fn get_u64(&self, index: u32, offset: usize) -> Result<u64, EntryError> {
        self.check(index)?;
        Ok(le_u64(&self.bytes, self.at(index) + offset))
    }

    pub fn set(&mut self, index: u32, offset: usize, value: u32) -> Result<(), EntryError> {
        self.check(index)?;
        let at = self.at(index) + offset;
        put_u32(&mut self.bytes, at, value);
        Ok(())
    }

    pub fn set_u64(&mut self, index: u32, offset: usize, value: u64) -> Result<(), EntryError> {
        self.check(index)?;
        let at = self.at(index) + offset;
        put_u64(&mut self.bytes, at, value);
        Ok(())
    }

    /// Parent and name of entry `index`.
    pub fn key(&self, index: u32) -> Result<(u32, [u8; 16]), EntryError> {
        self.check(index)?;
        let at = self.at(index);
        Ok((
            le_u32(&self.bytes, at),
            self.bytes[at + 4..at + 20].try_into().expect("16 bytes"),
        ))
    }

    fn link_at(&self) -> usize {
        self.entry_len - 4
    }

    /// Follows a list through field `offset` from `first`, bounded by the
    /// table size; returns the indices in order.
    pub fn list(
        &self,
        first: u32,
        offset: usize,
        list: &'static str,
    ) -> Result<Vec<u32>, EntryError> {
        let mut seen = vec![false; self.used() as usize];
        let mut out = Vec::new();
        let mut cursor = first;
        while cursor != 0 {
            self.check(cursor)?;
            if std::mem::replace(&mut seen[cursor as usize], true) {
                return Err(EntryError::Loop {
                    table: self.name,
                    list,
                    index: cursor,
                });
            }
            out.push(cursor);
            cursor = le_u32(&self.bytes, self.at(cursor) + offset);
        }
        Ok(out)
    }

    /// The entry with this key, if any.
    pub fn find(&self, parent: u32, name: &[u8; 16]) -> Result<Option<u32>, EntryError> {
        let bucket = bucket_of(parent, name, self.buckets.len() as u32);
        let head = self.buckets[bucket as usize];
        for index in self.list(head, self.link_at(), "hash bucket")? {
            if self.key(index)? == (parent, *name) {
                return Ok(Some(index));
            }
        }
        Ok(None)
    }

    /// Adds an entry with this key (fields zero) and returns its index.
    pub fn add(&mut self, parent: u32, name: &[u8; 16]) -> Result<u32, EntryError> {
        let link_at = self.link_at();
        let freed = le_u32(&self.bytes, link_at);
        let index = if freed != 0 {
            self.check(freed)?;
            let next_freed = le_u32(&self.bytes, self.at(freed) + link_at);
            if next_freed == freed {
                return Err(EntryError::Loop {
                    table: self.name,
                    list: "free",
                    index: freed,
                });
            }
            put_u32(&mut self.bytes, link_at, next_freed);
            freed
        } else {
            let used = self.used();
            if used >= self.capacity() {
                return Err(EntryError::Full {
                    table: self.name,
                    capacity: self.capacity(),
                });
            }
            put_u32(&mut self.bytes, 0, used + 1);
            used
        };
        let at = self.at(index);
        self.bytes[at..at + self.entry_len].fill(0);
        put_u32(&mut self.bytes, at, parent);
        self.bytes[at + 4..at + 20].copy_from_slice(name);
        let bucket = bucket_of(parent, name, self.buckets.len() as u32) as usize;
        put_u32(&mut self.bytes, at + link_at, self.buckets[bucket]);
        self.buckets[bucket] = index;
        Ok(index)
    }

    /// Removes entry `index`: unlinks it from its bucket and puts it on the
    /// free list (as the console does, it becomes a copy of the dummy entry).
    pub fn remove(&mut self, index: u32) -> Result<(), EntryError> {
        let (parent, name) = self.key(index)?;
        let link_at = self.link_at();
        let bucket = bucket_of(parent, &name, self.buckets.len() as u32) as usize;
        let chain = self.list(self.buckets[bucket], link_at, "hash bucket")?;
        let after = le_u32(&self.bytes, self.at(index) + link_at);
        match chain.iter().position(|&i| i == index) {
            Some(0) => self.buckets[bucket] = after,
            Some(p) => {
                let before = self.at(chain[p - 1]) + link_at;
                put_u32(&mut self.bytes, before, after);
            }
            None => {
                return Err(EntryError::BadIndex {
                    table: self.name,
                    index,
                    count: self.used(),
                });
            }
        }
        let dummy = self.bytes[..self.entry_len].to_vec();
        let at = self.at(index);
        self.bytes[at..at + self.entry_len].copy_from_slice(&dummy);
        put_u32(&mut self.bytes, link_at, index);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(s: &str) -> [u8; 16] {
        let mut n = [0u8; 16];
        n[..s.len()].copy_from_slice(s.as_bytes());
        n
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
    fn entries_are_added_found_removed_and_reused() {
        let mut t = EntryTable::new("file", FILE_ENTRY_LEN, 4, 3, 0);
        let a = t.add(1, &name("a")).unwrap();
        let b = t.add(1, &name("b")).unwrap();
        let c = t.add(1, &name("c")).unwrap();
        assert_eq!((a, b, c), (1, 2, 3));
        assert!(matches!(t.add(1, &name("d")), Err(EntryError::Full { .. })));
        assert_eq!(t.find(1, &name("b")).unwrap(), Some(b));
        t.remove(b).unwrap();
        assert_eq!(t.find(1, &name("b")).unwrap(), None);
        assert_eq!(t.find(1, &name("c")).unwrap(), Some(c));
        // The freed slot is reused first.
        assert_eq!(t.add(2, &name("d")).unwrap(), b);
        let again =
            EntryTable::parse("file", FILE_ENTRY_LEN, t.bytes().to_vec(), &t.hash_bytes()).unwrap();
        assert_eq!(again.find(2, &name("d")).unwrap(), Some(b));
    }

    #[test]
    fn a_looping_bucket_chain_is_an_error() {
        let mut t = EntryTable::new("dir", DIR_ENTRY_LEN, 4, 1, 0);
        let a = t.add(1, &name("a")).unwrap();
        let link = t.at(a) + DIR_ENTRY_LEN - 4;
        put_u32(&mut t.bytes, link, a);
        assert!(matches!(
            t.find(1, &name("zz")),
            Err(EntryError::Loop { .. })
        ));
    }
}
