//! The model's side of the console's own data: system titles' save data,
//! shared extdata and SpotPass extdata, listed in a SYSTEM section of the
//! title list when the `nand_saves` setting asks for it (Checkpoint's "Show
//! system (NAND) saves", off by default).
//!
//! Each entry is one archive (no save data / extdata switch), named as the
//! list shows it: the system title's name, or a shared extdata archive's
//! plain name (`platform::system_data::SHARED_EXTDATA`). Backups and
//! restores run through the same jobs as a game's (automatic backup,
//! journal, read-back), into the folders of `store::system_folders`. A
//! restore asks once more, after the usual confirmation and even when
//! confirmations are off, with what can go wrong.

use std::sync::Arc;

use keepsake_format::icon;

use super::console_model::{ConsoleModel, Known};
use crate::platform::system_data::shared_extdata;
use crate::platform::{ArchiveId, ArchiveKind, Console, MediaType};
use crate::store::system_folders::{JKSM_BOSS_EXTDATA, JKSM_SHARED_EXTDATA};
use crate::store::system_scan::{SystemRecord, SystemScan};
use crate::ui::model::{Question, TitleInfo, TitleKey, TitleSource};

/// How many NAND titles or shared ids a frame looks at while a scan runs.
const SYSTEM_PER_FRAME: usize = 1;

/// The console's own data as the model keeps it.
#[derive(Debug, Default)]
pub(crate) struct SystemData {
    /// The entries found by the last scan.
    pub(crate) titles: Vec<(TitleInfo, Known)>,
    /// The scan under way, a title per frame.
    scan: Option<SystemScan>,
    /// Why the NAND titles could not be listed, if they could not.
    pub(crate) problem: Option<String>,
}

/// The list key of an archive of the console's own data.
pub(crate) fn system_key(archive: ArchiveId) -> TitleKey {
    let kind = match archive.kind {
        ArchiveKind::SaveData => "save",
        ArchiveKind::ExtData => "extdata",
        ArchiveKind::SharedExtData => "shared",
        ArchiveKind::BossExtData => "boss",
        ArchiveKind::DsiWareSave => "dsiware",
    };
    TitleKey(format!("system:{kind}:{:016X}", archive.title_id))
}

/// What an entry is, for the title's details (`Save` field, one line).
fn what_it_is(archive: ArchiveId) -> &'static str {
    match archive.kind {
        ArchiveKind::SharedExtData => "shared extdata (NAND)",
        ArchiveKind::BossExtData => "SpotPass extdata (SD card)",
        ArchiveKind::DsiWareSave => "DSiWare save (NAND)",
        ArchiveKind::SaveData | ArchiveKind::ExtData => "system save data (NAND)",
    }
}

/// Whether a backup is in one of JKSM's folders.
pub(crate) fn in_jksm_folder(path: &str) -> bool {
    [JKSM_SHARED_EXTDATA, JKSM_BOSS_EXTDATA]
        .iter()
        .any(|root| path.starts_with(&format!("{root}/")))
}

/// The list entry of an archive the scan found.
fn record_entry(record: &SystemRecord) -> (TitleInfo, Known) {
    let archive = record.archive;
    let icon = record
        .icon
        .as_ref()
        .and_then(|tiled| icon::tiled_rgb565(tiled, 48).ok())
        .map(Arc::new);
    let (id_label, id_text) = match archive.kind {
        ArchiveKind::SharedExtData => ("Extdata ID", format!("{:08X}", archive.title_id as u32)),
        _ => ("Title ID", format!("{:016X}", archive.title_id)),
    };
    let name = match archive.kind {
        ArchiveKind::BossExtData => format!("{} (SpotPass)", record.name),
        _ => record.name.clone(),
    };
    let info = TitleInfo {
        key: system_key(archive),
        name,
        publisher: record.publisher.clone(),
        id_label,
        id_text,
        source: TitleSource::System,
        save_kind: Some(what_it_is(archive).to_owned()),
        icon,
        backup_count: 0,
    };
    let known = Known::System {
        archive,
        short_title: record.name.clone(),
    };
    (info, known)
}

/// The extra question before restoring onto the console's own data.
fn system_restore_question(archive: ArchiveId, name: &str) -> Question {
    let mut lines = vec![
        format!("\"{name}\" is the console's own data, not a game's save."),
        "Restoring it can break the console's settings or features, and a wrong or damaged \
         backup can stop Home Menu from starting."
            .into(),
    ];
    if let Some(shared) = shared_extdata(archive.title_id) {
        lines.push(format!("It holds {}.", shared.holds));
    }
    lines.push(
        "Restore only a backup made on this console. The current data is backed up first.".into(),
    );
    Question {
        headline: "Restore the console's own data?".into(),
        lines,
        yes_label: "Restore anyway",
    }
}

impl<C: Console> ConsoleModel<C> {
    /// Starts looking for the console's own data when the setting is on,
    /// or forgets it when the setting is off.
    pub(crate) fn restart_system_scan(&mut self) {
        self.system.scan = None;
        self.system.problem = None;
        if !self.config.nand_saves {
            self.system.titles.clear();
            return;
        }
        match SystemScan::start(self.console.devices().titles) {
            Ok(scan) => self.system.scan = Some(scan),
            Err(e) => {
                self.system.problem = Some(format!(
                    "The console's own titles could not be listed ({e})."
                ));
            }
        }
    }

    /// Looks at up to `budget` more NAND titles or shared ids; once all
    /// are seen, the entries are replaced and their backups counted.
    /// Returns whether that happened.
    pub(crate) fn step_system_scan(&mut self, budget: usize) -> bool {
        let Some(scan) = &mut self.system.scan else {
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
            .system
            .scan
            .take()
            .map(SystemScan::into_records)
            .unwrap_or_default();
        let mut titles: Vec<(TitleInfo, Known)> = records.iter().map(record_entry).collect();
        for (info, known) in &mut titles {
            info.backup_count = self.count_backups_of(known);
        }
        self.system.titles = titles;
        true
    }

    /// One frame's share of the scan, between jobs.
    pub(crate) fn poll_system_scan(&mut self) -> bool {
        self.job.is_none() && self.step_system_scan(SYSTEM_PER_FRAME)
    }

    /// The questions before restoring onto `title`, when it is the
    /// console's own data.
    pub(crate) fn system_questions(&self, title: &TitleKey) -> Vec<Question> {
        match self.known.get(title) {
            Some(Known::System {
                archive,
                short_title,
            }) => {
                let name = self.name_of(title);
                let name = if name.is_empty() { short_title } else { &name };
                vec![system_restore_question(*archive, name)]
            }
            _ => Vec::new(),
        }
    }
}

/// What the restore confirmation says the restore overwrites.
pub(crate) fn overwritten(archive: ArchiveId, short_title: &str) -> String {
    match (archive.kind, archive.media) {
        (ArchiveKind::SharedExtData, _) => match shared_extdata(archive.title_id) {
            Some(shared) => format!(
                "the shared extdata {:08X} ({}) in the console's memory",
                archive.title_id as u32, shared.name
            ),
            None => format!(
                "the shared extdata {:08X} in the console's memory",
                archive.title_id as u32
            ),
        },
        (ArchiveKind::BossExtData, _) => format!("the SpotPass extdata of {short_title}"),
        (_, MediaType::Nand) => {
            format!("the system save data of {short_title}, in the console's memory")
        }
        _ => format!("the data of {short_title}"),
    }
}
