//! The app controller (see ARCHITECTURE.md, `app`): what the console is
//! doing, apart from how the screens show it.
//!
//! Most of the controller still lives in `ui::ConsoleModel`; what starts
//! here is what must never depend on a screen: the restore journal found at
//! start-up ([`unfinished`]), and the rule that keeps system events away
//! from a save being written ([`SystemEvents`]).

mod app_model;
mod batch_run;
pub mod capabilities;
mod console_model;
// Sample consoles are simulated ones (see `sim` in lib.rs).
#[cfg(target_has_atomic = "64")]
pub mod demo;
mod export;
mod extdata;
mod found;
mod gba;
mod jobs;
mod put_back;
mod running_job;
mod system;
mod title_view;
pub mod unfinished;

pub use console_model::{
    ConsoleModel, IDENTIFYING, MADE_PATH, UI_SETTINGS_PATH, date_of_folder_name,
};
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

#[cfg(test)]
mod batch_tests;
#[cfg(test)]
mod console_tests;
#[cfg(test)]
mod finding_tests;
#[cfg(test)]
mod found_tests;
#[cfg(test)]
mod journal_tests;
