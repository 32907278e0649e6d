//! The SPI commands every NDS save chip shares, and a bus wrapper that adds
//! the infrared prefix and waits for the chip.
//!
//! Opcodes: 0x06 write enable, 0x04 write disable, 0x05 read status (bit 0
//! busy, bit 1 write enabled), 0x01 write status, 0x9F JEDEC id (flash
//! only), 0x03 read, 0x02 write (EEPROM) or page program (flash), 0x0A page
//! write (flash; on the 512-byte EEPROM the write of the upper half), 0x0B
//! read of the 512-byte EEPROM's upper half, 0xD8 64 KiB sector erase.

use crate::nds_card::NdsCardError;
use crate::platform::SpiBus;
use crate::platform::spi::INFRARED_PREFIX;

/// SPI opcodes.
pub mod opcode {
    /// Write enable.
    pub const WRITE_ENABLE: u8 = 0x06;
    /// Write disable.
    pub const WRITE_DISABLE: u8 = 0x04;
    /// Read the status register.
    pub const READ_STATUS: u8 = 0x05;
    /// Write the status register.
    pub const WRITE_STATUS: u8 = 0x01;
    /// Read the JEDEC id.
    pub const JEDEC_ID: u8 = 0x9F;
    /// Read data (the lower half of the 512-byte EEPROM).
    pub const READ: u8 = 0x03;
    /// Read the upper half of the 512-byte EEPROM.
    pub const READ_HIGH: u8 = 0x0B;
    /// EEPROM write, flash page program (clears bits only).
    pub const WRITE: u8 = 0x02;
    /// Flash page write (erase and program); the 512-byte EEPROM's upper
    /// half write.
    pub const PAGE_WRITE: u8 = 0x0A;
    /// Flash 64 KiB sector erase.
    pub const SECTOR_ERASE: u8 = 0xD8;
}

/// Status register: busy.
pub const STATUS_BUSY: u8 = 0x01;
/// Status register: write enabled.
pub const STATUS_WRITE_ENABLED: u8 = 0x02;
/// Status register: the block-protect bits.
pub const STATUS_BLOCK_PROTECT: u8 = 0x1C;

/// Status polls before a write is declared stuck. Real parts finish a page
/// in a few milliseconds and a sector in under a second; one poll is one
/// SPI transfer.
const MAX_BUSY_POLLS: u32 = 200_000;

/// The bus, with the prefix infrared cartridges need.
pub struct Bus<'a> {
    spi: &'a mut dyn SpiBus,
    prefix: Option<u8>,
}

impl<'a> Bus<'a> {
    /// Wraps `spi`; `infrared` cartridges get the prefix before every command.
    pub fn new(spi: &'a mut dyn SpiBus, infrared: bool) -> Self {
        Self {
            spi,
            prefix: infrared.then_some(INFRARED_PREFIX),
        }
    }

    /// One transfer.
    pub fn transfer(&mut self, command: &[u8], response: &mut [u8]) -> Result<(), NdsCardError> {
        Ok(self.spi.transfer(self.prefix, command, response)?)
    }

    /// The status register.
    pub fn status(&mut self) -> Result<u8, NdsCardError> {
        let mut status = [0u8];
        self.transfer(&[opcode::READ_STATUS], &mut status)?;
        Ok(status[0])
    }

    /// The three JEDEC id bytes as one number.
    pub fn jedec_id(&mut self) -> Result<u32, NdsCardError> {
        let mut id = [0u8; 3];
        self.transfer(&[opcode::JEDEC_ID], &mut id)?;
        Ok(u32::from_be_bytes([0, id[0], id[1], id[2]]))
    }

    /// Polls the status until the chip is not busy.
    pub fn wait_ready(&mut self, address: usize) -> Result<(), NdsCardError> {
        for _ in 0..MAX_BUSY_POLLS {
            if self.status()? & STATUS_BUSY == 0 {
                return Ok(());
            }
        }
        Err(NdsCardError::Timeout { address })
    }

    /// Waits, enables writing and checks the latch took, then sends
    /// `command` and waits for the chip to finish it.
    pub fn write_command(&mut self, command: &[u8], address: usize) -> Result<(), NdsCardError> {
        self.wait_ready(address)?;
        self.transfer(&[opcode::WRITE_ENABLE], &mut [])?;
        let status = self.status()?;
        if status & STATUS_WRITE_ENABLED == 0 {
            return Err(NdsCardError::WriteEnable { address, status });
        }
        self.transfer(command, &mut [])?;
        self.wait_ready(address)
    }
}
