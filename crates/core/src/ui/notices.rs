//! The start-up screen shown when some feature is unavailable (the app's
//! probing decides which, `app/capabilities.rs`): one line per feature on
//! the top screen with why, and a button to go on to what still works.

use super::display::{Align, BOTTOM_WIDTH, DrawCmd, Frame, SCREEN_HEIGHT, TOP_WIDTH, TextSize};
use super::input::{Buttons, FrameInput};
use super::model::Theme;
use super::palette::Role;
use super::theme;

/// One feature the start-up screen lists: its name, then why it does not
/// work and what to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NoticeLine<'a> {
    pub feature: &'a str,
    pub text: &'a str,
}

/// The start-up screen shown when some feature is unavailable: one line per
/// notice on the top screen, and on the bottom screen a button to go on
/// (A or a touch anywhere) to what still works. Drawn in `theme`, the one
/// the settings chose (dark when they could not be read).
pub fn draw_notices<'a, N>(
    notices: &'a [N],
    config_problem: Option<&str>,
    theme: Theme,
    out: &mut Frame,
) where
    &'a N: Into<NoticeLine<'a>>,
{
    out.clear();
    out.theme = theme;
    out.top.push(DrawCmd::Rect {
        x: 0,
        y: 0,
        w: TOP_WIDTH,
        h: SCREEN_HEIGHT,
        color: Role::Background,
    });
    out.top.push(DrawCmd::Rect {
        x: 0,
        y: 0,
        w: TOP_WIDTH,
        h: theme::HEADER_HEIGHT,
        color: Role::Bar,
    });
    out.top.push(text_line(
        6,
        3,
        "Keepsake: some features are unavailable here".into(),
        Role::Text,
        TextSize::Normal,
    ));
    let mut y = theme::HEADER_HEIGHT as i16 + 8;
    if let Some(problem) = config_problem {
        out.top.push(text_line(
            8,
            y,
            problem.to_owned(),
            Role::DangerText,
            TextSize::Small,
        ));
        y += 18;
    }
    for notice in notices {
        let notice: NoticeLine = notice.into();
        // Each notice gets two lines: the feature, then the reason.
        out.top.push(text_line(
            8,
            y,
            // Orange text (the badge's colour) is too faint on a light
            // background: the feature is a heading in the text colour.
            notice.feature.into(),
            Role::Text,
            TextSize::Normal,
        ));
        out.top.push(text_line(
            16,
            y + 15,
            notice.text.into(),
            Role::DimText,
            TextSize::Small,
        ));
        y += 36;
    }
    out.bottom.push(DrawCmd::Rect {
        x: 0,
        y: 0,
        w: BOTTOM_WIDTH,
        h: SCREEN_HEIGHT,
        color: Role::Background,
    });
    out.bottom.push(DrawCmd::Rect {
        x: 60,
        y: 100,
        w: 200,
        h: 40,
        color: Role::Button,
    });
    out.bottom.push(DrawCmd::Text {
        x: 160,
        y: 113,
        text: "A: continue".into(),
        size: TextSize::Normal,
        color: Role::Text,
        align: Align::Center,
        max_width: Some(190),
    });
}

/// Whether the user dismissed the start-up notices this frame.
pub fn notices_dismissed(input: &FrameInput) -> bool {
    input.pressed.contains(Buttons::A) || input.touch.is_some()
}

fn text_line(x: i16, y: i16, text: String, color: Role, size: TextSize) -> DrawCmd {
    DrawCmd::Text {
        x,
        y,
        text,
        size,
        color,
        align: Align::Left,
        max_width: Some(TOP_WIDTH - x as u16 - 6),
    }
}
