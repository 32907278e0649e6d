//! Thousands of random and mutated inputs through the NDS container parser,
//! the analysis and the conversion: each must give a value or a typed error,
//! never a panic, and what it accepts must obey the format's own rules. The
//! same entry point is fuzzed by `fuzz/fuzz_targets/nds.rs`.

use keepsake_format::nds::{
    self, ChipKind, Container, OutputFormat, ParseError, SaveFile, dsv, duc,
};
use keepsake_testkit::rand::Rng;
use keepsake_testkit::{fixtures, rng};

/// What every accepted input must satisfy.
fn check(input: &[u8]) {
    let Ok(save) = SaveFile::parse(input) else {
        return;
    };
    let payload = &save.payload[..];
    assert!(!payload.is_empty());
    assert!(payload.len() <= ChipKind::LARGEST_CAPACITY);
    match &save.container {
        Container::Raw => assert_eq!(payload, input),
        Container::Dsv(footer) => {
            assert_eq!(footer.padded_size as usize, payload.len());
            assert_eq!(payload, &input[..input.len() - dsv::FOOTER_LEN]);
        }
        Container::ActionReplay(_) | Container::NoCashGba(_) => {}
    }
    let analysis = nds::analyze(payload);
    assert_eq!(analysis.len, payload.len());
    // The analysis and the conversion agree on every chip.
    for chip in ChipKind::ALL {
        let result = nds::resize(payload, chip, false);
        assert_eq!(
            result.is_ok(),
            analysis.converts_losslessly_to(chip),
            "{chip} for a {}-byte payload",
            payload.len()
        );
        if let Ok(out) = result {
            assert_eq!(out.len(), chip.capacity());
            let kept = payload.len().min(chip.capacity());
            assert_eq!(&out[..kept], &payload[..kept]);
        }
    }
    if let Some(chip) = analysis.smallest_lossless() {
        let dsv = nds::convert(payload, chip, OutputFormat::Dsv, false).unwrap();
        let again = SaveFile::parse(&dsv).unwrap();
        assert!(matches!(again.container, Container::Dsv(_)));
    }
}

fn mutate(rng: &mut impl Rng, input: &mut Vec<u8>) {
    match rng.random_range(0..6) {
        0 if !input.is_empty() => {
            let at = rng.random_range(0..input.len());
            input[at] = rng.random();
        }
        1 => {
            let keep = rng.random_range(0..=input.len());
            input.truncate(keep);
        }
        2 => {
            let at = rng.random_range(0..=input.len());
            let extra = rng.random_range(1..8);
            for _ in 0..extra {
                input.insert(at, rng.random());
            }
        }
        3 if !input.is_empty() => {
            let start = rng.random_range(0..input.len());
            let end = rng.random_range(start..=input.len().min(start + 16));
            input.drain(start..end);
        }
        4 if input.len() >= 8 => {
            // Overwrite a u32 with an edge value: lengths and methods live in u32s.
            let at = rng.random_range(0..input.len() - 4);
            let value: u32 = [0, 1, 2, 0xA4, 0x1F4, 0x7FFF_FFFF, u32::MAX][rng.random_range(0..7)];
            input[at..at + 4].copy_from_slice(&value.to_le_bytes());
        }
        _ => {
            let value = rng.random();
            let len = input.len();
            let start = rng.random_range(0..=len);
            let end = rng.random_range(start..=len);
            input[start..end].fill(value);
        }
    }
}

fn seeds() -> Vec<Vec<u8>> {
    let mut seeds = Vec::new();
    for name in [
        "nds/sonic-rush/usa.dsv",
        "nds/sonic-rush/usa.duc",
        "nds/sonic-rush/bad.duc",
    ] {
        if let Some(bytes) = fixtures::read(name) {
            seeds.push(bytes);
        }
    }
    let image: Vec<u8> = (0..512u32).map(|i| (i % 97) as u8).collect();
    seeds.push(image.clone());
    seeds.push(dsv::encode(&image).unwrap());
    seeds.push(duc::encode_me("GAME", "SAVE", &image));
    let mut nocash = b"NocashGbaBackupMediaSavDataFile\x1A".to_vec();
    nocash.resize(0x40, 0);
    nocash.extend_from_slice(b"SRAM");
    nocash.extend_from_slice(&1u32.to_le_bytes());
    nocash.extend_from_slice(&6u32.to_le_bytes());
    nocash.extend_from_slice(&600u32.to_le_bytes());
    nocash.extend_from_slice(&[0x80, 0xFF, 0x58, 0x02, 0x00]);
    seeds.push(nocash);
    seeds
}

#[test]
fn mutated_saves_never_panic() {
    let mut rng = rng::for_test("mutated_saves_never_panic");
    let seeds = seeds();
    let mut accepted = 0;
    for round in 0..4000 {
        let mut input = seeds[round % seeds.len()].clone();
        for _ in 0..rng.random_range(1..4) {
            mutate(&mut rng, &mut input);
        }
        check(&input);
        accepted += usize::from(SaveFile::parse(&input).is_ok());
    }
    // Both branches are exercised: mutations are neither all fatal nor all harmless.
    assert!(
        accepted > 400 && accepted < 3600,
        "{accepted} of 4000 accepted"
    );
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = rng::for_test("random_bytes_never_panic");
    for _ in 0..3000 {
        let len = [0, 1, 15, 16, 121, 122, 164, 165, 499, 500, 512, 513, 1024]
            [rng.random_range(0..13)]
            + rng.random_range(0..3);
        let mut input = vec![0u8; len];
        rng.fill(&mut input[..]);
        check(&input);
        if len == 512 || len == 1024 {
            assert!(matches!(
                SaveFile::parse(&input),
                Ok(SaveFile {
                    container: Container::Raw,
                    ..
                })
            ));
        }
    }
}

#[test]
fn a_truncated_dsv_is_refused_at_every_cut() {
    let Some(file) = fixtures::read("nds/sonic-rush/usa.dsv") else {
        return;
    };
    for cut in 1..file.len() {
        let left = file.len() - cut;
        let result = SaveFile::parse(&file[..left]);
        if cut <= dsv::FOOTER_LEN - dsv::CUT_FOOTER_MIN {
            assert!(
                matches!(result, Err(ParseError::Dsv(_))),
                "cut {cut}: {:?}",
                result.err()
            );
        } else if left.is_power_of_two() && left >= 512 {
            // Without any of its footer, a .dsv is a raw image of its chip.
            let save = result.unwrap();
            assert_eq!(save.container, Container::Raw);
        } else {
            assert!(
                matches!(result, Err(ParseError::Raw(_))),
                "cut {cut}: {:?}",
                result.err()
            );
        }
    }
}
