//! End-to-end tests of `keepsake disa` and `keepsake diff`.

use std::fs;
use std::path::Path;
use std::process::Output;

use keepsake_testkit::fixtures;

mod common;
use common::keepsake;

fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn the_fixture_is_listed_verified_and_extracted() {
    let Some(image) = fixtures::path("ctr/nand-00000000.disa") else {
        return;
    };
    let info = keepsake(&["disa", "info", s(&image)]);
    let (stdout, _) = text(&info);
    assert!(info.status.success());
    assert!(
        stdout.contains("CMAC: present, unchecked (needs the console's key"),
        "{stdout}"
    );
    assert!(stdout.contains("1 of 1 file;"), "{stdout}");
    let ls = keepsake(&["disa", "ls", s(&image)]);
    assert_eq!(text(&ls).0.trim(), "11688  SaveData.bin");
    let verify = keepsake(&["disa", "verify", s(&image)]);
    assert!(verify.status.success(), "{:?}", text(&verify));
    assert!(
        text(&verify)
            .0
            .contains("IVFC level 4: 6 blocks, 6 ok, 0 never written")
    );
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let extract = keepsake(&["disa", "extract", s(&image), s(&out)]);
    assert!(extract.status.success(), "{:?}", text(&extract));
    let data = fs::read(out.join("SaveData.bin")).unwrap();
    assert_eq!(data.len(), 11_688);
    assert_eq!(data.iter().filter(|&&b| b != 0).count(), 6);
}

/// The fixture with a bit flipped in SaveData.bin's first block, payload
/// block 3 (data region at 0x1000, file at data block 2). Per the fixture's
/// descriptors the partition starts at 0x1000, DPFS level 3 copies at 0x1000
/// and 0x8000 in it, and level 4 at 0x1000 in level 3; both copies are hit
/// to be sure.
fn with_corrupt_save_data(fixture: &[u8]) -> Vec<u8> {
    let mut corrupt = fixture.to_vec();
    for copy in [0x1000usize, 0x1000 + 0x7000] {
        corrupt[0x1000 + copy + 0x1000 + 3 * 0x1000 + 10] ^= 0x20;
    }
    corrupt
}

#[test]
fn a_corrupt_save_fails_verify_and_extract_with_exit_2() {
    let Some(bytes) = fixtures::read("ctr/nand-00000000.disa") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.disa");
    fs::write(&bad, with_corrupt_save_data(&bytes)).unwrap();
    let verify = keepsake(&["disa", "verify", s(&bad)]);
    assert_eq!(verify.status.code(), Some(2));
    assert!(
        text(&verify).0.contains("1 FAILED (blocks 3)"),
        "{:?}",
        text(&verify)
    );
    let extract = keepsake(&["disa", "extract", s(&bad), s(&dir.path().join("out"))]);
    assert_eq!(extract.status.code(), Some(2));
    let (_, stderr) = text(&extract);
    assert!(
        stderr.contains("SaveData.bin at file offset 0x0"),
        "{stderr}"
    );
    assert!(!dir.path().join("out/SaveData.bin").exists());
}

#[test]
fn a_change_to_a_corrupt_save_is_not_written() {
    let Some(bytes) = fixtures::read("ctr/nand-00000000.disa") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.disa");
    fs::write(&bad, with_corrupt_save_data(&bytes)).unwrap();
    // Adding a directory touches only sound blocks and commits, but the
    // result would carry the corrupt block on as if the change were clean.
    let tree = dir.path().join("tree");
    fs::create_dir_all(tree.join("extra")).unwrap();
    let out = dir.path().join("out.disa");
    let import = keepsake(&["disa", "import", s(&bad), s(&tree), "-o", s(&out)]);
    assert_eq!(import.status.code(), Some(2), "{:?}", text(&import));
    let (_, stderr) = text(&import);
    assert!(stderr.contains("fail their hash"), "{stderr}");
    assert!(!out.exists());
    // The copy that was changed (made beside the output) is gone, and the
    // input is untouched.
    let left: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left.len(), 2, "{left:?}");
    assert_eq!(fs::read(&bad).unwrap(), with_corrupt_save_data(&bytes));
    // The same change to the sound fixture is written and reads back.
    let good = dir.path().join("good.disa");
    fs::write(&good, &bytes).unwrap();
    let import = keepsake(&["disa", "import", s(&good), s(&tree), "-o", s(&out)]);
    assert!(import.status.success(), "{:?}", text(&import));
    let ls = text(&keepsake(&["disa", "ls", s(&out)])).0;
    assert!(
        ls.contains("extra/") && ls.contains("11688  SaveData.bin"),
        "{ls}"
    );
}

#[test]
fn format_import_ls_extract_round_trip_in_both_layouts() {
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("tree");
    fs::create_dir_all(tree.join("sub/deeper")).unwrap();
    fs::write(tree.join("a.txt"), b"hello").unwrap();
    let big: Vec<u8> = (0..9000u32).map(|i| (i % 251) as u8).collect();
    fs::write(tree.join("sub/deeper/big.bin"), &big).unwrap();
    fs::write(tree.join("sub/empty"), b"").unwrap();
    for (partitions, block) in [("1", "512"), ("2", "512"), ("1", "4096"), ("2", "4096")] {
        let image = dir.path().join(format!("new-{partitions}-{block}.disa"));
        let format = keepsake(&[
            "disa",
            "format",
            s(&image),
            "--size",
            "256K",
            "--partitions",
            partitions,
            "--block-size",
            block,
        ]);
        assert!(format.status.success(), "{:?}", text(&format));
        assert_eq!(fs::metadata(&image).unwrap().len(), 256 * 1024);
        let filled = dir.path().join(format!("filled-{partitions}-{block}.disa"));
        let import = keepsake(&["disa", "import", s(&image), s(&tree), "-o", s(&filled)]);
        assert!(import.status.success(), "{:?}", text(&import));
        let ls = text(&keepsake(&["disa", "ls", s(&filled)])).0;
        let lines: Vec<&str> = ls.lines().map(str::trim).collect();
        assert_eq!(
            lines,
            [
                "-  sub/",
                "5  a.txt",
                "-  sub/deeper/",
                "0  sub/empty",
                "9000  sub/deeper/big.bin"
            ],
            "{ls}"
        );
        assert!(keepsake(&["disa", "verify", s(&filled)]).status.success());
        let out = dir.path().join(format!("out-{partitions}-{block}"));
        assert!(
            keepsake(&["disa", "extract", s(&filled), s(&out)])
                .status
                .success()
        );
        assert_eq!(fs::read(out.join("a.txt")).unwrap(), b"hello");
        assert_eq!(fs::read(out.join("sub/deeper/big.bin")).unwrap(), big);
        assert_eq!(fs::read(out.join("sub/empty")).unwrap(), b"");
        // Delete a file and the directory it leaves empty.
        let smaller = dir
            .path()
            .join(format!("smaller-{partitions}-{block}.disa"));
        let rm = keepsake(&[
            "disa",
            "rm",
            s(&filled),
            "sub/deeper/big.bin",
            "sub/deeper",
            "-o",
            s(&smaller),
        ]);
        assert!(rm.status.success(), "{:?}", text(&rm));
        let ls = text(&keepsake(&["disa", "ls", s(&smaller)])).0;
        let lines: Vec<&str> = ls.lines().map(str::trim).collect();
        assert_eq!(lines, ["-  sub/", "5  a.txt", "0  sub/empty"], "{ls}");
        assert!(keepsake(&["disa", "verify", s(&smaller)]).status.success());
        // A directory that is not empty stays, with exit 2.
        let refused = keepsake(&[
            "disa",
            "rm",
            s(&filled),
            "sub",
            "-o",
            s(&dir.path().join("x.disa")),
        ]);
        assert_eq!(refused.status.code(), Some(2));
        assert!(
            text(&refused).1.contains("directory not empty"),
            "{:?}",
            text(&refused)
        );
    }
}

#[test]
fn import_refuses_to_overwrite_its_input_and_signs_with_a_key() {
    let dir = tempfile::tempdir().unwrap();
    let image = dir.path().join("save.disa");
    assert!(
        keepsake(&["disa", "format", s(&image), "--size", "128K"])
            .status
            .success()
    );
    let before = fs::read(&image).unwrap();
    let tree = dir.path().join("tree");
    fs::create_dir(&tree).unwrap();
    fs::write(tree.join("x"), b"x").unwrap();
    let again = keepsake(&["disa", "import", s(&image), s(&tree), "-o", s(&image)]);
    assert_eq!(again.status.code(), Some(2));
    assert_eq!(fs::read(&image).unwrap(), before);
    let key = "000102030405060708090a0b0c0d0e0f";
    let signed = dir.path().join("signed.disa");
    let import = keepsake(&[
        "disa",
        "import",
        s(&image),
        s(&tree),
        "-o",
        s(&signed),
        "--key",
        key,
        "--sign",
        "sd:0004000000123400",
    ]);
    assert!(import.status.success(), "{:?}", text(&import));
    let ok = keepsake(&[
        "disa",
        "verify",
        s(&signed),
        "--key",
        key,
        "--sign",
        "sd:0004000000123400",
    ]);
    assert!(ok.status.success(), "{:?}", text(&ok));
    assert!(text(&ok).0.contains("CMAC: valid"));
    let wrong = keepsake(&["disa", "verify", s(&signed), "--key", key, "--sign", "cart"]);
    assert_eq!(wrong.status.code(), Some(2));
}

#[test]
fn diff_images_are_built_read_and_checked() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.bin");
    let made = keepsake(&[
        "diff",
        "format",
        s(&empty),
        "--size",
        "10000",
        "--unique-id",
        "0x42",
    ]);
    assert!(made.status.success(), "{:?}", text(&made));
    assert!(
        text(&keepsake(&["diff", "info", s(&empty)]))
            .0
            .contains("unique id 0x0000000000000042")
    );
    let contents = dir.path().join("contents");
    fs::write(&contents, vec![0xC3u8; 70_000]).unwrap();
    let filled = dir.path().join("filled.bin");
    assert!(
        keepsake(&["diff", "import", s(&empty), s(&contents), "-o", s(&filled)])
            .status
            .success()
    );
    assert_eq!(
        text(&keepsake(&["diff", "ls", s(&filled)])).0.trim(),
        "70000  (payload)"
    );
    assert!(keepsake(&["diff", "verify", s(&filled)]).status.success());
    let out = dir.path().join("out");
    assert!(
        keepsake(&["diff", "extract", s(&filled), s(&out)])
            .status
            .success()
    );
    assert_eq!(fs::read(&out).unwrap(), vec![0xC3u8; 70_000]);
    // A DIFF is not a save, and garbage is neither: exit 2.
    assert_eq!(keepsake(&["disa", "ls", s(&filled)]).status.code(), Some(2));
    assert_eq!(
        keepsake(&["diff", "verify", s(&contents)]).status.code(),
        Some(2)
    );
}

#[test]
fn every_writing_command_refuses_an_existing_output_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let save = d.join("save.disa");
    assert!(
        keepsake(&["disa", "format", s(&save), "--size", "256K"])
            .status
            .success()
    );
    let files = d.join("files");
    fs::create_dir(&files).unwrap();
    fs::write(files.join("a.bin"), b"hello").unwrap();
    let filled = d.join("filled.disa");
    assert!(
        keepsake(&["disa", "import", s(&save), s(&files), "-o", s(&filled)])
            .status
            .success()
    );
    let ext = d.join("ext.bin");
    assert!(
        keepsake(&["diff", "format", s(&ext), "--size", "4K"])
            .status
            .success()
    );
    let a_bin = files.join("a.bin");
    let out = d.join("out");
    let o = s(&out);
    let commands: [Vec<&str>; 6] = [
        vec!["disa", "format", o, "--size", "256K"],
        vec!["disa", "import", s(&save), s(&files), "-o", o],
        vec!["disa", "rm", s(&filled), "a.bin", "-o", o],
        vec!["diff", "format", o, "--size", "4K"],
        vec!["diff", "import", s(&ext), s(&a_bin), "-o", o],
        vec!["diff", "extract", s(&ext), o],
    ];
    for args in commands {
        fs::write(&out, b"an earlier result").unwrap();
        let run = keepsake(&args);
        let (stdout, stderr) = text(&run);
        assert_eq!(run.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("already exists; pass --force"),
            "{args:?}: {stderr}"
        );
        assert!(stdout.is_empty(), "{args:?}: {stdout}");
        assert_eq!(fs::read(&out).unwrap(), b"an earlier result", "{args:?}");
        let mut forced = args.clone();
        forced.push("--force");
        let run = keepsake(&forced);
        let (stdout, stderr) = text(&run);
        assert!(run.status.success(), "{forced:?}: {stderr}");
        // The result on stdout, nothing on stderr when all went well.
        assert!(
            stdout.starts_with("wrote ")
                || stdout.starts_with("imported ")
                || stdout.starts_with("removed "),
            "{forced:?}: {stdout}"
        );
        assert!(stderr.is_empty(), "{forced:?}: {stderr}");
        assert_ne!(fs::read(&out).unwrap(), b"an earlier result", "{args:?}");
    }

    // Extract into a folder that holds anything: refused, then allowed.
    let folder = d.join("folder");
    fs::create_dir(&folder).unwrap();
    fs::write(folder.join("a.bin"), b"mine").unwrap();
    let run = keepsake(&["disa", "extract", s(&filled), s(&folder)]);
    let (_, stderr) = text(&run);
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("is not empty; pass --force"), "{stderr}");
    assert_eq!(fs::read(folder.join("a.bin")).unwrap(), b"mine");
    let run = keepsake(&["disa", "extract", s(&filled), s(&folder), "--force"]);
    assert!(run.status.success(), "{:?}", text(&run));
    assert_eq!(fs::read(folder.join("a.bin")).unwrap(), b"hello");
    assert!(
        text(&run).0.contains("extracted 1 entry"),
        "{:?}",
        text(&run)
    );
}

#[test]
fn the_wrong_kind_of_file_gets_the_command_that_reads_it() {
    let dir = tempfile::tempdir().unwrap();
    let ext = dir.path().join("ext.bin");
    assert!(
        keepsake(&["diff", "format", s(&ext), "--size", "4K"])
            .status
            .success()
    );
    let run = keepsake(&["disa", "ls", s(&ext)]);
    assert_eq!(run.status.code(), Some(2));
    assert!(
        text(&run).1.contains("use `keepsake diff`"),
        "{:?}",
        text(&run)
    );
    // An NDS save in a DeSmuME footer.
    let mut dsv = vec![0xFFu8; 512];
    dsv.extend_from_slice(
        b"|<--Snip above here to create a raw sav by excluding this DeSmuME savedata footer:",
    );
    for field in [512u32, 512, 1, 1, 512, 0] {
        dsv.extend_from_slice(&field.to_le_bytes());
    }
    dsv.extend_from_slice(b"|-DESMUME SAVE-|");
    let nds = dir.path().join("game.dsv");
    fs::write(&nds, &dsv).unwrap();
    let run = keepsake(&["disa", "info", s(&nds)]);
    assert_eq!(run.status.code(), Some(2));
    assert!(
        text(&run)
            .1
            .contains("this is an NDS save: use `keepsake nds`"),
        "{:?}",
        text(&run)
    );
}

#[test]
fn a_cmac_that_does_not_match_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let key = "000102030405060708090a0b0c0d0e0f";
    let other = "0f0e0d0c0b0a09080706050403020100";
    let save = dir.path().join("save.disa");
    let made = keepsake(&[
        "disa",
        "format",
        s(&save),
        "--size",
        "256K",
        "--key",
        key,
        "--sign",
        "cart",
    ]);
    assert!(made.status.success(), "{:?}", text(&made));
    for verb in ["info", "verify"] {
        let good = keepsake(&["disa", verb, s(&save), "--key", key, "--sign", "cart"]);
        assert!(good.status.success(), "{verb}: {:?}", text(&good));
        let bad = keepsake(&["disa", verb, s(&save), "--key", other, "--sign", "cart"]);
        assert_eq!(bad.status.code(), Some(2), "{verb}: {:?}", text(&bad));
        assert!(text(&bad).1.contains("the CMAC does not match"), "{verb}");
    }
}

/// Path -> `None` for a directory, `Some(contents)` for a file.
type Tree = std::collections::BTreeMap<String, Option<Vec<u8>>>;

fn tree_of(dir: &Path, prefix: &str, out: &mut Tree) {
    for entry in fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().into_string().unwrap();
        let path = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        if entry.file_type().unwrap().is_dir() {
            out.insert(path.clone(), None);
            tree_of(&entry.path(), &path, out);
        } else {
            out.insert(path, Some(fs::read(entry.path()).unwrap()));
        }
    }
}

#[test]
fn save3ds_images_list_verify_and_extract_byte_for_byte() {
    for name in ["one-partition-512", "two-partitions-4096"] {
        let (Some(image), Some(files)) = (
            fixtures::path(&format!("ctr/save3ds/{name}.disa")),
            fixtures::path(&format!("ctr/save3ds/{name}.files")),
        ) else {
            return;
        };
        let mut expected = Tree::new();
        tree_of(&files, "", &mut expected);
        // ls: every path with its size (directories with a slash).
        let ls = keepsake(&["disa", "ls", s(&image)]);
        assert!(ls.status.success(), "{name}: {:?}", text(&ls));
        let mut listed: Vec<String> = text(&ls)
            .0
            .lines()
            .map(|l| l.trim_start().to_string())
            .collect();
        listed.sort();
        let mut wanted: Vec<String> = expected
            .iter()
            .map(|(p, c)| match c {
                Some(c) => format!("{}  {p}", c.len()),
                None => format!("-  {p}/"),
            })
            .collect();
        wanted.sort();
        assert_eq!(listed, wanted, "{name}");
        // verify: sound, with never-written blocks counted, every file readable.
        let verify = keepsake(&["disa", "verify", s(&image)]);
        let (stdout, _) = text(&verify);
        assert!(verify.status.success(), "{name}: {:?}", text(&verify));
        let files_count = expected.values().filter(|c| c.is_some()).count();
        let dirs_count = expected.len() - files_count;
        assert!(
            stdout.contains(&format!(
                "filesystem: {dirs_count} director{}, {files_count} files, every file readable",
                if dirs_count == 1 { "y" } else { "ies" }
            )),
            "{name}: {stdout}"
        );
        let level4_unwritten: u64 = stdout
            .lines()
            .filter(|l| l.contains("IVFC level 4"))
            .map(|l| {
                let n = l.split(", ").nth(2).unwrap();
                n.trim_end_matches(" never written").parse::<u64>().unwrap()
            })
            .sum();
        assert!(level4_unwritten > 0, "{name}: {stdout}");
        // extract: exactly the imported files, the zero-byte one included.
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let extract = keepsake(&["disa", "extract", s(&image), s(&out)]);
        assert!(extract.status.success(), "{name}: {:?}", text(&extract));
        let mut extracted = Tree::new();
        tree_of(&out, "", &mut extracted);
        assert_eq!(extracted, expected, "{name}");
    }
}

/// Extraction maps an image only while no one can write to it (a read
/// lease); an image another program holds open for writing gets no lease
/// and is read with pread instead, to the same files.
#[test]
fn an_image_open_for_writing_elsewhere_extracts_the_same_files() {
    let name = "two-partitions-4096";
    let (Some(image), Some(files)) = (
        fixtures::path(&format!("ctr/save3ds/{name}.disa")),
        fixtures::path(&format!("ctr/save3ds/{name}.files")),
    ) else {
        return;
    };
    let mut expected = Tree::new();
    tree_of(&files, "", &mut expected);
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("save.disa");
    std::fs::copy(&image, &copy).unwrap();
    let writer = std::fs::OpenOptions::new().write(true).open(&copy).unwrap();
    let out = dir.path().join("out");
    let extract = keepsake(&["disa", "extract", s(&copy), s(&out)]);
    assert!(extract.status.success(), "{:?}", text(&extract));
    drop(writer);
    let mut extracted = Tree::new();
    tree_of(&out, "", &mut extracted);
    assert_eq!(extracted, expected);
    // Nothing but the extracted files: no temporary file is left behind.
    let names: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(names.is_empty(), "{names:?}");
}

#[test]
fn a_file_with_unwritten_data_fails_verify_and_extract_alike_but_lists() {
    use keepsake_format::ctr::savegen::{Unwritten, save_with_unwritten};
    let (image, good) = save_with_unwritten(Unwritten::Data);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("save.disa");
    fs::write(&path, &image).unwrap();
    let ls = keepsake(&["disa", "ls", s(&path)]);
    assert!(ls.status.success(), "{:?}", text(&ls));
    assert_eq!(text(&ls).0.lines().count(), 3);
    // verify: every hash holds, but one file cannot be read.
    let verify = keepsake(&["disa", "verify", s(&path)]);
    let (stdout, stderr) = text(&verify);
    assert_eq!(verify.status.code(), Some(2), "{stdout}{stderr}");
    assert!(
        stdout.contains("filesystem: 1 directory, 2 files; 1 of 2 files cannot be read:"),
        "{stdout}"
    );
    assert!(
        stdout.contains("reading dir/bad.bin at file offset 0x0: IVFC level 4 block"),
        "{stdout}"
    );
    assert!(stderr.contains("cannot be read whole"), "{stderr}");
    // extract: the good file is extracted, the bad one named, exit 2.
    let out = dir.path().join("out");
    let extract = keepsake(&["disa", "extract", s(&path), s(&out)]);
    let (_, stderr) = text(&extract);
    assert_eq!(extract.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("1 of 2 files in"), "{stderr}");
    assert!(
        stderr.contains("dir/bad.bin at file offset 0x0"),
        "{stderr}"
    );
    assert_eq!(fs::read(out.join("good.bin")).unwrap(), good);
    assert!(!out.join("dir/bad.bin").exists());
}

#[test]
fn a_diff_whose_payload_was_partly_never_written_fails_verify_as_extract_does() {
    use keepsake_format::ctr::diff;
    let params = diff::extdata_params(3 * 4096);
    let storage = vec![0u8; diff::image_len(&params) as usize];
    let mut container = diff::format(storage, &params, 7).unwrap();
    container.write(0, 0, &[0x5A; 4096]).unwrap();
    container.commit().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("partial.bin");
    fs::write(&path, container.into_storage()).unwrap();
    let verify = keepsake(&["diff", "verify", s(&path)]);
    let (stdout, stderr) = text(&verify);
    assert_eq!(verify.status.code(), Some(2), "{stdout}{stderr}");
    assert!(
        stdout.contains("IVFC level 4: 3 blocks, 1 ok, 2 never written"),
        "{stdout}"
    );
    assert!(stderr.contains("never written"), "{stderr}");
    let extract = keepsake(&["diff", "extract", s(&path), s(&dir.path().join("out"))]);
    assert_eq!(extract.status.code(), Some(2));
    assert!(text(&extract).1.contains("was never written"));
}
