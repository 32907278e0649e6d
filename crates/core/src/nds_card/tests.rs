//! The driver against the simulated chips: every kind, detection, faults.

use keepsake_format::nds::ChipKind;
use keepsake_testkit::rand::{Rng, RngCore};
use keepsake_testkit::rng;

use super::*;
use crate::platform::SpiError;
use crate::sim::{PowerSupply, SimCard, SimCardSlot, SimChip, SimNdsCard, nds_rom_header};

/// A simulated part of `kind` (flash with the first id the table lists).
fn part(kind: ChipKind, contents: &[u8]) -> SimChip {
    match kind {
        ChipKind::Eeprom512B => SimChip::eeprom_512(contents),
        ChipKind::Eeprom8K | ChipKind::Eeprom64K | ChipKind::Eeprom128K => {
            SimChip::eeprom(kind.capacity(), contents)
        }
        _ => {
            let id = KNOWN_FLASH_IDS
                .iter()
                .find(|(_, k)| *k == kind)
                .expect("a flash id")
                .0;
            SimChip::flash(id, kind.capacity(), contents)
        }
    }
}

fn slot_with(chip: SimChip, infrared: bool) -> SimCardSlot {
    let mut slot = SimCardSlot::new(PowerSupply::new());
    slot.insert(SimCard::Nds(SimNdsCard {
        header: nds_rom_header("TEST", if infrared { "IPKE" } else { "ATSE" }),
        banner: Vec::new(),
        chip,
        infrared,
    }));
    slot
}

fn random_image(name: &str, len: usize) -> Vec<u8> {
    let mut bytes = vec![0; len];
    rng::for_test(name).fill_bytes(&mut bytes);
    bytes
}

fn read_all(chip: &SaveChip, slot: &mut SimCardSlot) -> Vec<u8> {
    let mut out = vec![0; chip.capacity()];
    for (i, chunk) in out.chunks_mut(32 * 1024).enumerate() {
        chip.read(slot, i * 32 * 1024, chunk).unwrap();
    }
    out
}

#[test]
fn every_flash_id_is_detected_without_writing() {
    for (id, kind) in KNOWN_FLASH_IDS {
        let mut slot = slot_with(SimChip::flash(id, kind.capacity(), &[]), false);
        let found = detect(&mut slot, false).unwrap();
        assert_eq!(found.chip.kind(), kind, "{id:06X}");
        assert_eq!(found.jedec_id, Some(id));
        assert!(!found.probed);
        assert_eq!(slot.stats().page_writes + slot.stats().erases, 0);
    }
}

#[test]
fn eeproms_with_contents_are_sized_by_reads_alone() {
    // Not the 8 KiB part: reads that repeat cannot prove its size (see
    // an_8k_eeprom_with_varied_data_is_still_confirmed_by_the_probe).
    for kind in [
        ChipKind::Eeprom512B,
        ChipKind::Eeprom64K,
        ChipKind::Eeprom128K,
    ] {
        let image = random_image(&format!("eeprom {kind}"), kind.capacity());
        let mut slot = slot_with(part(kind, &image), false);
        let found = detect(&mut slot, false).unwrap();
        assert_eq!(found.chip.kind(), kind);
        assert_eq!((found.jedec_id, found.probed), (None, false), "{kind}");
        assert_eq!(slot.stats().page_writes, 0, "{kind}: no write");
        assert_eq!(slot.nds_chip().unwrap().memory(), &image[..]);
    }
}

#[test]
fn a_128k_eeprom_with_a_blank_start_is_still_told_by_reads() {
    let mut image = vec![0xFF; 0x2_0000];
    image[0x3000] = 0x12;
    let mut slot = slot_with(SimChip::eeprom(0x2_0000, &image), false);
    let found = detect(&mut slot, false).unwrap();
    assert_eq!(found.chip.kind(), ChipKind::Eeprom128K);
    assert!(!found.probed);
}

#[test]
fn ambiguous_eeproms_get_one_probe_byte_which_is_restored() {
    // Blank parts, and a 64 KiB part holding one byte value throughout,
    // read the same as an 8 KiB part.
    let cases = [
        (ChipKind::Eeprom8K, 0xFF),
        (ChipKind::Eeprom64K, 0xFF),
        (ChipKind::Eeprom128K, 0xFF),
        (ChipKind::Eeprom8K, 0x00),
        (ChipKind::Eeprom64K, 0x00),
    ];
    for (kind, fill) in cases {
        let image = vec![fill; kind.capacity()];
        let mut slot = slot_with(part(kind, &image), false);
        let found = detect(&mut slot, false).unwrap();
        assert_eq!(found.chip.kind(), kind, "{kind} filled with {fill:02X}");
        assert!(found.probed);
        assert_eq!(
            slot.nds_chip().unwrap().memory(),
            &image[..],
            "{kind}: restored"
        );
        // The probe and the restore; a 128 KiB part first ignores the
        // two-address-byte probe (it carries no data byte for it).
        assert_eq!(slot.stats().page_writes, 2, "{kind}");
    }
}

#[test]
fn infrared_cards_answer_only_behind_the_prefix() {
    let image = random_image("infrared", 512 * 1024);
    let mut slot = slot_with(part(ChipKind::Flash512K, &image), true);
    assert!(matches!(
        detect(&mut slot, false),
        Err(NdsCardError::NoChip {
            jedec: 0xFF_FFFF,
            ..
        })
    ));
    let found = detect(&mut slot, true).unwrap();
    assert_eq!(found.chip.kind(), ChipKind::Flash512K);
    assert!(found.chip.infrared());
    assert_eq!(read_all(&found.chip, &mut slot), image);
}

#[test]
fn an_unknown_chip_is_reported_not_guessed() {
    let mut slot = slot_with(SimChip::flash(0xC2_2014, 1 << 20, &[]), false);
    assert_eq!(
        detect(&mut slot, false).unwrap_err(),
        NdsCardError::UnknownChip {
            jedec: 0xC2_2014,
            status: 0
        }
    );
}

#[test]
fn every_kind_is_written_unit_by_unit_and_reads_back() {
    for kind in ChipKind::ALL {
        let old = random_image(&format!("old {kind}"), kind.capacity());
        let mut slot = slot_with(part(kind, &old), false);
        let chip = detect(&mut slot, false).unwrap().chip;
        assert_eq!(chip.kind(), kind);
        chip.unlock(&mut slot).unwrap();
        let mut new = old.clone();
        let mut rng = rng::for_test(&format!("edits {kind}"));
        for _ in 0..3 {
            let at = rng.random_range(0..new.len());
            new[at] ^= 0x5A;
        }
        let unit = chip.write_unit_size();
        let dirty = differing_units(&old, &new, unit);
        assert!(!dirty.is_empty() && dirty.len() <= 3);
        slot.reset_stats();
        for &i in &dirty {
            chip.write_unit(&mut slot, i, &new[i * unit..(i + 1) * unit])
                .unwrap();
        }
        assert_eq!(slot.nds_chip().unwrap().memory(), &new[..], "{kind}");
        if kind == ChipKind::Flash8M {
            assert_eq!(slot.stats().erases, dirty.len() as u64);
        } else {
            assert_eq!(slot.stats().page_writes, dirty.len() as u64, "{kind}");
        }
        assert_eq!(read_all(&chip, &mut slot), new, "{kind}");
    }
}

#[test]
fn the_8_mib_flash_refuses_writes_until_unlocked() {
    let mut slot = slot_with(part(ChipKind::Flash8M, &[]), false);
    let chip = detect(&mut slot, false).unwrap().chip;
    let sector = vec![0x00; chip.write_unit_size()];
    // Locked: the erase and programs are dropped; nothing changes.
    chip.write_unit(&mut slot, 1, &sector).unwrap();
    assert!(slot.nds_chip().unwrap().memory().iter().all(|&b| b == 0xFF));
    chip.unlock(&mut slot).unwrap();
    assert!(!slot.nds_chip().unwrap().is_locked());
    chip.write_unit(&mut slot, 1, &sector).unwrap();
    let memory = slot.nds_chip().unwrap().memory();
    assert!(memory[0x1_0000..0x2_0000].iter().all(|&b| b == 0));
    assert!(memory[..0x1_0000].iter().all(|&b| b == 0xFF));
}

#[test]
fn bus_faults_surface_as_errors() {
    let mut slot = slot_with(part(ChipKind::Flash256K, &[]), false);
    let chip = detect(&mut slot, false).unwrap().chip;
    slot.fail_transfer_in(1);
    let mut buf = vec![0; 256];
    assert!(matches!(
        chip.read(&mut slot, 0, &mut buf),
        Err(NdsCardError::Spi(SpiError::Failed(_)))
    ));
    slot.pull_card_after(0);
    assert_eq!(
        chip.read(&mut slot, 0, &mut buf),
        Err(NdsCardError::Spi(SpiError::NoCard))
    );
    assert_eq!(
        chip.read(&mut slot, 0x3_FF00, &mut vec![0; 0x200]),
        Err(NdsCardError::OutOfRange {
            address: 0x3_FF00,
            len: 0x200,
            capacity: 0x4_0000
        })
    );
}

/// Random writes and reads through the driver against a plain byte vector,
/// for every kind: the chip always holds what the model holds.
#[test]
fn random_operations_match_an_in_memory_model() {
    for kind in ChipKind::ALL {
        let mut rng = rng::for_test(&format!("model {kind}"));
        let mut model = random_image(&format!("model start {kind}"), kind.capacity());
        let infrared = kind == ChipKind::Flash256K;
        let mut slot = slot_with(part(kind, &model), infrared);
        let chip = detect(&mut slot, infrared).unwrap().chip;
        chip.unlock(&mut slot).unwrap();
        let unit = chip.write_unit_size();
        for op in 0..40 {
            if rng.random_bool(0.5) {
                let index = rng.random_range(0..kind.capacity() / unit);
                let mut data = vec![0xFF; unit];
                if rng.random_bool(0.8) {
                    rng.fill_bytes(&mut data);
                }
                chip.write_unit(&mut slot, index, &data).unwrap();
                model[index * unit..(index + 1) * unit].copy_from_slice(&data);
            } else {
                let start = rng.random_range(0..kind.capacity());
                let len = rng.random_range(0..=(kind.capacity() - start).min(4096));
                let mut got = vec![0; len];
                chip.read(&mut slot, start, &mut got).unwrap();
                assert_eq!(got, model[start..start + len], "{kind}, op {op}");
            }
        }
        assert_eq!(slot.nds_chip().unwrap().memory(), &model[..], "{kind}");
    }
}

/// Bytes a detection step may read: one block, plus the few bytes of the
/// id, status and probe commands.
const STEP_READ_BOUND: u64 = DETECT_READ_CHUNK as u64 + 64;

/// Runs a [`Detector`] one step at a time, checking on the bus counters that
/// no step reads more than one block; returns what it found and the steps.
fn detect_stepwise(slot: &mut SimCardSlot, infrared: bool) -> (Detection, usize) {
    let mut detector = Detector::new(infrared);
    for steps in 1..=64 {
        let before = slot.stats();
        let outcome = detector.step(slot).unwrap();
        let after = slot.stats();
        let read = after.bytes_in - before.bytes_in;
        assert!(read <= STEP_READ_BOUND, "step {steps} read {read} bytes");
        assert!(
            after.bytes_out - before.bytes_out <= 128,
            "step {steps} sent only a few commands"
        );
        if let DetectStep::Found(found) = outcome {
            assert!(detector.finished());
            return (found, steps);
        }
    }
    panic!("detection did not end in 64 steps");
}

#[test]
fn stepwise_detection_finds_what_detect_finds_a_block_per_step() {
    // One step settles flash and the 512-byte EEPROM; larger EEPROMs take
    // the id step, eight blocks of 8 KiB and the sizing step, and those
    // reading blank sixteen blocks with three address bytes before their
    // probe.
    let steps_of = |kind: ChipKind| match kind {
        ChipKind::Eeprom8K | ChipKind::Eeprom64K | ChipKind::Eeprom128K => 10,
        _ => 1,
    };
    let mut cases: Vec<(ChipKind, Vec<u8>, usize)> = ChipKind::ALL
        .iter()
        .map(|&kind| {
            let image = random_image(&format!("steps {kind}"), kind.capacity());
            (kind, image, steps_of(kind))
        })
        .collect();
    // The ambiguous parts, which end in the probe.
    cases.push((ChipKind::Eeprom8K, vec![0xFF; 0x2000], 27));
    cases.push((ChipKind::Eeprom64K, vec![0x00; 0x1_0000], 10));
    cases.push((ChipKind::Eeprom128K, vec![0xFF; 0x2_0000], 27));
    // Data only past the first 8 KiB of a 128 KiB part, found by the
    // three-byte reads.
    let mut late = vec![0xFF; 0x2_0000];
    late[0x1_2345] = 0x42;
    cases.push((
        ChipKind::Eeprom128K,
        late,
        10 + 0x1_2345 / DETECT_READ_CHUNK + 1,
    ));
    for (kind, image, wanted) in cases {
        let mut whole = slot_with(part(kind, &image), false);
        let expected = detect(&mut whole, false).unwrap();
        let mut slot = slot_with(part(kind, &image), false);
        let (found, steps) = detect_stepwise(&mut slot, false);
        assert_eq!(found, expected, "{kind}");
        assert_eq!(found.chip.kind(), kind);
        assert_eq!(steps, wanted, "{kind}");
        assert_eq!(slot.stats(), whole.stats(), "{kind}: the same bus work");
        assert_eq!(slot.nds_chip().unwrap().memory(), &image[..], "{kind}");
    }
}

#[test]
fn a_finished_detector_repeats_its_outcome_without_the_bus() {
    let image = random_image("repeat", 0x1_0000);
    let mut slot = slot_with(part(ChipKind::Eeprom64K, &image), false);
    let (found, _) = detect_stepwise(&mut slot, false);
    let mut detector = Detector::new(false);
    while detector.step(&mut slot).unwrap() == DetectStep::Working {}
    let before = slot.stats();
    assert_eq!(detector.step(&mut slot), Ok(DetectStep::Found(found)));
    assert_eq!(slot.stats(), before);
}

#[test]
fn a_card_pulled_mid_detection_ends_it_with_no_card() {
    let image = random_image("pulled", 0x1_0000);
    for pulled_after in 1..=9 {
        let mut slot = slot_with(part(ChipKind::Eeprom64K, &image), false);
        let mut detector = Detector::new(false);
        let mut steps = 0u64;
        slot.pull_card_after(pulled_after);
        let err = loop {
            steps += 1;
            match detector.step(&mut slot) {
                Ok(DetectStep::Working) => {}
                Ok(DetectStep::Found(found)) => panic!("found {found:?} on a pulled card"),
                Err(e) => break e,
            }
        };
        assert_eq!(err, NdsCardError::Spi(SpiError::NoCard));
        // The id step is three transfers (the wait for the chip, the id,
        // the status), each block one.
        let step_of_transfer = (pulled_after - 1).max(1);
        assert_eq!(
            steps, step_of_transfer,
            "the step of transfer {pulled_after}"
        );
        assert!(detector.finished());
        assert_eq!(detector.step(&mut slot), Err(err), "the failure stays");
    }
}

// Issue 11: the simulation behaves as the hardware is documented to, and
// the driver does what the proven tools do.

/// Every transfer's opcode and first bytes, from the slot's record.
fn heads(slot: &SimCardSlot) -> Vec<Vec<u8>> {
    slot.recorded().iter().map(|r| r.head.clone()).collect()
}

#[test]
fn a_512_byte_eeprom_is_read_one_half_per_instruction() {
    let image = random_image("512 halves", 512);
    let mut slot = slot_with(part(ChipKind::Eeprom512B, &image), false);
    let chip = detect(&mut slot, false).unwrap().chip;
    slot.record_commands();
    let mut all = vec![0; 512];
    chip.read(&mut slot, 0, &mut all).unwrap();
    assert_eq!(all, image, "the whole chip, each half from its own read");
    // RDLO (0x03) for 0x000-0x0FF, RDHI (0x0B) for 0x100-0x1FF, as
    // Checkpoint's and TWLSaveTool's _SPIReadSaveData_512B_impl do.
    let reads: Vec<(Vec<u8>, usize)> = slot
        .recorded()
        .iter()
        .filter(|r| r.opcode() != Some(0x05))
        .map(|r| (r.head.clone(), r.response_len))
        .collect();
    assert_eq!(reads, [(vec![0x03, 0x00], 256), (vec![0x0B, 0x00], 256)]);
    // A read across 0x100, and one inside the upper half.
    let mut across = vec![0; 0x20];
    chip.read(&mut slot, 0xF0, &mut across).unwrap();
    assert_eq!(across, image[0xF0..0x110]);
    let mut high = vec![0; 0x10];
    chip.read(&mut slot, 0x1F0, &mut high).unwrap();
    assert_eq!(high, image[0x1F0..]);
}

#[test]
fn a_64k_eeprom_whose_8k_blocks_repeat_is_sized_by_the_probe() {
    let block = random_image("repeating block", 0x2000);
    let image: Vec<u8> = block.iter().copied().cycle().take(0x1_0000).collect();
    let mut slot = slot_with(part(ChipKind::Eeprom64K, &image), false);
    slot.record_commands();
    let found = detect(&mut slot, false).unwrap();
    assert_eq!(found.chip.kind(), ChipKind::Eeprom64K);
    assert!(found.probed);
    assert_eq!(slot.nds_chip().unwrap().memory(), &image[..], "restored");
    // The probe of Checkpoint's and TWLSaveTool's _SPIIsDataMirrored: the
    // inverted byte written at n - 1 = 0x1FFF, then the original back
    // (hand-written commands, not computed by the driver).
    let writes: Vec<Vec<u8>> = heads(&slot).into_iter().filter(|h| h[0] == 0x02).collect();
    assert_eq!(
        writes,
        [
            vec![0x02, 0x1F, 0xFF, !block[0x1FFF]],
            vec![0x02, 0x1F, 0xFF, block[0x1FFF]]
        ]
    );
    // Read at 2n - 1 = 0x3FFF after the probe byte went in.
    let heads = heads(&slot);
    let probe_at = heads.iter().position(|h| h[0] == 0x02).unwrap();
    assert!(heads[probe_at..].contains(&vec![0x03, 0x3F, 0xFF]));
}

#[test]
fn an_8k_eeprom_with_varied_data_is_still_confirmed_by_the_probe() {
    let image = random_image("varied 8k", 0x2000);
    let mut slot = slot_with(part(ChipKind::Eeprom8K, &image), false);
    let found = detect(&mut slot, false).unwrap();
    assert_eq!(found.chip.kind(), ChipKind::Eeprom8K);
    assert!(found.probed, "repetition alone cannot prove 8 KiB");
    assert_eq!(slot.nds_chip().unwrap().memory(), &image[..]);
    assert_eq!(slot.stats().page_writes, 2, "the probe and its restore");
}

#[test]
fn detection_and_reads_wait_for_a_chip_still_busy_with_a_write() {
    for kind in [
        ChipKind::Flash512K,
        ChipKind::Flash8M,
        ChipKind::Eeprom64K,
        ChipKind::Eeprom512B,
    ] {
        let image = random_image(&format!("busy {kind}"), kind.capacity());
        let mut chip = part(kind, &image);
        chip.busy_for(5);
        let mut slot = slot_with(chip, false);
        let found = detect(&mut slot, false).unwrap();
        assert_eq!(found.chip.kind(), kind, "detected once the chip is idle");
        slot.nds_chip_mut().unwrap().busy_for(5);
        let mut start = vec![0; 256];
        found.chip.read(&mut slot, 0, &mut start).unwrap();
        assert_eq!(start, image[..256], "{kind}: the read waited");
    }
}

#[test]
fn the_8_mib_flash_is_unlocked_by_the_vendor_sequence_not_a_status_write() {
    let image = random_image("8m", 8 << 20);
    let mut slot = slot_with(part(ChipKind::Flash8M, &image), false);
    slot.record_commands();
    let chip = detect(&mut slot, false).unwrap().chip;
    let mut start = vec![0; 0x1000];
    chip.read(&mut slot, 0, &mut start).unwrap();
    assert_eq!(start, image[..0x1000], "reads work while it is protected");
    assert!(
        slot.nds_chip().unwrap().is_locked(),
        "detection and reads leave the protection alone"
    );
    slot.record_commands();
    chip.unlock(&mut slot).unwrap();
    assert!(!slot.nds_chip().unwrap().is_locked());
    // Checkpoint 3.13+ 3ds/source/spi.cpp, SPIUnlock: seven frames, each
    // its own chip select, and no status-register write.
    let expected: Vec<Vec<u8>> = vec![
        vec![0xF1],
        vec![0x06],
        vec![0xFA, 0x01, 0x31, 0x00],
        vec![0x14],
        vec![0x06],
        vec![0xF8, 0x01, 0x00, 0x00],
        vec![0x0E, 0x00],
    ];
    let sent: Vec<Vec<u8>> = heads(&slot).into_iter().filter(|h| h[0] != 0x05).collect();
    assert_eq!(sent, expected);
    // At the slow clock (SPISendCommand8MB: 512 kHz), as Checkpoint sends
    // them.
    assert!(
        slot.recorded()
            .iter()
            .filter(|r| r.opcode() != Some(0x05))
            .all(|r| r.slow)
    );
    // The protect bits stay in the status; a sector write lands anyway.
    let status = slot.nds_chip().unwrap().status_register();
    assert_eq!(status & 0x84, 0x84);
    let sector = random_image("8m sector", chip.write_unit_size());
    chip.write_unit(&mut slot, 3, &sector).unwrap();
    let memory = slot.nds_chip().unwrap().memory();
    assert_eq!(memory[0x3_0000..0x4_0000], sector[..]);
    assert_eq!(memory[0x4_0000..0x5_0000], image[0x4_0000..0x5_0000]);
}
