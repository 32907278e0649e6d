//! Finding which save chip an NDS card carries.
//!
//! 0. Wait for the chip to finish any write it is still busy with: a busy
//!    chip ignores the id query (Checkpoint and TWLSaveTool spi.cpp,
//!    SPIReadJEDECIDAndStatusReg calls SPIWaitWriteEnd first).
//! 1. JEDEC id (0x9F) and status (0x05). A known flash id names the chip
//!    (the ids of Checkpoint spi.cpp, knownJEDECS).
//! 2. No id (0xFFFFFF) and status 0xF0: the 512-byte EEPROM, whose unused
//!    status bits read high (Checkpoint spi.cpp, SPIGetCardType).
//! 3. No id and status 0x00: a larger EEPROM (same source), sized from what
//!    it returns to reads where reads can prove it, and by the proven probe
//!    where they cannot:
//!    - Address width. Read with two address bytes: a two-byte part answers
//!      at once, a three-byte part (128 KiB) is still taking its third
//!      address byte during the first read clock and answers 0xFF there. Any
//!      byte that is not 0xFF, read back at its own address with two
//!      address bytes, tells which.
//!    - 8 or 64 KiB. An 8 KiB part ignores address bits 13..15, so its
//!      64 KiB of reads repeat every 8 KiB. Contents that do not repeat
//!      prove 64 KiB. Contents that repeat prove nothing: a 64 KiB part can
//!      hold a save that repeats every 8 KiB. Then the probe of Checkpoint
//!      and TWLSaveTool (spi.cpp, _SPIIsDataMirrored, after savegame-manager)
//!      decides: the byte at n - 1 (n = 8 KiB) is written inverted; if the
//!      byte at 2n - 1 changed with it, the part is n bytes. The original
//!      byte is then written back and read to check it (the proven tools do
//!      not check).
//!    - All 0xFF with two address bytes: a blank two-byte part, or a
//!      three-byte part whose data lies where such reads do not reach.
//!      The whole 128 KiB is read with three address bytes; any byte that
//!      is not 0xFF proves a 128 KiB part (a blank two-byte part reads
//!      0xFF at every address).
//!    - Blank with either width: the probe with two address bytes (a
//!      three-byte part takes the data byte for an address byte and writes
//!      nothing); if it did not take, the probe with three address bytes
//!      at n = 64 KiB must take and not be mirrored: 128 KiB. Checkpoint
//!      decides 128 KiB from two two-byte probes that both saw nothing
//!      change; a probe that took is stronger evidence.
//! 4. Anything else is reported with its id and status, never guessed.
//!
//! [`Detector`] does this as a step machine, so the UI can identify a card
//! that was just inserted without stalling a frame: one step waits for the
//! chip and sends the id and status queries, each of the next eight reads
//! one 8 KiB block of the EEPROM, and a last step sizes it (at most a
//! one-byte read, or the whole probe with its restore, so the card never
//! holds the probe byte between two steps); a blank-reading EEPROM takes
//! sixteen more block reads, with three address bytes, before that.
//! [`detect`] runs the steps to the end.

use keepsake_format::nds::ChipKind;

use crate::nds_card::protocol::{Bus, STATUS_BUSY, STATUS_WRITE_ENABLED, opcode};
use crate::nds_card::{NdsCardError, SaveChip};
use crate::platform::SpiBus;

/// The flash parts found on NDS cards, by JEDEC id (Checkpoint 3.13+
/// spi.cpp: knownJEDECS, and SPIGetCardType's jedecOrderedList and its
/// 0x208013 and 0x204017 / 0x202017 cases; capacities from SPIGetCapacity).
pub const KNOWN_FLASH_IDS: [(u32, ChipKind); 8] = [
    (0x20_4012, ChipKind::Flash256K),
    (0x62_1600, ChipKind::Flash256K),
    (0x20_4013, ChipKind::Flash512K),
    (0x62_1100, ChipKind::Flash512K),
    (0x20_8013, ChipKind::Flash512K),
    (0x20_4014, ChipKind::Flash1M),
    (0x20_2017, ChipKind::Flash8M),
    (0x20_4017, ChipKind::Flash8M),
];

/// The flash chip with this JEDEC id.
pub fn flash_kind(jedec_id: u32) -> Option<ChipKind> {
    KNOWN_FLASH_IDS
        .iter()
        .find(|(id, _)| *id == jedec_id)
        .map(|&(_, kind)| kind)
}

/// What detection found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Detection {
    /// The chip, ready to read and write.
    pub chip: SaveChip,
    /// The flash JEDEC id, `None` for EEPROMs.
    pub jedec_id: Option<u32>,
    /// Whether a probe write (restored) was needed to size an EEPROM.
    pub probed: bool,
}

/// The id query's answer when no flash answers it (Checkpoint spi.cpp,
/// SPIGetCardType: `jedec == 0x00ffffff`).
const NO_ID: u32 = 0xFF_FFFF;
/// The 512-byte EEPROM's status, latch and busy bits masked (Checkpoint
/// spi.cpp, SPIGetCardType: `(sr & 0xfd) == 0xF0`).
const EEPROM_512_STATUS: u8 = 0xF0;
/// Other EEPROMs' status, masked the same way (same source: `== 0x00`).
const EEPROM_STATUS: u8 = 0x00;
/// The status when nothing drives the line, masked: no chip answers.
const NOTHING_ANSWERS: u8 = 0xFC;
/// The smallest multi-kilobyte EEPROM, the first size the probe tests
/// (Checkpoint spi.cpp, SPIGetCardType: `_SPIIsDataMirrored(t, 8192, ...)`).
const KIB8: usize = 0x2000;
/// The second size the probe tests (same source: `65536`).
const KIB64: usize = 0x1_0000;

/// Bytes of the EEPROM one [`Detector`] step reads: one block of the
/// smallest multi-kilobyte part, the unit the mirroring analysis compares.
pub const DETECT_READ_CHUNK: usize = KIB8;

/// Bytes read with two address bytes for the mirroring analysis: 64 KiB,
/// the most a two-byte address reaches.
const SIZING_READ: usize = 8 * KIB8;

/// Detects the save chip of an NDS card; `infrared` cards (game code
/// starting with `I`) are reached behind the infrared prefix.
pub fn detect(spi: &mut dyn SpiBus, infrared: bool) -> Result<Detection, NdsCardError> {
    let mut detector = Detector::new(infrared);
    loop {
        if let DetectStep::Found(found) = detector.step(spi)? {
            return Ok(found);
        }
    }
}

/// The outcome of one [`Detector::step`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DetectStep {
    /// More bus work to do.
    Working,
    /// The chip is known.
    Found(Detection),
}

#[derive(Debug, Clone)]
enum State {
    /// Nothing sent yet.
    Start,
    /// An EEPROM of unknown size: its first 64 KiB, read so far, with two
    /// address bytes.
    Reading { image: Vec<u8> },
    /// All 64 KiB read: size it from them, probing if they are ambiguous.
    Sizing { image: Vec<u8> },
    /// Every byte read 0xFF: looking for data with three address bytes,
    /// read so far up to `address`.
    Scanning { address: usize },
    /// Blank with either address width: only a probe write can tell.
    Probing,
    /// Finished; stepping again repeats the outcome.
    Ended(Result<Detection, NdsCardError>),
}

/// Chip detection as a step machine: each [`Detector::step`] does a bounded
/// piece of bus work (see the module description).
#[derive(Debug, Clone)]
pub struct Detector {
    infrared: bool,
    state: State,
}

impl Detector {
    /// A detection of the chip behind the infrared prefix when `infrared`.
    pub fn new(infrared: bool) -> Self {
        Self {
            infrared,
            state: State::Start,
        }
    }

    /// Whether the chip is known (or detection failed).
    pub fn finished(&self) -> bool {
        matches!(self.state, State::Ended(_))
    }

    /// Does the next piece of detection. After the end, it returns the same
    /// outcome again without touching the bus.
    pub fn step(&mut self, spi: &mut dyn SpiBus) -> Result<DetectStep, NdsCardError> {
        let mut bus = Bus::new(spi, self.infrared);
        let state = std::mem::replace(&mut self.state, State::Start);
        let next = match state {
            State::Start => self.identify(&mut bus),
            State::Reading { mut image } => {
                let start = image.len();
                image.resize(start + DETECT_READ_CHUNK, 0);
                read_into(&mut bus, 2, start, &mut image[start..]).map(|()| {
                    if image.len() == SIZING_READ {
                        State::Sizing { image }
                    } else {
                        State::Reading { image }
                    }
                })
            }
            State::Sizing { image } => match eeprom_size(&mut bus, &image) {
                Ok(Some((kind, probed))) => Ok(State::Ended(Ok(self.found(kind, None, probed)))),
                Ok(None) => Ok(State::Scanning { address: 0 }),
                Err(e) => Err(e),
            },
            State::Scanning { address } => {
                let mut block = vec![0; DETECT_READ_CHUNK];
                read_into(&mut bus, 3, address, &mut block).map(|()| {
                    let next = address + DETECT_READ_CHUNK;
                    if block.iter().any(|&b| b != 0xFF) {
                        State::Ended(Ok(self.found(ChipKind::Eeprom128K, None, false)))
                    } else if next == ChipKind::Eeprom128K.capacity() {
                        State::Probing
                    } else {
                        State::Scanning { address: next }
                    }
                })
            }
            State::Probing => blank_probe(&mut bus)
                .map(|(kind, probed)| State::Ended(Ok(self.found(kind, None, probed)))),
            ended @ State::Ended(_) => Ok(ended),
        };
        self.state = match next {
            Ok(state) => state,
            Err(e) => State::Ended(Err(e)),
        };
        match &self.state {
            State::Ended(Ok(found)) => Ok(DetectStep::Found(*found)),
            State::Ended(Err(e)) => Err(e.clone()),
            _ => Ok(DetectStep::Working),
        }
    }

    fn found(&self, kind: ChipKind, jedec_id: Option<u32>, probed: bool) -> Detection {
        Detection {
            chip: SaveChip::new(kind, self.infrared),
            jedec_id,
            probed,
        }
    }

    /// The id and status queries, which settle every chip but the larger
    /// EEPROMs.
    fn identify(&self, bus: &mut Bus<'_>) -> Result<State, NdsCardError> {
        bus.wait_ready_if_present()?;
        let jedec = bus.jedec_id()?;
        let status = bus.status()?;
        let ended = |kind, jedec_id| Ok(State::Ended(Ok(self.found(kind, jedec_id, false))));
        if let Some(kind) = flash_kind(jedec) {
            return ended(kind, Some(jedec));
        }
        // The latch and busy bits may be set by an earlier interrupted write.
        let stable = status & !(STATUS_BUSY | STATUS_WRITE_ENABLED);
        match (jedec, stable) {
            (NO_ID, EEPROM_512_STATUS) => ended(ChipKind::Eeprom512B, None),
            (NO_ID, EEPROM_STATUS) => Ok(State::Reading {
                image: Vec::with_capacity(SIZING_READ),
            }),
            (NO_ID, NOTHING_ANSWERS) => Err(NdsCardError::NoChip { jedec, status }),
            _ => Err(NdsCardError::UnknownChip { jedec, status }),
        }
    }
}

fn address_bytes(width: usize, address: usize) -> impl Iterator<Item = u8> {
    (0..width).rev().map(move |i| (address >> (8 * i)) as u8)
}

fn read_into(
    bus: &mut Bus<'_>,
    width: usize,
    address: usize,
    out: &mut [u8],
) -> Result<(), NdsCardError> {
    let command: Vec<u8> = std::iter::once(opcode::READ)
        .chain(address_bytes(width, address))
        .collect();
    bus.transfer(&command, out)
}

fn read_raw(
    bus: &mut Bus<'_>,
    width: usize,
    address: usize,
    len: usize,
) -> Result<Vec<u8>, NdsCardError> {
    let mut out = vec![0; len];
    read_into(bus, width, address, &mut out)?;
    Ok(out)
}

fn write_raw(
    bus: &mut Bus<'_>,
    width: usize,
    address: usize,
    byte: u8,
) -> Result<(), NdsCardError> {
    let command: Vec<u8> = std::iter::once(opcode::WRITE)
        .chain(address_bytes(width, address))
        .chain([byte])
        .collect();
    bus.write_command(&command, address)
}

/// Sizes an EEPROM from `image`, its first 64 KiB as read with two address
/// bytes; `None` when every byte read 0xFF.
fn eeprom_size(bus: &mut Bus<'_>, image: &[u8]) -> Result<Option<(ChipKind, bool)>, NdsCardError> {
    let Some(at) = image.iter().position(|&b| b != 0xFF) else {
        return Ok(None);
    };
    // A three-byte part answers 0xFF at the first clock, always.
    if at == 0 {
        return two_byte_size(bus, image).map(Some);
    }
    let again = read_raw(bus, 2, at, 1)?[0];
    if again == image[at] {
        two_byte_size(bus, image).map(Some)
    } else if again == 0xFF {
        Ok(Some((ChipKind::Eeprom128K, false)))
    } else {
        Err(NdsCardError::EepromSize(format!(
            "two reads of address {at:#x} gave {:02X} and {again:02X}",
            image[at]
        )))
    }
}

fn two_byte_size(bus: &mut Bus<'_>, image: &[u8]) -> Result<(ChipKind, bool), NdsCardError> {
    let first = &image[..KIB8];
    if image.chunks(KIB8).any(|block| block != first) {
        return Ok((ChipKind::Eeprom64K, false));
    }
    // The reads repeat every 8 KiB: an 8 KiB part showing through its
    // ignored address bits, or a 64 KiB part holding a repeating save.
    // Only the probe can tell.
    let probe = probe(bus, 2, KIB8)?;
    if !probe.took {
        return Err(NdsCardError::EepromSize(format!(
            "its contents repeat every 8 KiB, and the probe write at address {:#x} that tells an 8 KiB part from a 64 KiB one did not take",
            KIB8 - 1
        )));
    }
    let kind = if probe.mirrored {
        ChipKind::Eeprom8K
    } else {
        ChipKind::Eeprom64K
    };
    Ok((kind, true))
}

fn blank_probe(bus: &mut Bus<'_>) -> Result<(ChipKind, bool), NdsCardError> {
    // Blank (all 0xFF): neither the address width nor the size shows.
    // Written with two address bytes, a three-byte part sees no data byte
    // and writes nothing.
    let two = probe(bus, 2, KIB8)?;
    if two.took {
        let kind = if two.mirrored {
            ChipKind::Eeprom8K
        } else {
            ChipKind::Eeprom64K
        };
        return Ok((kind, true));
    }
    let three = probe(bus, 3, KIB64)?;
    match (three.took, three.mirrored) {
        (true, false) => Ok((ChipKind::Eeprom128K, true)),
        (true, true) => Err(NdsCardError::EepromSize(
            "the chip takes three address bytes but repeats every 64 KiB, which no known part does"
                .into(),
        )),
        (false, _) => Err(NdsCardError::EepromSize(
            "the chip answers like an EEPROM but took no probe write".into(),
        )),
    }
}

/// What the probe found.
struct Probe {
    /// The inverted byte read back at n - 1.
    took: bool,
    /// The byte at 2n - 1 changed with it: the part is n bytes.
    mirrored: bool,
}

/// The probe of Checkpoint and TWLSaveTool (spi.cpp, _SPIIsDataMirrored):
/// read the bytes at n - 1 and 2n - 1, write the first inverted, read
/// 2n - 1 again, write the first back. Here the probe byte is also read
/// back (did it take?) and so is the restored byte (checked).
fn probe(bus: &mut Bus<'_>, width: usize, n: usize) -> Result<Probe, NdsCardError> {
    let low = n - 1;
    let high = 2 * n - 1;
    let original = read_raw(bus, width, low, 1)?[0];
    let before = read_raw(bus, width, high, 1)?[0];
    write_raw(bus, width, low, !original)?;
    let took = read_raw(bus, width, low, 1)?[0] == !original;
    let after = read_raw(bus, width, high, 1)?[0];
    restore(bus, width, low, original)?;
    Ok(Probe {
        took,
        mirrored: after != before,
    })
}

fn restore(
    bus: &mut Bus<'_>,
    width: usize,
    address: usize,
    original: u8,
) -> Result<(), NdsCardError> {
    write_raw(bus, width, address, original)?;
    let now = read_raw(bus, width, address, 1)?[0];
    if now != original {
        return Err(NdsCardError::EepromSize(format!(
            "restoring the probed byte at address {address:#x} to {original:02X} left {now:02X}"
        )));
    }
    Ok(())
}
