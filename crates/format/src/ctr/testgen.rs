//! Generators of realistic 3DS cartridge save images, for tests (this
//! crate's and, through the `testgen` feature, other crates').
//!
//! No public raw cartridge flash dump is known, so tests build their own
//! following the format: a shuffled block map, blocks left uninitialized
//! (their sectors holding stale bytes), allocation counts, and a journal of
//! several rewrites, each moving a block into the spare's sector as a console
//! does. Every generator takes the caller's seeded rng.

use rand::Rng;
use rand::seq::SliceRandom;

use super::wear::encode::checksums;
use super::wear::geometry::{FlashSize, Geometry, SECTOR_LEN, Version};
use super::wear::journal::JournalEntry;
use super::wear::map::{BlockMap, MapEntry};

/// A generated flash image and what decoding it must give.
#[derive(Debug, Clone)]
pub struct GeneratedFlash {
    pub geometry: Geometry,
    /// The raw wear-leveled image.
    pub image: Vec<u8>,
    /// The logical image it holds, after the journal.
    pub logical: Vec<u8>,
    /// Journal entries written.
    pub journal_entries: usize,
    /// The virtual block each journal slot rewrote, in order.
    pub rewritten: Vec<usize>,
}

/// A flash image of `size` with a random number (1..=12) of journal entries.
pub fn flash_image(rng: &mut impl Rng, size: FlashSize) -> GeneratedFlash {
    let entries = rng.random_range(1..=12);
    flash_image_with_journal(rng, size, entries)
}

/// A flash image of `size` with exactly `journal_entries` journal entries
/// (at most the journal's slot count).
pub fn flash_image_with_journal(
    rng: &mut impl Rng,
    size: FlashSize,
    journal_entries: usize,
) -> GeneratedFlash {
    let g = size.geometry();
    assert!(
        journal_entries <= g.journal_slots,
        "the journal holds {} entries",
        g.journal_slots
    );
    let allocation_mask = if g.version == Version::V2 { 0x7F } else { 0xFF };
    let mut image = vec![0xFF; g.image_len()];
    let mut logical = vec![0xFF; g.logical_len()];

    let mut physicals: Vec<u8> = (1..g.sectors).map(|p| p as u8).collect();
    physicals.shuffle(rng);
    let mut blocks: Vec<MapEntry> = physicals
        .into_iter()
        .map(|physical| MapEntry {
            physical,
            allocations: rng.random_range(0..40u8) & allocation_mask,
            initialized: false,
            checksums: [0; 8],
        })
        .collect();

    for (vb, block) in blocks.iter_mut().enumerate() {
        let sector = sector_range(block.physical);
        if vb < g.logical_blocks() && rng.random_bool(0.75) {
            let data = sector_contents(rng);
            image[sector].copy_from_slice(&data);
            logical[vb * SECTOR_LEN..(vb + 1) * SECTOR_LEN].copy_from_slice(&data);
            block.initialized = true;
            if g.version == Version::V1 {
                block.checksums = checksums(&data);
            }
        } else if rng.random_bool(0.5) {
            // Stale bytes of an earlier life: must read back as 0xFF.
            rng.fill(&mut image[sector]);
        }
    }

    let counters: [u8; 8] = rng.random();
    BlockMap::write(&g, &counters, &blocks, &mut image[..SECTOR_LEN]);

    let spare = g.virtual_blocks - 1;
    let mut rewritten = Vec::with_capacity(journal_entries);
    for slot in 0..journal_entries {
        let vb = rng.random_range(0..g.logical_blocks());
        // Usually the dedicated spare; sometimes another unwritten block.
        let others: Vec<usize> = (0..g.logical_blocks())
            .filter(|&b| b != vb && !blocks[b].initialized)
            .collect();
        let vb_prev = if !others.is_empty() && rng.random_bool(0.3) {
            others[rng.random_range(0..others.len())]
        } else {
            spare
        };
        let data = sector_contents(rng);
        let entry = JournalEntry {
            virtual_block: vb as u8,
            virtual_block_prev: vb_prev as u8,
            physical: blocks[vb_prev].physical,
            physical_prev: blocks[vb].physical,
            allocations: blocks[vb_prev].allocations.wrapping_add(1) & allocation_mask,
            allocations_prev: blocks[vb].allocations,
            checksums: checksums(&data),
        };
        image[sector_range(entry.physical)].copy_from_slice(&data);
        logical[vb * SECTOR_LEN..(vb + 1) * SECTOR_LEN].copy_from_slice(&data);
        blocks[vb_prev] = MapEntry {
            physical: entry.physical_prev,
            allocations: entry.allocations_prev,
            initialized: false,
            checksums: [0; 8],
        };
        blocks[vb] = MapEntry {
            physical: entry.physical,
            allocations: entry.allocations,
            initialized: true,
            checksums: entry.checksums,
        };
        let at = g.journal_slot_offset(slot);
        image[at..at + 0x20].copy_from_slice(&entry.to_slot());
        rewritten.push(vb);
    }

    GeneratedFlash {
        geometry: g,
        image,
        logical,
        journal_entries,
        rewritten,
    }
}

fn sector_range(physical: u8) -> std::ops::Range<usize> {
    let p = usize::from(physical);
    p * SECTOR_LEN..(p + 1) * SECTOR_LEN
}

/// A sector's worth of save-like data: runs of zeros, of random bytes, of
/// 0xFF and of a repeated byte.
pub fn sector_contents(rng: &mut impl Rng) -> Vec<u8> {
    let mut data = Vec::with_capacity(SECTOR_LEN);
    while data.len() < SECTOR_LEN {
        let run = rng.random_range(1..=0x400).min(SECTOR_LEN - data.len());
        match rng.random_range(0..4) {
            0 => data.extend(std::iter::repeat_n(0u8, run)),
            1 => data.extend((0..run).map(|_| rng.random::<u8>())),
            2 => data.extend(std::iter::repeat_n(0xFFu8, run)),
            _ => {
                let byte: u8 = rng.random();
                data.extend(std::iter::repeat_n(byte, run))
            }
        }
    }
    data
}

/// A plaintext logical save image of `len` bytes shaped like a DISA
/// container: `DISA` at 0x100, a few header fields, sparse random data,
/// mostly zeros (as a formatted save is).
pub fn plaintext_disa(rng: &mut impl Rng, len: usize) -> Vec<u8> {
    assert!(len >= 0x1000 && len % 0x200 == 0);
    let mut image = vec![0u8; len];
    rng.fill(&mut image[..0x10]);
    image[0x100..0x104].copy_from_slice(b"DISA");
    image[0x104..0x108].copy_from_slice(&0x40000u32.to_le_bytes());
    rng.fill(&mut image[0x108..0x170]);
    let regions = rng.random_range(2..8);
    for _ in 0..regions {
        let start = rng.random_range(0x200..len);
        let run = rng.random_range(1..0x800).min(len - start);
        rng.fill(&mut image[start..start + run]);
    }
    image
}
