//! The console's own data on a simulated console: NAND titles of each kind
//! (with and without a system save, with SpotPass extdata, without an
//! SMDH, DSiWare) and two shared extdata archives, so the system section
//! of the list has something of every kind to show and leave out.
//!
//! Ids are real ones (3dbrew "Titles"; "Extdata", NAND Shared Extdata); the
//! files are small stand-ins with the real names.

use keepsake_format::smdh;

use crate::platform::system_data::shared_extdata_title_id;
use crate::platform::{ArchiveId, ArchiveKind, MediaType};
use crate::sim::archives::SimArchives;
use crate::sim::titles::SimTitles;
use crate::sim::tree::MemTree;

/// System Settings: a system save.
pub const SYSTEM_SETTINGS: u64 = 0x0004_0010_0002_0000;
/// StreetPass Mii Plaza: a system save and SpotPass extdata.
pub const MII_PLAZA: u64 = 0x0004_0010_0002_1700;
/// Health and Safety Information: an SMDH, no system save.
pub const HEALTH_AND_SAFETY: u64 = 0x0004_0010_0002_0300;
/// A system module (friends): a system save but no SMDH.
pub const FRIENDS_MODULE: u64 = 0x0004_0130_0000_3202;
/// A DSiWare title on the NAND (its save is not a system save).
pub const DSIWARE: u64 = 0x0004_8004_4B47_5545;
/// Shared extdata `0xF000000B` (Miis, Play Coins, records).
pub const SHARED_MIIS: u64 = 0x0004_8000_F000_000B;
/// Shared extdata `0xF0000001` (camera photos on the NAND).
pub const SHARED_PHOTOS: u64 = 0x0004_8000_F000_0001;

/// The `gamecoin.dat` of shared extdata `0xF000000B`, 0x14 bytes as 3dbrew
/// lays it out: magic 0x4F00, then 123 Play Coins.
pub const GAMECOIN_DAT: [u8; 0x14] = [
    0x00, 0x4F, 0x00, 0x00, 0x7B, 0x00, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0xEA, 0x07, 1, 1,
];

fn tree(files: &[(&str, &[u8])]) -> MemTree {
    let mut tree = MemTree::new();
    for (path, bytes) in files {
        if let Some((dir, _)) = path.rsplit_once('/').filter(|(dir, _)| !dir.is_empty()) {
            tree.create_dir_all(dir).expect("a folder of the stand-in");
        }
        tree.write(path, bytes).expect("a file of the stand-in");
    }
    tree
}

/// Installs the NAND titles and shared extdata described above.
pub fn install_system_data(titles: &mut SimTitles, archives: &mut SimArchives) {
    for (id, name) in [
        (SYSTEM_SETTINGS, "System Settings"),
        (MII_PLAZA, "StreetPass Mii Plaza"),
        (HEALTH_AND_SAFETY, "Health and Safety Information"),
        (DSIWARE, "DSiWare Game"),
    ] {
        titles.install(MediaType::Nand, id, smdh::build(name, name, "Nintendo"));
    }
    // A module has no SMDH: listed by AM, never by a save manager.
    titles.install(MediaType::Nand, FRIENDS_MODULE, Vec::new());
    let archive = |kind, title_id| ArchiveId {
        kind,
        media: MediaType::Nand,
        title_id,
    };
    archives.insert(
        archive(ArchiveKind::SaveData, SYSTEM_SETTINGS),
        tree(&[("/config.bin", b"settings")]),
    );
    archives.insert(
        archive(ArchiveKind::SaveData, MII_PLAZA),
        tree(&[("/plaza.dat", b"plaza"), ("/games/puzzle.dat", b"pieces")]),
    );
    archives.insert(
        archive(ArchiveKind::BossExtData, MII_PLAZA),
        tree(&[("/boss/00000001", b"spotpass")]),
    );
    archives.insert(
        archive(ArchiveKind::SaveData, FRIENDS_MODULE),
        tree(&[("/friends.dat", b"friends")]),
    );
    archives.insert(
        archive(ArchiveKind::SharedExtData, SHARED_MIIS),
        tree(&[
            ("/gamecoin.dat", &GAMECOIN_DAT),
            ("/idb.dat", b"mii database"),
        ]),
    );
    archives.insert(
        archive(
            ArchiveKind::SharedExtData,
            shared_extdata_title_id(0xF000_0001),
        ),
        tree(&[("/phtcache.bin", b"photos")]),
    );
}
