//! The secure value around a 3DS save backup and restore.
//!
//! A backup of save data on the SD card keeps the title's secure value
//! beside it (see [`crate::store::secure_values`]); a restore puts the kept
//! value back after the commit, as JKSM does, or deletes the system's when
//! the backup kept none (Checkpoint's backups, older Keepsake's), as
//! Checkpoint does after every restore. Extdata and cartridges have no
//! secure value with the system.

use crate::jobs::JobError;
use crate::platform::{ArchiveId, ArchiveKind, Devices, MediaType};
use crate::store::secure_values::{
    KeptSecureValue, forget_secure_value, keep_secure_value, kept_secure_value,
};

/// What a backup did with the title's secure value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BackupSecureValue {
    /// Extdata, or a cartridge's save: no secure value with the system.
    NotApplicable,
    /// The title has none (its game never set one).
    NoneSet,
    /// Kept beside the backup.
    Kept,
    /// The system would not give it; the backup restores as Checkpoint's
    /// do, deleting the value.
    Unreadable(String),
}

/// What a restore did with the title's secure value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RestoredSecureValue {
    /// Extdata, or a cartridge's save.
    NotApplicable,
    /// The value kept with the backup was put back.
    PutBack {
        /// Whether it was JKSM's `._secure_value` inside the backup folder.
        from_jksm: bool,
    },
    /// The backup kept none, so the system's was deleted.
    Deleted,
}

fn applies(archive: ArchiveId) -> bool {
    archive.kind == ArchiveKind::SaveData && archive.media == MediaType::Sd
}

/// Reads the title's secure value and keeps it for the backup about to be
/// published at `destination`; a stale value kept under the same folder
/// name (of a backup deleted on a PC) is dropped when there is none now.
pub(crate) fn keep_for_backup(
    devices: &mut Devices<'_>,
    archive: ArchiveId,
    destination: &str,
) -> Result<BackupSecureValue, JobError> {
    if !applies(archive) {
        return Ok(BackupSecureValue::NotApplicable);
    }
    let folder = destination.rsplit('/').next().unwrap_or(destination);
    match devices
        .archives
        .secure_value(archive.title_id, archive.media)
    {
        Ok(Some(value)) => {
            keep_secure_value(devices.sd, archive.title_id, folder, value)?;
            Ok(BackupSecureValue::Kept)
        }
        Ok(None) => {
            forget_secure_value(devices.sd, archive.title_id, folder)?;
            Ok(BackupSecureValue::NoneSet)
        }
        Err(error) => {
            forget_secure_value(devices.sd, archive.title_id, folder)?;
            Ok(BackupSecureValue::Unreadable(error.to_string()))
        }
    }
}

/// The value kept for the backup at `backup_dir`, read before a restore
/// changes anything, so that a damaged one stops the restore at the start.
pub(crate) fn kept_for_restore(
    devices: &mut Devices<'_>,
    archive: ArchiveId,
    backup_dir: &str,
) -> Result<Option<KeptSecureValue>, JobError> {
    if !applies(archive) {
        return Ok(None);
    }
    Ok(kept_secure_value(devices.sd, archive.title_id, backup_dir)?)
}

/// After the commit: puts `kept` back, or deletes the system's value when
/// the backup kept none.
pub(crate) fn settle_after_restore(
    devices: &mut Devices<'_>,
    archive: ArchiveId,
    kept: Option<KeptSecureValue>,
) -> Result<RestoredSecureValue, JobError> {
    if !applies(archive) {
        // A cartridge keeps its value in its own save; asking the system
        // to reset it is harmless, as before.
        devices
            .archives
            .reset_secure_value(archive.title_id, archive.media)?;
        return Ok(RestoredSecureValue::NotApplicable);
    }
    match kept {
        Some(kept) => {
            devices
                .archives
                .set_secure_value(archive.title_id, archive.media, kept.value())?;
            Ok(RestoredSecureValue::PutBack {
                from_jksm: matches!(kept, KeptSecureValue::Jksm(_)),
            })
        }
        None => {
            devices
                .archives
                .reset_secure_value(archive.title_id, archive.media)?;
            Ok(RestoredSecureValue::Deleted)
        }
    }
}
