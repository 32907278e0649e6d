//! Costs of the NDS jobs on the simulated console: the driver, the diff and
//! the store, without the bus's real speed (which a PC cannot measure).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use keepsake_core::jobs::{NdsBackupJob, NdsRestoreJob, Step};
use keepsake_core::nds_card::{detect, identify};
use keepsake_core::platform::{Console, SdCard};
use keepsake_core::sim::{SimCard, SimChip, SimConsole, SimNdsCard, nds_rom_header};
use keepsake_core::store::BackupEntry;
use keepsake_core::store::BackupSource;

const FLASH_512K: u32 = 0x20_4013;
const SIZE: usize = 512 * 1024;

fn console(contents: &[u8]) -> SimConsole {
    let mut sim = SimConsole::new();
    sim.card.insert(SimCard::Nds(SimNdsCard {
        header: nds_rom_header("BENCH", "ABCE"),
        banner: Vec::new(),
        chip: SimChip::flash(FLASH_512K, SIZE, contents),
        infrared: false,
    }));
    sim
}

fn contents() -> Vec<u8> {
    (0..SIZE as u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect()
}

fn bench_jobs(c: &mut Criterion) {
    let data = contents();
    let mut group = c.benchmark_group("nds 512 KiB flash");
    group.throughput(Throughput::Bytes(SIZE as u64));
    group.sample_size(20);

    group.bench_function("backup job", |b| {
        let mut sim = console(&data);
        let card = identify(&mut sim.card).unwrap();
        b.iter(|| {
            let mut job = NdsBackupJob::new(
                card.detection.chip,
                "BENCH",
                "/3ds/Checkpoint/saves/ABCE BENCH",
                "b",
            );
            let report = loop {
                if let Step::Finished(r) = job.step(&mut sim.devices()).unwrap() {
                    break r;
                }
            };
            sim.sd.remove_dir_all(&report.folder).unwrap();
        })
    });

    group.bench_function("restore job, one page differs", |b| {
        let mut sim = console(&data);
        let dir = "/3ds/Checkpoint/saves/ABCE BENCH/wanted";
        sim.sd.create_dir_all(dir).unwrap();
        sim.sd.write(&format!("{dir}/BENCH.sav"), &data).unwrap();
        let card = identify(&mut sim.card).unwrap();
        let entry = BackupEntry {
            name: "wanted".into(),
            path: dir.into(),
            source: BackupSource::Folder,
        };
        b.iter(|| {
            sim.card.nds_chip_mut().unwrap().memory_mut()[4096] ^= 1;
            // Keep the SD card from filling with automatic backups.
            let _ = sim
                .sd
                .remove_dir_all("/3ds/Checkpoint/saves/ABCE BENCH/20260101-000000-auto");
            let mut job = NdsRestoreJob::restore(
                card.clone(),
                "/3ds/Checkpoint/saves/ABCE BENCH",
                entry.clone(),
            );
            loop {
                if let Step::Finished(r) = job.step(&mut sim.devices()).unwrap() {
                    break r;
                }
            }
        })
    });
    group.finish();

    c.bench_function("detect blank 64 KiB EEPROM (probe write)", |b| {
        let mut sim = SimConsole::new();
        sim.card.insert(SimCard::Nds(SimNdsCard {
            header: nds_rom_header("BENCH", "ABCE"),
            banner: Vec::new(),
            chip: SimChip::eeprom(0x1_0000, &[]),
            infrared: false,
        }));
        b.iter(|| detect(&mut sim.card, false).unwrap())
    });
}

criterion_group!(benches, bench_jobs);
criterion_main!(benches);
