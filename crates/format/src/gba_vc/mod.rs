//! GBA Virtual Console saves: the AGBSAVE container the 3DS keeps for a GBA
//! VC title, and the bare GBA save that backups hold.
//!
//! AGB_FIRM writes the game's save memory into a container on NAND, reached
//! through FSPXI (Checkpoint's `3ds/source/gbasave.cpp`; layout on 3dbrew,
//! "3DS Virtual Console", NAND Savegame). The container holds two slots, each
//! a 0x200-byte header followed by the save itself; the slot saved more often
//! is the current one. A backup holds only the current slot's save (as
//! Checkpoint 4+ writes it, `00000001.sav`), so it can move between consoles:
//! on restore the save goes into the current slot of this console's container
//! and the slot's CMAC is recomputed by the console.

mod backup_file;
mod container;
mod error;
mod slot_header;

pub use backup_file::GbaBackupSave;
pub use container::{AgbSaveContainer, Slot, SlotRewrite};
pub use error::AgbSaveError;
pub use slot_header::{SLOT_HEADER_LEN, SlotHeader, VALID_SAVE_SIZES, is_valid_save_size};
