//! The platform traits: everything keepsake-core needs from a console.
//!
//! The console app implements them over the system services; [`crate::sim`]
//! implements them in memory, with faults, for tests and the PC preview.
//! Jobs and screens take a [`Devices`] — disjoint borrows of every device —
//! so one step can read the card and write the SD card.

pub mod archive;
pub mod card;
pub mod clock;
pub mod dsiware;
pub mod gba_vc;
pub mod result_code;
pub mod sd;
pub mod services;
pub mod spi;
pub mod system_data;
pub mod titles;

pub use archive::{
    ArchiveEntry, ArchiveError, ArchiveHandle, ArchiveId, ArchiveKind, MediaType, SaveArchives,
};
pub use card::{CardError, CardKind, CardSlot};
pub use clock::{Clock, DateTime};
pub use gba_vc::{GbaVcError, GbaVcHandle, GbaVcId, GbaVcProbe, GbaVcSaves, probe_gba_vc};
pub use sd::{SdCard, SdEntry, SdError};
pub use services::Service;
pub use spi::{SpiBus, SpiError};
pub use titles::{TitleError, TitleList};

/// Every device of the console, borrowed at once.
pub struct Devices<'a> {
    /// The game card slot (and its SPI bus).
    pub card: &'a mut dyn CardSlot,
    /// Save data and extdata archives.
    pub archives: &'a mut dyn SaveArchives,
    /// The SD card.
    pub sd: &'a mut dyn SdCard,
    /// Installed titles.
    pub titles: &'a mut dyn TitleList,
    /// The save files of GBA Virtual Console titles.
    pub gba_vc: &'a mut dyn GbaVcSaves,
    /// The clock.
    pub clock: &'a dyn Clock,
}

/// A console: hands out its devices.
pub trait Console {
    /// Borrows every device at once.
    fn devices(&mut self) -> Devices<'_>;
}
