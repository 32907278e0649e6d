//! What matters for a decision, as the bottom screen lists it beside the
//! buttons that make it: the backup a question is about (its name, date,
//! size and origin), what a restore overwrites and where the current save
//! goes first, where an export is written. Each is a label and a value in
//! the same words the top screen uses.

use super::model::{ArchiveKind, BackupInfo, BackupKey, ExportKind, TitleInfo, TitleKey};
use super::state::{Fact, Ui};
use super::theme::format_size;

/// The backup itself: its name, when it was made, its size and origin.
pub(crate) fn backup_facts(backup: &BackupInfo) -> Vec<Fact> {
    let mut facts = vec![("Backup", backup.name.clone())];
    if let Some(created) = backup.created {
        facts.push(("Made", created.to_string()));
    }
    facts.push(("Size", format_size(backup.size)));
    facts.push(("From", backup.origin.to_string()));
    facts
}

/// A title as a restore or a backup names it: `MOSS KNIGHT, EEPROM 8 KiB`.
fn title_and_save(title: &TitleInfo) -> String {
    match &title.save_kind {
        Some(kind) => format!("{}, {kind}", title.name),
        None => title.name.clone(),
    }
}

/// The last part of a path: the folder name of an automatic backup.
fn last_part(path: &str) -> &str {
    path.trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(path)
}

impl Ui {
    fn title_info(&self, key: &TitleKey) -> Option<&TitleInfo> {
        self.titles.iter().find(|t| &t.key == key)
    }

    /// A restore of `backup` onto `title`: the backup, what it overwrites
    /// and, when known, the automatic backup made first.
    pub(crate) fn restore_facts(
        &self,
        title: &TitleKey,
        backup: &BackupKey,
        automatic_backup: Option<&str>,
    ) -> Vec<Fact> {
        let mut facts = self
            .backups
            .iter()
            .find(|b| &b.key == backup)
            .map(backup_facts)
            .unwrap_or_default();
        if let Some(title) = self.title_info(title) {
            facts.push(("Onto", self.title_and_side(title)));
        }
        if let Some(path) = automatic_backup {
            facts.push(("Saved first", last_part(path).to_string()));
        }
        facts
    }

    /// A running restore: the backup and what it overwrites.
    pub(crate) fn restore_job_facts(&self, title: &TitleKey, backup: &BackupKey) -> Vec<Fact> {
        let mut facts = Vec::new();
        if let Some(backup) = self.backups.iter().find(|b| &b.key == backup) {
            facts.push(("Backup", backup.name.clone()));
        }
        if let Some(title) = self.title_info(title) {
            facts.push(("Onto", self.title_and_side(title)));
        }
        facts
    }

    /// The title and what of it a job acts on: its save's kind, or its
    /// extdata when the backup list shows that side.
    fn title_and_side(&self, title: &TitleInfo) -> String {
        match self.archive_kind {
            ArchiveKind::ExtData => format!("{}, extdata", title.name),
            ArchiveKind::SaveData
            | ArchiveKind::SharedExtData
            | ArchiveKind::BossExtData
            | ArchiveKind::DsiWareSave => title_and_save(title),
        }
    }

    /// A backup of `title` about to be made into `root`, named `name` (by
    /// the date and time when `None`).
    pub(crate) fn backup_job_facts(
        &self,
        title: &TitleKey,
        root: Option<&str>,
        name: Option<&str>,
    ) -> Vec<Fact> {
        let mut facts = Vec::new();
        if self.archive_kind == ArchiveKind::ExtData {
            // Extdata goes to its own root, not the saves root chosen.
            facts.push(("Of", "the extdata".to_string()));
        } else if let Some(kind) = self.title_info(title).and_then(|t| t.save_kind.clone()) {
            facts.push(("Save", kind));
        }
        let root = root.filter(|_| self.archive_kind == ArchiveKind::SaveData);
        if let Some(root) = root {
            facts.push(("Into", root.to_string()));
        }
        facts.push((
            "Name",
            name.map_or_else(|| "the date and time".to_string(), str::to_string),
        ));
        facts
    }

    /// An export of `backup` as `kind`: what is exported and where it goes,
    /// or why it cannot.
    pub(crate) fn export_facts(
        &self,
        backup: &BackupKey,
        kind: ExportKind,
        destination: Result<&str, &str>,
    ) -> Vec<Fact> {
        let what = if backup.is_cartridge() {
            "the save on the cartridge's chip".to_string()
        } else {
            self.backups
                .iter()
                .find(|b| &b.key == backup)
                .map_or_else(String::new, |b| b.name.clone())
        };
        let mut facts = vec![("Save", what), ("As", kind.describe().to_string())];
        match destination {
            Ok(path) => facts.push(("To", path.to_string())),
            Err(reason) => facts.push(("Not possible", reason.to_string())),
        }
        facts
    }
}

#[cfg(test)]
mod tests {
    use super::last_part;

    #[test]
    fn the_automatic_backup_is_named_by_its_folder() {
        assert_eq!(
            last_part("/3ds/Checkpoint/saves/AMKE MOSS KNIGHT/20261121-180400-auto"),
            "20261121-180400-auto"
        );
        assert_eq!(last_part("/a/b/"), "b");
        assert_eq!(last_part("plain"), "plain");
    }
}
