//! Encoding a logical image back into a wear-leveled flash image.
//!
//! The result follows a [`Layout`] (the original's map state after replay, or
//! a fresh one): each virtual block stays in its sector with its allocation
//! count, the counters are kept, and the journal is squashed into the map,
//! which leaves the journal area erased (0xFF). A block that holds data is
//! marked initialized with fresh checksums (V1); a block that is all 0xFF
//! and was never initialized stays uninitialized, its sector erased.

use super::WearError;
use super::crc16::chunk_checksum;
use super::geometry::{CHUNK_LEN, CHUNKS_PER_SECTOR, Geometry, SECTOR_LEN, Version};
use super::layout::Layout;
use super::map::{BlockMap, MapEntry};

/// Lays `logical` out along `layout`. The layout must be a valid permutation
/// and the logical image exactly as long as the layout's chip holds.
pub fn encode(logical: &[u8], layout: &Layout) -> Result<Vec<u8>, WearError> {
    let geometry = layout.geometry;
    if logical.len() != geometry.logical_len() {
        return Err(WearError::LogicalSizeMismatch {
            len: logical.len(),
            expected: geometry.logical_len(),
        });
    }
    if layout.blocks.len() != geometry.virtual_blocks {
        return Err(WearError::UnusableTemplate(Box::new(
            WearError::WrongSize {
                len: layout.blocks.len() * SECTOR_LEN,
            },
        )));
    }
    layout
        .validate()
        .map_err(|e| WearError::UnusableTemplate(Box::new(e)))?;

    let mut image = vec![0xFF; geometry.image_len()];
    let mut entries = layout.blocks.clone();
    for (vb, entry) in entries.iter_mut().enumerate() {
        if vb >= geometry.logical_blocks() {
            // The spare: nothing logical lives there.
            *entry = uninitialized(entry);
            continue;
        }
        let data = &logical[vb * SECTOR_LEN..(vb + 1) * SECTOR_LEN];
        if !entry.initialized && data.iter().all(|&b| b == 0xFF) {
            *entry = uninitialized(entry);
            continue;
        }
        let physical = usize::from(entry.physical);
        image[physical * SECTOR_LEN..(physical + 1) * SECTOR_LEN].copy_from_slice(data);
        if !entry.initialized && entry.allocations == 0 {
            // A first write allocates the block once.
            entry.allocations = 1;
        }
        entry.initialized = true;
        entry.checksums = match geometry.version {
            Version::V1 => checksums(data),
            Version::V2 => [0; CHUNKS_PER_SECTOR],
        };
    }
    BlockMap::write(
        &geometry,
        &layout.counters,
        &entries,
        &mut image[..SECTOR_LEN],
    );
    Ok(image)
}

/// Encodes `logical` onto a freshly formatted chip of the matching size.
pub fn encode_fresh(logical: &[u8]) -> Result<Vec<u8>, WearError> {
    let geometry = Geometry::for_logical_len(logical.len())
        .ok_or(WearError::LogicalSize { len: logical.len() })?;
    encode(logical, &Layout::fresh(geometry.size))
}

/// The eight chunk checksums of a sector's data.
pub fn checksums(sector: &[u8]) -> [u8; CHUNKS_PER_SECTOR] {
    let mut out = [0u8; CHUNKS_PER_SECTOR];
    for (sum, chunk) in out.iter_mut().zip(sector.chunks_exact(CHUNK_LEN)) {
        *sum = chunk_checksum(chunk);
    }
    out
}

fn uninitialized(entry: &MapEntry) -> MapEntry {
    MapEntry {
        initialized: false,
        checksums: [0; CHUNKS_PER_SECTOR],
        ..*entry
    }
}
