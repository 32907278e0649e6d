//! Start-up probing: asks each service once, in the core's order, unless
//! `config.json` switched its probing off (some emulators end the app when
//! it merely asks). Keeps the sessions that opened for the app to use. The
//! system calls themselves live in `system`.

use std::rc::Rc;

use ctru::services::am::Am;
use ctru::services::fs::MediaType as CtruMedia;
use keepsake_core::app::capabilities::{Capabilities, title_saves_access};
use keepsake_core::platform::Service;
use keepsake_core::platform::titles::may_have_save;
use keepsake_core::store::probe_config::ProbeConfig;

use crate::system::archive::try_open_save;
use crate::system::card::slot_occupied;
use crate::system::sd::free_bytes;
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
        Service::Sd => free_bytes().map(drop).map_err(|error| error.to_string()),
        Service::GameCard => slot_occupied().map(drop).map_err(|error| error.to_string()),
        Service::PxiDev => {
            pxi_dev = Some(PxiDev::open().map_err(|error| error.to_string())?);
            Ok(())
        }
        Service::Am => {
            am = Some(Rc::new(Am::new().map_err(|error| {
                crate::failure_screen::record_ctru_error("amInit", &error);
                format!("amInit: {error}")
            })?));
            Ok(())
        }
        Service::TitleSaves => {
            // The core asks this only once AM answered.
            let am = am.as_ref().ok_or("am is unavailable")?;
            let ids: Vec<u64> = am
                .title_list(CtruMedia::Sd)
                .map_err(|error| {
                    crate::failure_screen::record_ctru_error("AM_GetTitleList", &error);
                    format!("AM_GetTitleList: {error}")
                })?
                .iter()
                .map(|title| title.id())
                .filter(|&id| may_have_save(id))
                .collect();
            // Title by title until one opens or one refuses the app's
            // rights: a game never started or without save data is that
            // title's state, shown in the list, not a missing service.
            title_saves_access(ids.into_iter().map(try_open_save))
        }
    });
    Probed {
        capabilities,
        pxi_dev,
        am,
    }
}
