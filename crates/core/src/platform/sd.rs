//! The SD card: files and directories under `/`-separated absolute paths.
//!
//! Writes are made atomic one level up: [`write_atomic`] writes a temporary
//! file beside the target and renames it into place, so a power cut leaves
//! the old file or the whole new one. A folder is published the same way by
//! building it under a temporary name and renaming it.

use thiserror::Error;

/// Why an SD card operation failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SdError {
    /// No file or directory at that path.
    #[error("{path}: not found on the SD card")]
    NotFound {
        /// The path asked for.
        path: String,
    },
    /// Something already exists where a new entry should go.
    #[error("{path}: already exists on the SD card")]
    Exists {
        /// The path in the way.
        path: String,
    },
    /// The card has no room for the data.
    #[error("the SD card is full ({needed} bytes needed, {free} free) while writing {path}")]
    Full {
        /// The file being written.
        path: String,
        /// Its size.
        needed: u64,
        /// The space left.
        free: u64,
    },
    /// The console lost power.
    #[error("the console lost power")]
    PowerLost,
    /// The system refused or failed the request.
    #[error("SD card operation on {path} failed: {reason}")]
    Failed {
        /// The path involved.
        path: String,
        /// What the system said.
        reason: String,
    },
}

/// One entry of a directory listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SdEntry {
    /// The entry's name (no `/`).
    pub name: String,
    /// A directory rather than a file.
    pub is_dir: bool,
    /// The file's size in bytes (0 for directories).
    pub size: u64,
}

/// The SD card.
pub trait SdCard {
    /// A whole file.
    fn read(&mut self, path: &str) -> Result<Vec<u8>, SdError>;
    /// Creates or replaces a whole file (not atomic: see [`write_atomic`]);
    /// its directory must exist.
    fn write(&mut self, path: &str, bytes: &[u8]) -> Result<(), SdError>;
    /// Reads up to `buf.len()` bytes of a file from `offset`; returns how
    /// many were read, 0 at (or past) the end. Jobs stream files this way,
    /// so no file is ever held whole.
    fn read_at(&mut self, path: &str, offset: u64, buf: &mut [u8]) -> Result<usize, SdError>;
    /// Writes `bytes` at `offset` of an existing file (made by
    /// [`SdCard::write`], empty), growing it: `offset` is at most its
    /// length. A file is written in chunks this way.
    fn write_at(&mut self, path: &str, offset: u64, bytes: &[u8]) -> Result<(), SdError>;
    /// Renames a file or directory; the target must not exist.
    fn rename(&mut self, from: &str, to: &str) -> Result<(), SdError>;
    /// Deletes a file.
    fn remove_file(&mut self, path: &str) -> Result<(), SdError>;
    /// Deletes a directory and everything in it.
    fn remove_dir_all(&mut self, path: &str) -> Result<(), SdError>;
    /// Creates a directory and any missing parents.
    fn create_dir_all(&mut self, path: &str) -> Result<(), SdError>;
    /// The entries of a directory.
    fn list(&mut self, dir: &str) -> Result<Vec<SdEntry>, SdError>;
    /// Whether a file or directory exists at `path`; `Some(true)` for a
    /// directory.
    fn kind_of(&mut self, path: &str) -> Result<Option<bool>, SdError>;
    /// Free space in bytes.
    fn free_space(&mut self) -> Result<u64, SdError>;
    /// At most the first `len` bytes of a file (a ROM's header without its
    /// hundreds of MiB). The default reads the whole file: a console
    /// implementation should read only the start.
    fn read_prefix(&mut self, path: &str, len: usize) -> Result<Vec<u8>, SdError> {
        let mut bytes = self.read(path)?;
        bytes.truncate(len);
        Ok(bytes)
    }
}

/// The suffix of temporary files; never a name of ours or Checkpoint's.
pub const TEMP_SUFFIX: &str = ".keepsake-tmp";

/// Writes `bytes` to `path` so that a power cut leaves either the old file
/// or the complete new one: write `<path>.keepsake-tmp`, remove the old
/// file, rename. If the cut falls between the removal and the rename, the
/// complete new file is left under the temporary name, and
/// [`read_recovering`] finds it.
pub fn write_atomic(sd: &mut dyn SdCard, path: &str, bytes: &[u8]) -> Result<(), SdError> {
    let temp = format!("{path}{TEMP_SUFFIX}");
    if sd.kind_of(&temp)?.is_some() {
        sd.remove_file(&temp)?;
    }
    sd.write(&temp, bytes)?;
    if sd.kind_of(path)?.is_some() {
        sd.remove_file(path)?;
    }
    sd.rename(&temp, path)
}

/// Reads a file written by [`write_atomic`], falling back to its temporary
/// copy when a power cut struck between removing the old file and renaming
/// the new one into place.
pub fn read_recovering(sd: &mut dyn SdCard, path: &str) -> Result<Vec<u8>, SdError> {
    match sd.read(path) {
        Err(SdError::NotFound { .. }) => {
            sd.read(&format!("{path}{TEMP_SUFFIX}"))
                .map_err(|_| SdError::NotFound {
                    path: path.to_owned(),
                })
        }
        other => other,
    }
}

/// Joins a directory and a name with exactly one `/`.
pub fn join(dir: &str, name: &str) -> String {
    if dir.ends_with('/') {
        format!("{dir}{name}")
    } else {
        format!("{dir}/{name}")
    }
}
