//! Finding DSiWare titles a step at a time, when the user asked for them
//! (the `dsiware_saves` setting): the NAND titles once, then per step one
//! TWL title's ROM header, banner and `data` folder.
//!
//! What is listed follows [`crate::platform::dsiware`]: every TWL title
//! that Checkpoint does not exclude and whose ROM header reads, named by
//! the header's title and game code (the NDS cartridge naming), with the
//! banner's icon. A title whose `data` folder does not exist is kept, with
//! that said, where Checkpoint drops it; a header that does not read or
//! check drops the title, as Checkpoint drops it.

use keepsake_format::icon::{self, RgbaImage};
use keepsake_format::nds_header::NdsHeader;

use crate::platform::dsiware::may_have_dsiware_save;
use crate::platform::{
    ArchiveError, ArchiveId, ArchiveKind, MediaType, SaveArchives, TitleError, TitleList,
};
use crate::store::BackupTitle;

/// What opening a DSiWare title's `data` folder found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataFolder {
    /// It opens: the save can be backed up and restored.
    Present,
    /// The folder does not exist: the title keeps no save (or was never
    /// started).
    Missing,
    /// Opening it failed otherwise; the reason, in words.
    Unreadable(String),
}

/// One DSiWare title, as the list shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct DsiWareRecord {
    /// The title id (`0x000480044B475545`).
    pub title_id: u64,
    /// The ROM header's four-letter game code.
    pub game_code: String,
    /// The ROM header's title (up to 12 characters).
    pub header_title: String,
    /// The banner's 32x32 icon, when the banner decodes.
    pub icon: Option<RgbaImage>,
    /// What its `data` folder said.
    pub data: DataFolder,
}

impl DsiWareRecord {
    /// The archive of its save.
    pub fn archive(&self) -> ArchiveId {
        ArchiveId {
            kind: ArchiveKind::DsiWareSave,
            media: MediaType::Nand,
            title_id: self.title_id,
        }
    }

    /// Whose backups these are: named as an NDS cartridge, as Checkpoint
    /// names a DSiWare title's folder (`<GAMECODE> <header title>`).
    pub fn backup_title(&self) -> BackupTitle {
        BackupTitle::Nds {
            game_code: self.game_code.clone(),
            header_title: self.header_title.clone(),
        }
    }
}

/// Opens (and closes) a DSiWare title's `data` folder to see whether it is
/// there.
pub fn probe_data_folder(archives: &mut dyn SaveArchives, title_id: u64) -> DataFolder {
    let archive = ArchiveId {
        kind: ArchiveKind::DsiWareSave,
        media: MediaType::Nand,
        title_id,
    };
    match archives.open(archive) {
        Ok(handle) => {
            archives.close(handle);
            DataFolder::Present
        }
        Err(ArchiveError::NoArchive(_) | ArchiveError::NotFound { .. }) => DataFolder::Missing,
        Err(e) => DataFolder::Unreadable(e.to_string()),
    }
}

/// A scan of the NAND's DSiWare titles.
#[derive(Debug)]
pub struct DsiWareScan {
    pending: Vec<u64>,
    next: usize,
    records: Vec<DsiWareRecord>,
}

impl DsiWareScan {
    /// Lists the NAND titles; a listing that fails is the caller's to
    /// report.
    pub fn start(titles: &mut dyn TitleList) -> Result<DsiWareScan, TitleError> {
        let mut seen = std::collections::BTreeSet::new();
        let pending = titles
            .titles(MediaType::Nand)?
            .into_iter()
            .filter(|&id| may_have_dsiware_save(id) && seen.insert(id))
            .collect();
        Ok(DsiWareScan {
            pending,
            next: 0,
            records: Vec::new(),
        })
    }

    /// Looks at one more title; `true` once all were seen.
    pub fn step(&mut self, titles: &mut dyn TitleList, archives: &mut dyn SaveArchives) -> bool {
        let Some(&title_id) = self.pending.get(self.next) else {
            return true;
        };
        self.next += 1;
        if let Some(record) = look_at(titles, archives, title_id) {
            self.records.push(record);
        }
        self.is_done()
    }

    /// Whether every title was looked at.
    pub fn is_done(&self) -> bool {
        self.next >= self.pending.len()
    }

    /// The titles found, in the system's order.
    pub fn into_records(self) -> Vec<DsiWareRecord> {
        self.records
    }
}

/// One title's record, or `None` when its ROM header does not read.
fn look_at(
    titles: &mut dyn TitleList,
    archives: &mut dyn SaveArchives,
    title_id: u64,
) -> Option<DsiWareRecord> {
    let header = titles.twl_header(title_id).ok()?;
    let header = NdsHeader::parse(&header).ok()?;
    let icon = titles
        .twl_banner(title_id)
        .ok()
        .and_then(|banner| icon::nds_banner_icon(&banner).ok());
    Some(DsiWareRecord {
        title_id,
        game_code: header.game_code().to_owned(),
        header_title: header.title(),
        icon,
        data: probe_data_folder(archives, title_id),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::SimConsole;
    use crate::sim::dsiware::{DESK_TOOL, FLIPBOOK, install_dsiware};

    #[test]
    fn twl_titles_are_named_from_their_headers_and_dsi_data_is_left_out() {
        let mut sim = SimConsole::new();
        install_dsiware(&mut sim.titles, &mut sim.archives);
        // A 3DS system title on the NAND is not DSiWare.
        sim.titles
            .install(MediaType::Nand, 0x0004_0010_0002_0000, Vec::new());
        let mut scan = DsiWareScan::start(&mut sim.titles).unwrap();
        while !scan.step(&mut sim.titles, &mut sim.archives) {}
        let found: Vec<(u64, String, String, DataFolder)> = scan
            .into_records()
            .into_iter()
            .map(|r| (r.title_id, r.game_code, r.header_title, r.data))
            .collect();
        assert_eq!(
            found,
            [
                (
                    DESK_TOOL,
                    "KDTE".to_owned(),
                    "DESK TOOL".to_owned(),
                    DataFolder::Missing
                ),
                (
                    FLIPBOOK,
                    "KGUE".to_owned(),
                    "FLIPBOOK".to_owned(),
                    DataFolder::Present
                ),
            ]
        );
    }

    #[test]
    fn a_data_folder_that_cannot_be_opened_says_why() {
        let mut sim = SimConsole::new();
        install_dsiware(&mut sim.titles, &mut sim.archives);
        sim.archives.refuse_opening(
            crate::sim::dsiware::dsiware_archive(FLIPBOOK),
            Some("the DSi partition is not mounted"),
        );
        let mut scan = DsiWareScan::start(&mut sim.titles).unwrap();
        while !scan.step(&mut sim.titles, &mut sim.archives) {}
        let flipbook = scan
            .into_records()
            .into_iter()
            .find(|r| r.title_id == FLIPBOOK)
            .unwrap();
        assert_eq!(
            flipbook.data,
            DataFolder::Unreadable(
                "archive operation failed: the DSi partition is not mounted".into()
            )
        );
        assert_eq!(flipbook.backup_title().folder_name(), "KGUE FLIPBOOK");
    }
}
