//! GBA Virtual Console titles through the screens and the app model on the
//! simulated console: listed with their badge, backed up into Checkpoint's
//! folder as `00000001.sav`, restored into the slot the game loads (signed
//! again by the console), and each fault said in words: a game never
//! saved, no Luma3DS, a save of another size, a write that does not stick,
//! a full SD card, and a power cut at every write of a restore, put back at
//! the next start.
//!
//! Containers are laid out by hand at the offsets 3dbrew gives ("3DS
//! Virtual Console", NAND Savegame); the expected bytes are the test's own
//! saves at offsets written out here, and the expected CMAC is recomputed
//! from the simulation's description (SHA-256 of the header from 0x30 and
//! the save, its halves XORed, then the title id's bytes).

use sha2::{Digest, Sha256};

use super::*;
use crate::store::journal::{self, JOURNAL_PATH};
use crate::store::title_cache::{self, TITLE_CACHE_PATH};

/// Unique id 0x0ABCD.
const GBA: u64 = 0x0004_0000_00AB_CD00;
const NAME: &str = "Metroid Fusion";
/// Checkpoint's folder for it: `0x%05X` of the unique id, then the name.
const GBA_FOLDER: &str = "/3ds/Checkpoint/saves/0x0ABCD Metroid Fusion";
/// The demo clock's folder names.
const NOW: &str = "20261121-180400";
const AUTO: &str = "/3ds/Checkpoint/saves/0x0ABCD Metroid Fusion/20261121-180400-auto";
const LUMA: &str = "they need Luma3DS (its Rosalina menu was not found)";
/// The 32 KiB saves' container: top header 0, top save 0x200, bottom
/// header 0x8200 (its CMAC at 0x8210), bottom save 0x8400, end 0x10400.
const BOTTOM_HEADER: usize = 0x8200;
const BOTTOM_SAVE: usize = 0x8400;

/// One slot: header fields at their 3dbrew offsets, a stand-in CMAC of
/// 0xAA, the rest 0xFF, then the save.
fn slot(times_saved: u32, save: &[u8]) -> Vec<u8> {
    let mut bytes = vec![0xFF; 0x200];
    bytes[..4].copy_from_slice(b".SAV");
    bytes[0x10..0x20].fill(0xAA);
    bytes[0x30..0x34].copy_from_slice(&1u32.to_le_bytes());
    bytes[0x34..0x38].copy_from_slice(&times_saved.to_le_bytes());
    bytes[0x38..0x40].copy_from_slice(&GBA.to_le_bytes());
    bytes[0x50..0x54].copy_from_slice(&0x200u32.to_le_bytes());
    bytes[0x54..0x58].copy_from_slice(&(save.len() as u32).to_le_bytes());
    bytes.extend_from_slice(save);
    bytes
}

/// Two 32 KiB saves: the top slot's (saved 3 times) and the bottom's
/// (saved 4 times: the one the game loads).
fn saves() -> (Vec<u8>, Vec<u8>) {
    (
        sample_save(0x8000, 0x8000, 3),
        sample_save(0x8000, 0x6000, 4),
    )
}

fn container() -> Vec<u8> {
    let (top, bottom) = saves();
    let image = [slot(3, &top), slot(4, &bottom)].concat();
    assert_eq!(image.len(), 0x10400);
    image
}

/// The CMAC the simulated console signs a slot with (see the module
/// comment).
fn expected_cmac(header: &[u8], save: &[u8]) -> [u8; 16] {
    let mut hasher = Sha256::new();
    hasher.update(&header[0x30..0x200]);
    hasher.update(save);
    let digest = hasher.finalize();
    let id = GBA.to_le_bytes();
    std::array::from_fn(|i| digest[i] ^ digest[16 + i] ^ id[i % 8])
}

/// The GBA title with `image`, and one 3DS title with save data.
fn gba_console(image: Vec<u8>) -> SimConsole {
    let mut console = demo::empty_console();
    demo::install_sample_titles(&mut console, 1);
    demo::install_gba_vc_title(&mut console, GBA, NAME, 120, image);
    console
}

/// A Checkpoint backup of the GBA title: `<folder>/00000001.sav`.
fn put_gba_backup(console: &mut SimConsole, folder: &str, save: &[u8]) {
    let dir = join(GBA_FOLDER, folder);
    console.sd.create_dir_all(&dir).unwrap();
    console.sd.write(&join(&dir, "00000001.sav"), save).unwrap();
}

/// Both screens' texts, a path wrapped after a slash joined back.
fn said(rig: &Rig) -> String {
    rig.text().replace("/ ", "/")
}

fn container_now(rig: &mut Rig) -> Vec<u8> {
    rig.console()
        .gba_vc
        .container(GBA, MediaType::Sd)
        .unwrap()
        .to_vec()
}

fn assert_says(rig: &Rig, expected: &[&str]) {
    let text = said(rig);
    for line in expected {
        assert!(text.contains(line), "{line:?} missing from {text}");
    }
}

/// The title list's badges: the GBA title's alone (Pocket Garden, a 3DS
/// title installed on the SD card, has none).
fn assert_badges(rig: &Rig, expected: &[&str]) {
    let badges: Vec<&str> = rig
        .frame
        .texts(Screen::Bottom)
        .into_iter()
        .filter(|t| t.starts_with("GBA") || t.contains("CARD"))
        .collect();
    assert_eq!(badges, expected);
}

/// From the title list to the question about the only backup.
fn ask_restore(rig: &mut Rig) {
    rig.press(Buttons::A);
    rig.press(Buttons::DOWN);
    rig.combo(Buttons::R, Buttons::A);
}

#[test]
fn a_gba_title_is_listed_as_one_and_backed_up_where_checkpoint_keeps_it() {
    let image = container();
    let mut rig = Rig::new(gba_console(image.clone()), &[]);
    // Listed by name, before Pocket Garden, with its badge; selected.
    assert_eq!(rig.highlighted(), [NAME]);
    assert_badges(&rig, &["GBA VC"]);
    assert_says(
        &rig,
        &[
            "0004000000ABCD00",
            "Where GBA Virtual Console, on the SD card Save GBA save Backups",
        ],
    );
    // The scan's finding is in the title cache: its save byte is 4 (no
    // save data; a GBA VC title that saved), right after the title id and
    // the medium (0, the SD card).
    let cache = rig.console().sd.read(TITLE_CACHE_PATH).unwrap();
    let entry = [0x00, 0xCD, 0xAB, 0x00, 0x00, 0x00, 0x04, 0x00, 0, 4];
    assert!(cache.windows(10).any(|w| w == entry));

    rig.combo(Buttons::L, Buttons::A);
    rig.finish_job();
    assert_says(
        &rig,
        &[
            "Backed up",
            "32 KiB GBA save saved to",
            &join(GBA_FOLDER, NOW),
        ],
    );
    // The save the game loads (the bottom slot's), alone, under
    // Checkpoint's name.
    let folder = join(GBA_FOLDER, NOW);
    let saved = rig
        .console()
        .sd
        .read(&join(&folder, "00000001.sav"))
        .unwrap();
    assert_eq!(saved, &image[BOTTOM_SAVE..]);
    assert_eq!(saved, saves().1);
    let names: Vec<String> = rig
        .console()
        .sd
        .list(&folder)
        .unwrap()
        .into_iter()
        .map(|e| e.name)
        .collect();
    assert_eq!(names, ["00000001.sav"]);
    assert_eq!(container_now(&mut rig), image, "a backup only reads");

    // Its backup list: the new backup, and no extdata side.
    rig.press(Buttons::A);
    rig.press(Buttons::A);
    assert_eq!(rig.ui.screen(), ScreenKind::Backups);
    assert_says(&rig, &[NOW, "Backups"]);
    assert!(!said(&rig).contains("Extdata"), "{}", said(&rig));
    let help = rig.ui.help_line();
    assert_eq!(help, "A backup  Y name  B back");
    rig.press(Buttons::DOWN);
    assert_says(&rig, &["Keepsake"]);
}

#[test]
fn a_checkpoint_backup_is_restored_into_the_slot_the_game_loads_and_signed() {
    let image = container();
    let wanted = sample_save(0x8000, 0x7000, 9);
    let mut console = gba_console(image.clone());
    put_gba_backup(&mut console, "20261101-093000", &wanted);
    let mut rig = Rig::new(console, &[]);
    rig.press(Buttons::A);
    rig.press(Buttons::DOWN);
    assert_says(&rig, &["20261101-093000", "Checkpoint"]);
    rig.combo(Buttons::R, Buttons::A);
    assert_eq!(rig.ui.screen(), ScreenKind::Confirm, "{}", said(&rig));
    assert_says(
        &rig,
        &[
            "Restore this backup?",
            "This overwrites the 32 KiB GBA save of Metroid Fusion, on the SD card.",
            "First, the current save is backed up to",
            AUTO,
        ],
    );
    rig.press(Buttons::A);
    rig.finish_job();
    assert_says(
        &rig,
        &[
            "Restored and verified",
            "Wrote the 32 KiB save into the second slot of the game's save file, the one it loads.",
            "The console signed that slot for itself, so the game accepts it.",
            "Read back the whole save file and compared it: identical.",
            &format!("The save as it was is kept in {AUTO}."),
        ],
    );
    let now = container_now(&mut rig);
    assert_eq!(now.len(), 0x10400);
    assert_eq!(&now[..0x8210], &image[..0x8210], "top slot, bottom magic");
    assert_eq!(
        &now[0x8210..0x8220],
        &expected_cmac(&image[BOTTOM_HEADER..BOTTOM_SAVE], &wanted)
    );
    assert_eq!(&now[0x8220..BOTTOM_SAVE], &image[0x8220..BOTTOM_SAVE]);
    assert_eq!(&now[BOTTOM_SAVE..], &wanted[..]);
    let auto = rig.console().sd.read(&join(AUTO, "00000001.sav")).unwrap();
    assert_eq!(auto, saves().1, "the save the game loaded before");
    assert_eq!(journal::read(&mut rig.console().sd).unwrap(), None);
    assert!(rig.ui.warning.is_none(), "{:?}", rig.ui.warning);
}

#[test]
fn a_save_of_another_size_is_refused_at_the_question_with_nothing_written() {
    let image = container();
    let mut console = gba_console(image.clone());
    put_gba_backup(&mut console, "20261101-093000", &[0x33; 0x2000]);
    let mut rig = Rig::new(console, &[]);
    let writes = rig.console().power.writes();
    ask_restore(&mut rig);
    assert_eq!(rig.ui.screen(), ScreenKind::Result);
    assert_says(
        &rig,
        &[
            "This backup cannot be restored",
            "This backup's GBA save is 8 KiB, but the save of Metroid Fusion is 32 KiB: it is a save of another game.",
            "Choose a backup made from this game.",
        ],
    );
    assert_eq!(rig.console().power.writes(), writes, "nothing written");
    assert_eq!(container_now(&mut rig), image);
    assert_eq!(rig.console().sd.kind_of(AUTO).unwrap(), None);
}

#[test]
fn a_game_never_saved_says_so_and_offers_nothing_until_it_saves() {
    let mut console = gba_console(Vec::new());
    console
        .gba_vc
        .insert_never_saved(GBA, MediaType::Sd, 0x8000);
    put_gba_backup(&mut console, "20261101-093000", &saves().0);
    let mut rig = Rig::new(console, &[]);
    assert_badges(&rig, &["GBA VC"]);
    assert_says(&rig, &["none yet: play it and save once"]);

    rig.combo(Buttons::L, Buttons::A);
    assert_eq!(rig.ui.screen(), ScreenKind::Result);
    assert_says(
        &rig,
        &[
            "The backup could not start",
            "Metroid Fusion has never saved: its GBA save is still blank, so there is nothing to back up and nowhere to restore to.",
            "Start the game, save once in it, then try again.",
        ],
    );
    assert_eq!(
        rig.console().sd.kind_of(&join(GBA_FOLDER, NOW)).unwrap(),
        None
    );
    rig.press(Buttons::A);
    rig.press(Buttons::A);
    assert_says(&rig, &["Nothing to back up", "No save to back up"]);
    assert_eq!(rig.ui.help_line(), "B back");
    // Its backups can still be looked at and deleted, not restored.
    rig.press(Buttons::DOWN);
    assert_eq!(rig.ui.help_line(), "X delete  B back");

    // The game saves; the list follows as soon as the title is opened.
    rig.console().gba_vc.insert(GBA, MediaType::Sd, container());
    rig.press(Buttons::B);
    rig.press(Buttons::A);
    assert_says(&rig, &["+ New backup", "Save GBA save"]);
    assert_eq!(rig.ui.help_line(), "A backup  Y name  B back");
}

#[test]
fn without_luma3ds_the_title_says_why_and_nothing_is_offered() {
    let mut console = gba_console(container());
    console.gba_vc.make_unavailable(LUMA);
    let mut rig = Rig::new(console, &[]);
    assert_badges(&rig, &["GBA VC?"]);
    assert_says(
        &rig,
        &[
            "no 3DS save; GBA save unknown",
            "GBA Virtual Console saves cannot be reached: they need Luma3DS (its Rosalina menu was not found).",
        ],
    );
    // The 3DS title with save data is listed as before.
    assert!(rig.frame.texts(Screen::Bottom).contains(&"Pocket Garden"));
    let records = title_cache::load(&mut rig.console().sd).unwrap().unwrap();
    let gba = records.iter().find(|r| r.title_id == GBA).unwrap();
    assert_eq!(
        gba.gba,
        crate::platform::GbaVcProbe::CannotTell(LUMA.into())
    );

    rig.press(Buttons::A);
    assert_says(
        &rig,
        &[
            "Nothing to back up",
            "Metroid Fusion has no 3DS save data, and whether it is a GBA Virtual Console game cannot be told here",
        ],
    );
    assert_eq!(rig.ui.help_line(), "B back");
    rig.press(Buttons::B);
    rig.combo(Buttons::L, Buttons::A);
    assert_says(
        &rig,
        &[
            "The backup could not start",
            "Start Keepsake on a console running Luma3DS to use GBA saves.",
        ],
    );
}

#[test]
fn a_write_that_does_not_stick_is_said_and_its_way_back_kept() {
    let image = container();
    let mut console = gba_console(image.clone());
    put_gba_backup(&mut console, "20261101-093000", &[0x33; 0x8000]);
    console.gba_vc.writes_do_not_stick = true;
    let mut rig = Rig::new(console, &[]);
    ask_restore(&mut rig);
    rig.press(Buttons::A);
    rig.finish_job();
    assert_says(
        &rig,
        &[
            "The GBA save did not read back what was written",
            &format!("Restore the automatic backup {AUTO}; it holds the save as it was."),
        ],
    );
    assert_eq!(container_now(&mut rig), image);
    assert!(rig.console().sd.read(JOURNAL_PATH).is_ok());
    rig.press(Buttons::A);
    assert_eq!(
        rig.ui.warning.as_deref(),
        Some(
            "The last restore of Metroid Fusion did not finish: open the title to put its save back."
        )
    );
}

#[test]
fn a_full_sd_card_stops_the_backup_and_the_restore_before_the_save_is_touched() {
    let image = container();
    let mut console = gba_console(image.clone());
    put_gba_backup(&mut console, "20261101-093000", &[0x33; 0x8000]);
    let mut rig = Rig::new(console, &[]);
    let used = rig.console().sd.used();
    rig.console().sd.set_capacity(used);

    rig.combo(Buttons::L, Buttons::A);
    rig.finish_job();
    assert_says(
        &rig,
        &[
            "The SD card is full",
            "Delete old backups or other files to make room, then try again.",
        ],
    );
    let folders: Vec<String> = rig
        .console()
        .sd
        .list(GBA_FOLDER)
        .unwrap()
        .into_iter()
        .map(|e| e.name)
        .collect();
    assert_eq!(folders, ["20261101-093000"]);

    rig.press(Buttons::A);
    ask_restore(&mut rig);
    assert_eq!(rig.ui.screen(), ScreenKind::Confirm, "{}", said(&rig));
    rig.press(Buttons::A);
    rig.finish_job();
    assert_says(&rig, &["The SD card is full"]);
    assert_eq!(container_now(&mut rig), image, "the save is as it was");
    assert_eq!(journal::read(&mut rig.console().sd).unwrap(), None);
}

#[test]
fn a_restore_cut_at_any_write_is_put_back_at_the_next_start() {
    let image = container();
    let wanted = sample_save(0x8000, 0x7000, 9);
    let build = || {
        let mut console = gba_console(image.clone());
        put_gba_backup(&mut console, "20261101-093000", &wanted);
        console
    };
    // The save as it was, signed again by the console once put back.
    let mut put_back = image.clone();
    put_back[0x8210..0x8220].copy_from_slice(&expected_cmac(
        &image[BOTTOM_HEADER..BOTTOM_SAVE],
        &saves().1,
    ));
    // The backup, signed: what a restore that ran to its end leaves.
    let mut restored = image.clone();
    restored[0x8210..0x8220]
        .copy_from_slice(&expected_cmac(&image[BOTTOM_HEADER..BOTTOM_SAVE], &wanted));
    restored[BOTTOM_SAVE..].copy_from_slice(&wanted);

    let total = {
        let mut rig = Rig::new(build(), &[]);
        ask_restore(&mut rig);
        let before = rig.console().power.writes();
        rig.press(Buttons::A);
        rig.finish_job();
        assert_says(&rig, &["Restored and verified"]);
        rig.console().power.writes() - before
    };
    let mut shown = 0;
    for cut in 1..=total {
        let mut rig = Rig::new(build(), &[]);
        ask_restore(&mut rig);
        rig.console().power.cut_after_writes(cut);
        rig.press(Buttons::A);
        rig.finish_job();
        let mut console = rig.model.into_console();
        console.power_cycle();

        let mut rig = Rig::new(console, &[]);
        if rig.ui.screen() != ScreenKind::Unfinished {
            // Cut before the journal, so before the save's first write, or
            // after the journal went, the restore done.
            let now = container_now(&mut rig);
            assert!(now == image || now == restored, "cut {cut}");
            continue;
        }
        shown += 1;
        assert_says(
            &rig,
            &[
                "The restore of Metroid Fusion did not finish",
                "writing the backup \"20261101-093000\" to its GBA save",
                AUTO,
            ],
        );
        rig.press(Buttons::A);
        rig.finish_job();
        assert_says(
            &rig,
            &[
                "Put back and verified",
                &format!("The save is again as it was before the unfinished restore, from {AUTO}."),
            ],
        );
        assert!(container_now(&mut rig) == put_back, "cut {cut}");
        assert_eq!(journal::read(&mut rig.console().sd).unwrap(), None);
    }
    // Every write from the journal's to the last one leads back.
    assert!(shown >= 4, "{shown} of {total}");
}

#[test]
fn the_system_is_held_off_from_the_first_write_to_the_end_of_the_read_back() {
    use crate::app::SystemEvents;
    let mut console = gba_console(container());
    put_gba_backup(&mut console, "20261101-093000", &[0x33; 0x8000]);
    let mut rig = Rig::new(console, &[]);
    ask_restore(&mut rig);
    rig.input(FrameInput::press(Buttons::A));
    let mut held = 0;
    for _ in 0..50 {
        if rig.ui.screen() != ScreenKind::Job {
            break;
        }
        if rig.model.system_events() == SystemEvents::Held {
            held += 1;
        }
        rig.idle();
    }
    // One frame a step: the step before the save's one 32 KiB write, the
    // write, the signature; the read-back's step ends the job.
    assert_eq!(held, 3);
    assert_says(&rig, &["Restored and verified"]);
    assert_eq!(rig.model.system_events(), SystemEvents::Allowed);
}

#[test]
fn a_batch_backs_up_a_gba_save_and_a_game_never_saved_fails_alone() {
    let mut console = gba_console(container());
    // Unique id 0x0ABCE, listed last by name.
    let blank = 0x0004_0000_00AB_CE00;
    demo::install_gba_vc_title(&mut console, blank, "Tiny Racer", 300, Vec::new());
    console
        .gba_vc
        .insert_never_saved(blank, MediaType::Sd, 0x2000);
    console.archives.insert(
        ArchiveId {
            kind: ArchiveKind::SaveData,
            media: MediaType::Sd,
            title_id: demo::sample_title_id(0),
        },
        {
            let mut tree = MemTree::new();
            tree.write("/main", &[5; 300]).unwrap();
            tree
        },
    );
    let mut rig = Rig::new(console, &[]);
    rig.combo(Buttons::L, Buttons::Y);
    rig.press(Buttons::X);
    assert_says(&rig, &["3 titles marked"]);
    rig.combo(Buttons::L, Buttons::A);
    rig.finish_job();
    assert_says(
        &rig,
        &[
            "2 of 3 titles backed up",
            "Tiny Racer",
            "This GBA game has never saved",
            "Start the game, save once in it, then try again.",
        ],
    );
    let saved = rig
        .console()
        .sd
        .read(&join(GBA_FOLDER, &format!("{NOW}/00000001.sav")))
        .unwrap();
    assert_eq!(saved, &container()[BOTTOM_SAVE..]);
    assert_eq!(
        rig.console()
            .sd
            .kind_of("/3ds/Checkpoint/saves/0x0ABCE Tiny Racer")
            .unwrap(),
        None,
        "no folder for the game that never saved"
    );
    // The 3DS title's save, in its own dated folder (the clock moved on).
    let pocket: Vec<(String, Vec<u8>)> = rig
        .console()
        .sd
        .tree()
        .files()
        .iter()
        .filter(|(p, _)| p.starts_with("/3ds/Checkpoint/saves/0x01001 Pocket Garden/2026"))
        .map(|(p, b)| (p.rsplit('/').next().unwrap().to_owned(), b.clone()))
        .collect();
    assert_eq!(pocket, [("main".to_string(), vec![5; 300])]);
}

#[test]
fn without_luma3ds_a_title_with_extdata_stays_a_3ds_title() {
    // No save data, only extdata: GBA VC titles keep none, so its extdata
    // side is what it is listed for.
    let mut console = demo::empty_console();
    console
        .titles
        .install(MediaType::Sd, GBA, demo::sample_smdh(NAME, "Nintendo", 120));
    let mut extdata = MemTree::new();
    extdata.write("/user.dat", &[1; 10]).unwrap();
    console.archives.insert(
        ArchiveId {
            kind: ArchiveKind::ExtData,
            media: MediaType::Sd,
            title_id: GBA,
        },
        extdata,
    );
    console.gba_vc.make_unavailable(LUMA);
    let mut rig = Rig::new(console, &[]);
    assert_badges(&rig, &[]);
    assert_says(&rig, &["no save data, only extra data"]);
    assert!(rig.ui.warning.is_none(), "{:?}", rig.ui.warning);
    rig.press(Buttons::A);
    assert!(
        rig.ui.help_line().contains("Right extdata"),
        "{}",
        rig.ui.help_line()
    );
}

#[test]
fn the_next_start_lists_the_gba_title_from_the_title_cache() {
    let rig = Rig::new(gba_console(container()), &[]);
    let mut console = rig.model.into_console();
    // The title list cannot be read this time: only the cache shows.
    console
        .titles
        .fail_listing(Some("AM_GetTitleList: 0xD8E0806A"));
    let rig = Rig::new(console, &[]);
    assert_badges(&rig, &["GBA VC"]);
    assert_says(&rig, &["Save GBA save Backups"]);
}
