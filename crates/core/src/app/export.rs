//! Exporting an NDS backup (or a found save) for a flashcart or an emulator,
//! through [`crate::store::export`]: the model reads the backup's save,
//! brings it to its chip's size, and plans or writes the export.
//!
//! The chip is the cartridge's when it is in the slot; otherwise the size
//! the save itself has (a 512 KiB flashcart file stays 512 KiB). A backup
//! is on the SD card already and is written at once. The inserted
//! cartridge's own save is read from its chip by a job
//! ([`crate::jobs::NdsExportJob`]), a chunk a frame with progress, since
//! an 8 MiB chip takes about 17 s to read.

use keepsake_format::nds::{self, ChipKind};

use crate::jobs::{NdsExportJob, NdsExportReport, Phase, Progress as JobProgress};
use crate::nds_card::InsertedNds;
use crate::platform::Console;
use crate::store::BackupTitle;
use crate::store::export::{self, Export, ExportError, ExportKind};
use crate::store::nds_backup::{find_save_file, load_for_chip};

use super::console_model::{ConsoleModel, Known, Slot};
use super::running_job::RunningJob;
use super::words::{capitalize, refusal};
use crate::ui::model::{BackupKey, Outcome, Progress, Refusal, TitleKey};
use crate::ui::theme::format_size;

impl<C: Console> ConsoleModel<C> {
    /// Where exporting `backup` of `title` as `kind` would write, or why it
    /// cannot be exported so. A backup is read and converted to check it
    /// can be; the cartridge's chip is not read (the destination does not
    /// depend on its bytes, and a large chip takes seconds to read).
    pub(crate) fn export_destination(
        &mut self,
        title: &TitleKey,
        backup: &BackupKey,
        kind: ExportKind,
    ) -> Result<String, Refusal> {
        if backup.is_cartridge() {
            self.cartridge_export(title, kind).map(|(_, to)| to)
        } else {
            self.prepare_export(title, backup, kind)
                .map(|e| e.destination)
        }
    }

    /// The export of `backup` (not the cartridge) of `title` as `kind`,
    /// ready to write.
    fn prepare_export(
        &mut self,
        title: &TitleKey,
        backup: &BackupKey,
        kind: ExportKind,
    ) -> Result<Export, Refusal> {
        let known = self.known.get(title).cloned().ok_or_else(|| {
            refusal(
                "The title is no longer available.",
                "Open it again from the list.",
            )
        })?;
        let (game_code, header_title) = nds_game(&known)?;
        let card_chip = match &known {
            Known::NdsCard(card) => Some(card.detection.chip.kind()),
            _ => None,
        };
        let (image, chip) = self.backup_image(backup, &header_title, card_chip)?;
        let now = self.now();
        let card_header = card_chip
            .is_some()
            .then(|| self.console.devices().card.nds_header().ok())
            .flatten();
        export::plan(
            kind,
            &image,
            chip,
            (&game_code, &header_title),
            card_header.as_deref(),
            &self.found.roms,
            now,
        )
        .map_err(|e| plan_refusal(&e, kind))
    }

    /// The inserted cartridge `title` and where its export as `kind` goes,
    /// or why its save cannot be exported now.
    fn cartridge_export(
        &mut self,
        title: &TitleKey,
        kind: ExportKind,
    ) -> Result<(InsertedNds, String), Refusal> {
        let gone = || {
            refusal(
                "The cartridge is no longer in the slot.",
                "Insert it again and choose it in the list.",
            )
        };
        // A pulled cartridge leaves the list.
        let known = self.known.get(title).cloned().ok_or_else(gone)?;
        let card = match (&known, &self.slot) {
            (Known::NdsCard(card), Slot::Nds(now)) if now.game_code == card.game_code => {
                now.clone()
            }
            (Known::NdsCard(_), _) => return Err(gone()),
            (Known::NdsIdentifying(_), _) => {
                return Err(refusal(
                    "The cartridge is still being identified.",
                    "Wait a moment until its save kind shows, then try again.",
                ));
            }
            _ => {
                return Err(refusal(
                    "Only an inserted NDS cartridge's save can be exported straight from the chip.",
                    "Back the save up first, then export the backup.",
                ));
            }
        };
        let now = self.now();
        let header = self.console.devices().card.nds_header().ok();
        let to = export::destination(
            kind,
            (&card.game_code, &card.header_title),
            header.as_deref(),
            &self.found.roms,
            now,
        )
        .map_err(|e| plan_refusal(&e, kind))?;
        Ok((card, to))
    }

    /// Starts exporting the inserted cartridge's save (`backup` is
    /// [`BackupKey::cartridge`]) as `kind` to `destination`, the path the
    /// question named (the clock may have moved on since), as a job read
    /// a chunk a frame.
    pub(crate) fn begin_export(
        &mut self,
        title: &TitleKey,
        backup: &BackupKey,
        kind: ExportKind,
        destination: &str,
    ) -> Result<(), Refusal> {
        if self.job.is_some() || self.found.searching() {
            return Err(refusal("Another job is running.", "Wait for it to finish."));
        }
        if !backup.is_cartridge() {
            // A backup is on the SD card already: it is written at once.
            return Err(refusal(
                "Only the cartridge's own save is exported with progress.",
                "Choose the cartridge in the title list and press Y.",
            ));
        }
        let (card, _) = self.cartridge_export(title, kind)?;
        let now = self.now();
        self.job_title = None;
        self.job_game = self.name_of(title);
        self.job = Some(RunningJob::NdsExport {
            job: NdsExportJob::new(card, kind, destination, now),
            cancelled: false,
        });
        Ok(())
    }

    /// The save of a backup at its chip's size: the cartridge's chip when it
    /// is in the slot, else the smallest chip holding it.
    fn backup_image(
        &mut self,
        backup: &BackupKey,
        header_title: &str,
        card_chip: Option<ChipKind>,
    ) -> Result<(Vec<u8>, ChipKind), Refusal> {
        let entry = self.entries.get(backup).cloned().ok_or_else(|| {
            refusal(
                "That backup is no longer listed.",
                "Open the title again to see its backups.",
            )
        })?;
        let devices = self.console.devices();
        let unreadable = |e: &dyn std::fmt::Display| {
            refusal(
                format!("The save could not be read: {e}."),
                "Choose another backup.",
            )
        };
        let path = find_save_file(devices.sd, &entry, header_title).map_err(|e| unreadable(&e))?;
        match card_chip {
            Some(chip) => {
                let loaded = load_for_chip(devices.sd, &path, chip).map_err(|e| unreadable(&e))?;
                Ok((loaded.image, chip))
            }
            None => {
                let bytes = devices.sd.read(&path).map_err(|e| unreadable(&e))?;
                let save = nds::SaveFile::parse(&bytes).map_err(|e| unreadable(&e))?;
                let chip = ChipKind::smallest_holding(save.payload.len())
                    .ok_or_else(|| unreadable(&"it is larger than any NDS save chip"))?;
                let image = nds::resize(&save.payload, chip, false).map_err(|e| unreadable(&e))?;
                Ok((image, chip))
            }
        }
    }

    /// Writes the export of `backup` (not the cartridge: see
    /// [`Self::begin_export`]) of `title` as `kind` to `destination`, the
    /// path the question named.
    pub(crate) fn write_export(
        &mut self,
        title: &TitleKey,
        backup: &BackupKey,
        kind: ExportKind,
        destination: &str,
    ) -> Result<Outcome, Refusal> {
        if backup.is_cartridge() {
            return Err(refusal(
                "The cartridge's save is exported with progress, not at once.",
                "Choose the cartridge in the title list and press Y.",
            ));
        }
        let mut planned = self.prepare_export(title, backup, kind)?;
        // The planned name carries the time it was asked at.
        planned.destination = destination.to_owned();
        let now = self.now();
        let devices = self.console.devices();
        let kept = export::write(devices.sd, &planned, now).map_err(|e| {
            refusal(
                format!("The export could not be written: {e}."),
                "Check that the SD card is in and not full, then try again.",
            )
        })?;
        Ok(self.exported(kind, &planned.destination, kept.as_deref(), None))
    }

    /// The result of an export written to `destination`, keeping the file
    /// it replaced as `kept`; `read` says what was read from a cartridge.
    fn exported(
        &mut self,
        kind: ExportKind,
        destination: &str,
        kept: Option<&str>,
        read: Option<String>,
    ) -> Outcome {
        let mut details = vec![
            format!("Written as {}:", kind.describe()),
            destination.to_owned(),
        ];
        details.extend(read);
        if let Some(kept) = kept {
            details.push(format!("The file it replaced is kept as {kept}."));
        }
        if kind == ExportKind::TwilightSlot {
            // The slot now holds a save: list it with the others.
            self.found = super::found::FoundSaves::load(self.console.devices().sd);
            self.bump();
        }
        Outcome {
            succeeded: true,
            headline: "Exported".into(),
            details,
            advice: None,
        }
    }

    /// The result of a finished cartridge export.
    pub(crate) fn cartridge_exported(&mut self, report: &NdsExportReport) -> Outcome {
        let read = format!(
            "The cartridge's {} chip was read in full and never written to.",
            report.chip
        );
        self.exported(
            report.kind,
            &report.destination,
            report.kept.as_deref(),
            Some(read),
        )
    }
}

/// A cartridge export's progress in the save's terms: the bytes of the
/// save read so far, then of the file written and read back.
pub(crate) fn export_progress(progress: JobProgress, job: &NdsExportJob) -> Progress {
    let stage = match progress.phase {
        Phase::Reading => "Reading the cartridge".to_string(),
        Phase::Verifying => format!("Reading back {}", job.kind().file_word()),
        _ => format!("Writing {}", job.kind().file_word()),
    };
    let detail = match progress.phase {
        Phase::Reading => format!(
            "{} of the {} save read",
            format_size(progress.bytes_done),
            format_size(progress.bytes_total)
        ),
        _ => format!(
            "{} of {} to {}",
            format_size(progress.bytes_done),
            format_size(progress.bytes_total),
            job.destination()
        ),
    };
    Progress {
        stage,
        detail,
        bytes_done: progress.bytes_done,
        bytes_total: progress.bytes_total,
    }
}

/// A cartridge export cancelled before its file was written.
pub(crate) fn export_cancelled() -> Outcome {
    Outcome {
        succeeded: false,
        headline: "Export cancelled".into(),
        details: vec!["Nothing was written to the SD card; the cartridge was only read.".into()],
        advice: None,
    }
}

/// The game of an NDS title, or why it has none to export.
fn nds_game(known: &Known) -> Result<(String, String), Refusal> {
    match known.backup_title() {
        BackupTitle::Nds {
            game_code,
            header_title,
        } => Ok((game_code, header_title)),
        BackupTitle::Ctr { .. } => Err(refusal(
            "Only NDS saves can be exported for a flashcart or an emulator.",
            "Choose a backup of an NDS cartridge.",
        )),
    }
}

fn plan_refusal(e: &ExportError, kind: ExportKind) -> Refusal {
    refusal(
        format!("{}.", capitalize(&e.to_string())),
        match kind {
            ExportKind::TwilightSlot => {
                "Put the game's ROM on the SD card and use Find saves on the SD card in the settings, or export as a .sav."
            }
            _ => "Choose another backup.",
        },
    )
}
