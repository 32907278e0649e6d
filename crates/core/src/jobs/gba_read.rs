//! Reading a GBA VC title's AGBSAVE container a chunk per step, for the
//! backup and the restore jobs.

use keepsake_format::gba_vc::AgbSaveContainer;

use crate::jobs::{JobError, READ_CHUNK};
use crate::platform::gba_vc::{GbaVcHandle, MAX_CONTAINER_LEN};
use crate::platform::{GbaVcId, GbaVcSaves};

/// The container being read: the open file and what was read so far.
#[derive(Debug)]
pub(crate) struct ContainerReader {
    pub(crate) file: GbaVcHandle,
    bytes: Vec<u8>,
    done: usize,
}

impl ContainerReader {
    /// Opens the title's save file; what is read is at most
    /// [`MAX_CONTAINER_LEN`] bytes, where the last slot can end.
    pub(crate) fn open(saves: &mut dyn GbaVcSaves, id: GbaVcId) -> Result<Self, JobError> {
        let file = saves.open(id)?;
        let size = match saves.file_size(file) {
            Ok(size) => size.min(MAX_CONTAINER_LEN as u64) as usize,
            Err(e) => {
                saves.close(file);
                return Err(e.into());
            }
        };
        Ok(Self {
            file,
            bytes: vec![0; size],
            done: 0,
        })
    }

    /// Bytes to read in all.
    pub(crate) fn len(&self) -> u64 {
        self.bytes.len() as u64
    }

    /// Chunks to read in all.
    pub(crate) fn chunks(&self) -> u64 {
        self.bytes.len().div_ceil(READ_CHUNK) as u64
    }

    /// Reads the next chunk; returns its length.
    pub(crate) fn step(&mut self, saves: &mut dyn GbaVcSaves) -> Result<usize, JobError> {
        let end = (self.done + READ_CHUNK).min(self.bytes.len());
        saves.read_at(self.file, self.done as u64, &mut self.bytes[self.done..end])?;
        let n = end - self.done;
        self.done = end;
        Ok(n)
    }

    pub(crate) fn finished(&self) -> bool {
        self.done == self.bytes.len()
    }

    /// The container read, with its current slot found.
    pub(crate) fn container(&self) -> Result<AgbSaveContainer<'_>, JobError> {
        Ok(AgbSaveContainer::parse(&self.bytes)?)
    }

    /// The bytes read.
    pub(crate) fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }
}

/// The file name of a GBA VC backup: Checkpoint's (`io.cpp`, backup writes
/// `<folder>/00000001.sav`).
pub const GBA_BACKUP_FILE: &str = "00000001.sav";
