//! Identifying the NDS card in the slot: its header (title, game code) and
//! its save chip.
//!
//! The header comes from the system in one call; the chip is found over the
//! SPI bus by a [`Detector`], a bounded step at a time, so the UI can
//! identify a card that was just inserted across several frames.

use keepsake_format::nds_header::{NdsHeader, NdsHeaderError};
use thiserror::Error;

use crate::nds_card::{DetectStep, Detection, Detector, NdsCardError};
use crate::platform::{CardError, CardSlot, SpiBus};
use crate::store::BackupTitle;

/// The NDS card in the slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InsertedNds {
    /// The header's title.
    pub header_title: String,
    /// The four-letter game code.
    pub game_code: String,
    /// The save chip.
    pub detection: Detection,
}

impl InsertedNds {
    /// The backup title this card's saves are filed under.
    pub fn title(&self) -> BackupTitle {
        BackupTitle::Nds {
            game_code: self.game_code.clone(),
            header_title: self.header_title.clone(),
        }
    }
}

/// Why the card could not be identified.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum IdentifyError {
    /// The slot could not be read.
    #[error(transparent)]
    Card(#[from] CardError),
    /// The header is damaged.
    #[error("the card's ROM header is unreadable: {0}")]
    Header(#[from] NdsHeaderError),
    /// The save chip could not be identified.
    #[error(transparent)]
    Chip(#[from] NdsCardError),
}

/// Reads the header and detects the save chip (behind the infrared prefix
/// when the game code starts with `I`), all at once.
pub fn identify(card: &mut dyn CardSlot) -> Result<InsertedNds, IdentifyError> {
    let mut identifying = Identifying::start(card)?;
    loop {
        if let Some(found) = identifying.step(card.spi())? {
            return Ok(found);
        }
    }
}

/// An NDS card whose header is read and whose save chip is being detected.
#[derive(Debug, Clone)]
pub struct Identifying {
    header_title: String,
    game_code: String,
    detector: Detector,
}

impl Identifying {
    /// Reads the card's header; nothing goes over the SPI bus yet.
    pub fn start(card: &mut dyn CardSlot) -> Result<Self, IdentifyError> {
        let header_bytes = card.nds_header()?;
        let header = NdsHeader::parse(&header_bytes)?;
        Ok(Self {
            header_title: header.title(),
            game_code: header.game_code().to_owned(),
            detector: Detector::new(header.is_infrared()),
        })
    }

    /// The header's title.
    pub fn header_title(&self) -> &str {
        &self.header_title
    }

    /// The four-letter game code.
    pub fn game_code(&self) -> &str {
        &self.game_code
    }

    /// The backup title the card's saves are filed under (known from the
    /// header before the chip is).
    pub fn title(&self) -> BackupTitle {
        BackupTitle::Nds {
            game_code: self.game_code.clone(),
            header_title: self.header_title.clone(),
        }
    }

    /// One bounded step of chip detection (see [`Detector::step`]); the
    /// identified card once the chip is known.
    pub fn step(&mut self, spi: &mut dyn SpiBus) -> Result<Option<InsertedNds>, IdentifyError> {
        Ok(match self.detector.step(spi)? {
            DetectStep::Working => None,
            DetectStep::Found(detection) => Some(self.inserted(detection)),
        })
    }

    fn inserted(&self, detection: Detection) -> InsertedNds {
        InsertedNds {
            header_title: self.header_title.clone(),
            game_code: self.game_code.clone(),
            detection,
        }
    }
}
