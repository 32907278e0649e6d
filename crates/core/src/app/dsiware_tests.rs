//! DSiWare on the screens, over the simulated console: not listed until the
//! "DSiWare saves" setting asks for it, then each TWL title by its ROM
//! header's name with a DSiWare badge; a backup into the folder Checkpoint
//! uses (written out by hand below), a restore of Checkpoint's backup after
//! the usual confirmation, a title without a `data` folder explained, and
//! a restore torn by a power cut put back at the next start.

use std::collections::BTreeMap;

use super::*;
use crate::sim::dsiware::{FLIPBOOK, dsiware_archive, install_dsiware};

/// FLIPBOOK (game code KGUE in its ROM header), as Checkpoint names its
/// folder.
const FLIPBOOK_DIR: &str = "/3ds/Checkpoint/saves/KGUE FLIPBOOK";

fn console(dsiware_saves: bool) -> SimConsole {
    let mut console = demo::empty_console();
    demo::install_sample_titles(&mut console, 2);
    install_dsiware(&mut console.titles, &mut console.archives);
    if dsiware_saves {
        console.sd.create_dir_all("/3ds/Keepsake").unwrap();
        console
            .sd
            .write("/3ds/Keepsake/config.json", br#"{"dsiware_saves": true}"#)
            .unwrap();
    }
    console
}

fn files(list: &[(&str, &[u8])]) -> BTreeMap<String, Vec<u8>> {
    list.iter()
        .map(|(path, bytes)| ((*path).to_owned(), bytes.to_vec()))
        .collect()
}

/// The app started on `console`, with the TWL titles read (one a frame).
fn started(console: SimConsole) -> Rig {
    let mut rig = Rig::new(console, &[]);
    for _ in 0..10 {
        rig.idle();
    }
    rig
}

fn select(rig: &mut Rig, name: &str) {
    for _ in 0..20 {
        if rig.highlighted().contains(&name) {
            return;
        }
        rig.press(Buttons::DOWN);
    }
    panic!("{name} is not in the list: {}", rig.text());
}

fn dsiware_names(rig: &Rig) -> Vec<String> {
    rig.model
        .titles
        .iter()
        .filter(|t| t.source == crate::ui::model::TitleSource::DsiWare)
        .map(|t| t.name.clone())
        .collect()
}

fn flipbook_now(rig: &mut Rig) -> BTreeMap<String, Vec<u8>> {
    rig.console()
        .archives
        .committed(dsiware_archive(FLIPBOOK))
        .unwrap()
        .files()
        .clone()
}

#[test]
fn dsiware_is_listed_only_once_the_setting_asks_for_it() {
    let mut rig = started(console(false));
    assert!(dsiware_names(&rig).is_empty());
    assert!(!rig.text().contains("DSiWare"), "{}", rig.text());

    // Settings: the sixth row, the same words on both screens.
    rig.press(Buttons::SELECT);
    for _ in 0..5 {
        rig.press(Buttons::DOWN);
    }
    let text = rig.text();
    assert_eq!(rig.highlighted(), ["DSiWare", "not shown"]);
    assert_eq!(text.matches("not shown").count(), 2, "{text}");
    rig.press(Buttons::A);
    assert_eq!(rig.text().matches("shown, badged DSiWare").count(), 2);
    rig.press(Buttons::B);
    let config =
        String::from_utf8(rig.console().sd.read("/3ds/Keepsake/config.json").unwrap()).unwrap();
    // Checkpoint's own key for its "Show DSiWare saves".
    assert!(config.contains("\"dsiware_saves\": true"), "{config}");

    for _ in 0..10 {
        rig.idle();
    }
    // Named by their ROM headers; the DSi data title is left out.
    assert_eq!(dsiware_names(&rig), ["DESK TOOL", "FLIPBOOK"]);
    select(&mut rig, "FLIPBOOK");
    let text = rig.text();
    assert!(text.contains("DSiWare"), "{text}");
    assert!(text.contains("000480044B475545 (KGUE)"), "{text}");

    // Off again: gone at once.
    rig.press(Buttons::SELECT);
    for _ in 0..5 {
        rig.press(Buttons::DOWN);
    }
    rig.press(Buttons::A);
    rig.press(Buttons::B);
    assert!(dsiware_names(&rig).is_empty());
}

#[test]
fn a_backup_holds_the_data_folders_files_in_checkpoints_folder() {
    let mut rig = started(console(true));
    select(&mut rig, "FLIPBOOK");
    rig.combo(Buttons::L, Buttons::A);
    rig.finish_job();
    assert!(rig.text().contains("Backed up"), "{}", rig.text());
    let backups = rig.console().sd.list(FLIPBOOK_DIR).unwrap();
    assert_eq!(backups.len(), 1, "{backups:?}");
    let folder = format!("{FLIPBOOK_DIR}/{}", backups[0].name);
    let sd = rig.console().sd.tree().files().clone();
    let kept: BTreeMap<String, Vec<u8>> = sd
        .iter()
        .filter_map(|(path, bytes)| {
            Some((
                format!("/{}", path.strip_prefix(&format!("{folder}/"))?),
                bytes.clone(),
            ))
        })
        .collect();
    // The bytes the simulated title holds, written out by hand.
    assert_eq!(
        kept,
        files(&[
            (
                "/public.sav",
                &[
                    0x46, 0x4C, 0x49, 0x50, 0x01, 0x00, 0x00, 0x00, 0x10, 0x20, 0x30, 0x40, 0xAA,
                    0xBB, 0xCC, 0xDD
                ]
            ),
            (
                "/private.sav",
                &[0x50, 0x52, 0x49, 0x56, 0x00, 0x01, 0x02, 0x03]
            ),
            ("/banner.sav", &[0x42, 0x4E, 0x52, 0x01]),
        ])
    );
}

#[test]
fn checkpoints_backup_restores_after_the_confirmation() {
    let mut console = console(true);
    let folder = format!("{FLIPBOOK_DIR}/20250101-120000");
    console.sd.create_dir_all(&folder).unwrap();
    for (file, bytes) in [
        ("public.sav", &[0x5A; 64][..]),
        ("banner.sav", &[0x01, 0x02]),
    ] {
        console
            .sd
            .write(&format!("{folder}/{file}"), bytes)
            .unwrap();
    }
    let mut rig = started(console);
    select(&mut rig, "FLIPBOOK");
    rig.press(Buttons::A);
    let text = rig.text();
    assert!(text.contains("20250101-120000"), "{text}");
    // One save: no save data / extdata switch.
    assert!(
        !rig.ui.help_line().contains("xtdata"),
        "{}",
        rig.ui.help_line()
    );
    rig.press(Buttons::DOWN);
    rig.combo(Buttons::R, Buttons::A);
    let text = rig.text();
    assert!(
        text.contains("the DSiWare save of FLIPBOOK, in the console's memory"),
        "{text}"
    );
    // No at the confirmation: nothing written.
    let writes = rig.console().power.writes();
    rig.press(Buttons::B);
    assert_eq!(rig.console().power.writes(), writes);

    rig.combo(Buttons::R, Buttons::A);
    rig.press(Buttons::A);
    rig.finish_job();
    assert!(
        rig.text().contains("Restored and verified"),
        "{}",
        rig.text()
    );
    assert!(!rig.text().contains("Committed"), "{}", rig.text());
    assert_eq!(
        flipbook_now(&mut rig),
        files(&[("/public.sav", &[0x5A; 64]), ("/banner.sav", &[0x01, 0x02])])
    );
    // The save as it was, kept first beside the backup.
    let autos: Vec<String> = rig
        .console()
        .sd
        .list(FLIPBOOK_DIR)
        .unwrap()
        .into_iter()
        .map(|e| e.name)
        .filter(|n| n.ends_with("-auto"))
        .collect();
    assert_eq!(autos.len(), 1, "{autos:?}");
}

#[test]
fn a_title_without_a_data_folder_says_so_and_writes_nothing() {
    let mut rig = started(console(true));
    select(&mut rig, "DESK TOOL");
    assert!(
        rig.text().contains("none (no data folder)"),
        "{}",
        rig.text()
    );
    // Its backup list offers nothing to back up.
    rig.press(Buttons::A);
    assert!(rig.text().contains("No save to back up"), "{}", rig.text());
    rig.press(Buttons::B);
    let writes = rig.console().power.writes();
    rig.combo(Buttons::L, Buttons::A);
    rig.finish_job();
    let text = rig.text();
    assert!(
        text.contains("DESK TOOL has no save to back up or restore"),
        "{text}"
    );
    assert!(text.contains("data folder does not exist"), "{text}");
    // Plain words: no archive debug output.
    assert!(!text.contains("ArchiveId"), "{text}");
    assert_eq!(rig.console().power.writes(), writes);
    assert!(
        rig.console()
            .sd
            .list("/3ds/Checkpoint/saves/KDTE DESK TOOL")
            .unwrap_or_default()
            .is_empty()
    );
}

#[test]
fn a_restore_torn_by_a_power_cut_is_put_back_at_the_next_start() {
    use crate::jobs::{CtrRestoreJob, Step};
    use crate::platform::Console;
    use crate::store::{BackupEntry, BackupSource};

    let archive = dsiware_archive(FLIPBOOK);
    let fresh = || {
        let mut console = console(true);
        let folder = format!("{FLIPBOOK_DIR}/wanted");
        console.sd.create_dir_all(&folder).unwrap();
        for (file, bytes) in [("public.sav", &b"wanted public"[..]), ("banner.sav", b"wb")] {
            console
                .sd
                .write(&format!("{folder}/{file}"), bytes)
                .unwrap();
        }
        console
    };
    let before = fresh().archives.committed(archive).unwrap().clone();
    let backup = BackupEntry {
        name: "wanted".into(),
        path: format!("{FLIPBOOK_DIR}/wanted"),
        source: BackupSource::Folder,
    };
    let mut put_back = 0;
    for cut in 1..60 {
        let mut console = fresh();
        console.power.cut_after_writes(cut);
        let mut job = CtrRestoreJob::new(archive, FLIPBOOK_DIR, backup.clone());
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
        let torn = console.archives.committed(archive).unwrap() != &before;
        let mut rig = started(console);
        if rig.ui.screen() != ScreenKind::Unfinished {
            assert!(!torn, "cut {cut}: a torn DSiWare save and no journal");
            continue;
        }
        let text = rig.text();
        assert!(text.contains("FLIPBOOK"), "{text}");
        assert!(text.contains("its DSiWare save"), "{text}");
        rig.press(Buttons::A);
        rig.finish_job();
        let now = rig.console().archives.committed(archive).unwrap().clone();
        assert_eq!(now, before, "cut {cut}");
        put_back += usize::from(torn);
    }
    assert!(put_back >= 3, "only {put_back} torn saves were put back");
}

#[test]
fn a_favourite_dsiware_title_is_kept_under_its_title_id_as_checkpoint_keeps_it() {
    let mut rig = started(console(true));
    select(&mut rig, "FLIPBOOK");
    rig.press(Buttons::X);
    let config: serde_json::Value =
        serde_json::from_slice(&rig.console().sd.read("/3ds/Keepsake/config.json").unwrap())
            .unwrap();
    // Checkpoint `probeTwl` keys the title by its id, not by a cartridge's
    // game-code key, though the folder is named as a cartridge's.
    assert_eq!(
        config["favorites"],
        serde_json::json!(["000480044B475545"]),
        "{config}"
    );
}
