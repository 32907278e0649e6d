//! `keepsake preview` end to end: arguments, scripts, exit codes, files.

use std::fs;
use std::process::Output;

mod common;
use common::keepsake;

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn help_shows_examples_and_the_script_language() {
    let output = keepsake(&["preview", "--help"]);
    assert!(output.status.success());
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("keepsake preview --scenario backup-nds --out shots"),
        "{text}"
    );
    assert!(text.contains("hold B 40"), "{text}");
}

#[test]
fn list_names_every_built_in_scenario() {
    let output = keepsake(&["preview", "--list"]);
    assert!(output.status.success());
    let text = String::from_utf8_lossy(&output.stdout);
    for name in [
        "browse",
        "backup-nds",
        "restore-flashcart",
        "restore-error",
        "many-titles",
    ] {
        assert!(text.contains(name), "{name} missing from {text}");
    }
    assert!(text.contains("events: card-out, card-in"));
}

#[test]
fn one_scenario_writes_a_top_and_a_bottom_png_per_snap() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("shots");
    let output = keepsake(&[
        "preview",
        "--scenario",
        "browse",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let mut names: Vec<String> = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), 12, "{names:?}");
    assert_eq!(names[0], "browse-01-titles-bottom.png");
    assert_eq!(names[1], "browse-01-titles-top.png");
    assert!(
        fs::read(out.join(&names[0]))
            .unwrap()
            .starts_with(b"\x89PNG")
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("wrote 12 PNGs"));
}

#[test]
fn a_script_of_my_own_runs_on_a_scenario_console_with_extra_frames() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("steps.txt");
    fs::write(
        &script,
        "# open the cartridge\npress A\nsnap opened\nevent card-out\nwait 2\nsnap gone\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let output = keepsake(&[
        "preview",
        "--scenario",
        "browse",
        "--script",
        script.to_str().unwrap(),
        "--frame",
        "1",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("browse 01 frame-1 (frame 1)"), "{stdout}");
    assert!(stdout.contains("browse 02 opened (frame 3)"), "{stdout}");
    assert!(stdout.contains("browse 03 gone (frame 5)"), "{stdout}");
    assert!(out.join("browse-03-gone-top.png").exists());
}

#[test]
fn mistakes_exit_2_and_say_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let out = out.to_str().unwrap();

    let unknown = keepsake(&["preview", "--scenario", "nope", "--out", out]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        stderr(&unknown).contains("the scenarios are: browse, backup-nds"),
        "{}",
        stderr(&unknown)
    );

    let script = dir.path().join("bad.txt");
    fs::write(&script, "wait 1\npress Q\n").unwrap();
    let script = script.to_str().unwrap();
    let lone = keepsake(&["preview", "--script", script, "--out", out]);
    assert_eq!(lone.status.code(), Some(2));
    assert!(
        stderr(&lone).contains("add --scenario NAME"),
        "{}",
        stderr(&lone)
    );

    let bad = keepsake(&[
        "preview",
        "--scenario",
        "browse",
        "--script",
        script,
        "--out",
        out,
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("line 2"), "{}", stderr(&bad));
    assert!(
        stderr(&bad).contains("unknown button \"Q\""),
        "{}",
        stderr(&bad)
    );

    let missing = keepsake(&[
        "preview",
        "--scenario",
        "browse",
        "--script",
        "/nonexistent/s.txt",
        "--out",
        out,
    ]);
    assert_eq!(missing.status.code(), Some(2));

    fs::write(dir.path().join("event.txt"), "event explode\n").unwrap();
    let event = keepsake(&[
        "preview",
        "--scenario",
        "browse",
        "--script",
        dir.path().join("event.txt").to_str().unwrap(),
        "--out",
        out,
    ]);
    assert_eq!(event.status.code(), Some(2));
    assert!(
        stderr(&event).contains("its events are card-out, card-in"),
        "{}",
        stderr(&event)
    );
}

/// Issue 14, item 10: a script types a name and snaps the keyboard; a frame
/// past the run and a failing event are errors that say where.
#[test]
fn scripts_type_snap_the_keyboard_and_say_where_they_went_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let script = dir.path().join("name.txt");
    fs::write(
        &script,
        "press L+A\nwait 40\npress A\npress A\ntype my name\npress Y\nsnap-keyboard naming\nwait 40\nsnap done\n",
    )
    .unwrap();
    let run = |extra: &[&str], script: &std::path::Path| {
        let mut args = vec![
            "preview",
            "--scenario",
            "backup-nds",
            "--script",
            script.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        keepsake(&args)
    };
    let named = run(&[], &script);
    assert!(named.status.success(), "{}", stderr(&named));
    let stdout = String::from_utf8_lossy(&named.stdout);
    assert!(stdout.contains("backup-nds 01 naming"), "{stdout}");
    assert!(out.join("backup-nds-01-naming-bottom.png").exists());
    assert!(out.join("backup-nds-02-done-top.png").exists());

    let late = run(&["--frame", "100000"], &script);
    assert_eq!(late.status.code(), Some(2));
    assert!(
        stderr(&late).contains("--frame 100000: the run has only"),
        "{}",
        stderr(&late)
    );

    let early = dir.path().join("early.txt");
    fs::write(&early, "wait 1\nsnap-keyboard naming\n").unwrap();
    let early = run(&[], &early);
    assert_eq!(early.status.code(), Some(2));
    assert!(
        stderr(&early).contains("line 2: snap-keyboard naming: the keyboard has not opened"),
        "{}",
        stderr(&early)
    );

    let event = dir.path().join("event.txt");
    fs::write(&event, "wait 1\n\nevent explode\n").unwrap();
    let event = run(&[], &event);
    assert_eq!(event.status.code(), Some(2));
    assert!(
        stderr(&event).contains("line 3: event explode"),
        "{}",
        stderr(&event)
    );
}

#[test]
fn an_output_folder_that_cannot_be_made_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    fs::write(&file, b"x").unwrap();
    let output = keepsake(&[
        "preview",
        "--scenario",
        "browse",
        "--out",
        file.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("cannot create"),
        "{}",
        stderr(&output)
    );
    assert_eq!(fs::read(&file).unwrap(), b"x");
}

/// The Sonic Rush (USA) fixture, DeSmuME's 8 KiB EEPROM image with its
/// footer; its game code, ASNE, is not in the file (the cartridge says it).
const SONIC_RUSH_USA: &str = "nds/sonic-rush/usa.dsv";

#[test]
fn a_cartridge_from_the_command_line_holds_the_real_save_and_card_out_writes_it() {
    let Some(dsv_path) = keepsake_testkit::fixtures::path(SONIC_RUSH_USA) else {
        eprintln!("skipped: fixture {SONIC_RUSH_USA} missing");
        return;
    };
    let dsv = fs::read(&dsv_path).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let sd = dir.path().join("sd");
    fs::create_dir(&sd).unwrap();
    let card_out = dir.path().join("chip.sav");
    let card = format!("ASNE:eeprom8k:{}", dsv_path.display());
    let png = dir.path().join("png");
    let args = [
        "preview",
        "--sd",
        sd.to_str().unwrap(),
        "--nds-card",
        &card,
        "--no-titles",
        "--card-out",
        card_out.to_str().unwrap(),
        "--out",
        png.to_str().unwrap(),
    ];
    let output = keepsake(&args);
    assert!(output.status.success(), "{}", stderr(&output));
    // DeSmuME's file is the chip image followed by a footer: the chip is
    // the first 8192 bytes of the fixture.
    assert_eq!(fs::read(&card_out).unwrap(), dsv[..8192]);
    assert!(dir.path().join("png/sd-01-start-top.png").exists());

    // The file exists now: refused without --force, and left alone.
    fs::write(&card_out, b"mine").unwrap();
    let again = keepsake(&args);
    assert_eq!(again.status.code(), Some(2));
    assert!(
        stderr(&again).contains("pass --force"),
        "{}",
        stderr(&again)
    );
    assert_eq!(fs::read(&card_out).unwrap(), b"mine");
    let mut forced = args.to_vec();
    forced.push("--force");
    assert!(keepsake(&forced).status.success());
    assert_eq!(fs::read(&card_out).unwrap(), dsv[..8192]);
}

#[test]
fn a_blank_chip_reads_ff_and_cards_swap_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("swap.txt");
    fs::write(
        &script,
        "event card-out\nevent card-in\nwait 30\nsnap second\n",
    )
    .unwrap();
    let card_out = dir.path().join("chip.sav");
    let output = keepsake(&[
        "preview",
        "--nds-card",
        "ASNE:8K",
        "--nds-card",
        "AXYE:flash512k",
        "--script",
        script.to_str().unwrap(),
        "--card-out",
        card_out.to_str().unwrap(),
        "--out",
        dir.path().join("png").to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    // The second card went in: its 512 KiB chip, blank.
    assert_eq!(fs::read(&card_out).unwrap(), vec![0xFF; 512 * 1024]);
}

#[test]
fn bad_real_inputs_exit_2_naming_the_argument() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("png");
    let out = out.to_str().unwrap();
    for (args, said) in [
        (vec!["--nds-card", "ASNE:9K"], "--nds-card"),
        (vec!["--nds-card", "ASNE"], "--nds-card"),
        (vec!["--nds-card", "AS:8K"], "--nds-card"),
        (
            vec!["--nds-card", "ASNE:8K:/nonexistent/x.sav"],
            "--nds-card ASNE",
        ),
        (vec!["--sd", "/nonexistent/sd"], "--sd /nonexistent/sd"),
        (vec!["--card-out", "x.sav"], "--card-out needs a cartridge"),
        (
            vec!["--no-titles", "--scenario", "browse"],
            "leave out --scenario",
        ),
    ] {
        let mut full = vec!["preview", "--out", out];
        full.extend(args.iter().copied());
        let output = keepsake(&full);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(
            stderr(&output).contains(said),
            "{args:?}: {}",
            stderr(&output)
        );
    }
    // A save that does not fit the chip is refused rather than cut.
    let big = dir.path().join("big.sav");
    let data: Vec<u8> = (0..65536u32).map(|i| (i % 251) as u8).collect();
    fs::write(&big, &data).unwrap();
    let card = format!("ASNE:8K:{}", big.display());
    let output = keepsake(&["preview", "--out", out, "--nds-card", &card]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("does not fit EEPROM 8 KiB"),
        "{}",
        stderr(&output)
    );
}

/// An NDS ROM header built by hand: title at 0, game code at 0x0C, maker
/// code at 0x10, CRC-16/MODBUS of 0..0x15E at 0x15E; then filler.
fn rom_file(title: &str, code: &str) -> Vec<u8> {
    let mut rom = vec![0u8; 0x4000];
    rom[..title.len()].copy_from_slice(title.as_bytes());
    rom[0x0C..0x10].copy_from_slice(code.as_bytes());
    rom[0x10..0x12].copy_from_slice(b"01");
    let crc = keepsake_format::nds_header::header_crc(&rom[..0x15E]);
    rom[0x15E..0x160].copy_from_slice(&crc.to_le_bytes());
    for byte in &mut rom[0x200..] {
        *byte = 0xA5;
    }
    rom
}

#[test]
fn the_seed_workflow_runs_from_the_command_line_on_real_files() {
    let (Some(usa), Some(europe)) = (
        keepsake_testkit::fixtures::path(SONIC_RUSH_USA),
        keepsake_testkit::fixtures::path("nds/sonic-rush/europe.dsv"),
    ) else {
        return;
    };
    let new = fs::read(&usa).unwrap()[..8192].to_vec();
    let old = fs::read(&europe).unwrap()[..8192].to_vec();
    assert_ne!(new, old);
    let dir = tempfile::tempdir().unwrap();
    let sd = dir.path().join("sd");
    // TWiLight Menu++'s layout: the ROM, its save under the ROM's name in
    // saves/, 512 KiB as a flashcart writes it (the save, then 0xFF).
    fs::create_dir_all(sd.join("roms/nds/saves")).unwrap();
    fs::write(
        sd.join("roms/nds/Sonic Rush.nds"),
        rom_file("SONICRUSH", "ASNE"),
    )
    .unwrap();
    let mut flashcart = new.clone();
    flashcart.resize(512 * 1024, 0xFF);
    fs::write(sd.join("roms/nds/saves/Sonic Rush.sav"), &flashcart).unwrap();
    let script = dir.path().join("seed.txt");
    fs::write(
        &script,
        "# Settings, Find saves on the SD card\n\
         press SELECT\npress DOWN\npress DOWN\npress A\nwait 60\nsnap found\npress A\n\
         # open the cartridge, the found save is after New backup\n\
         press A\npress DOWN\nsnap details\npress R+A\npress A\nwait 600\nsnap restored\n",
    )
    .unwrap();
    let card = format!("ASNE:8K:{}", europe.display());
    let card_out = dir.path().join("after.sav");
    let png = dir.path().join("png");
    let output = keepsake(&[
        "preview",
        "--sd",
        sd.to_str().unwrap(),
        "--nds-card",
        &card,
        "--card-out",
        card_out.to_str().unwrap(),
        "--script",
        script.to_str().unwrap(),
        "--no-titles",
        "--out",
        png.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        fs::read(&card_out).unwrap(),
        new,
        "the chip holds the save's 8 KiB"
    );
    // The flashcart's file is untouched; the search was kept on the card.
    assert_eq!(
        fs::read(sd.join("roms/nds/saves/Sonic Rush.sav")).unwrap(),
        flashcart
    );
    let kept = fs::read_to_string(sd.join("3ds/Keepsake/rom-folders.json")).unwrap();
    assert!(kept.contains("/roms/nds"), "{kept}");
    // The automatic backup, in the folder a Checkpoint user knows, holds
    // the chip as it was.
    let title = sd.join("3ds/Checkpoint/saves/ASNE SONICRUSH");
    let auto: Vec<_> = fs::read_dir(&title)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with("-auto"))
        .collect();
    assert_eq!(auto.len(), 1, "{auto:?}");
    assert_eq!(fs::read(auto[0].join("SONICRUSH.sav")).unwrap(), old);
    for snap in ["found", "details", "restored"] {
        let n = ["found", "details", "restored"]
            .iter()
            .position(|s| *s == snap)
            .unwrap()
            + 1;
        assert!(png.join(format!("sd-{n:02}-{snap}-top.png")).exists());
    }
}

/// `keepsake nds info --json` of one file, as JSON.
fn nds_info(path: &std::path::Path) -> serde_json::Value {
    let output = keepsake(&["nds", "info", "--json", path.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let all: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    all[0].clone()
}

#[test]
fn exports_are_read_by_nds_info_as_the_same_save() {
    let Some(usa) = keepsake_testkit::fixtures::path(SONIC_RUSH_USA) else {
        return;
    };
    let fixture = fs::read(&usa).unwrap();
    let chip = &fixture[..8192];
    let dir = tempfile::tempdir().unwrap();
    let sd = dir.path().join("sd");
    // A Checkpoint backup of the cartridge holding the real save, and the
    // game's ROM with an older save in TWiLight's slot.
    let backup = sd.join("3ds/Checkpoint/saves/ASNE SONICRUSH/20260101-000000");
    fs::create_dir_all(&backup).unwrap();
    fs::write(backup.join("SONICRUSH.sav"), chip).unwrap();
    fs::create_dir_all(sd.join("roms/nds/saves")).unwrap();
    fs::write(
        sd.join("roms/nds/Sonic Rush.nds"),
        rom_file("SONICRUSH", "ASNE"),
    )
    .unwrap();
    fs::write(sd.join("roms/nds/saves/Sonic Rush.sav"), b"older save").unwrap();
    fs::create_dir_all(sd.join("3ds/Keepsake")).unwrap();
    fs::write(
        sd.join("3ds/Keepsake/rom-folders.json"),
        br#"["/roms/nds"]"#,
    )
    .unwrap();
    let script = dir.path().join("export.txt");
    fs::write(
        &script,
        "press A\n\
         # the Checkpoint backup, before the found save (dated first)\n\
         press DOWN\npress Y\nsnap export-sav\npress A\nsnap exported\npress A\n\
         press Y\npress RIGHT\nsnap export-dsv\npress A\npress A\n\
         press Y\npress LEFT\nsnap export-twilight\npress A\nsnap exported-twilight\n",
    )
    .unwrap();
    let output = keepsake(&[
        "preview",
        "--sd",
        sd.to_str().unwrap(),
        "--nds-card",
        "ASNE:8K",
        "--script",
        script.to_str().unwrap(),
        "--no-titles",
        "--out",
        dir.path().join("png").to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let exported: Vec<std::path::PathBuf> = fs::read_dir(sd.join("3ds/Keepsake/export"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    let by_ext = |ext: &str| {
        exported
            .iter()
            .find(|p| p.extension().is_some_and(|e| e == ext))
            .unwrap_or_else(|| panic!("no .{ext} in {exported:?}"))
            .clone()
    };
    let sav = by_ext("sav");
    let dsv = by_ext("dsv");
    let twilight = sd.join("roms/nds/saves/Sonic Rush.sav");
    let original = nds_info(&usa);
    for path in [&sav, &dsv, &twilight] {
        let info = nds_info(path);
        // The same save: data up to 0x1F40 then 0xFF padding, which fits an
        // 8 KiB EEPROM without loss, as the fixture itself says.
        assert_eq!(
            info["analysis"]["padding"]["start"],
            original["analysis"]["padding"]["start"],
            "{}",
            path.display()
        );
        assert_eq!(
            info["lossless"][0],
            original["lossless"][0],
            "{}",
            path.display()
        );
        let bytes = fs::read(path).unwrap();
        assert!(bytes[..8192] == *chip, "{}", path.display());
    }
    assert_eq!(fs::metadata(&sav).unwrap().len(), 512 * 1024);
    assert_eq!(nds_info(&dsv)["container"]["kind"], "dsv");
    assert_eq!(fs::metadata(&dsv).unwrap().len(), 8192 + 122);
    // The save it replaced is kept beside it.
    let kept: Vec<String> = fs::read_dir(sd.join("roms/nds/saves"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".bak"))
        .collect();
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert_eq!(
        fs::read(sd.join("roms/nds/saves").join(&kept[0])).unwrap(),
        b"older save"
    );
}

/// The RGB of pixel (`x`, `y`) of a PNG the preview wrote.
fn pixel(path: &std::path::Path, x: usize, y: usize) -> [u8; 3] {
    let bytes = fs::read(path).unwrap();
    let mut reader = png::Decoder::new(bytes.as_slice()).read_info().unwrap();
    let mut buffer = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buffer).unwrap();
    let at = (y * info.width as usize + x) * 3;
    [buffer[at], buffer[at + 1], buffer[at + 2]]
}

/// `--theme light` draws the scenario in the light palette (its background
/// is #F4F6FA, the dark one's #1C1F2A: written out from `ui/palette.rs`), a
/// script's `theme` line switches from the next frame, and with `--sd` the
/// setting is written to that folder's config.json as the console would.
#[test]
fn the_theme_is_chosen_by_flag_or_script_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let output = keepsake(&[
        "preview",
        "--theme",
        "light",
        "--scenario",
        "browse",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    // Below the title's details, above the foot: the background.
    let corner = pixel(&out.join("browse-01-titles-top.png"), 390, 200);
    assert_eq!(corner, [0xF4, 0xF6, 0xFA]);

    let script = dir.path().join("switch.txt");
    fs::write(&script, "snap dark\ntheme light\nwait 1\nsnap light\n").unwrap();
    let sd = dir.path().join("sd");
    fs::create_dir(&sd).unwrap();
    let shots = dir.path().join("shots");
    let output = keepsake(&[
        "preview",
        "--sd",
        sd.to_str().unwrap(),
        "--no-titles",
        "--script",
        script.to_str().unwrap(),
        "--out",
        shots.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let names: Vec<String> = fs::read_dir(&shots)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let named = |snap: &str| {
        let name = names
            .iter()
            .find(|n| n.ends_with(&format!("-{snap}-bottom.png")))
            .unwrap_or_else(|| panic!("no {snap} in {names:?}"));
        shots.join(name)
    };
    assert_eq!(pixel(&named("dark"), 160, 120), [0x1C, 0x1F, 0x2A]);
    assert_eq!(pixel(&named("light"), 160, 120), [0xF4, 0xF6, 0xFA]);
    let config: serde_json::Value =
        serde_json::from_slice(&fs::read(sd.join("3ds/Keepsake/config.json")).unwrap()).unwrap();
    assert_eq!(config["theme"], "light");

    let wrong = keepsake(&["preview", "--theme", "sepia", "--list"]);
    assert_eq!(wrong.status.code(), Some(2));
    assert!(
        stderr(&wrong).contains("the themes are dark and light, not \"sepia\""),
        "{}",
        stderr(&wrong)
    );
}
