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

use keepsake_format::nds::{self, ChipKind, dsv};

use crate::platform::sd::join;
use crate::platform::{DateTime, SdCard, SdError};
use crate::store::export_write::{ExportStep, ExportWrite};
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

    /// The file it writes, for "Writing ...".
    pub fn file_word(self) -> &'static str {
        match self {
            ExportKind::FlashcartSav => "the .sav file",
            ExportKind::Dsv => "the .dsv file",
            ExportKind::TwilightSlot => "TWiLight's save file",
        }
    }

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
    /// The file read back from the SD card was not what was written.
    #[error(
        "the SD card did not keep {path} as written; the file it would have replaced is unchanged"
    )]
    NotKept { path: String },
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
/// `game_code` / `header_title`, made at `now`: where it goes (see
/// [`destination`]) and the file's bytes (see [`encode`]).
pub fn plan(
    kind: ExportKind,
    image: &[u8],
    chip: ChipKind,
    game: (&str, &str),
    card_header: Option<&[u8]>,
    roms: &[RomHeader],
    now: DateTime,
) -> Result<Export, ExportError> {
    let destination = destination(kind, game, card_header, roms, now)?;
    let bytes = encode(kind, image.to_vec(), chip)?;
    Ok(Export {
        kind,
        destination,
        bytes,
    })
}

/// Where an export as `kind` of the game `game_code` / `header_title`,
/// made at `now`, goes. `roms` are the ROM headers known on the card:
/// TWiLight's slot is that of the first ROM of the game whose header is
/// the cartridge's `card_header` when one is, else the first ROM of the
/// game.
pub fn destination(
    kind: ExportKind,
    (game_code, header_title): (&str, &str),
    card_header: Option<&[u8]>,
    roms: &[RomHeader],
    now: DateTime,
) -> Result<String, ExportError> {
    let stem = format!(
        "{game_code} {} {}",
        sanitize(header_title),
        now.folder_name()
    );
    Ok(match kind {
        ExportKind::FlashcartSav => join(EXPORT_DIR, &format!("{stem}.sav")),
        ExportKind::Dsv => join(EXPORT_DIR, &format!("{stem}.dsv")),
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
            join(&join(folder, "saves"), &format!("{rom_stem}.sav"))
        }
    })
}

/// The length of the file an export of a whole `chip` as `kind` makes.
pub fn file_len(kind: ExportKind, chip: ChipKind) -> usize {
    match kind {
        ExportKind::FlashcartSav | ExportKind::TwilightSlot => FLASHCART_CHIP.max(chip).capacity(),
        ExportKind::Dsv => chip.capacity() + dsv::FOOTER_LEN,
    }
}

/// The export file of `image`, the whole of a `chip`, as `kind`, made in
/// `image`'s own buffer: an export only grows a chip image (padded with
/// 0xFF to the flashcart size, or followed by DeSmuME's footer), so no
/// second copy of an 8 MiB chip is ever held. A buffer allocated with
/// [`file_len`] bytes of capacity is never moved.
pub fn encode(
    kind: ExportKind,
    mut image: Vec<u8>,
    chip: ChipKind,
) -> Result<Vec<u8>, ExportError> {
    if image.len() != chip.capacity() {
        return Err(ExportError::Convert {
            kind: kind.describe(),
            reason: format!(
                "the image is {}, not the {} of its chip ({chip})",
                nds::format_size(image.len()),
                nds::format_size(chip.capacity())
            ),
        });
    }
    let len = file_len(kind, chip);
    image.reserve_exact(len - image.len());
    match kind {
        ExportKind::FlashcartSav | ExportKind::TwilightSlot => image.resize(len, 0xFF),
        ExportKind::Dsv => image.extend_from_slice(&nds::DsvFooter::for_chip(chip).to_bytes()),
    }
    Ok(image)
}

/// Writes `export` in one go (see [`ExportWrite`] for the same a chunk per
/// step); when it replaces a file, the old one is kept first as
/// `<file>.<date>.bak` beside it, whose path is returned.
pub fn write(
    sd: &mut dyn SdCard,
    export: &Export,
    now: DateTime,
) -> Result<Option<String>, ExportError> {
    let mut write = ExportWrite::start(sd, &export.destination, &export.bytes, now)?;
    loop {
        if let ExportStep::Done { kept } = write.step(sd, &export.bytes)? {
            return Ok(kept);
        }
    }
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
    fn encode_makes_the_file_in_the_chip_buffer_and_refuses_a_partial_image() {
        // 256 KiB of flash, read into a buffer sized for the .sav.
        let chip = ChipKind::Flash256K;
        let mut image = Vec::with_capacity(file_len(ExportKind::FlashcartSav, chip));
        image.resize(256 * 1024, 0x11);
        let at = image.as_ptr();
        let file = encode(ExportKind::FlashcartSav, image, chip).unwrap();
        assert_eq!(file.as_ptr(), at, "no second copy of the chip");
        assert_eq!(file.len(), 512 * 1024);
        assert!(file[..256 * 1024].iter().all(|&b| b == 0x11));
        assert!(file[256 * 1024..].iter().all(|&b| b == 0xFF));
        // 8 KiB of EEPROM as a .dsv: the image and 122 bytes of footer, the
        // type field 2 at footer offset 0x5A (DeSmuME's EEPROM 8 KiB).
        let file = encode(ExportKind::Dsv, vec![0x22; 8192], ChipKind::Eeprom8K).unwrap();
        assert_eq!(file.len(), 8192 + 122);
        assert_eq!(file[8192 + 0x5A..8192 + 0x5E], [2, 0, 0, 0]);
        assert_eq!(
            encode(ExportKind::Dsv, vec![0; 100], ChipKind::Eeprom8K)
                .unwrap_err()
                .to_string(),
            "the save cannot be written as a DeSmuME .dsv: the image is 100 B, not the 8 KiB of its chip (EEPROM 8 KiB)"
        );
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
