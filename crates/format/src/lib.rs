//! keepsake-format: what the bytes of NDS and 3DS saves mean.
//!
//! Pure functions over byte slices and small storage traits: no files, no
//! devices, no `unsafe`. Every parser of untrusted bytes returns a typed error
//! that says what was expected and where, and never panics.
#![forbid(unsafe_code)]

pub mod crc16;
pub mod ctr;
pub mod gba_vc;
pub mod icon;
pub mod nds;
pub mod nds_header;
pub mod smdh;
pub mod storage;
pub mod text;
