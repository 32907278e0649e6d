//! DIFF: the one-partition container of extdata files and title databases.
//!
//! Offset 0: AES-CMAC (0x10 bytes); 0x100: the DIFF header, little-endian:
//! magic `DIFF`, version 0x30000 (u32), then secondary table offset (0x08),
//! primary table offset (0x10), table size (0x18), partition offset (0x20)
//! and size (0x28) as u64, the active table (u8 at 0x30: 0 primary, 1
//! secondary), the SHA-256 of the active table (0x34) and a unique id (u64 at
//! 0x54). The table is the single partition's descriptor. For an extdata file
//! the payload (IVFC level 4, outside DPFS) is the file's contents.

use super::container::{Container, ContainerError, Layout, Placement, field_error};
use super::difi::PartitionParams;
use super::disa::{HEADER_AT, HEADER_LEN, plan, read_header, write_tables};
use crate::storage::{ReadAt, WriteAt, le_u32, le_u64, put_u32, put_u64};

/// An open DIFF container.
pub type Diff<S> = Container<S>;

/// The partition parameters the console uses for an extdata file of `len`
/// bytes.
pub fn extdata_params(len: u64) -> PartitionParams {
    PartitionParams::standard(len, 4096, true)
}

/// Opens a plaintext DIFF image.
pub fn open<S: ReadAt>(storage: S) -> Result<Diff<S>, ContainerError> {
    let h = read_header(&storage)?;
    let magic: [u8; 4] = h[0..4].try_into().expect("4 bytes");
    let version = le_u32(&h, 4);
    if &magic != b"DIFF" || version != 0x30000 {
        return Err(ContainerError::BadMagic {
            magic: "DIFF header",
            expected: "DIFF",
            expected_version: 0x30000,
            found: magic,
            version,
        });
    }
    let active = h[0x30];
    if active > 1 {
        return Err(field_error(
            "active table",
            HEADER_AT + 0x30,
            active.into(),
            "must be 0 or 1",
        ));
    }
    let table_len = le_u64(&h, 0x18);
    let layout = Layout {
        secondary_table: le_u64(&h, 0x08),
        primary_table: le_u64(&h, 0x10),
        table_len,
        active_table: active,
        active_table_at: HEADER_AT + 0x30,
        table_hash_at: HEADER_AT + 0x34,
        table_hash: h[0x34..0x54].try_into().expect("32 bytes"),
        partitions: vec![Placement {
            descriptor_offset: 0,
            descriptor_len: table_len,
            offset: le_u64(&h, 0x20),
            len: le_u64(&h, 0x28),
        }],
    };
    Container::open(storage, layout, HEADER_AT)
}

/// The unique id in a DIFF header.
pub fn unique_id<S: ReadAt + ?Sized>(storage: &S) -> Result<u64, ContainerError> {
    Ok(le_u64(&read_header(storage)?, 0x54))
}

/// Size of a DIFF image with this partition.
pub fn image_len(params: &PartitionParams) -> u64 {
    plan(
        std::slice::from_ref(params),
        HEADER_AT + 0x30,
        HEADER_AT + 0x34,
    )
    .end
}

/// Formats a new DIFF image into `storage` (zero-filled, at least
/// `image_len` bytes) and opens it.
pub fn format<S: WriteAt>(
    mut storage: S,
    params: &PartitionParams,
    unique_id: u64,
) -> Result<Diff<S>, ContainerError> {
    let planned = plan(
        std::slice::from_ref(params),
        HEADER_AT + 0x30,
        HEADER_AT + 0x34,
    );
    if storage.size() < planned.end {
        return Err(ContainerError::TooShort {
            size: storage.size(),
        });
    }
    let hash = write_tables(&mut storage, &planned)?;
    let l = &planned.layout;
    let mut h = [0u8; HEADER_LEN];
    h[0..4].copy_from_slice(b"DIFF");
    put_u32(&mut h, 4, 0x30000);
    put_u64(&mut h, 0x08, l.secondary_table);
    put_u64(&mut h, 0x10, l.primary_table);
    put_u64(&mut h, 0x18, l.table_len);
    put_u64(&mut h, 0x20, l.partitions[0].offset);
    put_u64(&mut h, 0x28, l.partitions[0].len);
    h[0x30] = l.active_table;
    h[0x34..0x54].copy_from_slice(&hash);
    put_u64(&mut h, 0x54, unique_id);
    storage.write_at(0, &[0u8; 0x10])?;
    storage.write_at(HEADER_AT, &h)?;
    open(storage)
}

/// Builds a DIFF holding `contents` as an extdata file does.
pub fn build(contents: &[u8], unique_id: u64) -> Result<Vec<u8>, ContainerError> {
    let params = extdata_params(contents.len() as u64);
    let image = vec![0u8; image_len(&params) as usize];
    let mut diff = format(image, &params, unique_id)?;
    diff.write(0, 0, contents)
        .map_err(|error| ContainerError::Partition { index: 0, error })?;
    diff.commit()?;
    Ok(diff.into_storage())
}

#[cfg(test)]
mod tests {
    use super::*;
    use keepsake_testkit::rand::Rng;

    #[test]
    fn extdata_file_sizes_match_files_the_console_created() {
        // (payload, DIFF file size) pairs observed on real consoles.
        for (payload, file) in [
            (1, 16385),
            (100, 16484),
            (100_000, 116_384),
            (4_194_304, 4_276_224),
            (18_470_710, 18_782_006),
            (5_385_881, 5_492_377),
            (525_052_232, 533_342_536),
        ] {
            assert_eq!(
                image_len(&extdata_params(payload)),
                file,
                "payload {payload}"
            );
        }
    }

    #[test]
    fn a_built_diff_opens_verifies_and_reads_back() {
        let mut rng = keepsake_testkit::rng::for_test("diff_round_trip");
        let mut contents = vec![0u8; 50_000];
        rng.fill(&mut contents[..]);
        let image = build(&contents, 0x1234_5678_9abc).unwrap();
        assert_eq!(unique_id(&image).unwrap(), 0x1234_5678_9abc);
        let mut diff = open(image.as_slice()).unwrap();
        let report = &diff.verify(&|_| {}).unwrap()[0];
        assert!(report.is_sound());
        assert_eq!(report.levels[3].verified, 13); // 50,000 bytes in 4 KiB blocks
        let mut back = vec![0u8; contents.len()];
        diff.read(0, 0, &mut back).unwrap();
        assert_eq!(back, contents);
    }

    #[test]
    fn a_flipped_payload_bit_is_reported_and_never_returned() {
        let contents = vec![0x5Au8; 10_000];
        let mut image = build(&contents, 1).unwrap();
        let diff = open(image.as_slice()).unwrap();
        let (base, _) = diff.partitions()[0].placement();
        let at = base
            + diff.partitions()[0]
                .descriptor()
                .difi
                .external_level4
                .unwrap()
            + 5000;
        image[at as usize] ^= 0x10;
        let mut diff = open(image.as_slice()).unwrap();
        let report = &diff.verify(&|_| {}).unwrap()[0];
        assert_eq!(report.levels[3].failed, vec![1]);
        let mut back = vec![0u8; 100];
        assert!(matches!(
            diff.read(0, 4990, &mut back),
            Err(crate::ctr::partition::PartitionError::HashMismatch {
                level: 4,
                block: 1,
                offset: 4096
            })
        ));
        // Blocks that are sound still read.
        diff.read(0, 0, &mut back).unwrap();
        assert_eq!(back, vec![0x5A; 100]);
    }

    #[test]
    fn refuses_a_save_and_a_bad_magic() {
        let image = build(b"abc", 1).unwrap();
        assert!(crate::ctr::disa::open(image.as_slice()).is_err());
        let mut bad = image.clone();
        bad[0x100] = b'X';
        assert!(matches!(
            open(bad.as_slice()),
            Err(ContainerError::BadMagic { .. })
        ));
    }
}
