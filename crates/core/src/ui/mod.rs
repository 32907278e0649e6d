//! The user interface: screens as a state machine fed one frame of input at
//! a time, producing a display list for both screens. Drawing it is the
//! console's job (citro2d) or the PC preview's (PNG).

mod archive_switch;
mod batch;
mod batch_run;
mod console_model;
pub mod contrast;
mod controls;
// Sample consoles are simulated ones (see `sim` in lib.rs).
#[cfg(target_has_atomic = "64")]
pub mod demo;
pub mod display;
mod draw;
mod dsiware;
mod export;
mod extdata;
mod facts;
mod finding;
mod found;
mod gba;
mod hint_check;
pub mod input;
mod jobs;
pub mod keyboard;
pub mod model;
pub mod palette;
mod settings;
mod state;
mod system;
pub mod theme;
mod unfinished;

pub use console_model::{
    ConsoleModel, IDENTIFYING, MADE_PATH, UI_SETTINGS_PATH, date_of_folder_name,
};
pub use display::{Align, Color, DrawCmd, Frame, PlacedText, Screen, TextSize};
pub use input::{Buttons, FrameInput, Touch};
pub use keyboard::{Keyboard, QueuedKeyboard};
pub use model::AppModel;
pub use palette::{Palette, Role};
pub use state::{CANCEL_HOLD_FRAMES, ScreenKind, Signal, Ui};

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
#[cfg(test)]
mod tests;
