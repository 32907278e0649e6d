//! Backing up a GBA Virtual Console save: the current slot's bare save out
//! of the title's AGBSAVE container into a new backup folder as
//! `00000001.sav`, as Checkpoint 4+ writes it (`io.cpp`, `gbasave.cpp`
//! `GbaSave::backup`), so either app restores the other's backups.
//!
//! Steps: open the file and read the container a chunk
//! ([`READ_CHUNK`](crate::jobs::READ_CHUNK))
//! per step; then, in one step, find the current slot (a container never
//! saved is refused: there is nothing to back up), write the save and read
//! it back from the SD card before the folder is published. The save is at
//! most 128 KiB, so that step moves at most 256 KiB through the SD card,
//! one `FILE_CHUNK`.
//!
//! Memory: the container read whole, at most 0x400 + 2 × 128 KiB (the two
//! slots of the largest GBA save), plus a 64 KiB read-back buffer: under
//! 512 KiB (budget: 1 MiB).

use crate::jobs::gba_read::{ContainerReader, GBA_BACKUP_FILE};
use crate::jobs::publish::publish_single_file;
use crate::jobs::{JobError, Phase, Progress, Step};
use crate::platform::{Devices, GbaVcId};

/// What a finished backup did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GbaBackupReport {
    /// The new backup folder.
    pub folder: String,
    /// Size of the save backed up.
    pub bytes: u64,
    /// How many times the game had saved into the slot backed up.
    pub times_saved: u32,
}

#[derive(Debug)]
enum State {
    Start,
    Reading(ContainerReader),
    Ended,
}

/// Backs up a GBA VC title's save.
#[derive(Debug)]
pub struct GbaBackupJob {
    id: GbaVcId,
    title_dir: String,
    name: String,
    state: State,
    progress: Progress,
}

impl GbaBackupJob {
    /// A backup of `id`'s save named `name` in `title_dir`.
    pub fn new(id: GbaVcId, title_dir: &str, name: &str) -> Self {
        Self {
            id,
            title_dir: title_dir.to_owned(),
            name: name.to_owned(),
            state: State::Start,
            progress: Progress::start(Phase::Reading, 0, 0),
        }
    }

    /// The save the job works on.
    pub fn id(&self) -> GbaVcId {
        self.id
    }

    /// Progress so far.
    pub fn progress(&self) -> Progress {
        self.progress
    }

    /// Stops the backup; nothing was written before its last step.
    pub fn cancel(&mut self, devices: &mut Devices<'_>) -> Result<(), JobError> {
        match std::mem::replace(&mut self.state, State::Ended) {
            State::Ended => Err(JobError::Ended),
            State::Start => Ok(()),
            State::Reading(reader) => {
                devices.gba_vc.close(reader.file);
                Ok(())
            }
        }
    }

    /// Opens the save file, then reads one chunk per step; the last step
    /// writes the backup.
    pub fn step(&mut self, devices: &mut Devices<'_>) -> Result<Step<GbaBackupReport>, JobError> {
        let result = self.step_inner(devices);
        if !matches!(result, Ok(Step::Working(_))) {
            if let State::Reading(reader) = std::mem::replace(&mut self.state, State::Ended) {
                devices.gba_vc.close(reader.file);
            }
        }
        result
    }

    fn step_inner(&mut self, devices: &mut Devices<'_>) -> Result<Step<GbaBackupReport>, JobError> {
        match &mut self.state {
            State::Ended => return Err(JobError::Ended),
            State::Start => {
                let reader = ContainerReader::open(devices.gba_vc, self.id)?;
                self.progress = Progress::start(Phase::Reading, reader.len(), reader.chunks());
                self.state = State::Reading(reader);
            }
            State::Reading(reader) if !reader.finished() => {
                let n = reader.step(devices.gba_vc)?;
                self.progress.advance(n as u64);
            }
            State::Reading(_) => {
                let State::Reading(reader) = std::mem::replace(&mut self.state, State::Ended)
                else {
                    unreachable!("matched above");
                };
                devices.gba_vc.close(reader.file);
                let container = reader.container()?;
                let slot = container.current();
                let folder = publish_single_file(
                    devices.sd,
                    &self.title_dir,
                    &self.name,
                    GBA_BACKUP_FILE,
                    slot.save(),
                )?;
                let report = GbaBackupReport {
                    folder,
                    bytes: slot.save().len() as u64,
                    times_saved: slot.header().times_saved(),
                };
                self.progress = Progress::start(Phase::Done, 0, 0);
                return Ok(Step::Finished(report));
            }
        }
        Ok(Step::Working(self.progress))
    }
}
