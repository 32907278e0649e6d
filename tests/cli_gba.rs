//! End-to-end tests of `keepsake gba`: the real binary on GBA VC save
//! containers laid out here byte by byte at the offsets 3dbrew's "3DS
//! Virtual Console" page gives, checking files written, exit codes and
//! messages.

use std::fs;
use std::path::Path;

mod common;
use common::keepsake;

fn path_str(path: &Path) -> &str {
    path.to_str().expect("test paths are UTF-8")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// One slot: a 0x200-byte header (".SAV", times saved at 0x34, title id at
/// 0x38, save offset 0x200 at 0x50, save size at 0x54, 0xFF elsewhere),
/// then the save.
fn slot(times_saved: u32, save: &[u8]) -> Vec<u8> {
    let mut bytes = vec![0xFF; 0x200];
    bytes[..4].copy_from_slice(b".SAV");
    bytes[0x30..0x34].copy_from_slice(&1u32.to_le_bytes());
    bytes[0x34..0x38].copy_from_slice(&times_saved.to_le_bytes());
    bytes[0x38..0x40].copy_from_slice(&0x0004_0000_0012_3400u64.to_le_bytes());
    bytes[0x50..0x54].copy_from_slice(&0x200u32.to_le_bytes());
    bytes[0x54..0x58].copy_from_slice(&(save.len() as u32).to_le_bytes());
    bytes.extend_from_slice(save);
    bytes
}

/// A 32 KiB SRAM save whose bytes say where they are.
fn sram_save(seed: u8) -> Vec<u8> {
    (0..32 * 1024)
        .map(|i: usize| (i % 251) as u8 ^ seed)
        .collect()
}

#[test]
fn extract_writes_the_save_of_the_slot_saved_most_recently() {
    let dir = tempfile::tempdir().unwrap();
    let older = sram_save(0x11);
    let newer = sram_save(0x22);
    let container = [slot(8, &older), slot(9, &newer)].concat();
    let input = dir.path().join("agbsave.bin");
    fs::write(&input, &container).unwrap();
    let output = dir.path().join("00000001.sav");

    let run = keepsake(&["gba", "extract", path_str(&input), "-o", path_str(&output)]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    assert_eq!(fs::read(&output).unwrap(), newer);
    // The bottom slot's save starts at 0x200 + 0x8000 (its header) + 0x200.
    assert_eq!(fs::read(&output).unwrap(), &container[0x8400..]);
    assert!(
        text(&run.stdout).contains("32 KiB"),
        "{}",
        text(&run.stdout)
    );
    assert_eq!(fs::read(&input).unwrap(), container, "input untouched");

    // Run again: the output exists, so it is refused without --force.
    let again = keepsake(&["gba", "extract", path_str(&input), "-o", path_str(&output)]);
    assert_eq!(again.status.code(), Some(2));
    assert!(
        text(&again.stderr).contains("--force"),
        "{}",
        text(&again.stderr)
    );
    let forced = keepsake(&[
        "gba",
        "extract",
        path_str(&input),
        "-o",
        path_str(&output),
        "--force",
    ]);
    assert!(forced.status.success(), "{}", text(&forced.stderr));
}

#[test]
fn info_names_both_slots_and_the_current_one() {
    let dir = tempfile::tempdir().unwrap();
    let container = [slot(3, &[0xAA; 8192]), slot(2, &[0xBB; 8192])].concat();
    let input = dir.path().join("agbsave.bin");
    fs::write(&input, &container).unwrap();

    let run = keepsake(&["gba", "info", path_str(&input)]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let out = text(&run.stdout);
    assert!(out.contains("save size 8 KiB"), "{out}");
    assert!(out.contains("title id 0004000000123400"), "{out}");
    assert!(
        out.contains("top slot at 0x0: saved 3 times (current: the game loads this one)"),
        "{out}"
    );
    assert!(
        out.contains("bottom slot at 0x2200: saved 2 times\n"),
        "{out}"
    );
}

#[test]
fn a_container_never_saved_and_a_stray_file_are_refused_plainly() {
    let dir = tempfile::tempdir().unwrap();
    let blank = dir.path().join("blank.bin");
    fs::write(&blank, vec![0xFF; 2 * (0x200 + 8192)]).unwrap();
    let stray = dir.path().join("stray.bin");
    fs::write(&stray, vec![0u8; 1000]).unwrap();
    let output = dir.path().join("out.sav");

    let run = keepsake(&["gba", "extract", path_str(&blank), "-o", path_str(&output)]);
    assert_eq!(run.status.code(), Some(2));
    assert!(
        text(&run.stderr).contains("has no saved slot: start the game and save once"),
        "{}",
        text(&run.stderr)
    );
    let run = keepsake(&["gba", "extract", path_str(&stray), "-o", path_str(&output)]);
    assert_eq!(run.status.code(), Some(2));
    assert!(
        text(&run.stderr).contains("has no saved slot"),
        "{}",
        text(&run.stderr)
    );
    assert!(!output.exists(), "nothing written");

    let run = keepsake(&["gba", "info", path_str(&stray)]);
    assert_eq!(run.status.code(), Some(2));
}
