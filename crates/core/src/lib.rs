//! keepsake-core: everything the console app does except drawing and system
//! calls, written against platform traits so that a simulated console can run
//! every path on a PC.
#![forbid(unsafe_code)]

pub mod app;
pub mod failure;
pub mod gpu_texture;
pub mod jobs;
pub mod nds_card;
pub mod platform;
// The simulated console counts with 64-bit atomics, which the 3DS's ARMv6K
// lacks; the console app never uses the simulation.
#[cfg(target_has_atomic = "64")]
pub mod sim;
pub mod store;
pub mod text_fit;
pub mod ui;
