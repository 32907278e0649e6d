//! Drawing each screen into the display list.
//!
//! Top screen: a header bar, then what the selection is about (a title's
//! details, a backup's details, a question, a job's progress, a result),
//! and a notice line at the foot. Bottom screen: a header, the list (or the
//! job's short status), the touch buttons and the help line.

use super::archive_switch::side_name;
use super::controls::HELP_WIDTH;
use super::display::{Align, BOTTOM_WIDTH, DrawCmd, Frame, SCREEN_HEIGHT, TOP_WIDTH, TextSize};
use super::model::{ArchiveKind, BackupOrigin, JobKind, TitleInfo, TitleSource, UnfinishedInfo};
use super::palette::Role;
use super::settings;
use super::state::{Fact, ListCursor, Ui, View};
use super::theme::*;

/// Appends commands to one screen's list.
struct Painter<'a> {
    cmds: &'a mut Vec<DrawCmd>,
}

impl Painter<'_> {
    /// A title row's source badge ("NDS CARD", "BACKUPS") at the row's
    /// right end, in the title list and the batch marking list alike;
    /// returns the width it takes from the name.
    pub(super) fn row_badge(&mut self, y: u16, badge: &'static str) -> u16 {
        let w = 56;
        let x = BOTTOM_WIDTH - SCROLLBAR_WIDTH - w - 4;
        self.rect(x, y + 4, w, ROW_HEIGHT - 8, Role::Badge);
        self.text_full(
            x + w / 2,
            y + 6,
            badge,
            TextSize::Small,
            Role::BadgeText,
            Align::Center,
            None,
        );
        w + 4
    }

    fn rect(&mut self, x: u16, y: u16, w: u16, h: u16, color: Role) {
        self.cmds.push(DrawCmd::Rect {
            x: x as i16,
            y: y as i16,
            w,
            h,
            color,
        });
    }

    fn text(&mut self, x: u16, y: u16, text: impl Into<String>, size: TextSize, color: Role) {
        self.text_full(x, y, text, size, color, Align::Left, None);
    }

    fn text_clipped(
        &mut self,
        x: u16,
        y: u16,
        text: impl Into<String>,
        size: TextSize,
        color: Role,
        max: u16,
    ) {
        self.text_full(x, y, text, size, color, Align::Left, Some(max));
    }

    #[allow(clippy::too_many_arguments)]
    fn text_full(
        &mut self,
        x: u16,
        y: u16,
        text: impl Into<String>,
        size: TextSize,
        color: Role,
        align: Align,
        max_width: Option<u16>,
    ) {
        self.cmds.push(DrawCmd::Text {
            x: x as i16,
            y: y as i16,
            text: text.into(),
            size,
            color,
            align,
            max_width,
        });
    }

    fn header(&mut self, width: u16, left: impl Into<String>, right: impl Into<String>) {
        self.rect(0, 0, width, HEADER_HEIGHT, Role::Bar);
        let left = left.into();
        let left_max = width / 2 + 60;
        // The right side has what the left leaves, so neither is cut
        // while there is room.
        let left_width = (left.chars().count() as u16 * TextSize::Normal.advance()).min(left_max);
        let right_max = width.saturating_sub(left_width + 24).max(width / 2 - 70);
        self.text_clipped(6, 4, left, TextSize::Normal, Role::Text, left_max);
        self.text_full(
            width - 6,
            4,
            right,
            TextSize::Normal,
            Role::DimText,
            Align::Right,
            Some(right_max),
        );
    }

    /// The bottom screen's heading as two tabs (a 3DS title's save data
    /// and extdata), `active` raised and followed by its count; a tap on
    /// either half shows it.
    fn tabs(&mut self, labels: [&str; 2], active: usize, count: usize) {
        self.rect(0, 0, BOTTOM_WIDTH, HEADER_HEIGHT, Role::Bar);
        let half = BOTTOM_WIDTH / 2;
        for (i, label) in labels.into_iter().enumerate() {
            let x = half * i as u16;
            let (text, colour) = if i == active {
                self.rect(x + 2, 2, half - 4, HEADER_HEIGHT - 2, Role::Button);
                (format!("{label} ({count})"), Role::Text)
            } else {
                (label.to_string(), Role::DimText)
            };
            self.text_full(
                x + half / 2,
                4,
                text,
                TextSize::Normal,
                colour,
                Align::Center,
                Some(half - 8),
            );
        }
    }

    /// A label and its value on one line of the top screen.
    fn field(&mut self, y: u16, label: &str, value: impl Into<String>) {
        self.text(16, y, label, TextSize::Normal, Role::DimText);
        self.text_clipped(120, y, value, TextSize::Normal, Role::Text, TOP_WIDTH - 136);
    }

    /// Lines of wrapped prose starting at `y`, `width` pixels wide; returns
    /// the y after them.
    fn paragraph(&mut self, x: u16, y: u16, text: &str, color: Role, width: u16) -> u16 {
        self.paragraph_sized(x, y, text, TextSize::Normal, color, width)
    }

    /// Like [`Self::paragraph`] in any size. Lines that would run into the
    /// foot of the screen (where notices go) are left out.
    fn paragraph_sized(
        &mut self,
        x: u16,
        y: u16,
        text: &str,
        size: TextSize,
        color: Role,
        width: u16,
    ) -> u16 {
        self.paragraph_until(x, y, text, size, color, width, PARAGRAPH_BOTTOM)
    }

    /// Like [`Self::paragraph_sized`], leaving out lines that would reach
    /// below `limit`.
    #[allow(clippy::too_many_arguments)]
    fn paragraph_until(
        &mut self,
        x: u16,
        mut y: u16,
        text: &str,
        size: TextSize,
        color: Role,
        width: u16,
        limit: u16,
    ) -> u16 {
        let chars = usize::from(width / size.advance());
        let step = size.line_height() + size.line_height() / 4;
        for line in wrap(text, chars) {
            if y + size.line_height() > limit {
                break;
            }
            self.text_clipped(x, y, line, size, color, width);
            y += step;
        }
        y
    }

    /// What matters for a decision on the bottom screen, from `y`: each
    /// label with its value beside it, wrapped (paths after a `/`), above
    /// the buttons. Returns the y after them.
    fn facts(&mut self, y: u16, facts: &[Fact]) -> u16 {
        self.facts_until(y, facts, FACTS_BOTTOM)
    }

    /// [`Self::facts`], stopping above `bottom`.
    fn facts_until(&mut self, mut y: u16, facts: &[Fact], bottom: u16) -> u16 {
        let width = BOTTOM_WIDTH - FACT_VALUE_X - 8;
        for (label, value) in facts {
            if y + TextSize::Normal.line_height() > bottom {
                break;
            }
            self.text(8, y, *label, TextSize::Normal, Role::DimText);
            // A value with a part longer than the column (a file name in a
            // path) goes under its label, the screen's whole width.
            let chars = usize::from(width / TextSize::Normal.advance());
            let (x, y0, w) = if wrap(value, chars).iter().any(|l| l.chars().count() > chars) {
                (
                    16,
                    y + TextSize::Normal.line_height() + 3,
                    BOTTOM_WIDTH - 24,
                )
            } else {
                (FACT_VALUE_X, y, width)
            };
            y = self.paragraph_until(x, y0, value, TextSize::Normal, Role::Text, w, bottom) + 2;
        }
        y
    }

    fn scrollbar(&mut self, cursor: &ListCursor, len: usize) {
        if len <= VISIBLE_ROWS {
            return;
        }
        let track = ROW_HEIGHT * VISIBLE_ROWS as u16;
        let thumb = ((track as usize * VISIBLE_ROWS) / len).max(14) as u16;
        let top = ((track - thumb) as usize * cursor.scroll / (len - VISIBLE_ROWS)) as u16;
        let x = BOTTOM_WIDTH - SCROLLBAR_WIDTH;
        self.rect(x, LIST_TOP, SCROLLBAR_WIDTH, track, Role::Panel);
        self.rect(
            x + 1,
            LIST_TOP + top,
            SCROLLBAR_WIDTH - 2,
            thumb,
            Role::DimText,
        );
    }
}

// The marking and result screens of a backup of several titles.
#[path = "batch_draw.rs"]
mod batch_draw;

/// Where prose stops, above the notice line.
const PARAGRAPH_BOTTOM: u16 = SCREEN_HEIGHT - 22;

/// The top screen's settings rows, one under the other: tight enough that
/// six rows, three lines of what the selected one does and the note (three
/// lines under System data) fit above the notice line.
const SETTING_PITCH: u16 = 14;
/// Where the bottom screen's facts and prose stop, above the buttons.
const FACTS_BOTTOM: u16 = BUTTON_BAR_TOP - 2;
/// Where a fact's value starts on the bottom screen, after its label.
const FACT_VALUE_X: u16 = 104;
/// Where a setting's value starts on the bottom screen, after its label.
const SETTING_VALUE_X: u16 = 100;

/// Splits `text` into lines of at most `width` characters at spaces; a
/// path in it (from a `/` that starts a word to a `:`, `,` or `;`, or a `.`
/// ending a sentence) breaks only after one of its slashes, so a folder
/// name ("AMKE MOSS KNIGHT") is never split. A piece longer than a line is
/// left whole, for the renderer to cut.
fn wrap(text: &str, width: usize) -> Vec<String> {
    // Pieces end where a line may break: after a space outside a path,
    // after a slash inside one.
    let mut pieces: Vec<String> = Vec::new();
    let mut piece = String::new();
    let mut in_path = false;
    let mut chars = text.chars().peekable();
    let mut after_space = true;
    while let Some(c) = chars.next() {
        if c == '/' && after_space {
            in_path = true;
        } else if in_path
            && (matches!(c, ':' | ',' | ';')
                || (c == '.' && chars.peek().is_none_or(|n| *n == ' ')))
        {
            in_path = false;
        }
        piece.push(c);
        after_space = c == ' ';
        if (c == ' ' && !in_path) || (c == '/' && in_path) {
            pieces.push(std::mem::take(&mut piece));
        }
    }
    if !piece.is_empty() {
        pieces.push(piece);
    }
    let mut lines = Vec::new();
    let mut line = String::new();
    for piece in pieces {
        let needed = line.chars().count() + piece.trim_end().chars().count();
        if !line.trim_end().is_empty() && needed > width {
            lines.push(line.trim_end().to_string());
            line.clear();
        }
        line.push_str(&piece);
    }
    if !line.trim_end().is_empty() {
        lines.push(line.trim_end().to_string());
    }
    lines
}

impl Ui {
    pub(crate) fn draw(&self, out: &mut Frame) {
        let mut top = Painter { cmds: &mut out.top };
        let mut bottom = Painter {
            cmds: &mut out.bottom,
        };
        top.rect(0, 0, TOP_WIDTH, SCREEN_HEIGHT, Role::Background);
        bottom.rect(0, 0, BOTTOM_WIDTH, SCREEN_HEIGHT, Role::Background);

        let slot = match self.all_titles.first() {
            Some(t) if t.source.is_cartridge() => format!("Cartridge: {}", t.name),
            _ => "No cartridge".to_string(),
        };
        match &self.view {
            View::Titles => {
                top.header(TOP_WIDTH, "Keepsake", slot);
                match self.selected_title() {
                    Some(title) => self.draw_title_details(&mut top, title),
                    None if self.nothing_shown().is_some() => {
                        let text = self.nothing_shown().unwrap_or_default();
                        top.paragraph(16, 40, &text, Role::Text, TOP_WIDTH - 32);
                    }
                    None => {
                        top.paragraph(
                            16,
                            40,
                            "No titles found. Insert a cartridge, or install a title on the SD card.",
                            Role::Text,
                            TOP_WIDTH - 32,
                        );
                    }
                }
                bottom.header(BOTTOM_WIDTH, self.filter_heading(), self.sort_heading());
                self.draw_title_list(&mut bottom);
            }
            View::Backups => {
                let title = self.open_title_info();
                // A 3DS title's header says which side is shown.
                let right = if self.switchable() {
                    format!("{} backups", side_name(self.archive_kind))
                } else {
                    slot
                };
                top.header(
                    TOP_WIDTH,
                    title.map_or("Backups", |t| t.name.as_str()),
                    right,
                );
                self.draw_backup_details(&mut top, title);
                if self.switchable() {
                    bottom.tabs(
                        [ArchiveKind::SaveData, ArchiveKind::ExtData].map(side_name),
                        usize::from(self.archive_kind == ArchiveKind::ExtData),
                        self.backups.len(),
                    );
                } else {
                    bottom.header(BOTTOM_WIDTH, "Backups", format!("{}", self.backups.len()));
                }
                self.draw_backup_list(&mut bottom);
            }
            View::Settings { cursor, draft } => {
                top.header(TOP_WIDTH, "Settings", slot);
                bottom.header(BOTTOM_WIDTH, "Settings", "");
                let rows = settings::rows(draft);
                // The same rows in the same words on both screens: the top
                // marks the one selected below and says what it does.
                for (i, row) in rows.iter().enumerate() {
                    let y = 30 + SETTING_PITCH * i as u16;
                    if i == *cursor {
                        top.rect(8, y - 2, TOP_WIDTH - 16, SETTING_PITCH, Role::Panel);
                    }
                    top.field(y, row.label, row.value.clone());
                    let y = LIST_TOP + ROW_HEIGHT * i as u16;
                    let value_colour = if i == *cursor {
                        bottom.rect(0, y, BOTTOM_WIDTH, ROW_HEIGHT, Role::Highlight);
                        Role::Text
                    } else {
                        Role::DimText
                    };
                    bottom.text(8, y + 5, row.label, TextSize::Normal, Role::Text);
                    bottom.text_clipped(
                        SETTING_VALUE_X,
                        y + 5,
                        row.value.clone(),
                        TextSize::Normal,
                        value_colour,
                        BOTTOM_WIDTH - SETTING_VALUE_X - 6,
                    );
                }
                // Tight enough that three lines of what the row does and
                // the note below fit above the notice line.
                let below = 30 + SETTING_PITCH * rows.len() as u16 + 4;
                let about = rows.get(*cursor).map_or("", |r| r.about);
                let y = top.paragraph(16, below, about, Role::Text, TOP_WIDTH - 32) + 4;
                // Where backups go: Checkpoint's folders, but JKSM's for the
                // shared and SpotPass extdata Checkpoint does not back up.
                let note = if *cursor == settings::SYSTEM_DATA_ROW {
                    "System saves go to Checkpoint's folders, shared and SpotPass extdata to \
                     JKSM's: each app restores the other's."
                } else {
                    "Backups go to Checkpoint's folders: Checkpoint and Keepsake restore each \
                     other's backups."
                };
                top.paragraph(16, y, note, Role::DimText, TOP_WIDTH - 32);
            }
            View::Confirm(confirm) => {
                top.header(TOP_WIDTH, confirm.headline.clone(), slot);
                top.rect(8, 28, TOP_WIDTH - 16, 4, Role::Danger);
                let mut y = 42;
                for line in &confirm.lines {
                    y = top.paragraph(16, y, line, Role::Text, TOP_WIDTH - 32) + 4;
                }
                bottom.header(BOTTOM_WIDTH, confirm.headline.clone(), "");
                bottom.rect(8, LIST_TOP + 4, BOTTOM_WIDTH - 16, 3, Role::Danger);
                bottom.facts(LIST_TOP + 14, &confirm.facts);
            }
            View::Job(job) => {
                let (verb, colour) = match job.kind {
                    JobKind::Backup => ("Backing up", Role::Highlight),
                    JobKind::Restore => ("Restoring", Role::Danger),
                    JobKind::FindSaves => ("Searching", Role::Highlight),
                    JobKind::Export => ("Exporting", Role::Highlight),
                };
                top.header(TOP_WIDTH, format!("{verb} {}", job.title_name), slot);
                top.rect(8, 28, TOP_WIDTH - 16, 4, colour);
                let stage = if job.cancel_requested {
                    "Cancelling...".to_string()
                } else if job.progress.stage.is_empty() {
                    "Starting...".to_string()
                } else {
                    job.progress.stage.clone()
                };
                top.text(16, 48, stage.clone(), TextSize::Large, Role::Text);
                let p = &job.progress;
                top.cmds.push(DrawCmd::Progress {
                    x: 16,
                    y: 84,
                    w: TOP_WIDTH - 32,
                    h: 20,
                    done: p.bytes_done,
                    total: p.bytes_total,
                    fill: Role::ProgressFill,
                    track: Role::ProgressTrack,
                });
                let below = top.paragraph(16, 112, &p.detail, Role::Text, TOP_WIDTH - 32);
                if job.kind == JobKind::Restore {
                    top.paragraph(
                        16,
                        below.max(128) + 10,
                        "Do not take the cartridge out or turn the console off until the restore has finished.",
                        Role::DimText,
                            TOP_WIDTH - 32,
                        );
                }
                bottom.header(BOTTOM_WIDTH, format!("{verb}..."), "");
                // What the job works on, then how far it is.
                // Above the percentage.
                bottom.facts_until(LIST_TOP + 8, &job.facts[..job.facts.len().min(3)], 88);
                let percent = (p.bytes_done * 100).checked_div(p.bytes_total).unwrap_or(0);
                bottom.text_full(
                    BOTTOM_WIDTH / 2,
                    90,
                    format!("{percent}%"),
                    TextSize::Large,
                    Role::Text,
                    Align::Center,
                    None,
                );
                bottom.cmds.push(DrawCmd::Progress {
                    x: 40,
                    y: 114,
                    w: BOTTOM_WIDTH - 80,
                    h: 10,
                    done: p.bytes_done,
                    total: p.bytes_total,
                    fill: Role::ProgressFill,
                    track: Role::ProgressTrack,
                });
                bottom.text_full(
                    BOTTOM_WIDTH / 2,
                    130,
                    stage,
                    TextSize::Small,
                    Role::DimText,
                    Align::Center,
                    Some(BOTTOM_WIDTH - 16),
                );
                // The progress in the save's terms, whole: on two lines.
                let chars = usize::from((BOTTOM_WIDTH - 16) / TextSize::Small.advance());
                for (i, line) in wrap(&p.detail, chars).into_iter().take(2).enumerate() {
                    bottom.text_full(
                        BOTTOM_WIDTH / 2,
                        143 + 11 * i as u16,
                        line,
                        TextSize::Small,
                        Role::Text,
                        Align::Center,
                        Some(BOTTOM_WIDTH - 16),
                    );
                }
                if job.kind == JobKind::Restore {
                    bottom.paragraph_until(
                        12,
                        170,
                        "Keep the cartridge in and the console on.",
                        TextSize::Normal,
                        Role::DangerText,
                        BOTTOM_WIDTH - 24,
                        FACTS_BOTTOM,
                    );
                }
                if job.kind.cancellable() && self.cancel_hold > 0 && !job.cancel_requested {
                    bottom.cmds.push(DrawCmd::Progress {
                        x: 40,
                        y: 170,
                        w: BOTTOM_WIDTH - 80,
                        h: 8,
                        done: u64::from(self.cancel_hold),
                        total: u64::from(super::state::CANCEL_HOLD_FRAMES),
                        fill: Role::Danger,
                        track: Role::ProgressTrack,
                    });
                    bottom.text_full(
                        BOTTOM_WIDTH / 2,
                        182,
                        "Keep holding to cancel",
                        TextSize::Small,
                        Role::DimText,
                        Align::Center,
                        None,
                    );
                }
            }
            View::Unfinished(info) => self.draw_unfinished(&mut top, &mut bottom, info, slot),
            View::Batch(batch) => self.draw_batch(&mut top, &mut bottom, batch, slot),
            View::Result(outcome) => {
                // The header names the game; the bar's colour and the
                // headline say how it went.
                let colour = if outcome.succeeded {
                    Role::Success
                } else {
                    Role::Danger
                };
                let label = self
                    .result_title
                    .clone()
                    .or_else(|| self.open_title_info().map(|t| t.name.clone()))
                    .or_else(|| self.selected_title().map(|t| t.name.clone()))
                    .unwrap_or_else(|| "Keepsake".to_string());
                top.header(TOP_WIDTH, label.clone(), slot);
                top.rect(8, 28, TOP_WIDTH - 16, 4, colour);
                let mut y = top.paragraph_sized(
                    16,
                    40,
                    &outcome.headline,
                    TextSize::Large,
                    Role::Text,
                    TOP_WIDTH - 32,
                ) + 4;
                for line in &outcome.details {
                    y = top.paragraph(16, y, line, Role::Text, TOP_WIDTH - 32);
                }
                if let Some(advice) = &outcome.advice {
                    y += 6;
                    let heading = if outcome.succeeded {
                        Role::Text
                    } else {
                        Role::DangerText
                    };
                    top.text(16, y, "What to do", TextSize::Normal, heading);
                    top.paragraph(16, y + 16, advice, Role::Text, TOP_WIDTH - 32);
                }
                // Below: how it went and what to do next (or, when all is
                // well, what was done), beside the button that goes on.
                bottom.header(BOTTOM_WIDTH, label, "");
                bottom.rect(8, LIST_TOP + 4, BOTTOM_WIDTH - 16, 3, colour);
                let width = BOTTOM_WIDTH - 24;
                let mut y = bottom.paragraph_until(
                    12,
                    LIST_TOP + 14,
                    &outcome.headline,
                    TextSize::Normal,
                    Role::Text,
                    width,
                    FACTS_BOTTOM,
                ) + 6;
                match &outcome.advice {
                    Some(advice) => {
                        let heading = if outcome.succeeded {
                            Role::Text
                        } else {
                            Role::DangerText
                        };
                        bottom.text(12, y, "What to do", TextSize::Normal, heading);
                        bottom.paragraph_until(
                            12,
                            y + 16,
                            advice,
                            TextSize::Normal,
                            Role::Text,
                            width,
                            FACTS_BOTTOM,
                        );
                    }
                    None => {
                        // Whole sentences only: the first that does not
                        // fit ends the list (the top screen has them all).
                        let chars = usize::from(width / TextSize::Normal.advance());
                        let step =
                            TextSize::Normal.line_height() + TextSize::Normal.line_height() / 4;
                        for line in &outcome.details {
                            let lines = wrap(line, chars).len() as u16;
                            if y + step * lines.saturating_sub(1) + TextSize::Normal.line_height()
                                > FACTS_BOTTOM
                            {
                                break;
                            }
                            y = bottom.paragraph_until(
                                12,
                                y,
                                line,
                                TextSize::Normal,
                                Role::DimText,
                                width,
                                FACTS_BOTTOM,
                            );
                        }
                    }
                }
            }
        }

        // Touch buttons and the help line.
        let buttons = self.touch_buttons();
        for (i, (label, _)) in buttons.iter().enumerate() {
            let (x, w) = button_span(i, buttons.len());
            bottom.rect(
                x + 2,
                BUTTON_BAR_TOP,
                w - 4,
                BUTTON_BAR_HEIGHT,
                Role::Button,
            );
            bottom.text_full(
                x + w / 2,
                BUTTON_BAR_TOP + 6,
                *label,
                TextSize::Normal,
                Role::Text,
                Align::Center,
                Some(w - 6),
            );
        }
        bottom.rect(0, HELP_TOP, BOTTOM_WIDTH, HELP_HEIGHT, Role::Panel);
        bottom.text_full(
            BOTTOM_WIDTH / 2,
            HELP_TOP + 3,
            self.help_line(),
            TextSize::Small,
            Role::DimText,
            Align::Center,
            Some(HELP_WIDTH),
        );
        let browsing = matches!(self.view, View::Titles | View::Backups);
        if let (Some(warning), true, None) = (&self.warning, browsing, &self.notice) {
            top.rect(0, SCREEN_HEIGHT - 36, TOP_WIDTH, 36, Role::Notice);
            let chars = usize::from((TOP_WIDTH - 16) / TextSize::Normal.advance());
            for (i, line) in wrap(warning, chars).into_iter().take(2).enumerate() {
                top.text_clipped(
                    8,
                    SCREEN_HEIGHT - 33 + 16 * i as u16,
                    line,
                    TextSize::Normal,
                    Role::Text,
                    TOP_WIDTH - 16,
                );
            }
        }
        if let Some((notice, _)) = &self.notice {
            top.rect(0, SCREEN_HEIGHT - 20, TOP_WIDTH, 20, Role::Notice);
            top.text_clipped(
                8,
                SCREEN_HEIGHT - 16,
                notice.clone(),
                TextSize::Normal,
                Role::Text,
                TOP_WIDTH - 16,
            );
        }
    }

    /// A restore that did not finish: what happened and where the save as
    /// it was is on top; the choices, and why putting back must wait when
    /// it must, below.
    fn draw_unfinished(
        &self,
        top: &mut Painter<'_>,
        bottom: &mut Painter<'_>,
        info: &UnfinishedInfo,
        slot: String,
    ) {
        top.header(TOP_WIDTH, "Unfinished restore", slot);
        top.rect(8, 28, TOP_WIDTH - 16, 4, Role::Danger);
        let mut y = top.paragraph_sized(
            16,
            40,
            &info.headline,
            TextSize::Large,
            Role::Text,
            TOP_WIDTH - 32,
        ) + 4;
        for line in &info.lines {
            y = top.paragraph(16, y, line, Role::Text, TOP_WIDTH - 32) + 2;
        }
        // Below: what each button does (and why putting back must wait,
        // when it must), the choice's facts.
        bottom.header(BOTTOM_WIDTH, "Unfinished restore", "");
        let mut choices: Vec<Fact> = Vec::new();
        match &info.put_back {
            Ok(()) => choices.push((
                "Put back",
                format!("the save as it was goes back into {}", info.destination),
            )),
            Err(refusal) => choices.push((
                "Putting back",
                format!("waits: {} {}", refusal.reason, refusal.advice),
            )),
        }
        choices.push((
            "Keep as is",
            "the save stays as the restore left it; the automatic backup stays listed".into(),
        ));
        choices.push((
            "Later",
            "nothing changes; the title keeps its warning".into(),
        ));
        bottom.facts(LIST_TOP + 8, &choices);
    }

    fn draw_title_details(&self, top: &mut Painter<'_>, title: &TitleInfo) {
        if let Some(icon) = &title.icon {
            top.rect(14, 34, 52, 52, Role::IconFrame);
            top.cmds.push(DrawCmd::Icon {
                x: 16,
                y: 36,
                w: 48,
                h: 48,
                image: icon.clone(),
            });
        }
        top.text_clipped(
            80,
            38,
            title.name.clone(),
            TextSize::Large,
            Role::Text,
            TOP_WIDTH - 96,
        );
        top.text_clipped(
            80,
            64,
            title.publisher.clone(),
            TextSize::Normal,
            Role::DimText,
            TOP_WIDTH - 96,
        );
        if self.favourite(&title.key) {
            super::finding::favourite_badge(top.cmds, 80, 84);
        }
        let mut y = 104;
        top.field(y, title.id_label, title.id_text.clone());
        y += 20;
        top.field(y, "Where", title.source.describe());
        y += 20;
        if let Some(kind) = &title.save_kind {
            top.field(y, "Save", kind.clone());
            y += 20;
        }
        top.field(
            y,
            "Backups",
            match title.backup_count {
                0 => "none yet".to_string(),
                1 => "1 backup".to_string(),
                n => format!("{n} backups"),
            },
        );
        // Said here: the help line below has no room left (`ui/batch.rs`).
        // A standing warning (over the foot of the screen) comes first.
        let hint_y = y + 24;
        if self.warning.is_none() || hint_y + TextSize::Normal.line_height() <= SCREEN_HEIGHT - 36 {
            top.text(
                16,
                hint_y,
                "L+Y: mark several titles to back up at once",
                TextSize::Normal,
                Role::DimText,
            );
        }
    }

    fn draw_title_list(&self, bottom: &mut Painter<'_>) {
        let cursor = &self.title_cursor;
        let visible = self
            .titles
            .iter()
            .enumerate()
            .skip(cursor.scroll)
            .take(VISIBLE_ROWS);
        for (row, (index, title)) in visible.enumerate() {
            let y = LIST_TOP + ROW_HEIGHT * row as u16;
            if index == cursor.selected {
                bottom.rect(
                    0,
                    y,
                    BOTTOM_WIDTH - SCROLLBAR_WIDTH,
                    ROW_HEIGHT,
                    Role::Highlight,
                );
            }
            if let Some(icon) = &title.icon {
                bottom.cmds.push(DrawCmd::Icon {
                    x: 3,
                    y: y as i16 + 1,
                    w: 20,
                    h: 20,
                    image: icon.clone(),
                });
            }
            if self.favourite(&title.key) {
                super::finding::favourite_pip(bottom.cmds, 15, y + 1);
            }
            let mut name_width = BOTTOM_WIDTH - 36;
            if let Some(badge) = title.source.badge() {
                name_width -= bottom.row_badge(y, badge);
            }
            bottom.text_clipped(
                28,
                y + 5,
                title.name.clone(),
                TextSize::Normal,
                Role::Text,
                name_width,
            );
        }
        bottom.scrollbar(cursor, self.titles.len());
    }

    fn draw_backup_details(&self, top: &mut Painter<'_>, title: Option<&TitleInfo>) {
        let backups_only = title.is_some_and(|t| t.source == TitleSource::BackupsOnly);
        match self.selected_backup() {
            None if backups_only => {
                top.text(16, 36, "Backups only", TextSize::Large, Role::Text);
                top.paragraph(
                    16,
                    64,
                    "This title is not installed and no cartridge of it is inserted: \
                     its backups can be looked at and deleted, not restored.",
                    Role::Text,
                    TOP_WIDTH - 32,
                );
            }
            // A GBA game's save that cannot be used (`app/gba.rs`).
            None if self.missing_archive.is_some()
                && self.archive_kind == ArchiveKind::SaveData =>
            {
                top.text(16, 36, "Nothing to back up", TextSize::Large, Role::Text);
                let why = self.missing_archive.clone().unwrap_or_default();
                top.paragraph(16, 64, &why, Role::Text, TOP_WIDTH - 32);
            }
            None if self.missing_archive.is_some() => {
                top.text(16, 36, "No extdata", TextSize::Large, Role::Text);
                let why = self.missing_archive.clone().unwrap_or_default();
                let y = top.paragraph(16, 64, &why, Role::Text, TOP_WIDTH - 32) + 8;
                top.paragraph(
                    16,
                    y,
                    "Press Left for the title's save data.",
                    Role::DimText,
                    TOP_WIDTH - 32,
                );
            }
            None if self.switchable() && self.archive_kind == ArchiveKind::ExtData => {
                top.text(16, 36, "New extdata backup", TextSize::Large, Role::Text);
                let what = title.map_or("this title", |t| t.name.as_str());
                top.paragraph(
                    16,
                    64,
                    &format!(
                        "Press A to back up the extdata of {what} now, into Checkpoint's extdata \
                         folder; the backup is named by the date and time. Press Y to type a name \
                         instead. Press Left for the save data."
                    ),
                    Role::Text,
                    TOP_WIDTH - 32,
                );
            }
            None => {
                top.text(16, 36, "New backup", TextSize::Large, Role::Text);
                let what = title.map_or("this title", |t| t.name.as_str());
                top.paragraph(
                    16,
                    64,
                    &format!(
                        "Press A to back up {what} now; the backup is named by the date and time. \
                         Press Y to type a name instead."
                    ),
                    Role::Text,
                    TOP_WIDTH - 32,
                );
                if let Some(kind) = title.and_then(|t| t.save_kind.as_ref()) {
                    top.field(130, "Save", kind.clone());
                }
            }
            Some(backup) => {
                top.text_clipped(
                    16,
                    36,
                    backup.name.clone(),
                    TextSize::Large,
                    Role::Text,
                    TOP_WIDTH - 32,
                );
                let mut y = 70;
                if let BackupOrigin::Found {
                    place,
                    restore,
                    path,
                } = &backup.origin
                {
                    // Not a backup: where it is, and what a restore does, in full.
                    top.field(y, "From", place.clone());
                    y += 20;
                    top.field(y, "Size", format_size(backup.size));
                    y += 20;
                    y = top.paragraph(16, y, &format!("File: {path}"), Role::Text, TOP_WIDTH - 32)
                        + 4;
                    y = top.paragraph(
                        16,
                        y,
                        &format!("Restore: {restore}"),
                        Role::Text,
                        TOP_WIDTH - 32,
                    ) + 10;
                    top.paragraph(
                        16,
                        y,
                        "Hold R and press A to restore it onto the cartridge, or press Y to export it. The file stays where it is.",
                        Role::DimText,
                        TOP_WIDTH - 32,
                    );
                    return;
                }
                top.field(
                    y,
                    "Made",
                    backup
                        .created
                        .map_or_else(|| "unknown".to_string(), |d| d.to_string()),
                );
                y += 20;
                top.field(y, "Size", format_size(backup.size));
                y += 20;
                top.field(y, "From", backup.origin.to_string());
                y += 30;
                // The keys in the words of the help line below.
                let nds = title.is_some_and(|t| t.is_nds());
                let hint = match (backups_only, nds) {
                    (true, true) => {
                        "Press X to delete it. Press Y to export it. Restoring needs the title installed or its cartridge inserted."
                    }
                    (true, false) => {
                        "Press X to delete it. Restoring needs the title installed or its cartridge inserted."
                    }
                    (false, true) => {
                        "Hold R and press A to restore it; press Y to export it or X to delete it."
                    }
                    (false, false) if self.archive_kind == ArchiveKind::ExtData => {
                        "Hold R and press A to restore this extdata, or press X to delete it."
                    }
                    (false, false) => "Hold R and press A to restore it, or press X to delete it.",
                };
                top.paragraph(16, y, hint, Role::DimText, TOP_WIDTH - 32);
            }
        }
    }

    fn draw_backup_list(&self, bottom: &mut Painter<'_>) {
        let cursor = &self.backup_cursor;
        let rows = self.backups.len() + 1;
        for row in 0..VISIBLE_ROWS.min(rows - cursor.scroll) {
            let index = cursor.scroll + row;
            let y = LIST_TOP + ROW_HEIGHT * row as u16;
            if index == cursor.selected {
                bottom.rect(
                    0,
                    y,
                    BOTTOM_WIDTH - SCROLLBAR_WIDTH,
                    ROW_HEIGHT,
                    Role::Highlight,
                );
            }
            match index.checked_sub(1).and_then(|i| self.backups.get(i)) {
                // Nothing to back up on a side the title has no archive for.
                None if self.missing_archive.is_some() => {
                    let what = match self.archive_kind {
                        ArchiveKind::ExtData
                        | ArchiveKind::SharedExtData
                        | ArchiveKind::BossExtData => "No extdata to back up",
                        ArchiveKind::SaveData | ArchiveKind::DsiWareSave => "No save to back up",
                    };
                    bottom.text(8, y + 5, what, TextSize::Normal, Role::Text)
                }
                None => bottom.text(8, y + 5, "+ New backup", TextSize::Normal, Role::Text),
                Some(backup) => {
                    // Grey is too faint on the highlight: the selected row's
                    // second texts are white.
                    let second = if index == cursor.selected {
                        Role::Text
                    } else {
                        Role::DimText
                    };
                    // The name as everywhere else; its origin in a word and
                    // its size beside it, on the name's baseline.
                    bottom.text_clipped(
                        8,
                        y + 5,
                        backup.name.clone(),
                        TextSize::Normal,
                        Role::Text,
                        148,
                    );
                    bottom.text_clipped(
                        162,
                        y + 8,
                        backup.origin.short(),
                        TextSize::Small,
                        second,
                        80,
                    );
                    bottom.text_full(
                        BOTTOM_WIDTH - SCROLLBAR_WIDTH - 6,
                        y + 8,
                        format_size(backup.size),
                        TextSize::Small,
                        second,
                        Align::Right,
                        None,
                    );
                }
            }
        }
        bottom.scrollbar(cursor, rows);
    }
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn paths_wrap_after_a_slash_never_inside_a_folder_name() {
        assert_eq!(
            wrap(
                "/3ds/Checkpoint/saves/AMKE MOSS KNIGHT/20261121-180400-auto",
                40
            ),
            [
                "/3ds/Checkpoint/saves/AMKE MOSS KNIGHT/",
                "20261121-180400-auto"
            ]
        );
        assert_eq!(wrap("/a/b", 40), ["/a/b"]);
        // In prose: the words around it break at spaces, the path after a
        // slash, and the path ends at its colon.
        assert_eq!(
            wrap(
                "Restore the backup /3ds/Checkpoint/saves/AMKE MOSS KNIGHT/20261121-180400-auto: it holds the save.",
                30
            ),
            [
                "Restore the backup /3ds/",
                "Checkpoint/saves/",
                "AMKE MOSS KNIGHT/",
                "20261121-180400-auto: it holds",
                "the save.",
            ]
        );
    }

    #[test]
    fn wrap_breaks_at_spaces_within_the_width() {
        assert_eq!(
            wrap("one two three four", 9),
            vec!["one two", "three", "four"]
        );
        assert_eq!(wrap("short", 40), vec!["short"]);
        assert!(wrap("", 10).is_empty());
    }
}
