//! The app controller (see ARCHITECTURE.md, `app`): what the console is
//! doing, apart from how the screens show it. It owns the devices (a
//! [`crate::platform::Console`]) and the store, runs the jobs, and answers
//! the screens through [`crate::ui::AppModel`]; it draws nothing.
//!
//! The boundary with `ui`: the screens (`ui/state.rs`, `draw.rs`,
//! `controls.rs`, `facts.rs`, `settings.rs`, `batch.rs`, `batch_draw.rs`,
//! `finding.rs`, `archive_switch.rs`, `notices.rs` and their helpers
//! `display.rs`, `palette.rs`, `contrast.rs`, `theme.rs`, `input.rs`,
//! `keyboard.rs`, `hint_check.rs`) read the trait and the plain data types
//! of `ui/model.rs` and never name this module, a device, a job or the
//! store (`tests/layering.rs` checks it). This module implements the trait
//! and uses those data types, and `ui::Ui` in its tests.
//!
//! Inside, each file is one part of the controller, most of them methods
//! on [`ConsoleModel`] (arrows point at what a file uses):
//!
//! ```text
//! app_model ──> every part below        impl AppModel: the screens' questions
//! jobs ───────> console_model, running_job, words, gba, system, dsiware, export, put_back
//! batch_run ──> console_model, running_job, words, jobs, gba
//! export, gba, put_back ──> console_model, running_job (export, gba: words)
//! extdata, found, system, dsiware, title_view ──> console_model
//! console_model ──> running_job          the state: titles, slot, settings, job
//!               ──> title_view, found, system, dsiware, gba (their state, loaders)
//! running_job, words, unfinished, capabilities, demo   no other part
//! ```
//!
//! - `console_model`: the model's state and how it is kept current (titles
//!   from the card slot, the title cache and the backup folders; the card
//!   identified a step per frame). It holds the running job
//!   (`running_job`) but never starts or steps one: that is `jobs` (one
//!   title), `batch_run` (several), `export` (for a flashcart or an
//!   emulator) and `put_back` (the automatic backup of an unfinished
//!   restore, found through `unfinished`).
//! - `extdata`, `gba`, `system`, `dsiware`, `found`, `title_view`: the save
//!   data / extdata switch, GBA Virtual Console titles, the console's own
//!   data, DSiWare titles, saves found on the SD card, favourites and the
//!   list's filter and order.
//! - `words`: the refusals and report lines several parts say alike.
//! - `capabilities`: which system services the console may use, decided
//!   once at start-up; `demo`: sample simulated consoles.
//!
//! Still tangled: `console_model` loads the state of `title_view`, `found`,
//! `system` and `dsiware` and lists GBA titles through `gba`, which all extend the
//! model in turn. Moving those states into files of their own, as the
//! running job's is, would untangle them.

mod app_model;
mod batch_run;
pub mod capabilities;
mod console_model;
// Sample consoles are simulated ones (see `sim` in lib.rs).
#[cfg(target_has_atomic = "64")]
pub mod demo;
mod dsiware;
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
mod words;

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
