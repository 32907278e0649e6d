//! Speed on paper: what each NDS job costs on the card's SPI bus, counted on
//! the simulated console, and the time that would take on a 3DS.
//!
//! `cargo run -p keepsake-core --release --example nds_bus_time` prints a
//! Markdown table (docs/nds-speed.md holds its output and discusses it).
//! For every chip kind: chip detection, a backup, a restore of an identical
//! save, of a save differing in one byte, and of a save differing in every
//! write unit (a full rewrite).
//!
//! The time model, with its assumptions (each one is a constant below):
//! - the SPI clock is 4 MHz, as Checkpoint and TWLSaveTool set it
//!   (spi.cpp, SPIWriteRead: `BAUDRATE_4MHZ`): 2 µs per byte either way;
//! - every transfer costs a fixed overhead on top (the call to pxi:dev, the
//!   PXI hop to the ARM9 and back). No measured figure is published; the
//!   table shows three: 0.5 ms, 1 ms, and 3.2 ms, the figure at which
//!   Checkpoint's own transfers for a 512 KiB flash restore (five per page
//!   that count, around an 11 ms page write) add up to the minute issue 11
//!   reports: 2048 x (5.5 t + 11 ms + 267 bytes x 2 us) = 60 s;
//! - a program or erase takes its datasheet's typical time, spent polling:
//!   the polls that find the chip busy are not counted as transfers (their
//!   number depends on time, not on the driver), and half a poll is added
//!   for the last one landing after the chip finished;
//! - the SD card (the automatic backup, its read-back) is not counted.

use keepsake_core::jobs::{NdsBackupJob, NdsRestoreJob, Step};
use keepsake_core::nds_card::{KNOWN_FLASH_IDS, detect, identify};
use keepsake_core::platform::{Console, SdCard};
use keepsake_core::sim::{BusStats, SimCard, SimChip, SimConsole, SimNdsCard, nds_rom_header};
use keepsake_core::store::{BackupEntry, BackupSource};
use keepsake_format::nds::ChipKind;

/// Seconds per byte at 4 MHz.
const BYTE_TIME: f64 = 8.0 / 4_000_000.0;
/// Per-transfer overheads shown, in seconds (see the module description).
const OVERHEADS: [f64; 3] = [0.000_5, 0.001, 0.003_2];

/// Typical time of one program (page write) or erase, in seconds, by kind.
fn op_times(kind: ChipKind) -> (f64, f64) {
    match kind {
        // ST M95 family serial EEPROMs: write cycle tW 5 ms (a maximum;
        // their datasheets give no typical figure).
        ChipKind::Eeprom512B | ChipKind::Eeprom8K | ChipKind::Eeprom64K | ChipKind::Eeprom128K => {
            (0.005, 0.0)
        }
        // M25PE20/40/80 datasheets: page write (0x0A, erase and program)
        // 11 ms typical.
        ChipKind::Flash256K | ChipKind::Flash512K | ChipKind::Flash1M => (0.011, 0.0),
        // M25P64 datasheet: page program 1.4 ms typical, 64 KiB sector
        // erase 1 s typical.
        ChipKind::Flash8M => (0.001_4, 1.0),
    }
}

fn part(kind: ChipKind, contents: &[u8]) -> SimChip {
    match kind {
        ChipKind::Eeprom512B => SimChip::eeprom_512(contents),
        ChipKind::Eeprom8K | ChipKind::Eeprom64K | ChipKind::Eeprom128K => {
            SimChip::eeprom(kind.capacity(), contents)
        }
        _ => {
            let id = KNOWN_FLASH_IDS
                .iter()
                .find(|(_, k)| *k == kind)
                .map(|(id, _)| *id)
                .expect("every flash kind has an id");
            SimChip::flash(id, kind.capacity(), contents)
        }
    }
}

fn console(kind: ChipKind, contents: &[u8]) -> SimConsole {
    let mut sim = SimConsole::new();
    sim.card.insert(SimCard::Nds(SimNdsCard {
        header: nds_rom_header("PAPER", "APPE"),
        banner: Vec::new(),
        chip: part(kind, contents),
        infrared: false,
    }));
    sim
}

/// Varied contents, the same for every run.
fn contents(len: usize) -> Vec<u8> {
    (0..len as u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect()
}

const DIR: &str = "/3ds/Checkpoint/saves/APPE PAPER";

fn backup(sim: &mut SimConsole) -> BusStats {
    let card = identify(&mut sim.card).expect("the simulated card is identified");
    sim.card.reset_stats();
    let mut job = NdsBackupJob::new(card.detection.chip, "PAPER", DIR, "backup");
    while let Step::Working(_) = job.step(&mut sim.devices()).expect("the backup runs") {}
    sim.card.stats()
}

fn restore(sim: &mut SimConsole, image: &[u8]) -> BusStats {
    let card = identify(&mut sim.card).expect("the simulated card is identified");
    let folder = format!("{DIR}/wanted");
    sim.sd
        .create_dir_all(&folder)
        .expect("the SD card takes a folder");
    sim.sd
        .write(&format!("{folder}/PAPER.sav"), image)
        .expect("the SD card takes the file");
    let entry = BackupEntry {
        name: "wanted".into(),
        path: folder,
        source: BackupSource::Folder,
    };
    sim.card.reset_stats();
    let mut job = NdsRestoreJob::restore(card, DIR, entry).allow_experimental_flash_8m_writes(true);
    while let Step::Working(_) = job.step(&mut sim.devices()).expect("the restore runs") {}
    sim.card.stats()
}

/// Seconds on the console for `stats` with `overhead` per transfer.
fn seconds(kind: ChipKind, stats: &BusStats, overhead: f64) -> f64 {
    let (program, erase) = op_times(kind);
    let transfers = (stats.transfers - stats.busy_polls) as f64;
    let ops = (stats.page_writes + stats.erases) as f64;
    transfers * overhead
        + (stats.bytes_out + stats.bytes_in) as f64 * BYTE_TIME
        + stats.page_writes as f64 * program
        + stats.erases as f64 * erase
        + ops * overhead / 2.0
}

fn main() {
    println!(
        "| chip | job | transfers | bytes out | bytes in | page writes | erases | {} |",
        OVERHEADS
            .map(|o| format!("time at {} ms", o * 1000.0))
            .join(" | ")
    );
    println!("|---|---|---:|---:|---:|---:|---:|{}", "---:|".repeat(3));
    for kind in ChipKind::ALL {
        let size = kind.capacity();
        let old = contents(size);
        let mut rows: Vec<(&str, BusStats)> = Vec::new();

        let mut sim = console(kind, &old);
        sim.card.reset_stats();
        detect(&mut sim.card, false).expect("the simulated chip is detected");
        rows.push(("detect", sim.card.stats()));

        rows.push(("backup", backup(&mut console(kind, &old))));
        rows.push(("identical restore", restore(&mut console(kind, &old), &old)));
        let mut one = old.clone();
        one[size / 2] ^= 1;
        rows.push(("one-byte restore", restore(&mut console(kind, &old), &one)));
        let all: Vec<u8> = old.iter().map(|b| !b).collect();
        rows.push(("full rewrite", restore(&mut console(kind, &old), &all)));

        for (job, stats) in rows {
            println!(
                "| {kind} | {job} | {} | {} | {} | {} | {} | {} |",
                stats.transfers - stats.busy_polls,
                stats.bytes_out,
                stats.bytes_in,
                stats.page_writes,
                stats.erases,
                OVERHEADS
                    .map(|o| format!("{:.2} s", seconds(kind, &stats, o)))
                    .join(" | ")
            );
        }
    }
}
