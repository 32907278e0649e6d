//! The simulated clock: a settable seconds count that advances one second
//! each time it is read, so that successive backups get distinct
//! `YYYYMMDD-HHMMSS` folder names, as they would on a real console.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::platform::{Clock, DateTime};

/// The clock.
#[derive(Debug)]
pub struct SimClock {
    unix_seconds: AtomicU64,
}

impl SimClock {
    /// A clock showing `unix_seconds`.
    pub fn new(unix_seconds: u64) -> Self {
        Self {
            unix_seconds: AtomicU64::new(unix_seconds),
        }
    }

    /// Sets the time.
    pub fn set(&self, unix_seconds: u64) {
        self.unix_seconds.store(unix_seconds, Ordering::Relaxed);
    }
}

impl Clock for SimClock {
    fn now(&self) -> DateTime {
        DateTime::from_unix_seconds(self.unix_seconds.fetch_add(1, Ordering::Relaxed))
    }
}
