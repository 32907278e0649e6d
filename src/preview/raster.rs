//! Rasterizes a display list into a canvas the size of its screen.

use keepsake_core::ui::display::{BOTTOM_WIDTH, SCREEN_HEIGHT, TOP_WIDTH};
use keepsake_core::ui::{DrawCmd, Frame, Screen};

use super::canvas::Canvas;
use super::font::draw_text;

/// Draws one screen of a frame at its native resolution.
pub fn render(frame: &Frame, screen: Screen) -> Canvas {
    let width = match screen {
        Screen::Top => TOP_WIDTH,
        Screen::Bottom => BOTTOM_WIDTH,
    };
    let mut canvas = Canvas::new(width, SCREEN_HEIGHT);
    for cmd in frame.screen(screen) {
        draw(&mut canvas, cmd);
    }
    canvas
}

fn draw(canvas: &mut Canvas, cmd: &DrawCmd) {
    match cmd {
        DrawCmd::Rect { x, y, w, h, color } => {
            canvas.fill_rect(i32::from(*x), i32::from(*y), *w, *h, *color)
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
            *color,
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
            canvas.fill_rect(x, y, *w, *h, *track);
            let filled = if *total == 0 {
                0
            } else {
                (u128::from(*w) * u128::from((*done).min(*total)) / u128::from(*total)) as u16
            };
            canvas.fill_rect(x, y, filled, *h, *fill);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use keepsake_core::ui::Color;

    #[test]
    fn progress_bars_fill_in_proportion() {
        let fill = Color::rgb(0, 255, 0);
        let track = Color::rgb(50, 50, 50);
        let frame = Frame {
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
        };
        let canvas = render(&frame, Screen::Top);
        assert_eq!((canvas.width(), canvas.height()), (400, 240));
        assert_eq!(canvas.pixel(10, 10), [0, 255, 0]);
        assert_eq!(canvas.pixel(34, 13), [0, 255, 0]);
        assert_eq!(canvas.pixel(35, 13), [50, 50, 50]);
        assert_eq!(canvas.pixel(109, 10), [50, 50, 50]);
        assert_eq!(canvas.pixel(110, 10), [0, 0, 0]);
        assert_eq!(render(&frame, Screen::Bottom).width(), 320);
    }
}
