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
    // `auto` never goes below the size the container states, and grown
    // back to the original size gives the original bytes (a mirror comes
    // back as its first copy followed by 0xFF, so it must be a mirror).
    let stated = save.container.stated_size(payload.len());
    if let Ok(auto) = nds::auto_size(&analysis, stated.clone()) {
        if let Some(stated) = &stated {
            assert!(auto.chip >= stated.chip);
        }
        let small = nds::resize(payload, auto.chip, false).expect("auto picks a lossless chip");
        if let Some(original) = ChipKind::from_capacity(payload.len()) {
            let back = nds::resize(&small, original, false).expect("growing never loses");
            if back != payload {
                let repeated: Vec<u8> = small.iter().copied().cycle().take(payload.len()).collect();
                assert_eq!(repeated, payload);
            }
        }
    }
}
