//! One frame of input: the buttons held, the buttons newly pressed, the
//! touch point.

use std::ops::{BitOr, BitOrAssign};

/// A set of the console's buttons.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Buttons(u16);

impl Buttons {
    pub const NONE: Buttons = Buttons(0);
    pub const A: Buttons = Buttons(1 << 0);
    pub const B: Buttons = Buttons(1 << 1);
    pub const X: Buttons = Buttons(1 << 2);
    pub const Y: Buttons = Buttons(1 << 3);
    pub const L: Buttons = Buttons(1 << 4);
    pub const R: Buttons = Buttons(1 << 5);
    pub const START: Buttons = Buttons(1 << 6);
    pub const SELECT: Buttons = Buttons(1 << 7);
    pub const UP: Buttons = Buttons(1 << 8);
    pub const DOWN: Buttons = Buttons(1 << 9);
    pub const LEFT: Buttons = Buttons(1 << 10);
    pub const RIGHT: Buttons = Buttons(1 << 11);

    /// Every button with its name, for scripts.
    pub const NAMED: [(&'static str, Buttons); 12] = [
        ("A", Buttons::A),
        ("B", Buttons::B),
        ("X", Buttons::X),
        ("Y", Buttons::Y),
        ("L", Buttons::L),
        ("R", Buttons::R),
        ("START", Buttons::START),
        ("SELECT", Buttons::SELECT),
        ("UP", Buttons::UP),
        ("DOWN", Buttons::DOWN),
        ("LEFT", Buttons::LEFT),
        ("RIGHT", Buttons::RIGHT),
    ];

    pub fn contains(self, other: Buttons) -> bool {
        other.0 != 0 && self.0 & other.0 == other.0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The button called `name` (case-insensitive), as in [`Self::NAMED`].
    pub fn from_name(name: &str) -> Option<Buttons> {
        Self::NAMED
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|&(_, b)| b)
    }
}

impl BitOr for Buttons {
    type Output = Buttons;
    fn bitor(self, rhs: Buttons) -> Buttons {
        Buttons(self.0 | rhs.0)
    }
}

impl BitOrAssign for Buttons {
    fn bitor_assign(&mut self, rhs: Buttons) {
        self.0 |= rhs.0;
    }
}

/// A point on the bottom screen, in pixels (0..320, 0..240).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Touch {
    pub x: u16,
    pub y: u16,
}

/// What the user did during one frame.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FrameInput {
    /// Buttons down during this frame.
    pub held: Buttons,
    /// Buttons that went down this frame (a subset of `held`).
    pub pressed: Buttons,
    /// Where the screen is touched, if it is.
    pub touch: Option<Touch>,
}

impl FrameInput {
    /// No input at all.
    pub const IDLE: FrameInput = FrameInput {
        held: Buttons::NONE,
        pressed: Buttons::NONE,
        touch: None,
    };

    /// `buttons` pressed this frame (and so held).
    pub fn press(buttons: Buttons) -> Self {
        Self {
            held: buttons,
            pressed: buttons,
            touch: None,
        }
    }

    /// `held` kept down and `pressed` newly pressed, as in "hold L, press A".
    pub fn hold_and_press(held: Buttons, pressed: Buttons) -> Self {
        Self {
            held: held | pressed,
            pressed,
            touch: None,
        }
    }

    /// `buttons` kept down from an earlier frame.
    pub fn hold(buttons: Buttons) -> Self {
        Self {
            held: buttons,
            pressed: Buttons::NONE,
            touch: None,
        }
    }

    /// The bottom screen touched at (`x`, `y`).
    pub fn touch(x: u16, y: u16) -> Self {
        Self {
            held: Buttons::NONE,
            pressed: Buttons::NONE,
            touch: Some(Touch { x, y }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_combine_and_names_resolve() {
        let la = Buttons::L | Buttons::A;
        assert!(la.contains(Buttons::A) && la.contains(Buttons::L));
        assert!(!la.contains(Buttons::R));
        assert!(!la.contains(Buttons::NONE));
        assert_eq!(Buttons::from_name("start"), Some(Buttons::START));
        assert_eq!(Buttons::from_name("Z"), None);
        let input = FrameInput::hold_and_press(Buttons::R, Buttons::A);
        assert!(input.held.contains(Buttons::R | Buttons::A));
        assert_eq!(input.pressed, Buttons::A);
    }
}
