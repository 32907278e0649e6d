//! Reading the installed titles a step at a time: the list once (filtered
//! and without duplicates, see [`crate::platform::titles`]), then per step
//! one title's archives and SMDH. The console spends tens of milliseconds
//! per title, so a frame runs a few steps and the list shown meanwhile is
//! the cached one ([`super::title_cache`]).

use keepsake_format::smdh::{Language, Smdh};

use crate::platform::titles::{SaveState, listable_titles, probe_archives};
use crate::platform::{
    GbaVcId, GbaVcProbe, GbaVcSaves, MediaType, SaveArchives, TitleError, TitleList, probe_gba_vc,
};
use crate::store::title_cache::{ICON_BYTES, TitleRecord};

/// A scan of one medium's titles.
#[derive(Debug)]
pub struct TitleScan {
    media: MediaType,
    pending: Vec<u64>,
    next: usize,
    records: Vec<TitleRecord>,
}

impl TitleScan {
    /// Lists the titles on `media`; a listing that fails is the caller's
    /// to report (an empty list would say "no titles", which is untrue).
    pub fn start(titles: &mut dyn TitleList, media: MediaType) -> Result<TitleScan, TitleError> {
        let pending = listable_titles(titles, media)?;
        Ok(TitleScan {
            media,
            records: Vec::with_capacity(pending.len()),
            pending,
            next: 0,
        })
    }

    /// Looks at one more title; `true` once every title was looked at.
    pub fn step(
        &mut self,
        titles: &mut dyn TitleList,
        archives: &mut dyn SaveArchives,
        gba_vc: &mut dyn GbaVcSaves,
    ) -> bool {
        let Some(&title_id) = self.pending.get(self.next) else {
            return true;
        };
        self.next += 1;
        let probe = probe_archives(archives, self.media, title_id);
        let id = GbaVcId {
            title_id,
            media: self.media,
        };
        // Checkpoint asks every title whose own save cannot be opened
        // (`titleprobe.cpp`: `!accessibleSave && rawGba(...)`), not only
        // those without a save archive: what FS answers for a GBA VC
        // title's user save is not known here. A title whose 3DS save
        // exists but was never started stays a 3DS title when GBA saves
        // cannot be reached, with its own words ("start the game once").
        let mut gba = probe_gba_vc(gba_vc, probe.save == SaveState::Present, id);
        if probe.save != SaveState::Absent && matches!(gba, GbaVcProbe::CannotTell(_)) {
            gba = GbaVcProbe::No;
        }
        if probe.listed() || gba.listed() {
            // A title whose SMDH cannot be read is left out, as Checkpoint
            // does (`titleprobe.cpp`: smdh == NULL).
            if let Ok(smdh) = titles.smdh(self.media, title_id) {
                let parsed = Smdh::parse(&smdh).ok();
                let (name, publisher) = parsed.as_ref().map_or_else(Default::default, |s| {
                    (
                        s.short_title(Language::English),
                        s.titles(Language::English).publisher,
                    )
                });
                let icon = parsed
                    .as_ref()
                    .map(|s| s.large_icon().to_vec())
                    .filter(|icon| icon.len() == ICON_BYTES);
                self.records.push(TitleRecord {
                    title_id,
                    media: self.media,
                    save: probe.save,
                    extdata: probe.extdata,
                    gba,
                    name,
                    publisher,
                    icon,
                });
            }
        }
        self.is_done()
    }

    /// Whether every title was looked at.
    pub fn is_done(&self) -> bool {
        self.next >= self.pending.len()
    }

    /// How many titles are left to look at.
    pub fn remaining(&self) -> usize {
        self.pending.len() - self.next
    }

    /// The titles found, in the system's order.
    pub fn into_records(self) -> Vec<TitleRecord> {
        self.records
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::titles::SaveState;
    use crate::sim::SimConsole;
    use crate::sim::titles::{CATALOGUE, install_catalogue};

    fn scan(console: &mut SimConsole) -> Result<Vec<TitleRecord>, TitleError> {
        let mut scan = TitleScan::start(&mut console.titles, MediaType::Sd)?;
        let mut steps = 0;
        while !scan.step(
            &mut console.titles,
            &mut console.archives,
            &mut console.gba_vc,
        ) {
            steps += 1;
            assert!(steps < 1000);
        }
        Ok(scan.into_records())
    }

    #[test]
    fn every_category_is_listed_or_not_as_checkpoint_does() {
        let mut console = SimConsole::new();
        install_catalogue(&mut console.titles, &mut console.archives);
        // AM answering one title twice does not list it twice.
        console
            .titles
            .list_twice(MediaType::Sd, 0x0004_0000_0005_5D00);
        let records = scan(&mut console).unwrap();
        let listed: Vec<u64> = records.iter().map(|r| r.title_id).collect();
        let mut expected: Vec<u64> = CATALOGUE
            .iter()
            .filter(|t| t.listed)
            .map(|t| t.title_id)
            .collect();
        expected.sort_unstable();
        let mut sorted = listed.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, expected);
        // The four listed, by id: Animal Crossing (extdata only), Pokémon X
        // (save), Pokémon Y (never started), the demo.
        assert_eq!(
            sorted,
            [
                0x0004_0000_0003_0800,
                0x0004_0000_0005_5D00,
                0x0004_0000_0005_5E00,
                0x0004_0002_0012_3400
            ]
        );
        let state = |id| {
            records
                .iter()
                .find(|r| r.title_id == id)
                .map(|r| (r.save.clone(), r.extdata))
                .unwrap()
        };
        assert_eq!(state(0x0004_0000_0005_5E00), (SaveState::NotStarted, false));
        assert_eq!(state(0x0004_0000_0003_0800), (SaveState::Absent, true));
        assert_eq!(state(0x0004_0000_0005_5D00), (SaveState::Present, false));
        let y = records
            .iter()
            .find(|r| r.title_id == 0x0004_0000_0005_5E00)
            .unwrap();
        assert_eq!(y.name, "Pokémon Y");
    }

    #[test]
    fn a_title_without_save_data_is_listed_when_it_is_a_gba_vc_title() {
        let mut console = SimConsole::new();
        let (saved, blank, plain) = (
            0x0004_0000_00AB_CD00,
            0x0004_0000_00AB_CE00,
            0x0004_0000_00AB_CF00,
        );
        for id in [saved, blank, plain] {
            console.titles.install(
                MediaType::Sd,
                id,
                keepsake_format::smdh::build("G", "G", "N"),
            );
        }
        // A container whose top slot saved once (magic, 0x200 at 0x50,
        // 512 at 0x54, as 3dbrew lays a slot header out).
        let mut container = vec![0xFF; 2 * (0x200 + 512)];
        container[..4].copy_from_slice(b".SAV");
        container[0x50..0x54].copy_from_slice(&0x200u32.to_le_bytes());
        container[0x54..0x58].copy_from_slice(&512u32.to_le_bytes());
        console.gba_vc.insert(saved, MediaType::Sd, container);
        console
            .gba_vc
            .insert_never_saved(blank, MediaType::Sd, 8192);
        let records = scan(&mut console).unwrap();
        let found: Vec<(u64, GbaVcProbe)> = records
            .iter()
            .map(|r| (r.title_id, r.gba.clone()))
            .collect();
        // The title with neither save data nor a GBA save is not listed.
        assert_eq!(
            found,
            [(saved, GbaVcProbe::Yes), (blank, GbaVcProbe::NeverSaved)]
        );
        assert!(records.iter().all(|r| r.save == SaveState::Absent));

        // Without Luma3DS no title can be told apart: each is listed with
        // the reason.
        console.gba_vc.make_unavailable("they need Luma3DS");
        let records = scan(&mut console).unwrap();
        assert_eq!(records.len(), 3);
        assert!(
            records
                .iter()
                .all(|r| r.gba == GbaVcProbe::CannotTell("they need Luma3DS".into())),
            "{records:?}"
        );
    }

    #[test]
    fn a_gba_vc_title_whose_3ds_save_is_not_formatted_is_still_found() {
        use crate::platform::{ArchiveId, ArchiveKind};
        let mut console = SimConsole::new();
        let (gba, game) = (0x0004_0000_00AB_CD00, 0x0004_0000_00AB_CE00);
        for id in [gba, game] {
            console.titles.install(
                MediaType::Sd,
                id,
                keepsake_format::smdh::build("G", "G", "N"),
            );
            // Both answer "not formatted" (FS 0xC8A04554) for their save.
            console.archives.insert_unformatted(ArchiveId {
                kind: ArchiveKind::SaveData,
                media: MediaType::Sd,
                title_id: id,
            });
        }
        console.gba_vc.insert_never_saved(gba, MediaType::Sd, 8192);
        let records = scan(&mut console).unwrap();
        let found: Vec<(u64, SaveState, GbaVcProbe)> = records
            .iter()
            .map(|r| (r.title_id, r.save.clone(), r.gba.clone()))
            .collect();
        assert_eq!(
            found,
            [
                (gba, SaveState::NotStarted, GbaVcProbe::NeverSaved),
                (game, SaveState::NotStarted, GbaVcProbe::No),
            ]
        );
        // Without Luma3DS, the game never started stays a 3DS title.
        console.gba_vc.make_unavailable("they need Luma3DS");
        let records = scan(&mut console).unwrap();
        assert!(
            records.iter().all(|r| r.gba == GbaVcProbe::No),
            "{records:?}"
        );
    }

    #[test]
    fn a_failed_listing_is_an_error_not_an_empty_list() {
        let mut console = SimConsole::new();
        install_catalogue(&mut console.titles, &mut console.archives);
        console
            .titles
            .fail_listing(Some("AM_GetTitleList: 0xD8E0806A"));
        assert_eq!(
            scan(&mut console),
            Err(TitleError::Failed("AM_GetTitleList: 0xD8E0806A".into()))
        );
    }

    #[test]
    fn the_versions_sharing_extdata_both_see_it() {
        use crate::platform::{ArchiveId, ArchiveKind};
        use crate::sim::MemTree;
        let mut console = SimConsole::new();
        let mut tree = MemTree::new();
        tree.write("/data", b"shared").unwrap();
        // Pokémon X's extdata; Pokémon Y (0x55E00) has none of its own.
        console.archives.insert(
            ArchiveId {
                kind: ArchiveKind::ExtData,
                media: MediaType::Sd,
                title_id: 0x0004_0000_0005_5D00,
            },
            tree,
        );
        for (id, name) in [
            (0x0004_0000_0005_5D00, "Pokémon X"),
            (0x0004_0000_0005_5E00, "Pokémon Y"),
        ] {
            console.titles.install(
                MediaType::Sd,
                id,
                keepsake_format::smdh::build(name, name, "Nintendo"),
            );
        }
        let records = scan(&mut console).unwrap();
        assert_eq!(records.len(), 2);
        assert!(records.iter().all(|r| r.extdata), "{records:?}");
    }
}
