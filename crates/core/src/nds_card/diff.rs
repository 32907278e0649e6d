//! Which write units differ between what a chip holds and what it should.

/// The indexes of the `unit`-byte blocks where `current` and `target`
/// differ (both the same length, a multiple of `unit`).
pub fn differing_units(current: &[u8], target: &[u8], unit: usize) -> Vec<usize> {
    debug_assert_eq!(current.len(), target.len());
    current
        .chunks(unit)
        .zip(target.chunks(unit))
        .enumerate()
        .filter(|(_, (a, b))| a != b)
        .map(|(i, _)| i)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_blocks_with_a_changed_byte_are_listed() {
        let a = vec![0u8; 1024];
        let mut b = a.clone();
        assert!(differing_units(&a, &b, 256).is_empty());
        b[0] = 1;
        b[767] = 1;
        b[768] = 1;
        assert_eq!(differing_units(&a, &b, 256), vec![0, 2, 3]);
    }
}
