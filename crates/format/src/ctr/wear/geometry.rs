//! Where everything sits in a wear-leveled flash image of a given size.
//!
//! The flash is cut into 0x1000-byte sectors. Physical sector 0 holds, in
//! order: two u32 counters (8 bytes, meaning unknown, preserved), the block
//! map (one entry per virtual block), the map's CRC-16, then the journal up to
//! the end of the sector. Physical sectors 1.. hold the data of the virtual
//! blocks, in the order the map says.
//!
//! | size    | version | sectors | map entries | map entry | CRC at | journal at | journal slots |
//! |---------|---------|---------|-------------|-----------|--------|------------|---------------|
//! | 128 KiB | V1      | 32      | 31          | 10 bytes  | 0x13E  | 0x140      | 118           |
//! | 512 KiB | V1      | 128     | 127         | 10 bytes  | 0x4FE  | 0x500      | 88            |
//! | 1 MiB   | V2      | 256     | 255         | 2 bytes   | 0x3FE  | 0x400      | 96            |
//!
//! The last virtual block is the spare that the journal rotates through, so
//! the logical image is two sectors shorter than the flash.

use super::WearError;

/// Bytes in a flash sector (and a virtual block).
pub const SECTOR_LEN: usize = 0x1000;
/// Bytes covered by one V1 checksum byte.
pub const CHUNK_LEN: usize = 0x200;
/// Chunks in a sector.
pub const CHUNKS_PER_SECTOR: usize = SECTOR_LEN / CHUNK_LEN;
/// Bytes of the two counters that open sector 0.
pub const COUNTERS_LEN: usize = 8;
/// Bytes of one journal slot: an entry, its duplicate, 4 trailing bytes.
pub const JOURNAL_SLOT_LEN: usize = 0x20;

/// The two layouts of the block map.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Version {
    /// 128 KiB and 512 KiB chips: 10-byte map entries with chunk checksums.
    V1,
    /// 1 MiB chips: 2-byte map entries, no chunk checksums.
    V2,
}

impl Version {
    /// Length of one block map entry.
    pub fn map_entry_len(self) -> usize {
        match self {
            Version::V1 => 10,
            Version::V2 => 2,
        }
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Version::V1 => "V1",
            Version::V2 => "V2",
        })
    }
}

/// The flash sizes that carry wear leveling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FlashSize {
    K128,
    K512,
    M1,
}

impl FlashSize {
    pub const ALL: [FlashSize; 3] = [FlashSize::K128, FlashSize::K512, FlashSize::M1];

    /// Bytes of the flash chip.
    pub fn bytes(self) -> usize {
        match self {
            FlashSize::K128 => 0x2_0000,
            FlashSize::K512 => 0x8_0000,
            FlashSize::M1 => 0x10_0000,
        }
    }

    /// The size whose chip is `len` bytes, if any.
    pub fn from_len(len: usize) -> Option<FlashSize> {
        FlashSize::ALL.into_iter().find(|s| s.bytes() == len)
    }

    pub fn version(self) -> Version {
        match self {
            FlashSize::K128 | FlashSize::K512 => Version::V1,
            FlashSize::M1 => Version::V2,
        }
    }

    pub fn geometry(self) -> Geometry {
        Geometry::new(self)
    }
}

/// Offsets and counts of one flash size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Geometry {
    pub size: FlashSize,
    pub version: Version,
    /// Physical sectors, sector 0 included.
    pub sectors: usize,
    /// Virtual blocks in the map (the spare included): `sectors - 1`.
    pub virtual_blocks: usize,
    /// Offset of the map's CRC-16, which is also the map's end.
    pub crc_offset: usize,
    /// Offset of the first journal slot.
    pub journal_offset: usize,
    /// Journal slots that fit in sector 0.
    pub journal_slots: usize,
}

impl Geometry {
    pub fn new(size: FlashSize) -> Geometry {
        let sectors = size.bytes() / SECTOR_LEN;
        let virtual_blocks = sectors - 1;
        let version = size.version();
        let crc_offset = match version {
            Version::V1 => COUNTERS_LEN + virtual_blocks * version.map_entry_len(),
            // V2 pads the map with zeros so that the CRC ends the first KiB.
            Version::V2 => 0x3FE,
        };
        let journal_offset = crc_offset + 2;
        Geometry {
            size,
            version,
            sectors,
            virtual_blocks,
            crc_offset,
            journal_offset,
            journal_slots: (SECTOR_LEN - journal_offset) / JOURNAL_SLOT_LEN,
        }
    }

    /// The geometry of a flash image of `len` bytes.
    pub fn for_image_len(len: usize) -> Result<Geometry, WearError> {
        FlashSize::from_len(len)
            .map(Geometry::new)
            .ok_or(WearError::WrongSize { len })
    }

    /// Bytes of the flash image.
    pub fn image_len(&self) -> usize {
        self.size.bytes()
    }

    /// Bytes of the logical image: every virtual block but the spare.
    pub fn logical_len(&self) -> usize {
        (self.virtual_blocks - 1) * SECTOR_LEN
    }

    /// Virtual blocks that hold logical data (all but the spare).
    pub fn logical_blocks(&self) -> usize {
        self.virtual_blocks - 1
    }

    /// Offset of virtual block `index`'s map entry.
    pub fn map_entry_offset(&self, index: usize) -> usize {
        COUNTERS_LEN + index * self.version.map_entry_len()
    }

    /// Offset of journal slot `index`.
    pub fn journal_slot_offset(&self, index: usize) -> usize {
        self.journal_offset + index * JOURNAL_SLOT_LEN
    }

    /// The geometry of a logical image of `len` bytes.
    pub fn for_logical_len(len: usize) -> Option<Geometry> {
        FlashSize::ALL
            .into_iter()
            .map(Geometry::new)
            .find(|g| g.logical_len() == len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_in_the_module_doc_holds() {
        let rows = [
            (
                FlashSize::K128,
                Version::V1,
                32,
                31,
                0x13E,
                0x140,
                118,
                0x1E000,
            ),
            (
                FlashSize::K512,
                Version::V1,
                128,
                127,
                0x4FE,
                0x500,
                88,
                0x7E000,
            ),
            (
                FlashSize::M1,
                Version::V2,
                256,
                255,
                0x3FE,
                0x400,
                96,
                0xFE000,
            ),
        ];
        for (size, version, sectors, blocks, crc, journal, slots, logical) in rows {
            let g = Geometry::new(size);
            assert_eq!(g.version, version);
            assert_eq!(g.sectors, sectors);
            assert_eq!(g.virtual_blocks, blocks);
            assert_eq!(g.crc_offset, crc);
            assert_eq!(g.journal_offset, journal);
            assert_eq!(g.journal_slots, slots);
            assert_eq!(g.logical_len(), logical);
            // The journal fills sector 0 exactly.
            assert_eq!(journal + slots * JOURNAL_SLOT_LEN, SECTOR_LEN);
            assert_eq!(Geometry::for_logical_len(logical), Some(g));
        }
    }

    #[test]
    fn other_sizes_are_refused() {
        for len in [0, 0x1000, 0x1_FFFF, 0x2_0001, 0x4_0000, 0x20_0000] {
            assert_eq!(
                Geometry::for_image_len(len),
                Err(WearError::WrongSize { len })
            );
        }
    }

    #[test]
    fn v2_map_entries_fit_before_the_crc() {
        let g = FlashSize::M1.geometry();
        assert!(g.map_entry_offset(g.virtual_blocks) <= g.crc_offset);
    }
}
