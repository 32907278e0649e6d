//! keepsake-core: everything the console app does except drawing and system
//! calls, written against platform traits so that a simulated console can run
//! every path on a PC.
#![forbid(unsafe_code)]

pub mod capabilities;
pub mod nds_card;
pub mod platform;
pub mod sim;
pub mod store;
pub mod ui;
