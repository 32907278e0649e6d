//! The `seed` scenario: saves kept where people keep them, found on the SD
//! card and offered for the cartridge of their game. A ROM folder in
//! TWiLight Menu++'s layout holds the cartridge's own build with its 512 KiB
//! flashcart save, and a fan translation (same game code, another version)
//! with its save beside it; the import folder holds a save nothing matches.

use keepsake_core::app::demo::{self, put_nds_backup, sample_save};
use keepsake_core::platform::SdCard;
use keepsake_core::sim::{SimChip, SimConsole, nds_rom_header};
use keepsake_core::store::found_saves::IMPORT_DIR;

use super::runner::World;

const TITLE: &str = "MOSS KNIGHT";
const CODE: &str = "AMKE";
const ROMS: &str = "/roms/nds";

pub const SCRIPT: &str = "\
press SELECT
press DOWN
press DOWN
snap settings-find-saves
press A
wait 2
snap searching
wait 40
snap search-done
press A
press A
press DOWN
press DOWN
press DOWN
snap twilight-save-details
press R+A
snap confirm-restore
press B
press UP
press R+A
press A
snap patched-rom-question
press B
press DOWN
press DOWN
press R+A
press A
snap unmatched-question
press B
press UP
press R+A
press A
wait 400
snap restored
press A
press Y
snap export-question
press LEFT
snap export-twilight-slot
press A
snap exported
";

fn put(console: &mut SimConsole, path: &str, bytes: &[u8]) {
    let dir = &path[..path.rfind('/').expect("an absolute path")];
    console.sd.create_dir_all(dir).expect("room on the SD card");
    console.sd.write(path, bytes).expect("room on the SD card");
}

/// A ROM file: `header`, then filler for the code.
fn rom(header: Vec<u8>) -> Vec<u8> {
    let mut rom = header;
    rom.resize(0x4000, 0xA5);
    rom
}

/// `chip` as a flashcart keeps it: padded with 0xFF to 512 KiB.
fn flashcart(chip: &[u8]) -> Vec<u8> {
    let mut file = chip.to_vec();
    file.resize(0x8_0000, 0xFF);
    file
}

pub fn build() -> (SimConsole, &'static [&'static str]) {
    let mut console = demo::empty_console();
    let current = sample_save(0x2000, 0x1800, 5);
    console.card.insert(demo::nds_cartridge(
        TITLE,
        CODE,
        SimChip::eeprom(0x2000, &current),
        280,
    ));
    demo::install_sample_titles(&mut console, 3);
    put_nds_backup(
        &mut console,
        CODE,
        TITLE,
        "20261101-120000",
        None,
        &sample_save(0x2000, 0x1000, 5),
    );
    put(
        &mut console,
        &format!("{ROMS}/Moss Knight.nds"),
        &rom(nds_rom_header(TITLE, CODE)),
    );
    put(
        &mut console,
        &format!("{ROMS}/saves/Moss Knight.sav"),
        &flashcart(&sample_save(0x2000, 0x1c00, 6)),
    );
    let mut patched = nds_rom_header(TITLE, CODE);
    patched[0x1E] = 1;
    let crc = keepsake_format::nds_header::header_crc(&patched[..0x15E]);
    patched[0x15E..0x160].copy_from_slice(&crc.to_le_bytes());
    put(
        &mut console,
        &format!("{ROMS}/Moss Knight (T-En).nds"),
        &rom(patched),
    );
    put(
        &mut console,
        &format!("{ROMS}/Moss Knight (T-En).sav"),
        &flashcart(&sample_save(0x2000, 0x1c00, 8)),
    );
    put(
        &mut console,
        &format!("{IMPORT_DIR}/mystery.sav"),
        &sample_save(0x2000, 0x1000, 11),
    );
    (console, &[])
}

/// The scenario's world.
pub fn world() -> Box<dyn World> {
    let (console, names) = build();
    super::scenarios::sim_world(console, names)
}
