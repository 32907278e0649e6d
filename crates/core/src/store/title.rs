//! Which game a backup belongs to, and its folder under a backup root.

use crate::platform::titles::unique_id;
use crate::store::naming::{ctr_title_folder, nds_title_folder};

/// A game whose save is backed up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BackupTitle {
    /// An NDS card, known by its ROM header.
    Nds {
        /// Four-letter game code.
        game_code: String,
        /// The header's 12-character title.
        header_title: String,
    },
    /// A 3DS title (card or SD), known by its title id.
    Ctr {
        /// The 64-bit title id.
        title_id: u64,
        /// The English short title from its SMDH.
        short_title: String,
    },
}

impl BackupTitle {
    /// The title folder's name (Checkpoint's naming).
    pub fn folder_name(&self) -> String {
        match self {
            BackupTitle::Nds {
                game_code,
                header_title,
            } => nds_title_folder(game_code, header_title),
            BackupTitle::Ctr {
                title_id,
                short_title,
            } => ctr_title_folder(*title_id, short_title),
        }
    }

    /// How the title is named to people, with its id.
    pub fn describe(&self) -> String {
        match self {
            BackupTitle::Nds {
                game_code,
                header_title,
            } => format!("{header_title} ({game_code})"),
            BackupTitle::Ctr {
                title_id,
                short_title,
            } => format!("{short_title} (0x{:05X})", unique_id(*title_id)),
        }
    }
}
