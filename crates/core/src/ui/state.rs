//! The screens as a state machine: each frame takes one [`FrameInput`],
//! updates the current screen (asking the [`AppModel`] to act), steps the
//! running job once, and fills a [`Frame`] for both screens.

use super::display::{BOTTOM_WIDTH, Frame};
use super::input::{Buttons, FrameInput};
use super::model::{
    AppModel, BackupInfo, BackupKey, JobKind, JobStatus, Outcome, Progress, Settings, TitleInfo,
    TitleKey, UnfinishedInfo,
};
use super::model::{ArchiveKind, ExportKind, Question, TitleSource, TitleView};
pub(crate) use super::settings::{FIND_SAVES_ROW, SETTINGS_ROWS};
use super::theme::{
    BUTTON_BAR_HEIGHT, BUTTON_BAR_TOP, LIST_TOP, ROW_HEIGHT, VISIBLE_ROWS, button_span,
};

/// Frames B (or the Cancel button) must be held to cancel a backup: half a
/// second, so a stray press does not throw away a long read.
pub const CANCEL_HOLD_FRAMES: u32 = 30;
/// Frames a direction is held before the selection starts repeating.
const REPEAT_DELAY: u32 = 18;
/// Frames between repeated moves while a direction stays held.
const REPEAT_EVERY: u32 = 4;
/// Frames a notice stays on screen (three seconds).
const NOTICE_FRAMES: u32 = 180;

/// What the app should do after a frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signal {
    Continue,
    /// The user asked to leave and nothing forbids it.
    Exit,
}

/// Which screen is showing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScreenKind {
    Titles,
    Backups,
    Settings,
    Confirm,
    Job,
    Result,
    /// A restore that did not finish, and the way back.
    Unfinished,
}

/// A scrolled list's selection.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct ListCursor {
    pub selected: usize,
    pub scroll: usize,
}

impl ListCursor {
    pub(crate) fn move_by(&mut self, delta: isize, len: usize, wrap: bool) {
        if len == 0 {
            *self = ListCursor::default();
            return;
        }
        let last = len as isize - 1;
        let target = self.selected as isize + delta;
        self.selected = if wrap && delta.abs() == 1 {
            target.rem_euclid(len as isize) as usize
        } else {
            target.clamp(0, last) as usize
        };
        self.follow(len);
    }

    pub(crate) fn select(&mut self, index: usize, len: usize) {
        self.selected = index.min(len.saturating_sub(1));
        self.follow(len);
    }

    /// Scrolls so the selection is visible.
    fn follow(&mut self, len: usize) {
        self.selected = self.selected.min(len.saturating_sub(1));
        if self.selected < self.scroll {
            self.scroll = self.selected;
        } else if self.selected >= self.scroll + VISIBLE_ROWS {
            self.scroll = self.selected + 1 - VISIBLE_ROWS;
        }
        self.scroll = self.scroll.min(len.saturating_sub(VISIBLE_ROWS));
    }
}

/// A question the user must answer before something irreversible.
#[derive(Clone, Debug)]
pub(crate) struct Confirm {
    pub action: Pending,
    pub headline: String,
    pub lines: Vec<String>,
    pub yes_label: &'static str,
    /// What matters for the answer, for the bottom screen beside its
    /// buttons: the backup's name, date, size and origin, where it goes.
    pub facts: Vec<Fact>,
}

/// A label and its value (`Size`, `8 KiB`), as the bottom screen lists
/// what matters for a decision.
pub(crate) type Fact = (&'static str, String);

#[derive(Clone, Debug)]
pub(crate) enum Pending {
    Restore {
        title: TitleKey,
        backup: BackupKey,
    },
    Delete {
        title: TitleKey,
        backup: BackupKey,
        name: String,
    },
    /// Export a backup for a flashcart or an emulator; LEFT/RIGHT choose
    /// the form.
    Export {
        title: TitleKey,
        backup: BackupKey,
        kind: ExportKind,
        /// Where the question said it goes (none when it cannot be made).
        destination: Option<String>,
    },
    /// A restore confirmed, with questions still to ask before it starts
    /// (see [`AppModel::restore_questions`]).
    RestoreAfter {
        title: TitleKey,
        backup: BackupKey,
        questions: Vec<Question>,
    },
}

/// A running job as the screen shows it.
#[derive(Clone, Debug)]
pub(crate) struct JobView {
    pub kind: JobKind,
    pub title_name: String,
    pub progress: Progress,
    pub cancel_requested: bool,
    /// What the job works on (the backup restored, the folder backed up
    /// into), for the bottom screen.
    pub facts: Vec<Fact>,
}

/// Where a result screen returns to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Return {
    Titles,
    Backups,
}

#[derive(Clone, Debug)]
pub(crate) enum View {
    Titles,
    Backups,
    Settings {
        cursor: usize,
        draft: Settings,
    },
    Confirm(Confirm),
    Job(JobView),
    Result(Outcome),
    Unfinished(UnfinishedInfo),
    /// Titles marked for one backup, and its result (`ui/batch.rs`).
    Batch(super::batch::Batch),
}

/// Everything a screen can do, whether a button or a touch asked for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Action {
    Open,
    Backup,
    BackupNamed,
    Restore,
    Delete,
    Back,
    Settings,
    Exit,
    Yes,
    No,
    Dismiss,
    ChangeSetting(isize),
    CancelJob,
    PutBack,
    KeepAsIs,
    Later,
    /// Mark or unmark the selected title as a favourite (`app/title_view.rs`).
    Favourite,
    NextFilter,
    NextSort,
    /// Export the selected backup (Y on a backup), or the inserted NDS
    /// cartridge's save (Y on the cartridge in the title list).
    Export,
    /// Show a 3DS title's save data or extdata backups (`ui/archive_switch.rs`).
    ShowKind(ArchiveKind),
    /// Start marking titles to back up at once (`ui/batch.rs`).
    Select,
    Mark,
    MarkAll,
}

/// A touch button: its label and what it does.
pub(crate) type TouchButton = (&'static str, Action);

/// The whole UI state.
pub struct Ui {
    pub(crate) view: View,
    /// The titles the list shows (the filter's), in its order.
    pub(crate) titles: Vec<TitleInfo>,
    /// Every title, those the filter hides too, to find one by its key.
    pub(crate) all_titles: Vec<TitleInfo>,
    /// The list's filter, order and favourites.
    pub(crate) title_view: TitleView,
    pub(crate) generation: Option<u64>,
    pub(crate) title_cursor: ListCursor,
    pub(crate) open_title: Option<TitleKey>,
    /// Backups of the open title, newest first (the list shows "New backup"
    /// before them, at row 0).
    pub(crate) backups: Vec<BackupInfo>,
    pub(crate) backup_cursor: ListCursor,
    /// The side of a 3DS title's backup list shown (`ui/archive_switch.rs`).
    pub(crate) archive_kind: ArchiveKind,
    /// Why the open title has nothing on that side, when it has not.
    pub(crate) missing_archive: Option<String>,
    pub(crate) notice: Option<(String, u32)>,
    /// The screen the notice speaks of: set at the end of the frame that
    /// said it (after the action moved on), and the notice goes when that
    /// screen does, so it never sits over a screen it contradicts.
    notice_on: Option<ScreenKind>,
    /// The model's standing warning, read when its data changes.
    pub(crate) warning: Option<String>,
    pub(crate) return_to: Return,
    /// The title a finished job's result speaks of (its header names it).
    pub(crate) result_title: Option<String>,
    touch_was_down: bool,
    direction_held: u32,
    pub(crate) cancel_hold: u32,
    /// Whether the model was asked at start-up for an unfinished restore.
    unfinished_checked: bool,
}

impl Default for Ui {
    fn default() -> Self {
        Self::new()
    }
}

impl Ui {
    pub fn new() -> Self {
        Self {
            view: View::Titles,
            titles: Vec::new(),
            all_titles: Vec::new(),
            title_view: TitleView::default(),
            generation: None,
            title_cursor: ListCursor::default(),
            open_title: None,
            backups: Vec::new(),
            backup_cursor: ListCursor::default(),
            archive_kind: ArchiveKind::SaveData,
            missing_archive: None,
            notice: None,
            notice_on: None,
            warning: None,
            return_to: Return::Titles,
            result_title: None,
            touch_was_down: false,
            direction_held: 0,
            cancel_hold: 0,
            unfinished_checked: false,
        }
    }

    /// Which screen is showing.
    pub fn screen(&self) -> ScreenKind {
        match self.view {
            View::Titles => ScreenKind::Titles,
            View::Backups => ScreenKind::Backups,
            View::Settings { .. } => ScreenKind::Settings,
            View::Confirm(_) => ScreenKind::Confirm,
            View::Job(_) => ScreenKind::Job,
            View::Result(_) => ScreenKind::Result,
            View::Unfinished(_) => ScreenKind::Unfinished,
            View::Batch(super::batch::Batch::Marking(_)) => ScreenKind::Titles,
            View::Batch(super::batch::Batch::Done(..)) => ScreenKind::Result,
        }
    }

    /// True while a restore runs: the console must not let the user leave
    /// (home menu, sleep) until it ends.
    pub fn restore_running(&self) -> bool {
        matches!(&self.view, View::Job(job) if job.kind == JobKind::Restore)
    }

    /// Runs one frame: input, one step of the running job, then the display
    /// list into `out` (cleared first).
    pub fn frame(
        &mut self,
        input: &FrameInput,
        model: &mut dyn AppModel,
        out: &mut Frame,
    ) -> Signal {
        model.poll();
        self.refresh(model);
        if self.open_title.is_none() {
            self.reset_kind(model);
        }
        let signal = self.handle_input(input, model);
        self.step_job(model);
        // A finished job may have changed the titles (a card pulled out).
        self.refresh(model);
        let screen = self.screen();
        if let Some((_, frames)) = &mut self.notice {
            *frames = frames.saturating_sub(1);
            let owner = *self.notice_on.get_or_insert(screen);
            if *frames == 0 || owner != screen {
                self.notice = None;
            }
        }
        out.clear();
        // The settings show the theme being chosen before it is saved.
        out.theme = match &self.view {
            View::Settings { draft, .. } => draft.theme,
            _ => model.theme(),
        };
        self.draw(out);
        signal
    }

    pub(crate) fn selected_title(&self) -> Option<&TitleInfo> {
        self.titles.get(self.title_cursor.selected)
    }

    pub(crate) fn open_title_info(&self) -> Option<&TitleInfo> {
        let key = self.open_title.as_ref()?;
        self.all_titles.iter().find(|t| &t.key == key)
    }

    /// The backup on the selected row, `None` on "New backup".
    pub(crate) fn selected_backup(&self) -> Option<&BackupInfo> {
        self.backup_cursor
            .selected
            .checked_sub(1)
            .and_then(|i| self.backups.get(i))
    }

    pub(crate) fn say(&mut self, text: impl Into<String>) {
        self.notice = Some((text.into(), NOTICE_FRAMES));
        self.notice_on = None;
    }

    /// Reloads titles and backups when the model says they changed, keeping
    /// the selection on the same title, and leaves screens of a title that
    /// went away (a cartridge pulled out).
    fn refresh(&mut self, model: &mut dyn AppModel) {
        let generation = model.generation();
        if self.generation == Some(generation) {
            return;
        }
        self.generation = Some(generation);
        self.warning = model.warning();
        // A restore the last run left unfinished comes first, before the
        // list; its screen follows the model (a cartridge put in, the
        // record resolved).
        if !self.unfinished_checked {
            self.unfinished_checked = true;
            if let Some(info) = model.unfinished() {
                self.view = View::Unfinished(info);
            }
        } else if let View::Unfinished(_) = self.view {
            match model.unfinished() {
                Some(info) => self.view = View::Unfinished(info),
                None => self.leave_to_list(),
            }
        }
        let selected_key = self.selected_title().map(|t| t.key.clone());
        self.title_view = model.title_view();
        (self.all_titles, self.titles) = super::finding::arrange(model.titles(), &self.title_view);
        let index = selected_key
            .and_then(|key| self.titles.iter().position(|t| t.key == key))
            .unwrap_or(self.title_cursor.selected);
        self.title_cursor.select(index, self.titles.len());

        let Some(open) = self.open_title.clone() else {
            return;
        };
        if self.all_titles.iter().any(|t| t.key == open) {
            self.load_backups(model, &open);
        } else {
            self.open_title = None;
            self.backups.clear();
            self.return_to = Return::Titles;
            // A running job or its result reports the loss itself.
            if matches!(self.view, View::Backups | View::Confirm(_)) {
                self.view = View::Titles;
                self.say("The cartridge was taken out. Nothing was changed.");
            }
        }
    }

    pub(crate) fn load_backups(&mut self, model: &mut dyn AppModel, title: &TitleKey) {
        let selected = self.selected_backup().map(|b| b.key.clone());
        self.missing_archive = model.missing_archive(title);
        let mut backups = model.backups(title);
        // Newest first; undated ones last, by name.
        backups.sort_by(|a, b| b.created.cmp(&a.created).then_with(|| a.name.cmp(&b.name)));
        self.backups = backups;
        let row = match selected {
            Some(key) => self
                .backups
                .iter()
                .position(|b| b.key == key)
                .map_or(self.backup_cursor.selected, |i| i + 1),
            None => self.backup_cursor.selected,
        };
        self.backup_cursor.select(row, self.backups.len() + 1);
    }

    fn handle_input(&mut self, input: &FrameInput, model: &mut dyn AppModel) -> Signal {
        let tapped = match input.touch {
            Some(point) if !self.touch_was_down => Some(point),
            _ => None,
        };
        self.touch_was_down = input.touch.is_some();

        // Held input: the D-pad repeats, B or the Cancel button held cancels.
        let direction = [Buttons::UP, Buttons::DOWN, Buttons::LEFT, Buttons::RIGHT]
            .into_iter()
            .find(|&d| input.held.contains(d));
        let repeat = match direction {
            Some(d) if input.pressed.contains(d) => {
                self.direction_held = 0;
                Some(d)
            }
            Some(d) => {
                self.direction_held += 1;
                (self.direction_held >= REPEAT_DELAY
                    && (self.direction_held - REPEAT_DELAY) % REPEAT_EVERY == 0)
                    .then_some(d)
            }
            None => {
                self.direction_held = 0;
                None
            }
        };
        if let View::Job(job) = &self.view {
            let holding_cancel = input.held.contains(Buttons::B)
                || input.touch.is_some_and(|t| {
                    t.y >= BUTTON_BAR_TOP && t.y < BUTTON_BAR_TOP + BUTTON_BAR_HEIGHT
                });
            if job.kind.cancellable() && holding_cancel {
                self.cancel_hold += 1;
                if self.cancel_hold == CANCEL_HOLD_FRAMES {
                    return self.apply(Action::CancelJob, model);
                }
            } else {
                self.cancel_hold = 0;
            }
        }

        if let Some(point) = tapped {
            if let Some(action) = self.touch_action(point.x, point.y) {
                return self.apply(action, model);
            }
        }
        if let Some(d) = repeat {
            self.move_selection(d);
        }
        match self.key_action(input) {
            Some(action) => self.apply(action, model),
            None => Signal::Continue,
        }
    }

    fn key_action(&mut self, input: &FrameInput) -> Option<Action> {
        let p = input.pressed;
        let held = input.held;
        if p.contains(Buttons::START) {
            return Some(Action::Exit);
        }
        match &self.view {
            View::Titles => {
                if p.contains(Buttons::A) {
                    Some(if held.contains(Buttons::L) {
                        Action::Backup
                    } else {
                        Action::Open
                    })
                } else if p.contains(Buttons::Y) {
                    // L+Y marks titles to back up at once; Y alone exports
                    // the NDS cartridge's own save, read from its chip.
                    Some(if held.contains(Buttons::L) {
                        Action::Select
                    } else {
                        Action::Export
                    })
                } else if p.contains(Buttons::X) {
                    Some(Action::Favourite)
                } else if p.contains(Buttons::R) {
                    Some(if held.contains(Buttons::L) {
                        Action::NextSort
                    } else {
                        Action::NextFilter
                    })
                } else if p.contains(Buttons::SELECT) {
                    Some(Action::Settings)
                } else {
                    None
                }
            }
            View::Backups => {
                if p.contains(Buttons::A) {
                    if held.contains(Buttons::L) {
                        Some(Action::Backup)
                    } else if held.contains(Buttons::R) {
                        Some(Action::Restore)
                    } else if self.selected_backup().is_none() {
                        Some(Action::Backup)
                    } else {
                        self.say("Hold R and press A to restore this backup.");
                        None
                    }
                } else if p.contains(Buttons::Y) {
                    // On "New backup" Y names a new backup; on a backup it
                    // exports that one.
                    Some(if self.selected_backup().is_some() {
                        Action::Export
                    } else {
                        Action::BackupNamed
                    })
                } else if p.contains(Buttons::X) {
                    Some(Action::Delete)
                } else if p.contains(Buttons::B) {
                    Some(Action::Back)
                } else if p.contains(Buttons::SELECT) {
                    Some(Action::Settings)
                } else if p.contains(Buttons::LEFT) && self.switchable() {
                    Some(Action::ShowKind(ArchiveKind::SaveData))
                } else if p.contains(Buttons::RIGHT) && self.switchable() {
                    Some(Action::ShowKind(ArchiveKind::ExtData))
                } else {
                    None
                }
            }
            View::Settings { .. } => {
                if p.contains(Buttons::A) || p.contains(Buttons::RIGHT) {
                    Some(Action::ChangeSetting(1))
                } else if p.contains(Buttons::LEFT) {
                    Some(Action::ChangeSetting(-1))
                } else if p.contains(Buttons::B) || p.contains(Buttons::SELECT) {
                    Some(Action::Back)
                } else {
                    None
                }
            }
            View::Confirm(Confirm {
                action: Pending::Export { .. },
                ..
            }) if p.contains(Buttons::LEFT) || p.contains(Buttons::RIGHT) => {
                Some(Action::ChangeSetting(if p.contains(Buttons::LEFT) {
                    -1
                } else {
                    1
                }))
            }
            View::Confirm(_) => {
                if p.contains(Buttons::A) {
                    Some(Action::Yes)
                } else if p.contains(Buttons::B) {
                    Some(Action::No)
                } else {
                    None
                }
            }
            View::Job(job) => {
                if job.kind == JobKind::Restore && p.contains(Buttons::B) {
                    self.say("A restore cannot be stopped once it has started writing.");
                }
                None
            }
            View::Result(_) => {
                (p.contains(Buttons::A) || p.contains(Buttons::B)).then_some(Action::Dismiss)
            }
            View::Batch(batch) => Self::batch_key(batch, input),
            View::Unfinished(_) => {
                if p.contains(Buttons::A) {
                    Some(Action::PutBack)
                } else if p.contains(Buttons::X) {
                    Some(Action::KeepAsIs)
                } else if p.contains(Buttons::B) {
                    Some(Action::Later)
                } else {
                    None
                }
            }
        }
    }

    fn touch_action(&mut self, x: u16, y: u16) -> Option<Action> {
        if (BUTTON_BAR_TOP..BUTTON_BAR_TOP + BUTTON_BAR_HEIGHT).contains(&y) {
            let buttons = self.touch_buttons();
            let index = (0..buttons.len()).find(|&i| {
                let (bx, bw) = button_span(i, buttons.len());
                x >= bx && x < bx + bw
            })?;
            let action = buttons[index].1;
            // Cancelling needs the button held, which handle_input counts.
            return (action != Action::CancelJob).then_some(action);
        }
        let marking = matches!(self.view, View::Batch(super::batch::Batch::Marking(_)));
        if y < LIST_TOP && (matches!(self.view, View::Titles) || marking) {
            // The list's heading: the filter on its left, the order on its right.
            return Some(if x < BOTTOM_WIDTH / 2 {
                Action::NextFilter
            } else {
                Action::NextSort
            });
        }
        if y < LIST_TOP && matches!(self.view, View::Backups) && self.switchable() {
            // The heading's tabs: save data on the left, extdata on the right.
            return Some(Action::ShowKind(if x < BOTTOM_WIDTH / 2 {
                ArchiveKind::SaveData
            } else {
                ArchiveKind::ExtData
            }));
        }
        if y < LIST_TOP || y >= LIST_TOP + ROW_HEIGHT * VISIBLE_ROWS as u16 || x >= BOTTOM_WIDTH {
            return None;
        }
        let row = usize::from((y - LIST_TOP) / ROW_HEIGHT);
        if let View::Batch(batch) = &self.view {
            let scroll = match batch {
                super::batch::Batch::Marking(_) => self.title_cursor.scroll,
                super::batch::Batch::Done(_, cursor) => cursor.scroll,
            };
            return self.batch_touch(scroll + row);
        }
        match &mut self.view {
            View::Titles => {
                let index = self.title_cursor.scroll + row;
                if index >= self.titles.len() {
                    return None;
                }
                if x < super::finding::MARK_COLUMN {
                    // Where the favourite's mark shows: mark or unmark it.
                    self.title_cursor.select(index, self.titles.len());
                    return Some(Action::Favourite);
                }
                if index == self.title_cursor.selected {
                    return Some(Action::Open);
                }
                self.title_cursor.select(index, self.titles.len());
                None
            }
            View::Backups => {
                let index = self.backup_cursor.scroll + row;
                if index > self.backups.len() {
                    return None;
                }
                self.backup_cursor.select(index, self.backups.len() + 1);
                None
            }
            View::Settings { cursor, .. } => {
                if row < SETTINGS_ROWS {
                    if *cursor == row {
                        return Some(Action::ChangeSetting(1));
                    }
                    *cursor = row;
                }
                None
            }
            _ => None,
        }
    }

    fn move_selection(&mut self, direction: Buttons) {
        let delta: isize = if direction == Buttons::UP {
            -1
        } else if direction == Buttons::DOWN {
            1
        } else if direction == Buttons::LEFT {
            -(VISIBLE_ROWS as isize)
        } else {
            VISIBLE_ROWS as isize
        };
        // Left and Right switch the sides of a 3DS title's list.
        let switching = delta.abs() != 1 && self.switchable();
        match &mut self.view {
            View::Titles => self.title_cursor.move_by(delta, self.titles.len(), true),
            View::Backups if switching => {}
            View::Backups => self
                .backup_cursor
                .move_by(delta, self.backups.len() + 1, true),
            View::Settings { cursor, .. } if delta.abs() == 1 => {
                *cursor = (*cursor as isize + delta).rem_euclid(SETTINGS_ROWS as isize) as usize;
            }
            View::Batch(_) => self.batch_move(delta),
            _ => {}
        }
    }

    fn apply(&mut self, action: Action, model: &mut dyn AppModel) -> Signal {
        match action {
            Action::Exit => {
                if let View::Job(job) = &self.view {
                    match job.kind {
                        JobKind::Restore => {
                            self.say("Restoring: Keepsake can exit once it is done.")
                        }
                        JobKind::Backup => {
                            self.say("Hold B to cancel the backup first, then exit.")
                        }
                        JobKind::FindSaves => {
                            self.say("Searching the SD card: Keepsake can exit once it is done.")
                        }
                        JobKind::Export => {
                            self.say("Hold B to cancel the export first, then exit.")
                        }
                    }
                    return Signal::Continue;
                }
                return Signal::Exit;
            }
            Action::Open => {
                if let Some(title) = self.selected_title() {
                    let key = title.key.clone();
                    self.reset_kind(model);
                    self.open_title = Some(key.clone());
                    self.backup_cursor = ListCursor::default();
                    self.backups.clear();
                    self.load_backups(model, &key);
                    self.return_to = Return::Backups;
                    // The title keeps its way back until it is resolved.
                    self.view = match model.unfinished() {
                        Some(info) if info.title.as_ref() == Some(&key) => View::Unfinished(info),
                        _ => View::Backups,
                    };
                }
            }
            Action::PutBack => {
                if let View::Unfinished(info) = &self.view {
                    if let Err(refusal) = &info.put_back {
                        let reason = refusal.reason.clone();
                        self.say(reason);
                        return Signal::Continue;
                    }
                    let title_name = info.title_name.clone();
                    match model.put_back() {
                        Ok(()) => {
                            self.view = View::Job(JobView {
                                kind: JobKind::Restore,
                                title_name,
                                progress: Progress::default(),
                                cancel_requested: false,
                                facts: vec![("Putting back", "the automatic backup".into())],
                            });
                        }
                        Err(refusal) => {
                            self.view = View::Result(Outcome::from_refusal(
                                "The save cannot be put back now",
                                refusal,
                            ));
                        }
                    }
                }
            }
            Action::KeepAsIs => match model.keep_as_is() {
                Ok(()) => {
                    self.say("The save was kept as it is; its automatic backup stays listed.");
                    self.leave_to_list();
                }
                Err(refusal) => {
                    self.view =
                        View::Result(Outcome::from_refusal("The record was not removed", refusal));
                }
            },
            Action::Later => self.leave_to_list(),
            Action::Favourite => self.toggle_favourite(model),
            Action::ShowKind(kind) => self.show_kind(kind, model),
            Action::Select => self.start_marking(),
            Action::Mark => self.toggle_mark(),
            Action::MarkAll => self.mark_all(),
            Action::Backup if self.marked().is_some() => self.start_batch(model),
            Action::NextFilter => self.next_filter(model),
            Action::NextSort => self.next_sort(model),
            Action::Backup | Action::BackupNamed => {
                self.start_backup(action == Action::BackupNamed, model)
            }
            Action::Restore => self.ask_restore(model),
            Action::Delete => self.ask_delete(),
            Action::Back => match &self.view {
                View::Settings { draft, .. } => {
                    let draft = draft.clone();
                    match model.save_settings(&draft) {
                        Ok(()) => {
                            self.say("Settings saved.");
                            self.leave_to_list();
                        }
                        Err(refusal) => {
                            self.view = View::Result(Outcome::from_refusal(
                                "The settings were not saved",
                                refusal,
                            ));
                        }
                    }
                }
                _ => {
                    self.open_title = None;
                    self.view = View::Titles;
                }
            },
            Action::Settings => {
                self.return_to = if matches!(self.view, View::Backups) {
                    Return::Backups
                } else {
                    Return::Titles
                };
                self.view = View::Settings {
                    cursor: 0,
                    draft: model.settings(),
                };
            }
            Action::ChangeSetting(_) if self.on_find_saves_row() => self.start_find_saves(model),
            Action::ChangeSetting(delta) if self.export_kind().is_some() => {
                if let View::Confirm(Confirm {
                    action:
                        Pending::Export {
                            title,
                            backup,
                            kind,
                            ..
                        },
                    ..
                }) = &self.view
                {
                    let all = ExportKind::ALL;
                    let at = all.iter().position(|k| k == kind).unwrap_or(0) as isize;
                    let next = all[(at + delta).rem_euclid(all.len() as isize) as usize];
                    let (title, backup) = (title.clone(), backup.clone());
                    self.ask_export(model, title, backup, next);
                }
            }
            Action::Export if matches!(self.view, View::Titles) => match self.selected_title() {
                Some(t) if t.source == TitleSource::NdsCartridge => {
                    let title = t.key.clone();
                    self.ask_export(
                        model,
                        title,
                        BackupKey::cartridge(),
                        ExportKind::FlashcartSav,
                    );
                }
                _ => {
                    self.say("Y exports the save of an NDS cartridge: choose the cartridge first.")
                }
            },
            Action::Export => {
                if let (Some(title), Some(backup)) =
                    (self.open_title.clone(), self.selected_backup())
                {
                    let backup = backup.key.clone();
                    self.ask_export(model, title, backup, ExportKind::FlashcartSav);
                }
            }
            Action::ChangeSetting(delta) => {
                if let View::Settings { cursor, draft } = &mut self.view {
                    super::settings::change(draft, *cursor, delta);
                }
            }
            Action::Yes => self.confirmed(model),
            Action::No => {
                self.say("Cancelled: nothing was changed.");
                self.view = if self.exporting_cartridge() {
                    View::Titles
                } else {
                    View::Backups
                };
            }
            Action::Dismiss => self.leave_to_list(),
            Action::CancelJob => {
                if let View::Job(job) = &mut self.view {
                    if model.cancel_job() {
                        job.cancel_requested = true;
                    } else {
                        self.say("This job can no longer be cancelled.");
                    }
                }
            }
        }
        Signal::Continue
    }

    fn leave_to_list(&mut self) {
        self.result_title = None;
        self.view = match self.return_to {
            Return::Backups if self.open_title_info().is_some() => View::Backups,
            _ => {
                self.open_title = None;
                View::Titles
            }
        };
    }

    fn start_backup(&mut self, named: bool, model: &mut dyn AppModel) {
        let in_backups = matches!(self.view, View::Backups);
        let title = if in_backups {
            self.open_title_info()
        } else {
            self.selected_title()
        };
        let Some(title) = title else {
            return;
        };
        let (key, title_name) = (title.key.clone(), title.name.clone());
        let name = if named {
            if !in_backups || self.selected_backup().is_some() {
                self.say("Select \"New backup\", then press Y to name it.");
                return;
            }
            match model.keyboard("Name of the new backup", "") {
                Some(name) if !name.trim().is_empty() => Some(name.trim().to_string()),
                _ => {
                    self.say("No name typed: no backup made.");
                    return;
                }
            }
        } else {
            None
        };
        self.return_to = if in_backups {
            Return::Backups
        } else {
            Return::Titles
        };
        let settings = model.settings();
        let root = settings.backup_roots.get(settings.backup_root);
        let facts = self.backup_job_facts(&key, root.map(String::as_str), name.as_deref());
        match model.start_backup(&key, name) {
            Ok(()) => {
                self.cancel_hold = 0;
                self.view = View::Job(JobView {
                    kind: JobKind::Backup,
                    title_name,
                    progress: Progress::default(),
                    cancel_requested: false,
                    facts,
                });
            }
            Err(refusal) => {
                self.view =
                    View::Result(Outcome::from_refusal("The backup could not start", refusal));
            }
        }
    }

    fn ask_restore(&mut self, model: &mut dyn AppModel) {
        let (Some(title), Some(backup)) = (self.open_title.clone(), self.selected_backup()) else {
            self.say("Choose a backup to restore first.");
            return;
        };
        let (backup_key, backup_name) = (backup.key.clone(), backup.name.clone());
        self.return_to = Return::Backups;
        match model.plan_restore(&title, &backup_key) {
            Err(refusal) => {
                self.view = View::Result(Outcome::from_refusal(
                    "This backup cannot be restored",
                    refusal,
                ));
            }
            Ok(plan) => {
                let facts = self.restore_facts(&title, &backup_key, Some(&plan.automatic_backup));
                let questions = model.restore_questions(&title, &backup_key);
                let pending = if questions.is_empty() {
                    Pending::Restore {
                        title,
                        backup: backup_key,
                    }
                } else {
                    Pending::RestoreAfter {
                        title,
                        backup: backup_key,
                        questions,
                    }
                };
                if !model.settings().confirm_restores {
                    self.confirmed_action(pending, model);
                    return;
                }
                let mut lines = vec![
                    format!("Restore \"{backup_name}\"?"),
                    format!("This overwrites {}.", plan.overwrites),
                ];
                if let Some(conversion) = plan.conversion {
                    lines.push(conversion);
                }
                let side = super::archive_switch::open_side_words(
                    self.open_title_info(),
                    self.archive_kind,
                );
                lines.push(format!("First, the current {side} is backed up to"));
                lines.push(plan.automatic_backup);
                self.view = View::Confirm(Confirm {
                    action: pending,
                    headline: if self.archive_kind == ArchiveKind::ExtData {
                        "Restore this extdata backup?".into()
                    } else {
                        "Restore this backup?".into()
                    },
                    lines,
                    yes_label: "Restore",
                    facts,
                });
            }
        }
    }

    fn ask_delete(&mut self) {
        let (Some(title), Some(backup)) = (self.open_title.clone(), self.selected_backup()) else {
            self.say("Choose a backup to delete first.");
            return;
        };
        let name = backup.name.clone();
        let facts = super::facts::backup_facts(backup);
        self.view = View::Confirm(Confirm {
            action: Pending::Delete {
                title,
                backup: backup.key.clone(),
                name: name.clone(),
            },
            headline: "Delete this backup?".into(),
            lines: vec![
                format!("\"{name}\" will be deleted from the SD card."),
                "This cannot be undone.".into(),
            ],
            yes_label: "Delete",
            facts,
        });
    }

    fn confirmed(&mut self, model: &mut dyn AppModel) {
        if let View::Confirm(confirm) = &self.view {
            let pending = confirm.action.clone();
            self.confirmed_action(pending, model);
        }
    }

    fn confirmed_action(&mut self, pending: Pending, model: &mut dyn AppModel) {
        match pending {
            Pending::Restore { title, backup } => {
                let title_name = self
                    .all_titles
                    .iter()
                    .find(|t| t.key == title)
                    .map_or_else(String::new, |t| t.name.clone());
                self.return_to = Return::Backups;
                let facts = self.restore_job_facts(&title, &backup);
                match model.start_restore(&title, &backup) {
                    Ok(()) => {
                        self.view = View::Job(JobView {
                            kind: JobKind::Restore,
                            title_name,
                            progress: Progress::default(),
                            cancel_requested: false,
                            facts,
                        });
                    }
                    Err(refusal) => {
                        self.view = View::Result(Outcome::from_refusal(
                            "This backup cannot be restored",
                            refusal,
                        ));
                    }
                }
            }
            Pending::Export {
                title,
                backup,
                kind,
                destination,
            } => {
                self.return_to = if backup.is_cartridge() {
                    Return::Titles
                } else {
                    Return::Backups
                };
                if let (Some(destination), true) = (&destination, backup.is_cartridge()) {
                    // The chip is read a chunk a frame, with progress.
                    let title_name = self
                        .titles
                        .iter()
                        .find(|t| t.key == title)
                        .map_or_else(String::new, |t| t.name.clone());
                    self.view = match model.start_export(&title, &backup, kind, destination) {
                        Ok(()) => {
                            self.cancel_hold = 0;
                            View::Job(JobView {
                                kind: JobKind::Export,
                                // The top screen names the game.
                                facts: vec![("To", destination.clone())],
                                title_name,
                                progress: Progress::default(),
                                cancel_requested: false,
                            })
                        }
                        Err(refusal) => {
                            View::Result(Outcome::from_refusal("Nothing was exported", refusal))
                        }
                    };
                    return;
                }
                let exported = match destination {
                    Some(destination) => model.export_save(&title, &backup, kind, &destination),
                    // The question said why it cannot be made: say it again.
                    None => model.plan_export(&title, &backup, kind).map(|_| Outcome {
                        succeeded: false,
                        headline: "Nothing was exported".into(),
                        details: vec!["Ask again: the export was not planned.".into()],
                        advice: None,
                    }),
                };
                self.view = match exported {
                    Ok(outcome) => View::Result(outcome),
                    Err(refusal) => {
                        View::Result(Outcome::from_refusal("Nothing was exported", refusal))
                    }
                };
                // A save written into a TWiLight slot joins the list.
                self.generation = None;
            }
            Pending::RestoreAfter {
                title,
                backup,
                mut questions,
            } => {
                if questions.is_empty() {
                    return self.confirmed_action(Pending::Restore { title, backup }, model);
                }
                let question = questions.remove(0);
                let facts = self.restore_facts(&title, &backup, None);
                self.view = View::Confirm(Confirm {
                    action: Pending::RestoreAfter {
                        title,
                        backup,
                        questions,
                    },
                    headline: question.headline,
                    lines: question.lines,
                    yes_label: question.yes_label,
                    facts,
                });
            }
            Pending::Delete {
                title,
                backup,
                name,
            } => match model.delete_backup(&title, &backup) {
                Ok(()) => {
                    self.say(format!("Deleted \"{name}\"."));
                    self.view = View::Backups;
                    self.load_backups(model, &title);
                }
                Err(refusal) => {
                    self.return_to = Return::Backups;
                    self.view =
                        View::Result(Outcome::from_refusal("The backup was not deleted", refusal));
                }
            },
        }
    }

    /// The form of the export being asked about, if one is.
    fn export_kind(&self) -> Option<ExportKind> {
        match &self.view {
            View::Confirm(Confirm {
                action: Pending::Export { kind, .. },
                ..
            }) => Some(*kind),
            _ => None,
        }
    }

    /// Whether the question asked is an export of the cartridge's own save
    /// (asked from the title list, so answering returns there).
    fn exporting_cartridge(&self) -> bool {
        matches!(
            &self.view,
            View::Confirm(Confirm {
                action: Pending::Export { backup, .. },
                ..
            }) if backup.is_cartridge()
        )
    }

    /// Asks where to export a backup, naming the destination of `kind`.
    fn ask_export(
        &mut self,
        model: &mut dyn AppModel,
        title: TitleKey,
        backup: BackupKey,
        kind: ExportKind,
    ) {
        let planned = model.plan_export(&title, &backup, kind);
        let facts = self.export_facts(
            &backup,
            kind,
            planned.as_deref().map_err(|r| r.reason.as_str()),
        );
        let (lines, destination) = match planned {
            Ok(destination) => (
                vec![
                    format!("As {}, to", kind.describe()),
                    destination.clone(),
                    "Left/Right: another form (flashcart .sav, DeSmuME .dsv, TWiLight Menu++'s save of the ROM).".into(),
                ],
                Some(destination),
            ),
            Err(refusal) => (
                vec![
                    format!("As {}: not possible.", kind.describe()),
                    refusal.reason,
                    refusal.advice,
                    "Left/Right: another form.".into(),
                ],
                None,
            ),
        };
        let yes_label = if destination.is_some() {
            "Export"
        } else {
            "Try"
        };
        let (return_to, headline) = if backup.is_cartridge() {
            (Return::Titles, "Export the cartridge's save?")
        } else {
            (Return::Backups, "Export this save?")
        };
        self.return_to = return_to;
        self.view = View::Confirm(Confirm {
            action: Pending::Export {
                title,
                backup,
                kind,
                destination,
            },
            headline: headline.into(),
            lines,
            yes_label,
            facts,
        });
    }

    fn on_find_saves_row(&self) -> bool {
        matches!(self.view, View::Settings { cursor, .. } if cursor == FIND_SAVES_ROW)
    }

    /// "Find saves on the SD card", from the settings.
    fn start_find_saves(&mut self, model: &mut dyn AppModel) {
        self.return_to = Return::Titles;
        match model.start_find_saves() {
            Ok(()) => {
                self.view = View::Job(JobView {
                    kind: JobKind::FindSaves,
                    title_name: "the SD card for saves".into(),
                    progress: Progress::default(),
                    cancel_requested: false,
                    facts: Vec::new(),
                });
            }
            Err(refusal) => {
                self.view =
                    View::Result(Outcome::from_refusal("The search could not start", refusal));
            }
        }
    }

    fn step_job(&mut self, model: &mut dyn AppModel) {
        let View::Job(job) = &mut self.view else {
            return;
        };
        match model.step_job() {
            Some(JobStatus::Running(progress)) => job.progress = progress,
            Some(JobStatus::BatchFinished(outcome)) => {
                self.cancel_hold = 0;
                self.result_title = None;
                self.view = View::Batch(super::batch::Batch::done(outcome));
                self.generation = None;
            }
            Some(JobStatus::Finished(outcome)) => {
                self.cancel_hold = 0;
                // The search's result is titled by what it was, not by the
                // end of "Searching the SD card for saves".
                self.result_title = Some(if job.kind == JobKind::FindSaves {
                    "Find saves on the SD card".into()
                } else {
                    job.title_name.clone()
                });
                self.view = View::Result(outcome);
                // The job changed the backups: show them fresh afterwards.
                self.generation = None;
            }
            None => {
                self.view = View::Result(Outcome {
                    succeeded: false,
                    headline: "The job stopped without a report".into(),
                    details: vec!["Keepsake lost track of the running job.".into()],
                    advice: Some("Check the backup list before trying again.".into()),
                });
                self.generation = None;
            }
        }
    }
}

/// Orders names the way people read them: letters without regard to case,
/// runs of digits by their value ("Game 2" before "Game 10").
///
/// It allocates nothing: a list change re-sorts every title inside one frame.
pub(crate) fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    let (mut a, mut b) = (a, b);
    loop {
        let (Some(x), Some(y)) = (a.chars().next(), b.chars().next()) else {
            // The shorter name first when one is a prefix of the other.
            return (!a.is_empty()).cmp(&!b.is_empty());
        };
        if x.is_ascii_digit() && y.is_ascii_digit() {
            let (digits_a, rest_a) = split_digit_run(a);
            let (digits_b, rest_b) = split_digit_run(b);
            let (ta, tb) = (
                digits_a.trim_start_matches('0'),
                digits_b.trim_start_matches('0'),
            );
            let order = ta.len().cmp(&tb.len()).then_with(|| ta.cmp(tb));
            if order.is_ne() {
                return order;
            }
            (a, b) = (rest_a, rest_b);
        } else {
            let order = x.to_lowercase().cmp(y.to_lowercase());
            if order.is_ne() {
                return order;
            }
            (a, b) = (&a[x.len_utf8()..], &b[y.len_utf8()..]);
        }
    }
}

/// The leading run of ASCII digits of `s`, and the rest.
fn split_digit_run(s: &str) -> (&str, &str) {
    let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    s.split_at(end)
}
