//! The built-in scenarios: a simulated console set up for a story, and the
//! script of inputs that tells it. Their snaps are the images the README
//! shows and the golden tests compare.

use keepsake_core::app::demo::{self, put_ctr_backup, put_nds_backup, sample_save};
use keepsake_core::app::{ConsoleModel, MADE_PATH};
use keepsake_core::jobs::{NdsRestoreJob, Step};
use keepsake_core::nds_card::identify;
use keepsake_core::platform::sd::write_atomic;
use keepsake_core::platform::{Console, SdCard};
use keepsake_core::sim::{SimCard, SimChip, SimConsole};
use keepsake_core::ui::AppModel;

use super::keyboard::PreviewKeyboard;
use super::runner::World;

/// A named scenario.
pub struct Scenario {
    pub name: &'static str,
    pub about: &'static str,
    /// The events its console knows, for `event NAME` script lines.
    pub events: &'static [&'static str],
    pub script: &'static str,
    pub build: fn() -> Box<dyn World>,
}

/// A simulated console behind the app model, with a card that can be
/// pulled out and put back.
struct SimWorld {
    model: ConsoleModel<SimConsole>,
    pulled: Option<SimCard>,
    keyboard: PreviewKeyboard,
}

const EVENTS: &[&str] = &["card-out", "card-in"];

impl SimWorld {
    /// A world over `console` whose keyboard answers `names` in turn.
    fn boxed(console: SimConsole, names: &[&str]) -> Box<dyn World> {
        let keyboard = PreviewKeyboard::default();
        for name in names {
            keyboard.answer(Some(name));
        }
        Box::new(Self {
            model: ConsoleModel::new(console, Box::new(keyboard.clone())),
            pulled: None,
            keyboard,
        })
    }
}

impl World for SimWorld {
    fn model(&mut self) -> &mut dyn AppModel {
        &mut self.model
    }

    fn event(&mut self, event: &str) -> Result<(), String> {
        let console = self.model.console_mut();
        match event {
            "card-out" => {
                self.pulled = console.card.eject();
                Ok(())
            }
            "card-in" => {
                let card = self.pulled.take().ok_or("card-in: no card was taken out")?;
                console.card.insert(card);
                Ok(())
            }
            other => Err(format!(
                "this scenario knows no event {other:?}; its events are {}",
                EVENTS.join(", ")
            )),
        }
    }

    fn type_text(&mut self, text: &str) {
        self.keyboard.answer(Some(text));
    }

    fn keyboard_shown(&mut self) -> Option<(String, Option<String>)> {
        self.keyboard.take_shown()
    }
}

const STARFALL: (&str, &str) = ("STARFALL DS", "ASFE");
const MOSS: (&str, &str) = ("MOSS KNIGHT", "AMKE");
const SKY: (&str, &str) = ("SKY ATLAS", "ASKE");

/// Records `folders` as made by Keepsake.
fn mark_made(console: &mut SimConsole, folders: &[String]) {
    let json = serde_json::to_vec(folders).expect("strings serialize");
    let devices = console.devices();
    devices
        .sd
        .create_dir_all("/3ds/Keepsake")
        .expect("room on the SD card");
    write_atomic(devices.sd, MADE_PATH, &json).expect("room on the SD card");
}

fn browse() -> Box<dyn World> {
    let mut console = demo::empty_console();
    let (title, code) = STARFALL;
    let save = sample_save(0x1_0000, 0x3000, 7);
    console.card.insert(demo::nds_cartridge(
        title,
        code,
        SimChip::eeprom(0x1_0000, &save),
        20,
    ));
    demo::install_sample_titles(&mut console, 7);
    put_nds_backup(
        &mut console,
        code,
        title,
        "20261102-093011",
        None,
        &sample_save(0x1_0000, 0x2000, 7),
    );
    put_nds_backup(
        &mut console,
        code,
        title,
        "20261115-201544",
        None,
        &sample_save(0x1_0000, 0x2800, 7),
    );
    put_nds_backup(&mut console, code, title, "20261120-190233", None, &save);
    mark_made(
        &mut console,
        &["/3ds/Checkpoint/saves/ASFE STARFALL DS/20261120-190233".to_string()],
    );
    put_ctr_backup(
        &mut console,
        demo::sample_title_id(2),
        demo::SAMPLE_NAMES[2],
        "20261012-081500",
        &[1; 4096],
    );
    SimWorld::boxed(console, &[])
}

fn backup_nds() -> Box<dyn World> {
    let mut console = demo::empty_console();
    let (title, code) = SKY;
    let save = sample_save(0x8_0000, 0x2_0000, 3);
    console.card.insert(demo::nds_cartridge(
        title,
        code,
        SimChip::flash(0x20_4013, 0x8_0000, &save),
        140,
    ));
    demo::install_sample_titles(&mut console, 4);
    SimWorld::boxed(console, &[])
}

fn restore_flashcart() -> Box<dyn World> {
    let mut console = demo::empty_console();
    let (title, code) = MOSS;
    let current = sample_save(0x2000, 0x1800, 5);
    // The flashcart's file: the game's 8 KiB, a kilobyte further along,
    // padded with 0xFF to the 512 KiB every save gets on that flashcart.
    let mut newer = current.clone();
    for byte in &mut newer[..0x400] {
        *byte = byte.wrapping_add(1);
    }
    let mut flashcart_file = newer;
    flashcart_file.resize(0x8_0000, 0xFF);
    console.card.insert(demo::nds_cartridge(
        title,
        code,
        SimChip::eeprom(0x2000, &current),
        280,
    ));
    demo::install_sample_titles(&mut console, 4);
    put_nds_backup(
        &mut console,
        code,
        title,
        "20261101-120000",
        None,
        &sample_save(0x2000, 0x1000, 5),
    );
    put_nds_backup(
        &mut console,
        code,
        title,
        "from my flashcart",
        None,
        &flashcart_file,
    );
    SimWorld::boxed(console, &[])
}

fn restore_error() -> Box<dyn World> {
    let mut console = demo::empty_console();
    let (title, code) = MOSS;
    let current = sample_save(0x2000, 0x1800, 5);
    console.card.insert(demo::nds_cartridge(
        title,
        code,
        SimChip::eeprom(0x2000, &current),
        280,
    ));
    demo::install_sample_titles(&mut console, 4);
    // A 64 KiB save with data past 8 KiB: from a bigger chip, so it cannot fit.
    put_nds_backup(
        &mut console,
        code,
        title,
        "20261118-120000",
        None,
        &sample_save(0x1_0000, 0x6000, 9),
    );
    // A good one, different from the card everywhere, so writing takes a while.
    put_nds_backup(
        &mut console,
        code,
        title,
        "20261119-080000",
        None,
        &sample_save(0x2000, 0x2000, 77),
    );
    SimWorld::boxed(console, &[])
}

/// MOSS KNIGHT's cartridge after a restore that lost power three pages into
/// writing: the journal on the SD card, the chip part old, part new.
fn interrupted_restore() -> SimConsole {
    let mut console = demo::empty_console();
    let (title, code) = MOSS;
    let current = sample_save(0x2000, 0x1800, 5);
    console.card.insert(demo::nds_cartridge(
        title,
        code,
        SimChip::eeprom(0x2000, &current),
        280,
    ));
    demo::install_sample_titles(&mut console, 4);
    put_nds_backup(
        &mut console,
        code,
        title,
        "20261119-080000",
        None,
        &sample_save(0x2000, 0x2000, 77),
    );
    let card = identify(&mut console.card).expect("the sample cartridge identifies");
    let backup = keepsake_core::store::BackupEntry {
        name: "20261119-080000".into(),
        path: "/3ds/Checkpoint/saves/AMKE MOSS KNIGHT/20261119-080000".into(),
        source: keepsake_core::store::BackupSource::Folder,
    };
    let mut job = NdsRestoreJob::restore(card, "/3ds/Checkpoint/saves/AMKE MOSS KNIGHT", backup);
    let mut pages = 0;
    while pages < 3 {
        let critical = job.critical();
        match job.step(&mut console.devices()) {
            Ok(Step::Working(_)) => pages += usize::from(critical),
            other => panic!("the sample restore ended early: {other:?}"),
        }
    }
    console.power_cycle();
    console
}

fn unfinished_restore() -> Box<dyn World> {
    SimWorld::boxed(interrupted_restore(), &[])
}

fn unfinished_missing() -> Box<dyn World> {
    let mut console = interrupted_restore();
    console
        .sd
        .remove_dir_all("/3ds/Checkpoint/saves/AMKE MOSS KNIGHT/20261121-180400-auto")
        .expect("the automatic backup is there");
    SimWorld::boxed(console, &[])
}

/// A 3DS extdata restore cut short whose automatic backup holds an 8 MiB
/// file: the journal and the automatic backup as the restore left them.
fn unfinished_large() -> Box<dyn World> {
    use keepsake_core::platform::{ArchiveId, ArchiveKind, MediaType};
    use keepsake_core::store::journal::{self, Journal, JournalFile, JournalSave, Operation};
    let mut console = demo::empty_console();
    let dir = "/3ds/Checkpoint/extdata/0x0055D Pokemon X";
    let auto = format!("{dir}/20261121-175900-auto");
    let file: Vec<u8> = (0..8u32 << 20).map(|i| (i >> 9) as u8).collect();
    console
        .sd
        .create_dir_all(&auto)
        .expect("the SD card has room");
    console
        .sd
        .write(&format!("{auto}/pokemon.dat"), &file)
        .expect("the SD card has room");
    let record = Journal {
        operation: Operation::Restore,
        save: JournalSave::of_archive(
            ArchiveId {
                kind: ArchiveKind::ExtData,
                media: MediaType::Sd,
                title_id: 0x0004_0000_0005_5D00,
            },
            "Pokemon X",
        ),
        backup: Some(format!("{dir}/20261120-100000")),
        automatic_backup: auto,
        files: vec![JournalFile::of("pokemon.dat", &file)],
    };
    journal::record(&mut console.sd, &record).expect("the SD card has room");
    SimWorld::boxed(console, &[])
}

fn many_titles() -> Box<dyn World> {
    let mut console = demo::empty_console();
    let (title, code) = STARFALL;
    let save = sample_save(0x1_0000, 0x3000, 7);
    console.card.insert(demo::nds_cartridge(
        title,
        code,
        SimChip::eeprom(0x1_0000, &save),
        20,
    ));
    demo::install_sample_titles(&mut console, 300);
    SimWorld::boxed(console, &[])
}

/// A world over `console` whose keyboard answers `names` in turn, for
/// scenarios kept in their own files.
pub(super) fn sim_world(console: SimConsole, names: &[&str]) -> Box<dyn World> {
    SimWorld::boxed(console, names)
}

/// Every built-in scenario.
pub fn all() -> Vec<Scenario> {
    vec![
        Scenario {
            name: "browse",
            about: "an NDS cartridge and a few SD titles: the list, a title's details, its backups, the settings",
            events: EVENTS,
            script: "\
snap titles
press DOWN
snap sd-title-details
press A
snap sd-title-backups
press B
press UP
press A
snap cartridge-backups
press DOWN
snap backup-details
press B
press SELECT
snap settings
",
            build: browse,
        },
        Scenario {
            name: "backup-nds",
            about: "back up a 512 KiB FLASH cartridge with L+A, then a backup named with the keyboard (Y)",
            events: EVENTS,
            script: "\
press L+A
wait 6
snap backing-up
wait 40
snap backed-up
press A
press A
snap backup-listed
type before the final boss
press Y
snap-keyboard naming
wait 40
snap named-backup-done
press A
snap both-backups-listed
",
            build: backup_nds,
        },
        Scenario {
            name: "restore-flashcart",
            about: "restore a 512 KiB flashcart .sav onto an 8 KiB EEPROM: converted, only changed pages written",
            events: EVENTS,
            script: "\
press A
press DOWN
press DOWN
snap flashcart-backup-selected
press R+A
snap confirm-restore
press A
wait 7
snap restoring
wait 120
snap restored
",
            build: restore_flashcart,
        },
        Scenario {
            name: "restore-error",
            about: "a backup that does not fit the chip is refused; a card pulled out mid-restore; START refused; the card put back and identified over a few frames",
            events: EVENTS,
            script: "\
press A
press DOWN
press DOWN
snap oversized-backup
press R+A
snap refused
press A
press UP
press R+A
press A
wait 20
press START
snap exit-refused
event card-out
wait 3
snap card-pulled
press A
snap titles-without-card
wait 180
event card-in
press UP
snap card-identifying
wait 10
snap card-identified
",
            build: restore_error,
        },
        Scenario {
            name: "unfinished-restore",
            about: "a restore cut short by a power loss: the next start says so, waits for the cartridge, keeps a warning, and puts the automatic backup back",
            events: EVENTS,
            script: "\
snap found-at-start
event card-out
wait 2
snap card-needed
event card-in
wait 10
press B
press LEFT
snap warning-in-list
press A
snap title-leads-back
press A
wait 30
snap put-back
",
            build: unfinished_restore,
        },
        Scenario {
            name: "unfinished-missing",
            about: "a restore cut short whose automatic backup was deleted since: said plainly, nothing offered that cannot work",
            events: EVENTS,
            script: "\
snap backup-missing
press A
snap put-back-refused
",
            build: unfinished_missing,
        },
        Scenario {
            name: "unfinished-large",
            about: "a restore cut short whose automatic backup is 8 MiB: the screen is up at once and says how far the check of the automatic backup got",
            events: EVENTS,
            script: "\
snap checking
wait 12
snap still-checking
wait 30
snap checked
",
            build: unfinished_large,
        },
        Scenario {
            name: "many-titles",
            about: "300 SD titles: scrolling by holding the D-pad, and paging with left/right",
            events: EVENTS,
            script: "\
snap top-of-list
hold DOWN 120
snap held-down
press RIGHT
press RIGHT
snap paged
press UP
press UP
press UP
snap scrolled-up
",
            build: many_titles,
        },
        Scenario {
            name: "finding",
            about: "finding a title: X marks a favourite (listed first), R filters the list, L+R orders it by title id",
            events: EVENTS,
            script: super::finding_scenario::SCRIPT,
            build: super::finding_scenario::world,
        },
        Scenario {
            name: "seed",
            about: "find saves on the SD card (TWiLight Menu++ layout, import folder) and restore one onto its cartridge; a patched ROM's and an unmatched save are asked about",
            events: EVENTS,
            script: super::seed_scenario::SCRIPT,
            build: super::seed_scenario::world,
        },
        Scenario {
            name: "card-export",
            about: "the NDS cartridge's 8 MiB save exported straight from its chip as a DeSmuME .dsv: the question naming the file, the chip read with progress, the file written",
            events: EVENTS,
            script: super::card_export_scenario::SCRIPT,
            build: super::card_export_scenario::world,
        },
        Scenario {
            name: "extdata",
            about: "a 3DS title's backup list switched to its extdata (Right, or a tap on the heading's tab): an extdata backup restored, and a title without extdata",
            events: EVENTS,
            script: super::extdata_scenario::SCRIPT,
            build: super::extdata_scenario::world,
        },
        Scenario {
            name: "gba",
            about: "GBA Virtual Console titles with their badge: a Checkpoint backup of one restored into the slot its game loads, and a game that never saved",
            events: EVENTS,
            script: super::gba_scenario::SCRIPT,
            build: super::gba_scenario::world,
        },
        Scenario {
            name: "batch",
            about: "several titles backed up in one job: L+Y marks, A marks more, L+A backs them up; a save never made fails alone and the result lists each title",
            events: EVENTS,
            script: super::batch_scenario::SCRIPT,
            build: super::batch_scenario::world,
        },
        Scenario {
            name: "system",
            about: "the console's own data: the System data setting on, the SYSTEM section after the installed titles, and shared extdata restored after the warning that asks once more",
            events: EVENTS,
            script: super::system_scenario::SCRIPT,
            build: super::system_scenario::world,
        },
        Scenario {
            name: "dsiware",
            about: "DSiWare saves: the setting on, two DSiWare titles among the installed ones with their badge, a Checkpoint backup restored after the confirmation, and a title without a data folder explained",
            events: EVENTS,
            script: super::dsiware_scenario::SCRIPT,
            build: super::dsiware_scenario::world,
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::preview::{runner, script};
    use keepsake_core::store::Theme;
    use keepsake_core::ui::palette::{DARK, LIGHT};
    use keepsake_core::ui::{Color, Frame, Palette, contrast};

    #[test]
    fn every_scenario_script_parses_and_snaps_what_it_names() {
        for scenario in all() {
            let steps = script::parse(scenario.script).unwrap();
            let mut world = (scenario.build)();
            let run = runner::run(world.as_mut(), &steps, &[]).unwrap();
            let wanted = steps
                .iter()
                .filter(|s| matches!(s, script::Step::Snap(_) | script::Step::SnapKeyboard(..)))
                .count();
            assert_eq!(run.snapshots.len(), wanted, "{}", scenario.name);
            assert_eq!(run.exited_at, None, "{}", scenario.name);
        }
    }

    /// Every scenario's snapped frames (the golden images) run in `theme`,
    /// named `<scenario> <snap>`; run once per theme for all the tests.
    fn snapped_frames(theme: Theme) -> &'static [(String, Frame)] {
        use std::sync::OnceLock;
        static FRAMES: [OnceLock<Vec<(String, Frame)>>; 2] = [OnceLock::new(), OnceLock::new()];
        FRAMES[theme as usize].get_or_init(|| {
            let mut frames = Vec::new();
            for scenario in all() {
                let mut steps = script::parse(scenario.script).unwrap();
                steps.insert(0, script::Step::Theme(theme, 0));
                let mut world = (scenario.build)();
                let run = runner::run(world.as_mut(), &steps, &[]).unwrap();
                assert_eq!(run.exited_at, None, "{}", scenario.name);
                for snap in run.snapshots {
                    assert_eq!(snap.frame.theme, theme, "{} {}", scenario.name, snap.name);
                    frames.push((format!("{} {}", scenario.name, snap.name), snap.frame));
                }
            }
            frames
        })
    }

    /// The texts of `frames` below 4.5:1 on what is under them in
    /// `palette`, and how many texts there were.
    fn weak_texts(frames: &[(String, Frame)], palette: &Palette) -> (Vec<String>, usize) {
        let mut weak = Vec::new();
        let mut texts = 0;
        for (name, frame) in frames {
            let (found, count) = contrast::weak_texts(frame, palette);
            texts += count;
            weak.extend(found.iter().map(|w| format!("{name}: {w}")));
        }
        (weak, texts)
    }

    /// Issue 14, items 5 and 12: every text of every frame the scenarios
    /// snap (the golden images) has at least 4.5:1 contrast with what is
    /// under it, in the dark theme and in the light one.
    #[test]
    fn every_text_in_every_snapped_frame_is_legible_in_both_themes() {
        for theme in Theme::ALL {
            let frames = snapped_frames(theme);
            assert!(frames.len() >= 60, "{theme:?}: {} frames", frames.len());
            let (weak, texts) = weak_texts(frames, Palette::of(theme));
            assert!(texts > 500, "{theme:?}: {texts} texts looked at");
            assert!(
                weak.is_empty(),
                "{theme:?}: {} texts below 4.5:1:\n{}",
                weak.len(),
                weak.join("\n")
            );
        }
    }

    /// The check above fails when a light colour is too faint: each of
    /// these light palettes, one colour changed, is caught on the ground
    /// the colour meets in the snapped frames (the selected row, a badge,
    /// red text, dim text).
    #[test]
    fn the_legibility_check_catches_a_faint_light_colour() {
        let frames = snapped_frames(Theme::Light);
        let grey = |v| Color::rgb(v, v, v);
        let faint = [
            // Dim text at #999999: 2.6:1 on the light background.
            (
                "dim text",
                Palette {
                    dim_text: grey(0x99),
                    ..LIGHT
                },
                "DimText on",
            ),
            // The dark theme's red for text: 2.1:1 on the light background.
            (
                "red text",
                Palette {
                    danger_text: DARK.danger_text,
                    ..LIGHT
                },
                "DangerText on",
            ),
            // The dark theme's selection blue under dark text: 2.7:1.
            (
                "selected row",
                Palette {
                    highlight: DARK.highlight,
                    ..LIGHT
                },
                "Text on Highlight",
            ),
            // White on the orange badge: 2.1:1.
            (
                "badge text",
                Palette {
                    badge_text: grey(0xFF),
                    ..LIGHT
                },
                "BadgeText on Badge",
            ),
        ];
        for (what, palette, expected) in faint {
            let (weak, _) = weak_texts(frames, &palette);
            assert!(
                weak.iter().any(|w| w.contains(expected)),
                "a faint {what} passed: {weak:?}"
            );
        }
    }

    /// Issue 14, item 8: in every snapped frame the bottom screen's
    /// buttons are the actions its help line names, in the same words.
    #[test]
    fn every_snapped_bottom_screen_has_the_buttons_its_help_line_names() {
        let mut wrong = Vec::new();
        let mut frames = 0;
        for scenario in all() {
            let steps = script::parse(scenario.script).unwrap();
            let mut world = (scenario.build)();
            let run = runner::run(world.as_mut(), &steps, &[]).unwrap();
            // The system keyboard's pictures are not Keepsake's screens.
            let keyboards: Vec<&String> = steps
                .iter()
                .filter_map(|s| match s {
                    script::Step::SnapKeyboard(name, _) => Some(name),
                    _ => None,
                })
                .collect();
            for snap in run
                .snapshots
                .iter()
                .filter(|s| !keyboards.contains(&&s.name))
            {
                frames += 1;
                if let Some(why) = snap.frame.help_and_buttons_disagree() {
                    wrong.push(format!("{} {}: {why}", scenario.name, snap.name));
                }
            }
        }
        assert!(frames >= 40, "{frames} frames looked at");
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    #[test]
    fn events_pull_and_reinsert_the_card() {
        let mut world = browse();
        world.event("card-out").unwrap();
        assert!(
            world.event("card-out").is_ok(),
            "pulling an empty slot is harmless"
        );
        let err = world.event("explode").unwrap_err();
        assert!(err.contains("card-out, card-in"), "{err}");
    }
}
