//! Restoring a GBA Virtual Console save, safely, into the current slot of
//! the title's AGBSAVE container, as Checkpoint 4+ does (`gbasave.cpp`
//! `GbaSave::restore`) with Keepsake's safety around it:
//!
//! 1. validate: the backup's title folder names this title's unique id;
//!    the backup file (`00000001.sav`, or the folder's only file, as
//!    Checkpoint's `io.cpp` `rawBackupFile` finds it) is a bare GBA save or
//!    a whole container (older dumps), read whole;
//! 2. read the title's container a chunk per step and plan the rewrite: a
//!    container never saved, or a save of another size, is refused here,
//!    before anything is written;
//! 3. save the current slot's save as an automatic backup (read back), and
//!    record the restore journal;
//! 4. write the save into the current slot, a chunk per step, after its
//!    0x200-byte header (kept: it names this console's NAND and the title);
//! 5. have the console compute the slot's CMAC from the SHA-256 of the
//!    header from 0x30 and the new save, and write it at the slot's 0x10;
//! 6. read the whole container back and compare it with what it must now
//!    be (the other slot and the header unchanged), then remove the journal.
//!
//! From the first write to the end of the read-back the job is in its
//! critical section ([`GbaRestoreJob::critical`]). A power cut between the
//! save and its CMAC leaves a slot AGB_FIRM refuses: the journal and the
//! automatic backup are the way back.
//!
//! Memory: the backup's save (at most 128 KiB; a container backup is read
//! whole first, at most 0x400 + 2 × 128 KiB), the title's container (at
//! most 0x400 + 2 × 128 KiB) and its read-back of the same size: under
//! 800 KiB (budget: 1 MiB).

use keepsake_format::gba_vc::{AgbSaveError, GbaBackupSave, SLOT_HEADER_LEN, SlotRewrite};

use crate::jobs::gba_read::{ContainerReader, GBA_BACKUP_FILE};
use crate::jobs::publish::publish_single_file;
use crate::jobs::{JobError, Phase, Progress, READ_CHUNK, Step, auto_backup_name};
use crate::platform::gba_vc::{GbaVcHandle, MAX_CONTAINER_LEN};
use crate::platform::sd::join;
use crate::platform::titles::unique_id;
use crate::platform::{Devices, GbaVcId, MediaType, SdCard};
use crate::store::journal::{self, Journal, JournalFile, JournalSave, Media, Operation};
use crate::store::naming::unique_id_of_folder;
use crate::store::{BackupEntry, StoreError};

/// What a finished restore did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GbaRestoreReport {
    /// The automatic backup of the save as it was.
    pub auto_backup: String,
    /// The backup file restored.
    pub source: String,
    /// Whether the backup file was a whole container (an older dump).
    pub from_container: bool,
    /// Offset of the slot written in the container.
    pub slot_offset: u64,
    /// Bytes of save written.
    pub bytes_written: u64,
}

#[derive(Debug)]
enum State {
    Validate,
    Open,
    ReadContainer(ContainerReader),
    /// Publishing the automatic backup and recording the journal.
    AutoBackup,
    /// Writing the save; `done` bytes so far.
    Write {
        done: usize,
    },
    Cmac,
    Verify,
    Ended,
}

/// Restores a GBA VC backup into a title's save.
#[derive(Debug)]
pub struct GbaRestoreJob {
    id: GbaVcId,
    title_dir: String,
    source: BackupEntry,
    /// The backup's save, once validated.
    save: Vec<u8>,
    /// The title's container as read, then as it must be once written.
    container: Vec<u8>,
    rewrite: Option<SlotRewrite>,
    file: Option<GbaVcHandle>,
    state: State,
    progress: Progress,
    report: GbaRestoreReport,
    journaled: bool,
    auto_name: Option<String>,
    /// See [`GbaRestoreJob::keeping_way_back`].
    way_back: Option<(String, Vec<JournalFile>)>,
}

impl GbaRestoreJob {
    /// Restores the backup folder `backup` into `id`'s save; the automatic
    /// backup goes to `title_dir`.
    pub fn new(id: GbaVcId, title_dir: &str, backup: BackupEntry) -> Self {
        Self {
            id,
            title_dir: title_dir.to_owned(),
            report: GbaRestoreReport {
                auto_backup: String::new(),
                source: backup.path.clone(),
                from_container: false,
                slot_offset: 0,
                bytes_written: 0,
            },
            source: backup,
            save: Vec::new(),
            container: Vec::new(),
            rewrite: None,
            file: None,
            state: State::Validate,
            progress: Progress::start(Phase::Validating, 0, 0),
            journaled: false,
            auto_name: None,
            way_back: None,
        }
    }

    /// Makes the journal of this restore name `journal`'s automatic backup
    /// as the way back: for putting back what an unfinished restore left,
    /// so that a second cut still leads to the save as it first was.
    pub fn keeping_way_back(mut self, journal: &Journal) -> Self {
        self.way_back = Some((journal.automatic_backup.clone(), journal.files.clone()));
        self
    }

    /// Names the automatic backup's folder `name` (see
    /// [`crate::store::free_name`]).
    pub fn with_auto_backup_name(mut self, name: String) -> Self {
        self.auto_name = Some(name);
        self
    }

    /// The save the job works on.
    pub fn id(&self) -> GbaVcId {
        self.id
    }

    /// Progress so far.
    pub fn progress(&self) -> Progress {
        self.progress
    }

    /// The automatic backup, once made (empty before).
    pub fn auto_backup(&self) -> &str {
        &self.report.auto_backup
    }

    /// Whether the journal was recorded, so the save may have changed.
    pub fn may_have_written(&self) -> bool {
        self.journaled
    }

    /// Whether the job is between its first write and the end of its
    /// read-back: nothing may end the app now.
    pub fn critical(&self) -> bool {
        matches!(
            self.state,
            State::Write { .. } | State::Cmac | State::Verify
        )
    }

    /// Whether [`GbaRestoreJob::cancel`] would succeed.
    pub fn can_cancel(&self) -> bool {
        matches!(
            self.state,
            State::Validate | State::Open | State::ReadContainer(_) | State::AutoBackup
        )
    }

    /// Stops the job before the save is touched.
    pub fn cancel(&mut self, devices: &mut Devices<'_>) -> Result<(), JobError> {
        if matches!(self.state, State::Ended) {
            return Err(JobError::Ended);
        }
        if !self.can_cancel() {
            return Err(JobError::NotCancellable);
        }
        self.end(devices);
        Ok(())
    }

    fn end(&mut self, devices: &mut Devices<'_>) {
        if let State::ReadContainer(reader) = std::mem::replace(&mut self.state, State::Ended) {
            devices.gba_vc.close(reader.file);
        }
        if let Some(file) = self.file.take() {
            devices.gba_vc.close(file);
        }
    }

    /// Does one piece of work.
    pub fn step(&mut self, devices: &mut Devices<'_>) -> Result<Step<GbaRestoreReport>, JobError> {
        let result = self.step_inner(devices);
        if !matches!(result, Ok(Step::Working(_))) {
            self.end(devices);
        }
        result
    }

    fn file(&self) -> GbaVcHandle {
        self.file.expect("the save file is open in this state")
    }

    fn rewrite(&self) -> SlotRewrite {
        self.rewrite.expect("planned before writing")
    }

    fn step_inner(
        &mut self,
        devices: &mut Devices<'_>,
    ) -> Result<Step<GbaRestoreReport>, JobError> {
        match &mut self.state {
            State::Ended => return Err(JobError::Ended),
            State::Validate => {
                self.validate(devices.sd)?;
                self.state = State::Open;
            }
            State::Open => {
                let reader = ContainerReader::open(devices.gba_vc, self.id)?;
                self.progress = Progress::start(Phase::Reading, reader.len(), reader.chunks());
                self.state = State::ReadContainer(reader);
            }
            State::ReadContainer(reader) if !reader.finished() => {
                let n = reader.step(devices.gba_vc)?;
                self.progress.advance(n as u64);
            }
            State::ReadContainer(_) => {
                let State::ReadContainer(reader) = std::mem::replace(&mut self.state, State::Ended)
                else {
                    unreachable!("matched above");
                };
                self.file = Some(reader.file);
                // Refused here, before any write: a container never saved
                // (no slot to write into) or a save of another size.
                let rewrite = reader.container()?.rewrite(&self.save)?;
                self.rewrite = Some(rewrite);
                self.report.slot_offset = (rewrite.save_offset() - SLOT_HEADER_LEN) as u64;
                self.container = reader.into_bytes();
                self.progress = Progress::start(Phase::SavingAutoBackup, self.save.len() as u64, 1);
                self.state = State::AutoBackup;
            }
            State::AutoBackup => {
                let rewrite = self.rewrite();
                let current =
                    &self.container[rewrite.save_offset()..rewrite.save_offset() + self.save.len()];
                let name = self
                    .auto_name
                    .clone()
                    .unwrap_or_else(|| auto_backup_name(devices.clock.now()));
                self.report.auto_backup = publish_single_file(
                    devices.sd,
                    &self.title_dir,
                    &name,
                    GBA_BACKUP_FILE,
                    current,
                )?;
                let (automatic_backup, files) = self.way_back.clone().unwrap_or_else(|| {
                    (
                        self.report.auto_backup.clone(),
                        vec![JournalFile::of(GBA_BACKUP_FILE, current)],
                    )
                });
                journal::record(
                    devices.sd,
                    &Journal {
                        operation: Operation::Restore,
                        save: JournalSave::GbaVc {
                            title_id: self.id.title_id,
                            media: match self.id.media {
                                MediaType::Sd => Media::Sd,
                                MediaType::Card => Media::Card,
                                MediaType::Nand => Media::Nand,
                            },
                            name: title_name_of(&self.title_dir),
                        },
                        backup: Some(self.source.path.clone()),
                        automatic_backup,
                        files,
                    },
                )?;
                self.journaled = true;
                self.progress = Progress::start(
                    Phase::Writing,
                    self.save.len() as u64,
                    self.save.len().div_ceil(READ_CHUNK) as u64,
                );
                self.state = State::Write { done: 0 };
            }
            State::Write { done } => {
                let start = *done;
                let end = (start + READ_CHUNK).min(self.save.len());
                let offset = (self.rewrite().save_offset() + start) as u64;
                devices
                    .gba_vc
                    .write_at(self.file(), offset, &self.save[start..end])?;
                self.progress.advance((end - start) as u64);
                self.report.bytes_written = end as u64;
                if end == self.save.len() {
                    self.progress = Progress::start(Phase::Committing, 0, 1);
                    self.state = State::Cmac;
                } else {
                    self.state = State::Write { done: end };
                }
            }
            State::Cmac => {
                let rewrite = self.rewrite();
                // The console signs the slot for itself, which is what makes
                // a backup from another console load (Checkpoint's
                // `calcSlotCmac`).
                let cmac = devices
                    .gba_vc
                    .calc_cmac(self.file(), &rewrite.mac_digest())?;
                devices
                    .gba_vc
                    .write_at(self.file(), rewrite.cmac_offset() as u64, &cmac)?;
                rewrite.apply(&mut self.container, &self.save, cmac);
                self.progress = Progress::start(Phase::Verifying, self.container.len() as u64, 1);
                self.state = State::Verify;
            }
            State::Verify => {
                let mut back = vec![0; self.container.len()];
                devices.gba_vc.read_at(self.file(), 0, &mut back)?;
                if back != self.container {
                    let first = back
                        .iter()
                        .zip(&self.container)
                        .position(|(a, b)| a != b)
                        .unwrap_or(0);
                    return Err(JobError::VerifyFailed {
                        what: format!("the GBA save file at offset {first:#x}"),
                        auto_backup: self.report.auto_backup.clone(),
                    });
                }
                // The save holds the backup, read back whole.
                journal::clear(devices.sd)?;
                self.progress = Progress::start(Phase::Done, 0, 0);
                return Ok(Step::Finished(self.report.clone()));
            }
        }
        Ok(Step::Working(self.progress))
    }

    fn validate(&mut self, sd: &mut dyn SdCard) -> Result<(), JobError> {
        let title_folder = self.source.path.rsplit('/').nth(1).unwrap_or_default();
        let wanted = unique_id(self.id.title_id);
        if unique_id_of_folder(title_folder) != Some(wanted) {
            return Err(StoreError::WrongGame {
                path: self.source.path.clone(),
                backup: title_folder.to_owned(),
                card: format!("title 0x{wanted:05X}"),
            }
            .into());
        }
        let path = backup_file(sd, &self.source.path)?;
        let size = sd
            .list(&self.source.path)?
            .into_iter()
            .find(|entry| join(&self.source.path, &entry.name) == path)
            .map_or(0, |entry| entry.size);
        // Read whole only what can be a GBA save or a container.
        if size > MAX_CONTAINER_LEN as u64 {
            return Err(AgbSaveError::NotAGbaSave { len: size as usize }.into());
        }
        let bytes = sd.read(&path)?;
        let backup = GbaBackupSave::parse(&bytes)?;
        self.save = backup.save().to_vec();
        self.report.source = path;
        self.report.from_container = backup.from_container();
        self.progress = Progress::start(Phase::Validating, bytes.len() as u64, 1);
        self.progress.advance(bytes.len() as u64);
        Ok(())
    }
}

/// The backup's file, as Checkpoint's `io.cpp` `rawBackupFile` finds it:
/// `00000001.sav`, else the folder's only file, else `00000001.sav` (so
/// that the error names the file expected).
fn backup_file(sd: &mut dyn SdCard, folder: &str) -> Result<String, JobError> {
    let canonical = join(folder, GBA_BACKUP_FILE);
    if sd.kind_of(&canonical)? == Some(false) {
        return Ok(canonical);
    }
    let files: Vec<_> = sd
        .list(folder)?
        .into_iter()
        .filter(|entry| !entry.is_dir)
        .collect();
    Ok(match files.as_slice() {
        [only] => join(folder, &only.name),
        _ => canonical,
    })
}

/// The title's name from its backup folder (`0x00300 Game` is `Game`).
fn title_name_of(title_dir: &str) -> String {
    let folder = title_dir.rsplit('/').next().unwrap_or(title_dir);
    match folder.split_once(' ') {
        Some((_, name)) if unique_id_of_folder(folder).is_some() => name.to_owned(),
        _ => folder.to_owned(),
    }
}
