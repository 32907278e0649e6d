//! Why a job stopped.

use thiserror::Error;

use crate::nds_card::NdsCardError;
use crate::platform::{ArchiveError, CardError, SdError};
use crate::store::StoreError;

/// Why a job stopped.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum JobError {
    /// The save chip failed.
    #[error("save chip: {0}")]
    Chip(#[from] NdsCardError),
    /// The card slot failed.
    #[error("card: {0}")]
    Card(#[from] CardError),
    /// A backup could not be read or written.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// An export's file could not be made.
    #[error(transparent)]
    Export(#[from] crate::store::export::ExportError),
    /// The save archive failed.
    #[error("save archive: {0}")]
    Archive(#[from] ArchiveError),
    /// A GBA VC save file could not be read or written.
    #[error(transparent)]
    GbaVc(#[from] crate::platform::GbaVcError),
    /// A GBA VC save container or backup was refused.
    #[error("GBA save: {0}")]
    GbaSave(#[from] keepsake_format::gba_vc::AgbSaveError),
    /// The card changed since the job started.
    #[error("the card in the slot is not {expected} any more")]
    CardChanged {
        /// The card the job was started for.
        expected: String,
    },
    /// What was written did not read back.
    #[error("{what} did not read back as written; the save as it was before is in {auto_backup}")]
    VerifyFailed {
        /// Where (offset or file).
        what: String,
        /// The automatic backup to restore from.
        auto_backup: String,
    },
    /// Emptying the archive before the restore stopped half-way; extdata
    /// keeps what was deleted (it has no commit), so what is left is named.
    #[error(
        "clearing the archive stopped at {path} ({reason}); still in it: {left}; \
         the data as it was before is in {auto_backup}"
    )]
    ClearStopped {
        /// The entry whose delete failed.
        path: String,
        /// Why.
        reason: ArchiveError,
        /// The files left, in words.
        left: String,
        /// The automatic backup to restore from.
        auto_backup: String,
    },
    /// A file of a new backup read back from the SD card differently from
    /// what was written; the backup was dropped before it was published.
    #[error("the SD card did not keep {file} as written, so that backup was dropped")]
    BackupNotKept {
        /// The file, relative to the backup folder.
        file: String,
    },
    /// The chip is one whose writing is experimental, and the setting that
    /// allows it is off; nothing was read or written.
    #[error(
        "writing to 8 MiB flash cartridges is experimental and switched off, so nothing was written; backups of this cartridge work (to try a restore, set \"{setting}\": true in {config})"
    )]
    ExperimentalWritesOff {
        /// The settings key that allows it.
        setting: &'static str,
        /// The settings file.
        config: &'static str,
    },
    /// A file did not hold as many bytes as its folder listed, so it
    /// changed (or the card misread) while it was being copied.
    #[error("{path} holds {found} bytes, not the {listed} its folder listed")]
    FileChanged {
        /// The file.
        path: String,
        /// Its size in the listing.
        listed: u64,
        /// The bytes it held.
        found: u64,
    },
    /// Writing has begun, so the job cannot stop.
    #[error("the save is being written and cannot be interrupted")]
    NotCancellable,
    /// The job already ended (finished, failed or cancelled).
    #[error("the job has already ended")]
    Ended,
}

impl From<SdError> for JobError {
    fn from(e: SdError) -> Self {
        JobError::Store(StoreError::Sd(e))
    }
}
