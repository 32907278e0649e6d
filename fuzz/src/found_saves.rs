//! Matching saves found on the SD card never panics: a ROM's header (any
//! bytes a file may start with), its comparison with a cartridge's, and the
//! game codes in a file name.

use keepsake_core::store::found_saves::{RomHeader, game_codes_in_name};

/// Runs the target on one input.
pub fn run(data: &[u8]) {
    if let Some(rom) = RomHeader::parse("/roms/a.nds", data) {
        assert_eq!(rom.game_code.len(), 4);
        assert!(
            rom.differences(data).is_empty(),
            "a header is its own build"
        );
        let _ = rom.differences(&data[..data.len() / 2]);
    }
    let name = String::from_utf8_lossy(data);
    for code in game_codes_in_name(&name) {
        assert_eq!(code.len(), 4);
    }
}
