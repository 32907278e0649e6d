//! The block map in physical sector 0: which physical sector holds each
//! virtual block.
//!
//! Sector 0 opens with two u32 counters (8 bytes, meaning unknown; kept as
//! they are), then one entry per virtual block, then the CRC-16/MODBUS of all
//! of that (little-endian).
//!
//! V1 entry (10 bytes): `physical | 0x80 if initialized`, allocation count,
//! eight chunk checksums (all zero while the block is uninitialized).
//!
//! V2 entry (2 bytes): `allocation count | 0x80 if initialized`, physical
//! sector. The entries are followed by zeros up to the CRC at 0x3FE.

use super::crc16::crc16_modbus;
use super::geometry::{CHUNKS_PER_SECTOR, COUNTERS_LEN, Geometry, Version};

/// Length of a V1 map entry.
pub const V1_ENTRY_LEN: usize = 2 + CHUNKS_PER_SECTOR;
/// Length of a V2 map entry.
pub const V2_ENTRY_LEN: usize = 2;

const INITIALIZED: u8 = 0x80;

/// Where one virtual block lives and what the map knows about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MapEntry {
    /// Physical sector (1..sectors) holding the block.
    pub physical: u8,
    /// How often the block has been moved (7 bits in V2).
    pub allocations: u8,
    /// Whether the block was ever written; an uninitialized block reads as
    /// 0xFF whatever its sector holds.
    pub initialized: bool,
    /// V1: one checksum per 0x200-byte chunk. Always zero in V2.
    pub checksums: [u8; CHUNKS_PER_SECTOR],
}

impl MapEntry {
    /// Reads an entry from its bytes (`version.map_entry_len()` of them).
    pub fn parse(version: Version, bytes: &[u8]) -> MapEntry {
        match version {
            Version::V1 => MapEntry {
                physical: bytes[0] & !INITIALIZED,
                allocations: bytes[1],
                initialized: bytes[0] & INITIALIZED != 0,
                checksums: bytes[2..V1_ENTRY_LEN].try_into().expect("10-byte entry"),
            },
            Version::V2 => MapEntry {
                physical: bytes[1],
                allocations: bytes[0] & !INITIALIZED,
                initialized: bytes[0] & INITIALIZED != 0,
                checksums: [0; CHUNKS_PER_SECTOR],
            },
        }
    }

    /// Writes the entry into `out` (`version.map_entry_len()` bytes).
    pub fn write(&self, version: Version, out: &mut [u8]) {
        let flag = if self.initialized { INITIALIZED } else { 0 };
        match version {
            Version::V1 => {
                out[0] = (self.physical & !INITIALIZED) | flag;
                out[1] = self.allocations;
                out[2..V1_ENTRY_LEN].copy_from_slice(&self.checksums);
            }
            Version::V2 => {
                out[0] = (self.allocations & !INITIALIZED) | flag;
                out[1] = self.physical;
            }
        }
    }
}

/// The counters, the map and its CRC as read from sector 0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockMap {
    /// The 8 bytes before the map, kept verbatim.
    pub counters: [u8; COUNTERS_LEN],
    /// One entry per virtual block, the spare last.
    pub entries: Vec<MapEntry>,
    /// The CRC stored after the map.
    pub stored_crc: u16,
    /// The CRC of the bytes before it.
    pub computed_crc: u16,
}

impl BlockMap {
    /// Reads the map from `sector0` (at least `geometry.journal_offset`
    /// bytes long).
    pub fn parse(geometry: &Geometry, sector0: &[u8]) -> BlockMap {
        let version = geometry.version;
        let entries = (0..geometry.virtual_blocks)
            .map(|i| {
                let at = geometry.map_entry_offset(i);
                MapEntry::parse(version, &sector0[at..at + version.map_entry_len()])
            })
            .collect();
        let crc = geometry.crc_offset;
        BlockMap {
            counters: sector0[..COUNTERS_LEN].try_into().expect("8 bytes"),
            entries,
            stored_crc: u16::from_le_bytes([sector0[crc], sector0[crc + 1]]),
            computed_crc: crc16_modbus(&sector0[..crc]),
        }
    }

    pub fn crc_ok(&self) -> bool {
        self.stored_crc == self.computed_crc
    }

    /// Writes counters, entries, padding and a fresh CRC into `sector0`;
    /// the journal area is left alone.
    pub fn write(
        geometry: &Geometry,
        counters: &[u8; 8],
        entries: &[MapEntry],
        sector0: &mut [u8],
    ) {
        let version = geometry.version;
        sector0[..COUNTERS_LEN].copy_from_slice(counters);
        let map_end = geometry.crc_offset;
        sector0[COUNTERS_LEN..map_end].fill(0);
        for (i, entry) in entries.iter().enumerate() {
            let at = geometry.map_entry_offset(i);
            entry.write(version, &mut sector0[at..at + version.map_entry_len()]);
        }
        let crc = crc16_modbus(&sector0[..map_end]);
        sector0[map_end..map_end + 2].copy_from_slice(&crc.to_le_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ctr::wear::geometry::FlashSize;

    #[test]
    fn entry_lengths_are_pinned() {
        assert_eq!(V1_ENTRY_LEN, 10);
        assert_eq!(V1_ENTRY_LEN, Version::V1.map_entry_len());
        assert_eq!(V2_ENTRY_LEN, Version::V2.map_entry_len());
    }

    #[test]
    fn v1_entry_bytes_are_physical_with_flag_count_then_checksums() {
        let entry = MapEntry::parse(Version::V1, &[0x85, 3, 1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(
            entry,
            MapEntry {
                physical: 5,
                allocations: 3,
                initialized: true,
                checksums: [1, 2, 3, 4, 5, 6, 7, 8]
            }
        );
        let mut out = [0u8; 10];
        entry.write(Version::V1, &mut out);
        assert_eq!(out, [0x85, 3, 1, 2, 3, 4, 5, 6, 7, 8]);
    }

    #[test]
    fn v2_entry_bytes_are_count_with_flag_then_physical() {
        let entry = MapEntry::parse(Version::V2, &[0x82, 0xFE]);
        assert_eq!(entry.physical, 0xFE);
        assert_eq!(entry.allocations, 2);
        assert!(entry.initialized);
        let mut out = [0u8; 2];
        entry.write(Version::V2, &mut out);
        assert_eq!(out, [0x82, 0xFE]);
    }

    #[test]
    fn written_map_parses_back_with_a_valid_crc() {
        for size in FlashSize::ALL {
            let g = size.geometry();
            let entries: Vec<MapEntry> = (0..g.virtual_blocks)
                .map(|i| MapEntry {
                    physical: (g.virtual_blocks - i) as u8,
                    allocations: (i % 100) as u8,
                    initialized: i % 3 == 0,
                    checksums: if g.version == Version::V1 && i % 3 == 0 {
                        [i as u8; 8]
                    } else {
                        [0; 8]
                    },
                })
                .collect();
            let mut sector0 = vec![0xFF; 0x1000];
            BlockMap::write(&g, &[1, 2, 3, 4, 5, 6, 7, 8], &entries, &mut sector0);
            let map = BlockMap::parse(&g, &sector0);
            assert!(map.crc_ok());
            assert_eq!(map.entries, entries);
            assert_eq!(map.counters, [1, 2, 3, 4, 5, 6, 7, 8]);
            // The CRC is independently CRC-16/MODBUS over everything before it.
            let crc = u16::from_le_bytes([sector0[g.crc_offset], sector0[g.crc_offset + 1]]);
            assert_eq!(crc, crc16_modbus(&sector0[..g.crc_offset]));
            // The journal area was left alone.
            assert!(sector0[g.journal_offset..].iter().all(|&b| b == 0xFF));
        }
    }
}
