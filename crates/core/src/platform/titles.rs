//! Installed titles: their SMDH (icon and names), which of them a save
//! manager lists, and where each one's save data and extdata are.
//!
//! A title id is 64 bits: the high word says what kind of title it is
//! (`0004 0000` an application, `0004 000E` its update, `0004 008C` its
//! DLC, `0004 0010` a system application, ...; 3dbrew "Titles", Title IDs),
//! the low word is the title's own number, whose bits 8..31 are the
//! "unique id" Checkpoint names folders after (`0x%05X`). Each title's SMDH
//! is the 0x36C0-byte block parsed by `keepsake_format::smdh`.
//!
//! Which titles are listed follows Checkpoint (BernardoGiordano/Checkpoint,
//! `3ds/source/loader.cpp` `TitleCatalog::validId` and
//! `3ds/source/titlequirks.cpp` `isSystemExcluded`): no updates, no DSi
//! data archives, not the instruction manuals, the Internet browser or the
//! one "garbage" title it names, and of what is left only titles whose save
//! data or extdata can be opened (`3ds/source/titleprobe.cpp` `probeCtr`).
//! Checkpoint drops DLC, system titles and download-play children by that
//! last rule, after trying to open their archives; here their category
//! drops them first, which saves two archive opens per DLC.
//!
//! Unlike Checkpoint, a title whose save archive exists but was never
//! formatted (its game was never started: FS answers 0xC8A04554) is listed,
//! as having no save data yet, so the user learns why it cannot be backed up.

use thiserror::Error;

use super::archive::{ArchiveError, ArchiveId, ArchiveKind, MediaType, SaveArchives};

/// Why the title list could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TitleError {
    /// No title with that id on that medium.
    #[error("title {title_id:016X} is not installed on {media}")]
    NotInstalled {
        /// The title asked for.
        title_id: u64,
        /// Where it was looked for.
        media: MediaType,
    },
    /// The system refused or failed the request.
    #[error("listing titles failed: {0}")]
    Failed(String),
}

/// The console's title list.
pub trait TitleList {
    /// The ids of the titles on `media`, in the system's order.
    fn titles(&mut self, media: MediaType) -> Result<Vec<u64>, TitleError>;
    /// A title's SMDH bytes.
    fn smdh(&mut self, media: MediaType, title_id: u64) -> Result<Vec<u8>, TitleError>;
    /// A DSiWare title's ROM header (at least 0x200 bytes: title at 0x00,
    /// game code at 0x0C), as for an NDS card; DSiWare has no SMDH (see
    /// [`crate::platform::dsiware`]).
    fn twl_header(&mut self, title_id: u64) -> Result<Vec<u8>, TitleError>;
    /// A DSiWare title's banner (icon, palette and titles), as for an NDS
    /// card.
    fn twl_banner(&mut self, title_id: u64) -> Result<Vec<u8>, TitleError>;
}

/// The title id's low 32 bits without the variation byte: the "unique id"
/// Checkpoint names folders after (`0x%05X`).
pub fn unique_id(title_id: u64) -> u32 {
    (title_id as u32) >> 8
}

/// What kind of title an id is, from its high word (3dbrew "Titles").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TitleCategory {
    /// `0004 0000`: a game or application.
    Application,
    /// `0004 0001`: a download-play child.
    DownloadPlayChild,
    /// `0004 0002`: a demo; demos keep save data.
    Demo,
    /// `0004 000E`: an update of an application.
    Update,
    /// `0004 008C`: downloadable content.
    Dlc,
    /// `0004 0010`: a system application (settings, camera, ...).
    SystemApplication,
    /// `0004 001B`, `0004 009B`, `0004 00DB`: system and shared data archives.
    SystemData,
    /// `0004 0030`: a system applet.
    SystemApplet,
    /// `0004 0130`, `0004 0138`: system modules and firmware.
    SystemModule,
    /// `0004 8004`: DSiWare.
    DsiWare,
    /// `0004 800F`: DSi data archives (no save data of their own).
    DsiData,
    /// `0004 8005`: DSi system applications.
    DsiSystem,
    /// Any other high word.
    Other(u32),
}

impl TitleCategory {
    /// The category of `title_id`.
    pub fn of(title_id: u64) -> TitleCategory {
        match (title_id >> 32) as u32 {
            0x0004_0000 => TitleCategory::Application,
            0x0004_0001 => TitleCategory::DownloadPlayChild,
            0x0004_0002 => TitleCategory::Demo,
            0x0004_000E => TitleCategory::Update,
            0x0004_008C => TitleCategory::Dlc,
            0x0004_0010 => TitleCategory::SystemApplication,
            0x0004_001B | 0x0004_009B | 0x0004_00DB => TitleCategory::SystemData,
            0x0004_0030 => TitleCategory::SystemApplet,
            0x0004_0130 | 0x0004_0138 => TitleCategory::SystemModule,
            0x0004_8004 => TitleCategory::DsiWare,
            0x0004_8005 => TitleCategory::DsiSystem,
            0x0004_800F => TitleCategory::DsiData,
            high => TitleCategory::Other(high),
        }
    }
}

/// Low words Checkpoint never lists, whatever their high word:
/// `3ds/source/titlequirks.cpp` `TitleQuirks::isSystemExcluded`.
const EXCLUDED_LOW_WORDS: [u32; 17] = [
    // Instruction manuals.
    0x0000_8602,
    0x0000_9202,
    0x0000_9B02,
    0x0000_A402,
    0x0000_AC02,
    0x0000_B402,
    // The Internet browser (old and New 3DS).
    0x0000_8802,
    0x0000_9402,
    0x0000_9D02,
    0x0000_A602,
    0x0000_AE02,
    0x0000_B602,
    0x2000_8802,
    0x2000_9402,
    0x2000_9D02,
    0x2000_AE02,
    // What Checkpoint calls "garbage".
    0x0002_1A00,
];

/// Whether Checkpoint considers `title_id` at all, whatever the medium:
/// not an update, not a DSi data archive, not one of the low words it
/// excludes (`TitleQuirks::isSystemExcluded`).
pub fn may_be_listed_at_all(title_id: u64) -> bool {
    !matches!(
        TitleCategory::of(title_id),
        TitleCategory::Update | TitleCategory::DsiData
    ) && !EXCLUDED_LOW_WORDS.contains(&(title_id as u32))
}

/// Whether a save manager lists `title_id` at all (before its archives are
/// tried): applications and demos, minus Checkpoint's exclusions.
pub fn may_have_save(title_id: u64) -> bool {
    matches!(
        TitleCategory::of(title_id),
        TitleCategory::Application | TitleCategory::Demo
    ) && !EXCLUDED_LOW_WORDS.contains(&(title_id as u32))
}

/// The ids on `media` that may have saves, in the system's order, each
/// once.
pub fn listable_titles(
    titles: &mut dyn TitleList,
    media: MediaType,
) -> Result<Vec<u64>, TitleError> {
    let mut ids = titles.titles(media)?;
    let mut seen = std::collections::BTreeSet::new();
    ids.retain(|&id| may_have_save(id) && seen.insert(id));
    Ok(ids)
}

/// The extdata id of a title. Usually its unique id; the versions of a few
/// games share one extdata archive, named after one of them. Table:
/// BernardoGiordano/Checkpoint `3ds/source/titlequirks.cpp`
/// `TitleQuirks::extdataIdFor` (JKSM keeps the same pairs).
pub fn extdata_id(title_id: u64) -> u32 {
    match title_id as u32 {
        // Pokémon Y uses Pokémon X's.
        0x0005_5E00 => 0x055D,
        // Pokémon Omega Ruby uses Alpha Sapphire's.
        0x0011_C400 => 0x11C5,
        // Pokémon Moon uses Sun's.
        0x0017_5E00 => 0x1648,
        // Pokémon Ultra Moon uses Ultra Sun's.
        0x001B_5100 => 0x1B50,
        // Fire Emblem Fates (Conquest, special edition), North America.
        0x0017_9600 | 0x0017_9800 => 0x1794,
        // Fire Emblem Fates (Conquest, special edition), Europe.
        0x0017_9700 | 0x0017_A800 => 0x1795,
        // Fire Emblem if (Japan).
        0x0012_DD00 | 0x0012_DE00 => 0x12DC,
        low => low >> 8,
    }
}

/// What a title's save data archive said when it was opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaveState {
    /// It opens: it can be backed up and restored.
    Present,
    /// It exists but was never formatted: the game was never started.
    NotStarted,
    /// The title has no save data archive.
    Absent,
    /// Opening it failed otherwise; the reason, in words.
    Unreadable(String),
}

/// What opening a title's archives found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveProbe {
    /// The save data.
    pub save: SaveState,
    /// Whether its extdata opens.
    pub extdata: bool,
}

impl ArchiveProbe {
    /// Whether the title belongs in the list: it has a save (even one not
    /// made yet) or extdata.
    pub fn listed(&self) -> bool {
        self.save != SaveState::Absent || self.extdata
    }
}

/// Opens (and closes) a title's save data and extdata to see which exist.
pub fn probe_archives(
    archives: &mut dyn SaveArchives,
    media: MediaType,
    title_id: u64,
) -> ArchiveProbe {
    let save_id = ArchiveId {
        kind: ArchiveKind::SaveData,
        media,
        title_id,
    };
    let save = match archives.open(save_id) {
        Ok(handle) => {
            archives.close(handle);
            SaveState::Present
        }
        Err(ArchiveError::NotFormatted(_)) => SaveState::NotStarted,
        Err(ArchiveError::NoArchive(_) | ArchiveError::NotFound { .. }) => SaveState::Absent,
        Err(e) => SaveState::Unreadable(e.to_string()),
    };
    // Extdata lives on the SD card whatever the title's medium.
    let extdata = match archives.open(ArchiveId {
        kind: ArchiveKind::ExtData,
        media,
        title_id,
    }) {
        Ok(handle) => {
            archives.close(handle);
            true
        }
        Err(_) => false,
    };
    ArchiveProbe { save, extdata }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_follow_the_high_word() {
        let cases = [
            (0x0004_0000_0005_5D00, TitleCategory::Application),
            (0x0004_000E_0005_5D00, TitleCategory::Update),
            (0x0004_008C_0005_5D00, TitleCategory::Dlc),
            (0x0004_0002_0012_3400, TitleCategory::Demo),
            (0x0004_0010_0002_0000, TitleCategory::SystemApplication),
            (0x0004_800F_484E_4841, TitleCategory::DsiData),
            (0x0004_8004_4B47_5545, TitleCategory::DsiWare),
            (0x0001_0000_0000_0000, TitleCategory::Other(0x0001_0000)),
        ];
        for (id, category) in cases {
            assert_eq!(TitleCategory::of(id), category, "{id:016X}");
        }
    }

    #[test]
    fn only_applications_and_demos_may_have_saves() {
        assert!(may_have_save(0x0004_0000_0005_5D00));
        assert!(may_have_save(0x0004_0002_0012_3400));
        assert!(!may_have_save(0x0004_000E_0005_5D00), "update");
        assert!(!may_have_save(0x0004_008C_0005_5D00), "DLC");
        assert!(!may_have_save(0x0004_0010_0002_0000), "system application");
        assert!(!may_have_save(0x0004_0030_0000_8102), "applet");
        // A manual and the browser, even under an application's high word.
        assert!(!may_have_save(0x0004_0000_0000_8602));
        assert!(!may_have_save(0x0004_0000_2000_8802));
    }

    #[test]
    fn shared_extdata_ids_come_from_the_table() {
        // Pokémon X 0x55D00 and Y 0x55E00 share X's 0x55D.
        assert_eq!(extdata_id(0x0004_0000_0005_5D00), 0x55D);
        assert_eq!(extdata_id(0x0004_0000_0005_5E00), 0x55D);
        // Alpha Sapphire 0x11C500 / Omega Ruby 0x11C400.
        assert_eq!(extdata_id(0x0004_0000_0011_C500), 0x11C5);
        assert_eq!(extdata_id(0x0004_0000_0011_C400), 0x11C5);
        // Sun 0x164800 / Moon 0x175E00.
        assert_eq!(extdata_id(0x0004_0000_0016_4800), 0x1648);
        assert_eq!(extdata_id(0x0004_0000_0017_5E00), 0x1648);
        // Ultra Sun 0x1B5000 / Ultra Moon 0x1B5100.
        assert_eq!(extdata_id(0x0004_0000_001B_5000), 0x1B50);
        assert_eq!(extdata_id(0x0004_0000_001B_5100), 0x1B50);
        // Fire Emblem Fates: the special editions use the Conquest ids.
        assert_eq!(extdata_id(0x0004_0000_0017_9800), 0x1794);
        assert_eq!(extdata_id(0x0004_0000_0017_A800), 0x1795);
        assert_eq!(extdata_id(0x0004_0000_0012_DE00), 0x12DC);
        // Everyone else: the unique id.
        assert_eq!(extdata_id(0x0004_0000_0003_0800), 0x308);
        assert_eq!(
            extdata_id(0x0004_0000_0003_0800),
            unique_id(0x0004_0000_0003_0800)
        );
    }
}
