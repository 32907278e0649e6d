//! What the app leaves behind when something fails: a bounded log of
//! failed service calls on the SD card ([`log`]) and the text of the
//! screen shown on both screens when the app panics or cannot start
//! ([`screen`]). The console only draws and writes what these compute.

pub mod log;
pub mod screen;

/// Where the log lives.
pub const LOG_PATH: &str = "/3ds/Keepsake/log.txt";
