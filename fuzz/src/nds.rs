//! The NDS container parser, analysis and conversion on arbitrary bytes:
//! never a panic, and what is accepted obeys the format's rules. The host
//! test `crates/format/tests/nds_never_panics.rs` drives the same checks
//! with seeded inputs.

use keepsake_format::nds::{self, ChipKind, Container, OutputFormat, SaveFile, dsv};

/// Runs the target on one input.
pub fn run(input: &[u8]) {
    let Ok(save) = SaveFile::parse(input) else {
        return;
    };
    let payload = &save.payload[..];
    assert!(!payload.is_empty() && payload.len() <= ChipKind::LARGEST_CAPACITY);
    if let Container::Dsv(footer) = &save.container {
        assert_eq!(footer.padded_size as usize, payload.len());
        assert_eq!(payload, &input[..input.len() - dsv::FOOTER_LEN]);
    }
    let analysis = nds::analyze(payload);
    for chip in ChipKind::ALL {
        if chip.capacity() >= payload.len() {
            // Growing always keeps everything; skip building megabytes of 0xFF.
            assert!(analysis.converts_losslessly_to(chip));
            continue;
        }
        let resized = nds::resize(payload, chip, false);
        assert_eq!(resized.is_ok(), analysis.converts_losslessly_to(chip));
        if let Ok(out) = resized {
            let kept = payload.len().min(chip.capacity());
            assert_eq!(&out[..kept], &payload[..kept]);
        }
    }
    if let Some(chip) = analysis.smallest_lossless() {
        let written = nds::convert(payload, chip, OutputFormat::Dsv, false).unwrap();
        let again = SaveFile::parse(&written).unwrap();
        assert!(matches!(again.container, Container::Dsv(_)));
    }
}
