//! The simulated card slot: an NDS card (ROM header, banner, save chip,
//! maybe an infrared front end) or a 3DS card (a title id), with faults.
//!
//! The slot counts every SPI transfer and byte so tests can bound what a job
//! costs on the bus (and `examples/nds_bus_time.rs` can turn the counts into
//! time on the console), and can record the commands it carried, so tests
//! can check their order. Faults: the Nth transfer fails, the card is pulled
//! out after N transfers, and the shared power supply can go.

use crate::platform::spi::INFRARED_PREFIX;
use crate::platform::{CardError, CardKind, CardSlot, SpiBus, SpiError};
use crate::sim::nds_chip::SimChip;
use crate::sim::power::PowerSupply;

/// An NDS card.
#[derive(Debug, Clone)]
pub struct SimNdsCard {
    /// The ROM header (0x200 bytes or more).
    pub header: Vec<u8>,
    /// The banner.
    pub banner: Vec<u8>,
    /// The save chip.
    pub chip: SimChip,
    /// An infrared cartridge: the chip answers only behind the prefix byte.
    pub infrared: bool,
}

/// What is in the slot.
#[derive(Debug, Clone)]
pub enum SimCard {
    /// An NDS card.
    Nds(SimNdsCard),
    /// A 3DS card with this title id; its save is in the archives.
    Ctr {
        /// The card's title id.
        title_id: u64,
    },
}

/// Bus counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BusStats {
    /// Chip-select cycles.
    pub transfers: u64,
    /// Bytes sent (prefix, opcode, address, data).
    pub bytes_out: u64,
    /// Bytes read.
    pub bytes_in: u64,
    /// Page writes or programs the chip carried out.
    pub page_writes: u64,
    /// Page or sector erases the chip carried out.
    pub erases: u64,
    /// Status reads that found the chip busy (counted in `transfers` too).
    /// On the console their number depends on time, not on the driver: a
    /// model of time counts the wait instead (see `examples/nds_bus_time.rs`).
    pub busy_polls: u64,
}

/// One recorded transfer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusRecord {
    /// The command's first bytes (opcode and address; at most
    /// [`BusRecord::HEAD`]).
    pub head: Vec<u8>,
    /// The whole command's length, data included.
    pub command_len: usize,
    /// Bytes read.
    pub response_len: usize,
    /// Sent at the slow clock ([`SpiBus::send_slow`]).
    pub slow: bool,
}

impl BusRecord {
    /// Command bytes kept per record.
    pub const HEAD: usize = 8;

    /// The opcode.
    pub fn opcode(&self) -> Option<u8> {
        self.head.first().copied()
    }
}

/// The card slot.
#[derive(Debug)]
pub struct SimCardSlot {
    card: Option<SimCard>,
    power: PowerSupply,
    stats: BusStats,
    fail_transfer: Option<u64>,
    pull_after: Option<u64>,
    record: Option<Vec<BusRecord>>,
}

impl SimCardSlot {
    /// An empty slot on `power`.
    pub fn new(power: PowerSupply) -> Self {
        Self {
            card: None,
            power,
            stats: BusStats::default(),
            fail_transfer: None,
            pull_after: None,
            record: None,
        }
    }

    /// Starts recording every transfer from now (dropping any earlier
    /// record).
    pub fn record_commands(&mut self) {
        self.record = Some(Vec::new());
    }

    /// The transfers recorded since [`SimCardSlot::record_commands`].
    pub fn recorded(&self) -> &[BusRecord] {
        self.record.as_deref().unwrap_or(&[])
    }

    /// Puts a card in (replacing any).
    pub fn insert(&mut self, card: SimCard) {
        self.card = Some(card);
    }

    /// Takes the card out.
    pub fn eject(&mut self) -> Option<SimCard> {
        self.card.take()
    }

    /// The inserted card.
    pub fn card(&self) -> Option<&SimCard> {
        self.card.as_ref()
    }

    /// The inserted NDS card's chip, for test setup and checks.
    pub fn nds_chip_mut(&mut self) -> Option<&mut SimChip> {
        match &mut self.card {
            Some(SimCard::Nds(nds)) => Some(&mut nds.chip),
            _ => None,
        }
    }

    /// The inserted NDS card's chip.
    pub fn nds_chip(&self) -> Option<&SimChip> {
        match &self.card {
            Some(SimCard::Nds(nds)) => Some(&nds.chip),
            _ => None,
        }
    }

    /// Counters since the last [`SimCardSlot::reset_stats`].
    pub fn stats(&self) -> BusStats {
        self.stats
    }

    /// Zeroes the counters.
    pub fn reset_stats(&mut self) {
        self.stats = BusStats::default();
    }

    /// Makes the `n`th transfer from now (1-based) fail.
    pub fn fail_transfer_in(&mut self, n: u64) {
        self.fail_transfer = Some(self.stats.transfers + n.max(1));
    }

    /// Pulls the card out after `n` more transfers.
    pub fn pull_card_after(&mut self, n: u64) {
        self.pull_after = Some(self.stats.transfers + n);
    }
}

impl SpiBus for SimCardSlot {
    fn transfer(
        &mut self,
        prefix: Option<u8>,
        command: &[u8],
        response: &mut [u8],
    ) -> Result<(), SpiError> {
        self.cycle(prefix, command, response, false)
    }

    fn send_slow(&mut self, command: &[u8]) -> Result<(), SpiError> {
        self.cycle(None, command, &mut [], true)
    }
}

impl SimCardSlot {
    /// One chip-select cycle, at the slow clock when `slow` (the chips do
    /// not depend on it; the record shows it).
    fn cycle(
        &mut self,
        prefix: Option<u8>,
        command: &[u8],
        response: &mut [u8],
        slow: bool,
    ) -> Result<(), SpiError> {
        response.fill(0xFF);
        self.power.check().map_err(|_| SpiError::PowerLost)?;
        if self.pull_after.is_some_and(|n| self.stats.transfers >= n) {
            self.card = None;
            self.pull_after = None;
        }
        let nds = match &mut self.card {
            None => return Err(SpiError::NoCard),
            Some(SimCard::Ctr { .. }) => return Err(SpiError::NotNds),
            Some(SimCard::Nds(nds)) => nds,
        };
        self.stats.transfers += 1;
        self.stats.bytes_out += (command.len() + usize::from(prefix.is_some())) as u64;
        if self.fail_transfer == Some(self.stats.transfers) {
            self.fail_transfer = None;
            return Err(SpiError::Failed("simulated transfer failure".into()));
        }
        self.stats.bytes_in += response.len() as u64;
        if let Some(record) = &mut self.record {
            record.push(BusRecord {
                head: command[..command.len().min(BusRecord::HEAD)].to_vec(),
                command_len: command.len(),
                response_len: response.len(),
                slow,
            });
        }
        if nds.infrared && prefix != Some(INFRARED_PREFIX) {
            // The infrared front end passes nothing on without its prefix.
            return Ok(());
        }
        let effect = nds
            .chip
            .transfer(command, response, &self.power)
            .map_err(|_| SpiError::PowerLost)?;
        self.stats.page_writes += u64::from(effect.programmed);
        self.stats.erases += u64::from(effect.erased);
        self.stats.busy_polls += u64::from(effect.busy_poll);
        Ok(())
    }
}

impl CardSlot for SimCardSlot {
    fn inserted(&mut self) -> Option<CardKind> {
        match self.card {
            None => None,
            Some(SimCard::Nds(_)) => Some(CardKind::Nds),
            Some(SimCard::Ctr { .. }) => Some(CardKind::Ctr),
        }
    }

    fn nds_header(&mut self) -> Result<Vec<u8>, CardError> {
        self.power.check().map_err(|_| CardError::PowerLost)?;
        match &self.card {
            None => Err(CardError::NoCard),
            Some(SimCard::Nds(nds)) => Ok(nds.header.clone()),
            Some(SimCard::Ctr { .. }) => Err(CardError::WrongKind {
                wanted: CardKind::Nds,
                found: CardKind::Ctr,
            }),
        }
    }

    fn nds_banner(&mut self) -> Result<Vec<u8>, CardError> {
        self.power.check().map_err(|_| CardError::PowerLost)?;
        match &self.card {
            None => Err(CardError::NoCard),
            Some(SimCard::Nds(nds)) => Ok(nds.banner.clone()),
            Some(SimCard::Ctr { .. }) => Err(CardError::WrongKind {
                wanted: CardKind::Nds,
                found: CardKind::Ctr,
            }),
        }
    }

    fn ctr_title_id(&mut self) -> Result<u64, CardError> {
        self.power.check().map_err(|_| CardError::PowerLost)?;
        match &self.card {
            None => Err(CardError::NoCard),
            Some(SimCard::Ctr { title_id }) => Ok(*title_id),
            Some(SimCard::Nds(_)) => Err(CardError::WrongKind {
                wanted: CardKind::Ctr,
                found: CardKind::Nds,
            }),
        }
    }

    fn spi(&mut self) -> &mut dyn SpiBus {
        self
    }
}
