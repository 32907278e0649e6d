//! Opening untrusted bytes as an extdata archive's metadata (a DIFF holding
//! VSXE), walking its tree, and reading untrusted bytes as a device file or
//! a Quota.dat never panics, hangs or allocates without bound.

use keepsake_format::ctr::diff;
use keepsake_format::ctr::vsxe::header::{VSXE_HEADER_LEN, VsxeHeader};
use keepsake_format::ctr::vsxe::quota::Quota;
use keepsake_format::ctr::vsxe::{Vsxe, device};

/// Runs the target on one input.
pub fn run(data: &[u8]) {
    if let Ok(meta) = diff::open(data)
        && let Ok(mut vsxe) = Vsxe::open(meta)
    {
        let _ = vsxe.walk();
    }
    if let Ok(file) = diff::open(data) {
        let _ = device::read(file, 0, "fuzz");
    }
    if let Some(head) = data.get(..VSXE_HEADER_LEN) {
        let _ = VsxeHeader::parse(head.try_into().expect("header length"));
    }
    let _ = Quota::parse(data);
}
