//! The seed workflow on the simulated console with real saves: a flashcart
//! save kept where TWiLight Menu++ keeps it, restored onto the cartridge of
//! the same game without renaming; saves that cannot be checked and saves of
//! patched ROMs asked about before anything is written.
//!
//! Expectations come from the fixture bytes, not from the code under test:
//! Sonic Rush is an 8 KiB EEPROM game, and a DeSmuME `.dsv` is the chip
//! image followed by a footer, so the chip must end up holding the first
//! 8192 bytes of the `.dsv`. The game code, ASNE (Sonic Rush, USA), is not
//! in the save files; the cartridge and the ROM header carry it.

use super::console_model::ConsoleModel;
use super::demo;
use crate::platform::SdCard;
use crate::sim::{SimChip, SimConsole, nds_rom_header};
use crate::store::export::EXPORT_DIR;
use crate::store::found_saves::{IMPORT_DIR, ROM_FOLDERS_PATH};
use crate::ui::display::{Frame, Screen};
use crate::ui::input::{Buttons, FrameInput};
use crate::ui::keyboard::QueuedKeyboard;
use crate::ui::state::{ScreenKind, Ui};

const TITLE: &str = "SONICRUSH";
const CODE: &str = "ASNE";
const ROMS: &str = "/roms/nds";
const BACKUPS: &str = "/3ds/Checkpoint/saves/ASNE SONICRUSH";

struct Rig {
    ui: Ui,
    model: ConsoleModel<SimConsole>,
    frame: Frame,
}

impl Rig {
    fn new(console: SimConsole) -> Self {
        let mut rig = Self {
            ui: Ui::new(),
            model: ConsoleModel::new(console, Box::new(QueuedKeyboard::new())),
            frame: Frame::default(),
        };
        rig.idle();
        rig
    }

    fn idle(&mut self) {
        self.ui
            .frame(&FrameInput::IDLE, &mut self.model, &mut self.frame);
        if let Some(why) = self.frame.help_and_buttons_disagree() {
            panic!("{why}");
        }
    }

    fn press(&mut self, buttons: Buttons) {
        self.ui.frame(
            &FrameInput::press(buttons),
            &mut self.model,
            &mut self.frame,
        );
        self.idle();
    }

    fn combo(&mut self, held: Buttons, pressed: Buttons) {
        self.ui.frame(
            &FrameInput::hold_and_press(held, pressed),
            &mut self.model,
            &mut self.frame,
        );
        self.idle();
    }

    fn finish_job(&mut self) {
        for _ in 0..5000 {
            if self.ui.screen() != ScreenKind::Job {
                return;
            }
            self.idle();
        }
        panic!("the job did not end in 5000 frames");
    }

    fn text(&self) -> String {
        let mut texts = self.frame.texts(Screen::Top);
        texts.extend(self.frame.texts(Screen::Bottom));
        texts.join(" ")
    }

    fn chip(&mut self) -> Vec<u8> {
        self.model
            .console_mut()
            .card
            .nds_chip()
            .unwrap()
            .memory()
            .to_vec()
    }

    /// Settings, down to "Find saves on the SD card", A, to the end.
    fn find_saves(&mut self) -> String {
        self.press(Buttons::SELECT);
        self.press(Buttons::DOWN);
        self.press(Buttons::DOWN);
        assert!(self.text().contains("Find saves on the SD card"));
        self.press(Buttons::A);
        assert_eq!(self.ui.screen(), ScreenKind::Job, "{}", self.text());
        self.finish_job();
        let result = self.text();
        self.press(Buttons::A);
        result
    }

    /// Opens the cartridge and selects the backup whose details name `name`.
    fn select_backup(&mut self, name: &str) {
        assert_eq!(self.ui.screen(), ScreenKind::Titles, "{}", self.text());
        self.press(Buttons::A);
        for _ in 0..10 {
            self.press(Buttons::DOWN);
            if self.frame.texts(Screen::Top).contains(&name) {
                return;
            }
        }
        panic!("{name} is not in the backup list: {}", self.text());
    }
}

/// The fixture's chip image: the `.dsv` without its footer.
fn fixture_chip(region: &str) -> Option<Vec<u8>> {
    let dsv = keepsake_testkit::fixtures::read(&format!("nds/sonic-rush/{region}.dsv"))?;
    Some(dsv[..8192].to_vec())
}

/// What a flashcart writes for an 8 KiB game: 512 KiB, the save then 0xFF.
fn flashcart_file(chip: &[u8]) -> Vec<u8> {
    let mut file = chip.to_vec();
    file.resize(512 * 1024, 0xFF);
    file
}

/// A ROM: its header, then something for the rest of it.
fn rom(header: Vec<u8>) -> Vec<u8> {
    let mut rom = header;
    rom.resize(0x8000, 0xA5);
    rom
}

fn put(console: &mut SimConsole, path: &str, bytes: &[u8]) {
    let dir = &path[..path.rfind('/').unwrap()];
    console.sd.create_dir_all(dir).unwrap();
    console.sd.write(path, bytes).unwrap();
}

/// A Sonic Rush cartridge holding `old` in its 8 KiB EEPROM.
fn console_with(old: &[u8]) -> SimConsole {
    let mut console = demo::empty_console();
    console.card.insert(demo::nds_cartridge(
        TITLE,
        CODE,
        SimChip::eeprom(0x2000, old),
        200,
    ));
    console
}

#[test]
fn a_twilight_save_restores_onto_its_cartridge_without_renaming() {
    let (Some(new), Some(old)) = (fixture_chip("usa"), fixture_chip("europe")) else {
        return;
    };
    assert_ne!(new, old, "the two fixtures differ");
    let mut console = console_with(&old);
    // The ROM of the cartridge's very build, and its save under the ROM's
    // own name, in TWiLight Menu++'s saves folder: nothing is renamed.
    put(
        &mut console,
        &format!("{ROMS}/Sonic Rush (USA).nds"),
        &rom(nds_rom_header(TITLE, CODE)),
    );
    let save_path = format!("{ROMS}/saves/Sonic Rush (USA).sav");
    put(&mut console, &save_path, &flashcart_file(&new));
    let mut rig = Rig::new(console);

    // Not scanned at start: the ROM folder is unknown until the search.
    rig.press(Buttons::A);
    assert!(
        !rig.text().contains("Sonic Rush (USA).sav"),
        "{}",
        rig.text()
    );
    rig.press(Buttons::B);
    let result = rig.find_saves();
    assert!(result.contains("1 save found"), "{result}");
    let cache = rig.model.console_mut().sd.read(ROM_FOLDERS_PATH).unwrap();
    assert!(String::from_utf8(cache).unwrap().contains(ROMS));

    rig.select_backup("Sonic Rush (USA).sav");
    let details = rig.text();
    for expected in [
        "TWiLight Menu++ save",
        "512 KiB flashcart save -> EEPROM 8 KiB, nothing lost",
        "512 KiB",
    ] {
        assert!(details.contains(expected), "{expected} missing: {details}");
    }
    rig.combo(Buttons::R, Buttons::A);
    assert_eq!(rig.ui.screen(), ScreenKind::Confirm, "{}", rig.text());
    rig.press(Buttons::A);
    // Same build: no second question, the restore runs.
    assert_eq!(rig.ui.screen(), ScreenKind::Job, "{}", rig.text());
    rig.finish_job();
    assert!(rig.text().contains("Restored"), "{}", rig.text());
    assert_eq!(rig.chip(), new, "the chip holds the save's 8 KiB");

    // The automatic backup holds the old chip, byte for byte.
    let sd = &mut rig.model.console_mut().sd;
    let auto = sd
        .list(BACKUPS)
        .unwrap()
        .into_iter()
        .find(|e| e.name.ends_with("-auto"))
        .expect("an automatic backup");
    let files = sd.list(&format!("{BACKUPS}/{}", auto.name)).unwrap();
    assert_eq!(files.len(), 1);
    let kept = sd
        .read(&format!("{BACKUPS}/{}/{}", auto.name, files[0].name))
        .unwrap();
    assert_eq!(kept, old);
    // The flashcart's file is untouched.
    assert_eq!(sd.read(&save_path).unwrap(), flashcart_file(&new));

    // A new start lists it from the kept ROM folders, without a search.
    let console = std::mem::take(rig.model.console_mut());
    let mut again = Rig::new(console);
    again.select_backup("Sonic Rush (USA).sav");
}

#[test]
fn an_unmatched_import_needs_its_confirmation() {
    let (Some(new), Some(old)) = (fixture_chip("japan"), fixture_chip("europe")) else {
        return;
    };
    let mut console = console_with(&old);
    put(
        &mut console,
        &format!("{IMPORT_DIR}/from my flashcart.sav"),
        &flashcart_file(&new),
    );
    // A save of another game, by its name: never offered for this one.
    put(&mut console, &format!("{IMPORT_DIR}/AXXE other.sav"), &new);
    let mut rig = Rig::new(console);
    rig.press(Buttons::A);
    assert!(!rig.text().contains("AXXE other.sav"), "{}", rig.text());
    rig.press(Buttons::B);
    rig.select_backup("from my flashcart.sav");
    assert!(
        rig.text().contains("import folder, unmatched"),
        "{}",
        rig.text()
    );
    rig.combo(Buttons::R, Buttons::A);
    rig.press(Buttons::A);
    // The second question names the file and says it cannot be checked.
    assert_eq!(rig.ui.screen(), ScreenKind::Confirm);
    let question = rig.text();
    assert!(question.contains("cannot be checked"), "{question}");
    assert!(question.contains("\"from my flashcart.sav\""), "{question}");
    rig.press(Buttons::B);
    assert_eq!(rig.chip(), old, "declined: nothing written");
    rig.combo(Buttons::R, Buttons::A);
    rig.press(Buttons::A);
    rig.press(Buttons::A);
    assert_eq!(rig.ui.screen(), ScreenKind::Job, "{}", rig.text());
    rig.finish_job();
    assert_eq!(rig.chip(), new);
}

#[test]
fn a_patched_rom_save_asks_twice() {
    let (Some(new), Some(old)) = (fixture_chip("usa"), fixture_chip("europe")) else {
        return;
    };
    let mut console = console_with(&old);
    // Same game code, another build: version 1 and its own header CRC.
    let mut header = nds_rom_header(TITLE, CODE);
    header[0x1E] = 1;
    let crc = keepsake_format::nds_header::header_crc(&header[..0x15E]);
    header[0x15E..0x160].copy_from_slice(&crc.to_le_bytes());
    put(
        &mut console,
        &format!("{ROMS}/Sonic Rush (T-En).nds"),
        &rom(header),
    );
    put(
        &mut console,
        &format!("{ROMS}/Sonic Rush (T-En).sav"),
        &flashcart_file(&new),
    );
    // Kept by an earlier search.
    put(
        &mut console,
        ROM_FOLDERS_PATH,
        format!("[\"{ROMS}\"]").as_bytes(),
    );
    let mut rig = Rig::new(console);
    rig.select_backup("Sonic Rush (T-En).sav");
    rig.combo(Buttons::R, Buttons::A);
    assert_eq!(rig.ui.screen(), ScreenKind::Confirm);
    rig.press(Buttons::A);
    assert_eq!(rig.ui.screen(), ScreenKind::Confirm, "asked a second time");
    let question = rig.text();
    assert!(question.contains("patched ROM"), "{question}");
    assert!(
        question.contains("version 1, the cartridge version 0"),
        "{question}"
    );
    assert_eq!(rig.chip(), old, "nothing written before the second yes");
    rig.press(Buttons::A);
    rig.finish_job();
    assert_eq!(rig.chip(), new);
}

#[test]
fn a_backup_exports_as_a_dsv_that_reads_back_as_the_same_save() {
    let Some(save) = fixture_chip("usa") else {
        return;
    };
    let mut console = console_with(&save);
    demo::put_nds_backup(&mut console, CODE, TITLE, "20261101-120000", None, &save);
    let mut rig = Rig::new(console);
    rig.select_backup("20261101-120000");
    rig.press(Buttons::Y);
    assert!(
        rig.text().contains("a 512 KiB flashcart .sav"),
        "{}",
        rig.text()
    );
    rig.press(Buttons::RIGHT);
    assert!(
        rig.text().contains("As a DeSmuME .dsv, to"),
        "{}",
        rig.text()
    );
    // Without a known ROM, TWiLight's slot is refused, and says why.
    rig.press(Buttons::RIGHT);
    assert!(
        rig.text().contains("No ROM of ASNE is known"),
        "{}",
        rig.text()
    );
    rig.press(Buttons::LEFT);
    // Lines of a path break after a `/`; joined again, the path is whole.
    let question = rig.text().replace("/ ", "/");
    assert!(question.contains("As a DeSmuME .dsv, to"), "{question}");
    // The destination the question names, by game and time: it is where
    // the file goes, even if the clock moves on before A.
    let start = question
        .find("/3ds/Keepsake/export/ASNE SONICRUSH 2026")
        .unwrap_or_else(|| panic!("the question names the destination: {question}"));
    let end = start + question[start..].find(".dsv").unwrap() + 4;
    let destination = question[start..end].to_owned();
    for _ in 0..120 {
        rig.idle(); // two seconds of thinking it over
    }
    rig.press(Buttons::A);
    assert!(rig.text().contains("Exported"), "{}", rig.text());
    let written = rig.model.console_mut().sd.read(&destination).unwrap();
    // The fixture's image, then DeSmuME's 122-byte footer.
    assert_eq!(written.len(), 8192 + 122);
    assert_eq!(written[..8192], save);
    assert!(written.ends_with(b"|-DESMUME SAVE-|"));
    let parsed = keepsake_format::nds::SaveFile::parse(&written).unwrap();
    assert_eq!(parsed.payload, save);
}

/// The destination the export question names, ending in `ext`.
fn named_destination(rig: &Rig, ext: &str) -> String {
    // Lines of a path break after a `/`; joined again, the path is whole.
    let question = rig.text().replace("/ ", "/");
    let start = question
        .find("/3ds/Keepsake/export/ASNE SONICRUSH 2026")
        .unwrap_or_else(|| panic!("the question names the destination: {question}"));
    let end = start + question[start..].find(ext).unwrap() + ext.len();
    question[start..end].to_owned()
}

#[test]
fn the_cartridge_exports_as_a_dsv_straight_from_its_chip() {
    let Some(save) = fixture_chip("usa") else {
        return;
    };
    let mut rig = Rig::new(console_with(&save));
    assert_eq!(rig.ui.screen(), ScreenKind::Titles);
    assert!(rig.text().contains("Y export"), "{}", rig.text());
    rig.press(Buttons::Y);
    assert!(
        rig.text().contains("Export the cartridge's save?"),
        "{}",
        rig.text()
    );
    rig.press(Buttons::RIGHT);
    assert!(
        rig.text().contains("As a DeSmuME .dsv, to"),
        "{}",
        rig.text()
    );
    let destination = named_destination(&rig, ".dsv");
    rig.press(Buttons::A);
    rig.finish_job();
    assert!(rig.text().contains("Exported"), "{}", rig.text());
    let written = rig.model.console_mut().sd.read(&destination).unwrap();
    // The bytes put on the chip (the fixture's), then DeSmuME's 122-byte
    // footer ending in its cookie.
    assert_eq!(written.len(), 8192 + 122);
    assert_eq!(written[..8192], save);
    assert!(written.ends_with(b"|-DESMUME SAVE-|"));
    assert_eq!(rig.chip(), save, "the chip is only read");
    // No backup was made on the way.
    assert_eq!(
        rig.model.console_mut().sd.kind_of(BACKUPS).unwrap(),
        None,
        "no backup folder"
    );
    rig.press(Buttons::A);
    assert_eq!(rig.ui.screen(), ScreenKind::Titles, "back to the list");
}

#[test]
fn a_cancelled_cartridge_export_writes_nothing_and_a_flashcart_one_pads_the_chip() {
    // Bytes chosen by hand: a counter, with a marked first and last byte.
    let mut save: Vec<u8> = (0..0x2000u32).map(|i| (i % 253) as u8).collect();
    save[0] = 0xA5;
    save[0x1FFF] = 0x5A;
    let mut rig = Rig::new(console_with(&save));
    rig.press(Buttons::Y);
    rig.press(Buttons::B);
    assert_eq!(rig.ui.screen(), ScreenKind::Titles, "{}", rig.text());
    assert_eq!(
        rig.model.console_mut().sd.kind_of(EXPORT_DIR).unwrap(),
        None,
        "cancelled: nothing written"
    );
    rig.press(Buttons::Y);
    let destination = named_destination(&rig, ".sav");
    rig.press(Buttons::A);
    rig.finish_job();
    assert!(rig.text().contains("Exported"), "{}", rig.text());
    let written = rig.model.console_mut().sd.read(&destination).unwrap();
    assert_eq!(written.len(), 512 * 1024);
    assert_eq!(written[0], 0xA5);
    assert_eq!(written[0x1FFE], (0x1FFE % 253) as u8);
    assert_eq!(written[0x1FFF], 0x5A);
    assert!(written[0x2000..].iter().all(|&b| b == 0xFF));
    assert_eq!(rig.chip(), save, "the chip is only read");
}

#[test]
fn a_cartridge_pulled_before_the_export_is_confirmed_writes_nothing() {
    let save = vec![0x3C; 0x2000];
    let mut rig = Rig::new(console_with(&save));
    rig.press(Buttons::Y);
    assert!(rig.text().contains("Export the cartridge's save?"));
    rig.model.console_mut().card.eject().expect("a card");
    rig.press(Buttons::A);
    let text = rig.text();
    assert!(!text.contains("Exported"), "{text}");
    assert!(
        text.contains("The cartridge is no longer in the slot."),
        "{text}"
    );
    assert_eq!(
        rig.model.console_mut().sd.kind_of(EXPORT_DIR).unwrap(),
        None,
        "nothing written"
    );
}

// The cartridge's export as a job: read a chunk a frame with progress,
// cancellable, read only, written only after the whole chip is read.

/// 8 MiB, a flash part with the 8 MiB flash's JEDEC id (ST M25P64: 0x20
/// maker, 0x40 type, 0x17 = 2^23 bytes).
const BIG: usize = 8 << 20;

/// A Sonic Rush cartridge whose save chip is an 8 MiB flash holding `contents`.
fn console_with_big_chip(contents: &[u8]) -> SimConsole {
    let mut console = demo::empty_console();
    console.card.insert(demo::nds_cartridge(
        TITLE,
        CODE,
        SimChip::flash(0x20_4017, BIG, contents),
        200,
    ));
    console
}

/// The 8 MiB chip's contents, from a real save: the Castlevania fixture's
/// 64 KiB image, copy `n` of it XORed with `n`, 128 copies, so that every
/// 32 KiB the job reads differs from the chunk before it.
fn big_chip_contents() -> Option<Vec<u8>> {
    let dsv = keepsake_testkit::fixtures::read("nds/castlevania-portrait-of-ruin/usa.dsv")?;
    let image = &dsv[..0x1_0000];
    let mut contents = Vec::with_capacity(BIG);
    for copy in 0..(BIG / image.len()) {
        contents.extend(image.iter().map(|&b| b ^ copy as u8));
    }
    Some(contents)
}

/// What the running job shows, when one runs.
fn job_progress(rig: &Rig) -> Option<crate::ui::model::Progress> {
    match &rig.ui.view {
        crate::ui::state::View::Job(job) => Some(job.progress.clone()),
        _ => None,
    }
}

/// A frame with only `buttons` pressed (no idle frame after it).
fn press_once(rig: &mut Rig, buttons: Buttons) {
    rig.ui
        .frame(&FrameInput::press(buttons), &mut rig.model, &mut rig.frame);
}

/// Every opcode a read-only export may put on the bus: READ (0x03) and
/// READ STATUS REGISTER (0x05), from the M25P64 datasheet's instruction
/// table (Checkpoint spi.cpp uses the same two to read a save).
const READ_ONLY_OPCODES: [u8; 2] = [0x03, 0x05];

#[test]
fn an_8_mib_cartridge_exports_over_many_frames_with_its_progress_then_the_file() {
    let (Some(contents), Some(footer_of_fixture)) = (
        big_chip_contents(),
        keepsake_testkit::fixtures::read("nds/sonic-rush/usa.dsv"),
    ) else {
        return;
    };
    let mut rig = Rig::new(console_with_big_chip(&contents));
    assert!(rig.text().contains("FLASH 8 MiB"), "{}", rig.text());
    rig.model.console_mut().card.record_commands();
    rig.press(Buttons::Y);
    rig.press(Buttons::RIGHT);
    let destination = named_destination(&rig, ".dsv");
    press_once(&mut rig, Buttons::A);

    let mut frames = 1;
    let mut read = Vec::new();
    let mut writing = Vec::new();
    let mut reading_back = Vec::new();
    let mut shown_read = false;
    // The file: the 8 MiB chip and DeSmuME's 122-byte footer.
    let file_len = BIG as u64 + 122;
    while let Some(progress) = job_progress(&rig) {
        match progress.stage.as_str() {
            "Reading the cartridge" => {
                assert!(writing.is_empty(), "reading after writing began");
                assert_eq!(progress.bytes_total, BIG as u64);
                read.push(progress.bytes_done);
                shown_read |= rig.text().contains("KiB of the 8 MiB save read");
                // Nothing is on the SD card until the whole chip is read.
                assert_eq!(
                    rig.model.console_mut().sd.kind_of(EXPORT_DIR).unwrap(),
                    None,
                    "frame {frames}: written before the read ended"
                );
            }
            "Writing the .dsv file" | "Reading back the .dsv file" => {
                assert!(
                    progress.detail.replace("/ ", "/").contains(&destination),
                    "the write names the file: {}",
                    progress.detail
                );
                assert_eq!(progress.bytes_total, file_len);
                if progress.stage.starts_with("Writing") {
                    assert!(reading_back.is_empty(), "writing after the read-back began");
                    writing.push(progress.bytes_done);
                } else {
                    reading_back.push(progress.bytes_done);
                }
            }
            other => panic!("an unexpected stage {other:?}"),
        }
        // The file is in place only once it was read back whole.
        assert_eq!(
            rig.model.console_mut().sd.kind_of(&destination).unwrap(),
            None,
            "frame {frames}: in place before it was read back"
        );
        rig.idle();
        frames += 1;
        assert!(frames < 1000, "the export did not end");
    }
    assert!(shown_read, "the screen shows the bytes read");
    // 8 MiB in 32 KiB pieces: 256 frames of reading, each a piece further;
    // the frame of the last piece already says what is written next.
    assert_eq!(read.len(), 255, "{frames} frames");
    assert!(read.windows(2).all(|w| w[0] < w[1]), "progress only grows");
    assert_eq!(read.first(), Some(&(32 * 1024)));
    assert_eq!(read.last(), Some(&(BIG as u64 - 32 * 1024)));
    // Then 256 KiB a frame: 32 whole pieces and the 122-byte tail written,
    // and read back the same way.
    assert_eq!(writing.first(), Some(&0));
    assert!(writing.windows(2).all(|w| w[0] < w[1]), "{writing:?}");
    assert_eq!(writing.len(), 33, "{writing:?}");
    assert!(reading_back.windows(2).all(|w| w[0] < w[1]));
    assert_eq!(reading_back.len(), 34, "{reading_back:?}");
    assert_eq!(reading_back.last(), Some(&file_len));

    let text = rig.text().replace("/ ", "/");
    assert!(text.contains("Exported"), "{text}");
    assert!(
        text.contains(&destination),
        "the result names the file: {text}"
    );
    assert!(
        text.contains("FLASH 8 MiB chip was read in full and never written to."),
        "{text}"
    );
    let written = rig.model.console_mut().sd.read(&destination).unwrap();
    // The chip, then DeSmuME's footer for an 8 MiB flash, built by hand:
    // its text and cookie as DeSmuME wrote them in the fixture, and six
    // little-endian u32s: size, padded size, type 10 (8 MiB), 3 address
    // bytes, memory size, version 0.
    let mut expected = contents.clone();
    let fixture_footer = &footer_of_fixture[footer_of_fixture.len() - 122..];
    expected.extend_from_slice(&fixture_footer[..82]);
    for field in [0x80_0000u32, 0x80_0000, 10, 3, 0x80_0000, 0] {
        expected.extend_from_slice(&field.to_le_bytes());
    }
    expected.extend_from_slice(&fixture_footer[106..]);
    assert_eq!(&fixture_footer[106..], b"|-DESMUME SAVE-|");
    assert!(written == expected, "the file is the chip and its footer");

    // Read only: nothing but reads and status polls went out, and the chip
    // never wrote, erased or unlocked.
    let console = rig.model.console_mut();
    let opcodes: std::collections::BTreeSet<u8> = console
        .card
        .recorded()
        .iter()
        .filter_map(|r| r.opcode())
        .collect();
    assert!(
        opcodes.iter().all(|op| READ_ONLY_OPCODES.contains(op)),
        "only reads on the bus: {opcodes:x?}"
    );
    assert!(opcodes.contains(&0x03));
    let stats = console.card.stats();
    assert_eq!((stats.page_writes, stats.erases), (0, 0));
    let chip = console.card.nds_chip().unwrap();
    assert!(chip.is_locked(), "never unlocked");
    assert!(chip.memory() == &contents[..], "the chip is unchanged");
}

#[test]
fn a_cartridge_export_cancelled_mid_read_writes_nothing() {
    let contents = vec![0x5Au8; BIG];
    let mut rig = Rig::new(console_with_big_chip(&contents));
    rig.press(Buttons::Y);
    press_once(&mut rig, Buttons::A);
    rig.idle();
    assert_eq!(rig.ui.screen(), ScreenKind::Job);
    assert!(rig.text().contains("Hold B cancel"), "{}", rig.text());
    assert!(rig.text().contains("Cancel"), "{}", rig.text());
    for _ in 0..crate::ui::state::CANCEL_HOLD_FRAMES + 2 {
        rig.ui.frame(
            &FrameInput::hold_and_press(Buttons::B, Buttons::NONE),
            &mut rig.model,
            &mut rig.frame,
        );
    }
    rig.finish_job();
    let text = rig.text();
    assert!(text.contains("Export cancelled"), "{text}");
    assert!(
        text.contains("Nothing was written to the SD card"),
        "{text}"
    );
    assert_eq!(
        rig.model.console_mut().sd.kind_of(EXPORT_DIR).unwrap(),
        None,
        "cancelled: nothing written"
    );
    rig.press(Buttons::A);
    assert_eq!(rig.ui.screen(), ScreenKind::Titles);
}

#[test]
fn a_cartridge_pulled_mid_export_writes_nothing_and_says_so() {
    let contents = vec![0xC3u8; BIG];
    let mut rig = Rig::new(console_with_big_chip(&contents));
    rig.press(Buttons::Y);
    // A read is a status poll and the read itself: out in the third read.
    rig.model.console_mut().card.pull_card_after(5);
    press_once(&mut rig, Buttons::A);
    rig.finish_job();
    let text = rig.text();
    assert!(
        text.contains("The cartridge was taken out during the export"),
        "{text}"
    );
    assert!(
        text.contains("Nothing was written to the SD card; the cartridge was only read."),
        "{text}"
    );
    assert!(!text.contains("Exported"), "{text}");
    assert_eq!(
        rig.model.console_mut().sd.kind_of(EXPORT_DIR).unwrap(),
        None,
        "nothing written"
    );
}

#[test]
fn y_on_a_cartridge_still_being_identified_is_refused_and_writes_nothing() {
    let save = vec![0x3Cu8; 0x2000];
    let mut rig = Rig::new(demo::empty_console());
    // Put in while the app runs: identified a step a frame.
    rig.model.console_mut().card.insert(demo::nds_cartridge(
        TITLE,
        CODE,
        SimChip::eeprom(0x2000, &save),
        200,
    ));
    rig.idle();
    assert!(rig.text().contains("identifying..."), "{}", rig.text());
    assert!(rig.text().contains("Y export"), "{}", rig.text());
    press_once(&mut rig, Buttons::Y);
    let question = rig.text();
    assert!(
        question.contains("The cartridge is still being identified."),
        "{question}"
    );
    assert!(question.contains("Wait a moment"), "{question}");
    // The question cannot export: its button only tries again.
    assert!(
        !question.contains("As a 512 KiB flashcart .sav, to"),
        "{question}"
    );
    press_once(&mut rig, Buttons::A);
    assert_eq!(rig.ui.screen(), ScreenKind::Result, "{}", rig.text());
    let result = rig.text();
    assert!(result.contains("Nothing was exported"), "{result}");
    assert!(
        result.contains("The cartridge is still being identified."),
        "{result}"
    );
    assert_eq!(
        rig.model.console_mut().sd.kind_of(EXPORT_DIR).unwrap(),
        None,
        "nothing written"
    );
    assert_eq!(rig.chip(), save);
}
