//! A log on the SD card that never grows past a cap: the lines are kept in
//! memory (the last [`BoundedLog::cap`] bytes, cut at a line start) and the
//! file is rewritten whole, atomically, when flushed. The SD card trait
//! has no append, and a whole 64 KiB write per flush is cheap next to the
//! failures it records; recording is memory-only, so a burst of failures
//! (a title scan answering "not found" hundreds of times) costs no I/O
//! until the caller flushes.
//!
//! One line per record: `YYYY-MM-DD HH:MM:SS <text>`; a failed service
//! call reads `<call> failed: 0xC8A04554 (status, invalid state, FS,
//! description 340: not formatted)` (see [`failed_call`]).

use crate::platform::result_code::ResultCode;
use crate::platform::sd::{read_recovering, write_atomic};
use crate::platform::{DateTime, SdCard, SdError};

/// The default cap: the last 64 KiB.
pub const DEFAULT_CAP: usize = 64 * 1024;

/// The text of a failed service call.
pub fn failed_call(call: &str, code: ResultCode) -> String {
    format!("{call} failed: {code}")
}

/// The log.
#[derive(Debug)]
pub struct BoundedLog {
    path: String,
    cap: usize,
    tail: String,
    /// Whether the file's earlier lines were read in yet.
    merged: bool,
    dirty: bool,
}

impl BoundedLog {
    /// A log at `path` kept within `cap` bytes (at least 256).
    pub fn new(path: &str, cap: usize) -> Self {
        Self {
            path: path.to_owned(),
            cap: cap.max(256),
            tail: String::new(),
            merged: false,
            dirty: false,
        }
    }

    /// The cap in bytes.
    pub fn cap(&self) -> usize {
        self.cap
    }

    /// Adds a line (control characters become spaces, so one record is
    /// one line).
    pub fn record(&mut self, when: DateTime, text: &str) {
        let clean: String = text
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        self.tail.push_str(&format!("{when} {clean}\n"));
        self.trim();
        self.dirty = true;
    }

    /// The lines kept, oldest first (without the file's earlier lines
    /// before the first flush).
    pub fn text(&self) -> &str {
        &self.tail
    }

    /// Drops the oldest lines until the text fits the cap; a single line
    /// longer than the cap keeps its end.
    fn trim(&mut self) {
        if self.tail.len() <= self.cap {
            return;
        }
        let excess = self.tail.len() - self.cap;
        // The first line start at or after `excess` (excess >= 1 here).
        let cut = match self.tail[excess - 1..].find('\n') {
            Some(nl) if excess + nl < self.tail.len() => excess + nl,
            _ => {
                let mut at = excess;
                while !self.tail.is_char_boundary(at) {
                    at += 1;
                }
                at
            }
        };
        self.tail.drain(..cut);
    }

    /// Writes the kept lines to the SD card if any were added. The first
    /// flush keeps what the file held from earlier runs, within the cap.
    pub fn flush(&mut self, sd: &mut dyn SdCard) -> Result<(), SdError> {
        if !self.dirty {
            return Ok(());
        }
        if !self.merged {
            let earlier = match read_recovering(sd, &self.path) {
                Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
                Err(SdError::NotFound { .. }) => String::new(),
                Err(e) => return Err(e),
            };
            let mut merged = earlier;
            if !merged.is_empty() && !merged.ends_with('\n') {
                merged.push('\n');
            }
            merged.push_str(&self.tail);
            self.tail = merged;
            self.trim();
            self.merged = true;
        }
        if let Some(cut) = self.path.rfind('/').filter(|&cut| cut > 0) {
            sd.create_dir_all(&self.path[..cut])?;
        }
        write_atomic(sd, &self.path, self.tail.as_bytes())?;
        self.dirty = false;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::failure::LOG_PATH;
    use crate::sim::{PowerSupply, SimSd};

    const WHEN: DateTime = DateTime {
        year: 2026,
        month: 11,
        day: 30,
        hour: 2,
        minute: 5,
        second: 9,
    };

    #[test]
    fn a_failed_call_is_one_line_with_its_decoded_code() {
        let mut log = BoundedLog::new(LOG_PATH, DEFAULT_CAP);
        log.record(
            WHEN,
            &failed_call("FSUSER_OpenArchive", ResultCode(0xC8A0_4554)),
        );
        assert_eq!(
            log.text(),
            "2026-11-30 02:05:09 FSUSER_OpenArchive failed: 0xC8A04554 \
             (status, invalid state, FS, description 340: not formatted)\n"
        );
        log.record(WHEN, "two\nlines");
        assert!(log.text().ends_with(" two lines\n"));
    }

    #[test]
    fn the_file_keeps_the_last_lines_within_the_cap() {
        let mut sd = SimSd::new(1 << 24, PowerSupply::new());
        sd.create_dir_all("/3ds/Keepsake").unwrap();
        // An earlier run's log, already near the cap.
        let earlier: String = (0..200).map(|i| format!("earlier line {i:03}\n")).collect();
        sd.write(LOG_PATH, earlier.as_bytes()).unwrap();
        let mut log = BoundedLog::new(LOG_PATH, 1024);
        for i in 0..100 {
            log.record(WHEN, &format!("failure {i:03}"));
            if i % 10 == 0 {
                log.flush(&mut sd).unwrap();
            }
        }
        log.flush(&mut sd).unwrap();
        let file = String::from_utf8(sd.read(LOG_PATH).unwrap()).unwrap();
        assert!(file.len() <= 1024, "{} bytes", file.len());
        // Each record is "2026-11-30 02:05:09 failure NNN\n": 32 bytes, so
        // 1024 bytes hold exactly the last 32 records, 068..=099.
        assert_eq!(file.len(), 32 * 32);
        assert!(
            file.starts_with("2026-11-30 02:05:09 failure 068\n"),
            "{file}"
        );
        assert!(file.ends_with("failure 099\n"));
        assert!(!file.contains("earlier"));
    }

    #[test]
    fn an_earlier_log_is_kept_when_there_is_room() {
        let mut sd = SimSd::new(1 << 24, PowerSupply::new());
        sd.create_dir_all("/3ds/Keepsake").unwrap();
        sd.write(LOG_PATH, b"from yesterday").unwrap();
        let mut log = BoundedLog::new(LOG_PATH, DEFAULT_CAP);
        // Nothing recorded: nothing written.
        log.flush(&mut sd).unwrap();
        assert_eq!(sd.read(LOG_PATH).unwrap(), b"from yesterday");
        log.record(WHEN, "today");
        log.flush(&mut sd).unwrap();
        assert_eq!(
            sd.read(LOG_PATH).unwrap(),
            b"from yesterday\n2026-11-30 02:05:09 today\n"
        );
    }

    #[test]
    fn a_line_longer_than_the_cap_keeps_its_end() {
        let mut log = BoundedLog::new(LOG_PATH, 256);
        log.record(WHEN, &"é".repeat(300));
        assert!(log.text().len() <= 256);
        assert!(log.text().ends_with("éé\n"));
        let mut sd = SimSd::new(1 << 20, PowerSupply::new());
        log.flush(&mut sd).unwrap();
        assert!(sd.read(LOG_PATH).unwrap().len() <= 256);
    }
}
