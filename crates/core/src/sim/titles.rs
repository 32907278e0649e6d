//! The simulated title list: title ids with their SMDH bytes, per medium.
//!
//! AM lists every installed title, whatever its kind: updates, DLC, system
//! applications and the manuals sit beside the games, and a listing can
//! fail. [`SimTitles::fail_listing`] and [`SimTitles::list_twice`] make it
//! do what the console can, and [`install_catalogue`] installs one title
//! of every kind a console holds, with the archives each kind has.

use std::collections::BTreeMap;

use keepsake_format::smdh;

use crate::platform::{ArchiveId, ArchiveKind, MediaType, TitleError, TitleList};
use crate::sim::archives::SimArchives;
use crate::sim::tree::MemTree;

/// Installed titles.
#[derive(Debug, Default)]
pub struct SimTitles {
    titles: BTreeMap<(MediaType, u64), Vec<u8>>,
    listing_fails: Option<String>,
    listed_twice: Vec<(MediaType, u64)>,
    listings: u64,
    smdh_reads: u64,
    /// DSiWare titles' ROM headers and banners (see `sim/dsiware.rs`).
    pub(super) twl: BTreeMap<u64, (Vec<u8>, Vec<u8>)>,
}

impl SimTitles {
    /// No titles.
    pub fn new() -> Self {
        Self::default()
    }

    /// Installs a title with its SMDH.
    pub fn install(&mut self, media: MediaType, title_id: u64, smdh: Vec<u8>) {
        self.titles.insert((media, title_id), smdh);
    }

    /// Removes a title (the card's, when it is ejected).
    pub fn remove(&mut self, media: MediaType, title_id: u64) {
        self.titles.remove(&(media, title_id));
    }

    /// Makes every later listing fail with `reason` (`None`: work again).
    pub fn fail_listing(&mut self, reason: Option<&str>) {
        self.listing_fails = reason.map(str::to_owned);
    }

    /// Lists an installed title a second time at the end of the list.
    pub fn list_twice(&mut self, media: MediaType, title_id: u64) {
        self.listed_twice.push((media, title_id));
    }

    /// How many times the list was asked for.
    pub fn listings(&self) -> u64 {
        self.listings
    }

    /// How many SMDHs were read (each one a file read on the console).
    pub fn smdh_reads(&self) -> u64 {
        self.smdh_reads
    }
}

impl TitleList for SimTitles {
    fn titles(&mut self, media: MediaType) -> Result<Vec<u64>, TitleError> {
        self.listings += 1;
        if let Some(reason) = &self.listing_fails {
            return Err(TitleError::Failed(reason.clone()));
        }
        let mut ids: Vec<u64> = self
            .titles
            .keys()
            .filter(|(m, _)| *m == media)
            .map(|&(_, id)| id)
            .collect();
        ids.extend(
            self.listed_twice
                .iter()
                .filter(|(m, id)| *m == media && self.titles.contains_key(&(*m, *id)))
                .map(|&(_, id)| id),
        );
        Ok(ids)
    }

    fn smdh(&mut self, media: MediaType, title_id: u64) -> Result<Vec<u8>, TitleError> {
        self.smdh_reads += 1;
        self.titles
            .get(&(media, title_id))
            .cloned()
            .ok_or(TitleError::NotInstalled { title_id, media })
    }

    fn twl_header(&mut self, title_id: u64) -> Result<Vec<u8>, TitleError> {
        self.twl
            .get(&title_id)
            .map(|(header, _)| header.clone())
            .ok_or(TitleError::NotInstalled {
                title_id,
                media: MediaType::Nand,
            })
    }

    fn twl_banner(&mut self, title_id: u64) -> Result<Vec<u8>, TitleError> {
        self.twl
            .get(&title_id)
            .map(|(_, banner)| banner.clone())
            .ok_or(TitleError::NotInstalled {
                title_id,
                media: MediaType::Nand,
            })
    }
}

/// What a catalogue title has, and so whether a save manager lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holds {
    /// A formatted save archive with a file.
    Save,
    /// A save archive never formatted: the game was never started.
    UnformattedSave,
    /// Only extdata.
    ExtDataOnly,
    /// Nothing a save manager handles.
    Nothing,
}

/// One title of [`install_catalogue`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CatalogueTitle {
    /// Its id.
    pub title_id: u64,
    /// Its name.
    pub name: &'static str,
    /// What it holds.
    pub holds: Holds,
    /// Whether a save manager lists it (Checkpoint's rules, plus the
    /// never-started game, listed as such).
    pub listed: bool,
}

/// One title of every kind found on a console's SD card. The ids are real
/// ones (3dbrew "Titles" for the system ones).
pub const CATALOGUE: [CatalogueTitle; 12] = [
    CatalogueTitle {
        title_id: 0x0004_0000_0005_5D00,
        name: "Pokémon X",
        holds: Holds::Save,
        listed: true,
    },
    CatalogueTitle {
        title_id: 0x0004_0000_0005_5E00,
        name: "Pokémon Y",
        holds: Holds::UnformattedSave,
        listed: true,
    },
    CatalogueTitle {
        title_id: 0x0004_0000_0003_0800,
        name: "Animal Crossing",
        holds: Holds::ExtDataOnly,
        listed: true,
    },
    CatalogueTitle {
        title_id: 0x0004_0002_0012_3400,
        name: "A Demo",
        holds: Holds::Save,
        listed: true,
    },
    CatalogueTitle {
        title_id: 0x0004_0000_0012_3500,
        name: "A Tool Without Saves",
        holds: Holds::Nothing,
        listed: false,
    },
    CatalogueTitle {
        title_id: 0x0004_000E_0005_5D00,
        name: "Pokémon X Update",
        holds: Holds::Nothing,
        listed: false,
    },
    CatalogueTitle {
        title_id: 0x0004_008C_0005_5D00,
        name: "Pokémon X DLC",
        holds: Holds::Save,
        listed: false,
    },
    CatalogueTitle {
        title_id: 0x0004_0010_0002_0000,
        name: "System Settings",
        holds: Holds::Save,
        listed: false,
    },
    CatalogueTitle {
        title_id: 0x0004_0000_0000_8602,
        name: "Instruction Manual",
        holds: Holds::Save,
        listed: false,
    },
    CatalogueTitle {
        title_id: 0x0004_0000_2000_8802,
        name: "Internet Browser",
        holds: Holds::Save,
        listed: false,
    },
    CatalogueTitle {
        title_id: 0x0004_800F_484E_4841,
        name: "DSi Data",
        holds: Holds::Nothing,
        listed: false,
    },
    CatalogueTitle {
        title_id: 0x0004_0001_000A_0000,
        name: "Download Play Child",
        holds: Holds::Save,
        listed: false,
    },
];

/// Installs [`CATALOGUE`] on the SD card with the archives each holds; a
/// system title that "holds" a save gets one too, so only its category
/// keeps it out of the list.
pub fn install_catalogue(titles: &mut SimTitles, archives: &mut SimArchives) {
    for title in CATALOGUE {
        titles.install(
            MediaType::Sd,
            title.title_id,
            smdh::build(title.name, title.name, "Catalogue"),
        );
        let archive = |kind| ArchiveId {
            kind,
            media: MediaType::Sd,
            title_id: title.title_id,
        };
        match title.holds {
            Holds::Save => {
                let mut tree = MemTree::new();
                tree.write("/main", title.name.as_bytes())
                    .expect("a root file");
                archives.insert(archive(ArchiveKind::SaveData), tree);
            }
            Holds::UnformattedSave => archives.insert_unformatted(archive(ArchiveKind::SaveData)),
            Holds::ExtDataOnly => {
                let mut tree = MemTree::new();
                tree.write("/00000001", b"town").expect("a root file");
                archives.insert(archive(ArchiveKind::ExtData), tree);
            }
            Holds::Nothing => {}
        }
    }
}
