//! Opening untrusted bytes as a DISA or DIFF container and verifying it
//! never panics, hangs or allocates without bound.
#![no_main]

use keepsake_format::ctr::{disa, fuzzing};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(container) = disa::open(data) {
        let _ = container.verify(&|_| {});
    }
    let _ = fuzzing::diff_read(data);
});
