//! The AES-CTR counter of a file on the SD card.
//!
//! Every file under `Nintendo 3DS/<ID0>/<ID1>/` is encrypted with AES-128-CTR
//! under the SD key, its counter starting at a value derived from its path
//! relative to the ID1 folder, written with a leading slash (e.g.
//! `/title/00040000/000abc00/data/00000001.sav`): the path in UTF-16LE with
//! a terminating NUL is hashed with SHA-256, and the counter is the first 16
//! bytes of the hash XOR the last 16 (3dbrew "SD Filesystem"; save3ds
//! libsave3ds/src/sd.rs does the same).

use sha2::{Digest, Sha256};

/// The initial counter of the SD file at `components` below the ID1 folder
/// (e.g. `["title", "00040000", "000abc00", "data", "00000001.sav"]`).
pub fn counter<S: AsRef<str>>(components: &[S]) -> [u8; 16] {
    let mut hasher = Sha256::new();
    for part in components {
        for unit in "/".encode_utf16().chain(part.as_ref().encode_utf16()) {
            hasher.update(unit.to_le_bytes());
        }
    }
    hasher.update([0u8, 0]);
    let hash = hasher.finalize();
    std::array::from_fn(|i| hash[i] ^ hash[i + 16])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    // Expected counters computed separately with Python (hashlib over
    // (path + "\0").encode("utf-16-le")).
    #[test]
    fn counters_match_an_independent_computation() {
        assert_eq!(
            counter(&["title", "00040000", "000abc00", "data", "00000001.sav"]).to_vec(),
            hex("08820e5f9db8e5cbf84e14d0488c6bd0")
        );
        assert_eq!(
            counter(&["extdata", "00000000", "00000abc", "00000000", "00000001"]).to_vec(),
            hex("2af3da9fbc8e593fff95135a732e385e")
        );
    }
}
