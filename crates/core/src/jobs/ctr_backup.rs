//! Backing up a 3DS save archive (save data or extdata): its file tree,
//! one file per step, into a new backup folder.

use crate::jobs::tree::{Listing, walk_archive};
use crate::jobs::{JobError, Phase, Progress, Step};
use crate::platform::{ArchiveHandle, ArchiveId, Devices, SaveArchives, SdCard};
use crate::store::BackupWriter;
use crate::store::journal::JournalFile;

/// What a finished backup did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CtrBackupReport {
    /// The new backup folder.
    pub folder: String,
    /// Files copied.
    pub files: u64,
    /// Bytes copied.
    pub bytes: u64,
}

/// Copies an open archive into a staged backup, one file per call.
#[derive(Debug)]
pub(crate) struct ArchiveCopier {
    pub(crate) listing: Listing,
    pub(crate) writer: BackupWriter,
    /// Every file copied so far, with its checksum (for the journal).
    pub(crate) written: Vec<JournalFile>,
    next: usize,
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
        })
    }

    /// Copies the next file and reads it back from the SD card; returns
    /// its size.
    pub(crate) fn step(
        &mut self,
        archives: &mut dyn SaveArchives,
        sd: &mut dyn SdCard,
        handle: ArchiveHandle,
    ) -> Result<u64, JobError> {
        let (path, _) = &self.listing.files[self.next];
        let bytes = archives.read_file(handle, &format!("/{path}"))?;
        self.writer.write_file(sd, path, &bytes)?;
        if self.writer.read_file(sd, path)? != bytes {
            return Err(JobError::BackupNotKept { file: path.clone() });
        }
        self.written.push(JournalFile::of(path, &bytes));
        self.next += 1;
        Ok(bytes.len() as u64)
    }

    pub(crate) fn finished(&self) -> bool {
        self.next == self.listing.files.len()
    }
}

#[derive(Debug)]
enum State {
    Start,
    Copy(ArchiveHandle, ArchiveCopier),
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

    /// Opens and lists the archive, then copies one file per step.
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
                self.state = State::Copy(handle, copier);
            }
            State::Copy(handle, copier) => {
                if !copier.finished() {
                    let n = copier.step(devices.archives, devices.sd, *handle)?;
                    self.progress.advance(n);
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
                    let folder = copier.writer.finish(devices.sd)?;
                    self.progress = Progress::start(Phase::Done, 0, 0);
                    return Ok(Step::Finished(CtrBackupReport {
                        folder,
                        files,
                        bytes,
                    }));
                }
            }
        }
        Ok(Step::Working(self.progress))
    }
}
