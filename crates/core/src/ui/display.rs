//! The display list: what to draw on the two screens for one frame.
//!
//! Coordinates are pixels from the top-left corner of each screen; the top
//! screen is 400x240, the bottom one 320x240. Commands are drawn in order,
//! later ones over earlier ones. Text is UTF-8 with a nominal size; a
//! renderer that lacks a character draws a box in its place, and cuts text
//! longer than `max_width` with an ellipsis. Colours are roles (text, the
//! selected row...), which the renderer looks up in the palette of the
//! frame's theme (`ui/palette.rs`).

use std::sync::Arc;

use keepsake_format::icon::RgbaImage;

use super::model::Theme;
use super::palette::{Palette, Role};

pub const TOP_WIDTH: u16 = 400;
pub const BOTTOM_WIDTH: u16 = 320;
pub const SCREEN_HEIGHT: u16 = 240;

/// An sRGB colour with alpha.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Color {
    pub r: u8,
    pub g: u8,
    pub b: u8,
    pub a: u8,
}

impl Color {
    pub const fn rgb(r: u8, g: u8, b: u8) -> Self {
        Self { r, g, b, a: 255 }
    }

    pub const fn rgba(r: u8, g: u8, b: u8, a: u8) -> Self {
        Self { r, g, b, a }
    }
}

/// Where a text's `x` is: its left edge, its centre or its right edge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    Left,
    Center,
    Right,
}

/// The nominal size of text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextSize {
    /// Help lines and fine print, about 10 px tall.
    Small,
    /// Lists and details, about 13 px tall.
    Normal,
    /// Headlines, about 20 px tall.
    Large,
}

impl TextSize {
    /// The width the layout assumes for an average character, in pixels;
    /// renderers scale their font to match, so that wrapped text fits.
    pub const fn advance(self) -> u16 {
        match self {
            TextSize::Small => 6,
            TextSize::Normal => 7,
            TextSize::Large => 10,
        }
    }

    /// The height of a line of this size, in pixels.
    pub const fn line_height(self) -> u16 {
        match self {
            TextSize::Small => 10,
            TextSize::Normal => 13,
            TextSize::Large => 20,
        }
    }
}

/// One drawing command.
#[derive(Clone, Debug, PartialEq)]
pub enum DrawCmd {
    /// A filled rectangle.
    Rect {
        x: i16,
        y: i16,
        w: u16,
        h: u16,
        color: Role,
    },
    /// A line of text whose top is at `y`.
    Text {
        x: i16,
        y: i16,
        text: String,
        size: TextSize,
        color: Role,
        align: Align,
        /// Cut the text to this width (with an ellipsis) when it is wider.
        max_width: Option<u16>,
    },
    /// An image scaled to `w` x `h`.
    Icon {
        x: i16,
        y: i16,
        w: u16,
        h: u16,
        image: Arc<RgbaImage>,
    },
    /// A progress bar `done / total` full (empty when `total` is 0).
    Progress {
        x: i16,
        y: i16,
        w: u16,
        h: u16,
        done: u64,
        total: u64,
        fill: Role,
        track: Role,
    },
}

/// A text of a frame as [`Frame::texts_placed`] finds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlacedText<'a> {
    pub text: &'a str,
    pub x: i16,
    pub y: i16,
    pub color: Role,
    /// The colour of the topmost rectangle under the text's anchor point
    /// (`None`: drawn on nothing).
    pub under: Option<Role>,
}

/// Which screen a command list belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Screen {
    Top,
    Bottom,
}

/// Both screens' display lists for one frame.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Frame {
    pub top: Vec<DrawCmd>,
    pub bottom: Vec<DrawCmd>,
    /// The theme whose palette gives the roles their colours.
    pub theme: Theme,
}

impl Frame {
    /// Empties both screens (the theme stays).
    pub fn clear(&mut self) {
        self.top.clear();
        self.bottom.clear();
    }

    /// The colours this frame is drawn in.
    pub fn palette(&self) -> &'static Palette {
        Palette::of(self.theme)
    }

    pub fn screen(&self, screen: Screen) -> &[DrawCmd] {
        match screen {
            Screen::Top => &self.top,
            Screen::Bottom => &self.bottom,
        }
    }

    /// Every text drawn on a screen, in drawing order.
    pub fn texts(&self, screen: Screen) -> Vec<&str> {
        self.screen(screen)
            .iter()
            .filter_map(|cmd| match cmd {
                DrawCmd::Text { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect()
    }

    /// Whether some text on either screen contains `needle`.
    pub fn shows(&self, needle: &str) -> bool {
        [Screen::Top, Screen::Bottom]
            .iter()
            .any(|&s| self.texts(s).iter().any(|t| t.contains(needle)))
    }

    /// The texts drawn on a rectangle of colour `color` (the text's anchor
    /// point inside it), such as the highlighted row of a list.
    pub fn texts_on(&self, screen: Screen, color: Role) -> Vec<&str> {
        self.texts_with_ground(screen)
            .into_iter()
            .filter(|&(_, _, under)| under == Some(color))
            .map(|(text, _, _)| text)
            .collect()
    }

    /// Every text of a screen with its colour and the colour of the topmost
    /// rectangle under its anchor point (`None`: drawn on nothing).
    pub fn texts_with_ground(&self, screen: Screen) -> Vec<(&str, Role, Option<Role>)> {
        self.texts_placed(screen)
            .into_iter()
            .map(|t| (t.text, t.color, t.under))
            .collect()
    }

    /// Every text of a screen with where it is, its colour and the colour
    /// of the topmost rectangle under its anchor point.
    pub fn texts_placed(&self, screen: Screen) -> Vec<PlacedText<'_>> {
        let cmds = self.screen(screen);
        let mut found = Vec::new();
        for (i, cmd) in cmds.iter().enumerate() {
            let DrawCmd::Text {
                x, y, text, color, ..
            } = cmd
            else {
                continue;
            };
            // The topmost rectangle under the text decides what it sits on.
            let under = cmds[..i].iter().rev().find_map(|c| match *c {
                DrawCmd::Rect {
                    x: rx,
                    y: ry,
                    w,
                    h,
                    color,
                } if *x >= rx
                    && i32::from(*x) <= i32::from(rx) + i32::from(w)
                    && *y >= ry
                    && i32::from(*y) < i32::from(ry) + i32::from(h) =>
                {
                    Some(color)
                }
                _ => None,
            });
            found.push(PlacedText {
                text,
                x: *x,
                y: *y,
                color: *color,
                under,
            });
        }
        found
    }

    /// The progress bars of a screen as `(done, total)`.
    pub fn progress_bars(&self, screen: Screen) -> Vec<(u64, u64)> {
        self.screen(screen)
            .iter()
            .filter_map(|cmd| match *cmd {
                DrawCmd::Progress { done, total, .. } => Some((done, total)),
                _ => None,
            })
            .collect()
    }

    /// The number of icons drawn on a screen.
    pub fn icon_count(&self, screen: Screen) -> usize {
        self.screen(screen)
            .iter()
            .filter(|c| matches!(c, DrawCmd::Icon { .. }))
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(x: i16, y: i16, s: &str) -> DrawCmd {
        DrawCmd::Text {
            x,
            y,
            text: s.into(),
            size: TextSize::Normal,
            color: Role::Text,
            align: Align::Left,
            max_width: None,
        }
    }

    #[test]
    fn texts_on_finds_the_topmost_rectangle_under_each_text() {
        let red = Role::Highlight;
        let blue = Role::Background;
        let frame = Frame {
            theme: Theme::Dark,
            top: vec![],
            bottom: vec![
                DrawCmd::Rect {
                    x: 0,
                    y: 0,
                    w: 320,
                    h: 240,
                    color: blue,
                },
                DrawCmd::Rect {
                    x: 0,
                    y: 20,
                    w: 320,
                    h: 20,
                    color: red,
                },
                text(4, 4, "on blue"),
                text(4, 24, "on red"),
                text(4, 40, "below red"),
            ],
        };
        assert_eq!(frame.texts_on(Screen::Bottom, red), vec!["on red"]);
        assert_eq!(
            frame.texts_on(Screen::Bottom, blue),
            vec!["on blue", "below red"]
        );
        assert!(frame.shows("below"));
        assert!(!frame.shows("green"));
    }
}
