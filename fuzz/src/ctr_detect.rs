//! Container detection (plaintext DISA/DIFF, wear-leveled flash, repeating
//! keystream recovery) and the CMAC header view over arbitrary bytes.

use keepsake_format::ctr::crypto::{sign, xorpad};
use keepsake_format::ctr::detect::detect;

/// Runs the target on one input.
pub fn run(data: &[u8]) {
    let _ = detect(data).to_string();
    if let Ok(recovered) = xorpad::recover(data) {
        // An accepted pad always decrypts the DISA magic.
        let mut plain = data.to_vec();
        recovered.pad.apply(&mut plain);
        assert_eq!(&plain[0x100..0x104], b"DISA");
    }
    let _ = sign::image_header(data);
    let _ = sign::stored_cmac(data);
}
