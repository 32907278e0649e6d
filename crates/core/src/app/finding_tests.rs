//! Favourites, the title list's filter and its order on the simulated
//! console through the real app model: what the list shows, and what
//! `/3ds/Keepsake/config.json` holds afterwards, compared with JSON written
//! by hand in Checkpoint's form (BernardoGiordano/Checkpoint
//! `3ds/source/configuration.cpp`, `3ds/assets/romfs/config.json`).

use serde_json::{Value, json};

use super::console_model::ConsoleModel;
use super::demo::{self, put_ctr_backup, put_nds_backup, sample_save};
use crate::platform::SdCard;
use crate::sim::{SimChip, SimConsole};
use crate::ui::display::{Frame, Screen};
use crate::ui::input::{Buttons, FrameInput};
use crate::ui::keyboard::QueuedKeyboard;
use crate::ui::palette::Role;
use crate::ui::state::{ScreenKind, Ui};
use crate::ui::theme::{LIST_TOP, ROW_HEIGHT};

const CONFIG: &str = "/3ds/Keepsake/config.json";
const CHECKPOINT_CONFIG: &str = "/3ds/Checkpoint/config.json";

/// The titles every test lists, as demo.rs installs them: an NDS
/// cartridge and four SD titles whose ids run in another order than their
/// names.
const CARTRIDGE: &str = "MOSS KNIGHT";
const POCKET: &str = "Pocket Garden"; // 0004000000100100
const STAR: &str = "Star Courier 3D"; // 0004000000100200
const HARBOR: &str = "Harbor Tales"; // 0004000000100300
const LUMEN: &str = "Lumen Quest"; // 0004000000100400
/// A folder of backups of a game neither inserted nor installed.
const SKY: &str = "SKY ATLAS";
const NAMES: [&str; 6] = [CARTRIDGE, POCKET, STAR, HARBOR, LUMEN, SKY];

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
        rig.idle();
        rig
    }

    fn input(&mut self, input: FrameInput) {
        self.ui.frame(&input, &mut self.model, &mut self.frame);
    }

    fn idle(&mut self) {
        self.input(FrameInput::IDLE);
    }

    fn press(&mut self, buttons: Buttons) {
        self.input(FrameInput::press(buttons));
        self.idle();
    }

    fn combo(&mut self, held: Buttons, pressed: Buttons) {
        self.input(FrameInput::hold_and_press(held, pressed));
        self.idle();
    }

    fn tap(&mut self, x: u16, y: u16) {
        self.input(FrameInput::touch(x, y));
        self.idle();
    }

    /// The title names the bottom screen shows, top to bottom.
    fn listed(&self) -> Vec<&str> {
        self.frame
            .texts(Screen::Bottom)
            .into_iter()
            .filter(|t| NAMES.contains(t))
            .collect()
    }

    fn bottom(&self) -> Vec<&str> {
        self.frame.texts(Screen::Bottom)
    }

    fn top(&self) -> String {
        self.frame.texts(Screen::Top).join(" ")
    }

    /// How many rows carry the favourite's pip.
    fn pips(&self) -> usize {
        self.frame.texts_on(Screen::Bottom, Role::Favourite).len()
    }

    fn select(&mut self, name: &str) {
        for _ in 0..NAMES.len() {
            if self
                .frame
                .texts_on(Screen::Bottom, Role::Highlight)
                .contains(&name)
            {
                return;
            }
            self.press(Buttons::DOWN);
        }
        panic!("{name} is not in the list {:?}", self.listed());
    }

    fn config(&mut self) -> Value {
        let bytes = self.model.console_mut().sd.read(CONFIG).unwrap();
        serde_json::from_slice(&bytes).unwrap()
    }
}

/// The cartridge (with a backup), four SD titles (Harbor Tales with a
/// backup) and a folder of SKY ATLAS backups.
fn console() -> SimConsole {
    let mut console = demo::empty_console();
    let save = sample_save(0x2000, 0x1000, 1);
    console.card.insert(demo::nds_cartridge(
        CARTRIDGE,
        "AMKE",
        SimChip::eeprom(0x2000, &save),
        280,
    ));
    demo::install_sample_titles(&mut console, 4);
    put_nds_backup(
        &mut console,
        "AMKE",
        CARTRIDGE,
        "20261101-120000",
        None,
        &save,
    );
    put_nds_backup(&mut console, "ASKE", SKY, "20261102-120000", None, &save);
    put_ctr_backup(
        &mut console,
        demo::sample_title_id(2),
        HARBOR,
        "20261103-120000",
        &[1; 64],
    );
    console
}

fn write(console: &mut SimConsole, path: &str, text: &str) {
    let dir = &path[..path.rfind('/').unwrap()];
    console.sd.create_dir_all(dir).unwrap();
    console.sd.write(path, text.as_bytes()).unwrap();
}

#[test]
fn the_sample_titles_have_the_ids_these_tests_name() {
    // Hand-written: the ids the other tests' expectations are made from.
    assert_eq!(demo::sample_title_id(0), 0x0004_0000_0010_0100);
    assert_eq!(demo::SAMPLE_NAMES[..4], [POCKET, STAR, HARBOR, LUMEN]);
    assert_eq!(demo::sample_title_id(3), 0x0004_0000_0010_0400);
}

#[test]
fn a_favourite_is_written_in_checkpoints_form_and_listed_first() {
    let mut rig = Rig::new(console());
    assert_eq!(rig.listed(), [CARTRIDGE, HARBOR, LUMEN, POCKET, STAR, SKY]);
    assert_eq!(rig.pips(), 0);
    assert!(rig.model.console_mut().sd.read(CONFIG).is_err());

    rig.select(STAR);
    rig.press(Buttons::X);
    assert_eq!(rig.listed(), [CARTRIDGE, STAR, HARBOR, LUMEN, POCKET, SKY]);
    assert_eq!(rig.frame.texts_on(Screen::Bottom, Role::Highlight), [STAR]);
    assert_eq!(rig.pips(), 1);
    assert!(rig.top().contains("* FAVOURITE"), "{}", rig.top());
    assert!(rig.top().contains("\"Star Courier 3D\" is a favourite"));
    let expected = json!({
        "saves_root": "/3ds/Checkpoint/saves",
        "extdata_root": "/3ds/Checkpoint/extdata",
        "read_twlsavetool": true,
        "experimental_flash_8m_writes": false,
        "nand_saves": false,
        "dsiware_saves": false,
        "favorites": ["0004000000100200"],
        "title_filter": "all",
        "title_sort": "name"
    });
    assert_eq!(rig.config(), expected);

    // The NDS cartridge under Checkpoint's key: "DN", then "AMKE".
    rig.select(CARTRIDGE);
    rig.press(Buttons::X);
    assert_eq!(
        rig.config()["favorites"],
        json!(["0004000000100200", "0000444E414D4B45"])
    );
    assert_eq!(rig.pips(), 2);

    // And off again.
    rig.select(STAR);
    rig.press(Buttons::X);
    assert_eq!(rig.config()["favorites"], json!(["0000444E414D4B45"]));
    assert_eq!(rig.listed(), [CARTRIDGE, HARBOR, LUMEN, POCKET, STAR, SKY]);
    assert!(rig.top().contains("no longer a favourite"));
}

/// Checkpoint's romfs `config.json` as its configuration.cpp writes it back
/// (`dump(2)`), with Lumen Quest, the cartridge and an uninstalled title
/// as favourites and one hidden title in its own "filter".
const CHECKPOINT_FILE: &str = r#"{
  "additional_extdata_folders": {},
  "additional_save_folders": {
    "0004000000100300": {
      "folders": [
        "/3ds/Checkpoint/saves/extra"
      ]
    }
  },
  "confirm_restore": true,
  "default_receive_pin": "",
  "dsiware_saves": false,
  "favorites": [
    "0004000000100400",
    "0000444E414D4B45",
    "00040000000ABC00"
  ],
  "filter": [
    "0004000000100100"
  ],
  "ftp-enabled": false,
  "language": "en",
  "last_transfer_address": "",
  "nand_saves": false,
  "quick_backup": false,
  "scan_cart": false,
  "theme": "dark",
  "transfer_enabled": false,
  "version": 4
}"#;

#[test]
fn a_config_written_by_checkpoint_is_read_and_every_key_kept() {
    let mut console = console();
    write(&mut console, CONFIG, CHECKPOINT_FILE);
    let mut rig = Rig::new(console);
    assert_eq!(rig.listed(), [CARTRIDGE, LUMEN, HARBOR, POCKET, STAR, SKY]);
    assert_eq!(rig.pips(), 2);
    assert_eq!(rig.ui.warning, None, "a Checkpoint file is no problem");
    // Checkpoint's "filter" hides titles in Checkpoint; it is not this list's.
    assert!(rig.bottom().contains(&"R: All titles (6)"));

    rig.press(Buttons::R);
    let mut expected: Value = serde_json::from_str(CHECKPOINT_FILE).unwrap();
    let keys = expected.as_object_mut().unwrap();
    for (key, value) in [
        ("saves_root", json!("/3ds/Checkpoint/saves")),
        ("extdata_root", json!("/3ds/Checkpoint/extdata")),
        ("read_twlsavetool", json!(true)),
        ("experimental_flash_8m_writes", json!(false)),
        ("title_filter", json!("cartridge")),
        ("title_sort", json!("name")),
    ] {
        keys.insert(key.into(), value);
    }
    assert_eq!(rig.config(), expected);
    assert_eq!(rig.listed(), [CARTRIDGE]);
}

#[test]
fn without_favourites_of_its_own_checkpoints_are_shown_and_left_alone() {
    let mut console = console();
    write(&mut console, CHECKPOINT_CONFIG, CHECKPOINT_FILE);
    let mut rig = Rig::new(console);
    assert_eq!(rig.listed(), [CARTRIDGE, LUMEN, HARBOR, POCKET, STAR, SKY]);
    assert!(rig.model.console_mut().sd.read(CONFIG).is_err());

    rig.select(POCKET);
    rig.press(Buttons::X);
    assert_eq!(
        rig.config()["favorites"],
        json!([
            "0004000000100400",
            "0000444E414D4B45",
            "00040000000ABC00",
            "0004000000100100"
        ])
    );
    let checkpoint = rig.model.console_mut().sd.read(CHECKPOINT_CONFIG).unwrap();
    assert_eq!(checkpoint, CHECKPOINT_FILE.as_bytes(), "never written");
}

#[test]
fn each_filter_and_order_shows_the_hand_listed_titles() {
    let mut rig = Rig::new(console());
    let all = [CARTRIDGE, HARBOR, LUMEN, POCKET, STAR, SKY];
    assert_eq!(rig.listed(), all);
    assert!(rig.bottom().contains(&"R: All titles (6)"));
    assert!(rig.bottom().contains(&"L+R: by name"));

    let steps: [(&str, &[&str]); 5] = [
        ("R: Cartridge (1)", &[CARTRIDGE]),
        ("R: Installed (4)", &[HARBOR, LUMEN, POCKET, STAR]),
        ("R: System titles (0)", &[]),
        ("R: With backups (3)", &[CARTRIDGE, HARBOR, SKY]),
        ("R: All titles (6)", &all),
    ];
    for (heading, names) in steps {
        rig.press(Buttons::R);
        assert!(rig.bottom().contains(&heading), "{:?}", rig.bottom());
        assert_eq!(rig.listed(), names, "{heading}");
        if names.is_empty() {
            assert!(
                rig.top()
                    .contains("No titles to show with the filter \"System titles\" (6 hidden)"),
                "{}",
                rig.top()
            );
            // The cartridge is still named in the header while hidden.
            assert!(rig.top().contains("Cartridge: MOSS KNIGHT"));
        }
    }

    rig.combo(Buttons::L, Buttons::R);
    assert!(rig.bottom().contains(&"L+R: by title ID"));
    assert_eq!(rig.listed(), [CARTRIDGE, POCKET, STAR, HARBOR, LUMEN, SKY]);
    assert_eq!(rig.config()["title_sort"], "title_id");

    // A row's icon marks it by touch, and unmarks it.
    let harbor_row = LIST_TOP + ROW_HEIGHT * 3 + 5;
    rig.tap(10, harbor_row);
    assert_eq!(rig.config()["favorites"], json!(["0004000000100300"]));
    assert_eq!(rig.listed(), [CARTRIDGE, HARBOR, POCKET, STAR, LUMEN, SKY]);
    rig.tap(10, LIST_TOP + ROW_HEIGHT + 5);
    assert_eq!(rig.config()["favorites"], json!([]));
    assert_eq!(rig.pips(), 0);

    // The heading's halves do the same by touch.
    rig.tap(40, 8);
    assert_eq!(rig.listed(), [CARTRIDGE]);
    rig.tap(280, 8);
    assert!(rig.bottom().contains(&"L+R: by name"));
    assert_eq!(rig.config()["title_filter"], "cartridge");
    assert_eq!(rig.config()["title_sort"], "name");
}

#[test]
fn the_list_settings_survive_a_restart() {
    let mut rig = Rig::new(console());
    rig.select(LUMEN);
    rig.press(Buttons::X);
    rig.combo(Buttons::L, Buttons::R);
    for _ in 0..4 {
        rig.press(Buttons::R);
    }
    assert_eq!(rig.listed(), [CARTRIDGE, HARBOR, SKY]);

    let console = rig.model.into_console();
    let mut rig = Rig::new(console);
    assert!(rig.bottom().contains(&"R: With backups (3)"));
    assert!(rig.bottom().contains(&"L+R: by title ID"));
    assert_eq!(rig.listed(), [CARTRIDGE, HARBOR, SKY]);
    rig.press(Buttons::R);
    // Lumen Quest first as a favourite, then by title id.
    assert_eq!(rig.listed(), [CARTRIDGE, LUMEN, POCKET, STAR, HARBOR, SKY]);
    assert_eq!(rig.pips(), 1);
}

#[test]
fn keys_other_tools_wrote_are_kept() {
    let mut console = console();
    let theirs = r#"{"skip_probe": ["am"], "a_future_tool": {"list": [1, 2.5, null], "on": true}, "saves_root": "/3ds/Keepsake/saves"}"#;
    write(&mut console, CONFIG, theirs);
    let mut rig = Rig::new(console);
    rig.select(HARBOR);
    rig.press(Buttons::X);
    let written = rig.config();
    assert_eq!(written["skip_probe"], json!(["am"]));
    assert_eq!(
        written["a_future_tool"],
        json!({"list": [1, 2.5, null], "on": true})
    );
    assert_eq!(written["saves_root"], "/3ds/Keepsake/saves");
    assert_eq!(written["favorites"], json!(["0004000000100300"]));
    // Written atomically: no temporary copy is left beside it.
    let left: Vec<String> = rig
        .model
        .console_mut()
        .sd
        .list("/3ds/Keepsake")
        .unwrap()
        .into_iter()
        .map(|e| e.name)
        .filter(|n| n.starts_with("config"))
        .collect();
    assert_eq!(left, ["config.json"]);
}

#[test]
fn a_malformed_config_is_said_plainly_and_never_written_over() {
    let damaged = "{\n  \"favorites\": [\"0004000000100400\",\n";
    let mut console = console();
    write(&mut console, CONFIG, damaged);
    let mut rig = Rig::new(console);
    let warning = rig.ui.warning.clone().expect("a warning");
    assert!(
        warning.starts_with("Settings could not be read (/3ds/Keepsake/config.json")
            && warning.contains("line 3")
            && warning.ends_with("; the defaults are used."),
        "{warning}"
    );
    assert_eq!(rig.listed(), [CARTRIDGE, HARBOR, LUMEN, POCKET, STAR, SKY]);

    // A favourite still works for now; the damaged file stays as it is.
    rig.select(POCKET);
    rig.press(Buttons::X);
    assert_eq!(rig.ui.screen(), ScreenKind::Result);
    let text = rig.top();
    assert!(
        text.contains("could not be read") && text.contains("does not write over it"),
        "{text}"
    );
    rig.press(Buttons::A);
    assert_eq!(rig.listed(), [CARTRIDGE, POCKET, HARBOR, LUMEN, STAR, SKY]);
    let bytes = rig.model.console_mut().sd.read(CONFIG).unwrap();
    assert_eq!(bytes, damaged.as_bytes());

    // Nor does saving the settings put defaults over it.
    rig.press(Buttons::SELECT);
    rig.press(Buttons::A);
    rig.press(Buttons::B);
    let text = rig.top();
    assert!(text.contains("does not write over it"), "{text}");
    let bytes = rig.model.console_mut().sd.read(CONFIG).unwrap();
    assert_eq!(bytes, damaged.as_bytes());
}

#[test]
fn unusable_values_are_named_and_defaulted_then_replaced() {
    let mut console = console();
    write(
        &mut console,
        CONFIG,
        r#"{"favorites": "0004000000100400", "title_sort": 5, "title_filter": "installed"}"#,
    );
    let mut rig = Rig::new(console);
    let warning = rig.ui.warning.clone().expect("a warning");
    assert!(
        warning.contains("\"favorites\" must be a list of title ids")
            && warning.contains("\"title_sort\" is 5, which Keepsake does not know"),
        "{warning}"
    );
    // What could be used is: the filter.
    assert_eq!(rig.listed(), [HARBOR, LUMEN, POCKET, STAR]);
    assert_eq!(rig.pips(), 0);
    rig.press(Buttons::X);
    let written = rig.config();
    assert_eq!(written["favorites"], json!(["0004000000100300"]));
    assert_eq!(written["title_sort"], "name");
}

#[test]
fn a_full_sd_card_keeps_the_change_until_exit_and_says_so() {
    let mut rig = Rig::new(console());
    let sd = &mut rig.model.console_mut().sd;
    let used = sd.used();
    sd.set_capacity(used);
    rig.press(Buttons::R);
    assert_eq!(rig.ui.screen(), ScreenKind::Result);
    let text = rig.top();
    assert!(
        text.contains("Showing only the cartridge. Not remembered")
            && text.contains("could not be written"),
        "{text}"
    );
    rig.press(Buttons::A);
    assert_eq!(rig.listed(), [CARTRIDGE]);
    assert!(rig.model.console_mut().sd.read(CONFIG).is_err());
}
