//! A second, minimal reader of plaintext DISA saves, written for tests from
//! the layout on 3dbrew (Savegames page) and sharing no code with the crate
//! under test: what Keepsake writes must read back through it exactly.
//!
//! DISA header at 0x100: partition count (u32 at 0x08), table offsets (u64:
//! secondary at 0x10, primary at 0x18), table size (0x20), per partition the
//! descriptor offset and size in the table (0x28 + 0x10 i) and the partition
//! offset and size in the image (0x48 + 0x10 i), active table (u8 at 0x68, 0
//! = primary), SHA-256 of the active table (0x6C). A descriptor is a DIFI
//! header (IVFC descriptor offset 0x08, DPFS descriptor offset 0x18, master
//! hash offset 0x28 and size 0x30, external level-4 flag 0x38, DPFS level-1
//! selector 0x39, external level-4 offset 0x3C), an IVFC descriptor (levels
//! 1-4 as offset, size, log2 block size at 0x10 + 0x18 i) and a DPFS
//! descriptor (levels 1-3 likewise at 0x08 + 0x18 i). DPFS levels come in
//! two copies; a bit of level n (u32 words, most significant bit first)
//! picks the copy of a block of level n + 1. IVFC level n + 1 blocks are
//! hashed (SHA-256, zero-padded to the block size) into level n; an all-zero
//! hash means the block was never written, and this reader refuses it.
//!
//! SAVE filesystem: header "SAVE" with the filesystem information at the
//! offset in u64 0x08; in it the hash tables, the FAT (8-byte entries, entry
//! 0 the free head, entry b + 1 for block b: u = previous | first flag, v =
//! next | multi-block flag; a multi-block node's second entry holds in v its
//! last block + 1), the data region and the entry tables (directory entries
//! 0x28 bytes, file entries 0x30; entry 1 of the directories is the root).
//! Only the bytes a walk needs are read.

#![allow(dead_code)]

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().unwrap())
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().unwrap())
}

#[derive(Clone, Copy, Debug)]
struct Level {
    offset: u64,
    size: u64,
    log: u32,
}

fn level(b: &[u8], at: usize) -> Level {
    Level {
        offset: u64_at(b, at),
        size: u64_at(b, at + 8),
        log: u32_at(b, at + 16),
    }
}

struct Partition {
    base: u64,
    dpfs: [Level; 3],
    ivfc: [Level; 4],
    master: Vec<u8>,
    selector: u8,
    external: Option<u64>,
}

pub struct Reader<'a> {
    image: &'a [u8],
    parts: Vec<Partition>,
    checked: BTreeMap<(usize, usize, u64), Vec<u8>>,
}

impl<'a> Reader<'a> {
    pub fn open(image: &'a [u8]) -> Result<Self, String> {
        let h = &image[0x100..0x200];
        if &h[0..4] != b"DISA" {
            return Err("no DISA magic".into());
        }
        let count = u32_at(h, 8) as usize;
        let table_at = if h[0x68] == 0 {
            u64_at(h, 0x18)
        } else {
            u64_at(h, 0x10)
        } as usize;
        let table = &image[table_at..table_at + u64_at(h, 0x20) as usize];
        if Sha256::digest(table)[..] != h[0x6C..0x8C] {
            return Err("the active partition table's hash does not match".into());
        }
        let mut parts = Vec::new();
        for i in 0..count {
            let d = &table[u64_at(h, 0x28 + 0x10 * i) as usize..];
            if &d[0..4] != b"DIFI" {
                return Err(format!("partition {i}: no DIFI magic"));
            }
            let ivfc = &d[u64_at(d, 0x08) as usize..];
            let dpfs = &d[u64_at(d, 0x18) as usize..];
            if &ivfc[0..4] != b"IVFC" || &dpfs[0..4] != b"DPFS" {
                return Err(format!("partition {i}: no IVFC or DPFS magic"));
            }
            let master_at = u64_at(d, 0x28) as usize;
            parts.push(Partition {
                base: u64_at(h, 0x48 + 0x10 * i),
                dpfs: [level(dpfs, 0x08), level(dpfs, 0x20), level(dpfs, 0x38)],
                ivfc: [
                    level(ivfc, 0x10),
                    level(ivfc, 0x28),
                    level(ivfc, 0x40),
                    level(ivfc, 0x58),
                ],
                master: d[master_at..master_at + u64_at(d, 0x30) as usize].to_vec(),
                selector: d[0x39],
                external: (d[0x38] != 0).then(|| u64_at(d, 0x3C)),
            });
        }
        Ok(Reader {
            image,
            parts,
            checked: BTreeMap::new(),
        })
    }

    fn bit(bits: &[u8], index: u64) -> u8 {
        let word = u32_at(bits, (index / 32 * 4) as usize);
        ((word >> (31 - index % 32)) & 1) as u8
    }

    /// One byte range of DPFS level 3 of partition `p`, from the live copies.
    fn dpfs_read(&self, p: usize, offset: u64, len: u64) -> Vec<u8> {
        let part = &self.parts[p];
        let [l1, l2, l3] = part.dpfs;
        let at = |l: Level, copy: u8| (part.base + l.offset + u64::from(copy) * l.size) as usize;
        let level1 = &self.image[at(l1, part.selector)..][..l1.size as usize];
        let mut out = Vec::with_capacity(len as usize);
        for x in offset..offset + len {
            let b3 = x >> l3.log;
            // The level-2 bit of block b3 lies in level-2 block (byte >> log).
            let byte2 = b3 / 8;
            let copy2 = Self::bit(level1, (byte2 / 4 * 4) >> l2.log);
            let level2 = &self.image[at(l2, copy2)..][..l2.size as usize];
            let copy3 = Self::bit(level2, b3);
            out.push(self.image[at(l3, copy3) + x as usize]);
        }
        out
    }

    /// Block `b` of IVFC level `n` (0-based: 0..=3) of partition `p`,
    /// checked up to the master hash.
    fn block(&mut self, p: usize, n: usize, b: u64) -> Result<Vec<u8>, String> {
        if let Some(bytes) = self.checked.get(&(p, n, b)) {
            return Ok(bytes.clone());
        }
        let part = &self.parts[p];
        let lv = part.ivfc[n];
        let block_len = 1u64 << lv.log;
        let start = b * block_len;
        if start >= lv.size {
            return Err(format!("level {} block {b} is outside the level", n + 1));
        }
        let len = block_len.min(lv.size - start);
        let data = match (n, part.external) {
            (3, Some(ext)) => {
                let at = (part.base + ext + start) as usize;
                self.image[at..at + len as usize].to_vec()
            }
            _ => self.dpfs_read(p, lv.offset + start, len),
        };
        let expected = if n == 0 {
            part.master[(b * 32) as usize..(b * 32 + 32) as usize].to_vec()
        } else {
            let above = part.ivfc[n - 1];
            let entry = b * 32;
            let parent = self.block(p, n - 1, entry >> above.log)?;
            let at = (entry & ((1 << above.log) - 1)) as usize;
            parent[at..at + 32].to_vec()
        };
        if expected.iter().all(|&x| x == 0) {
            return Err(format!(
                "partition {p} level {} block {b} was never written",
                n + 1
            ));
        }
        let mut padded = data.clone();
        padded.resize(block_len as usize, 0);
        if Sha256::digest(&padded)[..] != expected[..] {
            return Err(format!(
                "partition {p} level {} block {b} is corrupt",
                n + 1
            ));
        }
        self.checked.insert((p, n, b), data.clone());
        Ok(data)
    }

    /// `len` payload bytes of partition `p` at `offset`, every block checked.
    pub fn read(&mut self, p: usize, offset: u64, len: u64) -> Result<Vec<u8>, String> {
        let log = self.parts[p].ivfc[3].log;
        let mut out = Vec::with_capacity(len as usize);
        let mut x = offset;
        while x < offset + len {
            let b = x >> log;
            let block = self.block(p, 3, b)?;
            let from = (x - (b << log)) as usize;
            let n = (block.len() - from).min((offset + len - x) as usize);
            out.extend_from_slice(&block[from..from + n]);
            x += n as u64;
        }
        Ok(out)
    }

    /// Payload blocks whose hash is all zero, per partition (read straight
    /// from level 3, without checking it).
    pub fn unwritten_blocks(&self) -> Vec<u64> {
        (0..self.parts.len())
            .map(|p| {
                let part = &self.parts[p];
                let l3 = part.ivfc[2];
                let hashes = self.dpfs_read(p, l3.offset, l3.size);
                let blocks = part.ivfc[3].size.div_ceil(1 << part.ivfc[3].log);
                (0..blocks)
                    .filter(|b| {
                        hashes[(b * 32) as usize..(b * 32 + 32) as usize]
                            .iter()
                            .all(|&x| x == 0)
                    })
                    .count() as u64
            })
            .collect()
    }
}

/// Path -> `None` for a directory, `Some(contents)` for a file.
pub type Tree = BTreeMap<String, Option<Vec<u8>>>;

struct Fs<'r, 'a> {
    r: &'r mut Reader<'a>,
    two: bool,
    block_len: u64,
    fat_at: u64,
    data_at: u64,
    dirs: Table,
    files: Table,
}

enum Table {
    At(u64),
    /// The table's data blocks, in order.
    Blocks(Vec<u64>),
}

impl Fs<'_, '_> {
    fn fat_entry(&mut self, e: u64) -> Result<(u32, u32), String> {
        let b = self.r.read(0, self.fat_at + e * 8, 8)?;
        Ok((u32_at(&b, 0), u32_at(&b, 4)))
    }

    /// The data blocks of the chain from `first`.
    fn chain(&mut self, first: u64) -> Result<Vec<u64>, String> {
        let mut out = Vec::new();
        let mut cur = Some(first);
        while let Some(b) = cur {
            if out.len() > 1 << 24 {
                return Err("the chain loops".into());
            }
            let (_, v) = self.fat_entry(b + 1)?;
            let len = if v & 0x8000_0000 != 0 {
                let (_, last) = self.fat_entry(b + 2)?;
                u64::from(last) - b
            } else {
                1
            };
            out.extend(b..b + len);
            let next = v & 0x7FFF_FFFF;
            cur = (next != 0).then(|| u64::from(next) - 1);
        }
        Ok(out)
    }

    fn data(&mut self, block: u64, within: u64, len: u64) -> Result<Vec<u8>, String> {
        if self.two {
            self.r.read(1, block * self.block_len + within, len)
        } else {
            self.r
                .read(0, self.data_at + block * self.block_len + within, len)
        }
    }

    fn entry(&mut self, dirs: bool, index: u32) -> Result<Vec<u8>, String> {
        let len: u64 = if dirs { 0x28 } else { 0x30 };
        let at = u64::from(index) * len;
        let table = if dirs { &self.dirs } else { &self.files };
        match table {
            Table::At(offset) => {
                let offset = *offset;
                self.r.read(0, offset + at, len)
            }
            Table::Blocks(blocks) => {
                let blocks = blocks.clone();
                let mut out = Vec::new();
                for x in at..at + len {
                    let b = blocks[(x / self.block_len) as usize];
                    out.extend(self.data(b, x % self.block_len, 1)?);
                }
                Ok(out)
            }
        }
    }

    fn name(e: &[u8]) -> String {
        let raw = &e[4..20];
        let end = raw.iter().position(|&c| c == 0).unwrap_or(16);
        String::from_utf8_lossy(&raw[..end]).into_owned()
    }

    fn walk(&mut self, dir: u32, prefix: &str, out: &mut Tree) -> Result<(), String> {
        let d = self.entry(true, dir)?;
        let mut sub = u32_at(&d, 0x18);
        while sub != 0 {
            let e = self.entry(true, sub)?;
            let path = join(prefix, &Self::name(&e));
            if out.insert(path.clone(), None).is_some() {
                return Err(format!("{path} is listed twice"));
            }
            self.walk(sub, &path, out)?;
            sub = u32_at(&e, 0x14);
        }
        let mut file = u32_at(&d, 0x1C);
        while file != 0 {
            let e = self.entry(false, file)?;
            let path = join(prefix, &Self::name(&e));
            let size = u64_at(&e, 0x20);
            let first = u32_at(&e, 0x1C);
            let mut contents = Vec::with_capacity(size as usize);
            if first != 0x8000_0000 {
                for b in self.chain(u64::from(first))? {
                    if contents.len() as u64 >= size {
                        break;
                    }
                    let n = self.block_len.min(size - contents.len() as u64);
                    contents.extend(self.data(b, 0, n)?);
                }
            }
            if contents.len() as u64 != size {
                return Err(format!("{path}: chain shorter than its size"));
            }
            if out.insert(path.clone(), Some(contents)).is_some() {
                return Err(format!("{path} is listed twice"));
            }
            file = u32_at(&e, 0x14);
        }
        Ok(())
    }
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}/{name}")
    }
}

/// Every directory and file of the save in `image`, with file contents.
pub fn read_tree(image: &[u8]) -> Result<Tree, String> {
    let mut r = Reader::open(image)?;
    let two = r.parts.len() == 2;
    let header = r.read(0, 0, 0x20)?;
    if &header[0..4] != b"SAVE" {
        return Err("no SAVE magic".into());
    }
    let info = r.read(0, u64_at(&header, 8), 0x68)?;
    let table = |raw: u64| {
        if two {
            Table::At(raw)
        } else {
            Table::Blocks(vec![raw & 0xFFFF_FFFF, raw >> 32])
        }
    };
    let mut fs = Fs {
        r: &mut r,
        two,
        block_len: u64::from(u32_at(&info, 4)),
        fat_at: u64_at(&info, 0x28),
        data_at: u64_at(&info, 0x38),
        dirs: table(u64_at(&info, 0x48)),
        files: table(u64_at(&info, 0x58)),
    };
    // With one partition a table is a chain: [first block, block count].
    for dirs in [true, false] {
        let t = if dirs { &fs.dirs } else { &fs.files };
        if let Table::Blocks(v) = t {
            let (first, count) = (v[0], v[1]);
            let mut blocks = fs.chain(first)?;
            if (blocks.len() as u64) < count {
                return Err("an entry table's chain is short".into());
            }
            blocks.truncate(count as usize);
            if dirs {
                fs.dirs = Table::Blocks(blocks);
            } else {
                fs.files = Table::Blocks(blocks);
            }
        }
    }
    let mut out = Tree::new();
    fs.walk(1, "", &mut out)?;
    Ok(out)
}

/// Payload blocks never written (all-zero hash), per partition.
pub fn unwritten_blocks(image: &[u8]) -> Result<Vec<u64>, String> {
    Ok(Reader::open(image)?.unwritten_blocks())
}
