//! An RGB image the rasterizer paints into: one screen, 3 bytes a pixel,
//! rows top to bottom. Everything drawn is clipped to it.

use keepsake_core::ui::Color;
use keepsake_format::icon::RgbaImage;

/// A screen-sized RGB image.
pub struct Canvas {
    width: u16,
    height: u16,
    pixels: Vec<u8>,
}

impl Canvas {
    /// A black canvas.
    pub fn new(width: u16, height: u16) -> Self {
        Self {
            width,
            height,
            pixels: vec![0; usize::from(width) * usize::from(height) * 3],
        }
    }

    pub fn width(&self) -> u16 {
        self.width
    }

    pub fn height(&self) -> u16 {
        self.height
    }

    /// The RGB bytes, row by row.
    pub fn rgb(&self) -> &[u8] {
        &self.pixels
    }

    /// The pixel at (`x`, `y`).
    #[cfg(test)]
    pub fn pixel(&self, x: u16, y: u16) -> [u8; 3] {
        let at = (usize::from(y) * usize::from(self.width) + usize::from(x)) * 3;
        [self.pixels[at], self.pixels[at + 1], self.pixels[at + 2]]
    }

    /// Blends `color` over the pixel at (`x`, `y`) by its alpha; points off
    /// the canvas are ignored.
    pub fn blend(&mut self, x: i32, y: i32, color: Color) {
        if x < 0 || y < 0 || x >= i32::from(self.width) || y >= i32::from(self.height) {
            return;
        }
        let at = (y as usize * usize::from(self.width) + x as usize) * 3;
        let alpha = u16::from(color.a);
        for (channel, value) in [color.r, color.g, color.b].into_iter().enumerate() {
            let old = u16::from(self.pixels[at + channel]);
            self.pixels[at + channel] =
                ((u16::from(value) * alpha + old * (255 - alpha) + 127) / 255) as u8;
        }
    }

    /// Fills a rectangle, clipped to the canvas.
    pub fn fill_rect(&mut self, x: i32, y: i32, w: u16, h: u16, color: Color) {
        let x0 = x.max(0);
        let y0 = y.max(0);
        let x1 = (x + i32::from(w)).min(i32::from(self.width));
        let y1 = (y + i32::from(h)).min(i32::from(self.height));
        for py in y0..y1 {
            for px in x0..x1 {
                self.blend(px, py, color);
            }
        }
    }

    /// Draws the outline of a rectangle, one pixel wide.
    pub fn outline_rect(&mut self, x: i32, y: i32, w: u16, h: u16, color: Color) {
        if w == 0 || h == 0 {
            return;
        }
        self.fill_rect(x, y, w, 1, color);
        self.fill_rect(x, y + i32::from(h) - 1, w, 1, color);
        self.fill_rect(x, y, 1, h, color);
        self.fill_rect(x + i32::from(w) - 1, y, 1, h, color);
    }

    /// Draws `image` scaled to `w` x `h` (nearest pixel), blended by its alpha.
    pub fn draw_image(&mut self, x: i32, y: i32, w: u16, h: u16, image: &RgbaImage) {
        if image.width() == 0 || image.height() == 0 {
            return;
        }
        for dy in 0..h {
            let sy = (u32::from(dy) * u32::from(image.height()) / u32::from(h)) as u16;
            for dx in 0..w {
                let sx = (u32::from(dx) * u32::from(image.width()) / u32::from(w)) as u16;
                let [r, g, b, a] = image.pixel(sx, sy);
                self.blend(
                    x + i32::from(dx),
                    y + i32::from(dy),
                    Color::rgba(r, g, b, a),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rectangles_clip_and_blend() {
        let mut canvas = Canvas::new(4, 3);
        canvas.fill_rect(-2, -2, 4, 4, Color::rgb(200, 100, 0));
        assert_eq!(canvas.pixel(0, 0), [200, 100, 0]);
        assert_eq!(canvas.pixel(1, 1), [200, 100, 0]);
        assert_eq!(canvas.pixel(2, 0), [0, 0, 0]);
        // Half-transparent white over black gives mid grey.
        canvas.fill_rect(3, 2, 10, 10, Color::rgba(255, 255, 255, 128));
        assert_eq!(canvas.pixel(3, 2), [128, 128, 128]);
    }

    #[test]
    fn images_scale_by_nearest_pixel_and_keep_transparency() {
        // 2x1: red, transparent.
        let image = RgbaImage::from_rgba(2, 1, vec![255, 0, 0, 255, 0, 0, 0, 0]).unwrap();
        let mut canvas = Canvas::new(4, 2);
        canvas.fill_rect(0, 0, 4, 2, Color::rgb(0, 0, 255));
        canvas.draw_image(0, 0, 4, 2, &image);
        assert_eq!(canvas.pixel(0, 0), [255, 0, 0]);
        assert_eq!(canvas.pixel(1, 1), [255, 0, 0]);
        assert_eq!(canvas.pixel(2, 0), [0, 0, 255]);
        assert_eq!(canvas.pixel(3, 1), [0, 0, 255]);
    }
}
