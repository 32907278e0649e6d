//! The 3DS side of the format core.

pub mod container;
pub mod diff;
pub mod difi;
pub mod disa;
pub mod dpfs;
pub mod fuzzing;
pub mod ivfc;
pub mod partition;
pub mod savefs;
