//! The [`AppModel`] the screens talk to, over the model's parts: its
//! state (`app/console_model.rs`), the jobs (`app/jobs.rs`,
//! `app/batch_run.rs`, `app/export.rs`), the title list's settings
//! (`app/title_view.rs`), found saves, extdata, GBA and system titles, and
//! the unfinished restore's way back. Each part is methods on the model;
//! this file only answers the screens' questions with them, so it is the one
//! place that knows them all.

use crate::platform::sd::write_atomic;
use crate::platform::{ArchiveKind, Console};
use crate::store::naming::{CHECKPOINT_SAVES, KEEPSAKE_DIR};
use crate::store::secure_values;
use crate::store::{BackupSource, list_backups};
use crate::ui::model::*;

use super::console_model::{
    CHECK_BYTES_PER_FRAME, ConsoleModel, KEEPSAKE_SAVES, Known, TITLES_PER_FRAME, UI_SETTINGS_PATH,
    UiSettings, date_of_folder_name, imported_kind, size_of,
};

impl<C: Console> AppModel for ConsoleModel<C> {
    fn unfinished(&self) -> Option<UnfinishedInfo> {
        self.unfinished_info()
    }

    fn put_back(&mut self) -> Result<(), Refusal> {
        self.start_put_back()
    }

    fn keep_as_is(&mut self) -> Result<(), Refusal> {
        self.keep_unfinished_as_is()
    }

    fn poll(&mut self) {
        // The automatic backup of a restore that did not finish is read a
        // chunk a frame, so its screen is up at once and says how far the
        // check got.
        if self.job.is_none()
            && let Some(unfinished) = &mut self.unfinished
            && unfinished.checking()
        {
            unfinished.step_check(self.console.devices().sd, CHECK_BYTES_PER_FRAME);
            self.generation += 1;
        }
        // The installed titles are refreshed between jobs, never during one.
        if self.job.is_none() && self.step_title_scan(TITLES_PER_FRAME) {
            self.rebuild_titles();
        }
        if self.poll_system_scan() {
            self.rebuild_titles();
        }
        if self.poll_dsiware_scan() {
            self.rebuild_titles();
        }
        let inserted = self.console.devices().card.inserted();
        // Identifying talks to the card: not between the steps of a job,
        // which owns the bus. An empty slot needs no talking.
        if self.job.is_some() && inserted.is_some() {
            return;
        }
        if self.last_inserted == Some(inserted) {
            if self.job.is_none() {
                self.step_identification();
            }
            return;
        }
        self.last_inserted = Some(inserted);
        self.read_slot(inserted);
        self.rebuild_titles();
    }

    fn generation(&self) -> u64 {
        self.generation
    }

    fn titles(&self) -> Vec<TitleInfo> {
        self.titles.clone()
    }

    fn backups(&mut self, title: &TitleKey) -> Vec<BackupInfo> {
        let Some(known) = self.known.get(title).cloned() else {
            return Vec::new();
        };
        let chip_size = match &known {
            Known::NdsCard(card) => Some(card.detection.chip.capacity() as u64),
            Known::NdsIdentifying(_)
            | Known::Ctr { .. }
            | Known::GbaVc { .. }
            | Known::BackupsOnly(_)
            | Known::System { .. }
            | Known::DsiWare(_) => None,
        };
        let kind = known.fixed_kind().unwrap_or(self.archive_kind);
        let shared = if kind == ArchiveKind::ExtData {
            self.shared_extdata_backups(&known)
        } else {
            Vec::new()
        };
        let devices = self.console.devices();
        let Ok(mut entries) = list_backups(devices.sd, &self.config, &known.backup_title(), kind)
        else {
            return Vec::new();
        };
        entries.extend(shared);
        let mut infos = Vec::with_capacity(entries.len());
        for entry in entries {
            let is_folder = entry.source == BackupSource::Folder;
            let origin = if !is_folder {
                BackupOrigin::TwlSaveTool
            } else if entry.name.ends_with("-auto") {
                BackupOrigin::AutomaticBeforeRestore
            } else if let Some(kind) = imported_kind(devices.sd, &entry, chip_size) {
                BackupOrigin::Imported(kind)
            } else if self.made.contains(&entry.path) {
                BackupOrigin::Keepsake
            } else if super::system::in_jksm_folder(&entry.path) {
                BackupOrigin::Jksm
            } else {
                BackupOrigin::Checkpoint
            };
            let info = BackupInfo {
                key: BackupKey(entry.path.clone()),
                name: entry.name.clone(),
                created: if is_folder {
                    date_of_folder_name(&entry.name)
                } else {
                    None
                },
                size: size_of(devices.sd, &entry.path, is_folder),
                origin,
            };
            self.entries.insert(info.key.clone(), entry);
            infos.push(info);
        }
        if let Known::NdsCard(card) = &known {
            infos.extend(self.found_backups(card));
        }
        infos
    }

    fn start_backup(&mut self, title: &TitleKey, name: Option<String>) -> Result<(), Refusal> {
        self.begin_backup(title, name)
    }

    fn set_archive_kind(&mut self, kind: ArchiveKind) {
        self.choose_archive_kind(kind);
    }

    fn missing_archive(&mut self, title: &TitleKey) -> Option<String> {
        self.archive_missing(title)
    }

    fn start_batch_backup(&mut self, titles: &[TitleKey]) -> Result<(), Refusal> {
        self.begin_batch_backup(titles)
    }

    fn plan_restore(
        &mut self,
        title: &TitleKey,
        backup: &BackupKey,
    ) -> Result<RestorePlan, Refusal> {
        // A new question names the automatic backup by the clock anew.
        self.planned_auto = None;
        self.check_restore(title, backup).map(|(plan, _)| plan)
    }

    fn start_restore(&mut self, title: &TitleKey, backup: &BackupKey) -> Result<(), Refusal> {
        self.begin_restore(title, backup)
    }

    fn delete_backup(&mut self, title: &TitleKey, backup: &BackupKey) -> Result<(), Refusal> {
        let Some(entry) = self.entries.get(backup).cloned() else {
            return Err(Refusal {
                reason: "That backup is no longer listed.".into(),
                advice: "Open the title again to see its backups.".into(),
            });
        };
        if !self.known.contains_key(title) {
            return Err(Refusal {
                reason: "The title is no longer available.".into(),
                advice: "Insert the cartridge again.".into(),
            });
        }
        let devices = self.console.devices();
        let removed = match entry.source {
            BackupSource::Folder => devices.sd.remove_dir_all(&entry.path),
            BackupSource::TwlSaveTool => devices.sd.remove_file(&entry.path),
            BackupSource::Found { .. } => {
                return Err(Refusal {
                    reason: "This save is not a backup: it is where your flashcart, TWiLight Menu++ or emulator keeps it, and Keepsake never deletes it.".into(),
                    advice: "Delete it with the program that made it, or on a PC.".into(),
                });
            }
        };
        removed.map_err(|e| Refusal {
            reason: format!("The SD card refused: {e}."),
            advice: "Check that the SD card is not locked or full, then try again.".into(),
        })?;
        if entry.source == BackupSource::Folder {
            // Best effort: a value left behind is dropped by the next backup
            // of the same name, and restores nothing by itself.
            let _ = secure_values::forget_secure_value_of(devices.sd, &entry.path);
        }
        self.entries.remove(backup);
        self.recount(title);
        Ok(())
    }

    fn step_job(&mut self) -> Option<JobStatus> {
        if self.found.searching() {
            return self.step_find_saves();
        }
        self.step_running_job()
    }

    fn cancel_job(&mut self) -> bool {
        self.cancel_running_job()
    }

    fn keyboard(&mut self, hint: &str, initial: &str) -> Option<String> {
        self.keyboard.input(hint, initial)
    }

    fn warning(&self) -> Option<String> {
        if let Some(unfinished) = &self.unfinished {
            return Some(self.unfinished_warning(unfinished));
        }
        if let Some(problem) = &self.journal_problem {
            return Some(format!(
                "A restore may not have finished, but its record cannot be read ({problem})."
            ));
        }
        match (self.slot_problem(), &self.startup_warning) {
            (Some(slot), _) => Some(slot.to_owned()),
            (None, _) if self.titles_problem.is_some() => self.titles_problem.clone(),
            (None, _) if self.system.problem.is_some() => self.system.problem.clone(),
            (None, _) if self.dsiware.problem.is_some() => self.dsiware.problem.clone(),
            (None, Some(startup)) => Some(startup.clone()),
            (None, None) => self.gba_warning(),
        }
    }

    fn restore_questions(&mut self, title: &TitleKey, backup: &BackupKey) -> Vec<Question> {
        let mut questions = self.system_questions(title);
        questions.extend(self.found_questions(title, backup));
        questions
    }

    fn start_find_saves(&mut self) -> Result<(), Refusal> {
        self.begin_find_saves()
    }

    fn plan_export(
        &mut self,
        title: &TitleKey,
        backup: &BackupKey,
        kind: ExportKind,
    ) -> Result<String, Refusal> {
        self.export_destination(title, backup, kind)
    }

    fn start_export(
        &mut self,
        title: &TitleKey,
        backup: &BackupKey,
        kind: ExportKind,
        destination: &str,
    ) -> Result<(), Refusal> {
        self.begin_export(title, backup, kind, destination)
    }

    fn export_save(
        &mut self,
        title: &TitleKey,
        backup: &BackupKey,
        kind: ExportKind,
        destination: &str,
    ) -> Result<Outcome, Refusal> {
        self.write_export(title, backup, kind, destination)
    }

    fn settings(&self) -> Settings {
        let mut roots = vec![self.config.saves_root.clone()];
        for root in [CHECKPOINT_SAVES, KEEPSAKE_SAVES] {
            if !roots.iter().any(|r| r == root) {
                roots.push(root.to_owned());
            }
        }
        Settings {
            backup_roots: roots,
            backup_root: 0,
            confirm_restores: self.ui_settings.confirm_restores,
            theme: self.theme(),
            system_data: self.config.nand_saves,
            dsiware: self.config.dsiware_saves,
        }
    }

    fn theme(&self) -> Theme {
        // An unknown value was reported at start-up; dark is used.
        Theme::read(&self.config).unwrap_or_default()
    }

    fn title_view(&self) -> TitleView {
        self.current_title_view()
    }

    fn set_title_view(&mut self, filter: TitleFilter, sort: TitleSort) -> Result<(), Refusal> {
        self.change_title_view(filter, sort)
    }

    fn set_favourite(&mut self, title: &TitleKey, favourite: bool) -> Result<(), Refusal> {
        self.change_favourite(title, favourite)
    }

    fn save_settings(&mut self, settings: &Settings) -> Result<(), Refusal> {
        // A config.json that could not be read holds the user's other
        // settings (and other tools' keys): never replace it with defaults.
        if let Some(refusal) = self.config_not_to_be_written() {
            return Err(refusal);
        }
        let mut config = self.config.clone();
        if let Some(root) = settings.backup_roots.get(settings.backup_root) {
            config.saves_root = root.clone();
        }
        settings.theme.write_into(&mut config);
        config.nand_saves = settings.system_data;
        config.dsiware_saves = settings.dsiware;
        let ui_settings = UiSettings {
            confirm_restores: settings.confirm_restores,
        };
        let json = serde_json::to_vec_pretty(&ui_settings).expect("settings serialize");
        let devices = self.console.devices();
        let saved = devices
            .sd
            .create_dir_all(KEEPSAKE_DIR)
            .map_err(|e| e.to_string())
            .and_then(|()| config.save(devices.sd).map_err(|e| e.to_string()))
            .and_then(|()| {
                write_atomic(devices.sd, UI_SETTINGS_PATH, &json).map_err(|e| e.to_string())
            });
        saved.map_err(|e| Refusal {
            reason: format!("The settings could not be written: {e}."),
            advice: "Check that the SD card is in and not full, then try again.".into(),
        })?;
        let root_changed = config.saves_root != self.config.saves_root;
        let system_changed = config.nand_saves != self.config.nand_saves;
        let dsiware_changed = config.dsiware_saves != self.config.dsiware_saves;
        self.config = config;
        self.ui_settings = ui_settings;
        if system_changed {
            // Listed over the next frames (or gone at once when off).
            self.restart_system_scan();
            self.rebuild_titles();
        }
        if dsiware_changed {
            self.restart_dsiware_scan();
            self.rebuild_titles();
        }
        if root_changed {
            self.bump();
        }
        Ok(())
    }
}
