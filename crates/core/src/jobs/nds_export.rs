//! Exporting an NDS cartridge's save straight from its chip, for a
//! flashcart or an emulator (see [`crate::store::export`] for the forms):
//!
//! 1. check the card is the one the job was made for;
//! 2. read the chip, one [`READ_CHUNK`] per step — reads only: no command
//!    that writes, erases or unlocks goes on the bus;
//! 3. check the card again (it may have been swapped between two steps,
//!    which would mix two saves);
//! 4. write the file a chunk per step, read it back, and put it in place
//!    ([`ExportWrite`]: the file it replaces, in TWiLight's slot, is kept
//!    beside it first).
//!
//! Nothing is in place before the last step: the job can be cancelled at
//! any step before it (a half-written file is removed), and a card pulled
//! mid-read leaves nothing behind.
//!
//! Memory: one buffer, of the export file's size, allocated at the start;
//! the chip is read into it and the file is made in place (padded to the
//! flashcart's 512 KiB, or followed by DeSmuME's footer). That is the
//! chip's size + 122 bytes, or 512 KiB for a smaller chip: within an NDS
//! job's budget of the chip's size + 1 MiB (checked by
//! `tests/memory_budget.rs`).

use keepsake_format::nds::ChipKind;

use crate::jobs::nds_restore::check_same_card;
use crate::jobs::{JobError, Phase, Progress, READ_CHUNK, Step};
use crate::nds_card::InsertedNds;
use crate::platform::{DateTime, Devices};
use crate::store::export::{self, ExportError, ExportKind};
use crate::store::export_write::{EXPORT_CHUNK, ExportStep, ExportWrite};

/// What a finished export did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NdsExportReport {
    /// The form written.
    pub kind: ExportKind,
    /// The file written.
    pub destination: String,
    /// The chip it was read from.
    pub chip: ChipKind,
    /// The file's length.
    pub file_len: u64,
    /// Where the file it replaced is kept, when it replaced one.
    pub kept: Option<String>,
}

#[derive(Debug)]
enum State {
    /// Reading the chip into the start of the buffer.
    Reading {
        buffer: Vec<u8>,
        done: usize,
    },
    /// The chip is read; the file is being written a chunk per step.
    Writing {
        /// The export file's bytes.
        bytes: Vec<u8>,
        write: ExportWrite,
    },
    Ended,
}

/// Exports an NDS card's save.
#[derive(Debug)]
pub struct NdsExportJob {
    card: InsertedNds,
    kind: ExportKind,
    destination: String,
    now: DateTime,
    state: State,
    progress: Progress,
}

impl NdsExportJob {
    /// An export of `card`'s save as `kind` to `destination` (made by
    /// [`export::destination`]); `now` dates the kept copy of a file it
    /// replaces.
    pub fn new(card: InsertedNds, kind: ExportKind, destination: &str, now: DateTime) -> Self {
        let chip = card.detection.chip;
        let mut buffer = Vec::with_capacity(export::file_len(kind, chip.kind()));
        buffer.resize(chip.capacity(), 0xFF);
        let progress = Progress::start(
            Phase::Reading,
            chip.capacity() as u64,
            chip.capacity().div_ceil(READ_CHUNK) as u64,
        );
        Self {
            card,
            kind,
            destination: destination.to_owned(),
            now,
            state: State::Reading { buffer, done: 0 },
            progress,
        }
    }

    /// Progress so far.
    pub fn progress(&self) -> Progress {
        self.progress
    }

    /// The file it writes.
    pub fn destination(&self) -> &str {
        &self.destination
    }

    /// The save's size: the chip's capacity.
    pub fn save_size(&self) -> u64 {
        self.card.detection.chip.capacity() as u64
    }

    /// The form it writes.
    pub fn kind(&self) -> ExportKind {
        self.kind
    }

    /// An export can be cancelled until it ends: a file half written is
    /// removed, and the file it would have replaced is left as it was.
    pub fn cancel(&mut self, devices: &mut Devices<'_>) -> Result<(), JobError> {
        match std::mem::replace(&mut self.state, State::Ended) {
            State::Ended => Err(JobError::Ended),
            State::Reading { .. } => Ok(()),
            State::Writing { write, .. } => write.abandon(devices.sd).map_err(job_error),
        }
    }

    /// Reads one chunk; after the last, the next step writes the file.
    pub fn step(&mut self, devices: &mut Devices<'_>) -> Result<Step<NdsExportReport>, JobError> {
        let result = self.advance(devices);
        if result.is_err() {
            self.state = State::Ended;
        }
        result
    }

    fn advance(&mut self, devices: &mut Devices<'_>) -> Result<Step<NdsExportReport>, JobError> {
        let chip = self.card.detection.chip;
        match &mut self.state {
            State::Ended => Err(JobError::Ended),
            State::Reading { buffer, done } => {
                if *done == 0 {
                    check_same_card(&self.card, devices)?;
                }
                let end = (*done + READ_CHUNK).min(buffer.len());
                chip.read(devices.card.spi(), *done, &mut buffer[*done..end])?;
                self.progress.advance((end - *done) as u64);
                *done = end;
                if end < buffer.len() {
                    return Ok(Step::Working(self.progress));
                }
                // A card swapped between two steps would leave a mix of two
                // saves: the same card must still be in at the end.
                check_same_card(&self.card, devices)?;
                let State::Reading { buffer, .. } =
                    std::mem::replace(&mut self.state, State::Ended)
                else {
                    unreachable!("matched above");
                };
                let bytes = export::encode(self.kind, buffer, chip.kind()).map_err(job_error)?;
                let write = ExportWrite::start(devices.sd, &self.destination, &bytes, self.now)
                    .map_err(job_error)?;
                self.progress = write_progress(&write);
                self.state = State::Writing { bytes, write };
                Ok(Step::Working(self.progress))
            }
            State::Writing { bytes, write } => {
                let step = write.step(devices.sd, bytes).map_err(job_error)?;
                self.progress = write_progress(write);
                let ExportStep::Done { kept } = step else {
                    return Ok(Step::Working(self.progress));
                };
                let file_len = bytes.len() as u64;
                self.state = State::Ended;
                self.progress = Progress::start(Phase::Done, 0, 0);
                Ok(Step::Finished(NdsExportReport {
                    kind: self.kind,
                    destination: self.destination.clone(),
                    chip: chip.kind(),
                    file_len,
                    kept,
                }))
            }
        }
    }
}

/// The write's progress: writing (the kept copy of a file it replaces,
/// then the file), then reading back.
fn write_progress(write: &ExportWrite) -> Progress {
    let (done, total, reading_back) = write.progress();
    let phase = if reading_back {
        Phase::Verifying
    } else {
        Phase::WritingBackup
    };
    let mut progress = Progress::start(phase, total, total.div_ceil(EXPORT_CHUNK as u64));
    progress.bytes_done = done;
    progress.items_done = done.div_ceil(EXPORT_CHUNK as u64);
    progress
}

/// The SD card's errors as every job reports them (a full card is said
/// as such); the rest as the export's own.
fn job_error(e: ExportError) -> JobError {
    match e {
        ExportError::Sd(sd) => sd.into(),
        other => JobError::Export(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nds_card::identify;
    use crate::platform::{Console, SdCard};
    use crate::sim::{SimCard, SimChip, SimConsole, SimNdsCard, nds_rom_header};
    use crate::store::export::EXPORT_DIR;

    fn card(title: &str, code: &str, fill: u8) -> SimCard {
        SimCard::Nds(SimNdsCard {
            header: nds_rom_header(title, code),
            banner: Vec::new(),
            // 256 KiB of flash: eight pieces of 32 KiB.
            chip: SimChip::flash(0x20_4012, 256 * 1024, &[fill; 256 * 1024]),
            infrared: false,
        })
    }

    fn job(sim: &mut SimConsole) -> NdsExportJob {
        let inserted = identify(&mut sim.card).unwrap();
        let to = format!("{EXPORT_DIR}/ABCE GAME.sav");
        NdsExportJob::new(
            inserted,
            ExportKind::FlashcartSav,
            &to,
            DateTime::from_unix_seconds(0),
        )
    }

    #[test]
    fn a_card_swapped_during_the_read_is_caught_before_anything_is_written() {
        let mut sim = SimConsole::new();
        sim.card.insert(card("GAME", "ABCE", 0x11));
        let mut job = job(&mut sim);
        for _ in 0..3 {
            assert!(matches!(job.step(&mut sim.devices()), Ok(Step::Working(_))));
        }
        // Another game between two frames: the rest would come from it.
        sim.card.insert(card("OTHER", "AOTE", 0x22));
        let ended = loop {
            match job.step(&mut sim.devices()) {
                Ok(Step::Working(p)) => assert_eq!(p.phase, Phase::Reading),
                other => break other,
            }
        };
        assert_eq!(
            ended,
            Err(JobError::CardChanged {
                expected: "GAME (ABCE)".into()
            })
        );
        assert_eq!(sim.sd.kind_of(EXPORT_DIR).unwrap(), None, "nothing written");
        assert_eq!(job.step(&mut sim.devices()), Err(JobError::Ended));
    }

    #[test]
    fn a_cancelled_export_writes_nothing_even_with_the_chip_read() {
        let mut sim = SimConsole::new();
        sim.card.insert(card("GAME", "ABCE", 0x11));
        let mut job = job(&mut sim);
        // Eight pieces: the last one turns to the write.
        for piece in 1..=8u64 {
            let Ok(Step::Working(p)) = job.step(&mut sim.devices()) else {
                panic!("piece {piece}");
            };
            let phase = if piece < 8 {
                Phase::Reading
            } else {
                Phase::WritingBackup
            };
            assert_eq!(p.phase, phase);
        }
        // The file was started: cancelling removes it.
        assert_eq!(sim.sd.list(EXPORT_DIR).unwrap().len(), 1);
        job.cancel(&mut sim.devices()).unwrap();
        assert_eq!(job.step(&mut sim.devices()), Err(JobError::Ended));
        assert_eq!(sim.sd.list(EXPORT_DIR).unwrap(), [], "nothing written");
        assert_eq!(job.cancel(&mut sim.devices()), Err(JobError::Ended));
    }
}
