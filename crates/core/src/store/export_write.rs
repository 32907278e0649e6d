//! Writing an export's file a chunk per [`ExportWrite::step`], with the
//! same guarantees as one atomic write, and a read-back.
//!
//! 1. When the destination exists (TWiLight's save slot), its bytes are
//!    copied first to `<file>.<date>.bak` beside it, through a temporary
//!    file renamed into place: the old save is kept before anything
//!    replaces it.
//! 2. The new bytes go to `<file>.keepsake-tmp`, then are read back from the
//!    SD card and compared by hash: a copy the card did not keep never
//!    replaces anything.
//! 3. The old file is removed and the temporary one renamed into place; a
//!    power cut between the two leaves the complete new file under the
//!    temporary name, which [`crate::platform::sd::read_recovering`] finds.
//!
//! Whole, an 8 MiB chip's export was written (and the old slot copied) in
//! one step: seconds of a frozen screen. Each step here moves at most
//! [`EXPORT_CHUNK`] through the SD card. Stopped early ([`ExportWrite::abandon`],
//! or an error), the temporary files and a copy made by this write go; the
//! destination is as it was.

use crate::platform::sd::TEMP_SUFFIX;
use crate::platform::{DateTime, SdCard, SdError};
use crate::store::export::ExportError;
use crate::store::journal::{Fnv1a64, read_back_step};

/// Bytes moved through the SD card per step: 256 KiB, as a job's chunk.
pub const EXPORT_CHUNK: usize = 256 * 1024;

/// Where the write is.
#[derive(Debug)]
enum Stage {
    /// Copying the file it replaces into its kept copy's temporary file.
    KeepingOld { copied: u64 },
    /// Writing the new bytes into the temporary file.
    Writing { done: usize },
    /// Reading the temporary file back.
    ReadingBack { hash: Fnv1a64 },
}

/// An export's file on its way to the SD card.
#[derive(Debug)]
pub struct ExportWrite {
    destination: String,
    /// The kept copy of the file it replaces, when it replaces one.
    kept: Option<String>,
    /// The size of the file it replaces (what [`Stage::KeepingOld`] copies).
    old_len: u64,
    /// The hash of the new bytes, to compare the read-back with.
    expected: Fnv1a64,
    stage: Stage,
    /// The old file is being replaced by the checked new one: nothing is
    /// cleaned up any more.
    replacing: bool,
}

/// What a step did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportStep {
    /// More to do (see [`ExportWrite::progress`]).
    Working,
    /// The file is in place; the kept copy of the file it replaced.
    Done { kept: Option<String> },
}

impl ExportWrite {
    /// Starts writing `bytes` to `destination` (its folder is made); `now`
    /// dates the kept copy of a file it replaces. Writes nothing else yet.
    pub fn start(
        sd: &mut dyn SdCard,
        destination: &str,
        bytes: &[u8],
        now: DateTime,
    ) -> Result<Self, ExportError> {
        let folder = destination.rsplit_once('/').map_or("/", |(f, _)| f);
        sd.create_dir_all(if folder.is_empty() { "/" } else { folder })?;
        let old_len = match sd.kind_of(destination)? {
            Some(false) => Some(old_len(sd, destination)?),
            _ => None,
        };
        let mut expected = Fnv1a64::new();
        expected.update(bytes);
        let write = Self {
            destination: destination.to_owned(),
            kept: old_len.map(|_| format!("{destination}.{}.bak", now.folder_name())),
            old_len: old_len.unwrap_or(0),
            expected,
            stage: match old_len {
                Some(_) => Stage::KeepingOld { copied: 0 },
                None => Stage::Writing { done: 0 },
            },
            replacing: false,
        };
        let first = match &write.kept {
            Some(kept) => temp(kept),
            None => temp(destination),
        };
        remove_if_there(sd, &first)?;
        sd.write(&first, &[])?;
        Ok(write)
    }

    /// Bytes done and to do in the current stage, and whether it is the
    /// read-back.
    pub fn progress(&self) -> (u64, u64, bool) {
        match &self.stage {
            Stage::KeepingOld { copied } => (*copied, self.old_len.max(*copied), false),
            Stage::Writing { done } => (*done as u64, self.expected.len(), false),
            Stage::ReadingBack { hash } => (hash.len(), self.expected.len(), true),
        }
    }

    /// Moves the next chunk (`bytes` are the same at every step). On an
    /// error, what this write made is removed and the destination is as it
    /// was, as far as the SD card allows.
    pub fn step(&mut self, sd: &mut dyn SdCard, bytes: &[u8]) -> Result<ExportStep, ExportError> {
        let result = self.advance(sd, bytes);
        if result.is_err() {
            // Best effort: the error that matters is the step's.
            let _ = self.clean_up(sd);
        }
        result
    }

    fn advance(&mut self, sd: &mut dyn SdCard, bytes: &[u8]) -> Result<ExportStep, ExportError> {
        match &mut self.stage {
            Stage::KeepingOld { copied } => {
                let kept = self.kept.clone().unwrap_or_default();
                let mut buf = vec![0; EXPORT_CHUNK];
                let n = sd.read_at(&self.destination, *copied, &mut buf)?;
                sd.write_at(&temp(&kept), *copied, &buf[..n])?;
                *copied += n as u64;
                // A read of nothing is the end (the listed size is only for
                // the progress: the file is copied whole whatever it says).
                if n == 0 {
                    // The copy is whole: into place, then the new file.
                    remove_if_there(sd, &kept)?;
                    sd.rename(&temp(&kept), &kept)?;
                    let temp = temp(&self.destination);
                    remove_if_there(sd, &temp)?;
                    sd.write(&temp, &[])?;
                    self.stage = Stage::Writing { done: 0 };
                }
                Ok(ExportStep::Working)
            }
            Stage::Writing { done } => {
                let end = (*done + EXPORT_CHUNK).min(bytes.len());
                sd.write_at(&temp(&self.destination), *done as u64, &bytes[*done..end])?;
                *done = end;
                if end == bytes.len() {
                    self.stage = Stage::ReadingBack {
                        hash: Fnv1a64::new(),
                    };
                }
                Ok(ExportStep::Working)
            }
            Stage::ReadingBack { hash } => {
                let staged = temp(&self.destination);
                match read_back_step(sd, &staged, hash, &self.expected, EXPORT_CHUNK)? {
                    None => return Ok(ExportStep::Working),
                    Some(true) => {}
                    Some(false) => {
                        return Err(ExportError::NotKept {
                            path: self.destination.clone(),
                        });
                    }
                }
                // From here the temporary file is the new file, whole and
                // checked: a failure leaves it for `read_recovering`.
                self.replacing = true;
                remove_if_there(sd, &self.destination)?;
                sd.rename(&staged, &self.destination)?;
                Ok(ExportStep::Done {
                    kept: self.kept.clone(),
                })
            }
        }
    }

    /// Stops before the file is in place: the temporary files and the kept
    /// copy this write made go (the file it would have replaced is still
    /// there, untouched).
    pub fn abandon(self, sd: &mut dyn SdCard) -> Result<(), ExportError> {
        self.clean_up(sd)
    }

    fn clean_up(&self, sd: &mut dyn SdCard) -> Result<(), ExportError> {
        if self.replacing {
            return Ok(());
        }
        remove_if_there(sd, &temp(&self.destination))?;
        if let Some(kept) = &self.kept {
            remove_if_there(sd, &temp(kept))?;
            // The kept copy goes only while the old file is still in place.
            if sd.kind_of(&self.destination)? == Some(false) {
                remove_if_there(sd, kept)?;
            }
        }
        Ok(())
    }
}

fn temp(path: &str) -> String {
    format!("{path}{TEMP_SUFFIX}")
}

fn remove_if_there(sd: &mut dyn SdCard, path: &str) -> Result<(), SdError> {
    if sd.kind_of(path)? == Some(false) {
        sd.remove_file(path)?;
    }
    Ok(())
}

/// The length of the file at `path`, from its folder's listing.
fn old_len(sd: &mut dyn SdCard, path: &str) -> Result<u64, SdError> {
    let (folder, name) = path.rsplit_once('/').unwrap_or(("/", path));
    let folder = if folder.is_empty() { "/" } else { folder };
    Ok(sd
        .list(folder)?
        .into_iter()
        .find(|entry| entry.name == name && !entry.is_dir)
        .map_or(0, |entry| entry.size))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::sd::read_recovering;
    use crate::sim::{PowerSupply, SimSd};

    const NOW: DateTime = DateTime {
        year: 2026,
        month: 11,
        day: 30,
        hour: 9,
        minute: 30,
        second: 0,
    };
    const SLOT: &str = "/roms/nds/saves/Sonic Rush.sav";
    /// The kept copy's name, written out by hand from NOW.
    const KEPT: &str = "/roms/nds/saves/Sonic Rush.sav.20261130-093000.bak";

    /// A slot holding `old`, and the new bytes: 600,000 bytes, three
    /// pieces of 256 KiB.
    fn setup(power: &PowerSupply) -> (SimSd, Vec<u8>, Vec<u8>) {
        let mut sd = SimSd::new(16 << 20, power.clone());
        let old: Vec<u8> = (0..300_000u32).map(|i| (i % 241) as u8).collect();
        let new: Vec<u8> = (0..600_000u32).map(|i| (i % 239) as u8 ^ 0x5A).collect();
        sd.create_dir_all("/roms/nds/saves").unwrap();
        sd.write(SLOT, &old).unwrap();
        (sd, old, new)
    }

    fn run(sd: &mut SimSd, new: &[u8]) -> Result<Option<String>, ExportError> {
        let mut write = ExportWrite::start(sd, SLOT, new, NOW)?;
        let mut steps = 0;
        loop {
            let (read, written) = (sd.bytes_read(), sd.bytes_written());
            let step = write.step(sd, new)?;
            steps += 1;
            assert!(sd.bytes_read() - read <= 256 * 1024 + 1, "step {steps}");
            assert!(sd.bytes_written() - written <= 256 * 1024, "step {steps}");
            if let ExportStep::Done { kept } = step {
                return Ok(kept);
            }
        }
    }

    #[test]
    fn the_old_slot_is_kept_then_replaced_a_chunk_per_step() {
        let (mut sd, old, new) = setup(&PowerSupply::new());
        let kept = run(&mut sd, &new).unwrap();
        assert_eq!(kept.as_deref(), Some(KEPT));
        assert_eq!(sd.read(KEPT).unwrap(), old);
        assert_eq!(sd.read(SLOT).unwrap(), new);
        let names: Vec<String> = sd
            .list("/roms/nds/saves")
            .unwrap()
            .into_iter()
            .map(|e| e.name)
            .collect();
        assert_eq!(names.len(), 2, "no temporary file left: {names:?}");
    }

    #[test]
    fn a_full_card_or_a_copy_not_kept_leaves_the_slot_as_it_was() {
        let power = PowerSupply::new();
        let (mut sd, old, new) = setup(&power);
        // Room for the kept copy and half the new file.
        sd.set_capacity(sd.used() + 300_000 + 300_000);
        let error = run(&mut sd, &new).unwrap_err();
        assert!(
            matches!(error, ExportError::Sd(SdError::Full { .. })),
            "{error}"
        );
        assert_eq!(sd.read(SLOT).unwrap(), old);
        assert_eq!(
            sd.list("/roms/nds/saves").unwrap().len(),
            1,
            "only the slot"
        );

        sd.set_capacity(16 << 20);
        // The card garbles the first piece of the kept copy... and then,
        // in a second run, the first piece of the new file.
        let mut write = ExportWrite::start(&mut sd, SLOT, &new, NOW).unwrap();
        // Two steps copy the 300,000-byte slot (and a third sees its end).
        for _ in 0..3 {
            write.step(&mut sd, &new).unwrap();
        }
        sd.garble_next_write();
        let error = loop {
            match write.step(&mut sd, &new) {
                Ok(ExportStep::Working) => {}
                Ok(ExportStep::Done { .. }) => panic!("a garbled copy was put in place"),
                Err(e) => break e,
            }
        };
        assert_eq!(
            error.to_string(),
            "the SD card did not keep /roms/nds/saves/Sonic Rush.sav as written; the file it \
             would have replaced is unchanged"
        );
        assert_eq!(sd.read(SLOT).unwrap(), old);
        assert_eq!(
            sd.list("/roms/nds/saves").unwrap().len(),
            1,
            "only the slot"
        );
    }

    #[test]
    fn power_lost_at_any_write_leaves_the_old_slot_or_the_new_one_with_the_old_kept() {
        let power = PowerSupply::new();
        let (mut sd, _, new) = setup(&power);
        let start = power.writes();
        run(&mut sd, &new).unwrap();
        let total = power.writes() - start;
        assert!(total >= 8, "{total} writes");
        for cut in 1..=total {
            let power = PowerSupply::new();
            let (mut sd, old, new) = setup(&power);
            power.cut_after_writes(cut);
            let result = run(&mut sd, &new);
            power.restore();
            let now = read_recovering(&mut sd, SLOT).unwrap();
            if now == new {
                assert_eq!(sd.read(KEPT).unwrap(), old, "cut {cut}: the old slot kept");
            } else {
                assert_eq!(now, old, "cut {cut}: neither old nor new");
                assert!(result.is_err(), "cut {cut}");
            }
        }
    }
}
