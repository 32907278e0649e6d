//! The SPI commands every NDS save chip shares, and a bus wrapper that adds
//! the infrared prefix and waits for the chip.
//!
//! Opcodes (GBATEK "DS Cartridge Backup"; TWLSaveTool include/SPI.h;
//! Checkpoint 3ds/source/spi.cpp): 0x06 write enable, 0x04 write disable,
//! 0x05 read status (bit 0 busy, bit 1 write enabled), 0x01 write status,
//! 0x9F JEDEC id (flash only), 0x03 read, 0x02 write (EEPROM) or page
//! program (flash), 0x0A page write (flash; on the 512-byte EEPROM the write
//! of the upper half), 0x0B read of the 512-byte EEPROM's upper half, 0xD8
//! 64 KiB sector erase, and the 8 MiB flash's vendor unlock frames.
//!
//! Every command that the chip could miss while busy is preceded by a wait
//! for the busy bit to clear, as the proven tools do: Checkpoint and
//! TWLSaveTool call SPIWaitWriteEnd before the JEDEC id
//! (SPIReadJEDECIDAndStatusReg), before every read (SPIReadSaveData) and
//! around every write (SPIWriteSaveData).

use crate::nds_card::NdsCardError;
use crate::platform::SpiBus;
use crate::platform::spi::INFRARED_PREFIX;

/// SPI opcodes.
pub mod opcode {
    /// Write enable (WREN; TWLSaveTool include/SPI.h SPI_CMD_WREN).
    pub const WRITE_ENABLE: u8 = 0x06;
    /// Write disable (WRDI; M25PE40 datasheet).
    pub const WRITE_DISABLE: u8 = 0x04;
    /// Read the status register (RDSR; TWLSaveTool include/SPI.h).
    pub const READ_STATUS: u8 = 0x05;
    /// Write the status register (WRSR; M25PE40 datasheet). A no-op on the
    /// 8 MiB flash (Checkpoint spi.cpp, comment above SPIUnlock).
    pub const WRITE_STATUS: u8 = 0x01;
    /// Read the JEDEC id (RDID; TWLSaveTool include/SPI.h
    /// SPI_FLASH_CMD_RDID).
    pub const JEDEC_ID: u8 = 0x9F;
    /// Read data; on the 512-byte EEPROM, of 0x000-0x0FF (RDLO; GBATEK,
    /// TWLSaveTool include/SPI.h SPI_CMD_READ / SPI_512B_EEPROM_CMD_RDLO).
    pub const READ: u8 = 0x03;
    /// Read of the 512-byte EEPROM's 0x100-0x1FF (RDHI; GBATEK,
    /// TWLSaveTool include/SPI.h SPI_512B_EEPROM_CMD_RDHI).
    pub const READ_HIGH: u8 = 0x0B;
    /// EEPROM write, flash page program, which clears bits only (TWLSaveTool
    /// include/SPI.h SPI_EEPROM_CMD_WRITE / SPI_CMD_PP).
    pub const WRITE: u8 = 0x02;
    /// Flash page write, erase and program (TWLSaveTool include/SPI.h
    /// SPI_FLASH_CMD_PW); the 512-byte EEPROM's upper-half write
    /// (SPI_512B_EEPROM_CMD_WRHI).
    pub const PAGE_WRITE: u8 = 0x0A;
    /// Flash 64 KiB sector erase (TWLSaveTool include/SPI.h
    /// SPI_FLASH_CMD_SE).
    pub const SECTOR_ERASE: u8 = 0xD8;
}

/// Status register: busy, a write in progress (WIP; TWLSaveTool
/// include/SPI.h SPI_FLG_WIP).
pub const STATUS_BUSY: u8 = 0x01;
/// Status register: write enabled (WEL; TWLSaveTool include/SPI.h
/// SPI_FLG_WEL).
pub const STATUS_WRITE_ENABLED: u8 = 0x02;

/// The 8 MiB flash's vendor unlock: seven frames, each its own chip select,
/// sent in this order with nothing between them (Checkpoint 3.13+
/// 3ds/source/spi.cpp, SPIUnlock, from ndsi-savedumper's
/// auxspi_disable_big_protection; the trailing 0x00 of three frames is the
/// byte auxspi_close clocks before deselecting). Checkpoint sends them at
/// 512 kHz, without the infrared prefix ([`Bus::send_slow`]).
pub const FLASH_8M_UNLOCK: [&[u8]; 7] = [
    &[0xF1],
    &[opcode::WRITE_ENABLE],
    &[0xFA, 0x01, 0x31, 0x00],
    &[0x14],
    &[opcode::WRITE_ENABLE],
    &[0xF8, 0x01, 0x00, 0x00],
    &[0x0E, 0x00],
];

/// Status polls before a chip is declared stuck. Real parts finish a page
/// in a few milliseconds and a sector erase in at most a few seconds
/// (M25P64 datasheet: 3 s); one poll is one SPI transfer, at least a few
/// hundred microseconds on the console. Checkpoint's SPIWaitWriteEnd gives
/// up after 1000 polls; this waits longer rather than abandon a write.
const MAX_BUSY_POLLS: u32 = 200_000;

/// What a status read returns when nothing drives the line (no chip, or an
/// infrared card addressed without its prefix): every bit high, busy bit
/// included, so waiting for it to clear would never end.
const NOTHING_ANSWERS: u8 = 0xFF;

/// The bus, with the prefix infrared cartridges need.
pub struct Bus<'a> {
    spi: &'a mut dyn SpiBus,
    prefix: Option<u8>,
}

impl<'a> Bus<'a> {
    /// Wraps `spi`; `infrared` cartridges get the prefix before every
    /// command (one 0x00 byte at 1 MHz: Checkpoint and TWLSaveTool spi.cpp,
    /// SPIWriteRead's header buffer for the infrared types).
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

    /// One command alone at the slow clock, without the infrared prefix
    /// (see [`SpiBus::send_slow`]).
    pub fn send_slow(&mut self, command: &[u8]) -> Result<(), NdsCardError> {
        Ok(self.spi.send_slow(command)?)
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

    /// Before identifying a chip: waits for a write it may still be
    /// finishing, unless nothing answers at all (then there is nothing to
    /// wait for, and the id and status queries say so).
    pub fn wait_ready_if_present(&mut self) -> Result<(), NdsCardError> {
        for _ in 0..MAX_BUSY_POLLS {
            let status = self.status()?;
            if status & STATUS_BUSY == 0 || status == NOTHING_ANSWERS {
                return Ok(());
            }
        }
        Err(NdsCardError::Timeout { address: 0 })
    }

    /// Waits, enables writing and checks the latch took, then sends
    /// `command` and waits for the chip to finish it.
    ///
    /// Only the latch is checked: the 8 MiB flash keeps its protect bits in
    /// the status register while writable (0x86 with the latch set;
    /// Checkpoint 3.13+ spi.cpp, SPIEnableWriting's FLASH_8MB case). The
    /// sources differ for the 512-byte EEPROM: Checkpoint skips the check
    /// for it, because its check for the other chips (nothing but the latch
    /// set) never passes with that part's high status bits; checking the
    /// latch bit alone works for every part.
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
