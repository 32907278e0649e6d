//! End-to-end tests of `keepsake sd` on the SD card save3ds made with the
//! fake keys beside it (../shared/fixtures/ctr/save3ds, see its README).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use keepsake_format::ctr::keys::ConsoleKeys;
use keepsake_testkit::fixtures;

mod common;
use common::keepsake;

const ID0: &str = "f3e70c5ec14b4d169df44e1c449c9dc2";
const ID1: &str = "0123456789abcdef0123456789abcdef";
const SAVE: &str = "title/00040000/000abc00/data/00000001.sav";

fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The fixture folder, or `None` (skipping) when the fixtures are missing.
fn base() -> Option<PathBuf> {
    fixtures::path("ctr/save3ds/sd-card")?;
    fixtures::path("ctr/save3ds")
}

/// `args` followed by the fake key files.
fn with_keys(base: &Path, args: &[&str]) -> Output {
    let boot9 = base.join("fake-boot9.bin");
    let movable = base.join("fake-movable.sed");
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--boot9", s(&boot9), "--movable", s(&movable)]);
    keepsake(&all)
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

/// A writable copy of the fixture card in a temporary folder.
fn copy_card(base: &Path) -> tempfile::TempDir {
    fn copy(from: &Path, to: &Path) {
        fs::create_dir_all(to).unwrap();
        for entry in fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            let target = to.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                copy(&entry.path(), &target);
            } else {
                fs::write(&target, fs::read(entry.path()).unwrap()).unwrap();
            }
        }
    }
    let dir = tempfile::tempdir().unwrap();
    copy(&base.join("sd-card"), &dir.path().join("card"));
    dir
}

#[test]
fn list_names_the_save_and_the_extdata_and_both_verify() {
    let Some(base) = base() else { return };
    let card = base.join("sd-card");
    let out = with_keys(&base, &["sd", "list", s(&card)]);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        lines[0].ends_with(&format!("Nintendo 3DS/{ID0}/{ID1}")),
        "{stdout}"
    );
    // The title id and size of the save save3ds wrote (ls -l: 524288 bytes),
    // and the 4 files of one-partition-512.files.
    assert!(lines[1].starts_with("00040000000abc00  save"), "{stdout}");
    assert!(lines[1].contains("524288 bytes"), "{stdout}");
    assert!(lines[1].contains("4 files"), "{stdout}");
    assert!(lines[1].ends_with("verifies"), "{stdout}");
    // The 2 files of extdata-abc.files.
    assert!(
        lines[2].starts_with("0000000000000abc  extdata"),
        "{stdout}"
    );
    assert!(lines[2].contains("2 files"), "{stdout}");
    assert!(lines[2].ends_with("verifies"), "{stdout}");
    assert_eq!(lines.len(), 3, "{stdout}");
}

#[test]
fn list_json_is_one_array_for_scripts() {
    let Some(base) = base() else { return };
    let card = base.join("sd-card");
    let out = with_keys(&base, &["sd", "list", s(&card), "--json"]);
    assert!(out.status.success(), "{:?}", text(&out));
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let entries = value.as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["kind"], "save");
    assert_eq!(entries[0]["id"], "00040000000abc00");
    assert_eq!(entries[0]["size"], 524_288);
    assert_eq!(entries[0]["files"], 4);
    assert_eq!(entries[0]["verifies"], true);
    assert_eq!(entries[1]["kind"], "extdata");
    assert_eq!(entries[1]["id"], "0000000000000abc");
    assert_eq!(entries[1]["files"], 2);
    assert_eq!(entries[1]["verifies"], true);
}

#[test]
fn extract_gives_back_the_files_save3ds_imported_byte_for_byte() {
    let Some(base) = base() else { return };
    let card = base.join("sd-card");
    let dir = tempfile::tempdir().unwrap();
    let save_out = dir.path().join("save");
    let out = with_keys(
        &base,
        &[
            "sd",
            "extract",
            s(&card),
            "--save",
            "00040000000abc00",
            s(&save_out),
        ],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    assert_eq!(tree(&save_out), tree(&base.join("one-partition-512.files")));

    let ext_out = dir.path().join("ext");
    let out = with_keys(
        &base,
        &["sd", "extract", s(&card), "--extdata", "abc", s(&ext_out)],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    // The README: the files of extdata-abc.files plus an empty boss/.
    let mut want = tree(&base.join("extdata-abc.files"));
    want.insert("boss".into(), None);
    assert_eq!(tree(&ext_out), want);

    // A folder that is not empty is written into only with --force.
    let again = ["sd", "extract", s(&card), "--extdata", "abc", s(&ext_out)];
    let out = with_keys(&base, &again);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("pass --force"), "{stderr}");
    let mut forced = again.to_vec();
    forced.push("--force");
    assert!(with_keys(&base, &forced).status.success());
    assert_eq!(tree(&ext_out), want);
}

#[test]
fn keys_of_another_console_name_both_id0s() {
    let Some(base) = base() else { return };
    let copy = copy_card(&base);
    let n3ds = copy.path().join("card/Nintendo 3DS");
    let other = "00112233445566778899aabbccddeeff";
    fs::rename(n3ds.join(ID0), n3ds.join(other)).unwrap();
    let out = with_keys(&base, &["sd", "list", s(&copy.path().join("card"))]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(&format!("they give ID0 {ID0}")), "{stderr}");
    assert!(stderr.contains(&format!("holds {other}")), "{stderr}");
}

#[test]
fn a_file_that_is_not_movable_sed_is_named() {
    let Some(base) = base() else { return };
    let card = base.join("sd-card");
    let boot9 = base.join("fake-boot9.bin");
    let out = keepsake(&[
        "sd",
        "list",
        s(&card),
        "--boot9",
        s(&boot9),
        "--movable",
        s(&boot9),
    ]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains("movable.sed: expected the SEED magic at offset 0"),
        "{stderr}"
    );
}

#[test]
fn a_missing_archive_and_a_damaged_save_are_reported() {
    let Some(base) = base() else { return };
    let card = base.join("sd-card");
    let dir = tempfile::tempdir().unwrap();
    let out = with_keys(
        &base,
        &[
            "sd",
            "extract",
            s(&card),
            "--save",
            "0004000000000001",
            s(dir.path()),
        ],
    );
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains("the card has no save of title 0004000000000001"),
        "{stderr}"
    );

    // Flip one byte of save.bin's data in a copy of the card (AES-CTR: the
    // same bit flips in the plaintext); the hash of that block must catch it.
    let copy = copy_card(&base);
    let sav = copy
        .path()
        .join(format!("card/Nintendo 3DS/{ID0}/{ID1}/{SAVE}"));
    let mut bytes = fs::read(&sav).unwrap();
    let at = find_block_of(&base, "save.bin");
    bytes[at + 5] ^= 0x40;
    fs::write(&sav, &bytes).unwrap();
    let copied = copy.path().join("card");
    let out = with_keys(
        &base,
        &[
            "sd",
            "extract",
            s(&copied),
            "--save",
            "00040000000abc00",
            s(&dir.path().join("x")),
        ],
    );
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("save.bin"), "{stderr}");
    assert!(stderr.contains("SHA-256"), "{stderr}");
    let list = with_keys(&base, &["sd", "list", s(&copied)]);
    let (stdout, _) = text(&list);
    assert!(stdout.contains("does not verify"), "{stdout}");
}

/// Offset in the save file of the first bytes of `name`'s data. The key
/// code finds it (decrypting the fixture); where it points is then only
/// used to damage the card, which the extract must notice.
fn find_block_of(base: &Path, name: &str) -> usize {
    let keys = ConsoleKeys::derive(
        &fs::read(base.join("fake-boot9.bin")).unwrap(),
        &fs::read(base.join("fake-movable.sed")).unwrap(),
    )
    .unwrap();
    let mut plain =
        fs::read(base.join(format!("sd-card/Nintendo 3DS/{ID0}/{ID1}/{SAVE}"))).unwrap();
    let components: Vec<&str> = SAVE.split('/').collect();
    keys.crypt_sd_file(&components, &mut plain);
    let want = fs::read(base.join("one-partition-512.files").join(name)).unwrap();
    plain
        .windows(16)
        .position(|w| w == &want[..16])
        .expect("the file's first bytes are in the decrypted image")
}

/// A second reading path for an SD save, written apart from the code under
/// test from the published formulas (3dbrew "AES Registers", "SD
/// Filesystem", "DISA"): it derives the keys, decrypts the file, checks the
/// CMAC over a hand-built `CTR-SIGN` digest block, and returns the plain
/// DISA image. Only the AES-CTR and AES-CMAC primitives (checked against the
/// NIST and RFC 4493 vectors) are shared.
mod independent {
    use keepsake_format::ctr::crypto::cipher::{CounterMode, apply_keystream};
    use keepsake_format::ctr::crypto::sign::aes_cmac;
    use sha2::{Digest, Sha256};

    fn key(boot9: &[u8], x_at: usize, movable: &[u8]) -> [u8; 16] {
        let x = u128::from_be_bytes(boot9[x_at..x_at + 16].try_into().unwrap());
        let y = u128::from_be_bytes(movable[0x110..0x120].try_into().unwrap());
        let c1 = 0x1FF9_E9AA_C5FE_0408_0245_91DC_5D52_768Au128;
        ((x.rotate_left(2) ^ y).wrapping_add(c1))
            .rotate_left(87)
            .to_be_bytes()
    }

    /// Decrypts the SD file at `path` (below ID1, with a leading slash).
    fn decrypt(boot9: &[u8], movable: &[u8], path: &str, file: &[u8]) -> Vec<u8> {
        let utf16: Vec<u8> = format!("{path}\0")
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let hash = Sha256::digest(&utf16);
        let counter: [u8; 16] = std::array::from_fn(|i| hash[i] ^ hash[16 + i]);
        let mut plain = file.to_vec();
        apply_keystream(
            &key(boot9, 0xD9F0, movable),
            &counter,
            CounterMode::Continuous,
            &mut plain,
        );
        plain
    }

    /// Signs a plain title.db image (`CTR-9DB0`, database id 2) and
    /// encrypts it as `dbs/title.db`.
    pub fn seal_title_db(boot9: &[u8], movable: &[u8], image: Vec<u8>) -> Vec<u8> {
        seal_db(boot9, movable, image, 2, "/dbs/title.db")
    }

    /// Signs a plain import.db image (`CTR-9DB0`, database id 3) and
    /// encrypts it as `dbs/import.db`.
    pub fn seal_import_db(boot9: &[u8], movable: &[u8], image: Vec<u8>) -> Vec<u8> {
        seal_db(boot9, movable, image, 3, "/dbs/import.db")
    }

    fn seal_db(
        boot9: &[u8],
        movable: &[u8],
        mut image: Vec<u8>,
        db_id: u32,
        path: &str,
    ) -> Vec<u8> {
        let mut block = b"CTR-9DB0".to_vec();
        block.extend_from_slice(&db_id.to_le_bytes());
        block.extend_from_slice(&image[0x100..0x200]);
        let tag = aes_cmac(&key(boot9, 0xD9E0, movable), &Sha256::digest(&block));
        image[..16].copy_from_slice(&tag);
        decrypt(boot9, movable, path, &image)
    }

    /// Decrypts device file `dir/file` of extdata `id`; returns the plain
    /// DIFF image and whether its CMAC (over a `CTR-EXT0` block) is right.
    pub fn open_device_file(
        boot9: &[u8],
        movable: &[u8],
        id: u64,
        (dir, file): (u32, u32),
        bytes: &[u8],
    ) -> (Vec<u8>, bool) {
        let path = format!(
            "/extdata/{:08x}/{:08x}/{dir:08x}/{file:08x}",
            id >> 32,
            id & 0xFFFF_FFFF
        );
        let plain = decrypt(boot9, movable, &path, bytes);
        let mut block = b"CTR-EXT0".to_vec();
        block.extend_from_slice(&id.to_le_bytes());
        block.extend_from_slice(&1u32.to_le_bytes());
        block.extend_from_slice(&file.to_le_bytes());
        block.extend_from_slice(&dir.to_le_bytes());
        block.extend_from_slice(&plain[0x100..0x200]);
        let tag = aes_cmac(&key(boot9, 0xD9E0, movable), &Sha256::digest(&block));
        let ok = tag[..] == plain[..16];
        (plain, ok)
    }

    /// Decrypts the save file of `title_id`; returns the plain image and
    /// whether its CMAC is right.
    pub fn open_save(boot9: &[u8], movable: &[u8], title_id: u64, file: &[u8]) -> (Vec<u8>, bool) {
        let path = format!(
            "/title/{:08x}/{:08x}/data/00000001.sav",
            title_id >> 32,
            title_id & 0xFFFF_FFFF
        );
        let plain = decrypt(boot9, movable, &path, file);
        let mut inner = Sha256::new();
        inner.update(b"CTR-SAV0");
        inner.update(&plain[0x100..0x200]);
        let mut block = b"CTR-SIGN".to_vec();
        block.extend_from_slice(&title_id.to_le_bytes());
        block.extend_from_slice(&inner.finalize());
        let tag = aes_cmac(&key(boot9, 0xD9E0, movable), &Sha256::digest(&block));
        let ok = tag[..] == plain[..16];
        (plain, ok)
    }
}

#[test]
fn import_replaces_the_save_with_exactly_the_tree_and_signs_it() {
    let Some(base) = base() else { return };
    let copy = copy_card(&base);
    let card = copy.path().join("card");
    let work = tempfile::tempdir().unwrap();
    let tree_dir = work.path().join("tree");
    fs::create_dir_all(tree_dir.join("sub/deeper")).unwrap();
    fs::create_dir_all(tree_dir.join("empty")).unwrap();
    fs::write(tree_dir.join("options.dat"), b"replaced options").unwrap();
    let counting: Vec<u8> = (0..7000u32).map(|i| (i % 251) as u8).collect();
    fs::write(tree_dir.join("sub/deeper/big.bin"), &counting).unwrap();
    fs::write(tree_dir.join("zero"), b"").unwrap();
    let sav = card.join(format!("Nintendo 3DS/{ID0}/{ID1}/{SAVE}"));
    let before = fs::read(&sav).unwrap();

    let out = with_keys(
        &base,
        &[
            "sd",
            "import",
            s(&card),
            "--save",
            "00040000000abc00",
            s(&tree_dir),
        ],
    );
    let (_, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");

    // The previous file is kept where the message says, unchanged.
    let kept = stderr
        .split("the previous save file is kept at ")
        .nth(1)
        .expect("the message names the backup")
        .trim();
    assert!(
        kept.starts_with(s(&card.join("keepsake-backups"))),
        "{kept}"
    );
    assert!(kept.ends_with(SAVE), "{kept}");
    assert_eq!(fs::read(kept).unwrap(), before);

    // Read back by the independent path: CMAC right, and `disa extract` of
    // the plain image gives exactly the tree.
    let after = fs::read(&sav).unwrap();
    assert_eq!(after.len(), before.len());
    let boot9 = fs::read(base.join("fake-boot9.bin")).unwrap();
    let movable = fs::read(base.join("fake-movable.sed")).unwrap();
    let (plain, cmac_ok) = independent::open_save(&boot9, &movable, 0x0004_0000_000a_bc00, &after);
    assert!(cmac_ok, "the console would refuse the new save");
    assert_eq!(&plain[0x100..0x104], b"DISA");
    let plain_path = work.path().join("plain.disa");
    fs::write(&plain_path, &plain).unwrap();
    let extracted = work.path().join("extracted");
    let out = keepsake(&["disa", "extract", s(&plain_path), s(&extracted)]);
    assert!(out.status.success(), "{:?}", text(&out));
    assert_eq!(tree(&extracted), tree(&tree_dir));

    // The independent path also agrees on the untouched fixture.
    let (_, fixture_ok) = independent::open_save(&boot9, &movable, 0x0004_0000_000a_bc00, &before);
    assert!(fixture_ok);
}

#[test]
fn import_refuses_a_name_the_save_cannot_hold_and_writes_nothing() {
    let Some(base) = base() else { return };
    let copy = copy_card(&base);
    let card = copy.path().join("card");
    let work = tempfile::tempdir().unwrap();
    fs::write(work.path().join("a_name_longer_than_16.bin"), b"x").unwrap();
    let sav = card.join(format!("Nintendo 3DS/{ID0}/{ID1}/{SAVE}"));
    let before = fs::read(&sav).unwrap();
    let out = with_keys(
        &base,
        &[
            "sd",
            "import",
            s(&card),
            "--save",
            "00040000000abc00",
            s(work.path()),
        ],
    );
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("longer than 16 bytes"), "{stderr}");
    assert_eq!(fs::read(&sav).unwrap(), before);
    assert!(!card.join("keepsake-backups").exists());
}

#[test]
fn import_replaces_the_extdata_with_exactly_the_tree_and_signs_every_file() {
    let Some(base) = base() else { return };
    let copy = copy_card(&base);
    let card = copy.path().join("card");
    let work = tempfile::tempdir().unwrap();
    let tree_dir = work.path().join("tree");
    fs::create_dir_all(tree_dir.join("user")).unwrap();
    fs::create_dir_all(tree_dir.join("new/sub")).unwrap();
    fs::write(tree_dir.join("icon"), b"a new icon").unwrap();
    let counting: Vec<u8> = (0..20_000u32).map(|i| (i % 253) as u8).collect();
    fs::write(tree_dir.join("new/sub/big.bin"), &counting).unwrap();
    fs::write(tree_dir.join("user/empty"), b"").unwrap();
    let folder = card.join(format!(
        "Nintendo 3DS/{ID0}/{ID1}/extdata/00000000/00000abc"
    ));
    let meta_before = fs::read(folder.join("00000000/00000001")).unwrap();

    let out = with_keys(
        &base,
        &["sd", "import", s(&card), "--extdata", "abc", s(&tree_dir)],
    );
    let (_, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    let kept = stderr
        .split("the previous files are kept under ")
        .nth(1)
        .expect("the message names the backups")
        .trim();
    assert_eq!(
        fs::read(Path::new(kept).join("extdata/00000000/00000abc/00000000/00000001")).unwrap(),
        meta_before
    );

    // Independent path: every device file decrypts and carries the right
    // CMAC, and the payloads of the file device files (read by `diff
    // extract`, the plain DIFF reader) are exactly the non-empty files.
    let boot9 = fs::read(base.join("fake-boot9.bin")).unwrap();
    let movable = fs::read(base.join("fake-movable.sed")).unwrap();
    let mut payloads = Vec::new();
    for entry in fs::read_dir(folder.join("00000000")).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().into_string().unwrap();
        let number = u32::from_str_radix(&name, 16).unwrap();
        let bytes = fs::read(entry.path()).unwrap();
        let (plain, ok) =
            independent::open_device_file(&boot9, &movable, 0xabc, (0, number), &bytes);
        assert!(ok, "device file {name}: the console would refuse it");
        assert_eq!(&plain[0x100..0x104], b"DIFF");
        if number == 1 {
            continue;
        }
        let plain_path = work.path().join(format!("{name}.diff"));
        fs::write(&plain_path, &plain).unwrap();
        let payload_path = work.path().join(format!("{name}.payload"));
        let out = keepsake(&["diff", "extract", s(&plain_path), s(&payload_path)]);
        assert!(out.status.success(), "{:?}", text(&out));
        payloads.push(fs::read(&payload_path).unwrap());
    }
    payloads.sort();
    let mut want = vec![b"a new icon".to_vec(), counting];
    want.sort();
    assert_eq!(payloads, want);

    // And the names: extract gives back exactly the tree (the empty file
    // has no device file and reads as empty).
    let extracted = work.path().join("extracted");
    let out = with_keys(
        &base,
        &["sd", "extract", s(&card), "--extdata", "abc", s(&extracted)],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    assert_eq!(tree(&extracted), tree(&tree_dir));
}

#[test]
fn the_independent_path_accepts_the_fixture_extdata() {
    let Some(base) = base() else { return };
    let boot9 = fs::read(base.join("fake-boot9.bin")).unwrap();
    let movable = fs::read(base.join("fake-movable.sed")).unwrap();
    let folder = base.join(format!(
        "sd-card/Nintendo 3DS/{ID0}/{ID1}/extdata/00000000/00000abc/00000000"
    ));
    for number in 1..=3u32 {
        let bytes = fs::read(folder.join(format!("{number:08x}"))).unwrap();
        let (plain, ok) =
            independent::open_device_file(&boot9, &movable, 0xabc, (0, number), &bytes);
        assert!(ok, "device file {number} as save3ds wrote it");
        assert_eq!(&plain[0x100..0x104], b"DIFF");
    }
}

#[test]
fn list_names_the_titles_of_the_title_database() {
    let Some(base) = base() else { return };
    let copy = copy_card(&base);
    let card = copy.path().join("card");
    let boot9 = fs::read(base.join("fake-boot9.bin")).unwrap();
    let movable = fs::read(base.join("fake-movable.sed")).unwrap();
    let plain = keepsake_format::ctr::bdri::sample(
        keepsake_format::ctr::bdri::DbKind::SdTitle,
        &[(0x0004_0000_000a_bc00, 0x0123_4000, 1040)],
        false,
    );
    let dbs = card.join(format!("Nintendo 3DS/{ID0}/{ID1}/dbs"));
    fs::create_dir_all(&dbs).unwrap();
    fs::write(
        dbs.join("title.db"),
        independent::seal_title_db(&boot9, &movable, plain),
    )
    .unwrap();
    // A title being installed, in import.db.
    let importing = keepsake_format::ctr::bdri::sample(
        keepsake_format::ctr::bdri::DbKind::SdImport,
        &[(0x0004_0000_000d_ef00, 0x0040_0000, 16)],
        false,
    );
    fs::write(
        dbs.join("import.db"),
        independent::seal_import_db(&boot9, &movable, importing),
    )
    .unwrap();
    let out = with_keys(&base, &["sd", "list", s(&card), "--json"]);
    assert!(out.status.success(), "{:?}", text(&out));
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let title = value
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "title")
        .expect("the title is listed");
    assert_eq!(title["id"], "00040000000abc00");
    assert_eq!(title["size"], 0x0123_4000);
    assert_eq!(title["version"], 1040);
    assert_eq!(title["verifies"], true);
    let importing = value
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "importing")
        .expect("the title being installed is listed");
    assert_eq!(importing["id"], "00040000000def00");
    assert_eq!(importing["size"], 0x0040_0000);
    assert_eq!(importing["version"], 16);
    assert_eq!(importing["verifies"], true);
    let out = with_keys(&base, &["sd", "list", s(&card)]);
    let (stdout, _) = text(&out);
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("00040000000abc00  title") && l.contains("v1040")),
        "{stdout}"
    );
}
