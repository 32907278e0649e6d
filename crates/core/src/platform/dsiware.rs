//! DSiWare: the saves of TWL titles installed on the console's memory.
//!
//! A DSiWare title (and a DSi system title such as DS Download Play) is
//! installed on the NAND with a title id whose bits 44..47 are 8 (high
//! word `0x00048004`, `0x00048005`, ...). Its save is not an archive of its
//! own: it is plain files (`public.sav`, `private.sav`, `banner.sav`) in the
//! title's `data` folder on the DSi partition, opened as the whole
//! `ARCHIVE_NAND_TWL_FS`. That folder is
//!
//! ```text
//! /title/<(high & 0xFFF) | 0x00030000, 8 hex digits>/<low, 8 hex digits>/data/
//! ```
//!
//! (lower-case hex: BernardoGiordano/Checkpoint `3ds/source/archive.cpp`
//! `Archive::twlSaveDataPath`; the DSi partition keeps titles under
//! `000300xx` although AM lists them as `000480xx`). Keepsake's
//! [`ArchiveKind::DsiWareSave`](super::ArchiveKind::DsiWareSave) is rooted
//! at that folder, so the tree backup and restore run on it unchanged.
//! Nothing is committed and there is no secure value: writes to the DSi
//! partition's FAT land at once (Checkpoint `3ds/source/io.cpp`, restore).
//!
//! What Checkpoint does (`3ds/source/loader.cpp` `scanInstalledTitles`,
//! `3ds/source/titleprobe.cpp` `probeTwl`), and so Keepsake: behind the
//! `dsiware_saves` setting (off by default), every NAND title with 8 in
//! bits 44..47 that is not excluded (DSi data titles `0x0004800F` hold no
//! save) is read for its ROM header (`FSUSER_GetLegacyRomHeader`: title at
//! 0x00, game code at 0x0C) and banner (`FSUSER_GetLegacyBannerData`, the
//! icon), and backed up into the NDS cartridge's folder naming,
//! `<GAMECODE> <header title>`. Checkpoint leaves out a title whose `data`
//! folder does not exist; Keepsake lists it, saying so, as it lists a game
//! never started.

use super::titles::may_be_listed_at_all;

/// Whether `title_id` is a TWL title (DSiWare or a DSi system title): 8 in
/// bits 44..47, as Checkpoint `loader.cpp` tests it.
pub fn is_twl(title_id: u64) -> bool {
    (title_id >> 44) & 0xF == 8
}

/// Whether a NAND title is looked at for a DSiWare save: a TWL title that
/// Checkpoint does not exclude (DSi data titles, `titlequirks.cpp`).
pub fn may_have_dsiware_save(title_id: u64) -> bool {
    is_twl(title_id) && may_be_listed_at_all(title_id)
}

/// The title's `data` folder on the DSi partition, without the trailing
/// `/` (Checkpoint `Archive::twlSaveDataPath`).
pub fn twl_data_folder(title_id: u64) -> String {
    let high = (title_id >> 32) as u32;
    let low = title_id as u32;
    format!("/title/{:08x}/{low:08x}/data", (high & 0xFFF) | 0x0003_0000)
}

/// The game code a DSiWare title id carries in its low word (`KGUE` for
/// `0x000480044B475545`), when those four bytes are letters and digits.
pub fn game_code_of_id(title_id: u64) -> Option<String> {
    let bytes = (title_id as u32).to_be_bytes();
    bytes
        .iter()
        .all(u8::is_ascii_alphanumeric)
        .then(|| bytes.iter().map(|&b| b as char).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twl_titles_are_those_with_8_in_bits_44_to_47() {
        assert!(is_twl(0x0004_8004_4B47_5545), "DSiWare");
        assert!(is_twl(0x0004_8005_484E_4441), "DS Download Play");
        assert!(!is_twl(0x0004_0000_0005_5D00), "a 3DS game");
        assert!(!is_twl(0x0004_0010_0002_0000), "System Settings");
        assert!(may_have_dsiware_save(0x0004_8004_4B47_5545));
        assert!(!may_have_dsiware_save(0x0004_800F_484E_4841), "DSi data");
    }

    #[test]
    fn the_data_folder_is_checkpoints() {
        // Worked by hand from Checkpoint's format string:
        // (0x00048004 & 0xFFF) | 0x00030000 = 0x00030004.
        assert_eq!(
            twl_data_folder(0x0004_8004_4B47_5545),
            "/title/00030004/4b475545/data"
        );
        assert_eq!(
            twl_data_folder(0x0004_8005_484E_4441),
            "/title/00030005/484e4441/data"
        );
        assert_eq!(
            twl_data_folder(0x0004_8015_484E_4641),
            "/title/00030015/484e4641/data"
        );
    }

    #[test]
    fn the_low_word_spells_the_game_code() {
        assert_eq!(
            game_code_of_id(0x0004_8004_4B47_5545).as_deref(),
            Some("KGUE")
        );
        assert_eq!(game_code_of_id(0x0004_8004_0000_0001), None);
    }
}
