//! A restore (or erase) that did not finish, found at start-up from the
//! restore journal (see [`crate::store::journal`]), and the way back: a
//! restore of the automatic backup the journal names, itself journaled with
//! that same automatic backup as its way back, so that cutting the put-back
//! short still leads to the save as it was before the first restore.
//!
//! It stays until it is resolved: the put-back finishes (its job removes the
//! journal) or the user keeps the save as it is.

use thiserror::Error;

use crate::jobs::{CtrRestoreJob, GbaRestoreJob, NdsRestoreJob};
use crate::nds_card::InsertedNds;
use crate::platform::{GbaVcId, MediaType, SdCard};
use crate::store::journal::{self, Journal, JournalSave, Media, WayBack, WayBackCheck};
use crate::store::{BackupEntry, BackupSource, StoreError};

/// Reads of the automatic backup one [`Unfinished::step_check`] makes at
/// most: each opens a file on the console, a few milliseconds.
pub const MAX_READS_PER_CALL: usize = 16;

/// An unfinished restore and whether its automatic backup can undo it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unfinished {
    /// The journal the job left.
    pub journal: Journal,
    /// The state of the automatic backup it names ([`WayBack::Checking`]
    /// until [`Unfinished::step_check`] has read all of it).
    pub way_back: WayBack,
    /// The check under way, read a chunk per step.
    check: Option<WayBackCheck>,
}

/// Why the automatic backup cannot be put back now.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PutBackRefused {
    /// The automatic backup is gone.
    #[error("the automatic backup {0} is no longer on the SD card")]
    Missing(String),
    /// The automatic backup is not what was written.
    #[error("the automatic backup {folder} is damaged: {file}: {problem}")]
    Damaged {
        /// The folder.
        folder: String,
        /// The file.
        file: String,
        /// What is wrong.
        problem: String,
    },
    /// The cartridge is not in the slot (or another one is).
    #[error("the cartridge {name} is not in the slot")]
    CartridgeMissing {
        /// The game, as people know it (`MOSS KNIGHT (AMKE)`).
        name: String,
    },
    /// The automatic backup is still being read and checked.
    #[error("the automatic backup {0} is still being checked")]
    StillChecking(String),
    /// The journal names an NDS card but a 3DS job was asked for, or the
    /// other way round.
    #[error("the record is about another kind of save")]
    WrongKind,
}

impl Unfinished {
    /// Reads the journal, if a job left one, and starts checking its way
    /// back; no file of the automatic backup is read yet (see
    /// [`Unfinished::step_check`]).
    pub fn find(sd: &mut dyn SdCard) -> Result<Option<Self>, StoreError> {
        let Some(journal) = journal::read(sd)? else {
            return Ok(None);
        };
        let (way_back, check) = match WayBackCheck::start(sd, &journal) {
            Ok(check) => (check.state(), Some(check)),
            Err(decided) => (decided, None),
        };
        Ok(Some(Self {
            journal,
            way_back,
            check,
        }))
    }

    /// Reads on in the automatic backup until about `budget` bytes more
    /// were checked (a few small files cost a read each, so at most
    /// [`MAX_READS_PER_CALL`] reads); whether the check is still under way
    /// afterwards.
    pub fn step_check(&mut self, sd: &mut dyn SdCard, budget: u64) -> bool {
        let Some(check) = &mut self.check else {
            return false;
        };
        let start = check.checked();
        for _ in 0..MAX_READS_PER_CALL {
            if let Some(decided) = check.step(sd, &self.journal) {
                self.way_back = decided;
                self.check = None;
                return false;
            }
            if check.checked() - start >= budget {
                break;
            }
        }
        self.way_back = check.state();
        true
    }

    /// Checks the rest of the automatic backup in one go (for callers that
    /// need not draw meanwhile).
    pub fn finish_check(&mut self, sd: &mut dyn SdCard) {
        while self.step_check(sd, u64::MAX) {}
    }

    /// Whether the automatic backup is still being checked.
    pub fn checking(&self) -> bool {
        self.check.is_some()
    }

    /// The user keeps the save as it is: the journal goes (the automatic
    /// backup stays among the title's backups).
    pub fn keep_as_is(sd: &mut dyn SdCard) -> Result<(), StoreError> {
        journal::clear(sd)
    }

    /// The folder the automatic backup is in, where the put-back's own
    /// automatic backup goes too.
    pub fn title_dir(&self) -> &str {
        let auto = &self.journal.automatic_backup;
        auto.rfind('/').map_or(auto.as_str(), |i| &auto[..i])
    }

    fn way_back_entry(&self) -> Result<BackupEntry, PutBackRefused> {
        let folder = self.journal.automatic_backup.clone();
        match &self.way_back {
            WayBack::Intact => Ok(BackupEntry {
                name: folder.rsplit('/').next().unwrap_or(&folder).to_owned(),
                path: folder,
                source: BackupSource::Folder,
            }),
            WayBack::Missing => Err(PutBackRefused::Missing(folder)),
            WayBack::Checking { .. } => Err(PutBackRefused::StillChecking(folder)),
            WayBack::Damaged { file, problem } => Err(PutBackRefused::Damaged {
                folder,
                file: file.clone(),
                problem: problem.clone(),
            }),
        }
    }

    /// The job that puts the automatic backup back on `card`.
    pub fn nds_put_back(
        &self,
        card: Option<&InsertedNds>,
    ) -> Result<NdsRestoreJob, PutBackRefused> {
        let JournalSave::NdsCard {
            game_code,
            header_title,
        } = &self.journal.save
        else {
            return Err(PutBackRefused::WrongKind);
        };
        let entry = self.way_back_entry()?;
        match card {
            Some(card) if &card.game_code == game_code && &card.header_title == header_title => Ok(
                NdsRestoreJob::restore(card.clone(), self.title_dir(), entry)
                    .keeping_way_back(&self.journal),
            ),
            _ => Err(PutBackRefused::CartridgeMissing {
                name: format!("{header_title} ({game_code})"),
            }),
        }
    }

    /// The job that puts the automatic backup back into a GBA VC title's
    /// save.
    pub fn gba_put_back(&self) -> Result<GbaRestoreJob, PutBackRefused> {
        let JournalSave::GbaVc {
            title_id, media, ..
        } = &self.journal.save
        else {
            return Err(PutBackRefused::WrongKind);
        };
        let id = GbaVcId {
            title_id: *title_id,
            media: match media {
                Media::Sd => MediaType::Sd,
                Media::Card => MediaType::Card,
                Media::Nand => MediaType::Nand,
            },
        };
        let entry = self.way_back_entry()?;
        Ok(GbaRestoreJob::new(id, self.title_dir(), entry).keeping_way_back(&self.journal))
    }

    /// The job that puts the automatic backup back into the 3DS archive;
    /// `card_in_slot` is the title id of the 3DS card in the slot, if any.
    pub fn ctr_put_back(&self, card_in_slot: Option<u64>) -> Result<CtrRestoreJob, PutBackRefused> {
        let archive = self
            .journal
            .save
            .archive()
            .ok_or(PutBackRefused::WrongKind)?;
        let entry = self.way_back_entry()?;
        if archive.media == MediaType::Card && card_in_slot != Some(archive.title_id) {
            return Err(PutBackRefused::CartridgeMissing {
                name: self.journal.save.name().to_owned(),
            });
        }
        Ok(CtrRestoreJob::new(archive, self.title_dir(), entry).keeping_way_back(&self.journal))
    }
}
