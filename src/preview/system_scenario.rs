//! The `system` scenario: the console's own data (Checkpoint's "Show
//! system (NAND) saves", here "System data") switched on in the settings,
//! listed in its SYSTEM section after the installed titles, and a backup of
//! the shared extdata holding the Miis and Play Coins restored: the usual
//! confirmation, then the warning that asks once more. The section is
//! read a title per frame after the start, hence the wait.

use keepsake_core::app::demo;
use keepsake_core::platform::{MediaType, SdCard};
use keepsake_core::sim::SimConsole;
use keepsake_core::sim::system_data::{MII_PLAZA, SYSTEM_SETTINGS, install_system_data};

use super::runner::World;

pub const SCRIPT: &str = "\
wait 20
press SELECT
press DOWN
press DOWN
press DOWN
press DOWN
snap system-setting
press B
press DOWN
press DOWN
press DOWN
snap system-section
press A
press DOWN
snap system-backup
press R+A
snap system-restore-confirm
press A
snap system-restore-warning
press A
wait 60
snap system-restored
";

pub fn world() -> Box<dyn World> {
    let mut console: SimConsole = demo::empty_console();
    demo::install_sample_titles(&mut console, 2);
    install_system_data(&mut console.titles, &mut console.archives);
    // Coloured icons for the preview, in place of the stand-ins' blank ones.
    for (id, name, hue) in [
        (SYSTEM_SETTINGS, "System Settings", 200),
        (MII_PLAZA, "StreetPass Mii Plaza", 30),
    ] {
        let smdh = demo::sample_smdh(name, "Nintendo", hue);
        console.titles.install(MediaType::Nand, id, smdh);
    }
    console.sd.create_dir_all("/3ds/Keepsake").unwrap();
    console
        .sd
        .write("/3ds/Keepsake/config.json", br#"{"nand_saves": true}"#)
        .unwrap();
    // A backup JKSM made of the Miis' shared extdata, in its folder.
    let folder = "/JKSM/Shared Extra Data/00048000F000000B/2026-11-02_19-30-00";
    console.sd.create_dir_all(folder).unwrap();
    console
        .sd
        .write(&format!("{folder}/gamecoin.dat"), &[0x11; 20])
        .unwrap();
    console
        .sd
        .write(&format!("{folder}/idb.dat"), &[0x22; 4_000])
        .unwrap();
    super::scenarios::sim_world(console, &[])
}
