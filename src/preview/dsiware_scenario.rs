//! The `dsiware` scenario: the "DSiWare saves" setting (Checkpoint's "Show
//! DSiWare saves") on, two DSiWare titles listed among the installed ones
//! with their badge and their ROM headers' names; a Checkpoint backup of
//! one restored after the usual confirmation, and the other, whose `data`
//! folder does not exist, explained. The titles are read one a frame after
//! the start, hence the wait.

use keepsake_core::app::demo;
use keepsake_core::platform::SdCard;
use keepsake_core::sim::dsiware::{DESK_TOOL, FLIPBOOK, install_dsiware};
use keepsake_core::sim::{SimConsole, nds_rom_header};

use super::runner::World;

pub const SCRIPT: &str = "\
wait 10
press SELECT
press DOWN
press DOWN
press DOWN
press DOWN
press DOWN
snap dsiware-setting
press B
press DOWN
press DOWN
press DOWN
snap dsiware-listed
press A
snap dsiware-backups
press DOWN
press R+A
snap dsiware-restore-confirm
press A
wait 30
snap dsiware-restored
press A
press B
press UP
snap dsiware-no-data
press A
snap dsiware-no-data-backups
press B
press L+A
snap dsiware-no-data-refused
";

pub fn world() -> Box<dyn World> {
    let mut console: SimConsole = demo::empty_console();
    demo::install_sample_titles(&mut console, 2);
    install_dsiware(&mut console.titles, &mut console.archives);
    // Coloured icons for the preview, in place of the stand-ins' squares.
    for (id, title, code, hue) in [
        (FLIPBOOK, "FLIPBOOK", "KGUE", 10),
        (DESK_TOOL, "DESK TOOL", "KDTE", 220),
    ] {
        console
            .titles
            .install_twl(id, nds_rom_header(title, code), demo::sample_banner(hue));
    }
    console.sd.create_dir_all("/3ds/Keepsake").unwrap();
    console
        .sd
        .write("/3ds/Keepsake/config.json", br#"{"dsiware_saves": true}"#)
        .unwrap();
    // A backup Checkpoint made of FLIPBOOK, in its folder.
    let folder = "/3ds/Checkpoint/saves/KGUE FLIPBOOK/20261102-193000";
    console.sd.create_dir_all(folder).unwrap();
    for (file, bytes) in [
        ("public.sav", &[0x11; 0x4000][..]),
        ("private.sav", &[0x22; 0x100]),
        ("banner.sav", &[0x33; 0x4020]),
    ] {
        console
            .sd
            .write(&format!("{folder}/{file}"), bytes)
            .unwrap();
    }
    super::scenarios::sim_world(console, &[])
}
