//! 3DS jobs move at most one chunk per step, whatever a file's size, so the
//! console redraws (and shows progress) between chunks of a 128 MiB extdata
//! file instead of freezing until the whole file is through.
//!
//! The bytes are counted where they cross the platform traits (a counting
//! wrapper around the simulated archives and SD card), not taken from the
//! job's own report: in every step, at most one chunk crosses each device,
//! read and written together. A copy reads a chunk on one side and writes
//! it on the other; a comparison reads one chunk on each side.
//!
//! Faults in the middle of a large file (power lost at any write, an archive
//! write that does not stick, the SD card full half-way through the
//! automatic backup) end as they did with whole-file steps: the journal is
//! there exactly when the save may be neither old nor new, and names an
//! automatic backup that holds the save as it was.

use keepsake_testkit::rand::RngCore;
use keepsake_testkit::rng;

use super::*;
use crate::platform::{
    ArchiveEntry, ArchiveError, ArchiveHandle, ArchiveId, ArchiveKind, Console, Devices, MediaType,
    SaveArchives, SdCard, SdEntry, SdError,
};
use crate::sim::{MemTree, SimArchives, SimConsole, SimSd};
use crate::store::journal;
use crate::store::naming::STAGING_DIR;
use crate::store::{BackupEntry, BackupSource, StoreError};

/// The most a step may move through one device: 256 KiB,
/// written out here rather than taken from the code under test.
const CHUNK: u64 = 256 * 1024;
/// A file of 12 whole chunks and a 5000-byte tail.
const BIG: usize = 3 * 1024 * 1024 + 5000;
/// Whole chunks strictly inside `BIG`: 3 MiB / 256 KiB.
const BIG_INNER_CHUNKS: usize = 12;
const DIR: &str = "/3ds/Checkpoint/extdata/0x0055D Pokémon X";
const POKEMON_X: u64 = 0x0004_0000_0005_5D00;

/// Bytes that crossed one device's trait in each direction.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Io {
    read: u64,
    written: u64,
}

impl Io {
    fn add(&mut self, other: Io) {
        self.read += other.read;
        self.written += other.written;
    }
}

/// The simulated archives, counting the file bytes read and written, and
/// the deletes.
struct CountedArchives<'a> {
    inner: &'a mut SimArchives,
    io: Io,
    deletes: u64,
}

impl SaveArchives for CountedArchives<'_> {
    fn open(&mut self, id: ArchiveId) -> Result<ArchiveHandle, ArchiveError> {
        self.inner.open(id)
    }
    fn close(&mut self, archive: ArchiveHandle) {
        self.inner.close(archive);
    }
    fn list(&mut self, a: ArchiveHandle, dir: &str) -> Result<Vec<ArchiveEntry>, ArchiveError> {
        self.inner.list(a, dir)
    }
    fn read_file(&mut self, a: ArchiveHandle, path: &str) -> Result<Vec<u8>, ArchiveError> {
        let bytes = self.inner.read_file(a, path)?;
        self.io.read += bytes.len() as u64;
        Ok(bytes)
    }
    fn write_file(&mut self, a: ArchiveHandle, path: &str, b: &[u8]) -> Result<(), ArchiveError> {
        self.io.written += b.len() as u64;
        self.inner.write_file(a, path, b)
    }
    fn read_at(
        &mut self,
        a: ArchiveHandle,
        path: &str,
        offset: u64,
        buf: &mut [u8],
    ) -> Result<usize, ArchiveError> {
        let n = self.inner.read_at(a, path, offset, buf)?;
        self.io.read += n as u64;
        Ok(n)
    }
    fn create_file(&mut self, a: ArchiveHandle, path: &str, size: u64) -> Result<(), ArchiveError> {
        self.inner.create_file(a, path, size)
    }
    fn write_at(
        &mut self,
        a: ArchiveHandle,
        path: &str,
        offset: u64,
        bytes: &[u8],
    ) -> Result<(), ArchiveError> {
        self.io.written += bytes.len() as u64;
        self.inner.write_at(a, path, offset, bytes)
    }
    fn create_dir(&mut self, a: ArchiveHandle, path: &str) -> Result<(), ArchiveError> {
        self.inner.create_dir(a, path)
    }
    fn delete_file(&mut self, a: ArchiveHandle, path: &str) -> Result<(), ArchiveError> {
        self.deletes += 1;
        self.inner.delete_file(a, path)
    }
    fn delete_dir(&mut self, a: ArchiveHandle, path: &str) -> Result<(), ArchiveError> {
        self.deletes += 1;
        self.inner.delete_dir(a, path)
    }
    fn commit(&mut self, a: ArchiveHandle) -> Result<(), ArchiveError> {
        self.inner.commit(a)
    }
    fn reset_secure_value(&mut self, title_id: u64, media: MediaType) -> Result<(), ArchiveError> {
        self.inner.reset_secure_value(title_id, media)
    }
    fn secure_value(
        &mut self,
        title_id: u64,
        media: MediaType,
    ) -> Result<Option<u64>, ArchiveError> {
        self.inner.secure_value(title_id, media)
    }
    fn set_secure_value(
        &mut self,
        title_id: u64,
        media: MediaType,
        value: u64,
    ) -> Result<(), ArchiveError> {
        self.inner.set_secure_value(title_id, media, value)
    }
}

/// The simulated SD card, counting the file bytes read and written.
struct CountedSd<'a> {
    inner: &'a mut SimSd,
    io: Io,
}

impl SdCard for CountedSd<'_> {
    fn read(&mut self, path: &str) -> Result<Vec<u8>, SdError> {
        let bytes = self.inner.read(path)?;
        self.io.read += bytes.len() as u64;
        Ok(bytes)
    }
    fn write(&mut self, path: &str, bytes: &[u8]) -> Result<(), SdError> {
        self.io.written += bytes.len() as u64;
        self.inner.write(path, bytes)
    }
    fn read_at(&mut self, path: &str, offset: u64, buf: &mut [u8]) -> Result<usize, SdError> {
        let n = self.inner.read_at(path, offset, buf)?;
        self.io.read += n as u64;
        Ok(n)
    }
    fn write_at(&mut self, path: &str, offset: u64, bytes: &[u8]) -> Result<(), SdError> {
        self.io.written += bytes.len() as u64;
        self.inner.write_at(path, offset, bytes)
    }
    fn rename(&mut self, from: &str, to: &str) -> Result<(), SdError> {
        self.inner.rename(from, to)
    }
    fn remove_file(&mut self, path: &str) -> Result<(), SdError> {
        self.inner.remove_file(path)
    }
    fn remove_dir_all(&mut self, path: &str) -> Result<(), SdError> {
        self.inner.remove_dir_all(path)
    }
    fn create_dir_all(&mut self, path: &str) -> Result<(), SdError> {
        self.inner.create_dir_all(path)
    }
    fn list(&mut self, dir: &str) -> Result<Vec<SdEntry>, SdError> {
        self.inner.list(dir)
    }
    fn kind_of(&mut self, path: &str) -> Result<Option<bool>, SdError> {
        self.inner.kind_of(path)
    }
    fn free_space(&mut self) -> Result<u64, SdError> {
        self.inner.free_space()
    }
    fn read_prefix(&mut self, path: &str, len: usize) -> Result<Vec<u8>, SdError> {
        let bytes = self.inner.read_prefix(path, len)?;
        self.io.read += bytes.len() as u64;
        Ok(bytes)
    }
}

/// What a job did, step by step, as the devices saw it.
struct Run<R> {
    outcome: Result<R, JobError>,
    /// The progress of every step that left work to do.
    reports: Vec<Progress>,
    archive: Io,
    sd: Io,
}

/// Runs a job to its end through the counting devices, checking every
/// step against the one-chunk bound (and at most one delete).
fn run_bounded<R>(
    sim: &mut SimConsole,
    mut step: impl FnMut(&mut Devices<'_>) -> Result<Step<R>, JobError>,
) -> Run<R> {
    let mut run = Run {
        outcome: Err(JobError::Ended),
        reports: Vec::new(),
        archive: Io::default(),
        sd: Io::default(),
    };
    for n in 1.. {
        assert!(n < 10_000, "the job does not finish");
        let mut archives = CountedArchives {
            inner: &mut sim.archives,
            io: Io::default(),
            deletes: 0,
        };
        let mut sd = CountedSd {
            inner: &mut sim.sd,
            io: Io::default(),
        };
        let result = step(&mut Devices {
            card: &mut sim.card,
            archives: &mut archives,
            sd: &mut sd,
            titles: &mut sim.titles,
            gba_vc: &mut sim.gba_vc,
            clock: &sim.clock,
        });
        for (device, io) in [("archive", archives.io), ("SD card", sd.io)] {
            assert!(
                io.read + io.written <= CHUNK,
                "step {n} moved more than one chunk through the {device}: {io:?}"
            );
        }
        // Emptying an archive of many files is one delete per step too.
        assert!(
            archives.deletes <= 1,
            "step {n} deleted {}",
            archives.deletes
        );
        run.archive.add(archives.io);
        run.sd.add(sd.io);
        match result {
            Ok(Step::Working(progress)) => run.reports.push(progress),
            Ok(Step::Finished(report)) => {
                run.outcome = Ok(report);
                break;
            }
            Err(e) => {
                run.outcome = Err(e);
                break;
            }
        }
    }
    run
}

/// Asserts that `phase` reported its bytes between the chunks of the
/// large file: at least one report at each of its inner chunk boundaries,
/// never going back, never past the total.
fn assert_progress_between_chunks(reports: &[Progress], phase: Phase) {
    let done: Vec<u64> = reports
        .iter()
        .filter(|p| p.phase == phase)
        .map(|p| {
            assert!(p.bytes_done <= p.bytes_total, "{p:?}");
            p.bytes_done
        })
        .collect();
    assert!(
        done.windows(2).all(|w| w[0] <= w[1]),
        "{phase:?} went back: {done:?}"
    );
    let total = reports
        .iter()
        .find(|p| p.phase == phase)
        .map_or(0, |p| p.bytes_total);
    let inner: std::collections::BTreeSet<u64> = done
        .iter()
        .copied()
        .filter(|&d| d > 0 && d < total)
        .collect();
    assert!(
        inner.len() >= BIG_INNER_CHUNKS,
        "{phase:?} reported only {inner:?} of {total} bytes in between"
    );
}

fn random(name: &str, len: usize) -> Vec<u8> {
    let mut v = vec![0; len];
    rng::for_test(name).fill_bytes(&mut v);
    v
}

/// A save with one large file and two small ones, one of them in a folder.
fn save_with_big_file(name: &str, big: usize) -> MemTree {
    let mut tree = MemTree::new();
    tree.create_dir_all("/data").unwrap();
    tree.write("/big.bin", &random(&format!("{name} big"), big))
        .unwrap();
    tree.write("/data/small.bin", &random(&format!("{name} small"), 700))
        .unwrap();
    tree.write("/main", &random(&format!("{name} main"), 3000))
        .unwrap();
    tree
}

fn bytes_of(tree: &MemTree) -> u64 {
    tree.files().values().map(|b| b.len() as u64).sum()
}

fn archive(kind: ArchiveKind) -> ArchiveId {
    ArchiveId {
        kind,
        media: MediaType::Sd,
        title_id: POKEMON_X,
    }
}

/// A console whose archive holds `before`, with `wanted` as a backup
/// folder on the SD card.
fn console(id: ArchiveId, before: &MemTree, wanted: &MemTree) -> (SimConsole, BackupEntry) {
    let mut sim = SimConsole::new();
    sim.archives.insert(id, before.clone());
    let folder = format!("{DIR}/wanted");
    sim.sd.create_dir_all(&format!("{folder}/data")).unwrap();
    for (path, bytes) in wanted.files() {
        sim.sd.write(&format!("{folder}{path}"), bytes).unwrap();
    }
    let entry = BackupEntry {
        name: "wanted".into(),
        path: folder,
        source: BackupSource::Folder,
    };
    (sim, entry)
}

/// The files under an SD folder, as a tree rooted at the folder.
fn sd_files(sim: &SimConsole, folder: &str) -> Vec<(String, Vec<u8>)> {
    let prefix = format!("{folder}/");
    sim.sd
        .tree()
        .files()
        .iter()
        .filter_map(|(path, bytes)| {
            let rel = path.strip_prefix(&prefix)?;
            Some((format!("/{rel}"), bytes.clone()))
        })
        .collect()
}

fn files_of(tree: &MemTree) -> Vec<(String, Vec<u8>)> {
    tree.files()
        .iter()
        .map(|(p, b)| (p.clone(), b.clone()))
        .collect()
}

#[test]
fn a_backup_moves_one_chunk_per_step_and_reports_progress_between_chunks() {
    let id = archive(ArchiveKind::ExtData);
    let save = save_with_big_file("chunked backup", BIG);
    let (mut sim, _) = console(id, &save, &MemTree::new());
    let mut job = CtrBackupJob::new(id, DIR, "20260101-000000");
    let run = run_bounded(&mut sim, |d| job.step(d));
    let report = run.outcome.unwrap();
    assert_eq!(sd_files(&sim, &report.folder), files_of(&save));
    assert_progress_between_chunks(&run.reports, Phase::WritingBackup);
    // Every byte of the save crossed the counted archive once, and was
    // written to the SD card once and read back once.
    let total = bytes_of(&save);
    assert_eq!(total, BIG as u64 + 700 + 3000);
    assert_eq!(
        run.archive,
        Io {
            read: total,
            written: 0
        }
    );
    assert_eq!(
        run.sd,
        Io {
            read: total,
            written: total
        }
    );
}

#[test]
fn a_restore_moves_one_chunk_per_step_in_every_phase() {
    for kind in [ArchiveKind::SaveData, ArchiveKind::ExtData] {
        let id = archive(kind);
        let before = save_with_big_file("chunked restore before", BIG);
        let wanted = save_with_big_file("chunked restore wanted", BIG - 1234);
        let (mut sim, backup) = console(id, &before, &wanted);
        let mut job = CtrRestoreJob::new(id, DIR, backup);
        let run = run_bounded(&mut sim, |d| job.step(d));
        let report = run.outcome.unwrap();
        assert_eq!(sim.archives.committed(id).unwrap(), &wanted, "{kind:?}");
        assert_eq!(
            sd_files(&sim, &report.auto_backup),
            files_of(&before),
            "{kind:?}"
        );
        for phase in [
            Phase::Validating,
            Phase::SavingAutoBackup,
            Phase::Writing,
            Phase::Verifying,
        ] {
            assert_progress_between_chunks(&run.reports, phase);
        }
        // The archive: the save as it was read once (the automatic
        // backup), the backup written once and read back once.
        let (old, new) = (bytes_of(&before), bytes_of(&wanted));
        assert_eq!(
            run.archive,
            Io {
                read: old + new,
                written: new
            },
            "{kind:?}"
        );
        assert_eq!(journal::read(&mut sim.sd).unwrap(), None);
    }
}

#[test]
fn a_verify_compares_one_chunk_of_each_side_per_step() {
    let id = archive(ArchiveKind::SaveData);
    let save = save_with_big_file("chunked verify", BIG);
    // The backup differs from the save only in the large file's last byte.
    let mut backup_tree = save.clone();
    let mut big = save.read("/big.bin").unwrap().to_vec();
    big[BIG - 1] ^= 0x40;
    backup_tree.write("/big.bin", &big).unwrap();
    for (backup, differing) in [(&save, vec![]), (&backup_tree, vec!["big.bin".to_string()])] {
        let (mut sim, entry) = console(id, &save, backup);
        let mut job = CtrVerifyJob::new(id, entry);
        let run = run_bounded(&mut sim, |d| job.step(d));
        let report = run.outcome.unwrap();
        assert_eq!(report.differing, differing);
        assert_eq!(report.files_compared, 3);
        assert_progress_between_chunks(&run.reports, Phase::Verifying);
        let total = bytes_of(&save);
        assert_eq!(run.archive.read, total);
        assert_eq!(run.sd.read, total);
    }
}

/// A large file (4 whole chunks and a tail) keeps the every-write loop
/// short while each cut still lands inside it several times.
const CUT_BIG: usize = 1024 * 1024 + 5000;

#[test]
fn power_lost_at_any_write_inside_a_large_file_leaves_old_new_or_a_journal() {
    for kind in [ArchiveKind::SaveData, ArchiveKind::ExtData] {
        let id = archive(kind);
        let before = save_with_big_file("cut before", CUT_BIG);
        let wanted = save_with_big_file("cut wanted", CUT_BIG + 77);
        let (mut sim, backup) = console(id, &before, &wanted);
        let start = sim.power.writes();
        let mut job = CtrRestoreJob::new(id, DIR, backup.clone());
        run_bounded(&mut sim, |d| job.step(d)).outcome.unwrap();
        let total = sim.power.writes() - start;
        // Hand count of the archive writes alone: 5 chunks of the large
        // file and one of each small file.
        assert!(total > 7, "{total}");

        let mut torn = 0;
        for cut in 1..=total {
            let (mut sim, backup) = console(id, &before, &wanted);
            sim.power.cut_after_writes(cut);
            let mut job = CtrRestoreJob::new(id, DIR, backup);
            let outcome = run_bounded(&mut sim, |d| job.step(d)).outcome;
            sim.power_cycle();
            let now = sim.archives.committed(id).unwrap().clone();
            let journal = journal::read(&mut sim.sd).unwrap();
            if outcome.is_ok() {
                assert_eq!(now, wanted, "{kind:?} cut {cut}");
                assert_eq!(journal, None, "{kind:?} cut {cut}");
                continue;
            }
            if now != before && now != wanted {
                // Only extdata, which has no commit, can be caught half
                // way; save data lands whole at its commit or not at all.
                assert_eq!(kind, ArchiveKind::ExtData, "cut {cut}");
                torn += 1;
            }
            if now != before {
                let journal = journal.unwrap_or_else(|| panic!("{kind:?} cut {cut}: no journal"));
                assert_eq!(
                    sd_files(&sim, &journal.automatic_backup),
                    files_of(&before),
                    "{kind:?} cut {cut}: the way back holds the save as it was"
                );
            }
        }
        if kind == ArchiveKind::ExtData {
            // Cuts between the first delete and the last chunk written.
            assert!(torn >= 5, "only {torn} torn states were tried");
        }
    }
}

#[test]
fn an_archive_write_lost_inside_a_large_file_fails_the_read_back_and_keeps_the_journal() {
    let id = archive(ArchiveKind::SaveData);
    let before = save_with_big_file("garbled before", BIG);
    let wanted = save_with_big_file("garbled wanted", BIG);
    let (mut sim, backup) = console(id, &before, &wanted);
    let mut job = CtrRestoreJob::new(id, DIR, backup);
    // Into the writing phase, two chunks into the large file (written
    // first: `/big.bin` sorts before `/data/..` and `/main`).
    loop {
        match job.step(&mut sim.devices()).unwrap() {
            Step::Working(p) if p.phase == Phase::Writing && p.bytes_done >= 2 * CHUNK => break,
            Step::Working(_) => {}
            Step::Finished(_) => panic!("finished before the fault"),
        }
    }
    sim.archives.garble_next_write();
    let err = run_bounded(&mut sim, |d| job.step(d)).outcome.unwrap_err();
    let JobError::VerifyFailed { what, auto_backup } = &err else {
        panic!("{err}");
    };
    assert_eq!(what, "/big.bin");
    let journal = journal::read(&mut sim.sd).unwrap().expect("kept");
    assert_eq!(&journal.automatic_backup, auto_backup);
    assert_eq!(sd_files(&sim, auto_backup), files_of(&before));
}

#[test]
fn an_sd_card_full_inside_the_automatic_backup_stops_before_the_archive_changes() {
    for kind in [ArchiveKind::SaveData, ArchiveKind::ExtData] {
        let id = archive(kind);
        let before = save_with_big_file("full before", BIG);
        let wanted = save_with_big_file("full wanted", 4000);
        let (mut sim, backup) = console(id, &before, &wanted);
        // Room for a third of the large file.
        sim.sd.set_capacity(sim.sd.used() + 1024 * 1024);
        let mut job = CtrRestoreJob::new(id, DIR, backup);
        let run = run_bounded(&mut sim, |d| job.step(d));
        let err = run.outcome.unwrap_err();
        assert!(
            matches!(err, JobError::Store(StoreError::Sd(SdError::Full { .. }))),
            "{kind:?}: {err}"
        );
        assert!(!job.may_have_written());
        assert!(
            run.reports
                .iter()
                .any(|p| p.phase == Phase::SavingAutoBackup && p.bytes_done > 0),
            "{kind:?}: the failure came inside the large file"
        );
        assert_eq!(sim.archives.committed(id).unwrap(), &before, "{kind:?}");
        assert_eq!(journal::read(&mut sim.sd).unwrap(), None);
        let folders: Vec<String> = sim
            .sd
            .list(DIR)
            .unwrap()
            .into_iter()
            .map(|e| e.name)
            .collect();
        assert_eq!(folders, ["wanted"], "{kind:?}: nothing half-made published");
        assert!(sim.sd.list(STAGING_DIR).unwrap().is_empty(), "{kind:?}");
    }
}
