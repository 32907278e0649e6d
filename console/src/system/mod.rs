//! The console's system services behind the keepsake-core platform traits.
//!
//! Every module here that calls libctru directly keeps its `unsafe` blocks
//! small and says why each is sound; every failed call becomes a
//! [`SysError`] that names the call and decodes the result code, and is
//! turned into the core's typed errors, which the UI shows.

pub mod am;
pub mod archive;
pub mod card;
pub mod clock;
pub mod fs_path;
pub mod gba_vc;
pub mod keyboard;
pub mod sd;
pub mod spi;

use std::fmt;

use keepsake_core::platform::result_code::{FsMeaning, ResultCode};

/// A system call that returned a failure result code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SysError {
    /// The libctru function that failed.
    pub call: &'static str,
    /// Its raw result code.
    pub code: ctru_sys::Result,
}

impl SysError {
    /// What the code means, decided on its module and description before
    /// its summary (missing extdata answers 0xC8A04478: summary "invalid
    /// state", description "not found"); see the core's `result_code`.
    pub fn meaning(&self) -> FsMeaning {
        ResultCode(self.code as u32).meaning()
    }

    /// The thing asked for does not exist.
    pub fn is_not_found(&self) -> bool {
        self.meaning() == FsMeaning::NotFound
    }

    /// A resource (space, handles) ran out.
    pub fn is_out_of_resource(&self) -> bool {
        self.meaning() == FsMeaning::OutOfResource
    }
}

impl fmt::Display for SysError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // ctru-rs decodes the level, module, summary and description.
        write!(f, "{} failed: {}", self.call, ctru::Error::Os(self.code))
    }
}

impl std::error::Error for SysError {}

/// Turns a libctru result code into a `Result`; every failure is logged.
pub fn check(call: &'static str, code: ctru_sys::Result) -> Result<(), SysError> {
    if ctru_sys::R_FAILED(code) {
        crate::failure_screen::record_failed_call(call, code);
        Err(SysError { call, code })
    } else {
        Ok(())
    }
}

/// Sends stderr (`eprintln!`) to the debugger through svcOutputDebugString,
/// so start-up problems reach a debugger or an emulator's log: the app has
/// no text console to print them on.
pub fn stderr_to_debugger() {
    // SAFETY: consoleDebugInit takes no pointers; it only points newlib's
    // stderr entry at libctru's debug device, before any thread exists.
    unsafe { ctru_sys::consoleDebugInit(ctru_sys::debugDevice_SVC) };
}
