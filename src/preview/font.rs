//! Text for the preview: the X11 "misc-fixed" bitmap fonts that
//! embedded-graphics ships (ISO 8859-1: ASCII and Western European
//! letters), one per text size. A character outside that set is drawn as a
//! box the size of a glyph, so missing glyphs are visible, never silent.

use std::convert::Infallible;

use embedded_graphics::Pixel;
use embedded_graphics::geometry::{OriginDimensions, Point, Size};
use embedded_graphics::mono_font::iso_8859_1::{FONT_6X10, FONT_7X13, FONT_10X20};
use embedded_graphics::mono_font::mapping::ISO_8859_1;
use embedded_graphics::mono_font::{MonoFont, MonoTextStyle};
use embedded_graphics::pixelcolor::BinaryColor;
use embedded_graphics::prelude::{DrawTarget, Drawable};
use embedded_graphics::text::{Baseline, Text};
use keepsake_core::ui::{Align, Color, TextSize};

use super::canvas::Canvas;

/// What is appended to text cut to fit.
const ELLIPSIS: &str = "...";

/// The font of a text size.
pub fn font(size: TextSize) -> &'static MonoFont<'static> {
    match size {
        TextSize::Small => &FONT_6X10,
        TextSize::Normal => &FONT_7X13,
        TextSize::Large => &FONT_10X20,
    }
}

fn advance(font: &MonoFont<'_>) -> i32 {
    (font.character_size.width + font.character_spacing) as i32
}

/// Whether the preview font has a glyph for `c`.
pub fn has_glyph(c: char) -> bool {
    ISO_8859_1.contains(c) && c != '\u{7f}'
}

/// The characters drawn for `text` at `size` within `max_width` pixels: all
/// of them, or as many as fit followed by "...".
pub fn fit(text: &str, size: TextSize, max_width: Option<u16>) -> Vec<char> {
    let chars: Vec<char> = text.chars().collect();
    let step = advance(font(size));
    let Some(max) = max_width.map(i32::from) else {
        return chars;
    };
    if chars.len() as i32 * step <= max {
        return chars;
    }
    let keep = ((max / step) - ELLIPSIS.len() as i32).max(0) as usize;
    let mut cut: Vec<char> = chars[..keep.min(chars.len())].to_vec();
    while cut.last() == Some(&' ') {
        cut.pop();
    }
    cut.extend(ELLIPSIS.chars());
    cut
}

/// Paints the "on" pixels of glyphs in one colour.
struct Ink<'a> {
    canvas: &'a mut Canvas,
    color: Color,
}

impl OriginDimensions for Ink<'_> {
    fn size(&self) -> Size {
        Size::new(
            u32::from(self.canvas.width()),
            u32::from(self.canvas.height()),
        )
    }
}

impl DrawTarget for Ink<'_> {
    type Color = BinaryColor;
    type Error = Infallible;

    fn draw_iter<I>(&mut self, pixels: I) -> Result<(), Infallible>
    where
        I: IntoIterator<Item = Pixel<BinaryColor>>,
    {
        for Pixel(point, on) in pixels {
            if on.is_on() {
                self.canvas.blend(point.x, point.y, self.color);
            }
        }
        Ok(())
    }
}

/// Draws a line of text whose top edge is at `y`; `x` is its left edge,
/// centre or right edge as `align` says.
#[allow(clippy::too_many_arguments)]
pub fn draw_text(
    canvas: &mut Canvas,
    x: i32,
    y: i32,
    text: &str,
    size: TextSize,
    color: Color,
    align: Align,
    max_width: Option<u16>,
) {
    let font = font(size);
    let step = advance(font);
    let chars = fit(text, size, max_width);
    let width = chars.len() as i32 * step;
    let mut pen = match align {
        Align::Left => x,
        Align::Center => x - width / 2,
        Align::Right => x - width,
    };
    let style = MonoTextStyle::new(font, BinaryColor::On);
    let mut ink = Ink { canvas, color };
    let mut buffer = [0u8; 4];
    for c in chars {
        if has_glyph(c) {
            let glyph: &str = c.encode_utf8(&mut buffer);
            let drawn =
                Text::with_baseline(glyph, Point::new(pen, y), style, Baseline::Top).draw(&mut ink);
            let Ok(_) = drawn;
        } else {
            // A box one pixel inside the glyph cell.
            let cell = font.character_size;
            ink.canvas.outline_rect(
                pen + 1,
                y + 1,
                (cell.width as u16).saturating_sub(2),
                (cell.height as u16).saturating_sub(2),
                color,
            );
        }
        pen += step;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WHITE: Color = Color::rgb(255, 255, 255);

    fn lit(canvas: &Canvas, x0: u16, x1: u16) -> usize {
        (x0..x1)
            .flat_map(|x| (0..canvas.height()).map(move |y| (x, y)))
            .filter(|&(x, y)| canvas.pixel(x, y) != [0, 0, 0])
            .count()
    }

    #[test]
    fn glyphs_cover_ascii_and_latin_1_only() {
        assert!(has_glyph('A') && has_glyph('é') && has_glyph('ÿ'));
        assert!(!has_glyph('ポ') && !has_glyph('€') && !has_glyph('\u{7f}'));
    }

    #[test]
    fn long_text_is_cut_with_an_ellipsis_to_fit() {
        // Normal text is 7 px a character: 70 px hold 10 of them.
        let cut: String = fit("Animal Crossing: New Leaf", TextSize::Normal, Some(70))
            .into_iter()
            .collect();
        assert_eq!(cut, "Animal...");
        let whole: String = fit("Short", TextSize::Normal, Some(70))
            .into_iter()
            .collect();
        assert_eq!(whole, "Short");
    }

    #[test]
    fn text_is_drawn_where_its_alignment_says() {
        let mut canvas = Canvas::new(100, 20);
        draw_text(
            &mut canvas,
            50,
            2,
            "II",
            TextSize::Normal,
            WHITE,
            Align::Right,
            None,
        );
        assert!(lit(&canvas, 36, 50) > 0, "right-aligned text ends at x");
        assert_eq!(lit(&canvas, 50, 100), 0);
        assert_eq!(lit(&canvas, 0, 36), 0);
        let mut canvas = Canvas::new(100, 20);
        draw_text(
            &mut canvas,
            50,
            2,
            "II",
            TextSize::Normal,
            WHITE,
            Align::Center,
            None,
        );
        assert!(lit(&canvas, 43, 50) > 0 && lit(&canvas, 50, 57) > 0);
        assert_eq!(lit(&canvas, 0, 43) + lit(&canvas, 57, 100), 0);
    }

    #[test]
    fn a_missing_character_is_a_box() {
        let mut canvas = Canvas::new(20, 20);
        draw_text(
            &mut canvas,
            0,
            0,
            "ポ",
            TextSize::Normal,
            WHITE,
            Align::Left,
            None,
        );
        // The box's outline: top-left corner lit, the middle dark.
        assert_eq!(canvas.pixel(1, 1), [255, 255, 255]);
        assert_eq!(canvas.pixel(5, 11), [255, 255, 255]);
        assert_eq!(canvas.pixel(3, 6), [0, 0, 0]);
        assert_eq!(lit(&canvas, 0, 20), 2 * 5 + 2 * 11 - 4);
    }
}
