//! What the console does when something fails: every failed service call
//! goes into the bounded log at `/3ds/Keepsake/log.txt` (the core's
//! `failure::log`), and a panic or a start-up failure is shown on both
//! screens with libctru's text console (the core's `failure::screen` lays
//! the text out) until START is pressed, instead of a black screen.

use std::sync::Mutex;

use ctru::services::apt::Apt;
use ctru::services::gfx::Gfx;
use ctru::services::hid::Hid;
use keepsake_core::failure::LOG_PATH;
use keepsake_core::failure::log::{BoundedLog, DEFAULT_CAP, failed_call};
use keepsake_core::failure::screen::Failure;
use keepsake_core::platform::Clock;
use keepsake_core::platform::result_code::ResultCode;

use crate::system::clock::SystemClock;
use crate::system::sd::Sdmc;

/// The log, shared by every service wrapper; `None` until the first record.
static LOG: Mutex<Option<BoundedLog>> = Mutex::new(None);
/// The system tick of the last flush.
static LAST_FLUSH: Mutex<u64> = Mutex::new(0);
/// Ticks per second of `svcGetSystemTick` (libctru `os.h`, SYSCLOCK_ARM11).
const TICKS_PER_SECOND: u64 = 268_111_856;

/// Records a line in the log; written to the SD card at most once a
/// second (a burst of failures costs one write), and always by [`flush`].
pub fn record(text: &str) {
    let Ok(mut log) = LOG.try_lock() else {
        // A failure while the log itself is being written: not recorded.
        return;
    };
    log.get_or_insert_with(|| BoundedLog::new(LOG_PATH, DEFAULT_CAP))
        .record(SystemClock.now(), text);
    // SAFETY: svcGetSystemTick reads the tick counter; no pointers.
    let now = unsafe { ctru_sys::svcGetSystemTick() };
    let mut last = LAST_FLUSH
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if now.wrapping_sub(*last) >= TICKS_PER_SECOND {
        *last = now;
        if let Some(log) = log.as_mut() {
            // SD writes go through newlib's sdmc: device, not through
            // `system::check`, so this cannot record into itself.
            let _ = log.flush(&mut Sdmc);
        }
    }
}

/// Records a failed service call with its decoded result code.
pub fn record_failed_call(call: &str, code: ctru_sys::Result) {
    record(&failed_call(call, ResultCode(code as u32)));
}

/// Records a failed call made through ctru-rs (AM, APT, ...), with its
/// result code when ctru-rs kept one.
pub fn record_ctru_error(call: &str, error: &ctru::Error) {
    match error {
        ctru::Error::Os(code) => record_failed_call(call, *code),
        other => record(&format!("{call} failed: {other}")),
    }
}

/// Writes what was recorded; `false` when the SD card refused.
pub fn flush() -> bool {
    // try_lock: a panic raised while this thread held the log must not
    // wait for itself.
    let mut log = match LOG.try_lock() {
        Ok(log) => log,
        Err(std::sync::TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
        Err(std::sync::TryLockError::WouldBlock) => return false,
    };
    log.as_mut().is_none_or(|log| log.flush(&mut Sdmc).is_ok())
}

/// Shows a failure on both screens until START (or HOME, or POWER).
pub fn show(failure: &Failure, log_written: bool) {
    // The app's own graphics, when they are up; otherwise this failure came
    // before them (or after they were dropped) and they are brought up here.
    let _gfx = Gfx::new().ok();
    let _apt = Apt::new().ok();
    let _hid = Hid::new().ok();
    // SAFETY: zeroed PrintConsole structs are what consoleInit expects to
    // fill (libctru console.c copies its default console into them); they
    // are leaked, so they outlive every use. GFX is initialized: by the app
    // (Gfx::new then fails as already active) or by `_gfx` above.
    unsafe {
        let top: *mut ctru_sys::PrintConsole =
            Box::into_raw(Box::new(std::mem::zeroed::<ctru_sys::PrintConsole>()));
        let bottom: *mut ctru_sys::PrintConsole =
            Box::into_raw(Box::new(std::mem::zeroed::<ctru_sys::PrintConsole>()));
        // libctru console.h: consoleInit(screen, console) sets the screen to
        // a text console; consoleSelect makes stdout print there.
        ctru_sys::consoleInit(ctru_sys::GFX_TOP, top);
        ctru_sys::consoleInit(ctru_sys::GFX_BOTTOM, bottom);
        ctru_sys::consoleSelect(top);
        print_lines(&failure.top_lines());
        ctru_sys::consoleSelect(bottom);
        print_lines(&failure.bottom_lines(log_written));
        // libctru apt.h / hid.h / gspgpu.h: the usual frame loop, until
        // START is pressed or the system asks the app to close.
        while ctru_sys::aptMainLoop() {
            ctru_sys::hidScanInput();
            if ctru_sys::hidKeysDown() & ctru_sys::KEY_START != 0 {
                break;
            }
            ctru_sys::gfxFlushBuffers();
            ctru_sys::gfxSwapBuffers();
            ctru_sys::gspWaitForEvent(ctru_sys::GSPGPU_EVENT_VBlank0, true);
        }
    }
}

/// Prints each line at its own row (libctru's console understands the
/// ANSI cursor position `ESC [ row ; column H`, from 1), so a line exactly
/// as wide as the screen does not wrap into an empty one.
fn print_lines(lines: &[String]) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    for (row, line) in lines.iter().enumerate() {
        let _ = write!(out, "\x1b[{};1H{line}", row + 1);
    }
    // Line-buffered: without a last newline, nothing reaches the console
    // until flushed.
    let _ = out.flush();
}

/// Replaces the panic hook: the old one still runs (stderr goes to the
/// debugger), then the panic is logged and shown.
pub fn install_panic_hook() {
    let old = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        old(info);
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".to_owned());
        let location = info
            .location()
            .map(|at| format!("{}:{}:{}", at.file(), at.line(), at.column()));
        record(&format!(
            "panic: {message} at {}",
            location.as_deref().unwrap_or("an unknown place")
        ));
        let written = flush();
        show(&Failure::panic(&message, location.as_deref()), written);
    }));
}

/// A start-up failure: logged and shown.
pub fn show_startup_failure(error: &str) {
    record(&format!("start-up failed: {error}"));
    let written = flush();
    show(&Failure::startup(error), written);
}
