//! Entry points shared by the cargo-fuzz targets and the seeded
//! never-panics tests: take untrusted bytes as far as they go.
//!
//! Each returns how many payload bytes it managed to read, so callers can
//! tell that a sound input really went all the way through.

use super::savefs::{Node, SaveFs};
use super::{diff, disa};

/// Opens `bytes` as a DISA container, verifies it, opens its filesystem,
/// walks it and reads every file.
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
        if let Node::File(file) = entry.node
            && let Ok(data) = fs.read_file(file, &entry.path)
        {
            read += data.len() as u64;
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
