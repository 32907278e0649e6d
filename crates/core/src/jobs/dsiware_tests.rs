//! DSiWare saves through the 3DS jobs on the simulated console: the files
//! of a title's `data` folder backed up into the folder Checkpoint uses and
//! restored from it, a backup Checkpoint made restored, and the faults (a
//! folder that will not open, a write that does not stick, the power lost
//! at every write of a restore, a title without a `data` folder).
//!
//! Every expected path and byte is written out by hand: Checkpoint names a
//! DSiWare title's folder as an NDS cartridge's, `<GAMECODE> <header
//! title>` under its saves folder (`3ds/source/titleprobe.cpp`
//! `probeTwl`), and copies the `data` folder's files as they are
//! (`3ds/source/io.cpp` `io::backup`).

use std::collections::BTreeMap;

use super::*;
use crate::platform::{ArchiveError, ArchiveKind, Console, SdCard};
use crate::sim::dsiware::{DESK_TOOL, FLIPBOOK, dsiware_archive, install_dsiware};
use crate::sim::{MemTree, SimConsole};
use crate::store::dsiware_scan::DsiWareScan;
use crate::store::journal::{self, JournalSave, Kind, Media};
use crate::store::{BackupEntry, BackupSource, Config, title_dir};

/// FLIPBOOK (game code KGUE) as Checkpoint names its folder.
const FLIPBOOK_DIR: &str = "/3ds/Checkpoint/saves/KGUE FLIPBOOK";

macro_rules! run_job {
    ($sim:expr, $job:expr) => {{
        let mut steps = 0u32;
        loop {
            steps += 1;
            assert!(steps < 10_000, "job does not finish");
            match $job.step(&mut $sim.devices()) {
                Ok(Step::Working(_)) => continue,
                Ok(Step::Finished(report)) => break Ok(report),
                Err(e) => break Err(e),
            }
        }
    }};
}

fn console() -> SimConsole {
    let mut sim = SimConsole::new();
    install_dsiware(&mut sim.titles, &mut sim.archives);
    sim
}

/// FLIPBOOK's save as the sim holds it, written out again byte by byte.
fn flipbook_files() -> BTreeMap<String, Vec<u8>> {
    files(&[
        (
            "/public.sav",
            &[
                0x46, 0x4C, 0x49, 0x50, 0x01, 0x00, 0x00, 0x00, 0x10, 0x20, 0x30, 0x40, 0xAA, 0xBB,
                0xCC, 0xDD,
            ],
        ),
        (
            "/private.sav",
            &[0x50, 0x52, 0x49, 0x56, 0x00, 0x01, 0x02, 0x03],
        ),
        ("/banner.sav", &[0x42, 0x4E, 0x52, 0x01]),
    ])
}

fn files(list: &[(&str, &[u8])]) -> BTreeMap<String, Vec<u8>> {
    list.iter()
        .map(|(path, bytes)| ((*path).to_owned(), bytes.to_vec()))
        .collect()
}

/// Every file on the SD card under `folder`, by its path inside it.
fn files_under(sim: &SimConsole, folder: &str) -> BTreeMap<String, Vec<u8>> {
    let prefix = format!("{folder}/");
    sim.sd
        .tree()
        .files()
        .iter()
        .filter_map(|(path, bytes)| {
            Some((format!("/{}", path.strip_prefix(&prefix)?), bytes.clone()))
        })
        .collect()
}

fn entry(path: &str) -> BackupEntry {
    BackupEntry {
        name: path.rsplit('/').next().unwrap().to_owned(),
        path: path.to_owned(),
        source: BackupSource::Folder,
    }
}

/// Writes a backup folder by hand, as another tool leaves one.
fn write_backup(sim: &mut SimConsole, folder: &str, list: &[(&str, &[u8])]) {
    sim.sd.create_dir_all(folder).unwrap();
    for (path, bytes) in list {
        sim.sd.write(&format!("{folder}{path}"), bytes).unwrap();
    }
}

#[test]
fn the_folder_is_checkpoints_nds_naming_from_the_rom_header() {
    let mut sim = console();
    let mut scan = DsiWareScan::start(&mut sim.titles).unwrap();
    while !scan.step(&mut sim.titles, &mut sim.archives) {}
    let flipbook = scan
        .into_records()
        .into_iter()
        .find(|r| r.title_id == FLIPBOOK)
        .unwrap();
    let dir = title_dir(
        &Config::default(),
        &flipbook.backup_title(),
        ArchiveKind::DsiWareSave,
    );
    assert_eq!(dir, FLIPBOOK_DIR);
}

#[test]
fn a_backup_is_the_data_folders_files_at_checkpoints_path() {
    let mut sim = console();
    let mut job = CtrBackupJob::new(dsiware_archive(FLIPBOOK), FLIPBOOK_DIR, "20260101-000000");
    let report = run_job!(sim, job).unwrap();
    assert_eq!(
        report.folder,
        "/3ds/Checkpoint/saves/KGUE FLIPBOOK/20260101-000000"
    );
    assert_eq!(files_under(&sim, &report.folder), flipbook_files());
    // Nothing but the save's files: no secure value beside it.
    assert_eq!(report.secure_value, BackupSecureValue::NotApplicable);
    let everything: Vec<String> = sim.sd.tree().files().keys().cloned().collect();
    assert!(
        everything.iter().all(|p| !p.contains("secure")),
        "{everything:?}"
    );
}

#[test]
fn a_backup_checkpoint_made_restores_without_a_commit() {
    let mut sim = console();
    // As Checkpoint leaves it: the three files, nothing else.
    let folder = format!("{FLIPBOOK_DIR}/checkpoint");
    write_backup(
        &mut sim,
        &folder,
        &[
            ("/public.sav", &[0x11; 32]),
            ("/private.sav", &[0x22; 4]),
            ("/banner.sav", &[0x33; 2]),
        ],
    );
    let commits = sim.archives.commits();
    let resets = sim.archives.secure_value_resets().len();
    let mut job = CtrRestoreJob::new(dsiware_archive(FLIPBOOK), FLIPBOOK_DIR, entry(&folder));
    let report = run_job!(sim, job).unwrap();
    let now = sim.archives.committed(dsiware_archive(FLIPBOOK)).unwrap();
    assert_eq!(
        now.files(),
        &files(&[
            ("/public.sav", &[0x11; 32]),
            ("/private.sav", &[0x22; 4]),
            ("/banner.sav", &[0x33; 2]),
        ])
    );
    // A DSi partition write needs no commit and has no secure value
    // (Checkpoint io.cpp, restore).
    assert!(!report.committed);
    assert_eq!(sim.archives.commits(), commits);
    assert_eq!(report.secure_value, RestoredSecureValue::NotApplicable);
    assert_eq!(sim.archives.secure_value_resets().len(), resets);
    assert_eq!(report.files_verified, 3);
    // The save as it was, kept first, in the same folder.
    assert!(report.auto_backup.starts_with(&format!("{FLIPBOOK_DIR}/")));
    assert_eq!(files_under(&sim, &report.auto_backup), flipbook_files());
    assert!(journal::read(&mut sim.sd).unwrap().is_none());
}

#[test]
fn a_restore_empties_the_folder_first_and_keeps_it() {
    let mut sim = console();
    // A stale file the backup does not have, in a subfolder too.
    let mut played = crate::sim::dsiware::flipbook_save();
    played.create_dir("/extra").unwrap();
    played.write("/extra/old.bin", b"stale").unwrap();
    sim.archives.insert(dsiware_archive(FLIPBOOK), played);
    let folder = format!("{FLIPBOOK_DIR}/only public");
    write_backup(&mut sim, &folder, &[("/public.sav", b"just this")]);
    let mut job = CtrRestoreJob::new(dsiware_archive(FLIPBOOK), FLIPBOOK_DIR, entry(&folder));
    let report = run_job!(sim, job).unwrap();
    let now = sim.archives.committed(dsiware_archive(FLIPBOOK)).unwrap();
    assert_eq!(now.files(), &files(&[("/public.sav", b"just this")]));
    // Four files and the one folder, each deleted on its own.
    assert_eq!(report.entries_cleared, 5);
}

#[test]
fn another_games_backup_is_refused_before_anything_is_written() {
    let mut sim = console();
    let folder = "/3ds/Checkpoint/saves/KDTE DESK TOOL/theirs";
    write_backup(&mut sim, folder, &[("/public.sav", b"desk")]);
    let writes = sim.power.writes();
    let mut job = CtrRestoreJob::new(dsiware_archive(FLIPBOOK), FLIPBOOK_DIR, entry(folder));
    let refused = run_job!(sim, job).unwrap_err();
    assert!(
        matches!(
            refused,
            JobError::Store(crate::store::StoreError::WrongGame { .. })
        ),
        "{refused}"
    );
    assert_eq!(sim.power.writes(), writes);
}

#[test]
fn a_title_without_a_data_folder_has_no_archive() {
    let mut sim = console();
    let mut job = CtrBackupJob::new(
        dsiware_archive(DESK_TOOL),
        "/3ds/Checkpoint/saves/KDTE DESK TOOL",
        "x",
    );
    let error = run_job!(sim, job).unwrap_err();
    assert!(
        matches!(error, JobError::Archive(ArchiveError::NoArchive(_))),
        "{error}"
    );
    // Named in words, with the folder on the DSi partition.
    assert!(
        error.to_string().contains(
            "DSiWare save of title 000480044B445445 (folder /title/00030004/4b445445/data"
        ),
        "{error}"
    );
    assert!(sim.sd.list("/3ds/Checkpoint/saves/KDTE DESK TOOL").is_err());
}

#[test]
fn a_folder_that_will_not_open_fails_the_backup_in_words() {
    let mut sim = console();
    sim.archives.refuse_opening(
        dsiware_archive(FLIPBOOK),
        Some("the system refused access (FS result 0xD9004676)"),
    );
    let mut job = CtrBackupJob::new(dsiware_archive(FLIPBOOK), FLIPBOOK_DIR, "x");
    let error = run_job!(sim, job).unwrap_err();
    assert!(
        matches!(&error, JobError::Archive(ArchiveError::Failed(why)) if why.contains("0xD9004676")),
        "{error}"
    );
    assert!(sim.sd.list(FLIPBOOK_DIR).unwrap_or_default().is_empty());
}

#[test]
fn a_write_that_does_not_stick_is_caught_and_journaled() {
    let mut sim = console();
    let folder = format!("{FLIPBOOK_DIR}/wanted");
    write_backup(&mut sim, &folder, &[("/public.sav", b"wanted")]);
    sim.archives.garble_next_write();
    let mut job = CtrRestoreJob::new(dsiware_archive(FLIPBOOK), FLIPBOOK_DIR, entry(&folder));
    let error = run_job!(sim, job).unwrap_err();
    let JobError::VerifyFailed { auto_backup, .. } = &error else {
        panic!("expected a read-back failure, got {error}");
    };
    let journal = journal::read(&mut sim.sd).unwrap().expect("a journal");
    assert_eq!(
        journal.save,
        JournalSave::Title {
            title_id: 0x0004_8004_4B47_5545,
            media: Media::Nand,
            kind: Kind::DsiwareSave,
            name: "FLIPBOOK".into(),
        }
    );
    assert_eq!(&journal.automatic_backup, auto_backup);
    assert_eq!(files_under(&sim, auto_backup), flipbook_files());
}

#[test]
fn power_lost_at_every_write_of_a_restore_leaves_it_whole_or_journaled() {
    let archive = dsiware_archive(FLIPBOOK);
    let folder = format!("{FLIPBOOK_DIR}/wanted");
    let fresh = || {
        let mut sim = console();
        write_backup(
            &mut sim,
            &folder,
            &[("/public.sav", b"wanted public"), ("/banner.sav", b"wb")],
        );
        sim
    };
    let wanted = files(&[("/public.sav", b"wanted public"), ("/banner.sav", b"wb")]);
    let mut sim = fresh();
    let start = sim.power.writes();
    let mut job = CtrRestoreJob::new(archive, FLIPBOOK_DIR, entry(&folder));
    run_job!(sim, job).unwrap();
    let total = sim.power.writes() - start;
    let mut torn = 0;
    for cut in 1..=total {
        let mut sim = fresh();
        sim.power.cut_after_writes(cut);
        let mut job = CtrRestoreJob::new(archive, FLIPBOOK_DIR, entry(&folder));
        let outcome = run_job!(sim, job);
        sim.power_cycle();
        let now = sim.archives.committed(archive).unwrap().files().clone();
        let journal = journal::read(&mut sim.sd).unwrap();
        if now != wanted && now != flipbook_files() {
            // Writes land at once: a torn folder, which the journal must
            // lead back from.
            torn += 1;
            assert!(outcome.is_err(), "cut {cut}");
            let journal = journal.unwrap_or_else(|| panic!("cut {cut}: torn, no journal"));
            assert_eq!(journal.save.archive(), Some(archive), "cut {cut}");
            assert_eq!(
                files_under(&sim, &journal.automatic_backup),
                flipbook_files(),
                "cut {cut}"
            );
        }
    }
    assert!(torn >= 3, "only {torn} cuts tore the folder");
}

#[test]
fn an_empty_data_folder_backs_up_as_an_empty_backup() {
    let mut sim = console();
    sim.archives
        .insert(dsiware_archive(FLIPBOOK), MemTree::new());
    let mut job = CtrBackupJob::new(dsiware_archive(FLIPBOOK), FLIPBOOK_DIR, "empty");
    let report = run_job!(sim, job).unwrap();
    assert_eq!(report.files, 0);
    assert!(files_under(&sim, &report.folder).is_empty());
}
