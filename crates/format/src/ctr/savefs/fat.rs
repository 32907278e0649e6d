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

use crate::storage::{le_u32, put_u32};

const FLAG: u32 = 0x8000_0000;

/// Why a FAT operation failed.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum FatError {
    #[error("FAT entry {entry}: {why}")]
    Broken { entry: u32, why: &'static str },
    #[error("FAT chain starting at block {start} runs into block {block} twice: the chain loops")]
    Cycle { start: u32, block: u32 },
    #[error(
        "FAT chain starting at block {start}: node {node} says its previous node is {found:?}, expected {expected:?}"
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

/// The FAT, held in memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fat {
    entries: Vec<[u32; 2]>,
}

fn link(index: u32) -> Option<u32> {
    index.checked_sub(1)
}

fn unlink(block: Option<u32>) -> u32 {
    block.map_or(0, |b| b + 1)
}

impl Fat {
    /// Parses `(blocks + 1) * 8` bytes.
    pub fn parse(bytes: &[u8]) -> Self {
        let entries = bytes
            .chunks_exact(8)
            .map(|e| [le_u32(e, 0), le_u32(e, 4)])
            .collect();
        Fat { entries }
    }

    /// A table for `blocks` free blocks: one free node spanning them all.
    pub fn new_free(blocks: u32) -> Self {
        let mut fat = Fat {
            entries: vec![[0, 0]; blocks as usize + 1],
        };
        if blocks > 0 {
            fat.set_node(Node {
                start: 0,
                len: blocks,
                prev: None,
                next: None,
            });
            fat.entries[0] = [0, 1];
        }
        fat
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = vec![0u8; self.entries.len() * 8];
        for (i, e) in self.entries.iter().enumerate() {
            put_u32(&mut out, i * 8, e[0]);
            put_u32(&mut out, i * 8 + 4, e[1]);
        }
        out
    }

    /// Number of data blocks.
    pub fn blocks(&self) -> u32 {
        (self.entries.len() - 1) as u32
    }

    fn check_block(&self, block: u32) -> Result<(), FatError> {
        if block < self.blocks() {
            Ok(())
        } else {
            Err(FatError::OutOfRange {
                block,
                blocks: self.blocks(),
            })
        }
    }

    /// Reads the node starting at `block`.
    pub fn node(&self, block: u32) -> Result<Node, FatError> {
        self.check_block(block)?;
        let entry = block + 1;
        let [u, v] = self.entries[entry as usize];
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
            let Some(&[su, sv]) = self.entries.get(entry as usize + 1) else {
                return Err(broken("a multi-block node starts at the last block"));
            };
            if su != FLAG | entry || sv & FLAG != 0 {
                return Err(broken("a multi-block node has a bad second entry"));
            }
            let last_entry = sv;
            if last_entry <= entry || last_entry as usize >= self.entries.len() {
                return Err(broken("a multi-block node ends outside the table"));
            }
            if self.entries[last_entry as usize] != [su, sv] {
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

    fn set_node(&mut self, node: Node) {
        let entry = node.start as usize + 1;
        let first = if node.prev.is_none() { FLAG } else { 0 };
        let many = if node.len > 1 { FLAG } else { 0 };
        self.entries[entry] = [first | unlink(node.prev), many | unlink(node.next)];
        if node.len > 1 {
            let pair = [FLAG | entry as u32, entry as u32 + node.len - 1];
            self.entries[entry + 1] = pair;
            self.entries[entry + node.len as usize - 1] = pair;
        }
    }

    /// First block of the free chain.
    pub fn free_head(&self) -> Result<Option<u32>, FatError> {
        let [u, v] = self.entries[0];
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

    fn set_free_head(&mut self, head: Option<u32>) {
        self.entries[0] = [0, unlink(head)];
    }

    /// The nodes of the chain starting at `start`, checked: links agree,
    /// no block is visited twice, the walk ends.
    pub fn chain(&self, start: u32) -> Result<Vec<Node>, FatError> {
        let mut seen = vec![false; self.blocks() as usize];
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
    pub fn runs(&self, start: u32) -> Result<Vec<Run>, FatError> {
        Ok(self
            .chain(start)?
            .iter()
            .map(|n| (n.start, n.len))
            .collect())
    }

    /// Number of free blocks.
    pub fn free_blocks(&self) -> Result<u32, FatError> {
        match self.free_head()? {
            None => Ok(0),
            Some(head) => Ok(self.chain(head)?.iter().map(|n| n.len).sum()),
        }
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
                        self.set_node(after);
                    }
                    self.set_free_head(node.next);
                    node.next = None;
                    self.set_node(node);
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
                    self.set_node(after);
                }
                self.set_node(taken);
                self.set_node(rest);
                self.set_free_head(Some(rest.start));
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
            self.set_node(first_free);
        }
        last.next = head;
        self.set_node(last);
        self.set_free_head(Some(start));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use keepsake_testkit::rand::Rng;

    fn blocks_of(fat: &Fat, start: u32) -> Vec<u32> {
        fat.runs(start)
            .unwrap()
            .iter()
            .flat_map(|&(s, n)| s..s + n)
            .collect()
    }

    #[test]
    fn a_fresh_table_is_one_free_node_encoded_as_the_format_says() {
        let fat = Fat::new_free(4);
        // Hand-encoded: head -> block 0; node 0 spans 4 blocks, first, no next.
        let expected: Vec<u8> = [
            [0u32, 1],
            [FLAG, FLAG],
            [FLAG | 1, 4],
            [0, 0],
            [FLAG | 1, 4],
        ]
        .iter()
        .flat_map(|e| e.iter().flat_map(|w| w.to_le_bytes()))
        .collect();
        assert_eq!(fat.to_bytes(), expected);
        assert_eq!(fat.free_blocks().unwrap(), 4);
    }

    #[test]
    fn allocations_and_frees_keep_every_block_accounted_for() {
        let mut rng = keepsake_testkit::rng::for_test("fat_alloc_free");
        let total = 200;
        let mut fat = Fat::new_free(total);
        let mut files: Vec<(u32, u32)> = Vec::new();
        for _ in 0..2000 {
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
                let blocks = blocks_of(&fat, start);
                assert_eq!(blocks.len() as u32, n);
                for b in blocks {
                    owner[b as usize] += 1;
                }
            }
            if let Some(head) = fat.free_head().unwrap() {
                for b in blocks_of(&fat, head) {
                    owner[b as usize] += 1;
                }
            }
            assert!(owner.iter().all(|&o| o == 1), "a block is lost or shared");
            // The bytes decode to the same table.
            assert_eq!(Fat::parse(&fat.to_bytes()), fat);
        }
    }

    #[test]
    fn a_cycle_or_a_broken_entry_is_an_error_not_a_hang() {
        let mut fat = Fat::new_free(8);
        let a = fat.allocate(1).unwrap();
        let b = fat.allocate(1).unwrap();
        // Link a -> b -> a.
        fat.entries[a as usize + 1] = [FLAG, b + 1];
        fat.entries[b as usize + 1] = [a + 1, a + 1];
        assert!(matches!(
            fat.chain(a),
            Err(FatError::Cycle { .. }) | Err(FatError::BadLink { .. })
        ));
        let mut fat = Fat::new_free(8);
        fat.entries[1] = [FLAG, FLAG | 3]; // multi-block node without its second entry
        fat.entries[2] = [0, 0];
        assert!(matches!(
            fat.node(0),
            Err(FatError::Broken { entry: 1, .. })
        ));
        let mut fat = Fat::new_free(8);
        fat.entries[0] = [0, 99];
        assert!(matches!(
            fat.free_blocks(),
            Err(FatError::OutOfRange { block: 98, .. })
        ));
        let mut fat = Fat::new_free(2);
        assert_eq!(
            fat.allocate(3),
            Err(FatError::NoSpace { needed: 3, free: 2 })
        );
    }
}
