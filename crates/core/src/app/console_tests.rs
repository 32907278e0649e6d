//! The screens on the simulated console through the real app model: the
//! store's folders, the NDS and 3DS jobs, and faults, checked both on the
//! display list and on what the card and the SD card hold afterwards.

use super::console_model::ConsoleModel;
use super::demo::{self, put_nds_backup, sample_save};
use crate::platform::sd::join;
use crate::platform::{ArchiveId, ArchiveKind, MediaType, SdCard};
use crate::sim::{MemTree, SimChip, SimConsole};
use crate::ui::display::{Frame, Screen};
use crate::ui::input::{Buttons, FrameInput};
use crate::ui::keyboard::QueuedKeyboard;
use crate::ui::palette::Role;
use crate::ui::state::{CANCEL_HOLD_FRAMES, ScreenKind, Signal, Ui};

#[path = "dsiware_tests.rs"]
mod dsiware_tests;
#[path = "extdata_tests.rs"]
mod extdata_tests;
#[path = "gba_tests.rs"]
mod gba_tests;
#[path = "system_tests.rs"]
mod system_tests;

const TITLE: &str = "MOSS KNIGHT";
const CODE: &str = "AMKE";
const FOLDER: &str = "/3ds/Checkpoint/saves/AMKE MOSS KNIGHT";

struct Rig {
    ui: Ui,
    model: ConsoleModel<SimConsole>,
    frame: Frame,
}

impl Rig {
    fn new(console: SimConsole, typed: &[&str]) -> Self {
        let mut keyboard = QueuedKeyboard::new();
        for name in typed {
            keyboard.answer(Some(name));
        }
        let mut rig = Self {
            ui: Ui::new(),
            model: ConsoleModel::new(console, Box::new(keyboard)),
            frame: Frame::default(),
        };
        rig.idle();
        rig
    }

    fn input(&mut self, input: FrameInput) -> Signal {
        let signal = self.ui.frame(&input, &mut self.model, &mut self.frame);
        if let Some(why) = self.frame.help_and_buttons_disagree() {
            panic!("{why}");
        }
        signal
    }

    fn idle(&mut self) -> Signal {
        self.input(FrameInput::IDLE)
    }

    fn press(&mut self, buttons: Buttons) -> Signal {
        let signal = self.input(FrameInput::press(buttons));
        self.idle();
        signal
    }

    fn combo(&mut self, held: Buttons, pressed: Buttons) {
        self.input(FrameInput::hold_and_press(held, pressed));
        self.idle();
    }

    fn finish_job(&mut self) {
        for _ in 0..2000 {
            if self.ui.screen() != ScreenKind::Job {
                return;
            }
            self.idle();
        }
        panic!("the job did not end in 2000 frames");
    }

    fn text(&self) -> String {
        let mut texts = self.frame.texts(Screen::Top);
        texts.extend(self.frame.texts(Screen::Bottom));
        texts.join(" ")
    }

    fn highlighted(&self) -> Vec<&str> {
        self.frame.texts_on(Screen::Bottom, Role::Highlight)
    }

    fn console(&mut self) -> &mut SimConsole {
        self.model.console_mut()
    }

    fn chip(&mut self) -> Vec<u8> {
        self.console()
            .card
            .nds_chip()
            .expect("an NDS card")
            .memory()
            .to_vec()
    }
}

/// An 8 KiB EEPROM cartridge holding `save`, and two SD titles.
fn console_with(save: &[u8]) -> SimConsole {
    let mut console = demo::empty_console();
    console.card.insert(demo::nds_cartridge(
        TITLE,
        CODE,
        SimChip::eeprom(0x2000, save),
        280,
    ));
    demo::install_sample_titles(&mut console, 2);
    console
}

#[test]
fn the_cartridge_is_listed_first_with_its_chip_icon_and_backups() {
    let save = sample_save(0x2000, 0x1000, 1);
    let mut console = console_with(&save);
    put_nds_backup(&mut console, CODE, TITLE, "20261101-120000", None, &save);
    let rig = Rig::new(console, &[]);
    let bottom = rig.frame.texts(Screen::Bottom);
    let names: Vec<&str> = bottom
        .iter()
        .copied()
        .filter(|t| [TITLE, "Pocket Garden", "Star Courier 3D"].contains(t))
        .collect();
    assert_eq!(names, [TITLE, "Pocket Garden", "Star Courier 3D"]);
    assert_eq!(rig.highlighted(), [TITLE]);
    let top = rig.text();
    for expected in [
        "Game code",
        CODE,
        "EEPROM 8 KiB",
        "1 backup",
        "Cartridge: MOSS KNIGHT",
    ] {
        assert!(top.contains(expected), "{expected} missing from {top}");
    }
    // The banner's icon, decoded: its centre is the sample icon's white dot.
    let icon = rig
        .frame
        .top
        .iter()
        .find_map(|c| match c {
            crate::ui::DrawCmd::Icon { image, .. } => Some(image.clone()),
            _ => None,
        })
        .expect("the cartridge's icon is drawn");
    assert_eq!((icon.width(), icon.height()), (32, 32));
    assert_eq!(icon.pixel(16, 16), [255, 255, 255, 255]);
    assert_eq!(
        icon.pixel(0, 0)[..3],
        [0x18, 0x18, 0x29][..],
        "the dark frame, at 5 bits a channel"
    );
}

#[test]
fn a_backup_made_with_l_and_a_holds_the_whole_chip_and_is_listed_as_keepsake() {
    let save = sample_save(0x2000, 0x1000, 1);
    let mut rig = Rig::new(console_with(&save), &[]);
    rig.combo(Buttons::L, Buttons::A);
    rig.finish_job();
    assert!(rig.text().contains("Backed up"), "{}", rig.text());
    let path = join(FOLDER, "20261121-180400/MOSS KNIGHT.sav");
    assert_eq!(rig.console().sd.read(&path).unwrap(), save);
    rig.press(Buttons::A);
    assert!(
        rig.text().contains("1 backup"),
        "the count follows: {}",
        rig.text()
    );
    rig.press(Buttons::A);
    assert_eq!(rig.ui.screen(), ScreenKind::Backups);
    assert!(rig.text().contains("20261121-180400"));
    rig.press(Buttons::DOWN);
    assert!(rig.text().contains("Keepsake"), "{}", rig.text());
    assert!(rig.text().contains("8 KiB"));
}

#[test]
fn a_named_backup_takes_the_typed_name() {
    let save = sample_save(0x2000, 0x800, 2);
    let mut rig = Rig::new(console_with(&save), &["before the boss"]);
    rig.press(Buttons::A);
    rig.press(Buttons::Y);
    rig.finish_job();
    let path = join(FOLDER, "before the boss/MOSS KNIGHT.sav");
    assert_eq!(rig.console().sd.read(&path).unwrap(), save);
}

#[test]
fn a_padded_flashcart_save_restores_to_the_small_chip_after_an_automatic_backup() {
    let old = sample_save(0x2000, 0x1800, 5);
    let mut new = old.clone();
    new[..0x400].iter_mut().for_each(|b| *b = b.wrapping_add(1));
    let mut flashcart = new.clone();
    flashcart.resize(0x8_0000, 0xFF);
    let mut console = console_with(&old);
    put_nds_backup(
        &mut console,
        CODE,
        TITLE,
        "from my flashcart",
        None,
        &flashcart,
    );
    let mut rig = Rig::new(console, &[]);
    rig.press(Buttons::A);
    rig.press(Buttons::DOWN);
    assert!(
        rig.text().contains("imported flashcart .sav (512 KiB)"),
        "{}",
        rig.text()
    );
    rig.combo(Buttons::R, Buttons::A);
    assert_eq!(rig.ui.screen(), ScreenKind::Confirm);
    let question = rig.text();
    assert!(
        question.contains("the save on the cartridge MOSS KNIGHT (EEPROM 8 KiB)"),
        "{question}"
    );
    assert!(
        question.contains("converted to the chip's 8 KiB without losing data"),
        "{question}"
    );
    assert_eq!(rig.chip(), old, "nothing is written before the answer");
    rig.press(Buttons::A);
    assert!(rig.ui.restore_running());
    rig.finish_job();
    let result = rig.text();
    assert!(result.contains("Restored and verified"), "{result}");
    // 1 KiB changed: 32 pages of 32 bytes.
    assert!(result.contains("Wrote 32 of 256 pages (1 KiB)"), "{result}");
    assert_eq!(rig.chip(), new);
    let auto = join(FOLDER, "20261121-180400-auto/MOSS KNIGHT.sav");
    assert_eq!(rig.console().sd.read(&auto).unwrap(), old);
}

#[test]
fn a_backup_too_big_for_the_chip_is_refused_and_nothing_is_written() {
    let old = sample_save(0x2000, 0x1800, 5);
    let mut console = console_with(&old);
    put_nds_backup(
        &mut console,
        CODE,
        TITLE,
        "20261118-120000",
        None,
        &sample_save(0x1_0000, 0x6000, 9),
    );
    let mut rig = Rig::new(console, &[]);
    rig.press(Buttons::A);
    rig.press(Buttons::DOWN);
    rig.combo(Buttons::R, Buttons::A);
    assert_eq!(rig.ui.screen(), ScreenKind::Result);
    let text = rig.text();
    assert!(text.contains("This backup cannot be restored"), "{text}");
    assert!(
        text.contains("holds data past what the cartridge's EEPROM 8 KiB can store"),
        "{text}"
    );
    assert!(text.contains("What to do"));
    assert_eq!(rig.chip(), old);
    assert!(
        !rig.console()
            .sd
            .list(FOLDER)
            .unwrap()
            .iter()
            .any(|e| e.name.ends_with("-auto"))
    );
}

#[test]
fn an_sd_card_that_garbles_the_automatic_backup_stops_the_restore_and_says_so() {
    let old = sample_save(0x2000, 0x1800, 6);
    let mut console = console_with(&old);
    put_nds_backup(
        &mut console,
        CODE,
        TITLE,
        "20261118-120000",
        None,
        &sample_save(0x2000, 0x1000, 7),
    );
    let mut rig = Rig::new(console, &[]);
    rig.press(Buttons::A);
    rig.press(Buttons::DOWN);
    rig.combo(Buttons::R, Buttons::A);
    rig.console().sd.garble_next_write();
    rig.press(Buttons::A);
    rig.finish_job();
    let text = rig.text();
    assert!(
        text.contains("The SD card did not keep the backup"),
        "{text}"
    );
    assert!(
        text.contains("Nothing was written to the cartridge"),
        "{text}"
    );
    assert!(
        !text.contains("-auto"),
        "no automatic backup to point to: {text}"
    );
    assert_eq!(rig.chip(), old);
}

#[test]
fn a_card_pulled_during_a_restore_leaves_a_complete_automatic_backup_and_says_so() {
    let old = sample_save(0x2000, 0x1800, 5);
    let mut console = console_with(&old);
    put_nds_backup(
        &mut console,
        CODE,
        TITLE,
        "20261119-080000",
        None,
        &sample_save(0x2000, 0x2000, 77),
    );
    let mut rig = Rig::new(console, &[]);
    rig.press(Buttons::A);
    rig.press(Buttons::DOWN);
    rig.combo(Buttons::R, Buttons::A);
    rig.press(Buttons::A);
    for _ in 0..20 {
        rig.idle();
    }
    assert!(rig.ui.restore_running(), "still writing pages");
    // START is refused while the restore runs.
    assert_eq!(rig.press(Buttons::START), Signal::Continue);
    assert!(
        rig.text()
            .contains("Restoring: Keepsake can exit once it is done.")
    );
    rig.console().card.eject();
    rig.finish_job();
    let text = rig.text();
    assert!(
        text.contains("The cartridge was taken out during the restore"),
        "{text}"
    );
    assert!(text.contains("restore the automatic backup"), "{text}");
    assert!(text.contains("No cartridge"));
    let auto = join(FOLDER, "20261121-180400-auto/MOSS KNIGHT.sav");
    assert!(
        text.contains("20261121-180400-auto"),
        "the advice names the folder: {text}"
    );
    assert_eq!(rig.console().sd.read(&auto).unwrap(), old);
    rig.press(Buttons::A);
    assert_eq!(rig.ui.screen(), ScreenKind::Titles);
    // The cartridge is gone; its backup folder stays listed on its own.
    let text = rig.text();
    assert!(!text.contains("NDS CARD"), "{text}");
    assert!(text.contains("BACKUPS"), "{text}");
}

#[test]
fn holding_b_cancels_a_backup_and_leaves_no_folder() {
    let mut console = demo::empty_console();
    let save = sample_save(0x80_0000, 0x1000, 3);
    console.card.insert(demo::nds_cartridge(
        "SKY ATLAS",
        "ASKE",
        SimChip::flash(0x20_2017, 0x80_0000, &save),
        140,
    ));
    let mut rig = Rig::new(console, &[]);
    rig.combo(Buttons::L, Buttons::A);
    rig.input(FrameInput::press(Buttons::B));
    for _ in 2..CANCEL_HOLD_FRAMES {
        rig.input(FrameInput::hold(Buttons::B));
    }
    assert_eq!(
        rig.ui.screen(),
        ScreenKind::Job,
        "the 256-chunk read outlasts the hold"
    );
    rig.input(FrameInput::hold(Buttons::B));
    rig.idle();
    assert_eq!(rig.ui.screen(), ScreenKind::Result);
    assert!(rig.text().contains("Backup cancelled"), "{}", rig.text());
    let saves = rig
        .console()
        .sd
        .list("/3ds/Checkpoint/saves/ASKE SKY ATLAS");
    assert!(
        saves.map_or(true, |entries| entries.is_empty()),
        "no backup folder"
    );
}

#[test]
fn deleting_removes_the_folder_from_the_sd_card() {
    let save = sample_save(0x2000, 0x1000, 1);
    let mut console = console_with(&save);
    put_nds_backup(&mut console, CODE, TITLE, "20261101-120000", None, &save);
    let mut rig = Rig::new(console, &[]);
    rig.press(Buttons::A);
    rig.press(Buttons::DOWN);
    rig.press(Buttons::X);
    rig.press(Buttons::A);
    assert!(rig.text().contains("Deleted \"20261101-120000\"."));
    assert_eq!(
        rig.console()
            .sd
            .kind_of(&join(FOLDER, "20261101-120000"))
            .unwrap(),
        None
    );
    rig.press(Buttons::B);
    assert!(
        rig.text().contains("none yet"),
        "the count follows: {}",
        rig.text()
    );
}

#[test]
fn settings_are_written_to_the_sd_card_and_change_where_backups_go() {
    let save = sample_save(0x2000, 0x1000, 1);
    let mut rig = Rig::new(console_with(&save), &[]);
    rig.press(Buttons::SELECT);
    rig.press(Buttons::A); // the next backup root
    rig.press(Buttons::DOWN);
    rig.press(Buttons::A); // confirm restores: off
    rig.press(Buttons::B);
    let config =
        String::from_utf8(rig.console().sd.read("/3ds/Keepsake/config.json").unwrap()).unwrap();
    assert!(
        config.contains("\"saves_root\": \"/3ds/Keepsake/saves\""),
        "{config}"
    );
    let ui = String::from_utf8(rig.console().sd.read(super::UI_SETTINGS_PATH).unwrap()).unwrap();
    assert!(ui.contains("\"confirm_restores\": false"), "{ui}");
    rig.combo(Buttons::L, Buttons::A);
    rig.finish_job();
    let path = "/3ds/Keepsake/saves/AMKE MOSS KNIGHT/20261121-180400/MOSS KNIGHT.sav";
    assert_eq!(rig.console().sd.read(path).unwrap(), save);
}

/// The theme is read from config.json at start-up and written there by the
/// settings screen, beside the keys other tools own; a value this version
/// does not know is named in the standing warning and dark is used.
#[test]
fn the_theme_lives_in_config_json_and_an_unknown_one_is_reported() {
    use crate::ui::model::Theme;
    let save = sample_save(0x2000, 0x1000, 1);
    let mut console = console_with(&save);
    console.sd.create_dir_all("/3ds/Keepsake").unwrap();
    console
        .sd
        .write(
            "/3ds/Keepsake/config.json",
            br#"{"theme": "light", "skip_probe": ["am"]}"#,
        )
        .unwrap();
    let mut rig = Rig::new(console, &[]);
    assert_eq!(rig.frame.theme, Theme::Light);
    rig.press(Buttons::SELECT);
    // The theme row, third from last.
    rig.press(Buttons::UP);
    rig.press(Buttons::UP);
    rig.press(Buttons::UP);
    rig.press(Buttons::A);
    assert_eq!(rig.frame.theme, Theme::Dark);
    rig.press(Buttons::B);
    assert_eq!(rig.frame.theme, Theme::Dark);
    let config: serde_json::Value =
        serde_json::from_slice(&rig.console().sd.read("/3ds/Keepsake/config.json").unwrap())
            .unwrap();
    assert_eq!(config["theme"], "dark");
    assert_eq!(config["skip_probe"][0], "am");

    let mut console = console_with(&save);
    console.sd.create_dir_all("/3ds/Keepsake").unwrap();
    console
        .sd
        .write("/3ds/Keepsake/config.json", br#"{"theme": "sepia"}"#)
        .unwrap();
    let rig = Rig::new(console, &[]);
    assert_eq!(rig.frame.theme, Theme::Dark);
    assert!(
        rig.text().replace("/ ", "/").contains(
            "The theme \"sepia\" in /3ds/Keepsake/config.json is not known; dark is used."
        ),
        "{}",
        rig.text()
    );
}

#[test]
fn an_sd_title_backs_up_and_restores_through_the_3ds_jobs() {
    let mut console = demo::empty_console();
    demo::install_sample_titles(&mut console, 1);
    let title_id = demo::sample_title_id(0);
    let archive = ArchiveId {
        kind: ArchiveKind::SaveData,
        media: MediaType::Sd,
        title_id,
    };
    let mut tree = MemTree::new();
    tree.write("/save.bin", &[7; 300]).unwrap();
    console.archives.insert(archive, tree);
    let mut rig = Rig::new(console, &[]);
    assert!(rig.text().contains("Pocket Garden") && rig.text().contains("No cartridge"));
    rig.combo(Buttons::L, Buttons::A);
    rig.finish_job();
    assert!(rig.text().contains("Backed up"), "{}", rig.text());
    assert!(rig.text().contains("in 1 file saved to"), "{}", rig.text());
    let title_folder = crate::store::naming::ctr_title_folder(title_id, "Pocket Garden");
    let folder = join(
        &join("/3ds/Checkpoint/saves", &title_folder),
        "20261121-180400",
    );
    let folder = folder.as_str();
    assert_eq!(
        rig.console().sd.read(&join(folder, "save.bin")).unwrap(),
        vec![7; 300]
    );

    // Change the save, then restore the backup over it.
    rig.console()
        .sd
        .write(&join(folder, "save.bin"), &[9; 300])
        .unwrap();
    rig.press(Buttons::A);
    rig.press(Buttons::A);
    rig.press(Buttons::DOWN);
    rig.combo(Buttons::R, Buttons::A);
    assert!(
        rig.text()
            .contains("the save data of Pocket Garden, installed on the SD card"),
        "{}",
        rig.text()
    );
    rig.press(Buttons::A);
    rig.finish_job();
    assert!(
        rig.text().contains("Restored and verified"),
        "{}",
        rig.text()
    );
    let committed = rig.console().archives.committed(archive).unwrap();
    assert_eq!(committed.read("/save.bin").unwrap(), &[9; 300][..]);
    assert_eq!(
        rig.console().archives.secure_value_resets(),
        &[(title_id, MediaType::Sd)]
    );
}

#[test]
fn a_failed_sd_title_restore_speaks_of_its_save_data_not_of_a_cartridge() {
    let mut console = demo::empty_console();
    demo::install_sample_titles(&mut console, 1);
    let title_id = demo::sample_title_id(0);
    let archive = ArchiveId {
        kind: ArchiveKind::SaveData,
        media: MediaType::Sd,
        title_id,
    };
    let mut before = MemTree::new();
    before.write("/save.bin", &[7; 300]).unwrap();
    console.archives.insert(archive, before.clone());
    let title_folder = crate::store::naming::ctr_title_folder(title_id, "Pocket Garden");
    let folder = join(&join("/3ds/Checkpoint/saves", &title_folder), "older");
    console.sd.create_dir_all(&folder).unwrap();
    console
        .sd
        .write(&join(&folder, "save.bin"), &[1; 300])
        .unwrap();
    let mut rig = Rig::new(console, &[]);
    rig.press(Buttons::A);
    rig.press(Buttons::DOWN);
    rig.combo(Buttons::R, Buttons::A);
    rig.console().sd.garble_next_write();
    rig.press(Buttons::A);
    rig.finish_job();
    let text = rig.text();
    assert!(
        text.contains("The SD card did not keep the backup"),
        "{text}"
    );
    assert!(
        text.contains("Nothing was written to the save data."),
        "{text}"
    );
    assert!(!text.contains("to the cartridge"), "{text}");
    assert_eq!(rig.console().archives.committed(archive).unwrap(), &before);
}

#[test]
fn a_cartridge_that_cannot_be_read_is_explained_and_a_3ds_card_is_listed() {
    let mut console = demo::empty_console();
    // A flash chip answering an id no known chip has.
    console.card.insert(demo::nds_cartridge(
        TITLE,
        CODE,
        SimChip::flash(0x12_3456, 0x4_0000, &[]),
        280,
    ));
    demo::install_sample_titles(&mut console, 1);
    let mut rig = Rig::new(console, &[]);
    let text = rig.text();
    assert!(
        text.contains("The NDS cartridge could not be read"),
        "{text}"
    );
    assert!(text.contains("123456"), "the id is named: {text}");
    assert!(
        !text.contains(TITLE),
        "an unidentified card is not offered for backup"
    );

    // A 3DS card: first in the list, with its badge and SMDH name.
    let title_id = 0x0004_0000_0005_5D00;
    rig.console().card.eject();
    rig.idle();
    assert!(
        !rig.text().contains("could not be read"),
        "the warning goes with the card"
    );
    rig.console().titles.install(
        MediaType::Card,
        title_id,
        demo::sample_smdh("Comet Kart", "Studio Kite", 90),
    );
    rig.console()
        .card
        .insert(crate::sim::SimCard::Ctr { title_id });
    rig.idle();
    let bottom = rig.frame.texts(Screen::Bottom);
    let card_row = bottom.iter().position(|t| *t == "Comet Kart").unwrap();
    let sd_row = bottom.iter().position(|t| *t == "Pocket Garden").unwrap();
    assert!(card_row < sd_row, "the card comes first: {bottom:?}");
    assert_eq!(
        rig.highlighted(),
        ["Pocket Garden"],
        "the selection stays on its title"
    );
    rig.press(Buttons::UP);
    assert_eq!(rig.highlighted(), ["Comet Kart"]);
    assert!(rig.text().contains("3DS CARD"));
    assert!(rig.text().contains("3DS cartridge in the slot"));
    assert!(
        rig.text().contains("Title ID 0004000000055D00"),
        "{}",
        rig.text()
    );
}

#[test]
fn starting_the_app_clears_what_an_interrupted_backup_left_in_staging() {
    use crate::store::BackupWriter;
    use crate::store::naming::STAGING_DIR;

    let save = sample_save(0x2000, 0x1000, 4);
    let mut console = console_with(&save);
    put_nds_backup(&mut console, CODE, TITLE, "20261101-120000", None, &save);
    // What a power cut between writing the file and publishing the folder
    // leaves behind.
    let cut_short = BackupWriter::begin(&mut console.sd, FOLDER, "20261120-090000").unwrap();
    cut_short
        .write_file(&mut console.sd, "MOSS KNIGHT.sav", &save[..0x100])
        .unwrap();
    assert_eq!(console.sd.list(STAGING_DIR).unwrap().len(), 1);

    let mut rig = Rig::new(console, &[]);
    assert_eq!(rig.model.startup_warning, None);
    assert_eq!(
        rig.console().sd.kind_of(STAGING_DIR).unwrap(),
        None,
        "the staging folder is gone"
    );
    let published = join(FOLDER, "20261101-120000/MOSS KNIGHT.sav");
    assert_eq!(rig.console().sd.read(&published).unwrap(), save);
    let folders: Vec<String> = rig
        .console()
        .sd
        .list(FOLDER)
        .unwrap()
        .into_iter()
        .map(|e| e.name)
        .collect();
    assert_eq!(folders, ["20261101-120000"], "only the finished backup");
    assert!(rig.text().contains("1 backup"), "{}", rig.text());
}

#[test]
fn a_card_going_in_or_out_counts_only_its_own_backups() {
    let save = sample_save(0x2000, 0x1000, 8);
    let mut console = demo::empty_console();
    console.card.insert(demo::nds_cartridge(
        TITLE,
        CODE,
        SimChip::eeprom(0x2000, &save),
        280,
    ));
    demo::install_sample_titles(&mut console, 300);
    put_nds_backup(&mut console, CODE, TITLE, "20261101-120000", None, &save);
    let mut rig = Rig::new(console, &[]);
    assert!(rig.text().contains("1 backup"), "{}", rig.text());

    let before = rig.console().sd.listings();
    let card = rig.console().card.eject().expect("a card");
    rig.idle();
    // Its backup folder is listed last, after the 300 titles: off screen.
    assert!(!rig.text().contains(TITLE));
    rig.console().card.insert(card);
    rig.idle();
    let listings = rig.console().sd.listings() - before;
    // The card's folder under each backup root, and TWLSaveTool's folder:
    // never one per installed title.
    assert!(listings <= 4, "{listings} folders listed for a card change");
    // The selection stayed on the title that followed the card; the card
    // is back above it, with its backup counted.
    rig.press(Buttons::UP);
    assert_eq!(rig.highlighted(), [TITLE]);
    assert!(rig.text().contains("1 backup"), "{}", rig.text());
}

#[test]
fn backing_up_a_title_that_never_saved_says_so_in_plain_words() {
    let save = sample_save(0x2000, 0x1000, 1);
    let mut console = console_with(&save);
    // Never started: its save archive exists but is not formatted (FS
    // 0xC8A04554), which the list shows and a backup explains.
    console
        .archives
        .insert_unformatted(crate::platform::ArchiveId {
            kind: crate::platform::ArchiveKind::SaveData,
            media: MediaType::Sd,
            title_id: demo::sample_title_id(0),
        });
    let mut rig = Rig::new(console, &[]);
    rig.press(Buttons::DOWN);
    assert_eq!(rig.highlighted(), ["Pocket Garden"]);
    assert!(
        rig.text().contains("no save data yet: start the game once"),
        "{}",
        rig.text()
    );
    rig.combo(Buttons::L, Buttons::A);
    rig.finish_job();
    let text = rig.text();
    assert!(text.contains("This title has no save data yet"), "{text}");
    assert!(text.contains("Start the game once"), "{text}");
    // Plain words: no title id in hex, no archive.
    assert!(!text.contains("0004000000100100"), "{text}");
    assert!(!text.contains("ArchiveId"), "no debug output: {text}");
}

/// Random input on the real model: whatever is pressed, the cartridge is
/// only written by a restore, which has by then left an automatic backup of
/// what the card held, and no staging folder outlives its job.
#[test]
fn random_input_writes_the_card_only_through_a_restore_with_its_automatic_backup() {
    use crate::store::naming::STAGING_DIR;
    use keepsake_testkit::rand::Rng;

    let mut rng = keepsake_testkit::rng::for_test("ui::console random input");
    let named: Vec<Buttons> = Buttons::NAMED
        .iter()
        .map(|&(_, b)| b)
        .filter(|&b| b != Buttons::START)
        .collect();
    let mut restores_seen = 0;
    for round in 0..16 {
        let original = sample_save(0x2000, 0x1000, round);
        let mut console = console_with(&original);
        let other = sample_save(0x2000, 0x800, round + 100);
        put_nds_backup(&mut console, CODE, TITLE, "20261101-120000", None, &other);
        let mut rig = Rig::new(console, &["typed name"]);
        let mut restored = false;
        let mut changed = false;
        for frame in 0..400 {
            // Mostly single presses, with the combos and holds the screens
            // use, so restores and backups happen as often as browsing.
            let input = match rng.random_range(0..10) {
                0..=4 => FrameInput::press(named[rng.random_range(0..named.len())]),
                5 => FrameInput::hold_and_press(Buttons::R, Buttons::A),
                6 => FrameInput::hold_and_press(Buttons::L, Buttons::A),
                7 => FrameInput {
                    touch: Some(crate::ui::input::Touch {
                        x: rng.random_range(0..320),
                        y: rng.random_range(0..240),
                    }),
                    ..FrameInput::IDLE
                },
                8 => FrameInput::hold(Buttons::B),
                _ => FrameInput::IDLE,
            };
            rig.input(input);
            restored |= rig.ui.restore_running();
            let chip = rig.chip();
            if !changed && chip != original {
                changed = true;
                restores_seen += 1;
                assert!(
                    restored,
                    "round {round} frame {frame}: written without a restore"
                );
                let autos: Vec<String> = [FOLDER, "/3ds/Keepsake/saves/AMKE MOSS KNIGHT"]
                    .iter()
                    .flat_map(|dir| {
                        let entries = rig.console().sd.list(dir).unwrap_or_default();
                        entries
                            .into_iter()
                            .filter(|e| e.name.ends_with("-auto"))
                            .map(|e| join(dir, &format!("{}/MOSS KNIGHT.sav", e.name)))
                            .collect::<Vec<_>>()
                    })
                    .collect();
                assert!(
                    autos
                        .iter()
                        .any(|path| rig.console().sd.read(path).unwrap() == original),
                    "round {round} frame {frame}: no automatic backup of the save: {autos:?}"
                );
            }
            if rig.ui.screen() != ScreenKind::Job {
                let staged = rig.console().sd.list(STAGING_DIR);
                assert!(
                    staged.map_or(true, |e| e.is_empty()),
                    "round {round} frame {frame}: a staging folder outlived its job"
                );
            }
        }
        rig.finish_job();
        let chip = rig.chip();
        assert!(
            chip == original || chip == other,
            "round {round}: the card holds the save or the backup, nothing else"
        );
    }
    assert!(restores_seen >= 3, "only {restores_seen} rounds restored");
}

/// Idle frames until the model has identified the cartridge, checking on
/// the bus counters that no frame read more than one detection block;
/// returns how many frames it took.
fn frames_until_identified(rig: &mut Rig) -> usize {
    use crate::nds_card::DETECT_READ_CHUNK;
    for frames in 1..=40 {
        rig.console().card.reset_stats();
        rig.idle();
        let read = rig.console().card.stats().bytes_in;
        assert!(
            read <= DETECT_READ_CHUNK as u64 + 64,
            "frame {frames} read {read} bytes"
        );
        if !rig.model.identifying() {
            return frames;
        }
    }
    panic!("the cartridge was not identified in 40 frames");
}

#[test]
fn a_cartridge_put_in_is_identified_over_several_frames_and_listed_meanwhile() {
    use super::console_model::Slot;
    use crate::nds_card::identify;

    let save = sample_save(0x2000, 0x1000, 3);
    let mut console = console_with(&save);
    put_nds_backup(&mut console, CODE, TITLE, "20261101-120000", None, &save);
    let mut rig = Rig::new(console, &[]);
    let Slot::Nds(at_start) = rig.model.slot.clone() else {
        panic!("the card present at start is identified before the first frame");
    };
    let card = rig.console().card.eject().expect("a card");
    rig.idle();
    assert!(!rig.text().contains("NDS CARD"));
    assert!(
        rig.text().contains("BACKUPS"),
        "its backup folder stays listed"
    );

    rig.console().card.insert(card);
    rig.console().card.reset_stats();
    rig.idle();
    assert_eq!(
        rig.console().card.stats().transfers,
        0,
        "the frame the card goes in only reads its header"
    );
    assert!(rig.model.identifying());
    rig.press(Buttons::UP);
    assert_eq!(rig.highlighted(), [TITLE], "listed from its header at once");
    let text = rig.text();
    for expected in [
        super::IDENTIFYING,
        "1 backup",
        "Cartridge: MOSS KNIGHT",
        "NDS CARD",
    ] {
        assert!(text.contains(expected), "{expected} missing from {text}");
    }
    // No job on a chip not known yet.
    rig.combo(Buttons::L, Buttons::A);
    assert!(
        rig.text().contains("still being identified"),
        "{}",
        rig.text()
    );
    assert_eq!(rig.console().card.stats().page_writes, 0);
    rig.press(Buttons::B);

    // An 8 KiB EEPROM: the id step, eight blocks and the sizing step, of
    // which the six frames of the presses above took six.
    let frames = frames_until_identified(&mut rig);
    assert_eq!(frames, 10 - 6, "one detection step per frame");
    let Slot::Nds(identified) = rig.model.slot.clone() else {
        panic!("identified: {:?}", rig.model.slot);
    };
    assert_eq!(identified, at_start, "the same result as at start");
    assert_eq!(
        identify(&mut rig.console().card).unwrap(),
        identified,
        "the same result as identifying at once"
    );
    assert_eq!(
        identified.detection.chip.kind(),
        keepsake_format::nds::ChipKind::Eeprom8K
    );
    rig.idle();
    let text = rig.text();
    assert!(text.contains("EEPROM 8 KiB"), "{text}");
    assert!(!text.contains(super::IDENTIFYING), "{text}");
    assert_eq!(rig.highlighted(), [TITLE]);
    assert_eq!(rig.chip(), save, "identifying wrote nothing");
}

#[test]
fn a_card_pulled_mid_identification_leaves_the_list_quietly_and_can_come_back() {
    let save = sample_save(0x2000, 0x1000, 6);
    let mut rig = Rig::new(console_with(&save), &[]);
    let card = rig.console().card.eject().expect("a card");
    rig.idle();

    // Taken out between two frames.
    rig.console().card.insert(card.clone());
    rig.idle();
    rig.idle();
    assert!(rig.model.identifying());
    rig.console().card.eject();
    rig.idle();
    assert!(!rig.model.identifying());
    let text = rig.text();
    assert!(!text.contains(TITLE), "{text}");
    assert!(text.contains("No cartridge"), "{text}");

    // Taken out during a step's transfer.
    rig.console().card.insert(card.clone());
    rig.idle();
    rig.idle();
    rig.console().card.pull_card_after(0);
    rig.idle();
    assert!(!rig.model.identifying());
    rig.idle();
    let text = rig.text();
    assert!(!text.contains(TITLE), "{text}");
    assert!(!text.contains("could not be read"), "no warning: {text}");
    assert_eq!(rig.model.slot_problem(), None);

    // Put back: identified from the start.
    rig.console().card.insert(card);
    rig.idle();
    assert!(frames_until_identified(&mut rig) > 1);
    rig.press(Buttons::UP);
    let text = rig.text();
    assert!(text.contains("EEPROM 8 KiB"), "{text}");
    assert_eq!(rig.chip(), save);
}

/// A console where neither the title list nor the card slot yields
/// anything (as with `am` and `gamecard` switched off), holding an NDS and
/// a 3DS title folder with backups in Checkpoint's root.
fn console_with_backups_only(save: &[u8]) -> SimConsole {
    let mut console = demo::empty_console();
    put_nds_backup(&mut console, CODE, TITLE, "20261101-120000", None, save);
    put_nds_backup(&mut console, CODE, TITLE, "20261102-090000", None, save);
    demo::put_ctr_backup(
        &mut console,
        0x0004_0000_0005_5D00,
        "Harbor Tales",
        "20261020-101500",
        &[7; 300],
    );
    console
}

#[test]
fn backup_folders_are_listed_opened_and_deleted_without_title_services() {
    let save = sample_save(0x2000, 0x1000, 4);
    let mut rig = Rig::new(console_with_backups_only(&save), &[]);
    let text = rig.text();
    assert!(text.contains("R: All titles (2)"), "{text}");
    assert_eq!(rig.highlighted(), ["Harbor Tales"]);
    assert!(text.contains("BACKUPS"), "{text}");

    rig.press(Buttons::DOWN);
    assert_eq!(rig.highlighted(), [TITLE]);
    rig.press(Buttons::A);
    let text = rig.text();
    assert!(text.contains("Backups 2"), "{text}");
    assert!(text.contains("20261102-090000"), "{text}");
    assert!(text.contains("20261101-120000"), "{text}");
    assert!(text.contains("Backups only"), "{text}");
    assert!(!text.contains("Press A to back up"), "{text}");
    // The first row says there is nothing to back up, not "+ New backup"
    // (seen offered in an emulator, where A then failed).
    assert!(text.contains("No save to back up"), "{text}");
    assert!(!text.contains("+ New backup"), "{text}");
    // Only what works is offered: no new backup, no restore.
    assert!(
        !text.contains("Y name") && !text.contains("A backup"),
        "{text}"
    );
    rig.press(Buttons::DOWN);
    let text = rig.text();
    assert!(
        text.contains("X delete") && !text.contains("R+A restore"),
        "{text}"
    );
    // The newest first, with its date, size and origin.
    assert!(text.contains("20261102-090000"), "{text}");
    assert!(text.contains("Made 2026-11-02 09:00:00"), "{text}");
    assert!(text.contains("Size 8 KiB"), "{text}");
    assert!(text.contains("From Checkpoint"), "{text}");
    assert!(text.contains("Press X to delete it."), "{text}");

    rig.press(Buttons::X);
    rig.press(Buttons::A);
    assert!(text_has(&rig, "Deleted \"20261102-090000\"."));
    assert_eq!(
        rig.console()
            .sd
            .kind_of(&join(FOLDER, "20261102-090000"))
            .unwrap(),
        None
    );
    assert!(
        rig.console()
            .sd
            .kind_of(&join(FOLDER, "20261101-120000"))
            .unwrap()
            .is_some()
    );
}

fn text_has(rig: &Rig, needle: &str) -> bool {
    let text = rig.text();
    assert!(text.contains(needle), "{needle:?} not in: {text}");
    true
}

#[test]
fn restoring_a_backup_only_title_is_refused_and_writes_nothing() {
    let save = sample_save(0x2000, 0x1000, 4);
    let mut rig = Rig::new(console_with_backups_only(&save), &[]);
    let before = rig.console().sd.tree().files().clone();
    // The 3DS folder: no such title installed.
    rig.press(Buttons::A);
    rig.press(Buttons::DOWN);
    rig.combo(Buttons::R, Buttons::A);
    assert!(text_has(
        &rig,
        "This title is not installed and its cartridge is not inserted."
    ));
    rig.press(Buttons::A);
    rig.press(Buttons::B);
    rig.press(Buttons::B);
    // The NDS folder: no such cartridge inserted.
    rig.press(Buttons::DOWN);
    rig.press(Buttons::A);
    rig.press(Buttons::DOWN);
    rig.combo(Buttons::R, Buttons::A);
    assert!(text_has(&rig, "No cartridge of this game is inserted"));
    rig.press(Buttons::A);
    // Backing up has nothing to read either.
    rig.combo(Buttons::L, Buttons::A);
    assert_ne!(rig.ui.screen(), ScreenKind::Job);
    assert_eq!(
        *rig.console().sd.tree().files(),
        before,
        "nothing was written"
    );
}

#[test]
fn a_backup_folder_merges_into_its_cartridge_when_it_goes_in() {
    let save = sample_save(0x2000, 0x1000, 4);
    let mut console = console_with_backups_only(&save);
    console.card.insert(demo::nds_cartridge(
        TITLE,
        CODE,
        SimChip::eeprom(0x2000, &save),
        280,
    ));
    let mut rig = Rig::new(console, &[]);
    let text = rig.text();
    assert!(text.contains("R: All titles (2)"), "{text}");
    assert_eq!(bottom_entries(&rig, TITLE), 1, "{text}");
    assert!(text.contains("NDS CARD"), "{text}");
    assert!(text.contains("2 backups"), "{text}");

    let card = rig.console().card.eject().expect("a card");
    rig.idle();
    let text = rig.text();
    assert!(text.contains("R: All titles (2)"), "{text}");
    assert!(!text.contains("NDS CARD"), "{text}");
    assert_eq!(bottom_entries(&rig, TITLE), 1, "{text}");

    rig.console().card.insert(card);
    for _ in 0..40 {
        rig.idle();
    }
    let text = rig.text();
    assert!(text.contains("R: All titles (2)"), "{text}");
    assert_eq!(bottom_entries(&rig, TITLE), 1, "{text}");
    assert!(text.contains("NDS CARD"), "{text}");
}

/// How many rows of the bottom screen's list read `name`.
fn bottom_entries(rig: &Rig, name: &str) -> usize {
    rig.frame
        .texts(Screen::Bottom)
        .iter()
        .filter(|t| **t == name)
        .count()
}

/// An 8 MiB flash cartridge: backed up always; a restore is refused before
/// the confirmation while the experimental setting is off, and offered when
/// config.json turns it on.
#[test]
fn a_restore_onto_the_8_mib_flash_needs_the_experimental_setting() {
    const BIG: usize = 8 << 20;
    let old = sample_save(BIG, 0x3000, 3);
    let new = sample_save(BIG, 0x3000, 4);
    for allowed in [false, true] {
        let mut console = demo::empty_console();
        console.card.insert(demo::nds_cartridge(
            TITLE,
            CODE,
            SimChip::flash(0x20_4017, BIG, &old),
            280,
        ));
        put_nds_backup(&mut console, CODE, TITLE, "20261118-120000", None, &new);
        if allowed {
            console.sd.create_dir_all("/3ds/Keepsake").unwrap();
            console
                .sd
                .write(
                    "/3ds/Keepsake/config.json",
                    br#"{"experimental_flash_8m_writes": true}"#,
                )
                .unwrap();
        }
        let mut rig = Rig::new(console, &[]);
        rig.press(Buttons::A);
        rig.press(Buttons::DOWN);
        rig.combo(Buttons::R, Buttons::A);
        let text = rig.text();
        if allowed {
            assert_eq!(rig.ui.screen(), ScreenKind::Confirm, "{text}");
            rig.press(Buttons::A);
            rig.finish_job();
            assert!(
                rig.text().contains("Restored and verified"),
                "{}",
                rig.text()
            );
            assert!(rig.chip() == new, "the chip holds the backup");
        } else {
            assert_eq!(rig.ui.screen(), ScreenKind::Result, "{text}");
            assert!(text.contains("experimental"), "{text}");
            assert!(text.contains("experimental_flash_8m_writes"), "{text}");
            assert!(rig.chip() == old, "nothing written");
        }
    }
}

fn title_names(rig: &Rig) -> Vec<String> {
    use crate::ui::model::AppModel;
    let mut names: Vec<String> = rig.model.titles().into_iter().map(|t| t.name).collect();
    names.sort();
    names
}

#[test]
fn installed_titles_are_listed_by_category_and_a_new_game_says_it_has_no_save_yet() {
    use crate::ui::model::AppModel;
    let mut console = demo::empty_console();
    crate::sim::titles::install_catalogue(&mut console.titles, &mut console.archives);
    let rig = Rig::new(console, &[]);
    // No update, DLC, system title, manual, browser, DSi data, download-play
    // child or title without archives; the never-started game is listed.
    assert_eq!(
        title_names(&rig),
        ["A Demo", "Animal Crossing", "Pokémon X", "Pokémon Y"]
    );
    let save_kind = |name: &str| {
        rig.model
            .titles()
            .into_iter()
            .find(|t| t.name == name)
            .and_then(|t| t.save_kind)
    };
    assert_eq!(
        save_kind("Pokémon Y").as_deref(),
        Some("no save data yet: start the game once")
    );
    assert_eq!(save_kind("Pokémon X"), None);
    assert_eq!(rig.model.warning(), None, "a new game is not an error");
}

#[test]
fn a_title_list_that_cannot_be_read_is_reported_not_shown_empty() {
    use crate::ui::model::AppModel;
    let save = sample_save(0x2000, 0x1000, 1);
    let mut console = console_with(&save);
    console
        .titles
        .fail_listing(Some("AM_GetTitleList failed: 0xD8E0806A"));
    let rig = Rig::new(console, &[]);
    let warning = rig.model.warning().expect("a warning");
    assert!(
        warning.starts_with("The installed titles could not be listed"),
        "{warning}"
    );
    assert!(warning.contains("0xD8E0806A"), "{warning}");
    assert!(rig.text().contains("could not be listed"), "{}", rig.text());
    // The cartridge is still offered.
    assert_eq!(title_names(&rig), [TITLE]);
}

#[test]
fn titles_switched_off_say_so_in_the_notice_words_and_whole() {
    use crate::ui::model::AppModel;
    let save = sample_save(0x2000, 0x1000, 1);
    let mut console = console_with(&save);
    // The reason the console gives when AM's probing is switched off (the
    // installed titles' start-up notice), as seen in an emulator, where
    // the line was cut after two lines.
    console.titles.fail_listing(Some(
        "Installed titles need am, whose probing is switched off in config.json",
    ));
    let rig = Rig::new(console, &[]);
    let expected = "Installed titles need am, whose probing is switched off in config.json.";
    assert_eq!(rig.model.warning().as_deref(), Some(expected));
    assert!(
        rig.text().replace("/ ", "/").contains(expected),
        "{}",
        rig.text()
    );
}

#[test]
fn a_second_start_shows_the_cached_list_at_once_then_refreshes_it() {
    use crate::store::title_cache::{self, CACHE_DIR, TITLE_CACHE_PATH};
    use crate::ui::model::AppModel;
    let mut console = demo::empty_console();
    demo::install_sample_titles(&mut console, 300);
    let mut rig = Rig::new(console, &[]);
    assert_eq!(rig.model.titles().len(), 300);
    let cache = rig.console().sd.read(TITLE_CACHE_PATH).expect("cached");

    // The next start: one title more was installed meanwhile.
    let mut console = demo::empty_console();
    demo::install_sample_titles(&mut console, 301);
    console.sd.create_dir_all(CACHE_DIR).unwrap();
    console.sd.write(TITLE_CACHE_PATH, &cache).unwrap();
    let mut rig = Rig::new(console, &[]);
    // The first frames show the cached 300: the scan has only begun (one
    // frame, one title), where a start without the cache reads all 301.
    assert_eq!(rig.model.titles().len(), 300);
    assert_eq!(rig.console().titles.smdh_reads(), 1);
    assert!(rig.text().contains("R: All titles (300)"), "{}", rig.text());
    // One title per frame.
    for _ in 0..290 {
        rig.idle();
    }
    assert_eq!(rig.model.titles().len(), 300, "the scan is not done yet");
    for _ in 0..20 {
        rig.idle();
    }
    assert_eq!(rig.model.titles().len(), 301);
    let cached = title_cache::load(&mut rig.console().sd).unwrap().unwrap();
    assert_eq!(cached.len(), 301);
}

#[test]
fn a_3ds_cartridge_never_started_says_it_has_no_save_yet() {
    let title_id = 0x0004_0000_0005_5D00;
    let mut console = demo::empty_console();
    console.titles.install(
        MediaType::Card,
        title_id,
        demo::sample_smdh("Comet Kart", "Studio Kite", 90),
    );
    console.archives.insert_unformatted(ArchiveId {
        kind: ArchiveKind::SaveData,
        media: MediaType::Card,
        title_id,
    });
    console.card.insert(crate::sim::SimCard::Ctr { title_id });
    let rig = Rig::new(console, &[]);
    assert_eq!(rig.highlighted(), ["Comet Kart"]);
    let text = rig.text();
    assert!(
        text.contains("no save data yet: start the game once"),
        "{text}"
    );
}

/// Issue 14, item 3: the question names the automatic backup the restore
/// then makes, whole folder names on each line, however late the answer.
#[test]
fn the_restore_question_names_the_automatic_backup_it_then_makes() {
    let old = sample_save(0x2000, 0x1800, 5);
    let new = sample_save(0x2000, 0x1800, 6);
    let mut console = console_with(&old);
    put_nds_backup(&mut console, CODE, TITLE, "20261101-120000", None, &new);
    let mut rig = Rig::new(console, &[]);
    rig.press(Buttons::A);
    rig.press(Buttons::DOWN);
    rig.combo(Buttons::R, Buttons::A);
    assert_eq!(rig.ui.screen(), ScreenKind::Confirm);
    let top = rig.frame.texts(Screen::Top);
    assert!(!top.join(" ").contains("YYYY"), "{top:?}");
    // The path's lines: each but the last ends after a "/", so no folder
    // name is split over two lines, and together they are the whole path.
    let first = top
        .iter()
        .position(|t| t.starts_with("/3ds/"))
        .unwrap_or_else(|| panic!("no path in {top:?}"));
    let mut path = String::new();
    for line in &top[first..] {
        path.push_str(line);
        if !line.ends_with('/') {
            break;
        }
    }
    assert!(top[first].len() < path.len(), "the path wraps: {top:?}");
    // The sample clock (2026-11-21 18:04:00, a second on per read) gives
    // the name; written out by hand here.
    assert!(
        path.starts_with("/3ds/Checkpoint/saves/AMKE MOSS KNIGHT/20261121-1804"),
        "{path} in {top:?}"
    );
    assert!(path.ends_with("-auto"), "{path} in {top:?}");
    // The answer comes an hour later: the folder is still the one named.
    rig.console().clock.set(demo::DEMO_TIME + 3600);
    rig.press(Buttons::A);
    rig.finish_job();
    assert!(
        rig.text().contains("Restored and verified"),
        "{}",
        rig.text()
    );
    let saved = join(&path, "MOSS KNIGHT.sav");
    assert_eq!(rig.console().sd.read(&saved).unwrap(), old);
}

/// Issue 14, item 4: a backup has one name, the one on the SD card, in the
/// list, its details, the delete question and a refusal.
#[test]
fn a_backup_has_one_name_in_the_list_the_details_the_questions_and_a_refusal() {
    let old = sample_save(0x2000, 0x1800, 5);
    let mut console = console_with(&old);
    put_nds_backup(
        &mut console,
        CODE,
        TITLE,
        "20261118-120000",
        None,
        &sample_save(0x1_0000, 0x6000, 9),
    );
    let mut rig = Rig::new(console, &[]);
    rig.press(Buttons::A);
    rig.press(Buttons::DOWN);
    let name = "20261118-120000";
    assert!(rig.highlighted().contains(&name), "{:?}", rig.highlighted());
    assert!(rig.frame.texts(Screen::Top).contains(&name));
    assert!(!rig.text().contains("2026-11-18 12:00 "), "{}", rig.text());
    rig.press(Buttons::X);
    assert_eq!(rig.ui.screen(), ScreenKind::Confirm);
    assert!(rig.text().contains("\"20261118-120000\""), "{}", rig.text());
    rig.press(Buttons::B);
    rig.combo(Buttons::R, Buttons::A);
    assert_eq!(rig.ui.screen(), ScreenKind::Result);
    let refusal = rig.text();
    assert!(
        refusal.contains("The backup \"20261118-120000\" holds data past"),
        "{refusal}"
    );
    assert!(!refusal.contains(".sav"), "{refusal}");
}

/// Issue 14, item 7: plain words that name the game, not chip errors, game
/// codes or "Not done".
#[test]
fn a_cartridge_pulled_during_a_restore_is_told_in_plain_words_naming_the_game() {
    let old = sample_save(0x2000, 0x1800, 5);
    let mut console = console_with(&old);
    put_nds_backup(
        &mut console,
        CODE,
        TITLE,
        "20261119-080000",
        None,
        &sample_save(0x2000, 0x2000, 77),
    );
    let mut rig = Rig::new(console, &[]);
    let list = rig.text();
    assert!(list.contains("Cartridge: MOSS KNIGHT"), "{list}");
    assert!(!list.contains("Card: AMKE"), "{list}");
    rig.press(Buttons::A);
    rig.press(Buttons::DOWN);
    rig.combo(Buttons::R, Buttons::A);
    rig.press(Buttons::A);
    for _ in 0..20 {
        rig.idle();
    }
    rig.console().card.eject();
    rig.finish_job();
    let text = rig.text();
    for jargon in ["Save chip", "no NDS card in the slot", "Not done", "Card: "] {
        assert!(!text.contains(jargon), "{jargon:?} in {text}");
    }
    assert!(
        text.contains("The save of MOSS KNIGHT on the cartridge was only partly written."),
        "{text}"
    );
    assert_eq!(rig.frame.texts(Screen::Top)[0], "MOSS KNIGHT", "{text}");
}

/// Issue 14, item 2: progress in the save's terms: the stage, and the pages
/// that differ out of the 8 KiB save, not chunks or "items".
#[test]
fn a_restore_shows_its_stages_and_the_pages_that_differ_in_the_save() {
    let old = sample_save(0x2000, 0x1800, 5);
    let mut new = old.clone();
    new[..0x400].iter_mut().for_each(|b| *b = b.wrapping_add(1));
    let mut console = console_with(&old);
    put_nds_backup(&mut console, CODE, TITLE, "20261119-080000", None, &new);
    let mut rig = Rig::new(console, &[]);
    rig.press(Buttons::A);
    rig.press(Buttons::DOWN);
    rig.combo(Buttons::R, Buttons::A);
    rig.press(Buttons::A);
    let mut seen = Vec::new();
    while rig.ui.screen() == ScreenKind::Job {
        let top = rig.frame.texts(Screen::Top).join(" ");
        assert!(!top.contains("items"), "{top}");
        if let Some(stage) = rig.frame.texts(Screen::Top).get(2) {
            if seen.last() != Some(&stage.to_string()) {
                seen.push(stage.to_string());
            }
        }
        if top.contains("Writing the cartridge") {
            // 1 KiB differs: 32 pages of 32 bytes, by hand.
            assert!(top.contains("differing pages written"), "{top}");
            assert!(top.contains(" of 32 differing pages"), "{top}");
            assert!(top.contains("of the 8 KiB save"), "{top}");
        }
        rig.idle();
        assert!(seen.len() < 50, "{seen:?}");
    }
    // (An 8 KiB chip is read in one step, one 32 KiB chunk, so its
    // reading is over before a frame shows it.)
    for stage in [
        "Saving the automatic backup",
        "Writing the cartridge",
        "Reading back and comparing",
    ] {
        assert!(seen.iter().any(|s| s == stage), "{stage} not in {seen:?}");
    }
}
