//! Backing up several titles at once through the screens and the real
//! model on the simulated console: a title whose save was never made in
//! the middle, and a cancel half-way.

use std::collections::BTreeMap;

use super::console_model::ConsoleModel;
use super::demo;
use crate::platform::{ArchiveId, ArchiveKind, MediaType};
use crate::sim::{MemTree, SimConsole};
use crate::store::naming::{CHECKPOINT_SAVES, STAGING_DIR, ctr_title_folder};
use crate::ui::display::{Frame, Screen};
use crate::ui::input::{Buttons, FrameInput};
use crate::ui::keyboard::QueuedKeyboard;
use crate::ui::state::{CANCEL_HOLD_FRAMES, ScreenKind, Ui};

struct Rig {
    ui: Ui,
    model: ConsoleModel<SimConsole>,
    frame: Frame,
}

impl Rig {
    fn new(console: SimConsole) -> Self {
        let mut rig = Self {
            ui: Ui::new(),
            model: ConsoleModel::new(console, Box::new(QueuedKeyboard::new())),
            frame: Frame::default(),
        };
        rig.input(FrameInput::IDLE);
        rig
    }

    /// One frame; every frame's buttons must be what its help line names.
    fn input(&mut self, input: FrameInput) {
        self.ui.frame(&input, &mut self.model, &mut self.frame);
        if let Some(why) = self.frame.help_and_buttons_disagree() {
            panic!("{why}");
        }
    }

    fn press(&mut self, buttons: Buttons) {
        self.input(FrameInput::press(buttons));
        self.input(FrameInput::IDLE);
    }

    fn combo(&mut self, held: Buttons, pressed: Buttons) {
        self.input(FrameInput::hold_and_press(held, pressed));
        self.input(FrameInput::IDLE);
    }

    fn text(&self) -> String {
        let mut texts = self.frame.texts(Screen::Top);
        texts.extend(self.frame.texts(Screen::Bottom));
        texts.join(" ")
    }

    fn finish_job(&mut self) {
        for _ in 0..2000 {
            if self.ui.screen() != ScreenKind::Job {
                return;
            }
            self.input(FrameInput::IDLE);
        }
        panic!("the job did not end in 2000 frames");
    }

    /// The files under `folder` of title `index`'s backups, by path below
    /// its dated folder.
    fn backups_of(&mut self, index: usize) -> BTreeMap<String, Vec<u8>> {
        let dir = format!(
            "{CHECKPOINT_SAVES}/{}/",
            ctr_title_folder(demo::sample_title_id(index), demo::SAMPLE_NAMES[index])
        );
        self.model
            .console()
            .sd
            .tree()
            .files()
            .iter()
            .filter_map(|(path, bytes)| Some((path.strip_prefix(&dir)?.to_owned(), bytes.clone())))
            .collect()
    }
}

fn save_of(index: usize) -> ArchiveId {
    ArchiveId {
        kind: ArchiveKind::SaveData,
        media: MediaType::Sd,
        title_id: demo::sample_title_id(index),
    }
}

/// A save of two files, `big` bytes in the second.
fn save_tree(seed: u8, big: usize) -> MemTree {
    let mut tree = MemTree::new();
    tree.create_dir_all("/data").unwrap();
    tree.write("/main", &[seed; 300]).unwrap();
    tree.write("/data/world.bin", &vec![seed ^ 0x5A; big])
        .unwrap();
    tree
}

/// Three installed titles, listed as Harbor Tales (2), Pocket Garden (0),
/// Star Courier 3D (1).
fn three_titles() -> SimConsole {
    let mut console = demo::empty_console();
    demo::install_sample_titles(&mut console, 3);
    console
}

#[test]
fn a_save_never_made_in_the_middle_fails_alone_and_the_result_says_why() {
    let mut console = three_titles();
    console.archives.insert(save_of(2), save_tree(2, 5000));
    // Pocket Garden, second in the list, was never started.
    console.archives.insert_unformatted(save_of(0));
    console.archives.insert(save_of(1), save_tree(1, 9000));
    let mut rig = Rig::new(console);

    rig.combo(Buttons::L, Buttons::Y);
    assert!(rig.text().contains("1 title marked"), "{}", rig.text());
    rig.press(Buttons::X);
    assert!(rig.text().contains("3 titles marked"), "{}", rig.text());
    rig.combo(Buttons::L, Buttons::A);
    assert_eq!(rig.ui.screen(), ScreenKind::Job);
    assert!(rig.text().contains("Backing up 3 titles"), "{}", rig.text());
    rig.finish_job();

    assert_eq!(rig.ui.screen(), ScreenKind::Result);
    let text = rig.text();
    assert!(text.contains("2 of 3 titles backed up"), "{text}");
    // The failure is selected first, named, with its reason and advice.
    assert!(text.contains("Pocket Garden"), "{text}");
    assert!(text.contains("This title has no save data yet"), "{text}");
    assert!(text.contains("Start the game once"), "{text}");
    assert!(text.contains("not backed up"), "{text}");

    // What the SD card holds is the saves as they were made above.
    for (index, seed, big) in [(2, 2u8, 5000), (1, 1, 9000)] {
        let files = rig.backups_of(index);
        let dated: Vec<&String> = files.keys().collect();
        assert_eq!(dated.len(), 2, "{dated:?}");
        let folder = dated[0].split('/').next().unwrap().to_owned();
        let expected: BTreeMap<String, Vec<u8>> = [
            (format!("{folder}/data/world.bin"), vec![seed ^ 0x5A; big]),
            (format!("{folder}/main"), vec![seed; 300]),
        ]
        .into();
        assert_eq!(files, expected);
    }
    assert!(
        rig.backups_of(0).is_empty(),
        "no folder for the failed title"
    );

    // Moving to a title backed up shows its folder.
    let mut seen = String::new();
    for _ in 0..3 {
        rig.press(Buttons::DOWN);
        seen.push_str(&rig.text());
    }
    assert!(seen.contains("saved to"), "{seen}");
    assert!(seen.contains("Harbor Tales"), "{seen}");
    rig.press(Buttons::A);
    assert_eq!(rig.ui.screen(), ScreenKind::Titles);
    assert!(rig.text().contains("1 backup"), "{}", rig.text());
}

#[test]
fn holding_b_mid_batch_keeps_the_first_backup_and_drops_the_rest() {
    let mut console = three_titles();
    // 4 MiB: each title takes more frames than the hold to cancel.
    for index in 0..3 {
        console
            .archives
            .insert(save_of(index), save_tree(index as u8 + 1, 4 << 20));
    }
    let mut rig = Rig::new(console);
    rig.combo(Buttons::L, Buttons::Y);
    rig.press(Buttons::X);
    rig.combo(Buttons::L, Buttons::A);
    let mut frames = 0;
    while !rig.text().contains("Title 2 of 3") {
        rig.input(FrameInput::IDLE);
        frames += 1;
        assert!(frames < 500, "the second title never started");
    }
    for _ in 0..CANCEL_HOLD_FRAMES {
        rig.input(FrameInput::hold(Buttons::B));
    }
    rig.finish_job();
    let text = rig.text();
    assert!(text.contains("Cancelled: 1 of 3 backed up"), "{text}");
    // Harbor Tales was made whole; the other two left nothing behind.
    assert_eq!(rig.backups_of(2).len(), 2);
    assert!(rig.backups_of(0).is_empty());
    assert!(rig.backups_of(1).is_empty());
    let staged = rig
        .model
        .console()
        .sd
        .tree()
        .files()
        .keys()
        .filter(|p| p.starts_with(STAGING_DIR))
        .count();
    assert_eq!(staged, 0);
}

#[test]
fn b_leaves_the_marking_and_a_folder_of_backups_cannot_be_marked() {
    let mut console = three_titles();
    // A folder of backups of a title neither installed nor inserted.
    demo::put_ctr_backup(
        &mut console,
        0x0004_0000_0000_0100,
        "Aardvark",
        "20260101-000000",
        &[1; 16],
    );
    let mut rig = Rig::new(console);
    rig.combo(Buttons::L, Buttons::Y);
    rig.press(Buttons::X);
    // Harbor Tales, Pocket Garden, Star Courier 3D: not the folder.
    assert!(rig.text().contains("3 titles marked"), "{}", rig.text());
    rig.press(Buttons::X);
    assert!(rig.text().contains("No title marked yet"), "{}", rig.text());
    rig.combo(Buttons::L, Buttons::A);
    assert!(
        rig.text().contains("Mark titles with A first"),
        "{}",
        rig.text()
    );
    rig.press(Buttons::B);
    assert_eq!(rig.ui.screen(), ScreenKind::Titles);
    assert!(rig.text().contains("L+A backup"), "{}", rig.text());
}
