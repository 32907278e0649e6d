//! Opening untrusted bytes as a DISA or DIFF container and verifying it
//! never panics, hangs or allocates without bound.

use keepsake_format::ctr::{disa, fuzzing};

/// Runs the target on one input.
pub fn run(data: &[u8]) {
    if let Ok(container) = disa::open(data) {
        let _ = container.verify(&|_| {});
    }
    let _ = fuzzing::diff_read(data);
}
