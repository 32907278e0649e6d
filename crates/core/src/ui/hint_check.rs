//! A check on a drawn bottom screen, made from the display list alone: the
//! touch buttons and the help line name the same actions in the same words
//! and order ("R+A restore" and a "Restore" button). Moving through a list
//! ("Up/Down choose") is the one help entry without a button: a tap on a
//! row does it. A help line without keys (a restore running) goes with no
//! buttons.

use super::display::{Frame, Screen};
use super::palette::Role;
use super::theme::{BUTTON_BAR_TOP, HELP_TOP};

/// The keys a help line may name, alone or joined by `+` or `/`.
const KEYS: [&str; 12] = [
    "A", "B", "X", "Y", "L", "R", "START", "SELECT", "Up", "Down", "Left", "Right",
];

fn is_key(token: &str) -> bool {
    token.split(['+', '/']).all(|k| KEYS.contains(&k))
}

/// The help line's entries: each control's keys and its words.
fn entries(help: &str) -> Vec<(String, String)> {
    let mut entries: Vec<(String, String)> = Vec::new();
    let mut tokens = help.split_whitespace().peekable();
    while let Some(token) = tokens.next() {
        let held = token == "Hold" && tokens.peek().is_some_and(|t| is_key(t));
        if held || is_key(token) {
            let keys = if held {
                format!("Hold {}", tokens.next().unwrap_or_default())
            } else {
                token.to_string()
            };
            entries.push((keys, String::new()));
        } else if let Some((_, words)) = entries.last_mut() {
            if !words.is_empty() {
                words.push(' ');
            }
            words.push_str(token);
        } else {
            // A sentence, not a list of keys.
            return Vec::new();
        }
    }
    entries
}

impl Frame {
    /// Why the bottom screen's buttons and help line disagree, if they do.
    pub fn help_and_buttons_disagree(&self) -> Option<String> {
        let texts = self.texts_placed(Screen::Bottom);
        let (bar, help_top) = (BUTTON_BAR_TOP as i16, HELP_TOP as i16);
        let help: Vec<&str> = texts
            .iter()
            .filter(|t| t.y >= help_top && t.under == Some(Role::Panel))
            .map(|t| t.text)
            .collect();
        let [help] = help[..] else {
            return Some(format!("not one help line: {help:?}"));
        };
        let buttons: Vec<String> = texts
            .iter()
            .filter(|t| t.y >= bar && t.y < help_top && t.under == Some(Role::Button))
            .map(|t| t.text.to_lowercase())
            .collect();
        let entries = entries(help);
        if let Some((keys, _)) = entries.iter().find(|(_, words)| words.is_empty()) {
            return Some(format!("{keys} does nothing in the help line {help:?}"));
        }
        let actions: Vec<String> = entries
            .into_iter()
            .filter(|(keys, _)| keys != "Up/Down")
            .map(|(_, words)| words.to_lowercase())
            .collect();
        (actions != buttons).then(|| {
            format!("the help line {help:?} names {actions:?}, the buttons say {buttons:?}")
        })
    }
}

#[cfg(test)]
mod tests {
    use super::entries;
    use crate::ui::display::{Align, DrawCmd, Frame, TextSize};
    use crate::ui::palette::Role;
    use crate::ui::theme::{BUTTON_BAR_HEIGHT, BUTTON_BAR_TOP, HELP_TOP};

    /// A bottom screen drawn by hand: buttons with `labels`, then `help`.
    fn bottom(labels: &[&str], help: &str) -> Frame {
        let text = |x: i16, y: u16, text: &str| DrawCmd::Text {
            x,
            y: y as i16,
            text: text.into(),
            size: TextSize::Normal,
            color: Role::Text,
            align: Align::Center,
            max_width: None,
        };
        let mut cmds = Vec::new();
        for (i, label) in labels.iter().enumerate() {
            let x = 100 * i as i16;
            cmds.push(DrawCmd::Rect {
                x,
                y: BUTTON_BAR_TOP as i16,
                w: 96,
                h: BUTTON_BAR_HEIGHT,
                color: Role::Button,
            });
            cmds.push(text(x + 48, BUTTON_BAR_TOP + 6, label));
        }
        cmds.push(DrawCmd::Rect {
            x: 0,
            y: HELP_TOP as i16,
            w: 320,
            h: 15,
            color: Role::Panel,
        });
        cmds.push(text(160, HELP_TOP + 3, help));
        Frame {
            bottom: cmds,
            ..Frame::default()
        }
    }

    #[test]
    fn a_button_the_help_line_does_not_name_is_found() {
        assert_eq!(
            bottom(&["Restore", "Cancel"], "A restore  B cancel").help_and_buttons_disagree(),
            None
        );
        // The wording of the old confirmation and of the old settings.
        assert!(
            bottom(&["Restore", "Cancel"], "A confirm  B cancel")
                .help_and_buttons_disagree()
                .is_some()
        );
        assert!(
            bottom(
                &["Change", "Save & back"],
                "Up/Down choose  A change  B save"
            )
            .help_and_buttons_disagree()
            .is_some()
        );
        assert_eq!(
            bottom(
                &["Change", "Save & back"],
                "Up/Down choose  A change  B save & back"
            )
            .help_and_buttons_disagree(),
            None
        );
        // A key without words, and a sentence beside a button.
        assert!(bottom(&["OK"], "A").help_and_buttons_disagree().is_some());
        assert!(
            bottom(&["OK"], "The buttons wait")
                .help_and_buttons_disagree()
                .is_some()
        );
        assert_eq!(
            bottom(&[], "The buttons wait").help_and_buttons_disagree(),
            None
        );
    }

    #[test]
    fn help_lines_split_into_keys_and_words() {
        let split = |help: &str| -> Vec<(String, String)> { entries(help) };
        assert_eq!(
            split("L+A backup  R+A restore  Left/Right other form"),
            [
                ("L+A".to_string(), "backup".to_string()),
                ("R+A".into(), "restore".into()),
                ("Left/Right".into(), "other form".into()),
            ]
        );
        assert_eq!(
            split("A it is, restore B cancel Hold B cancel"),
            [
                ("A".to_string(), "it is, restore".to_string()),
                ("B".into(), "cancel".into()),
                ("Hold B".into(), "cancel".into()),
            ]
        );
        assert!(split("The buttons wait until the restore has finished").is_empty());
    }
}
