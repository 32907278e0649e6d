//! The system keyboard, as the UI asks for it: one blocking call that
//! returns what the user typed, or nothing when they cancelled. The console
//! implements it with the software keyboard applet.

use std::collections::VecDeque;

/// Asks the user to type a line of text.
pub trait Keyboard {
    /// Shows the keyboard with `hint` and `initial` text; `None` when the
    /// user cancelled.
    fn input(&mut self, hint: &str, initial: &str) -> Option<String>;
}

/// A keyboard whose answers are given in advance, for the simulated console:
/// each call takes the next answer; with none left the user "cancels".
#[derive(Debug, Default)]
pub struct QueuedKeyboard {
    answers: VecDeque<Option<String>>,
    /// The hints of every call so far.
    pub asked: Vec<String>,
}

impl QueuedKeyboard {
    pub fn new() -> Self {
        Self::default()
    }

    /// The next call returns `answer` (`None`: the user cancels).
    pub fn answer(&mut self, answer: Option<&str>) {
        self.answers.push_back(answer.map(str::to_owned));
    }
}

impl Keyboard for QueuedKeyboard {
    fn input(&mut self, hint: &str, _initial: &str) -> Option<String> {
        self.asked.push(hint.to_owned());
        self.answers.pop_front().flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_come_in_order_then_cancel() {
        let mut keyboard = QueuedKeyboard::new();
        keyboard.answer(Some("before boss"));
        keyboard.answer(None);
        assert_eq!(keyboard.input("Name", ""), Some("before boss".into()));
        assert_eq!(keyboard.input("Name", ""), None);
        assert_eq!(keyboard.input("Name", ""), None);
        assert_eq!(keyboard.asked.len(), 3);
    }
}
