//! Secure values through a backup and a restore of an SD title's save data,
//! on the simulated console: kept beside the backup, put back after the
//! commit, read from a JKSM backup, deleted only when none was kept.

use super::*;
use crate::platform::{ArchiveId, ArchiveKind, Console, MediaType, SdCard};
use crate::sim::{MemTree, SimConsole};
use crate::store::{BackupEntry, BackupSource};

const TITLE: u64 = 0x0004_0000_0005_5D00;
/// Where Checkpoint puts this title's backups: its unique id is 0x0055D.
const TITLE_DIR: &str = "/3ds/Checkpoint/saves/0x0055D Pokémon X";

fn save_data() -> ArchiveId {
    ArchiveId {
        kind: ArchiveKind::SaveData,
        media: MediaType::Sd,
        title_id: TITLE,
    }
}

fn console(save: &[u8], secure_value: Option<u64>) -> SimConsole {
    let mut sim = SimConsole::new();
    let mut tree = MemTree::new();
    tree.write("/main", save).unwrap();
    sim.archives.insert(save_data(), tree);
    if let Some(value) = secure_value {
        sim.archives.set_title_secure_value(TITLE, value);
    }
    sim
}

fn entry(path: &str) -> BackupEntry {
    BackupEntry {
        name: path.rsplit('/').next().unwrap().to_owned(),
        path: path.to_owned(),
        source: BackupSource::Folder,
    }
}

fn run<R>(
    sim: &mut SimConsole,
    mut step: impl FnMut(&mut SimConsole) -> Result<Step<R>, JobError>,
) -> Result<R, JobError> {
    for _ in 0..10_000 {
        match step(sim)? {
            Step::Working(_) => continue,
            Step::Finished(report) => return Ok(report),
        }
    }
    panic!("job does not finish");
}

fn backup(sim: &mut SimConsole, name: &str) -> CtrBackupReport {
    let mut job = CtrBackupJob::new(save_data(), TITLE_DIR, name);
    run(sim, |sim| job.step(&mut sim.devices())).unwrap()
}

fn restore(sim: &mut SimConsole, folder: &str) -> Result<CtrRestoreReport, JobError> {
    let mut job = CtrRestoreJob::new(save_data(), TITLE_DIR, entry(folder))
        .with_auto_backup_name("auto-before".into());
    run(sim, |sim| job.step(&mut sim.devices()))
}

#[test]
fn a_backup_keeps_the_value_and_a_restore_puts_it_back() {
    let mut sim = console(b"first", Some(0x1122_3344_5566_7788));
    let report = backup(&mut sim, "20261130-090000");
    assert_eq!(report.secure_value, BackupSecureValue::Kept);
    // Eight bytes, little-endian, beside the backup (not inside it).
    assert_eq!(
        sim.sd
            .read("/3ds/Keepsake/secure-values/0x0055D/20261130-090000.bin")
            .unwrap(),
        [0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11]
    );
    assert!(
        sim.sd
            .read(&format!("{}/._secure_value", report.folder))
            .is_err()
    );

    // The game saves again and its secure value changes with it.
    let mut played = MemTree::new();
    played.write("/main", b"second").unwrap();
    sim.archives.insert(save_data(), played);
    sim.archives.set_title_secure_value(TITLE, 0xAAAA);

    let restored = restore(&mut sim, &report.folder).unwrap();
    assert_eq!(
        restored.secure_value,
        RestoredSecureValue::PutBack { from_jksm: false }
    );
    assert_eq!(
        sim.archives.title_secure_value(TITLE),
        Some(0x1122_3344_5566_7788)
    );
    assert!(
        sim.archives.secure_value_resets().is_empty(),
        "nothing deleted"
    );
    // The automatic backup keeps the value the title had, for the way back.
    assert_eq!(
        sim.sd
            .read("/3ds/Keepsake/secure-values/0x0055D/auto-before.bin")
            .unwrap(),
        0xAAAAu64.to_le_bytes()
    );
}

#[test]
fn a_backup_without_a_value_restores_as_checkpoint_does() {
    let mut sim = console(b"first", None);
    let report = backup(&mut sim, "plain");
    assert_eq!(report.secure_value, BackupSecureValue::NoneSet);
    sim.archives.set_title_secure_value(TITLE, 5);
    let restored = restore(&mut sim, &report.folder).unwrap();
    assert_eq!(restored.secure_value, RestoredSecureValue::Deleted);
    assert_eq!(sim.archives.title_secure_value(TITLE), None);
    assert_eq!(
        sim.archives.secure_value_resets(),
        &[(TITLE, MediaType::Sd)]
    );
}

#[test]
fn a_jksm_backup_gives_its_value_and_its_file_stays_out_of_the_save() {
    let mut sim = console(b"now", Some(1));
    let folder = format!("{TITLE_DIR}/jksm backup");
    sim.sd.create_dir_all(&folder).unwrap();
    sim.sd
        .write(&format!("{folder}/main"), b"from jksm")
        .unwrap();
    sim.sd
        .write(
            &format!("{folder}/._secure_value"),
            &[0xEF, 0xBE, 0xAD, 0xDE, 0, 0, 0, 0],
        )
        .unwrap();
    let restored = restore(&mut sim, &folder).unwrap();
    assert_eq!(restored.files_written, 1);
    assert_eq!(
        restored.secure_value,
        RestoredSecureValue::PutBack { from_jksm: true }
    );
    assert_eq!(sim.archives.title_secure_value(TITLE), Some(0xDEAD_BEEF));
    let save = sim.archives.committed(save_data()).unwrap();
    assert_eq!(save.read("/main").unwrap(), b"from jksm");
    assert!(save.read("/._secure_value").is_err());
}

#[test]
fn a_damaged_kept_value_stops_the_restore_before_anything_changes() {
    let mut sim = console(b"now", Some(9));
    let report = backup(&mut sim, "damaged");
    sim.sd
        .write(
            "/3ds/Keepsake/secure-values/0x0055D/damaged.bin",
            &[1, 2, 3],
        )
        .unwrap();
    let error = restore(&mut sim, &report.folder).unwrap_err();
    assert_eq!(
        error.to_string(),
        "/3ds/Keepsake/secure-values/0x0055D/damaged.bin is 3 bytes; a secure value is 8"
    );
    let save = sim.archives.committed(save_data()).unwrap();
    assert_eq!(save.read("/main").unwrap(), b"now");
    assert_eq!(sim.archives.title_secure_value(TITLE), Some(9));
    assert_eq!(sim.archives.commits(), 0);
}

#[test]
fn extdata_has_no_secure_value() {
    let mut sim = console(b"x", Some(3));
    let extdata = ArchiveId {
        kind: ArchiveKind::ExtData,
        ..save_data()
    };
    let mut tree = MemTree::new();
    tree.write("/ext", b"e").unwrap();
    sim.archives.insert(extdata, tree);
    let dir = "/3ds/Checkpoint/extdata/0x0055D Pokémon X";
    let mut job = CtrBackupJob::new(extdata, dir, "e1");
    let report = run(&mut sim, |sim| job.step(&mut sim.devices())).unwrap();
    assert_eq!(report.secure_value, BackupSecureValue::NotApplicable);
    let mut job = CtrRestoreJob::new(extdata, dir, entry(&report.folder));
    let restored = run(&mut sim, |sim| job.step(&mut sim.devices())).unwrap();
    assert_eq!(restored.secure_value, RestoredSecureValue::NotApplicable);
    assert_eq!(sim.archives.title_secure_value(TITLE), Some(3));
}
