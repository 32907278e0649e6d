//! Hostile SAVE filesystem metadata behind valid hashes: the input's first
//! byte picks the layout, the rest are edits written through the container
//! (hashes renewed), so the filesystem's own parsers and its write paths see
//! them. Never a panic, a hang or an unbounded allocation. The host test
//! `random_metadata_behind_valid_hashes_never_panics_or_hangs` in
//! `crates/format/tests/corruption.rs` drives the same entry point.

use std::sync::OnceLock;

use keepsake_format::ctr::fuzzing;

static SAVES: OnceLock<[Vec<u8>; 2]> = OnceLock::new();

/// Runs the target on one input.
pub fn run(data: &[u8]) {
    let saves = SAVES.get_or_init(|| [fuzzing::sample_save(true), fuzzing::sample_save(false)]);
    let Some((&layout, edits)) = data.split_first() else {
        return;
    };
    let _ = fuzzing::rehashed_metadata(&saves[usize::from(layout & 1)], edits);
}
