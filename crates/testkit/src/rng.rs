//! Seeded random generators for tests.
//!
//! Every generated test takes its seed from here: a fixed default so runs are
//! repeatable, overridable with `KEEPSAKE_SEED` to explore, and printed so a
//! failure can be replayed.

use rand::SeedableRng;
pub use rand_chacha::ChaCha8Rng as TestRng;

/// Overrides the base seed of every generated test.
pub const SEED_ENV: &str = "KEEPSAKE_SEED";

/// A generator for the test named `name`, seeded from `KEEPSAKE_SEED` (or a
/// fixed default) mixed with the name, so tests do not share streams.
pub fn for_test(name: &str) -> TestRng {
    let base = std::env::var(SEED_ENV)
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or(0x6b65_6570_7361_6b65);
    let seed = name.bytes().fold(base, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    eprintln!("{name}: seed {base} ({SEED_ENV} to change)");
    TestRng::seed_from_u64(seed)
}

/// A generator with an explicit seed, for loops over many cases.
pub fn seeded(seed: u64) -> TestRng {
    TestRng::seed_from_u64(seed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn the_same_seed_gives_the_same_stream() {
        let a: [u8; 16] = seeded(7).random();
        let b: [u8; 16] = seeded(7).random();
        let c: [u8; 16] = seeded(8).random();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }
}
