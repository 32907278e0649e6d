//! Rasterizes a display list into a canvas the size of its screen.

use keepsake_core::ui::display::{BOTTOM_WIDTH, SCREEN_HEIGHT, TOP_WIDTH};
use keepsake_core::ui::{DrawCmd, Frame, Palette, Screen};

use super::canvas::Canvas;
use super::font::draw_text;

/// Draws one screen of a frame at its native resolution, in the colours of
/// the frame's theme.
pub fn render(frame: &Frame, screen: Screen) -> Canvas {
    let width = match screen {
        Screen::Top => TOP_WIDTH,
        Screen::Bottom => BOTTOM_WIDTH,
    };
    let mut canvas = Canvas::new(width, SCREEN_HEIGHT);
    let palette = frame.palette();
    for cmd in frame.screen(screen) {
        draw(&mut canvas, cmd, palette);
    }
    canvas
}

fn draw(canvas: &mut Canvas, cmd: &DrawCmd, palette: &Palette) {
    match cmd {
        DrawCmd::Rect { x, y, w, h, color } => {
            canvas.fill_rect(i32::from(*x), i32::from(*y), *w, *h, palette.color(*color))
        }
        DrawCmd::Text {
            x,
            y,
            text,
            size,
            color,
            align,
            max_width,
        } => draw_text(
            canvas,
            i32::from(*x),
            i32::from(*y),
            text,
            *size,
            palette.color(*color),
            *align,
            *max_width,
        ),
        DrawCmd::Icon { x, y, w, h, image } => {
            canvas.draw_image(i32::from(*x), i32::from(*y), *w, *h, image)
        }
        DrawCmd::Progress {
            x,
            y,
            w,
            h,
            done,
            total,
            fill,
            track,
        } => {
            let (x, y) = (i32::from(*x), i32::from(*y));
            canvas.fill_rect(x, y, *w, *h, palette.color(*track));
            let filled = if *total == 0 {
                0
            } else {
                (u128::from(*w) * u128::from((*done).min(*total)) / u128::from(*total)) as u16
            };
            canvas.fill_rect(x, y, filled, *h, palette.color(*fill));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use keepsake_core::store::Theme;
    use keepsake_core::ui::Role;
    use keepsake_core::ui::palette::{DARK, LIGHT};

    /// A progress bar's two roles, in each theme's colours (written out
    /// from `ui/palette.rs`).
    #[test]
    fn progress_bars_fill_in_proportion_in_the_themes_colours() {
        let (fill, track) = (Role::ProgressFill, Role::ProgressTrack);
        let mut frame = Frame {
            top: vec![DrawCmd::Progress {
                x: 10,
                y: 10,
                w: 100,
                h: 4,
                done: 1,
                total: 4,
                fill,
                track,
            }],
            bottom: vec![],
            theme: Theme::Dark,
        };
        let canvas = render(&frame, Screen::Top);
        assert_eq!((canvas.width(), canvas.height()), (400, 240));
        assert_eq!(canvas.pixel(10, 10), [0x4C, 0xC0, 0x70]);
        assert_eq!(canvas.pixel(34, 13), [0x4C, 0xC0, 0x70]);
        assert_eq!(canvas.pixel(35, 13), [0x3A, 0x41, 0x55]);
        assert_eq!(canvas.pixel(109, 10), [0x3A, 0x41, 0x55]);
        assert_eq!(canvas.pixel(110, 10), [0, 0, 0]);
        assert_eq!(render(&frame, Screen::Bottom).width(), 320);
        assert_eq!(
            DARK.progress_fill,
            keepsake_core::ui::Color::rgb(0x4C, 0xC0, 0x70)
        );

        frame.theme = Theme::Light;
        let canvas = render(&frame, Screen::Top);
        let rgb = |c: keepsake_core::ui::Color| [c.r, c.g, c.b];
        assert_eq!(canvas.pixel(34, 13), rgb(LIGHT.progress_fill));
        assert_eq!(canvas.pixel(35, 13), rgb(LIGHT.progress_track));
    }
}
