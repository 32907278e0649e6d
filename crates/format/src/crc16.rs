//! CRC-16/MODBUS: reflected polynomial 0xA001, initial value 0xFFFF, no final
//! XOR; stored little-endian. The NDS ROM header's checksum and the 3DS
//! cartridge flash's block map CRC and chunk checksums are all this CRC.

const POLY: u16 = 0xA001;

/// `TABLES[k][b]`: the CRC register after byte `b` followed by `k` zero
/// bytes (from a zero register). Row 0 is the classic byte table; the others
/// let [`crc16_modbus`] take eight bytes per step (slicing-by-8), since every
/// chunk checksum of a V1 image goes through here.
const TABLES: [[u16; 256]; 8] = {
    let mut tables = [[0u16; 256]; 8];
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
        tables[0][i] = crc;
        i += 1;
    }
    let mut k = 1;
    while k < 8 {
        let mut i = 0;
        while i < 256 {
            let prev = tables[k - 1][i];
            tables[k][i] = (prev >> 8) ^ tables[0][(prev & 0xFF) as usize];
            i += 1;
        }
        k += 1;
    }
    tables
};

/// CRC-16/MODBUS of `data`.
pub fn crc16_modbus(data: &[u8]) -> u16 {
    let t = &TABLES;
    let mut crc = 0xFFFFu16;
    let mut blocks = data.chunks_exact(8);
    for b in &mut blocks {
        let x = crc ^ u16::from_le_bytes([b[0], b[1]]);
        crc = t[7][usize::from(x as u8)]
            ^ t[6][usize::from(x >> 8)]
            ^ t[5][usize::from(b[2])]
            ^ t[4][usize::from(b[3])]
            ^ t[3][usize::from(b[4])]
            ^ t[2][usize::from(b[5])]
            ^ t[1][usize::from(b[6])]
            ^ t[0][usize::from(b[7])];
    }
    blocks.remainder().iter().fold(crc, |crc, &byte| {
        (crc >> 8) ^ t[0][usize::from((crc as u8) ^ byte)]
    })
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
        for len in (0usize..40).chain([0x200, 0x3FE, 0x4FE]) {
            let data: Vec<u8> = (0..len).map(|_| rng.random()).collect();
            assert_eq!(crc16_modbus(&data), reference(&data), "{len}");
        }
    }
}
