//! NDS jobs move at most one chunk through the SD card per step: the
//! backup's file is written and read back a chunk a step after the chip is
//! read (an 8 MiB chip was written and read back whole in one step, seconds
//! of a frozen screen), and a restore's automatic backup is read back the
//! same way. Counted at the simulated SD card, not taken from the jobs'
//! reports; every expected file is the bytes the test put on the chip.

use keepsake_format::nds::ChipKind;
use keepsake_testkit::rand::RngCore;
use keepsake_testkit::rng;

use super::tests::sim_part;
use super::*;
use crate::nds_card::identify;
use crate::platform::{Console, SdCard, SdError};
use crate::sim::{SimCard, SimConsole, SimNdsCard, nds_rom_header};
use crate::store::StoreError;
use crate::store::naming::STAGING_DIR;
use crate::store::{BackupEntry, BackupSource};

/// The most a step may move through the SD card: 256 KiB written out here,
/// plus the one byte a read-back reads past the end to see a longer file.
const MOST_PER_STEP: u64 = 256 * 1024 + 1;
const DIR: &str = "/3ds/Checkpoint/saves/ABCE BIGSAVE";

fn console(kind: ChipKind, contents: &[u8], code: &str, title: &str) -> SimConsole {
    let mut sim = SimConsole::new();
    sim.card.insert(SimCard::Nds(SimNdsCard {
        header: nds_rom_header(title, code),
        banner: Vec::new(),
        chip: sim_part(kind, contents),
        infrared: false,
    }));
    sim
}

fn random(name: &str, len: usize) -> Vec<u8> {
    let mut v = vec![0; len];
    rng::for_test(name).fill_bytes(&mut v);
    v
}

/// SD bytes read and written by one step, and the step's outcome.
fn counted<R>(
    sim: &mut SimConsole,
    step: impl FnOnce(&mut SimConsole) -> Result<Step<R>, JobError>,
) -> (u64, u64, Result<Step<R>, JobError>) {
    let (read, written) = (sim.sd.bytes_read(), sim.sd.bytes_written());
    let outcome = step(sim);
    (
        sim.sd.bytes_read() - read,
        sim.sd.bytes_written() - written,
        outcome,
    )
}

#[test]
fn an_8_mib_backup_is_written_and_read_back_a_chunk_per_step() {
    let chip = random("8 MiB backup", 8 << 20);
    let mut sim = console(ChipKind::Flash8M, &chip, "ABCE", "BIGSAVE");
    let card = identify(&mut sim.card).unwrap();
    let mut job = NdsBackupJob::new(card.detection.chip, "BIGSAVE", DIR, "b");
    let mut phases = Vec::new();
    let report = loop {
        let (read, written, outcome) = counted(&mut sim, |sim| job.step(&mut sim.devices()));
        assert!(read <= MOST_PER_STEP, "a step read {read} bytes");
        assert!(written <= MOST_PER_STEP, "a step wrote {written} bytes");
        match outcome.unwrap() {
            Step::Working(p) => {
                if phases.last() != Some(&p.phase) {
                    phases.push(p.phase);
                }
            }
            Step::Finished(report) => break report,
        }
    };
    assert_eq!(
        phases,
        [Phase::Reading, Phase::WritingBackup, Phase::Verifying]
    );
    assert_eq!(report.folder, format!("{DIR}/b"));
    assert_eq!(sim.sd.read(&format!("{DIR}/b/BIGSAVE.sav")).unwrap(), chip);
    assert!(sim.sd.list(STAGING_DIR).unwrap().is_empty());
}

#[test]
fn a_backup_cut_short_while_it_is_written_leaves_nothing_behind() {
    let chip = random("cut backup", 1 << 20);
    // The SD card fills up 600 KiB into the file: after two whole chunks.
    let mut sim = console(ChipKind::Flash1M, &chip, "ABCE", "BIGSAVE");
    let card = identify(&mut sim.card).unwrap();
    let mut job = NdsBackupJob::new(card.detection.chip, "BIGSAVE", DIR, "full");
    loop {
        match job.step(&mut sim.devices()).unwrap() {
            Step::Working(p) if p.phase == Phase::WritingBackup => break,
            Step::Working(_) => {}
            Step::Finished(_) => panic!("finished before writing"),
        }
    }
    let used = sim.sd.used();
    sim.sd.set_capacity(used + 600 * 1024);
    let error = loop {
        match job.step(&mut sim.devices()) {
            Ok(Step::Working(_)) => {}
            Ok(Step::Finished(_)) => panic!("a full card took the whole file"),
            Err(e) => break e,
        }
    };
    assert!(
        matches!(error, JobError::Store(StoreError::Sd(SdError::Full { .. }))),
        "{error}"
    );
    assert_eq!(sim.sd.kind_of(DIR).unwrap(), None, "no backup folder");
    assert!(sim.sd.list(STAGING_DIR).unwrap().is_empty(), "no staging");
    assert_eq!(job.step(&mut sim.devices()), Err(JobError::Ended));

    // Cancelled while its file is being read back: nothing stays either.
    sim.sd.set_capacity(64 << 20);
    let mut job = NdsBackupJob::new(card.detection.chip, "BIGSAVE", DIR, "cancelled");
    loop {
        match job.step(&mut sim.devices()).unwrap() {
            Step::Working(p) if p.phase == Phase::Verifying => break,
            Step::Working(_) => {}
            Step::Finished(_) => panic!("finished before reading back"),
        }
    }
    job.cancel(&mut sim.devices()).unwrap();
    assert_eq!(sim.sd.kind_of(DIR).unwrap(), None, "no backup folder");
    assert!(sim.sd.list(STAGING_DIR).unwrap().is_empty(), "no staging");
}

/// A restore of a 1 MiB flash whose backup differs in one byte.
fn restore_setup(name: &str) -> (SimConsole, Vec<u8>, NdsRestoreJob) {
    let chip = random(name, 1 << 20);
    let mut sim = console(ChipKind::Flash1M, &chip, "ABCE", "BIGSAVE");
    let mut wanted = chip.clone();
    wanted[700_000] ^= 0x10;
    let folder = format!("{DIR}/wanted");
    sim.sd.create_dir_all(&folder).unwrap();
    sim.sd
        .write(&format!("{folder}/BIGSAVE.sav"), &wanted)
        .unwrap();
    let card = identify(&mut sim.card).unwrap();
    let entry = BackupEntry {
        name: "wanted".into(),
        path: folder,
        source: BackupSource::Folder,
    };
    let job = NdsRestoreJob::restore(card, DIR, entry).with_auto_backup_name("auto".into());
    (sim, chip, job)
}

#[test]
fn a_restore_reads_its_automatic_backup_back_a_chunk_per_step() {
    let (mut sim, chip, mut job) = restore_setup("restore read-back");
    let mut read_back_steps = 0;
    loop {
        let (read, written, outcome) = counted(&mut sim, |sim| job.step(&mut sim.devices()));
        assert!(read <= MOST_PER_STEP, "a step read {read} bytes");
        assert!(written <= MOST_PER_STEP, "a step wrote {written} bytes");
        match outcome.unwrap() {
            Step::Working(p) => read_back_steps += usize::from(p.phase == Phase::SavingAutoBackup),
            Step::Finished(_) => break,
        }
    }
    // Steps that report the automatic backup: the one that reads the
    // chip's last chunk, then 1 MiB in four 256 KiB reads; the read that
    // finds the end goes on to the journal and reports the writing.
    assert_eq!(read_back_steps, 5);
    assert_eq!(
        sim.sd.read(&format!("{DIR}/auto/BIGSAVE.sav")).unwrap(),
        chip
    );
}

#[test]
fn a_card_swapped_while_the_automatic_backup_is_read_back_is_never_written() {
    let (mut sim, _, mut job) = restore_setup("swap during read-back");
    loop {
        match job.step(&mut sim.devices()).unwrap() {
            Step::Working(p) if p.phase == Phase::SavingAutoBackup => break,
            Step::Working(_) => {}
            Step::Finished(_) => panic!("finished before its automatic backup"),
        }
    }
    // Another game goes in while the copy is being read back.
    let other = random("the other game", 1 << 20);
    sim.card.insert(SimCard::Nds(SimNdsCard {
        header: nds_rom_header("OTHERGAME", "AOTE"),
        banner: Vec::new(),
        chip: sim_part(ChipKind::Flash1M, &other),
        infrared: false,
    }));
    sim.card.reset_stats();
    let error = loop {
        match job.step(&mut sim.devices()) {
            Ok(Step::Working(_)) => {}
            Ok(Step::Finished(_)) => panic!("the other card was written"),
            Err(e) => break e,
        }
    };
    assert!(matches!(error, JobError::CardChanged { .. }), "{error}");
    assert_eq!(sim.card.stats().page_writes, 0);
    assert_eq!(sim.card.nds_chip().unwrap().memory(), &other[..]);
    assert_eq!(sim.sd.kind_of(&format!("{DIR}/auto")).unwrap(), None);
    assert!(sim.sd.list(STAGING_DIR).unwrap().is_empty());
}
