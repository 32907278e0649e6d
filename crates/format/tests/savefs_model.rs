//! Model-based tests of the SAVE filesystem: random operations applied to a
//! formatted image and to an in-memory tree must agree, also after the image
//! is committed and reopened from its bytes, in both layouts (one and two
//! partitions) and both block sizes.

use std::collections::BTreeMap;

use keepsake_format::ctr::disa;
use keepsake_format::ctr::savefs::format::SaveFormat;
use keepsake_format::ctr::savefs::{SaveFs, SaveFsError};
use keepsake_testkit::rand::Rng;
use keepsake_testkit::rand::seq::IndexedRandom;

/// Path -> `None` for a directory, `Some(contents)` for a file.
type Model = BTreeMap<String, Option<Vec<u8>>>;

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

fn parent_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(p, _)| p)
}

fn random_name(rng: &mut impl Rng) -> String {
    let len = rng.random_range(1..=16);
    (0..len)
        .map(|_| {
            *b"abcdefghijklmnopqrstuvwxyz0123456789._-"
                .choose(rng)
                .unwrap() as char
        })
        .collect()
}

fn run_model(seed_name: &str, format: SaveFormat, image_len: u64, ops: usize) {
    let mut rng = keepsake_testkit::rng::for_test(seed_name);
    let mut fs = format.format(image_len).unwrap();
    let mut model = Model::new();
    let mut previous: Option<(Vec<u8>, Model)> = None;
    check_agrees(&mut fs, &model);
    let block = format.block_len as usize;
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
        match rng.random_range(0..10) {
            0..=1 => {
                let path = join(dirs.choose(&mut rng).unwrap(), &random_name(&mut rng));
                match fs.create_dir(&path) {
                    Ok(_) => {
                        assert!(!model.contains_key(&path));
                        model.insert(path, None);
                    }
                    Err(SaveFsError::AlreadyExists { .. }) => assert!(model.contains_key(&path)),
                    Err(SaveFsError::Entries(_)) => {} // the directory table is full
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
                let len = match rng.random_range(0..4) {
                    0 => 0,
                    1 => rng.random_range(1..block),
                    2 => block * rng.random_range(1..4),
                    _ => rng.random_range(1..block * 6),
                };
                let mut data = vec![0u8; len];
                rng.fill(&mut data[..]);
                match fs.write_file(&path, &data) {
                    Ok(_) => {
                        assert!(!matches!(model.get(&path), Some(None)));
                        model.insert(path, Some(data));
                    }
                    Err(SaveFsError::AlreadyExists { .. }) => {
                        assert_eq!(model.get(&path), Some(&None))
                    }
                    Err(SaveFsError::Fat(_)) | Err(SaveFsError::Entries(_)) => {} // full
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
            previous = Some((bytes[0x100..0x200].to_vec(), model.clone()));
            fs = SaveFs::open(disa::open(bytes).unwrap()).unwrap();
            check_agrees(&mut fs, &model);
        }
    }
    fs.commit().unwrap();
    fs = reopen(fs);
    check_agrees(&mut fs, &model);
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
