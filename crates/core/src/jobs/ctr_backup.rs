//! Backing up a 3DS save archive (save data or extdata): its file tree,
//! one chunk per step, into a new backup folder.
//!
//! Each file is copied a chunk ([`FILE_CHUNK`]) per step, then read back
//! from the SD card a chunk per step and compared by hash with what was
//! copied. No step moves more than one chunk through the SD card, writing
//! and reading together, so a file of up to half a chunk is copied and read
//! back in one step. A 128 MiB extdata file takes about a thousand steps,
//! each of which the console follows with a redraw.
//!
//! Save data on the SD card keeps the title's secure value beside the
//! backup (see [`crate::jobs::secure_value`]), read just before the backup
//! is published.
//!
//! Memory: the job's heap is one chunk plus the listing, whatever the
//! save's size (budget: 2 MiB, checked by `tests/memory_budget.rs`).

use crate::jobs::secure_value::{BackupSecureValue, keep_for_backup};
use crate::jobs::stream::{ArchiveToSd, FILE_CHUNK, Hashing, Source};
use crate::jobs::tree::{Listing, walk_archive};
use crate::jobs::{JobError, Phase, Progress, Step};
use crate::platform::{ArchiveHandle, ArchiveId, Devices, SaveArchives, SdCard};
use crate::store::BackupWriter;
use crate::store::journal::{Fnv1a64, JournalFile};

/// What a finished backup did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CtrBackupReport {
    /// The new backup folder.
    pub folder: String,
    /// Files copied.
    pub files: u64,
    /// Bytes copied.
    pub bytes: u64,
    /// Whether the title's secure value was kept with the backup.
    pub secure_value: BackupSecureValue,
}

/// Where the file being copied is.
#[derive(Debug)]
enum FileStage {
    Copying(ArchiveToSd),
    /// Reading the SD copy back, to compare with the hash of what was
    /// copied.
    ReadingBack {
        reading: Hashing,
        copied: Fnv1a64,
    },
}

/// Copies an open archive into a staged backup, one chunk per call.
#[derive(Debug)]
pub(crate) struct ArchiveCopier {
    pub(crate) listing: Listing,
    pub(crate) writer: BackupWriter,
    /// Every file copied so far, with its checksum (for the journal).
    pub(crate) written: Vec<JournalFile>,
    next: usize,
    /// The file `next`, once begun.
    stage: Option<FileStage>,
}

impl ArchiveCopier {
    /// Lists the archive and prepares the backup's folders.
    pub(crate) fn begin(
        archives: &mut dyn SaveArchives,
        sd: &mut dyn SdCard,
        handle: ArchiveHandle,
        title_dir: &str,
        name: &str,
    ) -> Result<Self, JobError> {
        let listing = walk_archive(archives, handle)?;
        let writer = BackupWriter::begin(sd, title_dir, name)?;
        for dir in &listing.dirs {
            writer.create_dir(sd, dir)?;
        }
        Ok(Self {
            listing,
            writer,
            written: Vec::new(),
            next: 0,
            stage: None,
        })
    }

    /// Copies the next chunk of the current file, or reads the next chunk
    /// of its copy back from the SD card; returns the bytes copied (read-
    /// back bytes are not counted: the progress is of bytes written) and
    /// whether the file is now copied and read back.
    pub(crate) fn step(
        &mut self,
        devices: &mut Devices<'_>,
        handle: ArchiveHandle,
    ) -> Result<(u64, bool), JobError> {
        let (path, _) = &self.listing.files[self.next];
        let staged = self.writer.staged_path(path);
        let stage = self.stage.take().unwrap_or_else(|| {
            FileStage::Copying(ArchiveToSd::new(handle, format!("/{path}"), staged.clone()))
        });
        // (An error ends the job, so a stage taken out need not go back.)
        let (mut reading, copied, copied_now) = match stage {
            FileStage::Copying(mut copy) => {
                let moved = copy.step(devices)?;
                let Some(copied) = moved.done else {
                    self.stage = Some(FileStage::Copying(copy));
                    return Ok((moved.bytes, false));
                };
                // The copy's buffer goes before the read-back's is made.
                drop(copy);
                let reading = Hashing::expecting(Source::Sd(staged), copied.len());
                // The read-back shares this step only if the SD card's
                // traffic stays within one chunk: what was just written,
                // plus the whole copy read back and the one byte past its
                // end that would show a longer file.
                if moved.bytes + copied.len() + 1 > FILE_CHUNK as u64 {
                    self.stage = Some(FileStage::ReadingBack { reading, copied });
                    return Ok((moved.bytes, false));
                }
                (reading, copied, moved.bytes)
            }
            FileStage::ReadingBack { reading, copied } => (reading, copied, 0),
        };
        let Some(kept) = reading.step(devices)?.done else {
            self.stage = Some(FileStage::ReadingBack { reading, copied });
            return Ok((copied_now, false));
        };
        if kept != copied {
            return Err(JobError::BackupNotKept { file: path.clone() });
        }
        self.written.push(copied.entry(path));
        self.next += 1;
        Ok((copied_now, true))
    }

    pub(crate) fn finished(&self) -> bool {
        self.next == self.listing.files.len()
    }
}

#[derive(Debug)]
enum State {
    Start,
    Copy(ArchiveHandle, Box<ArchiveCopier>),
    Ended,
}

/// Backs up a 3DS title's save data or extdata.
#[derive(Debug)]
pub struct CtrBackupJob {
    archive: ArchiveId,
    title_dir: String,
    name: String,
    state: State,
    progress: Progress,
}

impl CtrBackupJob {
    /// A backup of `archive` named `name` in `title_dir`.
    pub fn new(archive: ArchiveId, title_dir: &str, name: &str) -> Self {
        Self {
            archive,
            title_dir: title_dir.to_owned(),
            name: name.to_owned(),
            state: State::Start,
            progress: Progress::start(Phase::Reading, 0, 0),
        }
    }

    /// The archive the job works on.
    pub fn archive(&self) -> ArchiveId {
        self.archive
    }

    /// Progress so far.
    pub fn progress(&self) -> Progress {
        self.progress
    }

    /// Stops the backup and drops what it copied so far.
    pub fn cancel(&mut self, devices: &mut Devices<'_>) -> Result<(), JobError> {
        match std::mem::replace(&mut self.state, State::Ended) {
            State::Ended => Err(JobError::Ended),
            State::Start => Ok(()),
            State::Copy(handle, copier) => {
                devices.archives.close(handle);
                copier.writer.abandon(devices.sd)?;
                Ok(())
            }
        }
    }

    /// Opens and lists the archive, then copies one chunk per step.
    pub fn step(&mut self, devices: &mut Devices<'_>) -> Result<Step<CtrBackupReport>, JobError> {
        let result = self.step_inner(devices);
        if !matches!(result, Ok(Step::Working(_))) {
            if let State::Copy(handle, copier) = std::mem::replace(&mut self.state, State::Ended) {
                devices.archives.close(handle);
                // Best effort: the error that matters is the step's.
                let _ = copier.writer.abandon(devices.sd);
            }
        }
        result
    }

    fn step_inner(&mut self, devices: &mut Devices<'_>) -> Result<Step<CtrBackupReport>, JobError> {
        match &mut self.state {
            State::Ended => return Err(JobError::Ended),
            State::Start => {
                let handle = devices.archives.open(self.archive)?;
                let copier = match ArchiveCopier::begin(
                    devices.archives,
                    devices.sd,
                    handle,
                    &self.title_dir,
                    &self.name,
                ) {
                    Ok(copier) => copier,
                    Err(e) => {
                        devices.archives.close(handle);
                        return Err(e);
                    }
                };
                self.progress = Progress::start(
                    Phase::WritingBackup,
                    copier.listing.bytes(),
                    copier.listing.files.len() as u64,
                );
                self.state = State::Copy(handle, Box::new(copier));
            }
            State::Copy(handle, copier) => {
                if !copier.finished() {
                    let (bytes, file_done) = copier.step(devices, *handle)?;
                    self.progress.add_bytes(bytes);
                    if file_done {
                        self.progress.finish_item();
                    }
                }
                if copier.finished() {
                    let State::Copy(handle, copier) =
                        std::mem::replace(&mut self.state, State::Ended)
                    else {
                        unreachable!("matched above");
                    };
                    devices.archives.close(handle);
                    let files = copier.listing.files.len() as u64;
                    let bytes = self.progress.bytes_done;
                    let secure_value =
                        match keep_for_backup(devices, self.archive, copier.writer.destination()) {
                            Ok(secure_value) => secure_value,
                            Err(e) => {
                                let _ = copier.writer.abandon(devices.sd);
                                return Err(e);
                            }
                        };
                    let folder = copier.writer.finish(devices.sd)?;
                    self.progress = Progress::start(Phase::Done, 0, 0);
                    return Ok(Step::Finished(CtrBackupReport {
                        folder,
                        files,
                        bytes,
                        secure_value,
                    }));
                }
            }
        }
        Ok(Step::Working(self.progress))
    }
}
