//! Whether every text of a frame can be read: the WCAG 2 contrast ratio of
//! its colour with the colour of what is under it, resolved through a
//! palette, must be at least [`MIN_TEXT_CONTRAST`].

use super::display::{Color, Frame, Screen};
use super::palette::{Palette, Role};

/// The least contrast of any text with what is under it (WCAG AA, normal
/// text).
pub const MIN_TEXT_CONTRAST: f64 = 4.5;

/// The WCAG 2 contrast ratio of two opaque colours, from 1 (the same) to 21
/// (black on white): text needs at least [`MIN_TEXT_CONTRAST`].
pub fn contrast_ratio(a: Color, b: Color) -> f64 {
    // Relative luminance of sRGB (WCAG 2.x, "relative luminance").
    fn luminance(c: Color) -> f64 {
        let channel = |v: u8| {
            let v = f64::from(v) / 255.0;
            if v <= 0.03928 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b)
    }
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// A text below [`MIN_TEXT_CONTRAST`].
#[derive(Clone, Debug, PartialEq)]
pub struct WeakText {
    pub screen: Screen,
    pub text: String,
    pub color: Role,
    /// What it is drawn on (the background where no rectangle is).
    pub under: Role,
    pub ratio: f64,
}

impl std::fmt::Display for WeakText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:?} screen: \"{}\" ({:?} on {:?}) {:.1}:1",
            self.screen, self.text, self.color, self.under, self.ratio
        )
    }
}

/// Every text of both screens of `frame` that `palette` draws below
/// [`MIN_TEXT_CONTRAST`] on what is under it, and how many texts were looked
/// at.
pub fn weak_texts(frame: &Frame, palette: &Palette) -> (Vec<WeakText>, usize) {
    let mut weak = Vec::new();
    let mut count = 0;
    for screen in [Screen::Top, Screen::Bottom] {
        for placed in frame.texts_placed(screen) {
            count += 1;
            let under = placed.under.unwrap_or(Role::Background);
            let ratio = contrast_ratio(palette.color(placed.color), palette.color(under));
            if ratio < MIN_TEXT_CONTRAST {
                weak.push(WeakText {
                    screen,
                    text: placed.text.to_string(),
                    color: placed.color,
                    under,
                    ratio,
                });
            }
        }
    }
    (weak, count)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::display::{Align, DrawCmd, TextSize};
    use crate::ui::palette::{DARK, LIGHT};

    #[test]
    fn contrast_matches_the_wcag_reference_values() {
        let (black, white) = (Color::rgb(0, 0, 0), Color::rgb(255, 255, 255));
        assert!((contrast_ratio(black, white) - 21.0).abs() < 1e-9);
        assert!((contrast_ratio(white, white) - 1.0).abs() < 1e-9);
        // #777777 on white is 4.48:1 (the WCAG examples' borderline grey).
        let grey = contrast_ratio(Color::rgb(0x77, 0x77, 0x77), white);
        assert!((grey - 4.48).abs() < 0.01, "{grey}");
    }

    fn text(y: i16, s: &str, color: Role) -> DrawCmd {
        DrawCmd::Text {
            x: 4,
            y,
            text: s.into(),
            size: TextSize::Normal,
            color,
            align: Align::Left,
            max_width: None,
        }
    }

    /// A frame with a dim text on a panel (the help line) and a red one on
    /// the background: both palettes pass it, and a light palette whose
    /// grey or red is too faint does not.
    #[test]
    fn a_faint_colour_is_found_on_the_ground_it_is_drawn_on() {
        let frame = Frame {
            top: vec![
                DrawCmd::Rect {
                    x: 0,
                    y: 20,
                    w: 320,
                    h: 22,
                    color: Role::Panel,
                },
                text(24, "A open  B back", Role::DimText),
                text(60, "What to do", Role::DangerText),
            ],
            ..Frame::default()
        };
        assert_eq!(weak_texts(&frame, &DARK), (vec![], 2));
        assert_eq!(weak_texts(&frame, &LIGHT), (vec![], 2));

        // #8A93A5 on the light panel #E1E6EF is 2.47:1 (computed apart
        // from this code, with the WCAG formula).
        let faint_grey = Palette {
            dim_text: Color::rgb(0x8A, 0x93, 0xA5),
            ..LIGHT
        };
        let (weak, _) = weak_texts(&frame, &faint_grey);
        assert_eq!(weak.len(), 1, "{weak:?}");
        assert_eq!((weak[0].color, weak[0].under), (Role::DimText, Role::Panel));
        assert!((weak[0].ratio - 2.47).abs() < 0.01, "{}", weak[0]);

        // The dark theme's light red on the light background: 2.1:1.
        let faint_red = Palette {
            danger_text: DARK.danger_text,
            ..LIGHT
        };
        let (weak, _) = weak_texts(&frame, &faint_red);
        assert_eq!(weak.len(), 1, "{weak:?}");
        assert_eq!(weak[0].text, "What to do");
        assert_eq!(weak[0].under, Role::Background, "drawn on nothing");
    }
}
