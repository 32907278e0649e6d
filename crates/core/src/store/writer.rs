//! Writing a backup so that it appears whole or not at all.
//!
//! Files are written into `/3ds/Keepsake/staging/<name>`, then the staging
//! folder is renamed to `<title folder>/<name>` in one step. A power cut
//! leaves at most a stale staging folder (cleared by [`clean_staging`] or
//! the next backup), never a half backup among Checkpoint's folders, and
//! never a temporary file inside a backup folder.

use crate::platform::SdCard;
use crate::platform::sd::join;
use crate::store::StoreError;
use crate::store::naming::STAGING_DIR;

/// A backup being written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupWriter {
    staging: String,
    destination: String,
    title_dir: String,
}

/// Removes what interrupted backups left behind.
pub fn clean_staging(sd: &mut dyn SdCard) -> Result<(), StoreError> {
    if sd.kind_of(STAGING_DIR)? == Some(true) {
        sd.remove_dir_all(STAGING_DIR)?;
    }
    Ok(())
}

/// `name`, or `name-2`, `name-3`, … when a folder of that name is already
/// in `title_dir`: the name [`BackupWriter::begin`] will give a backup, so
/// a question can name the folder before it is made.
pub fn free_name(sd: &mut dyn SdCard, title_dir: &str, name: &str) -> Result<String, StoreError> {
    let mut free = name.to_owned();
    let mut n = 2;
    while sd.kind_of(&join(title_dir, &free))?.is_some() {
        free = format!("{name}-{n}");
        n += 1;
    }
    Ok(free)
}

impl BackupWriter {
    /// Starts a backup named `name` in `title_dir`; if a backup of that
    /// name exists, `-2`, `-3`, … is appended.
    pub fn begin(sd: &mut dyn SdCard, title_dir: &str, name: &str) -> Result<Self, StoreError> {
        let destination = join(title_dir, &free_name(sd, title_dir, name)?);
        let staging = join(STAGING_DIR, destination.rsplit('/').next().unwrap_or(name));
        if sd.kind_of(&staging)?.is_some() {
            sd.remove_dir_all(&staging)?;
        }
        sd.create_dir_all(&staging)?;
        Ok(Self {
            staging,
            destination,
            title_dir: title_dir.to_owned(),
        })
    }

    /// Where the backup will be once finished.
    pub fn destination(&self) -> &str {
        &self.destination
    }

    /// Creates a folder inside the backup (`relative` without a leading `/`).
    pub fn create_dir(&self, sd: &mut dyn SdCard, relative: &str) -> Result<(), StoreError> {
        sd.create_dir_all(&join(&self.staging, relative.trim_start_matches('/')))?;
        Ok(())
    }

    /// Where a file of the backup is staged (`relative` without a leading
    /// `/`), for writing it a chunk at a time with [`SdCard::write_at`].
    pub fn staged_path(&self, relative: &str) -> String {
        join(&self.staging, relative.trim_start_matches('/'))
    }

    /// Writes a file inside the backup; its folder must have been created.
    pub fn write_file(
        &self,
        sd: &mut dyn SdCard,
        relative: &str,
        bytes: &[u8],
    ) -> Result<(), StoreError> {
        sd.write(
            &join(&self.staging, relative.trim_start_matches('/')),
            bytes,
        )?;
        Ok(())
    }

    /// Reads back a file written into the backup.
    pub fn read_file(&self, sd: &mut dyn SdCard, relative: &str) -> Result<Vec<u8>, StoreError> {
        Ok(sd.read(&join(&self.staging, relative.trim_start_matches('/')))?)
    }

    /// Puts the finished backup in place; returns its folder.
    pub fn finish(self, sd: &mut dyn SdCard) -> Result<String, StoreError> {
        sd.create_dir_all(&self.title_dir)?;
        sd.rename(&self.staging, &self.destination)?;
        Ok(self.destination)
    }

    /// Drops an unfinished backup.
    pub fn abandon(self, sd: &mut dyn SdCard) -> Result<(), StoreError> {
        if sd.kind_of(&self.staging)?.is_some() {
            sd.remove_dir_all(&self.staging)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{PowerSupply, SimSd};

    #[test]
    fn a_backup_appears_only_when_finished_and_names_do_not_collide() {
        let mut sd = SimSd::new(1 << 20, PowerSupply::new());
        let title = "/3ds/Checkpoint/saves/ASNE SONIC";
        let w = BackupWriter::begin(&mut sd, title, "20260101-000000").unwrap();
        w.write_file(&mut sd, "SONIC.sav", b"save").unwrap();
        assert_eq!(sd.kind_of(title).unwrap(), None, "nothing visible yet");
        let done = w.finish(&mut sd).unwrap();
        assert_eq!(done, format!("{title}/20260101-000000"));
        assert_eq!(sd.read(&format!("{done}/SONIC.sav")).unwrap(), b"save");
        assert!(sd.list(STAGING_DIR).unwrap().is_empty());

        let again = BackupWriter::begin(&mut sd, title, "20260101-000000").unwrap();
        assert_eq!(again.destination(), format!("{title}/20260101-000000-2"));
        again.abandon(&mut sd).unwrap();
        assert_eq!(sd.list(title).unwrap().len(), 1);
    }
}
