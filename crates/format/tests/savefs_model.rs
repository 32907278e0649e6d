//! Model-based tests of the SAVE filesystem: random operations applied to a
//! formatted image and to an in-memory tree must agree, also after the image
//! is committed and reopened from its bytes, in both layouts (one and two
//! partitions) and both block sizes. Each committed image is also read by
//! the tests' independent reader, which must find the model's tree. Every
//! refusal is checked against the model: "already exists" only for a name
//! taken (names repeat on purpose), "table full" only when the model holds
//! as many entries as the format allows, "no space" only when the model's
//! files leave too few blocks.

use std::collections::BTreeMap;

use keepsake_format::ctr::disa;
use keepsake_format::ctr::savefs::entries::EntryError;
use keepsake_format::ctr::savefs::fat::FatError;
use keepsake_format::ctr::savefs::format::SaveFormat;
use keepsake_format::ctr::savefs::{SaveFs, SaveFsError};
use keepsake_testkit::rand::Rng;
use keepsake_testkit::rand::seq::IndexedRandom;

/// Path -> `None` for a directory, `Some(contents)` for a file.
type Model = BTreeMap<String, Option<Vec<u8>>>;

mod independent;

fn reopen(fs: SaveFs<Vec<u8>>) -> SaveFs<Vec<u8>> {
    let bytes = fs.into_disa().into_storage();
    SaveFs::open(disa::open(bytes).expect("reopens")).expect("filesystem reopens")
}

fn check_agrees(fs: &mut SaveFs<Vec<u8>>, model: &Model) {
    let listing = fs.walk().unwrap();
    let seen: BTreeMap<String, Option<u64>> =
        listing.iter().map(|l| (l.path.clone(), l.size)).collect();
    let expected: BTreeMap<String, Option<u64>> = model
        .iter()
        .map(|(p, c)| (p.clone(), c.as_ref().map(|c| c.len() as u64)))
        .collect();
    assert_eq!(seen, expected, "the tree differs from the model");
    for (path, contents) in model {
        if let Some(contents) = contents {
            assert_eq!(&fs.read_path(path).unwrap(), contents, "{path} differs");
        }
    }
    // The image's own hashes must all hold.
    let reports = fs.disa().verify(&|_| {}).unwrap();
    for r in &reports {
        assert!(r.is_sound(), "{r:?}");
    }
}

/// The committed image, read by the independent reader, holds the model.
fn check_independently(bytes: &[u8], model: &Model) {
    let tree = independent::read_tree(bytes).unwrap();
    assert_eq!(&tree, model, "the independent reader disagrees");
}

fn parent_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(p, _)| p)
}

fn random_name(rng: &mut impl Rng) -> String {
    // Often a name from a short list, so that names repeat and collide.
    if rng.random_bool(0.4) {
        return ["a", "save.dat", "dir", "x", "data.bin"]
            .choose(rng)
            .unwrap()
            .to_string();
    }
    let len = rng.random_range(1..=16);
    (0..len)
        .map(|_| {
            *b"abcdefghijklmnopqrstuvwxyz0123456789._-"
                .choose(rng)
                .unwrap() as char
        })
        .collect()
}

/// Data blocks the model's files take, in blocks of `block`.
fn blocks_used(model: &Model, block: usize) -> u64 {
    model
        .values()
        .flatten()
        .map(|c| c.len().div_ceil(block) as u64)
        .sum()
}

/// Data blocks free for files: the region's blocks less those of the entry
/// tables (one partition: chains in the data region) and of the files.
fn expected_free(format: &SaveFormat, data_blocks: u32, model: &Model) -> u64 {
    let block = format.block_len as usize;
    let tables = if format.duplicate_data {
        let dirs = (format.max_dirs as usize + 2) * 0x28;
        let files = (format.max_files as usize + 1) * 0x30;
        (dirs.div_ceil(block) + files.div_ceil(block)) as u64
    } else {
        0
    };
    u64::from(data_blocks) - tables - blocks_used(model, block)
}

fn run_model(seed_name: &str, format: SaveFormat, image_len: u64, ops: usize) {
    let mut rng = keepsake_testkit::rng::for_test(seed_name);
    let mut fs = format.format(image_len).unwrap();
    let mut model = Model::new();
    let mut previous: Option<(Vec<u8>, Model)> = None;
    check_agrees(&mut fs, &model);
    let block = format.block_len as usize;
    let data_blocks = fs.info().data_blocks;
    let (mut refused_exists, mut refused_full, mut refused_space) = (0, 0, 0);
    for op in 0..ops {
        let dirs: Vec<String> = std::iter::once(String::new())
            .chain(
                model
                    .iter()
                    .filter(|(_, c)| c.is_none())
                    .map(|(p, _)| p.clone()),
            )
            .collect();
        let files: Vec<String> = model
            .iter()
            .filter(|(_, c)| c.is_some())
            .map(|(p, _)| p.clone())
            .collect();
        let join = |dir: &str, name: &str| {
            if dir.is_empty() {
                name.to_string()
            } else {
                format!("{dir}/{name}")
            }
        };
        let n_dirs = dirs.len() - 1;
        let n_files = files.len();
        let free = expected_free(&format, data_blocks, &model);
        assert_eq!(u64::from(fs.free_blocks().unwrap()), free, "free blocks");
        match rng.random_range(0..10) {
            0..=1 => {
                let existing: Vec<&String> = model.keys().collect();
                let path = if !existing.is_empty() && rng.random_bool(0.15) {
                    existing.choose(&mut rng).unwrap().to_string()
                } else {
                    join(dirs.choose(&mut rng).unwrap(), &random_name(&mut rng))
                };
                let taken = model.contains_key(&path);
                match fs.create_dir(&path) {
                    Ok(_) => {
                        assert!(!taken && n_dirs < format.max_dirs as usize);
                        model.insert(path, None);
                    }
                    Err(SaveFsError::AlreadyExists { .. }) => {
                        assert!(taken);
                        refused_exists += 1;
                    }
                    Err(SaveFsError::Entries(EntryError::Full { table, .. })) => {
                        assert_eq!(table, "directory");
                        assert!(!taken);
                        assert_eq!(n_dirs, format.max_dirs as usize, "not full");
                        assert!(fs.dir_table_full().unwrap());
                        refused_full += 1;
                    }
                    Err(SaveFsError::BadName { name, .. }) => assert!(name == "." || name == ".."),
                    Err(e) => panic!("create_dir {path}: {e}"),
                }
            }
            2..=6 => {
                let path = if !files.is_empty() && rng.random_bool(0.4) {
                    files.choose(&mut rng).unwrap().clone()
                } else {
                    join(dirs.choose(&mut rng).unwrap(), &random_name(&mut rng))
                };
                let len = match rng.random_range(0..5) {
                    0 => 0,
                    1 => rng.random_range(1..block),
                    2 => block * rng.random_range(1..4),
                    3 => rng.random_range(1..block * 6),
                    // Large now and then, so that the save fills up.
                    _ => rng.random_range(block * 8..block * 40),
                };
                let mut data = vec![0u8; len];
                rng.fill(&mut data[..]);
                let old = model.get(&path).cloned();
                let old_blocks = match &old {
                    Some(Some(c)) => c.len().div_ceil(block) as u64,
                    _ => 0,
                };
                let needed = len.div_ceil(block) as u64;
                match fs.write_file(&path, &data) {
                    Ok(_) => {
                        assert!(!matches!(old, Some(None)));
                        assert!(needed <= free + old_blocks);
                        assert!(old.is_some() || n_files < format.max_files as usize);
                        model.insert(path, Some(data));
                    }
                    Err(SaveFsError::AlreadyExists { .. }) => {
                        assert_eq!(old, Some(None));
                        refused_exists += 1;
                    }
                    Err(SaveFsError::Fat(FatError::NoSpace { .. })) => {
                        assert!(needed > free + old_blocks, "room was left");
                        refused_space += 1;
                    }
                    Err(SaveFsError::Entries(EntryError::Full { table, .. })) => {
                        assert_eq!(table, "file");
                        assert!(old.is_none());
                        assert_eq!(n_files, format.max_files as usize, "not full");
                        assert!(fs.file_table_full().unwrap());
                        refused_full += 1;
                    }
                    Err(SaveFsError::BadName { name, .. }) => assert!(name == "." || name == ".."),
                    Err(e) => panic!("write_file {path}: {e}"),
                }
            }
            7..=8 => {
                if let Some(path) = files.choose(&mut rng) {
                    fs.remove(path).unwrap();
                    model.remove(path);
                }
            }
            _ => {
                if let Some(path) = dirs[1..].choose(&mut rng) {
                    let empty = !model.keys().any(|k| parent_of(k) == path);
                    match fs.remove(path) {
                        Ok(()) => {
                            assert!(empty);
                            model.remove(path);
                        }
                        Err(SaveFsError::NotEmpty { .. }) => assert!(!empty),
                        Err(e) => panic!("remove {path}: {e}"),
                    }
                }
            }
        }
        if op % 7 == 6 {
            fs.commit().unwrap();
            let bytes = fs.into_disa().into_storage();
            // With one partition everything is copy-on-write: putting the
            // previous header back must give the previous commit exactly.
            if format.duplicate_data
                && let Some((header, old_model)) = &previous
            {
                let mut rolled_back = bytes.clone();
                rolled_back[0x100..0x200].copy_from_slice(header);
                let mut old = SaveFs::open(disa::open(rolled_back).unwrap()).unwrap();
                check_agrees(&mut old, old_model);
            }
            check_independently(&bytes, &model);
            previous = Some((bytes[0x100..0x200].to_vec(), model.clone()));
            fs = SaveFs::open(disa::open(bytes).unwrap()).unwrap();
            check_agrees(&mut fs, &model);
        }
    }
    fs.commit().unwrap();
    fs = reopen(fs);
    check_agrees(&mut fs, &model);
    // Each refusal was met at least once.
    assert!(refused_exists > 0, "{seed_name}: no name collided");
    assert!(refused_full > 0, "{seed_name}: no table filled up");
    assert!(refused_space > 0, "{seed_name}: the save never filled up");
    assert!(
        model.len() > 3,
        "the run should have built something: {model:?}"
    );
    eprintln!(
        "{seed_name}: {} entries, {} bytes of files, {} free blocks",
        model.len(),
        model.values().flatten().map(Vec::len).sum::<usize>(),
        fs.free_blocks().unwrap()
    );
}

#[test]
fn one_partition_512_byte_blocks() {
    run_model(
        "savefs_model_1p_512",
        SaveFormat::new(512, 6, 12, true),
        96 * 1024,
        400,
    );
}

#[test]
fn one_partition_4096_byte_blocks() {
    run_model(
        "savefs_model_1p_4096",
        SaveFormat::new(4096, 6, 12, true),
        320 * 1024,
        400,
    );
}

#[test]
fn two_partitions_512_byte_blocks() {
    run_model(
        "savefs_model_2p_512",
        SaveFormat::new(512, 6, 12, false),
        96 * 1024,
        400,
    );
}

#[test]
fn two_partitions_4096_byte_blocks() {
    run_model(
        "savefs_model_2p_4096",
        SaveFormat::new(4096, 6, 12, false),
        320 * 1024,
        400,
    );
}
