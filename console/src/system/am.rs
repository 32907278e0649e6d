//! Installed titles through AM, and each title's SMDH (icon and names)
//! through the save-data-and-content archive.
//!
//! The SMDH is the ExeFS section `icon` of the title's content: archive
//! `ARCHIVE_SAVEDATA_AND_CONTENT` with the binary path (title id low word,
//! high word, media type, 0), file path (0, 0, 2 = ExeFS, "icon" as a
//! little-endian word, 0); 0x36C0 bytes. Checkpoint reads it the same way
//! (`3ds/source/smdh.cpp`, `loadSMDH`). Which of the listed titles are
//! shown is the core's decision (`platform::titles`, `store::title_scan`):
//! this module hands on AM's list as it is.
//!
//! A DSiWare title has no SMDH: its name and icon are its legacy ROM header
//! and banner, which fs:USER hands out by title id on the NAND
//! (`FSUSER_GetLegacyRomHeader` / `FSUSER_GetLegacyBannerData` with
//! `MEDIATYPE_NAND`, as Checkpoint `3ds/source/titleprobe.cpp` `probeTwl`).

use std::rc::Rc;

use ctru::services::am::Am;
use ctru::services::fs::MediaType as CtruMedia;
use keepsake_core::platform::{MediaType, TitleError, TitleList};

use super::card::{LEGACY_BANNER_SIZE, LEGACY_HEADER_SIZE};
use super::fs_path::OwnedPath;
use super::{SysError, check};

/// The size of an SMDH (Checkpoint `smdh.hpp`, `smdh_s`).
pub const SMDH_SIZE: usize = 0x36C0;
/// "icon", read as a little-endian word (Checkpoint `smdh.cpp`: 0x6E6F6369).
const ICON_SECTION: u32 = u32::from_le_bytes(*b"icon");

pub fn ctru_media(media: MediaType) -> CtruMedia {
    match media {
        MediaType::Sd => CtruMedia::Sd,
        MediaType::Card => CtruMedia::GameCard,
        MediaType::Nand => CtruMedia::Nand,
    }
}

pub fn raw_media(media: MediaType) -> ctru_sys::FS_MediaType {
    match media {
        MediaType::Sd => ctru_sys::MEDIATYPE_SD,
        MediaType::Card => ctru_sys::MEDIATYPE_GAME_CARD,
        // libctru fs.h `FS_MediaType`; Checkpoint loader.cpp lists NAND
        // titles with AM_GetTitleList(MEDIATYPE_NAND).
        MediaType::Nand => ctru_sys::MEDIATYPE_NAND,
    }
}

/// The title list: over AM when it could be opened, otherwise an
/// explanation returned for every request.
pub struct Titles {
    am: Result<Rc<Am>, String>,
}

impl Titles {
    pub fn new(am: Result<Rc<Am>, String>) -> Self {
        Self { am }
    }

    fn am(&self) -> Result<&Am, TitleError> {
        self.am
            .as_deref()
            .map_err(|reason| TitleError::Failed(reason.clone()))
    }
}

impl TitleList for Titles {
    fn titles(&mut self, media: MediaType) -> Result<Vec<u64>, TitleError> {
        let titles = self.am()?.title_list(ctru_media(media)).map_err(|error| {
            crate::failure_screen::record_ctru_error("AM_GetTitleList", &error);
            TitleError::Failed(format!("AM_GetTitleList: {error}"))
        })?;
        Ok(titles.iter().map(|title| title.id()).collect())
    }

    fn smdh(&mut self, media: MediaType, title_id: u64) -> Result<Vec<u8>, TitleError> {
        // Checked first so that a missing AM is reported as such.
        self.am()?;
        read_smdh(media, title_id).map_err(|error| {
            if error.is_not_found() {
                TitleError::NotInstalled { title_id, media }
            } else {
                TitleError::Failed(error.to_string())
            }
        })
    }

    fn twl_header(&mut self, title_id: u64) -> Result<Vec<u8>, TitleError> {
        let mut header = vec![0u8; LEGACY_HEADER_SIZE];
        // libctru fs.h FSUSER_GetLegacyRomHeader(mediaType, programId,
        // header); Checkpoint titleprobe.cpp `probeTwl` (MEDIATYPE_NAND, id).
        // SAFETY: `header` has the LEGACY_HEADER_SIZE bytes the call writes.
        check("FSUSER_GetLegacyRomHeader (NAND)", unsafe {
            ctru_sys::FSUSER_GetLegacyRomHeader(
                ctru_sys::MEDIATYPE_NAND,
                title_id,
                header.as_mut_ptr().cast(),
            )
        })
        .map_err(|error| TitleError::Failed(error.to_string()))?;
        Ok(header)
    }

    fn twl_banner(&mut self, title_id: u64) -> Result<Vec<u8>, TitleError> {
        let mut banner = vec![0u8; LEGACY_BANNER_SIZE];
        // libctru fs.h FSUSER_GetLegacyBannerData(mediaType, programId,
        // banner); Checkpoint titleprobe.cpp `probeTwl` (MEDIATYPE_NAND, id).
        // SAFETY: `banner` has the LEGACY_BANNER_SIZE bytes the call writes.
        check("FSUSER_GetLegacyBannerData (NAND)", unsafe {
            ctru_sys::FSUSER_GetLegacyBannerData(
                ctru_sys::MEDIATYPE_NAND,
                title_id,
                banner.as_mut_ptr().cast(),
            )
        })
        .map_err(|error| TitleError::Failed(error.to_string()))?;
        Ok(banner)
    }
}

/// The 3DS cartridge's title id: the one title AM lists on the game card
/// (Checkpoint `loader.cpp`: `AM_GetTitleList(NULL, MEDIATYPE_GAME_CARD, 1, &id)`).
pub fn card_title_id(am: &Am) -> Result<u64, String> {
    let titles = am.title_list(CtruMedia::GameCard).map_err(|error| {
        crate::failure_screen::record_ctru_error("AM_GetTitleList (game card)", &error);
        format!("AM_GetTitleList (game card): {error}")
    })?;
    titles
        .first()
        .map(|title| title.id())
        .ok_or_else(|| "AM lists no title on the game card".to_owned())
}

fn read_smdh(media: MediaType, title_id: u64) -> Result<Vec<u8>, SysError> {
    let archive = OwnedPath::binary(&[
        title_id as u32,
        (title_id >> 32) as u32,
        raw_media(media) as u32,
        0,
    ]);
    let file = OwnedPath::binary(&[0, 0, 2, ICON_SECTION, 0]);
    let mut handle: ctru_sys::Handle = 0;
    // SAFETY: both paths point into buffers alive for the call; `handle` is
    // a valid out-pointer; the call keeps no pointer afterwards.
    check("FSUSER_OpenFileDirectly (SMDH)", unsafe {
        ctru_sys::FSUSER_OpenFileDirectly(
            &mut handle,
            ctru_sys::ARCHIVE_SAVEDATA_AND_CONTENT,
            archive.as_fs_path(),
            file.as_fs_path(),
            ctru_sys::FS_OPEN_READ as u32,
            0,
        )
    })?;
    let mut smdh = vec![0u8; SMDH_SIZE];
    let mut read = 0u32;
    // SAFETY: `smdh` has SMDH_SIZE writable bytes, the size passed; the
    // handle was just opened and is closed below exactly once.
    let result = check("FSFILE_Read (SMDH)", unsafe {
        ctru_sys::FSFILE_Read(
            handle,
            &mut read,
            0,
            smdh.as_mut_ptr().cast(),
            SMDH_SIZE as u32,
        )
    });
    // SAFETY: closes the handle opened above; nothing uses it afterwards.
    let _ = unsafe { ctru_sys::FSFILE_Close(handle) };
    result?;
    smdh.truncate(read as usize);
    Ok(smdh)
}
