//! The console's own data through the 3DS jobs on the simulated console:
//! a system save, shared extdata and SpotPass extdata backed up into the
//! folders the other tools use and restored from them, and the faults
//! (an archive that will not open, a write that does not stick, the power
//! lost mid-restore).
//!
//! Every expected folder is written out by hand: Checkpoint's
//! `saves/0x%05X <name>` for a system save (System Settings,
//! 0004001000020000, unique id 0x00200), JKSM's `Shared Extra Data/<title
//! id as 16 hex digits>` and `BOSS Extra Data/<name>` for the extdata.

use std::collections::BTreeMap;

use super::*;
use crate::platform::system_data::shared_extdata_title_id;
use crate::platform::{ArchiveError, ArchiveId, ArchiveKind, Console, MediaType, SdCard};
use crate::sim::system_data::{
    GAMECOIN_DAT, MII_PLAZA, SHARED_MIIS, SYSTEM_SETTINGS, install_system_data,
};
use crate::sim::{MemTree, SimConsole};
use crate::store::journal::{self, JournalSave, Kind, Media};
use crate::store::system_scan::SystemScan;
use crate::store::{BackupEntry, BackupSource, BackupTitle, Config, title_dir};

const SETTINGS_DIR: &str = "/3ds/Checkpoint/saves/0x00200 System Settings";
const MIIS_DIR: &str = "/JKSM/Shared Extra Data/00048000F000000B";
const PLAZA_BOSS_DIR: &str = "/JKSM/BOSS Extra Data/StreetPass Mii Plaza";

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
    install_system_data(&mut sim.titles, &mut sim.archives);
    sim
}

fn system_save(title_id: u64) -> ArchiveId {
    ArchiveId {
        kind: ArchiveKind::SaveData,
        media: MediaType::Nand,
        title_id,
    }
}

fn shared(title_id: u64) -> ArchiveId {
    ArchiveId {
        kind: ArchiveKind::SharedExtData,
        media: MediaType::Nand,
        title_id,
    }
}

fn boss(title_id: u64) -> ArchiveId {
    ArchiveId {
        kind: ArchiveKind::BossExtData,
        media: MediaType::Nand,
        title_id,
    }
}

fn dir_of(archive: ArchiveId, name: &str) -> String {
    let title = BackupTitle::Ctr {
        title_id: archive.title_id,
        short_title: name.into(),
    };
    title_dir(&Config::default(), &title, archive.kind)
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

fn expected(files: &[(&str, &[u8])]) -> BTreeMap<String, Vec<u8>> {
    files
        .iter()
        .map(|(path, bytes)| ((*path).to_owned(), bytes.to_vec()))
        .collect()
}

fn entry(path: &str) -> BackupEntry {
    BackupEntry {
        name: path.rsplit('/').next().unwrap().to_owned(),
        path: path.to_owned(),
        source: BackupSource::Folder,
    }
}

fn scan(sim: &mut SimConsole) -> Vec<ArchiveId> {
    let mut scan = SystemScan::start(&mut sim.titles).unwrap();
    while !scan.step(&mut sim.titles, &mut sim.archives) {}
    scan.into_records().into_iter().map(|r| r.archive).collect()
}

#[test]
fn the_scan_lists_system_saves_spotpass_and_shared_extdata_that_open() {
    let mut sim = console();
    assert_eq!(
        scan(&mut sim),
        [
            // NAND titles in the system's (id) order: no module (no SMDH),
            // no title without a system save, no DSiWare.
            system_save(SYSTEM_SETTINGS),
            system_save(MII_PLAZA),
            boss(MII_PLAZA),
            // Shared extdata in JKSM's order, only the ones that exist.
            shared(0x0004_8000_F000_0001),
            shared(SHARED_MIIS),
        ]
    );
    // An archive FS refuses to open is left out, as both tools leave it.
    sim.archives
        .refuse_opening(shared(SHARED_MIIS), Some("FS result 0xC8804478"));
    assert!(!scan(&mut sim).contains(&shared(SHARED_MIIS)));
}

#[test]
fn backups_go_where_checkpoint_and_jksm_keep_them_and_restore() {
    let mut sim = console();
    for (archive, name, dir, files) in [
        (
            system_save(SYSTEM_SETTINGS),
            "System Settings",
            SETTINGS_DIR,
            expected(&[("/config.bin", b"settings")]),
        ),
        (
            shared(SHARED_MIIS),
            "Miis, Play Coins and records",
            MIIS_DIR,
            expected(&[
                ("/gamecoin.dat", &GAMECOIN_DAT),
                ("/idb.dat", b"mii database"),
            ]),
        ),
        (
            boss(MII_PLAZA),
            "StreetPass Mii Plaza",
            PLAZA_BOSS_DIR,
            expected(&[("/boss/00000001", b"spotpass")]),
        ),
    ] {
        assert_eq!(dir_of(archive, name), dir);
        let mut job = CtrBackupJob::new(archive, dir, "20260101-000000");
        let report = run_job!(sim, job).unwrap();
        assert_eq!(report.folder, format!("{dir}/20260101-000000"));
        assert_eq!(files_under(&sim, &report.folder), files, "{archive}");
        assert_eq!(report.secure_value, BackupSecureValue::NotApplicable);

        // The data changes; the backup is restored over it.
        let mut changed = MemTree::new();
        changed.write("/other.bin", b"changed").unwrap();
        sim.archives.insert(archive, changed);
        let commits = sim.archives.commits();
        let mut job = CtrRestoreJob::new(archive, dir, entry(&report.folder));
        let restored = run_job!(sim, job).unwrap();
        assert_eq!(sim.archives.committed(archive).unwrap().files(), &files);
        // A system save is committed as a game's is; extdata is not.
        let save_data = archive.kind == ArchiveKind::SaveData;
        assert_eq!(restored.committed, save_data);
        assert_eq!(sim.archives.commits(), commits + u64::from(save_data));
        // No secure value belongs to the console's own data: none is put
        // back; a system save gets the reset Checkpoint sends after every
        // save data restore (`io.cpp`), which the console skips for NAND.
        assert_eq!(restored.secure_value, RestoredSecureValue::NotApplicable);
        let resets = sim.archives.secure_value_resets();
        if save_data {
            assert_eq!(resets.last(), Some(&(archive.title_id, MediaType::Nand)));
        }
        assert!(resets.iter().all(|&(_, media)| media == MediaType::Nand));
        assert_eq!(
            files_under(&sim, &restored.auto_backup),
            expected(&[("/other.bin", b"changed")])
        );
    }
}

#[test]
fn backups_the_other_tools_made_are_restored_and_misplaced_ones_refused() {
    let mut sim = console();
    // By hand, as JKSM leaves a folder backup, and as Checkpoint does.
    for (path, bytes) in [
        (
            format!("{MIIS_DIR}/jksm backup/gamecoin.dat"),
            &b"coins"[..],
        ),
        (
            format!("{SETTINGS_DIR}/checkpoint/config.bin"),
            b"old settings",
        ),
    ] {
        sim.sd
            .create_dir_all(&path[..path.rfind('/').unwrap()])
            .unwrap();
        sim.sd.write(&path, bytes).unwrap();
    }
    let mut job = CtrRestoreJob::new(
        shared(SHARED_MIIS),
        MIIS_DIR,
        entry(&format!("{MIIS_DIR}/jksm backup")),
    );
    run_job!(sim, job).unwrap();
    let miis = sim.archives.committed(shared(SHARED_MIIS)).unwrap();
    assert_eq!(miis.files(), &expected(&[("/gamecoin.dat", b"coins")]));
    let mut job = CtrRestoreJob::new(
        system_save(SYSTEM_SETTINGS),
        SETTINGS_DIR,
        entry(&format!("{SETTINGS_DIR}/checkpoint")),
    );
    run_job!(sim, job).unwrap();
    let settings = sim
        .archives
        .committed(system_save(SYSTEM_SETTINGS))
        .unwrap();
    assert_eq!(
        settings.files(),
        &expected(&[("/config.bin", b"old settings")])
    );

    // The Miis' backup is not the photos' archive: refused, nothing written.
    let photos = shared(shared_extdata_title_id(0xF000_0001));
    let writes = sim.power.writes();
    let mut job = CtrRestoreJob::new(
        photos,
        "/JKSM/Shared Extra Data/00048000F0000001",
        entry(&format!("{MIIS_DIR}/jksm backup")),
    );
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
fn an_archive_that_will_not_open_fails_the_backup_in_words() {
    let mut sim = console();
    sim.archives.refuse_opening(
        system_save(SYSTEM_SETTINGS),
        Some("the system refused access (FS result 0xD9004676)"),
    );
    let mut job = CtrBackupJob::new(system_save(SYSTEM_SETTINGS), SETTINGS_DIR, "x");
    let error = run_job!(sim, job).unwrap_err();
    assert!(
        matches!(&error, JobError::Archive(ArchiveError::Failed(why)) if why.contains("0xD9004676")),
        "{error}"
    );
    assert!(sim.sd.list(SETTINGS_DIR).unwrap_or_default().is_empty());
}

#[test]
fn a_write_that_does_not_stick_is_caught_by_the_read_back() {
    let mut sim = console();
    let mut job = CtrBackupJob::new(shared(SHARED_MIIS), MIIS_DIR, "good");
    let report = run_job!(sim, job).unwrap();
    let mut changed = MemTree::new();
    changed.write("/gamecoin.dat", b"zero coins").unwrap();
    sim.archives.insert(shared(SHARED_MIIS), changed);
    sim.archives.garble_next_write();
    let mut job = CtrRestoreJob::new(shared(SHARED_MIIS), MIIS_DIR, entry(&report.folder));
    let error = run_job!(sim, job).unwrap_err();
    let JobError::VerifyFailed { auto_backup, .. } = &error else {
        panic!("expected a read-back failure, got {error}");
    };
    // The journal stays, naming the shared extdata and the way back.
    let journal = journal::read(&mut sim.sd).unwrap().expect("a journal");
    assert_eq!(
        journal.save,
        JournalSave::Title {
            title_id: 0x0004_8000_F000_000B,
            media: Media::Nand,
            kind: Kind::SharedExtdata,
            name: "00048000F000000B".into(),
        }
    );
    assert_eq!(&journal.automatic_backup, auto_backup);
    assert_eq!(
        files_under(&sim, auto_backup),
        expected(&[("/gamecoin.dat", b"zero coins")])
    );
}

#[test]
fn power_lost_at_every_write_of_a_system_save_restore_leaves_it_whole_or_journaled() {
    let archive = system_save(MII_PLAZA);
    let fresh = || {
        let mut sim = console();
        let path = format!(
            "{}/wanted/plaza.dat",
            dir_of(archive, "StreetPass Mii Plaza")
        );
        sim.sd
            .create_dir_all(&path[..path.rfind('/').unwrap()])
            .unwrap();
        sim.sd.write(&path, b"wanted plaza").unwrap();
        sim
    };
    let dir = "/3ds/Checkpoint/saves/0x00217 StreetPass Mii Plaza";
    let before = console().archives.committed(archive).unwrap().clone();
    let mut sim = fresh();
    let start = sim.power.writes();
    let mut job = CtrRestoreJob::new(archive, dir, entry(&format!("{dir}/wanted")));
    run_job!(sim, job).unwrap();
    let total = sim.power.writes() - start;
    let wanted = expected(&[("/plaza.dat", b"wanted plaza")]);
    for cut in 1..=total {
        let mut sim = fresh();
        sim.power.cut_after_writes(cut);
        let mut job = CtrRestoreJob::new(archive, dir, entry(&format!("{dir}/wanted")));
        let outcome = run_job!(sim, job);
        sim.power_cycle();
        let now = sim.archives.committed(archive).unwrap();
        if now.files() != &wanted {
            // Save data lands at the commit: until then it is as it was.
            assert_eq!(now, &before, "cut {cut}: a half-restored system save");
            assert!(outcome.is_err(), "cut {cut}");
        }
        if let Some(journal) = journal::read(&mut sim.sd).unwrap() {
            assert_eq!(journal.save.archive(), Some(archive), "cut {cut}");
            assert_eq!(
                files_under(&sim, &journal.automatic_backup),
                before.files().clone(),
                "cut {cut}"
            );
        }
    }
}
