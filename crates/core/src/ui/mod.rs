//! The user interface: screens as a state machine fed one frame of input at
//! a time, producing a display list for both screens. Drawing it is the
//! console's job (citro2d) or the PC preview's (PNG).
//!
//! The screens know the rest of the app only as an [`AppModel`] and the
//! plain data types of `model.rs`: they read its state and send it
//! commands, and never name a device, a job or the store. The controller
//! behind the trait is `crate::app`.

mod archive_switch;
mod batch;
pub mod contrast;
mod controls;
pub mod display;
mod draw;
mod facts;
mod finding;
mod hint_check;
pub mod input;
pub mod keyboard;
pub mod model;
pub mod notices;
pub mod palette;
mod settings;
pub(crate) mod state;
pub mod theme;

pub use display::{Align, Color, DrawCmd, Frame, PlacedText, Screen, TextSize};
pub use input::{Buttons, FrameInput, Touch};
pub use keyboard::{Keyboard, QueuedKeyboard};
pub use model::AppModel;
pub use palette::{Palette, Role};
pub use state::{CANCEL_HOLD_FRAMES, ScreenKind, Signal, Ui};

#[cfg(test)]
mod tests;
