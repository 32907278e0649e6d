//! The fuzz targets' bodies, one module per target, each with
//! `pub fn run(data: &[u8])`.
//!
//! They live in this library, not in the cargo-fuzz entry points
//! (`fuzz_targets/*.rs`, one line each), so that they build without
//! libfuzzer-sys and nightly: the host workspace's test
//! `tests/fuzz_targets.rs` includes this file, type-checks every body on
//! stable and runs it on the seed corpus (the shared fixtures), so a change
//! of API breaks CI instead of a fuzz run months later.

pub mod bdri_titles;
pub mod ctr_detect;
pub mod ctr_wear_decode;
pub mod diff_import;
pub mod disa_open;
pub mod found_saves;
pub mod gba_vc;
pub mod icon;
pub mod keepsake_config;
pub mod nds;
pub mod nds_chip_detect;
pub mod nds_header;
pub mod probe_config;
pub mod restore_journal;
pub mod savefs_rehashed;
pub mod savefs_walk;
pub mod sd_keys;
pub mod smdh;
pub mod title_cache;
pub mod title_prefs;
pub mod vsxe_open;

/// A target's body.
pub type Body = fn(&[u8]);

/// Every target by its cargo-fuzz name.
pub const TARGETS: [(&str, Body); 21] = [
    ("ctr_detect", ctr_detect::run),
    ("ctr_wear_decode", ctr_wear_decode::run),
    ("diff_import", diff_import::run),
    ("disa_open", disa_open::run),
    ("found_saves", found_saves::run),
    ("icon", icon::run),
    ("keepsake_config", keepsake_config::run),
    ("nds", nds::run),
    ("nds_chip_detect", nds_chip_detect::run),
    ("nds_header", nds_header::run),
    ("probe_config", probe_config::run),
    ("restore_journal", restore_journal::run),
    ("savefs_rehashed", savefs_rehashed::run),
    ("savefs_walk", savefs_walk::run),
    ("smdh", smdh::run),
    ("title_cache", title_cache::run),
    ("title_prefs", title_prefs::run),
    ("sd_keys", sd_keys::run),
    ("vsxe_open", vsxe_open::run),
    ("bdri_titles", bdri_titles::run),
    ("gba_vc", gba_vc::run),
];
