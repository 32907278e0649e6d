//! Publishing a backup of one file held in memory (an NDS chip's image, a
//! GBA VC save) a chunk per step: written into a staging folder, read back
//! from the SD card and compared by hash, then renamed into place.
//!
//! In one step, an 8 MiB chip meant 8 MiB written and 8 MiB read back
//! before the console could draw again: seconds of a frozen screen at the
//! end of a backup. Here each step moves at most [`FILE_CHUNK`] through
//! the SD card, so the progress goes on moving.
//!
//! A copy the SD card did not keep is never published: the read-back is
//! of the staged file, before the rename. Any failure drops the staging
//! folder; so does [`Publishing::abandon`] (a cancelled backup).

use crate::jobs::stream::FILE_CHUNK;
use crate::jobs::{JobError, Phase, Progress};
use crate::platform::SdCard;
use crate::store::BackupWriter;
use crate::store::journal::{Fnv1a64, read_back_step};

/// Where a publication is.
#[derive(Debug)]
enum Stage {
    /// Writing the file, `done` bytes so far.
    Writing { done: usize },
    /// Reading the staged file back; its hash so far.
    ReadingBack { hash: Fnv1a64 },
}

/// A one-file backup on its way to the SD card.
#[derive(Debug)]
pub(crate) struct Publishing {
    writer: BackupWriter,
    file: String,
    /// The hash of the whole image, to compare the read-back with.
    expected: Fnv1a64,
    stage: Stage,
}

impl Publishing {
    /// Starts a backup named `name` in `title_dir` holding `file`, whose
    /// contents will be `image` (the same bytes at every step).
    pub(crate) fn begin(
        sd: &mut dyn SdCard,
        title_dir: &str,
        name: &str,
        file: &str,
        image: &[u8],
    ) -> Result<Self, JobError> {
        let writer = BackupWriter::begin(sd, title_dir, name)?;
        let mut expected = Fnv1a64::new();
        expected.update(image);
        if let Err(e) = sd.write(&writer.staged_path(file), &[]) {
            let _ = writer.abandon(sd);
            return Err(e.into());
        }
        Ok(Self {
            writer,
            file: file.to_owned(),
            expected,
            stage: Stage::Writing { done: 0 },
        })
    }

    /// The progress of the stage it is in: writing, then reading back.
    pub(crate) fn progress(&self) -> Progress {
        let total = self.expected.len();
        let chunks = total.div_ceil(FILE_CHUNK as u64);
        let (phase, done) = match &self.stage {
            Stage::Writing { done } => (Phase::WritingBackup, *done as u64),
            Stage::ReadingBack { hash } => (Phase::Verifying, hash.len()),
        };
        let mut progress = Progress::start(phase, total, chunks);
        progress.bytes_done = done;
        progress.items_done = done.div_ceil(FILE_CHUNK as u64);
        progress
    }

    /// Writes or reads back the next chunk; the backup's folder once it is
    /// in place. On an error the staging folder is gone.
    pub(crate) fn step(
        &mut self,
        sd: &mut dyn SdCard,
        image: &[u8],
    ) -> Result<Option<String>, JobError> {
        let result = self.advance(sd, image);
        if result.is_err() {
            // Best effort: the error that matters is the step's.
            let _ = self.writer.clone().abandon(sd);
        }
        result
    }

    fn advance(&mut self, sd: &mut dyn SdCard, image: &[u8]) -> Result<Option<String>, JobError> {
        let path = self.writer.staged_path(&self.file);
        match &mut self.stage {
            Stage::Writing { done } => {
                let end = (*done + FILE_CHUNK).min(image.len());
                sd.write_at(&path, *done as u64, &image[*done..end])?;
                *done = end;
                if end == image.len() {
                    self.stage = Stage::ReadingBack {
                        hash: Fnv1a64::new(),
                    };
                }
                Ok(None)
            }
            Stage::ReadingBack { hash } => {
                match read_back_step(sd, &path, hash, &self.expected, FILE_CHUNK)? {
                    None => return Ok(None),
                    Some(true) => {}
                    Some(false) => {
                        return Err(JobError::BackupNotKept {
                            file: self.file.clone(),
                        });
                    }
                }
                Ok(Some(self.writer.clone().finish(sd)?))
            }
        }
    }

    /// Drops the staged backup (a cancelled job).
    pub(crate) fn abandon(self, sd: &mut dyn SdCard) -> Result<(), JobError> {
        Ok(self.writer.abandon(sd)?)
    }
}

/// Publishes a backup of one small file in one go (a GBA VC save, at most
/// 128 KiB: one chunk).
pub(crate) fn publish_single_file(
    sd: &mut dyn SdCard,
    title_dir: &str,
    name: &str,
    file: &str,
    image: &[u8],
) -> Result<String, JobError> {
    let mut publishing = Publishing::begin(sd, title_dir, name, file, image)?;
    loop {
        if let Some(folder) = publishing.step(sd, image)? {
            return Ok(folder);
        }
    }
}
