//! GBA Virtual Console titles for the screens: how a title the scan found
//! to be one (`store::title_scan`) is listed, why its save cannot be used
//! when it cannot (no Luma3DS, never saved, unreadable), the restore's
//! question, and the words of its results.
//!
//! Its backups are where Checkpoint 4+ keeps them, so each app restores the
//! other's: Checkpoint gives a GBA VC title the save folder of any 3DS
//! title (BernardoGiordano/Checkpoint `3ds/source/titleprobe.cpp`
//! `probeCtr`, `Paths::ctrSavePath`: `/3ds/Checkpoint/saves/0x%05X <name>`)
//! and writes each backup there as `<backup>/00000001.sav` (`io.cpp`); the
//! jobs (`jobs::GbaBackupJob`, `jobs::GbaRestoreJob`) read and write that.
//! A GBA VC title has no extdata: its list has no extdata side.

use super::console_model::{ConsoleModel, Known};
use super::running_job::RunningJob;
use super::words::{capitalize, kept_line, refusal, store_refusal};
use crate::jobs::{
    GbaBackupReport, GbaRestoreJob, GbaRestoreReport, JobError, Phase, Progress, Step,
};
use crate::platform::{Console, GbaVcError, GbaVcId, GbaVcProbe, MediaType, probe_gba_vc};
use crate::store::title_cache::TitleRecord;
use crate::store::{BackupEntry, StoreError};
use crate::ui::model::{Outcome, Refusal, RestorePlan, TitleInfo, TitleKey, TitleSource};
use crate::ui::theme::format_size;
use keepsake_format::gba_vc::AgbSaveError;

/// The list entry of a scanned title whose GBA probe said something: a GBA
/// VC title, or one that may be. A title that may be one but has extdata
/// stays a 3DS title (GBA VC titles keep no extdata; its extdata side
/// works).
pub(super) fn as_gba_title(
    mut info: TitleInfo,
    known: Known,
    record: &TitleRecord,
) -> (TitleInfo, Known) {
    let state = &record.gba;
    if matches!(state, GbaVcProbe::CannotTell(_)) && record.extdata {
        return (info, known);
    }
    let Known::Ctr {
        title_id,
        media,
        short_title,
    } = known
    else {
        return (info, known);
    };
    show_state(&mut info, state);
    (
        info,
        Known::GbaVc {
            title_id,
            media,
            short_title,
            state: state.clone(),
        },
    )
}

/// The badge and the "Save" line of a GBA title in `state`.
fn show_state(info: &mut TitleInfo, state: &GbaVcProbe) {
    info.source = match state {
        GbaVcProbe::CannotTell(_) => TitleSource::MaybeGbaVc,
        _ => TitleSource::GbaVc,
    };
    info.save_kind = Some(
        match state {
            GbaVcProbe::Yes | GbaVcProbe::No => "GBA save",
            GbaVcProbe::NeverSaved => "none yet: play it and save once",
            GbaVcProbe::Unreadable(_) => "GBA save cannot be read",
            GbaVcProbe::CannotTell(_) => "no 3DS save; GBA save unknown",
        }
        .to_string(),
    );
}

/// Why a GBA title's save cannot be backed up or restored, in full, for
/// its backup list; `None` when it can.
fn why_not(state: &GbaVcProbe, name: &str) -> Option<String> {
    match state {
        GbaVcProbe::Yes | GbaVcProbe::No => None,
        GbaVcProbe::NeverSaved => Some(format!(
            "{name} has never saved: its GBA save is still blank, so there is nothing to back up and nowhere to restore to. Start the game and save once in it."
        )),
        GbaVcProbe::Unreadable(reason) => Some(format!(
            "The GBA save of {name} could not be read: {reason}."
        )),
        GbaVcProbe::CannotTell(reason) => Some(format!(
            "{name} has no 3DS save data, and whether it is a GBA Virtual Console game cannot be told here: GBA Virtual Console saves cannot be reached, {reason}."
        )),
    }
}

/// Why no job can run on a GBA title in `state`, with what to do; `None`
/// when one can.
pub(super) fn refusal_for(state: &GbaVcProbe, name: &str) -> Option<Refusal> {
    let advice = match state {
        GbaVcProbe::Yes | GbaVcProbe::No => return None,
        GbaVcProbe::NeverSaved => "Start the game, save once in it, then try again.",
        GbaVcProbe::Unreadable(_) => "Restart the console, then try again.",
        GbaVcProbe::CannotTell(_) => {
            "Start Keepsake on a console running Luma3DS to use GBA saves."
        }
    };
    Some(refusal(why_not(state, name)?, advice))
}

/// A backup's result: how much was saved and where.
pub(super) fn gba_backed_up(report: &GbaBackupReport) -> Outcome {
    Outcome {
        succeeded: true,
        headline: "Backed up".into(),
        details: vec![
            format!("{} GBA save saved to", format_size(report.bytes)),
            report.folder.clone(),
        ],
        advice: None,
    }
}

/// A restore's result: what was written where, the signature, the
/// read-back and where the save as it was went. `put_back_from`: the
/// automatic backup an unfinished restore left, when this put it back.
pub(super) fn gba_restored(report: &GbaRestoreReport, put_back_from: Option<&str>) -> Outcome {
    // The slot the game loads from: the first (top) or the second.
    let slot = if report.slot_offset == 0 {
        "first"
    } else {
        "second"
    };
    let mut details = vec![format!(
        "Wrote the {} save into the {slot} slot of the game's save file, the one it loads.",
        format_size(report.bytes_written)
    )];
    details.push("The console signed that slot for itself, so the game accepts it.".into());
    if report.from_container {
        details.push(
            "The backup was a whole save file of an older dump: its newest save was used.".into(),
        );
    }
    details.push("Read back the whole save file and compared it: identical.".into());
    details.push(kept_line(&report.auto_backup, put_back_from));
    Outcome {
        succeeded: true,
        headline: match put_back_from {
            Some(_) => "Put back and verified".into(),
            None => "Restored and verified".into(),
        },
        details,
        advice: None,
    }
}

impl<C: Console> ConsoleModel<C> {
    /// Looks at a GBA title's save again (the game may have saved since the
    /// scan), when no job holds the console; the list follows what it says.
    pub(crate) fn look_at_gba_save(&mut self, title: &TitleKey) {
        let Some(Known::GbaVc {
            title_id,
            media,
            state,
            ..
        }) = self.known.get(title)
        else {
            return;
        };
        if self.job.is_some() {
            return;
        }
        let id = GbaVcId {
            title_id: *title_id,
            media: *media,
        };
        let now = match probe_gba_vc(self.console.devices().gba_vc, false, id) {
            // Listed as a GBA title, and its file no longer opens.
            GbaVcProbe::No => GbaVcProbe::Unreadable(format!("{} does not open", id)),
            now => now,
        };
        if &now == state {
            return;
        }
        for (info, known) in self
            .sd_titles
            .iter_mut()
            .filter(|(info, _)| &info.key == title)
        {
            if let Known::GbaVc { state, .. } = known {
                *state = now.clone();
            }
            show_state(info, &now);
        }
        if let Some(Known::GbaVc { state, .. }) = self.known.get_mut(title) {
            *state = now.clone();
        }
        for info in self.titles.iter_mut().filter(|info| &info.key == title) {
            show_state(info, &now);
        }
        self.generation += 1;
    }

    /// Why a GBA title's backup list offers no backup or restore: `None`
    /// for a title that is not a GBA title, `Some(None)` for one whose save
    /// can be used.
    pub(crate) fn gba_missing(&mut self, title: &TitleKey) -> Option<Option<String>> {
        if !matches!(self.known.get(title), Some(Known::GbaVc { .. })) {
            return None;
        }
        self.look_at_gba_save(title);
        let Some(Known::GbaVc {
            short_title, state, ..
        }) = self.known.get(title)
        else {
            return None;
        };
        Some(why_not(state, short_title))
    }

    /// A GBA title's save and backup folder, for a batch: its own job
    /// says why when its save cannot be used; `None` for other titles.
    pub(crate) fn gba_batch_target(&self, title: &TitleKey) -> Option<(GbaVcId, String)> {
        let known @ Known::GbaVc {
            title_id, media, ..
        } = self.known.get(title)?
        else {
            return None;
        };
        let id = GbaVcId {
            title_id: *title_id,
            media: *media,
        };
        Some((id, self.title_dir_of(known)))
    }

    /// The standing line while GBA saves cannot be reached at all (said
    /// once, not on each title).
    pub(crate) fn gba_warning(&self) -> Option<String> {
        self.known.values().find_map(|known| match known {
            Known::GbaVc {
                state: GbaVcProbe::CannotTell(reason),
                ..
            } => Some(format!(
                "GBA Virtual Console saves cannot be reached: {reason}."
            )),
            _ => None,
        })
    }

    /// The restore's question for a GBA title, with the job ready to run:
    /// the job's own steps up to its automatic backup check the backup,
    /// read the title's save file and plan the write (a save never made,
    /// or one of another size, is refused here), and write nothing.
    pub(super) fn check_gba_restore(
        &mut self,
        id: GbaVcId,
        short_title: &str,
        entry: BackupEntry,
        title_dir: &str,
        automatic_backup: String,
        auto_name: String,
    ) -> Result<(RestorePlan, RunningJob), Refusal> {
        let mut job = GbaRestoreJob::new(id, title_dir, entry.clone());
        let mut devices = self.console.devices();
        // Validating, opening, a read per 32 KiB of at most 256 KiB: a
        // few steps; the bound only guards against a job that never
        // reaches its automatic backup.
        let mut checked = Err(JobError::Ended);
        for _ in 0..64 {
            match job.step(&mut devices) {
                Ok(Step::Working(progress)) if progress.phase == Phase::SavingAutoBackup => {
                    checked = Ok(progress);
                    break;
                }
                Ok(Step::Working(_)) => {}
                Ok(Step::Finished(_)) => break,
                Err(e) => {
                    checked = Err(e);
                    break;
                }
            }
        }
        let _ = job.cancel(&mut devices);
        let checked: Progress = checked.map_err(|e| gba_restore_refusal(&e, short_title))?;
        let where_ = match id.media {
            MediaType::Sd => "on the SD card",
            MediaType::Card => "on the cartridge",
            MediaType::Nand => "in the console's memory",
        };
        let plan = RestorePlan {
            overwrites: format!(
                "the {} GBA save of {short_title}, {where_}",
                format_size(checked.bytes_total)
            ),
            conversion: None,
            automatic_backup,
        };
        let job = GbaRestoreJob::new(id, title_dir, entry).with_auto_backup_name(auto_name);
        Ok((plan, RunningJob::GbaRestore { job }))
    }
}

/// Why a GBA backup cannot be restored, from the error the job's checks
/// stopped at.
fn gba_restore_refusal(e: &JobError, short_title: &str) -> Refusal {
    match e {
        JobError::Store(StoreError::WrongGame { backup, .. }) => refusal(
            format!("This backup belongs to {backup}, not to {short_title}."),
            "Choose a backup made from this game.",
        ),
        JobError::Store(other) => store_refusal(other),
        JobError::GbaSave(AgbSaveError::SizeMismatch { backup, container }) => refusal(
            format!(
                "This backup's GBA save is {backup}, but the save of {short_title} is {container}: it is a save of another game."
            ),
            "Choose a backup made from this game.",
        ),
        JobError::GbaSave(AgbSaveError::NoSavedSlot { .. }) => {
            refusal_for(&GbaVcProbe::NeverSaved, short_title).expect("a save never made is refused")
        }
        JobError::GbaVc(GbaVcError::Unavailable(reason)) => {
            refusal_for(&GbaVcProbe::CannotTell(reason.clone()), short_title)
                .expect("an unreachable save is refused")
        }
        other => refusal(
            format!("{}.", capitalize(&other.to_string())),
            "Choose another backup.",
        ),
    }
}
