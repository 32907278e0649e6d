//! `--nds-card CODE:CHIP[:IMAGE]`: an NDS cartridge for the simulated
//! console, described on the command line.
//!
//! CODE is the four-character game code, CHIP the save chip named as
//! `nds convert --size` names sizes (`8K`, `512K`) or by kind (`eeprom8k`,
//! `flash512k`), IMAGE any save file keepsake-format reads (raw, `.dsv`,
//! `.duc`, no$gba), brought to the chip's size without losing data; the chip
//! is blank (0xFF, as a new chip reads) without one. The image path is
//! everything after the second colon, so it may hold colons itself.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use keepsake_core::nds_card::KNOWN_FLASH_IDS;
use keepsake_core::sim::SimChip;
use keepsake_format::nds::{self, ChipKind};

/// One `--nds-card` value, parsed but not yet read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardSpec {
    pub game_code: String,
    pub chip: ChipKind,
    pub image: Option<PathBuf>,
}

/// Why a `--nds-card` value was refused (clap names the argument).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError(String);

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SpecError {}

/// A chip named by kind, as `nds info` prints them without the space.
fn chip_by_kind(name: &str) -> Option<ChipKind> {
    let lower = name.to_ascii_lowercase();
    ChipKind::ALL.into_iter().find(|chip| {
        let label = chip.label().to_ascii_lowercase().replace(' ', "");
        // "eeprom8kib" also answers to "eeprom8k"; "eeprom512b" to "eeprom512".
        label == lower
            || label.strip_suffix("ib") == Some(lower.as_str())
            || label.strip_suffix('b') == Some(lower.as_str())
    })
}

/// The chip a CHIP word names.
pub fn parse_chip(word: &str) -> Result<ChipKind, SpecError> {
    if let Some(chip) = chip_by_kind(word) {
        return Ok(chip);
    }
    word.parse::<ChipKind>().map_err(|e| {
        SpecError(format!(
            "{e}; or name the chip by kind: eeprom512, eeprom8k, eeprom64k, eeprom128k, flash256k, flash512k, flash1m, flash8m"
        ))
    })
}

impl FromStr for CardSpec {
    type Err = SpecError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let mut parts = text.splitn(3, ':');
        let code = parts.next().unwrap_or_default();
        let Some(chip) = parts.next() else {
            return Err(SpecError(
                "write it as CODE:CHIP or CODE:CHIP:IMAGE, e.g. ASNE:8K or ASNE:eeprom8k:usa.dsv"
                    .into(),
            ));
        };
        if code.len() != 4 || !code.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(SpecError(format!(
                "the game code {code:?} is not four letters or digits (like ASNE)"
            )));
        }
        let image = match parts.next() {
            Some("") => {
                return Err(SpecError(
                    "the image path after the second colon is empty".into(),
                ));
            }
            Some(path) => Some(PathBuf::from(path)),
            None => None,
        };
        Ok(Self {
            game_code: code.to_ascii_uppercase(),
            chip: parse_chip(chip)?,
            image,
        })
    }
}

/// The chip image for `spec` from the bytes of its IMAGE file (or blank).
pub fn chip_image(spec: &CardSpec, file: Option<&[u8]>) -> Result<Vec<u8>, String> {
    let Some(bytes) = file else {
        return Ok(vec![0xFF; spec.chip.capacity()]);
    };
    let save = nds::SaveFile::parse(bytes).map_err(|e| e.to_string())?;
    nds::resize(&save.payload, spec.chip, false).map_err(|e| {
        format!(
            "its {} save does not fit {} without losing data: {e}",
            save.container.name(),
            spec.chip
        )
    })
}

/// The simulated chip of `kind` holding `image` (at the chip's size).
pub fn sim_chip(kind: ChipKind, image: &[u8]) -> SimChip {
    match kind {
        ChipKind::Eeprom512B => SimChip::eeprom_512(image),
        ChipKind::Eeprom8K | ChipKind::Eeprom64K | ChipKind::Eeprom128K => {
            SimChip::eeprom(kind.capacity(), image)
        }
        flash => {
            let jedec = KNOWN_FLASH_IDS
                .iter()
                .find(|(_, k)| *k == flash)
                .map(|&(id, _)| id)
                .expect("every flash size has a known part");
            SimChip::flash(jedec, flash.capacity(), image)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chips_are_named_by_size_or_by_kind() {
        for (word, chip) in [
            ("8K", ChipKind::Eeprom8K),
            ("512K", ChipKind::Flash512K),
            ("512", ChipKind::Eeprom512B),
            ("eeprom8k", ChipKind::Eeprom8K),
            ("EEPROM64K", ChipKind::Eeprom64K),
            ("flash512k", ChipKind::Flash512K),
            ("flash1m", ChipKind::Flash1M),
            ("eeprom512", ChipKind::Eeprom512B),
        ] {
            assert_eq!(parse_chip(word), Ok(chip), "{word}");
        }
        assert!(parse_chip("flash8k").is_err());
        assert!(parse_chip("3K").is_err());
    }

    #[test]
    fn specs_split_at_the_first_two_colons() {
        let spec: CardSpec = "asne:8K:C:/saves/a:b.sav".parse().unwrap();
        assert_eq!(spec.game_code, "ASNE");
        assert_eq!(spec.chip, ChipKind::Eeprom8K);
        assert_eq!(spec.image, Some(PathBuf::from("C:/saves/a:b.sav")));
        let blank: CardSpec = "ASNE:flash512k".parse().unwrap();
        assert_eq!(blank.image, None);
        assert_eq!(
            chip_image(&blank, None).unwrap(),
            vec![0xFF; 512 * 1024],
            "a blank chip reads 0xFF"
        );
        for bad in ["ASNE", "ASN:8K", "AS/E:8K", "ASNE:9K", "ASNE:8K:"] {
            assert!(bad.parse::<CardSpec>().is_err(), "{bad}");
        }
    }

    #[test]
    fn flash_chips_get_a_part_the_detection_knows() {
        for kind in [
            ChipKind::Flash256K,
            ChipKind::Flash512K,
            ChipKind::Flash1M,
            ChipKind::Flash8M,
        ] {
            let chip = sim_chip(kind, &[]);
            assert_eq!(chip.memory().len(), kind.capacity());
        }
    }
}
