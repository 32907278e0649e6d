//! End-to-end tests of `keepsake 3ds` on generated cartridge images.

use std::fs;
use std::path::{Path, PathBuf};

use keepsake_format::ctr::crypto::cipher::{CounterMode, apply_keystream};
use keepsake_format::ctr::testgen;
use keepsake_format::ctr::wear::{self, FlashSize};
use keepsake_testkit::rand::Rng;
use keepsake_testkit::rng;

mod common;
use common::keepsake;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, bytes).unwrap();
    path
}

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

const KEY: &str = "00112233445566778899aabbccddeeff";
const CTR: &str = "0f0e0d0c0b0a09080706050403020100";

fn key_bytes(hex: &str) -> [u8; 16] {
    core::array::from_fn(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
}

#[test]
fn info_reports_the_kind_and_every_check_of_a_flash_image() {
    let mut rng = rng::for_test("cli_info");
    let dir = tempfile::tempdir().unwrap();
    for (size, label) in [
        (FlashSize::K128, "128 KiB, V1"),
        (FlashSize::K512, "512 KiB, V1"),
        (FlashSize::M1, "1024 KiB, V2"),
    ] {
        let flash = testgen::flash_image_with_journal(&mut rng, size, 3);
        let path = write(dir.path(), "card.bin", &flash.image);
        let out = keepsake(&["3ds", "info", s(&path)]);
        let stdout = text(&out.stdout);
        assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
        assert!(
            stdout.contains(&format!("raw wear-leveled cartridge flash, {label}")),
            "{stdout}"
        );
        assert!(stdout.contains("ok    block map CRC"), "{stdout}");
        assert!(
            stdout.contains("ok    journal: 3 entries replayed"),
            "{stdout}"
        );
        assert!(
            stdout.contains("every logical byte is verified"),
            "{stdout}"
        );
        assert!(!stdout.contains("FAIL"), "{stdout}");
    }
}

#[test]
fn info_names_what_fails_in_a_damaged_image() {
    let mut rng = rng::for_test("cli_info_damaged");
    let dir = tempfile::tempdir().unwrap();
    let flash = testgen::flash_image(&mut rng, FlashSize::M1);
    let mut image = flash.image.clone();
    image[0x3FE] ^= 0xFF;
    let path = write(dir.path(), "card.bin", &image);
    let out = keepsake(&["3ds", "info", s(&path)]);
    let stdout = text(&out.stdout);
    assert!(out.status.success());
    assert!(stdout.contains("with a damaged block map"), "{stdout}");
    assert!(
        stdout.contains("FAIL  block map CRC: block map CRC at 0x3fe"),
        "{stdout}"
    );
    assert!(
        stdout.contains("untrusted logical bytes: 1040384"),
        "{stdout}"
    );
}

#[test]
fn info_on_the_real_nand_disa_sees_plaintext_disa() {
    let Some(path) = keepsake_testkit::fixtures::path("ctr/nand-00000000.disa") else {
        return;
    };
    let out = keepsake(&["3ds", "info", s(&path)]);
    let stdout = text(&out.stdout);
    assert!(out.status.success());
    assert!(stdout.contains("plaintext DISA image"), "{stdout}");
    assert!(stdout.contains("header: DISA version 0x40000"), "{stdout}");
}

#[test]
fn info_on_garbage_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "junk.bin", &[0x42; 0x3000]);
    let out = keepsake(&["3ds", "info", s(&path)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stdout).contains("not recognized"));
}

#[test]
fn unwear_writes_the_logical_image_and_leaves_the_input_alone() {
    let mut rng = rng::for_test("cli_unwear");
    let dir = tempfile::tempdir().unwrap();
    for size in FlashSize::ALL {
        let flash = testgen::flash_image(&mut rng, size);
        let input = write(dir.path(), "card.bin", &flash.image);
        let output = dir.path().join(format!("card-{}.logical", size.bytes()));
        let out = keepsake(&["3ds", "unwear", s(&input), "-o", s(&output)]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(fs::read(&output).unwrap() == flash.logical);
        assert!(fs::read(&input).unwrap() == flash.image);
    }
}

#[test]
fn unwear_refuses_a_damaged_image_unless_salvaging_and_then_lists_what_is_untrusted() {
    let mut rng = rng::for_test("cli_unwear_damaged");
    let dir = tempfile::tempdir().unwrap();
    let flash = testgen::flash_image_with_journal(&mut rng, FlashSize::K128, 2);
    let decoded = wear::decode(&flash.image).unwrap();
    let vb = (0..30)
        .find(|&vb| decoded.layout.blocks[vb].initialized)
        .unwrap();
    let physical = usize::from(decoded.layout.blocks[vb].physical);
    let mut image = flash.image.clone();
    image[physical * 0x1000 + 0x210] ^= 1;
    let input = write(dir.path(), "card.bin", &image);
    let output = dir.path().join("card.logical");

    let out = keepsake(&["3ds", "unwear", s(&input), "-o", s(&output)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("checksum"),
        "{}",
        text(&out.stderr)
    );
    assert!(!output.exists());

    let out = keepsake(&["3ds", "unwear", s(&input), "-o", s(&output), "--salvage"]);
    assert!(out.status.success());
    let stderr = text(&out.stderr);
    let chunk = vb * 0x1000 + 0x200;
    assert!(
        stderr.contains(&format!(
            "logical bytes {:#x} to {:#x}",
            chunk,
            chunk + 0x1ff
        )),
        "{stderr}"
    );
    let mut expected = flash.logical.clone();
    expected[vb * 0x1000 + 0x210] ^= 1;
    assert!(fs::read(&output).unwrap() == expected);
}

#[test]
fn wrong_sizes_and_missing_files_exit_2() {
    let mut rng = rng::for_test("cli_sizes");
    let dir = tempfile::tempdir().unwrap();
    let flash = testgen::flash_image(&mut rng, FlashSize::K512);
    let input = write(dir.path(), "short.bin", &flash.image[..0x7F000]);
    let output = dir.path().join("out");
    let out = keepsake(&["3ds", "unwear", s(&input), "-o", s(&output)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("520192 bytes"),
        "{}",
        text(&out.stderr)
    );
    let out = keepsake(&["3ds", "unwear", "/nonexistent/card.bin", "-o", s(&output)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!output.exists());
}

#[test]
fn an_input_is_never_overwritten() {
    let mut rng = rng::for_test("cli_no_overwrite");
    let dir = tempfile::tempdir().unwrap();
    let flash = testgen::flash_image(&mut rng, FlashSize::K128);
    let input = write(dir.path(), "card.bin", &flash.image);
    let out = keepsake(&["3ds", "unwear", s(&input), "-o", s(&input)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(fs::read(&input).unwrap() == flash.image);
}

#[test]
fn rewear_follows_the_original_and_decodes_back_to_the_edited_logical_image() {
    let mut rng = rng::for_test("cli_rewear");
    let dir = tempfile::tempdir().unwrap();
    for size in FlashSize::ALL {
        let flash = testgen::flash_image(&mut rng, size);
        let mut logical = flash.logical.clone();
        let at = rng.random_range(0..logical.len() - 100);
        rng.fill(&mut logical[at..at + 100]);
        let original = write(dir.path(), "card.bin", &flash.image);
        let edited = write(dir.path(), "edited.logical", &logical);
        let output = dir.path().join(format!("card-new-{}.bin", size.bytes()));
        let out = keepsake(&[
            "3ds",
            "rewear",
            s(&edited),
            "--like",
            s(&original),
            "-o",
            s(&output),
        ]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let image = fs::read(&output).unwrap();
        assert_eq!(image.len(), size.bytes());
        assert_eq!(&image[..8], &flash.image[..8], "counters kept");
        assert!(wear::decode_strict(&image).unwrap() == logical);
    }
}

#[test]
fn rewear_refuses_a_logical_image_of_another_size_or_a_damaged_original() {
    let mut rng = rng::for_test("cli_rewear_refuse");
    let dir = tempfile::tempdir().unwrap();
    let flash = testgen::flash_image(&mut rng, FlashSize::K128);
    let original = write(dir.path(), "card.bin", &flash.image);
    let wrong = write(dir.path(), "wrong.logical", &[0u8; 0x7E000]);
    let output = dir.path().join("out.bin");
    let out = keepsake(&[
        "3ds",
        "rewear",
        s(&wrong),
        "--like",
        s(&original),
        "-o",
        s(&output),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("516096 bytes"),
        "{}",
        text(&out.stderr)
    );
    let mut damaged = flash.image.clone();
    damaged[0x13E] ^= 1;
    let damaged = write(dir.path(), "damaged.bin", &damaged);
    let logical = write(dir.path(), "card.logical", &flash.logical);
    let out = keepsake(&[
        "3ds",
        "rewear",
        s(&logical),
        "--like",
        s(&damaged),
        "-o",
        s(&output),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("block map CRC"),
        "{}",
        text(&out.stderr)
    );
    assert!(!output.exists());
}

#[test]
fn decrypt_with_a_recovered_pad_or_a_key_and_encrypt_back() {
    let mut rng = rng::for_test("cli_crypto");
    let dir = tempfile::tempdir().unwrap();
    let plain = testgen::plaintext_disa(&mut rng, 0x1E000);
    let (key, ctr) = (key_bytes(KEY), key_bytes(CTR));
    let mut repeating = plain.clone();
    apply_keystream(&key, &ctr, CounterMode::Repeating, &mut repeating);
    let mut continuous = plain.clone();
    apply_keystream(&key, &ctr, CounterMode::Continuous, &mut continuous);
    let plain_path = write(dir.path(), "card.disa", &plain);
    let repeating_path = write(dir.path(), "old.logical", &repeating);
    let continuous_path = write(dir.path(), "new.logical", &continuous);
    let out_path = dir.path().join("out");
    let run = |args: &[&str]| {
        let _ = fs::remove_file(&out_path);
        let out = keepsake(args);
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        fs::read(&out_path).unwrap()
    };
    let o = s(&out_path);
    assert!(
        run(&[
            "3ds",
            "decrypt",
            s(&repeating_path),
            "-o",
            o,
            "--xorpad",
            "auto"
        ]) == plain
    );
    assert!(
        run(&[
            "3ds",
            "decrypt",
            s(&continuous_path),
            "-o",
            o,
            "--key",
            KEY,
            "--ctr",
            CTR
        ]) == plain
    );
    assert!(
        run(&[
            "3ds",
            "decrypt",
            s(&repeating_path),
            "-o",
            o,
            "--key",
            KEY,
            "--ctr",
            CTR,
            "--repeating"
        ]) == plain
    );
    assert!(
        run(&[
            "3ds",
            "encrypt",
            s(&plain_path),
            "-o",
            o,
            "--key",
            KEY,
            "--ctr",
            CTR
        ]) == continuous
    );
    assert!(
        run(&[
            "3ds",
            "encrypt",
            s(&plain_path),
            "-o",
            o,
            "--xorpad",
            s(&repeating_path)
        ]) == repeating
    );
}

#[test]
fn a_wrong_key_or_an_unencryptable_input_writes_nothing() {
    let mut rng = rng::for_test("cli_crypto_refuse");
    let dir = tempfile::tempdir().unwrap();
    let plain = testgen::plaintext_disa(&mut rng, 0x1E000);
    let mut continuous = plain.clone();
    apply_keystream(
        &key_bytes(KEY),
        &key_bytes(CTR),
        CounterMode::Continuous,
        &mut continuous,
    );
    let enc = write(dir.path(), "new.logical", &continuous);
    let out_path = dir.path().join("out");
    let o = s(&out_path);
    let wrong_key = "ffffffffffffffffffffffffffffffff";
    for args in [
        vec![
            "3ds",
            "decrypt",
            s(&enc),
            "-o",
            o,
            "--key",
            wrong_key,
            "--ctr",
            CTR,
        ],
        vec!["3ds", "decrypt", s(&enc), "-o", o, "--xorpad", "auto"],
        vec![
            "3ds",
            "decrypt",
            s(&enc),
            "-o",
            o,
            "--key",
            "1234",
            "--ctr",
            CTR,
        ],
        vec![
            "3ds",
            "encrypt",
            s(&enc),
            "-o",
            o,
            "--key",
            KEY,
            "--ctr",
            CTR,
        ],
        vec!["3ds", "decrypt", s(&enc), "-o", o],
    ] {
        let out = keepsake(&args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(!out_path.exists(), "{args:?}");
    }
}

#[test]
fn a_whole_cartridge_round_trip_through_every_subcommand() {
    let mut rng = rng::for_test("cli_pipeline");
    let dir = tempfile::tempdir().unwrap();
    let g = FlashSize::K512.geometry();
    let plain = testgen::plaintext_disa(&mut rng, g.logical_len());
    let mut logical = plain.clone();
    apply_keystream(
        &rng.random(),
        &rng.random(),
        CounterMode::Repeating,
        &mut logical,
    );
    let raw = wear::encode_fresh(&logical).unwrap();
    let raw_path = write(dir.path(), "card.bin", &raw);
    let p = |name: &str| dir.path().join(name);
    let ok = |args: &[&str]| {
        let out = keepsake(args);
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        text(&out.stdout)
    };
    let info = ok(&["3ds", "info", s(&raw_path)]);
    assert!(
        info.contains("logical image: encrypted logical save image"),
        "{info}"
    );
    assert!(info.contains("header: DISA"), "{info}");
    ok(&["3ds", "unwear", s(&raw_path), "-o", s(&p("card.logical"))]);
    ok(&[
        "3ds",
        "decrypt",
        s(&p("card.logical")),
        "-o",
        s(&p("card.disa")),
        "--xorpad",
        "auto",
    ]);
    assert!(fs::read(p("card.disa")).unwrap() == plain);
    ok(&[
        "3ds",
        "encrypt",
        s(&p("card.disa")),
        "-o",
        s(&p("again.logical")),
        "--xorpad",
        s(&p("card.logical")),
    ]);
    ok(&[
        "3ds",
        "rewear",
        s(&p("again.logical")),
        "--like",
        s(&raw_path),
        "-o",
        s(&p("again.bin")),
    ]);
    assert!(fs::read(p("again.bin")).unwrap() == raw);
}

#[test]
fn every_writing_command_refuses_an_existing_output_unless_forced() {
    let mut rng = rng::for_test("cli_3ds_existing_output");
    let dir = tempfile::tempdir().unwrap();
    let flash = testgen::flash_image(&mut rng, FlashSize::K128);
    let card = write(dir.path(), "card.bin", &flash.image);
    let logical = write(dir.path(), "card.logical", &flash.logical);
    let plain = testgen::plaintext_disa(&mut rng, 0x1E000);
    let mut encrypted = plain.clone();
    apply_keystream(
        &key_bytes(KEY),
        &key_bytes(CTR),
        CounterMode::Continuous,
        &mut encrypted,
    );
    let plain_path = write(dir.path(), "card.disa", &plain);
    let encrypted_path = write(dir.path(), "new.logical", &encrypted);
    let out = dir.path().join("out");
    let o = s(&out);
    let commands: [Vec<&str>; 4] = [
        vec!["3ds", "unwear", s(&card), "-o", o],
        vec!["3ds", "rewear", s(&logical), "--like", s(&card), "-o", o],
        vec![
            "3ds",
            "decrypt",
            s(&encrypted_path),
            "-o",
            o,
            "--key",
            KEY,
            "--ctr",
            CTR,
        ],
        vec![
            "3ds",
            "encrypt",
            s(&plain_path),
            "-o",
            o,
            "--key",
            KEY,
            "--ctr",
            CTR,
        ],
    ];
    for args in commands {
        fs::write(&out, b"an earlier result").unwrap();
        let run = keepsake(&args);
        assert_eq!(run.status.code(), Some(2), "{args:?}");
        let stderr = text(&run.stderr);
        assert!(
            stderr.contains("already exists; pass --force"),
            "{args:?}: {stderr}"
        );
        assert!(run.stdout.is_empty(), "{args:?}: results only on success");
        assert_eq!(fs::read(&out).unwrap(), b"an earlier result", "{args:?}");
        let mut forced = args.clone();
        forced.push("--force");
        let run = keepsake(&forced);
        assert!(run.status.success(), "{forced:?}: {}", text(&run.stderr));
        assert!(text(&run.stdout).starts_with("wrote "), "{forced:?}");
        assert!(run.stderr.is_empty(), "{forced:?}: {}", text(&run.stderr));
        assert_ne!(fs::read(&out).unwrap(), b"an earlier result", "{args:?}");
    }
}

#[test]
fn decrypting_a_plaintext_save_says_so_and_writes_nothing() {
    let mut rng = rng::for_test("cli_3ds_plaintext");
    let dir = tempfile::tempdir().unwrap();
    let plain = write(
        dir.path(),
        "card.disa",
        &testgen::plaintext_disa(&mut rng, 0x1E000),
    );
    let out = dir.path().join("out");
    let run = keepsake(&[
        "3ds",
        "decrypt",
        s(&plain),
        "-o",
        s(&out),
        "--xorpad",
        "auto",
    ]);
    assert_eq!(run.status.code(), Some(2));
    let stderr = text(&run.stderr);
    assert!(stderr.contains("use `keepsake disa`"), "{stderr}");
    assert!(!out.exists());
    let run = keepsake(&["3ds", "unwear", s(&plain), "-o", s(&out)]);
    assert_eq!(run.status.code(), Some(2));
    assert!(
        text(&run.stderr).contains("use `keepsake disa`"),
        "{}",
        text(&run.stderr)
    );
    assert!(!out.exists());
}

#[test]
fn an_encrypted_save_given_to_disa_is_sent_to_decrypt() {
    let mut rng = rng::for_test("cli_3ds_encrypted_to_disa");
    let dir = tempfile::tempdir().unwrap();
    let mut image = testgen::plaintext_disa(&mut rng, 0x1E000);
    apply_keystream(
        &key_bytes(KEY),
        &key_bytes(CTR),
        CounterMode::Repeating,
        &mut image,
    );
    let encrypted = write(dir.path(), "card.logical", &image);
    for verb in ["ls", "verify"] {
        let run = keepsake(&["disa", verb, s(&encrypted)]);
        assert_eq!(run.status.code(), Some(2), "{verb}");
        let stderr = text(&run.stderr);
        assert!(
            stderr.contains("this looks encrypted: run `keepsake 3ds decrypt` on it first"),
            "{verb}: {stderr}"
        );
    }
}
