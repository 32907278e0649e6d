//! Jobs on the simulated console: backup, restore, erase, verify of NDS
//! cards of every chip kind, power cuts, faults, bus costs; 3DS archives.

use keepsake_format::nds::ChipKind;
use keepsake_testkit::rand::RngCore;
use keepsake_testkit::rng;

use super::*;
use crate::nds_card::{InsertedNds, KNOWN_FLASH_IDS, identify};
use crate::platform::{ArchiveKind, Console, SdCard};
use crate::sim::{SimCard, SimChip, SimConsole, SimNdsCard, nds_rom_header};
use crate::store::{BackupEntry, BackupSource, Config, list_backups, title_dir};

pub(super) fn sim_part(kind: ChipKind, contents: &[u8]) -> SimChip {
    match kind {
        ChipKind::Eeprom512B => SimChip::eeprom_512(contents),
        ChipKind::Eeprom8K | ChipKind::Eeprom64K | ChipKind::Eeprom128K => {
            SimChip::eeprom(kind.capacity(), contents)
        }
        _ => {
            let id = KNOWN_FLASH_IDS.iter().find(|(_, k)| *k == kind).unwrap().0;
            SimChip::flash(id, kind.capacity(), contents)
        }
    }
}

fn nds_console(kind: ChipKind, contents: &[u8], code: &str, title: &str) -> SimConsole {
    let mut sim = SimConsole::new();
    sim.card.insert(SimCard::Nds(SimNdsCard {
        header: nds_rom_header(title, code),
        banner: Vec::new(),
        chip: sim_part(kind, contents),
        infrared: code.starts_with('I'),
    }));
    sim
}

fn random(name: &str, len: usize) -> Vec<u8> {
    let mut v = vec![0; len];
    rng::for_test(name).fill_bytes(&mut v);
    v
}

fn card_of(sim: &mut SimConsole) -> InsertedNds {
    identify(&mut sim.card).unwrap()
}

fn chip_memory(sim: &SimConsole) -> Vec<u8> {
    sim.card.nds_chip().unwrap().memory().to_vec()
}

macro_rules! run_job {
    ($sim:expr, $job:expr) => {{
        let mut steps = 0u32;
        loop {
            steps += 1;
            assert!(steps < 100_000, "job does not finish");
            let mut devices = $sim.devices();
            match $job.step(&mut devices) {
                Ok(Step::Working(_)) => continue,
                Ok(Step::Finished(report)) => break Ok(report),
                Err(e) => break Err(e),
            }
        }
    }};
}

fn nds_dir(card: &InsertedNds) -> String {
    title_dir(&Config::default(), &card.title(), ArchiveKind::SaveData)
}

fn backup(sim: &mut SimConsole, name: &str) -> String {
    let card = card_of(sim);
    backup_of(sim, &card, name)
}

fn backup_of(sim: &mut SimConsole, card: &InsertedNds, name: &str) -> String {
    let mut job = NdsBackupJob::new(
        card.detection.chip,
        &card.header_title,
        &nds_dir(card),
        name,
    );
    run_job!(sim, job).unwrap().folder
}

fn entry(path: &str) -> BackupEntry {
    BackupEntry {
        name: path.rsplit('/').next().unwrap().to_owned(),
        path: path.to_owned(),
        source: BackupSource::Folder,
    }
}

fn differing_bytes_units(a: &[u8], b: &[u8], unit: usize) -> usize {
    a.chunks(unit)
        .zip(b.chunks(unit))
        .filter(|(x, y)| x != y)
        .count()
}

#[test]
fn every_chip_kind_backs_up_and_restores_through_the_simulation() {
    for kind in ChipKind::ALL {
        let code = if kind == ChipKind::Flash512K {
            "IPKE"
        } else {
            "ATSE"
        };
        let original = random(&format!("original {kind}"), kind.capacity());
        let mut sim = nds_console(kind, &original, code, "TEST GAME");
        let folder = backup(&mut sim, "20260101-000000");
        assert_eq!(
            folder,
            format!("/3ds/Checkpoint/saves/{code} TEST GAME/20260101-000000")
        );
        let saved = sim.sd.read(&format!("{folder}/TEST GAME.sav")).unwrap();
        assert_eq!(saved, original, "{kind}: the backup is the chip");
        assert_eq!(sim.sd.list(&folder).unwrap().len(), 1, "nothing foreign");

        // The game plays on: a few bytes change.
        let mut played = original.clone();
        for at in [0, kind.capacity() / 3, kind.capacity() - 1] {
            played[at] ^= 0xA5;
        }
        sim.card
            .nds_chip_mut()
            .unwrap()
            .memory_mut()
            .copy_from_slice(&played);

        let card = card_of(&mut sim);
        let unit = card.detection.chip.write_unit_size();
        let mut job = NdsRestoreJob::restore(card.clone(), &nds_dir(&card), entry(&folder))
            .allow_experimental_flash_8m_writes(true);
        let report = run_job!(sim, job).unwrap();
        assert_eq!(chip_memory(&sim), original, "{kind}: restored");
        assert_eq!(
            report.units_written,
            differing_bytes_units(&played, &original, unit)
        );
        assert_eq!(report.verified_bytes, kind.capacity() as u64);
        let auto = sim
            .sd
            .read(&format!("{}/TEST GAME.sav", report.auto_backup))
            .unwrap();
        assert_eq!(
            auto, played,
            "{kind}: the automatic backup holds the save as it was"
        );
    }
}

/// Bus costs of a 512 KiB flash: backup, restore of an identical save,
/// restore of a save differing in one byte.
#[test]
fn bus_costs_of_a_512_kib_flash_are_bounded() {
    let original = random("bus costs", 512 * 1024);
    let mut sim = nds_console(ChipKind::Flash512K, &original, "ATSE", "COSTS");
    let card = card_of(&mut sim);

    sim.card.reset_stats();
    let folder = backup_of(&mut sim, &card, "b");
    let backup_cost = sim.card.stats();
    eprintln!("backup of 512 KiB flash: {backup_cost:?}");
    // 16 reads of 32 KiB, each after one status poll (the wait for a busy
    // chip that Checkpoint's SPIReadSaveData does too).
    assert_eq!(backup_cost.bytes_in, 512 * 1024 + 16);
    assert!(backup_cost.transfers <= 2 * 16, "{backup_cost:?}");
    assert!(backup_cost.bytes_out <= 16 * (4 + 1), "{backup_cost:?}");

    sim.card.reset_stats();
    let mut job = NdsRestoreJob::restore(card.clone(), &nds_dir(&card), entry(&folder));
    let report = run_job!(sim, job).unwrap();
    let identical_cost = sim.card.stats();
    eprintln!("restore of an identical save: {identical_cost:?}");
    assert_eq!(report.units_written, 0);
    assert_eq!(identical_cost.page_writes, 0);
    assert!(identical_cost.transfers <= 2 * 16, "{identical_cost:?}");

    let mut edited = original.clone();
    edited[0x4_1234] ^= 1;
    sim.card
        .nds_chip_mut()
        .unwrap()
        .memory_mut()
        .copy_from_slice(&edited);
    sim.card.reset_stats();
    let mut job = NdsRestoreJob::restore(card.clone(), &nds_dir(&card), entry(&folder));
    let report = run_job!(sim, job).unwrap();
    let one_byte_cost = sim.card.stats();
    eprintln!("restore of a save differing in one byte: {one_byte_cost:?}");
    assert_eq!(report.units_written, 1);
    assert_eq!(one_byte_cost.page_writes, 1);
    // 16 reads, one page write with its handshake, 16 reads back; each
    // read after one status poll.
    assert!(
        one_byte_cost.transfers <= 2 * (16 + 16) + 8,
        "{one_byte_cost:?}"
    );
    assert!(
        one_byte_cost.bytes_out <= 32 * (4 + 1) + 4 + 256 + 8,
        "{one_byte_cost:?}"
    );
    assert_eq!(chip_memory(&sim), original);
}

#[test]
fn power_lost_at_every_write_of_a_restore_leaves_the_save_recoverable() {
    let original = random("power original", 8192);
    let mut wanted = original.clone();
    for page in [1, 7, 100, 255] {
        wanted[page * 32 + 3] ^= 0xFF;
    }
    let fresh = || {
        let mut sim = nds_console(ChipKind::Eeprom8K, &original, "ASNE", "SONICRUSH");
        let dir = "/3ds/Checkpoint/saves/ASNE SONICRUSH/wanted";
        sim.sd.create_dir_all(dir).unwrap();
        sim.sd
            .write(&format!("{dir}/SONICRUSH.sav"), &wanted)
            .unwrap();
        sim
    };
    let wanted_entry = entry("/3ds/Checkpoint/saves/ASNE SONICRUSH/wanted");

    // How many writes (SD and card) an uninterrupted restore performs.
    let mut sim = fresh();
    let card = card_of(&mut sim);
    let before = sim.power.writes();
    let mut job = NdsRestoreJob::restore(card.clone(), &nds_dir(&card), wanted_entry.clone());
    run_job!(sim, job).unwrap();
    let total_writes = sim.power.writes() - before;
    assert_eq!(chip_memory(&sim), wanted);
    assert!(total_writes > 4, "{total_writes}");

    let mut cuts_after_card_writes = 0;
    for cut in 1..=total_writes {
        let mut sim = fresh();
        let card = card_of(&mut sim);
        sim.power.cut_after_writes(cut);
        let mut job = NdsRestoreJob::restore(card.clone(), &nds_dir(&card), wanted_entry.clone());
        let outcome = run_job!(sim, job);
        sim.power_cycle();
        let autos: Vec<String> = sim
            .sd
            .list(&nds_dir(&card))
            .unwrap()
            .into_iter()
            .filter(|e| e.name.ends_with("-auto"))
            .map(|e| e.name)
            .collect();
        let chip = chip_memory(&sim);
        if chip != original {
            cuts_after_card_writes += 1;
        }
        match autos.as_slice() {
            [] => {
                assert_eq!(chip, original, "cut {cut}: card written without a backup");
                assert!(outcome.is_err());
            }
            [auto] => {
                let dir = nds_dir(&card);
                let saved = sim.sd.read(&format!("{dir}/{auto}/SONICRUSH.sav")).unwrap();
                assert_eq!(saved, original, "cut {cut}: automatic backup incomplete");
                assert_eq!(sim.sd.list(&format!("{dir}/{auto}")).unwrap().len(), 1);
            }
            more => panic!("cut {cut}: {more:?}"),
        }
        // Back on, the restore simply runs again.
        let card = card_of(&mut sim);
        let mut again = NdsRestoreJob::restore(card.clone(), &nds_dir(&card), wanted_entry.clone());
        run_job!(sim, again).unwrap();
        assert_eq!(chip_memory(&sim), wanted, "cut {cut}: retry");
    }
    // Four pages differ: four of the cuts fell after a page was written,
    // and one after the restore journal was removed at the end.
    assert_eq!(cuts_after_card_writes, 5);
}

#[test]
fn a_checkpoint_made_backup_folder_restores() {
    let dsv = keepsake_testkit::fixture_or_skip!("nds/sonic-rush/usa.dsv");
    let save = &dsv[..8192];
    let mut sim = nds_console(ChipKind::Eeprom8K, &[0xFF; 8192], "ASNE", "SONICRUSH");
    // As Checkpoint writes it: `<code> <title>/<date>/<title>.sav`.
    let dir = "/3ds/Checkpoint/saves/ASNE SONICRUSH/20190304-112233";
    sim.sd.create_dir_all(dir).unwrap();
    sim.sd.write(&format!("{dir}/SONICRUSH.sav"), save).unwrap();
    let card = card_of(&mut sim);
    let listed = list_backups(
        &mut sim.sd,
        &Config::default(),
        &card.title(),
        ArchiveKind::SaveData,
    )
    .unwrap();
    assert_eq!(listed, vec![entry(dir)]);
    let mut job = NdsRestoreJob::restore(card.clone(), &nds_dir(&card), listed[0].clone());
    let report = run_job!(sim, job).unwrap();
    assert_eq!(chip_memory(&sim), save);
    assert_eq!(report.container, Some("raw image"));

    // The DeSmuME file itself, dropped into a folder, restores the same.
    sim.card.nds_chip_mut().unwrap().memory_mut().fill(0);
    let dir = "/3ds/Checkpoint/saves/ASNE SONICRUSH/from-pc";
    sim.sd.create_dir_all(dir).unwrap();
    sim.sd.write(&format!("{dir}/usa.dsv"), &dsv).unwrap();
    let mut job = NdsRestoreJob::restore(card.clone(), &nds_dir(&card), entry(dir));
    let report = run_job!(sim, job).unwrap();
    assert_eq!(chip_memory(&sim), save);
    assert_eq!(report.container, Some("DeSmuME .dsv"));
}

#[test]
fn a_512_kib_flashcart_save_of_an_8_kib_game_restores_in_one_job() {
    let game = random("flashcart", 8192);
    let mut flashcart = game.clone();
    flashcart.resize(512 * 1024, 0xFF);
    let mut sim = nds_console(ChipKind::Eeprom8K, &[0xFF; 8192], "ASNE", "SONICRUSH");
    let dir = "/3ds/Checkpoint/saves/ASNE SONICRUSH/flashcart";
    sim.sd.create_dir_all(dir).unwrap();
    sim.sd
        .write(&format!("{dir}/SONICRUSH.sav"), &flashcart)
        .unwrap();
    let card = card_of(&mut sim);
    let mut job = NdsRestoreJob::restore(card.clone(), &nds_dir(&card), entry(dir));
    let report = run_job!(sim, job).unwrap();
    assert_eq!(chip_memory(&sim), game);
    assert_eq!(
        (report.source_len, report.chip_capacity),
        (512 * 1024, 8192)
    );
    assert_eq!(report.units_written, 8192 / 32);
}

#[test]
fn a_save_of_another_game_is_refused_before_anything_is_written() {
    let original = random("wrong game", 8192);
    let mut sim = nds_console(ChipKind::Eeprom8K, &original, "ASNE", "SONICRUSH");
    let dir = "/3ds/Checkpoint/saves/ACVE CASTLEVANIA/20200101-000000";
    sim.sd.create_dir_all(dir).unwrap();
    sim.sd
        .write(&format!("{dir}/CASTLEVANIA.sav"), &[0; 8192])
        .unwrap();
    let card = card_of(&mut sim);
    let writes = sim.power.writes();
    let mut job = NdsRestoreJob::restore(card.clone(), &nds_dir(&card), entry(dir));
    let err = run_job!(sim, job).unwrap_err();
    assert!(
        matches!(
            err,
            JobError::Store(crate::store::StoreError::WrongGame { .. })
        ),
        "{err}"
    );
    assert!(err.to_string().contains("ACVE CASTLEVANIA"), "{err}");
    assert_eq!(chip_memory(&sim), original);
    assert_eq!(sim.power.writes(), writes, "nothing written anywhere");
}

#[test]
fn an_automatic_backup_the_sd_card_garbles_stops_the_restore_before_the_card_is_written() {
    let original = random("garbled auto", 8192);
    let mut sim = nds_console(ChipKind::Eeprom8K, &original, "ASNE", "SONICRUSH");
    let dir = "/3ds/Checkpoint/saves/ASNE SONICRUSH/w";
    sim.sd.create_dir_all(dir).unwrap();
    sim.sd
        .write(&format!("{dir}/SONICRUSH.sav"), &[0; 8192])
        .unwrap();
    let card = card_of(&mut sim);
    sim.sd.garble_next_write();
    sim.card.reset_stats();
    let mut job = NdsRestoreJob::restore(card.clone(), &nds_dir(&card), entry(dir));
    let err = run_job!(sim, job).unwrap_err();
    assert_eq!(
        err,
        JobError::BackupNotKept {
            file: "SONICRUSH.sav".into()
        }
    );
    assert_eq!(job.auto_backup(), "", "no automatic backup to point to");
    assert_eq!(sim.card.stats().page_writes, 0);
    assert_eq!(chip_memory(&sim), original);
    let folders: Vec<String> = sim
        .sd
        .list(&nds_dir(&card))
        .unwrap()
        .into_iter()
        .map(|e| e.name)
        .collect();
    assert_eq!(folders, ["w"], "the garbled copy is not published");
    assert!(
        sim.sd
            .list(crate::store::naming::STAGING_DIR)
            .unwrap()
            .is_empty()
    );

    // A plain backup the SD card garbles is not published either.
    sim.sd.garble_next_write();
    let mut job = NdsBackupJob::new(card.detection.chip, "SONICRUSH", &nds_dir(&card), "b");
    assert!(matches!(
        run_job!(sim, job),
        Err(JobError::BackupNotKept { .. })
    ));
    assert_eq!(sim.sd.list(&nds_dir(&card)).unwrap().len(), 1);
}

#[test]
fn a_backup_cancels_cleanly_and_a_restore_only_before_writing() {
    let original = random("cancel", 64 * 1024);
    let mut sim = nds_console(ChipKind::Eeprom64K, &original, "ATSE", "CANCEL");
    let card = card_of(&mut sim);
    let mut job = NdsBackupJob::new(card.detection.chip, "CANCEL", &nds_dir(&card), "x");
    assert!(matches!(job.step(&mut sim.devices()), Ok(Step::Working(_))));
    job.cancel(&mut sim.devices()).unwrap();
    assert_eq!(job.step(&mut sim.devices()), Err(JobError::Ended));
    assert_eq!(sim.sd.kind_of(&nds_dir(&card)).unwrap(), None);

    let folder = backup(&mut sim, "x");
    sim.card.nds_chip_mut().unwrap().memory_mut()[5] ^= 1;
    let mut job = NdsRestoreJob::restore(card.clone(), &nds_dir(&card), entry(&folder));
    loop {
        let progress = match job.step(&mut sim.devices()).unwrap() {
            Step::Working(p) => p,
            Step::Finished(_) => panic!("finished before writing"),
        };
        if progress.phase == Phase::Writing {
            break;
        }
        assert!(job.can_cancel());
    }
    assert!(!job.can_cancel());
    assert_eq!(
        job.cancel(&mut sim.devices()),
        Err(JobError::NotCancellable)
    );
    run_job!(sim, job).unwrap();
    assert_eq!(chip_memory(&sim), original);
}

#[test]
fn a_full_sd_card_or_a_pulled_card_stops_a_restore_before_it_writes() {
    let original = random("faults", 8192);
    let mut sim = nds_console(ChipKind::Eeprom8K, &original, "ASNE", "SONICRUSH");
    let dir = "/3ds/Checkpoint/saves/ASNE SONICRUSH/w";
    sim.sd.create_dir_all(dir).unwrap();
    sim.sd
        .write(&format!("{dir}/SONICRUSH.sav"), &[0; 8192])
        .unwrap();
    let card = card_of(&mut sim);

    let used = sim.sd.used();
    sim.sd.set_capacity(used + 100);
    let mut job = NdsRestoreJob::restore(card.clone(), &nds_dir(&card), entry(dir));
    let err = run_job!(sim, job).unwrap_err();
    assert!(
        matches!(
            err,
            JobError::Store(crate::store::StoreError::Sd(
                crate::platform::SdError::Full { .. }
            ))
        ),
        "{err}"
    );
    assert_eq!(chip_memory(&sim), original);
    sim.sd.set_capacity(1 << 30);

    sim.card.pull_card_after(0);
    let mut job = NdsRestoreJob::restore(card.clone(), &nds_dir(&card), entry(dir));
    let err = run_job!(sim, job).unwrap_err();
    assert_eq!(
        err,
        JobError::Chip(crate::nds_card::NdsCardError::Spi(
            crate::platform::SpiError::NoCard
        ))
    );
}

#[test]
fn erase_blanks_the_chip_after_saving_it_and_verify_counts_differences() {
    let original = random("erase", 256 * 1024);
    let mut sim = nds_console(ChipKind::Flash256K, &original, "ATSE", "ERASE");
    let card = card_of(&mut sim);
    let folder = backup(&mut sim, "before");

    let mut verify = NdsVerifyJob::new(card.clone(), entry(&folder));
    let same = run_job!(sim, verify).unwrap();
    assert_eq!(
        (same.compared, same.differing, same.first_difference),
        (256 * 1024, 0, None)
    );

    let mut job = NdsRestoreJob::erase(card.clone(), &nds_dir(&card));
    let report = run_job!(sim, job).unwrap();
    assert!(chip_memory(&sim).iter().all(|&b| b == 0xFF));
    let auto = sim
        .sd
        .read(&format!("{}/ERASE.sav", report.auto_backup))
        .unwrap();
    assert_eq!(auto, original);

    let mut verify = NdsVerifyJob::new(card.clone(), entry(&folder));
    let differs = run_job!(sim, verify).unwrap();
    let expected = original.iter().filter(|&&b| b != 0xFF).count() as u64;
    assert_eq!(differs.differing, expected);
    assert_eq!(
        differs.first_difference,
        original.iter().position(|&b| b != 0xFF)
    );
}

#[test]
fn twlsavetool_files_and_action_replay_saves_restore() {
    let dsv = keepsake_testkit::fixture_or_skip!("nds/castlevania-portrait-of-ruin/usa.dsv");
    let duc = keepsake_testkit::fixture_or_skip!("nds/castlevania-portrait-of-ruin/usa.duc");
    let save = &dsv[..64 * 1024];
    let mut sim = nds_console(
        ChipKind::Eeprom64K,
        &[0xFF; 64 * 1024],
        "ACBE",
        "CASTLEVANIA2",
    );
    let card = card_of(&mut sim);

    // TWLSaveTool: /TWLSaveTool/<title>.sav, listed with the folders.
    sim.sd.create_dir_all("/TWLSaveTool").unwrap();
    sim.sd.write("/TWLSaveTool/CASTLEVANIA2.sav", save).unwrap();
    let listed = list_backups(
        &mut sim.sd,
        &Config::default(),
        &card.title(),
        ArchiveKind::SaveData,
    )
    .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].source, BackupSource::TwlSaveTool);
    let mut job = NdsRestoreJob::restore(card.clone(), &nds_dir(&card), listed[0].clone());
    run_job!(sim, job).unwrap();
    assert_eq!(chip_memory(&sim), save);

    // An Action Replay .duc of the same save, dropped into a backup folder.
    sim.card.nds_chip_mut().unwrap().memory_mut().fill(0xFF);
    let dir = "/3ds/Checkpoint/saves/ACBE CASTLEVANIA2/from-action-replay";
    sim.sd.create_dir_all(dir).unwrap();
    sim.sd.write(&format!("{dir}/usa.duc"), &duc).unwrap();
    let mut job = NdsRestoreJob::restore(card.clone(), &nds_dir(&card), entry(dir));
    let report = run_job!(sim, job).unwrap();
    assert!(report.container.unwrap().contains(".duc"), "{report:?}");
    assert_eq!(
        chip_memory(&sim),
        save,
        "the .duc and the .dsv hold the same save"
    );
}

#[test]
fn a_write_that_does_not_read_back_is_reported_with_its_place() {
    let original = random("worn", 512 * 1024);
    let mut sim = nds_console(ChipKind::Flash512K, &original, "ATSE", "WORN");
    let card = card_of(&mut sim);
    let folder = backup(&mut sim, "good");
    let chip = sim.card.nds_chip_mut().unwrap();
    chip.memory_mut()[0x1_2345] ^= 0xFF;
    chip.wear_out(0x1_2345);
    let mut job = NdsRestoreJob::restore(card.clone(), &nds_dir(&card), entry(&folder));
    let err = run_job!(sim, job).unwrap_err();
    let JobError::VerifyFailed { what, auto_backup } = &err else {
        panic!("{err}");
    };
    assert_eq!(what, "the card's byte at 0x12345");
    assert!(auto_backup.ends_with("-auto"), "{auto_backup}");
    assert!(err.to_string().contains(auto_backup.as_str()));
}
