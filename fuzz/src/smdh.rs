//! The SMDH view never panics, whatever the bytes.

use keepsake_format::smdh::{Language, Smdh};

/// Runs the target on one input.
pub fn run(data: &[u8]) {
    if let Ok(smdh) = Smdh::parse(data) {
        let _ = smdh.version();
        let _ = smdh.titles(Language::English);
        let _ = smdh.short_title(Language::Japanese);
        assert_eq!(smdh.small_icon().len(), 24 * 24 * 2);
        assert_eq!(smdh.large_icon().len(), 48 * 48 * 2);
    }
}
