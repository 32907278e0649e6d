//! Where backups live on the SD card, and how their folders are named.
//!
//! Checkpoint's layout, so users can switch between the two apps:
//! - `/3ds/Checkpoint/saves/<title folder>/<backup folder>/…` and
//!   `/3ds/Checkpoint/extdata/<title folder>/<backup folder>/…`
//! - 3DS title folder: `0x%05X <short title>`, the number being the title
//!   id's low 32 bits shifted right by 8 (the unique id), the short title
//!   the English SMDH name.
//! - NDS title folder: `<GAMECODE> <header title>`; inside a backup folder
//!   one raw `<header title>.sav` of the whole chip.
//! - Names are cleaned the way Checkpoint cleans them: each of
//!   `. , ! \ / : ? * " < > |` becomes a space, trailing spaces go.
//! - Backup folder: `YYYYMMDD-HHMMSS`, or a name the user typed.
//!
//! TWLSaveTool keeps one file per game in `/TWLSaveTool`: the header title
//! with every character but ASCII letters, digits and spaces made `_`, then
//! `.sav` (or `.<n>.sav` for numbered copies).

use crate::platform::DateTime;
use crate::platform::titles::unique_id;

/// Checkpoint's save backups.
pub const CHECKPOINT_SAVES: &str = "/3ds/Checkpoint/saves";
/// Checkpoint's extdata backups.
pub const CHECKPOINT_EXTDATA: &str = "/3ds/Checkpoint/extdata";
/// TWLSaveTool's folder.
pub const TWLSAVETOOL_DIR: &str = "/TWLSaveTool";
/// Our own folder (settings, unfinished backups).
pub const KEEPSAKE_DIR: &str = "/3ds/Keepsake";
/// Our settings.
pub const CONFIG_PATH: &str = "/3ds/Keepsake/config.json";
/// Where backups are built before they are renamed into place, so a
/// backup folder never holds a half-written or temporary file.
pub const STAGING_DIR: &str = "/3ds/Keepsake/staging";

const FORBIDDEN: &[char] = &['.', ',', '!', '\\', '/', ':', '?', '*', '"', '<', '>', '|'];

/// A name cleaned as Checkpoint cleans it: forbidden characters become
/// spaces, trailing spaces go. Control characters also become spaces,
/// since no file system takes them.
pub fn sanitize(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if FORBIDDEN.contains(&c) || c.is_control() {
                ' '
            } else {
                c
            }
        })
        .collect();
    cleaned.trim_end_matches(' ').to_owned()
}

/// The title folder of a 3DS title.
pub fn ctr_title_folder(title_id: u64, short_title: &str) -> String {
    format!("0x{:05X} {}", unique_id(title_id), sanitize(short_title))
}

/// The title folder of an NDS card.
pub fn nds_title_folder(game_code: &str, header_title: &str) -> String {
    format!("{game_code} {}", sanitize(header_title))
}

/// The save file inside an NDS backup folder.
pub fn nds_save_file_name(header_title: &str) -> String {
    format!("{}.sav", sanitize(header_title))
}

/// TWLSaveTool's file name stem for a header title.
pub fn twlsavetool_stem(header_title: &str) -> String {
    header_title
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// A backup folder named after the time.
pub fn backup_folder_name(now: DateTime) -> String {
    now.folder_name()
}

/// The game code a Checkpoint NDS title folder starts with, if it does.
pub fn game_code_of_folder(folder: &str) -> Option<&str> {
    let code = folder.get(..4)?;
    let rest = &folder[4..];
    (code.bytes().all(|b| b.is_ascii_alphanumeric()) && (rest.is_empty() || rest.starts_with(' ')))
        .then_some(code)
}

/// The unique id a Checkpoint 3DS title folder starts with, if it does.
pub fn unique_id_of_folder(folder: &str) -> Option<u32> {
    let hex = folder.strip_prefix("0x")?;
    let end = hex.find(' ').unwrap_or(hex.len());
    u32::from_str_radix(&hex[..end], 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_checkpoint() {
        assert_eq!(
            ctr_title_folder(0x0004_0000_0005_5D00, "Pokémon X"),
            "0x0055D Pokémon X"
        );
        assert_eq!(
            ctr_title_folder(0x0004_0000_0016_4800, "Pokémon Sun"),
            "0x01648 Pokémon Sun"
        );
        assert_eq!(
            ctr_title_folder(0x0004_0000_0012_3400, "A: B? C!..."),
            "0x01234 A  B  C"
        );
        assert_eq!(nds_title_folder("ASNE", "SONICDASH"), "ASNE SONICDASH");
        assert_eq!(nds_save_file_name("POKEMON D."), "POKEMON D.sav");
        assert_eq!(twlsavetool_stem("POKEMON HG/SS"), "POKEMON HG_SS");
        assert_eq!(game_code_of_folder("ASNE SONICDASH"), Some("ASNE"));
        assert_eq!(game_code_of_folder("0x0055D Pokémon X"), None);
        assert_eq!(unique_id_of_folder("0x0055D Pokémon X"), Some(0x55D));
        assert_eq!(unique_id_of_folder("ASNE X"), None);
    }
}
