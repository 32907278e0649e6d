//! What every end-to-end test of the `keepsake` binary shares.

use std::process::{Command, Output};

/// Runs the built `keepsake` with `args`, capturing its output.
pub fn keepsake(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_keepsake"))
        .args(args)
        .output()
        .expect("running keepsake")
}
