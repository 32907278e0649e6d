//! Colours, the screens' fixed layout and the formatting of sizes, shared by
//! the drawing and the touch hit-testing so that both agree on where things
//! are.

use super::display::{BOTTOM_WIDTH, Color, SCREEN_HEIGHT};
use crate::platform::DateTime;

pub const BACKGROUND: Color = Color::rgb(0x1C, 0x1F, 0x2A);
pub const PANEL: Color = Color::rgb(0x26, 0x2B, 0x3A);
pub const BAR: Color = Color::rgb(0x26, 0x3E, 0x66);
/// The selected row of a list.
pub const HIGHLIGHT: Color = Color::rgb(0x2F, 0x5F, 0xA8);
pub const BUTTON: Color = Color::rgb(0x3A, 0x41, 0x55);
pub const TEXT: Color = Color::rgb(0xF2, 0xF4, 0xF8);
pub const DIM_TEXT: Color = Color::rgb(0xA8, 0xB0, 0xC2);
pub const BADGE: Color = Color::rgb(0xE0, 0x8A, 0x1E);
pub const DANGER: Color = Color::rgb(0xC8, 0x3C, 0x3C);
/// Red for text: [`DANGER`] itself is too dark on the background (3.3:1).
pub const DANGER_TEXT: Color = Color::rgb(0xFF, 0x8A, 0x80);
/// Text on a [`BADGE`]: dark, as white on the orange is 2.4:1.
pub const BADGE_TEXT: Color = Color::rgb(0x1C, 0x1F, 0x2A);
pub const SUCCESS: Color = Color::rgb(0x3C, 0xA0, 0x5A);
pub const PROGRESS_TRACK: Color = Color::rgb(0x3A, 0x41, 0x55);
pub const PROGRESS_FILL: Color = Color::rgb(0x4C, 0xC0, 0x70);
pub const NOTICE: Color = Color::rgb(0x5A, 0x46, 0x1E);
/// A favourite's mark (Checkpoint's gold, `3ds/include/colors.hpp` `COLOR_GOLD`).
pub const FAVOURITE: Color = Color::rgb(0xE6, 0xC3, 0x4D);

/// Height of the header bar on both screens.
pub const HEADER_HEIGHT: u16 = 20;
/// Height of one list row on the bottom screen.
pub const ROW_HEIGHT: u16 = 22;
/// Rows of a list visible at once.
pub const VISIBLE_ROWS: usize = 8;
/// Where the list starts on the bottom screen.
pub const LIST_TOP: u16 = HEADER_HEIGHT;
/// The touch buttons' bar on the bottom screen.
pub const BUTTON_BAR_TOP: u16 = LIST_TOP + ROW_HEIGHT * VISIBLE_ROWS as u16 + 2;
pub const BUTTON_BAR_HEIGHT: u16 = 24;
/// The help line at the foot of the bottom screen.
pub const HELP_TOP: u16 = BUTTON_BAR_TOP + BUTTON_BAR_HEIGHT + 1;
pub const HELP_HEIGHT: u16 = SCREEN_HEIGHT - HELP_TOP;
/// Width of the list's scroll bar.
pub const SCROLLBAR_WIDTH: u16 = 6;

// The layout must fit the bottom screen, with room for a line of small text
// in the help line.
const _: () = assert!(HELP_TOP + HELP_HEIGHT == SCREEN_HEIGHT && HELP_HEIGHT >= 12);

/// The WCAG 2 contrast ratio of two opaque colours, from 1 (the same) to 21
/// (black on white): text needs at least [`MIN_TEXT_CONTRAST`].
pub fn contrast_ratio(a: Color, b: Color) -> f64 {
    // Relative luminance of sRGB (WCAG 2.x, "relative luminance").
    fn luminance(c: Color) -> f64 {
        let channel = |v: u8| {
            let v = f64::from(v) / 255.0;
            if v <= 0.03928 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b)
    }
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// The least contrast of any text with what is under it (WCAG AA, normal
/// text).
pub const MIN_TEXT_CONTRAST: f64 = 4.5;

/// The x extent of touch button `index` of `count` in the button bar.
pub fn button_span(index: usize, count: usize) -> (u16, u16) {
    let count = count.max(1) as u16;
    let width = BOTTOM_WIDTH / count;
    let x = width * index as u16;
    (x, width)
}

/// A date to the minute, as lists show it: `2026-11-21 18:04`.
pub fn format_date(date: &DateTime) -> String {
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        date.year, date.month, date.day, date.hour, date.minute
    )
}

/// A byte count the way people read it: `512 B`, `8 KiB`, `1.5 MiB`.
pub fn format_size(bytes: u64) -> String {
    const KIB: u64 = 1024;
    const MIB: u64 = 1024 * 1024;
    if bytes < KIB {
        format!("{bytes} B")
    } else if bytes < MIB {
        whole_or_tenths(bytes, KIB, "KiB")
    } else {
        whole_or_tenths(bytes, MIB, "MiB")
    }
}

fn whole_or_tenths(bytes: u64, unit: u64, name: &str) -> String {
    if bytes % unit == 0 {
        format!("{} {name}", bytes / unit)
    } else {
        let tenths = (bytes * 10 + unit / 2) / unit;
        format!("{}.{} {name}", tenths / 10, tenths % 10)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_naturally() {
        assert_eq!(format_size(512), "512 B");
        assert_eq!(format_size(8 * 1024), "8 KiB");
        assert_eq!(format_size(1536 * 1024), "1.5 MiB");
        assert_eq!(format_size(8 * 1024 * 1024), "8 MiB");
        assert_eq!(format_size(11_688), "11.4 KiB");
    }

    #[test]
    fn touch_buttons_split_the_bar_evenly() {
        assert_eq!(button_span(0, 4), (0, 80));
        assert_eq!(button_span(3, 4), (240, 80));
        assert_eq!(button_span(0, 1), (0, 320));
    }
}

#[cfg(test)]
mod contrast_tests {
    use super::*;

    #[test]
    fn contrast_matches_the_wcag_reference_values() {
        let (black, white) = (Color::rgb(0, 0, 0), Color::rgb(255, 255, 255));
        assert!((contrast_ratio(black, white) - 21.0).abs() < 1e-9);
        assert!((contrast_ratio(white, white) - 1.0).abs() < 1e-9);
        // #777777 on white is 4.48:1 (the WCAG examples' borderline grey).
        let grey = contrast_ratio(Color::rgb(0x77, 0x77, 0x77), white);
        assert!((grey - 4.48).abs() < 0.01, "{grey}");
    }
}
