//! The SPI bus of the NDS card slot.
//!
//! One [`SpiBus::transfer`] is one chip-select cycle as the console's card
//! SPI controller does it: an optional prefix byte sent alone at a slow clock
//! (infrared cartridges put a microcontroller in front of the save chip, and
//! it only passes on what follows a slow `0x00`), then the command bytes
//! (opcode, address, data to write), then `response.len()` bytes clocked in.
//! The bus is half duplex: nothing is read while the command goes out.

use thiserror::Error;

/// The byte infrared cartridges expect, sent slowly, before every command.
pub const INFRARED_PREFIX: u8 = 0x00;

/// Why a transfer did not happen.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SpiError {
    /// The slot is empty (or the card was pulled out).
    #[error("no NDS card in the slot")]
    NoCard,
    /// The slot holds a 3DS card, which has no SPI save chip we can drive.
    #[error("the card in the slot is not an NDS card")]
    NotNds,
    /// The console lost power.
    #[error("the console lost power")]
    PowerLost,
    /// The controller reported an error for this transfer.
    #[error("SPI transfer failed: {0}")]
    Failed(String),
}

/// The SPI bus of the card slot.
pub trait SpiBus {
    /// Sends `prefix` (slowly, alone) if given, then `command`, then reads
    /// `response.len()` bytes into `response`, all in one chip-select cycle.
    fn transfer(
        &mut self,
        prefix: Option<u8>,
        command: &[u8],
        response: &mut [u8],
    ) -> Result<(), SpiError>;

    /// Sends `command` alone in one chip-select cycle at the slow clock the
    /// 8 MiB flash's vendor unlock frames go at (512 kHz: Checkpoint 3.13+
    /// 3ds/source/spi.cpp, SPISendCommand8MB), reading nothing. A bus that
    /// cannot change its clock sends it like [`SpiBus::transfer`].
    fn send_slow(&mut self, command: &[u8]) -> Result<(), SpiError> {
        self.transfer(None, command, &mut [])
    }
}
