//! An NDS save written out for a flashcart or an emulator.
//!
//! Three destinations:
//! - a 512 KiB flashcart `.sav` (the chip image padded with 0xFF, the size
//!   flashcarts and nds-bootstrap give every save) in [`EXPORT_DIR`];
//! - a DeSmuME `.dsv` (the image at the chip's size, then DeSmuME's footer
//!   naming the chip) in [`EXPORT_DIR`];
//! - TWiLight Menu++'s save slot of the game's ROM,
//!   `<ROM folder>/saves/<ROM name>.sav`, where nds-bootstrap reads it; the
//!   file it replaces is kept beside it as `<ROM name>.sav.<date>.bak`.
//!
//! Every file is written atomically; nothing is ever overwritten without the
//! old bytes being kept, and the export folder's names carry the date.

use keepsake_format::nds::{self, ChipKind, OutputFormat};

use crate::platform::sd::{join, write_atomic};
use crate::platform::{DateTime, SdCard, SdError};
use crate::store::found_saves::RomHeader;
use crate::store::naming::sanitize;

/// Where exported flashcart and emulator files go.
pub const EXPORT_DIR: &str = "/3ds/Keepsake/export";
/// The size flashcarts and nds-bootstrap give every save.
const FLASHCART_CHIP: ChipKind = ChipKind::Flash512K;

/// The form of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportKind {
    /// A 512 KiB flashcart `.sav`.
    FlashcartSav,
    /// A DeSmuME `.dsv`.
    Dsv,
    /// TWiLight Menu++'s save slot of the matching ROM.
    TwilightSlot,
}

impl ExportKind {
    pub const ALL: [ExportKind; 3] = [
        ExportKind::FlashcartSav,
        ExportKind::Dsv,
        ExportKind::TwilightSlot,
    ];

    /// What it is, for people.
    pub fn describe(self) -> &'static str {
        match self {
            ExportKind::FlashcartSav => "a 512 KiB flashcart .sav",
            ExportKind::Dsv => "a DeSmuME .dsv",
            ExportKind::TwilightSlot => "TWiLight Menu++'s save of the game's ROM",
        }
    }
}

/// Why an export cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Sd(#[from] SdError),
    /// No ROM of the game is known for TWiLight's slot.
    #[error(
        "no ROM of {game_code} is known on the SD card, so TWiLight Menu++ has no save slot for it"
    )]
    NoRom { game_code: String },
    /// The image could not take the asked form.
    #[error("the save cannot be written as {kind}: {reason}")]
    Convert { kind: &'static str, reason: String },
}

/// A planned export: the file's bytes and where they go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Export {
    pub kind: ExportKind,
    pub destination: String,
    pub bytes: Vec<u8>,
}

/// Plans exporting `image` (a save at its chip's size, `chip`) of the game
/// `game_code` / `header_title`, made at `now`. `roms` are the ROM headers
/// known on the card: TWiLight's slot is that of the first ROM of the game
/// whose header is the cartridge's `card_header` when one is, else the
/// first ROM of the game.
pub fn plan(
    kind: ExportKind,
    image: &[u8],
    chip: ChipKind,
    (game_code, header_title): (&str, &str),
    card_header: Option<&[u8]>,
    roms: &[RomHeader],
    now: DateTime,
) -> Result<Export, ExportError> {
    let convert = |target, format| {
        nds::convert(image, target, format, false).map_err(|e| ExportError::Convert {
            kind: kind.describe(),
            reason: e.to_string(),
        })
    };
    let stem = format!(
        "{game_code} {} {}",
        sanitize(header_title),
        now.folder_name()
    );
    let (destination, bytes) = match kind {
        ExportKind::FlashcartSav => (
            join(EXPORT_DIR, &format!("{stem}.sav")),
            convert(FLASHCART_CHIP.max(chip), OutputFormat::Raw)?,
        ),
        ExportKind::Dsv => (
            join(EXPORT_DIR, &format!("{stem}.dsv")),
            convert(chip, OutputFormat::Dsv)?,
        ),
        ExportKind::TwilightSlot => {
            let of_game: Vec<&RomHeader> =
                roms.iter().filter(|r| r.game_code == game_code).collect();
            let same_build = card_header.and_then(|header| {
                of_game
                    .iter()
                    .find(|r| r.differences(header).is_empty())
                    .copied()
            });
            let rom = same_build
                .or_else(|| of_game.first().copied())
                .ok_or_else(|| ExportError::NoRom {
                    game_code: game_code.to_owned(),
                })?;
            let (folder, rom_name) = rom.path.rsplit_once('/').unwrap_or(("", &rom.path));
            let rom_stem = rom_name.rfind('.').map_or(rom_name, |dot| &rom_name[..dot]);
            (
                join(&join(folder, "saves"), &format!("{rom_stem}.sav")),
                convert(FLASHCART_CHIP.max(chip), OutputFormat::Raw)?,
            )
        }
    };
    Ok(Export {
        kind,
        destination,
        bytes,
    })
}

/// Writes `export`; when it replaces a file, the old one is kept first as
/// `<file>.<date>.bak` beside it, whose path is returned.
pub fn write(
    sd: &mut dyn SdCard,
    export: &Export,
    now: DateTime,
) -> Result<Option<String>, ExportError> {
    let (folder, _) = export
        .destination
        .rsplit_once('/')
        .unwrap_or(("/", &export.destination));
    sd.create_dir_all(if folder.is_empty() { "/" } else { folder })?;
    let kept = if sd.kind_of(&export.destination)? == Some(false) {
        let old = sd.read(&export.destination)?;
        let backup = format!("{}.{}.bak", export.destination, now.folder_name());
        write_atomic(sd, &backup, &old)?;
        Some(backup)
    } else {
        None
    };
    write_atomic(sd, &export.destination, &export.bytes)?;
    Ok(kept)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{PowerSupply, SimSd, nds_rom_header};

    const NOW: DateTime = DateTime {
        year: 2026,
        month: 11,
        day: 21,
        hour: 18,
        minute: 4,
        second: 0,
    };

    fn rom(path: &str, version: u8) -> RomHeader {
        let mut header = nds_rom_header("SONICRUSH", "ASNE");
        header[0x1E] = version;
        let crc = keepsake_format::nds_header::header_crc(&header[..0x15E]);
        header[0x15E..0x160].copy_from_slice(&crc.to_le_bytes());
        RomHeader::parse(path, &header).unwrap()
    }

    #[test]
    fn a_fixture_save_exports_in_every_form_with_its_bytes() {
        let dsv = keepsake_testkit::fixture_or_skip!("nds/sonic-rush/usa.dsv");
        let image = &dsv[..8192];
        let game = ("ASNE", "SONICRUSH");
        let sav = plan(
            ExportKind::FlashcartSav,
            image,
            ChipKind::Eeprom8K,
            game,
            None,
            &[],
            NOW,
        )
        .unwrap();
        assert_eq!(
            sav.destination,
            "/3ds/Keepsake/export/ASNE SONICRUSH 20261121-180400.sav"
        );
        assert_eq!(sav.bytes.len(), 512 * 1024);
        assert_eq!(&sav.bytes[..8192], image);
        assert!(sav.bytes[8192..].iter().all(|&b| b == 0xFF));
        let out = plan(
            ExportKind::Dsv,
            image,
            ChipKind::Eeprom8K,
            game,
            None,
            &[],
            NOW,
        )
        .unwrap();
        // DeSmuME's layout: the image, then its 122-byte footer ending in
        // the cookie DeSmuME writes (the fixture's own last bytes); read
        // back, the same save.
        assert_eq!(out.bytes.len(), 8192 + 122);
        assert!(out.bytes[..8192] == *image);
        assert!(
            out.bytes.ends_with(&dsv[dsv.len() - 16..]),
            "|-DESMUME SAVE-|"
        );
        let parsed = nds::SaveFile::parse(&out.bytes).unwrap();
        assert!(parsed.payload == image);
    }

    #[test]
    fn twilight_slot_prefers_the_cartridge_build_and_keeps_the_old_file() {
        let card = nds_rom_header("SONICRUSH", "ASNE");
        let roms = [rom("/roms/Sonic (T-En).nds", 1), rom("/roms/Sonic.nds", 0)];
        let image = vec![0x42; 8192];
        let export = plan(
            ExportKind::TwilightSlot,
            &image,
            ChipKind::Eeprom8K,
            ("ASNE", "SONICRUSH"),
            Some(&card),
            &roms,
            NOW,
        )
        .unwrap();
        assert_eq!(export.destination, "/roms/saves/Sonic.sav");
        let mut sd = SimSd::new(1 << 24, PowerSupply::new());
        sd.create_dir_all("/roms/saves").unwrap();
        sd.write("/roms/saves/Sonic.sav", b"older").unwrap();
        let kept = write(&mut sd, &export, NOW).unwrap();
        assert_eq!(
            kept.as_deref(),
            Some("/roms/saves/Sonic.sav.20261121-180400.bak")
        );
        assert_eq!(sd.read(kept.as_deref().unwrap()).unwrap(), b"older");
        assert_eq!(sd.read("/roms/saves/Sonic.sav").unwrap(), export.bytes);
        assert_eq!(
            plan(
                ExportKind::TwilightSlot,
                &image,
                ChipKind::Eeprom8K,
                ("AXXE", "OTHER"),
                None,
                &roms,
                NOW
            ),
            Err(ExportError::NoRom {
                game_code: "AXXE".into()
            })
        );
    }
}
