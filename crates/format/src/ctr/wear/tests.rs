//! Round trips and damaged images, on generated flash images.

use keepsake_testkit::rand::Rng;
use keepsake_testkit::rng;

use super::crc16::crc16_modbus;
use super::geometry::{CHUNK_LEN, JOURNAL_SLOT_LEN, SECTOR_LEN};
use super::*;
use crate::ctr::testgen::{self, GeneratedFlash};

/// Rewrites the map CRC so a test can damage the map alone.
fn refresh_crc(g: &Geometry, image: &mut [u8]) {
    let crc = crc16_modbus(&image[..g.crc_offset]);
    image[g.crc_offset..g.crc_offset + 2].copy_from_slice(&crc.to_le_bytes());
}

fn untrusted_blocks(report: &Report) -> Vec<usize> {
    let mut blocks: Vec<usize> = report
        .untrusted
        .iter()
        .flat_map(|u| {
            (u.logical_offset / SECTOR_LEN)..((u.logical_offset + u.len - 1) / SECTOR_LEN + 1)
        })
        .collect();
    blocks.dedup();
    blocks
}

#[test]
fn generated_images_decode_cleanly_to_their_logical_contents() {
    let mut rng = rng::for_test("wear_generated_decode");
    for size in FlashSize::ALL {
        let slots = size.geometry().journal_slots;
        for entries in [0, 1, 5, slots] {
            let flash = testgen::flash_image_with_journal(&mut rng, size, entries);
            let decoded = decode(&flash.image).unwrap();
            assert!(
                decoded.report.is_clean(),
                "{size:?}/{entries}: {:#?}",
                decoded.report
            );
            assert_eq!(decoded.report.journal_replayed, entries);
            assert!(decoded.logical == flash.logical, "{size:?}/{entries}");
            assert_eq!(decode_strict(&flash.image).unwrap(), flash.logical);
        }
    }
}

#[test]
fn uninitialized_blocks_read_as_ff_whatever_their_sector_holds() {
    let mut rng = rng::for_test("wear_uninitialized");
    let flash = testgen::flash_image_with_journal(&mut rng, FlashSize::K128, 0);
    let decoded = decode(&flash.image).unwrap();
    let unwritten: Vec<usize> = (0..flash.geometry.logical_blocks())
        .filter(|&vb| !decoded.layout.blocks[vb].initialized)
        .collect();
    assert!(!unwritten.is_empty());
    for vb in unwritten {
        let block = &decoded.logical[vb * SECTOR_LEN..(vb + 1) * SECTOR_LEN];
        assert!(block.iter().all(|&b| b == 0xFF), "block {vb}");
    }
}

#[test]
fn decode_of_encode_is_identity_for_every_size_fresh_and_like_an_original() {
    let mut rng = rng::for_test("wear_round_trip");
    for size in FlashSize::ALL {
        for _ in 0..3 {
            let original = testgen::flash_image(&mut rng, size);
            let mut logical = original.logical.clone();
            // Edit the logical image: new data, a block erased to 0xFF.
            let at = rng.random_range(0..logical.len() - 64);
            rng.fill(&mut logical[at..at + 64]);
            logical[..SECTOR_LEN].fill(0xFF);

            let fresh = encode_fresh(&logical).unwrap();
            assert_eq!(decode_strict(&fresh).unwrap(), logical, "{size:?} fresh");

            let like = decode(&original.image).unwrap().layout;
            let rewritten = encode(&logical, &like).unwrap();
            let decoded = decode(&rewritten).unwrap();
            assert!(decoded.report.is_clean(), "{:#?}", decoded.report);
            assert_eq!(decoded.logical, logical, "{size:?} like");
            // Counters and placement are the original's; the journal is squashed.
            assert_eq!(&rewritten[..8], &original.image[..8]);
            let g = size.geometry();
            assert!(
                rewritten[g.journal_offset..SECTOR_LEN]
                    .iter()
                    .all(|&b| b == 0xFF)
            );
            for (vb, (new, old)) in decoded.layout.blocks.iter().zip(&like.blocks).enumerate() {
                assert_eq!(new.physical, old.physical, "block {vb}");
            }
        }
    }
}

#[test]
fn encoded_map_checks_out_against_the_format_independently() {
    // V1 checksums and the CRC recomputed from the raw bytes by hand.
    let mut rng = rng::for_test("wear_encode_independent");
    let g = FlashSize::K128.geometry();
    let mut logical = vec![0xFF; g.logical_len()];
    rng.fill(&mut logical[2 * SECTOR_LEN..3 * SECTOR_LEN]);
    let image = encode_fresh(&logical).unwrap();
    // Fresh layout: virtual block 2 in physical sector 3, written once.
    let entry = &image[8 + 2 * 10..8 + 3 * 10];
    assert_eq!(entry[0], 0x80 | 3);
    assert_eq!(entry[1], 1);
    for chunk in 0..8 {
        let data = &logical[2 * SECTOR_LEN + chunk * CHUNK_LEN..][..CHUNK_LEN];
        let crc = crc16_modbus(data).to_le_bytes();
        assert_eq!(entry[2 + chunk], crc[0] ^ crc[1]);
    }
    assert_eq!(
        &image[3 * SECTOR_LEN..4 * SECTOR_LEN],
        &logical[2 * SECTOR_LEN..3 * SECTOR_LEN]
    );
    // An untouched block stays uninitialized with zero checksums.
    assert_eq!(&image[8..18], &[1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    let crc = u16::from_le_bytes([image[0x13E], image[0x13F]]);
    assert_eq!(crc, crc16_modbus(&image[..0x13E]));
}

#[test]
fn encode_refuses_a_logical_image_of_the_wrong_size_and_a_broken_layout() {
    let layout = Layout::fresh(FlashSize::K512);
    assert_eq!(
        encode(&[0u8; 100], &layout),
        Err(WearError::LogicalSizeMismatch {
            len: 100,
            expected: 0x7E000
        })
    );
    assert_eq!(
        encode_fresh(&[0u8; 0x2_0000]),
        Err(WearError::LogicalSize { len: 0x2_0000 })
    );
    let mut broken = layout.clone();
    broken.blocks[1].physical = broken.blocks[0].physical;
    assert!(matches!(
        encode(&vec![0u8; 0x7E000], &broken),
        Err(WearError::UnusableTemplate(_))
    ));
}

#[test]
fn truncated_and_wrongly_sized_images_are_refused() {
    let mut rng = rng::for_test("wear_sizes");
    let flash = testgen::flash_image(&mut rng, FlashSize::K512);
    let truncated = &flash.image[..flash.image.len() - 1];
    assert_eq!(
        decode(truncated).unwrap_err(),
        WearError::WrongSize { len: 0x7FFFF }
    );
    assert_eq!(
        decode(&vec![0u8; 0x4_0000]).unwrap_err(),
        WearError::WrongSize { len: 0x4_0000 }
    );
    assert_eq!(decode(&[]).unwrap_err(), WearError::WrongSize { len: 0 });
}

#[test]
fn a_bad_map_crc_is_reported_and_v1_checksums_still_vouch_for_the_data() {
    let mut rng = rng::for_test("wear_bad_crc");
    for size in FlashSize::ALL {
        let flash = testgen::flash_image(&mut rng, size);
        let g = flash.geometry;
        let mut image = flash.image.clone();
        image[g.crc_offset] ^= 0x5A;
        let decoded = decode(&image).unwrap();
        let failures: Vec<_> = decoded.report.failures().cloned().collect();
        assert_eq!(failures.len(), 1, "{failures:?}");
        assert!(matches!(failures[0], WearError::MapCrc { offset, .. } if offset == g.crc_offset));
        assert!(matches!(
            decode_strict(&image),
            Err(WearError::MapCrc { .. })
        ));
        assert_eq!(decoded.logical, flash.logical);
        let untrusted = untrusted_blocks(&decoded.report);
        let unwritten: Vec<usize> = (0..g.logical_blocks())
            .filter(|&vb| !decoded.layout.blocks[vb].initialized)
            .collect();
        match size.version() {
            // Written blocks are confirmed by their checksums; unwritten ones
            // only by the failed map.
            Version::V1 => assert_eq!(untrusted, unwritten),
            Version::V2 => assert_eq!(untrusted, (0..g.logical_blocks()).collect::<Vec<_>>()),
        }
    }
}

/// A generated image with at least `n` journal entries that rewrite distinct
/// blocks, so which blocks go stale is unambiguous.
fn with_distinct_rewrites(rng: &mut impl Rng, size: FlashSize, n: usize) -> GeneratedFlash {
    loop {
        let flash = testgen::flash_image_with_journal(rng, size, n);
        let mut blocks = flash.rewritten.clone();
        blocks.sort();
        blocks.dedup();
        if blocks.len() == n {
            return flash;
        }
    }
}

#[test]
fn a_torn_journal_entry_stops_replay_and_marks_exactly_the_blocks_it_and_later_entries_name() {
    let mut rng = rng::for_test("wear_torn_journal");
    for size in FlashSize::ALL {
        let flash = with_distinct_rewrites(&mut rng, size, 4);
        let g = flash.geometry;
        let mut image = flash.image.clone();
        // Damage the duplicate copy of slot 1.
        let slot = g.journal_slot_offset(1);
        image[slot + 14 + 3] ^= 0x01;
        let decoded = decode(&image).unwrap();
        let failures: Vec<_> = decoded.report.failures().cloned().collect();
        assert_eq!(
            failures,
            vec![WearError::JournalTorn {
                slot: 1,
                offset: slot,
                later: 2
            }]
        );
        assert_eq!(decoded.report.journal_replayed, 1);
        // Stale: the blocks slots 1..4 rewrote (and the spares they used,
        // when those are logical blocks).
        let untrusted = untrusted_blocks(&decoded.report);
        for &vb in &flash.rewritten[1..] {
            assert!(untrusted.contains(&vb), "{size:?}: block {vb} not flagged");
        }
        // Every block not flagged reads exactly as in the undamaged image.
        for vb in 0..g.logical_blocks() {
            if !untrusted.contains(&vb) {
                let range = vb * SECTOR_LEN..(vb + 1) * SECTOR_LEN;
                assert!(
                    decoded.logical[range.clone()] == flash.logical[range],
                    "{size:?} {vb}"
                );
            }
        }
        assert!(matches!(
            decode_strict(&image),
            Err(WearError::JournalTorn { slot: 1, .. })
        ));
    }
}

#[test]
fn an_inconsistent_journal_entry_names_the_field() {
    let mut rng = rng::for_test("wear_inconsistent_journal");
    let flash = with_distinct_rewrites(&mut rng, FlashSize::K128, 3);
    let g = flash.geometry;
    let mut image = flash.image.clone();
    // Slot 2's previous allocation count, in both copies.
    let slot = g.journal_slot_offset(2);
    image[slot + 5] = image[slot + 5].wrapping_add(9);
    image[slot + 14 + 5] = image[slot + 5];
    let decoded = decode(&image).unwrap();
    let failures: Vec<_> = decoded.report.failures().cloned().collect();
    assert!(
        matches!(
            &failures[..],
            [WearError::JournalInconsistent {
                slot: 2,
                field: "previous allocation count",
                later: 0,
                ..
            }]
        ),
        "{failures:?}"
    );
    assert_eq!(decoded.report.journal_replayed, 2);
    assert!(untrusted_blocks(&decoded.report).contains(&flash.rewritten[2]));
    // The entries before it were applied: their blocks are current.
    for &vb in &flash.rewritten[..2] {
        let range = vb * SECTOR_LEN..(vb + 1) * SECTOR_LEN;
        assert!(decoded.logical[range.clone()] == flash.logical[range]);
    }
}

#[test]
fn a_duplicate_physical_sector_is_reported_and_the_wrong_claimant_is_caught() {
    let mut rng = rng::for_test("wear_duplicate");
    for size in FlashSize::ALL {
        let flash = testgen::flash_image_with_journal(&mut rng, size, 0);
        let g = flash.geometry;
        let decoded = decode(&flash.image).unwrap();
        // Two written logical blocks with different contents.
        let written: Vec<usize> = (0..g.logical_blocks())
            .filter(|&vb| {
                decoded.layout.blocks[vb].initialized
                    && decoded.logical[vb * SECTOR_LEN..(vb + 1) * SECTOR_LEN]
                        .iter()
                        .any(|&b| b != 0xFF)
            })
            .collect();
        let (a, b) = (written[0], written[1]);
        let mut image = flash.image.clone();
        let (at_a, at_b) = (g.map_entry_offset(a), g.map_entry_offset(b));
        match size.version() {
            Version::V1 => image[at_b] = (image[at_b] & 0x80) | (image[at_a] & 0x7F),
            Version::V2 => image[at_b + 1] = image[at_a + 1],
        }
        refresh_crc(&g, &mut image);
        let damaged = decode(&image).unwrap();
        let physical = decoded.layout.blocks[a].physical;
        let first = damaged.report.failures().next().unwrap().clone();
        assert_eq!(
            first,
            WearError::DuplicatePhysical {
                physical,
                first_virtual_block: a.min(b),
                second_virtual_block: a.max(b),
                entry_offset: g.map_entry_offset(a.max(b)),
            }
        );
        let untrusted = untrusted_blocks(&damaged.report);
        match size.version() {
            // Block b now reads a's sector, which its checksums reject.
            Version::V1 => {
                assert!(untrusted.contains(&b));
                assert!(!untrusted.contains(&a));
                assert!(damaged
                    .report
                    .failures()
                    .any(|e| matches!(e, WearError::ChunkChecksum { virtual_block, .. } if *virtual_block == b)));
            }
            Version::V2 => assert_eq!(untrusted, {
                let mut both = vec![a, b];
                both.sort();
                both
            }),
        }
        assert!(matches!(
            decode_strict(&image),
            Err(WearError::DuplicatePhysical { .. })
        ));
    }
}

#[test]
fn a_corrupted_chunk_is_pinpointed_and_only_it_is_untrusted() {
    let mut rng = rng::for_test("wear_chunk");
    for size in [FlashSize::K128, FlashSize::K512] {
        let flash = testgen::flash_image(&mut rng, size);
        let decoded = decode(&flash.image).unwrap();
        let vb = (0..flash.geometry.logical_blocks())
            .find(|&vb| decoded.layout.blocks[vb].initialized)
            .unwrap();
        let physical = usize::from(decoded.layout.blocks[vb].physical);
        let mut image = flash.image.clone();
        let at = physical * SECTOR_LEN + 5 * CHUNK_LEN + 17;
        image[at] ^= 0x80;
        let damaged = decode(&image).unwrap();
        let failures: Vec<_> = damaged.report.failures().cloned().collect();
        assert_eq!(failures.len(), 1);
        assert!(matches!(
            failures[0],
            WearError::ChunkChecksum { virtual_block, chunk: 5, physical_offset, logical_offset, .. }
                if virtual_block == vb
                    && physical_offset == physical * SECTOR_LEN + 5 * CHUNK_LEN
                    && logical_offset == vb * SECTOR_LEN + 5 * CHUNK_LEN
        ));
        assert_eq!(damaged.report.untrusted.len(), 1);
        assert_eq!(
            damaged.report.untrusted[0].logical_offset,
            vb * SECTOR_LEN + 5 * CHUNK_LEN
        );
        assert_eq!(damaged.report.untrusted[0].len, CHUNK_LEN);
        assert_eq!(damaged.report.untrusted_bytes(), CHUNK_LEN);
    }
}

#[test]
fn random_and_mutated_images_never_panic() {
    let mut rng = rng::for_test("wear_never_panics");
    let originals: Vec<GeneratedFlash> = FlashSize::ALL
        .into_iter()
        .map(|size| testgen::flash_image(&mut rng, size))
        .collect();
    for round in 0..3000 {
        let original = &originals[round % originals.len()];
        let mut image = original.image.clone();
        let g = original.geometry;
        let mutations = rng.random_range(1..16);
        for _ in 0..mutations {
            // Mostly sector 0, where the parsing happens.
            let at = if rng.random_bool(0.8) {
                rng.random_range(0..SECTOR_LEN)
            } else {
                rng.random_range(0..image.len())
            };
            image[at] = rng.random();
        }
        if rng.random_bool(0.2) {
            // Plausible journal garbage: a whole slot of random bytes, mirrored.
            let slot = g.journal_slot_offset(rng.random_range(0..g.journal_slots));
            let mut half = [0u8; 14];
            rng.fill(&mut half);
            image[slot..slot + 14].copy_from_slice(&half);
            image[slot + 14..slot + 28].copy_from_slice(&half);
            let _ = JOURNAL_SLOT_LEN;
        }
        if rng.random_bool(0.3) {
            refresh_crc(&g, &mut image);
        }
        let decoded = decode(&image).unwrap();
        assert_eq!(decoded.logical.len(), g.logical_len());
        let _ = decode_strict(&image);
    }
    for _ in 0..200 {
        let len = match rng.random_range(0..4) {
            0 => 0x2_0000,
            1 => rng.random_range(0..0x3000),
            _ => 0x8_0000,
        };
        let mut image = vec![0u8; len];
        rng.fill(&mut image[..]);
        let _ = decode(&image);
    }
}
