//! Running a backup of several titles for the screens: the titles marked
//! become the batch job's targets ([`BatchBackupJob`]), its progress is
//! said as "title 2 of 3" and that title's own progress, and its report
//! becomes one [`Outcome`] per title, in the words a single backup's
//! result uses (a failure's headline, reason and what to do).

use super::console_model::ConsoleModel;
use super::jobs::{Target, backed_up, ctr_backed_up, failure, words};
use super::running_job::{BatchTitle, RunningBatch, RunningJob, Subject};
use super::words::refusal;
use crate::jobs::{BatchBackupJob, BatchTarget, Step, TitleResult};
use crate::platform::Console;
use crate::ui::model::{BatchOutcome, JobKind, JobStatus, Outcome, Progress, Refusal, TitleKey};

impl<C: Console> ConsoleModel<C> {
    /// Starts backing up `titles` in this order. Refused as a whole, before
    /// anything is read, when one of them cannot be backed up at all (a
    /// folder of backups only, a cartridge no longer in the slot).
    pub(crate) fn begin_batch_backup(&mut self, titles: &[TitleKey]) -> Result<(), Refusal> {
        if self.job.is_some() {
            return Err(refusal("Another job is running.", "Wait for it to finish."));
        }
        if titles.is_empty() {
            return Err(refusal(
                "No title is marked.",
                "Mark titles with A (X marks all), then back them up with L+A.",
            ));
        }
        let mut targets = Vec::with_capacity(titles.len());
        let mut named = Vec::with_capacity(titles.len());
        for key in titles {
            let name = self.name_of(key);
            // A GBA title whose save cannot be used fails alone, with its
            // reason, as a 3DS save never made does (`app/gba.rs`).
            if let Some((target, title_dir)) = self.gba_batch_target(key) {
                targets.push(BatchTarget::GbaVc {
                    id: target,
                    title_dir,
                });
                named.push(BatchTitle {
                    key: key.clone(),
                    name,
                    subject: Subject::GbaSave,
                    nds: false,
                });
                continue;
            }
            let (target, known) = self.target_for(key).map_err(|r| Refusal {
                reason: format!("{name}: {}", r.reason),
                advice: format!("{} Or unmark it and back up the others.", r.advice),
            })?;
            let title_dir = self.title_dir_of(&known);
            let (target, subject, nds) = match target {
                Target::Nds(card) => (
                    BatchTarget::Nds { card, title_dir },
                    Subject::Cartridge,
                    true,
                ),
                Target::Ctr { archive, .. } => (
                    BatchTarget::Ctr { archive, title_dir },
                    Subject::of(archive),
                    false,
                ),
                Target::GbaVc { id, .. } => (
                    BatchTarget::GbaVc { id, title_dir },
                    Subject::GbaSave,
                    false,
                ),
            };
            targets.push(target);
            named.push(BatchTitle {
                key: key.clone(),
                name,
                subject,
                nds,
            });
        }
        self.job_title = None;
        self.job_game = format!("{} titles", titles.len());
        self.job = Some(RunningJob::Batch(Box::new(RunningBatch {
            job: BatchBackupJob::new(targets),
            titles: named,
        })));
        Ok(())
    }

    /// One step of the running batch.
    pub(crate) fn step_batch(&mut self) -> Option<JobStatus> {
        let Some(RunningJob::Batch(batch)) = &mut self.job else {
            return None;
        };
        let mut devices = self.console.devices();
        // The title this step works on: the step may finish it.
        let (index, count) = batch.job.position();
        let report = match batch.job.step(&mut devices) {
            Ok(Step::Working(progress)) => {
                let title = &batch.titles[index];
                let size = title.nds.then_some(progress.bytes_total);
                let own = words(progress, title.subject, size);
                let detail = if own.detail.is_empty() {
                    format!("{}: {}", title.name, own.stage)
                } else {
                    format!("{}: {}, {}", title.name, own.stage, own.detail)
                };
                return Some(JobStatus::Running(Progress {
                    stage: format!("Title {} of {count}", index + 1),
                    detail,
                    bytes_done: own.bytes_done,
                    bytes_total: own.bytes_total,
                }));
            }
            Ok(Step::Finished(report)) => report,
            Err(e) => {
                self.job = None;
                return Some(JobStatus::Finished(failure(
                    JobKind::Backup,
                    Subject::SdSave,
                    "these titles",
                    &e,
                    "",
                )));
            }
        };
        let Some(RunningJob::Batch(batch)) = self.job.take() else {
            return None;
        };
        let mut titles = Vec::with_capacity(report.titles.len());
        for (result, title) in report.titles.iter().zip(&batch.titles) {
            if let Some(folder) = result.folder() {
                self.record_made(folder);
            }
            titles.push((title.name.clone(), title_outcome(result, title)));
            self.recount(&title.key);
        }
        self.reload_unfinished();
        Some(JobStatus::BatchFinished(BatchOutcome {
            cancelled: report.cancelled,
            titles,
        }))
    }
}

/// One title's ending, as a single backup's result would say it.
fn title_outcome(result: &TitleResult, title: &BatchTitle) -> Outcome {
    match result {
        TitleResult::Nds(report) => backed_up(report),
        TitleResult::Ctr(report) => ctr_backed_up(report, title.subject),
        TitleResult::GbaVc(report) => super::gba::gba_backed_up(report),
        TitleResult::Failed(e) => failure(JobKind::Backup, title.subject, &title.name, e, ""),
        TitleResult::Cancelled => Outcome {
            succeeded: false,
            headline: "Cancelled during its backup".into(),
            details: vec!["What it had copied was dropped: no backup of it was made.".into()],
            advice: None,
        },
        TitleResult::NotStarted => Outcome {
            succeeded: false,
            headline: "Not backed up".into(),
            details: vec!["The backup was cancelled before its turn.".into()],
            advice: None,
        },
    }
}
