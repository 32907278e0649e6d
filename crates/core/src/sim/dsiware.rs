//! DSiWare on a simulated console: TWL titles on the NAND with their ROM
//! headers and banners, and the files of their `data` folders.
//!
//! The ids are real ones (3dbrew "Titles": DSiWare `00048004`, DSi data
//! `0004800F`); headers, banners and saves are small stand-ins made here,
//! with the save file names DSiWare uses (`public.sav`, `private.sav`,
//! `banner.sav`). A title without a `data` folder has no
//! [`ArchiveKind::DsiWareSave`] archive at all, as opening the folder
//! fails on the console.

use keepsake_format::icon::{self, RgbaImage};

use crate::platform::{ArchiveId, ArchiveKind, MediaType};
use crate::sim::archives::SimArchives;
use crate::sim::nds_rom_header;
use crate::sim::titles::SimTitles;
use crate::sim::tree::MemTree;

/// A DSiWare game with a save (game code `KGUE`, in its low word).
pub const FLIPBOOK: u64 = 0x0004_8004_4B47_5545;
/// A DSiWare tool without a `data` folder (game code `KDTE`).
pub const DESK_TOOL: u64 = 0x0004_8004_4B44_5445;
/// A DSi data title: never looked at (no save of its own).
pub const DSI_DATA: u64 = 0x0004_800F_484E_4841;

/// FLIPBOOK's `public.sav`: 16 bytes written by hand.
pub const FLIPBOOK_PUBLIC: [u8; 16] = [
    0x46, 0x4C, 0x49, 0x50, 0x01, 0x00, 0x00, 0x00, 0x10, 0x20, 0x30, 0x40, 0xAA, 0xBB, 0xCC, 0xDD,
];
/// FLIPBOOK's `private.sav`: 8 bytes written by hand.
pub const FLIPBOOK_PRIVATE: [u8; 8] = [0x50, 0x52, 0x49, 0x56, 0x00, 0x01, 0x02, 0x03];
/// FLIPBOOK's `banner.sav`: 4 bytes written by hand.
pub const FLIPBOOK_BANNER_SAV: [u8; 4] = [0x42, 0x4E, 0x52, 0x01];

/// A version-1 NDS banner (0x840 bytes) with a two-colour 32x32 icon.
pub fn stand_in_banner(rgb: [u8; 3]) -> Vec<u8> {
    let mut banner = vec![0u8; 0x840];
    banner[0] = 1;
    let mut pixels = Vec::with_capacity(32 * 32 * 4);
    for y in 0..32u16 {
        for x in 0..32u16 {
            let inside = (6..26).contains(&x) && (6..26).contains(&y);
            let [r, g, b] = if inside { rgb } else { [0xF0, 0xF0, 0xF0] };
            pixels.extend_from_slice(&[r, g, b, 0xFF]);
        }
    }
    let image = RgbaImage::from_rgba(32, 32, pixels).expect("32x32 RGBA");
    icon::encode_nds_banner_icon(&image, &mut banner);
    banner
}

impl SimTitles {
    /// Installs a TWL title on the NAND with its ROM header and banner
    /// (and no SMDH: DSiWare has none).
    pub fn install_twl(&mut self, title_id: u64, header: Vec<u8>, banner: Vec<u8>) {
        self.install(MediaType::Nand, title_id, Vec::new());
        self.twl.insert(title_id, (header, banner));
    }
}

/// The DSiWare save archive of `title_id`.
pub fn dsiware_archive(title_id: u64) -> ArchiveId {
    ArchiveId {
        kind: ArchiveKind::DsiWareSave,
        media: MediaType::Nand,
        title_id,
    }
}

/// The files of FLIPBOOK's `data` folder.
pub fn flipbook_save() -> MemTree {
    let mut tree = MemTree::new();
    for (path, bytes) in [
        ("/public.sav", &FLIPBOOK_PUBLIC[..]),
        ("/private.sav", &FLIPBOOK_PRIVATE[..]),
        ("/banner.sav", &FLIPBOOK_BANNER_SAV[..]),
    ] {
        tree.write(path, bytes).expect("a root file");
    }
    tree
}

/// Installs FLIPBOOK (with its save), DESK_TOOL (no `data` folder) and
/// DSI_DATA.
pub fn install_dsiware(titles: &mut SimTitles, archives: &mut SimArchives) {
    titles.install_twl(
        FLIPBOOK,
        nds_rom_header("FLIPBOOK", "KGUE"),
        stand_in_banner([0xD0, 0x40, 0x30]),
    );
    archives.insert(dsiware_archive(FLIPBOOK), flipbook_save());
    titles.install_twl(
        DESK_TOOL,
        nds_rom_header("DESK TOOL", "KDTE"),
        stand_in_banner([0x30, 0x70, 0xD0]),
    );
    titles.install_twl(
        DSI_DATA,
        nds_rom_header("DSI DATA", "HNHA"),
        stand_in_banner([0x80, 0x80, 0x80]),
    );
}
