//! Opening untrusted bytes as a save, walking its filesystem and reading
//! every file never panics, hangs or allocates without bound.

use keepsake_format::ctr::fuzzing;

/// Runs the target on one input.
pub fn run(data: &[u8]) {
    let _ = fuzzing::disa_walk(data);
}
