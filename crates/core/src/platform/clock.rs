//! The console's real-time clock, as a calendar date and time.
//!
//! Backup folders are named after it (`YYYYMMDD-HHMMSS`, Checkpoint's
//! format), so only local calendar fields matter; the conversion from a
//! seconds count is the civil-from-days algorithm (proleptic Gregorian).

use std::fmt;

/// A calendar date and time of day, to the second.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateTime {
    /// Full year, e.g. 2026.
    pub year: u16,
    /// 1..=12.
    pub month: u8,
    /// 1..=31.
    pub day: u8,
    /// 0..=23.
    pub hour: u8,
    /// 0..=59.
    pub minute: u8,
    /// 0..=59.
    pub second: u8,
}

impl DateTime {
    /// The date and time `seconds` after 1970-01-01 00:00:00.
    pub fn from_unix_seconds(seconds: u64) -> Self {
        let days = (seconds / 86_400) as i64;
        let rem = seconds % 86_400;
        // Shift the epoch to 0000-03-01 so leap days fall at the end of a year.
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as u16;
        Self {
            year,
            month,
            day,
            hour: (rem / 3600) as u8,
            minute: (rem / 60 % 60) as u8,
            second: (rem % 60) as u8,
        }
    }

    /// Checkpoint's backup folder name: `YYYYMMDD-HHMMSS`.
    pub fn folder_name(&self) -> String {
        format!(
            "{:04}{:02}{:02}-{:02}{:02}{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }
}

/// The console clock.
pub trait Clock {
    /// The current local date and time.
    fn now(&self) -> DateTime;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_epoch_and_known_dates_convert() {
        assert_eq!(
            DateTime::from_unix_seconds(0).to_string(),
            "1970-01-01 00:00:00"
        );
        // 2000-02-29 12:34:56, a leap day in a century leap year.
        assert_eq!(
            DateTime::from_unix_seconds(951_827_696).to_string(),
            "2000-02-29 12:34:56"
        );
        // 2026-11-22 00:06:31.
        let t = DateTime::from_unix_seconds(1_795_305_991);
        assert_eq!(t.folder_name(), "20261122-000631");
    }
}
