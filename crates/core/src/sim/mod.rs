//! A whole console in memory: every platform trait implemented over plain
//! data, with faults (failing transfers, a pulled card, power lost after
//! the Nth write, the POWER button, a full SD card, archive writes that do
//! not stick), for tests and the PC preview.

pub mod archives;
pub mod card;
pub mod clock;
pub mod dsiware;
pub mod gba_vc;
pub mod nds_chip;
pub mod power;
pub mod sd;
pub mod system_data;
pub mod titles;
pub mod tree;

pub use archives::SimArchives;
pub use card::{BusRecord, BusStats, SimCard, SimCardSlot, SimNdsCard};
pub use clock::SimClock;
pub use gba_vc::SimGbaVc;
pub use nds_chip::{ChipModel, SimChip};
pub use power::{PowerButton, PowerSupply};
pub use sd::SimSd;
pub use titles::SimTitles;
pub use tree::MemTree;

use crate::platform::{Console, Devices};

/// The default SD card size: 2 GiB (only stored bytes take memory).
pub const DEFAULT_SD_CAPACITY: u64 = 2 << 30;
/// 2026-01-01 00:00:00, the default clock.
pub const DEFAULT_TIME: u64 = 1_767_225_600;

/// The simulated console.
#[derive(Debug)]
pub struct SimConsole {
    /// The card slot.
    pub card: SimCardSlot,
    /// Save archives.
    pub archives: SimArchives,
    /// The SD card.
    pub sd: SimSd,
    /// Installed titles.
    pub titles: SimTitles,
    /// GBA VC save files.
    pub gba_vc: SimGbaVc,
    /// The clock.
    pub clock: SimClock,
    /// The power supply every device shares.
    pub power: PowerSupply,
    /// The POWER button (see [`PowerButton`]).
    pub power_button: PowerButton,
}

impl Default for SimConsole {
    fn default() -> Self {
        Self::new()
    }
}

impl SimConsole {
    /// Power on, empty slot, empty 2 GiB SD card, no titles.
    pub fn new() -> Self {
        let power = PowerSupply::new();
        Self {
            card: SimCardSlot::new(power.clone()),
            archives: SimArchives::new(power.clone()),
            sd: SimSd::new(DEFAULT_SD_CAPACITY, power.clone()),
            titles: SimTitles::new(),
            gba_vc: SimGbaVc::new(power.clone()),
            clock: SimClock::new(DEFAULT_TIME),
            power,
            power_button: PowerButton::default(),
        }
    }

    /// Switches the console off and on: power restored, open archives
    /// closed (their uncommitted changes lost). Card and SD keep what was
    /// written.
    pub fn power_cycle(&mut self) {
        self.power.restore();
        self.archives.close_all();
        self.gba_vc.close_all();
        self.power_button = PowerButton::default();
    }
}

impl Console for SimConsole {
    fn devices(&mut self) -> Devices<'_> {
        Devices {
            card: &mut self.card,
            archives: &mut self.archives,
            sd: &mut self.sd,
            titles: &mut self.titles,
            gba_vc: &mut self.gba_vc,
            clock: &self.clock,
        }
    }
}

/// A minimal NDS ROM header: `title` (up to 12 ASCII bytes) at 0x00,
/// `game_code` (4 bytes) at 0x0C, maker code "01" at 0x10, and a valid
/// header CRC-16 at 0x15E, 0x200 bytes in all.
pub fn nds_rom_header(title: &str, game_code: &str) -> Vec<u8> {
    let mut header = vec![0u8; 0x200];
    let title = title.as_bytes();
    header[..title.len().min(12)].copy_from_slice(&title[..title.len().min(12)]);
    let code = game_code.as_bytes();
    header[0x0C..0x0C + code.len().min(4)].copy_from_slice(&code[..code.len().min(4)]);
    header[0x10..0x12].copy_from_slice(b"01");
    let crc = keepsake_format::nds_header::header_crc(&header[..0x15E]);
    header[0x15E..0x160].copy_from_slice(&crc.to_le_bytes());
    header
}
