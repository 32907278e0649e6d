//! Runs a script against the UI on a simulated console, keeping the frames
//! to be written.

use keepsake_core::store::Theme;
use keepsake_core::ui::model::Settings;
use keepsake_core::ui::{AppModel, Frame, Signal, Ui};

use super::script::Step;

/// A console the preview can drive: the app model the UI talks to, and the
/// things that happen to a console on their own (a card pulled out).
pub trait World {
    fn model(&mut self) -> &mut dyn AppModel;

    /// Makes `event` happen; `Err` names the events this world knows.
    fn event(&mut self, event: &str) -> Result<(), String>;

    /// The next time the keyboard opens, `text` is typed and confirmed.
    fn type_text(&mut self, text: &str);

    /// The hint and the answer of the keyboard's last opening, if it opened
    /// since the last call.
    fn keyboard_shown(&mut self) -> Option<(String, Option<String>)>;
}

/// A frame kept for writing.
#[derive(Clone, Debug)]
pub struct Snapshot {
    pub name: String,
    /// The frame's number, from 1.
    pub number: u64,
    pub frame: Frame,
}

/// How a run went.
#[derive(Debug)]
pub struct Run {
    pub snapshots: Vec<Snapshot>,
    pub frames: u64,
    /// The UI asked to exit (START) at this frame; the script stopped there.
    pub exited_at: Option<u64>,
}

/// Runs `steps`, snapping at `snap` steps and at the frame numbers in
/// `extra` (named `frame-N`); a frame number the run does not reach is an
/// error, and so is an event or keyboard snap that fails, naming its line.
pub fn run(world: &mut dyn World, steps: &[Step], extra: &[u64]) -> Result<Run, String> {
    if let Some(zero) = extra.iter().find(|&&n| n == 0) {
        return Err(format!("--frame {zero}: frames count from 1"));
    }
    let mut ui = Ui::new();
    let mut frame = Frame::default();
    let mut number = 0u64;
    let mut snapshots = Vec::new();
    // The first frame shows the start-up screen.
    let mut pending_input = vec![keepsake_core::ui::FrameInput::IDLE];
    let mut exited_at = None;
    // The keyboard as it last showed, over the frame before it opened.
    let mut keyboard: Option<Frame> = None;
    let mut steps = steps.iter().peekable();
    // A theme the script starts with (`--theme`) applies to the first frame.
    while let Some(Step::Theme(theme, line)) = steps.peek() {
        set_theme(world, *theme, *line)?;
        steps.next();
    }
    'script: loop {
        for input in pending_input.drain(..) {
            number += 1;
            let before = frame.clone();
            let signal = ui.frame(&input, world.model(), &mut frame);
            if let Some((hint, typed)) = world.keyboard_shown() {
                keyboard = Some(super::keyboard::picture(&before, &hint, typed.as_deref()));
            }
            if extra.contains(&number) {
                snapshots.push(Snapshot {
                    name: format!("frame-{number}"),
                    number,
                    frame: frame.clone(),
                });
            }
            if signal == Signal::Exit {
                exited_at = Some(number);
                break 'script;
            }
        }
        match steps.next() {
            None => break,
            Some(Step::Frames(inputs)) => pending_input.extend_from_slice(inputs),
            Some(Step::Event(event, line)) => world
                .event(event)
                .map_err(|e| format!("line {line}: event {event}: {e}"))?,
            Some(Step::Type(text)) => world.type_text(text),
            Some(Step::Theme(theme, line)) => set_theme(world, *theme, *line)?,
            Some(Step::SnapKeyboard(name, line)) => match &keyboard {
                Some(picture) => snapshots.push(Snapshot {
                    name: name.clone(),
                    number,
                    frame: picture.clone(),
                }),
                None => {
                    return Err(format!(
                        "line {line}: snap-keyboard {name}: the keyboard has not opened yet"
                    ));
                }
            },
            Some(Step::Snap(name)) => snapshots.push(Snapshot {
                name: name.clone(),
                number,
                frame: frame.clone(),
            }),
        }
    }
    if exited_at.is_none() {
        if let Some(late) = extra.iter().find(|&&n| n > number) {
            return Err(format!("--frame {late}: the run has only {number} frames"));
        }
    }
    Ok(Run {
        snapshots,
        frames: number,
        exited_at,
    })
}

/// Sets the theme as the settings screen saves it; `line` 0 is `--theme`.
fn set_theme(world: &mut dyn World, theme: Theme, line: usize) -> Result<(), String> {
    let model = world.model();
    let settings = Settings {
        theme,
        ..model.settings()
    };
    model.save_settings(&settings).map_err(|refusal| {
        let place = match line {
            0 => format!("--theme {}", theme.key()),
            line => format!("line {line}: theme {}", theme.key()),
        };
        format!("{place}: {} {}", refusal.reason, refusal.advice)
    })
}
