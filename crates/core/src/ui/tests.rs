//! The state machine driven through every screen and control against a
//! small scripted model, asserting on the display list.

use std::collections::BTreeMap;

use super::display::{Frame, Screen};
use super::input::{Buttons, FrameInput};
use super::model::*;
use super::palette::Role;
use super::state::{CANCEL_HOLD_FRAMES, ScreenKind, Signal, Ui};
use super::theme::{self, BUTTON_BAR_TOP, LIST_TOP, ROW_HEIGHT, button_span};

/// A scripted model: fixed titles and backups, jobs that take a known number
/// of steps, and a record of every action asked of it.
struct Scripted {
    titles: Vec<TitleInfo>,
    backups: BTreeMap<TitleKey, Vec<BackupInfo>>,
    generation: u64,
    job: Option<(JobKind, u32, u32)>,
    /// Game codes each backup belongs to; restoring onto another is refused.
    backup_game: BTreeMap<BackupKey, String>,
    /// Set by a cancel; the next step ends the job.
    cancelled: bool,
    /// When set, the running restore fails at this step (the card is pulled).
    pull_card_at_step: Option<u32>,
    typed_name: Option<String>,
    settings: Settings,
    log: Vec<String>,
}

const JOB_STEPS: u32 = 4;

fn title(key: &str, name: &str, source: TitleSource) -> TitleInfo {
    TitleInfo {
        key: TitleKey(key.into()),
        name: name.into(),
        publisher: "Publisher".into(),
        id_label: if source == TitleSource::NdsCartridge {
            "Game code"
        } else {
            "Title ID"
        },
        id_text: key.into(),
        source,
        save_kind: (source == TitleSource::NdsCartridge).then(|| "EEPROM 8 KiB".to_string()),
        icon: None,
        backup_count: 0,
    }
}

fn backup(key: &str, day: u8, origin: BackupOrigin) -> BackupInfo {
    BackupInfo {
        key: BackupKey(key.into()),
        name: key.into(),
        created: Some(DateTime {
            year: 2026,
            month: 11,
            day,
            hour: 12,
            minute: 0,
            second: 0,
        }),
        size: 8192,
        origin,
    }
}

impl Scripted {
    fn new() -> Self {
        let mut backups = BTreeMap::new();
        backups.insert(
            TitleKey("ASCE".into()),
            vec![
                backup("20261101-120000", 1, BackupOrigin::Checkpoint),
                backup("20261120-120000", 20, BackupOrigin::Keepsake),
                backup(
                    "wrong-game",
                    10,
                    BackupOrigin::Imported("DeSmuME .dsv".into()),
                ),
            ],
        );
        let mut backup_game = BTreeMap::new();
        backup_game.insert(BackupKey("20261101-120000".into()), "ASCE".to_string());
        backup_game.insert(BackupKey("20261120-120000".into()), "ASCE".to_string());
        backup_game.insert(BackupKey("wrong-game".into()), "ACBE".to_string());
        Self {
            titles: vec![
                title("0004000000ZZZZ00", "Zelda", TitleSource::SdCard),
                title("ASCE", "SONIC RUSH", TitleSource::NdsCartridge),
                title("0004000000AAAA00", "animal crossing", TitleSource::SdCard),
                title("0004000000MMMM00", "Mario Kart 7", TitleSource::SdCard),
            ],
            backups,
            generation: 1,
            job: None,
            backup_game,
            pull_card_at_step: None,
            cancelled: false,
            typed_name: Some("before boss".into()),
            settings: Settings {
                backup_roots: vec!["/3ds/Checkpoint/saves".into(), "/3ds/Keepsake/saves".into()],
                backup_root: 0,
                confirm_restores: true,
                theme: Theme::Dark,
                system_data: false,
                dsiware: false,
            },
            log: Vec::new(),
        }
    }

    fn pull_cartridge(&mut self) {
        self.titles.retain(|t| !t.source.is_cartridge());
        self.generation += 1;
    }
}

impl AppModel for Scripted {
    fn poll(&mut self) {}

    fn generation(&self) -> u64 {
        self.generation
    }

    fn titles(&self) -> Vec<TitleInfo> {
        self.titles.clone()
    }

    fn backups(&mut self, title: &TitleKey) -> Vec<BackupInfo> {
        self.backups.get(title).cloned().unwrap_or_default()
    }

    fn start_backup(&mut self, title: &TitleKey, name: Option<String>) -> Result<(), Refusal> {
        self.log.push(format!("backup {} {:?}", title.0, name));
        self.job = Some((JobKind::Backup, 0, JOB_STEPS));
        Ok(())
    }

    fn plan_restore(
        &mut self,
        title: &TitleKey,
        backup: &BackupKey,
    ) -> Result<RestorePlan, Refusal> {
        self.log.push(format!("plan {} {}", title.0, backup.0));
        let game = &self.backup_game[backup];
        if game != &title.0 {
            return Err(Refusal {
                reason: format!(
                    "This backup belongs to the game {game}, not to {}.",
                    title.0
                ),
                advice: "Choose a backup of this game.".into(),
            });
        }
        Ok(RestorePlan {
            overwrites: "the save on the cartridge SONIC RUSH (EEPROM 8 KiB)".into(),
            conversion: None,
            automatic_backup: "/3ds/Checkpoint/saves/ASCE SONIC RUSH/20261122-000000 automatic"
                .into(),
        })
    }

    fn start_restore(&mut self, title: &TitleKey, backup: &BackupKey) -> Result<(), Refusal> {
        self.plan_restore(title, backup)?;
        self.log.push(format!("restore {} {}", title.0, backup.0));
        self.job = Some((JobKind::Restore, 0, JOB_STEPS));
        Ok(())
    }

    fn delete_backup(&mut self, title: &TitleKey, backup: &BackupKey) -> Result<(), Refusal> {
        self.log.push(format!("delete {} {}", title.0, backup.0));
        if let Some(list) = self.backups.get_mut(title) {
            list.retain(|b| &b.key != backup);
        }
        self.generation += 1;
        Ok(())
    }

    fn step_job(&mut self) -> Option<JobStatus> {
        let (kind, done, total) = self.job.as_mut()?;
        *done += 1;
        let (kind, done, total) = (*kind, *done, *total);
        if std::mem::take(&mut self.cancelled) {
            self.job = None;
            return Some(JobStatus::Finished(Outcome {
                succeeded: false,
                headline: "Backup cancelled".into(),
                details: vec!["Nothing was written to the SD card.".into()],
                advice: None,
            }));
        }
        if kind == JobKind::Restore && self.pull_card_at_step == Some(done) {
            self.job = None;
            self.pull_cartridge();
            return Some(JobStatus::Finished(Outcome {
                succeeded: false,
                headline: "The cartridge was taken out during the restore".into(),
                details: vec!["The save on the cartridge is incomplete.".into()],
                advice: Some("Insert the cartridge and restore the automatic backup.".into()),
            }));
        }
        if done >= total {
            self.job = None;
            self.generation += 1;
            return Some(JobStatus::Finished(Outcome {
                succeeded: true,
                headline: match kind {
                    JobKind::Backup => "Backed up".into(),
                    JobKind::Restore => "Restored and verified".into(),
                    JobKind::FindSaves => "Saves found".into(),
                    JobKind::Export => "Exported".into(),
                },
                details: vec!["8 KiB written".into()],
                advice: None,
            }));
        }
        Some(JobStatus::Running(Progress {
            stage: "Reading the cartridge".into(),
            detail: format!("{} KiB of 8 KiB read", done * 2),
            bytes_done: u64::from(done) * 2048,
            bytes_total: u64::from(total) * 2048,
        }))
    }

    fn cancel_job(&mut self) -> bool {
        match self.job {
            Some((JobKind::Backup, ..)) => {
                self.log.push("cancel".into());
                self.cancelled = true;
                true
            }
            _ => false,
        }
    }

    fn keyboard(&mut self, _hint: &str, _initial: &str) -> Option<String> {
        self.typed_name.clone()
    }

    fn settings(&self) -> Settings {
        self.settings.clone()
    }

    fn save_settings(&mut self, settings: &Settings) -> Result<(), Refusal> {
        self.settings = settings.clone();
        self.log.push("settings saved".into());
        Ok(())
    }
}

/// Drives a [`Ui`] and a model, keeping the last frame.
struct Harness {
    ui: Ui,
    model: Scripted,
    frame: Frame,
}

impl Harness {
    fn new() -> Self {
        let mut h = Self {
            ui: Ui::new(),
            model: Scripted::new(),
            frame: Frame::default(),
        };
        h.idle();
        h
    }

    /// One frame; every frame's buttons must be the actions its help line
    /// names (issue 14, item 8).
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

    fn hold_and_press(&mut self, held: Buttons, pressed: Buttons) -> Signal {
        let signal = self.input(FrameInput::hold_and_press(held, pressed));
        self.idle();
        signal
    }

    fn tap(&mut self, x: u16, y: u16) -> Signal {
        let signal = self.input(FrameInput::touch(x, y));
        self.idle();
        signal
    }

    fn tap_button(&mut self, label: &str) -> Signal {
        let buttons = self.frame.texts(Screen::Bottom);
        let labels: Vec<&str> = self.ui.touch_buttons().iter().map(|b| b.0).collect();
        let index = labels
            .iter()
            .position(|l| *l == label)
            .unwrap_or_else(|| panic!("no button {label:?} in {labels:?} ({buttons:?})"));
        let (x, w) = button_span(index, labels.len());
        self.tap(x + w / 2, BUTTON_BAR_TOP + 4)
    }

    fn tap_row(&mut self, row: u16) -> Signal {
        self.tap(100, LIST_TOP + row * ROW_HEIGHT + ROW_HEIGHT / 2)
    }

    fn highlighted(&self) -> Vec<String> {
        self.frame
            .texts_on(Screen::Bottom, Role::Highlight)
            .into_iter()
            .map(String::from)
            .collect()
    }

    fn run_job_to_end(&mut self) {
        for _ in 0..JOB_STEPS + 2 {
            if self.ui.screen() != ScreenKind::Job {
                break;
            }
            self.idle();
        }
        assert_eq!(self.ui.screen(), ScreenKind::Result);
    }

    /// All text of both screens joined by spaces, so that sentences the
    /// screen wrapped over several lines can be searched whole.
    fn all_text(&self) -> String {
        let mut texts = self.frame.texts(Screen::Top);
        texts.extend(self.frame.texts(Screen::Bottom));
        texts.join(" ")
    }

    /// The touch buttons' labels, as drawn.
    fn buttons(&self) -> Vec<String> {
        self.frame
            .texts_placed(Screen::Bottom)
            .into_iter()
            .filter(|t| t.y >= BUTTON_BAR_TOP as i16 && t.under == Some(Role::Button))
            .map(|t| t.text.to_string())
            .collect()
    }

    fn help(&self) -> String {
        self.frame.texts(Screen::Bottom).last().unwrap().to_string()
    }
}

#[test]
fn title_list_puts_the_cartridge_first_then_sd_titles_by_name() {
    let mut h = Harness::new();
    assert_eq!(h.ui.screen(), ScreenKind::Titles);
    let texts = h.frame.texts(Screen::Bottom);
    let names: Vec<&str> = texts
        .iter()
        .copied()
        .filter(|t| ["Zelda", "SONIC RUSH", "animal crossing", "Mario Kart 7"].contains(t))
        .collect();
    assert_eq!(
        names,
        ["SONIC RUSH", "animal crossing", "Mario Kart 7", "Zelda"]
    );
    assert!(texts.contains(&"NDS CARD"), "the cartridge has its badge");
    assert_eq!(h.highlighted(), ["SONIC RUSH"]);
    // Details of the selection on the top screen.
    let top = h.frame.texts(Screen::Top);
    for expected in [
        "SONIC RUSH",
        "Game code",
        "ASCE",
        "EEPROM 8 KiB",
        "NDS cartridge in the slot",
    ] {
        assert!(top.contains(&expected), "{expected} missing from {top:?}");
    }
    // The cartridge is selected: Y exports its save, and a button does.
    assert_eq!(
        h.help(),
        "A open L+A backup Y export SELECT settings START exit"
    );
    assert_eq!(
        h.buttons(),
        ["Open", "Backup", "Export", "Settings", "Exit"]
    );
    h.press(Buttons::DOWN);
    assert_eq!(
        h.help(),
        "A open L+A backup X star SELECT settings START exit"
    );
    assert_eq!(h.buttons(), ["Open", "Backup", "Star", "Settings", "Exit"]);
}

#[test]
fn the_d_pad_moves_wraps_and_repeats_and_touch_selects() {
    let mut h = Harness::new();
    h.press(Buttons::DOWN);
    assert_eq!(h.highlighted(), ["animal crossing"]);
    assert!(h.frame.texts(Screen::Top).contains(&"animal crossing"));
    h.press(Buttons::UP);
    h.press(Buttons::UP);
    assert_eq!(
        h.highlighted(),
        ["Zelda"],
        "up from the first row wraps to the last"
    );
    // Holding DOWN: one move on the press, then repeats after a delay.
    h.input(FrameInput::press(Buttons::DOWN));
    assert_eq!(h.highlighted(), ["SONIC RUSH"]);
    for _ in 0..17 {
        h.input(FrameInput::hold(Buttons::DOWN));
    }
    assert_eq!(
        h.highlighted(),
        ["SONIC RUSH"],
        "no repeat before the delay"
    );
    h.input(FrameInput::hold(Buttons::DOWN));
    assert_eq!(h.highlighted(), ["animal crossing"]);
    h.idle();
    // A tap selects a row; a tap on the selected row opens it.
    h.tap_row(3);
    assert_eq!(h.highlighted(), ["Zelda"]);
    h.tap_row(3);
    assert_eq!(h.ui.screen(), ScreenKind::Backups);
}

#[test]
fn backup_list_shows_new_backup_first_then_newest_first() {
    let mut h = Harness::new();
    h.press(Buttons::A);
    assert_eq!(h.ui.screen(), ScreenKind::Backups);
    let texts = h.frame.texts(Screen::Bottom);
    let rows: Vec<&str> = texts
        .iter()
        .copied()
        .filter(|t| *t == "+ New backup" || t.starts_with("2026") || *t == "wrong-game")
        .collect();
    assert_eq!(
        rows,
        [
            "+ New backup",
            "20261120-120000",
            "wrong-game",
            "20261101-120000"
        ]
    );
    assert!(texts.contains(&"Checkpoint") && texts.contains(&"Keepsake"));
    // The row says "imported"; the details say from what.
    assert!(texts.contains(&"imported"));
    assert!(texts.contains(&"8 KiB"));
    assert_eq!(h.highlighted(), ["+ New backup"]);
    // On "New backup" Y names one; on a backup it exports that one.
    assert_eq!(h.help(), "A backup  Y name  B back");
    assert_eq!(h.buttons(), ["Backup", "Name", "Back"]);
    h.press(Buttons::DOWN);
    assert!(h.frame.texts(Screen::Top).contains(&"20261120-120000"));
    assert!(h.frame.texts(Screen::Top).contains(&"Keepsake"));
    assert_eq!(
        h.help(),
        "L+A backup  R+A restore  Y export  X delete  B back"
    );
    assert_eq!(
        h.buttons(),
        ["Backup", "Restore", "Export", "Delete", "Back"]
    );
    h.press(Buttons::UP);
    assert_eq!(h.help(), "A backup  Y name  B back");
    h.press(Buttons::B);
    assert_eq!(h.ui.screen(), ScreenKind::Titles);
}

#[test]
fn hold_l_and_press_a_backs_up_with_progress_then_a_result() {
    let mut h = Harness::new();
    h.hold_and_press(Buttons::L, Buttons::A);
    assert_eq!(h.model.log, ["backup ASCE None"]);
    assert_eq!(h.ui.screen(), ScreenKind::Job);
    assert!(h.frame.shows("Backing up SONIC RUSH"));
    let bars = h.frame.progress_bars(Screen::Top);
    assert_eq!(bars.len(), 1);
    assert!(bars[0].0 > 0 && bars[0].0 < bars[0].1, "{bars:?}");
    assert!(!h.frame.shows("items"));
    assert!(h.frame.shows("KiB of 8 KiB"));
    h.run_job_to_end();
    assert!(h.frame.shows("Backed up"));
    assert_eq!(h.frame.texts(Screen::Top)[0], "SONIC RUSH");
    h.press(Buttons::A);
    assert_eq!(
        h.ui.screen(),
        ScreenKind::Titles,
        "a backup from the title list returns there"
    );
}

#[test]
fn plain_a_on_a_backup_only_explains_how_to_restore() {
    let mut h = Harness::new();
    h.press(Buttons::A);
    h.press(Buttons::DOWN);
    h.press(Buttons::A);
    assert_eq!(h.ui.screen(), ScreenKind::Backups);
    assert!(h.frame.shows("Hold R and press A to restore this backup."));
    assert!(h.model.log.is_empty());
}

#[test]
fn y_on_new_backup_asks_for_a_name() {
    let mut h = Harness::new();
    h.press(Buttons::A);
    h.press(Buttons::Y);
    assert_eq!(h.model.log, ["backup ASCE Some(\"before boss\")"]);
    h.run_job_to_end();
    h.press(Buttons::A);
    assert_eq!(
        h.ui.screen(),
        ScreenKind::Backups,
        "back to the title's backups"
    );

    // A cancelled keyboard makes no backup.
    h.model.typed_name = None;
    h.press(Buttons::Y);
    assert_eq!(h.model.log.len(), 1);
    assert!(h.frame.shows("No name typed"));
    // Y on an existing backup asks where to export it (this model cannot
    // export, and the question says so); B goes back untouched.
    h.press(Buttons::DOWN);
    h.press(Buttons::Y);
    assert_eq!(h.ui.screen(), ScreenKind::Confirm);
    assert!(h.frame.shows("Export this save?"));
    assert!(h.frame.shows("This console cannot export saves."));
    h.press(Buttons::B);
    assert_eq!(h.ui.screen(), ScreenKind::Backups);
    assert_eq!(h.model.log.len(), 1);
}

#[test]
fn holding_b_cancels_a_backup_but_a_short_press_does_not() {
    let mut h = Harness::new();
    h.model.job = None;
    h.hold_and_press(Buttons::L, Buttons::A);
    // Make the job long enough to hold B through it.
    h.model.job = Some((JobKind::Backup, 0, 1000));
    h.press(Buttons::B);
    assert_eq!(h.ui.screen(), ScreenKind::Job, "a tap of B does not cancel");
    h.input(FrameInput::press(Buttons::B));
    for _ in 1..CANCEL_HOLD_FRAMES - 1 {
        h.input(FrameInput::hold(Buttons::B));
    }
    assert!(h.frame.shows("Keep holding to cancel"));
    assert!(!h.model.log.contains(&"cancel".to_string()));
    h.input(FrameInput::hold(Buttons::B));
    assert_eq!(h.model.log.last().unwrap(), "cancel");
    assert_eq!(h.ui.screen(), ScreenKind::Result);
    assert!(h.frame.shows("Backup cancelled"));
}

#[test]
fn r_and_a_restores_after_a_confirmation_that_names_what_is_overwritten() {
    let mut h = Harness::new();
    h.press(Buttons::A);
    h.press(Buttons::DOWN);
    h.hold_and_press(Buttons::R, Buttons::A);
    assert_eq!(h.ui.screen(), ScreenKind::Confirm);
    assert!(h.frame.shows("Restore this backup?"));
    assert!(
        h.all_text()
            .contains("This overwrites the save on the cartridge SONIC RUSH (EEPROM 8 KiB).")
    );
    assert!(h.frame.shows("First, the current save is backed up to"));
    assert!(h.all_text().contains("20261122-000000 automatic"));
    assert_eq!(h.help(), "A restore  B cancel");
    assert_eq!(h.buttons(), ["Restore", "Cancel"]);
    // Below, beside the buttons: what matters for the answer.
    let bottom = h.frame.texts(Screen::Bottom);
    for expected in [
        "20261120-120000",
        "2026-11-20 12:00:00",
        "8 KiB",
        "SONIC RUSH, EEPROM 8 KiB",
        "20261122-000000 automatic",
    ] {
        assert!(bottom.contains(&expected), "{expected} not in {bottom:?}");
    }
    // B says no and changes nothing.
    h.press(Buttons::B);
    assert_eq!(h.ui.screen(), ScreenKind::Backups);
    assert!(h.frame.shows("Cancelled: nothing was changed."));
    assert_eq!(h.model.log, ["plan ASCE 20261120-120000"]);
    // Again, and A says yes.
    h.hold_and_press(Buttons::R, Buttons::A);
    h.press(Buttons::A);
    assert!(
        h.model
            .log
            .contains(&"restore ASCE 20261120-120000".to_string())
    );
    assert_eq!(h.ui.screen(), ScreenKind::Job);
    assert!(h.ui.restore_running());
    assert!(h.frame.shows("Restoring SONIC RUSH"));
    assert!(h.frame.shows("Do not take the cartridge out"));
    h.run_job_to_end();
    assert!(h.frame.shows("Restored and verified"));
    assert!(!h.ui.restore_running());
}

#[test]
fn a_restore_cannot_be_cancelled_nor_exited() {
    let mut h = Harness::new();
    h.press(Buttons::A);
    h.press(Buttons::DOWN);
    h.hold_and_press(Buttons::R, Buttons::A);
    h.model.job = None;
    h.press(Buttons::A);
    h.model.job = Some((JobKind::Restore, 0, 1000));
    assert_eq!(
        h.press(Buttons::START),
        Signal::Continue,
        "START is refused during a restore"
    );
    assert!(
        h.frame
            .shows("Restoring: Keepsake can exit once it is done.")
    );
    for _ in 0..CANCEL_HOLD_FRAMES + 5 {
        h.input(FrameInput::hold(Buttons::B));
    }
    assert_eq!(h.ui.screen(), ScreenKind::Job);
    assert!(h.model.job.is_some(), "the restore keeps running");
    assert!(
        h.frame
            .texts(Screen::Bottom)
            .iter()
            .all(|t| !t.contains("cancel"))
    );
}

#[test]
fn a_backup_of_another_game_is_refused_before_anything_is_written() {
    let mut h = Harness::new();
    h.press(Buttons::A);
    h.press(Buttons::DOWN);
    h.press(Buttons::DOWN);
    assert!(h.frame.texts(Screen::Top).contains(&"wrong-game"));
    h.hold_and_press(Buttons::R, Buttons::A);
    assert_eq!(h.ui.screen(), ScreenKind::Result);
    assert!(h.frame.shows("This backup cannot be restored"));
    assert!(h.frame.shows("belongs to the game ACBE, not to ASCE"));
    assert!(h.frame.shows("What to do"));
    assert!(h.frame.shows("Choose a backup of this game."));
    assert_eq!(h.frame.texts(Screen::Top)[0], "SONIC RUSH");
    assert!(!h.model.log.iter().any(|l| l.starts_with("restore")));
    h.press(Buttons::B);
    assert_eq!(h.ui.screen(), ScreenKind::Backups);
}

#[test]
fn a_card_pulled_during_a_restore_ends_in_a_result_that_says_what_to_do() {
    let mut h = Harness::new();
    h.model.pull_card_at_step = Some(2);
    h.press(Buttons::A);
    h.press(Buttons::DOWN);
    h.hold_and_press(Buttons::R, Buttons::A);
    h.press(Buttons::A);
    h.run_job_to_end();
    assert!(
        h.all_text()
            .contains("The cartridge was taken out during the restore")
    );
    assert!(h.all_text().contains("restore the automatic backup"));
    assert!(h.frame.shows("No cartridge"));
    h.press(Buttons::A);
    // The title is gone: back to the titles, which no longer list it.
    assert_eq!(h.ui.screen(), ScreenKind::Titles);
    assert!(!h.frame.shows("SONIC RUSH"));
    assert_eq!(h.highlighted(), ["animal crossing"]);
}

#[test]
fn the_list_follows_a_cartridge_taken_out_and_put_back() {
    let mut h = Harness::new();
    h.press(Buttons::DOWN); // animal crossing
    let cartridge = h.model.titles[1].clone();
    h.model.pull_cartridge();
    h.idle();
    assert!(!h.frame.shows("SONIC RUSH"));
    assert!(h.frame.shows("No cartridge"));
    assert_eq!(
        h.highlighted(),
        ["animal crossing"],
        "the selection stays on its title"
    );
    h.model.titles.push(cartridge);
    h.model.generation += 1;
    h.idle();
    assert_eq!(h.frame.texts(Screen::Bottom)[2], "NDS CARD");
    assert!(h.frame.shows("Cartridge: SONIC RUSH"));
    assert_eq!(h.highlighted(), ["animal crossing"]);

    // Pulled out while its backups are shown: back to the titles.
    h.press(Buttons::UP);
    h.press(Buttons::A);
    assert_eq!(h.ui.screen(), ScreenKind::Backups);
    h.model.pull_cartridge();
    h.idle();
    assert_eq!(h.ui.screen(), ScreenKind::Titles);
    assert!(
        h.frame
            .shows("The cartridge was taken out. Nothing was changed.")
    );
}

#[test]
fn x_deletes_a_backup_after_confirmation() {
    let mut h = Harness::new();
    h.press(Buttons::A);
    h.press(Buttons::X);
    assert!(h.frame.shows("Choose a backup to delete first."));
    h.press(Buttons::DOWN);
    h.press(Buttons::X);
    assert_eq!(h.ui.screen(), ScreenKind::Confirm);
    assert!(
        h.frame
            .shows("\"20261120-120000\" will be deleted from the SD card.")
    );
    assert!(h.frame.shows("This cannot be undone."));
    h.press(Buttons::A);
    assert_eq!(h.model.log, ["delete ASCE 20261120-120000"]);
    assert_eq!(h.ui.screen(), ScreenKind::Backups);
    assert!(h.frame.shows("Deleted \"20261120-120000\"."));
    assert!(!h.frame.texts(Screen::Bottom).contains(&"20261120-120000"));
    assert_eq!(
        h.highlighted().first().map(String::as_str),
        Some("wrong-game")
    );
}

#[test]
fn select_opens_settings_which_change_and_save_on_b() {
    let mut h = Harness::new();
    h.press(Buttons::SELECT);
    assert_eq!(h.ui.screen(), ScreenKind::Settings);
    assert_eq!(h.highlighted(), ["New backups", "/3ds/Checkpoint/saves"]);
    h.press(Buttons::A);
    assert_eq!(h.highlighted(), ["New backups", "/3ds/Keepsake/saves"]);
    h.press(Buttons::DOWN);
    assert_eq!(h.highlighted(), ["Restores", "ask before every restore"]);
    h.press(Buttons::RIGHT);
    assert_eq!(h.highlighted(), ["Restores", "start without asking"]);
    assert_eq!(h.help(), "Up/Down choose  A change  B save & back");
    assert_eq!(h.buttons(), ["Change", "Save & back"]);
    assert!(h.model.log.is_empty(), "nothing is saved before leaving");
    h.press(Buttons::B);
    assert_eq!(h.model.log, ["settings saved"]);
    assert_eq!(h.model.settings.backup_root, 1);
    assert!(!h.model.settings.confirm_restores);
    assert_eq!(h.ui.screen(), ScreenKind::Titles);

    // Without confirmation a restore starts at once, still validated.
    h.press(Buttons::A);
    h.press(Buttons::DOWN);
    h.hold_and_press(Buttons::R, Buttons::A);
    assert_eq!(h.ui.screen(), ScreenKind::Job);
    assert_eq!(
        h.model.log[1..],
        [
            "plan ASCE 20261120-120000",
            "plan ASCE 20261120-120000",
            "restore ASCE 20261120-120000"
        ]
    );
}

/// The theme row shows the theme it names at once (both screens), and the
/// lists keep it once it is saved with B; leaving without saving is not
/// possible, so a refused save leaves the theme as it was.
#[test]
fn the_theme_setting_changes_both_screens_and_is_saved_on_b() {
    let mut h = Harness::new();
    assert_eq!(h.frame.theme, Theme::Dark);
    h.press(Buttons::SELECT);
    // The theme row, third from last.
    h.press(Buttons::UP);
    h.press(Buttons::UP);
    h.press(Buttons::UP);
    assert_eq!(h.highlighted(), ["Theme", "Dark"]);
    h.press(Buttons::A);
    assert_eq!(h.highlighted(), ["Theme", "Light"]);
    assert_eq!(h.frame.theme, Theme::Light, "seen before it is saved");
    assert_eq!(h.model.settings.theme, Theme::Dark, "not saved yet");
    h.press(Buttons::B);
    assert_eq!(h.model.settings.theme, Theme::Light);
    assert_eq!(h.ui.screen(), ScreenKind::Titles);
    assert_eq!(h.frame.theme, Theme::Light);
    // Left steps back the other way.
    h.press(Buttons::SELECT);
    h.press(Buttons::UP);
    h.press(Buttons::UP);
    h.press(Buttons::UP);
    h.press(Buttons::LEFT);
    assert_eq!(h.highlighted(), ["Theme", "Dark"]);
    assert_eq!(h.frame.theme, Theme::Dark);
}

/// Whichever row is selected, the settings' top screen says all of what
/// it does and all of the note under it: nothing cut off the foot.
#[test]
fn every_settings_row_leaves_room_for_its_words_and_the_note() {
    let mut h = Harness::new();
    h.press(Buttons::SELECT);
    for _ in 0..super::settings::SETTINGS_ROWS {
        let top = h.frame.texts(Screen::Top).join(" ");
        // The note's last words: the System data row has its own.
        assert!(
            top.ends_with("Checkpoint and Keepsake restore each other's backups.")
                || top.ends_with("to JKSM's: each app restores the other's."),
            "{top}"
        );
        h.press(Buttons::DOWN);
    }
}

#[test]
fn start_exits_from_the_lists_and_during_a_backup_asks_to_cancel_first() {
    let mut h = Harness::new();
    assert_eq!(h.press(Buttons::START), Signal::Exit);
    h.press(Buttons::A);
    assert_eq!(h.press(Buttons::START), Signal::Exit);
    h.hold_and_press(Buttons::L, Buttons::A);
    // A backup long enough to still run when START has been pressed.
    h.model.job = Some((JobKind::Backup, 0, 1000));
    assert_eq!(h.press(Buttons::START), Signal::Continue);
    assert!(h.frame.shows("Hold B to cancel the backup first"));
}

#[test]
fn every_action_is_reachable_by_touch() {
    let mut h = Harness::new();
    // Titles: Settings, then back.
    h.tap_button("Settings");
    assert_eq!(h.ui.screen(), ScreenKind::Settings);
    h.tap_row(1);
    assert_eq!(h.highlighted(), ["Restores", "ask before every restore"]);
    h.tap_row(1);
    assert_eq!(h.highlighted(), ["Restores", "start without asking"]);
    h.tap_button("Change");
    assert_eq!(h.highlighted(), ["Restores", "ask before every restore"]);
    h.tap_button("Save & back");
    assert_eq!(h.model.log, ["settings saved"]);
    // Backup from the title list.
    h.tap_button("Backup");
    h.run_job_to_end();
    h.tap_button("Continue");
    // Open, named backup, restore, delete, back.
    h.tap_button("Open");
    assert_eq!(h.ui.screen(), ScreenKind::Backups);
    h.tap_button("Name");
    assert_eq!(
        h.model.log.last().unwrap(),
        "backup ASCE Some(\"before boss\")"
    );
    h.run_job_to_end();
    h.tap_button("Continue");
    h.tap_row(1);
    assert_eq!(
        h.highlighted().first().map(String::as_str),
        Some("20261120-120000")
    );
    h.tap_button("Restore");
    assert_eq!(h.ui.screen(), ScreenKind::Confirm);
    h.tap_button("Cancel");
    assert_eq!(h.ui.screen(), ScreenKind::Backups);
    // Export, as Y on a backup of an NDS game: the question, then back.
    h.tap_button("Export");
    assert!(h.frame.shows("Export this save?"));
    h.tap_button("Cancel");
    assert_eq!(h.ui.screen(), ScreenKind::Backups);
    h.tap_button("Delete");
    h.tap_button("Delete");
    assert_eq!(h.model.log.last().unwrap(), "delete ASCE 20261120-120000");
    h.tap_button("Back");
    assert_eq!(h.ui.screen(), ScreenKind::Titles);
    // Export, as Y on the NDS cartridge.
    h.tap_button("Export");
    assert!(h.frame.shows("Export the cartridge's save?"));
    h.tap_button("Cancel");
    assert_eq!(h.ui.screen(), ScreenKind::Titles);
    // Holding the cancel button cancels a backup.
    h.tap_button("Backup");
    h.model.job = Some((JobKind::Backup, 0, 1000));
    let (x, w) = button_span(0, 1);
    for _ in 0..CANCEL_HOLD_FRAMES {
        h.input(FrameInput::touch(x + w / 2, BUTTON_BAR_TOP + 4));
    }
    assert_eq!(h.model.log.last().unwrap(), "cancel");
    assert!(h.frame.shows("Backup cancelled"));
    h.idle(); // the finger is lifted
    h.tap_button("Continue");
    assert_eq!(h.tap_button("Exit"), Signal::Exit);
}

#[test]
fn a_long_list_scrolls_to_keep_the_selection_visible() {
    let mut h = Harness::new();
    h.model.titles = (0..300)
        .map(|i| {
            title(
                &format!("{i:016X}"),
                &format!("Title {i:03}"),
                TitleSource::SdCard,
            )
        })
        .collect();
    h.model.generation += 1;
    h.idle();
    assert!(h.frame.shows("Title 007") && !h.frame.shows("Title 008"));
    h.press(Buttons::RIGHT);
    assert_eq!(h.highlighted(), ["Title 008"]);
    h.press(Buttons::UP);
    h.press(Buttons::UP);
    h.press(Buttons::UP);
    for _ in 0..9 {
        h.press(Buttons::UP);
    }
    assert_eq!(h.highlighted(), ["Title 296"], "wrapped to the end");
    assert!(h.frame.shows("Title 299") && !h.frame.shows("Title 291"));
    assert_eq!(h.frame.texts(Screen::Bottom)[0], "R: All titles (300)");
    assert_eq!(theme::VISIBLE_ROWS, 8);
}

#[test]
fn random_input_never_panics_and_keeps_the_display_list_sane() {
    use keepsake_testkit::rand::Rng;
    let mut rng = keepsake_testkit::rng::for_test("ui::random_input_never_panics");
    for _round in 0..20 {
        let mut h = Harness::new();
        for _ in 0..500 {
            let mut input = FrameInput::IDLE;
            for (_, button) in Buttons::NAMED {
                if button != Buttons::START && rng.random_bool(0.08) {
                    input.held |= button;
                    if rng.random_bool(0.7) {
                        input.pressed |= button;
                    }
                }
            }
            if rng.random_bool(0.1) {
                input.touch = Some(super::input::Touch {
                    x: rng.random_range(0..330),
                    y: rng.random_range(0..250),
                });
            }
            if rng.random_bool(0.01) {
                h.model.pull_cartridge();
            }
            h.input(input);
            assert!(h.help().len() > 5, "a help line on every screen");
            assert!(h.frame.top.len() > 2 && h.frame.bottom.len() > 2);
            if h.ui.screen() == ScreenKind::Titles || h.ui.screen() == ScreenKind::Backups {
                let highlighted_rows = h
                    .frame
                    .bottom
                    .iter()
                    .filter(
                        |c| matches!(c, super::DrawCmd::Rect { color, .. } if *color == Role::Highlight),
                    )
                    .count();
                assert_eq!(highlighted_rows, 1, "exactly one row highlighted");
            }
        }
    }
}

#[test]
fn names_sort_naturally() {
    use super::state::natural_cmp;
    let mut names = vec!["Game 10", "game 2", "Game 1", "Alpha", "Game 02b", "zeta"];
    names.sort_by(|a, b| natural_cmp(a, b));
    assert_eq!(
        names,
        ["Alpha", "Game 1", "game 2", "Game 02b", "Game 10", "zeta"]
    );
}

#[test]
fn natural_order_handles_prefixes_zeros_and_accents() {
    use super::state::natural_cmp;
    use std::cmp::Ordering::{Equal, Greater, Less};
    assert_eq!(natural_cmp("Game", "Game 2"), Less);
    assert_eq!(natural_cmp("Game 2", "Game"), Greater);
    assert_eq!(natural_cmp("", ""), Equal);
    assert_eq!(natural_cmp("", "a"), Less);
    // Leading zeros do not change a number's value.
    assert_eq!(natural_cmp("Game 007", "Game 7"), Equal);
    assert_eq!(natural_cmp("Game 9", "Game 0010"), Less);
    // Case is ignored for non-ASCII letters too; digits sort before letters.
    assert_eq!(natural_cmp("Émile", "émile"), Equal);
    assert_eq!(natural_cmp("2 Fast", "A Game"), Less);
    assert_eq!(natural_cmp("ポケモン", "ポケモン 2"), Less);
}

/// Issue 14, item 1: a message belongs to the screen it was said on.
#[test]
fn a_message_goes_with_the_screen_it_describes() {
    // START during a restore, then the card pulled: the result and the
    // list after it do not say "Keepsake can exit once it is done".
    let mut h = Harness::new();
    h.press(Buttons::A);
    h.press(Buttons::DOWN);
    h.hold_and_press(Buttons::R, Buttons::A);
    h.press(Buttons::A);
    // The restore runs on; the card goes at its third step from here.
    h.model.job = Some((JobKind::Restore, 0, 1000));
    h.model.pull_card_at_step = Some(3);
    h.press(Buttons::START);
    assert!(h.frame.shows("Keepsake can exit once it is done"));
    h.run_job_to_end();
    assert!(h.all_text().contains("taken out during the restore"));
    assert!(!h.frame.shows("Keepsake can exit once it is done"));
    h.press(Buttons::A);
    assert_eq!(h.ui.screen(), ScreenKind::Titles);
    assert!(!h.frame.shows("Keepsake can exit once it is done"));

    // A cancelled question, then a restore: the job screen does not say
    // "nothing was changed".
    let mut h = Harness::new();
    h.press(Buttons::A);
    h.press(Buttons::DOWN);
    h.hold_and_press(Buttons::R, Buttons::A);
    h.press(Buttons::B);
    assert!(h.frame.shows("Cancelled: nothing was changed."));
    h.hold_and_press(Buttons::R, Buttons::A);
    assert!(!h.frame.shows("Cancelled"));
    h.press(Buttons::A);
    assert_eq!(h.ui.screen(), ScreenKind::Job);
    assert!(!h.frame.shows("Cancelled"));

    // No name typed, then a plain backup: its result does not say "no
    // backup made".
    let mut h = Harness::new();
    h.model.typed_name = None;
    h.press(Buttons::A);
    h.press(Buttons::Y);
    assert!(h.frame.shows("No name typed: no backup made."));
    h.press(Buttons::A);
    assert!(!h.frame.shows("no backup made"));
    h.run_job_to_end();
    assert!(h.frame.shows("Backed up"));
    assert!(!h.frame.shows("no backup made"));
}

/// The label/value pairs of the top screen: a label at the left in grey,
/// its value beside it on the same line.
fn top_fields(frame: &Frame) -> Vec<(String, String)> {
    let texts = frame.texts_placed(Screen::Top);
    texts
        .iter()
        .filter(|t| t.x == 16 && t.color == Role::DimText)
        .filter_map(|label| {
            let value = texts.iter().find(|v| v.y == label.y && v.x > label.x)?;
            Some((label.text.to_string(), value.text.to_string()))
        })
        .collect()
}

/// The texts of each row of the bottom screen's list, top to bottom.
fn bottom_rows(frame: &Frame) -> Vec<Vec<String>> {
    let mut rows: Vec<Vec<String>> = Vec::new();
    for t in frame.texts_placed(Screen::Bottom) {
        let y = t.y as u16;
        if !(LIST_TOP..BUTTON_BAR_TOP).contains(&y) {
            continue;
        }
        let row = usize::from((y - LIST_TOP) / ROW_HEIGHT);
        rows.resize(rows.len().max(row + 1), Vec::new());
        rows[row].push(t.text.to_string());
    }
    rows
}

/// Issue 14, item 9: every setting the top screen shows is a row of the
/// bottom one in the same words, and touching that row changes it there
/// and on top (the last row starts the search it names).
#[test]
fn every_setting_shown_on_top_is_a_bottom_row_in_the_same_words_changed_by_touch() {
    let mut h = Harness::new();
    h.tap_button("Settings");
    assert_eq!(h.ui.screen(), ScreenKind::Settings);
    let fields = top_fields(&h.frame);
    let rows = bottom_rows(&h.frame);
    assert_eq!(
        fields
            .iter()
            .map(|(l, v)| vec![l.clone(), v.clone()])
            .collect::<Vec<_>>(),
        rows,
        "the top's settings and the bottom's rows"
    );
    // Hand-written: what the scripted model's settings read as.
    assert_eq!(
        fields,
        [
            (
                "New backups".to_string(),
                "/3ds/Checkpoint/saves".to_string()
            ),
            ("Restores".into(), "ask before every restore".into()),
            ("Find saves".into(), "look on the SD card now".into()),
            ("Theme".into(), "Dark".into()),
            ("System data".into(), "not listed".into()),
            ("DSiWare".into(), "not shown".into()),
        ]
    );
    // From the second row, so that each is selected before it is tapped.
    for row in [1, 0, 3, 2] {
        let (label, before) = &fields[row];
        // The first tap selects the row, the second changes it.
        h.tap_row(row as u16);
        assert_eq!(&h.highlighted(), &[label.clone(), before.clone()]);
        h.tap_row(row as u16);
        if label == "Find saves" {
            // The scripted model cannot search: the search was asked for.
            assert_eq!(h.ui.screen(), ScreenKind::Result);
            assert!(h.frame.shows("The search could not start"));
            continue;
        }
        let after = top_fields(&h.frame);
        let (_, now) = after.iter().find(|(l, _)| l == label).unwrap();
        assert_ne!(now, before, "{label} did not change");
        assert_eq!(bottom_rows(&h.frame)[row], [label.clone(), now.clone()]);
        // The Change button changes it back.
        h.tap_button("Change");
        assert_eq!(&top_fields(&h.frame)[row], &(label.clone(), before.clone()));
    }
}

/// Exporting by touch: the Export button on a backup asks, the bottom says
/// what is exported and why it cannot be (this model cannot export), and
/// "Other form" changes the form as Left/Right do.
#[test]
fn an_export_is_asked_and_its_form_changed_by_touch() {
    let mut h = Harness::new();
    h.tap_button("Open");
    h.tap_row(1);
    h.tap_button("Export");
    assert_eq!(h.ui.screen(), ScreenKind::Confirm);
    assert_eq!(h.buttons(), ["Other form", "Try", "Cancel"]);
    assert_eq!(h.help(), "Left/Right other form  A try  B cancel");
    let bottom = h.frame.texts(Screen::Bottom);
    for expected in [
        "20261120-120000",
        "a 512 KiB flashcart .sav",
        "Not possible",
        "This console cannot export",
    ] {
        assert!(bottom.contains(&expected), "{expected} not in {bottom:?}");
    }
    h.tap_button("Other form");
    assert!(h.frame.texts(Screen::Bottom).contains(&"a DeSmuME .dsv"));
    h.press(Buttons::LEFT);
    assert!(
        h.frame
            .texts(Screen::Bottom)
            .contains(&"a 512 KiB flashcart .sav")
    );
    h.tap_button("Cancel");
    assert_eq!(h.ui.screen(), ScreenKind::Backups);
}
