//! Size analysis of a save image: what its length hides.
//!
//! A save is often longer than its chip. Two kinds of filler are known:
//! - trailing padding: a run of 0xFF (erased flash, emulators' default) or
//!   0x00 up to the end, after the last byte the game wrote;
//! - mirroring: a dump of a small EEPROM read with a larger address range
//!   wraps around, so the whole image is the chip's image repeated.
//!
//! Only erased bytes (0xFF) and mirrored copies may be cut off without
//! loss. A trailing 0x00 run is reported, but it is kept: growing a save
//! back (onto a chip, or for a flashcart) pads with 0xFF, what an erased
//! chip holds, so a cut 0x00 run would come back as 0xFF, and a game that
//! reads those bytes would see others.
//!
//! From those follow the chip capacities the image converts to without
//! losing a byte: every capacity at least as long as the image (padding up),
//! and every shorter one where what is cut off is 0xFF or an exact
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

/// The bytes a shrinking conversion would drop that are neither erased
/// (0xFF) nor a mirror of the kept part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LostBytes {
    /// Offset of the first such byte.
    pub first_offset: usize,
    /// Offset of the last such byte.
    pub last_offset: usize,
    /// How many such bytes there are (bytes other than 0xFF).
    pub count: usize,
    /// Every one of them is 0x00: a zero-filled tail, which a chip grown
    /// back would hold as 0xFF.
    pub zeros: bool,
}

/// What converting an image to one chip does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fit {
    /// The image is exactly the chip's size.
    Exact,
    /// The chip is larger: the image is padded with `added` bytes of 0xFF.
    Grows { added: usize },
    /// The chip is smaller and everything past it is 0xFF.
    DropsErased { dropped: usize },
    /// The chip is smaller and everything past it repeats the kept part.
    DropsMirrors { unit: usize },
    /// The chip is smaller and bytes past it would be lost.
    Loses(LostBytes),
}

impl Fit {
    /// Whether the conversion keeps every byte the game can read.
    pub fn is_lossless(&self) -> bool {
        !matches!(self, Fit::Loses(_))
    }
}

/// One chip and what converting the image to it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ChipFit {
    pub chip: ChipKind,
    pub fit: Fit,
}

/// What an image's length hides, and which chips it fits losslessly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SizeAnalysis {
    /// The image length.
    pub len: usize,
    /// The trailing run of 0xFF or 0x00, when the image ends in one.
    pub padding: Option<Padding>,
    /// Every byte is the same filler (0xFF or 0x00): nothing was ever saved.
    pub blank: bool,
    /// Where the trailing run of erased bytes (0xFF) starts; the image
    /// length when it does not end in 0xFF. Nothing before it may be cut.
    pub erased_from: usize,
    /// When the image is a shorter image repeated (the last repetition may
    /// be cut short): the shortest such repeat length, a power of two of at
    /// least 512 bytes. A blank image is not taken for a mirror.
    pub mirror_of: Option<usize>,
    /// Every chip, smallest first, with what converting to it does.
    pub fits: Vec<ChipFit>,
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

    /// Where the data ends: the image length less its trailing padding
    /// (0xFF or 0x00).
    pub fn content_end(&self) -> usize {
        self.len - self.padding.map_or(0, |p| p.len)
    }

    /// What converting to `chip` does.
    pub fn fit(&self, chip: ChipKind) -> Fit {
        self.fits
            .iter()
            .find(|f| f.chip == chip)
            .map(|f| f.fit)
            .expect("every chip is analysed")
    }
}

/// Analyzes `image`. Linear in its length for each chip smaller than the
/// image, and most images are decided in far less: the padding scan stops
/// at the last data byte, and the mirror check at the first difference.
pub fn analyze(image: &[u8]) -> SizeAnalysis {
    let len = image.len();
    let padding = trailing_padding(image);
    let content_end = len - padding.map_or(0, |p| p.len);
    let blank = len > 0 && content_end == 0;
    let erased_from = len - trailing_run(image, 0xFF);
    let mirror_of = if blank { None } else { mirror_period(image) };
    let fits: Vec<ChipFit> = ChipKind::ALL
        .into_iter()
        .map(|chip| {
            let capacity = chip.capacity();
            let fit = if capacity == len {
                Fit::Exact
            } else if capacity > len {
                Fit::Grows {
                    added: capacity - len,
                }
            } else if erased_from <= capacity {
                Fit::DropsErased {
                    dropped: len - capacity,
                }
            } else if let Some(unit) = mirror_of.filter(|unit| capacity % unit == 0) {
                Fit::DropsMirrors { unit }
            } else {
                Fit::Loses(lost_past(image, capacity))
            };
            ChipFit { chip, fit }
        })
        .collect();
    let lossless = fits
        .iter()
        .filter(|f| f.fit.is_lossless())
        .map(|f| f.chip)
        .collect();
    SizeAnalysis {
        len,
        padding,
        blank,
        erased_from,
        mirror_of,
        fits,
        lossless,
    }
}

/// What shrinking `image` to `capacity` would lose, or `None` when nothing
/// (the image is no longer than `capacity`, the dropped part is erased, or
/// the image repeats its first `capacity` bytes).
pub fn lost_bytes(image: &[u8], capacity: usize) -> Option<LostBytes> {
    if image.len() <= capacity {
        return None;
    }
    let dropped = &image[capacity..];
    if all_equal(dropped, 0xFF) || (!all_equal(image, 0x00) && is_periodic(image, capacity)) {
        return None;
    }
    Some(lost_past(image, capacity))
}

/// The bytes other than 0xFF past `capacity`; there is at least one.
fn lost_past(image: &[u8], capacity: usize) -> LostBytes {
    let dropped = &image[capacity..];
    let first = dropped.iter().position(|&b| b != 0xFF).unwrap_or(0);
    let last = dropped.iter().rposition(|&b| b != 0xFF).unwrap_or(0);
    let mut count = 0;
    let mut zeros = true;
    for &b in dropped {
        count += usize::from(b != 0xFF);
        zeros &= b == 0xFF || b == 0x00;
    }
    LostBytes {
        first_offset: capacity + first,
        last_offset: capacity + last,
        count,
        zeros,
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
        // Data ends at 0xe1e0 (read by hand from the file); the 0x00 run
        // after it is kept, since a chip grown back would hold 0xFF there.
        assert_eq!(analysis.content_end(), 0xe1e0);
        assert_eq!(analysis.erased_from, 65536);
        for chip in ChipKind::ALL {
            assert_eq!(
                analysis.converts_losslessly_to(chip),
                chip.capacity() >= 65536,
                "{chip}"
            );
        }
        let Fit::Loses(lost) = analysis.fit(ChipKind::Eeprom8K) else {
            panic!("8 KiB must lose the zeros past it");
        };
        assert!(!lost.zeros, "there is data past 8 KiB");
    }

    #[test]
    fn a_zero_tail_is_reported_but_never_counted_as_droppable() {
        // The shape of the DeSmuME save the old `auto` cut to 512 B: 8 KiB,
        // data up to 0x94, then 0x00 to the end.
        let mut image = vec![0u8; 8192];
        for (i, b) in image[..0x94].iter_mut().enumerate() {
            *b = (i as u8) | 0x80;
        }
        let analysis = analyze(&image);
        assert_eq!(
            analysis.padding,
            Some(Padding {
                byte: 0x00,
                start: 0x94,
                len: 8192 - 0x94
            })
        );
        assert_eq!(analysis.erased_from, 8192);
        assert_eq!(analysis.mirror_of, None);
        assert_eq!(analysis.smallest_lossless(), Some(ChipKind::Eeprom8K));
        assert_eq!(
            analysis.fit(ChipKind::Eeprom512B),
            Fit::Loses(LostBytes {
                first_offset: 512,
                last_offset: 8191,
                count: 8192 - 512,
                zeros: true
            })
        );
        assert_eq!(analysis.fit(ChipKind::Eeprom8K), Fit::Exact);
        assert_eq!(
            analysis.fit(ChipKind::Eeprom64K),
            Fit::Grows {
                added: 65536 - 8192
            }
        );
        // A blank 0x00 image is no mirror: nothing smaller keeps it.
        let zeros = analyze(&[0u8; 8192]);
        assert!(zeros.blank);
        assert_eq!(zeros.mirror_of, None);
        assert_eq!(zeros.smallest_lossless(), Some(ChipKind::Eeprom8K));
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
            let erased = len - image.iter().rev().take_while(|&&b| b == 0xFF).count();
            assert_eq!(analysis.erased_from, erased, "len {len}");
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
