//! Input scripts for the preview: one step a line.
//!
//! ```text
//! # a comment
//! press A              one frame with A pressed, then one with nothing
//! press L+A            L held, A pressed (buttons joined by '+': the last one is pressed)
//! hold B 40            B held for 40 frames
//! touch 160 120        the bottom screen touched for one frame, then released
//! wait 10              10 frames without input
//! event card-out       something happens to the console (see the scenario)
//! type before the boss the next time the keyboard opens, this is typed and OK'd
//! theme light          the theme setting, as the settings screen saves it (dark or light)
//! snap restore-confirm writes both screens of the current frame
//! snap-keyboard naming writes both screens as the keyboard last showed them
//! ```
//!
//! Frame numbers count from 1; `press`, `hold`, `touch` and `wait` run
//! frames, the other steps none (a theme shows from the next frame).

use std::fmt;

use keepsake_core::store::Theme;
use keepsake_core::ui::{Buttons, FrameInput};

/// One step of a script.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// Run these frames of input.
    Frames(Vec<FrameInput>),
    /// Something happens to the simulated console (on this script line).
    Event(String, usize),
    /// The next time the keyboard opens, this is typed and confirmed.
    Type(String),
    /// Write both screens of the last frame under this name.
    Snap(String),
    /// Write both screens as the keyboard last showed them under this name
    /// (on this script line).
    SnapKeyboard(String, usize),
    /// Set the theme as the settings screen saves it (on this script line;
    /// 0: from `--theme`).
    Theme(Theme, usize),
}

/// A script line that could not be understood.
#[derive(Debug, PartialEq, Eq)]
pub struct ScriptError {
    pub line: usize,
    pub text: String,
    pub reason: String,
}

impl fmt::Display for ScriptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {:?}: {}", self.line, self.text, self.reason)
    }
}

impl std::error::Error for ScriptError {}

/// Parses a whole script.
pub fn parse(text: &str) -> Result<Vec<Step>, ScriptError> {
    let mut steps = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = raw.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let fail = |reason: String| ScriptError {
            line: index + 1,
            text: raw.trim().to_string(),
            reason,
        };
        let words: Vec<&str> = line.split_whitespace().collect();
        let snap_name = |name: &str| {
            if name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                Ok(name.to_string())
            } else {
                Err("snap names use letters, digits, '-' and '_' only".to_string())
            }
        };
        let step = match words.as_slice() {
            ["type", ..] => {
                let text = line["type".len()..].trim();
                if text.is_empty() {
                    return Err(fail("type needs the text to type".into()));
                }
                Step::Type(text.to_string())
            }
            ["snap-keyboard", name] => {
                Step::SnapKeyboard(snap_name(name).map_err(fail)?, index + 1)
            }
            ["press", combo] => {
                let (held, pressed) = parse_combo(combo).map_err(fail)?;
                Step::Frames(vec![
                    FrameInput::hold_and_press(held, pressed),
                    FrameInput::IDLE,
                ])
            }
            ["hold", combo, count] => {
                let (held, last) = parse_combo(combo).map_err(fail)?;
                let frames = parse_count(count).map_err(fail)?;
                let all = held | last;
                let mut inputs = vec![FrameInput::press(all)];
                inputs.extend(std::iter::repeat_n(FrameInput::hold(all), frames - 1));
                Step::Frames(inputs)
            }
            ["touch", x, y] => {
                let x = parse_coordinate(x, 320).map_err(fail)?;
                let y = parse_coordinate(y, 240).map_err(fail)?;
                Step::Frames(vec![FrameInput::touch(x, y), FrameInput::IDLE])
            }
            ["wait", count] => {
                Step::Frames(vec![FrameInput::IDLE; parse_count(count).map_err(fail)?])
            }
            ["event", name] => Step::Event((*name).to_string(), index + 1),
            ["theme", word] => Step::Theme(parse_theme(word).map_err(fail)?, index + 1),
            ["snap", name] => Step::Snap(snap_name(name).map_err(fail)?),
            _ => {
                return Err(fail(
                    "expected press BUTTONS, hold BUTTONS FRAMES, touch X Y, wait FRAMES, event NAME, type TEXT, theme dark|light, snap NAME or snap-keyboard NAME"
                        .into(),
                ));
            }
        };
        steps.push(step);
    }
    Ok(steps)
}

/// "dark" or "light", as `config.json` stores it.
pub fn parse_theme(word: &str) -> Result<Theme, String> {
    Theme::from_key(word).ok_or_else(|| format!("the themes are dark and light, not {word:?}"))
}

/// "L+A": L held and A pressed; "A": A pressed.
fn parse_combo(combo: &str) -> Result<(Buttons, Buttons), String> {
    let mut held = Buttons::NONE;
    let names: Vec<&str> = combo.split('+').collect();
    let mut buttons = Vec::new();
    for name in &names {
        let button = Buttons::from_name(name).ok_or_else(|| {
            let known: Vec<&str> = Buttons::NAMED.iter().map(|(n, _)| *n).collect();
            format!(
                "unknown button {name:?}; the buttons are {}",
                known.join(" ")
            )
        })?;
        buttons.push(button);
    }
    let pressed = buttons.pop().expect("split yields at least one name");
    for button in buttons {
        held |= button;
    }
    Ok((held, pressed))
}

fn parse_count(count: &str) -> Result<usize, String> {
    match count.parse::<usize>() {
        Ok(n) if (1..=100_000).contains(&n) => Ok(n),
        _ => Err(format!("{count:?} is not a frame count from 1 to 100000")),
    }
}

fn parse_coordinate(value: &str, limit: u16) -> Result<u16, String> {
    match value.parse::<u16>() {
        Ok(v) if v < limit => Ok(v),
        _ => Err(format!("{value:?} is not a coordinate below {limit}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_of_step_parses() {
        let steps = parse(
            "# browse\npress DOWN\npress l+a   # back up\nhold B 3\ntouch 10 200\nwait 2\nevent card-out\nsnap done\ntype before the boss\nsnap-keyboard naming\ntheme light\n",
        )
        .unwrap();
        assert_eq!(
            steps,
            vec![
                Step::Frames(vec![FrameInput::press(Buttons::DOWN), FrameInput::IDLE]),
                Step::Frames(vec![
                    FrameInput::hold_and_press(Buttons::L, Buttons::A),
                    FrameInput::IDLE
                ]),
                Step::Frames(vec![
                    FrameInput::press(Buttons::B),
                    FrameInput::hold(Buttons::B),
                    FrameInput::hold(Buttons::B)
                ]),
                Step::Frames(vec![FrameInput::touch(10, 200), FrameInput::IDLE]),
                Step::Frames(vec![FrameInput::IDLE; 2]),
                Step::Event("card-out".into(), 7),
                Step::Snap("done".into()),
                Step::Type("before the boss".into()),
                Step::SnapKeyboard("naming".into(), 10),
                Step::Theme(Theme::Light, 11),
            ]
        );
    }

    #[test]
    fn mistakes_name_the_line_and_what_was_expected() {
        let err = parse("wait 1\npress Z\n").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.reason.contains("unknown button \"Z\""), "{err}");
        assert!(
            parse("touch 400 10")
                .unwrap_err()
                .reason
                .contains("below 320")
        );
        assert!(parse("wait 0").unwrap_err().reason.contains("frame count"));
        assert!(
            parse("snap ../x")
                .unwrap_err()
                .reason
                .contains("snap names")
        );
        assert!(parse("jump").unwrap_err().reason.contains("expected press"));
        assert_eq!(
            parse("theme blue").unwrap_err().reason,
            "the themes are dark and light, not \"blue\""
        );
        let err = parse("wait 1\n\ntype   \n").unwrap_err();
        assert_eq!(err.line, 3);
        assert!(err.reason.contains("type needs the text"), "{err}");
    }
}
