//! The NDS ROM header view never panics, and what it accepts reads back.

use keepsake_format::nds_header::NdsHeader;

/// Runs the target on one input.
pub fn run(data: &[u8]) {
    if let Ok(header) = NdsHeader::parse(data) {
        let _ = header.title();
        assert_eq!(header.game_code().len(), 4);
        let _ = (
            header.maker_code(),
            header.unit_code(),
            header.banner_offset(),
        );
        let _ = header.is_infrared();
    }
}
