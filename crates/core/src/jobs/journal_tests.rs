//! The restore journal and the critical section as the jobs keep them, and
//! the faults that reach the read-back checks: a card swapped during a
//! restore, an archive write that does not stick, a file lost at the
//! commit, a stale staging folder.

use keepsake_format::nds::ChipKind;
use keepsake_testkit::rand::RngCore;
use keepsake_testkit::rng;

use super::tests::sim_part;
use super::*;
use crate::nds_card::{InsertedNds, identify};
use crate::platform::{ArchiveId, ArchiveKind, Console, MediaType, SdCard};
use crate::sim::{MemTree, SimCard, SimConsole, SimNdsCard, nds_rom_header};
use crate::store::journal::{self, JOURNAL_PATH, JournalSave, Operation};
use crate::store::naming::STAGING_DIR;
use crate::store::{BackupEntry, BackupSource};

const NDS_DIR: &str = "/3ds/Checkpoint/saves/ASNE SONICRUSH";
const CTR_DIR: &str = "/3ds/Checkpoint/saves/0x0055D Pokémon X";
const POKEMON_X: u64 = 0x0004_0000_0005_5D00;

fn random(name: &str, len: usize) -> Vec<u8> {
    let mut v = vec![0; len];
    rng::for_test(name).fill_bytes(&mut v);
    v
}

fn nds_card(kind: ChipKind, contents: &[u8], code: &str, title: &str) -> SimCard {
    SimCard::Nds(SimNdsCard {
        header: nds_rom_header(title, code),
        banner: Vec::new(),
        chip: sim_part(kind, contents),
        infrared: false,
    })
}

fn entry(path: &str) -> BackupEntry {
    BackupEntry {
        name: path.rsplit('/').next().unwrap().to_owned(),
        path: path.to_owned(),
        source: BackupSource::Folder,
    }
}

fn chip_memory(sim: &SimConsole) -> Vec<u8> {
    sim.card.nds_chip().unwrap().memory().to_vec()
}

/// An 8 KiB EEPROM card of SONICRUSH holding `old`, and a backup `wanted`
/// of it on the SD card.
fn sonic(old: &[u8], wanted: &[u8]) -> (SimConsole, InsertedNds, BackupEntry) {
    let mut sim = SimConsole::new();
    sim.card
        .insert(nds_card(ChipKind::Eeprom8K, old, "ASNE", "SONICRUSH"));
    let folder = format!("{NDS_DIR}/wanted");
    sim.sd.create_dir_all(&folder).unwrap();
    sim.sd
        .write(&format!("{folder}/SONICRUSH.sav"), wanted)
        .unwrap();
    let card = identify(&mut sim.card).unwrap();
    (sim, card, entry(&folder))
}

fn autos(sim: &mut SimConsole, dir: &str) -> Vec<String> {
    sim.sd
        .list(dir)
        .unwrap_or_default()
        .into_iter()
        .filter(|e| e.name.ends_with("-auto"))
        .map(|e| e.name)
        .collect()
}

#[test]
fn an_nds_restore_keeps_its_journal_exactly_while_the_chip_is_neither_old_nor_new() {
    let old = random("journal old", 8192);
    let mut new = old.clone();
    for page in [3, 90, 200] {
        new[page * 32] ^= 0x5A;
    }
    let (mut sim, card, wanted) = sonic(&old, &new);
    let mut job = NdsRestoreJob::restore(card, NDS_DIR, wanted);
    let mut critical_steps = 0;
    loop {
        let step = job.step(&mut sim.devices()).unwrap();
        let chip = chip_memory(&sim);
        let journal = journal::read(&mut sim.sd).unwrap();
        if chip != old && chip != new {
            assert!(journal.is_some(), "a torn chip without a journal");
        }
        if job.critical() {
            critical_steps += 1;
            let journal = journal.expect("the journal is there while writing");
            assert_eq!(journal.operation, Operation::Restore);
            assert_eq!(
                journal.save,
                JournalSave::NdsCard {
                    game_code: "ASNE".into(),
                    header_title: "SONICRUSH".into()
                }
            );
            assert_eq!(
                journal.backup.as_deref(),
                Some(&*format!("{NDS_DIR}/wanted"))
            );
            let auto = format!("{NDS_DIR}/{}", autos(&mut sim, NDS_DIR)[0]);
            assert_eq!(journal.automatic_backup, auto);
            assert_eq!(journal.files.len(), 1);
            assert_eq!(journal.files[0].path, "SONICRUSH.sav");
            assert_eq!(journal.files[0].size, 8192);
            // The automatic backup the journal names holds the bytes the
            // test put on the card.
            let saved = sim.sd.read(&format!("{auto}/SONICRUSH.sav")).unwrap();
            assert_eq!(saved, old);
        }
        if let Step::Finished(_) = step {
            break;
        }
    }
    // Critical after the step that records the journal (the next one
    // writes) and after each of the three page writes; the read-back of
    // 8 KiB is one step, which ends the job.
    assert_eq!(critical_steps, 4);
    assert!(!job.critical());
    assert_eq!(chip_memory(&sim), new);
    assert_eq!(
        journal::read(&mut sim.sd).unwrap(),
        None,
        "removed after the read-back"
    );
    assert_eq!(sim.sd.kind_of(JOURNAL_PATH).unwrap(), None);
}

#[test]
fn an_erase_is_journaled_as_an_erase() {
    let old = random("journal erase", 8192);
    let (mut sim, card, _) = sonic(&old, &old);
    let mut job = NdsRestoreJob::erase(card, NDS_DIR);
    while !job.critical() {
        job.step(&mut sim.devices()).unwrap();
    }
    let journal = journal::read(&mut sim.sd).unwrap().unwrap();
    assert_eq!(journal.operation, Operation::Erase);
    assert_eq!(journal.backup, None);
}

#[test]
fn a_card_swapped_before_a_restore_starts_is_neither_read_nor_written() {
    let old = random("swap old", 8192);
    let new = random("swap new", 8192);
    let other = random("swap other", 8192);
    let (mut sim, card, wanted) = sonic(&old, &new);
    sim.card
        .insert(nds_card(ChipKind::Eeprom8K, &other, "AMKE", "MOSS KNIGHT"));
    let mut job = NdsRestoreJob::restore(card, NDS_DIR, wanted);
    let writes = sim.power.writes();
    sim.card.reset_stats();
    // Refused at the first step, before a byte of its chip is read.
    let result = job.step(&mut sim.devices());
    assert!(
        matches!(result, Err(JobError::CardChanged { .. })),
        "{result:?}"
    );
    assert_eq!(sim.card.stats().transfers, 0);
    assert_eq!(chip_memory(&sim), other);
    assert_eq!(sim.power.writes(), writes, "nothing written anywhere");
    assert!(
        autos(&mut sim, NDS_DIR).is_empty(),
        "no backup of the wrong card"
    );
}

#[test]
fn a_card_swapped_while_the_chip_is_read_is_never_written() {
    let old = random("swap late old", 8192);
    let new = random("swap late new", 8192);
    let other = random("swap late other", 8192);
    let (mut sim, card, wanted) = sonic(&old, &new);
    let mut job = NdsRestoreJob::restore(card, NDS_DIR, wanted);
    // Validated against SONICRUSH; the user swaps cards while it reads.
    assert!(matches!(job.step(&mut sim.devices()), Ok(Step::Working(_))));
    sim.card
        .insert(nds_card(ChipKind::Eeprom8K, &other, "AMKE", "MOSS KNIGHT"));
    sim.card.reset_stats();
    let mut result = job.step(&mut sim.devices());
    while let Ok(Step::Working(_)) = result {
        assert!(!job.critical());
        result = job.step(&mut sim.devices());
    }
    assert!(
        matches!(result, Err(JobError::CardChanged { .. })),
        "{result:?}"
    );
    assert_eq!(
        chip_memory(&sim),
        other,
        "the other game's save is untouched"
    );
    assert_eq!(sim.card.stats().page_writes, 0);
    assert_eq!(journal::read(&mut sim.sd).unwrap(), None);
    assert!(
        autos(&mut sim, NDS_DIR).is_empty(),
        "the other game's save is not kept as this one's"
    );
}

fn ctr_console(id: ArchiveId, before: &MemTree, wanted: &MemTree) -> (SimConsole, BackupEntry) {
    let mut sim = SimConsole::new();
    sim.archives.insert(id, before.clone());
    let folder = format!("{CTR_DIR}/wanted");
    sim.sd.create_dir_all(&folder).unwrap();
    for (path, bytes) in wanted.files() {
        sim.sd.write(&format!("{folder}{path}"), bytes).unwrap();
    }
    (sim, entry(&folder))
}

fn tree(files: &[(&str, &[u8])]) -> MemTree {
    let mut tree = MemTree::new();
    for (path, bytes) in files {
        tree.write(path, bytes).unwrap();
    }
    tree
}

fn save_data() -> ArchiveId {
    ArchiveId {
        kind: ArchiveKind::SaveData,
        media: MediaType::Sd,
        title_id: POKEMON_X,
    }
}

fn run(sim: &mut SimConsole, job: &mut CtrRestoreJob) -> Result<CtrRestoreReport, JobError> {
    loop {
        match job.step(&mut sim.devices()) {
            Ok(Step::Working(_)) => continue,
            Ok(Step::Finished(report)) => return Ok(report),
            Err(e) => return Err(e),
        }
    }
}

#[test]
fn a_3ds_restore_is_journaled_from_its_first_delete_to_its_read_back() {
    let before = tree(&[("/main", b"before"), ("/extra", b"x")]);
    let wanted = tree(&[("/main", b"wanted!")]);
    let (mut sim, backup) = ctr_console(save_data(), &before, &wanted);
    let mut job = CtrRestoreJob::new(save_data(), CTR_DIR, backup);
    let mut seen_critical = false;
    loop {
        let was_critical = job.critical();
        let step = job.step(&mut sim.devices()).unwrap();
        let journal = journal::read(&mut sim.sd).unwrap();
        if job.critical() {
            seen_critical = true;
            let journal = journal.expect("journaled while the archive changes");
            assert_eq!(
                journal.save,
                JournalSave::Title {
                    title_id: POKEMON_X,
                    media: journal::Media::Sd,
                    kind: journal::Kind::SaveData,
                    name: "Pokémon X".into(),
                }
            );
            let auto = format!("{CTR_DIR}/{}", autos(&mut sim, CTR_DIR)[0]);
            assert_eq!(journal.automatic_backup, auto);
            let mut listed: Vec<(String, u64)> = journal
                .files
                .iter()
                .map(|f| (f.path.clone(), f.size))
                .collect();
            listed.sort();
            assert_eq!(listed, [("extra".to_string(), 1), ("main".to_string(), 6)]);
        } else if !was_critical {
            assert_eq!(
                sim.archives.committed(save_data()).unwrap(),
                &before,
                "untouched before the critical section"
            );
        }
        if let Step::Finished(_) = step {
            break;
        }
    }
    assert!(seen_critical);
    assert_eq!(journal::read(&mut sim.sd).unwrap(), None);
}

#[test]
fn an_archive_write_that_does_not_stick_fails_the_read_back_and_keeps_the_journal() {
    let before = tree(&[("/main", b"before")]);
    let wanted = tree(&[("/a", b"first file"), ("/main", b"wanted save")]);
    let (mut sim, backup) = ctr_console(save_data(), &before, &wanted);
    let mut job = CtrRestoreJob::new(save_data(), CTR_DIR, backup);
    while !job.critical() {
        job.step(&mut sim.devices()).unwrap();
    }
    sim.archives.garble_next_write();
    let err = run(&mut sim, &mut job).unwrap_err();
    let JobError::VerifyFailed { what, auto_backup } = &err else {
        panic!("{err}");
    };
    // Files are written in listing order: /a first.
    assert_eq!(what, "/a");
    assert!(auto_backup.starts_with(CTR_DIR) && auto_backup.ends_with("-auto"));
    let journal = journal::read(&mut sim.sd)
        .unwrap()
        .expect("the journal stays");
    assert_eq!(&journal.automatic_backup, auto_backup);
    assert_eq!(
        sim.sd.read(&format!("{auto_backup}/main")).unwrap(),
        b"before"
    );
}

#[test]
fn a_file_lost_at_the_commit_fails_the_read_back() {
    let before = tree(&[("/main", b"before")]);
    let wanted = tree(&[("/a", b"first file"), ("/main", b"wanted save")]);
    let (mut sim, backup) = ctr_console(save_data(), &before, &wanted);
    sim.archives.lose_at_next_commit("/main");
    let mut job = CtrRestoreJob::new(save_data(), CTR_DIR, backup);
    let err = run(&mut sim, &mut job).unwrap_err();
    let JobError::VerifyFailed { what, .. } = &err else {
        panic!("{err}");
    };
    assert_eq!(what, "the archive's file list");
    assert!(journal::read(&mut sim.sd).unwrap().is_some());
}

#[test]
fn a_stale_staging_folder_of_the_same_name_never_reaches_a_published_backup() {
    let save = random("stale staging", 8192);
    let (mut sim, card, _) = sonic(&save, &save);
    // A backup of the same name cut short earlier, in this session.
    let stale = format!("{STAGING_DIR}/named");
    sim.sd.create_dir_all(&stale).unwrap();
    sim.sd
        .write(&format!("{stale}/SONICRUSH.sav"), &[0xAA; 512])
        .unwrap();
    sim.sd
        .write(&format!("{stale}/notes.txt"), b"stale")
        .unwrap();
    let mut job = NdsBackupJob::new(card.detection.chip, &card.header_title, NDS_DIR, "named");
    let folder = loop {
        match job.step(&mut sim.devices()).unwrap() {
            Step::Working(_) => continue,
            Step::Finished(report) => break report.folder,
        }
    };
    assert_eq!(folder, format!("{NDS_DIR}/named"));
    let names: Vec<String> = sim
        .sd
        .list(&folder)
        .unwrap()
        .into_iter()
        .map(|e| e.name)
        .collect();
    assert_eq!(names, ["SONICRUSH.sav"], "nothing of the stale folder");
    assert_eq!(
        sim.sd.read(&format!("{folder}/SONICRUSH.sav")).unwrap(),
        save
    );
}
