//! Conversion of a save image to a chip's size and a container.
//!
//! Growing pads with 0xFF, what an erased chip holds. Shrinking keeps the
//! first `capacity` bytes and is only done when every dropped byte is
//! padding (all 0xFF or all 0x00) or the image is the kept part repeated.
//! Otherwise the conversion is refused with the place and number of the
//! bytes that would be lost, unless the caller forces it.

use serde::Serialize;
use thiserror::Error;

use super::analysis::{all_equal, is_periodic};
use super::chip::{ChipKind, format_size};
use super::dsv;

/// The container a conversion writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum OutputFormat {
    /// The bare chip image, as a cartridge holds it and flashcarts read it.
    Raw,
    /// DeSmuME's `.dsv`.
    Dsv,
}

/// The bytes a shrinking conversion would drop that are neither padding
/// nor a mirror of the kept part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LostBytes {
    /// Offset of the first such byte.
    pub first_offset: usize,
    /// Offset of the last such byte.
    pub last_offset: usize,
    /// How many such bytes there are (bytes that differ from the filler the
    /// dropped part mostly holds, 0xFF or 0x00).
    pub count: usize,
}

/// A conversion that was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ConvertError {
    #[error("the save is empty")]
    Empty,
    #[error(
        "converting the {} save to {target} would lose {} that is neither padding nor a mirror of the first {}",
        format_size(*.len), describe_lost(.lost), format_size(.target.capacity())
    )]
    WouldLoseData {
        len: usize,
        target: ChipKind,
        lost: LostBytes,
    },
}

fn describe_lost(lost: &LostBytes) -> String {
    if lost.count == 1 {
        format!("1 byte of data at offset {:#x}", lost.first_offset)
    } else {
        format!(
            "{} bytes of data between offsets {:#x} and {:#x}",
            lost.count, lost.first_offset, lost.last_offset
        )
    }
}

/// What shrinking `image` to `capacity` would lose, or `None` when nothing
/// (the image is no longer than `capacity`, the dropped part is padding, or
/// the image repeats its first `capacity` bytes).
pub fn lost_bytes(image: &[u8], capacity: usize) -> Option<LostBytes> {
    if image.len() <= capacity {
        return None;
    }
    let dropped = &image[capacity..];
    if all_equal(dropped, 0xFF) || all_equal(dropped, 0x00) || is_periodic(image, capacity) {
        return None;
    }
    // Measure against the filler the dropped part holds more of.
    let not_ff = dropped.iter().filter(|&&b| b != 0xFF).count();
    let not_00 = dropped.iter().filter(|&&b| b != 0x00).count();
    let filler = if not_ff <= not_00 { 0xFF } else { 0x00 };
    let first = dropped.iter().position(|&b| b != filler)?;
    let last = dropped.iter().rposition(|&b| b != filler)?;
    Some(LostBytes {
        first_offset: capacity + first,
        last_offset: capacity + last,
        count: not_ff.min(not_00),
    })
}

/// `image` at exactly `target`'s capacity: padded with 0xFF, or cut down
/// when that loses nothing (or when `force` says to drop data anyway).
pub fn resize(image: &[u8], target: ChipKind, force: bool) -> Result<Vec<u8>, ConvertError> {
    if image.is_empty() {
        return Err(ConvertError::Empty);
    }
    let capacity = target.capacity();
    if !force && let Some(lost) = lost_bytes(image, capacity) {
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

/// `image` resized to `target` (see [`resize`]) and written as `format`.
pub fn convert(
    image: &[u8],
    target: ChipKind,
    format: OutputFormat,
    force: bool,
) -> Result<Vec<u8>, ConvertError> {
    let mut out = resize(image, target, force)?;
    if format == OutputFormat::Dsv {
        out.extend_from_slice(&dsv::DsvFooter::for_chip(target).to_bytes());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nds::{Container, SaveFile, analyze};
    use keepsake_testkit::rand::Rng;
    use keepsake_testkit::{fixture_or_skip, rng};

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
                        count: 1
                    }
                }
            );
            let message = err.to_string();
            assert!(
                message.contains(&format!("1 byte of data at offset {at:#x}")),
                "{message}"
            );
            assert!(!analyze(&padded).converts_losslessly_to(small));
            // Forced, it keeps the first part and drops the rest.
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
    fn zero_padding_may_be_dropped_too() {
        let mut image = vec![0u8; 64 << 10];
        image[..100].fill(0x33);
        let out = resize(&image, ChipKind::Eeprom512B, false).unwrap();
        assert_eq!(&out[..100], &[0x33; 100]);
        assert_eq!(&out[100..], &[0u8; 412][..]);
    }

    #[test]
    fn lost_bytes_counts_against_the_majority_filler() {
        let mut image = vec![0xFFu8; 2048];
        image[600] = 1;
        image[700] = 0;
        image[1500] = 2;
        assert_eq!(
            lost_bytes(&image, 512),
            Some(LostBytes {
                first_offset: 600,
                last_offset: 1500,
                count: 3
            })
        );
        let mut zeros = vec![0u8; 2048];
        zeros[1000] = 0xFF;
        assert_eq!(
            lost_bytes(&zeros, 512),
            Some(LostBytes {
                first_offset: 1000,
                last_offset: 1000,
                count: 1
            })
        );
        assert_eq!(
            resize(&[], ChipKind::Eeprom8K, true),
            Err(ConvertError::Empty)
        );
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
