//! A detected save chip: reading and writing it by its kind's protocol.
//!
//! Reads wait for the chip, then take one transfer of any length, except on
//! the 512-byte EEPROM, where each half has its own read instruction and a
//! read never crosses 0x100 (0x03 for 0x000-0x0FF, 0x0B for 0x100-0x1FF:
//! Checkpoint and TWLSaveTool spi.cpp, _SPIReadSaveData_512B_impl).
//!
//! Writes go by write unit: a page (16 to 256 bytes, one 0x02/0x0A command;
//! Checkpoint spi.cpp, SPIGetPageSize and SPIWriteSaveData) on EEPROMs and
//! flash up to 1 MiB; a 64 KiB sector on the 8 MiB flash, which has no page
//! write: the sector is erased (0xD8) and its pages that are not blank
//! programmed (0x02), in one call, so a sector is erased only when its new
//! contents are in hand (Checkpoint 3.13+ spi.cpp, SPIWriteSaveData's
//! FLASH_8MB case, erases each sector as the write reaches it).
//!
//! The 8 MiB flash powers up write-protected, and clearing its status
//! register does nothing; [`SaveChip::unlock`] sends the vendor sequence
//! instead (Checkpoint 3.13+ spi.cpp, SPIUnlock). No sequence that locks it
//! again is known, so the driver unlocks it only right before the first
//! write (Checkpoint unlocks it at detection) and never for a read.

use keepsake_format::nds::ChipKind;

use crate::nds_card::NdsCardError;
use crate::nds_card::protocol::{Bus, FLASH_8M_UNLOCK, opcode};
use crate::platform::SpiBus;

/// The 8 MiB flash's erase unit, the 0xD8 sector (Checkpoint spi.cpp,
/// SPIWriteSaveData: `pos % 0x10000`).
const SECTOR: usize = 64 * 1024;

/// The 512-byte EEPROM's halves, each read by its own instruction (GBATEK;
/// Checkpoint spi.cpp, _SPIReadSaveData_512B_impl).
const EEPROM_512_HALF: usize = 0x100;

/// A save chip of a known kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SaveChip {
    kind: ChipKind,
    infrared: bool,
}

impl SaveChip {
    /// A chip of `kind`, behind the infrared prefix when `infrared`.
    pub fn new(kind: ChipKind, infrared: bool) -> Self {
        Self { kind, infrared }
    }

    /// The chip kind.
    pub fn kind(&self) -> ChipKind {
        self.kind
    }

    /// Whether commands go behind the infrared prefix.
    pub fn infrared(&self) -> bool {
        self.infrared
    }

    /// Capacity in bytes.
    pub fn capacity(&self) -> usize {
        self.kind.capacity()
    }

    /// Bytes one [`SaveChip::write_unit`] call covers.
    pub fn write_unit_size(&self) -> usize {
        if self.kind == ChipKind::Flash8M {
            SECTOR
        } else {
            self.kind.page_size()
        }
    }

    fn check_range(&self, address: usize, len: usize) -> Result<(), NdsCardError> {
        if address
            .checked_add(len)
            .is_none_or(|end| end > self.capacity())
        {
            return Err(NdsCardError::OutOfRange {
                address,
                len,
                capacity: self.capacity(),
            });
        }
        Ok(())
    }

    fn command(&self, op: u8, address: usize) -> Vec<u8> {
        if self.kind == ChipKind::Eeprom512B {
            // Address bit 8 rides in the opcode: 0x03/0x0B, 0x02/0x0A
            // (GBATEK; TWLSaveTool include/SPI.h).
            let high = if address & 0x100 != 0 { 0x08 } else { 0 };
            return vec![op | high, address as u8];
        }
        // Two address bytes for the 8 and 64 KiB EEPROMs, three for the
        // 128 KiB EEPROM and every flash (Checkpoint spi.cpp,
        // SPIReadSaveData / SPIWriteSaveData: cmdSize 3 or 4).
        let width = self.kind.address_bytes();
        std::iter::once(op)
            .chain((0..width).rev().map(|i| (address >> (8 * i)) as u8))
            .collect()
    }

    /// Reads `out.len()` bytes from `address` in one transfer.
    pub fn read(
        &self,
        spi: &mut dyn SpiBus,
        address: usize,
        out: &mut [u8],
    ) -> Result<(), NdsCardError> {
        self.check_range(address, out.len())?;
        let mut bus = Bus::new(spi, self.infrared);
        // A chip still finishing a write ignores the read (Checkpoint and
        // TWLSaveTool spi.cpp, SPIReadSaveData calls SPIWaitWriteEnd first):
        // one status poll per read, which reads are large enough to afford.
        bus.wait_ready(address)?;
        if self.kind != ChipKind::Eeprom512B {
            return bus.transfer(&self.command(opcode::READ, address), out);
        }
        // At most two reads: up to the end of the half `address` is in,
        // then the rest from 0x100 with the upper half's instruction.
        let split = (EEPROM_512_HALF - address % EEPROM_512_HALF).min(out.len());
        let (low, high) = out.split_at_mut(split);
        bus.transfer(&self.command(opcode::READ, address), low)?;
        if !high.is_empty() {
            bus.transfer(&self.command(opcode::READ, address + split), high)?;
        }
        Ok(())
    }

    /// Frees the 8 MiB flash for writing (nothing for other chips) with the
    /// vendor sequence; its status register keeps showing the protect bits
    /// afterwards, so there is nothing to check there: the write's
    /// read-back is the proof.
    pub fn unlock(&self, spi: &mut dyn SpiBus) -> Result<(), NdsCardError> {
        if self.kind != ChipKind::Flash8M {
            return Ok(());
        }
        let mut bus = Bus::new(spi, self.infrared);
        bus.wait_ready(0)?;
        for frame in FLASH_8M_UNLOCK {
            bus.send_slow(frame)?;
        }
        Ok(())
    }

    /// Writes write unit `index` (bytes `index * unit ..`) with `data`,
    /// which must be exactly one unit long.
    pub fn write_unit(
        &self,
        spi: &mut dyn SpiBus,
        index: usize,
        data: &[u8],
    ) -> Result<(), NdsCardError> {
        let unit = self.write_unit_size();
        let address = index * unit;
        if data.len() != unit {
            return Err(NdsCardError::OutOfRange {
                address,
                len: data.len(),
                capacity: self.capacity(),
            });
        }
        self.check_range(address, unit)?;
        let mut bus = Bus::new(spi, self.infrared);
        if self.kind == ChipKind::Flash8M {
            bus.write_command(&self.command(opcode::SECTOR_ERASE, address), address)?;
            for (i, page) in data.chunks(self.kind.page_size()).enumerate() {
                if page.iter().all(|&b| b == 0xFF) {
                    continue; // already erased
                }
                let at = address + i * page.len();
                let mut command = self.command(opcode::WRITE, at);
                command.extend_from_slice(page);
                bus.write_command(&command, at)?;
            }
            return Ok(());
        }
        // Flash up to 1 MiB: the page write, which erases and programs
        // (Checkpoint spi.cpp, SPIWriteSaveData: SPI_FLASH_CMD_PW); EEPROMs:
        // the write (SPI_EEPROM_CMD_WRITE, or WRLO/WRHI by the opcode bit).
        let op = if self.kind.is_flash() {
            opcode::PAGE_WRITE
        } else {
            opcode::WRITE
        };
        let mut command = self.command(op, address);
        command.extend_from_slice(data);
        bus.write_command(&command, address)
    }
}
