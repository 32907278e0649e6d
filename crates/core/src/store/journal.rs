//! The restore journal: one small record on the SD card that says a save is
//! being changed, so that a restore cut short (power lost, battery pulled,
//! a crash) is found at the next start instead of going unnoticed.
//!
//! A restore or erase writes it (atomically) after its automatic backup is
//! safe and before its first write to the save, and removes it once the save
//! has been read back and compared. Found at start-up, it names the save, the
//! backup being restored and the automatic backup holding the save as it
//! was, with every file of that backup's size and checksum, so the way back
//! can be checked before it is offered.
//!
//! Layout of `/3ds/Keepsake/journal.json` (outside every backup folder):
//!
//! ```json
//! { "operation": "restore",                      // or "erase"
//!   "save": { "nds_card": { "game_code": "ASFE", "header_title": "SONIC" } },
//!        // or { "title": { "title_id": 1234, "media": "sd", "kind": "save_data", "name": "Game" } }
//!        //    (media "sd", "card" or "nand"; kind "save_data", "extdata",
//!        //    "shared_extdata", "boss_extdata" or "dsiware_save")
//!        // or { "gba_vc": { "title_id": 1234, "media": "sd", "name": "Game" } }
//!   "backup": "/3ds/Checkpoint/saves/ASFE SONIC/20260101-000000",  // null for an erase
//!   "automatic_backup": "/3ds/Checkpoint/saves/ASFE SONIC/20260101-000100-auto",
//!   "files": [ { "path": "SONIC.sav", "size": 8192, "fnv1a64": 1234 } ] }
//! ```

use serde::{Deserialize, Serialize};

use crate::platform::sd::{TEMP_SUFFIX, join, read_recovering, write_atomic};
use crate::platform::{ArchiveId, ArchiveKind, MediaType, SdCard, SdError};
use crate::store::StoreError;

/// Where the journal lives.
pub const JOURNAL_PATH: &str = "/3ds/Keepsake/journal.json";

/// What the interrupted job was doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    /// Writing a backup into the save.
    Restore,
    /// Blanking the save.
    Erase,
}

/// Where a 3DS title's save lives, as the journal spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Media {
    /// Installed on the SD card.
    Sd,
    /// The game card.
    Card,
    /// The console's memory (a system title, shared extdata).
    Nand,
}

/// Which archive of a 3DS title, as the journal spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// The title's save data.
    SaveData,
    /// The title's extdata.
    Extdata,
    /// Shared extdata on the NAND.
    SharedExtdata,
    /// The title's SpotPass extdata.
    BossExtdata,
    /// A DSiWare title's save (the files of its `data` folder).
    DsiwareSave,
}

/// The save being changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JournalSave {
    /// The save chip of an NDS cartridge.
    NdsCard {
        /// The game code from the ROM header (`ASFE`).
        game_code: String,
        /// The title from the ROM header.
        header_title: String,
    },
    /// A 3DS title's save data or extdata.
    Title {
        /// The title's 64-bit id.
        title_id: u64,
        /// SD title or game card.
        media: Media,
        /// Save data or extdata.
        kind: Kind,
        /// The title's name as its backup folder spells it.
        name: String,
    },
    /// The save inside a GBA Virtual Console title's AGBSAVE container.
    GbaVc {
        /// The title's 64-bit id.
        title_id: u64,
        /// Where the title is installed.
        media: Media,
        /// The title's name as its backup folder spells it.
        name: String,
    },
}

impl JournalSave {
    /// The 3DS archive, for a title's save.
    pub fn archive(&self) -> Option<ArchiveId> {
        match self {
            JournalSave::NdsCard { .. } | JournalSave::GbaVc { .. } => None,
            JournalSave::Title {
                title_id,
                media,
                kind,
                ..
            } => Some(ArchiveId {
                kind: match kind {
                    Kind::SaveData => ArchiveKind::SaveData,
                    Kind::Extdata => ArchiveKind::ExtData,
                    Kind::SharedExtdata => ArchiveKind::SharedExtData,
                    Kind::BossExtdata => ArchiveKind::BossExtData,
                    Kind::DsiwareSave => ArchiveKind::DsiWareSave,
                },
                media: match media {
                    Media::Sd => MediaType::Sd,
                    Media::Card => MediaType::Card,
                    Media::Nand => MediaType::Nand,
                },
                title_id: *title_id,
            }),
        }
    }

    /// The journal's spelling of a 3DS archive.
    pub fn of_archive(archive: ArchiveId, name: &str) -> Self {
        JournalSave::Title {
            title_id: archive.title_id,
            media: match archive.media {
                MediaType::Sd => Media::Sd,
                MediaType::Card => Media::Card,
                MediaType::Nand => Media::Nand,
            },
            kind: match archive.kind {
                ArchiveKind::SaveData => Kind::SaveData,
                ArchiveKind::ExtData => Kind::Extdata,
                ArchiveKind::SharedExtData => Kind::SharedExtdata,
                ArchiveKind::BossExtData => Kind::BossExtdata,
                ArchiveKind::DsiWareSave => Kind::DsiwareSave,
            },
            name: name.to_owned(),
        }
    }

    /// The game's name, for the screens.
    pub fn name(&self) -> &str {
        match self {
            JournalSave::NdsCard { header_title, .. } => header_title,
            JournalSave::Title { name, .. } | JournalSave::GbaVc { name, .. } => name,
        }
    }
}

/// One file of the automatic backup, as it was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalFile {
    /// Relative to the automatic backup's folder, without a leading `/`.
    pub path: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its FNV-1a 64-bit hash (see [`fnv1a64`]): enough to notice a file
    /// the SD card garbled, which is all it is for.
    pub fnv1a64: u64,
}

impl JournalFile {
    /// The entry for `bytes` stored at `path`.
    pub fn of(path: &str, bytes: &[u8]) -> Self {
        Self {
            path: path.trim_start_matches('/').to_owned(),
            size: bytes.len() as u64,
            fnv1a64: fnv1a64(bytes),
        }
    }
}

/// The record of a save being changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Journal {
    /// Restore or erase.
    pub operation: Operation,
    /// The save.
    pub save: JournalSave,
    /// The backup folder being restored (`None` for an erase).
    pub backup: Option<String>,
    /// The automatic backup holding the save as it was.
    pub automatic_backup: String,
    /// Every file of the automatic backup.
    pub files: Vec<JournalFile>,
}

/// Whether the automatic backup a journal names can still put the save
/// back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WayBack {
    /// Every file is there with the size and checksum it was written with.
    Intact,
    /// The folder is gone.
    Missing,
    /// Still being read ([`WayBackCheck`]): `checked` of `total` bytes.
    Checking {
        /// Bytes read and found as written.
        checked: u64,
        /// Bytes of every file of the automatic backup.
        total: u64,
    },
    /// A file is missing or differs from what was written.
    Damaged {
        /// The file, relative to the folder.
        file: String,
        /// What is wrong, in words.
        problem: String,
    },
}

/// FNV-1a, 64-bit (offset basis 0xcbf29ce484222325, prime 0x100000001b3,
/// from the FNV reference at isthe.com/chongo/tech/comp/fnv).
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut hash = Fnv1a64::new();
    hash.update(bytes);
    hash.finish()
}

/// [`fnv1a64`] over bytes that come in chunks, so a file is hashed as it
/// streams past and never held whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fnv1a64 {
    hash: u64,
    len: u64,
}

impl Default for Fnv1a64 {
    fn default() -> Self {
        Self::new()
    }
}

impl Fnv1a64 {
    /// Nothing hashed yet.
    pub fn new() -> Self {
        Self {
            hash: 0xcbf2_9ce4_8422_2325,
            len: 0,
        }
    }

    /// Hashes the next chunk.
    pub fn update(&mut self, bytes: &[u8]) {
        self.hash = bytes.iter().fold(self.hash, |hash, &b| {
            (hash ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        });
        self.len += bytes.len() as u64;
    }

    /// Bytes hashed so far.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether nothing was hashed.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The hash of everything so far.
    pub fn finish(&self) -> u64 {
        self.hash
    }

    /// The journal's entry for the file at `path` hashed so far.
    pub fn entry(&self, path: &str) -> JournalFile {
        JournalFile {
            path: path.trim_start_matches('/').to_owned(),
            size: self.len,
            fnv1a64: self.hash,
        }
    }
}

/// Bytes read from the SD card per step when an automatic backup is
/// checked.
const HASH_CHUNK: usize = 64 * 1024;

/// Reads the next piece (at most `chunk` bytes) of the file at `path` into
/// `read`, the hash of what was read back so far; once the file is decided,
/// whether it holds exactly the bytes `expected` hashes. A copy is read
/// back this way a piece per job step, never held whole: one byte past the
/// expected end is enough to see a longer file, a read of nothing is its
/// end.
pub fn read_back_step(
    sd: &mut dyn SdCard,
    path: &str,
    read: &mut Fnv1a64,
    expected: &Fnv1a64,
    chunk: usize,
) -> Result<Option<bool>, SdError> {
    let left = expected.len().saturating_add(1).saturating_sub(read.len());
    let mut buf = vec![0; chunk.min(usize::try_from(left).unwrap_or(chunk))];
    let n = sd.read_at(path, read.len(), &mut buf)?;
    read.update(&buf[..n]);
    if n > 0 && read.len() <= expected.len() {
        return Ok(None);
    }
    Ok(Some(read == expected))
}

/// Writes `journal` so that a power cut leaves the old record or the new one
/// whole (see [`write_atomic`]).
pub fn record(sd: &mut dyn SdCard, journal: &Journal) -> Result<(), StoreError> {
    let text = to_json(journal)?;
    sd.create_dir_all(crate::store::naming::KEEPSAKE_DIR)?;
    write_atomic(sd, JOURNAL_PATH, &text)?;
    Ok(())
}

/// Removes the journal (and a temporary copy a cut left), once the save it
/// describes is whole again. The journal itself goes last, so that once it
/// is gone nothing is left to do.
pub fn clear(sd: &mut dyn SdCard) -> Result<(), StoreError> {
    for path in [
        format!("{JOURNAL_PATH}{TEMP_SUFFIX}"),
        JOURNAL_PATH.to_owned(),
    ] {
        if sd.kind_of(&path)?.is_some() {
            sd.remove_file(&path)?;
        }
    }
    Ok(())
}

/// The journal left by a job that did not finish, if any.
pub fn read(sd: &mut dyn SdCard) -> Result<Option<Journal>, StoreError> {
    let bytes = match read_recovering(sd, JOURNAL_PATH) {
        Ok(bytes) => bytes,
        Err(SdError::NotFound { .. }) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    parse(&bytes).map(Some)
}

/// Reads a journal's JSON (bytes from the SD card: anything at all).
pub fn parse(bytes: &[u8]) -> Result<Journal, StoreError> {
    serde_json::from_slice(bytes).map_err(|e| StoreError::Journal {
        path: JOURNAL_PATH.into(),
        problem: e.to_string(),
    })
}

/// The JSON [`record`] writes.
pub fn to_json(journal: &Journal) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec_pretty(journal).map_err(|e| StoreError::Journal {
        path: JOURNAL_PATH.into(),
        problem: e.to_string(),
    })
}

/// Checks the automatic backup `journal` names against what was written,
/// all at once (see [`WayBackCheck`] for the same a chunk at a time).
pub fn check_way_back(sd: &mut dyn SdCard, journal: &Journal) -> WayBack {
    let mut check = match WayBackCheck::start(sd, journal) {
        Ok(check) => check,
        Err(decided) => return decided,
    };
    loop {
        if let Some(decided) = check.step(sd, journal) {
            return decided;
        }
    }
}

/// Checking an automatic backup against its journal one chunk of reading
/// per [`WayBackCheck::step`].
///
/// Found at start-up, an automatic backup can be a 128 MiB extdata file:
/// hashed in one go, the console would show nothing for many seconds
/// before the screen that says a restore did not finish. In steps, the
/// screen is up at once and says how far the check got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WayBackCheck {
    /// The journal's file being read.
    file: usize,
    /// Its hash so far (its length is how far into it the check is).
    hash: Fnv1a64,
    /// Bytes of the earlier files, all checked.
    before: u64,
    /// Bytes of every file, as the journal records them.
    total: u64,
}

impl WayBackCheck {
    /// Starts the check, or decides it at once when the folder is gone or
    /// the journal cannot describe a way back. Reads no file yet.
    pub fn start(sd: &mut dyn SdCard, journal: &Journal) -> Result<Self, WayBack> {
        match sd.kind_of(&journal.automatic_backup) {
            Ok(Some(true)) => {}
            Ok(_) | Err(SdError::NotFound { .. }) => return Err(WayBack::Missing),
            Err(e) => {
                return Err(WayBack::Damaged {
                    file: String::new(),
                    problem: e.to_string(),
                });
            }
        }
        // A chip or a GBA VC save is one file: a record without it is no way back.
        let one_file = matches!(
            journal.save,
            JournalSave::NdsCard { .. } | JournalSave::GbaVc { .. }
        );
        if journal.files.is_empty() && one_file {
            return Err(WayBack::Damaged {
                file: String::new(),
                problem: "the record lists no save file".into(),
            });
        }
        Ok(Self {
            file: 0,
            hash: Fnv1a64::new(),
            before: 0,
            // Sizes come from a file on the SD card: anything at all.
            total: journal
                .files
                .iter()
                .fold(0u64, |total, file| total.saturating_add(file.size)),
        })
    }

    /// Where the check is, for a screen to say.
    pub fn state(&self) -> WayBack {
        WayBack::Checking {
            checked: self.checked(),
            total: self.total,
        }
    }

    /// Bytes read and found as written so far.
    pub fn checked(&self) -> u64 {
        self.before.saturating_add(self.hash.len())
    }

    /// Reads the next chunk (at most [`HASH_CHUNK`] bytes) of the
    /// automatic backup; the outcome once it is decided.
    pub fn step(&mut self, sd: &mut dyn SdCard, journal: &Journal) -> Option<WayBack> {
        let Some(file) = journal.files.get(self.file) else {
            return Some(WayBack::Intact);
        };
        let damaged = |problem: String| {
            Some(WayBack::Damaged {
                file: file.path.clone(),
                problem,
            })
        };
        // One byte past the recorded size is enough to see a longer file.
        let left = file.size.saturating_add(1).saturating_sub(self.hash.len());
        let mut buf = vec![0; HASH_CHUNK.min(usize::try_from(left).unwrap_or(HASH_CHUNK))];
        let path = join(&journal.automatic_backup, &file.path);
        let n = match sd.read_at(&path, self.hash.len(), &mut buf) {
            Ok(n) => n,
            Err(SdError::NotFound { .. }) => return damaged("it is missing".into()),
            Err(e) => return damaged(e.to_string()),
        };
        self.hash.update(&buf[..n]);
        if n > 0 && self.hash.len() <= file.size {
            return None;
        }
        // The file ended (nothing more to read) or went past its recorded
        // size.
        if self.hash.len() != file.size {
            return damaged(if self.hash.len() > file.size {
                format!("it holds more than {} bytes", file.size)
            } else {
                format!(
                    "it holds {} bytes instead of {}",
                    self.hash.len(),
                    file.size
                )
            });
        }
        if self.hash.finish() != file.fnv1a64 {
            return damaged("its contents changed since it was written".into());
        }
        self.before = self.before.saturating_add(file.size);
        self.file += 1;
        self.hash = Fnv1a64::new();
        (self.file == journal.files.len()).then_some(WayBack::Intact)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{PowerSupply, SimSd};

    fn journal() -> Journal {
        Journal {
            operation: Operation::Restore,
            save: JournalSave::NdsCard {
                game_code: "ASFE".into(),
                header_title: "SONIC".into(),
            },
            backup: Some("/3ds/Checkpoint/saves/ASFE SONIC/20260101-000000".into()),
            automatic_backup: "/3ds/Checkpoint/saves/ASFE SONIC/20260101-000100-auto".into(),
            files: vec![JournalFile::of("SONIC.sav", b"abc")],
        }
    }

    #[test]
    fn a_hash_fed_in_chunks_is_the_hash_of_the_whole() {
        let bytes: Vec<u8> = (0..1000u32).map(|i| (i * 7) as u8).collect();
        let mut chunked = Fnv1a64::new();
        for chunk in bytes.chunks(333) {
            chunked.update(chunk);
        }
        assert_eq!(chunked.finish(), fnv1a64(&bytes));
        assert_eq!(chunked.entry("/a/b").size, 1000);
        assert_eq!(chunked.entry("/a/b").path, "a/b");
    }

    #[test]
    fn fnv1a64_matches_the_reference_vectors() {
        // From the FNV reference test suite (isthe.com/chongo/src/fnv/test_fnv.c).
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn a_journal_round_trips_and_its_way_back_is_checked() {
        let mut sd = SimSd::new(1 << 20, PowerSupply::new());
        assert_eq!(read(&mut sd).unwrap(), None);
        let j = journal();
        record(&mut sd, &j).unwrap();
        assert_eq!(read(&mut sd).unwrap(), Some(j.clone()));
        // The field names people read in the file.
        let text = String::from_utf8(sd.read(JOURNAL_PATH).unwrap()).unwrap();
        assert!(text.contains("\"automatic_backup\""), "{text}");
        assert!(text.contains("\"nds_card\""), "{text}");

        assert_eq!(check_way_back(&mut sd, &j), WayBack::Missing);
        let file = format!("{}/SONIC.sav", j.automatic_backup);
        sd.create_dir_all(&j.automatic_backup).unwrap();
        sd.write(&file, b"abc").unwrap();
        assert_eq!(check_way_back(&mut sd, &j), WayBack::Intact);
        sd.write(&file, b"abd").unwrap();
        assert!(matches!(
            check_way_back(&mut sd, &j),
            WayBack::Damaged { problem, .. } if problem.contains("changed")
        ));
        sd.write(&file, b"ab").unwrap();
        assert!(matches!(
            check_way_back(&mut sd, &j),
            WayBack::Damaged { problem, .. } if problem == "it holds 2 bytes instead of 3"
        ));
        sd.remove_file(&file).unwrap();
        assert!(matches!(
            check_way_back(&mut sd, &j),
            WayBack::Damaged { file, .. } if file == "SONIC.sav"
        ));

        clear(&mut sd).unwrap();
        assert_eq!(read(&mut sd).unwrap(), None);
    }

    #[test]
    fn a_large_way_back_is_checked_one_chunk_per_step() {
        // 200,000 + 70,000 bytes: with 64 KiB (65,536-byte) reads that is
        // 4 reads and an empty one for the first file, 2 and an empty one
        // for the second: 8 steps, worked out by hand.
        let mut sd = SimSd::new(1 << 20, PowerSupply::new());
        let first: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        let second = vec![0x5A; 70_000];
        let mut j = journal();
        j.files = vec![
            JournalFile::of("a.bin", &first),
            JournalFile::of("b.bin", &second),
        ];
        sd.create_dir_all(&j.automatic_backup).unwrap();
        sd.write(&format!("{}/a.bin", j.automatic_backup), &first)
            .unwrap();
        sd.write(&format!("{}/b.bin", j.automatic_backup), &second)
            .unwrap();
        let before = sd.bytes_read();
        let mut check = WayBackCheck::start(&mut sd, &j).unwrap();
        assert_eq!(sd.bytes_read(), before, "starting reads no file");
        assert_eq!(
            check.state(),
            WayBack::Checking {
                checked: 0,
                total: 270_000
            }
        );
        let mut steps = 0;
        let outcome = loop {
            let read_before = sd.bytes_read();
            let outcome = check.step(&mut sd, &j);
            steps += 1;
            assert!(sd.bytes_read() - read_before <= 65_536, "step {steps}");
            if let Some(outcome) = outcome {
                break outcome;
            }
            let WayBack::Checking { checked, total } = check.state() else {
                unreachable!("state is always Checking");
            };
            assert!(checked <= total);
        };
        assert_eq!(outcome, WayBack::Intact);
        assert_eq!(steps, 8);
        assert_eq!(sd.bytes_read() - before, 270_000);

        // A file longer than recorded is seen one byte past its size.
        sd.write(&format!("{}/b.bin", j.automatic_backup), &[0x5A; 70_001])
            .unwrap();
        assert_eq!(
            check_way_back(&mut sd, &j),
            WayBack::Damaged {
                file: "b.bin".into(),
                problem: "it holds more than 70000 bytes".into()
            }
        );
    }

    #[test]
    fn sizes_from_a_damaged_journal_never_overflow_the_check() {
        // A record as a damaged or hand-edited file could hold it: sizes
        // at the top of the range, whose sum and "size + 1" overflowed.
        let text = br#"{"operation":"restore","save":{"nds_card":{"game_code":"ASFE","header_title":"S"}},"backup":null,"automatic_backup":"/a","files":[{"path":"f","size":18446744073709551615,"fnv1a64":1},{"path":"g","size":18446744073709551615,"fnv1a64":2}]}"#;
        let record = parse(text).unwrap();
        let mut sd = SimSd::new(1 << 20, PowerSupply::new());
        sd.create_dir_all("/a").unwrap();
        sd.write("/a/f", b"keepsake").unwrap();
        let check = WayBackCheck::start(&mut sd, &record).unwrap();
        assert_eq!(
            check.state(),
            WayBack::Checking {
                checked: 0,
                total: u64::MAX
            }
        );
        assert_eq!(
            check_way_back(&mut sd, &record),
            WayBack::Damaged {
                file: "f".into(),
                problem: "it holds 8 bytes instead of 18446744073709551615".into()
            }
        );
    }

    #[test]
    fn a_gba_vc_journal_names_its_title_and_needs_its_one_file() {
        let mut sd = SimSd::new(1 << 20, PowerSupply::new());
        let mut j = journal();
        j.save = JournalSave::GbaVc {
            title_id: 0x0004_0000_00AB_CD00,
            media: Media::Sd,
            name: "Metroid Fusion".into(),
        };
        record(&mut sd, &j).unwrap();
        let text = String::from_utf8(sd.read(JOURNAL_PATH).unwrap()).unwrap();
        assert!(text.contains("\"gba_vc\""), "{text}");
        assert_eq!(read(&mut sd).unwrap(), Some(j.clone()));
        assert_eq!(j.save.archive(), None, "not a save archive");
        assert_eq!(j.save.name(), "Metroid Fusion");
        sd.create_dir_all(&j.automatic_backup).unwrap();
        j.files.clear();
        assert!(matches!(
            check_way_back(&mut sd, &j),
            WayBack::Damaged { problem, .. } if problem == "the record lists no save file"
        ));
    }

    #[test]
    fn a_damaged_journal_is_an_error_that_names_it() {
        let mut sd = SimSd::new(1 << 20, PowerSupply::new());
        sd.create_dir_all("/3ds/Keepsake").unwrap();
        sd.write(JOURNAL_PATH, b"{\"operation\": \"res").unwrap();
        let e = read(&mut sd).unwrap_err();
        assert!(e.to_string().starts_with(JOURNAL_PATH), "{e}");
    }
}
