//! Decoding a wear-leveled flash image into its logical image.
//!
//! Order of work: read the block map from sector 0 and check its CRC; check
//! that it is a permutation of the data sectors; replay the journal on it,
//! checking each entry against the map as it stands; copy every logical
//! virtual block out of its sector (0xFF for uninitialized blocks); check
//! each V1 chunk against its checksum. Nothing stops at the first problem:
//! each check lands in the [`Report`], and the logical bytes that a failed
//! check leaves unverified are listed there as untrusted, with the reason.

use super::WearError;
use super::crc16::chunk_checksum;
use super::geometry::{
    CHUNK_LEN, CHUNKS_PER_SECTOR, Geometry, JOURNAL_SLOT_LEN, SECTOR_LEN, Version,
};
use super::journal::{JournalEntry, Slot, parse_slot};
use super::layout::Layout;
use super::map::{BlockMap, MapEntry};
use super::report::{Check, Report, Untrusted};

/// A decoded image: the logical bytes, what was checked, and the map state
/// after replay (which [`super::encode`] can reuse).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub logical: Vec<u8>,
    pub report: Report,
    pub layout: Layout,
}

/// Decodes `image`, recording every check. Fails only when the image's size
/// is not one of a wear-leveled chip; every other problem is in the report.
pub fn decode(image: &[u8]) -> Result<Decoded, WearError> {
    let geometry = Geometry::for_image_len(image.len())?;
    let map = BlockMap::parse(&geometry, &image[..SECTOR_LEN]);
    let mut report = Report::default();
    let mut distrust = Distrust::new(geometry.logical_blocks());

    if map.crc_ok() {
        report.pass(
            Check::MapCrc,
            format!("{:#06x} at {:#x}", map.stored_crc, geometry.crc_offset),
        );
    } else {
        report.fail(
            Check::MapCrc,
            WearError::MapCrc {
                offset: geometry.crc_offset,
                stored: map.stored_crc,
                computed: map.computed_crc,
            },
        );
    }

    check_permutation(&geometry, &map.entries, &mut report);
    let blocks = replay_journal(
        &geometry,
        image,
        map.entries.clone(),
        &mut report,
        &mut distrust,
    );

    let mut logical = vec![0xFF; geometry.logical_len()];
    copy_blocks(
        &geometry,
        image,
        &blocks,
        map.crc_ok(),
        &mut logical,
        &mut report,
        &mut distrust,
    );

    let spare = geometry.virtual_blocks - 1;
    if blocks[spare].initialized {
        report.fail(
            Check::Spare,
            WearError::SpareInitialized {
                virtual_block: spare,
            },
        );
    } else {
        report.pass(
            Check::Spare,
            format!("virtual block {spare} is uninitialized"),
        );
    }

    report.untrusted = distrust.into_ranges();
    Ok(Decoded {
        logical,
        report,
        layout: Layout {
            geometry,
            counters: map.counters,
            blocks,
        },
    })
}

/// Decodes `image` and refuses it, with the first failed check's error, unless
/// every check passed.
pub fn decode_strict(image: &[u8]) -> Result<Vec<u8>, WearError> {
    let decoded = decode(image)?;
    if let Some(error) = decoded.report.failures().next() {
        return Err(error.clone());
    }
    Ok(decoded.logical)
}

fn check_permutation(geometry: &Geometry, entries: &[MapEntry], report: &mut Report) {
    let mut owner: Vec<Option<usize>> = vec![None; geometry.sectors];
    let mut failed = false;
    for (vb, entry) in entries.iter().enumerate() {
        let physical = usize::from(entry.physical);
        let entry_offset = geometry.map_entry_offset(vb);
        if physical == 0 || physical >= geometry.sectors {
            failed = true;
            report.fail(
                Check::MapPermutation,
                WearError::PhysicalOutOfRange {
                    virtual_block: vb,
                    entry_offset,
                    physical: entry.physical,
                    sectors: geometry.sectors,
                },
            );
            continue;
        }
        match owner[physical] {
            Some(first) => {
                failed = true;
                report.fail(
                    Check::MapPermutation,
                    WearError::DuplicatePhysical {
                        physical: entry.physical,
                        first_virtual_block: first,
                        second_virtual_block: vb,
                        entry_offset,
                    },
                );
            }
            None => owner[physical] = Some(vb),
        }
    }
    if !failed {
        report.pass(
            Check::MapPermutation,
            format!(
                "{} virtual blocks in {} distinct sectors",
                entries.len(),
                entries.len()
            ),
        );
    }
}

/// Why a journal entry cannot be applied: field, value found, what was expected.
type Inconsistency = (&'static str, u8, String);

fn check_entry(
    geometry: &Geometry,
    blocks: &[MapEntry],
    e: &JournalEntry,
) -> Result<(), Inconsistency> {
    let vbs = geometry.virtual_blocks;
    let sectors = geometry.sectors;
    if usize::from(e.virtual_block) >= vbs {
        return Err((
            "virtual block",
            e.virtual_block,
            format!("must be below {vbs}"),
        ));
    }
    if usize::from(e.virtual_block_prev) >= vbs {
        return Err((
            "previous virtual block",
            e.virtual_block_prev,
            format!("must be below {vbs}"),
        ));
    }
    if e.virtual_block == e.virtual_block_prev {
        return Err((
            "previous virtual block",
            e.virtual_block_prev,
            "must differ from the virtual block".into(),
        ));
    }
    for (field, value) in [
        ("physical sector", e.physical),
        ("previous physical sector", e.physical_prev),
    ] {
        if value == 0 || usize::from(value) >= sectors {
            return Err((field, value, format!("must be in 1..{sectors}")));
        }
    }
    let block = &blocks[usize::from(e.virtual_block)];
    let spare = &blocks[usize::from(e.virtual_block_prev)];
    if block.physical != e.physical_prev {
        return Err((
            "previous physical sector",
            e.physical_prev,
            format!(
                "virtual block {} is in sector {}",
                e.virtual_block, block.physical
            ),
        ));
    }
    if spare.physical != e.physical {
        return Err((
            "physical sector",
            e.physical,
            format!(
                "the spare, virtual block {}, is in sector {}",
                e.virtual_block_prev, spare.physical
            ),
        ));
    }
    if spare.initialized {
        return Err((
            "previous virtual block",
            e.virtual_block_prev,
            "must name an uninitialized spare block".into(),
        ));
    }
    let mask = allocation_mask(geometry.version);
    if block.allocations & mask != e.allocations_prev & mask {
        return Err((
            "previous allocation count",
            e.allocations_prev,
            format!(
                "virtual block {} has {}",
                e.virtual_block, block.allocations
            ),
        ));
    }
    let next = spare.allocations.wrapping_add(1) & mask;
    if e.allocations & mask != next {
        return Err((
            "allocation count",
            e.allocations,
            format!("must be one more than the spare's {}", spare.allocations),
        ));
    }
    Ok(())
}

fn allocation_mask(version: Version) -> u8 {
    match version {
        Version::V1 => 0xFF,
        Version::V2 => 0x7F,
    }
}

fn apply_entry(version: Version, blocks: &mut [MapEntry], e: &JournalEntry) {
    let mask = allocation_mask(version);
    blocks[usize::from(e.virtual_block_prev)] = MapEntry {
        physical: e.physical_prev,
        allocations: e.allocations_prev & mask,
        initialized: false,
        checksums: [0; CHUNKS_PER_SECTOR],
    };
    blocks[usize::from(e.virtual_block)] = MapEntry {
        physical: e.physical,
        allocations: e.allocations & mask,
        initialized: true,
        checksums: match version {
            Version::V1 => e.checksums,
            Version::V2 => [0; CHUNKS_PER_SECTOR],
        },
    };
}

fn read_slot(geometry: &Geometry, image: &[u8], index: usize) -> Slot {
    let at = geometry.journal_slot_offset(index);
    parse_slot(
        image[at..at + JOURNAL_SLOT_LEN]
            .try_into()
            .expect("32-byte slot"),
    )
}

fn replay_journal(
    geometry: &Geometry,
    image: &[u8],
    mut blocks: Vec<MapEntry>,
    report: &mut Report,
    distrust: &mut Distrust,
) -> Vec<MapEntry> {
    let mut stopped: Option<(usize, Option<Inconsistency>)> = None;
    for index in 0..geometry.journal_slots {
        match read_slot(geometry, image, index) {
            Slot::End => break,
            Slot::Torn { first, second } => {
                distrust.stale_blocks(&[first, second], index);
                stopped = Some((index, None));
                break;
            }
            Slot::Entry(entry) => match check_entry(geometry, &blocks, &entry) {
                Ok(()) => {
                    apply_entry(geometry.version, &mut blocks, &entry);
                    report.journal_replayed += 1;
                }
                Err(inconsistency) => {
                    distrust.stale_blocks(&[entry], index);
                    stopped = Some((index, Some(inconsistency)));
                    break;
                }
            },
        }
    }
    let Some((slot, inconsistency)) = stopped else {
        report.pass(
            Check::Journal,
            format!("{} entries replayed", report.journal_replayed),
        );
        return blocks;
    };
    // Entries after the broken one are not replayed either: the blocks they
    // name keep the older contents the map points at.
    let mut later = 0;
    for index in slot + 1..geometry.journal_slots {
        match read_slot(geometry, image, index) {
            Slot::End => break,
            Slot::Torn { first, second } => distrust.stale_blocks(&[first, second], index),
            Slot::Entry(entry) => distrust.stale_blocks(&[entry], index),
        }
        later += 1;
    }
    let offset = geometry.journal_slot_offset(slot);
    let error = match inconsistency {
        None => WearError::JournalTorn {
            slot,
            offset,
            later,
        },
        Some((field, found, expected)) => WearError::JournalInconsistent {
            slot,
            offset,
            field,
            found,
            expected,
            later,
        },
    };
    report.fail(Check::Journal, error);
    blocks
}

fn copy_blocks(
    geometry: &Geometry,
    image: &[u8],
    blocks: &[MapEntry],
    map_crc_ok: bool,
    logical: &mut [u8],
    report: &mut Report,
    distrust: &mut Distrust,
) {
    let mut claims = vec![0u16; geometry.sectors];
    for entry in blocks {
        if let Some(count) = claims.get_mut(usize::from(entry.physical)) {
            *count += 1;
        }
    }
    let mut verified_chunks = 0usize;
    let mut failed_chunks = false;
    for (vb, entry) in blocks[..geometry.logical_blocks()].iter().enumerate() {
        let physical = usize::from(entry.physical);
        if physical == 0 || physical >= geometry.sectors {
            distrust.block(
                vb,
                format!("virtual block {vb} maps to no valid sector ({physical})"),
            );
            continue;
        }
        if !entry.initialized {
            if !map_crc_ok {
                distrust.block(
                    vb,
                    format!("virtual block {vb} reads as unwritten, but the map that says so failed its CRC"),
                );
            }
            continue;
        }
        let source = &image[physical * SECTOR_LEN..(physical + 1) * SECTOR_LEN];
        let target = &mut logical[vb * SECTOR_LEN..(vb + 1) * SECTOR_LEN];
        target.copy_from_slice(source);
        let shared = claims[physical] > 1;
        match geometry.version {
            Version::V1 => {
                for (chunk, data) in source.chunks_exact(CHUNK_LEN).enumerate() {
                    let computed = chunk_checksum(data);
                    let stored = entry.checksums[chunk];
                    if computed == stored {
                        verified_chunks += 1;
                        continue;
                    }
                    failed_chunks = true;
                    let logical_offset = vb * SECTOR_LEN + chunk * CHUNK_LEN;
                    report.fail(
                        Check::ChunkChecksums,
                        WearError::ChunkChecksum {
                            virtual_block: vb,
                            chunk,
                            physical_offset: physical * SECTOR_LEN + chunk * CHUNK_LEN,
                            logical_offset,
                            stored,
                            computed,
                        },
                    );
                    distrust.chunk(
                        vb * CHUNKS_PER_SECTOR + chunk,
                        format!("checksum mismatch in virtual block {vb}"),
                    );
                }
            }
            Version::V2 => {
                if shared {
                    distrust.block(
                        vb,
                        format!("sector {physical} is claimed by more than one virtual block and V2 has no checksums to tell which"),
                    );
                } else if !map_crc_ok {
                    distrust.block(
                        vb,
                        "the map failed its CRC and V2 has no checksums to confirm the block"
                            .to_string(),
                    );
                }
            }
        }
    }
    match geometry.version {
        Version::V1 if !failed_chunks => report.pass(
            Check::ChunkChecksums,
            format!("{verified_chunks} initialized chunks match"),
        ),
        Version::V1 => {}
        Version::V2 => report.pass(Check::ChunkChecksums, "none stored in V2 images"),
    }
}

/// The reason each logical chunk is not trusted, if it is not.
struct Distrust {
    chunks: Vec<Option<String>>,
    logical_blocks: usize,
}

impl Distrust {
    fn new(logical_blocks: usize) -> Distrust {
        Distrust {
            chunks: vec![None; logical_blocks * CHUNKS_PER_SECTOR],
            logical_blocks,
        }
    }

    /// Keeps the first reason given for a chunk.
    fn chunk(&mut self, index: usize, reason: String) {
        let slot = &mut self.chunks[index];
        if slot.is_none() {
            *slot = Some(reason);
        }
    }

    fn block(&mut self, vb: usize, reason: String) {
        for chunk in 0..CHUNKS_PER_SECTOR {
            self.chunk(vb * CHUNKS_PER_SECTOR + chunk, reason.clone());
        }
    }

    fn stale_blocks(&mut self, entries: &[JournalEntry], slot: usize) {
        for entry in entries {
            for vb in [entry.virtual_block, entry.virtual_block_prev] {
                let vb = usize::from(vb);
                if vb < self.logical_blocks {
                    self.block(
                        vb,
                        format!("virtual block {vb} may be stale: journal slot {slot} records a rewrite that was not replayed"),
                    );
                }
            }
        }
    }

    fn into_ranges(self) -> Vec<Untrusted> {
        let mut ranges: Vec<Untrusted> = Vec::new();
        for (index, reason) in self.chunks.into_iter().enumerate() {
            let Some(reason) = reason else { continue };
            let offset = index * CHUNK_LEN;
            if let Some(last) = ranges.last_mut() {
                if last.logical_offset + last.len == offset && last.reason == reason {
                    last.len += CHUNK_LEN;
                    continue;
                }
            }
            ranges.push(Untrusted {
                logical_offset: offset,
                len: CHUNK_LEN,
                reason,
            });
        }
        ranges
    }
}
