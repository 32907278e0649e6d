//! Saves written the way the console writes them (the `savegen`
//! generator: free-run ends only, tables' tails untouched, blocks nobody
//! wrote holding random bytes; files removed and their room refilled), in
//! both layouts and both block sizes. Each is read by the independent
//! reader of these tests, which must find exactly the tree the generator
//! recorded, and by Keepsake, whose listing, reading and verifying must
//! agree with it.

use keepsake_format::ctr::disa;
use keepsake_format::ctr::savefs::format::SaveFormat;
use keepsake_format::ctr::savefs::{Node, SaveFs};
use keepsake_format::ctr::savegen::{self, Tree, Unwritten};

mod independent;

fn check(seed: &str, format: SaveFormat, image_len: u64) {
    let mut rng = keepsake_testkit::rng::for_test(seed);
    let generated = savegen::sparse_save(&mut rng, format, image_len, 4);
    let image = &generated.image;
    let expected = &generated.tree;
    // The run must have exercised what it is about.
    let files = expected.values().filter(|c| c.is_some()).count();
    assert!(files >= 5, "{seed}: {files} files");
    assert!(generated.removed > 0, "{seed}: nothing was removed");
    assert!(
        expected
            .values()
            .any(|c| c.as_ref().is_some_and(Vec::is_empty)),
        "{seed}: no empty file"
    );
    // Sparse: partition 0 holds blocks never written, counted from the hash
    // tree by the independent reader; they are the ones the generator filled.
    let unwritten = independent::unwritten_blocks(image).unwrap();
    assert!(unwritten[0] > 0, "{seed}: {unwritten:?}");
    assert_eq!(unwritten, generated.unwritten, "{seed}");
    // Independent reading path.
    assert_eq!(&independent::read_tree(image).unwrap(), expected, "{seed}");
    // Keepsake: verify is sound, the walk and every file match, and the
    // filesystem check finds nothing unreadable.
    let container = disa::open(image.as_slice()).unwrap();
    let reports = container.verify(&|_| {}).unwrap();
    assert!(reports.iter().all(|r| r.is_sound()), "{seed}: {reports:?}");
    let never: Vec<u64> = reports.iter().map(|r| r.levels[3].never_written).collect();
    assert_eq!(never, unwritten, "{seed}");
    let mut fs = SaveFs::open(container).unwrap();
    let mut seen = Tree::new();
    for entry in fs.walk().unwrap() {
        let contents = match entry.node {
            Node::Dir(_) => None,
            Node::File(f) => Some(fs.read_file(f, &entry.path).unwrap()),
        };
        seen.insert(entry.path, contents);
    }
    assert_eq!(&seen, expected, "{seed}");
    assert!(fs.check().unwrap().unreadable.is_empty(), "{seed}");
}

#[test]
fn one_partition_512_byte_blocks() {
    for i in 0..3 {
        check(
            &format!("sparse_1p_512_{i}"),
            SaveFormat::new(512, 20, 120, true),
            256 * 1024,
        );
    }
}

#[test]
fn one_partition_4096_byte_blocks() {
    for i in 0..3 {
        check(
            &format!("sparse_1p_4096_{i}"),
            SaveFormat::new(4096, 20, 120, true),
            1024 * 1024,
        );
    }
}

#[test]
fn two_partitions_512_byte_blocks() {
    for i in 0..3 {
        check(
            &format!("sparse_2p_512_{i}"),
            SaveFormat::new(512, 20, 120, false),
            256 * 1024,
        );
    }
}

#[test]
fn two_partitions_4096_byte_blocks() {
    for i in 0..3 {
        check(
            &format!("sparse_2p_4096_{i}"),
            SaveFormat::new(4096, 20, 120, false),
            1024 * 1024,
        );
    }
}

#[test]
fn a_file_whose_data_was_never_written_is_an_error_naming_it_not_a_failure_of_the_image() {
    use keepsake_format::ctr::partition::PartitionError;
    use keepsake_format::ctr::savefs::SaveFsError;

    let (image, good) = savegen::save_with_unwritten(Unwritten::Data);
    // Every hash that exists holds: the container alone looks sound.
    let mut container = disa::open(image.as_slice()).unwrap();
    let reports = container.verify_remembering(&|_| {}).unwrap();
    assert!(reports.iter().all(|r| r.is_sound()));
    // The tree lists; the good file reads; the bad one is an error that
    // names it and the offset in it (0: its first block).
    let mut fs = SaveFs::open(container).unwrap();
    let paths: Vec<String> = fs.walk().unwrap().into_iter().map(|l| l.path).collect();
    assert_eq!(paths, ["dir", "good.bin", "dir/bad.bin"]);
    assert_eq!(fs.read_path("good.bin").unwrap(), good);
    let error = fs.read_path("dir/bad.bin").unwrap_err();
    assert!(
        matches!(
            &error,
            SaveFsError::FileData {
                path,
                offset: 0,
                error: PartitionError::NeverWritten { level: 4, .. },
            } if path == "dir/bad.bin"
        ),
        "{error}"
    );
    assert!(
        error
            .to_string()
            .starts_with("reading dir/bad.bin at file offset 0x0")
    );
    // The filesystem check says exactly that, and nothing else.
    let check = fs.check().unwrap();
    assert_eq!((check.dirs, check.files), (1, 2));
    let unreadable: Vec<&str> = check.unreadable.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(unreadable, ["dir/bad.bin"]);
    // The independent reader refuses the same file for the same reason.
    let refused = independent::read_tree(&image).unwrap_err();
    assert!(refused.contains("never written"), "{refused}");
}

#[test]
fn a_file_whose_fat_entry_was_never_written_is_an_error_naming_the_file_and_the_entry() {
    use keepsake_format::ctr::partition::PartitionError;
    use keepsake_format::ctr::savefs::SaveFsError;
    use keepsake_format::ctr::savefs::fat::FatError;

    let (image, good) = savegen::save_with_unwritten(Unwritten::FatEntry);
    let container = disa::open(image.as_slice()).unwrap();
    assert!(
        container
            .verify(&|_| {})
            .unwrap()
            .iter()
            .all(|r| r.is_sound())
    );
    let mut fs = SaveFs::open(container).unwrap();
    // Listing needs no FAT entry of the file's: it works.
    assert_eq!(fs.walk().unwrap().len(), 3);
    assert_eq!(fs.read_path("good.bin").unwrap(), good);
    // The file's first node is read from a never-written FAT block: an
    // error naming the file and the entry, never data.
    let error = fs.read_path("dir/bad.bin").unwrap_err();
    let SaveFsError::FileChain {
        path,
        error: FatError::Unreadable { entry, error },
    } = &error
    else {
        panic!("{error}")
    };
    assert_eq!(path, "dir/bad.bin");
    assert!(matches!(
        error,
        PartitionError::NeverWritten { level: 4, .. }
    ));
    // The free run starts after good.bin (2 blocks) and bad.bin (2
    // blocks): block 4, so the entry is 4 + 1000 + 1.
    assert_eq!(*entry, 1005);
    assert!(error.to_string().contains("was never written"), "{error}");
    let check = fs.check().unwrap();
    assert_eq!(check.unreadable.len(), 1);
    assert!(
        independent::read_tree(&image)
            .unwrap_err()
            .contains("never written")
    );
}

#[test]
fn a_fresh_save_is_written_as_the_console_writes_it() {
    // Two partitions, 512-byte blocks, 10 directories and 10 files (11
    // buckets each), 1000 data blocks. Partition 0 by hand: header and
    // information 0x00-0x88, hash tables 0x88-0xE0, FAT 0xE0 + 1001 * 8 =
    // 8232, directory table 8232 + 12 * 0x28 = 8712, file table 8712 + 11 *
    // 0x30 = 9240, rounded up to 9728: 19 blocks. Formatting writes the
    // headers, the hash tables and FAT entries 0-2 (block 0), the FAT's last
    // entry (8224) and the directory table's dummy and root (block 16), the
    // file table's dummy (8712, block 17): the other 16 blocks stay
    // unwritten, as do all 1000 of partition 1.
    let fs = SaveFormat::new(512, 10, 10, false)
        .format_blocks(1000, 0)
        .unwrap();
    let image = fs.into_disa().into_storage();
    assert_eq!(independent::unwritten_blocks(&image).unwrap(), [16, 1000]);
    assert_eq!(independent::read_tree(&image).unwrap(), Tree::new());
}
