//! Detection against a card that answers garbage: never a panic, never a
//! hang, and anything accepted is a known chip.

use keepsake_testkit::rand::Rng;
use keepsake_testkit::rng;

use super::*;
use crate::platform::{SpiBus, SpiError};

struct RandomBus<R: Rng> {
    rng: R,
    transfers: usize,
}

impl<R: Rng> SpiBus for RandomBus<R> {
    fn transfer(&mut self, _: Option<u8>, _: &[u8], response: &mut [u8]) -> Result<(), SpiError> {
        self.transfers += 1;
        match self.rng.random_range(0..10) {
            // Mostly the answers of real parts, sometimes noise.
            0 => response.fill(0xFF),
            1 => response.fill(0x00),
            2 => response.fill(0xF0),
            3 if self.rng.random_range(0..50) == 0 => {
                return Err(SpiError::Failed("noise".into()));
            }
            _ => self.rng.fill_bytes(response),
        }
        Ok(())
    }
}

#[test]
fn detection_survives_thousands_of_random_cards() {
    let mut known = 0;
    for seed in 0..2000u64 {
        let mut bus = RandomBus {
            rng: rng::seeded(seed),
            transfers: 0,
        };
        let infrared = seed % 2 == 0;
        if let Ok(found) = detect(&mut bus, infrared) {
            known += 1;
            assert_eq!(found.chip.infrared(), infrared);
            if let Some(id) = found.jedec_id {
                assert_eq!(flash_kind(id), Some(found.chip.kind()));
            }
            let mut buf = [0u8; 64];
            let _ = found.chip.read(&mut bus, 0, &mut buf);
        }
        assert!(
            bus.transfers < 300_000,
            "seed {seed}: {} transfers",
            bus.transfers
        );
    }
    assert!(known > 0, "some random answers look like EEPROMs");
}
