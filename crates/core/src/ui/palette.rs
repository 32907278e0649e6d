//! The colours of the screens: drawing names what a colour is for (a
//! [`Role`]: text, the selected row, a button...) and the palette of the
//! theme the user chose says which colour that is. The display list carries
//! roles, so a frame is drawn in either theme and its contrast checked
//! against either palette (`ui/contrast.rs`).
//!
//! Every text role must read at 4.5:1 or more on every ground it is drawn
//! on in both palettes; the golden frames are checked for it.

use super::display::Color;
use super::model::Theme;

/// What a colour is for. Grounds are what rectangles fill; text roles are
/// for text (and small marks drawn like text).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// The whole screen behind everything.
    Background,
    /// A raised area: the help line, the selected setting on the top
    /// screen, a scroll bar's track.
    Panel,
    /// The header bar of both screens.
    Bar,
    /// The selected row of a list.
    Highlight,
    /// A touch button.
    Button,
    Text,
    /// Secondary text: labels, hints, the help line.
    DimText,
    /// A title row's source badge ("NDS CARD").
    Badge,
    /// Text on a [`Role::Badge`] or a [`Role::Favourite`].
    BadgeText,
    /// The mark of something dangerous or failed (a bar, a square); not
    /// for text.
    Danger,
    /// Red for text.
    DangerText,
    /// The mark of something done (a bar, a square).
    Success,
    ProgressTrack,
    ProgressFill,
    /// The strip of a notice or standing warning at the foot of the top
    /// screen.
    Notice,
    /// A favourite's mark (Checkpoint's gold).
    Favourite,
    /// The frame around a title's large icon, which must show against the
    /// background whatever the icon's own edge is.
    IconFrame,
}

/// One colour per role.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Palette {
    pub background: Color,
    pub panel: Color,
    pub bar: Color,
    pub highlight: Color,
    pub button: Color,
    pub text: Color,
    pub dim_text: Color,
    pub badge: Color,
    pub badge_text: Color,
    pub danger: Color,
    pub danger_text: Color,
    pub success: Color,
    pub progress_track: Color,
    pub progress_fill: Color,
    pub notice: Color,
    pub favourite: Color,
    pub icon_frame: Color,
}

/// Light text on dark blue-grey grounds.
pub const DARK: Palette = Palette {
    background: Color::rgb(0x1C, 0x1F, 0x2A),
    panel: Color::rgb(0x26, 0x2B, 0x3A),
    bar: Color::rgb(0x26, 0x3E, 0x66),
    highlight: Color::rgb(0x2F, 0x5F, 0xA8),
    button: Color::rgb(0x3A, 0x41, 0x55),
    text: Color::rgb(0xF2, 0xF4, 0xF8),
    dim_text: Color::rgb(0xA8, 0xB0, 0xC2),
    badge: Color::rgb(0xE0, 0x8A, 0x1E),
    // Dark: white on the orange is 2.4:1.
    badge_text: Color::rgb(0x1C, 0x1F, 0x2A),
    danger: Color::rgb(0xC8, 0x3C, 0x3C),
    // The danger red itself is too dark on the background for text (3.3:1).
    danger_text: Color::rgb(0xFF, 0x8A, 0x80),
    success: Color::rgb(0x3C, 0xA0, 0x5A),
    progress_track: Color::rgb(0x3A, 0x41, 0x55),
    progress_fill: Color::rgb(0x4C, 0xC0, 0x70),
    notice: Color::rgb(0x5A, 0x46, 0x1E),
    // Checkpoint's gold (`3ds/include/colors.hpp` `COLOR_GOLD`).
    favourite: Color::rgb(0xE6, 0xC3, 0x4D),
    icon_frame: Color::rgb(0x26, 0x2B, 0x3A),
};

/// Dark text on near-white grounds, for bright rooms. The grounds keep the
/// dark theme's hues (blue header and selection, amber notices), light
/// enough that the dim text and the red text still read on every one.
pub const LIGHT: Palette = Palette {
    background: Color::rgb(0xF4, 0xF6, 0xFA),
    panel: Color::rgb(0xE1, 0xE6, 0xEF),
    bar: Color::rgb(0xC9, 0xD7, 0xEE),
    highlight: Color::rgb(0xB4, 0xCC, 0xF0),
    button: Color::rgb(0xD3, 0xDA, 0xE6),
    text: Color::rgb(0x1A, 0x1D, 0x26),
    dim_text: Color::rgb(0x45, 0x4D, 0x5F),
    badge: Color::rgb(0xF0, 0xA3, 0x3A),
    badge_text: Color::rgb(0x1C, 0x1F, 0x2A),
    danger: Color::rgb(0xC6, 0x28, 0x28),
    danger_text: Color::rgb(0xA5, 0x1D, 0x16),
    success: Color::rgb(0x2E, 0x8B, 0x57),
    progress_track: Color::rgb(0xD3, 0xDA, 0xE6),
    progress_fill: Color::rgb(0x2E, 0x9E, 0x5B),
    notice: Color::rgb(0xF6, 0xE3, 0xB4),
    favourite: Color::rgb(0xE6, 0xC3, 0x4D),
    // Mid grey: an icon whose edge is white still has a visible frame.
    icon_frame: Color::rgb(0x8E, 0x98, 0xAB),
};

impl Palette {
    /// The palette of `theme`.
    pub const fn of(theme: Theme) -> &'static Palette {
        match theme {
            Theme::Dark => &DARK,
            Theme::Light => &LIGHT,
        }
    }

    /// The colour of `role`.
    pub const fn color(&self, role: Role) -> Color {
        match role {
            Role::Background => self.background,
            Role::Panel => self.panel,
            Role::Bar => self.bar,
            Role::Highlight => self.highlight,
            Role::Button => self.button,
            Role::Text => self.text,
            Role::DimText => self.dim_text,
            Role::Badge => self.badge,
            Role::BadgeText => self.badge_text,
            Role::Danger => self.danger,
            Role::DangerText => self.danger_text,
            Role::Success => self.success,
            Role::ProgressTrack => self.progress_track,
            Role::ProgressFill => self.progress_fill,
            Role::Notice => self.notice,
            Role::Favourite => self.favourite,
            Role::IconFrame => self.icon_frame,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The dark palette is the colours the app had before themes, written
    /// out here from the old constants, so its golden images stay as they
    /// were.
    #[test]
    fn the_dark_palette_keeps_the_original_colours() {
        let rgb = |role| {
            let c = DARK.color(role);
            (c.r, c.g, c.b, c.a)
        };
        assert_eq!(rgb(Role::Background), (28, 31, 42, 255));
        assert_eq!(rgb(Role::Highlight), (47, 95, 168, 255));
        assert_eq!(rgb(Role::Text), (242, 244, 248, 255));
        assert_eq!(rgb(Role::DimText), (168, 176, 194, 255));
        assert_eq!(rgb(Role::DangerText), (255, 138, 128, 255));
        assert_eq!(rgb(Role::IconFrame), rgb(Role::Panel));
    }

    /// The light palette is light: its background is brighter than its
    /// text, the other way round from the dark one.
    #[test]
    fn the_light_palette_puts_dark_text_on_light_grounds() {
        let sum = |c: Color| u32::from(c.r) + u32::from(c.g) + u32::from(c.b);
        assert!(sum(LIGHT.background) > 3 * 0xE0 && sum(LIGHT.text) < 3 * 0x40);
        assert!(sum(DARK.background) < 3 * 0x40 && sum(DARK.text) > 3 * 0xE0);
        assert_eq!(Palette::of(Theme::Light), &LIGHT);
        assert_eq!(Palette::of(Theme::Dark), &DARK);
    }
}
