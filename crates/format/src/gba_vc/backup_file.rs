//! A GBA VC save backup as found in a backup folder: the bare save of one of
//! the five GBA save sizes (Checkpoint 4+ writes `00000001.sav` this way), or
//! a whole AGBSAVE container (what older tools dumped), whose current slot
//! then gives the save. Checkpoint's `GbaSave::restore` reads both.

use super::container::AgbSaveContainer;
use super::error::AgbSaveError;
use super::slot_header::is_valid_save_size;

/// The GBA save a backup file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GbaBackupSave<'a> {
    save: &'a [u8],
    from_container: bool,
}

impl<'a> GbaBackupSave<'a> {
    /// Reads a backup file's bytes.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, AgbSaveError> {
        if is_valid_save_size(bytes.len() as u64) {
            return Ok(GbaBackupSave {
                save: bytes,
                from_container: false,
            });
        }
        match AgbSaveContainer::parse(bytes) {
            Ok(container) => Ok(GbaBackupSave {
                save: container.current().save(),
                from_container: true,
            }),
            Err(_) => Err(AgbSaveError::NotAGbaSave { len: bytes.len() }),
        }
    }

    /// The save.
    pub fn save(&self) -> &'a [u8] {
        self.save
    }

    /// Whether the file was a whole container rather than a bare save.
    pub fn from_container(&self) -> bool {
        self.from_container
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bare_save_is_taken_as_it_is() {
        let bytes = vec![0x42; 64 * 1024];
        let backup = GbaBackupSave::parse(&bytes).unwrap();
        assert_eq!(backup.save().len(), 65536);
        assert!(!backup.from_container());
    }

    #[test]
    fn a_container_gives_its_current_save() {
        let mut bytes = vec![0xFF; 0x200];
        bytes[..4].copy_from_slice(b".SAV");
        bytes[0x34] = 1;
        bytes[0x50..0x54].copy_from_slice(&0x200u32.to_le_bytes());
        bytes[0x54..0x58].copy_from_slice(&512u32.to_le_bytes());
        bytes.extend([0x77; 512]);
        bytes.extend([0xFF; 0x400]);
        let backup = GbaBackupSave::parse(&bytes).unwrap();
        assert_eq!(backup.save(), &[0x77; 512][..]);
        assert!(backup.from_container());
    }

    #[test]
    fn anything_else_is_refused_with_its_size() {
        let error = GbaBackupSave::parse(&[0; 1000]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "1000 bytes is not a GBA save (512 B, 8 KiB, 32 KiB, 64 KiB or 128 KiB) nor a GBA VC save container with a saved slot"
        );
    }
}
