//! The console as keepsake-core sees it: one struct holding every device,
//! each built from what start-up probing found, so a missing service turns
//! into a typed error naming it instead of a system call that might end the
//! app.

use keepsake_core::app::capabilities::Capabilities;
use keepsake_core::platform::{Console, Devices, Service};

use crate::probe::Probed;
use crate::system::am::Titles;
use crate::system::archive::Archives;
use crate::system::card::{Slot, Spi};
use crate::system::clock::SystemClock;
use crate::system::gba_vc::GbaVcFiles;
use crate::system::sd::Sdmc;
use crate::system::spi::{NdsSpi, UnavailableSpi};

pub struct Console3ds {
    card: Slot,
    archives: Archives,
    sd: Sdmc,
    titles: Titles,
    gba_vc: GbaVcFiles,
    clock: SystemClock,
}

/// `Ok` when `service` is available, else the reason the UI shows.
fn usable(capabilities: &Capabilities, service: Service) -> Result<(), String> {
    if capabilities.has(service) {
        return Ok(());
    }
    let notice = capabilities
        .notices()
        .into_iter()
        .find(|notice| notice.service == service)
        .map(|notice| notice.text)
        .unwrap_or_else(|| format!("{service} is unavailable"));
    Err(notice)
}

impl Console3ds {
    pub fn new(probed: Probed) -> Self {
        let capabilities = &probed.capabilities;
        let am = match probed.am {
            Some(am) => Ok(am),
            None => Err(usable(capabilities, Service::Am)
                .err()
                .unwrap_or_else(|| "am is unavailable".into())),
        };
        let spi = match probed.pxi_dev {
            Some(session) => Spi::Available(NdsSpi::new(session)),
            None => Spi::Unavailable(UnavailableSpi {
                reason: usable(capabilities, Service::PxiDev)
                    .err()
                    .unwrap_or_else(|| "pxi:dev is unavailable".into()),
            }),
        };
        Self {
            card: Slot::new(usable(capabilities, Service::GameCard), am.clone(), spi),
            archives: Archives::new(usable(capabilities, Service::TitleSaves)),
            sd: Sdmc,
            titles: Titles::new(am),
            gba_vc: GbaVcFiles::new(),
            clock: SystemClock,
        }
    }
}

impl Console for Console3ds {
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
