//! An RGBA image laid out as a texture of the 3DS GPU (PICA200), so the
//! console can upload icons with one copy.
//!
//! Layout of a `GPU_RGBA8` texture:
//! - both sides are powers of two, 8 to 1024 pixels; the image sits in the
//!   top-left corner and the rest stays transparent;
//! - pixels are stored in 8x8 tiles, tiles in rows from the top-left, and the
//!   64 pixels of a tile in Morton (Z) order: bit 0 of the index is x bit 0,
//!   bit 1 is y bit 0, bit 2 is x bit 1, and so on;
//! - each pixel is the 32-bit value `0xRRGGBBAA` in little-endian order, so
//!   its bytes are A, B, G, R.
//!
//! The texture's v axis points up, so the image's sub-texture runs from
//! v = 1 (its top row) down to v = 1 - height / texture height.

use keepsake_format::icon::{RgbaImage, tiled_index};
use thiserror::Error;

/// The smallest side the GPU accepts.
pub const MIN_SIDE: u16 = 8;
/// The largest side the GPU accepts.
pub const MAX_SIDE: u16 = 1024;
/// Bytes per `GPU_RGBA8` pixel.
pub const BYTES_PER_PIXEL: usize = 4;

/// Why an image cannot become a texture.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TextureError {
    #[error("a {width}x{height} image has no pixels to draw")]
    Empty { width: u16, height: u16 },
    #[error("a {width}x{height} image exceeds the GPU's {MAX_SIDE}x{MAX_SIDE} texture limit")]
    TooLarge { width: u16, height: u16 },
}

/// Where the image lies inside its texture, in texture coordinates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SubTexture {
    /// The image's size in pixels.
    pub width: u16,
    pub height: u16,
    pub left: f32,
    pub top: f32,
    pub right: f32,
    pub bottom: f32,
}

/// An image tiled for the GPU.
#[derive(Debug, Clone, PartialEq)]
pub struct TiledTexture {
    /// The texture's sides (powers of two).
    pub width: u16,
    pub height: u16,
    /// `width * height * 4` bytes in the GPU's order.
    pub bytes: Vec<u8>,
    /// The part of the texture the image covers.
    pub sub: SubTexture,
}

/// The texture side that holds `pixels`: the next power of two, at least
/// [`MIN_SIDE`], or `None` past [`MAX_SIDE`].
pub fn texture_side(pixels: u16) -> Option<u16> {
    let side = pixels.max(MIN_SIDE).checked_next_power_of_two()?;
    (side <= MAX_SIDE).then_some(side)
}

/// Lays `image` out as a `GPU_RGBA8` texture.
pub fn tile_rgba8(image: &RgbaImage) -> Result<TiledTexture, TextureError> {
    let (width, height) = (image.width(), image.height());
    if width == 0 || height == 0 {
        return Err(TextureError::Empty { width, height });
    }
    let too_large = TextureError::TooLarge { width, height };
    let texture_width = texture_side(width).ok_or(too_large.clone())?;
    let texture_height = texture_side(height).ok_or(too_large)?;
    let mut bytes =
        vec![0u8; usize::from(texture_width) * usize::from(texture_height) * BYTES_PER_PIXEL];
    for (row, line) in image
        .rgba()
        .chunks_exact(usize::from(width) * BYTES_PER_PIXEL)
        .enumerate()
    {
        for (column, pixel) in line.chunks_exact(BYTES_PER_PIXEL).enumerate() {
            // SMDH icons use the same tiling, so one function serves both.
            let at = tiled_index(column, row, usize::from(texture_width)) * BYTES_PER_PIXEL;
            let [r, g, b, a] = [pixel[0], pixel[1], pixel[2], pixel[3]];
            bytes[at..at + BYTES_PER_PIXEL].copy_from_slice(&[a, b, g, r]);
        }
    }
    let sub = SubTexture {
        width,
        height,
        left: 0.0,
        top: 1.0,
        right: f32::from(width) / f32::from(texture_width),
        bottom: 1.0 - f32::from(height) / f32::from(texture_height),
    };
    Ok(TiledTexture {
        width: texture_width,
        height: texture_height,
        bytes,
        sub,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use keepsake_testkit::rand::Rng;

    #[test]
    fn sides_round_up_to_powers_of_two_within_the_gpu_limits() {
        assert_eq!(texture_side(1), Some(8));
        assert_eq!(texture_side(8), Some(8));
        assert_eq!(texture_side(32), Some(32));
        assert_eq!(texture_side(48), Some(64));
        assert_eq!(texture_side(400), Some(512));
        assert_eq!(texture_side(1024), Some(1024));
        assert_eq!(texture_side(1025), None);
        assert_eq!(texture_side(u16::MAX), None);
    }

    #[test]
    fn an_icon_lands_in_the_top_left_corner_as_abgr() {
        let mut rng = keepsake_testkit::rng::for_test("gpu_texture::icon");
        let pixels: Vec<u8> = (0..48 * 48 * 4).map(|_| rng.random()).collect();
        let image = RgbaImage::from_rgba(48, 48, pixels.clone()).unwrap();
        let texture = tile_rgba8(&image).unwrap();
        assert_eq!((texture.width, texture.height), (64, 64));
        assert_eq!(texture.bytes.len(), 64 * 64 * 4);
        // Hand-computed: pixel (8, 0) opens the second tile, (1, 1) is the
        // fourth pixel of the first.
        let abgr = |x: usize, y: usize| {
            let p = &pixels[(y * 48 + x) * 4..][..4];
            [p[3], p[2], p[1], p[0]]
        };
        assert_eq!(texture.bytes[64 * 4..][..4], abgr(8, 0));
        assert_eq!(texture.bytes[3 * 4..][..4], abgr(1, 1));
        for y in 0..64u16 {
            for x in 0..64u16 {
                let at = tiled_index(usize::from(x), usize::from(y), 64) * 4;
                let stored = &texture.bytes[at..at + 4];
                if x < 48 && y < 48 {
                    let source = (usize::from(y) * 48 + usize::from(x)) * 4;
                    let [r, g, b, a] = [
                        pixels[source],
                        pixels[source + 1],
                        pixels[source + 2],
                        pixels[source + 3],
                    ];
                    assert_eq!(stored, [a, b, g, r], "pixel ({x}, {y})");
                } else {
                    assert_eq!(stored, [0, 0, 0, 0], "padding ({x}, {y})");
                }
            }
        }
        assert_eq!(
            texture.sub,
            SubTexture {
                width: 48,
                height: 48,
                left: 0.0,
                top: 1.0,
                right: 0.75,
                bottom: 0.25,
            }
        );
    }

    #[test]
    fn a_red_pixel_is_stored_as_the_value_0xff0000ff() {
        let image = RgbaImage::from_rgba(1, 1, vec![0xFF, 0, 0, 0xFF]).unwrap();
        let texture = tile_rgba8(&image).unwrap();
        let value = u32::from_le_bytes(texture.bytes[..4].try_into().unwrap());
        assert_eq!(value, 0xFF00_00FF);
        assert_eq!((texture.width, texture.height), (8, 8));
    }

    #[test]
    fn images_the_gpu_cannot_hold_are_refused() {
        let wide = RgbaImage::from_rgba(2048, 1, vec![0; 2048 * 4]).unwrap();
        assert_eq!(
            tile_rgba8(&wide),
            Err(TextureError::TooLarge {
                width: 2048,
                height: 1
            })
        );
        if let Some(empty) = RgbaImage::from_rgba(0, 4, Vec::new()) {
            assert_eq!(
                tile_rgba8(&empty),
                Err(TextureError::Empty {
                    width: 0,
                    height: 4
                })
            );
        }
    }
}
