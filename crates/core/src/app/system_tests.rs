//! The console's own data on the screens, over the simulated console: not
//! listed until the setting asks for it, then a SYSTEM section the
//! "system" filter shows; backups into the folders Checkpoint and JKSM use
//! (written out by hand below), and a restore that asks once more, with
//! the warning, before anything is written.

use std::collections::BTreeMap;

use super::*;
use crate::sim::system_data::{GAMECOIN_DAT, SHARED_MIIS, SYSTEM_SETTINGS, install_system_data};

/// System Settings, 0004001000020000: unique id 0x00200.
const SETTINGS_DIR: &str = "/3ds/Checkpoint/saves/0x00200 System Settings";
/// Shared extdata 0xF000000B, as JKSM names its folder.
const MIIS_DIR: &str = "/JKSM/Shared Extra Data/00048000F000000B";
/// StreetPass Mii Plaza's SpotPass extdata, as JKSM names its folder.
const PLAZA_BOSS_DIR: &str = "/JKSM/BOSS Extra Data/StreetPass Mii Plaza";

fn settings_save() -> ArchiveId {
    ArchiveId {
        kind: ArchiveKind::SaveData,
        media: MediaType::Nand,
        title_id: SYSTEM_SETTINGS,
    }
}

fn console(nand_saves: bool) -> SimConsole {
    let mut console = demo::empty_console();
    demo::install_sample_titles(&mut console, 2);
    install_system_data(&mut console.titles, &mut console.archives);
    if nand_saves {
        console.sd.create_dir_all("/3ds/Keepsake").unwrap();
        console
            .sd
            .write("/3ds/Keepsake/config.json", br#"{"nand_saves": true}"#)
            .unwrap();
    }
    console
}

/// The files of the one backup folder in `title_folder`, by their path
/// inside it.
fn only_backup(rig: &mut Rig, title_folder: &str) -> BTreeMap<String, Vec<u8>> {
    let backups = rig.console().sd.list(title_folder).unwrap();
    assert_eq!(backups.len(), 1, "{backups:?}");
    let prefix = format!("{title_folder}/{}/", backups[0].name);
    rig.console()
        .sd
        .tree()
        .files()
        .iter()
        .filter_map(|(path, bytes)| {
            Some((format!("/{}", path.strip_prefix(&prefix)?), bytes.clone()))
        })
        .collect()
}

fn files(list: &[(&str, &[u8])]) -> BTreeMap<String, Vec<u8>> {
    list.iter()
        .map(|(path, bytes)| ((*path).to_owned(), bytes.to_vec()))
        .collect()
}

/// The app started on `console`, with the console's own data read (a
/// title or shared id per frame).
fn started(console: SimConsole) -> Rig {
    let mut rig = Rig::new(console, &[]);
    for _ in 0..20 {
        rig.idle();
    }
    rig
}

/// Moves the title list's cursor onto `name`.
fn select(rig: &mut Rig, name: &str) {
    for _ in 0..40 {
        if rig.highlighted().contains(&name) {
            return;
        }
        rig.press(Buttons::DOWN);
    }
    panic!("{name} is not in the list: {}", rig.text());
}

fn system_names(rig: &Rig) -> Vec<String> {
    rig.model
        .titles
        .iter()
        .filter(|t| t.source == crate::ui::model::TitleSource::System)
        .map(|t| t.name.clone())
        .collect()
}

#[test]
fn system_data_is_listed_only_once_the_setting_asks_for_it() {
    let mut rig = Rig::new(console(false), &[]);
    assert!(system_names(&rig).is_empty());
    assert!(!rig.text().contains("SYSTEM"), "{}", rig.text());

    // Settings: the fifth row, the same words on both screens.
    rig.press(Buttons::SELECT);
    for _ in 0..4 {
        rig.press(Buttons::DOWN);
    }
    let text = rig.text();
    assert_eq!(text.matches("System data").count(), 2, "{text}");
    assert_eq!(text.matches("not listed").count(), 2, "{text}");
    assert!(text.contains("can break"), "{text}");
    rig.press(Buttons::A);
    assert_eq!(rig.text().matches("listed, in a SYSTEM section").count(), 2);
    rig.press(Buttons::B);
    let config =
        String::from_utf8(rig.console().sd.read("/3ds/Keepsake/config.json").unwrap()).unwrap();
    assert!(config.contains("\"nand_saves\": true"), "{config}");

    // A frame a title: the section fills in over the next frames.
    for _ in 0..20 {
        rig.idle();
    }
    assert_eq!(
        system_names(&rig),
        [
            "System Settings",
            "StreetPass Mii Plaza",
            "StreetPass Mii Plaza (SpotPass)",
            "Camera photos (NAND)",
            "Miis, Play Coins and records",
        ]
    );
    // After the installed titles, with the SYSTEM badge.
    let shown: Vec<String> = rig.ui.titles.iter().map(|t| t.name.clone()).collect();
    let first_system = shown.iter().position(|n| n == "System Settings").unwrap();
    assert!(
        shown[..first_system].iter().any(|n| n == "Pocket Garden"),
        "{shown:?}"
    );
    select(&mut rig, "Miis, Play Coins and records");
    let text = rig.text();
    assert!(text.contains("SYSTEM"), "{text}");
    assert!(text.contains("Extdata ID F000000B"), "{text}");
    assert!(text.contains("the console's own data"), "{text}");

    // Off again: gone at once.
    rig.press(Buttons::SELECT);
    for _ in 0..4 {
        rig.press(Buttons::DOWN);
    }
    rig.press(Buttons::A);
    rig.press(Buttons::B);
    assert!(system_names(&rig).is_empty());
}

#[test]
fn the_system_filter_shows_the_system_section() {
    let mut rig = started(console(true));
    // R: all, cartridge, installed, system titles.
    for _ in 0..3 {
        rig.press(Buttons::R);
    }
    assert!(
        rig.text().contains("R: System titles (5)"),
        "{}",
        rig.text()
    );
    let shown: Vec<String> = rig.ui.titles.iter().map(|t| t.name.clone()).collect();
    assert_eq!(shown.len(), 5, "only the console's own data: {shown:?}");
    assert!(!shown.iter().any(|n| n == "Pocket Garden"), "{shown:?}");
    // The installed filter leaves it out.
    rig.press(Buttons::R);
    for _ in 0..3 {
        rig.press(Buttons::R);
    }
    assert!(rig.text().contains("R: Installed (2)"), "{}", rig.text());
}

#[test]
fn backups_land_in_checkpoints_and_jksms_folders() {
    let mut rig = started(console(true));
    for (name, folder, expected) in [
        (
            "System Settings",
            SETTINGS_DIR,
            files(&[("/config.bin", b"settings")]),
        ),
        (
            "Miis, Play Coins and records",
            MIIS_DIR,
            files(&[
                ("/gamecoin.dat", &GAMECOIN_DAT),
                ("/idb.dat", b"mii database"),
            ]),
        ),
        (
            "StreetPass Mii Plaza (SpotPass)",
            PLAZA_BOSS_DIR,
            files(&[("/boss/00000001", b"spotpass")]),
        ),
    ] {
        select(&mut rig, name);
        rig.combo(Buttons::L, Buttons::A);
        rig.finish_job();
        assert!(rig.text().contains("acked up"), "{name}: {}", rig.text());
        assert_eq!(only_backup(&mut rig, folder), expected, "{name}");
        rig.press(Buttons::A);
    }
    // Nothing of it went into a game's or Checkpoint's extdata folder.
    assert!(rig.console().sd.list("/3ds/Checkpoint/extdata").is_err());
}

#[test]
fn a_restore_of_system_data_warns_and_asks_once_more() {
    let mut console = console(true);
    // Checkpoint's backup of System Settings, by hand.
    let path = format!("{SETTINGS_DIR}/20250101-120000/config.bin");
    console
        .sd
        .create_dir_all(&path[..path.rfind('/').unwrap()])
        .unwrap();
    console.sd.write(&path, b"old settings").unwrap();
    let mut rig = started(console);
    select(&mut rig, "System Settings");
    rig.press(Buttons::A);
    let text = rig.text();
    assert!(text.contains("20250101-120000"), "{text}");
    // No save data / extdata switch: it is one archive.
    assert!(
        !rig.ui.help_line().contains("extdata"),
        "{}",
        rig.ui.help_line()
    );
    rig.press(Buttons::DOWN);
    rig.combo(Buttons::R, Buttons::A);
    let text = rig.text();
    assert!(
        text.contains("the system save data of System Settings, in the console's memory"),
        "{text}"
    );
    rig.press(Buttons::A);
    let text = rig.text();
    for expected in [
        "Restore the console's own data?",
        "can break the console's settings or features",
        "stop Home Menu from starting",
        "Restore anyway",
    ] {
        assert!(text.contains(expected), "{expected} missing from {text}");
    }
    // No at the warning: nothing written.
    let commits = rig.console().archives.commits();
    rig.press(Buttons::B);
    assert_eq!(rig.console().archives.commits(), commits);
    let now = rig.console().archives.committed(settings_save()).unwrap();
    assert_eq!(now.read("/config.bin").unwrap(), b"settings");

    // Yes at both: restored, committed, the old data kept first.
    rig.combo(Buttons::R, Buttons::A);
    rig.press(Buttons::A);
    rig.press(Buttons::A);
    rig.finish_job();
    assert!(
        rig.text().contains("Restored and verified"),
        "{}",
        rig.text()
    );
    let now = rig.console().archives.committed(settings_save()).unwrap();
    assert_eq!(now.read("/config.bin").unwrap(), b"old settings");
    assert_eq!(rig.console().archives.commits(), commits + 1);
    let autos: Vec<String> = rig
        .console()
        .sd
        .list(SETTINGS_DIR)
        .unwrap()
        .into_iter()
        .map(|e| e.name)
        .filter(|n| n.ends_with("-auto"))
        .collect();
    assert_eq!(autos.len(), 1);
    let auto = format!("{SETTINGS_DIR}/{}/config.bin", autos[0]);
    assert_eq!(rig.console().sd.read(&auto).unwrap(), b"settings");
}

#[test]
fn confirmations_off_still_ask_before_restoring_shared_extdata() {
    let mut console = console(true);
    console
        .sd
        .write(
            super::super::UI_SETTINGS_PATH,
            br#"{"confirm_restores": false}"#,
        )
        .unwrap();
    let path = format!("{MIIS_DIR}/jksm/gamecoin.dat");
    console
        .sd
        .create_dir_all(&path[..path.rfind('/').unwrap()])
        .unwrap();
    console.sd.write(&path, b"coins").unwrap();
    let mut rig = started(console);
    select(&mut rig, "Miis, Play Coins and records");
    rig.press(Buttons::A);
    rig.press(Buttons::DOWN);
    // A folder in JKSM's tree that Keepsake did not make is JKSM's.
    assert!(rig.text().contains("JKSM"), "{}", rig.text());
    rig.combo(Buttons::R, Buttons::A);
    let text = rig.text();
    assert!(text.contains("Restore the console's own data?"), "{text}");
    assert!(text.contains("Home Menu stops the console"), "{text}");
    rig.press(Buttons::A);
    rig.finish_job();
    let miis = ArchiveId {
        kind: ArchiveKind::SharedExtData,
        media: MediaType::Nand,
        title_id: SHARED_MIIS,
    };
    let now = rig.console().archives.committed(miis).unwrap();
    assert_eq!(now.files(), &files(&[("/gamecoin.dat", b"coins")]));
}

#[test]
fn shared_extdata_torn_by_a_power_cut_is_put_back_at_the_next_start() {
    use crate::jobs::{CtrRestoreJob, Step};
    use crate::platform::Console;
    use crate::store::{BackupEntry, BackupSource};

    let miis = ArchiveId {
        kind: ArchiveKind::SharedExtData,
        media: MediaType::Nand,
        title_id: SHARED_MIIS,
    };
    let fresh = || {
        let mut console = console(true);
        for (file, bytes) in [("gamecoin.dat", &b"coins"[..]), ("cfl.dat", b"miis")] {
            let path = format!("{MIIS_DIR}/wanted/{file}");
            console
                .sd
                .create_dir_all(&format!("{MIIS_DIR}/wanted"))
                .unwrap();
            console.sd.write(&path, bytes).unwrap();
        }
        console
    };
    let before = fresh().archives.committed(miis).unwrap().clone();
    let backup = BackupEntry {
        name: "wanted".into(),
        path: format!("{MIIS_DIR}/wanted"),
        source: BackupSource::Folder,
    };
    let mut put_back = 0;
    for cut in 1..60 {
        let mut console = fresh();
        console.power.cut_after_writes(cut);
        let mut job = CtrRestoreJob::new(miis, MIIS_DIR, backup.clone());
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
        let torn = console.archives.committed(miis).unwrap() != &before;
        let mut rig = started(console);
        if rig.ui.screen() != ScreenKind::Unfinished {
            assert!(!torn, "cut {cut}: torn shared extdata and no journal");
            continue;
        }
        let text = rig.text();
        assert!(text.contains("Miis, Play Coins and records"), "{text}");
        // The path wraps on screen: its two halves.
        assert!(
            text.contains("/JKSM/Shared Extra Data/00048000F000000B/"),
            "{text}"
        );
        assert!(text.contains("20261121-180400-auto"), "{text}");
        rig.press(Buttons::A);
        rig.finish_job();
        let now = rig.console().archives.committed(miis).unwrap().clone();
        assert_eq!(now, before, "cut {cut}");
        put_back += usize::from(torn);
    }
    assert!(put_back >= 2, "only {put_back} torn archives were put back");
}
