//! Entry points shared by the cargo-fuzz targets and the seeded
//! never-panics tests: take untrusted bytes as far as they go.
//!
//! Each returns how many payload bytes it managed to read, so callers can
//! tell that a sound input really went all the way through.

use super::savefs::format::SaveFormat;
use super::savefs::header::TableHome;
use super::savefs::{Node, ReadFileError, SaveFs};
use super::{diff, disa};

/// Opens `bytes` as a DISA container, verifies it, opens its filesystem,
/// walks it and reads every file, twice: into a buffer, and handed on in
/// pieces where the bytes lie (`read_file_with`, what extraction uses);
/// both must give the same bytes or the same error.
pub fn disa_walk(bytes: &[u8]) -> u64 {
    let Ok(container) = disa::open(bytes) else {
        return 0;
    };
    let _ = container.verify(&|_| {});
    let Ok(mut fs) = SaveFs::open(container) else {
        return 0;
    };
    let Ok(listing) = fs.walk() else {
        return 0;
    };
    let mut read = 0;
    for entry in listing {
        let Node::File(file) = entry.node else {
            continue;
        };
        let whole = fs.read_file(file, &entry.path);
        let mut pieces = Vec::new();
        let handed = fs.read_file_with(file, &entry.path, |piece| {
            pieces.extend_from_slice(piece);
            Ok::<(), ()>(())
        });
        match (whole, handed) {
            (Ok(data), Ok(())) => {
                assert!(data == pieces, "{}: the two reads differ", entry.path);
                read += data.len() as u64;
            }
            (Err(a), Err(ReadFileError::Fs(b))) => {
                assert_eq!(a.to_string(), b.to_string(), "{}", entry.path);
            }
            (a, b) => panic!("{}: one read failed: {a:?} / {b:?}", entry.path),
        }
    }
    read
}

/// Opens `bytes` as a DIFF container, verifies it and reads its payload.
pub fn diff_read(bytes: &[u8]) -> u64 {
    let Ok(mut container) = diff::open(bytes) else {
        return 0;
    };
    let _ = container.verify(&|_| {});
    let len = container.partitions()[0].len();
    let mut buf = vec![0u8; len as usize];
    match container.read(0, 0, &mut buf) {
        Ok(()) => len,
        Err(_) => 0,
    }
}

/// A small save holding `dir/a.bin` (3000 bytes) and `b.bin` (2000 bytes),
/// in the one-partition (`duplicate`) or the two-partition layout: where
/// [`rehashed_metadata`] runs start from.
pub fn sample_save(duplicate: bool) -> Vec<u8> {
    let mut fs = SaveFormat::new(512, 4, 8, duplicate)
        .format(64 * 1024)
        .expect("a 64 KiB save formats");
    fs.create_dir("dir").expect("room for a directory");
    fs.write_file("dir/a.bin", &[0xA5; 3000])
        .expect("room for a file");
    let counting: Vec<u8> = (0..=255u8).cycle().take(2000).collect();
    fs.write_file("b.bin", &counting).expect("room for a file");
    fs.commit().expect("a fresh save commits");
    fs.into_disa().into_storage()
}

/// Bytes of one edit: a little-endian u16 position, then four bytes.
pub const EDIT_LEN: usize = 6;

/// Writes hostile values into the filesystem metadata of `save` (one of
/// [`sample_save`]'s) through the container, so every hash is renewed and
/// only the filesystem layer sees the damage, then walks and reads it as
/// [`disa_walk`] does and makes changes on top. Each [`EDIT_LEN`] bytes of
/// `edits` put four bytes at a position within the metadata (the SAVE header
/// up to the end of the entry tables); at most eight edits are used.
pub fn rehashed_metadata(save: &[u8], edits: &[u8]) -> u64 {
    let Ok(fs) = disa::open(save)
        .map_err(|_| ())
        .and_then(|c| SaveFs::open(c).map_err(|_| ()))
    else {
        return 0;
    };
    let info = *fs.info();
    drop(fs);
    let meta_end = match info.file_table {
        TableHome::Offset(at) => at + (u64::from(info.max_files) + 1) * 0x30,
        // One partition: the entry tables open the data region.
        TableHome::Chain { count, .. } => {
            info.data_offset + (u64::from(count) + 2) * u64::from(info.block_len)
        }
    };
    let Ok(mut container) = disa::open(save.to_vec()) else {
        return 0;
    };
    for edit in edits.chunks_exact(EDIT_LEN).take(8) {
        let at = u64::from(u16::from_le_bytes([edit[0], edit[1]])) % meta_end;
        let len = (meta_end - at).min(4) as usize;
        if container.write(0, at, &edit[2..2 + len]).is_err() {
            return 0;
        }
    }
    if container.commit().is_err() {
        return 0;
    }
    let hostile = container.into_storage();
    let read = disa_walk(&hostile);
    // Changes on top of hostile metadata: errors, never a panic.
    if let Ok(mut fs) = disa::open(hostile)
        .map_err(|_| ())
        .and_then(|c| SaveFs::open(c).map_err(|_| ()))
    {
        let _ = fs.write_file("dir/new.bin", &[0x5A; 1500]);
        let _ = fs.remove("b.bin");
        let _ = fs.create_dir("dir/sub");
        let _ = fs.write_file("b.bin", &[1; 700]);
        let _ = fs.commit();
    }
    read
}
