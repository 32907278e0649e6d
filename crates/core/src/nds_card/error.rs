//! Errors of the NDS save chip driver.

use thiserror::Error;

use crate::platform::SpiError;

/// What went wrong talking to an NDS save chip.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum NdsCardError {
    /// The bus failed.
    #[error(transparent)]
    Spi(#[from] SpiError),
    /// Nothing answered: every byte read back as 0xFF or 0x00.
    #[error(
        "no save chip answered (JEDEC id {jedec:06X}, status {status:02X}); the game may have no save chip, or the card is not seated"
    )]
    NoChip {
        /// What the JEDEC query returned.
        jedec: u32,
        /// What the status query returned.
        status: u8,
    },
    /// A chip answered that we do not know.
    #[error("unknown save chip: JEDEC id {jedec:06X}, status {status:02X}; not guessing its size")]
    UnknownChip {
        /// What the JEDEC query returned.
        jedec: u32,
        /// What the status query returned.
        status: u8,
    },
    /// An EEPROM whose size neither reads nor a probe write could settle.
    #[error("the EEPROM's size could not be determined: {0}")]
    EepromSize(String),
    /// The write-enable latch did not set.
    #[error(
        "the chip did not enable writing before the write at {address:#08x} (status {status:02X})"
    )]
    WriteEnable {
        /// Where the write was to go.
        address: usize,
        /// The status read back.
        status: u8,
    },
    /// The chip stayed busy.
    #[error(
        "the save chip stayed busy at address {address:#08x} and never became ready; the card may be badly seated or damaged"
    )]
    Timeout {
        /// The last write's address.
        address: usize,
    },
    /// A request outside the chip.
    #[error("{len} bytes at {address:#x} do not fit a {capacity}-byte chip")]
    OutOfRange {
        /// Where it started.
        address: usize,
        /// How long it was.
        len: usize,
        /// The chip's size.
        capacity: usize,
    },
}
