//! Runs a script against the UI on a simulated console, keeping the frames
//! to be written.

use keepsake_core::ui::{AppModel, Frame, Signal, Ui};

use super::script::Step;

/// A console the preview can drive: the app model the UI talks to, and the
/// things that happen to a console on their own (a card pulled out).
pub trait World {
    fn model(&mut self) -> &mut dyn AppModel;

    /// Makes `event` happen; `Err` names the events this world knows.
    fn event(&mut self, event: &str) -> Result<(), String>;
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
/// `extra` (named `frame-N`).
pub fn run(world: &mut dyn World, steps: &[Step], extra: &[u64]) -> Result<Run, String> {
    let mut ui = Ui::new();
    let mut frame = Frame::default();
    let mut number = 0u64;
    let mut snapshots = Vec::new();
    // The first frame shows the start-up screen.
    let mut pending_input = vec![keepsake_core::ui::FrameInput::IDLE];
    let mut exited_at = None;
    let mut steps = steps.iter();
    'script: loop {
        for input in pending_input.drain(..) {
            number += 1;
            let signal = ui.frame(&input, world.model(), &mut frame);
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
            Some(Step::Event(event)) => world.event(event)?,
            Some(Step::Snap(name)) => snapshots.push(Snapshot {
                name: name.clone(),
                number,
                frame: frame.clone(),
            }),
        }
    }
    Ok(Run {
        snapshots,
        frames: number,
        exited_at,
    })
}
