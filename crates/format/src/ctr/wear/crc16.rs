//! CRC-16/MODBUS and the one-byte chunk checksums built from it.
//!
//! CRC-16/MODBUS: reflected polynomial 0xA001, initial value 0xFFFF, no final
//! XOR; stored little-endian. The block map's CRC covers every byte of
//! physical sector 0 before it (the two counters and the map). A V1 chunk
//! checksum is the two bytes of the CRC-16 of one 0x200-byte chunk XORed
//! together.

const POLY: u16 = 0xA001;

const TABLE: [u16; 256] = {
    let mut table = [0u16; 256];
    let mut i = 0;
    while i < 256 {
        let mut crc = i as u16;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ POLY
            } else {
                crc >> 1
            };
            bit += 1;
        }
        table[i] = crc;
        i += 1;
    }
    table
};

/// CRC-16/MODBUS of `data`.
pub fn crc16_modbus(data: &[u8]) -> u16 {
    data.iter().fold(0xFFFF, |crc, &byte| {
        (crc >> 8) ^ TABLE[usize::from((crc as u8) ^ byte)]
    })
}

/// The one-byte checksum of a chunk: the two bytes of its CRC-16 XORed.
pub fn chunk_checksum(chunk: &[u8]) -> u8 {
    let [low, high] = crc16_modbus(chunk).to_le_bytes();
    low ^ high
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bit-by-bit reference, written from the definition.
    fn reference(data: &[u8]) -> u16 {
        let mut crc = 0xFFFFu16;
        for &byte in data {
            crc ^= u16::from(byte);
            for _ in 0..8 {
                let carry = crc & 1 != 0;
                crc >>= 1;
                if carry {
                    crc ^= POLY;
                }
            }
        }
        crc
    }

    #[test]
    fn matches_the_catalogued_check_value() {
        // The CRC catalogue's check value for CRC-16/MODBUS.
        assert_eq!(crc16_modbus(b"123456789"), 0x4B37);
        assert_eq!(crc16_modbus(b""), 0xFFFF);
    }

    #[test]
    fn the_table_agrees_with_the_bitwise_definition() {
        use keepsake_testkit::rand::Rng;
        let mut rng = keepsake_testkit::rng::for_test("crc16_table");
        for len in [1usize, 2, 17, 0x200, 0x3FE] {
            let data: Vec<u8> = (0..len).map(|_| rng.random()).collect();
            assert_eq!(crc16_modbus(&data), reference(&data), "{len}");
        }
    }

    #[test]
    fn chunk_checksum_xors_both_crc_bytes() {
        // CRC of "123456789" is 0x4B37: 0x37 ^ 0x4B = 0x7C.
        assert_eq!(chunk_checksum(b"123456789"), 0x7C);
    }
}
