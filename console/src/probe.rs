//! Start-up probing: asks each service once, in the core's order, unless
//! `config.json` switched its probing off (some emulators end the app when
//! it merely asks). Keeps the sessions that opened for the app to use.

use std::rc::Rc;

use ctru::services::am::Am;
use ctru::services::fs::MediaType as CtruMedia;
use keepsake_core::capabilities::{Capabilities, ProbeConfig, Service};

use crate::system::archive::probe_title_saves;
use crate::system::check;
use crate::system::spi::PxiDev;

/// What probing found, with the sessions it opened.
pub struct Probed {
    pub capabilities: Capabilities,
    pub pxi_dev: Option<PxiDev>,
    pub am: Option<Rc<Am>>,
}

pub fn probe(config: &ProbeConfig) -> Probed {
    let mut pxi_dev = None;
    let mut am: Option<Rc<Am>> = None;
    let capabilities = Capabilities::probe(config, |service| match service {
        Service::Sd => {
            let mut resource = ctru_sys::FS_ArchiveResource::default();
            // SAFETY: `resource` is a valid out-pointer for the call.
            check("FSUSER_GetSdmcArchiveResource", unsafe {
                ctru_sys::FSUSER_GetSdmcArchiveResource(&mut resource)
            })
            .map_err(|error| error.to_string())
        }
        Service::GameCard => {
            let mut inserted = false;
            // SAFETY: `inserted` is a valid out-pointer for the call.
            check("FSUSER_CardSlotIsInserted", unsafe {
                ctru_sys::FSUSER_CardSlotIsInserted(&mut inserted)
            })
            .map_err(|error| error.to_string())
        }
        Service::PxiDev => {
            pxi_dev = Some(PxiDev::open().map_err(|error| error.to_string())?);
            Ok(())
        }
        Service::Am => {
            am = Some(Rc::new(
                Am::new().map_err(|error| format!("amInit: {error}"))?,
            ));
            Ok(())
        }
        Service::TitleSaves => {
            // The core asks this only once AM answered.
            let am = am.as_ref().ok_or("am is unavailable")?;
            let ids: Vec<u64> = am
                .title_list(CtruMedia::Sd)
                .map_err(|error| format!("AM_GetTitleList: {error}"))?
                .iter()
                .map(|title| title.id())
                .collect();
            probe_title_saves(&ids)
        }
    });
    Probed {
        capabilities,
        pxi_dev,
        am,
    }
}
