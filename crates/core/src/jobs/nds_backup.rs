//! Backing up an NDS save chip: read it in chunks, then write one raw
//! `<header title>.sav` of the whole chip into a new backup folder, a chunk
//! per step, and read it back (see [`crate::jobs::publish`]).
//!
//! Memory: the chip's image, read into one buffer of the chip's size, and
//! a chunk for reading the file back by hash: within an NDS job's budget of
//! the chip's size + 1 MiB (checked by `tests/memory_budget.rs`).

use crate::jobs::publish::Publishing;
use crate::jobs::{JobError, Phase, Progress, READ_CHUNK, Step};
use crate::nds_card::SaveChip;
use crate::platform::{Devices, SpiBus};
use crate::store::naming::nds_save_file_name;

/// Reads a whole chip, one chunk per call.
#[derive(Debug, Clone)]
pub(crate) struct ChipReader {
    image: Vec<u8>,
    done: usize,
}

impl ChipReader {
    pub(crate) fn new(chip: &SaveChip) -> Self {
        Self {
            image: vec![0; chip.capacity()],
            done: 0,
        }
    }

    pub(crate) fn chunks(&self) -> u64 {
        self.image.len().div_ceil(READ_CHUNK) as u64
    }

    /// Reads the next chunk; returns its length.
    pub(crate) fn step(
        &mut self,
        chip: &SaveChip,
        spi: &mut dyn SpiBus,
    ) -> Result<usize, JobError> {
        let end = (self.done + READ_CHUNK).min(self.image.len());
        chip.read(spi, self.done, &mut self.image[self.done..end])?;
        let n = end - self.done;
        self.done = end;
        Ok(n)
    }

    pub(crate) fn finished(&self) -> bool {
        self.done == self.image.len()
    }

    pub(crate) fn image(&self) -> &[u8] {
        &self.image
    }
}

/// Reads a whole chip a chunk at a time into one reused buffer, for
/// comparing without holding a second copy of the chip.
#[derive(Debug, Clone)]
pub(crate) struct ChipStream {
    buffer: Vec<u8>,
    done: usize,
    capacity: usize,
}

impl ChipStream {
    pub(crate) fn new(chip: &SaveChip) -> Self {
        Self {
            buffer: vec![0; READ_CHUNK.min(chip.capacity())],
            done: 0,
            capacity: chip.capacity(),
        }
    }

    pub(crate) fn chunks(&self) -> u64 {
        self.capacity.div_ceil(READ_CHUNK) as u64
    }

    /// Reads the next chunk; returns its offset and bytes.
    pub(crate) fn step(
        &mut self,
        chip: &SaveChip,
        spi: &mut dyn SpiBus,
    ) -> Result<(usize, &[u8]), JobError> {
        let start = self.done;
        let n = READ_CHUNK.min(self.capacity - start);
        chip.read(spi, start, &mut self.buffer[..n])?;
        self.done += n;
        Ok((start, &self.buffer[..n]))
    }

    pub(crate) fn finished(&self) -> bool {
        self.done == self.capacity
    }
}

/// What a finished backup did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NdsBackupReport {
    /// The new backup folder.
    pub folder: String,
    /// Bytes saved (the chip's capacity).
    pub bytes: u64,
}

#[derive(Debug)]
enum State {
    Reading(ChipReader),
    /// The chip is read; its image goes to the SD card a chunk a step.
    Publishing(ChipReader, Publishing),
    Ended,
}

/// Backs up an NDS card's save.
#[derive(Debug)]
pub struct NdsBackupJob {
    chip: SaveChip,
    header_title: String,
    title_dir: String,
    name: String,
    state: State,
    progress: Progress,
}

impl NdsBackupJob {
    /// A backup of `chip` named `name` in `title_dir` (see
    /// [`crate::store::title_dir`]).
    pub fn new(chip: SaveChip, header_title: &str, title_dir: &str, name: &str) -> Self {
        let reader = ChipReader::new(&chip);
        let progress = Progress::start(Phase::Reading, chip.capacity() as u64, reader.chunks());
        Self {
            chip,
            header_title: header_title.to_owned(),
            title_dir: title_dir.to_owned(),
            name: name.to_owned(),
            state: State::Reading(reader),
            progress,
        }
    }

    /// Progress so far.
    pub fn progress(&self) -> Progress {
        self.progress
    }

    /// A backup can always be cancelled: nothing is on the SD card until
    /// its last step.
    pub fn cancel(&mut self, devices: &mut Devices<'_>) -> Result<(), JobError> {
        match std::mem::replace(&mut self.state, State::Ended) {
            State::Ended => Err(JobError::Ended),
            State::Reading(_) => Ok(()),
            // Staged, not yet in place: the staging folder goes.
            State::Publishing(_, publishing) => publishing.abandon(devices.sd),
        }
    }

    /// Reads one chunk; once the chip is read, writes the backup and reads
    /// it back a chunk per step.
    pub fn step(&mut self, devices: &mut Devices<'_>) -> Result<Step<NdsBackupReport>, JobError> {
        let result = self.advance(devices);
        if result.is_err() {
            // A failed publication has already dropped its staging folder.
            self.state = State::Ended;
        }
        result
    }

    fn advance(&mut self, devices: &mut Devices<'_>) -> Result<Step<NdsBackupReport>, JobError> {
        match &mut self.state {
            State::Ended => Err(JobError::Ended),
            State::Reading(reader) => {
                let n = reader.step(&self.chip, devices.card.spi())?;
                self.progress.advance(n as u64);
                if reader.finished() {
                    let State::Reading(reader) = std::mem::replace(&mut self.state, State::Ended)
                    else {
                        unreachable!("matched above");
                    };
                    let publishing = Publishing::begin(
                        devices.sd,
                        &self.title_dir,
                        &self.name,
                        &nds_save_file_name(&self.header_title),
                        reader.image(),
                    )?;
                    self.progress = publishing.progress();
                    self.state = State::Publishing(reader, publishing);
                }
                Ok(Step::Working(self.progress))
            }
            State::Publishing(reader, publishing) => {
                let published = publishing.step(devices.sd, reader.image())?;
                self.progress = publishing.progress();
                let Some(folder) = published else {
                    return Ok(Step::Working(self.progress));
                };
                let bytes = reader.image().len() as u64;
                self.state = State::Ended;
                self.progress = Progress::start(Phase::Done, 0, 0);
                Ok(Step::Finished(NdsBackupReport { folder, bytes }))
            }
        }
    }
}
