//! The app model's side of an unfinished restore (see
//! [`crate::app::unfinished`]): what its screen says, and putting the
//! automatic backup back or keeping the save as it is.

use super::console_model::{ConsoleModel, Slot};
use super::running_job::RunningJob;
use crate::app::{PutBackRefused, Unfinished};
use crate::platform::Console;
use crate::store::journal::{JournalSave, Kind, Media, Operation, WayBack};
use crate::ui::model::{Refusal, TitleKey, UnfinishedInfo};

/// The list's key of the title a journal is about.
pub(crate) fn title_key(save: &JournalSave) -> TitleKey {
    match save {
        JournalSave::NdsCard { game_code, .. } => TitleKey(format!("nds:{game_code}")),
        JournalSave::Title {
            title_id,
            kind: Kind::DsiwareSave,
            ..
        } => super::dsiware::dsiware_key(*title_id),
        JournalSave::Title {
            title_id,
            media: Media::Nand,
            kind,
            ..
        } => super::system::system_key(crate::platform::ArchiveId {
            kind: match kind {
                Kind::SharedExtdata => crate::platform::ArchiveKind::SharedExtData,
                Kind::BossExtdata => crate::platform::ArchiveKind::BossExtData,
                Kind::SaveData => crate::platform::ArchiveKind::SaveData,
                Kind::Extdata => crate::platform::ArchiveKind::ExtData,
                Kind::DsiwareSave => crate::platform::ArchiveKind::DsiWareSave,
            },
            media: crate::platform::MediaType::Nand,
            title_id: *title_id,
        }),
        JournalSave::Title {
            title_id, media, ..
        }
        | JournalSave::GbaVc {
            title_id, media, ..
        } => {
            let media = match media {
                Media::Sd => "sd",
                Media::Card => "card",
                Media::Nand => "nand",
            };
            TitleKey(format!("ctr:{media}:{title_id:016X}"))
        }
    }
}

/// What the job was writing, as the screen names it.
fn what_was_written(save: &JournalSave) -> &'static str {
    match save {
        JournalSave::NdsCard { .. } => "the cartridge's save",
        JournalSave::Title {
            kind: Kind::Extdata | Kind::SharedExtdata | Kind::BossExtdata,
            ..
        } => "its extra data",
        JournalSave::Title {
            kind: Kind::DsiwareSave,
            ..
        } => "its DSiWare save",
        JournalSave::Title {
            media: Media::Nand, ..
        } => "its system save data",
        JournalSave::Title {
            media: Media::Card, ..
        } => "the cartridge's save data",
        JournalSave::Title { .. } => "its save data",
        JournalSave::GbaVc { .. } => "its GBA save",
    }
}

/// Why putting back is not offered, as the screen says it beside what it
/// already shows (the automatic backup's path and state are above).
fn screen_refusal(e: &PutBackRefused) -> Refusal {
    match e {
        PutBackRefused::CartridgeMissing { name } => Refusal {
            reason: format!("The cartridge {name} is not in the slot."),
            advice: "Insert it to put its save back.".into(),
        },
        PutBackRefused::StillChecking(_) => Refusal {
            reason: "Keepsake is still reading the automatic backup.".into(),
            advice: "It can be put back once it has been checked.".into(),
        },
        PutBackRefused::Missing(_) | PutBackRefused::Damaged { .. } | PutBackRefused::WrongKind => {
            Refusal {
                reason: "Keepsake cannot put this save back.".into(),
                advice: "Another backup of this game can be restored once this is resolved.".into(),
            }
        }
    }
}

fn refusal(e: &PutBackRefused) -> Refusal {
    let advice = match e {
        PutBackRefused::CartridgeMissing { .. } => "Insert it to put its save back.",
        PutBackRefused::StillChecking(_) => "Wait a moment, then try again.",
        PutBackRefused::Missing(_) | PutBackRefused::Damaged { .. } | PutBackRefused::WrongKind => {
            "Restore another backup of this game, or keep the save as it is."
        }
    };
    let reason = e.to_string();
    let mut chars = reason.chars();
    let reason = match chars.next() {
        Some(first) => format!("{}{}.", first.to_uppercase(), chars.as_str()),
        None => reason,
    };
    Refusal {
        reason,
        advice: advice.into(),
    }
}

impl<C: Console> ConsoleModel<C> {
    fn title_name_of(&self, unfinished: &Unfinished) -> String {
        let key = title_key(&unfinished.journal.save);
        self.titles
            .iter()
            .find(|t| t.key == key)
            .map(|t| t.name.clone())
            .filter(|name| !name.is_empty())
            .unwrap_or_else(|| unfinished.journal.save.name().to_owned())
    }

    /// The job that would put the automatic backup back, or why it cannot.
    fn put_back_job(&self, unfinished: &Unfinished) -> Result<RunningJob, PutBackRefused> {
        match &unfinished.journal.save {
            JournalSave::NdsCard { .. } => {
                let card = match &self.slot {
                    Slot::Nds(card) => Some(card),
                    _ => None,
                };
                let job = unfinished.nds_put_back(card)?;
                Ok(RunningJob::NdsRestore { job })
            }
            // Through the GBA restore, which signs the slot again.
            JournalSave::GbaVc { .. } => Ok(RunningJob::GbaRestore {
                job: unfinished.gba_put_back()?,
            }),
            JournalSave::Title { .. } => {
                let card = match self.slot {
                    Slot::Ctr { title_id, .. } => Some(title_id),
                    _ => None,
                };
                Ok(RunningJob::CtrRestore {
                    job: unfinished.ctr_put_back(card)?,
                })
            }
        }
    }

    /// The line the browsing screens keep while it is unresolved.
    pub(crate) fn unfinished_warning(&self, unfinished: &Unfinished) -> String {
        format!(
            "The last restore of {} did not finish: open the title to put its save back.",
            self.title_name_of(unfinished)
        )
    }

    pub(crate) fn unfinished_info(&self) -> Option<UnfinishedInfo> {
        let unfinished = self.unfinished.as_ref()?;
        let journal = &unfinished.journal;
        let name = self.title_name_of(unfinished);
        let what = what_was_written(&journal.save);
        let backup = journal
            .backup
            .as_deref()
            .map(|path| path.rsplit('/').next().unwrap_or(path));
        let (headline, first) = match journal.operation {
            Operation::Restore => (
                format!("The restore of {name} did not finish"),
                format!(
                    "Keepsake stopped while it was writing the backup \"{}\" to {what}, so it may now be part old, part new.",
                    backup.unwrap_or_default()
                ),
            ),
            Operation::Erase => (
                format!("Erasing the save of {name} did not finish"),
                format!(
                    "Keepsake stopped while it was erasing {what}, so it may now be part old, part erased."
                ),
            ),
        };
        let mut lines = vec![first];
        lines.push(match &unfinished.way_back {
            WayBack::Intact => "The save as it was is in the automatic backup".into(),
            WayBack::Checking { checked, total } => format!(
                "Keepsake is checking the automatic backup ({}% read):",
                percent(*checked, *total)
            ),
            WayBack::Missing => {
                "The automatic backup of the save as it was is missing from the SD card:".into()
            }
            WayBack::Damaged { file, problem } => format!(
                "The automatic backup of the save as it was is damaged ({file}: {problem}):"
            ),
        });
        // A line of its own: the screen wraps it at its slashes.
        lines.push(journal.automatic_backup.clone());
        Some(UnfinishedInfo {
            title: Some(title_key(&journal.save)).filter(|key| self.known.contains_key(key)),
            title_name: name,
            headline,
            lines,
            destination: what.to_owned(),
            put_back: self
                .put_back_job(unfinished)
                .map(|_| ())
                .map_err(|e| screen_refusal(&e)),
        })
    }

    pub(crate) fn start_put_back(&mut self) -> Result<(), Refusal> {
        if self.job.is_some() {
            return Err(Refusal {
                reason: "Another job is running.".into(),
                advice: "Wait for it to finish.".into(),
            });
        }
        let Some(unfinished) = &self.unfinished else {
            return Err(Refusal {
                reason: "No restore was left unfinished.".into(),
                advice: "Nothing needs putting back.".into(),
            });
        };
        let job = self.put_back_job(unfinished).map_err(|e| refusal(&e))?;
        let key = title_key(&unfinished.journal.save);
        self.job_game = self.name_of(&key);
        self.job_title = self.known.contains_key(&key).then_some(key);
        self.putting_back = Some(unfinished.journal.automatic_backup.clone());
        self.job = Some(job);
        Ok(())
    }

    pub(crate) fn keep_unfinished_as_is(&mut self) -> Result<(), Refusal> {
        let devices = self.console.devices();
        Unfinished::keep_as_is(devices.sd).map_err(|e| Refusal {
            reason: format!("The record of the unfinished restore could not be removed: {e}."),
            advice: "Check that the SD card is in and not write-protected, then try again.".into(),
        })?;
        self.reload_unfinished();
        Ok(())
    }
}

/// `part` of `whole` in whole percent, 100 for nothing to do.
fn percent(part: u64, whole: u64) -> u64 {
    if whole == 0 {
        100
    } else {
        (u128::from(part.min(whole)) * 100 / u128::from(whole)) as u64
    }
}
