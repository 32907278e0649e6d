//! End-to-end tests of `keepsake nds`: the real binary on real fixtures and
//! on generated saves, checking files written, exit codes and messages.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use keepsake_testkit::rand::Rng;
use keepsake_testkit::{fixtures, rng};

fn keepsake(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_keepsake"))
        .args(args)
        .output()
        .expect("running keepsake")
}

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
fn a_data_byte_past_the_target_is_refused_with_its_offset_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    let game = game_save("data_byte_past_the_target");
    let mut flashcart = game.clone();
    flashcart.resize(512 * 1024, 0xFF);
    flashcart[0x3000] = 0x00;
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
    assert!(
        message.contains("1 byte of data at offset 0x3000"),
        "{message}"
    );
    assert!(message.contains("--force"), "{message}");
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
        "--force",
    ]);
    assert!(run.status.success(), "{}", stderr(&run));
    assert!(stderr(&run).contains("warning"), "{}", stderr(&run));
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
}

#[test]
fn help_shows_examples() {
    let run = keepsake(&["nds", "convert", "--help"]);
    assert!(run.status.success());
    assert!(stdout(&run).contains("Examples:"), "{}", stdout(&run));
}
