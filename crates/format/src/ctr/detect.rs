//! What a 3DS save file is: raw wear-leveled flash, an encrypted logical
//! image, or a plaintext DISA/DIFF container.
//!
//! Evidence, strongest first: a `DISA`/`DIFF` magic at 0x100 (the header
//! after the 0x100-byte CMAC area) means plaintext; a flash-sized file whose
//! block map passes its CRC is wear-leveled flash; a file whose repeating
//! 512-byte pad decrypts to `DISA` at 0x100 is an encrypted logical image of
//! an old cartridge. A flash-sized file whose map fails its CRC but is still a
//! permutation is reported as damaged wear-leveled flash.

use super::crypto::xorpad::{self, Recovered};
use super::wear::Geometry;
use super::wear::map::BlockMap;

/// What [`detect`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Container {
    /// A raw flash dump with wear leveling.
    WearLeveled {
        geometry: Geometry,
        map_crc_ok: bool,
    },
    /// A plaintext DISA image (a save).
    Disa,
    /// A plaintext DIFF image (extdata).
    Diff,
    /// A logical image encrypted with a repeating counter; its pad.
    EncryptedRepeating(Box<Recovered>),
    /// Nothing recognized; says what was looked for.
    Unknown { hint: String },
}

impl std::fmt::Display for Container {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Container::WearLeveled {
                geometry,
                map_crc_ok: true,
            } => write!(
                f,
                "raw wear-leveled cartridge flash, {} KiB, {}",
                geometry.image_len() / 1024,
                geometry.version
            ),
            Container::WearLeveled { geometry, .. } => write!(
                f,
                "raw wear-leveled cartridge flash, {} KiB, {}, with a damaged block map",
                geometry.image_len() / 1024,
                geometry.version
            ),
            Container::Disa => f.write_str("plaintext DISA image (save data)"),
            Container::Diff => f.write_str("plaintext DIFF image (extdata)"),
            Container::EncryptedRepeating(r) => write!(
                f,
                "encrypted logical save image (repeating 512-byte keystream, recovered from {} of {} written chunks)",
                r.occurrences, r.chunks
            ),
            Container::Unknown { hint } => write!(f, "not recognized: {hint}"),
        }
    }
}

const HEADER_MAGIC_OFFSET: usize = 0x100;

/// Looks at `bytes` and says what they are. Never fails; never panics.
pub fn detect(bytes: &[u8]) -> Container {
    match bytes.get(HEADER_MAGIC_OFFSET..HEADER_MAGIC_OFFSET + 4) {
        Some(b"DISA") => return Container::Disa,
        Some(b"DIFF") => return Container::Diff,
        _ => {}
    }
    let flash = Geometry::for_image_len(bytes.len()).ok();
    let map = flash.map(|g| (g, BlockMap::parse(&g, &bytes[..0x1000])));
    if let Some((geometry, map)) = &map {
        if map.crc_ok() {
            return Container::WearLeveled {
                geometry: *geometry,
                map_crc_ok: true,
            };
        }
    }
    if let Ok(recovered) = xorpad::recover(bytes) {
        return Container::EncryptedRepeating(Box::new(recovered));
    }
    if let Some((geometry, map)) = map {
        if is_permutation(&geometry, &map) {
            return Container::WearLeveled {
                geometry,
                map_crc_ok: false,
            };
        }
    }
    Container::Unknown {
        hint: if bytes.len() < 0x200 {
            format!(
                "{} bytes is too short for any 3DS save container",
                bytes.len()
            )
        } else {
            "no DISA/DIFF magic at 0x100, no valid wear-leveling block map, and no repeating \
             keystream that decrypts to DISA; it may be encrypted with a continuous counter \
             (decrypt with a key and counter)"
                .to_string()
        },
    }
}

fn is_permutation(geometry: &Geometry, map: &BlockMap) -> bool {
    let mut seen = vec![false; geometry.sectors];
    map.entries.iter().all(|e| {
        let p = usize::from(e.physical);
        p != 0 && p < geometry.sectors && !std::mem::replace(&mut seen[p], true)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ctr::crypto::cipher::{CounterMode, apply_keystream};
    use crate::ctr::testgen;
    use crate::ctr::wear::{FlashSize, Version};
    use keepsake_testkit::rand::Rng;

    #[test]
    fn tells_each_kind_apart() {
        let mut rng = keepsake_testkit::rng::for_test("detect_kinds");
        for size in FlashSize::ALL {
            let flash = testgen::flash_image(&mut rng, size);
            assert!(matches!(
                detect(&flash.image),
                Container::WearLeveled { geometry, map_crc_ok: true } if geometry.size == size
            ));
            let mut damaged = flash.image.clone();
            damaged[size.geometry().crc_offset] ^= 1;
            assert!(matches!(
                detect(&damaged),
                Container::WearLeveled {
                    map_crc_ok: false,
                    ..
                }
            ));
        }
        let plain = testgen::plaintext_disa(&mut rng, 0x1E000);
        assert_eq!(detect(&plain), Container::Disa);
        let mut diff = plain.clone();
        diff[0x100..0x104].copy_from_slice(b"DIFF");
        assert_eq!(detect(&diff), Container::Diff);
        let mut encrypted = plain.clone();
        apply_keystream(
            &rng.random(),
            &rng.random(),
            CounterMode::Repeating,
            &mut encrypted,
        );
        assert!(matches!(
            detect(&encrypted),
            Container::EncryptedRepeating(_)
        ));
        let mut continuous = plain;
        apply_keystream(
            &rng.random(),
            &rng.random(),
            CounterMode::Continuous,
            &mut continuous,
        );
        assert!(matches!(detect(&continuous), Container::Unknown { .. }));
        assert!(matches!(detect(&[0u8; 10]), Container::Unknown { .. }));
        assert_eq!(FlashSize::M1.version(), Version::V2);
    }

    #[test]
    fn the_real_nand_disa_is_plaintext_disa() {
        let image = keepsake_testkit::fixture_or_skip!("ctr/nand-00000000.disa");
        assert_eq!(detect(&image), Container::Disa);
    }

    #[test]
    fn random_inputs_never_panic() {
        let mut rng = keepsake_testkit::rng::for_test("detect_never_panics");
        let lens = [0usize, 1, 0x103, 0x200, 0x1000, 0x1E000, 0x2_0000];
        for round in 0..2000 {
            let len = lens[round % lens.len()];
            let mut bytes = vec![0u8; len];
            match round % 3 {
                0 => rng.fill(&mut bytes[..]),
                1 => {
                    bytes.fill(0xFF);
                    for _ in 0..8 {
                        if len > 0 {
                            let at = rng.random_range(0..len);
                            bytes[at] = rng.random();
                        }
                    }
                }
                _ => {
                    for (i, b) in bytes.iter_mut().enumerate() {
                        *b = (i % 0x200) as u8 ^ (round as u8);
                    }
                }
            }
            let _ = detect(&bytes).to_string();
        }
    }
}
