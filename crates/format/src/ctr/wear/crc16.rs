//! The one-byte chunk checksums of wear-leveled cartridge flash.
//!
//! The block map's CRC (CRC-16/MODBUS, see [`crate::crc16`]) covers every
//! byte of physical sector 0 before it (the two counters and the map). A V1
//! chunk checksum is the two bytes of the CRC-16 of one 0x200-byte chunk
//! XORed together.

pub use crate::crc16::crc16_modbus;

/// The one-byte checksum of a chunk: the two bytes of its CRC-16 XORed.
pub fn chunk_checksum(chunk: &[u8]) -> u8 {
    let [low, high] = crc16_modbus(chunk).to_le_bytes();
    low ^ high
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunk_checksum_xors_both_crc_bytes() {
        // CRC of "123456789" is 0x4B37: 0x37 ^ 0x4B = 0x7C.
        assert_eq!(chunk_checksum(b"123456789"), 0x7C);
    }
}
