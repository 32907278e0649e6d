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

use keepsake_format::gba_vc::{SLOT_HEADER_LEN, SlotHeader, VALID_SAVE_SIZES};
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
/// and its GBA save file opens; and, once it is one, whether its game ever
/// saved (a container never saved has nothing to back up and no slot to
/// restore into, so the list says so before a job is tried).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GbaVcProbe {
    /// Not a GBA VC title (or one whose save file does not open).
    No,
    /// A GBA VC title whose game saved: it can be backed up and restored.
    Yes,
    /// A GBA VC title whose game never saved (its container is blank).
    NeverSaved,
    /// A GBA VC title whose save file opened but could not be read; why.
    Unreadable(String),
    /// A title without save data that might be a GBA VC game, which this
    /// console cannot reach; the reason, for listing it as not available.
    CannotTell(String),
}

impl GbaVcProbe {
    /// Whether the title is (or may be) a GBA VC title, to be listed as one.
    pub fn listed(&self) -> bool {
        *self != GbaVcProbe::No
    }
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
            let saved = ever_saved(saves, file);
            saves.close(file);
            match saved {
                Ok(true) => GbaVcProbe::Yes,
                Ok(false) => GbaVcProbe::NeverSaved,
                Err(e) => GbaVcProbe::Unreadable(e.to_string()),
            }
        }
        Err(GbaVcError::Unavailable(reason)) => GbaVcProbe::CannotTell(reason),
        Err(_) => GbaVcProbe::No,
    }
}

/// Whether any slot of the open container holds a valid header, looked for
/// where `AgbSaveContainer::parse` looks (the top slot at 0, else a bottom
/// slot after a save of each GBA size): at most six reads of 0x200 bytes,
/// not the whole container, since the title scan asks it of every GBA title.
fn ever_saved(saves: &mut dyn GbaVcSaves, file: GbaVcHandle) -> Result<bool, GbaVcError> {
    let len = saves.file_size(file)?.min(MAX_CONTAINER_LEN as u64);
    let offsets = std::iter::once(0).chain(
        VALID_SAVE_SIZES
            .iter()
            .map(|&size| (SLOT_HEADER_LEN + size as usize) as u64),
    );
    let mut header = [0u8; SLOT_HEADER_LEN];
    for offset in offsets {
        if offset + SLOT_HEADER_LEN as u64 > len {
            continue;
        }
        saves.read_at(file, offset, &mut header)?;
        if SlotHeader::parse(&header).is_some() {
            return Ok(true);
        }
    }
    Ok(false)
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
        assert_eq!(probe_gba_vc(&mut sim, false, ID), GbaVcProbe::NeverSaved);
        assert_eq!(probe_gba_vc(&mut sim, true, ID), GbaVcProbe::No);
        sim.make_unavailable("they need Luma3DS");
        assert_eq!(
            probe_gba_vc(&mut sim, false, ID),
            GbaVcProbe::CannotTell("they need Luma3DS".into())
        );
        assert_eq!(probe_gba_vc(&mut sim, true, ID), GbaVcProbe::No);
    }

    /// A slot header as 3dbrew lays it out: magic `.SAV` at 0, 0x200 at
    /// 0x50, the save size at 0x54; blank (0xFF) elsewhere.
    fn header(save_size: u32) -> Vec<u8> {
        let mut bytes = vec![0xFF; 0x200];
        bytes[..4].copy_from_slice(b".SAV");
        bytes[0x50..0x54].copy_from_slice(&0x200u32.to_le_bytes());
        bytes[0x54..0x58].copy_from_slice(&save_size.to_le_bytes());
        bytes
    }

    #[test]
    fn a_game_saved_once_in_either_slot_is_found_by_its_header() {
        let mut sim = SimGbaVc::new(PowerSupply::new());
        // Top slot saved: 0x200 header + 8 KiB, then a blank bottom slot.
        let mut top = header(0x2000);
        top.resize(2 * (0x200 + 0x2000), 0xFF);
        sim.insert(ID.title_id, ID.media, top);
        assert_eq!(probe_gba_vc(&mut sim, false, ID), GbaVcProbe::Yes);
        // Only the bottom slot saved: its header at 0x200 + 32 KiB = 0x8200.
        let mut bottom = vec![0xFF; 0x8200];
        bottom.extend(header(0x8000));
        bottom.resize(2 * (0x200 + 0x8000), 0xFF);
        sim.insert(ID.title_id, ID.media, bottom);
        assert_eq!(probe_gba_vc(&mut sim, false, ID), GbaVcProbe::Yes);
        // A magic without a GBA save size is no header.
        let mut odd = header(1000);
        odd.resize(0x2000, 0xFF);
        sim.insert(ID.title_id, ID.media, odd);
        assert_eq!(probe_gba_vc(&mut sim, false, ID), GbaVcProbe::NeverSaved);
        // A file shorter than a header is read nowhere past its end.
        sim.insert(ID.title_id, ID.media, vec![0xFF; 0x100]);
        assert_eq!(probe_gba_vc(&mut sim, false, ID), GbaVcProbe::NeverSaved);
    }

    #[test]
    fn the_id_reads_as_a_person_reads_it() {
        assert_eq!(
            ID.to_string(),
            "GBA save of title 0004000000ABCD00 on the SD card"
        );
    }
}
