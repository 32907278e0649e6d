//! The system services (or families of calls) the console app's features
//! need, in the order the app probes them at start-up (see
//! [`crate::app::capabilities`] for what it decides from the answers and
//! [`crate::store::probe_config`] for switching probes off).

use std::fmt;

/// A system service (or family of calls) that a feature needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Service {
    /// The SD card (`fs:USER` on the SDMC archive).
    Sd,
    /// Game card slot calls of `fs:USER` (inserted, card type, legacy header).
    GameCard,
    /// `pxi:dev`: the SPI bus of NDS cartridges.
    PxiDev,
    /// `am`: installed titles and the 3DS cartridge's title id.
    Am,
    /// Opening other titles' save data and extdata archives.
    TitleSaves,
}

impl Service {
    /// Every service, in the order they are probed: prerequisites first.
    pub const ALL: [Service; 5] = [
        Service::Sd,
        Service::GameCard,
        Service::PxiDev,
        Service::Am,
        Service::TitleSaves,
    ];

    /// The name used in `config.json` and in messages.
    pub fn name(self) -> &'static str {
        match self {
            Service::Sd => "sd",
            Service::GameCard => "gamecard",
            Service::PxiDev => "pxi:dev",
            Service::Am => "am",
            Service::TitleSaves => "title-saves",
        }
    }

    /// Whether `config.json` may switch its probing off.
    pub fn skippable(self) -> bool {
        self != Service::Sd
    }

    /// Services whose absence makes probing this one pointless: another
    /// title's save archive is found through AM's title list.
    pub fn prerequisites(self) -> &'static [Service] {
        match self {
            Service::TitleSaves => &[Service::Am],
            _ => &[],
        }
    }

    /// The service `config.json` calls `name`.
    pub fn from_name(name: &str) -> Option<Service> {
        Service::ALL
            .into_iter()
            .find(|service| service.name() == name)
    }
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
