//! Finding the console's own data a step at a time, when the user asked for
//! it (the `nand_saves` setting): the NAND titles once, then per step one
//! title's system save and SpotPass extdata, or one shared extdata id.
//!
//! What is listed follows [`crate::platform::system_data`]: a NAND title
//! with an SMDH whose system save opens (as Checkpoint lists it), the same
//! title's SpotPass extdata when it opens (as JKSM does), and each of the
//! seven shared extdata ids that opens. An archive that does not open is
//! left out, as both tools leave it out: there is nothing to back up.

use keepsake_format::smdh::{Language, Smdh};

use crate::platform::system_data::{
    SHARED_EXTDATA, SharedExtdata, may_have_system_save, shared_extdata_title_id,
};
use crate::platform::{ArchiveId, ArchiveKind, MediaType, SaveArchives, TitleError, TitleList};
use crate::store::title_cache::ICON_BYTES;

/// One archive of the console's own data, as the list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemRecord {
    /// The archive.
    pub archive: ArchiveId,
    /// The title's short name, or the shared extdata's plain name.
    pub name: String,
    /// The publisher, or empty.
    pub publisher: String,
    /// The SMDH's 48x48 icon, tiled RGB565 ([`ICON_BYTES`] bytes).
    pub icon: Option<Vec<u8>>,
}

#[derive(Debug, Clone, Copy)]
enum Pending {
    Title(u64),
    Shared(SharedExtdata),
}

/// A scan of the console's own data.
#[derive(Debug)]
pub struct SystemScan {
    pending: Vec<Pending>,
    next: usize,
    records: Vec<SystemRecord>,
}

/// Whether `id` opens (and closes it again).
fn opens(archives: &mut dyn SaveArchives, id: ArchiveId) -> bool {
    match archives.open(id) {
        Ok(handle) => {
            archives.close(handle);
            true
        }
        Err(_) => false,
    }
}

impl SystemScan {
    /// Lists the NAND titles; a listing that fails is the caller's to
    /// report.
    pub fn start(titles: &mut dyn TitleList) -> Result<SystemScan, TitleError> {
        let mut seen = std::collections::BTreeSet::new();
        let mut pending: Vec<Pending> = titles
            .titles(MediaType::Nand)?
            .into_iter()
            .filter(|&id| may_have_system_save(id) && seen.insert(id))
            .map(Pending::Title)
            .collect();
        pending.extend(SHARED_EXTDATA.iter().copied().map(Pending::Shared));
        Ok(SystemScan {
            pending,
            next: 0,
            records: Vec::new(),
        })
    }

    /// Looks at one more title or shared id; `true` once all were seen.
    pub fn step(&mut self, titles: &mut dyn TitleList, archives: &mut dyn SaveArchives) -> bool {
        let Some(&pending) = self.pending.get(self.next) else {
            return true;
        };
        self.next += 1;
        match pending {
            Pending::Title(title_id) => self.look_at_title(titles, archives, title_id),
            Pending::Shared(shared) => {
                let archive = ArchiveId {
                    kind: ArchiveKind::SharedExtData,
                    media: MediaType::Nand,
                    title_id: shared_extdata_title_id(shared.id),
                };
                if opens(archives, archive) {
                    self.records.push(SystemRecord {
                        archive,
                        name: shared.name.to_owned(),
                        publisher: String::new(),
                        icon: None,
                    });
                }
            }
        }
        self.is_done()
    }

    fn look_at_title(
        &mut self,
        titles: &mut dyn TitleList,
        archives: &mut dyn SaveArchives,
        title_id: u64,
    ) {
        // Checkpoint leaves out a title without an SMDH (system modules
        // have none): `titleprobe.cpp`, smdh == NULL.
        let Ok(smdh) = titles.smdh(MediaType::Nand, title_id) else {
            return;
        };
        let Ok(parsed) = Smdh::parse(&smdh) else {
            return;
        };
        let name = parsed.short_title(Language::English);
        if name.is_empty() {
            return;
        }
        let publisher = parsed.titles(Language::English).publisher;
        let icon = Some(parsed.large_icon().to_vec()).filter(|icon| icon.len() == ICON_BYTES);
        for kind in [ArchiveKind::SaveData, ArchiveKind::BossExtData] {
            let archive = ArchiveId {
                kind,
                media: MediaType::Nand,
                title_id,
            };
            if opens(archives, archive) {
                self.records.push(SystemRecord {
                    archive,
                    name: name.clone(),
                    publisher: publisher.clone(),
                    icon: icon.clone(),
                });
            }
        }
    }

    /// Whether everything was looked at.
    pub fn is_done(&self) -> bool {
        self.next >= self.pending.len()
    }

    /// The archives found: titles in the system's order, then the shared
    /// extdata in the table's.
    pub fn into_records(self) -> Vec<SystemRecord> {
        self.records
    }
}
