//! The switch between a 3DS title's save data and its extdata on the
//! backup list, as Checkpoint's Save / Extdata switch: the list, the
//! backups made, the restores and the deletes all act on the side shown.
//!
//! Checkpoint (BernardoGiordano/Checkpoint `3ds/source/MainScreen.cpp`)
//! switches with X on its title list and with a tap on a Save / Extdata
//! control in the bottom screen's heading; its L and R back up and
//! restore. Here X marks a favourite and L+A / R+A back up and restore,
//! so the switch is a tap on the heading's two tabs, or Left (save data)
//! and Right (extdata) on the backup list, where they would otherwise
//! only page through a list that is rarely a page long. A title opens on
//! its save data, and the title list always backs up save data.

use super::controls::Control;
use super::model::{AppModel, ArchiveKind, TitleInfo, TitleSource};
use super::state::{Action, ListCursor, Ui};

/// Whether a title's backup list has the switch: every 3DS title (an NDS
/// game, or a GBA Virtual Console game, has one save and nothing else), but
/// not an entry of the console's own data, which is one archive each
/// (`app/system.rs`).
pub(crate) fn has_extdata_side(title: &TitleInfo) -> bool {
    !title.is_nds()
        && !matches!(
            title.source,
            TitleSource::GbaVc
                | TitleSource::MaybeGbaVc
                | TitleSource::System
                | TitleSource::DsiWare
        )
}

/// A side's name, as the tabs and the top screen's header say it.
pub(crate) fn side_name(kind: ArchiveKind) -> &'static str {
    match kind {
        ArchiveKind::SaveData => "Save data",
        ArchiveKind::ExtData => "Extdata",
        ArchiveKind::SharedExtData => "Shared extdata",
        ArchiveKind::BossExtData => "SpotPass extdata",
        ArchiveKind::DsiWareSave => "DSiWare save",
    }
}

/// What a side's backups hold, in a sentence (`the extdata of`).
pub(crate) fn side_words(kind: ArchiveKind) -> &'static str {
    match kind {
        ArchiveKind::SaveData | ArchiveKind::DsiWareSave => "save",
        ArchiveKind::ExtData | ArchiveKind::SharedExtData | ArchiveKind::BossExtData => "extdata",
    }
}

/// What the open title's backups hold, in a sentence: its side's words,
/// or "data" for an entry of the console's own data, which may be save
/// data or extdata.
pub(crate) fn open_side_words(title: Option<&TitleInfo>, kind: ArchiveKind) -> &'static str {
    match title {
        Some(title) if title.source == TitleSource::System => "data",
        _ => side_words(kind),
    }
}

impl Ui {
    /// Whether the open title's backup list switches between save data
    /// and extdata.
    pub(crate) fn switchable(&self) -> bool {
        self.open_title_info().is_some_and(has_extdata_side)
    }

    /// Shows `kind`'s backups of the open title (from its first row).
    pub(crate) fn show_kind(&mut self, kind: ArchiveKind, model: &mut dyn AppModel) {
        if !self.switchable() || self.archive_kind == kind {
            return;
        }
        self.set_kind(kind, model);
        self.backup_cursor = ListCursor::default();
        self.backups.clear();
        if let Some(key) = self.open_title.clone() {
            self.load_backups(model, &key);
        }
    }

    /// Back to save data: a title opens on it, and the title list backs
    /// up nothing else.
    pub(crate) fn reset_kind(&mut self, model: &mut dyn AppModel) {
        if self.archive_kind != ArchiveKind::SaveData {
            self.set_kind(ArchiveKind::SaveData, model);
            self.missing_archive = None;
        }
    }

    fn set_kind(&mut self, kind: ArchiveKind, model: &mut dyn AppModel) {
        self.archive_kind = kind;
        model.set_archive_kind(kind);
    }

    /// The key that shows the other side, named by that side: Right goes
    /// to the extdata tab on the right, Left back to save data.
    pub(crate) fn switch_control(&self) -> Option<Control> {
        if !self.switchable() {
            return None;
        }
        // "Saves", not "Save data": five buttons share the bar.
        let (keys, label, kind) = match self.archive_kind {
            ArchiveKind::SaveData => ("Right", "Extdata", ArchiveKind::ExtData),
            _ => ("Left", "Saves", ArchiveKind::SaveData),
        };
        Some(Control {
            keys,
            label,
            action: Some(Action::ShowKind(kind)),
        })
    }
}
