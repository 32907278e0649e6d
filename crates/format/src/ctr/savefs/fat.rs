//! The file allocation table of the SAVE filesystem.
//!
//! One 8-byte entry (two little-endian u32, `u` and `v`) per data block,
//! after entry 0. Entry 0's `v` is the first block of the free chain (as
//! block + 1; 0 = none). Blocks form chains of nodes; a node is a run of
//! consecutive blocks. The entry of a node's first block `b` (entry `b + 1`)
//! holds in `u` the previous node (block + 1, 0 = none; bit 31 set exactly
//! when there is none) and in `v` the next node (block + 1, 0 = none; bit 31
//! set when the node spans more than one block). A multi-block node repeats
//! in entry `b + 2` and in the entry of its last block the same pair: `u` =
//! bit 31 | `b + 1`, `v` = last block + 1.
//!
//! Every walk here is bounded by the table's size and marks the blocks it has
//! seen, so a corrupt table (cycles, overlapping nodes) is an error, never an
//! endless loop.

use thiserror::Error;

use super::meta::{MetaRead, MetaWrite, Piece};
use crate::ctr::partition::PartitionError;

const FLAG: u32 = 0x8000_0000;

/// Why a FAT operation failed.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum FatError {
    #[error("FAT entry {entry}: {why}")]
    Broken { entry: u32, why: &'static str },
    #[error("FAT entry {entry} cannot be read or written: {error}")]
    Unreadable { entry: u32, error: PartitionError },
    #[error("FAT chain starting at block {start} runs into block {block} twice: the chain loops")]
    Cycle { start: u32, block: u32 },
    #[error(
        "FAT chain starting at block {start}: node {node} says its previous node is {}, expected {}",
        describe(*.found), describe(*.expected)
    )]
    BadLink {
        start: u32,
        node: u32,
        found: Option<u32>,
        expected: Option<u32>,
    },
    #[error("{needed} blocks are needed but only {free} are free")]
    NoSpace { needed: u32, free: u32 },
    #[error("block {block} is outside the {blocks}-block data region")]
    OutOfRange { block: u32, blocks: u32 },
}

fn describe(node: Option<u32>) -> String {
    node.map_or_else(|| "none".to_string(), |b| format!("block {b}"))
}

/// One node: a run of `len` blocks from `start`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Node {
    pub start: u32,
    pub len: u32,
    pub prev: Option<u32>,
    pub next: Option<u32>,
}

/// A run of consecutive data blocks.
pub type Run = (u32, u32);

/// The FAT of `blocks` data blocks, read and written entry by entry through
/// the metadata it borrows (see `meta`: entries the walks do not reach are
/// never read, so they need not have been written).
#[derive(Debug)]
pub struct Fat<'m, M: ?Sized> {
    meta: &'m mut M,
    blocks: u32,
}

fn link(index: u32) -> Option<u32> {
    index.checked_sub(1)
}

fn unlink(block: Option<u32>) -> u32 {
    block.map_or(0, |b| b + 1)
}

impl<'m, M: MetaRead + ?Sized> Fat<'m, M> {
    /// The FAT in `meta`'s FAT piece: as many blocks as its entries after
    /// entry 0.
    pub fn new(meta: &'m mut M) -> Self {
        let blocks = (meta.piece_len(Piece::Fat) / 8).saturating_sub(1);
        Fat {
            meta,
            blocks: blocks.min(u64::from(u32::MAX)) as u32,
        }
    }

    /// Number of data blocks.
    pub fn blocks(&self) -> u32 {
        self.blocks
    }

    fn entry(&mut self, entry: u32) -> Result<[u32; 2], FatError> {
        let mut raw = [0u8; 8];
        self.meta
            .read(Piece::Fat, u64::from(entry) * 8, &mut raw)
            .map_err(|error| FatError::Unreadable { entry, error })?;
        let word = |i: usize| u32::from_le_bytes(raw[i..i + 4].try_into().expect("4 bytes"));
        Ok([word(0), word(4)])
    }

    fn check_block(&self, block: u32) -> Result<(), FatError> {
        if block < self.blocks {
            Ok(())
        } else {
            Err(FatError::OutOfRange {
                block,
                blocks: self.blocks,
            })
        }
    }

    /// Reads the node starting at `block`: its first entry, and for a
    /// multi-block node its second and last.
    pub fn node(&mut self, block: u32) -> Result<Node, FatError> {
        self.check_block(block)?;
        let entry = block + 1;
        let [u, v] = self.entry(entry)?;
        let broken = |why| FatError::Broken { entry, why };
        let prev = link(u & !FLAG);
        if (u & FLAG != 0) != prev.is_none() {
            return Err(broken(
                "the first-node flag disagrees with the previous-node link",
            ));
        }
        let next = link(v & !FLAG);
        for b in prev.into_iter().chain(next) {
            self.check_block(b)?;
        }
        let len = if v & FLAG != 0 {
            if entry >= self.blocks {
                return Err(broken("a multi-block node starts at the last block"));
            }
            let [su, sv] = self.entry(entry + 1)?;
            if su != FLAG | entry || sv & FLAG != 0 {
                return Err(broken("a multi-block node has a bad second entry"));
            }
            let last_entry = sv;
            if last_entry <= entry || last_entry > self.blocks {
                return Err(broken("a multi-block node ends outside the table"));
            }
            if self.entry(last_entry)? != [su, sv] {
                return Err(broken(
                    "a multi-block node's last entry does not match its second",
                ));
            }
            last_entry - entry + 1
        } else {
            1
        };
        Ok(Node {
            start: block,
            len,
            prev,
            next,
        })
    }

    /// First block of the free chain.
    pub fn free_head(&mut self) -> Result<Option<u32>, FatError> {
        let [u, v] = self.entry(0)?;
        if u != 0 || v & FLAG != 0 {
            return Err(FatError::Broken {
                entry: 0,
                why: "the free-chain head entry has stray bits",
            });
        }
        let head = link(v);
        if let Some(b) = head {
            self.check_block(b)?;
        }
        Ok(head)
    }

    /// The nodes of the chain starting at `start`, checked: links agree,
    /// no block is visited twice, the walk ends.
    pub fn chain(&mut self, start: u32) -> Result<Vec<Node>, FatError> {
        self.check_block(start)?;
        let mut seen = vec![false; self.blocks as usize];
        let mut nodes = Vec::new();
        let mut expected_prev = None;
        let mut cursor = Some(start);
        while let Some(block) = cursor {
            let node = self.node(block)?;
            if node.prev != expected_prev {
                return Err(FatError::BadLink {
                    start,
                    node: block,
                    found: node.prev,
                    expected: expected_prev,
                });
            }
            for b in node.start..node.start + node.len {
                if std::mem::replace(&mut seen[b as usize], true) {
                    return Err(FatError::Cycle { start, block: b });
                }
            }
            nodes.push(node);
            expected_prev = Some(block);
            cursor = node.next;
        }
        Ok(nodes)
    }

    /// The runs of blocks of the chain starting at `start`.
    pub fn runs(&mut self, start: u32) -> Result<Vec<Run>, FatError> {
        Ok(self
            .chain(start)?
            .iter()
            .map(|n| (n.start, n.len))
            .collect())
    }

    /// Number of free blocks.
    pub fn free_blocks(&mut self) -> Result<u32, FatError> {
        match self.free_head()? {
            None => Ok(0),
            Some(head) => Ok(self.chain(head)?.iter().map(|n| n.len).sum()),
        }
    }
}

impl<'m, M: MetaWrite + ?Sized> Fat<'m, M> {
    fn set_entry(&mut self, entry: u32, value: [u32; 2]) -> Result<(), FatError> {
        let mut raw = [0u8; 8];
        raw[..4].copy_from_slice(&value[0].to_le_bytes());
        raw[4..].copy_from_slice(&value[1].to_le_bytes());
        self.meta
            .write(Piece::Fat, u64::from(entry) * 8, &raw)
            .map_err(|error| FatError::Unreadable { entry, error })
    }

    /// Writes a node as the console does: its first entry, and for a
    /// multi-block node its second and last; the entries between are left
    /// as they are.
    fn set_node(&mut self, node: Node) -> Result<(), FatError> {
        let entry = node.start + 1;
        let first = if node.prev.is_none() { FLAG } else { 0 };
        let many = if node.len > 1 { FLAG } else { 0 };
        self.set_entry(entry, [first | unlink(node.prev), many | unlink(node.next)])?;
        if node.len > 1 {
            let pair = [FLAG | entry, entry + node.len - 1];
            self.set_entry(entry + 1, pair)?;
            self.set_entry(entry + node.len - 1, pair)?;
        }
        Ok(())
    }

    fn set_free_head(&mut self, head: Option<u32>) -> Result<(), FatError> {
        self.set_entry(0, [0, unlink(head)])
    }

    /// Makes every block free, as one node, writing only the entries that
    /// say so (the head and the node's first, second and last).
    pub fn format(&mut self) -> Result<(), FatError> {
        if self.blocks == 0 {
            return self.set_free_head(None);
        }
        self.set_free_head(Some(0))?;
        self.set_node(Node {
            start: 0,
            len: self.blocks,
            prev: None,
            next: None,
        })
    }

    /// Takes `count` (> 0) blocks from the free chain; returns the first.
    pub fn allocate(&mut self, count: u32) -> Result<u32, FatError> {
        assert!(count > 0, "allocating zero blocks");
        let free = self.free_blocks()?;
        if free < count {
            return Err(FatError::NoSpace {
                needed: count,
                free,
            });
        }
        // The free chain was just walked and checked, so it holds `count`.
        let head = self.free_head()?.expect("free blocks exist");
        let mut remaining = count;
        let mut cursor = head;
        loop {
            let mut node = self.node(cursor)?;
            if node.len <= remaining {
                remaining -= node.len;
                if remaining == 0 {
                    if let Some(next) = node.next {
                        let mut after = self.node(next)?;
                        after.prev = None;
                        self.set_node(after)?;
                    }
                    self.set_free_head(node.next)?;
                    node.next = None;
                    self.set_node(node)?;
                    return Ok(head);
                }
                cursor = node.next.expect("the free chain holds enough blocks");
            } else {
                let taken = Node {
                    start: node.start,
                    len: remaining,
                    prev: node.prev,
                    next: None,
                };
                let rest = Node {
                    start: node.start + remaining,
                    len: node.len - remaining,
                    prev: None,
                    next: node.next,
                };
                if let Some(next) = node.next {
                    let mut after = self.node(next)?;
                    after.prev = Some(rest.start);
                    self.set_node(after)?;
                }
                self.set_node(taken)?;
                self.set_node(rest)?;
                self.set_free_head(Some(rest.start))?;
                return Ok(head);
            }
        }
    }

    /// Returns the chain starting at `start` to the free chain.
    pub fn free(&mut self, start: u32) -> Result<(), FatError> {
        let chain = self.chain(start)?;
        let head = self.free_head()?;
        let mut last = *chain.last().expect("a chain has a node");
        if let Some(head) = head {
            let mut first_free = self.node(head)?;
            first_free.prev = Some(last.start);
            self.set_node(first_free)?;
        }
        last.next = head;
        self.set_node(last)?;
        self.set_free_head(Some(start))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ctr::savefs::meta::MemMeta;
    use keepsake_testkit::rand::Rng;

    /// An in-memory FAT of `blocks` blocks, every entry first set to
    /// `fill` (standing for bytes never written), then formatted.
    fn fresh(blocks: u32, fill: u8) -> MemMeta {
        let mut meta = MemMeta::default();
        *meta.piece_mut(Piece::Fat) = vec![fill; (blocks as usize + 1) * 8];
        Fat::new(&mut meta).format().unwrap();
        meta
    }

    fn put(meta: &mut MemMeta, entry: usize, value: [u32; 2]) {
        let bytes = meta.piece_mut(Piece::Fat);
        bytes[entry * 8..entry * 8 + 4].copy_from_slice(&value[0].to_le_bytes());
        bytes[entry * 8 + 4..entry * 8 + 8].copy_from_slice(&value[1].to_le_bytes());
    }

    fn blocks_of(fat: &mut Fat<'_, MemMeta>, start: u32) -> Vec<u32> {
        fat.runs(start)
            .unwrap()
            .iter()
            .flat_map(|&(s, n)| s..s + n)
            .collect()
    }

    #[test]
    fn a_fresh_table_is_one_free_node_written_at_its_ends_only() {
        let meta = fresh(4, 0xEE);
        // Hand-encoded: head -> block 0; node 0 spans 4 blocks, first, no
        // next; entry 3 (inside the run) is left as it was.
        let expected: Vec<u8> = [
            [0u32, 1],
            [FLAG, FLAG],
            [FLAG | 1, 4],
            [0xEEEE_EEEE, 0xEEEE_EEEE],
            [FLAG | 1, 4],
        ]
        .iter()
        .flat_map(|e| e.iter().flat_map(|w| w.to_le_bytes()))
        .collect();
        assert_eq!(meta.piece(Piece::Fat), expected);
        let mut meta = meta;
        assert_eq!(Fat::new(&mut meta).free_blocks().unwrap(), 4);
    }

    #[test]
    fn allocations_and_frees_keep_every_block_accounted_for() {
        let mut rng = keepsake_testkit::rng::for_test("fat_alloc_free");
        let total = 200;
        // Entries never written hold garbage: the walks must not need them.
        let mut meta = fresh(total, 0xC5);
        let mut files: Vec<(u32, u32)> = Vec::new();
        for _ in 0..2000 {
            let mut fat = Fat::new(&mut meta);
            let free = fat.free_blocks().unwrap();
            if rng.random_bool(0.55) && free > 0 {
                let n = rng.random_range(1..=free.min(20));
                let start = fat.allocate(n).unwrap();
                files.push((start, n));
            } else if !files.is_empty() {
                let (start, _) = files.swap_remove(rng.random_range(0..files.len()));
                fat.free(start).unwrap();
            }
            // Independent check: the chains partition the blocks exactly.
            let mut owner = vec![0u8; total as usize];
            for &(start, n) in &files {
                let blocks = blocks_of(&mut fat, start);
                assert_eq!(blocks.len() as u32, n);
                for b in blocks {
                    owner[b as usize] += 1;
                }
            }
            if let Some(head) = fat.free_head().unwrap() {
                for b in blocks_of(&mut fat, head) {
                    owner[b as usize] += 1;
                }
            }
            assert!(owner.iter().all(|&o| o == 1), "a block is lost or shared");
        }
    }

    #[test]
    fn a_cycle_or_a_broken_entry_is_an_error_not_a_hang() {
        let mut meta = fresh(8, 0);
        let (a, b) = {
            let mut fat = Fat::new(&mut meta);
            (fat.allocate(1).unwrap(), fat.allocate(1).unwrap())
        };
        // Link a -> b -> a.
        put(&mut meta, a as usize + 1, [FLAG, b + 1]);
        put(&mut meta, b as usize + 1, [a + 1, a + 1]);
        assert!(matches!(
            Fat::new(&mut meta).chain(a),
            Err(FatError::Cycle { .. }) | Err(FatError::BadLink { .. })
        ));
        let mut meta = fresh(8, 0);
        put(&mut meta, 1, [FLAG, FLAG | 3]); // multi-block node without its second entry
        put(&mut meta, 2, [0, 0]);
        assert!(matches!(
            Fat::new(&mut meta).node(0),
            Err(FatError::Broken { entry: 1, .. })
        ));
        let mut meta = fresh(8, 0);
        put(&mut meta, 0, [0, 99]);
        assert!(matches!(
            Fat::new(&mut meta).free_blocks(),
            Err(FatError::OutOfRange { block: 98, .. })
        ));
        let mut meta = fresh(2, 0);
        assert_eq!(
            Fat::new(&mut meta).allocate(3),
            Err(FatError::NoSpace { needed: 3, free: 2 })
        );
    }
}
