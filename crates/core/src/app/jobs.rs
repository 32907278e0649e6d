//! Starting, stepping and reporting the core's jobs for the screens: which
//! job a title needs, the confirmation's facts before a restore, progress in
//! words, and every ending (report or error) as an [`Outcome`] in plain
//! words with what to do next.

use super::console_model::{ConsoleModel, Known, Slot};
use super::put_back::title_key;
use super::running_job::{RunningJob, Subject};
use super::words::{capitalize, kept_line, refusal, store_refusal};
use crate::jobs::{
    BackupSecureValue, CtrBackupJob, CtrBackupReport, CtrRestoreJob, CtrRestoreReport,
    GbaBackupJob, GbaBackupReport, JobError, NdsBackupJob, NdsBackupReport, NdsExportReport,
    NdsRestoreJob, NdsRestoreReport, Phase, Progress as JobProgress, RestoredSecureValue, Step,
};
use crate::jobs::{EXPERIMENTAL_FLASH_8M_KEY, auto_backup_name};
use crate::nds_card::{InsertedNds, NdsCardError};
use crate::platform::sd::join;
use crate::platform::{
    ArchiveError, ArchiveId, ArchiveKind, CardError, Console, GbaVcError, GbaVcId, MediaType,
    SdError, SpiError,
};
use crate::store::journal::{JournalSave, Kind, WayBack};
use crate::store::naming::{CONFIG_PATH, backup_folder_name, sanitize};
use crate::store::nds_backup::{check_game, find_save_file, load_for_chip};
use crate::store::{BackupEntry, BackupTitle, StoreError, free_name};
use crate::ui::model::*;
use crate::ui::theme::format_size;
use keepsake_format::gba_vc::AgbSaveError;
use keepsake_format::nds::ChipKind;

/// What a title's save is, for starting a job on it.
pub(super) enum Target {
    Nds(InsertedNds),
    Ctr {
        archive: ArchiveId,
        short_title: String,
    },
    /// A GBA VC title's save, which was saved at least once.
    GbaVc {
        id: GbaVcId,
        short_title: String,
    },
}

impl<C: Console> ConsoleModel<C> {
    pub(super) fn target_for(&self, title: &TitleKey) -> Result<(Target, Known), Refusal> {
        let gone = || {
            refusal(
                "The cartridge is no longer in the slot.",
                "Insert it again and choose it in the list.",
            )
        };
        match self.known.get(title) {
            Some(known @ Known::NdsCard(card)) => match &self.slot {
                Slot::Nds(now) if now.game_code == card.game_code => {
                    Ok((Target::Nds(now.clone()), known.clone()))
                }
                _ => Err(gone()),
            },
            Some(Known::NdsIdentifying(_)) => Err(refusal(
                "The cartridge is still being identified.",
                "Wait a moment until its save kind shows, then try again.",
            )),
            Some(
                known @ Known::Ctr {
                    title_id,
                    media,
                    short_title,
                },
            ) => {
                if *media == MediaType::Card
                    && !matches!(self.slot, Slot::Ctr { title_id: now, .. } if now == *title_id)
                {
                    return Err(gone());
                }
                let archive = ArchiveId {
                    kind: self.archive_kind,
                    media: *media,
                    title_id: *title_id,
                };
                Ok((
                    Target::Ctr {
                        archive,
                        short_title: short_title.clone(),
                    },
                    known.clone(),
                ))
            }
            Some(
                known @ Known::GbaVc {
                    title_id,
                    media,
                    short_title,
                    state,
                },
            ) => match super::gba::refusal_for(state, short_title) {
                Some(why) => Err(why),
                None => Ok((
                    Target::GbaVc {
                        id: GbaVcId {
                            title_id: *title_id,
                            media: *media,
                        },
                        short_title: short_title.clone(),
                    },
                    known.clone(),
                )),
            },
            Some(
                known @ Known::System {
                    archive,
                    short_title,
                },
            ) => Ok((
                Target::Ctr {
                    archive: *archive,
                    short_title: short_title.clone(),
                },
                known.clone(),
            )),
            Some(known @ Known::DsiWare(record)) => {
                super::dsiware::usable_archive(record).map(|archive| {
                    let target = Target::Ctr {
                        archive,
                        short_title: record.header_title.clone(),
                    };
                    (target, known.clone())
                })
            }
            Some(Known::BackupsOnly(BackupTitle::Nds { .. })) => Err(refusal(
                "No cartridge of this game is inserted: these are its backups only.",
                "Insert the cartridge to back it up or restore to it.",
            )),
            Some(Known::BackupsOnly(BackupTitle::Ctr { .. })) => Err(refusal(
                "This title is not installed and its cartridge is not inserted.",
                "Install the title or insert its cartridge to back it up or restore to it.",
            )),
            None => Err(refusal(
                "That title is no longer available.",
                "Choose a title from the list.",
            )),
        }
    }

    pub(crate) fn begin_backup(
        &mut self,
        title: &TitleKey,
        name: Option<String>,
    ) -> Result<(), Refusal> {
        if self.job.is_some() {
            return Err(refusal("Another job is running.", "Wait for it to finish."));
        }
        self.look_at_gba_save(title);
        let (target, known) = self.target_for(title)?;
        if let Some(why) = self.archive_missing(title) {
            return Err(refusal(
                why,
                "Choose \"Save data\" to back up the title's save.",
            ));
        }
        let name = match name {
            Some(typed) => {
                let clean = sanitize(&typed);
                if clean.is_empty() {
                    return Err(refusal(
                        format!("\"{typed}\" is not a usable folder name."),
                        "Type a name with letters or digits.",
                    ));
                }
                clean
            }
            None => backup_folder_name(self.now()),
        };
        let title_dir = self.title_dir_of(&known);
        self.job_title = Some(title.clone());
        self.job_game = self.name_of(title);
        self.job = Some(match target {
            Target::Nds(card) => RunningJob::NdsBackup {
                job: NdsBackupJob::new(card.detection.chip, &card.header_title, &title_dir, &name),
                cancelled: false,
            },
            Target::Ctr { archive, .. } => RunningJob::CtrBackup {
                job: CtrBackupJob::new(archive, &title_dir, &name),
                cancelled: false,
            },
            Target::GbaVc { id, .. } => RunningJob::GbaBackup {
                job: GbaBackupJob::new(id, &title_dir, &name),
                cancelled: false,
            },
        });
        Ok(())
    }

    /// Validates a restore without writing anything: the plan for the
    /// confirmation, and the job ready to run.
    pub(crate) fn check_restore(
        &mut self,
        title: &TitleKey,
        backup: &BackupKey,
    ) -> Result<(RestorePlan, RunningJob), Refusal> {
        // One journal records one unfinished restore. Another restore of
        // the same save may replace it, keeping its way back (the save as
        // it was before the unfinished restore); one of another save would
        // overwrite the record of that way back.
        //
        // Only an automatic backup checked whole is kept as the way back:
        // while it is being checked the restore waits; a damaged or missing
        // one is no way back, so the new restore's own automatic backup
        // (of the save as it is now) becomes it.
        let way_back = match &self.unfinished {
            None => None,
            Some(unfinished) if concerns(&unfinished.journal.save, title) => {
                match unfinished.way_back {
                    WayBack::Intact => Some(unfinished.journal.clone()),
                    WayBack::Checking { .. } => {
                        return Err(refusal(
                            "Keepsake is still checking the automatic backup of the last restore that did not finish.",
                            "Wait a moment, then try again.",
                        ));
                    }
                    WayBack::Missing | WayBack::Damaged { .. } => None,
                }
            }
            Some(unfinished) => {
                return Err(refusal(
                    format!(
                        "The last restore of {} did not finish, and its way back must be kept.",
                        unfinished.journal.save.name()
                    ),
                    "Open that title to put its save back or keep it as it is, then restore this backup.",
                ));
            }
        };
        let (plan, job) = self.check_restore_of(title, backup)?;
        let job = match (job, &way_back) {
            (RunningJob::NdsRestore { job }, Some(journal)) => RunningJob::NdsRestore {
                job: job.keeping_way_back(journal),
            },
            (RunningJob::CtrRestore { job }, Some(journal)) => RunningJob::CtrRestore {
                job: job.keeping_way_back(journal),
            },
            (RunningJob::GbaRestore { job }, Some(journal)) => RunningJob::GbaRestore {
                job: job.keeping_way_back(journal),
            },
            (job, _) => job,
        };
        Ok((plan, job))
    }

    fn check_restore_of(
        &mut self,
        title: &TitleKey,
        backup: &BackupKey,
    ) -> Result<(RestorePlan, RunningJob), Refusal> {
        self.look_at_gba_save(title);
        let (target, known) = self.target_for(title)?;
        if let Some(why) = self.archive_missing(title) {
            return Err(refusal(
                why,
                "Start the game until it makes its extdata, then restore this backup.",
            ));
        }
        let entry = self.entries.get(backup).cloned().ok_or_else(|| {
            refusal(
                "That backup is no longer listed.",
                "Open the title again to see its backups.",
            )
        })?;
        let title_dir = self.title_dir_of(&known);
        // Named now, so the question says exactly where the current save
        // goes; the job is told to use this name.
        let auto_name = {
            let devices = self.console.devices();
            let asked = match &self.planned_auto {
                Some((t, b, name)) if t == title && b == backup => name.clone(),
                _ => auto_backup_name(devices.clock.now()),
            };
            // A folder made since the question (none is, but the SD card is
            // the user's) moves the name on as the writer would.
            free_name(devices.sd, &title_dir, &asked).map_err(|e| store_refusal(&e))?
        };
        self.planned_auto = Some((title.clone(), backup.clone(), auto_name.clone()));
        let automatic_backup = join(&title_dir, &auto_name);
        match target {
            Target::Nds(card) => {
                self.check_nds_restore(card, entry, title_dir, automatic_backup, auto_name)
            }
            Target::GbaVc { id, short_title } => self.check_gba_restore(
                id,
                &short_title,
                entry,
                &title_dir,
                automatic_backup,
                auto_name,
            ),
            Target::Ctr {
                archive,
                short_title,
            } => {
                // The job's own first step validates (the backup belongs to
                // this title, its files read) and touches nothing else.
                let mut job = CtrRestoreJob::new(archive, &title_dir, entry);
                let mut devices = self.console.devices();
                let checked = job.step(&mut devices);
                let _ = job.cancel(&mut devices);
                match checked {
                    Ok(_) => {}
                    // Named by the game, not by its title ID.
                    Err(JobError::Store(StoreError::WrongGame { backup, .. })) => {
                        return Err(refusal(
                            format!("This backup belongs to {backup}, not to {short_title}."),
                            "Choose a backup made from this game.",
                        ));
                    }
                    Err(JobError::CardChanged { .. }) => {
                        return Err(refusal(
                            format!("The cartridge in the slot is no longer {short_title}."),
                            "Put its cartridge back in, then try again.",
                        ));
                    }
                    Err(JobError::Store(e)) => return Err(store_refusal(&e)),
                    Err(e) => {
                        return Err(refusal(
                            format!("{}.", capitalize(&e.to_string())),
                            "Choose another backup.",
                        ));
                    }
                }
                let where_ = match archive.media {
                    MediaType::Sd => "installed on the SD card",
                    MediaType::Card => "on the cartridge",
                    MediaType::Nand => "in the console's memory",
                };
                let overwrites = match (archive.kind, archive.media) {
                    (ArchiveKind::SaveData, MediaType::Nand)
                    | (ArchiveKind::SharedExtData | ArchiveKind::BossExtData, _) => {
                        super::system::overwritten(archive, &short_title)
                    }
                    (ArchiveKind::SaveData, _) => {
                        format!("the save data of {short_title}, {where_}")
                    }
                    // Kept on the SD card whatever the title's medium.
                    (ArchiveKind::ExtData, _) => format!("the extdata of {short_title}, {where_}"),
                    (ArchiveKind::DsiWareSave, _) => super::dsiware::overwritten(&short_title),
                };
                let plan = RestorePlan {
                    overwrites,
                    conversion: None,
                    automatic_backup,
                };
                let job = CtrRestoreJob::new(archive, &title_dir, self.entries[backup].clone())
                    .with_auto_backup_name(auto_name);
                Ok((plan, RunningJob::CtrRestore { job }))
            }
        }
    }

    fn check_nds_restore(
        &mut self,
        card: InsertedNds,
        entry: BackupEntry,
        title_dir: String,
        automatic_backup: String,
        auto_name: String,
    ) -> Result<(RestorePlan, RunningJob), Refusal> {
        let chip = card.detection.chip;
        if let Err(e) = check_game(&entry, &card.game_code, &card.header_title) {
            return Err(match e {
                StoreError::WrongGame { backup, card, .. } => refusal(
                    format!(
                        "This backup belongs to {backup}, but the cartridge is {card}. Restoring it would give the game a save it cannot use."
                    ),
                    "Choose a backup made from this game, or insert the cartridge it belongs to.",
                ),
                other => store_refusal(&other),
            });
        }
        let allow_flash_8m = self.config.experimental_flash_8m_writes;
        if chip.kind() == ChipKind::Flash8M && !allow_flash_8m {
            return Err(refusal(
                "Writing to 8 MiB flash cartridges is experimental and switched off: it has not yet been confirmed on a real cartridge. Nothing was written.",
                format!(
                    "Backups of this cartridge work. To try a restore anyway, set \"{EXPERIMENTAL_FLASH_8M_KEY}\": true in {CONFIG_PATH}."
                ),
            ));
        }
        let devices = self.console.devices();
        let path = find_save_file(devices.sd, &entry, &card.header_title)
            .map_err(|e| backup_refusal(&e, &entry.name))?;
        let image = load_for_chip(devices.sd, &path, chip.kind())
            .map_err(|e| backup_refusal(&e, &entry.name))?;
        let capacity = chip.capacity();
        let conversion = (image.original_len != capacity || image.container != "raw image").then(|| {
            format!(
                "The backup is a {} holding {}; it is converted to the chip's {} without losing data.",
                image.container,
                format_size(image.original_len as u64),
                format_size(capacity as u64)
            )
        });
        let plan = RestorePlan {
            overwrites: format!(
                "the save on the cartridge {} ({})",
                card.header_title,
                chip.kind()
            ),
            conversion,
            automatic_backup,
        };
        let job = NdsRestoreJob::restore(card, &title_dir, entry)
            .allow_experimental_flash_8m_writes(allow_flash_8m)
            .with_auto_backup_name(auto_name);
        Ok((plan, RunningJob::NdsRestore { job }))
    }

    pub(crate) fn begin_restore(
        &mut self,
        title: &TitleKey,
        backup: &BackupKey,
    ) -> Result<(), Refusal> {
        if self.job.is_some() {
            return Err(refusal("Another job is running.", "Wait for it to finish."));
        }
        let (_, job) = self.check_restore(title, backup)?;
        self.planned_auto = None;
        self.job_title = Some(title.clone());
        self.job_game = self.name_of(title);
        self.job = Some(job);
        Ok(())
    }

    /// The name a title is listed under, for words about its save.
    pub(crate) fn name_of(&self, key: &TitleKey) -> String {
        self.titles
            .iter()
            .find(|t| &t.key == key)
            .map_or_else(|| "this game".to_string(), |t| t.name.clone())
    }

    pub(crate) fn step_running_job(&mut self) -> Option<JobStatus> {
        if let Some(RunningJob::Batch(_)) = self.job {
            return self.step_batch();
        }
        // The game's name, for a failure to say whose save it was (taken
        // when the job began: a pulled cartridge is no longer listed).
        let game = self.job_game.clone();
        let job = self.job.as_mut()?;
        let mut devices = self.console.devices();
        let status = match job {
            RunningJob::NdsBackup { job, cancelled } => {
                if *cancelled {
                    Ending::Outcome(cancelled_outcome())
                } else {
                    match job.step(&mut devices) {
                        Ok(Step::Working(progress)) => {
                            let size = Some(progress.bytes_total);
                            return Some(JobStatus::Running(words(
                                progress,
                                Subject::Cartridge,
                                size,
                            )));
                        }
                        Ok(Step::Finished(report)) => Ending::BackedUp(report),
                        Err(e) => Ending::Outcome(failure(
                            JobKind::Backup,
                            Subject::Cartridge,
                            &game,
                            &e,
                            "",
                        )),
                    }
                }
            }
            RunningJob::NdsRestore { job } => match job.step(&mut devices) {
                Ok(Step::Working(progress)) => {
                    let size = Some(job.save_size());
                    return Some(JobStatus::Running(words(
                        progress,
                        Subject::Cartridge,
                        size,
                    )));
                }
                Ok(Step::Finished(report)) => {
                    Ending::Outcome(restored(&report, self.putting_back.as_deref()))
                }
                Err(e) => {
                    // Advice to restore the automatic backup only once the
                    // card may have changed.
                    let auto = if job.may_have_written() {
                        job.auto_backup().to_owned()
                    } else {
                        String::new()
                    };
                    Ending::Outcome(failure(
                        JobKind::Restore,
                        Subject::Cartridge,
                        &game,
                        &e,
                        &auto,
                    ))
                }
            },
            RunningJob::CtrBackup { job, cancelled } => {
                if *cancelled {
                    Ending::Outcome(cancelled_outcome())
                } else {
                    let subject = Subject::of(job.archive());
                    match job.step(&mut devices) {
                        Ok(Step::Working(progress)) => {
                            return Some(JobStatus::Running(words(progress, subject, None)));
                        }
                        Ok(Step::Finished(report)) => Ending::CtrBackedUp(report, subject),
                        Err(e) => Ending::Outcome(failure(JobKind::Backup, subject, &game, &e, "")),
                    }
                }
            }
            RunningJob::NdsExport { job, cancelled } => {
                if *cancelled {
                    Ending::Outcome(super::export::export_cancelled())
                } else {
                    match job.step(&mut devices) {
                        Ok(Step::Working(progress)) => {
                            return Some(JobStatus::Running(super::export::export_progress(
                                progress, job,
                            )));
                        }
                        Ok(Step::Finished(report)) => Ending::Exported(report),
                        Err(e) => Ending::Outcome(failure(
                            JobKind::Export,
                            Subject::Cartridge,
                            &game,
                            &e,
                            "",
                        )),
                    }
                }
            }
            RunningJob::Batch(_) => unreachable!("stepped by step_batch"),
            RunningJob::GbaBackup { job, cancelled } => {
                if *cancelled {
                    Ending::Outcome(cancelled_outcome())
                } else {
                    match job.step(&mut devices) {
                        Ok(Step::Working(progress)) => {
                            return Some(JobStatus::Running(words(
                                progress,
                                Subject::GbaSave,
                                None,
                            )));
                        }
                        Ok(Step::Finished(report)) => Ending::GbaBackedUp(report),
                        Err(e) => Ending::Outcome(failure(
                            JobKind::Backup,
                            Subject::GbaSave,
                            &game,
                            &e,
                            "",
                        )),
                    }
                }
            }
            RunningJob::GbaRestore { job } => match job.step(&mut devices) {
                Ok(Step::Working(progress)) => {
                    return Some(JobStatus::Running(words(progress, Subject::GbaSave, None)));
                }
                Ok(Step::Finished(report)) => Ending::Outcome(super::gba::gba_restored(
                    &report,
                    self.putting_back.as_deref(),
                )),
                Err(e) => {
                    let auto = if job.may_have_written() {
                        job.auto_backup().to_owned()
                    } else {
                        String::new()
                    };
                    Ending::Outcome(failure(
                        JobKind::Restore,
                        Subject::GbaSave,
                        &game,
                        &e,
                        &auto,
                    ))
                }
            },
            RunningJob::CtrRestore { job } => {
                let subject = Subject::of(job.archive());
                match job.step(&mut devices) {
                    Ok(Step::Working(progress)) => {
                        return Some(JobStatus::Running(words(progress, subject, None)));
                    }
                    Ok(Step::Finished(report)) => Ending::Outcome(ctr_restored(
                        &report,
                        subject,
                        self.putting_back.as_deref(),
                    )),
                    Err(e) => {
                        let auto = if job.may_have_written() {
                            job.auto_backup().to_owned()
                        } else {
                            String::new()
                        };
                        Ending::Outcome(failure(JobKind::Restore, subject, &game, &e, &auto))
                    }
                }
            }
        };
        self.job = None;
        self.putting_back = None;
        let outcome = match status {
            Ending::Outcome(outcome) => outcome,
            Ending::BackedUp(report) => {
                self.record_made(&report.folder);
                backed_up(&report)
            }
            Ending::CtrBackedUp(report, subject) => {
                self.record_made(&report.folder);
                ctr_backed_up(&report, subject)
            }
            Ending::Exported(report) => self.cartridge_exported(&report),
            Ending::GbaBackedUp(report) => {
                self.record_made(&report.folder);
                super::gba::gba_backed_up(&report)
            }
        };
        // The title's backups changed, and a restore may have left (or
        // resolved) an unfinished one.
        if let Some(title) = self.job_title.take() {
            self.recount(&title);
        }
        self.reload_unfinished();
        Some(JobStatus::Finished(outcome))
    }

    pub(crate) fn cancel_running_job(&mut self) -> bool {
        let mut devices = self.console.devices();
        match &mut self.job {
            Some(RunningJob::NdsBackup { job, cancelled }) => {
                if !*cancelled && job.cancel(&mut devices).is_ok() {
                    *cancelled = true;
                }
                *cancelled
            }
            Some(RunningJob::CtrBackup { job, cancelled }) => {
                if !*cancelled && job.cancel(&mut devices).is_ok() {
                    *cancelled = true;
                }
                *cancelled
            }
            Some(RunningJob::NdsExport { job, cancelled }) => {
                if !*cancelled && job.cancel(&mut devices).is_ok() {
                    *cancelled = true;
                }
                *cancelled
            }
            Some(RunningJob::GbaBackup { job, cancelled }) => {
                if !*cancelled && job.cancel(&mut devices).is_ok() {
                    *cancelled = true;
                }
                *cancelled
            }
            Some(RunningJob::Batch(batch)) => batch.job.cancel(&mut devices).is_ok(),
            // The screens never stop a restore half-way.
            Some(
                RunningJob::NdsRestore { .. }
                | RunningJob::CtrRestore { .. }
                | RunningJob::GbaRestore { .. },
            )
            | None => false,
        }
    }
}

/// Whether the journal's save is the save data of `title` (the screens
/// restore save data only).
fn concerns(save: &JournalSave, title: &TitleKey) -> bool {
    !matches!(
        save,
        JournalSave::Title {
            kind: Kind::Extdata,
            ..
        }
    ) && title_key(save) == *title
}

/// How a job ended.
enum Ending {
    Outcome(Outcome),
    BackedUp(NdsBackupReport),
    CtrBackedUp(CtrBackupReport, Subject),
    Exported(NdsExportReport),
    GbaBackedUp(GbaBackupReport),
}

fn cancelled_outcome() -> Outcome {
    Outcome {
        succeeded: false,
        headline: "Backup cancelled".into(),
        details: vec!["Nothing was written to the SD card.".into()],
        advice: None,
    }
}

/// A job's progress in words.
/// A job's progress in the save's terms: the stage, and how far in bytes
/// of the save (and, while writing a cartridge, in the pages that differ).
/// `save_size`: an NDS chip's capacity; `None` for 3DS save data, whose
/// items are files.
pub(super) fn words(progress: JobProgress, subject: Subject, save_size: Option<u64>) -> Progress {
    let (done, total) = (
        format_size(progress.bytes_done),
        format_size(progress.bytes_total),
    );
    let (stage, detail) = match progress.phase {
        Phase::Validating => ("Checking the backup".to_string(), String::new()),
        Phase::Reading => (
            format!("Reading {}", subject.name()),
            format!("{done} of {total} read"),
        ),
        Phase::SavingAutoBackup => (
            "Saving the automatic backup".to_string(),
            format!("The save as it is now, {total}, to the SD card"),
        ),
        Phase::WritingBackup => (
            "Writing the backup to the SD card".to_string(),
            format!("{done} of {total} written"),
        ),
        Phase::Writing => {
            let detail = match save_size {
                Some(size) => {
                    // Pages (EEPROM, small flash) or sectors (8 MiB flash)
                    // of one size each.
                    let unit = progress
                        .bytes_total
                        .checked_div(progress.items_total)
                        .unwrap_or(0);
                    let what = if unit >= 0x1000 { "sectors" } else { "pages" };
                    format!(
                        "{} of {} differing {what} written ({done} of the {} save)",
                        progress.items_done,
                        progress.items_total,
                        format_size(size)
                    )
                }
                // A GBA save is one file, written a chunk at a time.
                None if subject == Subject::GbaSave => format!("{done} of {total} written"),
                None => format!(
                    "{} of {} files written ({done} of {total})",
                    progress.items_done, progress.items_total
                ),
            };
            (format!("Writing {}", subject.name()), detail)
        }
        // A GBA save's last write is its slot's signature, which the
        // console computes for itself.
        Phase::Committing if subject == Subject::GbaSave => (
            "Signing the save for this console".to_string(),
            String::new(),
        ),
        Phase::Committing => ("Making the new save permanent".to_string(), String::new()),
        Phase::Verifying => (
            "Reading back and comparing".to_string(),
            format!("{done} of {total} compared"),
        ),
        Phase::Done => ("Finishing".to_string(), String::new()),
    };
    Progress {
        stage,
        detail,
        bytes_done: progress.bytes_done,
        bytes_total: progress.bytes_total,
    }
}

pub(super) fn backed_up(report: &NdsBackupReport) -> Outcome {
    Outcome {
        succeeded: true,
        headline: "Backed up".into(),
        details: vec![
            format!("{} saved to", format_size(report.bytes)),
            report.folder.clone(),
        ],
        advice: None,
    }
}

pub(super) fn ctr_backed_up(report: &CtrBackupReport, subject: Subject) -> Outcome {
    Outcome {
        succeeded: true,
        headline: match subject {
            Subject::Extdata => "Extdata backed up".into(),
            Subject::Cartridge | Subject::SdSave | Subject::GbaSave => "Backed up".into(),
        },
        details: vec![
            format!(
                "{} in {} file{} saved to",
                format_size(report.bytes),
                report.files,
                if report.files == 1 { "" } else { "s" }
            ),
            report.folder.clone(),
        ]
        .into_iter()
        .chain(match &report.secure_value {
            BackupSecureValue::Kept => {
                Some("The title's secure value is kept with it, for the restore.".into())
            }
            BackupSecureValue::Unreadable(why) => Some(format!(
                "The title's secure value could not be read ({why}): a restore of this backup deletes it, as Checkpoint does."
            )),
            BackupSecureValue::NoneSet | BackupSecureValue::NotApplicable => None,
        })
        .collect(),
        advice: None,
    }
}

/// `put_back_from`: the automatic backup an unfinished restore left, when
/// this restore put it back.
fn ctr_restored(
    report: &CtrRestoreReport,
    subject: Subject,
    put_back_from: Option<&str>,
) -> Outcome {
    // Extdata has no commit and no secure value: its lines say only what
    // was written and compared.
    let what = match subject {
        Subject::Extdata => "extdata",
        Subject::Cartridge | Subject::SdSave | Subject::GbaSave => "save data",
    };
    let mut details = vec![format!(
        "Replaced the {what} with {} file{} ({}).",
        report.files_written,
        if report.files_written == 1 { "" } else { "s" },
        format_size(report.bytes_written)
    )];
    if report.committed {
        details.push(match report.secure_value {
            RestoredSecureValue::PutBack { from_jksm: false } => {
                "Committed the save data and put back the secure value kept with the backup.".into()
            }
            RestoredSecureValue::PutBack { from_jksm: true } => {
                "Committed the save data and put back the secure value JKSM kept in the backup folder.".into()
            }
            RestoredSecureValue::Deleted => {
                "Committed the save data. The backup kept no secure value (an older backup), so the title's was deleted, as Checkpoint does; a game that checks it may refuse this save.".into()
            }
            RestoredSecureValue::NotApplicable => "Committed the save data.".into(),
        });
    }
    details.push(format!(
        "Read back and compared {} file{}: identical.",
        report.files_verified,
        if report.files_verified == 1 { "" } else { "s" }
    ));
    details.push(match (subject, put_back_from) {
        (Subject::Extdata, None) => {
            format!("The extdata as it was is kept in {}.", report.auto_backup)
        }
        _ => kept_line(&report.auto_backup, put_back_from),
    });
    Outcome {
        succeeded: true,
        headline: match (put_back_from, subject) {
            (Some(_), _) => "Put back and verified".into(),
            (None, Subject::Extdata) => "Extdata restored and verified".into(),
            (None, _) => "Restored and verified".into(),
        },
        details,
        advice: None,
    }
}

/// `put_back_from`: as for [`ctr_restored`].
fn restored(report: &NdsRestoreReport, put_back_from: Option<&str>) -> Outcome {
    let units = if report.unit_size >= 0x1_0000 {
        "sectors"
    } else {
        "pages"
    };
    let total_units = report.chip_capacity / report.unit_size.max(1);
    let mut details = Vec::new();
    if report.units_written == 0 {
        details
            .push("The cartridge already held exactly this save: nothing was written.".to_string());
    } else {
        details.push(format!(
            "Wrote {} of {} {units} ({}); the rest already matched.",
            report.units_written,
            total_units,
            format_size((report.units_written * report.unit_size) as u64)
        ));
        details.push(format!(
            "Read back and compared {}: identical.",
            format_size(report.verified_bytes)
        ));
    }
    if report.source_len != report.chip_capacity
        || report.container.is_some_and(|c| c != "raw image")
    {
        details.push(format!(
            "Converted from a {} of {}.",
            report.container.unwrap_or("save"),
            format_size(report.source_len as u64)
        ));
    }
    details.push(kept_line(&report.auto_backup, put_back_from));
    Outcome {
        succeeded: true,
        headline: match (report.units_written, put_back_from) {
            (0, None) => "Nothing to restore: already identical".into(),
            (0, Some(_)) => "Nothing to put back: the save was already as it was".into(),
            (_, None) => "Restored and verified".into(),
            (_, Some(_)) => "Put back and verified".into(),
        },
        details,
        advice: None,
    }
}

fn card_gone(e: &JobError) -> bool {
    matches!(
        e,
        JobError::Card(CardError::NoCard)
            | JobError::Chip(NdsCardError::Spi(SpiError::NoCard))
            | JobError::CardChanged { .. }
    )
}

fn power_lost(e: &JobError) -> bool {
    matches!(
        e,
        JobError::Card(CardError::PowerLost)
            | JobError::Chip(NdsCardError::Spi(SpiError::PowerLost))
            | JobError::Store(StoreError::Sd(SdError::PowerLost))
            | JobError::Archive(ArchiveError::PowerLost)
            | JobError::GbaVc(GbaVcError::PowerLost)
    )
}

/// A failed job in plain words. `auto_backup` is the automatic backup a
/// restore made before writing (empty when it had not got that far).
pub(super) fn failure(
    kind: JobKind,
    subject: Subject,
    game: &str,
    e: &JobError,
    auto_backup: &str,
) -> Outcome {
    let (job, nothing_written) = match kind {
        JobKind::Backup => (
            "backup",
            format!("No backup was made; {} was only read.", subject.name()),
        ),
        JobKind::Restore => (
            "restore",
            format!("Nothing was written to {}.", subject.name()),
        ),
        JobKind::Export => (
            "export",
            format!(
                "Nothing was written to the SD card; {} was only read.",
                subject.name()
            ),
        ),
        // The search has no job error of its own (see app/found.rs).
        JobKind::FindSaves => ("search", "Nothing was written.".to_string()),
    };
    let restore_from_auto = match subject {
        Subject::Cartridge => format!(
            "Insert the cartridge and restore the automatic backup {auto_backup}: it holds the save as it was."
        ),
        Subject::SdSave | Subject::GbaSave => {
            format!("Restore the automatic backup {auto_backup}: it holds the save as it was.")
        }
        Subject::Extdata => {
            format!("Restore the automatic backup {auto_backup}: it holds the extdata as it was.")
        }
    };
    let after_writing = kind == JobKind::Restore && !auto_backup.is_empty();
    let (headline, advice) = if card_gone(e) {
        (
            format!("The cartridge was taken out during the {job}"),
            if after_writing {
                restore_from_auto
            } else {
                format!("{nothing_written} Insert the cartridge and try again.")
            },
        )
    } else if power_lost(e) {
        (
            format!("The console lost power during the {job}"),
            if after_writing {
                restore_from_auto
            } else {
                "Charge the console and try again.".to_string()
            },
        )
    } else if let JobError::Store(StoreError::Sd(SdError::Full { .. })) = e {
        (
            "The SD card is full".to_string(),
            "Delete old backups or other files to make room, then try again.".to_string(),
        )
    } else if let (JobError::Archive(ArchiveError::NoArchive(_)), Subject::Extdata) = (e, subject) {
        (
            "This title has no extdata".to_string(),
            "Play the game until it makes its extdata, then try again.".to_string(),
        )
    } else if let JobError::Archive(ArchiveError::NoArchive(_)) = e {
        (
            "This title has no save data yet".to_string(),
            "Play the game until it saves, then try again.".to_string(),
        )
    } else if let JobError::Archive(ArchiveError::NotFormatted(_)) = e {
        (
            "This title has no save data yet".to_string(),
            "Start the game once so that it makes its save, then try again.".to_string(),
        )
    } else if let JobError::GbaSave(AgbSaveError::NoSavedSlot { .. }) = e {
        (
            "This GBA game has never saved".to_string(),
            "Start the game, save once in it, then try again.".to_string(),
        )
    } else if let JobError::GbaVc(GbaVcError::Unavailable(_)) = e {
        (
            "GBA Virtual Console saves cannot be reached".to_string(),
            "Start Keepsake on a console running Luma3DS, then try again.".to_string(),
        )
    } else if let JobError::BackupNotKept { .. } = e {
        (
            "The SD card did not keep the backup".to_string(),
            "Check the SD card on a computer or use another one, then try again.".to_string(),
        )
    } else if let JobError::VerifyFailed { auto_backup, .. } = e {
        let first = match subject {
            Subject::Cartridge => "Clean the cartridge's contacts, then restore",
            Subject::SdSave | Subject::Extdata | Subject::GbaSave => "Restore",
        };
        (
            capitalize(&format!(
                "{} did not read back what was written",
                subject.name()
            )),
            format!("{first} the automatic backup {auto_backup}; it holds the save as it was."),
        )
    } else if let JobError::Store(store) = e {
        let refusal = store_refusal(store);
        return Outcome {
            succeeded: false,
            headline: format!("The {job} was refused"),
            details: vec![refusal.reason],
            advice: Some(refusal.advice),
        };
    } else {
        (
            format!("The {job} failed"),
            if after_writing {
                restore_from_auto
            } else {
                match subject {
                    Subject::Cartridge => {
                        "Check that the cartridge is seated and the SD card is in, then try again."
                    }
                    Subject::SdSave | Subject::Extdata | Subject::GbaSave => {
                        "Check that the SD card is in, then try again."
                    }
                }
                .to_string()
            },
        )
    };
    // A card taken out, the power lost or a save never made is said by the
    // headline; the error's own words would only repeat it in a driver's
    // terms (a title id in hex, an archive).
    let never_made = matches!(
        e,
        JobError::Archive(ArchiveError::NoArchive(_) | ArchiveError::NotFormatted(_))
            | JobError::GbaSave(AgbSaveError::NoSavedSlot { .. })
    );
    let mut details = if card_gone(e) || power_lost(e) || never_made {
        Vec::new()
    } else {
        vec![format!("{}.", capitalize(&e.to_string()))]
    };
    if after_writing {
        if card_gone(e) || power_lost(e) {
            details.push(match subject {
                Subject::Cartridge => {
                    format!("The save of {game} on the cartridge was only partly written.")
                }
                Subject::SdSave => format!("The save data of {game} was only partly written."),
                Subject::Extdata => format!("The extdata of {game} was only partly written."),
                Subject::GbaSave => format!("The GBA save of {game} was only partly written."),
            });
        }
    } else if kind == JobKind::Restore || card_gone(e) || power_lost(e) {
        details.push(nothing_written);
    }
    Outcome {
        succeeded: false,
        headline,
        details,
        advice: Some(advice),
    }
}

/// Like [`store_refusal`], naming the backup as the list does (its folder's
/// name), not the file inside it, which the user never saw.
fn backup_refusal(e: &StoreError, backup: &str) -> Refusal {
    if let StoreError::DoesNotFit { chip, .. } = e {
        return refusal(
            format!(
                "The backup \"{backup}\" holds data past what the cartridge's {chip} can store: restoring it would lose that data."
            ),
            "It is probably from a different game or a bigger chip; choose another backup. The keepsake PC tool can show what the file holds.",
        );
    }
    store_refusal(e)
}
