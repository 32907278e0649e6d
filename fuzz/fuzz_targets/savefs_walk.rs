//! Opening untrusted bytes as a save, walking its filesystem and reading
//! every file never panics, hangs or allocates without bound.
#![no_main]

use keepsake_format::ctr::fuzzing;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = fuzzing::disa_walk(data);
});
