//! Corrupt images give typed errors: a flipped bit in each hash level, bad
//! magics, offsets past the end, FAT cycles and entry-table loops. And
//! thousands of random mutations never panic or hang.

use keepsake_format::ctr::container::{Container, ContainerError};
use keepsake_format::ctr::difi::DifiError;
use keepsake_format::ctr::partition::PartitionError;
use keepsake_format::ctr::savefs::header::TableHome;
use keepsake_format::ctr::savefs::{SaveFs, SaveFsError};
use keepsake_format::ctr::{disa, fuzzing};
use keepsake_format::storage::ReadAt;
use keepsake_testkit::rand::Rng;

/// The system allocator, noting the largest single request, so a test can
/// tell that a size read from an image was checked before it was allocated.
struct NotingAllocator;

static LARGEST_REQUEST: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

unsafe impl std::alloc::GlobalAlloc for NotingAllocator {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        LARGEST_REQUEST.fetch_max(layout.size(), std::sync::atomic::Ordering::Relaxed);
        // SAFETY: the caller's contract for `alloc` is passed on unchanged.
        unsafe { std::alloc::System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: std::alloc::Layout) -> *mut u8 {
        LARGEST_REQUEST.fetch_max(layout.size(), std::sync::atomic::Ordering::Relaxed);
        // SAFETY: as above.
        unsafe { std::alloc::System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
        // SAFETY: `ptr` came from `System` through this allocator.
        unsafe { std::alloc::System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: NotingAllocator = NotingAllocator;

fn open_fs(image: Vec<u8>) -> Result<SaveFs<Vec<u8>>, SaveFsError> {
    SaveFs::open(disa::open(image)?)
}

/// Container offsets of IVFC level `level` (1-4) of `partition`, in every
/// place it is stored (both DPFS copies, or the external payload).
fn level_places(image: &[u8], partition: usize, level: usize) -> Vec<u64> {
    let c = disa::open(image).unwrap();
    let p = &c.partitions()[partition];
    let d = p.descriptor();
    let (base, _) = p.placement();
    let l = d.ivfc.levels[level - 1];
    match (level, d.difi.external_level4) {
        (4, Some(at)) => vec![base + at],
        _ => {
            let d3 = d.dpfs.levels[2];
            vec![
                base + d3.copy_offset(0) + l.offset,
                base + d3.copy_offset(1) + l.offset,
            ]
        }
    }
}

#[test]
fn a_flipped_bit_in_each_level_is_found_by_verify_and_blocks_reads() {
    for duplicate in [true, false] {
        let image = fuzzing::sample_save(duplicate);
        let partitions = if duplicate { 1 } else { 2 };
        for partition in 0..partitions {
            for level in 1..=4 {
                let mut bad = image.clone();
                for at in level_places(&image, partition, level) {
                    bad[at as usize + 3] ^= 0x04;
                }
                let c = disa::open(bad.clone()).unwrap();
                let reports = c.verify(&|_| {}).unwrap();
                let r = &reports[partition].levels;
                assert_eq!(
                    r[level - 1].failed,
                    vec![0],
                    "partition {partition} level {level}: {r:?}"
                );
                // Everything under a failed hash block is unverifiable.
                for (below, report) in r.iter().enumerate().skip(level) {
                    assert!(report.unverifiable > 0, "level {} under {level}", below + 1);
                }
                // Whatever reads that data fails with a typed error.
                let outcome = open_fs(bad).and_then(|mut fs| {
                    fs.read_path("dir/a.bin")?;
                    fs.read_path("b.bin")
                });
                match outcome {
                    Err(SaveFsError::Metadata { error, .. })
                    | Err(SaveFsError::FileData { error, .. }) => {
                        assert!(matches!(
                            error,
                            PartitionError::HashMismatch { .. }
                                | PartitionError::Unverifiable { .. }
                        ))
                    }
                    other => panic!("partition {partition} level {level}: {other:?}"),
                }
            }
        }
    }
}

#[test]
fn a_corrupt_file_block_names_the_file_and_offset() {
    let image = fuzzing::sample_save(false);
    let mut fs = open_fs(image.clone()).unwrap();
    // b.bin is the second file written: find where its second block lies.
    let c = disa::open(image.as_slice()).unwrap();
    let data_at = level_places(&image, 1, 4)[0];
    let mut payload = vec![0u8; c.partitions()[1].len() as usize];
    image.as_slice().read_at(data_at, &mut payload).unwrap();
    let contents = fs.read_path("b.bin").unwrap();
    let block_of_b = payload
        .chunks(512)
        .position(|b| b == &contents[..512])
        .unwrap();
    let mut bad = image.clone();
    bad[(data_at + (block_of_b as u64 + 1) * 512 + 7) as usize] ^= 1;
    let mut fs = open_fs(bad).unwrap();
    match fs.read_path("b.bin") {
        Err(SaveFsError::FileData {
            path,
            offset,
            error,
        }) => {
            assert_eq!(path, "b.bin");
            assert_eq!(offset, 512);
            assert!(matches!(
                error,
                PartitionError::HashMismatch { level: 4, .. }
            ));
            let message = SaveFsError::FileData {
                path,
                offset,
                error,
            }
            .to_string();
            assert!(
                message.contains("b.bin") && message.contains("0x200"),
                "{message}"
            );
        }
        other => panic!("{other:?}"),
    }
    // The other file is unaffected.
    assert_eq!(fs.read_path("dir/a.bin").unwrap(), vec![0xA5; 3000]);
}

#[test]
fn nothing_is_written_under_a_corrupt_hash_block_or_into_a_corrupt_block() {
    let image = fuzzing::sample_save(true);
    // Level 3 of the only partition corrupt: no payload write is accepted.
    let mut bad = image.clone();
    for at in level_places(&image, 0, 3) {
        bad[at as usize + 40] ^= 1;
    }
    let mut c = disa::open(bad).unwrap();
    assert!(matches!(
        c.write(0, 0, &[0; 16]),
        Err(PartitionError::Unverifiable {
            level: 4,
            block: 0,
            ..
        })
    ));
    // A corrupt payload block cannot be patched partly (its other bytes
    // would be rehashed as if good), only overwritten whole.
    let mut bad = image.clone();
    for at in level_places(&image, 0, 4) {
        bad[at as usize + 5] ^= 1;
    }
    let mut c = disa::open(bad).unwrap();
    let block = c.partitions()[0].block_len() as usize;
    assert!(matches!(
        c.write(0, 8, &[0; 16]),
        Err(PartitionError::HashMismatch {
            level: 4,
            block: 0,
            ..
        })
    ));
    let mut fresh = vec![0u8; block];
    c.read(0, block as u64, &mut fresh).unwrap();
    c.write(0, 0, &vec![0x11; block]).unwrap();
    c.commit().unwrap();
    let mut c = disa::open(c.into_storage()).unwrap();
    let mut back = vec![0u8; block];
    c.read(0, 0, &mut back).unwrap();
    assert_eq!(back, vec![0x11; block]);
}

#[test]
fn bad_magics_and_offsets_past_the_end_are_typed_errors() {
    let image = fuzzing::sample_save(false);
    let mut bad = image.clone();
    bad[0x100] = b'D' ^ 1;
    assert!(matches!(
        disa::open(bad),
        Err(ContainerError::BadMagic { .. })
    ));
    // A partition that reaches past the end of the image.
    let mut bad = image.clone();
    bad[0x100 + 0x58..0x100 + 0x60].copy_from_slice(&(image.len() as u64).to_le_bytes());
    assert!(matches!(
        disa::open(bad),
        Err(ContainerError::BadField {
            field: "partition",
            ..
        })
    ));
    // A table edited without updating the header's hash.
    let mut bad = image.clone();
    let secondary = u64::from_le_bytes(image[0x110..0x118].try_into().unwrap());
    bad[secondary as usize] ^= 1;
    assert!(matches!(
        disa::open(bad),
        Err(ContainerError::TableHash { copy: 1, .. })
    ));
    // Bad DIFI, IVFC and DPFS magics behind a table hash that matches.
    for (at, check) in [(0usize, "DIFI"), (0x44, "IVFC"), (0xBC, "DPFS")] {
        let mut bad = image.clone();
        bad[secondary as usize + at] ^= 1;
        let table_len = u64::from_le_bytes(image[0x120..0x128].try_into().unwrap()) as usize;
        let table = &bad[secondary as usize..secondary as usize + table_len];
        let hash: [u8; 32] = sha2::Digest::finalize(sha2::Digest::chain_update(
            <sha2::Sha256 as sha2::Digest>::new(),
            table,
        ))
        .into();
        bad[0x16C..0x18C].copy_from_slice(&hash);
        match disa::open(bad) {
            Err(ContainerError::Descriptor { index: 0, error }) => match (check, error) {
                ("DIFI", DifiError::BadMagic { .. })
                | ("IVFC", DifiError::Ivfc(_))
                | ("DPFS", DifiError::Dpfs(_)) => {}
                (_, other) => panic!("{check}: {other:?}"),
            },
            other => panic!("{check}: {other:?}"),
        }
    }
    assert!(matches!(
        disa::open(vec![0u8; 0x100]),
        Err(ContainerError::TooShort { .. })
    ));
}

/// Writes `bytes` at `offset` of partition `part`'s payload the legitimate
/// way (hashes updated), so only the filesystem layer sees the damage.
fn patch(image: Vec<u8>, part: usize, offset: u64, bytes: &[u8]) -> Vec<u8> {
    let mut c: Container<Vec<u8>> = disa::open(image).unwrap();
    c.write(part, offset, bytes).unwrap();
    c.commit().unwrap();
    c.into_storage()
}

#[test]
fn a_bad_save_magic_a_fat_cycle_and_an_entry_loop_are_typed_errors() {
    let image = fuzzing::sample_save(false);
    let bad = patch(image.clone(), 0, 0, b"SAVF");
    assert!(matches!(open_fs(bad), Err(SaveFsError::BadMagic { .. })));

    // FAT: make b.bin's first node point to itself.
    let fs = open_fs(image.clone()).unwrap();
    let info = *fs.info();
    drop(fs);
    let mut c: Container<Vec<u8>> = disa::open(image.clone()).unwrap();
    let mut fat = vec![0u8; (info.data_blocks as usize + 1) * 8];
    c.read(0, info.fat_offset, &mut fat).unwrap();
    let mut fs = open_fs(image.clone()).unwrap();
    let b = match fs.lookup("b.bin").unwrap() {
        keepsake_format::ctr::savefs::Node::File(f) => f,
        _ => unreachable!(),
    };
    drop(fs);
    let TableHome::Offset(file_table) = info.file_table else {
        unreachable!()
    };
    let mut first_block = [0u8; 4];
    c.read(0, file_table + u64::from(b) * 0x30 + 0x1C, &mut first_block)
        .unwrap();
    let first = u32::from_le_bytes(first_block);
    let entry = (first as usize + 1) * 8;
    let v = u32::from_le_bytes(fat[entry + 4..entry + 8].try_into().unwrap());
    let looped = (v & 0x8000_0000) | (first + 1);
    let bad = patch(
        image.clone(),
        0,
        info.fat_offset + entry as u64 + 4,
        &looped.to_le_bytes(),
    );
    let mut fs = open_fs(bad).unwrap();
    assert!(matches!(
        fs.read_path("b.bin"),
        Err(SaveFsError::FileChain { path, .. }) if path == "b.bin"
    ));

    // Directory table: "dir" (entry 2) becomes its own next sibling.
    let TableHome::Offset(dir_table) = info.dir_table else {
        unreachable!()
    };
    let bad = patch(image, 0, dir_table + 2 * 0x28 + 0x14, &2u32.to_le_bytes());
    let mut fs = open_fs(bad).unwrap();
    assert!(matches!(fs.walk(), Err(SaveFsError::Entries(_))));
}

#[test]
fn huge_table_sizes_in_the_fs_information_are_refused_before_allocating() {
    // Bucket counts of 2^32 - 1 would ask for 16 GiB of hash table: they
    // must be refused for lying outside the partition, not allocated first.
    let image = fuzzing::sample_save(false);
    let info_at = 0x20u64; // where the SAVE header puts the fs information
    for (field_at, what) in [(0x10u64, "directory hash table"), (0x20, "file hash table")] {
        let bad = patch(
            image.clone(),
            0,
            info_at + field_at,
            &u32::MAX.to_le_bytes(),
        );
        match open_fs(bad) {
            Err(SaveFsError::Outside {
                what: found, len, ..
            }) => {
                assert_eq!(found, what);
                assert_eq!(len, u64::from(u32::MAX) * 4);
            }
            other => panic!("{what}: {other:?}"),
        }
    }
    // Nothing in this test binary needs more than a few MiB at once.
    let largest = LARGEST_REQUEST.load(std::sync::atomic::Ordering::Relaxed);
    assert!(largest < 1 << 30, "{largest} bytes were requested at once");
}

#[test]
fn random_metadata_behind_valid_hashes_never_panics_or_hangs() {
    // Raw mutations mostly stop at a hash check; these are written the
    // legitimate way, so the filesystem layer itself reads hostile values.
    // The same entry point as the `savefs_rehashed` fuzz target.
    let mut rng = keepsake_testkit::rng::for_test("savefs_hostile_metadata");
    let mut outcomes = [0usize; 2];
    for duplicate in [true, false] {
        let save = fuzzing::sample_save(duplicate);
        assert_eq!(fuzzing::rehashed_metadata(&save, &[]), 5000);
        for _ in 0..600 {
            let mut edits = Vec::new();
            for _ in 0..rng.random_range(1..4) {
                let at: u16 = rng.random();
                let value: [u8; 4] = match rng.random_range(0..4) {
                    0 => rng.random(),
                    1 => [0xFF; 4],
                    2 => (rng.random_range(0..64u32)).to_le_bytes(),
                    _ => (0x8000_0000u32 | rng.random_range(0..64u32)).to_le_bytes(),
                };
                edits.extend_from_slice(&at.to_le_bytes());
                edits.extend_from_slice(&value);
            }
            let read = fuzzing::rehashed_metadata(&save, &edits);
            outcomes[usize::from(read == 5000)] += 1;
        }
    }
    eprintln!("walks that read everything / not: {outcomes:?}");
    // Both kinds must occur, or the edits missed the metadata.
    assert!(outcomes[0] > 100 && outcomes[1] > 100, "{outcomes:?}");
    let largest = LARGEST_REQUEST.load(std::sync::atomic::Ordering::Relaxed);
    assert!(largest < 1 << 30, "{largest} bytes were requested at once");
}

#[test]
fn random_mutations_never_panic_or_hang() {
    let mut rng = keepsake_testkit::rng::for_test("disa_mutations");
    let images = [fuzzing::sample_save(true), fuzzing::sample_save(false)];
    let diff_image = keepsake_format::ctr::diff::build(&[7u8; 5000], 9).unwrap();
    assert_eq!(fuzzing::disa_walk(&images[0]), 5000);
    assert_eq!(fuzzing::disa_walk(&images[1]), 5000);
    assert_eq!(fuzzing::diff_read(&diff_image), 5000);
    for round in 0..3000 {
        let source: &[u8] = match round % 3 {
            0 => &images[0],
            1 => &images[1],
            _ => &diff_image,
        };
        let mut bytes = source.to_vec();
        // Mutations aimed at the header, table and metadata, where they
        // matter, plus some anywhere.
        for _ in 0..rng.random_range(1..8) {
            let at = if rng.random_bool(0.7) {
                rng.random_range(0x100..0x1000.min(bytes.len()))
            } else {
                rng.random_range(0..bytes.len())
            };
            match rng.random_range(0..3) {
                0 => bytes[at] ^= 1 << rng.random_range(0..8),
                1 => bytes[at] = rng.random(),
                _ => bytes[at] = [0, 0xFF, 1, 0x80][rng.random_range(0..4)],
            }
        }
        if rng.random_bool(0.1) {
            bytes.truncate(rng.random_range(0..bytes.len()));
        }
        let _ = fuzzing::disa_walk(&bytes);
        let _ = fuzzing::diff_read(&bytes);
    }
    // Pure noise too.
    for _ in 0..300 {
        let mut bytes = vec![0u8; rng.random_range(0..0x800)];
        rng.fill(&mut bytes[..]);
        assert_eq!(fuzzing::disa_walk(&bytes), 0);
        assert_eq!(fuzzing::diff_read(&bytes), 0);
    }
}
