//! One slot header of an AGBSAVE container (0x200 bytes, little-endian).
//!
//! ```text
//! 0x00  4      magic ".SAV"
//! 0x04  0xC    0xFF
//! 0x10  0x10   AES-CMAC over SHA-256(header 0x30..0x200 || save)
//! 0x20  0x10   0xFF
//! 0x30  4      unknown (observed 1)
//! 0x34  4      times saved: the slot with the higher count is current
//! 0x38  8      GBA VC title id
//! 0x40  0x10   CID of the console's NAND (checked by AGB_FIRM on load)
//! 0x50  4      offset of the save from the header: always 0x200
//! 0x54  4      save size
//! 0x58  8      0xFF
//! 0x60  8      save chip settings (ARM7 registers)
//! 0x68  0x198  0xFF
//! ```
//!
//! Sources: 3dbrew "3DS Virtual Console" (NAND Savegame) and Checkpoint's
//! `3ds/source/gbasave.cpp` (`AgbSaveHeader`, `validHeader`), which agree.

use crate::storage::{le_u32, le_u64};

/// Size of a slot header; the save follows it.
pub const SLOT_HEADER_LEN: usize = 0x200;
/// Where the CMAC sits in a slot header.
pub const CMAC_OFFSET: usize = 0x10;
/// Length of the CMAC.
pub const CMAC_LEN: usize = 0x10;
/// The CMAC covers the header from here to its end, then the save.
pub const MAC_COVERED_FROM: usize = 0x30;

/// Every save size a GBA game can have: EEPROM 512 B and 8 KiB, SRAM 32 KiB,
/// flash 64 KiB and 128 KiB (Checkpoint's `kValidSaveSizes`).
pub const VALID_SAVE_SIZES: [u32; 5] = [512, 8 * 1024, 32 * 1024, 64 * 1024, 128 * 1024];

/// Whether `size` is the size of a GBA save.
pub fn is_valid_save_size(size: u64) -> bool {
    VALID_SAVE_SIZES
        .iter()
        .any(|&valid| u64::from(valid) == size)
}

/// A slot header that passed the checks AGB_FIRM's readers make: magic
/// `.SAV`, save right after the header, and a GBA save size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlotHeader<'a> {
    bytes: &'a [u8; SLOT_HEADER_LEN],
}

impl<'a> SlotHeader<'a> {
    /// The header at the start of `bytes`, if there is a valid one.
    pub fn parse(bytes: &'a [u8]) -> Option<Self> {
        let bytes: &[u8; SLOT_HEADER_LEN] = bytes.get(..SLOT_HEADER_LEN)?.try_into().ok()?;
        let header = SlotHeader { bytes };
        let valid = &bytes[..4] == b".SAV"
            && le_u32(bytes, 0x50) as usize == SLOT_HEADER_LEN
            && is_valid_save_size(u64::from(header.save_size()));
        valid.then_some(header)
    }

    /// How many times the game saved into this slot.
    pub fn times_saved(&self) -> u32 {
        le_u32(self.bytes, 0x34)
    }

    /// The GBA VC title the slot belongs to.
    pub fn title_id(&self) -> u64 {
        le_u64(self.bytes, 0x38)
    }

    /// Size of the save that follows the header.
    pub fn save_size(&self) -> u32 {
        le_u32(self.bytes, 0x54)
    }

    /// The slot's CMAC as stored.
    pub fn cmac(&self) -> [u8; CMAC_LEN] {
        let mut cmac = [0; CMAC_LEN];
        cmac.copy_from_slice(&self.bytes[CMAC_OFFSET..CMAC_OFFSET + CMAC_LEN]);
        cmac
    }

    /// The part of the header the CMAC covers.
    pub fn mac_covered(&self) -> &'a [u8] {
        &self.bytes[MAC_COVERED_FROM..]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A header written field by field at the offsets 3dbrew gives.
    fn header(times_saved: u32, save_size: u32) -> Vec<u8> {
        let mut bytes = vec![0xFF; SLOT_HEADER_LEN];
        bytes[..4].copy_from_slice(b".SAV");
        bytes[0x30..0x34].copy_from_slice(&1u32.to_le_bytes());
        bytes[0x34..0x38].copy_from_slice(&times_saved.to_le_bytes());
        bytes[0x38..0x40].copy_from_slice(&0x0004_0000_00AB_CD00u64.to_le_bytes());
        bytes[0x50..0x54].copy_from_slice(&0x200u32.to_le_bytes());
        bytes[0x54..0x58].copy_from_slice(&save_size.to_le_bytes());
        bytes
    }

    #[test]
    fn reads_the_fields_at_their_documented_offsets() {
        let bytes = header(7, 0x8000);
        let header = SlotHeader::parse(&bytes).unwrap();
        assert_eq!(header.times_saved(), 7);
        assert_eq!(header.save_size(), 32 * 1024);
        assert_eq!(header.title_id(), 0x0004_0000_00AB_CD00);
        assert_eq!(header.cmac(), [0xFF; 16]);
        assert_eq!(header.mac_covered().len(), 0x1D0);
    }

    #[test]
    fn refuses_what_agb_firm_would_not_read() {
        let mut bad_magic = header(1, 512);
        bad_magic[0] = b'S';
        assert!(SlotHeader::parse(&bad_magic).is_none());
        let mut bad_start = header(1, 512);
        bad_start[0x51] = 0x04; // save said to start at 0x400
        assert!(SlotHeader::parse(&bad_start).is_none());
        assert!(SlotHeader::parse(&header(1, 1000)).is_none());
        assert!(SlotHeader::parse(&header(1, 512)[..0x1FF]).is_none());
        // Blank flash (never saved) is not a header.
        assert!(SlotHeader::parse(&[0xFF; SLOT_HEADER_LEN]).is_none());
    }

    #[test]
    fn the_sizes_are_the_five_gba_save_chips() {
        let sizes: Vec<u64> = (0..=200_000).filter(|&s| is_valid_save_size(s)).collect();
        assert_eq!(sizes, [512, 8192, 32768, 65536, 131072]);
    }
}
