//! Errors of the backup store.

use keepsake_format::nds::{ChipKind, ConvertError, ParseError};
use thiserror::Error;

use crate::platform::SdError;

/// What went wrong with a backup on the SD card.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum StoreError {
    /// The SD card failed.
    #[error(transparent)]
    Sd(#[from] SdError),
    /// The settings file is damaged.
    #[error("{path}: {reason}")]
    Config {
        /// The settings file.
        path: String,
        /// What is wrong, with line and column.
        reason: String,
    },
    /// A backup folder holds no save file.
    #[error("{folder}: no save file in this backup folder")]
    NoSaveFile {
        /// The folder.
        folder: String,
    },
    /// A backup folder holds several files and none is named for the game.
    #[error("{folder}: several files ({}) and none is named {expected}; keep only the save", names.join(", "))]
    SeveralSaveFiles {
        /// The folder.
        folder: String,
        /// The file expected.
        expected: String,
        /// The files found.
        names: Vec<String>,
    },
    /// The save file is not a save we can read.
    #[error("{path}: {source}")]
    Unreadable {
        /// The file.
        path: String,
        /// Why.
        source: ParseError,
    },
    /// The save does not fit the chip without losing data.
    #[error("{path} does not fit the card's {chip}: {source}")]
    DoesNotFit {
        /// The file.
        path: String,
        /// The card's chip.
        chip: ChipKind,
        /// What would be lost.
        source: ConvertError,
    },
    /// The backup belongs to another game.
    #[error("{path} is a backup of {backup}, but the card is {card}")]
    WrongGame {
        /// The backup.
        path: String,
        /// The game the backup belongs to.
        backup: String,
        /// The game in the console.
        card: String,
    },
    /// The restore journal cannot be read or written.
    #[error("{path}: {problem}")]
    Journal {
        /// The journal file.
        path: String,
        /// What is wrong.
        problem: String,
    },
    /// A kept secure value is not the 8 bytes it must be.
    #[error("{path} is {len} bytes; a secure value is 8")]
    SecureValue {
        /// The file.
        path: String,
        /// Its size.
        len: usize,
    },
}
