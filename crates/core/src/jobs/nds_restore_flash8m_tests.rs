//! Restores onto the 8 MiB flash: refused unless the experimental setting
//! allows it; when allowed, unlocked by the vendor sequence only once there
//! is something to write, and each sector erased only right before it is
//! programmed, after the automatic backup is on the SD card.

use keepsake_format::nds::ChipKind;
use keepsake_testkit::rand::RngCore;
use keepsake_testkit::rng;

use super::*;
use crate::jobs::Step;
use crate::nds_card::identify;
use crate::platform::{ArchiveKind, Console, SdCard};
use crate::sim::{SimCard, SimChip, SimConsole, SimNdsCard, nds_rom_header};
use crate::store::{BackupSource, Config, title_dir};

const SIZE: usize = 8 << 20;
const SECTOR: usize = 0x1_0000;

fn console(contents: &[u8]) -> SimConsole {
    let mut sim = SimConsole::new();
    sim.card.insert(SimCard::Nds(SimNdsCard {
        header: nds_rom_header("BIG GAME", "BBDE"),
        banner: Vec::new(),
        chip: SimChip::flash(0x20_4017, SIZE, contents),
        infrared: false,
    }));
    sim
}

fn random(name: &str, len: usize) -> Vec<u8> {
    let mut v = vec![0; len];
    rng::for_test(name).fill_bytes(&mut v);
    v
}

/// A backup folder holding `image`, as the user would have made it.
fn stored_backup(sim: &mut SimConsole, dir: &str, image: &[u8]) -> BackupEntry {
    let folder = format!("{dir}/wanted");
    sim.sd.create_dir_all(&folder).unwrap();
    sim.sd
        .write(&format!("{folder}/BIG GAME.sav"), image)
        .unwrap();
    BackupEntry {
        name: "wanted".into(),
        path: folder,
        source: BackupSource::Folder,
    }
}

fn run(sim: &mut SimConsole, job: &mut NdsRestoreJob) -> Result<NdsRestoreReport, JobError> {
    for _ in 0..100_000 {
        match job.step(&mut sim.devices()) {
            Ok(Step::Working(_)) => {}
            Ok(Step::Finished(report)) => return Ok(report),
            Err(e) => return Err(e),
        }
    }
    panic!("the job does not finish");
}

#[test]
fn the_settings_key_is_the_one_the_config_file_uses() {
    let json = serde_json::to_value(Config::default()).unwrap();
    assert_eq!(json[EXPERIMENTAL_FLASH_8M_KEY], false, "off by default");
}

#[test]
fn with_the_setting_off_an_8_mib_restore_is_refused_before_the_bus_is_touched() {
    let old = random("8m old", SIZE);
    let mut sim = console(&old);
    let card = identify(&mut sim.card).unwrap();
    assert_eq!(card.detection.chip.kind(), ChipKind::Flash8M);
    let dir = title_dir(&Config::default(), &card.title(), ArchiveKind::SaveData);
    let wanted = stored_backup(&mut sim, &dir, &random("8m new", SIZE));
    sim.card.reset_stats();
    let mut job = NdsRestoreJob::restore(card.clone(), &dir, wanted);
    let err = run(&mut sim, &mut job).unwrap_err();
    assert!(matches!(err, JobError::ExperimentalWritesOff { .. }));
    let message = err.to_string();
    assert!(message.contains("experimental"), "{message}");
    assert!(message.contains("nothing was written"), "{message}");
    assert!(
        message.contains("\"experimental_flash_8m_writes\": true in /3ds/Keepsake/config.json"),
        "{message}"
    );
    assert_eq!(sim.card.stats().transfers, 0, "nothing sent to the card");
    assert_eq!(sim.card.nds_chip().unwrap().memory(), &old[..]);
    assert!(sim.card.nds_chip().unwrap().is_locked());
    // Erasing is writing too.
    let mut erase = NdsRestoreJob::erase(card, &dir);
    assert!(matches!(
        run(&mut sim, &mut erase),
        Err(JobError::ExperimentalWritesOff { .. })
    ));
    assert_eq!(sim.card.nds_chip().unwrap().memory(), &old[..]);
}

#[test]
fn with_the_setting_on_only_differing_sectors_are_erased_each_right_before_its_programs() {
    let old = random("8m old", SIZE);
    let mut new = old.clone();
    for at in [5, 3 * SECTOR + 77, 3 * SECTOR + 0x8000, 100 * SECTOR + 1] {
        new[at] ^= 0x3C;
    }
    // A sector whose new contents are blank pages but for one byte: the
    // blank pages need no program after the erase.
    new[40 * SECTOR..41 * SECTOR].fill(0xFF);
    new[40 * SECTOR + 300] = 0x12;
    let mut sim = console(&old);
    let card = identify(&mut sim.card).unwrap();
    let dir = title_dir(&Config::default(), &card.title(), ArchiveKind::SaveData);
    let wanted = stored_backup(&mut sim, &dir, &new);
    sim.card.record_commands();
    let mut job =
        NdsRestoreJob::restore(card, &dir, wanted).allow_experimental_flash_8m_writes(true);
    // Step until the first erase goes out: the automatic backup must by
    // then be on the SD card, whole.
    let erase_count = |sim: &SimConsole| {
        sim.card
            .recorded()
            .iter()
            .filter(|r| r.opcode() == Some(0xD8))
            .count()
    };
    let report = loop {
        let before = erase_count(&sim);
        let step = job.step(&mut sim.devices()).unwrap();
        if before == 0 && erase_count(&sim) > 0 {
            let auto = job.auto_backup().to_owned();
            assert!(!auto.is_empty());
            let kept = sim.sd.read(&format!("{auto}/BIG GAME.sav")).unwrap();
            assert_eq!(kept, old, "the automatic backup is the chip as it was");
        }
        if let Step::Finished(report) = step {
            break report;
        }
    };
    assert_eq!(sim.card.nds_chip().unwrap().memory(), &new[..]);
    // Sectors 0, 3, 40 and 100 differ (worked out by hand above).
    assert_eq!(report.units_written, 4);
    assert_eq!(report.unit_size, SECTOR);
    let records = sim.card.recorded();
    // The vendor unlock went out once, before the first erase, and the
    // status register was never written.
    let first_erase = records
        .iter()
        .position(|r| r.opcode() == Some(0xD8))
        .unwrap();
    let unlock_at = records
        .iter()
        .position(|r| r.head == [0xFA, 0x01, 0x31, 0x00])
        .unwrap();
    assert!(unlock_at < first_erase);
    assert_eq!(
        records.iter().filter(|r| r.opcode() == Some(0xF1)).count(),
        1
    );
    assert!(records.iter().all(|r| r.opcode() != Some(0x01)));
    // After each erase, only programs of that sector until the next erase.
    let mut erased_sectors = Vec::new();
    let mut current = None;
    for r in records {
        let address =
            |h: &[u8]| (usize::from(h[1]) << 16) | (usize::from(h[2]) << 8) | usize::from(h[3]);
        match r.opcode() {
            Some(0xD8) => {
                let sector = address(&r.head) / SECTOR;
                erased_sectors.push(sector);
                current = Some(sector);
            }
            Some(0x02) => {
                let sector = address(&r.head) / SECTOR;
                assert_eq!(Some(sector), current, "a program outside the erased sector");
            }
            _ => {}
        }
    }
    assert_eq!(erased_sectors, [0, 3, 40, 100]);
    // Sector 40: one page programmed, the other 255 left erased.
    let programs_in_40 = records
        .iter()
        .filter(|r| r.opcode() == Some(0x02) && r.head[1] == 0x28)
        .count();
    assert_eq!(programs_in_40, 1);
}

#[test]
fn an_identical_restore_leaves_the_8_mib_flash_locked() {
    let old = random("8m same", SIZE);
    let mut sim = console(&old);
    let card = identify(&mut sim.card).unwrap();
    let dir = title_dir(&Config::default(), &card.title(), ArchiveKind::SaveData);
    let wanted = stored_backup(&mut sim, &dir, &old);
    let mut job =
        NdsRestoreJob::restore(card, &dir, wanted).allow_experimental_flash_8m_writes(true);
    let report = run(&mut sim, &mut job).unwrap();
    assert_eq!(report.units_written, 0);
    assert!(
        sim.card.nds_chip().unwrap().is_locked(),
        "nothing to write: the protection is left as it was found"
    );
}
