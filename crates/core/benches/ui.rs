//! One frame of the UI (input, state machine, display list) on a console
//! with an NDS cartridge and 300 SD titles: the console must keep 60 frames
//! a second, so a frame has to cost well under 1 ms.

use std::time::{Duration, Instant};

use criterion::{Criterion, black_box, criterion_group, criterion_main};
use keepsake_core::app::ConsoleModel;
use keepsake_core::app::demo::{self, sample_save};
use keepsake_core::sim::SimChip;
use keepsake_core::ui::{Buttons, Frame, FrameInput, QueuedKeyboard, Ui};

fn console_with_300_titles() -> ConsoleModel<keepsake_core::sim::SimConsole> {
    let mut console = demo::empty_console();
    console.card.insert(demo::nds_cartridge(
        "STARFALL DS",
        "ASFE",
        SimChip::eeprom(0x1_0000, &sample_save(0x1_0000, 0x3000, 7)),
        20,
    ));
    demo::install_sample_titles(&mut console, 300);
    ConsoleModel::new(console, Box::new(QueuedKeyboard::new()))
}

fn frames(c: &mut Criterion) {
    let mut model = console_with_300_titles();
    let mut ui = Ui::new();
    let mut frame = Frame::default();
    // The first frame reads the slot and the title list.
    ui.frame(&FrameInput::IDLE, &mut model, &mut frame);
    assert!(frame.shows("301"), "301 titles listed");

    c.bench_function("ui frame, 300 titles, idle", |b| {
        b.iter(|| ui.frame(black_box(&FrameInput::IDLE), &mut model, &mut frame))
    });

    // Moving the selection redraws the list and the details every frame.
    let down = FrameInput::press(Buttons::DOWN);
    let release = FrameInput::IDLE;
    let mut pressed = false;
    c.bench_function("ui frame, 300 titles, moving down", |b| {
        b.iter(|| {
            pressed = !pressed;
            let input = if pressed { &down } else { &release };
            ui.frame(black_box(input), &mut model, &mut frame)
        })
    });

    let mut ui = Ui::new();
    ui.frame(&FrameInput::IDLE, &mut model, &mut frame);
    ui.frame(&FrameInput::press(Buttons::A), &mut model, &mut frame);
    c.bench_function("ui frame, backup list of the cartridge, idle", |b| {
        b.iter(|| ui.frame(black_box(&FrameInput::IDLE), &mut model, &mut frame))
    });
}

/// The frame a cartridge is taken out and the frame it is put back: the
/// card's entry is built from its header, its backups counted and the list
/// re-sorted (its chip is identified in the frames after, see
/// [`slowest_frame_of_an_insertion`]).
fn card_insertion(c: &mut Criterion) {
    let mut model = console_with_300_titles();
    let mut ui = Ui::new();
    let mut frame = Frame::default();
    ui.frame(&FrameInput::IDLE, &mut model, &mut frame);
    c.bench_function(
        "ui frame, 300 titles, cartridge taken out and put back",
        |b| {
            b.iter(|| {
                let card = model.console_mut().card.eject().expect("a card");
                ui.frame(&FrameInput::IDLE, &mut model, &mut frame);
                model.console_mut().card.insert(card);
                ui.frame(&FrameInput::IDLE, &mut model, &mut frame)
            })
        },
    );
}

/// Idle frames run after a cartridge goes in: more than identifying its
/// 64 KiB EEPROM takes (the header frame, the id step, eight blocks and the
/// sizing step).
const FRAMES_AFTER_INSERTION: usize = 16;

/// Every frame around a cartridge going in, timed one by one: the frame it
/// is taken out, the frame it is put back and the frames that identify it.
/// What counts is the slowest single frame of each round (the console
/// drops a frame when any one frame overruns), so each iteration reports
/// that one.
fn slowest_frame_of_an_insertion(c: &mut Criterion) {
    let mut model = console_with_300_titles();
    let mut ui = Ui::new();
    let mut frame = Frame::default();
    ui.frame(&FrameInput::IDLE, &mut model, &mut frame);
    let timed = |ui: &mut Ui, model: &mut ConsoleModel<_>, frame: &mut Frame| {
        let start = Instant::now();
        ui.frame(black_box(&FrameInput::IDLE), model, frame);
        start.elapsed()
    };
    c.bench_function(
        "ui frame, 300 titles, slowest frame of a cartridge going out and in",
        |b| {
            b.iter_custom(|rounds| {
                let mut total = Duration::ZERO;
                for _ in 0..rounds {
                    let card = model.console_mut().card.eject().expect("a card");
                    let mut slowest = timed(&mut ui, &mut model, &mut frame);
                    model.console_mut().card.insert(card);
                    for _ in 0..FRAMES_AFTER_INSERTION {
                        slowest = slowest.max(timed(&mut ui, &mut model, &mut frame));
                    }
                    total += slowest;
                }
                total
            })
        },
    );
    assert!(frame.shows("301"), "the card is listed again");
}

criterion_group!(
    benches,
    frames,
    card_insertion,
    slowest_frame_of_an_insertion
);
criterion_main!(benches);
