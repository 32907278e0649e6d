//! Saves found where people keep them, in the NDS cartridge's backup list
//! (see [`crate::store::found_saves`] for the places and the matching).
//!
//! At start the model lists the import folder and the ROM folders the last
//! "Find saves on the SD card" found; the search itself walks the card a
//! folder a step, as a job the screens show with progress, and keeps the
//! ROM folders for the next start. Each save the cartridge can take is
//! listed with where it came from and what a restore does. Before one is
//! written, the user is asked again when it cannot be checked (matched by
//! nothing) or when the ROM it was matched through is another build of the
//! game than the cartridge (a patched ROM's save can corrupt the game).

use crate::nds_card::InsertedNds;
use crate::platform::Console;
use crate::store::found_saves::{
    self, Evidence, FoundSave, IMPORT_DIR, ROM_FOLDERS_PATH, RomHeader, SdScan,
};

use super::console_model::{ConsoleModel, Known};
use crate::ui::model::{
    BackupInfo, BackupKey, BackupOrigin, JobStatus, Outcome, Progress, Question, Refusal, TitleKey,
};

/// What the model knows of found saves.
#[derive(Debug, Default)]
pub(crate) struct FoundSaves {
    /// Every save in the import folder and the known ROM folders.
    saves: Vec<FoundSave>,
    /// The search, while it runs.
    scan: Option<SdScan>,
    /// The DS ROMs in the known ROM folders (for exports into TWiLight's
    /// save slots).
    pub(crate) roms: Vec<RomHeader>,
}

impl FoundSaves {
    /// Lists the import folder and the ROM folders found by the last search.
    pub(crate) fn load(sd: &mut dyn crate::platform::SdCard) -> Self {
        let folders = found_saves::load_rom_folders(sd);
        Self {
            saves: found_saves::find_saves(sd, &folders),
            scan: None,
            roms: found_saves::roms_in_folders(sd, &folders),
        }
    }

    pub(crate) fn searching(&self) -> bool {
        self.scan.is_some()
    }
}

/// The key of a found save in the backup list (apart from every folder).
fn found_key(save: &FoundSave) -> BackupKey {
    BackupKey(format!("found:{}", save.path))
}

impl<C: Console> ConsoleModel<C> {
    /// The found saves offered for `card`, as backup list entries; each is
    /// also remembered so a restore can reach it by its key.
    pub(crate) fn found_backups(&mut self, card: &InsertedNds) -> Vec<BackupInfo> {
        let chip = card.detection.chip.kind();
        let offered: Vec<FoundSave> = self
            .found
            .saves
            .iter()
            .filter(|save| save.offered_for(&card.game_code))
            .cloned()
            .collect();
        let devices = self.console.devices();
        let mut infos = Vec::with_capacity(offered.len());
        for save in offered {
            let restore = found_saves::describe_restore(devices.sd, &save, chip)
                .unwrap_or_else(|why| format!("cannot be restored: {why}"));
            let place = match save.evidence {
                Evidence::Nothing => format!("{}, unmatched", save.place.label()),
                _ => save.place.label().to_owned(),
            };
            let key = found_key(&save);
            self.entries.insert(key.clone(), save.entry());
            infos.push(BackupInfo {
                key,
                name: save.name.clone(),
                created: None,
                size: save.size,
                origin: BackupOrigin::Found {
                    place,
                    restore,
                    path: save.path.clone(),
                },
            });
        }
        infos
    }

    /// The questions before restoring a found save (none for a backup).
    pub(crate) fn found_questions(
        &mut self,
        title: &TitleKey,
        backup: &BackupKey,
    ) -> Vec<Question> {
        let Some(save) = self
            .found
            .saves
            .iter()
            .find(|save| &found_key(save) == backup)
            .cloned()
        else {
            return Vec::new();
        };
        let Some(Known::NdsCard(card)) = self.known.get(title).cloned() else {
            return Vec::new();
        };
        match &save.evidence {
            Evidence::Nothing => vec![Question {
                headline: "This save cannot be checked".into(),
                lines: vec![
                    format!("\"{}\" in {IMPORT_DIR}", save.name),
                    format!(
                        "Nothing says which game it belongs to: no ROM beside it, no game code in its name. Keepsake cannot check that it is a save of {} ({}).",
                        card.header_title, card.game_code
                    ),
                    "Restore it only if you know it is. The current save is backed up first."
                        .into(),
                ],
                yes_label: "It is, restore",
            }],
            Evidence::Rom(rom) => {
                let header = self.console.devices().card.nds_header().unwrap_or_default();
                let differences = rom.differences(&header);
                if differences.is_empty() {
                    return Vec::new();
                }
                let mut lines = vec![format!(
                    "This save was matched through the ROM {}, which is not the cartridge's build of {}:",
                    rom.path, card.game_code
                )];
                lines.extend(differences.into_iter().map(|d| format!("- {d}")));
                lines.push("A patched ROM (a fan translation, a hack) may keep its save differently: restoring it can corrupt the cartridge's save. The current save is backed up first.".into());
                vec![Question {
                    headline: "A save from a patched ROM?".into(),
                    lines,
                    yes_label: "Restore anyway",
                }]
            }
            Evidence::CodeInName(_) => Vec::new(),
        }
    }

    /// Starts "Find saves on the SD card".
    pub(crate) fn begin_find_saves(&mut self) -> Result<(), Refusal> {
        if self.job.is_some() || self.found.searching() {
            return Err(Refusal {
                reason: "Another job is running.".into(),
                advice: "Wait for it to finish.".into(),
            });
        }
        self.found.scan = Some(SdScan::new());
        Ok(())
    }

    /// One step of the search, when it runs.
    pub(crate) fn step_find_saves(&mut self) -> Option<JobStatus> {
        let scan = self.found.scan.as_mut()?;
        let devices = self.console.devices();
        if !scan.step(devices.sd) {
            let (listed, waiting) = scan.progress();
            return Some(JobStatus::Running(Progress {
                // Short: the top screen draws it large.
                stage: "Looking for DS ROMs".into(),
                // The screen shows folders where other jobs show bytes.
                bytes_done: u64::from(listed),
                bytes_total: u64::from(listed + waiting),
                detail: format!(
                    "{} looked at, {} still to look in",
                    plural_folders(listed),
                    plural_folders(waiting)
                ),
            }));
        }
        let scan = self.found.scan.take().expect("the search ran");
        let folders = scan.rom_folders().to_vec();
        let kept = found_saves::save_rom_folders(devices.sd, &folders);
        self.found.saves = found_saves::find_saves(devices.sd, &folders);
        self.found.roms = found_saves::roms_in_folders(devices.sd, &folders);
        let count = self.found.saves.len();
        let mut details = vec![format!(
            "{} folders looked at, {} with DS ROMs; {count} saves found there and in {IMPORT_DIR}.",
            scan.progress().0,
            folders.len()
        )];
        details.extend(folders.iter().take(4).map(|f| format!("ROMs in {f}")));
        if let Err(e) = &kept {
            details.push(format!(
                "The list of ROM folders could not be kept in {ROM_FOLDERS_PATH} ({e}): search again after the next start."
            ));
        }
        self.bump();
        Some(JobStatus::Finished(Outcome {
            succeeded: true,
            headline: match count {
                0 => "No saves found".into(),
                1 => "1 save found".into(),
                n => format!("{n} saves found"),
            },
            details,
            advice: Some(if count == 0 {
                format!("Copy saves from a flashcart or an emulator into {IMPORT_DIR}.")
            } else {
                "Open the cartridge to see the saves it can take.".into()
            }),
        }))
    }
}

/// "1 folder", "2 folders".
fn plural_folders(n: u32) -> String {
    format!("{n} {}", if n == 1 { "folder" } else { "folders" })
}
