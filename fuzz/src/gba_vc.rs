//! A GBA VC save container or backup file: finding the current slot,
//! reading its save, planning a rewrite with it, and reading the bytes as a
//! backup must never panic.

use keepsake_format::gba_vc::{AgbSaveContainer, GbaBackupSave};

/// Runs the target on one input.
pub fn run(data: &[u8]) {
    if let Ok(container) = AgbSaveContainer::parse(data) {
        let slot = container.current();
        let save = slot.save().to_vec();
        if let Ok(rewrite) = container.rewrite(&save) {
            let mut copy = data.to_vec();
            rewrite.apply(&mut copy, &save, slot.header().cmac());
            // Putting the same save and CMAC back changes no byte.
            assert_eq!(copy, data);
        }
    }
    if let Ok(backup) = GbaBackupSave::parse(data) {
        let _ = backup.save().len();
    }
}
