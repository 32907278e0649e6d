//! Images made by save3ds (an independent implementation of the format,
//! which like the console leaves unneeded metadata blocks unwritten): each
//! lists, verifies and extracts to exactly the files that were imported
//! into it, which sit beside it in `<name>.files/`.

use std::collections::BTreeMap;
use std::path::Path;

use keepsake_format::ctr::disa;
use keepsake_format::ctr::savefs::{Node, SaveFs};
use keepsake_testkit::fixtures;

mod independent;

const IMAGES: [&str; 2] = ["one-partition-512", "two-partitions-4096"];

/// Path -> `None` for a directory, `Some(contents)` for a file.
type Tree = BTreeMap<String, Option<Vec<u8>>>;

fn tree_of(dir: &Path, prefix: &str, out: &mut Tree) {
    for entry in std::fs::read_dir(dir).unwrap() {
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
            out.insert(path, Some(std::fs::read(entry.path()).unwrap()));
        }
    }
}

fn fixture(name: &str) -> Option<(Vec<u8>, Tree)> {
    let image = fixtures::read(&format!("ctr/save3ds/{name}.disa"))?;
    let dir = fixtures::path(&format!("ctr/save3ds/{name}.files"))?;
    let mut tree = Tree::new();
    tree_of(&dir, "", &mut tree);
    Some((image, tree))
}

#[test]
fn every_save3ds_image_lists_verifies_and_extracts_byte_for_byte() {
    for name in IMAGES {
        let Some((image, expected)) = fixture(name) else {
            return;
        };
        let container = disa::open(image.as_slice()).unwrap();
        let reports = container.verify(&|_| {}).unwrap();
        assert!(reports.iter().all(|r| r.is_sound()), "{name}: {reports:?}");
        // Like the console, save3ds left blocks of partition 0 unwritten
        // (the fixtures' README says so): a reader must not need them.
        let unwritten = independent::unwritten_blocks(&image).unwrap();
        assert!(unwritten.iter().sum::<u64>() > 0, "{name}: {unwritten:?}");
        let never: Vec<u64> = reports.iter().map(|r| r.levels[3].never_written).collect();
        assert_eq!(never, unwritten, "{name}");
        let mut fs = SaveFs::open(container).unwrap_or_else(|e| panic!("{name}: {e}"));
        let listing = fs.walk().unwrap();
        let mut seen = Tree::new();
        for entry in &listing {
            let contents = match entry.node {
                Node::Dir(_) => None,
                Node::File(f) => Some(fs.read_file(f, &entry.path).unwrap()),
            };
            seen.insert(entry.path.clone(), contents);
        }
        assert_eq!(seen, expected, "{name}");
        let check = fs.check().unwrap();
        assert!(
            check.unreadable.is_empty(),
            "{name}: {:?}",
            check.unreadable
        );
    }
}

#[test]
fn the_independent_reader_reads_the_real_images_too() {
    // The second reader of the tests is checked on images Keepsake did not
    // make: it must give back exactly the imported files.
    for name in IMAGES {
        let Some((image, expected)) = fixture(name) else {
            return;
        };
        assert_eq!(independent::read_tree(&image).unwrap(), expected, "{name}");
    }
}
