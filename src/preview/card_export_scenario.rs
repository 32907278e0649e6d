//! The `card-export` scenario: the NDS cartridge's save exported straight
//! from its 8 MiB flash chip as a DeSmuME `.dsv`. The chip is read a 32 KiB
//! piece a frame, so the script's frame counts land on known moments: the
//! frame of A reads the first piece, 256 frames read the whole chip (the
//! last of them says what is written next), then the file is written and
//! read back 256 KiB a frame (33 frames each for 8 MiB and the footer).

use keepsake_core::app::demo::{self, sample_save};
use keepsake_core::sim::{SimChip, SimConsole};

use super::runner::World;

const TITLE: &str = "STAR ATLAS";
const CODE: &str = "ASAE";
/// The 8 MiB flash (JEDEC id of ST's M25P64: 0x20 maker, 0x40 type, 0x17
/// for 2^23 bytes).
const CHIP_SIZE: usize = 8 << 20;
const JEDEC_8M: u32 = 0x20_4017;

// `press A` runs two frames (pieces 1 and 2), `wait 60` sixty more: 62
// pieces read. `wait 206` reaches piece 256 and writes 12 pieces of 256 KiB
// (3 MiB); `wait 70` ends the write and the read-back.
pub const SCRIPT: &str = "\
press Y
press RIGHT
snap export-question
press A
wait 60
snap reading
wait 206
snap writing
wait 70
snap exported
";

pub fn build() -> SimConsole {
    let mut console = demo::empty_console();
    console.card.insert(demo::nds_cartridge(
        TITLE,
        CODE,
        SimChip::flash(JEDEC_8M, CHIP_SIZE, &sample_save(CHIP_SIZE, 0x30_0000, 9)),
        40,
    ));
    demo::install_sample_titles(&mut console, 3);
    console
}

/// The scenario's world.
pub fn world() -> Box<dyn World> {
    super::scenarios::sim_world(build(), &[])
}
