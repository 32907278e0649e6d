//! The console's own data that a save manager can back up: system titles'
//! save data on the NAND, the NAND's shared extdata and SpotPass (BOSS)
//! extdata, and which of them are looked at.
//!
//! - System save data: the save archive of a system title installed on the
//!   NAND (System Settings, Mii Maker, Face Raiders, ...). It is opened as
//!   `ARCHIVE_SYSTEM_SAVEDATA` with the binary path `{ MEDIATYPE_NAND,
//!   0x00020000 | unique id }` (BernardoGiordano/Checkpoint
//!   `3ds/source/archive.cpp` `Archive::save`, J-D-K/FsLib
//!   `openSystemSaveData`). Checkpoint lists every NAND title that is not
//!   excluded, not a DSiWare title, has an SMDH and whose system save opens
//!   (`3ds/source/loader.cpp` `scanInstalledTitles`, behind its `nand_saves`
//!   setting), and backs it up into the same folders as a game's save.
//! - Shared extdata: extdata on the NAND that several system programs share,
//!   by fixed ids. Checkpoint does not list it (its one use is a script that
//!   edits Play Coins in `0xF000000B`, `3ds/source/script/scripthost.cpp`);
//!   JKSM lists these seven ids without probing them (J-D-K/JKSM
//!   `JKSM/source/Data/Data.cpp` `s_FakeSharedTitleIDs`), each as a title
//!   `0x00048000_<id>`. 3dbrew "Extdata" also names `0xE0000000`, which
//!   Home Menu only checks the existence of (it starts System Transfer when
//!   it exists); JKSM leaves it out, and so does Keepsake.
//! - SpotPass (BOSS) extdata: what SpotPass downloaded for a title, on the
//!   SD card, opened as `ARCHIVE_BOSS_EXTDATA` by the title's extdata id
//!   (J-D-K/FsLib `openBossExtData`); JKSM looks for it for NAND titles
//!   only (`TestArchivesWithTitleID`), and so does Keepsake.

use super::titles::{TitleCategory, may_be_listed_at_all, unique_id};

/// The high word of NAND extdata ids (3dbrew "Extdata": `ExtdataID-High`
/// is `00048000` for the NAND), which JKSM puts above each shared id.
pub const NAND_EXTDATA_HIGH: u64 = 0x0004_8000;

/// One shared extdata archive: its id and what it holds, in plain words
/// (from 3dbrew "Extdata", NAND Shared Extdata).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SharedExtdata {
    /// The extdata id (`0xF000000B`).
    pub id: u32,
    /// Its name in the list.
    pub name: &'static str,
    /// What it holds, for the title's details.
    pub holds: &'static str,
}

/// The shared extdata archives listed, in JKSM's order.
pub const SHARED_EXTDATA: [SharedExtdata; 7] = [
    SharedExtdata {
        id: 0xF000_0001,
        name: "Camera photos (NAND)",
        holds: "photos kept in the console's memory by the Camera, with its cache",
    },
    SharedExtdata {
        id: 0xF000_0002,
        name: "Sound recordings (NAND)",
        holds: "recordings kept in the console's memory by Nintendo 3DS Sound",
    },
    SharedExtdata {
        id: 0xF000_0009,
        name: "SpotPass notifications",
        holds: "what SpotPass downloaded for the notifications",
    },
    SharedExtdata {
        id: 0xF000_000B,
        name: "Miis, Play Coins and records",
        holds: "the Miis, the Play Coins and the play records; Home Menu stops the console \
                when it cannot read them",
    },
    SharedExtdata {
        id: 0xF000_000C,
        name: "Home Menu place data",
        holds: "two files of Home Menu's (bashotorya.dat)",
    },
    SharedExtdata {
        id: 0xF000_000D,
        name: "Home Menu SpotPass data",
        holds: "what SpotPass downloaded for Home Menu",
    },
    SharedExtdata {
        id: 0xF000_000E,
        name: "System update list",
        holds: "the list Home Menu checks for software update notices",
    },
];

/// The title id JKSM gives a shared extdata archive: its id under the NAND
/// extdata high word (`0x00048000F000000B`).
pub fn shared_extdata_title_id(id: u32) -> u64 {
    (NAND_EXTDATA_HIGH << 32) | u64::from(id)
}

/// The shared extdata a title id stands for, when it is one of the table's.
pub fn shared_extdata(title_id: u64) -> Option<&'static SharedExtdata> {
    if title_id >> 32 != NAND_EXTDATA_HIGH {
        return None;
    }
    SHARED_EXTDATA.iter().find(|s| s.id == title_id as u32)
}

/// The system save data id of a NAND title: `0x00020000` with its unique id
/// (Checkpoint `3ds/source/archive.cpp` `Archive::save`).
pub fn system_save_id(title_id: u64) -> u32 {
    0x0002_0000 | unique_id(title_id)
}

/// Whether a NAND title is looked at for a system save: Checkpoint's
/// exclusions (updates, DSi data archives, manuals, the browser), and not
/// DSiWare (TWL titles, whose save is files on the DSi partition, not a
/// system save; Checkpoint has a separate setting for them).
pub fn may_have_system_save(title_id: u64) -> bool {
    let twl = (title_id >> 44) & 0xF == 8;
    may_be_listed_at_all(title_id)
        && !twl
        && !matches!(
            TitleCategory::of(title_id),
            TitleCategory::DsiWare | TitleCategory::DsiSystem | TitleCategory::DsiData
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_save_ids_follow_checkpoint() {
        // Home Menu 0004003000008202: unique id 0x82, system save 00020082
        // (3dbrew "System SaveData", Home Menu).
        assert_eq!(system_save_id(0x0004_0030_0000_8202), 0x0002_0082);
        // System Settings 0004001000020000: unique id 0x200.
        assert_eq!(system_save_id(0x0004_0010_0002_0000), 0x0002_0200);
    }

    #[test]
    fn shared_ids_are_jksms_seven_under_the_nand_high_word() {
        let ids: Vec<u64> = SHARED_EXTDATA
            .iter()
            .map(|s| shared_extdata_title_id(s.id))
            .collect();
        assert_eq!(
            ids,
            [
                0x0004_8000_F000_0001,
                0x0004_8000_F000_0002,
                0x0004_8000_F000_0009,
                0x0004_8000_F000_000B,
                0x0004_8000_F000_000C,
                0x0004_8000_F000_000D,
                0x0004_8000_F000_000E,
            ]
        );
        assert_eq!(
            shared_extdata(0x0004_8000_F000_000B).map(|s| s.name),
            Some("Miis, Play Coins and records")
        );
        assert_eq!(shared_extdata(0x0004_8000_E000_0000), None);
        assert_eq!(shared_extdata(0x0004_0000_F000_000B), None);
    }

    #[test]
    fn nand_titles_looked_at_are_checkpoints() {
        assert!(
            may_have_system_save(0x0004_0010_0002_0000),
            "System Settings"
        );
        assert!(may_have_system_save(0x0004_0030_0000_8202), "Home Menu");
        assert!(!may_have_system_save(0x0004_000E_0002_0000), "an update");
        assert!(!may_have_system_save(0x0004_800F_484E_4841), "DSi data");
        assert!(!may_have_system_save(0x0004_8004_4B47_5545), "DSiWare");
        assert!(!may_have_system_save(0x0004_8005_484E_4441), "DSi system");
        assert!(!may_have_system_save(0x0004_0030_0000_8802), "the browser");
    }
}
