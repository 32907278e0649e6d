//! The user interface: screens as a state machine fed one frame of input at
//! a time, producing a display list for both screens. Drawing it is the
//! console's job (citro2d) or the PC preview's (PNG).

pub mod display;
mod draw;
pub mod input;
pub mod model;
mod state;
pub mod theme;

pub use display::{Align, Color, DrawCmd, Frame, Screen, TextSize};
pub use input::{Buttons, FrameInput, Touch};
pub use model::AppModel;
pub use state::{CANCEL_HOLD_FRAMES, ScreenKind, Signal, Ui};

#[cfg(test)]
mod tests;
