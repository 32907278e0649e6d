//! Conversion of a save image to a chip's size and a container.
//!
//! Growing pads with 0xFF, what an erased chip holds. Shrinking keeps the
//! first `capacity` bytes and is only done when every dropped byte is 0xFF
//! or the image is the kept part repeated: then growing the result back
//! gives the same bytes (a mirror comes back as 0xFF past the chip, which a
//! game addressing that chip never reads). A dropped run of 0x00 would come
//! back as 0xFF, so it counts as loss. A lossy conversion is refused with
//! the place and number of the bytes that would be lost, unless the caller
//! allows the loss.
//!
//! [`auto_size`] picks the chip for `--size auto`: the smallest lossless
//! one, never below a size the container states.

use serde::Serialize;
use thiserror::Error;

use super::analysis::{LostBytes, SizeAnalysis, lost_bytes};
use super::chip::{ChipKind, format_size};
use super::container::StatedSize;
use super::dsv;

/// The container a conversion writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum OutputFormat {
    /// The bare chip image, as a cartridge holds it and flashcarts read it.
    Raw,
    /// DeSmuME's `.dsv`.
    Dsv,
}

/// A conversion that was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ConvertError {
    #[error("the save is empty")]
    Empty,
    #[error(
        "converting the {} save to {target} would lose {}",
        format_size(*.len), describe_lost(.lost, .target.capacity())
    )]
    WouldLoseData {
        len: usize,
        target: ChipKind,
        lost: LostBytes,
    },
}

fn describe_lost(lost: &LostBytes, capacity: usize) -> String {
    let what = if lost.zeros {
        "of 0x00"
    } else {
        "of data, neither erased (0xFF) nor a mirror of the first part,"
    };
    let place = if lost.count == 1 {
        format!("1 byte {what} at offset {:#x}", lost.first_offset)
    } else {
        format!(
            "{} bytes {what} between offsets {:#x} and {:#x}",
            lost.count, lost.first_offset, lost.last_offset
        )
    };
    if lost.zeros {
        format!(
            "{place}: grown back, a chip holds 0xFF there, so a game that reads past {} would see other bytes",
            format_size(capacity)
        )
    } else {
        place
    }
}

/// `image` at exactly `target`'s capacity: padded with 0xFF, or cut down
/// when that loses nothing (or when `allow_loss` says to drop data anyway).
pub fn resize(image: &[u8], target: ChipKind, allow_loss: bool) -> Result<Vec<u8>, ConvertError> {
    if image.is_empty() {
        return Err(ConvertError::Empty);
    }
    let capacity = target.capacity();
    if !allow_loss && let Some(lost) = lost_bytes(image, capacity) {
        return Err(ConvertError::WouldLoseData {
            len: image.len(),
            target,
            lost,
        });
    }
    let mut out = Vec::with_capacity(capacity + dsv::FOOTER_LEN);
    let kept = image.len().min(capacity);
    out.extend_from_slice(&image[..kept]);
    out.resize(capacity, 0xFF);
    Ok(out)
}

/// `image` for a cartridge whose chip is `chip`, known from the cartridge
/// itself: as [`resize`], except that a dropped tail of 0x00 and 0xFF is
/// accepted, since the game cannot address past its own chip. Data past the
/// chip is still refused: the save is then not this game's, or damaged.
pub fn resize_onto_chip(image: &[u8], chip: ChipKind) -> Result<Vec<u8>, ConvertError> {
    match resize(image, chip, false) {
        Err(ConvertError::WouldLoseData { lost, .. }) if lost.zeros => resize(image, chip, true),
        other => other,
    }
}

/// `image` resized to `target` (see [`resize`]) and written as `format`.
pub fn convert(
    image: &[u8],
    target: ChipKind,
    format: OutputFormat,
    allow_loss: bool,
) -> Result<Vec<u8>, ConvertError> {
    let mut out = resize(image, target, allow_loss)?;
    if format == OutputFormat::Dsv {
        out.extend_from_slice(&dsv::DsvFooter::for_chip(target).to_bytes());
    }
    Ok(out)
}

/// The chip `--size auto` picks, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AutoSize {
    pub chip: ChipKind,
    /// The smallest chip that keeps every byte, when the save is not blank.
    pub smallest_lossless: Option<ChipKind>,
    /// The size the container states, when it states one.
    pub stated: Option<StatedSize>,
}

impl AutoSize {
    /// Why this chip, in words.
    pub fn reason(&self) -> String {
        match (&self.stated, self.smallest_lossless) {
            (Some(stated), Some(smallest)) if stated.chip > smallest => format!(
                "{} states {}; the data alone would fit {smallest}, but a smaller chip than the stated one could hide bytes the game reads",
                stated.source, stated.chip
            ),
            (Some(stated), None) => format!(
                "{} states {}; the save itself is blank",
                stated.source, stated.chip
            ),
            (Some(stated), Some(_)) if stated.chip == self.chip => format!(
                "the smallest chip that keeps every byte, as {} states",
                stated.source
            ),
            _ => "the smallest chip that keeps every byte".to_string(),
        }
    }
}

/// Why `--size auto` cannot pick a chip.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AutoSizeError {
    #[error(
        "the save is blank (every byte is {byte:#04x}) and its container states no size, so nothing tells its chip size"
    )]
    Blank { byte: u8 },
    #[error("no NDS save chip holds a {} save", format_size(*.len))]
    TooLarge { len: usize },
}

/// The chip for `--size auto`: the smallest that keeps every byte, raised
/// to the size the container states when that is larger. A blank save
/// takes the stated size, or none.
pub fn auto_size(
    analysis: &SizeAnalysis,
    stated: Option<StatedSize>,
) -> Result<AutoSize, AutoSizeError> {
    let smallest = if analysis.blank {
        None
    } else {
        Some(
            analysis
                .smallest_lossless()
                .ok_or(AutoSizeError::TooLarge { len: analysis.len })?,
        )
    };
    let chip = match (smallest, &stated) {
        (Some(smallest), Some(stated)) => smallest.max(stated.chip),
        (Some(smallest), None) => smallest,
        (None, Some(stated)) => stated.chip,
        (None, None) => {
            return Err(AutoSizeError::Blank {
                byte: analysis.padding.map_or(0xFF, |p| p.byte),
            });
        }
    };
    Ok(AutoSize {
        chip,
        smallest_lossless: smallest,
        stated,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nds::{Container, SaveFile, analyze};
    use keepsake_testkit::rand::Rng;
    use keepsake_testkit::{fixture_or_skip, fixtures, rng};

    fn game_image(rng: &mut impl Rng, chip: ChipKind) -> Vec<u8> {
        let mut image = vec![0u8; chip.capacity()];
        rng.fill(&mut image[..]);
        image
    }

    fn random_chip(rng: &mut impl Rng, max: usize) -> ChipKind {
        let chips: Vec<ChipKind> = ChipKind::ALL
            .into_iter()
            .filter(|c| c.capacity() <= max)
            .collect();
        chips[rng.random_range(0..chips.len())]
    }

    #[test]
    fn raw_to_dsv_to_raw_is_identity() {
        let mut rng = rng::for_test("raw_to_dsv_to_raw_is_identity");
        for _ in 0..30 {
            let chip = random_chip(&mut rng, 1 << 20);
            let image = game_image(&mut rng, chip);
            let dsv = convert(&image, chip, OutputFormat::Dsv, false).unwrap();
            assert_eq!(dsv.len(), chip.capacity() + dsv::FOOTER_LEN);
            let parsed = SaveFile::parse(&dsv).unwrap();
            let Container::Dsv(footer) = parsed.container else {
                panic!("not read back as .dsv");
            };
            assert_eq!(footer.padded_size as usize, chip.capacity());
            let raw = convert(&parsed.payload, chip, OutputFormat::Raw, false).unwrap();
            assert_eq!(raw, image, "{chip}");
        }
    }

    #[test]
    fn pad_then_trim_is_identity() {
        let mut rng = rng::for_test("pad_then_trim_is_identity");
        for _ in 0..30 {
            let small = random_chip(&mut rng, 128 << 10);
            let large = random_chip(&mut rng, 1 << 20);
            let (small, large) = if small <= large {
                (small, large)
            } else {
                (large, small)
            };
            let image = game_image(&mut rng, small);
            let padded = resize(&image, large, false).unwrap();
            assert_eq!(padded.len(), large.capacity());
            assert_eq!(&padded[..image.len()], &image[..]);
            assert!(padded[image.len()..].iter().all(|&b| b == 0xFF));
            assert!(analyze(&padded).converts_losslessly_to(small));
            assert_eq!(resize(&padded, small, false).unwrap(), image);
        }
    }

    #[test]
    fn one_data_byte_past_the_target_is_refused_and_named() {
        let mut rng = rng::for_test("one_data_byte_past_the_target");
        for _ in 0..50 {
            let small = random_chip(&mut rng, 64 << 10);
            let image = game_image(&mut rng, small);
            let mut padded = resize(&image, ChipKind::Flash512K, false).unwrap();
            let at = rng.random_range(small.capacity()..padded.len());
            let value = rng.random_range(0..0xFF);
            padded[at] = value;
            let err = resize(&padded, small, false).unwrap_err();
            assert_eq!(
                err,
                ConvertError::WouldLoseData {
                    len: 512 << 10,
                    target: small,
                    lost: LostBytes {
                        first_offset: at,
                        last_offset: at,
                        count: 1,
                        zeros: value == 0,
                    }
                }
            );
            let message = err.to_string();
            assert!(message.contains(&format!("at offset {at:#x}")), "{message}");
            assert!(
                message.starts_with("converting the 512 KiB save"),
                "{message}"
            );
            assert!(!analyze(&padded).converts_losslessly_to(small));
            // Allowed, it keeps the first part and drops the rest.
            assert_eq!(resize(&padded, small, true).unwrap(), image);
        }
    }

    #[test]
    fn a_mirrored_image_shrinks_to_one_copy() {
        let mut rng = rng::for_test("a_mirrored_image_shrinks");
        let image = game_image(&mut rng, ChipKind::Eeprom8K);
        let mirrored = image.repeat(64);
        assert_eq!(resize(&mirrored, ChipKind::Eeprom8K, false).unwrap(), image);
        assert_eq!(
            resize(&mirrored, ChipKind::Eeprom64K, false).unwrap(),
            image.repeat(8)
        );
        // 512 bytes is not a mirror unit of random 8 KiB data.
        assert!(resize(&mirrored, ChipKind::Eeprom512B, false).is_err());
    }

    #[test]
    fn a_zero_tail_is_never_dropped_without_leave() {
        // 8 KiB whose data ends at 0x94, then 0x00: the DeSmuME save the old
        // `auto` cut to 512 B and, grown back, turned 0x00 into 0xFF.
        let mut image = vec![0u8; 8192];
        image[..0x94].fill(0x33);
        let err = resize(&image, ChipKind::Eeprom512B, false).unwrap_err();
        let message = err.to_string();
        assert_eq!(
            message,
            "converting the 8 KiB save to EEPROM 512 B would lose 7680 bytes of 0x00 between \
             offsets 0x200 and 0x1fff: grown back, a chip holds 0xFF there, so a game that \
             reads past 512 B would see other bytes"
                .replace("EEPROM 512 B", &ChipKind::Eeprom512B.to_string())
        );
        let auto = auto_size(&analyze(&image), None).unwrap();
        assert_eq!(auto.chip, ChipKind::Eeprom8K);
        assert_eq!(resize(&image, auto.chip, false).unwrap(), image);
    }

    #[test]
    fn onto_a_known_chip_a_zero_tail_past_it_is_dropped_but_data_is_not() {
        // A flashcart's 512 KiB save of an 8 KiB game, zero-filled after the
        // game's data, restored onto the game's own 8 KiB EEPROM.
        let mut image = vec![0u8; 512 << 10];
        image[..8192].fill(0x5A);
        image[100 << 10] = 0xFF;
        let out = resize_onto_chip(&image, ChipKind::Eeprom8K).unwrap();
        assert_eq!(out, vec![0x5A; 8192]);
        image[200 << 10] = 0x01;
        assert!(matches!(
            resize_onto_chip(&image, ChipKind::Eeprom8K),
            Err(ConvertError::WouldLoseData { lost, .. }) if !lost.zeros && lost.count == (512 << 10) - 8192 - 1
        ));
    }

    #[test]
    fn lost_bytes_counts_every_byte_that_is_not_erased() {
        let mut image = vec![0xFFu8; 2048];
        image[600] = 1;
        image[700] = 0;
        image[1500] = 2;
        assert_eq!(
            lost_bytes(&image, 512),
            Some(LostBytes {
                first_offset: 600,
                last_offset: 1500,
                count: 3,
                zeros: false,
            })
        );
        let mut zeros = vec![0u8; 2048];
        zeros[1000] = 0xFF;
        assert_eq!(
            lost_bytes(&zeros, 512),
            Some(LostBytes {
                first_offset: 512,
                last_offset: 2047,
                count: 2048 - 512 - 1,
                zeros: true,
            })
        );
        assert_eq!(
            resize(&[], ChipKind::Eeprom8K, true),
            Err(ConvertError::Empty)
        );
    }

    /// The chip size each shared fixture's container states, read by hand
    /// from the fixtures README and the files' footers (DeSmuME type 2 and
    /// 3; .duc saves of 8192 and 65536 bytes after the 500-byte header).
    const STATED: [(&str, usize); 2] = [
        ("sonic-rush", 8 << 10),
        ("castlevania-portrait-of-ruin", 64 << 10),
    ];

    #[test]
    fn every_shared_dsv_and_duc_converts_with_auto_to_its_stated_size() {
        for (game, size) in STATED {
            let Some(files) = fixtures::files_in(&format!("nds/{game}")) else {
                return;
            };
            let mut checked = 0;
            for path in files {
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                let header_len = match path.extension().and_then(|e| e.to_str()) {
                    Some("duc") if name != "bad.duc" => 500,
                    Some("dsv") => 0,
                    _ => continue,
                };
                let file = std::fs::read(&path).unwrap();
                // The image as the file holds it, cut by hand: after the
                // .duc header, or before the 122-byte .dsv footer.
                let expected = &file[header_len..header_len + size];
                let save = SaveFile::parse(&file).unwrap();
                let stated = save.container.stated_size(save.payload.len());
                let auto = auto_size(&analyze(&save.payload), stated).unwrap();
                assert_eq!(auto.chip.capacity(), size, "{game}/{name}");
                let raw = convert(&save.payload, auto.chip, OutputFormat::Raw, false).unwrap();
                assert_eq!(&raw[..], expected, "{game}/{name}");
                checked += 1;
            }
            assert!(checked >= 7, "{game}: only {checked} files");
        }
    }

    #[test]
    fn a_dsv_footer_is_a_floor_for_auto() {
        // 8 KiB chip, data only in the first 0x94 bytes, erased after: the
        // data alone would fit 512 B, the footer says 8 KiB.
        let mut image = vec![0xFFu8; 8192];
        image[..0x94].fill(0x21);
        let file = dsv::encode(&image).unwrap();
        let save = SaveFile::parse(&file).unwrap();
        let stated = save.container.stated_size(save.payload.len()).unwrap();
        assert_eq!(stated.chip, ChipKind::Eeprom8K);
        let analysis = analyze(&save.payload);
        assert_eq!(analysis.smallest_lossless(), Some(ChipKind::Eeprom512B));
        let auto = auto_size(&analysis, Some(stated)).unwrap();
        assert_eq!(auto.chip, ChipKind::Eeprom8K);
        assert!(
            auto.reason().contains("the .dsv footer"),
            "{}",
            auto.reason()
        );
        // Blank with a stated size takes it; blank without one is refused.
        let blank = dsv::encode(&[0xFF; 512]).unwrap();
        let save = SaveFile::parse(&blank).unwrap();
        let stated = save.container.stated_size(512);
        assert_eq!(
            auto_size(&analyze(&save.payload), stated).unwrap().chip,
            ChipKind::Eeprom512B
        );
        assert_eq!(
            auto_size(&analyze(&[0u8; 512]), None),
            Err(AutoSizeError::Blank { byte: 0 })
        );
    }

    /// An image of `chip`'s size in one of the shapes real saves have.
    fn shaped_image(rng: &mut impl Rng, chip: ChipKind) -> (Vec<u8>, &'static str) {
        let len = chip.capacity();
        let mut image = game_image(rng, chip);
        let end = rng.random_range(0..=len);
        let shape = match rng.random_range(0..7) {
            0 => {
                image[end..].fill(0xFF);
                "data then 0xFF"
            }
            1 => {
                image[end..].fill(0x00);
                "data then 0x00"
            }
            2 => {
                let mid = rng.random_range(end..=len);
                image[end..mid].fill(0x00);
                image[mid..].fill(0xFF);
                "data, 0x00, then 0xFF"
            }
            3 => {
                let mid = rng.random_range(end..=len);
                image[end..mid].fill(0xFF);
                image[mid..].fill(0x00);
                "data, 0xFF, then 0x00"
            }
            4 => {
                image.fill(if rng.random_bool(0.5) { 0xFF } else { 0x00 });
                "blank"
            }
            5 if len > 512 => {
                let unit = ChipKind::ALL[rng.random_range(0..ChipKind::ALL.len())].capacity();
                let unit = unit.min(len / 2);
                let copy = image[..unit].to_vec();
                for chunk in image.chunks_mut(unit) {
                    chunk.copy_from_slice(&copy);
                }
                "mirrored"
            }
            _ => "random data",
        };
        (image, shape)
    }

    #[test]
    fn auto_then_back_to_the_original_size_gives_the_original_bytes() {
        let mut rng = rng::for_test("auto_then_back");
        for case in 0..400 {
            let chip = random_chip(&mut rng, 256 << 10);
            let (image, shape) = shaped_image(&mut rng, chip);
            // Half the cases in a .dsv, whose footer states the chip.
            let file = if rng.random_bool(0.5) {
                dsv::encode(&image).unwrap()
            } else {
                image.clone()
            };
            let save = SaveFile::parse(&file).unwrap();
            let stated = save.container.stated_size(save.payload.len());
            let analysis = analyze(&save.payload);
            let auto = match auto_size(&analysis, stated.clone()) {
                Ok(auto) => auto,
                Err(AutoSizeError::Blank { .. }) => {
                    assert!(stated.is_none() && image.iter().all(|&b| b == image[0]));
                    continue;
                }
                Err(e) => panic!("case {case} ({shape}): {e}"),
            };
            if let Some(stated) = &stated {
                assert!(auto.chip >= stated.chip, "case {case}: below the footer");
            }
            let small = resize(&save.payload, auto.chip, false)
                .unwrap_or_else(|e| panic!("case {case} ({shape}): {e}"));
            let back = resize(&small, chip, false).unwrap();
            if back != image {
                // Only a mirror may come back otherwise: the original is
                // then the kept part repeated, byte for byte.
                let repeated: Vec<u8> = small.iter().copied().cycle().take(image.len()).collect();
                assert_eq!(repeated, image, "case {case} ({shape}) to {}", auto.chip);
                assert!(analysis.mirror_of.is_some(), "case {case} ({shape})");
            }
        }
    }

    #[test]
    fn fixtures_convert_to_their_chip_and_refuse_smaller_ones() {
        let file = fixture_or_skip!("nds/sonic-rush/europe.dsv");
        let save = SaveFile::parse(&file).unwrap();
        let raw = convert(&save.payload, ChipKind::Eeprom8K, OutputFormat::Raw, false).unwrap();
        assert_eq!(&raw[..], &file[..8192]);
        let dsv = convert(&save.payload, ChipKind::Eeprom8K, OutputFormat::Dsv, false).unwrap();
        // Byte-identical to DeSmuME's file but for the odd `size` field.
        assert_eq!(&dsv[..8192 + 82], &file[..8192 + 82]);
        assert_eq!(&dsv[8192 + 86..], &file[8192 + 86..]);
        assert!(matches!(
            convert(
                &save.payload,
                ChipKind::Eeprom512B,
                OutputFormat::Raw,
                false
            ),
            Err(ConvertError::WouldLoseData { .. })
        ));
        // Up to a 512 KiB flashcart image and back.
        let big = convert(&save.payload, ChipKind::Flash512K, OutputFormat::Raw, false).unwrap();
        let back = convert(&big, ChipKind::Eeprom8K, OutputFormat::Raw, false).unwrap();
        assert_eq!(back, raw);
    }
}
