//! Exporting an NDS backup (or a found save) for a flashcart or an emulator,
//! through [`crate::store::export`]: the model reads the backup's save,
//! brings it to its chip's size, and plans or writes the export.
//!
//! The chip is the cartridge's when it is in the slot; otherwise the size
//! the save itself has (a 512 KiB flashcart file stays 512 KiB). The
//! inserted cartridge's own save exports the same way, read from its chip.

use keepsake_format::nds::{self, ChipKind};

use crate::jobs::READ_CHUNK;
use crate::platform::Console;
use crate::store::BackupTitle;
use crate::store::export::{self, Export, ExportKind};
use crate::store::nds_backup::{find_save_file, load_for_chip};

use super::console_model::{ConsoleModel, Known, Slot};
use super::model::{BackupKey, Outcome, Refusal, TitleKey};

fn refusal(reason: impl Into<String>, advice: impl Into<String>) -> Refusal {
    Refusal {
        reason: reason.into(),
        advice: advice.into(),
    }
}

impl<C: Console> ConsoleModel<C> {
    /// The export of `backup` of `title` as `kind`, ready to write.
    ///
    /// For the cartridge itself ([`BackupKey::cartridge`]) the chip is read
    /// only when `read_chip`: the question needs the destination alone, which
    /// does not depend on the bytes, and a large chip takes a while to read.
    pub(crate) fn prepare_export(
        &mut self,
        title: &TitleKey,
        backup: &BackupKey,
        kind: ExportKind,
        read_chip: bool,
    ) -> Result<Export, Refusal> {
        let known = self.known.get(title).cloned().ok_or_else(|| {
            if backup.is_cartridge() {
                // A pulled cartridge leaves the list.
                refusal(
                    "The cartridge is no longer in the slot.",
                    "Insert it again and choose it in the list.",
                )
            } else {
                refusal(
                    "The title is no longer available.",
                    "Open it again from the list.",
                )
            }
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
        let card_chip = match &known {
            Known::NdsCard(card) => Some(card.detection.chip.kind()),
            _ => None,
        };
        let (image, chip) = if backup.is_cartridge() {
            self.cartridge_image(&known, read_chip)?
        } else {
            self.backup_image(backup, &header_title, card_chip)?
        };
        let now = self.now();
        let roms = self.found.roms.clone();
        let devices = self.console.devices();
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

    /// The save on the inserted cartridge `known`, read from its chip in
    /// [`READ_CHUNK`] pieces straight into one buffer of the chip's size
    /// (nothing more is held), or, when not `read_chip`, erased flash of
    /// that size for planning the destination. The chip is only read.
    fn cartridge_image(
        &mut self,
        known: &Known,
        read_chip: bool,
    ) -> Result<(Vec<u8>, ChipKind), Refusal> {
        let gone = || {
            refusal(
                "The cartridge is no longer in the slot.",
                "Insert it again and choose it in the list.",
            )
        };
        let card = match (known, &self.slot) {
            (Known::NdsCard(card), Slot::Nds(now)) if now.game_code == card.game_code => {
                now.detection.chip
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
        let mut image = vec![0xFF; card.capacity()];
        if read_chip {
            let spi = self.console.devices().card.spi();
            for start in (0..image.len()).step_by(READ_CHUNK) {
                let end = (start + READ_CHUNK).min(image.len());
                card.read(spi, start, &mut image[start..end]).map_err(|e| {
                    refusal(
                        format!("The cartridge's save could not be read: {e}."),
                        "Check that the cartridge is firmly in the slot, then try again.",
                    )
                })?;
            }
        }
        Ok((image, card.kind()))
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
        let mut planned = self.prepare_export(title, backup, kind, true)?;
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
