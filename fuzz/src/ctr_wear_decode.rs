//! Wear-leveling decode of arbitrary bytes: never panics, and whatever it
//! decodes has the logical length of its chip and re-encodes cleanly when the
//! layout it found is valid.

use keepsake_format::ctr::wear;

/// Runs the target on one input.
pub fn run(data: &[u8]) {
    // Most inputs are short: pad them into a 128 KiB image so the map,
    // journal and checksums are exercised, not only the size check.
    let image = if data.len() < 0x2_0000 {
        let mut image = vec![0xFF; 0x2_0000];
        image[..data.len()].copy_from_slice(data);
        image
    } else {
        data.to_vec()
    };
    let _ = wear::decode(data);
    let Ok(decoded) = wear::decode(&image) else {
        return;
    };
    assert_eq!(decoded.logical.len(), decoded.layout.geometry.logical_len());
    if decoded.layout.validate().is_ok() {
        let again = wear::encode(&decoded.logical, &decoded.layout).expect("valid layout");
        assert_eq!(
            wear::decode_strict(&again).expect("clean image"),
            decoded.logical
        );
    }
}
