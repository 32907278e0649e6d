//! Finding a title's backups: Checkpoint-style folders under the configured
//! root (and Checkpoint's own root when the configured one differs), and
//! for NDS cards TWLSaveTool's files. Shared and SpotPass extdata have
//! JKSM's folders instead (see [`crate::store::system_folders`]).

use crate::platform::sd::join;
use crate::platform::{ArchiveKind, SdCard, SdError};
use crate::store::naming::{
    CHECKPOINT_EXTDATA, CHECKPOINT_SAVES, TWLSAVETOOL_DIR, twlsavetool_stem,
};
use crate::store::system_folders::{
    JKSM_BOSS_EXTDATA, JKSM_SHARED_EXTDATA, boss_extdata_folder, shared_extdata_folder,
};
use crate::store::{BackupTitle, Config, StoreError};

/// Which tool's layout a backup is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackupSource {
    /// A folder under a Checkpoint-style title folder.
    Folder,
    /// A single TWLSaveTool `.sav` file.
    TwlSaveTool,
    /// A save file found where a flashcart, TWiLight Menu++ or an emulator
    /// keeps it (see [`crate::store::found_saves`]), matched to a game by
    /// the ROM beside it or its name (`Some` game code), or by nothing
    /// (`None`: offered only after the user confirmed it).
    Found {
        /// The game code that matched it, as four ASCII bytes.
        game_code: Option<[u8; 4]>,
    },
}

/// One backup on the SD card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupEntry {
    /// The folder or file name shown to people.
    pub name: String,
    /// Its full path.
    pub path: String,
    /// Its layout.
    pub source: BackupSource,
}

fn roots(config: &Config, kind: ArchiveKind) -> Vec<String> {
    let (configured, checkpoint) = match kind {
        // A DSiWare save goes where Checkpoint puts it: its saves folder.
        ArchiveKind::SaveData | ArchiveKind::DsiWareSave => (&config.saves_root, CHECKPOINT_SAVES),
        ArchiveKind::ExtData => (&config.extdata_root, CHECKPOINT_EXTDATA),
        ArchiveKind::SharedExtData => return vec![JKSM_SHARED_EXTDATA.to_owned()],
        ArchiveKind::BossExtData => return vec![JKSM_BOSS_EXTDATA.to_owned()],
    };
    let mut roots = vec![configured.clone()];
    if configured != checkpoint {
        roots.push(checkpoint.to_owned());
    }
    roots
}

/// The name of `title`'s folder for `kind`'s backups.
fn folder_name(title: &BackupTitle, kind: ArchiveKind) -> String {
    match (kind, title) {
        (ArchiveKind::SharedExtData, BackupTitle::Ctr { title_id, .. }) => {
            shared_extdata_folder(*title_id)
        }
        (ArchiveKind::BossExtData, BackupTitle::Ctr { short_title, .. }) => {
            boss_extdata_folder(short_title)
        }
        _ => title.folder_name(),
    }
}

/// The folder new backups of `title` go to.
pub fn title_dir(config: &Config, title: &BackupTitle, kind: ArchiveKind) -> String {
    join(&roots(config, kind)[0], &folder_name(title, kind))
}

fn list_or_empty(
    sd: &mut dyn SdCard,
    dir: &str,
) -> Result<Vec<crate::platform::SdEntry>, StoreError> {
    match sd.list(dir) {
        Ok(entries) => Ok(entries),
        Err(SdError::NotFound { .. }) => Ok(Vec::new()),
        Err(e) => Err(e.into()),
    }
}

/// `title`'s backups, newest name first (Checkpoint's order), folders
/// before TWLSaveTool files.
pub fn list_backups(
    sd: &mut dyn SdCard,
    config: &Config,
    title: &BackupTitle,
    kind: ArchiveKind,
) -> Result<Vec<BackupEntry>, StoreError> {
    let mut found = Vec::new();
    for root in roots(config, kind) {
        let dir = join(&root, &folder_name(title, kind));
        let mut folders: Vec<BackupEntry> = list_or_empty(sd, &dir)?
            .into_iter()
            .filter(|e| e.is_dir)
            .map(|e| BackupEntry {
                path: join(&dir, &e.name),
                name: e.name,
                source: BackupSource::Folder,
            })
            .collect();
        folders.sort_by(|a, b| b.name.cmp(&a.name));
        found.extend(folders);
    }
    if let (BackupTitle::Nds { header_title, .. }, ArchiveKind::SaveData, true) =
        (title, kind, config.read_twlsavetool)
    {
        let stem = twlsavetool_stem(header_title);
        for e in list_or_empty(sd, TWLSAVETOOL_DIR)? {
            if !e.is_dir && is_twlsavetool_name(&e.name, &stem) {
                found.push(BackupEntry {
                    path: join(TWLSAVETOOL_DIR, &e.name),
                    name: e.name,
                    source: BackupSource::TwlSaveTool,
                });
            }
        }
    }
    Ok(found)
}

/// `<stem>.sav` or `<stem>.<digits>.sav`.
pub fn is_twlsavetool_name(name: &str, stem: &str) -> bool {
    let Some(rest) = name.strip_prefix(stem).and_then(|r| r.strip_suffix(".sav")) else {
        return false;
    };
    rest.is_empty()
        || rest
            .strip_prefix('.')
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{PowerSupply, SimSd};

    #[test]
    fn folders_from_both_roots_and_twlsavetool_files_are_listed() {
        let mut sd = SimSd::new(1 << 20, PowerSupply::new());
        let title = BackupTitle::Nds {
            game_code: "ASNE".into(),
            header_title: "SONICDASH".into(),
        };
        for dir in [
            "/3ds/Checkpoint/saves/ASNE SONICDASH/20250101-000000",
            "/3ds/Checkpoint/saves/ASNE SONICDASH/20260101-000000",
            "/backups/ASNE SONICDASH/mine",
            "/3ds/Checkpoint/saves/AXXE OTHER/20260101-000000",
        ] {
            sd.create_dir_all(dir).unwrap();
        }
        sd.create_dir_all(TWLSAVETOOL_DIR).unwrap();
        for f in [
            "SONICDASH.sav",
            "SONICDASH.2.sav",
            "SONICDASHX.sav",
            "OTHER.sav",
        ] {
            sd.write(&join(TWLSAVETOOL_DIR, f), b"x").unwrap();
        }
        let config = Config {
            saves_root: "/backups".into(),
            ..Config::default()
        };
        let names: Vec<String> = list_backups(&mut sd, &config, &title, ArchiveKind::SaveData)
            .unwrap()
            .into_iter()
            .map(|e| e.name)
            .collect();
        assert_eq!(
            names,
            [
                "mine",
                "20260101-000000",
                "20250101-000000",
                "SONICDASH.2.sav",
                "SONICDASH.sav"
            ]
        );
        assert_eq!(
            title_dir(&config, &title, ArchiveKind::SaveData),
            "/backups/ASNE SONICDASH"
        );
    }
}
