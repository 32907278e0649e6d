//! The model's side of DSiWare saves: TWL titles on the console's memory,
//! listed with a "DSiWare" badge among the installed titles when the
//! `dsiware_saves` setting asks for them (Checkpoint's "Show DSiWare
//! saves", off by default).
//!
//! Each title is one save (no save data / extdata switch), named by its ROM
//! header as an NDS cartridge is, with its banner's icon, and backed up
//! into the NDS cartridge's folder naming (`<GAMECODE> <header title>`)
//! where Checkpoint puts it (see `platform::dsiware`). Backups and restores
//! run through the 3DS save jobs (automatic backup, journal, read-back) on
//! the title's `data` folder. A title whose `data` folder does not exist is
//! listed, saying so, and no job starts on it.

use std::sync::Arc;

use super::console_model::{ConsoleModel, Known};
use super::words::refusal;
use crate::platform::ArchiveId;
use crate::platform::Console;
use crate::store::dsiware_scan::{DataFolder, DsiWareRecord, DsiWareScan};
use crate::ui::model::{Refusal, TitleInfo, TitleKey, TitleSource};

/// How many TWL titles a frame looks at while a scan runs.
const DSIWARE_PER_FRAME: usize = 1;

/// DSiWare as the model keeps it.
#[derive(Debug, Default)]
pub(crate) struct DsiWareData {
    /// The titles found by the last scan.
    pub(crate) titles: Vec<(TitleInfo, Known)>,
    /// The scan under way, a title per frame.
    scan: Option<DsiWareScan>,
    /// Why the NAND titles could not be listed, if they could not.
    pub(crate) problem: Option<String>,
}

/// The list key of a DSiWare title.
pub(crate) fn dsiware_key(title_id: u64) -> TitleKey {
    TitleKey(format!("dsiware:{title_id:016X}"))
}

/// The `Save` fact of a DSiWare title: what its `data` folder said.
fn save_text(data: &DataFolder) -> String {
    match data {
        DataFolder::Present => "DSiWare save (console memory)".into(),
        DataFolder::Missing => "none (no data folder)".into(),
        DataFolder::Unreadable(why) => format!("unreadable: {why}"),
    }
}

/// The list entry of a title the scan found.
fn record_entry(record: &DsiWareRecord) -> (TitleInfo, Known) {
    let info = TitleInfo {
        key: dsiware_key(record.title_id),
        name: record.header_title.clone(),
        publisher: String::new(),
        id_label: "Title ID",
        id_text: format!("{:016X} ({})", record.title_id, record.game_code),
        source: TitleSource::DsiWare,
        save_kind: Some(save_text(&record.data)),
        icon: record.icon.clone().map(Arc::new),
        backup_count: 0,
    };
    (info, Known::DsiWare(record.clone()))
}

/// Why a DSiWare title has nothing to back up or restore, if it has not
/// (what its backup list says in place of "+ New backup").
pub(crate) fn missing(record: &DsiWareRecord) -> Option<String> {
    match &record.data {
        DataFolder::Present => None,
        DataFolder::Missing => Some(format!(
            "{} has no save to back up or restore: its data folder does not exist in the console's memory.",
            record.header_title
        )),
        DataFolder::Unreadable(why) => Some(format!(
            "The save of {} could not be opened ({why}).",
            record.header_title
        )),
    }
}

/// The archive of a DSiWare title's save, or why it has none to back up.
pub(crate) fn usable_archive(record: &DsiWareRecord) -> Result<ArchiveId, Refusal> {
    let advice = match &record.data {
        DataFolder::Present => return Ok(record.archive()),
        DataFolder::Missing => "Start the game once; if it still has none, it keeps no save.",
        DataFolder::Unreadable(_) => "Restart the console and try again.",
    };
    Err(refusal(missing(record).unwrap_or_default(), advice))
}

/// What the restore confirmation says the restore overwrites.
pub(crate) fn overwritten(short_title: &str) -> String {
    format!("the DSiWare save of {short_title}, in the console's memory")
}

impl<C: Console> ConsoleModel<C> {
    /// Starts looking for DSiWare titles when the setting is on, or
    /// forgets them when it is off.
    pub(crate) fn restart_dsiware_scan(&mut self) {
        self.dsiware.scan = None;
        self.dsiware.problem = None;
        if !self.config.dsiware_saves {
            self.dsiware.titles.clear();
            return;
        }
        match DsiWareScan::start(self.console.devices().titles) {
            Ok(scan) => self.dsiware.scan = Some(scan),
            Err(e) => {
                self.dsiware.problem = Some(format!("DSiWare titles could not be listed ({e})."));
            }
        }
    }

    /// Looks at up to `budget` more TWL titles; once all are seen, the
    /// entries are replaced and their backups counted. Returns whether that
    /// happened.
    pub(crate) fn step_dsiware_scan(&mut self, budget: usize) -> bool {
        let Some(scan) = &mut self.dsiware.scan else {
            return false;
        };
        let devices = self.console.devices();
        for _ in 0..budget {
            if scan.step(devices.titles, devices.archives) {
                break;
            }
        }
        if !scan.is_done() {
            return false;
        }
        let records = self
            .dsiware
            .scan
            .take()
            .map(DsiWareScan::into_records)
            .unwrap_or_default();
        let mut titles: Vec<(TitleInfo, Known)> = records.iter().map(record_entry).collect();
        for (info, known) in &mut titles {
            info.backup_count = self.count_backups_of(known);
        }
        self.dsiware.titles = titles;
        true
    }

    /// One frame's share of the scan, between jobs.
    pub(crate) fn poll_dsiware_scan(&mut self) -> bool {
        self.job.is_none() && self.step_dsiware_scan(DSIWARE_PER_FRAME)
    }
}
