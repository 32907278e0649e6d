//! What each screen lets the user do, as one list per screen state: the
//! touch buttons and the help line are both made from it, so a button and
//! the help line always name an action in the same words ("R+A restore"
//! and a "Restore" button), and a screen offers only what can work there
//! (no Restore for a folder that only holds backups, no Delete for a save
//! found outside the backup folders).

use super::display::{BOTTOM_WIDTH, TextSize};
use super::model::{BackupOrigin, JobKind, TitleSource};
use super::state::{Action, Confirm, FIND_SAVES_ROW, Pending, TouchButton, Ui, View};

/// One thing a screen lets the user do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Control {
    /// The keys that do it, as the help line names them (`L+A`, `Hold B`).
    pub keys: &'static str,
    /// What it does, as its button says it (`Restore`, `Save & back`); the
    /// help line says the same in lower case.
    pub label: &'static str,
    /// The button's action; `None` for what is done on the screen itself
    /// (moving through a list: a tap on a row does it).
    pub action: Option<Action>,
}

const fn button(keys: &'static str, label: &'static str, action: Action) -> Control {
    Control {
        keys,
        label,
        action: Some(action),
    }
}

/// The width of the help line's text: the whole bottom screen but a pixel
/// each side.
pub(crate) const HELP_WIDTH: u16 = BOTTOM_WIDTH - 2;
/// Characters of small text the help line holds.
const HELP_CHARS: usize = (HELP_WIDTH / TextSize::Small.advance()) as usize;

impl Ui {
    /// What the current screen lets the user do, left to right.
    pub(crate) fn controls(&self) -> Vec<Control> {
        match &self.view {
            View::Titles => {
                let source = self.selected_title().map(|t| t.source);
                let mut controls = Vec::new();
                // A filter can leave the list empty: nothing to open then.
                if source.is_some() {
                    controls.push(button("A", "Open", Action::Open));
                }
                if source.is_some_and(|s| s != TitleSource::BackupsOnly) {
                    controls.push(button("L+A", "Backup", Action::Backup));
                }
                if source == Some(TitleSource::NdsCartridge) {
                    // Exports the cartridge's own save, read from its chip.
                    controls.push(button("Y", "Export", Action::Export));
                } else if source.is_some() {
                    // Marks a favourite (the cartridge always comes first).
                    // "Star", not "Favourite": the help line must fit.
                    controls.push(button("X", "Star", Action::Favourite));
                }
                controls.push(button("SELECT", "Settings", Action::Settings));
                controls.push(button("START", "Exit", Action::Exit));
                controls
            }
            View::Backups => {
                let title = self.open_title_info();
                // A folder that only holds backups takes no new ones and
                // restores none.
                let live = title.is_none_or(|t| t.source != TitleSource::BackupsOnly);
                // Nor does a side the title has no archive for (no extdata).
                let live = live && self.missing_archive.is_none();
                // A 3DS title's save data / extdata switch, before Back.
                let switch = self.switch_control();
                match self.selected_backup() {
                    // "New backup": A makes one named by the date, Y one
                    // named with the keyboard.
                    None if live => [
                        button("A", "Backup", Action::Backup),
                        button("Y", "Name", Action::BackupNamed),
                    ]
                    .into_iter()
                    .chain(switch)
                    .chain([button("B", "Back", Action::Back)])
                    .collect(),
                    None => switch
                        .into_iter()
                        .chain([button("B", "Back", Action::Back)])
                        .collect(),
                    Some(backup) => {
                        let mut controls = Vec::new();
                        if live {
                            controls.push(button("L+A", "Backup", Action::Backup));
                            controls.push(button("R+A", "Restore", Action::Restore));
                        }
                        if title.is_some_and(|t| t.is_nds()) {
                            controls.push(button("Y", "Export", Action::Export));
                        }
                        if !matches!(backup.origin, BackupOrigin::Found { .. }) {
                            controls.push(button("X", "Delete", Action::Delete));
                        }
                        controls.extend(switch);
                        controls.push(button("B", "Back", Action::Back));
                        controls
                    }
                }
            }
            View::Settings { cursor, .. } => vec![
                Control {
                    keys: "Up/Down",
                    label: "Choose",
                    action: None,
                },
                if *cursor == FIND_SAVES_ROW {
                    button("A", "Search", Action::ChangeSetting(1))
                } else {
                    button("A", "Change", Action::ChangeSetting(1))
                },
                button("B", "Save & back", Action::Back),
            ],
            View::Confirm(Confirm {
                action: Pending::Export { .. },
                yes_label,
                ..
            }) => vec![
                button("Left/Right", "Other form", Action::ChangeSetting(1)),
                button("A", yes_label, Action::Yes),
                button("B", "Cancel", Action::No),
            ],
            View::Confirm(confirm) => vec![
                button("A", confirm.yes_label, Action::Yes),
                button("B", "Cancel", Action::No),
            ],
            // Cancelling needs the button held (see `Ui::handle_input`).
            View::Job(job) if job.kind.cancellable() => {
                vec![button("Hold B", "Cancel", Action::CancelJob)]
            }
            View::Job(_) => Vec::new(),
            View::Result(_) => vec![button("A", "Continue", Action::Dismiss)],
            // Only what can work now is offered.
            View::Unfinished(info) if info.put_back.is_ok() => vec![
                button("A", "Put back", Action::PutBack),
                button("X", "Keep as is", Action::KeepAsIs),
                button("B", "Later", Action::Later),
            ],
            View::Unfinished(_) => vec![
                button("X", "Keep as is", Action::KeepAsIs),
                button("B", "Later", Action::Later),
            ],
            View::Batch(batch) => Self::batch_controls(batch),
        }
    }

    /// The touch buttons of the current screen, left to right.
    pub(crate) fn touch_buttons(&self) -> Vec<TouchButton> {
        self.controls()
            .into_iter()
            .filter_map(|c| Some((c.label, c.action?)))
            .collect()
    }

    /// The help line: each control's keys and, in lower case, its button's
    /// words (`A open  L+A backup`). A screen without controls says what
    /// is going on instead.
    pub(crate) fn help_line(&self) -> String {
        let controls = self.controls();
        if controls.is_empty() {
            // Every kind named, so that a new job says what it waits for.
            let job = match &self.view {
                View::Job(job) => match job.kind {
                    JobKind::Backup => "backup",
                    JobKind::Restore => "restore",
                    JobKind::FindSaves => "search",
                    JobKind::Export => "export",
                },
                _ => "job",
            };
            return format!("The buttons wait until the {job} has finished");
        }
        let entries: Vec<String> = controls
            .iter()
            .map(|c| format!("{} {}", c.keys, lower_first(c.label)))
            .collect();
        // Two spaces between entries when they fit; one when a screen has
        // many (the keys are capitals, so each entry still stands out).
        let wide = entries.join("  ");
        if wide.chars().count() <= HELP_CHARS {
            wide
        } else {
            entries.join(" ")
        }
    }
}

/// `Save & back` as the help line says it: `save & back`.
fn lower_first(label: &str) -> String {
    let mut chars = label.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_lowercase().chain(chars).collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_help_line_fits_its_bar() {
        // 318 pixels of 6-pixel characters.
        assert_eq!(HELP_CHARS, 53);
        assert_eq!(lower_first("Save & back"), "save & back");
        assert_eq!(lower_first("It is, restore"), "it is, restore");
    }
}
