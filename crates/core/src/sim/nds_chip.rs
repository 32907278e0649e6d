//! Simulated NDS save chips, answering SPI commands like the real parts,
//! including the behaviour that makes a careless driver fail.
//!
//! - EEPROM 512 B: one address byte; bit 8 of the address is in the opcode
//!   (read 0x03 low half / 0x0B high half, write 0x02 / 0x0A; GBATEK "DS
//!   Cartridge Backup", TWLSaveTool include/SPI.h); 16-byte pages; its
//!   status register reads 0xF0 in the unused high bits (Checkpoint
//!   3ds/source/spi.cpp, SPIGetCardType). A read stays in the half its
//!   opcode chose: its 8-bit address counter wraps from 0xFF to 0x00 of the
//!   same half. Sources differ here: GBATEK names the reads "000h-0FFh" and
//!   "100h-1FFh", and Checkpoint and TWLSaveTool (_SPIReadSaveData_512B_impl)
//!   never let one read cross 0x100, while the datasheets of 4-Kbit SPI
//!   EEPROMs that take A8 in the instruction describe a 9-bit counter. The
//!   simulation takes the narrower reading, so a driver that relies on
//!   crossing fails here; reading each half with its own opcode is right
//!   under both.
//! - EEPROM 8 KiB / 64 KiB (2 address bytes, 32 / 128-byte pages) and
//!   128 KiB (3 address bytes, 256-byte pages): read 0x03, write 0x02
//!   (Checkpoint spi.cpp, SPIGetPageSize and SPIWriteSaveData).
//! - FLASH: JEDEC id on 0x9F, 256-byte pages, read 0x03 (0x0B with a dummy
//!   byte), page write 0x0A (erase and program), page program 0x02 (can only
//!   clear bits), page erase 0xDB, 64 KiB sector erase 0xD8 (M25PE40
//!   datasheet; TWLSaveTool include/SPI.h).
//! - The 8 MiB flash (Checkpoint 3.13+ spi.cpp, SPIUnlock and its comment,
//!   observed on hardware): no 0x0A, so it is erased by sector (0xD8) and
//!   programmed with 0x02. It powers up write-protected with status 0x84
//!   (SRWD and a block-protect bit), 0x86 with the write-enable latch set.
//!   Writing the status register (0x01) is a no-op: SRWD and the card's WP#
//!   pin lock it. The vendor sequence of seven frames (0xF1; 0x06; 0xFA 0x01
//!   0x31 0x00; 0x14; 0x06; 0xF8 0x01 0x00 0x00; 0x0E 0x00, each its own
//!   chip select) frees the array, after which programs and erases land
//!   while the status still reads 0x84/0x86. No sequence that locks it
//!   again is known; the simulated part stays unlocked until it is made
//!   anew (a power cycle).
//! - Status register (0x05): bit 0 busy (WIP), bit 1 write enable (WEL,
//!   set by 0x06, cleared by 0x04 and by every program or erase, required
//!   by them). After a program or erase the chip stays busy for a few
//!   status polls and ignores everything else meanwhile; a chip can also
//!   start busy ([`SimChip::busy_for`]: a write the console was powered off
//!   or reset in, still finishing), so drivers must wait for WIP to clear
//!   before the JEDEC id and before reads, as Checkpoint and TWLSaveTool do
//!   (SPIReadJEDECIDAndStatusReg and SPIReadSaveData call SPIWaitWriteEnd).
//! - Reads wrap around past the capacity, so a small chip shows up mirrored;
//!   writes wrap inside their page.
//! - Sent too few address bytes, a chip takes the missing ones from the
//!   first clocks of the read (the bus sends 0x00 while reading) and answers
//!   0xFF during them; sent too many, it starts answering during the extra
//!   bytes, which the half-duplex bus does not capture. A write without a
//!   data byte after its address does nothing.

use crate::sim::power::{PowerLost, PowerSupply};

/// Status register: a program or erase is in progress (WIP; TWLSaveTool
/// include/SPI.h SPI_FLG_WIP).
pub const STATUS_BUSY: u8 = 0x01;
/// Status register: writes are enabled (WEL; TWLSaveTool include/SPI.h
/// SPI_FLG_WEL).
pub const STATUS_WRITE_ENABLED: u8 = 0x02;
/// Status register: the block-protect bits BP0..BP2 (M25PE40 datasheet).
pub const STATUS_BLOCK_PROTECT: u8 = 0x1C;
/// The 8 MiB flash's status as it powers up: SRWD and a block-protect bit
/// (Checkpoint 3ds/source/spi.cpp, comment above SPIUnlock: "sr = 0x84").
pub const FLASH_8M_STATUS: u8 = 0x84;
/// What the 512-byte EEPROM shows in the unused high bits of its status
/// (Checkpoint spi.cpp, SPIGetCardType: `(sr & 0xfd) == 0xF0`).
pub const EEPROM_512_STATUS_HIGH: u8 = 0xF0;

/// The 8 MiB flash's vendor unlock, one frame per chip select (Checkpoint
/// 3.13+ 3ds/source/spi.cpp, SPIUnlock, after ndsi-savedumper's
/// auxspi_disable_big_protection).
pub const FLASH_8M_UNLOCK: [&[u8]; 7] = [
    &[0xF1],
    &[0x06],
    &[0xFA, 0x01, 0x31, 0x00],
    &[0x14],
    &[0x06],
    &[0xF8, 0x01, 0x00, 0x00],
    &[0x0E, 0x00],
];

/// Status polls a program or erase keeps the chip busy for (the simulation
/// has no clock: a poll stands for the time between two polls).
const BUSY_POLLS: u32 = 2;
/// Flash page size (M25PE40 datasheet: 256 bytes).
const FLASH_PAGE: usize = 256;
/// Flash sector size, the 0xD8 erase (M25PE40 datasheet: 64 KiB).
const FLASH_SECTOR: usize = 64 * 1024;
/// The size from which flash parts lack 0x0A and power up locked
/// (Checkpoint spi.cpp, SPIWriteSaveData's FLASH_8MB case and SPIUnlock).
const SECTOR_ERASE_ONLY_SIZE: usize = 8 * 1024 * 1024;

/// The part on the card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChipModel {
    /// 512-byte EEPROM, address bit 8 in the opcode.
    Eeprom512,
    /// EEPROM with 2 or 3 address bytes.
    Eeprom {
        /// Capacity in bytes.
        size: usize,
        /// Page size in bytes.
        page: usize,
        /// Address bytes after the opcode.
        address_bytes: usize,
    },
    /// Flash with a JEDEC id.
    Flash {
        /// Capacity in bytes.
        size: usize,
        /// Manufacturer, type and capacity bytes as one number.
        jedec_id: u32,
    },
}

impl ChipModel {
    /// Capacity in bytes.
    pub fn size(&self) -> usize {
        match *self {
            ChipModel::Eeprom512 => 512,
            ChipModel::Eeprom { size, .. } | ChipModel::Flash { size, .. } => size,
        }
    }

    fn sector_erase_only(&self) -> bool {
        matches!(*self, ChipModel::Flash { size, .. } if size >= SECTOR_ERASE_ONLY_SIZE)
    }
}

/// A save chip and its contents.
#[derive(Debug, Clone)]
pub struct SimChip {
    model: ChipModel,
    memory: Vec<u8>,
    write_enabled: bool,
    busy_polls: u32,
    protect_bits: u8,
    /// The 8 MiB flash: how many frames of [`FLASH_8M_UNLOCK`] arrived in
    /// a row, and whether the whole sequence has (the array is writable).
    unlock_progress: usize,
    unlocked: bool,
    stuck: Option<usize>,
}

/// What a transfer did to the stored data, for the slot's counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Effect {
    /// A page write or program happened.
    pub programmed: bool,
    /// An erase happened.
    pub erased: bool,
    /// A status read found the chip busy.
    pub busy_poll: bool,
}

impl SimChip {
    /// A chip of `model` holding `contents` (padded with 0xFF, the erased
    /// state, when shorter).
    pub fn new(model: ChipModel, contents: &[u8]) -> Self {
        let mut memory = vec![0xFF; model.size()];
        let n = contents.len().min(memory.len());
        memory[..n].copy_from_slice(&contents[..n]);
        Self {
            model,
            memory,
            write_enabled: false,
            busy_polls: 0,
            stuck: None,
            protect_bits: if model.sector_erase_only() {
                FLASH_8M_STATUS
            } else {
                0
            },
            unlock_progress: 0,
            unlocked: !model.sector_erase_only(),
        }
    }

    /// Makes the chip busy for the next `polls` status reads, as a part
    /// still finishing a write when the console starts (test setup).
    pub fn busy_for(&mut self, polls: u32) {
        self.busy_polls = polls;
    }

    /// The 512-byte EEPROM.
    pub fn eeprom_512(contents: &[u8]) -> Self {
        Self::new(ChipModel::Eeprom512, contents)
    }

    /// An EEPROM of 8, 64 or 128 KiB, with that part's page size and
    /// address width.
    ///
    /// # Panics
    /// For any other size.
    pub fn eeprom(size: usize, contents: &[u8]) -> Self {
        // Page sizes: Checkpoint spi.cpp, SPIGetPageSize; address widths:
        // SPIReadSaveData's cmdSize.
        let (page, address_bytes) = match size {
            0x2000 => (32, 2),
            0x1_0000 => (128, 2),
            0x2_0000 => (256, 3),
            _ => panic!("no EEPROM of {size} bytes"),
        };
        Self::new(
            ChipModel::Eeprom {
                size,
                page,
                address_bytes,
            },
            contents,
        )
    }

    /// A flash part with `jedec_id` and `size` bytes.
    pub fn flash(jedec_id: u32, size: usize, contents: &[u8]) -> Self {
        Self::new(ChipModel::Flash { size, jedec_id }, contents)
    }

    /// The part.
    pub fn model(&self) -> ChipModel {
        self.model
    }

    /// The stored bytes.
    pub fn memory(&self) -> &[u8] {
        &self.memory
    }

    /// Replaces the stored bytes (test setup, not a bus operation).
    pub fn memory_mut(&mut self) -> &mut [u8] {
        &mut self.memory
    }

    /// Wears out the cell at `address`: it keeps its value through every
    /// program and erase (a fault for testing read-back checks).
    pub fn wear_out(&mut self, address: usize) {
        self.stuck = Some(address);
    }

    /// Whether programs and erases are refused: a locked 8 MiB flash, or a
    /// part whose block-protect bits are set.
    pub fn is_locked(&self) -> bool {
        if self.model.sector_erase_only() {
            !self.unlocked
        } else {
            self.protect_bits != 0
        }
    }

    /// The status register as the chip would answer it now.
    pub fn status_register(&self) -> u8 {
        self.status()
    }

    fn status(&self) -> u8 {
        let mut status = self.protect_bits;
        if self.busy_polls > 0 {
            status |= STATUS_BUSY;
        }
        if self.write_enabled {
            status |= STATUS_WRITE_ENABLED;
        }
        if self.model == ChipModel::Eeprom512 {
            status |= EEPROM_512_STATUS_HIGH;
        }
        status
    }

    /// Carries out one chip-select cycle. `response` must come in filled
    /// with 0xFF (the idle line).
    pub fn transfer(
        &mut self,
        command: &[u8],
        response: &mut [u8],
        power: &PowerSupply,
    ) -> Result<Effect, PowerLost> {
        let Some(&opcode) = command.first() else {
            return Ok(Effect::default());
        };
        if opcode == 0x05 {
            response.fill(self.status());
            let busy = self.busy_polls > 0;
            self.busy_polls = self.busy_polls.saturating_sub(1);
            return Ok(Effect {
                busy_poll: busy,
                ..Effect::default()
            });
        }
        if self.busy_polls > 0 {
            // A busy part ignores everything but status reads.
            return Ok(Effect::default());
        }
        if self.model.sector_erase_only() {
            self.follow_unlock(command);
        }
        match opcode {
            0x06 => self.write_enabled = true,
            0x04 => self.write_enabled = false,
            0x9F => {
                if let ChipModel::Flash { jedec_id, .. } = self.model {
                    let id = jedec_id.to_be_bytes();
                    for (out, byte) in response.iter_mut().zip(&id[1..]) {
                        *out = *byte;
                    }
                }
            }
            0x01 => return self.write_status(command, power),
            _ => return self.memory_command(opcode, command, response, power),
        }
        Ok(Effect::default())
    }

    /// Tracks the vendor unlock: each frame must follow the one before it
    /// with nothing in between; anything else starts over.
    fn follow_unlock(&mut self, command: &[u8]) {
        if command == FLASH_8M_UNLOCK[self.unlock_progress] {
            self.unlock_progress += 1;
        } else {
            self.unlock_progress = usize::from(command == FLASH_8M_UNLOCK[0]);
        }
        if self.unlock_progress == FLASH_8M_UNLOCK.len() {
            self.unlocked = true;
            self.unlock_progress = 0;
        }
    }

    fn write_status(&mut self, command: &[u8], power: &PowerSupply) -> Result<Effect, PowerLost> {
        if !self.write_enabled || command.len() < 2 {
            return Ok(Effect::default());
        }
        if self.model.sector_erase_only() {
            // SRWD and the card's WP# pin lock the register: the write is
            // dropped (Checkpoint spi.cpp, comment above SPIUnlock).
            self.write_enabled = false;
            return Ok(Effect::default());
        }
        power.begin_write()?;
        self.protect_bits = command[1] & STATUS_BLOCK_PROTECT;
        self.finish_write();
        Ok(Effect::default())
    }

    fn finish_write(&mut self) {
        self.write_enabled = false;
        self.busy_polls = BUSY_POLLS;
    }

    /// The address in `command` after the opcode, for a part taking
    /// `width` address bytes; bytes the command lacks are clocked during the
    /// read as 0x00. Returns the address and how many address or extra
    /// bytes the read phase spends (positive) or the command over-supplied
    /// (negative, those response bytes are lost).
    fn address(command: &[u8], width: usize) -> (usize, isize) {
        let given = &command[1..];
        let mut address = 0usize;
        for i in 0..width {
            address = (address << 8) | usize::from(given.get(i).copied().unwrap_or(0));
        }
        (address, width as isize - given.len() as isize)
    }

    fn read_into(&self, address: usize, shift: isize, response: &mut [u8]) {
        // shift > 0: the first `shift` response clocks still carry address
        // bytes (the chip answers 0xFF); shift < 0: the chip already sent
        // `-shift` bytes while the command was going out.
        let size = self.memory.len();
        let (skip_out, start) = if shift >= 0 {
            (shift as usize, address)
        } else {
            (0, address + (-shift) as usize)
        };
        for (i, out) in response.iter_mut().enumerate().skip(skip_out) {
            *out = self.memory[(start + i - skip_out) % size];
        }
    }

    /// A 512-byte EEPROM read: the 8-bit counter wraps inside the half the
    /// opcode chose (see the module description).
    fn read_half(&self, half: usize, address: usize, shift: isize, response: &mut [u8]) {
        let (skip_out, start) = if shift >= 0 {
            (shift as usize, address)
        } else {
            (0, address + (-shift) as usize)
        };
        for (i, out) in response.iter_mut().enumerate().skip(skip_out) {
            *out = self.memory[half | ((start + i - skip_out) & 0xFF)];
        }
    }

    fn memory_command(
        &mut self,
        opcode: u8,
        command: &[u8],
        response: &mut [u8],
        power: &PowerSupply,
    ) -> Result<Effect, PowerLost> {
        match self.model {
            ChipModel::Eeprom512 => {
                let high = if opcode & 0x08 != 0 { 0x100 } else { 0 };
                match opcode {
                    0x03 | 0x0B => {
                        let (address, shift) = Self::address(command, 1);
                        self.read_half(high, address, shift, response);
                        Ok(Effect::default())
                    }
                    0x02 | 0x0A if command.len() > 2 => {
                        let address = usize::from(command[1]) | high;
                        // 16-byte pages (Checkpoint spi.cpp, SPIGetPageSize).
                        self.program_page(address, 16, &command[2..], false, power)
                    }
                    _ => Ok(Effect::default()),
                }
            }
            ChipModel::Eeprom {
                page,
                address_bytes,
                ..
            } => match opcode {
                0x03 => {
                    let (address, shift) = Self::address(command, address_bytes);
                    self.read_into(address, shift, response);
                    Ok(Effect::default())
                }
                0x02 if command.len() > 1 + address_bytes => {
                    let (address, _) = Self::address(command, address_bytes);
                    self.program_page(address, page, &command[1 + address_bytes..], false, power)
                }
                _ => Ok(Effect::default()),
            },
            ChipModel::Flash { .. } => self.flash_command(opcode, command, response, power),
        }
    }

    fn flash_command(
        &mut self,
        opcode: u8,
        command: &[u8],
        response: &mut [u8],
        power: &PowerSupply,
    ) -> Result<Effect, PowerLost> {
        let sector_only = self.model.sector_erase_only();
        match opcode {
            0x03 => {
                let (address, shift) = Self::address(command, 3);
                self.read_into(address, shift, response);
            }
            0x0B => {
                // Fast read: three address bytes and one dummy byte.
                let (address, shift) = Self::address(command, 4);
                self.read_into(address >> 8, shift, response);
            }
            0x0A if !sector_only && command.len() > 4 => {
                let (address, _) = Self::address(command, 3);
                return self.program_page(address, FLASH_PAGE, &command[4..], false, power);
            }
            0x02 if command.len() > 4 => {
                let (address, _) = Self::address(command, 3);
                return self.program_page(address, FLASH_PAGE, &command[4..], true, power);
            }
            0xDB if !sector_only && command.len() >= 4 => {
                let (address, _) = Self::address(command, 3);
                return self.erase(address, FLASH_PAGE, power);
            }
            0xD8 if command.len() >= 4 => {
                let (address, _) = Self::address(command, 3);
                return self.erase(address, FLASH_SECTOR, power);
            }
            _ => {}
        }
        Ok(Effect::default())
    }

    fn writable(&mut self) -> bool {
        if !self.write_enabled {
            return false;
        }
        if self.is_locked() {
            // A protected part drops the command but still clears the latch.
            self.write_enabled = false;
            return false;
        }
        true
    }

    fn program_page(
        &mut self,
        address: usize,
        page: usize,
        data: &[u8],
        and_only: bool,
        power: &PowerSupply,
    ) -> Result<Effect, PowerLost> {
        if !self.writable() {
            return Ok(Effect::default());
        }
        power.begin_write()?;
        let size = self.memory.len();
        let base = (address % size) / page * page;
        let offset = address % page;
        for (i, &byte) in data.iter().enumerate() {
            let at = base + (offset + i) % page;
            if self.stuck == Some(at) {
                continue;
            }
            self.memory[at] = if and_only {
                self.memory[at] & byte
            } else {
                byte
            };
        }
        self.finish_write();
        Ok(Effect {
            programmed: true,
            ..Effect::default()
        })
    }

    fn erase(
        &mut self,
        address: usize,
        unit: usize,
        power: &PowerSupply,
    ) -> Result<Effect, PowerLost> {
        if !self.writable() {
            return Ok(Effect::default());
        }
        power.begin_write()?;
        let size = self.memory.len();
        let base = (address % size) / unit * unit;
        let kept = self.stuck.map(|at| (at, self.memory[at]));
        self.memory[base..base + unit].fill(0xFF);
        if let Some((at, value)) = kept {
            self.memory[at] = value;
        }
        self.finish_write();
        Ok(Effect {
            erased: true,
            ..Effect::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(chip: &mut SimChip, command: &[u8], n: usize) -> Vec<u8> {
        let mut response = vec![0xFF; n];
        chip.transfer(command, &mut response, &PowerSupply::new())
            .unwrap();
        response
    }

    fn settle(chip: &mut SimChip) {
        while run(chip, &[0x05], 1)[0] & STATUS_BUSY != 0 {}
    }

    #[test]
    fn eeprom_512_takes_address_bit_8_from_the_opcode() {
        let mut contents = vec![0u8; 512];
        contents[0x10] = 0xAA;
        contents[0x110] = 0xBB;
        let mut chip = SimChip::eeprom_512(&contents);
        assert_eq!(run(&mut chip, &[0x05], 1), [0xF0]);
        assert_eq!(run(&mut chip, &[0x03, 0x10], 1), [0xAA]);
        assert_eq!(run(&mut chip, &[0x0B, 0x10], 1), [0xBB]);
        // Without write enable the write is dropped.
        run(&mut chip, &[0x0A, 0x10, 0x11], 0);
        assert_eq!(chip.memory()[0x110], 0xBB);
        run(&mut chip, &[0x06], 0);
        assert_eq!(run(&mut chip, &[0x05], 1), [0xF2]);
        run(&mut chip, &[0x0A, 0x10, 0x11], 0);
        assert_eq!(run(&mut chip, &[0x05], 1)[0] & 0x03, STATUS_BUSY);
        settle(&mut chip);
        assert_eq!(chip.memory()[0x110], 0x11);
        assert_eq!(chip.memory()[0x10], 0xAA);
    }

    #[test]
    fn reads_wrap_past_the_capacity_and_writes_inside_their_page() {
        let contents: Vec<u8> = (0..0x2000u32).map(|i| (i % 251) as u8).collect();
        let mut chip = SimChip::eeprom(0x2000, &contents);
        assert_eq!(
            run(&mut chip, &[0x03, 0x20, 0x05], 2),
            [contents[5], contents[6]]
        );
        assert_eq!(
            run(&mut chip, &[0x03, 0x1F, 0xFF], 2),
            [contents[0x1FFF], contents[0]]
        );
        run(&mut chip, &[0x06], 0);
        // 32-byte pages: two bytes from offset 31 land at 31 and 0.
        run(&mut chip, &[0x02, 0x00, 0x1F, 0xA1, 0xA2], 0);
        settle(&mut chip);
        assert_eq!(chip.memory()[0x1F], 0xA1);
        assert_eq!(chip.memory()[0x00], 0xA2);
        assert_eq!(chip.memory()[0x20], contents[0x20]);
    }

    #[test]
    fn a_busy_chip_ignores_everything_but_status() {
        let mut chip = SimChip::flash(0x20_4013, 512 * 1024, &[]);
        run(&mut chip, &[0x06], 0);
        let mut page = vec![0x0A, 0, 1, 0];
        page.extend([0x42; 256]);
        run(&mut chip, &page, 0);
        assert_eq!(run(&mut chip, &[0x03, 0, 1, 0], 1), [0xFF], "busy: no data");
        settle(&mut chip);
        assert_eq!(run(&mut chip, &[0x03, 0, 1, 0], 1), [0x42]);
        assert_eq!(run(&mut chip, &[0x9F], 3), [0x20, 0x40, 0x13]);
    }

    #[test]
    fn the_8_mib_flash_ignores_a_status_write_and_unlocks_with_the_vendor_sequence() {
        let mut chip = SimChip::flash(0x20_4017, 8 << 20, &[]);
        assert!(chip.is_locked());
        // Checkpoint's observed status: 0x84, 0x86 with the latch set.
        assert_eq!(run(&mut chip, &[0x05], 1), [0x84]);
        run(&mut chip, &[0x06], 0);
        assert_eq!(run(&mut chip, &[0x05], 1), [0x86]);
        run(&mut chip, &[0x02, 0, 0, 0, 0x00], 0);
        assert_eq!(chip.memory()[0], 0xFF, "protected: no program");
        assert_eq!(run(&mut chip, &[0x05], 1)[0] & STATUS_WRITE_ENABLED, 0);
        // Clearing the status register does nothing on this part.
        run(&mut chip, &[0x06], 0);
        run(&mut chip, &[0x01, 0x00], 0);
        settle(&mut chip);
        assert!(chip.is_locked());
        assert_eq!(run(&mut chip, &[0x05], 1), [0x84]);
        // The sequence with another command in between does not unlock it
        // (status reads do not count: they change nothing).
        for frame in FLASH_8M_UNLOCK.iter().take(5) {
            run(&mut chip, frame, 0);
        }
        run(&mut chip, &[0x03, 0, 0, 0], 1);
        for frame in &FLASH_8M_UNLOCK[5..] {
            run(&mut chip, frame, 0);
        }
        assert!(chip.is_locked());
        for frame in FLASH_8M_UNLOCK {
            run(&mut chip, frame, 0);
        }
        assert!(!chip.is_locked());
        // The protect bits stay in the status; writes land all the same.
        assert_eq!(run(&mut chip, &[0x05], 1)[0] & !STATUS_WRITE_ENABLED, 0x84);
        // No 0x0A on this part; 0x02 only clears bits; 0xD8 erases 64 KiB.
        run(&mut chip, &[0x06], 0);
        run(&mut chip, &[0x0A, 0, 0, 0, 0x12], 0);
        assert_eq!(chip.memory()[0], 0xFF);
        run(&mut chip, &[0x02, 0, 0, 0, 0x0F], 0);
        settle(&mut chip);
        run(&mut chip, &[0x06], 0);
        run(&mut chip, &[0x02, 0, 0, 0, 0xF3], 0);
        settle(&mut chip);
        assert_eq!(chip.memory()[0], 0x03);
        run(&mut chip, &[0x06], 0);
        run(&mut chip, &[0xD8, 0, 0x80, 0], 0);
        settle(&mut chip);
        assert_eq!(chip.memory()[0], 0xFF);
    }

    #[test]
    fn a_512_byte_eeprom_read_stays_in_the_half_its_opcode_chose() {
        let contents: Vec<u8> = (0..512u32).map(|i| (i * 7 + i / 256) as u8).collect();
        let mut chip = SimChip::eeprom_512(&contents);
        // From 0xFE with 0x03: 0x0FE, 0x0FF, then 0x000, not 0x100.
        assert_eq!(
            run(&mut chip, &[0x03, 0xFE], 3),
            [contents[0xFE], contents[0xFF], contents[0x00]]
        );
        // From 0xFF with 0x0B: 0x1FF, then 0x100.
        assert_eq!(
            run(&mut chip, &[0x0B, 0xFF], 2),
            [contents[0x1FF], contents[0x100]]
        );
    }

    #[test]
    fn a_chip_busy_at_start_answers_only_status_until_it_is_done() {
        let mut chip = SimChip::flash(0x20_4013, 512 * 1024, &[0x42]);
        chip.busy_for(3);
        assert_eq!(run(&mut chip, &[0x9F], 3), [0xFF; 3]);
        assert_eq!(run(&mut chip, &[0x03, 0, 0, 0], 1), [0xFF]);
        assert_eq!(run(&mut chip, &[0x05], 1), [STATUS_BUSY]);
        settle(&mut chip);
        assert_eq!(run(&mut chip, &[0x9F], 3), [0x20, 0x40, 0x13]);
        assert_eq!(run(&mut chip, &[0x03, 0, 0, 0], 1), [0x42]);
    }

    #[test]
    fn short_and_long_addresses_shift_the_answer() {
        let contents: Vec<u8> = (0..=255u8).cycle().take(0x2_0000).collect();
        let mut three = SimChip::eeprom(0x2_0000, &contents);
        // Two address bytes to a three-byte part: one 0xFF, then data.
        assert_eq!(run(&mut three, &[0x03, 0x00, 0x05], 3), [0xFF, 0x00, 0x01]);
        let mut two = SimChip::eeprom(0x1_0000, &contents);
        // Three address bytes to a two-byte part: the first byte is lost.
        assert_eq!(run(&mut two, &[0x03, 0x00, 0x05, 0x00], 2), [0x06, 0x07]);
    }
}
