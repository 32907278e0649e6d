//! Comparing an NDS card's save with a backup, without writing anything.
//!
//! Memory: the backup's image at the chip's size (loaded in place, see
//! [`load_for_chip`]) and one chunk of the chip at a time: within an NDS
//! job's budget of the chip's size + 1 MiB (checked by
//! `tests/memory_budget.rs`).

use crate::jobs::nds_backup::ChipStream;
use crate::jobs::{JobError, Phase, Progress, Step};
use crate::nds_card::InsertedNds;
use crate::platform::Devices;
use crate::store::BackupEntry;
use crate::store::nds_backup::{check_game, find_save_file, load_for_chip};

/// What a verification found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NdsVerifyReport {
    /// The backup file compared.
    pub source: String,
    /// Bytes compared (the chip's capacity).
    pub compared: u64,
    /// Bytes that differ.
    pub differing: u64,
    /// The first differing offset.
    pub first_difference: Option<usize>,
}

#[derive(Debug)]
enum State {
    Validate,
    Read(ChipStream),
    Ended,
}

/// Compares the card's save with a backup.
#[derive(Debug)]
pub struct NdsVerifyJob {
    card: InsertedNds,
    entry: BackupEntry,
    expected: Vec<u8>,
    state: State,
    progress: Progress,
    report: NdsVerifyReport,
}

impl NdsVerifyJob {
    /// Compares `card` with `backup`.
    pub fn new(card: InsertedNds, backup: BackupEntry) -> Self {
        Self {
            card,
            entry: backup,
            expected: Vec::new(),
            state: State::Validate,
            progress: Progress::start(Phase::Validating, 0, 1),
            report: NdsVerifyReport {
                source: String::new(),
                compared: 0,
                differing: 0,
                first_difference: None,
            },
        }
    }

    /// Progress so far.
    pub fn progress(&self) -> Progress {
        self.progress
    }

    /// Stops the job (it never writes).
    pub fn cancel(&mut self, _devices: &mut Devices<'_>) -> Result<(), JobError> {
        if matches!(self.state, State::Ended) {
            return Err(JobError::Ended);
        }
        self.state = State::Ended;
        Ok(())
    }

    /// Does one piece of work.
    pub fn step(&mut self, devices: &mut Devices<'_>) -> Result<Step<NdsVerifyReport>, JobError> {
        let chip = self.card.detection.chip;
        let result = match &mut self.state {
            State::Ended => return Err(JobError::Ended),
            State::Validate => (|| {
                check_game(&self.entry, &self.card.game_code, &self.card.header_title)?;
                let file = find_save_file(devices.sd, &self.entry, &self.card.header_title)?;
                let loaded = load_for_chip(devices.sd, &file, chip.kind())?;
                self.report.source = loaded.path;
                self.expected = loaded.image;
                let stream = ChipStream::new(&chip);
                self.progress =
                    Progress::start(Phase::Reading, chip.capacity() as u64, stream.chunks());
                self.state = State::Read(stream);
                Ok(Step::Working(self.progress))
            })(),
            State::Read(stream) => (|| {
                let (start, got) = stream.step(&chip, devices.card.spi())?;
                let n = got.len();
                for (i, (a, b)) in got.iter().zip(&self.expected[start..start + n]).enumerate() {
                    if a != b {
                        self.report.differing += 1;
                        self.report.first_difference.get_or_insert(start + i);
                    }
                }
                self.progress.advance(n as u64);
                self.report.compared += n as u64;
                if stream.finished() {
                    self.progress = Progress::start(Phase::Done, 0, 0);
                    return Ok(Step::Finished(self.report.clone()));
                }
                Ok(Step::Working(self.progress))
            })(),
        };
        if !matches!(result, Ok(Step::Working(_))) {
            self.state = State::Ended;
        }
        result
    }
}
