//! Title icons decoded to RGBA.
//!
//! SMDH (the 3DS title metadata, 0x36C0 bytes, magic `SMDH` at 0):
//!
//! | offset | size   | what                                   |
//! |--------|--------|----------------------------------------|
//! | 0x2040 | 0x480  | small icon, 24x24 RGB565               |
//! | 0x24C0 | 0x1200 | large icon, 48x48 RGB565               |
//!
//! Both are stored the way the GPU samples textures: the image is cut into
//! 8x8 tiles, tiles row by row, and inside a tile the 64 pixels follow the
//! Z-order (Morton) curve, x and y bits interleaved with x in the low bit.
//! Pixels are little-endian RGB565.
//!
//! NDS banner (at the ROM header's banner offset; 0x840 bytes in version 1):
//!
//! | offset | size  | what                                        |
//! |--------|-------|---------------------------------------------|
//! | 0x000  | 2     | version                                     |
//! | 0x020  | 0x200 | icon, 32x32, 4 bits per pixel, 8x8 tiles    |
//! | 0x220  | 0x20  | palette, 16 little-endian BGR555 colours     |
//!
//! Tiles go row by row (4x4 of them), pixels row by row inside a tile, two
//! pixels a byte with the left one in the low nibble. Palette entry 0 is
//! transparent.

use thiserror::Error;

/// An image of 8-bit RGBA pixels, row by row, top row first.
#[derive(Clone, PartialEq, Eq)]
pub struct RgbaImage {
    width: u16,
    height: u16,
    pixels: Vec<u8>,
}

impl std::fmt::Debug for RgbaImage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RgbaImage({}x{})", self.width, self.height)
    }
}

impl RgbaImage {
    /// An image from its RGBA bytes; `None` when their count is not
    /// `width * height * 4`.
    pub fn from_rgba(width: u16, height: u16, pixels: Vec<u8>) -> Option<Self> {
        (pixels.len() == usize::from(width) * usize::from(height) * 4).then_some(Self {
            width,
            height,
            pixels,
        })
    }

    pub fn width(&self) -> u16 {
        self.width
    }

    pub fn height(&self) -> u16 {
        self.height
    }

    /// The RGBA bytes, `width * height * 4` of them.
    pub fn rgba(&self) -> &[u8] {
        &self.pixels
    }

    /// The pixel at (`x`, `y`) as `[r, g, b, a]`.
    ///
    /// # Panics
    /// When the point lies outside the image.
    pub fn pixel(&self, x: u16, y: u16) -> [u8; 4] {
        assert!(
            x < self.width && y < self.height,
            "pixel ({x}, {y}) outside the image"
        );
        let at = (usize::from(y) * usize::from(self.width) + usize::from(x)) * 4;
        [
            self.pixels[at],
            self.pixels[at + 1],
            self.pixels[at + 2],
            self.pixels[at + 3],
        ]
    }
}

/// What was wrong with the bytes given as an icon.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum IconError {
    #[error(
        "{what} is {actual} bytes long; the icon needs at least {needed} (up to offset {needed:#x})"
    )]
    TooShort {
        what: &'static str,
        actual: usize,
        needed: usize,
    },
    #[error("not an SMDH: the magic at offset 0 is {} (hex), expected \"SMDH\"", crate::text::hex_bytes(.found))]
    BadSmdhMagic { found: [u8; 4] },
}

/// Where the SMDH's small (24x24) icon starts.
pub const SMDH_SMALL_ICON_OFFSET: usize = 0x2040;
/// Where the SMDH's large (48x48) icon starts.
pub const SMDH_LARGE_ICON_OFFSET: usize = 0x24C0;
/// The size of a whole SMDH.
pub const SMDH_SIZE: usize = 0x36C0;
/// Where the NDS banner's icon bitmap starts.
pub const BANNER_ICON_OFFSET: usize = 0x20;
/// Where the NDS banner's icon palette starts.
pub const BANNER_PALETTE_OFFSET: usize = 0x220;
/// The banner bytes the icon needs: bitmap and palette.
pub const BANNER_ICON_END: usize = BANNER_PALETTE_OFFSET + 0x20;

/// The 48x48 icon of an SMDH.
pub fn smdh_large_icon(smdh: &[u8]) -> Result<RgbaImage, IconError> {
    check_smdh(smdh)?;
    Ok(decode_tiled_rgb565(&smdh[SMDH_LARGE_ICON_OFFSET..], 48))
}

/// The 24x24 icon of an SMDH.
pub fn smdh_small_icon(smdh: &[u8]) -> Result<RgbaImage, IconError> {
    check_smdh(smdh)?;
    Ok(decode_tiled_rgb565(&smdh[SMDH_SMALL_ICON_OFFSET..], 24))
}

fn check_smdh(smdh: &[u8]) -> Result<(), IconError> {
    if smdh.len() < SMDH_SIZE {
        return Err(IconError::TooShort {
            what: "the SMDH",
            actual: smdh.len(),
            needed: SMDH_SIZE,
        });
    }
    let magic: [u8; 4] = smdh[..4].try_into().expect("four bytes");
    if &magic != b"SMDH" {
        return Err(IconError::BadSmdhMagic { found: magic });
    }
    Ok(())
}

/// The position inside a tiled texture of the pixel at (`x`, `y`), counted
/// in pixels; `width` is the texture's width, a multiple of 8. This is the
/// 3DS GPU's layout: 8x8 tiles in rows, pixels in Morton order inside a tile
/// (SMDH icons, and the textures the console uploads).
pub fn tiled_index(x: usize, y: usize, width: usize) -> usize {
    let tile = (y / 8) * (width / 8) + x / 8;
    let (x, y) = (x % 8, y % 8);
    let morton = (x & 1) | (y & 1) << 1 | (x & 2) << 1 | (y & 2) << 2 | (x & 4) << 2 | (y & 4) << 3;
    tile * 64 + morton
}

/// Decodes a square tiled RGB565 image of `side` pixels (a multiple of 8),
/// such as the raw icon bytes an SMDH view hands out.
pub fn tiled_rgb565(bytes: &[u8], side: u16) -> Result<RgbaImage, IconError> {
    let side = usize::from(side);
    let needed = side * side * 2;
    if bytes.len() < needed || side % 8 != 0 {
        return Err(IconError::TooShort {
            what: "the tiled RGB565 image",
            actual: bytes.len(),
            needed,
        });
    }
    Ok(decode_tiled_rgb565(bytes, side))
}

/// Encodes a square image (side a multiple of 8) as tiled RGB565, the
/// inverse of [`tiled_rgb565`] up to the colour depth; alpha is dropped.
pub fn encode_tiled_rgb565(image: &RgbaImage) -> Vec<u8> {
    let side = usize::from(image.width);
    assert!(
        image.width == image.height && side % 8 == 0,
        "tiled images are square, sides multiple of 8"
    );
    let mut out = vec![0u8; side * side * 2];
    for y in 0..side {
        for x in 0..side {
            let [r, g, b, _] = image.pixel(x as u16, y as u16);
            let value = (u16::from(r) >> 3) << 11 | (u16::from(g) >> 2) << 5 | u16::from(b) >> 3;
            let at = tiled_index(x, y, side) * 2;
            out[at..at + 2].copy_from_slice(&value.to_le_bytes());
        }
    }
    out
}

/// Writes a 32x32 image into an NDS banner's icon bitmap and palette, with
/// at most 15 opaque colours (entry 0 stays transparent for pixels whose
/// alpha is below 128); extra colours map to the nearest one already chosen.
///
/// # Panics
/// When the image is not 32x32 or the banner is shorter than
/// [`BANNER_ICON_END`].
pub fn encode_nds_banner_icon(image: &RgbaImage, banner: &mut [u8]) {
    assert!(
        image.width == 32 && image.height == 32,
        "NDS icons are 32x32"
    );
    assert!(banner.len() >= BANNER_ICON_END, "the banner is too short");
    let to555 = |[r, g, b, _]: [u8; 4]| -> u16 {
        u16::from(r >> 3) | u16::from(g >> 3) << 5 | u16::from(b >> 3) << 10
    };
    let mut palette: Vec<u16> = Vec::new();
    let mut indices = [0u8; 32 * 32];
    for y in 0..32u16 {
        for x in 0..32u16 {
            let pixel = image.pixel(x, y);
            if pixel[3] < 128 {
                continue;
            }
            let colour = to555(pixel);
            let index = match palette.iter().position(|&c| c == colour) {
                Some(i) => i,
                None if palette.len() < 15 => {
                    palette.push(colour);
                    palette.len() - 1
                }
                None => nearest(&palette, colour),
            };
            indices[usize::from(y) * 32 + usize::from(x)] = index as u8 + 1;
        }
    }
    for (i, colour) in palette.iter().enumerate() {
        let at = BANNER_PALETTE_OFFSET + (i + 1) * 2;
        banner[at..at + 2].copy_from_slice(&colour.to_le_bytes());
    }
    for y in 0..32 {
        for x in 0..32 {
            let tile = (y / 8) * 4 + x / 8;
            let in_tile = (y % 8) * 8 + x % 8;
            let at = BANNER_ICON_OFFSET + tile * 32 + in_tile / 2;
            let index = indices[y * 32 + x];
            if in_tile % 2 == 0 {
                banner[at] = (banner[at] & 0xF0) | index;
            } else {
                banner[at] = (banner[at] & 0x0F) | index << 4;
            }
        }
    }
}

fn nearest(palette: &[u16], colour: u16) -> usize {
    let channels = |c: u16| [c & 0x1F, (c >> 5) & 0x1F, (c >> 10) & 0x1F].map(i32::from);
    let want = channels(colour);
    (0..palette.len())
        .min_by_key(|&i| {
            let have = channels(palette[i]);
            (0..3).map(|k| (have[k] - want[k]).pow(2)).sum::<i32>()
        })
        .unwrap_or(0)
}

fn decode_tiled_rgb565(bytes: &[u8], side: usize) -> RgbaImage {
    let mut pixels = Vec::with_capacity(side * side * 4);
    for y in 0..side {
        for x in 0..side {
            let at = tiled_index(x, y, side) * 2;
            let value = u16::from_le_bytes([bytes[at], bytes[at + 1]]);
            pixels.extend_from_slice(&rgb565_to_rgba(value));
        }
    }
    let side = u16::try_from(side).expect("icons are small");
    RgbaImage {
        width: side,
        height: side,
        pixels,
    }
}

/// An RGB565 colour as opaque RGBA, each channel widened so that full
/// intensity stays 255.
pub fn rgb565_to_rgba(value: u16) -> [u8; 4] {
    let r = ((value >> 11) & 0x1F) as u8;
    let g = ((value >> 5) & 0x3F) as u8;
    let b = (value & 0x1F) as u8;
    [r << 3 | r >> 2, g << 2 | g >> 4, b << 3 | b >> 2, 0xFF]
}

/// A BGR555 colour (red in the low bits) as RGBA.
pub fn bgr555_to_rgba(value: u16) -> [u8; 4] {
    let r = (value & 0x1F) as u8;
    let g = ((value >> 5) & 0x1F) as u8;
    let b = ((value >> 10) & 0x1F) as u8;
    [r << 3 | r >> 2, g << 3 | g >> 2, b << 3 | b >> 2, 0xFF]
}

/// The 32x32 icon of an NDS banner.
pub fn nds_banner_icon(banner: &[u8]) -> Result<RgbaImage, IconError> {
    if banner.len() < BANNER_ICON_END {
        return Err(IconError::TooShort {
            what: "the NDS banner",
            actual: banner.len(),
            needed: BANNER_ICON_END,
        });
    }
    let mut palette = [[0u8; 4]; 16];
    for (i, colour) in palette.iter_mut().enumerate() {
        let at = BANNER_PALETTE_OFFSET + i * 2;
        *colour = bgr555_to_rgba(u16::from_le_bytes([banner[at], banner[at + 1]]));
    }
    palette[0] = [0, 0, 0, 0];
    let bitmap = &banner[BANNER_ICON_OFFSET..BANNER_PALETTE_OFFSET];
    let mut pixels = Vec::with_capacity(32 * 32 * 4);
    for y in 0..32 {
        for x in 0..32 {
            let tile = (y / 8) * 4 + x / 8;
            let in_tile = (y % 8) * 8 + x % 8;
            let byte = bitmap[tile * 32 + in_tile / 2];
            let index = if in_tile % 2 == 0 {
                byte & 0x0F
            } else {
                byte >> 4
            };
            pixels.extend_from_slice(&palette[usize::from(index)]);
        }
    }
    Ok(RgbaImage {
        width: 32,
        height: 32,
        pixels,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use keepsake_testkit::rand::{Rng, RngCore};
    use keepsake_testkit::rng;

    fn blank_smdh() -> Vec<u8> {
        let mut smdh = vec![0u8; SMDH_SIZE];
        smdh[..4].copy_from_slice(b"SMDH");
        smdh
    }

    #[test]
    fn tiled_positions_follow_the_morton_curve_inside_8x8_tiles() {
        // Hand-computed from the layout: x bit 0, y bit 0, x bit 1, y bit 1...
        assert_eq!(tiled_index(0, 0, 48), 0);
        assert_eq!(tiled_index(1, 0, 48), 1);
        assert_eq!(tiled_index(0, 1, 48), 2);
        assert_eq!(tiled_index(1, 1, 48), 3);
        assert_eq!(tiled_index(2, 0, 48), 4);
        assert_eq!(tiled_index(0, 2, 48), 8);
        assert_eq!(tiled_index(7, 7, 48), 63);
        assert_eq!(tiled_index(8, 0, 48), 64); // second tile of the first row
        assert_eq!(tiled_index(0, 8, 48), 6 * 64); // first tile of the second row
        assert_eq!(tiled_index(47, 47, 48), 48 * 48 - 1);
        // Textures need not be square: eight tiles per row at 64 wide.
        assert_eq!(tiled_index(0, 8, 64), 8 * 64);
        assert_eq!(tiled_index(63, 15, 64), 64 * 16 - 1);
    }

    #[test]
    fn every_pixel_of_a_tiled_texture_has_its_own_slot() {
        for (width, height) in [(8, 8), (48, 48), (64, 16), (16, 128)] {
            let mut seen = vec![false; width * height];
            for y in 0..height {
                for x in 0..width {
                    let index = tiled_index(x, y, width);
                    assert!(!seen[index], "({x}, {y}) collides in {width}x{height}");
                    seen[index] = true;
                }
            }
        }
    }

    #[test]
    fn rgb565_widens_to_full_range() {
        assert_eq!(rgb565_to_rgba(0xFFFF), [255, 255, 255, 255]);
        assert_eq!(rgb565_to_rgba(0xF800), [255, 0, 0, 255]);
        assert_eq!(rgb565_to_rgba(0x07E0), [0, 255, 0, 255]);
        assert_eq!(rgb565_to_rgba(0x001F), [0, 0, 255, 255]);
        assert_eq!(rgb565_to_rgba(0x0000), [0, 0, 0, 255]);
    }

    #[test]
    fn bgr555_keeps_red_in_the_low_bits() {
        assert_eq!(bgr555_to_rgba(0x001F), [255, 0, 0, 255]);
        assert_eq!(bgr555_to_rgba(0x7C00), [0, 0, 255, 255]);
        assert_eq!(bgr555_to_rgba(0x03E0), [0, 255, 0, 255]);
    }

    #[test]
    fn smdh_large_icon_pixels_land_where_the_tiling_says() {
        let mut smdh = blank_smdh();
        let put = |smdh: &mut Vec<u8>, index: usize, value: u16| {
            let at = SMDH_LARGE_ICON_OFFSET + index * 2;
            smdh[at..at + 2].copy_from_slice(&value.to_le_bytes());
        };
        // Stored pixel 2 is (0, 1); stored pixel 64 is (8, 0); the last is (47, 47).
        put(&mut smdh, 2, 0xF800);
        put(&mut smdh, 64, 0x07E0);
        put(&mut smdh, 48 * 48 - 1, 0x001F);
        let icon = smdh_large_icon(&smdh).unwrap();
        assert_eq!((icon.width(), icon.height()), (48, 48));
        assert_eq!(icon.pixel(0, 1), [255, 0, 0, 255]);
        assert_eq!(icon.pixel(8, 0), [0, 255, 0, 255]);
        assert_eq!(icon.pixel(47, 47), [0, 0, 255, 255]);
        assert_eq!(icon.pixel(1, 0), [0, 0, 0, 255]);
    }

    #[test]
    fn smdh_small_icon_reads_its_own_region() {
        let mut smdh = blank_smdh();
        smdh[SMDH_SMALL_ICON_OFFSET..SMDH_SMALL_ICON_OFFSET + 2]
            .copy_from_slice(&0xFFFFu16.to_le_bytes());
        let icon = smdh_small_icon(&smdh).unwrap();
        assert_eq!((icon.width(), icon.height()), (24, 24));
        assert_eq!(icon.pixel(0, 0), [255, 255, 255, 255]);
        assert_eq!(icon.pixel(1, 0), [0, 0, 0, 255]);
        // The large icon does not see it.
        assert_eq!(smdh_large_icon(&smdh).unwrap().pixel(0, 0), [0, 0, 0, 255]);
    }

    #[test]
    fn smdh_errors_say_what_is_wrong() {
        let err = smdh_large_icon(&[0u8; 100]).unwrap_err();
        assert_eq!(
            err,
            IconError::TooShort {
                what: "the SMDH",
                actual: 100,
                needed: SMDH_SIZE
            }
        );
        assert!(err.to_string().contains("0x36c0"), "{err}");
        let mut smdh = blank_smdh();
        smdh[0] = b'X';
        assert_eq!(
            smdh_large_icon(&smdh).unwrap_err(),
            IconError::BadSmdhMagic { found: *b"XMDH" }
        );
    }

    #[test]
    fn nds_banner_icon_uses_tiles_nibbles_and_palette() {
        let mut banner = vec![0u8; 0x840];
        banner[0] = 1;
        // Palette: 1 = red, 2 = blue, 0 is transparent whatever it holds.
        banner[BANNER_PALETTE_OFFSET..BANNER_PALETTE_OFFSET + 2]
            .copy_from_slice(&0x7FFFu16.to_le_bytes());
        banner[BANNER_PALETTE_OFFSET + 2..BANNER_PALETTE_OFFSET + 4]
            .copy_from_slice(&0x001Fu16.to_le_bytes());
        banner[BANNER_PALETTE_OFFSET + 4..BANNER_PALETTE_OFFSET + 6]
            .copy_from_slice(&0x7C00u16.to_le_bytes());
        // Byte 0 of tile 0: pixel (0,0) in the low nibble = 1, (1,0) high = 2.
        banner[BANNER_ICON_OFFSET] = 0x21;
        // Tile 1 (x 8..16, y 0..8), its row 1 starts at byte 4: pixel (8,1).
        banner[BANNER_ICON_OFFSET + 32 + 4] = 0x02;
        // Tile 4 starts the second row of tiles: pixel (0,8).
        banner[BANNER_ICON_OFFSET + 4 * 32] = 0x01;
        let icon = nds_banner_icon(&banner).unwrap();
        assert_eq!((icon.width(), icon.height()), (32, 32));
        assert_eq!(icon.pixel(0, 0), [255, 0, 0, 255]);
        assert_eq!(icon.pixel(1, 0), [0, 0, 255, 255]);
        assert_eq!(icon.pixel(8, 1), [0, 0, 255, 255]);
        assert_eq!(icon.pixel(0, 8), [255, 0, 0, 255]);
        assert_eq!(icon.pixel(2, 0), [0, 0, 0, 0]);
    }

    #[test]
    fn nds_banner_too_short_is_reported_with_the_needed_length() {
        let err = nds_banner_icon(&[0u8; 0x23F]).unwrap_err();
        assert_eq!(
            err,
            IconError::TooShort {
                what: "the NDS banner",
                actual: 0x23F,
                needed: 0x240
            }
        );
    }

    #[test]
    fn random_and_mutated_inputs_never_panic() {
        let mut rng = rng::for_test("icon::random_and_mutated_inputs_never_panic");
        let mut base = blank_smdh();
        rng.fill_bytes(&mut base[4..]);
        for _ in 0..3000 {
            let len = match rng.random_range(0..4) {
                0 => rng.random_range(0..0x300),
                1 => rng.random_range(0x200..0x900),
                2 => rng.random_range(SMDH_SIZE - 8..SMDH_SIZE + 8),
                _ => rng.random_range(0..SMDH_SIZE * 2),
            };
            let mut bytes: Vec<u8> = base.iter().copied().cycle().take(len).collect();
            for _ in 0..rng.random_range(0..8) {
                if !bytes.is_empty() {
                    let at = rng.random_range(0..bytes.len());
                    bytes[at] = rng.random();
                }
            }
            let smdh = smdh_large_icon(&bytes);
            let small = smdh_small_icon(&bytes);
            let banner = nds_banner_icon(&bytes);
            // Exactly the inputs long enough (with the magic) decode.
            let smdh_ok = bytes.len() >= SMDH_SIZE && bytes.starts_with(b"SMDH");
            assert_eq!(smdh.is_ok(), smdh_ok);
            assert_eq!(small.is_ok(), smdh_ok);
            assert_eq!(banner.is_ok(), bytes.len() >= BANNER_ICON_END);
            if let Ok(icon) = smdh {
                assert_eq!(icon.rgba().len(), 48 * 48 * 4);
            }
        }
    }

    #[test]
    fn encoders_invert_the_decoders() {
        let mut rng = rng::for_test("icon::encoders_invert_the_decoders");
        // Colours exact in RGB565: each channel's low bits copy its high ones.
        let mut pixels = Vec::new();
        for _ in 0..48 * 48 {
            let value: u16 = rng.random();
            pixels.extend_from_slice(&rgb565_to_rgba(value));
        }
        let image = RgbaImage::from_rgba(48, 48, pixels).unwrap();
        let tiled = encode_tiled_rgb565(&image);
        assert_eq!(tiled_rgb565(&tiled, 48).unwrap(), image);
        assert!(tiled_rgb565(&tiled[..100], 48).is_err());

        // Four colours and a transparent corner.
        let palette = [
            [255, 0, 0, 255],
            [0, 255, 0, 255],
            [0, 0, 255, 255],
            [255, 255, 255, 255],
        ];
        let mut pixels = Vec::new();
        for y in 0..32 {
            for x in 0..32 {
                if x < 4 && y < 4 {
                    pixels.extend_from_slice(&[0, 0, 0, 0]);
                } else {
                    pixels.extend_from_slice(&palette[(x / 8 + y) % 4]);
                }
            }
        }
        let image = RgbaImage::from_rgba(32, 32, pixels).unwrap();
        let mut banner = vec![0u8; 0x840];
        encode_nds_banner_icon(&image, &mut banner);
        assert_eq!(nds_banner_icon(&banner).unwrap(), image);
    }

    #[test]
    fn rgba_image_checks_its_length() {
        assert!(RgbaImage::from_rgba(2, 2, vec![0; 16]).is_some());
        assert!(RgbaImage::from_rgba(2, 2, vec![0; 15]).is_none());
    }
}
