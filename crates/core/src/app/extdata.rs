//! The model's side of the save data / extdata switch of a 3DS title's
//! backup list: which archive the list and its jobs act on, whether the
//! title has extdata at all, and the extdata backups of the other versions
//! of a game that share one extdata archive.
//!
//! Extdata backups go where Checkpoint puts them:
//! `/3ds/Checkpoint/extdata/<0x%05X of the title's own unique id> <name>/<backup>/`
//! (BernardoGiordano/Checkpoint `3ds/source/paths.cpp` `Paths::ctrExtdataPath`
//! takes the title's own id, not its extdata id). Pokémon X and Y share
//! one extdata archive (`platform::titles::extdata_id`), so each version's
//! list also shows the backups kept in the other's folder: they hold the
//! same archive and restore onto either.

use super::console_model::{ConsoleModel, Known};
use crate::platform::sd::join;
use crate::platform::titles::{extdata_id, unique_id};
use crate::platform::{ArchiveError, ArchiveId, ArchiveKind, Console, SdCard};
use crate::store::naming::{CHECKPOINT_EXTDATA, unique_id_of_folder};
use crate::store::{BackupEntry, BackupSource, Config};
use crate::ui::model::TitleKey;

impl<C: Console> ConsoleModel<C> {
    /// Makes the backup list and its jobs act on `kind` from now on.
    pub(crate) fn choose_archive_kind(&mut self, kind: ArchiveKind) {
        if self.archive_kind != kind {
            self.archive_kind = kind;
            // The new side's backups are listed afresh.
            self.entries.clear();
        }
    }

    /// Why `title` has no archive of the chosen kind, when it has none.
    /// Only extdata is looked at: a title is listed because its save data
    /// (or its extdata) exists, and the save data's state shows already.
    pub(crate) fn archive_missing(&mut self, title: &TitleKey) -> Option<String> {
        // A GBA title has one save, which may not be usable (`app/gba.rs`).
        if let Some(why) = self.gba_missing(title) {
            return why;
        }
        // So has a DSiWare title (`app/dsiware.rs`).
        if let Some(Known::DsiWare(record)) = self.known.get(title) {
            return super::dsiware::missing(record);
        }
        // A title known only by its backups has nothing to back up: the
        // list says so rather than offer a backup that cannot start.
        if let Some(Known::BackupsOnly(_)) = self.known.get(title) {
            return Some(
                "Nothing to back up: the title is not installed and no cartridge of it is inserted."
                    .into(),
            );
        }
        if self.archive_kind != ArchiveKind::ExtData {
            return None;
        }
        let Some(Known::Ctr {
            title_id,
            media,
            short_title,
        }) = self.known.get(title).cloned()
        else {
            return None;
        };
        // A running job holds the archives; the answer waits for its end.
        if self.job.is_some() {
            return self.missing_extdata.get(title).cloned().flatten();
        }
        let id = ArchiveId {
            kind: ArchiveKind::ExtData,
            media,
            title_id,
        };
        let archives = self.console.devices().archives;
        let missing = match archives.open(id) {
            Ok(handle) => {
                archives.close(handle);
                None
            }
            Err(ArchiveError::NoArchive(_) | ArchiveError::NotFound { .. }) => Some(format!(
                "{short_title} has no extdata: the game keeps none, or has not made it yet. There is nothing to back up or restore on this side."
            )),
            Err(e) => Some(format!(
                "The extdata of {short_title} cannot be opened: {e}."
            )),
        };
        self.missing_extdata.insert(title.clone(), missing.clone());
        missing
    }

    /// The extdata backups in the folders of the other versions of a game
    /// whose versions share one extdata archive (none for other titles).
    pub(crate) fn shared_extdata_backups(&mut self, known: &Known) -> Vec<BackupEntry> {
        let Known::Ctr { title_id, .. } = known else {
            return Vec::new();
        };
        let (own, shared) = (unique_id(*title_id), extdata_id(*title_id));
        let sd = self.console.devices().sd;
        let mut found = Vec::new();
        for root in extdata_roots(&self.config) {
            let Ok(folders) = sd.list(&root) else {
                continue;
            };
            for folder in folders.into_iter().filter(|f| f.is_dir) {
                let Some(other) = unique_id_of_folder(&folder.name) else {
                    continue;
                };
                if other == own || extdata_id(u64::from(other) << 8) != shared {
                    continue;
                }
                found.extend(backups_in(sd, &join(&root, &folder.name)));
            }
        }
        found
    }
}

/// The extdata roots, as the store lists them: the configured one, then
/// Checkpoint's when it differs.
fn extdata_roots(config: &Config) -> Vec<String> {
    let mut roots = vec![config.extdata_root.clone()];
    if config.extdata_root != CHECKPOINT_EXTDATA {
        roots.push(CHECKPOINT_EXTDATA.to_owned());
    }
    roots
}

/// The backup folders in a title folder, newest name first.
fn backups_in(sd: &mut dyn SdCard, dir: &str) -> Vec<BackupEntry> {
    let mut folders: Vec<BackupEntry> = sd
        .list(dir)
        .unwrap_or_default()
        .into_iter()
        .filter(|e| e.is_dir)
        .map(|e| BackupEntry {
            path: join(dir, &e.name),
            name: e.name,
            source: BackupSource::Folder,
        })
        .collect();
    folders.sort_by(|a, b| b.name.cmp(&a.name));
    folders
}
