//! Exporting an NDS backup (or a found save) for a flashcart or an emulator,
//! through [`crate::store::export`]: the model reads the backup's save,
//! brings it to its chip's size, and plans or writes the export.
//!
//! The chip is the cartridge's when it is in the slot; otherwise the size
//! the save itself has (a 512 KiB flashcart file stays 512 KiB).

use keepsake_format::nds::{self, ChipKind};

use crate::platform::Console;
use crate::store::BackupTitle;
use crate::store::export::{self, Export, ExportKind};
use crate::store::nds_backup::{find_save_file, load_for_chip};

use super::console_model::{ConsoleModel, Known};
use super::model::{BackupKey, Outcome, Refusal, TitleKey};

fn refusal(reason: impl Into<String>, advice: impl Into<String>) -> Refusal {
    Refusal {
        reason: reason.into(),
        advice: advice.into(),
    }
}

impl<C: Console> ConsoleModel<C> {
    /// The export of `backup` of `title` as `kind`, ready to write.
    pub(crate) fn prepare_export(
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
        let BackupTitle::Nds {
            game_code,
            header_title,
        } = known.backup_title()
        else {
            return Err(refusal(
                "Only NDS saves can be exported for a flashcart or an emulator.",
                "Choose a backup of an NDS cartridge.",
            ));
        };
        let entry = self.entries.get(backup).cloned().ok_or_else(|| {
            refusal(
                "That backup is no longer listed.",
                "Open the title again to see its backups.",
            )
        })?;
        let card_chip = match &known {
            Known::NdsCard(card) => Some(card.detection.chip.kind()),
            _ => None,
        };
        let now = self.now();
        let roms = self.found.roms.clone();
        let devices = self.console.devices();
        let unreadable = |e: &dyn std::fmt::Display| {
            refusal(
                format!("The save could not be read: {e}."),
                "Choose another backup.",
            )
        };
        let path = find_save_file(devices.sd, &entry, &header_title).map_err(|e| unreadable(&e))?;
        let (image, chip) = match card_chip {
            Some(chip) => {
                let loaded = load_for_chip(devices.sd, &path, chip).map_err(|e| unreadable(&e))?;
                (loaded.image, chip)
            }
            None => {
                let bytes = devices.sd.read(&path).map_err(|e| unreadable(&e))?;
                let save = nds::SaveFile::parse(&bytes).map_err(|e| unreadable(&e))?;
                let chip = ChipKind::smallest_holding(save.payload.len())
                    .ok_or_else(|| unreadable(&"it is larger than any NDS save chip"))?;
                let image = nds::resize(&save.payload, chip, false).map_err(|e| unreadable(&e))?;
                (image, chip)
            }
        };
        let card_header = card_chip
            .is_some()
            .then(|| devices.card.nds_header().ok())
            .flatten();
        export::plan(
            kind,
            &image,
            chip,
            (&game_code, &header_title),
            card_header.as_deref(),
            &roms,
            now,
        )
        .map_err(|e| {
            refusal(
                format!("{}.", capitalize(&e.to_string())),
                match kind {
                    ExportKind::TwilightSlot => "Put the game's ROM on the SD card and use Find saves on the SD card in the settings, or export as a .sav.",
                    _ => "Choose another backup.",
                },
            )
        })
    }

    /// Writes the export of `backup` of `title` as `kind` to `destination`,
    /// the path the question named.
    pub(crate) fn write_export(
        &mut self,
        title: &TitleKey,
        backup: &BackupKey,
        kind: ExportKind,
        destination: &str,
    ) -> Result<Outcome, Refusal> {
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
        let mut details = vec![
            format!("Written as {}:", kind.describe()),
            planned.destination.clone(),
        ];
        if let Some(kept) = kept {
            details.push(format!("The file it replaced is kept as {kept}."));
        }
        if kind == ExportKind::TwilightSlot {
            // The slot now holds a save: list it with the others.
            self.found = super::found::FoundSaves::load(self.console.devices().sd);
            self.bump();
        }
        Ok(Outcome {
            succeeded: true,
            headline: "Exported".into(),
            details,
            advice: None,
        })
    }
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}
