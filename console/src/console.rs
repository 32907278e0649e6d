//! The console as keepsake-core sees it: one struct holding every device,
//! each built from what start-up probing found, so a missing service turns
//! into a typed error naming it instead of a system call that might end the
//! app.

use keepsake_core::app::capabilities::{Capabilities, Feature};
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

/// Why `feature` cannot be used, in the words of its start-up notice (the
/// first notice naming a service may be another feature's: "3DS
/// cartridges need am" is no reason given for installed titles).
fn feature_notice(capabilities: &Capabilities, feature: Feature) -> Option<String> {
    capabilities
        .notices()
        .into_iter()
        .find(|notice| notice.feature == feature)
        .map(|notice| notice.text)
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
            // GBA VC titles are found among installed titles: without AM
            // (skipped or refused) there are none, and Luma3DS's port is
            // not even looked for (an emulator without it may stop there).
            gba_vc: GbaVcFiles::new(am.as_ref().map(|_| ()).map_err(String::clone)),
            titles: Titles::new(am.map_err(|reason| {
                feature_notice(capabilities, Feature::InstalledTitles).unwrap_or(reason)
            })),
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
