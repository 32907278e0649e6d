//! Test support shared by every crate of the workspace: one place that knows
//! where the real sample files live, and seeded random generators so that a
//! failing generated test reproduces.

pub mod fixtures;
pub mod rng;

pub use rand;
