//! A detected save chip: reading and writing it by its kind's protocol.
//!
//! Reads are one transfer each, of any length. Writes go by write unit: a
//! page (16 to 256 bytes, one 0x02/0x0A command) on EEPROMs and flash up to
//! 1 MiB; a 64 KiB sector on the 8 MiB flash, which has no page write: the
//! sector is erased (0xD8) and its pages that are not blank programmed
//! (0x02). The 8 MiB flash powers up write-protected; [`SaveChip::unlock`]
//! clears its block-protect bits first.

use keepsake_format::nds::ChipKind;

use crate::nds_card::NdsCardError;
use crate::nds_card::protocol::{Bus, STATUS_BLOCK_PROTECT, opcode};
use crate::platform::SpiBus;

/// The 8 MiB flash's erase unit.
const SECTOR: usize = 64 * 1024;

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
            // Address bit 8 rides in the opcode: 0x03/0x0B, 0x02/0x0A.
            let high = if address & 0x100 != 0 { 0x08 } else { 0 };
            return vec![op | high, address as u8];
        }
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
        // Every write waits for the chip before returning, so a read never
        // meets a busy chip and needs no status poll of its own.
        Bus::new(spi, self.infrared).transfer(&self.command(opcode::READ, address), out)
    }

    /// Clears the 8 MiB flash's write protection (nothing for other chips).
    pub fn unlock(&self, spi: &mut dyn SpiBus) -> Result<(), NdsCardError> {
        if self.kind != ChipKind::Flash8M {
            return Ok(());
        }
        let mut bus = Bus::new(spi, self.infrared);
        bus.wait_ready(0)?;
        if bus.status()? & STATUS_BLOCK_PROTECT == 0 {
            return Ok(());
        }
        bus.write_command(&[opcode::WRITE_STATUS, 0x00], 0)?;
        let status = bus.status()?;
        if status & STATUS_BLOCK_PROTECT != 0 {
            return Err(NdsCardError::Locked { status });
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
