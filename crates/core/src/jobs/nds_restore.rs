//! Restoring (or erasing) an NDS save chip, safely:
//!
//! 1. validate: writing this chip kind is allowed (the 8 MiB flash only
//!    with the experimental setting, see [`crate::store::Config`]); the
//!    backup belongs to this game, its file reads, and its save fits the
//!    chip or converts to its size without loss; the card is still the one
//!    the job was made for;
//! 2. read the chip; check the card is still the same one (it may have
//!    been swapped while it was read), then save what the chip holds as an
//!    automatic backup (read back from the SD card and compared before
//!    anything is written);
//! 3. record the restore journal on the SD card;
//! 4. write only the write units (pages, or sectors on 8 MiB flash) that
//!    differ — no cancelling from the first write on. The 8 MiB flash is
//!    unlocked only here, and each of its sectors is erased in the same
//!    step that programs it, from the image validated in 1, after the
//!    automatic backup was read back;
//! 5. read everything back and compare, then remove the journal (a failed
//!    read-back leaves it: the save is not what either backup holds);
//! 6. report exactly what was done.
//!
//! Memory: the image to write (the chip's size) is the only large buffer.
//! The chip's current save streams a chunk at a time into the automatic
//! backup's staged file while the units that differ are noted, and the
//! staged file is read back by hash: within an NDS job's budget of the
//! chip's size + 1 MiB (checked by `tests/memory_budget.rs`).
//!
//! From the first write to the end of the read-back the job is in its
//! critical section ([`NdsRestoreJob::critical`]): the console must not hand
//! control to the system (the POWER button's dialog ends the app) until it
//! is over.

use keepsake_format::nds::ChipKind;
use keepsake_format::nds_header::NdsHeader;

use crate::jobs::nds_backup::ChipStream;
use crate::jobs::stream::{FILE_CHUNK, Hashing, Source};
use crate::jobs::{JobError, Phase, Progress, Step, auto_backup_name};
use crate::nds_card::{InsertedNds, SaveChip};
use crate::platform::{Devices, SdCard};
use crate::store::journal::{self, Fnv1a64, Journal, JournalFile, JournalSave, Operation};
use crate::store::naming::CONFIG_PATH;
use crate::store::naming::nds_save_file_name;
use crate::store::nds_backup::{SaveLoad, check_game, find_save_file};
use crate::store::{BackupEntry, BackupWriter};

/// The settings key of [`crate::store::Config::experimental_flash_8m_writes`].
pub const EXPERIMENTAL_FLASH_8M_KEY: &str = "experimental_flash_8m_writes";

/// What a finished restore did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NdsRestoreReport {
    /// The automatic backup of the save as it was.
    pub auto_backup: String,
    /// The file restored (`None` for an erase).
    pub source: Option<String>,
    /// Its container (`raw image`, `DeSmuME .dsv`, …).
    pub container: Option<&'static str>,
    /// The save's size in the file, before conversion to the chip's size.
    pub source_len: usize,
    /// The chip's capacity.
    pub chip_capacity: usize,
    /// Write units (pages, or sectors on 8 MiB flash) written.
    pub units_written: usize,
    /// Bytes per write unit.
    pub unit_size: usize,
    /// Bytes read back and compared after writing (0 when nothing needed
    /// writing: the first read already showed the chip holds the save).
    pub verified_bytes: u64,
}

/// The chip's current save on its way into the automatic backup.
#[derive(Debug)]
struct SavingCurrent {
    stream: ChipStream,
    writer: BackupWriter,
    /// The save file's name in the backup.
    file: String,
    /// What was read from the chip so far.
    hash: Fnv1a64,
    /// The write units that differ from the target, in order.
    dirty: Vec<usize>,
}

/// Notes the units of `unit` bytes that `got` (read at `start`) and
/// `target` disagree on, after those already in `dirty`.
fn note_differing_units(
    dirty: &mut Vec<usize>,
    start: usize,
    got: &[u8],
    target: &[u8],
    unit: usize,
) {
    let end = start + got.len();
    let mut index = start / unit;
    while index * unit < end {
        let lo = (index * unit).max(start);
        let hi = ((index + 1) * unit).min(end);
        if got[lo - start..hi - start] != target[lo..hi] && dirty.last() != Some(&index) {
            dirty.push(index);
        }
        index += 1;
    }
}

#[derive(Debug)]
enum State {
    Validate,
    /// Reading the backup's file.
    Loading(SaveLoad),
    ReadCurrent(SavingCurrent),
    /// The staged automatic backup, read back a chunk per step.
    AutoBackup(SavingCurrent, Hashing),
    Write {
        dirty: Vec<usize>,
        next: usize,
    },
    Verify(ChipStream),
    Ended,
}

/// Restores a backup to an NDS card, or erases its save.
#[derive(Debug)]
pub struct NdsRestoreJob {
    card: InsertedNds,
    title_dir: String,
    source: Option<BackupEntry>,
    target: Vec<u8>,
    state: State,
    progress: Progress,
    report: NdsRestoreReport,
    allow_flash_8m: bool,
    /// The automatic backup the journal names when this job puts back the
    /// one an unfinished restore left (so the way back stays the save as it
    /// was before that restore, not the half-written one).
    way_back: Option<(String, Vec<JournalFile>)>,
    journaled: bool,
    /// The automatic backup's folder name when it was fixed beforehand
    /// (see [`Self::with_auto_backup_name`]); the clock's otherwise.
    auto_name: Option<String>,
}

impl NdsRestoreJob {
    /// Restores `backup` to `card`; the automatic backup goes to
    /// `title_dir` (see [`crate::store::title_dir`]).
    pub fn restore(card: InsertedNds, title_dir: &str, backup: BackupEntry) -> Self {
        Self::new(card, title_dir, Some(backup))
    }

    /// Erases `card`'s save (every byte 0xFF), after an automatic backup.
    pub fn erase(card: InsertedNds, title_dir: &str) -> Self {
        Self::new(card, title_dir, None)
    }

    fn new(card: InsertedNds, title_dir: &str, source: Option<BackupEntry>) -> Self {
        let chip = card.detection.chip;
        Self {
            report: NdsRestoreReport {
                auto_backup: String::new(),
                source: None,
                container: None,
                source_len: chip.capacity(),
                chip_capacity: chip.capacity(),
                units_written: 0,
                unit_size: chip.write_unit_size(),
                verified_bytes: 0,
            },
            card,
            title_dir: title_dir.to_owned(),
            source,
            target: Vec::new(),
            state: State::Validate,
            progress: Progress::start(Phase::Validating, 0, 1),
            allow_flash_8m: false,
            way_back: None,
            journaled: false,
            auto_name: None,
        }
    }

    /// Allows writing to an 8 MiB flash chip (the experimental setting,
    /// [`crate::store::Config::experimental_flash_8m_writes`]); without it
    /// the job refuses such a chip before touching it.
    pub fn allow_experimental_flash_8m_writes(mut self, allow: bool) -> Self {
        self.allow_flash_8m = allow;
        self
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

    /// Whether the job is between its first write to the card and the end
    /// of its read-back: nothing may end the app now (see the module
    /// comment).
    pub fn critical(&self) -> bool {
        matches!(self.state, State::Write { .. } | State::Verify(_))
    }

    fn chip(&self) -> SaveChip {
        self.card.detection.chip
    }

    /// The size of the save: the chip's capacity.
    pub fn save_size(&self) -> u64 {
        self.chip().capacity() as u64
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

    /// Whether [`NdsRestoreJob::cancel`] would succeed.
    pub fn can_cancel(&self) -> bool {
        matches!(
            self.state,
            State::Validate | State::Loading(_) | State::ReadCurrent(_) | State::AutoBackup(..)
        )
    }

    /// Stops the job before anything is written to the card.
    pub fn cancel(&mut self, devices: &mut Devices<'_>) -> Result<(), JobError> {
        match self.state {
            State::Ended => Err(JobError::Ended),
            _ if self.can_cancel() => {
                self.end(devices.sd)?;
                Ok(())
            }
            _ => Err(JobError::NotCancellable),
        }
    }

    /// Ends the job, dropping an automatic backup not yet published.
    fn end(&mut self, sd: &mut dyn SdCard) -> Result<(), JobError> {
        match std::mem::replace(&mut self.state, State::Ended) {
            State::ReadCurrent(saving) | State::AutoBackup(saving, _) => {
                saving.writer.abandon(sd)?;
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// Does one piece of work.
    pub fn step(&mut self, devices: &mut Devices<'_>) -> Result<Step<NdsRestoreReport>, JobError> {
        let result = self.step_inner(devices);
        if !matches!(result, Ok(Step::Working(_))) {
            // Best effort: the error that matters is the step's.
            let _ = self.end(devices.sd);
        }
        result
    }

    fn step_inner(
        &mut self,
        devices: &mut Devices<'_>,
    ) -> Result<Step<NdsRestoreReport>, JobError> {
        let chip = self.chip();
        match &mut self.state {
            State::Ended => return Err(JobError::Ended),
            State::Validate => match self.validate(devices)? {
                Some(load) => {
                    self.progress = Progress::start(Phase::Validating, 0, 1);
                    self.state = State::Loading(load);
                }
                None => self.start_reading(devices)?,
            },
            State::Loading(load) => {
                if let Some(loaded) = load.step(devices.sd)? {
                    self.report.source = Some(loaded.path);
                    self.report.container = Some(loaded.container);
                    self.report.source_len = loaded.original_len;
                    self.target = loaded.image;
                    // The file took several frames: the card must still
                    // be the one the backup was checked against.
                    check_same_card(&self.card, devices)?;
                    self.start_reading(devices)?;
                }
            }
            State::ReadCurrent(saving) => {
                let (start, got) = saving.stream.step(&chip, devices.card.spi())?;
                devices
                    .sd
                    .write_at(&saving.writer.staged_path(&saving.file), start as u64, got)?;
                saving.hash.update(got);
                note_differing_units(
                    &mut saving.dirty,
                    start,
                    got,
                    &self.target,
                    chip.write_unit_size(),
                );
                self.progress.advance(got.len() as u64);
                if saving.stream.finished() {
                    let State::ReadCurrent(saving) =
                        std::mem::replace(&mut self.state, State::Ended)
                    else {
                        unreachable!("matched above");
                    };
                    // Read back while still staged, so a copy the SD card
                    // did not keep is never published as a backup.
                    let read_back = Hashing::expecting(
                        Source::Sd(saving.writer.staged_path(&saving.file)),
                        chip.capacity() as u64,
                    );
                    self.progress = Progress::start(
                        Phase::SavingAutoBackup,
                        chip.capacity() as u64,
                        (chip.capacity() as u64).div_ceil(FILE_CHUNK as u64),
                    );
                    self.state = State::AutoBackup(saving, read_back);
                }
            }
            State::AutoBackup(saving, read_back) => {
                let moved = read_back.step(devices)?;
                self.progress.add_bytes(moved.bytes);
                let Some(kept) = moved.done else {
                    return Ok(Step::Working(self.progress));
                };
                if kept != saving.hash {
                    return Err(JobError::BackupNotKept {
                        file: saving.file.clone(),
                    });
                }
                // The chip was read and its copy read back over many
                // frames: a card swapped in meanwhile must neither be
                // saved as this game's automatic backup nor receive this
                // game's save. (From here to the first write is one frame,
                // too short to swap a card.)
                check_same_card(&self.card, devices)?;
                let State::AutoBackup(saving, _) = std::mem::replace(&mut self.state, State::Ended)
                else {
                    unreachable!("matched above");
                };
                let folder = saving.writer.finish(devices.sd)?;
                // Nothing is written to the card unless its save is safe:
                // the backup was read back before it was published.
                self.report.auto_backup = folder.clone();
                let dirty = saving.dirty;
                if dirty.is_empty() {
                    if self.way_back.is_some() {
                        // Putting back found the save already as it was:
                        // the unfinished restore is resolved.
                        journal::clear(devices.sd)?;
                    }
                    self.progress = Progress::start(Phase::Done, 0, 0);
                    return Ok(Step::Finished(self.report.clone()));
                }
                let (automatic_backup, files) = self
                    .way_back
                    .clone()
                    .unwrap_or_else(|| (folder, vec![saving.hash.entry(&saving.file)]));
                journal::record(
                    devices.sd,
                    &Journal {
                        operation: if self.source.is_some() {
                            Operation::Restore
                        } else {
                            Operation::Erase
                        },
                        save: JournalSave::NdsCard {
                            game_code: self.card.game_code.clone(),
                            header_title: self.card.header_title.clone(),
                        },
                        backup: self.source.as_ref().map(|s| s.path.clone()),
                        automatic_backup,
                        files,
                    },
                )?;
                self.journaled = true;
                self.progress = Progress::start(
                    Phase::Writing,
                    (dirty.len() * chip.write_unit_size()) as u64,
                    dirty.len() as u64,
                );
                self.state = State::Write { dirty, next: 0 };
            }
            State::Write { dirty, next } => {
                if *next == 0 {
                    // Only now, with the automatic backup read back and
                    // something to write, is the 8 MiB flash unlocked.
                    chip.unlock(devices.card.spi())?;
                }
                // On the 8 MiB flash this erases the sector and programs it
                // from `target` in one step: no sector is left erased
                // without its new contents in hand.
                let unit = chip.write_unit_size();
                let index = dirty[*next];
                chip.write_unit(
                    devices.card.spi(),
                    index,
                    &self.target[index * unit..(index + 1) * unit],
                )?;
                *next += 1;
                self.report.units_written = *next;
                self.progress.advance(unit as u64);
                if *next == dirty.len() {
                    let stream = ChipStream::new(&chip);
                    self.progress =
                        Progress::start(Phase::Verifying, chip.capacity() as u64, stream.chunks());
                    self.state = State::Verify(stream);
                }
            }
            State::Verify(stream) => {
                let (start, got) = stream.step(&chip, devices.card.spi())?;
                let n = got.len();
                if let Some(i) = got
                    .iter()
                    .zip(&self.target[start..start + n])
                    .position(|(a, b)| a != b)
                {
                    return Err(JobError::VerifyFailed {
                        what: format!("the card's byte at {:#x}", start + i),
                        auto_backup: self.report.auto_backup.clone(),
                    });
                }
                self.progress.advance(n as u64);
                self.report.verified_bytes += n as u64;
                if stream.finished() {
                    // The card holds the backup, read back whole.
                    journal::clear(devices.sd)?;
                    self.progress = Progress::start(Phase::Done, 0, 0);
                    return Ok(Step::Finished(self.report.clone()));
                }
            }
        }
        Ok(Step::Working(self.progress))
    }

    /// Checks what can be checked at once; the backup's file is then read
    /// a few chunks a step (`None` for an erase, which reads no file).
    fn validate(&mut self, devices: &mut Devices<'_>) -> Result<Option<SaveLoad>, JobError> {
        if self.chip().kind() == ChipKind::Flash8M && !self.allow_flash_8m {
            return Err(JobError::ExperimentalWritesOff {
                setting: EXPERIMENTAL_FLASH_8M_KEY,
                config: CONFIG_PATH,
            });
        }
        check_same_card(&self.card, devices)?;
        let chip = self.chip();
        match &self.source {
            None => {
                self.target = vec![0xFF; chip.capacity()];
                Ok(None)
            }
            Some(entry) => {
                check_game(entry, &self.card.game_code, &self.card.header_title)?;
                let file = find_save_file(devices.sd, entry, &self.card.header_title)?;
                Ok(Some(SaveLoad::start(&file, chip.kind())))
            }
        }
    }

    /// Starts reading the chip into the automatic backup's staged file.
    fn start_reading(&mut self, devices: &mut Devices<'_>) -> Result<(), JobError> {
        let chip = self.chip();
        let stream = ChipStream::new(&chip);
        let name = self
            .auto_name
            .clone()
            .unwrap_or_else(|| auto_backup_name(devices.clock.now()));
        let writer = BackupWriter::begin(devices.sd, &self.title_dir, &name)?;
        let file = nds_save_file_name(&self.card.header_title);
        devices.sd.write(&writer.staged_path(&file), &[])?;
        self.progress = Progress::start(Phase::Reading, chip.capacity() as u64, stream.chunks());
        self.state = State::ReadCurrent(SavingCurrent {
            stream,
            writer,
            file,
            hash: Fnv1a64::new(),
            dirty: Vec::new(),
        });
        Ok(())
    }
}

/// Fails unless the card in the slot is `card`.
pub(super) fn check_same_card(
    card: &InsertedNds,
    devices: &mut Devices<'_>,
) -> Result<(), JobError> {
    let header = devices.card.nds_header()?;
    let same_card = NdsHeader::parse(&header)
        .is_ok_and(|h| h.game_code() == card.game_code && h.title() == card.header_title);
    if !same_card {
        return Err(JobError::CardChanged {
            expected: format!("{} ({})", card.header_title, card.game_code),
        });
    }
    Ok(())
}

#[cfg(test)]
#[path = "nds_restore_flash8m_tests.rs"]
mod flash8m_tests;
