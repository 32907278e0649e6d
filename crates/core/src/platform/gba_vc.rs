//! The raw save file of a GBA Virtual Console title: the AGBSAVE container
//! (two slots of header + save, see `keepsake_format::gba_vc`) that AGB_FIRM
//! keeps on NAND, read and written as plain bytes.
//!
//! On the console it is reached through FSPXI, as Checkpoint does
//! (`3ds/source/gbasave.cpp`, `archive.cpp` `Archive::rawSave`): the
//! title's `ARCHIVE_SAVEDATA_AND_CONTENT` archive, one file at a fixed
//! binary path. Talking to FSPXI needs a session to the `PxiFS0` service,
//! which an app only gets by taking one from the system with Luma3DS's
//! `svcControlService` (Checkpoint `csvc.s`); without it
//! [`GbaVcError::Unavailable`] says so and the titles are listed as not
//! available, never opened.
//!
//! A slot's CMAC is keyed per console and title: only the console computes
//! it ([`GbaVcSaves::calc_cmac`], FSPXI_CalcSavegameMAC) from the SHA-256
//! the format code gives.

use thiserror::Error;

use crate::platform::MediaType;

/// One GBA VC title's save.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GbaVcId {
    /// The title's 64-bit id.
    pub title_id: u64,
    /// Where the title is installed.
    pub media: MediaType,
}

impl std::fmt::Display for GbaVcId {
    /// `GBA save of title 0004000000ABCD00 on the SD card`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "GBA save of title {:016X} on {}",
            self.title_id, self.media
        )
    }
}

/// An open GBA VC save file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GbaVcHandle(pub u32);

/// Where the bottom slot of the largest save (128 KiB) ends: no slot
/// reaches past it.
pub const MAX_CONTAINER_LEN: usize = 2 * (0x200 + 128 * 1024);

/// Length of a slot's CMAC.
pub const GBA_CMAC_LEN: usize = 16;

/// Why a GBA VC save could not be used.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum GbaVcError {
    /// The console cannot reach GBA VC saves at all (no PxiFS0 session).
    #[error("GBA Virtual Console saves cannot be reached: {0}")]
    Unavailable(String),
    /// The title has no GBA VC save file (not a GBA VC title).
    #[error("there is no {0}")]
    NoSave(GbaVcId),
    /// The handle is not (or no longer) open.
    #[error("GBA save handle {} is not open", .0.0)]
    NotOpen(GbaVcHandle),
    /// A read or write past the end of the file.
    #[error(
        "{len} bytes at offset {offset:#x} run past the end of the GBA save file ({size} bytes)"
    )]
    OutOfRange {
        /// Where it started.
        offset: u64,
        /// How many bytes.
        len: usize,
        /// The file's size.
        size: u64,
    },
    /// The console lost power.
    #[error("the console lost power")]
    PowerLost,
    /// The system refused or failed the request.
    #[error("GBA save operation failed: {0}")]
    Failed(String),
}

/// The console's GBA VC save files.
pub trait GbaVcSaves {
    /// Why GBA VC saves cannot be reached on this console, if they cannot
    /// (asked before listing the titles, so none is offered in vain).
    fn unavailable(&self) -> Option<String>;
    /// Opens a title's save file for reading and writing.
    fn open(&mut self, id: GbaVcId) -> Result<GbaVcHandle, GbaVcError>;
    /// Closes it.
    fn close(&mut self, file: GbaVcHandle);
    /// The file's size in bytes.
    fn file_size(&mut self, file: GbaVcHandle) -> Result<u64, GbaVcError>;
    /// Reads `buf.len()` bytes from `offset`, all within the file.
    fn read_at(&mut self, file: GbaVcHandle, offset: u64, buf: &mut [u8])
    -> Result<(), GbaVcError>;
    /// Writes `bytes` at `offset`, within the file, flushed to NAND.
    fn write_at(&mut self, file: GbaVcHandle, offset: u64, bytes: &[u8]) -> Result<(), GbaVcError>;
    /// The CMAC of a slot whose header and save hash to `digest` (SHA-256),
    /// keyed for this console and the open file's title.
    fn calc_cmac(
        &mut self,
        file: GbaVcHandle,
        digest: &[u8; 32],
    ) -> Result<[u8; GBA_CMAC_LEN], GbaVcError>;

    /// The container's part of the file, whole: at most
    /// [`MAX_CONTAINER_LEN`] bytes (a file the system pads is not read
    /// past where any slot can be).
    fn read_container(&mut self, file: GbaVcHandle) -> Result<Vec<u8>, GbaVcError> {
        let size = self.file_size(file)?.min(MAX_CONTAINER_LEN as u64);
        let mut bytes = vec![0; size as usize];
        self.read_at(file, 0, &mut bytes)?;
        Ok(bytes)
    }
}

/// Whether a title is a GBA VC title, by Checkpoint's rule
/// (`3ds/source/titleprobe.cpp`): it has no save data archive of its own,
/// and its GBA save file opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GbaVcProbe {
    /// Not a GBA VC title (or one whose save file does not open).
    No,
    /// A GBA VC title: its save can be backed up (once the game saved).
    Yes,
    /// A title without save data that might be a GBA VC game, which this
    /// console cannot reach; the reason, for listing it as not available.
    CannotTell(String),
}

/// Looks at a title whose save data archive is `has_save_data`: only a
/// title without one can be a GBA VC title, so the others are not asked
/// about (and the PxiFS0 session is not used for them).
pub fn probe_gba_vc(saves: &mut dyn GbaVcSaves, has_save_data: bool, id: GbaVcId) -> GbaVcProbe {
    if has_save_data {
        return GbaVcProbe::No;
    }
    if let Some(reason) = saves.unavailable() {
        return GbaVcProbe::CannotTell(reason);
    }
    match saves.open(id) {
        Ok(file) => {
            saves.close(file);
            GbaVcProbe::Yes
        }
        Err(GbaVcError::Unavailable(reason)) => GbaVcProbe::CannotTell(reason),
        Err(_) => GbaVcProbe::No,
    }
}

#[cfg(all(test, target_has_atomic = "64"))]
mod tests {
    use super::*;
    use crate::sim::{PowerSupply, SimGbaVc};

    const ID: GbaVcId = GbaVcId {
        title_id: 0x0004_0000_00AB_CD00,
        media: MediaType::Sd,
    };

    #[test]
    fn a_title_is_gba_vc_when_only_its_gba_save_opens() {
        let mut sim = SimGbaVc::new(PowerSupply::new());
        assert_eq!(probe_gba_vc(&mut sim, false, ID), GbaVcProbe::No);
        sim.insert_never_saved(ID.title_id, ID.media, 512);
        assert_eq!(probe_gba_vc(&mut sim, false, ID), GbaVcProbe::Yes);
        assert_eq!(probe_gba_vc(&mut sim, true, ID), GbaVcProbe::No);
        sim.make_unavailable("they need Luma3DS");
        assert_eq!(
            probe_gba_vc(&mut sim, false, ID),
            GbaVcProbe::CannotTell("they need Luma3DS".into())
        );
        assert_eq!(probe_gba_vc(&mut sim, true, ID), GbaVcProbe::No);
    }

    #[test]
    fn the_id_reads_as_a_person_reads_it() {
        assert_eq!(
            ID.to_string(),
            "GBA save of title 0004000000ABCD00 on the SD card"
        );
    }
}
