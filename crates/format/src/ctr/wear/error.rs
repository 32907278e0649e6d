//! What can be wrong with a wear-leveled image or a logical image.
//!
//! Offsets are byte offsets into the flash image unless a field says
//! `logical_offset`.

use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum WearError {
    #[error(
        "a wear-leveled flash image is 131072, 524288 or 1048576 bytes long \
         (128 KiB, 512 KiB, 1 MiB); this one is {len} bytes (truncated or not a 3DS save flash dump)"
    )]
    WrongSize { len: usize },

    #[error(
        "block map CRC at {offset:#x} is {stored:#06x}, but the map's bytes give {computed:#06x}"
    )]
    MapCrc {
        offset: usize,
        stored: u16,
        computed: u16,
    },

    #[error(
        "block map entry of virtual block {virtual_block} (at {entry_offset:#x}) names physical \
         sector {physical}, outside 1..{sectors}"
    )]
    PhysicalOutOfRange {
        virtual_block: usize,
        entry_offset: usize,
        physical: u8,
        sectors: usize,
    },

    #[error(
        "block map is not a permutation: physical sector {physical} is claimed by virtual blocks \
         {first_virtual_block} and {second_virtual_block} (entry at {entry_offset:#x})"
    )]
    DuplicatePhysical {
        physical: u8,
        first_virtual_block: usize,
        second_virtual_block: usize,
        entry_offset: usize,
    },

    #[error(
        "journal slot {slot} (at {offset:#x}) is torn: its two copies differ; it and the \
         {later} slot(s) after it were not replayed"
    )]
    JournalTorn {
        slot: usize,
        offset: usize,
        later: usize,
    },

    #[error(
        "journal slot {slot} (at {offset:#x}): {field} is {found}, but {expected}; it and the \
         {later} slot(s) after it were not replayed"
    )]
    JournalInconsistent {
        slot: usize,
        offset: usize,
        field: &'static str,
        found: u8,
        expected: String,
        later: usize,
    },

    #[error(
        "virtual block {virtual_block}, chunk {chunk} (flash {physical_offset:#x}, logical \
         {logical_offset:#x}): checksum is {computed:#04x}, the map says {stored:#04x}"
    )]
    ChunkChecksum {
        virtual_block: usize,
        chunk: usize,
        physical_offset: usize,
        logical_offset: usize,
        stored: u8,
        computed: u8,
    },

    #[error("the spare virtual block {virtual_block} is marked initialized after journal replay")]
    SpareInitialized { virtual_block: usize },

    #[error(
        "a logical image is 122880, 516096 or 1040384 bytes long (0x1E000, 0x7E000, 0xFE000); \
         this one is {len} bytes"
    )]
    LogicalSize { len: usize },

    #[error(
        "the logical image is {len} bytes, but the original's flash holds {expected} logical bytes"
    )]
    LogicalSizeMismatch { len: usize, expected: usize },

    #[error("cannot lay out a new image like the original: {0}")]
    UnusableTemplate(Box<WearError>),
}
