//! `SaveFs::read_file_with`, the read `extract` uses: each file's bytes are
//! handed on in pieces, checked where the storage holds them when it lends
//! them (a slice, a mapped file) and read into a buffer when it does not.
//! Both ways must give exactly the files the generator recorded or save3ds
//! extracted, refuse what `read_file` refuses, and stop on a failing sink.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::path::Path;

use keepsake_format::ctr::disa;
use keepsake_format::ctr::partition::PartitionError;
use keepsake_format::ctr::savefs::format::SaveFormat;
use keepsake_format::ctr::savefs::{Node, ReadFileError, SaveFs, SaveFsError};
use keepsake_format::ctr::savegen::{self, Unwritten};
use keepsake_format::storage::{ReadAt, StorageError};
use keepsake_testkit::fixtures;

/// An image that lends its bytes or not, counting the bytes that went each
/// way.
struct Counted<'a> {
    image: &'a [u8],
    lend: bool,
    lent: Cell<u64>,
}

impl<'a> Counted<'a> {
    fn new(image: &'a [u8], lend: bool) -> Self {
        Counted {
            image,
            lend,
            lent: Cell::new(0),
        }
    }
}

impl ReadAt for Counted<'_> {
    fn size(&self) -> u64 {
        self.image.len() as u64
    }
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<(), StorageError> {
        self.image.read_at(offset, buf)
    }
    fn borrow_at(&self, offset: u64, len: usize) -> Option<&[u8]> {
        if !self.lend {
            return None;
        }
        let lent = self.image.borrow_at(offset, len)?;
        self.lent.set(self.lent.get() + len as u64);
        Some(lent)
    }
}

/// Path -> `None` for a directory, `Some(contents)` for a file.
type Tree = BTreeMap<String, Option<Vec<u8>>>;

/// Every file of `image` read with `read_file_with`, and how many bytes
/// the storage lent.
fn read_all(image: &[u8], lend: bool) -> (Tree, u64) {
    let storage = Counted::new(image, lend);
    let mut fs = SaveFs::open(disa::open(&storage).unwrap()).unwrap();
    // Opening reads metadata with `read_at`; only the file reads count.
    storage.lent.set(0);
    let mut tree = Tree::new();
    for entry in fs.walk().unwrap() {
        let contents = match entry.node {
            Node::Dir(_) => None,
            Node::File(f) => {
                let mut out = Vec::new();
                fs.read_file_with(f, &entry.path, |piece| {
                    out.extend_from_slice(piece);
                    Ok::<(), ()>(())
                })
                .unwrap_or_else(|e| panic!("{}: {e:?}", entry.path));
                Some(out)
            }
        };
        tree.insert(entry.path, contents);
    }
    (tree, storage.lent.get())
}

fn file_bytes(tree: &Tree) -> u64 {
    tree.values().flatten().map(|c| c.len() as u64).sum()
}

#[test]
fn generated_sparse_saves_read_the_same_lent_or_copied() {
    let formats = [
        (SaveFormat::new(512, 20, 120, true), 256 << 10),
        (SaveFormat::new(4096, 20, 120, true), 1 << 20),
        (SaveFormat::new(512, 20, 120, false), 256 << 10),
        (SaveFormat::new(4096, 20, 120, false), 1 << 20),
    ];
    for (i, (format, len)) in formats.into_iter().enumerate() {
        let seed = format!("read_in_place_{i}");
        let mut rng = keepsake_testkit::rng::for_test(&seed);
        let generated = savegen::sparse_save(&mut rng, format, len, 4);
        let expected: Tree = generated.tree.into_iter().collect();
        assert!(file_bytes(&expected) > 0, "{seed}");
        let (lent_tree, lent) = read_all(&generated.image, true);
        assert_eq!(lent_tree, expected, "{seed}, lent");
        // Blocks are lent whole, so at least every file byte was lent,
        // unless a read crossed from one DPFS copy to the other inside a
        // block (one partition only), which is read through a buffer.
        assert!(lent > 0, "{seed}: nothing lent");
        let (copied_tree, none) = read_all(&generated.image, false);
        assert_eq!(copied_tree, expected, "{seed}, copied");
        assert_eq!(none, 0);
    }
}

#[test]
fn save3ds_images_read_the_same_lent_or_copied() {
    for name in ["one-partition-512", "two-partitions-4096"] {
        let Some(image) = fixtures::read(&format!("ctr/save3ds/{name}.disa")) else {
            return;
        };
        let dir = fixtures::path(&format!("ctr/save3ds/{name}.files")).unwrap();
        let mut expected = Tree::new();
        tree_of(&dir, "", &mut expected);
        let (lent_tree, lent) = read_all(&image, true);
        assert_eq!(lent_tree, expected, "{name}, lent");
        assert!(lent >= file_bytes(&expected), "{name}: {lent} bytes lent");
        assert_eq!(read_all(&image, false).0, expected, "{name}, copied");
    }
}

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

#[test]
fn a_large_file_comes_in_pieces_and_a_failing_sink_stops_the_read() {
    // 700,000 bytes of a pattern computed here: several 256 KiB pieces.
    let pattern: Vec<u8> = (0..700_000u32).map(|i| (i % 253) as u8).collect();
    for one_partition in [true, false] {
        let mut fs = SaveFormat::new(4096, 10, 20, one_partition)
            .format(4 << 20)
            .unwrap();
        fs.write_file("big.bin", &pattern).unwrap();
        fs.commit().unwrap();
        let image = fs.into_disa().into_storage();
        let mut fs = SaveFs::open(disa::open(image.as_slice()).unwrap()).unwrap();
        let Node::File(f) = fs.lookup("big.bin").unwrap() else {
            panic!("big.bin is a file");
        };
        let mut pieces = Vec::new();
        fs.read_file_with(f, "big.bin", |piece| {
            pieces.push(piece.to_vec());
            Ok::<(), ()>(())
        })
        .unwrap();
        assert!(pieces.len() >= 3, "{} pieces", pieces.len());
        assert_eq!(pieces.concat(), pattern);
        // The sink's error comes back as it was, and no piece follows it.
        let mut calls = 0;
        let stopped = fs.read_file_with(f, "big.bin", |piece| {
            calls += 1;
            assert_eq!(piece, &pattern[..piece.len()]);
            Err("disk full")
        });
        assert!(matches!(stopped, Err(ReadFileError::Sink("disk full"))));
        assert_eq!(calls, 1);
    }
}

#[test]
fn a_never_written_block_is_refused_before_any_of_its_bytes_reach_the_sink() {
    let (image, good) = savegen::save_with_unwritten(Unwritten::Data);
    for lend in [true, false] {
        let storage = Counted::new(&image, lend);
        let mut fs = SaveFs::open(disa::open(&storage).unwrap()).unwrap();
        let Node::File(bad) = fs.lookup("dir/bad.bin").unwrap() else {
            panic!("dir/bad.bin is a file");
        };
        let mut got = 0;
        let error = fs
            .read_file_with(bad, "dir/bad.bin", |piece| {
                got += piece.len();
                Ok::<(), ()>(())
            })
            .unwrap_err();
        // Its first block was never written: nothing reached the sink.
        assert_eq!(got, 0);
        assert!(
            matches!(
                &error,
                ReadFileError::Fs(SaveFsError::FileData {
                    path,
                    offset: 0,
                    error: PartitionError::NeverWritten { level: 4, .. },
                }) if path == "dir/bad.bin"
            ),
            "{error:?}"
        );
        let Node::File(f) = fs.lookup("good.bin").unwrap() else {
            panic!("good.bin is a file");
        };
        let mut out = Vec::new();
        fs.read_file_with(f, "good.bin", |piece| {
            out.extend_from_slice(piece);
            Ok::<(), ()>(())
        })
        .unwrap();
        assert_eq!(out, good);
    }
}
