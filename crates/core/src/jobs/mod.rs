//! Backup, restore, verify, erase and export as step machines.
//!
//! A job does a bounded piece of work per [`step`](NdsBackupJob::step) —
//! one SPI chunk, one page, one chunk of a file (never a whole file: an
//! extdata file reaches 128 MiB), one delete — and reports [`Progress`], so
//! the UI redraws between steps without threads and tests run
//! deterministically.
//! Every step takes the console's [`Devices`](crate::platform::Devices).
//!
//! Backups and exports can be cancelled at any step. A restore (or erase) can be
//! cancelled until its first write to the save; from then on it runs to the
//! end or to an error, and it always begins by saving the current save as
//! an automatic backup.
//!
//! Before its first write a restore records the restore journal
//! ([`crate::store::journal`]) and removes it after its read-back, so a
//! restore cut short is found at the next start. In between it is in its
//! critical section (`critical()`): the app must not let the system end it
//! (see [`crate::app::SystemEvents`]).
//!
//! Memory: an old 3DS gives an app about 30 MiB of heap, so files move a
//! chunk at a time (`stream`). Budgets, each stated in its job's module
//! comment and checked under a counting allocator by
//! `tests/memory_budget.rs`: a 3DS job at most 2 MiB whatever the save's
//! size; an NDS job at most the chip's size + 1 MiB; a GBA VC job at most
//! 1 MiB (its save is at most 128 KiB, its container twice that).

mod archive_clear;
mod batch_backup;
mod ctr_backup;
mod ctr_restore;
mod ctr_verify;
mod error;
mod gba_backup;
mod gba_read;
mod gba_restore;
mod nds_backup;
mod nds_export;
mod nds_restore;
mod nds_verify;
mod progress;
mod publish;
mod secure_value;
mod stream;
mod tree;

pub use batch_backup::{BatchBackupJob, BatchBackupReport, BatchTarget, TitleResult};
pub use ctr_backup::{CtrBackupJob, CtrBackupReport};
pub use ctr_restore::{CtrRestoreJob, CtrRestoreReport};
pub use ctr_verify::{CtrVerifyJob, CtrVerifyReport};
pub use error::JobError;
pub use gba_backup::{GbaBackupJob, GbaBackupReport};
pub use gba_read::GBA_BACKUP_FILE;
pub use gba_restore::{GbaRestoreJob, GbaRestoreReport};
pub use nds_backup::{NdsBackupJob, NdsBackupReport};
pub use nds_export::{NdsExportJob, NdsExportReport};
pub use nds_restore::{EXPERIMENTAL_FLASH_8M_KEY, NdsRestoreJob, NdsRestoreReport};
pub use nds_verify::{NdsVerifyJob, NdsVerifyReport};
pub use progress::{Phase, Progress, Step};
pub use secure_value::{BackupSecureValue, RestoredSecureValue};

/// Bytes read from a save chip per step.
pub const READ_CHUNK: usize = 32 * 1024;

/// The name of an automatic backup made before a restore or erase:
/// `YYYYMMDD-HHMMSS-auto`, so it sorts among Checkpoint's dated folders.
pub fn auto_backup_name(now: crate::platform::DateTime) -> String {
    format!("{}-auto", now.folder_name())
}

#[cfg(test)]
mod chunk_tests;
#[cfg(test)]
mod ctr_tests;
#[cfg(test)]
mod dsiware_tests;
#[cfg(test)]
mod gba_tests;
#[cfg(test)]
mod journal_tests;
#[cfg(test)]
mod nds_chunk_tests;
#[cfg(test)]
mod secure_value_tests;
#[cfg(test)]
mod system_save_tests;
#[cfg(test)]
mod tests;
