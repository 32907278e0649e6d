//! The `batch` scenario: several titles backed up in one job. L+Y on the
//! NDS cartridge starts marking with it marked; three installed titles are
//! marked with A, one of which (Harbor Tales) was never started, so its
//! save was never made. L+A backs them up one after another: the job
//! screen shows which title of how many and its own progress (Pocket
//! Garden's 2 MiB file copied and read back a 256 KiB chunk a frame); the
//! result lists each title, the failure selected first, then a title
//! backed up and its folder.

use keepsake_core::app::demo::{self, sample_save};
use keepsake_core::platform::{ArchiveId, ArchiveKind, MediaType};
use keepsake_core::sim::{MemTree, SimChip, SimConsole};

use super::runner::World;

pub const SCRIPT: &str = "\
press L+Y
press DOWN
press A
press DOWN
press DOWN
press A
press DOWN
press A
snap marking
press L+A
wait 9
snap backing-up
wait 60
snap result-failure
press DOWN
snap result-backed-up
";

/// A save of a main file and a world file of `big` bytes.
fn save(seed: u8, big: usize) -> MemTree {
    let mut tree = MemTree::new();
    tree.create_dir_all("/data").expect("a fresh tree");
    tree.write("/main", &[seed; 2048]).expect("a fresh tree");
    tree.write("/data/world.bin", &vec![seed ^ 0x5A; big])
        .expect("a fresh tree");
    tree
}

pub fn build() -> SimConsole {
    let mut console = demo::empty_console();
    console.card.insert(demo::nds_cartridge(
        "STARFALL DS",
        "ASFE",
        SimChip::eeprom(0x1_0000, &sample_save(0x1_0000, 0x3000, 7)),
        20,
    ));
    // Pocket Garden, Star Courier 3D, Harbor Tales, Lumen Quest.
    demo::install_sample_titles(&mut console, 4);
    let archive = |index: usize| ArchiveId {
        kind: ArchiveKind::SaveData,
        media: MediaType::Sd,
        title_id: demo::sample_title_id(index),
    };
    console.archives.insert(archive(0), save(1, 2 << 20));
    console.archives.insert(archive(1), save(2, 40_000));
    console.archives.insert_unformatted(archive(2));
    console.archives.insert(archive(3), save(4, 60_000));
    console
}

/// The scenario's world.
pub fn world() -> Box<dyn World> {
    super::scenarios::sim_world(build(), &[])
}
