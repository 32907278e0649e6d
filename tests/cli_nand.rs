//! End-to-end tests of `keepsake nand` on a NAND dump folder built in a
//! temporary directory from the fixtures: the fake keys' movable.sed in
//! `private/`, a save made by `keepsake disa format`, and the NAND save
//! fixture `ctr/nand-00000000.disa` (signed by another console).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use keepsake_format::ctr::crypto::sign::aes_cmac;
use keepsake_testkit::fixtures;
use sha2::{Digest, Sha256};

const ID0: &str = "f3e70c5ec14b4d169df44e1c449c9dc2";

fn keepsake(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_keepsake"))
        .args(args)
        .output()
        .expect("runs keepsake")
}

fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A NAND dump folder with two system saves: 00010017 (empty, unsigned)
/// and 00000000 (the fixture). Returns (temp dir, NAND root, boot9 path).
fn nand_dump() -> Option<(tempfile::TempDir, PathBuf, PathBuf)> {
    let base = fixtures::path("ctr/save3ds")?;
    let foreign = fixtures::read("ctr/nand-00000000.disa")?;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("CTRNAND");
    fs::create_dir_all(root.join("private")).unwrap();
    fs::copy(
        base.join("fake-movable.sed"),
        root.join("private/movable.sed"),
    )
    .unwrap();
    let sysdata = root.join(format!("data/{ID0}/sysdata"));
    fs::create_dir_all(sysdata.join("00010017")).unwrap();
    fs::create_dir_all(sysdata.join("00000000")).unwrap();
    fs::write(sysdata.join("00000000/00000000"), foreign).unwrap();
    let new = sysdata.join("00010017/00000000");
    let out = keepsake(&[
        "disa",
        "format",
        s(&new),
        "--size",
        "256K",
        "--block-size",
        "4096",
        "--partitions",
        "1",
    ]);
    assert!(out.status.success(), "{:?}", text(&out));
    Some((dir, root, base.join("fake-boot9.bin")))
}

/// The CMAC a console expects on system save `save_id`, computed apart
/// from the code under test: keyslot 0x30's key X from boot9 at 0xD9E0,
/// key Y from movable.sed at 0x110, the key scrambler (3dbrew), and the
/// `CTR-SYS0` digest block (save id as u32, four zero bytes, the header).
fn expected_cmac(boot9: &[u8], movable: &[u8], save_id: u32, image: &[u8]) -> [u8; 16] {
    let x = u128::from_be_bytes(boot9[0xD9E0..0xD9F0].try_into().unwrap());
    let y = u128::from_be_bytes(movable[0x110..0x120].try_into().unwrap());
    let c1 = 0x1FF9_E9AA_C5FE_0408_0245_91DC_5D52_768Au128;
    let key = ((x.rotate_left(2) ^ y).wrapping_add(c1))
        .rotate_left(87)
        .to_be_bytes();
    let mut block = b"CTR-SYS0".to_vec();
    block.extend_from_slice(&save_id.to_le_bytes());
    block.extend_from_slice(&[0; 4]);
    block.extend_from_slice(&image[0x100..0x200]);
    aes_cmac(&key, &Sha256::digest(&block))
}

#[test]
fn a_system_save_is_imported_signed_listed_and_extracted() {
    let Some((dir, root, boot9)) = nand_dump() else {
        return;
    };
    let tree = dir.path().join("tree");
    fs::create_dir_all(tree.join("cfg")).unwrap();
    fs::write(tree.join("cfg/settings.bin"), [0x5Au8; 3000]).unwrap();
    let out = keepsake(&[
        "nand",
        "import",
        s(&root),
        "--save",
        "00010017",
        s(&tree),
        "--boot9",
        s(&boot9),
    ]);
    assert!(out.status.success(), "{:?}", text(&out));

    // Signed as a console signs system saves (computed independently).
    let image = fs::read(root.join(format!("data/{ID0}/sysdata/00010017/00000000"))).unwrap();
    let movable = fs::read(root.join("private/movable.sed")).unwrap();
    let boot9_bytes = fs::read(&boot9).unwrap();
    assert_eq!(
        image[..16],
        expected_cmac(&boot9_bytes, &movable, 0x0001_0017, &image)
    );

    let out = keepsake(&["nand", "list", s(&root), "--boot9", s(&boot9)]);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        lines[1].starts_with("00000000          system-save"),
        "{stdout}"
    );
    assert!(
        lines[1].contains("does not verify: the CMAC does not match"),
        "{stdout}"
    );
    assert!(
        lines[2].starts_with("00010017          system-save"),
        "{stdout}"
    );
    assert!(lines[2].contains("1 files"), "{stdout}");
    assert!(lines[2].ends_with("verifies"), "{stdout}");

    let out_dir = dir.path().join("out");
    let out = keepsake(&[
        "nand",
        "extract",
        s(&root),
        "--save",
        "00010017",
        s(&out_dir),
        "--boot9",
        s(&boot9),
    ]);
    assert!(out.status.success(), "{:?}", text(&out));
    assert_eq!(
        fs::read(out_dir.join("cfg/settings.bin")).unwrap(),
        vec![0x5Au8; 3000]
    );
}

#[test]
fn the_foreign_save_extracts_with_a_warning() {
    let Some((dir, root, boot9)) = nand_dump() else {
        return;
    };
    let out_dir = dir.path().join("out");
    let out = keepsake(&[
        "nand",
        "extract",
        s(&root),
        "--save",
        "0",
        s(&out_dir),
        "--boot9",
        s(&boot9),
    ]);
    let (_, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("the CMAC does not match"), "{stderr}");
    // The fixtures README: SaveData.bin, 11,688 bytes.
    assert_eq!(
        fs::read(out_dir.join("SaveData.bin")).unwrap().len(),
        11_688
    );
}

#[test]
fn a_dump_of_another_console_names_both_id0s() {
    let Some((_dir, root, boot9)) = nand_dump() else {
        return;
    };
    let other = "00112233445566778899aabbccddeeff";
    fs::rename(
        root.join(format!("data/{ID0}")),
        root.join(format!("data/{other}")),
    )
    .unwrap();
    let out = keepsake(&["nand", "list", s(&root), "--boot9", s(&boot9)]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains("the NAND dump has no folder for these keys"),
        "{stderr}"
    );
    assert!(stderr.contains(&format!("give ID0 {ID0}")), "{stderr}");
    assert!(
        stderr.contains(&format!("'data' holds {other}")),
        "{stderr}"
    );
}
