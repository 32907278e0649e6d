//! The game card slot: what is inserted and how to reach its save chip.
//!
//! For an NDS card the console hands out the ROM header (the first 0x200
//! bytes of the cartridge: title at 0x00, game code at 0x0C) and the banner
//! (icon and titles, found through the header's banner offset at 0x68); its
//! save chip sits on the slot's SPI bus. A 3DS card is known by its title id;
//! its save is reached as a save archive (see `archive`).

use thiserror::Error;

use super::spi::SpiBus;

/// What kind of card is in the slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CardKind {
    /// A Nintendo DS (or DSi) card, with an SPI save chip.
    Nds,
    /// A Nintendo 3DS card, whose save is an archive.
    Ctr,
}

impl std::fmt::Display for CardKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            CardKind::Nds => "an NDS card",
            CardKind::Ctr => "a 3DS card",
        })
    }
}

/// Why the slot could not answer.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CardError {
    /// The slot is empty.
    #[error("no card in the slot")]
    NoCard,
    /// The request needs the other kind of card.
    #[error("the card in the slot is {found}, not {wanted}")]
    WrongKind {
        /// The kind the request needed.
        wanted: CardKind,
        /// The kind in the slot.
        found: CardKind,
    },
    /// The console lost power.
    #[error("the console lost power")]
    PowerLost,
    /// The system refused or failed the request.
    #[error("reading the card failed: {0}")]
    Failed(String),
}

/// The card slot.
pub trait CardSlot {
    /// The kind of card inserted, or `None` when the slot is empty.
    fn inserted(&mut self) -> Option<CardKind>;
    /// The NDS card's ROM header (at least 0x200 bytes).
    fn nds_header(&mut self) -> Result<Vec<u8>, CardError>;
    /// The NDS card's banner (icon, palette and titles).
    fn nds_banner(&mut self) -> Result<Vec<u8>, CardError>;
    /// The 3DS card's title id.
    fn ctr_title_id(&mut self) -> Result<u64, CardError>;
    /// The SPI bus of the NDS card's save chip.
    fn spi(&mut self) -> &mut dyn SpiBus;
}
