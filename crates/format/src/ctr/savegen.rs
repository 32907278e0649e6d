//! Generators of sparse SAVE images, for tests: saves written the way the
//! console writes them, so that parts of the image were never written.
//!
//! The console (and save3ds) write only what they must: of a free run in
//! the FAT the two end entries, of an entry table the entries in use, of a
//! file its bytes. The rest of the image keeps what it held before, with no
//! hash over it. [`sparse_save`] formats a save, fills every payload block
//! that has no hash with random bytes (stale bytes of an earlier life, as a
//! reused flash would hold), then imports files of many sizes into nested
//! directories until it is 50 to 85% full, removes some and refills the
//! holes they leave, so that the free chain ends up in several runs; the blocks nobody wrote are filled
//! again at the end. It returns the image and the tree it must hold, as
//! recorded by the generator itself (the input, not read back).

use std::collections::BTreeMap;

use rand::Rng;
use rand::seq::IndexedRandom;

use super::disa::{self, Disa};
use super::partition::PartitionError;
use super::savefs::SaveFs;
use super::savefs::format::SaveFormat;

/// Path -> `None` for a directory, `Some(contents)` for a file.
pub type Tree = BTreeMap<String, Option<Vec<u8>>>;

/// A generated save and what it holds.
#[derive(Debug, Clone)]
pub struct GeneratedSave {
    pub image: Vec<u8>,
    pub tree: Tree,
    /// Files removed along the way (their blocks were reused).
    pub removed: usize,
    /// Payload blocks filled with random bytes at the end, per partition.
    pub unwritten: Vec<u64>,
}

/// Fills every payload block of `disa` that was never written (it has no
/// hash) with random bytes, in both DPFS copies; returns the container and
/// how many such blocks each partition has.
pub fn fill_unwritten(rng: &mut impl Rng, mut disa: Disa<Vec<u8>>) -> (Disa<Vec<u8>>, Vec<u64>) {
    let mut counts = Vec::new();
    // Raw image ranges to fill: (offset, length).
    let mut ranges = Vec::new();
    for p in 0..disa.partitions().len() {
        let partition = &disa.partitions()[p];
        let (base, _) = partition.placement();
        let descriptor = partition.descriptor().clone();
        let block_len = partition.block_len();
        let len = partition.len();
        let l4 = descriptor.ivfc.levels[3];
        let l3 = descriptor.dpfs.levels[2];
        let mut count = 0;
        let mut block = vec![0u8; block_len as usize];
        for b in 0..len.div_ceil(block_len) {
            let start = b * block_len;
            let n = block_len.min(len - start) as usize;
            if let Err(PartitionError::NeverWritten { .. }) = disa.read(p, start, &mut block[..n]) {
                count += 1;
                match descriptor.difi.external_level4 {
                    Some(at) => ranges.push((base + at + start, n)),
                    None => {
                        for copy in 0..2 {
                            ranges.push((base + l3.copy_offset(copy) + l4.offset + start, n));
                        }
                    }
                }
            }
        }
        counts.push(count);
    }
    let mut storage = disa.into_storage();
    for (at, n) in ranges {
        rng.fill(&mut storage[at as usize..at as usize + n]);
    }
    (disa::open(storage).expect("the container reopens"), counts)
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

fn contents(rng: &mut impl Rng, len: usize) -> Vec<u8> {
    let mut data = vec![0u8; len];
    if rng.random_bool(0.5) {
        rng.fill(&mut data[..]);
    } else {
        data.fill(rng.random());
    }
    data
}

/// A save formatted with `format` in `image_len` bytes, filled, thinned
/// and refilled as described at the top; `rounds` rounds of imports and
/// removals.
pub fn sparse_save(
    rng: &mut impl Rng,
    format: SaveFormat,
    image_len: u64,
    rounds: usize,
) -> GeneratedSave {
    let fs = format.format(image_len).expect("the save formats");
    let (disa, _) = fill_unwritten(rng, fs.into_disa());
    let mut fs = SaveFs::open(disa).expect("a fresh save opens");
    let block = format.block_len as usize;
    let mut tree = Tree::new();
    let mut removed = 0;
    let mut serial = 0;
    let data_blocks = u64::from(fs.info().data_blocks);
    for _ in 0..rounds {
        // Imports until the save is 50 to 85% full (so that the end of the
        // data region stays unwritten) or a file does not fit.
        let keep_free = data_blocks * rng.random_range(15..=50) / 100;
        loop {
            if u64::from(fs.free_blocks().expect("the FAT reads")) <= keep_free {
                break;
            }
            let dirs: Vec<String> = std::iter::once(String::new())
                .chain(
                    tree.iter()
                        .filter(|(_, c)| c.is_none())
                        .map(|(p, _)| p.clone()),
                )
                .collect();
            let parent = dirs.choose(rng).expect("the root").clone();
            serial += 1;
            if rng.random_bool(0.15) {
                let path = join(&parent, &format!("d{serial}"));
                if fs.create_dir(&path).is_err() {
                    break;
                }
                tree.insert(path, None);
                continue;
            }
            let len = match rng.random_range(0..5) {
                0 => 0,
                1 => rng.random_range(1..block),
                2 => block * rng.random_range(1..5),
                _ => rng.random_range(1..block * 12),
            };
            let data = contents(rng, len);
            let path = join(&parent, &format!("f{serial}.bin"));
            match fs.write_file(&path, &data) {
                Ok(_) => {
                    tree.insert(path, Some(data));
                }
                Err(_) if rng.random_bool(0.8) => break,
                Err(_) => {}
            }
        }
        // Remove about a third of the files: their blocks join the free
        // chain as separate runs, which the next round's imports reuse.
        let files: Vec<String> = tree
            .iter()
            .filter(|(_, c)| c.is_some())
            .map(|(p, _)| p.clone())
            .collect();
        for path in files {
            if rng.random_bool(0.35) {
                fs.remove(&path).expect("a listed file is removed");
                tree.remove(&path);
                removed += 1;
            }
        }
        fs.commit().expect("the save commits");
    }
    // Always one empty file (no data block at all), as saves often have.
    fs.write_file("empty", b"").expect("room for an empty file");
    tree.insert("empty".to_string(), Some(Vec::new()));
    fs.commit().expect("the save commits");
    let (disa, unwritten) = fill_unwritten(rng, fs.into_disa());
    GeneratedSave {
        image: disa.into_storage(),
        tree,
        removed,
        unwritten,
    }
}

/// What [`save_with_unwritten`] leaves unwritten under `dir/bad.bin`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unwritten {
    /// The file's data: its entry points at the first block of the free
    /// run, never written (as a file grown by a tool that does not write
    /// the new blocks would be).
    Data,
    /// The FAT entry of its first block: the entry points at a block inside
    /// the free run, whose FAT entry lies in a FAT block never written.
    FatEntry,
}

/// A two-partition save (512-byte blocks, 1 MiB) holding `good.bin` and
/// `dir/bad.bin`, where `bad.bin` then needs a block that was never written
/// (see [`Unwritten`]); everything else is hashed and sound. Returns the
/// image and the contents of `good.bin`.
pub fn save_with_unwritten(what: Unwritten) -> (Vec<u8>, Vec<u8>) {
    use super::savefs::Node;
    use super::savefs::header::TableHome;

    let mut fs = SaveFormat::new(512, 4, 8, false)
        .format(1024 * 1024)
        .expect("a 1 MiB save formats");
    let good: Vec<u8> = (0..1000u32).map(|i| (i * 7) as u8).collect();
    fs.write_file("good.bin", &good).expect("room for a file");
    fs.create_dir("dir").expect("room for a directory");
    fs.write_file("dir/bad.bin", &[0x42; 600])
        .expect("room for a file");
    fs.commit().expect("the save commits");
    let Node::File(bad) = fs.lookup("dir/bad.bin").expect("just written") else {
        unreachable!("a file was written")
    };
    let info = *fs.info();
    let TableHome::Offset(file_table) = info.file_table else {
        unreachable!("two partitions keep the tables at an offset")
    };
    let mut disa = fs.into_disa();
    let mut head = [0u8; 8];
    disa.read(0, info.fat_offset, &mut head)
        .expect("the FAT head was written");
    // Entry 0's second word: first free block + 1.
    let free = u32::from_le_bytes(head[4..8].try_into().expect("4 bytes")) - 1;
    let block = match what {
        Unwritten::Data => free,
        // Halfway into the free run: its FAT entry is 1000 entries (8000
        // bytes, many 512-byte blocks) away from any entry ever written.
        Unwritten::FatEntry => free + 1000,
    };
    disa.write(
        0,
        file_table + u64::from(bad) * 0x30 + 0x1C,
        &block.to_le_bytes(),
    )
    .expect("the entry is written");
    disa.commit().expect("the save commits");
    (disa.into_storage(), good)
}
