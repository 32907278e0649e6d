//! The `gba` scenario: GBA Virtual Console titles among the installed ones,
//! each with its badge. One whose game saved: its backup list (Checkpoint's
//! folder, a Checkpoint backup in it), the restore question naming the
//! automatic backup, and the result saying which slot was written and that
//! the console signed it. One whose game never saved: its list says so and
//! offers no backup.

use keepsake_core::app::demo::{self, sample_save};
use keepsake_core::platform::SdCard;
use keepsake_core::sim::SimConsole;

use super::runner::World;

pub const SCRIPT: &str = "\
snap gba-title
press A
snap gba-backups
press DOWN
press R+A
snap restore-question
press A
wait 30
snap restored
press A
press B
press DOWN
press DOWN
press DOWN
press A
snap never-saved
";

/// Unique id 0x0A6B0 (listed first, by name) and 0x0A6C0.
const SAVED: u64 = 0x0004_0000_00A6_B000;
const NEVER: u64 = 0x0004_0000_00A6_C000;

pub fn world() -> Box<dyn World> {
    let mut console: SimConsole = demo::empty_console();
    demo::install_sample_titles(&mut console, 2);
    // A 32 KiB SRAM save the game wrote three times into its first slot.
    let container = demo::sample_gba_container(SAVED, 3, &sample_save(0x8000, 0x5000, 7));
    demo::install_gba_vc_title(&mut console, SAVED, "Lantern Quest Advance", 40, container);
    demo::install_gba_vc_title(&mut console, NEVER, "Tiny Racer Advance", 300, Vec::new());
    console
        .gba_vc
        .insert_never_saved(NEVER, keepsake_core::platform::MediaType::Sd, 0x2000);
    // A backup Checkpoint made: its folder and file name.
    let folder = "/3ds/Checkpoint/saves/0x0A6B0 Lantern Quest Advance/20261101-093000";
    console.sd.create_dir_all(folder).unwrap();
    console
        .sd
        .write(
            &format!("{folder}/00000001.sav"),
            &sample_save(0x8000, 0x4800, 11),
        )
        .unwrap();
    super::scenarios::sim_world(console, &[])
}
