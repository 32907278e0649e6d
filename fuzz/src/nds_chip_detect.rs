//! Chip detection and a whole-chip read never panic, whatever a (broken or
//! hostile) card answers on the SPI bus.

use keepsake_core::nds_card::detect;
use keepsake_core::platform::{SpiBus, SpiError};

/// Answers every transfer with the next fuzzer bytes (then 0xFF).
struct ScriptedBus<'a> {
    answers: &'a [u8],
    transfers: usize,
}

impl SpiBus for ScriptedBus<'_> {
    fn transfer(&mut self, _: Option<u8>, _: &[u8], response: &mut [u8]) -> Result<(), SpiError> {
        self.transfers += 1;
        if self.transfers > 10_000 {
            return Err(SpiError::Failed("enough".into()));
        }
        for out in response.iter_mut() {
            match self.answers.split_first() {
                Some((&b, rest)) => {
                    *out = b;
                    self.answers = rest;
                }
                None => *out = 0xFF,
            }
        }
        Ok(())
    }
}

/// Runs the target on one input.
pub fn run(data: &[u8]) {
    let (infrared, answers) = match data.split_first() {
        Some((&flag, rest)) => (flag & 1 != 0, rest),
        None => (false, data),
    };
    let mut bus = ScriptedBus {
        answers,
        transfers: 0,
    };
    if let Ok(found) = detect(&mut bus, infrared) {
        let mut chunk = vec![0; found.chip.capacity().min(4096)];
        let _ = found.chip.read(&mut bus, 0, &mut chunk);
    }
}
