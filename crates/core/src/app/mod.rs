//! The app controller (see ARCHITECTURE.md, `app`): what the console is
//! doing, apart from how the screens show it.
//!
//! Most of the controller still lives in `ui::ConsoleModel`; what starts
//! here is what must never depend on a screen: the restore journal found at
//! start-up ([`unfinished`]), and the rule that keeps system events away
//! from a save being written ([`SystemEvents`]).

pub mod unfinished;

pub use unfinished::{PutBackRefused, Unfinished};

/// Whether the console's main loop may hand control to the system this
/// frame.
///
/// On the console that hand-over is libctru's `aptMainLoop()`, which acts on
/// the POWER button whatever the HOME lock says (see
/// [`crate::sim::PowerButton`] for the libctru source): "Power off" then
/// ends the app. So while a job is between its first write to a save and
/// the end of its read-back, the loop must only draw frames and step the
/// job, and call APT again once the job is past that point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SystemEvents {
    /// Nothing is being written: call `aptMainLoop` as usual.
    Allowed,
    /// A save is being written: skip `aptMainLoop` this frame.
    Held,
}
