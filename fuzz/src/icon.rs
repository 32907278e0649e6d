//! Decodes arbitrary bytes as an SMDH's icons and as an NDS banner's icon.

use keepsake_format::icon;

/// Runs the target on one input.
pub fn run(data: &[u8]) {
    if let Ok(image) = icon::smdh_large_icon(data) {
        assert_eq!(image.rgba().len(), 48 * 48 * 4);
    }
    if let Ok(image) = icon::smdh_small_icon(data) {
        assert_eq!(image.rgba().len(), 24 * 24 * 4);
    }
    if let Ok(image) = icon::nds_banner_icon(data) {
        assert_eq!(image.rgba().len(), 32 * 32 * 4);
    }
}
