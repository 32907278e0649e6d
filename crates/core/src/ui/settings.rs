//! The settings screen's rows: each a label and its value in the words both
//! screens show (the top lists them with what the selected one does, the
//! bottom lets each be changed by touch), and how a row changes.

use super::model::{Settings, Theme};

/// One row of the settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SettingRow {
    pub label: &'static str,
    pub value: String,
    /// What it does, for the top screen while it is selected.
    pub about: &'static str,
}

/// Rows of the settings screen.
pub(crate) const SETTINGS_ROWS: usize = 6;
/// The rows that change a setting.
const BACKUP_ROOT_ROW: usize = 0;
const CONFIRM_ROW: usize = 1;
/// The settings row that starts "Find saves on the SD card".
pub(crate) const FIND_SAVES_ROW: usize = 2;
const THEME_ROW: usize = 3;
/// The settings row that lists the console's own data (Checkpoint's
/// "Show system (NAND) saves").
pub(crate) const SYSTEM_DATA_ROW: usize = 4;
/// The settings row that lists DSiWare titles (Checkpoint's "Show DSiWare
/// saves").
pub(crate) const DSIWARE_ROW: usize = 5;

/// The rows of `settings`, top to bottom.
pub(crate) fn rows(settings: &Settings) -> [SettingRow; SETTINGS_ROWS] {
    let root = settings
        .backup_roots
        .get(settings.backup_root)
        .map_or_else(|| "(none)".to_string(), String::clone);
    [
        SettingRow {
            label: "New backups",
            value: root,
            about: "The folder new backups go to; backups already made stay where they are. \
                    In Checkpoint's folder, Checkpoint can restore them too.",
        },
        SettingRow {
            label: "Restores",
            value: if settings.confirm_restores {
                "ask before every restore"
            } else {
                "start without asking"
            }
            .to_string(),
            about: "Whether a restore asks first. Either way it checks the backup and saves the \
                    current save before writing.",
        },
        SettingRow {
            label: "Find saves",
            value: "look on the SD card now".to_string(),
            about: "Find saves on the SD card: looks for DS ROMs and the saves beside them \
                    (TWiLight Menu++, flashcarts), so a cartridge's backup list offers them.",
        },
        SettingRow {
            label: "Theme",
            value: match settings.theme {
                Theme::Dark => "Dark",
                Theme::Light => "Light",
            }
            .to_string(),
            about: "Dark: light text on dark grounds. Light: dark text on light grounds, easier \
                    to read in a bright room. Both screens change at once.",
        },
        SettingRow {
            label: "System data",
            value: if settings.system_data {
                "listed, in a SYSTEM section"
            } else {
                "not listed"
            }
            .to_string(),
            // Checkpoint's "Show system (NAND) saves", and more.
            about: "System saves, shared extdata (Miis, Play Coins) and SpotPass extdata. A \
                    wrong restore can break the console.",
        },
        SettingRow {
            label: "DSiWare",
            value: if settings.dsiware {
                "shown, badged DSiWare"
            } else {
                "not shown"
            }
            .to_string(),
            // Checkpoint's "Show DSiWare saves".
            about: "DSiWare games in the console's memory. Their backups go where Checkpoint \
                    puts them, named by game code.",
        },
    ]
}

/// Changes row `row` of `settings` by `delta` steps (the action rows do
/// nothing here: the screen starts them).
pub(crate) fn change(settings: &mut Settings, row: usize, delta: isize) {
    match row {
        BACKUP_ROOT_ROW if !settings.backup_roots.is_empty() => {
            let count = settings.backup_roots.len() as isize;
            settings.backup_root =
                (settings.backup_root as isize + delta).rem_euclid(count) as usize;
        }
        CONFIRM_ROW => settings.confirm_restores = !settings.confirm_restores,
        // Two themes: either direction is the other one.
        THEME_ROW => {
            settings.theme = match settings.theme {
                Theme::Dark => Theme::Light,
                Theme::Light => Theme::Dark,
            }
        }
        SYSTEM_DATA_ROW => settings.system_data = !settings.system_data,
        DSIWARE_ROW => settings.dsiware = !settings.dsiware,
        _ => {}
    }
}
