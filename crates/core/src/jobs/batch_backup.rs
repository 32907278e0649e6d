//! Backing up several titles in one job: the titles' own backup jobs
//! ([`NdsBackupJob`], [`CtrBackupJob`], [`GbaBackupJob`]) run one after another, each named
//! by the clock when it starts (so each title gets its dated folder, as a
//! single backup would), each step one step of the title in progress.
//!
//! One title's failure (a save never made, a GBA game never saved or
//! GBA saves out of reach, an archive that cannot be opened, the cartridge pulled, the SD card full) is recorded and the next
//! title starts. A cartridge title first checks that the slot still holds
//! the card it was chosen with, so another game's save is never filed
//! under its name.
//!
//! Cancelling keeps the backups already made and drops the one in
//! progress, as cancelling a single backup does; the next step reports.
//!
//! Memory: one title's job at a time, created when its turn comes, so the
//! budget is the largest single job's (an NDS chip's size + 1 MiB).

use crate::jobs::nds_restore::check_same_card;
use crate::jobs::{
    CtrBackupJob, CtrBackupReport, GbaBackupJob, GbaBackupReport, JobError, NdsBackupJob,
    NdsBackupReport, Phase, Progress, Step,
};
use crate::nds_card::InsertedNds;
use crate::platform::{ArchiveId, Devices, GbaVcId, MediaType};
use crate::store::naming::backup_folder_name;

/// One title to back up, and where its backups go.
#[derive(Debug, Clone)]
pub enum BatchTarget {
    /// The NDS cartridge in the slot, as identified when it was chosen.
    Nds {
        card: InsertedNds,
        title_dir: String,
    },
    /// A 3DS title's save archive (on the SD card or the cartridge).
    Ctr {
        archive: ArchiveId,
        title_dir: String,
    },
    /// A GBA Virtual Console title's save.
    GbaVc { id: GbaVcId, title_dir: String },
}

/// How one title of the batch ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TitleResult {
    Nds(NdsBackupReport),
    Ctr(CtrBackupReport),
    GbaVc(GbaBackupReport),
    /// It failed; the others went on.
    Failed(JobError),
    /// It was in progress when the batch was cancelled; what it had
    /// copied was dropped.
    Cancelled,
    /// The batch was cancelled before its turn.
    NotStarted,
}

impl TitleResult {
    /// The folder of the backup made, if one was.
    pub fn folder(&self) -> Option<&str> {
        match self {
            TitleResult::Nds(report) => Some(&report.folder),
            TitleResult::Ctr(report) => Some(&report.folder),
            TitleResult::GbaVc(report) => Some(&report.folder),
            _ => None,
        }
    }
}

/// What a finished (or cancelled) batch did: one result per target, in
/// the order they were given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchBackupReport {
    pub titles: Vec<TitleResult>,
    pub cancelled: bool,
}

#[derive(Debug)]
enum Running {
    Nds(NdsBackupJob),
    Ctr(CtrBackupJob),
    GbaVc(GbaBackupJob),
}

/// Backs up several titles, one after another.
#[derive(Debug)]
pub struct BatchBackupJob {
    targets: Vec<BatchTarget>,
    results: Vec<TitleResult>,
    running: Option<Running>,
    cancelled: bool,
    ended: bool,
}

impl BatchBackupJob {
    /// A batch over `targets`, backed up in this order.
    pub fn new(targets: Vec<BatchTarget>) -> Self {
        Self {
            targets,
            results: Vec::new(),
            running: None,
            cancelled: false,
            ended: false,
        }
    }

    /// The title in progress (or next) and how many there are: `(index,
    /// count)`, the index counting from 0.
    pub fn position(&self) -> (usize, usize) {
        (
            self.results.len().min(self.targets.len().saturating_sub(1)),
            self.targets.len(),
        )
    }

    /// Stops after dropping the title in progress; the next step reports
    /// what was made before it.
    pub fn cancel(&mut self, devices: &mut Devices<'_>) -> Result<(), JobError> {
        if self.ended || self.cancelled {
            return Err(JobError::Ended);
        }
        if let Some(running) = self.running.take() {
            // A title that already ended has nothing left to drop.
            let _ = match running {
                Running::Nds(mut job) => job.cancel(devices),
                Running::Ctr(mut job) => job.cancel(devices),
                Running::GbaVc(mut job) => job.cancel(devices),
            };
            self.results.push(TitleResult::Cancelled);
        }
        self.cancelled = true;
        Ok(())
    }

    /// Starts the next title, or does one step of the one in progress.
    /// Reports the progress of the title in progress.
    pub fn step(&mut self, devices: &mut Devices<'_>) -> Result<Step<BatchBackupReport>, JobError> {
        if self.ended {
            return Err(JobError::Ended);
        }
        if self.cancelled || self.results.len() == self.targets.len() {
            return Ok(Step::Finished(self.finish()));
        }
        let Some(running) = &mut self.running else {
            let index = self.results.len();
            match start(&self.targets[index], devices) {
                Ok(job) => self.running = Some(job),
                Err(e) => self.results.push(TitleResult::Failed(e)),
            }
            return Ok(Step::Working(Progress::start(Phase::Reading, 0, 0)));
        };
        let ended = match running {
            Running::Nds(job) => match job.step(devices) {
                Ok(Step::Working(progress)) => return Ok(Step::Working(progress)),
                Ok(Step::Finished(report)) => TitleResult::Nds(report),
                Err(e) => TitleResult::Failed(e),
            },
            Running::Ctr(job) => match job.step(devices) {
                Ok(Step::Working(progress)) => return Ok(Step::Working(progress)),
                Ok(Step::Finished(report)) => TitleResult::Ctr(report),
                Err(e) => TitleResult::Failed(e),
            },
            Running::GbaVc(job) => match job.step(devices) {
                Ok(Step::Working(progress)) => return Ok(Step::Working(progress)),
                Ok(Step::Finished(report)) => TitleResult::GbaVc(report),
                Err(e) => TitleResult::Failed(e),
            },
        };
        self.running = None;
        self.results.push(ended);
        Ok(Step::Working(Progress::start(Phase::Done, 0, 0)))
    }

    fn finish(&mut self) -> BatchBackupReport {
        self.ended = true;
        let mut titles = std::mem::take(&mut self.results);
        titles.resize(self.targets.len(), TitleResult::NotStarted);
        BatchBackupReport {
            titles,
            cancelled: self.cancelled,
        }
    }
}

/// The job of one title, named by the clock now; a cartridge title only
/// when its card is still the one in the slot.
fn start(target: &BatchTarget, devices: &mut Devices<'_>) -> Result<Running, JobError> {
    let name = backup_folder_name(devices.clock.now());
    match target {
        BatchTarget::Nds { card, title_dir } => {
            check_same_card(card, devices)?;
            Ok(Running::Nds(NdsBackupJob::new(
                card.detection.chip,
                &card.header_title,
                title_dir,
                &name,
            )))
        }
        BatchTarget::Ctr { archive, title_dir } => {
            if archive.media == MediaType::Card {
                let in_slot = devices.card.ctr_title_id()?;
                if in_slot != archive.title_id {
                    return Err(JobError::CardChanged {
                        expected: format!("title {:016X}", archive.title_id),
                    });
                }
            }
            Ok(Running::Ctr(CtrBackupJob::new(*archive, title_dir, &name)))
        }
        BatchTarget::GbaVc { id, title_dir } => {
            Ok(Running::GbaVc(GbaBackupJob::new(*id, title_dir, &name)))
        }
    }
}

#[cfg(test)]
#[path = "batch_backup_tests.rs"]
mod tests;
