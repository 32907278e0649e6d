//! The 3DS AES engine's key scrambler: the normal key of a keyslot from its
//! key X and key Y.
//!
//! With X, Y and the constant C1 read as big-endian 128-bit integers
//! (3dbrew "AES Registers"; save3ds libsave3ds/src/key_engine.rs agrees):
//! normal key = ROL128((ROL128(X, 2) XOR Y) + C1 mod 2^128, 87).

use super::Secret;

/// The scrambler's constant C1.
const C1: u128 = 0x1FF9_E9AA_C5FE_0408_0245_91DC_5D52_768A;

/// The normal key the AES engine makes from `key_x` and `key_y`.
pub fn normal_key(key_x: &Secret, key_y: &Secret) -> Secret {
    let x = u128::from_be_bytes(*key_x.expose());
    let y = u128::from_be_bytes(*key_y.expose());
    let key = ((x.rotate_left(2) ^ y).wrapping_add(C1)).rotate_left(87);
    Secret::new(key.to_be_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex16(s: &str) -> [u8; 16] {
        let v: Vec<u8> = (0..32)
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect();
        v.try_into().unwrap()
    }

    // Expected values computed separately with Python's arbitrary-precision
    // integers from the formula on 3dbrew, not with this module.
    #[test]
    fn matches_the_formula_computed_independently() {
        let x = Secret::new(std::array::from_fn(|i| i as u8));
        let y = Secret::new(std::array::from_fn(|i| 16 + i as u8));
        assert_eq!(
            normal_key(&x, &y).expose(),
            &hex16("09c4bdce56980781e4e4ff89099d4162")
        );
        // With X = Y = 0 only the constant is left, rotated by 87.
        let zero = Secret::new([0; 16]);
        assert_eq!(
            normal_key(&zero, &zero).expose(),
            &hex16("ee2ea93b450ffcf4d562ff02040122c8")
        );
    }

    #[test]
    fn the_sum_wraps_past_128_bits() {
        // ROL(X, 2) XOR Y = all ones, so the sum is C1 - 1 modulo 2^128.
        let x = Secret::new([0; 16]);
        let y = Secret::new([0xFF; 16]);
        let expected = (C1 - 1).rotate_left(87).to_be_bytes();
        assert_eq!(normal_key(&x, &y).expose(), &expected);
    }
}
