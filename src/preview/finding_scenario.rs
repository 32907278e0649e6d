//! The `finding` scenario: a title marked as a favourite (X), the list
//! filtered (R) to the titles with backups, then ordered by title id
//! (L+R), the favourite selected. Four of seven SD titles have backups, whose ids run in another
//! order than their names, and a folder holds backups of a game neither
//! inserted nor installed.

use keepsake_core::app::demo::{self, put_ctr_backup, put_nds_backup, sample_save};
use keepsake_core::sim::{SimChip, SimConsole};

use super::runner::World;

pub const SCRIPT: &str = "\
press DOWN
press DOWN
press X
snap favourite
press R
press R
press R
snap no-system-titles
press R
press L+R
press DOWN
snap with-backups-by-title-id
";

pub fn world() -> Box<dyn World> {
    let mut console: SimConsole = demo::empty_console();
    let save = sample_save(0x1_0000, 0x3000, 7);
    console.card.insert(demo::nds_cartridge(
        "STARFALL DS",
        "ASFE",
        SimChip::eeprom(0x1_0000, &save),
        20,
    ));
    demo::install_sample_titles(&mut console, 7);
    put_nds_backup(
        &mut console,
        "ASFE",
        "STARFALL DS",
        "20261120-190233",
        None,
        &save,
    );
    put_nds_backup(
        &mut console,
        "ASKE",
        "SKY ATLAS",
        "20260904-110000",
        None,
        &save,
    );
    // Star Courier 3D, Harbor Tales, Lumen Quest, Moss & Stone.
    for (index, folder) in [
        (1, "20261001-080000"),
        (2, "20261012-081500"),
        (3, "20261014-210000"),
        (6, "20261030-170500"),
    ] {
        put_ctr_backup(
            &mut console,
            demo::sample_title_id(index),
            demo::SAMPLE_NAMES[index],
            folder,
            &[index as u8; 4096],
        );
    }
    super::scenarios::sim_world(console, &[])
}
