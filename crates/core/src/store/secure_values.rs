//! The secure values kept with 3DS save backups.
//!
//! A title's secure value is a number the system keeps apart from the save
//! (in the SD slot, per title) and that some games compare with one stored
//! in their save, to refuse a save restored from elsewhere. Checkpoint
//! deletes it after every restore, which those games also refuse; JKSM
//! stores it with the backup and puts it back (J-D-K/JKSM,
//! `JKSM/source/AppStates/BackupMenuState.cpp`: 8 bytes, little-endian, in
//! a file `._secure_value` inside the backup folder).
//!
//! Keepsake keeps nothing foreign inside a backup folder, since Checkpoint
//! restores a folder verbatim and would put the file into the save. The
//! value goes beside it instead, in the same 8-byte form:
//! `/3ds/Keepsake/secure-values/0x<unique id>/<backup folder>.bin`. A JKSM
//! backup's `._secure_value` is read too (and never restored as a file).

use super::StoreError;
use super::naming::{KEEPSAKE_DIR, unique_id_of_folder};
use crate::platform::sd::{SdCard, join, read_recovering, write_atomic};
use crate::platform::titles::unique_id;
use crate::platform::{SdError, sd};

/// Where Keepsake keeps secure values.
pub const SECURE_VALUES_DIR: &str = "/3ds/Keepsake/secure-values";
/// The name JKSM gives a secure value inside a backup folder.
pub const JKSM_SECURE_VALUE_FILE: &str = "._secure_value";

const _: () = assert!(SECURE_VALUES_DIR.len() > KEEPSAKE_DIR.len());

/// Where a secure value was found for a backup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeptSecureValue {
    /// Kept by Keepsake beside the backup.
    Keepsake(u64),
    /// Inside the backup folder, as JKSM keeps it.
    Jksm(u64),
}

impl KeptSecureValue {
    /// The value.
    pub fn value(self) -> u64 {
        match self {
            KeptSecureValue::Keepsake(value) | KeptSecureValue::Jksm(value) => value,
        }
    }
}

/// The file keeping the secure value of backup folder `backup_folder` (its
/// name, not its path) of title `title_id`.
pub fn secure_value_path(title_id: u64, backup_folder: &str) -> String {
    path_by_unique_id(unique_id(title_id), backup_folder)
}

fn path_by_unique_id(unique_id: u32, backup_folder: &str) -> String {
    format!("{SECURE_VALUES_DIR}/0x{unique_id:05X}/{backup_folder}.bin")
}

/// Reads 8 bytes, little-endian, as a secure value.
pub fn parse_secure_value(path: &str, bytes: &[u8]) -> Result<u64, StoreError> {
    let bytes: [u8; 8] = bytes.try_into().map_err(|_| StoreError::SecureValue {
        path: path.to_owned(),
        len: bytes.len(),
    })?;
    Ok(u64::from_le_bytes(bytes))
}

/// Keeps `value` for the backup folder `backup_folder` of `title_id`,
/// written atomically.
pub fn keep_secure_value(
    sd: &mut dyn SdCard,
    title_id: u64,
    backup_folder: &str,
    value: u64,
) -> Result<(), StoreError> {
    let path = secure_value_path(title_id, backup_folder);
    let dir = &path[..path.rfind('/').unwrap_or(0)];
    sd.create_dir_all(dir)?;
    write_atomic(sd, &path, &value.to_le_bytes())?;
    Ok(())
}

/// The secure value kept for the backup at `backup_dir` (a folder path whose
/// last part is the backup folder's name): Keepsake's first, else JKSM's
/// inside the folder, else none (a backup of Checkpoint or an older
/// Keepsake).
pub fn kept_secure_value(
    sd: &mut dyn SdCard,
    title_id: u64,
    backup_dir: &str,
) -> Result<Option<KeptSecureValue>, StoreError> {
    let folder = backup_dir.trim_end_matches('/');
    let name = &folder[folder.rfind('/').map_or(0, |at| at + 1)..];
    let ours = secure_value_path(title_id, name);
    match read_recovering(sd, &ours) {
        Ok(bytes) => {
            return parse_secure_value(&ours, &bytes).map(|v| Some(KeptSecureValue::Keepsake(v)));
        }
        Err(SdError::NotFound { .. }) => {}
        Err(error) => return Err(error.into()),
    }
    let jksm = join(folder, JKSM_SECURE_VALUE_FILE);
    match sd.read(&jksm) {
        Ok(bytes) => parse_secure_value(&jksm, &bytes).map(|v| Some(KeptSecureValue::Jksm(v))),
        Err(SdError::NotFound { .. }) => Ok(None),
        Err(error) => Err(error.into()),
    }
}

/// Forgets the secure value of a deleted backup; nothing to forget is fine.
pub fn forget_secure_value(
    sd: &mut dyn SdCard,
    title_id: u64,
    backup_folder: &str,
) -> Result<(), StoreError> {
    forget_path(sd, &secure_value_path(title_id, backup_folder))
}

/// Forgets the secure value of the backup folder at `backup_dir`, a 3DS
/// title's (`…/0x01234 Game/<backup>`); any other folder has none.
pub fn forget_secure_value_of(sd: &mut dyn SdCard, backup_dir: &str) -> Result<(), StoreError> {
    let mut parts = backup_dir.trim_end_matches('/').rsplit('/');
    let (Some(folder), Some(title_folder)) = (parts.next(), parts.next()) else {
        return Ok(());
    };
    match unique_id_of_folder(title_folder) {
        Some(unique_id) => forget_path(sd, &path_by_unique_id(unique_id, folder)),
        None => Ok(()),
    }
}

fn forget_path(sd: &mut dyn SdCard, path: &str) -> Result<(), StoreError> {
    let path = path.to_owned();
    for candidate in [path.clone(), format!("{path}{}", sd::TEMP_SUFFIX)] {
        match sd.remove_file(&candidate) {
            Ok(()) | Err(SdError::NotFound { .. }) => {}
            Err(error) => return Err(error.into()),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{PowerSupply, SimSd};

    const TITLE: u64 = 0x0004_0000_0012_3400;

    #[test]
    fn kept_beside_the_backup_as_eight_little_endian_bytes() {
        let mut sd = SimSd::new(1 << 20, PowerSupply::new());
        keep_secure_value(&mut sd, TITLE, "20261130-101500", 0x0102_0304_0506_0708).unwrap();
        // Unique id 0x01234: the title id's low 32 bits shifted right by 8.
        let path = "/3ds/Keepsake/secure-values/0x01234/20261130-101500.bin";
        assert_eq!(sd.read(path).unwrap(), [8, 7, 6, 5, 4, 3, 2, 1]);
        let backup = "/3ds/Checkpoint/saves/0x01234 Game/20261130-101500";
        assert_eq!(
            kept_secure_value(&mut sd, TITLE, backup).unwrap(),
            Some(KeptSecureValue::Keepsake(0x0102_0304_0506_0708))
        );
        forget_secure_value(&mut sd, TITLE, "20261130-101500").unwrap();
        assert_eq!(kept_secure_value(&mut sd, TITLE, backup).unwrap(), None);

        // Deleting the backup folder forgets its value, found by the title
        // folder's unique id alone.
        keep_secure_value(&mut sd, TITLE, "20261130-101500", 7).unwrap();
        forget_secure_value_of(&mut sd, backup).unwrap();
        assert!(sd.read(path).is_err());
        // An NDS backup folder has none, and that is fine.
        forget_secure_value_of(&mut sd, "/3ds/Checkpoint/saves/ASNE SONIC/x").unwrap();
    }

    #[test]
    fn a_jksm_backup_gives_its_own_file() {
        let mut sd = SimSd::new(1 << 20, PowerSupply::new());
        let backup = "/JKSM/Saves/Game/backup one";
        sd.create_dir_all(backup).unwrap();
        sd.write(
            &format!("{backup}/._secure_value"),
            &[0xEF, 0xBE, 0xAD, 0xDE, 0, 0, 0, 0],
        )
        .unwrap();
        assert_eq!(
            kept_secure_value(&mut sd, TITLE, backup).unwrap(),
            Some(KeptSecureValue::Jksm(0xDEAD_BEEF))
        );
    }

    #[test]
    fn a_damaged_value_is_an_error_naming_the_file() {
        let mut sd = SimSd::new(1 << 20, PowerSupply::new());
        let backup = "/JKSM/Saves/Game/b";
        sd.create_dir_all(backup).unwrap();
        sd.write(&format!("{backup}/._secure_value"), &[1, 2, 3])
            .unwrap();
        let error = kept_secure_value(&mut sd, TITLE, backup).unwrap_err();
        assert_eq!(
            error.to_string(),
            "/JKSM/Saves/Game/b/._secure_value is 3 bytes; a secure value is 8"
        );
    }
}
