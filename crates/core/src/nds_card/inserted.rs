//! Identifying the NDS card in the slot: its header (title, game code) and
//! its save chip.

use keepsake_format::nds_header::{NdsHeader, NdsHeaderError};
use thiserror::Error;

use crate::nds_card::{Detection, NdsCardError, detect};
use crate::platform::{CardError, CardSlot};
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
/// when the game code starts with `I`).
pub fn identify(card: &mut dyn CardSlot) -> Result<InsertedNds, IdentifyError> {
    let header_bytes = card.nds_header()?;
    let header = NdsHeader::parse(&header_bytes)?;
    let detection = detect(card.spi(), header.is_infrared())?;
    Ok(InsertedNds {
        header_title: header.title(),
        game_code: header.game_code().to_owned(),
        detection,
    })
}
