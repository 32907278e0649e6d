//! One frame of HID input as the core's [`FrameInput`]: buttons held and
//! newly pressed (the D-pad and the circle pad both move), and the touch
//! point while the bottom screen is touched.

use ctru::services::hid::{Hid, KeyPad};
use keepsake_core::ui::{Buttons, FrameInput, Touch};

/// The console keys behind each of the core's buttons.
const MAPPING: [(KeyPad, Buttons); 12] = [
    (KeyPad::A, Buttons::A),
    (KeyPad::B, Buttons::B),
    (KeyPad::X, Buttons::X),
    (KeyPad::Y, Buttons::Y),
    (KeyPad::L, Buttons::L),
    (KeyPad::R, Buttons::R),
    (KeyPad::START, Buttons::START),
    (KeyPad::SELECT, Buttons::SELECT),
    (KeyPad::DPAD_UP.union(KeyPad::CPAD_UP), Buttons::UP),
    (KeyPad::DPAD_DOWN.union(KeyPad::CPAD_DOWN), Buttons::DOWN),
    (KeyPad::DPAD_LEFT.union(KeyPad::CPAD_LEFT), Buttons::LEFT),
    (KeyPad::DPAD_RIGHT.union(KeyPad::CPAD_RIGHT), Buttons::RIGHT),
];

fn buttons(keys: KeyPad) -> Buttons {
    let mut out = Buttons::NONE;
    for (key, button) in MAPPING {
        if keys.intersects(key) {
            out |= button;
        }
    }
    out
}

/// Scans the HID state and converts this frame's input.
pub fn read(hid: &mut Hid) -> FrameInput {
    hid.scan_input();
    let held = hid.keys_held();
    let touch = held.contains(KeyPad::TOUCH).then(|| {
        let (x, y) = hid.touch_position();
        Touch { x, y }
    });
    FrameInput {
        held: buttons(held),
        pressed: buttons(hid.keys_down()),
        touch,
    }
}
