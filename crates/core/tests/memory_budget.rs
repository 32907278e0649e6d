//! Every job's heap budget, measured on the simulated console under a
//! counting allocator, with the largest cases a console meets: an 8 MiB
//! NDS flash chip, a 128 MiB extdata file, a save of 100 files.
//!
//! Budgets (stated in each job's module comment): a 3DS job (backup,
//! restore, verify) at most 2 MiB of heap whatever the save's size; an NDS
//! job (backup, restore, verify, erase) at most the chip's size + 1 MiB; a
//! GBA VC job (backup, restore) at most 1 MiB, on the largest (128 KiB) save.
//!
//! What is counted: the peak of live bytes allocated on the test's thread
//! while the job is built and stepped to its end, fixed buffers included.
//! What is not: the simulated storage. The SD card, the archives and the
//! card hold their data in memory, which on a console lives on the SD card,
//! in the save and on the chip. So every call into them runs with counting
//! off ([`Storage`]), and every allocation carries a tag saying whether it
//! was counted, so that freeing it later (from either side) undoes exactly
//! what was counted. What a device call hands to the job (a listing, the
//! bytes of a read) is copied into a counted allocation before the job
//! sees it, as the console's FS calls fill the app's own buffers.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use keepsake_core::jobs::{
    BatchBackupJob, BatchTarget, CtrBackupJob, CtrRestoreJob, CtrVerifyJob, GbaBackupJob,
    GbaRestoreJob, JobError, NdsBackupJob, NdsExportJob, NdsRestoreJob, NdsVerifyJob, Step,
};
use keepsake_core::nds_card::identify;
use keepsake_core::platform::gba_vc::{GBA_CMAC_LEN, GbaVcError, GbaVcHandle, GbaVcId, GbaVcSaves};
use keepsake_core::platform::{
    ArchiveEntry, ArchiveError, ArchiveHandle, ArchiveId, ArchiveKind, CardError, CardKind,
    CardSlot, Devices, MediaType, SaveArchives, SdCard, SdEntry, SdError, SpiBus, SpiError,
};
use keepsake_core::sim::{MemTree, SimCard, SimChip, SimConsole, SimNdsCard, nds_rom_header};
use keepsake_core::store::export::ExportKind;
use keepsake_core::store::journal::{
    Journal, JournalFile, JournalSave, Operation, WayBack, check_way_back,
};
use keepsake_core::store::{BackupEntry, BackupSource};

const MIB: i64 = 1 << 20;

thread_local! {
    /// Counting on: allocations made now are the job's.
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static LIVE: Cell<i64> = const { Cell::new(0) };
    static PEAK: Cell<i64> = const { Cell::new(0) };
}

/// The tag of an allocation that was not counted.
const UNCOUNTED: u64 = u64::MAX;

/// The system allocator with a header before every block: the counted size,
/// or [`UNCOUNTED`].
struct Counting;

fn header_of(layout: Layout) -> (usize, Layout) {
    let pad = layout.align().max(16);
    let full = Layout::from_size_align(layout.size() + pad, layout.align().max(16))
        .expect("a layout the caller could make, plus 16 bytes");
    (pad, full)
}

fn counting() -> bool {
    COUNTING.try_with(Cell::get).unwrap_or(false)
}

fn add_live(delta: i64) {
    let _ = LIVE.try_with(|live| {
        let now = live.get() + delta;
        live.set(now);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(now)));
    });
}

// SAFETY: every block is the system's, `pad` bytes in; the header is written
// in the pad before the block, inside the system's allocation.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let (pad, full) = header_of(layout);
        // SAFETY: `full` has a non-zero size.
        let base = unsafe { System.alloc(full) };
        if base.is_null() {
            return base;
        }
        let tag = if counting() {
            add_live(layout.size() as i64);
            layout.size() as u64
        } else {
            UNCOUNTED
        };
        // SAFETY: `pad` >= 16 bytes lie before the block, inside `full`,
        // and `base + pad - 8` is 8-aligned since `pad` is a multiple of 16.
        unsafe {
            let block = base.add(pad);
            block.sub(8).cast::<u64>().write(tag);
            block
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let (pad, full) = header_of(layout);
        // SAFETY: `ptr` came from `alloc` above with this layout.
        unsafe {
            let tag = ptr.sub(8).cast::<u64>().read();
            if tag != UNCOUNTED {
                add_live(-(tag as i64));
            }
            System.dealloc(ptr.sub(pad), full);
        }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Runs `f` with counting off (the simulated storage's own work).
fn storage<T>(f: impl FnOnce() -> T) -> T {
    let was = counting();
    COUNTING.with(|c| c.set(false));
    let out = f();
    COUNTING.with(|c| c.set(was));
    out
}

/// Peak heap of `job`, in bytes above what was live when it began.
fn measure<T>(job: impl FnOnce() -> T) -> (T, i64) {
    let start = LIVE.with(Cell::get);
    PEAK.with(|p| p.set(start));
    COUNTING.with(|c| c.set(true));
    let out = job();
    COUNTING.with(|c| c.set(false));
    (out, PEAK.with(Cell::get) - start)
}

/// A device whose own work is not counted; what it returns is copied into
/// counted memory.
struct Storage<'a, T: ?Sized>(&'a mut T);

impl<T: SaveArchives + ?Sized> SaveArchives for Storage<'_, T> {
    fn open(&mut self, id: ArchiveId) -> Result<ArchiveHandle, ArchiveError> {
        storage(|| self.0.open(id))
    }
    fn close(&mut self, archive: ArchiveHandle) {
        storage(|| self.0.close(archive));
    }
    fn list(&mut self, a: ArchiveHandle, dir: &str) -> Result<Vec<ArchiveEntry>, ArchiveError> {
        let listed = storage(|| self.0.list(a, dir));
        listed.clone()
    }
    fn read_file(&mut self, a: ArchiveHandle, path: &str) -> Result<Vec<u8>, ArchiveError> {
        let read = storage(|| self.0.read_file(a, path));
        read.clone()
    }
    fn write_file(&mut self, a: ArchiveHandle, path: &str, b: &[u8]) -> Result<(), ArchiveError> {
        storage(|| self.0.write_file(a, path, b))
    }
    fn read_at(
        &mut self,
        a: ArchiveHandle,
        path: &str,
        offset: u64,
        buf: &mut [u8],
    ) -> Result<usize, ArchiveError> {
        storage(|| self.0.read_at(a, path, offset, buf))
    }
    fn create_file(&mut self, a: ArchiveHandle, path: &str, size: u64) -> Result<(), ArchiveError> {
        storage(|| self.0.create_file(a, path, size))
    }
    fn write_at(
        &mut self,
        a: ArchiveHandle,
        path: &str,
        offset: u64,
        bytes: &[u8],
    ) -> Result<(), ArchiveError> {
        storage(|| self.0.write_at(a, path, offset, bytes))
    }
    fn create_dir(&mut self, a: ArchiveHandle, path: &str) -> Result<(), ArchiveError> {
        storage(|| self.0.create_dir(a, path))
    }
    fn delete_file(&mut self, a: ArchiveHandle, path: &str) -> Result<(), ArchiveError> {
        storage(|| self.0.delete_file(a, path))
    }
    fn delete_dir(&mut self, a: ArchiveHandle, path: &str) -> Result<(), ArchiveError> {
        storage(|| self.0.delete_dir(a, path))
    }
    fn commit(&mut self, a: ArchiveHandle) -> Result<(), ArchiveError> {
        storage(|| self.0.commit(a))
    }
    fn reset_secure_value(&mut self, title_id: u64, media: MediaType) -> Result<(), ArchiveError> {
        storage(|| self.0.reset_secure_value(title_id, media))
    }
    fn secure_value(
        &mut self,
        title_id: u64,
        media: MediaType,
    ) -> Result<Option<u64>, ArchiveError> {
        storage(|| self.0.secure_value(title_id, media))
    }
    fn set_secure_value(
        &mut self,
        title_id: u64,
        media: MediaType,
        value: u64,
    ) -> Result<(), ArchiveError> {
        storage(|| self.0.set_secure_value(title_id, media, value))
    }
}

impl<T: SdCard + ?Sized> SdCard for Storage<'_, T> {
    fn read(&mut self, path: &str) -> Result<Vec<u8>, SdError> {
        let read = storage(|| self.0.read(path));
        read.clone()
    }
    fn write(&mut self, path: &str, bytes: &[u8]) -> Result<(), SdError> {
        storage(|| self.0.write(path, bytes))
    }
    fn read_at(&mut self, path: &str, offset: u64, buf: &mut [u8]) -> Result<usize, SdError> {
        storage(|| self.0.read_at(path, offset, buf))
    }
    fn write_at(&mut self, path: &str, offset: u64, bytes: &[u8]) -> Result<(), SdError> {
        storage(|| self.0.write_at(path, offset, bytes))
    }
    fn rename(&mut self, from: &str, to: &str) -> Result<(), SdError> {
        storage(|| self.0.rename(from, to))
    }
    fn remove_file(&mut self, path: &str) -> Result<(), SdError> {
        storage(|| self.0.remove_file(path))
    }
    fn remove_dir_all(&mut self, path: &str) -> Result<(), SdError> {
        storage(|| self.0.remove_dir_all(path))
    }
    fn create_dir_all(&mut self, path: &str) -> Result<(), SdError> {
        storage(|| self.0.create_dir_all(path))
    }
    fn list(&mut self, dir: &str) -> Result<Vec<SdEntry>, SdError> {
        let listed = storage(|| self.0.list(dir));
        listed.clone()
    }
    fn kind_of(&mut self, path: &str) -> Result<Option<bool>, SdError> {
        storage(|| self.0.kind_of(path))
    }
    fn free_space(&mut self) -> Result<u64, SdError> {
        storage(|| self.0.free_space())
    }
}

impl<T: CardSlot + ?Sized> CardSlot for Storage<'_, T> {
    fn inserted(&mut self) -> Option<CardKind> {
        storage(|| self.0.inserted())
    }
    fn nds_header(&mut self) -> Result<Vec<u8>, CardError> {
        let read = storage(|| self.0.nds_header());
        read.clone()
    }
    fn nds_banner(&mut self) -> Result<Vec<u8>, CardError> {
        let read = storage(|| self.0.nds_banner());
        read.clone()
    }
    fn ctr_title_id(&mut self) -> Result<u64, CardError> {
        storage(|| self.0.ctr_title_id())
    }
    fn spi(&mut self) -> &mut dyn SpiBus {
        self
    }
}

impl<T: CardSlot + ?Sized> SpiBus for Storage<'_, T> {
    fn transfer(
        &mut self,
        prefix: Option<u8>,
        command: &[u8],
        response: &mut [u8],
    ) -> Result<(), SpiError> {
        storage(|| self.0.spi().transfer(prefix, command, response))
    }
    fn send_slow(&mut self, command: &[u8]) -> Result<(), SpiError> {
        storage(|| self.0.spi().send_slow(command))
    }
}

impl<T: GbaVcSaves + ?Sized> GbaVcSaves for Storage<'_, T> {
    fn unavailable(&self) -> Option<String> {
        self.0.unavailable()
    }
    fn open(&mut self, id: GbaVcId) -> Result<GbaVcHandle, GbaVcError> {
        storage(|| self.0.open(id))
    }
    fn close(&mut self, file: GbaVcHandle) {
        storage(|| self.0.close(file));
    }
    fn file_size(&mut self, file: GbaVcHandle) -> Result<u64, GbaVcError> {
        storage(|| self.0.file_size(file))
    }
    fn read_at(
        &mut self,
        file: GbaVcHandle,
        offset: u64,
        buf: &mut [u8],
    ) -> Result<(), GbaVcError> {
        storage(|| self.0.read_at(file, offset, buf))
    }
    fn write_at(&mut self, file: GbaVcHandle, offset: u64, b: &[u8]) -> Result<(), GbaVcError> {
        storage(|| self.0.write_at(file, offset, b))
    }
    fn calc_cmac(
        &mut self,
        file: GbaVcHandle,
        digest: &[u8; 32],
    ) -> Result<[u8; GBA_CMAC_LEN], GbaVcError> {
        storage(|| self.0.calc_cmac(file, digest))
    }
}

/// Steps `job` to its end with every device behind [`Storage`]; returns its
/// report and its peak heap.
macro_rules! run {
    ($sim:expr, $make:expr) => {{
        let sim: &mut SimConsole = $sim;
        let (mut card, mut archives, mut sd, mut gba_vc) = (
            Storage(&mut sim.card),
            Storage(&mut sim.archives),
            Storage(&mut sim.sd),
            Storage(&mut sim.gba_vc),
        );
        let (titles, clock) = (&mut sim.titles, &sim.clock);
        measure(|| {
            let mut job = $make;
            let mut devices = Devices {
                card: &mut card,
                archives: &mut archives,
                sd: &mut sd,
                titles,
                gba_vc: &mut gba_vc,
                clock,
            };
            for _ in 0..1_000_000 {
                match job.step(&mut devices) {
                    Ok(Step::Working(_)) => {}
                    Ok(Step::Finished(report)) => return Ok::<_, JobError>(report),
                    Err(e) => return Err(e),
                }
            }
            panic!("the job does not finish");
        })
    }};
}

fn entry(path: &str) -> BackupEntry {
    BackupEntry {
        name: path.rsplit('/').next().unwrap().to_owned(),
        path: path.to_owned(),
        source: BackupSource::Folder,
    }
}

/// Bytes that differ from one seed to another and from block to block
/// (a cheap generator: 128 MiB of true randomness is slow to make).
fn pattern(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut out = Vec::with_capacity(len);
    while out.len() < len {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        out.extend_from_slice(&state.to_le_bytes());
    }
    out.truncate(len);
    out
}

struct Peaks(Vec<(String, i64, i64)>);

impl Peaks {
    fn note(&mut self, job: &str, peak: i64, budget: i64) {
        eprintln!(
            "{job}: peak {:.2} MiB (budget {:.2} MiB)",
            peak as f64 / MIB as f64,
            budget as f64 / MIB as f64
        );
        self.0.push((job.to_owned(), peak, budget));
    }

    fn check(self) {
        let over: Vec<String> = self
            .0
            .iter()
            .filter(|(_, peak, budget)| peak > budget)
            .map(|(job, peak, budget)| format!("{job}: {peak} bytes > {budget}"))
            .collect();
        assert!(over.is_empty(), "over budget: {over:#?}");
    }
}

const FLASH_8M: usize = 8 << 20;

#[test]
fn the_counter_sees_the_job_and_not_the_storage() {
    // Known sizes, not computed by the code under test.
    let (kept, peak) = measure(|| {
        let transient = vec![1u8; 3 << 20];
        drop(transient);
        let stored = storage(|| vec![2u8; 5 << 20]);
        (vec![3u8; 1 << 20], stored)
    });
    assert!((3 * MIB..3 * MIB + 4096).contains(&peak), "peak {peak}");
    // Freed outside the measured scope, each as it was counted.
    let live = LIVE.with(Cell::get);
    drop(kept);
    assert_eq!(LIVE.with(Cell::get), live - MIB);
}

#[test]
fn nds_jobs_on_an_8_mib_chip_stay_within_chip_size_plus_1_mib() {
    let budget = FLASH_8M as i64 + MIB;
    let mut peaks = Peaks(Vec::new());
    let mut sim = SimConsole::new();
    sim.card.insert(SimCard::Nds(SimNdsCard {
        header: nds_rom_header("BIG GAME", "BBDE"),
        banner: Vec::new(),
        chip: SimChip::flash(0x20_4017, FLASH_8M, &pattern(1, FLASH_8M)),
        infrared: false,
    }));
    let card = identify(&mut sim.card).unwrap();
    let dir = "/3ds/Checkpoint/saves/BBDE BIG GAME";

    let chip = card.detection.chip;
    let title = card.header_title.clone();
    let (report, peak) = run!(
        &mut sim,
        NdsBackupJob::new(chip, &title, dir, "20260101-000000")
    );
    let backup = report.unwrap().folder;
    peaks.note("NDS backup", peak, budget);
    // An independent check: the stored file is the chip, byte for byte.
    assert!(
        sim.sd
            .tree()
            .read(&format!("{backup}/BIG GAME.sav"))
            .unwrap()
            == pattern(1, FLASH_8M)
    );

    // The export's file is made in the buffer the chip was read into.
    let to = "/3ds/Keepsake/export/BBDE BIG GAME 20260101-000000.dsv";
    let now = keepsake_core::platform::DateTime::from_unix_seconds(0);
    let (report, peak) = run!(
        &mut sim,
        NdsExportJob::new(card.clone(), ExportKind::Dsv, to, now)
    );
    assert_eq!(report.unwrap().file_len, FLASH_8M as u64 + 122);
    peaks.note("NDS export", peak, budget);
    let exported = sim.sd.tree().read(to).unwrap();
    assert!(exported[..FLASH_8M] == pattern(1, FLASH_8M)[..]);
    assert!(exported.ends_with(b"|-DESMUME SAVE-|"));

    let (report, peak) = run!(&mut sim, NdsVerifyJob::new(card.clone(), entry(&backup)));
    assert_eq!(report.unwrap().differing, 0);
    peaks.note("NDS verify", peak, budget);

    let wanted = format!("{dir}/wanted");
    sim.sd.create_dir_all(&wanted).unwrap();
    sim.sd
        .write(&format!("{wanted}/BIG GAME.sav"), &pattern(2, FLASH_8M))
        .unwrap();
    let (report, peak) = run!(
        &mut sim,
        NdsRestoreJob::restore(card.clone(), dir, entry(&wanted))
            .allow_experimental_flash_8m_writes(true)
    );
    report.unwrap();
    peaks.note("NDS restore", peak, budget);
    assert!(sim.card.nds_chip().unwrap().memory() == &pattern(2, FLASH_8M)[..]);

    let (report, peak) = run!(
        &mut sim,
        NdsRestoreJob::erase(card.clone(), dir).allow_experimental_flash_8m_writes(true)
    );
    report.unwrap();
    peaks.note("NDS erase", peak, budget);
    assert!(
        sim.card
            .nds_chip()
            .unwrap()
            .memory()
            .iter()
            .all(|&b| b == 0xFF)
    );
    peaks.check();
}

/// Backs up, verifies and restores `id` holding `tree`, over a backup of
/// `wanted`; notes each job's peak.
fn ctr_jobs(id: ArchiveId, tree: MemTree, wanted: &MemTree, peaks: &mut Peaks, what: &str) {
    let budget = 2 * MIB;
    let mut sim = SimConsole::new();
    sim.archives.insert(id, tree.clone());
    let root = match id.kind {
        ArchiveKind::SaveData => "saves",
        // The console's own extdata runs through the same jobs.
        _ => "extdata",
    };
    let dir = format!("/3ds/Checkpoint/{root}/0x01234 Game");

    let (report, peak) = run!(&mut sim, CtrBackupJob::new(id, &dir, "20260101-000000"));
    let backup = report.unwrap().folder;
    peaks.note(&format!("3DS backup, {what}"), peak, budget);
    for (path, bytes) in tree.files() {
        assert!(sim.sd.tree().read(&format!("{backup}{path}")).unwrap() == &bytes[..]);
    }

    let (report, peak) = run!(&mut sim, CtrVerifyJob::new(id, entry(&backup)));
    assert!(report.unwrap().identical());
    peaks.note(&format!("3DS verify, {what}"), peak, budget);

    let source = format!("{dir}/wanted");
    for (path, bytes) in wanted.files() {
        let full = format!("{source}{path}");
        sim.sd
            .create_dir_all(&full[..full.rfind('/').unwrap()])
            .unwrap();
        sim.sd.write(&full, bytes).unwrap();
    }
    let (report, peak) = run!(&mut sim, CtrRestoreJob::new(id, &dir, entry(&source)));
    let auto_backup = report.unwrap().auto_backup;
    peaks.note(&format!("3DS restore, {what}"), peak, budget);
    assert!(sim.archives.committed(id).unwrap() == wanted);

    // The start-up check of a journal reads every file of the automatic
    // backup: the archive as it was, `tree`.
    let journal = Journal {
        operation: Operation::Restore,
        save: JournalSave::of_archive(id, "Game"),
        backup: Some(source),
        automatic_backup: auto_backup,
        files: tree
            .files()
            .iter()
            .map(|(path, bytes)| JournalFile::of(path, bytes))
            .collect(),
    };
    let mut sd = Storage(&mut sim.sd);
    let (way_back, peak) = measure(|| check_way_back(&mut sd, &journal));
    assert_eq!(way_back, WayBack::Intact);
    peaks.note(&format!("journal start-up check, {what}"), peak, budget);
}

#[test]
fn ctr_jobs_on_a_128_mib_extdata_file_and_100_files_stay_within_2_mib() {
    let mut peaks = Peaks(Vec::new());

    let big = 128 << 20;
    let mut old = MemTree::new();
    old.write("/big.dat", &pattern(3, big)).unwrap();
    let mut new = MemTree::new();
    new.write("/big.dat", &pattern(4, big)).unwrap();
    let extdata = ArchiveId {
        kind: ArchiveKind::ExtData,
        media: MediaType::Sd,
        title_id: 0x0004_0000_0012_3400,
    };
    ctr_jobs(extdata, old, &new, &mut peaks, "a 128 MiB extdata file");

    let many = |seed: u64| {
        let mut tree = MemTree::new();
        tree.create_dir_all("/slots").unwrap();
        for i in 0..100u64 {
            let dir = if i % 2 == 0 { "" } else { "/slots" };
            tree.write(
                &format!("{dir}/file{i:03}.bin"),
                &pattern(seed + i, 64 << 10),
            )
            .unwrap();
        }
        tree
    };
    let save = ArchiveId {
        kind: ArchiveKind::SaveData,
        media: MediaType::Sd,
        title_id: 0x0004_0000_0012_3400,
    };
    ctr_jobs(
        save,
        many(100),
        &many(300),
        &mut peaks,
        "100 files of 64 KiB",
    );
    peaks.check();
}

/// A GBA VC slot header at 3dbrew's offsets, then the save.
fn gba_slot(times_saved: u32, save: &[u8]) -> Vec<u8> {
    let mut bytes = vec![0xFF; 0x200];
    bytes[..4].copy_from_slice(b".SAV");
    bytes[0x34..0x38].copy_from_slice(&times_saved.to_le_bytes());
    bytes[0x50..0x54].copy_from_slice(&0x200u32.to_le_bytes());
    bytes[0x54..0x58].copy_from_slice(&(save.len() as u32).to_le_bytes());
    bytes.extend_from_slice(save);
    bytes
}

#[test]
fn gba_jobs_on_a_128_kib_save_stay_within_1_mib() {
    let mut peaks = Peaks(Vec::new());
    let title_id = 0x0004_0000_00AB_CD00;
    let id = GbaVcId {
        title_id,
        media: MediaType::Sd,
    };
    let dir = "/3ds/Checkpoint/saves/0x0ABCD Game";
    let size = 128 << 10;
    let mut sim = SimConsole::new();
    let image = [
        gba_slot(1, &pattern(1, size)),
        gba_slot(2, &pattern(2, size)),
    ]
    .concat();
    sim.gba_vc.insert(title_id, MediaType::Sd, image);

    let (report, peak) = run!(&mut sim, GbaBackupJob::new(id, dir, "backup"));
    let backup = report.unwrap().folder;
    peaks.note("GBA VC backup", peak, MIB);

    let new = pattern(3, size);
    sim.sd
        .write(&format!("{backup}/00000001.sav"), &new)
        .unwrap();
    let (report, peak) = run!(&mut sim, GbaRestoreJob::new(id, dir, entry(&backup)));
    report.unwrap();
    peaks.note("GBA VC restore", peak, MIB);
    let now = sim.gba_vc.container(title_id, MediaType::Sd).unwrap();
    assert_eq!(
        &now[0x20400..],
        &new[..],
        "the bottom slot holds the backup"
    );
    peaks.check();
}

#[test]
fn a_batch_of_an_8_mib_chip_and_a_3ds_save_stays_within_the_chip_size_plus_1_mib() {
    // One title's job at a time: the budget of the largest, the NDS one.
    let budget = FLASH_8M as i64 + MIB;
    let mut peaks = Peaks(Vec::new());
    let mut sim = SimConsole::new();
    sim.card.insert(SimCard::Nds(SimNdsCard {
        header: nds_rom_header("BIG GAME", "BBDE"),
        banner: Vec::new(),
        chip: SimChip::flash(0x20_4017, FLASH_8M, &pattern(5, FLASH_8M)),
        infrared: false,
    }));
    let card = identify(&mut sim.card).unwrap();
    let save = ArchiveId {
        kind: ArchiveKind::SaveData,
        media: MediaType::Sd,
        title_id: 0x0004_0000_0012_3400,
    };
    let mut tree = MemTree::new();
    tree.write("/big.dat", &pattern(6, 16 << 20)).unwrap();
    sim.archives.insert(save, tree);
    let targets = vec![
        BatchTarget::Nds {
            card,
            title_dir: "/3ds/Checkpoint/saves/BBDE BIG GAME".into(),
        },
        BatchTarget::Ctr {
            archive: save,
            title_dir: "/3ds/Checkpoint/saves/0x01234 Game".into(),
        },
    ];
    let (report, peak) = run!(&mut sim, BatchBackupJob::new(targets.clone()));
    let report = report.unwrap();
    peaks.note("batch backup", peak, budget);
    // Both made, each holding what its save held.
    let nds = report.titles[0].folder().unwrap();
    assert!(
        sim.sd.tree().read(&format!("{nds}/BIG GAME.sav")).unwrap() == &pattern(5, FLASH_8M)[..]
    );
    let ctr = report.titles[1].folder().unwrap();
    assert!(sim.sd.tree().read(&format!("{ctr}/big.dat")).unwrap() == &pattern(6, 16 << 20)[..]);
    peaks.check();
}
