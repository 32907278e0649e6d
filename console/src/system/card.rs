//! The game card slot through fs:USER, and its SPI bus.
//!
//! `FSUSER_CardSlotIsInserted` and `FSUSER_GetCardType` say what is in the
//! slot (CTR = 3DS, TWL = NDS/DSi). For an NDS card the system hands out the
//! legacy ROM header (0x3B4 bytes) and banner (0x23C0 bytes); a 3DS card's
//! title id comes from AM's list of game-card titles.

use std::rc::Rc;

use ctru::services::am::Am;
use keepsake_core::platform::{CardError, CardKind, CardSlot, SpiBus};

use super::am::card_title_id;
use super::check;
use super::spi::{NdsSpi, UnavailableSpi};

/// Size of the legacy ROM header `FSUSER_GetLegacyRomHeader` writes.
pub const LEGACY_HEADER_SIZE: usize = 0x3B4;
/// Size of the legacy banner `FSUSER_GetLegacyBannerData` writes.
pub const LEGACY_BANNER_SIZE: usize = 0x23C0;

/// The NDS card's save chip bus, or why there is none.
pub enum Spi {
    Available(NdsSpi),
    Unavailable(UnavailableSpi),
}

/// The card slot.
pub struct Slot {
    /// `Err` holds why card slot calls are not made (not granted, or
    /// switched off in config.json).
    slot_calls: Result<(), String>,
    am: Result<Rc<Am>, String>,
    spi: Spi,
}

impl Slot {
    pub fn new(slot_calls: Result<(), String>, am: Result<Rc<Am>, String>, spi: Spi) -> Self {
        Self {
            slot_calls,
            am,
            spi,
        }
    }

    fn usable(&self) -> Result<(), CardError> {
        self.slot_calls.clone().map_err(CardError::Failed)
    }

    fn kind(&self) -> Result<Option<CardKind>, super::SysError> {
        if !slot_occupied()? {
            return Ok(None);
        }
        let mut card_type: ctru_sys::FS_CardType = 0;
        // SAFETY: as above, a valid out-pointer.
        check("FSUSER_GetCardType", unsafe {
            ctru_sys::FSUSER_GetCardType(&mut card_type)
        })?;
        Ok(Some(if card_type == ctru_sys::CARD_TWL {
            CardKind::Nds
        } else {
            CardKind::Ctr
        }))
    }
}

impl CardSlot for Slot {
    fn inserted(&mut self) -> Option<CardKind> {
        if self.usable().is_err() {
            return None;
        }
        // The trait has no error here: a slot that cannot be read is shown
        // as empty, and the failure goes to the debug log.
        self.kind().unwrap_or_else(|error| {
            eprintln!("card slot: {error}");
            None
        })
    }

    fn nds_header(&mut self) -> Result<Vec<u8>, CardError> {
        self.usable()?;
        let mut header = vec![0u8; LEGACY_HEADER_SIZE];
        // SAFETY: `header` has the LEGACY_HEADER_SIZE bytes the call writes;
        // program id 0 with the game card media means the inserted card.
        check("FSUSER_GetLegacyRomHeader", unsafe {
            ctru_sys::FSUSER_GetLegacyRomHeader(
                ctru_sys::MEDIATYPE_GAME_CARD,
                0,
                header.as_mut_ptr().cast(),
            )
        })
        .map_err(|error| CardError::Failed(error.to_string()))?;
        Ok(header)
    }

    fn nds_banner(&mut self) -> Result<Vec<u8>, CardError> {
        self.usable()?;
        let mut banner = vec![0u8; LEGACY_BANNER_SIZE];
        // SAFETY: `banner` has the LEGACY_BANNER_SIZE bytes the call writes.
        check("FSUSER_GetLegacyBannerData", unsafe {
            ctru_sys::FSUSER_GetLegacyBannerData(
                ctru_sys::MEDIATYPE_GAME_CARD,
                0,
                banner.as_mut_ptr().cast(),
            )
        })
        .map_err(|error| CardError::Failed(error.to_string()))?;
        Ok(banner)
    }

    fn ctr_title_id(&mut self) -> Result<u64, CardError> {
        self.usable()?;
        let am = self
            .am
            .as_deref()
            .map_err(|reason| CardError::Failed(reason.clone()))?;
        card_title_id(am).map_err(CardError::Failed)
    }

    fn spi(&mut self) -> &mut dyn SpiBus {
        match &mut self.spi {
            Spi::Available(bus) => bus,
            Spi::Unavailable(bus) => bus,
        }
    }
}

/// Whether a card is in the slot; also how start-up probing asks for the
/// card slot calls.
pub fn slot_occupied() -> Result<bool, super::SysError> {
    let mut inserted = false;
    // SAFETY: `inserted` is a valid out-pointer for the synchronous call.
    check("FSUSER_CardSlotIsInserted", unsafe {
        ctru_sys::FSUSER_CardSlotIsInserted(&mut inserted)
    })?;
    Ok(inserted)
}
