//! Listing the titles of untrusted bytes opened as a title database never
//! panics, hangs or allocates without bound.

use keepsake_format::ctr::bdri::{DbKind, titles};
use keepsake_format::ctr::diff;

/// Runs the target on one input.
pub fn run(data: &[u8]) {
    for kind in [DbKind::SdTitle, DbKind::NandTitle] {
        if let Ok(db) = diff::open(data) {
            let _ = titles(db, kind);
        }
    }
}
