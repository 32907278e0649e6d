//! Where backups of the console's own data live: system save data where
//! Checkpoint keeps it, shared and SpotPass (BOSS) extdata where JKSM does.
//!
//! - System save data: Checkpoint's folders, exactly as for a game
//!   (`/3ds/Checkpoint/saves/0x%05X <short title>/<backup>/`): Checkpoint
//!   backs up a NAND title's system save through the same
//!   `Paths::ctrSavePath` (BernardoGiordano/Checkpoint `3ds/source/titleprobe.cpp`
//!   `probeCtr`), so each app lists and restores the other's.
//! - Shared extdata: Checkpoint has no folder for it (it does not back it
//!   up). JKSM does, in `/JKSM/Shared Extra Data/<title id as 16 hex
//!   digits>/<backup>/` (J-D-K/JKSM `JKSM/source/FS/FS.cpp` base folders;
//!   the title folder is the id, `TitleInitializeDefault`, since a shared
//!   archive has no SMDH), so Keepsake uses that folder and reads JKSM's
//!   folder backups there. JKSM's ZIP backups (its default on a New 3DS)
//!   are not read.
//! - SpotPass (BOSS) extdata: likewise JKSM's
//!   `/JKSM/BOSS Extra Data/<short title, cleaned as JKSM cleans it>/<backup>/`
//!   (`JKSM/source/StringUtil.cpp` `SanitizeStringForPath`: each of
//!   `. , / \ < > : " | *` becomes a space, `?` an underscore, trailing
//!   spaces and dots go). Not in Checkpoint's extdata folder, on purpose:
//!   Checkpoint would offer it as the title's extdata and restore SpotPass
//!   files into the wrong archive.
//!
//! A backup folder holds the archive's files and nothing else, in every
//! one of these.

/// JKSM's shared extdata backups.
pub const JKSM_SHARED_EXTDATA: &str = "/JKSM/Shared Extra Data";
/// JKSM's SpotPass (BOSS) extdata backups.
pub const JKSM_BOSS_EXTDATA: &str = "/JKSM/BOSS Extra Data";

const JKSM_FORBIDDEN: &[char] = &['.', ',', '/', '\\', '<', '>', ':', '"', '|', '?', '*'];

/// A title name cleaned as JKSM cleans it for a folder.
pub fn jksm_clean(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| match c {
            '?' => '_',
            c if JKSM_FORBIDDEN.contains(&c) || c.is_control() => ' ',
            c => c,
        })
        .collect();
    cleaned.trim_end_matches([' ', '.']).to_owned()
}

/// The title folder of a shared extdata archive (its JKSM title id).
pub fn shared_extdata_folder(title_id: u64) -> String {
    format!("{title_id:016X}")
}

/// The title folder of a title's SpotPass extdata.
pub fn boss_extdata_folder(short_title: &str) -> String {
    jksm_clean(short_title)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_are_named_as_jksm_names_them() {
        assert_eq!(
            shared_extdata_folder(0x0004_8000_F000_000B),
            "00048000F000000B"
        );
        assert_eq!(boss_extdata_folder("Mii Maker"), "Mii Maker");
        // Written out by hand from JKSM's rules.
        assert_eq!(boss_extdata_folder("What? A: B.C..."), "What_ A  B C");
        assert_eq!(boss_extdata_folder("Face Raiders "), "Face Raiders");
    }
}
