//! The console clock. The 3DS keeps local time in its RTC and libctru
//! reports it as seconds since 1970, so no time zone is applied.

use std::time::{SystemTime, UNIX_EPOCH};

use keepsake_core::platform::{Clock, DateTime};

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime {
        let seconds = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|elapsed| elapsed.as_secs())
            .unwrap_or(0);
        DateTime::from_unix_seconds(seconds)
    }
}
