//! GBA VC jobs on the simulated console, over containers laid out by hand
//! at the offsets 3dbrew gives ("3DS Virtual Console", NAND Savegame):
//! magic `.SAV` at 0, CMAC at 0x10, times saved at 0x34, save start 0x200
//! at 0x50, save size at 0x54; the bottom slot's header right after the top
//! slot's save.

use keepsake_testkit::rand::RngCore;
use keepsake_testkit::rng;
use sha2::{Digest, Sha256};

use super::*;
use crate::platform::{Console, GbaVcError, GbaVcId, MediaType, SdCard};
use crate::sim::{SimConsole, SimGbaVc};
use crate::store::journal::{self, JournalSave};
use crate::store::{BackupEntry, BackupSource};
use keepsake_format::gba_vc::AgbSaveError;

/// Unique id 0x0ABCD.
const TITLE: u64 = 0x0004_0000_00AB_CD00;
const TITLE_DIR: &str = "/3ds/Checkpoint/saves/0x0ABCD Metroid Fusion";
const ID: GbaVcId = GbaVcId {
    title_id: TITLE,
    media: MediaType::Sd,
};

/// One slot: a header filled with 0xFF but for the documented fields, a
/// stand-in CMAC of 0xAA, then the save.
fn slot(times_saved: u32, save: &[u8]) -> Vec<u8> {
    let mut bytes = vec![0xFF; 0x200];
    bytes[0..4].copy_from_slice(b".SAV");
    bytes[0x10..0x20].fill(0xAA);
    bytes[0x30..0x34].copy_from_slice(&1u32.to_le_bytes());
    bytes[0x34..0x38].copy_from_slice(&times_saved.to_le_bytes());
    bytes[0x38..0x40].copy_from_slice(&TITLE.to_le_bytes());
    bytes[0x40..0x50].fill(0x5C);
    bytes[0x50..0x54].copy_from_slice(&0x200u32.to_le_bytes());
    bytes[0x54..0x58].copy_from_slice(&(save.len() as u32).to_le_bytes());
    bytes.extend_from_slice(save);
    bytes
}

fn random(name: &str, len: usize) -> Vec<u8> {
    let mut bytes = vec![0; len];
    rng::for_test(name).fill_bytes(&mut bytes);
    bytes
}

macro_rules! run_job {
    ($sim:expr, $job:expr) => {{
        let mut steps = 0u32;
        loop {
            steps += 1;
            assert!(steps < 1_000, "job does not finish");
            match $job.step(&mut $sim.devices()) {
                Ok(Step::Working(_)) => continue,
                Ok(Step::Finished(report)) => break Ok(report),
                Err(e) => break Err(e),
            }
        }
    }};
}

fn entry(folder: &str) -> BackupEntry {
    BackupEntry {
        name: folder.rsplit('/').next().unwrap().to_owned(),
        path: folder.to_owned(),
        source: BackupSource::Folder,
    }
}

/// A backup folder holding `file` with `bytes`.
fn backup_folder(sim: &mut SimConsole, file: &str, bytes: &[u8]) -> BackupEntry {
    let folder = format!("{TITLE_DIR}/20260101-000000");
    sim.sd.create_dir_all(&folder).unwrap();
    sim.sd.write(&format!("{folder}/{file}"), bytes).unwrap();
    entry(&folder)
}

/// The CMAC the simulation computes, from its description (digest halves
/// XORed, then the title id's little-endian bytes), over the SHA-256 of
/// `header[0x30..0x200] || save`.
fn expected_cmac(header: &[u8], save: &[u8]) -> [u8; 16] {
    let mut hasher = Sha256::new();
    hasher.update(&header[0x30..0x200]);
    hasher.update(save);
    let digest = hasher.finalize();
    let id = TITLE.to_le_bytes();
    std::array::from_fn(|i| digest[i] ^ digest[16 + i] ^ id[i % 8])
}

#[test]
fn a_backup_holds_the_bottom_slot_when_it_was_saved_more_often() {
    let top = random("gba top", 8 * 1024);
    let bottom = random("gba bottom", 8 * 1024);
    let image = [slot(3, &top), slot(4, &bottom)].concat();
    assert_eq!(image.len(), 0x4400);
    let mut sim = SimConsole::new();
    sim.gba_vc.insert(TITLE, MediaType::Sd, image.clone());

    let mut job = GbaBackupJob::new(ID, TITLE_DIR, "20260102-000000");
    let report = run_job!(sim, job).unwrap();
    assert_eq!(report.folder, format!("{TITLE_DIR}/20260102-000000"));
    assert_eq!((report.bytes, report.times_saved), (8192, 4));
    // Bottom slot header at 0x200 + 0x2000, its save 0x200 further.
    let saved = sim
        .sd
        .read(&format!("{TITLE_DIR}/20260102-000000/00000001.sav"))
        .unwrap();
    assert_eq!(saved, &image[0x2400..0x4400]);
    assert_eq!(saved, bottom);
    let names: Vec<_> = sim
        .sd
        .list(&report.folder)
        .unwrap()
        .into_iter()
        .map(|e| e.name)
        .collect();
    assert_eq!(names, ["00000001.sav"], "Checkpoint's name, nothing else");
    assert_eq!(sim.gba_vc.container(TITLE, MediaType::Sd), Some(&image[..]));
}

#[test]
fn a_container_never_saved_gives_no_backup() {
    let mut sim = SimConsole::new();
    sim.gba_vc
        .insert_never_saved(TITLE, MediaType::Sd, 32 * 1024);
    let mut job = GbaBackupJob::new(ID, TITLE_DIR, "20260102-000000");
    let error = run_job!(sim, job).unwrap_err();
    assert_eq!(
        error,
        JobError::GbaSave(AgbSaveError::NoSavedSlot { len: 0x10400 })
    );
    assert!(error.to_string().contains("start the game and save once"));
    assert_eq!(sim.sd.kind_of(TITLE_DIR).unwrap(), None);
}

#[test]
fn without_the_service_the_job_says_why() {
    let mut sim = SimConsole::new();
    sim.gba_vc.insert(TITLE, MediaType::Sd, slot(1, &[0; 512]));
    sim.gba_vc
        .make_unavailable("the PxiFS0 service needs Luma3DS");
    let mut job = GbaBackupJob::new(ID, TITLE_DIR, "x");
    assert_eq!(
        run_job!(sim, job).unwrap_err().to_string(),
        "GBA Virtual Console saves cannot be reached: the PxiFS0 service needs Luma3DS"
    );
}

#[test]
fn a_restore_writes_the_save_and_its_cmac_into_the_current_slot_only() {
    let top = random("gba restore top", 32 * 1024);
    let bottom = random("gba restore bottom", 32 * 1024);
    let image = [slot(1, &top), slot(2, &bottom)].concat();
    let backup = random("gba restore backup", 32 * 1024);
    let mut sim = SimConsole::new();
    sim.gba_vc.insert(TITLE, MediaType::Sd, image.clone());
    let source = backup_folder(&mut sim, "00000001.sav", &backup);

    let mut job = GbaRestoreJob::new(ID, TITLE_DIR, source)
        .with_auto_backup_name("20260103-000000-auto".into());
    let report = run_job!(sim, job).unwrap();
    assert_eq!(report.slot_offset, 0x8200);
    assert_eq!(report.bytes_written, 32 * 1024);
    assert!(!report.from_container);

    let now = sim.gba_vc.container(TITLE, MediaType::Sd).unwrap();
    assert_eq!(now.len(), image.len());
    // Bottom slot at 0x200 + 0x8000: CMAC at 0x8210, save at 0x8400.
    assert_eq!(&now[..0x8210], &image[..0x8210], "top slot, bottom magic");
    assert_eq!(
        &now[0x8210..0x8220],
        &expected_cmac(&image[0x8200..0x8400], &backup)
    );
    assert_eq!(&now[0x8220..0x8400], &image[0x8220..0x8400], "header kept");
    assert_eq!(&now[0x8400..], &backup[..]);

    let auto = sim
        .sd
        .read(&format!("{TITLE_DIR}/20260103-000000-auto/00000001.sav"))
        .unwrap();
    assert_eq!(auto, bottom, "the save as it was");
    assert_eq!(
        report.auto_backup,
        format!("{TITLE_DIR}/20260103-000000-auto")
    );
    assert_eq!(journal::read(&mut sim.sd).unwrap(), None);
    assert!(!job.critical());
}

#[test]
fn a_whole_container_backup_gives_its_current_save() {
    let old = random("gba legacy old", 512);
    let new = random("gba legacy new", 512);
    // Top slot saved more often: its save (at 0x200) is the backup's.
    let dump = [slot(9, &new), slot(8, &old)].concat();
    let mut sim = SimConsole::new();
    let image = [slot(1, &[0x11; 512]), vec![0xFF; 0x400]].concat();
    sim.gba_vc.insert(TITLE, MediaType::Sd, image.clone());
    let source = backup_folder(&mut sim, "Metroid.bin", &dump);

    let mut job = GbaRestoreJob::new(ID, TITLE_DIR, source);
    let report = run_job!(sim, job).unwrap();
    assert!(report.from_container);
    assert_eq!(
        report.source,
        format!("{TITLE_DIR}/20260101-000000/Metroid.bin")
    );
    let now = sim.gba_vc.container(TITLE, MediaType::Sd).unwrap();
    assert_eq!(&now[0x200..0x400], &dump[0x200..0x400]);
    assert_eq!(&now[0x10..0x20], &expected_cmac(&image[..0x200], &new));
    assert_eq!(&now[0x400..], &image[0x400..], "blank bottom slot stays");
}

#[test]
fn a_folder_of_several_files_without_checkpoints_name_is_refused_naming_it() {
    let mut sim = SimConsole::new();
    sim.gba_vc.insert(TITLE, MediaType::Sd, slot(1, &[0; 512]));
    let source = backup_folder(&mut sim, "a.sav", &[0; 512]);
    sim.sd
        .write(&format!("{}/b.sav", source.path), &[0; 512])
        .unwrap();
    let mut job = GbaRestoreJob::new(ID, TITLE_DIR, source);
    let error = run_job!(sim, job).unwrap_err();
    assert!(
        error.to_string().contains("20260101-000000/00000001.sav"),
        "{error}"
    );
}

#[test]
fn a_backup_of_another_title_is_refused() {
    let mut sim = SimConsole::new();
    sim.gba_vc.insert(TITLE, MediaType::Sd, slot(1, &[0; 512]));
    let folder = "/3ds/Checkpoint/saves/0x01234 Other/20260101-000000";
    sim.sd.create_dir_all(folder).unwrap();
    sim.sd
        .write(&format!("{folder}/00000001.sav"), &[0; 512])
        .unwrap();
    let mut job = GbaRestoreJob::new(ID, TITLE_DIR, entry(folder));
    assert!(matches!(
        run_job!(sim, job).unwrap_err(),
        JobError::Store(crate::store::StoreError::WrongGame { .. })
    ));
}

#[test]
fn a_save_of_another_size_is_refused_before_anything_is_written() {
    let image = [slot(1, &[0x11; 32 * 1024]), slot(0, &[0x22; 32 * 1024])].concat();
    let mut sim = SimConsole::new();
    sim.gba_vc.insert(TITLE, MediaType::Sd, image.clone());
    let source = backup_folder(&mut sim, "00000001.sav", &[0x33; 8 * 1024]);
    let writes = sim.power.writes();

    let mut job = GbaRestoreJob::new(ID, TITLE_DIR, source);
    let error = run_job!(sim, job).unwrap_err();
    assert_eq!(
        error,
        JobError::GbaSave(AgbSaveError::SizeMismatch {
            backup: "8 KiB".into(),
            container: "32 KiB".into(),
        })
    );
    assert!(!job.may_have_written());
    assert_eq!(sim.power.writes(), writes, "nothing written anywhere");
    assert_eq!(sim.gba_vc.container(TITLE, MediaType::Sd), Some(&image[..]));
    assert_eq!(journal::read(&mut sim.sd).unwrap(), None);
}

#[test]
fn a_file_that_is_no_gba_save_is_refused() {
    let mut sim = SimConsole::new();
    sim.gba_vc.insert(TITLE, MediaType::Sd, slot(1, &[0; 512]));
    let source = backup_folder(&mut sim, "00000001.sav", &[0; 1000]);
    let mut job = GbaRestoreJob::new(ID, TITLE_DIR, source);
    assert_eq!(
        run_job!(sim, job).unwrap_err(),
        JobError::GbaSave(AgbSaveError::NotAGbaSave { len: 1000 })
    );
}

#[test]
fn a_power_cut_between_the_save_and_its_cmac_leaves_the_way_back() {
    let current = random("gba cut current", 32 * 1024);
    let image = [slot(1, &current), vec![0xFF; 0x200 + 32 * 1024]].concat();
    let backup = random("gba cut backup", 32 * 1024);
    let mut sim = SimConsole::new();
    sim.gba_vc.insert(TITLE, MediaType::Sd, image.clone());
    let source = backup_folder(&mut sim, "00000001.sav", &backup);

    let mut job = GbaRestoreJob::new(ID, TITLE_DIR, source)
        .with_auto_backup_name("20260103-000000-auto".into());
    // Step until the save is about to be written, then cut the power right
    // after the next write: the save (one 32 KiB chunk) lands, its CMAC
    // does not.
    loop {
        match job.step(&mut sim.devices()).unwrap() {
            Step::Working(p) if p.phase == Phase::Writing => break,
            Step::Working(_) => {}
            Step::Finished(_) => panic!("finished before writing"),
        }
    }
    assert!(job.may_have_written(), "the journal is recorded");
    assert!(
        job.critical(),
        "the next step writes: nothing may end the app"
    );
    assert!(!job.can_cancel());
    sim.power.cut_after_writes(1);
    let error = run_job!(sim, job).unwrap_err();
    assert_eq!(error, JobError::GbaVc(GbaVcError::PowerLost));
    sim.power_cycle();

    let now = sim.gba_vc.container(TITLE, MediaType::Sd).unwrap();
    assert_eq!(&now[0x200..0x8200], &backup[..], "the save landed");
    assert_eq!(&now[0x10..0x20], &[0xAA; 16], "its CMAC did not");
    let record = journal::read(&mut sim.sd).unwrap().expect("journal left");
    assert_eq!(
        record.automatic_backup,
        format!("{TITLE_DIR}/20260103-000000-auto")
    );
    assert!(matches!(
        record.save,
        JournalSave::GbaVc { title_id: TITLE, ref name, .. } if name == "Metroid Fusion"
    ));
    assert_eq!(
        journal::check_way_back(&mut sim.sd, &record),
        journal::WayBack::Intact
    );
    let auto = sim
        .sd
        .read(&format!("{TITLE_DIR}/20260103-000000-auto/00000001.sav"))
        .unwrap();
    assert_eq!(auto, current);

    // The way back, as the start-up screen would run it: the save as it
    // was, its CMAC signed again; the journal names the first automatic
    // backup until the end.
    let mut unfinished = crate::app::Unfinished::find(&mut sim.sd)
        .unwrap()
        .expect("found at start-up");
    unfinished.finish_check(&mut sim.sd);
    let mut put_back = unfinished
        .gba_put_back()
        .unwrap()
        .with_auto_backup_name("20260104-000000-auto".into());
    loop {
        match put_back.step(&mut sim.devices()).unwrap() {
            Step::Working(p) if p.phase == Phase::Writing => break,
            Step::Working(_) => {}
            Step::Finished(_) => panic!("finished before writing"),
        }
    }
    let record = journal::read(&mut sim.sd).unwrap().unwrap();
    assert_eq!(
        record.automatic_backup,
        format!("{TITLE_DIR}/20260103-000000-auto")
    );
    run_job!(sim, put_back).unwrap();
    let now = sim.gba_vc.container(TITLE, MediaType::Sd).unwrap();
    assert_eq!(&now[0x200..0x8200], &current[..]);
    assert_eq!(&now[0x10..0x20], &expected_cmac(&image[..0x200], &current));
    assert_eq!(journal::read(&mut sim.sd).unwrap(), None);
}

#[test]
fn a_write_that_does_not_stick_fails_the_read_back_and_keeps_the_journal() {
    let image = [slot(1, &[0x11; 512]), slot(0, &[0x22; 512])].concat();
    let mut sim = SimConsole::new();
    sim.gba_vc.insert(TITLE, MediaType::Sd, image.clone());
    sim.gba_vc.writes_do_not_stick = true;
    let source = backup_folder(&mut sim, "00000001.sav", &[0x33; 512]);
    let mut job = GbaRestoreJob::new(ID, TITLE_DIR, source).with_auto_backup_name("auto".into());
    let error = run_job!(sim, job).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "the GBA save file at offset 0x10 did not read back as written; the save as it was before is in {TITLE_DIR}/auto"
        )
    );
    assert!(journal::read(&mut sim.sd).unwrap().is_some());
    assert!(job.may_have_written());
}

#[test]
fn the_sim_fake_cmac_is_what_the_tests_expect() {
    let header = slot(1, &[]);
    let save = [7u8; 512];
    let mut hasher = Sha256::new();
    hasher.update(&header[0x30..]);
    hasher.update(save);
    let digest: [u8; 32] = hasher.finalize().into();
    assert_eq!(
        SimGbaVc::fake_cmac(TITLE, &digest),
        expected_cmac(&header, &save)
    );
}
