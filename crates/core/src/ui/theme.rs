//! The screens' fixed layout and the formatting of sizes, shared by the
//! drawing and the touch hit-testing so that both agree on where things
//! are. The colours are in `ui/palette.rs`.

use super::display::{BOTTOM_WIDTH, SCREEN_HEIGHT};
use super::model::DateTime;

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
