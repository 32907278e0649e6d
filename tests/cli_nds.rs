//! End-to-end tests of `keepsake nds`: the real binary on real fixtures and
//! on generated saves, checking files written, exit codes and messages.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use keepsake_testkit::rand::Rng;
use keepsake_testkit::{fixtures, rng};

mod common;
use common::keepsake;

fn path_str(path: &Path) -> &str {
    path.to_str().expect("test paths are UTF-8")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// An 8 KiB game save whose last byte is data, from a seeded generator.
fn game_save(name: &str) -> Vec<u8> {
    let mut rng = rng::for_test(name);
    let mut save = vec![0u8; 8192];
    rng.fill(&mut save[..]);
    save[8191] = 0x42;
    save
}

#[test]
fn a_512k_flashcart_save_of_an_8k_game_converts_in_one_command() {
    let dir = tempfile::tempdir().unwrap();
    let game = game_save("flashcart_to_cartridge");
    let mut flashcart = game.clone();
    flashcart.resize(512 * 1024, 0xFF);
    let input = dir.path().join("game.sav");
    fs::write(&input, &flashcart).unwrap();
    let output = dir.path().join("cart.sav");

    let run = keepsake(&["nds", "convert", path_str(&input), "-o", path_str(&output)]);
    assert!(run.status.success(), "{}", stderr(&run));
    assert_eq!(fs::read(&output).unwrap(), game);
    assert!(stdout(&run).contains("EEPROM 8 KiB"), "{}", stdout(&run));
    // The input is untouched.
    assert_eq!(fs::read(&input).unwrap(), flashcart);
}

#[test]
fn converting_to_dsv_matches_desmume_and_back_to_raw_is_identity() {
    let Some(fixture) = fixtures::read("nds/sonic-rush/usa.dsv") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let dsv_in = dir.path().join("usa.dsv");
    fs::write(&dsv_in, &fixture).unwrap();
    let raw = dir.path().join("usa.sav");
    let run = keepsake(&["nds", "convert", path_str(&dsv_in), "-o", path_str(&raw)]);
    assert!(run.status.success(), "{}", stderr(&run));
    assert_eq!(fs::read(&raw).unwrap(), &fixture[..8192]);

    let dsv_out = dir.path().join("again.dsv");
    let run = keepsake(&[
        "nds",
        "convert",
        path_str(&raw),
        "-o",
        path_str(&dsv_out),
        "--to",
        "dsv",
    ]);
    assert!(run.status.success(), "{}", stderr(&run));
    let ours = fs::read(&dsv_out).unwrap();
    assert_eq!(ours.len(), fixture.len());
    // Everything but DeSmuME's unreliable `size` field (footer offset 0x52).
    let size_field = 8192 + 0x52;
    assert_eq!(&ours[..size_field], &fixture[..size_field]);
    assert_eq!(&ours[size_field + 4..], &fixture[size_field + 4..]);
}

#[test]
fn a_data_byte_past_the_target_is_refused_with_its_offset_unless_the_loss_is_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let game = game_save("data_byte_past_the_target");
    let mut flashcart = game.clone();
    flashcart.resize(512 * 1024, 0xFF);
    flashcart[0x3000] = 0x42;
    let input = dir.path().join("game.sav");
    fs::write(&input, &flashcart).unwrap();
    let output = dir.path().join("cart.sav");

    let run = keepsake(&[
        "nds",
        "convert",
        path_str(&input),
        "-o",
        path_str(&output),
        "--size",
        "8K",
    ]);
    assert_eq!(run.status.code(), Some(2));
    let message = stderr(&run);
    assert!(message.contains("1 byte of data"), "{message}");
    assert!(message.contains("at offset 0x3000"), "{message}");
    assert!(message.contains("--allow-loss"), "{message}");
    assert!(!message.contains("--force"), "{message}");
    assert!(!output.exists(), "nothing is written when refused");

    // auto picks the smallest chip that keeps the stray byte.
    let run = keepsake(&["nds", "convert", path_str(&input), "-o", path_str(&output)]);
    assert!(run.status.success(), "{}", stderr(&run));
    assert_eq!(fs::read(&output).unwrap(), &flashcart[..64 * 1024]);

    let run = keepsake(&[
        "nds",
        "convert",
        path_str(&input),
        "-o",
        path_str(&output),
        "--size",
        "8K",
        "--allow-loss",
        "--force",
    ]);
    assert!(run.status.success(), "{}", stderr(&run));
    assert!(stderr(&run).contains("warning"), "{}", stderr(&run));
    assert!(stdout(&run).contains("LOSS ALLOWED"), "{}", stdout(&run));
    assert_eq!(fs::read(&output).unwrap(), game);
}

#[test]
fn the_input_is_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let mut save = game_save("input_never_overwritten");
    save.resize(64 * 1024, 0xFF);
    let input = dir.path().join("game.sav");
    fs::write(&input, &save).unwrap();
    let run = keepsake(&["nds", "convert", path_str(&input), "-o", path_str(&input)]);
    assert_eq!(run.status.code(), Some(2));
    assert!(stderr(&run).contains("it is an input"), "{}", stderr(&run));
    assert_eq!(fs::read(&input).unwrap(), save);
}

#[test]
fn bad_inputs_exit_with_2_and_say_why() {
    let dir = tempfile::tempdir().unwrap();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty.sav", Vec::new(), "empty"),
        (
            "garbage.sav",
            b"this is not a save at all".to_vec(),
            "25 bytes",
        ),
        ("huge.sav", vec![0xFF; 16 << 20], "8 MiB"),
        (
            "cut.dsv",
            {
                let mut dsv = vec![0xFF; 8192];
                dsv.extend_from_slice(b"|<--Snip above here to create a raw sav");
                dsv
            },
            "truncated",
        ),
    ];
    for (name, bytes, expected) in cases {
        let input = dir.path().join(name);
        fs::write(&input, &bytes).unwrap();
        let output = dir.path().join("out.sav");
        let run = keepsake(&["nds", "convert", path_str(&input), "-o", path_str(&output)]);
        assert_eq!(run.status.code(), Some(2), "{name}: {}", stderr(&run));
        assert!(stderr(&run).contains(expected), "{name}: {}", stderr(&run));
        assert!(!output.exists());
        let run = keepsake(&["nds", "info", path_str(&input)]);
        assert_eq!(run.status.code(), Some(2), "{name}");
    }
    let missing = dir.path().join("missing.sav");
    let run = keepsake(&["nds", "info", path_str(&missing)]);
    assert_eq!(run.status.code(), Some(2));
    assert!(stderr(&run).contains("cannot read"), "{}", stderr(&run));
}

#[test]
fn a_bad_size_or_a_blank_save_with_auto_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("blank.sav");
    fs::write(&input, vec![0xFF; 512 * 1024]).unwrap();
    let output = dir.path().join("out.sav");
    let run = keepsake(&["nds", "convert", path_str(&input), "-o", path_str(&output)]);
    assert_eq!(run.status.code(), Some(2));
    assert!(stderr(&run).contains("blank"), "{}", stderr(&run));
    let run = keepsake(&[
        "nds",
        "convert",
        path_str(&input),
        "-o",
        path_str(&output),
        "--size",
        "3K",
    ]);
    assert_eq!(run.status.code(), Some(2));
    assert!(stderr(&run).contains("3K"), "{}", stderr(&run));
    // With a size it converts: a blank 8 KiB image.
    let run = keepsake(&[
        "nds",
        "convert",
        path_str(&input),
        "-o",
        path_str(&output),
        "--size",
        "8K",
    ]);
    assert!(run.status.success(), "{}", stderr(&run));
    assert_eq!(fs::read(&output).unwrap(), vec![0xFF; 8192]);
}

#[test]
fn info_reports_every_fixture_and_rejects_bad_duc() {
    for game in ["sonic-rush", "castlevania-portrait-of-ruin"] {
        let Some(files) = fixtures::files_in(&format!("nds/{game}")) else {
            return;
        };
        let capacity = if game == "sonic-rush" { 8192 } else { 65536 };
        for file in files {
            let name = file.file_name().unwrap().to_str().unwrap();
            let is_save = name.ends_with(".dsv") || name.ends_with(".duc");
            if !is_save {
                continue;
            }
            let run = keepsake(&["nds", "info", "--json", path_str(&file)]);
            let json: serde_json::Value = serde_json::from_slice(&run.stdout)
                .unwrap_or_else(|e| panic!("{name}: {e}: {}", stdout(&run)));
            let entry = &json[0];
            if name == "bad.duc" {
                assert_eq!(run.status.code(), Some(2), "{game}/{name}");
                let error = entry["error"].as_str().unwrap();
                assert!(error.contains("0x1f4"), "{error}");
                continue;
            }
            assert!(run.status.success(), "{game}/{name}: {}", stderr(&run));
            let kind = if name.ends_with(".dsv") {
                "dsv"
            } else {
                "action_replay"
            };
            assert_eq!(entry["container"]["kind"], kind, "{name}");
            assert_eq!(entry["payload_len"], capacity, "{name}");
            let lossless = entry["lossless"].as_array().unwrap();
            assert!(
                lossless.iter().any(|c| c["capacity"] == capacity),
                "{game}/{name} must fit its own chip"
            );
        }
    }
}

#[test]
fn info_text_names_the_container_footer_and_smallest_chip() {
    let Some(path) = fixtures::path("nds/sonic-rush/usa.dsv") else {
        return;
    };
    let run = keepsake(&["nds", "info", path_str(&path)]);
    assert!(run.status.success(), "{}", stderr(&run));
    let text = stdout(&run);
    assert!(text.contains("DeSmuME .dsv"), "{text}");
    assert!(
        text.contains("size 0x201, padded size 8192, type 2 (EEPROM 8 KiB)"),
        "{text}"
    );
    assert!(text.contains("smallest:   EEPROM 8 KiB"), "{text}");
}

#[test]
fn the_demo_makes_converts_and_checks_a_save() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("demo");
    let run = keepsake(&["nds", "demo", "--out", path_str(&out)]);
    assert!(run.status.success(), "{}", stderr(&run));
    assert_eq!(
        fs::read(out.join("flashcart.sav")).unwrap().len(),
        512 * 1024
    );
    let cart = fs::read(out.join("cartridge.sav")).unwrap();
    assert_eq!(cart, &fs::read(out.join("flashcart.sav")).unwrap()[..8192]);
    assert_eq!(
        fs::read(out.join("cartridge.dsv")).unwrap().len(),
        8192 + 122
    );
    assert!(!out.join("too-small.sav").exists());
    assert!(stdout(&run).contains("refused"), "{}", stdout(&run));
    // Run again over its own files: refused unless --force.
    let again = keepsake(&["nds", "demo", "--out", path_str(&out)]);
    assert_eq!(again.status.code(), Some(2), "{}", stderr(&again));
    assert!(stderr(&again).contains("--force"), "{}", stderr(&again));
    assert!(stdout(&again).is_empty(), "{}", stdout(&again));
    let forced = keepsake(&["nds", "demo", "--out", path_str(&out), "--force"]);
    assert!(forced.status.success(), "{}", stderr(&forced));
}

#[test]
fn the_demo_without_out_takes_a_new_folder_each_run() {
    let temp = tempfile::tempdir().unwrap();
    for name in ["keepsake-demo", "keepsake-demo-2"] {
        let run = Command::new(env!("CARGO_BIN_EXE_keepsake"))
            .args(["nds", "demo"])
            .env("TMPDIR", temp.path())
            .output()
            .unwrap();
        assert!(run.status.success(), "{}", stderr(&run));
        let folder = temp.path().join(name);
        assert_eq!(
            fs::read(folder.join("flashcart.sav")).unwrap().len(),
            512 * 1024,
            "{name}"
        );
    }
}

#[test]
fn help_shows_examples() {
    let run = keepsake(&["nds", "convert", "--help"]);
    assert!(run.status.success());
    assert!(stdout(&run).contains("Examples:"), "{}", stdout(&run));
}

#[test]
fn no_cash_and_ar_me_saves_are_read_and_converted() {
    let dir = tempfile::tempdir().unwrap();
    let game = game_save("no_cash_and_ar_me");

    // no$gba, compressed: the 8 KiB of data as literal records (at most
    // 127 bytes each), then the padding as long repeat records.
    let mut nocash = b"NocashGbaBackupMediaSavDataFile\x1A".to_vec();
    nocash.resize(0x40, 0);
    nocash.extend_from_slice(b"SRAM");
    nocash.extend_from_slice(&1u32.to_le_bytes());
    nocash.extend_from_slice(&0u32.to_le_bytes());
    nocash.extend_from_slice(&(512u32 * 1024).to_le_bytes());
    for chunk in game.chunks(127) {
        nocash.push(chunk.len() as u8);
        nocash.extend_from_slice(chunk);
    }
    // Then 504 KiB of 0xFF as repeat records of 0xFFFF bytes and the rest.
    let mut left = 512 * 1024 - 8192;
    while left > 0 {
        let n = left.min(0xFFFF);
        nocash.extend_from_slice(&[0x80, 0xFF]);
        nocash.extend_from_slice(&(n as u16).to_le_bytes());
        left -= n;
    }
    nocash.push(0);
    nocash.extend_from_slice(b"STOP");
    let nocash_path = dir.path().join("game.ngs");
    fs::write(&nocash_path, &nocash).unwrap();

    // AR DS ME: 164-byte header with the length / 256 at 0xA1 and 0xC0 at 0xA3.
    let mut me = vec![0u8; 0xA4];
    me[4..8].copy_from_slice(b"DEMO");
    me[0xA1] = (8192 >> 8) as u8;
    me[0xA3] = 0xC0;
    me.extend_from_slice(&game);
    let me_path = dir.path().join("game.duc");
    fs::write(&me_path, &me).unwrap();

    let run = keepsake(&[
        "nds",
        "info",
        "--json",
        path_str(&nocash_path),
        path_str(&me_path),
    ]);
    assert!(run.status.success(), "{}", stderr(&run));
    let json: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(json[0]["container"]["kind"], "no_cash_gba");
    assert_eq!(json[0]["container"]["compression"], "RunLength");
    assert_eq!(json[0]["payload_len"], 512 * 1024);
    assert_eq!(json[0]["lossless"][0]["capacity"], 8192);
    assert_eq!(json[1]["container"]["kind"], "action_replay");
    assert_eq!(json[1]["container"]["variant"], "Me");
    assert_eq!(json[1]["container"]["game_name"], "DEMO");

    for (i, input) in [&nocash_path, &me_path].into_iter().enumerate() {
        let output = dir.path().join(format!("cart{i}.sav"));
        let run = keepsake(&["nds", "convert", path_str(input), "-o", path_str(&output)]);
        assert!(run.status.success(), "{}", stderr(&run));
        assert_eq!(fs::read(&output).unwrap(), game, "{}", input.display());
    }
}

/// The 122-byte DeSmuME footer, written out field by field from the format
/// (not with the code under test).
fn desmume_footer(size: u32, padded: u32, kind: u32, address: u32, memory: u32) -> Vec<u8> {
    let mut footer =
        b"|<--Snip above here to create a raw sav by excluding this DeSmuME savedata footer:"
            .to_vec();
    for field in [size, padded, kind, address, memory, 0] {
        footer.extend_from_slice(&field.to_le_bytes());
    }
    footer.extend_from_slice(b"|-DESMUME SAVE-|");
    assert_eq!(footer.len(), 122);
    footer
}

#[test]
fn an_8k_dsv_whose_data_ends_at_0x94_keeps_its_size_and_every_byte() {
    // The save the old `auto` cut to 512 B: 8 KiB EEPROM (type 2), data up
    // to 0x94, then 0x00 to the end.
    let dir = tempfile::tempdir().unwrap();
    let mut image = vec![0u8; 8192];
    for (i, b) in image[..0x94].iter_mut().enumerate() {
        *b = 0x80 | i as u8;
    }
    let mut file = image.clone();
    file.extend(desmume_footer(0x94, 8192, 2, 2, 8192));
    let input = dir.path().join("game.dsv");
    fs::write(&input, &file).unwrap();

    let raw = dir.path().join("game.sav");
    let run = keepsake(&["nds", "convert", path_str(&input), "-o", path_str(&raw)]);
    assert!(run.status.success(), "{}", stderr(&run));
    assert_eq!(fs::read(&raw).unwrap(), image);
    assert!(stdout(&run).contains("EEPROM 8 KiB"), "{}", stdout(&run));

    // Grown to a flashcart's 512 KiB and back: the same 8 KiB.
    let big = dir.path().join("flashcart.sav");
    let run = keepsake(&[
        "nds",
        "convert",
        path_str(&raw),
        "-o",
        path_str(&big),
        "--size",
        "512K",
    ]);
    assert!(run.status.success(), "{}", stderr(&run));
    let back = dir.path().join("back.sav");
    let run = keepsake(&["nds", "convert", path_str(&big), "-o", path_str(&back)]);
    assert!(run.status.success(), "{}", stderr(&run));
    assert_eq!(fs::read(&back).unwrap(), image);

    // 512 B on purpose is refused: it would turn the 0x00 run into 0xFF.
    let small = dir.path().join("small.sav");
    let run = keepsake(&[
        "nds",
        "convert",
        path_str(&input),
        "-o",
        path_str(&small),
        "--size",
        "512",
    ]);
    assert_eq!(run.status.code(), Some(2));
    assert!(stderr(&run).contains("of 0x00"), "{}", stderr(&run));
    assert!(!small.exists());

    // `info` says why each size does or does not keep it.
    let run = keepsake(&["nds", "info", path_str(&input)]);
    let text = stdout(&run);
    assert!(
        text.contains("stated:     EEPROM 8 KiB, by the .dsv footer"),
        "{text}"
    );
    assert!(
        text.contains("EEPROM 512 B     not readable as it was"),
        "{text}"
    );
    assert!(text.contains("auto:       EEPROM 8 KiB"), "{text}");
}

#[test]
fn every_shared_dsv_and_duc_converts_with_auto_to_its_stated_size() {
    // Sizes from the fixtures README: Sonic Rush has an 8 KiB EEPROM,
    // Castlevania a 64 KiB one.
    for (game, size) in [
        ("sonic-rush", 8192),
        ("castlevania-portrait-of-ruin", 65536),
    ] {
        let Some(files) = fixtures::files_in(&format!("nds/{game}")) else {
            return;
        };
        let dir = tempfile::tempdir().unwrap();
        for file in files {
            let name = file.file_name().unwrap().to_str().unwrap().to_string();
            let start = match name.rsplit('.').next() {
                Some("dsv") => 0,
                Some("duc") if name != "bad.duc" => 500,
                _ => continue,
            };
            let bytes = fs::read(&file).unwrap();
            let output = dir.path().join(format!("{name}.sav"));
            let run = keepsake(&["nds", "convert", path_str(&file), "-o", path_str(&output)]);
            assert!(run.status.success(), "{game}/{name}: {}", stderr(&run));
            assert_eq!(
                fs::read(&output).unwrap(),
                &bytes[start..start + size],
                "{game}/{name}"
            );
        }
    }
}

#[test]
fn an_existing_output_is_refused_with_exit_2_and_replaced_with_force() {
    let dir = tempfile::tempdir().unwrap();
    let game = game_save("existing_output");
    let input = dir.path().join("game.sav");
    fs::write(&input, &game).unwrap();
    let output = dir.path().join("out.sav");
    fs::write(&output, b"keep me").unwrap();
    let run = keepsake(&["nds", "convert", path_str(&input), "-o", path_str(&output)]);
    assert_eq!(run.status.code(), Some(2));
    assert!(
        stderr(&run).contains("already exists; pass --force"),
        "{}",
        stderr(&run)
    );
    assert_eq!(fs::read(&output).unwrap(), b"keep me");
    let run = keepsake(&[
        "nds",
        "convert",
        path_str(&input),
        "-o",
        path_str(&output),
        "--force",
    ]);
    assert!(run.status.success(), "{}", stderr(&run));
    assert_eq!(fs::read(&output).unwrap(), game);
    // Never over the input, --force or not.
    let run = keepsake(&[
        "nds",
        "convert",
        path_str(&input),
        "-o",
        path_str(&input),
        "--force",
    ]);
    assert_eq!(run.status.code(), Some(2));
    assert_eq!(fs::read(&input).unwrap(), game);
}

#[test]
fn a_3ds_save_given_to_nds_says_which_command_reads_it() {
    let Some(path) = fixtures::path("ctr/nand-00000000.disa") else {
        return;
    };
    let run = keepsake(&["nds", "info", path_str(&path)]);
    assert_eq!(run.status.code(), Some(2));
    assert!(
        stderr(&run).contains("use `keepsake disa`"),
        "{}",
        stderr(&run)
    );
    assert!(
        stderr(&run).contains("1 of 1 file could not"),
        "{}",
        stderr(&run)
    );
}

#[test]
fn every_nds_help_describes_its_arguments_with_an_example() {
    let group = keepsake(&["nds", "--help"]);
    let text = stdout(&group);
    for sub in ["info", "convert", "demo"] {
        assert!(text.contains(&format!("  {sub}")), "{text}");
        let run = keepsake(&["nds", sub, "--help"]);
        assert!(run.status.success());
        let help = stdout(&run);
        assert!(help.contains("Example"), "{sub}: {help}");
    }
    let convert = stdout(&keepsake(&["nds", "convert", "--help"]));
    for flag in ["--size", "--to", "--allow-loss", "--force", "--output"] {
        assert!(convert.contains(flag), "{flag}: {convert}");
    }
}
