//! Size analysis of a save image: what its length hides.
//!
//! A save is often longer than its chip. Two kinds of filler are known:
//! - trailing padding: a run of 0xFF (erased flash, emulators' default) or
//!   0x00 up to the end, after the last byte the game wrote;
//! - mirroring: a dump of a small EEPROM read with a larger address range
//!   wraps around, so the whole image is the chip's image repeated.
//!
//! From those follow the chip capacities the image converts to without
//! losing a byte: every capacity at least as long as the image (padding up),
//! and every shorter one where what is cut off is padding or an exact
//! repetition of what is kept.

use serde::Serialize;

use super::chip::ChipKind;

/// A run of one filler byte at the end of an image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Padding {
    /// 0xFF or 0x00.
    pub byte: u8,
    /// Offset of the run's first byte.
    pub start: usize,
    /// Length of the run, up to the end of the image.
    pub len: usize,
}

/// What an image's length hides, and which chips it fits losslessly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SizeAnalysis {
    /// The image length.
    pub len: usize,
    /// The trailing run of 0xFF or 0x00, when the image ends in one.
    pub padding: Option<Padding>,
    /// Every byte is the same filler: nothing was ever saved.
    pub blank: bool,
    /// When the image is a shorter image repeated (the last repetition may
    /// be cut short): the shortest such repeat length, a power of two of at
    /// least 512 bytes.
    pub mirror_of: Option<usize>,
    /// Chip capacities the image converts to without loss, smallest first.
    pub lossless: Vec<ChipKind>,
}

impl SizeAnalysis {
    /// Whether converting to `chip` keeps every byte of the save.
    pub fn converts_losslessly_to(&self, chip: ChipKind) -> bool {
        self.lossless.contains(&chip)
    }

    /// The smallest chip the image converts to without loss.
    pub fn smallest_lossless(&self) -> Option<ChipKind> {
        self.lossless.first().copied()
    }

    /// Where the data ends: the image length less its trailing padding.
    pub fn content_end(&self) -> usize {
        self.len - self.padding.map_or(0, |p| p.len)
    }
}

/// Analyzes `image`. Linear in its length, and most images are decided in
/// far less: the padding scan stops at the last data byte, and the mirror
/// check at the first difference.
pub fn analyze(image: &[u8]) -> SizeAnalysis {
    let len = image.len();
    let padding = trailing_padding(image);
    let content_end = len - padding.map_or(0, |p| p.len);
    let mirror_of = mirror_period(image);
    let lossless = ChipKind::ALL
        .into_iter()
        .filter(|chip| {
            let capacity = chip.capacity();
            capacity >= len
                || content_end <= capacity
                || mirror_of.is_some_and(|period| capacity % period == 0)
        })
        .collect();
    SizeAnalysis {
        len,
        padding,
        blank: len > 0 && content_end == 0,
        mirror_of,
        lossless,
    }
}

/// The trailing run of 0xFF or 0x00 (whichever the image ends with).
pub fn trailing_padding(image: &[u8]) -> Option<Padding> {
    let &last = image.last()?;
    if last != 0xFF && last != 0x00 {
        return None;
    }
    let run = trailing_run(image, last);
    Some(Padding {
        byte: last,
        start: image.len() - run,
        len: run,
    })
}

/// How many bytes at the end of `data` equal `byte`.
pub(crate) fn trailing_run(data: &[u8], byte: u8) -> usize {
    const BLOCK: usize = 64;
    let mut run = 0;
    let mut blocks = data.rchunks_exact(BLOCK);
    for block in &mut blocks {
        if all_equal(block, byte) {
            run += BLOCK;
        } else {
            return run + block.iter().rev().take_while(|&&b| b == byte).count();
        }
    }
    run + blocks
        .remainder()
        .iter()
        .rev()
        .take_while(|&&b| b == byte)
        .count()
}

/// Whether every byte of `data` is `byte`; works in blocks without an early
/// exit inside a block, so the compiler can vectorise it.
pub(crate) fn all_equal(data: &[u8], byte: u8) -> bool {
    data.chunks(4096)
        .all(|chunk| chunk.iter().fold(true, |same, &b| same & (b == byte)))
}

/// Whether `image` is its first `period` bytes repeated (a final partial
/// repetition included).
pub(crate) fn is_periodic(image: &[u8], period: usize) -> bool {
    period > 0 && period <= image.len() && image[period..] == image[..image.len() - period]
}

/// The shortest power-of-two length of at least 512 bytes whose repetition
/// is the whole image, when shorter than the image.
fn mirror_period(image: &[u8]) -> Option<usize> {
    let len = image.len();
    if len.is_power_of_two() {
        // Repeats of length p/2 imply repeats of p, so halve while the two
        // halves of the current unit agree: at most len bytes compared.
        let mut period = len;
        while period / 2 >= ChipKind::SMALLEST_CAPACITY
            && image[period / 2..period] == image[..period / 2]
        {
            period /= 2;
        }
        (period < len).then_some(period)
    } else {
        // Odd lengths (a no$gba save cut to what was written): the image
        // is a chip's image repeated, the last repetition cut short.
        ChipKind::ALL
            .into_iter()
            .map(ChipKind::capacity)
            .filter(|&c| c < len)
            .find(|&c| is_periodic(image, c))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use keepsake_testkit::rand::Rng;
    use keepsake_testkit::{fixture_or_skip, rng};

    fn random_image(rng: &mut impl Rng, len: usize) -> Vec<u8> {
        let mut image = vec![0u8; len];
        rng.fill(&mut image[..]);
        image
    }

    #[test]
    fn sonic_rush_is_8k_of_data_padded_with_ff() {
        let file = fixture_or_skip!("nds/sonic-rush/usa.dsv");
        let image = &file[..8192];
        let analysis = analyze(image);
        let padding = analysis.padding.expect("the fixture ends in 0xFF");
        assert_eq!(padding.byte, 0xFF);
        assert!(padding.start < 8192 && padding.start > 0);
        // The byte before the run is data.
        assert_ne!(image[padding.start - 1], 0xFF);
        assert!(!analysis.blank);
        assert_eq!(analysis.mirror_of, None);
        // Data ends somewhere past 512 bytes: 8 KiB is the smallest fit.
        assert_eq!(analysis.smallest_lossless(), Some(ChipKind::Eeprom8K));
    }

    #[test]
    fn castlevania_images_end_in_zero_padding() {
        let file = fixture_or_skip!("nds/castlevania-portrait-of-ruin/usa.dsv");
        let image = &file[..65536];
        let analysis = analyze(image);
        assert_eq!(analysis.padding.map(|p| p.byte), Some(0x00));
        assert_eq!(analysis.len, 65536);
        assert!(analysis.converts_losslessly_to(ChipKind::Eeprom64K));
        assert!(analysis.converts_losslessly_to(ChipKind::Flash8M));
        let end = analysis.content_end();
        // Every capacity below the content end is refused, every one above kept.
        for chip in ChipKind::ALL {
            assert_eq!(
                analysis.converts_losslessly_to(chip),
                chip.capacity() >= end,
                "{chip} with data ending at {end:#x}"
            );
        }
    }

    #[test]
    fn padding_is_found_exactly_on_random_images() {
        let mut rng = rng::for_test("padding_is_found_exactly");
        for _ in 0..300 {
            let len = rng.random_range(1..5000);
            let data_end = rng.random_range(0..=len);
            let byte = if rng.random_bool(0.5) { 0xFF } else { 0x00 };
            let mut image = random_image(&mut rng, len);
            image[data_end..].fill(byte);
            if data_end > 0 && image[data_end - 1] == byte {
                image[data_end - 1] ^= 0x5A;
            }
            let analysis = analyze(&image);
            assert_eq!(analysis.content_end(), data_end, "len {len}");
            assert_eq!(analysis.blank, data_end == 0);
            if data_end < len {
                assert_eq!(analysis.padding.unwrap().byte, byte);
            }
        }
    }

    #[test]
    fn a_mirrored_image_reports_its_true_size() {
        let mut rng = rng::for_test("a_mirrored_image_reports_its_true_size");
        for _ in 0..40 {
            let unit_chip = ChipKind::ALL[rng.random_range(0..4)];
            let unit = unit_chip.capacity();
            let larger: Vec<ChipKind> = ChipKind::ALL
                .into_iter()
                .filter(|c| c.capacity() > unit && c.capacity() <= 1 << 20)
                .collect();
            let outer = larger[rng.random_range(0..larger.len())];
            let mut chip_image = random_image(&mut rng, unit);
            // Make sure the unit is not itself a repetition, and not padding.
            chip_image[0] = 0x01;
            chip_image[unit - 1] = 0x02;
            let image = chip_image.repeat(outer.capacity() / unit);
            let analysis = analyze(&image);
            assert_eq!(analysis.mirror_of, Some(unit), "{unit_chip} in {outer}");
            assert_eq!(analysis.smallest_lossless(), Some(unit_chip));
            assert_eq!(analysis.padding, None);
            // One changed byte in any copy breaks the mirror.
            let mut broken = image.clone();
            let at = rng.random_range(unit..image.len());
            broken[at] ^= 0x80;
            let analysis = analyze(&broken);
            assert_eq!(analysis.mirror_of, None, "changed {at:#x}");
            assert_eq!(analysis.smallest_lossless(), Some(outer));
        }
    }

    #[test]
    fn a_blank_image_fits_every_chip() {
        let analysis = analyze(&[0xFF; 8192]);
        assert!(analysis.blank);
        assert_eq!(analysis.lossless, ChipKind::ALL.to_vec());
        assert_eq!(analysis.smallest_lossless(), Some(ChipKind::Eeprom512B));
    }

    #[test]
    fn odd_lengths_mirror_chip_repeats_even_when_the_last_is_cut() {
        let unit: Vec<u8> = (0..512u32).map(|i| (i % 200 + 1) as u8).collect();
        let image = unit.repeat(3);
        assert_eq!(analyze(&image).mirror_of, Some(512));
        let mut partial = image.clone();
        partial.truncate(1300);
        let analysis = analyze(&partial);
        assert_eq!(analysis.mirror_of, Some(512));
        assert_eq!(analysis.smallest_lossless(), Some(ChipKind::Eeprom512B));
        partial[1299] ^= 1;
        assert_eq!(analyze(&partial).mirror_of, None);
    }

    #[test]
    fn trailing_run_agrees_with_a_byte_by_byte_count() {
        let mut rng = rng::for_test("trailing_run_agrees");
        for _ in 0..500 {
            let len = rng.random_range(0..700);
            let mut data = vec![0xFFu8; len];
            for _ in 0..rng.random_range(0..3) {
                if len > 0 {
                    let at = rng.random_range(0..len);
                    data[at] = rng.random();
                }
            }
            let expected = data.iter().rev().take_while(|&&b| b == 0xFF).count();
            assert_eq!(trailing_run(&data, 0xFF), expected);
            assert_eq!(all_equal(&data, 0xFF), expected == len);
        }
    }
}
