//! End-to-end tests of `keepsake nand` on a NAND dump folder built in a
//! temporary directory from the fixtures: the fake keys' movable.sed in
//! `private/`, a save made by `keepsake disa format`, and the NAND save
//! fixture `ctr/nand-00000000.disa` (signed by another console); for
//! extdata, the fixture SD card's extdata decrypted (its CMACs are over the
//! plaintext, so they hold on NAND too) with a Quota.dat beside it.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use keepsake_format::ctr::crypto::sign::{ExtdataFile, SignatureKind, aes_cmac, sign_image};
use keepsake_format::ctr::diff;
use keepsake_format::ctr::keys::ConsoleKeys;
use keepsake_testkit::fixtures;
use sha2::{Digest, Sha256};

mod common;
use common::keepsake;

const ID0: &str = "f3e70c5ec14b4d169df44e1c449c9dc2";

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
    let key = sign_key(boot9, movable);
    let mut block = b"CTR-SYS0".to_vec();
    block.extend_from_slice(&save_id.to_le_bytes());
    block.extend_from_slice(&[0; 4]);
    block.extend_from_slice(&image[0x100..0x200]);
    aes_cmac(&key, &Sha256::digest(&block))
}

/// Keyslot 0x30's normal key (3dbrew "AES Registers"), apart from the
/// code under test.
fn sign_key(boot9: &[u8], movable: &[u8]) -> [u8; 16] {
    let x = u128::from_be_bytes(boot9[0xD9E0..0xD9F0].try_into().unwrap());
    let y = u128::from_be_bytes(movable[0x110..0x120].try_into().unwrap());
    let c1 = 0x1FF9_E9AA_C5FE_0408_0245_91DC_5D52_768Au128;
    ((x.rotate_left(2) ^ y).wrapping_add(c1))
        .rotate_left(87)
        .to_be_bytes()
}

/// Whether a NAND extdata file carries the CMAC a console expects: the
/// `CTR-EXT0` block (extdata id, then u32 1 with the device file's file and
/// folder numbers, or zeros for Quota.dat, then the header), built by hand
/// as in tests/cli_sd.rs `independent::open_device_file`, without the SD
/// encryption.
fn ext_cmac_ok(key: &[u8; 16], id: u64, device: Option<(u32, u32)>, image: &[u8]) -> bool {
    let mut block = b"CTR-EXT0".to_vec();
    block.extend_from_slice(&id.to_le_bytes());
    let (kind, dir, file) = device.map_or((0u32, 0, 0), |(dir, file)| (1, dir, file));
    block.extend_from_slice(&kind.to_le_bytes());
    block.extend_from_slice(&file.to_le_bytes());
    block.extend_from_slice(&dir.to_le_bytes());
    block.extend_from_slice(&image[0x100..0x200]);
    aes_cmac(key, &Sha256::digest(&block))[..] == image[..16]
}

/// Every file and directory under `dir`: relative path -> contents (`None`
/// for a directory).
fn tree(dir: &Path) -> BTreeMap<String, Option<Vec<u8>>> {
    fn walk(dir: &Path, prefix: &str, out: &mut BTreeMap<String, Option<Vec<u8>>>) {
        for entry in fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            let name = entry.file_name().into_string().unwrap();
            let path = format!("{prefix}{name}");
            if entry.file_type().unwrap().is_dir() {
                out.insert(path.clone(), None);
                walk(&entry.path(), &format!("{path}/"), out);
            } else {
                out.insert(path, Some(fs::read(entry.path()).unwrap()));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, "", &mut out);
    out
}

const EXT: &str = "extdata/00000000/00000abc";

/// Puts extdata 0xabc into the dump: the fixture SD card's device files
/// decrypted, and a Quota.dat saying `free` blocks are free out of 256.
/// Returns the archive's folder.
fn add_extdata(root: &Path, boot9: &Path, free: u32) -> PathBuf {
    let base = fixtures::path("ctr/save3ds").unwrap();
    let keys = ConsoleKeys::derive(
        &fs::read(boot9).unwrap(),
        &fs::read(root.join("private/movable.sed")).unwrap(),
    )
    .unwrap();
    let sd = base.join(format!(
        "sd-card/Nintendo 3DS/{ID0}/0123456789abcdef0123456789abcdef/{EXT}/00000000"
    ));
    let folder = root.join(format!("data/{ID0}/{EXT}"));
    fs::create_dir_all(folder.join("00000000")).unwrap();
    for entry in fs::read_dir(&sd).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        let mut bytes = fs::read(sd.join(&name)).unwrap();
        let components: Vec<String> = format!("{EXT}/00000000/{name}")
            .split('/')
            .map(String::from)
            .collect();
        keys.crypt_sd_file(&components, &mut bytes);
        fs::write(folder.join("00000000").join(&name), bytes).unwrap();
    }
    // The layout of save3ds's ext_data.rs `Quota`.
    let mut payload = [0u8; 0x48];
    payload[..4].copy_from_slice(b"QUOT");
    payload[4..8].copy_from_slice(&0x30000u32.to_le_bytes());
    payload[8..12].copy_from_slice(&0x1000u32.to_le_bytes());
    payload[0x0C..0x10].copy_from_slice(&126u32.to_le_bytes());
    payload[0x14..0x18].copy_from_slice(&256u32.to_le_bytes());
    payload[0x1C..0x20].copy_from_slice(&free.to_le_bytes());
    payload[0x28..0x2C].copy_from_slice(&free.to_le_bytes());
    let mut quota = diff::build(&payload, 0x0123_4567_89AB_CDEF).unwrap();
    let kind = SignatureKind::Extdata {
        extdata_id: 0xabc,
        file: ExtdataFile::Quota,
    };
    sign_image(keys.sign_key().expose(), &kind, &mut quota).unwrap();
    fs::write(folder.join("Quota.dat"), quota).unwrap();
    folder
}

/// Blocks of 4096 bytes the device files under `folder` take, from their
/// sizes on disk.
fn device_blocks(folder: &Path) -> u64 {
    fs::read_dir(folder.join("00000000"))
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len().div_ceil(4096))
        .sum()
}

fn le_u32(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap())
}

/// The payload of a plain DIFF file, read by `keepsake diff extract`.
fn diff_payload(work: &Path, file: &Path, name: &str) -> Vec<u8> {
    let plain = work.join(format!("{name}.diff"));
    fs::write(&plain, fs::read(file).unwrap()).unwrap();
    let out_path = work.join(format!("{name}.payload"));
    let out = keepsake(&["diff", "extract", s(&plain), s(&out_path)]);
    assert!(out.status.success(), "{:?}", text(&out));
    fs::read(out_path).unwrap()
}

#[test]
fn extdata_is_imported_signed_and_its_quota_kept_up_to_date() {
    let Some((dir, root, boot9)) = nand_dump() else {
        return;
    };
    let folder = add_extdata(&root, &boot9, 100);
    let blocks_before = device_blocks(&folder);
    let quota_before = fs::read(folder.join("Quota.dat")).unwrap();
    let meta_before = fs::read(folder.join("00000000/00000001")).unwrap();
    let tree_dir = dir.path().join("tree");
    fs::create_dir_all(tree_dir.join("user")).unwrap();
    fs::create_dir_all(tree_dir.join("new/sub")).unwrap();
    fs::write(tree_dir.join("icon"), b"a new icon").unwrap();
    let counting: Vec<u8> = (0..20_000u32).map(|i| (i % 253) as u8).collect();
    fs::write(tree_dir.join("new/sub/big.bin"), &counting).unwrap();
    fs::write(tree_dir.join("user/empty"), b"").unwrap();

    let out = keepsake(&[
        "nand",
        "import",
        s(&root),
        "--extdata",
        "abc",
        s(&tree_dir),
        "--boot9",
        s(&boot9),
    ]);
    let (_, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    let kept = stderr
        .split("the previous files are kept under ")
        .nth(1)
        .expect("the message names the backups")
        .trim();
    assert!(
        kept.starts_with(s(&root.join("keepsake-backups"))),
        "{kept}"
    );
    let kept = Path::new(kept);
    assert_eq!(
        fs::read(kept.join(EXT).join("Quota.dat")).unwrap(),
        quota_before
    );
    assert_eq!(
        fs::read(kept.join(EXT).join("00000000/00000001")).unwrap(),
        meta_before
    );

    // Every device file and Quota.dat carry the CMAC a console computes
    // (hand-built blocks); the file device files' payloads, read by the
    // plain DIFF reader, are exactly the non-empty files.
    let key = sign_key(
        &fs::read(&boot9).unwrap(),
        &fs::read(root.join("private/movable.sed")).unwrap(),
    );
    let work = dir.path().join("work");
    fs::create_dir_all(&work).unwrap();
    let mut payloads = Vec::new();
    for entry in fs::read_dir(folder.join("00000000")).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().into_string().unwrap();
        let number = u32::from_str_radix(&name, 16).unwrap();
        let bytes = fs::read(entry.path()).unwrap();
        assert!(
            ext_cmac_ok(&key, 0xabc, Some((0, number)), &bytes),
            "device file {name}: the console would refuse it"
        );
        if number != 1 {
            payloads.push(diff_payload(&work, &entry.path(), &name));
        }
    }
    payloads.sort();
    let mut want = vec![b"a new icon".to_vec(), counting];
    want.sort();
    assert_eq!(payloads, want);

    // Quota.dat: signed, its fixed fields untouched, and the free count
    // moved by exactly the blocks the device files on disk gained or lost.
    let quota_path = folder.join("Quota.dat");
    let quota_bytes = fs::read(&quota_path).unwrap();
    assert!(ext_cmac_ok(&key, 0xabc, None, &quota_bytes));
    let quota = diff_payload(&work, &quota_path, "quota");
    assert_eq!(&quota[..4], b"QUOT");
    assert_eq!(le_u32(&quota, 0x14), 256);
    let blocks_after = device_blocks(&folder);
    assert_eq!(
        u64::from(le_u32(&quota, 0x1C)) + blocks_after,
        100 + blocks_before
    );
    // The last change recorded is a device file as it now lies on disk,
    // and the count before it is the count plus its blocks.
    let last = le_u32(&quota, 0x30);
    let last_len = u64::from_le_bytes(quota[0x40..0x48].try_into().unwrap());
    let last_file = folder.join(format!("00000000/{last:08x}"));
    assert_eq!(fs::metadata(&last_file).unwrap().len(), last_len);
    assert_eq!(
        u64::from(le_u32(&quota, 0x28)),
        u64::from(le_u32(&quota, 0x1C)) + last_len.div_ceil(4096)
    );

    // List says it verifies (Quota.dat included); extract gives back the tree.
    let out = keepsake(&["nand", "list", s(&root), "--boot9", s(&boot9)]);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    let line = stdout
        .lines()
        .find(|l| l.starts_with("0000000000000abc"))
        .expect("the extdata is listed");
    assert!(line.ends_with("verifies"), "{stdout}");
    let extracted = dir.path().join("extracted");
    let out = keepsake(&[
        "nand",
        "extract",
        s(&root),
        "--extdata",
        "abc",
        s(&extracted),
        "--boot9",
        s(&boot9),
    ]);
    assert!(out.status.success(), "{:?}", text(&out));
    assert_eq!(tree(&extracted), tree(&tree_dir));
}

#[test]
fn extdata_import_refuses_what_does_not_fit_and_writes_nothing() {
    let Some((dir, root, boot9)) = nand_dump() else {
        return;
    };
    // 3 free blocks; the archive's files stay (rewritten, their blocks
    // given back and taken again) and a 20,000-byte file takes 9 more.
    let folder = add_extdata(&root, &boot9, 3);
    let before = tree(&folder);
    let import = |tree_dir: &Path| {
        keepsake(&[
            "nand",
            "import",
            s(&root),
            "--extdata",
            "abc",
            s(tree_dir),
            "--boot9",
            s(&boot9),
        ])
    };
    let files = fixtures::path("ctr/save3ds/extdata-abc.files").unwrap();
    let big = dir.path().join("big");
    fs::create_dir_all(big.join("user")).unwrap();
    for name in ["icon", "user/save.bin"] {
        fs::write(big.join(name), fs::read(files.join(name)).unwrap()).unwrap();
    }
    fs::write(big.join("big.bin"), vec![7u8; 20_000]).unwrap();
    let out = import(&big);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("room for 3 more blocks of 4096 bytes"),
        "{stderr}"
    );

    let long = dir.path().join("long");
    fs::create_dir_all(&long).unwrap();
    fs::write(long.join("a_name_longer_than_16.bin"), b"x").unwrap();
    let out = import(&long);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("longer than 16 bytes"), "{stderr}");

    // An archive without its Quota.dat is not guessed at.
    fs::remove_file(folder.join("Quota.dat")).unwrap();
    let small = dir.path().join("small");
    fs::create_dir_all(&small).unwrap();
    fs::write(small.join("icon"), b"x").unwrap();
    let out = import(&small);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("Quota.dat"), "{stderr}");

    let mut want = before;
    want.remove("Quota.dat");
    assert_eq!(tree(&folder), want);
    assert!(!root.join("keepsake-backups").exists());
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
    assert!(lines[2].contains("1 file "), "{stdout}");
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
