//! The system keyboard in the preview: answers typed by the script (`type
//! TEXT`) or given by the scenario, and a picture of the keyboard as the
//! console shows it while a name is typed. On the console the keyboard is a
//! system applet that draws itself over both screens; the picture here is a
//! plain stand-in (the hint, the text typed, the keys, Cancel and OK) so a
//! preview shows that the keyboard opens and what it asks.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use keepsake_core::ui::display::{BOTTOM_WIDTH, SCREEN_HEIGHT};
use keepsake_core::ui::{Align, DrawCmd, Frame, Keyboard, Role, TextSize};

/// What the keyboard knows: the answers still to give, and the last time
/// it opened.
#[derive(Debug, Default)]
struct State {
    answers: VecDeque<Option<String>>,
    /// The hint and the answer of the last opening, until taken.
    shown: Option<(String, Option<String>)>,
}

/// The preview's keyboard; clones share their answers and what was shown.
#[derive(Clone, Debug, Default)]
pub struct PreviewKeyboard(Rc<RefCell<State>>);

impl PreviewKeyboard {
    /// The next opening answers `text` (`None`: the user cancels).
    pub fn answer(&self, text: Option<&str>) {
        self.0
            .borrow_mut()
            .answers
            .push_back(text.map(str::to_owned));
    }

    /// The hint and answer of the keyboard's last opening, if it opened
    /// since the last call.
    pub fn take_shown(&self) -> Option<(String, Option<String>)> {
        self.0.borrow_mut().shown.take()
    }
}

impl Keyboard for PreviewKeyboard {
    fn input(&mut self, hint: &str, _initial: &str) -> Option<String> {
        let mut state = self.0.borrow_mut();
        let answer = state.answers.pop_front().flatten();
        state.shown = Some((hint.to_owned(), answer.clone()));
        answer
    }
}

const ROWS: [&str; 4] = ["1234567890", "QWERTYUIOP", "ASDFGHJKL", "ZXCVBNM"];

/// The keyboard on the bottom screen over the app's `under` frame (its top
/// screen stays), with `hint` and the `typed` text (empty when cancelled).
pub fn picture(under: &Frame, hint: &str, typed: Option<&str>) -> Frame {
    let mut bottom = vec![rect(0, 0, BOTTOM_WIDTH, SCREEN_HEIGHT, Role::Background)];
    bottom.push(rect(0, 0, BOTTOM_WIDTH, 20, Role::Bar));
    bottom.push(text(6, 4, hint, Align::Left));
    bottom.push(rect(8, 28, BOTTOM_WIDTH - 16, 24, Role::Panel));
    bottom.push(text(14, 34, typed.unwrap_or(""), Align::Left));
    let key = 28u16;
    for (r, row) in ROWS.iter().enumerate() {
        let width = row.len() as u16 * (key + 2);
        let left = (BOTTOM_WIDTH - width) / 2;
        let y = 60 + r as u16 * (key + 2);
        for (c, letter) in row.chars().enumerate() {
            let x = left + c as u16 * (key + 2);
            bottom.push(rect(x, y, key, key, Role::Button));
            bottom.push(text(x + key / 2, y + 8, &letter.to_string(), Align::Center));
        }
    }
    let y = 60 + 4 * (key + 2) + 4;
    bottom.push(rect(8, y, 146, 28, Role::Button));
    bottom.push(text(81, y + 8, "Cancel", Align::Center));
    bottom.push(rect(166, y, 146, 28, Role::Button));
    bottom.push(text(239, y + 8, "OK", Align::Center));
    Frame {
        top: under.top.clone(),
        bottom,
        theme: under.theme,
    }
}

fn rect(x: u16, y: u16, w: u16, h: u16, color: Role) -> DrawCmd {
    DrawCmd::Rect {
        x: x as i16,
        y: y as i16,
        w,
        h,
        color,
    }
}

fn text(x: u16, y: u16, s: &str, align: Align) -> DrawCmd {
    DrawCmd::Text {
        x: x as i16,
        y: y as i16,
        text: s.to_owned(),
        size: TextSize::Normal,
        color: Role::Text,
        align,
        max_width: Some(BOTTOM_WIDTH - 20),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_in_turn_and_says_what_it_showed() {
        let mut keyboard = PreviewKeyboard::default();
        let shared = keyboard.clone();
        shared.answer(Some("before the boss"));
        assert_eq!(shared.take_shown(), None);
        assert_eq!(keyboard.input("Name", ""), Some("before the boss".into()));
        assert_eq!(
            shared.take_shown(),
            Some(("Name".into(), Some("before the boss".into())))
        );
        assert_eq!(keyboard.input("Name", ""), None, "no answer left: cancel");
        let frame = picture(&Frame::default(), "Name of the new backup", Some("x"));
        assert!(frame.shows("Name of the new backup") && frame.shows("OK"));
    }
}
