//! Comparing a 3DS save archive with a backup folder, without writing.
//!
//! Files are compared a chunk of [`crate::jobs::stream::FILE_CHUNK`] from
//! each side per step, so the console redraws between chunks of a large
//! file. Memory: the job's heap is two chunks plus the listings, whatever
//! the save's size (budget: 2 MiB, checked by `tests/memory_budget.rs`).

use crate::jobs::stream::{Comparing, Source};
use crate::jobs::tree::{walk_archive, walk_sd};
use crate::jobs::{JobError, Phase, Progress, Step};
use crate::platform::sd::join;
use crate::platform::{ArchiveHandle, ArchiveId, Devices};
use crate::store::BackupEntry;

/// What a verification found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CtrVerifyReport {
    /// Files present on both sides and compared.
    pub files_compared: u64,
    /// Files whose contents differ.
    pub differing: Vec<String>,
    /// Files only the backup has.
    pub only_in_backup: Vec<String>,
    /// Files only the archive has.
    pub only_in_archive: Vec<String>,
}

impl CtrVerifyReport {
    /// Whether the archive holds exactly the backup.
    pub fn identical(&self) -> bool {
        self.differing.is_empty()
            && self.only_in_backup.is_empty()
            && self.only_in_archive.is_empty()
    }
}

#[derive(Debug)]
enum State {
    Start,
    Compare {
        handle: ArchiveHandle,
        common: Vec<String>,
        next: usize,
        /// File `next`, once begun.
        comparing: Option<Comparing>,
    },
    Ended,
}

/// Compares a title's archive with a backup folder.
#[derive(Debug)]
pub struct CtrVerifyJob {
    archive: ArchiveId,
    backup: BackupEntry,
    state: State,
    progress: Progress,
    report: CtrVerifyReport,
}

impl CtrVerifyJob {
    /// Compares `archive` with `backup`.
    pub fn new(archive: ArchiveId, backup: BackupEntry) -> Self {
        Self {
            archive,
            backup,
            state: State::Start,
            progress: Progress::start(Phase::Validating, 0, 1),
            report: CtrVerifyReport::default(),
        }
    }

    /// Progress so far.
    pub fn progress(&self) -> Progress {
        self.progress
    }

    /// Stops the job (it never writes).
    pub fn cancel(&mut self, devices: &mut Devices<'_>) -> Result<(), JobError> {
        match std::mem::replace(&mut self.state, State::Ended) {
            State::Ended => Err(JobError::Ended),
            State::Start => Ok(()),
            State::Compare { handle, .. } => {
                devices.archives.close(handle);
                Ok(())
            }
        }
    }

    /// Lists both sides, then compares one chunk of each per step.
    pub fn step(&mut self, devices: &mut Devices<'_>) -> Result<Step<CtrVerifyReport>, JobError> {
        let result = self.step_inner(devices);
        if !matches!(result, Ok(Step::Working(_))) {
            if let State::Compare { handle, .. } = std::mem::replace(&mut self.state, State::Ended)
            {
                devices.archives.close(handle);
            }
        }
        result
    }

    fn step_inner(&mut self, devices: &mut Devices<'_>) -> Result<Step<CtrVerifyReport>, JobError> {
        match &mut self.state {
            State::Ended => return Err(JobError::Ended),
            State::Start => {
                let saved = walk_sd(devices.sd, &self.backup.path)?;
                let handle = devices.archives.open(self.archive)?;
                let live = match walk_archive(devices.archives, handle) {
                    Ok(live) => live,
                    Err(e) => {
                        devices.archives.close(handle);
                        return Err(e.into());
                    }
                };
                let in_live = |p: &String| live.files.iter().any(|(q, _)| q == p);
                let in_saved = |p: &String| saved.files.iter().any(|(q, _)| q == p);
                let mut common = Vec::new();
                for (path, _) in &saved.files {
                    if in_live(path) {
                        common.push(path.clone());
                    } else {
                        self.report.only_in_backup.push(path.clone());
                    }
                }
                for (path, _) in &live.files {
                    if !in_saved(path) {
                        self.report.only_in_archive.push(path.clone());
                    }
                }
                self.progress =
                    Progress::start(Phase::Verifying, saved.bytes(), common.len() as u64);
                self.state = State::Compare {
                    handle,
                    common,
                    next: 0,
                    comparing: None,
                };
            }
            State::Compare {
                handle,
                common,
                next,
                comparing,
            } => {
                if let Some(path) = common.get(*next) {
                    let moved = comparing
                        .get_or_insert_with(|| {
                            Comparing::new(
                                Source::Sd(join(&self.backup.path, path)),
                                Source::Archive(*handle, format!("/{path}")),
                            )
                        })
                        .step(devices)?;
                    self.progress.add_bytes(moved.bytes);
                    if let Some(same) = moved.done {
                        if !same {
                            self.report.differing.push(path.clone());
                        }
                        self.report.files_compared += 1;
                        self.progress.finish_item();
                        *next += 1;
                        *comparing = None;
                    }
                }
                if *next == common.len() {
                    self.progress = Progress::start(Phase::Done, 0, 0);
                    return Ok(Step::Finished(self.report.clone()));
                }
            }
        }
        Ok(Step::Working(self.progress))
    }
}
