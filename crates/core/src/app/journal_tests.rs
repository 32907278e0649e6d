//! A restore that does not finish, through the screens and the app model on
//! the simulated console: the POWER button during the write phase, the power
//! lost at every write of an NDS restore, a 3DS restore and an erase, and
//! what the next start shows and puts back. Every expected save is the
//! bytes the test put on the card, never one the code computed.

use super::console_model::ConsoleModel;
use super::demo::{self, put_nds_backup, sample_save};
use crate::app::SystemEvents;
use crate::jobs::{NdsRestoreJob, Step};
use crate::nds_card::identify;
use crate::platform::sd::join;
use crate::platform::{ArchiveId, ArchiveKind, Console, MediaType, SdCard};
use crate::sim::{MemTree, SimChip, SimConsole};
use crate::store::journal::JOURNAL_PATH;
use crate::ui::AppModel;
use crate::ui::display::{Frame, Screen};
use crate::ui::input::{Buttons, FrameInput};
use crate::ui::keyboard::QueuedKeyboard;
use crate::ui::state::{ScreenKind, Ui};

const TITLE: &str = "MOSS KNIGHT";
const CODE: &str = "AMKE";
const FOLDER: &str = "/3ds/Checkpoint/saves/AMKE MOSS KNIGHT";
/// The automatic backup every first restore makes at the demo clock.
const AUTO: &str = "/3ds/Checkpoint/saves/AMKE MOSS KNIGHT/20261121-180400-auto";

/// How the main loop treats the system, as `console/src/main.rs` does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Loop {
    /// Calls `aptMainLoop` only when the model allows it (the fix).
    HoldsWhileWriting,
    /// Calls `aptMainLoop` every frame, as the app did before.
    AlwaysCallsApt,
}

/// The app as the console runs it: the main loop's hand-over to APT, then
/// one UI frame.
struct App {
    ui: Ui,
    model: ConsoleModel<SimConsole>,
    frame: Frame,
    main_loop: Loop,
    ended: bool,
}

impl App {
    fn start(console: SimConsole) -> Self {
        Self::start_with(console, Loop::HoldsWhileWriting)
    }

    fn start_with(console: SimConsole, main_loop: Loop) -> Self {
        let mut app = Self {
            ui: Ui::new(),
            model: ConsoleModel::new(console, Box::new(QueuedKeyboard::new())),
            frame: Frame::default(),
            main_loop,
            ended: false,
        };
        app.idle();
        app
    }

    /// One iteration of the console's main loop.
    fn input(&mut self, input: FrameInput) {
        assert!(!self.ended, "the app has ended");
        let hand_over = match self.main_loop {
            Loop::HoldsWhileWriting => self.model.system_events() == SystemEvents::Allowed,
            Loop::AlwaysCallsApt => true,
        };
        if hand_over && !self.model.console_mut().power_button.main_loop() {
            self.ended = true;
            return;
        }
        self.ui.frame(&input, &mut self.model, &mut self.frame);
        if let Some(why) = self.frame.help_and_buttons_disagree() {
            panic!("{why}");
        }
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

    /// Frames until the running job ends (or the app does).
    fn finish_job(&mut self) {
        for _ in 0..5000 {
            if self.ended || self.ui.screen() != ScreenKind::Job {
                return;
            }
            self.idle();
        }
        panic!("the job did not end in 5000 frames");
    }

    /// Every text of both screens, a path wrapped after a slash joined
    /// back.
    fn text(&self) -> String {
        let mut texts = self.frame.texts(Screen::Top);
        texts.extend(self.frame.texts(Screen::Bottom));
        texts.join(" ").replace("/ ", "/")
    }

    fn console(&mut self) -> &mut SimConsole {
        self.model.console_mut()
    }

    /// The console switched off and on again.
    fn switch_off(self) -> SimConsole {
        let mut console = self.model.into_console();
        console.power_cycle();
        console
    }
}

fn chip(console: &SimConsole) -> Vec<u8> {
    console.card.nds_chip().unwrap().memory().to_vec()
}

/// An 8 KiB EEPROM cartridge holding `old`, and a backup `wanted` of it.
fn nds_console(old: &[u8], wanted: &[u8]) -> SimConsole {
    let mut console = demo::empty_console();
    console.card.insert(demo::nds_cartridge(
        TITLE,
        CODE,
        SimChip::eeprom(0x2000, old),
        280,
    ));
    put_nds_backup(&mut console, CODE, TITLE, "wanted", None, wanted);
    console
}

/// From the title list to the confirmed restore of the only backup.
fn confirm_restore(app: &mut App) {
    app.press(Buttons::A);
    app.press(Buttons::DOWN);
    app.combo(Buttons::R, Buttons::A);
    assert_eq!(app.ui.screen(), ScreenKind::Confirm, "{}", app.text());
}

/// The old save and a new one that differs from it in eight pages.
fn saves() -> (Vec<u8>, Vec<u8>) {
    let old = sample_save(0x2000, 0x1800, 5);
    let mut new = old.clone();
    for page in [0, 9, 40, 41, 100, 150, 200, 255] {
        new[page * 32 + 7] ^= 0x3C;
    }
    (old, new)
}

#[test]
fn power_pressed_during_the_write_phase_waits_until_the_card_is_read_back() {
    let (old, new) = saves();
    // Frames of an uninterrupted restore, from the confirming press on.
    let mut app = App::start(nds_console(&old, &new));
    confirm_restore(&mut app);
    let mut frames = 0;
    app.input(FrameInput::press(Buttons::A));
    while app.ui.screen() == ScreenKind::Job {
        app.idle();
        frames += 1;
    }
    assert_eq!(chip(app.console()), new);

    let mut torn_before_the_fix = 0;
    for main_loop in [Loop::AlwaysCallsApt, Loop::HoldsWhileWriting] {
        for press_at in 0..=frames + 1 {
            let mut app = App::start_with(nds_console(&old, &new), main_loop);
            confirm_restore(&mut app);
            app.input(FrameInput::press(Buttons::A));
            for frame in 0..frames + 4 {
                if frame == press_at {
                    app.console().power_button.press();
                }
                if app.ended {
                    break;
                }
                app.idle();
            }
            assert!(app.ended, "{press_at}: the press is delivered in the end");
            let console = app.switch_off();
            let now = chip(&console);
            if now != old && now != new {
                assert_eq!(
                    main_loop,
                    Loop::AlwaysCallsApt,
                    "POWER at frame {press_at} tore the chip"
                );
                torn_before_the_fix += 1;
                continue;
            }
            // Whole; with the fix, a whole new save leaves no journal.
            if now == new && main_loop == Loop::HoldsWhileWriting {
                let journal = console.sd.tree().kind_of(JOURNAL_PATH).unwrap();
                assert_eq!(journal, None, "{press_at}");
            }
        }
    }
    // The simulation shows the hazard: with APT called every frame, a
    // press during the page writes ends the app with the chip torn.
    assert!(torn_before_the_fix >= 6, "{torn_before_the_fix}");
}

/// Writes (SD and card) an uninterrupted run of `job_from_confirm` makes.
fn writes_of_a_restore(console: SimConsole, confirm: fn(&mut App)) -> u64 {
    let mut app = App::start(console);
    confirm(&mut app);
    let before = app.console().power.writes();
    app.press(Buttons::A);
    app.finish_job();
    assert!(
        app.text().contains("Restored and verified"),
        "{}",
        app.text()
    );
    app.console().power.writes() - before
}

/// After a cut: the next start shows the unfinished restore naming `auto`
/// when the save may be torn, and putting it back gives `check` its
/// original. Returns whether the screen showed.
fn next_start_puts_it_back(
    console: SimConsole,
    cut: u64,
    auto: &str,
    whole: impl Fn(&mut SimConsole) -> bool,
    original: impl Fn(&mut SimConsole) -> bool,
) -> bool {
    let mut app = App::start(console);
    if app.ui.screen() != ScreenKind::Unfinished {
        assert!(
            whole(app.console()),
            "cut {cut}: a torn save and no journal"
        );
        return false;
    }
    let text = app.text();
    assert!(text.contains("did not finish"), "cut {cut}: {text}");
    assert!(text.contains(auto), "cut {cut}: {text}");
    app.press(Buttons::A);
    assert_eq!(
        app.ui.screen(),
        ScreenKind::Job,
        "cut {cut}: {}",
        app.text()
    );
    app.finish_job();
    let text = app.text();
    assert!(
        text.contains("Put back and verified") || text.contains("Nothing to put back"),
        "cut {cut}: {text}"
    );
    assert!(text.contains(&format!("from {auto}.")), "cut {cut}: {text}");
    assert!(original(app.console()), "cut {cut}: the save as it was");
    assert_eq!(app.console().sd.kind_of(JOURNAL_PATH).unwrap(), None);
    app.press(Buttons::A);
    assert!(
        !app.text().contains("did not finish"),
        "cut {cut}: resolved"
    );
    true
}

#[test]
fn power_lost_at_every_write_of_an_nds_restore_leads_back_to_the_automatic_backup() {
    let (old, new) = saves();
    let total = writes_of_a_restore(nds_console(&old, &new), confirm_restore);
    let mut shown = 0;
    for cut in 1..=total {
        let mut app = App::start(nds_console(&old, &new));
        confirm_restore(&mut app);
        app.console().power.cut_after_writes(cut);
        app.press(Buttons::A);
        app.finish_job();
        let console = app.switch_off();
        let torn = {
            let now = chip(&console);
            now != old && now != new
        };
        let showed = next_start_puts_it_back(
            console,
            cut,
            AUTO,
            |c| {
                let now = chip(c);
                now == old || now == new
            },
            |c| {
                // The automatic backup held the test's bytes, and so does
                // the chip again.
                c.sd.read(&join(AUTO, "MOSS KNIGHT.sav")).unwrap() == old && chip(c) == old
            },
        );
        assert!(showed || !torn, "cut {cut}");
        shown += usize::from(showed);
    }
    // Every cut from the journal's rename to the last page write.
    assert!(shown >= 8, "{shown} of {total}");
}

#[test]
fn power_lost_at_every_write_of_an_erase_leads_back_to_the_automatic_backup() {
    let (old, _) = saves();
    let fresh = || {
        let mut console = nds_console(&old, &old);
        let card = identify(&mut console.card).unwrap();
        (console, card)
    };
    let (mut console, card) = fresh();
    let start = console.power.writes();
    let mut job = NdsRestoreJob::erase(card, FOLDER);
    while let Ok(Step::Working(_)) = job.step(&mut console.devices()) {}
    assert!(chip(&console).iter().all(|&b| b == 0xFF));
    let total = console.power.writes() - start;

    let mut shown = 0;
    for cut in 1..=total {
        let (mut console, card) = fresh();
        console.power.cut_after_writes(cut);
        let mut job = NdsRestoreJob::erase(card, FOLDER);
        while let Ok(Step::Working(_)) = job.step(&mut console.devices()) {}
        console.power_cycle();
        let app = App::start(console);
        if app.ui.screen() == ScreenKind::Unfinished {
            assert!(
                app.text()
                    .contains("Erasing the save of MOSS KNIGHT did not finish"),
                "{}",
                app.text()
            );
        }
        let console = app.switch_off();
        shown += usize::from(next_start_puts_it_back(
            console,
            cut,
            AUTO,
            |c| {
                let now = chip(c);
                now == old || now.iter().all(|&b| b == 0xFF)
            },
            |c| chip(c) == old,
        ));
    }
    assert!(shown >= 1, "{shown} of {total}");
}

fn pocket_garden(archive: ArchiveId, before: &MemTree, wanted: &[u8]) -> SimConsole {
    let mut console = demo::empty_console();
    demo::install_sample_titles(&mut console, 1);
    console.archives.insert(archive, before.clone());
    demo::put_ctr_backup(
        &mut console,
        archive.title_id,
        "Pocket Garden",
        "wanted",
        wanted,
    );
    console
}

fn ctr_before() -> MemTree {
    let mut before = MemTree::new();
    before
        .write("/main", &sample_save(0x800, 0x800, 3))
        .unwrap();
    before.create_dir_all("/slots").unwrap();
    before.write("/slots/one", b"slot one").unwrap();
    before
}

#[test]
fn power_lost_at_every_write_of_a_3ds_restore_leads_back_to_the_automatic_backup() {
    let archive = ArchiveId {
        kind: ArchiveKind::SaveData,
        media: MediaType::Sd,
        title_id: demo::sample_title_id(0),
    };
    let before = ctr_before();
    let wanted = sample_save(0x800, 0x400, 9);
    let auto = "/3ds/Checkpoint/saves/0x01001 Pocket Garden/20261121-180400-auto";
    let confirm = |app: &mut App| {
        app.press(Buttons::A);
        app.press(Buttons::DOWN);
        app.combo(Buttons::R, Buttons::A);
        assert_eq!(app.ui.screen(), ScreenKind::Confirm, "{}", app.text());
    };
    let total = writes_of_a_restore(pocket_garden(archive, &before, &wanted), confirm);
    let mut shown = 0;
    for cut in 1..=total {
        let mut app = App::start(pocket_garden(archive, &before, &wanted));
        confirm(&mut app);
        app.console().power.cut_after_writes(cut);
        app.press(Buttons::A);
        app.finish_job();
        let console = app.switch_off();
        let is_before = |c: &mut SimConsole| c.archives.committed(archive) == Some(&ctr_before());
        shown += usize::from(next_start_puts_it_back(
            console,
            cut,
            auto,
            |c| {
                let restored = c
                    .archives
                    .committed(archive)
                    .unwrap()
                    .files()
                    .keys()
                    .collect::<Vec<_>>()
                    == ["/main"];
                restored || is_before(c)
            },
            is_before,
        ));
    }
    assert!(shown >= 3, "{shown} of {total}");
}

#[test]
fn an_extdata_restore_cut_short_is_put_back_from_its_automatic_backup() {
    // Extdata has no commit: a cut between its deletes leaves it torn.
    let archive = ArchiveId {
        kind: ArchiveKind::ExtData,
        media: MediaType::Sd,
        title_id: demo::sample_title_id(0),
    };
    let before = ctr_before();
    let dir = "/3ds/Checkpoint/extdata/0x01001 Pocket Garden";
    let fresh = || {
        let mut console = pocket_garden(archive, &before, b"");
        console.sd.create_dir_all(&join(dir, "wanted")).unwrap();
        console
            .sd
            .write(&join(dir, "wanted/main"), b"wanted extdata")
            .unwrap();
        console
    };
    let backup = crate::store::BackupEntry {
        name: "wanted".into(),
        path: join(dir, "wanted"),
        source: crate::store::BackupSource::Folder,
    };
    let mut torn_and_put_back = 0;
    for cut in 1..40 {
        let mut console = fresh();
        console.power.cut_after_writes(cut);
        let mut job = crate::jobs::CtrRestoreJob::new(archive, dir, backup.clone());
        let finished = loop {
            match job.step(&mut console.devices()) {
                Ok(Step::Working(_)) => continue,
                Ok(Step::Finished(_)) => break true,
                Err(_) => break false,
            }
        };
        console.power_cycle();
        if finished {
            break;
        }
        let now = console.archives.committed(archive).unwrap();
        let restored =
            now.read("/main").ok() == Some(&b"wanted extdata"[..]) && now.files().len() == 1;
        let torn = now != &before && !restored;
        let mut app = App::start(console);
        if app.ui.screen() != ScreenKind::Unfinished {
            assert!(!torn, "cut {cut}: torn extdata and no journal");
            continue;
        }
        assert!(
            app.text().contains(&join(dir, "20261121-180400-auto")),
            "{}",
            app.text()
        );
        app.press(Buttons::A);
        app.finish_job();
        assert_eq!(
            app.console().archives.committed(archive),
            Some(&before),
            "cut {cut}"
        );
        torn_and_put_back += usize::from(torn);
    }
    assert!(torn_and_put_back >= 2, "{torn_and_put_back}");
}

/// A console whose last restore of MOSS KNIGHT stopped after three pages.
fn interrupted(old: &[u8], new: &[u8]) -> SimConsole {
    let mut app = App::start(nds_console(old, new));
    confirm_restore(&mut app);
    app.input(FrameInput::press(Buttons::A));
    while chip(app.console()) == old {
        app.idle();
    }
    app.idle();
    app.idle();
    app.switch_off()
}

#[test]
fn a_missing_or_damaged_automatic_backup_is_said_plainly_and_not_put_back() {
    let (old, new) = saves();
    let mut console = interrupted(&old, &new);
    let torn = chip(&console);
    assert!(torn != old && torn != new);
    console.sd.remove_dir_all(AUTO).unwrap();
    let mut app = App::start(console);
    assert_eq!(app.ui.screen(), ScreenKind::Unfinished);
    let text = app.text();
    assert!(text.contains("is missing from the SD card"), "{text}");
    assert!(text.contains(AUTO), "{text}");
    assert!(!text.contains("Put back"), "not offered: {text}");
    app.press(Buttons::A);
    assert_eq!(app.ui.screen(), ScreenKind::Unfinished);
    assert!(
        app.text().contains("Keepsake cannot put this save back."),
        "{}",
        app.text()
    );
    assert_eq!(
        app.model.put_back().unwrap_err().reason,
        format!("The automatic backup {AUTO} is no longer on the SD card.")
    );
    assert_eq!(chip(app.console()), torn, "nothing written");

    let mut console = interrupted(&old, &new);
    let file = join(AUTO, "MOSS KNIGHT.sav");
    let mut garbled = console.sd.read(&file).unwrap();
    garbled[100] ^= 1;
    console.sd.write(&file, &garbled).unwrap();
    let mut app = App::start(console);
    let text = app.text();
    assert!(text.contains("is damaged"), "{text}");
    assert!(text.contains("MOSS KNIGHT.sav"), "{text}");
    assert!(
        app.model
            .put_back()
            .unwrap_err()
            .reason
            .contains("is damaged"),
        "refused"
    );
}

#[test]
fn the_title_keeps_its_warning_and_way_back_until_it_is_resolved() {
    let (old, new) = saves();
    let console = interrupted(&old, &new);
    let mut app = App::start(console);
    assert_eq!(app.ui.screen(), ScreenKind::Unfinished);
    // Later: the list, with the warning.
    app.press(Buttons::B);
    assert_eq!(app.ui.screen(), ScreenKind::Titles);
    assert!(
        app.text()
            .contains("The last restore of MOSS KNIGHT did not finish"),
        "{}",
        app.text()
    );
    app.press(Buttons::A);
    assert_eq!(
        app.ui.screen(),
        ScreenKind::Unfinished,
        "the title leads back"
    );
    app.press(Buttons::B);
    assert_eq!(app.ui.screen(), ScreenKind::Backups);
    // Another backup of the same save may still be restored.
    app.press(Buttons::DOWN);
    app.combo(Buttons::R, Buttons::A);
    assert_eq!(app.ui.screen(), ScreenKind::Confirm, "{}", app.text());
    assert_eq!(
        app.model.unfinished().map(|u| u.title_name),
        Some(TITLE.into())
    );

    // Keeping the save as it is resolves it; the automatic backup stays.
    app.press(Buttons::B);
    app.press(Buttons::B);
    app.press(Buttons::A);
    assert_eq!(app.ui.screen(), ScreenKind::Unfinished);
    app.press(Buttons::X);
    assert_eq!(app.ui.screen(), ScreenKind::Backups);
    assert!(app.model.unfinished().is_none());
    assert_eq!(app.console().sd.kind_of(JOURNAL_PATH).unwrap(), None);
    assert_eq!(
        app.console()
            .sd
            .read(&join(AUTO, "MOSS KNIGHT.sav"))
            .unwrap(),
        old
    );
    assert!(!app.text().contains("did not finish"), "{}", app.text());
}

#[test]
fn putting_back_needs_the_cartridge_in_the_slot() {
    let (old, new) = saves();
    let mut console = interrupted(&old, &new);
    let card = console.card.eject().unwrap();
    let mut app = App::start(console);
    assert!(
        app.text().contains("MOSS KNIGHT (AMKE) is not in the slot"),
        "{}",
        app.text()
    );
    app.console().card.insert(card);
    for _ in 0..100 {
        app.idle();
    }
    assert!(!app.text().contains("not in the slot"), "{}", app.text());
    app.press(Buttons::A);
    app.finish_job();
    assert_eq!(chip(app.console()), old);
}

#[test]
fn a_cartridge_swapped_while_a_restore_reads_it_is_refused_and_left_alone() {
    let (old, new) = saves();
    let mut app = App::start(nds_console(&old, &new));
    confirm_restore(&mut app);
    // The confirming frame validates against MOSS KNIGHT; then another
    // game goes in while the chip is read.
    app.input(FrameInput::press(Buttons::A));
    let other = sample_save(0x2000, 0x2000, 41);
    app.console().card.insert(demo::nds_cartridge(
        "SKY ATLAS",
        "ASKE",
        SimChip::eeprom(0x2000, &other),
        140,
    ));
    app.finish_job();
    let text = app.text();
    assert!(
        text.contains("Nothing was written to the cartridge."),
        "{text}"
    );
    assert!(!text.contains("automatic backup"), "{text}");
    assert_eq!(chip(app.console()), other);
    assert_eq!(app.console().sd.kind_of(JOURNAL_PATH).unwrap(), None);
    assert_eq!(app.console().sd.kind_of(AUTO).unwrap(), None);
}

#[test]
fn a_3ds_cartridge_restore_cut_short_waits_for_its_cartridge() {
    let title_id = 0x0004_0000_0005_5D00;
    let archive = ArchiveId {
        kind: ArchiveKind::SaveData,
        media: MediaType::Card,
        title_id,
    };
    let mut console = demo::empty_console();
    console.titles.install(
        MediaType::Card,
        title_id,
        demo::sample_smdh("Pokemon X", "Nintendo", 30),
    );
    console.card.insert(crate::sim::SimCard::Ctr { title_id });
    let before = ctr_before();
    console.archives.insert(archive, before.clone());
    let dir = "/3ds/Checkpoint/saves/0x0055D Pokemon X";
    console.sd.create_dir_all(&join(dir, "wanted")).unwrap();
    console
        .sd
        .write(&join(dir, "wanted/main"), b"wanted")
        .unwrap();
    let backup = crate::store::BackupEntry {
        name: "wanted".into(),
        path: join(dir, "wanted"),
        source: crate::store::BackupSource::Folder,
    };
    // The power goes at the archive's first delete, after the journal.
    let mut job = crate::jobs::CtrRestoreJob::new(archive, dir, backup);
    while !job.critical() {
        job.step(&mut console.devices()).unwrap();
    }
    console.power.cut_after_writes(1);
    while let Ok(Step::Working(_)) = job.step(&mut console.devices()) {}
    console.power_cycle();
    let card = console.card.eject().unwrap();

    let mut app = App::start(console);
    assert_eq!(app.ui.screen(), ScreenKind::Unfinished);
    let text = app.text();
    assert!(
        text.contains("The cartridge Pokemon X is not in the slot."),
        "{text}"
    );
    assert!(text.contains(&join(dir, "20261121-180400-auto")), "{text}");
    assert!(!text.contains("Put back"), "{text}");
    app.console().card.insert(card);
    for _ in 0..5 {
        app.idle();
    }
    assert!(app.text().contains("Put back"), "{}", app.text());
    app.press(Buttons::A);
    app.finish_job();
    assert!(
        app.text().contains("Put back and verified"),
        "{}",
        app.text()
    );
    assert_eq!(app.console().archives.committed(archive), Some(&before));
}

#[test]
fn another_restore_of_the_same_save_keeps_the_first_way_back_and_others_wait() {
    let (old, new) = saves();
    let mut console = interrupted(&old, &new);
    // An SD title with a save and a backup of its own.
    demo::install_sample_titles(&mut console, 1);
    let garden = ArchiveId {
        kind: ArchiveKind::SaveData,
        media: MediaType::Sd,
        title_id: demo::sample_title_id(0),
    };
    console.archives.insert(garden, ctr_before());
    demo::put_ctr_backup(
        &mut console,
        garden.title_id,
        "Pocket Garden",
        "older",
        b"older",
    );

    let mut app = App::start(console);
    app.press(Buttons::B);
    // The SD title's restore would overwrite the record: refused.
    app.press(Buttons::DOWN);
    app.press(Buttons::A);
    app.press(Buttons::DOWN);
    app.combo(Buttons::R, Buttons::A);
    let text = app.text();
    assert!(text.contains("its way back must be kept"), "{text}");
    assert_eq!(
        app.console().archives.committed(garden),
        Some(&ctr_before())
    );

    // MOSS KNIGHT's own backup again, cut short after one page.
    app.press(Buttons::A);
    app.press(Buttons::B);
    app.press(Buttons::UP);
    app.press(Buttons::A);
    app.press(Buttons::B);
    assert_eq!(app.ui.screen(), ScreenKind::Backups);
    // Rows: New backup, the automatic backup, "wanted" (undated, last).
    app.press(Buttons::DOWN);
    app.press(Buttons::DOWN);
    app.combo(Buttons::R, Buttons::A);
    assert_eq!(app.ui.screen(), ScreenKind::Confirm, "{}", app.text());
    app.input(FrameInput::press(Buttons::A));
    while app.model.system_events() == SystemEvents::Allowed {
        app.idle();
    }
    app.idle();
    let console = app.switch_off();
    let newer_auto = join(FOLDER, "20261121-180401-auto");
    assert!(
        console.sd.tree().kind_of(&newer_auto).unwrap().is_some(),
        "the second restore made its own automatic backup"
    );

    // The way back is still the save as it was before the first restore.
    let mut app = App::start(console);
    let text = app.text();
    assert!(text.contains(AUTO), "{text}");
    assert!(!text.contains(&newer_auto), "{text}");
    app.press(Buttons::A);
    app.finish_job();
    assert_eq!(chip(app.console()), old);
}

/// A journal left by a 3DS restore whose automatic backup holds one file of
/// `size` bytes (a pattern), written straight onto the SD card as the
/// restore would have left them.
fn console_with_large_way_back(size: usize) -> (SimConsole, String, Vec<u8>) {
    use crate::store::journal::{self, Journal, JournalFile, JournalSave, Operation};
    let mut console = demo::empty_console();
    let auto = "/3ds/Checkpoint/extdata/0x0055D Pokemon X/20261121-175900-auto".to_owned();
    let file: Vec<u8> = (0..size as u32)
        .map(|i| (i.wrapping_mul(31) >> 3) as u8)
        .collect();
    console.sd.create_dir_all(&auto).unwrap();
    console.sd.write(&join(&auto, "big.bin"), &file).unwrap();
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
        backup: Some("/3ds/Checkpoint/extdata/0x0055D Pokemon X/20261120-100000".into()),
        automatic_backup: auto.clone(),
        files: vec![JournalFile::of("big.bin", &file)],
    };
    journal::record(&mut console.sd, &record).unwrap();
    (console, auto, file)
}

#[test]
fn a_large_automatic_backup_is_checked_a_frame_at_a_time_after_the_screen_is_up() {
    // 4 MiB and 1000 bytes: checked 256 KiB a frame, that is 17 frames
    // (16 whole 256 KiB reads and the tail), worked out by hand.
    let size = 4 * 1024 * 1024 + 1000;
    let (console, auto, _) = console_with_large_way_back(size);
    let read_before = console.sd.bytes_read();
    let mut app = App::start(console);
    // The screen is up after the first frame, which read a small part of
    // the 4 MiB (before, start-up hashed all of it first).
    let at_start = app.console().sd.bytes_read() - read_before;
    assert!(at_start < 1024 * 1024, "start-up read {at_start} bytes");
    assert_eq!(app.ui.screen(), ScreenKind::Unfinished);
    let text = app.text();
    // Two budgets of 256 KiB (start-up, first frame) of 4,195,304 bytes.
    assert!(
        text.contains("Keepsake is checking the automatic backup (12% read):"),
        "{text}"
    );
    assert!(text.contains(&auto), "{text}");
    // Nothing can be put back from a backup not yet checked.
    let refused = app.model.unfinished().unwrap().put_back.unwrap_err();
    assert!(refused.reason.contains("still reading"), "{refused:?}");
    app.press(Buttons::A);
    assert_eq!(app.ui.screen(), ScreenKind::Unfinished, "{}", app.text());

    // Checks so far: one at start-up, one in each of the three frames.
    let mut checks = 4;
    while app.model.unfinished().unwrap().put_back.is_err() {
        let before = app.console().sd.bytes_read();
        app.idle();
        checks += 1;
        let read = app.console().sd.bytes_read() - before;
        assert!(read <= 320 * 1024, "frame {checks} read {read} bytes");
        assert!(checks < 40, "the check never ended: {}", app.text());
    }
    assert_eq!(checks, 17);
    let text = app.text();
    assert!(
        text.contains("The save as it was is in the automatic backup"),
        "{text}"
    );
    assert!(!text.contains("checking"), "{text}");
    assert!(
        text.contains("the save as it was goes back into its extra data"),
        "{text}"
    );
}

#[test]
fn a_large_automatic_backup_changed_deep_inside_is_found_damaged() {
    let size = 4 * 1024 * 1024 + 1000;
    let (mut console, auto, mut file) = console_with_large_way_back(size);
    file[3 * 1024 * 1024 + 17] ^= 0x01;
    console.sd.write(&join(&auto, "big.bin"), &file).unwrap();
    let mut app = App::start(console);
    for _ in 0..40 {
        app.idle();
    }
    let text = app.text();
    assert!(
        text.contains("is damaged (big.bin: its contents changed since it was written)"),
        "{text}"
    );
    let refused = app.model.unfinished().unwrap().put_back.unwrap_err();
    assert!(
        refused.reason.contains("cannot put this save back"),
        "{refused:?}"
    );
}

#[test]
fn a_damaged_way_back_is_not_kept_by_the_next_restore_of_the_same_save() {
    use crate::store::journal;
    let (old, new) = saves();
    let mut console = interrupted(&old, &new);
    let torn = chip(&console);
    // The automatic backup of the first restore no longer holds what was
    // written: it is no way back.
    let mut damaged = old.clone();
    damaged[100] ^= 0xFF;
    console
        .sd
        .write(&join(AUTO, "MOSS KNIGHT.sav"), &damaged)
        .unwrap();
    let mut app = App::start(console);
    assert!(app.text().contains("is damaged"), "{}", app.text());
    // The same backup again, from the title's backup list.
    app.press(Buttons::B);
    app.press(Buttons::A);
    app.press(Buttons::B);
    assert_eq!(app.ui.screen(), ScreenKind::Backups, "{}", app.text());
    app.press(Buttons::DOWN);
    app.combo(Buttons::R, Buttons::A);
    assert_eq!(app.ui.screen(), ScreenKind::Confirm, "{}", app.text());
    app.input(FrameInput::press(Buttons::A));
    // Cut short as the first one was: a page written, then off.
    while chip(app.console()) == torn {
        app.idle();
    }
    let mut console = app.switch_off();
    let record = journal::read(&mut console.sd)
        .unwrap()
        .expect("journal left");
    // The way back is the second restore's own automatic backup, holding
    // the chip as the first restore left it; not the damaged one.
    assert_ne!(record.automatic_backup, AUTO);
    assert_eq!(
        console
            .sd
            .read(&join(&record.automatic_backup, "MOSS KNIGHT.sav"))
            .unwrap(),
        torn
    );
}
