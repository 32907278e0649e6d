//! The save data / extdata switch of a 3DS title's backup list on the
//! simulated console: extdata backed up into Checkpoint's extdata folder
//! and restored without a commit or a secure value, a title without
//! extdata, and two versions of a game that share one extdata archive.
//! The folders expected are written out by hand from Checkpoint's naming
//! (`0x%05X` of the title's own unique id, then its name).

use std::collections::BTreeMap;

use super::*;

/// Pocket Garden, the first sample title: unique id 0x01001.
const EXTDATA_FOLDER: &str = "/3ds/Checkpoint/extdata/0x01001 Pocket Garden";
const SAVE_FOLDER: &str = "/3ds/Checkpoint/saves/0x01001 Pocket Garden";
/// The demo clock's folder name.
const NOW: &str = "20261121-180400";

fn extdata_of(title_id: u64) -> ArchiveId {
    ArchiveId {
        kind: ArchiveKind::ExtData,
        media: MediaType::Sd,
        title_id,
    }
}

/// The extdata a game keeps: a folder and two files.
fn played_extdata() -> BTreeMap<String, Vec<u8>> {
    BTreeMap::from([
        ("/boss/news.bin".to_string(), vec![0x42; 700]),
        ("/user.dat".to_string(), vec![0x17; 90]),
    ])
}

fn tree_of(files: &BTreeMap<String, Vec<u8>>) -> MemTree {
    let mut tree = MemTree::new();
    for (path, bytes) in files {
        let parent = &path[..path.rfind('/').unwrap_or(0)];
        if !parent.is_empty() {
            tree.create_dir_all(parent).unwrap();
        }
        tree.write(path, bytes).unwrap();
    }
    tree
}

/// The files on the SD card under `folder`, by their path inside it.
fn files_under(rig: &mut Rig, folder: &str) -> BTreeMap<String, Vec<u8>> {
    let prefix = format!("{folder}/");
    rig.console()
        .sd
        .tree()
        .files()
        .iter()
        .filter_map(|(path, bytes)| {
            let inside = path.strip_prefix(&prefix)?;
            Some((format!("/{inside}"), bytes.clone()))
        })
        .collect()
}

fn help_line(rig: &Rig) -> String {
    rig.ui.help_line()
}

#[test]
fn extdata_is_backed_up_and_restored_beside_the_save_data() {
    let mut console = demo::empty_console();
    demo::install_sample_titles(&mut console, 1);
    let title_id = demo::sample_title_id(0);
    let save = ArchiveId {
        kind: ArchiveKind::SaveData,
        ..extdata_of(title_id)
    };
    let mut save_tree = MemTree::new();
    save_tree.write("/save.bin", &[7; 300]).unwrap();
    console.archives.insert(save, save_tree);
    console
        .archives
        .insert(extdata_of(title_id), tree_of(&played_extdata()));
    console
        .archives
        .set_title_secure_value(title_id, 0x0123_4567_89AB_CDEF);
    let mut rig = Rig::new(console, &[]);

    rig.press(Buttons::A);
    assert!(rig.text().contains("Save data backups"), "{}", rig.text());
    assert!(
        help_line(&rig).contains("Right extdata"),
        "{}",
        help_line(&rig)
    );
    rig.press(Buttons::RIGHT);
    let text = rig.text();
    for expected in ["Extdata backups", "Extdata (0)", "New extdata backup"] {
        assert!(text.contains(expected), "{expected} missing from {text}");
    }
    assert!(
        help_line(&rig).contains("Left saves"),
        "{}",
        help_line(&rig)
    );

    // A on "New backup" backs up the extdata, into the extdata folder only.
    rig.press(Buttons::A);
    rig.finish_job();
    assert!(rig.text().contains("Extdata backed up"), "{}", rig.text());
    let backup = format!("{EXTDATA_FOLDER}/{NOW}");
    assert_eq!(files_under(&mut rig, &backup), played_extdata());
    assert!(files_under(&mut rig, SAVE_FOLDER).is_empty());

    // The game changes its extdata; the backup is restored over it.
    let mut changed = played_extdata();
    changed.insert("/user.dat".into(), vec![0x99; 90]);
    changed.insert("/new.bin".into(), vec![1; 10]);
    rig.console()
        .archives
        .insert(extdata_of(title_id), tree_of(&changed));
    let commits = rig.console().archives.commits();
    rig.press(Buttons::A);
    assert!(rig.text().contains("Extdata (1)"), "{}", rig.text());
    rig.press(Buttons::DOWN);
    rig.combo(Buttons::R, Buttons::A);
    let text = rig.text();
    for expected in [
        "Restore this extdata backup?",
        "the extdata of Pocket Garden",
        "First, the current extdata is backed up to",
    ] {
        assert!(text.contains(expected), "{expected} missing from {text}");
    }
    rig.press(Buttons::A);
    rig.finish_job();
    let text = rig.text();
    assert!(text.contains("Extdata restored and verified"), "{text}");
    assert!(text.contains("Replaced the extdata with 2 files"), "{text}");
    assert!(text.contains("The extdata as it was is kept in"), "{text}");
    assert!(
        !text.contains("Committed") && !text.contains("secure value"),
        "{text}"
    );
    let restored = rig.console().archives.committed(extdata_of(title_id));
    assert_eq!(restored.unwrap().files(), &played_extdata());
    // Extdata has neither a commit nor a secure value.
    assert_eq!(rig.console().archives.commits(), commits);
    assert!(rig.console().archives.secure_value_resets().is_empty());
    assert_eq!(
        rig.console().archives.title_secure_value(title_id),
        Some(0x0123_4567_89AB_CDEF)
    );
    // The extdata as it was went to an automatic backup beside the other
    // (named by the clock, which the jobs moved on).
    let all = files_under(&mut rig, EXTDATA_FOLDER);
    let auto: BTreeMap<String, Vec<u8>> = all
        .iter()
        .filter_map(|(path, bytes)| {
            let (folder, inside) = path[1..].split_once('/')?;
            folder
                .ends_with("-auto")
                .then(|| (format!("/{inside}"), bytes.clone()))
        })
        .collect();
    assert_eq!(auto, changed);
    // The save data was left alone.
    let save_now = rig.console().archives.committed(save).unwrap();
    assert_eq!(save_now.read("/save.bin").unwrap(), &[7; 300][..]);

    // Back on the list, the extdata side stays shown; Left shows the save
    // data's backups (none), and the title list backs up save data.
    rig.press(Buttons::A);
    assert!(rig.text().contains("Extdata (2)"), "{}", rig.text());
    rig.press(Buttons::LEFT);
    assert!(rig.text().contains("Save data (0)"), "{}", rig.text());
    rig.press(Buttons::RIGHT);
    rig.press(Buttons::B);
    rig.combo(Buttons::L, Buttons::A);
    rig.finish_job();
    assert!(rig.text().contains("Backed up"), "{}", rig.text());
    let saved = files_under(&mut rig, SAVE_FOLDER);
    let saves: Vec<_> = saved
        .iter()
        .filter(|(p, _)| p.ends_with("/save.bin"))
        .collect();
    assert_eq!(saves.len(), 1, "{saved:?}");
    assert_eq!(saves[0].1, &vec![7; 300]);
}

#[test]
fn a_tap_on_the_heading_switches_sides_and_deletes_act_on_the_side_shown() {
    let mut console = demo::empty_console();
    demo::install_sample_titles(&mut console, 1);
    let title_id = demo::sample_title_id(0);
    console
        .archives
        .insert(extdata_of(title_id), tree_of(&played_extdata()));
    demo::put_ctr_backup(
        &mut console,
        title_id,
        "Pocket Garden",
        "kept save",
        &[3; 40],
    );
    let extdata_backup = format!("{EXTDATA_FOLDER}/old extdata");
    let sd = console.sd.tree_mut();
    sd.create_dir_all(&extdata_backup).unwrap();
    sd.write(&format!("{extdata_backup}/user.dat"), &[5; 9])
        .unwrap();
    let mut rig = Rig::new(console, &[]);
    rig.press(Buttons::A);
    assert!(rig.text().contains("Save data (1)"), "{}", rig.text());
    // The right half of the heading is the extdata tab.
    rig.input(FrameInput::touch(240, 8));
    rig.idle();
    assert!(rig.text().contains("Extdata (1)"), "{}", rig.text());
    assert!(rig.text().contains("old extdata"), "{}", rig.text());
    assert!(!rig.text().contains("kept save"), "{}", rig.text());
    rig.press(Buttons::DOWN);
    rig.press(Buttons::X);
    rig.press(Buttons::A);
    assert!(files_under(&mut rig, &extdata_backup).is_empty());
    assert!(rig.text().contains("Extdata (0)"), "{}", rig.text());
    // The save data backup is still there, on the left tab.
    rig.input(FrameInput::touch(40, 8));
    rig.idle();
    assert!(rig.text().contains("kept save"), "{}", rig.text());
    let save_backup = format!("{SAVE_FOLDER}/kept save");
    assert_eq!(files_under(&mut rig, &save_backup).len(), 1);
}

#[test]
fn a_title_without_extdata_says_so_and_offers_no_backup_of_it() {
    let mut console = demo::empty_console();
    demo::install_sample_titles(&mut console, 1);
    let mut rig = Rig::new(console, &[]);
    rig.press(Buttons::A);
    rig.press(Buttons::RIGHT);
    let text = rig.text();
    for expected in ["No extdata", "Pocket Garden has no extdata", "Extdata (0)"] {
        assert!(text.contains(expected), "{expected} missing from {text}");
    }
    assert_eq!(help_line(&rig), "Left saves  B back");
    // A still asks, and is refused in the same words; nothing is written.
    rig.press(Buttons::A);
    assert!(
        rig.text().contains("Pocket Garden has no extdata"),
        "{}",
        rig.text()
    );
    assert!(files_under(&mut rig, EXTDATA_FOLDER).is_empty());
    rig.press(Buttons::A);
    rig.press(Buttons::LEFT);
    assert!(rig.text().contains("New backup"), "{}", rig.text());
    assert!(
        help_line(&rig).starts_with("A backup"),
        "{}",
        help_line(&rig)
    );
}

#[test]
fn versions_sharing_one_extdata_archive_see_each_others_backups() {
    // Pokémon X (0x0055D) and Y (0x0055E) share X's extdata archive
    // (Checkpoint's titlequirks.cpp); ASCII names for the test's font.
    const X: u64 = 0x0004_0000_0005_5D00;
    const Y: u64 = 0x0004_0000_0005_5E00;
    let mut console = demo::empty_console();
    demo::install_sd_title(&mut console, X, "Pocket Monsters X", "Nintendo", 10);
    demo::install_sd_title(&mut console, Y, "Pocket Monsters Y", "Nintendo", 200);
    console
        .archives
        .insert(extdata_of(X), tree_of(&played_extdata()));
    let mut rig = Rig::new(console, &[]);
    assert_eq!(rig.highlighted(), ["Pocket Monsters X"]);
    rig.press(Buttons::A);
    rig.press(Buttons::RIGHT);
    rig.press(Buttons::A);
    rig.finish_job();
    let x_backup = format!("/3ds/Checkpoint/extdata/0x0055D Pocket Monsters X/{NOW}");
    assert_eq!(files_under(&mut rig, &x_backup), played_extdata());
    rig.press(Buttons::A);
    rig.press(Buttons::B);

    // Y opens the same archive; its list shows X's backup, which restores.
    rig.press(Buttons::DOWN);
    assert_eq!(rig.highlighted(), ["Pocket Monsters Y"]);
    rig.press(Buttons::A);
    rig.press(Buttons::RIGHT);
    assert!(rig.text().contains("Extdata (1)"), "{}", rig.text());
    rig.console()
        .archives
        .insert(extdata_of(Y), tree_of(&BTreeMap::new()));
    rig.press(Buttons::DOWN);
    rig.combo(Buttons::R, Buttons::A);
    rig.press(Buttons::A);
    rig.finish_job();
    assert!(
        rig.text().contains("Extdata restored and verified"),
        "{}",
        rig.text()
    );
    let archive = rig.console().archives.committed(extdata_of(X)).unwrap();
    assert_eq!(archive.files(), &played_extdata());
    // Y's own backups go to Y's folder, as Checkpoint names it. The list
    // is the automatic backup (newer) and X's backup, still selected.
    rig.press(Buttons::A);
    assert!(rig.text().contains("Extdata (2)"), "{}", rig.text());
    rig.press(Buttons::UP);
    rig.press(Buttons::UP);
    rig.press(Buttons::A);
    rig.finish_job();
    let y_folder = "/3ds/Checkpoint/extdata/0x0055E Pocket Monsters Y";
    let y_files = files_under(&mut rig, y_folder);
    let own: Vec<&String> = y_files
        .keys()
        .filter(|path| !path.contains("-auto/") && path.ends_with("/user.dat"))
        .collect();
    assert_eq!(own.len(), 1, "{y_files:?} {}", rig.text());
}
