//! The journal that follows the block map in sector 0.
//!
//! Each 0x20-byte slot holds a 14-byte entry, the same 14 bytes again (so a
//! torn write shows), and 4 trailing bytes (documented as the constant
//! 0x080D6CE0 but seen with other values; not checked). The first slot
//! whose entry starts with 0xFF ends the journal; the rest of the sector is
//! 0xFF.
//!
//! Entry layout: virtual block, previous virtual block, physical sector,
//! previous physical sector, allocation count, previous allocation count,
//! eight chunk checksums. An entry records one rewrite of `virtual_block`:
//! its new data went to the sector the spare block `virtual_block_prev`
//! held (`physical`), and the spare took over its old sector
//! (`physical_prev`).

use super::geometry::{CHUNKS_PER_SECTOR, JOURNAL_SLOT_LEN};

/// Length of one journal entry (each slot holds it twice).
pub const ENTRY_LEN: usize = 6 + CHUNKS_PER_SECTOR;
/// The trailing bytes the console is documented to write.
pub const TRAILER: [u8; 4] = 0x080D_6CE0u32.to_le_bytes();

/// One recorded block rewrite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JournalEntry {
    pub virtual_block: u8,
    pub virtual_block_prev: u8,
    pub physical: u8,
    pub physical_prev: u8,
    pub allocations: u8,
    pub allocations_prev: u8,
    pub checksums: [u8; CHUNKS_PER_SECTOR],
}

impl JournalEntry {
    pub fn parse(bytes: &[u8; ENTRY_LEN]) -> JournalEntry {
        JournalEntry {
            virtual_block: bytes[0],
            virtual_block_prev: bytes[1],
            physical: bytes[2],
            physical_prev: bytes[3],
            allocations: bytes[4],
            allocations_prev: bytes[5],
            checksums: bytes[6..].try_into().expect("8 checksums"),
        }
    }

    pub fn to_bytes(&self) -> [u8; ENTRY_LEN] {
        let mut out = [0u8; ENTRY_LEN];
        out[..6].copy_from_slice(&[
            self.virtual_block,
            self.virtual_block_prev,
            self.physical,
            self.physical_prev,
            self.allocations,
            self.allocations_prev,
        ]);
        out[6..].copy_from_slice(&self.checksums);
        out
    }

    /// The slot a console writes for this entry.
    pub fn to_slot(&self) -> [u8; JOURNAL_SLOT_LEN] {
        let mut slot = [0u8; JOURNAL_SLOT_LEN];
        slot[..ENTRY_LEN].copy_from_slice(&self.to_bytes());
        slot[ENTRY_LEN..2 * ENTRY_LEN].copy_from_slice(&self.to_bytes());
        slot[2 * ENTRY_LEN..].copy_from_slice(&TRAILER);
        slot
    }
}

/// What one journal slot holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// The end of the journal.
    End,
    /// A complete entry (both copies equal).
    Entry(JournalEntry),
    /// The two copies differ: the write was interrupted or the flash decayed.
    Torn {
        first: JournalEntry,
        second: JournalEntry,
    },
}

/// Reads one 0x20-byte slot.
pub fn parse_slot(slot: &[u8; JOURNAL_SLOT_LEN]) -> Slot {
    let first: &[u8; ENTRY_LEN] = slot[..ENTRY_LEN].try_into().expect("14 bytes");
    let second: &[u8; ENTRY_LEN] = slot[ENTRY_LEN..2 * ENTRY_LEN].try_into().expect("14 bytes");
    if first != second {
        return Slot::Torn {
            first: JournalEntry::parse(first),
            second: JournalEntry::parse(second),
        };
    }
    if first[0] == 0xFF {
        return Slot::End;
    }
    Slot::Entry(JournalEntry::parse(first))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_and_slot_lengths_are_pinned() {
        assert_eq!(ENTRY_LEN, 14);
        assert_eq!(2 * ENTRY_LEN + TRAILER.len(), JOURNAL_SLOT_LEN);
        assert_eq!(TRAILER, [0xE0, 0x6C, 0x0D, 0x08]);
    }

    #[test]
    fn a_slot_holds_the_entry_twice_then_the_trailer() {
        let entry = JournalEntry {
            virtual_block: 4,
            virtual_block_prev: 30,
            physical: 9,
            physical_prev: 17,
            allocations: 3,
            allocations_prev: 2,
            checksums: [10, 11, 12, 13, 14, 15, 16, 17],
        };
        let slot = entry.to_slot();
        let expected_entry = [4, 30, 9, 17, 3, 2, 10, 11, 12, 13, 14, 15, 16, 17];
        assert_eq!(&slot[..14], &expected_entry);
        assert_eq!(&slot[14..28], &expected_entry);
        assert_eq!(&slot[28..], &[0xE0, 0x6C, 0x0D, 0x08]);
        assert_eq!(parse_slot(&slot), Slot::Entry(entry));
    }

    #[test]
    fn an_erased_slot_ends_the_journal_and_differing_copies_are_torn() {
        assert_eq!(parse_slot(&[0xFF; 32]), Slot::End);
        let mut slot = [0xFF; 32];
        slot[..14].copy_from_slice(&[1, 2, 3, 4, 5, 6, 0, 0, 0, 0, 0, 0, 0, 0]);
        assert!(matches!(parse_slot(&slot), Slot::Torn { first, .. } if first.virtual_block == 1));
    }
}
