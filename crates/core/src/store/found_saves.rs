//! Saves where people keep them, matched to a cartridge without renaming.
//!
//! Places, and how each save is matched to a game:
//! - TWiLight Menu++ / nds-bootstrap: for a ROM `<dir>/<name>.nds`, its save
//!   is `<dir>/saves/<name>.sav`, or `<dir>/<name>.sav` beside it. The game
//!   code is the ROM header's (0x0C, 4 bytes), so the save is offered for
//!   the cartridge of that game whatever the files are called.
//! - The drop folder [`IMPORT_DIR`], for saves copied from a flashcart or an
//!   emulator (`.sav`, `.dsv`, `.duc`, no$gba; any name): matched by a ROM
//!   of the same name beside it, else by a game code in its name (a
//!   four-character word of capitals and digits, like `ASNE`), else
//!   unmatched, offered for any NDS cartridge after a confirmation.
//!
//! ROM folders are found by [`SdScan`], the "Find saves on the SD card"
//! action, a directory listing per step; what it found is kept in
//! [`ROM_FOLDERS_PATH`] (a JSON list of folders), so a start lists only the
//! import folder and those folders, never the whole card.
//!
//! A save matched through a ROM whose header differs from the cartridge's
//! (same game code, another version, header CRC or title) may come from a
//! patched ROM, a fan translation, whose save can corrupt the cartridge's
//! game: [`RomHeader::differences`] says how it differs.

use keepsake_format::nds::{self, ChipKind, Container, format_size};
use keepsake_format::nds_header::NdsHeader;

use crate::platform::sd::{join, read_recovering, write_atomic};
use crate::platform::{SdCard, SdError};
use crate::store::locate::{BackupEntry, BackupSource};
use crate::store::naming::KEEPSAKE_DIR;

/// The drop folder for saves from a flashcart or an emulator.
pub const IMPORT_DIR: &str = "/3ds/Keepsake/import";
/// The ROM folders the last scan of the SD card found (JSON list).
pub const ROM_FOLDERS_PATH: &str = "/3ds/Keepsake/rom-folders.json";
/// The folder TWiLight Menu++ and nds-bootstrap keep saves in, inside a ROM
/// folder (TWiLight Menu++ wiki, "nds-bootstrap: save location").
const TWILIGHT_SAVES: &str = "saves";
/// Bytes of a ROM read for its header: the part the header CRC covers, and
/// the CRC.
const HEADER_LEN: usize = 0x200;
/// The ROM version byte in the header (GBATEK, "DS Cartridge Header", 0x1E).
const VERSION_OFFSET: usize = 0x1E;
/// The header CRC-16 (GBATEK, "DS Cartridge Header", 0x15E).
const CRC_OFFSET: usize = 0x15E;
/// Folders the scan never enters: the console's encrypted title data, which
/// holds no flashcart saves and thousands of folders.
const SKIPPED: [&str; 1] = ["/Nintendo 3DS"];
/// How deep the scan goes below `/`.
const MAX_DEPTH: usize = 12;

/// Where a save was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// `<ROM folder>/saves/<ROM name>.sav`.
    TwilightSaves,
    /// `<ROM folder>/<ROM name>.sav`.
    BesideRom,
    /// The import folder.
    ImportFolder,
}

impl Place {
    /// Where it came from, for the backup list.
    pub fn label(self) -> &'static str {
        match self {
            Place::TwilightSaves | Place::BesideRom => "TWiLight Menu++ save",
            Place::ImportFolder => "import folder",
        }
    }
}

/// What a save was matched to a game by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Evidence {
    /// The header of the ROM it belongs to.
    Rom(RomHeader),
    /// A game code in its file name.
    CodeInName(String),
    /// Nothing: it cannot be checked.
    Nothing,
}

/// The facts of a ROM header that tell one build of a game from another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RomHeader {
    /// The ROM file.
    pub path: String,
    pub game_code: String,
    pub title: String,
    pub version: u8,
    pub crc: u16,
}

impl RomHeader {
    /// The header of `bytes` (at least 0x160 bytes of a ROM), if valid.
    pub fn parse(path: &str, bytes: &[u8]) -> Option<Self> {
        let header = NdsHeader::parse(bytes).ok()?;
        Some(Self {
            path: path.to_owned(),
            game_code: header.game_code().to_owned(),
            title: header.title(),
            version: bytes[VERSION_OFFSET],
            crc: u16::from_le_bytes([bytes[CRC_OFFSET], bytes[CRC_OFFSET + 1]]),
        })
    }

    /// Reads the header of the ROM at `path`.
    pub fn read(sd: &mut dyn SdCard, path: &str) -> Option<Self> {
        let bytes = sd.read_prefix(path, HEADER_LEN).ok()?;
        Self::parse(path, &bytes)
    }

    /// How this ROM's header differs from the cartridge's `card` header, in
    /// words (empty when it is the same build).
    pub fn differences(&self, card: &[u8]) -> Vec<String> {
        let Some(card) = Self::parse("", card) else {
            return vec!["the cartridge's header could not be read".into()];
        };
        let mut differences = Vec::new();
        if self.title != card.title {
            differences.push(format!(
                "its title is \"{}\", the cartridge's \"{}\"",
                self.title, card.title
            ));
        }
        if self.version != card.version {
            differences.push(format!(
                "it is version {}, the cartridge version {}",
                self.version, card.version
            ));
        }
        if self.crc != card.crc {
            differences.push(format!(
                "its header checksum is {:04X}, the cartridge's {:04X}",
                self.crc, card.crc
            ));
        }
        differences
    }
}

/// A save found outside the backup folders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundSave {
    /// The file.
    pub path: String,
    /// Its name.
    pub name: String,
    pub place: Place,
    pub evidence: Evidence,
    /// Its size in bytes.
    pub size: u64,
}

impl FoundSave {
    /// The game code it was matched to, if any.
    pub fn game_code(&self) -> Option<&str> {
        match &self.evidence {
            Evidence::Rom(rom) => Some(&rom.game_code),
            Evidence::CodeInName(code) => Some(code),
            Evidence::Nothing => None,
        }
    }

    /// Whether it is offered for the cartridge with `game_code`: matched to
    /// that game, or to none.
    pub fn offered_for(&self, game_code: &str) -> bool {
        self.game_code().is_none_or(|code| code == game_code)
    }

    /// The backup entry a restore reads it through.
    pub fn entry(&self) -> BackupEntry {
        let game_code = self
            .game_code()
            .and_then(|code| code.as_bytes().try_into().ok());
        BackupEntry {
            name: self.name.clone(),
            path: self.path.clone(),
            source: BackupSource::Found { game_code },
        }
    }
}

fn is_rom(name: &str) -> bool {
    name.to_ascii_lowercase().ends_with(".nds")
}

/// `name` without its last extension.
fn stem(name: &str) -> &str {
    name.rfind('.').map_or(name, |dot| &name[..dot])
}

/// The listing of `dir`, empty when it does not exist.
fn list_files(sd: &mut dyn SdCard, dir: &str) -> Result<Vec<(String, u64)>, SdError> {
    match sd.list(dir) {
        Ok(entries) => Ok(entries
            .into_iter()
            .filter(|e| !e.is_dir)
            .map(|e| (e.name, e.size))
            .collect()),
        Err(SdError::NotFound { .. }) => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}

/// The TWiLight Menu++ saves of the ROMs in `dir`.
pub fn saves_in_rom_folder(sd: &mut dyn SdCard, dir: &str) -> Result<Vec<FoundSave>, SdError> {
    let files = list_files(sd, dir)?;
    let saves_dir = join(dir, TWILIGHT_SAVES);
    let mut saves_files: Option<Vec<(String, u64)>> = None;
    let mut found = Vec::new();
    for (rom_name, _) in files.iter().filter(|(name, _)| is_rom(name)) {
        let wanted = format!("{}.sav", stem(rom_name));
        let saves_files = match &saves_files {
            Some(list) => list,
            None => saves_files.insert(list_files(sd, &saves_dir)?),
        };
        let candidates = [
            (Place::TwilightSaves, &saves_dir, saves_files),
            (Place::BesideRom, &dir.to_owned(), &files),
        ];
        let mut header = None;
        for (place, folder, listing) in candidates {
            let Some((name, size)) = listing.iter().find(|(name, _)| *name == wanted) else {
                continue;
            };
            let rom_path = join(dir, rom_name);
            let rom = match &header {
                Some(rom) => rom,
                None => match RomHeader::read(sd, &rom_path) {
                    Some(rom) => header.insert(rom),
                    // Not a DS ROM after all: nothing to match the save by.
                    None => break,
                },
            };
            found.push(FoundSave {
                path: join(folder, name),
                name: name.clone(),
                place,
                evidence: Evidence::Rom(rom.clone()),
                size: *size,
            });
        }
    }
    Ok(found)
}

/// The game codes a file name may carry: four-character words of capitals
/// and digits starting with a capital (`ASNE`, `Sonic Rush (ASNE).sav`).
pub fn game_codes_in_name(name: &str) -> Vec<String> {
    stem(name)
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| {
            word.len() == 4
                && word.as_bytes()[0].is_ascii_uppercase()
                && word
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        })
        .map(str::to_owned)
        .collect()
}

/// The saves in the import folder, each matched as well as it can be.
pub fn saves_in_import_folder(sd: &mut dyn SdCard) -> Result<Vec<FoundSave>, SdError> {
    let files = list_files(sd, IMPORT_DIR)?;
    let mut found = Vec::new();
    for (name, size) in &files {
        if is_rom(name) || name.starts_with('.') || name.ends_with(crate::platform::sd::TEMP_SUFFIX)
        {
            continue;
        }
        let rom = files
            .iter()
            .find(|(other, _)| is_rom(other) && stem(other) == stem(name))
            .and_then(|(rom, _)| RomHeader::read(sd, &join(IMPORT_DIR, rom)));
        let evidence = match rom {
            Some(rom) => Evidence::Rom(rom),
            None => match game_codes_in_name(name).as_slice() {
                [code] => Evidence::CodeInName(code.clone()),
                // Several candidates: the name does not say which.
                _ => Evidence::Nothing,
            },
        };
        found.push(FoundSave {
            path: join(IMPORT_DIR, name),
            name: name.clone(),
            place: Place::ImportFolder,
            evidence,
            size: *size,
        });
    }
    Ok(found)
}

/// Every save in the import folder and the ROM folders: what a start lists.
/// A folder that cannot be read is skipped (it may be gone since the scan).
pub fn find_saves(sd: &mut dyn SdCard, rom_folders: &[String]) -> Vec<FoundSave> {
    let mut found = saves_in_import_folder(sd).unwrap_or_default();
    for dir in rom_folders {
        found.extend(saves_in_rom_folder(sd, dir).unwrap_or_default());
    }
    found
}

/// The headers of the DS ROMs in `folders` (for exports into TWiLight's
/// save slots); unreadable folders and files are skipped.
pub fn roms_in_folders(sd: &mut dyn SdCard, folders: &[String]) -> Vec<RomHeader> {
    let mut roms = Vec::new();
    for dir in folders {
        for (name, _) in list_files(sd, dir).unwrap_or_default() {
            if is_rom(&name) {
                roms.extend(RomHeader::read(sd, &join(dir, &name)));
            }
        }
    }
    roms
}

/// The ROM folders the last scan found; none before the first scan or when
/// the file is damaged (a new scan writes it again).
pub fn load_rom_folders(sd: &mut dyn SdCard) -> Vec<String> {
    read_recovering(sd, ROM_FOLDERS_PATH)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default()
}

/// Keeps what a scan found for the next start.
pub fn save_rom_folders(sd: &mut dyn SdCard, folders: &[String]) -> Result<(), SdError> {
    sd.create_dir_all(KEEPSAKE_DIR)?;
    let json = serde_json::to_vec_pretty(folders).expect("strings serialize");
    write_atomic(sd, ROM_FOLDERS_PATH, &json)
}

/// "Find saves on the SD card": a walk of the whole card, one directory
/// listing a step, collecting the folders that hold DS ROMs.
#[derive(Debug, Clone)]
pub struct SdScan {
    pending: Vec<(String, usize)>,
    listed: u32,
    rom_folders: Vec<String>,
}

impl Default for SdScan {
    fn default() -> Self {
        Self::new()
    }
}

impl SdScan {
    pub fn new() -> Self {
        Self {
            pending: vec![("/".to_owned(), 0)],
            listed: 0,
            rom_folders: Vec::new(),
        }
    }

    /// Lists one folder; true when the whole card has been walked. A folder
    /// that cannot be listed is skipped: one bad folder must not hide the
    /// saves in the others.
    pub fn step(&mut self, sd: &mut dyn SdCard) -> bool {
        let Some((dir, depth)) = self.pending.pop() else {
            return true;
        };
        self.listed += 1;
        let Ok(entries) = sd.list(&dir) else {
            return self.pending.is_empty();
        };
        if entries.iter().any(|e| !e.is_dir && is_rom(&e.name)) {
            self.rom_folders.push(dir.clone());
        }
        if depth < MAX_DEPTH {
            // Reversed, so the walk visits folders in listing order.
            for entry in entries.iter().rev().filter(|e| e.is_dir) {
                let path = join(&dir, &entry.name);
                if !entry.name.starts_with('.') && !SKIPPED.contains(&path.as_str()) {
                    self.pending.push((path, depth + 1));
                }
            }
        }
        self.pending.is_empty()
    }

    /// Folders listed so far, and folders known to be still waiting.
    pub fn progress(&self) -> (u32, u32) {
        (self.listed, self.pending.len() as u32)
    }

    /// The folders holding DS ROMs, in the order found.
    pub fn rom_folders(&self) -> &[String] {
        &self.rom_folders
    }
}

/// A save's container and size in words: `512 KiB flashcart save` (the
/// size flashcarts and nds-bootstrap give every save), `8 KiB raw save`,
/// `DeSmuME .dsv (8 KiB)`.
pub fn describe_container(container: &Container, payload_len: usize) -> String {
    match container {
        Container::Raw if payload_len == ChipKind::Flash512K.capacity() => {
            format!("{} flashcart save", format_size(payload_len))
        }
        Container::Raw => format!("{} raw save", format_size(payload_len)),
        other => format!("{} ({})", other.name(), format_size(payload_len)),
    }
}

/// What restoring `save` onto `chip` does, or why it cannot: `512 KiB
/// flashcart save -> EEPROM 8 KiB, nothing lost`.
pub fn describe_restore(
    sd: &mut dyn SdCard,
    save: &FoundSave,
    chip: ChipKind,
) -> Result<String, String> {
    let bytes = sd.read(&save.path).map_err(|e| e.to_string())?;
    let parsed =
        nds::SaveFile::parse(&bytes).map_err(|e| format!("not a save Keepsake can read: {e}"))?;
    let what = describe_container(&parsed.container, parsed.payload.len());
    match nds::resize(&parsed.payload, chip, false) {
        Ok(_) if parsed.payload.len() == chip.capacity() => {
            Ok(format!("{what} -> {chip}, as it is"))
        }
        Ok(_) => Ok(format!("{what} -> {chip}, nothing lost")),
        Err(e) => Err(format!("{what} does not fit {chip}: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{PowerSupply, SimSd, nds_rom_header};

    fn sd() -> SimSd {
        SimSd::new(64 << 20, PowerSupply::new())
    }

    fn put(sd: &mut SimSd, path: &str, bytes: &[u8]) {
        let dir = &path[..path.rfind('/').unwrap()];
        sd.create_dir_all(if dir.is_empty() { "/" } else { dir })
            .unwrap();
        sd.write(path, bytes).unwrap();
    }

    /// A ROM: a header and some code after it.
    fn rom(title: &str, code: &str) -> Vec<u8> {
        let mut rom = nds_rom_header(title, code);
        rom.resize(0x4000, 0x55);
        rom
    }

    #[test]
    fn twilight_saves_are_matched_by_the_rom_header_not_the_name() {
        let mut sd = sd();
        put(&mut sd, "/roms/nds/my sonic.nds", &rom("SONICRUSH", "ASNE"));
        put(&mut sd, "/roms/nds/saves/my sonic.sav", &[1; 100]);
        put(&mut sd, "/roms/nds/other.nds", &rom("OTHER", "AXXE"));
        put(&mut sd, "/roms/nds/other.sav", &[2; 10]);
        put(&mut sd, "/roms/nds/saves/orphan.sav", &[3; 10]);
        let found = saves_in_rom_folder(&mut sd, "/roms/nds").unwrap();
        let summary: Vec<(&str, Place, Option<&str>)> = found
            .iter()
            .map(|f| (f.path.as_str(), f.place, f.game_code()))
            .collect();
        assert_eq!(
            summary,
            [
                (
                    "/roms/nds/saves/my sonic.sav",
                    Place::TwilightSaves,
                    Some("ASNE")
                ),
                ("/roms/nds/other.sav", Place::BesideRom, Some("AXXE")),
            ]
        );
        assert!(found[0].offered_for("ASNE"));
        assert!(!found[0].offered_for("AXXE"));
        assert_eq!(found[0].size, 100);
        assert_eq!(
            found[0].entry().source,
            BackupSource::Found {
                game_code: Some(*b"ASNE")
            }
        );
    }

    #[test]
    fn import_folder_saves_match_by_rom_then_name_else_not_at_all() {
        let mut sd = sd();
        put(&mut sd, &join(IMPORT_DIR, "a.dsv"), &[0; 10]);
        put(&mut sd, &join(IMPORT_DIR, "a.nds"), &rom("GAME A", "AAAE"));
        put(
            &mut sd,
            &join(IMPORT_DIR, "Sonic Rush (ASNE).sav"),
            &[0; 10],
        );
        put(&mut sd, &join(IMPORT_DIR, "mystery.sav"), &[0; 10]);
        put(&mut sd, &join(IMPORT_DIR, "SAVE ASNE.duc"), &[0; 10]);
        let found = saves_in_import_folder(&mut sd).unwrap();
        let summary: Vec<(&str, Option<&str>)> = found
            .iter()
            .map(|f| (f.name.as_str(), f.game_code()))
            .collect();
        assert_eq!(
            summary,
            [
                ("SAVE ASNE.duc", None),
                ("Sonic Rush (ASNE).sav", Some("ASNE")),
                ("a.dsv", Some("AAAE")),
                ("mystery.sav", None),
            ]
        );
        assert!(found.iter().all(|f| f.place == Place::ImportFolder));
        assert!(found[3].offered_for("ASNE") && found[3].offered_for("AAAE"));
    }

    #[test]
    fn game_codes_are_capital_words_of_four() {
        assert_eq!(game_codes_in_name("ASNE.sav"), ["ASNE"]);
        assert_eq!(game_codes_in_name("1234 - A2BE_x.dsv"), ["A2BE"]);
        assert!(game_codes_in_name("sonic rush.sav").is_empty());
        assert!(game_codes_in_name("Asne.sav").is_empty());
    }

    #[test]
    fn a_patched_rom_differs_in_what_it_says() {
        let card = nds_rom_header("SONICRUSH", "ASNE");
        let same = RomHeader::parse("/a.nds", &card).unwrap();
        assert!(same.differences(&card).is_empty());
        let mut patched = card.clone();
        patched[0x1E] = 1;
        patched[..9].copy_from_slice(b"SONICRUSX");
        let crc = keepsake_format::nds_header::header_crc(&patched[..0x15E]);
        patched[0x15E..0x160].copy_from_slice(&crc.to_le_bytes());
        let differences = RomHeader::parse("/b.nds", &patched)
            .unwrap()
            .differences(&card);
        assert_eq!(differences.len(), 3, "{differences:?}");
        assert!(differences[0].contains("\"SONICRUSX\""), "{differences:?}");
        assert!(differences[1].contains("version 1"), "{differences:?}");
    }

    #[test]
    fn the_scan_walks_the_card_a_folder_a_step_and_skips_title_data() {
        let mut sd = sd();
        put(&mut sd, "/roms/nds/a.nds", &rom("A", "AAAE"));
        put(&mut sd, "/roms/nds/saves/a.sav", &[0; 4]);
        put(&mut sd, "/games/deep/er/b.NDS", &rom("B", "BBBE"));
        put(&mut sd, "/Nintendo 3DS/x/y.nds", &rom("C", "CCCE"));
        put(&mut sd, "/.hidden/z.nds", &rom("D", "DDDE"));
        let before = sd.listings();
        let mut scan = SdScan::new();
        let mut steps = 0;
        while !scan.step(&mut sd) {
            steps += 1;
            assert_eq!(sd.listings() - before, steps, "one listing a step");
        }
        assert_eq!(scan.rom_folders(), ["/games/deep/er", "/roms/nds"]);
        // "/", games, deep, er, roms, nds, saves: the skipped ones unlisted.
        assert_eq!(scan.progress(), (7, 0));
        save_rom_folders(&mut sd, scan.rom_folders()).unwrap();
        let folders = load_rom_folders(&mut sd);
        let found = find_saves(&mut sd, &folders);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].path, "/roms/nds/saves/a.sav");
    }

    #[test]
    fn a_flashcart_save_of_a_real_fixture_is_described_for_the_chip() {
        let dsv = keepsake_testkit::fixture_or_skip!("nds/sonic-rush/usa.dsv");
        let mut padded = dsv[..8192].to_vec();
        padded.resize(512 * 1024, 0xFF);
        let mut sd = sd();
        put(&mut sd, "/i/x.sav", &padded);
        put(&mut sd, "/i/y.dsv", &dsv);
        put(&mut sd, "/i/z.sav", &dsv[..8192]);
        let save = |path: &str, size| FoundSave {
            path: path.into(),
            name: String::new(),
            place: Place::ImportFolder,
            evidence: Evidence::Nothing,
            size,
        };
        assert_eq!(
            describe_restore(&mut sd, &save("/i/x.sav", 0), ChipKind::Eeprom8K),
            Ok("512 KiB flashcart save -> EEPROM 8 KiB, nothing lost".into())
        );
        assert_eq!(
            describe_restore(&mut sd, &save("/i/y.dsv", 0), ChipKind::Eeprom8K),
            Ok("DeSmuME .dsv (8 KiB) -> EEPROM 8 KiB, as it is".into())
        );
        let refused =
            describe_restore(&mut sd, &save("/i/x.sav", 0), ChipKind::Eeprom512B).unwrap_err();
        assert!(
            refused.starts_with("512 KiB flashcart save does not fit EEPROM 512 B"),
            "{refused}"
        );
    }
}
