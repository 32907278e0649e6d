//! The `extdata` scenario: a 3DS title's backup list switched from its
//! save data to its extdata (Right), the extdata's backups, one restored
//! over the extdata the game has now (no commit, no secure value: the
//! result says what was done), then a title that keeps no extdata.

use keepsake_core::app::demo::{self, put_ctr_backup};
use keepsake_core::platform::{ArchiveId, ArchiveKind, MediaType, SdCard};
use keepsake_core::sim::{MemTree, SimConsole};

use super::runner::World;

pub const SCRIPT: &str = "\
press A
snap save-data-side
press RIGHT
snap extdata-side
press DOWN
snap extdata-backup
press R+A
snap extdata-restore-question
press A
wait 60
snap extdata-restored
press A
press B
press DOWN
press A
press RIGHT
snap no-extdata
";

pub fn world() -> Box<dyn World> {
    let mut console: SimConsole = demo::empty_console();
    demo::install_sample_titles(&mut console, 2);
    let title_id = demo::sample_title_id(0);
    let name = demo::SAMPLE_NAMES[0];
    put_ctr_backup(&mut console, title_id, name, "20261101-093000", &[1; 4096]);
    // The extdata the game keeps now, and one backup of it in Checkpoint's
    // extdata folder.
    let mut extdata = MemTree::new();
    extdata.create_dir_all("/boss").unwrap();
    extdata.write("/boss/news.bin", &[2; 20_000]).unwrap();
    extdata.write("/garden.dat", &[3; 6_000]).unwrap();
    let id = ArchiveId {
        kind: ArchiveKind::ExtData,
        media: MediaType::Sd,
        title_id,
    };
    console.archives.insert(id, extdata);
    let folder = format!("/3ds/Checkpoint/extdata/0x01001 {name}/20261110-201500");
    console
        .sd
        .create_dir_all(&format!("{folder}/boss"))
        .unwrap();
    console
        .sd
        .write(&format!("{folder}/boss/news.bin"), &[4; 18_000])
        .unwrap();
    console
        .sd
        .write(&format!("{folder}/garden.dat"), &[5; 5_500])
        .unwrap();
    super::scenarios::sim_world(console, &[])
}
