//! Why a GBA VC save or its container was refused.

use thiserror::Error;

/// What was wrong with an AGBSAVE container or a GBA save backup.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AgbSaveError {
    /// Neither slot holds a valid header: the game was never saved on this
    /// console, so there is nothing to back up and no slot to restore into.
    #[error("the GBA save container ({len} bytes) has no saved slot: start the game and save once")]
    NoSavedSlot {
        /// Size of the container.
        len: usize,
    },
    /// A slot header was readable but its save runs past the container's end.
    #[error(
        "the GBA save slot at offset {offset:#x} says its save is {save_size} bytes, but the container ends at {len:#x}"
    )]
    SlotTruncated {
        /// Offset of the slot header.
        offset: usize,
        /// The save size its header states.
        save_size: u32,
        /// Size of the container.
        len: usize,
    },
    /// A backup file that is neither a bare GBA save nor a container.
    #[error(
        "{len} bytes is not a GBA save (512 B, 8 KiB, 32 KiB, 64 KiB or 128 KiB) nor a GBA VC save container with a saved slot"
    )]
    NotAGbaSave {
        /// Size of the file.
        len: usize,
    },
    /// The backup's save does not have the size the title's container holds.
    #[error(
        "the backup holds a {backup} save, but this game's save is {container}: it is a save of another game"
    )]
    SizeMismatch {
        /// Size of the backup's save, in words (e.g. "32 KiB").
        backup: String,
        /// Size of the container's save, in words.
        container: String,
    },
}
