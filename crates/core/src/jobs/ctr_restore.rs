//! Restoring a 3DS save archive from a backup folder, safely:
//!
//! 1. validate: the backup's title folder names this title's unique id
//!    (a DSiWare title's: its game code, the NDS folder naming), and every
//!    file of the backup reads;
//! 2. copy the archive as it is into an automatic backup (each file read
//!    back from the SD card);
//! 3. record the restore journal on the SD card, then clear the archive
//!    (one entry per step), create the backup's folders, write its files —
//!    no cancelling from the clearing on;
//! 4. commit (save data) and put back the secure value kept with the backup,
//!    or delete the title's when the backup kept none (see
//!    [`crate::jobs::secure_value`]); the automatic backup keeps the value
//!    the title had;
//! 5. read the archive back and compare it with the backup, then remove the
//!    journal (a failed read-back leaves it);
//! 6. report exactly what was done.
//!
//! Save data changes become durable only at the commit, so a power cut
//! before it leaves the archive as it was; extdata has no commit, and a
//! commit that does not land whole is what the read-back is for. From the
//! first delete to the end of the read-back the job is in its critical
//! section ([`CtrRestoreJob::critical`]): the console must not hand control
//! to the system until it is over.
//!
//! Every step moves at most one chunk ([`crate::jobs::stream::FILE_CHUNK`])
//! of a file, so the console redraws and shows progress between chunks of
//! a large file; where a file is reached is kept in the state between
//! steps.
//!
//! Memory: no file is held whole. Validation hashes each backup file as it
//! streams past; writing copies it from the SD card into the archive a
//! chunk ([`crate::jobs::stream::FILE_CHUNK`]) at a time; the read-back
//! hashes the archive's file and compares with the validation's hash. The
//! job's heap is one chunk plus the listings and a hash per file, whatever
//! the save's size (budget: 2 MiB, checked by `tests/memory_budget.rs`).

use crate::jobs::archive_clear::{ClearStopped, Clearing};
use crate::jobs::ctr_backup::ArchiveCopier;
use crate::jobs::secure_value::{
    RestoredSecureValue, keep_for_backup, kept_for_restore, settle_after_restore,
};
use crate::jobs::stream::{Hashing, SdToArchive, Source};
use crate::jobs::tree::{Listing, walk_archive, walk_sd};
use crate::jobs::{JobError, Phase, Progress, Step, auto_backup_name};
use crate::platform::sd::join;
use crate::platform::titles::{extdata_id, unique_id};
use crate::platform::{ArchiveHandle, ArchiveId, ArchiveKind, Devices, MediaType};
use crate::store::journal::{self, Fnv1a64, Journal, JournalFile, JournalSave, Operation};
use crate::store::naming::{game_code_of_folder, unique_id_of_folder};
use crate::store::secure_values::{JKSM_SECURE_VALUE_FILE, KeptSecureValue};
use crate::store::{BackupEntry, StoreError};

/// What a finished restore did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CtrRestoreReport {
    /// The automatic backup of the archive as it was.
    pub auto_backup: String,
    /// The backup folder restored.
    pub source: String,
    /// Entries removed from the archive's root before copying.
    pub entries_cleared: u64,
    /// Folders created.
    pub dirs_created: u64,
    /// Files written.
    pub files_written: u64,
    /// Bytes written.
    pub bytes_written: u64,
    /// Whether the archive was committed (save data; extdata has no commit).
    pub committed: bool,
    /// What became of the title's secure value.
    pub secure_value: RestoredSecureValue,
    /// Files read back and compared.
    pub files_verified: u64,
}

#[derive(Debug)]
enum State {
    Validate,
    /// Hashing backup file `next`, once begun.
    ReadBackup {
        next: usize,
        reading: Option<Hashing>,
    },
    OpenArchive,
    /// Copying the archive; the step after the last file publishes the
    /// automatic backup and records the journal.
    AutoBackup(ArchiveCopier),
    /// Emptying the archive, once it was listed.
    Clear(Option<Clearing>),
    /// Writing backup file `next`, once begun.
    Write {
        next: usize,
        copying: Option<SdToArchive>,
    },
    Commit,
    /// Reading archive file `next` back, once begun.
    Verify {
        next: usize,
        reading: Option<Hashing>,
    },
    Ended,
}

/// Restores a backup folder into a 3DS title's save data or extdata.
#[derive(Debug)]
pub struct CtrRestoreJob {
    archive: ArchiveId,
    title_dir: String,
    source: BackupEntry,
    listing: Listing,
    /// Each backup file as validation read it (same order as the listing).
    hashes: Vec<Fnv1a64>,
    handle: Option<ArchiveHandle>,
    state: State,
    progress: Progress,
    report: CtrRestoreReport,
    /// See [`CtrRestoreJob::keeping_way_back`].
    way_back: Option<(String, Vec<JournalFile>)>,
    journaled: bool,
    /// The secure value kept with the backup, read at validation.
    kept_secure_value: Option<KeptSecureValue>,
    /// The automatic backup's folder name when it was fixed beforehand
    /// (see [`Self::with_auto_backup_name`]); the clock's otherwise.
    auto_name: Option<String>,
}

impl CtrRestoreJob {
    /// Restores `backup` into `archive`; the automatic backup goes to
    /// `title_dir`.
    pub fn new(archive: ArchiveId, title_dir: &str, backup: BackupEntry) -> Self {
        Self {
            report: CtrRestoreReport {
                auto_backup: String::new(),
                source: backup.path.clone(),
                entries_cleared: 0,
                dirs_created: 0,
                files_written: 0,
                bytes_written: 0,
                committed: false,
                secure_value: RestoredSecureValue::NotApplicable,
                files_verified: 0,
            },
            archive,
            title_dir: title_dir.to_owned(),
            source: backup,
            listing: Listing::default(),
            hashes: Vec::new(),
            handle: None,
            state: State::Validate,
            progress: Progress::start(Phase::Validating, 0, 1),
            way_back: None,
            journaled: false,
            auto_name: None,
            kept_secure_value: None,
        }
    }

    /// Names the automatic backup's folder `name` (a free name in the
    /// title folder, see [`crate::store::free_name`]), so that the question
    /// before the restore can say where the current save goes.
    pub fn with_auto_backup_name(mut self, name: String) -> Self {
        self.auto_name = Some(name);
        self
    }

    /// Makes the journal of this restore name `journal`'s automatic backup
    /// as the way back: for putting back what an unfinished restore left.
    pub fn keeping_way_back(mut self, journal: &Journal) -> Self {
        self.way_back = Some((journal.automatic_backup.clone(), journal.files.clone()));
        self
    }

    /// Whether the job is between its first change to the archive and the
    /// end of its read-back: nothing may end the app now.
    pub fn critical(&self) -> bool {
        matches!(
            self.state,
            State::Clear(_) | State::Write { .. } | State::Commit | State::Verify { .. }
        )
    }

    /// The archive the job works on.
    pub fn archive(&self) -> ArchiveId {
        self.archive
    }

    /// Progress so far.
    pub fn progress(&self) -> Progress {
        self.progress
    }

    /// The automatic backup, once made (empty before).
    pub fn auto_backup(&self) -> &str {
        &self.report.auto_backup
    }

    /// Whether the journal was recorded, so the save may have changed: a
    /// job that stopped before cannot have written anything.
    pub fn may_have_written(&self) -> bool {
        self.journaled
    }

    /// Whether [`CtrRestoreJob::cancel`] would succeed.
    pub fn can_cancel(&self) -> bool {
        matches!(
            self.state,
            State::Validate | State::ReadBackup { .. } | State::OpenArchive | State::AutoBackup(_)
        )
    }

    /// Stops the job before the archive is touched.
    pub fn cancel(&mut self, devices: &mut Devices<'_>) -> Result<(), JobError> {
        if matches!(self.state, State::Ended) {
            return Err(JobError::Ended);
        }
        if !self.can_cancel() {
            return Err(JobError::NotCancellable);
        }
        if let State::AutoBackup(copier) = std::mem::replace(&mut self.state, State::Ended) {
            copier.writer.abandon(devices.sd)?;
        }
        if let Some(handle) = self.handle.take() {
            devices.archives.close(handle);
        }
        Ok(())
    }

    /// Does one piece of work.
    pub fn step(&mut self, devices: &mut Devices<'_>) -> Result<Step<CtrRestoreReport>, JobError> {
        let result = self.step_inner(devices);
        if !matches!(result, Ok(Step::Working(_))) {
            if let State::AutoBackup(copier) = std::mem::replace(&mut self.state, State::Ended) {
                // Best effort: the error that matters is the step's.
                let _ = copier.writer.abandon(devices.sd);
            }
            if let Some(handle) = self.handle.take() {
                devices.archives.close(handle);
            }
        }
        result
    }

    fn handle(&self) -> ArchiveHandle {
        self.handle.expect("the archive is open in this state")
    }

    fn step_inner(
        &mut self,
        devices: &mut Devices<'_>,
    ) -> Result<Step<CtrRestoreReport>, JobError> {
        match &mut self.state {
            State::Ended => return Err(JobError::Ended),
            State::Validate => {
                self.validate(devices)?;
                self.progress = Progress::start(
                    Phase::Validating,
                    self.listing.bytes(),
                    self.listing.files.len() as u64,
                );
                self.state = State::ReadBackup {
                    next: 0,
                    reading: None,
                };
            }
            State::ReadBackup { next, reading } => {
                if let Some((path, size)) = self.listing.files.get(*next) {
                    let full = join(&self.source.path, path);
                    let moved = reading
                        .get_or_insert_with(|| Hashing::new(Source::Sd(full.clone())))
                        .step(devices)?;
                    self.progress.add_bytes(moved.bytes);
                    if let Some(hash) = moved.done {
                        if hash.len() != *size {
                            return Err(JobError::FileChanged {
                                path: full,
                                listed: *size,
                                found: hash.len(),
                            });
                        }
                        self.progress.finish_item();
                        self.hashes.push(hash);
                        *next += 1;
                        *reading = None;
                    }
                }
                if *next == self.listing.files.len() {
                    self.state = State::OpenArchive;
                }
            }
            State::OpenArchive => {
                let handle = devices.archives.open(self.archive)?;
                self.handle = Some(handle);
                let name = self
                    .auto_name
                    .clone()
                    .unwrap_or_else(|| auto_backup_name(devices.clock.now()));
                let copier = ArchiveCopier::begin(
                    devices.archives,
                    devices.sd,
                    handle,
                    &self.title_dir,
                    &name,
                )?;
                self.progress = Progress::start(
                    Phase::SavingAutoBackup,
                    copier.listing.bytes(),
                    copier.listing.files.len() as u64,
                );
                self.state = State::AutoBackup(copier);
            }
            State::AutoBackup(copier) if !copier.finished() => {
                let handle = self.handle.expect("opened before");
                let (bytes, file_done) = copier.step(devices, handle)?;
                self.progress.add_bytes(bytes);
                if file_done {
                    self.progress.finish_item();
                }
            }
            State::AutoBackup(_) => {
                // A step of its own: the last file's step may have moved a
                // whole chunk already.
                let State::AutoBackup(copier) = std::mem::replace(&mut self.state, State::Ended)
                else {
                    unreachable!("matched above");
                };
                let files = copier.written.clone();
                keep_for_backup(devices, self.archive, copier.writer.destination())?;
                self.report.auto_backup = copier.writer.finish(devices.sd)?;
                let (automatic_backup, files) = self
                    .way_back
                    .clone()
                    .unwrap_or_else(|| (self.report.auto_backup.clone(), files));
                journal::record(
                    devices.sd,
                    &Journal {
                        operation: Operation::Restore,
                        save: JournalSave::of_archive(
                            self.archive,
                            &title_name_of(
                                &self.title_dir,
                                self.archive.kind == ArchiveKind::DsiWareSave,
                            ),
                        ),
                        backup: Some(self.source.path.clone()),
                        automatic_backup,
                        files,
                    },
                )?;
                self.journaled = true;
                // Nothing written yet, out of the backup's files and bytes.
                self.progress = Progress::start(
                    Phase::Writing,
                    self.listing.bytes(),
                    self.listing.files.len() as u64,
                );
                self.state = State::Clear(None);
            }
            State::Clear(clearing) => {
                let handle = self.handle.expect("opened before");
                let auto_backup = &self.report.auto_backup;
                // Extdata file by file, as Checkpoint does (see archive_clear).
                let to_error = |stopped: ClearStopped| JobError::ClearStopped {
                    left: stopped.left_text(),
                    path: stopped.path,
                    reason: stopped.reason,
                    auto_backup: auto_backup.clone(),
                };
                let clearing = match clearing {
                    Some(clearing) => clearing,
                    None => clearing.insert(
                        Clearing::begin(devices.archives, handle, self.archive.kind)
                            .map_err(to_error)?,
                    ),
                };
                if !clearing.finished() {
                    clearing.step(devices.archives, handle).map_err(to_error)?;
                    self.report.entries_cleared += 1;
                }
                if clearing.finished() {
                    for dir in &self.listing.dirs {
                        devices.archives.create_dir(handle, &format!("/{dir}"))?;
                        self.report.dirs_created += 1;
                    }
                    self.state = State::Write {
                        next: 0,
                        copying: None,
                    };
                }
            }
            State::Write { next, copying } => {
                let handle = self.handle.expect("opened before");
                if let Some((path, size)) = self.listing.files.get(*next) {
                    let full = join(&self.source.path, path);
                    let moved = copying
                        .get_or_insert_with(|| {
                            SdToArchive::new(full.clone(), *size, handle, format!("/{path}"))
                        })
                        .step(devices)?;
                    self.progress.add_bytes(moved.bytes);
                    if let Some(written) = moved.done {
                        if written != self.hashes[*next] {
                            // The backup changed since it was validated: what
                            // went in is not the backup that was chosen.
                            return Err(JobError::VerifyFailed {
                                what: full,
                                auto_backup: self.report.auto_backup.clone(),
                            });
                        }
                        self.report.files_written += 1;
                        self.report.bytes_written += written.len();
                        self.progress.finish_item();
                        *next += 1;
                        *copying = None;
                    }
                }
                if *next == self.listing.files.len() {
                    self.progress = Progress::start(Phase::Committing, 0, 1);
                    self.state = State::Commit;
                }
            }
            State::Commit => {
                let handle = self.handle();
                if self.archive.kind == ArchiveKind::SaveData {
                    devices.archives.commit(handle)?;
                    self.report.committed = true;
                    self.report.secure_value =
                        settle_after_restore(devices, self.archive, self.kept_secure_value)?;
                }
                let now = walk_archive(devices.archives, handle)?;
                if now != self.listing {
                    return Err(JobError::VerifyFailed {
                        what: "the archive's file list".into(),
                        auto_backup: self.report.auto_backup.clone(),
                    });
                }
                self.progress = Progress::start(
                    Phase::Verifying,
                    self.listing.bytes(),
                    self.listing.files.len() as u64,
                );
                self.state = State::Verify {
                    next: 0,
                    reading: None,
                };
            }
            State::Verify { next, reading } => {
                let handle = self.handle.expect("opened before");
                if let Some((path, _)) = self.listing.files.get(*next) {
                    let moved = reading
                        .get_or_insert_with(|| {
                            Hashing::new(Source::Archive(handle, format!("/{path}")))
                        })
                        .step(devices)?;
                    self.progress.add_bytes(moved.bytes);
                    if let Some(kept) = moved.done {
                        if kept != self.hashes[*next] {
                            return Err(JobError::VerifyFailed {
                                what: format!("/{path}"),
                                auto_backup: self.report.auto_backup.clone(),
                            });
                        }
                        self.report.files_verified += 1;
                        self.progress.finish_item();
                        *next += 1;
                        *reading = None;
                    }
                }
                if *next == self.listing.files.len() {
                    // The archive holds the backup, read back whole.
                    journal::clear(devices.sd)?;
                    self.progress = Progress::start(Phase::Done, 0, 0);
                    return Ok(Step::Finished(self.report.clone()));
                }
            }
        }
        Ok(Step::Working(self.progress))
    }

    fn validate(&mut self, devices: &mut Devices<'_>) -> Result<(), JobError> {
        if self.archive.media == MediaType::Card {
            let in_slot = devices.card.ctr_title_id()?;
            if in_slot != self.archive.title_id {
                return Err(JobError::CardChanged {
                    expected: format!("title {:016X}", self.archive.title_id),
                });
            }
        }
        let title_folder = self.source.path.rsplit('/').nth(1).unwrap_or_default();
        let wanted = unique_id(self.archive.title_id);
        let folder_id = unique_id_of_folder(title_folder);
        // The versions of a game that share one extdata archive (Pokémon X
        // and Y) restore each other's extdata backups: it is one archive.
        let same_extdata = self.archive.kind == ArchiveKind::ExtData
            && folder_id.is_some_and(|id| {
                extdata_id(u64::from(id) << 8) == extdata_id(self.archive.title_id)
            });
        // Shared and SpotPass extdata are kept in JKSM's folders, named by
        // the id or the title's name rather than Checkpoint's unique id:
        // the backup must be in this very title folder.
        let own_folder = self.title_dir.rsplit('/').next().unwrap_or_default();
        let jksm_folder = matches!(
            self.archive.kind,
            ArchiveKind::SharedExtData | ArchiveKind::BossExtData
        );
        // A DSiWare title's folders are named as an NDS cartridge's
        // (`KGUE FLIPBOOK`), in the configured root or Checkpoint's: the
        // game code says whose they are.
        let dsiware = self.archive.kind == ArchiveKind::DsiWareSave;
        let belongs = if dsiware {
            game_code_of_folder(title_folder)
                .is_some_and(|code| game_code_of_folder(own_folder) == Some(code))
        } else if jksm_folder {
            title_folder == own_folder
                && self
                    .source
                    .path
                    .starts_with(&format!("{}/", self.title_dir))
        } else {
            folder_id == Some(wanted) || same_extdata
        };
        if !belongs {
            return Err(StoreError::WrongGame {
                path: self.source.path.clone(),
                backup: title_folder.to_owned(),
                card: if jksm_folder || dsiware {
                    self.archive.to_string()
                } else {
                    format!("title 0x{wanted:05X}")
                },
            }
            .into());
        }
        self.listing = walk_sd(devices.sd, &self.source.path)?;
        // JKSM keeps the secure value in the backup folder; it is not a
        // file of the save.
        self.listing
            .files
            .retain(|(path, _)| path != JKSM_SECURE_VALUE_FILE);
        self.kept_secure_value = kept_for_restore(devices, self.archive, &self.source.path)?;
        Ok(())
    }
}

/// The title's name from its backup folder (`0x00300 Game` is `Game`, a
/// DSiWare title's `KGUE GAME` is `GAME`; a folder without the prefix is
/// its whole name).
fn title_name_of(title_dir: &str, dsiware: bool) -> String {
    let folder = title_dir.rsplit('/').next().unwrap_or(title_dir);
    let prefixed = if dsiware {
        game_code_of_folder(folder).is_some()
    } else {
        unique_id_of_folder(folder).is_some()
    };
    match folder.split_once(' ') {
        Some((_, name)) if prefixed => name.to_owned(),
        _ => folder.to_owned(),
    }
}
